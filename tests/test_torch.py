"""PyTorch (CPU, float64) as the independent reference: network gradients, optimizer
trajectories, and the cheat-sheet variants differing exactly as derive/ says."""
import itertools

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from nnderive.mathematics.optimizers import eps_placement_ratio
from nnderive.numeric import network as N
from nnderive.numeric import optim
from nnderive.numeric.gradcheck import relative_error



@pytest.fixture(autouse=True)
def float64_default():
    """float64 as torch's default inside this module only (set at import, it leaked into every
    later test of the session, and a doctest printing a dtype failed in CI)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "softplus": F.softplus}
OUTS = ("softmax_cce", "sigmoid_bce", "mse")


def torch_loss(params, X, Y, spec):
    A = torch.from_numpy(X)
    for l, (W, b) in enumerate(params):
        Z = A @ W + b
        A = ACTS[spec.activations[l]](Z) if l < len(params) - 1 else Z
    Y = torch.from_numpy(Y)
    data = {"softmax_cce": lambda: F.cross_entropy(Z, Y), "sigmoid_bce": lambda: F.binary_cross_entropy_with_logits(Z, Y),
            "mse": lambda: F.mse_loss(Z, Y)}[spec.output]()
    return data + spec.l2 / 2 * sum((W * W).sum() for W, _ in params)


@pytest.mark.parametrize("act,out", list(itertools.product(ACTS, OUTS)))
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_network_gradient_matches_autograd(act, out, l2):
    rng = np.random.default_rng(3)
    sizes = [5, 8, 6, 4]
    spec = N.Spec((act, act), out, l2)
    params = [(W, 0.1 * rng.normal(size=b.shape)) for W, b in N.init_params(rng, sizes, "xavier")]
    X = rng.normal(size=(7, 5))
    Y = (np.eye(4)[rng.integers(0, 4, 7)] if out != "sigmoid_bce" else rng.integers(0, 2, (7, 4)).astype(float))
    value, grads = N.value_and_grad(params, X, Y, spec)
    tp = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
    tl = torch_loss(tp, X, Y, spec)
    tl.backward()
    assert abs(value - tl.item()) <= 1e-12 * abs(tl.item())
    for l, ((gw, gb), (tw, tb)) in enumerate(zip(grads, tp)):
        assert relative_error(gw, tw.grad.numpy()) <= 1e-10, f"layer {l + 1} W"
        assert relative_error(gb, tb.grad.numpy()) <= 1e-10, f"layer {l + 1} b"


def _grad(theta):
    """A fixed nonlinear gradient field, evaluated identically for both implementations."""
    return 2 * (theta - 1.5) + np.sin(3 * theta)


OPTS = [
    ("sgd", lambda: optim.sgd(0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    ("momentum", lambda: optim.momentum(0.02, 0.9), lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9)),
    ("nesterov", lambda: optim.nesterov(0.02, 0.9), lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True)),
    ("adagrad", lambda: optim.adagrad(0.3), lambda p: torch.optim.Adagrad(p, lr=0.3)),
    ("rmsprop", lambda: optim.rmsprop(0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("adam", lambda: optim.adam(0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    ("adamw", lambda: optim.adamw(0.05, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1)),
]


def trajectories(ours, theirs, steps=100, theta0=None):
    theta0 = np.linspace(-2, 3, 12).reshape(3, 4) if theta0 is None else theta0
    params = [theta0.copy()]
    state = ours.init(params)
    tp = torch.tensor(theta0.copy(), requires_grad=True)
    topt = theirs([tp])
    a, b = [], []
    for _ in range(steps):
        params, state = ours.update([_grad(params[0])], state, params)
        tp.grad = torch.from_numpy(_grad(tp.detach().numpy().copy()))
        topt.step()
        a.append(params[0].copy())
        b.append(tp.detach().numpy().copy())
    return np.array(a), np.array(b)


@pytest.mark.parametrize("name,ours,theirs", OPTS, ids=[o[0] for o in OPTS])
def test_100_step_trajectory_matches_torch_optim(name, ours, theirs):
    a, b = trajectories(ours(), theirs)
    assert relative_error(a, b) <= 1e-10
    assert np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3)) <= 1e-10


def test_momentum_dampening_differs_and_equals_scaled_lr():
    """Cheat-sheet momentum b = beta b + (1 - beta) g: not torch's default, but torch's with
    lr / (1 - beta) (theorem momentum_equivalence in derive/)."""
    beta, lr = 0.9, 0.02
    damp, ref = trajectories(optim.momentum(lr, beta, dampening=True),
                             lambda p: torch.optim.SGD(p, lr=lr, momentum=beta))
    assert relative_error(damp, ref) > 1e-2                     # visibly different
    scaled, ref = trajectories(optim.momentum(lr / (1 - beta), beta, dampening=True),
                               lambda p: torch.optim.SGD(p, lr=lr, momentum=beta))
    assert relative_error(scaled, ref) <= 1e-10
    same, _ = trajectories(optim.momentum(lr, beta, dampening=True),
                           lambda p: torch.optim.SGD(p, lr=lr, momentum=beta, dampening=beta))
    assert relative_error(same, damp) <= 1e-12                  # torch's own dampening argument


@pytest.mark.parametrize("name,ours,theirs", [
    ("adam", lambda e: optim.adam(0.01, eps=e, eps_inside=True), lambda e: (lambda p: torch.optim.Adam(p, lr=0.01, eps=e))),
    ("adagrad", lambda e: optim.adagrad(0.01, eps=e, eps_inside=True),
     lambda e: (lambda p: torch.optim.Adagrad(p, lr=0.01, eps=e))),
])
def test_eps_inside_differs_by_the_derived_ratio(name, ours, theirs):
    """First step with v = g^2: outside / inside = sqrt(g^2 + eps) / (|g| + eps), derive's formula."""
    eps = 1e-4
    root = 1.5
    for _ in range(30):                                  # Newton: a point where the gradient vanishes
        root -= _grad(root) / (2 + 3 * np.cos(3 * root))
    theta0 = np.array([root + 1e-6, root + 1e-4, root + 1e-2, 3.0])   # gradients from tiny to large
    g = _grad(theta0)
    inside, outside = trajectories(ours(eps), theirs(eps), steps=1, theta0=theta0)
    step_in, step_out = theta0 - inside[0], theta0 - outside[0]
    r, _, _ = eps_placement_ratio()
    G, E = sorted(r.free_symbols, key=lambda s: s.name != "g")
    ratio = sp.lambdify((G, E), r, modules="numpy")(np.abs(g), eps)
    np.testing.assert_allclose(step_out / step_in, ratio, rtol=1e-10)
    assert ratio[0] > 1.5 and abs(ratio[-1] - 1) < 1e-3     # visible for the small gradient only


def test_clipping_matches_torch_utils():
    rng = np.random.default_rng(0)
    g = [rng.normal(size=(3, 4)), rng.normal(size=4)]
    tg = [torch.zeros(x.shape, requires_grad=True) for x in g]
    for t, x in zip(tg, g):
        t.grad = torch.from_numpy(x.copy())
    torch.nn.utils.clip_grad_norm_(tg, 1.0)
    ours, _ = optim.clip_by_norm(1.0).update(g, None, [np.zeros_like(x) for x in g])
    for o, t in zip(ours, tg):
        np.testing.assert_allclose(o, t.grad.numpy(), rtol=1e-6)   # torch adds 1e-6 to the norm
    for t, x in zip(tg, g):
        t.grad = torch.from_numpy(x.copy())
    torch.nn.utils.clip_grad_value_(tg, 0.5)
    ours, _ = optim.clip_by_value(0.5).update(g, None, [np.zeros_like(x) for x in g])
    for o, t in zip(ours, tg):
        np.testing.assert_array_equal(o, t.grad.numpy())
