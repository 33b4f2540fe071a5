"""Bad input: a clear error naming file, claim id and position; the rest goes on."""
import textwrap

import pytest

from nnderive.judge import judge_all
from nnderive.catalogue import load_file, load_paths

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
