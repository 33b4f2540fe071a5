r"""The zero test: is an expression identically 0?  Exact reasoning only; "unknown" is None."""
from __future__ import annotations

import itertools

import sympy as sp

from .feasibility import empty
from .primitives import elementary

__all__ = ["is_zero", "exp_to_symbols", "covers"]


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


def _limits_over_one_fraction(d):
    r"""Each limit's expression over one denominator, before SymPy evaluates it.

    Gruntz's algorithm is 14 times faster on :math:`4e^{2z}/(e^{4z} + 2e^{2z} + 1)` than on
    :math:`1 - (e^z - e^{-z})^2/(e^z + e^{-z})^2`; the two agree wherever both are defined, so
    near the limit point, and the limit is the same."""
    if not d.has(sp.Limit):
        return d

    def one_fraction(lim):
        e = lim.args[0]
        if e.has(sp.Sum, sp.MatrixExpr, sp.Derivative, sp.Integral, sp.Piecewise, *_KINKED):
            return lim
        try:
            return sp.Limit(sp.cancel(sp.together(e)), *lim.args[1:])
        except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
            return lim
    return d.replace(lambda x: isinstance(x, sp.Limit), one_fraction)


_KINKED = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)
_HYPERBOLIC = (sp.sinh, sp.cosh, sp.tanh, sp.coth)


_SIGNS = {"+": sp.S.One, "0": sp.S.Zero, "-": sp.S.NegativeOne}


def _signs_allowed(u) -> list:
    """The signs of ``u`` its assumptions leave possible (SymPy's assumptions, so sure ones only)."""
    if u.is_positive:
        return ["+"]
    if u.is_negative:
        return ["-"]
    if u.is_zero:
        return ["0"]
    out = [s for s, ok in (("+", u.is_nonpositive is not True), ("0", u.is_nonzero is not True),
                           ("-", u.is_nonnegative is not True))]
    return out


def covers(cond) -> bool:
    r"""True when ``cond`` (the disjunction of a piecewise function's conditions) holds at every point
    its symbols' assumptions allow: a piecewise function is defined nowhere else, so ``cases`` that
    leave out points (:math:`wx + b \le 0` or :math:`wx - b > 0`) are not identically equal to anything
    there.  Exact and one-sided: each relation is rewritten :math:`u \mathrel{op} 0` and the distinct
    :math:`u` taken as independent, so the condition is true for every sign pattern of the :math:`u`
    (a tautology then, whatever ties the :math:`u` together); a condition of one variable is also read
    as a set.  False means "not shown", not "a gap"."""
    cond = sp.sympify(cond)
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    free = cond.free_symbols
    if len(free) == 1:
        (x,) = free
        try:
            if x.is_real and cond.as_set() == sp.S.Reals:
                return True
        except (NotImplementedError, TypeError, ValueError):
            pass
    rels = cond.atoms(sp.core.relational.Relational)
    if not rels or any(not isinstance(r, (sp.core.relational.Relational, sp.logic.boolalg.BooleanAtom))
                       for r in cond.atoms(sp.logic.boolalg.Boolean) - rels
                       if not isinstance(r, sp.Symbol)):
        return False
    if cond.atoms(sp.Symbol) - free:        # a boolean symbol inside: not a condition on numbers
        return False
    atoms, reps = {}, {}
    for r in rels:
        u = sp.expand(r.lhs - r.rhs)
        if u.is_number or not u.is_real:
            return False
        flip = u.could_extract_minus_sign()
        if flip:
            u = -u
        a = atoms.setdefault(u, sp.Dummy("u", real=True))
        reps[r] = r.func(-a, 0) if flip else r.func(a, 0)
    form = cond.xreplace(reps)
    us = list(atoms)
    choices = [_signs_allowed(u) for u in us]
    if any(not c for c in choices) or len(us) > 8:
        return False
    for pattern in itertools.product(*choices):
        if form.xreplace({atoms[u]: _SIGNS[s] for u, s in zip(us, pattern)}) is not sp.true:
            return False
    return True


def _zero_on_each_piece(pw, depth) -> bool | None:
    """Each branch 0 where it applies: a branch is skipped where earlier ones cover it, and a branch
    that applies at finitely many points of one variable is tested at those points.  The branches
    together must cover every point (:func:`covers`): where none applies the function is undefined."""
    if not covers(sp.Or(*(c for _, c in pw.args))):
        return None
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


_MAX_CASES = 256


def _canonical(u):
    """``(u', flip)`` with ``u = -u'`` when ``flip``: one split atom for ``u`` and ``-u``."""
    u = sp.expand(u)
    return (-u, True) if u.could_extract_minus_sign() else (u, False)


def _flipped(u, sgn):
    """The sign of the canonical form of ``u`` when ``u`` has sign ``sgn``."""
    return {"+": "-", "-": "+", "0": "0"}[sgn] if _canonical(u)[1] else sgn


def _kink_free(e) -> bool:
    return not e.has(*_KINKED, sp.Piecewise)


def _next_split(e):
    r"""An innermost kink of ``e`` and how it reads on each sign of its argument: ``(u, {sign: (old,
    new)})`` where ``old`` is replaced by ``new`` on the set where :math:`\operatorname{sign}(u)` is that sign;
    None when ``e`` has a kink this split does not read."""
    for k in sorted(e.atoms(*_KINKED, sp.Piecewise), key=sp.default_sort_key):
        if isinstance(k, sp.Piecewise):
            rels = [r for _, c in k.args for r in sp.sympify(c).atoms(sp.core.relational.Relational)
                    if _kink_free(r)]
            if not rels:
                continue
            r = sorted(rels, key=sp.default_sort_key)[0]
            if not isinstance(r, (sp.Eq, sp.Ne, sp.Lt, sp.Le, sp.Gt, sp.Ge)):
                return None
            u, flip = _canonical(r.lhs - r.rhs)
            if u.is_number or not u.is_real:
                return None
            out = {}
            for sgn, val in _SIGNS.items():
                truth = r.func(-val if flip else val, 0)
                out[sgn] = (r, truth)
            return u, out
        if not all(_kink_free(a) for a in k.args):
            continue
        if isinstance(k, (sp.Max, sp.Min)):
            a, b, *rest = k.args
            u, flip = _canonical(a - b)
            big, small = (b, a) if flip else (a, b)       # big - small = u
            keep = {"+": big, "0": big, "-": small} if isinstance(k, sp.Max) else {"+": small, "0": small, "-": big}
            return u, {sgn: (k, k.func(v, *rest)) for sgn, v in keep.items()}
        (x, *more) = k.args
        if more and not isinstance(k, sp.Heaviside):
            return None
        u, flip = _canonical(x)
        if u.is_number or not u.is_real:
            return None
        out = {}
        for sgn, val in _SIGNS.items():
            v = -val if flip else val           # the sign of x itself
            if isinstance(k, sp.Abs):
                new = x if v >= 0 else -x      # |0| = 0 = x
            elif isinstance(k, sp.sign):
                new = v
            else:
                new = k.func(v, *more)         # Heaviside's value at 0 as the expression states it
            out[sgn] = (k, new)
        return u, out
    return None


def _on_surface(e, conditions):
    """``e`` on the surface the equalities among ``conditions`` define: each solved for a symbol it holds
    once, with a rational coefficient (:math:`b + w x = 0` as :math:`b = -w x`), so the substitution is
    the surface exactly; None when one does not solve so."""
    eqs = [u for u, sgn in conditions if sgn == "0"]
    if not eqs:
        return None
    while eqs:
        u = sp.expand(eqs.pop())
        if u == 0:
            continue
        for x in sorted(u.free_symbols, key=sp.default_sort_key):
            c = u.coeff(x, 1)
            if c.is_Rational and c != 0 and not (u - c * x).has(x):
                value = -(u - c * x) / c
                e = e.xreplace({x: value})
                eqs = [sp.expand(v.xreplace({x: value})) for v in eqs]
                break
        else:
            return None
    return e


def _zero_by_cases(d, depth, within=()) -> bool | None:
    r"""``d`` is 0 on every case of a split on the signs (:math:`>0`, :math:`=0`, :math:`<0`) of its
    kinks' arguments: :math:`|x|`, :math:`\operatorname{sign} x`, the step, :math:`\max(a, b)` and
    :math:`\min(a, b)` by the sign of :math:`a - b`, a piecewise function by the relations of its
    conditions, innermost first (``|e| <= \delta`` is split on e, then on :math:`\pm e - \delta`).  A case
    holds with no kink left when its expression is 0, or 0 on the surface its equalities define, or when
    its conditions have no point (:func:`nnderive.mathematics.feasibility.empty`).  The cases cover every
    point the assumptions and ``within`` (sign conditions known to hold: a declared interval) allow, so
    this is a proof there; anything unread is None."""
    todo, leaves = [(d, [(_canonical(u)[0], _flipped(u, sgn)) for u, sgn in within])], 0
    while todo:
        e, conditions = todo.pop()
        step = _next_split(e) if not _kink_free(e) else None
        if step is None:
            if not _kink_free(e):
                return None
            leaves += 1
            if leaves > _MAX_CASES:
                return None
            if is_zero(e, depth + 1) or empty(conditions):
                continue
            on = _on_surface(e, conditions)
            if on is not None and is_zero(on, depth + 1):
                continue
            return None
        u, reading = step
        known = [sgn for v, sgn in conditions if v == u]
        for sgn in known[:1] or _signs_allowed(u):      # a sign this case already fixed is not split again
            old, new = reading[sgn]
            todo.append((e.xreplace({old: new}), conditions + [(u, sgn)]))
    return True


#: the symbol assumptions :func:`_surely_nonzero` samples within; a symbol with any other is not sampled
_SAMPLED = {"real", "positive", "nonnegative", "negative", "nonpositive", "nonzero", "integer", "commutative",
            "finite", "infinite", "extended_real", "complex", "extended_positive", "extended_nonnegative",
            "extended_negative", "extended_nonpositive", "extended_nonzero", "rational", "irrational", "imaginary",
            "hermitian", "antihermitian", "algebraic", "transcendental", "zero", "noninteger", "composite", "prime",
            "even", "odd"}
_POINTS = (sp.Rational(7, 5), sp.Rational(5, 7), sp.Rational(13, 6))


def _value_for(s, k: int):
    """A value for ``s`` that its assumptions allow (None: not sure what they allow)."""
    a = s.assumptions0
    if a.get("integer") and not any(a.get(x) for x in ("even", "odd", "prime", "composite", "zero")):
        v = sp.Integer(2 + k)
    elif a.get("zero") or a.get("imaginary") or a.get("infinite") or a.get("irrational") or a.get("transcendental") \
            or a.get("noninteger") or any(a.get(x) for x in ("even", "odd", "prime", "composite")):
        return None
    else:
        v = _POINTS[k % len(_POINTS)]
    if a.get("negative") or a.get("extended_negative") or a.get("nonpositive") and not a.get("nonnegative"):
        v = -v
    elif k % 2 and not any(a.get(w) for w in ("positive", "nonnegative", "extended_positive",
                                             "extended_nonnegative", "integer")):
        v = -v                           # a sign-free symbol is tried on both sides of 0
    return v


def _surely_nonzero(d) -> bool:
    r"""True when ``d`` is certainly not identically 0: it has a nonzero real value at a point its
    symbols' assumptions allow (then no simplification can reach 0, and the costly ones are skipped).
    Exact rationals in, 30 significant digits out; anything unsure (an unknown function, a sum, a tiny or
    non-real value) is False, and the zero test goes on."""
    if d.has(sp.Sum, sp.Product, sp.Integral, sp.Derivative, sp.Subs, sp.Piecewise, sp.MatrixExpr, sp.Indexed,
             sp.KroneckerDelta) or d.atoms(sp.core.function.AppliedUndef):
        return False
    syms = sorted(d.free_symbols, key=sp.default_sort_key)
    if any(not isinstance(s, sp.Symbol) or set(s.assumptions0) - _SAMPLED for s in syms):
        return False
    for k in range(2):
        point = {s: _value_for(s, k + i) for i, s in enumerate(syms)}
        if any(v is None for v in point.values()):
            return False
        try:
            v = d.evalf(30, subs=point)    # floats inside: no exact power of a huge exponent
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            continue
        if v.is_Float and v.is_finite and abs(v) > 1e-6:
            return True
    return False


def is_zero(d, _depth=0, within=()) -> bool | None:
    r"""True if ``d`` is identically 0 (exact reasoning), else None (unknown).

    Kinked functions (|x|, max, min, sign, the step) are split into cases: ``relu(x) + relu(-x) - |x|``
    is 0 on each piece although no simplification sees it whole.  ``within``: sign conditions
    ``(u, "+" | "0" | "-")`` that hold wherever ``d`` is asked about (a declared :math:`\beta \in (0, 1)`
    as ``(beta, "+"), (beta - 1, "-")``); the case split uses them, so 0 then means 0 there."""
    d = elementary(_limits_over_one_fraction(sp.sympify(d)).doit())
    if d.has(sp.erfc):             # erfc = 1 - erf: one function left, so erf(u) + erfc(u) - 1 cancels
        d = d.replace(sp.erfc, lambda u: 1 - sp.erf(u))
    if d == 0:
        return True
    kinked = d
    if _depth < 3 and d.has(*_KINKED) and not d.has(sp.Sum, sp.MatrixExpr):
        pw = d.rewrite(sp.Piecewise)
        if pw.has(sp.Piecewise) and not pw.has(*_KINKED):
            d = pw
    if d.has(sp.Piecewise) and _depth < 3:
        d = sp.piecewise_fold(d)
        if isinstance(d, sp.Piecewise):
            if _zero_on_each_piece(d, _depth):
                return True
            if kinked.has(sp.Sum, sp.MatrixExpr, sp.Derivative, sp.Integral):
                return None
            return _zero_by_cases(kinked, _depth, within)
    try:
        if sp.expand(d) == 0:
            return True
        r = exp_to_symbols(d)
        if r is not None and not r.has(sp.log, sp.Sum, sp.Derivative):
            if sp.cancel(sp.together(r)) == 0:
                return True
        if d.has(*_HYPERBOLIC):
            # sinh = (e^x - e^-x)/2, ...: identities, so a zero of the rewrite is a zero of d (erfc: above)
            h = d.rewrite(sp.exp)
            r = exp_to_symbols(h)
            if r is not None and not r.has(sp.log, sp.Sum, sp.Derivative, *_HYPERBOLIC):
                if sp.cancel(sp.together(r)) == 0:
                    return True
        if _surely_nonzero(d):
            return None
        if sp.simplify(d) == 0:
            return True
        if d.has(sp.log) and sp.simplify(sp.expand_log(d, force=True)) == 0:
            return True
        if d.has(sp.log) and sp.simplify(sp.logcombine(d)) == 0:
            # log a - log b = log(a/b) only where SymPy knows a, b > 0 (no force): a max-shifted log-sum-exp
            return True
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return None
    return None
