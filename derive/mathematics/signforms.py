r"""The forms of an expression in which SymPy's sign rules may settle a sign: as written, over one
denominator, and that denominator factored (:math:`\tfrac14 - \sigma'(z)` is
:math:`(e^z - 1)^2 / (4 (e^z + 1)^2)`, which is nonnegative by the signs of its parts)."""
from __future__ import annotations

import sympy as sp

__all__ = ["sign_forms"]


def sign_forms(expr):
    """Yield ``expr``, then ``together(expr)`` and its factored form, lazily: the rewrites cost more than the
    sign test, and a rewrite SymPy cannot do is skipped, not an error."""
    yield expr
    form = expr
    for rewrite in (sp.together, sp.factor):
        try:
            nxt = rewrite(form)
        except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
            return
        if nxt != form:
            yield nxt
        form = nxt
