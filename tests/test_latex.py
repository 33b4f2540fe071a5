"""The normalisation layer: what latex2sympy2 would lose is kept, or refused."""
import builtins
from pathlib import Path

import pytest
import sympy as sp

from nnderive.notation.declarations import parse_declaration
from nnderive.judge.reading import Parser, Scope, tokenize
from nnderive.notation.errors import LatexError, ShapeMismatch

SYMBOLS = {"z": "scalar real", "a": "scalar (0,1)", "x": "vector n", "y": "vector n", "A": "matrix n n",
           "W": "matrix m n", "i": "index n", "j": "index n", "a^{(l)}": "vector n", "a^{(l+1)}": "vector n",
           r"\hat{y}": "vector n (0,1)"}
FUNCTIONS = {r"\sigma": "sigmoid", r"\operatorname{softmax}": "softmax", r"\operatorname{ReLU}": "relu"}


def parse(latex, symbols=SYMBOLS, functions=FUNCTIONS):
    scope = Scope({k: parse_declaration(k, v) for k, v in symbols.items()}, dict(functions))
    return Parser(scope).relation_chain(latex), scope


def side(latex):
    return parse(latex)[0][0]


def test_transpose_and_order_are_kept():
    e = side("x^T A x")
    assert isinstance(e, sp.MatMul)
    assert [str(a) for a in e.args] == ["x.T", "A", "x"]
    assert side(r"x^{\top} A x") == e


def test_layer_superscript_is_an_index_not_a_power():
    e = side("a^{(l)} + a^{(l+1)}")
    names = sorted(s.name for s in e.atoms(sp.MatrixSymbol))
    assert names == ["a^{(l)}", "a^{(l+1)}"]
    assert not e.has(sp.Pow)


def test_undeclared_layer_superscript_is_an_error():
    with pytest.raises(LatexError, match="layer superscript"):
        side("x^{(l)}")


def test_log_is_natural_unless_a_base_is_written():
    (e, *_), scope = parse(r"\log a = 1")
    assert e == sp.log(sp.Symbol("a", positive=True))
    assert "log_base" in scope.used_axes
    assert side(r"\log_2 a") == sp.log(sp.Symbol("a", positive=True), 2)
    assert side(r"\ln a") == sp.log(sp.Symbol("a", positive=True))


def test_operatorname_and_mathrm_functions():
    assert side(r"\operatorname{ReLU}(z)").func.__name__ == "ReLU"
    assert side(r"\max(0, z)").func.__name__ == "ReLU"


def test_sum_without_bounds_takes_the_index_range():
    e = side(r"\sum_i y_i")
    assert isinstance(e, sp.Sum)
    assert e.limits[0][1:] == (1, sp.Symbol("n", integer=True, positive=True))


def test_bare_sum_runs_over_the_vector_entries():
    e = side(r"\sum (\hat{y} - y)^2")
    assert isinstance(e, sp.Sum)


def test_hadamard_and_octave_product():
    e = side(r"x \odot y")
    assert isinstance(e, sp.HadamardProduct)
    assert side("x .* y") == e


def test_norm_squared():
    from nnderive.mathematics.arrays import Norm
    e = side(r"\|x\|^2")
    assert isinstance(e.base, Norm) and e.exp == 2
    assert side(r"\left\| x \right\|^2") == e


def test_shape_space():
    chain, _ = parse(r"W x \in \mathbb{R}^{m \times 1}")
    assert chain[1] == "in" and chain[2] == (sp.Symbol("m", integer=True, positive=True), 1)


def test_shape_mismatch_is_detected():
    with pytest.raises(ShapeMismatch):
        side("x W")


def test_approx_keeps_both_sides():
    chain, _ = parse(r"\sigma(0) \approx 0.5")
    assert chain[1] == "~" and chain[0] == sp.Rational(1, 2) and chain[2] == sp.Rational(1, 2)


def test_decimals_are_exact_rationals():
    assert side("0.049 z") == sp.Rational(49, 1000) * sp.Symbol("z", real=True)


def test_prime_is_a_derivative_not_a_product():
    e = side(r"\sigma'(z)")
    assert e.has(sp.Derivative)


@pytest.mark.parametrize("latex,message", [
    ("q + 1", "undeclared symbol"),
    (r"\frac{\partial L}{\partial z}", "undeclared symbol"),
    ("z_k", "subscript on scalar"),
    (r"\foo{z}", "unsupported"),
    ("z + ", "could not parse"),
    ("{z", "unbalanced"),
    ("x_i x_j x_k", "undeclared index"),
])
def test_bad_latex_is_a_positioned_error(latex, message):
    with pytest.raises(LatexError, match=message) as exc:
        side(latex)
    assert exc.value.pos is not None


def test_tokenizer_positions():
    toks = tokenize(r"a + \beta")
    assert [t.pos for t in toks] == [0, 2, 4]


@pytest.mark.parametrize("payload", [
    r"\operatorname{__import__('os').system('touch PWNED')}(z) = 0",
    r"\mathrm{exec}(z) = 0",
    r"\text{__import__('os')} = 1",
    r"\mathrm{eval}('1+1') = 2",
    r"z = \operatorname{open}('PWNED', 'w')",
])
def test_crafted_latex_runs_nothing(payload, tmp_path, monkeypatch):
    """LaTeX holding Python is an error, and never reaches eval/exec/sympify/parse_expr."""
    import latex2sympy2_extended.latex2sympy2 as l2s
    monkeypatch.chdir(tmp_path)
    calls = []
    real_eval, real_exec = builtins.eval, builtins.exec
    real_sympify = sp.sympify

    def spy(name, real):
        def wrapper(arg, *a, **k):
            if isinstance(arg, str) and ("PWNED" in arg or "__import__" in arg or "open(" in arg):
                calls.append((name, arg))
            return real(arg, *a, **k)
        return wrapper
    monkeypatch.setattr(builtins, "eval", spy("eval", real_eval))
    monkeypatch.setattr(builtins, "exec", spy("exec", real_exec))
    monkeypatch.setattr(sp, "sympify", spy("sympify", real_sympify))
    monkeypatch.setattr(l2s, "parse_expr", lambda *a, **k: calls.append(("parse_expr", a)))
    from nnderive.catalogue import Claim
    from nnderive.judge import judge_claim
    v = judge_claim(Claim(id="inject", source="t", file="t.toml", latex=payload, symbols={"z": "scalar real"}))
    assert v.verdict == "error"
    assert calls == []
    assert not (Path(tmp_path) / "PWNED").exists()
