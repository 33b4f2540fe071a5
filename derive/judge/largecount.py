r"""``a_n \approx b_n`` for a count :math:`n` (a positive integer): the approximation as :math:`n \to \infty`.

Sources write ``(1 - 1/n)^n \approx e^{-1}`` or Stirling's ``\log n! \approx n \log n - n + \tfrac12 \log 2\pi n``
for large :math:`n`, with no small parameter.  Two readings are in use, and a verdict needs both to agree:

* the **absolute** one, :math:`a_n - b_n \to 0`;
* the **relative** one, :math:`a_n / b_n \to 1` (Stirling's :math:`n! \approx \sqrt{2\pi n}(n/e)^n`, whose
  difference grows without bound).

When the limits disagree (:math:`\log n! \approx n \log n - n + \tfrac12 \log \pi n`: the difference tends to
:math:`\tfrac12 \log 2`, the ratio to 1) the claim is undecided.  The limits are SymPy's over real :math:`n`; a
real limit that exists is the sequence's.  Each is confirmed independently by the values at
:math:`n = 10^4` and :math:`10^8` (mpmath, 50 digits).
"""
from __future__ import annotations

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from .derivation import evaluate
from .numeval import DPS, NotEvaluable, evaluate as evaluate_numeric
from .outcome import Outcome

__all__ = ["count_variable", "judge_large_count"]


def count_variable(lhs, rhs, scope, defs):
    """The one count both sides depend on (a declared scalar positive integer, or the ``p`` of a condition
    ``n \\ge c`` applied as ``n = c + p``), or None when they depend on anything else or on nothing."""
    free = set()
    for side in (lhs, rhs):
        free |= elementary(evaluate(side, defs).doit()).free_symbols
    counts = {d.obj for d in scope.symbols.values()
              if d.kind == "scalar" and d.obj.is_integer and d.obj.is_positive}
    counts |= {p for p, x in scope.raised.items() if x in counts}
    if len(free) != 1 or not free <= counts:
        return None
    return free.pop()


def _limit(expr, n):
    """``lim expr`` as ``n`` -> oo: a number, oo or -oo; None when SymPy finds no definite one."""
    try:
        value = sp.limit(expr, n, sp.oo)
    except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return None
    if not isinstance(value, sp.Expr) or value.free_symbols or value.has(sp.AccumBounds, sp.nan, sp.zoo) \
            or isinstance(value, sp.Limit) or value.is_real is not True and value not in (sp.oo, -sp.oo):
        return None
    return value


def _confirmed(expr, n, limit, defs) -> bool:
    """The values at n = 10^4 and 10^8 approach ``limit`` (or grow, for an infinite one)."""
    with mpmath.workdps(DPS):
        vals = [evaluate_numeric(expr, {n: mpmath.mpf(10) ** k}, defs) for k in (4, 8)]
        if any(not isinstance(v, mpmath.mpf) for v in vals):
            raise NotEvaluable("a value at large n is not a real number")
        if limit in (sp.oo, -sp.oo):
            sign = 1 if limit == sp.oo else -1
            return sign * vals[1] > sign * vals[0]
        target = mpmath.mpf(sp.N(limit, DPS))
        far, near = abs(vals[0] - target), abs(vals[1] - target)
        return near < mpmath.mpf(10) ** -20 or (near < far and near < (1 + abs(target)) / 10)


def judge_large_count(lhs, rhs, n, scope, defs) -> Outcome:
    """``lhs \\approx rhs`` as the count ``n`` tends to infinity: both readings (module docstring)."""
    a = elementary(evaluate(lhs, defs).doit())
    b = elementary(evaluate(rhs, defs).doit())
    if a.atoms(AppliedUndef) or b.atoms(AppliedUndef):
        return Outcome("undecided", "a function no definition fixes: its limit is not known")
    shown = scope.raised.get(n, n)     # n, not the p of n = c + p, in what is printed
    scope.note(rf"$\approx$ between expressions of the count ${L(shown)}$ is read as ${L(shown)} \to \infty$: the "
               "difference tending to 0 and the ratio to 1 (both readings must agree)")
    diff, ratio = _limit(a - b, n), (_limit(a / b, n) if b != 0 else None)
    if diff is None or ratio is None:
        return Outcome("undecided", f"no definite limit as ${L(shown)} \\to \\infty$ of the "
                       f"{'difference' if diff is None else 'ratio'} of the two sides")
    steps = [(rf"$\lim_{{{L(shown)} \to \infty}}$ (lhs - rhs)", L(diff)),
             (rf"$\lim_{{{L(shown)} \to \infty}}$ lhs / rhs", L(ratio))]
    try:
        ok = _confirmed(a - b, n, diff, defs) and _confirmed(a / b, n, ratio, defs)
    except (NotEvaluable, ZeroDivisionError, ValueError, TypeError) as exc:
        return Outcome("undecided", f"the limits could not be confirmed numerically ({exc}); no verdict without it",
                       steps=steps)
    if not ok:
        return Outcome("error", f"internal inconsistency: the limits {L(diff)} (difference) and {L(ratio)} (ratio) "
                       "are not approached by the values at 10^4 and 10^8", steps=steps)
    absolute, relative = diff == 0, ratio == 1
    recheck = "the limits confirmed by the values at n = 10^4 and 10^8 (mpmath, 50 digits)"
    if absolute and relative:
        return Outcome("proved", f"as ${L(shown)} \\to \\infty$ the difference of the sides tends to 0 and their ratio "
                       "to 1", steps=steps, recheck=recheck)
    if not absolute and not relative:
        return Outcome("refuted", f"as ${L(shown)} \\to \\infty$ the difference of the sides tends to ${L(diff)}$, not "
                       f"0, and their ratio to ${L(ratio)}$, not 1", steps=steps, recheck=recheck,
                       counterexample={"limit of lhs - rhs": str(diff), "limit of lhs / rhs": str(ratio)})
    return Outcome("undecided", f"the readings of $\\approx$ disagree as ${L(shown)} \\to \\infty$: the difference "
                   f"tends to ${L(diff)}$ and the ratio to ${L(ratio)}$ (an absolute or a relative approximation?)",
                   steps=steps)
