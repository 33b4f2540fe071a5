"""Deterministic matplotlib figures (Agg backend, no timestamps or software tags in the files)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy as sp

from ..mathematics.optimizers import eps_placement_ratio
from .kernels import ACTIVATION_KERNELS, kernel

__all__ = ["training_curves", "savefig", "activations", "sigmoid_bound", "eps_ratio"]


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"svg.hashsalt": "nnderive", "font.size": 9, "figure.dpi": 100})
    return plt


def savefig(fig, path: Path):
    """Save with fixed metadata so the same figure gives the same bytes."""
    path = Path(path)
    meta = {"Software": None} if path.suffix == ".png" else {"Creator": None, "Producer": None,
                                                             "CreationDate": None}
    fig.savefig(path, metadata=meta)
    _plt().close(fig)


def training_curves(history: list[dict], path: Path, title: str = ""):
    """Loss (log scale) and accuracy per epoch, train and test."""
    plt = _plt()
    ep = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3))
    a.plot(ep, [h["train_loss"] for h in history], label="train")
    a.plot(ep, [h["test_loss"] for h in history], label="test")
    a.set_yscale("log")
    a.set_xlabel("epoch")
    a.set_ylabel("loss")
    a.legend()
    b.plot(ep, [h["train_accuracy"] for h in history], label="train")
    b.plot(ep, [h["test_accuracy"] for h in history], label="test")
    b.set_xlabel("epoch")
    b.set_ylabel("accuracy")
    b.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    savefig(fig, path)


def activations(path: Path):
    """Each activation kernel and its derivative kernel on [-4, 4]."""
    plt = _plt()
    x = np.linspace(-4, 4, 801)
    fig, axes = plt.subplots(1, len(ACTIVATION_KERNELS), figsize=(2.4 * len(ACTIVATION_KERNELS), 2.4))
    for ax, name in zip(axes, ACTIVATION_KERNELS):
        extra = (0.1,) if name == "leaky_relu" else ()
        ax.plot(x, kernel(name)(x, *extra), label="f")
        ax.plot(x, kernel(f"{name}.grad")(x, *extra), label="f'", linestyle="--")
        ax.set_title(name + (r" ($\alpha=0.1$)" if extra else ""))
        ax.axhline(0, color="0.8", lw=0.5)
        ax.axvline(0, color="0.8", lw=0.5)
    axes[0].legend()
    fig.tight_layout()
    savefig(fig, path)


def sigmoid_bound(path: Path):
    r""":math:`\sigma'(x) \le 1/4` with equality at 0."""
    plt = _plt()
    x = np.linspace(-8, 8, 801)
    fig, ax = plt.subplots(figsize=(4, 2.6))
    ax.plot(x, kernel("sigmoid.grad")(x), label=r"$\sigma'(x)$")
    ax.axhline(0.25, color="C3", linestyle="--", label=r"$1/4$")
    ax.plot([0], [0.25], "o", color="C3")
    ax.set_xlabel("x")
    ax.legend()
    fig.tight_layout()
    savefig(fig, path)


def eps_ratio(path: Path, eps: float = 1e-8):
    r"""Step ratio :math:`\sqrt{g^2+\epsilon}/(|g|+\epsilon)` of epsilon outside vs inside the root."""
    r, _, _ = eps_placement_ratio()
    f = sp.lambdify(sorted(r.free_symbols, key=str), r, modules="numpy")  # (g, epsilon) by name order
    plt = _plt()
    g = np.logspace(-10, 0, 400)
    fig, ax = plt.subplots(figsize=(4, 2.6))
    ax.loglog(g, f(eps, g), label=rf"$\epsilon = 10^{{{int(np.log10(eps))}}}$")
    ax.set_xlabel("|g| (with v = g²)")
    ax.set_ylabel("step outside / inside")
    ax.legend()
    fig.tight_layout()
    savefig(fig, path)
