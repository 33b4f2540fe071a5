r"""Claims that two argmaxes (or two argmins) over a vector's index are equal,
:math:`\operatorname{argmax}_j a_j = \operatorname{argmax}_j b_j`.

Proof: the entries of one vector are one strictly increasing function of the other's entries,
:math:`a_j = g(b_j)` with the same :math:`g` for every :math:`j` (:math:`b_j` replaced by a fresh
:math:`u`, the index :math:`j` is gone) and :math:`g'(u) > 0` for every real :math:`u`; then
:math:`a_j > a_k \iff b_j > b_k`, so the sets of the largest entries are one set.  Softmax is such a
:math:`g`, :math:`\hat y_j = e^{o_j} / \sum_k e^{o_k}`, the sum the same for every :math:`j`.

Refutation: at explicit sizes, exact inputs where the two largest entries (each unique) sit at
different indices; the engine's re-check evaluates both sides there again.
"""
from __future__ import annotations

import random

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.arrays import ArgMax
from ..mathematics.printing import tex as L
from .derivation import settle
from .outcome import Outcome
from .sampling import explicit, size_assignments

__all__ = ["is_argext_pair", "judge_argext"]


def is_argext_pair(lhs, rhs) -> bool:
    return isinstance(lhs, ArgMax) and isinstance(rhs, ArgMax)


def _positive(e, real) -> bool:
    """``e > 0`` for every value of its symbols: the entries of the matrices ``real`` (declared real) are
    real numbers, and sums of positive terms over a nonempty range positive numbers (SymPy does not see
    either of a matrix entry or of a sum with a symbolic bound)."""
    e = e.xreplace({me: sp.Dummy("x", real=True) for me in e.atoms(MatrixElement) if me.parent in real})
    reps = {}
    for s in e.atoms(sp.Sum):
        (k, lo, hi), = s.limits if len(s.limits) == 1 else ((None, None, None),)
        if k is not None and s.function.is_positive and (hi - lo).is_nonnegative:
            reps[s] = sp.Dummy("S", positive=True)
    return sp.simplify(e.xreplace(reps)).is_positive is True


def _monotone(x, y, r):
    r"""``g'`` for ``x = g(y)`` (``y`` an entry at index ``r``, ``g`` free of ``r``), or None."""
    if not isinstance(y, MatrixElement) or not x.has(y):
        return None
    u = sp.Dummy("u", real=True)
    g = x.xreplace({y: u})
    if r in g.free_symbols or g.has(MatrixElement(y.parent, r, y.j)):
        return None
    return sp.diff(g, u)


def _entries(vec, defs, r):
    return settle(vec[r, 0], defs, frozenset())


def judge_argext(lhs, rhs, claim, scope, defs) -> Outcome:
    a_vec, b_vec = lhs.args[0], rhs.args[0]
    word = "argmax" if lhs.kind == "max" else "argmin"
    if lhs.kind != rhs.kind:
        return Outcome("undecided", "an argmax against an argmin is not judged yet")
    if sp.simplify(a_vec.shape[0] - b_vec.shape[0]) != 0 or sp.simplify(lhs.args[1] - rhs.args[1]) != 0:
        return Outcome("undecided", f"the two sides' {word} run over different index ranges")
    real = {d.obj for d in scope.symbols.values() if d.is_array and d.assumptions.get("real")}
    r = sp.Symbol("r_{arg}", integer=True, nonnegative=True)
    a, b = _entries(a_vec, defs, r), _entries(b_vec, defs, r)
    steps = [(f"the entries compared", f"{L(a)} \\;\\text{{vs}}\\; {L(b)}")]
    for x, y in ((a, b), (b, a)):
        dg = _monotone(x, y, r)
        if dg is not None and _positive(dg, real):
            steps.append(("one strictly increasing map g of the other entries, g'(u) > 0", L(dg)))
            return Outcome("proved", f"the entries of one side are a strictly increasing function of the other's, "
                           f"the same for every index: the {word} is the same", steps=steps)
    return _search(a_vec, b_vec, lhs.kind, lhs.args[1], claim, scope, defs, steps, word)


def _search(a_vec, b_vec, kind, lhs_first, claim, scope, defs, steps, word) -> Outcome:
    """Exact inputs at explicit sizes where the extreme entries (unique) are at different indices."""
    rng = random.Random(0)
    for sizes in size_assignments(scope, claim):
        n = explicit(a_vec.shape[0], sizes, {})
        if not sp.sympify(n).is_Integer:
            continue
        ex_defs = {explicit(k, sizes, {}): explicit(v, sizes, {}) for k, v in defs.items()}
        av, bv = explicit(a_vec, sizes, {}), explicit(b_vec, sizes, {})
        a = [settle(av[i, 0], ex_defs, frozenset()).doit() for i in range(int(n))]
        b = [settle(bv[i, 0], ex_defs, frozenset()).doit() for i in range(int(n))]
        free = sorted(set().union(*(e.free_symbols for e in a + b)) |
                      set().union(*(e.atoms(MatrixElement) for e in a + b)), key=str)
        free = [s for s in free if not isinstance(s, sp.MatrixSymbol)]
        for _ in range(12):
            pt = {s: sp.Rational(rng.randint(-8, 8), rng.randint(1, 4)) for s in free}
            best = []
            for vals in (a, b):
                nums = [sp.N(v.xreplace(pt), 40) for v in vals]
                if not all(x.is_real and x.is_finite for x in nums):
                    break
                nums = nums if kind == "max" else [-x for x in nums]
                top = max(nums)
                idx = [i for i, x in enumerate(nums) if abs(x - top) < sp.Float(10) ** -30]
                if len(idx) != 1:
                    break
                best.append(idx[0])
            if len(best) == 2 and best[0] != best[1]:
                where = {str(k): int(v) for k, v in sizes.items()}
                first = explicit(lhs_first, sizes, {})
                ce = {**where, **{str(k): str(v) for k, v in pt.items()},
                      "lhs": str(best[0] + first), "rhs": str(best[1] + first)}
                at = ", ".join(f"{k} = {v}" for k, v in ce.items() if k not in ("lhs", "rhs"))
                return Outcome("refuted", f"counterexample: the {word} of the left side is {ce['lhs']}, of the "
                               f"right side {ce['rhs']}, at ${at}$", steps=steps, counterexample=ce,
                               point={**sizes, **pt})
    return Outcome("undecided", f"no proof that the two sides' {word} agree (no strictly increasing map between the entries "
                   "was found) and no counterexample at the explicit sizes tried", steps=steps)
