r"""Equations ``lhs = rhs``: a proof for every size in index notation, or entry by entry at explicit sizes."""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.core.function import AppliedUndef

from ..mathematics.arrays import (ArgumentJacobian, GenericArgPartial, GenericEntryPartial, GenericPartial, Grad, Hessian, Jacobian,
                                  Norm, SoftmaxVec, is_array)
from ..mathematics.indexsums import zero_for_all_n
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from ..mathematics.zero import is_zero
from .derivation import evaluate
from .interpret import ClaimError
from .outcome import Outcome
from .sampling import check_ranges as _check_ranges, explicit as _explicit, scalarize as _scalarize, size_assignments
from .search import search as _search
from . import lineargiven

__all__ = ["judge_equation", "general_proof", "given_facts", "symmetrize", "distinct_deltas"]


def _entries(x, shape):
    if is_array(x):
        d = _dense(x)
        return [[d[i, j] for j in range(shape[1])] for i in range(shape[0])]
    return [[x]]


def _dense(x):
    r"""An array expression at explicit sizes as the matrix of its entries: products, sums and transposes
    carried out on the entries of their factors (:math:`(AB)_{ij} = \sum_k A_{ik} B_{kj}` written out), each
    factor indexed once; SymPy's own indexing spells out the sum for each entry again."""
    if not all(sp.sympify(n).is_Integer for n in x.shape):
        return x
    if isinstance(x, sp.Transpose):
        return _dense(x.arg).T
    if isinstance(x, sp.MatAdd):
        out = _dense(x.args[0])
        for a in x.args[1:]:
            out = out + _dense(a)
        return sp.ImmutableMatrix(out)
    if isinstance(x, sp.MatMul):
        scalar, out = sp.Integer(1), None
        for a in x.args:
            if is_array(a):
                out = _dense(a) if out is None else sp.ImmutableMatrix(out * _dense(a))
            else:
                scalar = scalar * a
        if out is not None:
            return sp.ImmutableMatrix(scalar * out) if scalar != 1 else out
    if isinstance(x, sp.MatrixBase):
        return x
    return sp.ImmutableMatrix(int(x.shape[0]), int(x.shape[1]), lambda i, j: x[i, j])


def _symmetric_matrix(g):
    """``X - X^T`` (either sign) -> X, else None."""
    if not isinstance(g, sp.MatAdd) or len(g.args) != 2:
        return None
    a, b = g.args
    for x, y in ((a, b), (b, a)):
        if isinstance(x, sp.MatrixSymbol) and y == -sp.Transpose(x) or (
                isinstance(y, sp.MatMul) and y.args[0] == -1 and y.args[-1] == sp.Transpose(x)):
            return x
    return None


def given_facts(given, scope):
    """The given facts as the judges use them: matrices known symmetric (given ``A = A^T`` or declared
    ``symmetric``/``positive definite``), and the equations left to substitute (``\\sum_j y_j = 1`` for a
    ``simplex`` vector included)."""
    symmetric, rest = set(), []
    for d in scope.symbols.values():
        words = set(d.domain.split())
        if d.kind == "matrix" and words & {"symmetric", "positive_definite"}:
            symmetric.add(d.obj)
        if d.kind == "vector" and "simplex" in words:
            k = sp.Dummy("k", integer=True)
            rest.append(sp.Sum(d.obj[k - 1, 0], (k, 1, d.obj.shape[0])) - 1)
    for g in given:
        x = _symmetric_matrix(g) if is_array(g) else None
        if x is not None:
            symmetric.add(x)
        else:
            rest.append(g)
    return symmetric, rest


def symmetrize(e, symmetric):
    """A symmetric matrix's transpose is itself, and its entries (i, j) and (j, i) are one entry
    (matched by name, so the rule holds at every explicit size too)."""
    if not symmetric or not isinstance(e, sp.Basic):
        return e
    names = {x.name for x in symmetric}
    e = e.replace(lambda a: isinstance(a, sp.Transpose) and isinstance(a.arg, sp.MatrixSymbol)
                  and a.arg.name in names, lambda a: a.arg)

    def canon(me):
        i, j = me.i, me.j
        if sp.default_sort_key(j) < sp.default_sort_key(i):
            return me.parent[j, i]
        return me
    return e.replace(lambda a: isinstance(a, MatrixElement) and isinstance(a.parent, sp.MatrixSymbol)
                     and a.parent.name in names, canon)


#: a declared interval's ends as sign conditions (the signs themselves are the symbol's assumptions)
_INTERVAL_ENDS = {"(0,1)": ("-",), "[0,1)": ("-",)}


def interval_conditions(scope, symbols) -> list:
    r"""The declared upper ends of the symbols' intervals as sign conditions for the zero test:
    :math:`\beta \in (0, 1)` gives :math:`\beta - 1 < 0` (its :math:`\beta > 0` is an assumption)."""
    out = []
    for d in scope.symbols.values():
        if d.obj in symbols and isinstance(d.obj, sp.Symbol):
            for w in d.domain.split():
                out += [(d.obj - 1, sgn) for sgn in _INTERVAL_ENDS.get(w, ())]
    return out


def distinct_deltas(e, pairs, iv=None):
    r"""``e`` with every Kronecker delta of two indices a given ``a \ne b`` keeps apart set to 0.

    :math:`\delta_{pq} = 1` exactly where :math:`p = q`; when :math:`p - q = \pm(a - b)` (at the index values
    ``iv`` of this entry, which may fix one of them: ``\delta_{0, y_i - 1}`` at :math:`j = 1`) that is
    :math:`a = b`, which the given excludes.  Any other delta is left as it is."""
    if not pairs or not isinstance(e, sp.Basic) or not e.has(sp.KroneckerDelta):
        return e
    iv = iv or {}
    gaps = [sp.expand(sp.sympify(a - b).xreplace(iv)) for a, b in pairs]

    def apart(d):
        g = sp.expand(d.args[0] - d.args[1])
        return any(g != 0 and (sp.expand(g - h) == 0 or sp.expand(g + h) == 0) for h in gaps)
    return e.replace(lambda x: isinstance(x, sp.KroneckerDelta) and apart(x), lambda x: sp.Integer(0))


def _distinct_values(iv, pairs) -> bool:
    """The index values of this entry keep every given pair apart (a pair not both fixed here: True)."""
    return all(not (a in iv and b in iv and iv[a] == iv[b]) for a, b in pairs)


def _refutation_apart(out, pairs) -> bool:
    """A counterexample respects ``a \ne b`` only where both indices have values there and they differ; an
    index left free in it could sit at the excluded value."""
    point = {str(k): v for k, v in (out.point or {}).items()}
    for a, b in pairs:
        va, vb = point.get(str(a)), point.get(str(b))
        if va is None or vb is None or sp.sympify(va) == sp.sympify(vb):
            return False
    return True


def judge_equation(lhs, rhs, claim, scope, defs, given) -> Outcome:
    pairs = list(getattr(scope, "distinct", ()))
    if pairs:
        scope.distinct_used = True
    out = _judge_equation(lhs, rhs, claim, scope, defs, given, pairs)
    if pairs and out.verdict == "refuted" and not _refutation_apart(out, pairs):
        return Outcome("undecided", "a counterexample that does not fix the indices a given keeps apart "
                       f"({', '.join(f'{L(a)} != {L(b)}' for a, b in pairs)}) is not used: {out.reason}")
    return out


def _judge_equation(lhs, rhs, claim, scope, defs, given, pairs) -> Outcome:
    steps = []
    decls_by_name = {d.spelling: d for d in scope.symbols.values()}
    symmetric, given = given_facts(given, scope)
    if symmetric:
        lhs, rhs = symmetrize(lhs, symmetric), symmetrize(rhs, symmetric)
        defs = {k: symmetrize(v, symmetric) for k, v in defs.items()}
        steps.append(("symmetric: $" + ", ".join(L(x) for x in sorted(symmetric, key=str)) + "$",
                      ", ".join(f"{L(x)}^T = {L(x)}" for x in sorted(symmetric, key=str))))
    # Shapes first: a mismatch is a refutation with the shapes as counterexample.
    if is_array(lhs) or is_array(rhs):
        ls = lhs.shape if is_array(lhs) else (1, 1)
        rs = rhs.shape if is_array(rhs) else (1, 1)
        if any(sp.simplify(a - b) != 0 for a, b in zip(ls, rs)):
            return Outcome("refuted", f"shapes differ: left side is {ls[0]}x{ls[1]}, right side is {rs[0]}x{rs[1]}",
                            counterexample={"shapes": {"lhs": str(ls), "rhs": str(rs)}})
    # 1. symbolic sizes (scalars: this is the whole proof)
    has_arrays = is_array(lhs) or is_array(rhs) or any(d.is_array for d in scope.symbols.values()
                                                        if d.obj in _all_symbols(lhs, rhs, defs))
    free_idx = sorted({d.obj for d in scope.symbols.values() if d.kind == "index"}
                      & (_free(lhs) | _free(rhs)), key=str)
    if not has_arrays:
        lv, rv = evaluate(lhs, defs), evaluate(rhs, defs)
        steps.append(("substitute the definitions and differentiate", f"{L(lv)} \\;\\text{{vs}}\\; {L(rv)}"))
        infinite = _infinite_sides(lv, rv, steps)
        if infinite is not None:
            return infinite
        diff, solved = _apply_given(distinct_deltas(elementary(lv - rv), pairs), given, {}, decls_by_name)
        if solved:
            steps.append(("the given facts substituted", ", ".join(f"{L(k)} = {L(v)}" for k, v in solved.items())))
        z = is_zero(diff, within=interval_conditions(scope, diff.free_symbols))
        if z:
            steps.append(("rewrite with elementary definitions; lhs - rhs simplifies to", "0"))
            return Outcome("proved", "both sides reduce to the same expression", steps=steps)
        return _search(diff, lv.xreplace(solved), rv.xreplace(solved), claim, scope, steps, defs=defs,
                       derived_inputs=solved)
    # 2. index notation at symbolic sizes (accepted only if the explicit sizes below agree)
    general, general_steps = general_proof(lhs, rhs, scope, defs, given, symmetric, pairs)
    # 3. explicit sizes, every index value
    proved_sizes = []
    assignments = size_assignments(scope, claim)
    if not general and lineargiven.applies(lhs, rhs, defs, given):
        out = _with_linear_given(lhs, rhs, scope, given, assignments)
        if out is not None:
            return out
    if general:
        # proved for every size: the independent re-check evaluates it entry by entry at explicit sizes
        # (numerically, so a silent 0 of SymPy's matrix calculus cannot pass), no symbolic repeat needed;
        # but an index outside its array is found only at an explicit size, so the smallest one is read
        for sizes in assignments[:1] if _may_leave_range([lhs, rhs, *defs.values()], scope) else []:
            ex_defs = {_explicit(k, sizes, {}): _explicit(v, sizes, {}) for k, v in defs.items()}
            l0, r0 = _explicit(lhs, sizes, {}), _explicit(rhs, sizes, {})
            for _, _, _, lv, rv in _entry_values(l0, r0, ex_defs, sizes, free_idx, scope, symmetric, pairs):
                _check_ranges(lv, decls_by_name)
                _check_ranges(rv, decls_by_name)
        return Outcome("proved", "proved for every size in index notation (re-checked entry by entry at explicit "
                       "sizes)", steps=general_steps)
    for sizes in assignments:
        ex_defs = {_explicit(k, sizes, {}): _explicit(v, sizes, {}) for k, v in defs.items()}
        l0, r0 = _explicit(lhs, sizes, {}), _explicit(rhs, sizes, {})
        shape = l0.shape if is_array(l0) else (r0.shape if is_array(r0) else (1, 1))
        for (iv, le), a, b, lv, rv in _entry_values(l0, r0, ex_defs, sizes, free_idx, scope, symmetric, pairs):
            _check_ranges(lv, decls_by_name)  # before any cancellation hides them
            _check_ranges(rv, decls_by_name)
            if _zero_with_partials_opaque(lv, rv, given, sizes, decls_by_name, symmetric):
                continue
            given_back = {}
            lv, rv, diff, back, solved = _entry_difference(lv, rv, given, sizes, decls_by_name, symmetric, given_back)
            if is_zero(diff):
                continue
            where = {str(k): int(v) for k, v in list(sizes.items()) + list(iv.items())}
            if shape != (1, 1):
                where["entry"] = f"({a + 1},{b + 1})"
            lvs, back_l = _scalarize(lv, decls_by_name)
            rvs, back_r = _scalarize(rv, decls_by_name)
            out = _search(diff, _settled(lvs, solved, decls_by_name), _settled(rvs, solved, decls_by_name),
                          claim, scope, steps, where,
                          decls_by_name, defs=ex_defs, back={**given_back, **back_l, **back_r, **back},
                          derived_inputs=solved)
            if out.point is not None:
                out.point.update({**sizes, **iv})
                out.entry = (a, b)
            if out.verdict == "refuted":
                form = _matrix_form(lhs, scope, defs, given, symmetric)
                if form is not None:
                    out.corrected = f"{L(lhs)} = {L(form)}"
                    return out
            if out.verdict == "refuted" and out.derived is not None and not out.instantiated:
                if shape != (1, 1):  # name the entry of the array, not its expanded form
                    inst = sp.Symbol(r"\left[%s\right]_{%s}" % (L(lhs), f"{a + 1}" if shape[1] == 1
                                                                   else f"{a + 1},{b + 1}"))
                else:
                    inst, _ = _scalarize(le[a][b], decls_by_name)
                at = ", ".join(f"{k}={v}" for k, v in where.items())
                value = _in_claim_terms(_apply_given(out.derived, given, sizes, decls_by_name)[0],
                                        ex_defs, decls_by_name)
                if sp.count_ops(value) <= 40 and sp.count_ops(inst) <= 40:
                    out.corrected = f"{L(inst)} = {L(value)} \\quad \\text{{(at {at})}}"
                else:
                    out.derived = None
            return out
        proved_sizes.append({str(k): int(v) for k, v in sizes.items()})
    steps.append(("at each explicit size, every entry of lhs - rhs reduces to", "0"))
    sz = ", ".join(",".join(f"{k}={v}" for k, v in s.items()) for s in proved_sizes)
    if general and not sz:
        return Outcome("proved", "both sides agree entry by entry (index notation, cross-checked on the "
                        "explicit entries)", steps=general_steps + steps)
    if general:
        return Outcome("proved", f"proved for every size in index notation, and cross-checked entry by entry "
                        f"at sizes {sz}", steps=general_steps + steps)
    if not sz:
        return Outcome("proved", "every entry of lhs - rhs reduces to 0", steps=steps)
    return Outcome("proved", f"proved at explicit sizes {sz} (not for general size)",
                    steps=steps, sizes=proved_sizes)


_OPAQUE = (sp.Determinant, sp.Inverse, sp.Trace, sp.MatPow)


def _with_linear_given(lhs, rhs, scope, given, assignments):
    """A claim that inverts a matrix expression, with a given matrix equation (:mod:`.lineargiven`): proved at
    matrix level and cross-checked at exact rational points satisfying the facts, or refuted at such a point;
    None where neither settles it (the entry-by-entry path goes on)."""
    try:
        proof = lineargiven.rewrite_proof(lhs, rhs, given)
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        proof = None                # a product this rewriting cannot take apart: no matrix-level proof
    checked = []
    for sizes in assignments:
        for point, d in lineargiven.rational_points(lhs, rhs, given, scope, sizes):
            bad = next(((i, j) for i in range(d.shape[0]) for j in range(d.shape[1]) if d[i, j] != 0), None)
            if bad is None:
                checked.append(sizes)
                continue
            where = ", ".join(f"{k}={v}" for k, v in sizes.items())
            if proof is not None:
                return Outcome("undecided", "the matrix-level proof and the exact evaluation at a point satisfying "
                               f"the given facts ({where}, entry {bad[0] + 1},{bad[1] + 1}) disagree")
            ce = {str(k): str(v) for k, v in point.items()}
            ce["entry"] = f"({bad[0] + 1},{bad[1] + 1})"
            at = ", ".join(f"{L(k)} = {v}" for k, v in point.items() if isinstance(k, MatrixElement))
            return Outcome("refuted", f"counterexample at {where}: entry ({bad[0] + 1},{bad[1] + 1}) of lhs - rhs "
                           f"is {d[bad]} at exact inputs satisfying the given facts (${at}$)",
                           counterexample=ce, point=dict(point), entry=bad)
    if proof is not None and checked:
        sz = "; ".join(dict.fromkeys(",".join(f"{k}={v}" for k, v in s.items()) for s in checked))
        return Outcome("proved", "proved for every size at matrix level (the given fact substituted, inverses "
                       f"cancelled), cross-checked entry by entry at exact points satisfying the given at sizes {sz}",
                       steps=proof)
    return None


def _matrix_form(lhs, scope, defs, given, symmetric):
    """The corrected right side of a refuted gradient or Jacobian in matrix form ((A + A^T) x, not one entry
    at n = 2): SymPy's matrix derivative as a candidate, kept only when the index-notation proof shows it
    equal to the left side for every size (SymPy's matrix calculus alone can be silently wrong)."""
    if not isinstance(lhs, (Grad, Jacobian)) and not (isinstance(lhs, sp.Transpose) and
                                                       isinstance(lhs.arg, (Grad, Jacobian))):
        return None
    inner = lhs.arg if isinstance(lhs, sp.Transpose) else lhs
    f, var = inner.args
    try:
        f = evaluate(f, defs) if defs else f
        if not isinstance(f, sp.MatrixExpr) or f.atoms(MatrixElement) or not isinstance(var, sp.MatrixSymbol):
            return None
        cand = sp.diff(f, var)
        if isinstance(cand, sp.MatrixExpr) and tuple(cand.shape) != tuple(inner.shape) and \
                tuple(cand.T.shape) == tuple(inner.shape):
            cand = cand.T
        if isinstance(lhs, sp.Transpose):
            cand = cand.T
        if not is_array(cand) or tuple(cand.shape) != tuple(lhs.shape) or cand.has(sp.Derivative):
            return None
        ok, _ = general_proof(lhs, cand, scope, defs, given, symmetric)
    except Exception:          # SymPy's matrix calculus has many gaps: then there is no matrix form
        return None
    return sp.simplify(cand) if ok else None


def _may_leave_range(exprs, scope) -> bool:
    """Whether an entry index might fall outside its array: anything but a declared index over exactly
    that dimension (or a number inside it) might, and is then checked at an explicit size."""
    ranges = {d.obj: d.dims[0] for d in scope.symbols.values() if d.kind == "index"}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for me in sp.preorder_traversal(e):
            if not isinstance(me, MatrixElement):
                continue
            for idx, dim in ((me.i, me.parent.shape[0]), (me.j, me.parent.shape[1])):
                idx = sp.sympify(idx)
                if idx.is_Integer:
                    if idx < 0 or (dim.is_Integer and idx >= dim):
                        return True
                    continue
                one_based = idx + 1
                if one_based not in ranges or sp.simplify(ranges[one_based] - dim) != 0:
                    return True
    return False


def _entrywise_ops(e):
    """Determinants, traces and inverses of matrices of explicit size written out in their entries, so that
    a sample point (which gives the entries values) reaches them; left whole, they were never evaluated."""
    def explicit(m):
        return all(getattr(d, "is_Integer", False) for d in m.shape)
    return e.replace(lambda x: isinstance(x, (sp.Determinant, sp.Trace)) and explicit(x.arg),
                     lambda x: (x.arg.as_explicit().det() if isinstance(x, sp.Determinant)
                                else x.arg.as_explicit().trace()))


def _entry_difference(lv, rv, given, sizes, decls_by_name, symmetric, given_back):
    """One entry's two sides written out (determinants and traces in their entries, symmetric matrices
    symmetrised) and their difference in scalars with the given facts applied:
    ``(lv, rv, diff, back, solved)``."""
    lv = symmetrize(_entrywise_ops(sp.sympify(lv).doit()), symmetric)
    rv = symmetrize(_entrywise_ops(sp.sympify(rv).doit()), symmetric)
    diff, back = _scalarize(symmetrize(elementary(sp.sympify(lv - rv).doit()), symmetric), decls_by_name)
    diff, solved = _apply_given(diff, given, sizes, decls_by_name, given_back)
    return lv, rv, diff, back, solved


def _zero_with_partials_opaque(lv, rv, given, sizes, decls_by_name, symmetric) -> bool:
    r"""``lv - rv`` is 0 with every first partial derivative of an undefined function held as an opaque
    name: :math:`\partial_k L` at the point :math:`(u_1, \dots, u_m)` is one name, whether it is written
    ``Subs(Derivative(L(.., xi, ..), xi), xi, u_k)`` or comes from the chain rule
    :math:`\tfrac{d}{dv} L(u) = \sum_k \partial_k L(u)\, \tfrac{du_k}{dv}`, applied here.

    A zero of the abstraction is a zero of the expression (the names stand for any values, these among them);
    otherwise (or where a higher or mixed derivative is met) the caller goes on with the full reading.  SymPy's
    own chain rule builds a ``Subs`` per argument and re-substitutes the point into it: seconds per entry of
    a 5 x 10 gradient through a generic function of 15 entries."""
    names: dict = {}
    def partial(func, k, args):
        return names.setdefault((func, k, args), sp.Dummy("partial"))
    def is_first_partial(a):
        return isinstance(a, sp.Subs) and isinstance(a.expr, sp.Derivative) and len(a.variables) == 1 \
            and isinstance(a.expr.expr, AppliedUndef) and a.expr.variable_count == ((a.variables[0], 1),) \
            and list(a.expr.expr.args).count(a.variables[0]) == 1
    def from_subs(a):
        (xi,), (u,) = a.variables, a.point
        f = a.expr.expr
        k = f.args.index(xi)
        return partial(f.func, k, f.args[:k] + (u,) + f.args[k + 1:])
    def is_chain(a):
        return isinstance(a, sp.Derivative) and isinstance(a.expr, AppliedUndef) and len(a.variable_count) == 1 \
            and a.variable_count[0][1] == 1
    def chain(a):
        f, ((v, _),) = a.expr, a.variable_count
        return sp.Add(*[sp.diff(u, v) * partial(f.func, k, f.args) for k, u in enumerate(f.args) if u.has(v)])
    def opaque(e):
        if not isinstance(e, sp.Basic) or not e.has(AppliedUndef):
            return e
        e = e.replace(is_first_partial, from_subs)
        return e.replace(is_chain, chain)
    try:
        lq, rq = opaque(lv), opaque(rv)
        if not names or any(q.has(sp.Derivative, sp.Subs) for q in (lq, rq) if isinstance(q, sp.Basic)):
            return False
        diff = _entry_difference(lq, rq, given, sizes, decls_by_name, symmetric, {})[2]
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        return False
    return bool(is_zero(diff))


def _entry_values(l0, r0, ex_defs, sizes, free_idx, scope, symmetric, pairs=()):
    """Every entry of both sides at explicit sizes and index values, definitions substituted (not simplified):
    ``((index values, lhs entries), row, col, lhs entry, rhs entry)``.  Index values a given ``a \\ne b``
    excludes are skipped, and its Kronecker deltas are 0."""
    shape = l0.shape if is_array(l0) else (r0.shape if is_array(r0) else (1, 1))
    ranges = [range(1, int(sizes.get(_dim_of(i, scope), 1)) + 1) for i in free_idx]
    for combo in itertools.product(*ranges):
        iv = dict(zip(free_idx, map(sp.Integer, combo)))
        if not _distinct_values(iv, pairs):
            continue
        le, re_ = _entries(_explicit(l0, {}, iv), shape), _entries(_explicit(r0, {}, iv), shape)
        for a in range(int(shape[0])):
            for b in range(int(shape[1])):
                yield (iv, le), a, b, \
                    distinct_deltas(symmetrize(_at(evaluate(le[a][b], ex_defs), iv), symmetric), pairs, iv), \
                    distinct_deltas(symmetrize(_at(evaluate(re_[a][b], ex_defs), iv), symmetric), pairs, iv)


def _at(e, iv):
    """A definition's value names the claim's free indices too (L_i = -log p_{y_i}): they take this entry's
    values; ``subs`` leaves an index bound by a sum of the same name alone."""
    if not isinstance(e, sp.Basic) or not (e.free_symbols & set(iv)):
        return e
    return e.subs(iv)


def symbolic_given(given, scope, defs):
    r"""The given facts usable at symbolic size, as substitutions, and the facts left (for the sums).

    ``X = 0`` with ``X`` a declared array: every entry of ``X`` is 0.  A scalar fact linear in a declared
    scalar input ``s`` with a constant nonzero coefficient (``\rho = 1``, ``b = 1 - \rho``): ``s`` equals the
    solution exactly where the fact holds, so an identity after the substitution holds at every point
    satisfying the fact.  Indices, sizes and defined symbols are never solved for; anything else is left."""
    decl = {d.obj: d for d in scope.symbols.values()}
    sizes = {x for d in scope.symbols.values() if d.is_array for x in d.obj.shape if isinstance(x, sp.Symbol)}
    reps, rest = {}, []
    for g in given:
        g = g.xreplace(reps) if isinstance(g, sp.Basic) and reps else g
        if is_array(g):
            x = g.args[1] if isinstance(g, sp.MatMul) and len(g.args) == 2 and g.args[0] == -1 else g
            if isinstance(x, sp.MatrixSymbol) and x in decl and decl[x].is_array and x not in defs:
                reps[x] = sp.ZeroMatrix(*x.shape)
                continue
            rest.append(g)
            continue
        g = sp.sympify(g)
        target = None
        if not g.has(sp.Sum, MatrixElement, sp.Derivative, sp.Subs, sp.Piecewise):
            for s_ in sorted(g.free_symbols, key=str, reverse=True):
                d = decl.get(s_)
                if d is None or d.kind != "scalar" or s_ in sizes or s_ in defs:
                    continue
                coeff = sp.diff(g, s_)
                if coeff.is_Number and coeff != 0:
                    target = s_
                    break
        if target is None:
            rest.append(g)
            continue
        value = sp.solve(g, target)
        if len(value) != 1:
            rest.append(g)
            continue
        reps = {k: v.xreplace({target: value[0]}) for k, v in reps.items()}
        reps[target] = value[0]
    return reps, rest


def substitute_given(e, reps):
    """``e`` with the substitutions of :func:`symbolic_given`: an entry of an array given 0 is 0."""
    if not reps or not isinstance(e, sp.Basic):
        return e
    if any(v in reps for b in e.atoms(sp.Sum, sp.Integral, sp.Product, sp.Lambda)
           for v in getattr(b, "variables", ())):
        raise ValueError("a given input is a bound variable here")   # not substituted: no general proof
    zero = {x for x, v in reps.items() if isinstance(v, sp.ZeroMatrix)}
    if zero:
        e = e.replace(lambda a: isinstance(a, MatrixElement) and a.parent in zero, lambda a: sp.S.Zero)
    return e.xreplace(reps)


def _real_valued(e, real_arrays) -> bool:
    """``e`` is real for every value of its inputs: numbers, real symbols and entries of real arrays under
    +, * and integer powers (an entry ``o_j`` of a real vector has no real assumption of its own)."""
    if e.is_number:
        return bool(e.is_real)
    if isinstance(e, MatrixElement):
        return e.parent in real_arrays
    if isinstance(e, sp.Symbol):
        return bool(e.is_real)
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(_real_valued(a, real_arrays) for a in e.args)
    if isinstance(e, sp.Pow):
        return e.exp.is_Integer and _real_valued(e.base, real_arrays)
    return False


def _positive_valued(e, real_arrays) -> bool:
    """``e > 0`` for every value of its inputs: exp of a real value, positive numbers and symbols, sums of
    positive terms, products and real powers of positive factors."""
    if e.is_number:
        return bool(e.is_positive)
    if isinstance(e, sp.exp):
        return _real_valued(e.args[0], real_arrays)
    if isinstance(e, sp.Symbol):
        return bool(e.is_positive)
    if isinstance(e, sp.Sum):
        return _positive_valued(e.function, real_arrays) and all(
            (hi - lo).is_nonnegative for _, lo, hi in e.limits)
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(_positive_valued(a, real_arrays) for a in e.args)
    if isinstance(e, sp.Pow):
        return _positive_valued(e.base, real_arrays) and _real_valued(e.exp, real_arrays)
    return False


def split_positive_logs(e, real_arrays):
    r""":math:`\log(ab^k) = \log a + k \log b` and :math:`\log e^{u} = u` where every factor is positive and
    ``u`` real for every value of the inputs (the entries of declared real arrays, which SymPy cannot see at
    symbolic size); any other log is left as written."""
    def split(arg):
        out = []
        for f in sp.Mul.make_args(arg):
            base, k = (f.base, f.exp) if isinstance(f, sp.Pow) else (f, sp.S.One)
            if not _positive_valued(base, real_arrays) or not _real_valued(k, real_arrays):
                return None
            out.append(k * (base.args[0] if isinstance(base, sp.exp) else sp.log(base)))
        return sp.Add(*out)

    def rule(x):
        parts = split(x.args[0]) if len(x.args) == 1 else None
        return parts if parts is not None else x
    return e.replace(lambda x: isinstance(x, sp.log), rule) if isinstance(e, sp.Basic) and e.has(sp.log) else e


def general_proof(lhs, rhs, scope, defs, given, symmetric=frozenset(), pairs=()):
    """``lhs - rhs`` reduced to 0 in index notation at symbolic sizes, or (False, steps)."""
    ranges = {d.obj: (1, d.dims[0]) for d in scope.symbols.values() if d.kind == "index"}
    shape = lhs.shape if is_array(lhs) else (rhs.shape if is_array(rhs) else (1, 1))
    r = sp.Symbol("r", integer=True, positive=True)
    c = sp.Symbol("c", integer=True, positive=True)
    ri = r - 1 if shape[0] != 1 else 0
    ci = c - 1 if shape[1] != 1 else 0
    if shape[0] != 1:
        ranges[r] = (1, shape[0])
    if shape[1] != 1:
        ranges[c] = (1, shape[1])
    lhs, rhs, defs, inverses = _inverses_named(lhs, rhs, defs, symmetric)
    lhs, rhs = _norms_as_sums(lhs), _norms_as_sums(rhs)
    symmetric = frozenset(symmetric) | {w for _, w, sym in inverses if sym}
    try:
        le = lhs[ri, ci] if is_array(lhs) else lhs
        re_ = rhs[ri, ci] if is_array(rhs) else rhs
        lv, rv = evaluate(le, defs), evaluate(re_, defs)
        if inverses:
            lv, rv = _product_entries(lv), _product_entries(rv)
        lv, rv = symmetrize(lv, symmetric), symmetrize(rv, symmetric)
        # the given facts that fix an input hold at the point judged: substituted after differentiating
        reps, given = symbolic_given(given, scope, defs)
        lv, rv = substitute_given(lv, reps), substitute_given(rv, reps)
        real_arrays = {d.obj for d in scope.symbols.values() if d.is_array and d.domain != "complex"}
        lv, rv = split_positive_logs(lv, real_arrays), split_positive_logs(rv, real_arrays)
        if any(isinstance(a, _OPAQUE) for e in (lv, rv) for a in sp.preorder_traversal(e)):
            return False, []  # SymPy's matrix calculus on these is not trusted (silent zeros)
        # a given array equal to 0, of the claim's shape: its entry at the same (r, c) is 0
        multiples = [elementary(symmetrize(evaluate(g[ri, ci], defs), symmetric)) for g in given
                     if is_array(g) and not isinstance(g, sp.MatrixSymbol)
                     and all(sp.simplify(a - b) == 0 for a, b in zip(g.shape, shape))]
        diff = elementary(lv - rv)
        if inverses:  # a given vector equation solved entrywise, so its inverse can meet its matrix
            vector_given = [g for g in given if is_array(g) and g.shape[1] == 1]
            given = [g for g in given if g not in vector_given]
            for g in vector_given:
                diff = _entry_rule_applied(diff, g, defs, symmetric)
        ok = zero_for_all_n(distinct_deltas(diff, pairs), ranges, given, is_zero, multiples, inverses=inverses)
    except (TypeError, ValueError, NotImplementedError, AttributeError, IndexError, RecursionError):
        return False, []
    if not ok:
        return False, []
    entry = "" if shape == (1, 1) else ("entry (r)" if shape[1] == 1 else "entry (r, c)")
    return True, [(f"index notation at symbolic size: {entry} of lhs and rhs", f"{L(lv)} \\;\\text{{vs}}\\; {L(rv)}"),
                  ("sums over the whole range as atoms, index ranges from the declarations"
                   + (", the given facts applied" if given else "") + ", cases i = j and i != j: lhs - rhs", "0")]


#: nodes that differentiate: an inverse inside one is left to SymPy's (distrusted) matrix calculus
_DIFFERENTIATING = (sp.Derivative, sp.Subs, Grad, Jacobian, Hessian, ArgumentJacobian, GenericPartial, GenericArgPartial,
                    GenericEntryPartial)


_PRODUCTS = (sp.MatMul, sp.MatAdd, sp.Transpose)


def _product_entries(e, rounds=6):
    r"""Entries of products, sums and transposes of matrix symbols written out,
    :math:`(AB)_{ij} = \sum_k A_{ik} B_{kj}` (an argument such as :math:`h(-Q^{-1} c)` leaves them whole)."""
    for _ in range(rounds):
        new = e.replace(lambda a: isinstance(a, MatrixElement) and isinstance(a.parent, _PRODUCTS)
                        and all(isinstance(x, sp.MatrixSymbol) or not isinstance(x, sp.MatrixExpr)
                                for x in sp.preorder_traversal(a.parent) if not isinstance(x, _PRODUCTS)),
                        lambda a: a.parent._entry(a.i, a.j))
        if new == e:
            return e
        e = new
    return e


def _entry_rule_applied(diff, g, defs, symmetric):
    r"""A given vector equation :math:`g = 0` read at a symbolic entry ``q``: where exactly one term outside
    the sums holds ``q``, a constant times one entry (:math:`\partial_q f` or :math:`v_q`), that entry is
    solved for and put in at every index ``diff`` reads it at (the fact holds for every ``q`` in range).
    Otherwise ``diff`` is returned unchanged: a proof that does not use a fact still holds."""
    q = sp.Dummy("q", integer=True, nonnegative=True)
    gq = symmetrize(_product_entries(evaluate(g[q, 0], defs)), symmetric)
    alone = [t for t in sp.Add.make_args(sp.expand(gq)) if q in t.free_symbols and not t.has(sp.Sum)]
    if len(alone) != 1:
        return diff
    coeff, atoms = alone[0].as_coeff_mul()
    if coeff == 0 or len(atoms) != 1:
        return diff
    atom = atoms[0]
    if isinstance(atom, MatrixElement) and atom.i == q and q not in atom.j.free_symbols | atom.parent.free_symbols:
        match = lambda a: isinstance(a, MatrixElement) and a.parent == atom.parent and a.j == atom.j
        index = lambda a: a.i
    elif isinstance(atom, sp.Function) and atom.args.count(q) == 1 and not any(
            q in x.free_symbols for x in atom.args if x != q):
        pos = atom.args.index(q)
        match = lambda a: (isinstance(a, sp.Function) and a.func == atom.func and len(a.args) == len(atom.args)
                           and all(x == y for k, (x, y) in enumerate(zip(a.args, atom.args)) if k != pos))
        index = lambda a: a.args[pos]
    else:
        return diff
    value = -(gq - alone[0]) / coeff
    if any(match(a) for a in sp.preorder_traversal(value)):
        return diff
    return diff.replace(match, lambda a: value.xreplace({q: index(a)}))


def _norms_as_sums(e):
    r""":math:`\|v\| = \sqrt{\sum_k v_k^2}` for a column vector ``v`` (real entries), so its entries are read in
    index notation; a matrix's norm is left as written."""
    if not isinstance(e, sp.Basic) or not e.has(Norm):
        return e

    def as_sum(n):
        v = n.args[0]
        return n.doit() if is_array(v) and v.shape[1] == 1 else n     # sqrt((v^T v)_{11}): a sum of squares
    return e.replace(lambda a: isinstance(a, Norm), as_sum)


def _inverses_named(lhs, rhs, defs, symmetric):
    r"""Each inverse :math:`A^{-1}` of a square matrix symbol named by a matrix symbol ``W`` of its own, so that
    index notation reads its entries; ``W`` is then used only through :math:`A W = W A = I` (and
    :math:`W^T = W` for a symmetric ``A``), facts of every inverse.  Not where ``A`` is differentiated or
    defined: there ``W`` would wrongly be held constant."""
    exprs = [lhs, rhs, *defs.values()]
    found = {a.arg for e in exprs if isinstance(e, sp.Basic) for a in sp.preorder_traversal(e)
             if isinstance(a, sp.Inverse) and isinstance(a.arg, sp.MatrixSymbol)}
    names = {x.name for e in exprs + list(defs) if isinstance(e, sp.Basic) for x in e.atoms(sp.MatrixSymbol)}
    reps, inverses = {}, []
    for a in sorted(found, key=str):
        w_name = f"{a.name}^{{-1}}"
        if a.shape[0] != a.shape[1] or a in defs or w_name in names or any(
                isinstance(n, _DIFFERENTIATING) and a in n.free_symbols
                for e in exprs if isinstance(e, sp.Basic) for n in sp.preorder_traversal(e)):
            continue
        w = sp.MatrixSymbol(w_name, *a.shape)
        reps[sp.Inverse(a)] = w
        inverses.append((a, w, a in symmetric))
    if not reps:
        return lhs, rhs, defs, ()
    sub = lambda e: e.xreplace(reps) if isinstance(e, sp.Basic) else e
    return sub(lhs), sub(rhs), {k: sub(v) for k, v in defs.items()}, tuple(inverses)


def _in_claim_terms(value, ex_defs, decls_by_name):
    """Write an explicit-size result back in the claim's vector symbols where a definition allows.

    For ``a = softmax(z)`` this substitutes :math:`z_k = \\log a_k` (softmax is invertible up to a
    shift, and a shift-invariant result does not see it) and then :math:`\\sum_k a_k = 1`.
    """
    out = value
    for target, d in ex_defs.items():
        if isinstance(d, SoftmaxVec) and d.shape[0].is_Integer:
            n = int(d.shape[0])
            z, a = d.args[0], target
            zs = [_scalarize(z[k, 0], decls_by_name)[0] for k in range(n)]
            as_ = [sp.Symbol(f"{a.name}_{{{k + 1}}}", positive=True) for k in range(n)]
            cand = sp.simplify(out.xreplace({zk: sp.log(ak) for zk, ak in zip(zs, as_)}))
            cand = sp.factor(sp.simplify(cand.xreplace({as_[-1]: 1 - sum(as_[:-1])})))
            if not cand.free_symbols & set(zs):
                out = cand
    try:
        return sp.factor(sp.simplify(out))
    except Exception:
        return out


def _dim_of(idx, scope):
    for d in scope.symbols.values():
        if d.obj == idx and d.kind == "index":
            return d.dims[0]
    return None


def _settled(e, solved, decls_by_name, rounds=4):
    """``e`` with the solved inputs put in, entries whose index a solved input gives (x_{1 y_1}) named as the
    facts name them and given their values too."""
    for _ in range(rounds):
        out = e.xreplace(solved) if isinstance(e, sp.Basic) else e
        if isinstance(out, sp.Basic) and any(a.i.is_Integer and a.j.is_Integer for a in out.atoms(MatrixElement)):
            out = _scalarize(out, decls_by_name)[0]
        if out == e:
            return out
        e = out
    return e


def _apply_given(diff, given, sizes, decls_by_name, back=None):
    """Each given fact solved for one of its inputs and substituted (at explicit size, entry by entry).

    Returns ``(diff, solved)``; a fact that cannot be used is an error naming it, never dropped."""
    solved = {}
    for k, g in enumerate(given):
        g = _explicit(g, sizes, {})
        if is_array(g):
            if not all(sp.sympify(d).is_Integer for d in g.shape):
                raise ClaimError("a given matrix equation is used at explicit sizes only; judged at symbolic size "
                                 "it cannot be applied", f"given[{k}]", None)
            eqs = [g[i, j] for i in range(int(g.shape[0])) for j in range(int(g.shape[1]))]
        else:
            eqs = [g]
        for eq in eqs:
            eq, eq_back = _scalarize(elementary(sp.sympify(eq).doit()), decls_by_name)
            if back is not None:
                back.update(eq_back)     # an entry only a given fact names (x_2 of Ax = b) maps back to x[1, 0]
            eq = eq.xreplace(solved)
            if eq.is_rational_function() and not eq.is_polynomial():
                eq = sp.numer(sp.together(eq))     # earlier solutions put fractions in: 0 exactly when the numerator is
            if eq.has(sp.Sum) and sizes == {} and diff.has(sp.Sum):
                continue           # a fact about a sum at symbolic size: the index-notation proof uses it
            if eq == 0:
                continue
            if eq.free_symbols & diff.free_symbols == set() and eq.is_number:
                raise ClaimError(f"the given fact is false ({L(eq)} = 0)", f"given[{k}]", None)
            syms = sorted(eq.free_symbols & diff.free_symbols, key=str) or sorted(eq.free_symbols, key=str)
            sol, several = [], None
            inside = {x for a in _function_values(eq) for x in a.free_symbols}
            for target in reversed(syms):
                if target in inside:
                    continue      # x of f'(x): solving for it would treat f'(x) as a number that x does not move
                if isinstance(target, sp.MatrixSymbol):
                    continue      # x of x_i = 1 (an entry at an index): an entry is solved for, never the whole array
                sol = _solve_for(eq, target)
                if len(sol) == 1:
                    break
                several = several or (target if sol else None)
                sol = []
            if not sol:
                sol = _solve_for_a_value(eq, diff)
            if not sol:
                # x^2 = 4 fixes x to one of two values: substituting one of them would judge half the claim
                free_entry = next((a for a in eq.atoms(MatrixElement) if not (a.i.is_Integer and a.j.is_Integer)), None)
                why = (f"several solutions for ${L(several)}$" if several is not None else
                       f"a fact about the entry ${L(free_entry)}$ at a free index: a fact for every index is not "
                       "used yet; state it for each entry" if free_entry is not None else "no input to solve it for")
                raise ClaimError(f"the given fact {L(g)} = 0 could not be used ({why})", f"given[{k}]", None)
            solved = {s_: v.xreplace(sol[0]) for s_, v in solved.items()}
            solved.update(sol[0])
            diff = diff.xreplace(sol[0])
            if any(a.i.is_Integer and a.j.is_Integer for a in diff.atoms(MatrixElement)):
                # an entry whose index a solved input gave (x_{1 y_1} with y_1 = 1 is x_{11}): the entry as the
                # facts name it, with the values solved for it
                diff, more = _scalarize(diff, decls_by_name)
                if back is not None:
                    back.update(more)
                diff = diff.xreplace(solved)
            if diff.is_rational_function() and not diff.is_polynomial():
                diff = sp.cancel(sp.together(diff))
    return diff, solved


def _infinite_sides(lv, rv, steps):
    r"""A side that is :math:`\pm\infty` (a limit that diverges, or ``\infty`` written): proved when both are the
    same infinity, refuted when the other side is a finite real number; otherwise (an expression of inputs, an
    undirected infinity) None, for the usual path to find no real value."""
    sides = [sp.sympify(v).doit() if isinstance(v, sp.Basic) else v for v in (lv, rv)]
    if not any(v in (sp.oo, -sp.oo) for v in sides):
        return None
    a, b = sides
    steps.append(("evaluate the limits", f"{L(a)} \\;\\text{{vs}}\\; {L(b)}"))
    if a == b:
        return Outcome("proved", f"both sides are ${L(a)}$", steps=steps)
    if all(v in (sp.oo, -sp.oo) or (v.is_number and v.is_real and v.is_finite) for v in sides):
        return Outcome("refuted", f"the sides are different: lhs is ${L(a)}$, rhs ${L(b)}$", steps=steps,
                       counterexample={"lhs": str(a), "rhs": str(b)}, point={})
    return None


def _function_values(e) -> list:
    """The values of arbitrary functions at points in ``e`` (``f(a)``, ``f''(a)``), outermost only."""
    out, stack = [], [e]
    while stack:
        a = stack.pop()
        if isinstance(a, (AppliedUndef, sp.Subs, sp.Derivative)) and a.atoms(AppliedUndef):
            if a not in out:
                out.append(a)
            continue
        stack.extend(a.args)
    return sorted(out, key=sp.default_sort_key)


def _solve_for_a_value(eq, diff) -> list:
    r"""``0 = f'(a) - e f''(a) + ...`` solved for a function's value at a point that the claim names too, where
    the fact is linear in it: that value, as the fact gives it, replaces the same value in the claim (the
    value is an unknown number; the point's own inputs stay as they are)."""
    named = _function_values(diff)
    for value in _function_values(eq):
        if value not in named or any(w != value and w.has(value) for w in named):
            continue        # (inside a derivative it would be read as a fact for every input, not one value)
        u = sp.Dummy("v")
        e = eq.xreplace({value: u})
        a = sp.expand(sp.diff(e, u))
        if a.is_number and a != 0:        # a coefficient that could be 0 would be a division by it
            return [{value: sp.expand(-e.xreplace({u: 0}) / a)}]
    return []


def _solve_for(eq, target) -> list:
    """The solutions ``[{target: value}]`` of ``eq = 0``; a linear equation directly (``sp.solve`` on one entry
    of a matrix equation at explicit size takes seconds)."""
    a = sp.expand(sp.diff(eq, target))
    if a != 0 and target not in a.free_symbols:
        return [{target: sp.expand(-eq.xreplace({target: 0}) / a)}]
    try:
        return sp.solve(eq, target, dict=True)
    except (NotImplementedError, ValueError, TypeError):
        return []


def _all_symbols(*exprs):
    out = set()
    for e in exprs:
        if isinstance(e, dict):
            for k, v in e.items():
                out |= _all_symbols(k, v)
            continue
        for a in sp.preorder_traversal(e):
            if isinstance(a, (sp.Symbol, sp.MatrixSymbol)):
                out.add(a)
    return out


def _free(e):
    return {a for a in sp.preorder_traversal(e) if isinstance(a, sp.Symbol)} - _bound(e)


def _bound(e):
    out = set()
    for a in sp.preorder_traversal(e):
        if isinstance(a, (sp.Sum, sp.Product)):
            out |= {lim[0] for lim in a.limits}
    return out
