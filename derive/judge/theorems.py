r"""Named results a claim states (``theorem = "..."``): derived in the mathematics layer, each
re-checked numerically by its own independent check before its finding becomes a verdict."""
from __future__ import annotations

import functools

import mpmath

from ..mathematics.backprop import THEOREMS as BACKPROP_THEOREMS
from ..mathematics.initialization import THEOREMS as INIT_THEOREMS
from ..mathematics.optimizers import THEOREMS as OPTIMIZER_THEOREMS
from ..mathematics.sequences import THEOREMS as SEQUENCE_THEOREMS
from .interpret import ClaimError
from .outcome import Outcome

__all__ = ["all_theorems", "judge_theorem", "theorem_algorithm", "finding_outcome"]


def all_theorems() -> dict:
    """Every named result the mathematics layer derives, by name."""
    return {**OPTIMIZER_THEOREMS, **INIT_THEOREMS, **BACKPROP_THEOREMS, **SEQUENCE_THEOREMS}


def theorem_algorithm(name: str) -> str:
    """The optimizer a theorem is about ('' if none): a relation in the claim is judged with its definitions."""
    if not name:
        return ""
    th = all_theorems().get(name)
    return th.algorithm if th is not None else ""


@functools.lru_cache(maxsize=None)
def _run(name):
    th = all_theorems()[name]
    with mpmath.workdps(50):
        return th.prove(), th.check()


def finding_outcome(finding, check=None) -> Outcome:
    """A finding as an outcome: its verdict comes from ``finding.holds`` and must agree with ``check``."""
    if check is not None and finding.holds is not None or finding.condition is not None and check is not None:
        expected = False if finding.condition is not None else finding.holds
        holds, detail = check
        if holds != expected:
            return Outcome("error", f"internal inconsistency: the derivation finds the statement "
                           f"{'true' if finding.holds else 'false'}, but the independent numeric check finds it "
                           f"{'true' if holds else 'false'} ({detail})", steps=list(finding.steps))
    if finding.condition is not None:
        return Outcome("undecided", f"{finding.reason}: it holds exactly when ${finding.condition}$, a condition "
                       "the claim does not state", steps=list(finding.steps), counterexample=finding.counterexample,
                       evidence={"condition": finding.condition})
    if finding.holds is None:
        return Outcome("undecided", f"not decided: {finding.reason}", steps=list(finding.steps))
    verdict = "proved" if finding.holds else "refuted"
    out = Outcome(verdict, finding.reason, steps=list(finding.steps), counterexample=finding.counterexample)
    if check is not None:
        out.recheck = check[1]
    return out


def judge_theorem(claim) -> Outcome:
    known = all_theorems()
    if claim.theorem not in known:
        raise ClaimError(f"unknown theorem {claim.theorem!r} (known: {', '.join(sorted(known))})", "theorem", None)
    finding, check = _run(claim.theorem)
    return finding_outcome(finding, check)
