r"""Shapes of undeclared letters in matrix algebra, from the products a formula writes (a helper of the scan).

Where a sheet writes capitals for matrices and small letters for vectors, ``∂(x^TAx)/∂x = (A + A^T)x``
says of its letters only that they are a matrix ``A`` (``r × c``) and a vector ``x`` (``n``); the
products then tie the sizes: ``x^T A`` needs ``n = r``, ``A x`` needs ``c = n``, so ``A`` is ``n × n``.
Sizes are unknowns joined by union-find over every product, sum and transpose of the formula; the
most general sizes that make it well-formed are drafted (a formula no sizes make well-formed, a
size forced to 1, or a node this does not read gives nothing).  Derivative terms are read inside
(their bodies and variables tie sizes) but not across the relation sign: which layout a side's
derivative has is the judge's question, not a shape to unify.
"""
from __future__ import annotations

from .notation import ir

#: names the drafted sizes take, in the order their classes are first met
_SIZE_NAMES = ("n", "m", "k", "p", "q", "r", "s")


class _Fail(Exception):
    pass


class _Sizes:
    def __init__(self):
        self.parent: dict[int, int] = {}
        self.count = 0

    def new(self) -> int:
        self.count += 1
        self.parent[self.count] = self.count
        return self.count

    def find(self, a):
        if a == "1":
            return "1"
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def unify(self, a, b):
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if "1" in (a, b):             # a matrix or a vector forced to one row: not what the letter says
            raise _Fail
        self.parent[b] = a


SCALAR = None


def letter_shapes(statement: ir.Statement) -> dict[str, tuple] | None:
    """letter -> ("matrix", r, c) | ("vector", n) with sizes named n, m, k, ...; None when not read."""
    sizes, letters = _Sizes(), {}

    def atom(name):
        if name not in letters:
            if not (len(name) == 1 and name.isascii() and name.isalpha()):
                raise _Fail
            letters[name] = (sizes.new(), sizes.new()) if name.isupper() else (sizes.new(), "1")
        return letters[name]

    def shape(node):
        if isinstance(node, ir.Number):
            return SCALAR
        if isinstance(node, ir.Atom):
            return atom(node.name)
        if isinstance(node, ir.Paren) and node.bracket == "(":
            return shape(node.arg)
        if isinstance(node, ir.Transpose):
            s = shape(node.base)
            return SCALAR if s is SCALAR else (s[1], s[0])
        if isinstance(node, ir.Neg):
            return shape(node.arg)
        if isinstance(node, ir.BinOp) and node.op in ("+", "-"):
            a, b = shape(node.left), shape(node.right)
            if (a is SCALAR) != (b is SCALAR):
                raise _Fail
            if a is not SCALAR:
                sizes.unify(a[0], b[0])
                sizes.unify(a[1], b[1])
            return a
        if isinstance(node, ir.Product):
            out = SCALAR
            for f in node.factors:
                s = shape(f)
                if s is SCALAR:
                    continue
                if out is not SCALAR:
                    sizes.unify(out[1], s[0])
                    out = (out[0], s[1])
                    if sizes.find(out[0]) == "1" and sizes.find(out[1]) == "1":
                        out = SCALAR            # x^T y: a number
                else:
                    out = s
            return out
        if isinstance(node, ir.Pow) and isinstance(node.base, ir.Norm) and isinstance(node.exp, ir.Number):
            return shape(node.base)
        if isinstance(node, ir.Norm) and node.kind in ("", "2"):
            s = shape(node.arg)
            if s is SCALAR or sizes.find(s[1]) != "1":
                raise _Fail
            return SCALAR
        raise _Fail

    def term(node):
        """The shape of a chain's term; "derivative" for a derivative (its layout is not unified)."""
        if isinstance(node, ir.Derivative) and node.kind == "partial" and len(node.wrt) == 1 and node.wrt[0][1] == 1:
            var = node.wrt[0][0]
            if not isinstance(var, ir.Atom):
                raise _Fail
            atom(var.name)
            shape(node.body)
            return "derivative"
        return shape(node)

    try:
        if statement.conditions or statement.words or statement.logic:
            raise _Fail
        for chain in statement.chains:
            if any(rel != "=" for rel in chain.rels):
                raise _Fail
            sides = [term(t) for t in chain.terms]
            plain = [s for s in sides if s != "derivative"]
            for a, b in zip(plain, plain[1:]):     # the sides of '=' have one shape
                if (a is SCALAR) != (b is SCALAR):
                    raise _Fail
                if a is not SCALAR:
                    sizes.unify(a[0], b[0])
                    sizes.unify(a[1], b[1])
    except (_Fail, KeyError):
        return None
    if not letters:
        return None
    names, out = {}, {}
    for letter, dims in letters.items():
        named = []
        for d in dims:
            root = sizes.find(d)
            if root == "1":
                continue
            if root not in names:
                free = [s for s in _SIZE_NAMES if s not in letters and s not in names.values()]
                if not free:
                    return None
                names[root] = free[0]
            named.append(names[root])
        out[letter] = ("matrix", *named) if letter.isupper() else ("vector", *named)
    return out
