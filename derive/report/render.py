r"""The document tree (:mod:`nnderive.report.document`) as Markdown and as LaTeX."""
from __future__ import annotations

from collections import Counter

from ..verdict import VERDICTS
from .text import clip, clipped, md_code, md_math, md_plain, md_text, safe_math, tex_math, tex_plain, tex_text

__all__ = ["md_inline", "md_blocks", "tex_inline", "tex_blocks", "PREAMBLE"]


# --------------------------------------------------------------------------- Markdown
def md_inline(pieces) -> str:
    out = []
    for kind, val in clipped(pieces):
        if kind == "plain":
            out.append(md_plain(val))
        elif kind == "prose":
            out.append(md_text(val))
        elif kind == "math":
            out.append(md_math(val))
        elif kind == "code":
            out.append(md_code(val))
        elif kind == "b":
            out.append(f"**{md_plain(val)}**")
        elif kind == "i":
            out.append(f"*{md_plain(val)}*")
        elif kind == "link":
            label, href = val
            out.append(f"[{md_inline(label)}]({href})")
    return "".join(out)


def _md_counts(rows) -> list[str]:
    lines = ["| source | " + " | ".join(VERDICTS) + " | claims |", "|---|" + "---:|" * (len(VERDICTS) + 1)]
    total = Counter()
    for name, c in rows:
        total += c
        lines.append(f"| {md_inline(name)} | " + " | ".join(str(c[w]) for w in VERDICTS) + f" | {sum(c.values())} |")
    lines.append("| **all** | " + " | ".join(f"**{total[w]}**" for w in VERDICTS) + f" | **{sum(total.values())}** |")
    return lines


def md_blocks(blocks, figure_prefix: str = "figures/") -> str:
    lines: list[str] = []
    for blk in blocks:
        kind = blk[0]
        if kind == "h":
            lines += ["#" * blk[1] + " " + md_inline(blk[2]), ""]
        elif kind == "p":
            lines += [md_inline(blk[1]), ""]
        elif kind == "quote":
            lines += ["> " + md_plain(clip(blk[1])), ""]
        elif kind == "display":
            lines += [md_math(blk[1], display=True), ""]
        elif kind == "steps":
            for i, (rule, body) in enumerate(blk[1], 1):
                inner = md_blocks([body]).strip()
                lines += [f"{i}. {md_inline(rule)}", "", f"   {inner}", ""]
        elif kind == "ul":
            lines += ["- " + md_inline(item) for item in blk[1]] + [""]
        elif kind == "figure":
            lines += [f"![{md_text(blk[2])}]({figure_prefix}{blk[1]})", "", f"*{md_text(blk[2])}*", ""]
        elif kind == "pre":
            lines += ["```python", blk[1].rstrip(), "```", ""]
        elif kind == "counts":
            lines += _md_counts(blk[1]) + [""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- LaTeX
PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,graphicx}
\usepackage[hidelinks]{hyperref}
\pdftrailerid{}
\allowdisplaybreaks
\newcommand{\fit}[1]{\begin{center}\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}\end{center}}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4em}
\sloppy
"""


def tex_inline(pieces) -> str:
    out = []
    for kind, val in clipped(pieces):
        if kind == "plain":
            out.append(tex_plain(val))
        elif kind == "prose":
            out.append(tex_text(val))
        elif kind == "math":
            out.append(tex_math(val))
        elif kind == "code":
            out.append(r"\texttt{%s}" % tex_plain(val))
        elif kind == "b":
            out.append(r"\textbf{%s}" % tex_plain(val))
        elif kind == "i":
            out.append(r"\emph{%s}" % tex_plain(val))
        elif kind == "link":
            out.append(tex_inline(val[0]))
    return "".join(out)


def _tex_display(latex: str) -> str:
    ok = safe_math(latex)
    if ok is None:
        return r"\begin{center}\texttt{%s}\end{center}" % tex_plain(clip(latex, 2000))
    return r"\fit{%s}" % ok


def _tex_counts(rows) -> str:
    cols = "l" + "r" * (len(VERDICTS) + 1)
    out = [r"\begin{center}\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{\begin{tabular}{%s}" % cols,
           "source & " + " & ".join(tex_plain(w) for w in VERDICTS) + r" & claims \\", r"\hline"]
    total = Counter()
    for name, c in rows:
        total += c
        out.append(tex_inline(name) + " & " + " & ".join(str(c[w]) for w in VERDICTS) + f" & {sum(c.values())}" + r" \\")
    out += [r"\hline", r"\textbf{all} & " + " & ".join(str(total[w]) for w in VERDICTS)
            + f" & {sum(total.values())}" + r" \\", r"\end{tabular}}\end{center}"]
    return "\n".join(out)


def tex_blocks(blocks) -> str:
    out: list[str] = []
    for blk in blocks:
        kind = blk[0]
        if kind == "h":
            text = tex_inline(blk[2])
            if blk[1] <= 1:
                out.append(r"\section*{%s}" % text)
            elif blk[1] == 2:
                out.append(r"\section{%s}" % text)
            else:
                out += [r"\subsection*{%s}" % text, r"\addcontentsline{toc}{subsection}{%s}" % text]
        elif kind == "p":
            out.append(r"\noindent %s\par" % tex_inline(blk[1]))
        elif kind == "quote":
            out.append(r"\begin{quote}\itshape %s\end{quote}" % tex_plain(clip(blk[1])))
        elif kind == "display":
            out.append(_tex_display(blk[1]))
        elif kind == "steps" and blk[1]:
            out.append(r"\begin{enumerate}")
            for rule, body in blk[1]:
                out.append(r"\item %s %s" % (tex_inline(rule), tex_blocks([body]).strip()))
            out.append(r"\end{enumerate}")
        elif kind == "ul" and blk[1]:          # an empty list environment is a LaTeX error
            out.append(r"\begin{itemize}")
            out += [r"\item %s" % tex_inline(item) for item in blk[1]]
            out.append(r"\end{itemize}")
        elif kind == "figure":
            # \IfFileExists: a report generated without figures still compiles
            out.append(r"\begin{center}\IfFileExists{figures/%s}{\includegraphics[width=0.85\linewidth]{figures/%s}}"
                       r"{[figure %s not generated]}\\ \small %s\end{center}"
                       % (blk[1], blk[1], tex_plain(blk[1]), tex_text(blk[2])))
        elif kind == "pre":
            out.append("{\\small\\begin{verbatim}\n" + blk[1].rstrip() + "\n\\end{verbatim}}")
        elif kind == "counts":
            out.append(_tex_counts(blk[1]))
        elif kind == "toc":
            out.append(r"\tableofcontents")
    return "\n".join(out) + "\n"
