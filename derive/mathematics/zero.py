r"""The zero test: is an expression identically 0?  Exact reasoning only; "unknown" is None."""
from __future__ import annotations

import sympy as sp

from .primitives import elementary

__all__ = ["is_zero", "exp_to_symbols"]


def exp_to_symbols(e):
    """Replace exp(c*s) by T_s**c (T_s > 0) so softmax/sigmoid algebra becomes rational."""
    e = sp.expand(sp.powsimp(e), power_exp=True, mul=False, multinomial=False, log=False)
    reps = {}
    tsyms = {}
    for a in e.atoms(sp.exp):
        arg = sp.expand(a.args[0])
        terms = sp.Add.make_args(arg)
        val = sp.S.One
        for t in terms:
            # exp(c * rest) -> T_rest^c: an identity in the T's implies one in the exponentials
            c, rest = t.as_coeff_Mul()
            if not c.is_Rational or rest.is_Add or rest.is_number:
                return None
            if rest not in tsyms:
                tsyms[rest] = sp.Dummy(f"T_{rest}", positive=True)
            val *= tsyms[rest] ** c
        reps[a] = val
    return e.xreplace(reps)


_KINKED = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)


def _zero_on_each_piece(pw, depth) -> bool | None:
    """Each branch 0 where it applies: a branch is skipped where earlier ones cover it, and a branch
    that applies at finitely many points of one variable is tested at those points."""
    covered = sp.false
    for value, cond in pw.args:
        where = sp.And(cond, sp.Not(covered))
        covered = sp.Or(covered, cond)
        if is_zero(value, depth + 1):
            continue
        free = where.free_symbols
        if len(free) != 1:
            return None
        try:
            points = where.as_set()
        except (NotImplementedError, TypeError, ValueError):
            return None
        if points is sp.S.EmptySet:
            continue
        if not isinstance(points, sp.FiniteSet) or \
                not all(is_zero(value.xreplace({next(iter(free)): p}), depth + 1) for p in points):
            return None
    return True


def is_zero(d, _depth=0) -> bool | None:
    """True if ``d`` is identically 0 (exact reasoning), else None (unknown).

    Kinked functions (|x|, max, min, sign, the step) are split into cases: ``relu(x) + relu(-x) - |x|``
    is 0 on each piece although no simplification sees it whole."""
    d = elementary(sp.sympify(d).doit())
    if d == 0:
        return True
    if _depth < 3 and d.has(*_KINKED) and not d.has(sp.Sum, sp.MatrixExpr):
        pw = d.rewrite(sp.Piecewise)
        if pw.has(sp.Piecewise) and not pw.has(*_KINKED):
            d = pw
    if d.has(sp.Piecewise) and _depth < 3:
        d = sp.piecewise_fold(d)
        if isinstance(d, sp.Piecewise):
            return _zero_on_each_piece(d, _depth)
    try:
        if sp.expand(d) == 0:
            return True
        r = exp_to_symbols(d)
        if r is not None and not r.has(sp.log, sp.Sum, sp.Derivative):
            if sp.cancel(sp.together(r)) == 0:
                return True
        if sp.simplify(d) == 0:
            return True
        if d.has(sp.log) and sp.simplify(sp.expand_log(d, force=True)) == 0:
            return True
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return None
    return None
