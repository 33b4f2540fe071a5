"""``nnderive bench``: wall time of checking the catalogue, cold and warm, per claim.

* cold: a fresh interpreter runs ``nnderive check -j 1`` (imports, parser and
  SymPy caches all empty), the way a user meets it;
* warm: the same claims judged twice in this process; the second pass has
  warm caches, the ratio shows what caching buys;
* where the time goes: one profiled pass, grouped by stage.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict

import sympy as sp

from .catalogue import Claim, load_paths
from .judge import judge_claim
from .judge.derivation import evaluate
from .judge.equation import general_proof as _general_proof
from .judge.sampling import explicit as _explicit
from .mathematics.zero import is_zero
from .judge.interpret import prepare

__all__ = ["run"]

STAGES = [  # (label, module, attribute): outermost calls are timed, nested ones not double counted
    ("read the LaTeX (grammar + interpretation)", "nnderive.judge.interpret", "Interpreter.readings"),
    ("substitute definitions + differentiate", "nnderive.judge.engine", "evaluate"),
    ("zero test (expand / cancel / simplify)", "nnderive.judge.engine", "is_zero"),
    ("counterexample search / sampling", "nnderive.judge.engine", "_search"),
    ("extremum for bounds", "nnderive.judge.engine", "judge_bound"),
    ("Taylor series for asymptotic claims", "nnderive.judge.engine", "judge_asymptotic"),
]


def _one_core_env():
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _timed_pass(claims) -> tuple[float, dict[str, float]]:
    """Judge every claim once with the stage functions wrapped in timers."""
    import importlib
    totals = defaultdict(float)
    active = set()
    patches = []
    for label, modname, attr in STAGES:
        owner = importlib.import_module(modname)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def wrapper(*a, _orig=original, _label=label, **k):
            if _label in active:
                return _orig(*a, **k)
            active.add(_label)
            t = time.perf_counter()
            try:
                return _orig(*a, **k)
            finally:
                totals[_label] += time.perf_counter() - t
                active.discard(_label)
        setattr(owner, name, wrapper)
        patches.append((owner, name, original))
    t0 = time.perf_counter()
    try:
        for c in claims:
            judge_claim(c)
    finally:
        for owner, name, original in patches:
            setattr(owner, name, original)
    return time.perf_counter() - t0, dict(totals)


def _general_n_costs():
    """Cost of the symbolic-n proofs, and of the explicit-size cross-check as n grows."""
    sym = {"z": "vector n real", "a": "vector n (0,1)", "y": "vector n [0,1]", "L": "scalar real",
           "i": "index n", "j": "index n"}
    fn = {r"\operatorname{softmax}": "softmax"}
    cases = {
        "softmax Jacobian": Claim(id="j", source="b", file="b", latex=r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j)",
                                  definitions=[r"a = \operatorname{softmax}(z)"], symbols=sym, functions=fn),
        "softmax + CE": Claim(id="c", source="b", file="b", latex=r"\frac{\partial L}{\partial z} = a - y",
                              definitions=[r"L = -\sum_i y_i \log a_i", r"a = \operatorname{softmax}(z)"],
                              given=[r"\sum_i y_i = 1"], symbols=sym, functions=fn),
    }
    print("\nproofs for every n (index notation, one claim each):")
    for label, c in cases.items():
        t0 = time.perf_counter()
        scope, it, defs = prepare(c)
        given = [(lambda ch: ch[0] - ch[2])(it.readings(g)[0][0][0]) for g in c.given]
        lhs, _, rhs = it.readings(c.latex)[0][0][0]
        ok, _ = _general_proof(lhs, rhs, scope, defs, given)
        print(f"  {label:18s} {'proved' if ok else 'NOT proved':10s} {time.perf_counter() - t0:6.2f} s")
    print("\nexplicit-size cross-check of the softmax Jacobian, every entry (i, j):")
    c = cases["softmax Jacobian"]
    scope, it, defs = prepare(c)
    lhs, _, rhs = it.readings(c.latex)[0][0][0]
    n = sp.Symbol("n", integer=True, positive=True)
    i, j = (scope.symbols[k].obj for k in ("i", "j"))
    prev = None
    for size in (2, 3, 4, 6, 8, 12, 16, 20):
        t0 = time.perf_counter()
        ex_defs = {_explicit(k, {n: size}, {}): _explicit(v, {n: size}, {}) for k, v in defs.items()}
        for a in (1, 2):  # two rows suffice to time the growth; every column
            for b in range(1, size + 1):
                inst = {i: sp.Integer(a), j: sp.Integer(b)}
                d = evaluate(_explicit(lhs, {n: size}, inst), ex_defs) - evaluate(_explicit(rhs, {n: size}, inst), ex_defs)
                assert is_zero(d)
        per_entry = (time.perf_counter() - t0) / (2 * size)
        growth = "" if prev is None else f"  x{per_entry / prev[1]:.2f} per entry for n x{size / prev[0]:.1f}"
        print(f"  n = {size:2d}: {per_entry * 1000:8.1f} ms per entry, {per_entry * size * size:7.2f} s for all n^2{growth}")
        prev = (size, per_entry)


def run(args) -> int:
    claims, errors = load_paths(args.paths)
    print(f"catalogue: {len(claims)} claims ({len(errors)} load errors), one core")
    cmd = [sys.executable, "-m", "derive", "check", "-j", "1", "--json", *map(str, args.paths)]
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env=_one_core_env())
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    first = [judge_claim(c) for c in claims]
    pass1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = [judge_claim(c) for c in claims]
    pass2 = time.perf_counter() - t0
    timed_total, stages = _timed_pass(claims)
    print(f"cold  (fresh interpreter, nnderive check -j 1): {cold:7.2f} s")
    print(f"warm  pass 1 in this process:                  {pass1:7.2f} s")
    print(f"warm  pass 2 in this process:                  {pass2:7.2f} s   "
          f"(pass 2 / cold = {pass2 / cold:.2f}x)")
    assert [v.verdict for v in first] == [v.verdict for v in second], "verdicts must not depend on caches"
    by_source = defaultdict(float)
    for v in first:
        by_source[v.source] += v.seconds
    print("\nper source (pass 1):")
    for src, t in sorted(by_source.items()):
        print(f"  {src:32s} {t:6.2f} s")
    print(f"\nslowest {args.top} claims (pass 1 / pass 2):")
    for v1, v2 in sorted(zip(first, second), key=lambda p: -p[0].seconds)[: args.top]:
        print(f"  {v1.seconds:6.2f} s  {v2.seconds:6.2f} s  {v1.verdict:13s} {v1.id}")
    _general_n_costs()
    print(f"\nwhere the time goes (a timed pass of {timed_total:.2f} s; stages overlap where one calls another):")
    for label, t in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {label:42s} {t:6.2f} s  {100 * t / timed_total:5.1f}%")
    return 0
