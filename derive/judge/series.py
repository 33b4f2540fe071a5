r"""Finite series written with dots: :math:`x_1 + x_2 + \ldots + x_n`, :math:`a_0 + a_1 + \cdots + a_{n-1}`.

The last term is the general term at the count :math:`n`, a letter declared an integer and written in one
of its subscripts: the general term :math:`G(j)` is the last term with :math:`n` replaced by :math:`j`.  The
series is read as :math:`\sum_{j=k}^{n} G(j)` only when the terms written before the dots are
:math:`G(k), G(k+1), \ldots` exactly, for one start :math:`k` in 0..3, and there are at least two of them (one
term does not fix how the terms go on: :math:`1 + \ldots + x^n`).  Anything else with dots in a sum (an
infinite series ending in dots, several dots, a difference, no count letter, written terms that fit no
general term) is not read.
"""
from __future__ import annotations

import dataclasses

import sympy as sp

from ..notation import ir
from ..notation.errors import LatexError, ShapeMismatch, Unsupported
from ..notation.latex import canon

__all__ = ["is_dots", "finite_series"]

#: the name of the series' own index (a letter no source writes, so it meets no other name)
INDEX = r"\varkappa"


def is_dots(node) -> bool:
    return isinstance(node, ir.Text) and node.text == "..."


def _replace(node, name, new):
    """``node`` with the letter ``name`` replaced by the node ``new``; scripts' spellings follow."""
    def fn(n, changes):
        if isinstance(n, ir.Atom):
            return new if n.name == name else n
        if isinstance(n, ir.Sub) and "index" in changes:
            return dataclasses.replace(n, text=canon(n.index))
        if isinstance(n, ir.Pow) and "exp" in changes:
            return dataclasses.replace(n, text=canon(n.exp))
        return n
    return ir.rebuild(node, fn)


def _same(it, a, b) -> bool:
    try:
        d = it.expr(a) - it.expr(b)
    except (Unsupported, LatexError, ShapeMismatch, TypeError, ValueError):
        return False
    return isinstance(d, sp.Expr) and sp.simplify(d) == 0


def finite_series(it, terms, span):
    """The sum node a series with dots stands for (``terms``: the ``(sign, term)`` of the sum), else raises."""
    dots = [k for k, (_, t) in enumerate(terms) if is_dots(t)]
    if len(dots) != 1 or dots[0] != len(terms) - 2 or any(s < 0 for s, _ in terms):
        raise Unsupported("a series with dots other than a_1 + a_2 + ... + a_n is not read yet", span[0])
    written, last = [t for _, t in terms[:dots[0]]], terms[-1][1]
    if len(written) < 2:
        raise Unsupported("a series with one term before the dots: how its terms go on is not written",
                          span[0])
    letters = {x.name for n in ir.walk(last) if isinstance(n, ir.Sub) for x in ir.walk(n.index)
               if isinstance(x, ir.Atom)}
    counts = [x for x in letters if (d := it.scope.symbols.get(x)) is not None and d.kind == "scalar"
              and getattr(d.obj, "is_integer", False)]
    if len(counts) != 1:
        raise Unsupported("a series whose last term is not written with one count (a letter declared an "
                          "integer, in a subscript)", span[0])
    n = counts[0]
    if any(isinstance(x, ir.Atom) and x.name == INDEX for t in written + [last] for x in ir.walk(t)):
        raise Unsupported(f"a series that writes {INDEX}", span[0])
    starts = [k for k in range(4)
              if all(_same(it, _replace(last, n, ir.Number(str(k + i))), w) for i, w in enumerate(written))]
    if len(starts) != 1:
        raise Unsupported("a series whose written terms are not its last term at consecutive counts",
                          span[0])
    k = starts[0]
    general = _replace(last, n, ir.Atom(INDEX))
    it.scope.note(rf"${canon(written[0])} + \dots + {canon(last)}$ is read as $\sum_{{j={k}}}^{{{n}}} "
                  rf"{canon(_replace(last, n, ir.Atom('j')))}$ (its written terms are the last one at ${n} = "
                  rf"{', '.join(str(k + i) for i in range(len(written)))}$)")
    it.bound_ranges.setdefault(INDEX, (ir.Number(str(k)), ir.Atom(n)))
    lower = ir.Chain((ir.Atom(INDEX), ir.Number(str(k))), ("=",))
    return ir.BigOp("sum", lower, ir.Atom(n), general, span=span)
