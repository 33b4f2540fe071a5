"""The command line as a user (or a cheat-sheet author's CI) runs it: exit statuses, outputs,
standard input, -e, -k, --strict, wrapping, colour, progress, broken pipes."""
import argparse
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnderive.cli import build_parser, main
from nnderive.version import VERSION

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
OK = r"""
[[claims]]
id = "ok"
latex = '\frac{d}{dz} z^2 = 2 z'
symbols = { z = "scalar real" }

[[claims]]
id = "prose"
not_checkable = "marketing"
"""
WRONG = r"""
[[claims]]
id = "sig.wrong"
quote = "a long quote"
latex = '\frac{da}{dz} = a(1 + a)'
definitions = ['a = \sigma(z)']
symbols = { z = "scalar real", a = "scalar (0,1)" }
functions = { '\sigma' = "sigmoid" }
"""
SLOW = r"""
[[claims]]
id = "slow"
latex = '\sum_{k=1}^{200000} \frac{1}{k^2 + z^2} = 1'
symbols = { z = "scalar real", k = "index n" }
"""


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory):
    return str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture
def run(cache_home):
    def run(*args, input=None, env=None, timeout=600):
        e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
        e.update({"XDG_CACHE_HOME": cache_home, **(env or {})})
        return subprocess.run([sys.executable, "-m", "nnderive", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout, input=input, env=e)
    return run


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def no_traceback(r):
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


# --------------------------------------------------------------------------- exit statuses
def test_json_records_and_exit_status_on_refutation(run):
    r = run("check", str(DATA / "planted.toml"), "--json")
    assert r.returncode == 1, r.stderr
    records = json.loads(r.stdout)
    assert {"id", "source", "verdict", "reason"} <= set(records[0])
    assert all(rec["source"] == "planted.toml" for rec in records)
    other = [(rec["id"], rec["verdict"], rec["reason"]) for rec in records
             if rec["verdict"] not in ("refuted", "convention")]
    assert not other, other


def test_exit_zero_when_nothing_is_refuted(run, tmp_path):
    r = run("check", str(write(tmp_path, "ok.toml", OK)))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok" in r.stdout and "proved" in r.stdout and "1 proved, 1 not checkable  (2 claims)" in r.stdout
    assert r.stderr == "", "progress only on a terminal"


def test_a_broken_file_in_a_folder_is_exit_2_and_the_rest_is_judged(run, tmp_path):
    write(tmp_path, "a.toml", "[[claims]]\nid = 'a'\nlatex = 'z = z'\nsymbols = { z = 'scalar real' }\n")
    write(tmp_path, "b.toml", "not toml [[[")
    r = run("check", str(tmp_path))
    assert r.returncode == 2
    assert "b.toml" in r.stdout and "malformed TOML" in r.stdout
    assert "1 proved  (1 claim; 1 input error)" in r.stdout


def test_a_missing_file_is_exit_2_not_one_claim(run):
    r = run("check", "/no/such/file.toml")
    no_traceback(r)
    assert r.returncode == 2 and "no such file" in r.stdout
    assert "(0 claims; 1 input error)" in r.stdout and "(1 claim)" not in r.stdout


@pytest.mark.parametrize("text,message", [
    ("", "no claims"),
    ("[[claim]]\nid = 'a'\nlatex = 'z = z'\n", "unknown table [[claim]] (did you mean [[claims]]?)"),
    ("[[claims]]\nid = 'a'\nlatex = 'z = z'\nsymbol = { z = 'scalar real' }\n", "did you mean 'symbols'?"),
])
def test_nothing_passes_silently(run, tmp_path, text, message):
    r = run("check", str(write(tmp_path, "f.toml", text)))
    assert r.returncode == 2 and message in r.stdout and "(0 claims" in r.stdout
    rj = run("check", str(tmp_path / "f.toml"), "--json")
    assert rj.returncode == 2 and message in json.loads(rj.stdout)[0]["reason"]


@pytest.mark.parametrize("make", ["fifo", "dev_zero", "nested", "huge"])
def test_hostile_files_are_named_and_the_run_goes_on(run, tmp_path, make):
    bad = tmp_path / "bad.toml"
    if make == "fifo":
        os.mkfifo(bad)
    elif make == "dev_zero":
        bad.symlink_to("/dev/zero")
    elif make == "nested":
        bad.write_text("a = " + "[" * 500 + "]" * 500 + "\n")
    else:
        with open(bad, "wb") as f:
            f.truncate(64 * 2 ** 20)
    write(tmp_path, "ok.toml", OK)
    r = run("check", str(tmp_path), timeout=60)
    no_traceback(r)
    assert r.returncode == 2
    assert re.search(r"^-\s+error\s+bad\.toml: ", r.stdout, re.M), r.stdout
    assert "1 proved, 1 not checkable  (2 claims; 1 input error)" in r.stdout


@pytest.mark.parametrize("budget", ["nan", "-1", "abc", "--"])
def test_bad_budgets_are_usage_errors(run, tmp_path, budget):
    r = run("check", str(write(tmp_path, "ok.toml", OK)), f"--budget={budget}")
    no_traceback(r)
    assert r.returncode == 2 and "--budget" in r.stderr


@pytest.mark.parametrize("budget", ["inf", "1e10", "0"])
def test_unlimited_and_huge_budgets_work(run, tmp_path, budget):
    r = run("check", str(write(tmp_path, "ok.toml", OK)), "--budget", budget, "--no-cache")
    no_traceback(r)
    assert r.returncode == 0 and "1 proved" in r.stdout


@pytest.mark.parametrize("args,message", [
    (["-j", "0"], "jobs"),
    (["--memory", "nan"], "memory"),
    (["-e", "z = z", "-s", "z"], "NAME=VALUE"),
    (["-s", "z=scalar real"], "apply to -e"),
    (["-k", "no-such-claim"], "no claim id matches"),
    (["--bogus"], "unrecognized"),
])
def test_usage_errors_exit_2(run, tmp_path, args, message):
    r = run("check", str(write(tmp_path, "ok.toml", OK)), *args)
    no_traceback(r)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_strict_makes_undecided_fail(run, tmp_path):
    p = write(tmp_path, "slow.toml", SLOW)
    r = run("check", str(p), "--budget", "0.5")
    assert r.returncode == 0 and "undecided" in r.stdout
    r = run("check", str(p), "--budget", "0.5", "--strict")
    assert r.returncode == 1 and "undecided" in r.stdout


def test_quiet_lists_only_the_failing_claims(run, tmp_path):
    write(tmp_path, "ok.toml", OK)
    write(tmp_path, "wrong.toml", WRONG)
    r = run("check", str(tmp_path), "-q")
    assert r.returncode == 1
    assert "sig.wrong" in r.stdout and "\nok " not in r.stdout and not r.stdout.startswith("ok ")
    assert "1 proved, 1 refuted, 1 not checkable  (3 claims)" in r.stdout


def test_k_selects_claims_by_id(run, tmp_path):
    write(tmp_path, "ok.toml", OK)
    write(tmp_path, "wrong.toml", WRONG)
    r = run("check", str(tmp_path), "-k", "SIG.", "--json")
    assert r.returncode == 1 and [v["id"] for v in json.loads(r.stdout)] == ["sig.wrong"]
    r = run("check", str(tmp_path), "-k", "o?", "-k", "pro*", "--json")
    assert r.returncode == 0 and [v["id"] for v in json.loads(r.stdout)] == ["ok", "prose"]


def test_version_and_help(run):
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"nnderive {VERSION}"
    r = run("check", "--help")
    assert r.returncode == 0 and "exit status" in r.stdout and "FORMAT.md" in r.stdout


def _actions(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {a}", h) for a, h in _actions(sub))
        else:
            yield "/".join(action.option_strings) or action.dest, action.help


def test_every_option_has_help_text():
    missing = [name for name, help in _actions(build_parser()) if not help or not help.strip()]
    assert not missing, f"options without help: {missing}"


# --------------------------------------------------------------------------- one claim from the command line
def _same(a, b):
    drop = {"id", "source", "seconds", "reason", "error"}
    assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}
    assert a["reason"].replace("<command line>", "F").replace("expr", "I") == \
        b["reason"].replace("f.toml", "F").replace("sig.wrong", "I").replace("ok", "I")


def test_expression_gives_the_same_verdict_as_a_file(run, tmp_path):
    f = json.loads(run("check", str(write(tmp_path, "f.toml", WRONG)), "--json", "--no-cache").stdout)[0]
    r = run("check", "-e", r"\frac{da}{dz} = a(1 + a)", "-d", r"a = \sigma(z)", "-f", r"\sigma=sigmoid",
            "-s", "z=scalar real", "-s", "a=scalar (0,1)", "--json", "--no-cache")
    assert r.returncode == 1
    e = json.loads(r.stdout)[0]
    assert e["id"] == "expr" and e["source"] == "<command line>" and e["verdict"] == "refuted"
    _same(e, f)


def test_expression_errors_name_the_position(run):
    r = run("check", "-e", r"\frac{d}{dz} q = 1", "-s", "z=scalar real")
    assert r.returncode == 1 and "<command line>: claim expr: latex: " in r.stdout and "character 13" in r.stdout


def test_several_expressions_and_a_given(run):
    r = run("check", "-e", r"\frac{d}{dz} z^2 = 2 z", "-e", r"z^2 = z", "-s", "z=scalar real",
            "-g", "z = z", "--json")
    assert r.returncode == 1
    assert [(v["id"], v["verdict"]) for v in json.loads(r.stdout)] == [("expr.1", "proved"), ("expr.2", "refuted")]


# --------------------------------------------------------------------------- standard input
def test_stdin_latex_lines(run):
    text = "% a comment\n\\frac{d}{dz} z^3 = 3 z^2\n\n# another\nz^2 = z\n"
    r = run("check", "-", "-s", "z=scalar real", "--json", input=text)
    assert r.returncode == 1
    assert [(v["id"], v["verdict"]) for v in json.loads(r.stdout)] == [("stdin.2", "proved"), ("stdin.5", "refuted")]


def test_stdin_claim_file(run, tmp_path):
    r = run("check", "-", "--json", input=OK)
    assert r.returncode == 0
    recs = json.loads(r.stdout)
    assert [v["id"] for v in recs] == ["ok", "prose"] and recs[0]["source"] == "<stdin>"
    r = run("check", "-", input=OK.replace("[[claims]]", "[[claim]]"))
    assert r.returncode == 2 and "<stdin>" in r.stdout and "[[claim]]" in r.stdout


def test_stdin_and_a_file_together(run, tmp_path):
    r = run("check", str(write(tmp_path, "ok.toml", OK)), "-", "-s", "z=scalar real", "--json",
            input="z + z = 2 z\n")
    assert r.returncode == 0 and [v["id"] for v in json.loads(r.stdout)] == ["ok", "prose", "stdin.1"]


@pytest.mark.parametrize("text", ["", "\n  \n% only a comment\n"])
def test_empty_stdin_is_a_usage_error(run, text):
    r = run("check", "-", input=text)
    no_traceback(r)
    assert r.returncode == 2 and "no claims" in r.stderr


# --------------------------------------------------------------------------- output on a pipe and on a terminal
LETTERS = "abcdefghpqrstuvw"
LONG = f"""
[[claims]]
id = "long.reason"
latex = '{' + '.join(LETTERS)} = 0'
symbols = {{ {', '.join(f'{c} = "scalar real"' for c in LETTERS)} }}
"""


def test_reasons_are_never_cut_when_piped(run, tmp_path):
    p = write(tmp_path, "long.toml", LONG)
    reason = json.loads(run("check", str(p), "--json").stdout)[0]["reason"]
    assert len(reason) > 120, "the test needs a long reason"
    r = run("check", str(p))
    line = r.stdout.splitlines()[0]
    assert line.endswith(" ".join(reason.split())) and "…" not in line
    assert "\033[" not in r.stdout, "no colour on a pipe"


def on_terminal(args, env=None, columns=60, timeout=120):
    """Run nnderive under a pseudo-terminal (stdout and stderr both a terminal); the raw output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.pop("NO_COLOR", None)
        os.environ.update(COLUMNS=str(columns), TERM="xterm", **(env or {}))
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "nnderive", *args])
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace").replace("\r\n", "\n")


def test_on_a_terminal_reasons_wrap_to_its_width_in_colour(tmp_path, cache_home):
    p = write(tmp_path, "long.toml", LONG + WRONG)
    status, out = on_terminal(["check", str(p), "--no-cache"], env={"XDG_CACHE_HOME": cache_home}, columns=60)
    assert status == 1
    assert "\033[1;31mrefuted" in out, "refuted in red on a terminal"
    table = re.sub(r"\033\[[0-9;]*[A-Za-z]|\r", "", out.rsplit("\033[K", 1)[-1])   # after the progress line
    rows = table.split("\n\n")[0].splitlines()
    assert len(rows) > 2 and all(len(line) <= 60 for line in rows), rows
    reason = json.loads(subprocess.run([sys.executable, "-m", "nnderive", "check", str(p), "--json", "--no-cache"],
                                       capture_output=True, text=True, cwd=ROOT).stdout)[0]["reason"]
    assert " ".join(" ".join(r.split()[2:]) if k == 0 else r.strip() for k, r in enumerate(rows[:-1])).startswith(
        " ".join(reason.split())[:100])


def test_no_color_turns_colour_off_on_a_terminal(tmp_path, cache_home):
    p = write(tmp_path, "wrong.toml", WRONG)
    status, out = on_terminal(["check", str(p)], env={"NO_COLOR": "1", "XDG_CACHE_HOME": cache_home})
    assert status == 1 and "refuted" in out
    assert not re.search(r"\033\[[0-9;]*m", out), "NO_COLOR: no colour codes"


def test_colour_can_be_forced_and_refused(run, tmp_path):
    p = write(tmp_path, "wrong.toml", WRONG)
    assert "\033[1;31mrefuted" in run("check", str(p), "--color", "always").stdout
    status, out = on_terminal(["check", str(p), "--color", "never"])
    assert "refuted" in out and not re.search(r"\033\[[0-9;]*m", out)


def test_progress_on_a_terminal_only_and_not_with_quiet(tmp_path, cache_home):
    p = write(tmp_path, "two.toml", OK + WRONG)
    status, out = on_terminal(["check", str(p), "--no-cache", "-j", "1"], env={"XDG_CACHE_HOME": cache_home})
    assert status == 1 and re.search(r"\[\d/3\] ", out), out
    status, out = on_terminal(["check", str(p), "--no-cache", "-q"], env={"XDG_CACHE_HOME": cache_home})
    assert status == 1 and not re.search(r"\[\d/3\] ", out)


def test_broken_pipe_ends_quietly():
    r = subprocess.run(f"{sys.executable} -m nnderive rules | head -2; echo status=${{PIPESTATUS[0]}}",
                       shell=True, executable="/bin/bash", capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert len(r.stdout.splitlines()) == 3 and "status=141" in r.stdout
    assert r.stderr == "", r.stderr


def test_broken_pipe_during_a_check_leaves_no_worker(tmp_path, cache_home):
    p = write(tmp_path, "many.toml", "".join(OK.replace('"ok"', f'"ok{k}"').replace('"prose"', f'"prose{k}"')
                                             for k in range(15)))
    env = dict(os.environ, XDG_CACHE_HOME=cache_home)
    r = subprocess.run(f"{sys.executable} -m nnderive check {p} --json | true; echo status=${{PIPESTATUS[0]}}",
                       shell=True, executable="/bin/bash", capture_output=True, text=True, env=env, timeout=600)
    assert "status=141" in r.stdout and "Traceback" not in r.stderr, r.stderr


# --------------------------------------------------------------------------- other commands
def test_kernels_show_prints_source(capsys):
    assert main(["kernels", "--show", "softmax"]) == 0
    out = capsys.readouterr().out
    assert "def softmax(z):" in out and "numpy.max" in out and "rewrites.softmax_shift" in out
    assert main(["kernels", "--show", "nope"]) == 2


def test_kernels_list(capsys):
    assert main(["kernels"]) == 0
    assert "optim.adam" in capsys.readouterr().out


def test_example_command(capsys):
    assert main(["example"]) == 0
    out = capsys.readouterr().out
    assert "17 of 19 printed numbers agree" in out and "truncated" in out


def test_cache_command(run, tmp_path):
    home = str(tmp_path / "cache")
    run("check", str(write(tmp_path, "ok.toml", OK)), env={"XDG_CACHE_HOME": home})
    r = run("cache", env={"XDG_CACHE_HOME": home})
    assert r.returncode == 0 and "2 cached verdicts" in r.stdout and home in r.stdout
    r = run("cache", "--clear", env={"XDG_CACHE_HOME": home})
    assert "removed 2" in r.stdout
    assert "0 cached verdicts" in run("cache", env={"XDG_CACHE_HOME": home}).stdout


def test_step_bench_runs_and_reports_ratios():
    from nnderive.numeric.bench import format_results, run_step_bench
    res = run_step_bench(batches=(8,), dtypes=("float32",), rounds=1, seconds=0.01)
    assert res[0]["ours_steps_per_s"] > 0 and res[0]["vs_numpy"] > 0 and res[0]["vs_torch"] > 0
    assert "ours/numpy" in format_results(res)
