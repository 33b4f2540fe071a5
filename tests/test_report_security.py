r"""Issue 16, "the report must not read, run or hang": every payload found under attack, carried
through `nnderive report` into a PDF, and the PDF's text (pdftotext) searched for the content of
/etc/hostname, /etc/passwd and a secret file of our own; every pdflatex run ends in time.

The payloads reach LaTeX as ids, titles, symbol names, quotes, file names and as formulas derive/
printed (Verdict fields), so both the escaping of user text and the whitelist of formulas are tested.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from nnderive.report import ReportError, claim_latex, generate, pdflatex, safe_math, tex_plain
from nnderive.verdict import Verdict

PDFLATEX = shutil.which("pdflatex")
PDFTOTEXT = shutil.which("pdftotext")
LIMIT = 20.0        # seconds any one report may take here
assert PDFLATEX and PDFTOTEXT, "needs pdflatex and pdftotext (Debian: texlive-latex-base poppler-utils)"


@pytest.fixture()
def secret(tmp_path):
    """A file outside the report folder whose content must never show up."""
    path = tmp_path / "secret.txt"
    path.write_text("NNDSECRETMARKER\n")
    return path


def _leaks(text: str, secret: Path) -> list[str]:
    found = []
    host = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if host and re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w.-])", text):
        found.append(f"/etc/hostname ({host!r})")
    if Path("/etc/passwd").exists() and ("root:x:0:0" in text or re.search(r"\broot:\S*:0:0", text)):
        found.append("/etc/passwd")
    if "NNDSECRETMARKER" in text:
        found.append(str(secret))
    return found


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _payloads(secret: Path) -> list[str]:
    s = str(secret)
    return [
        r"x$\protect\input{/etc/hostname}$",
        r"x$\catcode`\^^M=13 \input{/etc/passwd}$",
        r"$\catcode`\{=1 \catcode`\}=2 \input /etc/passwd $",
        r"\input{/etc/hostname}",
        r"\text{\input{/etc/hostname}}",
        r"^^5cinput{/etc/hostname}",
        r"x$^^5cinput{/etc/hostname}$",
        "$\\input{%s}$" % s,
        "\\openin1=%s \\read1 to \\x \\x" % s,
        r"\immediate\write18{touch /tmp/nnderive-pwned}",
    ]


def _claim_file(folder: Path, name: str, payload: str) -> Path:
    body = f'''[source]
file = "attack.txt"
title = {_toml(payload)}

[[claims]]
id = {_toml(payload)}
section = {_toml(payload)}
quote = {_toml(payload)}
latex = 'x + x = 2 x'
symbols = {{ x = "scalar real" }}

[[claims]]
id = "symbol"
latex = {_toml(payload + " = 1")}
symbols = {{ {_toml(payload)} = "scalar real" }}
'''
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def _toml(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("index", range(10))
def test_payload_in_every_user_field_leaks_nothing(tmp_path, secret, index):
    payload = _payloads(secret)[index]
    src = _claim_file(tmp_path, "attack.toml", payload)
    out = tmp_path / "out"
    t0 = time.monotonic()
    generate([src], out, pdf=True, figures=False, html=False, timeout=LIMIT)
    assert time.monotonic() - t0 < 3 * LIMIT
    for pdf in out.glob("*.pdf"):
        assert not _leaks(_pdf_text(pdf), secret), pdf.name
    assert not Path("/tmp/nnderive-pwned").exists()


@pytest.mark.parametrize("index", range(10))
def test_payload_in_derived_formulas_leaks_nothing(tmp_path, secret, index):
    """A user's symbol spelling printed by SymPy into parsed/steps/corrected/counterexample."""
    payload = _payloads(secret)[index].strip("$")
    v = Verdict(id="v", source="s", verdict="refuted", reason=f"because ${payload} = 1$", parsed=f"{payload} = 2",
                steps=[(f"rule ${payload}$", f"{payload} + 1")], corrected=f"{payload} = 1",
                counterexample={payload: "1", "lhs": f"${payload}$"}, notes=[f"${payload}$"],
                convention={"claim": f"${payload}$", "reference": "r"})
    tex = tmp_path / "doc.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath,amssymb,graphicx}\n"
                   "\\newcommand{\\fit}[1]{$#1$}\\begin{document}\n" + claim_latex(v) + "\\end{document}\n")
    pdf = pdflatex(tex, timeout=LIMIT)
    assert not _leaks(_pdf_text(pdf), secret)


def test_infinite_loop_in_an_id_ends_in_time(tmp_path):
    r"""``\def\a{\a}\a`` in an id is escaped text, so the report compiles at once."""
    src = _claim_file(tmp_path, "loop.toml", r"x$\def\a{\a}\a$")
    t0 = time.monotonic()
    generate([src], tmp_path / "out", pdf=True, figures=False, html=False, timeout=LIMIT)
    assert time.monotonic() - t0 < 3 * LIMIT
    assert (tmp_path / "out" / "loop.pdf").exists()


def test_a_looping_document_is_killed_at_the_time_limit(tmp_path, monkeypatch):
    """Should anything reach TeX raw, the wall-clock limit still ends the run and names the file."""
    tex = tmp_path / "looping.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\def\\a{\\a}\\a\\end{document}\n")
    # the private folder under this test's own directory: another test run on the machine has its own
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    t0 = time.monotonic()
    with pytest.raises(ReportError, match=r"looping\.tex.*stopped|stopped.*looping\.tex"):
        pdflatex(tex, timeout=2)
    assert time.monotonic() - t0 < 10
    assert not _running_pdflatex(tmp_path), "pdflatex left running"


def _running_pdflatex(under: Path) -> list[str]:
    """pdflatex processes working in one of our private folders below ``under`` (still there if deleted)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(proc / "cwd")
            if cmd and cmd[0].endswith(b"pdflatex") and "nnderive-tex-" in cwd and cwd.startswith(str(under)):
                found.append(proc.name)
        except OSError:
            continue
    return found


def test_pdflatex_itself_refuses_to_read_absolute_paths(tmp_path, secret):
    r"""The confinement, not only the escaping: a raw ``\input`` of an absolute path fails (openin_any=p)."""
    tex = tmp_path / "raw.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\input{%s}\\end{document}\n" % secret)
    with pytest.raises(ReportError):
        pdflatex(tex, timeout=LIMIT)


def test_raw_shell_escape_does_not_run(tmp_path):
    flag = tmp_path / "ran"
    tex = tmp_path / "shell.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\immediate\\write18{touch %s}x\\end{document}\n" % flag)
    pdflatex(tex, timeout=LIMIT)
    assert not flag.exists()


@pytest.mark.parametrize("name", ["-cnf-line=shell_escape=t.toml", "\\input{etc}.toml", "\\relax x.toml"])
def test_hostile_claim_file_names(tmp_path, name):
    flag = Path("/tmp/nnderive-pwned-name")
    src = tmp_path / name
    src.write_text('[source]\nfile = "n.txt"\ntitle = "names"\n\n[[claims]]\nid = "a"\n'
                   'latex = "\\\\immediate\\\\write18{touch /tmp/nnderive-pwned-name} x = x"\n'
                   'symbols = { x = "scalar real" }\n', encoding="utf-8")
    out = tmp_path / "out"
    written = generate([src], out, pdf=True, figures=False, html=False, timeout=LIMIT)
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 2 and all(p.exists() for p in pdfs)
    assert "names" in _pdf_text(out / (src.stem + ".pdf"))
    assert not flag.exists()


def test_whitelist_refuses_every_payload_and_keeps_printed_math(secret):
    for p in _payloads(secret):
        assert safe_math(p.strip("$")) is None, p
    for ok in [r"\frac{d}{dz} \sigma\left(z\right) = \sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)",
               r"\begin{cases} {y}_{r} & \text{for}\: n \geq r \\0 & \text{otherwise} \end{cases}",
               r"\sum_{\substack{1 \leq n \leq 3\\1 \leq m \leq 3}} {K}_{m,n}", r"\operatorname{\phi}\left(x\right)"]:
        assert safe_math(ok) == ok
    assert "\\input" not in tex_plain(r"\input") and "$" not in tex_plain("$").replace("\\$", "")
