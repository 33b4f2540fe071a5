r"""SymPy work that repeats itself, remembered.

:meth:`MatrixExpr.valid_index` decides :math:`-\mathrm{rows} \le i < \mathrm{rows}` (and the same for
:math:`j`) through SymPy's assumptions each time an entry :math:`A_{ij}` is built, and ``xreplace``,
``subs`` and ``doit`` rebuild every entry they pass: over the seed catalogue it ran about 23 000 times
on under 2 000 distinct (shape, index) pairs, an eighth of the judging time.  The answer depends on
nothing but the shape and the two indices (SymPy expressions are immutable and compare with their
assumptions), so remembering it changes no result.
"""
from __future__ import annotations

import functools

from sympy import Basic, Dummy
from sympy.matrices.expressions.matexpr import MatrixExpr

__all__ = ["install"]

_ORIGINAL = MatrixExpr.valid_index


class _Shape:
    """What ``valid_index`` reads of the matrix: its number of rows and columns."""
    __slots__ = ("rows", "cols")

    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols


@functools.lru_cache(maxsize=1 << 16)
def _valid_index(rows, cols, i, j):
    return _answer(rows, cols, _stand_ins(i), _stand_ins(j))


@functools.lru_cache(maxsize=1 << 16)
def _answer(rows, cols, i, j):
    return _ORIGINAL(_Shape(rows, cols), i, j)


@functools.lru_cache(maxsize=1024)
def _stand_in(name, assumptions):
    return Dummy(name, **dict(assumptions))


def _stand_ins(x):
    """``x`` with each Dummy replaced by one fixed Dummy of its name and assumptions.

    Every Sum and every explicit-size cross-check brings fresh dummies (``_i - 1`` against ``n``
    came 262 times, each new to the memo, 2 ms each); SymPy's answer reads their assumptions only."""
    dummies = x.atoms(Dummy) if isinstance(x, Basic) and not x.is_Number else ()
    if not dummies:
        return x
    return x.xreplace({d: _stand_in(d.name, tuple(sorted(d.assumptions0.items()))) for d in dummies})


def _remembered_valid_index(self, i, j):
    try:
        return _valid_index(self.rows, self.cols, i, j)
    except TypeError:          # an unhashable index (never built by SymPy itself): ask directly
        return _ORIGINAL(self, i, j)


def install():
    """Remember ``valid_index`` answers (idempotent)."""
    MatrixExpr.valid_index = _remembered_valid_index
