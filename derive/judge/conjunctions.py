r"""``A \iff B`` for statements of several inputs, each a conjunction of inequalities.

Each statement is written as a set of *atoms* :math:`p > 0` (or :math:`p \ge 0`) in a canonical form:

* :math:`|u| < v` is :math:`v - u > 0` and :math:`v + u > 0` (for every real u and v);
* :math:`\rho(A) < 1` of a real 2x2 matrix is Jury's :math:`1 - |\det A| > 0`,
  :math:`1 + \det A - |\operatorname{tr} A| > 0` (:mod:`..mathematics.spectral`), each unfolded again;
* :math:`p` expanded and divided by its positive rational content;
* an atom of one declared input that holds on the whole declared domain (:math:`\beta + 1 > 0` for
  :math:`\beta \in (0, 1)`) is dropped.

The claim is proved when both statements give the same set of atoms: then they are the same condition.
It is refuted by exact rational inputs where one statement holds and the other does not (the statements as
written, :math:`\rho` from the exact eigenvalues; again in 50 digits with numerical eigenvalues), else it is
undecided.  A proof is re-checked at sample points: both statements must agree wherever neither is at its
boundary.
"""
from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from ..mathematics.printing import tex as L
from ..mathematics.spectral import SpectralRadius, below_one
from ..notation.errors import Unsupported
from .numeval import NotEvaluable, evaluate as evaluate_numeric
from .outcome import Outcome

__all__ = ["judge_atomwise"]

#: a declared domain word -> the set its symbol ranges over
_DOMAIN_SETS = {"(0,1)": sp.Interval.open(0, 1), "[0,1]": sp.Interval(0, 1), "(0,1]": sp.Interval.Lopen(0, 1),
                "[0,1)": sp.Interval.Ropen(0, 1), "positive": sp.Interval.open(0, sp.oo),
                "nonnegative": sp.Interval(0, sp.oo), "negative": sp.Interval.open(-sp.oo, 0)}
#: sample values by domain (exact rationals)
_SAMPLES = {"(0,1)": [sp.Rational(1, 2), sp.Rational(1, 10), sp.Rational(9, 10), sp.Rational(1, 3)],
            "positive": [sp.Rational(1, 2), 1, 2, sp.Rational(5, 2), 3],
            "real": [sp.Rational(1, 2), 1, 2, sp.Rational(-1, 2), 3, sp.Rational(3, 2), -1, sp.Rational(5, 3),
                     sp.Rational(7, 4), -2]}
_MARGIN = mpmath.mpf(10) ** -30


def _unfold(p, strict) -> list:
    """``p > 0`` (``>= 0`` unless strict) as atoms, |.| and rho(.) < 1 unfolded (see the module docstring)."""
    p = sp.expand(p)
    radii = [t for t in sp.Add.make_args(p) if t.has(SpectralRadius)]
    if radii:
        if len(radii) != 1 or not strict or not isinstance(-radii[0], SpectralRadius) or \
                sp.expand(p - radii[0]) != 1:
            raise Unsupported(r"\rho(A) is read in an equivalence only as \rho(A) < 1", None)
        return [a for q in below_one((-radii[0]).args[0]) for a in _unfold(q, True)]
    terms = sp.Add.make_args(p)
    absolute = [t for t in terms if t.has(sp.Abs)]
    if len(absolute) == 1 and isinstance(-absolute[0], sp.Abs):
        v, u = sp.expand(p - absolute[0]), (-absolute[0]).args[0]
        if not v.has(sp.Abs) and u.is_real:
            return _unfold(v - u, strict) + _unfold(v + u, strict)
    _, prim = p.as_content_primitive()
    return [(prim, strict)]


def _atoms(rels) -> list:
    out = []
    for l, rel, r in rels:
        if rel not in ("<", "<=", ">", ">="):
            raise Unsupported(f"the relation {rel!r} in an equivalence of several inputs", None)
        p = r - l if rel in ("<", "<=") else l - r
        out += _unfold(p, rel in ("<", ">"))
    return out


def _domains(scope) -> dict:
    return {d.obj: d.domain for d in scope.symbols.values() if isinstance(d.obj, sp.Symbol)}


def _implied(atom, domains) -> bool:
    """The atom holds on the whole declared domain of its one input (or is a true number)."""
    p, strict = atom
    if p.is_number:
        return bool(p > 0) if strict else bool(p >= 0)
    free = p.free_symbols
    if len(free) != 1:
        return False
    s, = free
    dom = _DOMAIN_SETS.get(domains.get(s, "real"))
    if dom is None:
        return False
    try:
        sol = sp.solveset(p > 0 if strict else p >= 0, s, dom)
    except (NotImplementedError, ValueError, TypeError):
        return False
    return sol == dom


def _truth(rels, point) -> bool | None:
    """Whether every relation holds at the exact point (None where one is within 1e-30 of its boundary)."""
    for l, rel, r in rels:
        d = sp.sympify(l - r).xreplace(point).doit()
        v = sp.N(d, 50)
        if not v.is_real or abs(v) < _MARGIN:
            return None
        if not {"<": v < 0, "<=": v < 0, ">": v > 0, ">=": v > 0}[rel]:
            return False
    return True


def _numeric_truth(rels, point, defs) -> bool | None:
    """The same in 50 digits through the numeric evaluator (eigenvalues by mpmath: not the exact path)."""
    env = {k: mpmath.mpf(int(v.p)) / int(v.q) for k, v in point.items()}
    with mpmath.workdps(50):
        for l, rel, r in rels:
            v = evaluate_numeric(l - r, env, defs)
            if abs(v) < _MARGIN:
                return None
            if not {"<": v < 0, "<=": v < 0, ">": v > 0, ">=": v > 0}[rel]:
                return False
    return True


def _sample_list(s, domains):
    """The sample values of one input: by its declared domain, or by the assumptions its symbol carries."""
    dom = domains.get(s, "real")
    if dom == "(0,1)" or dom == "positive":
        return _SAMPLES[dom]
    if dom == "real" and s.is_positive:
        return _SAMPLES["positive"]
    if dom == "real" and s.is_real and s.is_integer is not True and s.is_nonnegative is None:
        return _SAMPLES["real"]
    raise Unsupported(f"an input {s} of a domain the equivalence does not sample", None)


def _points(inputs, domains):
    lists = [_sample_list(s, domains) for s in inputs]
    for values in itertools.product(*lists):
        yield dict(zip(inputs, map(sp.sympify, values)))


def judge_atomwise(a_rels, b_rels, scope, defs) -> Outcome:
    """See the module docstring; ``a_rels``, ``b_rels``: ``[(lhs, rel, rhs)]`` with the definitions in."""
    domains = _domains(scope)
    atoms_a = {a for a in _atoms(a_rels) if not _implied(a, domains)}
    atoms_b = {b for b in _atoms(b_rels) if not _implied(b, domains)}
    inputs = sorted(set().union(*(sp.sympify(l - r).free_symbols for l, _, r in a_rels + b_rels)), key=str)
    rel_of = {True: ">", False: r"\geq"}
    shown = lambda atoms: r" \wedge ".join(f"{L(p)} {rel_of[s]} 0" for p, s in
                                           sorted(atoms, key=lambda a: sp.default_sort_key(a[0])))
    steps = [(r"the first statement as conditions (|u| < v unfolded, \rho(A) < 1 by Jury's test, declared "
              "domains used)", shown(atoms_a)),
             ("the second statement", shown(atoms_b))]
    if atoms_a == atoms_b:
        check = _recheck(a_rels, b_rels, inputs, domains, defs)
        if check is None:
            return Outcome("error", "internal inconsistency: the conditions were found the same, but at a sample "
                           "point one statement holds and the other does not", steps=steps)
        return Outcome("proved", "both statements are the same conditions on the inputs: they are equivalent",
                       steps=steps, recheck=check)
    for point in _points(inputs, domains):
        ta, tb = _truth(a_rels, point), _truth(b_rels, point)
        if ta is None or tb is None or ta == tb:
            continue
        try:
            na, nb = _numeric_truth(a_rels, point, defs), _numeric_truth(b_rels, point, defs)
        except NotEvaluable:
            continue
        if (na, nb) != (ta, tb):
            continue
        at = ", ".join(f"{L(k)} = {L(v)}" for k, v in point.items())
        return Outcome("refuted", f"not equivalent: at ${at}$ the {'first' if ta else 'second'} statement holds "
                       "and the other does not", steps=steps, counterexample={L(k): str(v) for k, v in point.items()},
                       recheck="the point re-evaluated in 50 digits (eigenvalues numerically): one statement "
                       "holds, the other not")
    return Outcome("undecided", "the statements are different conditions as written, but no point was found "
                   "where one holds and the other does not", steps=steps)


def _recheck(a_rels, b_rels, inputs, domains, defs) -> str | None:
    """Both statements at sample points, in 50 digits: None if they disagree at one."""
    n = 0
    for point in itertools.islice(_points(inputs, domains), 60):
        na, nb = _numeric_truth(a_rels, point, defs), _numeric_truth(b_rels, point, defs)
        if na is None or nb is None:
            continue
        if na != nb:
            return None
        n += 1
    return f"both statements evaluated in 50 digits (eigenvalues numerically) at {n} points: they agree"
