r"""Cheat-sheet LaTeX to shape-aware SymPy, through latex2sympy2.

latex2sympy2 (``latex2sympy2_extended``, always with
``lowercase_symbols=False``) reads arithmetic well but loses information on
the notation cheat sheets use: it reads ``x^T A x`` as a commutative product,
``a^{(l)}`` as a power, ``\log`` as base 10, drops ``\sum_i`` structure,
returns the right side alone for ``a \approx b`` and reads ``f'(x)`` as
``f*x``.  So this module normalises first, at the token level:

* every *declared* symbol (with its accents, sub- and superscripts, such as
  ``\hat{y}``, ``W^{(l+1)}``, ``\mathcal{L}_{\text{SSE}}``) becomes a
  placeholder that stands for its SymPy object; vectors and matrices are
  ``MatrixSymbol`` placeholders, so latex2sympy2 keeps their order;
* derivatives, sums, functions, transposes, ``\odot``, norms and ``cases``
  are parsed here, their parts recursively, and become placeholders too;
* ``\log`` is the natural log unless a base is written (a recorded
  convention, see :mod:`nnderive.mathematics.conventions`);
* anything else that is a letter and not declared is an error with its
  position: undeclared symbols never get differentiated to a silent 0.

latex2sympy2 then parses only the arithmetic skeleton.  No user text ever
reaches ``eval``, ``sympify`` or ``parse_expr``: the skeleton holds only
numbers, operators, ``\frac``, ``\sqrt``, ``e^{}`` and placeholder names.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sympy as sp
from latex2sympy2_extended import latex2sympy
from latex2sympy2_extended.latex2sympy2 import ConversionConfig
from latex2sympy2_extended.math_normalization import NormalizationConfig

from ..mathematics.arrays import (Elementwise, GenericFunction, Grad, Hessian, Jacobian, Norm, SoftmaxVec, VecMax,
                                  VecMin, is_array)
from ..mathematics.conventions import INITS, LOSSES
from ..mathematics.primitives import ACTIVATIONS, LeakyReLU
from ..mathematics.sequences import Conv, ConvMatrix, Vec
from ..notation.declarations import Decl
from ..notation.errors import LatexError, ShapeMismatch, Unsupported

__all__ = ["LatexError", "Tok", "tokenize", "Scope", "Parser", "RELATIONS"]


@dataclass
class Tok:
    kind: str          # cmd | char | num | group | ph
    text: str
    pos: int
    children: list | None = None

    def __repr__(self):
        if self.kind == "group":
            return "{" + " ".join(map(repr, self.children)) + "}"
        return self.text


MAX_LATEX = 4000
_SPACING = {r"\,", r"\;", r"\:", r"\!", r"\ ", r"\quad", r"\qquad", r"\displaystyle", r"\textstyle",
            r"\left", r"\right", r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr", r"\Bigl",
            r"\Bigr", r"\biggl", r"\biggr", r"\limits"}


def tokenize(s: str) -> list[Tok]:
    """Split LaTeX into tokens; braces become nested groups.

    >>> tokenize(r"\\frac{a}{2.5}")
    [\\frac, {a}, {2.5}]
    """
    if len(s) > MAX_LATEX:
        raise LatexError(f"LaTeX longer than {MAX_LATEX} characters", 0)
    root: list[Tok] = []
    stack: list[tuple[list[Tok], int]] = []
    cur = root
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "\\":
            j = i + 1
            if j < n and s[j].isalpha():
                while j < n and s[j].isalpha():
                    j += 1
            else:
                j = min(j + 1, n)
            cur.append(Tok("cmd", s[i:j], i))
            i = j
        elif c == "{":
            stack.append((cur, i))
            cur.append(Tok("group", "{}", i, []))
            cur = cur[-1].children
            i += 1
        elif c == "}":
            if not stack:
                raise LatexError("unbalanced '}'", i)
            cur, _ = stack.pop()
            i += 1
        elif c.isdigit() or (c == "." and i + 1 < n and s[i + 1].isdigit()):
            j = i
            while j < n and s[j].isdigit():
                j += 1
            if j < n and s[j] == "." and j + 1 < n and s[j + 1].isdigit():
                j += 1
                while j < n and s[j].isdigit():
                    j += 1
            cur.append(Tok("num", s[i:j], i))
            i = j
        elif c == "%":
            raise LatexError("'%' comments are not allowed in a claim", i)
        elif ord(c) > 127:
            raise LatexError(f"non-ASCII character {c!r}: write it as a LaTeX command", i)
        else:
            cur.append(Tok("char", c, i))
            i += 1
    if stack:
        raise LatexError("unbalanced '{'", stack[-1][1])
    return _strip(root)


def _strip(toks: list[Tok]) -> list[Tok]:
    r"""Drop spacing commands and \left/\right (with a following '.' delimiter), recursively."""
    out: list[Tok] = []
    skip_dot = False
    for t in toks:
        if skip_dot and t.kind == "char" and t.text == ".":
            skip_dot = False
            continue
        skip_dot = False
        if t.kind == "cmd" and t.text in _SPACING:
            skip_dot = t.text in (r"\left", r"\right")
            continue
        if t.kind == "group":
            t = Tok("group", t.text, t.pos, _strip(t.children))
        out.append(t)
    return out


RELATIONS = {"=": "=", r"\approx": "~", r"\le": "<=", r"\leq": "<=", r"\ge": ">=", r"\geq": ">=",
             "<": "<", ">": ">", r"\ne": "!=", r"\neq": "!=", r"\in": "in", r"\leftarrow": "<-",
             r"\gets": "<-", r"\equiv": "="}

GREEK = {r"\alpha", r"\beta", r"\gamma", r"\delta", r"\epsilon", r"\varepsilon", r"\zeta", r"\eta",
         r"\theta", r"\vartheta", r"\iota", r"\kappa", r"\lambda", r"\mu", r"\nu", r"\xi", r"\pi",
         r"\rho", r"\sigma", r"\tau", r"\upsilon", r"\phi", r"\varphi", r"\chi", r"\psi", r"\omega",
         r"\Gamma", r"\Delta", r"\Theta", r"\Lambda", r"\Xi", r"\Pi", r"\Sigma", r"\Phi", r"\Psi",
         r"\Omega", r"\nabla", r"\ell"}
ACCENTS = {r"\hat", r"\bar", r"\tilde", r"\vec", r"\dot", r"\mathbf", r"\boldsymbol", r"\mathcal",
           r"\mathrm", r"\text", r"\mathit", r"\operatorname", r"\widehat", r"\overline", r"\mathbb"}
STANDARD_FUNCTIONS = {r"\log": "log", r"\ln": "ln", r"\exp": "exp", r"\tanh": "tanh",
                      r"\max": "max", r"\min": "min"}
TRANSPOSE = {"T", r"\top", r"\intercal", r"\mathsf{T}"}
_TRACE_NAMES = {r"\operatorname{tr}", r"\operatorname{Tr}", r"\mathrm{tr}", r"\mathrm{Tr}", r"\text{tr}", r"\text{Tr}"}


def canon(toks: list[Tok] | None) -> str:
    """Canonical spelling of a token run (braces always written)."""
    if not toks:
        return ""
    out = []
    for t in toks:
        if t.kind == "group":
            out.append("{" + canon(t.children) + "}")
        else:
            if out and out[-1][-1:].isalpha() and out[-1].startswith("\\") and t.text[:1].isalpha():
                out.append(" ")
            out.append(t.text)
    return "".join(out)


@dataclass
class Atom:
    base: list[Tok]
    sub: list[Tok] | None
    sup: list[Tok] | None
    prime: bool
    start: int
    end: int          # index after the atom in the token list
    pos: int

    def key(self, sub=True, sup=True) -> str:
        k = canon(self.base)
        if sub and self.sub is not None:
            k += "_{" + canon(self.sub) + "}"
        if sup and self.sup is not None:
            k += "^{" + canon(self.sup) + "}"
        return k


def _arg(toks: list[Tok], i: int) -> tuple[list[Tok], int]:
    """The argument after a command: a group's children or one token."""
    if i >= len(toks):
        raise LatexError("missing argument", toks[-1].pos if toks else 0)
    t = toks[i]
    return (t.children if t.kind == "group" else [t]), i + 1


def read_atom(toks: list[Tok], i: int) -> Atom | None:
    """A symbol with its accents, sub/superscripts and prime, starting at ``i``."""
    t = toks[i]
    if t.kind == "char" and t.text.isalpha():
        base, j = [t], i + 1
    elif t.kind == "cmd" and t.text in GREEK:
        base, j = [t], i + 1
    elif t.kind == "cmd" and t.text in ACCENTS:
        a, j = _arg(toks, i + 1)
        base = [t, Tok("group", "{}", a[0].pos if a else t.pos, a)]
    else:
        return None
    sub = sup = None
    prime = False
    while j < len(toks):
        u = toks[j]
        if u.kind == "char" and u.text == "_" and sub is None:
            sub, j = _arg(toks, j + 1)
        elif u.kind == "char" and u.text == "^" and sup is None:
            sup, j = _arg(toks, j + 1)
            if len(sup) == 1 and sup[0].text == r"\prime":
                sup, prime = None, True
        elif u.kind == "char" and u.text == "'" and not prime:
            prime, j = True, j + 1
        else:
            break
    return Atom(base, sub, sup, prime, i, j, t.pos)


def _match(toks: list[Tok], i: int, open_: str, close: str) -> int:
    """Index of the token closing the bracket opened at ``i``."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind in ("char", "cmd") and t.text == open_:
            depth += 1
        elif t.kind in ("char", "cmd") and t.text == close:
            depth -= 1
            if depth == 0:
                return j
    raise LatexError(f"unclosed {open_!r}", toks[i].pos)


_BRACKETS = {"(": ")", "[": "]", r"\{": r"\}", r"\langle": r"\rangle", r"\begin": r"\end"}


def split_top(toks: list[Tok], seps: set[str]) -> list[tuple[str | None, list[Tok]]]:
    """Split at separators outside brackets; returns (separator before, part)."""
    parts: list[tuple[str | None, list[Tok]]] = [(None, [])]
    depth = 0
    bars = {r"\|": False, "|": False}
    for t in toks:
        if t.kind in ("char", "cmd") and t.text in _BRACKETS:
            depth += 1
        elif t.kind in ("char", "cmd") and t.text in _BRACKETS.values():
            depth -= 1
        elif t.text in bars and t.text not in seps:
            bars[t.text] = not bars[t.text]
        if depth == 0 and not any(bars.values()) and t.kind in ("char", "cmd") and t.text in seps:
            parts.append((t.text, []))
        else:
            parts[-1][1].append(t)
    return parts


@dataclass
class Scope:
    """What a claim declares: symbols, functions, bound indices, conventions."""

    symbols: dict[str, Decl] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    conventions: dict[str, str] = field(default_factory=dict)
    used_axes: set = field(default_factory=set)
    notes: list = field(default_factory=list)

    def note(self, text: str):
        if text not in self.notes:
            self.notes.append(text)


_L2S_CFG = None


def _latex2sympy(skeleton: str, shapes: tuple):
    """latex2sympy2 on a placeholder skeleton (cached: skeletons repeat)."""
    global _L2S_CFG
    if _L2S_CFG is None:
        _L2S_CFG = (
            NormalizationConfig(basic_latex=False, units=False, malformed_operators=False, nits=False,
                                boxed="none", equations=False),
            ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False,
                             interpret_simple_eq_as_assignment=False, interpret_contains_as_eq=False),
        )
    return _cached_l2s(skeleton, shapes, _L2S_CFG)


@functools.lru_cache(maxsize=4096)
def _cached_l2s(skeleton, shapes, cfg):
    variables = {name: sp.MatrixSymbol(name, r, c) for name, r, c in shapes}
    return latex2sympy(skeleton, variable_values=variables, normalization_config=cfg[0],
                       conversion_config=cfg[1])


def _ph_name(k: int) -> str:
    return f"v_{{p{k}}}"


class Parser:
    """Parses one claim's LaTeX in a :class:`Scope`."""

    def __init__(self, scope: Scope):
        self.scope = scope
        # Shape letters are positive integers the LaTeX may use, one object per letter.
        for d in list(scope.symbols.values()):
            for dim in sorted({x for dd in d.dims for x in getattr(dd, "free_symbols", ())}, key=str):
                scope.symbols[dim.name] = Decl(dim.name, "scalar", (), "positive integer",
                                               {"integer": True, "positive": True}, (1, 5, False, False), dim)
        self.index_decls = {k: d for k, d in scope.symbols.items() if d.kind == "index"}
        self._keys = {}
        for spelling, decl in scope.symbols.items():
            self._keys[self._canon_key(spelling)] = decl
        self._fkeys = {self._canon_key(s): name for s, name in scope.functions.items()}

    @staticmethod
    def _canon_key(spelling: str) -> str:
        toks = tokenize(spelling)
        a = read_atom(toks, 0) if toks else None
        if a is None or a.end != len(toks):
            return canon(toks)
        return a.key()

    # ---------------------------------------------------------------- entry points
    def relation_chain(self, latex: str) -> list:
        """``[side, rel, side, rel, side, ...]`` with each side parsed."""
        toks = tokenize(latex)
        while toks and toks[-1].kind == "char" and toks[-1].text in ".,;":
            toks = toks[:-1]
        parts = split_top(toks, set(RELATIONS))
        out: list = []
        for rel, part in parts:
            if rel is not None:
                out.append(RELATIONS[rel])
            if not part:
                raise LatexError("empty side of a relation", toks[0].pos if toks else 0)
            if out and out[-1] == "in":
                out.append(self.space(part))
            else:
                out.append(self.expr(part))
        return out

    def space(self, toks: list[Tok]):
        r"""``\mathbb{R}^{m \times n}`` as a shape tuple."""
        if not (toks and toks[0].text == r"\mathbb"):
            raise LatexError(r"only \mathbb{R}^{...} may follow \in", toks[0].pos if toks else 0)
        sup = toks[3].children if len(toks) > 3 and toks[2].text == "^" else None
        if sup is None:
            return (sp.Integer(1), sp.Integer(1))
        dims = [self.expr(p) for _, p in split_top(sup, {r"\times"})]
        return tuple(dims) if len(dims) == 2 else (dims[0], sp.Integer(1))

    def expr(self, toks: list[Tok]):
        """Parse one side (no relations) to a SymPy expression."""
        if not toks:
            raise LatexError("empty expression", None)
        while (len(toks) > 2 and toks[0].kind == "char" and toks[0].text == "("
               and _match(toks, 0, "(", ")") == len(toks) - 1):
            toks = toks[1:-1]  # a fully bracketed expression is its inside
        phs: list = []
        toks = self._hadamard(toks, phs)
        skeleton = self._emit(toks, phs).strip()
        if skeleton == _ph_name(0) and len(phs) == 1:
            return phs[0]
        shapes = tuple((_ph_name(k), *v.shape) for k, v in enumerate(phs) if is_array(v))
        try:
            raw = _latex2sympy(skeleton, shapes)
        except Exception as exc:  # latex2sympy raises bare Exception on syntax errors
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            terms = split_top(toks, {"+", "-"})
            if "Mix of Matrix and Scalar" in msg and len(terms) > 1:
                return self._broadcast_sum(terms, toks[0].pos)
            raise LatexError(f"latex2sympy2 could not parse the normalised form: {msg}", toks[0].pos)
        return self._substitute(raw, phs, toks[0].pos)

    def _broadcast_sum(self, terms, pos):
        """``1 - a`` with a vector: each term on its own, scalars broadcast over the entries."""
        vals = []
        for sep, part in terms:
            if not part:
                if sep is None:
                    continue
                raise LatexError("empty term", pos)
            v = self.expr(part)
            vals.append(-v if sep == "-" else v)
        shapes = {tuple(v.shape) for v in vals if is_array(v)}
        if len(shapes) != 1:
            raise ShapeMismatch(f"sum of shapes {sorted(map(str, shapes))}", pos)
        shape = shapes.pop()
        self.scope.note("a scalar added to a vector is broadcast over its entries")
        return sp.MatAdd(*[v if is_array(v) else v * sp.OneMatrix(*shape) for v in vals])

    # ---------------------------------------------------------------- skeleton
    def _substitute(self, raw, phs, pos):
        if isinstance(raw, (sp.logic.boolalg.Boolean, sp.Tuple)) and not isinstance(raw, sp.Expr):
            raise LatexError("expected an expression, found a relation or tuple", pos)
        mapping = {}
        for k, v in enumerate(phs):
            name = _ph_name(k)
            if is_array(v):
                mapping[sp.MatrixSymbol(name, *v.shape)] = v
            mapping[sp.Symbol(name)] = v
        stray = [s for s in raw.free_symbols if s not in mapping]
        if stray:
            raise LatexError(f"undeclared symbol {stray[0]}", pos)
        try:
            out = raw.xreplace(mapping)
            if is_array(out) or any(is_array(v) for v in phs):
                out = _rebuild(out)
        except sp.ShapeError as exc:
            raise ShapeMismatch(str(exc), pos)
        except (TypeError, ValueError, NotImplementedError, AttributeError) as exc:
            raise Unsupported(f"cannot combine the parsed parts: {type(exc).__name__}: {exc}", pos)
        return out

    def _ph(self, phs: list, value) -> str:
        phs.append(value)
        return " " + _ph_name(len(phs) - 1) + " "

    def _hadamard(self, toks, phs):
        r"""Split terms at top-level ``\odot`` / ``.*`` into a Hadamard placeholder."""
        marks = {r"\odot", r"\circ"}
        norm = []
        i = 0
        while i < len(toks):  # Octave's ".*" -> \odot
            t = toks[i]
            if t.kind == "char" and t.text == "." and i + 1 < len(toks) and toks[i + 1].text == "*":
                norm.append(Tok("cmd", r"\odot", t.pos))
                i += 2
                continue
            norm.append(t)
            i += 1
        toks = norm
        if not any(t.kind == "cmd" and t.text in marks for t in toks):
            return toks
        out: list[Tok] = []
        for sep, term in split_top(toks, {"+", "-"}):
            if sep:
                out.append(Tok("char", sep, term[0].pos if term else 0))
            factors = [p for _, p in split_top(term, marks)]
            if len(factors) == 1:
                out.extend(term)
                continue
            vals = [self.expr(f) for f in factors]
            val = vals[0]
            for v in vals[1:]:
                val = _hadamard_product(val, v, term[0].pos)
            out.append(Tok("ph", self._ph(phs, val), term[0].pos))
        return out

    def _emit(self, toks: list[Tok], phs: list) -> str:
        out: list[str] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            k, x = t.kind, t.text
            if k == "ph":
                out.append(x)
                i += 1
            elif k == "num":
                if "." in x:
                    whole, frac = x.split(".")
                    out.append(r"(\frac{%d}{%d})" % (int(whole + frac), 10 ** len(frac)))
                else:
                    out.append(" " + x + " ")
                i += 1
            elif k == "group":
                out.append("{" + self._emit(t.children, phs) + "}")
                i += 1
            elif k == "char" and x in "+-*/":
                out.append(x)
                i += 1
            elif k == "char" and x == "!":
                raise LatexError("factorial is not supported in claims", t.pos)
            elif k == "char" and x in "([":
                close = ")" if x == "(" else "]"
                j = _match(toks, i, x, close)
                inner = toks[i + 1:j]
                after = j + 1
                if after + 1 < len(toks) + 1 and after < len(toks) and toks[after].text == "^":
                    sup, nxt = _arg(toks, after + 1)
                    if canon(sup) in TRANSPOSE:
                        out.append(self._ph(phs, _transpose(self.expr(inner))))
                        i = nxt
                        continue
                if len(split_top(inner, {","})) > 1:
                    raise LatexError("a tuple is not an expression here", t.pos)
                out.append("(" + self._emit(inner, phs) + ")")
                i = after
            elif k == "char" and x == "|":
                j = next((m for m in range(i + 1, len(toks)) if toks[m].text == "|"), None)
                if j is None:
                    raise LatexError("unclosed '|'", t.pos)
                out.append(self._ph(phs, sp.Abs(self.expr(toks[i + 1:j]))))
                i = j + 1
            elif k == "char" and x == "^":
                sup, nxt = _arg(toks, i + 1)
                if canon(sup) in TRANSPOSE:
                    raise LatexError("transpose of something that is not a symbol or a bracket", t.pos)
                out.append("^{" + self._emit(sup, phs) + "}")
                i = nxt
            elif k == "cmd" and x in (r"\cdot", r"\times", r"\ast"):
                out.append(r" \cdot ")
                i += 1
            elif k == "cmd" and x in (r"\left", r"\right"):
                i += 1
                if x == r"\right" or (i < len(toks) and toks[i].text == "."):
                    if i < len(toks) and toks[i].text == ".":
                        i += 1
                    continue
                if i < len(toks) and toks[i].text == r"\|":
                    continue
            elif k == "cmd" and x == r"\frac":
                out.append(self._frac(toks, i, phs))
                i = self._frac_end
            elif k == "cmd" and x == r"\sqrt":
                j = i + 1
                root = ""
                if j < len(toks) and toks[j].text == "[":
                    m = _match(toks, j, "[", "]")
                    root = "[" + self._emit(toks[j + 1:m], phs) + "]"
                    j = m + 1
                a, j = _arg(toks, j)
                out.append(r"\sqrt" + root + "{" + self._emit(a, phs) + "}")
                i = j
            elif k == "cmd" and x in (r"\sum", r"\prod"):
                val, i = self._sum(toks, i)
                out.append(self._ph(phs, val))
            elif k == "cmd" and x == r"\|":
                j = next((m for m in range(i + 1, len(toks)) if toks[m].text == r"\|"), None)
                if j is None:
                    raise LatexError(r"unclosed '\|'", t.pos)
                inner = self.expr([u for u in toks[i + 1:j] if u.text not in (r"\left", r"\right")])
                i = j + 1
                if i < len(toks) and toks[i].text == "_":
                    sub, i = _arg(toks, i + 1)
                    if canon(sub) not in ("2", "F"):
                        raise LatexError(f"only the 2-norm and Frobenius norm are supported, got _{canon(sub)}", t.pos)
                out.append(self._ph(phs, _norm(inner)))
            elif k == "cmd" and x == r"\begin":
                val, i = self._cases(toks, i)
                out.append(self._ph(phs, val))
            elif k == "cmd" and x == r"\infty":
                out.append(r"\infty ")
                i += 1
            elif k == "cmd" and x == r"\pi" and self._lookup_atom(toks, i) is None:
                out.append(r"\pi ")
                i += 1
            elif k == "cmd" and x in STANDARD_FUNCTIONS and canon([t]) not in self._fkeys:
                val, i = self._function(toks, i, STANDARD_FUNCTIONS[x])
                out.append(self._ph(phs, val))
            elif k in ("cmd", "char") and (x[:1].isalpha() or x in GREEK or x in ACCENTS
                                           or x in STANDARD_FUNCTIONS):
                val, i = self._atom_value(toks, i, phs)
                out.append(val)
            elif k == "char" and x in ",;":
                raise LatexError(f"unexpected {x!r}", t.pos)
            else:
                raise LatexError(f"unsupported LaTeX {x!r}", t.pos)
        return "".join(out)

    # ---------------------------------------------------------------- constructs
    def _lookup_atom(self, toks, i):
        a = read_atom(toks, i)
        if a is None:
            return None
        for key in (a.key(), a.key(sub=False), a.key(sup=False), a.key(False, False)):
            if key in self._keys:
                return key
        return None

    def _atom_value(self, toks, i, phs) -> tuple[str, int]:
        a = read_atom(toks, i)
        if a is None:
            raise LatexError(f"unsupported LaTeX {toks[i].text!r}", toks[i].pos)
        base_key = a.key(False, False)
        # Functions first: a declared function name applied to brackets.
        fname = self._fkeys.get(base_key) or self._fkeys.get(a.key(sup=False))
        if fname is None and base_key in _TRACE_NAMES and base_key not in self._keys:
            fname = "trace"
        if fname is None and toks[i].kind == "cmd" and toks[i].text in STANDARD_FUNCTIONS:
            fname = STANDARD_FUNCTIONS[toks[i].text]
        if fname in ("generic", "activation"):
            fname = fname + ":" + base_key
        if fname is not None and fname != "kronecker":
            val, j = self._function(toks, i, fname)
            return self._ph(phs, val), j
        declared = any(k in self._keys for k in (a.key(), a.key(sup=False), a.key(sub=False), base_key))
        if fname == "kronecker" or (base_key == r"\delta" and not declared and a.sub is not None):
            idx = self._indices(a.sub, a.pos)
            if len(idx) != 2:
                raise LatexError("Kronecker delta needs two indices", a.pos)
            return self._ph(phs, sp.KroneckerDelta(*idx)), a.end
        for key, use_sub, use_sup in ((a.key(), False, False), (a.key(sub=False), True, False),
                                      (a.key(sup=False), False, True), (base_key, True, True)):
            if key in self._keys:
                return self._decorate(self._keys[key], a, use_sub, use_sup, phs), a.end
        if base_key == "e" and a.sub is None:
            if a.sup is None:
                return " E ", a.end
            return " e^{" + self._emit(a.sup, phs) + "}", a.end
        if a.base[0].kind == "char" and a.base[0].text == "d":
            raise LatexError("a differential 'd' outside a derivative fraction", a.pos)
        raise LatexError(f"undeclared symbol {a.key()!r}", a.pos)

    def _decorate(self, decl: Decl, a: Atom, use_sub: bool, use_sup: bool, phs) -> str:
        val = decl.obj
        if decl.kind == "index":
            if use_sub and a.sub is not None:
                raise LatexError(f"index {decl.spelling} cannot be subscripted", a.pos)
        if a.prime:
            raise LatexError(f"a prime on symbol {decl.spelling!r}; declare it as a function", a.pos)
        if use_sub and a.sub is not None:
            if not decl.is_array:
                raise LatexError(f"subscript on scalar {decl.spelling!r}: declare "
                                 f"{a.key(sup=False)!r} or make it a vector", a.pos)
            idx = self._indices(a.sub, a.pos)
            want = 1 if decl.kind == "vector" else 2
            if len(idx) != want:
                raise LatexError(f"{decl.spelling} is a {decl.kind}: it takes {want} index(es), got {len(idx)}", a.pos)
            val = decl.obj[idx[0] - 1, 0] if want == 1 else decl.obj[idx[0] - 1, idx[1] - 1]
        if use_sup and a.sup is not None:
            sup = canon(a.sup)
            if sup in TRANSPOSE:
                return self._ph(phs, _transpose(val))
            if sup.startswith("("):
                raise LatexError(f"layer superscript ^{{{sup}}} on {decl.spelling!r} is not declared; "
                                 f"declare {a.key(sub=False)!r}", a.pos)
            return self._ph(phs, val) + "^{" + self._emit(a.sup, phs) + "}"
        return self._ph(phs, val)

    def _indices(self, sub: list[Tok], pos) -> list:
        if not sub:
            raise LatexError("empty subscript", pos)
        parts = [p for _, p in split_top(sub, {","})]
        if len(parts) == 1 and all(t.kind == "char" and t.text.isalpha() for t in sub) and len(sub) > 1:
            parts = [[t] for t in sub]
        out = []
        for p in parts:
            if len(p) == 1 and p[0].kind == "char" and p[0].text.isalpha():
                d = self.index_decls.get(p[0].text) or self._keys.get(p[0].text)
                if d is None or d.kind not in ("index", "scalar"):
                    raise LatexError(f"undeclared index {p[0].text!r}", p[0].pos)
                out.append(d.obj)
            else:
                out.append(self.expr(p))
        return out

    def _frac(self, toks, i, phs) -> str:
        num, j = _arg(toks, i + 1)
        den, j = _arg(toks, j)
        d_num = _differential(num)
        d_den = _differential(den)
        if d_num is not None and d_den is not None:
            order, rest_num = d_num
            _, var_toks = d_den
            if rest_num:
                f = self.expr(rest_num)
            else:  # \frac{d}{dx} applied to the next factor
                if j >= len(toks):
                    raise LatexError("derivative operator with nothing to differentiate", toks[i].pos)
                nxt = toks[j]
                if nxt.text in ("(", "["):
                    m = _match(toks, j, nxt.text, ")" if nxt.text == "(" else "]")
                    f, j = self.expr(toks[j + 1:m]), m + 1
                elif nxt.kind == "group":
                    f, j = self.expr(nxt.children), j + 1
                else:  # the operator applies to the rest of the product term
                    end = _term_end(toks, j)
                    if end == j:
                        raise LatexError("cannot tell what the derivative applies to", nxt.pos)
                    f, j = self.expr(toks[j:end]), end
            if order == 2 and len(var_toks) >= 2 and var_toks[-2].text == "^":
                var_toks = var_toks[:-2]
            var = self.expr(var_toks)
            self._frac_end = j
            return self._ph(phs, _derivative(f, var, order, toks[i].pos, self.scope))
        self._frac_end = j
        return r"\frac{" + self._emit(num, phs) + "}{" + self._emit(den, phs) + "}"

    def _sum(self, toks, i):
        """``\\sum_{i=1}^{n}``, ``\\sum_i`` (range from the index declaration) or bare ``\\sum``."""
        cmd = toks[i]
        j = i + 1
        lower = upper = None
        while j < len(toks) and toks[j].text in ("_", "^"):
            arg, nj = _arg(toks, j + 1)
            if toks[j].text == "_":
                lower = arg
            else:
                upper = arg
            j = nj
        end = _term_end(toks, j)  # the summand runs to the next top-level + or -
        body = toks[j:end]
        if not body:
            raise LatexError("sum with nothing to sum", cmd.pos)
        op = sp.Sum if cmd.text == r"\sum" else sp.Product
        if lower is None:
            summand = self.expr(body)
            if not is_array(summand):
                raise LatexError("a sum without an index needs a vector summand", cmd.pos)
            k = sp.Symbol("k", integer=True, positive=True)
            self.scope.note(r"a bare \sum runs over the entries of its vector summand")
            return op(summand[k - 1, 0], (k, 1, summand.shape[0])), end
        eq = split_top(lower, {"="})
        if len(eq) == 2:
            var_toks, lo_toks = eq[0][1], eq[1][1]
            lo = self.expr(lo_toks)
        else:
            var_toks, lo = lower, sp.Integer(1)
        if len(var_toks) != 1 or not var_toks[0].text.isalpha():
            raise LatexError("a sum index must be a single letter", cmd.pos)
        name = var_toks[0].text
        d = self.index_decls.get(name)
        if d is None and (upper is None or len(eq) != 2):
            raise LatexError(f"sum index {name!r} is not declared as an index (or give both bounds)",
                             var_toks[0].pos)
        if d is None:  # \sum_{m=0}^{2}: both bounds written, the index is local to the sum
            local = sp.Symbol(name, integer=True)
            d = Decl(name, "index", (), "integer", {"integer": True}, (-3, 3, False, False), local)
            saved = self.index_decls.get(name), self._keys.get(name)
            self.index_decls[name], self._keys[name] = d, d
            try:
                summand = self.expr(body)
            finally:
                for table, old_value in ((self.index_decls, saved[0]), (self._keys, saved[1])):
                    if old_value is None:
                        table.pop(name, None)
                    else:
                        table[name] = old_value
            if is_array(summand):
                raise LatexError(f"the summand of the sum over {name} is a vector: index it", cmd.pos)
            bound = sp.Dummy(name, integer=True)
            return op(summand.xreplace({local: bound}), (bound, lo, self.expr(upper))), end
        hi = self.expr(upper) if upper is not None else d.dims[0]
        if upper is None:
            self.scope.note(rf"\sum_{name} runs over {name} = 1..{d.dims[0]}")
        summand = self.expr(body)
        if is_array(summand):
            raise LatexError(f"the summand of the sum over {name} is a vector: index it", cmd.pos)
        # A bound variable of its own, so a free index of the same name elsewhere is never captured.
        bound = sp.Dummy(name, integer=True)
        return op(summand.xreplace({d.obj: bound}), (bound, lo, hi)), end

    def _function(self, toks, i, fname):
        t = toks[i]
        a = read_atom(toks, i) if t.kind != "cmd" or t.text not in STANDARD_FUNCTIONS else None
        j = a.end if a else i + 1
        prime = a.prime if a else False
        power = None
        base = None
        sub = a.sub if a else None
        if a is None:
            while j < len(toks) and toks[j].text in ("_", "^", "'"):
                if toks[j].text == "'":
                    prime, j = True, j + 1
                    continue
                arg, nj = _arg(toks, j + 1)
                if toks[j].text == "_":
                    sub = arg
                elif len(arg) == 1 and arg[0].text == r"\prime":
                    prime = True
                else:
                    power = arg
                j = nj
        elif a.sup is not None:
            power = a.sup
        if sub is not None and a is not None and a.key(sup=False) in self._fkeys:
            sub = None  # the subscript is part of a declared function name
        if sub is not None and fname in ("log",):
            base = self.expr(sub)
            sub = None
        if j >= len(toks):
            raise LatexError(f"function {canon([t])} without an argument", t.pos)
        nxt = toks[j]
        if nxt.text in ("(", "["):
            m = _match(toks, j, nxt.text, ")" if nxt.text == "(" else "]")
            args = [self.expr(p) for _, p in split_top(toks[j + 1:m], {","})]
            j = m + 1
        elif nxt.kind == "group":
            args, j = [self.expr(nxt.children)], j + 1
        elif nxt.text == r"\left":
            raise LatexError("internal: \\left not stripped", nxt.pos)
        else:
            b = read_atom(toks, j)
            if b is None and nxt.kind != "num":
                raise LatexError(f"function {canon([t])} without an argument", nxt.pos)
            end = b.end if b else j + 1
            args, j = [self.expr(toks[j:end])], end
        index = None
        if j < len(toks) and toks[j].text == "_":
            isub, j = _arg(toks, j + 1)
            index = self._indices(isub, toks[j - 1].pos)
        if power is None and j < len(toks) and toks[j].text == "^":  # f(x)^2, vec(K)^T
            power, j = _arg(toks, j + 1)
        val = self._apply(fname, args, prime, t.pos, base)
        if sub is not None:
            raise LatexError(f"unexpected subscript on function {canon([t])}", t.pos)
        if index is not None:
            if not is_array(val):
                raise LatexError(f"indexing the scalar result of {fname}", t.pos)
            val = val[index[0] - 1, 0]
        if power is not None:
            pw = canon(power)
            if pw in TRANSPOSE:
                val = _transpose(val)
            elif pw == "-1":
                raise LatexError("inverse functions are not supported", t.pos)
            else:
                val = val ** self.expr(power)
        return val, j

    def _apply(self, fname, args, prime, pos, base=None):
        scope = self.scope

        def one():
            if len(args) != 1:
                raise LatexError(f"{fname} takes one argument, got {len(args)}", pos)
            return args[0]

        if fname.startswith("activation:"):
            x = one()
            name = fname.split(":", 1)[1]
            if is_array(x):
                return Elementwise(name, x, 1 if prime else 0)
            f = sp.Function(name, real=True)
            if prime:
                u = sp.Dummy("x", real=True)
                return sp.Subs(sp.Derivative(f(u), u), u, x)
            return f(x)
        if fname.startswith("generic:"):
            f = GenericFunction(fname.split(":", 1)[1])
            if prime:
                u = sp.Dummy("x", real=True)
                return sp.Subs(sp.Derivative(f(u), u), u, one())
            return f(*args)
        if fname in ("log", "ln"):
            x = one()
            if fname == "log" and base is not None:
                return sp.log(x, base)
            if fname == "log":
                scope.used_axes.add("log_base")
                b = scope.conventions.get("log_base", "e")
                scope.note(r"\log without a base is read as the natural log")
                return sp.log(x) if b == "e" else sp.log(x, int(b))
            return sp.log(x)
        if fname == "exp":
            return sp.exp(one())
        if fname in ("max", "min"):
            if len(args) == 2 and fname == "max" and 0 in args:
                other = args[1] if args[0] == 0 else args[0]
                scope.note(r"\max(0, z) is read as ReLU(z), with ReLU'(0) = 0")
                return self._apply("relu", [other], prime, pos)
            if len(args) == 1 and is_array(args[0]):
                return (VecMax if fname == "max" else VecMin)(args[0])
            return (sp.Max if fname == "max" else sp.Min)(*args)
        if fname == "trace":
            m = one()
            if not is_array(m) or sp.simplify(m.shape[0] - m.shape[1]) != 0:
                raise ShapeMismatch(f"trace of a non-square {m.shape if is_array(m) else 'scalar'}", pos)
            k = sp.Dummy("k", integer=True)
            scope.note(r"\operatorname{tr}(M) is read as \sum_k M_{kk}")
            return sp.Sum(m[k - 1, k - 1], (k, 1, m.shape[0]))
        if fname in ("conv2d", "vec", "convmat"):
            if fname == "vec":
                return Vec(one())
            if len(args) != 2 or not is_array(args[0]):
                raise LatexError(f"{fname} takes two arguments", pos)
            return Conv(*args) if fname == "conv2d" else ConvMatrix(*args)
        if fname == "softmax":
            z = one()
            if not is_array(z):
                raise LatexError("softmax needs a vector argument", pos)
            if prime:
                raise LatexError("write the softmax Jacobian as a partial derivative", pos)
            return SoftmaxVec(z)
        if fname in ACTIVATIONS or fname == "leaky_relu":
            if fname == "leaky_relu":
                if len(args) != 2:
                    raise LatexError("leaky_relu takes (z, slope)", pos)
                return LeakyReLU(*args)
            x = one()
            f = ACTIVATIONS[fname]
            if is_array(x):
                return Elementwise(fname, x, 1 if prime else 0)
            if prime:
                u = sp.Dummy("x", real=True)
                return sp.Subs(sp.Derivative(f(u), u), u, x)
            return f(x)
        if fname in LOSSES:
            return LOSSES[fname](args, scope, pos)
        if fname in INITS:
            fn, arity = INITS[fname]
            if len(args) != arity:
                raise LatexError(f"{fname} takes {arity} argument(s)", pos)
            return fn(*args)
        raise LatexError(f"unknown function {fname!r}", pos)

    def _cases(self, toks, i):
        env, j = _arg(toks, i + 1)
        if canon(env) != "cases":
            raise LatexError(f"unsupported environment {canon(env)!r}", toks[i].pos)
        m = j
        while m < len(toks) and not (toks[m].text == r"\end"):
            m += 1
        if m >= len(toks):
            raise LatexError("unclosed cases environment", toks[i].pos)
        _, after = _arg(toks, m + 1)
        rows = [p for _, p in split_top(toks[j:m], {r"\\"}) if p]
        pieces = []
        for row in rows:
            cells = [p for _, p in split_top(row, {"&"})]
            if len(cells) != 2:
                raise LatexError("each case needs 'value & condition'", row[0].pos)
            value, cond = (_strip_punct(c) for c in cells)
            cond = [c for c in cond if not (c.text == r"\text" or c.kind == "group"
                                            and canon(c.children) in ("if", "if ", "otherwise", "else"))]
            if cond and cond[0].kind == "group":
                cond = cond[1:]
            pieces.append((self.expr(value), self._condition(cond, row[0].pos)))
        return sp.Piecewise(*pieces), after

    def _condition(self, toks, pos):
        if not toks:
            return sp.true
        parts = split_top(toks, set(RELATIONS))
        if len(parts) != 2:
            raise LatexError("a case condition must be one relation", pos)
        lhs, rhs = self.expr(parts[0][1]), self.expr(parts[1][1])
        rel = RELATIONS[parts[1][0]]
        ops = {"<=": sp.Le, ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "=": sp.Eq, "!=": sp.Ne}
        if rel not in ops:
            raise LatexError(f"unsupported relation {rel!r} in a case", pos)
        return ops[rel](lhs, rhs)


def _term_end(toks, j):
    """Index where the product term starting at ``j`` ends (next top-level + or -)."""
    end, depth, bars = j, 0, {r"\|": False, "|": False}
    while end < len(toks):
        u = toks[end]
        if u.text in _BRACKETS:
            depth += 1
        elif u.text in _BRACKETS.values():
            depth -= 1
        elif u.text in bars:  # norms and absolute values open and close with the same bar
            bars[u.text] = not bars[u.text]
        inside = depth or any(bars.values())
        if not inside and u.kind == "char" and u.text in "+-" and end > j:
            break
        end += 1
    return end


def _strip_punct(toks):
    while toks and toks[-1].kind == "char" and toks[-1].text in ",.;":
        toks = toks[:-1]
    return toks


def _differential(toks):
    """``d x`` / ``\\partial x`` / ``\\partial^2 f`` -> (order, rest) or None."""
    if not toks:
        return None
    t = toks[0]
    if t.kind == "char" and t.text == "d":
        rest = toks[1:]
    elif t.kind == "cmd" and t.text == r"\partial":
        rest = toks[1:]
    elif t.kind == "cmd" and t.text == r"\mathrm" and len(toks) > 1 and canon(toks[1:2]) == "{d}":
        rest = toks[2:]
    else:
        return None
    order = 1
    if rest and rest[0].text == "^":
        o, n = _arg(rest, 1)
        if canon(o) != "2":
            return None
        order, rest = 2, rest[n:]
    if t.text == "d" and rest and rest[0].kind == "char" and rest[0].text == "^":
        return None
    return order, rest


def _derivative(f, var, order, pos, scope=None):
    scalar_f = is_array(f) and tuple(f.shape) == (1, 1)  # x^T A x and friends are scalars
    if is_array(var):
        if order == 2 and (scalar_f or not is_array(f)) and var.shape[1] == 1:
            return Hessian(f, var)
        if scalar_f:
            return Grad(f, var)
        if order != 1:
            raise Unsupported("second derivatives by a matrix are not supported yet", pos)
        if is_array(f):
            if f.shape[1] != 1 or var.shape[1] != 1:
                raise Unsupported("derivatives of a matrix by a matrix are not supported yet", pos)
            if scope is not None:
                scope.used_axes.add("layout")
                if scope.conventions.get("layout", "numerator") == "denominator":
                    return sp.Transpose(Jacobian(f, var))
            return Jacobian(f, var)
        return Grad(f, var)
    if scalar_f:
        f = f[0, 0]
    if is_array(f):
        raise Unsupported("derivative of an array by a scalar is not supported yet", pos)
    if not (var.is_Symbol or isinstance(var, (sp.Indexed, sp.matrices.expressions.matexpr.MatrixElement))
            or isinstance(var, sp.Function)):
        raise LatexError(f"cannot differentiate with respect to {var}", pos)
    return sp.Derivative(f, (var, order))


def _transpose(val):
    return sp.Transpose(val) if is_array(val) else val


def _norm(val):
    return Norm(val) if is_array(val) else sp.Abs(val)


def _hadamard_product(a, b, pos):
    if is_array(a) and is_array(b):
        if a.shape != b.shape:
            raise ShapeMismatch(f"Hadamard product of shapes {a.shape} and {b.shape}", pos)
        return sp.HadamardProduct(a, b)
    return a * b


def _rebuild(expr):
    """Re-evaluate a latex2sympy2 tree (built with evaluate=False) and check shapes."""
    if isinstance(expr, (sp.MatrixSymbol,)) or not expr.args:
        return expr
    args = [_rebuild(a) for a in expr.args]
    if isinstance(expr, (sp.MatMul, sp.Mul)) and any(is_array(a) for a in args):
        scal = [a for a in args if not is_array(a)]
        mats = [a for a in args if is_array(a)]
        for x, y in zip(mats, mats[1:]):
            if sp.simplify(x.shape[1] - y.shape[0]) != 0:
                raise sp.ShapeError(f"matrix product of shapes {tuple(x.shape)} and {tuple(y.shape)}")
        out = sp.MatMul(*mats) if len(mats) > 1 else mats[0]
        return sp.Mul(*scal) * out if scal else out
    if isinstance(expr, (sp.MatAdd, sp.Add)) and any(is_array(a) for a in args):
        shapes = {tuple(a.shape) for a in args if is_array(a)}
        if len(shapes) > 1:
            raise sp.ShapeError(f"sum of shapes {sorted(map(str, shapes))}")
        shape = shapes.pop()
        # A scalar added to an array is broadcast over its entries (Octave/NumPy style, as in 1 - a).
        args = [a if is_array(a) else a * sp.OneMatrix(*shape) for a in args]
        return sp.MatAdd(*args)
    if isinstance(expr, (sp.Pow, sp.MatPow)) and is_array(args[0]):
        if args[0].shape[1] != 1 or args[1].free_symbols:
            raise sp.ShapeError("power of a matrix expression")
        return sp.HadamardPower(args[0], args[1])
    return expr.func(*args)
