r"""Sums whose index is not written: :math:`\sum_1^\infty \alpha_j x^j`, :math:`\sum_1^n a_i`.

The scripts give only the bounds; the index is the letter the body counts with.  It is taken to be that
letter only when exactly one candidate exists: a single letter written in a subscript of the body, not
declared, not a name the claim declares whole (the ``t`` of a declared ``P_t`` is part
of a name), not in the bounds, and not bound by a sum inside the body.  With no candidate or with several
(:math:`\sum_1^n x_i y_j`) the range is left as written, and not read.
"""
from __future__ import annotations

import dataclasses

from ..notation import ir
from ..notation.latex import canon

__all__ = ["name_bare_ranges"]


def _letters(node) -> set:
    return {n.name for n in ir.walk(node) if isinstance(n, ir.Atom) and len(n.name) == 1 and n.name.isalpha()}


def _candidates(body, declared, bounds) -> set:
    inner = set()
    for n in ir.walk(body):
        if isinstance(n, ir.BigOp) and n.lower is not None:
            inner |= _letters(n.lower.terms[0] if isinstance(n.lower, ir.Chain) else n.lower)
    out = set()
    for n in ir.walk(body):
        if isinstance(n, ir.Sub) and canon(n) not in declared:
            out |= _letters(n.index)
    return {x for x in out if x not in declared and x not in bounds and x not in inner}


def name_bare_ranges(st, declared, note=None):
    r"""``st`` with each :math:`\sum_{c}^{u}` (``c`` a whole number) whose body counts with exactly one letter
    rewritten as :math:`\sum_{j=c}^{u}`; ``declared``: the names the claim declares."""
    def fn(n):
        if not (isinstance(n, ir.BigOp) and n.op in ("sum", "prod") and isinstance(n.lower, ir.Number)
                and n.upper is not None and n.body is not None):
            return n
        found = _candidates(n.body, declared, _letters(n.upper))
        if len(found) != 1:
            return n
        (name,) = found
        if note is not None:
            note(rf"the index of $\{n.op}_{{{n.lower.text}}}^{{{canon(n.upper)}}}$ is not written: it is ${name}$, "
                 "the one letter its body counts with")
        lower = ir.Chain((ir.Atom(name, span=n.lower.span), n.lower), ("=",), span=n.lower.span)
        return dataclasses.replace(n, lower=lower)
    return ir.rebuild(st, lambda n, _changes: fn(n))
