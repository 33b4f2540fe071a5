r"""d2l's :math:`\textrm{prod}(A, B)`: "the product after the necessary operations such as transposition and
swapping input positions" (Dive into Deep Learning, Forward Propagation, Backward Propagation).

The book does not say which product, so no single one is picked: every product of the two operands is
formed, :math:`AB, BA, A^\top B, A B^\top, \dots` and the elementwise :math:`A \odot B` where the shapes
are equal (a scalar operand: only the scalar product), and those with the shape the claim needs (the
shape of the other sides of its chain) are kept.  One left is the reading; several are several readings,
each judged, and the claim has a verdict only when they all give the same one.

With the derivative of a vector by a matrix, the 3-index array :math:`T_{ijk} = \partial f_i/\partial X_{jk}`,
and a vector, the products are the contractions of the vector with one index of :math:`T` of its length,
the two indices left in either order (:func:`contractions`); again those of the shape needed are kept.

>>> import sympy as sp
>>> a, B = sp.MatrixSymbol("a", 3, 1), sp.MatrixSymbol("B", 3, 2)
>>> [label for label, _ in candidates(a, B, (2, 1))]
['B^T A']
>>> [label for label, _ in candidates(a, sp.MatrixSymbol("C", 3, 3), (3, 1))]
['B A', 'B^T A']
"""
from __future__ import annotations

import sympy as sp

from ..mathematics.arrays import Contraction, is_array
from ..notation import ir

__all__ = ["additive_only", "candidates", "contractions", "is_prod", "prod_calls"]

NAME = "prod"


def is_prod(node) -> bool:
    r"""``\textrm{prod}(...)`` (or ``\operatorname{prod}``, ``\mathrm{prod}``): a call of a multi-letter name prod."""
    return isinstance(node, ir.Call) and isinstance(node.head, ir.Name) and node.head.name == NAME


def prod_calls(node) -> list:
    return [n for n in ir.walk(node) if is_prod(n)]


def additive_only(node) -> bool:
    """Every prod in ``node`` is a summand of it (its shape is then the shape of the whole term)."""
    if is_prod(node):
        return True
    if isinstance(node, ir.BinOp) and node.op in ("+", "-"):
        return additive_only(node.left) and additive_only(node.right)
    if isinstance(node, (ir.Neg, ir.Paren)):
        return additive_only(node.arg)
    return not prod_calls(node)


def _same(x, y) -> bool:
    return sp.simplify(sp.sympify(x) - sp.sympify(y)) == 0


def _scalar(v) -> bool:
    return not is_array(v) or tuple(v.shape) == (1, 1)


def candidates(a, b, shape) -> list:
    """``[(label, value)]``: the distinct products of ``a`` and ``b`` (A and B in the labels) of ``shape``."""
    if _scalar(a) or _scalar(b):
        sa = a[0, 0] if is_array(a) and not _scalar(b) else a
        sb = b[0, 0] if is_array(b) and not _scalar(a) else b
        value = sa * sb
        fits = (_scalar(value) and tuple(shape) == (1, 1)) or \
            (is_array(value) and all(_same(x, y) for x, y in zip(value.shape, shape)))
        return [("A B", value)] if fits else []
    forms = {"A": a, "A^T": sp.Transpose(a), "B": b, "B^T": sp.Transpose(b)}
    out = []
    for x, y in (("A", "B"), ("B", "A")):
        for tx in ("", "^T"):
            for ty in ("", "^T"):
                u, v = forms[x + tx], forms[y + ty]
                if _same(u.shape[1], v.shape[0]) and _same(u.shape[0], shape[0]) and _same(v.shape[1], shape[1]):
                    out.append((f"{x}{tx} {y}{ty}", sp.MatMul(u, v)))
    for tx in ("", "^T"):
        for ty in ("", "^T"):
            u, v = forms["A" + tx], forms["B" + ty]
            if all(_same(p, q) for p, q in zip(u.shape, v.shape)) and all(_same(p, q) for p, q in zip(u.shape, shape)):
                out.append((f"A{tx} \\odot B{ty}", sp.HadamardProduct(u, v)))
    distinct = []
    for label, value in out:
        if not any(value == w for _, w in distinct):
            distinct.append((label, value))
    return distinct



def contractions(a, f, x, shape) -> list:
    r"""``[(label, value)]``: the contractions of the vector ``a`` with the 3-index derivative of the vector
    ``f`` by the matrix ``x`` (:class:`~nnderive.mathematics.arrays.Contraction`) over an index of ``a``'s
    length, of ``shape``; empty when ``a`` is not a vector.

    >>> import sympy as sp
    >>> a, W = sp.MatrixSymbol("a", 3, 1), sp.MatrixSymbol("W", 3, 2)
    >>> [label for label, _ in contractions(a, W * sp.MatrixSymbol("h", 2, 1), W, (3, 2))]
    ['A . T_(1)', 'A . T_(2)']
    """
    if not is_array(a) or not (_same(a.shape[1], 1) or _same(a.shape[0], 1)):
        return []
    n = a.shape[0] if _same(a.shape[1], 1) else a.shape[1]
    out = []
    for axis, size in enumerate((f.shape[0], x.shape[0], x.shape[1])):
        if not _same(size, n):
            continue
        for swap in (0, 1):
            value = Contraction(a, f, x, axis, swap)
            if all(_same(p, q) for p, q in zip(value.shape, shape)):
                out.append((f"A . T_({axis + 1})" + ("^T" if swap else ""), value))
    return out
