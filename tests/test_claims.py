"""One test walks the whole catalogue: every claim gets its expected verdict.

The expected verdicts live in tests/data/expected_verdicts.toml; the checker
never reads them.  Adding a claim needs a line there, not a new test.
"""
import tomllib
from pathlib import Path

import pytest

from nnderive.catalogue import catalogue_dir, load_paths

EXPECTED = {cid: verdict for table in tomllib.loads(
    (Path(__file__).parent / "data" / "expected_verdicts.toml").read_text()).values()
    for cid, verdict in table.items()}
CLAIMS, _ = load_paths([catalogue_dir()])


def test_catalogue_loads_cleanly(catalogue):
    claims, errors = catalogue
    assert errors == []
    assert len(claims) >= 150


def test_every_claim_has_an_expectation():
    ids = {c.id for c in CLAIMS}
    assert ids - set(EXPECTED) == set(), "claims without an expected verdict"
    assert set(EXPECTED) - ids == set(), "expected verdicts for claims that no longer exist"


def test_every_seed_is_catalogued():
    # the repository's own copy of the five seed sheets (tests never read ../shared)
    seeds = Path(__file__).resolve().parent / "data" / "seeds"
    sources = {c.source for c in CLAIMS}
    assert {p.name for p in seeds.glob("*.txt")} == sources
    assert len(sources) == 5


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_verdict(claim, verdicts):
    v = verdicts[claim.id]
    assert v.verdict == EXPECTED[claim.id], v.reason
    assert v.reason
    if v.verdict == "refuted":
        assert v.counterexample, "a refutation needs its counterexample"
    if v.verdict == "convention":
        assert v.convention["claim"] != v.convention["reference"] and v.convention["source"]
    if v.verdict == "undecided":
        assert v.evidence or "not supported" in v.reason or "not yet" in v.reason or "judged" in v.reason
    if v.verdict == "proved" and v.sizes:
        assert "explicit sizes" in v.reason
    if claim.latex and not claim.not_checkable:
        assert v.parsed or v.verdict == "undecided", "the claim as understood must be printed back"
