"""The command line as a user (or a cheat-sheet author's CI) runs it."""
import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "nnderive", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def test_json_records_and_exit_status_on_refutation():
    r = run("check", str(DATA / "planted.toml"), "--json")
    assert r.returncode == 1, r.stderr
    records = json.loads(r.stdout)
    assert {"id", "source", "verdict", "reason"} <= set(records[0])
    assert all(rec["source"] == "planted.toml" for rec in records)
    assert {rec["verdict"] for rec in records} <= {"refuted", "convention"}


def test_exit_zero_when_nothing_is_refuted(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(r"""
[[claims]]
id = "ok"
latex = '\frac{d}{dz} z^2 = 2 z'
symbols = { z = "scalar real" }

[[claims]]
id = "prose"
not_checkable = "marketing"
""")
    r = run("check", str(f))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok" in r.stdout and "proved" in r.stdout and "1 proved, 1 not checkable" in r.stdout


def test_table_for_a_folder_with_a_broken_file(tmp_path):
    (tmp_path / "a.toml").write_text("[[claims]]\nid = 'a'\nlatex = 'z = z'\nsymbols = { z = 'scalar real' }\n")
    (tmp_path / "b.toml").write_text("not toml [[[")
    r = run("check", str(tmp_path))
    assert r.returncode == 1
    assert "b.toml" in r.stdout and "malformed TOML" in r.stdout
    assert "1 proved, 1 error" in r.stdout


def test_no_traceback_on_bad_arguments():
    r = run("check", "/no/such/dir")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "no such file" in r.stdout


def test_kernels_show_prints_source(capsys):
    from nnderive.cli import main
    assert main(["kernels", "--show", "softmax"]) == 0
    out = capsys.readouterr().out
    assert "def softmax(z):" in out and "numpy.max" in out and "rewrites.softmax_shift" in out
    assert main(["kernels", "--show", "nope"]) == 2


def test_kernels_list(capsys):
    from nnderive.cli import main
    assert main(["kernels"]) == 0
    assert "optim.adam" in capsys.readouterr().out


def test_example_command(capsys):
    from nnderive.cli import main
    assert main(["example"]) == 0
    out = capsys.readouterr().out
    assert "17 of 19 printed numbers agree" in out and "truncated" in out


def test_step_bench_runs_and_reports_ratios():
    from nnderive.numeric.bench import format_results, run_step_bench
    res = run_step_bench(batches=(8,), dtypes=("float32",), rounds=1, seconds=0.01)
    assert res[0]["ours_steps_per_s"] > 0 and res[0]["vs_numpy"] > 0 and res[0]["vs_torch"] > 0
    assert "ours/numpy" in format_results(res)
