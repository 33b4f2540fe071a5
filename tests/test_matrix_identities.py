"""Textbook matrix-calculus identities (tests/data/cookbook.toml, sources cited there):
each proved, each mutant refuted."""
from pathlib import Path

import pytest

from nnderive.judge import judge_all
from nnderive.catalogue import load_file

CLAIMS, ERRORS = load_file(Path(__file__).parent / "data" / "cookbook.toml")


@pytest.fixture(scope="module")
def judged():
    return {v.id: v for v in judge_all(CLAIMS, budget=60)}


def test_at_least_twenty_identities_each_with_a_mutant():
    assert ERRORS == []
    ids = {c.id for c in CLAIMS}
    originals = {i for i in ids if not i.endswith(".mutant")}
    assert len(originals) >= 20
    assert {i + ".mutant" for i in originals} == ids - originals


#: mutants that transpose a scalar-by-matrix derivative: true in numerator layout (the Cookbook uses the other)
LAYOUT_MUTANTS = {"mc71.bilinear_transposed.mutant", "mc101.trace_XA.mutant", "mc104.trace_XtA.mutant"}


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_identity_proved_and_mutant_refuted(claim, judged):
    v = judged[claim.id]
    if claim.id in LAYOUT_MUTANTS:
        # the mutant is the transpose: the identity of the other layout, named as such
        assert v.verdict == "convention" and v.convention["axis"] == "layout", v.reason
    elif claim.id.endswith(".mutant"):
        assert v.verdict == "refuted", v.reason
        assert v.counterexample
    else:
        assert v.verdict == "proved", v.reason
