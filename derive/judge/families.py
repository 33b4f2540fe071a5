r"""Families of vectors: ``'\mathbf{x}_i' = 'vector n'`` with ``i`` running over ``1..N``.

A declaration whose spelling carries an index letter, ``x_i`` a vector of length :math:`n`, names
one member of a family :math:`x_1, \dots, x_N` where that letter runs over a stated range: a
declared index (``'i' = 'index N'``) or a sum around it with both bounds (``\sum_{i=1}^N``).  The
family is read as the rows of one :math:`N \times n` array :math:`\{x_i\}`, the member
:math:`x_i` as its row :math:`i` written as a column,

.. math::  x_i = (\{x_i\}_{i1}, \dots, \{x_i\}_{in})^\top,

so that a sum over :math:`i` runs over the members.  Where the letter is neither declared nor
bound, ``x_i`` is the one vector the declaration names; one claim using the spelling both ways,
or sums over it with ranges that differ, is an error (which object the spelling means is not
written).  A sum starting anywhere but at 1 is not read as a family (its members' numbering is
then not the array's).

The member's letter may also be a bracketed label, ``\mathbf{x}^{(i)}`` (the i-th example in d2l and
cs229), read the same way: a family over that letter.  A label and a subscript on one base are two
families (``x_i`` may be a coordinate where ``x^{(i)}`` is an example), never one.
"""
from __future__ import annotations

import sympy as sp

from ..mathematics.printing import tex as _tex
from ..notation import ir
from ..notation.declarations import Decl
from ..notation.latex import canon, read_expression
from ..notation.errors import LatexError

__all__ = ["member", "declared_member", "labelled_entry"]


def _pos(node):
    return node.span[0] if getattr(node, "span", None) else None


def _letter(node):
    """``(family id, index letter)`` of a member spelling, ``x_i`` or ``x^{(i)}`` (one letter alone in
    the subscript or the label), else None.  The id keeps the two spellings' families apart."""
    if isinstance(node, ir.Sub) and isinstance(node.index, ir.Atom):
        return canon(node.base), node.index.name
    if isinstance(node, ir.Pow) and isinstance(node.exp, ir.Paren) and node.exp.bracket == "(" and \
            isinstance(node.exp.arg, ir.Atom) and not isinstance(node.base, (ir.Sub, ir.Pow)):
        return canon(node.base) + "^{()}", node.exp.arg.name
    return None


def declared_member(it, node):
    """``(key, decl)`` of a declared member spelled with another index letter (``\\mathbf{x}_i`` declared,
    ``\\mathbf{x}_j`` written), or None."""
    here = _letter(node)
    if here is None:
        return None
    found = []
    for key, decl in it.scope.symbols.items():
        if decl.kind != "vector" or ("_" not in key and "^" not in key):
            continue
        try:
            (other,) = set(read_expression(key))
        except (LatexError, ValueError):
            continue
        there = _letter(other)
        if there is not None and there[0] == here[0]:
            found.append((key, decl))
    return found[0] if len(found) == 1 else None


def labelled_entry(it, node, key):
    r"""An undeclared scalar with a label, ``y^{(i)}`` under a sum over ``i = 1..N``: the entry ``i`` of a
    family of N reals (the vector :math:`\{y^{(i)}\}`), as an undeclared ``y_i`` is the entry of a vector
    ``y``; None where the label's letter is not bound (then it is one named scalar) or is a declared
    index (then the family must be declared)."""
    spelled = _letter(node)
    if not isinstance(node, ir.Pow) or spelled is None:
        return None
    index_decl = it.scope.symbols.get(spelled[1])
    if index_decl is not None and index_decl.kind == "index":
        # a declared index reaches past the sums (y^{(i)} at a free i): the family is then not written, so
        # it is declared or not read
        return None
    return member(it, node, key, Decl(key, "scalar", (), "real", {"real": True}, (-3, 3, False, False)))


def member(it, node, key, decl):
    """The value of ``node`` (spelled ``key``, declared ``decl``) as a member of a family, or None
    where the spelling names the one declared vector (a scalar ``decl``: an undeclared labelled scalar,
    :func:`labelled_entry`)."""
    spelled = _letter(node)
    if spelled is None or decl.kind not in ("vector", "scalar"):
        return None
    base, name = spelled
    index_decl = it.scope.symbols.get(name)
    declared_index = index_decl is not None and index_decl.kind == "index"
    if name in it.local:
        lo, hi = it.sum_ranges.get(name, (None, None))
        if lo is None or hi is None or sp.simplify(lo - 1) != 0:
            what = f"declared as one vector of length {_tex(decl.dims[0])}" if decl.kind == "vector" else \
                "one named scalar"
            raise LatexError(f"{key!r} is {what}, its subscript or label "
                             f"part of the name, but the sum around it runs over {name!r}, so it stands for a "
                             f"family of them, and the sum does not run over 1..N with both bounds stated",
                             _pos(node))
        if declared_index and sp.simplify(hi - index_decl.dims[0]) != 0:
            raise LatexError(f"the sum over {name!r} runs to {_tex(hi)}, but {name!r} is declared over "
                             f"1..{_tex(index_decl.dims[0])}: the family {key!r} has two sizes", _pos(node))
        size, idx = hi, it.local[name]
    elif declared_index:
        size, idx = index_decl.dims[0], index_decl.obj
    else:
        if base in it.families:
            raise LatexError(f"{key!r} is read elsewhere as a family over {name!r}, here as one {decl.kind} "
                             f"({name!r} is neither declared as an index nor bound by a sum here)", _pos(node))
        it.single_members.add(base)
        return None
    if base in it.single_members:
        raise LatexError(f"{key!r} is read elsewhere as one {decl.kind}, here as a family over {name!r}", _pos(node))
    length = decl.dims[0] if decl.kind == "vector" else sp.Integer(1)
    # one family by its base: x_i and x_j under sums over i and j are the same members (a bound letter renamed)
    if base in it.families:
        family = it.families[base]
        if sp.simplify(family.shape[0] - size) != 0:
            raise LatexError(f"the family {key!r} is summed over 1..{_tex(family.shape[0])} and over "
                             f"1..{_tex(size)}", _pos(node))
        if sp.simplify(family.shape[1] - length) != 0 or it.family_decls[base] != (decl.domain, decl.interval):
            raise LatexError(f"{key!r} and another spelling of the family of {base!r} are declared differently",
                             _pos(node))
    else:
        spelling = r"\{" + key + r"\}"
        family = sp.MatrixSymbol(spelling, size, length)
        it.families[base] = family
        it.family_decls[base] = (decl.domain, decl.interval)
        if decl.kind == "scalar":
            it.scope.symbols[spelling] = Decl(spelling, "vector", (size,), decl.domain, dict(decl.assumptions),
                                              decl.interval, family)
            it.scope.inferred[spelling] = f"the family {key} over {name} = 1..{_tex(size)}: a vector of " \
                                          f"{_tex(size)} reals"
            it.scope.note(f"${key}$ with ${name} = 1, \\dots, {_tex(size)}$ is a family of {_tex(size)} reals: the "
                          f"entries of ${spelling}$")
        else:
            it.scope.symbols[spelling] = Decl(spelling, "matrix", (size, length), decl.domain,
                                              dict(decl.assumptions), decl.interval, family)
            it.scope.inferred[spelling] = f"the family {key} over {name} = 1..{_tex(size)}: the rows of a " \
                                          f"{_tex(size)} x {_tex(length)} array"
            it.scope.note(f"${key}$ with ${name} = 1, \\dots, {_tex(size)}$ is a family of {_tex(size)} vectors "
                          f"of length ${_tex(length)}$: the rows of ${spelling}$")
    if decl.kind == "scalar":
        return family[idx - 1, 0]
    return sp.Transpose(family[idx - 1:idx, :])
