"""Whole-network backpropagation against sympy.diff of the composed cost."""
import itertools

import pytest

from nnderive.mathematics.backprop import ACTIVATION_NAMES, check_network, prove_backprop

COMBOS = list(itertools.product([(2, 3, 2), (2, 2, 2, 2)], ACTIVATION_NAMES, ["sigmoid_bce", "softmax_cce"],
                                [(False, 1), (True, 2)]))


@pytest.mark.parametrize("sizes,activation,output,variant", COMBOS,
                         ids=[f"L{len(s) - 1}-{a}-{o}-{'l2-batch2' if v[0] else 'plain'}" for s, a, o, v in COMBOS])
def test_backprop_equals_the_gradient(sizes, activation, output, variant):
    l2, batch = variant
    ok, n, detail = check_network(sizes, activation, output, l2, batch)
    assert ok, detail
    assert n == sum(sizes[l] * sizes[l - 1] + sizes[l] for l in range(1, len(sizes)))


@pytest.mark.parametrize("mutant,batch", [("no_transpose", 1), ("no_fprime", 1), ("no_mean", 2), ("l2_half", 1)])
def test_planted_backprop_errors_fail(mutant, batch):
    sizes = (2, 2, 2)  # square, so a missing transpose is not caught by shapes alone
    ok, _, detail = check_network(sizes, "sigmoid", "sigmoid_bce", l2=True, batch=batch, mutant=mutant)
    assert not ok and "sympy.diff(J) - backprop" in detail


def test_theorem_for_any_depth():
    finding = prove_backprop(depths=((2, 2, 2),), activations=("sigmoid",))
    steps = finding.steps
    assert finding.holds is True
    assert any("base case" in s[0] for s in steps) and any("inductive step" in s[0] for s in steps)


# --------------------------------------------------------------------------- batch-first rows (the kernels' source)
def test_batch_first_rows_are_proved():
    from nnderive.mathematics.backprop import prove_batch_first
    ok, steps = prove_batch_first(sizes=(2, 3, 2), m=2, activation="sigmoid")
    assert ok, steps


@pytest.mark.parametrize("mutant", ["factor_two", "no_mean", "l2_half"])
def test_planted_batch_first_rows_fail(mutant):
    import sympy as sp
    from nnderive.mathematics.backprop import batch_first_symbols, batch_first_rows, prove_batch_first
    s = batch_first_symbols()
    rows = dict(batch_first_rows())
    if mutant == "factor_two":
        rows["delta"] = (sp.HadamardProduct(s["D"] * s["W"].T * 2, s["F"]), ("D", "W", "F"))
    elif mutant == "no_mean":
        rows["output_delta"] = (s["P"] - s["Y"], ("P", "Y"))
    else:
        rows["weight_grad"] = (s["A"].T * s["D"] + s["lam"] / 2 * s["W"], ("A", "D", "W", "lam"))
    assert not prove_batch_first(rows=rows)[0]
