r"""Update rules and relations between optimizer quantities, against the reference optimizers."""
from __future__ import annotations

import functools
import random
import re
import zlib

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

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

__all__ = ["judge_update", "canonical_update", "infer_roles"]


_TIME = re.compile(r"_\{(?:t|t-1|t\+1|t-2|k|k-1|k\+1|T|n|n-1|n\+1)\}$")


def _roles_of(opt):
    """The roles an optimizer's update lists and defaults use."""
    used = set(opt.updates) | set(opt.defaults)
    syms = set()
    for e in list(opt.updates.values()) + [u for _, ups in opt.variants.values() for u in ups.values()]:
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


def canonical_update(lhs, rhs, claim, scope, defs, it, algorithm=None):
    """One update line in the reference's symbols: ``(opt, role, new, value, mapping, same_symbol)``,
    ``mapping`` from the claim's symbols to the reference's."""
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
    for pat, sym in patterns.items():
        done = evaluate(pat, defs)
        if not done.is_Atom:
            raw_value = raw_value.subs(done, sym)
    unmapped = sorted((raw_value.free_symbols | raw_new.free_symbols) - set(mapping) - set(SYM.values()), key=str)
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
    taken = set(mapping.values())
    inferred = {s_: r for s_, r in inferred.items() if SYM[r] not in taken}
    if ambiguous:
        raise ClaimError("roles to state in 'roles': " + "; ".join(f"{k} could be {' or '.join(c)}"
                                                                    for k, c in ambiguous), "roles", None)
    mapping.update({s: SYM[r] for s, r in inferred.items()})
    new, value = raw_new.xreplace(mapping), raw_value.xreplace(mapping)
    if is_array(new) or is_array(value):
        raise ClaimError("update rules are judged entry by entry: declare scalars", "latex", None)
    free_ok = set()
    if SYM["grad"] not in set(mapping.values()) and "grad" in _roles_of(opt):
        value, free_ok = _through_objective(value, mapping, opt, scope, it)
    stray = sorted(map(str, (value.free_symbols | new.free_symbols) - set(SYM.values()) - free_ok))
    if stray:
        raise ClaimError(f"symbols without a role in {opt.name}: {', '.join(stray)}", "roles", None)
    role = role_of.get(new)
    if role is None:
        raise ClaimError("the updated quantity must be one symbol with a role", "latex", None)
    return opt, role, new, value, mapping, same_symbol


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


def judge_update(lhs, rel, rhs, claim, scope, defs, it, algorithm=None) -> Outcome:
    """An update rule (or a relation between optimizer quantities) against the reference optimizer."""
    opt, role, new, value, mapping, same_symbol = canonical_update(lhs, rhs, claim, scope, defs, it, algorithm)
    steps = [("the claim in the reference's symbols", f"{L(new)} \\leftarrow {L(value)}")]
    intervals = {sym: INTERVALS.get(r, (-3, 3, False, False)) for r, sym in SYM.items()}
    if value.is_number and role in opt.defaults:
        ref = opt.defaults[role]
        steps.append(("reference default", f"{L(new)} = {L(ref)}"))
        if sp.simplify(value - ref) == 0:
            return _confirmed(Outcome("proved", f"the default ${L(new)} = {L(value)}$ is {opt.name}'s "
                                      f"({opt.reference})", steps=steps), value, ref, intervals, claim)
        return _confirmed(Outcome("refuted", f"{opt.name}'s default is ${L(new)} = {L(ref)}$, not ${L(value)}$",
                                  steps=steps, counterexample={"claimed": str(value), "reference": str(ref)},
                                  point={}, corrected=f"{L(new)} = {L(ref)}"), value, ref, intervals, claim)
    if role not in opt.updates:
        raise ClaimError(f"{opt.name} has no update for {role!r}", "roles", None)
    ref = opt.updates[role]
    steps.append((f"{opt.name} ({opt.reference})", f"{L(new)} \\leftarrow {L(ref)}"))
    if is_zero(value - ref):
        return _confirmed(Outcome("proved", f"matches {opt.name}: {opt.reference}", steps=steps), value, ref,
                          intervals, claim)
    for k, (why, line) in enumerate(opt.lines.get(role, [])):
        if is_zero(value - line):
            steps.append((f"line {k + 1} of {opt.name}: {why}", f"{L(new)} \\leftarrow {L(line)}"))
            if same_symbol and k > 0:
                return _confirmed(Outcome("proved", f"matches {why}, line {k + 1} of {opt.name}, applied to the "
                                          f"result of the line before ({opt.reference})", steps=steps),
                                  value, line, intervals, claim)
            return Outcome("undecided", f"matches only {why} (line {k + 1} of {opt.name}); as a whole update it "
                           f"leaves out the other line(s): {opt.reference}", steps=steps)
    for name, (why, updates) in opt.variants.items():
        if role in updates and is_zero(value - updates[role]):
            steps.append((f"variant: {why}", f"{L(new)} \\leftarrow {L(updates[role])}"))
            return _confirmed(Outcome("convention", f"true with {why}; the reference is {opt.reference}",
                                      steps=steps, convention={"axis": f"{opt.name}: {name}", "claim": why,
                                                               "reference": opt.reference,
                                                               "source": opt.reference}),
                              value, updates[role], intervals, claim)
    # the search runs in the claim's own symbols, so its counterexample names them (m, not m_hat)
    back = _back(mapping)
    cv, cr = value.xreplace(back), ref.xreplace(back)
    c_intervals = {back.get(k, k): v for k, v in intervals.items()}
    out = search(cv - cr, cv, cr, claim, scope, steps, intervals=c_intervals, sides=("the claim", opt.name))
    if out.verdict == "refuted":
        out.corrected = f"{L(new.xreplace(back))} \\leftarrow {L(cr)}"
        out.reason = out.reason.replace("counterexample:", f"one step differs from {opt.name}:", 1)
        out.point = {mapping.get(k, k): v for k, v in (out.point or {}).items()}
        return _confirmed(out, value, ref, intervals, claim)
    return out


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
    for claim_sym, ref_sym in mapping.items():
        if ref_sym not in back or len(claim_sym.name) < len(back[ref_sym].name):
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
