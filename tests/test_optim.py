"""Optimizers as (init, update): the kernels step exactly as derive/'s SymPy update lists do."""
import numpy as np
import pytest

from nnderive.mathematics.optimizers import run
from nnderive.numeric import optim

GRAD = lambda th: 2 * (th - 3.0) + np.cos(th)  # noqa: E731  (a smooth 1-D problem)

CASES = [
    ("sgd", optim.sgd(0.1), "gd", {"lr": 0.1}, None),
    ("momentum", optim.momentum(0.05, 0.9), "momentum", {"lr": 0.05, "momentum": 0.9}, None),
    ("momentum_dampening", optim.momentum(0.05, 0.9, dampening=True), "momentum", {"lr": 0.05, "momentum": 0.9},
     "dampening"),
    ("nesterov", optim.nesterov(0.05, 0.9), "nesterov_pytorch", {"lr": 0.05, "momentum": 0.9}, None),
    ("adagrad", optim.adagrad(0.5), "adagrad", {"lr": 0.5, "eps": 1e-10}, None),
    ("adagrad_eps_inside", optim.adagrad(0.5, eps_inside=True), "adagrad", {"lr": 0.5, "eps": 1e-10}, "eps_inside"),
    ("rmsprop", optim.rmsprop(0.05), "rmsprop", {"lr": 0.05, "alpha": 0.99, "eps": 1e-8}, None),
    ("adam", optim.adam(0.1), "adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, None),
    ("adam_eps_inside", optim.adam(0.1, eps_inside=True), "adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999,
                                                                    "eps": 1e-8}, "eps_inside"),
    ("adamw", optim.adamw(0.1), "adamw", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                          "weight_decay": 0.01}, None),
]


@pytest.mark.parametrize("name,opt,key,hyper,variant", CASES, ids=[c[0] for c in CASES])
def test_matches_sympy_reference_iteration(name, opt, key, hyper, variant):
    ref = run(key, GRAD, 0.5, 50, hyper, variant)
    params = [np.array([0.5])]
    state = opt.init(params)
    ours = []
    for _ in range(50):
        params, state = opt.update([GRAD(params[0])], state, params)
        ours.append(params[0][0])
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert state.count == 50


def test_state_is_a_namedtuple_with_slots():
    opt = optim.adam()
    st = opt.init([(np.zeros((2, 3)), np.zeros(3))])
    assert st.count == 0 and set(st.slots) == {"m", "v"} and st.slots["m"][0].shape == (2, 3)


def test_params_may_be_layer_tuples():
    opt = optim.momentum(0.1)
    params = [(np.ones((2, 2)), np.ones(2))]
    new, _ = opt.update([(np.ones((2, 2)), np.ones(2))], opt.init(params), params)
    assert isinstance(new[0], tuple) and new[0][0][0, 0] == pytest.approx(0.9)


def test_clip_by_value_and_norm_and_l2_chain():
    g = [np.array([3.0, -4.0])]
    p = [np.array([1.0, 2.0])]
    new, _ = optim.chain(optim.clip_by_value(1.0), optim.sgd(1.0)).update(g, (None, optim.OptState(0, {})), p)
    np.testing.assert_allclose(new[0], [0.0, 3.0])
    opt = optim.chain(optim.clip_by_norm(1.0), optim.sgd(1.0))
    new, _ = opt.update(g, opt.init(p), p)
    np.testing.assert_allclose(new[0], [1 - 0.6, 2 + 0.8])
    opt = optim.chain(optim.l2(0.5), optim.sgd(1.0))
    new, _ = opt.update(g, opt.init(p), p)
    np.testing.assert_allclose(new[0], [1 - 3.5, 2 + 3.0])


def test_clip_by_norm_leaves_small_gradients():
    g = [np.array([0.3, 0.4])]
    new, _ = optim.clip_by_norm(1.0).update(g, None, [np.zeros(2)])
    np.testing.assert_allclose(new[0], g[0])


def test_unknown_optimizer_and_missing_hyper():
    with pytest.raises(ValueError, match="known"):
        optim.build("lion")
    with pytest.raises(TypeError, match="lr"):
        optim._optimizer("optim.sgd")


def test_defaults_come_from_derive():
    from nnderive.mathematics.optimizers import OPTIMIZERS
    assert float(OPTIMIZERS["adam"].defaults["beta2"]) == 0.999
    opt = optim.build("adam")
    params = [np.array([1.0])]
    new, _ = opt.update([np.array([0.5])], opt.init(params), params)
    assert new[0][0] == pytest.approx(1 - 1e-3 * 0.5 / (0.5 + 1e-8))
