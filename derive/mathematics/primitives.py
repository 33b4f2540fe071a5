r"""The activation primitives: SymPy functions with their elementary rewrite.

Each activation is a SymPy ``Function`` whose ``rewrite("elementary")`` is the
textbook definition.  Its derivative is the cheat-sheet row of
:mod:`nnderive.mathematics.rules`, proved there against ``sympy.diff``.

Kink convention: :math:`\mathrm{ReLU}'(0) = 0` and
:math:`\mathrm{LeakyReLU}'(0) = \alpha` (the left branch), the choice of the
cheat sheets and of PyTorch; any value in the subdifferential :math:`[0, 1]`
would be as valid.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

__all__ = ["Sigmoid", "ReLU", "Step", "LeakyReLU", "Softplus", "ACTIVATIONS", "elementary"]


class Sigmoid(sp.Function):
    r"""Logistic sigmoid :math:`\sigma(x) = \frac{1}{1+e^{-x}}`.

    :math:`\sigma'(x) = \sigma(x)\,(1-\sigma(x))` (rule ``sigmoid``).

    >>> x = sp.Symbol("x", real=True)
    >>> Sigmoid(x).diff(x)
    (1 - \sigma(x))*\sigma(x)
    >>> Sigmoid(0)
    1/2
    """

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.Rational(1, 2)

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_elementary(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    _eval_rewrite_as_exp = _eval_rewrite_as_elementary

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        if self.args[0].is_real:
            return True

    def _eval_evalf(self, prec):
        return self.rewrite("elementary")._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        tex = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        return r"\sigma(%s)" % printer._print(self.args[0])


class Step(sp.Function):
    r"""Heaviside step with the value at the kink stated: :math:`H(0) = 0`.

    It is :math:`\mathrm{ReLU}'`; see the module docstring for the convention.
    """

    @classmethod
    def eval(cls, x):
        if x.is_positive:
            return sp.S.One
        if x.is_nonpositive:
            return sp.S.Zero

    def fdiff(self, argindex=1):
        return sp.S.Zero  # almost everywhere; the kink is excluded by convention

    def _eval_rewrite_as_elementary(self, x, **kwargs):
        return sp.Piecewise((0, x <= 0), (1, True))

    _eval_rewrite_as_Piecewise = _eval_rewrite_as_elementary

    def _eval_is_real(self):
        return True

    def _latex(self, printer, exp=None):
        tex = r"H\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


class ReLU(sp.Function):
    r""":math:`\mathrm{ReLU}(x) = \max(0, x)`, with :math:`\mathrm{ReLU}'(x) = H(x)`, :math:`H(0)=0`.

    >>> x = sp.Symbol("x", real=True)
    >>> ReLU(x).diff(x)
    Step(x)
    >>> ReLU(-3), ReLU(sp.Rational(1, 2))
    (0, 1/2)
    """

    @classmethod
    def eval(cls, x):
        if x.is_nonpositive:
            return sp.S.Zero
        if x.is_positive:
            return x

    def fdiff(self, argindex=1):
        return Step(self.args[0])

    def _eval_rewrite_as_elementary(self, x, **kwargs):
        return sp.Piecewise((0, x <= 0), (x, True))

    _eval_rewrite_as_Piecewise = _eval_rewrite_as_elementary

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return True if self.args[0].is_real else None

    def _latex(self, printer, exp=None):
        tex = r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


class LeakyReLU(sp.Function):
    r""":math:`\mathrm{LeakyReLU}_\alpha(x) = x` for :math:`x>0`, :math:`\alpha x` for :math:`x \le 0`.

    The derivative takes the left branch at the kink: :math:`\alpha`.
    """

    nargs = 2

    @classmethod
    def eval(cls, x, alpha):
        if x.is_nonpositive:
            return alpha * x
        if x.is_positive:
            return x

    def fdiff(self, argindex=1):
        x, alpha = self.args
        if argindex == 1:
            return sp.Piecewise((alpha, x <= 0), (1, True))
        return sp.Piecewise((x, x <= 0), (0, True))

    def _eval_rewrite_as_elementary(self, x, alpha, **kwargs):
        return sp.Piecewise((alpha * x, x <= 0), (x, True))

    _eval_rewrite_as_Piecewise = _eval_rewrite_as_elementary

    def _latex(self, printer, exp=None):
        x, a = (printer._print(t) for t in self.args)
        tex = r"\operatorname{LeakyReLU}_{%s}\left(%s\right)" % (a, x)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


class Softplus(sp.Function):
    r""":math:`\mathrm{softplus}(x) = \log(1+e^{x})`, whose derivative is :math:`\sigma(x)`."""

    def fdiff(self, argindex=1):
        return Sigmoid(self.args[0])

    def _eval_rewrite_as_elementary(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        tex = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)


#: Activation functions by their catalogue name.
ACTIVATIONS: dict[str, Callable[..., sp.Expr]] = {
    "sigmoid": Sigmoid,
    "tanh": sp.tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softplus": Softplus,
    "step": Step,
}


def elementary(expr: sp.Expr) -> sp.Expr:
    """Rewrite every table primitive (and tanh) by its elementary definition."""
    # SymPy's rewrite rebuilds every node of the tree, changed or not: only ask where something changes
    if not isinstance(expr, sp.Basic) or any(hasattr(type(a), "_eval_rewrite_as_elementary")
                                             for a in sp.preorder_traversal(expr)):
        expr = expr.rewrite("elementary")
    if expr.has(sp.tanh):
        expr = expr.replace(sp.tanh, lambda u: (sp.exp(u) - sp.exp(-u)) / (sp.exp(u) + sp.exp(-u)))
    return expr
