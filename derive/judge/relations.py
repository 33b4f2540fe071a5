r"""Bounds, printed decimals, asymptotic claims and shapes."""
from __future__ import annotations

import re

import mpmath
import sympy as sp
from sympy.calculus.util import minimum

from ..mathematics.arrays import is_array
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from .derivation import evaluate
from .interpret import ClaimError
from .numeval import NotEvaluable, evaluate as evaluate_numeric
from .outcome import Outcome

__all__ = ["judge_bound", "judge_approx", "judge_asymptotic", "judge_shape"]


def judge_bound(lhs, rel, rhs, claim, scope, defs) -> Outcome:
    """``lhs <= rhs`` over the declared domain, by the extremum of ``rhs - lhs``."""
    lv, rv = elementary(evaluate(lhs, defs).doit()), elementary(evaluate(rhs, defs).doit())
    g = sp.simplify(rv - lv) if rel in ("<=", "<") else sp.simplify(lv - rv)
    free = sorted(g.free_symbols, key=str)
    steps = [("substitute and rewrite elementarily", f"{L(lv)} {rel} {L(rv)}")]
    if len(free) == 0:
        ok = bool(g >= 0) if rel in ("<=", ">=") else bool(g > 0)
        return Outcome("proved" if ok else "refuted", f"the constant difference is {L(g)}", steps=steps)
    if len(free) != 1:
        return Outcome("undecided", "bounds are proved for one variable only", steps=steps)
    x = free[0]
    dom = sp.S.Reals
    for d in scope.symbols.values():
        if d.obj == x:
            lo, hi, olo, ohi = d.interval
            if d.domain != "real":
                dom = sp.Interval(lo, hi, olo, ohi)
    lowest = minimum(g, x, dom)
    steps.append((f"minimum of the gap over {L(dom)} (critical points and limits)", L(lowest)))
    strict = rel in ("<", ">")
    attained = sp.solveset(g, x, dom) if lowest == 0 else sp.S.EmptySet
    if lowest == 0 and strict and attained == sp.S.EmptySet:
        steps.append(("the infimum 0 is not attained in the domain", r"\emptyset"))
        return Outcome("proved", "the gap approaches 0 but stays positive over the domain", steps=steps)
    if lowest.is_number and (lowest > 0 or (lowest >= 0 and not strict)):
        crit = sp.solveset(sp.diff(g, x), x, dom)
        tight = ""
        if lowest == 0 and isinstance(crit, sp.FiniteSet):
            tight = f"; equality at {L(x)} = {', '.join(L(c) for c in crit)}"
        return Outcome("proved", f"the gap has minimum {lowest} over the domain{tight}", steps=steps)
    if lowest.is_number and lowest < 0:
        crit = sp.solveset(sp.diff(g, x), x, dom)
        pt = next(iter(crit)) if isinstance(crit, sp.FiniteSet) and crit else None
        return Outcome("refuted", f"the bound fails: the gap reaches {sp.N(lowest, 6)}",
                        steps=steps, counterexample={str(x): str(pt), "gap": str(lowest)})
    return Outcome("undecided", "could not find the extremum", steps=steps)


_DECIMAL = re.compile(r"^-?\d*\.(\d+)$|^-?(\d+)$")


def _decimal_at(value, digits, prec):
    """``value`` rounded half-up and truncated at ``digits`` decimals, as exact rationals."""
    scale = sp.Integer(10) ** digits
    v = value if value.is_Rational else sp.Rational(str(sp.N(value, prec)))
    rounded = sp.floor(v * scale + sp.Rational(1, 2)) / scale
    truncated = sp.sign(v) * sp.floor(abs(v) * scale) / scale
    return v, rounded, truncated


def _decimal_text(q, digits):
    q = sp.Rational(q)
    sign = "-" if q < 0 else ""
    scaled = abs(q) * sp.Integer(10) ** digits
    whole = int(scaled)
    text = str(whole).rjust(digits + 1, "0")
    return sign + (text[:-digits] + "." + text[-digits:] if digits else text)


def judge_approx(lhs, rhs_text, claim, scope, defs) -> Outcome:
    """``lhs \\approx number``: the exact value, rounded to the printed digits, must be the printed number.

    The comparison is exact where the value is rational, and otherwise made at 30 digits beyond the printed
    ones; a printed number is called truncated only when it is the truncation of the value."""
    if not isinstance(rhs_text, str):
        return judge_asymptotic(lhs, rhs_text, claim, scope, defs)
    text = rhs_text.replace(" ", "").replace("{", "").replace("}", "")
    m = _DECIMAL.match(text)
    if not m:
        raise ClaimError(r"the right side of \approx must be a decimal number", "latex", None)
    digits = len(m.group(1)) if m.group(1) else 0
    printed = sp.Rational(text)
    exact = elementary(evaluate(lhs, defs).doit())
    if exact.free_symbols:
        return Outcome("undecided", f"the value still depends on {sorted(map(str, exact.free_symbols))}")
    prec = digits + 30
    value, rounded, truncated = _decimal_at(exact, digits, prec)
    half = sp.Rational(1, 2) / sp.Integer(10) ** digits
    gap = abs(value - printed)
    steps = [("exact value", f"{L(exact)} = {sp.N(exact, max(12, digits + 3))}"),
             (f"rounded to {digits} decimals", _decimal_text(rounded, digits))]
    check = _independent_decimal(lhs, defs, digits)
    if gap <= half:
        out = Outcome("proved", f"the exact value ${sp.N(exact, max(8, digits + 2))}$ rounds to the printed "
                      f"${rhs_text}$", steps=steps)
    else:
        if printed == truncated:
            kind = "truncated instead of rounded"
        else:
            off = (printed - rounded) * sp.Integer(10) ** digits
            kind = f"wrong: {abs(off)} unit{'s' if abs(off) != 1 else ''} off in the last printed digit"
        out = Outcome("refuted", f"the exact value ${sp.N(exact, max(8, digits + 2))}$ rounds to "
                      f"${_decimal_text(rounded, digits)}$, not ${rhs_text}$ ({kind})", steps=steps,
                      counterexample={"exact": str(sp.N(exact, digits + 5)), "printed": rhs_text},
                      corrected=f"{L(lhs)} \\approx {_decimal_text(rounded, digits)}")
    if check is not None and (abs(check - printed) <= half) != (out.verdict == "proved"):
        return Outcome("error", f"internal inconsistency: the exact value says {out.verdict}, but the independent "
                       f"evaluation gives {check}", steps=steps)
    out.recheck = "the value evaluated independently (mpmath) at the same precision" if check is not None else None
    return out


def _independent_decimal(lhs, defs, digits):
    try:
        with mpmath.workdps(digits + 30):
            v = evaluate_numeric(lhs, {}, defs)
            return sp.Rational(str(mpmath.nstr(v, digits + 25)))
    except NotEvaluable:
        return None


def judge_asymptotic(lhs, rhs, claim, scope, defs) -> Outcome:
    """``lhs \approx rhs`` as the small parameter -> 0: the order of the error term."""
    small = [d.obj for d in scope.symbols.values() if d.domain == "small"]
    if len(small) != 1 or not isinstance(rhs, sp.Basic):
        raise ClaimError(r"the right side of \approx must be a decimal number, or declare one "
                         r"'scalar small' parameter for an asymptotic claim", "latex", None)
    eps = small[0]
    d = evaluate(lhs, defs) - evaluate(rhs, defs)
    ser = sp.series(d, eps, 0, 6).removeO().doit()
    ser = sp.expand(ser)
    steps = [("expand lhs - rhs in a Taylor series at " + L(eps) + " = 0", L(sp.simplify(ser)))]
    if ser == 0:
        return Outcome("proved", "the two sides agree to every order computed", steps=steps)
    order = min(sp.Poly(t, eps).degree() if t.has(eps) else 0 for t in sp.Add.make_args(ser))
    lead = sp.simplify(sum(t for t in sp.Add.make_args(ser) if (sp.Poly(t, eps).degree() if t.has(eps) else 0) == order))
    if order >= 1:
        return Outcome("proved", f"the error is O({eps}^{order}) as {eps} -> 0, leading term {lead}",
                        steps=steps + [("leading error term", L(lead))])
    return Outcome("refuted", f"the difference does not vanish as {eps} -> 0: it tends to {lead}",
                    steps=steps, counterexample={"limit": str(lead)})


def judge_shape(lhs, space, scope) -> Outcome:
    shape = lhs.shape if is_array(lhs) else (sp.Integer(1), sp.Integer(1))
    want = tuple(space)
    if all(sp.simplify(a - b) == 0 for a, b in zip(shape, want)):
        return Outcome("proved", f"the expression has shape {shape[0]} x {shape[1]} as claimed")
    return Outcome("refuted", f"the expression has shape {shape[0]} x {shape[1]}, not {want[0]} x {want[1]}",
                    counterexample={"shape": f"{shape[0]} x {shape[1]}", "claimed": f"{want[0]} x {want[1]}"})
