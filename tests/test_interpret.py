"""Readings as mathematics: what latex2sympy2 would lose is kept, or refused with its position."""
import builtins
from pathlib import Path

import pytest
import sympy as sp

from nnderive.catalogue import Claim
from nnderive.judge.interpret import ClaimError, prepare
from nnderive.mathematics.arrays import Norm
from nnderive.notation.errors import LatexError, ShapeMismatch, Unsupported

SYMBOLS = {"z": "scalar real", "a": "scalar (0,1)", "x": "vector n", "y": "vector n", "A": "matrix n n",
           "W": "matrix m n", "i": "index n", "j": "index n", "a^{(l)}": "vector n", "a^{(l+1)}": "vector n",
           r"\hat{y}": "vector n (0,1)"}
FUNCTIONS = {r"\operatorname{ReLU}": "relu"}


def chain(latex, symbols=SYMBOLS, functions=FUNCTIONS, definitions=()):
    c = Claim(id="t", source="t", file="t.toml", latex=latex, symbols=dict(symbols), functions=dict(functions),
              definitions=list(definitions))
    scope, it, defs = prepare(c)
    (chains, conds), = it.readings(latex)
    return chains[0], scope


def side(latex, **kw):
    return chain(latex, **kw)[0][0]


def test_transpose_and_order_are_kept():
    e = side("x^T A x")
    assert isinstance(e, sp.MatMul)
    assert [str(a) for a in e.args] == ["x.T", "A", "x"]
    assert side(r"\mathbf{x}^{\top} A \mathbf{x}") == e


def test_layer_superscript_names_a_symbol_not_a_power():
    e = side("a^{(l)} + a^{(l+1)}")
    assert sorted(s.name for s in e.atoms(sp.MatrixSymbol)) == ["a^{(l)}", "a^{(l+1)}"]
    assert not e.has(sp.Pow)


def test_labelled_symbol_of_a_declared_array_must_be_declared():
    with pytest.raises(LatexError, match="not declared"):
        side("x^{(l)}")


def test_log_is_natural_unless_a_base_is_written():
    (e, *_), scope = chain(r"\log a = 1")
    assert e == sp.log(sp.Symbol("a", positive=True))
    assert "log_base" in scope.used_axes
    assert side(r"\log_2 a") == sp.log(sp.Symbol("a", positive=True), 2)
    assert side(r"\ln a") == sp.log(sp.Symbol("a", positive=True))


def test_functions_by_their_usual_names_without_a_table():
    assert side(r"\operatorname{ReLU}(z)").func.__name__ == "ReLU"
    assert side(r"\mathrm{ReLU}(z)", functions={}).func.__name__ == "ReLU"
    assert side(r"\max(0, z)").func.__name__ == "ReLU"
    assert side(r"\sigma(z)", functions={}).func.__name__ == "Sigmoid"
    assert side(r"\operatorname{softmax}(x)", functions={}).__class__.__name__ == "SoftmaxVec"


def test_sum_without_bounds_takes_the_index_range():
    e = side(r"\sum_i y_i")
    assert isinstance(e, sp.Sum)
    assert e.limits[0][1:] == (1, sp.Symbol("n", integer=True, positive=True))


def test_sum_range_makes_a_vector_of_an_undeclared_symbol():
    (e, _, r), scope = chain(r"p_i = \frac{e^{o_i}}{\sum_{j=1}^{q} e^{o_j}}", symbols={"p": "vector q", "i": "index q"})
    assert "o" in scope.inferred and scope.symbols["o"].kind == "vector"


def test_bare_sum_runs_over_the_vector_entries():
    assert isinstance(side(r"\sum (\hat{y} - y)^2"), sp.Sum)


def test_hadamard_and_octave_product():
    e = side(r"x \odot y")
    assert isinstance(e, sp.HadamardProduct)
    assert side("x .* y") == e


def test_norm_squared():
    e = side(r"\|x\|^2")
    assert isinstance(e.base, Norm) and e.exp == 2
    assert side(r"\left\| x \right\|^2") == e


def test_shape_space():
    ch, _ = chain(r"W x \in \mathbb{R}^{m \times 1}")
    assert ch[1] == "in" and ch[2] == (sp.Symbol("m", integer=True, positive=True), 1)


def test_shape_mismatch_is_detected():
    with pytest.raises(ShapeMismatch):
        side("x W")


# Issue 10: a matrix power and inverse are valid for square matrices
def test_matrix_powers_and_inverses():
    assert isinstance(side("A^2"), sp.MatPow)
    assert isinstance(side("A^{-1}"), sp.Inverse)
    assert isinstance(side("A^{-T}"), sp.Transpose)
    assert isinstance(side("x^2"), sp.HadamardPower)       # entry by entry for a vector
    with pytest.raises(ShapeMismatch):
        side("W^2")


def test_approx_keeps_the_printed_digits():
    ch, _ = chain(r"\sigma(0) \approx 0.50")
    assert ch[1] == "~" and ch[0] == sp.Rational(1, 2) and ch[2].text == "0.50"


def test_decimals_are_exact_rationals():
    assert side("0.049 z") == sp.Rational(49, 1000) * sp.Symbol("z", real=True)


def test_prime_is_a_derivative_not_a_product():
    assert side(r"\sigma'(z)").has(sp.Derivative)


# Issue 10: a(z) for a symbol defined in terms of z is that symbol; a(1-a) is a product
def test_dependency_notation():
    (lhs, _, rhs), _ = chain(r"\frac{d}{dz} a(z) = a(1-a)", definitions=[r"a = \sigma(z)"])
    a = sp.Symbol("a", positive=True)
    assert rhs == a * (1 - a)
    # held (not carried out as 0 by a matrix product it meets), still the derivative of a by z
    assert isinstance(lhs, sp.Derivative) and lhs.args == sp.Derivative(a, sp.Symbol("z", real=True)).args


def test_function_definitions_are_read():
    (lhs, _, rhs), _ = chain(r"f(2) = 4", symbols={}, definitions=["f(x) = x^2"])
    assert lhs == 4
    (lhs, _, _), _ = chain(r"\operatorname{swish}_\beta(1) = 0", symbols={"\\beta": "scalar positive"},
                           definitions=[r"\operatorname{swish}_\beta(x) = x \sigma(\beta x)"])
    assert lhs.has(sp.Symbol(r"\beta", positive=True))


def test_undeclared_letters_are_real_scalars_and_say_so():
    (lhs, _, _), scope = chain("q + 1 = 2", symbols={})
    assert lhs == sp.Symbol("q", real=True) + 1 and "q" in scope.inferred


def test_derivative_of_an_undefined_symbol_is_refused_not_zero():
    with pytest.raises(LatexError, match="define it"):
        side(r"\frac{\partial L}{\partial z}")


@pytest.mark.parametrize("latex,message", [
    ("z_i", "on scalar"),
    (r"\operatorname{foo}(z)", "unknown function"),
    ("W_{i}", "takes 2 index"),
])
def test_bad_notation_is_a_positioned_error(latex, message):
    with pytest.raises(LatexError, match=message) as exc:
        side(latex)
    assert exc.value.pos is not None


def test_a_free_index_runs_over_the_array_it_indexes():
    _, scope = chain("x_i x_k = 1")
    assert scope.symbols["k"].kind == "index" and "k" in scope.inferred


def test_bad_declaration_names_the_field():
    with pytest.raises(ClaimError) as exc:
        chain("z = 1", symbols={"z": "tensor 3"})
    assert exc.value.field == "symbols"


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
    from nnderive.judge import judge_claim
    v = judge_claim(Claim(id="inject", source="t", file="t.toml", latex=payload, symbols={"z": "scalar real"}))
    assert v.verdict == "error"
    assert calls == []
    assert not (Path(tmp_path) / "PWNED").exists()
