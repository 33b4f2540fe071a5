r"""Proof reports: ``nnderive report`` writes Markdown, LaTeX (PDF) and HTML for every claim file.

Layout of the output folder: ``README.md``, ``summary.tex``/``.pdf``/``.html`` (the summary across
files, what a reader sees first), one ``<claim file stem>.md``/``.tex``/``.pdf``/``.html`` per file,
and ``figures/*.png``.  A claim file whose stem is taken (``summary.toml``, ``README.toml``, two
``x.toml`` from different folders) gets a suffixed name (``summary-2``), never the summary's.

Claims are identified by (claim file, id): the same id in two files is two claims.  Everything is
deterministic: claims in file order, no timestamps, figures without software or date tags, PDFs
built with ``SOURCE_DATE_EPOCH=0``.  Every PDF is built even when another fails; the failures are
raised together at the end (:class:`ReportError`).
"""
from __future__ import annotations

import re
import shutil
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Claim, catalogue_dir, load_file, read_limited
from ..judge import judge_all
from ..numeric import plots
from ..numeric.kernels import kernel
from ..numeric.train import Config, train
from ..verdict import VERDICTS, Verdict
from .document import B, C, I, M, P, T
from .html import html_page
from .pdf import PDFLATEX_TIMEOUT, ReportError, pdflatex
from .text import clip
from .render import PREAMBLE, md_blocks, md_inline, tex_blocks, tex_inline

__all__ = ["generate", "collect", "claim_blocks", "claim_markdown", "claim_latex", "SourceReport", "FIGURES",
           "default_out", "RESERVED"]

#: figure file -> caption; claims name the figures that illustrate them (field ``figures``)
FIGURES = {
    "activations.png": "Each activation kernel and its derivative kernel (leaky ReLU with $\\alpha = 0.1$); "
                       "$\\mathrm{ReLU}'(0) = 0$ and $\\mathrm{LeakyReLU}'(0) = \\alpha$ by convention.",
    "sigmoid_bound.png": "$\\sigma'(x) = \\sigma(x)(1 - \\sigma(x))$ never exceeds $\\frac{1}{4}$, reached at $x = 0$.",
    "eps_ratio.png": "Step with $\\epsilon$ outside the root over the step with it inside, "
                     "$\\sqrt{g^2 + \\epsilon}/(|g| + \\epsilon)$, against the gradient size ($v = g^2$).",
    "train_digits.png": "Training curves of `nnderive train digits` (the lambdified kernels, Adam).",
    "train_xor.png": "Training curves of `nnderive train xor`.",
}
#: pictures of the whole package (training runs), shown in the report of the shipped catalogue
_PACKAGE_FIGURES = ("train_digits.png", "train_xor.png")
_PLOTS = {"activations.png": plots.activations, "sigmoid_bound.png": plots.sigmoid_bound,
          "eps_ratio.png": plots.eps_ratio}
#: output names the summary uses (case-insensitively: some file systems ignore case)
RESERVED = ("readme", "summary", "figures")
#: the flagged verdicts, listed first in every summary
_FLAGGED = ("refuted", "convention", "error", "undecided")


def _figure(out: Path, name: str):
    path = out / "figures" / name
    if name in _PLOTS:
        _PLOTS[name](path)
    else:
        data = name[len("train_"):-len(".png")]
        res = train(Config.for_dataset(data))
        plots.training_curves(res.history, path, title=f"{data}: test accuracy {res.test_accuracy:.4f}")


# --------------------------------------------------------------------------- one claim
def _is_math(s: str) -> bool:
    """A derivation step's right-hand side: LaTeX, or a sentence that must be set as text."""
    return "\\" in s or bool(re.fullmatch(r"[-+0-9./ =<>a-zA-Z_^{}()',|]{0,40}", s)
                             and not re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", s))


def _kernels_for(claim: Claim | None):
    out = []
    for name in (claim.kernels if claim else []):
        try:
            out.append(kernel(str(name)))
        except KeyError:          # an unknown kernel name is the file's problem, shown as a note
            out.append(None)
    return out


def _anchor(v: Verdict) -> str:
    """GitHub's anchor of the claim's heading (`id`: verdict)."""
    return re.sub(r"[^a-z0-9 _-]", "", f"{clip(v.id, 300)}: {v.verdict}".lower()).replace(" ", "-")


def claim_blocks(v: Verdict, claim: Claim | None = None, figures: bool = True, level: int = 3) -> list:
    """One claim's section as document blocks (see :mod:`nnderive.report.document`)."""
    blocks: list = [("h", level, [C(v.id), P(": " + v.verdict)], _anchor(v))]
    if claim is not None and claim.quote:
        blocks.append(("quote", claim.quote))
        where = ([P("section \u201c"), P(claim.section), P("\u201d, ")] if claim.section else []) + [C(claim.source)]
        blocks.append(("p", [I("Source:"), P(" ")] + where))
    if v.parsed:
        blocks += [("p", [I("As the checker read it:")]), ("display", v.parsed)]
    # an error's reason is a message about the user's text: never read as math
    blocks.append(("p", [B(f"Verdict: {v.verdict}."), P(" "), P(v.reason) if v.error else T(v.reason)]))
    if v.error:
        e = v.error
        blocks.append(("p", [I("Error"), P(" in "), C(e.get("file", "")), P(", claim "), C(e.get("id", "")),
                             P(", field "), C(e.get("field", "")), P(f", position {e.get('position', '')}: "),
                             P(e.get("message", ""))]))
    if v.steps:
        steps = [([T(rule)], ("display", tex) if _is_math(tex) else ("p", [T(tex.replace("$", ""))]))
                 for rule, tex in v.steps]
        blocks += [("p", [I("Derivation:")]), ("steps", steps)]
    if v.counterexample:
        cells: list = [I("Counterexample (exact):"), P(" ")]
        for n, (k, val) in enumerate(v.counterexample.items()):
            cells += ([P(", ")] if n else []) + [P(k) if k in ("lhs", "rhs") else M(k), P(" = "), T(str(val))]
        blocks.append(("p", cells))
    if v.corrected:
        blocks += [("p", [I("Corrected formula:")]), ("display", v.corrected)]
    if v.convention:
        c = v.convention
        blocks.append(("p", [I("Conventions:"), P(" the claim uses "), T(c.get("claim", "")),
                             P("; the reference is "), T(c.get("reference", "")), P(".")]))
    for n in v.notes:
        blocks.append(("p", [I("Note:"), P(" "), T(str(n))]))
    if figures:
        blocks += [("figure", f, FIGURES[f]) for f in _figures_for(claim)]
    for name, k in zip(claim.kernels if claim else [], _kernels_for(claim)):
        if k is None:
            blocks.append(("p", [I("Kernel"), P(" "), C(name), P(": no such kernel")]))
            continue
        blocks += [("p", [I("Kernel"), P(" "), C(k.name), P(" (generated from "), T(", ".join(k.derivation)),
                          P("):")]), ("pre", k.source)]
    return blocks


def _figures_for(claim: Claim | None) -> list[str]:
    return [f for f in (claim.figures if claim else []) if f in FIGURES]


def claim_markdown(v: Verdict, claim: Claim | None = None, figures: bool = True, level: int = 3) -> str:
    """One claim's section in GitHub-flavoured Markdown (math in ``$...$`` / ``$$...$$``)."""
    return md_blocks(claim_blocks(v, claim, figures, level))


def claim_latex(v: Verdict, claim: Claim | None = None, figures: bool = True) -> str:
    """One claim's section in LaTeX (for pdflatex with amsmath, amssymb, graphicx)."""
    return tex_blocks(claim_blocks(v, claim, figures))


# --------------------------------------------------------------------------- whole reports
@dataclass
class SourceReport:
    stem: str                    # output name (unique in the folder)
    title: str
    file: str                    # the claim file's name
    claims: list = field(default_factory=list)        # [(Claim | None, Verdict)]

    def counts(self) -> Counter:
        return Counter(v.verdict for _, v in self.claims)

    def figures(self) -> list[str]:
        return sorted({f for c, _ in self.claims for f in _figures_for(c)}, key=list(FIGURES).index)


def _one_line(v: Verdict, width: int = 160) -> str:
    text = " ".join(v.reason.split())
    if len(text) <= width:
        return text
    text = text[: width - 1]
    if text.count("$") % 2:                  # never cut inside $...$
        text = text[: text.rindex("$")]
    return text.rstrip() + "\u2026"


def _flagged(rep: SourceReport):
    return [v for _, v in rep.claims if v.verdict in _FLAGGED]


def _flag_item(v: Verdict, href: str) -> list:
    return [("link", ([C(v.id)], href)), P(f" ({v.verdict}): "), P(_one_line(v)) if v.error else T(_one_line(v))]


def source_blocks(rep: SourceReport, link=lambda v: "#" + _anchor(v)) -> list:
    blocks: list = [("p", [P("Claims from "), C(rep.file), P(", judged by nnderive. Generated by "),
                           C("nnderive report"), P("; do not edit by hand.")]),
                    ("h", 1, [P("Summary")]), ("counts", [([P(rep.title)], rep.counts())])]
    flagged = _flagged(rep)
    if flagged:
        blocks += [("p", [P("Claims that do not hold as written:")]),
                   ("ul", [_flag_item(v, link(v)) for v in flagged])]
    else:
        blocks.append(("p", [P("Every claim holds as written or is not checkable.")]))
    blocks.append(("toc",))
    sections = []
    for claim, _ in rep.claims:
        sec = claim.section if claim is not None and claim.section else "Other"
        if sec not in sections:
            sections.append(sec)
    for sec in sections:
        blocks.append(("h", 2, [P(sec)]))
        for claim, v in rep.claims:
            if (claim.section if claim is not None and claim.section else "Other") == sec:
                blocks += claim_blocks(v, claim)
    return blocks


def source_markdown(rep: SourceReport) -> str:
    return (f"# {md_inline([P(rep.title)])}\n\n" + md_blocks(source_blocks(rep))).rstrip() + "\n"


def _latex_doc(title: str, body: str) -> str:
    return "\n".join([PREAMBLE, r"\title{%s}" % tex_inline([P(title)]), r"\date{}", r"\begin{document}",
                      r"\maketitle", body, r"\end{document}"]) + "\n"


def source_latex(rep: SourceReport) -> str:
    return _latex_doc(rep.title, tex_blocks(source_blocks(rep)))


def source_html(rep: SourceReport, figures: Path | None) -> str:
    return html_page(rep.title, [("h", 1, [P(rep.title)])] + source_blocks(rep), figures)


def _summary_blocks(reports: list[SourceReport], suffix: str, figures: list[str]) -> list:
    intro = ("Every formula, judged by deriving it with SymPy: proved (symbolically, for every n where the claim is "
             "general), refuted (with an exact counterexample and the corrected formula), convention (true under "
             "another named convention), undecided, not checkable (no formula to check) or error (the claim could "
             "not be read). Generated by nnderive report; do not edit by hand.")
    items = [_flag_item(v, f"{r.stem}{suffix}#{_anchor(v)}") for r in reports for v in _flagged(r)]
    blocks = [("p", [P(intro)]), ("h", 2, [P("Verdicts by source")]),
              ("counts", [([("link", ([P(r.title)], f"{r.stem}{suffix}"))], r.counts()) for r in reports]),
              ("h", 2, [P("Claims that do not hold as written")])]
    blocks.append(("ul", items) if items else ("p", [P("None: every claim holds as written or is not checkable.")]))
    if figures:
        blocks.append(("h", 2, [P("Pictures")]))
        blocks += [("figure", f, FIGURES[f]) for f in figures]
    return blocks


_SUMMARY_TITLE = "nnderive proof reports"


def summary_markdown(reports, figures) -> str:
    return (f"# {_SUMMARY_TITLE}\n\n" + md_blocks(_summary_blocks(reports, ".md", figures))).rstrip() + "\n"


def summary_latex(reports, figures) -> str:
    blocks = [b if b[0] != "h" else ("h", 1, b[2]) for b in _summary_blocks(reports, ".pdf", figures)]
    return _latex_doc(_SUMMARY_TITLE, tex_blocks(blocks))


def summary_html(reports, figures, fig_dir) -> str:
    blocks = [("h", 1, [P(_SUMMARY_TITLE)])] + _summary_blocks(reports, ".html", figures)
    return html_page(_SUMMARY_TITLE, blocks, fig_dir)


def _files(paths) -> list[Path]:
    files = []
    for p in paths:
        p = Path(p)
        files += sorted(p.glob("*.toml")) if p.is_dir() else [p]
    return files


def _title(f: Path) -> tuple[str, Verdict | None]:
    """The file's ``[source] title`` (its name when absent); a title that is not a string is an error."""
    title = f.name
    try:
        src = tomllib.loads(read_limited(f).decode("utf-8")).get("source", {})
    except (OSError, ValueError, RecursionError):   # the file's own errors are reported as error claims
        return title, None
    raw = src.get("title", title) if isinstance(src, dict) else title
    if isinstance(raw, str) and raw.strip():
        return raw, None
    msg = f"[source] title must be a string, not {type(raw).__name__} {str(raw)[:40]!r}"
    return title, Verdict(id="-", source=f.name, verdict="error", reason=f"{f.name}: {msg}",
                          error={"file": f.name, "id": "-", "field": "title", "position": "", "message": msg})


def _stem(f: Path, taken: set) -> str:
    stem, n = f.stem, 1
    while stem.lower() in taken:
        n += 1
        stem = f"{f.stem}-{n}"
    taken.add(stem.lower())
    return stem


def collect(paths, verdicts: dict | None = None, budget: float = 60.0) -> list[SourceReport]:
    """Load every claim file (errors become error claims), judge what is not given, group by file.

    ``verdicts`` maps ``(claim file name, claim id)`` to a known :class:`Verdict`; claims are always
    told apart by file and id, never by id alone."""
    verdicts = verdicts or {}
    reports, todo = [], []
    taken = set(RESERVED)
    for f in _files(paths or [catalogue_dir()]):
        claims, errors = load_file(f)
        title, title_error = _title(f)
        title_error = None if errors else title_error     # the loader's own message comes first
        rep = SourceReport(_stem(f, taken), title, f.name)
        rep.claims = [(None, Verdict.from_load_error(e)) for e in errors]
        rep.claims += [(None, title_error)] if title_error else []
        rep.claims += [(c, verdicts.get((c.file, c.id))) for c in claims]
        reports.append(rep)
        todo += [c for c in claims if (c.file, c.id) not in verdicts]
    judged = iter(judge_all(todo, budget) if todo else [])
    for rep in reports:     # judge_all keeps the order of its input
        rep.claims = [(c, v if v is not None else next(judged)) for c, v in rep.claims]
    return reports


def default_out(paths) -> Path:
    """Where ``nnderive report PATHS`` writes without ``--out``: ``reports/`` for the shipped catalogue,
    else next to the (first) claim file, in ``<stem>_report/`` (a folder: ``<folder>/<name>_report``)."""
    if not paths:
        return Path("reports")
    first = Path(paths[0])
    if first.is_dir():
        return first / f"{first.resolve().name}_report"
    return first.parent / f"{first.stem}_report"


#: a file in the catalogue's committed reports/: marks the folder wherever it is (a checkout used
#: with a non-editable install has its reports/ away from the installed catalogue)
MARKER = ".nnderive-catalogue-reports"
MARKER_TEXT = "The reports of nnderive's shipped catalogue: `nnderive report` writes no other file's report here.\n"


def _committed_reports() -> Path:
    return (catalogue_dir().parent / "reports").resolve()


def _holds_catalogue_reports(out: Path) -> bool:
    return (out / MARKER).is_file() or out.resolve() == _committed_reports()


def generate(paths=None, out: Path | str | None = None, pdf: bool | None = None, verdicts: dict | None = None,
             figures: bool = True, html: bool = True, timeout: float = PDFLATEX_TIMEOUT) -> list[Path]:
    """Write every report; returns the files written.  ``pdf=None`` builds PDFs when pdflatex exists.

    ``paths=None`` is the shipped catalogue (into ``reports/``); other files go to
    :func:`default_out` unless ``out`` is given, and never into the catalogue's committed ``reports/``."""
    out = Path(out) if out is not None else default_out(paths)
    catalogue = not paths or sorted(f.resolve() for f in _files(paths)) == sorted(
        f.resolve() for f in _files([catalogue_dir()]))
    if not catalogue and _holds_catalogue_reports(out):
        raise ReportError(f"{out} holds the catalogue's committed reports; write other files' reports elsewhere "
                          "(--out DIR)")
    out.mkdir(parents=True, exist_ok=True)
    if catalogue:
        (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    reports = collect(paths, verdicts)
    used = sorted({f for r in reports for f in r.figures()} | (set(_PACKAGE_FIGURES) if not paths else set()),
                  key=list(FIGURES).index)
    fig_dir = out / "figures"
    written = []
    if figures and used:
        fig_dir.mkdir(parents=True, exist_ok=True)
        for f in used:
            _figure(out, f)
        written += [fig_dir / f for f in used]
    for rep in reports:
        texts = [(".md", source_markdown(rep)), (".tex", source_latex(rep))]
        texts += [(".html", source_html(rep, fig_dir))] if html else []
        for suffix, text in texts:
            p = out / (rep.stem + suffix)
            p.write_text(text, encoding="utf-8")
            written.append(p)
    summary = [("README.md", summary_markdown(reports, used)), ("summary.tex", summary_latex(reports, used))]
    summary += [("summary.html", summary_html(reports, used, fig_dir))] if html else []
    for name, text in summary:
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    if pdf is None:
        pdf = shutil.which("pdflatex") is not None
    if pdf:
        failures = []
        for tex in [out / f"{r.stem}.tex" for r in reports] + [out / "summary.tex"]:
            try:
                written.append(pdflatex(tex, timeout, fig_dir))
            except ReportError as exc:      # the other PDFs are still built
                failures.append(str(exc))
        if failures:
            raise ReportError("; ".join(failures))
    return written
