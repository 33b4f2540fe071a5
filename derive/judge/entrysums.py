r"""Functions of a vector whose definition sums over its entries with no bounds: :math:`f(x) = \sum_i x_i^2`.

The definition states no length: the index :math:`i` runs over the entries of the argument, whatever it is.
The function is therefore kept as written and read where it is applied, :math:`f(a)` for a vector
:math:`a` of length :math:`n`, as the body with :math:`x` a vector of length :math:`n`, so that
:math:`\sum_i` runs over :math:`i = 1, \dots, n`, and :math:`x` then replaced by :math:`a`:

.. math::  f(a) = \sum_{i=1}^{n} a_i^2, \qquad \nabla f(a) = \Big(\frac{\partial f}{\partial x_j}\Big)_{j=1}^{n}\Big|_{x=a}.

The gradient at a point :math:`\nabla f(a)` is the gradient by the parameter, evaluated at the argument
(a recurrence :math:`x_{k+1} = x_k - \eta \nabla f(x_k)` applies it at the numbers of :math:`x_k`).

Not read (the length is not determined, or not one): the function applied to a scalar, used without an
argument, or applied in one claim to vectors of two different lengths.
"""
from __future__ import annotations

import sympy as sp

from ..mathematics.arrays import is_array
from ..mathematics.printing import tex
from ..notation import ir
from ..notation.declarations import Decl
from ..notation.errors import Unsupported

__all__ = ["sums_over_entries", "apply", "gradient_at"]


def _bare_sums(node):
    r"""The letters of the sums :math:`\sum_i` in ``node`` written with a letter and no bounds."""
    return {n.lower.name for n in ir.walk(node) if isinstance(n, ir.BigOp) and n.op == "sum"
            and isinstance(n.lower, ir.Atom) and n.upper is None and n.body is not None}


def sums_over_entries(param: ir.Node, rhs: ir.Node, it) -> bool:
    r"""True where ``f(param) = rhs`` is such a function: ``param`` a letter nothing declares, ``rhs``
    a sum over a letter nothing declares or bounds elsewhere, whose body takes the entries
    :math:`x_i` of the parameter at that letter."""
    if not isinstance(param, ir.Atom) or param.name in it.scope.symbols or param.name in it.local:
        return False
    for letter in _bare_sums(rhs):
        if letter in it.scope.symbols or it.bound_ranges.get(letter, (None, None)) != (None, None):
            continue
        for n in ir.walk(rhs):
            if isinstance(n, ir.BigOp) and isinstance(n.lower, ir.Atom) and n.lower.name == letter and \
                    any(isinstance(m, ir.Sub) and isinstance(m.base, ir.Atom) and m.base.name == param.name
                        and isinstance(m.index, ir.Atom) and m.index.name == letter for m in ir.walk(n.body)):
                return True
    return False


def _length(it, key, args, pos):
    if len(args) != 1:
        raise Unsupported(f"{key} is defined as a function of one vector, applied to {len(args)} arguments", pos)
    (a,) = args
    if not is_array(a) or a.shape[1] != 1:
        raise Unsupported(f"the sum in the definition of {key} runs over the entries of its argument, but it is "
                          f"applied to ${tex(a)}$, which is not a column vector: the sum's range is not fixed", pos)
    n = sp.sympify(a.shape[0])
    seen = it.vector_function_lengths.setdefault(key, n)
    if sp.simplify(seen - n) != 0:
        raise Unsupported(f"{key} is applied to vectors of lengths {tex(seen)} and {tex(n)}: the range of the "
                          "sum in its definition is not one", pos)
    return a, n


def _body(it, key, n):
    """``(parameter, body)``: the definition read with its parameter a vector of length ``n``."""
    name, rhs = it.vector_functions[key]
    param = sp.MatrixSymbol(name, n, 1)
    saved = it.scope.symbols.get(name)
    it.scope.symbols[name] = Decl(name, "vector", (n,), "real", {"real": True}, (-3, 3, False, False), param)
    it.shadowed.add(name)      # x_i in the body is the parameter's entry, not a term of a sequence x_k
    try:
        body = it.expr(rhs)
    finally:
        it.shadowed.discard(name)
        if saved is None:
            del it.scope.symbols[name]
        else:
            it.scope.symbols[name] = saved
    if is_array(body):
        if tuple(body.shape) != (1, 1):
            raise Unsupported(f"{key} of a vector is a vector or matrix: only a scalar function is read", None)
        body = body[0, 0]
    return param, body


def apply(it, key, args, primes, pos):
    """``f(a)``: the body with the parameter of ``a``'s length, at ``a``."""
    if primes:
        raise Unsupported(f"a prime on {key}, a function of a vector", pos)
    a, n = _length(it, key, args, pos)
    param, body = _body(it, key, n)
    if n.is_Integer:
        body = body.doit()
    return body.xreplace({param: a})


def gradient_at(it, key, args, pos, derivative):
    r"""``\nabla f(a)``: the gradient by the parameter at ``a`` (``derivative`` the reader's own, for a
    vector ``a`` of symbolic length that is a symbol, where the gradient by it is the same)."""
    a, n = _length(it, key, args, pos)
    param, body = _body(it, key, n)
    if isinstance(a, sp.MatrixSymbol):
        return derivative(body.xreplace({param: a}), a)
    if not n.is_Integer:
        raise Unsupported(rf"\nabla {key} at a vector of symbolic length that is not a symbol", pos)
    body = body.doit()
    grad = sp.ImmutableMatrix([[sp.diff(body, param[j, 0])] for j in range(int(n))]).xreplace({param: a})
    it.scope.note(rf"$\nabla {key}$ at a point is the gradient by its parameter, evaluated there")
    it.scope.used_axes.add("layout")      # a column, as derivative() gives it; a row in numerator layout
    return grad.T if it.scope.conventions.get("layout", "mixed") == "numerator" else grad
