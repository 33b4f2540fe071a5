r"""Array-valued expressions that keep their shape until indexed.

Vectors and matrices are SymPy ``MatrixSymbol`` objects (a vector is
:math:`n \times 1`).  A sheet index :math:`i \in \{1..n\}` addresses the
0-based element ``v[i-1, 0]``.  The classes here add what SymPy lacks:
softmax as a vector, the gradient of a scalar by a vector or matrix
(denominator layout: same shape as the variable), and the Jacobian of a
vector by a vector (numerator layout: :math:`J_{ij} = \partial f_i/\partial x_j`).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

__all__ = ["SoftmaxVec", "Grad", "Jacobian", "Hessian", "is_array", "Elementwise"]


def is_array(expr) -> bool:
    return isinstance(expr, MatrixExpr) or getattr(expr, "is_Matrix", False)


class SoftmaxVec(MatrixExpr):
    r""":math:`\mathrm{softmax}(z)_i = e^{z_i} / \sum_k e^{z_k}` for a column vector :math:`z`."""

    def __new__(cls, z):
        return MatrixExpr.__new__(cls, z)

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        z = self.args[0]
        k = sp.Dummy("k", integer=True)
        return sp.exp(z[i, 0]) / sp.Sum(sp.exp(z[k, 0]), (k, 0, z.shape[0] - 1))

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(%s\right)" % printer._print(self.args[0])


class Elementwise(MatrixExpr):
    """A table activation (or its derivative, ``order=1``) applied entry by entry."""

    def __new__(cls, name, x, order=0):
        name = name if isinstance(name, sp.Symbol) else sp.Symbol(name)
        return MatrixExpr.__new__(cls, name, x, sp.Integer(order))

    @property
    def shape(self):
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        from .rules import ACTIVATIONS
        name = self.args[0].name
        f = ACTIVATIONS.get(name) or sp.Function(name, real=True)
        u = self.args[1][i, j]
        if self.args[2] == 0:
            return f(u)
        x = sp.Dummy("x", real=True)
        return sp.Subs(sp.Derivative(f(x), x), x, u)

    def _latex(self, printer):
        prime = "'" if self.args[2] else ""
        return r"\operatorname{%s}%s\left(%s\right)" % (self.args[0].name, prime, printer._print(self.args[1]))


class Grad(MatrixExpr):
    r""":math:`\partial L / \partial X` for scalar :math:`L`, shaped like :math:`X` (denominator layout)."""

    def __new__(cls, f, x):
        return MatrixExpr.__new__(cls, f, x)

    @property
    def shape(self):
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        f = self.args[0]
        if is_array(f):  # a 1 x 1 matrix expression such as x^T A x
            f = f[0, 0]
        return sp.Derivative(f, self.args[1][i, j])

    def _latex(self, printer):
        return r"\frac{\partial %s}{\partial %s}" % tuple(printer._print(a) for a in self.args)


class Jacobian(MatrixExpr):
    r""":math:`\partial f / \partial x` for vectors, :math:`J_{ij} = \partial f_i / \partial x_j` (numerator layout)."""

    def __new__(cls, f, x):
        return MatrixExpr.__new__(cls, f, x)

    @property
    def shape(self):
        return (self.args[0].shape[0], self.args[1].shape[0])

    def _entry(self, i, j, **kwargs):
        return sp.Derivative(self.args[0][i, 0], self.args[1][j, 0])

    def _latex(self, printer):
        return r"\frac{\partial %s}{\partial %s}" % tuple(printer._print(a) for a in self.args)


class Hessian(MatrixExpr):
    r""":math:`H_{ij} = \partial^2 f / \partial x_i \partial x_j` for scalar :math:`f` of a vector :math:`x`."""

    def __new__(cls, f, x):
        return MatrixExpr.__new__(cls, f, x)

    @property
    def shape(self):
        return (self.args[1].shape[0], self.args[1].shape[0])

    def _entry(self, i, j, **kwargs):
        f = self.args[0]
        if is_array(f):
            f = f[0, 0]
        x = self.args[1]
        return sp.Derivative(f, x[i, 0], x[j, 0])

    def _latex(self, printer):
        return r"\frac{\partial^2 %s}{\partial %s^2}" % tuple(printer._print(a) for a in self.args)
