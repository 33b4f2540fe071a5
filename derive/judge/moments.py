r"""Expectations SymPy's statistics leave as an integral: a piecewise function of one continuous random
variable, integrated piece by piece over the interval where each piece holds.

:math:`E[f(Z)] = \sum_k \int_{I_k} f_k(t)\, p_Z(t)\, dt` with :math:`I_k` the set where the k-th condition is the
first to hold, intersected with the support of Z.  The pieces must cover the support up to a set of measure zero
(``x > 0`` and ``x < 0`` leave out the point 0, which carries no mass under a density); otherwise no value.
Each piece's integral must come out in closed form, or there is no value either.
"""
from __future__ import annotations

import sympy as sp
from sympy.stats import density, pspace
from sympy.stats.crv import SingleContinuousPSpace
from sympy.stats.rv import RandomSymbol

__all__ = ["piecewise_expectation", "unnamed_moment", "check_by_two_points", "moment_symbols", "MomentUnread"]


def piecewise_expectation(f):
    """E[f] for ``f`` holding exactly one continuous random variable and a Piecewise of conditions on it; None
    where that reading does not apply or an integral has no closed form."""
    rvs = f.atoms(RandomSymbol)
    if len(rvs) != 1 or not f.has(sp.Piecewise):
        return None
    (z,) = rvs
    space = pspace(z)
    if not isinstance(space, SingleContinuousPSpace):
        return None
    t = sp.Dummy("t", real=True)
    g = sp.piecewise_fold(f.xreplace({z: t}))
    if not isinstance(g, sp.Piecewise) or any(isinstance(a, sp.Piecewise) for e, _ in g.args for a in
                                               sp.preorder_traversal(e)):
        return None
    support = space.domain.set
    pdf = density(z)(t)
    left, total = support, sp.S.Zero
    for expr, cond in g.args:
        try:
            where = (support if cond is sp.true else cond.as_set()).intersect(left)
        except (NotImplementedError, ValueError, TypeError):
            return None
        left = left - where
        if where is sp.S.EmptySet or _null(where):
            continue
        if expr.has(sp.nan, sp.zoo) or not isinstance(where, sp.Interval):
            return None
        piece = sp.integrate(expr * pdf, (t, where.start, where.end))
        if piece.has(sp.Integral, sp.nan, sp.zoo):
            return None
        total += piece
    if not _null(left):
        return None
    return total


def _null(s) -> bool:
    """A set of measure zero for a density: empty, or finitely many points."""
    return s is sp.S.EmptySet or isinstance(s, sp.FiniteSet)


# --------------------------------------------------------------------------- moments of unnamed laws
r"""A random variable declared ``scalar random`` has no law, only a mean and a variance: the symbols
:math:`E[X]` (real) and :math:`\operatorname{Var}[X]` (nonnegative), which given facts such as ``E[X] = 0``
fix.  A moment of a polynomial in such variables follows by linearity,

.. math:: E[X] = \mu_X, \quad E[X^2] = \operatorname{Var}[X] + \mu_X^2, \quad
          E[X^a Y^b] = E[X^a] E[Y^b] \text{ only for variables declared independent},

so a value holds for every law with these two moments.  A power above the second, or a product of variables
not declared independent, has no value here: a third moment or a covariance the claim never states would be
a guess (and a counterexample in it might be no law at all)."""


class MomentUnread(Exception):
    """A moment of unnamed laws that is not read: the reason."""


def moment_symbols(x):
    """The mean and variance symbols of the random variable ``x`` (a Symbol)."""
    return (sp.Symbol(f"E[{x.name}]", real=True), sp.Symbol(rf"\operatorname{{Var}}[{x.name}]", nonnegative=True))


def unnamed_moment(mean, x, variables, independent):
    """E[x] (``mean``) or Var[x] for ``x`` polynomial in ``variables`` (Symbols of unnamed laws), the ones in
    ``independent`` mutually independent; raises :class:`MomentUnread`."""
    first = _expectation(x, variables, independent)
    if mean:
        return first
    return sp.expand(_expectation(sp.expand(x ** 2), variables, independent) - first ** 2)


def _expectation(x, variables, independent):
    rvs = sorted(x.free_symbols & set(variables), key=str)
    if not rvs:
        return x
    try:
        poly = sp.Poly(sp.expand(x), *rvs)
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, sp.polys.polyerrors.GeneratorsError):
        raise MomentUnread("a moment of a function of random variables that is not a polynomial in them")
    if any(c.free_symbols & set(variables) for c in poly.coeffs()):
        raise MomentUnread("a moment of a function of random variables that is not a polynomial in them")
    total = sp.S.Zero
    for powers, coeff in poly.terms():
        used = [(v, a) for v, a in zip(rvs, powers) if a]
        if any(a > 2 for _, a in used):
            raise MomentUnread("a moment above the second of a random variable whose law is not given")
        if len(used) > 1 and not {v for v, _ in used} <= set(independent):
            raise MomentUnread("a moment of a product of random variables not declared independent (their "
                               "covariance is not stated): declare them 'scalar random independent'")
        term = coeff
        for v, a in used:
            mu, var = moment_symbols(v)
            term *= mu if a == 1 else var + mu ** 2
        total += term
    return sp.expand(total)


def check_by_two_points(mean, x, value, variables, independent):
    """The moment again by enumeration: each variable the two values :math:`\\mu \\pm s` with probability 1/2
    (mean μ, variance s²), independent of each other, at one rational point of the parameters; True when it
    agrees with ``value`` exactly.  Only variables treated as independent meet in a product, so the
    independent two-point laws are laws the claim allows."""
    rvs = sorted(x.free_symbols & set(variables), key=str)
    params = sorted((x.free_symbols | value.free_symbols) - set(rvs)
                    - {s for v in rvs for s in moment_symbols(v)}, key=str)
    point = {p: sp.Rational(3 + 2 * k, 7) for k, p in enumerate(params)}
    laws = {}
    for k, v in enumerate(rvs):
        mu, var = moment_symbols(v)
        laws[v] = (sp.Rational(1 - 2 * k, 5), sp.Rational(2 + k, 3))       # (mean, standard deviation)
        point[mu], point[var] = laws[v][0], laws[v][1] ** 2
    xs = x.xreplace(point)
    first = second = sp.S.Zero
    for signs in _signs(len(rvs)):
        at = {v: laws[v][0] + s * laws[v][1] for v, s in zip(rvs, signs)}
        got = xs.xreplace(at)
        first += got / 2 ** len(rvs)
        second += got ** 2 / 2 ** len(rvs)
    want = first if mean else second - first ** 2
    return sp.simplify(want - value.xreplace(point)) == 0


def _signs(k):
    if k == 0:
        yield ()
        return
    for rest in _signs(k - 1):
        yield rest + (1,)
        yield rest + (-1,)
