"""The Python API: nnderive.check / load / check_file, the same verdicts as the command line."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import nnderive
from nnderive import ClaimFileError, Verdict

ROOT = Path(__file__).resolve().parents[1]
SIGMOID = dict(symbols={"z": "scalar real", "a": "scalar (0,1)"}, definitions=[r"a = \sigma(z)"],
               functions={r"\sigma": "sigmoid"})


def test_check_returns_a_verdict():
    v = nnderive.check(r"\frac{d}{dz} z^2 = 2 z", symbols={"z": "scalar real"})
    assert isinstance(v, Verdict) and v.verdict == "proved" and v.id == "claim" and v.source == "<python>"


def test_check_refutes_with_a_counterexample_and_a_correction():
    v = nnderive.check(r"\frac{da}{dz} = a(1 + a)", **SIGMOID)
    assert v.verdict == "refuted" and v.counterexample and v.corrected


def test_check_with_given_and_other_fields():
    v = nnderive.check(r"\frac{\partial L}{\partial z} = a - y", id="ce",
                       symbols={"z": "vector n real", "a": "vector n (0,1)", "y": "vector n [0,1]",
                                "L": "scalar real", "i": "index n"},
                       definitions=[r"L = -\sum_i y_i \log a_i", r"a = \operatorname{softmax}(z)"],
                       given=r"\sum_i y_i = 1", functions={r"\operatorname{softmax}": "softmax"}, sizes=[2, 3])
    assert v.verdict == "proved" and v.id == "ce"
    v = nnderive.check(r"w \leftarrow w - \eta g", symbols={"w": "scalar real", r"\eta": "scalar positive",
                                                            "g": "scalar real"},
                       algorithm="gd", roles={"w": "param", r"\eta": "lr", "g": "grad"})
    assert v.verdict == "proved"


def test_a_mistake_in_the_claim_is_an_error_verdict_not_an_exception():
    v = nnderive.check(r"\frac{d}{dz} q = 1", symbols={"z": "scalar real"})
    assert v.verdict == "error" and v.error["field"] == "latex" and v.error["position"] == 13


@pytest.mark.parametrize("kwargs,message", [
    (dict(tolerance=1e-3), "unknown claim field"),
    (dict(symbols={"z": 1}), "symbols"),
    (dict(definitions=[1]), "definitions"),
    (dict(sizes=[0]), "sizes"),
])
def test_wrong_arguments_are_type_errors(kwargs, message):
    with pytest.raises(TypeError, match=message):
        nnderive.check("z = z", **{"symbols": {"z": "scalar real"}, **kwargs})


def test_the_same_verdict_as_the_command_line(tmp_path):
    f = tmp_path / "f.toml"
    f.write_text("[[claims]]\nid = 'claim'\nlatex = '\\frac{da}{dz} = a(1 + a)'\ndefinitions = ['a = \\sigma(z)']\n"
                 "symbols = { z = 'scalar real', a = 'scalar (0,1)' }\nfunctions = { '\\sigma' = 'sigmoid' }\n")
    cli = json.loads(subprocess.run([sys.executable, "-m", "nnderive", "check", str(f), "--json", "--no-cache"],
                                    capture_output=True, text=True, cwd=ROOT).stdout)[0]
    api = json.loads(json.dumps(nnderive.check(r"\frac{da}{dz} = a(1 + a)", **SIGMOID).to_dict()))
    drop = {"source", "seconds"}
    assert {k: v for k, v in api.items() if k not in drop} == {k: v for k, v in cli.items() if k not in drop}
    assert [v.to_dict()["verdict"] for v in nnderive.check_file(f)] == [cli["verdict"]]


def test_load_and_check_file(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(nnderive.api.SAMPLE)
    assert [c.id for c in nnderive.load(f)] == ["square", "cube"]
    assert [(v.id, v.verdict) for v in nnderive.check_file(f)] == [("square", "proved"), ("cube", "refuted")]
    assert [c.id for c in nnderive.load(tmp_path)] == ["square", "cube"]     # a folder works too


def test_load_errors_are_exceptions(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.toml"):
        nnderive.load(tmp_path / "nope.toml")
    f = tmp_path / "bad.toml"
    f.write_text(nnderive.api.SAMPLE.replace("[[claims]]", "[[claim]]"))
    with pytest.raises(ClaimFileError) as exc:
        nnderive.check_file(f)
    assert exc.value.errors[0].file == "bad.toml" and "[[claims]]" in str(exc.value)


def test_a_verdict_renders_in_jupyter():
    v = nnderive.check(r"\frac{d}{dz} z^2 = 2 z", symbols={"z": "scalar real"})
    md, tex = v._repr_markdown_(), v._repr_latex_()
    assert isinstance(md, str) and "proved" in md
    assert isinstance(tex, str) and tex.startswith("$") or "\\" in tex


def test_check_uses_the_budget():
    v = nnderive.check(r"\sum_{k=1}^{200000} \frac{1}{k^2 + z^2} = 1", symbols={"z": "scalar real", "k": "index n"},
                       budget=0.5)
    assert v.verdict == "undecided" and "timeout" in v.reason


def test_check_can_use_a_cache(tmp_path):
    cache = nnderive.cache.VerdictCache(tmp_path)
    nnderive.check("z + z = 2 z", symbols={"z": "scalar real"}, cache=cache)
    v = nnderive.check("z + z = 2 z", symbols={"z": "scalar real"}, cache=cache, budget=0.001)
    assert v.verdict == "proved" and cache.hits == 1


def test_public_names():
    for name in nnderive.__all__:
        assert hasattr(nnderive, name), name
    assert {"check", "check_file", "load", "Verdict", "Claim", "ClaimFileError", "__version__"} <= set(nnderive.__all__)


def _readme_python():
    """The README's Python example, as the README shows it (the first python code block)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_runs():
    r = subprocess.run([sys.executable, "-c", _readme_python()], capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("refuted | counterexample") and "corrected: " in r.stdout
    # the output the README quotes is the output
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in r.stdout.splitlines():
        assert line in text.replace("` and\n`", "\n").replace("`", ""), line
