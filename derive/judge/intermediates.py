r"""A line of an algorithm that names a quantity: ``g_t' = \eta \hat{m}_t / (\sqrt{\hat{v}_t} + \epsilon)``.

Its left side is a new name with no role in the reference optimizer, so the line defines that name; it
states nothing the checker could refute.  What can be checked is whether the name stands for a quantity
the reference computes within a step, from the roles given: the new value of one of its states (the
moments, their bias corrections, the parameter), an intermediate of its documentation, or the step the
parameter moves by, :math:`\theta_t - \theta_{t-1}`, or the one subtracted from it (a source writes
either, then adds or subtracts it).  Each candidate reads the left side as that quantity, its time index
the line's step (:func:`.updates.canonical_update` with ``as_role``), so the right side's indices say
old or new values exactly as for an update of that quantity.

* **proved** when the right side equals a candidate as the reference computes it (saying which);
* **convention** when it equals one only under a named variant of the reference (epsilon inside the
  square root);
* **undecided** otherwise: a definition of something the reference does not compute.  Never refuted.
"""
from __future__ import annotations

import sympy as sp

from ..mathematics.optimizers import INTERVALS, OPTIMIZERS, SYM
from ..mathematics.printing import tex as L
from ..mathematics.zero import is_zero
from .interpret import ClaimError
from .outcome import Outcome
from .updates import _confirmed, _reference, canonical_update

__all__ = ["judge_named_quantity"]


def _candidates(opt):
    """``(role, sign, what)``: the quantities one step of ``opt`` computes, each as the role whose value it
    is (``update``: the parameter's increment), and the sign the named quantity has against it."""
    out = [(r, 1, f"the new {r.replace('_', ' ')} ${L(SYM[r])}$ of {opt.name}") for r in opt.sequence()]
    if "param" in opt.updates:
        out += [("update", 1, f"the step of {opt.name}, the increment of the parameter $\\theta$"),
                ("update", -1, f"the step {opt.name} subtracts from the parameter $\\theta$")]
    return out


def judge_named_quantity(lhs, rhs, claim, scope, defs, it, algorithm, others=()) -> Outcome:
    """The line ``lhs = rhs`` whose ``lhs`` names a quantity (see the module's docstring)."""
    opt = OPTIMIZERS[algorithm]
    name = L(lhs)
    conventions, tried = [], []
    for role, sign, what in _candidates(opt):
        notes = list(scope.notes)
        try:
            line = canonical_update(lhs, rhs, claim, scope, defs, it, algorithm, others, as_role=role)
        except ClaimError as exc:          # the line's indices fit no reading as this quantity
            scope.notes[:] = notes
            tried.append(f"{what}: {exc.message}")
            continue
        value = line[3]
        ref, _lines, variants, _what = _reference(opt, role, value)
        ref = sign * ref.xreplace(line.shifts.subs)
        intervals = {s_: INTERVALS.get(r, (-3, 3, False, False)) for r, s_ in SYM.items()}
        intervals.update(line.shifts.extra)
        steps = [("the right side in the reference's symbols", f"{name} = {L(value)}"),
                 (f"{what} ({opt.reference})", f"{L(ref)}")]
        if is_zero(value - ref):
            return _confirmed(Outcome("proved", f"${name}$ (no role in {opt.name}) names {what}, "
                                      f"${L(ref)}$ ({opt.reference})", steps=steps),
                              value, ref, intervals, claim)
        for variant, (why, updates) in variants.items():
            alt = updates.get(role)
            if alt is not None and is_zero(value - sign * alt.xreplace(line.shifts.subs)):
                conventions.append((variant, why, what, sign * alt.xreplace(line.shifts.subs), value, steps,
                                    intervals))
        scope.notes[:] = notes
    if conventions:
        variant, why, what, alt, value, steps, intervals = conventions[0]
        steps.append((f"variant: {why}", L(alt)))
        return _confirmed(Outcome("convention", f"${name}$ (no role in {opt.name}) names {what} with {why}; the "
                                  f"reference is {opt.reference}", steps=steps,
                                  convention={"axis": f"{opt.name}: {variant}", "claim": why,
                                              "reference": opt.reference, "source": opt.reference}),
                          value, alt, intervals, claim)
    return Outcome("undecided", f"${name}$ has no role in {opt.name}, so the line defines it; its right side is "
                   f"none of the quantities one step of {opt.name} computes from the roles given (a definition, "
                   "not a claim about the algorithm)" + (f"; its time indices fit none of them ({tried[0]})"
                                                          if len(tried) == len(_candidates(opt)) else ""))
