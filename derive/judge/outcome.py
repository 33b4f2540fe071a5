r"""The typed result of one judge, and how the results of a claim's relations combine."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Outcome", "combine"]


@dataclass
class Outcome:
    """What one judge found: the verdict word and everything the report and the re-check need."""

    verdict: str                       # proved | refuted | convention | undecided | not checkable
    reason: str
    steps: list = field(default_factory=list)        # [(rule, latex)]
    counterexample: dict | None = None               # printed inputs and both sides' values
    point: dict | None = None                        # the counterexample's exact inputs (SymPy atom -> value)
    entry: tuple | None = None                       # the (row, column) of an array claim that differs
    corrected: str | None = None                     # LaTeX of the corrected formula
    derived: object = None                           # the derived left side, for the corrected formula
    defs: dict | None = None
    convention: dict | None = None
    evidence: dict | None = None
    sizes: list | None = None                        # explicit sizes a proof covers, if not general
    instantiated: bool = False                       # arbitrary functions were given an instance
    recheck: str | None = None                       # what the independent evaluation found


#: how the outcomes of several relations of one claim combine: the first word found wins, so the claim is
#: proved only when every relation is (an error in one link of a chain is the claim's error, never hidden)
ORDER = ("refuted", "error", "undecided", "convention", "not checkable", "proved")


def combine(outcomes: list[Outcome]) -> Outcome:
    """All relations must hold: any refuted makes the claim refuted, any undecided undecided, ..."""
    for word in ORDER:
        hits = [o for o in outcomes if o.verdict == word]
        if not hits:
            continue
        if word == "proved" and len(outcomes) > 1:
            sizes = [o.sizes for o in outcomes if o.sizes]
            reasons = list(dict.fromkeys(o.reason for o in outcomes))
            checks = list(dict.fromkeys(o.recheck for o in outcomes if o.recheck))
            return Outcome("proved", "; ".join(reasons), steps=[s for o in outcomes for s in o.steps],
                           sizes=sizes[0] if sizes else None, recheck="; ".join(checks) or None)
        return hits[0]
    raise ValueError(f"no outcome to combine, or an unknown verdict: {[o.verdict for o in outcomes]}")
