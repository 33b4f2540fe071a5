"""The HTML report in a real headless browser (Chromium, as Debian ships it): every formula typeset by
the inlined MathJax into an SVG whose glyphs resolve, no MathJax error, nothing fetched, and a
screenshot in which the math is drawn (it differs from the same page with scripts off)."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nnderive.report import generate

SHEET = r"""
[source]
file = "sheet.txt"
title = "A sheet with math"

[[claims]]
id = "sigmoid.wrong"
quote = "the derivative of the sigmoid is s(1 + s)"
latex = '\frac{d}{dz} \sigma(z) = \sigma(z)(1 + \sigma(z))'
symbols = { z = "scalar real" }

[[claims]]
id = "sigmoid.right"
latex = '\frac{d}{dz} \sigma(z) = \sigma(z)(1 - \sigma(z))'
symbols = { z = "scalar real" }
"""


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert exe, "the HTML tests need Chromium (Debian: apt-get install chromium; the README's test command does it)"
    return exe


def _browser(page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = page.parent / f"profile-{abs(hash(args))}"     # a fresh profile per run: runs never share a lock
    return subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           f"--user-data-dir={profile}",
                           "--virtual-time-budget=15000", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    src = folder / "sheet.toml"
    src.write_text(SHEET, encoding="utf-8")
    generate([src], folder / "out", pdf=False, figures=False, html=True)
    return folder / "out" / "sheet.html"


def test_every_formula_is_typeset_with_resolvable_glyphs(page):
    html = page.read_text(encoding="utf-8")
    formulas = html.count('class="nnd-math')
    assert formulas >= 6
    dom = _browser(page, "--dump-dom").stdout
    assert 'data-math="done"' in dom, "MathJax did not finish"
    spans = re.findall(r'class="nnd-math[^"]*"><mjx-container[^>]*jax="SVG"[^>]*>(.*?)</mjx-container>', dom, re.S)
    assert len(spans) == formulas, (len(spans), formulas)
    ids = set(re.findall(r'\sid="([^"]+)"', dom))
    for svg in spans:
        assert "data-mjx-error" not in svg and "<mjx-merror" not in svg, svg[:300]
        refs = re.findall(r'xlink:href="#([^"]+)"|\shref="#([^"]+)"', svg)
        drawn = svg.count("<path") + len(refs)
        assert drawn > 0, svg[:300]
        missing = [a or b for a, b in refs if (a or b) not in ids]
        assert not missing, f"glyphs referenced but not in the page (a blank formula): {missing[:5]}"


def test_the_page_fetches_nothing(page):
    html = page.read_text(encoding="utf-8")
    assert "default-src 'none'" in html
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:|//)', html)


def test_screenshot_shows_the_math(page, tmp_path):
    from matplotlib.image import imread
    on, off = tmp_path / "on.png", tmp_path / "off.png"
    plain = page.with_name("plain.html")       # the same page without its scripts: the TeX left as text
    plain.write_text(re.sub(r"<script>.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S),
                     encoding="utf-8")
    for shot, source in ((on, page), (off, plain)):
        r = _browser(source, f"--screenshot={shot}", "--window-size=1000,900", "--hide-scrollbars")
        assert shot.exists(), r.stderr[-2000:]
    a, b = imread(str(on))[..., :3], imread(str(off))[..., :3]
    assert a.shape == b.shape
    ink = (a < 0.5).any(axis=2)
    assert ink.mean() > 0.01, "the rendered page is nearly blank"
    changed = (abs(a - b) > 0.1).any(axis=2).mean()
    assert changed > 0.01, f"typesetting changed only {changed:.2%} of the page: the math was not drawn"
