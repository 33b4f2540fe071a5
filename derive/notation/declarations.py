r"""Symbol declarations: the small grammar of ``[symbols]`` entries.

A declaration is a whitespace-separated string::

    scalar real            scalar (0,1)          scalar integer positive
    vector n real          vector n_{out} (0,1)  matrix m n real
    index n                (an index running over 1..n)
    ones n                 (the all-ones vector of length n)
    identity n             (the n x n identity matrix)
    scalar small           (an asymptotic parameter: series at 0)
    matrix n n padded      (entries outside the matrix read as 0, as in a zero-padded image)
    matrix n n symmetric   (also: invertible, positive definite)
    vector n simplex       (positive entries that sum to 1, as probabilities)
    scalar random          (a random variable whose law is not given: its mean and variance only)
    scalar random independent   (... independent of the other variables declared so)

Shapes are written in letters (LaTeX spellings such as ``n_{in}``) or whole
numbers; each shape letter becomes a positive integer symbol that the claim's
LaTeX may also use.  Nothing here is evaluated: the grammar is matched word
by word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Decl", "DeclarationError", "parse_declaration", "DOMAINS"]


class DeclarationError(ValueError):
    """A declaration that does not follow the grammar."""


#: domain word -> (SymPy assumptions, sampling interval (lo, hi, open_lo, open_hi))
DOMAINS: dict[str, tuple[dict, tuple]] = {
    "real": ({"real": True}, (-3, 3, False, False)),
    "positive": ({"positive": True}, (0, 4, True, False)),
    "nonnegative": ({"nonnegative": True}, (0, 4, False, False)),
    "negative": ({"negative": True}, (-4, 0, False, True)),
    "nonzero": ({"real": True, "nonzero": True}, (-3, 3, False, False)),
    "(0,1)": ({"positive": True}, (0, 1, True, True)),
    "[0,1]": ({"nonnegative": True}, (0, 1, False, False)),
    "(0,1]": ({"positive": True}, (0, 1, True, False)),
    "[0,1)": ({"nonnegative": True}, (0, 1, False, True)),
    "integer": ({"integer": True}, (-3, 3, False, False)),
    "small": ({"positive": True}, (0, sp.Rational(1, 10), True, False)),  # an asymptotic parameter -> 0
    "padded": ({"real": True}, (-3, 3, False, False)),   # entries outside the array are 0
    "symmetric": ({"real": True}, (-3, 3, False, False)),      # a square matrix equal to its transpose
    "invertible": ({"real": True}, (-3, 3, False, False)),     # a square matrix with an inverse
    "positive_definite": ({"real": True}, (-3, 3, False, False)),   # symmetric with x^T A x > 0
    "simplex": ({"positive": True}, (0, 1, True, True)),       # positive entries that sum to 1
    "random": ({"real": True}, (-3, 3, False, False)),         # a random variable of no given law
    "independent": ({"real": True}, (-3, 3, False, False)),    # ... independent of the others declared so
}
#: words that only make sense for some kinds of declaration
_MATRIX_ONLY = {"symmetric", "invertible", "positive_definite"}

_DIM = re.compile(r"^(?:[A-Za-z](?:_\{?[A-Za-z0-9+-]+\}?)?(?:\+[0-9]+)?|[0-9]+)$")


@dataclass
class Decl:
    """One declared symbol."""

    spelling: str                       # LaTeX spelling, e.g. r"\hat{y}"
    kind: str                           # scalar | vector | matrix | index
    dims: tuple = ()                    # SymPy sizes (symbols or integers)
    domain: str = "real"
    assumptions: dict = field(default_factory=dict)
    interval: tuple = (-3, 3, False, False)
    obj: object = None                  # Symbol, or MatrixSymbol

    @property
    def is_array(self) -> bool:
        return self.kind in ("vector", "matrix")


def dim_symbol(spelling: str):
    """``n`` -> a positive integer symbol; ``s_{l}+1`` -> that symbol plus 1; ``3`` -> 3."""
    if spelling.isdigit():
        return sp.Integer(int(spelling))
    base, plus, extra = spelling.rpartition("+") if not spelling.endswith("}") else (spelling, "", "")
    if plus and extra.isdigit():
        return sp.Symbol(base, integer=True, positive=True) + int(extra)
    return sp.Symbol(spelling, integer=True, positive=True)


def parse_declaration(spelling: str, text: str) -> Decl:
    """Parse one declaration string.

    >>> d = parse_declaration("W", "matrix m n real")
    >>> d.kind, d.obj.shape
    ('matrix', (m, n))
    >>> parse_declaration("p", "scalar (0,1)").obj.is_positive
    True
    """
    if not isinstance(text, str):
        raise DeclarationError(f"declaration of {spelling!r} must be a string, got {type(text).__name__}")
    words = text.replace(", ", ",").replace("positive definite", "positive_definite").split()
    if not words:
        raise DeclarationError(f"empty declaration for {spelling!r}")
    kind, rest = words[0], words[1:]
    ndims = {"scalar": 0, "vector": 1, "matrix": 2, "index": 1, "ones": 1, "identity": 1}.get(kind)
    if ndims is None:
        raise DeclarationError(
            f"declaration of {spelling!r}: kind must be scalar, vector, matrix, index, ones or identity, got {kind!r}")
    dims = rest[:ndims]
    if len(dims) < ndims or not all(_DIM.match(d) for d in dims):
        raise DeclarationError(
            f"declaration of {spelling!r}: {kind} needs {ndims} shape letter(s), got {' '.join(rest)!r}")
    domain_words = rest[ndims:]
    assumptions: dict = {}
    interval = DOMAINS["real"][1]
    for w in domain_words or ["real"]:
        if w not in DOMAINS:
            raise DeclarationError(
                f"declaration of {spelling!r}: unknown domain {w!r} (known: {', '.join(DOMAINS)})")
        a, iv = DOMAINS[w]
        assumptions.update(a)
        if w != "integer" or not domain_words[1:]:
            interval = iv
    if _MATRIX_ONLY & set(domain_words) and (kind != "matrix" or dims[0] != dims[1]):
        raise DeclarationError(f"declaration of {spelling!r}: {', '.join(sorted(_MATRIX_ONLY & set(domain_words)))} "
                               "needs a square matrix")
    if {"random", "independent"} & set(domain_words) and (kind != "scalar" or len(domain_words) !=
                                                           len({"random", "independent"} & set(domain_words))):
        raise DeclarationError(f"declaration of {spelling!r}: random and independent go with a scalar alone "
                               "('scalar random', 'scalar random independent')")
    if "independent" in domain_words and "random" not in domain_words:
        raise DeclarationError(f"declaration of {spelling!r}: independent needs random")
    if "simplex" in domain_words and kind != "vector":
        raise DeclarationError(f"declaration of {spelling!r}: simplex needs a vector")
    sizes = tuple(dim_symbol(d) for d in dims)
    decl = Decl(spelling, kind, sizes, " ".join(domain_words) or "real", assumptions, interval)
    if kind == "scalar":
        decl.obj = sp.Symbol(spelling, **assumptions)
    elif kind == "index":
        decl.obj = sp.Symbol(spelling, integer=True, positive=True)
    elif kind == "vector":
        decl.obj = sp.MatrixSymbol(spelling, sizes[0], 1)
    elif kind == "identity":
        decl.kind = "matrix"
        decl.obj = sp.Identity(sizes[0])
    elif kind == "ones":
        decl.kind = "vector"
        decl.obj = sp.OneMatrix(sizes[0], 1)
    else:
        decl.obj = sp.MatrixSymbol(spelling, sizes[0], sizes[1])
    return decl
