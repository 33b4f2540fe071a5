r"""A claim's reading as SymPy objects, for the layers above the judge (kernels, examples).

:func:`read` returns the relations of a claim and its definitions as SymPy
expressions in the claim's declared symbols, exactly as the judge reads them.
It raises :class:`~nnderive.judge.engine.ClaimError` (with the field and
position) when the claim cannot be read.

>>> from nnderive.catalogue import Claim
>>> r = read(Claim(id="x", source="s", file="f", latex=r"y = 2 x", symbols={"x": "scalar real", "y": "scalar real"}))
>>> [(str(a), rel, str(b)) for a, rel, b in r.relations]
[('y', '=', '2*x')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..notation.errors import LatexError
from .engine import ClaimError, build_scope, parse_definitions

__all__ = ["Reading", "read"]


@dataclass
class Reading:
    """Relations ``(lhs, relation, rhs)`` and definitions ``{symbol: expression}`` of one claim."""

    relations: list = field(default_factory=list)
    definitions: dict = field(default_factory=dict)
    symbols: dict = field(default_factory=dict)     # spelling -> SymPy object

    def substituted(self, expr):
        """``expr`` with every defined symbol replaced by its definition, until nothing changes."""
        for _ in range(20):
            new = expr.xreplace(self.definitions)
            if new == expr:
                return new
            expr = new
        raise ClaimError("definitions do not settle", "definitions", None)


def read(claim) -> Reading:
    scope, parser = build_scope(claim)
    defs = parse_definitions(claim, parser)
    try:
        chain = parser.relation_chain(claim.latex) if claim.latex else []
    except LatexError as exc:
        raise ClaimError(exc.message, "latex", exc.pos)
    rels = [(chain[k], chain[k + 1], chain[k + 2]) for k in range(0, len(chain) - 2, 2)]
    return Reading(rels, defs, {s: d.obj for s, d in scope.symbols.items()})
