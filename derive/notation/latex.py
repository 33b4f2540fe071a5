r"""The LaTeX reader: a claim's LaTeX to its readings in the intermediate form.

A Lark LALR grammar (``latex.lark``) over the typed tokens of :mod:`.lexer` gives
the structure; the scope of operators written without brackets is then decided
on each term's flat list of factors, by one rule per operator kind:

=====================================  ==============================================
operator                               what it applies to
=====================================  ==============================================
``\sum``, ``\prod``, ``\max_i``        the rest of the term
``\frac{d}{dx}``, ``\partial_x``,      the rest of the term; when a bracket follows and
``\nabla_x``                           more factors come after it, also the bracket only
``\log``, ``\sin`` … without brackets  the next factor (``2x`` counts as one); when more
                                       juxtaposed factors follow, also all of them
``\log(x)``, ``f(x)``                  the bracket; ``\log(x)^2`` is also read as
                                       ``\log((x)^2)``
=====================================  ==============================================

Where a rule allows two scopes, both readings are returned and the judge gives a
verdict only when they agree: ``\frac{d}{dx}(x+1)^2`` has one reading (the power
belongs to the factor), ``\log (x+1)^2`` has two.

>>> [canon(r) for r in read(r"\frac{d}{dx}(x+1)^2 = 2(x+1)")]
['\\frac{d}{d x}((x+1)^{2}) = 2 (x+1)']
>>> len(read(r"\log (x+1)^2 = 2 \log(x+1)"))
2
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer

from . import ir
from .errors import LatexError, Unsupported
from .lexer import tokenize
from .tables import (APPLIED_LETTERS, BIG_OPERATORS, FUNCTIONS, KEYWORDS, LOGIC_SEP, PRODUCTS, PROSE_WORDS,
                     TRANSPOSE_MARKS)

__all__ = ["read", "read_expression", "canon", "MAX_READINGS"]

#: more readings than this and the claim is undecided ("too ambiguous")
MAX_READINGS = 16
_ALIGNED = frozenset({"aligned", "align", "align*", "split", "gather", "gather*", "eqnarray", "eqnarray*",
                      "equation", "equation*", "alignat", "alignat*", "multline", "multline*"})
_MATRICES = {"matrix": "", "pmatrix": "(", "bmatrix": "[", "Bmatrix": "{", "vmatrix": "|", "Vmatrix": "||",
             "smallmatrix": ""}


class _TokenList(Lexer):
    """Hands Lark the tokens :func:`~.lexer.tokenize` made."""

    def __init__(self, conf):
        pass

    def lex(self, data):
        yield from data


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "latex.lark").read_text()
    return Lark(grammar, parser="lalr", lexer=_TokenList, propagate_positions=True, maybe_placeholders=False)


# --------------------------------------------------------------------------- raw structure
class _Raw(ir.Node):
    """Internal, before scopes are decided."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


class _Term(_Raw):
    """A term's factors and explicit operators, in order (scopes not yet decided)."""

    def __init__(self, items, span):
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "span", span)

    def children(self):
        return tuple(x for x in self.items if isinstance(x, ir.Node))


class _Marker(_Raw):
    r"""``\partial`` or ``\nabla`` (with its scripts) before its operand is known."""

    def __init__(self, kind, sub, sup, span):
        for k, v in (("kind", kind), ("sub", sub), ("sup", sup), ("span", span)):
            object.__setattr__(self, k, v)

    def children(self):
        return tuple(x for x in (self.sub, self.sup) if x is not None)


class _Body:
    """Items of a body with their separators (not a node)."""

    def __init__(self, items, seps, span):
        self.items, self.seps, self.span = items, seps, span


def _span(meta):
    return (getattr(meta, "start_pos", 0), getattr(meta, "end_pos", 0))


def _tspan(t: Token):
    return (t.start_pos, t.end_pos)


def _only_expr(body: _Body, what: str):
    """The single expression a body must hold (a group, a script, an argument)."""
    items = [x for x in body.items if x is not None]
    if len(items) != 1 or body.seps:
        raise LatexError(f"{what} must hold one expression", body.span[0])
    chain = items[0]
    if len(chain.terms) != 1:
        raise LatexError(f"a relation inside {what}", body.span[0])
    return chain.terms[0]


def _case_value(body: _Body):
    r"""A case's value; ``\frac{dz}{dz} = 1`` (a worked step, every relation ``=``) is kept as its chain, for the
    interpreter to read only where its sides are equal."""
    items = [x for x in body.items if x is not None]
    if len(items) == 1 and not body.seps and len(items[0].terms) > 1 and all(r == "=" for r in items[0].rels):
        return items[0]
    return _only_expr(body, "a case value")


@v_args(meta=True)
class _Build(Transformer):
    """Parse tree -> raw intermediate form."""

    def start(self, meta, c):
        return c[0]

    def body(self, meta, c):
        items, seps = [], []
        for x in c:
            if isinstance(x, Token):
                seps.append(str(x))
            else:
                items.append(x)
        return _Body(items, seps, _span(meta))

    def empty(self, meta, c):
        return None

    def item(self, meta, c):
        return c[0]

    def chain(self, meta, c):
        terms, rels = [c[0]], []
        for k in range(1, len(c), 2):
            rels.append(str(c[k]))
            terms.append(c[k + 1])
        return ir.Chain(tuple(terms), tuple(rels), span=_span(meta))

    def at(self, meta, c):
        body, point = c[0], _script_node(c[3])
        if isinstance(body, ir.BinOp) and body.op in ("+", "-"):
            # a + b \Big|_{x=0}: the bar may close b or the whole side; not guessed
            raise LatexError("an evaluation bar after a sum: bracket what it evaluates, \\left. (a + b) "
                             "\\right|_{x=0}", c[1].start_pos)
        return ir.At(body, point, span=_span(meta))

    def expr(self, meta, c):
        c = list(c)
        sign = None
        if isinstance(c[0], Token):
            sign = str(c.pop(0))
        out = c[0]
        if sign == "-":
            out = ir.Neg(out, span=_span(meta))
        for k in range(1, len(c), 2):
            out = ir.BinOp(str(c[k]), out, c[k + 1], span=(out.span[0], c[k + 1].span[1]))
        return out

    def term(self, meta, c):
        items = []
        for x in c:
            if isinstance(x, str) and not isinstance(x, ir.Node):
                items.append(x)
            else:
                items.append(x)
        if len(items) == 1 and not isinstance(items[0], (str, _Marker)) and not _needs_scope(items[0]):
            return items[0]
        return _Term(items, _span(meta))

    def mulop(self, meta, c):
        t = str(c[0])
        # \times and * are kept apart from juxtaposition: between two arrays they are not a matrix product
        # for certain (the cross product; NumPy's element-wise *)
        return _EXPLICIT.get(t) or PRODUCTS.get(t, "*")

    # ------------------------------------------------------------------ factors
    def factor(self, meta, c):
        node = c[0]
        for post in c[1:]:
            node = post(node, _span(meta))
        return node

    def sup(self, meta, c):
        script = c[1]

        def apply(base, span):
            return _superscript(base, script, span)
        return apply

    def sub(self, meta, c):
        script = c[1]

        def apply(base, span):
            return _subscript(base, script, span)
        return apply

    def prime(self, meta, c):
        def apply(base, span):
            if isinstance(base, ir.Func):
                return ir.Func(base.name, base.sub, base.sup, base.primes + 1, span=span)
            if isinstance(base, ir.Prime):
                return ir.Prime(base.base, base.order + 1, span=span)
            return ir.Prime(base, 1, span=span)
        return apply

    def bang(self, meta, c):
        return lambda base, span: ir.Factorial(base, span=span)

    def group(self, meta, c):
        return _Group(c[1], _span(meta))

    def atomic(self, meta, c):
        return c[0]

    def script(self, meta, c):
        return c[0]

    def arg(self, meta, c):
        return c[0]

    def number(self, meta, c):
        return ir.Number(str(c[0]), span=_tspan(c[0]))

    def letter(self, meta, c):
        return ir.Atom(str(c[0]), span=_tspan(c[0]))

    def greek(self, meta, c):
        return ir.Atom(str(c[0]), span=_tspan(c[0]))

    def const(self, meta, c):
        return ir.Atom(str(c[0]), span=_tspan(c[0]))

    def primecmd(self, meta, c):
        return ir.Atom(r"\prime", span=_tspan(c[0]))

    def dots(self, meta, c):
        return ir.Text("...", span=_tspan(c[0]))

    def namecmd(self, meta, c):
        text = str(c[0])
        span = _tspan(c[0])
        if len(text) == 1 and text.isalpha():
            return ir.Atom(text, span=span)
        if text.isdigit():
            return ir.Number(text, span=span)
        if text.lower().strip() in KEYWORDS or text != text.strip() or text.lower() in PROSE_WORDS:
            # \text{ at }, \text{iff}: words of the sentence, never a symbol named by them
            return ir.Text(text.strip(), span=span)
        return ir.Name(text, span=span)

    def partial(self, meta, c):
        return _Marker("partial", None, None, _tspan(c[0]))

    def nabla(self, meta, c):
        return _Marker("nabla", None, None, _tspan(c[0]))

    def accent(self, meta, c):
        arg = _arg(c[1], "an accent")
        return _accented(str(c[0]), arg, _span(meta))

    def bold(self, meta, c):
        arg = _arg(c[1], "a font")
        return _bolded(arg, _span(meta))

    def sfont(self, meta, c):
        arg = _arg(c[1], "a font")
        font = str(c[0])
        if isinstance(arg, (ir.Atom, ir.Number)):
            inner = arg.name if isinstance(arg, ir.Atom) else arg.text
            return ir.Atom(f"{font}{{{inner}}}", span=_span(meta))
        if isinstance(arg, ir.Sub):
            return ir.Sub(_font_base(font, arg.base, meta), arg.index, arg.text, span=_span(meta))
        raise LatexError(f"{font} of something that is not a letter", _span(meta)[0])

    def primary(self, meta, c):
        return c[0]

    def func(self, meta, c):
        t = c[0]
        name = str(t)
        if name.startswith(r"\operatorname{"):
            name = name[len(r"\operatorname{"):-1]
        else:
            name = FUNCTIONS.get(name, name)
        return ir.Func(name, span=_tspan(t))

    def bigop(self, meta, c):
        t = c[0]
        return ir.BigOp(BIG_OPERATORS[str(t)], None, None, None, span=_tspan(t))

    def frac(self, meta, c):
        num, den = c[1], c[2]
        span = _span(meta)
        d = _differential_fraction(num, den, span)
        if d is not None:
            return d
        return ir.Frac(_arg(num, "a fraction"), _arg(den, "a fraction"), span=span)

    def sqrt(self, meta, c):
        index = c[1]
        return ir.Sqrt(_arg(c[2], "a square root"), index, span=_span(meta))

    def sqrt_index(self, meta, c):
        if not c:
            return None
        return _only_expr(c[1], "a root index")

    def _bracketed(self, meta, c, bracket):
        body = c[1]
        items = [x for x in body.items if x is not None]
        span = _span(meta)
        if not items:
            raise LatexError("empty brackets", span[0])
        if len(items) == 1 and not body.seps:
            ch = items[0]
            if len(ch.terms) == 1:
                return ir.Paren(ch.terms[0], bracket, span=span)
            return ir.Paren(ch, bracket, span=span)     # a condition such as (x < 0)
        if any(s not in (",",) for s in body.seps):
            if any(isinstance(ch, ir.Chain) and "mid" in ch.rels for ch in items):
                if (bracket == "(" and body.seps[0] == ";" and all(s == "," for s in body.seps[1:])
                        and "mid" in items[0].rels and len(items) == len(body.seps) + 1):
                    # P(y = 1 \mid x; w, b): a conditional with its parameters, bracket "(;" (only the judge's
                    # reading of a probability named by the formula's next member takes it; anything else errs)
                    return ir.Tuple(tuple(ch.terms[0] if len(ch.terms) == 1 else ch for ch in items), "(;",
                                    span=span)
                raise Unsupported(r"\mid (a conditional bar) with parameters after ';' is not read yet", span[0])
            raise LatexError("';' or \\quad inside brackets", span[0])
        return ir.Tuple(tuple(ch.terms[0] if len(ch.terms) == 1 else ch for ch in items), bracket, span=span)

    def paren(self, meta, c):
        return self._bracketed(meta, c, "(")

    def bracket(self, meta, c):
        return self._bracketed(meta, c, "[")

    def braces(self, meta, c):
        return self._bracketed(meta, c, "{")

    def angle(self, meta, c):
        return self._bracketed(meta, c, "<")

    def abs(self, meta, c):
        inner, span = _only_expr(c[1], "an absolute value"), _span(meta)
        if isinstance(inner, ir.Abs) and inner.span == (span[0] + 1, span[1] - 1):
            return ir.Norm(inner.arg, "", span=span)       # ||W||: two bars side by side, the plain-text norm
        return ir.Abs(inner, span=span)

    def norm(self, meta, c):
        return ir.Norm(_only_expr(c[1], "a norm"), "", span=_span(meta))

    def env(self, meta, c):
        begin, rows, end = c
        name, span = str(begin), _span(meta)
        if str(end) != name:
            raise LatexError(f"\\begin{{{name}}} ended by \\end{{{end}}}", span[0])
        if name == "cases":
            out = []
            for row in rows:
                if not row or all(_empty(b) for b in row):
                    continue
                if len(row) > 2:
                    raise LatexError("a case has one value and one condition", span[0])
                value = _case_value(_strip_trailing_sep(row[0]))
                cond = _condition(row[1]) if len(row) == 2 else None
                out.append((value, cond))
            return ir.Cases(tuple(out), span=span)
        if name in _MATRICES:
            out = tuple(tuple(_only_expr(cell, "a matrix entry") for cell in row)
                        for row in rows if row and not all(_empty(b) for b in row))
            node = ir.Matrix(out, span=span)
            if name == "vmatrix":
                return ir.Abs(node, span=span)
            return node
        raise Unsupported(f"the environment {name!r} is not read", span[0])

    def rows(self, meta, c):
        return list(c[0::2]) if c else []

    def row(self, meta, c):
        return [x for x in c if isinstance(x, _Body)]


class _Group(_Raw):
    """``{...}``: a braced body (an argument, a script, or a group in an expression)."""

    def __init__(self, body, span):
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "span", span)

    def children(self):
        return ()


def _needs_scope(node) -> bool:
    if isinstance(node, ir.BigOp):
        return node.body is None
    return isinstance(node, (ir.DiffOp, ir.Func))


def _empty(body: _Body) -> bool:
    return not [x for x in body.items if x is not None]


def _strip_trailing_sep(body: _Body) -> _Body:
    items = [x for x in body.items if x is not None]
    return _Body(items, [s for s in body.seps if s not in (",", ";")], body.span)


def _condition(body: _Body):
    """A case condition: a relation, possibly after 'if'; 'otherwise' is None."""
    items = [x for x in body.items if x is not None]
    if not items:
        return None
    conds = []
    for ch in items:
        terms = list(ch.terms)
        first = terms[0]
        if isinstance(first, ir.Text) and len(terms) == 1:
            if first.text.lower() in ("otherwise", "else"):
                return None
            continue
        if isinstance(first, _Term) and first.items and isinstance(first.items[0], ir.Text):
            rest = [x for x in first.items[1:]]
            terms[0] = rest[0] if len(rest) == 1 else _Term(rest, first.span)
        conds.append(ir.Chain(tuple(terms), ch.rels, span=ch.span))
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else ir.Tuple(tuple(conds), "and", span=body.span)


def _arg(x, what):
    """An argument, script or group as one expression node."""
    if isinstance(x, _Group):
        return _only_expr(x.body, what)
    return x


def _accented(accent: str, arg, span):
    if isinstance(arg, ir.Atom):
        return ir.Atom(f"{accent}{{{arg.name}}}", arg.bold, span=span)
    if isinstance(arg, ir.Sub):   # \hat{y_i} is \hat{y}_i
        return ir.Sub(_accented(accent, arg.base, span), arg.index, arg.text, span=span)
    raise LatexError(f"{accent} of something that is not a symbol", span[0])


def _bolded(arg, span):
    if isinstance(arg, ir.Atom):
        return ir.Atom(arg.name, True, span=span)
    if isinstance(arg, ir.Number):     # \mathbf{1}, \mathbf{0}: the ones and zero vectors
        return ir.Atom(rf"\mathbf{{{arg.text}}}", True, span=span)
    if isinstance(arg, ir.Sub):
        return ir.Sub(_bolded(arg.base, span), arg.index, arg.text, span=span)
    if isinstance(arg, ir.Pow):
        return ir.Pow(_bolded(arg.base, span), arg.exp, arg.text, span=span)
    if isinstance(arg, ir.Transpose):
        return ir.Transpose(_bolded(arg.base, span), span=span)
    if isinstance(arg, ir.Prime):
        return ir.Prime(_bolded(arg.base, span), arg.order, span=span)
    # \mathbf{w - x}, \mathbf{w \otimes x}: the font of each symbol written inside (a number inside is
    # not made bold: \mathbf{1} would become the ones vector, so a number there is an error)
    if isinstance(arg, ir.BinOp) and arg.op in ("+", "-", "odot", "otimes", "oslash"):
        return ir.BinOp(arg.op, _bolded_part(arg.left, span), _bolded_part(arg.right, span), span=arg.span)
    if isinstance(arg, _Term) and all(isinstance(x, str) or isinstance(x, (ir.Atom, ir.Sub, ir.Pow, ir.Transpose,
                                                                          ir.Prime)) for x in arg.items):
        return _Term([x if isinstance(x, str) else _bolded_part(x, span) for x in arg.items], arg.span)
    raise LatexError("a bold font of something that is not a symbol", span[0])


def _bold_number(node) -> bool:
    """A number that the bold font would cover (exponents and subscripts are not covered)."""
    if isinstance(node, ir.Number):
        return True
    if isinstance(node, (ir.Pow, ir.Sub, ir.Transpose, ir.Prime)):
        return _bold_number(node.base)
    return any(_bold_number(c) for c in node.children()) if isinstance(node, ir.Node) else False


def _bolded_part(arg, span):
    """A part of an expression under a bold font: a symbol, never a number."""
    if _bold_number(arg):
        raise LatexError("a bold font over a number inside an expression (the ones vector, or the number?)",
                         span[0])
    return _bolded(arg, span)


def _font_base(font, base, meta):
    if isinstance(base, ir.Atom):
        return ir.Atom(f"{font}{{{base.name}}}", span=_span(meta))
    raise LatexError(f"{font} of something that is not a letter", _span(meta)[0])


def _script_node(script):
    if isinstance(script, _Group):
        body = script.body
        items = [x for x in body.items if x is not None]
        if len(items) == 1 and not body.seps:
            return items[0].terms[0] if len(items[0].terms) == 1 else items[0]
        if not items:
            raise LatexError("an empty script", body.span[0])
        # i=1, or i,j: keep the whole body (a sum's range, a pair of indices)
        return ir.Tuple(tuple(items), "script", span=body.span)
    return script


def _settled(node):
    """A script's one reading (scripts are never ambiguous in practice; if one is, say so)."""
    alts = _resolve(node)
    if len(alts) != 1:
        raise Unsupported("a script with several readings", node.span[0])
    return alts[0]


def _superscript(base, script, span):
    node = _settled(_script_node(script))
    text = canon(node)
    if isinstance(base, _Marker):
        return _Marker(base.kind, base.sub, node, span)
    if text in TRANSPOSE_MARKS or text in ("{T}",):
        return ir.Transpose(base, span=span, mark=text)
    if isinstance(base, ir.Func) and text in (r"\prime", "'", r"\prime\prime", "''"):
        return ir.Func(base.name, base.sub, base.sup, base.primes + (2 if len(text) > 6 or text == "''" else 1),
                       span=span)
    if text in (r"\prime", "'"):
        return ir.Prime(base.base, base.order + 1, span=span) if isinstance(base, ir.Prime) else ir.Prime(base, 1, span=span)
    if text in (r"\prime\prime", "''"):
        return ir.Prime(base, 2, span=span)
    if text in ("-T", r"-\top", r"-\intercal", r"-\mathsf{T}"):
        return ir.Transpose(ir.Pow(base, ir.Number("-1"), "-1", span=span), span=span)
    if isinstance(base, ir.BigOp) and base.upper is None:
        return ir.BigOp(base.op, base.lower, node, None, span=span)
    if isinstance(base, ir.Func) and base.sup is None:
        return ir.Func(base.name, base.sub, node, base.primes, span=span)
    if isinstance(base, ir.Sub) and text.startswith(("(", "[")):
        # a_i^{(l)} is a^{(l)}_i: the label names the symbol, the subscript indexes it
        return ir.Sub(ir.Pow(base.base, node, text, span=span), base.index, base.text, span=span)
    return ir.Pow(base, node, text, span=span)


def _subscript(base, script, span):
    node = _settled(_script_node(script))
    if isinstance(base, _Marker):
        return _Marker(base.kind, node, base.sup, span)
    if isinstance(base, ir.BigOp) and base.lower is None:
        return ir.BigOp(base.op, node, base.upper, None, span=span)
    if isinstance(base, ir.Func) and base.sub is None:
        return ir.Func(base.name, node, base.sup, base.primes, span=span)
    if isinstance(base, ir.Norm) and not base.kind:
        return ir.Norm(base.arg, canon(node), span=span)
    return ir.Sub(base, node, canon(node), span=span)


# --------------------------------------------------------------------------- differentials
def _factors_of(x):
    """The raw factor list of an argument (a group holding one term), or None."""
    if isinstance(x, _Group):
        body = x.body
        items = [i for i in body.items if i is not None]
        if len(items) != 1 or body.seps or len(items[0].terms) != 1:
            return None
        node = items[0].terms[0]
    else:
        node = x
    if isinstance(node, _Term):
        return list(node.items)
    return [node]


def _is_d(node) -> bool:
    return isinstance(node, ir.Atom) and node.name == "d"


def _d_order(node):
    """``d`` -> 1, ``d^2`` -> 2, ``\\partial`` -> 1, ``\\partial^2`` -> 2 (kind, order), else None."""
    if _is_d(node):
        return "d", 1
    if isinstance(node, ir.Pow) and _is_d(node.base) and isinstance(node.exp, ir.Number) and node.exp.text.isdigit():
        return "d", int(node.exp.text)
    if isinstance(node, _Marker) and node.kind == "partial" and node.sub is None:
        if node.sup is None:
            return "partial", 1
        if isinstance(node.sup, ir.Number) and node.sup.text.isdigit():
            return "partial", int(node.sup.text)
    return None


def _differential_fraction(num, den, span):
    r"""``\frac{d}{dx}`` -> DiffOp; ``\frac{\partial L}{\partial W}`` -> Derivative; else None."""
    nf, df = _factors_of(num), _factors_of(den)
    if not nf or not df:
        return None
    head = _d_order(nf[0])
    if head is None:
        return None
    kind, order = head
    wrt = []
    k = 0
    while k < len(df):
        d = _d_order(df[k])
        if d is None or d[1] != 1 or k + 1 >= len(df):
            return None
        var = df[k + 1]
        power = 1
        if isinstance(var, ir.Pow) and isinstance(var.exp, ir.Number) and var.exp.text.isdigit():
            var, power = var.base, int(var.exp.text)
        if isinstance(var, (_Marker, str)) or _d_order(var) is not None:
            return None
        wrt.append((var, power))
        k += 2
    if sum(p for _, p in wrt) != order:
        raise LatexError(f"a derivative of order {order} by variables of total order {sum(p for _, p in wrt)}",
                         span[0])
    body = nf[1:]
    if not body:
        return ir.DiffOp(kind, tuple(wrt), order, span=span)
    if any(isinstance(b, str) for b in body):
        return None
    node = body[0] if len(body) == 1 else _Term(body, span)
    return ir.Derivative(kind, node, tuple(wrt), span=span)


# --------------------------------------------------------------------------- scopes
def _alternatives(options, where):
    out = list(dict.fromkeys(options))
    if len(out) > MAX_READINGS:
        raise Unsupported(f"the notation has more than {MAX_READINGS} readings", where)
    return out


def _resolve(node) -> list:
    """Every reading of ``node`` with operator scopes decided."""
    if node is None:
        return [None]
    if isinstance(node, _Term):
        return _resolve_term(node)
    if isinstance(node, _Marker):
        return [_diff_operator(node)]
    if isinstance(node, _Group):
        return _resolve(_only_expr(node.body, "braces"))
    if isinstance(node, (ir.Number, ir.Atom, ir.Name, ir.Text)):
        return [node]
    if isinstance(node, ir.Apply):
        # settled already (a script is resolved when it is built): its operator's scope is decided
        return [ir.Apply(node.func, args, node.bracket, span=node.span) for args in _resolve_value(node.args)]
    if _needs_scope(node):
        raise LatexError("an operator with nothing to apply to", node.span[0])
    fields = {}
    choices = []
    for k, v in node.__dict__.items():
        if k == "span":
            continue
        fields[k] = v
        if k == "func" and isinstance(node, ir.Apply) and isinstance(v, ir.Func):
            # an application already read (a script is read first: e^{\log(x)}): its function is settled
            choices.append((k, [v]))
            continue
        choices.append((k, _resolve_value(v)))
    keys = [k for k, _ in choices]
    out = []
    for combo in itertools.product(*[alts for _, alts in choices]):
        kw = dict(zip(keys, combo))
        out.append(type(node)(**kw, span=node.span))
    return _alternatives(out, node.span[0])


def _resolve_value(v):
    if isinstance(v, ir.Node):
        return _resolve(v)
    if isinstance(v, tuple):
        parts = [_resolve_value(x) for x in v]
        return _alternatives([tuple(c) for c in itertools.product(*parts)], 0)
    return [v]


def _diff_operator(m: _Marker):
    """``\\partial_x`` / ``\\nabla_x`` (or a bare ``\\nabla``) as a derivative operator."""
    order = 1
    if m.sup is not None:
        if not (isinstance(m.sup, ir.Number) and m.sup.text.isdigit()):
            raise LatexError(f"\\{m.kind} with a superscript that is not an order", m.span[0])
        order = int(m.sup.text)
    if m.sub is None:
        if m.kind == "partial":
            raise LatexError(r"a \partial outside a derivative fraction", m.span[0])
        return ir.DiffOp("nabla", (), order, span=m.span)
    wrt = tuple((x, 1) for x in (m.sub.items if isinstance(m.sub, ir.Tuple) and m.sub.bracket == "script"
                                 else (m.sub,)))
    if isinstance(m.sub, ir.Tuple):
        wrt = tuple((x.terms[0] if isinstance(x, ir.Chain) else x, 1) for x in m.sub.items)
    if order != 1 and len(wrt) == 1:
        wrt = ((wrt[0][0], order),)
    return ir.DiffOp(m.kind, wrt, sum(o for _, o in wrt), span=m.span)


def _bracketed(node) -> bool:
    """A factor that is a bracket, possibly with scripts: (x), (x)^2, (x)_i, (x)^T."""
    if isinstance(node, (ir.Paren, ir.Tuple)):
        return node.bracket in ("(", "[", "{")
    if isinstance(node, (ir.Pow, ir.Sub, ir.Transpose, ir.Factorial)):
        return _bracketed(node.base)
    return False


def _callable_head(node) -> bool:
    if isinstance(node, (ir.Atom, ir.Name)):
        return node.name not in ("*",) and not node.name.startswith(r"\mathbf{")
    if isinstance(node, ir.Prime):
        return _callable_head(node.base)
    if isinstance(node, ir.Sub):
        return _callable_head(node.base)
    if isinstance(node, ir.Pow) and isinstance(node.base, (ir.Atom, ir.Sub)):
        return True
    if isinstance(node, ir.Pow) and isinstance(node.base, ir.Prime) and not node.text.startswith(("(", "[")):
        return _callable_head(node.base.base)       # f'^2(x): the square of f'(x), as \sin^2(x)
    return False


def _bare_partial(x) -> bool:
    return isinstance(x, _Marker) and x.kind == "partial" and x.sub is None and x.sup is None


def _slash_derivatives(items, span) -> list:
    r"""``\partial L_i / \partial f_j`` (inline, as prose sets a fraction): the first-order partial
    derivative of the one factor after the first ``\partial`` by the one factor after the second.

    Read only where the variable's factor ends the term or an explicit product follows it: in
    ``\partial L / \partial w x`` the variable could be ``w`` or ``w x``, which is not decided here."""
    out, k = [], 0
    while k < len(items):
        x = items[k]
        if _bare_partial(x) and k + 4 < len(items) and items[k + 2] == "/" and _bare_partial(items[k + 3]):
            body, var = items[k + 1], items[k + 4]
            if isinstance(body, (str, _Marker)) or isinstance(var, (str, _Marker)) or \
                    _d_order(body) is not None or _d_order(var) is not None:
                raise LatexError(r"a \partial ... / \partial ... whose parts are not one factor each", x.span[0])
            if k + 5 < len(items) and not (isinstance(items[k + 5], str) and items[k + 5] != "/"):
                raise LatexError(r"\partial ... / \partial x followed by a factor: the variable is x alone or "
                                 r"x with what follows; write \frac", x.span[0])
            bodies, variables = _resolve(body), _resolve(var)
            if len(bodies) != 1 or len(variables) != 1:
                raise LatexError(r"a \partial ... / \partial ... with more than one reading", x.span[0])
            out.append(ir.Derivative("partial", bodies[0], ((variables[0], 1),), span=span))
            k += 5
            continue
        out.append(x)
        k += 1
    return out


def _resolve_term(term: _Term) -> list:
    items = _slash_derivatives(list(term.items), term.span)
    # children first (each factor may itself have several readings)
    resolved = []
    for x in items:
        if isinstance(x, str):
            resolved.append([x])
        elif isinstance(x, _Marker):
            resolved.append([_diff_operator(x)])
        elif isinstance(x, ir.BigOp) and x.body is None:
            lo = _resolve(x.lower) if x.lower is not None else [None]
            hi = _resolve(x.upper) if x.upper is not None else [None]
            resolved.append([ir.BigOp(x.op, a, b, None, span=x.span) for a in lo for b in hi])
        elif isinstance(x, ir.Func):
            sub = _resolve(x.sub) if x.sub is not None else [None]
            sup = _resolve(x.sup) if x.sup is not None else [None]
            resolved.append([ir.Func(x.name, a, b, x.primes, span=x.span) for a in sub for b in sup])
        elif isinstance(x, ir.DiffOp):
            resolved.append([x])
        else:
            resolved.append(_resolve(x))
    out = []
    for combo in itertools.product(*resolved):
        out.extend(_group(list(combo), term.span))
    return _alternatives(out, term.span[0])


def _group(items, span) -> list:
    """Readings of one term's factors: split at Hadamard-type products, then scopes."""
    segments, ops = [[]], []
    for x in items:
        if isinstance(x, str) and x in ("odot", "otimes", "oslash"):
            ops.append(x)
            segments.append([])
        else:
            segments[-1].append(x)
    if any(not s for s in segments):
        raise LatexError("a product with a missing factor", span[0])
    alts = [_product(s, span) for s in segments]
    out = []
    for combo in itertools.product(*alts):
        node = combo[0]
        for op, right in zip(ops, combo[1:]):
            node = ir.BinOp(op, node, right, span=span)
        out.append(node)
    return out


def _product(seq, span) -> list:
    """Readings of juxtaposed factors (``*`` markers are explicit products, ``/`` a quotient)."""
    if not seq:
        raise LatexError("an empty product", span[0])
    if isinstance(seq[0], str):
        raise LatexError(f"a product that starts with {seq[0]!r}", span[0])
    results = []
    for factors in _scopes(seq, span):
        results.append(factors[0] if len(factors) == 1 else ir.Product(tuple(factors), span=span))
    return _alternatives(results, span[0])


def _run_end(seq, k):
    """End of the juxtaposed run starting at ``k`` (up to an explicit product or an operator)."""
    j = k
    while j < len(seq) and not isinstance(seq[j], str) and not _needs_scope(seq[j]):
        j += 1
    return j


def _scopes(seq, span) -> list[list]:
    """All ways to read ``seq`` as a list of factors with every operator's scope decided."""
    if not seq:
        return [[]]
    x = seq[0]
    rest = seq[1:]
    if isinstance(x, str):
        if x in ("*", "dot", "times", "star"):
            return _scopes(rest, span)
        raise LatexError(f"unexpected {x!r}", span[0])
    # a quotient a / b binds its neighbours
    if rest and rest[0] == "/":
        if len(rest) < 2 or isinstance(rest[1], str):
            raise LatexError("'/' without a denominator", span[0])
        den_end = _run_end(rest, 1)
        ends = {2, den_end} if den_end > 2 else {2}
        if isinstance(rest[1], ir.Func) and len(rest) > 2 and _bracketed(rest[2]):
            # x / \cosh(x): the function and its bracketed argument, or with the factors after it (a / b c)
            ends = {3, _run_end(rest, 3)}
        outs = []
        for j in sorted(ends):
            den = rest[1:j]
            for dens in _scopes(den, span):
                d = dens[0] if len(dens) == 1 else ir.Product(tuple(dens), span=span)
                for tail in _scopes(rest[j:], span):
                    outs.append([ir.BinOp("/", x, d, span=span)] + tail)
        return outs
    if isinstance(x, ir.BigOp) and x.body is None:
        if x.op in ("max", "min") and x.lower is None and rest and _bracketed(rest[0]):
            return [[ir.Call(ir.Name(x.op, span=x.span), rest[0], "(", span=span)] + t for t in _scopes(rest[1:], span)]
        if not rest:
            raise LatexError(f"\\{x.op} with nothing to apply to", x.span[0])
        return [[ir.BigOp(x.op, x.lower, x.upper, _as_node(body, span), span=span)] for body in _scopes(rest, span)]
    if isinstance(x, ir.DiffOp):
        if not rest or isinstance(rest[0], str) and len(rest) == 1:
            raise LatexError("a derivative operator with nothing to differentiate", x.span[0])
        order = x.order if not x.wrt else 1
        if not x.wrt and len(rest) > 2 and _callable_head(rest[0]) and _bracketed(rest[1]) and \
                not isinstance(rest[2], str):
            # \nabla^2 f(x) \epsilon: a bare \nabla applies to the function f, at x; what follows multiplies
            return [[ir.Derivative(x.kind, call[0], (), order, span=span)] + tail
                    for call in _scopes(rest[:2], span) for tail in _scopes(rest[2:], span)]
        # open: no bracket closes the body (\frac{d}{dx} x^2); \nabla f(x) is the function's gradient at x
        closed = len(rest) == 1 and _bracketed(rest[0]) or \
            not x.wrt and len(rest) == 2 and _callable_head(rest[0]) and _bracketed(rest[1])
        outs = [[ir.Derivative(x.kind, _as_node(body, span), x.wrt, order, span=span, open_scope=not closed)]
                for body in _scopes(rest, span)]
        if _bracketed(rest[0]) and len(rest) > 1:
            for first in _scopes(rest[:1], span):
                for tail in _scopes(rest[1:], span):
                    outs.append([ir.Derivative(x.kind, first[0], x.wrt, order, span=span)] + tail)
        return outs
    if isinstance(x, ir.Func):
        if not rest or isinstance(rest[0], str):
            raise LatexError(f"\\{x.name} without an argument", x.span[0])
        if _bracketed(rest[0]) and len(rest) > 1 and rest[1] == "/":
            # \sinh(x) / \cosh(x): the applied function is the numerator
            return _scopes([ir.Apply(x, (rest[0],), "(", span=span)] + rest[1:], span)
        if _bracketed(rest[0]):
            outs = [[ir.Apply(x, (rest[0],), "(", span=span)] + t for t in _scopes(rest[1:], span)]
            if isinstance(rest[0], ir.Pow):   # \log(x)^2: also log((x)^2)
                outs += [[ir.Apply(x, (rest[0],), "", span=span)] + t for t in _scopes(rest[1:], span)]
            return outs
        if _needs_scope(rest[0]):       # \log \sum_k e^{x_k}: the operator, with its own scope, is the argument
            return [[ir.Apply(x, (_as_node(body, span),), "", span=span)] for body in _scopes(rest, span)]
        end = _run_end(rest, 0)
        first = 2 if (end >= 2 and isinstance(rest[0], ir.Number) and isinstance(rest[1], (ir.Atom, ir.Sub, ir.Pow))) else 1
        whole = len(rest) if any(isinstance(r, ir.BigOp) for r in rest[end:end + 1]) else end
        scopes = {first, end, whole} - {0}
        if isinstance(rest[0], ir.Frac) and whole > end:
            # \log \frac{1}{n} \sum_i e^{x_i}: the log of the mean, the whole product up to the sum's end
            # (issue 12: a \log before \frac and \sum takes the product that follows, as sources mean)
            scopes = {whole}
        outs = []
        for j in sorted(scopes):
            for args in _scopes(rest[:j], span):
                arg = _as_node(args, span)
                for tail in _scopes(rest[j:], span):
                    outs.append([ir.Apply(x, (arg,), "", span=span)] + tail)
        return outs
    if _callable_head(x) and len(rest) > 1 and _bracketed(rest[0]) and rest[1] == "/":
        return _scopes([ir.Call(x, rest[0], _bracket_of(rest[0]), span=span)] + rest[1:], span)
    if _callable_head(x) and rest and _bracketed(rest[0]):
        return [[ir.Call(x, rest[0], _bracket_of(rest[0]), span=span)] + t for t in _scopes(rest[1:], span)]
    if len(rest) >= 3 and rest[0] == "dot" and _dot_operand(x) and _callable_head(rest[1]) and \
            not _applied_letter(rest[1]) and _bracketed(rest[2]):
        # d \cdot \sigma(z): the dot's right operand is the head with its bracket (a call, or a product
        # the declarations decide), not the bare head (that read (d \cdot \sigma)(z)); before a '/' the
        # quotient binds it (x \cdot f(x) / 2 is x times f(x)/2)
        call = ir.Call(rest[1], rest[2], _bracket_of(rest[2]), span=span)
        if len(rest) > 3 and rest[3] == "/":
            return _scopes([x, "dot", call] + rest[3:], span)
        return _scopes([ir.BinOp("dot", x, call, span=span)] + rest[3:], span)
    if len(rest) >= 2 and rest[0] == "dot" and _dot_operand(x) and _dot_operand(rest[1]) and \
            not (len(rest) > 2 and rest[2] == "/") and \
            not (len(rest) > 2 and _applied_letter(rest[1]) and _bracketed(rest[2])):
        # u \cdot v between plain factors: kept as written, for the interpreter (a dot product of vectors)
        return _scopes([ir.BinOp("dot", x, rest[1], span=span)] + rest[2:], span)
    if len(rest) >= 2 and rest[0] in ("times", "star") and _dot_operand(x) and _dot_operand(rest[1]) and \
            not (len(rest) > 2 and (rest[2] == "/" or _bracketed(rest[2]))):
        # x \times y, A * B between plain factors: kept as written; the interpreter reads them by the shapes
        return _scopes([ir.BinOp(rest[0], x, rest[1], span=span)] + rest[2:], span)
    return [[x] + t for t in _scopes(rest, span)]


def _applied_letter(node) -> bool:
    return isinstance(node, ir.Atom) and node.name in APPLIED_LETTERS


def _dot_operand(node) -> bool:
    return isinstance(node, (ir.Atom, ir.Sub, ir.Pow, ir.Paren, ir.Transpose, ir.BinOp)) and not _needs_scope(node)


def _bracket_of(node):
    while not isinstance(node, (ir.Paren, ir.Tuple)):
        node = node.base
    return node.bracket


#: explicit products whose meaning between two arrays the interpreter decides (not a matrix product for sure)
_EXPLICIT = {r"\times": "times", "*": "star", r"\ast": "star"}


def _as_node(factors, span):
    return factors[0] if len(factors) == 1 else ir.Product(tuple(factors), span=span)


# --------------------------------------------------------------------------- statements
_LOGIC = {v: k for k, v in LOGIC_SEP.items()}


def _bare_bound(chain) -> bool:
    """``x \\ge 0``, ``0 < p < 1``, ``x \\neq 0``: inequalities between bare symbols and numbers only."""
    return bool(chain.rels) and all(r in ("<", "<=", ">", ">=", "!=") for r in chain.rels) \
        and all(isinstance(t, (ir.Atom, ir.Sub, ir.Number)) for t in chain.terms) \
        and any(isinstance(t, (ir.Atom, ir.Sub)) for t in chain.terms)


def _statement(body: _Body) -> list:
    """Readings of a whole string: chains, then the conditions written after them."""
    chains, conds, words, logic = [], [], [], []
    mode, pending = "claim", None
    for k, item in enumerate(body.items):
        sep = body.seps[k - 1] if 0 < k <= len(body.seps) else None
        if sep in _LOGIC:
            if pending is not None or not chains or mode != "claim":
                raise Unsupported(f"{sep} here (before the first statement, twice in a row, or among the "
                                  "conditions) is not read", body.span[0])
            pending = _LOGIC[sep]
        if item is None:
            continue
        terms = list(item.terms)
        first = terms[0]
        lead = None
        if isinstance(first, ir.Text):
            lead, terms = first, terms[1:]
        elif isinstance(first, _Term) and first.items and isinstance(first.items[0], ir.Text):
            lead = first.items[0]
            rest = list(first.items[1:])
            if rest and rest[0] in ("*", "dot", "times", "star"):
                rest = rest[1:]
            terms[0] = (rest[0] if len(rest) == 1 else _Term(rest, first.span)) if rest else None
            if terms[0] is None:
                terms = terms[1:]
        if lead is not None:
            if lead is first and len(terms) > 0 and item.rels:
                raise LatexError(f"a relation after the words {lead.text!r}", lead.span[0])
            word = lead.text.lower().strip()
            words.append(word)
            if word in ("for", "if", "where", "when", "with", "given", "for all", "forall", "all", "s.t.",
                        "subject to", "since", "at", "whenever", "provided"):
                mode = "condition"
            elif word not in ("and", "or"):
                raise Unsupported(f"the words {lead.text!r} are not read", lead.span[0])
            if not terms:
                continue
            item = ir.Chain(tuple(terms), item.rels, span=item.span)
        elif len(terms) == 1 and isinstance(first, ir.Paren) and isinstance(first.arg, ir.Chain) and chains:
            conds.append(first.arg)        # "(x < 0)" after a claim
            continue
        if pending is not None and mode == "claim":
            logic.append((len(chains), pending))     # chains[k:] are drawn from chains[:k]
            pending = None
        elif mode == "claim" and _bare_bound(item) and any("=" in c.rels for c in chains):
            # \sqrt{x^2} = x, \quad x \ge 0: the condition of the equation, or a second claim about x?
            raise Unsupported("a bound on a bare symbol after an equation: its condition or a claim of its own? "
                              "write it as a condition, \\quad (x \\ge 0) or \\text{for } x \\ge 0",
                              item.span[0])
        (conds if mode == "condition" else chains).append(item)
    if not chains:
        raise LatexError("no formula", body.span[0])
    if pending is not None:
        raise Unsupported("an implication with nothing after it", body.span[1])
    node = ir.Statement(tuple(chains), tuple(conds), tuple(words), tuple(logic), span=body.span)
    return [_omit_steps(st) for st in _resolve(node)]


def _omit_steps(st: ir.Statement) -> ir.Statement:
    r"""``a = b = \ldots = c``: a member that is only the dots, between two equals signs, stands for steps the
    source leaves out; every member equals the next, so the chain says ``a = b = c`` and the dots are dropped.
    Dots anywhere else (a chain's first or last member, beside another relation) stay, and are not read."""
    chains = []
    for ch in st.chains:
        terms, rels = [ch.terms[0]], []
        for k in range(1, len(ch.terms)):
            t = ch.terms[k]
            dots = isinstance(t, ir.Text) and t.text == "..."
            if dots and k < len(ch.terms) - 1 and ch.rels[k - 1] == "=" and ch.rels[k] == "=":
                continue          # the relation after the dots joins the member before them to the next
            terms.append(t)
            rels.append(ch.rels[k - 1])
        chains.append(ch if len(terms) == len(ch.terms) else ir.Chain(tuple(terms), tuple(rels), span=ch.span))
    return dataclasses.replace(st, chains=tuple(chains)) if chains != list(st.chains) else st


def _parse(text: str, words=frozenset()) -> _Body:
    toks = tokenize(text, words)
    if not toks:
        raise LatexError("empty LaTeX", 0)
    try:
        return _Build().transform(_parser().parse(toks))
    except UnexpectedInput as exc:
        tok = getattr(exc, "token", None)
        pos = getattr(tok, "start_pos", None)
        if pos is None:
            pos = len(text)
        what = f"unexpected {str(tok)!r}" if tok is not None and str(tok) else "unexpected end of the formula"
        raise LatexError(f"cannot read the LaTeX: {what}", pos) from None
    except RecursionError:
        raise LatexError("the LaTeX is nested too deeply", 0) from None
    except Exception as exc:   # lark wraps errors raised in transformer callbacks
        inner = getattr(exc, "orig_exc", None)
        if isinstance(inner, LatexError):
            raise inner from None
        raise


def read(text: str, words=frozenset()) -> list[ir.Statement]:
    """Every reading of a claim string (usually one), as :class:`~.ir.Statement` nodes.

    ``words``: names of several letters the claim declares (``scale``), each read as one name."""
    return list(_read(text, frozenset(words)))


@functools.lru_cache(maxsize=4096)
def _read(text: str, words: frozenset) -> tuple:
    # a sheet's definitions are read again for each of its claims; the nodes are immutable
    body = _parse(text, words)
    try:
        return tuple(_statement(body))
    except RecursionError:
        raise LatexError("the LaTeX is nested too deeply", 0) from None


def read_expression(text: str, words=frozenset()):
    """One expression with no relation (a symbol's spelling, a role key), its readings."""
    out = []
    for st in read(text, words):
        if len(st.chains) != 1 or st.conditions or len(st.chains[0].terms) != 1:
            raise LatexError("expected one expression", 0)
        out.append(st.chains[0].terms[0])
    return out


# --------------------------------------------------------------------------- canonical spelling
_REL_TEX = {"=": "=", "~": r"\approx", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "!=": r"\ne", "in": r"\in",
            "<-": r"\leftarrow", ":=": ":=", "sim": r"\sim", "->": r"\to", "prop": r"\propto", "mid": r"\mid"}
_OP_TEX = {"+": "+", "-": "-", "*": r" \cdot ", "dot": r" \cdot ", "times": r" \times ", "star": " * ", "/": "/", "odot": r" \odot ", "otimes": r" \otimes ",
           "oslash": r" \oslash "}


def canon(node) -> str:
    """A canonical LaTeX spelling of a node: equal spellings name the same symbol."""
    if node is None:
        return ""
    if isinstance(node, ir.Statement):
        s = ", ".join(canon(c) for c in node.chains)
        if node.conditions:
            s += r" \quad \text{for } " + ", ".join(canon(c) for c in node.conditions)
        return s
    if isinstance(node, ir.Chain):
        parts = [canon(node.terms[0])]
        for rel, t in zip(node.rels, node.terms[1:]):
            parts += [_REL_TEX.get(rel, rel), canon(t)]
        return " ".join(parts)
    if isinstance(node, ir.Number):
        return node.text
    if isinstance(node, ir.Atom):
        return node.name
    if isinstance(node, ir.Name):
        return r"\operatorname{%s}" % node.name
    if isinstance(node, ir.Text):
        return r"\text{%s}" % node.text
    if isinstance(node, ir.Sub):
        return "%s_{%s}" % (canon(node.base), node.text)
    if isinstance(node, ir.Pow):
        inner = canon(node.base)
        return ("{%s}^{%s}" if isinstance(node.base, (ir.Pow, ir.Transpose)) else "%s^{%s}") % (
            inner, node.text or canon(node.exp))
    if isinstance(node, ir.Transpose):
        inner = canon(node.base)
        return ("{%s}^{T}" if isinstance(node.base, (ir.Pow, ir.Transpose)) else "%s^{T}") % inner
    if isinstance(node, ir.Prime):
        return canon(node.base) + "'" * node.order
    if isinstance(node, ir.Factorial):
        return canon(node.base) + "!"
    if isinstance(node, ir.Call):
        return canon(node.head) + canon(node.arg)
    if isinstance(node, ir.Func):
        s = r"\%s" % node.name if node.name.isalpha() and ("\\" + node.name) in FUNCTIONS else r"\operatorname{%s}" % node.name
        if node.sub is not None:
            s += "_{%s}" % canon(node.sub)
        if node.sup is not None:
            s += "^{%s}" % canon(node.sup)
        return s + "'" * node.primes
    if isinstance(node, ir.Apply):
        inner = ", ".join(canon(a) for a in node.args)
        return canon(node.func) + (inner if node.bracket else "(%s)" % inner)
    if isinstance(node, ir.BigOp):
        s = r"\%s" % node.op
        if node.lower is not None:
            s += "_{%s}" % canon(node.lower)
        if node.upper is not None:
            s += "^{%s}" % canon(node.upper)
        return s + " " + canon(node.body)
    if isinstance(node, ir.DiffOp):
        return r"\%s_{%s}" % (node.kind, ", ".join(canon(v) for v, _ in node.wrt))
    if isinstance(node, ir.At):
        return r"\left. %s \right|_{%s}" % (canon(node.body), canon(node.point))
    if isinstance(node, ir.Derivative) and not node.wrt:
        return r"\nabla%s %s" % ("^{%d}" % node.order if node.order > 1 else "", canon(node.body))
    if isinstance(node, ir.Derivative):
        d = "d" if node.kind == "d" else r"\partial"
        order = sum(o for _, o in node.wrt)
        num = d + ("^{%d}" % order if order > 1 else "")
        den = " ".join(f"{d} {canon(v)}" + ("^{%d}" % o if o > 1 else "") for v, o in node.wrt)
        return r"\frac{%s}{%s}(%s)" % (num, den, canon(node.body))
    if isinstance(node, ir.BinOp):
        return canon(node.left) + _OP_TEX[node.op] + canon(node.right)
    if isinstance(node, ir.Neg):
        return "-" + canon(node.arg)
    if isinstance(node, ir.Product):
        return " ".join(canon(f) for f in node.factors)
    if isinstance(node, ir.Frac):
        return r"\frac{%s}{%s}" % (canon(node.num), canon(node.den))
    if isinstance(node, ir.Sqrt):
        return r"\sqrt%s{%s}" % (f"[{canon(node.index)}]" if node.index is not None else "", canon(node.arg))
    if isinstance(node, ir.Abs):
        return "|%s|" % canon(node.arg)
    if isinstance(node, ir.Norm):
        return r"\|%s\|" % canon(node.arg) + (f"_{{{node.kind}}}" if node.kind else "")
    if isinstance(node, ir.Paren):
        o, c = {"(": ("(", ")"), "[": ("[", "]"), "{": (r"\{", r"\}"), "<": (r"\langle ", r"\rangle")}.get(
            node.bracket, ("(", ")"))
        return o + canon(node.arg) + c
    if isinstance(node, ir.Tuple):
        inner = ",".join(canon(x) for x in node.items)
        return inner if node.bracket in ("script", "and") else "(" + inner + ")"
    if isinstance(node, ir.Cases):
        rows = r" \\ ".join(canon(v) + (" & " + canon(c) if c is not None else r" & \text{otherwise}")
                            for v, c in node.rows)
        return r"\begin{cases} %s \end{cases}" % rows
    if isinstance(node, ir.Matrix):
        return r"\begin{pmatrix} %s \end{pmatrix}" % r" \\ ".join(" & ".join(canon(x) for x in r) for r in node.rows)
    if isinstance(node, (_Term, _Group, _Marker)):
        raise TypeError("canonical spelling of an unresolved node")
    raise TypeError(f"no canonical spelling for {type(node).__name__}")
