r"""Reference optimizers: update rules, their named variants, and proofs about them.

Each optimizer is a list of updates ``state <- expression`` in canonical symbols
(:math:`\theta` the parameter, :math:`g` its gradient, :math:`\eta` the learning
rate, ...), with the reference it follows: the paper's algorithm and the formula
in PyTorch's documentation (``torch.optim``).  Variants that correct sources
also use (:math:`\epsilon` inside the square root, momentum with dampening
:math:`1-\beta`) are *conventions*: a claim matching one gets the verdict
**convention** with both named.

The proofs (:func:`prove_adam_bias_correction`, :func:`prove_momentum_equivalence`,
:func:`prove_nesterov_equivalence`, :func:`eps_placement_ratio`,
:func:`prove_lr_divergence`) return ``(verdict, reason, steps)`` and are derived
here with SymPy, not quoted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import sympy as sp

from .findings import Finding, Theorem
from .printing import tex as _tex
from .zero import is_zero

__all__ = ["Optimizer", "OPTIMIZERS", "FLAG_FORMS", "SYM", "ROLE_SPELLINGS", "run", "prove_adam_bias_correction", "prove_momentum_equivalence",
           "prove_nesterov_equivalence", "eps_placement_ratio", "prove_lr_divergence", "THEOREMS"]

_pos = dict(positive=True)
#: canonical symbols, by role name
SYM: dict[str, sp.Symbol] = {
    "param": sp.Symbol(r"\theta", real=True),
    "grad": sp.Symbol("g", real=True),
    "lr": sp.Symbol(r"\eta", **_pos),
    "momentum": sp.Symbol(r"\mu", positive=True),
    "velocity": sp.Symbol("b", real=True),
    "sq_avg": sp.Symbol("s", nonnegative=True),
    "beta1": sp.Symbol(r"\beta_1", positive=True),
    "beta2": sp.Symbol(r"\beta_2", positive=True),
    "m": sp.Symbol("m", real=True),
    "v": sp.Symbol("v", nonnegative=True),
    "m_hat": sp.Symbol(r"\hat{m}", real=True),
    "v_hat": sp.Symbol(r"\hat{v}", nonnegative=True),
    "eps": sp.Symbol(r"\epsilon", **_pos),
    "step": sp.Symbol("t", integer=True, positive=True),
    "alpha": sp.Symbol(r"\alpha", positive=True),
    "weight_decay": sp.Symbol(r"\lambda", positive=True),
    "clip": sp.Symbol("c", **_pos),
    "grad_norm": sp.Symbol(r"\|g\|", **_pos),
    "lookahead": sp.Symbol(r"\theta_{ahead}", real=True),
    "lookahead_grad": sp.Symbol(r"g_{ahead}", real=True),
    "dampening": sp.Symbol(r"\tau", nonnegative=True),
    # the step taken has no spelling of its own (optax's u_t, d2l's g_t'): a Dummy, so that a claim's own u,
    # which may be the step subtracted or anything else, is never taken for it without a role
    "update": sp.Dummy("u", real=True),
}
#: how sources spell each role (an update's quantities are recognised by these when no roles are given)
ROLE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "param": (r"\theta", "w", "W", r"\mathbf{w}", r"\mathbf{W}", r"\boldsymbol{\theta}", "x", r"\mathbf{x}", "p"),
    "grad": ("g", r"\mathbf{g}", "dw", "dW", "dx"),
    "lr": (r"\eta", r"\alpha", r"\gamma", "lr", r"\text{lr}", r"\operatorname{lr}"),
    "momentum": (r"\mu", r"\beta", r"\gamma"),
    "velocity": ("v", "b", r"\mathbf{v}"),
    "sq_avg": ("s", "G", "r", "v", r"\mathbf{s}"),
    "beta1": (r"\beta_1",), "beta2": (r"\beta_2",),
    "m": ("m", r"\mathbf{m}"), "v": ("v", r"\mathbf{v}"),
    "m_hat": (r"\hat{m}", r"\widehat{m}"), "v_hat": (r"\hat{v}", r"\widehat{v}"),
    "eps": (r"\epsilon", r"\varepsilon"), "step": ("t",), "alpha": (r"\alpha", r"\rho", r"\beta", r"\gamma"),
    "weight_decay": (r"\lambda",), "clip": ("c", r"\tau"), "dampening": (r"\tau",),
}

#: sampling intervals for counterexamples (lo, hi, open_lo, open_hi)
INTERVALS = {"momentum": (0, 1, True, True), "beta1": (0, 1, True, True), "beta2": (0, 1, True, True),
             "alpha": (0, 1, True, True), "eps": (0, 1, True, False), "lr": (0, 1, True, False),
             "sq_avg": (0, 4, False, False), "v": (0, 4, False, False), "v_hat": (0, 4, False, False),
             "weight_decay": (0, 1, True, False), "clip": (0, 3, True, False), "grad_norm": (0, 4, True, False),
             "dampening": (0, 1, False, False), "step": (1, 6, False, False)}


@dataclass
class Optimizer:
    name: str
    updates: dict[str, sp.Expr]                  # role -> new value (in canonical symbols)
    reference: str                               # paper and PyTorch formula
    defaults: dict[str, sp.Expr] = field(default_factory=dict)
    variants: dict[str, tuple[str, dict[str, sp.Expr]]] = field(default_factory=dict)  # name -> (why, updates)
    order: list[str] = field(default_factory=list)
    #: role -> the update written as successive lines (each applied to the previous line's result)
    lines: dict[str, list] = field(default_factory=dict)
    #: role -> (why, value, the role it follows): a quantity the reference's documentation computes within
    #: a step and the update then uses (PyTorch's Nesterov gradient); not run, the updates already hold it
    intermediates: dict[str, tuple] = field(default_factory=dict)
    #: role -> (why, value): the reference's update with a parameter that is 0 in it (PyTorch's dampening
    #: tau); a claim that writes the parameter is judged against this form
    general: dict[str, tuple] = field(default_factory=dict)
    #: (name, why): the optimizer this one is when its gradient is taken at the point the run stores (the
    #: look-ahead algorithm in the variables of that point); a run with the plain gradient is judged as it
    stored_point: tuple = ()
    #: role -> [(library, value)]: the defaults other libraries ship (Keras's RMSprop rho = 0.9): a claim that
    #: states one of them is true under that library, not wrong
    library_defaults: dict = field(default_factory=dict)

    def sequence(self) -> list[str]:
        """The roles in the order one step computes them (intermediates after the role they follow)."""
        out = list(self.order or self.updates)
        for role, (_, _, after) in self.intermediates.items():
            out.insert(out.index(after) + 1 if after in out else 0, role)
        return out


S = SYM
_th, _g, _lr = S["param"], S["grad"], S["lr"]
_mu, _b = S["momentum"], S["velocity"]
_eps = S["eps"]

_adam_updates = {
    "m": S["beta1"] * S["m"] + (1 - S["beta1"]) * _g,
    "v": S["beta2"] * S["v"] + (1 - S["beta2"]) * _g ** 2,
    "m_hat": S["m"] / (1 - S["beta1"] ** S["step"]),
    "v_hat": S["v"] / (1 - S["beta2"] ** S["step"]),
    "param": _th - _lr * S["m_hat"] / (sp.sqrt(S["v_hat"]) + _eps),
}
_eps_inside = "epsilon inside the square root"

OPTIMIZERS: dict[str, Optimizer] = {
    "gd": Optimizer("gradient descent", {"param": _th - _lr * _g},
                    "Cauchy 1847; torch.optim.SGD with momentum=0: $\\theta_t = \\theta_{t-1} - \\gamma g_t$"),
    "momentum": Optimizer(
        "SGD with momentum", {"velocity": _mu * _b + _g, "param": _th - _lr * _b},
        "Polyak 1964; torch.optim.SGD (dampening=0): $b_t = \\mu b_{t-1} + g_t$, $\\theta_t = \\theta_{t-1} - \\gamma b_t$",
        variants={"dampening": ("momentum with dampening $1 - \\beta$ (an exponential moving average; the same "
                                "trajectory as the reference with the learning rate scaled by $1/(1 - \\beta)$)",
                                {"velocity": _mu * _b + (1 - _mu) * _g})},
        order=["velocity", "param"],
        general={"velocity": ("torch.optim.SGD with dampening $\\tau$: $b_t = \\mu b_{t-1} + (1 - \\tau) g_t$ "
                              "($\\tau = 0$, the default, is the reference)", _mu * _b + (1 - S["dampening"]) * _g)}),
    "nesterov": Optimizer(
        "Nesterov momentum", {"velocity": _mu * _b + S["lookahead_grad"], "param": _th - _lr * _b,
                              "lookahead": _th - _lr * _mu * _b},
        "Nesterov 1983; Sutskever et al. 2013, eq. 3-4, with $v = -\\eta b$: the gradient is taken at "
        "$\\theta - \\eta \\mu b$; torch.optim.SGD(nesterov=True) is the same algorithm in shifted variables",
        order=["lookahead", "velocity", "param"],
        stored_point=("nesterov_pytorch", "with the gradient taken at the stored point, that point is the look-ahead "
                      "$p = \\theta + \\mu v$ and the algorithm is its PyTorch form (theorem nesterov_equivalence)")),
    "nesterov_pytorch": Optimizer(
        "Nesterov momentum (PyTorch form)", {"velocity": _mu * _b + _g, "param": _th - _lr * (_g + _mu * _b)},
        "torch.optim.SGD(nesterov=True): $b_t = \\mu b_{t-1} + g_t$, $\\theta_t = \\theta_{t-1} - \\gamma (g_t + \\mu b_t)$; "
        "the look-ahead algorithm in the variables $p = \\theta + \\mu v$, $b = -v/\\eta$ (theorem nesterov_equivalence), "
        "with the gradient taken at the current parameters",
        order=["velocity", "param"],
        intermediates={"grad": ("PyTorch's Nesterov gradient $g_t \\leftarrow g_t + \\mu b_t$, which the step "
                                "$\\theta_t = \\theta_{t-1} - \\gamma g_t$ then uses", _g + _mu * _b, "velocity")},
        general={"velocity": ("torch.optim.SGD(nesterov=True) with dampening $\\tau$: $b_t = \\mu b_{t-1} + "
                              "(1 - \\tau) g_t$ ($\\tau = 0$, the default, is the reference)",
                              _mu * _b + (1 - S["dampening"]) * _g)}),
    "adagrad": Optimizer(
        "AdaGrad", {"sq_avg": S["sq_avg"] + _g ** 2, "param": _th - _lr * _g / (sp.sqrt(S["sq_avg"]) + _eps)},
        "Duchi et al. 2011; torch.optim.Adagrad: $\\theta_t = \\theta_{t-1} - \\gamma g_t / (\\sqrt{s_t} + \\epsilon)$",
        defaults={"eps": sp.Rational(1, 10**10)},
        variants={"eps_inside": (_eps_inside, {"param": _th - _lr * _g / sp.sqrt(S["sq_avg"] + _eps)})},
        order=["sq_avg", "param"]),
    "rmsprop": Optimizer(
        "RMSprop", {"sq_avg": S["alpha"] * S["sq_avg"] + (1 - S["alpha"]) * _g ** 2,
                    "param": _th - _lr * _g / (sp.sqrt(S["sq_avg"]) + _eps)},
        "Tieleman & Hinton 2012, lecture 6e; torch.optim.RMSprop: $v_t = \\alpha v_{t-1} + (1-\\alpha) g_t^2$, "
        "$\\theta_t = \\theta_{t-1} - \\gamma g_t / (\\sqrt{v_t} + \\epsilon)$",
        defaults={"alpha": sp.Rational(99, 100), "eps": sp.Rational(1, 10**8)},
        variants={"eps_inside": (_eps_inside, {"param": _th - _lr * _g / sp.sqrt(S["sq_avg"] + _eps)})},
        order=["sq_avg", "param"],
        library_defaults={"alpha": [("Keras and TensorFlow (rho = 0.9, the value of Hinton's lecture 6e)", sp.Rational(9, 10))],
                          "eps": [("Keras and TensorFlow", sp.Rational(1, 10**7))]}),
    "adam": Optimizer(
        "Adam", dict(_adam_updates),
        "Kingma & Ba 2015, Algorithm 1; torch.optim.Adam: $\\theta_t = \\theta_{t-1} - \\gamma \\hat m_t / "
        "(\\sqrt{\\hat v_t} + \\epsilon)$",
        defaults={"lr": sp.Rational(1, 1000), "beta1": sp.Rational(9, 10), "beta2": sp.Rational(999, 1000),
                  "eps": sp.Rational(1, 10**8)},
        library_defaults={"eps": [("Keras and TensorFlow", sp.Rational(1, 10**7))]},
        variants={"eps_inside": (_eps_inside, {"param": _th - _lr * S["m_hat"] / sp.sqrt(S["v_hat"] + _eps)})},
        order=["m", "v", "m_hat", "v_hat", "param"]),
    "adamw": Optimizer(
        "AdamW", {**_adam_updates, "param": _th - _lr * S["weight_decay"] * _th
                  - _lr * S["m_hat"] / (sp.sqrt(S["v_hat"]) + _eps)},
        "Loshchilov & Hutter 2019, Algorithm 2; torch.optim.AdamW: $\\theta \\leftarrow \\theta - \\gamma\\lambda\\theta$, "
        "then the Adam step",
        defaults={"weight_decay": sp.Rational(1, 100)},
        order=["m", "v", "m_hat", "v_hat", "param"],
        lines={"param": [("the decoupled weight decay", _th - _lr * S["weight_decay"] * _th),
                         ("the Adam step", _th - _lr * S["m_hat"] / (sp.sqrt(S["v_hat"]) + _eps))]}),
    "clip_value": Optimizer(
        "gradient clipping by value", {"grad": sp.Min(sp.Max(_g, -S["clip"]), S["clip"])},
        "torch.nn.utils.clip_grad_value_: every entry clamped to $[-c, c]$"),
    "clip_norm": Optimizer(
        "gradient clipping by norm", {"grad": _g * sp.Min(1, S["clip"] / S["grad_norm"])},
        "Pascanu et al. 2013, Algorithm 1; torch.nn.utils.clip_grad_norm_: $g \\min(1, c / \\|g\\|)$"),
    "l2": Optimizer(
        "L2 regularisation as a gradient term", {"grad": _g + S["weight_decay"] * _th},
        "the gradient of $\\frac{\\lambda}{2}\\|\\theta\\|^2$ added to $g$; torch.optim.SGD(weight_decay=$\\lambda$)"),
}


#: algorithm -> keyword -> setting -> the algorithm that setting selects: torch.optim.SGD(momentum, nesterov)
#: and optax.sgd(momentum, nesterov) keep one buffer and choose the heavy-ball or the Nesterov step by it
_SGD_NESTEROV = {"nesterov": {False: "momentum", True: "nesterov_pytorch"}}
FLAG_FORMS: dict[str, dict] = {"momentum": _SGD_NESTEROV, "nesterov_pytorch": _SGD_NESTEROV}


def run(name: str, grad, theta0: float, steps: int, hyper: dict, variant: str | None = None) -> list[float]:
    """Iterate a reference optimizer numerically from its SymPy updates (one scalar parameter).

    ``grad(theta)`` gives the gradient; ``hyper`` maps role names (``lr``, ``beta1``, ...) to numbers.
    State starts at 0, the step counter at 1.  Returns the parameter after each step.
    """
    opt = OPTIMIZERS[name]
    updates = dict(opt.updates)
    if variant:
        updates.update(opt.variants[variant][1])
    order = opt.order or list(updates)
    fns = {role: sp.lambdify(list(SYM.values()), updates[role], modules="math") for role in order}
    state = {role: 0.0 for role in SYM}
    state.update({k: float(v) for k, v in hyper.items()})
    state["param"] = float(theta0)
    out = []
    for t in range(1, steps + 1):
        state["step"] = t
        state["grad"] = grad(state["param"])
        for role in order:
            if role == "velocity" and name == "nesterov":
                state["lookahead_grad"] = grad(state["lookahead"])
            state[role] = fns[role](*[state[r] for r in SYM])
        out.append(state["param"])
    return out


# --------------------------------------------------------------------------- proofs
def _ok(expr) -> bool:
    # the zero test tries expansion and cancellation before simplify(): most of these gaps are polynomial
    return is_zero(expr) is True


def prove_adam_bias_correction():
    r"""Unroll :math:`m_t = \beta m_{t-1} + (1-\beta) g_t`, :math:`m_0 = 0`, for symbolic t.

    :math:`m_t = (1-\beta)\sum_{i=1}^t \beta^{t-i} g_i`; the weights sum to :math:`1-\beta^t`
    (geometric series), so with stationary gradients :math:`E[\hat m_t] = E[g]`; the same
    argument with :math:`g^2` gives :math:`E[\hat v_t] = E[g^2]`.
    """
    b = sp.Symbol(r"\beta", positive=True)
    t, i = sp.symbols("t i", integer=True, positive=True)
    g = sp.IndexedBase("g")
    closed = lambda T: (1 - b) * sp.Sum(b ** (T - i) * g[i], (i, 1, T))
    steps = [("claim (closed form), m_0 = 0", _tex(sp.Eq(sp.Symbol("m_t"), closed(t))))]
    base = closed(1).doit() - (1 - b) * g[1]
    steps.append(("base case t = 1: m_1 = (1 - beta) g_1", "0" if _ok(base) else _tex(base)))
    # Inductive step: split off the last term of closed(t); what is left against beta*closed(t-1)
    # is one sum over i = 1..t-1 whose summand beta^(t-i) - beta*beta^(t-1-i) is 0.
    summand = sp.powsimp(b ** (t - i) - b * b ** (t - 1 - i), force=True)
    ok_step = _ok(summand) and _induction_check(b)
    steps.append(("inductive step: closed(t) - beta closed(t-1) - (1-beta) g_t = (1-beta) sum_{i<t} "
                  "(beta^(t-i) - beta beta^(t-1-i)) g_i", "0" if ok_step else "?"))
    weights = ((1 - b) * sp.Sum(b ** (t - i), (i, 1, t))).doit()
    weights = sp.piecewise_fold(weights)
    if isinstance(weights, sp.Piecewise):  # sympy splits off beta = 1, excluded by 0 < beta < 1
        weights = next(e for e, c in weights.args if c.subs(b, sp.Rational(1, 2)) is sp.true)
    ok_w = _ok(weights - (1 - b ** t))
    steps.append(("sum of the weights (geometric series)",
                  _tex(sp.Eq((1 - b) * sp.Sum(b ** (t - i), (i, 1, t)), sp.simplify(weights)))))
    steps.append(("stationary gradients E[g_i] = E[g]: E[m_t] = (1 - beta^t) E[g], so E[m_t / (1 - beta^t)] = E[g]",
                  r"E[\hat m_t] = E[g]"))
    ok = _ok(base) and ok_step and ok_w
    return Finding(True if ok else None,
            "m_t = (1-beta) sum_i beta^(t-i) g_i by induction on symbolic t; the weights sum to 1 - beta^t, "
            "so dividing by 1 - beta^t makes the estimate unbiased for stationary gradients (v_t alike with g^2)",
            steps)


def _induction_check(b):
    """The inductive step at explicit t = 2..6 as a cross-check of the symbolic one."""
    g = sp.symbols("g1:8", real=True)
    for t in range(2, 7):
        closed = lambda T: (1 - b) * sum(b ** (T - i) * g[i - 1] for i in range(1, T + 1))
        if not _ok(closed(t) - (b * closed(t - 1) + (1 - b) * g[t - 1])):
            return False
    return True


def prove_momentum_equivalence(t_max: int = 5):
    r""":math:`v=\beta v+g`, step :math:`\eta v` and :math:`v'=\beta v'+(1-\beta)g`, step
    :math:`\frac{\eta}{1-\beta} v'` give the same iterates.

    Induction on t (symbolic): if :math:`v'_{t-1}=(1-\beta)v_{t-1}` then
    :math:`v'_t=(1-\beta)v_t`; checked again by unrolling t = 1..t_max with arbitrary gradients.
    """
    b, lr = sp.Symbol(r"\beta", positive=True), sp.Symbol(r"\eta", positive=True)
    v_prev, g = sp.symbols("v_{t-1} g_t", real=True)
    step_ok = _ok(b * (1 - b) * v_prev + (1 - b) * g - (1 - b) * (b * v_prev + g))
    steps = [("inductive step: beta (1-beta) v_{t-1} + (1-beta) g_t = (1-beta)(beta v_{t-1} + g_t)",
              "0" if step_ok else "?"),
             ("parameter steps agree: eta v_t = eta/(1-beta) * (1-beta) v_t", "0")]
    gs = sp.symbols(f"g1:{t_max + 1}", real=True)
    th1 = th2 = sp.Symbol(r"\theta_0", real=True)
    v1 = v2 = sp.S.Zero
    ok = step_ok
    for t in range(t_max):
        v1 = b * v1 + gs[t]
        v2 = b * v2 + (1 - b) * gs[t]
        th1, th2 = th1 - lr * v1, th2 - lr / (1 - b) * v2
        ok = ok and _ok(th1 - th2)
    steps.append((f"unrolled for t = 1..{t_max} with arbitrary g_t: theta_t - theta'_t", "0" if ok else "?"))
    return Finding(True if ok else None,
            "the dampened form with learning rate eta/(1-beta) has v' = (1-beta) v at every step (induction on "
            f"symbolic t, and unrolled for t = 1..{t_max}), hence identical iterates", steps)


def prove_nesterov_equivalence():
    r"""Sutskever's look-ahead form and PyTorch's form are one algorithm.

    Look-ahead: :math:`v_t = \mu v_{t-1} - \eta \nabla f(\theta_{t-1} + \mu v_{t-1})`,
    :math:`\theta_t = \theta_{t-1} + v_t`.  PyTorch: :math:`b_t = \mu b_{t-1} + \nabla f(p_{t-1})`,
    :math:`p_t = p_{t-1} - \eta(\nabla f(p_{t-1}) + \mu b_t)`.  With :math:`p = \theta + \mu v` and
    :math:`b = -v/\eta`, one step of either maps to one step of the other (for any f).
    """
    mu, lr = sp.Symbol(r"\mu", positive=True), sp.Symbol(r"\eta", positive=True)
    th, v = sp.symbols(r"\theta_{t-1} v_{t-1}", real=True)
    f = sp.Function("f")
    grad = lambda x: sp.Subs(sp.Derivative(f(sp.Symbol("x")), sp.Symbol("x")), sp.Symbol("x"), x)
    # look-ahead step
    v_new = mu * v - lr * grad(th + mu * v)
    th_new = th + v_new
    # PyTorch step from the mapped state
    p, b = th + mu * v, -v / lr
    b_new = mu * b + grad(p)
    p_new = p - lr * (grad(p) + mu * b_new)
    ok_b = _ok(b_new - (-v_new / lr))
    ok_p = _ok(p_new - (th_new + mu * v_new))
    steps = [("change of variables", r"p = \theta + \mu v,\quad b = -v/\eta"),
             ("buffer after one step: b_t + v_t/eta", "0" if ok_b else "?"),
             ("parameter after one step: p_t - (theta_t + mu v_t)", "0" if ok_p else "?")]
    return Finding(True if ok_b and ok_p else None,
            "with p = theta + mu v and b = -v/eta one look-ahead step is one PyTorch step for any f; "
            "by induction the trajectories correspond at every t", steps)


def eps_placement_ratio(g=sp.Rational(1, 10**6), eps=sp.Rational(1, 10**8)):
    r"""Ratio of the step with :math:`\epsilon` outside the root to the step with it inside.

    For a gradient :math:`g` with second-moment estimate :math:`v = g^2` (Adam's first step,
    or a steady gradient): :math:`r = \sqrt{g^2+\epsilon} / (|g| + \epsilon)`.
    """
    G, E = sp.Symbol("g", positive=True), sp.Symbol(r"\epsilon", positive=True)
    outside = G / (sp.sqrt(G ** 2) + E)
    inside = G / sp.sqrt(G ** 2 + E)
    r = sp.simplify(outside / inside)
    val = r.subs({G: g, E: eps})
    steps = [("step with epsilon outside / step with epsilon inside, v = g^2", _tex(sp.Eq(sp.Symbol("r"), r))),
             (f"at g = {g}, epsilon = {eps}", f"r = {sp.N(val, 8)}")]
    return r, val, steps


def prove_lr_divergence():
    r"""Gradient descent on :math:`f(\theta) = \frac{\lambda}{2}\theta^2` diverges iff :math:`\eta > 2/\lambda`.

    :math:`\theta_t = (1 - \eta\lambda)^t \theta_0`; :math:`|1-\eta\lambda| > 1 \iff \eta\lambda > 2`
    (for :math:`\eta, \lambda > 0`); it oscillates in sign when :math:`\eta\lambda > 1`. For a
    quadratic with Hessian eigenvalues :math:`\lambda_i` the same holds with :math:`\lambda_{max}`.
    """
    lam, lr, th0 = sp.Symbol(r"\lambda", positive=True), sp.Symbol(r"\eta", positive=True), sp.Symbol(r"\theta_0")
    th = sp.Symbol(r"\theta")
    step = sp.expand(th - lr * sp.diff(lam / 2 * th ** 2, th))
    factor = sp.simplify(step / th)
    x = sp.Symbol("x", positive=True)
    region = sp.solve_univariate_inequality(sp.Abs(1 - x) > 1, x, relational=False) & sp.Interval.open(0, sp.oo)
    ok = region == sp.Interval.open(2, sp.oo)
    steps = [("one step", _tex(sp.Eq(sp.Symbol(r"\theta_t"), factor * sp.Symbol(r"\theta_{t-1}")))),
             ("so", _tex(sp.Eq(sp.Symbol(r"\theta_t"), factor ** sp.Symbol("t") * th0))),
             (r"|1 - x| > 1 for x = \eta\lambda > 0 exactly when", _tex(region))]
    return Finding(True if ok else None,
            "on a quadratic, gradient descent multiplies the error by (1 - lr*lambda) each step: it diverges "
            "exactly when lr > 2/lambda_max and oscillates in sign when lr > 1/lambda_max", steps)


#: Named results a catalogue claim can invoke with ``theorem = "..."``.
# --------------------------------------------------------------------------- numeric checks
def _rng(seed):
    import random
    return random.Random(seed)


def check_adam_bias_correction():
    """Simulate m_t = b m + (1-b) g from m_0 = 0 with random g: the closed form, and the weights' sum 1 - b^t."""
    rng = _rng(1)
    b = mpmath.mpf(rng.uniform(0.5, 0.99))
    g = [mpmath.mpf(rng.uniform(-2, 2)) for _ in range(12)]
    m = mpmath.mpf(0)
    for t in range(1, 13):
        m = b * m + (1 - b) * g[t - 1]
        closed = (1 - b) * mpmath.fsum(b ** (t - i) * g[i - 1] for i in range(1, t + 1))
        weights = (1 - b) * mpmath.fsum(b ** (t - i) for i in range(1, t + 1))
        if abs(m - closed) > 1e-30 or abs(weights - (1 - b ** t)) > 1e-30:
            return False, f"the closed form fails at t = {t}"
    return True, "m_t simulated for t = 1..12 with random gradients equals the closed form; weights sum to 1 - b^t"


def check_momentum_equivalence():
    rng = _rng(2)
    b, lr = mpmath.mpf(rng.uniform(0.5, 0.95)), mpmath.mpf(rng.uniform(0.01, 0.5))
    a, c = mpmath.mpf(rng.uniform(0.5, 2)), mpmath.mpf(rng.uniform(-1, 1))
    grad = lambda th: a * th + c + mpmath.sin(th)
    th1 = th2 = mpmath.mpf(rng.uniform(-2, 2))
    v1 = v2 = mpmath.mpf(0)
    for _ in range(30):
        v1 = b * v1 + grad(th1)
        th1 = th1 - lr * v1
        v2 = b * v2 + (1 - b) * grad(th2)
        th2 = th2 - lr / (1 - b) * v2
        if abs(th1 - th2) > 1e-25:
            return False, "the two forms' iterates differ"
    return True, "30 steps of both forms on a nonlinear objective give the same iterates"


def check_nesterov_equivalence():
    rng = _rng(3)
    mu, lr = mpmath.mpf(rng.uniform(0.5, 0.95)), mpmath.mpf(rng.uniform(0.01, 0.2))
    grad = lambda x: 2 * x + mpmath.cos(x)
    th, v = mpmath.mpf(rng.uniform(-2, 2)), mpmath.mpf(0)
    p, bb = th + mu * v, -v / lr
    for _ in range(25):
        v = mu * v - lr * grad(th + mu * v)
        th = th + v
        bb = mu * bb + grad(p)
        p = p - lr * (grad(p) + mu * bb)
        if abs(p - (th + mu * v)) > 1e-25 or abs(bb + v / lr) > 1e-20:
            return False, "the mapped iterates differ"
    return True, "25 steps of the look-ahead and PyTorch forms correspond under p = theta + mu v, b = -v/eta"


def check_lr_divergence():
    lam = mpmath.mpf(3)
    grow = lambda lr: abs(mpmath.mpf(1) - lr * lam) ** 200
    below, above = grow(1.9 / lam), grow(2.1 / lam)
    ok = below < 1e-3 and above > 1e3
    return ok, f"after 200 steps |theta| scales by {mpmath.nstr(below, 3)} at lr = 1.9/lambda, " \
               f"{mpmath.nstr(above, 3)} at 2.1/lambda"


#: Named results a catalogue claim can invoke with ``theorem = "..."``.
THEOREMS = {
    "adam_bias_correction": Theorem("adam_bias_correction", prove_adam_bias_correction, check_adam_bias_correction,
                                    "adam"),
    "momentum_equivalence": Theorem("momentum_equivalence", prove_momentum_equivalence, check_momentum_equivalence,
                                    "momentum"),
    "nesterov_equivalence": Theorem("nesterov_equivalence", prove_nesterov_equivalence, check_nesterov_equivalence,
                                    "nesterov"),
    "lr_divergence": Theorem("lr_divergence", prove_lr_divergence, check_lr_divergence),
}
