"""The shipped gradient checker passes every activation x loss, and fails planted wrong kernels."""
import itertools

import numpy as np
import pytest
import sympy as sp

from nnderive.numeric import gradcheck as G
from nnderive.numeric import network as N
from nnderive.numeric.codegen import make_kernel
from nnderive.numeric.kernels import kernels

ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus")
OUTS = ("softmax_cce", "sigmoid_bce", "mse")


def problem(act, out, seed=0, sizes=(3, 4, 5, 3), m=6, l2=0.01):
    rng = np.random.default_rng(seed)
    spec = N.Spec((act,) * (len(sizes) - 2), out, l2)
    params = [(W, 0.1 * rng.normal(size=b.shape)) for W, b in N.init_params(rng, list(sizes), "xavier")]
    X = rng.normal(size=(m, sizes[0]))
    Y = (np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)] if out != "sigmoid_bce"
         else rng.integers(0, 2, (m, sizes[-1])).astype(float))
    return params, X, Y, spec


@pytest.mark.parametrize("act,out", list(itertools.product(ACTS, OUTS)))
def test_full_network_gradient(act, out):
    params, X, Y, spec = problem(act, out)
    reports = G.check_network(params, X, Y, spec, rtol=1e-7)
    assert max(r.error for r in reports) <= 1e-7
    assert G.check_direction(params, X, Y, spec, rtol=1e-7).error <= 1e-7


@pytest.mark.parametrize("name", ACTS)
def test_activation_kernels(name):
    assert G.check_kernel(name).error <= 1e-7


def _planted_sigmoid():
    z = sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-z))
    return make_kernel("sigmoid.grad", (z,), s * (1 + s)), make_kernel("sigmoid.vjp_y", (sp.Symbol("g"), sp.Symbol("y")),
                                                                        sp.Symbol("g") * sp.Symbol("y") * (1 + sp.Symbol("y")))


def test_planted_sigmoid_derivative_fails_kernel_check():
    bad, _ = _planted_sigmoid()
    with pytest.raises(G.GradCheckError, match=r"kernel sigmoid.grad.*analytic"):
        G.check_kernel("sigmoid", kernels={"sigmoid.grad": bad})


def test_planted_sigmoid_derivative_fails_network_check():
    bad, bad_vjp = _planted_sigmoid()
    params, X, Y, spec = problem("sigmoid", "softmax_cce")
    with pytest.raises(G.GradCheckError, match="layer 1 W"):
        G.check_network(params, X, Y, spec, kernels={"sigmoid.grad": bad, "sigmoid.vjp_y": bad_vjp})


def test_planted_missing_batch_mean_fails():
    """The per-example gradient used as the batch gradient: the 1/m is missing."""
    k = kernels()["softmax_cce.grad"]
    bad = make_kernel("softmax_cce.batch_grad", tuple(sp.Symbol(a, real=True) for a in k.args), k.expr)
    params, X, Y, spec = problem("tanh", "softmax_cce")
    with pytest.raises(G.GradCheckError, match="analytic"):
        G.check_direction(params, X, Y, spec, kernels={"softmax_cce.batch_grad": bad})


def test_relative_error():
    assert G.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert G.relative_error([0.0], [0.0]) == 0.0
    assert G.relative_error([2.0], [1.0]) == pytest.approx(0.5)
