"""Every claim has a time budget; a claim over it is undecided (timeout) and the run goes on."""
from nnderive.judge import judge_all
from nnderive.catalogue import Claim

SLOW = Claim(id="slow", source="t", file="t.toml",
             latex=r"\sum_{k=1}^{200000} \frac{1}{k^2 + z^2} = 1", symbols={"z": "scalar real", "k": "index n"})
FAST = Claim(id="fast", source="t", file="t.toml", latex=r"\frac{d}{dz} z^3 = 3 z^2", symbols={"z": "scalar real"})


def test_timeout_is_undecided_and_the_run_goes_on():
    slow, fast = judge_all([SLOW, FAST], budget=2, jobs=1)
    assert slow.verdict == "undecided" and "timeout" in slow.reason
    assert 1.5 < slow.seconds < 10
    assert fast.verdict == "proved"


def test_order_is_kept_with_parallel_workers():
    claims = [FAST.__class__(**{**FAST.__dict__, "id": f"c{k}"}) for k in range(6)]
    assert [v.id for v in judge_all(claims, budget=20, jobs=2)] == [f"c{k}" for k in range(6)]
