"""Every row of the derivative table is itself a claim, proved against sympy.diff."""
import dataclasses

import pytest
import sympy as sp

from nnderive.mathematics.rules import RULES, ReLU, Sigmoid, Step, prove_rule


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_row_is_proved(rule):
    ok, steps = prove_rule(rule)
    assert ok, steps
    assert steps[-1][1] == "0"


@pytest.mark.parametrize("wrong", [
    lambda y, x: y * (1 + y),          # sigma(1 + sigma)
    lambda y, x: 2 * y * (1 - y),      # an extra factor 2
    lambda y, x: -y * (1 - y),         # sign flip
])
def test_planted_wrong_rule_fails(wrong):
    sigmoid = next(r for r in RULES if r.name == "sigmoid")
    ok, _ = prove_rule(dataclasses.replace(sigmoid, derivative=wrong))
    assert not ok


def test_relu_kink_convention_is_checked():
    relu = next(r for r in RULES if r.name == "relu")
    ok, _ = prove_rule(dataclasses.replace(relu, derivative=lambda y, x: sp.Integer(2) * Step(x)))
    assert not ok  # 2 is outside the subdifferential [0, 1] and wrong away from 0


def test_kink_values_are_stated():
    x = sp.Symbol("x", real=True)
    assert ReLU(x).diff(x).subs(x, 0) == 0
    assert Step(0) == 0 and Step(sp.Rational(1, 3)) == 1


def test_sigmoid_rewrites_and_evaluates():
    x = sp.Symbol("x", real=True)
    assert Sigmoid(x).rewrite("elementary") == 1 / (1 + sp.exp(-x))
    assert abs(float(sp.N(Sigmoid(1000))) - 1.0) < 1e-12


from nnderive.mathematics.rules import VECTOR_RULES, prove_vector_rule  # noqa: E402


@pytest.mark.parametrize("rule", VECTOR_RULES, ids=[r.name for r in VECTOR_RULES])
def test_vector_row_is_proved(rule):
    ok, steps = prove_vector_rule(rule)
    assert ok, steps


@pytest.mark.parametrize("name,wrong", [
    ("softmax", lambda z, t, n, i, j: 0),                                       # forgets the Jacobian
    ("mse (mean)", lambda p, t, n, i, j: -2 * (t[i] - p[i])),                   # drops 1/n
    ("bce", lambda p, t, n, i, j: -(t[i] / p[i] - (1 - t[i]) / (1 - p[i]))),    # drops 1/n
    ("cce", lambda p, t, n, i, j: t[i] / p[i]),                                 # sign
    ("softmax + cce", lambda z, t, n, i, j: t[i] - sp.exp(z[i]) / sum(map(sp.exp, z))),  # y - a
])
def test_planted_wrong_vector_row_fails(name, wrong):
    rule = next(r for r in VECTOR_RULES if r.name == name)
    ok, steps = prove_vector_rule(dataclasses.replace(rule, derivative=wrong), sizes=(2, 3))
    assert not ok and "lhs - rhs" in steps[-1][0]
