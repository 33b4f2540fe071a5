"""Issue 16 "correct reports from several files" and issue 13 "reports a reader trusts": verdicts keyed
by (file, id), no claim file overwritten by the summary, a report with nothing flagged compiles, one bad
claim never stops the other PDFs, `title = 5` is an error, reports land next to the claim file (never in
the catalogue's committed reports/), with the file's title and only the figures its claims use."""
import shutil
import subprocess
from pathlib import Path

import pytest

from nnderive.catalogue import catalogue_dir
from nnderive.cli import main
from nnderive.report import ReportError, default_out, generate
from nnderive.report.build import MARKER, MARKER_TEXT

PDF = bool(shutil.which("pdflatex"))
REPORTS = Path(__file__).resolve().parent.parent / "reports"


def _file(folder: Path, name: str, title, claims: list[tuple[str, str]], extra: str = "") -> Path:
    title_toml = title if not isinstance(title, str) else '"' + title + '"'
    body = f'[source]\nfile = "{name}.txt"\ntitle = {title_toml}\n'
    for cid, latex in claims:
        body += f"\n[[claims]]\nid = \"{cid}\"\nlatex = '{latex}'\nsymbols = {{ x = \"scalar real\" }}\n{extra}"
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def test_same_id_in_two_files_keeps_both_verdicts(tmp_path):
    a = _file(tmp_path, "a.toml", "File A", [("same.id", "x + x = 2 x")])
    b = _file(tmp_path, "b.toml", "File B", [("same.id", "x + x = 3 x")])
    generate([a, b], tmp_path / "out", pdf=False, figures=False, html=False)
    assert "`same.id`: proved" in (tmp_path / "out" / "a.md").read_text()
    assert "`same.id`: refuted" in (tmp_path / "out" / "b.md").read_text()
    summary = (tmp_path / "out" / "README.md").read_text()
    assert summary.count("same.id") == 1 and "b.md#" in summary       # only b's claim is flagged


@pytest.mark.parametrize("stem", ["summary", "README", "Summary", "readme"])
def test_a_claim_file_named_like_the_summary_is_not_overwritten(tmp_path, stem):
    src = _file(tmp_path, f"{stem}.toml", "My sheet", [("mine", "x + x = 2 x")])
    out = tmp_path / "out"
    generate([src], out, pdf=PDF, figures=False, html=True)
    own = out / f"{stem}-2.md"
    assert own.exists() and "# My sheet" in own.read_text()
    assert (out / "README.md").read_text().startswith("# nnderive proof reports")
    assert "nnderive proof reports" in (out / "summary.tex").read_text()
    assert f"{stem}-2.md" in (out / "README.md").read_text()


def test_two_files_with_one_stem_get_two_reports(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "q").mkdir()
    a = _file(tmp_path / "p", "x.toml", "P", [("p1", "x = x")])
    b = _file(tmp_path / "q", "x.toml", "Q", [("q1", "x = x")])
    generate([a, b], tmp_path / "out", pdf=False, figures=False, html=False)
    assert "# P" in (tmp_path / "out" / "x.md").read_text() and "# Q" in (tmp_path / "out" / "x-2.md").read_text()


def test_nothing_flagged_still_compiles(tmp_path):
    src = _file(tmp_path, "fine.toml", "All fine", [("ok", "x + x = 2 x")])
    generate([src], tmp_path / "out", pdf=PDF, figures=False, html=False)
    assert "\\begin{itemize}" not in (tmp_path / "out" / "summary.tex").read_text()
    if PDF:
        assert (tmp_path / "out" / "summary.pdf").exists() and (tmp_path / "out" / "fine.pdf").exists()


@pytest.mark.parametrize("bad", ["}", "\\text{a_b}", "x" * 300_000])
def test_one_bad_claim_never_stops_the_other_pdfs(tmp_path, bad):
    good = _file(tmp_path, "good.toml", "Good", [("good", "x + x = 2 x")])
    body = ('[source]\nfile = "bad.txt"\ntitle = "Bad"\n\n[[claims]]\nid = "bad' + bad.replace("\\", "\\\\")
            + '"\nquote = "' + bad.replace("\\", "\\\\") + '"\nlatex = \'' + bad + " + x = x'\n"
            "symbols = { x = \"scalar real\", '" + bad[:50] + "' = \"scalar real\" }\n")
    badf = tmp_path / "bad.toml"
    badf.write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    generate([badf, good], out, pdf=PDF, figures=False, html=True)
    assert "`good`: proved" in (out / "good.md").read_text()
    if PDF:
        assert all((out / f"{n}.pdf").exists() for n in ("good", "bad", "summary"))
    assert len((out / "bad.md").read_text()) < 50_000                # the long quote is clipped


def test_title_that_is_not_a_string_is_an_error(tmp_path):
    src = _file(tmp_path, "t.toml", 5, [("ok", "x = x")])
    generate([src], tmp_path / "out", pdf=False, figures=False, html=False)
    md = (tmp_path / "out" / "t.md").read_text()
    assert md.startswith("# t.toml") and "error" in md and "title" in md.split("## ")[-1]


def test_report_goes_next_to_the_claim_file(tmp_path, capsys):
    src = _file(tmp_path, "mine.toml", "My own sheet", [("m", "x + x = 2 x")], 'figures = ["sigmoid_bound.png"]\n')
    assert default_out([src]) == tmp_path / "mine_report"
    before = sorted(p.name for p in REPORTS.iterdir())
    assert main(["report", str(src), "--no-pdf"]) == 0
    out = tmp_path / "mine_report"
    assert (out / "mine.md").read_text().startswith("# My own sheet")
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["sigmoid_bound.png"]
    readme = (out / "README.md").read_text()
    assert "sigmoid_bound.png" in readme and "train_digits" not in readme and "activations" not in readme
    assert sorted(p.name for p in REPORTS.iterdir()) == before


def test_never_over_the_committed_reports(tmp_path):
    """The checkout's reports/ is recognised by its marker file, whatever the install (editable or not)."""
    src = _file(tmp_path, "other.toml", "Other", [("o", "x = x")])
    committed = REPORTS
    assert (committed / MARKER).is_file(), "the committed reports/ carries the marker"
    stamp = {p.name: p.stat().st_mtime_ns for p in committed.iterdir()}
    with pytest.raises(ReportError, match="committed reports"):
        generate([src], committed, pdf=False, figures=False)
    assert {p.name: p.stat().st_mtime_ns for p in committed.iterdir()} == stamp
    assert main(["report", str(src), "--out", str(committed), "--no-pdf"]) == 1


def test_cli_report_names_failures_and_exits_1(tmp_path, capsys, monkeypatch):
    src = _file(tmp_path, "f.toml", "F", [("a", "x = x")])
    import nnderive.report.build as build

    def broken(tex, timeout, figures):
        raise ReportError(f"pdflatex failed on {tex}: boom")
    monkeypatch.setattr(build, "pdflatex", broken)
    monkeypatch.setattr(build.shutil, "which", lambda name: "/usr/bin/" + name)
    assert main(["report", str(src), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "f.tex" in err and "summary.tex" in err          # every failure is named, all were attempted


def test_pdftotext_sees_the_title(tmp_path):
    assert PDF and shutil.which("pdftotext"), "needs pdflatex and pdftotext (the README's test command installs them)"
    src = _file(tmp_path, "titled.toml", "A Title Of Mine", [("a", "x = x")])
    generate([src], tmp_path / "out", pdf=True, figures=False, html=False)
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "titled.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "A Title Of Mine" in text


def test_a_copy_of_the_catalogue_reports_is_guarded_too(tmp_path):
    """A folder that holds the marker (the checkout's reports/ seen from an installed package) is refused."""
    src = _file(tmp_path, "other.toml", "Other", [("o", "x = x")])
    elsewhere = tmp_path / "checkout" / "reports"
    elsewhere.mkdir(parents=True)
    (elsewhere / MARKER).write_text(MARKER_TEXT)
    with pytest.raises(ReportError, match="committed reports"):
        generate([src], elsewhere, pdf=False, figures=False)
    assert sorted(p.name for p in elsewhere.iterdir()) == [MARKER]
    plain = tmp_path / "plain"
    generate([src], plain, pdf=False, figures=False)
    assert not (plain / MARKER).exists() and (plain / "other.md").is_file()
