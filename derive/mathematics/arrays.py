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
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ..notation.errors import Unsupported
from .primitives import ACTIVATIONS

__all__ = ["FromEntries", "SoftmaxVec", "Grad", "Jacobian", "Hessian", "is_array", "Elementwise", "VecMax", "VecMin", "Norm",
           "GenericFunction", "GenericPartial", "GenericArgPartial", "HeldDerivative", "PiecewiseArray", "Contraction",
           "ArgMax", "ArgMin", "GenericVector", "GenericEntry", "GenericEntryPartial", "ArgumentJacobian"]


def is_array(expr) -> bool:
    return isinstance(expr, MatrixExpr) or getattr(expr, "is_Matrix", False)


class HeldDerivative(sp.Derivative):
    r""":math:`\partial L / \partial o_k` of a bare symbol or entry that a definition may give a value
    (:math:`L = l(o, y)`): kept as written by ``doit``, which would read the bare symbol as independent of
    :math:`o` and give a silent 0 inside a matrix product; the proof path substitutes the definition first."""

    def _held(self):
        return self.expr.is_Symbol or isinstance(self.expr, MatrixElement)

    def doit(self, **hints):
        return self if self._held() else sp.Derivative(*self.args).doit(**hints)

    @property
    def free_symbols(self):
        # the entry differentiated by depends on its index (d L / d o_i varies with i): not bound here
        return super().free_symbols.union(*(v.free_symbols for v in self.variables))

    def _eval_subs(self, old, new):
        out = super()._eval_subs(old, new)      # SymPy rebuilds a plain Derivative (a sum's index set)
        if type(out) is sp.Derivative and (out.expr.is_Symbol or isinstance(out.expr, MatrixElement)):
            return HeldDerivative(*out.args)
        return out


class FromEntries(MatrixExpr):
    r"""The vector whose :math:`i`-th entry (1-based) is ``body``: :math:`p_i = e^{x_i}/\sum_j e^{x_j}` defines :math:`p`."""

    def __new__(cls, body, index, rows):
        return MatrixExpr.__new__(cls, sp.sympify(body), index, sp.sympify(rows))

    @property
    def shape(self):
        return (self.args[2], sp.Integer(1))

    def _entry(self, i, j, **kwargs):
        body, index, _ = self.args
        return body.xreplace({index: i + 1})

    def _latex(self, printer):
        body, index, rows = self.args
        return r"\left[%s\right]_{%s=1}^{%s}" % (printer._print(body), printer._print(index), printer._print(rows))


class PiecewiseArray(MatrixExpr):
    r"""A vector or matrix given by cases, :math:`\begin{cases} 0^T & z \le 0 \\ x^T & z > 0 \end{cases}`: every
    value has one shape, and entry :math:`(i, j)` is the piecewise scalar of the values' entries (a SymPy
    ``Piecewise`` of matrices would be taken for a scalar).  ``args`` are ``(value, condition)`` pairs."""

    def __new__(cls, *pieces):
        return MatrixExpr.__new__(cls, *[sp.Tuple(v, c) for v, c in pieces])

    @property
    def shape(self):
        return self.args[0][0].shape

    def _entry(self, i, j, **kwargs):
        return sp.Piecewise(*[(v[i, j], c) for v, c in self.args])

    def _latex(self, printer):
        rows = r" \\ ".join(f"{printer._print(v)} & {printer._print(c)}" for v, c in self.args)
        return r"\begin{cases} %s \end{cases}" % rows


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
        v = self.args[1][i, j]
        if not (v.is_Symbol or isinstance(v, MatrixElement)):
            # \nabla f(x + \epsilon): the gradient at a point, not a derivative by the sum x + epsilon
            raise Unsupported("the gradient of a function at a point that is an expression, not a variable "
                              "(as in \\nabla f(x + \\epsilon)), is not read yet")
        return HeldDerivative(f, v)

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
        return HeldDerivative(self.args[0][i, 0], self.args[1][j, 0])

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


class Contraction(MatrixExpr):
    r"""A vector :math:`a` contracted with the 3-index derivative of a vector :math:`f` (length :math:`m`) by a
    matrix :math:`X` (:math:`p \times r`), :math:`T_{ijk} = \partial f_i / \partial X_{jk}`, over the index
    ``axis`` (0, 1 or 2): for ``axis = 0`` entry :math:`(j, k)` is :math:`\sum_i a_i \, \partial f_i / \partial
    X_{jk}`, the chain rule's :math:`\partial J/\partial X` from :math:`a = \partial J/\partial f`.  The two
    indices left are the rows and columns in their order, or swapped when ``swap`` is 1.  ``a`` may be a
    column or a row: only its entries count."""

    def __new__(cls, a, f, x, axis, swap=0):
        return MatrixExpr.__new__(cls, a, f, x, sp.Integer(axis), sp.Integer(swap))

    def _sizes(self):
        f, x = self.args[1], self.args[2]
        return (f.shape[0], x.shape[0], x.shape[1])

    @property
    def shape(self):
        axis, swap = int(self.args[3]), int(self.args[4])
        left = [n for k, n in enumerate(self._sizes()) if k != axis]
        return tuple(reversed(left)) if swap else tuple(left)

    def _entry(self, i, j, **kwargs):
        a, f, x = self.args[:3]
        axis, swap = int(self.args[3]), int(self.args[4])
        if swap:
            i, j = j, i
        entries = a if a.shape[1] == 1 else a.T

        def term(c):
            idx = [i, j]
            idx.insert(axis, c)
            return entries[c, 0] * HeldDerivative(f[idx[0], 0], x[idx[1], idx[2]])
        n = self._sizes()[axis]
        if sp.sympify(n).is_Integer:
            return sp.Add(*[term(c) for c in range(int(n))])
        c = sp.Dummy("c", integer=True)
        return sp.Sum(term(c), (c, 0, n - 1))

    def _latex(self, printer):
        a, f, x = (printer._print(v) for v in self.args[:3])
        return r"\operatorname{contract}_{%d}\left(%s, \frac{\partial %s}{\partial %s}\right)%s" % (
            int(self.args[3]) + 1, a, f, x, "^{T}" if int(self.args[4]) else "")


class VecMax(sp.Function):
    r""":math:`\max_i v_i` of a vector; expanded to ``Max`` of the entries at explicit sizes."""

    is_commutative = True
    is_real = True
    _reduce = sp.Max

    def doit(self, **hints):
        v = self.args[0]
        if v.shape[0].is_Integer:
            return self._reduce(*[v[i, 0] for i in range(int(v.shape[0]))])
        return self


class VecMin(VecMax):
    r""":math:`\min_i v_i` of a vector."""

    _reduce = sp.Min


class GenericFunction:
    """An arbitrary differentiable function; a vector argument is spread into its entries."""

    def __init__(self, name):
        self.f = sp.Function(name, real=True)

    def __call__(self, *args):
        flat = []
        for a in args:
            if is_array(a):
                if not all(d.is_Integer for d in a.shape):
                    return _GenericOfArray(sp.Symbol(self.f.__name__), *args)
                flat.extend(a[i, j] for i in range(int(a.shape[0])) for j in range(int(a.shape[1])))
            else:
                flat.append(a)
        return self.f(*flat)


class _GenericOfArray(sp.Function):
    """A generic function of an array at symbolic size, spread out once sizes are explicit."""

    is_commutative = True
    is_real = True

    def doit(self, **hints):
        name, *args = self.args
        out = GenericFunction(name.name)(*args)
        return out if not isinstance(out, _GenericOfArray) else self

    def _eval_derivative(self, s):
        """Chain rule at symbolic size: sum_k (partial_k f)(u) * d u_k / d s."""
        name, *args = self.args
        if len(args) != 1:
            return self._several_arguments(s)
        if args[0].shape[1] != 1:
            return None
        u = args[0]
        k = sp.Dummy("k", integer=True)
        return sp.Sum(GenericPartial(name, u, k) * sp.diff(u[k, 0], s), (k, 0, u.shape[0] - 1))

    def _several_arguments(self, s):
        r"""f(a_1, ..., a_m) with vector arguments: :math:`\sum_p \sum_k \partial_{p,k} f \, \partial a_{p,k} / \partial s`;
        not taken (None) where a scalar argument depends on ``s`` or an argument is a matrix."""
        name, *args = self.args
        out = sp.S.Zero
        for p, u in enumerate(args):
            if not is_array(u):
                if sp.diff(u, s) != 0:
                    return None
                continue
            if u.shape[1] != 1:
                return None
            k = sp.Dummy("k", integer=True)
            out += sp.Sum(GenericArgPartial(name, sp.Tuple(*args), p, k) * sp.diff(u[k, 0], s),
                          (k, 0, u.shape[0] - 1))
        return out

    def _latex(self, printer, exp=None):
        body = r"%s\left(%s\right)" % (self.args[0].name, printer._print(self.args[1]))
        return body if exp is None else r"%s^{%s}" % (body, exp)


class GenericPartial(sp.Function):
    r""":math:`\partial_k f(u)`, the k-th partial derivative (0-based k) of an arbitrary f at u."""

    is_commutative = True
    is_real = True

    def _latex(self, printer, exp=None):
        name, u, k = self.args
        body = r"\partial_{%s} %s\left(%s\right)" % (printer._print(k + 1), name.name, printer._print(u))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


class GenericArgPartial(sp.Function):
    r""":math:`\partial_{p,k} f(a_1, \dots, a_m)`: the partial derivative of an arbitrary f in entry k (0-based) of its
    argument p (0-based), at symbolic size."""

    is_commutative = True
    is_real = True

    def _eval_derivative(self, s):
        """0 where no argument holds ``s``; a second derivative is not taken here (None)."""
        _, args, _, _ = self.args
        parent = s.parent if isinstance(s, MatrixElement) else s
        return None if any(a.has(s) or a.has(parent) for a in args) else sp.S.Zero

    def _latex(self, printer, exp=None):
        name, args, p, k = self.args
        body = r"\partial_{%s, %s} %s\left(%s\right)" % (printer._print(p + 1), printer._print(k + 1), name.name,
                                                         ", ".join(printer._print(a) for a in args))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


def _explicit_shape(u) -> bool:
    return not is_array(u) or all(sp.sympify(d).is_Integer for d in u.shape)


def _flat(u) -> list:
    """The entries of ``u`` in order (row by row), or ``[u]`` for a scalar."""
    if not is_array(u):
        return [u]
    return [u[i, j] for i in range(int(u.shape[0])) for j in range(int(u.shape[1]))]


def _entry_function(name, i):
    r"""The arbitrary scalar function that is entry ``i`` (0-based) of a vector-valued ``name``: :math:`f_{i+1}`."""
    return sp.Function(r"%s_{%d}" % (name.name, int(i) + 1), real=True)


class GenericVector(MatrixExpr):
    r""":math:`\mathbf{f}(u)` for an arbitrary (smooth) vector-valued :math:`\mathbf{f}` with ``m`` outputs, a
    column: entry :math:`i` is :math:`f_i(u)`, an arbitrary scalar function of the entries of :math:`u`.  At
    explicit sizes (``m`` and the shape of :math:`u` integers) it is the explicit column of those functions."""

    def __new__(cls, name, u, m):
        name = sp.Symbol(name) if isinstance(name, str) else name
        m = sp.sympify(m)
        if m.is_Integer and _explicit_shape(u):
            return sp.ImmutableMatrix([[GenericEntry(name, sp.Integer(i), u)] for i in range(int(m))])
        return MatrixExpr.__new__(cls, name, u, m)

    @property
    def shape(self):
        return (self.args[2], sp.Integer(1))

    def _entry(self, i, j, **kwargs):
        return GenericEntry(self.args[0], sp.sympify(i), self.args[1])

    def _latex(self, printer):
        return r"\mathbf{%s}\left(%s\right)" % (self.args[0].name, printer._print(self.args[1]))


class GenericEntry(sp.Function):
    r""":math:`f_i(u)`, entry ``i`` (0-based) of an arbitrary vector-valued :math:`\mathbf{f}` at :math:`u`.  Its
    derivative at symbolic size is the chain rule :math:`\sum_k \partial_k f_i(u)\, \partial u_k/\partial s`;
    at an explicit entry of an explicit argument it is SymPy's undefined function :math:`f_{i+1}(u_1, \dots)`,
    whose derivatives SymPy writes by the same rule."""

    is_commutative = True
    is_real = True

    @classmethod
    def eval(cls, name, i, u):
        if i.is_Integer and _explicit_shape(u):
            return _entry_function(name, i)(*_flat(u))
        return None

    def _eval_derivative(self, s):
        name, i, u = self.args
        if not is_array(u):
            return GenericEntryPartial(name, i, u, sp.Integer(0)) * sp.diff(u, s)
        if u.shape[1] != 1:
            return None
        k = sp.Dummy("k", integer=True)
        return sp.Sum(GenericEntryPartial(name, i, u, k) * sp.diff(u[k, 0], s), (k, 0, u.shape[0] - 1))

    def _latex(self, printer, exp=None):
        body = r"%s_{%s}\left(%s\right)" % (self.args[0].name, printer._print(self.args[1] + 1),
                                             printer._print(self.args[2]))
        return body if exp is None else r"%s^{%s}" % (body, exp)


class GenericEntryPartial(sp.Function):
    r""":math:`\partial f_i / \partial u_k` at :math:`u` (0-based ``i``, ``k``) for an arbitrary vector-valued
    :math:`\mathbf{f}`; at explicit indices and size, SymPy's own form of that partial,
    ``Subs(Derivative(f_i(.., xi, ..), xi), xi, u_k)`` (what its chain rule writes for :math:`f_i(u)`)."""

    is_commutative = True
    is_real = True

    @classmethod
    def eval(cls, name, i, u, k):
        if i.is_Integer and k.is_Integer and _explicit_shape(u):
            flat = _flat(u)
            xi = sp.Dummy("xi", real=True)
            at = _entry_function(name, i)(*flat[:int(k)], xi, *flat[int(k) + 1:])
            return sp.Subs(sp.Derivative(at, xi), xi, flat[int(k)])
        return None

    def _latex(self, printer, exp=None):
        name, i, u, k = self.args
        body = r"\frac{\partial %s_{%s}}{\partial u_{%s}}\left(%s\right)" % (
            name.name, printer._print(i + 1), printer._print(k + 1), printer._print(u))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


class ArgumentJacobian(MatrixExpr):
    r"""The Jacobian of an arbitrary vector-valued :math:`\mathbf{f}` (``m`` outputs) with respect to its argument,
    at the point :math:`u` (a column): entry :math:`(i, k)` is :math:`\partial f_i/\partial u_k (u)`, ``m`` rows
    (numerator layout).  What :math:`\partial \mathbf{f}/\partial \mathbf{g}` means where the claim applies
    :math:`\mathbf{f}` to :math:`\mathbf{g}(x)`: the derivative by the argument, evaluated at :math:`\mathbf{g}(x)`."""

    def __new__(cls, name, u, m):
        name = sp.Symbol(name) if isinstance(name, str) else name
        m = sp.sympify(m)
        if m.is_Integer and _explicit_shape(u):
            cols = int(u.shape[0]) if is_array(u) else 1
            return sp.ImmutableMatrix(int(m), cols, lambda i, k: GenericEntryPartial(
                name, sp.Integer(i), u, sp.Integer(k)))
        return MatrixExpr.__new__(cls, name, u, m)

    @property
    def shape(self):
        u = self.args[1]
        return (self.args[2], u.shape[0] if is_array(u) else sp.Integer(1))

    def _entry(self, i, j, **kwargs):
        return GenericEntryPartial(self.args[0], sp.sympify(i), self.args[1], sp.sympify(j))

    def _latex(self, printer):
        return r"\left.\frac{\partial \mathbf{%s}}{\partial \mathbf{u}}\right|_{\mathbf{u} = %s}" % (self.args[0].name,
                                                                           printer._print(self.args[1]))


class Norm(sp.Function):
    r"""The 2-norm of a vector, :math:`\|v\| = \sqrt{v^\top v}` (Frobenius for a matrix, read only from
    ``\|A\|_F``: ``\|A\|_2`` of a matrix is its spectral norm, a bare ``\|A\|`` either); it
    prints as written and expands on ``doit``."""

    is_commutative = True
    is_real = True
    is_nonnegative = True

    def doit(self, **hints):
        v = self.args[0]
        if v.shape[1] == 1:
            return sp.sqrt((sp.Transpose(v) * v)[0, 0]).doit(**hints)
        return sp.sqrt(sp.Trace(sp.Transpose(v) * v)).doit(**hints)

    def _latex(self, printer, exp=None):
        body = r"\left\|%s\right\|" % printer._print(self.args[0])
        return body if exp is None else "%s^{%s}" % (body, exp)


class ArgMax(sp.Function):
    r""":math:`\operatorname{argmax}_i v_i` of a vector: the set of the indices of its largest entries (one
    index where the largest is unique), ``args = (vector, first index)``: entry ``r`` (0-based) is index
    ``first + r``.  Held as written; judged by :mod:`nnderive.judge.argext`."""

    is_commutative = True
    is_integer = True
    kind = "max"


class ArgMin(ArgMax):
    r""":math:`\operatorname{argmin}_i v_i` of a vector."""

    kind = "min"
