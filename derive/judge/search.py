r"""One counterexample search: exact rational inputs where the two sides differ, or numeric evidence."""
from __future__ import annotations

import zlib

import sympy as sp
from sympy.core.function import AppliedUndef

from ..mathematics.printing import tex as L
from ..mathematics.zero import covers, is_zero
from .outcome import Outcome
from .sampling import numeric, sample_points, show

__all__ = ["search", "interval_of"]


def interval_of(sym, decls_by_name, scope):
    """The sampling interval of a symbol, from its declaration (an entry takes its array's)."""
    for d in scope.symbols.values():
        if d.obj == sym:
            return d.interval
    name = sym.name.split("_{")[0]
    d = decls_by_name.get(name)
    return d.interval if d else (-3, 3, False, False)


def _instances(diff):
    """A fixed polynomial for every arbitrary function (a claim for every f fails if it fails for one)."""
    inst = {}
    for app in diff.atoms(AppliedUndef):
        k = len(app.args)
        xs = sp.symbols(f"u1:{k + 1}", real=True)
        poly = sum(sp.Rational(j + 2, j + 3) * x + sp.Rational(1, j + 2) * x ** 2 for j, x in enumerate(xs))
        poly += sp.Rational(1, 3) * xs[0] ** 3 + (xs[0] * xs[-1] if k > 1 else 0)
        inst[app.func] = sp.Lambda(xs, poly)
    return inst


def _by_a_point(d):
    """d/d g(x) of an expression, as a derivative by a plain variable evaluated at g(x) (so g can be replaced)."""
    expr, reps, variables = d.expr, {}, []
    for v, n in d.variable_count:
        if isinstance(v, AppliedUndef):
            u = sp.Dummy("u", real=True)
            reps[v] = u
            variables.append((u, n))
        else:
            variables.append((v, n))
    body = sp.Derivative(expr.xreplace(reps), *variables)
    return sp.Subs(body, list(reps.values()), list(reps.keys())) if reps else d


def search(diff, lv, rv, claim, scope, steps, where=None, decls_by_name=None, intervals=None, defs=None,
           back=None, sides=("lhs", "rhs"), derived_inputs=None) -> Outcome:
    """No proof: look for exact rational inputs where ``diff`` (= lv - rv) is not 0, else numeric evidence.

    ``back`` maps the scalar symbols of an explicit-size check back to the entries they stand for, so the
    counterexample's ``point`` names the claim's own objects (for the independent re-check).
    """
    where = dict(where or {})
    instantiated = False
    assumed = []
    inst = _instances(diff) if diff.atoms(AppliedUndef) else {}
    if inst:
        steps.append(("arbitrary functions instantiated for the counterexample search",
                      ", ".join(f"{L(f(*v.variables))} = {L(v.expr)}" for f, v in inst.items())))

        def sub(e):
            if not isinstance(e, sp.Basic):
                return e
            e = e.replace(lambda a: isinstance(a, sp.Derivative) and any(isinstance(v, AppliedUndef)
                                                                         for v, _ in a.variable_count),
                          _by_a_point)
            return e.replace(lambda a: isinstance(a, AppliedUndef) and a.func in inst,
                             lambda a: inst[a.func](*a.args)).doit()
        diff, lv, rv = sub(diff), sub(lv), sub(rv)
        instantiated = True
        assumed = sorted(scope.assumed_generic & {f.__name__ for f in inst})
        if is_zero(diff):
            return Outcome("undecided", "no symbolic proof for arbitrary functions; the claim holds for "
                           "the polynomial instance tried", steps=steps)
    # (a matrix symbol is no scalar input: its entries are, where an expression still names it whole)
    free = sorted((s for s in diff.free_symbols | getattr(lv, "free_symbols", set()) |
                   getattr(rv, "free_symbols", set()) if not isinstance(s, sp.MatrixSymbol)), key=str)
    if intervals is None:
        intervals = {s: interval_of(s, decls_by_name or {}, scope) for s in free}
    worst, n, outside = 0.0, 0, None
    # the derivative of max(x, y) is H(x - y) with no value at the tie (SymPy's H(0) = 1/2 is a choice, not the
    # derivative): a point on such a kink is no counterexample (a value the claim states there is a subgradient)
    kinks = [h.args[0] for h in diff.atoms(sp.Heaviside) if len(h.args) == 1 or h.args[1] == sp.S.Half] \
        if isinstance(diff, sp.Basic) else []
    for pt in sample_points(free, intervals, 12, seed=zlib.crc32(claim.id.encode())):
        if any(k.xreplace(pt) == 0 for k in kinks):
            continue
        val = numeric(diff, pt)
        if val is None:
            outside = outside or pt
            continue
        n += 1
        ref = numeric(lv, pt) if isinstance(lv, sp.Basic) else None
        mag = abs(float(val))
        scale = max(abs(float(ref)) if ref is not None else 0.0, 1e-300)
        worst = max(worst, mag / scale if scale > 1e-300 else mag)
        if abs(val) <= sp.Float(10) ** -40:
            continue
        if any(not isinstance(k, sp.Symbol) or v.has(AppliedUndef) for k, v in (derived_inputs or {}).items()):
            # a given fact fixed a function's value (f'(a) = ...) or an input by one: the point gives the values,
            # but no function that has them, so nothing the re-check could evaluate
            return Outcome("undecided", "the sides differ at inputs where a given fact fixes a function's value "
                           "or an input by one, but no function with those values is exhibited: no counterexample",
                           steps=steps, evidence={"points": n})
        ce = {k: str(v) for k, v in where.items()}
        pt = {**pt, **{k: sp.nsimplify(v.xreplace(pt)) for k, v in (derived_inputs or {}).items()}}
        ce.update({str(k): str(v) for k, v in pt.items()})
        ce["lhs"], ce["rhs"] = show(lv, pt, numeric(lv, pt)), show(rv, pt, numeric(rv, pt))
        inputs = [(k, v) for k, v in ce.items() if k not in ("lhs", "rhs")]
        at = ", ".join(f"{k} = {v}" for k, v in inputs)
        steps.append(("exact inputs where the sides differ", ", ".join(f"{k}={v}" for k, v in ce.items())))
        values = f"{sides[0]} gives ${ce['lhs']}$, {sides[1]} ${ce['rhs']}$"
        reason = f"counterexample: {values} at ${at}$" if at else f"the sides are different constants: {values}"
        if assumed:
            return Outcome("undecided", f"it fails for some functions ({reason}), but {', '.join(assumed)} is "
                           "not declared: the source may mean a particular function; declare it 'generic' in "
                           "functions to judge the claim for every function", steps=steps,
                           evidence={"points": n, "assumed_functions": assumed})
        point = {(back or {}).get(k, k): v for k, v in pt.items()}
        return Outcome("refuted", reason, counterexample=ce, steps=steps, defs=defs, point=point,
                       instantiated=instantiated, derived=None if instantiated else lv)
    if n == 0 and outside is not None:
        return Outcome("undecided", _outside_reals(lv, rv, outside, sides), steps=steps, evidence={"points": 0})
    gap = _uncovered_cases(lv, rv, sides)
    return Outcome("undecided", f"no symbolic proof and no counterexample in {n} exact samples "
                   f"(largest relative difference {worst:.2e})" + gap, steps=steps,
                   evidence={"points": n, "max_rel_error": worst})


def _uncovered_cases(lv, rv, sides) -> str:
    """Why cases that agree at every sample are still not proved: they may leave points out."""
    for side, e in zip(sides, (lv, rv)):
        if isinstance(e, sp.Basic) and any(not covers(sp.Or(*(c for _, c in pw.args)))
                                           for pw in e.atoms(sp.Piecewise)):
            return f"; the cases of {side} are not shown to cover every point (where none applies it is undefined)"
    return ""


def _outside_reals(lv, rv, pt, sides):
    """Why no sample point counts: a side is undefined or not real there (nnderive judges over the reals)."""
    at = f" at ${', '.join(f'{L(k)} = {L(v)}' for k, v in pt.items())}$" if pt else ""
    for side, e in zip(sides, (lv, rv)):
        if not isinstance(e, sp.Basic):
            continue
        try:
            v = sp.nsimplify(e.xreplace(pt).doit())
        except (ValueError, TypeError, ZeroDivisionError, NotImplementedError, AttributeError):
            continue
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return f"the {side} is undefined{at}, and so at every sample point: no real value to compare"
        if v.is_number and v.is_real is False or (v.is_number and abs(sp.im(sp.N(v, 30))) > sp.Float(10) ** -25):
            return (f"the {side} is not a real number{at} (it is ${L(v)}$), nor at any other sample point; "
                    "nnderive judges claims over the real numbers")
    return f"no sample point{at} gave a real value of both sides: no real value to compare"
