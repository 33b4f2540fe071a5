r"""Proof reports: ``nnderive report`` writes Markdown and LaTeX (PDF) for every source.

Layout of the output folder (default ``reports/``): ``README.md`` and ``summary.tex`` (the
summary across sources, what a reader sees first), one ``<claim file stem>.md`` and
``.tex`` per source, ``figures/*.png``, and the PDFs when ``pdflatex`` is present.

Everything is deterministic: claims in catalogue order, no timestamps, figures saved
without software or date tags, PDFs built with ``SOURCE_DATE_EPOCH=0`` and an empty
trailer id.  Quotes are converted for LaTeX (special characters escaped, Greek letters
and mathematical symbols mapped to math, any other non-ASCII character printed as its
code point), so pdflatex never fails on a quote.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from .catalogue import Claim, catalogue_dir, load_file
from .display import register
from .judge import judge_all
from .numeric import plots
from .numeric.kernels import kernel
from .numeric.train import Config, train
from .verdict import VERDICTS, Verdict

__all__ = ["generate", "claim_markdown", "claim_latex", "tex_text", "tex_plain", "md_text", "md_plain", "ReportError", "FIGURES"]


class ReportError(RuntimeError):
    """pdflatex failed; the message names the file and quotes the log."""


# --------------------------------------------------------------------------- text conversion
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


def tex_text(s: str) -> str:
    r"""Plain text (a quote, a reason) as LaTeX that pdflatex always accepts; ``$...$`` math in
    text written by derive/ (reasons) is kept with :func:`tex_math`, quotes go through
    :func:`tex_plain`.

    >>> tex_text("ŷ = σ(z) ≤ 1, 50% & #1_a")
    '$\\hat{y}$ = $\\sigma$(z) $\\le$ 1, 50\\% \\& \\#1\\_a'
    """
    return "".join(f"${p}$" if math else tex_plain(p) for math, p in _segments(s))


def tex_plain(s: str) -> str:
    """Every character escaped or converted (no math pass-through)."""
    out = []
    for ch in s:
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _TEX_UNICODE:
            out.append(_TEX_UNICODE[ch])
        else:
            out.append(r"\texttt{[U+%04X]}" % ord(ch))
    return "".join(out)


def _segments(s: str):
    """Split text at ``$...$``: (is_math, piece) pairs; an unpaired ``$`` is text."""
    parts = s.split("$")
    if len(parts) % 2 == 0:
        parts = parts[:-2] + [parts[-2] + "$" + parts[-1]]
    return [(i % 2 == 1, p) for i, p in enumerate(parts) if p]


def md_plain(s: str) -> str:
    """Text from a claim file for Markdown: everything escaped, no math."""
    return re.sub(r"([\\`*_\[\]<>|#$])", r"\\\1", " ".join(s.split()))


def md_text(s: str) -> str:
    r"""Plain text for Markdown: characters that would start emphasis, links or tables are escaped;
    ``$...$`` math is kept.

    >>> md_text("a_b *c* $x_i$")
    'a\\_b \\*c\\* $x_i$'
    """
    out = []
    for math, p in _segments(" ".join(s.split())):
        out.append(f"${p}$" if math else re.sub(r"([\\`*_\[\]<>|#$])", r"\\\1", p))
    return "".join(out)


def _is_math(s: str) -> bool:
    """A derivation step's right-hand side: LaTeX, or a sentence that must be set as text."""
    if "\\" in s or re.fullmatch(r"[-+0-9./ =<>a-zA-Z_^{}()',|]{0,40}", s) and not re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", s):
        return True
    return False


# --------------------------------------------------------------------------- figures
#: figure file -> caption; claims name the figures that illustrate them (field ``figures``)
FIGURES = {
    "activations.png": "Each activation kernel and its derivative kernel (leaky ReLU with alpha = 0.1); "
                       "ReLU'(0) = 0 and LeakyReLU'(0) = alpha by convention.",
    "sigmoid_bound.png": "sigma'(x) = sigma(x)(1 - sigma(x)) never exceeds 1/4, reached at x = 0.",
    "eps_ratio.png": "Step with epsilon outside the root over the step with it inside, "
                     "sqrt(g^2 + eps)/(|g| + eps), against the gradient size (v = g^2).",
    "train_digits.png": "Training curves of `nnderive train digits` (the lambdified kernels, Adam).",
    "train_xor.png": "Training curves of `nnderive train xor`.",
}


def _figures(out: Path):
    fig = out / "figures"
    fig.mkdir(parents=True, exist_ok=True)
    plots.activations(fig / "activations.png")
    plots.sigmoid_bound(fig / "sigmoid_bound.png")
    plots.eps_ratio(fig / "eps_ratio.png")
    for name in ("digits", "xor"):
        res = train(Config.for_dataset(name))
        plots.training_curves(res.history, fig / f"train_{name}.png",
                              title=f"{name}: test accuracy {res.test_accuracy:.4f}")


def _tex_figure(f: str, width: float) -> str:
    # \IfFileExists: a report generated without figures still compiles
    return (r"\begin{center}\IfFileExists{figures/%s}{\includegraphics[width=%s\linewidth]{figures/%s}}"
            r"{[figure %s not generated]}\\ \small %s\end{center}" % (f, width, f, tex_plain(f), tex_text(FIGURES[f])))


def _figures_for(claim: Claim | None) -> list[str]:
    return [f for f in (claim.figures if claim else []) if f in FIGURES]


# --------------------------------------------------------------------------- one claim
def _kernels_for(claim: Claim | None):
    return [kernel(n) for n in (claim.kernels if claim else [])]


def claim_markdown(v: Verdict, claim: Claim | None = None, figures: bool = True, level: int = 3) -> str:
    """One claim's section in GitHub-flavoured Markdown (math in ``$...$`` / ``$$...$$``)."""
    h = "#" * level
    lines = [f"{h} `{v.id}`: {v.verdict}", ""]
    if claim is not None and claim.quote:
        lines += ["> " + md_plain(claim.quote), ""]
        where = ", ".join(x for x in (f"section \u201c{md_plain(claim.section)}\u201d" if claim.section else "",
                                        f"`{claim.source}`") if x)
        lines += [f"*Source:* {where}", ""]
    if v.parsed:
        lines += ["*As the checker read it:*", "", f"$${v.parsed}$$", ""]
    lines += [f"**Verdict: {v.verdict}.** {md_text(v.reason)}", ""]
    if v.error:
        e = v.error
        lines += [f"*Error* in `{e.get('file', '')}`, claim `{e.get('id', '')}`, field `{e.get('field', '')}`, "
                  f"position {md_plain(str(e.get('position', '')))}: {md_plain(str(e.get('message', '')))}", ""]
    if v.steps:
        lines += ["*Derivation:*", ""]
        for i, (rule, tex) in enumerate(v.steps, 1):
            body = f"$${tex}$$" if _is_math(tex) else md_text(tex.replace("$", ""))
            lines += [f"{i}. {md_text(rule)}", "", f"   {body}", ""]
    if v.counterexample:
        cells = [f"${k}$ = {val}" if k not in ("lhs", "rhs") else f"{k} = {val}" for k, val in v.counterexample.items()]
        lines += ["*Counterexample (exact):* " + ", ".join(cells), ""]
    if v.corrected:
        lines += ["*Corrected formula:*", "", f"$${v.corrected}$$", ""]
    if v.convention:
        c = v.convention
        lines += [f"*Conventions:* the claim uses **{md_text(c.get('claim', ''))}**; the reference is "
                  f"{md_text(c.get('reference', ''))}.", ""]
    for n in v.notes:
        lines += [f"*Note:* {md_text(str(n))}", ""]
    if figures:
        for f in _figures_for(claim):
            lines += [f"![{md_text(FIGURES[f])}](figures/{f})", ""]
    for k in _kernels_for(claim):
        lines += [f"*Kernel* `{k.name}` (generated from {', '.join(k.derivation)}):", "", "```python",
                  k.source.rstrip(), "```", ""]
    return "\n".join(lines)


def claim_latex(v: Verdict, claim: Claim | None = None, figures: bool = True) -> str:
    """One claim's section in LaTeX (for pdflatex with amsmath, amssymb, graphicx)."""
    out = [r"\subsection*{\texttt{%s}: %s}" % (tex_text(v.id), tex_text(v.verdict)),
           r"\addcontentsline{toc}{subsection}{%s}" % tex_text(v.id)]
    if claim is not None and claim.quote:
        out.append(r"\begin{quote}\itshape %s\end{quote}" % tex_plain(claim.quote))
        if claim.section:
            out.append(r"\noindent\textbf{Source:} section ``%s'', \texttt{%s}\par" % (tex_plain(claim.section),
                                                                                       tex_plain(claim.source)))
    if v.parsed:
        out.append(r"\noindent\textbf{As the checker read it:}\fit{%s}" % v.parsed)
    out.append(r"\noindent\textbf{Verdict: %s.} %s\par" % (tex_text(v.verdict), tex_text(v.reason)))
    if v.error:
        e = v.error
        out.append(r"\noindent\textbf{Error} in \texttt{%s}, claim \texttt{%s}, field \texttt{%s}, position %s: %s\par"
                   % tuple(tex_plain(str(e.get(k, ""))) for k in ("file", "id", "field", "position", "message")))
    if v.steps:
        out.append(r"\noindent\textbf{Derivation:}\begin{enumerate}")
        for rule, tex in v.steps:
            body = r"\fit{%s}" % tex if _is_math(tex) else tex_plain(tex)
            out.append(r"\item %s %s" % (tex_text(rule), body))
        out.append(r"\end{enumerate}")
    if v.counterexample:
        cells = [(f"${k}$" if k not in ("lhs", "rhs") else k) + " = " + tex_text(str(val))
                 for k, val in v.counterexample.items()]
        out.append(r"\noindent\textbf{Counterexample (exact):} %s\par" % ", ".join(cells))
    if v.corrected:
        out.append(r"\noindent\textbf{Corrected formula:}\fit{%s}" % v.corrected)
    if v.convention:
        c = v.convention
        out.append(r"\noindent\textbf{Conventions:} the claim uses \emph{%s}; the reference is %s.\par"
                   % (tex_text(c.get("claim", "")), tex_text(c.get("reference", ""))))
    for n in v.notes:
        out.append(r"\noindent\textbf{Note:} %s\par" % tex_text(str(n)))
    if figures:
        for f in _figures_for(claim):
            out.append(_tex_figure(f, 0.9))
    for k in _kernels_for(claim):
        out.append(r"\noindent\textbf{Kernel} \texttt{%s} (generated from %s):" % (tex_text(k.name),
                                                                                  tex_text(", ".join(k.derivation))))
        out.append("{\\small\\begin{verbatim}\n" + k.source.rstrip() + "\n\\end{verbatim}}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- whole reports
@dataclass
class SourceReport:
    stem: str
    title: str
    file: str
    claims: list = field(default_factory=list)        # [(Claim | None, Verdict)]

    def counts(self) -> Counter:
        return Counter(v.verdict for _, v in self.claims)


def _one_line(v: Verdict, width: int = 160) -> str:
    text = " ".join(v.reason.split())
    if len(text) <= width:
        return text
    text = text[: width - 1]
    if text.count("$") % 2:                  # never cut inside $...$
        text = text[: text.rindex("$")]
    return text.rstrip() + "\u2026"


_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,graphicx,longtable}
\usepackage[hidelinks]{hyperref}
\pdftrailerid{}
\allowdisplaybreaks
\newcommand{\fit}[1]{\begin{center}\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}\end{center}}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4em}
\sloppy
"""


def _counts_md(rows) -> list[str]:
    head = "| source | " + " | ".join(VERDICTS) + " | claims |"
    lines = [head, "|---|" + "---:|" * (len(VERDICTS) + 1)]
    total = Counter()
    for name, c in rows:
        total += c
        lines.append(f"| {name} | " + " | ".join(str(c[w]) for w in VERDICTS) + f" | {sum(c.values())} |")
    lines.append("| **all** | " + " | ".join(f"**{total[w]}**" for w in VERDICTS) + f" | **{sum(total.values())}** |")
    return lines


def _counts_tex(rows) -> str:
    cols = "l" + "r" * (len(VERDICTS) + 1)
    out = [r"\begin{center}\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{\begin{tabular}{%s}" % cols,
           "source & " + " & ".join(tex_text(w) for w in VERDICTS) + r" & claims \\",
           r"\hline"]
    total = Counter()
    for name, c in rows:
        total += c
        out.append(tex_text(name) + " & " + " & ".join(str(c[w]) for w in VERDICTS) + f" & {sum(c.values())}" + r" \\")
    out.append(r"\hline")
    out.append(r"\textbf{all} & " + " & ".join(str(total[w]) for w in VERDICTS) + f" & {sum(total.values())}" + r" \\")
    out.append(r"\end{tabular}}\end{center}")
    return "\n".join(out)


def _flagged(rep: SourceReport):
    return [v for _, v in rep.claims if v.verdict in ("refuted", "convention", "error", "undecided")]


def source_markdown(rep: SourceReport) -> str:
    c = rep.counts()
    lines = [f"# {md_text(rep.title)}", "",
             f"Claims from `{rep.file}`, judged by nnderive. This file is generated by `nnderive report`; "
             "do not edit it by hand.", "", "## Summary", ""]
    lines += _counts_md([(rep.title, c)]) + [""]
    flagged = _flagged(rep)
    if flagged:
        lines += ["Claims that do not hold as written:", ""]
        lines += [f"- [`{v.id}`](#{_anchor(v)}) ({v.verdict}): {md_text(_one_line(v))}" for v in flagged] + [""]
    sections = []
    for claim, v in rep.claims:
        sec = claim.section if claim is not None and claim.section else "Other"
        if sec not in sections:
            sections.append(sec)
    for sec in sections:
        lines += [f"## {md_plain(sec)}", ""]
        for claim, v in rep.claims:
            if (claim.section if claim is not None and claim.section else "Other") == sec:
                lines += [claim_markdown(v, claim), ""]
    return "\n".join(lines).rstrip() + "\n"


def _anchor(v: Verdict) -> str:
    return re.sub(r"[^a-z0-9 _-]", "", f"{v.id}: {v.verdict}".lower()).replace(" ", "-")


def source_latex(rep: SourceReport) -> str:
    out = [_PREAMBLE, r"\title{%s}" % tex_text(rep.title), r"\date{}", r"\begin{document}", r"\maketitle",
           r"Claims from \texttt{%s}, judged by nnderive (generated by \texttt{nnderive report})." % tex_text(rep.file),
           r"\section*{Summary}", _counts_tex([(rep.title, rep.counts())])]
    flagged = _flagged(rep)
    if flagged:
        out.append(r"Claims that do not hold as written:\begin{itemize}")
        out += [r"\item \texttt{%s} (%s): %s" % (tex_text(v.id), tex_text(v.verdict), tex_text(_one_line(v)))
                for v in flagged]
        out.append(r"\end{itemize}")
    out.append(r"\tableofcontents")
    current = None
    for claim, v in rep.claims:
        sec = claim.section if claim is not None and claim.section else "Other"
        if sec != current:
            out.append(r"\section{%s}" % tex_plain(sec))
            current = sec
        out.append(claim_latex(v, claim))
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def summary_markdown(reports: list[SourceReport]) -> str:
    lines = ["# nnderive proof reports", "",
             "Every formula of the seed cheat sheets, judged by deriving it with SymPy: **proved** (symbolically, "
             "for every n where the claim is general), **refuted** (with an exact counterexample and the corrected "
             "formula), **convention** (true under another named convention), **undecided**, **not checkable** "
             "(no formula to check) or **error** (the claim could not be read). Generated by `nnderive report`; "
             "do not edit by hand.", "", "## Verdicts by source", ""]
    lines += _counts_md([(f"[{md_text(r.title)}]({r.stem}.md)", r.counts()) for r in reports]) + [""]
    lines += ["## Claims that do not hold as written", ""]
    for r in reports:
        for v in _flagged(r):
            lines.append(f"- [`{v.id}`]({r.stem}.md#{_anchor(v)}) ({v.verdict}): {md_text(_one_line(v))}")
    lines += ["", "## Pictures", ""]
    for f, cap in FIGURES.items():
        lines += [f"![{md_text(cap)}](figures/{f})", "", f"*{md_text(cap)}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def summary_latex(reports: list[SourceReport]) -> str:
    out = [_PREAMBLE, r"\title{nnderive proof reports}", r"\date{}", r"\begin{document}", r"\maketitle",
           tex_text("Every formula of the seed cheat sheets, judged by deriving it with SymPy. Generated by "
                    "nnderive report."),
           r"\section*{Verdicts by source}", _counts_tex([(r.title, r.counts()) for r in reports]),
           r"\section*{Claims that do not hold as written}", r"\begin{itemize}"]
    for r in reports:
        for v in _flagged(r):
            out.append(r"\item \texttt{%s} (%s): %s" % (tex_text(v.id), tex_text(v.verdict), tex_text(_one_line(v))))
    out.append(r"\end{itemize}")
    out.append(r"\section*{Pictures}")
    for f in FIGURES:
        out.append(_tex_figure(f, 0.8))
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def collect(paths, verdicts: dict | None = None, budget: float = 60.0) -> list[SourceReport]:
    """Load every claim file (errors become error claims), judge what is not given, group by file."""
    files = []
    for p in (paths or [catalogue_dir()]):
        p = Path(p)
        files += sorted(p.glob("*.toml")) if p.is_dir() else [p]
    reports, todo = [], []
    for f in files:
        claims, errors = load_file(f)
        title = claims[0].source if claims else f.name
        try:
            title = tomllib.loads(f.read_text(encoding="utf-8")).get("source", {}).get("title", title)
        except Exception:        # the file's own errors are reported as error claims
            pass
        rep = SourceReport(f.stem, title, f.name)
        rep.claims = [(None, Verdict.from_load_error(e)) for e in errors] + [(c, None) for c in claims]
        reports.append(rep)
        todo += [c for c in claims if verdicts is None or c.id not in verdicts]
    judged = {v.id: v for v in judge_all(todo, budget)} if todo else {}
    for rep in reports:
        rep.claims = [(c, v if v is not None else (verdicts or {}).get(c.id) or judged[c.id]) for c, v in rep.claims]
    return reports


def pdflatex(tex: Path) -> Path:
    """Build ``tex`` into a PDF next to it (two runs for the table of contents)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(2):
            r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp}",
                                tex.name], cwd=tex.parent, env=env, capture_output=True, text=True, errors="replace")
            if r.returncode:
                log = (Path(tmp) / (tex.stem + ".log"))
                text = log.read_text(errors="replace") if log.exists() else r.stdout
                err = [ln for ln in text.splitlines() if ln.startswith("!") or ln.startswith("l.")]
                raise ReportError(f"pdflatex failed on {tex}: " + " | ".join(err[:6]))
        pdf = tex.with_suffix(".pdf")
        shutil.copy(Path(tmp) / (tex.stem + ".pdf"), pdf)
    return pdf


def generate(paths=None, out: Path | str = "reports", pdf: bool | None = None, verdicts: dict | None = None,
             figures: bool = True) -> list[Path]:
    """Write every report; returns the files written.  ``pdf=None`` builds PDFs when pdflatex exists."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    reports = collect(paths, verdicts)
    written = []
    if figures:
        _figures(out)
        written += sorted((out / "figures").glob("*.png"))
    for rep in reports:
        for suffix, text in ((".md", source_markdown(rep)), (".tex", source_latex(rep))):
            p = out / (rep.stem + suffix)
            p.write_text(text, encoding="utf-8")
            written.append(p)
    for name, text in (("README.md", summary_markdown(reports)), ("summary.tex", summary_latex(reports))):
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    if pdf is None:
        pdf = shutil.which("pdflatex") is not None
    if pdf:
        written += [pdflatex(p) for p in sorted(out.glob("*.tex"))]
    return written


def _claim_markdown_repr(c: Claim) -> str:
    out = [f"**{c.id}** (`{c.source}`)", "", "> " + md_plain(c.quote or "(no quote)")]
    if c.latex:
        out += ["", f"$${c.latex}$$"]
    return "\n".join(out)


def _verdict_latex_repr(v: Verdict) -> str:
    body = v.parsed or r"\text{(no formula)}"
    return r"$$\text{%s: %s}\quad %s$$" % (tex_plain(v.id), tex_plain(v.verdict), body)


register("claim", "markdown", _claim_markdown_repr)
register("claim", "latex", lambda c: f"$${c.latex}$$" if c.latex else None)
register("verdict", "markdown", lambda v: claim_markdown(v, figures=False, level=4))
register("verdict", "latex", _verdict_latex_repr)
