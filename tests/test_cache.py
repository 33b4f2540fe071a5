"""The result cache: keyed by every field of the claim and the versions, so it never serves a
verdict for different content; hits, misses, invalidation; ``--no-cache``."""
import ast
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnderive import cache as C
from nnderive import version
from nnderive.cache import VerdictCache, cache_dir, claim_key, judge_cached
from nnderive.catalogue import Claim, loads
from nnderive.judge.budget import judge_iter
from nnderive.verdict import Verdict

ROOT = Path(__file__).resolve().parents[1]
BASE = Claim(id="c", source="s", file="f.toml", section="x", quote="q", latex=r"\frac{d}{dz} z^2 = 2 z",
             definitions=["a = z"], symbols={"z": "scalar real", "a": "scalar real"}, functions={r"\sigma": "sigmoid"},
             given=["z = z"], not_checkable="", sizes=[2], note="n", topic="t", own_definitions=1,
             algorithm="", roles={}, theorem="", kernels=["k"], figures=["f.png"])
#: a different value for every field of a claim
CHANGES = {"id": "d", "source": "s2", "file": "g.toml", "section": "y", "quote": "q2", "latex": r"z = z",
           "definitions": ["a = 2 z"], "symbols": {"z": "scalar positive", "a": "scalar real"},
           "functions": {r"\sigma": "tanh"}, "given": ["z = 1"], "not_checkable": "prose", "sizes": [3],
           "note": "m", "topic": "u", "own_definitions": 0, "algorithm": "gd", "roles": {"z": "param"},
           "theorem": "bptt", "kernels": ["j"], "figures": ["g.png"], "layout": "numerator", "text": "z = z",
           "defines": "silu", "example": "z11", "summation": "einstein", "operators": {r"\otimes": "hadamard"}}
PROVED = Verdict(id="c", source="s", verdict="proved", reason="both sides reduce to the same expression")


def test_changes_cover_every_field():
    assert set(CHANGES) == {f.name for f in dataclasses.fields(Claim)}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_every_field_changes_the_key(field):
    assert claim_key(dataclasses.replace(BASE, **{field: CHANGES[field]})) != claim_key(BASE)


def test_the_key_is_stable_and_keeps_declaration_order():
    assert claim_key(BASE) == claim_key(dataclasses.replace(BASE))
    swapped = dataclasses.replace(BASE, symbols={"a": "scalar real", "z": "scalar real"})
    assert claim_key(swapped) != claim_key(BASE)   # order is content too: a miss, never a wrong hit


def test_the_version_and_the_code_change_the_key(monkeypatch):
    key = claim_key(BASE)
    monkeypatch.setattr(version, "VERSION", version.VERSION + ".dev1")
    assert claim_key(BASE) != key
    monkeypatch.undo()
    C.code_fingerprint.cache_clear()
    monkeypatch.setattr(C, "code_fingerprint", lambda: "0" * 64)
    assert claim_key(BASE) != key


def test_source_wide_symbols_and_definitions_are_part_of_the_key():
    text = "[source]\nfile = 's'\n{extra}\n[[claims]]\nid = 'c'\nlatex = 'a = z'\n"
    a, _ = loads(text.format(extra="definitions = ['a = z']\n[source.symbols]\na = 'scalar real'\nz = 'scalar real'"), "f")
    b, _ = loads(text.format(extra="definitions = ['a = 2 z']\n[source.symbols]\na = 'scalar real'\nz = 'scalar real'"), "f")
    c, _ = loads(text.format(extra="definitions = ['a = z']\n[source.symbols]\na = 'scalar real'\nz = 'scalar positive'"), "f")
    assert len({claim_key(a[0]), claim_key(b[0]), claim_key(c[0])}) == 3


def test_non_data_content_is_refused():
    with pytest.raises(TypeError):
        claim_key(dataclasses.replace(BASE, symbols={"z": object()}))


def test_hit_miss_and_what_is_not_stored(tmp_path):
    cache = VerdictCache(tmp_path)
    c = dataclasses.replace(BASE, id="c", source="s")
    assert cache.get(c) is None and cache.misses == 1
    assert cache.put(c, PROVED) and cache.get(c) == PROVED and cache.hits == 1
    assert (tmp_path / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    for limited in (Verdict(id="c", source="s", verdict="undecided", reason="timeout", evidence={"timeout_seconds": 1}),
                    Verdict(id="c", source="s", verdict="undecided", reason="memory", evidence={"memory_mb": 9}),
                    Verdict(id="c", source="s", verdict="error", reason="x",
                            error={"file": "f", "id": "c", "field": "-", "position": None, "message": "worker died"})):
        assert not cache.put(dataclasses.replace(c, latex="z = 2 z"), limited)
    assert cache.get(dataclasses.replace(c, latex="z = 2 z")) is None


@pytest.mark.parametrize("damage", ["garbage", "other key", "other claim", "other schema", "empty"])
def test_a_damaged_entry_is_a_miss(tmp_path, damage):
    cache = VerdictCache(tmp_path)
    c = dataclasses.replace(BASE, id="c", source="s")
    cache.put(c, PROVED)
    path = cache._path(claim_key(c))
    record = json.loads(path.read_text())
    if damage == "garbage":
        path.write_text("{not json")
    elif damage == "other key":
        path.write_text(json.dumps({**record, "key": "0" * 64}))
    elif damage == "other claim":
        path.write_text(json.dumps({**record, "verdict": {**record["verdict"], "id": "someone else"}}))
    elif damage == "other schema":
        path.write_text(json.dumps({**record, "verdict": {**record["verdict"], "unknown_field": 1}}))
    else:
        path.write_text("")
    assert cache.get(c) is None


def test_an_unwritable_cache_runs_without_storing(tmp_path):
    # A file where the folder should be: no write can succeed, even as root (chmod would not stop root).
    (tmp_path / "blocker").write_text("")
    cache = VerdictCache(tmp_path / "blocker")
    assert not cache.put(BASE, PROVED) and cache.get(BASE) is None and not cache.writable


def test_cache_dir_follows_xdg_and_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "nnderive"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "nnderive"


def test_judge_cached_judges_only_the_misses(tmp_path):
    cache = VerdictCache(tmp_path)
    a = Claim(id="a", source="s", file="f", latex=r"\frac{d}{dz} z^2 = 2 z", symbols={"z": "scalar real"})
    b = dataclasses.replace(a, id="b", latex="z^2 = z")
    asked = []

    def judge(todo):
        asked.append([c.id for c in todo])
        return judge_iter(todo, 20, 1)
    first = sorted((k, v.verdict, hit) for k, v, hit in judge_cached([a, b], judge, cache))
    assert first == [(0, "proved", False), (1, "refuted", False)] and asked == [["a", "b"]]
    again = sorted((k, v.verdict, hit) for k, v, hit in judge_cached([a, b], judge, cache))
    assert again == [(0, "proved", True), (1, "refuted", True)] and len(asked) == 1
    changed = dataclasses.replace(b, latex="z^2 = z z")
    third = sorted((k, v.verdict, hit) for k, v, hit in judge_cached([a, changed], judge, cache))
    assert third == [(0, "proved", True), (1, "proved", False)] and asked[-1] == ["b"]


# --------------------------------------------------------------------------- through the command line
FILE = r"""
[[claims]]
id = "one"
latex = '\frac{d}{dz} z^2 = 2 z'
symbols = { z = "scalar real" }

[[claims]]
id = "two"
latex = '\frac{d}{dz} z^3 = 3 z^2'
symbols = { z = "scalar real" }

[[claims]]
id = "three"
latex = 'z^2 = z'
symbols = { z = "scalar real" }
"""


def check(tmp_path, *args):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-m", "nnderive", "check", *args, "--json"], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=600)
    return r.returncode, {v["id"]: v for v in json.loads(r.stdout)}


def entries(tmp_path):
    return sorted((tmp_path / "cache" / "nnderive" / "verdicts").glob("*/*.json"))


def test_a_warm_run_serves_every_verdict_from_the_cache(tmp_path):
    f = tmp_path / "f.toml"
    f.write_text(FILE)
    status, cold = check(tmp_path, str(f))
    assert status == 1 and len(entries(tmp_path)) == 3
    # A budget no claim can be judged in: only the cache can answer (a judged claim would time out).
    status, warm = check(tmp_path, str(f), "--budget", "0.001")
    assert status == 1 and warm == cold


def test_a_changed_claim_is_judged_again_and_only_it(tmp_path):
    f = tmp_path / "f.toml"
    f.write_text(FILE)
    check(tmp_path, str(f))
    f.write_text(FILE.replace("z^2 = z'", "z^2 = 2 z'"))
    status, after = check(tmp_path, str(f), "--budget", "0.001")
    assert after["one"]["verdict"] == "proved" and after["two"]["verdict"] == "proved"    # cached
    assert after["three"]["verdict"] in ("undecided", "refuted")    # judged again (a timeout, or refuted in time)
    status, after = check(tmp_path, str(f))
    assert after["three"]["verdict"] == "refuted" and status == 1 and len(entries(tmp_path)) == 4


def test_no_cache_neither_reads_nor_writes(tmp_path):
    f = tmp_path / "f.toml"
    f.write_text(FILE)
    check(tmp_path, str(f), "--no-cache")
    assert entries(tmp_path) == []
    check(tmp_path, str(f))
    status, fresh = check(tmp_path, str(f), "--no-cache", "--budget", "0.001")
    assert {v["verdict"] for v in fresh.values()} == {"undecided"}


def test_the_same_claim_under_another_id_or_file_is_judged_anew(tmp_path):
    f = tmp_path / "f.toml"
    f.write_text(FILE)
    check(tmp_path, str(f))
    g = tmp_path / "g.toml"
    g.write_text(FILE)
    status, other = check(tmp_path, str(g), "--budget", "0.001")
    assert {v["verdict"] for v in other.values()} == {"undecided"}


def test_a_cached_verdict_equals_the_judged_one(tmp_path):
    cache = VerdictCache(tmp_path)
    c = Claim(id="c", source="s", file="f", latex="z^2 = z", symbols={"z": "scalar real"})
    (_, judged, _), = judge_cached([c], lambda todo: judge_iter(todo, 20, 1), cache)
    (_, cached, hit), = judge_cached([c], lambda todo: judge_iter(todo, 20, 1), cache)
    assert hit and cached == judged and judged.steps


def test_the_fingerprint_covers_the_judge_and_what_it_stands_on():
    root = Path(C.__file__).resolve().parent
    for part in C.JUDGING_CODE:
        assert (root / part).exists(), part
    assert {"judge", "mathematics", "notation"} <= set(C.JUDGING_CODE)
    # every module the judge imports from the package is covered
    for path in [p for d in ("judge", "mathematics", "notation") for p in (root / d).glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                top = node.module.split(".")[0]
                assert top in C.JUDGING_CODE or f"{top}.py" in C.JUDGING_CODE, f"{path.name} imports {top}"
