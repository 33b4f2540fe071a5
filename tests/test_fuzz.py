"""Random and mutated LaTeX and claim files: a clean per-claim verdict or error, never a crash or hang."""
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnderive.judge.budget import Worker
from nnderive.catalogue import Claim, catalogue_dir, load_file, load_paths
from nnderive.verdict import VERDICTS

CLAIMS, _ = load_paths([catalogue_dir()])
LATEX = [c for c in CLAIMS if c.latex and not c.not_checkable]
FILES = sorted(catalogue_dir().glob("*.toml"))
FRAGMENTS = [r"\frac{", "}", "{", "^", "_", "(", ")", r"\sum_i", r"\sigma", "z", "a", "x^T", r"\odot", "=", r"\approx",
             r"\le", "+", "-", "0.5", "2", r"\log", r"\partial", "d", r"\begin{cases}", r"\end{cases}", "&", r"\\",
             r"\|", "|", r"\mathrm{eval}", r"\operatorname{__import__}", "'", "%", "é", r"\in \mathbb{R}^{n}",
             "^{(l)}", r"\hat{y}_i", r"\delta_{ij}", r"\left(", r"\right)", "9^{9^{9^{9}}}", r"\sqrt{", ","]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.stop()


def check(worker, claim):
    v = worker.judge(claim, budget=10)
    assert v.verdict in VERDICTS
    assert v.reason
    assert "Traceback" not in v.reason
    if v.verdict == "error":
        assert v.error["file"] == claim.file and v.error["id"] == claim.id
    return v


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12))
def test_random_latex(worker, parts):
    base = LATEX[0]
    check(worker, dataclasses.replace(base, id="fuzz", latex=" ".join(parts)))


@SETTINGS
@given(st.sampled_from(LATEX), st.integers(0, 10_000), st.sampled_from(FRAGMENTS),
       st.sampled_from(["insert", "delete", "replace", "swap"]))
def test_mutated_catalogue_latex(worker, claim, where, fragment, how):
    s = claim.latex
    k = where % (len(s) + 1)
    if how == "insert":
        s = s[:k] + fragment + s[k:]
    elif how == "delete":
        s = s[:k] + s[k + 3:]
    elif how == "replace":
        s = s[:k] + fragment + s[k + len(fragment):]
    else:
        s = s[k:] + s[:k]
    check(worker, dataclasses.replace(claim, latex=s))


@SETTINGS
@given(st.sampled_from(FILES), st.integers(0, 100_000), st.text(max_size=8))
def test_mutated_claim_files(tmp_path_factory, worker, path, where, junk):
    text = path.read_text()
    k = where % (len(text) + 1)
    p = tmp_path_factory.mktemp("fuzz") / path.name
    p.write_text(text[:k] + junk + text[k + len(junk):])
    claims, errors = load_file(p)
    for e in errors:
        assert e.file == path.name and e.message
    for c in claims[:3]:
        check(worker, c)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["z", "a", "x", r"\hat{y}", "W"]),
                       st.sampled_from(["scalar real", "vector n", "matrix m n", "vector", "bogus", "index n",
                                        "scalar (0,1)", "ones n", ""]), max_size=4))
def test_random_declarations(worker, symbols):
    check(worker, Claim(id="decl", source="t", file="t.toml", latex=r"\frac{d}{dz} a = x^T W", symbols=symbols))
