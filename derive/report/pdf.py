r"""pdflatex, confined: a report's ``.tex`` is built into a PDF in a private temporary folder.

* The input is copied to the fixed name ``report.tex`` (with the figures it uses into
  ``figures/``), so no file name from the user ever reaches pdflatex's command line (a claim file
  named ``-cnf-line=shell_escape=t.toml`` or ``\input...`` is just a name).
* ``-no-shell-escape``, and kpathsea's ``shell_escape=f``, ``openin_any=p``, ``openout_any=p`` in
  the environment: no shell commands, no reading or writing of absolute paths, parent folders or
  dot files.
* ``-interaction=nonstopmode -halt-on-error``, standard input closed, and a wall-clock limit per
  run: on timeout the whole process group is killed and :class:`ReportError` names the source.
* ``SOURCE_DATE_EPOCH=0`` (with ``\pdftrailerid{}`` in the preamble) keeps the PDF byte-reproducible.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ReportError", "pdflatex", "PDFLATEX_TIMEOUT"]

#: seconds one pdflatex run may take (two runs per PDF, for the table of contents)
PDFLATEX_TIMEOUT = 60.0


class ReportError(RuntimeError):
    """A report could not be built; the message names the source file and quotes the log."""


def _env(tmp: str) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TEXMFCNF", "TEXMFHOME", "TEXMFVAR")}
    return {**keep, "HOME": tmp, "TEXMFOUTPUT": tmp, "openin_any": "p", "openout_any": "p", "shell_escape": "f",
            "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1", "LC_ALL": "C"}


def _run(tmp: str, timeout: float, source: str):
    cmd = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "report.tex"]
    proc = subprocess.Popen(cmd, cwd=tmp, env=_env(tmp), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ReportError(f"pdflatex took longer than {timeout:g} s on {source} and was stopped") from None
    return proc.returncode, out.decode("utf-8", "replace")


def pdflatex(tex: Path, timeout: float = PDFLATEX_TIMEOUT, figures: Path | None = None) -> Path:
    """Build ``tex`` into ``tex.with_suffix('.pdf')`` (two confined runs); ``figures`` is the folder
    whose PNGs the document includes as ``figures/NAME``."""
    tex = Path(tex)
    source = str(tex)
    with tempfile.TemporaryDirectory(prefix="nnderive-tex-") as tmp:
        text = tex.read_text(encoding="utf-8")
        (Path(tmp) / "report.tex").write_text(text, encoding="utf-8")
        if figures is not None:
            (Path(tmp) / "figures").mkdir()
            for name in sorted(set(re.findall(r"figures/([A-Za-z0-9_.-]+\.png)", text))):
                if (figures / name).is_file():
                    shutil.copyfile(figures / name, Path(tmp) / "figures" / name)
        for _ in range(2):
            code, out = _run(tmp, timeout, source)
            if code:
                log = Path(tmp) / "report.log"
                text = log.read_text(errors="replace") if log.exists() else out
                err = [ln for ln in text.splitlines() if ln.startswith("!") or ln.startswith("l.")]
                err = err or [ln for ln in text.splitlines() if ln.strip()][-3:]
                raise ReportError(f"pdflatex failed on {source}: " + " | ".join(err[:6]))
        pdf = tex.with_suffix(".pdf")
        shutil.copyfile(Path(tmp) / "report.pdf", pdf)
    return pdf
