import pytest
import sympy as sp

from nnderive.notation.declarations import DeclarationError, parse_declaration


@pytest.mark.parametrize("text,kind,shape", [
    ("scalar real", "scalar", None),
    ("vector n (0,1)", "vector", ("n", "1")),
    ("matrix m n", "matrix", ("m", "n")),
    ("matrix s_{l+1} s_l+1", "matrix", ("s_{l+1}", "s_l + 1")),
    ("matrix 32 784", "matrix", ("32", "784")),
    ("ones B", "vector", ("B", "1")),
    ("identity m", "matrix", ("m", "m")),
])
def test_grammar(text, kind, shape):
    d = parse_declaration("X", text)
    assert d.kind == kind
    if shape:
        assert tuple(str(s) for s in d.obj.shape) == shape


@pytest.mark.parametrize("text", ["tensor n", "vector", "matrix n", "scalar weird", "vector n^2", "", "scalar (0,2)"])
def test_bad_declarations_are_errors(text):
    with pytest.raises(DeclarationError):
        parse_declaration("X", text)


def test_domains_become_assumptions():
    assert parse_declaration("p", "scalar (0,1)").obj.is_positive
    assert parse_declaration("k", "scalar integer positive").obj.is_integer
    assert parse_declaration("e", "scalar small").obj.is_positive


def test_shape_letters_are_positive_integers():
    n = parse_declaration("x", "vector n").obj.shape[0]
    assert n == sp.Symbol("n", integer=True, positive=True)
