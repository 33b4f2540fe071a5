"""Bad input: a clear error naming file, claim id and position; the rest goes on."""
import os
import textwrap

import pytest

from nnderive.judge import judge_all
from nnderive.catalogue import MAX_FILE_BYTES, load_file, load_paths, read_limited

GOOD = '''
[[claims]]
id = "good"
latex = '\\frac{d}{dz} z^2 = 2 z'
symbols = { z = "scalar real" }
'''


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_malformed_toml_names_the_file_and_line(tmp_path):
    p = write(tmp_path, "bad.toml", '[[claims]]\nid = "x"\nlatex = "unterminated\n')
    claims, errors = load_file(p)
    assert claims == [] and len(errors) == 1
    assert "bad.toml" in str(errors[0]) and "line" in errors[0].message


@pytest.mark.parametrize("entry,message", [
    ('latex = "z = z"', "missing 'id'"),
    ('id = "a"', "needs 'latex' (or 'text'), a 'theorem'"),
    ('id = "a"\nlatex = 1', "'latex' must be a string"),
    ('id = "a"\nlatex = "z = z"\nwhatever = 1', "unknown field"),
    ('id = "a"\nlatex = "z = z"\nsizes = [0]', "'sizes'"),
    ('id = "a"\nlatex = "z = z"\nsymbols = { z = 3 }', "table of strings"),
])
def test_bad_entries_are_reported_and_the_rest_loads(tmp_path, entry, message):
    p = write(tmp_path, "mixed.toml", f"[[claims]]\n{entry}\n" + GOOD)
    claims, errors = load_file(p)
    assert [c.id for c in claims] == ["good"]
    assert len(errors) == 1 and message in errors[0].message
    assert errors[0].file == "mixed.toml" and errors[0].position == "claims[0]"


def test_duplicate_ids(tmp_path):
    p = write(tmp_path, "dup.toml", GOOD + GOOD)
    claims, errors = load_file(p)
    assert len(claims) == 1 and "duplicate" in errors[0].message


@pytest.mark.parametrize("latex,symbols,field,pos", [
    (r"\frac{d}{dz} q = 1", {"z": "scalar real"}, "latex", 13),          # a derivative of an undefined symbol
    (r"z + ", {"z": "scalar real"}, "latex", 2),                          # malformed LaTeX
    (r"z = z", {"z": "vector"}, "symbols", None),                         # bad declaration
])
def test_claim_errors_carry_file_id_field_and_position(tmp_path, latex, symbols, field, pos):
    table = ", ".join('%s = "%s"' % kv for kv in symbols.items())
    body = "[[claims]]\nid = \"broken\"\nlatex = '%s'\nsymbols = { %s }\n" % (latex, table)
    p = write(tmp_path, "errs.toml", body + GOOD)
    claims, errors = load_file(p)
    verdicts = {v.id: v for v in judge_all(claims, budget=20)}
    bad = verdicts["broken"]
    assert bad.verdict == "error"
    assert bad.error["file"] == "errs.toml" and bad.error["id"] == "broken" and bad.error["field"] == field
    assert bad.error["position"] == pos
    assert "errs.toml" in bad.reason and "broken" in bad.reason
    assert verdicts["good"].verdict == "proved"


def test_bad_definition_is_an_error_with_its_index(tmp_path):
    p = write(tmp_path, "d.toml", """
        [[claims]]
        id = "d"
        latex = 'a = 1'
        definitions = ['a + 1 = b']
        symbols = { a = "scalar real" }
        """)
    claims, _ = load_file(p)
    v = judge_all(claims, budget=20)[0]
    assert v.verdict == "error" and v.error["field"] == "definitions[0]"


def test_circular_definitions(tmp_path):
    p = write(tmp_path, "c.toml", """
        [[claims]]
        id = "c"
        latex = 'a = 1'
        definitions = ['a = b + 1', 'b = a']
        symbols = { a = "scalar real", b = "scalar real" }
        """)
    claims, _ = load_file(p)
    v = judge_all(claims, budget=20)[0]
    assert v.verdict == "error" and "circular" in v.reason


def test_missing_path_is_reported(tmp_path):
    claims, errors = load_paths([tmp_path / "nope.toml"])
    assert claims == [] and "no such file" in errors[0].message


def test_inconsistent_declared_shapes_are_an_error(tmp_path):
    p = write(tmp_path, "s.toml", """
        [[claims]]
        id = "s"
        latex = 'z = W x'
        definitions = ['z = W x']
        symbols = { z = "vector n", W = "matrix m n", x = "vector n" }
        """)
    claims, _ = load_file(p)
    v = judge_all(claims, budget=20)[0]
    assert v.verdict == "error" and "shapes differ" in v.reason and v.error["field"] == "definitions[0]"


# --------------------------------------------------------------------------- nothing passes silently
@pytest.mark.parametrize("text,message", [
    ("", "no claims"),
    ("[source]\nfile = 'x.txt'\n", "no claims"),
    ("[[claim]]\nid = 'a'\nlatex = 'z = z'\n", "unknown table [[claim]] (did you mean [[claims]]?)"),
    ("[sources]\nfile = 'x'\n" + GOOD, "unknown table [sources] (did you mean [source]?)"),
    ("title = 'x'\n" + GOOD, "unknown top-level key 'title'"),
    ("[source]\nfile = 'x'\nhomepage = 'y'\n" + GOOD, "unknown field 'homepage' in [source]"),
    ("[source]\nsymbols = { z = 1 }\n" + GOOD, "source.symbols"),
])
def test_file_level_problems_are_errors(tmp_path, text, message):
    claims, errors = load_file(write(tmp_path, "f.toml", text))
    assert claims == [] and len(errors) == 1
    assert message in errors[0].message and errors[0].file == "f.toml"


def test_unknown_field_suggests_the_right_one(tmp_path):
    p = write(tmp_path, "f.toml", "[[claims]]\nid = 'a'\nlatex = 'z = z'\ndefintions = ['z = 1']\n" + GOOD)
    claims, errors = load_file(p)
    assert [c.id for c in claims] == ["good"]
    assert "unknown field 'defintions' (did you mean 'definitions'?)" in errors[0].message


def test_sizes_must_be_integers_not_booleans(tmp_path):
    _, errors = load_file(write(tmp_path, "f.toml", "[[claims]]\nid = 'a'\nlatex = 'z = z'\nsizes = [true]\n"))
    assert "'sizes'" in errors[0].message


# --------------------------------------------------------------------------- hostile files
def _with_timeout(fn, seconds=10):
    """Run fn in a daemon thread; a hang fails the test instead of hanging the suite."""
    import threading
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("result", fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} hung"
    return box["result"]


def test_deeply_nested_arrays_are_an_error_not_a_crash(tmp_path):
    # 500 nested arrays (1 KB) made tomllib raise RecursionError and crashed the run.
    (tmp_path / "nested.toml").write_text("a = " + "[" * 500 + "]" * 500 + "\n")
    write(tmp_path, "good.toml", GOOD)
    claims, errors = load_paths([tmp_path])
    assert [c.id for c in claims] == ["good"]
    assert errors[0].file == "nested.toml" and "nested too deeply" in errors[0].message


def test_a_fifo_is_an_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.toml")
    write(tmp_path, "good.toml", GOOD)
    claims, errors = _with_timeout(lambda: load_paths([tmp_path]))
    assert [c.id for c in claims] == ["good"]
    assert errors[0].file == "pipe.toml" and "FIFO" in errors[0].message


def test_a_link_to_dev_zero_is_an_error_not_a_memory_blow_up(tmp_path):
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    write(tmp_path, "good.toml", GOOD)
    claims, errors = _with_timeout(lambda: load_paths([tmp_path]))
    assert [c.id for c in claims] == ["good"]
    assert errors[0].file == "zero.toml" and "device" in errors[0].message


def test_a_huge_file_is_an_error(tmp_path):
    p = tmp_path / "huge.toml"
    with open(p, "wb") as f:            # sparse: no disk space used
        f.truncate(MAX_FILE_BYTES + 1)
    claims, errors = load_file(p)
    assert claims == [] and "larger than" in errors[0].message and errors[0].file == "huge.toml"


def test_a_folder_named_like_a_claim_file_and_a_dangling_link(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "dangling.toml").symlink_to(tmp_path / "nowhere")
    write(tmp_path, "good.toml", GOOD)
    claims, errors = load_paths([tmp_path])
    assert [c.id for c in claims] == ["good"]
    assert {e.file: e.message for e in errors}.keys() == {"dir.toml", "dangling.toml"}
    assert "folder" in {e.file: e.message for e in errors}["dir.toml"]


def test_not_utf8_and_an_empty_folder(tmp_path):
    (tmp_path / "latin1.toml").write_bytes(b"[[claims]]\nid = '\xe9'\n")
    assert "not UTF-8" in load_file(tmp_path / "latin1.toml")[1][0].message
    (tmp_path / "empty").mkdir()
    assert "no claim files" in load_paths([tmp_path / "empty"])[1][0].message


def test_read_limited_reads_a_regular_file(tmp_path):
    p = write(tmp_path, "a.toml", GOOD)
    assert read_limited(p) == p.read_bytes()
    with pytest.raises(OSError, match="larger"):
        read_limited(p, limit=10)
