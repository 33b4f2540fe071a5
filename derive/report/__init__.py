r"""Proof reports (``nnderive report``): Markdown, LaTeX/PDF and self-contained HTML per claim file.

Modules: :mod:`.text` (escaping and the whitelist that every formula passes), :mod:`.document`
(the format-neutral tree), :mod:`.render` (Markdown, LaTeX), :mod:`.html` (HTML with MathJax),
:mod:`.pdf` (confined pdflatex), :mod:`.build` (collecting verdicts and writing the folder).
"""
from __future__ import annotations

from ..catalogue import Claim
from ..display import register
from ..verdict import Verdict
from .build import FIGURES, RESERVED, SourceReport, claim_blocks, claim_latex, claim_markdown, collect, \
    default_out, generate
from .pdf import PDFLATEX_TIMEOUT, ReportError, pdflatex
from .text import md_code, md_plain, md_text, safe_math, tex_plain, tex_text

__all__ = ["generate", "collect", "claim_markdown", "claim_latex", "claim_blocks", "tex_text", "tex_plain",
           "md_text", "md_plain", "md_code", "safe_math", "ReportError", "pdflatex", "PDFLATEX_TIMEOUT", "FIGURES",
           "RESERVED", "SourceReport", "default_out"]


def _claim_markdown_repr(c: Claim) -> str:
    out = [f"**{md_plain(c.id)}** ({md_code(c.source)})", "", "> " + md_plain(c.quote or "(no quote)")]
    ok = safe_math(c.latex) if c.latex else None
    if ok:
        out += ["", f"$${ok}$$"]
    elif c.latex:
        out += ["", md_code(c.latex)]
    return "\n".join(out)


def _verdict_latex_repr(v: Verdict) -> str:
    body = safe_math(v.parsed) or r"\text{(no formula)}"
    return r"$$\text{%s: %s}\quad %s$$" % (tex_plain(v.id), tex_plain(v.verdict), body)


register("claim", "markdown", _claim_markdown_repr)
register("claim", "latex", lambda c: f"$${safe_math(c.latex)}$$" if c.latex and safe_math(c.latex) else None)
register("verdict", "markdown", lambda v: claim_markdown(v, figures=False, level=4))
register("verdict", "latex", _verdict_latex_repr)
