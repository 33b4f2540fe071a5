r"""The readers' tables: what each command or character of math notation is.

One row per spelling.  The LaTeX lexer types every command by these tables
(a ``\log`` is a function name, a ``\hat`` an accent, ``\le`` a relation), and
the Unicode reader maps its characters onto the same spellings, so both readers
meet in one intermediate form (:mod:`nnderive.notation.ir`).
"""
from __future__ import annotations

__all__ = ["GREEK", "CONSTANTS", "ACCENTS", "BOLD_FONTS", "NAME_FONTS", "SYMBOL_FONTS", "FUNCTIONS",
           "BIG_OPERATORS", "RELATIONS", "PRODUCTS", "SPACING", "SEPARATORS", "TRANSPOSE_MARKS", "UNICODE",
           "OPEN_DELIMS", "CLOSE_DELIMS", "SIZE_COMMANDS", "KEYWORDS", "FRACTIONS"]

GREEK = frozenset(r"""
\alpha \beta \gamma \delta \epsilon \varepsilon \zeta \eta \theta \vartheta \iota \kappa \lambda \mu \nu \xi
\omicron \pi \varpi \rho \varrho \sigma \varsigma \tau \upsilon \phi \varphi \chi \psi \omega
\Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon \Phi \Psi \Omega \ell \imath \jmath
""".split())

#: constants and symbols that are not variables
CONSTANTS = {r"\infty": "oo", r"\emptyset": "emptyset"}

#: accents that make a different symbol (\hat y is not y)
ACCENTS = frozenset(r"\hat \widehat \bar \overline \tilde \widetilde \dot \ddot \check \breve \acute \grave".split())

#: fonts that are only a spelling of the same symbol (\mathbf{x} is x)
BOLD_FONTS = frozenset(r"\mathbf \boldsymbol \bm \vec \pmb \mathbfit \symbf \boldsymbol \overrightarrow \vv".split())

#: fonts that make a different symbol (\mathcal{L} is not L)
SYMBOL_FONTS = frozenset(r"\mathcal \mathbb \mathfrak \mathscr \mathsf \mathtt \mathit \mathnormal".split())

#: commands whose braced argument is a name or text, read as one token
NAME_FONTS = frozenset(r"\operatorname \mathrm \text \textrm \textit \textbf \textsf \texttt \mbox \mathop".split())

#: named functions: spelling -> canonical name
FUNCTIONS = {
    r"\log": "log", r"\ln": "ln", r"\lg": "lg", r"\exp": "exp",
    r"\sin": "sin", r"\cos": "cos", r"\tan": "tan", r"\cot": "cot", r"\sec": "sec", r"\csc": "csc",
    r"\arcsin": "asin", r"\arccos": "acos", r"\arctan": "atan",
    r"\sinh": "sinh", r"\cosh": "cosh", r"\tanh": "tanh", r"\coth": "coth",
    r"\det": "det", r"\tr": "tr", r"\Tr": "tr", r"\dim": "dim", r"\arg": "arg", r"\deg": "deg",
    r"\gcd": "gcd", r"\Pr": "Pr", r"\sgn": "sgn", r"\operatorname": "",
}

#: operators with limits written as scripts, taking the rest of the term
BIG_OPERATORS = {r"\sum": "sum", r"\prod": "prod", r"\max": "max", r"\min": "min", r"\lim": "lim",
                 r"\sup": "sup", r"\inf": "inf", r"\argmax": "argmax", r"\argmin": "argmin", r"\bigodot": "hadamard"}

#: relations: spelling -> canonical relation word
RELATIONS = {
    "=": "=", r"\approx": "~", r"\simeq": "~", r"\thickapprox": "~", r"\doteq": "~", r"\cong": "~",
    r"\le": "<=", r"\leq": "<=", r"\leqslant": "<=", r"\ge": ">=", r"\geq": ">=", r"\geqslant": ">=",
    "<": "<", ">": ">", r"\lt": "<", r"\gt": ">", r"\ne": "!=", r"\neq": "!=",
    r"\in": "in", r"\leftarrow": "<-", r"\gets": "<-", r"\longleftarrow": "<-",
    ":=": ":=", r"\coloneqq": ":=", r"\triangleq": ":=", r"\equiv": ":=", r"\stackrel{\text{def}}{=}": ":=",
    r"\sim": "sim", r"\to": "->", r"\rightarrow": "->", r"\longrightarrow": "->", r"\mapsto": "->",
    r"\propto": "prop",
    r"\mid": "mid",        # the conditional bar: read only inside a moment or a probability (E[X \mid A])
}

#: explicit products and quotients (``\cdot`` between two vectors is their dot product, elsewhere a product)
PRODUCTS = {r"\cdot": "dot", r"\times": "*", "*": "*", r"\ast": "*", r"\odot": "odot", r"\circ": "odot",
            r"\otimes": "otimes", "/": "/", r"\div": "/", r"\bullet": "*", r"\oslash": "oslash"}

#: spacing and sizing that carry no meaning
SPACING = frozenset(r"""\, \; \: \! \  \> \displaystyle \textstyle \scriptstyle \limits \nolimits \nonumber
\notag \hfill \quad \qquad \medspace \thinspace \thickspace \negthinspace""".split() + ["\\ "])

#: spacing that separates statements at the top level of a string
SEPARATORS = frozenset({r"\quad", r"\qquad", ",", ";"})

SIZE_COMMANDS = frozenset(r"\big \Big \bigg \Bigg \bigl \Bigl \biggl \Biggl \bigr \Bigr \biggr \Biggr \bigm \Bigm".split())

#: superscripts that mean a transpose
TRANSPOSE_MARKS = frozenset({"T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}", r"\text{T}", r"\textsf{T}",
                             r"\mathit{T}", r"\tau", r"\texttt{T}", r"\mathbf{T}", r"\rm T", r"\sf T"})

FRACTIONS = frozenset({r"\frac", r"\tfrac", r"\dfrac", r"\cfrac"})

OPEN_DELIMS = {"(": "(", "[": "[", r"\{": "{", r"\lbrace": "{", r"\langle": "<", r"\lbrack": "[",
               r"\lfloor": "floor", r"\lceil": "ceil"}
CLOSE_DELIMS = {")": "(", "]": "[", r"\}": "{", r"\rbrace": "{", r"\rangle": "<", r"\rbrack": "[",
                r"\rfloor": "floor", r"\rceil": "ceil"}

#: words that join statements or introduce their conditions
KEYWORDS = frozenset({"for", "if", "where", "and", "with", "when", "otherwise", "else", "for all", "forall",
                      "all", "s.t.", "subject to", "since", "then", "or", "given", "i.e.", "e.g.", "as", "at",
                      "whenever", "provided"})
#: short English words that are never a symbol's name, even without the spaces around them (\text{iff})
#: ("in", "out", "on" are left out: n_\text{in} is a name)
PROSE_WORDS = frozenset({"iff", "is", "are", "be", "so", "the", "an", "we", "it", "not", "only", "then", "hence",
                         "thus", "that", "which", "holds", "equals", "gives"})

#: words that join two statements (each is judged): they separate, like a comma
CONNECTIVES = frozenset({"and", "with gradient"})
#: words that draw one statement from another ("A = 0 and hence B"): not two claims that each hold alone
IMPLICATIONS = frozenset({"and hence", "hence", "thus", "so", "therefore", "or equivalently", "equivalently",
                          "i.e.", "that is", "and so", "which gives", "giving", "so that", "and thus", "implies",
                          "which implies", "then"})
#: the implication words that are read: "A, or equivalently B" (the two statements hold at the same inputs) and
#: "A and hence B" (B holds wherever A does); the others (i.e., that is, so that, then, ...) stay unread
LOGIC_WORDS = {"or equivalently": "iff", "equivalently": "iff", "and hence": "implies", "hence": "implies",
               "thus": "implies", "and thus": "implies", "therefore": "implies", "and so": "implies",
               "so": "implies", "implies": "implies", "which implies": "implies"}
LOGIC_COMMANDS = {r"\iff": "iff", r"\Leftrightarrow": "iff", r"\Longleftrightarrow": "iff",
                  r"\implies": "implies", r"\Rightarrow": "implies", r"\Longrightarrow": "implies"}
#: the separator token value of a logic word (a SEP, so the statements on either side are read as usual)
LOGIC_SEP = {"iff": r"\iff", "implies": r"\implies"}

#: words that start the conditions of a statement
CONDITION_WORDS = frozenset({"for", "if", "where", "when", "with", "given", "for all", "forall", "s.t.",
                             "subject to", "since", "whenever", "provided"})

#: Unicode math as written in plain-text sheets -> LaTeX spelling
UNICODE = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "ϵ": r"\epsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu",
    "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon",
    "φ": r"\phi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\prod", "Σ": r"\sum", "∑": r"\sum", "∏": r"\prod",
    "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega", "ℓ": r"\ell",
    "∂": r"\partial", "∇": r"\nabla", "∞": r"\infty", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx",
    "∈": r"\in", "←": r"\leftarrow", "→": r"\to", "↦": r"\mapsto", "∼": r"\sim", "∝": r"\propto",
    "≡": r"\equiv", "≔": ":=", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∗": "*", "⊙": r"\odot",
    "∘": r"\circ", "⊗": r"\otimes", "÷": r"\div", "−": "-", "–": "-", "‖": r"\|", "ℝ": r"\mathbb{R}",
    "⊤": r"\top", "ᵀ": "^{T}", "√": r"\sqrt", "′": "'", "″": "''", "‴": "'''", "…": r"\dots",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
}

#: letters sources only ever apply (a probability, an expectation, an indicator, a law): ``x \cdot P(X \le x)``
#: is x times P(...), never (x \cdot P) times (X \le x)
APPLIED_LETTERS = frozenset({"P", r"\Pr", r"\mathbb{P}", "E", r"\mathbb{E}", r"\mathbb{1}", r"\mathcal{N}",
                             r"\mathcal{U}"})
