"""The remembered ``valid_index`` answers exactly as SymPy's own, and out-of-range entries still fail."""
import pytest
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from nnderive.mathematics import sympy_memo

n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
A = sp.MatrixSymbol("A", n, 3)
B = sp.MatrixSymbol("B", 2, 2)


@pytest.mark.parametrize("m, idx", [(A, (i - 1, 0)), (A, (n, 2)), (A, (0, 3)), (A, (i, -4)), (B, (1, 1)),
                                    (B, (2, 0)), (B, (-3, 0)), (B, (sp.Rational(1, 2), 0)), (A, (i + n, 0))])
def test_same_answer_as_sympy(m, idx):
    assert sympy_memo._remembered_valid_index(m, *map(sp.sympify, idx)) == sympy_memo._ORIGINAL(m, *map(sp.sympify, idx))


def test_installed_and_out_of_range_entries_still_fail():
    assert sp.MatrixSymbol.valid_index is sympy_memo._remembered_valid_index
    for _ in range(2):            # the second time from the memo
        with pytest.raises(IndexError):
            B[2, 0]
        assert B[1, 1] == MatrixElement(B, 1, 1)


def test_assumptions_are_part_of_the_key():
    k_any, k_neg = sp.Symbol("k"), sp.Symbol("k", negative=True, integer=True)
    C = sp.MatrixSymbol("C", 2, 2)
    assert sympy_memo._remembered_valid_index(C, k_any, sp.S(0)) != False
    assert sympy_memo._remembered_valid_index(C, k_neg - 5, sp.S(0)) == False


def test_fresh_dummies_share_one_answer_that_reads_their_assumptions():
    D = sp.MatrixSymbol("D", n, 1)
    for _ in range(3):
        d = sp.Dummy("i", integer=True, positive=True)
        assert sympy_memo._remembered_valid_index(D, d - 1, sp.S(0)) == sympy_memo._ORIGINAL(D, d - 1, sp.S(0))
    neg = sp.Dummy("i", integer=True, negative=True)
    C = sp.MatrixSymbol("C", 2, 2)
    assert sympy_memo._remembered_valid_index(C, neg - 5, sp.S(0)) == False
    assert sympy_memo._remembered_valid_index(C, sp.Dummy("i", integer=True) - 5, sp.S(0)) != False
