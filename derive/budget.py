"""A time budget per claim: each claim is judged in a forked worker that is
killed when it runs over, so a hang or a blow-up in SymPy costs one claim."""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ThreadPoolExecutor

from .judge import judge_claim
from .verdict import Verdict

__all__ = ["judge_all", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 10.0


def _child(conn, claim):
    try:
        conn.send(judge_claim(claim))
    except BaseException as exc:  # report, never crash the run
        conn.send(Verdict(id=claim.id, source=claim.source, verdict="error",
                          reason=f"{claim.file}: claim {claim.id}: internal error: {type(exc).__name__}: {exc}",
                          error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                                 "message": f"internal error {type(exc).__name__}"}))
    finally:
        conn.close()


def judge_with_budget(claim, budget: float = DEFAULT_BUDGET) -> Verdict:
    if budget <= 0 or "fork" not in mp.get_all_start_methods():
        return judge_claim(claim)
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, claim), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    send.close()
    result = None
    if recv.poll(budget):
        try:
            result = recv.recv()
        except EOFError:
            result = None
    proc.join(0.5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    elapsed = time.perf_counter() - t0
    if result is None:
        if elapsed >= budget:
            return Verdict(id=claim.id, source=claim.source, verdict="undecided",
                           reason=f"timeout: no result within the {budget:g} s budget", seconds=round(elapsed, 3))
        return Verdict(id=claim.id, source=claim.source, verdict="error",
                       reason=f"{claim.file}: claim {claim.id}: the worker died (exit code {proc.exitcode})",
                       error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                              "message": "worker died"})
    return result


def judge_all(claims, budget: float = DEFAULT_BUDGET, jobs: int | None = None) -> list[Verdict]:
    """Judge claims in order; ``jobs`` workers at a time (default: the CPU count)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        return [judge_with_budget(c, budget) for c in claims]
    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(lambda c: judge_with_budget(c, budget), claims))
