r"""A matrix equation given as a fact, where the claim inverts a matrix expression.

At explicit sizes with symbolic entries an inverse :math:`(X^\top X)^{-1}` is an adjugate over a determinant,
and substituting a given entry by entry makes rational functions whose normalisation alone outlasts any budget.
Two cheaper and exact routes are taken instead:

* **matrix level** (every size): a term :math:`F` of a given :math:`F + G = 0` that stands as a run of
  consecutive factors of a product in :math:`\text{lhs} - \text{rhs}` is replaced by :math:`-G`, products are
  distributed over sums, and :math:`B^{-1} B = B B^{-1} = I` cancels (wherever the claim writes
  :math:`B^{-1}` it is defined only where :math:`B` is invertible).  Each step is an equality, so a 0 at the
  end is a proof; anything left is no verdict.
* **exact rational points** (explicit sizes): every input drawn as a random rational, then each given matrix
  equation solved for the one input whose entries it determines uniquely (a linear system with rational
  coefficients, :math:`X^\top X w = X^\top y` for :math:`w`), and both sides evaluated exactly.  A nonzero
  entry is a counterexample that satisfies the facts exactly; the proof above is cross-checked entry by entry
  on these points.
"""
from __future__ import annotations

import random

import sympy as sp

from ..mathematics.arrays import is_array
from ..mathematics.printing import tex as L

__all__ = ["applies", "rewrite_proof", "rational_points"]


def _inverts_expression(e) -> bool:
    return isinstance(e, sp.Basic) and any(
        (isinstance(a, sp.Inverse) and not isinstance(a.arg, sp.MatrixSymbol)) or
        (isinstance(a, sp.MatPow) and not isinstance(a.base, sp.MatrixSymbol) and a.exp.is_negative)
        for a in sp.preorder_traversal(e))


def applies(lhs, rhs, defs, given) -> bool:
    """A matrix claim without definitions that inverts a matrix expression, with a given matrix equation."""
    return not defs and (is_array(lhs) or is_array(rhs)) and any(is_array(g) for g in given) and \
        (_inverts_expression(lhs) or _inverts_expression(rhs))


def _factors(e):
    """``e`` as (scalar coefficient, list of matrix factors)."""
    if isinstance(e, sp.MatMul):
        coeff, rest = e.as_coeff_mmul()
        return coeff, list(rest.args)
    return sp.Integer(1), [e]


def _inverse_of(a):
    if isinstance(a, sp.Inverse):
        return a.arg
    if isinstance(a, sp.MatPow) and a.exp == -1:
        return a.base
    return None


def _cancel_inverses(fs):
    """``B^{-1} B`` and ``B B^{-1}`` (B one factor or a run of them) removed from a list of factors."""
    changed = True
    while changed:
        changed = False
        for k, a in enumerate(fs):
            b = _inverse_of(a)
            if b is None:
                continue
            run = _factors(b)[1] if _factors(b)[0] == 1 else [b]
            m = len(run)
            if fs[k + 1:k + 1 + m] == run:
                fs = fs[:k] + fs[k + 1 + m:]
            elif k >= m and fs[k - m:k] == run:
                fs = fs[:k - m] + fs[k + 1:]
            else:
                continue
            changed = True
            break
    return fs


def _terms(e):
    e = sp.expand(e)
    return list(e.args) if isinstance(e, sp.MatAdd) else [e]


def _replace_run(e, run, value):
    """Every product in ``e`` whose factors contain ``run`` consecutively, with that run replaced by ``value``."""
    out = []
    for t in _terms(e):
        c, fs = _factors(t)
        m = len(run)
        hit = next((k for k in range(len(fs) - m + 1) if fs[k:k + m] == run), None)
        if hit is None:
            out.append(t)
            continue
        out.append(c * sp.MatMul(*fs[:hit], value, *fs[hit + m:]))
    return sp.MatAdd(*out) if len(out) > 1 else out[0]


def _reduce(e):
    """Distributed, inverses cancelled, collected: the canonical form whose 0 is a proof."""
    out = []
    for t in _terms(e):
        c, fs = _factors(t)
        fs = _cancel_inverses(fs)
        out.append(c * (sp.MatMul(*fs) if len(fs) > 1 else fs[0]) if fs else c * sp.Identity(t.shape[0]))
    s = sp.MatAdd(*out).doit() if len(out) > 1 else out[0]
    return s


def rewrite_proof(lhs, rhs, given):
    """The matrix-level proof, or None: the steps ``[(rule, latex)]`` where ``lhs - rhs`` reduces to 0."""
    diff = sp.MatAdd(lhs, -rhs) if is_array(lhs) and is_array(rhs) else None
    if diff is None:
        return None
    for g in given:
        if not is_array(g):
            continue
        terms = _terms(g)
        for k, t in enumerate(terms):
            c, run = _factors(t)
            if not c.is_number or c == 0:
                continue                    # a coefficient that could be 0 cannot be divided by
            rest = [u for j, u in enumerate(terms) if j != k]
            if not rest:
                continue
            value = sp.MatMul(-1 / c, sp.MatAdd(*rest) if len(rest) > 1 else rest[0])
            new = _replace_run(diff, run, value)
            if new == diff:
                continue
            out = _reduce(new)
            if isinstance(out, sp.ZeroMatrix) or out == 0:
                return [(f"the given fact substituted at matrix level: ${L(sp.MatMul(*run))} = {L(value)}$",
                         L(new)),
                        ("products distributed, $B^{-1} B = I$ cancelled: lhs - rhs", "0")]
    return None


def _draw(rng):
    return sp.Rational(rng.randrange(-29, 30), rng.randrange(1, 8))


def rational_points(lhs, rhs, given, scope, sizes, seed=0, count=2, tries=6):
    """Up to ``count`` exact points at these sizes where every given fact holds: ``[(point, diff matrix)]``,
    ``point`` mapping each input entry (and the sizes) to a rational.  A point where an inverse is singular,
    or where no given determines an input uniquely, is not one (fewer points, never a wrong one)."""
    if not (is_array(lhs) and is_array(rhs)):
        return []
    rng = random.Random(seed)
    ex = [sp.sympify(e).xreplace(sizes) for e in (lhs, rhs, *given)]
    mats = sorted({a for e in ex for a in e.atoms(sp.MatrixSymbol)}, key=sp.default_sort_key)
    scalars = sorted({a for e in ex for a in e.free_symbols if isinstance(a, sp.Symbol)}, key=sp.default_sort_key)
    decls = {d.obj.xreplace(sizes) if isinstance(d.obj, sp.Basic) else d.obj: d for d in scope.symbols.values()}
    if scalars or any(not all(sp.sympify(n).is_Integer for n in m.shape) for m in mats) or \
            any(decls.get(m) is None or decls[m].domain != "real" for m in mats):
        return []                           # scalars, or matrices with a structure to draw: not handled here
    points = []
    for _ in range(tries):
        if len(points) >= count:
            break
        values = {m: sp.ImmutableMatrix(int(m.shape[0]), int(m.shape[1]), lambda i, j: _draw(rng)) for m in mats}
        solved = set()
        ok = True
        for g in ex[2:]:
            if not is_array(g):
                ok = False
                break
            try:
                ok = _solve_given(g, values, mats, solved)
            except (TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError):
                ok = False
            if not ok:
                break
        if not ok:
            continue
        try:
            l, r = (sp.ImmutableMatrix(e.xreplace(values).doit()) if is_array(e) else e for e in ex[:2])
            held = [sp.ImmutableMatrix(g.xreplace(values).doit()) for g in ex[2:]]
        except (ValueError, ZeroDivisionError):     # (a singular inverse is a ValueError)
            continue                        # singular here: the claim says nothing at this point
        except (TypeError, NotImplementedError, AttributeError):
            return points                   # something these exact values do not evaluate: no point from here
        if any(h.is_zero_matrix is not True for h in held) or l.shape != r.shape or \
                any(not v.is_Rational for v in (*l, *r)):
            continue                        # only numbers count: an unevaluated entry is no counterexample
        point = {m[i, j]: values[m][i, j] for m in mats for i in range(int(m.shape[0]))
                 for j in range(int(m.shape[1]))}
        point.update(sizes)
        points.append((point, l - r))
    return points


def _solve_given(g, values, mats, solved) -> bool:
    """One given matrix equation imposed on ``values``: solved exactly for the first input (not one an earlier
    fact solved) whose entries it determines uniquely, the others at their drawn values."""
    for u in mats:
        if u in solved or not g.has(u):
            continue
        unknowns = [u[i, j] for i in range(int(u.shape[0])) for j in range(int(u.shape[1]))]
        known = {m: values[m] for m in mats if m != u}
        known[u] = u.as_explicit()
        gx = sp.ImmutableMatrix(g.xreplace(known).doit())
        system = [sp.expand(e) for e in gx]
        try:
            if any(not sp.Poly(e, *unknowns).is_linear for e in system if e != 0):
                continue
        except sp.PolynomialError:
            continue
        sol = sp.linsolve(system, unknowns)
        if not isinstance(sol, sp.FiniteSet) or len(sol) != 1:
            continue
        (vals,) = sol
        if any(not v.is_Rational for v in vals):
            continue                        # not determined uniquely (a free parameter is left)
        values[u] = sp.ImmutableMatrix(int(u.shape[0]), int(u.shape[1]),
                                       lambda i, j: vals[i * int(u.shape[1]) + j])
        solved.add(u)
        return True
    return False
