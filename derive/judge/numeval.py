r"""An evaluator independent of the proof path: SymPy trees to numbers with mpmath.

The proofs differentiate with ``sympy.diff`` and decide with ``simplify``; this module
does neither.  It walks the claim's tree as read and computes a number at exact
rational inputs, in 50-digit arithmetic: derivatives are taken numerically
(:func:`mpmath.diff`, high-precision finite differences of the evaluated function),
sums are loops, matrices are :class:`mpmath.matrix` objects, definitions are
evaluated by value (a symbol being differentiated is held at the perturbed value),
and arbitrary functions become fixed smooth functions unlike the polynomials the
counterexample search uses.  Every proved and refuted verdict is re-checked with it.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> float(evaluate(sp.Derivative(x**3, x), {x: sp.Rational(1, 2)}))
0.75
"""
from __future__ import annotations

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.spectral import SpectralRadius
from ..mathematics.arrays import ArgMax, GenericArgPartial, GenericPartial, Norm, SoftmaxVec, VecMax, VecMin, is_array
from ..mathematics.primitives import LeakyReLU, ReLU, Sigmoid, Softplus, Step

__all__ = ["evaluate", "NotEvaluable", "Singular", "DPS"]

DPS = 50


#: functions without a kink on their domain (poles and domain ends give errors, never a value)
_SMOOTH = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.erf, Sigmoid, Softplus)


class NotEvaluable(Exception):
    """The tree holds something this evaluator does not compute (the verdict then stays unconfirmed)."""


class Singular(NotEvaluable):
    """An inverse of a singular matrix at this point: the expression is undefined there (no value to compare)."""


def _mp(v):
    return mpmath.mpf(int(v.p)) / int(v.q) if isinstance(v, sp.Rational) else mpmath.mpf(str(v))


def _generic(name, args):
    """A fixed smooth stand-in for an arbitrary function (different for each name and arity)."""
    seed = sum(ord(c) for c in str(name)) % 7 + 1
    out = mpmath.mpf(seed) / 5
    for k, a in enumerate(args):
        c = mpmath.mpf(k + seed) / 3
        out += c * a + mpmath.sin(a * (k + 1)) / (k + 2) + a ** 2 / (seed + k + 3)
    if len(args) > 1:
        out += args[0] * args[-1] / 4
    return out


_FUNCTIONS = {
    sp.exp: mpmath.exp, sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan, sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh, sp.tanh: mpmath.tanh, sp.erf: mpmath.erf, sp.erfc: mpmath.erfc, sp.Abs: abs,
    sp.sign: mpmath.sign, sp.atan: mpmath.atan, sp.asin: mpmath.asin, sp.acos: mpmath.acos,
}


class _Eval:
    def __init__(self, env, defs):
        self.env = dict(env)
        self.defs = defs or {}
        self.depth = 0
        # evaluated arrays are cached; the key holds a stamp of every input they depend on, so a changed
        # input (a summation index, a perturbed entry) invalidates exactly the arrays that read it
        self.stamp = {}
        self.clock = 0
        self.cache = {}
        self._deps = {}

    def _bump(self, k):
        self.clock += 1
        self.stamp[k] = self.clock
        if isinstance(k, MatrixElement):
            self.stamp[k.parent] = self.clock

    def _set(self, k, v):
        self.env[k] = v
        self._bump(k)

    def _pop(self, k):
        self.env.pop(k, None)
        self._bump(k)

    def _restore(self, saved):
        for k in set(self.env) | set(saved):
            if self.env.get(k) is not saved.get(k):
                self._bump(k)
        self.env = saved

    def _depends(self, m):
        """Every atom the value of ``m`` reads: itself and the free symbols of its definition, transitively."""
        if m not in self._deps:
            self._deps[m] = ()          # a cyclic definition reads no further
            out, todo = {m}, [m]
            while todo:
                s = todo.pop()
                if s in self.defs:
                    for f in self.defs[s].free_symbols:
                        if f not in out:
                            out.add(f)
                            todo.append(f)
            self._deps[m] = tuple(sorted(out, key=str))
        return self._deps[m]

    # ------------------------------------------------------------------ dispatch
    def __call__(self, e):
        self.depth += 1
        if self.depth > 400:
            raise NotEvaluable("too deep")
        try:
            return self._eval(e)
        finally:
            self.depth -= 1

    def _eval(self, e):
        if isinstance(e, (int,)):
            return mpmath.mpf(e)
        if isinstance(e, sp.MatrixSymbol):
            return self._matrix_symbol(e)     # entries held at perturbed values override the array
        if e in self.env:
            return self.env[e]
        if isinstance(e, sp.Rational):
            return _mp(e)
        if isinstance(e, sp.Float):
            return mpmath.mpf(str(e))
        if e is sp.pi:
            return +mpmath.pi
        if e is sp.E:
            return mpmath.e
        if e in (sp.oo, -sp.oo, sp.zoo, sp.nan):
            raise NotEvaluable("infinity")
        if isinstance(e, sp.Symbol):
            if e in self.defs:
                return self(self.defs[e])
            raise NotEvaluable(f"no value for {e}")
        if isinstance(e, MatrixElement):
            parent = e.parent
            i, j = self._int(e.i), self._int(e.j)
            m = self(parent)
            if not (0 <= i < m.rows and 0 <= j < m.cols):
                return mpmath.mpf(0)
            return m[i, j]
        if isinstance(e, sp.MatrixSymbol):
            return self._matrix_symbol(e)
        if is_array(e):
            return self._array(e)
        if isinstance(e, sp.Add):
            return mpmath.fsum(self(a) for a in e.args)
        if isinstance(e, sp.Mul):
            out = mpmath.mpf(1)
            for a in e.args:
                out *= self(a)
            return out
        if isinstance(e, sp.Pow):
            b, x = self(e.base), self(e.exp)
            if b < 0 and x != int(x):
                raise NotEvaluable("a negative base to a fractional power")
            if b == 0 and x < 0:
                raise NotEvaluable("division by zero")
            return b ** x
        if isinstance(e, sp.log):
            args = [self(a) for a in e.args]
            if args[0] <= 0:
                raise NotEvaluable("log of a non-positive number")
            return mpmath.log(args[0]) if len(args) == 1 else mpmath.log(args[0], args[1])
        if isinstance(e, Sigmoid):
            return 1 / (1 + mpmath.exp(-self(e.args[0])))
        if isinstance(e, ReLU):
            x = self(e.args[0])
            return x if x > 0 else mpmath.mpf(0)
        if isinstance(e, Step):
            return mpmath.mpf(1) if self(e.args[0]) > 0 else mpmath.mpf(0)
        if isinstance(e, LeakyReLU):
            x, a = self(e.args[0]), self(e.args[1])
            return x if x > 0 else a * x
        if isinstance(e, Softplus):
            return mpmath.log(1 + mpmath.exp(self(e.args[0])))
        if type(e) in _FUNCTIONS:
            return _FUNCTIONS[type(e)](*[self(a) for a in e.args])
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [self(a) for a in e.args]
            return max(vals) if isinstance(e, sp.Max) else min(vals)
        if isinstance(e, sp.KroneckerDelta):
            return mpmath.mpf(1) if self._int(e.args[0]) == self._int(e.args[1]) else mpmath.mpf(0)
        if isinstance(e, sp.factorial):
            return mpmath.factorial(self(e.args[0]))
        if isinstance(e, sp.binomial):      # Gamma(n+1) / (Gamma(k+1) Gamma(n-k+1)), as SymPy's for integers
            return mpmath.binomial(self(e.args[0]), self(e.args[1]))
        if isinstance(e, sp.Piecewise):
            for value, cond in e.args:
                if self._truth(cond):
                    return self(value)
            raise NotEvaluable("no branch of a piecewise function applies")
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._sum(e)
        if isinstance(e, sp.Derivative):
            return self._derivative(e)
        if isinstance(e, sp.Subs):
            saved = dict(self.env)
            try:
                vals = [self(p) for p in e.point]
                for v, x in zip(e.variables, vals):
                    self._set(v, x)
                return self(e.expr)
            finally:
                self._restore(saved)
        if isinstance(e, sp.Limit):
            return self._limit(e)
        if isinstance(e, ArgMax):
            m = self(e.args[0])
            vals = [m[i, 0] if e.kind == "max" else -m[i, 0] for i in range(m.rows)]
            top = max(vals)
            best = [i + 1 for i, v in enumerate(vals) if abs(v - top) <= mpmath.mpf(10) ** (-DPS // 2) * (1 + abs(top))]
            if len(best) != 1:
                raise NotEvaluable("the largest entry is not unique at this point: the argmax is a set")
            return mpmath.mpf(best[0] - 1) + self(e.args[1])
        if isinstance(e, (VecMax, VecMin)):
            m = self(e.args[0])
            vals = [m[i, j] for i in range(m.rows) for j in range(m.cols)]
            return max(vals) if isinstance(e, VecMax) else min(vals)
        if isinstance(e, SpectralRadius):
            m = self(e.args[0])
            return max(abs(z) for z in mpmath.eig(m, left=False, right=False))
        if isinstance(e, Norm):
            m = self(e.args[0])
            return mpmath.sqrt(mpmath.fsum(m[i, j] ** 2 for i in range(m.rows) for j in range(m.cols)))
        if isinstance(e, sp.Determinant):
            return mpmath.det(self(e.arg))
        if isinstance(e, sp.Trace):
            m = self(e.arg)
            return mpmath.fsum(m[i, i] for i in range(m.rows))
        if isinstance(e, (GenericPartial, GenericArgPartial)):
            raise NotEvaluable("an opaque partial derivative at symbolic size")
        if isinstance(e, AppliedUndef):
            return _generic(e.func.__name__, [self(a) for a in e.args])
        if type(e).__name__ == "_GenericOfArray":
            name, *args = e.args
            flat = []
            for a in args:
                v = self(a)
                if isinstance(v, mpmath.matrix):
                    flat += [v[i, j] for i in range(v.rows) for j in range(v.cols)]
                else:
                    flat.append(v)
            return _generic(name.name, flat)
        if hasattr(e, "_eval_rewrite_as_elementary") and type(e).__name__.endswith("Variance"):
            return self._named_variance(e)
        raise NotEvaluable(f"{type(e).__name__} is not evaluated")

    # ------------------------------------------------------------------ pieces
    def _int(self, v):
        x = self(v) if not isinstance(v, int) else v
        r = int(mpmath.nint(x))
        if abs(x - r) > mpmath.mpf(10) ** -20:
            raise NotEvaluable("a non-integer index")
        return r

    def _truth(self, cond):
        if cond is sp.true or cond is True:
            return True
        if cond is sp.false or cond is False:
            return False
        if isinstance(cond, sp.And):
            return all(self._truth(c) for c in cond.args)
        if isinstance(cond, sp.Or):
            return any(self._truth(c) for c in cond.args)
        if isinstance(cond, sp.Not):
            return not self._truth(cond.args[0])
        ops = {sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
               sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
               sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b}
        for cls, fn in ops.items():
            if isinstance(cond, cls):
                return fn(self(cond.args[0]), self(cond.args[1]))
        raise NotEvaluable(f"the condition {cond}")

    def _sum(self, e):
        body, limits = e.function, list(e.limits)
        return self._loop(body, limits, isinstance(e, sp.Sum))

    def _loop(self, body, limits, is_sum):
        if not limits:
            return self(body)
        (k, lo, hi), rest = limits[0], limits[1:]
        lo_i, hi_i = self._int(lo), self._int(hi)
        if hi_i - lo_i > 10000:
            raise NotEvaluable("a sum too long to evaluate")
        saved = self.env.get(k, None)
        acc = mpmath.mpf(0) if is_sum else mpmath.mpf(1)
        try:
            for v in range(lo_i, hi_i + 1):
                self._set(k, mpmath.mpf(v))
                val = self._loop(body, rest, is_sum)
                acc = acc + val if is_sum else acc * val
        finally:
            if saved is None:
                self._pop(k)
            else:
                self._set(k, saved)
        return acc

    def _derivative(self, e):
        # numerically: d^n/dx^n of the evaluated function, one variable at a time
        (var, order), *rest = e.variable_count
        inner = sp.Derivative(e.expr, *rest) if rest else e.expr
        x0 = self(var)

        def at(t):
            saved = dict(self.env)
            try:
                self._set(var, t)
                return self(inner)
            finally:
                self._restore(saved)
        try:
            central = mpmath.diff(at, x0, int(order))
            if not self._smooth(inner):
                # a central difference gives a value at a kink (3/2 for max(x, 2x) at 0): the derivative
                # exists only where both one-sided ones agree with it
                sides = [mpmath.diff(at, x0, int(order), direction=d) for d in (1, -1)]
            else:
                sides = [central, central]
        except NotEvaluable:
            raise
        except (ValueError, ZeroDivisionError) as exc:
            raise NotEvaluable(f"numeric derivative: {exc}")
        values = [central, *sides]
        tol = mpmath.mpf(10) ** -(mpmath.mp.dps // 3) * (1 + min(abs(v) for v in values))
        if any(abs(a - b) > tol for a in values for b in values):
            raise NotEvaluable(f"no derivative by {var} at {mpmath.nstr(x0, 8)}: the one-sided derivatives "
                               f"({mpmath.nstr(sides[0], 8)} from the right, {mpmath.nstr(sides[1], 8)} from the "
                               "left) differ (a kink)")
        return central

    def _smooth(self, e, _seen=None) -> bool:
        """``e``, with the definitions it reaches, is built from +, *, integer powers and functions that have
        no kink (exp, log, the trigonometric and hyperbolic ones, the sigmoid, softplus): its central
        difference is its derivative.  Anything else (|x|, max, a fractional power, a piecewise or unknown
        function) is checked from both sides."""
        seen = set() if _seen is None else _seen
        if not isinstance(e, sp.Basic) or e.has(sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign,
                                                 sp.floor, sp.ceiling, sp.DiracDelta):
            return False
        if any(not p.exp.is_Integer for p in e.atoms(sp.Pow)):
            return False
        if any(not isinstance(f, _SMOOTH) for f in e.atoms(sp.Function)):
            return False
        for s_ in e.free_symbols | {m.parent for m in e.atoms(MatrixElement)}:
            if s_ in self.defs and s_ not in seen:
                seen.add(s_)
                if not self._smooth(self.defs[s_], seen):
                    return False
        return True

    def _limit(self, e):
        """A limit by evaluation near its point: from each side the approach is asked to agree (a two-sided one
        from both sides), or to grow without bound with one sign (:meth:`_divergence`)."""
        body, var, point, direction = e.args
        if point in (sp.oo, -sp.oo):
            sign = 1 if point == sp.oo else -1
            # far out, so that a slow approach (1/sqrt(t)) is within the re-check's tolerance
            return self._approach(body, var, [mpmath.mpf(10) ** k * sign for k in (40, 80)],
                                  [mpmath.mpf(10) ** k * sign for k in (20, 40, 60)])
        p = self(point)
        h = mpmath.mpf(10) ** -20
        sides = {"+": [1], "-": [-1]}.get(str(direction), [1, -1])
        values = [self._approach(body, var, [p + s * h, p + s * h / 100],
                                 [p + s * mpmath.mpf(10) ** -k for k in (20, 40, 60)]) for s in sides]
        if len(values) == 2 and not (values[0] == values[1] or (
                not mpmath.isinf(values[0]) and not mpmath.isinf(values[1])
                and abs(values[0] - values[1]) <= mpmath.mpf(10) ** -16 * max(1, abs(values[0])))):
            raise NotEvaluable("the limit does not settle numerically (the sides differ)")
        return values[-1]

    def _approach(self, body, var, steps, far):
        """The body at the two steps, if they agree; else +-inf if it diverges over the points ``far``."""
        vals = []
        saved = dict(self.env)
        try:
            with mpmath.workdps(mpmath.mp.dps + 100):     # 1 + 10^-80 must not round to 1
                for x in steps:
                    self._set(var, x)
                    vals.append(self(body))
        finally:
            self._restore(saved)
        if abs(vals[0] - vals[1]) <= mpmath.mpf(10) ** -16 * max(1, abs(vals[0])):
            return vals[1]
        divergent = self._divergence(body, var, far)
        if divergent is None:
            raise NotEvaluable("the limit does not settle numerically")
        return divergent

    def _divergence(self, body, var, points):
        """``+inf`` (``-inf``) where the body at ``points`` (each nearer the limit point, by a factor 10^20)
        keeps its sign and grows past 10^15 by more than ten times at each; else None."""
        vals = []
        saved = dict(self.env)
        try:
            with mpmath.workdps(mpmath.mp.dps + 100):
                for x in points:
                    self._set(var, x)
                    vals.append(self(body))
        finally:
            self._restore(saved)
        if any(not isinstance(v, mpmath.mpf) for v in vals):
            return None
        signs = {mpmath.sign(v) for v in vals}
        if len(signs) != 1 or 0 in signs or abs(vals[-1]) < mpmath.mpf(10) ** 15:
            return None
        if not all(abs(b) > 10 * abs(a) for a, b in zip(vals, vals[1:])):
            return None
        return mpmath.inf if signs == {1} else -mpmath.inf

    def _matrix_symbol(self, m):
        key = (m, tuple(self.stamp.get(d, 0) for d in self._depends(m)))
        if key not in self.cache:
            self.cache[key] = self._matrix_symbol_uncached(m)
        return self.cache[key]

    def _matrix_symbol_uncached(self, m):
        if m in self.env:
            base = self.env[m]
        elif m in self.defs:
            base = self(self.defs[m])
        else:
            raise NotEvaluable(f"no value for {m}")
        over = [(k, v) for k, v in self.env.items() if isinstance(k, MatrixElement) and k.parent == m]
        if over:
            base = base.copy()
            for k, v in over:
                base[self._int(k.i), self._int(k.j)] = v
        return base

    def _shape(self, e):
        return self._int(e.shape[0]), self._int(e.shape[1])

    def _array(self, e):
        if isinstance(e, sp.Identity):
            return mpmath.eye(self._int(e.shape[0]))
        if isinstance(e, sp.ZeroMatrix):
            return mpmath.zeros(*self._shape(e))
        if isinstance(e, sp.OneMatrix):
            r, c = self._shape(e)
            return mpmath.ones(r, c)
        if isinstance(e, sp.MatAdd):
            out = None
            for a in e.args:
                v = self(a)
                out = v if out is None else out + v
            return out
        if isinstance(e, sp.MatMul):
            out = None
            for a in e.args:
                v = self(a)
                out = v if out is None else out * v
            return out
        if isinstance(e, sp.Transpose):
            return self(e.arg).T
        if isinstance(e, sp.Inverse):
            m = self(e.arg)
            if abs(mpmath.det(m)) < mpmath.mpf(10) ** -30:
                raise Singular("a singular matrix")
            return mpmath.inverse(m)
        if isinstance(e, sp.MatPow):
            m, k = self(e.base), self._int(e.exp)
            if k < 0 and isinstance(m, mpmath.matrix) and abs(mpmath.det(m)) < mpmath.mpf(10) ** -30:
                raise Singular("a singular matrix")
            return m ** k
        if isinstance(e, sp.HadamardProduct):
            out = None
            for a in e.args:
                v = self(a)
                if out is None:
                    out = v.copy()
                else:
                    for i in range(out.rows):
                        for j in range(out.cols):
                            out[i, j] *= v[i, j]
            return out
        if isinstance(e, sp.HadamardPower):
            m, p = self(e.base), self(e.exp)
            out = m.copy()
            for i in range(m.rows):
                for j in range(m.cols):
                    out[i, j] = m[i, j] ** p
            return out
        if isinstance(e, (sp.ImmutableMatrix, sp.MutableDenseMatrix)):
            return mpmath.matrix([[self(x) for x in e.row(i)] for i in range(e.rows)])
        if isinstance(e, SoftmaxVec):
            # by value: e^{z_i} / sum_k e^{z_k}, shifted by max z (the same number, no overflow)
            z = self(e.args[0])
            top = max(z[i, 0] for i in range(z.rows))
            ex = [mpmath.exp(z[i, 0] - top) for i in range(z.rows)]
            total = mpmath.fsum(ex)
            return mpmath.matrix([[x / total] for x in ex])
        if isinstance(e, sp.MatrixExpr):
            r, c = self._shape(e)
            if r * c > 400:
                raise NotEvaluable("an array too large to evaluate")
            out = mpmath.matrix(r, c)
            for i in range(r):
                for j in range(c):
                    out[i, j] = self(e._entry(sp.Integer(i), sp.Integer(j)))
            return out
        raise NotEvaluable(f"{type(e).__name__} is not evaluated")

    def _named_variance(self, e):
        name = type(e).__name__
        args = [self(a) for a in e.args]
        if name == "UniformVariance":
            a = args[0]
            return mpmath.quad(lambda x: x ** 2 / (2 * a), [-a, a])
        return self(e.rewrite("elementary"))


def evaluate(e, env: dict, defs: dict | None = None):
    """The value of ``e`` at ``env`` (SymPy atom -> number or mpmath matrix) with ``defs`` substituted by value."""
    with mpmath.workdps(DPS):
        env = {k: (_mp(sp.Rational(v)) if not isinstance(v, (mpmath.mpf, mpmath.matrix)) else v)
               for k, v in env.items()}
        return _Eval(env, defs)(e)
