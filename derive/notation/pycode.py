r"""The NumPy-code reader: an expression of a sheet's code (``np.exp(-z) / (1 + np.exp(-z))``) to LaTeX.

Python's own parser (:mod:`ast`, never ``eval``) gives the tree; a whitelist of nodes and ``np.*``
functions writes each one as LaTeX, which :func:`.latex.read` reads into the same intermediate form
as the other notations.  Anything off the list (a call the reader does not know, a slice, a keyword
argument) is a :class:`~.errors.LatexError` naming it, never a guess.

======================================  ==================================================
code                                    LaTeX
======================================  ==================================================
``a * b``, ``a / b``, ``a ** 2``        ``a \cdot b``, ``\frac{a}{b}``, ``{a}^{2}``
``np.dot(A, B)``, ``A @ B``, ``W.T``    ``A B``, ``A B``, ``W^{T}``
``np.exp(x)``, ``np.log(x)``            ``e^{x}``, ``\log(x)``
``np.sqrt(x)``, ``np.tanh(x)``          ``\sqrt{x}``, ``\tanh(x)``
``np.maximum(0, x)``, ``np.abs(x)``     ``\max(0, x)``, ``\left| x \right|``
``(Z > 0).astype(float)``               ``\begin{cases} 1, & Z > 0 \\ 0, & Z \le 0 \end{cases}``
``Z1``, ``y_true``, ``dW``, ``lr``      ``Z_{1}``, ``y_{true}``, ``\mathrm{dW}``, ``\mathrm{lr}``
``params['W1']``, ``p[f'dW{i}']``       ``W_{1}``, ``\mathrm{dW}_{i}`` (a table of arrays: the key names one)
======================================  ==================================================

Names a sheet's code uses for other things (``self.sizes[i]``, ``x.shape[0]``) are *opaque*: each
distinct one is written as a fresh symbol ``d_{1}``, ``d_{2}``, ... and listed in ``opaque`` so a
draft can say what the symbol stands for.

>>> to_latex("1 / (1 + np.exp(-Z))")
'\\frac{1}{1 + e^{-Z}}'
>>> to_latex("np.dot(X, W.T) + b")
'X W^{T} + b'
"""
from __future__ import annotations

import ast
import re

from . import ir, latex
from .errors import LatexError

__all__ = ["Reading", "to_latex", "read", "ELEMENTWISE"]

_GREEK = frozenset({"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma", "tau",
                    "phi", "rho", "omega"})
#: np.* functions applied entry by entry (a formula made of them and arithmetic is elementwise)
ELEMENTWISE = frozenset({"exp", "log", "sqrt", "tanh", "maximum", "minimum", "abs"})


class Reading:
    """The LaTeX of one code expression and the opaque operands it names (source text -> symbol)."""

    def __init__(self, opaque=None):
        self.opaque: dict[str, str] = {} if opaque is None else opaque
        self.functions: set[str] = set()          # the np.* functions used
        self.arrays: set[str] = set()             # the LaTeX symbols of the variables

    def symbol(self, source: str) -> str:
        if source not in self.opaque:
            self.opaque[source] = f"d_{{{len(self.opaque) + 1}}}"
        return self.opaque[source]


def _name(word: str) -> str:
    r"""A Python name as one LaTeX symbol: ``Z1`` -> ``Z_{1}``, ``y_true`` -> ``y_{true}``, ``epsilon`` ->
    ``\epsilon``, ``dW3`` -> ``\mathrm{dW}_{3}``, ``learning_rate`` -> ``\mathrm{learning\_rate}``."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", word):
        raise LatexError(f"{word!r} is not a name the code reader writes", 0)
    m = re.fullmatch(r"([A-Za-z]+)(\d*)", word)
    if m:
        stem, digits = m.groups()
        index = f"_{{{digits}}}" if digits else ""
        if len(stem) == 1:
            return stem + index
        if stem in _GREEK:
            return f"\\{stem}{index}"
        return f"\\mathrm{{{stem}}}{index}"
    m = re.fullmatch(r"([A-Za-z])_([A-Za-z0-9]+)", word)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return "\\mathrm{" + word.replace("_", "\\_") + "}"


def _key_name(node) -> str | None:
    """``'W1'`` or ``f'dW{i}'`` as the array it names (None for any other key)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _name(node.value) if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", node.value) else None
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2 and isinstance(node.values[0], ast.Constant) \
            and isinstance(node.values[1], ast.FormattedValue) and isinstance(node.values[1].value, ast.Name) \
            and node.values[1].conversion == -1 and node.values[1].format_spec is None:
        stem, var = node.values[0].value, node.values[1].value.id
        if re.fullmatch(r"[A-Za-z]+", stem) and re.fullmatch(r"[a-z]", var):
            return f"{_name(stem)}_{{{var}}}"
    return None


_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\cdot", ast.MatMult: ""}
_CMP = {ast.Gt: (">", r"\le"), ast.GtE: (r"\ge", "<"), ast.Lt: ("<", r"\ge"), ast.LtE: (r"\le", ">")}
_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.MatMult: 2, ast.Div: 2}


def _emit(node, r: Reading, prec: int = 0) -> str:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        text = repr(node.value)
        if "e" in text or "inf" in text or "nan" in text:
            raise LatexError(f"the number {text} is not written out", 0)
        return text
    if isinstance(node, ast.Name):
        tex = _name(node.id)
        r.arrays.add(tex)
        return tex
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        body = _emit(node.operand, r, 3)
        out = ("-" if isinstance(node.op, ast.USub) else "+") + body
        return f"({out})" if prec >= 2 else out
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.Div:
            return rf"\frac{{{_emit(node.left, r)}}}{{{_emit(node.right, r)}}}"
        if op is ast.Pow:
            base = _emit(node.left, r, 4)
            if not re.fullmatch(r"\\?[A-Za-z]+(_\{\w+\})?|\d+(\.\d+)?", base):
                base = f"({base})" if not base.startswith("(") else base
            return f"{{{base}}}^{{{_emit(node.right, r)}}}"
        if op in _BIN:
            p = _PREC[op]
            left = _emit(node.left, r, p)
            right = _emit(node.right, r, p + 1 if op in (ast.Sub, ast.Div) else p)
            sign = _BIN[op]
            if op is ast.MatMult:
                r.functions.add("dot")
            out = f"{left} {sign} {right}" if sign else f"{left} {right}"
            return f"({out})" if prec > p else out
    if isinstance(node, ast.Attribute) and node.attr == "T":
        body = _emit(node.value, r, 4)
        return f"{body}^{{T}}" if re.fullmatch(r"\\?[A-Za-z]+(\{\w+\})?(_\{\w+\})?", body) else f"({body})^{{T}}"
    if isinstance(node, ast.Subscript):
        key = _key_name(node.slice)
        if key is not None:
            r.arrays.add(key)
            return key
    if isinstance(node, ast.Call):
        return _call(node, r, prec)
    if isinstance(node, ast.Compare):         # a boolean array in arithmetic: 1 where it holds, else 0
        return _indicator(node, r)
    if isinstance(node, (ast.Attribute, ast.Subscript)) and _opaque_ok(node):
        return r.symbol(ast.unparse(node))
    raise LatexError(f"the code reader does not read {ast.unparse(node)!r}", getattr(node, "col_offset", 0))


def _opaque_ok(node) -> bool:
    """``self.sizes[i - 1]``, ``x.shape[0]``: attribute and index chains of names, numbers and i - 1."""
    for sub in ast.walk(node):
        if not isinstance(sub, (ast.Attribute, ast.Subscript, ast.Name, ast.Constant, ast.BinOp, ast.Load,
                                ast.Add, ast.Sub)):
            return False
    return True


def _indicator(cmp: ast.Compare, r: Reading) -> str:
    if len(cmp.ops) != 1 or type(cmp.ops[0]) not in _CMP:
        raise LatexError(f"the comparison {ast.unparse(cmp)!r} is not read", cmp.col_offset)
    yes, no = _CMP[type(cmp.ops[0])]
    a, b = _emit(cmp.left, r), _emit(cmp.comparators[0], r)
    return rf"\begin{{cases}} 1, & {a} {yes} {b} \\ 0, & {a} {no} {b} \end{{cases}}"


def _np(node) -> str | None:
    """``np.exp`` -> ``exp``, ``numpy.exp`` -> ``exp`` (None for any other callee)."""
    f = node.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy"):
        return f.attr
    return None


def _call(node: ast.Call, r: Reading, prec: int) -> str:
    name = _np(node)
    if node.keywords:
        raise LatexError(f"{ast.unparse(node)!r}: keyword arguments (axis=...) are not read", node.col_offset)
    args = node.args
    if isinstance(node.func, ast.Attribute) and node.func.attr == "astype" and len(args) == 1 \
            and isinstance(node.func.value, ast.Compare) and ast.unparse(args[0]) in ("float", "int", "np.float32",
                                                                                     "np.float64"):
        return _indicator(node.func.value, r)
    if name == "dot" and len(args) == 2:          # a matrix product: its factors in brackets when sums
        r.functions.add(name)
        return f"{_emit(args[0], r, 2)} {_emit(args[1], r, 2)}"
    if name is None or name not in ELEMENTWISE:
        raise LatexError(f"the code reader does not read the call {ast.unparse(node.func)!r}", node.col_offset)
    r.functions.add(name)
    one = len(args) == 1
    if name == "exp" and one:
        return f"e^{{{_emit(args[0], r)}}}"
    if name == "sqrt" and one:
        return rf"\sqrt{{{_emit(args[0], r)}}}"
    if name in ("log", "tanh") and one:
        return rf"\{name}({_emit(args[0], r)})"
    if name == "abs" and one:
        return rf"\left| {_emit(args[0], r)} \right|"
    if name in ("maximum", "minimum") and len(args) == 2:
        return rf"\{name[:3]}({_emit(args[0], r)}, {_emit(args[1], r)})"
    raise LatexError(f"np.{name} with {len(args)} arguments is not read", node.col_offset)


def parse(source: str) -> ast.expr:
    """The tree of one expression (a :class:`LatexError` when Python cannot parse it)."""
    try:
        return ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise LatexError(f"not a Python expression: {exc.msg}", (exc.offset or 1) - 1) from None


def to_latex(source, reading: Reading | None = None) -> str:
    """The LaTeX of a code expression (source text or an :mod:`ast` node)."""
    node = parse(source) if isinstance(source, str) else source
    return _emit(node, reading if reading is not None else Reading())


def read(source: str, words=frozenset()) -> list[ir.Statement]:
    """``lhs = rhs`` of code, in the intermediate form (the right side is code; the left, one name)."""
    lhs, sep, rhs = source.partition("=")
    if not sep:
        raise LatexError("no '=' in the code", 0)
    return latex.read(f"{_name(lhs.strip())} = {to_latex(rhs)}", words)
