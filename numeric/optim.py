r"""Optimizers as ``(init, update)`` pairs of pure functions with NamedTuple state.

Each step is the lambdified composition of the update list in
:data:`nnderive.mathematics.optimizers.OPTIMIZERS` (kernels ``optim.<name>``), applied to every array of
a parameter list.  ``update(grads, state, params) -> (new_params, new_state)``.  Gradient
transforms (:func:`clip_by_value`, :func:`clip_by_norm`, :func:`l2`) return new gradients
instead; :func:`chain` runs them before an optimizer, as optax's ``chain``.

Default hyperparameters are derive/'s (and PyTorch's): Adam
:math:`\eta = 10^{-3}, \beta_1 = 0.9, \beta_2 = 0.999, \epsilon = 10^{-8}`; RMSprop
:math:`\alpha = 0.99, \epsilon = 10^{-8}`; AdaGrad :math:`\epsilon = 10^{-10}`; AdamW
:math:`\lambda = 10^{-2}`.  The variants of the cheat sheets are options:
``eps_inside=True`` (:math:`g/\sqrt{v + \epsilon}`) and ``dampening=True``
(:math:`b \leftarrow \mu b + (1-\mu) g`).

>>> import numpy as np
>>> opt = sgd(0.1)
>>> params, state = [np.array([1.0])], opt.init([np.array([1.0])])
>>> opt.update([np.array([2.0])], state, params)[0]
[array([0.8])]
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ..mathematics.optimizers import OPTIMIZERS

from .kernels import kernel

__all__ = ["Transform", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "clip_by_value",
           "clip_by_norm", "l2", "chain", "OptState", "build", "OPTIMIZER_NAMES"]


class Transform(NamedTuple):
    init: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]
    #: ``update_inplace(grads, state, params) -> state``: the same step written into the parameter arrays
    #: (the gradients are used as scratch); None where the transform has no in-place form
    update_inplace: Callable[..., Any] | None = None


class OptState(NamedTuple):
    """Step counter (the number of updates done) and one list of arrays per state slot."""

    count: int
    slots: dict


def _default(key, role):
    return float(OPTIMIZERS[key].defaults[role])


def _leaves(tree):
    """Flatten a list of arrays or of ``(W, b)`` tuples; return leaves and a rebuild function."""
    if tree and isinstance(tree[0], tuple):
        sizes = [len(t) for t in tree]
        flat = [x for t in tree for x in t]

        def rebuild(xs):
            out, i = [], 0
            for s in sizes:
                out.append(tuple(xs[i:i + s]))
                i += s
            return out
        return flat, rebuild
    return list(tree), list


def _optimizer(kernel_name: str, **hyper) -> Transform:
    k = kernel(kernel_name)
    slots = k.state
    hyper_args = [h for h in k.hyper if h != "t"]
    missing = [h for h in hyper_args if h not in hyper]
    if missing:
        raise TypeError(f"{kernel_name} needs {', '.join(missing)}")
    values = {h: float(hyper[h]) for h in hyper_args}
    fn = getattr(k.fn, "__wrapped__", k.fn)   # the generated function (returns a list)

    def init(params):
        flat, _ = _leaves(params)
        return OptState(0, {s: [np.zeros_like(p) for p in flat] for s in slots})

    t_at = k.hyper.index("t") if "t" in k.hyper else None

    def step_args(state):
        """The step number and the hyperparameter arguments of this step (t where the kernel takes it)."""
        t = state.count + 1
        hp = [values.get(h) for h in k.hyper]
        if t_at is not None:
            hp[t_at] = t
        return t, hp

    def update(grads, state, params):
        g, _ = _leaves(grads)
        p, rebuild = _leaves(params)
        t, hp = step_args(state)
        if not slots:                      # SGD: one call per array, nothing to carry
            return rebuild([fn(pi, gi, *hp)[0] for pi, gi in zip(p, g)]), OptState(t, {})
        cols = [state.slots[s] for s in slots]
        outs = [fn(p[i], g[i], *[c[i] for c in cols], *hp) for i in range(len(p))]
        return (rebuild([o[0] for o in outs]),
                OptState(t, {s: [o[j + 1] for o in outs] for j, s in enumerate(slots)}))

    inplace = k.inplace

    def update_inplace(grads, state, params):
        g, _ = _leaves(grads)
        p, _ = _leaves(params)
        t, hp = step_args(state)
        cols = [state.slots[s] for s in slots]
        outs = [inplace(p[i], g[i], *[c[i] for c in cols], *hp) for i in range(len(p))]
        # the kernel wrote theta into p[i]; it returns the new state slots (nothing for SGD)
        return OptState(t, {s: [o[j] for o in outs] for j, s in enumerate(slots)})

    return Transform(init, update, update_inplace if inplace is not None else None)


def sgd(lr: float) -> Transform:
    r""":math:`\theta \leftarrow \theta - \eta g` (``optim.sgd``)."""
    return _optimizer("optim.sgd", lr=lr)


def momentum(lr: float, mu: float = 0.9, dampening: bool = False) -> Transform:
    r""":math:`b \leftarrow \mu b + g,\ \theta \leftarrow \theta - \eta b` (torch.optim.SGD); with
    ``dampening`` the cheat sheets' :math:`b \leftarrow \mu b + (1-\mu) g`."""
    return _optimizer("optim.momentum_dampening" if dampening else "optim.momentum", lr=lr, mu=mu)


def nesterov(lr: float, mu: float = 0.9) -> Transform:
    r"""PyTorch's Nesterov: :math:`b \leftarrow \mu b + g,\ \theta \leftarrow \theta - \eta(g + \mu b)`."""
    return _optimizer("optim.nesterov", lr=lr, mu=mu)


def adagrad(lr: float = 1e-2, eps: float | None = None, eps_inside: bool = False) -> Transform:
    r""":math:`s \leftarrow s + g^2,\ \theta \leftarrow \theta - \eta g/(\sqrt s + \epsilon)`."""
    eps = _default("adagrad", "eps") if eps is None else eps
    return _optimizer("optim.adagrad_eps_inside" if eps_inside else "optim.adagrad", lr=lr, eps=eps)


def rmsprop(lr: float = 1e-2, alpha: float | None = None, eps: float | None = None,
            eps_inside: bool = False) -> Transform:
    r""":math:`s \leftarrow \alpha s + (1-\alpha) g^2,\ \theta \leftarrow \theta - \eta g/(\sqrt s + \epsilon)`."""
    alpha = _default("rmsprop", "alpha") if alpha is None else alpha
    eps = _default("rmsprop", "eps") if eps is None else eps
    return _optimizer("optim.rmsprop_eps_inside" if eps_inside else "optim.rmsprop", lr=lr, alpha=alpha, eps=eps)


def adam(lr: float | None = None, beta1: float | None = None, beta2: float | None = None, eps: float | None = None,
         eps_inside: bool = False) -> Transform:
    r"""Kingma & Ba, Algorithm 1: :math:`\theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)`."""
    hp = {r: _default("adam", r) if v is None else v
          for r, v in (("lr", lr), ("beta1", beta1), ("beta2", beta2), ("eps", eps))}
    return _optimizer("optim.adam_eps_inside" if eps_inside else "optim.adam", **hp)


def adamw(lr: float | None = None, beta1: float | None = None, beta2: float | None = None, eps: float | None = None,
          weight_decay: float | None = None) -> Transform:
    r"""Loshchilov & Hutter: :math:`\theta \leftarrow \theta - \eta\lambda\theta - \eta\,\hat m/(\sqrt{\hat v}+\epsilon)`."""
    hp = {r: _default("adam", r) if v is None else v
          for r, v in (("lr", lr), ("beta1", beta1), ("beta2", beta2), ("eps", eps))}
    hp["wd"] = _default("adamw", "weight_decay") if weight_decay is None else weight_decay
    return _optimizer("optim.adamw", **hp)


def _grad_transform(fn) -> Transform:
    def init(params):
        return OptState(0, {})

    def update(grads, state, params):
        g, rebuild = _leaves(grads)
        p, _ = _leaves(params)
        return rebuild(fn(g, p)), state
    return Transform(init, update)


def clip_by_value(c: float) -> Transform:
    """Every gradient entry clamped to ``[-c, c]`` (``optim.clip_value``)."""
    k = kernel("optim.clip_value")
    return _grad_transform(lambda g, p: [k(x, c) for x in g])


def clip_by_norm(c: float) -> Transform:
    r""":math:`g \leftarrow g \min(1, c/\|g\|)` with the norm over all arrays (``clip_grad_norm_``)."""
    k = kernel("optim.clip_norm")

    def fn(g, p):
        norm = float(np.sqrt(sum(float(np.sum(x * x)) for x in g)))
        return g if norm == 0 else [k(x, c, norm) for x in g]
    return _grad_transform(fn)


def l2(wd: float) -> Transform:
    r""":math:`g \leftarrow g + \lambda\theta`, the gradient of :math:`\frac\lambda2\|\theta\|^2`."""
    k = kernel("optim.l2")
    return _grad_transform(lambda g, p: [k(t, x, wd) for t, x in zip(p, g)])


def chain(*transforms: Transform) -> Transform:
    """Gradient transforms, then one optimizer (the last transform)."""
    *pre, opt = transforms

    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(grads, state, params):
        new_states = []
        for t, s in zip(pre, state):
            grads, s = t.update(grads, s, params)
            new_states.append(s)
        params, s = opt.update(grads, state[-1], params)
        return params, tuple(new_states) + (s,)
    return Transform(init, update)


OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def build(name: str, lr: float | None = None, **options) -> Transform:
    """An optimizer by name, with its defaults; ``lr=None`` takes the default where there is one."""
    fns = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad, "rmsprop": rmsprop,
           "adam": adam, "adamw": adamw}
    if name not in fns:
        raise ValueError(f"unknown optimizer {name!r} (known: {', '.join(fns)})")
    if lr is not None:
        options["lr"] = lr
    return fns[name](**options)
