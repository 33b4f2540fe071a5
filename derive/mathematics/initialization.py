r"""Initialisation results, derived: He's second moment, symmetry under equal weights, AdaGrad's decay.

Each function returns ``(verdict, reason, steps)``; catalogue claims invoke them by
name (``theorem = "..."``), see :data:`THEOREMS`.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from .findings import Finding, Theorem
from .printing import tex as _tex
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
    steps = [(r"E[\mathrm{ReLU}(z)^2] = \int_0^\infty x^2 \varphi_s(x)\,dx", _tex(second)),
             (r"E[z^2] = \int_{-\infty}^{\infty} x^2 \varphi_s(x)\,dx", _tex(total)),
             ("independent zero-mean weights: E[y^2] = n Var(w) E[ReLU(z)^2]", _tex(ey2)),
             ("second moment preserved, E[y^2] = s^2, exactly when", _tex(sp.Eq(var, sol[0])))]
    ok = sp.simplify(second - s ** 2 / 2) == 0 and sp.simplify(sol[0] - 2 / n) == 0
    return Finding(True if ok else None,
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
    return Finding(True if ok else None,
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
                      ", ".join(f"dL/d{k} = {_tex(g)}" for k, g in moving.items()) or "none"))
    sig = facts["sigmoid"]
    learns = any(k.startswith("v") for k in sig)
    steps.append(("tanh and ReLU: h = f(0) = 0 and v = 0 make every weight gradient 0 at every step; "
                  "only the output bias c moves", "W, b, v \\text{ stay } 0"))
    steps.append(("sigmoid: h = 1/2, so the output weights move (identically); then the hidden weights get "
                  "gradient delta v_j sigma'(0) x, also identical", "\\text{learns as one hidden unit}"))
    if not learns:
        return Finding(True, "with tanh, ReLU and sigmoid every weight gradient is 0 at zero initialisation", steps)
    return Finding(False,
            "not 'no learning' in general: with sigmoid the output weights get dL/dv_j = (c - y)/2 at zero init "
            "and the network learns, but every hidden unit stays identical (one effective unit); with tanh or "
            "ReLU (ReLU'(0) = 0) every weight gradient is exactly 0 forever and only the output bias learns",
            steps, {"activation": "sigmoid", "at": "W = b = v = 0", "dL/dv_j": "(c - y)/2"})


def adagrad_lr_decay():
    r"""'s keeps growing, lr -> 0': AdaGrad's rate :math:`\eta/\sqrt{s_t}` tends to 0 exactly when
    :math:`s_t = \sum_{k \le t} g_k^2` diverges.

    Derived: :math:`s_t` is non-decreasing; :math:`\eta/\sqrt{s_t} \to 0 \iff s_t \to \infty`.  Whether the
    statement needs that condition is computed, not assumed: for the gradients
    :math:`g_t = 2^{-t}` the limit of the rate is evaluated, and if it is not 0 the condition is named."""
    t = sp.Symbol("t", integer=True, positive=True)
    lr = sp.Symbol(r"\eta", positive=True)
    g2 = (sp.Rational(1, 2) ** t) ** 2
    s_inf = sp.summation(g2, (t, 1, sp.oo))
    rate = sp.simplify(lr / sp.sqrt(s_inf))
    increments_nonnegative = sp.simplify(g2).is_nonnegative
    needs_condition = s_inf.is_finite and rate != 0
    steps = [("s_t - s_{t-1} = g_t^2 >= 0: s_t is non-decreasing", r"g_t^2 \ge 0" if increments_nonnegative else "?"),
             ("the rate eta / sqrt(s_t) tends to 0 exactly when s_t diverges", r"\sum_t g_t^2 = \infty"),
             ("with g_t = 2^{-t}", _tex(sp.Eq(sp.Symbol(r"s_\infty"), s_inf))),
             ("the effective learning rate then tends to", _tex(rate))]
    if needs_condition:
        return Finding(None, f"$s$ keeps growing, and the rate $\\eta/\\sqrt{{s_t}}$ tends to 0 exactly when "
                       f"$\\sum_t g_t^2$ diverges; with $g_t = 2^{{-t}}$ it tends to ${_tex(rate)}$", steps,
                       {"g_t": "2^-t", "s_inf": str(s_inf), "rate": str(rate)},
                       condition=r"\sum_t g_t^2 = \infty")
    return Finding(True, "the rate tends to 0 for every gradient sequence tried", steps)


def xavier_compromise():
    r"""'Xavier keeps the variance of activations and gradients across layers.'

    Glorot & Bengio: the forward pass keeps :math:`\mathrm{Var}(z)` iff :math:`n_{in}\mathrm{Var}(w) = 1`,
    the backward pass keeps the gradient's variance iff :math:`n_{out}\mathrm{Var}(w) = 1`;
    :math:`2/(n_{in}+n_{out})` is the harmonic mean of :math:`1/n_{in}` and :math:`1/n_{out}`.  The factors
    are computed over layer sizes, and the statement fails where one is not 1."""
    a, b = sp.symbols("n_{in} n_{out}", positive=True)
    var = 2 / (a + b)
    harmonic = 2 / (1 / (1 / a) + 1 / (1 / b))
    fwd, bwd = sp.simplify(a * var), sp.simplify(b * var)
    both = sp.solve([sp.Eq(fwd, 1), sp.Eq(bwd, 1)], [a, b], dict=True)
    steps = [("harmonic mean of 1/n_in and 1/n_out", _tex(sp.Eq(sp.simplify(harmonic), var))),
             ("forward variance factor n_in Var(w)", _tex(fwd)),
             ("backward variance factor n_out Var(w)", _tex(bwd)),
             ("both equal 1 exactly when", _tex(both))]
    for n_in, n_out in ((1, 3), (2, 5), (4, 4)):
        f, g = fwd.subs({a: n_in, b: n_out}), bwd.subs({a: n_in, b: n_out})
        if f != 1 or g != 1:
            ce = {"n_in": str(n_in), "n_out": str(n_out), "forward factor": str(f), "backward factor": str(g)}
            return Finding(False, "Xavier's $2/(n_{in} + n_{out})$ is a compromise (the harmonic mean of the forward "
                           "$1/n_{in}$ and backward $1/n_{out}$ conditions): it keeps the variance across a layer "
                           f"only when $n_{{in}} = n_{{out}}$; with $n_{{in}} = {n_in}$, $n_{{out}} = {n_out}$ the "
                           f"forward pass scales the variance by ${f}$", steps, ce)
    return Finding(True, "the forward and backward factors are 1 at every size tried", steps)


# --------------------------------------------------------------------------- numeric checks
def check_he_second_moment():
    s = mpmath.mpf(1.7)
    phi = lambda x: mpmath.exp(-x ** 2 / (2 * s ** 2)) / mpmath.sqrt(2 * mpmath.pi * s ** 2)
    second = mpmath.quad(lambda x: x ** 2 * phi(x), [0, mpmath.inf])
    return abs(second - s ** 2 / 2) < 1e-20, f"E[ReLU(z)^2] by quadrature = {mpmath.nstr(second, 15)}, s^2/2 = " \
                                             f"{mpmath.nstr(s ** 2 / 2, 15)}"


def _net_grads(f, params):
    """Gradients of the 2-2-1 network's loss by numeric differentiation (no sympy.diff)."""
    def loss(vals):
        w11, w12, w21, w22, b1, b2, v1, v2, c = vals
        x1, x2, y = mpmath.mpf("0.7"), mpmath.mpf("-1.3"), mpmath.mpf("0.4")
        h1, h2 = f(w11 * x1 + w12 * x2 + b1), f(w21 * x1 + w22 * x2 + b2)
        return (v1 * h1 + v2 * h2 + c - y) ** 2 / 2
    out = []
    for k in range(len(params)):
        def at(t, k=k):
            vals = list(params)
            vals[k] = t
            return loss(vals)
        out.append(mpmath.diff(at, params[k]))
    return out


_NUM_ACTS = {"tanh": mpmath.tanh, "sigmoid": lambda u: 1 / (1 + mpmath.exp(-u)),
             "softplus": lambda u: mpmath.log(1 + mpmath.exp(u))}


def check_symmetric_init():
    w1, w2, b, v = (mpmath.mpf(x) for x in ("0.3", "-0.8", "0.2", "1.1"))
    for name, f in _NUM_ACTS.items():
        g = _net_grads(f, [w1, w2, w1, w2, b, b, v, v, mpmath.mpf("0.1")])
        pairs = [(0, 2), (1, 3), (4, 5), (6, 7)]
        if any(abs(g[i] - g[j]) > 1e-25 for i, j in pairs):
            return False, f"{name}: paired units get different gradients"
    return True, "with equal weights, both hidden units get equal gradients (tanh, sigmoid, softplus; numeric)"


def check_zero_init_no_learning():
    zero = [mpmath.mpf(0)] * 8 + [mpmath.mpf("0.1")]
    g = _net_grads(_NUM_ACTS["sigmoid"], zero)
    learns = any(abs(x) > 1e-20 for x in g[6:8])
    return not learns, f"sigmoid at zero initialisation: dL/dv = {mpmath.nstr(g[6], 6)} (numeric)"


def check_adagrad_lr_decay():
    s = mpmath.fsum(mpmath.mpf(4) ** -t for t in range(1, 200))
    rate = 1 / mpmath.sqrt(s)
    return rate < 1e-10, f"with g_t = 2^-t the partial sums give rate/eta -> " \
                                               f"{mpmath.nstr(rate, 12)} (not 0)"


def check_xavier_compromise():
    fwd = 1 * (2 / mpmath.mpf(1 + 3))
    return fwd == 1, f"n_in = 1, n_out = 3: n_in Var(w) = {mpmath.nstr(fwd, 6)}"


THEOREMS = {
    "xavier_compromise": Theorem("xavier_compromise", xavier_compromise, check_xavier_compromise),
    "he_second_moment": Theorem("he_second_moment", prove_he_second_moment, check_he_second_moment),
    "symmetric_init": Theorem("symmetric_init", prove_symmetric_init, check_symmetric_init),
    "zero_init_no_learning": Theorem("zero_init_no_learning", zero_init_no_learning, check_zero_init_no_learning),
    "adagrad_lr_decay": Theorem("adagrad_lr_decay", adagrad_lr_decay, check_adagrad_lr_decay, "adagrad"),
}
