"""Vectorising, stabilising and printing: array operations only, float32 kept, source kept."""
import numpy as np
import pytest
import sympy as sp

from nnderive.mathematics.rules import Sigmoid, Step
from nnderive.numeric.codegen import RowSum, make_kernel, stabilize, vectorize

n = sp.Symbol("n", integer=True, positive=True)
i, j, k = (sp.Idx(s, (1, n)) for s in "ijk")
z = sp.IndexedBase("z")


def test_vectorize_sum_becomes_row_sum():
    e = vectorize(z[i] - sp.Sum(z[k] ** 2, (k, 1, n)) / n, i)
    assert e.has(RowSum) and not e.has(sp.Indexed)


def test_vectorize_refuses_a_foreign_index():
    with pytest.raises(ValueError, match="index"):
        vectorize(z[i] * z[j], i)


def test_vectorize_refuses_a_partial_sum():
    with pytest.raises(ValueError, match="sum"):
        vectorize(sp.Sum(z[k], (k, 2, n)), i)


def test_stabilize_log_sigmoid_and_softplus():
    x = sp.Symbol("x", real=True)
    assert "logaddexp" in str(stabilize(sp.log(Sigmoid(x))))
    from nnderive.mathematics.rules import Softplus
    f = make_kernel("sp", (x,), stabilize(Softplus(x)))
    assert f(np.float64(1000.0)) == 1000.0          # log1p(exp(x)) would be inf here


def test_source_is_kept_and_named():
    x = sp.Symbol("x", real=True)
    f = make_kernel("a.b", (x,), x ** 2)
    assert f.source.startswith("def a_b(x):")


@pytest.mark.parametrize("expr", ["step", "piecewise", "scalar_param"])
def test_float32_is_kept(expr):
    x, a = sp.Symbol("x", real=True), sp.Symbol("alpha", positive=True)
    e = {"step": Step(x), "piecewise": sp.Piecewise((a, x <= 0), (1, True)),
         "scalar_param": sp.Rational(1, 3) * x * a}[expr]
    f = make_kernel("k", (x, a), e)
    out = f(np.linspace(-1, 1, 5, dtype=np.float32), 0.1)
    assert out.dtype == np.float32


def test_matrix_products_print_as_matmul():
    A, W = sp.MatrixSymbol("A", 3, 2), sp.MatrixSymbol("W", 2, 4)
    f = make_kernel("mm", (A, W), A * W)
    assert "A @ W" in f.source
    a, w = np.ones((3, 2)), np.ones((2, 4))
    np.testing.assert_array_equal(f(a, w), a @ w)
