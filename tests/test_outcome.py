"""How the outcomes of a claim's relations combine: proved only when every relation is proved."""
import itertools

import pytest

from nnderive.judge.outcome import ORDER, Outcome, combine
from nnderive.verdict import VERDICTS


def test_every_verdict_word_has_a_place():
    assert sorted(ORDER) == sorted(VERDICTS)


@pytest.mark.parametrize("words", list(itertools.product(VERDICTS, repeat=2)))
def test_proved_only_when_all_are(words):
    out = combine([Outcome(w, f"link {k}: {w}") for k, w in enumerate(words)])
    assert (out.verdict == "proved") == all(w == "proved" for w in words)
    assert out.verdict in words


def test_an_error_in_one_link_is_the_claims_error():
    # a chain a = b = c with the second link an internal inconsistency was reported proved
    out = combine([Outcome("proved", "first link"), Outcome("error", "internal inconsistency")])
    assert out.verdict == "error" and "inconsistency" in out.reason
    assert combine([Outcome("error", "e"), Outcome("refuted", "r")]).verdict == "refuted"


def test_nothing_to_combine_is_not_a_verdict():
    with pytest.raises(ValueError):
        combine([])
