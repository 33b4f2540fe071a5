"""The plain-text readings of :mod:`nnderive.proseread` (their verdicts: tests/test_scan.py's wild.txt)."""
from nnderive.proseread import (average_in_words, bare_loss_sum, batch_activation, dead_relu_gradient,
                                derivative_is_number, flattened_kernel, glossary, mentions, sheet_definition,
                                slope_in_words)


def test_a_bare_sum_of_the_squared_error_runs_over_the_entries_the_factor_counts():
    text, size, notes = bare_loss_sum("L = (1/2m) × Σ(ŷ - y)²")
    assert (text, size) == ("L = (1/(2m)) × Σᵢ(ŷ_i - y_i)²", "m") and any("one token" in w for w in notes)
    assert bare_loss_sum("L = Σ(y − ŷ)²")[:2] == ("L = Σᵢ(y_i − ŷ_i)²", "n")
    assert bare_loss_sum("L = (2/m) × Σ(ŷ - y)²") is None          # not one over a count
    assert bare_loss_sum("L = Σ(ŷ - y)² + y") is None                # y outside the sum
    assert bare_loss_sum("L = Σᵢ(ŷᵢ - yᵢ)²") is None                 # an index written: read as it is


def test_a_derivative_said_to_be_a_number():
    assert [h[1:3] for h in derivative_is_number("so ∂Z/∂W = X, and ∂Z/∂b is simply 1.")] == [("∂Z/∂b", "1")]
    assert not derivative_is_number("∂Z/∂b is 1 for every input")      # a condition follows: not read
    assert not derivative_is_number("∂Z/∂b is 1% of it")
    assert derivative_is_number("∂u/∂c is just 1, since the bias is added.")      # a reason, no condition
    for line in ("∂u/∂x is 1 only when w = 1.", "∂u/∂w is 1 in the special case x = 1.", "∂v/∂c is 1/2.",
                 "da/dz is 1 − a², largest at z = 0.", "dq/dx is 2x, twice the input.", "∂L/∂p is 0 at p = y, so",
                 "dL/dp equals 0 at the minimum.", "dz/db is 1 as long as x > 0"):
        assert not derivative_is_number(line), line      # the number is not the whole value stated


def test_an_average_in_words_before_the_formula():
    q = "we average the errors over all examples. This cost (C = (1/m) Σ Lᵢ) is one score"
    reading, definition, symbols, _ = average_in_words(q, "C = (1/m) Σ Lᵢ", "C", "(1/m) Σ Lᵢ")
    assert reading == "C = \\frac{1}{m} \\sum_{i} L_{i}" and definition == "C = \\frac{1}{m} \\sum_{k=1}^{m} L_{k}"
    assert symbols == {"L": "vector m real", "i": "index m", "k": "index m"}
    mse = "Mean Squared Error, where M = (1/m) Σ Lᵢ"
    assert average_in_words(mse, "M = (1/m) Σ Lᵢ", "M", "(1/m) Σ Lᵢ") is None   # a loss's name, not an average
    assert average_in_words("The total, T = (1/m) Σ Lᵢ", "T = (1/m) Σ Lᵢ", "T", "(1/m) Σ Lᵢ") is None
    for q in ("We do not average the losses; the total cost just adds them up (C = Σ Lᵢ) over the batch.",
              "Unlike the mean-squared error, the total cost simply adds the losses (C = Σ Lᵢ).",
              "Instead of taking the mean, some frameworks sum the per-example losses (C = Σ Lᵢ).",
              "By the cost we mean the total of the per-example losses (C = Σ Lᵢ).",
              "Each Lᵢ is the mean loss of batch i; the cost is (C = Σ Lᵢ).",
              "We average the errors, halving for a cleaner derivative (C = Σ Lᵢ)."):
        assert average_in_words(q, "C = Σ Lᵢ", "C", "Σ Lᵢ") is None, q     # negated, contrasted, a verb, another mean
    assert average_in_words("The cost is the average of the losses: C = Σ Lᵢ", "C = Σ Lᵢ", "C", "Σ Lᵢ")


def test_the_sheet_s_one_definition_in_the_variable():
    defs = [(2, "Z = W·X + b"), (5, "Z = W·X"), (9, "Z = W·X + b")]
    assert sheet_definition(defs, "Z", "b") == ("W·X + b", 2)         # Z = W·X has no b: not the one meant
    assert sheet_definition(defs, "Z", "W") is None                   # two different definitions in W
    assert sheet_definition(defs + [(12, "Z = V·X + b")], "Z", "b") is None
    assert sheet_definition([(5, "u = w·x + c"), (6, "u = 0")], "u", "c") == ("w·x + c", 5)
    assert mentions("w·x + c", "c") and not mentions("w·x + c₁", "c") and not mentions("cost", "c")


def test_a_weight_gradient_is_a_dead_relu_s_only_in_its_block():
    assert dead_relu_gradient("∂L/∂w = 0 → weight never updates", "Dead ReLU") == [("∂L/∂w = 0", "0")]
    assert not dead_relu_gradient("∂L/∂w = 0 → weight never updates", "Vanishing Gradient")


def test_a_relu_s_slope_on_the_negatives_in_words():
    (small,) = slope_in_words("→ Leaky ReLU (small slope when x<0)")
    assert small[1] == "\\frac{d}{d x} \\operatorname{LReLU}(x, \\alpha) = \\alpha"
    assert slope_in_words("ReLU (zero slope for z < 0)")[0][1] == "\\frac{d}{d z} \\operatorname{ReLU}(z) = 0"
    assert not slope_in_words("ReLU (small slope when x<0)")       # small: the leaky ReLU's leak only
    assert not slope_in_words("ELU (small slope when x<0)")        # α eˣ, not a constant: not read


def test_the_activations_of_a_batch_are_the_activation_function_of_its_pre_activations():
    lines = ["- z: pre-activation (n_out × 1)", "- σ: activation function (ReLU, sigmoid)",
             "- Z: pre-activations (n_out × m)", "- A: activations (n_out × m)"]
    gloss = glossary(enumerate(lines, 1))
    assert gloss["A"] == ("activations", "n_out × m", 4)
    defs = {"z": "Wx + b", "a": "σ(z)", "Z": "WX + b"}
    assert batch_activation(gloss, defs) == [("A", "σ", "Z", 4)]
    assert not batch_activation(gloss, defs | {"A": "σ(Z)"})            # defined: the definition says it
    assert not batch_activation(gloss, {"z": "Wx + b", "a": "σ(z)"})    # no batch Z defined
    other = glossary(enumerate(lines[:3] + ["- A: outputs (n_out × m)"], 1))
    assert not batch_activation(other, defs)                            # A not called the activations
    for words in ("activations of the previous layer", "activations after pooling", "input activations"):
        assert not batch_activation(glossary(enumerate(lines[:3] + [f"- A: {words} (n_in × m)"], 1)), defs), words


def test_a_kernel_reshaped_into_a_row_times_the_matching_patch():
    words = ("you can reshape it into a 1×9 vector. Then, if you multiply that with the matching 9×1 input patch, "
             "the dot product you get equals the sum of multiplications done element by element")
    ((_, reading, symbols, _),) = flattened_kernel(words, "With a 3×3 kernel " + words)
    assert symbols == {"K": "matrix 3 3", "P": "matrix 3 3"} and "\\sum_{m=1}^{3}" in reading
    assert flattened_kernel(words, "With a 2×2 kernel " + words)[0][2]["P"] == "matrix 9 1"   # not the kernel's 4
    assert flattened_kernel(words, words)[0][1] is None                 # no kernel size in the sentence
    rows = "you can reshape it into a 1×9 vector. Then, if you multiply that with the matching 9×1 input patch, " \
           "the dot product you get equals the sum of multiplications done element by element"
    assert flattened_kernel(rows, "A 3×3 kernel is usual. Take one, " + rows)[0][1] is None   # another sentence's
    assert flattened_kernel(rows + ". A 5×5 kernel works too.", rows + ". A 5×5 kernel works too.")[0][1] is None
    for kernel in ("With a 3×3 kernel on 1 channel, ", "With a 3×3×1 kernel, ", "With a 3×1 kernel, "):
        assert flattened_kernel(rows, kernel + rows)[0][1] is None, kernel   # channels, a third size, not square
    written = "if you have a kernel like [ [a, b, c], [d, e, f], [g, h, i] ] " + rows
    assert flattened_kernel(rows, written)[0][2]["K"] == "matrix 3 3"  # the kernel written out, 3 rows of 3
