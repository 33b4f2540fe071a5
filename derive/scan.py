r"""``nnderive scan``: a cheat sheet as published in, its claims drafted in the catalogue format out.

Two kinds of sheet are read:

* Markdown with LaTeX math: ``$…$``, ``$$…$$``, ``\[…\]``, ``\(…\)`` and ``equation``/``align``
  environments; each math span holding a relation is drafted as a ``latex`` claim.
* Plain text with Unicode math (``σ'(z) = σ(z)(1 − σ(z))``): around each relation sign the longest
  run of words that is not prose and that :mod:`.notation.unicode`'s grammar reads is the formula,
  drafted as a ``text`` claim.  ``//`` starts a comment, code fences are skipped.

Statements joined by a comma (``a = σ(z), da/dz = a(1 − a)``) become separate claims; a chain
``a = b = c`` stays one claim (the judge checks each link).  A formula ``name = expression``
whose name is a single symbol is also remembered as a definition: later claims of the same
section that use the name get it, and the drafted file says so in a ``note``.

Declarations are inferred only where the sheet supports them, and each inferred one is listed
in the claim's ``note`` so a person can review it:

* a glossary line ``W: weight matrix (n_out × n_in)`` or ``x: input vector (n_in × 1)``;
* ``x ∈ ℝⁿ`` (a vector) and ``W ∈ ℝᵐˣⁿ`` (a matrix) written in the sheet;
* a function by its name: ``softmax``, ``ReLU``, ``sigmoid``, ``tanh``; ``σ`` is the sigmoid
  only where the sheet defines it as ``1/(1+e^(-z))`` or calls it the sigmoid, and an arbitrary
  activation where the sheet calls it an activation function.

* ``W has shape (m, n)`` lines and the shapes a code function's docstring gives its arrays;
* an expression defined where its symbols are declared (``z = Wx + b``) carries them to later sections.

Beyond ``name = expression`` and identities, the scan recognises the forms sheets state claims in:
a definition whose target the glossary shapes (a shape claim), a definition named by a function or a
loss beside it (``ReLU: a = max(0, z)``, ``L = ½(ŷ – y)² [MSE]``), a gradient-descent step, the values
an optimizer block lists (its defaults), a law in an initialisation block (its variance), a difference
quotient, a worked example's arithmetic in words (``0.2 × 0.5 + 0.1, which gives 0.2``), and the readings of
:mod:`.proseread` (a loss's bare ``Σ(ŷ - y)²``, ``∂Z/∂b is simply 1``, an average in words).

Any other symbol stays undeclared, so the judge's verdict is an error naming it: nothing is guessed.
A prose line stating something in words (it causes, prevents, maps ...) with no formula is drafted as
not checkable with that reason; other prose lines are skipped (counted, not drafted).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from .notation import ir, latex, pycode, unicode
from .notation.errors import LatexError
from .notation.readers import READERS
from .backpropblocks import BackpropSheet, backprop_rule
from .codeshapes import returned_expressions, softmax_entry, trace_print_shapes
from .lettershapes import letter_shapes
from .proseread import (average_in_words, bare_loss_sum, batch_activation, dead_relu_gradient, dead_relu_reading, derivative_is_number,
                        flattened_kernel, glossary, mentions, sheet_definition, slope_in_words)
from .worked import worked_values

__all__ = ["Formula", "scan", "scan_text", "to_toml"]

_REL_CHARS = "=≈≤≥←≠∈"
_LATEX_REL = re.compile(r"(?<![\\a-zA-Z])=|\\approx|\\le(?:q)?\b|\\ge(?:q)?\b|\\leftarrow|\\gets|\\ne(?:q)?\b|\\in\b|<|>")
_MATH_CHARS = set("=≈≤≥←→≠∈+−–-×·⋅*/^²³ⁿᵀ√Σ∑∂σηελαβμδŷ()[]|‖'′½")
_FUNCTION_WORDS = frozenset({"log", "ln", "exp", "tanh", "max", "min", "sin", "cos", "softmax", "sigmoid", "relu",
                             "ReLU", "sqrt", "MSE", "BCE", "Var", "hat", "bar", "prev"})
_KNOWN_FUNCTIONS = {"softmax": (r"\operatorname{softmax}", "softmax"), "ReLU": (r"\operatorname{ReLU}", "relu"),
                    "relu": (r"\operatorname{relu}", "relu"), "sigmoid": (r"\operatorname{sigmoid}", "sigmoid"),
                    "softplus": (r"\operatorname{softplus}", "softplus")}
_SIGMOID_DEF = re.compile(r"σ\s*\(\s*(\w)\s*\)\s*=\s*1\s*/\s*\(\s*1\s*\+\s*e\s*(?:\^\s*\(?\s*[-−–]\s*\1\s*\)?|⁻)")


@dataclass
class Formula:
    """One drafted claim: where it is in the sheet and what it says."""

    line: int
    section: str
    quote: str
    formula: str
    notation: str                                   # "latex" or "unicode"
    definitions: list = field(default_factory=list)
    symbols: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    inferred: list = field(default_factory=list)    # what was inferred, for the note
    not_checkable: str = ""                         # why the formula is drafted as no claim
    algorithm: str = ""                             # the optimizer an update line is judged against
    roles: dict = field(default_factory=dict)       # claim symbol or expression -> the optimizer's role
    reading: str = ""                               # the LaTeX the claim is judged in, when not the formula itself
    given: list = field(default_factory=list)       # assumptions the reading needs (each marked in the note)
    theorem: str = ""                               # a proved statement the words claim (no formula)

    def entry(self, cid: str) -> dict:
        out = {"id": cid, "section": self.section, "quote": self.quote}
        if self.not_checkable:
            out["not_checkable"] = self.not_checkable
            out["note"] = f"drafted by nnderive scan from line {self.line}" + (f": {self.formula}" if self.formula else "")
            return out
        if self.theorem:
            out["theorem"] = self.theorem
            out["note"] = f"drafted by nnderive scan from line {self.line}; inferred: " + "; ".join(self.inferred)
            return out
        if self.reading:
            out["latex"] = self.reading
        else:
            out["latex" if self.notation == "latex" else "text"] = self.formula
        if self.definitions:
            out["definitions"] = list(self.definitions)
        if self.given:
            out["given"] = list(self.given)
        if self.symbols:
            out["symbols"] = dict(self.symbols)
        if self.functions:
            out["functions"] = dict(self.functions)
        if self.algorithm:
            out["algorithm"] = self.algorithm
        if self.roles:
            out["roles"] = dict(self.roles)
        out["note"] = f"drafted by nnderive scan from line {self.line}" + (
            "; inferred: " + "; ".join(self.inferred) if self.inferred else "")
        return out


# --------------------------------------------------------------------------- finding formulas
_STOP_WORDS = frozenset({"if", "then", "so", "we", "is", "as", "of", "to", "in", "at", "by", "and", "or", "for", "with",
                         "where", "when", "the", "an", "it", "its", "on", "be"})


_CONDITION_WORDS = frozenset({"if", "when", "unless", "else", "otherwise", "for", "only", "iff"})
_WORDED = "\0"            # marks a formula whose condition follows in words


def _is_prose_word(w: str) -> bool:
    core = w.strip(".,;:!?\"“”()[]")
    core = re.sub(r"(?<=[A-Za-z])[’'](?=[a-z]{1,2}$)", "", core)     # it’s, isn't: a word
    if core.lower() in _STOP_WORDS:
        return True
    if not core or any(c in _MATH_CHARS for c in core):
        return False
    if core in _FUNCTION_WORDS or core.split("_")[0] in _FUNCTION_WORDS:
        return False
    return core.isascii() and core.isalpha() and len(core) >= 3 and "_" not in core


def _parses(text: str) -> bool:
    try:
        unicode.to_latex(text)
    except LatexError:
        return False
    return any(c in text for c in _REL_CHARS)


#: a tag in brackets after a formula, ``[MSE]``, ``[Nice form!]``, ``[1st moment: mean]``: words, not math
_TAG = re.compile(r"\s*\[\s*(?=[^\]]*(?:[A-Za-z]{3,}|\b[A-Z]{2,}\b))[A-Za-z0-9][\w :!,.'’-]*\]$")


def _trim(s: str) -> str:
    s = _TAG.sub("", s.strip().rstrip(".,;:"))
    if s.startswith("*") or s.endswith("**"):     # Markdown emphasis around a formula: *z = …**
        s = s.strip("*")
    if s.count("[") > s.count("]"):               # "(ŷ - y) [no exponential]" cut at the prose: a tag's start
        s = re.sub(r"\s*\[[A-Za-z ]*$", "", s)
    s = s.strip().rstrip(".,;:")
    # "(Z = W·X)" set in brackets inside a sentence; "(W) W ← …", a row labelled with its symbol
    if s.startswith("(") and s.endswith(")") and _closing(s, 0) == len(s) - 1:
        s = s[1:-1].strip()
    label = re.match(r"\((\w+)\)\s+(?=\1\b)", s)
    if label:
        s = s[label.end():]
    # a bracket opened and never closed in the span belongs to the prose around it
    while s and s.count("(") < s.count(")") and s.endswith(")"):
        s = s[:-1].rstrip()
    while s and s.count("(") > s.count(")") and s.startswith("("):
        s = s[1:].lstrip()
    return s


def _closing(s: str, k: int) -> int:
    """The index of the bracket closing the one at ``s[k]`` (-1 when it is never closed)."""
    depth = 0
    for j in range(k, len(s)):
        depth += {"(": 1, ")": -1}.get(s[j], 0)
        if depth == 0:
            return j
    return -1


def _plain_formulas(line: str) -> list[str]:
    """The formulas of one plain-text line, in reading order."""
    words = line.split()
    out, k = [], 0
    while k < len(words):
        if not any(c in words[k] for c in _REL_CHARS) or _is_prose_word(words[k]):
            k += 1
            continue
        lo, hi = k, k + 1
        while lo > 0 and not _is_prose_word(words[lo - 1]):
            lo -= 1
        while hi < len(words) and not _is_prose_word(words[hi]):
            hi += 1
        # the span ends where the prose starts (never cut short: a cut formula says something else);
        # words the grammar cannot read at its start are prose the word test let through
        best = None
        if lo < k and re.fullmatch(r"[A-Za-z]+", words[lo]) and words[lo] in _FUNCTION_WORDS and _qualified(
                " ".join(words[:lo]) + " "):
            lo += 1         # "Leaky ReLU f(z) = …": the name belongs to the words before it, not to the formula
        for a in range(lo, k + 1):
            cand = _trim(" ".join(words[a:hi]))
            if cand and _parses(cand):
                best = cand
                break
        best = best or _trim(" ".join(words[lo:hi]))     # drafted as it is: the judge names the problem
        if best and any(c in best for c in _REL_CHARS):
            if hi < len(words) and words[hi].strip(",;").lower() in _CONDITION_WORDS:
                out.append(_WORDED + best)          # "= 1 if z>0, else 0": the words are part of the claim
            else:
                out.extend(_split_commas(best))
        k = hi
    return out


_END_ENV = re.compile(r"\\end\{[^}]*\}")
_LATEX_MARK = re.compile(r"\\[a-zA-Z]+|\^\{|_\{")


def _katex_source(line: str) -> str | None:
    r"""The LaTeX of a formula copied from a KaTeX page, which pastes it three times in a row: the MathML
    text, the LaTeX annotation, the rendered glyphs (``g(z)=11+e−zg(z) = \frac{1}{1 + e^{-z}}g(z)=1+e−z1``).
    The two copies hold the same characters (a fraction's parts in another order) and no space: the
    annotation between them is found so even when it has no LaTeX command (``g'(z) = g(z)(1 - g(z))``);
    else it is found by its LaTeX marks: it starts with the formula's first symbol (or a command) after the
    MathML copy, ends where
    the rendered copy starts again, and must read as a LaTeX relation; None for any other line."""
    text = line.strip().lstrip("•*-– ").strip()
    n = len(text)
    for p in range(1, n // 2):      # the two copies around the annotation hold the same characters
        q = n - p
        cand = text[p:q].strip().rstrip(".,;")
        if sorted(text[:p]) != sorted(text[q:]) or not cand.isascii() or " " not in cand and "\\" not in cand \
                or not _LATEX_REL.search(cand) or " " in text[:p] + text[q:] or not (cand[:1].isalnum() or cand[:1] == "\\"):
            continue
        try:
            if latex.read(cand):
                return cand
        except LatexError:
            continue
    first = _LATEX_MARK.search(text)
    if first is None or not text or not any(ord(c) > 127 for c in text[:first.start()] + text[first.end():]):
        return None
    rel = re.search(r"[=∈≈≤≥]", text)
    head = text[:rel.start()] if rel and rel.start() < first.start() else text[:1]
    starts = [p for p in range(1, first.start() + 1)
              if (text[p] == text[0] or text[p] == "\\") and all(ord(c) < 128 for c in text[p:first.start()])]
    for p in starts:
        end = text.rfind(head, p + 1) if head else -1
        for q in ([end] if end > first.start() else []) + [len(text)]:
            cand = text[p:q].strip().rstrip(".,;")
            if not _LATEX_REL.search(cand) or not all(ord(c) < 128 for c in cand):
                continue
            try:
                statements = latex.read(cand)
            except LatexError:
                continue
            if statements:
                return cand
    return None


def _katex_sources(line: str) -> list[str]:
    """The annotations of a line holding one KaTeX copy, or two side by side (``z(l)=…z^{(l)} = …z(l)=…
    a(l)=…a^{(l)} = …a(l)=…``, cut at a space between them); [] for any other line."""
    one = _katex_source(line)
    if one is not None:
        return [one]
    text = line.strip()
    if len(text) > 400:
        return []
    for k in range(1, len(text) - 1):
        if text[k] == " " and text[k - 1] != " " and text[k + 1] != " ":
            left = _katex_source(text[:k])
            right = left and _katex_source(text[k + 1:])
            if left and right:
                return [left, right]
    return []

def _env_depths(text: str) -> list[int]:
    r"""The ``\begin{..}``/``\end{..}`` nesting depth at each character (a comma or ``\\`` inside a
    ``cases`` block belongs to the block)."""
    out, depth, k = [], 0, 0
    while k < len(text):
        if text.startswith("\\begin{", k):
            depth += 1
        m = _END_ENV.match(text, k)
        out.append(depth)
        if m:
            out.extend([depth] * (m.end() - k - 1))
            k = m.end()
            depth = max(0, depth - 1)
            continue
        k += 1
    return out


def _split_commas(formula: str) -> list[str]:
    """``a = σ(z), da/dz = a(1 − a)``: the statements joined by top-level commas, when each has a relation."""
    parts, cur = [], ""
    for c, top in zip(formula, _top_level(formula)):
        if c == "," and top:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    parts = [p.strip() for p in parts]
    if len(parts) > 1 and all(any(r in p for r in _REL_CHARS) for p in parts):
        return [p for p in parts if _parses(p)]
    return [formula]


_MATH_SPANS = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<![\\$])\$([^$\n]+?)\$"
                         r"|\\begin\{(equation\*?|align\*?|gather\*?)\}(.+?)\\end\{\5\}", re.S)


def _latex_formulas(text: str):
    """(line, formula) of each math span holding a relation."""
    for m in _MATH_SPANS.finditer(text):
        body = next(g for g in (m.group(1), m.group(2), m.group(3), m.group(4), m.group(6)) if g is not None)
        line = text.count("\n", 0, m.start()) + 1
        for row in _top_level_rows(body):       # rows of an aligned block (not the rows of a cases block)
            row = _outside_envs(row, lambda t: t.replace("&", " "))
            row = re.sub(r"\\(?:label|tag)\{[^}]*\}", "", row)
            for piece in _top_level_statements(row):
                piece = piece.strip().rstrip(".,;").strip()
                if piece and _LATEX_REL.search(piece) and not (piece.startswith("(") and piece.endswith(")")):
                    yield line, piece


def _top_level_rows(body: str) -> list[str]:
    env = _env_depths(body)
    rows, start = [], 0
    for m in re.finditer(r"\\\\|\n\s*\n", body):
        if env[m.start()] == 0:
            rows.append(body[start:m.start()])
            start = m.end()
    rows.append(body[start:])
    return rows


def _top_level(text: str) -> list[bool]:
    """At each character: outside every brace, bracket and ``\\begin..\\end`` block."""
    env, depth, out = _env_depths(text), 0, []
    for c, e in zip(text, env):
        if c in "([{":
            depth += 1
        out.append(depth == 0 and e == 0)
        if c in ")]}":
            depth = max(0, depth - 1)
    return out


def _top_level_statements(row: str) -> list[str]:
    r"""``a = \sigma(z), \quad \frac{da}{dz} = a(1 - a)``: the statements a ``\quad`` (or ``\qquad``)
    separates at the top level, each drafted as its own claim."""
    top = _top_level(row)
    parts, start = [], 0
    for m in re.finditer(r",?\s*\\q?quad\b", row):
        if top[m.start()]:
            parts.append(row[start:m.start()])
            start = m.end()
    parts.append(row[start:])
    return parts


def _first_link(value: str) -> str | None:
    r"""``\sigma(z)`` of the chain value ``\sigma(z) = \frac{1}{1 + e^{-z}}``: the text before the first
    top-level ``=`` (None when there is none)."""
    top = _top_level(value)
    for m in re.finditer(r"(?<![\\a-zA-Z<>!])=", value):
        if top[m.start()]:
            return value[:m.start()].strip() or None
    return None


def _blank_envs(text: str) -> str:
    """``text`` with the inside of every ``\\begin..\\end`` block blanked (a cases block's conditions are
    not the formula's relation)."""
    return "".join(c if d == 0 else " " for c, d in zip(text, _env_depths(text)))


def _outside_envs(text: str, fn) -> str:
    """``fn`` applied to the parts of ``text`` outside ``\\begin..\\end`` blocks."""
    env = _env_depths(text)
    out, cur, inside = [], "", False
    for c, d in zip(text, env):
        if (d > 0) != inside:
            out.append(cur if inside else fn(cur))
            cur, inside = "", d > 0
        cur += c
    out.append(cur if inside else fn(cur))
    return "".join(out)


# --------------------------------------------------------------------------- declarations
_GLOSSARY = re.compile(r"^\s*[-*•]?\s*([^\W\d_][\w]*)\s*:\s*(.+)$")
_SHAPE = re.compile(r"\(\s*([\w]+)\s*[×x]\s*([\w]+)\s*\)")
_IN_R = re.compile(r"(?<!\w)([^\W\d_](?:_\w+|\d+)?)\s*∈\s*ℝ([ⁿᵐᵏᵈ]|\^\{?\w+\}?)(?:[ˣ×]([ⁿᵐᵏᵈ]|\w))?")
_R_SHAPE = r"ℝ([ⁿᵐᵏᵈ]|\^\{?\w+\}?)(?:[ˣ×]([ⁿᵐᵏᵈ]|\w))?"
#: ``X is a group of numbers arranged in ℝⁿˣᵐ``, ``W looks like ℝᵏˣⁿ``: a letter, a verb of being, prose words
#: only (no other symbol the space could belong to), then ``in``/``like`` ℝ; not a letter after a word that makes
#: it an object (``times``, ``of``, ``to``, ``for`` ...: "the map sends x to y is in ℝⁿ" says nothing of y)
_PROSE_IN_R = re.compile(r"(?<![\w\\])(?<!times )(?<!plus )(?<!minus )(?<!over )(?<!by )(?<!of )(?<!with )(?<!to )(?<!for )(?<![-+×·*/=] )"
                         r"([A-Za-z])\s+(?:is|looks|lies|lives)\b(?:\s+(?:a|an|[a-z]{2,}))*?\s+(?:in|like)\s+"
                         + _R_SHAPE)
#: ``(Z = W·X) gives us a new form in ℝᵏˣᵐ``: the space of the defined letter
_GIVES_IN_R = re.compile(r"(?<![\w\\])([A-Za-z])\s*=\s*[^()=]+?\)?,?\s+(?:gives|yields)\b(?:\s+(?:a|an|[a-z]{2,}))*?"
                         r"\s+in\s+" + _R_SHAPE)
#: ``- Weight matrix W has shape (m, n)``, ``- Bias vector b has shape (m,)``, ``Output z = Wa + b has shape (m,)``
_HAS_SHAPE = re.compile(r"^\s*[-*•]?\s*(.*?)\s+has\s+shape\s+\(([^()]*)\)")
_SUPER_LETTER = {"ⁿ": "n", "ᵐ": "m", "ᵏ": "k", "ᵈ": "d"}


def _letter(s: str) -> str:
    """A size as a declaration's shape letter: ``n_out`` -> ``n_{out}``; a size named by a word
    (``batch_size``) -> one letter labelled with the word, ``b_{batchsize}`` (a shape letter is one letter)."""
    s = _SUPER_LETTER.get(s, s).strip("^{}")
    head, _, tail = s.partition("_")
    if len(head) > 1 and head.isalpha():
        return f"{head[0]}_{{{head}{tail}}}"
    return f"{head}_{{{tail}}}" if tail else head


def _symbol_key(name: str) -> str | None:
    """The LaTeX spelling of a plain-text symbol (the catalogue's key), None when it does not read."""
    try:
        return unicode.to_latex(name)
    except LatexError:
        return None


def _sheet_declarations(lines, sections) -> dict:
    """(section, symbol key) -> (declaration, why) from the glossary lines and ``∈ ℝ`` statements:
    a sheet reuses letters (z a vector in one section, a scalar in another), so a declaration
    holds in its own section only."""
    out = {}
    for no, line in enumerate(lines, 1):
        sec = sections.get(no, "")
        m = _GLOSSARY.match(line)
        if m:
            name, desc = m.groups()
            shape = _SHAPE.search(desc)
            key = _symbol_key(name)
            if shape and key:
                r, c = _letter(shape.group(1)), _letter(shape.group(2))
                if c == "1":
                    out[sec, key] = (f"vector {r}", f"{name}: vector {r} from line {no}")
                elif r != "1" and not any(ch.isdigit() for ch in r + c):
                    out[sec, key] = (f"matrix {r} {c}", f"{name}: matrix {r} {c} from line {no}")
        m = _HAS_SHAPE.match(line)
        if m:
            subject, dims = m.group(1), [d.strip() for d in m.group(2).split(",")]
            name = (subject.split("=")[0] if "=" in subject else subject).split()
            key = name and _symbol_key(name[-1])
            more = " (the first of the shapes the line gives)" if re.search(r"\)\s*(?:for [^()]*)?\bor\b", line) else ""
            if key and len(name[-1]) <= 3 or key and "_" in name[-1]:
                if len(dims) == 2 and not dims[1]:
                    out[sec, key] = (f"vector {_letter(dims[0])}", f"{name[-1]}: vector from line {no}{more}")
                elif len(dims) == 2 and all(re.fullmatch(r"[A-Za-z]\w*", d) for d in dims):
                    out[sec, key] = (f"matrix {_letter(dims[0])} {_letter(dims[1])}",
                                     f"{name[-1]}: matrix from line {no}{more}")
        for pat, how in ((_IN_R, "∈ ℝ"), (_PROSE_IN_R, "the sentence's ℝ"), (_GIVES_IN_R, "the ℝ its definition gives")):
            for m in pat.finditer(line):
                name, r, c = m.group(1), _letter(m.group(2)), m.group(3)
                key = _symbol_key(name)
                if key is None:
                    continue
                if c:
                    out.setdefault((sec, key), (f"matrix {r} {_letter(c)}", f"{name}: matrix from {how} on line {no}"))
                else:
                    out.setdefault((sec, key), (f"vector {r}", f"{name}: vector {r} from {how} on line {no}"))
    return out


def _sheet_functions(text: str) -> dict:
    """function key -> (function, why) from what the sheet says of σ and from known names."""
    out = {}
    if _SIGMOID_DEF.search(text) or re.search(r"sigmoid[^.\n]{0,40}(σ|\\sigma)|(σ|\\sigma)[^.\n]{0,10}sigmoid", text, re.I):
        out[r"\sigma"] = ("sigmoid", "σ is the sigmoid (the sheet defines or names it)")
    elif re.search(r"σ\s*:\s*activation function", text):
        out[r"\sigma"] = ("activation", "σ is an activation, entry by entry (the sheet's glossary)")
    for word, (key, fn) in _KNOWN_FUNCTIONS.items():
        if re.search(rf"\b{word}\s*\(", text):
            out[key] = (fn, f"{word} by its name")
    return out


# --------------------------------------------------------------------------- the scan
_HEADING_MD = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_DEFINITION = re.compile(r"^\s*([^\W\d]\w*(?:\^\(\w+\))?)\s*(?:=|:=)\s*(.+)$")     # a, a1, a_i, a^(l)
#: ``name = value`` with name one symbol as sheets spell it: ``a``, ``a_i``, ``\hat{y}``, ``\mathcal{L}_{\text{SSE}}``,
#: a layer's ``z^{(l)}``
_LATEX_DEFINITION = re.compile(r"^\s*((?:\\[a-zA-Z]+\{[^{}]*\}|\\[a-zA-Z]+|[a-zA-Z])"
                               r"(?:_(?:\{(?:[^{}]|\{[^{}]*\})*\}|\w))?(?:\^\{\([^{}()]*\)\})?)\s*(?:=|:=)\s*(.+)$")
_DEFAULT_WORDS = re.compile(r"\b(?:defaults?|typical(?:ly)?|usually|recommended|standard)\b", re.I)
_NUMBER = re.compile(r"^\s*[-−]?\d+(\.\d+)?([eE][-−]?\d+)?\s*$")

#: an optimizer a block of the sheet names (a heading, a comment line): the block's update lines are
#: drafted with it as ``algorithm``; Nesterov's look-ahead gradient is not drafted ("")
_OPTIMIZER_NAMES = ((re.compile(r"\bnesterov\b", re.I), "nesterov"), (re.compile(r"\badam\b", re.I), "adam"),
                    (re.compile(r"\brmsprop\b", re.I), "rmsprop"), (re.compile(r"\bada\s?grad\b", re.I), "adagrad"),
                    (re.compile(r"\bmomentum\b", re.I), "momentum"),
                    (re.compile(r"\b(?:sgd|gradient descent)\b", re.I), "gd"))
#: Adam's bias-corrected moments: update lines of the block although the name is not on both sides
_CORRECTED = ("m_hat", "v_hat", "m̂", "v̂")
_GRADIENT = re.compile(r"∂([^\W\d_])/∂([^\W\d_]\w*)")


def _unglue(name: str, value: str) -> str:
    """``βv + (1–β)∇C`` with ``βv`` spaced as ``β v`` where the letter after the Greek one is the update's
    own target ``v``: a product of the block's coefficient and the quantity updated (the reader refuses the
    glued spelling as one name or a product); ``value`` unchanged when no such spelling is in it."""
    if not re.fullmatch(r"[^\W\d_]\w*", name):
        return value
    return re.sub(rf"(?<!\w)([α-ωΑ-Ω])(?={re.escape(name)}(?!\w))", r"\1 ", value)


def _as_update(draft, algorithm):
    """An update line of an optimizer block (``v = β×v + ∂J/∂w`` under ``// Momentum``): judged against
    that optimizer, the roles read from the spellings (the judge infers them: v, β, lr, g, ε, m_hat).
    A gradient written ∂J/∂w is the gradient of some J of w; ``lr`` is one name."""
    draft.formula = re.sub(r"\s*\[[^\]]*$", "", draft.formula)     # "[1st moment: mean]" cut at the line's end
    draft.definitions = []          # the roles give the block's names their meaning, not the lines above
    draft.inferred = [w for w in draft.inferred if not w.startswith("definition of ")]
    draft.algorithm = algorithm
    draft.inferred.append(f"an update of {algorithm}, the optimizer the block names")
    name, value = draft.formula.split("=", 1)
    name = name.strip()
    spaced = _unglue(name, value)
    reading = f"{name} = {spaced.strip()}"
    if spaced != value:
        draft.formula = reading.strip()
        draft.inferred.append(f"a Greek letter written against {name} (βv) is a product: β·{name}")
    if algorithm == "nesterov":
        _nesterov_roles(draft, name)
        return
    nablas = dict.fromkeys(re.findall(r"∇\s*([^\W\d_])(?![\w_])", reading))
    if len(nablas) == 1:        # ∇C with no variable: the gradient the update uses, one opaque symbol
        f = next(iter(nablas))
        g = next((c for c in "gGq" if not re.search(rf"(?<![\\\w]){c}(?!\w)", reading)), None)
        tex = g and _symbol_key(re.sub(r"∇\s*" + re.escape(f) + r"(?![\w_])", g, reading))
        if tex:
            draft.reading = tex
            draft.roles[g] = "grad"
            draft.inferred.append(f"∇{f}: the gradient of {f} by the parameter the block updates, read as one "
                                  f"symbol {g} (the update does not depend on what {f} is)")
    for f, w in dict.fromkeys(_GRADIENT.findall(draft.formula)):
        key = _symbol_key(f"∂{f}/∂{w}")
        if key:
            draft.definitions.append(f"{f} = F({w})")
            draft.roles[key] = "grad"
            draft.inferred.append(f"∂{f}/∂{w}: the gradient of some {f} of {w}")
    if re.search(r"(?<!\w)lr(?!\w)", draft.formula):
        draft.symbols["lr"] = "scalar positive"
        draft.roles["lr"] = "lr"
        draft.inferred.append("lr: the learning rate, one name")


_AHEAD = re.compile(r"∂([^\W\d_])\s*/\s*∂([^\W\d_])\s*\|_\{?\2_ahead\}?")


def _nesterov_roles(draft, name):
    """A Nesterov block's lines: ``w_ahead = w - …`` sets the look-ahead point, ``∂J/∂w|_{w_ahead}`` is the
    gradient taken there (one symbol g_ahead), and the parameter, velocity, momentum and learning rate
    are named by their spellings (w, v, β, lr); a line the roles do not cover is left to the judge."""
    m = re.fullmatch(r"([^\W\d_])_ahead", name)
    formula = draft.formula
    if m:
        draft.roles[f"{m.group(1)}_{{ahead}}"] = "lookahead"
        draft.roles[m.group(1)] = "param"
        draft.inferred.append(f"{name}: the look-ahead point, {m.group(1)} the parameter")
    ahead = _AHEAD.search(formula)
    if ahead:
        f, w = ahead.groups()
        if re.search(r"(?<![\w\\])g(?![\w])", formula):
            draft.not_checkable = "the gradient at the look-ahead point cannot be named g: g is used"
            return
        formula = formula[:ahead.start()] + "g_ahead" + formula[ahead.end():]
        draft.reading = _symbol_key(formula) or ""
        draft.roles["g_{ahead}"] = "lookahead_grad"
        draft.inferred.append(f"∂{f}/∂{w}|_{{{w}_ahead}}: the gradient at the look-ahead point, one symbol g_ahead")
    for k, role in (("v", "velocity"), ("β", "momentum"), ("\\beta", "momentum")):
        if re.search(rf"(?<![\w\\]){re.escape(k)}(?![\w])", formula):
            draft.roles["\\beta" if k == "β" else k] = role
    if re.search(r"(?<!\w)lr(?!\w)", formula):
        draft.symbols["lr"] = "scalar positive"
        draft.roles["lr"] = "lr"
    if not m and re.fullmatch(r"[^\W\d_]", name) and name != "v":
        draft.roles[name] = "param"


#: a loss the sheet names in words near its formula: (pattern, function); "cross entropy" is
#: decided by the formula (binary with a 1 - y term, else categorical)
_LOSS_NAMES = ((re.compile(r"mean[ -]squared[ -]error|\bMSE\b", re.I), "mse"),
               (re.compile(r"sum[ -]of[ -]squared[ -]errors?|\bSSE\b", re.I), "sse"),
               (re.compile(r"binary[ -]cross[ -]?entropy|\bBCE\b|log[ -]loss", re.I), "bce"),
               (re.compile(r"categorical[ -]cross[ -]?entropy|\bCCE\b", re.I), "cce"),
               (re.compile(r"cross[ -]?entropy", re.I), "cross entropy"))


#: words that add a penalty to a named loss (``MSE with L2``, ``BCE + weight decay``, ``regularized``),
#: or arithmetic on it (``SSE / m``, ``half the SSE``): the formula is then not the loss itself
_PENALTY = re.compile(r"\b(?:L[12]|l[12][ -]?(?:norm|penalty|reg\w*)|penalt\w*|regulari[sz]\w*|weight[ -]decay|ridge|"
                      r"lasso|elastic|plus|over|divided|times|half|halved|twice|scaled)\b|[+/×·*]", re.I)


def _loss_words(draft, lines) -> list[str]:
    r"""Where a sheet names the loss a formula writes, nearest first: a bracket after it on its line
    (``L = (1/2m) × Σ(ŷ - y)²  [MSE]``), the name's own subscript (``\mathcal{L}_{\text{SSE}}``), the words
    before it on its line, and the line above when the formula starts its line (a heading)."""
    at = draft.quote.find(draft.formula[:12])
    if at < 0:
        return []
    after = draft.quote[at + len(draft.formula):]
    words = [m.group(1) for m in [re.match(r"\s*[.,;]?\s*\[([^\]]{2,40})\]", after)] if m]
    sub = re.match(r"\s*\\mathcal\{\w\}_\{\\(?:text|mathrm)\{(\w+)\}\}", draft.formula)
    words += [sub.group(1)] if sub else []
    before = draft.quote[max(0, at - 160):at]
    words.append(before)
    prev = next((ln for ln in reversed(lines[:draft.line - 1]) if ln.strip()), "")
    if not re.search(r"[A-Za-z]{3,}", draft.quote[:at]) and len(prev) <= 80 and \
            not any(c in prev for c in _REL_CHARS + "$"):       # a heading, not another formula's line
        words.append(prev)
    return words


def _named_loss(draft, lines) -> tuple[str, str, dict] | None:
    """``(function, definition, declarations)`` when the sheet names a loss where the formula is (see
    :func:`_loss_words`: the first place that names one decides) and the formula is written in the
    prediction ŷ and the target y: of one example (scalars), or summed over an index i that subscripts
    both (``Σ y_i log(ŷ_i)``: vectors of n entries); then the formula is a claim about that loss, not a
    bare definition.  A bare ``Σ`` is given the index i only when i is the one subscript written."""
    latex = draft.notation == "latex"
    hat = "\\hat{y}" if latex else "ŷ"
    body = draft.formula
    summed = any(t in body for t in ("Σ", "\\sum", "∑"))
    bare = None if latex or not summed else bare_loss_sum(body)
    size, body = (bare[1], bare[0]) if bare else ("n", body)
    kinds = [draft.symbols.get(k, "").split() for k in ("\\hat{y}", "y")]
    declared = {kind[1] for kind in kinds if kind[:1] == ["vector"] and len(kind) > 1}
    if summed and any(kinds):       # the sheet's lengths of ŷ and y: the sum runs over them, or nothing is read
        if len(declared) != 1 or bare and declared != {size} or any(kind[:1] not in ([], ["vector"]) for kind in kinds):
            return None             # "(1/m) Σ(ŷ - y)²" with ŷ and y of K entries: m terms of K-vectors
        size = declared.pop()
    glued = ""
    if not latex and summed and re.search(r"[Σ∑](?![ᵢ_])", body) and _symbol_key(body) is None:
        # L = -Σ yi × log(ŷi): under a Σ with no index, yi and ŷi (both written so) are the i-th entries
        glued = re.sub(r"(?<![^\W\d_])([yŷ])i(?![^\W\d_])", r"\1_i", body)
        if not re.search(r"(?<![^\W\d_])y_i", glued) or "ŷ_i" not in glued:
            return None
        body = glued
    if hat not in body or not re.search(r"(?<![\w\\])y(?![^\W_])", body.replace(hat, "")):
        return None
    tex = body if latex else _symbol_key(body)
    if tex is None:
        return None
    if glued:
        draft.inferred.append("yi and ŷi under a Σ with no index: the i-th entries y_i and ŷ_i")
        draft.reading = tex
    decls = {}
    if summed:
        subs = set(re.findall(r"_\{?\s*([a-z])\s*\}?", tex))
        sums = re.findall(r"\\sum(_\{?\s*([a-z])\s*\}?)?", tex)
        if subs != {"i"} or len(sums) != 1 or sums[0][1] not in ("", "i") or \
                not re.search(r"(?<![\\A-Za-z])y_\{?i\b", tex) or not re.search(r"\\hat\{y\}_\{?i\b", tex):
            return None
        if not sums[0][1]:
            draft.reading = tex.replace("\\sum", "\\sum_{i}", 1)
            draft.inferred.append("Σ with no index, over terms subscripted by i alone: the sum runs over i")
        decls = {"i": f"index {size}", "y": f"vector {size}", "\\hat{y}": f"vector {size}"}
    elif any(t in body for t in ("_i", "ᵢ")):
        return None
    hits = []
    for words in _loss_words(draft, lines):
        hits = [(m.end(), fn) for pat, fn in _LOSS_NAMES for m in pat.finditer(words)]
        if hits:
            break
    if not hits or _PENALTY.search(words):
        return None                 # "[MSE with L2]": the loss and a penalty, not the loss the name is
    fn = max(hits)[1]
    if fn == "cross entropy":   # two terms, y and 1 - y: the binary loss; else the categorical one
        fn = "bce" if re.search(r"1\s*[-–−]\s*y", body) else "cce"
    if fn == "cce" and not summed or fn == "sse" and not summed:
        return None             # a categorical loss or a sum of errors over one scalar: not read
    kind = f"vector {size}" if summed else "scalar"
    if bare:                        # the sum written over its entries: judged in that LaTeX reading
        draft.reading = tex
        draft.inferred.extend(bare[2])
    dom = {"bce": ("(0,1)", "[0,1]"), "cce": ("(0,1)", "[0,1]")}.get(fn, ("real", "real"))
    decls.update({"\\hat{y}": f"{kind} {dom[0]}", "y": f"{kind} {dom[1]}"})
    name = body.split("=")[0].strip()
    if draft.reading:               # judged in its LaTeX reading: the definition in LaTeX too
        return fn, f"{_symbol_key(name)} = \\operatorname{{{fn.upper()}}}(\\hat{{y}}, y)", decls
    op = f"\\operatorname{{{fn.upper()}}}"
    return fn, f"{name} = {op if latex else fn.upper()}({hat}, y)", decls


_SHAPE_GROUP = r"\(\s*\w+\s*[×x]\s*\w+\s*\)(?:\^T|ᵀ)?"
_SHAPE_PRODUCT = rf"{_SHAPE_GROUP}(?:\s*[×@·]\s*{_SHAPE_GROUP})*"
_SHAPE_CHAIN = re.compile(rf"{_SHAPE_PRODUCT}(?:\s*=\s*{_SHAPE_PRODUCT})+")


def _shape_chain(no: int, line: str, section: str) -> list[Formula]:
    r"""Shape arithmetic: ``(m×n) = (m×k) × (k×n)^T = (m×k) × (n×k)`` or ``(n_out × B) @ (B × n_in) = (n_out × n_in)``.
    Each ``(r × c)`` stands for a matrix of that shape; the side that is one shape is the shape claimed of
    each product in the chain: one claim per product, ``G K^T \in \mathbb{R}^{m \times n}``, its formula the
    chain up to it (so each claim quotes what it says)."""
    m = _SHAPE_CHAIN.search(line)
    if not m:
        return []
    sides = [(x.group(0), x.start() + m.start(), x.end() + m.start())
             for x in re.finditer(_SHAPE_PRODUCT, m.group(0))]
    single = [sd for sd in sides if len(re.findall(_SHAPE_GROUP, sd[0])) == 1 and not re.search(r"\^T|ᵀ", sd[0])]
    if len(single) != 1 or single[0] not in (sides[0], sides[-1]):
        return []
    rows, cols = re.findall(r"\w+", single[0][0])
    out = []
    for text, start, end in sides:
        if (text, start, end) == single[0]:
            continue
        factors, syms = [], {}
        for k, g in enumerate(re.finditer(_SHAPE_GROUP, text)):
            r, c = re.findall(r"[A-Za-z_0-9]+(?=\s*[×x)])|(?<=[×x])\s*\w+", g.group(0))[:2]
            letter = "GHKPQRSUV"[k] if k < 9 else None
            if letter is None:
                return out
            syms[letter] = f"matrix {_letter(r.strip())} {_letter(c.strip())}"
            factors.append(letter + ("^T" if re.search(r"\^T|ᵀ", g.group(0)) else ""))
        lo, hi = (min(start, single[0][1]), max(end, single[0][2]))
        d = Formula(no, section, line.strip(), line[lo:hi].strip(), "unicode",
                    reading=" ".join(factors) + f" \\in \\mathbb{{R}}^{{{_letter(rows)} \\times {_letter(cols)}}}")
        d.symbols = syms
        d.inferred.append("shape arithmetic: each (r × c) a matrix of that shape (" + ", ".join(
            f"{k} {v.split(' ', 1)[1]}" for k, v in syms.items()) + f"); the product claimed to be {rows} × {cols}")
        out.append(d)
    return out


#: the words of a statement about what something does or is like (a claim in words, not a formula)
_CLAIM_WORDS = re.compile(r"\b(?:causes?|prevents?|solves?|avoids?|reduces?|increases?|improves?|helps?|ensures?|"
                          r"keeps?|leads? to|better|worse|faster|slower|always|never|must|should|maps?|mapping|"
                          r"squashes|converts?|shrinks?|grows?|vanish(?:es|ing)?|explod(?:es|ing)|saturates?)\b", re.I)
_NUM = r"(?:[-−–]\s?)?\d+(?:\.\d+)?"
_HEDGE = r"(?:about|around|approximately|roughly|nearly|almost)"
#: arithmetic of numbers only (a product, a sum, brackets, a square), then the words that give its value
_WORKED_SUM = re.compile(rf"(?<![\w.)])((?:\(\s*{_NUM}\s*\)|{_NUM})(?:[²³])?(?:\s*[-−–+×·*/]\s*(?:\(\s*{_NUM}\s*\)|{_NUM})(?:[²³])?)+)"
                         rf",?\s+which\s+(?:gives|is|equals|makes|comes\s+out\s+to|works\s+out\s+to(?:\s+be)?)"
                         rf"(?:\s+(?:us|you))?\s+(?:{_HEDGE}\s+)?({_NUM})(?![\w.]*\d)")
_WORKED_CALL = re.compile(rf"\bplug(?:ging)?\s+({_NUM})\s+into\s+(?:the\s+)?(sigmoid|tanh|relu|softplus)(?:\s+function)?,?"
                          rf"\s+(?:you|we)\s+get\s+(?:{_HEDGE}\s+)?({_NUM})(?![\w.]*\d)", re.I)


_RANGE_WORDS = re.compile(rf"\b(?:maps?|squash(?:es)?|squish(?:es)?)\b[^.;:]{{0,40}}?\bbetween\s+({_NUM})\s+and\s+({_NUM})"
                          rf"|\b(?:mapping|maps?)\s+(?:\w+\s+)?to\s+\(\s*({_NUM})\s*,\s*({_NUM})\s*\)")
_RANGE_FUNCTION = re.compile(r"(?<![\w\\])(sigmoid|logistic|tanh|σ)(?!\w)", re.I)


def _qualified(before: str) -> bool:
    """Whether the words ``before`` a function's name end on one that makes it another function (``Leaky``,
    ``hard``), not on a small word (the, a, of, using ...)."""
    return bool(re.search(r"[A-Za-z][\w’']*[\s-]+$", before)) and not re.search(
        r"(?:^|\W)(?:the|a|an|is|of|use|uses|using|and|called|via|with|like|as)[\s-]+$", before, re.I)


def _bare_name(text: str, m) -> bool:
    """Whether the function name ``m`` found in ``text`` stands alone: no word before it that makes it another
    function (Leaky ReLU, hard sigmoid) and none after it (a sigmoid variant), other than "function" and the
    like; a call ``tanh(z)`` or punctuation may follow."""
    before, after = text[:m.start()], text[m.end():]
    if _qualified(before):
        return False
    nxt = re.match(r"[\s-]*([A-Za-z]+)", after)
    return not nxt or after.lstrip().startswith("(") or nxt.group(1).lower() in (
        "function", "functions", "activation", "is", "it", "which", "that", "maps", "squashes", "squishes", "gives")


_INTERVAL = re.compile(r"^\s*(\\?[A-Za-z]+(?:_\{[^{}]*\}|_\w)?(?:\^\{[^{}]*\})?)\s*\\in\s*\[([^\[\],]+),([^\[\],]+)\]\s*$")
_DRAW = re.compile(r"^\s*([A-Za-z]\w*)\s*=\s*(?:np\.random\.)?rand\s*\([^()]*\)\s*\*\s*(.+?)\s*-\s*([^-+*/]+?)\s*;?\s*$")


def _uniform_draw(no: int, line: str, section: str, intervals: dict) -> list[Formula]:
    r"""``Theta = rand(x,y) * (2*epsilon) - epsilon;`` below ``\Theta_{i,j}^{(l)} \in [-\epsilon, \epsilon]``:
    rand draws from [0, 1), so the code's ends are ``0 · s - c`` and ``1 · s - c``; drafted as the claims
    that they are the interval's ends the sheet states for the same name (Theta, \Theta)."""
    m = _DRAW.match(line)
    if not m or m.group(1) not in intervals:
        return []
    lo, hi, at = intervals[m.group(1)]
    r = pycode.Reading()
    try:
        scale, shift = (pycode.to_latex(ast.parse(x.strip(), mode="eval").body, r) for x in m.groups()[1:])
    except (SyntaxError, LatexError):
        return []
    if r.opaque:
        return []
    out = []
    for end, value in (("0", lo), ("1", hi)):
        d = Formula(no, section, line.strip(), line.strip(), "code", reading=f"{end} \\cdot ({scale}) - {shift} = {value}")
        d.inferred.append(f"rand draws from [0, 1): its {'lower' if end == '0' else 'upper'} end {end} maps to the "
                          f"{'low' if end == '0' else 'high'} end of the interval on line {at}")
        out.append(d)
    return out


def _range_in_words(no: int, line: str, section: str, funcs: dict) -> list[Formula]:
    """``With tanh(z)=…, it maps values into a range between -1 and 1``: the range of the one function the
    sentence names before the words, drafted as two bounds, ``tanh(z) ≥ -1`` and ``tanh(z) ≤ 1`` (read with
    the ends included: the weaker claim, so a refutation refutes the strict one too).  σ only where the
    sheet makes it the sigmoid."""
    out = []
    for m in _RANGE_WORDS.finditer(line):
        start = max(line.rfind(". ", 0, m.start()), line.rfind("; ", 0, m.start())) + 1
        sentence = line[start:m.start()]
        hits = list(_RANGE_FUNCTION.finditer(sentence))
        names = {_FUNCTION_NAMES.get(h.group(1).lower(), "sigmoid" if h.group(1) == "σ" else None) for h in hits
                 if h.group(1) != "σ" or funcs.get("\\sigma", ("",))[0] == "sigmoid"}
        if len(names) != 1 or None in names or not all(_bare_name(sentence, h) for h in hits):
            continue
        fn = names.pop()
        lo, hi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        try:
            lo, hi = unicode.to_latex(lo), unicode.to_latex(hi)
        except LatexError:
            continue
        key = _FN_KEYS[fn]
        for rel, bound, side in (("\\ge", lo, "lower"), ("\\le", hi, "upper")):
            d = Formula(no, section, line.strip(), m.group(0).strip(), "unicode", reading=f"{key}(z) {rel} {bound}")
            d.symbols = {"z": "scalar real"}
            if fn != "tanh":
                d.functions = {key: fn}
            d.inferred.append(f"the {side} end of the range the sentence gives the {fn} (ends included)")
            out.append(d)
    return out


#: ``Use ReLU (∂/∂z = 0 or 1, no saturation)``: a bracket after a function's name giving its derivative's values
_DERIVATIVE_VALUES = re.compile(rf"(?<![\w\\])(sigmoid|logistic|relu|tanh|softplus)\s*\(\s*((?:∂|d)/(?:∂|d)([a-z])"
                                rf"\s*=\s*({_NUM})\s+or\s+({_NUM}))(?![\w.])", re.I)


def _derivative_values(no: int, line: str, section: str) -> list[Formula]:
    r"""``ReLU (∂/∂z = 0 or 1, …)``: the bare derivative in the bracket after a function's name is that
    function's derivative, and "a or b" says it takes one of the two values: (F'(z) - a)(F'(z) - b) = 0."""
    out = []
    for m in _DERIVATIVE_VALUES.finditer(line):
        fname, text, v, a, b = m.groups()
        fn = _FUNCTION_NAMES[fname.lower()]
        key = _FN_KEYS[fn]
        d = f"\\frac{{d}}{{d {v}}}\\left({key}({v})\\right)"     # bracketed: the derivative's reach is written
        num = [x.replace("−", "-").replace("–", "-").replace(" ", "") for x in (a, b)]
        draft = Formula(no, section, line.strip(), text, "unicode",
                        reading=f"\\left({d} - ({num[0]})\\right) \\left({d} - ({num[1]})\\right) = 0")
        draft.symbols = {v: "scalar real"}
        if fn != "tanh":
            draft.functions = {key: fn}
        draft.inferred = [f"the bracket after '{fname}' says what its derivative is: {text} is d{fname}({v})/d{v}; "
                          f"'{a} or {b}': one of the two values, written (d - {a})(d - {b}) = 0"]
        out.append(draft)
    return out


#: ``Gradient clipping: clip(∂J/∂w, -threshold, threshold)``: a gradient clamped to a symmetric interval
_CLIP = re.compile(r"(?<![\w.])clip\s*\(\s*(∂([^\W\d_])\s*/\s*∂([^\W\d_]\w*))\s*,\s*[-−–]\s*([^\W\d_]\w*)\s*,"
                   r"\s*\4\s*\)")


def _gradient_clip(no: int, line: str, section: str) -> list[Formula]:
    r"""``clip(∂J/∂w, -c, c)`` on a line that says gradient clipping: the gradient g = ∂J/∂w replaced by
    min(max(g, -c), c) (NumPy's clip), drafted as the ``clip_value`` step with g the gradient, c the bound."""
    if not re.search(r"\bgradient\s+clipping\b|\bclip(?:ping)?\s+(?:the\s+)?gradients?\b", line, re.I):
        return []
    out = []
    for m in _CLIP.finditer(line):
        grad, loss, var, bound = m.groups()
        c = bound if len(bound) == 1 else f"\\mathrm{{{bound}}}"
        if "g" in (loss, var, bound):
            continue
        d = Formula(no, section, line.strip(), m.group(0), "unicode",
                    reading=f"g \\leftarrow \\min(\\max(g, -{c}), {c})", algorithm="clip_value")
        d.symbols = {"g": "scalar real", c: "scalar positive"}
        d.roles = {"g": "grad", c: "clip"}
        d.inferred = [f"g is the gradient {grad} (one entry), clipped to [-{bound}, {bound}] as the line's gradient "
                      f"clipping says; clip(x, lo, hi) = min(max(x, lo), hi); {bound} positive"]
        out.append(d)
    return out


#: ``Shape: (m × n) for f: ℝⁿ → ℝᵐ`` under a derivative of f (``∂f/∂x = …``, ``H = ∂²f/∂x²``)
_SHAPE_FOR = re.compile(r"^\s*Shape:\s*\(\s*(\w)\s*[×x]\s*(\w)\s*\)\s*for\s+([a-zA-Z])\s*:\s*ℝ([ⁿᵐᵏᵈ])\s*→\s*ℝ([ⁿᵐᵏᵈ]?)\s*$")
_DERIVATIVE_OF = re.compile(r"^\s*(?:[A-Za-z]\s*=\s*)?∂(²?)([a-zA-Z])\s*/\s*∂([a-zA-Z])(²?)(?![\w₀-₉])")


def _derivative_shape(no: int, line: str, section: str, lines) -> list[Formula]:
    r"""``Shape: (m × n) for f: ℝⁿ → ℝᵐ`` a few lines under ``∂f/∂x = …``: the Jacobian of f: ℝⁿ → ℝᵐ is
    claimed m × n; under ``H = ∂²f/∂x²`` with f: ℝⁿ → ℝ, the Hessian n × n.  A shape depends on the sizes
    only, so f is checked as the linear map A x (a quadratic form x^T A x for the Hessian), marked inferred."""
    m = _SHAPE_FOR.match(line)
    if not m:
        return []
    rows, cols, f, n_in, n_out = m.groups()
    above = None
    for k in range(no - 2, max(no - 6, -1), -1):
        if not lines[k].strip():
            break
        d = _DERIVATIVE_OF.match(lines[k])
        if d:
            above = (k + 1, lines[k].strip(), d.groups())
            break
    if above is None or above[2][1] != f:
        return []
    first, quote, (sq, _f, x, sq2) = above
    n = _SUPER_LETTER[n_in]
    letters = {rows, cols, f, x, n}
    if sq != sq2 or "A" in letters:
        return []
    if not sq and n_out:
        out = _SUPER_LETTER[n_out]
        tex, definition = f"\\frac{{\\partial {f}}}{{\\partial {x}}}", f"{f} = A {x}"
        symbols = {f: f"vector {out}", "A": f"matrix {out} {n}", x: f"vector {n}"}
        how = f"the linear map A {x}"
    elif sq and not n_out:
        tex, definition = f"\\frac{{\\partial^2 {f}}}{{\\partial {x}^2}}", f"{f} = {x}^T A {x}"
        symbols = {f: "scalar real", "A": f"matrix {n} {n}", x: f"vector {n}"}
        how = f"the quadratic form {x}^T A {x}"
    else:
        return []
    draft = Formula(no, section, f"{quote} ... {line.strip()}", line.strip(), "unicode",
                    reading=f"{tex} \\in \\mathbb{{R}}^{{{rows} \\times {cols}}}")
    draft.definitions = [definition]
    draft.symbols = symbols
    draft.inferred = [f"the shape the line gives is of the derivative on line {first}; a shape depends only on the "
                      f"sizes of {f}: ℝ{n_in} → ℝ{n_out}, so {f} is checked as {how}"]
    return [draft]


_FRACTION = r"∂[^\W\d_]\w*\s*/\s*∂[^\W\d_]\w*"
#: ``∂C/∂W, breaks down into a product of two pieces: ∂C/∂Z and ∂Z/∂W``
_CHAIN_WORDS = re.compile(rf"({_FRACTION}),?\s+(?:breaks\s+down|splits|factors|decomposes)\s+into\s+(?:a|the)\s+"
                          rf"product\s+of\s+(?:(?:two|the)\s+(?:pieces|factors|terms)\s*:?\s*)?({_FRACTION})\s+and\s+"
                          rf"({_FRACTION})")


def _chain_in_words(no: int, line: str, section: str) -> list[Formula]:
    """A chain rule stated in words (``∂C/∂W … breaks down into a product of … ∂C/∂Z and ∂Z/∂W``): read as
    ``∂C/∂W = (∂C/∂Z)(∂Z/∂W)`` and drafted as the chain rule of unspecified functions where the fractions
    link end to end (see _infer_chain), else nothing."""
    out = []
    for m in _CHAIN_WORDS.finditer(line):
        whole, a, b = m.groups()
        d = Formula(no, section, line.strip(), m.group(0), "unicode")
        probe = Formula(no, section, line.strip(), f"{whole} = ({a}) × ({b})", "unicode")
        _infer_chain(probe)
        if not probe.reading:
            continue
        d.reading, d.definitions, d.functions, d.symbols = probe.reading, probe.definitions, probe.functions, probe.symbols
        d.inferred = [f"'{m.group(0)}': the product the words name, {whole} = ({a})({b})"] + probe.inferred
        out.append(d)
    return out


#: (pattern, theorem, why): what a sentence about starting every weight at zero (or alike) claims
_INIT_WORDS = ((re.compile(r"\b(?:do\s+not|don[’']t|never)\s+initiali[sz]e\s+(?:all\s+)?(?:the\s+)?weights\s+"
                           r"(?:to|at|with)\s+(?:zero|0)(?:es|s)?\b", re.I), "symmetric_init",
                "advice against zero weights: symmetric starts (zero included) never break symmetry"),
               (re.compile(r"\b(?:breaks?|breaking)\s+(?:the\s+)?symmetry\b", re.I), "symmetric_init",
                "a random start breaks the symmetry that equal starts keep forever"),
               (re.compile(r"\ball\s+weights\s*=\s*0\b.*\bno\s+learning\b", re.I), "zero_init_no_learning",
                "'all weights 0: no learning', checked for tanh, ReLU and sigmoid networks"),
               (re.compile(r"\bReLU\b[^.]{0,30}?\b(?:zeros?\s+out|kills?|drops?)\s+(?:50\s?%|half)(?:\s+of\s+(?:the\s+)?"
                           r"activations)?", re.I), "he_second_moment",
                "ReLU keeps half the second moment, E[ReLU(z)^2] = s^2/2, which He's variance 2/n makes up for"))
# Not drafted: 'keeps variance consistent across layers' of Xavier. Read strictly it is false (both
# directions only for n_in = n_out), but sheets mean it loosely; a refutation read off those words
# would be a wrong 'refuted' of what the author meant.
#: the scheme a block must be named for, for a sentence to be about it
_INIT_SUBJECT = {"he_second_moment": r"\b(?:He|Kaiming)\b[^.\n]{0,24}(?i:init)"}


def _initialisation_words(no: int, line: str, section: str, lines) -> list[Formula]:
    """Sentences about initialisation that a proved statement decides (``Do NOT initialize weights to zero.``,
    ``This breaks symmetry.``, ``All weights = 0 → … no learning``), where the line or one of the ten lines
    above speaks of initialisation: drafted as that theorem's claim, the reading marked inferred."""
    near = " ".join(lines[max(0, no - 11):no])
    if not re.search(r"\binitiali[sz]", near, re.I):
        return []
    for pat, theorem, why in _INIT_WORDS:
        m = pat.search(line)
        if m and "symmetry" in m.group(0) and (not re.search(r"\brand", near, re.I) or re.search(
                r"\b(?:zeros?|0|constant|same|equal|identical)\b", line, re.I)):
            return []           # what breaks the symmetry must be a random start, not an equal one
        block = []
        for k in range(no - 1, max(no - 11, -1), -1):      # the lines of this block: up to a blank line
            if not lines[k].strip():
                break
            block.append(lines[k])
        if m and theorem in _INIT_SUBJECT and not re.search(_INIT_SUBJECT[theorem], " ".join(block)):
            return []           # a scheme's reason only where the block is named for that scheme
        if m:
            d = Formula(no, section, line.strip(), m.group(0), "unicode", theorem=theorem)
            d.inferred = [f"'{m.group(0)}' about initialisation, read as the theorem {theorem}: {why}"]
            return [d]
    return []


_TOO_HIGH = re.compile(r"\btoo\s+(?:high|large|big)\b[^.;]{0,40}?\b(?:diverg|overshoot|oscillat)\w*"
                       r"(?:\s*,\s*(?:and\s+)?(?:diverg|overshoot|oscillat)\w*)*", re.I)
_LR_WORDS = re.compile(r"\blearning[ _]rate\b|\blr\b|\bstep[ _]size\b", re.I)


def _learning_rate_words(no: int, line: str, section: str, lines) -> list[Formula]:
    """``Too high: Oscillate, diverge`` under "// Learning rate effects", ``if the learning rate is too high, you
    might overshoot``: the step-size bound of gradient descent (theorem lr_divergence: on a quadratic it
    oscillates past lr = 1/λ and diverges past 2/λ), where the sentence or the line above names the rate."""
    out = []
    for m in _TOO_HIGH.finditer(line):
        sentence = re.split(r"[.;]\s", line[:m.start()])[-1]
        above = lines[no - 2] if no >= 2 else ""
        if not (_LR_WORDS.search(sentence) or not sentence.strip() and _LR_WORDS.search(above)):
            continue
        d = Formula(no, section, line.strip(), m.group(0), "unicode", theorem="lr_divergence")
        d.inferred = [f"'{m.group(0)}' of the learning rate: gradient descent on a quadratic oscillates when "
                      "lr > 1/λ and diverges exactly when lr > 2/λ (theorem lr_divergence)"]
        out.append(d)
    return out


_ADAGRAD_DECAY = re.compile(r"\b([A-Za-z])\s+keeps\s+growing,?\s+(?:lr|learning\s+rate|η)\s*(?:→|->|goes\s+to|tends\s+to)\s*0\b")
_BPTT = re.compile(r"\berrors?\s+from\s+later\s+time\s+steps\s+(?:add\s+up|accumulate|are\s+summed)", re.I)


def _sequence_words(no: int, line: str, section: str, optimizer) -> list[Formula]:
    """What a theorem about a running sum decides: ``s keeps growing, lr → 0`` in an AdaGrad block (theorem
    adagrad_lr_decay: the rate tends to 0 exactly when the sum of squared gradients diverges), and, after
    "backpropagation through time", ``errors from later time steps add up`` (theorem bptt: the recurrence's
    derivative unrolls into a sum over the earlier steps)."""
    out = []
    m = _ADAGRAD_DECAY.search(line)
    if m and optimizer == "adagrad":
        d = Formula(no, section, line.strip(), m.group(0), "unicode", theorem="adagrad_lr_decay")
        d.inferred = [f"'{m.group(0)}' of AdaGrad's accumulator {m.group(1)}: its rate lr/√{m.group(1)} tends to 0 "
                      "exactly when the sum of squared gradients diverges (theorem adagrad_lr_decay)"]
        out.append(d)
    m = _BPTT.search(line)
    if m and re.search(r"\bbackpropagation\s+through\s+time\b", line[:m.start()], re.I):
        d = Formula(no, section, line.strip(), m.group(0), "unicode", theorem="bptt")
        d.inferred = ["backpropagation through time: the derivative of the recurrence by its weight unrolls into a "
                      "sum of terms from the earlier steps (theorem bptt)"]
        out.append(d)
    return out


def _worked_numbers(no: int, line: str, section: str) -> list[Formula]:
    """The arithmetic of a worked example written in words: ``0.2 × 0.5 + (–0.3) × 0.8 + 0.1, which gives
    –0.04`` and ``if you plug –0.04 into the sigmoid, you get around 0.49``.  Each is a claim that the
    exact value rounds to the printed decimal (a printed decimal is a rounded value, "about" or not);
    only numbers are in them, so nothing is declared."""
    out = []
    for m in _WORKED_SUM.finditer(line):
        try:
            tex = unicode.to_latex(f"{m.group(1)} ≈ {m.group(2)}")
        except LatexError:
            continue
        d = Formula(no, section, line.strip(), m.group(0).strip(), "unicode", reading=tex)
        d.inferred.append("arithmetic the sheet works out in words: the exact value rounds to the printed one")
        out.append(d)
    for m in _WORKED_CALL.finditer(line):
        fn = _FUNCTION_NAMES[m.group(2).lower()]
        key = _FN_KEYS[fn]
        try:
            arg, val = (unicode.to_latex(g) for g in (m.group(1), m.group(3)))
        except LatexError:
            continue
        d = Formula(no, section, line.strip(), m.group(0).strip(), "unicode", reading=f"{key}({arg}) \\approx {val}")
        if fn != "tanh":
            d.functions = {key: fn}
        d.inferred.append(f"the {m.group(2)} the sheet names, at the number put into it: the exact value rounds to "
                          "the printed one")
        out.append(d)
    return out


_SYM = r"(?:\\[a-zA-Z]+\{[A-Za-z]\}|\\[a-zA-Z]+|[A-Za-zα-ωΑ-Ω])(?:_\{[^{}]*\}|_[A-Za-z0-9])?"
_COEFF = r"(?:\\[a-zA-Z]+|[α-ωΑ-Ω]|[a-z]{2,13})(?:_\{[a-z]+\})?"
_STEP = re.compile(rf"^\s*({_SYM})\s*(\\leftarrow|\\gets|=)\s*({_SYM})\s*-\s*({_COEFF})\s*(?:\\times|\\cdot)?\s*(.+?)\s*$")
_GRADIENTS = (re.compile(rf"^\\frac\{{\\partial\s*({_SYM})\}}\{{\\partial\s*({_SYM})\}}$"),
              re.compile(rf"^\\nabla\s*({_SYM})\s*(?:\(\s*({_SYM})\s*\))?$"),
              re.compile(rf"^\\nabla_\{{?({_SYM})\}}?\s*({_SYM})$"))


def _gradient_step(draft: Formula) -> bool:
    r"""``w_i \leftarrow w_i - \eta \frac{\partial L}{\partial w_i}``, ``w = w - lr×∂J/∂w``, ``θ_new = θ_old - α × ∇L(θ)``:
    a parameter minus one coefficient times a gradient of something by that parameter (``∂F/∂p``, ``∇F``,
    ``∇F(p)``, ``∇_p F``) is a step of gradient descent, whatever F is; judged as one (``gd``), one entry at a
    time, the gradient read as one symbol.  ``p_new``/``p_old`` are the parameter before and after.  Only
    these spellings of a gradient: ``w ← w - η·δ`` names no gradient, so it is not read as a step."""
    if draft.not_checkable or draft.algorithm:
        return False
    try:
        tex = draft.formula if draft.notation == "latex" else unicode.to_latex(draft.formula)
    except LatexError:
        return False
    m = _STEP.match(tex)
    if not m:
        return False
    new, rel, old, coeff, grad = m.groups()
    pair = re.fullmatch(r"(.+)_\{new\}", new) and old == new.replace("{new}", "{old}")
    if (new != old and not pair) or coeff in (new, old) or rel != "=" and pair:
        return False
    base = new[:-len("_{new}")] if pair else new
    hit = next((g.match(grad.strip()) for g in _GRADIENTS if g.match(grad.strip())), None)
    if hit is None:
        return False
    f, v = (hit.group(2), hit.group(1)) if grad.lstrip().startswith("\\nabla_") else hit.groups()
    if v is not None and v not in (base, old) or f in (new, old, coeff):
        return False
    g = next((c for c in "gGq" if not re.search(rf"(?<![\\A-Za-z]){c}(?![A-Za-z])", tex)), None)
    if g is None:
        return False
    arrow = "=" if pair else "\\leftarrow"
    word = re.fullmatch(r"([a-z]{2,13})(?:_\{([a-z]+)\})?", coeff)
    if word:                    # learning_rate: one name, as the code reader spells it
        coeff = "\\mathrm{" + "\\_".join(x for x in word.groups() if x) + "}"
    draft.reading = f"{new} {arrow} {old} - {coeff} \\cdot {g}"
    draft.algorithm = "gd"
    draft.definitions = []
    draft.inferred = [w for w in draft.inferred if not w.startswith("definition of ")]
    draft.symbols = {new: "scalar real", old: "scalar real", coeff: "scalar positive", g: "scalar real"}
    draft.roles = {new: "param", old: "param", coeff: "lr", g: "grad"}
    draft.inferred.append(f"a step of gradient descent, one entry at a time: {base} the parameter, {coeff} the "
                          f"learning rate (positive), the gradient {grad.strip()} of {f} read as one symbol {g}")
    return True


#: a block of the sheet that names an initialisation scheme (``// He Initialization``)
_INIT_BLOCK = re.compile(r"\b(?:(?i:xavier|glorot|kaiming|lecun)|He)\b[^.\n]{0,24}\b(?i:init)")
_INIT_SCHEME = ((re.compile(r"(?i:xavier|glorot)"), "Xavier", "xavier_variance"),
                (re.compile(r"\bHe\b|(?i:kaiming)"), "He", "he_variance"),     # He capitalised: not the pronoun
                (re.compile(r"(?i:lecun)"), "LeCun", "lecun_variance"))
_LAW = re.compile(r"(?<![\w.])([A-Za-z]\w*)\s*~\s*(N|U)\s*([(\[].*[)\]])")
_FAN = {"n_in": "in", "fan_in": "in", "n_out": "out", "fan_out": "out"}


def _init_law(no: int, line: str, section: str, block: str) -> Formula | None:
    r"""``w ~ N(0, 2/n_in)`` in a block named for He initialisation: the sheet's variance against the
    scheme's, ``\operatorname{Var}_{\text{He}}(n_{in}) = \frac{2}{n_{in}}`` (the second parameter of N is
    the variance, as the sheet's own ``N(0, σ²)`` has it); ``w ~ U[-a, a]`` has the variance of U[-a, a].
    Only sizes spelled as fan-in and fan-out (``n_in``, ``fan_out``) may be in it: He and LeCun take the
    fan-in, and the sheet's spelling says which size that is."""
    m = _LAW.search(line)
    scheme = next(((name, fn) for pat, name, fn in _INIT_SCHEME if pat.search(block)), None)
    if not m or scheme is None:
        return None
    law, body = m.group(2), m.group(3)
    inner = body[1:-1]
    parts, depth, cur = [], 0, ""
    for c in inner:
        depth += c in "([{"
        depth -= c in ")]}"
        if c == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
    parts.append(cur.strip())
    if len(parts) != 2:
        return None
    if law == "N":
        if parts[0] != "0":
            return None
        value = parts[1]
    else:
        lo, hi = ("".join(x.split()).replace("−", "-").replace("–", "-") for x in parts)
        if lo != "-" + hi:
            return None
        value = parts[1]
    words = set(re.findall(r"[A-Za-z]\w*", value))
    if not words or not words <= set(_FAN):
        return None
    try:
        v_tex = unicode.to_latex(value)
    except LatexError:
        return None
    fans = {_FAN[w]: _symbol_key(w) for w in words}
    fan_in = fans.get("in") or ("n_{in}" if "n_out" in words else "fan_{in}")
    fan_out = fans.get("out") or ("n_{out}" if "n_in" in words else "fan_{out}")
    name, fn = scheme
    args = f"{fan_in}, {fan_out}" if name == "Xavier" else fan_in
    var = f"\\operatorname{{Var}}_{{\\text{{{name}}}}}"
    rhs = v_tex if law == "N" else f"\\operatorname{{Var}}_{{U}}({v_tex})"
    d = Formula(no, section, line.strip(), m.group(0).strip(), "unicode", reading=f"{var}({args}) = {rhs}")
    d.functions = {var: fn}
    if law == "U":
        d.functions["\\operatorname{Var}_{U}"] = "uniform_variance"
    d.symbols = {k: "scalar integer positive" for k in ([fan_in, fan_out] if name == "Xavier" else [fan_in])
                 + [v for v in fans.values()]}
    d.inferred.append(f"the block names {name} initialisation; " + (
        "the second parameter of N is the variance" if law == "N" else "the variance of U[-a, a]") +
        f"; {fan_in} is the fan-in" + (f", {fan_out} the fan-out" if name == "Xavier" else "") + " (as spelled)")
    return d


_LABEL = re.compile(r"∂([^\W\d_])\s*/\s*∂([^\W\d_])_(sigmoid|logistic|relu|tanh|softplus)\b", re.I)


def _function_label(draft: Formula):
    r"""``∂a/∂z_sigmoid = σ(z)(1-σ(z)) ≤ 0.25``: a function's name written as the subscript of a derivative's
    variable labels the line: a is that function of z (``a = σ(z)``), and the one function letter the line
    applies is it (σ the sigmoid here, whatever the sheet calls σ elsewhere).  Not where the line applies
    two function letters, or none."""
    if draft.notation != "unicode" or draft.not_checkable or draft.algorithm:
        return
    m = _LABEL.search(draft.formula)
    if not m:
        return
    out, var, word = m.groups()
    fn = _FUNCTION_NAMES[word.lower()]
    text = draft.formula[:m.start()] + f"∂{out}/∂{var}" + draft.formula[m.end():]
    letters = set(re.findall(r"(?<![\w\\])([α-ω])\s*\(", text))
    try:
        tex = unicode.to_latex(text)
    except LatexError:
        return
    if len(letters) != 1 or out == var:
        return
    key = _symbol_key(letters.pop())
    draft.reading = tex
    draft.definitions = [f"{out} = {key}({var})"] + [_symbol_key(d) or d for d in draft.definitions
                                                     if not re.match(rf"\s*{re.escape(out)}\s*=", d)]
    draft.inferred = [w for w in draft.inferred if not w.startswith(f"definition of {out} ")]
    draft.functions = {k: v for k, v in draft.functions.items() if k in tex}   # the label's word is no call
    if fn != "tanh":
        draft.functions[key] = fn
    draft.symbols.setdefault(var, "scalar real")
    draft.inferred.append(f"∂{out}/∂{var}_{word}: the line is about the {fn}: {out} = {key}({var}), {key} the {fn}")


_SOFTMAX_CE = re.compile(r"(?=.*\bsoftmax\b)(?=.*\bcross[ -]?entropy\b)", re.I)


def _softmax_cross_entropy(draft: Formula, lines):
    r"""``dL/dz = (ŷ - y)`` under "// For softmax + cross-entropy": the gradient of the cross-entropy
    ``L = -Σ_i y_i log ŷ_i`` of ``ŷ = softmax(z)`` by the logits z, the pairing the words name (on the line,
    or the line above when the formula starts its line); the target y sums to 1 (a one-hot label or a
    distribution), as the pairing's simplification needs; every piece marked inferred."""
    if draft.notation == "latex":
        _softmax_cross_entropy_latex(draft, lines)
        return
    if draft.notation != "unicode" or draft.not_checkable or draft.algorithm or draft.reading:
        return
    m = re.fullmatch(r"\s*[d∂]([A-Z])\s*/\s*[d∂]([a-z])\s*=\s*([ŷy0-9().\s+\-−–×·*/]+)", draft.formula)
    if not m or "ŷ" not in m.group(3):
        return
    try:
        rhs = unicode.to_latex(m.group(3))
    except LatexError:
        return
    at = draft.quote.find(draft.formula[:6])
    words = draft.quote[:max(at, 0)]
    if not re.search(r"[A-Za-z]{3,}", words):
        words += " " + next((ln for ln in reversed(lines[:draft.line - 1]) if ln.strip()), "")
    if not _SOFTMAX_CE.match(words):
        return
    loss, z = m.groups()[:2]
    if z in ("y", "i"):
        return
    _sce_gradient(draft, loss, z, rhs)


def _sce_gradient(draft: Formula, loss: str, z: str, rhs: str, pred: str = "\\hat{y}", target: str = "y"):
    """``rhs`` read as the gradient of the cross-entropy of ``pred = softmax(z)`` and ``target`` by z."""
    draft.reading = f"\\frac{{\\partial {loss}}}{{\\partial {z}}} = {rhs}"
    draft.definitions = [f"{loss} = -\\sum_i {target}_i \\log {pred}_i", f"{pred} = \\operatorname{{softmax}}({z})"]
    draft.inferred = [w for w in draft.inferred if not w.startswith("definition of ")]
    draft.given = [f"\\sum_i {target}_i = 1"]
    draft.symbols = {loss: "scalar real", z: "vector n real", target: "vector n [0,1]", pred: "vector n (0,1)",
                     "i": "index n"}
    draft.functions = {"\\operatorname{softmax}": "softmax"}
    draft.inferred.append(f"the softmax + cross-entropy pairing the words name: {loss} = -Σ_i {target}_i log {pred}_i, "
                          f"{pred} = softmax({z}), vectors of n entries, the target summing to 1")


#: ``Cross-entropy with softmax has the elegant property that its gradient simplifies to (ŷ - y)``
_SCE_WORDS = re.compile(r"\bgradient\s+(?:simplifies\s+to|is|equals|becomes|reduces\s+to)\s+(?:just\s+|simply\s+)?"
                        r"(\(\s*(?:ŷ\s*[-−–]\s*y|y\s*[-−–]\s*ŷ)\s*\)|ŷ\s*[-−–]\s*y\b|y\s*[-−–]\s*ŷ)")


def _sce_in_words(no: int, line: str, section: str) -> list[Formula]:
    """The softmax + cross-entropy gradient a sentence states in words, with the pairing named in the same
    sentence; the loss L and the logits z are the names the reading gives them (the words name neither)."""
    out = []
    for m in _SCE_WORDS.finditer(line):
        start = max(line.rfind(". ", 0, m.start()), 0)
        if not _SOFTMAX_CE.match(line[start:m.start()]):
            continue
        d = Formula(no, section, line.strip(), m.group(0).strip(), "unicode")
        _sce_gradient(d, "L", "z", unicode.to_latex(m.group(1)))
        d.inferred.append("the gradient the sentence names: of the loss L by the logits z the softmax takes")
        out.append(d)
    return out


def _softmax_cross_entropy_latex(draft: Formula, lines):
    r"""``\frac{\partial \mathcal{L}}{\partial z_j} = a_j - y_j`` under the heading "Categorical Cross-Entropy
    (with Softmax)", with the loss defined before it as a sum over i of y_i and log a_i: the prediction a is
    the softmax of z (the pairing the heading names), the target sums to 1; marked inferred."""
    m = re.fullmatch(r"\s*\\frac\{\\partial\s*(.+?)\}\{\\partial\s*([a-z])_([a-z])\}\s*=\s*([a-z])_\3\s*-\s*y_\3\s*",
                     draft.formula)
    if not m or draft.not_checkable or draft.algorithm or draft.reading:
        return
    loss, z, j, a = m.groups()
    at = draft.quote.find(draft.formula[:8])
    prev = next((ln for ln in reversed(lines[:draft.line - 1]) if ln.strip()), "")
    words = draft.quote[:max(at, 0)] + " " + (prev if len(prev) <= 80 else "")
    defs = [d for d in draft.definitions if d.startswith(loss) and "\\sum_i" in d and f"\\log(a_i)".replace("a", a) in
            d.replace(" ", "")]
    if not _SOFTMAX_CE.match(words) or not defs or a in (z, "y") or j == "i":
        return
    draft.definitions = defs + [f"{a} = \\operatorname{{softmax}}({z})"]
    draft.given = ["\\sum_i y_i = 1"]
    draft.symbols = {loss: "scalar real", z: "vector n real", "y": "vector n [0,1]", a: "vector n (0,1)",
                     "i": "index n", j: "index n"}
    draft.functions = {"\\operatorname{softmax}": "softmax"}
    draft.inferred.append(f"the softmax + cross-entropy pairing the heading names: {a} = softmax({z}), "
                          "vectors of n entries, the target summing to 1")


_STEP_SYM = r"(?:\\epsilon|\\varepsilon|ε|ϵ|h)"
_ARG = r"(?:\\[a-zA-Z]+|[A-Za-zα-ωΑ-Ω])(?:_\{?\w+\}?)?"


def _difference_quotient(draft: Formula):
    r"""``∂J/∂w ≈ [J(w+ε) - J(w-ε)] / (2ε)``: a difference quotient of J, a function the sheet applies to
    w ± ε, against its derivative.  J is any function (``generic``), w a real number and ε the small step
    (``scalar small``: the claim is about ε → 0); ``∂J/∂w`` of the function J is read as
    ``\frac{\partial}{\partial w} J(w)``, and a definition of J as a quantity (``J = L + …``, a cost of other
    symbols) does not apply to the J the formula calls."""
    if draft.not_checkable or draft.algorithm:
        return
    try:
        tex = draft.formula if draft.notation == "latex" else unicode.to_latex(draft.formula)
    except LatexError:
        return
    if "\\approx" not in tex:
        return
    lhs, rhs = tex.split("\\approx", 1)
    m = re.search(rf"(?<![\\A-Za-z])([A-Za-z])\s*\(\s*({_ARG})\s*\+\s*({_STEP_SYM})\s*\)", rhs)
    if not m:
        return
    f, v, eps = m.groups()
    lone = rf"\\frac\{{\\partial\s*{re.escape(f)}\}}\{{\\partial\s*{re.escape(v)}\}}"
    applied = rf"\\frac\{{\\partial\}}\{{\\partial\s*{re.escape(v)}\}}\s*{re.escape(f)}\s*\(\s*{re.escape(v)}\s*\)"
    if re.fullmatch(rf"\s*{lone}\s*", lhs):
        lhs = f"\\frac{{\\partial}}{{\\partial {v}}} {f}({v}) "
    elif not re.fullmatch(rf"\s*{applied}\s*", lhs):
        return
    if re.search(rf"(?<![\\A-Za-z]){re.escape(f)}(?!\s*\()", rhs):
        return                  # J also as a quantity on the right: not the one function
    draft.reading = f"{lhs.strip()} \\approx {rhs.strip()}"
    draft.definitions = [d for d in draft.definitions if not re.match(rf"\s*{re.escape(f)}\s*=", d)]
    draft.inferred = [w for w in draft.inferred if not w.startswith(f"definition of {f} ")]
    draft.functions[f] = "generic"
    draft.symbols.update({_symbol_key(v) or v: "scalar real", _symbol_key(eps) or eps: "scalar small"})
    draft.inferred.append(f"{f}: any function (the formula applies it to {v} ± {eps}); {eps}: the small step")
    if draft.notation != "latex" and draft.definitions:
        draft.definitions = [_symbol_key(d) or d for d in draft.definitions]


_ITS_DERIVATIVE = re.compile(r"\bits\s+derivative,?\s+which\s+is\s+(?:just\s+|simply\s+)?(.+?)\s*(?:[.;](?:\s|$)|$)")


def _derivative_in_words(no: int, line: str, section: str) -> list[Formula]:
    """``We calculate the error with L = ½(ŷ – y)² and see how a small change in the prediction affects the
    error using its derivative, which is just ŷ – y``: the derivative of the name the sentence defines, by the
    prediction ŷ when the sentence says the change is in the prediction (else by the one letter of the
    definition); drafted as ``dL/dŷ = ŷ - y`` with the definition."""
    out = []
    for m in _ITS_DERIVATIVE.finditer(line):
        start = max(line.rfind(". ", 0, m.start()) + 1, 0)
        defs = [f for f in _plain_formulas(line[start:m.start()]) if _DEFINITION.match(f)]
        if len(defs) != 1:
            continue
        name, value = (x.strip() for x in _DEFINITION.match(defs[0]).groups())
        key, tex, rhs = _symbol_key(name), _symbol_key(value), _symbol_key(m.group(1))
        if None in (key, tex, rhs) or _LATEX_REL.search(rhs):
            continue
        letters = set(re.findall(r"\\hat\{[a-z]\}|(?<![\\A-Za-z{])[A-Za-z](?![A-Za-z])", tex))
        if "\\hat{y}" in letters and re.search(r"\bprediction\b", line[start:m.start()]):
            var = "\\hat{y}"
        elif len(letters) == 1:
            var = letters.pop()
        else:
            continue
        at = line.find(defs[0], start)
        d = Formula(no, section, line.strip(), line[at:m.end(1)].strip(), "unicode",
                    reading=f"\\frac{{d {key}}}{{d {var}}} = {rhs}")
        d.definitions = [f"{key} = {tex}"]
        d.symbols = {v: "scalar real" for v in re.findall(r"\\hat\{[a-z]\}|(?<![\\A-Za-z{])[A-Za-z](?![A-Za-z])", tex)}
        d.inferred.append(f"'its derivative': of {name} as the sentence defines it, by {var}" + (
            " (the change the sentence names is in the prediction)" if var == "\\hat{y}" else ""))
        out.append(d)
    return out


_IF_ELSE = re.compile(r"\s*if\s+([^,;]+?)\s*,\s*(?:else|otherwise)\s*,?\s+([^,;\s]+)\s*[.;]?\s*$")


def _cases_in_words(draft: Formula) -> bool:
    """``∂ReLU(z)/∂z = 1 if z>0, else 0``: the value, its condition and the value otherwise are the whole
    rest of the line; drafted as the cases they spell (a condition or a value that does not read: not)."""
    at = draft.quote.find(draft.formula)
    m = _IF_ELSE.fullmatch(draft.quote[at + len(draft.formula):]) if at >= 0 else None
    if not m or draft.formula.count("=") != 1:
        return False
    try:
        lhs, value = (unicode.to_latex(x) for x in draft.formula.split("="))
        cond, other = unicode.to_latex(m.group(1)), unicode.to_latex(m.group(2))
    except LatexError:
        return False
    if not _LATEX_REL.search(cond) or _LATEX_REL.search(value) or _LATEX_REL.search(other):
        return False
    draft.reading = (f"{lhs} = \\begin{{cases}} {value}, & {cond} \\\\ {other}, & \\text{{otherwise}} "
                     "\\end{cases}")
    draft.inferred.append("the condition and the value otherwise the words give, as cases")
    draft.formula = draft.quote[at:at + len(draft.formula) + m.end()].strip().rstrip(".;")
    return True


def _is_plain_heading(line: str) -> bool:
    """A short capitalised line with no sign of math; ``Title: Subtitle`` (each part capitalised words) too."""
    s = line.strip()
    # the small words of a title (in, the, of ...) inside its subtitle: "The Chain Rule in Action"
    title = re.fullmatch(r"(?:[A-Z][\w'’&-]*\s?){1,6}:\s[A-Z][\w'’&-]*\s?"
                         r"(?:(?:[A-Z][\w'’&-]*|in|the|of|a|an|and|for|to|with|on|by|from)\s?){0,7}", s)
    return (0 < len(s) <= 60 and not any(c in s for c in _REL_CHARS + "/") and (":" not in s or bool(title))
            and not s.startswith(("-", "*", "•")) and not s.endswith((".", ",", ":", "?")) and s[0].isupper())


def _glued_heading(line: str) -> str | None:
    """A heading the copy glued to the end of a code line after its closing bracket (``print(Z.shape) #
    (32, 128)Activation Functions: …``): the next section starts there; None when the tail is no heading."""
    for m in re.finditer(r"[)\]](?=[A-Z][a-z]+\b)", line):
        if _is_plain_heading(line[m.end():]):
            return line[m.end():].strip()
    return None


def _without_code(lines) -> str:
    """The sheet with its code fences blanked (line numbers kept): code is not the sheet's math."""
    out, fence = [], False
    for line in lines:
        if line.strip().startswith("```"):
            fence = not fence
            out.append("")
        else:
            out.append("" if fence else line)
    return "\n".join(out)


def scan_text(text: str) -> list[Formula]:
    """The formulas of a sheet, drafted as claims in reading order."""
    markdown = bool(_MATH_SPANS.search(text)) and ("$" in text or "\\[" in text or "\\begin" in text)
    lines = text.splitlines()
    funcs = _sheet_functions(text)
    found: list[tuple[int, str, str]] = []
    sections: dict[int, str] = {}
    optimizers: dict[int, str | None] = {}      # line -> the optimizer the block it is in names
    optimizer = None
    section, fence = "", False
    fenced, inside = set(), False
    for no, line in enumerate(lines, 1):
        if line.strip().startswith("```"):
            inside = not inside
        elif inside:
            fenced.add(no)
    statements, code_lines = _code_statements(lines, fenced)
    worked: list[Formula] = []
    stated: list = []                           # derivatives stated in words: "∂Z/∂b is simply 1"
    intervals: dict = {}                        # a symbol's name -> (low, high, line) of "X \in [a, b]" above
    init_block = ""                             # the line naming the initialisation the block is about
    block = ""                                  # the comment heading the block the line is in (// Dead ReLU)
    block_at = 0                                # the line of that comment
    for no, line in enumerate(lines, 1):
        if line.strip().startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        if no in code_lines:            # code is read by the code reader (below), not as plain math
            sections[no] = section
            section = _glued_heading(line) or section
            continue
        m = _HEADING_MD.match(line)
        if m:
            section = m.group(1)
        elif not markdown and _is_plain_heading(line):
            section = line.strip()
        sections[no] = section
        if not line.strip() or m:
            optimizer = None           # a block ends at a blank line or a heading
            init_block = ""
            block = ""
        elif sections[no] != sections.get(no - 1, sections[no]) and block_at != no - 1:
            block = ""                 # a plain heading ends the commented block too (``Linear unit``), not the
                                       # line under the comment (``Neurons output 0 for all inputs`` looks like one)
        if line.strip().startswith("//"):
            block, block_at = line.strip()[2:].strip(), no
        if _INIT_BLOCK.search(line):
            init_block = line
        named = next((alg for pat, alg in _OPTIMIZER_NAMES if pat.search(line)), False)
        if named is not False:
            optimizer = named
        optimizers[no] = optimizer
        if not markdown:
            sources = _katex_sources(line)
            if sources:      # a KaTeX copy: its LaTeX annotation is the formula
                found.extend((no, line.strip(), source, "latex") for source in sources)
                for source in sources:
                    iv = _INTERVAL.match(source)
                    if iv:
                        intervals[re.sub(r"[^A-Za-z]", "", iv.group(1).split("_")[0].split("^")[0])] = \
                            (iv.group(2).strip(), iv.group(3).strip(), no)
                continue
            body = line.split("//", 1)[0] if "//" in line else line
            drawn = _uniform_draw(no, body, section, intervals)
            if drawn:
                worked.extend(drawn)
                continue
            shapes = _shape_chain(no, body, section) + _derivative_values(no, body, section) + \
                _slopes_in_words(no, body, section, block) + _flattened_kernel(no, body, section, lines, sections)
            formulas = [f for f in _plain_formulas(body)
                        if not any("".join(f.split()) in "".join(d.formula.split()) for d in shapes)]
            worked.extend(shapes)
            for f in formulas:
                found.append((no, line.strip(), f, "unicode"))
            before = len(worked)
            worked.extend(_worked_numbers(no, body, section))
            worked.extend(_range_in_words(no, body, section, funcs))
            worked.extend(_sce_in_words(no, body, section))
            worked.extend(_derivative_in_words(no, body, section))
            stated.extend((no, line.strip(), section, hit) for hit in derivative_is_number(body))
            worked.extend(_gradient_clip(no, body, section))
            worked.extend(_derivative_shape(no, body, section, lines))
            worked.extend(_chain_in_words(no, body, section))
            worked.extend(_initialisation_words(no, body, section, lines))
            worked.extend(_learning_rate_words(no, body, section, lines))
            worked.extend(_sequence_words(no, body, section, optimizer))
            if init_block and "~" in body:
                law = _init_law(no, body, section, init_block)
                if law is not None:
                    worked.append(law)
            if not formulas and not shapes and len(worked) == before and not m and not _is_plain_heading(line) \
                    and _CLAIM_WORDS.search(body) and len(body.split()) >= 3 and not _is_code(body):
                words = Formula(no, section, line.strip(), "", "unicode",
                                not_checkable="a statement in words: no formula states it, so nothing here is checked")
                worked.append(words)
    if markdown:
        for no, f in _latex_formulas(_without_code(lines)):
            found.append((no, lines[no - 1].strip(), f, "latex"))
        found.sort(key=lambda t: t[0])
    for no in fenced:
        sections.setdefault(no, sections.get(no - 1, ""))
    decls = _sheet_declarations(lines, sections)
    alternatives = _alternative_shapes(lines, sections)
    settings: dict[int, int] = {}             # line -> how many names it sets to numbers
    for no, _quote, f, notation in found:
        m = _DEFINITION.match(f) if notation == "unicode" else None
        if m and _NUMBER.match(m.group(2)):
            settings[no] = settings.get(no, 0) + 1
    carried = _declared_expressions(found, sections, decls)
    convention = _letter_convention(decls)
    backprop = BackpropSheet(found, lines, sections)
    out: list[Formula] = []
    defs_by_section: dict[str, dict] = {}
    domains: dict = {}                        # (section, loss name) -> the declarations its named loss gave
    letter_fns: dict[str, dict] = {}          # section -> {letter: (function, why)} named in words
    for no, quote, f, notation in found:
        sec = sections.get(no, "")
        worded = f.startswith(_WORDED)
        f = f.removeprefix(_WORDED)
        draft = Formula(no, sec, quote, f, notation)
        if notation == "unicode" and (f.strip()[:1] in _REL_CHARS + "→<>" or f.strip()[-1:] in _REL_CHARS + "→<>"):
            # "All weights = 0 → ...", "Output layer size = number of classes": words around a sign
            draft.not_checkable = "prose around a relation sign: one side of it is words, not a formula"
            out.append(draft)
            continue
        if worded and not _cases_in_words(draft):
            draft.not_checkable = "a condition follows in words (if, when, for ...): write the cases out to check it"
            out.append(draft)
            continue
        known = defs_by_section.setdefault(sec, {})
        # the definitions the formula uses, and the ones those use (L = ½(t - y)², y = z, z = wᵀx + b): a
        # definition left out would make its symbol an input, and a derivative through it 0
        own, texts, taken = f.split("=")[0].strip(), [f], set()
        while texts:
            text = texts.pop(0)
            for name, (dtext, dline) in known.items():
                n_ = re.escape(name)
                if name == own or name in taken or \
                        not re.search(rf"(?<!\w){n_}(?!\w)|\\frac\{{d\s*{n_}\}}|d{n_}/", text):
                    continue
                taken.add(name)
                texts.append(dtext.split("=", 1)[1] if "=" in dtext else dtext)
                draft.definitions.append(dtext)
                draft.inferred.append(f"definition of {name} from line {dline}")
                for key, decl in domains.get((sec, name), {}).items():
                    if draft.symbols.get(key, decl).split()[0] == decl.split()[0] and draft.symbols.get(key) != decl:
                        draft.symbols[key] = decl         # the loss's domains: ŷ a probability for its logs
                        draft.inferred.append(f"definition of {name}: {key} {decl}, as its named loss says")
        _index_exponents(draft)
        _declare(draft, decls, funcs)
        _carry_declarations(draft, carried, decls)
        _letter_function(draft, letter_fns.setdefault(sec, {}), lines)
        _infer_chain(draft)
        _matrix_letters(draft, convention)
        _softmax_vector(draft)
        _difference_quotient(draft)
        _function_label(draft)
        _softmax_cross_entropy(draft, lines)
        out.append(draft)
        if backprop_rule(draft, backprop):      # derive/backpropblocks.py: δ = ∂L/∂z and the sheet's forward rule
            continue
        if optimizers.get(no) in (None, "gd") and _gradient_step(draft):
            continue
        m = _DEFINITION.match(f) if notation == "unicode" else _LATEX_DEFINITION.match(f)
        first = _first_link(m.group(2)) if m and notation == "latex" else None
        if first and not re.search(rf"(?<![\w\\]){re.escape(m.group(1))}(?![\w{{])",
                                                               first):
            # a = \sigma(z) = \frac{1}{1 + e^{-z}}: the chain is the claim, and its first link defines a
            known[m.group(1)] = (f"{m.group(1)} = {first}", no)
        elif m and not any(r in _blank_envs(m.group(2)) for r in _REL_CHARS) \
                and not _LATEX_REL.search(_blank_envs(m.group(2))):
            name, value = m.groups()
            if optimizers.get(no) and notation == "unicode" and (
                    re.search(rf"(?<![\w\\]){re.escape(name)}(?![\w{{])", value) or name in _CORRECTED
                    or _unglue(name, value) != value or optimizers[no] == "nesterov" and name.endswith("_ahead")):
                _as_update(draft, optimizers[no])
            elif re.search(rf"(?<![\w\\]){re.escape(name)}(?![\w{{])", value) or \
                    notation == "unicode" and _unglue(name, value) != value:
                draft.not_checkable = (f"an update rule written with '=' ({name} on both sides): "
                                       "give it as '\\leftarrow' with algorithm and roles to check it")
            elif _NUMBER.match(value) and optimizers.get(no) and notation == "unicode" and (
                    settings.get(no, 0) >= 2 or _DEFAULT_WORDS.search(lines[no - 1])):
                # "β1=0.9, β2=0.999, ε=1e-8" in an Adam block: the values the sheet gives its optimizer
                draft.algorithm = optimizers[no]
                draft.inferred.append(f"{name} = {value.strip()}: read as {optimizers[no]}'s default, the "
                                      "value the block lists for it")
            elif _NUMBER.match(value):
                draft.not_checkable = f"sets {name} to a value (a hyperparameter or an input, no identity)"
            else:
                named = _named_loss(draft, lines)
                if named:
                    fn, definition, loss_decls = named
                    if draft.reading:       # the definitions above, in the LaTeX the claim is judged in
                        draft.definitions = [_symbol_key(d) or d for d in draft.definitions]
                        bare = bare_loss_sum(f)     # and the sum's index where it is used
                        f = bare[0] if bare else re.sub(r"[Σ∑](?![ᵢ_])", "Σᵢ", f, count=1)
                    draft.definitions.insert(0, definition)
                    draft.functions[f"\\operatorname{{{fn.upper()}}}"] = fn
                    draft.inferred.append(f"{name} is the {fn.upper()} the sheet names with the formula")
                    for k, v in loss_decls.items():     # the sheet's own declarations stay; domains are added
                        have = draft.symbols.get(k)
                        if have is None or have.split() == v.split()[:len(have.split())] and have.split()[0] != "scalar":
                            draft.symbols[k] = v
                    draft.inferred.append(f"{fn.upper()}'s prediction ŷ and target y: " + ", ".join(
                        f"{k} {v}" for k, v in loss_decls.items()))
                    domains[sec, name] = loss_decls
                elif _shape_claim(draft, name, value, decls):
                    other = _alternative_claim(draft, name, value, decls, alternatives)
                    if other is not None:
                        out.append(other)
                elif notation == "unicode" and average_in_words(quote, f, name, value):
                    draft.reading, mean, symbols, notes = average_in_words(quote, f, name, value)
                    draft.definitions = [mean]
                    draft.inferred = [w for w in draft.inferred if not w.startswith("definition of ")] + notes
                    draft.symbols.update(symbols)
                elif not _named_function(draft, name, lines):
                    draft.not_checkable = f"defines {name} (later claims of this section use it as a definition)"
                known[name] = (f, no)     # reading order: the nearest definition above a claim is the one it uses
    out.extend(worked)
    out.extend(_stated_derivatives(stated, found, sections, decls, funcs))
    out.extend(_batch_activations(lines, sections, out))
    if not markdown:
        out.extend(_worked_value(v, sections) for v in worked_values(lines, sections, code_lines | fenced))
    consts: dict = {}
    for first, last, code, comment, fn, doc in statements:
        _code_constants(code, consts)
        d = _code_draft(first, last, code, comment, fn, doc, lines, sections.get(first, ""), consts)
        if d is not None:
            out.append(d)
    for fn, (params, expr, doc) in returned_expressions(statements, lines).items():
        d = _code_softmax(fn, params, expr, doc, statements, lines, sections)
        if d is not None:
            out.append(d)
    for t in trace_print_shapes(statements, lines, _code_constants):
        d = _printed_shape(t, lines, sections)
        if d is not None:
            out.append(d)
    out.sort(key=lambda d: d.line)      # reading order (stable: drafts of one line keep theirs)
    return out


def _slopes_in_words(no: int, line: str, section: str, block: str) -> list[Formula]:
    """A dead ReLU's ``∂L/∂w = 0`` and a ReLU's slope on the negatives in words (:mod:`.proseread`)."""
    out = []
    for text, value in dead_relu_gradient(line, block):
        d = Formula(no, section, line.strip(), text, "unicode", reading=dead_relu_reading(value))
        d.symbols = {"w": "scalar real", "x": "scalar real", "b": "scalar real"}
        d.inferred.append(f"in a block on a dead ReLU ('{block}'): the unit max(0, w x + b), input x and bias b, "
                          f"whose input is never positive; {text} read as its gradient by the weight w there "
                          "(∂L/∂w is L'(a) times it, for any loss L)")
        out.append(d)
    for text, reading, symbols, functions, note in slope_in_words(line):
        d = Formula(no, section, line.strip(), text, "unicode", reading=reading)
        d.symbols, d.functions = symbols, functions
        d.inferred.append(note)
        out.append(d)
    return out


def _flattened_kernel(no: int, line: str, section: str, lines, sections) -> list[Formula]:
    """A kernel reshaped into a row times the matching patch, in words (:func:`.proseread.flattened_kernel`)."""
    before = " ".join(lines[n - 1] for n in range(1, no) if sections.get(n) == section) + " " + line
    out = []
    for words, reading, symbols, note in flattened_kernel(line, before):
        d = Formula(no, section, line.strip(), words, "unicode", reading=reading or "")
        if reading is None:
            d.not_checkable = note
        else:
            d.symbols, d.functions = symbols, {"\\operatorname{vec}": "vec"}
            d.inferred.append(note)
        out.append(d)
    return out


def _batch_activations(lines, sections, drafts) -> list[Formula]:
    """``- A: activations (n_out × batch_size)`` where the section has ``a = σ(z)``, ``σ: activation function``
    and the batch ``Z = WX + b`` drafted as a shape claim (:func:`.proseread.batch_activation`): the sheet gives
    the shape of σ(WX + b), entry by entry Z's shape, drafted as ``σ(WX + b) ∈ ℝ^{…}`` with Z's declarations."""
    out = []
    for section in dict.fromkeys(sections.values()):
        nos = [n for n in range(1, len(lines) + 1) if sections.get(n) == section]
        gloss = glossary((n, lines[n - 1]) for n in nos)
        mine = [d for d in drafts if d.section == section and d.notation == "unicode"]
        defs = {m.group(1): m.group(2) for d in mine for m in [_DEFINITION.match(d.formula)] if m}
        for big, f, z, no in batch_activation(gloss, defs):
            shaped = [d for d in mine if _DEFINITION.match(d.formula) and _DEFINITION.match(d.formula).group(1) == z
                      and " \\in \\mathbb{R}^" in d.reading]
            fkey, dims = _symbol_key(f), _SHAPE.search(f"({gloss[big][1]})")
            if len(shaped) != 1 or fkey is None or dims is None:
                continue
            expr = shaped[0].reading.split(" \\in ")[0]
            shape = f"{_letter(dims.group(1))} \\times {_letter(dims.group(2))}"
            d = Formula(no, section, lines[no - 1].strip(), lines[no - 1].strip().lstrip("-*• ").strip(), "unicode",
                        reading=f"{fkey}({expr}) \\in \\mathbb{{R}}^{{{shape}}}")
            d.symbols = dict(shaped[0].symbols)
            d.functions = {fkey: "activation"}
            d.inferred = [w for w in shaped[0].inferred if not w.startswith(f"{z} = ")] + [
                f"{big} = {f}({z}): the section defines {big.lower()} = {f}({z.lower()}), calls {f} the "
                f"'{gloss[f][0]}', {big} '{gloss[big][0]}' and {z} the batch of {z.lower()} ('{gloss[z][0]}'); "
                f"{f} an activation, entry by entry"]
            out.append(d)
    return out


def _stated_derivatives(stated, found, sections, decls, funcs) -> list[Formula]:
    """``∂Z/∂b is simply 1`` as the claim ``∂Z/∂b = 1``, with the definition of Z: the nearest above in the
    section that mentions b, else the one value the sheet gives Z in b anywhere (:func:`.proseread.sheet_definition`);
    no definition, no claim (a derivative of an undefined name says nothing checkable; ``Before training, u = 0``
    is a value, not the u a derivative by c means)."""
    defs = [(no, f.removeprefix(_WORDED)) for no, _q, f, notation in found if notation == "unicode"]
    out = []
    for no, quote, section, (words, frac, number, _at) in stated:
        m = re.fullmatch(r"(?:∂|d)([^\W\d_]\w*)\s*/\s*(?:∂|d)([^\W\d_]\w*)", frac)
        name, var = m.groups()
        own = [(n, t) for n, t in defs if n <= no and sections.get(n, "") == section and _DEFINITION.match(t)
               and _DEFINITION.match(t).group(1) == name and mentions(t.split("=", 1)[1], var)]
        got = (own[-1][1].split("=", 1)[1].strip(), own[-1][0]) if own else sheet_definition(defs, name, var)
        if got is None:
            continue
        value, line = got
        key, tex, lhs = _symbol_key(name), _symbol_key(value), _symbol_key(frac)
        if None in (key, tex, lhs):
            continue
        d = Formula(no, section, quote, words, "unicode", reading=f"{lhs} = {number}")
        d.definitions = [f"{key} = {tex}"]
        d.inferred.append(f"'{words}': the derivative {frac} equals {number}")
        d.inferred.append(f"definition of {name} from line {line}" + (
            "" if own else f" (the sheet's one definition of {name} in {var}; this section gives none)"))
        _declare(d, decls, funcs)
        out.append(d)
    return out


def _code_softmax(fn, params, expr, doc, statements, lines, sections) -> Formula | None:
    """``def softmax(z): … return exp_z / np.sum(exp_z, axis=1, keepdims=True)`` (the name or the docstring
    says softmax): entry i of what it returns is the softmax of z's row, read as one vector z."""
    if len(params) != 1 or not (re.fullmatch(r"(?:stable_)?softmax", fn, re.I) or re.search(r"\bsoftmax\b", doc, re.I)):
        return None
    got = softmax_entry(expr, params[0])
    if got is None:
        return None
    tex, axis = got
    z = params[0]
    first = next(st[0] for st in statements if st[4] == fn)
    last = max(st[1] for st in statements if st[4] == fn)
    returned = next(st[2] for st in statements if st[4] == fn and st[1] == last)
    d = Formula(last, sections.get(last, ""), " ".join(ln.strip() for ln in lines[first - 1:last]),
                returned, "code", reading=f"{tex} = \\operatorname{{softmax}}({z})_{{i}}")
    d.symbols = {z: "vector n real", "i": "index n", "k": "index n"}
    d.functions = {"\\operatorname{softmax}": "softmax"}
    d.inferred = [f"{fn} computes the softmax, as its {'name' if 'softmax' in fn.lower() else 'docstring'} says"]
    if axis == "row":
        d.inferred.append("max and sum along the last axis (keepdims): each row is one example, read as the vector "
                          f"{z} of n entries")
    else:       # no axis: numpy reduces the whole array, a softmax only where z is one vector
        d.inferred.append(f"max and sum without an axis reduce the whole array: {z} read as one vector of n entries "
                          "(for a batch of rows they would run over the batch too)")
    return d


def _printed_shape(t, lines, sections) -> Formula | None:
    """A shape the code prints (:mod:`.codeshapes`) as a claim: the expression the printed array holds has
    the shape its comment gives, with the shapes the code made its arrays."""
    doc = " ".join(f"{k}: ({v[0]}, {v[1] if len(v) > 1 else ''})" for k, v in t.shapes.items())
    quote = " ".join(ln.strip() for ln in lines[t.line - 1:t.line])
    d = _docstring_shape(Formula(t.line, sections.get(t.line, ""), quote, t.code, "code"), t.expr, doc)
    if d is None:
        return None
    d.reading = d.reading.split(" \\in ")[0] + f" \\in \\mathbb{{R}}^{{{t.printed[0]} \\times {t.printed[1]}}}"
    d.inferred = [f"the printed array is what {t.calls} returns: {ast.unparse(t.expr)}, with the shapes the code "
                  "gives its arrays: " + ", ".join(f"{k} {v}" for k, v in t.shapes.items()),
                  "the shape the comment prints is the claim"] + [w for w in d.inferred if "broadcast" in w][:1]
    return d


def _worked_value(v, sections) -> Formula:
    """A worked example's value claim (:mod:`.worked`) as a draft."""
    d = Formula(v.line, sections.get(v.line, ""), v.text, v.text, "unicode", reading=v.reading)
    d.definitions, d.symbols, d.functions = list(v.definitions), dict(v.symbols), dict(v.functions)
    d.inferred = ["a value the worked example states as rounded: the exact value rounds to the printed one"] + v.inferred
    return d


_SUM_INDEX = re.compile(r"\\sum_\{?\s*([a-z])\s*(?:=\s*[^{}^]*)?\}?(?:\s*\^\s*\{?\s*([A-Za-z])\s*\}?)?")
_SUBSCRIPTED = re.compile(r"(\\(?:hat|tilde|bar|mathbf|boldsymbol|bm|vec)\{[A-Za-z]\}|(?<![\\A-Za-z])[A-Za-z])"
                          r"_(?:\{([a-z])\}|([a-z])(?![A-Za-z0-9]))")


def _index_declarations(tex: str) -> dict:
    r"""Declarations the notation fixes: the index of ``\sum_i`` is an index (up to the sum's upper letter,
    else n), a symbol subscripted by it is a vector of that size, and every other single-letter subscript
    of such a vector is an index of the same range.  key -> (declaration, why)."""
    size = {}
    for m in _SUM_INDEX.finditer(tex):
        size.setdefault(m.group(1), m.group(2) or "n")
    if not size or any(n in size for n in size.values()):
        return {}           # Σₘ Σₙ: n is an index itself, so it is no size the notation gives
    found = list(_SUBSCRIPTED.finditer(tex))
    if any(tex[m.end():].lstrip().startswith("^") for m in found):
        return {}           # x_i^l: a layer superscript or a power, which the notation does not settle
    subs = [(m.group(1), m.group(2) or m.group(3)) for m in found]
    vectors, why = {}, {}
    changed = True
    while changed:          # to closure: a_i next to z_i, z_k with k the sum's index
        changed = False
        for base, idx in subs:
            if idx in size and base not in vectors and base not in size and base != size[idx]:
                vectors[base] = size[idx]
                why[base] = f"{base}: vector {size[idx]} (subscripted by the index {idx}, inferred from the notation)"
                changed = True
            if base in vectors and idx not in size:
                size[idx] = vectors[base]
                changed = True
    out = {i: (f"index {n}", f"{i}: index 1..{n} (of a sum or of a vector, inferred from the notation)")
           for i, n in size.items() if i not in vectors}
    out.update({b: (f"vector {n}", why[b]) for b, n in vectors.items()})
    return out


_FUNCTION_WORD = re.compile(r"(?<![\w\\])(sigmoid|logistic|relu|tanh|softplus|softmax)(?![\w(])", re.I)
_FUNCTION_OPS = {"sigmoid": "\\operatorname{sigmoid}", "relu": "\\operatorname{ReLU}", "tanh": "\\tanh",
                 "softplus": "\\operatorname{softplus}", "softmax": "\\operatorname{softmax}"}


def _named_function(draft: Formula, name: str, lines) -> bool:
    r"""``a = \max(0, z)`` under the heading "ReLU", ``aᵢ = eᶻⁱ / Σⱼ eᶻʲ`` after "softmax ... using the formula":
    a definition the sheet names by one known function, in the words before it on its line or in the
    heading above it, says what that function is: the claim ``a = …`` with ``a = ReLU(z)`` as its
    definition, z the one variable of the right side (softmax: the vector its entries subscript)."""
    at = draft.quote.find(draft.formula[:8])
    if at < 0 or draft.not_checkable:
        return False
    words = draft.quote[max(0, at - 120):at]
    prev = next((ln for ln in reversed(lines[:draft.line - 1]) if ln.strip()), "")
    if not re.search(r"[A-Za-z]{3,}", draft.quote[:at]) and len(prev) <= 60 and \
            not any(c in prev for c in _REL_CHARS + "$"):
        words = prev
    hits = list(_FUNCTION_WORD.finditer(words))
    names = {_FUNCTION_NAMES.get(m.group(1).lower(), m.group(1).lower()) for m in hits}
    if len(names) != 1 or not all(_bare_name(words, m) for m in hits):
        return False            # "Leaky ReLU", "log softmax": a word beside the name makes it another function
    fn = names.pop()
    latex = draft.notation == "latex" or bool(draft.reading)
    tex = draft.reading or (draft.formula if latex else _symbol_key(draft.formula))
    if tex is None or fn in tex.lower():
        return False
    lhs, rhs = tex.split("=", 1)
    if re.search(r"[α-ωΑ-Ω]|\\begin|\\(?!(?:max|frac|sum|exp|log|ln|cdot|times|left|right)(?![a-zA-Z]))[a-zA-Z]+",
                 rhs):
        return False            # a parameter (ε) or cases: more than the one function of one variable
    if fn == "softmax":
        m = re.fullmatch(r"\s*([A-Za-z])_\{?([a-z])\}?\s*", lhs)
        bases = set(re.findall(r"(?<![\\A-Za-z])([A-Za-z])_\{?[a-z]\}?", rhs)) - {"e"}
        if not m or len(bases) != 1:
            return False
        out, var = m.group(1), bases.pop()
    else:
        m = re.fullmatch(r"\s*([A-Za-z])\s*", lhs)
        letters = set(re.findall(r"(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])", rhs)) - {"e"}
        if not m or len(letters) != 1:
            return False
        out, var = m.group(1), letters.pop()
    if out == var:
        return False
    op = _FUNCTION_OPS[fn]
    draft.definitions.insert(0, f"{out} = {op}({var})" if latex else f"{out} = {fn}({var})")
    if fn != "tanh":
        draft.functions[op if latex else _symbol_key(f"{fn}(x)").split("(")[0].strip()] = fn
    if fn != "softmax":
        draft.symbols.setdefault(var, "scalar real")
    draft.inferred.append(f"{out} = {fn}({var}): the {fn} the sheet names before the formula")
    return True


def _shape_claim(draft: Formula, name: str, value: str, decls: dict) -> bool:
    r"""``z = Wx + b`` where the section's glossary gives z a shape (``z: pre-activation (n_out × 1)``) and
    every symbol of ``Wx + b`` one too: the sheet claims the expression has z's shape, drafted as
    ``W x + b \in \mathbb{R}^{n_{out} \times 1}``.  Only letters and arithmetic on the right (no function,
    whose shape rule the glossary does not give)."""
    if draft.notation != "unicode" or draft.not_checkable:
        return False
    key, tex = _symbol_key(name), _symbol_key(value)
    target = decls.get((draft.section, key))
    if not target or tex is None or "\\" in tex.replace("\\times", "").replace("\\cdot", "") or "(" in tex:
        return False
    bare = re.sub(r"\\(?:times|cdot)", " ", tex)           # the product signs are no symbols
    letters = set(re.findall(r"[A-Za-z]", re.sub(r"_\{?\w+\}?", "", bare)))
    syms = set(re.findall(r"[A-Za-z](?:_\{\w+\}|_\w)?", bare))
    if not letters or any(v not in draft.symbols for v in syms):
        return False
    kind, *dims = target[0].split()
    shape = " \\times ".join(dims if kind == "matrix" else dims[:1] + ["1"])
    draft.reading = f"{tex} \\in \\mathbb{{R}}^{{{shape}}}"
    draft.symbols.pop(key, None)
    draft.definitions = [d for d in draft.definitions if not d.startswith(name)]
    draft.inferred.append(f"{name} = {value}, and {target[1]}: the expression has that shape")
    return True


def _shape_decl(dims: list, name: str, no: int, more: str = ""):
    """A ``has shape (…)`` tuple as a declaration: (decl, why), or None when it is not (m,) or (m, n)."""
    if len(dims) == 2 and not dims[1] and re.fullmatch(r"[A-Za-z]\w*", dims[0]):
        return f"vector {_letter(dims[0])}", f"{name}: vector from line {no}{more}"
    if len(dims) == 2 and all(re.fullmatch(r"[A-Za-z]\w*", d) for d in dims):
        return f"matrix {_letter(dims[0])} {_letter(dims[1])}", f"{name}: matrix from line {no}{more}"
    return None


def _alternative_shapes(lines, sections) -> dict:
    """(section, symbol key) -> (decl, why) of the second shape a ``has shape (n,) … or (batch_size, n)`` line
    gives (the batch form beside the single example's)."""
    out = {}
    for no, line in enumerate(lines, 1):
        m = _HAS_SHAPE.match(line)
        alt = m and re.match(r"\s*(?:for [^()]*)?\bor\s+\(([^()]*)\)", line[m.end():])
        if not alt:
            continue
        subject = m.group(1)
        name = (subject.split("=")[0] if "=" in subject else subject).split()
        key = name and _symbol_key(name[-1])
        got = key and _shape_decl([d.strip() for d in alt.group(1).split(",")], name[-1], no,
                                  " (the second of the shapes the line gives)")
        if got:
            out[sections.get(no, ""), key] = got
    return out


def _alternative_claim(draft: Formula, name: str, value: str, decls: dict, alternatives: dict):
    """The shape claim of a definition again with the second shapes its lines give, where the target and a
    symbol of the right side have one (``a … or (batch_size, n)``, ``z = Wa + b … or (batch_size, m)``): the
    sheet states both forms, so both are drafted; None when there is no such pair."""
    sec, key = draft.section, _symbol_key(name)
    if (sec, key) not in alternatives or not any((sec, k) in alternatives for k in draft.symbols):
        return None
    alt = dict(decls)
    alt.update(alternatives)
    other = Formula(draft.line, sec, draft.quote, draft.formula, draft.notation)
    other.symbols = {k: alternatives.get((sec, k), (v, ""))[0] for k, v in draft.symbols.items()}
    other.inferred = [w for w in draft.inferred if "first of the shapes" not in w]
    other.inferred += [alternatives[sec, k][1] for k in [*draft.symbols, key] if (sec, k) in alternatives]
    if not _shape_claim(other, name, value, alt):
        return None
    tail = re.search(r"\bor\s+\([^()]*\)", draft.quote[draft.quote.find(draft.formula):])
    if tail:
        at = draft.quote.find(draft.formula)
        other.formula = draft.quote[at:at + tail.end()]
    return other


def _declared_expressions(found, sections, decls) -> list:
    """The right sides of the plain-text definitions ``z = Wx + b`` (an operator in them) whose every symbol
    the definition's own section declares with a shape: (the side without spaces, its line, {key: (decl, why)})."""
    out = []
    for no, _quote, f, notation in found:
        m = _DEFINITION.match(f) if notation == "unicode" else None
        if not m or not re.search(r"[+−–\-]", m.group(2)):
            continue
        sec, value = sections.get(no, ""), m.group(2).strip()
        keys = {_symbol_key(c) for c in re.findall(r"[^\W\d_]", value)}
        got = {k: decls[sec, k] for k in keys if (sec, k) in decls}
        if len(got) >= 2 and len(got) == len(keys):
            out.append(("".join(value.split()), no, got))
    return out


def _carry_declarations(draft: Formula, carried: list, decls: dict):
    """``d/db[Wx + b] = 1`` in a later section: the expression ``Wx + b`` the sheet defined (``z = Wx + b``)
    where it declared W, x and b carries those declarations to this claim, for the symbols its own section
    leaves undeclared (read as scalars they would lose what the sheet says of them); marked inferred."""
    if draft.notation != "unicode" or draft.not_checkable:
        return
    flat = "".join(draft.formula.split())
    for value, line, got in carried:
        if value not in flat or line == draft.line:
            continue
        for key, (decl, why) in got.items():
            if key not in draft.symbols and (draft.section, key) not in decls:
                draft.symbols[key] = decl
                draft.inferred.append(f"{why} ({value} as defined on line {line})")


def _declare(draft: Formula, decls: dict, funcs: dict):
    tex = draft.reading or (draft.formula if draft.notation == "latex" else _symbol_key(draft.formula) or "")
    tex += " " + " ".join(d if draft.notation == "latex" else (_symbol_key(d) or "") for d in draft.definitions)
    runs = {r for r in re.findall(r"(?<![\\A-Za-z])[A-Za-z]+", tex)}
    letters = {c for r in runs if len(r) <= 2 for c in r}       # the LaTeX reader reads Wx as W x
    for (sec, key), (decl, why) in decls.items():
        single = len(key) == 1 and key in letters
        if sec == draft.section and (single or len(key) > 1 and re.search(
                rf"(?<![\\\w]){re.escape(key)}(?![\w{{])", tex)):
            draft.symbols[key] = decl
            draft.inferred.append(why)
    for key, (decl, why) in _index_declarations(tex).items():
        if key not in draft.symbols:
            draft.symbols[key] = decl
            draft.inferred.append(why)
    for key, (fn, why) in funcs.items():
        if key in tex:
            draft.functions[key] = fn
            draft.inferred.append(why)



_SUP_LETTERS = dict(zip("ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵖʳˢᵗᵘᵛʷˣʸᶻ", "abcdefghijklmnprstuvwxyz"))
_SUB_INDEX = dict(zip("ᵢⱼₖₘₙ", "ijkmn"))


def _index_exponents(draft: Formula):
    """``aᵢ = eᶻⁱ / Σⱼ eᶻʲ``: two letters side by side in an exponent, the second an index the formula
    subscripts elsewhere (aᵢ, Σⱼ), read as the first letter indexed by it (e^(zᵢ)); a product zi is the
    other reading, which the plain-text reader refuses to choose, so this one is marked inferred."""
    if draft.notation != "unicode" or draft.reading or _symbol_key(draft.formula) is not None:
        return
    indices = {_SUB_INDEX[c] for c in draft.formula if c in _SUB_INDEX}
    pair = re.compile(r"([" + "".join(_SUP_LETTERS) + r"])([" + "".join(_SUP_LETTERS) + r"])(?![" + "".join(_SUP_LETTERS) + "])")
    seen = []

    def one(m):
        base, idx = _SUP_LETTERS[m.group(1)], _SUP_LETTERS[m.group(2)]
        if idx not in indices:
            return m.group(0)
        seen.append(m.group(0))
        return f"^({base}_{idx})"
    text = pair.sub(one, draft.formula)
    tex = _symbol_key(text) if seen else None
    if tex is not None:
        draft.reading = tex
        draft.inferred.append(f"the exponents {', '.join(seen)} read as an entry indexed by the formula's own "
                              "subscript index (not a product)")


#: the functions a sheet names in words, by the catalogue's function name
_FUNCTION_NAMES = {"sigmoid": "sigmoid", "logistic": "sigmoid", "relu": "relu", "tanh": "tanh", "softplus": "softplus"}
_NAMED_WORD = re.compile(r"(?<![\w\\])(" + "|".join(_FUNCTION_NAMES) + r")(?![\w(])", re.I)
_LETTER_CALL = re.compile(r"^\s*(?:\\operatorname\{)?([a-zA-Zα-ωφ])\}?\s*('|′|\^\{?\\prime\}?)?\s*\(\s*\\?\w+\s*\)\s*(?:=|:=)")


def _letter_function(draft: Formula, named: dict, lines):
    """``defined as f(z)=max(0,z)`` after the words "the ReLU function": a one-letter function the sheet
    names in words just before its formula is that function, for this claim and the later claims of its
    section until the letter is defined again.  Only where exactly one known name is in those words
    (the text before the formula on its line, and the line above when the formula starts its line)."""
    m = _LETTER_CALL.match(draft.formula)
    key = None
    if m:
        key = m.group(1) if draft.notation == "latex" else _symbol_key(m.group(1))
        if key in draft.functions or key is None:
            key = None
    if key is not None and not draft.not_checkable:
        at = draft.quote.find(draft.formula[:8])
        before = draft.quote[max(0, at - 120):at] if at >= 0 else ""
        if at >= 0 and not re.search(r"[A-Za-z]{3,}", draft.quote[:at]):     # the formula (or a KaTeX copy) starts its line
            prev = next((ln for ln in reversed(lines[:draft.line - 1]) if ln.strip()), "")
            before = prev + " " + before
        hits = list(_NAMED_WORD.finditer(before))
        names = {_FUNCTION_NAMES[h.group(1).lower()] for h in hits}
        if len(names) == 1 and not any(_qualified(before[:h.start()]) for h in hits):     # not "Leaky ReLU"
            fn = names.pop()
            named[key] = (fn, f"{key} is the {fn} the sheet names before line {draft.line}'s formula")
        elif not m.group(2):        # f'(z) = ... says what f's derivative is; f(z) = ... defines f anew
            named.pop(key, None)     # defined again without a name: the earlier meaning ends
    for k, (fn, why) in named.items():
        if k not in draft.functions and re.search(rf"(?<![\w\\]){re.escape(k)}\s*(?:'|′|\^\{{?\\prime\}}?)?\s*\(",
                                                   draft.formula):
            draft.functions[k] = fn
            draft.inferred.append(why)

def _brace_group(text: str, k: int) -> tuple[str, int] | None:
    """The inside of the brace group starting at ``text[k] == '{'`` and the index after it."""
    if k >= len(text) or text[k] != "{":
        return None
    depth = 0
    for j in range(k, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[k + 1:j], j + 1
    return None


def _differential(group: str) -> tuple[str, str] | None:
    r"""``\partial L`` -> (``\partial``, ``L``), ``d \hat{y}`` -> (``d``, ``\hat{y}``); None for anything else."""
    g = group.strip()
    for op in ("\\partial", "d"):
        if g.startswith(op) and g[len(op):].strip():
            var = g[len(op):].strip()
            if op == "d" and not (g[1:2] == " " or g[1:2].isalpha() or g[1:2] == "\\"):
                return None
            if re.fullmatch(r"(?:\\[a-zA-Z]+\{[^{}]+\}|\\mathrm\{\w+\}|\\[a-zA-Z]+|[^\W\d_])(?:_\{?\w+\}?)?", var):
                return op, var
    return None


def _fractions(side: str) -> list[tuple[str, str, str]] | None:
    r"""A side made only of derivative fractions (``\frac{d u}{d v}``), brackets and product signs:
    each fraction as (operator, u, v); None when anything else is written."""
    out, k = [], 0
    while k < len(side):
        if side[k] in " ()":
            k += 1
            continue
        m = re.match(r"\\times|\\cdot|\\,", side[k:])
        if m:
            k += m.end()
            continue
        if not side.startswith("\\frac", k):
            return None
        top = _brace_group(side, k + 5)
        bottom = top and _brace_group(side, top[1])
        if not bottom:
            return None
        num, den = _differential(top[0]), _differential(bottom[0])
        if not num or not den or num[0] != den[0]:
            return None
        out.append((num[0], num[1], den[1]))
        k = bottom[1]
    return out


_CHAIN_FUNCTIONS = ("F", "G", "H", "K", "P", "Q", "R", "S", "T", "U")


def _infer_chain(draft: Formula):
    r"""``dy/dx = (dy/dg) × (dg/dx)`` with nothing else said of y and g: the chain rule of unspecified
    scalar functions, each quantity a function of the next (``y = F(g)``, ``g = G(x)``).  Drafted only when
    the right side is a product of derivative fractions whose variables link the left side's, end to end,
    and the sheet says nothing else of them (no definition, no declaration); marked as inferred."""
    if draft.not_checkable or draft.algorithm:
        return
    nested = None
    if draft.definitions:       # "If y = f(g(x)), then dy/dx = ...": the composition the chain reads
        m = re.fullmatch(r"\s*(\w)\s*=\s*\w\s*\(\s*(\w)\s*\(\s*(\w)\s*\)\s*\)\s*", draft.definitions[0])
        if len(draft.definitions) > 1 or not m:
            return
        nested = list(m.groups())
    if draft.notation == "latex":
        tex = draft.formula
    else:
        try:
            tex = unicode.to_latex(draft.formula)
        except LatexError:
            return
    # a word after d or ∂ (∂output) is one quantity the sheet names
    tex = re.sub(r"(\\partial|\bd) ([a-zA-Z]{2,})\b", lambda m: f"{m.group(1)} \\mathrm{{{m.group(2)}}}", tex)
    sides = [p for p, top in _split_top(tex, "=")]
    if len(sides) != 2:
        return
    lhs, rhs = _fractions(sides[0]), _fractions(sides[1])
    if not lhs or len(lhs) != 1 or not rhs or len(rhs) < 2:
        return
    op, a, b = lhs[0]
    chain = [a] + [v for _, _, v in rhs]
    if any(o != op for o, _, _ in rhs) or rhs[0][1] != a or rhs[-1][2] != b or \
            any(rhs[j][2] != rhs[j + 1][1] for j in range(len(rhs) - 1)) or len(set(chain)) != len(chain):
        return
    if any(v in draft.symbols for v in chain) or len(chain) - 1 > len(_CHAIN_FUNCTIONS) or \
            (nested and nested != chain):
        return
    if nested:
        draft.inferred = [w for w in draft.inferred if not w.startswith("definition of ")]
    used = set(re.findall(r"[A-Za-z]", tex))
    names = [f for f in _CHAIN_FUNCTIONS if f not in used][:len(chain) - 1]
    if len(names) < len(chain) - 1:
        return
    draft.reading = tex
    draft.definitions = [f"{u} = {fn}({v})" for fn, u, v in zip(names, chain, chain[1:])]
    draft.functions.update({fn: "generic" for fn in names})
    draft.symbols.update({v: "scalar real" for v in chain})
    draft.inferred.append("a chain rule of unspecified functions: " + ", ".join(draft.definitions)
                          + " (each quantity a scalar function of the next)")


def _letter_convention(decls: dict) -> str:
    """The lines saying the sheet writes capitals for matrices and small letters for vectors ("" when its
    declarations do not, or break it: a small-letter matrix or a capital vector)."""
    caps = [why for (_, key), (decl, why) in decls.items() if len(key) == 1 and key.isupper() and decl.startswith("matrix")]
    smalls = [why for (_, key), (decl, why) in decls.items() if len(key) == 1 and key.islower() and decl.startswith("vector")]
    broken = any(len(key) == 1 and (key.isupper() and decl.startswith("vector") or key.islower() and decl.startswith("matrix"))
                 for (_, key), (decl, _why) in decls.items())
    return "" if broken or not caps or not smalls else f"{caps[0]}; {smalls[0]}"


def _readings(draft: Formula):
    """The draft's formula in the intermediate form by its notation's reader (``[]`` for a notation without
    one, such as code), or None where it does not read."""
    read = READERS.get(draft.notation)
    try:
        return read(draft.formula) if read else []
    except LatexError:
        return None


def _matrix_letters(draft: Formula, convention: str):
    """Matrix algebra of letters the sheet does not declare (``∂(x^TAx)/∂x = (A + A^T)x``, a transpose or a
    norm in it): on a sheet whose declarations write capitals for matrices and small letters for vectors,
    each letter is declared so, with the most general sizes its products allow (derive/lettershapes.py);
    marked inferred.  Nothing is drafted when a letter is declared already or the sizes do not tie up."""
    if not convention or draft.not_checkable or draft.algorithm or draft.reading or draft.definitions:
        return
    readings = _readings(draft)
    if readings is None:
        return
    if not readings or not any(isinstance(n, (ir.Transpose, ir.Norm)) for st in readings for n in ir.walk(st)):
        return
    found = [letter_shapes(st) for st in readings]
    if not found[0] or any(f != found[0] for f in found) or any(k in draft.symbols for k in found[0]):
        return
    for letter, (kind, *dims) in found[0].items():
        draft.symbols[letter] = " ".join([kind, *dims])
    draft.inferred.append("matrix algebra of undeclared letters: " + ", ".join(
        f"{k} {draft.symbols[k]}" for k in found[0]) + f" (the sheet writes capitals for matrices and small "
        f"letters for vectors: {convention}; the most general sizes the formula's products allow)")


def _softmax_vector(draft: Formula):
    """``softmax(x) = softmax(x - max(x))`` with x undeclared and the formula's only letter: the softmax takes a
    vector, so x is one (n entries, n a size the formula does not use); marked inferred.  Anything else
    in the formula (another letter, x also outside a softmax's argument alone) leaves x undeclared."""
    if draft.not_checkable or draft.algorithm or draft.reading or draft.definitions or draft.symbols:
        return
    readings = _readings(draft)
    if readings is None:
        return
    atoms = {n.name for st in readings for n in ir.walk(st) if isinstance(n, ir.Atom)}
    applied = {a.args[0].arg.name for st in readings for a in ir.walk(st) if isinstance(a, ir.Apply)
               and isinstance(a.func, ir.Func) and a.func.name == "softmax" and len(a.args) == 1
               and isinstance(a.args[0], ir.Paren) and isinstance(a.args[0].arg, ir.Atom)}
    if len(atoms) != 1 or atoms != applied or atoms & {"n", "i", "e"}:
        return
    (x,) = atoms
    draft.symbols[x] = "vector n"
    draft.inferred.append(f"{x}: vector n, as the softmax applied to it takes a vector")


def _split_top(tex: str, sign: str):
    """``tex`` cut at its top-level ``sign`` characters: (piece, True) for each piece."""
    top = _top_level(tex)
    parts, start = [], 0
    for k, c in enumerate(tex):
        if c == sign and top[k]:
            parts.append(tex[start:k])
            start = k + 1
    parts.append(tex[start:])
    return [(p, True) for p in parts]

def scan(path) -> tuple[str, list[Formula]]:
    """A sheet file's drafted claims: ``(its name, formulas)``."""
    p = Path(path)
    return p.name, scan_text(p.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- code lines
_CODE_START = re.compile(r"^\s*(?:import \w|from [\w.]+ import |def \w+\s*\(.*\)\s*(?:->.*)?:\s*(?:#.*)?$"
                         r"|class \w+.*:\s*$|@\w+)")
_BLOCK_WORD = re.compile(r"^\s*(?:else|try|finally|except\b[^:]*|elif\b.*|with\b.*|for\b.*|while\b.*|if\b.*)\s*:\s*$")
_DOCSTRING = ('"""', "'''")


def _strip_comment(line: str) -> tuple[str, str]:
    """A code line's code and its ``#`` comment (a ``#`` inside quotes is code)."""
    quote = None
    for k, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#":
            return line[:k].rstrip(), line[k + 1:].strip()
    return line.rstrip(), ""


def _is_code(text: str) -> bool:
    t = text.strip()
    if not t:
        return True
    if t.endswith(":") and _BLOCK_WORD.match(t):      # else:, for i in ...: (their block is on later lines)
        t = "if x:\n pass\n" + t + "\n pass" if re.match(r"\s*(?:else|elif)\b", t) else \
            "try:\n pass\n" + t + "\n pass" if re.match(r"\s*(?:except|finally)\b", t) else t + " pass"
    elif t.endswith(":") and _CODE_START.match(t):
        t += " pass"
    try:
        ast.parse(t)
    except SyntaxError:
        return False
    return True


def _code_before_prose(code: str) -> str | None:
    """The statement at the start of a line whose prose follows a closing bracket with no space (a page's
    lines run together): ``return f(x)The key insight is …`` -> ``return f(x)``; None when there is none."""
    for m in reversed(list(re.finditer(r"[)\]](?=[A-Z][a-z]+\b)", code))):
        head = code[:m.end()]
        if _statement_parts(head) is not None and _is_code(head):
            return head
    return None


def _code_statements(lines, fenced=frozenset()):
    """The statements of the sheet's code, as (first line, last line, code, comment, def name, docstring),
    and the numbers of the lines the code takes:
    code starts at ``import``, ``def``, ``class`` or a decorator and runs while each line (a statement
    continued over lines while a bracket is open) is Python, a comment or a docstring; a line of
    prose ends it.  Sheets flatten indentation, so each line is read on its own."""
    out, taken, k, inside, fn, doc = [], set(), 0, False, "", ""
    while k < len(lines):
        s = lines[k].strip()
        if not inside and not _CODE_START.match(lines[k]) and k + 1 not in fenced:
            k += 1
            continue
        inside = True
        if s.startswith(_DOCSTRING):              # a docstring: the enclosing function's words
            mark = s[:3]
            body, j = s[3:], k
            while mark not in body and j + 1 < len(lines):
                j += 1
                body += " " + lines[j].strip()
            if fn and not doc:
                doc = body.split(mark)[0].strip()
            taken.update(range(k + 1, j + 2))
            k = j + 1
            continue
        code, comment = _strip_comment(s)
        j = k
        while sum(map(code.count, "([{")) > sum(map(code.count, ")]}")) and j + 1 < len(lines) \
                and j - k < 12:
            j += 1
            more, extra = _strip_comment(lines[j].strip())
            code, comment = code + " " + more, comment or extra
        if not _is_code(code):
            glued = _code_before_prose(code) if j == k else None
            if glued:                        # "return exp_z / np.sum(exp_z)The key insight …": the copy lost a break
                taken.add(k + 1)
                out.append((k + 1, k + 1, glued, comment, fn, doc))
            if k + 1 not in fenced:          # prose: the code ended (in a fence, a line that is not Python)
                inside, fn, doc = False, "", ""
            k += 1
            continue
        taken.update(range(k + 1, j + 2))
        m = re.match(r"(?:def|class) (\w+)\s*\(?", code)
        if m:
            fn, doc = (m.group(1), "") if code.startswith("def") else ("", "")
        elif code:
            out.append((k + 1, j + 1, code, comment, fn, doc))
            if code.startswith("return"):     # flattened code: a return ends its function
                fn, doc = "", ""
        k = j + 1
    return out, taken


_INIT_NAMES = ((re.compile(r"\b(?:xavier|glorot)\b", re.I), "xavier"), (re.compile(r"\b(?:he|kaiming)\b", re.I), "he"),
               (re.compile(r"\blecun\b", re.I), "lecun"))
_LR_NAMES = re.compile(r"^(?:lr|learning_rate|eta|alpha|step_size|step)$")
_GD_WORDS = re.compile(r"gradient descent|\bsgd\b", re.I)
_FN_KEYS = {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "tanh": r"\tanh", "softplus": r"\operatorname{softplus}"}


def _code_function(comment: str, fn: str, is_return: bool) -> tuple[str, bool] | None:
    """(function, derivative?) a code line is said to compute: named by its comment (``# ReLU activation``),
    or, for a ``return``, by the function it ends (``def relu_derivative(Z):``)."""
    names = {_FUNCTION_NAMES[w.lower()] for w in _NAMED_WORD.findall(comment)}
    deriv = bool(re.search(r"derivative|gradient|grad\b|prime", comment, re.I))
    if not names and is_return and fn:
        m = re.fullmatch(r"(d_?)?(sigmoid|logistic|relu|tanh|softplus)(_derivative|_deriv|_grad|_prime|_backward)?",
                         fn, re.I)
        if m:
            names, deriv = {_FUNCTION_NAMES[m.group(2).lower()]}, bool(m.group(1) or m.group(3))
    return (names.pop(), deriv) if len(names) == 1 else None


def _statement_parts(code: str):
    """(target, value, augmented operator) of ``T = V``, ``T -= V`` or ``return V``; None otherwise."""
    try:
        node = ast.parse(code).body[0]
    except (SyntaxError, IndexError):
        return None
    if isinstance(node, ast.Return) and node.value is not None:
        return None, node.value, None
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return node.targets[0], node.value, None
    if isinstance(node, ast.AugAssign):
        return node.target, node.value, node.op
    return None


def _code_draft(first, last, code, comment, fn, doc, lines, section, consts) -> Formula | None:
    """The claim one statement of the sheet's code states, if a rule below applies (else None):

    * a named elementwise function: ``A1 = np.maximum(0, Z1)  # ReLU activation`` is ReLU(Z_1) = max(0, Z_1),
      checked entry by entry (``def relu_derivative(Z): return ...`` states ReLU's derivative);
    * an initialisation a comment or docstring names: ``np.random.randn(m, n) * s  # Xavier`` claims
      Var_Xavier(m, n) = s^2 (Xavier's variance is symmetric in the two sizes; He and LeCun need to
      know which size is the fan-in, which the code does not say, so they are drafted as not checkable);
    * a gradient-descent step in a function that says so: ``W -= lr * dW`` is W <- W - lr dW."""
    parts = _statement_parts(code)
    if parts is None:
        return None
    target, value, aug = parts
    quote = " ".join(ln.strip() for ln in lines[first - 1:last])
    one_line = code if first == last else None

    def draft(formula):
        return Formula(first, section, quote, formula, "code")

    words = " ".join((comment, doc, fn.replace("_", " ")))
    if isinstance(aug, ast.Sub) and isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) \
            and _GD_WORDS.search(words):
        return _gd_step(draft(one_line or code), target, value)
    init = _init_call(value)
    if init is not None:
        named = [key for pat, key in _INIT_NAMES if pat.search(comment) or pat.search(doc)]
        if len(named) != 1:
            return None
        dims, scale, op = init
        return _init_claim(draft(one_line or ast.get_source_segment(code, scale) or code), named[0], dims, scale,
                           op, consts)
    shaped = _docstring_shape(draft(one_line or code), value, doc)
    if shaped is not None:
        return shaped
    above = lines[first - 2].strip() if first >= 2 and lines[first - 2].strip().startswith("#") else ""
    sce = _sce_code(draft(one_line or code), target, value, f"{comment} {above}")
    if sce is not None:
        return sce
    named = _code_function(comment, fn, target is None)
    if named is None:
        return None
    upstream = _upstream_factor(target, value)
    if upstream is not None and named[1]:      # dZ = dA * (Z > 0)  # ReLU derivative: the mask is ReLU'
        d = _function_claim(draft(one_line or code), upstream[1], *named, comment)
        if d is not None and not d.not_checkable:
            d.inferred.append(f"{upstream[0]} is the gradient arriving from above (the chain rule's other factor)")
        return d
    return _function_claim(draft(one_line or code), value, *named, comment)


def _sce_code(d: Formula, target, value, words: str) -> Formula | None:
    """``dZ3 = A3 - y_true`` under ``# Output layer gradient (cross-entropy + softmax)``: the gradient dZ3 of the
    loss by Z3 is the prediction A3 (the softmax of Z3: the same layer number) minus the target, the pairing the
    comment names; read as ∂L/∂z = ŷ - y with the pairing's definitions, each renaming marked inferred."""
    if not (_SOFTMAX_CE.match(words) and isinstance(target, ast.Name) and isinstance(value, ast.BinOp)
            and isinstance(value.op, ast.Sub) and isinstance(value.left, ast.Name) and isinstance(value.right, ast.Name)):
        return None
    g = re.fullmatch(r"d([A-Z])(\d*)", target.id)
    pred, truth = value.left.id, value.right.id
    flipped = bool(re.fullmatch(r"y\w*", pred))          # y - A3: the sign the pairing does not give
    if flipped:
        pred, truth = truth, pred
    if not g or not re.fullmatch(rf"[A-Z]{g.group(2)}", pred) or pred == g.group(1) + g.group(2) \
            or not re.fullmatch(r"y\w*", truth):
        return None
    _sce_gradient(d, "L", "z", "y - \\hat{y}" if flipped else "\\hat{y} - y")
    z = g.group(1) + g.group(2)
    d.inferred.append(f"{target.id} is the gradient of the loss L by {z} (read as z), {pred} the prediction of that "
                      f"layer (read as ŷ = softmax(z)), {truth} the target (read as y)")
    return d


def _upstream_factor(target, value):
    """``dZ2 = dA2 * mask``: (``dA2``, ``mask``) when a gradient (a name ``dX``, as the target ``dZ`` is) times
    one other factor is assigned to a gradient; None otherwise."""
    grad = re.compile(r"d[A-Z]\w*")
    if not (isinstance(target, ast.Name) and grad.fullmatch(target.id) and isinstance(value, ast.BinOp)
            and isinstance(value.op, ast.Mult)):
        return None
    sides = [(value.left, value.right), (value.right, value.left)]
    hits = [(a.id, b) for a, b in sides if isinstance(a, ast.Name) and grad.fullmatch(a.id)]
    return hits[0] if len(hits) == 1 else None


_DOC_SHAPE = re.compile(r"(?<![\w.])([A-Za-z]\w*)\s*:\s*[^():]*?\(\s*(\w+)\s*,\s*(\w*)\s*\)")


def _docstring_shape(d: Formula, value, doc: str) -> Formula | None:
    r"""``Z = np.dot(X, W.T) + b`` in a function whose docstring gives the arrays' shapes
    (``X: input matrix (batch_size, input_dim)``, ``b: bias vector (output_dim,)``): the claim that the
    expression is well formed, with the shape its products make (rows of the first factor, columns of
    the last: a mismatch inside is the judge's to find).  A 1-D array added to a matrix is broadcast
    along the rows, as NumPy does: ``+ b`` is ``+ \mathbf{1} b^T``."""
    shapes = {m.group(1): (m.group(2), m.group(3)) for m in _DOC_SHAPE.finditer(doc)}
    if not shapes:
        return None
    symbols, ones = {}, {}

    def walk(n):            # (tex, rows, cols); cols None for a 1-D array
        if isinstance(n, ast.Name) and n.id in shapes:
            r, c = shapes[n.id]
            key = pycode.to_latex(n, pycode.Reading())
            symbols[key] = f"matrix {_letter(r)} {_letter(c)}" if c else f"vector {_letter(r)}"
            return key, _letter(r), _letter(c) if c else None
        if isinstance(n, ast.Attribute) and n.attr == "T":
            t = walk(n.value)
            if t is None or t[2] is None:
                return None
            return f"{t[0]}^{{T}}", t[2], t[1]
        pair = None
        if isinstance(n, ast.Call) and ast.unparse(n.func) in ("np.dot", "numpy.dot", "np.matmul") and \
                len(n.args) == 2 and not n.keywords:
            pair = n.args
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
            pair = (n.left, n.right)
        if pair:
            a, b = walk(pair[0]), walk(pair[1])
            if a is None or b is None or a[2] is None or b[2] is None:
                return None
            return f"{a[0]} {b[0]}", a[1], b[2]
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)):
            a, b = walk(n.left), walk(n.right)
            if a is None or b is None or a[2] is None:
                return None
            sign = "+" if isinstance(n.op, ast.Add) else "-"
            if b[2] is None:        # (k,) against (r, c): a row repeated down the r rows
                one = "\\mathbf{1}"
                if ones.setdefault(one, a[1]) != a[1]:
                    return None
                return f"{a[0]} {sign} {one} {b[0]}^{{T}}", a[1], a[2]
            return f"{a[0]} {sign} {b[0]}", a[1], a[2]
        return None
    try:
        got = walk(value)
    except LatexError:
        return None
    if got is None or " " not in got[0]:
        return None
    tex, rows, cols = got
    d.reading = f"{tex} \\in \\mathbb{{R}}^{{{rows} \\times {cols}}}"
    d.symbols = dict(symbols)
    d.symbols.update({k: f"ones {v}" for k, v in ones.items()})
    d.inferred = [f"the shapes the function's docstring gives: " + ", ".join(f"{k} {v}" for k, v in symbols.items())
                  + "; the claim is that the expression is well formed" + (
                      "; a 1-D array added to a matrix is broadcast along its rows (NumPy)" if ones else "")]
    return d


def _gd_step(d: Formula, target, value) -> Formula | None:
    factors = [value.left, value.right]
    lr = [f for f in factors if isinstance(f, ast.Name) and _LR_NAMES.match(f.id)]
    if len(lr) != 1:
        return None
    grad = factors[1 - factors.index(lr[0])]
    r = pycode.Reading()
    try:
        p, a, g = (pycode.to_latex(x, r) for x in (target, lr[0], grad))
    except LatexError:
        return None
    if r.opaque or len({p, a, g}) != 3:
        return None
    d.algorithm = "gd"
    d.reading = f"{p} \\leftarrow {p} - {a} \\cdot {g}"
    d.symbols = {p: "scalar real", a: "scalar positive", g: "scalar real"}
    d.roles = {p: "param", a: "lr", g: "grad"}
    d.inferred = [f"a step of gradient descent (its function says so), one entry at a time: {ast.unparse(target)} "
                  f"the parameter, {ast.unparse(lr[0])} the learning rate, {ast.unparse(grad)} its gradient"]
    return d


def _init_claim(d: Formula, scheme, dims, scale, op, consts) -> Formula | None:
    if scheme != "xavier":
        d.not_checkable = (f"{scheme} initialisation: its variance depends on the fan-in, and the code does not "
                           "say which of the array's sizes that is")
        return d
    if len(dims) != 2:
        return None
    r = pycode.Reading()
    try:
        sizes = [str(consts[x.id]) if isinstance(x, ast.Name) and x.id in consts else pycode.to_latex(x, r)
                 for x in dims]
        s_tex = pycode.to_latex(scale, r)
    except LatexError as exc:
        d.not_checkable = f"code the reader does not read: {exc.message}"
        return d
    var = f"({s_tex})^{{2}}" if op == "mult" else f"\\frac{{1}}{{({s_tex})^{{2}}}}"
    d.reading = f"\\operatorname{{Var}}_{{\\text{{Xavier}}}}({sizes[0]}, {sizes[1]}) = {var}"
    d.functions = {"\\operatorname{Var}_{\\text{Xavier}}": "xavier_variance"}
    d.symbols = {x: "scalar integer positive" for x in sizes if not x.isdigit()}
    d.inferred = [f"randn(...) {'*' if op == 'mult' else '/'} {ast.unparse(scale)} has variance {var}, and the "
                  "comment or docstring names Xavier (Glorot) initialisation; the array's sizes are positive integers"]
    d.inferred += [f"{v} stands for {k}" for k, v in r.opaque.items()]
    d.inferred += [f"{ast.unparse(x)} = {consts[x.id]} (set above in the code)" for x in dims
                   if isinstance(x, ast.Name) and x.id in consts]
    return d


def _function_claim(d: Formula, value, fname, deriv, comment) -> Formula | None:
    if isinstance(value, ast.Call) and re.search(rf"(?:^|\.){re.escape(fname)}(?:_\w+)?$|softmax$",
                                                 ast.unparse(value.func), re.I):
        return None                              # A = sigmoid(Z): the function by its name, nothing claimed
    r = pycode.Reading()
    try:
        rhs = pycode.to_latex(value, r)
    except LatexError as exc:
        d.not_checkable = f"code the reader does not read: {exc.message}"
        return d
    if r.opaque or len(r.arrays) != 1 or not r.functions <= pycode.ELEMENTWISE:
        return None
    v = next(iter(r.arrays))
    key = _FN_KEYS[fname]
    lhs = f"\\frac{{d}}{{d {v}}} {key}({v})" if deriv else f"{key}({v})"
    d.reading = f"{lhs} = {rhs}"
    d.symbols = {v: "scalar real"}
    if fname != "tanh":
        d.functions = {key: fname}
    said = "comment" if _NAMED_WORD.search(comment) else "function's name"
    d.inferred = [f"the code computes {fname}{' (its derivative)' if deriv else ''}, as its {said} says; the code "
                  f"is elementwise, so {v} is checked as one entry (a scalar)"]
    return d


def _init_call(value):
    """``np.random.randn(dims) * s`` (or ``s * randn``, ``randn / s``): (dims, s, "mult" | "div"), else None."""
    def randn(n):
        return isinstance(n, ast.Call) and ast.unparse(n.func) in ("np.random.randn", "numpy.random.randn") \
            and not n.keywords and n.args
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        if randn(value.left):
            return value.left.args, value.right, "mult"
        if randn(value.right):
            return value.right.args, value.left, "mult"
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div) and randn(value.left):
        return value.left.args, value.right, "div"
    return None


def _code_constants(code: str, consts: dict):
    """``batch_size, n_in = 32, 784`` and ``n = 5``: names the code sets to whole numbers."""
    parts = _statement_parts(code)
    if parts is None or parts[0] is None or parts[2] is not None:
        return
    t, v = parts[:2]
    pairs = list(zip(t.elts, v.elts)) if isinstance(t, ast.Tuple) and isinstance(v, ast.Tuple) and \
        len(t.elts) == len(v.elts) else [(t, v)]
    for a, b in pairs:
        if isinstance(a, ast.Name):
            if isinstance(b, ast.Constant) and type(b.value) is int and b.value > 0:
                consts[a.id] = b.value
            else:
                consts.pop(a.id, None)


# --------------------------------------------------------------------------- TOML
def _toml_str(s: str) -> str:
    if "'" not in s and "\n" not in s and all(c >= " " for c in s):
        return f"'{s}'"
    esc = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{esc}"'


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_str(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return _toml_str(str(v))


def to_toml(name: str, formulas: list[Formula]) -> str:
    """The drafted claims as a claim file (loadable by :func:`nnderive.catalogue.loads`)."""
    stem = re.sub(r"\W+", "_", name.rsplit(".", 1)[0]).strip("_") or "sheet"
    out = ["# drafted by nnderive scan: review every inferred declaration (each claim's note lists them)",
           "[source]", f"file = {_toml_str(name)}", ""]
    for k, f in enumerate(formulas, 1):
        out.append("[[claims]]")
        for key, val in f.entry(f"{stem}.line{f.line}.{k}").items():
            out.append(f"{key} = {_toml_value(val)}")
        out.append("")
    return "\n".join(out)
