r"""Stability rewrites: each row replaces a formula by an equal one that does not overflow.

Generic rewrites are not enough (``log1p(exp(x))`` is still ``inf`` at :math:`x = 1000`),
so every row names an explicit stable node and is itself a claim: :func:`prove_rewrite`
shows ``unstable - stable == 0`` with SymPy.  ``numeric.codegen`` applies the rows to
kernel expressions before printing NumPy code.

=========================  ===========================================================
row                        identity
=========================  ===========================================================
sigmoid                    :math:`\frac{1}{1+e^{-x}} = e^{-\operatorname{logaddexp}(0, -x)}`
softplus                   :math:`\log(1 + e^{x}) = \operatorname{logaddexp}(x, 0)`
log_sigmoid                :math:`\log\sigma(x) = -\operatorname{logaddexp}(0, -x)`
log_one_minus_sigmoid      :math:`\log(1-\sigma(x)) = -\operatorname{logaddexp}(0, x)`
softmax_shift              :math:`\frac{e^{z_i}}{\sum_k e^{z_k}} = \frac{e^{z_i - c}}{\sum_k e^{z_k - c}}` for every :math:`c`
log_softmax_shift          :math:`\log\frac{e^{z_i}}{\sum_k e^{z_k}} = z_i - c - \log\sum_k e^{z_k - c}`
=========================  ===========================================================

With :math:`c = \max_k z_k` every exponent is :math:`\le 0` (no overflow) and the sum is
:math:`\ge 1` (no :math:`\log 0`); the shift rows are proved for every :math:`n` in index
notation and for every :math:`c`, so the choice of :math:`c` needs no further proof.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp
from sympy.codegen.numpy_nodes import logaddexp

from .primitives import Sigmoid, elementary
from .printing import tex as _tex

__all__ = ["Rewrite", "REWRITES", "prove_rewrite", "logaddexp"]


@dataclass(frozen=True)
class Rewrite:
    """``unstable(*args) == stable(*args)``; ``why`` says what goes wrong without it."""

    name: str
    latex: str
    unstable: Callable[..., sp.Expr]
    stable: Callable[..., sp.Expr]
    why: str
    indexed: bool = False                 # arguments are (z, i, k, n, c) in index notation


def _sm(z, i, k, n, shift=0):
    return sp.exp(z[i] - shift) / sp.Sum(sp.exp(z[k] - shift), (k, 1, n))


REWRITES: tuple[Rewrite, ...] = (
    Rewrite("sigmoid", r"\frac{1}{1+e^{-x}} = e^{-\operatorname{logaddexp}(0, -x)}",
            lambda x: Sigmoid(x), lambda x: sp.exp(-logaddexp(0, -x)),
            "e^{-x} overflows for x < -710 (float64) and x < -89 (float32); the form (1 + tanh(x/2))/2 "
            "does not overflow but loses the relative accuracy of small sigma(x)"),
    Rewrite("softplus", r"\log(1+e^{x}) = \operatorname{logaddexp}(x, 0)",
            lambda x: sp.log(1 + sp.exp(x)), lambda x: logaddexp(x, 0),
            "e^{x} overflows, and log1p(exp(x)) is still inf at x = 1000"),
    Rewrite("log_sigmoid", r"\log\sigma(x) = -\operatorname{logaddexp}(0, -x)",
            lambda x: sp.log(Sigmoid(x)), lambda x: -logaddexp(0, -x),
            "sigma(x) underflows to 0 for x << 0 and log(0) = -inf"),
    Rewrite("log_one_minus_sigmoid", r"\log(1-\sigma(x)) = -\operatorname{logaddexp}(0, x)",
            lambda x: sp.log(1 - Sigmoid(x)), lambda x: -logaddexp(0, x),
            "1 - sigma(x) rounds to 0 for x >> 0 and log(0) = -inf"),
    Rewrite("softmax_shift", r"\frac{e^{z_i}}{\sum_k e^{z_k}} = \frac{e^{z_i - c}}{\sum_k e^{z_k - c}}",
            lambda z, i, k, n, c: _sm(z, i, k, n), lambda z, i, k, n, c: _sm(z, i, k, n, c),
            "e^{z} overflows for z > 709 (float64) and z > 88 (float32)", indexed=True),
    Rewrite("log_softmax_shift",
            r"\log\frac{e^{z_i}}{\sum_k e^{z_k}} = z_i - c - \log\sum_k e^{z_k - c}",
            lambda z, i, k, n, c: sp.log(_sm(z, i, k, n)),
            lambda z, i, k, n, c: z[i] - c - sp.log(sp.Sum(sp.exp(z[k] - c), (k, 1, n))),
            "softmax underflows to 0 and log(0) = -inf", indexed=True),
)


def _logaddexp_as_log(expr):
    return expr.replace(lambda e: isinstance(e, logaddexp),
                        lambda e: sp.log(sp.exp(e.args[0]) + sp.exp(e.args[1])))


def prove_rewrite(row: Rewrite) -> tuple[bool, list[tuple[str, str]]]:
    r"""Prove ``row.unstable == row.stable`` symbolically (for every :math:`n` and :math:`c`
    in the index-notation rows).

    >>> all(prove_rewrite(r)[0] for r in REWRITES)
    True
    """
    if row.indexed:
        n = sp.Symbol("n", integer=True, positive=True)
        i, k = sp.Idx("i", (1, n)), sp.Idx("k", (1, n))
        z = sp.IndexedBase("z", real=True)
        c = sp.Symbol("c", real=True)
        lhs, rhs = row.unstable(z, i, k, n, c), row.stable(z, i, k, n, c)
        # e^{z_k - c} = e^{z_k} e^{-c}; the constant factor leaves the sum (Sum.factor via simplify)
        diff = sp.expand_log(sp.expand(lhs - rhs, power_exp=True), force=True)
        diff = sp.simplify(sp.expand_log(sp.simplify(diff), force=True))
    else:
        x = sp.Symbol("x", real=True)
        lhs, rhs = row.unstable(x), row.stable(x)
        diff = elementary(_logaddexp_as_log(lhs - rhs))
        diff = sp.simplify(diff.rewrite(sp.exp))
    steps = [("identity", _tex(sp.Eq(lhs, rhs))), ("lhs - rhs simplifies to", _tex(diff))]
    return diff == 0, steps
