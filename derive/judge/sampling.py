r"""Exact rational inputs, explicit sizes, and values printed exactly where they are rational."""
from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.primitives import elementary
from .interpret import ClaimError, Scope

__all__ = ["sample_points", "show", "numeric", "size_assignments", "explicit", "check_ranges", "scalarize"]


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


def show(expr, point, approx):
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
    except (ValueError, TypeError, ZeroDivisionError, NotImplementedError, AttributeError, IndexError):
        # AttributeError: SymPy's matrix expressions at a point that left a scalar in a matrix slot;
        # IndexError: an entry whose index the point puts outside its array (f_{y_i} at y_i = 5)
        return None
    if not val.is_number or val.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    if val.is_real is False or (val.is_real is None and abs(sp.im(val)) > sp.Float(10) ** -40):
        return None       # outside the real domain (log of a negative number): not a sample point
    return sp.re(val) if val.is_real is None else val


def size_assignments(scope: Scope, claim) -> list[dict]:
    dims = scope.size_symbols()
    if not dims:
        return [{}]
    sizes = list(claim.sizes or [2, 3, 4])
    if not claim.sizes and any(d.kind == "matrix" for d in scope.symbols.values()):
        sizes = [2, 3]       # symbolic matrices: the entries grow fast with the size
    out = []
    for s in sizes:
        out.append(scope.distinct_sizes(dims, s) or
                   {d: sp.Integer(s + (k % 2 if len(dims) > 1 else 0)) for k, d in enumerate(dims)})
    return out


def _explicit_inverse(m):
    """The inverse of an explicit matrix as adjugate / determinant: polynomial work, no elimination."""
    a = m.as_explicit()
    return sp.ImmutableMatrix(a.adjugate() / a.det())


def explicit(e, sizes, index_values):
    """``e`` at explicit sizes and index values (inverses of explicit matrices spelled out)."""
    rep = dict(sizes)
    rep.update(index_values)
    if not isinstance(e, sp.Basic):
        return e
    e = e.xreplace(rep)
    explicit_shape = lambda m: all(getattr(d, "is_Integer", False) for d in m.shape)
    e = e.replace(lambda a: isinstance(a, sp.Inverse) and explicit_shape(a.arg), lambda a: _explicit_inverse(a.arg))
    return e.replace(lambda a: isinstance(a, sp.MatPow) and explicit_shape(a.base) and a.exp.is_Integer
                     and a.exp < 0, lambda a: sp.MatPow(_explicit_inverse(a.base), -a.exp))


def check_ranges(e, decls_by_name):
    """An explicit index outside its array is an error unless the array is declared padded."""
    if isinstance(e, sp.Basic):
        for me in e.atoms(MatrixElement):
            if me.i.is_Integer and me.j.is_Integer:
                rows, cols = me.parent.shape
                d = decls_by_name.get(getattr(me.parent, "name", None))
                if not (0 <= me.i < rows and 0 <= me.j < cols) and not (d and "padded" in d.domain.split()):
                    raise ClaimError(f"index ({me.i + 1}, {me.j + 1}) is outside {me.parent.name} ({rows} x {cols}); "
                                     "declare it 'padded' if entries outside are 0", "latex", None)


def scalarize(e, decls_by_name):
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
