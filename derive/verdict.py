"""The result of judging one claim."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .display import render

__all__ = ["Verdict", "VERDICTS"]

#: Every verdict word, in report order.
VERDICTS = ("proved", "refuted", "convention", "undecided", "not checkable", "error")


@dataclass
class Verdict:
    """One claim's verdict, with everything a report needs (plain data, picklable)."""

    id: str
    source: str
    verdict: str
    reason: str
    parsed: str = ""                     # LaTeX of the claim as understood
    steps: list = field(default_factory=list)       # [(rule, latex)]
    counterexample: dict | None = None   # exact inputs and both sides' values
    corrected: str | None = None         # LaTeX of the corrected formula
    convention: dict | None = None       # {"axis", "claim", "reference", "source"}
    evidence: dict | None = None         # numeric evidence for undecided
    error: dict | None = None            # {"file", "id", "field", "position", "message"}
    sizes: list | None = None            # explicit sizes a proof covers, if not general
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    @property
    def proved(self) -> bool:
        """The claim holds as written (what numeric/ requires before a claim becomes a kernel)."""
        return self.verdict == "proved"

    @classmethod
    def from_load_error(cls, e) -> "Verdict":
        """The error verdict of a :class:`~nnderive.catalogue.LoadError` (a claim file that did not load)."""
        return cls(id=e.id, source=e.file, verdict="error", reason=str(e),
                   error={"file": e.file, "id": e.id, "field": "-", "position": e.position, "message": e.message})

    def to_dict(self) -> dict:
        return asdict(self)

    def _repr_markdown_(self):
        """Jupyter: the claim's report section (without the quote, which lives on the claim)."""
        return render("verdict", "markdown", self)

    def _repr_latex_(self):
        r"""Jupyter/MathJax: the verdict with the formula as read, in one display."""
        return render("verdict", "latex", self)
