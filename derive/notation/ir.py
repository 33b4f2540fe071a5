r"""The intermediate form of a reading: what the text says, before any mathematics.

Both readers (LaTeX, and the Unicode plain text of sheets) produce these nodes.
They are pure syntax: a node records what was written and where (``span``, the
character range in the source string), nothing is evaluated.  Printed decimals
stay text (``Number.text``), so a claim such as ``\sigma(2) \approx 0.88`` keeps
the digits it printed.  The mathematics layer turns nodes into SymPy objects,
with the claim's declarations (:mod:`nnderive.judge.interpret`).

Ambiguous notation is not resolved here by guessing: where a scope can be read
two ways (``\frac{d}{dx}(x+1)\,y``, ``\log (x+1)^2``), the reader returns every
reading, and the judge gives a verdict only when they agree.

>>> Atom("x", span=(0, 1)) == Atom("x", span=(5, 6))   # spans never change meaning
True
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Optional

__all__ = [
    "Node", "Number", "Atom", "Name", "Text", "Call", "Func", "BigOp", "Apply", "BinOp", "Neg", "Product",
    "Frac", "Pow", "Sub", "Transpose", "Prime", "Factorial", "Sqrt", "Abs", "Norm", "Paren", "Tuple",
    "Derivative", "DiffOp", "Cases", "Matrix", "Chain", "Statement", "At", "RELATIONS", "walk", "rebuild",
]

Span = tuple


def _span():
    return field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True)
class Node:
    """Base of every node."""

    def children(self) -> tuple:
        out = []
        for k, v in self.__dict__.items():
            if k == "span":
                continue
            if isinstance(v, Node):
                out.append(v)
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, Node):
                        out.append(x)
                    elif isinstance(x, tuple):
                        out.extend(y for y in x if isinstance(y, Node))
        return tuple(out)


@dataclass(frozen=True)
class Number(Node):
    """A number as printed: ``"0.5"``, ``"3"``, ``"1e-8"`` (the digits are kept)."""

    text: str
    span: Span = _span()


@dataclass(frozen=True)
class Atom(Node):
    r"""A letter-like symbol: ``x``, ``\alpha``, ``\hat{y}``, ``\mathcal{L}``, ``\mathbb{R}``.

    ``name`` is canonical: bold and vector fonts (``\mathbf``, ``\boldsymbol``, ``\bm``,
    ``\vec``) are one spelling of the same symbol and are dropped; accents that make
    a different symbol (``\hat``, ``\bar``, ``\tilde``, ``\mathcal``, ``\mathbb``)
    are kept.  ``bold`` records that a bold or vector font was written.
    """

    name: str
    bold: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class Name(Node):
    r"""A multi-letter name: ``\operatorname{softmax}``, ``\mathrm{ReLU}``, ``\log``, ``\det``."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Text(Node):
    r"""Words in ``\text{...}`` (``for``, ``if``, ``otherwise``) or a word the reader keeps as text."""

    text: str
    span: Span = _span()


@dataclass(frozen=True)
class Sub(Node):
    """``base_{index}``: a subscript, meaning decided later (an index, or part of a name)."""

    base: Node
    index: Node
    text: str                 # canonical spelling of the subscript, e.g. "i", "in", "1", "ij"
    span: Span = _span()


@dataclass(frozen=True)
class Pow(Node):
    """``base^{exponent}`` (not a transpose or a prime)."""

    base: Node
    exp: Node
    text: str = ""            # canonical spelling of the superscript, e.g. "2", "(l)", "-1"
    span: Span = _span()


@dataclass(frozen=True)
class Transpose(Node):
    r"""``x^T``, ``x^\top``, ``x^\intercal``, ``x^{\mathsf{T}}``."""

    base: Node
    span: Span = _span()
    mark: str = field(default="T", compare=False)    # the superscript written (\tau may also be a power)


@dataclass(frozen=True)
class Prime(Node):
    """``f'`` (order 1), ``f''`` (2), ``f^{\\prime}``."""

    base: Node
    order: int = 1
    span: Span = _span()


@dataclass(frozen=True)
class Factorial(Node):
    base: Node
    span: Span = _span()


@dataclass(frozen=True)
class Call(Node):
    r"""A head directly followed by a bracket: ``f(x)``, ``\sigma(z)``, ``a(1-a)``, ``E[X]``.

    Function application or multiplication: decided with the declarations.
    """

    head: Node
    arg: Node                  # the bracket as written after the head, with its own scripts
    bracket: str = "("
    span: Span = _span()


@dataclass(frozen=True)
class Func(Node):
    r"""A named operator that takes an argument: ``\log``, ``\sin``, ``\operatorname{softmax}``.

    ``sub`` and ``sup`` are its scripts (``\log_2``, ``\sin^2``, ``\operatorname{swish}_\beta``).
    """

    name: str
    sub: Optional[Node] = None
    sup: Optional[Node] = None
    primes: int = 0
    span: Span = _span()


@dataclass(frozen=True)
class Apply(Node):
    """A named operator applied: ``func`` (a :class:`Func`) to ``args``."""

    func: Func
    args: tuple
    bracket: str = ""          # "(" when the source wrote brackets, "" for \log x
    span: Span = _span()


@dataclass(frozen=True)
class BigOp(Node):
    r"""``\sum``, ``\prod``, ``\max``, ``\min`` with their scripts, applied to ``body``."""

    op: str                    # "sum" | "prod" | "max" | "min" | "lim" | "E"
    lower: Optional[Node]
    upper: Optional[Node]
    body: Optional[Node] = None
    span: Span = _span()


@dataclass(frozen=True)
class DiffOp(Node):
    r"""A derivative operator still looking for its operand: ``\frac{d}{dx}``, ``\partial_x``, ``\nabla_x``."""

    kind: str                  # "d" | "partial" | "nabla"
    wrt: tuple                 # ((variable node, order), ...); () for a bare \nabla
    order: int = 1
    span: Span = _span()


@dataclass(frozen=True)
class Derivative(Node):
    r"""``\frac{\partial f}{\partial x}``, ``\frac{d^2 y}{dx^2}``, ``\nabla_x f``: ``body`` by ``wrt``."""

    kind: str
    body: Node
    wrt: tuple                 # ((variable node, order), ...)
    order: int = 1             # of a bare \nabla (wrt empty): \nabla^2 f(x) is 2; otherwise the wrt orders
    span: Span = _span()
    open_scope: bool = field(default=False, compare=False, repr=False)   # an operator (\frac{d}{dx} x^2, \nabla_w f) whose body no bracket closes


@dataclass(frozen=True)
class BinOp(Node):
    r"""``+ - / `` and the explicit products ``\cdot \times * \odot \circ \otimes``."""

    op: str
    left: Node
    right: Node
    span: Span = _span()


@dataclass(frozen=True)
class Neg(Node):
    arg: Node
    span: Span = _span()


@dataclass(frozen=True)
class Product(Node):
    """Juxtaposed factors ``a b c`` (implicit multiplication), in order."""

    factors: tuple
    span: Span = _span()


@dataclass(frozen=True)
class Frac(Node):
    num: Node
    den: Node
    span: Span = _span()


@dataclass(frozen=True)
class Sqrt(Node):
    arg: Node
    index: Optional[Node] = None
    span: Span = _span()


@dataclass(frozen=True)
class Abs(Node):
    """``|x|`` (a determinant when ``x`` is a matrix)."""

    arg: Node
    span: Span = _span()


@dataclass(frozen=True)
class At(Node):
    r"""``\frac{d}{dz}(\dots) \Big|_{z = a}``, ``\left. f \right|_{x=0}``: ``body`` evaluated at ``point`` (a chain
    ``var = value``)."""

    body: Node
    point: Node
    span: Span = _span()


@dataclass(frozen=True)
class Norm(Node):
    r"""``\|x\|`` with its kind from the subscript (``2``, ``F``, ``1``, ``\infty``)."""

    arg: Node
    kind: str = ""
    span: Span = _span()


@dataclass(frozen=True)
class Paren(Node):
    """A bracketed expression: ``( )``, ``[ ]``, ``\\{ \\}``."""

    arg: Node
    bracket: str = "("
    span: Span = _span()


@dataclass(frozen=True)
class Tuple(Node):
    """``(a, b)``: a tuple of values (also the arguments of a call)."""

    items: tuple
    bracket: str = "("
    span: Span = _span()


@dataclass(frozen=True)
class Cases(Node):
    r"""``\begin{cases} v_1 & c_1 \\ v_2 & \text{otherwise} \end{cases}``: (value, condition) rows."""

    rows: tuple                # ((value node, condition node or None), ...)
    span: Span = _span()


@dataclass(frozen=True)
class Matrix(Node):
    """A matrix environment: rows of entries."""

    rows: tuple
    span: Span = _span()


#: relation spellings (as the readers normalise them)
RELATIONS = ("=", "~", "<=", ">=", "<", ">", "!=", "in", "<-", ":=", "sim", "->", "prop", "mid")


@dataclass(frozen=True)
class Chain(Node):
    """``a = b = c``, ``x < y``: terms joined by relations (``rels[k]`` between terms k and k+1)."""

    terms: tuple
    rels: tuple
    span: Span = _span()


@dataclass(frozen=True)
class Statement(Node):
    r"""One source string: its relation chains, and the conditions written after them
    (``\quad \text{for } x > 0``, ``(x < 0)``, ``\text{where } n = 3``)."""

    chains: tuple
    conditions: tuple = ()
    words: tuple = ()          # connective words seen (for, if, where, and, ...)
    logic: tuple = ()          # ((k, "implies" | "iff"), ...): chains[k:] drawn from chains[:k] by that word
    span: Span = _span()


def walk(node):
    """Every node below ``node`` (itself included), depth first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children()))


def rebuild(node, fn):
    """``node`` with every node below it, itself included, mapped bottom-up: ``fn(new, changed)`` gets each
    node with its children already rebuilt and the dict of its fields that changed (empty: the node as it was)."""
    if not isinstance(node, Node):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        if f.name == "span":
            continue
        v = getattr(node, f.name)
        if isinstance(v, Node):
            w = rebuild(v, fn)
        elif isinstance(v, tuple):
            w = tuple(tuple(rebuild(y, fn) for y in x) if isinstance(x, tuple) else rebuild(x, fn) for x in v)
        else:
            continue
        if w != v:
            changes[f.name] = w
    return fn(dataclasses.replace(node, **changes) if changes else node, changes)
