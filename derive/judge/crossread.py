r"""The second reader: latex2sympy2 reads the claims it can read on its own, and the readings are compared.

nnderive's own reader (:mod:`nnderive.notation.latex`) decides what a claim says; latex2sympy2
(``latex2sympy2_extended``, ``lowercase_symbols=False``) is kept as an independent second reading.
Where the claim uses only what latex2sympy2 reads faithfully (numbers, scalar letters, arithmetic,
fractions, roots, powers, ``\exp``, ``\ln``, trigonometric and hyperbolic functions, ``\frac{d}{dx}``),
both readings of ``lhs - rhs`` are evaluated at the same random inputs.  If they differ, the claim
is not judged: the disagreement is reported, with both readings.

>>> from nnderive.notation.latex import read
>>> st = read(r"\frac{d}{dx}(x+1)^2 = 2(x+1)")[0]
>>> readable(st, {})
True
"""
from __future__ import annotations

import random
import re

import mpmath
import sympy as sp
from latex2sympy2_extended import latex2sympy
from latex2sympy2_extended.latex2sympy2 import ConversionConfig
from latex2sympy2_extended.math_normalization import NormalizationConfig

from ..mathematics.arrays import is_array
from ..mathematics.printing import tex as _tex
from ..notation import ir
from .numeval import DPS, NotEvaluable, evaluate

__all__ = ["readable", "compare", "Disagreement"]

_NORMALIZATION = NormalizationConfig(basic_latex=False, units=False, malformed_operators=False, nits=False,
                                     boxed="none", equations=False)
_CONVERSION = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False,
                               interpret_simple_eq_as_assignment=False, interpret_contains_as_eq=False)
#: the functions latex2sympy2 reads with the meaning nnderive gives them
_FUNCTIONS = {"exp", "ln", "sin", "cos", "tan", "sinh", "cosh", "tanh"}
_PLAIN = (ir.Number, ir.BinOp, ir.Neg, ir.Product, ir.Frac, ir.Paren, ir.Sqrt, ir.Abs)


class Disagreement(Exception):
    """The two readers read the claim differently."""


#: a function name in plain letters before a bracket (sin(x), max(0, z)): latex2sympy2 reads a product s*i*n
_PLAIN_NAME = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}\s*\(")


#: digits grouped by a thin space (1\,000): latex2sympy2 does not read them as one number
_DIGIT_GROUP = re.compile(r"\d\\,\s*\d")


def readable(st: ir.Statement, symbols: dict, text: str = "") -> bool:
    """Whether latex2sympy2 reads this statement on its own as nnderive does (so a comparison is fair)."""
    if _PLAIN_NAME.search(text) or _DIGIT_GROUP.search(text):
        return False
    if len(st.chains) != 1 or st.conditions or st.chains[0].rels != ("=",):
        return False
    return all(_readable(t, symbols) for t in st.chains[0].terms)


def _readable(node, symbols) -> bool:
    if isinstance(node, ir.Atom):
        d = symbols.get(node.name)
        return (len(node.name) == 1 and node.name.isalpha() or node.name.startswith("\\") and node.name[1:].isalpha()) \
            and (d is None or d.kind == "scalar") and node.name not in (r"\pi", r"\infty") and not node.bold
    if isinstance(node, ir.Sub):
        return isinstance(node.base, ir.Atom) and _readable(node.base, symbols) and \
            isinstance(node.index, (ir.Number, ir.Atom)) and symbols.get(node.base.name) is None
    if isinstance(node, ir.Pow):
        return not node.text.startswith(("(", "[")) and _readable(node.base, symbols) and _readable(node.exp, symbols)
    if isinstance(node, ir.Apply):
        f = node.func
        return f.name in _FUNCTIONS and f.sub is None and f.sup is None and not f.primes and \
            node.bracket == "(" and isinstance(node.args[0], ir.Paren) and _readable(node.args[0], symbols)
    if isinstance(node, ir.Derivative):
        # first derivatives only: latex2sympy2 reads \frac{d^2}{dx^2} x^3 as something else
        return node.kind == "d" and all(isinstance(v, ir.Atom) and _readable(v, symbols) and order in (1, "1")
                                        for v, order in node.wrt) \
            and _readable(node.body, symbols)
    if isinstance(node, _PLAIN):
        if isinstance(node, ir.BinOp) and node.op not in ("+", "-", "*", "/", "times", "star"):
            return False
        return all(_readable(c, symbols) for c in node.children())
    return False


def _name(s) -> str:
    return re.sub(r"[\\{}\s]", "", str(getattr(s, "name", s)))


def compare(text: str, ours, seed: int) -> str:
    """Read ``text`` with latex2sympy2 and compare with ``ours`` (our ``lhs - rhs``) at random inputs.

    Returns what was compared; raises :class:`Disagreement` when the readings differ."""
    try:
        theirs = latex2sympy(text, normalization_config=_NORMALIZATION, conversion_config=_CONVERSION)
    except Exception as exc:   # latex2sympy2 raises bare exceptions on what it cannot read: no comparison
        return f"latex2sympy2 could not read it ({type(exc).__name__})"
    if not isinstance(theirs, sp.Equality):
        return "latex2sympy2 did not read one equation"
    theirs = theirs.lhs - theirs.rhs
    if is_array(ours) or is_array(theirs):
        return "not compared (arrays)"
    ours_by_name = {_name(s): s for s in ours.free_symbols}
    theirs_by_name = {_name(s): s for s in theirs.free_symbols}
    rng = random.Random(seed)
    checked = 0
    names = sorted(set(ours_by_name) | set(theirs_by_name))     # a symbol one reading cancels is still an input
    for _ in range(3):
        values = {k: sp.Rational(rng.randrange(1, 40), rng.randrange(7, 23)) for k in names}
        try:
            with mpmath.workdps(DPS):
                a = evaluate(ours, {ours_by_name[k]: v for k, v in values.items() if k in ours_by_name})
                b = evaluate(theirs, {theirs_by_name[k]: v for k, v in values.items() if k in theirs_by_name})
        except NotEvaluable:
            continue
        checked += 1
        if abs(a - b) > mpmath.mpf(10) ** -20 * max(1, abs(a), abs(b)):
            raise Disagreement(f"the readers differ: nnderive reads ${_tex(ours)} = 0$, latex2sympy2 reads "
                               f"${_tex(theirs)} = 0$ (at {', '.join(f'{k} = {v}' for k, v in values.items())}: "
                               f"{mpmath.nstr(a, 10)} against {mpmath.nstr(b, 10)})")
    return f"latex2sympy2 reads it the same way (compared at {checked} points)"
