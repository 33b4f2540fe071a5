"""Backpropagation rules drafted with delta = dL/dz and the sheet's own forward rule (derive/backpropblocks.py)."""
from nnderive.backpropblocks import to_latex
from nnderive.catalogue import loads
from nnderive.judge.budget import judge_all
from nnderive.scan import scan_text, to_toml

ERROR = "$\\delta^{(l)}$ is the error term of layer $l$.\n\n"
RULE = "$$\\delta^{(l)} = (w^{(l+1)})^T \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})$$\n\n"
LOST = "$$\\delta^{(l)} = w^{(l+1)} \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})$$\n\n"
GRAD = "$$\\frac{\\partial L}{\\partial w^{(l)}} = \\delta^{(l)} (a^{(l-1)})^T$$\n"


def _sheet(forward: str, head="## Backpropagation\n\n", error=ERROR) -> str:
    return head + error + forward + "\n\n" + "$a^{(l)} = \\sigma(z^{(l)})$ applied entry by entry.\n\n" + RULE + LOST + GRAD


def _rules(text):
    return [d for d in scan_text(text) if d.line > 5 and "delta" in d.formula]


def _verdicts(drafts):
    claims, errors = loads(to_toml("bp.md", drafts), "bp.md")
    assert not errors
    return [v.verdict for v in judge_all(claims)]


def test_the_forward_rule_is_the_sheet_s_and_a_lost_transpose_is_refuted():
    drafts = _rules(_sheet("$z^{(l)} = w^{(l)} a^{(l-1)} + b^{(l)}$"))
    assert [d.not_checkable for d in drafts] == ["", "", ""]
    assert "z^{(l+1)} = w^{(l+1)} a^{(l)} + b^{(l+1)}" in drafts[0].definitions
    assert drafts[0].definitions[0] == "\\delta^{(l)} = \\frac{\\partial L}{\\partial z^{(l)}}"
    assert all("inferred" in d.entry("c")["note"] and "line 5" in d.entry("c")["note"] for d in drafts)
    assert _verdicts(drafts) == ["proved", "refuted", "proved"]


def test_a_sheet_writing_w_transposed_makes_the_other_rule_true():
    drafts = _rules(_sheet("$z^{(l)} = (w^{(l)})^T a^{(l-1)} + b^{(l)}$"))
    assert _verdicts(drafts) == ["refuted", "proved", "refuted"]


def test_w_ij_from_unit_i_to_unit_j_is_read_from_the_sum_the_sheet_writes():
    sums = {"w_{ij}^{(l)}": "(w^{(l+1)})^T a^{(l)}", "w_{ji}^{(l)}": "w^{(l+1)} a^{(l)}"}
    for w, product in sums.items():
        text = _sheet(f"$z_j^{{(l)}} = \\sum_i {w} a_i^{{(l-1)}} + b_j^{{(l)}}$")
        assert f"z^{{(l+1)}} = {product} + b^{{(l+1)}}" in _rules(text)[0].definitions


def test_nothing_is_drafted_where_the_sheet_does_not_fix_it():
    forward = "$z^{(l)} = w^{(l)} a^{(l-1)} + b^{(l)}$"
    for text in (_sheet("The forward pass is the usual one."),                  # no forward rule written
                 _sheet(forward, error="The deltas flow back.\n\n"),              # delta never called the error
                 _sheet(forward, head="## Training\n\n"),                          # not about backpropagation
                 _sheet(forward + " or $z^{(l)} = (w^{(l)})^T a^{(l-1)} + b^{(l)}$")):  # two rules: which one?
        drafts = _rules(text)
        assert all(d.not_checkable.startswith("defines") or "\\ell" not in d.functions for d in drafts), text


def test_a_plain_text_layer_label_is_read_only_where_the_sheet_speaks_of_layers():
    assert to_latex("δ^(l) = (W^(l+1))^T δ^(l+1)", "unicode", {"l"}) == \
        "\\delta^{(l)} = (W^{(l+1)})^{T} \\delta^{(l+1)}"
    assert to_latex("δ^(l) = (W^(l+1))^T δ^(l+1)", "unicode") is None          # a label or a power: not said
    assert to_latex("x^(n) = x x", "unicode", {"l"}) is None                   # n names no layer: not read
    assert to_latex("x^(2) = x x", "unicode", {"l"}) == "x^{2} = x x"          # a power stays a power


def test_the_output_error_under_the_sheet_s_cross_entropy_and_sigmoid():
    text = ("## Backpropagation\n\n$g(z) = \\frac{1}{1 + e^{-z}}$ and $a^{(l)} = g(z^{(l)})$, $z^{(l)} = w^{(l)} a^{(l-1)}$, "
            "$h(x) = a^{(L)}$.\n\n$J = -\\frac{1}{m} \\sum_{i=1}^{m} \\left[ y^{(i)} \\log(h(x^{(i)})) + "
            "(1 - y^{(i)}) \\log(1 - h(x^{(i)})) \\right]$\n\nOutput Layer Error\n\n$$\\delta^{(L)} = a^{(L)} - y$$\n\n"
            "$$\\delta^{(L)} = y - a^{(L)}$$\n")
    drafts = [d for d in scan_text(text) if d.formula.startswith("\\delta")]
    assert drafts[0].definitions[1] == "J = -[y \\log a^{(L)} + (1 - y) \\log(1 - a^{(L)})]"
    assert drafts[0].functions == {"g": "sigmoid"}
    assert _verdicts(drafts) == ["proved", "refuted"]
    tanh = text.replace("\\frac{1}{1 + e^{-z}}", "\\tanh(z)")            # not the sigmoid: a - y is not its error
    assert all(d.not_checkable for d in scan_text(tanh) if d.formula.startswith("\\delta"))


def test_a_regularised_gradient_of_the_sheet_s_cost_and_its_accumulated_sum():
    cost = ("$J(w) = -\\frac{1}{m} \\sum_{i=1}^{m} \\left[ y^{(i)} \\log(h(x^{(i)})) + (1 - y^{(i)}) \\log(1 - h(x^{(i)})) "
            "\\right] + \\frac{\\lambda}{2m} \\sum (w^{(l)})^2$")
    text = (_sheet("$z^{(l+1)} = w^{(l)} a^{(l)}$") + "\n" + cost + "\n\nGradient Accumulation\n\n"
            "$$\\Delta^{(l)} = \\Delta^{(l)} + \\delta^{(l+1)} (a^{(l)})^T$$\n\nFinal Gradient\n\n"
            "$$D^{(l)} = \\frac{1}{m} \\left( \\Delta^{(l)} + \\lambda w^{(l)} \\right)$$\n\n"
            "$$D^{(l)} = \\frac{1}{m} \\Delta^{(l)} + \\lambda w^{(l)}$$\n")
    drafts = [d for d in scan_text(text) if d.formula.startswith(("D^", "\\Delta"))]
    assert drafts[0].reading == "\\frac{\\partial J}{\\partial w^{(l)}} = \\delta^{(l+1)} (a^{(l)})^T"
    assert drafts[1].reading == "\\frac{\\partial J}{\\partial \\theta} = \\frac{1}{m} \\left( \\Delta + \\lambda \\theta \\right)"
    assert _verdicts(drafts) == ["proved", "proved", "refuted"]


def test_a_rule_without_layer_labels_does_not_say_which_layer_s_weight_feeds_z():
    drafts = _rules(_sheet("$z = w a + b$"))
    assert all(d.not_checkable.startswith("defines") or "\\ell" not in d.functions for d in drafts)


def test_the_sizes_a_sheet_states_for_its_layers_are_checked_against_its_forward_rule():
    text = ("Sizes\n\n- Layer l has s_l units\n- Layer l+1 has s_{l+1} units\n\nAdd a bias unit:\n\n$a_0^{(l)} = 1$\n\n"
            "$z^{(l+1)} = \\Theta^{(l)} a^{(l)}$\n\n$\\Theta^{(l)} \\in \\mathbb{R}^{s_{l+1} \\times (s_l + 1)}$\n\n")
    drafts = [d for d in scan_text(text) if d.reading]
    assert [d.line for d in drafts] == [10, 12]
    assert drafts[0].reading == "z^{(l+1)} \\in \\mathbb{R}^{s_{l+1}}"
    assert drafts[0].symbols["a^{(l)}"] == "vector s_l+1" and "bias unit" in drafts[0].entry("c")["note"]
    assert _verdicts(drafts) == ["proved", "proved"]
    wrong = [d for d in scan_text(text + "$\\Theta^{(l)} \\in \\mathbb{R}^{(s_l + 1) \\times s_{l+1}}$\n") if d.reading]
    assert [d.line for d in wrong] == [12, 14]      # two sizes stated: the rule's own is not guessed
    assert _verdicts(wrong) == ["proved", "refuted"]


def test_the_cost_is_read_only_as_a_mean_cross_entropy_plus_the_penalty_and_nothing_else():
    from nnderive.backpropblocks import _cross_entropy, _penalty
    cost = ("J(\\Theta)=-\\frac{1}{m}\\sum_{i=1}^{m}\\sum_{k=1}^{K}\\left[y_k^{(i)}\\log((h(x^{(i)}))_k)+(1-y_k^{(i)})\\log(1-(h(x^{(i)}))_k)"
            "\\right]+\\frac{\\lambda}{2m}\\sum(\\Theta^{(l)}_{i,j})^2")
    assert _cross_entropy(cost) == ("J", "h") and _penalty(cost) == ("\\Theta", "m")
    assert _penalty(cost.replace("+\\frac{\\lambda}", "+x+\\frac{\\lambda}")) is None          # another term
    assert _penalty(cost.replace("{2m}", "{2n}")) is None                                    # another count
    assert _cross_entropy(cost.replace("_k)+(1", "_k)+y+(1")) is None              # not the bracket
    assert _cross_entropy(cost.replace("\\log(1-(h", "\\log(1-(g")) is None              # two predictions
