"""Issue 12's notation items, walked as one catalogue (tests/data/notation.toml): each item a true claim
that must be proved and a mutant ("<id>.mutant") that must be refuted.  Items not read yet are strict
xfails naming what the checker says today; one that starts working fails as XPASS until it leaves GAPS."""
from pathlib import Path

import pytest

from nnderive.catalogue import load_file
from nnderive.judge import judge_all

DATA = Path(__file__).parent / "data" / "notation.toml"
CLAIMS, ERRORS = load_file(DATA)

#: id -> what the checker says today (never a wrong verdict: undecided or an error)
GAPS: dict = {}


def expected(cid: str) -> str:
    return "refuted" if cid.endswith(".mutant") else "proved"


@pytest.fixture(scope="module")
def verdicts():
    return {v.id: v for v in judge_all(CLAIMS, budget=60)}


def test_every_item_has_its_mutant():
    ids = {c.id for c in CLAIMS}
    assert ERRORS == [] and len(ids) == len(CLAIMS) >= 90
    assert {i for i in ids if not i.endswith(".mutant")} == {i[:-len(".mutant")] for i in ids if i.endswith(".mutant")}
    assert set(GAPS) <= ids


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_item(claim, verdicts, request):
    v = verdicts[claim.id]
    if claim.id in GAPS:
        assert v.verdict in ("undecided", "error"), f"a gap gave a verdict: {v.verdict}: {v.reason}"
        request.applymarker(pytest.mark.xfail(strict=True, reason=GAPS[claim.id]))
    assert v.verdict == expected(claim.id), v.reason
