r"""Arrays given entry by entry: ``x_{11} = 1.2, \dots, x_{23} = 1.1`` in a claim's ``given``.

Where the given facts state every entry of a grid, :math:`x_{ab}` for :math:`a = 1..R` and
:math:`b = 1..C` (one digit each), or :math:`y_a` for :math:`a = 1..K`, and the claim also writes
the base with a letter index (``x_{ij}``, ``y_i``: an array, not named scalars such as
``\beta_1, \beta_2``), the base is an :math:`R \times C` matrix (a vector of length :math:`K`) with
those entries: the claim itself fixes its size, so a sum over its index (``\sum_j x_{ij}``) runs
over it.  An incomplete grid, an entry written outside it, or a base declared otherwise is left
as it is (the named scalars the notation reads today); nothing is guessed about entries not given.

A definition written entry by entry with an undeclared index, ``\sigma_i = -\sum_j y_{ij} \log \dots``,
takes the index's range from the arrays its right side indexes with it (row :math:`i` of the
:math:`2 \times 3` matrix :math:`x`: :math:`i = 1, 2`); arrays that disagree, or none, leave it undeclared.
"""
from __future__ import annotations

import itertools

from ..notation import ir
from ..notation.declarations import parse_declaration
from ..notation.latex import canon

__all__ = ["given_entry", "declare_grids", "declare_entry_indices"]


def _number(node) -> bool:
    return isinstance(node, ir.Number) or (isinstance(node, ir.Neg) and isinstance(node.arg, ir.Number))


def given_entry(ch: ir.Chain, grids: dict) -> None:
    """Note ``x_{23} = 1.1`` (a one- or two-digit subscript, a number on the right) under its base."""
    if ch.rels != ("=",) or len(ch.terms) != 2:
        return
    lhs, rhs = ch.terms
    if not (isinstance(lhs, ir.Sub) and isinstance(lhs.base, ir.Atom) and isinstance(lhs.index, ir.Number)
            and _number(rhs)):
        return
    text = lhs.index.text
    if text.isdigit() and 1 <= len(text) <= 2 and "0" not in text:
        grids.setdefault(canon(lhs.base), set()).add(tuple(int(c) for c in text))


def _letter_index(node) -> bool:
    return any(isinstance(x, ir.Atom) and x.name.isalpha() for x in ir.walk(node.index))


def declare_grids(it, grids: dict, subs: dict) -> None:
    """Declare each base whose given entries fill a grid (see the module's docstring)."""
    scope = it.scope
    for key, cells in grids.items():
        if key in scope.declared or key in scope.symbols or key in scope.functions:
            continue
        arity = {len(c) for c in cells}
        if len(arity) != 1:
            continue
        width = arity.pop()
        dims = [max(c[k] for c in cells) for k in range(width)]
        full = set(itertools.product(*[range(1, d + 1) for d in dims]))
        if cells != full or len(full) < 2:
            continue
        uses = subs.get(key, set())
        numbered = {n for n in uses if isinstance(n.index, ir.Number)}
        if any(not (n.index.text.isdigit() and tuple(int(c) for c in n.index.text) in full) for n in numbered):
            continue          # an entry written outside the grid: its size is not the grid's
        if not any(_letter_index(n) for n in uses if n not in numbered):
            continue          # only numbered names (beta_1, beta_2): scalars of their own
        if any(canon(n) in scope.declared for n in numbered):
            continue
        text = f"vector {dims[0]} real" if width == 1 else f"matrix {dims[0]} {dims[1]} real"
        scope.symbols[key] = parse_declaration(key, text)
        scope.declared.add(key)
        scope.inferred[key] = f"{text}, every entry given"
        scope.note(f"${key}$ is the {' x '.join(map(str, dims))} array whose entries the given facts state")


def _parts(index):
    if isinstance(index, ir.Product):
        return list(index.factors)
    if isinstance(index, ir.Tuple):
        return [x.terms[0] if isinstance(x, ir.Chain) and len(x.terms) == 1 else x for x in index.items]
    return [index]


def declare_entry_indices(it, pairs) -> None:
    """``p_i = ...`` with ``i`` undeclared: ``i`` an index over the range of the arrays the right side indexes
    with it, where they agree (see the module's docstring)."""
    scope = it.scope
    for lhs, rhs in pairs:
        if not (isinstance(lhs, ir.Sub) and isinstance(lhs.base, ir.Atom) and isinstance(lhs.index, ir.Atom)):
            continue
        name = lhs.index.name
        if name in scope.symbols or canon(lhs.base) in scope.declared or canon(lhs) in scope.declared:
            continue
        if any(isinstance(n, ir.BigOp) and n.lower is not None and
               any(isinstance(x, ir.Atom) and x.name == name for x in ir.walk(n.lower)) for n in ir.walk(rhs)):
            continue          # the right side sums over it: another index of that name
        ranges = set()
        for n in ir.walk(rhs):
            if not isinstance(n, ir.Sub):
                continue
            d = scope.symbols.get(canon(n.base)) if isinstance(n.base, ir.Atom) else None
            if d is None or not d.is_array:
                continue
            shape = tuple(d.obj.shape)
            for k, p in enumerate(_parts(n.index)):
                if isinstance(p, ir.Atom) and p.name == name:
                    ranges.add(shape[k] if d.kind == "matrix" and k < 2 else shape[0])
        if len(ranges) != 1:
            continue
        dim = ranges.pop()
        scope.symbols[name] = parse_declaration(name, f"index {dim}")
        scope.inferred[name] = f"index over 1..{dim} (the arrays {canon(lhs)}'s definition indexes with it)"
