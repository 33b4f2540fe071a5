r"""Taylor coefficients in one scalar :math:`h` of an expression with arbitrary (undefined) functions.

An arbitrary smooth :math:`f` applied at :math:`a(h) = p + \Delta(h)`, :math:`\Delta(0) = 0`, is replaced by
its Taylor polynomial at :math:`p`,

.. math:: f(p + \Delta) = \sum_{|\alpha| \le K} \frac{\partial^\alpha f(p)}{\alpha!} \Delta^\alpha + O(h^{K+1}),

and every derivative :math:`\partial^\alpha f(p)` (the ones the expression writes too) becomes one symbol,
named by the function, the point and the multiset of variables (mixed partials commute for a smooth
:math:`f`).  These symbols are independent: any finite set of derivative values at distinct points is
taken by some polynomial :math:`f`, so a coefficient that is not identically 0 in them is not 0 for
every :math:`f`.  SymPy's own series of an undefined function of several variables is not used: its
``Subs`` objects do not cancel against the derivatives an expression writes.
"""
from __future__ import annotations

import itertools
from collections import Counter
from math import factorial

import sympy as sp
from sympy.core.function import AppliedUndef

from ..notation.errors import Unsupported

__all__ = ["taylor_coefficients"]


def _point(arg, h):
    """``(p, delta)`` of an argument ``p + delta(h)``; the point must be a variable one can differentiate by."""
    p = arg.subs(h, 0)
    if not getattr(p, "_diff_wrt", False):
        raise Unsupported(f"an arbitrary function applied at {arg}, whose point at h = 0 is not a variable", None)
    return p, sp.expand(arg - p)


class _Jets:
    """Derivative values of arbitrary functions as symbols: (function, point, sorted variables) -> symbol."""

    def __init__(self):
        self.symbols = {}

    def of(self, func, point, variables):
        if len(set(point)) != len(point):
            raise Unsupported("an arbitrary function applied with one variable in two of its arguments", None)
        if any(v not in point for v in variables):
            raise Unsupported("a derivative of an arbitrary function by a variable it is not applied at", None)
        key = (func, tuple(point), tuple(sorted(variables, key=point.index)))
        if key not in self.symbols:
            self.symbols[key] = sp.Dummy(f"{func}_{len(self.symbols)}", real=True)
        return self.symbols[key]


def _expanded(f: AppliedUndef, h, order, jets):
    pts = [_point(a, h) for a in f.args]
    point = [p for p, _ in pts]
    deltas = [d for _, d in pts]
    out = sp.S.Zero
    moving = [i for i, d in enumerate(deltas) if d != 0]
    for total in range(order + 1):
        for combo in itertools.combinations_with_replacement(moving, total):
            alpha = Counter(combo)
            coeff = sp.Integer(1)
            for i, n in alpha.items():
                coeff *= deltas[i] ** n / factorial(n)
            out += jets.of(f.func, point, [point[i] for i in combo]) * coeff
    return out


def taylor_coefficients(expr, h, order, polynomial_in=()) -> tuple[list, dict]:
    """``[c_0, ..., c_order]`` with ``expr = sum c_j h^j + O(h^(order+1))``, and the derivative symbols
    (symbol -> the derivative it stands for).  Raises Unsupported where a derivative is taken at a point
    that moves with h, or a function is applied where its point at h = 0 is no variable; and, with
    ``polynomial_in``, where the expanded expression is no polynomial in h and those symbols (a term such as
    :math:`h u_1^2 u_2 / (h^2 u_1^4 + u_2^2)` is small along every ray but not near 0)."""
    jets = _Jets()
    expr = sp.sympify(expr)
    for d in expr.atoms(sp.Derivative, sp.Subs):
        if d.has(h):
            raise Unsupported("a derivative of an arbitrary function at a point that moves with h", None)
    reps = {}
    for d in expr.atoms(sp.Derivative):
        if not isinstance(d.expr, AppliedUndef):
            raise Unsupported(f"the derivative of {d.expr}, not of an arbitrary function", None)
        variables = [v for v, n in d.variable_count for _ in range(int(n))]
        reps[d] = jets.of(d.expr.func, list(d.expr.args), variables)
    expr = expr.xreplace(reps)
    for f in sorted(expr.atoms(AppliedUndef), key=sp.default_sort_key):
        reps_f = {f: _expanded(f, h, order, jets) if f.has(h) else jets.of(f.func, list(f.args), [])}
        expr = expr.xreplace(reps_f)
    if expr.atoms(AppliedUndef, sp.Derivative):
        raise Unsupported("an arbitrary function left after the expansion", None)
    if polynomial_in and not sp.expand(expr).is_polynomial(h, *polynomial_in):
        raise Unsupported("an expression that is no polynomial in the small vector (after the Taylor "
                          "polynomials): its order along rays need not be its order near 0", None)
    ser = sp.expand(sp.series(expr, h, 0, order + 1).removeO()) if expr.has(h) else sp.expand(expr)
    coeffs = [sp.expand(ser.coeff(h, j)) for j in range(order + 1)]
    if any(c.has(h) for c in coeffs) or sp.expand(ser - sum(c * h ** j for j, c in enumerate(coeffs))) != 0:
        raise Unsupported("an expression that is no power series in h", None)
    back = {s: (func, point, variables) for (func, point, variables), s in jets.symbols.items()}
    return coeffs, back
