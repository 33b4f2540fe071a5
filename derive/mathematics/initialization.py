r"""Initialisation results, derived: He's second moment, symmetry under equal weights, AdaGrad's decay.

Each function returns ``(verdict, reason, steps)``; catalogue claims invoke them by
name (``theorem = "..."``), see :data:`THEOREMS`.
"""
from __future__ import annotations

import sympy as sp

from .primitives import ReLU, Sigmoid, Step

__all__ = ["prove_he_second_moment", "prove_symmetric_init", "zero_init_no_learning", "adagrad_lr_decay",
           "THEOREMS"]


def prove_he_second_moment():
    r"""For :math:`z \sim N(0, s^2)`, :math:`E[\mathrm{ReLU}(z)^2] = s^2/2` (exact integral), so
    :math:`y = \sum_{i=1}^{n} w_i\,\mathrm{ReLU}(z_i)` with independent zero-mean :math:`w_i` of variance
    :math:`\sigma^2` has :math:`E[y^2] = n\sigma^2 s^2/2`, equal to :math:`s^2` iff :math:`\sigma^2 = 2/n`
    (He et al. 2015, eq. 10)."""
    x = sp.Symbol("x", real=True)
    s = sp.Symbol("s", positive=True)
    n = sp.Symbol("n_{in}", integer=True, positive=True)
    var = sp.Symbol(r"\sigma^2", positive=True)
    density = sp.exp(-x ** 2 / (2 * s ** 2)) / sp.sqrt(2 * sp.pi * s ** 2)
    second = sp.simplify(sp.integrate(x ** 2 * density, (x, 0, sp.oo)))
    total = sp.simplify(sp.integrate(x ** 2 * density, (x, -sp.oo, sp.oo)))
    ey2 = n * var * second
    sol = sp.solve(sp.Eq(ey2, s ** 2), var)
    steps = [(r"E[\mathrm{ReLU}(z)^2] = \int_0^\infty x^2 \varphi_s(x)\,dx", sp.latex(second)),
             (r"E[z^2] = \int_{-\infty}^{\infty} x^2 \varphi_s(x)\,dx", sp.latex(total)),
             ("independent zero-mean weights: E[y^2] = n Var(w) E[ReLU(z)^2]", sp.latex(ey2)),
             ("second moment preserved, E[y^2] = s^2, exactly when", sp.latex(sp.Eq(var, sol[0])))]
    ok = sp.simplify(second - s ** 2 / 2) == 0 and sp.simplify(sol[0] - 2 / n) == 0
    return ("proved" if ok else "refuted",
            "ReLU keeps half the second moment of a symmetric input (exact integral), so Var(w) = 2/n_in "
            "keeps E[z^2] the same from layer to layer", steps)


def _two_layer(f):
    """One example through 2 inputs -> 2 hidden units (activation f) -> 1 linear output, L = (o - y)^2 / 2."""
    x = sp.symbols("x1:3", real=True)
    y = sp.Symbol("y", real=True)
    W = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))
    b = sp.symbols("b1:3", real=True)
    v = sp.symbols("v1:3", real=True)
    c = sp.Symbol("c", real=True)
    h = [f(W[j, 0] * x[0] + W[j, 1] * x[1] + b[j]) for j in range(2)]
    o = v[0] * h[0] + v[1] * h[1] + c
    L = (o - y) ** 2 / 2
    params = list(W) + list(b) + list(v) + [c]
    return L, params, dict(W=W, b=b, v=v, c=c, x=x, y=y)


def prove_symmetric_init():
    r"""With equal incoming weights, biases and outgoing weights, two hidden units get equal
    gradients, for any differentiable activation; so gradient descent keeps them equal forever
    (induction on the step), and the layer behaves like a single unit."""
    f = sp.Function("f")
    L, params, P = _two_layer(f)
    grads = {p: sp.diff(L, p) for p in params}
    W, b, v = P["W"], P["b"], P["v"]
    sym = {W[1, 0]: W[0, 0], W[1, 1]: W[0, 1], b[1]: b[0], v[1]: v[0]}
    pairs = [(W[0, 0], W[1, 0]), (W[0, 1], W[1, 1]), (b[0], b[1]), (v[0], v[1])]
    ok = all(sp.simplify((grads[p] - grads[q]).xreplace(sym).doit()) == 0 for p, q in pairs)
    steps = [("network", r"o = \sum_{j=1}^{2} v_j f(w_j^\top x + b_j) + c,\quad L = \tfrac12 (o - y)^2"),
             ("with w_2 = w_1, b_2 = b_1, v_2 = v_1: dL/dw_1 - dL/dw_2, dL/db_1 - dL/db_2, dL/dv_1 - dL/dv_2",
              "0" if ok else "?"),
             ("so one gradient step keeps the units equal; by induction they stay equal", r"\forall t")]
    return ("proved" if ok else "refuted",
            "hidden units that start equal get equal gradients for any activation (and so stay equal): "
            "symmetric initialisation, zero included, never breaks symmetry", steps)


def zero_init_no_learning():
    r"""'All weights 0: no learning' checked exactly for tanh, ReLU (ReLU'(0) = 0) and sigmoid."""
    steps = []
    facts = {}
    for name, f in (("tanh", sp.tanh), ("relu", ReLU), ("sigmoid", Sigmoid)):
        L, params, P = _two_layer(f)
        zero = {p: 0 for p in params if p != P["c"]}  # c free: covers every later step too
        grads = {str(p): sp.simplify(sp.diff(L, p).subs(zero).doit().replace(Step, lambda u: Step(u))) for p in params}
        moving = {k: g for k, g in grads.items() if g != 0}
        facts[name] = moving
        steps.append((f"{name}: nonzero gradients at W = b = v = 0 (any output bias c)",
                      ", ".join(f"dL/d{k} = {sp.latex(g)}" for k, g in moving.items()) or "none"))
    sig = facts["sigmoid"]
    learns = any(k.startswith("v") for k in sig)
    steps.append(("tanh and ReLU: h = f(0) = 0 and v = 0 make every weight gradient 0 at every step; "
                  "only the output bias c moves", "W, b, v \\text{ stay } 0"))
    steps.append(("sigmoid: h = 1/2, so the output weights move (identically); then the hidden weights get "
                  "gradient delta v_j sigma'(0) x, also identical", "\\text{learns as one hidden unit}"))
    return ("refuted" if learns else "proved",
            "not 'no learning' in general: with sigmoid the output weights get dL/dv_j = (c - y)/2 at zero init "
            "and the network learns, but every hidden unit stays identical (one effective unit); with tanh or "
            "ReLU (ReLU'(0) = 0) every weight gradient is exactly 0 forever and only the output bias learns",
            steps, {"activation": "sigmoid", "at": "W = b = v = 0", "dL/dv_j": "(c - y)/2"})


def adagrad_lr_decay():
    r"""AdaGrad's effective rate :math:`\eta/\sqrt{s_t}` tends to 0 iff :math:`\sum_t g_t^2` diverges.

    Counterexample to an unconditional 'lr -> 0': :math:`g_t = 2^{-t}` gives
    :math:`s_t \to \sum_{t\ge1} 4^{-t} = 1/3`, so the rate tends to :math:`\eta\sqrt{3}`."""
    t = sp.Symbol("t", integer=True, positive=True)
    lr = sp.Symbol(r"\eta", positive=True)
    s_inf = sp.summation(sp.Rational(1, 4) ** t, (t, 1, sp.oo))
    rate = sp.simplify(lr / sp.sqrt(s_inf))
    steps = [("s_t = sum_{k<=t} g_k^2 is non-decreasing (it grows while gradients are nonzero)", r"s_t \uparrow"),
             ("with g_t = 2^{-t}", sp.latex(sp.Eq(sp.Symbol(r"s_\infty"), s_inf))),
             ("the effective learning rate tends to", sp.latex(rate))]
    return ("refuted",
            f"s keeps growing, but the rate eta/sqrt(s) tends to 0 only if sum g_t^2 diverges: with g_t = 2^-t, "
            f"s -> {s_inf} and the rate -> {rate}", steps, {"g_t": "2^-t", "s_inf": str(s_inf), "rate": str(rate)})


def xavier_compromise():
    r"""Glorot & Bengio: the forward pass keeps :math:`\mathrm{Var}(z)` iff :math:`n_{in}\mathrm{Var}(w) = 1`,
    the backward pass keeps the gradient's variance iff :math:`n_{out}\mathrm{Var}(w) = 1`;
    :math:`2/(n_{in}+n_{out})` is the harmonic mean of :math:`1/n_{in}` and :math:`1/n_{out}`, and meets
    both conditions only when :math:`n_{in} = n_{out}`."""
    a, b = sp.symbols("n_{in} n_{out}", positive=True)
    var = 2 / (a + b)
    harmonic = 2 / (1 / (1 / a) + 1 / (1 / b))
    fwd, bwd = sp.simplify(a * var), sp.simplify(b * var)
    both = sp.solve([sp.Eq(fwd, 1), sp.Eq(bwd, 1)], [a, b], dict=True)
    steps = [("harmonic mean of 1/n_in and 1/n_out", sp.latex(sp.Eq(sp.simplify(harmonic), var))),
             ("forward variance factor n_in Var(w)", sp.latex(fwd)),
             ("backward variance factor n_out Var(w)", sp.latex(bwd)),
             ("both equal 1 exactly when", "n_{in} = n_{out}" if both and all(sp.simplify(d[a] - b) == 0
                                                                            for d in both if a in d) else sp.latex(both))]
    ce = {"n_in": "1", "n_out": "3", "forward factor": str(fwd.subs({a: 1, b: 3})),
          "backward factor": str(bwd.subs({a: 1, b: 3}))}
    return ("refuted",
            "Xavier's 2/(n_in + n_out) is a compromise (the harmonic mean of the forward 1/n_in and backward "
            "1/n_out conditions): it keeps the variance across a layer only when n_in = n_out; with n_in = 1, "
            f"n_out = 3 the forward pass scales the variance by {ce['forward factor']}", steps, ce)


THEOREMS = {
    "xavier_compromise": xavier_compromise,
    "he_second_moment": prove_he_second_moment,
    "symmetric_init": prove_symmetric_init,
    "zero_init_no_learning": zero_init_no_learning,
    "adagrad_lr_decay": adagrad_lr_decay,
}
