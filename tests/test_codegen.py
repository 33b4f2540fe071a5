"""Vectorising, stabilising and printing: array operations only, float32 kept, source kept."""
import dataclasses

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


# --------------------------------------------------------------------------- in-place forms
from nnderive.numeric import network as N                       # noqa: E402
from nnderive.numeric import optim                              # noqa: E402
from nnderive.numeric.codegen import make_inplace               # noqa: E402
from nnderive.numeric.kernels import kernels                    # noqa: E402

INPLACE = [k for k in kernels().values() if k.inplace is not None]
HYPER = {"lr": 0.01, "mu": 0.9, "eps": 1e-8, "beta1": 0.9, "beta2": 0.999, "t": 3, "wd": 0.01, "alpha": 0.1}


def test_in_place_forms_exist_for_the_step():
    names = {k.name for k in INPLACE}
    assert {"relu", "tanh", "relu.vjp_y", "sigmoid.vjp_y", "optim.sgd", "optim.adam"} <= names


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", INPLACE, ids=lambda k: k.name)
def test_in_place_form_is_the_functional_kernel(k, dtype):
    """The same expression; products may associate differently (a*b*c as a*(b*c)): equal to rounding."""
    rng = np.random.default_rng(5)
    arrays = {a: rng.normal(size=(4, 6)).astype(dtype) for a in k.args if a not in HYPER}
    if "s" in arrays or "v" in arrays:                           # second moments are nonnegative
        arrays = {a: (abs(x) if a in ("s", "v") else x) for a, x in arrays.items()}
    call = [arrays[a] if a in arrays else HYPER[a] for a in k.args]
    want = k.fn(*[np.copy(x) if isinstance(x, np.ndarray) else x for x in call])
    want = list(want) if isinstance(want, (tuple, list)) else [want]
    work = [np.copy(x) if isinstance(x, np.ndarray) else x for x in call]
    returned = k.inplace(*work)
    target = k.args[0] if k.name.startswith(("optim.", "relu", "tanh")) and "vjp" not in k.name else "g"
    got = [work[k.args.index(target)]] + list(returned or ())
    assert len(got) == len(want)
    for g_, w_ in zip(got, want):
        assert g_.dtype == dtype
        np.testing.assert_allclose(g_, w_, rtol=2e-6 if dtype == np.float32 else 1e-14, atol=1e-30)
    for a, x in zip(k.args, work):       # only the target and the scratch gradient are written
        if isinstance(x, np.ndarray) and a not in (target, "g"):
            assert np.array_equal(x, arrays[a]), a


def test_no_in_place_form_when_a_later_output_reads_the_target():
    x, y = sp.symbols("x y", real=True)
    assert make_inplace("t", (x, y), "x", [x + y, 2 * x]) is None
    assert make_inplace("t", (x, y), "x", [sp.exp(x)]) is None          # no ufunc root writes it back
    fn = make_inplace("t", (x, y), "x", [x + 2 * y, 3 * y])
    a, b = np.ones(3), np.full(3, 2.0)
    (rest,) = fn(a, b)
    assert np.array_equal(a, np.full(3, 5.0)) and np.array_equal(rest, np.full(3, 6.0))


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "leaky_relu", "softplus"])
def test_network_in_place_equals_functional(act):
    """Forward (f(Z) over Z) and backward (vjp over the product) in place give the functional values."""
    functional = {name: dataclasses.replace(k, inplace=None) for name, k in kernels().items()}
    rng = np.random.default_rng(2)
    params = N.init_params(rng, [5, 7, 6, 3])
    X, Y = rng.normal(size=(8, 5)), np.eye(3)[rng.integers(0, 3, 8)]
    spec = N.Spec((act, act))
    v1, g1 = N.value_and_grad(params, X, Y, spec)
    v2, g2 = N.value_and_grad(params, X, Y, spec, functional)
    assert v1 == pytest.approx(v2, rel=1e-14)
    for (a, c), (b, d) in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(c, d, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", optim.OPTIMIZER_NAMES)
def test_optimizer_update_in_place_equals_update(name):
    rng = np.random.default_rng(4)
    params = N.init_params(rng, [4, 3, 2])
    opt = optim.build(name, 0.01)
    p1, s1 = [(W.copy(), b.copy()) for W, b in params], opt.init(params)
    p2, s2 = [(W.copy(), b.copy()) for W, b in params], opt.init(params)
    for step in range(3):
        grads = [(rng.normal(size=W.shape), rng.normal(size=b.shape)) for W, b in params]
        p1, s1 = opt.update(grads, s1, p1)
        s2 = opt.update_inplace([(a.copy(), c.copy()) for a, c in grads], s2, p2)
    for (a, c), (b, d) in zip(p1, p2):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(c, d, rtol=1e-13, atol=1e-15)
    assert s1.count == s2.count
