"""The stability rewrite rows are proved, and wrong rows are refuted."""
import pytest
import sympy as sp

from nnderive.mathematics.rewrites import REWRITES, Rewrite, logaddexp, prove_rewrite
from nnderive.mathematics.rules import Sigmoid


@pytest.mark.parametrize("row", REWRITES, ids=lambda r: r.name)
def test_row_is_proved(row):
    ok, steps = prove_rewrite(row)
    assert ok, steps


PLANTED = [
    Rewrite("sigmoid tanh without the half", "", lambda x: Sigmoid(x), lambda x: (1 + sp.tanh(x)) / 2, ""),
    Rewrite("softplus with the sign flipped", "", lambda x: sp.log(1 + sp.exp(x)), lambda x: logaddexp(-x, 0), ""),
    Rewrite("log sigmoid sign", "", lambda x: sp.log(Sigmoid(x)), lambda x: -logaddexp(0, x), ""),
    Rewrite("softmax shifted in the numerator only", "",
            lambda z, i, k, n, c: sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, n)),
            lambda z, i, k, n, c: sp.exp(z[i] - c) / sp.Sum(sp.exp(z[k]), (k, 1, n)), "", indexed=True),
    Rewrite("log softmax without the shift", "",
            lambda z, i, k, n, c: sp.log(sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, n))),
            lambda z, i, k, n, c: z[i] - sp.log(sp.Sum(sp.exp(z[k] - c), (k, 1, n))), "", indexed=True),
]


@pytest.mark.parametrize("row", PLANTED, ids=lambda r: r.name)
def test_planted_row_fails(row):
    assert not prove_rewrite(row)[0]
