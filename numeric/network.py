r"""A multilayer perceptron as pure functions over explicit parameters.

Batch-first: ``X`` has shape ``(m, n_0)``, one example per row; layer :math:`l` has
``W`` of shape ``(n_{l-1}, n_l)`` and ``b`` of shape ``(n_l,)``:

.. math::
    Z^{(l)} = A^{(l-1)} W^{(l)} + \mathbf 1 b^{(l)\top},\qquad A^{(l)} = f_l(Z^{(l)}),\qquad
    J = \frac1m \sum_{e=1}^m \ell(Z^{(L)}_e, Y_e) + \frac\lambda2 \sum_l \|W^{(l)}\|_F^2 .

The output loss ``spec.output`` is ``"softmax_cce"`` or ``"sigmoid_bce"`` (computed from
the logits :math:`Z^{(L)}`, stable) or ``"mse"`` (identity output).  :func:`backward` is
the batch-first backpropagation of :func:`nnderive.mathematics.backprop.batch_first_rows` run through
the lambdified kernels; ``kernels=`` adds or replaces any of them (an activation from the user's own
proved claims, :mod:`nnderive.numeric.claimed`; the tests plant wrong ones).
The L2 term has no :math:`1/m` (as ``weight_decay`` in ``torch.optim.SGD``); biases are
not regularised.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, Sequence

import numpy as np

from .kernels import kernels as _registry

__all__ = ["Spec", "init_params", "forward", "loss", "backward", "value_and_grad", "predict", "accuracy", "OUTPUTS",
           "INITS"]

#: output losses and the activation that turns logits into predictions
OUTPUTS = {"softmax_cce": "softmax", "sigmoid_bce": "sigmoid", "mse": None}
#: initialisation schemes: name -> (variance kernel, its arguments)
INITS = {"xavier": ("init.xavier", ("n_in", "n_out")), "he": ("init.he", ("n_in",)),
         "lecun": ("init.lecun", ("n_in",)), "uniform": (None, ())}


class Spec(NamedTuple):
    """What the network computes: one activation per hidden layer, the output loss, L2 strength."""

    activations: tuple[str, ...]
    output: str = "softmax_cce"
    l2: float = 0.0
    alpha: float = 0.01          # leaky ReLU slope


def init_params(rng: np.random.Generator, sizes: Sequence[int], init: str = "he", dist: str = "normal",
                eps: float = 0.1, dtype=np.float64) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Weights with the variance of ``init`` (``xavier`` :math:`2/(n_{in}+n_{out})`, ``he``
    :math:`2/n_{in}`, ``lecun`` :math:`1/n_{in}`), drawn from a normal or from the uniform
    :math:`U[-a, a]` with :math:`a^2/3` equal to that variance; ``uniform`` draws from
    :math:`U[-\epsilon, \epsilon]`.  Biases start at 0.

    >>> [w.shape for w, b in init_params(np.random.default_rng(0), [4, 3, 2])]
    [(4, 3), (3, 2)]
    """
    ks = _registry()
    if init not in INITS:
        raise ValueError(f"unknown init {init!r} (known: {', '.join(INITS)})")
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        name, argnames = INITS[init]
        if name is None:
            w = rng.uniform(-eps, eps, size=(n_in, n_out))
        else:
            var = float(ks[name](*[{"n_in": n_in, "n_out": n_out}[a] for a in argnames]))
            if dist == "normal":
                w = rng.normal(0.0, np.sqrt(var), size=(n_in, n_out))
            else:
                a = float(ks["init.uniform_bound"](var))
                w = rng.uniform(-a, a, size=(n_in, n_out))
        params.append((w.astype(dtype), np.zeros(n_out, dtype=dtype)))
    return params


def _kernel(name, kernels):
    return (kernels.get(name) if kernels else None) or _registry()[name]


def _k(name, kernels):
    """The generated function itself (no wrapper: a step makes about twenty kernel calls)."""
    return _kernel(name, kernels).fn


def _vjp(name, kernels):
    """The vector-Jacobian product of an activation: its in-place form when the kernel has one (the
    incoming gradient is a fresh product the backward pass owns), else the functional one."""
    k = _kernel(name, kernels)
    return (k.inplace, True) if k.inplace is not None else (k.fn, False)


class _Plan(NamedTuple):
    """The generated functions one forward and backward pass call, looked up once."""

    acts: tuple          # per hidden layer: (f, takes alpha, writes f(Z) into Z)
    loss: object
    out_grad: object
    wgrad: object
    bgrad: object
    back: object
    vjps: tuple          # per hidden layer: (vjp, from the output y, takes alpha, writes into its g)


def _plan(spec: Spec, kernels=None) -> _Plan:
    if kernels:
        return _build_plan(spec.activations, spec.output, bool(spec.l2), kernels)
    return _cached_plan(spec.activations, spec.output, bool(spec.l2))


def _build_plan(activations, output, l2, kernels) -> _Plan:
    vjps = []
    for act in activations:
        if f"{act}.vjp_y" in (kernels or {}) or f"{act}.vjp_y" in _registry():
            vjps.append((*_vjp(f"{act}.vjp_y", kernels), True, False))
        else:
            vjps.append((*_vjp(f"{act}.vjp", kernels), False, act == "leaky_relu"))
    acts = []
    for act, (_, _, use_y, _) in zip(activations, vjps):
        k = _kernel(act, kernels)
        # f(Z) written over Z where the backward needs only the output (the vjp in y = f(z) form)
        acts.append((k.inplace if use_y and k.inplace is not None else k.fn, act == "leaky_relu",
                     use_y and k.inplace is not None))
    return _Plan(tuple(acts), _k(output, kernels),
                 _k(f"{output}.batch_grad", kernels),
                 _k("backprop.weight_grad" if l2 else "backprop.weight_grad_no_l2", kernels),
                 _k("backprop.bias_grad", kernels), _k("backprop.input_grad", kernels), tuple(vjps))


@lru_cache(maxsize=64)
def _cached_plan(activations, output, l2) -> _Plan:
    return _build_plan(activations, output, l2, None)


def check_inputs(params, X, Y=None):
    """Shapes at the public entry points, batch first: ``X`` is ``(batch, n_in)`` with at least one row and
    ``Y`` is ``(batch, n_out)``.  A target of another shape would broadcast silently; say what was expected."""
    if not params:
        raise ValueError("params: a network needs at least one layer (W, b)")
    n_in, n_out = params[0][0].shape[0], params[-1][0].shape[1]
    if np.ndim(X) != 2:
        raise ValueError(f"X must be 2-D (batch, {n_in}), batch first; got shape {np.shape(X)}")
    if X.shape[0] == 0:
        raise ValueError("X has no rows: an empty batch has no mean loss")
    if X.shape[1] != n_in:
        raise ValueError(f"X has {X.shape[1]} features per row; the first layer expects {n_in}")
    if Y is not None and np.shape(Y) != (X.shape[0], n_out):
        raise ValueError(f"Y must have shape {(X.shape[0], n_out)} (batch, outputs), like the logits; got "
                         f"{np.shape(Y)} (it would broadcast silently)")


def forward(params, X, spec: Spec, kernels=None):
    """Logits of the last layer and the cache ``[(A_prev, Z), ...]`` for :func:`backward`."""
    check_inputs(params, X)
    cache = []
    A = X
    acts = _plan(spec, kernels).acts
    last = len(params) - 1
    for l, (W, b) in enumerate(params):
        Z = A @ W
        Z += b                     # in place: the product is a fresh array, one allocation saved
        cache.append((A, Z))
        if l < last:
            f, alpha, inplace = acts[l]
            if inplace:       # the backward reads only A (the next layer's input): Z's array holds it
                f(Z)
                A = Z
            else:
                A = f(Z, spec.alpha) if alpha else f(Z)
    return Z, cache


def predict(params, X, spec: Spec, kernels=None):
    """Predictions: class probabilities (softmax), probabilities (sigmoid) or values (MSE)."""
    Z, _ = forward(params, X, spec, kernels)
    out = OUTPUTS[spec.output]
    return Z if out is None else _registry()[out](Z)


def _penalty(params, spec):
    return 0.0 if not spec.l2 else spec.l2 / 2 * sum(float(np.sum(W * W)) for W, _ in params)


def loss(params, X, Y, spec: Spec, kernels=None) -> float:
    r""":math:`J`, the batch mean of the per-example loss plus the L2 term."""
    check_inputs(params, X, Y)
    Z, _ = forward(params, X, spec, kernels)
    return float(np.mean(_plan(spec, kernels).loss(Z, Y))) + _penalty(params, spec)


def backward(params, cache, Y, spec: Spec, kernels=None):
    r"""Gradients ``[(dJ/dW, dJ/db), ...]`` by the batch-first backpropagation rows.

    :math:`\Delta^{(L)}` is the batch gradient of the output loss (for softmax + CE,
    :math:`\frac1m(\operatorname{softmax}(Z) - Y)`); then per layer :math:`A^\top\Delta + \lambda W`,
    :math:`\Delta^\top\mathbf 1`, and :math:`\Delta \leftarrow (\Delta W^\top) \odot f'(Z)`.
    """
    k = _plan(spec, kernels)
    D = k.out_grad(cache[-1][1], Y)
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        W = params[l][0]
        A_prev = cache[l][0]
        grads[l] = (k.wgrad(A_prev, D, W, spec.l2) if spec.l2 else k.wgrad(A_prev, D), k.bgrad(D))
        if l:
            # delta row (D W^T) * f'(Z), as input_grad then the activation's vector-Jacobian
            # product (from the forward output A where the table has that form)
            G = k.back(D, W)
            vjp, inplace, use_y, alpha = k.vjps[l - 1]
            args = (A_prev,) if use_y else (cache[l - 1][1], spec.alpha) if alpha else (cache[l - 1][1],)
            if inplace:       # G is this pass's own fresh product: written over, no new array
                vjp(G, *args)
                D = G
            else:
                D = vjp(G, *args)
    return grads


def value_and_grad(params, X, Y, spec: Spec, kernels=None):
    """``(J, gradients)`` in one forward and one backward pass."""
    check_inputs(params, X, Y)
    Z, cache = forward(params, X, spec, kernels)
    value = float(np.mean(_plan(spec, kernels).loss(Z, Y))) + _penalty(params, spec)
    return value, backward(params, cache, Y, spec, kernels)


def accuracy(params, X, labels, spec: Spec, kernels=None) -> float:
    """Fraction of rows whose predicted class (argmax, or p > 1/2 for one sigmoid unit) is right."""
    P = predict(params, X, spec, kernels)
    pred = (P[:, 0] > 0.5).astype(int) if P.shape[1] == 1 else np.argmax(P, axis=1)
    return float(np.mean(pred == labels))
