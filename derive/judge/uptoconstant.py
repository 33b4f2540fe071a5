r"""``a = b + \text{const}``: an equation up to an additive constant, as loss docs write it.

The constant is the difference :math:`d = a - b`.  What it must not depend on is not written (a negative
log-likelihood's constant may hold the variance, or not), so:

* **proved** when :math:`d` depends on no input at all (a number: constant under every reading);
* **refuted** when :math:`d` varies with every input (constant under no reading): for each input, two exact
  points that differ only in it give two values of :math:`d`;
* **undecided** otherwise, naming the inputs :math:`d` depends on.

Both verdicts are confirmed by evaluating :math:`d` independently (:mod:`.numeval`, 50 digits).
"""
from __future__ import annotations

import zlib

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from ..mathematics.arrays import is_array
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from .derivation import evaluate
from .interpret import CONSTANT, CONSTANT_WORDS
from .numeval import DPS, NotEvaluable, evaluate as evaluate_numeric
from .outcome import Outcome
from ..notation.errors import Unsupported
from .sampling import sample_points

__all__ = ["CONSTANT", "CONSTANT_WORDS", "constant_form", "judge_up_to_constant"]



def constant_form(lhs, rhs):
    """``(a, b)`` for ``a = b + const`` (or ``a + const = b``: ``(b, a)``); None without the constant.  The
    constant must be one whole term added at the top of one side; anywhere else it is not read."""
    sides = [s for s in (lhs, rhs) if isinstance(s, sp.Basic) and s.has(CONSTANT)]
    if not sides:
        return None
    if len(sides) == 2 or any(is_array(s) for s in (lhs, rhs)):
        raise Unsupported("an additive constant on both sides, or beside an array", None)
    side = sides[0]
    rest = side - CONSTANT
    if rest.has(CONSTANT) or not (isinstance(side, sp.Add) and CONSTANT in side.args):
        raise Unsupported("'const' that is not one term added to a side", None)
    return (rhs if side is lhs else lhs), rest


def _intervals(scope, symbols):
    declared = {d.obj: d.interval for d in scope.symbols.values() if d.kind == "scalar"}
    out = {}
    for s in symbols:
        if s in declared:
            out[s] = declared[s]
        elif s.is_positive:
            out[s] = (0, 4, True, False)
        elif s.is_nonnegative:
            out[s] = (0, 4, False, False)
        else:
            out[s] = (-3, 3, False, False)
    return out


def _claim_inputs(a, b, scope):
    r"""The inputs the sides depend on, in the claim's own terms: a condition's ``x = y + p`` (x >= y) undone
    (``p = x - y``), so that a y the sides hold only through x (a clamp ``\max(x, y)`` that the condition
    settles) is no input of theirs."""
    back = {p: x - y for p, (x, y) in scope.bounds.items()}
    return sorted(a.xreplace(back).free_symbols | b.xreplace(back).free_symbols, key=str)


def _moved(pt, s, scope, k):
    """``pt`` with the claim's input ``s`` moved and every other input of the claim held: for x of
    ``x = y + p``, p moves; for y, y moves up by half of each such p, which moves down by as much (the
    domains of y are unbounded above).  None when no move is found."""
    out = dict(pt)
    carried = [p for p, (x, y) in scope.bounds.items() if y == s and p in pt]
    own = next((p for p, (x, y) in scope.bounds.items() if x == s and p in pt), s)
    if carried:
        step = min(pt[p] for p in carried) / 2
        if step <= 0:
            return None
        out[s] = pt[s] + step
        for p in carried:
            out[p] = pt[p] - step
        return out
    if own not in pt:
        return None
    out[own] = pt[own] + (1 if own.is_integer else 1 + sp.Rational(k, 3))    # up, as most domains allow...
    iv = _intervals(scope, [own])[own]
    if iv[1] < out[own] or (iv[3] and iv[1] == out[own]):     # ... but a declared (0, 1) is not: move down
        out[own] = (pt[own] + iv[0]) / 2
        if own.is_integer or out[own] == pt[own]:
            return None
    return out


def _value(d, point):
    v = elementary(d.xreplace(point).doit())
    return sp.nsimplify(v) if v.is_Float else sp.simplify(v)


def _numeric(d, point, defs):
    with mpmath.workdps(DPS):
        return evaluate_numeric(d, {k: v for k, v in point.items()}, defs)


def judge_up_to_constant(a, b, claim, scope, defs) -> Outcome:
    """``a = b + const`` (module docstring)."""
    d = elementary(evaluate(a, defs).doit() - evaluate(b, defs).doit())
    if d.atoms(AppliedUndef):
        return Outcome("undecided", "the difference holds a function no definition fixes")
    d = sp.simplify(d)
    scope.note(r"$+ \mathrm{const}$ is read as an additive constant: the difference of the sides, which must "
               "not depend on the inputs")
    steps = [("the difference of the sides (the constant)", L(d))]
    inputs = sorted(d.free_symbols, key=str)
    if not inputs:
        if d.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or d.is_real is False:
            return Outcome("undecided", f"the difference ${L(d)}$ is not a finite real constant", steps=steps)
        try:
            agrees, recheck = _recheck_constant(a, b, d, scope, defs, claim)
        except NotEvaluable as exc:
            return Outcome("undecided", f"the constant could not be confirmed independently ({exc})", steps=steps)
        if not agrees:
            return Outcome("error", f"internal inconsistency: the sides differ by ${L(d)}$, but {recheck}",
                           steps=steps)
        return Outcome("proved", f"the sides differ by the constant ${L(d)}$, which depends on no input",
                       steps=steps, recheck=recheck)
    indices = {d.obj for d in scope.symbols.values() if d.kind == "index"}
    if any(not isinstance(x, sp.Symbol) or x in indices for x in d.free_symbols) or d.atoms(sp.MatrixSymbol):
        return Outcome("undecided", f"the difference of the sides ${L(d)}$ holds entries of arrays or indices: "
                       "whether it is constant is not judged yet", steps=steps)
    seed = zlib.crc32(("const:" + claim.id).encode())
    free = sorted(evaluate(a, defs).free_symbols | evaluate(b, defs).free_symbols | set(inputs), key=str)
    witnesses = {}
    for s in _claim_inputs(evaluate(a, defs), evaluate(b, defs), scope):
        for k, pt in enumerate(sample_points(free, _intervals(scope, free), 8, seed=seed)):
            moved = _moved(pt, s, scope, k)
            if moved is None:
                continue
            v0, v1 = _value(d, pt), _value(d, moved)
            if v0.is_real and v1.is_real and (v0 - v1).is_zero is False:
                witnesses[s] = (pt, moved, v0, v1)
                break
        if s not in witnesses:
            return Outcome("undecided", f"the difference of the sides ${L(d)}$ depends on "
                           f"${', '.join(map(L, inputs))}$ but not surely on ${L(s)}$; whether the constant may "
                           "hold some inputs is not written", steps=steps)
    try:
        for s, (pt, moved, v0, v1) in witnesses.items():
            n0, n1 = _numeric(d, pt, defs), _numeric(d, moved, defs)
            if abs(n0 - n1) <= mpmath.mpf(10) ** -20 * (1 + abs(n0)):
                return Outcome("error", f"internal inconsistency: the difference changes with ${L(s)}$ exactly, "
                               "but not in the independent evaluation", steps=steps)
    except NotEvaluable as exc:
        return Outcome("undecided", f"the difference could not be evaluated independently ({exc})", steps=steps)
    s, (pt, moved, v0, v1) = next(iter(witnesses.items()))
    shown = ", ".join(f"{L(k)} = {L(v)}" for k, v in pt.items())
    moves = ", ".join(f"{L(k)} = {L(v)}" for k, v in moved.items() if v != pt[k])
    return Outcome("refuted", f"the difference of the sides ${L(d)}$ changes with every input of the claim, so "
                   f"it is no constant: at ${shown}$ it is ${L(v0)}$, with ${moves}$ it is ${L(v1)}$", steps=steps,
                   counterexample={"difference": str(d), **{str(k): str(v) for k, v in pt.items()},
                                   **{f"{k} (moved)": str(v) for k, v in moved.items() if v != pt[k]}},
                   recheck="the difference re-evaluated independently at each input's two points: the values differ")


def _recheck_constant(a, b, d, scope, defs, claim):
    """The difference at three points of the inputs of ``a`` and ``b``, evaluated independently: ``d`` each time?
    ``(agrees, what was found)``."""
    free = sorted(evaluate(a, defs).free_symbols | evaluate(b, defs).free_symbols, key=str)
    if not d.is_real:
        raise NotEvaluable("the constant is not real")
    n = 0
    for pt in sample_points(free, _intervals(scope, free), 3, seed=zlib.crc32(("const:" + claim.id).encode())):
        with mpmath.workdps(DPS):
            target = mpmath.mpf(str(sp.N(d, DPS + 5)))
            v = evaluate_numeric(a, pt, defs) - evaluate_numeric(b, pt, defs)
        if abs(v - target) > mpmath.mpf(10) ** -20 * (1 + abs(target)):
            return False, f"the independent evaluation gives {mpmath.nstr(v, 12)} at {pt}"
        n += 1
    return True, f"the difference evaluated independently at {n} points: the constant each time"
