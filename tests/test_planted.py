"""Planted errors: a checker that never says "refuted" is not a checker.

Each mutant of a true claim (tests/data/planted.toml) must be refuted with a
counterexample, or, where the mutant is a named convention, get that verdict.
"""
from pathlib import Path

import pytest

from nnderive.judge import judge_all
from nnderive.catalogue import load_file

CLAIMS, ERRORS = load_file(Path(__file__).parent / "data" / "planted.toml")
CONVENTIONS = {"planted.convention.log10": "log base",
               "planted.convention.half_mse": "MSE scaling",
               "planted.convention.denominator_layout": "layout",
               "planted.adam.eps_inside": "Adam: eps_inside"}


@pytest.fixture(scope="module")
def planted():
    return {v.id: v for v in judge_all(CLAIMS, budget=60)}


def test_planted_file_loads():
    assert ERRORS == [] and len(CLAIMS) >= 20


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_planted_error_is_caught(claim, planted):
    v = planted[claim.id]
    if claim.id in CONVENTIONS:
        assert v.verdict == "convention", v.reason
        assert v.convention["axis"] == CONVENTIONS[claim.id]
    else:
        assert v.verdict == "refuted", v.reason
        assert v.counterexample
