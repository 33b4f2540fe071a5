r"""LaTeX printing in the sheets' notation: ``y[i - 1, 0]`` prints as :math:`y_{i}`."""
from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

__all__ = ["tex"]


class _SheetPrinter(LatexPrinter):
    def _print_MatrixElement(self, expr, **kwargs):
        name = self._print(expr.parent)
        i = self._print(sp.simplify(expr.i + 1))
        if expr.parent.shape[1] == 1:
            return f"{{{name}}}_{{{i}}}"
        j = self._print(sp.simplify(expr.j + 1))
        return f"{{{name}}}_{{{i},{j}}}"


    def _print_OneMatrix(self, expr, **kwargs):
        return r"\mathbf{1}"

    def _print_Sum(self, expr, **kwargs):
        return super()._print_Sum(_one_based(expr), **kwargs)

    def _print_KroneckerDelta(self, expr, **kwargs):
        a, b = expr.args[:2]
        ca, cb = a.as_coeff_add()[0], b.as_coeff_add()[0]
        if len(expr.args) == 2 and ca == cb and ca != 0:   # \delta is shift-invariant: the 0-based offset is internal
            expr = sp.KroneckerDelta(a - ca, b - cb, evaluate=False)
        return super()._print_KroneckerDelta(expr, **kwargs)


def _one_based(s: sp.Sum) -> sp.Sum:
    """A sum over a 0-based entry index, ``\\sum_{i=0}^{n-1} x[i]``, as the sheets write it: ``i = 1..n``."""
    body, limits = s.function, []
    for i, lo, hi in s.limits:
        if lo == 0:
            j = sp.Dummy(i.name, integer=True) if isinstance(i, sp.Dummy) else sp.Symbol(i.name, **i.assumptions0)
            body = body.xreplace({i: j - 1})
            limits.append((j, sp.Integer(1), hi + 1))
        else:
            limits.append((i, lo, hi))
    return sp.Sum(body, *limits)


def tex(expr) -> str:
    """LaTeX of a SymPy expression, vector entries 1-based as on the sheets."""
    return _SheetPrinter().doprint(expr)
