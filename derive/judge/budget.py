"""A time budget per claim.

Claims are judged in persistent forked workers (warm SymPy and parser caches);
a worker that runs over a claim's budget is killed and replaced, so a hang or
a blow-up in SymPy costs that one claim and the run goes on.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time

from ..verdict import Verdict
from .engine import judge_claim

__all__ = ["judge_all", "judge_with_budget", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 10.0


def _internal_error(claim, exc) -> Verdict:
    return Verdict(id=claim.id, source=claim.source, verdict="error",
                   reason=f"{claim.file}: claim {claim.id}: internal error: {type(exc).__name__}: {exc}",
                   error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                          "message": f"internal error {type(exc).__name__}"})


def _serve(conn):
    while True:
        try:
            claim = conn.recv()
        except EOFError:
            return
        if claim is None:
            return
        try:
            conn.send(judge_claim(claim))
        except BaseException as exc:  # report, never crash the run
            conn.send(_internal_error(claim, exc))


class Worker:
    """One forked judge; restarted after a timeout or a crash."""

    def __init__(self):
        self.proc = None
        self.conn = None

    def _start(self):
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def stop(self):
        if self.proc is not None:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.proc.join(1)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()
            self.proc = None

    def judge(self, claim, budget: float) -> Verdict:
        if self.proc is None or not self.proc.is_alive():
            self._start()
        t0 = time.perf_counter()
        try:
            self.conn.send(claim)
            if self.conn.poll(budget):
                return self.conn.recv()
        except (EOFError, BrokenPipeError, OSError):
            pass
        elapsed = time.perf_counter() - t0
        died = not self.proc.is_alive()
        self.proc.kill()
        self.proc.join()
        self.proc = None
        if died and elapsed < budget:
            return Verdict(id=claim.id, source=claim.source, verdict="error",
                           reason=f"{claim.file}: claim {claim.id}: the judging process died",
                           error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                                  "message": "worker died"}, seconds=round(elapsed, 3))
        return Verdict(id=claim.id, source=claim.source, verdict="undecided",
                       reason=f"timeout: no result within the {budget:g} s budget",
                       evidence={"timeout_seconds": budget}, seconds=round(elapsed, 3))


def judge_with_budget(claim, budget: float = DEFAULT_BUDGET) -> Verdict:
    if budget <= 0 or "fork" not in mp.get_all_start_methods():
        return judge_claim(claim)
    w = Worker()
    try:
        return w.judge(claim, budget)
    finally:
        w.stop()


def judge_all(claims, budget: float = DEFAULT_BUDGET, jobs: int | None = None) -> list[Verdict]:
    """Judge claims, keeping their order; ``jobs`` workers at once (default: the CPU count)."""
    claims = list(claims)
    if budget <= 0 or "fork" not in mp.get_all_start_methods():
        return [judge_claim(c) for c in claims]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(claims) or 1))
    results: list[Verdict | None] = [None] * len(claims)
    todo: queue.Queue = queue.Queue()
    for k, c in enumerate(claims):
        todo.put(k)

    def run():
        w = Worker()
        try:
            while True:
                try:
                    k = todo.get_nowait()
                except queue.Empty:
                    return
                results[k] = w.judge(claims[k], budget)
        finally:
            w.stop()

    threads = [threading.Thread(target=run) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results  # type: ignore[return-value]
