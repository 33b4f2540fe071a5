"""The plain-text (Unicode) reader: its LaTeX, its errors, and claims judged through the normal judge."""
import pytest

from nnderive.catalogue import Claim
from nnderive.judge import judge_claim
from nnderive.notation import latex, unicode
from nnderive.notation.errors import LatexError
from nnderive.notation.readers import reader


@pytest.mark.parametrize("text, tex", [
    ("∂L/∂W = δ·xᵀ", r"\frac{\partial L}{\partial W} = δ \cdot x^{T}"),
    ("dy/dx = (dy/dg) × (dg/dx)", r"\frac{d y}{d x} = (\frac{d y}{d g}) \times (\frac{d g}{d x})"),
    ("w = w - (lr / √(v_hat + ε)) × m_hat", r"w = w - (lr / \sqrt{\hat{v} + ε}) \times \hat{m}"),
    ("L = ½(ŷ – y)²", r"L = \frac{1}{2} (\hat{y} - y)^{2}"),
    ("σ(z)=1/(1+e⁻ᶻ)", r"σ (z) = 1 / (1 + e^{-z})"),
    ("f(Z) = 1/(1+e^(-Z))", r"f (Z) = 1 / (1 + e^{- Z})"),
    ("x ∈ ℝⁿˣᵐ", r"x \in \mathbb{R}^{n \times m}"),
    ("a1 = σ1(W1×x + b1)", r"a_{1} = σ_{1} (W_{1} \times x + b_{1})"),
    ("L = –[y·ln(ŷ) + (1–y)·ln(1–ŷ)]", r"L = - [y \cdot \ln (\hat{y}) + (1 - y) \cdot \ln (1 - \hat{y})]"),
    ("x ≤ 1 ≥ y ≈ 2", r"x \le 1 \ge y \approx 2"),
    ("Σⱼ zⱼ", r"\sum_{j} z_{j}"),
    ("d/dz tanh(z)", r"\frac{d}{d z} \tanh (z)"),
    ("∂(x^TAx)/∂x", r"\frac{\partial (x^{T} Ax)}{\partial x}"),     # a bare power takes one letter, as in TeX
    ("∂ReLU(z)/∂z", r"\frac{\partial \operatorname{ReLU} (z)}{\partial z}"),
    ("ε = 1e-8", "ε = 0.00000001"),
    ("n = 2.5E+3 + 3e", "n = 2500 + 3 e"),
    ("aᵢ = e^(zᵢ) / Σⱼ e^(zⱼ)", r"a_{i} = e^{z_{i}} / (\sum_{j} e^{z_{j}})"),   # the sum and its terms divide
    ("y = Σⱼ bⱼ / n", r"y = \sum_{j} b_{j} / n"),
    ("∂||Ax - b||²/∂x", r"\frac{\partial \| Ax - b \|^{2}}{\partial x}"),    # after a lone ∂ a bar opens a norm
    ("a ∂‖x‖/∂x", r"a \frac{\partial \| x \|}{\partial x}"),
    ("(1 + x)^(t) + 2^(n)", r"(1 + x)^{t} + 2^{n}"),     # no label on a bracket or a number: a power
])
def test_latex_spelling(text, tex):
    assert unicode.to_latex(text) == tex


def test_same_intermediate_form_as_latex():
    assert reader("unicode")("σ'(z) = σ(z)(1 − σ(z))") == latex.read(r"\sigma'(z) = \sigma(z)(1 - \sigma(z))")
    assert reader("unicode")("x² ≤ 1") == latex.read(r"x^{2} \le 1")


@pytest.mark.parametrize("text, pos", [("x = 3 $", 6), ("L = -Σ yi × log(ŷi)", 16), ("a = (b", 6), ("", 0),
                                       ("aᵢ = eᶻⁱ / Σⱼ eᶻʲ", 6),      # z·i or z_i: a superscript cannot say
                                       ("y = a / Σⱼ bⱼ · c", 6),      # is c in the divisor's sum? not said
                                       ("z = W^(l) a^(l-1)", 4),      # W^{(l)}, a layer label, or a power?
                                       ("y = 2 a^(l-1) · a^(l)", 6)])
def test_errors_carry_the_position(text, pos):
    with pytest.raises(LatexError) as exc:
        unicode.read(text)
    assert exc.value.pos == pos


def test_latex_reader_errors_point_into_the_plain_text():
    with pytest.raises(LatexError) as exc:
        unicode.read("y = x + ∂")     # a lone ∂ is no derivative: the LaTeX reader says so
    assert exc.value.pos is not None and 0 <= exc.value.pos <= len("y = x + ∂")


def _judge(text, **kw):
    kw.setdefault("symbols", {"z": "scalar real"})
    v = judge_claim(Claim(id="u", source="test", file="test.toml", text=text, **kw))
    return v.verdict if v.verdict != "error" else ("error", v.reason)


SIG = {r"\sigma": "sigmoid"}


@pytest.mark.parametrize("text, status", [
    ("σ'(z) = σ(z)(1 − σ(z))", "proved"),
    ("σ'(z) = σ(z)(1 + σ(z))", "refuted"),
    ("σ(z)(1 − σ(z)) ≤ ¼", "proved"),
    ("σ(z)(1 − σ(z)) ≤ 1/8", "refuted"),
    ("d/dz σ(z) = σ(z)·(1 − σ(z))", "proved"),
])
def test_sigmoid_claims(text, status):
    assert _judge(text, functions=SIG) == status


@pytest.mark.parametrize("text, status", [
    ("d/dz tanh(z) = 1 − tanh²(z)", "proved"),
    ("d/dz tanh(z) = 1 + tanh²(z)", "refuted"),
    ("d/dz tanh(z) = 1 − tanh(z)²", "undecided"),     # tanh((z)²) is a second reading, as in LaTeX
    ("(z + 1)² = z² + 2z + 1", "proved"),
    ("(z + 1)² = z² + 1", "refuted"),
    ("d/dz e^(-z) = −e⁻ᶻ", "proved"),
    ("d/dz e^(-z) = e⁻ᶻ", "refuted"),
    ("2.5e-3 = 0.0025", "proved"),                    # scientific notation is one number, not 2.5·e − 3
    ("2.5e-3 = 0.025", "refuted"),
    ("1e-8 · 1E8 = 1", "proved"),
    ("1e-8 · 1e8 = 10", "refuted"),
])
def test_plain_claims(text, status):
    assert _judge(text) == status


def test_quadratic_form():
    kw = dict(symbols={"x": "vector n", "A": "matrix n n"})
    assert _judge("∂(x^TAx)/∂x = (A + A^T)x", **kw) == "proved"
    assert _judge("∂(x^TAx)/∂x = 2Ax", **kw) == "refuted"


def test_least_squares_gradient_of_a_norm():
    kw = dict(symbols={"x": "vector n", "A": "matrix m n", "b": "vector m"})
    assert _judge("∂||Ax - b||²/∂x = 2A^T(Ax - b)", **kw) == "proved"
    assert _judge("∂||Ax - b||²/∂x = A^T(Ax - b)", **kw) == "refuted"
    assert _judge("∂||x|| = 1", **kw)[0] == "error"          # a ∂ with no fraction is still no derivative


def test_definitions_read_in_the_same_notation():
    kw = dict(symbols={"z": "scalar real", "a": "scalar (0,1)"}, functions=SIG, definitions=["a = σ(z)"])
    assert _judge("da/dz = a(1 − a)", **kw) == "proved"
    assert _judge("da/dz = a(1 + a)", **kw) == "refuted"


def test_unreadable_claim_is_an_error():
    assert _judge("σ(z) = $", functions=SIG)[0] == "error"
