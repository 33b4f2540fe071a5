r"""Workers and budgets: every claim is judged in a forked worker process, under limits.

* **CPU-time budget** (default 10 s per claim): the parent reads the CPU time
  of the worker's judging thread (``utime + stime`` from
  ``/proc/<pid>/task/<pid>/stat``) while it waits, so a busy machine slows a
  claim down but never changes its verdict; a claim over the budget is
  ``undecided`` (timeout).  Workers run BLAS on one thread, and only the judging
  thread counts: a BLAS pool spinning on a 64-core machine would otherwise burn
  the budget many times faster than on a laptop, and address space per BLAS
  thread would eat the memory limit.
* **Wall-clock safety limit** of :math:`5 b + 30` seconds for a budget :math:`b`,
  for a worker that hangs without using CPU.
* **Memory limit** (default 2048 MB): the address space a worker may add to what
  it was forked with (``RLIMIT_AS``); a claim over it is ``undecided`` (memory)
  and the worker is replaced.

Workers are persistent (their SymPy and parser caches stay warm) and are started
with :func:`os.fork`; a worker that runs over a limit is killed and replaced, so
a hang or a blow-up costs that one claim and the run goes on.  Workers ignore
SIGINT (the parent decides), and die with the parent (``PR_SET_PDEATHSIG``):
when the run is interrupted, :func:`judge_iter` kills every worker before the
exception leaves it, so no process is left behind.
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import os
import resource
import signal
import sys
import time
from collections import deque
from multiprocessing.connection import Pipe, wait

from ..verdict import Verdict
from .engine import judge_claim

__all__ = ["judge_all", "judge_iter", "judge_with_budget", "check_budget", "check_memory", "wall_limit",
           "resource_limited", "DEFAULT_BUDGET", "DEFAULT_MEMORY_MB", "Worker"]

DEFAULT_BUDGET = 10.0          # CPU seconds per claim
DEFAULT_MEMORY_MB = 2048.0     # address space a worker may add, in MiB
POLL = 0.05                    # seconds between looks at the busy workers
_MEMORY_EXIT = 86              # a worker's exit status when even the memory verdict could not be sent
_MB = 2 ** 20
_CLOCK_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def check_budget(budget) -> float:
    """A CPU-time budget in seconds: ``0`` and ``inf`` mean no limit; NaN or a negative value is an error.

    >>> check_budget(2), check_budget("1e10"), check_budget(0)
    (2.0, 10000000000.0, inf)
    >>> check_budget("nan")
    Traceback (most recent call last):
    ...
    ValueError: the budget must be a number of seconds >= 0 (0 or inf: no limit), got 'nan'
    """
    try:
        value = float(budget)
    except (TypeError, ValueError):
        value = math.nan
    if math.isnan(value) or value < 0:
        raise ValueError(f"the budget must be a number of seconds >= 0 (0 or inf: no limit), got {budget!r}")
    return math.inf if value == 0 else value


def check_memory(memory) -> float:
    """A memory limit in MiB (``0`` or ``inf``: no limit); at least 50 MiB, so a worker can start.

    >>> check_memory(512), check_memory(0)
    (512.0, inf)
    """
    try:
        value = float(memory)
    except (TypeError, ValueError):
        value = math.nan
    if math.isnan(value) or value < 0 or 0 < value < 50:
        raise ValueError(f"the memory limit must be a number of MB >= 50 (0 or inf: no limit), got {memory!r}")
    return math.inf if value == 0 else value


def wall_limit(budget: float) -> float:
    """The wall-clock safety limit for a CPU budget (generous: only for hangs that use no CPU).

    >>> wall_limit(10.0), wall_limit(float("inf"))
    (80.0, inf)
    """
    return 5 * budget + 30


def resource_limited(v: Verdict) -> bool:
    """True for a verdict that says more about the limits than about the claim (timeout, memory, crash)."""
    ev = v.evidence or {}
    err = v.error or {}
    return ("timeout_seconds" in ev or "memory_mb" in ev
            or str(err.get("message", "")).startswith(("internal error", "worker died")))


# --------------------------------------------------------------------------- verdicts of the machinery
def _base(claim):
    return dict(id=claim.id, source=claim.source)


def _internal_error(claim, exc) -> Verdict:
    return Verdict(**_base(claim), verdict="error",
                   reason=f"{claim.file}: claim {claim.id}: internal error: {type(exc).__name__}: {exc}",
                   error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                          "message": f"internal error {type(exc).__name__}"})


def _memory_verdict(claim, memory_mb, seconds=0.0) -> Verdict:
    return Verdict(**_base(claim), verdict="undecided",
                   reason=f"memory: the judge needed more than the {memory_mb:g} MB memory limit",
                   evidence={"memory_mb": memory_mb}, seconds=round(seconds, 3))


def _timeout_verdict(claim, budget, cpu, wall, by_wall) -> Verdict:
    if by_wall:
        reason = (f"timeout: no result within the {wall_limit(budget):g} s wall-clock safety limit "
                  f"({cpu:.1f} s of CPU used)")
    else:
        reason = f"timeout: no result within the {budget:g} s CPU budget"
    return Verdict(**_base(claim), verdict="undecided", reason=reason,
                   evidence={"timeout_seconds": budget, "cpu_seconds": round(cpu, 2), "wall_seconds": round(wall, 2)},
                   seconds=round(wall, 3))


def _died_verdict(claim, status, wall) -> Verdict:
    how = (f"was killed by signal {os.WTERMSIG(status)} ({signal.Signals(os.WTERMSIG(status)).name})"
           if os.WIFSIGNALED(status) else f"exited with status {os.WEXITSTATUS(status)}")
    return Verdict(**_base(claim), verdict="error",
                   reason=f"{claim.file}: claim {claim.id}: the judging process {how}",
                   error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                          "message": "worker died"}, seconds=round(wall, 3))


def _is_memory_error(v: Verdict) -> bool:
    # judge_claim reports exceptions as internal errors naming their type; MemoryError is the limit speaking.
    return v.verdict == "error" and "MemoryError" in str((v.error or {}).get("message", ""))


# --------------------------------------------------------------------------- the worker side
def _vm_bytes(pid="self") -> int:
    """Address space of a process (``/proc/<pid>/statm``, first field, in pages); 0 when unknown."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _serve(conn, memory_mb):
    """Judge claims from ``conn`` until it closes; after a memory failure, exit (a fresh worker follows)."""
    while True:
        try:
            claim = conn.recv()
        except (EOFError, OSError):
            return
        if claim is None:
            return
        t0 = time.perf_counter()
        memory = False
        try:
            v = judge_claim(claim)
            memory = _is_memory_error(v)
        except MemoryError:
            memory = True
        except BaseException as exc:  # report, never crash the run
            v = _internal_error(claim, exc)
        if memory:
            v = None  # free what the failed judgement held before building the answer
            try:
                conn.send(_memory_verdict(claim, memory_mb, time.perf_counter() - t0))
            except BaseException:
                os._exit(_MEMORY_EXIT)
            return
        try:
            conn.send(v)
        except MemoryError:
            os._exit(_MEMORY_EXIT)


def _child(conn, memory_mb, inherited_fds):
    try:
        for fd in inherited_fds:       # other workers' pipes: their EOF must not wait for this process
            with contextlib.suppress(OSError):
                os.close(fd)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C reaches the whole group: the parent decides
        signal.signal(signal.SIGTERM, signal.SIG_DFL)   # the parent's handler is not ours
        _die_with_parent()
        _one_blas_thread()
        _fewer_collections()
        if math.isfinite(memory_mb):
            limit = _vm_bytes() + int(memory_mb * _MB)
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        _serve(conn, memory_mb)
    except BaseException:
        pass
    finally:
        os._exit(0)


def _fewer_collections():
    """What the worker was forked with stays out of the cyclic collector, which runs less often: SymPy
    builds and drops expressions by the million, mostly without cycles, and at the default threshold
    the collector ran about 500 times over the catalogue, for about 4 % of the judging time."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _one_blas_thread():
    """BLAS/OpenMP pools of one thread in this worker, so the machine's core count changes neither
    the CPU time a claim costs nor the address space it uses."""
    with contextlib.suppress(Exception):
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)


_LIVE_FDS: set[int] = set()   # parent ends of every live worker's pipe


class Worker:
    """One forked judge; started on first use and restarted after a limit or a crash."""

    def __init__(self, memory_mb: float = DEFAULT_MEMORY_MB):
        self.memory_mb = check_memory(memory_mb)
        self.pid = None
        self.conn = None

    @property
    def alive(self) -> bool:
        return self.pid is not None

    def start(self):
        for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
            with contextlib.suppress(Exception):
                stream.flush()
        parent, child = Pipe()
        pid = os.fork()
        if pid == 0:
            parent.close()
            _child(child, self.memory_mb, set(_LIVE_FDS))
        child.close()
        self.pid, self.conn = pid, parent
        _LIVE_FDS.add(parent.fileno())

    def cpu_seconds(self) -> float | None:
        """CPU time the worker's judging thread has used (user + system), or None where /proc is missing."""
        try:
            with open(f"/proc/{self.pid}/task/{self.pid}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICK
        except (OSError, ValueError, IndexError):
            return None

    def _close(self):
        if self.conn is not None:
            _LIVE_FDS.discard(self.conn.fileno())
            self.conn.close()
        self.pid = self.conn = None

    def kill(self) -> int:
        """Kill and reap the worker at once; its wait status (0 if none was running)."""
        if self.pid is None:
            return 0
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        return self.reap(block=True)

    def reap(self, block: bool) -> int | None:
        """The wait status of an exited worker (after which it is gone), or None while it runs."""
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid, status = self.pid, 0
        if pid == 0:
            return None
        self._close()
        return status

    def stop(self):
        """Ask the worker to finish, kill it if it does not within a second."""
        if self.pid is None:
            return
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            if self.reap(block=False) is not None:
                return
            time.sleep(0.01)
        self.kill()

    def judge(self, claim, budget: float = DEFAULT_BUDGET) -> Verdict:
        """Judge one claim under the limits (one claim at a time)."""
        with contextlib.closing(_schedule([claim], [self], check_budget(budget), keep=True)) as it:
            return next(it)[1]


# --------------------------------------------------------------------------- the parent side
def _schedule(claims, workers, budget, keep=False):
    """Judge ``claims`` on ``workers``; yield ``(index, verdict)`` as each finishes.

    However the generator ends (exhausted, closed, or an exception such as
    KeyboardInterrupt raised while it waits), every busy worker is killed and
    reaped before control leaves it; idle workers are stopped unless ``keep``.
    """
    todo = deque(enumerate(claims))
    busy: dict[Worker, tuple] = {}       # worker -> (index, claim, wall start, cpu start)
    wall_max = wall_limit(budget)
    try:
        while todo or busy:
            for w in workers:
                if w not in busy and todo:
                    k, c = todo.popleft()
                    if not w.alive:
                        w.start()
                    t0, cpu0 = time.perf_counter(), w.cpu_seconds()
                    try:
                        w.conn.send(c)
                    except (OSError, ValueError):
                        pass  # a dead worker: found below
                    busy[w] = (k, c, t0, cpu0)
            ready = set(wait([w.conn for w in busy], timeout=POLL))
            for w in list(busy):
                k, c, t0, cpu0 = busy[w]
                wall = time.perf_counter() - t0
                v = None
                if w.conn in ready:
                    try:
                        v = w.conn.recv()
                    except (EOFError, OSError):
                        v = _died(c, w, _reap_soon(w), wall)
                    else:
                        if _is_memory_verdict(v):
                            w.kill()   # the worker exits after a memory failure: do not reuse it
                else:
                    cpu = w.cpu_seconds()
                    used = wall if cpu is None or cpu0 is None else cpu - cpu0
                    if used > budget or wall > wall_max:
                        w.kill()
                        v = _timeout_verdict(c, budget, used, wall, by_wall=used <= budget)
                if v is not None:
                    del busy[w]
                    yield k, v
    finally:
        for w in workers:
            if w in busy or not keep:
                if w in busy:
                    w.kill()
                else:
                    w.stop()


def _reap_soon(w: Worker, grace: float = 0.5) -> int:
    """The wait status of a worker whose pipe closed: it is exiting, give it a moment to say how."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        status = w.reap(block=False)
        if status is not None:
            return status
        time.sleep(0.005)
    return w.kill()


def _is_memory_verdict(v) -> bool:
    return v.verdict == "undecided" and "memory_mb" in (v.evidence or {})


def _died(claim, worker, status, wall) -> Verdict:
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _MEMORY_EXIT:
        return _memory_verdict(claim, worker.memory_mb, wall)
    return _died_verdict(claim, status, wall)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def judge_iter(claims, budget: float = DEFAULT_BUDGET, jobs: int | None = None,
               memory: float = DEFAULT_MEMORY_MB):
    """Judge claims in ``jobs`` workers (default: the CPUs this process may use); yield
    ``(index, verdict)`` in the order they finish.  Use it in ``contextlib.closing`` so
    that stopping early (or an interrupt) kills the workers at once."""
    claims = list(claims)
    budget, memory = check_budget(budget), check_memory(memory)
    if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if not hasattr(os, "fork"):
        for k, c in enumerate(claims):   # no workers on this platform: no limits either
            yield k, judge_claim(c)
        return
    jobs = max(1, min(jobs or _cpus(), len(claims) or 1))
    yield from _schedule(claims, [Worker(memory) for _ in range(jobs)], budget)


def judge_all(claims, budget: float = DEFAULT_BUDGET, jobs: int | None = None,
              memory: float = DEFAULT_MEMORY_MB) -> list[Verdict]:
    """Judge claims, keeping their order (see :func:`judge_iter`)."""
    claims = list(claims)
    results: list[Verdict | None] = [None] * len(claims)
    with contextlib.closing(judge_iter(claims, budget, jobs, memory)) as it:
        for k, v in it:
            results[k] = v
    return results  # type: ignore[return-value]


def judge_with_budget(claim, budget: float = DEFAULT_BUDGET, memory: float = DEFAULT_MEMORY_MB) -> Verdict:
    """Judge one claim in a fresh worker under the limits."""
    return judge_all([claim], budget, 1, memory)[0]
