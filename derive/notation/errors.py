"""Problems with the reading of a claim, each with its character position."""
from __future__ import annotations

__all__ = ["LatexError", "ShapeMismatch", "Unsupported"]


class LatexError(ValueError):
    """A parse problem, with the character position in the LaTeX string."""

    def __init__(self, message: str, pos: int | None = None):
        super().__init__(message)
        self.message = message
        self.pos = pos

    def __str__(self):
        return self.message if self.pos is None else f"{self.message} (at character {self.pos})"


class ShapeMismatch(LatexError):
    """Shapes that do not fit: a refutation, not a parse error."""


class Unsupported(LatexError):
    """Well-formed notation the checker cannot judge yet: the claim is undecided, not in error."""
