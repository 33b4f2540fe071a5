r"""The LaTeX lexer: characters to typed tokens, by the tables of :mod:`.tables`.

What the grammar cannot see is settled here, from the neighbouring tokens:

* ``|`` and ``\|`` open or close by context (an absolute value or norm opens after an
  operator, a relation, an opening bracket or at the start; ``\left|`` always opens);
* ``x^23`` and ``\frac12`` take one digit per script or argument, as TeX does;
* ``\operatorname{softmax}``, ``\mathrm{d}`` and ``\text{for }`` become one token
  holding their text;
* Unicode math characters (``σ``, ``≤``, ``ℝ``) are read as their LaTeX spelling, with
  the position of the character they came from;
* spacing commands are dropped, except ``\quad`` which separates statements.

Every token keeps its character position in the source string, for error messages.

>>> [(t.type, str(t)) for t in tokenize(r"\|x\|_2 \le \frac12")]
[('LNORM', '\\|'), ('LETTER', 'x'), ('RNORM', '\\|'), ('SUB', '_'), ('NUMBER', '2'), ('REL', '<='), ('FRAC', '\\frac'), ('NUMBER', '1'), ('NUMBER', '2')]
"""
from __future__ import annotations

import re

from lark import Token

from .errors import LatexError, Unsupported
from .tables import (ACCENTS, BIG_OPERATORS, BOLD_FONTS, CONDITION_WORDS, CONNECTIVES, CONSTANTS, FRACTIONS,
                     FUNCTIONS, GREEK, IMPLICATIONS, LOGIC_COMMANDS, LOGIC_SEP, LOGIC_WORDS, NAME_FONTS,
                     PRODUCTS, RELATIONS, SIZE_COMMANDS, SPACING, SYMBOL_FONTS, UNICODE)

__all__ = ["tokenize", "MAX_LENGTH", "WORD_FUNCTIONS"]

MAX_LENGTH = 4000

#: function names sources write in plain letters (``softmax(z)``), read as one name before a bracket
WORD_FUNCTIONS = frozenset("""softmax sigmoid relu tanh softplus swish silu gelu elu selu mish logsumexp log exp ln
sin cos max min argmax argmin sign sgn diag tr det var cov mse bce sse cce kl sum""".split())

#: of those, the names a letter may run into (``xcos(x)``): the elementary functions, which no longer name contains
_SPLIT_FUNCTIONS = frozenset("sin cos tan exp log".split())
_ARC_NAMES = frozenset("asin acos atan".split())     # the inverse functions, never a times cos
_DOTS = frozenset({r"\dots", r"\cdots", r"\ldots", r"\vdots", r"\ddots"})
_NOT_SUPPORTED = {r"\pm": "plus-or-minus", r"\mp": "minus-or-plus", r"\exists": "an existential statement",
                  r"\int": "an integral", r"\oint": "an integral", r"\forall": None,
                  r"\cup": "a set union", r"\cap": "a set intersection", r"\subset": "a set inclusion",
                  r"\subseteq": "a set inclusion", r"\setminus": "a set difference"}
_OPENERS = frozenset({"ADDOP", "MULOP", "STAR", "REL", "SEP", "LPAR", "LBRK", "LBRACE", "LANGLE", "LBAR", "LNORM",
                      "LGROUP", "SUP", "SUB", "FUNC", "BIGOP", "FRAC", "SQRT", "AMP", "ROWSEP", "BEGIN", "PARTIAL",
                      "NABLA", "ACCENT", "BOLD", "SFONT"})
_SINGLE = {"(": "LPAR", ")": "RPAR", "[": "LBRK", "]": "RBRK", "{": "LGROUP", "}": "RGROUP", "^": "SUP",
           "_": "SUB", "'": "PRIME", "!": "BANG", "+": "ADDOP", "-": "ADDOP", "&": "AMP", ",": "SEP", ";": "SEP",
           "*": "STAR", "/": "MULOP", "=": "REL", "<": "REL", ">": "REL"}
_COMMAND = re.compile(r"\\([A-Za-z]+\*?|.)")
_WORD = re.compile(r"[A-Za-z]+")
_UNDERSCORED = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\\_[A-Za-z0-9]+)+")
#: Greek letters spelled out in plain letters (only names of 4 letters or more: "eta", "phi" are too short to tell)
_GREEK_NAMES = frozenset(g[1:] for g in GREEK if len(g) > 4 and g[1:].islower()) - {"varepsilon", "vartheta", "varphi"}


def _tok(kind, value, pos, end):
    return Token(kind, value, start_pos=pos, end_pos=end)


def _braced(s: str, i: int) -> tuple[str, int]:
    """The text of the brace group starting at ``s[i] == '{'`` and the index after it."""
    depth, j = 0, i
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    raise LatexError("unbalanced '{'", i)


def _skip_space(s, i):
    while i < len(s) and s[i] in " \t\n\r~":
        i += 1
    return i


#: a thin space and a digit after a number; a run of digit groups (1\,000\,000, then maybe a decimal part)
_GROUPED = re.compile(r"\\,\s*\d")
_GROUPS = re.compile(r"\d{1,3}(?:\\,\s*\d{3}(?!\d))+(?:\.\d+)?")
#: 1e-3 written in LaTeX: an e (or E) with a signed or bare exponent right after the digits
_EXPONENT = re.compile(r"[eE][+-]?\d")


def _raw(s: str, pos: int, words=frozenset()) -> list[Token]:
    """First pass: characters to tokens (delimiters not yet classified)."""
    out: list[Token] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in " \t\n\r~":
            i += 1
            continue
        if c in UNICODE:
            spelling = UNICODE[c]
            for t in _raw(spelling, 0):
                out.append(_tok(t.type, t.value, pos + i, pos + i + 1))
            i += 1
            continue
        if c == "%":
            raise LatexError("'%' comments are not allowed in a claim", pos + i)
        if c == "$":
            raise LatexError("a '$' inside the LaTeX: give the formula without math delimiters", pos + i)
        if ord(c) > 127:
            raise LatexError(f"character {c!r} is not math notation the reader knows", pos + i)
        if c.isdigit() or (c == "." and i + 1 < n and s[i + 1].isdigit()):
            m = re.match(r"\d*\.?\d+|\d+\.?", s[i:])
            text = m.group(0)
            if text.endswith("."):
                text = text[:-1]
            end = i + len(text)
            scripted = bool(out) and out[-1].type in ("SUP", "SUB")
            if not scripted and _GROUPED.match(s, end):
                # 1\,000: the thin space groups digits (ISO 80000-1), never a product 1 \cdot 000
                m = _GROUPS.match(s, i)
                if m is None or "." in text or _GROUPED.match(s, m.end()):
                    raise LatexError("digits grouped by a thin space must come in groups of three after one to "
                                     "three digits (1\\,000)", pos + i)
                text, end = re.sub(r"\\,\s*", "", m.group(0)), m.end()
            exp = None if scripted else _EXPONENT.match(s, end)
            if exp is not None:
                raise LatexError(f"{text}{exp.group(0)} directly after digits: scientific notation or Euler's e? "
                                 "write 10^{-3}, or a space or \\cdot before e", pos + end)
            out.append(_tok("NUMBER", text, pos + i, pos + end))
            i = end
            continue
        if c.isalpha():
            m = _UNDERSCORED.match(s, i)
            if m is not None and "\\_" in m.group(0):      # learning\_rate: one name, as code writes it
                out.append(_tok("NAMECMD", m.group(0).replace("\\_", "_"), pos + i, pos + m.end()))
                i = m.end()
                continue
            m = _WORD.match(s, i)
            word = m.group(0)
            if len(word) > 1 and word in words:   # a name the claim declares, such as scale or lr
                out.append(_tok("NAMECMD", word, pos + i, pos + m.end()))
                i = m.end()
                continue
            j = _skip_space(s, m.end())
            # ln(x) in plain letters is the natural logarithm (l times n(x) is no reading a source means)
            if (len(word) >= 3 and word.lower() in WORD_FUNCTIONS or word == "ln") and j < n and s[j] in "([":
                out.append(_tok("FUNC", r"\operatorname{%s}" % word, pos + i, pos + m.end()))
                i = m.end()
                continue
            if len(word) >= 4 and word[1:].lower() in _SPLIT_FUNCTIONS and word.lower() not in _ARC_NAMES \
                    and j < n and s[j] in "(":
                # 2xcos(x^2): a letter run into a function's name before its bracket, x times cos(...)
                out.append(_tok("LETTER", c, pos + i, pos + i + 1))
                out.append(_tok("FUNC", r"\operatorname{%s}" % word[1:], pos + i + 1, pos + m.end()))
                i = m.end()
                continue
            if len(word) >= 3 and word not in _GREEK_NAMES:
                in_script = len(out) >= 2 and out[-1].type == "LGROUP" and out[-2].type in ("SUB", "SUP")
                if in_script and out[-2].type == "SUP":
                    # g^{ave}: a label or a power with the exponent a*v*e? Either reading could be meant
                    raise LatexError(f"the letters {word!r} in a superscript: a label or a power? declare the "
                                     f"symbol with its label (e.g. 'g^{{{word}}}') or write the exponent with "
                                     "spaces or \\cdot", pos + i)
                if in_script:                 # A_{prev}, n_{out}: a label of several letters
                    out.append(_tok("NAMECMD", word, pos + i, pos + m.end()))
                    i = m.end()
                    continue
                raise LatexError(f"the letters {word!r}: one name or a product of {len(word)} symbols? declare "
                                 f"{word!r} (as a symbol) or write the product with spaces or \\cdot", pos + i)
            if word in _GREEK_NAMES:          # beta, delta: the Greek letter, as plain-text docs write it
                out.append(_tok("GREEK", "\\" + word, pos + i, pos + m.end()))
                i = m.end()
                continue
            out.append(_tok("LETTER", c, pos + i, pos + i + 1))
            i += 1
            continue
        if c == ":" and i + 1 < n and s[i + 1] == "=":
            out.append(_tok("REL", ":=", pos + i, pos + i + 2))
            i += 2
            continue
        if c == "\\":
            m = _COMMAND.match(s, i)
            if m is None:
                raise LatexError("a lone backslash", pos + i)
            cmd, j = m.group(0), m.end()
            i = _command(s, cmd, i, j, pos, out)
            continue
        if c == "|":
            out.append(_tok("BAR", "|", pos + i, pos + i + 1))
            i += 1
            continue
        if c in "<>" and i + 1 < n and s[i + 1] == "=":      # x >= y in plain ASCII, as \ge
            out.append(_tok("REL", c + "=", pos + i, pos + i + 2))
            i += 2
            continue
        if c in _SINGLE:
            kind = _SINGLE[c]
            out.append(_tok(kind, c, pos + i, pos + i + 1))
            i += 1
            continue
        if c == "." and i + 1 < n and s[i + 1] == "*":     # Octave's .* is the entrywise product
            out.append(_tok("MULOP", r"\odot", pos + i, pos + i + 2))
            i += 2
            continue
        if c == "." and s.startswith("\\!*", i + 1):      # .\!* : the same, its dot kerned to the star
            out.append(_tok("MULOP", r"\odot", pos + i, pos + i + 4))
            i += 4
            continue
        if c == ".":
            out.append(_tok("DOT", ".", pos + i, pos + i + 1))
            i += 1
            continue
        raise LatexError(f"unsupported character {c!r}", pos + i)
    return out


def _remark_case(low: str) -> bool:
    """``(for the nonzero activation cases)``: a bracketed remark that opens with a condition word."""
    if not (low.startswith("(") and low.endswith(")")):
        return False
    words = low[1:-1].split(None, 1)
    return len(words) == 2 and words[0] in ("for", "if", "when", "where", "whenever", "provided")


def _command(s, cmd, i, j, pos, out) -> int:
    """Append the token(s) of the command ``cmd`` found at ``s[i:j]``; return the index after it."""
    start, end = pos + i, pos + j
    base = cmd.rstrip("*")
    if base in NAME_FONTS:
        k = _skip_space(s, j)
        if k < len(s) and s[k] == "{":
            text, after = _braced(s, k)
        elif k < len(s) and s[k].isalnum():
            text, after = s[k], k + 1
        else:
            raise LatexError(f"{cmd} needs an argument", start)
        value = " ".join(text.replace("\\,", " ").replace("\\ ", " ").replace("\\!", "").split())
        if base in (r"\operatorname", r"\mathop") and value.replace(" ", "") in ("argmax", "argmin"):
            # \operatorname*{argmax}_j: the big operator \argmax, its index below
            out.append(_tok("BIGOP", "\\" + value.replace(" ", ""), start, pos + after))
        elif base in (r"\operatorname", r"\mathop") and value:   # an operator name: a function
            out.append(_tok("FUNC", r"\operatorname{%s}" % value, start, pos + after))
        else:
            low = value.lower().strip().rstrip(",")
            if low in LOGIC_WORDS:              # "A \text{ and hence } B": B drawn from A
                out.append(_tok("SEP", LOGIC_SEP[LOGIC_WORDS[low]], start, pos + after))
            elif low in IMPLICATIONS:
                raise Unsupported(f"'{value.strip()}' draws one statement from another; implications between "
                                  "statements are not read yet", start)
            elif low in CONNECTIVES:               # "A \text{ and } B": two statements
                out.append(_tok("SEP", ",", start, pos + after))
            elif low in CONDITION_WORDS and out and out[-1].type != "SEP":
                out.append(_tok("SEP", ",", start, start))    # "A \text{ where } B": B starts the conditions
                out.append(_tok("NAMECMD", value, start, pos + after))
            elif _remark_case(low) and out:
                # "A ~~~\text{(for the nonzero activation cases)}": a case stated in words, a condition
                word, rest = value.strip()[1:-1].strip().split(None, 1)
                out.append(_tok("SEP", ",", start, start))
                out.append(_tok("NAMECMD", word, start, pos + after))
                out.append(_tok("NAMECMD", rest, start, pos + after))
            elif value.endswith("!") and re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]*[A-Za-z0-9]|[A-Za-z]", value[:-1]):
                # \text{target!}: the factorial of the name, the bang typeset inside the text
                out.append(_tok("NAMECMD", value[:-1], start, pos + after - 2))
                out.append(_tok("BANG", "!", pos + after - 2, pos + after - 1))
            else:
                out.append(_tok("NAMECMD", value, start, pos + after))
        return after
    if base in (r"\begin", r"\end"):
        k = _skip_space(s, j)
        if k >= len(s) or s[k] != "{":
            raise LatexError(f"{cmd} needs an environment name", start)
        name, after = _braced(s, k)
        out.append(_tok("BEGIN" if base == r"\begin" else "END", name.strip(), start, pos + after))
        return after
    if base in (r"\hspace", r"\vspace", r"\hphantom", r"\vphantom", r"\phantom", r"\label", r"\tag"):
        k = _skip_space(s, j)
        after = _braced(s, k)[1] if k < len(s) and s[k] == "{" else j
        if base == r"\hspace":
            # a horizontal space separates statements as \quad does ("= y \hspace{1in} \frac{...}" is two
            # claims, not y times a derivative); inside an expression the separator is an error, never a product
            out.append(_tok("SEP", cmd, start, pos + after))
        return after
    if base == r"\stackrel" or base == r"\overset":
        k = _skip_space(s, j)
        if k < len(s) and s[k] == "{":
            above, after = _braced(s, k)
            k2 = _skip_space(s, after)
            if k2 < len(s) and s[k2] == "{":
                below, after2 = _braced(s, k2)
                if below.strip() == "=" and ("def" in above or above.strip() in ("\\triangle", "!", "?")):
                    out.append(_tok("REL", ":=", start, pos + after2))
                    return after2
                if below.strip() == "=":
                    raise Unsupported(f"{cmd}{{{above}}}{{=}} is not read yet", start)
        raise Unsupported(f"{cmd} is not read yet", start)
    if cmd in LOGIC_COMMANDS:
        out.append(_tok("SEP", LOGIC_SEP[LOGIC_COMMANDS[cmd]], start, end))
        return j
    if cmd in SPACING:
        if cmd in (r"\quad", r"\qquad"):
            out.append(_tok("SEP", cmd, start, end))
        return j
    if cmd == r"\\":
        out.append(_tok("ROWSEP", cmd, start, end))
        return j
    if cmd in (r"\left", r"\right") or cmd in SIZE_COMMANDS:
        out.append(_tok("SIZE", cmd, start, end))
        return j
    if cmd in GREEK:
        out.append(_tok("GREEK", cmd, start, end))
    elif cmd in CONSTANTS or cmd in (r"\top", r"\intercal"):
        out.append(_tok("CONST", cmd, start, end))
    elif cmd in ACCENTS:
        out.append(_tok("ACCENT", cmd, start, end))
    elif cmd in BOLD_FONTS:
        out.append(_tok("BOLD", cmd, start, end))
    elif cmd in SYMBOL_FONTS:
        out.append(_tok("SFONT", cmd, start, end))
    elif cmd in FUNCTIONS:
        out.append(_tok("FUNC", cmd, start, end))
    elif cmd in BIG_OPERATORS:
        out.append(_tok("BIGOP", cmd, start, end))
    elif cmd in FRACTIONS:
        out.append(_tok("FRAC", cmd, start, end))
    elif cmd == r"\sqrt":
        out.append(_tok("SQRT", cmd, start, end))
    elif cmd == r"\partial":
        out.append(_tok("PARTIAL", cmd, start, end))
    elif cmd == r"\nabla":
        out.append(_tok("NABLA", cmd, start, end))
    elif cmd == r"\prime":
        out.append(_tok("PRIMECMD", cmd, start, end))
    elif cmd in _DOTS:
        out.append(_tok("DOTS", cmd, start, end))
    elif cmd in RELATIONS:
        out.append(_tok("REL", RELATIONS[cmd], start, end))
    elif cmd in PRODUCTS:
        out.append(_tok("STAR" if PRODUCTS[cmd] == "*" else "MULOP", cmd, start, end))
    elif cmd == r"\|":
        out.append(_tok("DBAR", cmd, start, end))
    elif cmd in (r"\lVert", r"\Vert"):
        out.append(_tok("LNORM" if cmd == r"\lVert" else "DBAR", cmd, start, end))
    elif cmd == r"\rVert":
        out.append(_tok("RNORM", cmd, start, end))
    elif cmd in (r"\lvert", r"\vert"):
        out.append(_tok("LBAR" if cmd == r"\lvert" else "BAR", cmd, start, end))
    elif cmd == r"\rvert":
        out.append(_tok("RBAR", cmd, start, end))
    elif cmd in (r"\{", r"\lbrace"):
        out.append(_tok("LBRACE", cmd, start, end))
    elif cmd in (r"\}", r"\rbrace"):
        out.append(_tok("RBRACE", cmd, start, end))
    elif cmd == r"\langle":
        out.append(_tok("LANGLE", cmd, start, end))
    elif cmd == r"\rangle":
        out.append(_tok("RANGLE", cmd, start, end))
    elif cmd in (r"\lbrack",):
        out.append(_tok("LBRK", "[", start, end))
    elif cmd in (r"\rbrack",):
        out.append(_tok("RBRK", "]", start, end))
    elif cmd == r"\forall":
        out.append(_tok("NAMECMD", "for all", start, end))
    elif cmd == r"\argmax" or cmd == r"\argmin":
        out.append(_tok("BIGOP", cmd, start, end))
    elif cmd in _BINOMIALS:
        out.append(_tok("BINOM", cmd, start, end))
    elif cmd in _NOT_SUPPORTED:
        raise Unsupported(f"{cmd} ({_NOT_SUPPORTED[cmd]}) is not read yet", start)
    else:
        raise LatexError(f"unknown LaTeX command {cmd}", start)
    return j


def _delimiters(toks: list[Token]) -> list[Token]:
    """Second pass: ``\\left``/``\\right`` and size commands, bars, and '.' delimiters."""
    out: list[Token] = []
    bars: list[str] = []           # open bar kinds, innermost last
    k = 0
    while k < len(toks):
        t = toks[k]
        if t.type == "SIZE":
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is None:
                raise LatexError(f"{t} without a delimiter", t.start_pos)
            side = "left" if t.value in (r"\left",) or t.value.endswith("l") else (
                "right" if t.value == r"\right" or t.value.endswith("r") else "middle")
            if nxt.type == "DOT":
                k += 2
                continue
            if nxt.type == "BAR" and side != "left" and _before_sub(toks, k + 2) and not (bars and bars[-1] == "BAR"):
                out.append(_tok("EVALBAR", nxt.value, nxt.start_pos, nxt.end_pos))    # \Big|_{z=a}, \right|_{...}
                k += 2
                continue
            if nxt.type in ("BAR", "DBAR") and side != "middle":
                kind = "BAR" if nxt.type == "BAR" else "NORM"
                if side == "left":
                    out.append(_tok("L" + kind, nxt.value, nxt.start_pos, nxt.end_pos))
                    bars.append(kind)
                else:
                    out.append(_tok("R" + kind, nxt.value, nxt.start_pos, nxt.end_pos))
                    if bars:
                        bars.pop()
                k += 2
                continue
            k += 1                 # a size before an ordinary delimiter: drop the size
            continue
        if t.type in ("BAR", "DBAR"):
            kind = "BAR" if t.type == "BAR" else "NORM"
            prev = out[-1].type if out else None
            opening = prev is None or prev in _OPENERS or not bars or bars[-1] != kind
            if prev == "STAR" and len(out) >= 2 and out[-2].type == "SUP" and bars and bars[-1] == kind:
                opening = False            # \|x - x^*\|: the star is a superscript, the bar closes
            if opening and kind == "BAR" and prev is not None and _before_sub(toks, k + 1):
                out.append(_tok("EVALBAR", t.value, t.start_pos, t.end_pos))   # f(x) |_{x=0}: no bar opens with _
                k += 1
                continue
            if opening:
                out.append(_tok("L" + kind, t.value, t.start_pos, t.end_pos))
                bars.append(kind)
            else:
                out.append(_tok("R" + kind, t.value, t.start_pos, t.end_pos))
                bars.pop()
            k += 1
            continue
        if t.type in ("LBAR", "LNORM"):
            bars.append(t.type[1:])
        elif t.type in ("RBAR", "RNORM") and bars:
            bars.pop()
        if t.type == "DOT":      # a full stop ending a formula or a row is punctuation
            nxt = toks[k + 1].type if k + 1 < len(toks) else None
            if nxt in (None, "ROWSEP", "END", "RGROUP", "SEP", "AMP"):
                k += 1
                continue
            raise LatexError("unexpected '.'", t.start_pos)
        out.append(t)
        k += 1
    return out


def _before_sub(toks, k) -> bool:
    return k < len(toks) and toks[k].type == "SUB"


def _digits(toks: list[Token]) -> list[Token]:
    """``x^23`` is ``x^{2}3`` and ``\\frac12`` is ``\\frac{1}{2}``: one digit per bare script or argument."""
    out: list[Token] = []
    pending = 0                    # bare arguments still expected by a \frac
    for k, t in enumerate(toks):
        bare = out and out[-1].type in ("SUP", "SUB")
        if t.type == "ADDOP" and out and _sign_script(out, toks[k + 1:]):
            out.append(_tok("CONST", t.value, t.start_pos, t.end_pos))    # (x)^+, 0^+: a sign as the script
            continue
        if t.type == "NUMBER" and (bare or pending) and len(t.value) > 1 and "." not in t.value:
            first = _tok("NUMBER", t.value[0], t.start_pos, t.start_pos + 1)
            rest = _tok("NUMBER", t.value[1:], t.start_pos + 1, t.end_pos)
            out.append(first)
            if pending == 2:
                out.append(_tok("NUMBER", t.value[1], t.start_pos + 1, t.start_pos + 2))
                if len(t.value) > 2:
                    out.append(_tok("NUMBER", t.value[2:], t.start_pos + 2, t.end_pos))
                pending = 0
                continue
            out.append(rest)
            pending = 0
            continue
        if t.type == "STAR" and bare:      # theta^*: a star as the script
            out.append(_tok("CONST", "*", t.start_pos, t.end_pos))
            continue
        if t.type == "FRAC":
            pending = 2
        elif pending and t.type != "LGROUP":
            pending -= 1
        elif pending and t.type == "LGROUP":
            pending = 0            # braced arguments: nothing to split
        out.append(t)
    return out


#: tokens that can end a script: after them no factor continues it
_SCRIPT_ENDS = frozenset({"RPAR", "RBRK", "RGROUP", "RBRACE", "RANGLE", "RBAR", "RNORM", "BAR", "DBAR", "REL", "ADDOP",
                          "MULOP", "SEP", "AMP", "ROWSEP", "END"})


def _sign_script(out, after) -> bool:
    """A superscript that is a lone sign, ``x^+`` or ``0^{+}`` (the positive part, a one-sided limit), with nothing
    after it in the script; ``x^+y`` is an error (TeX's x^{+} y, or a sloppy x^{+y}: not guessed)."""
    nxt = after[0] if after else None
    if out[-1].type == "SUP":
        if nxt is not None and nxt.type not in _SCRIPT_ENDS:
            raise LatexError("a sign as a bare superscript followed by more: write x^{+} y or x^{+y}", nxt.start_pos)
        return True
    return len(out) >= 2 and out[-1].type == "LGROUP" and out[-2].type == "SUP" and nxt is not None and \
        nxt.type == "RGROUP"


ALIGNED = frozenset({"aligned", "align", "align*", "split", "gather", "gather*", "eqnarray", "eqnarray*",
                     "equation", "equation*", "alignat", "alignat*", "multline", "multline*", "alignedat"})


#: the binomial coefficient: ``\binom{n}{k}`` (amsmath) and ``{n \choose k}`` (plain TeX, infix in its group)
_BINOMIALS = frozenset({r"\binom", r"\dbinom", r"\tbinom", r"\choose"})


def _group_end(toks: list[Token], k: int) -> int:
    """The index of the RGROUP closing the LGROUP at ``k``."""
    depth = 0
    for m in range(k, len(toks)):
        depth += {"LGROUP": 1, "RGROUP": -1}.get(toks[m].type, 0)
        if depth == 0:
            return m
    raise LatexError("unbalanced '{'", toks[k].start_pos)


def _balanced(toks: list[Token]) -> bool:
    """Whether brackets open and close within ``toks`` (no binomial argument may cut one), and nothing in it
    separates arguments or statements (a comma at its top level would add an argument)."""
    depth = 0
    for t in toks:
        if t.type in ("LPAR", "LBRK", "LGROUP", "LBAR", "LNORM", "LANGLE", "LBRACE"):
            depth += 1
        elif t.type in ("RPAR", "RBRK", "RGROUP", "RBAR", "RNORM", "RANGLE", "RBRACE"):
            depth -= 1
            if depth < 0:
                return False
        elif t.type in ("SEP", "REL", "AMP", "ROWSEP", "BINOM", "BAR", "DBAR") and depth == 0:
            return False
    return depth == 0


def _binomials(toks: list[Token]) -> list[Token]:
    r"""``\binom{n}{k}`` and ``{n \choose k}`` become the call ``\operatorname{binom}(n, k)``.  Both arguments
    must be braced groups (``\binom nk`` takes one token each in TeX, an easy misreading), and a ``\choose`` must
    be the only one in its group, which must exist: in TeX it splits the whole group."""
    toks = list(toks)
    for k in [k for k, t in enumerate(toks) if t.type == "BINOM" and t.value != r"\choose"][::-1]:
        t = toks[k]
        if k + 1 >= len(toks) or toks[k + 1].type != "LGROUP":
            raise LatexError(f"{t.value} needs its two arguments in braces", t.start_pos)
        mid = _group_end(toks, k + 1)
        if mid + 1 >= len(toks) or toks[mid + 1].type != "LGROUP":
            raise LatexError(f"{t.value} needs its two arguments in braces", t.start_pos)
        end = _group_end(toks, mid + 1)
        if not toks[k + 2:mid] or not toks[mid + 2:end] or not (_balanced(toks[k + 2:mid])
                                                                and _balanced(toks[mid + 2:end])):
            raise LatexError(f"{t.value} needs one whole expression in each of its two braces", t.start_pos)
        toks[k:end + 1] = [_tok("FUNC", r"\operatorname{binom}", t.start_pos, t.end_pos),
                           _tok("LPAR", "(", toks[k + 1].start_pos, toks[k + 1].end_pos),
                           *toks[k + 2:mid], _tok("SEP", ",", toks[mid].start_pos, toks[mid].end_pos),
                           *toks[mid + 2:end], _tok("RPAR", ")", toks[end].start_pos, toks[end].end_pos)]
    while any(t.type == "BINOM" for t in toks):
        k = next(k for k, t in enumerate(toks) if t.type == "BINOM")
        opens = [m for m in range(k) if toks[m].type == "LGROUP" and _group_end(toks, m) > k]
        if not opens:
            raise LatexError(r"\choose must stand in a braced group: {n \choose k}", toks[k].start_pos)
        start = opens[-1]
        end = _group_end(toks, start)
        above, below = toks[start + 1:k], toks[k + 1:end]
        if not above or not below or not _balanced(above) or not _balanced(below):
            raise LatexError(r"\choose needs a whole expression on each side within its group", toks[k].start_pos)
        # the braces stay: {n \choose k} may be a script or an argument, as the group it is
        toks[start + 1:end] = [_tok("FUNC", r"\operatorname{binom}", toks[k].start_pos, toks[k].end_pos),
                               _tok("LPAR", "(", toks[start].start_pos, toks[start].end_pos), *above,
                               _tok("SEP", ",", toks[k].start_pos, toks[k].end_pos), *below,
                               _tok("RPAR", ")", toks[end].start_pos, toks[end].end_pos)]
    return toks


def _aligned(toks: list[Token]) -> list[Token]:
    """Alignment environments are layout: ``&`` goes, and a row starts a new statement unless it continues
    the previous chain (``L &= a \\\\ &= b`` is ``L = a = b``).  Inside a ``cases`` or a matrix nested in one,
    ``&`` and ``\\\\`` are that environment's columns and rows, and stay."""
    out: list[Token] = []
    envs: list[bool] = []       # the open environments, innermost last: True for an alignment
    for k, t in enumerate(toks):
        if t.type == "BEGIN":
            envs.append(t.value in ALIGNED)
            if envs[-1]:
                continue
        if t.type == "END" and envs:
            if envs.pop():
                continue
        depth = bool(envs) and envs[-1]
        if depth and t.type == "AMP":
            continue
        if depth and t.type == "ROWSEP":
            nxt = next((u for u in toks[k + 1:] if u.type != "AMP"), None)
            while out and out[-1].type == "SEP" and out[-1].value in (",", ";"):
                out.pop()        # a comma ending a row is punctuation
            if nxt is not None and not (nxt.type == "END" and nxt.value in ALIGNED) and nxt.type != "REL":
                out.append(_tok("SEP", ",", t.start_pos, t.end_pos))
            continue
        out.append(t)
    return out


def _spaced_relations(toks):
    """A separator next to a relation is only space around it (``\\hspace{1in} \\rightarrow \\hspace{1in}``)."""
    def rel(k):
        return 0 <= k < len(toks) and toks[k].type == "REL"
    logic = set(LOGIC_SEP.values())      # never dropped: "a = \implies" is an error, not a = (nothing)
    return [t for k, t in enumerate(toks) if not (t.type == "SEP" and t.value not in logic
                                                  and (rel(k - 1) or rel(k + 1)))]


def tokenize(text: str, words: frozenset = frozenset()) -> list[Token]:
    """Typed tokens of a LaTeX math string; :class:`~.errors.LatexError` with a position otherwise.

    ``words``: multi-letter names the claim declares (written in plain letters), read as one name."""
    if len(text) > MAX_LENGTH:
        raise LatexError(f"LaTeX longer than {MAX_LENGTH} characters", 0)
    toks = _spaced_relations(_digits(_delimiters(_aligned(_binomials(_raw(text, 0, frozenset(words)))))))
    depth = []
    for t in toks:
        if t.type in ("LGROUP",):
            depth.append(t.start_pos)
        elif t.type == "RGROUP":
            if not depth:
                raise LatexError("unbalanced '}'", t.start_pos)
            depth.pop()
    if depth:
        raise LatexError("unbalanced '{'", depth[-1])
    for t in toks:
        if t.type in ("BAR", "DBAR"):
            raise LatexError("unmatched '|'", t.start_pos)
    return toks
