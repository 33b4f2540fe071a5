r"""A given sign of an expression: ``\mathbf{w} \cdot \mathbf{x}_i + b > 0`` (for every ``i``).

Sources state the case a formula holds in ("for the nonzero activation cases") as a sign of the
argument of a :math:`\max(0, \cdot)`.  With :math:`u > 0` (or :math:`u \ge 0`) given,
:math:`\max(0, u) = u`; with :math:`u < 0` (or :math:`\le`), :math:`\max(0, u) = 0`.  Both are exact
under the condition, so the rule replaces the kink by the branch the condition selects.  A free
declared index :math:`i` in :math:`u` means "for every :math:`i`": the rule then applies to
:math:`\max(0, u(k))` for any index :math:`k` (a sum's variable included).  The arguments are
compared with sums renamed canonically, never by solving.

The rule is used only where it is exact and whole: a condition that replaces nothing, or a
:math:`\max`, :math:`|\cdot|` or step left depending on :math:`u`'s inputs after it, is not read
(the verdict would then be reached without the condition the claim states).
"""
from __future__ import annotations

import sympy as sp

from ..mathematics.indexsums import canonical_sums
from ..mathematics.primitives import ReLU, Step

__all__ = ["SignRule", "KINKS"]

#: functions whose value the sign of their argument decides (left over, the condition may matter)
KINKS = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise, ReLU, Step)


class SignRule:
    """``u > 0`` (``positive``) or ``u < 0`` given, ``indices`` the declared index symbols free in u."""

    def __init__(self, u, positive: bool, strict: bool, indices, text: str):
        self.u, self.positive, self.strict, self.indices, self.text = u, positive, strict, tuple(indices), text
        self.fired = False
        self._forms = {}

    def _matches(self, v) -> bool:
        candidates = [()]
        if self.indices:
            ints = [s for s in v.free_symbols if s.is_integer]
            candidates = [(s,) for s in ints] if len(self.indices) == 1 else []
        target = canonical_sums(v)
        for cand in candidates:
            u = self.u.xreplace(dict(zip(self.indices, cand)))
            if u not in self._forms:
                self._forms[u] = canonical_sums(u)
            if self._forms[u] == target:
                return True
        return False

    @property
    def sign(self):
        """``(u, positive, strict, indices)``, for the re-check of a counterexample."""
        return self.u, self.positive, self.strict, self.indices

    def _arg(self, e):
        if isinstance(e, ReLU):
            return e.args[0]
        if isinstance(e, sp.Max) and len(e.args) == 2 and sp.S.Zero in e.args:
            return e.args[0] if e.args[1] == 0 else e.args[1]
        return None

    def __call__(self, e):
        if not isinstance(e, sp.Basic):
            return e

        def hit(a):
            v = self._arg(a)
            return v is not None and self._matches(v)

        def branch(a):
            self.fired = True
            return self._arg(a) if self.positive else sp.S.Zero
        return e.replace(hit, branch)

    def leftover(self, e) -> bool:
        """A kink left in ``e`` whose argument shares an input with u."""
        inputs = {s for s in self.u.free_symbols if s not in self.indices} | \
            {m for m in sp.preorder_traversal(self.u) if isinstance(m, sp.MatrixSymbol)}
        for k in (sp.preorder_traversal(e) if isinstance(e, sp.Basic) else ()):
            if isinstance(k, KINKS):
                if inputs & ({s for s in k.free_symbols} |
                             {m for m in sp.preorder_traversal(k) if isinstance(m, sp.MatrixSymbol)}):
                    return True
        return False
