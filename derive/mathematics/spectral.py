r"""The spectral radius :math:`\rho(A) = \max_i |\lambda_i(A)|` of a square matrix, and when it is below 1.

For a real 2x2 matrix with trace :math:`\tau` and determinant :math:`\delta` the eigenvalues are the roots of
:math:`z^2 - \tau z + \delta`, and (Jury's test, the Schur-Cohn conditions for degree 2)

.. math:: \rho(A) < 1 \iff |\delta| < 1 \text{ and } |\tau| < 1 + \delta .

(Real roots: both in (-1, 1) iff the parabola is positive at :math:`\pm 1`, :math:`1 \mp \tau + \delta > 0`,
with its vertex :math:`\tau/2` inside, which those and :math:`\delta < 1` give; complex roots: :math:`|z|^2 = \delta`.)
"""
from __future__ import annotations

import sympy as sp

from ..notation.errors import Unsupported
from .arrays import is_array

__all__ = ["SpectralRadius", "below_one"]


class SpectralRadius(sp.Function):
    r""":math:`\rho(A)`; on ``doit`` of a matrix of numbers, the exact largest modulus of its eigenvalues."""

    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, m):
        if not is_array(m) or m.shape[0] != m.shape[1]:
            raise Unsupported(r"\rho(...) of anything but a square matrix", None)
        return None

    def doit(self, **hints):
        m = self.args[0]
        if not all(sp.sympify(d).is_Integer for d in m.shape):
            return self
        m = sp.ImmutableMatrix(m.as_explicit()).doit(**hints)
        if not all(e.is_number for e in m):
            return self.func(m, evaluate=False)
        roots = sp.Matrix(m).eigenvals(multiple=True)
        return sp.Max(*[sp.Abs(r) for r in roots])

    def _latex(self, printer, exp=None):
        body = r"\rho\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


def below_one(m) -> list:
    r"""Jury's conditions for :math:`\rho(m) < 1`, each as an expression that must be positive; only for a
    2x2 matrix (larger ones need the Schur-Cohn determinants, not read yet)."""
    if tuple(m.shape) != (2, 2):
        raise Unsupported(r"\rho(A) < 1 is read only for a 2x2 matrix A", None)
    a = sp.ImmutableMatrix(m.as_explicit())
    if any(e.is_real is not True for e in a):
        raise Unsupported(r"\rho(A) < 1 of a matrix whose entries are not known to be real", None)
    tau, delta = sp.expand(a.trace()), sp.expand(a.det())
    return [1 - sp.Abs(delta), 1 + delta - sp.Abs(tau)]
