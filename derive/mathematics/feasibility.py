r"""Is a set of sign conditions on linear expressions empty?  Exact Fourier–Motzkin elimination.

A condition is a pair :math:`(u, s)` with :math:`u` an expression and :math:`s` one of ``"+"``
(:math:`u > 0`), ``"0"`` (:math:`u = 0`), ``"-"`` (:math:`u < 0`).  Equalities are solved for one of
their symbols and substituted; then each symbol is eliminated in turn: every lower bound
:math:`x \ge \ell` (or :math:`>`) is paired with every upper bound :math:`x \le h`, giving
:math:`h - \ell \ge 0`, strict when either bound is.  The system of rational-coefficient linear
conditions has a real solution iff the constant conditions left at the end all hold, so the answer is
exact.  (Not SymPy's simplex: its ``lpmax`` returned points that break an equality constraint, depending
on the hash seed.)  Used by the zero test's case split: a case whose conditions are empty holds no point.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["empty", "linear"]

_LIMIT = 400          # conditions during elimination; beyond it the answer is "not shown"


def _assumed(s: sp.Symbol) -> list:
    """The sign conditions a symbol's assumptions state, as ``(expr, strict)`` for ``expr > 0`` / ``>= 0``."""
    if s.is_positive:
        return [(s, True)]
    if s.is_negative:
        return [(-s, True)]
    if s.is_nonnegative:
        return [(s, False)]
    if s.is_nonpositive:
        return [(-s, False)]
    return []


def _coefficients(u, syms):
    """``{symbol: rational}`` and the rational constant of a linear ``u``; None when it is not one."""
    try:
        p = sp.Poly(u, *syms)
    except sp.PolynomialError:
        return None
    if p.total_degree() > 1 or not all(c.is_Rational for c in p.coeffs()):
        return None
    coeffs = {s: p.coeff_monomial(s) for s in syms}
    return {s: c for s, c in coeffs.items() if c != 0}, p.coeff_monomial(1)


def _relaxed(conditions, syms):
    """Each product of symbols (``w x``) replaced by a new real variable, the same one wherever it occurs:
    the relaxed system has at least the solutions of the given one, so "relaxed empty" means empty."""
    reps = {}
    for u, _ in conditions:
        for term in sp.Add.make_args(u):
            coeff, rest = term.as_coeff_Mul()
            if rest.is_Mul or rest.is_Pow:
                if all(isinstance(f, sp.Symbol) and f.is_real for f in rest.free_symbols) and rest.is_real:
                    reps.setdefault(rest, sp.Dummy("v", real=True))
    if not reps:
        return conditions, syms
    out = [(u.xreplace(reps), s) for u, s in conditions]
    return out, sorted(set().union(*(u.free_symbols for u, _ in out)), key=sp.default_sort_key)


def linear(u, syms) -> bool:
    """``u`` is linear in ``syms`` with rational coefficients."""
    return _coefficients(sp.expand(u), list(syms)) is not None if syms else sp.sympify(u).is_Rational


def empty(conditions) -> bool:
    """True when no real point satisfies every condition (each symbol's own sign assumptions added);
    False means "not shown empty" (a nonlinear condition, an irrational coefficient, too many, or a point
    exists)."""
    conditions = [(sp.expand(sp.sympify(u)), s) for u, s in conditions]
    syms = sorted(set().union(*(u.free_symbols for u, _ in conditions)), key=sp.default_sort_key)
    if any(not isinstance(s, sp.Symbol) or not s.is_real for s in syms):
        return False
    conditions, syms = _relaxed(conditions, syms)
    eqs, ineqs = [], []
    for u, s in conditions:
        if s == "0":
            eqs.append(u)
        elif s in ("+", "-"):
            ineqs.append((u if s == "+" else -u, True))
        else:
            raise ValueError(f"unknown sign {s!r}")
    ineqs += [c for s in syms for c in _assumed(s)]
    # equalities: solve each for a symbol it has, substitute into the rest
    while eqs:
        u = sp.expand(eqs.pop())
        lin = _coefficients(u, sorted(u.free_symbols, key=sp.default_sort_key)) if u.free_symbols else ({}, u)
        if lin is None:
            return False
        coeffs, const = lin
        if not coeffs:
            if const != 0:
                return True
            continue
        x = sorted(coeffs, key=sp.default_sort_key)[0]
        value = -(u - coeffs[x] * x) / coeffs[x]
        eqs = [sp.expand(v.xreplace({x: value})) for v in eqs]
        ineqs = [(sp.expand(v.xreplace({x: value})), st) for v, st in ineqs]
    rows = []
    for v, strict in ineqs:
        syms_v = sorted(v.free_symbols, key=sp.default_sort_key)
        lin = _coefficients(v, syms_v) if syms_v else ({}, v)
        if lin is None:
            return False
        rows.append((lin[0], lin[1], strict))
    return _fourier_motzkin(rows)


def _fourier_motzkin(rows) -> bool:
    """Rows ``(coeffs, const, strict)`` for :math:`\\sum_x c_x x + c_0 > 0` (``>=`` when not strict);
    True when they have no common solution."""
    while True:
        for coeffs, const, strict in rows:
            if not coeffs and (const < 0 or (strict and const == 0)):
                return True
        rows = [r for r in rows if r[0]]
        if not rows:
            return False
        x = sorted({s for r in rows for s in r[0]}, key=sp.default_sort_key)[0]
        lower = [r for r in rows if r[0].get(x, 0) > 0]
        upper = [r for r in rows if r[0].get(x, 0) < 0]
        rest = [r for r in rows if x not in r[0]]
        for cl, kl, sl in lower:
            for cu, ku, su in upper:
                a, b = cl[x], -cu[x]           # b * lower + a * upper: x cancels, both scaled by positives
                coeffs = {}
                for s in set(cl) | set(cu):
                    c = b * cl.get(s, 0) + a * cu.get(s, 0)
                    if c != 0:
                        coeffs[s] = c
                rest.append((coeffs, b * kl + a * ku, sl or su))
        if len(rest) > _LIMIT:
            return False
        rows = rest
