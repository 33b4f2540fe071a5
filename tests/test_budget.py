"""Workers and budgets: a CPU-time budget a busy machine cannot change, a wall-clock safety
limit, a memory limit, crashes contained, and no process left behind."""
import math
import os
import signal
import subprocess
import sys
import time

import pytest

from nnderive.catalogue import Claim
from nnderive.judge import budget as B
from nnderive.judge.budget import Worker, check_budget, check_memory, judge_all

SLOW = Claim(id="slow", source="t", file="t.toml",
             latex=r"\sum_{k=1}^{200000} \frac{1}{k^2 + z^2} = 1", symbols={"z": "scalar real", "k": "index n"})
FAST = Claim(id="fast", source="t", file="t.toml", latex=r"\frac{d}{dz} z^3 = 3 z^2", symbols={"z": "scalar real"})
#: about a second of CPU on this project's machine, the same work every time (the softmax Jacobian
#: used before became 0.3 s when the judge got faster, too little to show the load's effect)
MEDIUM = Claim(id="medium", source="t", file="t.toml",
               latex=r"\frac{\partial \operatorname{tr}(A X B X^T)}{\partial X} = A^T X B^T + A X B",
               symbols={"A": "matrix n n", "B": "matrix n n", "X": "matrix n n"})
HUGE = Claim(id="huge", source="t", file="t.toml", latex=r"z^{10^{10}} = z", symbols={"z": "scalar real"})


def children() -> list[int]:
    """Live (not zombie) child processes of this process."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                out.append(int(d))
    return out


def test_timeout_is_undecided_and_the_run_goes_on():
    slow, fast = judge_all([SLOW, FAST], budget=2, jobs=1)
    assert slow.verdict == "undecided" and "timeout" in slow.reason and "CPU" in slow.reason
    assert 1.9 <= slow.evidence["cpu_seconds"] < 3 and slow.evidence["timeout_seconds"] == 2
    assert fast.verdict == "proved"
    assert children() == []


def test_order_is_kept_with_parallel_workers():
    claims = [Claim(**{**FAST.__dict__, "id": f"c{k}"}) for k in range(6)]
    assert [v.id for v in judge_all(claims, budget=20, jobs=2)] == [f"c{k}" for k in range(6)]
    assert children() == []


@pytest.mark.parametrize("bad", [math.nan, "nan", -1, "abc", None])
def test_bad_budgets_are_errors(bad):
    with pytest.raises(ValueError, match="budget"):
        check_budget(bad)
    with pytest.raises(ValueError, match="budget"):
        judge_all([FAST], budget=bad)


@pytest.mark.parametrize("good,value", [(math.inf, math.inf), ("inf", math.inf), (0, math.inf), (1e10, 1e10), (3, 3.0)])
def test_large_and_unlimited_budgets_work(good, value):
    assert check_budget(good) == value
    assert judge_all([FAST], budget=good)[0].verdict == "proved"


@pytest.mark.parametrize("bad", [math.nan, -5, 10, "x"])
def test_bad_memory_limits_are_errors(bad):
    with pytest.raises(ValueError, match="memory"):
        check_memory(bad)


def test_bad_jobs_are_errors():
    with pytest.raises(ValueError, match="jobs"):
        judge_all([FAST], jobs=0)


def _busy(n):
    """n processes that spin on the CPU until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def test_the_cpu_budget_does_not_depend_on_the_load():
    """A claim that needs ~1 s of CPU, a budget of twice its CPU time: proved with the
    machine idle and with twice as many spinning processes as CPUs beside it, although
    under load its wall time exceeds the budget (a wall-clock budget would time it out)."""
    calm = judge_all([MEDIUM], budget=30, jobs=1)[0]
    assert calm.verdict == "proved", calm.reason
    budget = max(2 * calm.seconds, 1.0)
    hogs = _busy(2 * B._cpus() + 2)
    try:
        time.sleep(0.3)
        loaded = judge_all([MEDIUM, MEDIUM, SLOW], budget=budget, jobs=B._cpus())
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    assert [v.verdict for v in loaded] == ["proved", "proved", "undecided"], [v.reason for v in loaded]
    assert max(v.seconds for v in loaded[:2]) > budget, "the load did not slow the claim: the test shows nothing"
    assert "timeout" in loaded[2].reason and loaded[2].evidence["cpu_seconds"] >= budget
    assert children() == []


def test_wall_clock_safety_limit_for_a_claim_that_sleeps(monkeypatch):
    # A judge that hangs without using CPU (planted): only the wall-clock limit can stop it.
    monkeypatch.setattr(B, "judge_claim", lambda claim: time.sleep(100))
    monkeypatch.setattr(B, "wall_limit", lambda budget: 1.0)
    t0 = time.perf_counter()
    v = judge_all([FAST], budget=5, jobs=1)[0]
    assert time.perf_counter() - t0 < 5
    assert v.verdict == "undecided" and "wall-clock" in v.reason and v.evidence["cpu_seconds"] < 0.5
    assert children() == []


def test_memory_limit_is_undecided_memory_and_the_run_goes_on():
    # z^{10^{10}} = z reached 1.73 GB at a 40 s budget; with 200 MB it stops early.
    t0 = time.perf_counter()
    huge, fast = judge_all([HUGE, FAST], budget=60, jobs=1, memory=200)
    assert huge.verdict == "undecided" and huge.reason.startswith("memory") and huge.evidence == {"memory_mb": 200}
    assert fast.verdict == "proved"
    assert time.perf_counter() - t0 < 30
    assert children() == []


def test_a_memory_error_raised_by_the_judge_is_memory(monkeypatch):
    def boom(claim):
        raise MemoryError
    monkeypatch.setattr(B, "judge_claim", boom)
    v = judge_all([FAST], budget=5, jobs=1)[0]
    assert v.verdict == "undecided" and v.reason.startswith("memory") and "memory_mb" in v.evidence


def test_a_crashed_worker_is_an_error_and_the_run_goes_on(monkeypatch):
    real = B.judge_claim

    def crash(claim):
        if claim.id == "crash":
            os.kill(os.getpid(), signal.SIGKILL)  # a crash in C code (SIGSEGV would make pytest's faulthandler print)
        return real(claim)
    monkeypatch.setattr(B, "judge_claim", crash)
    bad, good = judge_all([Claim(**{**FAST.__dict__, "id": "crash"}), FAST], budget=10, jobs=1)
    assert bad.verdict == "error" and "SIGKILL" in bad.reason and bad.error["message"] == "worker died"
    assert good.verdict == "proved"
    assert children() == []


def test_an_exception_in_the_worker_is_an_internal_error(monkeypatch):
    def fail(claim):
        raise KeyError("x")
    monkeypatch.setattr(B, "judge_claim", fail)
    v = judge_all([FAST], budget=5, jobs=1)[0]
    assert v.verdict == "error" and "internal error" in v.reason and "KeyError" in v.reason


def test_stopping_early_kills_the_workers():
    t0 = time.perf_counter()
    it = B.judge_iter([FAST, SLOW, SLOW], budget=60, jobs=2)
    k, v = next(it)
    assert v.verdict == "proved" and len(children()) == 2
    it.close()
    assert children() == [] and time.perf_counter() - t0 < 10


def test_workers_die_with_their_parent(tmp_path):
    """SIGKILL to the parent (nothing can run in it): the workers go too (PR_SET_PDEATHSIG)."""
    script = ("import sys; from nnderive.judge.budget import judge_all; from nnderive.catalogue import Claim; "
              "c = Claim(id='s', source='t', file='t', latex=r'\\sum_{k=1}^{200000} \\frac{1}{k^2 + z^2} = 1', "
              "symbols={'z': 'scalar real', 'k': 'index n'}); print('start', flush=True); "
              "judge_all([c, c], budget=60, jobs=2)")
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert p.stdout.readline().strip() == "start"
    deadline = time.monotonic() + 20
    while len(_session(p.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_session(p.pid)) == 3, "parent and two workers"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    deadline = time.monotonic() + 1
    while _session(p.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _session(p.pid) == []


def _session(sid) -> list[int]:
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


def test_a_reused_worker_keeps_judging():
    w = Worker()
    try:
        assert w.judge(FAST).verdict == "proved"
        pid = w.pid
        assert w.judge(FAST).verdict == "proved" and w.pid == pid   # persistent: warm caches
        assert w.judge(SLOW, budget=1).verdict == "undecided"        # killed ...
        assert w.judge(FAST).verdict == "proved" and w.pid != pid    # ... and replaced
    finally:
        w.stop()
    assert children() == []


def test_workers_run_blas_on_one_thread_and_count_only_the_judging_thread():
    """On a many-core CI machine a BLAS pool per worker burnt the CPU budget (every spinning
    thread counted) and a planted claim came out undecided (timeout); the core count must not
    change a verdict."""
    import numpy as np
    from threadpoolctl import threadpool_info
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        B._one_blas_thread()
        np.ones((64, 64)) @ np.ones((64, 64))
        os.write(w, repr(sorted({p["num_threads"] for p in threadpool_info()})).encode())
        os._exit(0)
    os.close(w)
    got = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    assert got in ("[1]", "[]"), got
    worker = Worker()
    worker.start()
    try:
        assert os.path.exists(f"/proc/{worker.pid}/task/{worker.pid}/stat")
        assert worker.cpu_seconds() is not None
    finally:
        worker.stop()


def test_sympy_randomness_is_seeded_for_every_claim(monkeypatch):
    """SymPy's multivariate factorisation draws from an unseeded generator: the same claim cost 2 s of
    CPU in one run and 45 s in another (a CI timeout). Each claim starts from one seed; the caller's
    generator state is left as it was."""
    import random
    from sympy.core import random as srandom
    from nnderive.judge import engine
    fresh = random.Random(0)
    expected = fresh.random(), fresh.random()
    drawn = []
    monkeypatch.setattr(engine, "_verdict", lambda claim: drawn.append(
        (srandom.rng.random(), srandom._assumptions_rng.random())) or engine.Verdict(
        id=claim.id, source=claim.source, verdict="undecided", reason="stub for the test"))
    srandom.seed(12345)
    before = srandom.rng.getstate()
    engine.judge_claim(FAST)
    srandom.rng.random()      # a draw between claims must not change the next claim's start
    engine.judge_claim(FAST)
    assert drawn == [(expected[0], expected[0])] * 2
    srandom.seed(12345)
    srandom.rng.random()
    after_one_draw = srandom.rng.getstate()
    srandom.rng.setstate(before)
    engine.judge_claim(FAST)
    srandom.rng.random()
    assert srandom.rng.getstate() == after_one_draw
