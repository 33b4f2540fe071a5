"""The sheet printer (mathematics/printing.py): what derive/ prints is in the sheets' 1-based notation, and
every LaTeX command in a reason, a convention or a note is marked as math, so reports typeset it."""
import re

import pytest
import sympy as sp

from nnderive.mathematics.printing import tex
from nnderive.report.text import segments

n = sp.Symbol("n", integer=True, positive=True)
i, k, r, c = (sp.Symbol(s, integer=True) for s in ("i_1", "k", "r", "c"))
A, x, z = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("z", n, 1)


@pytest.mark.parametrize("expr, printed", [
    (A[r - 1, c - 1], "{A}_{r,c}"),
    (x[i, 0], "{x}_{i_{1} + 1}"),                    # a free 0-based index is printed shifted, as it is
    (sp.Sum(A[i, r - 1] * x[i, 0], (i, 0, n - 1)), r"\sum_{i_{1}=1}^{n} {A}_{i_{1},r} {x}_{i_{1}}"),
    (sp.exp(z[0, 0]) / sp.Sum(sp.exp(z[k, 0]), (k, 0, n - 1)), r"\frac{e^{{z}_{1}}}{\sum_{k=1}^{n} e^{{z}_{k}}}"),
    (sp.Sum(x[k, 0], (k, 1, n)), r"\sum_{k=1}^{n} {x}_{k + 1}"),    # a sum that is not 0-based stays
    (sp.KroneckerDelta(c - 1, r - 1), r"\delta_{c r}"),
    (sp.KroneckerDelta(c, r), r"\delta_{c r}"),
])
def test_sheet_notation(expr, printed):
    assert tex(expr) == printed


def test_shifted_sum_is_the_same_sum():
    body = sp.Sum(A[i, 1] * x[i, 0], (i, 0, n - 1))
    printed_form = sp.Sum(A[i - 1, 1] * x[i - 1, 0], (i, 1, n))
    assert sp.simplify((body - printed_form).subs(n, 4).doit()) == 0


_COMMAND = re.compile(r"\\[A-Za-z]+")


def _raw_commands(text):
    return [p for math, p in segments(text) if not math and _COMMAND.search(p)]


def test_derive_marks_its_math(verdicts):
    """No LaTeX command outside $...$ in what derive/ says about a catalogue claim (errors quote the user's
    text and are set as text on purpose)."""
    raw = {}
    for v in verdicts.values():
        if v.verdict == "error":
            continue
        texts = [v.reason] + [str(nt) for nt in v.notes]
        if v.convention:
            texts += [v.convention.get("claim", ""), v.convention.get("reference", "")]
        bad = [t for t in texts if _raw_commands(t)]
        if bad:
            raw[v.id] = bad
    assert not raw, raw


def test_the_check_sees_raw_commands():
    assert _raw_commands(r"torch.optim.Adam: \theta_t = \theta_{t-1}") and not _raw_commands(r"step $\theta_t$")
