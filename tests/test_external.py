"""The external corpus: claims quoted from public sources, judged with 0 wrong verdicts.

Expected verdicts (the mathematical truth, decided by hand) live in tests/data/external_verdicts/expected.toml;
the claims the checker cannot judge yet are listed in gaps.toml and must stay undecided or error. A gap
that starts getting its expected verdict fails the test until it is removed from the list."""
import tomllib
from pathlib import Path

import pytest

from nnderive.catalogue import load_paths
from nnderive.judge import judge_all

DIR = Path(__file__).parent / "data" / "external"
EXPECTED = tomllib.loads((DIR.parent / "external_verdicts" / "expected.toml").read_text())["verdicts"]
_LISTS = tomllib.loads((DIR.parent / "external_verdicts" / "gaps.toml").read_text())
GAPS, EXPLICIT_ONLY = _LISTS["gaps"], _LISTS.get("explicit_only", {})
CLAIMS, ERRORS = load_paths([DIR])


@pytest.fixture(scope="module")
def verdicts():
    return {v.id: v for v in judge_all(CLAIMS, budget=60)}


def test_corpus_shape():
    sources = {c.source for c in CLAIMS}
    mutants = [c for c in CLAIMS if ".mutant." in c.id]
    assert ERRORS == [] and len(CLAIMS) >= 150 and len(sources) >= 6 and len(mutants) >= len(CLAIMS) / 3
    assert {c.id for c in CLAIMS} == set(EXPECTED)
    assert set(GAPS) <= set(EXPECTED) and set(EXPLICIT_ONLY) <= set(EXPECTED) and not set(GAPS) & set(EXPLICIT_ONLY)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_no_wrong_verdict(claim, verdicts):
    v = verdicts[claim.id]
    if claim.id in GAPS:
        assert v.verdict in ("undecided", "error"), f"a wrong verdict, or a gap closed (remove it): {v.verdict}: {v.reason}"
    else:
        assert v.verdict == EXPECTED[claim.id], v.reason


def test_figures(verdicts):
    """The figures the README quotes (printed with -s)."""
    true = [c for c in EXPECTED if ".mutant." not in c and EXPECTED[c] == "proved"]
    mutants = [c for c in EXPECTED if ".mutant." in c]
    wrong = [c for c, v in verdicts.items() if v.verdict not in (EXPECTED[c], "undecided", "error")]
    proved = sum(verdicts[c].verdict == "proved" for c in true)
    caught = sum(verdicts[c].verdict == EXPECTED[c] for c in mutants)
    # a general claim proved only at explicit sizes is listed: it is not proved for general n
    explicit = {c for c in true if verdicts[c].verdict == "proved" and "not for general size" in verdicts[c].reason}
    general = proved - len(explicit)
    print(f"\nexternal corpus: {len(verdicts)} claims, {len(wrong)} wrong verdicts, true claims proved "
          f"{proved}/{len(true)} ({proved / len(true):.0%}), for general size {general}/{len(true)} "
          f"({general / len(true):.0%}), mutants caught {caught}/{len(mutants)} ({caught / len(mutants):.0%})")
    assert wrong == []
    assert explicit == set(EXPLICIT_ONLY), "proved only at explicit sizes: update [explicit_only] in gaps.toml"
