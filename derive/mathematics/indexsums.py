r"""Index-notation reasoning at symbolic sizes.

SymPy differentiates sums over symbolic ranges into ``KroneckerDelta`` and
``Piecewise`` pieces guarded by index ranges (``j <= n``).  With the claim's
index declarations (:math:`1 \le i \le n`) those guards are decided here,
constant factors are pulled out of sums, sums are renamed canonically and
then treated as atoms, so a proof holds for every :math:`n`.

Nothing here proves on its own: :func:`zero_for_all_n` returns True only when
the difference reduces to exactly 0; any piece it cannot decide leaves the
question open, and the caller falls back to explicit sizes.
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.concrete.delta import deltasummation

__all__ = ["clean_ranges", "linearize_sums", "canonical_sums", "zero_for_all_n", "doit_sums", "contract_inverses"]


def _sum1(f, lim):
    """One summation over ``lim`` of ``f``: explicit ranges spelled out, Kronecker deltas summed."""
    v, lo, hi = lim
    span = sp.expand(hi - lo)
    if span.is_Integer:
        return sp.Add(*[f.xreplace({v: lo + k}) for k in range(int(span) + 1)]) if span >= 0 else sp.S.Zero
    if f.has(sp.KroneckerDelta):
        out = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(linearize_sums(f))):
            direct = [kd for kd in sp.Mul.make_args(term) if isinstance(kd, sp.KroneckerDelta)
                      and v in kd.free_symbols]
            out += deltasummation(term, lim) if direct else sp.Sum(term, lim)
        return out
    return sp.Sum(f, lim)


def _sum_doit(s):
    out = s.function
    for lim in s.limits:  # the first limit is the innermost
        out = _sum1(out, lim)
    return out


def doit_sums(expr):
    """Evaluate sums only where it is cheap and exact: explicit ranges and Kronecker deltas.

    (SymPy's own ``Sum.doit`` tries telescoping and solving, which can recurse for minutes.)"""
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if isinstance(expr, sp.Sum):
        return _sum_doit(sp.Sum(doit_sums(expr.function), *expr.limits))
    args = [doit_sums(a) for a in expr.args]
    if any(a is not b for a, b in zip(args, expr.args)):
        expr = expr.func(*args)
    return expr


def _top(lo, hi):
    """``(N, k)`` when the upper bound is a size plus an integer (``n``, ``n - 1``) not in the lower bound."""
    k = sp.S.Zero
    if isinstance(hi, sp.Add):
        k, rest = hi.as_coeff_Add()
        hi = rest
    if isinstance(hi, sp.Symbol) and k.is_Integer and hi not in sp.sympify(lo).free_symbols:
        return hi, k
    return None


def _decide(rel, ranges):
    """Decide a relation between indices and sizes from 1 <= idx <= dim, or return it unchanged."""
    syms = rel.free_symbols
    tops = {idx: _top(lo, hi) for idx, (lo, hi) in ranges.items()}
    if not syms or not syms <= set(ranges) | {t[0] for t in tops.values() if t is not None}:
        return rel
    reps = {}
    for idx, (lo, hi) in ranges.items():
        if idx in syms:
            u = sp.Dummy("u", integer=True, nonnegative=True)
            reps[idx] = lo + u
            top = tops[idx]
            if top is not None and top[0] in syms and top[0] not in reps:
                # idx <= N + k for every idx = lo + u, N = lo + u + w - k (u, w >= 0)
                w = sp.Dummy("w", integer=True, nonnegative=True)
                reps[top[0]] = lo + u + w - top[1]
    # Rebuilding the relation asks SymPy's assumptions about lhs - rhs in the nonnegative offsets, which
    # decides every relation the ranges decide; simplify() on the rest never decided one over the
    # catalogue and cost a fifth of a second per call (numeric identification of constants).
    try:
        decided = rel.xreplace(reps)
    except (TypeError, ValueError):
        return rel
    return decided if isinstance(decided, sp.logic.boolalg.BooleanAtom) else rel


def _canonical_delta(e):
    """KroneckerDelta(k - 1, i - 1, range) -> KroneckerDelta(i, k): one form for equal deltas,
    still one that SymPy can sum over.  The range is dropped: indices lie in their ranges."""
    d = sp.expand(e.args[0] - e.args[1])
    pos = sp.Add(*[t for t in sp.Add.make_args(d) if not t.could_extract_minus_sign()])
    neg = -sp.Add(*[t for t in sp.Add.make_args(d) if t.could_extract_minus_sign()])
    a, b = sorted([pos, neg], key=sp.default_sort_key)
    return sp.KroneckerDelta(a, b)


def _guards_in_sums(expr, ranges):
    """The guards in a summand decided with the sum's own variable in its range too (``lo <= v <= hi``
    holds for every term of the sum): ``sum_i [0 <= i < n] w_i [i = c]`` is ``w_c``."""
    if not isinstance(expr, sp.Basic) or not expr.args or not expr.has(sp.Sum):
        return expr
    if isinstance(expr, sp.Sum):
        body = clean_ranges(expr.function, {**ranges, **{v: (lo, hi) for v, lo, hi in expr.limits}})
        return expr if body == expr.function else sp.Sum(body, *expr.limits)
    args = [_guards_in_sums(a, ranges) for a in expr.args]
    return expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr


def clean_ranges(expr, ranges: dict):
    """Drop index-range guards that the declarations decide; strip KroneckerDelta ranges."""
    expr = expr.replace(lambda e: isinstance(e, sp.KroneckerDelta), _canonical_delta)
    expr = _guards_in_sums(expr, ranges)
    rels = [r for r in expr.atoms(sp.core.relational.Relational)]
    reps = {r: _decide(r, ranges) for r in rels}
    reps = {k: v for k, v in reps.items() if v is not k}
    if reps:
        expr = expr.xreplace(reps)
    if not expr.has(sp.Piecewise):
        return expr
    folded = sp.piecewise_fold(expr)
    # SymPy folds a Piecewise out of a Sum too, leaving the sum's variable free in the conditions:
    # sum_i max(0, a_i) would become "0 if a_i <= 0 else sum_i a_i", another function.  Not folded then.
    return folded if folded.free_symbols <= expr.free_symbols else expr


def linearize_sums(expr):
    """Sum(a*f(i) + b*g(i)) -> a*Sum(f(i)) + b*Sum(g(i)) for factors a, b free of i."""
    def lin(s):
        (var, lo, hi), = s.limits
        body = sp.expand(s.function)
        out = sp.S.Zero
        for term in sp.Add.make_args(body):
            indep = [f for f in sp.Mul.make_args(term) if var not in f.free_symbols]
            dep = [f for f in sp.Mul.make_args(term) if var in f.free_symbols]
            inner = sp.Mul(*dep)
            out += sp.Mul(*indep) * (sp.Sum(inner, (var, lo, hi)) if dep else (hi - lo + 1))
        return out
    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, lin)


def _height(e) -> int:
    inner = [a for a in e.function.atoms(sp.Sum)] if isinstance(e, sp.Sum) else list(e.atoms(sp.Sum))
    return 1 + max((_height(a) for a in inner), default=0) if isinstance(e, sp.Sum) else \
        max((_height(a) for a in inner), default=0)


def canonical_sums(expr, prefix="kappa"):
    """Shift every sum to start at 1 and name its variable by its nesting height, bottom up, so
    equal sums are equal objects and a nested sum never captures an outer variable."""
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        (var, lo, hi), = expr.limits
        body = canonical_sums(expr.function, prefix)
        k = sp.Symbol(f"{prefix}_{_height(sp.Sum(body, (var, lo, hi)))}", integer=True, positive=True)
        body = body.xreplace({var: k + lo - 1})
        return sp.Sum(sp.expand(body) if body.is_Add else body, (k, 1, sp.expand(hi - lo + 1)))
    args = [canonical_sums(a, prefix) for a in expr.args]
    return expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr


def _normal_term(coeff, f, lims):
    """coeff * Sum(f, lims) with f a monomial: drop unused variables, shift to 1, rename canonically."""
    used = []
    for v, lo, hi in lims:
        if v in f.free_symbols:
            used.append((v, lo, hi))
        else:
            coeff *= (hi - lo + 1)
    if not used:
        return coeff * f
    shifted, ranges = f, []
    tmp = [sp.Dummy(f"t{k}", integer=True) for k in range(len(used))]
    for (v, lo, hi), t in zip(used, tmp):
        shifted = shifted.xreplace({v: t + lo - 1})
        ranges.append(sp.expand(hi - lo + 1))
    best = None
    for perm in itertools.permutations(range(len(used))):
        names = [sp.Symbol(f"kappa_{perm[k] + 1}", integer=True, positive=True) for k in range(len(used))]
        body = sp.expand(shifted.xreplace(dict(zip(tmp, names))))
        lims2 = tuple(sorted(((names[k], 1, ranges[k]) for k in range(len(used))), key=lambda l: str(l[0])))
        key = (sp.srepr(body), str(lims2))
        if best is None or key < best[0]:
            best = (key, body, lims2)
    _, body, lims2 = best
    indep = [x for x in sp.Mul.make_args(body) if not x.free_symbols & {l[0] for l in lims2}]
    dep = [x for x in sp.Mul.make_args(body) if x.free_symbols & {l[0] for l in lims2}]
    return coeff * sp.Mul(*indep) * sp.Sum(sp.Mul(*dep), *lims2)


def _expand_sum(f, lims):
    """(monomial, limits) pairs of sum_{lims} f, nested sums pulled out with fresh bound names."""
    out = []
    for mono in sp.Add.make_args(sp.expand(f)):
        sums = [x for x in sp.Mul.make_args(mono) if isinstance(x, sp.Sum)]
        if not sums:
            out.append((mono, list(lims)))
            continue
        sm = sums[0]
        rest = sp.Mul(*[x for x in sp.Mul.make_args(mono) if x is not sm])
        fresh = {v: sp.Dummy(str(v), integer=True) for v, _, _ in sm.limits}
        inner = sm.function.xreplace(fresh)
        inner_lims = [(fresh[v], lo.xreplace(fresh), hi.xreplace(fresh)) for v, lo, hi in sm.limits]
        out += _expand_sum(rest * inner, list(lims) + inner_lims)
    return out


def normal_sums(expr):
    """Every sum as a sum of coeff * Sum(monomial) in a canonical form (nested sums and products of
    sums merged, bound names canonical), so equal sums compare equal."""
    def walk(e):
        if isinstance(e, sp.Sum):
            # sums inside a summand's functions (a max, a log) named canonically too, by height under
            # another prefix: the summand's own variables become kappa_k and none is captured
            body = canonical_sums(e.function, "iota")
            return sp.Add(*[_normal_term(sp.S.One, mono, lims)
                            for mono, lims in _expand_sum(body, e.limits)])
        if not isinstance(e, sp.Basic) or not e.args:
            return e
        args = [walk(a) for a in e.args]
        return e.func(*args) if any(a is not b for a, b in zip(args, e.args)) else e
    expr = walk(expr)
    if not expr.has(sp.Sum):
        return expr
    out = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(expr)):
        if sum(isinstance(x, sp.Sum) for x in sp.Mul.make_args(term)) < 2:
            out += term
            continue
        for mono, lims in _expand_sum(term, []):
            out += _normal_term(sp.S.One, mono, lims)
    return out


def _index_pair(d, ranges):
    idx = set(ranges)
    for e in sorted(d.atoms(sp.KroneckerDelta, sp.Eq, sp.Ne), key=sp.default_sort_key):
        a, b = e.args[:2]
        if a in idx and b in idx and a != b:
            return a, b
    return None


def index_cases(d, ranges, depth=0):
    """Split on i = j / i != j for index pairs in deltas and case conditions."""
    pair = _index_pair(d, ranges) if depth < 4 else None
    if pair is None:
        return [d]
    a, b = pair
    same = d.xreplace({b: a})
    differ = d.replace(lambda e: isinstance(e, sp.KroneckerDelta) and set(e.args[:2]) == {a, b},
                       lambda e: sp.S.Zero)
    differ = differ.xreplace({sp.Eq(a, b): sp.false, sp.Eq(b, a): sp.false,
                              sp.Ne(a, b): sp.true, sp.Ne(b, a): sp.true})
    return index_cases(sp.piecewise_fold(same), ranges, depth + 1) + \
        index_cases(sp.piecewise_fold(differ), ranges, depth + 1)


def _indicator_form(p):
    r"""A two-way case ``(a if c else b)`` with one value 0, written as value times an indicator
    :math:`v\,[c]` with ``c`` a strict ``>``/``>=`` comparison (``(0 if m <= 0 else -x)`` is
    :math:`-x\,[m > 0]`), so the same case written two ways compares equal; any other case as written."""
    if len(p.args) != 2 or p.args[1].cond is not sp.true:
        return p
    (a, c), (b, _) = p.args
    if isinstance(c, (sp.LessThan, sp.StrictLessThan)):
        a, b, c = b, a, c.negated
    if not isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan)):
        return p
    if b == 0 and a != 0:
        return a * sp.Piecewise((1, c), (0, True))
    return p


def _sum_of_indicator(s):
    r"""``Sum`` of a two-way case with one value 0 (``sum_k (v if c_k else 0)``): the factors of ``v`` free of
    the sum's variables taken out, :math:`v' \sum_k v''\,[c_k]` (SymPy's ``Sum`` folds a factor back into a
    case, so it is taken out here rather than left to the linearisation)."""
    f = _indicator_form(s.function) if isinstance(s.function, sp.Piecewise) else s.function
    if not isinstance(f, sp.Mul):
        return s
    bound = {v for v, *_ in s.limits}
    pw = [x for x in f.args if isinstance(x, sp.Piecewise)]
    if len(pw) != 1:
        return s
    indep = [x for x in f.args if x is not pw[0] and not x.free_symbols & bound]
    dep = [x for x in f.args if x is not pw[0] and x.free_symbols & bound]
    if not indep:
        return s
    (one, c), _ = pw[0].args
    return sp.Mul(*indep) * sp.Sum(sp.Piecewise((sp.Mul(*dep) * one, c), (0, True)), *s.limits)


def _indicators(d):
    if not d.has(sp.Piecewise):
        return d
    d = d.replace(lambda x: isinstance(x, sp.Piecewise), _indicator_form)
    return d.replace(lambda x: isinstance(x, sp.Sum) and x.function.has(sp.Piecewise), _sum_of_indicator)


def _normal(e, ranges):
    d = doit_sums(_indicators(sp.sympify(e)))
    for _ in range(3):
        d = clean_ranges(d, ranges)
        # (the range guards fold a factor back into a case: written as value times indicator again)
        d = doit_sums(linearize_sums(_indicators(d)))
        d = clean_ranges(d, ranges)
    return normal_sums(linearize_sums(_indicators(d)))


def zero_for_all_n(diff, ranges: dict, given: list, is_zero, multiples=(), inverses=()) -> bool:
    """True if ``diff`` is 0 for every size and every index value in its declared range.

    ``multiples``: entries (at the same indices) of given arrays that are 0: ``diff`` equal to a nonzero
    constant times one of them is 0 wherever the given holds (``X^T y - X^T X w = -1/2 * 2 X^T (X w - y)``);
    ``inverses``: see :func:`contract_inverses`."""
    d = _normal(diff, ranges)
    if inverses:
        d = clean_ranges(contract_inverses(d, inverses, ranges), ranges)
    for g in given:
        g = normal_sums(linearize_sums(doit_sums(sp.sympify(g))))
        sums = list(g.atoms(sp.Sum))
        if len(sums) == 1:
            rest = sp.solve(g, sums[0])
            if rest:
                d = d.xreplace({sums[0]: rest[0]})
    ms = [_normal(m, ranges) for m in multiples]
    atoms = {}
    for s in sorted(set().union(d.atoms(sp.Sum), *(m.atoms(sp.Sum) for m in ms)), key=sp.default_sort_key):
        positive = s.function.is_positive or s.function.has(sp.exp) and s.function.func == sp.exp
        atoms[s] = sp.Dummy("S", positive=True) if positive else sp.Dummy("S", real=True)
    d = d.xreplace(atoms)
    if d.has(sp.Sum, sp.Derivative, sp.Subs):
        return False
    for m in ms:
        m = m.xreplace(atoms)
        if m != 0 and not m.has(sp.Sum, sp.Derivative, sp.Subs, sp.Piecewise) and not d.has(sp.Piecewise):
            ratio = sp.cancel(sp.expand(d) / sp.expand(m))
            if ratio.is_Number and ratio != 0:
                return True
    return all(is_zero(case) for case in index_cases(d, ranges))


def _contract_once(term, inverses):
    r"""One contraction :math:`\sum_k A_{xk} W_{ky} = \delta_{xy}` (or :math:`W_{xk} A_{ky}`) in
    ``coeff * Sum(monomial, limits)``, where ``W`` names :math:`A^{-1}`; with both symmetric any
    orientation is the same product.  ``k`` must sweep the whole inner range and occur nowhere else."""
    sums = [x for x in sp.Mul.make_args(term) if isinstance(x, sp.Sum)]
    if len(sums) != 1:
        return None
    s = sums[0]
    coeff = sp.Mul(*[x for x in sp.Mul.make_args(term) if x is not s])
    if s.free_symbols & coeff.free_symbols & {v for v, _, _ in s.limits}:
        return None
    factors = sp.Mul.make_args(s.function)
    for n_lim, (k, lo, hi) in enumerate(s.limits):
        with_k = [f for f in factors if k in f.free_symbols]
        if any(k in (lo2.free_symbols | hi2.free_symbols) for v2, lo2, hi2 in s.limits if v2 != k):
            continue  # another variable's range depends on k: not a product over the whole range
        if len(with_k) != 2 or not all(isinstance(f, MatrixElement) for f in with_k):
            continue
        for a_parent, w_parent, both_symmetric in inverses:
            n = a_parent.shape[0]
            parents = [f.parent for f in with_k]
            if sorted(map(str, parents)) != sorted(map(str, (a_parent, w_parent))):
                continue
            a_el = with_k[0] if with_k[0].parent == a_parent else with_k[1]
            w_el = with_k[1] if a_el is with_k[0] else with_k[0]
            # (outer of A, inner of A, inner of W, outer of W) for A W and for W A
            shapes = [(a_el.i, a_el.j, w_el.i, w_el.j), (w_el.i, w_el.j, a_el.i, a_el.j)]
            if both_symmetric:
                shapes = [(p, q, u, v) for p, q in ((a_el.i, a_el.j), (a_el.j, a_el.i))
                          for u, v in ((w_el.i, w_el.j), (w_el.j, w_el.i))]
            for x, inner, inner2, y in shapes:
                if sp.expand(inner - inner2) != 0 or k in (x.free_symbols | y.free_symbols):
                    continue
                if sp.diff(inner, k) != 1 or sp.expand(inner - k).has(k):
                    continue
                if sp.expand(inner.xreplace({k: lo})) != 0 or sp.expand(inner.xreplace({k: hi}) - (n - 1)) != 0:
                    continue
                rest = sp.Mul(*[f for f in factors if f not in with_k]) * sp.KroneckerDelta(x, y)
                lims = s.limits[:n_lim] + s.limits[n_lim + 1:]
                return coeff * (sp.Sum(rest, *lims) if lims else rest)
    return None


def contract_inverses(expr, inverses, ranges=None):
    r"""Every contraction :math:`A A^{-1} = A^{-1} A = I` found in the (normalized) sums of ``expr``,
    the deltas summed again.  ``inverses``: ``(A, W, both_symmetric)`` with ``W`` the symbol standing
    for :math:`A^{-1}`; a true identity for every invertible ``A``, so nothing here can prove a false claim."""
    for _ in range(8):
        changed, out = False, sp.S.Zero
        for term in sp.Add.make_args(sp.expand(expr)):
            new = _contract_once(term, inverses)
            changed |= new is not None
            out += term if new is None else new
        if not changed:
            return expr
        expr = normal_sums(clean_ranges(doit_sums(out), ranges or {}))
    return expr
