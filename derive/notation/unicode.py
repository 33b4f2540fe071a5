r"""The plain-text (Unicode) reader: a sheet's ``σ'(z) = σ(z)(1 − σ(z))`` to the intermediate form.

The Lark grammar ``unicode.lark`` parses the plain text and every rule writes its LaTeX, which
:func:`.latex.read` then reads: both notations meet in one intermediate form and one set of scope
rules.  The grammar fixes only what plain text leaves implicit and LaTeX writes out:

=================================  =======================================================
plain text                         LaTeX
=================================  =======================================================
``x²``, ``x^2``, ``e^(-z)``        ``x^{2}``, ``x^{2}``, ``e^{-z}`` (a bracket after ``^`` is
                                   the exponent)
``W^(l)``, ``a^(l-1)``             an error: LaTeX's layer label ``W^{(l)}`` or a power? (one
                                   letter, maybe shifted, in brackets on a name other than e)
``W1``, ``z_i``, ``aᵢ``            ``W_{1}``, ``z_{i}``, ``a_{i}`` (digits after one letter
                                   are its index)
``ŷ``, ``v_hat``                   ``\hat{y}``, ``\hat{v}``
``√(v + ε)``                       ``\sqrt{v + ε}``
``∂L/∂W``, ``dy/dx``, ``d/dx``     ``\frac{\partial L}{\partial W}``, ``\frac{d y}{d x}``,
                                   ``\frac{d}{d x}``
``ln(x)``, ``softmax(z)``          ``\ln(x)``, ``\operatorname{softmax}(z)``
``×``, ``·``, ``−``, ``≤``, ``∈``  ``\times``, ``\cdot``, ``-``, ``\le``, ``\in``
=================================  =======================================================

A run of several letters is never split by guess: ASCII runs go to the LaTeX reader, which asks
for a declaration, and a run with an accented or Greek letter (``ŷi``) is an error with its
position.  Every error is a :class:`~.errors.LatexError` at a character of the plain text.

>>> to_latex("σ'(z) = σ(z)(1 − σ(z))")
"σ' (z) = σ (z) (1 - σ (z))"
>>> to_latex("∂L/∂W = δ·xᵀ")
'\\frac{\\partial L}{\\partial W} = δ \\cdot x^{T}'
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
import unicodedata
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError

from . import ir, latex
from .errors import LatexError

__all__ = ["read", "to_latex"]

_ACCENTS = {"\u0302": r"\hat", "\u0304": r"\bar", "\u0303": r"\tilde", "\u0307": r"\dot", "\u0308": r"\ddot",
            "\u20d7": r"\vec"}
_ACCENT_WORDS = {"hat": r"\hat", "bar": r"\bar", "tilde": r"\tilde", "dot": r"\dot"}
_FUNCTIONS = {"log": r"\log", "ln": r"\ln", "exp": r"\exp", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh",
              "max": r"\max", "min": r"\min", "sqrt": None}
_OPERATOR_NAMES = frozenset({"softmax", "sigmoid", "relu", "ReLU", "softplus", "MSE", "BCE", "CCE", "CE", "Var",
                             "tr", "diag", "sign", "LeakyReLU", "ELU", "GELU", "SSE", "KL", "E"}) - {"E"}
_RELATIONS = {"=": "=", "==": "=", ":=": ":=", "≈": r"\approx", "~=": r"\approx", "≤": r"\le", "<=": r"\le",
              "≥": r"\ge", ">=": r"\ge", "≠": r"\ne", "!=": r"\ne", "<": "<", ">": ">", "∈": r"\in",
              "←": r"\leftarrow", "<-": r"\leftarrow", "→": r"\to", "->": r"\to", "∝": r"\propto",
              "≡": r"\equiv", "⇒": r"\Rightarrow"}
_SIGNS = {"+": "+", "-": "-", "−": "-", "–": "-", "±": r"\pm"}
_MULOPS = {"×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "*": r"\cdot", "/": "/", "÷": "/", "⊙": r"\odot",
           "∘": r"\circ", "⊗": r"\otimes"}
_SYMBOLS = {"Σ": r"\sum", "∑": r"\sum", "∏": r"\prod", "Π": r"\prod", "ℝ": r"\mathbb{R}", "∞": r"\infty",
            "∇": r"\nabla", "½": r"\frac{1}{2}", "¼": r"\frac{1}{4}", "¾": r"\frac{3}{4}", "∂": r"\partial"}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵗᶻʲᵐᵏʸᵃᵇᶜᵈᵉᶠᵍʰˡᵖʳˢᵘᵛʷ", "0123456789+-=()niTtzjmkyabcdefghlprsuvw"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎ᵢⱼₖₙₘₜₓₐₑₒₗₚₛ", "0123456789+-()ijknmtxaeolps"))


class _Tex:
    """LaTeX text made of pieces, each remembering the plain-text character it came from."""

    def __init__(self, parts=()):
        self.parts = tuple(parts)            # (latex piece, position in the plain text)
        self.diff = None                     # ("d" | "\partial", the variable's LaTeX) for d-names
        self.bare_d = None                   # "d" or "\partial" written alone (the numerator of d/dx)

    @classmethod
    def of(cls, text, pos):
        return cls([(text, pos)])

    def __add__(self, other):
        return _Tex(self.parts + other.parts)

    @property
    def text(self):
        return "".join(p for p, _ in self.parts)

    @property
    def pos(self):
        return self.parts[0][1] if self.parts else 0

    def source_pos(self, k):
        """The plain-text position of character ``k`` of the LaTeX."""
        at = 0
        for piece, pos in self.parts:
            at += len(piece)
            if k < at:
                return pos
        return self.parts[-1][1] if self.parts else 0


def _join(items, sep=" "):
    out = _Tex()
    for i, t in enumerate(items):
        if i:
            out = out + _Tex.of(sep, t.pos)
        out = out + t
    return out


def _wrap(pre, t, post):
    return _Tex.of(pre, t.pos) + t + _Tex.of(post, t.pos)


def _glyphs(word: str, pos: int):
    """A letter run's letters, each with its accents, as LaTeX."""
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch):
            if not out or ch not in _ACCENTS:
                raise LatexError(f"the mark U+{ord(ch):04X} is not an accent the reader knows", pos)
            out[-1] = f"{_ACCENTS[ch]}{{{out[-1]}}}"
        else:
            out.append(ch)
    return out


def _name_tex(word: str, pos: int) -> _Tex:
    stem = word.rstrip("0123456789")
    digits = word[len(stem):]
    if any(c.isdigit() for c in stem):
        raise LatexError(f"{word!r}: digits inside a name; write the index with _", pos)
    glyphs = _glyphs(stem, pos)
    index = f"_{{{digits}}}" if digits else ""
    if len(glyphs) == 1:
        return _Tex.of(glyphs[0] + index, pos)
    if stem in _FUNCTIONS and _FUNCTIONS[stem]:
        return _Tex.of(_FUNCTIONS[stem] + index, pos)
    if stem in _OPERATOR_NAMES:
        return _Tex.of(rf"\operatorname{{{stem}}}" + index, pos)
    if not (stem.isascii() and len(glyphs) == len(stem)):
        raise LatexError(f"{word!r}: one name or a product of {len(glyphs)} symbols? write it with a space or _", pos)
    return _Tex.of(stem + index, pos)       # the LaTeX reader asks for a declaration of a word


def _strip(t: _Tex) -> _Tex:
    """A bracket's inside (after ``^``, ``√``): ``e^(-z)`` is ``e^{-z}``."""
    if getattr(t, "bracket", None) == "(":
        return t.inner
    return t


#: a bracketed superscript that may be a label: one letter, maybe shifted by a number (l, l-1, t+1)
_LABEL_LIKE = re.compile(r"[A-Za-z](?:[+-]\d+)?")


@v_args(inline=True)
class _Emit(Transformer):
    def start(self, *chains):
        return _join([c for c in chains if not isinstance(c, Token)], "; ")

    def chain(self, *items):
        out = []
        for it in items:
            if isinstance(it, Token):
                out.append(_Tex.of(_RELATIONS[str(it)], it.start_pos))
            else:
                out.append(it)
        return _join(out)

    def expr(self, *items):
        out = []
        for it in items:
            out.append(_Tex.of(_SIGNS[str(it)], it.start_pos) if isinstance(it, Token) else it)
        return _join(out)

    def term(self, *items):
        out, k = [], 0
        while k < len(items):
            it = items[k]
            if isinstance(it, Token) and str(it) == "/" and out and k + 1 < len(items):
                frac = _derivative(out[-1], items[k + 1])
                if frac is not None:
                    out[-1] = frac
                    k += 2
                    continue
                j = _operand_start(out, items[k + 1])
                if j is not None:         # ∂(Ax)/∂x, ∂ReLU(z)/∂z: the factors after the ∂ are its numerator
                    op, var = items[k + 1].diff
                    num = _join(out[j:])
                    out[j:] = [_Tex.of(r"\frac{", num.pos) + num + _Tex.of(f"}}{{{op} {var}}}", num.pos)]
                    k += 2
                    continue
            if isinstance(it, Token) and str(it) in "/÷" and k + 1 < len(items) and not isinstance(items[k + 1], Token) \
                    and re.match(r"\\(?:sum|prod)(?![A-Za-z])", items[k + 1].text):
                # eᶻⁱ / Σⱼ eᶻʲ: the sum and the factors it takes are the divisor; another sign after them
                # (/ Σⱼ bⱼ · c) leaves the sum's reach unsaid
                rest = items[k + 1:]
                if any(isinstance(r, Token) for r in rest):
                    raise LatexError("a sum after '/' followed by another operator: bracket the divisor", it.start_pos)
                den = _join(list(rest))
                out.append(_Tex.of("/", it.start_pos))
                out.append(_wrap("(", den, ")"))
                break
            if isinstance(it, Token):
                t = _Tex.of(_MULOPS[str(it)], it.start_pos)
                t.operator = True
                out.append(t)
                k += 1
                continue
            out.append(it)
            k += 1
        for it in out:
            if getattr(it, "unsure", False):
                raise LatexError(f"{it.word!r} outside a derivative fraction: one name or a product? "
                                 "write it with a space or _", it.pos)
        return _join(out)

    def factor(self, base, *posts):
        if getattr(base, "bare_root", False) and any(p[0] == "script" and p[1].text.startswith("^") for p in posts):
            # √x²: the grammar would read (√x)², sheets mostly mean √(x²); over the reals they differ (x < 0)
            raise LatexError("√ followed by a power without brackets: the root of the power or the power of the "
                             "root? write √(x²) or (√x)²", base.pos)
        t, rest = base, []
        for post in posts:
            kind, val = post[:2]
            if len(post) > 2 and post[2] is not None:
                rest.append(post[2])
            if kind == "label?":
                b = t.text.strip()
                if b != "e" and not getattr(t, "bracket", None) and not re.fullmatch(r"[\d.]+", b):
                    # W^(l), a^(l-1): the layer label of LaTeX's W^{(l)}, or a power? plain text cannot say
                    raise LatexError(f"{b}^({post[3]}): a label ({b} of layer {post[3]}, {b}^{{({post[3]})}} in "
                                     f"LaTeX) or a power? plain text cannot say which: write the formula in LaTeX, "
                                     f"or {b}_{post[3] if len(post[3]) == 1 else '(' + post[3] + ')'} for the label",
                                     t.pos)
                t = t + val
            elif kind == "accent":
                if len(t.parts) != 1 or getattr(t, "bracket", None):
                    raise LatexError(f"_{val[1]} after more than one letter", val[2])
                t = _wrap(val[0] + "{", t, "}")
            else:
                t = t + val
        if posts:
            t.diff = None
        return _join([t, *rest]) if rest else t

    def sup(self, *args):
        sign = args[0] if isinstance(args[0], Token) else None
        body, rest = _strip(args[-1]), None
        if sign is None and getattr(args[-1], "bracket", None) == "(" and _LABEL_LIKE.fullmatch(body.text.replace(" ", "")):
            return ("label?", _wrap("^{", body, "}"), None, body.text.replace(" ", ""))
        word = getattr(args[-1], "word", None)
        if word is not None and len(_glyphs(word, body.pos)) > 1 and not word[1:].isdigit():
            # x^TAx: as in TeX, a power without brackets takes one letter; the rest are factors after it
            glyphs = _glyphs(word, body.pos)
            body = _Tex.of(glyphs[0], body.pos)
            rest = _name_tex(word[len(unicodedata.normalize("NFC", glyphs[0])):] if glyphs[0].isalpha()
                             else word[1:], body.pos + 1)
        if sign is not None:
            body = _Tex.of(_SIGNS[str(sign)], sign.start_pos) + body
        return ("script", _wrap("^{", body, "}"), rest)

    def sup_chars(self, tok):
        chars = str(tok)
        out = []
        for i, c in enumerate(chars):
            if c == "ˣ" and 0 < i < len(chars) - 1:
                out.append(r" \times ")
            else:
                out.append("x" if c == "ˣ" else _SUPER[c])
        if re.search(r"[A-Za-z]{2}", "".join("×" if o == r" \times " else o for o in out)):
            # eᶻʲ: e^{z j} or the e^{z_j} of a softmax? a superscript has no subscripts to say which
            raise LatexError(f"{chars!r}: letters side by side in a superscript (a product, or an index as in "
                             f"e^(z_j)?): write the exponent with ^( )", tok.start_pos)
        return ("script", _Tex.of("^{" + "".join(out) + "}", tok.start_pos))

    def sub(self, body):
        if len(body.parts) == 1 and body.text in _ACCENT_WORDS:
            return ("accent", (_ACCENT_WORDS[body.text], body.text, body.pos))
        return ("script", _wrap("_{", _strip(body), "}"))

    def sub_chars(self, tok):
        return ("script", _Tex.of("_{" + "".join(_SUB[c] for c in str(tok)) + "}", tok.start_pos))

    def prime(self, tok):
        return ("script", _Tex.of("'", tok.start_pos))

    def name(self, tok):
        word = str(tok)
        if len(word) > 1 and word.startswith("d") and len(_glyphs(word[1:].rstrip("0123456789"), 0)) == 1:
            # dy, dσ: a differential; only a derivative fraction dy/dx reads it (see term)
            var = _name_tex(word[1:], tok.start_pos + 1).text
            t = _Tex.of("d" + var if word[1:].isascii() else "d " + var, tok.start_pos)
            t.diff = ("d", var)
            t.word = word
            t.unsure = not word[1:].isascii()    # "dσ" alone: d times σ, or one name? (ASCII goes to LaTeX)
            return t
        t = _Tex.of(_name_tex(word, tok.start_pos).text, tok.start_pos)
        t.word = word
        if word == "d":
            t.bare_d = "d"
        return t

    def diff(self, tok):
        word = str(tok)[1:]
        if word in _FUNCTIONS or word in _OPERATOR_NAMES:     # ∂ReLU(z)/∂z: ∂ applied to a function
            t = _Tex.of(r"\partial " + _name_tex(word, tok.start_pos + 1).text, tok.start_pos)
            t.lead_d = r"\partial"
            return t
        t = _Tex.of(r"\partial " + _name_tex(word, tok.start_pos + 1).text, tok.start_pos)
        t.diff = (r"\partial", _name_tex(word, tok.start_pos + 1).text)
        return t

    def number(self, tok):
        text = str(tok)
        m = re.fullmatch(r"(\d+(?:\.\d+)?)[eE]([-+−–]?)(\d+)", text)
        if m:                   # 1e-8 written out exactly as the decimal 0.00000001
            if int(m.group(3)) > 60:
                raise LatexError(f"{text!r}: an exponent this large is not read", tok.start_pos)
            sign = "-" if m.group(2) in "-−–" and m.group(2) else ""
            text = format(Decimal(f"{m.group(1)}e{sign}{m.group(3)}"), "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
        return _Tex.of(text, tok.start_pos)

    def symbol(self, tok):
        t = _Tex.of(_SYMBOLS[str(tok)], tok.start_pos)
        if str(tok) == "∂":
            t.bare_d = r"\partial"
        return t

    def partial_bars(self, tok, bars, *posts):
        """``∂‖x‖²``: the numerator of a derivative fraction, led by its ∂ (see term)."""
        body = self.factor(bars, *posts)
        t = _Tex.of(r"\partial ", tok.start_pos) + body
        t.lead_d = r"\partial"
        return t

    def sqrt(self, tok, body):
        t = _wrap(r"\sqrt[3]{" if str(tok) == "∛" else r"\sqrt{", _strip(body), "}")
        t.bare_root = getattr(body, "bracket", None) is None     # √x, not √(x): a power after it is unsure
        return t

    def args(self, *items):
        return _join(list(items), ", ")

    def _bracketed(self, inner, o, c, mark):
        t = _wrap(o, inner, c)
        t.bracket, t.inner = mark, inner
        return t

    def paren(self, inner):
        return self._bracketed(inner, "(", ")", "(")

    def bracket(self, inner):
        return self._bracketed(inner, "[", "]", "[")

    def brace(self, inner):
        return self._bracketed(inner, r"\{", r"\}", "{")

    def norm(self, o, inner, c):
        return _wrap(r"\| ", inner, r" \|")

    def abs(self, o, inner, c):
        return _wrap(r"\left| ", inner, r" \right|")


def _operand_start(out, den):
    """Where a numerator led by a lone ``∂``/``d`` starts in a term's items (None: no derivative)."""
    if not isinstance(den, _Tex) or den.diff is None:
        return None
    op = den.diff[0]
    for j in range(len(out) - 1, -1, -1):
        if getattr(out[j], "operator", False):
            return None
        if out[j].bare_d == op or getattr(out[j], "lead_d", None) == op:
            return j if j < len(out) - 1 or getattr(out[j], "lead_d", None) else None
    return None


def _derivative(num: _Tex, den: _Tex):
    """``dy/dx``, ``∂L/∂W``, ``d/dx`` as a derivative fraction (None when the division is not one)."""
    if den.diff is None:
        return None
    op = den.diff[0]
    if num.diff is not None and num.diff[0] == op:
        top = f"{op} {num.diff[1]}"
    elif num.bare_d == op:
        top = op
    else:
        return None
    return _Tex.of(rf"\frac{{{top}}}{{{op} {den.diff[1]}}}", num.pos)


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "unicode.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", maybe_placeholders=False)


@functools.lru_cache(maxsize=4096)
def _translate(text: str) -> _Tex:
    if not text.strip():
        raise LatexError("empty formula", 0)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        pos = getattr(exc, "pos_in_stream", None)
        tok = getattr(exc, "token", None)
        if tok is not None and getattr(tok, "type", "") == "$END":
            pos = len(text)
        elif tok is not None and getattr(tok, "start_pos", None) is not None:
            pos = tok.start_pos
        if pos is None:
            pos = len(text)
        what = repr(text[pos]) if pos < len(text) else "the end of the formula"
        raise LatexError(f"cannot read the plain-text math: unexpected {what}", pos) from None
    try:
        return _Emit().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, LatexError):
            raise exc.orig_exc from None
        raise


def to_latex(text: str) -> str:
    """The LaTeX spelling of a plain-text formula (raises :class:`LatexError` at its position)."""
    return _translate(text).text


def read(text: str, words=frozenset()) -> list[ir.Statement]:
    """Every reading of a plain-text claim, in the same intermediate form as :func:`.latex.read`."""
    tex = _translate(text)
    try:
        return latex.read(tex.text, words)
    except LatexError as exc:
        pos = None if exc.pos is None else tex.source_pos(exc.pos)
        err = type(exc)(f"{exc.message} (in its LaTeX reading {tex.text!r})", pos)
        raise err from None
