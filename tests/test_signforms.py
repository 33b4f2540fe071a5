"""The forms in which sign rules settle a sign: the written form first, then over one factored denominator."""
import sympy as sp

from nnderive.mathematics.signforms import sign_forms

z = sp.Symbol("z", real=True)


def test_sigmoid_slope_bound_settles_only_over_one_denominator():
    s = 1 / (1 + sp.exp(-z))
    gap = sp.Rational(1, 4) - s * (1 - s)
    forms = list(sign_forms(gap))
    assert forms[0] is gap and gap.is_nonnegative is None
    assert any(f.is_nonnegative is True for f in forms[1:])


def test_a_gap_of_either_sign_is_never_settled():
    gap = z - 1 / (1 + z**2)
    assert not any(f.is_nonnegative is True or f.is_negative is True for f in sign_forms(gap))


def test_the_forms_are_lazy_and_without_repeats():
    forms = sign_forms(z + 1)
    assert next(forms) == z + 1
    assert list(forms) == []
