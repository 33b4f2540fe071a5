r"""Text and mathematics for the three report formats, with nothing from a claim file reaching
LaTeX, Markdown or HTML unescaped.

Two kinds of input:

* **user text** (ids, titles, file names, quotes, sections, error messages): every character is
  escaped; ``$...$`` in it is *not* math (:func:`tex_plain`, :func:`md_plain`, :func:`html_plain`).
* **mathematics derive/ printed** (the parsed claim, steps, corrected formulas, counterexample
  names, ``$...$`` in reasons): it can still carry a user's symbol spelling, so it passes
  :func:`safe_math`, a whitelist of TeX tokens.  A formula with any other control sequence
  (``\input``, ``\catcode``, ``\def``, ``\csname`` ...), ``^^`` (TeX's character-code escape),
  ``#``, ``%``, ``$``, non-ASCII, unbalanced braces, an unknown environment, ``_``/``^`` inside
  ``\text{...}`` or more than :data:`MAX_MATH` characters is never typeset: it is shown as its
  escaped source in a monospace box.  The whitelist holds no command that reads or writes a file,
  defines a macro or changes category codes, so a safe formula can at worst look odd.
"""
from __future__ import annotations

import html
import re

__all__ = ["clipped", "tex_text", "tex_plain", "md_text", "md_plain", "md_code", "html_plain", "safe_math", "tex_math",
           "segments", "clip", "MAX_MATH", "MAX_TEXT"]

#: longest formula typeset (longer ones are shown as source); longest user text kept (quotes)
MAX_MATH = 12_000
MAX_TEXT = 4_000

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
                "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}"}
_TEX_UNICODE = {
    "σ": r"$\sigma$", "Σ": r"$\Sigma$", "∑": r"$\sum$", "δ": r"$\delta$", "Δ": r"$\Delta$", "ε": r"$\epsilon$",
    "η": r"$\eta$", "β": r"$\beta$", "λ": r"$\lambda$", "α": r"$\alpha$", "μ": r"$\mu$", "θ": r"$\theta$",
    "γ": r"$\gamma$", "π": r"$\pi$", "ρ": r"$\rho$", "τ": r"$\tau$", "φ": r"$\phi$", "ω": r"$\omega$",
    "∂": r"$\partial$", "∇": r"$\nabla$", "≤": r"$\le$", "≥": r"$\ge$", "≈": r"$\approx$", "≠": r"$\ne$",
    "→": r"$\to$", "←": r"$\leftarrow$", "⇒": r"$\Rightarrow$", "∈": r"$\in$", "×": r"$\times$", "·": r"$\cdot$",
    "⊙": r"$\odot$", "√": r"$\surd$", "∞": r"$\infty$", "±": r"$\pm$", "−": "-", "ℝ": r"$\mathbb{R}$",
    "ŷ": r"$\hat{y}$", "ᵀ": r"$^{T}$", "²": r"$^{2}$", "³": r"$^{3}$", "¹": r"$^{1}$", "⁰": r"$^{0}$",
    "ⁿ": r"$^{n}$", "ˣ": r"$^{\times}$", "ᵐ": r"$^{m}$", "ᵏ": r"$^{k}$", "ˡ": r"$^{l}$", "⁻": r"$^{-}$",
    "₁": r"$_{1}$", "₂": r"$_{2}$", "ᵢ": r"$_{i}$", "ⱼ": r"$_{j}$", "½": r"$\frac12$", "‖": r"$\|$",
    "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}", "\u00a0": "~",
    "é": r"\'e", "è": r"\`e", "ö": r"\"o", "ü": r"\"u", "°": r"$^\circ$",
}


def clip(s: str, limit: int = MAX_TEXT) -> str:
    """User text longer than ``limit`` is cut, saying how much was left out (a 300,000-character
    quote must not exhaust TeX's memory or bury the report)."""
    s = str(s)
    if len(s) <= limit:
        return s
    return s[:limit] + f" [... {len(s) - limit} more characters]"


_CLIP = {"plain": MAX_TEXT, "prose": MAX_TEXT, "code": 300}


def clipped(pieces):
    """Inline pieces with user text clipped by kind (one policy for Markdown, LaTeX and HTML)."""
    return [(kind, clip(val, _CLIP[kind]) if kind in _CLIP else val) for kind, val in pieces]


def tex_plain(s) -> str:
    r"""User text for LaTeX: every special character escaped, no math pass-through.

    >>> tex_plain(r"x$\input{/etc/hostname}$")
    'x\\$\\textbackslash{}input\\{/etc/hostname\\}\\$'
    """
    out = []
    for ch in str(s):
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ch in "\n\r\t\f\v":
            out.append(" ")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        elif ch in _TEX_UNICODE:
            out.append(_TEX_UNICODE[ch])
        else:
            out.append(r"\texttt{[U+%04X]}" % ord(ch))
    return "".join(out)


def segments(s: str):
    """Split derive/'s prose at ``$...$``: (is_math, piece) pairs; an unpaired ``$`` is text."""
    parts = str(s).split("$")
    if len(parts) % 2 == 0:
        parts = parts[:-2] + [parts[-2] + "$" + parts[-1]]
    return [(i % 2 == 1, p) for i, p in enumerate(parts) if p]


def tex_math(s: str) -> str:
    """Inline math for LaTeX: ``$...$`` when :func:`safe_math` accepts it, else its escaped source."""
    ok = safe_math(s)
    return f"${ok}$" if ok is not None else r"\texttt{%s}" % tex_plain(clip(s, 400))


def tex_text(s: str) -> str:
    r"""derive/'s prose (a reason, a rule, a note) for LaTeX: ``$...$`` pieces through :func:`tex_math`,
    the rest escaped.

    >>> tex_text("ŷ = σ(z) ≤ 1, 50% & #1_a")
    '$\\hat{y}$ = $\\sigma$(z) $\\le$ 1, 50\\% \\& \\#1\\_a'
    >>> tex_text(r"then $\input{/etc/passwd}$")
    'then \\texttt{\\textbackslash{}input\\{/etc/passwd\\}}'
    """
    return "".join(tex_math(p) if math else tex_plain(p) for math, p in segments(s))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$~&])")


def md_plain(s) -> str:
    """User text for Markdown: one line, every character that could start markup escaped."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(s)))


def md_code(s) -> str:
    """User text as a Markdown code span, fenced by more backticks than it holds."""
    s = re.sub(r"\s+", " ", str(s))
    fence = "`" * (max((len(m) for m in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_math(s: str, display: bool = False) -> str:
    ok = safe_math(s)
    if ok is None:
        return md_code(clip(s, 400))
    return f"$${ok}$$" if display else f"${ok}$"


def md_text(s: str) -> str:
    r"""derive/'s prose for Markdown: emphasis, link and table characters escaped, ``$...$`` math kept
    when safe.

    >>> md_text("a_b *c* $x_i$")
    'a\\_b \\*c\\* $x_i$'
    """
    return "".join(md_math(p) if math else _MD_SPECIAL.sub(r"\\\1", p) for math, p in segments(" ".join(str(s).split())))


def html_plain(s) -> str:
    """User text for HTML (quotes escaped too, so it is safe inside attributes)."""
    return html.escape(str(s), quote=True)


# --------------------------------------------------------------------------- the math whitelist
_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi "
          "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
          "Upsilon Phi Psi Omega").split()
_MATH_WORDS = set(_GREEK) | set((
    "frac dfrac tfrac sqrt left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr cdot cdots ldots "
    "dots vdots ddots times div pm mp odot otimes oplus circ ast star bullet sum prod int oint lim limsup liminf "
    "max min sup inf arg argmax argmin log ln lg exp sin cos tan sinh cosh tanh sec csc cot det tr operatorname "
    "mathrm mathbf mathit mathcal mathbb mathsf mathtt mathfrak text textrm textit textbf hat bar "
    "tilde vec dot ddot check breve acute grave widehat widetilde overline underline overrightarrow partial "
    "nabla infty le leq ge geq lt gt ne neq approx sim simeq equiv propto to mapsto leftarrow rightarrow "
    "Leftarrow Rightarrow leftrightarrow Leftrightarrow gets in notin subset subseteq cup cap setminus forall "
    "exists neg land lor wedge vee mid parallel perp langle rangle lfloor rfloor lceil rceil lvert rvert lVert "
    "rVert vert Vert quad qquad substack begin end displaystyle textstyle scriptstyle limits nolimits "
    "prime ell hbar imath jmath emptyset top bot mathop stackrel overset underset binom choose pmod bmod "
    "colon cdotp dagger Pr hom ker dim deg gcd lbrace rbrace lbrack rbrack backslash triangleq "
    "phantom hphantom vphantom uparrow downarrow").split())
#: commands whose braced argument is set in text mode (no ``_``/``^`` allowed there)
_TEXT_ARG = {"text", "textrm", "textit", "textbf"}
_ENVIRONMENTS = {"cases", "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "array",
                 "aligned", "split", "gathered"}
_CONTROL_SYMBOLS = set(",;:! {}|\\_")
_SAFE_CHARS = re.compile(r"[A-Za-z0-9 +\-*/=<>()\[\].,;:!?'|&_^{}\\\n]")
_TEXT_CHARS = re.compile(r"[A-Za-z0-9 +\-*/=<>()\[\].,;:!?'|]")
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|(.)", re.S)


def safe_math(s) -> str | None:
    r"""``s`` if every token of it is on the whitelist (so pdflatex, GitHub and MathJax may typeset it),
    else None.

    >>> safe_math(r"\frac{\partial \sigma}{\partial x} = \sigma(x)\left(1 - \sigma(x)\right)") is not None
    True
    >>> [safe_math(s) for s in (r"\input{/etc/hostname}", r"x^^5cinput", r"\text{a_b}", r"{x", r"\catcode`\^=0")]
    [None, None, None, None, None]
    """
    if not isinstance(s, str) or not s or len(s) > MAX_MATH or "^^" in s:
        return None
    stack = []          # open groups: "{" math group, "t" text-mode group, or ("env", name)
    pending_text = pending_stack = False
    envs = 0
    expect_env = None   # "begin" / "end" after the command, the next group is an environment name
    for m in _TOKEN.finditer(s):
        word, sym, ch = m.groups()
        in_text = any(g == "t" for g in stack)
        if word is not None:
            if in_text or word not in _MATH_WORDS:
                return None
            if word in ("begin", "end"):
                rest = s[m.end():]
                name = re.match(r"\{([A-Za-z]+\*?)\}", rest)
                if not name or name.group(1) not in _ENVIRONMENTS:
                    return None
                envs += 1 if word == "begin" else -1
                if envs < 0:
                    return None
                expect_env = len(name.group(0))
            pending_text = word in _TEXT_ARG
            pending_stack = word == "substack"
            continue
        if expect_env:     # the {name} after \begin/\end: letters, checked above
            expect_env -= 1
            continue
        if sym is not None:
            if sym not in _CONTROL_SYMBOLS or (sym == "\\" and (in_text or not (envs or "s" in stack))):
                return None
            pending_text = pending_stack = False
            continue
        if ch == "{":
            stack.append("t" if pending_text or in_text else "s" if pending_stack else "{")
        elif ch == "}":
            if not stack:
                return None
            stack.pop()
        elif ch == "&":
            if envs == 0 or in_text:
                return None
        elif in_text:
            if not _TEXT_CHARS.fullmatch(ch):
                return None
        elif not _SAFE_CHARS.fullmatch(ch):
            return None
        if ch != " ":
            pending_text = pending_stack = False
    if stack or envs:
        return None
    return s
