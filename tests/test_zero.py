"""The zero test (mathematics/zero.py): identities are 0, non-identities are unknown, and the numeric
shortcut that skips the costly simplifications only ever fires on expressions that are not 0."""
import pytest
import sympy as sp

from nnderive.mathematics.primitives import ReLU, Sigmoid
from nnderive.mathematics.zero import _surely_nonzero, covers, is_zero

x, y = sp.symbols("x y", real=True)
p, q = sp.symbols("p q", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
IDENTITIES = [
    sp.diff(Sigmoid(x), x) - Sigmoid(x) * (1 - Sigmoid(x)),
    sp.log(p * q) - sp.log(p) - sp.log(q),
    sp.sqrt(p ** 2) - p,
    ReLU(x) + ReLU(-x) - sp.Abs(x),
    sp.tanh(x) - (sp.exp(2 * x) - 1) / (sp.exp(2 * x) + 1),
    sp.exp(sp.log(p)) - p,
    n / n - 1 + (n + 1) / n - 1 - 1 / n,
    (x + y) ** 3 - x ** 3 - 3 * x ** 2 * y - 3 * x * y ** 2 - y ** 3,
    sp.cos(x) ** 2 + sp.sin(x) ** 2 - 1,
    sp.sinh(x) / sp.cosh(x) - (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)),   # hyperbolics through exp
    sp.coth(x) * sp.tanh(x) - 1,
    sp.erfc(x) + sp.erf(x) - 1,
    # kinks of two variables, by cases on the signs of their arguments
    sp.Piecewise((x, p >= sp.Abs(x)), (p * sp.sign(x), True)) - sp.Min(p, sp.Max(-p, x)),    # Huber' = clip
    sp.Max(x, y) + sp.Min(x, y) - x - y,
    sp.Max(x, y) - sp.Min(x, y) - sp.Abs(x - y),
    sp.Piecewise((x ** 2 / (2 * p), sp.Abs(x - y) < p), (sp.Abs(x) - p / 2, True))
    - sp.Piecewise((x ** 2 / 2, sp.Abs(x - y) < p), (p * (sp.Abs(x) - p / 2), True)) / p,
    sp.Heaviside(x - y, 0) * (x - y) - sp.Max(0, x - y),
    # limits, evaluated over one denominator: tanh' saturates both ways, and sigma(z) - 1 -> 0
    sp.Limit(1 - (sp.exp(x) - sp.exp(-x)) ** 2 / (sp.exp(x) + sp.exp(-x)) ** 2, x, sp.oo, "-"),
    sp.Limit(1 - (sp.exp(x) - sp.exp(-x)) ** 2 / (sp.exp(x) + sp.exp(-x)) ** 2, x, -sp.oo, "+"),
    sp.Limit(1 / (1 + sp.exp(-x)) - 1, x, sp.oo, "-"),
    sp.Limit(sp.sin(x) / x, x, 0) - 1,                          # a removable singularity at the limit point
]
NOT_ZERO = [
    sp.diff(Sigmoid(x), x) - Sigmoid(x) * (1 + Sigmoid(x)),
    sp.sqrt(x ** 2) - x,                       # |x| - x: 0 only for x >= 0
    sp.log(p * q) - sp.log(p) + sp.log(q),
    sp.tanh(x) - (sp.exp(x) - 1) / (sp.exp(x) + 1),
    n / 2 - 1,
    sp.sinh(x) / sp.cosh(x) - (sp.exp(x) + sp.exp(-x)) / (sp.exp(x) - sp.exp(-x)),   # tanh against coth
    sp.erfc(x) - sp.erf(x) - 1,
    sp.Piecewise((x, p >= sp.Abs(x)), (p * sp.sign(x), True)) - sp.Min(p, sp.Max(p / 2, x)),   # a wrong bound
    sp.Max(x, y) - sp.Min(x, y) - (x - y),
    sp.sign(x - y) - sp.Piecewise((1, x >= y), (-1, True)),        # differs only where x = y
    sp.Abs(x) * sp.Abs(y) - x * y,
    sp.Piecewise((0, x - y < 0), (0, x - y > 0)),                   # undefined where x = y
    sp.Limit(1 - (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)), x, -sp.oo, "+"),   # 1 - tanh -> 2
    sp.Limit((x ** 2 - 1) / (x - 1), x, 1) - 1,                 # cancelled to x + 1: the limit is 2
]


@pytest.mark.parametrize("d", IDENTITIES, ids=range(len(IDENTITIES)))
def test_identities_are_zero_and_never_called_nonzero(d):
    assert is_zero(d) is True
    assert _surely_nonzero(sp.expand(d)) is False


@pytest.mark.parametrize("d", NOT_ZERO, ids=range(len(NOT_ZERO)))
def test_non_identities_are_unknown(d):
    assert is_zero(d) is None


def test_the_shortcut_fires_only_where_it_can_sample():
    assert _surely_nonzero(x ** 2 + 1 - x) is True
    assert _surely_nonzero(sp.sqrt(x ** 2) - x) is True     # at x = -7/5 (x real: negative values allowed)
    assert _surely_nonzero(sp.sqrt(p ** 2) - p) is False     # p > 0: sampled positive, where it is 0
    f = sp.Function("f")
    e = sp.Symbol("e", even=True)
    for unsure in (f(x) - x, (-1) ** e - 1, sp.Sum(x ** n, (n, 1, 3)) - x):
        assert _surely_nonzero(unsure) is False
    assert _surely_nonzero(sp.Float("1e-9") * x) is False    # a tiny value is not trusted to be nonzero


_w, _x, _b = sp.symbols("w x b", real=True)
_p = sp.Symbol("p", positive=True)


@pytest.mark.parametrize("cond, covered", [
    (sp.Or(_x < 0, _x >= 0), True),
    (sp.Or(_x < 0, _x > 0), False),                                  # x = 0 left out
    (sp.Or(_w * _x + _b <= 0, _w * _x + _b > 0), True),
    (sp.Or(_w * _x + _b <= 0, _w * _x - _b > 0), False),             # |w x| < b left out
    (sp.Or(_x - 1 < 0, 1 - _x <= 0), True),                          # one u up to sign
    (_p > 0, True), (_x > 0, False), (sp.true, True), (sp.false, False),
])
def test_covers(cond, covered):
    assert covers(cond) is covered


def test_cases_that_leave_points_out_are_not_zero():
    gap = sp.Piecewise((0, _w * _x + _b <= 0), (0, _w * _x - _b > 0))
    assert is_zero(gap) is None
    assert is_zero(sp.Piecewise((0, _w * _x + _b <= 0), (0, _w * _x + _b > 0))) is True


def test_a_declared_interval_decides_a_case():
    # SymPy's closed form of a geometric sum has a case beta = 1; beta in (0, 1) rules it out
    b = sp.Symbol("beta", positive=True)
    i = sp.Symbol("i", integer=True)
    d = sp.Sum(b ** (i - 1), (i, 1, n)) - (1 - b ** n) / (1 - b)
    assert is_zero(d) is None
    assert is_zero(d, within=[(b - 1, "-")]) is True
    assert is_zero(d, within=[(1 - b, "+")]) is True           # the same condition, written the other way
    assert is_zero(d + b ** n, within=[(b - 1, "-")]) is None  # a wrong closed form stays unproved
