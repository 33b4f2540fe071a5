r"""What a derivation in the mathematics layer found, before the judge makes a verdict of it.

A named result (a theorem about optimizers, initialisation, backpropagation) is a
computation whose outcome is a :class:`Finding`: the statement holds, fails (with the inputs
that show it), holds exactly under a condition the claim does not state, or is not decided.
The judge turns findings into verdicts; this layer never writes a verdict word.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Finding", "Theorem"]


@dataclass
class Finding:
    holds: bool | None                 # True: holds; False: fails (see counterexample); None: not decided
    reason: str
    steps: list = field(default_factory=list)
    counterexample: dict | None = None
    condition: str | None = None       # the statement holds exactly when this holds


@dataclass(frozen=True)
class Theorem:
    """A named result: its derivation, an independent numeric check, and the optimizer it is about."""

    name: str
    prove: Callable[[], Finding]
    check: Callable[[], tuple[bool, str]]   # numeric, independent of the derivation: (holds, what it found)
    algorithm: str = ""
