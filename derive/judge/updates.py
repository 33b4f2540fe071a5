r"""Update rules and relations between optimizer quantities, against the reference optimizers."""
from __future__ import annotations

import functools
import random
import re
import zlib

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.arrays import is_array
from ..mathematics.optimizers import INTERVALS, OPTIMIZERS, ROLE_SPELLINGS, SYM
from ..mathematics.printing import tex as L
from ..mathematics.zero import is_zero
from ..notation.errors import LatexError
from ..notation.latex import read_expression
from .derivation import evaluate
from .interpret import ClaimError, symbol_key
from .numeval import NotEvaluable, evaluate as evaluate_numeric
from .outcome import Outcome
from .search import search

__all__ = ["judge_update", "canonical_update", "infer_roles", "NewName"]


class NewName(ClaimError):
    """The line's left side is a name with no role that its right side does not use: it names a quantity
    (:mod:`.intermediates` judges which), it does not update one of the reference's."""


_TIME = re.compile(r"_\{(?:t|t-1|t\+1|t-2|k|k-1|k\+1|T|n|n-1|n\+1)\}$")


def _roles_of(opt):
    """The roles an optimizer's update lists and defaults use."""
    used = set(opt.updates) | set(opt.defaults) | set(opt.intermediates)
    syms = set()
    for e in list(opt.updates.values()) + [u for _, ups in opt.variants.values() for u in ups.values()] + \
            [v for _, v in opt.general.values()] + [v for _, v, _ in opt.intermediates.values()]:
        syms |= e.free_symbols
    role_of = {v: k for k, v in SYM.items()}
    return used | {role_of[x] for x in syms if x in role_of}


@functools.lru_cache(maxsize=None)
def _spelling_keys(role):
    out = set()
    for spelling in ROLE_SPELLINGS.get(role, ()):
        try:
            out.add(symbol_key(spelling))
        except LatexError:          # a spelling that names a function, such as \operatorname{lr}: not a symbol
            continue
    return frozenset(out)


def infer_roles(symbols, opt, scope):
    """Roles of the claim's symbols from how sources spell them (``\\theta_t``, ``\\hat{m}``, ``\\eta``)."""
    roles = _roles_of(opt)
    out, ambiguous = {}, []
    for sym in symbols:
        key = sym.name
        bare = _TIME.sub("", key)
        cands = [r for r in sorted(roles) if bare in _spelling_keys(r)]
        if len(cands) == 1:
            out[sym] = cands[0]
            scope.note(f"${key}$ is read as {opt.name}'s {cands[0].replace('_', ' ')}")
        elif len(cands) > 1:
            ambiguous.append((key, cands))
    return out, ambiguous


def canonical_update(lhs, rhs, claim, scope, defs, it, algorithm=None, others=(), temps=frozenset(), as_role=None):
    """One update line in the reference's symbols: ``(opt, role, new, value, mapping, same_symbol)``,
    ``mapping`` from the claim's symbols to the reference's; ``temps``: the temporaries of a listing
    (:mod:`.listing`), kept as symbols of the run.  A left side with no role that the right side does not
    use raises :class:`NewName`; ``as_role``: read such a left side as that role (its time index the
    line's step), to ask whether it is that quantity."""
    algorithm = algorithm or claim.algorithm
    opt = OPTIMIZERS.get(algorithm)
    if opt is None:
        raise ClaimError(f"unknown algorithm {algorithm!r} (known: {', '.join(sorted(OPTIMIZERS))})",
                         "algorithm", None)
    mapping, patterns = {}, {}
    for spelling, role in claim.roles.items():
        if role not in SYM:
            raise ClaimError(f"unknown role {role!r} for {spelling!r} (known: {', '.join(sorted(SYM))})",
                             "roles", None)
        try:
            decl = scope.symbols.get(symbol_key(spelling, scope.words))
        except LatexError as exc:
            raise ClaimError(f"role key {spelling!r}: {exc.message}", "roles", exc.pos)
        if decl is not None:
            mapping[decl.obj] = SYM[role]
            continue
        try:  # a role for an expression, such as the gradient delta a^T
            (value,) = {it.expr(n) for n in read_expression(spelling)}
            if isinstance(value, sp.Symbol) and _tag(value) is not None and value not in defs:
                mapping[value] = SYM[role]      # an undeclared name (g_t): a symbol, its time index kept
                continue
            patterns[value] = SYM[role]
        except (LatexError, ValueError) as exc:
            raise ClaimError(f"role key {spelling!r}: {getattr(exc, 'message', exc)}", "roles", None)
    lhs, rhs, defs, mapping = _entrywise_update(lhs, rhs, defs, mapping, patterns)
    role_of = {v: k for k, v in SYM.items()}
    # a role for an expression (the gradient written as dL/dw): replaced as written, before the definitions
    # are substituted, and once more as evaluated (unless that is a bare symbol, which would capture others)
    written = rhs
    for pat, sym in patterns.items():
        written = written.subs(pat, sym)
    raw_new, raw_value = evaluate(lhs, defs), evaluate(written, defs)
    same_symbol = isinstance(raw_new, sp.Symbol) and raw_new in raw_value.free_symbols
    if as_role is not None:
        mapping[raw_new] = SYM[as_role]
    for pat, sym in patterns.items():
        done = evaluate(pat, defs)
        if not done.is_Atom:
            raw_value = raw_value.subs(done, sym)
    raw_value, before = _accumulated(raw_new, raw_value, mapping, opt, scope)
    unmapped = sorted((x for x in (raw_value.free_symbols | raw_new.free_symbols) - set(mapping) - set(SYM.values())
                       - set(before) - set(temps) if isinstance(x, sp.Symbol)), key=str)   # (not a vector g of g_tau)
    # v_{t-1} has the role the claim gives v_t: one quantity at two time steps
    by_base = {_TIME.sub("", k.name): v for k, v in mapping.items() if isinstance(k, sp.Symbol)}
    for sym in list(unmapped):
        base = _TIME.sub("", sym.name)
        if base != sym.name and base in by_base:
            mapping[sym] = by_base[base]
            unmapped.remove(sym)
    inferred, ambiguous = infer_roles(unmapped, opt, scope)
    # a role the claim gives one symbol is not inferred for another (alpha is a learning rate in some
    # sources, a regularisation weight next to eta in others): that symbol stays without a role
    taken = {v for k, v in mapping.items() if not (as_role is not None and k == raw_new)}
    inferred = {s_: r for s_, r in inferred.items() if SYM[r] not in taken}
    if ambiguous:
        raise ClaimError("roles to state in 'roles': " + "; ".join(f"{k} could be {' or '.join(c)}"
                                                                    for k, c in ambiguous), "roles", None)
    mapping.update({s: SYM[r] for s, r in inferred.items()})
    if role_of.get(mapping.get(raw_new)) == "step" and "step" not in opt.updates and "param" in opt.updates:
        # the step counter t is never what an update computes: a role 'step' on the left side names the step
        # taken, the parameter's increment (optax's u_t, added to the parameters)
        mapping[raw_new] = SYM["update"]
        scope.note(f"${raw_new.name}$ (role 'step' on the left side) is read as the step taken: the increment "
                   f"of the parameter in {opt.name}")
    # the left sides of the claim's other lines say at which index their quantities are new
    known = {}
    for other in others:
        r = role_of.get(mapping.get(other)) or role_of.get(by_base.get(_TIME.sub("", getattr(other, "name", ""))))
        if r is not None and _tag(other) is not None:
            known[r] = _tag(other)
    timed = {_tag(x) for x in raw_value.free_symbols if x in mapping and _tag(x) is not None}
    if _tag(raw_new) is None and (len(timed) > 1 or timed and as_role is not None):
        # an untimed left side: the reference's reading holds for quantities of one step (theta <- theta_{t-1}
        # - eta g_{t-1}); with several indices, or for a name of a quantity, which step it is is not written
        raise ClaimError(f"${L(raw_new)}$ has no time index and its right side has "
                         f"{'several' if len(timed) > 1 else 'one'}: not judged", "latex", None)
    shifts = _time_shifts(raw_new, raw_value, mapping, opt, scope, known)
    for sym, (r, update) in before.items():
        shifts.subs[SYM[r]] = update
        shifts.extra[sym] = INTERVALS.get(r, (-3, 3, False, False))
    new, value = raw_new.xreplace(mapping), raw_value.xreplace(mapping).xreplace(shifts.subs)
    if is_array(new) or is_array(value):
        raise ClaimError("update rules are judged entry by entry: declare scalars", "latex", None)
    free_ok = set()
    if SYM["grad"] not in set(mapping.values()) and "grad" in _roles_of(opt):
        value, free_ok = _through_objective(value, mapping, opt, scope, it)
    named = as_role is None and isinstance(new, sp.Symbol) and new not in set(SYM.values()) | set(temps) and \
        new not in raw_value.free_symbols and raw_new not in defs
    stray = sorted(map(str, (value.free_symbols | (set() if named else new.free_symbols)) - set(SYM.values())
                       - set(shifts.extra) - free_ok - set(temps)))
    if stray:
        raise ClaimError(f"symbols without a role in {opt.name}: {', '.join(stray)}", "roles", None)
    if named:
        raise NewName(f"${L(new)}$ has no role in {opt.name}: the line names a quantity", "latex", None)
    role = role_of.get(new)
    if role is None:
        raise ClaimError("the updated quantity must be one symbol with a role", "latex", None)
    return Canonical(opt, role, new, value, mapping, same_symbol, shifts)


def _accumulated(raw_new, raw_value, mapping, opt, scope):
    r"""A sum of the gradients so far, :math:`\sum_{\tau=1}^{t} a^{t-\tau} h(g_\tau)` (optax's AdaGrad writes
    :math:`\sum_{\tau=1}^{t} (g_\tau)^2`), as the state the reference accumulates that way: a state whose
    update is :math:`s \leftarrow a s + h(g)` started at 0, as the references start, is exactly that sum.
    Only up to the index of the line's own gradient (the sum then holds the step's gradient), and only for
    a state the reference computes before the line (its symbol there is the new value)."""
    sums = [x for x in raw_value.atoms(sp.Sum) if len(x.limits) == 1]
    before = {}         # a sum that stops one step short: the state's value before the step
    if not sums:
        return raw_value, before
    role_of = {v: k for k, v in SYM.items()}
    grads = [k for k, v in mapping.items() if v == SYM["grad"] and _tag(k) is not None]
    seq = opt.sequence()
    base_of = lambda x: _TIME.sub("", getattr(x, "name", ""))
    lhs_role = role_of.get(mapping.get(raw_new)) or next(
        (role_of.get(v) for k, v in mapping.items() if base_of(k) and base_of(k) == base_of(raw_new)), None)
    here = seq.index("param" if lhs_role == "update" else lhs_role) if lhs_role in seq or lhs_role == "update" \
        else None
    if len(grads) != 1 or here is None:
        return raw_value, before
    (grad,) = grads
    letter, off = _tag(grad)
    family = _TIME.sub("", grad.name) if _TIME.search(grad.name) else re.sub(r"_[tkTn]$", "", grad.name)
    G = sp.Dummy("G", real=True)
    for total in sums:
        tau, lo, hi = total.limits[0]
        short = [k for k in (0, 1) if any(sp.simplify(hi - (sp.Symbol(letter, **kw) + off - k)) == 0
                                          for kw in ({"real": True}, {"integer": True}))]
        if lo != 1 or not short:
            continue
        entries = {e for e in total.function.atoms(MatrixElement)
                   if getattr(e.parent, "name", None) == family and e.j == 0 and sp.simplify(e.i - (tau - 1)) == 0}
        if len(entries) != 1:
            continue
        summand = total.function.xreplace({entries.pop(): G})
        if summand.has(MatrixElement, sp.MatrixSymbol):
            continue
        for r in seq[:here]:
            update = opt.updates.get(r)
            if update is None or not update.has(SYM[r]):
                continue
            a = sp.diff(update, SYM[r])
            h = sp.expand(update - a * SYM[r])
            if a.has(SYM[r], SYM["grad"]) or h.has(SYM[r]) or not h.has(SYM["grad"]):
                continue
            expected = a ** (hi - tau) * h.xreplace({SYM["grad"]: G})
            if is_zero(sp.expand(summand - expected)) and not summand.free_symbols - {G, tau} - a.free_symbols \
                    - h.free_symbols:
                scope.note(f"$\\sum_{{{L(tau)}=1}}^{{{L(hi)}}} {L(total.function)}$ is {opt.name}'s "
                           f"{r.replace('_', ' ')} ${L(SYM[r])}$ after the step (started at 0, as the reference starts)")
                if short[0] == 0:
                    raw_value = raw_value.xreplace({total: SYM[r]})
                else:
                    prev = sp.Symbol(f"{L(SYM[r])}_{{before}}", **SYM[r].assumptions0)
                    before[prev] = (r, update.xreplace({SYM[r]: prev}))
                    raw_value = raw_value.xreplace({total: prev})
                break
    return raw_value, before


class Canonical(tuple):
    """``(opt, role, new, value, mapping, same_symbol)`` with the line's time shifts (``.shifts``)."""

    def __new__(cls, opt, role, new, value, mapping, same_symbol, shifts):
        out = super().__new__(cls, (opt, role, new, value, mapping, same_symbol))
        out.shifts = shifts
        return out


class _Shifts:
    def __init__(self):
        self.subs = {}      # reference symbol -> its value in the claim's earlier-step symbols
        self.extra = {}     # claim symbol for a quantity of another step -> its role's sampling interval
        self.tags = {}      # claim symbol -> (role, its step relative to the left side's)


_INPUTS = ("grad", "lookahead_grad", "grad_norm")
_TAG = re.compile(r"_\{?([tkTn])([+-]\d+)?\}?'*$")      # theta_t': a primed name at step t


def _tag(sym):
    m = _TAG.search(sym.name) if isinstance(sym, sp.Symbol) else None
    return (m.group(1), int(m.group(2) or 0)) if m else None


def _time_shifts(raw_new, raw_value, mapping, opt, scope, known=None) -> _Shifts:
    r"""What the time indices of a line say, against the order in which the reference computes a step.

    The reference's symbols denote each quantity as the line sees it: the new value of a role computed
    earlier in the step, the old value of the updated role and of roles computed later.  Sources index a
    step's quantities two ways: at the new parameter's index (PyTorch, :math:`	heta_t = 	heta_{t-1} -
    \gamma b_t`) or at the old one's (:math:`	heta_{t+1} = 	heta_t - \eta g_t`, and Sutskever's
    :math:`v_{t+1} = \mu v_t + g_t` for the gradient).  The line's latest index of the gradient, and of the
    quantities computed earlier, is read as the step's (a line rewriting the gradient in place fixes it at
    its own); a quantity one index before that is its value before the step: for the gradient the
    previous step's (a symbol of its own), for a quantity computed earlier its old value (the reference's
    symbol is then replaced by its update of it, :math:`b = \mu b_{t-1} + g`, on both sides, so a stale
    buffer is refuted).  A later index, or a quantity computed after the line at the step's index, is not
    judged.  Lines without time indices keep the reference's reading.  ``known``: role -> the index at
    which another line of the claim computes it (its left side), which fixes the step's index."""
    out = _Shifts()
    lt = _tag(raw_new)
    role_of = {v: k for k, v in SYM.items()}
    lhs_role = role_of.get(mapping.get(raw_new))
    seq = opt.sequence()
    here_role = "param" if lhs_role == "update" else lhs_role
    if lt is None or here_role not in seq:
        return out
    here = seq.index(here_role)
    in_place = raw_new in raw_value.free_symbols
    found = []
    for sym in sorted(raw_value.free_symbols, key=str):
        r = role_of.get(mapping.get(sym))
        t = _tag(sym)
        if r is not None and t is not None and t[0] == lt[0]:
            found.append((sym, r, t[1] - lt[1]))
    kind = lambda r: ("input" if r in _INPUTS else "own" if r in (here_role, lhs_role) else
                      "earlier" if r in seq and seq.index(r) < here else "later" if r in seq else "other")
    lag = lambda k, default: max([d for _, r, d in found if kind(r) == k], default=default)
    # the step's index, relative to the left side's: 0 or -1 for the gradient; the quantities computed earlier
    # share the gradient's, or are one ahead of it (Sutskever); a line for the gradient itself fixes 0
    og = 0 if lhs_role in _INPUTS else lag("input", None)
    os = lag("earlier", None)
    fixed = {t[1] - lt[1] for r, t in (known or {}).items() if t[0] == lt[0] and kind(r) == "earlier"}
    if len(fixed) > 1:
        raise ClaimError("the claim's lines compute the step's quantities at different indices: not judged",
                         "latex", None)
    if fixed:
        os = fixed.pop()
    elif og == 0 and os == -1:
        os = 0          # with the gradient at the left side's index the step's quantities are there too
    if og is None:
        og = min(os if os is not None else 0, 0)
    if os is None:
        os = 0 if lhs_role in _INPUTS or here_role != "param" else og
    if og not in (0, -1) or os not in (0, -1) or (og, os) == (0, -1) or \
            (here_role != "param" and lhs_role not in _INPUTS and os != 0):
        raise ClaimError("the time indices of this line fit no way of indexing one step (the step's quantities at "
                         "the new parameter's index or at the old one's): not judged", "latex", None)
    if (og, os) != (0, 0):
        scope.note(f"the line indexes the step's gradient at ${'t' if og == 0 else 't-1'}$ relative to its left "
                   f"side's $t$ (as $\\theta_{{t+1}} = \\theta_t - \\eta g_t$ does)")
    for sym, r, d in found:
        k = kind(r)
        reading = None
        if k == "own":
            ok = (sym == raw_new and d == 0) or (d == -1 and not in_place)
            reading = "old"
        elif k == "input":
            ok, reading = d == og, "current"
        elif k == "earlier":
            if d == os - 1:
                del mapping[sym]
                out.extra[sym] = INTERVALS.get(r, (-3, 3, False, False))
                update = opt.updates[r] if r in opt.updates else opt.intermediates[r][1]
                out.subs[SYM[r]] = update.xreplace({SYM[r]: sym})
                out.tags[sym] = (r, "old")
                scope.note(f"${sym.name}$ is the value of {r.replace('_', ' ')} before the step: the reference "
                           f"uses the new one, ${L(SYM[r])} = {L(out.subs[SYM[r]])}$")
                continue
            ok, reading = d == os, "new"
        elif k == "later":
            if d == os:
                raise ClaimError(f"${sym.name}$ is {r.replace('_', ' ')} of this step, which {opt.name} computes "
                                 "after this line: not judged yet", "latex", None)
            ok, reading = d == os - 1, "old"
        else:       # a hyperparameter's schedule (alpha_t): at the step's index or the left side's; the
            # parameter in a line that does not update it (L2's g_t + lambda theta_{t-1}): the one the
            # gradient is taken at, indexed like the gradient or one before (PyTorch)
            ok, reading = d in ((og - 1, og, 0) if r == "param" else (og, 0)), "current"
            if not ok:
                raise ClaimError(f"${sym.name}$ at another step than the line's: not judged", "latex", None)
        if d > 0 or (d > og and k == "input"):
            raise ClaimError(f"${sym.name}$ is a quantity of a later step than the line's: not judged", "latex", None)
        if ok:
            out.tags[sym] = (r, reading)
            continue
        del mapping[sym]
        out.extra[sym] = INTERVALS.get(r, (-3, 3, False, False))
        out.tags[sym] = (r, "other")
        scope.note(f"${sym.name}$ is {r.replace('_', ' ')} at another step than the reference's line uses: "
                   "a quantity of its own")
    return out


def _through_objective(value, mapping, opt, scope, it):
    r"""The gradient of an update written through the objective the claim defines: for ``E(w) = Loss(w) +
    \alpha R(w)`` and ``w \leftarrow w - \eta (\alpha \partial R/\partial w + \partial Loss/\partial w)``, the
    reference's gradient is :math:`g = \partial E/\partial w`.  The values and derivatives of the arbitrary
    functions at the parameter are independent reals (each function is taken at that one point only), so
    one of them is written by ``g``: what is left is the claim's update in the reference's gradient and the
    objective's other quantities (alpha, the regulariser's slope), which stay free.  Returns the value and
    the symbols left free; unchanged (no free symbols) where the claim defines no single objective."""
    theta = SYM["param"]
    params = [k for k, v in mapping.items() if v == theta]
    objectives = [(key, ps, body) for key, (ps, body, sub) in it.user_functions.items()
                  if sub is None and not is_array(body) and len(ps) == 1 and ps[0] in params]
    if len(objectives) != 1:
        return value, set()
    key, (p,), body = objectives[0]
    grad = sp.diff(body, p).xreplace(mapping)
    jets = _jets(grad, theta) if grad.has(AppliedUndef) else {}
    if jets is None or (value.has(AppliedUndef) and _jets(value, theta) is None):
        return value, set()
    jets.update(_jets(value, theta) or {})
    grad_j, value_j = grad.xreplace(jets), value.xreplace(jets)
    for jet in sorted(set(jets.values()), key=str):
        if grad_j.has(jet) and sp.Poly(grad_j, jet).degree() == 1:
            (solved,) = sp.solve(sp.Eq(grad_j, SYM["grad"]), jet)
            if not is_zero(grad_j.xreplace({jet: solved}) - SYM["grad"]):
                return value, set()
            scope.note(f"the gradient is read as the derivative of the objective ${key}$ the claim defines, "
                       f"$g = {L(grad)}$")
            out = sp.expand(value_j.xreplace({jet: solved}))
            return out, (out.free_symbols | grad_j.free_symbols) - set(SYM.values()) - {jet}
    return value, set()


def _jets(e, point):
    """Each arbitrary function's value and derivatives at ``point`` as a fresh symbol; None where a function
    is taken at another argument too (then they are not independent)."""
    out = {}
    for d in e.atoms(sp.Derivative):
        if isinstance(d.expr, AppliedUndef):
            if d.expr.args != (point,) or d.variables != (point,) * len(d.variables):
                return None
            out[d] = sp.Symbol(f"{d.expr.func.__name__}^{{({len(d.variables)})}}", real=True)
    for a in e.atoms(AppliedUndef):
        if a.args != (point,):
            return None
        out.setdefault(a, sp.Symbol(f"{a.func.__name__}^{{(0)}}", real=True))
    return out


def judge_update(lhs, rel, rhs, claim, scope, defs, it, algorithm=None, others=()) -> Outcome:
    """An update rule (or a relation between optimizer quantities) against the reference optimizer;
    ``others``: the left sides of the claim's other lines."""
    line = canonical_update(lhs, rhs, claim, scope, defs, it, algorithm, others)
    opt, role, new, value, mapping, same_symbol = line
    shifts = line.shifts
    steps = [("the claim in the reference's symbols", f"{L(new)} \\leftarrow {L(value)}")]
    intervals = {sym: INTERVALS.get(r, (-3, 3, False, False)) for r, sym in SYM.items()}
    intervals.update(shifts.extra)
    if value.is_number and role in opt.defaults:
        ref = opt.defaults[role]
        steps.append(("reference default", f"{L(new)} = {L(ref)}"))
        if sp.simplify(value - ref) == 0:
            return _confirmed(Outcome("proved", f"the default ${L(new)} = {L(value)}$ is {opt.name}'s "
                                      f"({opt.reference})", steps=steps), value, ref, intervals, claim)
        for library, other in opt.library_defaults.get(role, ()):
            if sp.simplify(value - other) == 0:
                return Outcome("convention", f"${L(new)} = {L(value)}$ is the default of {library}; "
                               f"the reference default (PyTorch's) is ${L(new)} = {L(ref)}$", steps=steps,
                               convention={"axis": f"{opt.name}: library defaults", "claim": library,
                                           "reference": f"${L(new)} = {L(ref)}$", "source": opt.reference})
        return _confirmed(Outcome("refuted", f"{opt.name}'s default is ${L(new)} = {L(ref)}$, not ${L(value)}$",
                                  steps=steps, counterexample={"claimed": str(value), "reference": str(ref)},
                                  point={}, corrected=f"{L(new)} = {L(ref)}"), value, ref, intervals, claim)
    ref, lines, variants, what = _reference(opt, role, value)
    sub = lambda e: e.xreplace(shifts.subs)
    ref, lines = sub(ref), [(why, sub(e)) for why, e in lines]
    variants = {name: (why, {r: sub(e) for r, e in ups.items()}) for name, (why, ups) in variants.items()}
    steps.append((f"{what} ({opt.reference})", f"{L(new)} \\leftarrow {L(ref)}"))
    if is_zero(value - ref):
        return _confirmed(Outcome("proved", f"matches {what}: {opt.reference}", steps=steps), value, ref,
                          intervals, claim)
    for k, (why, line) in enumerate(lines):
        if is_zero(value - line):
            steps.append((f"line {k + 1} of {opt.name}: {why}", f"{L(new)} \\leftarrow {L(line)}"))
            if same_symbol and k > 0:
                return _confirmed(Outcome("proved", f"matches {why}, line {k + 1} of {opt.name}, applied to the "
                                          f"result of the line before ({opt.reference})", steps=steps),
                                  value, line, intervals, claim)
            return Outcome("undecided", f"matches only {why} (line {k + 1} of {opt.name}); as a whole update it "
                           f"leaves out the other line(s): {opt.reference}", steps=steps)
    for name, (why, updates) in variants.items():
        if role in updates and is_zero(value - updates[role]):
            steps.append((f"variant: {why}", f"{L(new)} \\leftarrow {L(updates[role])}"))
            return _confirmed(Outcome("convention", f"true with {why}; the reference is {opt.reference}",
                                      steps=steps, convention={"axis": f"{opt.name}: {name}", "claim": why,
                                                               "reference": opt.reference,
                                                               "source": opt.reference}),
                              value, updates[role], intervals, claim)
    # the search runs in the claim's own symbols, so its counterexample names them (m, not m_hat)
    back = _back(mapping)
    step = back.get(SYM["step"])
    if step is not None and not step.is_integer:       # the step counter is sampled at whole steps only
        back[SYM["step"]] = sp.Symbol(step.name, integer=True, positive=True)
        mapping = {**mapping, back[SYM["step"]]: SYM["step"]}
    cv, cr = value.xreplace(back), ref.xreplace(back)
    c_intervals = {back.get(k, k): v for k, v in intervals.items()}
    out = search(cv - cr, cv, cr, claim, scope, steps, intervals=c_intervals, sides=("the claim", opt.name))
    if out.verdict == "refuted":
        out.corrected = f"{L(new.xreplace(back))} \\leftarrow {L(cr)}"
        out.reason = out.reason.replace("counterexample:", f"one step differs from {opt.name}:", 1)
        out.point = {mapping.get(k, k): v for k, v in (out.point or {}).items()}
        return _confirmed(out, value, ref, intervals, claim)
    return out


def _reference(opt, role, value):
    """``(update, lines, variants, name)`` of ``role`` in ``opt``: its update, an intermediate of a step,
    the increment of the parameter (role ``update``), or the general form when the claim writes a parameter
    that is 0 in the reference (PyTorch's dampening)."""
    what = opt.name
    if role == "update" and "param" in opt.updates:
        th = SYM["param"]
        inc = lambda e: e - th
        variants = {n: (why, {"update": inc(ups["param"])}) for n, (why, ups) in opt.variants.items() if "param" in ups}
        lines = [(why, inc(e)) for why, e in opt.lines.get("param", [])]
        return inc(opt.updates["param"]), lines, variants, f"the step of {opt.name}, its parameter's increment"
    if role in opt.general and SYM["dampening"] in value.free_symbols:
        why, general = opt.general[role]
        return general, [], {}, f"{opt.name}, {why}"
    if role in opt.updates:
        return opt.updates[role], opt.lines.get(role, []), opt.variants, what
    if role in opt.intermediates:
        why, expr, _ = opt.intermediates[role]
        return expr, [], {}, f"{opt.name}, {why}"
    raise ClaimError(f"{opt.name} has no update for {role!r}", "roles", None)


def _entrywise_update(lhs, rhs, defs, mapping, patterns):
    """``W <- W - eta G`` for matrices: the optimizers act entry by entry, so each matrix stands for one
    entry (a scalar of its name), provided no product of two matrices occurs outside an expression that
    has a role (``X^T delta`` given the gradient role is the gradient)."""
    if not isinstance(lhs, sp.MatrixSymbol):
        return lhs, rhs, defs, mapping
    holders = {}
    for k, (pat, sym) in enumerate(list(patterns.items())):
        if is_array(pat):
            holder = sp.MatrixSymbol(f"_role{k}", *pat.shape)
            rhs = rhs.subs(pat, holder)
            holders[holder] = sym
            del patterns[pat]
    for e in (rhs, *defs.values()):
        for node in sp.preorder_traversal(e) if isinstance(e, sp.Basic) else ():
            if isinstance(node, sp.MatMul) and sum(isinstance(a, sp.MatrixExpr) for a in node.args) > 1 or \
                    isinstance(node, (sp.Transpose, sp.Inverse, sp.MatPow, sp.HadamardProduct)):
                raise ClaimError("a matrix update with a product of matrices is not judged yet (it is judged entry "
                                 "by entry: write it for one entry)", "latex", None)
    mats = {m for e in (lhs, rhs, *defs.values(), *defs.keys()) if isinstance(e, sp.Basic)
            for m in e.atoms(sp.MatrixSymbol)}
    if any(m.shape != lhs.shape for m in mats):
        raise ClaimError("the matrices of an update rule must all have the updated matrix's shape", "latex", None)
    entry = {m: holders.get(m, sp.Symbol(m.name, real=True)) for m in mats}

    def one(e):
        if not isinstance(e, sp.Basic):
            return e
        if isinstance(e, sp.MatrixSymbol):
            return entry[e]
        if isinstance(e, sp.MatAdd):
            return sp.Add(*map(one, e.args))
        if isinstance(e, (sp.MatMul, sp.Mul)):
            return sp.Mul(*map(one, e.args))
        if isinstance(e, sp.MatrixExpr):
            raise ClaimError(f"a matrix update with ${L(e)}$ is not judged yet", "latex", None)
        return e.func(*map(one, e.args)) if e.args else e
    return (one(lhs), one(rhs), {one(k): one(v) for k, v in defs.items()},
            {entry.get(k, k): v for k, v in mapping.items()})


def _back(mapping):
    """Reference symbol -> the claim's spelling of it (the shortest, if several name one role)."""
    back = {}
    # the earliest step's spelling first: a point gives the values a line starts from (b_{t-1}, not b_t)
    key = lambda s: ((_tag(s) or ("", 0))[1], len(s.name))
    for claim_sym, ref_sym in mapping.items():
        if ref_sym not in back or key(claim_sym) < key(back[ref_sym]):
            back[ref_sym] = claim_sym
    return back


def _confirmed(out: Outcome, value, ref, intervals, claim) -> Outcome:
    """The independent check of an update: both sides evaluated numerically (not by the zero test)."""
    rng = random.Random(zlib.crc32(("update:" + claim.id).encode()))
    free = sorted(value.free_symbols | ref.free_symbols, key=str)
    try:
        if out.verdict in ("proved", "convention"):
            for _ in range(5):
                env = {s: _inside(intervals.get(s, (-3, 3, False, False)), rng, s) for s in free}
                a, b = evaluate_numeric(value, env), evaluate_numeric(ref, env)
                if abs(a - b) > mpmath.mpf(10) ** -20 * max(1, abs(b)):
                    return Outcome("error", f"internal inconsistency: the update is said to match, but the independent "
                                   f"evaluation gives {mpmath.nstr(a, 12)} and {mpmath.nstr(b, 12)}", steps=out.steps)
            out.recheck = "confirmed numerically at 5 independent points"
        elif out.verdict == "refuted":
            point = {s: v for s, v in (out.point or {}).items()}
            a, b = evaluate_numeric(value, point), evaluate_numeric(ref, point)
            if abs(a - b) <= mpmath.mpf(10) ** -30 * max(1, abs(b)):
                return Outcome("error", "internal inconsistency: the counterexample does not separate the claim from "
                               "the reference", steps=out.steps)
            out.recheck = "the counterexample re-evaluated independently"
    except NotEvaluable as exc:
        return Outcome("undecided", f"{out.verdict} by the proof path, but not re-checked ({exc})", steps=out.steps)
    return out


def _inside(iv, rng, s):
    lo, hi, _, _ = iv
    if s.is_integer:
        return sp.Integer(rng.randrange(1, 8))
    return sp.Rational(lo) + (sp.Rational(hi) - sp.Rational(lo)) * sp.Rational(rng.randrange(1, 97), 97)
