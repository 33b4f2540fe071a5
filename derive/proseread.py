r"""Small readings :mod:`.scan` makes of plain-text formulas and the prose around them.

* A loss summed by a bare ``Σ`` over the whole prediction: ``L = (1/2m) × Σ(ŷ - y)²`` is the sum over the
  entries of the vectors ŷ and y, ``Σᵢ (ŷᵢ - yᵢ)²``; the sum runs over the m entries the factor ``1/2m`` (or
  ``1/m``) divides by.  ``1/2m`` glued so is read as ``1/(2m)`` (a divisor written as one token; ``m/2``
  would make the loss grow with the number of terms it averages), marked inferred.
* A derivative stated in words, ``∂Z/∂b is simply 1``: the fraction equals the number.
* A definition stated as an average in words, ``we average the errors over all examples … (C = (1/m) Σ Lᵢ)``:
  a claim that C is the mean of its m terms, ``C = \frac{1}{m} \sum_{k=1}^{m} L_k``.
* ``∂L/∂w = 0`` in a block on a dead ReLU: the unit's gradient by its weight where its input is never positive;
  ``Leaky ReLU (small slope when x<0)``: the slope on the negatives in words.
* ``- A: activations (n_out × batch_size)`` beside ``a = σ(z)``, ``σ: activation function`` and the batch
  ``Z = WX + b``: the shape of σ(WX + b).
* A k×k kernel reshaped into a 1×N row times the matching N×1 patch: the dot product is the entrywise sum.

Each reading says what it inferred; where the words or the sheet leave a choice open, nothing is drafted.
"""
from __future__ import annotations

import re

__all__ = ["average_in_words", "bare_loss_sum", "batch_activation", "dead_relu_gradient", "dead_relu_reading",
           "derivative_is_number", "flattened_kernel", "glossary", "mentions", "sheet_definition", "slope_in_words"]

_DASH = r"[-–−]"
#: ``Σ(ŷ - y)²``, ``Σ (y − ŷ)²``: a bare sum of the squared error of the whole prediction
_BARE_SQUARE = re.compile(rf"[Σ∑]\s*\(\s*(ŷ\s*{_DASH}\s*y|y\s*{_DASH}\s*ŷ)\s*\)\s*(²|\^2)")
#: ``(1/2m)``, ``1/m``, ``(1/(2m))``: one over a count (a letter, maybe times a number)
_OVER_COUNT = re.compile(r"(?<![\w/])1\s*/\s*(?:\(\s*(\d*)\s*([a-zA-Z])\s*\)|(\d*)([a-zA-Z])(?![\w(]))")


def bare_loss_sum(body: str):
    """``(text, size, notes)``: ``body`` with its bare ``Σ(ŷ - y)²`` written over the entries i, the count the
    sum runs over, and what was inferred; None when ``body`` is not such a loss (a subscript written, ŷ or y
    outside the sum, another sum, a divisor that is not one over a count)."""
    sums = _BARE_SQUARE.findall(body)
    if len(sums) != 1 or len(re.findall(r"[Σ∑]", body)) != 1 or re.search(r"[_ᵢⱼₖ]", body):
        return None
    rest = _BARE_SQUARE.sub("", body)
    if re.search(r"[ŷy]", rest.split("=", 1)[-1]) or rest.count("=") != 1:
        return None
    counts = _OVER_COUNT.findall(rest)
    if len(counts) > 1 or re.search(r"/", _OVER_COUNT.sub("", rest)):
        return None
    notes = ["Σ with no index over (ŷ - y)²: the sum over the entries i of the vectors ŷ and y"]
    size = "n"
    text = body
    if counts:
        a, b, c, d = counts[0]
        factor, size = (a, b) if b else (c, d)
        text = _OVER_COUNT.sub(f"1/({factor}{size})" if factor else f"1/{size}", text, count=1)
        notes.append(f"the sum runs over the {size} entries the factor 1/{factor}{size} divides by")
        if factor and not b:
            notes.append(f"1/{factor}{size} read as 1/({factor}{size}), the divisor written as one token")
    text = _BARE_SQUARE.sub(lambda m: "Σᵢ(" + re.sub(r"(ŷ|(?<!ŷ)y)", r"\1_i", m.group(1)) + ")²", text, count=1)
    return text, size, notes


#: ``∂Z/∂b is simply 1``, ``dL/dŷ is just 0``: a derivative fraction and the number it is.  The number must be
#: the whole value: the clause ends after it (``.``, ``;``, the line's end) or goes on with words that give a
#: reason and no condition (``, since the bias is added``, ``as …``, not ``as long as``); ``is 1 only when w = 1``,
#: ``is 0 at p = y``, ``is 1/2``, ``is 1 − a²``, ``is 2x`` state something else and are not read.
_IS_NUMBER = re.compile(r"(?<![\w/])((?:∂|d)([^\W\d_]\w*)\s*/\s*(?:∂|d)([^\W\d_]\w*))\s+(?:is|equals)\s+"
                        r"(?:(?:simply|just|always|exactly)\s+)?(-?\d+(?:\.\d+)?)"
                        r"(?=\s*(?:$|[.;!?](?:\s|$)|,?\s+(?:since|because|as(?!\s+(?:long|soon|far|much|well|in|for|with|when|if)\b))\s))")


def derivative_is_number(line: str):
    """``[(words, fraction text, number, at)]`` for each ``∂F/∂x is (simply) N`` of a prose line."""
    return [(m.group(0), m.group(1), m.group(4), m.start()) for m in _IS_NUMBER.finditer(line)]


#: the words that say a formula is an average: ``we average``, ``is the average of``, ``the mean cost``,
#: ``averaged over`` (a mean squared or absolute error names a loss, not an average; ``we mean`` is a verb)
_AVERAGE_WORDS = re.compile(r"\b(?:(?:we|you|one|they)\s+(?:then\s+|just\s+|simply\s+)?average\b"
                            r"|(?:is|as|be|gives|takes?|taking)\s+the\s+(?:average|mean)\s+of\b"
                            r"|the\s+(?:average|mean)\s+(?:cost|loss|error)\b(?!\s+(?:of|for)\b)"
                            r"|averaged\s+over\b)", re.I)
#: words that negate, contrast or change the average (``we do not average``, ``unlike the mean``, ``instead of
#: the mean``, ``halving``) or say the formula adds (``adds them``, ``the total``): no average is read
_NOT_AVERAGE = re.compile(r"\b(?:not|no|never|neither|nor|without|unlike|instead|rather|except|whereas|opposed|"
                          r"contrary|although|though|but|halv\w*|half|twice|doubl\w*|scal\w*|weight\w*|add\w*|"
                          r"sum\w*|total\w*)\b|n[’']t\b", re.I)
#: ``(1/m) Σ Lᵢ``, ``1/(2m) × Σ Lᵢ``, ``Σ Lᵢ``: a number over a count (maybe none) times a sum of one subscripted letter
_MEAN_VALUE = re.compile(r"^(?:\(?\s*(\d+)\s*/\s*\(?\s*(\d*)\s*([a-z])\s*\)?\s*\)?\s*[·×*]?\s*)?[Σ∑]\s*([A-Za-z])(?:ᵢ|_i)$")


def average_in_words(quote: str, formula: str, name: str, value: str):
    """``(reading, definition, symbols, notes)`` when the words just before ``name = value`` in ``quote`` say
    it is an average (``we average the errors over all examples. This overall cost function (C = (1/m) Σ Lᵢ)``)
    and ``value`` is a multiple of a sum of one subscripted letter: the claim that ``name`` is the mean of
    the letter's m entries, m the count the factor divides by (n when there is none)."""
    m = _MEAN_VALUE.match(value.strip())
    at = quote.find(formula)
    if not m or at < 0 or not re.fullmatch(r"[A-Za-z]", name):
        return None
    before = quote[:at]
    cut = max(before.rfind(". ", 0, max(before.rfind(". "), 0)), 0)      # this sentence and the one before
    end = quote.find(". ", at + len(formula))
    words = before[cut:] + " " + quote[at + len(formula):end if end >= 0 else len(quote)]
    num, factor, count, term = m.groups()
    if not _AVERAGE_WORDS.search(before[cut:]) or _NOT_AVERAGE.search(words) or re.search(
            rf"(?<![\w\\]){re.escape(term)}(?:ᵢ|_|\s*[₀-₉])", words):     # a mean of the terms, not of the sum
        return None
    count = count or "n"
    if len({name, count, term, "i", "k"}) < 5:
        return None
    coeff = f"\\frac{{{num}}}{{{factor}{count}}} " if num else ""
    reading = f"{name} = {coeff}\\sum_{{i}} {term}_{{i}}"
    definition = f"{name} = \\frac{{1}}{{{count}}} \\sum_{{k=1}}^{{{count}}} {term}_{{k}}"
    symbols = {term: f"vector {count} real", "i": f"index {count}", "k": f"index {count}"}
    notes = [f"the words before it say {name} is an average: the mean of the {count} entries of {term}",
             f"Σ with no index over {term}ᵢ: the sum over the {count} entries" + (
                 f" the factor {num}/{factor}{count} divides by" if num else " (no count written: n)")]
    if factor:
        notes.append(f"{num}/{factor}{count} read as {num}/({factor}{count}), the divisor written as one token")
    return reading, definition, symbols, notes


def sheet_definition(definitions, name: str, var: str):
    """``(value, line)``: the one value the sheet gives ``name`` among its definitions ``[(line, text)]``
    (``Z = W·X + b``) that mention ``var``, wherever they are; None when none or two different ones do.
    A definition without ``var`` is not the one a derivative by ``var`` means (it would be 0)."""
    pat = re.compile(rf"^\s*{re.escape(name)}\s*=\s*(.+)$")
    hits = {}
    for no, text in definitions:
        m = pat.match(text)
        if not m or re.search(r"[=≈≤≥←≠∈<>]", m.group(1)):
            continue
        value = m.group(1).strip()
        if re.search(rf"(?<![\w\\]){re.escape(name)}(?![\w])", value):
            continue
        if mentions(value, var):
            hits.setdefault("".join(value.split()), (value, no))
    return next(iter(hits.values())) if len(hits) == 1 else None


def mentions(value: str, var: str) -> bool:
    """Whether the text ``value`` uses the name ``var`` (``w·x + c`` uses c, ``c₁`` and ``cost`` do not)."""
    return bool(re.search(rf"(?<![\w\\]){re.escape(var)}(?![\w₀-₉ᵢⱼ])", value))


#: ``∂L/∂w = 0`` in a block about a dead ReLU: the gradient by a weight of a unit that outputs 0
_DEAD_BLOCK = re.compile(r"\bdead\s+relu\b", re.I)
_WEIGHT_GRADIENT = re.compile(r"(?<![\w/])∂[A-Za-z]\s*/\s*∂[wW]\s*=\s*(-?\d+(?:\.\d+)?)(?![\w.])")
#: what may follow the value: nothing, the sentence's end, or a consequence (``→ weight never updates``, ``, so …``);
#: ``= 0 never happens``, ``= 0 for no input``, ``= 0, impossible here``, ``= 0.01 times the input`` say otherwise
_CONSEQUENCE = re.compile(r"\s*(?:$|[.!;](?:\s|$)|,?\s*(?:→|->|(?:so|hence|thus|therefore|because|since)\b))")
#: words before the formula that make it another unit's, or deny it (``With Leaky ReLU,``, ``units never die:``)
_NOT_DEAD = re.compile(r"\b(?:leaky|prelu|relu\d|[sg]?elu|never|not?|impossible|cannot|unlike|instead|if|when|suppose)\b"
                       r"|n[’']t\b", re.I)


def dead_relu_gradient(line: str, block: str):
    """``[(formula text, value)]``: ``∂L/∂w = 0`` in a block headed as a dead ReLU (``// Dead ReLU``): the
    unit max(0, w x + b) outputs 0 for all inputs, so its input w x + b is never positive, and the claim is
    that its gradient by the weight is the value there (then ∂L/∂w, L'(a) times it, is too, for any loss).
    Only the value alone is read (a consequence may follow, ``→ weight never updates``); a condition, a negation,
    a factor (``= 0.01 times the input``) or another unit named before it (``With Leaky ReLU,``) is not."""
    if not _DEAD_BLOCK.search(block):
        return []
    return [(m.group(0), m.group(1)) for m in _WEIGHT_GRADIENT.finditer(line)
            if _CONSEQUENCE.match(line, m.end()) and not _NOT_DEAD.search(line[:m.start()])]


def dead_relu_reading(value: str) -> str:
    r"""The LaTeX of :func:`dead_relu_gradient`'s claim: the gradient of the unit by its weight, the stated
    value where the unit's input is not positive (and x, the input, where it is)."""
    return (f"\\frac{{\\partial}}{{\\partial w}} \\max(0, w x + b) = \\begin{{cases}} {value}, & w x + b \\le 0 \\\\ "
            "x, & w x + b > 0 \\end{cases}")


#: ``Leaky ReLU (small slope when x<0)``, ``ReLU (zero slope for x < 0)``: a named function's slope on the negatives
_SLOPE_WORDS = re.compile(r"\b(Leaky\s+ReLU|ReLU)\s*\(\s*(small|zero|no)\s+slope\s+(?:when|for)\s+([a-z])\s*<\s*0\s*\)")


def slope_in_words(line: str):
    """``[(formula text, reading, symbols, functions, note)]``: the slope a sentence gives a ReLU on the negative
    inputs: zero (or no) slope is the derivative 0; a small slope, for the leaky ReLU only, is its leak α (a
    small positive parameter; "small" is not checked).  A small slope of the plain ReLU or of another function
    (the ELU's is α eˣ, small too) is not read."""
    out = []
    for m in _SLOPE_WORDS.finditer(line):
        name, size, x = m.groups()
        leaky = name.lower().startswith("leaky")
        if size == "small" and not leaky:
            continue
        fn = f"\\operatorname{{LReLU}}({x}, \\alpha)" if leaky else f"\\operatorname{{ReLU}}({x})"
        value = "\\alpha" if size == "small" else "0"
        symbols = {x: "scalar negative"} | ({"\\alpha": "scalar positive"} if leaky else {})
        functions = {"\\operatorname{LReLU}": "leaky_relu"} if leaky else {"\\operatorname{ReLU}": "relu"}
        note = (f"'{size} slope when {x}<0': the derivative of the {name} at negative {x} is "
                + ("its leak α (a positive parameter)" if value != "0" else "0"))
        out.append((m.group(0), f"\\frac{{d}}{{d {x}}} {fn} = {value}", symbols, functions, note))
    return out


#: ``a 3×3 kernel``, ``a 5×5 filter``: a kernel's size (a third size or channels: more than a k×k kernel)
_KERNEL = re.compile(r"\b(\d+)\s*[×x]\s*(\d+)((?:\s*[×x]\s*\d+)*)\s+(?:kernel|filter)s?\b"
                     r"(\s+(?:on|over|with|for|across)\s+(?:\d+|the|all|each|its|every)\b[^.,;]*?\bchannels?\b)?")
#: ``a kernel like [ [a, b, c], [d, e, f], [g, h, i] ]``: a kernel written out, row by row
_WRITTEN = re.compile(r"\[\s*(\[[^\[\]]*\](?:\s*,\s*\[[^\[\]]*\])+)\s*\]")
#: ``reshape it into a 1×9 vector. Then, if you multiply that with the matching 9×1 input patch, the dot product
#: you get equals the sum of multiplications done element by element``
_FLATTENED = re.compile(r"\breshape\s+it\s+into\s+a\s+1\s*[×x]\s*(\d+)\s+vector\b[^.]*\.\s+(?:Then,?\s+)?(?:if\s+)?"
                        r"you\s+multiply\s+(?:that|it)\s+(?:with|by)\s+the\s+matching\s+(\d+)\s*[×x]\s*1\s+(?:input\s+)?"
                        r"patch,?\s+the\s+dot\s+product\s+(?:you\s+get\s+)?equals\s+the\s+sum\s+of\s+(?:the\s+)?"
                        r"(?:multiplications|products)\s+(?:done\s+)?element[- ]by[- ]element")


def _kernel_size(sentence: str):
    """k when the sentence's kernel is a k×k one: its nearest ``k×k kernel`` (or ``filter``) is square, with no
    third size and no channels, and a kernel it writes out (``[ [a, b, c], …]``) has k rows of k; else None."""
    said = list(_KERNEL.finditer(sentence))
    rows = [re.findall(r"\[([^\[\]]*)\]", w.group(1)) for w in _WRITTEN.finditer(sentence)]
    if said and (said[-1].group(1) != said[-1].group(2) or said[-1].group(3) or said[-1].group(4)) \
            or re.search(r"\bchannels?\b|\bdepth\b|\bRGB\b", sentence, re.I):
        return None
    sizes = {int(said[-1].group(1))} if said else set()
    sizes |= {len(r) if all(len(x.split(",")) == len(r) for x in r) else 0 for r in rows[-1:]}
    return sizes.pop() if len(sizes) == 1 and 0 not in sizes else None


def flattened_kernel(line: str, before: str):
    """``[(words, reading, symbols, note)]``: a k×k kernel reshaped into a 1×N row and multiplied by the
    matching N×1 patch: the dot product is the sum of the entrywise products, ``vec(K)ᵀ vec(P) = Σₘ Σₙ
    K_{m,n} P_{m,n}``.  The kernel is the one of the sentence that reshapes it (``before``, the section up to
    and with the line, gives the sentence's start): its ``k×k kernel`` or the kernel it writes out; a kernel
    of another sentence, of another shape or with channels is not read (its reading is None, the last item
    the reason).  The patch is the kernel's shape when
    N = k²; otherwise it is the N×1 column the sentence gives (and the product does not match)."""
    head = before[:len(before) - len(line)] if before.endswith(line) else before + " "
    out = []
    for m in _FLATTENED.finditer(line):
        prefix = head + line[:m.start()]
        ends = [e.end() for e in re.finditer(r"[.!?](?:\s|$)", prefix)]
        k = _kernel_size(prefix[ends[-1] if ends else 0:])
        row, column = int(m.group(1)), int(m.group(2))
        if k is None:       # said, but of no one k×k kernel: drafted as not checkable, with the reason
            out.append((m.group(0), None, {}, "a kernel reshaped into a row and multiplied by a patch, but its "
                        "sentence gives no one k×k kernel (none, another shape, a third size or channels): its "
                        "entries are not read"))
        if k is None or row != column:
            continue
        patch = f"matrix {k} {k}" if row == k * k else f"matrix {row} 1"
        reading = (f"\\operatorname{{vec}}(K)^T \\operatorname{{vec}}(P) = \\sum_{{m=1}}^{{{k}}} \\sum_{{n=1}}^{{{k}}} "
                   "K_{m,n} P_{m,n}")
        note = (f"the {k}×{k} kernel K (of the sentence) reshaped into a row, times the matching patch P of "
                f"{row} entries" + ("" if row == k * k else f" (a {row}×1 column: not the kernel's {k * k} entries)"))
        out.append((m.group(0), reading, {"K": f"matrix {k} {k}", "P": patch}, note))
    return out


_GLOSS = re.compile(r"^\s*[-*•]\s*([^\W\d_]\w*)\s*:\s*([^(]+?)\s*(\(([^()]*)\))?\s*$")


def glossary(lines) -> dict:
    """symbol -> (its words, the bracket after them, line) of a block's glossary lines ``- Z: pre-activations
    (n_out × batch_size)``."""
    out = {}
    for no, line in lines:
        m = _GLOSS.match(line)
        if m:
            out[m.group(1)] = (m.group(2).strip().lower(), m.group(4) or "", no)
    return out


def batch_activation(gloss: dict, definitions: dict):
    """``(A, f, Z, line)`` when the section's glossary and definitions say A = f(Z): ``a = σ(z)`` is defined,
    the glossary calls f the ``activation function`` and A ``activations`` (f's word, plural; nothing more
    but "of this layer": not the previous layer's, the input's, after pooling, stored transposed), and Z is the
    batch of z (``z: pre-activation``, ``Z: pre-activations``: z's words, plural) and is defined; A itself is
    not.  ``definitions``: name -> value text."""
    out = []
    for big, (words, shape, no) in gloss.items():
        small = big.lower()
        if big == small or big in definitions or not shape or small not in definitions:
            continue
        m = re.fullmatch(r"\s*(\S+?)\s*\(\s*([a-z])\s*\)\s*", definitions[small])
        if not m or m.group(1) not in gloss:
            continue
        f, z = m.groups()
        fwords = gloss[f][0]
        Z = z.upper()
        plural = fwords.removesuffix(" function").split()[-1] + "s"
        if not fwords.endswith(" function") or words not in (plural, f"{plural} of this layer", f"layer {plural}"):
            continue        # "activations of the previous layer", "activations after pooling": another A
        if Z not in definitions or z not in gloss or Z not in gloss or gloss[Z][0] != gloss[z][0] + "s":
            continue
        out.append((big, f, Z, no))
    return out
