r"""Judge one claim: derive both sides and prove, refute, or name a convention.

The route for an equation ``lhs = rhs``:

1. substitute the claim's definitions (a symbol being differentiated is held
   fixed: :math:`\partial L/\partial \hat y` treats :math:`\hat y` as free),
   evaluate derivatives, rewrite table primitives by their definitions;
2. **proof** at symbolic sizes: ``lhs - rhs`` reduces to 0 exactly;
3. otherwise at explicit sizes (every index value): a proof at each size is
   recorded as such, and a nonzero difference at exact rational inputs is a
   **counterexample**;
4. a refuted claim that touched a convention axis is re-judged under each
   alternative; if one proves it, the verdict is **convention**.

Numbers never prove: sampling only finds counterexamples or, failing both,
reports **undecided** with its evidence.
"""
from __future__ import annotations

import functools
import itertools
import zlib
import random
import re
import time
from fractions import Fraction

import sympy as sp
from sympy.calculus.util import minimum
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.arrays import SoftmaxVec, is_array
from ..mathematics.backprop import THEOREMS as BACKPROP_THEOREMS
from ..mathematics.conventions import AXES, INITS
from ..mathematics.indexsums import doit_sums, zero_for_all_n
from ..mathematics.initialization import THEOREMS as INIT_THEOREMS
from ..mathematics.optimizers import INTERVALS, OPTIMIZERS, SYM
from ..mathematics.optimizers import THEOREMS as OPTIMIZER_THEOREMS
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex
from ..mathematics.sequences import THEOREMS as SEQUENCE_THEOREMS
from ..mathematics.zero import is_zero
from ..notation.declarations import Decl, DeclarationError, parse_declaration
from ..notation.errors import LatexError, ShapeMismatch, Unsupported
from ..verdict import Verdict
from ..notation.latex import read_expression
from .interpret import ClaimError, Printed, Scope, prepare, symbol_key

__all__ = ["judge_claim", "ClaimError"]


L = tex


# --------------------------------------------------------------------------- evaluation
def _base(var):
    return var.parent if isinstance(var, MatrixElement) else var


def evaluate(e, defs: dict, exclude=frozenset()):
    """Substitute definitions and carry out derivatives (see module docstring)."""
    if isinstance(e, sp.Derivative) and isinstance(e.expr, sp.core.function.AppliedUndef):
        reps = {k: evaluate(v, defs, exclude) for k, v in defs.items()
                if k not in exclude and not is_array(k) and e.has(k)}
        for me in e.atoms(MatrixElement):
            if me.parent in defs and me.parent not in exclude:
                reps[me] = evaluate(defs[me.parent][me.i, me.j], defs, exclude)
        return e.subs(reps) if reps else e
    if isinstance(e, sp.Derivative):
        # Table primitives differentiate by their (proved) rule rows: see derive.rules.
        f = _settle(e.expr, defs, exclude | {_base(v) for v, _ in e.variable_count})
        for var, order in e.variable_count:
            f = sp.diff(f, var, order)
        return evaluate(f, defs, exclude)
    if isinstance(e, sp.Subs):
        done = e.doit()
        if isinstance(done, sp.Subs):  # f'(u) of an undefined f stays a Subs
            return sp.Subs(done.expr, done.variables, [evaluate(p, defs, exclude) for p in done.point])
        return evaluate(done, defs, exclude)
    if isinstance(e, (sp.Symbol, sp.MatrixSymbol)):
        if e in defs and e not in exclude:
            return evaluate(defs[e], defs, exclude)
        return e
    if isinstance(e, MatrixElement):
        if e.parent in defs and e.parent not in exclude:
            return evaluate(defs[e.parent][e.i, e.j], defs, exclude)
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
    return e.func(*args)


def _settle(e, defs, exclude, rounds=12):
    """Substitute and expand until nothing changes: entries created by ``doit`` (a sum
    spelled out, a generic function spread over a vector) may name defined symbols,
    and missing one would differentiate to a silent 0."""
    for _ in range(rounds):
        new = evaluate(e, defs, exclude)
        new = new.doit() if isinstance(new, sp.Basic) else new
        if new == e:
            return new
        e = new
    raise ClaimError("definitions do not settle (too deeply nested)", "definitions", None)


# --------------------------------------------------------------------------- sampling
_CANDIDATES = [Fraction(1, 2), Fraction(-1, 3), Fraction(2), Fraction(-3, 2), Fraction(1, 5),
               Fraction(3, 4), Fraction(-2), Fraction(5, 3), Fraction(1, 7), Fraction(-5, 4)]


def _in_interval(v: Fraction, iv) -> Fraction:
    lo, hi, olo, ohi = iv
    lo, hi = Fraction(lo), Fraction(hi)
    u = Fraction(abs(v.numerator) % 7 + 1, 9)   # a rational strictly inside (0, 1)
    return lo + (hi - lo) * u if (v < lo or v > hi or (olo and v == lo) or (ohi and v == hi)) else v


def sample_points(symbols, intervals, count, seed=0):
    rng = random.Random(seed)
    syms = sorted(symbols, key=str)
    for k in range(count):
        pt = {}
        for s in syms:
            iv = intervals.get(s, (-3, 3, False, False))
            if s.is_integer:
                lo = 1 if s.is_positive else (0 if s.is_nonnegative else -3)
                pt[s] = sp.Integer(lo + rng.randrange(6) if k else lo + 2)
            else:
                pt[s] = sp.Rational(_in_interval(rng.choice(_CANDIDATES) if k else _CANDIDATES[0], iv))
        yield pt


def _show(expr, point, approx):
    """An exact value when it is rational, else 12 significant digits."""
    try:
        v = sp.cancel(elementary(expr.xreplace(point).doit())) if isinstance(expr, sp.Basic) else None
        if v is not None and v.is_Rational:
            return str(v)
    except Exception:
        pass
    return str(sp.N(approx, 12)) if approx is not None else "?"


def numeric(d, point, prec=60):
    try:
        v = elementary(d.xreplace(point).doit())
        val = sp.N(v, prec)
    except (ValueError, TypeError, ZeroDivisionError, NotImplementedError):
        return None
    if not val.is_number or val.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return val


# --------------------------------------------------------------------------- sizes
def size_assignments(scope: Scope, claim) -> list[dict]:
    dims = sorted({x for decl in scope.symbols.values() for d in decl.dims
                   for x in getattr(d, "free_symbols", ())}, key=str)
    if not dims:
        return [{}]
    sizes = list(claim.sizes or [2, 3, 4])
    out = []
    for s in sizes:
        out.append({d: sp.Integer(s + (k % 2 if len(dims) > 1 else 0)) for k, d in enumerate(dims)})
    return out


def _explicit(e, sizes, index_values):
    rep = dict(sizes)
    rep.update(index_values)
    return e.xreplace(rep) if isinstance(e, sp.Basic) else e


def _check_ranges(e, decls_by_name):
    """An explicit index outside its array is an error unless the array is declared padded."""
    if isinstance(e, sp.Basic):
        for me in e.atoms(MatrixElement):
            if me.i.is_Integer and me.j.is_Integer:
                rows, cols = me.parent.shape
                d = decls_by_name.get(getattr(me.parent, "name", None))
                if not (0 <= me.i < rows and 0 <= me.j < cols) and not (d and "padded" in d.domain.split()):
                    raise ClaimError(f"index ({me.i + 1}, {me.j + 1}) is outside {me.parent.name} ({rows} x {cols}); "
                                     "declare it 'padded' if entries outside are 0", "latex", None)


def _scalarize(e, decls_by_name):
    """MatrixElements with explicit indices -> plain Symbols with the parent's assumptions."""
    reps = {}
    for me in e.atoms(MatrixElement):
        if me.i.is_Integer and me.j.is_Integer:
            d = decls_by_name.get(getattr(me.parent, "name", None))
            rows, cols = me.parent.shape
            if not (0 <= me.i < rows and 0 <= me.j < cols):
                if d is not None and "padded" in d.domain.split():
                    reps[me] = sp.S.Zero
                    continue
                raise ClaimError(f"index ({me.i + 1}, {me.j + 1}) is outside {me.parent.name} ({rows} x {cols}); "
                                 "declare it 'padded' if entries outside are 0", "latex", None)
            ass = d.assumptions if d else {"real": True}
            name = f"{me.parent.name}_{{{me.i + 1}}}" if me.parent.shape[1] == 1 else \
                f"{me.parent.name}_{{{me.i + 1}{me.j + 1}}}"
            reps[me] = sp.Symbol(name, **ass)
    return e.xreplace(reps), {v: k for k, v in reps.items()}


# --------------------------------------------------------------------------- judging
class _Outcome:
    def __init__(self, verdict, reason, **kw):
        self.verdict, self.reason, self.kw = verdict, reason, kw


def _entries(x, shape):
    if is_array(x):
        return [[x[i, j] for j in range(shape[1])] for i in range(shape[0])]
    return [[x]]


def _interval_of(sym, decls_by_name, scope):
    for d in scope.symbols.values():
        if d.obj == sym:
            return d.interval
    name = sym.name.split("_{")[0]
    d = decls_by_name.get(name)
    return d.interval if d else (-3, 3, False, False)


def judge_equation(lhs, rhs, claim, scope, defs, given) -> _Outcome:
    steps = []
    decls_by_name = {d.spelling: d for d in scope.symbols.values()}
    # Shapes first: a mismatch is a refutation with the shapes as counterexample.
    if is_array(lhs) or is_array(rhs):
        ls = lhs.shape if is_array(lhs) else (1, 1)
        rs = rhs.shape if is_array(rhs) else (1, 1)
        if any(sp.simplify(a - b) != 0 for a, b in zip(ls, rs)):
            return _Outcome("refuted", f"shapes differ: left side is {ls[0]}x{ls[1]}, right side is {rs[0]}x{rs[1]}",
                            counterexample={"shapes": {"lhs": str(ls), "rhs": str(rs)}})
    # 1. symbolic sizes (scalars: this is the whole proof)
    has_arrays = is_array(lhs) or is_array(rhs) or any(d.is_array for d in scope.symbols.values()
                                                        if d.obj in _all_symbols(lhs, rhs, defs))
    free_idx = sorted({d.obj for d in scope.symbols.values() if d.kind == "index"}
                      & (_free(lhs) | _free(rhs)), key=str)
    if not has_arrays:
        lv, rv = evaluate(lhs, defs), evaluate(rhs, defs)
        steps.append(("substitute the definitions and differentiate", f"{L(lv)} \\;\\text{{vs}}\\; {L(rv)}"))
        diff = elementary(lv - rv)
        z = is_zero(diff)
        if z:
            steps.append(("rewrite with elementary definitions; lhs - rhs simplifies to", "0"))
            return _Outcome("proved", "both sides reduce to the same expression", steps=steps)
        return _search(diff, lv, rv, claim, scope, steps, {}, {}, defs=defs)
    # 2. index notation at symbolic sizes (accepted only if the explicit sizes below agree)
    general, general_steps = _general_proof(lhs, rhs, scope, defs, given)
    # 3. explicit sizes, every index value
    proved_sizes = []
    assignments = size_assignments(scope, claim)
    if general and not claim.sizes:
        assignments = assignments[:2]  # a cross-check at two shapes (rectangular where allowed)
    for sizes in assignments:
        ex_defs = {_explicit(k, sizes, {}): _explicit(v, sizes, {}) for k, v in defs.items()}
        l0, r0 = _explicit(lhs, sizes, {}), _explicit(rhs, sizes, {})
        shape = l0.shape if is_array(l0) else (r0.shape if is_array(r0) else (1, 1))
        ranges = [range(1, int(sizes.get(_dim_of(i, scope), 1)) + 1) for i in free_idx]
        for combo in itertools.product(*ranges):
            iv = dict(zip(free_idx, map(sp.Integer, combo)))
            le, re_ = _entries(_explicit(l0, {}, iv), shape), _entries(_explicit(r0, {}, iv), shape)
            for a in range(int(shape[0])):
                for b in range(int(shape[1])):
                    lv = evaluate(le[a][b], ex_defs)
                    rv = evaluate(re_[a][b], ex_defs)
                    _check_ranges(lv, decls_by_name)  # before any cancellation hides them
                    _check_ranges(rv, decls_by_name)
                    diff, back = _scalarize(elementary(sp.sympify(lv - rv).doit()), decls_by_name)
                    diff = _apply_given(diff, given, sizes, decls_by_name)
                    if is_zero(diff):
                        continue
                    where = {str(k): int(v) for k, v in list(sizes.items()) + list(iv.items())}
                    if shape != (1, 1):
                        where["entry"] = f"({a + 1},{b + 1})"
                    lvs, _ = _scalarize(lv, decls_by_name)
                    rvs, _ = _scalarize(rv, decls_by_name)
                    out = _search(diff, lvs, rvs, claim, scope, steps, where, decls_by_name, sizes=proved_sizes,
                                  defs=ex_defs)
                    if out.verdict == "refuted" and "derived" in out.kw and not out.kw.get("instantiated"):
                        if shape != (1, 1):  # name the entry of the array, not its expanded form
                            inst = sp.Symbol(r"\left[%s\right]_{%s}" % (L(lhs), f"{a + 1}" if shape[1] == 1
                                                                           else f"{a + 1},{b + 1}"))
                        else:
                            inst, _ = _scalarize(le[a][b], decls_by_name)
                        at = ", ".join(f"{k}={v}" for k, v in where.items())
                        value = _in_claim_terms(_apply_given(out.kw["derived"], given, sizes, decls_by_name),
                                                ex_defs, decls_by_name)
                        if sp.count_ops(value) <= 40 and sp.count_ops(inst) <= 40:
                            out.kw["corrected_text"] = f"{L(inst)} = {L(value)} \\quad \\text{{(at {at})}}"
                        else:
                            out.kw.pop("derived")
                    return out
        proved_sizes.append({str(k): int(v) for k, v in sizes.items()})
    steps.append(("at each explicit size, every entry of lhs - rhs reduces to", "0"))
    sz = ", ".join(",".join(f"{k}={v}" for k, v in s.items()) for s in proved_sizes)
    if general and not sz:
        return _Outcome("proved", "both sides agree entry by entry (index notation, cross-checked on the "
                        "explicit entries)", steps=general_steps + steps)
    if general:
        return _Outcome("proved", f"proved for every size in index notation, and cross-checked entry by entry "
                        f"at sizes {sz}", steps=general_steps + steps)
    if not sz:
        return _Outcome("proved", "every entry of lhs - rhs reduces to 0", steps=steps)
    return _Outcome("proved", f"proved at explicit sizes {sz} (not for general size)",
                    steps=steps, sizes=proved_sizes)


_OPAQUE = (sp.Determinant, sp.Inverse, sp.Trace, sp.MatPow)


def _general_proof(lhs, rhs, scope, defs, given):
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
    try:
        le = lhs[ri, ci] if is_array(lhs) else lhs
        re_ = rhs[ri, ci] if is_array(rhs) else rhs
        lv, rv = evaluate(le, defs), evaluate(re_, defs)
        if any(isinstance(a, _OPAQUE) for e in (lv, rv) for a in sp.preorder_traversal(e)):
            return False, []  # SymPy's matrix calculus on these is not trusted (silent zeros)
        ok = zero_for_all_n(elementary(lv - rv), ranges, given, is_zero)
    except (TypeError, ValueError, NotImplementedError, AttributeError, IndexError, RecursionError):
        return False, []
    if not ok:
        return False, []
    entry = "" if shape == (1, 1) else ("entry (r)" if shape[1] == 1 else "entry (r, c)")
    return True, [(f"index notation at symbolic size: {entry} of lhs and rhs", f"{L(lv)} \\;\\text{{vs}}\\; {L(rv)}"),
                  ("sums over the whole range as atoms, index ranges from the declarations"
                   + (", the given facts applied" if given else "") + ", cases i = j and i != j: lhs - rhs", "0")]


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


def _apply_given(diff, given, sizes, decls_by_name):
    for g in given:
        eq, _ = _scalarize(elementary(sp.sympify(_explicit(g, sizes, {})).doit()), decls_by_name)
        syms = sorted(eq.free_symbols & diff.free_symbols, key=str)
        if syms:
            sol = sp.solve(eq, syms[-1], dict=True)
            if sol:
                diff = diff.xreplace(sol[0])
    return diff


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


def _search(diff, lv, rv, claim, scope, steps, where, decls_by_name, sizes=None, defs=None) -> _Outcome:
    """No proof: look for an exact counterexample, else report numeric evidence."""
    instantiated = False
    if diff.atoms(sp.core.function.AppliedUndef):
        # A claim for every function fails if it fails for one: try a fixed polynomial.
        inst = {}
        for app in diff.atoms(sp.core.function.AppliedUndef):
            k = len(app.args)
            xs = sp.symbols(f"u1:{k + 1}", real=True)
            poly = sum(sp.Rational(j + 2, j + 3) * x + sp.Rational(1, j + 2) * x ** 2 for j, x in enumerate(xs))
            poly += sp.Rational(1, 3) * xs[0] ** 3 + (xs[0] * xs[-1] if k > 1 else 0)
            inst[app.func] = sp.Lambda(xs, poly)
        steps.append(("arbitrary functions instantiated for the counterexample search",
                      ", ".join(f"{L(f(*v.variables))} = {L(v.expr)}" for f, v in inst.items())))
        sub = lambda e: e.replace(lambda a: isinstance(a, sp.core.function.AppliedUndef) and a.func in inst,
                                  lambda a: inst[a.func](*a.args)).doit() if isinstance(e, sp.Basic) else e
        diff, lv, rv = sub(diff), sub(lv), sub(rv)
        instantiated = True
        if is_zero(diff):
            return _Outcome("undecided", "no symbolic proof for arbitrary functions; the claim holds for "
                            "the polynomial instance tried", steps=steps)
    free = sorted(diff.free_symbols | getattr(lv, "free_symbols", set()) | getattr(rv, "free_symbols", set()),
                  key=str)
    intervals = {s: _interval_of(s, decls_by_name, scope) for s in free}
    worst = 0.0
    n = 0
    for pt in sample_points(free, intervals, 12, seed=zlib.crc32(claim.id.encode())):
        val = numeric(diff, pt)
        if val is None:
            continue
        n += 1
        ref = numeric(lv, pt) if isinstance(lv, sp.Basic) else None
        mag = abs(float(val))
        scale = max(abs(float(ref)) if ref is not None else 0.0, 1e-300)
        worst = max(worst, mag / scale if scale > 1e-300 else mag)
        if abs(val) > sp.Float(10) ** -40:
            ce = dict(where)
            ce.update({str(k): str(v) for k, v in pt.items()})
            lval, rval = numeric(lv, pt), numeric(rv, pt)
            ce["lhs"] = _show(lv, pt, lval)
            ce["rhs"] = _show(rv, pt, rval)
            where_txt = ", ".join(f"{k} = {v}" for k, v in ce.items() if k not in ('lhs', 'rhs'))
            steps.append(("exact inputs where the sides differ", ", ".join(f"{k}={v}" for k, v in ce.items())))
            reason = (f"counterexample: lhs = {ce['lhs']}, rhs = {ce['rhs']} at {where_txt}" if where_txt
                      else f"the sides are different constants: lhs = {ce['lhs']}, rhs = {ce['rhs']}")
            return _Outcome("refuted", reason, counterexample=ce, steps=steps, defs=defs,
                            instantiated=instantiated, **({} if instantiated else {"derived": lv}))
    return _Outcome("undecided", f"no symbolic proof and no counterexample in {n} exact samples "
                    f"(largest relative difference {worst:.2e})", steps=steps,
                    evidence={"points": n, "max_rel_error": worst})


def judge_bound(lhs, rel, rhs, claim, scope, defs) -> _Outcome:
    """``lhs <= rhs`` over the declared domain, by the extremum of ``rhs - lhs``."""
    lv, rv = elementary(evaluate(lhs, defs).doit()), elementary(evaluate(rhs, defs).doit())
    g = sp.simplify(rv - lv) if rel in ("<=", "<") else sp.simplify(lv - rv)
    free = sorted(g.free_symbols, key=str)
    steps = [("substitute and rewrite elementarily", f"{L(lv)} {rel} {L(rv)}")]
    if len(free) == 0:
        ok = bool(g >= 0) if rel in ("<=", ">=") else bool(g > 0)
        return _Outcome("proved" if ok else "refuted", f"the constant difference is {L(g)}", steps=steps)
    if len(free) != 1:
        return _Outcome("undecided", "bounds are proved for one variable only", steps=steps)
    x = free[0]
    dom = sp.S.Reals
    for d in scope.symbols.values():
        if d.obj == x:
            lo, hi, olo, ohi = d.interval
            if d.domain != "real":
                dom = sp.Interval(lo, hi, olo, ohi)
    lowest = minimum(g, x, dom)
    steps.append((f"minimum of the gap over {L(dom)} (critical points and limits)", L(lowest)))
    strict = rel in ("<", ">")
    attained = sp.solveset(g, x, dom) if lowest == 0 else sp.S.EmptySet
    if lowest == 0 and strict and attained == sp.S.EmptySet:
        steps.append(("the infimum 0 is not attained in the domain", r"\emptyset"))
        return _Outcome("proved", "the gap approaches 0 but stays positive over the domain", steps=steps)
    if lowest.is_number and (lowest > 0 or (lowest >= 0 and not strict)):
        crit = sp.solveset(sp.diff(g, x), x, dom)
        tight = ""
        if lowest == 0 and isinstance(crit, sp.FiniteSet):
            tight = f"; equality at {L(x)} = {', '.join(L(c) for c in crit)}"
        return _Outcome("proved", f"the gap has minimum {lowest} over the domain{tight}", steps=steps)
    if lowest.is_number and lowest < 0:
        crit = sp.solveset(sp.diff(g, x), x, dom)
        pt = next(iter(crit)) if isinstance(crit, sp.FiniteSet) and crit else None
        return _Outcome("refuted", f"the bound fails: the gap reaches {sp.N(lowest, 6)}",
                        steps=steps, counterexample={str(x): str(pt), "gap": str(lowest)})
    return _Outcome("undecided", "could not find the extremum", steps=steps)


_DECIMAL = re.compile(r"^-?\d*\.(\d+)$|^-?(\d+)$")


def judge_approx(lhs, rhs_text, claim, scope, defs) -> _Outcome:
    """``lhs \\approx number``: the exact value, rounded to the printed digits, must match."""
    if not isinstance(rhs_text, str):
        return judge_asymptotic(lhs, rhs_text, claim, scope, defs)
    m = _DECIMAL.match(rhs_text.replace(" ", "").replace("{", "").replace("}", ""))
    if not m:
        raise ClaimError(r"the right side of \approx must be a decimal number", "latex", None)
    digits = len(m.group(1)) if m.group(1) else 0
    printed = sp.Rational(rhs_text.replace(" ", "").replace("{", "").replace("}", ""))
    exact = elementary(evaluate(lhs, defs).doit())
    if exact.free_symbols:
        return _Outcome("undecided", f"the value still depends on {sorted(map(str, exact.free_symbols))}")
    val = sp.N(exact, 40)
    half = sp.Rational(1, 2) * sp.Rational(1, 10 ** digits)
    rounded = sp.Float(round(float(val), digits), 15)
    steps = [("exact value", f"{L(exact)} = {sp.N(exact, 12)}"),
             (f"rounded to {digits} decimals", f"{rounded:.{digits}f}")]
    if abs(val - printed) <= half:
        return _Outcome("proved", f"exact value {sp.N(exact, 8)} rounds to the printed {rhs_text}", steps=steps)
    ulp = sp.Rational(1, 10 ** digits)
    kind = "truncated instead of rounded" if abs(val - printed) < ulp else "wrong"
    return _Outcome("refuted", f"exact value {sp.N(exact, 8)} rounds to {rounded:.{digits}f}, "
                    f"not {rhs_text} ({kind})", steps=steps,
                    counterexample={"exact": str(sp.N(exact, 15)), "printed": rhs_text},
                    corrected_text=f"{L(lhs)} \\approx {rounded:.{digits}f}")


def judge_asymptotic(lhs, rhs, claim, scope, defs) -> _Outcome:
    """``lhs \approx rhs`` as the small parameter -> 0: the order of the error term."""
    small = [d.obj for d in scope.symbols.values() if d.domain == "small"]
    if len(small) != 1 or not isinstance(rhs, sp.Basic):
        raise ClaimError(r"the right side of \approx must be a decimal number, or declare one "
                         r"'scalar small' parameter for an asymptotic claim", "latex", None)
    eps = small[0]
    d = evaluate(lhs, defs) - evaluate(rhs, defs)
    ser = sp.series(d, eps, 0, 6).removeO().doit()
    ser = sp.expand(ser)
    steps = [("expand lhs - rhs in a Taylor series at " + L(eps) + " = 0", L(sp.simplify(ser)))]
    if ser == 0:
        return _Outcome("proved", "the two sides agree to every order computed", steps=steps)
    order = min(sp.Poly(t, eps).degree() if t.has(eps) else 0 for t in sp.Add.make_args(ser))
    lead = sp.simplify(sum(t for t in sp.Add.make_args(ser) if (sp.Poly(t, eps).degree() if t.has(eps) else 0) == order))
    if order >= 1:
        return _Outcome("proved", f"the error is O({eps}^{order}) as {eps} -> 0, leading term {lead}",
                        steps=steps + [("leading error term", L(lead))])
    return _Outcome("refuted", f"the difference does not vanish as {eps} -> 0: it tends to {lead}",
                    steps=steps, counterexample={"limit": str(lead)})


def judge_shape(lhs, space, scope) -> _Outcome:
    shape = lhs.shape if is_array(lhs) else (sp.Integer(1), sp.Integer(1))
    want = tuple(space)
    if all(sp.simplify(a - b) == 0 for a, b in zip(shape, want)):
        return _Outcome("proved", f"the expression has shape {shape[0]} x {shape[1]} as claimed")
    return _Outcome("refuted", f"the expression has shape {shape[0]} x {shape[1]}, not {want[0]} x {want[1]}",
                    counterexample={"shape": f"{shape[0]} x {shape[1]}", "claimed": f"{want[0]} x {want[1]}"})


# --------------------------------------------------------------------------- driver
def all_theorems() -> dict:
    """Every named result derive/ proves, by name."""
    return {**OPTIMIZER_THEOREMS, **INIT_THEOREMS, **BACKPROP_THEOREMS, **SEQUENCE_THEOREMS}


@functools.lru_cache(maxsize=None)
def _run_theorem(name):
    return all_theorems()[name]()


def _theorem(claim):
    known = all_theorems()
    if claim.theorem not in known:
        raise ClaimError(f"unknown theorem {claim.theorem!r} (known: {', '.join(sorted(known))})", "theorem", None)
    verdict, reason, steps, *rest = _run_theorem(claim.theorem)
    steps = list(steps)
    return _Outcome(verdict, reason, steps=steps, counterexample=rest[0] if rest else None)


def judge_update(lhs, rel, rhs, claim, scope, defs, it) -> _Outcome:
    """An update rule (or a relation between optimizer quantities) against the reference optimizer."""
    opt = OPTIMIZERS.get(claim.algorithm)
    if opt is None:
        raise ClaimError(f"unknown algorithm {claim.algorithm!r} (known: {', '.join(sorted(OPTIMIZERS))})",
                         "algorithm", None)
    mapping, patterns = {}, {}
    for spelling, role in claim.roles.items():
        if role not in SYM:
            raise ClaimError(f"unknown role {role!r} for {spelling!r} (known: {', '.join(sorted(SYM))})",
                             "roles", None)
        try:
            decl = scope.symbols.get(symbol_key(spelling))
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
    role_of = {v: k for k, v in SYM.items()}
    new = evaluate(lhs, defs).xreplace(mapping)
    value = evaluate(rhs, defs)
    for pat, sym in patterns.items():
        value = value.subs(pat, sym)
    value = value.xreplace(mapping)
    if is_array(new) or is_array(value):
        raise ClaimError("update rules are judged entry by entry: declare scalars", "latex", None)
    stray = sorted(map(str, (value.free_symbols | new.free_symbols) - set(SYM.values())))
    if stray:
        raise ClaimError(f"symbols without a role in {opt.name}: {', '.join(stray)}", "roles", None)
    role = role_of.get(new)
    if role is None:
        raise ClaimError("the updated quantity must be one symbol with a role", "latex", None)
    steps = [("the claim in the reference's symbols", f"{L(new)} \\leftarrow {L(value)}")]
    if value.is_number and role in opt.defaults:
        ref = opt.defaults[role]
        steps.append(("reference default", f"{L(new)} = {L(ref)}"))
        if sp.simplify(value - ref) == 0:
            return _Outcome("proved", f"the default {new} = {value} is {opt.name}'s ({opt.reference})", steps=steps)
        return _Outcome("refuted", f"{opt.name}'s default is {new} = {ref}, not {value}", steps=steps,
                        counterexample={"claimed": str(value), "reference": str(ref)},
                        corrected_text=f"{L(new)} = {L(ref)}")
    if role not in opt.updates:
        raise ClaimError(f"{opt.name} has no update for {role!r}", "roles", None)
    ref = opt.updates[role]
    steps.append((f"{opt.name} ({opt.reference})", f"{L(new)} \\leftarrow {L(ref)}"))
    if is_zero(value - ref):
        return _Outcome("proved", f"matches {opt.name}: {opt.reference}", steps=steps)
    for name, (why, updates) in opt.variants.items():
        if role in updates and is_zero(value - updates[role]):
            steps.append((f"variant: {why}", f"{L(new)} \\leftarrow {L(updates[role])}"))
            return _Outcome("convention", f"true with {why}; the reference is {opt.reference}", steps=steps,
                            convention={"axis": f"{opt.name}: {name}", "claim": why,
                                        "reference": opt.reference, "source": opt.reference})
    intervals = {sym: INTERVALS.get(r, (-3, 3, False, False)) for r, sym in SYM.items()}
    out = _search_with(value - ref, value, ref, claim, intervals, steps)
    if out.verdict == "refuted":
        out.kw["corrected_text"] = f"{L(new)} \\leftarrow {L(ref)}"
        out.reason = out.reason.replace("counterexample:", f"one step differs from {opt.name}:", 1)
    return out


def _init_name(lhs, rhs) -> str:
    """For a refuted 'Var_X(...) = value': which initialisation the claimed value really is."""
    named = {cls: key for key, (cls, _) in INITS.items()}
    if type(lhs) not in named:
        return ""
    args = lhs.args
    names = {"xavier_variance": "Xavier/Glorot", "he_variance": "He (Kaiming)", "lecun_variance": "LeCun"}
    claimed = elementary(rhs)
    for key, label in names.items():
        cls, arity = INITS[key]
        cand = cls(*args[:arity]) if len(args) >= arity else None
        if cand is not None and type(cand) is not type(lhs) and is_zero(elementary(cand) - claimed):
            return f"; the claimed variance {L(claimed)} is {label} initialisation"
    return f"; the claimed variance {L(claimed)} is no standard initialisation (Xavier, He, LeCun)"


def _search_with(diff, lv, rv, claim, intervals, steps):
    free = sorted(diff.free_symbols | lv.free_symbols | rv.free_symbols, key=str)
    for pt in sample_points(free, intervals, 12, seed=zlib.crc32(claim.id.encode())):
        val = numeric(diff, pt)
        if val is not None and abs(val) > sp.Float(10) ** -40:
            ce = {str(k): str(v) for k, v in pt.items()}
            ce["lhs"], ce["rhs"] = _show(lv, pt, numeric(lv, pt)), _show(rv, pt, numeric(rv, pt))
            where = ", ".join(f"{k} = {v}" for k, v in pt.items())
            steps.append(("exact inputs where they differ", where))
            return _Outcome("refuted", f"counterexample: claim gives {ce['lhs']}, reference {ce['rhs']} at {where}",
                            counterexample=ce, steps=steps)
    return _Outcome("undecided", "no symbolic match and no counterexample found", steps=steps,
                    evidence={"points": 12})


def _judge_once(claim, conventions=None):
    if claim.theorem and not claim.latex:
        scope, _, _ = prepare(claim, conventions)
        return scope, "", [_theorem(claim)]
    scope, it, defs = prepare(claim, conventions)
    given = []
    for k, text in enumerate(claim.given):
        try:
            readings = it.readings(text)
        except LatexError as exc:
            raise ClaimError(exc.message, f"given[{k}]", exc.pos)
        chains, _ = readings[0]
        if len(readings) != 1 or len(chains) != 1 or len(chains[0]) != 3 or chains[0][1] != "=":
            raise ClaimError("a 'given' fact must be one equation", f"given[{k}]", 0)
        chain = chains[0]
        given.append(chain[0] - chain[2])
    try:
        readings = it.readings(claim.latex)
    except Unsupported as exc:
        return scope, claim.latex, [_Outcome("undecided", f"not supported yet: {exc.message}")]
    except ShapeMismatch as exc:
        return scope, claim.latex, [_Outcome("refuted", f"shape mismatch: {exc.message}",
                                    counterexample={"shapes": exc.message})]
    except LatexError as exc:
        raise ClaimError(exc.message, "latex", exc.pos)
    if len(readings) > 1:
        return scope, claim.latex, [_Outcome("undecided", "not supported yet: several readings")]
    chains, conditions = readings[0]
    if conditions:
        return scope, claim.latex, [_Outcome("undecided", "not supported yet: conditions after the claim")]
    if len(chains) != 1:
        return scope, claim.latex, [_Outcome("undecided", "not supported yet: several relations in one claim")]
    chain = chains[0]
    if len(chain) < 3:
        raise ClaimError("a claim must be a relation (=, \\approx, \\le, \\in, ...)", "latex", 0)
    parsed = " ".join(c if isinstance(c, str) else (L(c) if isinstance(c, sp.Basic) else
                                                     (c.text if isinstance(c, Printed) else
                                                      r"\mathbb{R}^{%s}" % r" \times ".join(map(L, c))))
                      for c in chain)
    parsed = parsed.replace(" ~ ", r" \approx ").replace(" <= ", r" \le ").replace(" >= ", r" \ge ") \
        .replace(" <- ", r" \leftarrow ").replace(" in ", r" \in ").replace(" != ", r" \ne ")
    outcomes = []
    for k in range(0, len(chain) - 2, 2):
        lhs, rel, rhs = chain[k], chain[k + 1], chain[k + 2]
        if isinstance(rhs, Printed) and rel != "~":
            rhs = rhs.value
        if isinstance(lhs, Printed):
            lhs = lhs.value
        if claim.algorithm and rel in ("<-", "="):
            outcomes.append(judge_update(lhs, rel, rhs, claim, scope, defs, it))
        elif rel == "=":
            out = judge_equation(lhs, rhs, claim, scope, defs, given)
            if out.verdict == "refuted":
                out.reason += _init_name(lhs, rhs)
            outcomes.append(out)
        elif rel == "~":
            outcomes.append(judge_approx(lhs, rhs.text if isinstance(rhs, Printed) else rhs, claim, scope, defs))
        elif rel in ("<=", "<", ">=", ">"):
            outcomes.append(judge_bound(lhs, rel, rhs, claim, scope, defs))
        elif rel == "in":
            outcomes.append(judge_shape(lhs, rhs, scope))
        elif rel == "<-":
            raise ClaimError("an update rule needs 'algorithm' and 'roles' to be judged", "algorithm", None)
        else:
            outcomes.append(_Outcome("undecided", f"relation {rel} is not judged"))
    if claim.theorem:
        outcomes.append(_theorem(claim))
    return scope, parsed, outcomes


def _combine(outcomes) -> _Outcome:
    order = ["refuted", "undecided", "convention", "proved"]
    for word in order:
        for o in outcomes:
            if o.verdict == word:
                if word == "proved" and len(outcomes) > 1:
                    sizes = [o2.kw.get("sizes") for o2 in outcomes if o2.kw.get("sizes")]
                    steps = [s for o2 in outcomes for s in o2.kw.get("steps", [])]
                    reasons = list(dict.fromkeys(o2.reason for o2 in outcomes))
                    return _Outcome("proved", "; ".join(reasons), steps=steps,
                                    sizes=sizes[0] if sizes else None)
                return o
    return outcomes[0]


def judge_claim(claim) -> Verdict:
    """Judge one catalogue claim; never raises for bad claim content."""
    t0 = time.perf_counter()
    base = dict(id=claim.id, source=claim.source)
    if claim.not_checkable:
        return Verdict(**base, verdict="not checkable", reason=claim.not_checkable,
                       seconds=time.perf_counter() - t0)
    try:
        scope, parsed, outcomes = _judge_once(claim)
        out = _combine(outcomes)
        conv = None
        if out.verdict == "convention":
            v = Verdict(**base, verdict="convention", reason=out.reason, parsed=parsed,
                        steps=out.kw.get("steps", []), convention=out.kw["convention"], notes=scope.notes)
            v.seconds = round(time.perf_counter() - t0, 3)
            return v
        if out.verdict == "refuted" and scope.used_axes:
            conv = _try_conventions(claim, scope)
        if conv is not None:
            axis, choice = conv
            ax = AXES[axis]
            ref = scope.conventions.get(axis, ax.reference)
            v = Verdict(**base, verdict="convention",
                        reason=f"true with {ax.name} = {ax.choices[choice]}; the reference uses "
                               f"{ax.choices[ref]} ({ax.source})",
                        parsed=parsed, steps=out.kw.get("steps", []), counterexample=out.kw.get("counterexample"),
                        convention={"axis": ax.name, "claim": ax.choices[choice], "reference": ax.choices[ref],
                                    "source": ax.source}, notes=scope.notes)
        else:
            corrected = out.kw.get("corrected_text")
            if out.verdict == "refuted" and corrected is None and "derived" in out.kw:
                corrected = _corrected(claim, parsed, out.kw["derived"], out.kw.get("defs"))
            v = Verdict(**base, verdict=out.verdict, reason=out.reason, parsed=parsed,
                        steps=out.kw.get("steps", []), counterexample=out.kw.get("counterexample"),
                        corrected=corrected, evidence=out.kw.get("evidence"), sizes=out.kw.get("sizes"),
                        notes=scope.notes)
    except ClaimError as exc:
        v = Verdict(**base, verdict="error", reason=f"{claim.file}: claim {claim.id}: {exc.field}: "
                    f"{exc.message}" + (f" (at character {exc.pos})" if exc.pos is not None else ""),
                    error={"file": claim.file, "id": claim.id, "field": exc.field, "position": exc.pos,
                           "message": exc.message})
    except RecursionError:
        v = Verdict(**base, verdict="undecided", reason="expression too deep to judge")
    except Exception as exc:  # a SymPy failure on one claim must not stop the run
        v = Verdict(**base, verdict="error", reason=f"{claim.file}: claim {claim.id}: internal error while "
                    f"judging: {type(exc).__name__}: {str(exc)[:200]}",
                    error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                           "message": f"internal error: {type(exc).__name__}"})
    v.seconds = round(time.perf_counter() - t0, 3)
    return v


def _corrected(claim, parsed, derived, defs=None):
    """``lhs = derived``, written back in the claim's own symbols where a definition allows."""
    lhs_text = parsed.split(" = ")[0] if " = " in parsed else None
    if lhs_text is None:
        return None
    back = {v: k for k, v in (defs or {}).items() if not is_array(k)}
    try:
        named = tuple(cls for cls, _ in INITS.values())
        derived = derived.replace(lambda e: isinstance(e, named), lambda e: e.rewrite("elementary"))
        d = sp.factor(sp.simplify(derived.xreplace(back))).xreplace(back)
        if L(d) == lhs_text:  # a definition: the corrected right side is the elementary one
            d = sp.simplify(elementary(derived))
        return f"{lhs_text} = {L(d)}"
    except Exception:
        return None


def _try_conventions(claim, scope):
    for axis in sorted(scope.used_axes):
        ax = AXES[axis]
        ref = scope.conventions.get(axis, ax.reference)
        for choice in ax.choices:
            if choice == ref:
                continue
            try:
                _, _, outcomes = _judge_once(claim, {**scope.conventions, axis: choice})
            except ClaimError:
                continue
            if _combine(outcomes).verdict == "proved":
                return axis, choice
    return None
