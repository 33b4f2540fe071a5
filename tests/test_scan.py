"""``nnderive scan`` measured against the hand-made catalogue, and on two sheets written for the test.

Matching (how a drafted claim is paired with a catalogue claim): both texts are normalised (spaces
removed, the dashes – and − read as -, ′ as ', ⋅ as ·); a drafted claim matches a catalogue claim of
the same sheet when its formula, so normalised, occurs inside the catalogue claim's ``quote``.  A
catalogue claim is *found* when at least one drafted claim (drafted as a claim, not as not checkable)
matches it, *same* when one of those gets the catalogue's expected verdict, *different* when found
but none does, *missed* when not found.  Only the catalogue's checkable claims (expected verdict not
"not checkable") are counted.
"""
import tomllib
from pathlib import Path

import pytest

from nnderive.catalogue import load_paths, loads
from nnderive.judge.budget import judge_all
from nnderive.scan import scan, scan_text, to_toml

DATA = Path(__file__).parent / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))
EXPECTED = tomllib.loads((DATA / "expected_verdicts.toml").read_text(encoding="utf-8"))
FORMULAS = Path(__file__).parent.parent / "formulas"


def _norm(s: str) -> str:
    s = "".join(s.split())
    for a, b in (("–", "-"), ("−", "-"), ("′", "'"), ("⋅", "·")):
        s = s.replace(a, b)
    return s


def _catalogue(seed_name):
    claims, errors = load_paths([str(p) for p in sorted(FORMULAS.glob("*.toml"))])
    assert not errors
    return [c for c in claims if c.file == seed_name or c.source == seed_name]


@pytest.fixture(scope="module")
def measured():
    return _measure()


#: seed name -> [(drafted formula, its verdict, [(catalogue claim id, expected verdict) it matches])], by _measure
DRAFTS: dict = {}


def _measure():
    """seed name -> [(catalogue claim id, expected verdict, verdicts of the drafts that match it)]."""
    out = {}
    for seed in SEEDS:
        name, formulas = scan(seed)
        claims, errors = loads(to_toml(name, formulas), name)
        assert not errors and len(claims) == len(formulas)
        verdicts = judge_all(claims)
        drafted = [(_norm(f.formula), v.verdict) for f, v in zip(formulas, verdicts) if not f.not_checkable]
        expected = EXPECTED[name]
        rows = []
        for c in _catalogue(name):
            want = expected.get(c.id)
            if want is None or want == "not checkable":
                continue
            quote = _norm(c.quote)
            got = [v for f, v in drafted if f and f in quote]
            rows.append((c.id, want, got))
        out[name] = rows
        cat = [(c.id, expected.get(c.id), _norm(c.quote)) for c in _catalogue(name)]
        DRAFTS[name] = [(f, v, [(cid, want) for cid, want, q in cat if want and f in q]) for f, v in drafted if f]
    return out


def _figures(rows):
    found = [r for r in rows if r[2]]
    same = [r for r in found if r[1] in r[2]]
    return {"checkable": len(rows), "found": len(found), "same": len(same), "different": len(found) - len(same),
            "missed": len(rows) - len(found)}


#: floors at what the scan reaches now (found, same verdict), per seed; they may only rise
#: (000 fell from 18 to 16 same when a transpose of an undeclared letter became an error: ∂(x^TAx)/∂x had
#: been "proved" reading x and A as scalars, the right verdict for the wrong reason)
#: (found fell once, by 9 over 000, 002 and 004, when a lone '=' or '= 0 →' between words stopped being drafted:
#: such a draft "matched" every quote holding the sign, a match by accident, and it ended in an error anyway)
FLOORS = {"000": (67, 64), "001": (23, 23), "002": (14, 13), "003": (54, 50), "004": (21, 20)}


def test_every_seed_drafts_a_loadable_claim_file():
    for seed in SEEDS:
        name, formulas = scan(seed)
        claims, errors = loads(to_toml(name, formulas), name)
        assert not errors and formulas and len(claims) == len(formulas)
        assert all(f.line >= 1 and f.quote for f in formulas)


def test_no_drafted_claim_is_refuted_where_the_catalogue_proves(measured):
    # a refuted draft inside a proved claim's quote is wrong unless it is a claim the catalogue refutes too:
    # a rule's quote (the output error is (A² – y) times σ'(Z²)) holds the printed values the rule uses
    bad = [(name, f, [cid for cid, want in hits if want == "proved"]) for name, drafts in DRAFTS.items()
           for f, verdict, hits in drafts if verdict == "refuted"
           and any(want == "proved" for _, want in hits) and not any(want == "refuted" for _, want in hits)]
    assert not bad


def test_figures_do_not_regress(measured):
    for name, rows in measured.items():
        fig = _figures(rows)
        print(name, fig)
        found, same = FLOORS[name[:3]]
        assert fig["found"] >= found and fig["same"] >= same, (name, fig)


def _totals(measured):
    figs = [_figures(rows) for rows in measured.values()]
    return {k: sum(f[k] for f in figs) for k in figs[0]}


def test_issue_14_targets_over_the_five_seeds(measured):
    t = _totals(measured)
    assert t["found"] >= 0.8 * t["checkable"] and t["same"] >= 0.9 * t["found"], t


_SHORT = {"004": "measured 21 of 46 checkable claims found (46 %), 20 of those with the catalogue's verdict; of the 25 "
                 "missed, 10 are activation cards whose function name the page lost (\"Smooth S-curve mapping to "
                 "(0,1)\": the logistic sigmoid, but the normal CDF fits the words too, and the scan does not guess), "
                 "10 are NumPy code whose claim is a shape or an agreement with a text formula that the code never "
                 "states, 5 are prose with no formula (complexity, XOR, the linearity of stacked layers)"}


@pytest.mark.parametrize("seed", [p.name[:3] for p in SEEDS])
def test_issue_14_targets_per_seed(measured, seed, request):
    if seed in _SHORT:
        request.applymarker(pytest.mark.xfail(strict=True, reason=_SHORT[seed]))
    (fig,) = [_figures(rows) for name, rows in measured.items() if name.startswith(seed)]
    assert fig["found"] >= 0.8 * fig["checkable"] and fig["same"] >= 0.9 * fig["found"], fig


# --------------------------------------------------------------------------- sheets written for the test
SHEETS = DATA / "sheets"
#: line -> verdict; the planted wrong formulas are the refuted ones
#: ("not": the line's claims are drafted as not checkable, a layer's definitions the rules below it use)
WILD = {"wild.md": {8: "proved", 12: "proved", 16: "refuted", 20: "proved", 22: "refuted", 26: "proved", 30: "refuted",
                    36: "not", 39: "proved", 43: "refuted", 45: "proved"},
        "wild.txt": {6: "proved", 7: "proved", 8: "refuted", 9: "proved", 12: "proved", 13: "refuted", 16: "proved",
                     17: "refuted", 24: "convention", 25: "refuted", 28: "proved", 29: "refuted", 32: "not",
                     35: "proved", 36: "refuted", 41: "proved", 42: "refuted", 45: "proved", 46: "refuted",
                     49: "proved", 54: "not", 56: "proved", 59: "proved", 62: "proved", 67: "not", 69: "proved",
                     72: "refuted", 75: "proved", 76: "refuted", 80: "not", 81: "not", 83: "proved", 84: "refuted",
                     85: "proved"}}


@pytest.mark.parametrize("sheet", sorted(WILD))
def test_scan_check_refutes_the_planted_formulas(sheet, capsys, tmp_path):
    from nnderive.cli import main
    out = tmp_path / "draft.toml"
    status = main(["scan", str(SHEETS / sheet), "--out", str(out), "--check"])
    table = capsys.readouterr().out
    got, rows = {}, 0
    for row in table.splitlines():
        parts = row.split()
        if parts and parts[0].startswith("wild.line"):
            got[int(parts[0].split(".")[1].removeprefix("line"))] = parts[1]
            rows += 1
    assert got == WILD[sheet]
    assert status == 1                                  # a refuted claim: the exit status says so
    claims, errors = load_paths([str(out)])
    assert not errors and len(claims) == rows >= len(WILD[sheet])


PROBES = SHEETS / "probes"
_PROBE_CASES = [(group.stem, sheet, lines) for group in sorted(PROBES.glob("*.toml"))
                for sheet, lines in tomllib.loads(group.read_text(encoding="utf-8")).items()]


@pytest.mark.parametrize("group, sheet, lines", _PROBE_CASES, ids=[f"{g}-{s}" for g, s, _ in _PROBE_CASES])
def test_probe_sheets_get_no_wrong_verdict(group, sheet, lines):
    """A reviewer's variations of the sheets above (see probes/*.toml): no true line refuted, no false one
    proved, no verdict at all on a line the scan cannot read one way."""
    name, formulas = scan(PROBES / sheet)
    claims, errors = loads(to_toml(name, formulas), name)
    assert not errors
    verdicts = {}
    for f, v in zip(formulas, judge_all(claims)):
        if not f.not_checkable:
            verdicts.setdefault(f.line, set()).add(v.verdict)
            assert "internal error" not in v.reason, (f.line, v.reason)
    forbidden = {"true": {"refuted"}, "false": {"proved"}, "none": {"proved", "refuted"}}
    wrong = [(kind, no, sorted(verdicts[no] & bad)) for kind, bad in forbidden.items()
             for no in lines.get(kind, []) if verdicts.get(no, set()) & bad]
    assert not wrong, wrong


def test_code_fences_and_comments_are_not_formulas():
    drafts = scan_text("Head\n// x = 1 is a comment\n```\ny = x + 1\n```\nz = 2·a\n")
    assert [d.formula for d in drafts] == ["z = 2·a"]


def test_comma_joined_statements_are_split_and_sections_kept():
    drafts = scan_text("Sigmoid\nda/dz = a(1 − a), dσ/dz = σ(z)(1 − σ(z))\n")
    assert [d.formula for d in drafts] == ["da/dz = a(1 − a)", "dσ/dz = σ(z)(1 − σ(z))"]
    assert {d.section for d in drafts} == {"Sigmoid"} and {d.line for d in drafts} == {2}


def test_inferred_declarations_are_marked_and_scoped_to_their_section():
    sheet = "Layer\n- W: weight matrix (n_out × n_in)\n- x: input vector (n_in × 1)\nWx ∈ ℝ^n_out\n" \
            "Scalars\nWx = xW\n"
    drafts = scan_text(sheet)
    first = next(d for d in drafts if d.formula.startswith("Wx ∈"))
    assert first.symbols == {"W": "matrix n_{out} n_{in}", "x": "vector n_{in}"}
    assert "W: matrix n_{out} n_{in} from line 2" in first.entry("c")["note"]
    last = next(d for d in drafts if d.section == "Scalars")
    assert last.symbols == {}                           # nothing in its section says what W and x are


def test_definitions_and_updates_outside_an_optimizer_block_are_not_claims():
    drafts = scan_text("Training\nu = u - lr × u_hat\nβ1 = 0.9\n")
    assert [bool(d.not_checkable) for d in drafts] == [True, True]
    assert "update rule" in drafts[0].not_checkable and "value" in drafts[1].not_checkable


def test_an_optimizer_block_drafts_its_updates_with_the_algorithm():
    drafts = scan_text("// Adam\nm_hat = m / (1 - β1^t)\nw = w - lr × m_hat\nβ1 = 0.9\n\n"
                       "// Momentum\nv = β×v + ∂J/∂w\n\n// Nesterov Momentum\nw = w - lr × v\n")
    assert [(d.algorithm, bool(d.not_checkable)) for d in drafts] == [
        ("adam", False), ("adam", False), ("", True), ("momentum", False), ("nesterov", False)]
    assert drafts[1].roles == {"lr": "lr"} and drafts[3].roles == {"\\frac{\\partial J}{\\partial w}": "grad"}
    assert drafts[3].definitions == ["J = F(w)"]


def test_a_planted_wrong_update_in_a_block_is_refuted():
    from nnderive.judge.budget import judge_all
    name, text = "planted.txt", "// RMSprop\ns = β×s + β×g²\nw = w - (lr/(√s + ε)) × g\n"
    drafts = scan_text(text)
    claims, errors = loads(to_toml(name, drafts), name)
    assert not errors
    assert [v.verdict for v in judge_all(claims)] == ["refuted", "proved"]


def test_statements_split_at_quad_and_cases_kept_whole():
    text = ("Leaky\n\n$$a = \\begin{cases} \\epsilon z, & z \\leq 0, \\\\ z, & z > 0, \\end{cases} \\quad "
            "\\frac{da}{dz} = \\begin{cases} \\epsilon, & z \\leq 0, \\\\ 1, & z > 0 \\end{cases} \\quad "
            "(\\epsilon \\ll 1).$$\n")
    drafts = scan_text(text)
    assert [d.formula.split("=")[0].strip() for d in drafts] == ["a", "\\frac{da}{dz}"]
    assert "& z" in drafts[0].formula and drafts[0].not_checkable.startswith("defines a")
    assert drafts[1].definitions == [drafts[0].formula]


def test_the_nearest_definition_above_is_used():
    text = "$$a = \\sigma(z), \\quad \\frac{da}{dz} = a(1 - a)$$\n\n$$a = \\tanh(z), \\quad \\frac{da}{dz} = 1 - a^2$$\n"
    drafts = [d for d in scan_text(text) if not d.not_checkable]
    assert [d.definitions for d in drafts] == [["a = \\sigma(z)"], ["a = \\tanh(z)"]]


def test_sum_indices_and_the_vectors_they_index_are_declared():
    d = scan_text("$$L = \\sum_i (y_i - \\hat{y}_i)^2, \\quad \\frac{\\partial L}{\\partial \\hat{y}_i} = "
                  "-2(y_i - \\hat{y}_i)$$\n")[1]
    assert d.symbols == {"i": "index n", "y": "vector n", "\\hat{y}": "vector n"}
    assert all("inferred from the notation" in w for w in d.inferred if w[0] in "iy\\")
    layered = scan_text("$$z_j^l = \\sum_i w_{ij}^l x_i^l + b_j^l$$\n")[0]
    assert "i" not in layered.symbols          # x_i^l: a layer or a power, not guessed


def test_a_loss_named_before_its_formula_is_a_claim_about_that_loss():
    mse, bce, bare = scan_text("Mean Squared Error (MSE), where L = ½(ŷ – y)². With two classes, binary cross "
                               "entropy: L = –[y·ln(ŷ) + (1–y)·ln(1–ŷ)]. Then C = 2·L.\n")
    assert mse.definitions == ["L = MSE(ŷ, y)"] and mse.functions == {"\\operatorname{MSE}": "mse"}
    assert bce.definitions[0] == "L = BCE(ŷ, y)" and bce.symbols["\\hat{y}"] == "scalar (0,1)"
    assert not mse.not_checkable and not bce.not_checkable
    assert bare.not_checkable.startswith("defines C")     # no loss named before it: a bare definition


def test_a_katex_copy_is_read_from_its_latex_annotation():
    from nnderive.scan import _katex_source
    assert _katex_source("g(z)=11+e−zg(z) = \\frac{1}{1 + e^{-z}}g(z)=1+e−z1") == "g(z) = \\frac{1}{1 + e^{-z}}"
    assert _katex_source("δ(L)=a(L)−y\\delta^{(L)} = a^{(L)} - yδ(L)=a(L)−y") == "\\delta^{(L)} = a^{(L)} - y"
    assert _katex_source("σ(z) = 1/(1+e⁻ᶻ)") is None                 # plain Unicode math: not a copy
    d = scan_text("Forward\nz(l)=Θ(l−1)a(l−1)z^{(l)} = \\Theta^{(l-1)} a^{(l-1)}z(l)=Θ(l−1)a(l−1)\n")[0]
    assert (d.notation, d.formula) == ("latex", "z^{(l)} = \\Theta^{(l-1)} a^{(l-1)}")
    assert d.not_checkable.startswith("defines z^{(l)}")             # a layer's definition, not an identity


def test_a_greek_coefficient_glued_to_the_updated_name_is_an_update():
    drafts = scan_text("Momentum\nWith momentum, we update using v = βv + (1–β)∇C and then θ = θ – α·v here.\n")
    ema, step = drafts
    assert (ema.algorithm, ema.not_checkable, ema.roles) == ("momentum", "", {"g": "grad"})
    assert "β v" in ema.reading and not step.definitions
    assert not any(w.startswith("definition of") for w in step.inferred)
    bare = scan_text("Averages\nv = βv + 1\n")[0]
    assert "update rule" in bare.not_checkable           # no optimizer named: an update, not a definition of v


def test_an_expression_defined_where_its_symbols_are_declared_carries_them():
    sheet = ("Forward\nz = Wx + b\n- W: weight matrix (n_out × n_in)\n- x: input vector (n_in × 1)\n"
             "- b: bias vector (n_out × 1)\nBackward\nd/db[Wx + b] = 1\nd/db[Wx] = 0\n")
    bias, other = [d for d in scan_text(sheet) if d.section == "Backward"]
    assert bias.symbols == {"W": "matrix n_{out} n_{in}", "x": "vector n_{in}", "b": "vector n_{out}"}
    assert any("Wx+b as defined on line 2" in w for w in bias.inferred)
    assert other.symbols == {}                           # Wx alone is not the expression the sheet declared


def test_worked_arithmetic_in_words_is_a_rounding_claim():
    text = ("Example\nFirst, 0.2 × 0.5 + (–0.3) × 0.8 + 0.1, which gives –0.04. Then 3 × 0.5 + 1, which gives about 2.6.\n"
            "If you plug 0 into the sigmoid, you get 0.5, and the difference (A² – y), which is –0.478.\n")
    drafts = scan_text(text)
    assert [d.formula for d in drafts] == ["0.2 × 0.5 + (–0.3) × 0.8 + 0.1, which gives –0.04",
                                           "3 × 0.5 + 1, which gives about 2.6", "plug 0 into the sigmoid, you get 0.5"]
    claims, errors = loads(to_toml("worked.txt", drafts), "worked.txt")
    assert not errors
    assert [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]


def test_a_parameter_minus_a_rate_times_its_gradient_is_a_gradient_step():
    drafts = scan_text("Steps\nw = w - lr×∂J/∂w\nθ_new = θ_old - α × ∇L(θ)\n")        # plain text, then Markdown
    drafts += scan_text("$$b \\leftarrow b - \\eta \\frac{\\partial \\mathcal{L}}{\\partial b}$$\n")
    assert [(d.algorithm, d.reading) for d in drafts] == [
        ("gd", "w \\leftarrow w - \\mathrm{lr} \\cdot g"), ("gd", "θ_{new} = θ_{old} - α \\cdot g"),
        ("gd", "b \\leftarrow b - \\eta \\cdot g")]
    claims, errors = loads(to_toml("steps.txt", drafts), "steps.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved"] * 3
    # the gradient by another variable, or a term that names no gradient: not read as a step
    other = scan_text("Steps\nw = w - lr×∂J/∂v\n") + scan_text("$$b \\leftarrow b - \\eta \\delta$$\n")
    assert [d.algorithm for d in other] == ["", ""]


def test_a_summed_loss_named_beside_its_formula_is_a_claim_about_that_loss():
    ce, mse, bare = scan_text("Losses\nCross-Entropy Loss (classification): L = -Σ y_i log(ŷ_i)\n"
                              "L = (1/2) * Σ (y_i - ŷ_i)²  [MSE]\nL = Σ (y_i - ŷ_j)²  [MSE]\n")
    assert ce.definitions == ["L = \\operatorname{CCE}(\\hat{y}, y)"] and "\\sum_{i}" in ce.reading
    assert ce.symbols == {"i": "index n", "y": "vector n [0,1]", "\\hat{y}": "vector n (0,1)"}
    assert mse.definitions == ["L = \\operatorname{MSE}(\\hat{y}, y)"] and not mse.not_checkable
    assert bare.not_checkable.startswith("defines L")         # two subscripts: the sum's index is not guessed
    latex = scan_text("Sum of Squared Errors (SSE)\n\n$$\\mathcal{L}_{\\text{SSE}} = \\sum_i (y_i - \\hat{y}_i)^2$$\n")[0]
    assert latex.functions == {"\\operatorname{SSE}": "sse"} and not latex.not_checkable
    claims, errors = loads(to_toml("losses.txt", [ce, mse, latex]), "losses.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "convention", "proved"]


def test_the_values_an_optimizer_block_lists_are_its_defaults():
    drafts = scan_text("// Adam\nw = w - (lr / √(v_hat + ε)) × m_hat\nβ1=0.9, β2=0.99, ε=1e-8\nβ1 = 0.8\n")
    listed = [d for d in drafts if d.line == 3]
    assert [d.algorithm for d in listed] == ["adam"] * 3 and drafts[-1].not_checkable     # one value alone: a setting
    claims, errors = loads(to_toml("adam.txt", listed), "adam.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]


def test_a_definition_whose_target_the_glossary_shapes_is_a_shape_claim():
    sheet = ("Layer\nz = Wx + b\nZ = WX + b\n- W: weight matrix (n_out × n_in)\n- x: input vector (n_in × 1)\n"
             "- b: bias vector (n_out × 1)\n- z: pre-activation (n_in × 1)\n- X: batch (n_in × batch_size)\n"
             "- Z: batch out (n_out × batch_size)\n")
    z, big = scan_text(sheet)
    assert z.reading == "Wx + b \\in \\mathbb{R}^{n_{in} \\times 1}" and "z" not in z.symbols
    assert big.symbols["X"] == "matrix n_{in} b_{batchsize}"         # a size named by a word: one labelled letter
    claims, errors = loads(to_toml("shapes.txt", [z, big]), "shapes.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["refuted", "proved"]   # z planted n_in


def test_a_definition_under_a_function_s_name_says_what_that_function_is():
    relu, wrong = scan_text("ReLU\na = max(0, z)\n\nThe ReLU is then b = max(1, z)\n")
    assert relu.definitions == ["a = relu(z)"] and not relu.not_checkable
    claims, errors = loads(to_toml("named.txt", [relu, wrong]), "named.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]
    leaky = scan_text("Leaky ReLU\na = max(0.01z, z)\n")[0]
    assert leaky.not_checkable.startswith("defines a")     # another function than the one its last word names
    both = scan_text("Unlike sigmoid, tanh gives a = (eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ)\n")[0]
    assert both.not_checkable.startswith("defines a")      # two names before it: which one is not guessed


def test_a_law_in_a_block_named_for_an_initialisation_is_its_variance():
    drafts = scan_text("// He Initialization\nw ~ N(0, 2/n_in)\nw ~ N(0, 2/n_out)\nw ~ N(0, 2/n)\n\n"
                       "// Xavier/Glorot init\nw ~ U[-√(6/(n_in+n_out)), √(6/(n_in+n_out))]\n\nhe said w ~ N(0, 2/n_in)\n")
    assert [d.line for d in drafts] == [2, 3, 7]           # n: which size it is is not said; 'he' is no scheme
    assert drafts[0].reading == "\\operatorname{Var}_{\\text{He}}(n_{in}) = 2 / n_{in}"
    claims, errors = loads(to_toml("init.txt", drafts), "init.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]


def test_a_difference_quotient_of_a_function_the_sheet_applies_is_checked_as_eps_goes_to_0():
    drafts = scan_text("Gradient\nJ = L + λ × w²\n∂J/∂w ≈ [J(w+ε) - J(w-ε)] / (2ε)\n∂J/∂w ≈ [J(w+ε) - J(w-ε)] / ε\n")[1:]
    assert [d.functions for d in drafts] == [{"J": "generic"}] * 2 and not drafts[0].definitions
    claims, errors = loads(to_toml("quotient.txt", drafts), "quotient.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_has_shape_lines_declare_and_a_bold_formula_is_read_without_its_stars():
    sheet = ("Shapes\n- Weight matrix W has shape (m, n)\n- Bias vector b has shape (m,)\n"
             "- Input a has shape (n,) for single example or (batch_size, n) for batches\n"
             "- Output z = Wa + b has shape (m,)\n- Output y = Wa has shape (n,)\n*h^(l) = Wa**\n")
    z, y, h = scan_text(sheet)
    assert z.symbols == {"W": "matrix m n", "b": "vector m", "a": "vector n"}
    assert any("first of the shapes" in w for w in z.inferred)
    assert h.formula == "h^(l) = Wa" and h.not_checkable.startswith("defines h^(l)")
    claims, errors = loads(to_toml("shapes.txt", [z, y]), "shapes.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_code_with_shapes_in_its_docstring_is_a_well_formedness_claim():
    code = ('import numpy as np\ndef layer(X, W, b):\n"""\nX: input matrix (batch_size, n_in)\n'
            'W: weight matrix (n_out, n_in)\nb: bias vector (n_out,)\n"""\nZ = np.dot(X, W.T) + b\nreturn Z\n'
            'def wrong(X, W):\n"""\nX: input (n_in, batch_size)\nW: weights (n_out, n_in)\n"""\nZ = X @ W.T\nreturn Z\n')
    good, bad = [d for d in scan_text(code) if d.reading]
    assert good.reading == "X W^{T} + \\mathbf{1} b^{T} \\in \\mathbb{R}^{b_{batchsize} \\times n_{out}}"
    claims, errors = loads(to_toml("code.txt", [good, bad]), "code.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_function_named_in_a_derivative_s_subscript_labels_the_line():
    text = "Glossary\n- σ: activation function\nVanishing\n∂a/∂z_sigmoid = σ(z)(1-σ(z)) ≤ 0.25\n∂a/∂z_sigmoid = σ(z)(1-σ(z)) ≤ 0.2\n"
    drafts = scan_text(text)
    assert [d.functions for d in drafts] == [{"σ": "sigmoid"}] * 2 and drafts[0].definitions == ["a = σ(z)"]
    claims, errors = loads(to_toml("label.txt", drafts), "label.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_statement_in_words_is_drafted_as_not_checkable():
    drafts = scan_text("Init\nBad init causes dead neurons.\n2·a = a + a\nprint(f'shape keeps {x}')\nA short note\n")
    assert [(d.line, bool(d.not_checkable)) for d in drafts] == [(2, True), (3, False)]
    assert drafts[0].not_checkable.startswith("a statement in words") and "note" in drafts[0].entry("c")


def test_shape_arithmetic_claims_the_shape_of_each_product():
    drafts = scan_text("Shapes\nUse (m×n) = (m×k) × (k×n)^T = (m×k) × (n×k)\nthen (n × b) @ (b × k) = (n × k)\n")
    assert [d.formula for d in drafts] == ["(m×n) = (m×k) × (k×n)^T", "(m×n) = (m×k) × (k×n)^T = (m×k) × (n×k)",
                                           "(n × b) @ (b × k) = (n × k)"]
    claims, errors = loads(to_toml("shapes.txt", drafts), "shapes.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["refuted", "refuted", "proved"]


def test_an_upstream_gradient_times_a_mask_states_the_named_derivative():
    code = ("import numpy as np\ndZ2 = dA2 * (Z2 > 0) # ReLU derivative\ndZ1 = dA1 * (Z1 > 1) # ReLU derivative\n"
            "dZ0 = dA0 * dB0 # ReLU derivative\n")
    drafts = scan_text(code)
    assert [d.line for d in drafts] == [2, 3]          # two gradients multiplied: which is the mask is not said
    claims, errors = loads(to_toml("mask.txt", drafts), "mask.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_range_in_words_bounds_the_one_function_its_sentence_names():
    drafts = scan_text("Ranges\nWith tanh(z), it maps values into a range between 0 and 1. "
                       "A zero-centered sigmoid variant mapping to (-1,1).\n")
    assert [d.reading for d in drafts] == ["\\tanh(z) \\ge 0", "\\tanh(z) \\le 1"]   # 'sigmoid variant': another one
    claims, errors = loads(to_toml("ranges.txt", drafts), "ranges.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["refuted", "proved"]


def test_a_named_loss_keeps_the_sheet_s_own_declarations():
    d = scan_text("Loss\n- ŷ: prediction vector (n × 1)\nWith binary cross entropy: L = –[y·ln(ŷ) + (1–y)·ln(1–ŷ)]\n")[0]
    assert d.symbols["\\hat{y}"] == "vector n" and d.definitions == ["L = BCE(ŷ, y)"]


def test_a_uniform_draw_in_code_has_the_ends_of_the_interval_stated_above():
    text = ("Init\nΘ∈[−ϵ,ϵ]\\Theta \\in [-\\epsilon, \\epsilon]Θ∈[−ϵ,ϵ]\nTheta = rand(x,y) * (2*epsilon) - epsilon;\n"
            "Theta = rand(x,y) * epsilon - epsilon;\nOmega = rand(x,y) * epsilon - epsilon;\n")
    drafts = [d for d in scan_text(text) if d.reading]
    assert [d.line for d in drafts] == [3, 3, 4, 4]          # Omega: no interval stated for it
    claims, errors = loads(to_toml("draw.txt", drafts), "draw.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "proved", "proved", "refuted"]


def test_the_softmax_cross_entropy_gradient_the_words_name():
    text = ("Output\n// For softmax + cross-entropy\ndL/dz = (ŷ - y)  [Nice form!]\n"
            "Cross-entropy + softmax combine nicely:\ndL/dz = (y - ŷ)  [no exponential]\n"
            "Another pairing:\ndL/dz = (ŷ - y)\n")
    drafts = scan_text(text)
    first, wrong, bare = [d for d in drafts if d.formula.startswith("dL/dz")]
    assert first.given == ["\\sum_i y_i = 1"] and wrong.formula == "dL/dz = (y - ŷ)" and not bare.reading
    claims, errors = loads(to_toml("sce.txt", [first, wrong]), "sce.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_categorical_cross_entropy_under_a_softmax_heading_has_the_softmax_prediction():
    head = "Categorical Cross-Entropy (with Softmax)\n\n$$\\mathcal{L} = - \\sum_i y_i \\log(a_i), \\quad "
    right, wrong = (scan_text(head + f"\\frac{{\\partial \\mathcal{{L}}}}{{\\partial z_j}} = a_j {s} y_j$$\n")[1]
                    for s in "-+")
    assert right.definitions[-1] == "a = \\operatorname{softmax}(z)" and right.given == ["\\sum_i y_i = 1"]
    claims, errors = loads(to_toml("cce.txt", [right, wrong]), "cce.txt")
    got = [v.verdict for v in judge_all(claims)]
    assert not errors and got[0] == "proved" and got[1] != "proved" and not wrong.given   # a_j + y_j: not the form
    other = scan_text("Categorical Cross-Entropy\n\n" + head.split("\n", 2)[2] +
                      "\\frac{\\partial \\mathcal{L}}{\\partial z_j} = a_j - y_j$$\n")[1]
    assert not other.given                               # no softmax named: a is not read as one


def test_spaces_stated_in_a_sentence_shape_a_bracketed_definition():
    text = ("Shapes\nIf X is a group of numbers arranged in ℝⁿˣᵐ and W looks like ℝᵏˣⁿ, then multiplying them "
            "(Z = W·X) gives us a new form in ℝᵏˣᵐ.\nIf X is arranged in ℝⁿˣᵐ and W looks like ℝᵏˣⁿ, then "
            "(Y = W·X) gives us a new form in ℝⁿˣᵐ.\nA product X times W is in ℝᵏˣᵐ (V = W·X)\n")
    right, wrong, bare = scan_text(text)
    assert right.formula == "Z = W·X" and right.reading == "W \\cdot X \\in \\mathbb{R}^{k \\times m}"
    assert right.symbols == {"X": "matrix n m", "W": "matrix k n"}
    assert bare.not_checkable.startswith("defines V")       # 'X times W is in': the space is not W's
    from nnderive.scan import _sheet_declarations
    assert _sheet_declarations(text.splitlines()[3:], {}) == {}
    claims, errors = loads(to_toml("spaces.txt", [right, wrong]), "spaces.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_row_labelled_with_its_symbol_drops_the_label():
    (d,) = scan_text("Updates\nBias (b) b ← b – η·δ\n")
    assert d.formula == "b ← b – η·δ"


def test_values_a_worked_example_states_in_prose_define_its_later_rounded_values():
    text = ("Example\nWe have W¹ = [1, 2] and a bias b² = 0.05. Z² = 0.3 × 0.49 + 0.05, which comes out to about 0.197.\n"
            "After applying the sigmoid function here, our output A² is approximately 0.549. If our target y is 1,\n"
            "L = ½ (A² – y)²,\nwhich works out to be around 0.2. First, we calculate the output error, δ². We do this "
            "by taking the difference (A² – y), which is –0.451, and multiplying it by the derivative of the sigmoid "
            "at Z² (approximately 0.248). So δ² is roughly –0.112 and (q – y), which is 3. The bias gradient is "
            "simply δ², or –0.2.\n")
    values = [d for d in scan_text(text) if d.definitions]
    assert [d.formula for d in values] == [
        "A² is approximately 0.549", "L = ½ (A² – y)², which works out to be around 0.2",
        "(A² – y), which is –0.451", "derivative of the sigmoid at Z² (approximately 0.248)",
        "δ² is roughly –0.112", "simply δ², or –0.2"]                  # q: no value given
    a2, delta = values[0], values[4]
    assert a2.reading == "A_{2} \\approx 0.549" and a2.functions == {"\\sigma": "sigmoid"}
    assert a2.definitions == ["Z_{2} = 0.3 \\times 0.49 + 0.05", "A_{2} = \\sigma(Z_{2})"]
    assert delta.definitions[-1] == "δ_{2} = (A_{2} - y) \\cdot \\sigma^{\\prime}(Z_{2})"
    assert any("layer labels" in w for w in a2.inferred)
    claims, errors = loads(to_toml("worked.txt", values), "worked.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == [
        "proved", "refuted", "proved", "proved", "proved", "refuted"]
    unnamed = "Example\nW¹ = 1. So δ² is roughly –0.112; it is simply δ², or –0.112.\n"
    assert not [d for d in scan_text(unnamed) if d.definitions]   # δ² never given a value: no claim


def test_a_superscript_is_a_power_where_no_letter_carries_a_first_one():
    text = "Example\nA bias b = 0.5 gives a² = b. After applying the sigmoid function here, A² is approximately 0.6.\n"
    assert not [d for d in scan_text(text) if d.definitions]        # a² is a power: no name, no value


def test_the_softmax_cross_entropy_gradient_stated_in_a_sentence_or_in_code():
    prose = ("Loss\nCross-entropy with softmax has the elegant property that its gradient simplifies to (ŷ - y). "
             "For softmax with cross-entropy the gradient is y - ŷ. With MSE its gradient is (ŷ - y).\n")
    code = ("import numpy as np\ndef backward(X):\n# Output layer gradient (cross-entropy + softmax)\n"
            "dZ3 = A3 - y_true # Elegant simplification!\n# cross-entropy + softmax\ndZ3 = y_true - A3\n"
            "# cross-entropy + softmax\ndZ3 = A2 - y_true\ndZ2 = A2 - y_true\n")
    words, coded = scan_text(prose), [d for d in scan_text(code) if d.reading]
    assert [d.formula for d in words] == ["gradient simplifies to (ŷ - y)", "gradient is y - ŷ"]   # MSE: no pairing
    assert [d.line for d in coded] == [4, 6]        # A2 is not layer 3's prediction; no pairing named for dZ2
    assert coded[0].definitions == ["L = -\\sum_i y_i \\log \\hat{y}_i", "\\hat{y} = \\operatorname{softmax}(z)"]
    assert any("A3 the prediction" in w for w in coded[0].inferred)
    claims, errors = loads(to_toml("sce.txt", words + coded), "sce.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved", "refuted"]


def test_an_exponent_indexed_by_the_formula_s_own_index_is_an_entry():
    text = ("Softmax\nsoftmax is handy: it turns scores into probabilities with the formula aᵢ = eᶻⁱ / Σⱼ eᶻʲ.\n"
            "softmax is handy: it turns scores into probabilities with the formula aᵢ = eᶻⁱ / Σⱼ eᶻʲ + 1.\nAnd y = eᶻᵏ + 1 then.\n")
    right, wrong, other = scan_text(text)
    assert right.reading == "a_{i} = e^{z_{i}} / (\\sum_{j} e^{z_{j}})"
    assert right.definitions == ["a = \\operatorname{softmax}(z)"] and any("indexed" in w for w in right.inferred)
    assert not other.reading                            # k indexes nothing in its formula: zk stays unread
    claims, errors = loads(to_toml("softmax.txt", [right, wrong]), "softmax.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_glued_entries_under_a_sum_with_no_index_are_its_terms():
    text = ("Loss\nL = -Σ yi × log(ŷi)  [Cross-entropy]\nL = -Σ yi × log(1 - ŷi)  [Cross-entropy]\n"
            "L = -Σ yi × log(ŷj)  [Cross-entropy]\n")
    right, wrong, other = scan_text(text)
    assert right.reading == "L = - \\sum_{i} y_{i} \\times \\log (\\hat{y}_{i})"
    assert any("i-th entries" in w for w in right.inferred)
    assert other.not_checkable.startswith("defines L")      # ŷj: not the sum's term
    claims, errors = loads(to_toml("ce.txt", [right, wrong]), "ce.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_value_with_its_condition_and_the_value_otherwise_in_words_is_a_case_claim():
    drafts = scan_text("Deriv\n∂ReLU(z)/∂z = 1 if z>0, else 0\n∂ReLU(z)/∂z = 1 if z>1, else 0\n"
                       "f = 1 if the weights are large, else 0\n")
    right, wrong, words = drafts
    assert right.formula == "∂ReLU(z)/∂z = 1 if z>0, else 0" and "\\begin{cases} 1, & z > 0" in right.reading
    assert words.not_checkable.startswith("a condition follows in words")
    claims, errors = loads(to_toml("cases.txt", [right, wrong]), "cases.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_the_second_shapes_a_line_gives_are_drafted_as_their_own_claim():
    sheet = ("Shapes\n- Weight matrix W has shape (m, n)\n- Bias vector b has shape (m,)\n"
             "- Input a has shape (n,) for single example or (batch_size, n) for batches\n"
             "- Output z = Wa + b has shape (m,) or (batch_size, m)\n- Output y = Wa has shape (m,)\n")
    single, batch, y = scan_text(sheet)
    assert batch.formula == "z = Wa + b has shape (m,) or (batch_size, m)"
    assert batch.symbols["a"] == "matrix b_{batchsize} n" and any("second of the shapes" in w for w in batch.inferred)
    assert y.formula == "y = Wa"                          # y has one shape only: no second claim
    claims, errors = loads(to_toml("shapes.txt", [single, batch, y]), "shapes.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]   # batch-first a: Wa is no product


def test_its_derivative_in_words_is_the_derivative_of_the_name_the_sentence_defines():
    text = ("Loss\nWe calculate the error with L = ½(ŷ – y)² and see how a small change in the prediction affects "
            "the error using its derivative, which is just ŷ – y.\nWe take L = ½(ŷ – y)² and a small change in the "
            "prediction, using its derivative, which is just y – ŷ.\nWe take L = (ŷ – y)² and the error using its "
            "derivative, which is just 2(ŷ – y).\nWe take f = 3x² and its derivative, which is 6x.\n")
    drafts = [d for d in scan_text(text) if d.reading]
    assert [d.line for d in drafts] == [2, 3, 5]            # line 4: by ŷ or by y? the sentence does not say
    assert drafts[0].reading == "\\frac{d L}{d \\hat{y}} = \\hat{y} - y"
    assert drafts[0].definitions == ["L = \\frac{1}{2} (\\hat{y} - y)^{2}"]
    claims, errors = loads(to_toml("deriv.txt", drafts), "deriv.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]


def test_a_worked_layer_of_stated_vectors_gives_its_activations_and_their_derivatives():
    text = ("Example\nWe start with X = [0.5, 0.8], weights W¹ = [[0.2, -0.3], [0.4, 0.1]] and a bias b¹ = [0.1, -0.1], "
            "so Z¹ = W¹·X + b¹. Next, we use the sigmoid activation function. So, our activated hidden outputs are "
            "roughly [0.49, 0.6]. Say δ² = 2. Then we multiply δ² by each activated value from the hidden layer. This "
            "gives us gradients for the weights of about [0.98, 1.09]. With hidden neuron derivatives around 0.25 for "
            "the first and 0.247 for the second, we are done.\n")
    drafts = [d for d in scan_text(text) if d.definitions and d.reading]
    assert [d.reading for d in drafts] == [
        "\\sigma(Z_{11}) \\approx 0.49", "\\sigma(Z_{12}) \\approx 0.6", "δ_{2} \\sigma(Z_{11}) \\approx 0.98",
        "δ_{2} \\sigma(Z_{12}) \\approx 1.09", "\\sigma^{\\prime}(Z_{11}) \\approx 0.25", "\\sigma^{\\prime}(Z_{12}) \\approx 0.247"]
    assert drafts[0].definitions == ["Z_{11} = 0.2 \\cdot 0.5 + (-0.3) \\cdot 0.8 + 0.1"]
    claims, errors = loads(to_toml("layer.txt", drafts), "layer.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == [
        "proved", "refuted", "proved", "proved", "proved", "refuted"]
    unnamed = text.replace("the sigmoid activation function", "an activation function")
    assert not [d for d in scan_text(unnamed) if d.definitions and "Z_{1" in d.reading]   # which function: not said


def test_a_shape_the_code_prints_is_the_shape_of_what_the_called_function_returns():
    code = ("import numpy as np\ndef layer(X, W, b):\nZ = np.dot(X, W.T) + b\nreturn Z\n"
            "def twice(X, W):\nZ = X @ W.T\nZ = Z @ W\nreturn Z\n"
            "batch_size, n_in, n_out = 32, 784, 128\nX = np.random.randn(batch_size, n_in)\n"
            "W = np.random.randn(n_out, n_in) * 0.01\nb = np.zeros(n_out)\nZ = layer(X, W, b)\n"
            "print(f\"Output shape: {Z.shape}\") # (32, 128)\nprint(Z.shape) # (32, 784)\n"
            "Y = twice(X, W)\nprint(Y.shape) # (32, 784)\n")
    printed = [d for d in scan_text(code) if d.formula.startswith("print")]
    assert [d.line for d in printed] == [14, 15]        # twice assigns Z twice: not followed
    assert printed[0].reading == "X W^{T} + \\mathbf{1} b^{T} \\in \\mathbb{R}^{32 \\times 128}"
    assert printed[0].symbols == {"X": "matrix 32 784", "W": "matrix 128 784", "b": "vector 128", "\\mathbf{1}": "ones 32"}
    claims, errors = loads(to_toml("printed.txt", printed), "printed.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_softmax_the_code_returns_is_checked_entry_by_entry():
    code = ('import numpy as np\ndef softmax(z):\n"""Numerically stable softmax"""\n'
            "exp_z = np.exp(z - np.max(z, axis=1, keepdims=True))\n"
            "return exp_z / np.sum(exp_z, axis=1, keepdims=True)The key insight is that we cache.\n"
            'import numpy as np\ndef stable_softmax(z):\nreturn np.exp(z - np.max(z)) / np.sum(np.exp(z))\n'
            'import numpy as np\ndef softmax_cols(z):\nreturn np.exp(z) / np.sum(np.exp(z), axis=0, keepdims=True)\n')
    drafts = [d for d in scan_text(code) if "softmax" in d.reading]
    assert [d.formula for d in drafts] == ["return exp_z / np.sum(exp_z, axis=1, keepdims=True)",
                                           "return np.exp(z - np.max(z)) / np.sum(np.exp(z))"]   # axis 0: not read
    assert any("each row is one example" in w for w in drafts[0].inferred)
    claims, errors = loads(to_toml("softmax.txt", drafts), "softmax.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_heading_glued_to_the_end_of_a_code_line_starts_its_section():
    text = ("Losses: Measuring the Error\nL = (1/2) * Σ (y_i - ŷ_i)²  [MSE]\nimport numpy as np\n"
            "def mse(y, p):\nreturn np.mean((y - p) ** 2)Backprop: The Chain Rule in Action\n"
            "∂L/∂θ = (∂L/∂output) × (∂output/∂θ)\n")
    chain = scan_text(text)[-1]
    assert chain.section == "Backprop: The Chain Rule in Action" and not any("line 2" in w for w in chain.inferred)
    claims, errors = loads(to_toml("glued.txt", [chain]), "glued.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved"]      # the chain rule, nothing of the MSE
    assert scan_text(text.replace("Backprop: The", "backprop: the"))[-1].definitions     # no heading: one section


def test_matrix_algebra_of_undeclared_letters_follows_the_sheet_s_capitals_and_small_letters():
    glossary = "Layer\n- W: weight matrix (n_out × n_in)\n- x: input vector (n_in × 1)\n"
    rules = "Rules\n∂(x^TAx)/∂x = (A + A^T)x\n∂(x^TAx)/∂x = 2Ax\n∂||Ax - b||²/∂x = 2A^T(Ax - b)\nx^T A = B x\n"
    drafts = [d for d in scan_text(glossary + rules) if d.section == "Rules"]
    assert drafts[0].symbols == {"x": "vector n", "A": "matrix n n"}              # x^T A and A x: A is square
    assert drafts[2].symbols == {"x": "vector n", "A": "matrix m n", "b": "vector m"}
    assert any("capitals for matrices" in w for w in drafts[0].inferred)
    assert drafts[3].symbols == {}                       # a row = a column: no sizes make it well-formed
    claims, errors = loads(to_toml("rules.txt", drafts[:3]), "rules.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]
    # a sheet whose declarations do not follow the convention (a capital vector): nothing is inferred
    other = glossary.replace("- x: input vector", "- X: input vector")
    assert all(not d.symbols for d in scan_text(other + rules) if d.section == "Rules")


def test_a_space_after_to_or_for_is_not_the_letter_s():
    from nnderive.scan import _sheet_declarations
    lines = ["The map sends u to y is in ℝⁿ here", "Read it for y lives in ℝᵐ", "Then y is in ℝᵏ"]
    assert _sheet_declarations(lines, {}) == {("", "y"): ("vector k", "y: vector k from the sentence's ℝ on line 3")}


def test_a_softmax_without_an_axis_says_it_reads_one_vector():
    code = 'import numpy as np\ndef softmax(z):\nreturn np.exp(z - np.max(z)) / np.sum(np.exp(z - np.max(z)))\n'
    (d,) = [d for d in scan_text(code) if d.reading]
    assert any("without an axis" in w for w in d.inferred)


def test_the_letter_a_softmax_takes_is_a_vector():
    right, wrong, other = scan_text("Stability\nsoftmax(x) = softmax(x - max(x))\nsoftmax(x) = softmax(2x - max(x))\n"
                                    "softmax(x) = softmax(x - y)\n")
    assert right.symbols == {"x": "vector n"} and any("takes a vector" in w for w in right.inferred)
    assert other.symbols == {}                           # y: nothing says what it is
    claims, errors = loads(to_toml("sm.txt", [right, wrong]), "sm.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_sum_over_n_does_not_make_n_the_size_of_its_own_range():
    (d,) = scan_text("Conv\n(f*g)[i,j] = Σₘ Σₙ f[i–m, j–n].\n")
    assert "n" not in d.symbols and "m" not in d.symbols
    (ok,) = scan_text("Mean\nE = (1/n) Σᵢ (y_i - ŷ_i)² = Σᵢ y_i\n")
    assert ok.symbols == {"i": "index n", "y": "vector n", "\\hat{y}": "vector n"}   # no index named n: n the size


def test_a_derivative_s_two_values_in_the_bracket_after_a_function_s_name():
    drafts = scan_text("Fixes\n→ Use ReLU (∂/∂z = 0 or 1, no saturation)\n→ Use tanh (∂/∂z = 0 or 1)\n"
                       "→ Use it (∂/∂z = 0 or 1)\n")
    relu, tanh = drafts[:2]
    assert relu.formula == "∂/∂z = 0 or 1" and relu.functions == {"\\operatorname{ReLU}": "relu"}
    assert all(d.formula != "∂/∂z = 0" for d in drafts[:2])          # the formula cut at 'or' is not drafted
    assert not drafts[2].reading                                      # no function named before the bracket
    claims, errors = loads(to_toml("values.txt", [relu, tanh]), "values.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted"]


def test_a_gradient_clipped_to_a_symmetric_bound_is_the_clip_by_value_step():
    drafts = scan_text("Exploding\n→ Gradient clipping: clip(∂J/∂w, -threshold, threshold)\n"
                       "→ Gradient clipping: clip(∂J/∂w, -a, b)\n→ Use clip(∂J/∂w, -c, c) on the inputs\n")
    (d,) = drafts
    assert (d.formula, d.algorithm) == ("clip(∂J/∂w, -threshold, threshold)", "clip_value")
    assert d.roles == {"g": "grad", "\\mathrm{threshold}": "clip"}
    claims, errors = loads(to_toml("clip.txt", [d]), "clip.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved"]


def test_a_nesterov_block_reads_its_look_ahead_point_and_the_gradient_taken_there():
    text = ("// Nesterov Momentum\nw_ahead = w - β × v\nv = β×v + ∂J/∂w|_{w_ahead}\nw = w - lr × v\n\n"
            "// Nesterov\nw_ahead = w - lr × β × v\nv = β×v + ∂J/∂w|_{u_ahead}\n")
    drafts = scan_text(text)
    assert drafts[0].roles == {"w_{ahead}": "lookahead", "w": "param", "v": "velocity", "\\beta": "momentum"}
    assert drafts[1].reading == "v = β \\times v + g_{ahead}" and drafts[1].roles["g_{ahead}"] == "lookahead_grad"
    assert "g_{ahead}" not in drafts[4].reading        # the gradient at another point than the look-ahead: not named
    claims, errors = loads(to_toml("nesterov.txt", drafts[:4]), "nesterov.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["refuted", "proved", "proved", "proved"]


def test_a_shape_stated_under_a_derivative_is_the_shape_of_that_derivative():
    text = ("Calculus\n∂f/∂x = [∂f₁/∂x₁ ... ∂f₁/∂xₙ]\nShape: (m × n) for f: ℝⁿ → ℝᵐ\n\n∂f/∂x = J\n"
            "Shape: (m × m) for f: ℝⁿ → ℝᵐ\n\nH = ∂²f/∂x²  [matrix of 2nd partials]\nShape: (n × n) for f: ℝⁿ → ℝ\n\n"
            "∂g/∂x = J\nShape: (m × n) for f: ℝⁿ → ℝᵐ\n")
    drafts = [d for d in scan_text(text) if d.formula.startswith("Shape")]
    assert [d.line for d in drafts] == [3, 6, 9]           # line 12: the derivative above is of g, not f
    assert drafts[0].definitions == ["f = A x"] and any("linear map" in w for w in drafts[0].inferred)
    claims, errors = loads(to_toml("shape.txt", drafts), "shape.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "refuted", "proved"]


def test_a_chain_rule_stated_in_words_is_the_product_of_its_fractions():
    text = ("Backprop\nthe change in cost, written as ∂C/∂W, breaks down into a product of two pieces: ∂C/∂Z and ∂Z/∂W. "
            "Likewise ∂C/∂b breaks down into a product of ∂C/∂Z and ∂Z/∂W here.\n")
    drafts = scan_text(text)
    # the second: ∂Z/∂W does not end at b, so no chain of functions reads it (nothing drafted)
    assert [d.formula for d in drafts] == ["∂C/∂W, breaks down into a product of two pieces: ∂C/∂Z and ∂Z/∂W"]
    assert drafts[0].definitions == ["C = F(Z)", "Z = G(W)"]
    claims, errors = loads(to_toml("chain.txt", drafts), "chain.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved"]


def test_sentences_about_zero_or_random_initialisation_are_the_symmetry_theorems():
    text = ("Random Initialization\nDo NOT initialize weights to zero.\nTheta = rand(x,y)\nThis breaks symmetry.\n"
            "Zero initialization breaks symmetry.\nAll weights = 0 → all neurons compute same, no learning\n")
    drafts = [d for d in scan_text(text) if d.theorem]
    assert [(d.line, d.theorem) for d in drafts] == [(2, "symmetric_init"), (4, "symmetric_init"),
                                                     (6, "zero_init_no_learning")]   # line 5: an equal start
    assert not [d for d in scan_text("Weights\nAll weights = 0 → all neurons compute same, no learning\n") if d.theorem]
    claims, errors = loads(to_toml("init.txt", drafts), "init.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "proved", "refuted"]


def test_a_learning_rate_too_high_that_diverges_is_the_step_size_theorem():
    text = ("Steps\n// Learning rate effects\nToo high: Oscillate, diverge\nToo low: Slow convergence\n"
            "Rates\nIf the learning rate is too high, you might overshoot the best answer. The batch is too large "
            "and the loss may diverge.\n")
    drafts = [d for d in scan_text(text) if d.theorem]
    assert [(d.line, d.formula) for d in drafts] == [(3, "Too high: Oscillate, diverge"),
                                                     (6, "too high, you might overshoot")]   # the batch: no rate
    claims, errors = loads(to_toml("lr.txt", drafts), "lr.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved", "proved"]


def test_the_half_relu_zeroes_in_a_he_block_is_he_s_second_moment():
    text = "// He Initialization\nFor ReLU\nw ~ N(0, 2/n_in)\nAccounts for ReLU zeros out 50% of activations\n\n" \
           "// Xavier\nNote ReLU zeros out half of the activations\nKeeps variance consistent across layers\n\n" \
           "// Batch norm\nKeeps variance consistent across layers\n"
    drafts = [d for d in scan_text(text) if d.theorem]
    # line 7: no He scheme above; lines 8 and 11: a loose statement of purpose is not refuted from its words
    assert [(d.line, d.theorem) for d in drafts] == [(4, "he_second_moment")]
    claims, errors = loads(to_toml("he.txt", drafts), "he.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["proved"]


def test_a_growing_adagrad_sum_and_errors_added_up_through_time_are_their_theorems():
    text = ("// AdaGrad\ns = s + g²\nProblem: s keeps growing, lr → 0\n\n// RMSprop\nProblem: s keeps growing, lr → 0\n\n"
            "RNN\nDuring backpropagation through time, errors from later time steps add up over the steps.\n"
            "Here errors from later time steps add up.\n")
    drafts = [d for d in scan_text(text) if d.theorem]
    assert [(d.line, d.theorem) for d in drafts] == [(3, "adagrad_lr_decay"), (9, "bptt")]   # not RMSprop's; no BPTT named
    claims, errors = loads(to_toml("seq.txt", drafts), "seq.txt")
    assert not errors and [v.verdict for v in judge_all(claims)] == ["undecided", "proved"]


def test_a_worked_output_layer_fed_by_printed_hidden_values_is_the_network_and_its_backprop_rules():
    text = ("Example\nWe start with X = [0.5, 0.8], weights W¹ = [[0.2, -0.3], [0.4, 0.1]] and a bias b¹ = [0.1, -0.1], "
            "so Z¹ = W¹·X + b¹. Next, we use the sigmoid activation function. So, our activated hidden outputs are "
            "roughly [0.49, 0.545]. We have a weight vector W² = [0.3, -0.2] and a bias b² = 0.05. So "
            "Z² = 0.3 × 0.49 + (–0.2) × 0.545 + 0.05, which comes out to about 0.088. After applying the sigmoid "
            "function here, our output A² is approximately 0.522. If our target output y is 1, L = ½ (A² – y)², "
            "which works out to be around 0.114. First, we calculate the output error, δ². We do this by taking the "
            "difference (A² – y), which is –0.478, and multiplying it by the derivative of the sigmoid at Z². To "
            "update the weights, we multiply δ² by each activated value from the hidden layer. This gives us "
            "gradients for the weights of about [–0.058, –0.065]. The error δ¹ is found by taking the output weights "
            "(transposed), multiplying them by δ², and then element-wise multiplying by the derivative of the sigmoid "
            "for each hidden neuron. We get errors of approximately δ¹ = [–0.009, 0.006].\n")
    wrong = text.replace("about 0.088", "about 0.089").replace(
        "element-wise multiplying by the derivative of the sigmoid", "element-wise multiplying by the derivative of "
        "the tanh").replace("[–0.009, 0.006]", "[–0.009, 0.007]")
    got = {}
    for sheet in (text, wrong):
        drafts = [d for d in scan_text(sheet) if d.reading and (
            "\\partial L" in d.reading or d.formula.startswith(("which comes", "approximately δ")))]
        claims, errors = loads(to_toml("net.txt", drafts), "net.txt")
        assert not errors
        got[sheet is text] = [(d.reading.split(" = ")[0].split(" \\approx")[0], v.verdict)
                              for d, v in zip(drafts, judge_all(claims))]
    rules = [("\\frac{\\partial L}{\\partial W_{21}}", "proved"), ("\\frac{\\partial L}{\\partial W_{22}}", "proved")]
    assert got[True] == [("Z_{2}", "proved")] + rules + [("\\frac{\\partial L}{\\partial Z_{11}}", "proved"),
                         ("\\frac{\\partial L}{\\partial Z_{12}}", "proved"), ("δ_{11}", "proved"), ("δ_{12}", "proved")]
    # the planted errors: a printed Z² the exact hidden values do not give, tanh' for the layer's sigmoid' in the
    # hidden error (so its values are off too)
    assert got[False] == [("Z_{2}", "refuted")] + rules + [("\\frac{\\partial L}{\\partial Z_{11}}", "refuted"),
                          ("\\frac{\\partial L}{\\partial Z_{12}}", "refuted"), ("δ_{11}", "refuted"), ("δ_{12}", "refuted")]
