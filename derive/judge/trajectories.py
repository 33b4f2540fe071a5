r"""Several update lines against a reference optimizer as whole algorithms: the parameter's iterates.

Sources write one algorithm in other variables (cs231n's velocity :math:`v = -\eta b` for PyTorch's
buffer :math:`b`), so their lines differ from the reference's one by one and still give the same
iterates.  Both algorithms are run symbolically from the same parameter :math:`\theta_0`, every other
state at its stated start (0 where none is stated: the references start at 0), with an independent
gradient :math:`g_k` at every step (any sequence can occur: a stochastic gradient) and the step counter
:math:`t = k`.  The lines of one step apply in order, each seeing the lines before it.

* **refuted**: the iterates differ after some step :math:`k` at an exact rational point.
* **proved**: every line is linear in the states and the gradient with coefficients free of :math:`t`,
  and the iterates agree for :math:`k = 1, \dots, N + 1`, :math:`N` the number of states of both
  algorithms together.  The difference of the two is then a linear time-invariant system of dimension
  :math:`N` whose output vanishes for its first :math:`N` impulse-response terms and from its start,
  so by Cayley–Hamilton it vanishes for every :math:`t`.
* otherwise **undecided**, with the reason (a nonlinear update such as Adam's agrees for the steps run
  but the argument does not reach every :math:`t`).
"""
from __future__ import annotations

import random
import zlib

import mpmath
import sympy as sp

from ..mathematics.optimizers import INTERVALS, OPTIMIZERS, SYM
from ..mathematics.printing import tex as L
from ..mathematics.zero import is_zero
from .numeval import NotEvaluable, evaluate as evaluate_numeric
from .outcome import Outcome

__all__ = ["judge_trajectory"]

_THETA, _GRAD, _STEP = SYM["param"], SYM["grad"], SYM["step"]
_REFUTE_STEPS = 4


def _run(lines, start, grads, polynomial):
    """The parameter after each step: ``lines`` ``[(state symbol, value)]`` applied in order per step."""
    state = dict(start)
    out = []
    for k, g in enumerate(grads, 1):
        for sym, value in lines:
            v = value.xreplace({**state, _GRAD: g, _STEP: sp.Integer(k)})
            state[sym] = sp.expand(v) if polynomial else v
        out.append(state[_THETA])
    return out


def _linear(lines, states) -> bool:
    """Every value linear in the states and the gradient, with coefficients free of them and of t."""
    moving = list(states) + [_GRAD]
    for _, value in lines:
        if value.has(_STEP):
            return False
        try:
            p = sp.Poly(value, *moving)
        except sp.PolynomialError:
            return False
        if p.total_degree() > 1 or any(c.free_symbols & set(moving) for c in p.coeffs()):
            return False
    return True


def _point(syms, rng):
    out = {}
    role_of = {v: k for k, v in SYM.items()}
    for s in syms:
        lo, hi, _, _ = INTERVALS.get(role_of.get(s, ""), (-3, 3, False, False))
        out[s] = sp.Rational(lo) + (sp.Rational(hi) - sp.Rational(lo)) * sp.Rational(rng.randrange(1, 97), 97)
    return out


def _numeric_run(lines, start, grads, env):
    """The same iterates by the independent mpmath evaluation (not SymPy's substitution)."""
    state = {s: evaluate_numeric(v, env) for s, v in start.items()}
    out = []
    for k, g in enumerate(grads, 1):
        for sym, value in lines:
            state[sym] = evaluate_numeric(value, {**env, **state, _GRAD: evaluate_numeric(g, env), _STEP: sp.Integer(k)})
        out.append(state[_THETA])
    return out


def judge_trajectory(claim_lines, claim_start, opt, claim_id, temps=frozenset()) -> Outcome:
    """``claim_lines``: the claim's update lines in the reference's symbols, ``[(symbol, value)]`` in
    order; ``claim_start``: the states' stated starting values; ``opt``: the reference optimizer;
    ``temps``: states of the claim's run that the reference does not have (a value named within a step).
    Iterates that differ from the reference's but equal a named variant's (momentum with dampening)
    are that convention.  Lines that take the plain gradient where the reference takes it at a look-ahead
    point run against the form the reference has at its stored point (:attr:`Optimizer.stored_point`):
    the gradient sequence then fixes the stored iterates uniquely, so equal iterates prove and different
    ones refute."""
    used = set().union(*(v.free_symbols for _, v in claim_lines)) | {s for s, _ in claim_lines}
    if opt.stored_point and _GRAD in used and not used & {SYM["lookahead"], SYM["lookahead_grad"]}:
        name, why = opt.stored_point
        out = judge_trajectory(claim_lines, claim_start, OPTIMIZERS[name], claim_id, temps)
        out.reason = f"{opt.name} {why}: {out.reason}"
        return out
    out = _against(claim_lines, claim_start, opt, opt.updates, opt.name, claim_id, temps)
    if out.verdict != "refuted":
        return out
    for name, (why, changed) in opt.variants.items():
        alt = _against(claim_lines, claim_start, opt, {**opt.updates, **changed}, f"{opt.name} ({why})", claim_id,
                       temps)
        if alt.verdict == "proved":
            return Outcome("convention", f"the same iterates as {opt.name}'s variant, {why}; the reference is "
                           f"{opt.reference}",
                           steps=alt.steps, convention={"axis": f"{opt.name}: {name}", "claim": why,
                                                        "reference": opt.reference, "source": opt.reference})
    return out


def _against(claim_lines, claim_start, opt, updates, ref_name, claim_id, temps=frozenset()) -> Outcome:
    ref_lines = [(SYM[r], updates[r]) for r in (opt.order or list(updates))]
    ref_states = {s for s, _ in ref_lines}
    claim_states = {s for s, _ in claim_lines}
    if claim_states - ref_states - set(temps):      # a value setting (beta_1 = 0.9) or a quantity the reference has not
        return Outcome("undecided", "a line sets $" + ", ".join(L(x) for x in sorted(claim_states - ref_states,
                       key=str)) + f"$, which {ref_name} does not update: not a whole algorithm to run")
    if set(temps) & ref_states:
        return Outcome("undecided", "a value named within a step is a state of the reference: not run")
    if _THETA not in claim_states or _THETA not in ref_states:
        return Outcome("undecided", "the lines do not update the parameter: no iterates to compare")
    used = set().union(*(v.free_symbols for _, v in claim_lines))
    if (used & ref_states) - claim_states:
        return Outcome("undecided", "the lines use $" + ", ".join(L(x) for x in sorted((used & ref_states) - claim_states,
                       key=str)) + "$ without updating it: not a whole algorithm to run")
    known = ref_states | claim_states | {_GRAD, _STEP}
    hyper = sorted(set().union(*(v.free_symbols for _, v in claim_lines + ref_lines)) - known, key=str)
    role_of = {v: k for k, v in SYM.items()}
    if any(role_of.get(h) in ("lookahead_grad", "grad_norm") for h in hyper):
        return Outcome("undecided", f"{ref_name} takes a gradient at another point: its iterates are not run yet")
    theta0 = sp.Symbol(r"\theta_0", real=True)
    start_c = {s: claim_start.get(s, sp.S.Zero) for s in claim_states}
    start_c[_THETA] = theta0
    start_r = {s: sp.S.Zero for s in ref_states}
    start_r[_THETA] = theta0
    n_states = len(claim_states) + len(ref_states)
    linear = _linear(claim_lines, claim_states) and _linear(ref_lines, ref_states) and \
        all(v.is_number for v in start_c.values() if v is not theta0)
    k_max = n_states + 1 if linear else _REFUTE_STEPS
    grads = [sp.Symbol(f"g_{k}", real=True) for k in range(1, k_max + 1)]
    ours, theirs = _run(claim_lines, start_c, grads, linear), _run(ref_lines, start_r, grads, linear)
    steps = [("the claim's lines and the reference's, run from the same $\\theta_0$ with gradients "
              "$g_1, g_2, \\dots$ (other states from their start, 0 where none is stated)",
              ", ".join(f"{L(s)} \\leftarrow {L(v)}" for s, v in claim_lines))]
    rng = random.Random(zlib.crc32(("trajectory:" + claim_id).encode()))
    for k, (a, b) in enumerate(zip(ours, theirs), 1):
        d = a - b
        if is_zero(d):
            continue
        free = sorted(set(hyper) | {theta0} | set(grads[:k]) | a.free_symbols | b.free_symbols, key=str)
        for _ in range(12):
            pt = _point(free, rng)
            va, vb = a.xreplace(pt), b.xreplace(pt)
            gap = sp.N(va - vb, 50)
            if gap.is_number and gap != 0 and abs(gap) > sp.Float(10) ** -30 * max(1, abs(sp.N(vb, 50))):
                where = ", ".join(f"{L(s)} = {L(v)}" for s, v in pt.items())
                steps.append((f"the iterates after step {k}", f"{L(sp.nsimplify(va))} \\;\\text{{vs}}\\; "
                              f"{L(sp.nsimplify(vb))}"))
                out = Outcome("refuted", f"the iterates differ from {ref_name}'s after step {k}: the claim gives "
                              f"${L(va)}$, {ref_name} ${L(vb)}$ at ${where}$ ({opt.reference})", steps=steps,
                              counterexample={str(s): str(v) for s, v in pt.items()},
                              corrected=", \\quad ".join(f"{L(s)} \\leftarrow {L(v)}" for s, v in ref_lines))
                return _rechecked(out, claim_lines, start_c, ref_lines, start_r, grads[:k], pt)
        return Outcome("undecided", f"the iterates after step {k} may differ from {ref_name}'s, but no exact point "
                       "showing it was found", steps=steps)
    if not linear:
        return Outcome("undecided", f"the same iterates as {ref_name} for {k_max} steps, but the lines are not "
                       "linear in the states and the gradient with constant coefficients, so that does not reach "
                       "every t", steps=steps)
    steps.append((f"the same iterates for steps 1 to {k_max}: linear, time-invariant, {n_states} states "
                  "together (Cayley-Hamilton)", f"\\theta_k = {L(ours[0])}, \\dots"))
    out = Outcome("proved", f"the same iterates as {ref_name} for every t: {opt.reference}", steps=steps)
    pts = [_point(sorted(set(hyper) | {theta0} | set(grads), key=str), rng) for _ in range(3)]
    for pt in pts:
        checked = _rechecked(out, claim_lines, start_c, ref_lines, start_r, grads, pt)
        if checked.verdict != "proved":
            return checked
    return out


def _rechecked(out, claim_lines, start_c, ref_lines, start_r, grads, pt) -> Outcome:
    """Both algorithms run again numerically at ``pt``: the last iterates must agree for proved and
    differ for refuted."""
    env = {s: v for s, v in pt.items()}
    try:
        a = _numeric_run(claim_lines, start_c, grads, env)[-1]
        b = _numeric_run(ref_lines, start_r, grads, env)[-1]
    except NotEvaluable as exc:
        return Outcome("undecided", f"{out.verdict} by the proof path, but not re-checked ({exc})", steps=out.steps)
    close = abs(a - b) <= mpmath.mpf(10) ** -25 * max(1, abs(b))
    if (out.verdict == "proved") != close:
        found = "equal" if out.verdict == "proved" else "different"
        return Outcome("error", f"internal inconsistency: the iterates were found {found}, but the independent "
                       f"evaluation gives {mpmath.nstr(a, 12)} and {mpmath.nstr(b, 12)}", steps=out.steps)
    out.recheck = "the iterates re-evaluated independently" if out.verdict == "refuted" else \
        "the iterates re-evaluated independently at 3 points"
    return out
