r"""A report as a small document tree, rendered three ways (Markdown, LaTeX, HTML).

Building the content once and rendering it per format keeps the three reports identical in
substance, and puts every escaping decision in one place: each inline piece says what it is.

Inline pieces are ``(kind, value)`` pairs:

* ``"plain"``: user text (an id, a title, a file name, a message): always escaped, never math;
* ``"prose"``: derive/'s sentences, in which ``$...$`` marks mathematics (passed through
  :func:`~nnderive.report.text.safe_math`);
* ``"math"``: LaTeX derive/ printed (inline), through the same whitelist;
* ``"code"``: user text in a monospace face; ``"b"`` / ``"i"``: our own words, bold or italic;
* ``"link"``: ``((pieces...), href)``; the href is built by us (file stems and anchors), never user text.

Blocks are tuples: ``("h", level, pieces, anchor)``, ``("p", pieces)``, ``("quote", text)``,
``("display", latex)``, ``("steps", [(pieces, block)])``, ``("ul", [pieces])``,
``("figure", name, caption)``, ``("pre", text)``, ``("counts", [(pieces, Counter)])``, ``("toc",)``.
"""
from __future__ import annotations

__all__ = ["P", "B", "I", "M", "C", "T"]


def P(s) -> tuple:
    """User text."""
    return ("plain", str(s))


def T(s) -> tuple:
    """derive/'s prose, ``$...$`` marking math."""
    return ("prose", str(s))


def M(s) -> tuple:
    """Inline math printed by derive/."""
    return ("math", str(s))


def C(s) -> tuple:
    """User text in monospace."""
    return ("code", str(s))


def B(s) -> tuple:
    """Our own words, bold."""
    return ("b", str(s))


def I(s) -> tuple:  # noqa: E743 (the name reads as italic)
    """Our own words, italic."""
    return ("i", str(s))
