"""``nnderive bench``: what checking the catalogue costs, the way a user meets it.

* **cold**: a fresh interpreter runs ``nnderive check -j 1 --json`` pinned to one
  core, with an empty result cache (imports, parser and SymPy caches all cold; the
  bytecode compiled beforehand, as an installed copy has it);
* **warm**: the same command again, every verdict now from the cache (the
  re-check on every save); its output must equal the cold one;
* **slowest claims** and **per source**: from the cold run's per-claim seconds;
* **where the time goes**: one pass in this process with its stack sampled every
  5 ms: the time by the innermost nnderive function on the stack (the stage: its
  own code and the library calls below it) and by the library the leaf frame is
  in (reading LaTeX, the judge, each mathematics module, each SymPy subpackage).

``--json`` prints the same figures as one object.  ``--step`` (the training-step
benchmark) lives in :mod:`nnderive.numeric.bench`.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from .catalogue import load_paths
from .judge import judge_claim

__all__ = ["run", "measure", "area_of", "format_figures"]


def _one_core_env(cache_home: str) -> dict:
    # bytecode in a private prefix, compiled by an untimed first import: pip compiles an installed
    # package's bytecode, and an environment with PYTHONDONTWRITEBYTECODE would recompile all of
    # nnderive's sources (0.4 s) on every run, a cost no installed copy pays
    env = dict(os.environ, XDG_CACHE_HOME=cache_home, NO_COLOR="1",
               PYTHONPYCACHEPREFIX=os.path.join(cache_home, "bytecode"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _pin_one_core():
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass


def _timed_check(paths, cache_home: str) -> dict:
    """One ``nnderive check -j 1 --json`` in a fresh interpreter: wall, CPU (with its workers), peak RSS."""
    cmd = [sys.executable, "-m", "nnderive", "check", "-j", "1", "--json", *map(str, paths)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_one_core_env(cache_home),
                          preexec_fn=_pin_one_core)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        records = json.loads(proc.stdout)
    except json.JSONDecodeError:
        records = None
    return {"wall_seconds": round(wall, 3),
            "cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3),
            "peak_rss_mb": round(after.ru_maxrss / 1024, 1), "exit_status": proc.returncode,
            "records": records, "stderr": proc.stderr[-2000:]}


#: (path fragment, area): the first fragment found in a profiled function's file names its area
AREAS = [
    ("/nnderive/notation/", "nnderive.notation (reading the claim text)"),
    ("/derive/notation/", "nnderive.notation (reading the claim text)"),
    ("/judge/reading.py", "nnderive.judge.reading (reading the claim text)"),
    ("/judge/", "nnderive.judge (the judge)"),
    ("latex2sympy2", "latex2sympy2 + antlr4 (LaTeX parser)"),
    ("antlr4", "latex2sympy2 + antlr4 (LaTeX parser)"),
]


def area_of(filename: str) -> str:
    """The area a profiled function belongs to, from its file name.

    >>> area_of("/x/site-packages/sympy/simplify/simplify.py")
    'sympy.simplify'
    >>> area_of("/x/derive/mathematics/zero.py")
    'nnderive.mathematics.zero'
    >>> area_of("~")
    'Python built-ins'
    """
    f = filename.replace("\\", "/")
    for frag, area in AREAS:
        if frag in f:
            return area
    for root in ("/nnderive/mathematics/", "/derive/mathematics/"):
        if root in f:
            return "nnderive.mathematics." + Path(f).stem
    if "/sympy/" in f:
        sub = f.split("/sympy/", 1)[1].split("/")
        return "sympy." + (sub[0] if len(sub) > 1 else Path(sub[0]).stem)
    if "/nnderive/" in f or "/derive/" in f:
        return "nnderive (other)"
    if f in ("~", "") or f.startswith("<"):
        return "Python built-ins"
    return "Python standard library and others"


_PACKAGE = str(Path(__file__).resolve().parent)


def _owner(frame) -> str | None:
    """``module:function`` of the innermost frame of nnderive's own code, or None."""
    while frame is not None:
        f = frame.f_code.co_filename
        if f.startswith(_PACKAGE):
            rel = Path(f).relative_to(_PACKAGE).with_suffix("").as_posix().replace("/", ".")
            return f"{rel}:{frame.f_code.co_name}"
        frame = frame.f_back
    return None


def _profile(claims, interval: float = 0.005) -> tuple[float, list, list, dict]:
    """Judge the claims in this process while a thread samples the main thread's stack.

    Each sample is charged to the innermost nnderive function on the stack (its own code
    and the library code it calls: the stage) and to the area of the leaf frame (which
    library does the work).  Sampling does not slow the judge the way cProfile's
    per-call hooks do (4x on SymPy-heavy code), so the shares are those of a real run.
    """
    main = threading.get_ident()
    stages: Counter = Counter()
    areas: Counter = Counter()
    done = threading.Event()

    def sample():
        while not done.wait(interval):
            leaf = sys._current_frames().get(main)
            if leaf is None:
                continue
            stages[_owner(leaf) or "outside nnderive"] += 1
            areas[area_of(leaf.f_code.co_filename)] += 1

    thread = threading.Thread(target=sample, daemon=True)
    cpu: dict[str, float] = {}
    t0 = time.perf_counter()
    thread.start()
    try:
        for c in claims:
            c0 = time.process_time()
            judge_claim(c)
            cpu[c.id] = round(time.process_time() - c0, 3)
    finally:
        done.set()
        thread.join()
    total = time.perf_counter() - t0
    n = sum(stages.values()) or 1

    def rows(counter, key):
        return [{key: k, "seconds": round(total * m / n, 3), "share": round(m / n, 4)}
                for k, m in counter.most_common()]
    return total, rows(areas, "area"), rows(stages, "function"), cpu


def _without_seconds(records):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def measure(paths, top: int = 15, profile: bool = True) -> dict:
    """The figures of ``nnderive bench`` as one dictionary."""
    claims, errors = load_paths(paths)
    with tempfile.TemporaryDirectory(prefix="nnderive-bench-") as cache_home:
        subprocess.run([sys.executable, "-c", "import nnderive.cli"], env=_one_core_env(cache_home), check=False)
        cold = _timed_check(paths, cache_home)
        warm = _timed_check(paths, cache_home)
    records = cold.pop("records") or []
    same = _without_seconds(records) == _without_seconds(warm.pop("records") or [])
    ids = {c.id for c in claims}
    judged = [r for r in records[len(errors):] if r["id"] in ids]   # the load errors come first
    per_source = defaultdict(float)
    for r in judged:
        per_source[r["source"]] += r["seconds"]
    slow = sorted(judged, key=lambda r: -r["seconds"])[:top]
    out = {
        "claims": len(claims), "load_errors": len(errors), "cpus": 1,
        "cold": cold, "warm": warm,
        "warm_over_cold": round(warm["wall_seconds"] / cold["wall_seconds"], 4) if cold["wall_seconds"] else None,
        "warm_output_equals_cold": same,
        "verdicts": dict(Counter(r["verdict"] for r in judged)),
        "judge_seconds_sum": round(sum(r["seconds"] for r in judged), 3),
        "per_source": {k: round(v, 3) for k, v in sorted(per_source.items())},
        "slowest": [{"id": r["id"], "verdict": r["verdict"], "seconds": r["seconds"]} for r in slow],
    }
    if profile:
        # Claims that ran out of budget in the cold run are left out: here nothing limits them.
        limited = {r["id"] for r in records if "timeout_seconds" in (r.get("evidence") or {})
                   or "memory_mb" in (r.get("evidence") or {})}
        total, areas, inclusive, cpu = _profile([c for c in claims if c.id not in limited])
        for r in out["slowest"]:
            r["cpu_seconds_in_process"] = cpu.get(r["id"])
        out["profile"] = {"seconds": round(total, 3), "left_out": sorted(limited), "areas": areas,
                          "functions": inclusive[:top]}
    return out


def format_figures(fig: dict) -> str:
    """The figures as the text ``nnderive bench`` prints."""
    cold, warm = fig["cold"], fig["warm"]
    lines = [f"catalogue: {fig['claims']} claims ({fig['load_errors']} load errors); one core, fresh interpreters",
             f"cold  nnderive check -j 1 (empty cache): {cold['wall_seconds']:8.2f} s wall, "
             f"{cold['cpu_seconds']:.2f} s CPU, peak {cold['peak_rss_mb']:.0f} MB (largest process)",
             f"warm  the same, every verdict cached:    {warm['wall_seconds']:8.2f} s wall "
             f"(warm / cold = {fig['warm_over_cold']:.3f}; same output: {'yes' if fig['warm_output_equals_cold'] else 'NO'})",
             f"sum of per-claim judging times:          {fig['judge_seconds_sum']:8.2f} s",
             "", "verdicts: " + ", ".join(f"{n} {w}" for w, n in sorted(fig["verdicts"].items())),
             "", "per source (cold):"]
    lines += [f"  {src:36s} {t:7.2f} s" for src, t in fig["per_source"].items()]
    lines += ["", f"slowest {len(fig['slowest'])} claims (cold wall time; CPU time in the pass below):"]
    lines += [f"  {r['seconds']:7.2f} s" + (f"  {r['cpu_seconds_in_process']:7.2f} s CPU"
                                            if r.get("cpu_seconds_in_process") is not None else "")
              + f"  {r['verdict']:13s} {r['id']}" for r in fig["slowest"]]
    prof = fig.get("profile")
    if prof:
        lines += ["", f"where the time goes (one pass of {prof['seconds']:.2f} s in this process, stack sampled "
                      "every 5 ms), by the innermost nnderive function:"]
        lines += [f"  {f['seconds']:7.2f} s  {100 * f['share']:5.1f} %  {f['function']}" for f in prof["functions"]]
        lines += ["", "by the library doing the work:"]
        lines += [f"  {a['seconds']:7.2f} s  {100 * a['share']:5.1f} %  {a['area']}" for a in prof["areas"][:12]]
        if prof["left_out"]:
            lines += ["", "left out of the profile (over a limit in the cold run): " + ", ".join(prof["left_out"])]
    if cold["exit_status"] not in (0, 1):
        lines += ["", f"the cold run exited with status {cold['exit_status']}: {cold['stderr']}"]
    return "\n".join(lines)


def run(args) -> int:
    fig = measure(args.paths, top=args.top, profile=not getattr(args, "no_profile", False))
    if getattr(args, "json", False):
        json.dump(fig, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_figures(fig))
    return 0 if fig["cold"]["exit_status"] in (0, 1) else 1
