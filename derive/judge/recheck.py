r"""The independent re-check of every proved and refuted verdict, before it is reported.

The proof path substitutes definitions, differentiates with ``sympy.diff`` and decides with
``simplify``.  The re-check does none of that: it evaluates the relation *as it was read*
with :mod:`.numeval` (numeric derivatives in 50-digit arithmetic, definitions by value) at
random rational inputs and explicit sizes chosen by a generator of its own, with the
``given`` facts imposed on the inputs.

* a **proved** relation must hold at every point tried;
* a **refuted** relation must fail at the counterexample's own exact inputs, which must
  satisfy the ``given`` facts;

Disagreement is never a verdict: :class:`Inconsistent` carries both results, and the
claim becomes an error naming them.  A relation the evaluator cannot compute leaves the
verdict unconfirmed (:class:`~.numeval.NotEvaluable`), and the claim undecided.
"""
from __future__ import annotations

import functools
import itertools

import random

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.arrays import is_array
from .numeval import DPS, NotEvaluable, Singular, evaluate
from .rays import along_ray

__all__ = ["Inconsistent", "NotEvaluable", "recheck_equal", "recheck_differs", "recheck_bound", "recheck_order",
           "Sampler"]

#: relative size of a difference that counts as 0 (the evaluator carries 50 digits)
TOLERANCE = mpmath.mpf(10) ** -15
#: points tried at each explicit size
POINTS = 3


class Inconsistent(Exception):
    """The proof path and the independent evaluation disagree."""


def _atoms(exprs, defs):
    """Free scalar symbols and matrix symbols the relation depends on, definitions followed."""
    seen, out_s, out_m = set(), set(), set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if not isinstance(e, sp.Basic) or e in seen:
            continue
        seen.add(e)
        if isinstance(e, sp.MatrixSymbol):
            if e in defs:
                stack.append(defs[e])
            out_m.add(e)
            continue
        if isinstance(e, sp.Symbol):
            if e in defs:
                stack.append(defs[e])
            out_s.add(e)
            continue
        if isinstance(e, (sp.Sum, sp.Product)):
            bound = {lim[0] for lim in e.limits}
            stack.extend(a for a in e.args)
            seen |= bound
            continue
        if isinstance(e, sp.Lambda):
            # a vector given entry by entry (FunctionMatrix): its body's symbols, not its variables
            seen |= set(e.variables)
            stack.append(e.expr)
            continue
        stack.extend(e.args)
    # sorted: the sampler draws in this order, and a set's order changes with the interpreter's hash seed
    return sorted(out_s, key=str), sorted(out_m, key=str)


class Sampler:
    """Inputs for one claim: explicit sizes, index values and exact rationals in the declared domains."""

    def __init__(self, scope, seed):
        self.scope = scope
        self.rng = random.Random(seed)
        self.decl_of = {d.obj: d for d in scope.symbols.values()}
        self.by_name = {getattr(d.obj, "name", None): d for d in scope.symbols.values()}

    def sizes(self):
        dims = self.scope.size_symbols()
        if not dims:
            return [{}]
        if self.scope.distinct_sizes(dims, 2):
            # all different both ways, and all equal (where a product in another order would fit too)
            return [self.scope.distinct_sizes(dims, 2), self.scope.distinct_sizes(dims, 2, reverse=True),
                    {d: sp.Integer(2) for d in dims}]
        # two assignments, rectangular where there are several sizes
        return [{d: sp.Integer(2 + (k % 2)) for k, d in enumerate(dims)},
                {d: sp.Integer(3 - (k % 2)) for k, d in enumerate(dims)}]

    def scalar(self, s):
        d = self.decl_of.get(s)
        if s.is_integer:
            lo = 1 if s.is_positive else (0 if s.is_nonnegative else -3)
            if d is not None and d.kind == "index":
                return None          # set by the caller within its range
            return sp.Integer(lo + self.rng.randrange(4))
        lo, hi, olo, ohi = d.interval if d is not None else self._interval(s)
        lo, hi = sp.Rational(lo), sp.Rational(hi)
        u = sp.Rational(self.rng.randrange(1, 97), 97)      # strictly inside (0, 1)
        return lo + (hi - lo) * u

    def _interval(self, s):
        if s.is_positive:
            return (0, 4, True, False)
        if s.is_nonnegative:
            return (0, 4, False, False)
        if s.is_negative:
            return (-4, 0, False, True)
        return (-3, 3, False, False)

    def matrix(self, m):
        d = self.decl_of.get(m) or self.by_name.get(m.name)   # at an explicit size the shape differs
        r, c = int(m.shape[0]), int(m.shape[1])
        domain = (d.domain.split() if d is not None else [])
        lo, hi = (d.interval[0], d.interval[1]) if d is not None else (-3, 3)
        vals = [[lo + (hi - lo) * sp.Rational(self.rng.randrange(1, 97), 97) for _ in range(c)] for _ in range(r)]
        mat = mpmath.matrix([[mpmath.mpf(int(v.p)) / int(v.q) for v in row] for row in vals])
        if "symmetric" in domain or "definite" in domain:
            mat = (mat + mat.T) / 2
        if "definite" in domain:
            mat = mat * mat.T + mpmath.eye(r)
        if "simplex" in domain:
            total = sum(abs(mat[i, j]) for i in range(r) for j in range(c)) + 1
            for i in range(r):
                for j in range(c):
                    mat[i, j] = (abs(mat[i, j]) + mpmath.mpf(1) / (2 * r * c)) / total
            s_ = sum(mat[i, j] for i in range(r) for j in range(c))
            mat = mat / s_
        if "invertible" in domain:
            mat = mat + (r + 1) * mpmath.eye(r)
        return mat


def _explicit(e, sizes):
    return e.xreplace(sizes) if isinstance(e, sp.Basic) else e


def _close(a, b):
    with mpmath.workdps(DPS):
        if isinstance(a, mpmath.matrix) or isinstance(b, mpmath.matrix):
            if not (isinstance(a, mpmath.matrix) and isinstance(b, mpmath.matrix)):
                a, b = (a if isinstance(a, mpmath.matrix) else mpmath.matrix([[a]]),
                        b if isinstance(b, mpmath.matrix) else mpmath.matrix([[b]]))
            if (a.rows, a.cols) != (b.rows, b.cols):
                return False
            return all(_close(a[i, j], b[i, j]) for i in range(a.rows) for j in range(a.cols))
        if mpmath.isinf(a) or mpmath.isinf(b):       # a divergent limit: the same infinity, or not close
            return a == b
        scale = max(abs(a), abs(b), mpmath.mpf(1))
        return abs(a - b) <= TOLERANCE * scale


def _givens_hold(given, env, defs):
    for g in given:
        v = evaluate(g, env, defs)
        zero = mpmath.matrix(v.rows, v.cols) if isinstance(v, mpmath.matrix) else mpmath.mpf(0)
        if not _close(v, zero):
            return False
    return True


@functools.lru_cache(maxsize=256)
def _solutions(eq, target) -> tuple:
    """``sp.solve(eq, target)``, once per equation: every sample point imposes the same solved form."""
    try:
        return tuple(sp.solve(eq, target))
    except (NotImplementedError, ValueError, TypeError):
        return ()


def _impose_givens(given, env, defs, sizes, scope):
    """Solve each given fact for one of its free inputs (at explicit size), in order; an input already
    fixed by an earlier fact is solved for only if no other can be (a vector equation fixes one entry per row)."""
    imposed = set()
    for g in given:
        g = _explicit(g, sizes)
        eqs = []
        if is_array(g):
            eqs = [g[i, j] for i in range(int(g.shape[0])) for j in range(int(g.shape[1]))]
        else:
            eqs = [g]
        if len(eqs) > 1 and _impose_linear_system(eqs, env, defs, imposed):
            continue
        for eq in eqs:
            eq = sp.sympify(eq).doit() if not isinstance(eq, sp.Derivative) else eq
            free = [a for a in eq.atoms(sp.Symbol, MatrixElement) if a not in defs]
            if not free:
                continue
            ranked = sorted(free, key=lambda a: (a not in imposed, sp.default_sort_key(a)), reverse=True)
            target, sol = next(((t, _solutions(eq, t)) for t in ranked if _solutions(eq, t)), (None, ()))
            if not sol:
                raise NotEvaluable(f"the given fact {g} = 0 could not be imposed on the inputs")
            imposed.add(target)
            others = {a: env[a] for a in eq.atoms(sp.Symbol) if a in env and a != target}
            for me in eq.atoms(MatrixElement):
                if me != target and me.parent in env:
                    others[me] = env[me.parent][int(me.i), int(me.j)]
            value = evaluate(sol[0], others, defs)
            if isinstance(target, MatrixElement):
                env[target.parent][int(target.i), int(target.j)] = value
            else:
                env[target] = value


def _value_of(a, env):
    if isinstance(a, MatrixElement):
        return env[a.parent][int(a.i), int(a.j)] if a.parent in env else None
    return env.get(a)


def _impose_linear_system(eqs, env, defs, imposed) -> bool:
    """The entries of a vector equation (``X^T(Xw - y) = 0``) imposed together: the entries of one input the
    system is linear in are solved for at once, the other inputs at their sampled values (one entry at a time,
    each solution breaks the entries solved before).  False where this does not apply."""
    eqs = [sp.sympify(e).doit() for e in eqs]
    atoms = set().union(*(e.atoms(sp.Symbol, MatrixElement) for e in eqs))
    if atoms & set(defs) or any(e.atoms(sp.Function, sp.Derivative) for e in eqs):
        return False
    groups = {}
    for x in atoms:
        groups.setdefault(x.parent if isinstance(x, MatrixElement) else x, []).append(x)
    ranked = sorted(groups, key=lambda g: (not set(groups[g]) & imposed, sp.default_sort_key(g)), reverse=True)
    values = {x: _value_of(x, env) for x in atoms}
    if any(v is None for v in values.values()):
        return False
    exact = {x: sp.Rational(mpmath.nstr(v, DPS + 10)) for x, v in values.items()}   # solve recasts floats at 15 digits
    for g in ranked:
        xs = groups[g]
        if any(sp.diff(e, u, w) != 0 for e in eqs for u in xs for w in xs):
            continue                 # not linear in this input's entries
        system = [e.xreplace({x: v for x, v in exact.items() if x not in xs}) for e in eqs]
        try:
            sol = sp.solve(system, xs, dict=True)
        except (NotImplementedError, ValueError, TypeError):
            continue
        if len(sol) != 1:
            continue
        rest = {x: exact[x] for x in xs if x not in sol[0]}     # a rank-deficient system: the rest stay sampled
        for x in xs:
            v = mpmath.mpf(str(sp.N(sp.sympify(sol[0].get(x, x)).xreplace(rest), DPS)))
            if isinstance(x, MatrixElement):
                env[x.parent][int(x.i), int(x.j)] = v
            else:
                env[x] = v
            imposed.add(x)
        return True
    return False


def _environments(exprs, defs, given, scope, seed, sizes_list=None):
    """Random inputs at each explicit size, the given facts imposed: yields (sizes, env, explicit defs)."""
    sampler = Sampler(scope, seed)
    all_sizes = sizes_list or sampler.sizes()
    points = POINTS if len(all_sizes) <= 2 else 2
    for sizes in all_sizes:
        ex_defs = {_explicit(k, sizes): _explicit(v, sizes) for k, v in defs.items()}
        ex = [_explicit(e, sizes) for e in exprs]
        ex_given = [_explicit(g, sizes) for g in given]
        scalars, mats = _atoms(ex + ex_given, ex_defs)
        for _ in range(points):
            for _attempt in range(20):
                env = {}
                for s in scalars:
                    if s in ex_defs:
                        continue
                    v = sampler.scalar(s)
                    if v is None:
                        d = sampler.decl_of.get(s)
                        hi = int(_explicit(d.dims[0], sizes)) if d is not None and d.dims else 2
                        v = sp.Integer(sampler.rng.randrange(1, hi + 1))
                    env[s] = mpmath.mpf(int(v.p)) / int(v.q) if isinstance(v, sp.Rational) else v
                if _apart(env, scope):
                    break
            else:
                raise NotEvaluable("no index values apart as a given a != b asks were drawn")
            for m in mats:
                if m in ex_defs:
                    continue
                if not all(d.is_Integer for d in m.shape):
                    raise NotEvaluable(f"the size of {m} is not explicit")
                env[m] = sampler.matrix(m)
            with mpmath.workdps(DPS):
                _impose_givens(ex_given, env, ex_defs, sizes, scope)
                if not _givens_hold(ex_given, env, ex_defs):
                    raise NotEvaluable("the given facts could not be imposed on the inputs")
            yield sizes, env, ex_defs, ex


def _apart(env, scope) -> bool:
    """The drawn index values keep every pair of a given ``a \\ne b`` apart (a pair not drawn: True)."""
    return all(not (a in env and b in env and env[a] == env[b]) for a, b in getattr(scope, "distinct", ()))


def recheck_equal(lhs, rhs, defs, given, scope, seed, sizes=None) -> int:
    """A proved ``lhs = rhs``: it must hold at every point; returns the number of points checked.

    ``sizes``: the explicit sizes a claim asks for (each declared size letter takes them in turn)."""
    n = 0
    dims = scope.size_symbols()
    sizes_list = [scope.distinct_sizes(dims, s) or {d: sp.Integer(s + (k % 2 if len(dims) > 1 else 0))
                                                    for k, d in enumerate(dims)}
                  for s in sizes] if sizes and dims else None
    singular = None
    for sizes_, env, ex_defs, (l, r) in _environments([lhs, rhs], defs, given, scope, seed, sizes_list):
        sizes = sizes_
        with mpmath.workdps(DPS):
            try:
                a, b = _side(l, env, ex_defs), _side(r, env, ex_defs)
            except Singular as exc:
                # a side inverts a singular matrix here (X^T X at n < d is singular for every X): the claim
                # says nothing at this point; the points where it is defined must still be found
                singular = exc
                continue
            if not _close(a, b):
                raise Inconsistent(f"the proof says the sides are equal, but at {_where(sizes, env)} the "
                                   f"independent evaluation gives {_num(a)} and {_num(b)}")
        n += 1
    if n == 0 and singular is not None:
        raise singular
    return n


def _side(e, env, defs):
    """A side's value; a side that is \\infty itself (as written) is mpmath's infinity."""
    if e in (sp.oo, -sp.oo):
        return mpmath.inf if e == sp.oo else -mpmath.inf
    return evaluate(e, env, defs)


def _exact(v):
    """An input of the counterexample: a rational, or an exact real number a given fact fixed (y = log 2)."""
    v = sp.sympify(v)
    if v.is_Rational:
        return v
    if not (v.is_number and v.is_real and v.is_finite):
        raise TypeError(f"the counterexample's input {v} is not an exact real number")
    return v


def recheck_differs(lhs, rhs, defs, given, scope, point, entry=None, signs=()) -> None:
    """A refuted ``lhs = rhs``: the counterexample's exact inputs must make the sides differ (and satisfy the
    given facts, and the given signs ``(u, positive, strict, indices)`` for every value of their indices)."""
    point = dict(point or {})
    # a size letter is a size wherever it stands (also a sum's bound n that no declaration makes an integer)
    sizes = {k: v for k, v in point.items() if isinstance(k, sp.Symbol) and sp.sympify(v).is_Integer
             and (k.is_integer or k.is_integer is None) and sp.sympify(v) > 0
             and k in scope.size_symbols()}
    ex_defs = {_explicit(k, sizes): _explicit(v, sizes) for k, v in defs.items()}
    l, r = _explicit(lhs, sizes), _explicit(rhs, sizes)
    env = {}
    for k, v in point.items():
        try:
            _exact(v)
        except (TypeError, ValueError, sp.SympifyError):
            raise NotEvaluable(f"the counterexample gives {k} the value {v}, not a number")
        if k in sizes or isinstance(k, sp.MatrixSymbol):
            continue      # (a whole array at a number: a symbol the proof path sampled, its entries are named)
        if isinstance(k, MatrixElement):
            m = k.parent
            if m not in env:
                # the entries the counterexample does not name: drawn as any other unnamed input (zeros could
                # leave the evaluation undefined, 1/x at an x the difference does not involve)
                env[m] = Sampler(scope, 7).matrix(m)
            with mpmath.workdps(DPS):       # (at the working precision: -4/7 at 53 bits breaks a given fact)
                env[m][int(k.i), int(k.j)] = mpmath.mpf(int(sp.Rational(v).p)) / int(sp.Rational(v).q)
        else:
            env[k] = _exact(v)
    # inputs the counterexample does not name do not change the difference: any value will do (a given sign
    # may rule some out: other draws are tried for them, the named inputs kept)
    named = env
    scalars, mats = _atoms([l, r] + [_explicit(u, sizes) for u, *_ in signs], ex_defs)
    for attempt in range(20 if signs else 1):
        sampler = Sampler(scope, 7 + attempt)
        env = dict(named)
        for s_ in scalars:
            if s_ not in env and s_ not in ex_defs:
                v = sampler.scalar(s_)
                env[s_] = v if v is not None else sp.Integer(1)
        for m in mats:
            if m not in env and m not in ex_defs and all(d.is_Integer for d in m.shape):
                env[m] = sampler.matrix(m)
        with mpmath.workdps(DPS):
            env = {k: (mpmath.mpf(int(v.p)) / int(v.q) if isinstance(v, sp.Rational) else
                       mpmath.mpf(str(sp.N(v, DPS + 10))) if isinstance(v, sp.Expr) else v) for k, v in env.items()}
            ex_given = [_explicit(g, sizes) for g in given]
            if not _givens_hold(ex_given, env, ex_defs):
                if signs and attempt < 19:
                    continue
                raise Inconsistent("the counterexample does not satisfy the given facts")
            try:
                _signs_hold(signs, env, ex_defs, sizes, scope)
            except NotEvaluable:
                if attempt < 19:
                    continue
                raise
            break
    with mpmath.workdps(DPS):
        a, b = _side(l, env, ex_defs), _side(r, env, ex_defs)
        if entry is not None and isinstance(a, mpmath.matrix) and isinstance(b, mpmath.matrix):
            a, b = a[entry[0], entry[1]], b[entry[0], entry[1]]
        if _close(a, b):
            raise Inconsistent(f"the counterexample does not separate the sides: the independent evaluation "
                               f"gives {_num(a)} for both")


def _signs_hold(signs, env, defs, sizes, scope):
    """Each given sign at the counterexample, every index value tried; a point outside them is no counterexample
    of the claim as stated (NotEvaluable: no verdict)."""
    for u, positive, strict, indices in signs:
        ranges = []
        for idx in indices:
            d = next((d for d in scope.symbols.values() if d.obj == idx and d.kind == "index"), None)
            hi = _explicit(d.dims[0], sizes) if d is not None else None
            if hi is None or not getattr(hi, "is_Integer", False):
                raise NotEvaluable(f"the range of {idx} at the counterexample is not explicit")
            ranges.append(range(1, int(hi) + 1))
        for values in itertools.product(*ranges):
            v = evaluate(_explicit(u, sizes).xreplace(dict(zip(indices, map(sp.Integer, values)))), env, defs)
            ok = (v > 0 if strict else v >= 0) if positive else (v < 0 if strict else v <= 0)
            if not ok:
                raise NotEvaluable("the counterexample does not satisfy the given sign of "
                                   f"{u} at {dict(zip(indices, values))}")


def recheck_bound(lhs, rel, rhs, defs, scope, seed, point=None) -> int:
    """A proved bound must hold at every point tried; a refuted one must fail at its point."""
    ops = {"<=": lambda a, b: a <= b + TOLERANCE * max(1, abs(b)), "<": lambda a, b: a < b + TOLERANCE,
           ">=": lambda a, b: a + TOLERANCE * max(1, abs(b)) >= b, ">": lambda a, b: a + TOLERANCE > b}
    if point is not None:
        with mpmath.workdps(DPS):
            env = {k: mpmath.mpf(int(sp.Rational(v).p)) / int(sp.Rational(v).q) for k, v in point.items()}
            a, b = evaluate(lhs, env, defs), evaluate(rhs, env, defs)
            if ops[rel](a, b) and not _close(a, b):
                raise Inconsistent(f"the bound is said to fail, but at its point the sides are {_num(a)} and {_num(b)}")
        return 1
    n = 0
    sampler = Sampler(scope, seed)
    scalars, _ = _atoms([lhs, rhs], defs)
    for _ in range(12):
        env = {s: sampler.scalar(s) for s in scalars if s not in defs}
        with mpmath.workdps(DPS):
            env = {k: mpmath.mpf(int(v.p)) / int(v.q) for k, v in env.items()}
            a, b = evaluate(lhs, env, defs), evaluate(rhs, env, defs)
            if not ops[rel](a, b):
                raise Inconsistent(f"the bound is proved, but at {_where({}, env)} the sides are {_num(a)} and {_num(b)}")
        n += 1
    return n


def recheck_order(value, eps, k, defs, scope, seed, holds) -> str:
    """``value = O(eps^k)`` checked from two small values of eps: the observed order of the value.  For
    ``O(||v||^k)`` of a small vector v (``eps`` the scale of the ray v = eps u), the value along the ray at the
    first explicit size, every other input drawn at random."""
    sampler = Sampler(scope, seed)
    if eps in scope.rays:
        value = along_ray(value, eps, scope.rays[eps])
        sizes, env, defs, (value,) = next(_environments([value], defs, [], scope, seed, sampler.sizes()[:1]))
    else:
        env = {}
    scalars, _ = _atoms([value], defs)
    with mpmath.workdps(DPS):
        for s_ in scalars:
            if s_ != eps and s_ not in defs and s_ not in env:
                v = sampler.scalar(s_)
                env[s_] = mpmath.mpf(int(v.p)) / int(v.q)
        vals = []
        for h in (mpmath.mpf(10) ** -6, mpmath.mpf(10) ** -8):
            env[eps] = h
            vals.append(abs(evaluate(value, env, defs)))
        if vals[0] == 0 and vals[1] == 0:
            observed = mpmath.inf
        elif vals[1] == 0 or vals[0] == 0:
            raise NotEvaluable("the value vanishes at one sample only")
        else:
            observed = mpmath.log(vals[0] / vals[1]) / mpmath.log(100)
    if (observed >= k - mpmath.mpf("0.25")) != holds:
        raise Inconsistent(f"the series says the order is {'at least' if holds else 'below'} {k}, but the values "
                           f"at eps = 1e-6 and 1e-8 show order {mpmath.nstr(observed, 4)}")
    return f"the observed order at eps = 1e-6, 1e-8 is {mpmath.nstr(observed, 4)}"


def _num(v):
    if isinstance(v, mpmath.matrix):
        return "[" + ", ".join(mpmath.nstr(v[i, j], 12) for i in range(v.rows) for j in range(v.cols)) + "]"
    return mpmath.nstr(v, 12)


def _where(sizes, env):
    parts = [f"{k} = {v}" for k, v in sizes.items()]
    for k, v in list(env.items())[:6]:
        parts.append(f"{k} = {_num(v)}")
    return ", ".join(parts)
