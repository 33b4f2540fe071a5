r"""``value = O(\|\epsilon\|^k)`` for a small vector :math:`\epsilon`, read along every ray :math:`\epsilon = h u`.

The interpreter reads the order term as :math:`O(h^k)` in a scale :math:`h \to 0^+` it keeps in
``scope.rays`` (:func:`.interpret._ray_order`).  Here the value is taken at :math:`\epsilon = h u` with the
direction :math:`u` a free vector (it keeps the name :math:`\epsilon`), at each explicit size, and expanded in
:math:`h` with arbitrary functions replaced by their Taylor polynomials (:mod:`..mathematics.taylor`).  The
coefficients of :math:`h^0, \dots, h^{k-1}` are polynomials in :math:`u` and in the derivatives of the
functions.  The expanded value must be a polynomial in :math:`h` and :math:`u` (else small along every ray
need not be small near 0: :math:`\epsilon_1^2 \epsilon_2 / (\epsilon_1^4 + \epsilon_2^2)`); the claim is proved when all are identically 0, refuted when one is not 0 at an exact rational
point (then some polynomial :math:`f` and direction :math:`u` leave a term below :math:`h^k`).
"""
from __future__ import annotations

import random

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..mathematics.printing import tex as L
from ..mathematics.taylor import taylor_coefficients
from ..mathematics.zero import is_zero
from ..notation.errors import Unsupported
from .derivation import evaluate
from .outcome import Outcome
from .sampling import explicit, size_assignments

__all__ = ["along_ray", "judge_ray_order"]


def along_ray(value, h, eps):
    r"""``value`` at :math:`\epsilon = h \epsilon` (the vector now the ray's direction): every entry and every
    whole occurrence of :math:`\epsilon` scaled by :math:`h`."""
    tmp = sp.MatrixSymbol("_ray_direction", *eps.shape)
    out = value.replace(lambda e: isinstance(e, MatrixElement) and e.parent == eps,
                        lambda e: h * MatrixElement(tmp, e.i, e.j))
    return out.xreplace({eps: h * tmp}).xreplace({tmp: eps})


def _spread(e):
    """Arbitrary functions of a vector of explicit size as functions of its entries, before any derivative
    is taken (a derivative of the opaque form would lose the second partials)."""
    return e.replace(lambda a: type(a).__name__ == "_GenericOfArray", lambda a: a.doit())


def _nonzero_point(c, seed):
    """An exact rational point where the polynomial ``c`` is not 0, or None."""
    rng = random.Random(seed)
    free = sorted(c.atoms(MatrixElement) | {s for s in c.free_symbols if isinstance(s, sp.Symbol)},
                  key=sp.default_sort_key)
    for _ in range(8):
        at = {s: sp.Rational(rng.randrange(-9, 10), rng.randrange(1, 6)) for s in free}
        v = c.xreplace(at)
        if v.is_number and sp.nsimplify(v) != 0 and is_zero(v) is not True:
            return at
    return None


def judge_ray_order(value, h, eps, k, claim, scope, defs, assumed) -> Outcome:
    """See the module docstring; ``assumed(expr)``: the expression holds a function the claim does not
    declare (then no refutation: the source may mean a particular one)."""
    ray = along_ray(value, h, eps)
    sizes_done = []
    for sizes in size_assignments(scope, claim):
        try:
            v = _spread(explicit(evaluate(_spread(explicit(ray, sizes, {})), defs), sizes, {}))
            v = _spread(v.doit())
        except ValueError as exc:        # SymPy's: a derivative by an entry that moves with the ray (x + eps)
            raise Unsupported(f"the expression along the ray ${L(eps)} = h u$ is not expanded ({exc})", None) \
                from None
        # the direction's entries as symbols: the expansion must be a polynomial in them (then the order along
        # every ray is the order near 0: a polynomial with no terms of degree below k is O(||eps||^k))
        at = explicit(eps, sizes, {})
        u = {at[i, 0]: sp.Dummy(f"u_{i + 1}", real=True) for i in range(int(at.shape[0]))}
        v = v.xreplace(u)
        coeffs, jets = taylor_coefficients(v, h, int(k) - 1, polynomial_in=list(u.values()))
        back = {s_: e for e, s_ in u.items()}
        coeffs = [c.xreplace(back) for c in coeffs]
        for j, c in enumerate(coeffs):
            if is_zero(c):
                continue
            where = ", ".join(f"{s} = {n}" for s, n in sizes.items())
            if assumed(v):
                return Outcome("undecided", f"along the ray ${L(eps)} = h u$ (at {where}) the term of order "
                               f"$h^{j}$ does not vanish for every function, but the function is not declared: "
                               "the source may mean a particular one")
            points = {}
            for func, point, _ in jets.values():
                points.setdefault(func, set()).add(point)
            if any(len(ps) > 1 for ps in points.values()) or _nonzero_point(c, j) is None:
                # a function at two points: their derivatives are independent only where the points differ
                return Outcome("undecided", f"the term of order $h^{j}$ along the ray ${L(eps)} = h u$ is not "
                               "shown to vanish, nor found non-zero at a point")
            named = c.xreplace({s: sp.Symbol(_jet_name(*jets[s])) for s in c.free_symbols if s in jets})
            return Outcome("refuted", f"along the ray ${L(eps)} = h u$ (at {where}) a term of order $h^{j}$ is "
                           f"left, below $O(\\|{L(eps)}\\|^{{{k}}})$: ${L(named)}$ (not 0 for every function and "
                           "direction)", counterexample={"leading term": str(named), "order": j, **{
                               str(s): int(n) for s, n in sizes.items()}})
        sizes_done.append(", ".join(f"{s}={n}" for s, n in sizes.items()))
    return Outcome("proved", f"along every ray ${L(eps)} = h u$ the terms of order below $h^{{{k}}}$ vanish, at "
                   f"explicit sizes {'; '.join(sizes_done)} (not for general size)",
                   steps=[(f"$\\epsilon = h u$, arbitrary functions as Taylor polynomials in $h$",
                           f"coefficients of h^0..h^{int(k) - 1} are 0")])


def _jet_name(func, point, variables) -> str:
    at = ", ".join(L(p) for p in point)
    if not variables:
        return f"{func}({at})"
    by = "".join(r"\partial " + L(v) for v in variables)
    top = r"\partial" if len(variables) == 1 else rf"\partial^{len(variables)}"
    return rf"\frac{{{top} {func}}}{{{by}}}({at})"
