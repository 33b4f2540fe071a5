r"""Gradient checks by central differences, shipped with the package.

Two checks, as in autograd's ``check_grads`` and JAX's ``check_grads``:

- **entry by entry**: :math:`\frac{f(\theta + \epsilon e_i) - f(\theta - \epsilon e_i)}{2\epsilon}`
  for every parameter entry, with :math:`\epsilon = 10^{-4}` (the seed sheet's value);
- **random direction** (float64): :math:`\langle u, \nabla f\rangle` against
  :math:`\frac{f(\theta + \epsilon u) - f(\theta - \epsilon u)}{2\epsilon}` for a random unit
  :math:`u`, so the cost does not grow with the layer sizes.

The relative error is :math:`\|a - n\| / \max(\|a\|, \|n\|)`.  A failure names the kernel
or layer and prints analytic against numeric values (:class:`GradCheckError`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import network as N
from .kernels import kernels as registry

__all__ = ["GradCheckError", "LeafReport", "check_network", "check_direction", "check_kernel", "relative_error"]


class GradCheckError(AssertionError):
    """A gradient check failed; the message names what failed and shows both values."""


@dataclass
class LeafReport:
    name: str
    error: float
    analytic: np.ndarray
    numeric: np.ndarray

    def describe(self, k: int = 4) -> str:
        a, n = self.analytic.ravel(), self.numeric.ravel()
        worst = np.argsort(-np.abs(a - n))[:k]
        rows = ", ".join(f"[{i}] analytic {a[i]:.10g} numeric {n[i]:.10g}" for i in worst)
        return f"{self.name}: relative error {self.error:.3g}; worst entries: {rows}"


def relative_error(a, n) -> float:
    a, n = np.asarray(a, np.float64), np.asarray(n, np.float64)
    scale = max(np.linalg.norm(a), np.linalg.norm(n))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)


def _leaf_names(params):
    return [f"layer {l + 1} {w}" for l in range(len(params)) for w in ("W", "b")]


def _perturbed(params, leaf, index, h):
    flat = [np.array(x, copy=True) for p in params for x in p]
    flat[leaf][index] += h
    return [(flat[2 * l], flat[2 * l + 1]) for l in range(len(params))]


def _added(kernels):
    """The kernels that are new names, not overrides: the numeric side never uses a planted kernel."""
    return {n: k for n, k in (kernels or {}).items() if n not in registry()} or None


def check_network(params, X, Y, spec: N.Spec, eps: float = 1e-4, rtol: float = 1e-7, kernels=None,
                  raise_error: bool = True) -> list[LeafReport]:
    """Every gradient entry of :func:`network.value_and_grad` against central differences of
    :func:`network.loss` (float64).  ``kernels`` overrides kernels on the analytic side; the
    numeric side uses only the ones it adds (an activation from a user's claims)."""
    params = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in params]
    _, grads = N.value_and_grad(params, X, Y, spec, kernels)
    added = _added(kernels)
    reports = []
    for leaf, name in enumerate(_leaf_names(params)):
        shape = params[leaf // 2][leaf % 2].shape
        num = np.zeros(shape)
        for idx in np.ndindex(shape):
            up = N.loss(_perturbed(params, leaf, idx, eps), X, Y, spec, added)
            dn = N.loss(_perturbed(params, leaf, idx, -eps), X, Y, spec, added)
            num[idx] = (up - dn) / (2 * eps)
        ana = np.asarray(grads[leaf // 2][leaf % 2], np.float64)
        reports.append(LeafReport(name, relative_error(ana, num), ana, num))
    _raise(reports, rtol, raise_error, "network gradient")
    return reports


def check_direction(params, X, Y, spec: N.Spec, rng=None, eps: float = 1e-4, rtol: float = 1e-7, kernels=None,
                    raise_error: bool = True) -> LeafReport:
    r""":math:`\langle u, \nabla J\rangle` against the central difference along a random unit :math:`u`."""
    rng = np.random.default_rng(0) if rng is None else rng
    params = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in params]
    _, grads = N.value_and_grad(params, X, Y, spec, kernels)
    u = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
    norm = np.sqrt(sum(np.sum(a * a) + np.sum(c * c) for a, c in u))
    u = [(a / norm, c / norm) for a, c in u]
    shift = lambda s: [(W + s * a, b + s * c) for (W, b), (a, c) in zip(params, u)]  # noqa: E731
    added = _added(kernels)
    num = (N.loss(shift(eps), X, Y, spec, added) - N.loss(shift(-eps), X, Y, spec, added)) / (2 * eps)
    ana = sum(np.sum(gw * a) + np.sum(gb * c) for (gw, gb), (a, c) in zip(grads, u))
    rep = LeafReport("random direction <u, grad J>", relative_error(ana, num), np.array([ana]), np.array([num]))
    _raise([rep], rtol, raise_error, "directional derivative")
    return rep


def check_kernel(name: str, x=None, eps: float = 1e-4, rtol: float = 1e-7, raise_error: bool = True,
                 kernels=None) -> LeafReport:
    """An activation's ``<name>.grad`` kernel against central differences of the ``<name>`` kernel,
    away from the kink at 0 (where one-sided limits differ)."""
    ks = {**registry(), **(kernels or {})}
    x = np.linspace(-6, 6, 241) if x is None else np.asarray(x, np.float64)
    x = x[np.abs(x) > 10 * eps]
    extra = (0.1,) if name == "leaky_relu" else ()
    f, df = ks[name], ks[f"{name}.grad"]
    num = (f(x + eps, *extra) - f(x - eps, *extra)) / (2 * eps)
    rep = LeafReport(f"kernel {name}.grad", relative_error(df(x, *extra), num), df(x, *extra), num)
    _raise([rep], rtol, raise_error, "kernel derivative")
    return rep


def _raise(reports, rtol, raise_error, what):
    bad = [r for r in reports if r.error > rtol]
    if bad and raise_error:
        raise GradCheckError(f"{what} check failed (rtol {rtol:g}):\n" + "\n".join(r.describe() for r in bad))
