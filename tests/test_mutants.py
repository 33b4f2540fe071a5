"""Mechanical mutants of every proved claim of the catalogue and of the external corpus: a mutant is never
proved unless it says the same.

Each proved claim's LaTeX is mutated one place at a time, the way formulas go wrong in copying: the
sign of a binary + or - flipped, a lone 2 made 3, a transpose dropped, a factor 1/2 or 1/m dropped,
the indices of a two-index subscript swapped, epsilon moved out of a square root.  Most mutants are
false and must not be proved; the few that are the same statement (a sign inside a shape claim, a
term multiplied by 0) were checked by hand and are listed in EQUIVALENT with the reason.  A proved
mutant not listed is a wrong "proved" of the checker (this test found one: cases that leave points
out; a chain whose second link erred) or a new equivalent mutant to check by hand.  Adding a claim adds its mutants: no new test.
"""
import dataclasses
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from nnderive.catalogue import catalogue_dir, load_paths
from nnderive.judge import judge_all

DATA = Path(__file__).parent / "data"
EXPECTED = {cid: v for table in tomllib.loads(
    (DATA / "expected_verdicts.toml").read_text(encoding="utf-8")).values() for cid, v in table.items()}
EXPECTED.update(tomllib.loads((DATA / "external_verdicts" / "expected.toml").read_text(encoding="utf-8"))["verdicts"])
#: external claims the checker does not judge yet (their mutants would only measure the gap)
GAPS = tomllib.loads((DATA / "external_verdicts" / "gaps.toml").read_text(encoding="utf-8"))["gaps"]

#: (name, pattern, replacement of the match); a mutant per match
MUTATIONS = (
    ("sign", re.compile(r"(?<=[\w})\]] )[+-](?= )"), lambda m: "-" if m.group() == "+" else "+"),
    ("two", re.compile(r"(?<![\w.{_^\\])2(?![\w.}])"), lambda m: "3"),
    ("transpose", re.compile(r"\^\{?(?:T|\\top|\\intercal)\}?(?![a-zA-Z])"), lambda m: ""),
    ("half", re.compile(r"\\frac\{1\}\{2\}\s*"), lambda m: ""),
    ("mean", re.compile(r"\\frac\{1\}\{[a-zA-Z]\}\s*"), lambda m: ""),
    ("swap", re.compile(r"_\{([a-z]),?\s*([a-z])\}"), lambda m: "_{" + m.group(2) + m.group(1) + "}"),
    ("eps", re.compile(r"\\sqrt\{([^{}]*?)\s*\+\s*\\epsilon\}"), lambda m: "\\sqrt{" + m.group(1) + "} + \\epsilon"),
)

#: mutants that state the same thing as their claim (checked by hand), with why
EQUIVALENT = {
    **{m: "a sign inside a shape claim: the shape is the same" for m in (
        "bharath.forward.linear_shape#sign@4", "bharath.forward.batch_shape#sign@4",
        "bharath.forward.batch_activation_shape#sign@11", "bharath.forward.two_layer_shape#sign@28",
        "bharath.forward.two_layer_shape#sign@35", "article.rnn.hidden#sign@9", "article.rnn.hidden#sign@20",
        "rupe.layer.recurrence_shape#sign@18", "rupe.shapes.single#sign@4", "rupe.code.forward_layer#sign@6",
        "rupe.code.nn_forward_shape#sign@4")},
    "rupe.code.batch_weight_gradient_shape#mean@0": "a factor 1/m inside a shape claim: the shape is the same",
    "optax_docs.adam.update#sign@66": "the sign of eps_root, which the claim's given sets to 0: sqrt(v - 0) = sqrt(v + 0)",
    "bharath.stability.softmax_shift#sign@55": "softmax is invariant under adding any constant, max(x) too",
    "nguyen.softmax.jacobian#swap@46": "the Kronecker delta is symmetric: delta_ji = delta_ij",
    "sahu.init.range_low#two@9": "the factor is multiplied by 0: 0 * (3 eps) = 0 * (2 eps)",
    "article.update.weight#transpose@49": "the symbols are declared scalars: a scalar's transpose is itself",
    "rupe.xor.not_linearly_separable#sign@14": "the sign of a term w_2 * 0 = 0",
    "rupe.xor.not_linearly_separable#sign@82": "the sign of a term w_2 * 0 = 0",
    "cs231n.dropout.expected_output#sign@18": "the sign of a term (1 - p) * 0 = 0",
    "d2l.momentum.eigen_update#sign@56": "the sign flipped is in the line defining v_t, which the claimed lines "
                                         "do not use (they use v_{t-1})",
    "d2l.gd.example_gradient#transpose@35": "a bare list writes entries, not an orientation: [a, b] beside the "
                                            "gradient is the statement [a, b]^T makes",
    "cs231n.svm.example#sign@22": "max(0, -7 - 13 + 10) and max(0, -7 - 13 - 10) are both 0",
    "d2l.gd.second_order_taylor#sign@190": "- O(||eps||^3) is O(||eps||^3): the order term's sign says nothing",
    "d2l.matrix_calculus.einstein#swap@18": "x^T A^T x = x^T A x: its gradient is the same (A + A^T) x",
    "d2l.gd.taylor_step#sign@40": "the sign before an O(...) term: -O(eta^2) is O(eta^2)",
    "matrix_calculus.neuron.affine_partials#sign@106": "the sign of d b/d w, which is 0 (b and w are independent "
                                                       "inputs of y = w . x + b)",
    "matrix_calculus.neuron.affine_partials#sign@162": "the sign of the zero vector's transpose (given = 0)",
    "sklearn_docs.linear_model.elastic_net_reduces_to_lasso#sign@63": "the sign of a term with the factor 1 - rho, "
                                                                      "which the given rho = 1 makes 0",
    "sklearn_docs.linear_model.elastic_net_reduces_to_lasso#two@100": "the power of a term with the factor 1 - rho, "
                                                                      "which the given rho = 1 makes 0",
}


def _mutants():
    claims, errors = load_paths([catalogue_dir(), DATA / "external"])
    assert not errors
    out = []
    for c in claims:
        if EXPECTED.get(c.id) != "proved" or c.id in GAPS or not c.latex or c.not_checkable:
            continue
        for name, pattern, repl in MUTATIONS:
            for m in pattern.finditer(c.latex):
                latex = c.latex[:m.start()] + repl(m) + c.latex[m.end():]
                if latex != c.latex:
                    out.append(dataclasses.replace(c, id=f"{c.id}#{name}@{m.start()}", latex=latex))
    return out


MUTANTS = _mutants()


@pytest.fixture(scope="module")
def verdicts():
    return {v.id: v for v in judge_all(MUTANTS, budget=30)}


def test_enough_mutants_and_the_list_is_current():
    ids = {m.id for m in MUTANTS}
    assert len(MUTANTS) >= 250
    assert set(EQUIVALENT) <= ids, sorted(set(EQUIVALENT) - ids)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_not_proved(mutant, verdicts):
    v = verdicts[mutant.id]
    if mutant.id not in EQUIVALENT:
        assert v.verdict != "proved", f"{mutant.latex}: {v.reason}"


def test_most_mutants_refuted(verdicts):
    """A checker that never refutes passes the test above: most mutants must be caught (figure with -s)."""
    counts = Counter(v.verdict for v in verdicts.values())
    false = len(MUTANTS) - len(EQUIVALENT)
    print(f"\nmechanical mutants of the proved claims: {len(MUTANTS)}, {len(EQUIVALENT)} equivalent; "
          f"of the others refuted {counts['refuted']}, convention {counts['convention']}, undecided "
          f"{counts['undecided']}, error {counts['error']}")
    assert counts["refuted"] + counts["convention"] >= 0.8 * false, counts
