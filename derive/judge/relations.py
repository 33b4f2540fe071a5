r"""Bounds, printed decimals, asymptotic claims and shapes."""
from __future__ import annotations

import functools
import re
import zlib
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.calculus.util import minimum as _sympy_minimum

from ..mathematics.arrays import is_array
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from ..mathematics.signforms import sign_forms
from .derivation import evaluate
from .interpret import ClaimError
from .largecount import count_variable, judge_large_count
from .numeval import NotEvaluable, evaluate as evaluate_numeric
from ..notation.errors import Unsupported
from .outcome import Outcome
from .rays import judge_ray_order
from .sampling import numeric, sample_points, show

__all__ = ["judge_bound", "judge_approx", "judge_asymptotic", "judge_order", "judge_shape"]


def _gap_fails(g, pt, strict):
    v = numeric(g, pt)
    return v is not None and (v < 0 or (strict and abs(v) < sp.Float(10) ** -40))


def _bound_search(g, free, strict, claim, scope, steps):
    """No extremum: exact rational points where the gap is negative refute the bound; else undecided."""
    intervals = {s_: next((d.interval for d in scope.symbols.values() if d.obj == s_), (-3, 3, False, False))
                 for s_ in free}
    n = 0
    for pt in sample_points(free, intervals, 24, seed=zlib.crc32(claim.id.encode())):
        if numeric(g, pt) is None:
            continue
        n += 1
        if _gap_fails(g, pt, strict):
            where = ", ".join(f"{L(k)} = {L(v)}" for k, v in pt.items())
            ce = {str(k): str(v) for k, v in pt.items()}
            ce["gap"] = show(g, pt, numeric(g, pt))
            return Outcome("refuted", f"the bound fails at ${where}$: the gap is ${ce['gap']}$", steps=steps,
                           counterexample=ce)
    return Outcome("undecided", f"no extremum found and no counterexample in {n} exact samples", steps=steps,
                   evidence={"points": n})


@functools.lru_cache(maxsize=256)
def minimum(g, x, dom):
    """SymPy's minimum of ``g`` over ``dom``, kept for the run: sheets restate the same ranges."""
    return _sympy_minimum(g, x, dom)


#: a declaration's domain words as sets of reals (the sampling intervals are narrower on purpose: never a domain)
DOMAIN_SETS = {"real": sp.S.Reals, "positive": sp.Interval.open(0, sp.oo), "nonnegative": sp.Interval(0, sp.oo),
               "negative": sp.Interval.open(-sp.oo, 0), "nonzero": sp.S.Reals - sp.FiniteSet(0),
               "(0,1)": sp.Interval.open(0, 1), "[0,1]": sp.Interval(0, 1), "(0,1]": sp.Interval.Lopen(0, 1),
               "[0,1)": sp.Interval.Ropen(0, 1), "small": sp.Interval.open(0, sp.oo)}


def _domain(x, scope):
    """The set a symbol ranges over, from its declaration and assumptions; None if not an interval."""
    for d in scope.symbols.values():
        if d.obj == x:
            words = d.domain.split() or ["real"]
            if "integer" in words:
                return None
            out = sp.S.Reals
            for w in words:
                if w not in DOMAIN_SETS:
                    return None
                out = out & DOMAIN_SETS[w]
            return out
    if x.is_positive:
        return DOMAIN_SETS["positive"]
    if x.is_nonnegative:
        return DOMAIN_SETS["nonnegative"]
    return sp.S.Reals if x.is_real else None


def _sign_settles(g, strict, scope) -> bool:
    """The gap of one variable, with a domain, is positive (nonnegative) by the signs of its parts.

    The variable's assumptions come from its declaration, so they hold on a set containing its
    domain: positive there is positive on the domain, without SymPy's extremum (0.1-0.7 s a bound)."""
    free = g.free_symbols
    if len(free) != 1 or g.atoms(AppliedUndef) or g.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return False
    if _domain(next(iter(free)), scope) is None:
        return False
    return bool(g.is_positive if strict else g.is_nonnegative)


def _settled_form(raw, strict, scope):
    r"""The gap as written, or over one factored denominator (:math:`\tfrac14 - \sigma'(z)` is
    :math:`(e^z - 1)^2 / (4 (e^z + 1)^2)`), if the signs of its parts settle the bound; else None."""
    if _sign_settles(raw, strict, scope):
        return raw
    if len(raw.free_symbols) != 1 or raw.has(sp.Sum, sp.MatrixExpr, sp.Piecewise, sp.Derivative):
        return None
    return next((f for f in sign_forms(raw) if f is not raw and _sign_settles(f, strict, scope)), None)


def _max_cases_settle(g, strict):
    r"""A gap with one :math:`\max(u, v)` (or min): at every point it is u or v, so the gap is the gap with u or
    the gap with v there; each positive (nonnegative) for *every* input settles the bound, without the case's
    own condition.  :math:`\log(e^a + e^b) - a` is written :math:`\log(1 + e^{b - a})` (one log and real
    terms beside it, moved into it) for the signs to decide.  ``[(max, case, form)]`` or None."""
    found = [m for m in g.atoms(sp.Max, sp.Min) if len(m.args) == 2]
    if len(found) != 1 or g.atoms(AppliedUndef) or g.has(sp.Piecewise, sp.Sum, sp.MatrixExpr):
        return None
    m = found[0]
    out = []
    for arg in m.args:
        form = _one_log(g.xreplace({m: arg}))
        if form is None or not (form.is_positive if strict else form.is_nonnegative):
            return None
        out.append((m, arg, form))
    return out


def _one_log(e):
    """``log(S) + c``, c real and free of logs, as ``log(S e^c)`` expanded; other forms as they are."""
    if e.is_positive or not e.is_Add:
        return e
    logs = [t for t in e.args if isinstance(t, sp.log)]
    rest = e - sum(logs)
    if len(logs) != 1 or rest.has(sp.log) or not rest.is_real:
        return e
    return sp.log(sp.powsimp(sp.expand(logs[0].args[0] * sp.exp(rest))))


def judge_bound(lhs, rel, rhs, claim, scope, defs) -> Outcome:
    """``lhs <= rhs`` over the declared domain, by the extremum of ``rhs - lhs`` (or a counterexample)."""
    lv, rv = elementary(evaluate(lhs, defs).doit()), elementary(evaluate(rhs, defs).doit())
    if is_array(lv) or is_array(rv):
        return Outcome("undecided", "a bound between vectors or matrices is not judged yet")
    raw = rv - lv if rel in ("<=", "<") else lv - rv
    strict = rel in ("<", ">")
    steps = [("substitute and rewrite elementarily", f"{L(lv)} {L(sp.Symbol(rel))} {L(rv)}")]
    # the signs of the gap's parts often settle it; simplify() is a third of a bound's time
    settled = _settled_form(raw, strict, scope)
    g = settled if settled is not None else sp.simplify(raw)
    if g.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ClaimError("the bound has an undefined or infinite side (a division by zero?)", "latex", None)
    free = sorted(g.free_symbols, key=str)
    if g.atoms(AppliedUndef):
        return Outcome("undecided", f"the bound involves ${', '.join(sorted(L(f) for f in g.atoms(AppliedUndef)))}$, "
                       "a function no definition fixes: declare or define it", steps=steps)
    if len(free) == 0:
        if not g.is_real:
            raise ClaimError("the bound compares values that are not real numbers", "latex", None)
        holds = g.is_positive if strict else g.is_nonnegative
        if holds is None:
            return Outcome("undecided", f"the sign of the constant gap ${L(g)}$ could not be decided", steps=steps)
        return Outcome("proved" if holds else "refuted", f"the sides are constants; their gap is ${L(g)}$",
                       steps=steps, counterexample=None if holds else {"gap": str(g)})
    cases = _max_cases_settle(g, strict)
    if cases is not None:
        sign = ">" if strict else r"\ge"
        for m, arg, form in cases:
            steps.append((f"where ${L(m)} = {L(arg)}$ the gap is ${L(form)}$, for every input (the signs of its parts)",
                          f"{L(form)} {sign} 0"))
        return Outcome("proved", f"the gap is {'positive' if strict else 'nonnegative'} in each case of "
                       f"${L(cases[0][0])}$, by the signs of its parts", steps=steps)
    if len(free) != 1:
        return _bound_search(g, free, strict, claim, scope, steps)
    x = free[0]
    dom = _domain(x, scope)
    if dom is None:
        return _bound_search(g, free, strict, claim, scope, steps)
    if settled is not None:
        sign = ">" if strict else r"\ge"
        steps.append((f"sign of the gap for every ${L(x)}$ in ${L(dom)}$ (the signs of its parts)", f"{L(g)} {sign} 0"))
        return Outcome("proved", f"the gap ${L(g)}$ is {'positive' if strict else 'nonnegative'} for every "
                       f"${L(x)}$ in the domain, by the signs of its parts", steps=steps)
    try:
        lowest = minimum(g, x, dom)
    except (NotImplementedError, ValueError, TypeError, AttributeError):
        return _bound_search(g, free, strict, claim, scope, steps)
    if not lowest.is_number or lowest.has(sp.nan):
        return _bound_search(g, free, strict, claim, scope, steps)
    steps.append((f"minimum of the gap over ${L(dom)}$ (critical points and limits)", L(lowest)))
    try:
        attained = sp.solveset(g, x, dom) if lowest == 0 else sp.S.EmptySet
        if lowest == 0 and strict and attained == sp.S.EmptySet:
            steps.append(("the infimum 0 is not attained in the domain", r"\emptyset"))
            return Outcome("proved", "the gap approaches 0 but stays positive over the domain", steps=steps)
        if lowest > 0 or (lowest >= 0 and not strict):
            crit = sp.solveset(sp.diff(g, x), x, dom)
            tight = ""
            if lowest == 0 and isinstance(crit, sp.FiniteSet):
                tight = f"; equality at ${L(x)} = {', '.join(L(c) for c in crit)}$"
            return Outcome("proved", f"the gap has minimum ${L(lowest)}$ over the domain{tight}", steps=steps)
    except (NotImplementedError, ValueError, TypeError):
        return _bound_search(g, free, strict, claim, scope, steps)
    # the bound fails: an exact rational point where the gap is negative
    out = _bound_search(g, free, strict, claim, scope, steps)
    if out.verdict == "refuted":
        out.reason += f" (the gap's minimum is ${sp.N(lowest, 6)}$)"
        return out
    if lowest == 0:
        # a strict bound whose gap reaches its minimum 0: it fails exactly where the minimum is attained
        try:
            crit = sp.solveset(sp.diff(g, x), x, dom)
        except (NotImplementedError, ValueError, TypeError):
            crit = None
        points = [p for c in (attained, crit) if isinstance(c, sp.FiniteSet) for p in sorted(c, key=str)]
        for p in points:
            if p.is_Rational and _gap_fails(g, {x: p}, strict):
                return Outcome("refuted", f"the bound fails at ${L(x)} = {L(p)}$: the gap is $0$ there (its "
                               "minimum), so the strict inequality does not hold", steps=steps,
                               counterexample={str(x): str(p), "gap": "0"})
        return Outcome("undecided", "the gap's lowest value is $0$; whether the domain contains a point where it "
                       "is attained (where the strict bound fails) was not decided", steps=steps)
    return Outcome("undecided", f"the gap's minimum ${sp.N(lowest, 6)}$ is negative, but no exact rational "
                   "point showing it was found", steps=steps)


_DECIMAL = re.compile(r"^-?\d*\.(\d+)$|^-?(\d+)$")
#: a number printed in scientific notation, ``1.32 \times 10^{1}`` (spaces and braces dropped)
_SCIENTIFIC = re.compile(r"^(-?\d*\.?\d+)(?:\\times|\\cdot)?10\^(-?\d+)$")


def _printed_number(text):
    r"""``(digits, printed, show)`` of a printed number: the decimal place it is rounded at (negative:
    tens, hundreds), its exact value and a function writing a rational the way it is printed.
    ``1.32 \times 10^{1}`` is rounded at :math:`10^{1-2}`, its mantissa's last digit; None if not a number."""
    m = _DECIMAL.match(text)
    if m:
        digits = len(m.group(1)) if m.group(1) else 0
        return digits, sp.Rational(text), lambda q: _decimal_text(q, digits)
    m = _SCIENTIFIC.match(text)
    if not m:
        return None
    mantissa, e = m.group(1), int(m.group(2))
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = sp.Integer(10) ** e
    return places - e, sp.Rational(mantissa) * scale, \
        lambda q: f"{_decimal_text(sp.Rational(q) / scale, places)} \\times 10^{{{e}}}"


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
    number = _printed_number(text)
    if number is None:
        raise ClaimError(r"the right side of \approx must be a decimal number", "latex", None)
    digits, printed, show = number
    exact = elementary(evaluate(lhs, defs).doit())
    if exact.free_symbols:
        return Outcome("undecided", f"the value still depends on {sorted(map(str, exact.free_symbols))}")
    if exact.atoms(AppliedUndef):
        return Outcome("undecided", f"the value depends on the function{'s' if len(exact.atoms(AppliedUndef)) > 1 else ''} "
                       f"${', '.join(sorted(L(f) for f in exact.atoms(AppliedUndef)))}$, which no definition fixes")
    if exact.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ClaimError("the value is undefined or infinite (a division by zero?)", "latex", None)
    if exact.is_real is not True and abs(sp.im(sp.N(exact, 30))) > sp.Float(10) ** -25:
        return Outcome("undecided", f"the value ${L(exact)}$ is not a real number, and nnderive judges decimals "
                       "over the real numbers", steps=[("exact value", L(sp.nsimplify(exact)))])
    prec = abs(digits) + 30 + max(0, int(sp.floor(sp.log(abs(sp.N(exact, 15)) + 1, 10))))
    value, rounded, truncated = _decimal_at(exact, digits, prec)
    half = sp.Rational(1, 2) / sp.Integer(10) ** digits
    gap = abs(value - printed)
    steps = [("exact value", f"{L(exact)} = {sp.N(exact, max(12, digits + 3))}"),
             (f"rounded to {digits} decimals", show(rounded))]
    check = _independent_decimal(lhs, defs, max(digits, 0))
    as_double = _DECIMAL.match(text) is not None and _significant(text) in DOUBLE_DIGITS
    if as_double:
        # a constant printed with 16 or 17 significant digits may be a double's printout (repr of a float64): it
        # also holds when the value's nearest double is the printed one's, though the last digit is not rounded
        steps.append(("read as a double", f"{_significant(text)} significant digits: the printout of a float64"))
    if as_double and _double(value) == _double(printed) and gap > half:
        out = Outcome("proved", f"the exact value ${sp.N(exact, max(8, digits + 2))}$ and the printed "
                      f"${rhs_text}$ are the same double (the printed number has {_significant(text)} significant "
                      "digits, a float64's printout)", steps=steps)
    elif gap <= half:
        out = Outcome("proved", f"the exact value ${sp.N(exact, max(8, digits + 2))}$ rounds to the printed "
                      f"${rhs_text}$", steps=steps)
    else:
        if printed == truncated:
            kind = "truncated instead of rounded"
        else:
            off = (printed - rounded) * sp.Integer(10) ** digits
            kind = f"wrong: {abs(off)} unit{'s' if abs(off) != 1 else ''} off in the last printed digit"
        out = Outcome("refuted", f"the exact value ${sp.N(exact, max(8, digits + 2))}$ rounds to "
                      f"${show(rounded)}$, not ${rhs_text}$ ({kind})", steps=steps,
                      counterexample={"exact": str(sp.N(exact, max(digits, 0) + 5)), "printed": rhs_text},
                      corrected=f"{L(lhs)} \\approx {show(rounded)}")
    agrees = check is not None and (abs(check - printed) <= half or as_double and _double(check) == _double(printed))
    if check is not None and agrees != (out.verdict == "proved"):
        return Outcome("error", f"internal inconsistency: the exact value says {out.verdict}, but the independent "
                       f"evaluation gives {check}", steps=steps)
    out.recheck = "the value evaluated independently (mpmath) at the same precision" if check is not None else None
    return out


#: significant digits at which a printed constant may be a double's printout (the shortest repr of a float64
#: has at most 17; with 16 or 17 it need not be the value's rounding at that digit); more digits are decimals
DOUBLE_DIGITS = (16, 17)


def _significant(text) -> int:
    """Significant digits of a printed decimal: ``.87962566103423978`` -> 17."""
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


def _double(q) -> float:
    """The double nearest a rational (correctly rounded, through :class:`fractions.Fraction`)."""
    q = sp.Rational(q)
    return float(Fraction(int(q.p), int(q.q)))


def _independent_decimal(lhs, defs, digits):
    try:
        with mpmath.workdps(digits + 30):
            v = evaluate_numeric(lhs, {}, defs)
            return sp.Rational(str(mpmath.nstr(v, digits + 25)))
    except NotEvaluable:
        return None


def _leading(expr, eps):
    """The lowest power of ``eps`` in a series and its coefficient (negative powers included)."""
    ser = sp.expand(sp.series(expr, eps, 0, 6).removeO().doit())
    if ser == 0:
        return None, sp.S.Zero, ser
    terms = {}
    for t in sp.Add.make_args(ser):
        coeff, power = t.as_coeff_exponent(eps)
        if coeff.has(eps):
            raise Unsupported(f"a term ${L(t)}$ that is not a power of ${L(eps)}$", None)
        terms[power] = terms.get(power, 0) + coeff
    order = min(terms)
    return order, sp.simplify(terms[order]), ser


def judge_asymptotic(lhs, rhs, claim, scope, defs) -> Outcome:
    """``lhs \\approx rhs`` as the small parameter tends to 0: the order of the error term."""
    small = [d.obj for d in scope.symbols.values() if d.domain == "small"]
    count = count_variable(lhs, rhs, scope, defs) if not small and isinstance(rhs, sp.Basic) else None
    if count is not None:
        return judge_large_count(lhs, rhs, count, scope, defs)
    if len(small) != 1 or not isinstance(rhs, sp.Basic):
        raise ClaimError(r"the right side of \approx must be a decimal number, or declare one "
                         r"'scalar small' parameter for an asymptotic claim (or write both sides in one "
                         "count, a positive integer that grows)", "latex", None)
    eps = small[0]
    d = evaluate(lhs, defs) - evaluate(rhs, defs)
    order, lead, ser = _leading(d, eps)
    steps = [(f"expand lhs - rhs in a series at ${L(eps)} = 0$", L(sp.simplify(ser)))]
    if order is None:
        return Outcome("proved", "the two sides agree to every order computed", steps=steps)
    if order > 0:
        return Outcome("proved", f"the error is $O({L(eps ** order)})$ as ${L(eps)} \\to 0$, leading term "
                       f"${L(lead * eps ** order)}$", steps=steps + [("leading error term", L(lead * eps ** order))])
    if _assumed(lead, scope):
        return Outcome("undecided", "the difference does not vanish for every function, but the function is not "
                       "declared: the source may mean a particular one", steps=steps)
    return Outcome("refuted", f"the difference does not vanish as ${L(eps)} \\to 0$: its leading term is "
                   f"${L(lead * eps ** order)}$", steps=steps, counterexample={"leading term": str(lead * eps ** order)})


def _assumed(expr, scope):
    names = {f.func.__name__ for f in expr.atoms(sp.core.function.AppliedUndef)}
    return bool(names & scope.assumed_generic)


def judge_order(value, order: sp.Order, claim, scope, defs) -> Outcome:
    """``expression = O(h^k)`` as ``h`` -> 0: the series of the expression starts at ``h^k`` or later."""
    eps = order.variables[0]
    k_expr = order.expr
    _, k = k_expr.as_coeff_exponent(eps)
    if k_expr.as_coeff_exponent(eps)[0].has(eps):
        raise Unsupported(f"$O({L(k_expr)})$ is not a power of ${L(eps)}$", None)
    if eps in scope.rays:          # O(||epsilon||^k) of a small vector: along every ray epsilon = h u
        try:
            return judge_ray_order(value, eps, scope.rays[eps], k, claim, scope, defs, lambda e: _assumed(e, scope))
        except Unsupported as exc:
            return Outcome("undecided", f"not supported yet: {exc.message}")
    v = evaluate(value, defs)
    lowest, lead, ser = _leading(v, eps)
    steps = [(f"expand the left side in a series at ${L(eps)} = 0$", L(sp.simplify(ser)))]
    if lowest is None or lowest >= k:
        what = "vanishes to every order computed" if lowest is None else \
            f"starts at ${L(lead * eps ** lowest)}$"
        return Outcome("proved", f"the expression {what}: it is $O({L(eps ** k)})$", steps=steps)
    if _assumed(lead, scope):
        return Outcome("undecided", f"the series starts at ${L(lead * eps ** lowest)}$, not $O({L(eps ** k)})$ for "
                       "every function, but the function is not declared: the source may mean a particular one",
                       steps=steps)
    return Outcome("refuted", f"the expression's series starts at ${L(lead * eps ** lowest)}$, which is not "
                   f"$O({L(eps ** k)})$", steps=steps, counterexample={"leading term": str(lead * eps ** lowest)})


def judge_shape(lhs, space, scope) -> Outcome:
    shape = lhs.shape if is_array(lhs) else (sp.Integer(1), sp.Integer(1))
    want = tuple(space)
    if all(sp.simplify(a - b) == 0 for a, b in zip(shape, want)):
        return Outcome("proved", f"the expression has shape {shape[0]} x {shape[1]} as claimed")
    return Outcome("refuted", f"the expression has shape {shape[0]} x {shape[1]}, not {want[0]} x {want[1]}",
                    counterexample={"shape": f"{shape[0]} x {shape[1]}", "claimed": f"{want[0]} x {want[1]}"})
