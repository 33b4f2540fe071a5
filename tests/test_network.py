"""The MLP: shapes, initialisation variances, dtype, L2, and the worked example."""
import numpy as np
import pytest

from nnderive.numeric import network as N
from nnderive.numeric.example import compare, run


def test_shapes_batch_first():
    rng = np.random.default_rng(0)
    params = N.init_params(rng, [5, 7, 3])
    spec = N.Spec(("relu",))
    Z, cache = N.forward(params, rng.normal(size=(4, 5)), spec)
    assert Z.shape == (4, 3) and [c[1].shape for c in cache] == [(4, 7), (4, 3)]
    grads = N.backward(params, cache, np.eye(3)[[0, 1, 2, 0]], spec)
    assert [(g[0].shape, g[1].shape) for g in grads] == [((5, 7), (7,)), ((7, 3), (3,))]


@pytest.mark.parametrize("init,var", [("xavier", 2 / (400 + 300)), ("he", 2 / 400), ("lecun", 1 / 400)])
@pytest.mark.parametrize("dist", ["normal", "uniform"])
def test_init_variance(init, var, dist):
    W, b = N.init_params(np.random.default_rng(1), [400, 300], init, dist)[0]
    assert np.var(W) == pytest.approx(var, rel=0.03) and not b.any()


def test_uniform_epsilon_init():
    W, _ = N.init_params(np.random.default_rng(1), [200, 200], "uniform", eps=0.05)[0]
    assert np.abs(W).max() <= 0.05 and np.var(W) == pytest.approx(0.05 ** 2 / 3, rel=0.03)


def test_float32_network():
    rng = np.random.default_rng(0)
    params = N.init_params(rng, [4, 6, 3], dtype=np.float32)
    X = rng.normal(size=(5, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1]]
    for act in ("sigmoid", "tanh", "relu", "leaky_relu", "softplus"):
        _, grads = N.value_and_grad(params, X, Y, N.Spec((act,), l2=0.1))
        assert all(g.dtype == np.float32 for pair in grads for g in pair), act


def test_l2_term_and_gradient():
    rng = np.random.default_rng(0)
    params = N.init_params(rng, [3, 2])
    X, Y = rng.normal(size=(4, 3)), np.eye(2)[[0, 1, 1, 0]]
    j0, g0 = N.value_and_grad(params, X, Y, N.Spec(()))
    j1, g1 = N.value_and_grad(params, X, Y, N.Spec((), l2=0.3))
    W = params[0][0]
    assert j1 - j0 == pytest.approx(0.15 * np.sum(W * W))
    np.testing.assert_allclose(g1[0][0] - g0[0][0], 0.3 * W)
    np.testing.assert_allclose(g1[0][1], g0[0][1])       # biases are not regularised


def test_unknown_init():
    with pytest.raises(ValueError, match="known"):
        N.init_params(np.random.default_rng(0), [2, 2], "glorot")


# The article's printed numbers (expected statuses are test data, not read by the code).
TRUNCATED = {"article.example.sigma_prime_z2", "article.example.sigma_prime_z12"}


def test_worked_example_reproduces_the_article():
    rows = compare()
    assert len(rows) == 19
    for r in rows:
        expected = "truncated" if r.claim in TRUNCATED else "agrees"
        assert r.status == expected, (r.claim, r.value, r.printed)


def test_worked_example_exact_values():
    v = run()
    assert v["sigma_prime_z2"] == pytest.approx(0.2495163, abs=1e-7)
    assert v["sigma_prime_z12"] == pytest.approx(0.2479859, abs=1e-7)
    assert v["delta2"] == pytest.approx((v["a2"] - 1) * v["a2"] * (1 - v["a2"]))


@pytest.mark.parametrize("X,Y,fragment", [
    (np.zeros((0, 4)), np.zeros((0, 3)), "no rows"),
    (np.zeros(4), np.zeros((1, 3)), "2-D"),
    (np.zeros((5, 2)), np.zeros((5, 3)), "features"),
    (np.zeros((5, 4)), np.zeros((5, 1)), "broadcast"),
    (np.zeros((5, 4)), np.zeros(5), "broadcast"),
])
def test_wrong_shapes_are_clear_errors(X, Y, fragment):
    """Issue 16: targets of the wrong shape broadcast silently and empty inputs gave a NaN."""
    rng = np.random.default_rng(0)
    params = N.init_params(rng, [4, 6, 3], "xavier")
    spec = N.Spec(("relu",), "softmax_cce", 0.0)
    with pytest.raises(ValueError, match=fragment):
        N.value_and_grad(params, X, Y, spec)
