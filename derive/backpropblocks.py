r"""Backpropagation rules a sheet states without the definitions they rely on (a helper of the scan).

A sheet writes ``δ_i^{(l)} = (Σ_j w_{ij}^{(l+1)} δ_j^{(l+1)}) · da_i^{(l)}/dz_i^{(l)}`` or
``∂L/∂W^{(l)} = δ^{(l)} (a^{(l-1)})^T`` and relies on what backpropagation means:

* δ is the *error* of a layer's pre-activations, ``δ^{(l)} = ∂L/∂z^{(l)}``: inferred only where the sheet
  calls δ the error (an "error term", "error signal", a "Layer Error" title over a δ formula, or a line
  giving ``∂L/∂z`` beside it);
* the loss depends on a layer's pre-activation only through the next layer: ``L = ℓ(z^{(l+1)})``, ℓ an
  arbitrary (generic) function; for one neuron, through its activation or its pre-activation;
* the layer's forward rule ``z^{(l+1)} = W a^{(l)} + b`` is taken FROM THE SHEET's own forward formula, never
  a default: ``z_j = Σ_i w_{ij} x_i + b_j`` gives ``z = W^T x + b`` (w_{ij} runs from input i to unit j),
  ``z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}`` gives ``W a``, ``z^{(l)} = Θ^{(l-1)} a^{(l-1)}`` a weight
  labelled one layer down and no bias.  A lost transpose is then refuted, not explained away.

The same holds for an accumulation ``Δ^{(l)} = Δ^{(l)} + δ^{(l+1)} (a^{(l)})^T`` (its term is one example's
gradient), the output error ``δ^{(L)} = a^{(L)} - y`` (only under the sheet's own cross-entropy cost and
sigmoid) and a final ``D^{(l)} = (1/m)(Δ^{(l)} + λΘ^{(l)})`` (only under the sheet's own regularised mean cost).
All of these only inside a block about backpropagation (its section or a title above names it).  The layer
sizes a sheet states (``Θ^{(l)} ∈ ℝ^{s_{l+1}×(s_l+1)}`` with "Layer l has s_l units" and a bias unit) are
checked against the same forward rule wherever they are written.  Where the sheet does not fix what is
needed (no forward rule or two that differ, δ never called the error, a symbol the rule does not tie to its
layers), nothing is drafted and the scan's own reading stands.  Every inferred definition and declaration
is listed in the draft's ``inferred`` (its note).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .notation import unicode
from .notation.errors import LatexError

__all__ = ["BackpropSheet", "backprop_rule"]

#: a symbol with its scripts: \delta_i^{(l)}, w_{ij}^{(l+1)}, z^l, \Theta^{(l)}
_SCRIPTS = r"(?:_\{[^{}]*\}|_[A-Za-z0-9]|\^\{\([^{}()]*\)\}|\^\{[^{}]*\}|\^[A-Za-z0-9])*"
_SYMBOL = re.compile(r"(?<![\\A-Za-z_^])(\\mathcal\{[A-Z]\}|\\[a-zA-Z]+|[A-Za-zα-ωΑ-Ωϕ])(" + _SCRIPTS + r")")
_LABEL = re.compile(r"^([A-Za-z])\s*(?:([+-])\s*(\d))?$")
_GREEK = {"φ": "\\phi", "ϕ": "\\phi", "σ": "\\sigma", "δ": "\\delta", "Θ": "\\Theta", "θ": "\\theta", "Δ": "\\Delta",
          "ℓ": "\\ell"}
_LOSSES = ("L", "J", "C", "E")
_WORDS = frozenset({"frac", "partial", "sum", "left", "right", "cdot", "times", "odot", "circ", "top", "prime", "T",
                    "d", "quad", "mathcal", "mathrm", "operatorname", "ell"})


@dataclass(frozen=True)
class Sym:
    """A symbol as written: its base (``\\delta``), subscript (``ij``) and layer label ((letter, offset))."""
    base: str
    sub: str
    label: tuple | None


def _label(sup: str):
    """``(l+1)``, ``l``, ``{(l-1)}`` -> ("l", 1), ("l", 0), ("l", -1); None for anything else."""
    s = sup.strip().strip("{}").strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    m = _LABEL.match(s)
    if not m or m.group(1) == "T":
        return None
    off = int(m.group(3) or 0) * (-1 if m.group(2) == "-" else 1)
    return (m.group(1), off)


def _split_scripts(scripts: str):
    sub, sup = "", None
    for m in re.finditer(r"_\{([^{}]*)\}|_([A-Za-z0-9])|\^\{(\([^{}()]*\))\}|\^\{([^{}]*)\}|\^([A-Za-z0-9])", scripts):
        if m.group(1) is not None or m.group(2) is not None:
            sub = (m.group(1) or m.group(2) or "").replace(",", "").replace(" ", "")
        else:
            sup = m.group(3) or m.group(4) or m.group(5)
    return sub, sup


def symbols_of(tex: str) -> list[Sym] | None:
    """The symbols a LaTeX formula writes (LaTeX words like ``\\frac`` skipped); None when a superscript is
    neither a layer label nor a transpose (a power: not read here)."""
    out = []
    tex = re.sub(r"(?<=\{)d(?=[A-Za-z\\])", "d ", tex)          # \frac{da}{dz}: the differentials d a, d z
    for m in _SYMBOL.finditer(tex):
        base = _GREEK.get(m.group(1), m.group(1))
        if base.lstrip("\\") in _WORDS:
            continue
        sub, sup = _split_scripts(m.group(2))
        label = None
        if sup is not None and sup not in ("T", "\\top"):
            label = _label(sup)
            if label is None:
                return None
        out.append(Sym(base, sub, label))
    return out


def to_latex(formula: str, notation: str, labels=frozenset()) -> str | None:
    r"""The formula in LaTeX with its layer labels as ``^{(l)}``.  A plain-text ``W^(l)``, ``a^(l-1)`` is read as
    the label only when its letter is in ``labels``, the letters the sheet's words name layers by ("for layer
    l"): plain text cannot otherwise say label from power; None when not read."""
    if notation == "latex":
        return formula
    if notation != "unicode":
        return None
    marks = {}

    def mark(m):
        lab = _label(m.group(1))
        if lab is None or lab[0] not in labels:
            return m.group(0)
        key = f"zq{chr(97 + len(marks))}"
        marks[key] = m.group(1)
        return f"_{key}"
    text = re.sub(r"(?<=[\w)])\^\(([^()]*)\)", mark, formula)
    try:
        tex = unicode.to_latex(text)
    except LatexError:
        return None
    for key, lab in marks.items():
        tex = tex.replace(f"_{{{key}}}", "^{(" + lab.replace(" ", "") + ")}").replace(f"_{key}", "^{(" + lab + ")}")
    if "zq" in tex:
        return None
    tex = re.sub(r"\\partial (\S+) / \\partial (\\?[A-Za-zδ]+(?:\^\{\([^{}]*\)\})?)", r"\\frac{\\partial \1}{\\partial \2}", tex)
    for g, cmd in _GREEK.items():
        tex = re.sub(g + r"(?=[A-Za-z])", lambda _m, c=cmd: c + " ", tex).replace(g, cmd)
    return " ".join(tex.split())


@dataclass
class Forward:
    """A layer's forward rule as the sheet writes it: z = (W or W^T) · input + b."""
    weight: str              # its weight's base letter (w, W, \Theta)
    transposed: bool         # z = W^T x: W is (inputs x units), w_{ij} from input i to unit j
    weight_off: int          # the weight's label minus z's label (Θ^{(l-1)} feeds z^{(l)}: -1)
    source: str              # the input's base letter (a, x)
    source_off: int          # its label minus z's label (a^{(l-1)}: -1; x^l, the input of layer l: 0)
    bias: bool
    line: int
    text: str

    @property
    def labelled(self) -> bool:
        """The rule writes layer labels: which layer's weight feeds which z is the sheet's, not assumed."""
        return "^" in self.text


_FWD_MATRIX = re.compile(r"^z(?P<zs>" + _SCRIPTS + r")=(?:\\left)?(?P<open>\()?(?P<w>\\Theta|W|w)(?P<ws>" + _SCRIPTS
                         + r")(?(open)(?:\\right)?\))(?P<t>\^\{?T\}?|\^\{?\\top\}?)?(?:\\cdot)?(?P<x>a|x|h)(?P<xs>"
                         + _SCRIPTS + r")(?:\+b(?P<bs>" + _SCRIPTS + r"))?$")
_FWD_SUM = re.compile(r"^z_(?P<j>[a-z])(?P<zs>" + _SCRIPTS + r")=\\sum_\{?(?P<i>[a-z])\}?(?P<w>w|W)_\{(?P<wi>[a-z]{2})\}"
                      r"(?P<ws>" + _SCRIPTS + r")(?P<x>a|x|h)_(?P<xi>[a-z])(?P<xs>" + _SCRIPTS
                      + r")(?:\+b_(?P<bj>[a-z])(?P<bs>" + _SCRIPTS + r"))?$")
_ACTIVATION = re.compile(r"^a(?:_[a-z])?(?P<as>" + _SCRIPTS + r")=(?P<f>\\phi|\\varphi|\\sigma|f|g)\((?:\\left)?"
                         r"z(?:_[a-z])?(?P<zs>" + _SCRIPTS + r")\)$")
_SIGMOID = re.compile(r"^(?P<f>\\sigma|\\phi|f|g)\((?P<v>[a-z])\)=\\frac\{1\}\{1\+e\^\{-(?P=v)\}\}$")


def _sup_label(scripts: str):
    sup = _split_scripts(scripts or "")[1]
    return _label(sup) if sup else None


def _offset(scripts: str, ref):
    _sub, sup = _split_scripts(scripts or "")
    if sup is None:
        return None if ref is not None else 0
    lab = _label(sup)
    if lab is None or ref is None or lab[0] != ref[0]:
        return None
    return lab[1] - ref[1]


def _forward(tex: str, no: int):
    s = "".join(tex.split())
    m = _FWD_MATRIX.match(s)
    if m:
        ref = _label(_split_scripts(m.group("zs"))[1]) if _split_scripts(m.group("zs"))[1] else None
        if _split_scripts(m.group("zs"))[0] or _split_scripts(m.group("ws"))[0]:
            return None
        offs = [_offset(m.group(g), ref) for g in ("ws", "xs")]
        boff = _offset(m.group("bs"), ref) if m.group("bs") is not None else 0
        if None in offs or boff != 0:
            return None
        return Forward(m.group("w"), bool(m.group("t")), offs[0], m.group("x"), offs[1], m.group("bs") is not None,
                       no, tex)
    m = _FWD_SUM.match(s)
    if m:
        i, j, wi = m.group("i"), m.group("j"), m.group("wi")
        if i == j or m.group("xi") != i or set(wi) != {i, j} or (m.group("bj") not in (None, j)):
            return None
        sup = _split_scripts(m.group("zs"))[1]
        ref = _label(sup) if sup else None
        offs = [_offset(m.group(g), ref) for g in ("ws", "xs")]
        boff = _offset(m.group("bs"), ref) if m.group("bs") is not None else 0
        if None in offs or boff != 0:
            return None
        # w_{ij} summed over i: the weight from input i to unit j, z = W^T x; w_{ji}: z = W x
        return Forward(m.group("w"), wi == i + j, offs[0], m.group("x"), offs[1], m.group("bs") is not None, no, tex)
    return None


_COST = re.compile(r"^(?P<name>J|L|C|E|\\mathcal\{L\})(?:\([^()]*\))?=-")
_BCE = re.compile(r"(?P<y>y(?:_[a-z])?(?:\^\{\([a-z]\)\})?)\\log\((?P<p>.+?)\)\+\(1-(?P=y)\)\\log\(1-(?P=p)\)")


_PENALTY = re.compile(r"\+\\frac\{\\lambda\}\{2(?P<m>[a-z])\}\\sum(?:_\{[^{}]*\})?\(?(?P<w>\\Theta|W|w)"
                      r"(?:\^\{\([a-z]\)\}|_\{[a-z],?[a-z]\})*\)?\^(?:2|\{2\})$")


def _bracket(body: str):
    """The content of the bracket ``[...]`` (or ``\\left[ ... \\right]``) a formula opens first after a mean
    ``\\frac{1}{m} \\sum ... \\sum``, and what follows it; None where anything else comes before it."""
    m = re.match(r"\\frac\{1\}\{([a-z])\}(?:\\sum_\{[a-z](?:=1)?\}(?:\^\{?\w\}?)?)+(?:\\left)?\[", body)
    if not m:
        return None
    depth = 0
    for k in range(m.end() - 1, len(body)):
        depth += {"[": 1, "]": -1}.get(body[k], 0)
        if depth == 0:
            inner = body[m.end():k]
            return m.group(1), inner.removesuffix("\\right"), body[k + 1:]
    return None


def _penalty(s: str):
    """``J = -\\frac{1}{m} Σ_i [...] + \\frac{λ}{2m} Σ (Θ_{ij}^{(l)})^2``: (Θ, m) for a mean cost plus that
    penalty and nothing else; None otherwise."""
    m = _COST.match(s)
    br = m and _bracket(s[m.end():])
    pen = br and _PENALTY.fullmatch(br[2])
    return (pen.group("w"), br[0]) if pen and pen.group("m") == br[0] else None


def _cross_entropy(s: str):
    r"""``J(Θ) = -\frac{1}{m} Σ_i Σ_k [y_k log(h_k) + (1 - y_k) log(1 - h_k)] + ...`` (spaces removed): the
    cost's name and the name of the prediction its binary cross-entropy scores; None for anything else."""
    m = _COST.match(s)
    if not m:
        return None
    br = _bracket(s[m.end():])
    b = br and _BCE.fullmatch(br[1])          # the whole bracket the leading minus applies to
    if not b:
        return None
    pred = re.match(r"\(*(h(?:_\\?\w+)?|\\hat\{y\})", b.group("p"))
    return (m.group("name"), pred.group(1)) if pred else None


_DIMS = re.compile(r"(?P<w>\\Theta|W|w)\^\{(?P<lab>\([^{}()]*\))\}\\in\\mathbb\{R\}\^\{(?P<r>.+)\\times(?P<c>.+)\}")
_SIZE_SUB = re.compile(r"([a-z])_(?:\{([^{}]+)\}|([a-z]))")


def _size(text: str) -> str:
    """A stated size as the claim format writes it: ``(s_l + 1)`` -> ``s_l+1``."""
    t = "".join(text.split())
    return t[1:-1] if t.startswith("(") and t.endswith(")") else t


def _katex_word(tok: str) -> str:
    """A word of prose a KaTeX copy pasted three times (``lll``, ``sls_lsl``): the LaTeX copy in the middle."""
    n = len(tok)
    if n % 3 == 0 and tok == tok[:n // 3] * 3:
        return tok[:n // 3]
    for p in range(1, n // 2):
        mid = tok[p:n - p]
        if tok[:p] == tok[n - p:] and ("_" in mid or "{" in mid):
            return mid
    return tok


def _unit_counts(lines):
    """"Layer l has s_l units" (a KaTeX copy's tripled words read): the size letter s naming layer l's units by
    its label, and the line; None unless every such line names sizes so."""
    found = []
    for no, line in enumerate(lines, 1):
        m = re.search(r"\b[Ll]ayer\s+(\S+)\s+has\s+(\S+)\s+units\b", line)
        if m:
            layer, size = _katex_word(m.group(1)), _katex_word(m.group(2))
            sm = _SIZE_SUB.fullmatch(size)
            if not sm or _label(layer) is None or _label(sm.group(2) or sm.group(3)) != _label(layer):
                return None
            found.append((sm.group(1), no))
    return found[0] if found and len({f for f, _ in found}) == 1 else None


def _shift_sizes(size: str, by: int):
    """``s_{l+1}`` shifted by -1 is ``s_l``; None where a subscript is no layer label."""
    bad = []

    def shift(m):
        lab = _label(m.group(2) or m.group(3))
        if lab is None:
            bad.append(m.group(0))
            return m.group(0)
        return _units_of(m.group(1), (lab[0], lab[1] + by))
    out = _SIZE_SUB.sub(shift, size)
    return None if bad else out


def _units_of(letter: str, lab) -> str:
    text = _tex_label(lab)[3:-2]
    return f"{letter}_{text}" if len(text) == 1 else f"{letter}_{{{text}}}"


def _title(line: str) -> bool:
    s = line.strip().lstrip("#").strip()
    return 0 < len(s.split()) <= 4 and not re.search(r"[=$\\∂]", s)


#: words that define δ where they follow it: "δ^{(l)} denotes ∂L/∂a^{(l)}", "δ := t - y"
_DEFINES = re.compile(r"\bdenotes\b|\bstands for\b|\bis defined as\b|:=")
_DELTA_VALUE = re.compile(r"(?:\\delta|δ)(?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\([^()]*\)|[A-Za-z0-9]))*\s*\$?\s*"
                          r"(?:=|:=|denotes|stands for|is defined as)\s*\$?\s*")
_Z_SCRIPTS = r"(?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\([^()]*\)|[A-Za-z0-9]))*"
_PARTIAL_Z = [re.compile(r"∂\s*([A-Z])\s*/\s*∂\s*z" + _Z_SCRIPTS),
              re.compile(r"\\frac\{\\partial\s*(\\mathcal\{[A-Z]\}|[A-Z])\s*\}\{\\partial\s*z" + _Z_SCRIPTS + r"\s*\}"),
              re.compile(r"\\partial\s*(\\mathcal\{[A-Z]\}|[A-Z])\s*/\s*\\partial\s*z" + _Z_SCRIPTS)]


def _delta_values(line: str) -> list[str]:
    """What a line sets δ to (``δ^{(l)} = ∂L/∂a^{(l)} is ...`` -> ``∂L/∂a^{(l)}``); a value holding δ itself is a
    rule of the sheet (the recurrence), not what δ means, and is left out."""
    out = []
    for m in _DELTA_VALUE.finditer(line):
        rest = line[m.end():]
        cut = re.search(r"\$| is | are |, |; |\.\s|\.$| \(|\s+(?:where|which|the)\b", rest)
        value = rest[:cut.start()] if cut else rest
        if value.strip() and not re.search(r"\\delta|δ", value):
            out.append(value)
    return out


def _pre_activation_gradient(value: str):
    """The loss letter of a value that is exactly ``∂L/∂z`` (scripts on z allowed, nothing else: no sign, no
    factor); None otherwise."""
    v = value.strip().rstrip(".").strip()
    for rx in _PARTIAL_Z:
        m = rx.fullmatch(v)
        if m:
            return m.group(1)
    return None


class BackpropSheet:
    """What a sheet fixes about its backpropagation: its forward rule, its activation, what it calls δ."""

    def __init__(self, found, lines, sections):
        self.lines, self.sections = lines, sections
        text = "\n".join(lines)
        self.labels = frozenset(re.findall(r"\blayers?\s+([a-zA-Z])\b(?![-'’])", text))
        self.forward: list[Forward] = []
        self.activation = None               # (letter, line)
        self._labelled_activation = False
        self.activation_conflict = None      # a line giving a layer's a^{(l)} otherwise (a^{(l+1)} = a^{(l)} + f(...))
        self.output_defined: dict = {}       # an output label -> the line giving its a^{(L)} otherwise (= z^{(L)})
        self.sigmoid: dict[str, int] = {}    # letters the sheet defines as the sigmoid -> line
        self.inputs = {m.group(1) for m in re.finditer(r"\$?([a-z])(?:_\w+)?(?:\^\w+)?\$?\s*:?\s+(?i:input)\b", text)}
        self.cost = None                     # (its name, the prediction it scores, line): a cross-entropy cost
        self.outputs: dict[str, tuple] = {}  # a prediction's name -> (the output layer's label, line)
        self.penalty = None                  # (weight letter, example count m, line): a mean cost + (λ/2m) Σ W²
        self.accumulators: dict[str, int] = {}   # Δ^{(l)} (spaces removed) -> the line accumulating it
        self.units = _unit_counts(lines)     # the letter naming layer sizes ("Layer l has s_l units"), its line
        self.bias_unit = None                # the line adding a bias unit a_0 = 1 to each layer's activations
        self.dims: dict[str, tuple] = {}     # weight letter -> (its label, rows, columns, line): "Θ^{(l)} ∈ ℝ^{r×c}"
        for no, _quote, f, notation in found:
            tex = to_latex(f, notation, self.labels)
            if tex is not None:
                self._read(no, tex, "".join(tex.split()), lines)
        self.error_line = None
        self.loss = None
        # where the sheet's words fix δ otherwise than as ∂L/∂z (∂L/∂a, -∂L/∂z, t - y): (line, its value)
        self.delta_defined = None
        losses = set()
        for no, line in enumerate(lines, 1):
            low = line.lower()
            named = re.search(r"\berror\b", low)
            if re.search(r"\\delta|δ", line) and (named or _DEFINES.search(low)):
                if not self.in_block(no) and not re.match(r"\s*[-•*]?\s*\$?\s*(?:\\delta|δ)", line):
                    continue                  # δ in another block (a Huber threshold), unless a glossary entry for it
                values = _delta_values(line)
                for value in values:
                    loss = _pre_activation_gradient(value)
                    if loss is None:
                        self.delta_defined = self.delta_defined or (no, value.strip())
                    else:
                        losses.add(loss)
                if named:
                    self.error_line = self.error_line or no
                    m = re.search(r"\\partial\s*(\\mathcal\{[A-Z]\}|[A-Z])\s*/\s*\\partial\s*z|∂([A-Z])/∂z", line)
                    if m and not values:
                        losses.add(m.group(1) or m.group(2))
            elif _title(line) and named and self.in_block(no):
                after = next((x for x in lines[no:no + 4] if x.strip()), "")
                if re.match(r"\s*\$*\s*(?:\\delta|δ)", after):
                    self.error_line = self.error_line or no
        if len(losses) == 1:
            self.loss = losses.pop()
        elif losses:
            self.delta_defined = self.delta_defined or (0, "δ as the gradient of " + " and of ".join(sorted(losses)))
        # a layout the words state for δ or the gradients (a row vector, numerator layout): not the column rules
        self.row_layout = next((no for no, line in enumerate(lines, 1)
                                if re.search(r"row[ -]vectors?|numerator[ -]layout", line, re.I)
                                and re.search(r"\\delta|δ|gradient|error", line, re.I)), None)

    def _read(self, no, tex, s, lines):
        """What one formula of the sheet fixes (``s``: its LaTeX without spaces)."""
        fw = _forward(tex, no)
        if fw:
            self.forward.append(fw)
        m = _ACTIVATION.match(s)
        if m and _sup_label(m.group("as")) == _sup_label(m.group("zs")):
            # a layered a^{(l)} = f(z^{(l)}) is the one the layered rules use, over a plain a = σ(z) elsewhere
            labelled = _sup_label(m.group("as")) is not None
            if self.activation is None or labelled and not self._labelled_activation:
                self.activation, self._labelled_activation = (m.group("f"), no), labelled
        parts = _top_equals(s)
        a = re.fullmatch(r"a(?:_[a-z])?(" + _SCRIPTS + r")", parts[0]) if len(parts) >= 2 else None
        if a and not _ACTIVATION.match(s) and not re.search(r"_\{?\d", a.group(1)):   # a_0^{(l)} = 1: a bias unit
            lab = _sup_label(a.group(1))
            if lab and lab[0].islower():
                self.activation_conflict = self.activation_conflict or no
            elif lab and lab[0].isupper():
                self.output_defined.setdefault(lab, no)
        m = _SIGMOID.match(s)
        if m:
            self.sigmoid[m.group("f")] = no
        m = re.fullmatch(r"(h(?:_\\?\w+)?|\\hat\{y\})(?:\([a-z]\))?=a\^\{\(([A-Z])\)\}", s)
        if m:
            self.outputs[m.group(1)] = ((m.group(2), 0), no)
        c = _cross_entropy(s)
        if c and self.cost is None:
            self.cost = (*c, no)
        pen = _penalty(s)
        if pen and self.penalty is None:
            self.penalty = (*pen, no)
        parts = _top_equals(s)
        if len(parts) == 2 and _accumulation(*parts):
            self.accumulators.setdefault(parts[0], no)
        if re.fullmatch(r"a_0\^\{\([a-z]\)\}=1|a_0\^[a-z]=1", s) and any(
                re.search(r"\bbias\b", x, re.I) for x in lines[max(0, no - 4):no]):
            self.bias_unit = self.bias_unit or no
        m = _DIMS.fullmatch(s)
        if m and _label(m.group("lab")):
            stated = (_label(m.group("lab")), _size(m.group("r")), _size(m.group("c")), no)
            have = self.dims.setdefault(m.group("w"), stated)
            if have is not None and have[:3] != stated[:3]:
                self.dims[m.group("w")] = None      # two sizes stated: which one the rule has is not guessed

    def loss_name(self, used) -> str:
        """The loss δ differentiates: the one the sheet's δ = ∂L/∂z names, else its cost's name, else a letter
        the claim does not use (ℓ is generic: any name is the same claim)."""
        if self.loss:
            return self.loss
        if self.cost and self.cost[0] not in used:
            return self.cost[0]
        return _fresh(used, _LOSSES)

    def in_block(self, no: int) -> bool:
        """Inside a block about backpropagation: its section, or a title above it under the same heading."""
        if re.search(r"backprop", self.sections.get(no, ""), re.I):
            return True
        for k in range(no - 1, max(0, no - 60), -1):
            line = self.lines[k - 1]
            if not _title(line):
                continue
            if re.search(r"backprop", line, re.I):
                return True
            if line.lstrip().startswith("#") or not line.strip()[0].isalpha():
                return False                  # a sibling heading (# ..., 7️⃣ ...): another block
        return False

    def forward_rule(self) -> Forward | None:
        """The sheet's one forward rule (None where it writes two that differ: which one is not guessed); a rule
        without layer labels (``z = Wa + b``) only has to agree with the labelled one on W, its side and b."""
        labelled = [f for f in self.forward if f.labelled]
        rules = {(f.weight, f.transposed, f.weight_off, f.source, f.source_off, f.bias) for f in labelled}
        plain = {(f.weight, f.transposed, f.bias) for f in self.forward if f not in labelled}
        if len(rules) == 1:
            first = labelled[0]
            return first if plain <= {(first.weight, first.transposed, first.bias)} else None
        if not rules and len(plain) == 1:
            return self.forward[0]
        return None


def _tex_label(lab) -> str:
    letter, off = lab
    return "^{(" + letter + ("" if off == 0 else f"+{off}" if off > 0 else f"-{-off}") + ")}"


def _fresh(used: set, names) -> str | None:
    return next((n for n in names if n not in used), None)


def backprop_rule(draft, sheet: BackpropSheet) -> bool:
    """Draft a backpropagation rule with the definitions backpropagation gives it (see the module); True when
    the draft was so rewritten, False (the draft untouched) when the sheet does not fix what it needs."""
    if draft.algorithm or draft.theorem:
        return False
    fw = sheet.forward_rule()
    if fw is None:
        return False
    tex = to_latex(draft.formula, draft.notation, sheet.labels)
    if tex is None:
        return False
    tex = tex.strip().rstrip(".").strip()
    if _layer_sizes(draft, sheet, fw, tex):
        return True
    if not sheet.in_block(draft.line) or sheet.error_line is None or sheet.delta_defined or sheet.row_layout:
        return False
    parts = _top_equals(tex)
    if len(parts) != 2:
        return False
    lhs, rhs = (p.strip() for p in parts)
    acc = _accumulation(lhs, rhs)
    if acc is not None:
        lab = symbols_of(lhs)
        titled = any(_title(x) and re.search(r"gradient|accumulat", x, re.I)
                     for x in sheet.lines[max(0, draft.line - 5):draft.line - 1])
        if not lab or lab[0].label is None or not titled:
            return False
        return _gradient(draft, sheet, fw, tex, None, fw.weight + _tex_label(lab[0].label), acc[1], accumulated=lhs)
    if re.fullmatch(r"[A-Z]\^\{\([^{}()]*\)\}", lhs):
        return _regularised(draft, sheet, fw, lhs, rhs)
    m = re.fullmatch(r"\\frac\{\\partial\s*(\\mathcal\{[A-Z]\}|[A-Z])\}\{\\partial\s*(.+)\}", lhs)
    if m and _delta_in(rhs):
        if sheet.loss and m.group(1) != sheet.loss:
            return False               # δ = ∂C/∂z, the rule's ∂L/∂W: how L and C relate is not this reading's
        return _gradient(draft, sheet, fw, tex, m.group(1), m.group(2).strip(), rhs)
    d = re.fullmatch(r"(\\delta|δ)(" + _SCRIPTS + r")", lhs)
    if d:
        return _delta_rule(draft, sheet, fw, tex, d.group(2), rhs)
    return False


def _top_equals(tex: str) -> list[str]:
    depth, parts, start = 0, [], 0
    for k, c in enumerate(tex):
        depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(c, 0)
        if c == "=" and depth == 0:
            parts.append(tex[start:k])
            start = k + 1
    return parts + [tex[start:]]


def _delta_in(tex: str) -> bool:
    return bool(re.search(r"\\delta(?![a-zA-Z])", tex))


def _accumulation(lhs: str, rhs: str):
    """``Δ^{(l)} = Δ^{(l)} + T`` with δ in T: (Δ^{(l)}, T); None otherwise."""
    if not re.fullmatch(r"\\Delta" + _SCRIPTS, lhs) or not rhs.startswith(lhs):
        return None
    rest = rhs[len(lhs):].strip()
    if not rest.startswith("+") or not _delta_in(rest):
        return None
    return lhs, rest[1:].strip()


#: function names whose entry-by-entry derivative the layered rules do not take for a generic activation
_NAMED = re.compile(r"\b(softmax|tanh|relu|linear|identity|leaky|maxout|gelu|swish|silu|elu|selu|softplus|max)\b", re.I)


def _activation(sheet, used):
    """The layers' activation: (letter, kind, why); None where the sheet gives a layer's activation otherwise
    too, or its words name a function other than the sigmoid for it (a softmax is not entry by entry)."""
    if sheet.activation and sheet.activation_conflict is None:
        letter, line = sheet.activation
        words = sheet.lines[line - 1] if 0 < line <= len(sheet.lines) else ""
        if _NAMED.search(words) or re.search(r"\bvariant\b|\bnot\b|\bunlike\b", words, re.I):
            return None
        if re.search(r"\b(logistic|sigmoid)\b", words, re.I) and letter not in sheet.sigmoid:
            return letter, "sigmoid", f"{letter} the sigmoid (the sheet's words call it so on line {line})"
        if letter in sheet.sigmoid:
            return letter, "sigmoid", f"{letter} the sigmoid (the sheet defines it so on line {sheet.sigmoid[letter]})"
        return letter, "activation", f"{letter} the activation, applied entry by entry (line {line})"
    return None


def _finish(draft, tex, definitions, functions, symbols, why):
    draft.not_checkable = ""       # what the scan inferred before is replaced: these are the claim's terms
    draft.definitions = definitions
    draft.inferred = []
    draft.functions = dict(functions)
    draft.symbols = dict(symbols)
    if tex != draft.formula:
        draft.reading = tex
    draft.inferred.append("a backpropagation rule: " + "; ".join(why) + "; definitions " + ", ".join(definitions))
    return True


def _delta_rule(draft, sheet, fw, tex, scripts, rhs) -> bool:
    syms = symbols_of(tex)
    if syms is None:
        return False
    sub, sup = _split_scripts(scripts)
    used = {s.base for s in syms}
    loss = sheet.loss_name(used)
    why = [f"δ is the error the sheet names on line {sheet.error_line}: δ = ∂{loss}/∂z"]
    if sup is None:                 # one neuron: δ = ∂L/∂a · da/dz
        if sub or any(s.label for s in syms) or {s.base for s in syms} - {"\\delta", loss, "a", "z"}:
            return False
        if not re.search(r"\\frac\{\\partial\s*" + re.escape(loss) + r"\}\{\\partial\s*a\}", rhs) or \
                not re.search(r"\\frac\{d\s*a\}\{d\s*z\}", rhs):
            return False
        act = sheet.activation[0] if sheet.activation else "\\phi"
        defs = [f"\\delta = \\frac{{\\partial {loss}}}{{\\partial z}}", f"{loss} = \\ell(a)", f"a = {act}(z)"]
        why.append(f"{loss} depends on z only through the activation a = {act}(z) (a generic function ℓ)")
        return _finish(draft, tex, defs, {"\\ell": "generic", act: "generic"},
                       {k: "scalar real" for k in ("\\delta", loss, "a", "z")}, why)
    lab = _label(sup)
    if lab is None:
        return False
    nxt = (lab[0], lab[1] + 1)
    if not any(s.base == "\\delta" and s.label == nxt for s in syms):
        return _output_error(draft, sheet, tex, lab, syms)
    act = _activation(sheet, used)
    if act is None or not fw.labelled or (fw.source != "a" and fw.source not in sheet.inputs):
        return False
    wl = (lab[0], nxt[1] + fw.weight_off)
    allowed = {("\\delta", lab), ("\\delta", nxt), ("a", lab), ("z", lab), (fw.weight, wl)}
    funcs = {act[0]}
    for s in syms:
        if s.label is None and s.base in funcs | {lab[0]}:
            continue
        if (s.base, s.label) not in allowed:
            return False
    if fw.source != "a" and fw.source_off != 0 or fw.source == "a" and fw.source_off != -1:
        return False
    L = lambda x: _tex_label(x)     # noqa: E731
    W = fw.weight + L(wl)
    z1, a0 = "z" + L(nxt), "a" + L(lab)
    prod = f"({W})^T {a0}" if fw.transposed else f"{W} {a0}"
    defs = [f"\\delta{L(lab)} = \\frac{{\\partial {loss}}}{{\\partial z{L(lab)}}}",
            f"\\delta{L(nxt)} = \\frac{{\\partial {loss}}}{{\\partial {z1}}}", f"{loss} = \\ell({z1})",
            f"{z1} = {prod}" + (f" + b{L(nxt)}" if fw.bias else ""), f"{a0} = {act[0]}(z{L(lab)})"]
    p, q = _fresh(used, "pqnm"), None
    q = _fresh(used | {p}, "qmnr")
    symbols = {f"\\delta{L(lab)}": f"vector {p}", f"\\delta{L(nxt)}": f"vector {q}", loss: "scalar real",
               f"z{L(lab)}": f"vector {p}", z1: f"vector {q}", a0: f"vector {p}",
               W: f"matrix {p} {q}" if fw.transposed else f"matrix {q} {p}"}
    if fw.bias:
        symbols[f"b{L(nxt)}"] = f"vector {q}"
    if not _indices(syms, symbols, fw, W, L, (p, q)):
        return False
    why.append(f"the forward rule {z1} = {prod}{' + b' + L(nxt) if fw.bias else ''} is the sheet's own "
               f"(line {fw.line}: {fw.text})")
    if fw.source != "a":
        why.append(f"its input {fw.source} of layer {nxt[0]}+1 is the activation {a0} of layer {lab[0]}")
    why.append(f"{loss} depends on z{L(lab)} only through {z1} (a generic function ℓ); {act[2]}")
    return _finish(draft, tex, defs, {"\\ell": "generic", act[0]: act[1]}, symbols, why)


def _indices(syms, symbols, fw, W, L, sizes) -> bool:
    """Declare the claim's subscripts as indices of the vectors (and the matrix) they subscript; False when
    one subscripts things of two sizes (what it ranges over is then not said)."""
    index = {}
    for s in syms:
        if not s.sub:
            continue
        key = s.base + (L(s.label) if s.label else "")
        decl = symbols.get(key)
        if decl is None:
            return False
        dims = decl.split()[1:]
        if len(s.sub) != len(dims):
            return False
        for letter, dim in zip(s.sub, dims):
            if index.setdefault(letter, dim) != dim:
                return False
    for letter, dim in index.items():
        if letter in symbols:
            return False
        symbols[letter] = f"index {dim}"
    return True


def _gradient(draft, sheet, fw, tex, loss, var, rhs, accumulated=None) -> bool:
    r"""``∂L/∂w_i = δ x_i``, ``∂L/∂b = δ`` (one neuron), ``∂L/∂W^{(l)} = δ^{(l)} (a^{(l-1)})^T`` (a layer); an
    accumulation ``Δ^{(l)} = Δ^{(l)} + δ^{(l+1)} (a^{(l)})^T`` as the gradient its increment is."""
    syms = symbols_of(tex)
    if syms is None:
        return False
    used = {s.base for s in syms}
    loss = loss or sheet.loss_name(used)
    why = [f"δ is the error the sheet names on line {sheet.error_line}: δ = ∂{loss}/∂z"]
    v = symbols_of(var)
    if not v or len(v) != 1:
        return False
    v = v[0]
    if v.label is None and accumulated is None:            # one neuron: its weights w_k and bias b
        right = symbols_of(rhs)
        rest = {(s.base, s.sub) for s in right} if right else None
        if rest is None or any(s.label for s in syms):
            return False
        if v.base == fw.weight and len(v.sub) == 1:
            i = v.sub
            if rest != {("\\delta", ""), (fw.source, i)}:
                return False
        elif v.base == "b" and not v.sub and fw.bias:
            i = None
            if rest != {("\\delta", "")}:
                return False
        else:
            return False
        k = _fresh(used | {s.sub for s in syms}, "kmr")
        z = f"\\sum_{k} {fw.weight}_{k} {fw.source}_{k}" + (" + b" if fw.bias else "")
        defs = [f"\\delta = \\frac{{\\partial {loss}}}{{\\partial z}}", f"{loss} = \\ell(z)", f"z = {z}"]
        symbols = {"\\delta": "scalar real", loss: "scalar real", "z": "scalar real", fw.weight: "vector n",
                   fw.source: "vector n", k: "index n"}
        if fw.bias:
            symbols["b"] = "scalar real"
        if i:
            symbols[i] = "index n"
        why.append(f"one neuron's pre-activation z = {z}, the sheet's forward rule (line {fw.line}: {fw.text}) "
                   "for one unit")
        why.append(f"{loss} depends on its weights and bias only through z (a generic function ℓ)")
        return _finish(draft, tex, defs, {"\\ell": "generic"}, symbols, why)
    if v.base != fw.weight or v.label is None or v.sub or not fw.labelled:
        return False
    zl = (v.label[0], v.label[1] - fw.weight_off)
    src = (zl[0], zl[1] + fw.source_off)
    L = _tex_label
    W, z, x = fw.weight + L(v.label), "z" + L(zl), fw.source + L(src)
    rs = symbols_of(rhs)
    if rs is None or {(s.base, s.sub, s.label) for s in rs} != {("\\delta", "", zl), (fw.source, "", src)}:
        return False
    p, q = _fresh(used, "pqnm"), None
    q = _fresh(used | {p}, "qmnr")
    prod = f"({W})^T {x}" if fw.transposed else f"{W} {x}"
    defs = [f"\\delta{L(zl)} = \\frac{{\\partial {loss}}}{{\\partial {z}}}", f"{loss} = \\ell({z})",
            f"{z} = {prod}" + (f" + b{L(zl)}" if fw.bias else "")]
    symbols = {f"\\delta{L(zl)}": f"vector {q}", loss: "scalar real", z: f"vector {q}", x: f"vector {p}",
               W: f"matrix {p} {q}" if fw.transposed else f"matrix {q} {p}"}
    if fw.bias:
        symbols[f"b{L(zl)}"] = f"vector {q}"
    reading = tex
    if accumulated is not None:
        if v.base != fw.weight:
            return False
        reading = f"\\frac{{\\partial {loss}}}{{\\partial {W}}} = {rhs}"
        why.append(f"{accumulated} accumulates, example by example, the gradient of the weight of its label {W} "
                   f"(the block calls it the gradient's accumulation): each term is one example's ∂{loss}/∂{W}")
    why.append(f"the forward rule {defs[-1]} is the sheet's own (line {fw.line}: {fw.text})")
    why.append(f"{loss} depends on {W} only through {z} (a generic function ℓ)")
    return _finish(draft, reading, defs, {"\\ell": "generic"}, symbols, why)


def _output_error(draft, sheet, tex, lab, syms) -> bool:
    r"""``δ^{(L)} = a^{(L)} - y``: the output layer's error under the sheet's cross-entropy cost, its output a
    sigmoid of z^{(L)} (the sheet's prediction h = a^{(L)}); read for one output unit and one example (the
    cost's sum over units separates, its mean's 1/m and its penalty do not touch one example's δ)."""
    if sheet.cost is None or sheet.activation is None or lab in sheet.output_defined:
        return False
    act_kind = _activation(sheet, set())
    if act_kind is None or act_kind[1] != "sigmoid":
        return False
    name, pred, cost_line = sheet.cost
    out = sheet.outputs.get(pred)
    act = sheet.activation[0]
    if out is None or out[0] != lab or act not in sheet.sigmoid:
        return False
    if {(s.base, s.sub, s.label) for s in syms} != {("\\delta", "", lab), ("a", "", lab), ("y", "", None)}:
        return False
    L = _tex_label
    a, z = "a" + L(lab), "z" + L(lab)
    defs = [f"\\delta{L(lab)} = \\frac{{\\partial {name}}}{{\\partial {z}}}",
            f"{name} = -[y \\log {a} + (1 - y) \\log(1 - {a})]", f"{a} = {act}({z})"]
    why = [f"δ is the error the sheet names on line {sheet.error_line}: δ = ∂{name}/∂z",
           f"{name} is the sheet's cross-entropy cost (line {cost_line}) for one output unit and one example, "
           f"its prediction {pred} = {a} (line {out[1]}): the sum over units separates, the mean's 1/m and the "
           "penalty are not one example's error",
           f"{act} the sigmoid (the sheet defines it so on line {sheet.sigmoid[act]})"]
    symbols = {f"\\delta{L(lab)}": "scalar real", name: "scalar real", a: "scalar (0,1)", "y": "scalar [0,1]",
               z: "scalar real"}
    return _finish(draft, tex, defs, {act: "sigmoid"}, symbols, why)


def _regularised(draft, sheet, fw, lhs, rhs) -> bool:
    r"""``D^{(l)} = \frac{1}{m}(Δ^{(l)} + λ Θ^{(l)})`` under a "gradient" title: the gradient of the sheet's cost
    J = (1/m) Σ_i E_i + (λ/2m) Σ Θ² by one non-bias weight θ of Θ^{(l)}, Δ^{(l)} the sum over the examples of
    their gradients that the block accumulates above; read entry by entry (a weight θ, its Δ)."""
    if sheet.penalty is None or sheet.cost is None:
        return False
    w, m, line = sheet.penalty
    lab = re.search(r"\^\{\([^{}()]*\)\}", lhs).group(0)
    acc = next((k for k in sheet.accumulators if k.endswith(lab) and k.startswith("\\Delta")), None)
    titled = any(_title(x) and re.search(r"gradient", x, re.I) for x in sheet.lines[max(0, draft.line - 6):draft.line - 1])
    syms = symbols_of(rhs)
    label = _label(lab[1:])
    if acc is None or w != fw.weight or not titled or syms is None or \
            {(s.base, s.sub, s.label) for s in syms} != {("\\Delta", "", label), ("\\lambda", "", None), (w, "", label),
                                                         (m, "", None)}:
        return False
    # the rule in one weight's terms: Δ^{(l)} -> Δ, Θ^{(l)} -> θ (each written once as a symbol with its label)
    body = re.sub(re.escape("\\Delta") + r"\s*" + re.escape(lab), lambda _m: "\\Delta", rhs)
    body = re.sub(r"(?<![A-Za-z\\])" + re.escape(w) + r"\s*" + re.escape(lab), lambda _m: "\\theta ", body)
    if lab in body:
        return False
    name = sheet.cost[0]
    defs = [f"{name} = \\frac{{1}}{{{m}}} \\sum_{{i=1}}^{{{m}}} E(\\theta, x_i) + \\frac{{\\lambda}}{{2{m}}} \\theta^2",
            f"\\Delta = \\sum_{{i=1}}^{{{m}}} \\frac{{\\partial E(\\theta, x_i)}}{{\\partial \\theta}}"]
    why = [f"{lhs} is the gradient of the sheet's cost {name} (line {line}: a mean over {m} examples plus "
           f"(λ/2{m}) Σ {w}²) by {w}{lab}, read for one weight θ of it (a non-bias one: the penalty has it)",
           f"{acc} is the sum over the examples of their gradients E_i, as the block accumulates it "
           f"(line {sheet.accumulators[acc]})"]
    symbols = {name: "scalar real", "\\theta": "scalar real", "\\Delta": "scalar real", "\\lambda": "scalar positive",
               "x": f"vector {m} real", "i": f"index {m}"}
    reading = f"\\frac{{\\partial {name}}}{{\\partial \\theta}} = " + " ".join(body.split())
    return _finish(draft, reading, defs, {"E": "generic"}, symbols, why)


def _layer_sizes(draft, sheet, fw, tex) -> bool:
    r"""The sizes a sheet states for its layers, checked against its forward rule: ``Θ^{(l)} ∈ ℝ^{s_{l+1}×(s_l+1)}``
    must map layer l's activations (s_l units, plus the bias unit a_0 = 1 where the sheet adds one and its rule
    has no bias term) to layer l+1's s_{l+1} units; the rule ``z^{(l)} = Θ^{(l-1)} a^{(l-1)}`` itself, with those
    sizes shifted to its layers, must give z^{(l)} layer l's s_l entries.  A size that does not fit is refuted."""
    if sheet.units is None or not fw.labelled or (not fw.bias and not sheet.bias_unit):
        return False
    letter, units_line = sheet.units
    s = "".join(tex.split())
    m = _DIMS.fullmatch(s)
    if m:                           # the claim is the sizes it states
        if m.group("w") != fw.weight or _label(m.group("lab")) is None:
            return False
        wl, dlab, rows, cols, dline = (_label(m.group("lab")), _label(m.group("lab")), _size(m.group("r")),
                                       _size(m.group("c")), draft.line)
    elif sheet.dims.get(fw.weight) and (draft.not_checkable.startswith("defines") or not draft.not_checkable):
        dlab, rows, cols, dline = sheet.dims[fw.weight]
        rule = _forward(tex, draft.line)
        if rule is None or (rule.weight, rule.transposed, rule.weight_off, rule.source, rule.source_off, rule.bias) != \
                (fw.weight, fw.transposed, fw.weight_off, fw.source, fw.source_off, fw.bias):
            return False
        zs = _split_scripts(re.match(r"z(" + _SCRIPTS + ")", s).group(1))[1]
        zl = _label(zs) if zs else None
        if zl is None:
            return False
        wl = (zl[0], zl[1] + fw.weight_off)
    else:
        return False
    zl = (wl[0], wl[1] - fw.weight_off)
    src = (zl[0], zl[1] + fw.source_off)
    shift = wl[1] - dlab[1]
    r, c = _shift_sizes(rows, shift), _shift_sizes(cols, shift)
    if r is None or c is None:
        return False
    L = _tex_label
    W, x, z = fw.weight + L(wl), fw.source + L(src), "z" + L(zl)
    n_in = _units_of(letter, src) + ("" if fw.bias else "+1")
    symbols = {W: f"matrix {r} {c}", x: f"vector {n_in}"}
    layer = lambda lab: _tex_label(lab)[3:-2]       # noqa: E731
    why = [f"{W} is {r} × {c}: the sizes the sheet states on line {dline}" + (f", shifted to layer {layer(wl)}" if shift else ""),
           f"layer {layer(zl)}'s units are counted {_units_of(letter, zl)} (line {units_line})",
           f"{x} holds {_units_of(letter, src)} units" + ("" if fw.bias else f" and the bias unit a_0 = 1 (line {sheet.bias_unit})")]
    if fw.bias:
        symbols[f"b{L(zl)}"] = f"vector {_units_of(letter, zl)}"
    prod = f"({W})^T {x}" if fw.transposed else f"{W} {x}"
    if m:
        reading, defs = f"{prod} \\in \\mathbb{{R}}^{{{_units_of(letter, zl)}}}", []
        why.insert(0, f"the forward rule's product {prod} (line {fw.line}) must have layer {layer(zl)}'s units")
    else:
        reading = f"{z} \\in \\mathbb{{R}}^{{{_units_of(letter, zl)}}}"
        defs = [f"{z} = {prod}" + (f" + b{L(zl)}" if fw.bias else "")]
        symbols[z] = f"vector {_units_of(letter, zl)}"
        why.insert(0, f"the forward rule's product has layer {layer(zl)}'s units")
    draft.not_checkable = ""
    draft.definitions, draft.inferred, draft.functions, draft.symbols = defs, [], {}, symbols
    draft.reading = reading
    draft.inferred.append("a layer's sizes: " + "; ".join(why))
    return True
