r"""Named conventions and the reference definitions of the losses.

A *convention axis* is a choice on which correct sources differ.  A claim is
judged under the reference choice of every axis it touches; if it is false
there but true under one alternative, its verdict is **convention**, naming
both.  Reference choices follow PyTorch's documented defaults where PyTorch
has one.

Losses (``pred`` is :math:`\hat y`, ``target`` is :math:`y`, vectors of
length :math:`n`, or scalars for one example):

* SSE  :math:`\sum_i (y_i - \hat y_i)^2`
* MSE  :math:`\frac1n \sum_i (y_i - \hat y_i)^2` (``torch.nn.MSELoss``, mean)
* BCE  :math:`-\frac1n \sum_i [y_i \ln \hat y_i + (1-y_i)\ln(1-\hat y_i)]` (``torch.nn.BCELoss``)
* CCE  :math:`-\sum_i y_i \ln \hat y_i` for one example (``torch.nn.CrossEntropyLoss`` on probabilities)
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..notation.errors import LatexError
from .arrays import is_array

__all__ = ["Axis", "AXES", "Conventions", "LOSSES", "INITS"]


@dataclass(frozen=True)
class Axis:
    name: str
    reference: str
    choices: dict[str, str]       # choice -> human description
    source: str                   # where the reference choice comes from


AXES: dict[str, Axis] = {
    "log_base": Axis("log base", "e", {
        "e": r"natural log $\ln$",
        "10": r"base-10 log $\log_{10}$",
        "2": r"base-2 log $\log_2$"},
        "ML convention: $\\log$ is $\\ln$ (PyTorch torch.log, cross-entropy in nats)"),
    "lg_base": Axis("base of lg", "10", {
        "10": r"$\lg$ as the base-10 log $\log_{10}$",
        "2": r"$\lg$ as the base-2 log $\log_2$"},
        "ISO 80000-2 (lg is the base-10 log); Cormen et al., Introduction to Algorithms, write it for base 2"),
    "mse_scale": Axis("MSE scaling", "mean", {
        "mean": r"mean $\frac{1}{n}\sum_i(\hat y_i-y_i)^2$",
        "half_mean": r"half mean $\frac{1}{2n}\sum_i(\hat y_i-y_i)^2$",
        "half_sum": r"half sum $\frac{1}{2}\sum_i(\hat y_i-y_i)^2$",
        "sum": r"sum $\sum_i(\hat y_i-y_i)^2$ (SSE)"},
        "torch.nn.MSELoss(reduction='mean'); Goodfellow et al., Deep Learning, eq. 5.14"),
    "layout": Axis("layout", "mixed", {
        "mixed": r"mixed layout (the gradient of a scalar has the shape of its variable, $\partial L/\partial W$ is "
                 r"$m \times n$ for $W \in \mathbb{R}^{m \times n}$; the Jacobian of $f:\mathbb{R}^n\to\mathbb{R}^m$ "
                 r"is $m \times n$ with entries $\partial f_i/\partial x_j$)",
        "numerator": r"numerator layout ($\partial f/\partial x$ has the shape of $f$ by the transpose of $x$: "
                     r"the gradient of a scalar by a column vector is a row, the Jacobian is $m \times n$)",
        "denominator": r"denominator layout ($\partial f/\partial x$ has the shape of $x$ by the transpose of $f$: "
                       r"the gradient is a column, the Jacobian of $f:\mathbb{R}^n\to\mathbb{R}^m$ is $n \times m$)"},
        "the layout most ML texts use (gradients shaped like parameters, Jacobians in numerator layout); "
        "Magnus & Neudecker, Matrix Differential Calculus; a claim or its file may state its own"),
    "jacobian_form": Axis("Jacobian form", "matrix", {
        "matrix": r"the Jacobian as a matrix, $\left[\partial f_i/\partial x_j\right]_{ij}$",
        "entrywise": r"the entry-wise shorthand: a diagonal Jacobian written by its diagonal, "
                     r"$\partial f_i/\partial x_i$ (so $\partial (Wx + b)/\partial b = 1$ stands for $I$)"},
        "matrix calculus (Magnus & Neudecker); the shorthand is common on cheat sheets"),
    "bce_reduction": Axis("BCE reduction", "mean", {
        "mean": r"mean over the $n$ examples",
        "sum": r"sum over the $n$ examples"},
        "torch.nn.BCELoss(reduction='mean')"),
}


class Conventions:
    """The convention choices a claim is judged under, and the axes it touched."""

    def __init__(self, conventions=None):
        self.conventions = dict(conventions or {})
        self.used_axes: set = set()


def _pair(args, scope, pos, name):
    if len(args) != 2:
        raise LatexError(f"{name} takes (prediction, target)", pos)
    p, t = args
    if is_array(p) != is_array(t) or (is_array(p) and p.shape != t.shape):
        raise LatexError(f"{name}: prediction and target shapes differ", pos)
    return p, t


def _terms(p, t, f):
    """(sum of f over every entry, count of entries) for vectors and matrices; (f, 1) for scalars.

    A matrix (a batch of rows) sums over rows and columns: reading only its first column was
    a silent loss of entries. The indices are dummies so that no user symbol is captured."""
    if is_array(p):
        rows, cols = p.shape
        i, j = sp.Dummy("i", integer=True, positive=True), sp.Dummy("j", integer=True, positive=True)
        if cols == 1:
            return sp.Sum(f(p[i - 1, 0], t[i - 1, 0]), (i, 1, rows)), rows
        if rows == 1:
            return sp.Sum(f(p[0, j - 1], t[0, j - 1]), (j, 1, cols)), cols
        return sp.Sum(f(p[i - 1, j - 1], t[i - 1, j - 1]), (i, 1, rows), (j, 1, cols)), rows * cols
    return f(p, t), sp.Integer(1)


def _sse(args, scope, pos):
    p, t = _pair(args, scope, pos, "SSE")
    return _terms(p, t, lambda a, b: (b - a) ** 2)[0]


def _mse(args, scope, pos):
    p, t = _pair(args, scope, pos, "MSE")
    scope.used_axes.add("mse_scale")
    s, n = _terms(p, t, lambda a, b: (b - a) ** 2)
    scale = {"mean": 1 / n, "half_mean": 1 / (2 * n), "half_sum": sp.Rational(1, 2), "sum": 1}
    return scale[scope.conventions.get("mse_scale", "mean")] * s


def _bce(args, scope, pos):
    p, t = _pair(args, scope, pos, "BCE")
    scope.used_axes.add("bce_reduction")
    s, n = _terms(p, t, lambda a, b: -(b * sp.log(a) + (1 - b) * sp.log(1 - a)))
    return s / n if scope.conventions.get("bce_reduction", "mean") == "mean" else s


def _cce(args, scope, pos):
    p, t = _pair(args, scope, pos, "CCE")
    return _terms(p, t, lambda a, b: -b * sp.log(a))[0]


#: Loss builders by catalogue function name: ``(args, scope, pos) -> expr``.
LOSSES = {"sse": _sse, "mse": _mse, "bce": _bce, "cce": _cce}


def _uniform_variance(a):
    r""":math:`\mathrm{Var}(U[-a, a]) = \int_{-a}^{a} \frac{x^2}{2a}\,dx` (mean 0), derived, not quoted."""
    x = sp.Dummy("x", real=True)
    aa = sp.Dummy("a", positive=True)
    return sp.integrate(x**2 / (2 * aa), (x, -aa, aa)).subs(aa, a)


def _named(name: str, tex: str, arity: int, builder, doc: str):
    """A reference quantity that prints by its name and rewrites to its value."""
    def rewrite(self, *args, **kwargs):
        return builder(*args)

    def latex(self, printer, exp=None):
        body = r"%s\left(%s\right)" % (tex, ", ".join(printer._print(a) for a in self.args))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)
    return type(name, (sp.Function,), {"nargs": arity, "__doc__": doc, "is_real": True,
                                       "_eval_rewrite_as_elementary": rewrite, "_latex": latex})


UniformVariance = _named("UniformVariance", r"\operatorname{Var}_{U[-a,a]}", 1, _uniform_variance,
                         "Var of U[-a, a], derived by integration.")
XavierVariance = _named("XavierVariance", r"\operatorname{Var}_{\text{Xavier}}", 2, lambda a, b: 2 / (a + b),
                        "Glorot & Bengio 2010, eq. 12: 2/(n_in + n_out); torch.nn.init.xavier_*.")
HeVariance = _named("HeVariance", r"\operatorname{Var}_{\text{He}}", 1, lambda a: 2 / a,
                    "He et al. 2015, eq. 10: 2/n_in; torch.nn.init.kaiming_normal_.")
LecunVariance = _named("LecunVariance", r"\operatorname{Var}_{\text{LeCun}}", 1, lambda a: 1 / a,
                       "LeCun et al. 1998, Efficient BackProp: 1/n_in.")

#: Reference initialisation variances: name -> (builder, arity).
INITS = {
    "uniform_variance": (UniformVariance, 1),
    "xavier_variance": (XavierVariance, 2),
    "he_variance": (HeVariance, 1),
    "lecun_variance": (LecunVariance, 1),
}
