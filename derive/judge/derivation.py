r"""The proof path: definitions substituted and derivatives carried out with SymPy.

A symbol being differentiated is held fixed: :math:`\partial L/\partial \hat y` treats
:math:`\hat y` as free even where :math:`\hat y` is defined.  Everything derived here is
re-checked by the independent evaluator of :mod:`.numeval` before a verdict is given.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.arrays import is_array
from ..mathematics.indexsums import doit_sums, linearize_sums
from .interpret import ClaimError

__all__ = ["evaluate", "settle"]


def _entry(mat, i, j):
    """``mat[i, j]``, computed once for a matrix expression: an entry of a product of matrices is a sum SymPy
    spells out anew at each indexing (seconds for the entries of a 5 x 10 times 10 x 3 product, met again in
    every derivative)."""
    return _expression_entry(mat, i, j) if isinstance(mat, sp.MatrixExpr) else mat[i, j]


@lru_cache(maxsize=4096)
def _expression_entry(mat, i, j):
    return mat[i, j]


def _base(var):
    return var.parent if isinstance(var, MatrixElement) else var


def evaluate(e, defs: dict, exclude=frozenset()):
    """Substitute definitions and carry out derivatives (see module docstring)."""
    if isinstance(e, sp.Derivative) and isinstance(e.expr, sp.core.function.AppliedUndef):
        reps = {k: evaluate(v, defs, exclude) for k, v in defs.items()
                if k not in exclude and not is_array(k) and e.has(k)}
        for me in e.atoms(MatrixElement):
            if me.parent in defs and me.parent not in exclude:
                reps[me] = evaluate(_entry(defs[me.parent], me.i, me.j), defs, exclude)
        # simultaneously: one by one, d L(D_11, D_12)/dW_11 would meet D_12 as a variable of its own, held
        # fixed while D_11 is replaced, and lose the chain term through D_12 (a silent 0)
        if not reps:
            return e
        return _partial_at(e, reps) or e.subs(reps, simultaneous=True)
    if isinstance(e, sp.Derivative):
        # Table primitives differentiate by their (proved) rule rows: see derive.rules.
        f = settle(e.expr, defs, exclude | {_base(v) for v, _ in e.variable_count})
        for var, order in e.variable_count:
            f = sp.diff(f, var, order)
        return evaluate(f, defs, exclude)
    if isinstance(e, sp.Subs):
        done = e.doit()
        if isinstance(done, sp.Subs):  # f'(u) of an undefined f stays a Subs; its other arguments are
            # evaluated too (d l(u, v)/du at u = o_1 keeps v = o_2, which is defined like o_1)
            return sp.Subs(evaluate(done.expr, defs, exclude), done.variables,
                           [evaluate(p, defs, exclude) for p in done.point])
        return evaluate(done, defs, exclude)
    if isinstance(e, (sp.Symbol, sp.MatrixSymbol)):
        if e in defs and e not in exclude:
            return evaluate(defs[e], defs, exclude)
        return e
    if isinstance(e, MatrixElement):
        if e.parent in defs and e.parent not in exclude:
            return evaluate(_entry(defs[e.parent], e.i, e.j), defs, exclude)
        return e
    if is_array(e) and not isinstance(e, sp.MatrixSymbol):
        # Entries are evaluated by the caller; defined matrix symbols inside are substituted now.
        reps = {k: evaluate(v, defs, exclude) for k, v in defs.items()
                if isinstance(k, sp.MatrixSymbol) and k not in exclude and e.has(k)}
        return e.xreplace(reps) if reps else e
    if not e.args:
        return e
    args = [evaluate(a, defs, exclude) if isinstance(a, sp.Basic) else a for a in e.args]
    if isinstance(e, sp.Sum):
        return doit_sums(e.func(args[0], *e.args[1:]))
    if isinstance(e, sp.Product):
        return e.func(args[0], *e.args[1:]).doit()
    if all(a is b for a, b in zip(args, e.args)):
        return e        # nothing defined inside: rebuilding would only repeat SymPy's canonicalisation
    return e.func(*args)


def _partial_at(d, reps):
    r""":math:`\partial L(u_1, \dots, u_m) / \partial u_k` with the arguments given values: the partial
    :math:`\partial_k L` at that point, ``Subs(Derivative(L(.., \xi, ..), \xi), \xi, value of u_k)``, built
    at once, or None where SymPy's general substitution must decide (a higher or mixed derivative, an
    argument that is not a plain symbol, or a value that names an argument again).  The same object SymPy's
    ``subs`` makes, which takes seconds per entry for a function of the 15 entries of a matrix."""
    f, vc = d.expr, d.variable_count
    if len(vc) != 1 or vc[0][1] != 1:
        return None
    v = vc[0][0]
    args = f.args
    if args.count(v) != 1 or v not in reps or len(set(args)) != len(args) \
            or not all(isinstance(a, (sp.Symbol, MatrixElement)) for a in args):
        return None
    vals = [reps.get(a, a) for a in args]
    if any(isinstance(x, sp.Basic) and x.has(*args) for a, x in zip(args, vals) if a in reps):
        return None
    k = args.index(v)
    xi = v if isinstance(v, sp.Symbol) else sp.Dummy("xi")     # the variable's own name reads best in the steps
    return sp.Subs(sp.Derivative(f.func(*vals[:k], xi, *vals[k + 1:]), xi), xi, vals[k])


def settle(e, defs, exclude, rounds=12):
    """Substitute and expand until nothing changes: entries created by ``doit`` (a sum
    spelled out, a generic function spread over a vector) may name defined symbols,
    and missing one would differentiate to a silent 0."""
    for _ in range(rounds):
        new = evaluate(e, defs, exclude)
        new = _doit(new) if isinstance(new, sp.Basic) else new
        if new == e:
            return new
        e = new
    raise ClaimError("definitions do not settle (too deeply nested)", "definitions", None)


def _opaque(body) -> bool:
    """A summand with array entries or unknown functions: SymPy's closed-form search cannot help."""
    return body.has(MatrixElement, sp.Indexed, sp.core.function.AppliedUndef)


def _doit_sum(s):
    """A sum spelled out where its range is explicit, summed over Kronecker deltas, split by linearity;
    only summands of plain index arithmetic are left to SymPy's closed forms (its search for the
    others, telescoping and Gosper's algorithm, costs seconds and never succeeds)."""
    s = doit_sums(s)
    def closed(t):
        return t if _opaque(t.function) else t.doit()
    return linearize_sums(s).replace(lambda t: isinstance(t, sp.Sum), closed) if s.has(sp.Sum) else s


def _doit(e):
    """``e.doit()`` one level at a time, sums by :func:`_doit_sum`: the same value; ``settle`` repeats it."""
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    args = [_doit(a) for a in e.args]
    if any(a is not b for a, b in zip(args, e.args)):
        e = e.func(*args)
    if isinstance(e, sp.Sum):
        return _doit_sum(e)
    return e.doit(deep=False) if hasattr(e, "doit") else e
