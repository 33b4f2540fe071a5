"""Ctrl-C and SIGTERM stop a run within a second, print what was judged so far, and leave no
process behind (counted in /proc by session id afterwards)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = r"""
[[claims]]
id = "fast"
latex = '\frac{d}{dz} z^3 = 3 z^2'
symbols = { z = "scalar real" }
""" + "".join(rf"""
[[claims]]
id = "slow{k}"
latex = '\sum_{{k=1}}^{{200000}} \frac{{1}}{{k^2 + z^2}} = {k}'
symbols = {{ z = "scalar real", k = "index n" }}
""" for k in range(1, 5))


def session(sid: int) -> list[int]:
    """Live processes of a session (a run started with start_new_session: parent and workers)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(d))
    return out


def start(args, tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
                         start_new_session=True)
    deadline = time.monotonic() + 30
    while len(session(p.pid)) < 3 and time.monotonic() < deadline:   # the parent and its two workers
        time.sleep(0.05)
    assert len(session(p.pid)) == 3, "the run did not start its two workers"
    time.sleep(1.5)   # the fast claim is judged, the slow ones are busy
    return p


def stop(p, sig, to_group):
    t0 = time.perf_counter()
    os.kill(-p.pid if to_group else p.pid, sig)
    out, err = p.communicate(timeout=30)
    return out, err, time.perf_counter() - t0


@pytest.mark.parametrize("sig,to_group,status", [
    (signal.SIGINT, True, 130),    # Ctrl-C at a terminal: the whole foreground group gets it
    (signal.SIGINT, False, 130),
    (signal.SIGTERM, False, 143),  # timeout(1), a CI cancel: the parent only
    (signal.SIGTERM, True, 143),
])
def test_check_stops_within_a_second_and_prints_what_was_judged(tmp_path, sig, to_group, status):
    (tmp_path / "c.toml").write_text(CLAIMS)
    p = start([sys.executable, "-m", "nnderive", "check", str(tmp_path / "c.toml"), "-j", "2", "--budget", "60",
               "--no-cache"], tmp_path)
    out, err, took = stop(p, sig, to_group)
    assert took < 1.0, f"took {took:.2f} s to stop"
    assert p.returncode == status, err
    assert "fast" in out and "proved" in out and "(1 claim)" in out and "slow" not in out
    assert f"interrupted ({signal.Signals(sig).name}): 1 of 5 claims judged" in err
    assert "Traceback" not in err
    time.sleep(0.1)
    assert session(p.pid) == [], "processes left behind"


def test_json_output_of_an_interrupted_run_is_valid(tmp_path):
    import json
    (tmp_path / "c.toml").write_text(CLAIMS)
    p = start([sys.executable, "-m", "nnderive", "check", str(tmp_path / "c.toml"), "-j", "2", "--json",
               "--no-cache"], tmp_path)
    out, err, took = stop(p, signal.SIGTERM, False)
    assert [r["id"] for r in json.loads(out)] == ["fast"] and p.returncode == 143
    assert session(p.pid) == []


def test_ctrl_c_in_the_python_api_kills_the_workers(tmp_path):
    (tmp_path / "c.toml").write_text(CLAIMS)
    script = ("import sys, nnderive\n"
              "try:\n"
              f"    nnderive.check_file({str(tmp_path / 'c.toml')!r}, budget=60, jobs=2)\n"
              "except KeyboardInterrupt:\n"
              "    print('interrupted', flush=True)\n")
    p = start([sys.executable, "-c", script], tmp_path)
    out, err, took = stop(p, signal.SIGINT, True)
    assert "interrupted" in out and took < 1.0, err
    assert session(p.pid) == []


def test_killing_the_parent_takes_the_workers_along(tmp_path):
    (tmp_path / "c.toml").write_text(CLAIMS)
    p = start([sys.executable, "-m", "nnderive", "check", str(tmp_path / "c.toml"), "-j", "2", "--no-cache"],
              tmp_path)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)
    deadline = time.monotonic() + 1
    while session(p.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert session(p.pid) == []
