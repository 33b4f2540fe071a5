"""Proofs at symbolic size: what they prove, and that they never prove a false claim."""
import pytest
import sympy as sp

from nnderive.catalogue import Claim
from nnderive.mathematics.indexsums import canonical_sums, normal_sums, zero_for_all_n
from nnderive.judge.equation import general_proof as _general_proof
from nnderive.mathematics.zero import is_zero
from nnderive.judge.interpret import prepare

SOFTMAX = {"z": "vector n real", "a": "vector n (0,1)", "i": "index n", "j": "index n"}


def general(latex, symbols, definitions=(), functions=None):
    c = Claim(id="g", source="t", file="t.toml", latex=latex, symbols=symbols, definitions=list(definitions),
              functions=functions or {r"\operatorname{softmax}": "softmax"})
    scope, it, defs = prepare(c)
    lhs, _, rhs = it.readings(latex)[0][0][0]
    return _general_proof(lhs, rhs, scope, defs, [])[0]


def test_softmax_jacobian_for_every_n():
    assert general(r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j)", SOFTMAX,
                   [r"a = \operatorname{softmax}(z)"])


@pytest.mark.parametrize("latex", [r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_i)",
                                   r"\frac{\partial a_i}{\partial z_j} = a_j(\delta_{ij} - a_i)" + " + a_i",
                                   r"\frac{\partial a_i}{\partial z_j} = -a_i a_j"])
def test_mutants_are_never_proved_symbolically(latex):
    assert not general(latex, SOFTMAX, [r"a = \operatorname{softmax}(z)"])


def test_sums_compare_up_to_renaming_and_order():
    n = sp.Symbol("n", integer=True, positive=True)
    i, j, k, l = sp.symbols("i j k l", integer=True)
    A = sp.MatrixSymbol("A", n, n)
    x = sp.MatrixSymbol("x", n, 1)
    s1 = sp.Sum(A[i, j] * x[j, 0], (j, 0, n - 1), (i, 0, n - 1))
    s2 = sp.Sum(sp.Sum(x[l, 0] * A[k, l], (k, 0, n - 1)), (l, 0, n - 1))
    assert normal_sums(s1 - s2) == 0


def test_a_nested_sum_never_captures_an_outer_variable():
    n = sp.Symbol("n", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True)
    x = sp.MatrixSymbol("x", n, 1)
    inner = sp.Sum(x[i, 0] * x[j, 0], (j, 0, n - 1))
    outer = sp.Sum(inner, (i, 0, n - 1))
    diagonal = sp.Sum(x[i, 0] ** 2, (i, 0, n - 1))
    assert sp.simplify(canonical_sums(outer) - canonical_sums(diagonal)) != 0
    assert not zero_for_all_n(outer - diagonal, {}, [], is_zero)


def test_opaque_matrix_functions_are_not_trusted():
    # SymPy 1.14 differentiates log(det X) by X to a silent 0 at symbolic size; derive/ must not
    # accept a symbolic proof through Determinant, and the explicit sizes decide.
    from nnderive.judge import judge_claim
    v = judge_claim(Claim(id="det", source="t", file="t.toml", latex=r"\frac{\partial x^T X x}{\partial X} = 0",
                          symbols={"x": "vector n", "X": "matrix n n"}))
    assert v.verdict == "refuted"
