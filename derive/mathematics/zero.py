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


def is_zero(d) -> bool | None:
    """True if ``d`` is identically 0 (exact reasoning), else None (unknown)."""
    d = elementary(sp.sympify(d).doit())
    if d == 0:
        return True
    if d.has(sp.Piecewise):
        d = sp.piecewise_fold(d)
        if isinstance(d, sp.Piecewise):
            return True if all(is_zero(b) for b, _ in d.args) else None
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
