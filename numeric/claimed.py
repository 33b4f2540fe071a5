r"""Kernels from a user's own proved claims: a new activation trains the day its derivative is proved.

A claim with ``defines = "NAME"`` states the derivative of a one-variable activation,

.. math::
    \frac{d}{dz} f(z) = f'(z) \qquad\text{for instance}\qquad
    \frac{d}{dz}\, z\,\sigma(z) = \sigma(z)\bigl(1 + z(1 - \sigma(z))\bigr),

with :math:`f` written out or given by a definition (``f(z) = z \sigma(z)``).  Only a claim the
judge **proves** becomes kernels, and then three of them, elementwise on arrays of any shape
(batch first in the network):

=================  ===========================================================
``NAME``           :math:`f(z)`, the function the derivative is taken of
``NAME.grad``      :math:`f'(z)`, the claim's own right-hand side (the proved formula)
``NAME.vjp``       :math:`g \odot f'(z)`, the vector-Jacobian product backprop calls
=================  ===========================================================

Both go through the same stability rewrites as the built-in table
(:func:`nnderive.numeric.codegen.stabilize`), and each kernel keeps its unstabilised
expression as the slow reference the tests compare it with.  A refuted, undecided or
erroneous claim, a claim by another variable than one scalar, or a name the built-in
registry already uses is refused with the reason, never turned into a kernel.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..catalogue import Claim, load_paths
from ..judge import ClaimError, judge_all, relations
from .codegen import Kernel, make_kernel, stabilize
from .kernels import kernels as _registry

__all__ = ["Refused", "ClaimedKernels", "kernels_from_claims", "kernels_from_files"]

#: the argument every claimed kernel takes (and ``g``, the upstream gradient, for the vjp)
_Z, _G = sp.Symbol("z", real=True), sp.Symbol("g", real=True)


@dataclass
class Refused:
    """A claim that names a kernel and does not become one, with the reason."""

    file: str
    id: str
    name: str
    reason: str

    def __str__(self):
        return f"{self.file}: claim {self.id}: no kernel {self.name!r}: {self.reason}"


@dataclass
class ClaimedKernels:
    kernels: dict            # name -> Kernel (NAME, NAME.grad, NAME.vjp per proved claim)
    refused: list            # Refused, one per claim that names a kernel and was not proved or not usable
    load_errors: list        # the claim files' own errors (catalogue.LoadError)

    @property
    def activations(self) -> list[str]:
        return [n for n in self.kernels if "." not in n]


def _function_and_variable(lhs):
    r"""``(f(z), z)`` from the left side as read: ``Derivative(f(z), z)``, or ``f'(z)`` read as
    ``Subs(Derivative(f(u), u), u, z)``; None when it is not a first derivative by one scalar."""
    if isinstance(lhs, sp.Subs) and isinstance(lhs.expr, sp.Derivative) and len(lhs.variables) == 1:
        inner = lhs.expr
        (u,), (point,) = lhs.variables, lhs.point
        if not isinstance(point, sp.Symbol) or inner.variable_count != ((u, 1),):
            return None
        return inner.expr.xreplace({u: point}), point
    if isinstance(lhs, sp.Derivative) and len(lhs.variable_count) == 1:
        (var, order), = lhs.variable_count
        if order == 1 and isinstance(var, sp.Symbol):
            return lhs.expr, var
    return None


def _kernels_of(claim: Claim, taken) -> list[Kernel]:
    """The three kernels of one proved claim; raises ValueError with the reason it cannot give them."""
    name = claim.defines
    if name in {k.split(".")[0] for k in taken}:
        raise ValueError(f"the name {name!r} is taken (by a built-in kernel or another claim): choose another")
    try:
        links, defs = relations(claim)
    except ClaimError as exc:
        raise ValueError(exc.message) from None
    eqs = [(lhs, rhs) for lhs, rel, rhs in links if rel == "="]
    if len(eqs) != 1 or len(links) != 1:
        raise ValueError("the claim must be one equation, the derivative of the activation = its formula")
    lhs, rhs = eqs[0]
    found = _function_and_variable(lhs)
    if found is None:
        raise ValueError(r"the left side must be the first derivative of a function of one scalar, "
                         r"\frac{d}{dz} f(z) or f'(z)")
    f, var = found
    f = f.xreplace({var: _Z})
    d = rhs.xreplace({var: _Z})
    for what, e in (("function", f), ("derivative", d)):
        if not isinstance(e, sp.Expr) or getattr(e, "is_Matrix", False) or e.free_symbols - {_Z}:
            extra = sorted(map(str, getattr(e, "free_symbols", set()) - {_Z}))
            raise ValueError(f"the {what} must depend on {var} alone" + (f" (it also has {', '.join(extra)}: "
                             "give parameters their values in the claim)" if extra else ""))
        if e.has(sp.Derivative, sp.Subs, sp.Integral, sp.Sum) or e.atoms(sp.core.function.AppliedUndef):
            raise ValueError(f"the {what} {e} is not in closed form")
    where = (f"claim {claim.file}:{claim.id}",)
    f_el, d_el = f, d      # as read: the primitives (sigma, tanh) reach the stability rewrites intact
    common = dict(derivation=where, claims=(claim.id,))
    try:
        made = [make_kernel(name, (_Z,), stabilize(f_el), reference=f_el, doc=f"{name}(z), elementwise", **common),
            make_kernel(f"{name}.grad", (_Z,), stabilize(d_el), reference=d_el,
                        doc=f"d/dz {name}(z), the proved right-hand side", **common),
            make_kernel(f"{name}.vjp", (_G, _Z), _G * stabilize(d_el), reference=_G * d_el,
                        doc=f"g * {name}'(z)", **common)]
    except (ImportError, NameError, TypeError, ValueError, sp.PolynomialError) as exc:
        raise ValueError(f"no vectorised kernel for it ({type(exc).__name__}: {str(exc)[:120]})") from None
    probe = np.linspace(-2.0, 2.0, 5).reshape(1, 5)
    for k in made:
        try:
            with np.errstate(all="ignore"):
                out = k(*([probe] * len(k.args)))
        except Exception as exc:     # a function printed for scalars only (math.*) fails on an array
            raise ValueError(f"the generated {k.name} does not run on arrays ({type(exc).__name__}: "
                             f"{str(exc)[:120]})") from None
        if np.shape(out) != probe.shape:
            raise ValueError(f"the generated {k.name} does not map an array elementwise")
    return made


def kernels_from_claims(claims, verdicts=None, budget: float = 60.0) -> ClaimedKernels:
    """Kernels from the claims that name one (``defines``); each must be proved (judged here unless
    ``verdicts``, a dict ``(file, id) -> Verdict``, already holds its verdict)."""
    defining = [c for c in claims if c.defines]
    verdicts = dict(verdicts or {})
    todo = [c for c in defining if (c.file, c.id) not in verdicts]
    for c, v in zip(todo, judge_all(todo, budget=budget) if todo else []):
        verdicts[(c.file, c.id)] = v
    out, refused = {}, []
    for c in defining:
        v = verdicts[(c.file, c.id)]
        if not v.proved:
            refused.append(Refused(c.file, c.id, c.defines, f"the claim is {v.verdict}, not proved ({v.reason})"))
            continue
        try:
            made = _kernels_of(c, set(_registry()) | set(out))
        except ValueError as exc:
            refused.append(Refused(c.file, c.id, c.defines, str(exc)))
            continue
        out.update({k.name: k for k in made})
    return ClaimedKernels(out, refused, [])


def kernels_from_files(paths, budget: float = 60.0) -> ClaimedKernels:
    """:func:`kernels_from_claims` over every claim file (or folder) in ``paths``."""
    claims, errors = load_paths(paths)
    res = kernels_from_claims(claims, budget=budget)
    res.load_errors = errors
    return res
