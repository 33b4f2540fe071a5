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
]
NOT_ZERO = [
    sp.diff(Sigmoid(x), x) - Sigmoid(x) * (1 + Sigmoid(x)),
    sp.sqrt(x ** 2) - x,                       # |x| - x: 0 only for x >= 0
    sp.log(p * q) - sp.log(p) + sp.log(q),
    sp.tanh(x) - (sp.exp(x) - 1) / (sp.exp(x) + 1),
    n / 2 - 1,
    sp.sinh(x) / sp.cosh(x) - (sp.exp(x) + sp.exp(-x)) / (sp.exp(x) - sp.exp(-x)),   # tanh against coth
    sp.erfc(x) - sp.erf(x) - 1,
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
