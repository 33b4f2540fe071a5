"""The values a worked example states in prose, and the claims they support.

A worked example gives its numbers in sentences: ``a bias b² = 0.05``, ``If our target output y is 1``,
``Z² = 0.3 × 0.49 + (–0.2) × 0.545 + 0.05``, ``After applying the sigmoid function here, our final network
output A² is approximately 0.522``, ``L = ½ (A² – y)², which works out to be around 0.114``, ``the derivative
of the sigmoid at Z² (approximately 0.249)``.  Read in order through one section, each value stated exactly
(``=`` or ``is`` a number, or arithmetic of numbers and names already given) becomes a definition of the
later claims, and each value stated as rounded (``about``, ``approximately``, ``which is``) of a name or an
expression whose every name is so defined becomes a claim ``exact value \\approx printed value``: the exact
value rounds to the printed one.  A name the section never gives a value stays out: no claim is drafted
with it, so every drafted claim is a check of numbers.

A layer whose arithmetic multiplies a stated weight vector by the values printed for the hidden units and adds
a stated bias (``Z² = 0.3 × 0.49 + (–0.2) × 0.545 + 0.05`` with ``W² = [0.3, -0.2]``, ``b² = 0.05``, the hidden
outputs printed ``[0.49, 0.545]``) is that layer of the network: its printed value is also claimed for the exact
hidden values, and the backpropagation the section describes in words is checked in symbols on it (``we multiply
δ² by each activated value``: the gradient of the section's loss L by each weight; ``the error δ¹ is found by
taking the output weights (transposed), multiplying them by δ², and then element-wise multiplying by the derivative
of the sigmoid``: the gradient of L by each hidden pre-activation, the error of backpropagation, whose values the
section then prints, ``approximately δ¹ = [–0.009, 0.006]``).

Superscript digits on a letter (``W¹``, ``A²``) are layer labels, not powers, only in a section that writes
a ``¹`` on a letter (a first power nobody writes); they read as subscripts (``A_2``), marked inferred.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .notation import unicode
from .notation.errors import LatexError

__all__ = ["Value", "worked_values"]

_NUM = r"[-−–]?\s?\d+(?:\.\d+)?"
_HEDGE = r"(?:about|around|approximately|roughly|nearly|almost)"
_LABELLED = r"[A-Za-zα-ωΑ-Ω][¹²³]?"
_FUNCTIONS = {"sigmoid": ("\\sigma", "sigmoid"), "tanh": ("\\tanh", ""), "relu": ("\\operatorname{ReLU}", "relu"),
              "softplus": ("\\operatorname{softplus}", "softplus")}
#: ``b² = 0.05``, ``Z² = 0.3 × 0.49 + (–0.2) × 0.545 + 0.05``, ``L = ½ (A² – y)²``: a name, '=', math up to the prose
_DEFINED = re.compile(rf"(?<![\w²¹³])({_LABELLED})\s*=\s*([^=,;:]*?[\d\w²)])(?=\s*(?:,|\.(?:\s|$)|$|\s+(?:and|which)\b))")
#: ``If our target output y is 1, …`` (no hedge: the value is given, not worked out)
_GIVEN = re.compile(rf"\b(if|when|suppose)\b[^.]*?(?<![\w²¹³])({_LABELLED})\s+is\s+({_NUM})(?![\w.]*\d)", re.I)
#: words that make a condition a hypothetical (``If instead w is 0``, ``suppose w were 0``): it gives no value
_HYPOTHETICAL = re.compile(r"\b(?:instead|were|would|could|might|otherwise|rather|imagine|had)\b", re.I)
#: ``A² is approximately 0.522``, ``δ² is roughly –0.119``
_STATED = re.compile(rf"(?<![\w²¹³])({_LABELLED})\s+is\s+{_HEDGE}\s+({_NUM})(?![\w.]*\d)")
#: ``(A² – y), which is –0.478``; ``L = ½ (A² – y)², which works out to be around 0.114``
_WHICH = re.compile(rf"\s*,?\s+which\s+(?:gives|is|equals|comes\s+out\s+to|works\s+out\s+to(?:\s+be)?)"
                    rf"(?:\s+(?:us|you))?\s+(?:{_HEDGE}\s+)?({_NUM})(?![\w.]*\d)")
#: ``the derivative of the sigmoid at Z² (approximately 0.249)``
_SLOPE = re.compile(rf"\bderivative\s+of\s+the\s+(sigmoid|tanh|relu|softplus)\s+at\s+({_LABELLED})\s*"
                    rf"\(\s*(?:{_HEDGE}\s+)?({_NUM})\s*\)", re.I)
#: ``we calculate the output error, δ². We do this by taking the difference (A² – y), which is –0.478, and
#: multiplying it by the derivative of the sigmoid at Z²``: the name the first sentence ends on is the product
_PRODUCT = re.compile(rf"\bcalculate\s+the\s+[a-z ]{{0,30}}?,\s*({_LABELLED})\.\s+We\s+do\s+this\s+by\s+taking\s+"
                      rf"(?:the\s+[a-z]+\s+)?(\([^()]*\))(?:,\s*which\s+is\s+[^,]*,)?\s+and\s+multiplying\s+it\s+by\s+"
                      rf"the\s+derivative\s+of\s+the\s+(sigmoid|tanh|relu|softplus)\s+at\s+({_LABELLED})(?!\w)", re.I)
#: ``The gradient for the output bias is simply δ², or –0.119``: a name and its printed value
_OR_VALUE = re.compile(rf"\bis\s+(?:simply\s+|just\s+)?({_LABELLED}),?\s+or\s+({_NUM})(?![\w.]*\d)")
_LIST = rf"\[\s*({_NUM}(?:\s*,\s*{_NUM})+)\s*\]"
#: ``X = [0.5, 0.8]``, ``W¹ = [[0.2, -0.3], [0.4, 0.1]]``: a vector, a matrix (rows of numbers)
_VECTOR = re.compile(rf"(?<![\w²¹³])({_LABELLED})\s*=\s*{_LIST}")
_MATRIX = re.compile(rf"(?<![\w²¹³])({_LABELLED})\s*=\s*\[\s*(\[[^\[\]]*\](?:\s*,\s*\[[^\[\]]*\])+)\s*\]")
#: ``Z¹ = W¹·X + b¹`` of a matrix, a vector and a vector the section states: entry by entry
_AFFINE = re.compile(rf"(?<![\w²¹³])({_LABELLED})\s*=\s*({_LABELLED})\s*[·×⋅]\s*({_LABELLED})\s*\+\s*({_LABELLED})(?![\w²¹³])")
#: ``our activated hidden outputs are roughly [0.49, 0.545]``: the activation of the last layer worked out
_ACTIVATED = re.compile(rf"\bactivated\b[a-z ]{{0,40}}?\b(?:are|is)\s+(?:{_HEDGE}\s+)?{_LIST}")
#: ``With hidden neuron derivatives around 0.25 for the first and 0.247 for the second``
_DERIVATIVES = re.compile(rf"\bderivatives\s+(?:{_HEDGE}\s+)?({_NUM})\s+for\s+the\s+first\s+and\s+({_NUM})\s+for\s+"
                          r"the\s+second\b")
#: ``we multiply δ² by each activated value from the hidden layer. This gives us gradients … of about [a, b]``
_EACH = re.compile(rf"\bmultiply\s+({_LABELLED})\s+by\s+each\s+activated\s+value\b[^.]*\.\s+"
                   rf"(This\s+gives\s+us\s+[^.\[]*?\bof\s+(?:{_HEDGE}\s+)?{_LIST})")
#: ``the error δ¹ is found by taking the output weights (transposed), multiplying them by δ², and then element-wise
#: multiplying by the derivative of the sigmoid``: a hidden layer's error by backpropagation, in words
_RECIPE = re.compile(rf"\b(?:error|delta)\s+({_LABELLED})\s+is\s+(?:found|computed|obtained|calculated)\s+by\s+taking\s+"
                     rf"the\s+(?:output|next\s+layer[’']s)\s+weights\s*\(transposed\),?\s+multiplying\s+them\s+by\s+"
                     rf"({_LABELLED}),?\s+and\s+(?:then\s+)?element[- ]wise\s+multiplying\s+by\s+the\s+derivative\s+of\s+"
                     rf"the\s+(sigmoid|tanh|relu|softplus)\b(?:\s+for\s+each\s+hidden\s+neuron)?", re.I)
_FUNCTION_WORD = re.compile(r"\b(sigmoid|tanh|relu|softplus)\b", re.I)
#: ``After applying the sigmoid function here, …``: the function applied to the value defined just before
_APPLYING = re.compile(r"\bapplying\s+the\s+(sigmoid|tanh|relu|softplus)(?:\s+function)?\b", re.I)
#: (applied to the pre-activation the section defines last, ``z`` or a layer's ``Z²``; none defined: not read)


@dataclass
class Value:
    """One claim of a worked example: the sheet's words, the LaTeX it is judged in, and what it uses."""

    line: int
    text: str
    reading: str
    definitions: list = field(default_factory=list)
    symbols: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    inferred: list = field(default_factory=list)


def _labels(text: str) -> str:
    return re.sub(r"(?<=[A-Za-zα-ωΑ-Ω])([¹²³])", lambda m: "_" + str(" ¹²³".index(m.group(1))), text)


def _tex(text: str, labels: bool) -> str | None:
    try:
        return unicode.to_latex(_labels(text) if labels else text)
    except LatexError:
        return None


def _name(text: str, labels: bool) -> str | None:
    """A defined or stated name's LaTeX: ``A²`` only where superscripts are labels (else it is a power)."""
    return None if not labels and re.search(r"[¹²³]", text) else _tex(text, labels)


def _names(tex: str) -> set:
    """The symbols of a LaTeX reading (function names and operators left out)."""
    bare = re.sub(r"\\(?:sigma|tanh|operatorname\{\w+\}|frac|cdot|times|left|right|approx|prime)", " ", tex)
    return set(re.findall(r"(?:\\[a-zA-Z]+|[A-Za-z])(?:_\{?\w+\}?)?|[α-ωΑ-Ω]_\{?\w+\}?", bare))   # δ_{2}, not σ


def worked_values(lines, sections: dict, skip=frozenset()) -> list[Value]:
    """The claims the worked examples of a plain-text sheet state in prose, section by section."""
    out: list[Value] = []
    by_section: dict[str, list[int]] = {}
    for no in range(1, len(lines) + 1):
        if no not in skip:
            by_section.setdefault(sections.get(no, ""), []).append(no)
    for sec, nos in by_section.items():
        body = " ".join(lines[no - 1] for no in nos)
        labels = bool(re.search(r"[A-Za-z]¹", body))
        out.extend(_section_values(lines, nos, labels))
    return out


def _section_values(lines, nos, labels: bool) -> list[Value]:
    text, starts = "", []                     # the section as one text (a value may run onto the next line)
    for no in nos:
        starts.append((len(text), no))
        text += lines[no - 1].strip() + " "
    line_at = lambda k: max(no for at, no in starts if at <= k)  # noqa: E731
    defs: dict[str, tuple[str, int]] = {}     # name key -> (its LaTeX definition, line)
    order: list[str] = []                     # names in the order the section defines them
    out: list[Value] = []
    functions: dict = {}
    events = []
    for m in _DEFINED.finditer(text):
        events.append((m.start(), "def", m))
    for m in _GIVEN.finditer(text):
        events.append((m.start(2), "given", m))
    for m in _STATED.finditer(text):
        events.append((m.start(), "stated", m))
    for m in _SLOPE.finditer(text):
        events.append((m.start(), "slope", m))
    for m in _PRODUCT.finditer(text):
        events.append((m.start(), "product", m))
    for m in _OR_VALUE.finditer(text):
        events.append((m.start(), "or", m))
    for pat, kind in ((_VECTOR, "vector"), (_MATRIX, "matrix"), (_AFFINE, "affine"), (_ACTIVATED, "activated"),
                      (_DERIVATIVES, "derivatives"), (_EACH, "each"), (_RECIPE, "recipe")):
        for m in pat.finditer(text):
            events.append((m.start(), kind, m))
    vectors: dict[str, list[str]] = {}        # name key -> its entries (numbers, or the names of its entries)
    matrices: dict[str, list[list[str]]] = {}
    layer: list = []                          # [entry names, function key] of the last activated layer
    printed: list = []                        # the values the sheet prints for that layer's activations
    net: dict = {}                            # name key -> (weights key, bias key, hidden names, function key)
    for k in range(len(text)):
        if text[k] == "(":
            events.append((k, "paren", None))
    events.sort(key=lambda e: e[0])

    def claim(at, words, reading, used):
        needed = set()
        frontier = set(used)
        while frontier:                        # the definitions the reading needs, transitively
            key = frontier.pop()
            if key in needed:
                continue
            if key not in defs:
                return
            needed.add(key)
            frontier |= _names(defs[key][0].split("=", 1)[1])
        v = Value(line_at(at), " ".join(words.split()), reading)
        v.definitions = [defs[k][0] for k in order if k in needed]
        v.symbols = {k: "scalar real" for k in order if k in needed}
        v.functions = {k: f for k, f in functions.items() if k in reading or any(k in d for d in v.definitions)}
        v.inferred = [f"{k}'s value from line {defs[k][1]}" for k in order if k in needed]
        if labels:
            v.inferred.append("superscript digits on a letter read as layer labels (the section writes ¹ on letters)")
        out.append(v)

    def define(key, tex, no, why=""):
        defs[key] = (tex, no)
        if key in order:
            order.remove(key)
        order.append(key)

    for at, kind, m in events:
        if kind == "def":
            key, value = _name(m.group(1), labels), _tex(m.group(2), labels)
            if key is None or value is None or key in _names(value):
                continue
            rest = _WHICH.match(text, m.end())
            wired = _wired(m.group(2), vectors, defs, layer, printed)
            if wired:
                net[key] = wired
                if rest:
                    _network_value(out, line_at(at), text[rest.start():rest.end()].lstrip(" ,"), key, wired,
                                   rest.group(1), defs, order, functions, vectors)
            if rest and _names(value) and set(_names(value)) <= set(defs):
                define(key, f"{key} = {value}", line_at(at))
                claim(at, text[m.start():rest.end()], f"{key} \\approx {_tex(rest.group(1), False)}", {key})
            elif not _names(value) or set(_names(value)) <= set(defs):
                define(key, f"{key} = {value}", line_at(at))
        elif kind == "given":
            key, value = _name(m.group(2), labels), _tex(m.group(3), False)
            if key and value and _given(text, m):
                define(key, f"{key} = {value}", line_at(at))
        elif kind == "stated":
            key, value = _name(m.group(1), labels), _tex(m.group(2), False)
            if key is None or value is None:
                continue
            start = max(text.rfind(". ", 0, at), 0)
            applied = list(_APPLYING.finditer(text, start, at))
            pre = [k for k in order if re.fullmatch(r"[zZ](?:_\{?\d\}?)?", k)]   # the pre-activations, z or Z²
            if key not in defs and len(applied) == 1 and pre:
                fkey, fn = _FUNCTIONS[applied[0].group(1).lower()]
                define(key, f"{key} = {fkey}({pre[-1]})", line_at(at))
                if fn:
                    functions[fkey] = fn
            claim(at, m.group(0), f"{key} \\approx {value}", {key})
        elif kind == "product":
            key, first, there = _name(m.group(1), labels), _tex(m.group(2), labels), _name(m.group(4), labels)
            fkey, fn = _FUNCTIONS[m.group(3).lower()]
            if key and first and there and key not in defs and _names(first) | {there} <= set(defs):
                define(key, f"{key} = {first} \\cdot {fkey}^{{\\prime}}({there})", line_at(at))
                if fn:
                    functions[fkey] = fn
        elif kind == "or":
            key, value = _name(m.group(1), labels), _tex(m.group(2), False)
            if key and value:
                claim(at, m.group(0).removeprefix("is").strip(), f"{key} \\approx {value}", {key})
        elif kind == "slope":
            fkey, fn = _FUNCTIONS[m.group(1).lower()]
            key, value = _name(m.group(2), labels), _tex(m.group(3), False)
            if key and value:
                if fn:
                    functions[fkey] = fn
                claim(at, m.group(0), f"{fkey}^{{\\prime}}({key}) \\approx {value}", {key})
        elif kind == "vector":
            key = _name(m.group(1), labels)
            values = [_tex(v, False) for v in m.group(2).split(",")]
            hedged = re.search(rf"\b{_HEDGE}\s*$", text[max(0, at - 16):at])
            if key and hedged and key in vectors and len(vectors[key]) == len(values) and all(
                    n in defs for n in vectors[key]):
                for name, value in zip(vectors[key], values):     # a vector worked out before, printed rounded
                    claim(at, text[text.rfind(" ", 0, hedged.start() + max(0, at - 16)) + 1:m.end()].strip(),
                          f"{name} \\approx {value}", {name})
            elif key:
                vectors[key] = [_number(x) for x in m.group(2).split(",")]
        elif kind == "matrix":
            key = _name(m.group(1), labels)
            rows = [[_number(x) for x in r.split(",")] for r in re.findall(r"\[([^\[\]]*)\]", m.group(2))]
            if key and all(re.fullmatch(rf"\s*{_NUM}\s*", x) for r in re.findall(r"\[([^\[\]]*)\]", m.group(2))
                           for x in r.split(",")) and len({len(r) for r in rows}) == 1:
                matrices[key] = rows
        elif kind == "affine":
            key, w, x, b = (_name(g, labels) for g in m.groups())
            if w in matrices and x in vectors and b in vectors and all(
                    len(r) == len(vectors[x]) for r in matrices[w]) and len(matrices[w]) == len(vectors[b]):
                names = []
                for i, (row, bias) in enumerate(zip(matrices[w], vectors[b]), 1):
                    terms = " + ".join(f"{wij} \\cdot {xj}" for wij, xj in zip(row, vectors[x]))
                    names.append(_entry(key, i))
                    define(names[-1], f"{names[-1]} = {terms} + {bias}", line_at(at))
                vectors[key] = names
                layer[:] = [names, None]
        elif kind == "activated":
            words = _FUNCTION_WORD.findall(text[:at])
            values = [_tex(v, False) for v in m.group(1).split(",")]
            if layer and words and len(values) == len(layer[0]):
                fkey, fn = _FUNCTIONS[words[-1].lower()]
                layer[1] = fkey
                if fn:
                    functions[fkey] = fn
                printed[:] = values
                for name, value in zip(layer[0], values):
                    claim(at, m.group(0), f"{fkey}({name}) \\approx {value}", {name})
        elif kind == "derivatives":
            if layer and layer[1] and len(layer[0]) == 2:
                for name, value in zip(layer[0], m.groups()):
                    claim(at, m.group(0), f"{layer[1]}^{{\\prime}}({name}) \\approx {_tex(value, False)}", {name})
        elif kind == "each":
            key = _name(m.group(1), labels)
            values = [_tex(v, False) for v in m.group(3).split(",")]
            if key and layer and layer[1] and len(values) == len(layer[0]):
                for name, value in zip(layer[0], values):
                    claim(m.start(2), m.group(2), f"{key} {layer[1]}({name}) \\approx {value}", {key, name})
                rule = m.group(0).split(".")[0].strip()
                for out_key, (w, b, hidden, fk) in net.items():
                    if hidden == layer[0] and fk == layer[1]:
                        for j, name in enumerate(hidden, 1):
                            _rule(out, line_at(at), rule, f"\\frac{{\\partial L}}{{\\partial {_entry(w, j)}}} = "
                                  f"{key} {fk}({name})", out_key, key, net[out_key], defs, functions,
                                  f"the gradients for the weights: of the section's loss L by entry {j} of {w}")
        elif kind == "recipe":
            key, upstream = _name(m.group(1), labels), _name(m.group(2), labels)
            fkey, fn = _FUNCTIONS[m.group(3).lower()]
            wired = next(iter(net.items()), None) if len(net) == 1 else None      # the one layer the section wires
            if key and upstream in defs and wired and key not in defs and key not in vectors:
                out_key, (w, b, hidden, _f) = wired
                if fn:
                    functions[fkey] = fn
                names = []
                for j, name in enumerate(hidden, 1):
                    names.append(_entry(key, j))
                    define(names[-1], f"{names[-1]} = {vectors[w][j - 1]} \\cdot {upstream} \\cdot {fkey}^{{\\prime}}({name})",
                           line_at(at))
                    _rule(out, line_at(at), m.group(0), f"\\frac{{\\partial L}}{{\\partial {name}}} = "
                          f"{_entry(w, j)} {upstream} {fkey}^{{\\prime}}({name})", out_key, upstream, wired[1], defs,
                          functions, f"'the error {m.group(1)}': the gradient of the section's loss L by the "
                          f"layer's pre-activation {name}, as backpropagation's error is")
                vectors[key] = names
        elif kind == "paren":
            close = _close(text, at)
            rest = close > 0 and _WHICH.match(text, close + 1)
            if rest:
                tex = _tex(text[at:close + 1], labels)
                if tex and _names(tex):
                    claim(at, text[at:rest.end()], f"{tex} \\approx {_tex(rest.group(1), False)}", _names(tex))
    return out


def _given(text: str, m) -> bool:
    """Whether the condition ``m`` of :data:`_GIVEN` gives the example its value: it opens its sentence
    (``If our target output y is 1, we …``, ``Suppose the output a is 0.97 and …``) and is no hypothetical
    (``If instead w is 0``, ``suppose w were``); an ``if`` inside a sentence (``picks one term: if y is 0 only
    the log(1 − a) term is left``) or without its comma is a case the sentence considers, not a value."""
    opens = not text[:m.start()].strip() or text[:m.start()].rstrip()[-1] in ".!?"
    end = text.find(". ", m.end())
    sentence = text[m.start():end if end >= 0 else len(text)]
    after = text[m.end():]
    closed = re.match(r"\s*,", after) if m.group(1).lower() != "suppose" else re.match(r"\s*(?:[,.;]|and\b|$)", after)
    return opens and bool(closed) and not _HYPOTHETICAL.search(sentence)


def _number(text: str) -> str:
    """A printed number as LaTeX (the dashes – and − read as minus), in brackets when negative."""
    t = re.sub(r"[−–]", "-", text.strip()).replace(" ", "")
    return f"({t})" if t.startswith("-") else t


def _entry(key: str, i: int) -> str:
    """The name of entry i of a vector: ``Z_{1}`` (layer 1) -> ``Z_{11}``, ``X`` -> ``X_{1}``."""
    m = re.fullmatch(r"(.+)_\{(\d)\}", key)
    return f"{m.group(1)}_{{{m.group(2)}{i}}}" if m else f"{key}_{{{i}}}"


def _close(s: str, k: int) -> int:
    depth = 0
    for j in range(k, len(s)):
        depth += {"(": 1, ")": -1}.get(s[j], 0)
        if depth == 0:
            return j
    return -1


def _decimal(text: str):
    from decimal import Decimal, InvalidOperation
    t = re.sub(r"[()\s]", "", re.sub(r"[−–]", "-", text))
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _products(text: str):
    """``0.3 × 0.49 + (–0.2) × 0.545 + 0.05`` -> ``([(0.3, 0.49), (-0.2, 0.545)], 0.05)``: products of two
    numbers added up, then a number added or taken away; None for any other arithmetic."""
    t = re.sub(r"\(\s*([-−–]?\s*\d+(?:\.\d+)?)\s*\)", lambda m: re.sub(r"\s", "", m.group(1)), text)
    toks = re.findall(r"[-−–]?\d+(?:\.\d+)?|[-−–+×·*]|\S", re.sub(r"(?<=[\d\s])([-−–+])(?=\s)", r" \1 ", t))
    pairs, const, k, sign = [], None, 0, 1
    while k < len(toks):
        a = _decimal(toks[k])
        if a is None:
            return None
        if k + 2 < len(toks) and toks[k + 1] in "×·*":
            b = _decimal(toks[k + 2])
            if b is None:
                return None
            pairs.append((sign * a, b))
            k += 3
        elif k == len(toks) - 1 and pairs:
            const = sign * a
            k += 1
        else:
            return None
        if k < len(toks):
            if toks[k] not in "+-−–":
                return None
            sign = -1 if toks[k] in "-−–" else 1
            k += 1
    return (pairs, const) if pairs and const is not None else None


def _wired(value: str, vectors, defs, layer, printed):
    """``(weights, bias, hidden names, function)`` when ``value`` is the arithmetic of a layer fed by the
    last activated one: each product a stated weight (in order) times the value printed for that hidden
    unit, plus a stated bias (``Z² = 0.3 × 0.49 + (–0.2) × 0.545 + 0.05`` with ``W² = [0.3, -0.2]``,
    ``b² = 0.05`` and the hidden outputs printed as ``[0.49, 0.545]``): the sheet's Z² is ``W²·σ(Z¹) + b²``
    worked with rounded hidden values."""
    got = _products(value)
    if not got or not layer or not layer[1] or len(printed) != len(layer[0]) != 0:
        return None
    pairs, const = got
    if len(pairs) != len(layer[0]) or [p for _, p in pairs] != [_decimal(v) for v in printed]:
        return None
    ws = [w for w, entries in vectors.items() if len(entries) == len(pairs)
          and [_decimal(e) for e in entries] == [a for a, _ in pairs]]
    bs = [b for b, (tex, _no) in defs.items() if _decimal(tex.split("=", 1)[1]) == const]
    if len(ws) != 1 or len(bs) != 1:
        return None
    return ws[0], bs[0], list(layer[0]), layer[1]


def _closure(start, defs, skip):
    """The defined names ``start`` uses, transitively (names in ``skip`` left free)."""
    needed, frontier = set(), set(start)
    while frontier:
        key = frontier.pop()
        if key in needed or key in skip or key not in defs:
            continue
        needed.add(key)
        frontier |= _names(defs[key][0].split("=", 1)[1])
    return needed


def _network_value(out, line, words, key, wired, value, defs, order, functions, vectors):
    """``key ≈ value`` for the layer computed from the hidden units' exact values (not the rounded ones the
    sheet's arithmetic uses): the printed value is right for the network too."""
    w, b, hidden, fk = wired
    exact = " + ".join(f"{e} \\cdot {fk}({h})" for e, h in zip(vectors[w], hidden))
    needed = _closure(set(hidden) | {b}, defs, {key})
    v = Value(line, " ".join(words.split()), f"{key} \\approx {_tex(value, False)}")
    v.definitions = [defs[k][0] for k in order if k in needed] + [f"{key} = {exact} + {b}"]
    v.symbols = {k: "scalar real" for k in order if k in needed} | {key: "scalar real"}
    v.functions = {k: f for k, f in functions.items() if k == fk}
    v.inferred = [f"{key} is {w}·{fk}(hidden) + {b}: its arithmetic multiplies {w}'s entries by the values printed "
                  "for the hidden units and adds the bias; judged with their exact values"] + [
                     f"{k}'s value from line {defs[k][1]}" for k in order if k in needed]
    out.append(v)


def _rule(out, line, words, reading, out_key, upstream, wired, defs, functions, why):
    """A backpropagation rule of the worked network, in symbols: ``out_key = W_{21} σ(Z_{11}) + … + b`` with
    the weights and the hidden pre-activations free, and the section's definitions of the loss L, the output
    and ``upstream`` (its error) as the sheet gives them."""
    w, b, hidden, fk = wired
    if "L" not in defs:
        return
    entries = [_entry(w, j) for j in range(1, len(hidden) + 1)]
    symbolic = " + ".join(f"{e} {fk}({h})" for e, h in zip(entries, hidden)) + f" + {b}"
    needed = _closure({"L", upstream}, defs, set(hidden) | {out_key})
    v = Value(line, " ".join(words.split()), reading)
    v.definitions = [f"{out_key} = {symbolic}"] + [defs[k][0] for k in defs if k in needed]
    v.symbols = {k: "scalar real" for k in [out_key, *hidden, *entries, b, *needed]}
    v.functions = {k: f for k, f in functions.items() if k == fk or any(k in d for d in v.definitions)}
    v.inferred = [why, f"the network in symbols: {out_key} = {symbolic}, as the sheet's arithmetic of {w} and {b} "
                  "works it", "the weights and the hidden pre-activations left free: the rule holds at every value"]
    out.append(v)
