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


def tex(expr) -> str:
    """LaTeX of a SymPy expression, vector entries 1-based as on the sheets."""
    return _SheetPrinter().doprint(expr)
