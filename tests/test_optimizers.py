"""The reference optimizers, iterated from their SymPy updates, against plain implementations."""
import math

import pytest

from nnderive.mathematics.optimizers import (OPTIMIZERS, eps_placement_ratio, prove_adam_bias_correction,
                               prove_lr_divergence, prove_momentum_equivalence, prove_nesterov_equivalence, run)
from nnderive.mathematics.initialization import THEOREMS as INIT


def grad(theta):  # f(theta) = (theta - 3)^2 / 2 + 0.3 sin(2 theta): non-quadratic, so state matters
    return (theta - 3) + 0.6 * math.cos(2 * theta)


def plain_gd(lr, steps, th=0.5):
    out = []
    for _ in range(steps):
        th -= lr * grad(th)
        out.append(th)
    return out


def plain_momentum(lr, mu, steps, th=0.5, dampening=False):
    b, out = 0.0, []
    for _ in range(steps):
        g = grad(th)
        b = mu * b + ((1 - mu) * g if dampening else g)
        th -= lr * b
        out.append(th)
    return out


def plain_nesterov(lr, mu, steps, th=0.5):  # Sutskever's look-ahead form, v = -lr * b
    v, out = 0.0, []
    for _ in range(steps):
        v = mu * v - lr * grad(th + mu * v)
        th += v
        out.append(th)
    return out


def plain_adagrad(lr, eps, steps, th=0.5, inside=False):
    s, out = 0.0, []
    for _ in range(steps):
        g = grad(th)
        s += g * g
        th -= lr * g / (math.sqrt(s + eps) if inside else math.sqrt(s) + eps)
        out.append(th)
    return out


def plain_rmsprop(lr, alpha, eps, steps, th=0.5):
    s, out = 0.0, []
    for _ in range(steps):
        g = grad(th)
        s = alpha * s + (1 - alpha) * g * g
        th -= lr * g / (math.sqrt(s) + eps)
        out.append(th)
    return out


def plain_adam(lr, b1, b2, eps, steps, th=0.5, wd=0.0, inside=False):
    m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        g = grad(th)
        th -= lr * wd * th
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh, vh = m / (1 - b1 ** t), v / (1 - b2 ** t)
        th -= lr * mh / (math.sqrt(vh + eps) if inside else math.sqrt(vh) + eps)
        out.append(th)
    return out


CASES = [
    ("gd", {"lr": 0.1}, None, lambda: plain_gd(0.1, 100)),
    ("momentum", {"lr": 0.05, "momentum": 0.9}, None, lambda: plain_momentum(0.05, 0.9, 100)),
    ("momentum", {"lr": 0.05, "momentum": 0.9}, "dampening", lambda: plain_momentum(0.05, 0.9, 100, dampening=True)),
    ("nesterov", {"lr": 0.05, "momentum": 0.9}, None, None),  # compared through the change of variables below
    ("adagrad", {"lr": 0.5, "eps": 1e-10}, None, lambda: plain_adagrad(0.5, 1e-10, 100)),
    ("adagrad", {"lr": 0.5, "eps": 1e-3}, "eps_inside", lambda: plain_adagrad(0.5, 1e-3, 100, inside=True)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, None, lambda: plain_rmsprop(0.01, 0.99, 1e-8, 100)),
    ("adam", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, None,
     lambda: plain_adam(0.05, 0.9, 0.999, 1e-8, 100)),
    ("adam", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-4}, "eps_inside",
     lambda: plain_adam(0.05, 0.9, 0.999, 1e-4, 100, inside=True)),
    ("adamw", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}, None,
     lambda: plain_adam(0.05, 0.9, 0.999, 1e-8, 100, wd=0.01)),
]


@pytest.mark.parametrize("name,hyper,variant,plain", CASES,
                         ids=[f"{c[0]}-{c[2] or 'reference'}" for c in CASES])
def test_100_steps_match_a_plain_implementation(name, hyper, variant, plain):
    ours = run(name, grad, 0.5, 100, hyper, variant)
    if name == "nesterov":  # our theta is the look-ahead-free iterate; Sutskever's p = theta + mu v
        ref = plain_nesterov(0.05, 0.9, 100)
    else:
        ref = plain()
    for k, (a, b) in enumerate(zip(ours, ref)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12), f"step {k + 1}"


def test_clipping_and_l2():
    from nnderive.mathematics.optimizers import SYM
    import sympy as sp
    clip = OPTIMIZERS["clip_value"].updates["grad"]
    assert clip.subs({SYM["grad"]: 5, SYM["clip"]: 2}) == 2 and clip.subs({SYM["grad"]: -5, SYM["clip"]: 2}) == -2
    norm = OPTIMIZERS["clip_norm"].updates["grad"]
    assert norm.subs({SYM["grad"]: 6, SYM["grad_norm"]: 6, SYM["clip"]: 3}) == 3
    assert norm.subs({SYM["grad"]: 1, SYM["grad_norm"]: 1, SYM["clip"]: 3}) == 1
    assert OPTIMIZERS["l2"].updates["grad"] - SYM["grad"] == SYM["weight_decay"] * SYM["param"]
    assert sp.diff(SYM["weight_decay"] / 2 * SYM["param"] ** 2, SYM["param"]) == SYM["weight_decay"] * SYM["param"]


def test_intermediates_and_general_forms():
    """PyTorch's Nesterov gradient comes between the buffer and the step; its value is the one the step
    uses, and the dampened buffer is the reference at tau = 0."""
    from nnderive.mathematics.optimizers import SYM
    opt = OPTIMIZERS["nesterov_pytorch"]
    assert opt.sequence() == ["velocity", "grad", "param"]
    _, nesterov_grad, _ = opt.intermediates["grad"]
    th = SYM["param"]
    assert opt.updates["param"] - (th - SYM["lr"] * nesterov_grad) == 0
    for name in ("momentum", "nesterov_pytorch"):
        general = OPTIMIZERS[name].general["velocity"][1]
        assert general.subs(SYM["dampening"], 0) == OPTIMIZERS[name].updates["velocity"]
        assert general.subs(SYM["dampening"], 1) != OPTIMIZERS[name].updates["velocity"]


@pytest.mark.parametrize("proof", [prove_adam_bias_correction, prove_momentum_equivalence,
                                   prove_nesterov_equivalence, prove_lr_divergence, *[INIT[k].prove for k in
                                   ("he_second_moment", "symmetric_init")]])
def test_proofs_hold(proof):
    finding = proof()
    assert finding.holds is True, finding.steps


@pytest.mark.parametrize("result", ["zero_init_no_learning", "xavier_compromise"])
def test_refutations_carry_counterexamples(result):
    finding = INIT[result].prove()
    assert finding.holds is False and finding.counterexample


def test_adagrad_decay_is_a_named_condition_not_a_refutation():
    finding = INIT["adagrad_lr_decay"].prove()
    assert finding.holds is None and "g_t^2" in finding.condition and finding.counterexample


@pytest.mark.parametrize("name", sorted(INIT))
def test_every_theorem_has_an_independent_check_that_agrees(name):
    import mpmath
    th = INIT[name]
    finding = th.prove()
    with mpmath.workdps(50):
        holds, detail = th.check()
    assert holds == (False if finding.condition else finding.holds), detail


def test_eps_placement_ratio():
    r, val, steps = eps_placement_ratio()
    assert float(val) == pytest.approx(99.0149, rel=1e-5)
    # the formula matches the two steps computed plainly
    g, eps = 1e-6, 1e-8
    assert (g / (abs(g) + eps)) / (g / math.sqrt(g * g + eps)) == pytest.approx(float(val), rel=1e-9)


def test_momentum_forms_coincide_numerically():
    a = plain_momentum(0.05, 0.9, 50)
    b = run("momentum", grad, 0.5, 50, {"lr": 0.05 / (1 - 0.9), "momentum": 0.9}, "dampening")
    assert a == pytest.approx(b, rel=1e-10)
