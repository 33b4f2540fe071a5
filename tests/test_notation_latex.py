"""The LaTeX reader: structure from the grammar, operator scopes by rule, every reading kept."""
import pytest

from nnderive.notation import ir
from nnderive.notation.errors import LatexError, Unsupported
from nnderive.notation.latex import canon, read, read_expression
from nnderive.notation.lexer import tokenize


def one(latex):
    rs = read(latex)
    assert len(rs) == 1, [canon(r) for r in rs]
    return rs[0]


def term(latex):
    return one(latex).chains[0].terms[0]


# Issue 10: a derivative operator applies to the whole following factor, power included
def test_derivative_operator_takes_the_power():
    d = term(r"\frac{d}{dx}(x+1)^2")
    assert isinstance(d, ir.Derivative) and isinstance(d.body, ir.Pow)


def test_derivative_operator_before_a_bracket_and_more_factors_has_two_readings():
    assert len(read(r"\frac{d}{dx}(x) x = 2x")) == 2


def test_derivative_operator_takes_the_rest_of_the_term():
    d = term(r"\frac{\partial}{\partial x} x^T A x")
    assert isinstance(d, ir.Derivative) and isinstance(d.body, ir.Product) and len(d.body.factors) == 3


def test_function_power_is_ambiguous_but_bracketed_argument_is_not():
    assert len(read(r"\log (x+1)^2 = 1")) == 2
    a = term(r"\log(x) y")
    assert isinstance(a, ir.Product) and isinstance(a.factors[0], ir.Apply)


def test_function_without_brackets_takes_a_number_and_symbol_together():
    a = term(r"\sin 2x \cos x")
    assert isinstance(a, ir.Product)
    first = a.factors[0]
    assert isinstance(first, ir.Apply) and isinstance(first.args[0], ir.Product)


def test_sum_takes_the_rest_of_the_term_only():
    e = term(r"\sum_{i=1}^n x_i y_i + 1")
    assert isinstance(e, ir.BinOp) and e.op == "+" and isinstance(e.left, ir.BigOp)


@pytest.mark.parametrize("latex,kind", [
    (r"\frac{\partial L}{\partial W}", ir.Derivative), (r"\frac{d^2 y}{dx^2}", ir.Derivative),
    (r"\frac{\partial^2 f}{\partial x \partial y}", ir.Derivative), (r"\nabla_{\mathbf{x}} f(\mathbf{x})", ir.Derivative),
    (r"\partial_{x_i} f", ir.Derivative), (r"\frac{d}{2}", ir.Frac), (r"\frac{a}{d}", ir.Frac),
])
def test_differential_fractions(latex, kind):
    assert isinstance(term(latex), kind)


def test_second_order_must_match_its_variables():
    with pytest.raises(LatexError, match="order"):
        read(r"\frac{d^2 y}{dx}")


@pytest.mark.parametrize("a,b", [
    (r"\mathbf{x}", "x"), (r"\boldsymbol{x}", "x"), (r"\bm{x}", "x"), (r"\vec{x}", "x"),
    (r"\hat{\mathbf{y}}", r"\hat{y}"), (r"\hat y", r"\hat{y}"), (r"n_\textrm{in}", r"n_{\text{in}}"),
    (r"x^\top", "x^T"), (r"x^\intercal", "x^T"), (r"x^{\mathsf{T}}", "x^T"), (r"a_i^{(l)}", r"a^{(l)}_i"),
    (r"\tfrac12", r"\frac{1}{2}"), (r"\dfrac{a}{b}", r"\frac{a}{b}"), (r"\left( x \right)", "(x)"),
])
def test_spellings_of_one_thing(a, b):
    assert canon(read_expression(a)[0]) == canon(read_expression(b)[0])


def test_bold_is_remembered():
    assert read_expression(r"\mathbf{x}")[0].bold


def test_transposes_inverses_and_primes():
    assert isinstance(term("X^{-T}"), ir.Transpose)
    assert isinstance(term("X^{-1}"), ir.Pow)
    c = term(r"f''(x)")
    assert isinstance(c, ir.Call) and isinstance(c.head, ir.Prime) and c.head.order == 2
    assert term(r"\operatorname{ReLU}^{\prime}(z)").func.primes == 1


def test_bars_open_and_close_by_context():
    e = term(r"|x| |y| + \|z\|_2")
    assert isinstance(e.left, ir.Product) and all(isinstance(f, ir.Abs) for f in e.left.factors)
    assert isinstance(e.right, ir.Norm) and e.right.kind == "2"


def test_several_statements_and_conditions():
    st = one(r"v_t = \beta v_{t-1} + (1-\beta) g_t, \quad v_0 = 0")
    assert len(st.chains) == 2
    st = one(r"f(x) = x^2 \quad \text{for } x > 0, \ y = 1")
    assert len(st.chains) == 1 and len(st.conditions) == 2
    st = one(r"y = -x \quad (x < 0)")
    assert len(st.conditions) == 1


def test_chains_and_tuples():
    ch = one("a = b = c").chains[0]
    assert ch.rels == ("=", "=")
    assert isinstance(term(r"(a, b) \approx (-0.20, 0.39)"), ir.Tuple)


def test_printed_decimals_are_kept():
    ch = one(r"\sigma(2) \approx 0.880").chains[0]
    assert ch.terms[1] == ir.Number("0.880")


def test_cases_and_matrices():
    c = term(r"\begin{cases} 1, & z > 0 \\ 0, & \text{otherwise} \end{cases}")
    assert isinstance(c, ir.Cases) and c.rows[1][1] is None
    m = term(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}")
    assert isinstance(m, ir.Matrix) and len(m.rows) == 2


def test_unicode_in_latex_keeps_positions():
    toks = tokenize("σ(z) ≤ 1")
    assert [(t.type, t.start_pos) for t in toks][:2] == [("GREEK", 0), ("LPAR", 1)]


def test_tex_digit_rules():
    assert canon(term("x^23")) == "x^{2} 3"
    assert canon(term(r"\frac12 x")) == r"\frac{1}{2} x"


@pytest.mark.parametrize("latex,message", [
    ("z + ", "unexpected end"), ("{z", "unbalanced"), (r"\foo{z}", "unknown LaTeX command"),
    ("50%", "comments"), ("$x$", "math delimiters"), ("|x", "cannot read"), (r"\frac{d}{dx}", "nothing"),
])
def test_bad_latex_is_a_positioned_error(latex, message):
    with pytest.raises(LatexError, match=message) as exc:
        read(latex)
    assert exc.value.pos is not None


def test_unsupported_notation_says_so():
    with pytest.raises(Unsupported):
        read(r"\int_0^1 x\,dx")


def test_deep_nesting_is_read_not_a_crash():
    depth = 50
    st = one("(" * depth + "x" + ")" * depth + " = x")
    assert st.chains[0].rels == ("=",)


def test_spans_point_into_the_source():
    st = one(r"a + \beta = 1")
    b = st.chains[0].terms[0].right
    assert b.span == (4, 9)
