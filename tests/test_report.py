"""`nnderive report`: fresh committed reports, byte-identical regeneration, every .tex compiles,
bad input still reported, LaTeX-hostile quotes survive pdflatex, Jupyter reprs."""
import re
import shutil
from pathlib import Path

import pytest

from nnderive.catalogue import load_file
from nnderive.report import claim_latex, generate, md_text, tex_text
from nnderive.verdict import Verdict

REPORTS = Path(__file__).resolve().parent.parent / "reports"
PDFLATEX = shutil.which("pdflatex")


def _texts(folder):
    """The reports' text; in HTML an inlined figure and a figure not generated (figures=False, for speed)
    compare equal: the PNGs' own bytes are not what this test checks."""
    def norm(p):
        b = p.read_bytes()
        if p.suffix == ".html":
            b = re.sub(rb'<img alt="([^"]+)" src="data:image/png;base64,[A-Za-z0-9+/=]+">', rb"[figure \1]", b)
            b = re.sub(rb"\[figure ([^\]]+) not generated\]", rb"[figure \1]", b)
        return b
    return {p.name: norm(p) for p in sorted(folder.iterdir()) if p.suffix in (".md", ".tex", ".html")}


@pytest.fixture(scope="module")
def keyed(verdicts, catalogue):
    """The session's verdicts keyed as reports key them: (claim file, id)."""
    claims, _ = catalogue
    return {(c.file, c.id): verdicts[c.id] for c in claims}


def test_committed_reports_are_fresh(keyed, tmp_path):
    """Fails when reports/ is stale: regenerate with `nnderive report`."""
    generate(None, tmp_path, pdf=False, verdicts=keyed, figures=False)
    fresh, committed = _texts(tmp_path), _texts(REPORTS)
    assert sorted(fresh) == sorted(committed)
    stale = [n for n in fresh if fresh[n] != committed[n]]
    assert not stale, f"reports/ is stale ({', '.join(stale)}): run `nnderive report`"
    assert sorted(p.name for p in (REPORTS / "figures").glob("*.png")) == sorted(
        ["activations.png", "sigmoid_bound.png", "eps_ratio.png", "train_digits.png", "train_xor.png"])


def test_regeneration_is_byte_identical_and_every_tex_compiles(keyed, tmp_path):
    assert PDFLATEX, "pdflatex is needed (Debian: apt-get install texlive-latex-base)"
    a, b = tmp_path / "a", tmp_path / "b"
    files_a = generate(None, a, pdf=True, verdicts=keyed)
    generate(None, b, pdf=True, verdicts=keyed)
    assert len([f for f in files_a if f.suffix == ".pdf"]) == 6
    for f in files_a:
        assert f.read_bytes() == (b / f.relative_to(a)).read_bytes(), f.name


HOSTILE = '''
[source]
file = "hostile.txt"
title = "A sheet with 100% & #hash_tags, $dollars$ and ŷ ≤ ∂σ/∂z ‖x‖ ✓"

[[claims]]
id = "hostile.ok"
section = "Σ & ∂ — tricky_section %"
quote = "σ'(x) = σ(x)(1 − σ(x)); cost 5$ & 6$ for ŷ ≤ 1, 50% off, #1, a_b, \\\\relax {braces} ~tilde^ ✓ 𝛼"
latex = '\\sigma^{\\prime}(x) = \\sigma(x)(1 - \\sigma(x))'
functions = { '\\sigma' = "sigmoid" }
symbols = { x = "scalar real" }

[[claims]]
id = "hostile.bad_latex"
quote = "broken & unbalanced {"
latex = '\\frac{1}{'
symbols = { x = "scalar real" }

[[claims]]
quote = "a claim without an id"
latex = 'x = x'

[[claims]]
id = "hostile.after"
quote = "still judged after the bad ones"
latex = 'x + x = 2 x'
symbols = { x = "scalar real" }
'''


def test_bad_input_still_gets_a_report_that_compiles(tmp_path):
    src = tmp_path / "hostile.toml"
    src.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "out"
    generate([src], out, pdf=bool(PDFLATEX), figures=False)
    md = (out / "hostile.md").read_text(encoding="utf-8")
    assert "hostile.ok`: proved" in md and "hostile.after`: proved" in md
    assert "hostile.bad_latex`: error" in md and "position" in md
    assert "error" in md.split("hostile.after")[0]           # the missing id is reported, not fatal
    assert PDFLATEX and (out / "hostile.pdf").exists()


@pytest.mark.parametrize("text", ["_ % & # $ { } ~ ^ \\", "σ ŷ ∂ ≤ ≥ ≈ ∈ ℝⁿˣᵐ Σ √ ∇ ⊙ ½ – — “ ” ’ …", "✓ 𝛼 ∮"])
def test_tex_text_leaves_no_raw_specials(text):
    out = tex_text(text.replace("$", ""))
    assert all(ord(c) < 128 for c in out)


def test_markdown_escapes_emphasis_but_keeps_math():
    assert md_text("a_b $x_i$") == "a\\_b $x_i$"
    assert md_text("a $\\input{x}$") == "a `\\input{x}`"          # unsafe math is shown as code


def test_reprs_for_jupyter():
    claims, _ = load_file(Path(__file__).resolve().parent.parent / "formulas" / "001_nguyen.toml")
    c = claims[1]
    assert c.id in c._repr_markdown_()
    v = Verdict(id="x.y", source="s", verdict="refuted", reason="counterexample $a = 1$", parsed="a = 2",
                steps=[("definition", "a = 1")], corrected="a = 1", counterexample={"a": "1"})
    md = v._repr_markdown_()
    assert "**Verdict: refuted.**" in md and "$$a = 2$$" in md and "Corrected" in md
    assert v._repr_latex_().startswith("$$") and "refuted" in v._repr_latex_()
    assert "\\fit{a = 1}" in claim_latex(v)
