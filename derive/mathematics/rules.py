r"""The derivative table: one row per primitive, each row itself a claim.

Rows are in cheat-sheet form (written with the forward output where sheets do
so, as in autograd's ``defvjp``).  :func:`prove_rule` checks each row against
``sympy.diff`` of the elementary definition, so the table is proved, not
trusted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .conventions import LOSSES, Conventions
from .primitives import ACTIVATIONS, LeakyReLU, ReLU, Sigmoid, Softplus, Step, elementary
from .printing import tex as _tex
from .zero import covers, is_zero

__all__ = ["Rule", "RULES", "prove_rule", "VectorRule", "VECTOR_RULES", "prove_vector_rule",
           "Sigmoid", "ReLU", "Step", "LeakyReLU", "Softplus", "ACTIVATIONS", "elementary"]


@dataclass(frozen=True)
class Rule:
    """One row: ``f'(x)`` written with ``y = f(x)`` where the sheets use that form."""

    name: str
    function: Callable[..., sp.Expr]
    definition: Callable[[sp.Expr], sp.Expr]
    derivative: Callable[[sp.Expr, sp.Expr], sp.Expr]  # (y, x) -> f'(x)
    latex: str
    kink: str = ""


_x = sp.Symbol("x", real=True)
_alpha = sp.Symbol(r"\alpha", positive=True)

#: The derivative table, in cheat-sheet form.
RULES: tuple[Rule, ...] = (
    Rule("sigmoid", Sigmoid, lambda x: 1 / (1 + sp.exp(-x)), lambda y, x: y * (1 - y),
         r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))"),
    Rule("tanh", sp.tanh, lambda x: (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)),
         lambda y, x: 1 - y**2, r"\tanh'(x) = 1 - \tanh^2(x)"),
    # in output form, H(y) with y = ReLU(x): the same as H(x) because H(0) = 0 (the kink convention)
    Rule("relu", ReLU, lambda x: sp.Piecewise((0, x <= 0), (x, True)), lambda y, x: Step(y),
         r"\operatorname{ReLU}'(x) = H(x)", kink=r"\operatorname{ReLU}'(0) := 0"),
    Rule("leaky_relu", lambda x: LeakyReLU(x, _alpha),
         lambda x: sp.Piecewise((_alpha * x, x <= 0), (x, True)),
         lambda y, x: sp.Piecewise((_alpha, x <= 0), (1, True)),
         r"\operatorname{LeakyReLU}_\alpha'(x) = \alpha \text{ if } x \le 0 \text{ else } 1",
         kink=r"\operatorname{LeakyReLU}_\alpha'(0) := \alpha"),
    Rule("softplus", Softplus, lambda x: sp.log(1 + sp.exp(x)), lambda y, x: Sigmoid(x),
         r"\operatorname{softplus}'(x) = \sigma(x)"),
)


def _piecewise_zero(expr: sp.Expr, x: sp.Symbol) -> bool:
    """Zero on every branch, except possibly at the single kink point x = 0; the branches cover every
    other point (where none applies, the difference is undefined, not 0)."""
    expr = sp.piecewise_fold(expr)
    if isinstance(expr, sp.Piecewise):
        conds = sp.Or(*(c for _, c in expr.args))
        return (covers(conds) or _only_at_zero(sp.Not(conds), x)) and \
            all(sp.simplify(e) == 0 or _only_at_zero(c, x) for e, c in expr.args)
    return sp.simplify(expr) == 0


def _only_at_zero(cond, x) -> bool:
    return sp.solveset(cond, x, sp.S.Reals).is_subset(sp.FiniteSet(0))


def prove_rule(rule: Rule) -> tuple[bool, list[tuple[str, str]]]:
    """Prove ``rule`` against ``sympy.diff`` of the elementary definition.

    Returns ``(proved, steps)``; at a kink the rule's stated convention is
    checked to lie in the subdifferential (between the one-sided derivatives).

    >>> all(prove_rule(r)[0] for r in RULES)
    True
    """
    x = _x
    f = rule.definition(x)
    truth = sp.diff(f, x)
    claimed = elementary(rule.derivative(rule.function(x), x))
    steps = [
        ("definition", _tex(sp.Eq(sp.Function("f")(x), f))),
        ("differentiate the definition", _tex(truth)),
        ("table rule, rewritten elementarily", _tex(claimed)),
    ]
    ok = _piecewise_zero(sp.simplify(truth - claimed), x)
    if ok and rule.kink:
        left = sp.limit(sp.diff(f, x), x, 0, "-")
        right = sp.limit(sp.diff(f, x), x, 0, "+")
        at0 = claimed.subs(x, 0)
        lo, hi = sorted([left, right], key=lambda v: float(v.subs(_alpha, sp.Rational(1, 100))))
        ok = bool(sp.simplify(at0 - lo) == 0 or sp.simplify(at0 - hi) == 0)
        steps.append(("kink convention: one-sided derivatives at 0 are "
                      f"{_tex(left)} and {_tex(right)}", rule.kink))
    steps.append(("lhs - rhs simplifies to", "0" if ok else "\\ne 0"))
    return ok, steps


# --------------------------------------------------------------------------- vector rows
@dataclass(frozen=True)
class VectorRule:
    r"""A row over vectors of length :math:`n`: softmax, a loss in one convention, or a fused gradient.

    ``definition(p, t, n)`` builds the scalar (or, for softmax, the vector) from explicit
    entries; ``derivative(p, t, n, i, j)`` is the table's claimed partial derivative.
    """

    name: str
    latex: str
    definition: Callable
    derivative: Callable
    wrt: str = "p"                       # differentiate by p (prediction) or z (logits)
    given: str = ""                      # a fact the row needs, e.g. sum_i y_i = 1


def _loss_definition(name, convention=None):
    def build(p, t, n):
        scope = Conventions({"mse_scale": convention} if convention else {})
        P = sp.Matrix(p)
        T = sp.Matrix(t)
        return LOSSES[name]([P, T], scope, None).doit()
    return build


def _softmax(z):
    s = sum(sp.exp(v) for v in z)
    return [sp.exp(v) / s for v in z]


VECTOR_RULES: tuple[VectorRule, ...] = (
    VectorRule("softmax", r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j)",
               lambda z, t, n: _softmax(z),
               lambda z, t, n, i, j: _softmax(z)[i] * ((1 if i == j else 0) - _softmax(z)[j]), wrt="z"),
    VectorRule("sse", r"\frac{\partial}{\partial \hat y_i}\sum_k (y_k-\hat y_k)^2 = -2(y_i-\hat y_i)",
               _loss_definition("sse"), lambda p, t, n, i, j: -2 * (t[i] - p[i])),
    VectorRule("mse (mean)", r"\frac{\partial}{\partial \hat y_i}\frac1n\sum_k (y_k-\hat y_k)^2 = -\frac2n(y_i-\hat y_i)",
               _loss_definition("mse", "mean"), lambda p, t, n, i, j: -sp.Rational(2, n) * (t[i] - p[i])),
    VectorRule("mse (half mean)", r"\frac{\partial}{\partial \hat y_i}\frac1{2n}\sum_k (y_k-\hat y_k)^2 = -\frac1n(y_i-\hat y_i)",
               _loss_definition("mse", "half_mean"), lambda p, t, n, i, j: -sp.Rational(1, n) * (t[i] - p[i])),
    VectorRule("mse (half sum)", r"\frac{\partial}{\partial \hat y_i}\frac12\sum_k (y_k-\hat y_k)^2 = \hat y_i - y_i",
               _loss_definition("mse", "half_sum"), lambda p, t, n, i, j: p[i] - t[i]),
    VectorRule("bce", r"\frac{\partial \mathcal{L}_{BCE}}{\partial \hat y_i} = -\frac1n\left(\frac{y_i}{\hat y_i}-\frac{1-y_i}{1-\hat y_i}\right)",
               _loss_definition("bce"), lambda p, t, n, i, j: -sp.Rational(1, n) * (t[i] / p[i] - (1 - t[i]) / (1 - p[i]))),
    VectorRule("cce", r"\frac{\partial}{\partial \hat y_i}\left(-\sum_k y_k \ln \hat y_k\right) = -\frac{y_i}{\hat y_i}",
               _loss_definition("cce"), lambda p, t, n, i, j: -t[i] / p[i]),
    VectorRule("softmax + cce", r"\frac{\partial}{\partial z_i}\left(-\sum_k y_k \ln \operatorname{softmax}(z)_k\right) = a_i - y_i",
               lambda z, t, n: -sum(tk * sp.log(ak) for tk, ak in zip(t, _softmax(z))),
               lambda z, t, n, i, j: _softmax(z)[i] - t[i], wrt="z", given=r"\sum_k y_k = 1"),
    VectorRule("sigmoid + bce", r"\frac{\partial}{\partial z_i}\mathcal{L}_{BCE}(\sigma(z), y) = \frac1n(\sigma(z_i) - y_i)",
               lambda z, t, n: _loss_definition("bce")([Sigmoid(v) for v in z], t, n),
               lambda z, t, n, i, j: (Sigmoid(z[i]) - t[i]) / n, wrt="z"),
)


def prove_vector_rule(rule: VectorRule, sizes=(1, 2, 3, 4)) -> tuple[bool, list[tuple[str, str]]]:
    """Check ``rule`` against ``sympy.diff`` of its definition at each explicit size, every entry.

    >>> all(prove_vector_rule(r, sizes=(2,))[0] for r in VECTOR_RULES)
    True
    """
    steps = []
    for n in sizes:
        z = [sp.Symbol(f"z_{k + 1}", real=True) for k in range(n)]
        p = [sp.Symbol(f"p_{k + 1}", positive=True) for k in range(n)]
        t = [sp.Symbol(f"y_{k + 1}", positive=True) for k in range(n)]
        x = z if rule.wrt == "z" else p
        f = rule.definition(x, t, n)
        given = {t[-1]: 1 - sum(t[:-1])} if rule.given else {}
        for i in range(n):
            for j in range(n if rule.name == "softmax" else 1):
                truth = sp.diff(f[i], z[j]) if rule.name == "softmax" else sp.diff(elementary(f), x[i])
                claim = rule.derivative(x, t, n, i, j)
                d = elementary(truth - claim).xreplace(given)
                if is_zero(d) is not True:     # exponentials as symbols, then cancel: quicker than simplify()
                    steps.append((f"n = {n}, entry ({i + 1},{j + 1}): lhs - rhs", _tex(sp.simplify(d))))
                    return False, steps
        steps.append((f"n = {n}: every entry of sympy.diff(definition) - rule reduces to", "0"))
    return True, steps
