r"""The document tree as one self-contained HTML file, the mathematics typeset by MathJax.

MathJax 3 (its ``tex-svg.js`` component, from the PyPI package ``django-static-mathjax`` that the
``report`` extra installs) is inlined in the page; SVG output needs no font files, and the figures
are inlined as ``data:`` PNGs, so the file opens anywhere without a network.  A Content Security
Policy forbids every fetch.  MathJax does not scan the page for ``$`` or ``\(``: only elements of
class ``nnd-math``, which hold formulas that passed :func:`~nnderive.report.text.safe_math`, are
typeset (``tex2svg`` on their text), and the ``autoload``/``require`` extensions are removed so
nothing is ever loaded.  User text is HTML-escaped.
"""
from __future__ import annotations

import base64
import html
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..verdict import VERDICTS
from .text import clip, clipped, html_plain, safe_math, segments

__all__ = ["html_page", "mathjax_source"]


@lru_cache(maxsize=1)
def mathjax_source() -> str:
    """MathJax's ``tex-svg.js`` from the installed package (``pip install 'nnderive[report]'``)."""
    try:
        path = resources.files("mathjax") / "static" / "mathjax" / "es5" / "tex-svg.js"
        return path.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModuleNotFoundError("the HTML report needs MathJax: pip install 'nnderive[report]' "
                                  "(package django-static-mathjax)") from exc


def _math(latex: str, display: bool = False) -> str:
    ok = safe_math(latex)
    if ok is None:
        return f"<code>{html_plain(clip(latex, 2000 if display else 400))}</code>"
    cls = "nnd-math nnd-display" if display else "nnd-math"
    tag = "div" if display else "span"
    return f'<{tag} class="{cls}">{html.escape(ok, quote=False)}</{tag}>'


def _prose(s: str) -> str:
    return "".join(_math(p) if m else html_plain(p) for m, p in segments(" ".join(str(s).split())))


def _inline(pieces) -> str:
    out = []
    for kind, val in clipped(pieces):
        if kind == "plain":
            out.append(html_plain(val))
        elif kind == "prose":
            out.append(_prose(val))
        elif kind == "math":
            out.append(_math(val))
        elif kind == "code":
            out.append(f"<code>{html_plain(val)}</code>")
        elif kind == "b":
            out.append(f"<strong>{html_plain(val)}</strong>")
        elif kind == "i":
            out.append(f"<em>{html_plain(val)}</em>")
        elif kind == "link":
            out.append(f'<a href="{html_plain(val[1])}">{_inline(val[0])}</a>')
    return "".join(out)


def _counts(rows) -> str:
    head = "".join(f"<th>{html_plain(w)}</th>" for w in VERDICTS)
    out = [f"<table><thead><tr><th>source</th>{head}<th>claims</th></tr></thead><tbody>"]
    total = Counter()
    for name, c in rows:
        total += c
        cells = "".join(f"<td>{c[w]}</td>" for w in VERDICTS)
        out.append(f"<tr><td>{_inline(name)}</td>{cells}<td>{sum(c.values())}</td></tr>")
    cells = "".join(f"<td><strong>{total[w]}</strong></td>" for w in VERDICTS)
    out.append(f"<tr><td><strong>all</strong></td>{cells}<td><strong>{sum(total.values())}</strong></td></tr>")
    return "\n".join(out) + "</tbody></table>"


def _png(path: Path) -> str | None:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode() if path.is_file() else None


def _blocks(blocks, figures: Path | None) -> str:
    out = []
    for blk in blocks:
        kind = blk[0]
        if kind == "h":
            anchor = f' id="{html_plain(blk[3])}"' if len(blk) > 3 and blk[3] else ""
            out.append(f"<h{blk[1]}{anchor}>{_inline(blk[2])}</h{blk[1]}>")
        elif kind == "p":
            out.append(f"<p>{_inline(blk[1])}</p>")
        elif kind == "quote":
            out.append(f"<blockquote>{html_plain(clip(blk[1]))}</blockquote>")
        elif kind == "display":
            out.append(_math(blk[1], display=True))
        elif kind == "steps" and blk[1]:
            items = "".join(f"<li>{_inline(rule)}{_blocks([body], figures)}</li>" for rule, body in blk[1])
            out.append(f"<ol>{items}</ol>")
        elif kind == "ul" and blk[1]:
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in blk[1]) + "</ul>")
        elif kind == "figure":
            src = _png(figures / blk[1]) if figures is not None else None
            img = f'<img alt="{html_plain(blk[1])}" src="{src}">' if src else f"[figure {html_plain(blk[1])} not generated]"
            out.append(f"<figure>{img}<figcaption>{_prose(blk[2])}</figcaption></figure>")
        elif kind == "pre":
            out.append(f"<pre><code>{html_plain(blk[1].rstrip())}</code></pre>")
        elif kind == "counts":
            out.append(_counts(blk[1]))
    return "\n".join(out)


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#1b1b1b}
h1{font-size:1.7rem}h2{border-bottom:1px solid #ddd;margin-top:2.2rem}h3{margin-top:1.8rem}
blockquote{border-left:4px solid #ccc;margin:0.5rem 0;padding:0.2rem 1rem;color:#444;font-style:italic;
overflow-wrap:anywhere}
code{font-size:0.9em;overflow-wrap:anywhere}pre{background:#f6f6f6;padding:0.6rem;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:0.2rem 0.6rem;text-align:right}
td:first-child,th:first-child{text-align:left}
.nnd-display{margin:0.6rem 0;overflow-x:auto;overflow-y:hidden}
figure{text-align:center}figure img{max-width:100%}figcaption{font-size:0.9em;color:#444}
"""

_TYPESET = """
window.MathJax = {
  loader: {load: []},
  tex: {packages: {'[-]': ['autoload', 'require', 'noundefined']}},
  svg: {fontCache: 'local'},
  options: {enableMenu: false},
  startup: {typeset: false, ready() {
    MathJax.startup.defaultReady();
    for (const el of document.querySelectorAll('.nnd-math')) {
      const display = el.classList.contains('nnd-display');
      el.replaceChildren(MathJax.tex2svg(el.textContent, {display: display}));
    }
    document.head.appendChild(MathJax.svgStylesheet());
    document.body.setAttribute('data-math', 'done');
  }}
};
"""


def html_page(title: str, blocks, figures: Path | None = None) -> str:
    """A whole page: ``title`` (user text), the blocks, MathJax inlined; ``figures`` is the folder of the PNGs."""
    csp = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
           "font-src data:")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_plain(title)}</title>", f"<style>{_STYLE}</style>", "</head><body>",
        _blocks(blocks, figures),
        f"<script>{_TYPESET}</script>",
        "<script>" + mathjax_source().replace("</script", "<\\/script") + "</script>",
        "</body></html>", ""])
