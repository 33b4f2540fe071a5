"""FORMAT.md, the reference for the claim format, cannot go stale.

* the tables between ``<!-- generated:NAME -->`` and ``<!-- end:NAME -->`` are rendered
  from the code's own tables (domains, optimizer roles and algorithms, theorems,
  functions); ``python tests/test_format.py --write`` rewrites them;
* every claim field, ``[source]`` field, declaration kind and domain word, optimizer
  role and algorithm, theorem and function name the code accepts is named in it;
* every word the shipped catalogue uses is one of them;
* every TOML example loads without an error and is judged as its ``id`` line says
  (``id = "..."  # proved``).
"""
import re
import sys
import tomllib
from pathlib import Path

import pytest
import sympy as sp

from nnderive.catalogue import FIELDS, SOURCE_FIELDS, TABLES, catalogue_dir, load_paths, loads
from nnderive.judge import judge_all
from nnderive.mathematics import backprop, conventions, initialization, optimizers, primitives, sequences
from nnderive.notation import declarations
from nnderive.notation.declarations import DOMAINS, DeclarationError, parse_declaration

ROOT = Path(__file__).resolve().parents[1]
FORMAT = ROOT / "FORMAT.md"

THEOREM_TABLES = (optimizers.THEOREMS, initialization.THEOREMS, backprop.THEOREMS, sequences.THEOREMS)
#: functions the reader implements itself (no table of them in the code yet)
READER_FUNCTIONS = ("softmax", "kronecker", "generic", "activation", "conv2d", "vec", "convmat")


def _interval(iv) -> str:
    lo, hi, open_lo, open_hi = iv
    return f"{'(' if open_lo else '['}{sp.sstr(lo)}, {sp.sstr(hi)}{')' if open_hi else ']'}"


def _first_line(obj) -> str:
    doc = " ".join((getattr(obj, "__doc__", None) or "").split("\n\n")[0].split())
    doc = re.sub(r":math:`([^`]*)`", r"$\1$", doc).replace("``", "`")
    return doc.replace("|", "\\|")


def render_domains() -> str:
    rows = ["| word | SymPy assumptions | sampled for counterexamples in |", "|---|---|---|"]
    for word, (assumptions, iv) in DOMAINS.items():
        a = ", ".join(f"{k}" for k, v in assumptions.items() if v) or "-"
        rows.append(f"| `{word}` | {a} | {_interval(iv)} |")
    return "\n".join(rows)


def _users(role: str) -> list[str]:
    sym = optimizers.SYM[role]
    return [name for name, opt in optimizers.OPTIMIZERS.items()
            if role in opt.updates or any(sym in e.free_symbols for e in opt.updates.values())]


def render_roles() -> str:
    rows = ["| role | symbol in the reference | sampled in | used by |", "|---|---|---|---|"]
    for role, sym in optimizers.SYM.items():
        iv = optimizers.INTERVALS.get(role, (-3, 3, False, False))
        rows.append(f"| `{role}` | ${sp.latex(sym)}$ | {_interval(iv)} | {', '.join(_users(role)) or '-'} |")
    return "\n".join(rows)


def render_algorithms() -> str:
    rows = ["| algorithm | reference update (in the roles' symbols) | defaults | named variants |", "|---|---|---|---|"]
    for name, opt in optimizers.OPTIMIZERS.items():
        order = opt.order or list(opt.updates)
        upd = "; ".join(f"${sp.latex(optimizers.SYM[r])} \\leftarrow {sp.latex(opt.updates[r])}$" for r in order)
        defaults = ", ".join(f"`{r}` = {sp.sstr(v)}" for r, v in opt.defaults.items()) or "-"
        variants = "; ".join(f"`{v}`: {why.split(' (')[0]}" for v, (why, _) in opt.variants.items()) or "-"
        rows.append(f"| `{name}` ({opt.name}) | {upd} | {defaults} | {variants} |".replace("\n", " "))
    return "\n".join(rows)


def render_theorems() -> str:
    rows = ["| theorem | what nnderive proves |", "|---|---|"]
    for table in THEOREM_TABLES:
        for name, th in table.items():
            fn = th.prove
            rows.append(f"| `{name}` | {_first_line(fn) or '(see ' + fn.__module__ + ')'} |")
    return "\n".join(rows)


def render_functions() -> str:
    rows = ["| function | kind | what it is |", "|---|---|---|"]
    for name, f in primitives.ACTIVATIONS.items():
        rows.append(f"| `{name}` | activation | {_first_line(f)} |")
    for name, f in conventions.LOSSES.items():
        rows.append(f"| `{name}` | loss, `(prediction, target)` | {name.upper()} (scalars, or vectors summed entry by entry) |")
    for name, (cls, arity) in conventions.INITS.items():
        rows.append(f"| `{name}` | initialisation variance, {arity} argument{'s' if arity > 1 else ''} | {_first_line(cls)} |")
    return "\n".join(rows)


SECTIONS = {"domains": render_domains, "roles": render_roles, "algorithms": render_algorithms,
            "theorems": render_theorems, "functions": render_functions}


def _section(text: str, name: str) -> str | None:
    m = re.search(rf"<!-- generated:{name} -->\n(.*?)\n<!-- end:{name} -->", text, re.S)
    return m.group(1) if m else None


def rewrite(text: str) -> str:
    for name, render in SECTIONS.items():
        text = re.sub(rf"(<!-- generated:{name} -->\n).*?(\n<!-- end:{name} -->)",
                      lambda m: m.group(1) + render() + m.group(2), text, flags=re.S)
    return text


TEXT = FORMAT.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SECTIONS)
def test_generated_tables_are_up_to_date(name):
    current = _section(TEXT, name)
    assert current is not None, f"FORMAT.md lacks the generated:{name} section"
    assert current == SECTIONS[name](), "FORMAT.md is stale: run python tests/test_format.py --write"


def _named(word: str) -> bool:
    return f"`{word}`" in TEXT or f"`{word} " in TEXT or f"[{word}]" in TEXT


def _kinds() -> list[str]:
    """Declaration kinds: the notation's table when it has one, else the words of its own error message."""
    kinds = getattr(declarations, "KINDS", None)
    if kinds is not None:
        return list(kinds)
    with pytest.raises(DeclarationError) as exc:
        parse_declaration("x", "no-such-kind")
    m = re.search(r"kind must be (.*?), got", str(exc.value))
    assert m, "cannot find the declaration kinds: export a KINDS table from nnderive.notation.declarations"
    return re.split(r", | or ", m.group(1))


ACCEPTED = {
    "claim field": sorted(FIELDS),
    "[source] field": sorted(SOURCE_FIELDS),
    "top-level table": sorted(TABLES),
    "declaration kind": _kinds(),
    "domain word": sorted(DOMAINS),
    "optimizer role": sorted(optimizers.SYM),
    "algorithm": sorted(optimizers.OPTIMIZERS),
    "theorem": sorted(k for t in THEOREM_TABLES for k in t),
    "function": sorted([*primitives.ACTIVATIONS, *conventions.LOSSES, *conventions.INITS, *READER_FUNCTIONS]),
}


@pytest.mark.parametrize("what", ACCEPTED)
def test_every_accepted_word_is_documented(what):
    missing = [w for w in ACCEPTED[what] if not _named(w)]
    assert not missing, f"FORMAT.md does not name the {what}(s) {missing}"


def test_documented_kinds_are_accepted():
    for kind in _kinds():
        shape = {"scalar": "", "vector": " n", "index": " n", "ones": " n", "identity": " n", "matrix": " m n"}
        parse_declaration("x", kind + shape.get(kind, " n"))


def _catalogue_words():
    files = sorted(catalogue_dir().glob("*.toml")) + sorted((ROOT / "tests" / "data").glob("*.toml"))
    claims, _ = load_paths(files)
    words = {"kinds": set(), "domains": set(), "functions": set(), "roles": set(), "algorithms": set(),
             "theorems": set()}
    for c in claims:
        for decl in c.symbols.values():
            kind, *rest = decl.replace(", ", ",").split()
            words["kinds"].add(kind)
            words["domains"].update(w for w in rest if w in DOMAINS or not re.match(r"^[A-Za-z0-9_{}+\\-]+$", w))
        words["functions"].update(f for f in c.functions.values())
        words["roles"].update(c.roles.values())
        words["algorithms"].update([c.algorithm] if c.algorithm else [])
        words["theorems"].update([c.theorem] if c.theorem else [])
    return words


@pytest.mark.parametrize("what", ["kinds", "domains", "functions", "roles", "algorithms", "theorems"])
def test_every_word_the_catalogue_uses_is_documented(what):
    used = _catalogue_words()[what]
    assert used, f"the catalogue uses no {what}?"
    assert not [w for w in sorted(used) if not _named(w)], f"undocumented {what}"


EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, re.S)


def test_there_are_examples():
    assert len(EXAMPLES) >= 8


@pytest.fixture(scope="module")
def example_verdicts():
    claims, expected = [], {}
    for k, block in enumerate(EXAMPLES):
        got, errors = loads(block, f"example{k}.toml")
        assert not errors, f"FORMAT.md example {k} does not load: {errors}\n{block}"
        claims += got
        for m in re.finditer(r'^id = "([^"]+)"\s*#\s*([a-z ]+?)\s*$', block, re.M):
            expected[m.group(1)] = m.group(2)
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids)), "example ids must be unique across FORMAT.md"
    return {v.id: v for v in judge_all(claims, budget=60)}, expected


def test_examples_are_judged_as_documented(example_verdicts):
    verdicts, expected = example_verdicts
    assert set(expected) == set(verdicts), "every example claim states its verdict on its id line"
    wrong = {i: (expected[i], v.verdict, v.reason) for i, v in verdicts.items() if v.verdict != expected[i]}
    assert not wrong, wrong


def test_every_algorithm_and_theorem_has_an_example():
    blocks = [tomllib.loads(b) for b in EXAMPLES]
    claims = [c for b in blocks for c in b.get("claims", [])]
    assert set(optimizers.OPTIMIZERS) <= {c.get("algorithm") for c in claims}
    assert set(ACCEPTED["theorem"]) <= {c.get("theorem") for c in claims}
    fields = {f for c in claims for f in c}
    assert FIELDS <= fields, f"fields without an example: {sorted(FIELDS - fields)}"


def test_the_readme_links_the_reference():
    assert "](FORMAT.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


if __name__ == "__main__" and "--write" in sys.argv:
    FORMAT.write_text(rewrite(TEXT), encoding="utf-8")
    print(f"rewrote the generated tables of {FORMAT}")
