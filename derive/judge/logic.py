r"""Statements drawn from statements: ``A \text{ and hence } B`` and ``A \text{ or equivalently } B``.

``A \implies B`` (and hence, thus, therefore, so, :math:`\Rightarrow`): the last relation of A is the
*premise* (``\nabla f + H\epsilon = 0``; in ``\partial_w L = 2X^T(Xw - y) = 0`` the ``= 0``, which the
source sets), the relations before it in A are claimed as they stand, and B is claimed wherever the
premise holds: judged with the premise as a given fact.

``A \iff B`` (or equivalently, :math:`\Leftrightarrow`): where A only defines new names, B is claimed under
those definitions.  Otherwise A and B are conditions on one input x (B's left side) and the claim is that
they hold at the same x for every value of the other inputs:

.. math:: \{x \in D : A(x)\} = \{x \in D : B(x)\},

D the declared domain of x.  Both sets are solved exactly (``solveset``); the claim is proved when they
are the same finite set (root by root, zero test) or the same set as written, refuted by a point where
one statement holds and the other does not (checked exactly and again in 50 digits), else undecided.
"""
from __future__ import annotations

import itertools

import sympy as sp

from ..mathematics.arrays import is_array
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from ..mathematics.zero import is_zero
from ..notation import ir
from ..notation.errors import Unsupported
from ..notation.latex import canon
from .conjunctions import judge_atomwise
from .derivation import evaluate
from .outcome import Outcome

__all__ = ["split", "judge_equivalence", "PREMISE", "CLAIMED", "UNDER"]

PREMISE, CLAIMED, UNDER = "premise", "the statement before the implication", "the statement drawn from it"


def split(st, it):
    r"""``(chains, parts, premises, equivalences)`` of a statement with one implication or equivalence.

    ``parts[k]`` labels ``chains[k]`` (:data:`CLAIMED` or :data:`UNDER`); ``premises`` are the chains B is
    judged under; ``equivalences`` are ``(A chain, B chain)`` pairs for :func:`judge_equivalence`."""
    if len(st.logic) != 1:
        raise Unsupported("several implications in one statement are not read yet", st.span[0])
    k, kind = st.logic[0]
    before, after = list(st.chains[:k]), list(st.chains[k:])
    seen = {n for ch in before for n in ir.walk(ch)}
    for ch in after:
        if it.is_new(ch.terms[0]) and ch.terms[0] not in seen:
            # 'a = x, or equivalently b = x' with b new: b is no input (a free b would refute it), nor defined
            raise Unsupported(f"{canon(ch.terms[0])} after the implication is neither declared nor in the "
                              "statement it is drawn from", ch.span[0])
    if all(_defines(ch, it) for ch in before):
        # A only defines names (L_i = ..., or equivalently L_i = ...): true by definition, B is the claim
        return before + after, [CLAIMED] * len(before) + [UNDER] * len(after), [], []
    if kind == "iff":
        if len(before) != 1 or len(after) != 1:
            raise Unsupported("an equivalence between several statements is not read yet", st.span[0])
        return [], [], [], [(before[0], after[0])]
    last = before[-1]
    if last.rels[-1] != "=":
        raise Unsupported(f"a premise with the relation {last.rels[-1]!r} (before 'and hence') is not used yet",
                          last.span[0])
    premise = ir.Chain(last.terms[-2:], last.rels[-1:], span=last.span)
    kept = before[:-1] + ([ir.Chain(last.terms[:-1], last.rels[:-1], span=last.span)] if len(last.rels) > 1 else [])
    return kept + after, [CLAIMED] * len(kept) + [UNDER] * len(after), [premise], []


def _defines(ch, it) -> bool:
    return len(ch.rels) == 1 and ch.rels[0] in ("=", ":=") and it.is_new(ch.terms[0])


# --------------------------------------------------------------------------- A <=> B
_RELS = {"=": sp.Eq, "<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}


def relations_of(values) -> list:
    """``[t0, rel, t1, rel, t2]`` (as :meth:`Interpreter.chain` gives it) -> ``[(t0, rel, t1), (t1, rel, t2)]``."""
    out = []
    for j in range(0, len(values) - 2, 2):
        a, rel, b = values[j], values[j + 1], values[j + 2]
        if rel not in _RELS:
            raise Unsupported(f"the relation {rel!r} in an equivalence is not read yet", None)
        out.append((a, rel, b))
    return out


def judge_equivalence(a_rels, b_rels, defs, scope) -> Outcome:
    """``A <=> B`` for every value of the inputs other than the one solved for (see the module docstring)."""
    a_rels = [(_value(l, defs), rel, _value(r, defs)) for l, rel, r in a_rels]
    b_rels = [(_value(l, defs), rel, _value(r, defs)) for l, rel, r in b_rels]
    x = b_rels[0][0]
    if not isinstance(x, sp.Symbol):      # 2x = 2: the one input both statements share, if there is one
        common = _inputs(a_rels) & _inputs(b_rels)
        if len(common) > 1:           # conditions on several inputs: compared as conjunctions of inequalities
            try:
                return judge_atomwise(a_rels, b_rels, scope, defs)
            except Unsupported:
                pass
        if len(common) != 1:
            return Outcome("undecided", "an equivalence is solved for the input on the second statement's left "
                           f"side or the one input both share; ${L(x)}$ is neither")
        x = common.pop()
    domain = _domain(x)
    if domain is None:
        return Outcome("undecided", f"an equivalence in ${L(x)}$, which is not declared real, is not judged yet")
    try:
        sa, sb = _solutions(a_rels, x, domain), _solutions(b_rels, x, domain)
    except (NotImplementedError, ValueError, TypeError) as exc:
        return Outcome("undecided", f"SymPy could not solve the statements for ${L(x)}$ ({exc})")
    steps = [(f"solve the first statement for ${L(x)}$ over ${L(domain)}$", L(sa)),
             (f"solve the second statement for ${L(x)}$", L(sb))]
    ca, cb = _candidates(sa, domain), _candidates(sb, domain)
    if sa == sb or (ca is not None and cb is not None and _same(ca, cb)):
        check = _recheck_proof(ca or [], a_rels, b_rels, x)
        if check is None:
            return Outcome("error", "internal inconsistency: a root both solution sets share fails a statement "
                           "when re-evaluated in 50 digits", steps=steps)
        return Outcome("proved", f"both statements hold at the same ${L(x)}$: they are equivalent", steps=steps,
                       recheck=check)
    if ca is None or cb is None:
        return Outcome("undecided", f"the solution sets for ${L(x)}$ are not finite lists of roots; their equality "
                       "is not decided", steps=steps)
    for roots, holds, fails, which in ((ca, a_rels, b_rels, "first"), (cb, b_rels, a_rels, "second")):
        other = cb if roots is ca else ca
        for root in roots:
            if any(is_zero(root - r) for r in other):
                continue
            point = _witness(root, x, holds, fails, domain)
            if point is not None:
                shown = ", ".join(f"{L(k)} = {L(v)}" for k, v in point.items())
                return Outcome("refuted", f"not equivalent: at ${shown}$ the {which} statement holds and the other "
                               "does not", steps=steps, counterexample={L(k): str(v) for k, v in point.items()},
                               recheck="the point re-evaluated in 50 digits: one statement holds, the other not")
    return Outcome("undecided", f"the solution sets for ${L(x)}$ differ as written, but no point was found where "
                   "one statement holds and the other does not", steps=steps)


def _inputs(rels) -> set:
    return set().union(*(sp.Add(l, r).free_symbols for l, _, r in rels))


def _value(e, defs):
    if is_array(e):
        raise Unsupported("an equivalence between statements about arrays is not read yet", None)
    return elementary(evaluate(e, defs).doit()) if isinstance(e, sp.Basic) else e


def _domain(x):
    if x.is_integer or x.is_real is not True:
        return None
    if x.is_positive:
        return sp.Interval.open(0, sp.oo)
    if x.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if x.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    return sp.S.Reals


def _solutions(rels, x, domain):
    out = domain
    for l, rel, r in rels:
        cond = sp.Eq(l - r, 0) if rel == "=" else _RELS[rel](l - r, 0)
        out = sp.Intersection(out, sp.solveset(cond, x, domain))
    return out


def _candidates(s, domain):
    """The finite list of roots a solution set is (or lies in: ``{r} ∩ D``, D the domain, lists r), or None
    (an interval from another relation beside the roots could empty the set: not a list)."""
    if isinstance(s, sp.FiniteSet):
        return list(s.args)
    if isinstance(s, sp.Intersection):
        finite = [a for a in s.args if isinstance(a, sp.FiniteSet)]
        if len(finite) == 1 and all(a is finite[0] or a == domain for a in s.args):
            return list(finite[0].args)
    return None


def _same(ca, cb) -> bool:
    """Every root of one list is a root of the other (the zero test: both lists then meet the domain alike)."""
    return all(any(is_zero(p - q) for q in cb) for p in ca) and all(any(is_zero(q - p) for p in ca) for q in cb)


def _holds(rels, point) -> bool | None:
    """Whether every relation holds at ``point``: exactly (the zero test) where it holds, by a 50-digit value
    far from 0 where it fails; None where neither is sure."""
    for l, rel, r in rels:
        d = sp.simplify((l - r).xreplace(point))
        if not d.is_number:
            return None
        if rel == "=" and is_zero(d):
            continue
        v = sp.N(d, 50)
        if not v.is_real or abs(v) < 1e-30:
            return None
        if {"=": False, "<": v < 0, "<=": v < 0, ">": v > 0, ">=": v > 0}[rel]:
            continue
        return False
    return True


def _samples(s):
    if s.is_integer:
        return [1, 2, 3, 5] if s.is_positive else [0, 1, 2, -1]
    if s.is_positive:
        return [sp.Rational(1, 2), 1, 2, 3]
    if s.is_nonnegative:
        return [0, sp.Rational(1, 2), 1, 2]
    return [sp.Rational(1, 2), -1, 2, sp.Rational(-3, 2)]


def _witness(root, x, holds, fails, domain):
    """Inputs where ``holds`` is true and ``fails`` false, x at ``root``; exact, then again in 50 digits."""
    params = sorted((root.free_symbols | set().union(*(sp.Add(l, r).free_symbols for l, _, r in holds + fails)))
                    - {x}, key=str)
    for values in itertools.islice(itertools.product(*[_samples(p) for p in params]), 64):
        point = dict(zip(params, values))
        xv = sp.simplify(root.xreplace(point))
        if not xv.is_number or xv.is_real is not True or domain.contains(xv) is not sp.true:
            continue
        point[x] = xv
        if _holds(holds, point) is True and _holds(fails, point) is False and _confirmed(holds, fails, point):
            return point
    return None


def _confirmed(holds, fails, point) -> bool:
    """The witness evaluated again in 50 digits (not the exact simplification that found it)."""
    def residual(l, r):
        return sp.N((l - r).xreplace(point), 50)
    eqs_hold = all(abs(residual(l, r)) < 1e-40 for l, rel, r in holds if rel == "=")
    some_fail = any(rel == "=" and abs(residual(l, r)) > 1e-20 for l, rel, r in fails)
    return eqs_hold and (some_fail or any(rel != "=" for _, rel, _ in fails))


def _recheck_proof(roots, a_rels, b_rels, x):
    """Each root, at sample values of the other inputs, satisfies both statements in 50 digits (None if not)."""
    n = 0
    for root in roots:
        params = sorted(root.free_symbols - {x}, key=str)
        for values in itertools.islice(itertools.product(*[_samples(p)[1:3] for p in params]), 4):
            point = dict(zip(params, values))
            point[x] = root.xreplace(point)
            for l, rel, r in a_rels + b_rels:
                if rel == "=" and abs(sp.N((l - r).xreplace(point), 50)) > 1e-40:
                    return None
            n += 1
    return f"each root re-evaluated in 50 digits at {n} point(s): both statements hold" if n else \
        "the solution sets are the same as written"
