r"""The worked example of "Neural Network Math: Clear Formula Brilliance", run through the kernels.

A 2-2-1 sigmoid network (the article's numbers, batch-first):
:math:`x = (0.5, 0.8)`, :math:`W^{(1)} = \begin{pmatrix}0.2 & 0.4\\ -0.3 & 0.1\end{pmatrix}`
(column :math:`j` feeds hidden unit :math:`j`), :math:`b^{(1)} = (0.1, -0.1)`,
:math:`W^{(2)} = (0.3, -0.2)^\top`, :math:`b^{(2)} = 0.05`, target :math:`y = 1`,
loss :math:`L = \frac12 (A^{(2)} - y)^2`.

Every number the article prints is a catalogue claim whose ``example`` field names the quantity
of :func:`run` it prints; this module computes the same quantity with the kernels and compares
it with the printed value at the printed precision (the printed value is read from the claim's
LaTeX).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..catalogue import catalogue_dir, load_paths
from .kernels import kernel

__all__ = ["NETWORK", "run", "compare", "Row"]

NETWORK = {
    "x": np.array([[0.5, 0.8]]),
    "W1": np.array([[0.2, 0.4], [-0.3, 0.1]]),
    "b1": np.array([0.1, -0.1]),
    "W2": np.array([[0.3], [-0.2]]),
    "b2": np.array([0.05]),
    "y": np.array([[1.0]]),
}


def run(net=NETWORK) -> dict[str, float]:
    """Forward and backward pass with the kernels; returns every intermediate by the name the claims'
    ``example`` field uses."""
    sig, dsig = kernel("sigmoid"), kernel("sigmoid.grad")
    z1 = net["x"] @ net["W1"] + net["b1"]
    h = sig(z1)
    z2 = h @ net["W2"] + net["b2"]
    a2 = sig(z2)
    loss = 0.5 * kernel("sse")(a2, net["y"])                     # the article's 1/2 (a - y)^2
    dL_da = 0.5 * kernel("sse.grad")(a2, net["y"])               # = a - y
    delta2 = dL_da * dsig(z2)
    dW2 = kernel("backprop.weight_grad_no_l2")(h, delta2)
    db2 = kernel("backprop.bias_grad")(delta2)
    delta1 = kernel("backprop.delta")(delta2, net["W2"], dsig(z1))
    return {"z11": z1[0, 0], "z12": z1[0, 1], "sigma_z11": sig(np.float64(-0.04)), "h1": h[0, 0], "h2": h[0, 1],
            "z2": z2[0, 0], "a2": a2[0, 0], "loss": loss[0, 0], "error": dL_da[0, 0],
            "sigma_prime_z2": dsig(z2)[0, 0], "delta2": delta2[0, 0], "dW2_1": dW2[0, 0], "dW2_2": dW2[1, 0],
            "db2": db2[0], "sigma_prime_z11": dsig(z1)[0, 0], "sigma_prime_z12": dsig(z1)[0, 1],
            "delta1_1": delta1[0, 0], "delta1_2": delta1[0, 1],
            # the article's own arithmetic on its rounded hidden outputs
            "z2_as_written": 0.3 * 0.49 + (-0.2) * 0.545 + 0.05}


@dataclass
class Row:
    claim: str
    value: float
    printed: str
    status: str        # "agrees", "truncated" or "differs"

    @property
    def rounded(self) -> str:
        d = _decimals(self.printed)
        return f"{round(self.value, d):.{d}f}"


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


_NUMBER = re.compile(r"(?:\\approx|=)\s*(-?\d+(?:\.\d+)?)\s*$")


def compare(claims=None) -> list[Row]:
    """One row per claim that names a quantity of the worked example (``example``) and prints a number."""
    if claims is None:
        claims, _ = load_paths([str(catalogue_dir())])
    values = run()
    rows = []
    for c in claims:
        if not c.example or not c.latex:
            continue
        key = c.example
        m = _NUMBER.search(c.latex)
        if key not in values or not m:
            continue
        printed = m.group(1)
        v = float(values[key])
        d = _decimals(printed)
        if f"{round(v, d):.{d}f}" == f"{float(printed):.{d}f}":
            status = "agrees"
        elif f"{np.trunc(v * 10**d) / 10**d:.{d}f}" == f"{float(printed):.{d}f}":
            status = "truncated"
        else:
            status = "differs"
        rows.append(Row(c.id, v, printed, status))
    return rows


def main_example(args=None) -> int:
    """``nnderive example``: the table of the article's numbers."""
    rows = compare()
    print(f"{'claim':<36} {'kernel value':>14} {'printed':>9} {'rounded':>9}  status")
    for r in rows:
        print(f"{r.claim:<36} {r.value:>14.8f} {r.printed:>9} {r.rounded:>9}  {r.status}")
    bad = [r for r in rows if r.status != "agrees"]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} printed numbers agree at the printed precision"
          + (f"; {', '.join(r.claim + ' (' + r.status + ')' for r in bad)}" if bad else ""))
    return 0
