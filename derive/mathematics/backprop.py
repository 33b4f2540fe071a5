r"""Backpropagation of a whole network, proved against the gradient of the composed loss.

The network (batch-first, :math:`m` examples): :math:`a^{(0)} = x`,
:math:`z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}`, :math:`a^{(l)} = f(z^{(l)})` for hidden layers,
output :math:`\hat y = \sigma(z^{(L)})` with binary cross-entropy or
:math:`\hat y = \mathrm{softmax}(z^{(L)})` with categorical cross-entropy, cost
:math:`J = \frac1m \sum_{e} \mathcal{L}(\hat y_e, y_e) + \frac{\lambda}{2m}\sum_l \|W^{(l)}\|_F^2`.

The sheets' backpropagation:

.. math::
    \delta^{(L)} = \hat y - y,\qquad
    \delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \odot f'(z^{(l)}),\qquad
    \frac{\partial J}{\partial W^{(l)}} = \frac1m \sum_e \delta^{(l)}_e a^{(l-1)\top}_e + \frac{\lambda}{m} W^{(l)},
    \qquad \frac{\partial J}{\partial b^{(l)}} = \frac1m \sum_e \delta^{(l)}_e .

:func:`check_network` compares every entry with ``sympy.diff`` of :math:`J` at explicit
layer sizes.  For any depth, :func:`prove_backprop` combines the layer-generic step
(proved for every size in the catalogue: one layer back through an arbitrary downstream
cost) with the output rows of the derivative table, by induction from the output layer.
"""
from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from .findings import Finding, Theorem
from .primitives import ACTIVATIONS, LeakyReLU, Sigmoid
from .rules import VECTOR_RULES, prove_vector_rule
from .zero import exp_to_symbols

__all__ = ["check_network", "prove_backprop", "ACTIVATION_NAMES", "batch_first_rows", "batch_first_symbols", "prove_batch_first"]

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus")
_alpha = sp.Rational(1, 10)


def _act(name):
    if name == "leaky_relu":
        return lambda u: LeakyReLU(u, _alpha)
    return ACTIVATIONS[name]


def _act_prime(name, u):
    x = sp.Dummy("x", real=True)
    return sp.diff(_act(name)(x), x).subs(x, u)


def check_network(sizes, activation, output, l2=False, batch=1, mutant=None):
    """Entry-by-entry comparison of backprop with ``sympy.diff`` of the composed cost.

    ``sizes`` lists layer widths from input to output; returns ``(ok, n_entries, detail)``.
    ``mutant`` plants a known error in the backprop side (for tests): ``"no_transpose"``,
    ``"no_fprime"``, ``"no_mean"``, ``"l2_half"``."""
    L = len(sizes) - 1
    f = _act(activation)
    W = [None] + [sp.Matrix(sizes[l], sizes[l - 1], lambda i, j, l=l: sp.Symbol(f"W{l}_{i}{j}", real=True))
                  for l in range(1, L + 1)]
    b = [None] + [sp.Matrix(sizes[l], 1, lambda i, j, l=l: sp.Symbol(f"b{l}_{i}", real=True))
                  for l in range(1, L + 1)]
    lam = sp.Symbol(r"\lambda", positive=True) if l2 else sp.S.Zero
    m = batch
    J = sp.S.Zero
    given = {}
    records = []
    for e in range(m):
        x = sp.Matrix(sizes[0], 1, lambda i, j: sp.Symbol(f"x{e}_{i}", real=True))
        a, zs, acts = x, [None], [x]
        for l in range(1, L + 1):
            z = W[l] * a + b[l]
            zs.append(z)
            if l < L:
                a = z.applyfunc(f)
            elif output == "sigmoid_bce":
                a = z.applyfunc(Sigmoid)
            else:
                ex = z.applyfunc(sp.exp)
                a = ex / sum(ex)
            acts.append(a)
        y = sp.Matrix(sizes[-1], 1, lambda i, j: sp.Symbol(f"y{e}_{i}", positive=True))
        if output == "sigmoid_bce":
            loss = -sum(y[k] * sp.log(a[k]) + (1 - y[k]) * sp.log(1 - a[k]) for k in range(sizes[-1]))
        else:
            # log(e^{z_k} / S) = z_k - log S (e^z > 0): the same function, written so SymPy's
            # derivative does not drag e^{z_k} / S through the quotient rule.
            logS = sp.log(sum(zs[L].applyfunc(sp.exp)))
            loss = -sum(y[k] * (zs[L][k] - logS) for k in range(sizes[-1]))
            given[y[sizes[-1] - 1]] = 1 - sum(y[k] for k in range(sizes[-1] - 1))  # a one-hot/probability target
        J += loss / m
        records.append((zs, acts, y))
    J += lam / (2 * m) * sum(sum(w ** 2 for w in W[l]) for l in range(1, L + 1))
    # backpropagation, per example, then averaged
    gW = [None] + [sp.zeros(*W[l].shape) for l in range(1, L + 1)]
    gb = [None] + [sp.zeros(*b[l].shape) for l in range(1, L + 1)]
    for zs, acts, y in records:
        delta = acts[L] - y
        for l in range(L, 0, -1):
            scale = 1 if mutant == "no_mean" else sp.Rational(1, m)
            gW[l] += delta * acts[l - 1].T * scale
            gb[l] += delta * scale
            if l > 1:
                back = (W[l] if mutant == "no_transpose" else W[l].T) * delta
                fp = zs[l - 1].applyfunc(lambda u: 1 if mutant == "no_fprime" else _act_prime(activation, u))
                delta = back.multiply_elementwise(fp)
    n = 0
    for l in range(1, L + 1):
        gW[l] += (lam / (2 * m) if mutant == "l2_half" else lam / m) * W[l]
        for (P, G) in ((W[l], gW[l]), (b[l], gb[l])):
            for i, j in itertools.product(range(P.shape[0]), range(P.shape[1])):
                truth = sp.diff(J, P[i, j])
                d = (truth - G[i, j]).xreplace(given)
                if not _zero(d):
                    return False, n, f"layer {l}, {P[i, j]}: sympy.diff(J) - backprop is not 0"
                n += 1
    return True, n, f"{n} partial derivatives agree"


def _zero(d) -> bool:
    """Exact zero test for network gradients: sigmoid and tanh as exponentials, every distinct
    exponential as a positive symbol, then ``cancel`` decides the rational function.  (No
    ``simplify`` fallback: a nonzero difference must come back fast.)"""
    if sp.expand(d) == 0:
        return True
    d = d.replace(lambda e: isinstance(e, Sigmoid), lambda e: 1 / (1 + sp.exp(-e.args[0])))
    d = d.replace(lambda e: isinstance(e, sp.tanh), lambda e: 1 - 2 / (sp.exp(2 * e.args[0]) + 1))
    d = d.replace(lambda e: e.func.__name__ == "Softplus", lambda e: sp.log(1 + sp.exp(e.args[0])))
    r = exp_to_symbols(d)
    if r is None:
        return False
    return sp.cancel(sp.together(r)) == 0


def _layer_step(n_l: int, n_next: int) -> bool:
    """dJ/dz^(l) = W^T dJ/dz^(l+1) * f'(z^(l)) for J an arbitrary function of z^(l+1) = W f(z^(l)) + b."""
    z = sp.symbols(f"z1:{n_l + 1}", real=True)
    W = sp.Matrix(n_next, n_l, sp.symbols(f"w1:{n_next * n_l + 1}", real=True))
    bias = sp.symbols(f"c1:{n_next + 1}", real=True)
    f, J = sp.Function("f"), sp.Function("J")
    a = [f(zi) for zi in z]
    znext = [sum(W[k, i] * a[i] for i in range(n_l)) + bias[k] for k in range(n_next)]
    u = sp.symbols(f"u1:{n_next + 1}", real=True)
    cost = J(*znext)
    delta_next = [sp.Subs(sp.diff(J(*u), u[k]), u, znext) for k in range(n_next)]
    for i in range(n_l):
        truth = sp.diff(cost, z[i])
        recurrence = sum(W[k, i] * delta_next[k] for k in range(n_next)) * sp.diff(f(z[i]), z[i])
        if sp.expand((truth - recurrence).doit()) != 0:
            return False
    return True


def prove_backprop(depths=((2, 2, 2),), activations=("sigmoid",),
                   outputs=("softmax_cce",), variants=((True, 2),)):
    """The sheets' backpropagation is the gradient of the composed cost, for any depth L.

    Induction from the output layer: the base case is the derivative-table rows
    'softmax + cce' and 'sigmoid + bce' (:math:`\\delta^{(L)} = \\hat y - y`); the step is the
    layer-generic recurrence :math:`\\delta^{(l)} = (W^{(l+1)})^\\top\\delta^{(l+1)} \\odot f'(z^{(l)})`
    for an arbitrary downstream cost, with :math:`\\partial J/\\partial W^{(l)} = \\delta^{(l)} a^{(l-1)\\top}`
    (checked here against ``sympy.diff`` for an arbitrary downstream cost and activation at explicit
    layer sizes); the 1/m average and the L2 term are linear.  Cross-checked on whole networks of the
    given depths."""
    steps = []
    base = [r for r in VECTOR_RULES if r.name in ("softmax + cce", "sigmoid + bce")]
    ok = all(prove_vector_rule(r, sizes=(2,))[0] for r in base)
    steps.append(("base case: delta^(L) = yhat - y (derivative-table rows softmax + cce, sigmoid + bce)",
                  "holds" if ok else "FAILED"))
    step_sizes = ((2, 3), (3, 2))
    step_ok = all(_layer_step(a, b) for a, b in step_sizes)
    ok = ok and step_ok
    steps.append(("inductive step: one layer back through an arbitrary downstream cost J(z^{(l+1)}) and an "
                  "arbitrary activation f, sympy.diff against the recurrence at layer sizes "
                  + ", ".join(f"{a} -> {b}" for a, b in step_sizes),
                  (r"\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \odot f'(z^{(l)})" if step_ok else "FAILED")))
    for sizes in depths:
        for act in activations:
            for out in outputs:
                for l2, batch in variants:
                    good, n, detail = check_network(sizes, act, out, l2, batch)
                    ok = ok and good
                    steps.append((f"network {sizes}, {act}, {out}, L2={l2}, batch m={batch}", detail))
    steps.insert(2, ("softmax + cross-entropy composed as -sum_k y_k (z_k - log sum_j e^{z_j}), the same "
                     "function since log(e^{z_k}/S) = z_k - log S", r"\log \frac{e^{z_k}}{S} = z_k - \log S"))
    return Finding(True if ok else None,
            "backpropagation (delta recurrence, dJ/dW = (1/m) sum delta a^T + (lambda/m) W) equals the gradient of "
            "the composed cost: by induction from the output layer for any depth, and entry by entry on whole "
            f"networks of depths {', '.join(str(len(s) - 1) for s in depths)}", steps)


def check_backprop():
    """A 2-3-2 tanh/softmax network: backprop's gradient against numeric differentiation of the cost."""
    import random
    rng = random.Random(5)
    W1 = mpmath.matrix([[rng.uniform(-1, 1) for _ in range(2)] for _ in range(3)])
    W2 = mpmath.matrix([[rng.uniform(-1, 1) for _ in range(3)] for _ in range(2)])
    x, y = mpmath.matrix([[0.3], [-0.7]]), [1, 0]

    def cost(W1):
        z1 = W1 * x
        a1 = mpmath.matrix([[mpmath.tanh(z1[i, 0])] for i in range(3)])
        z2 = W2 * a1
        s = mpmath.fsum(mpmath.exp(z2[k, 0]) for k in range(2))
        return -mpmath.fsum(y[k] * (z2[k, 0] - mpmath.log(s)) for k in range(2))
    z1 = W1 * x
    a1 = mpmath.matrix([[mpmath.tanh(z1[i, 0])] for i in range(3)])
    z2 = W2 * a1
    s = mpmath.fsum(mpmath.exp(z2[k, 0]) for k in range(2))
    d2 = mpmath.matrix([[mpmath.exp(z2[k, 0]) / s - y[k]] for k in range(2)])
    back = W2.T * d2
    d1 = mpmath.matrix([[back[i, 0] * (1 - mpmath.tanh(z1[i, 0]) ** 2)] for i in range(3)])
    worst = 0
    for i in range(3):
        for j in range(2):
            def at(t, i=i, j=j):
                W = W1.copy()
                W[i, j] = t
                return cost(W)
            worst = max(worst, abs(mpmath.diff(at, W1[i, j]) - d1[i, 0] * x[j, 0]))
    return worst < 1e-20, f"dJ/dW^(1) = delta^(1) x^T against numeric differentiation: largest difference " \
                          f"{mpmath.nstr(worst, 3)}"


THEOREMS = {"backprop_network": Theorem("backprop_network", prove_backprop, check_backprop)}


# --------------------------------------------------------------------------- batch-first rows
def batch_first_symbols():
    """The symbols of :func:`batch_first_rows`, by role (``A W D F P Y lam m``)."""
    m, a, k = sp.symbols("m n_{in} n_{out}", integer=True, positive=True)
    return {"A": sp.MatrixSymbol("A", m, a),          # layer input, one example per row
            "W": sp.MatrixSymbol("W", a, k),          # batch-first weight: Z = A W + 1 b^T
            "D": sp.MatrixSymbol(r"\Delta", m, k),    # dJ/dZ of this layer
            "F": sp.MatrixSymbol("F'", m, a),         # f'(Z) of the layer below, entrywise
            "P": sp.MatrixSymbol(r"\hat Y", m, k),
            "Y": sp.MatrixSymbol("Y", m, k),
            "lam": sp.Symbol(r"\lambda", nonnegative=True),
            "m": m}


def batch_first_rows():
    r"""The backward pass for batch-first arrays (one example per row), as matrix expressions.

    For :math:`Z = A W + \mathbf 1 b^\top`, :math:`J = \frac1m\sum_e \mathcal L_e + \frac\lambda2\|W\|_F^2`
    and :math:`\Delta = \partial J/\partial Z`:

    .. math::
        \Delta^{(L)} = \tfrac1m(\hat Y - Y),\quad
        \Delta^{(l)} = (\Delta^{(l+1)} W^{(l+1)\top}) \odot f'(Z^{(l)}),\quad
        \frac{\partial J}{\partial W} = A^\top \Delta + \lambda W,\quad
        \frac{\partial J}{\partial b} = \Delta^\top \mathbf 1 .

    These are the column-form rows of the module docstring transposed (examples as rows,
    :math:`W` as :math:`W^\top`); :func:`prove_batch_first` checks them entry by entry.
    Returns ``name -> (expression, symbols)``; the bias row is ``None`` (a column sum, which
    the code generator writes as ``sum(axis=0)``).
    """
    s = batch_first_symbols()
    return {
        "output_delta": (sp.MatMul(1 / s["m"], s["P"] - s["Y"]), ("P", "Y")),
        "delta": (sp.HadamardProduct(s["D"] * s["W"].T, s["F"]), ("D", "W", "F")),
        "weight_grad": (s["A"].T * s["D"] + s["lam"] * s["W"], ("A", "D", "W", "lam")),
        "input_grad": (s["D"] * s["W"].T, ("D", "W")),
    }


def prove_batch_first(sizes=(2, 3, 2), m=2, activation="tanh", rows=None):
    """Check the batch-first rows entry by entry against ``sympy.diff`` of the composed cost
    (softmax + cross-entropy output, L2 term, ``m`` examples); returns ``(ok, steps)``.
    ``rows`` replaces :func:`batch_first_rows` (the tests plant wrong rows).

    >>> prove_batch_first()[0]
    True
    """
    rows = rows or batch_first_rows()
    f = _act(activation)
    L = len(sizes) - 1
    lam = sp.Symbol(r"\lambda", nonnegative=True)
    W = [None] + [sp.Matrix(sizes[l - 1], sizes[l], lambda i, j, l=l: sp.Symbol(f"W{l}_{i}{j}", real=True))
                  for l in range(1, L + 1)]
    b = [None] + [sp.Matrix(1, sizes[l], lambda i, j, l=l: sp.Symbol(f"b{l}_{j}", real=True))
                  for l in range(1, L + 1)]
    X = sp.Matrix(m, sizes[0], lambda e, i: sp.Symbol(f"x{e}_{i}", real=True))
    Y = sp.Matrix(m, sizes[-1], lambda e, i: sp.Symbol(f"y{e}_{i}", positive=True))
    ones = sp.ones(m, 1)
    acts, zs = [X], [None]
    for l in range(1, L + 1):
        Z = acts[-1] * W[l] + ones * b[l]
        zs.append(Z)
        acts.append(Z.applyfunc(f) if l < L else None)
    Zl = zs[L]
    P = sp.Matrix(m, sizes[-1], lambda e, k: sp.exp(Zl[e, k]) / sum(sp.exp(Zl[e, j]) for j in range(sizes[-1])))
    J = sum(-sum(Y[e, k] * (Zl[e, k] - sp.log(sum(sp.exp(Zl[e, j]) for j in range(sizes[-1]))))
                 for k in range(sizes[-1])) for e in range(m)) / m
    J += lam / 2 * sum(sum(w ** 2 for w in W[l]) for l in range(1, L + 1))
    given = {Y[e, sizes[-1] - 1]: 1 - sum(Y[e, k] for k in range(sizes[-1] - 1)) for e in range(m)}

    def ev(name, **arrays):
        expr, names = rows[name]
        sym = batch_first_symbols()
        sub = {sym[n]: arrays[n] for n in names}
        if "m" not in sub:
            sub[sym["m"]] = m
        return sp.Matrix(expr.subs(sub).doit())

    D = ev("output_delta", P=P, Y=Y)
    n, steps = 0, []
    for l in range(L, 0, -1):
        gW = ev("weight_grad", A=acts[l - 1], D=D, W=W[l], lam=lam)
        gb = D.T * ones
        for (Pm, G) in ((W[l], gW), (b[l], gb.T)):
            for i, j in itertools.product(range(Pm.shape[0]), range(Pm.shape[1])):
                if not _zero((sp.diff(J, Pm[i, j]) - G[i, j]).xreplace(given)):
                    steps.append((f"layer {l}, {Pm[i, j]}", "sympy.diff(J) - row is not 0"))
                    return False, steps
                n += 1
        if l > 1:
            F = zs[l - 1].applyfunc(lambda u: _act_prime(activation, u))
            D = ev("delta", D=D, W=W[l], F=F)
    steps.append((f"network {sizes}, {activation}, softmax + CE, L2, m = {m}",
                  f"{n} partial derivatives agree"))
    return True, steps
