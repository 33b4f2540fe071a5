r"""From SymPy expressions to vectorised, stable, dtype-preserving NumPy kernels.

Three steps, each data-driven:

1. :func:`vectorize` turns an index-notation expression (``z[i]``, ``Sum(.., (k, 1, n))``)
   into array form over batch-first arrays: ``z[i]`` becomes the array ``z`` (shape
   ``(m, n)``), a sum over the component index becomes ``RowSum`` (``sum(axis=-1,
   keepdims=True)``) and ``n`` becomes ``LastDim`` (``shape[-1]``).  No expression is ever
   expanded into per-component symbols.
2. :func:`stabilize` applies the proved rows of :data:`nnderive.mathematics.rewrites.REWRITES`, in the
   order of :data:`ORDER`, so e.g. softmax gets its max shift and :math:`\log\sigma` becomes
   ``-logaddexp(0, -x)``.
3. :func:`make_kernel` lambdifies with ``modules="numpy"``, ``cse=True`` and
   :class:`KernelPrinter`, which prints every node with a float32-preserving NumPy call
   (``heaviside(x, 0)`` and nested ``where`` instead of ``select(..., default=nan)``, matrix
   products as ``@``), and keeps the generated source.
"""
from __future__ import annotations

import builtins
import inspect
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from ..mathematics.rewrites import REWRITES
from ..mathematics.primitives import ReLU, Softplus, Step

__all__ = ["RowSum", "RowMax", "ColSum", "Rows", "LastDim", "KernelPrinter", "vectorize", "stabilize", "ORDER",
           "make_inplace",
           "Kernel", "make_kernel"]


class RowSum(sp.Function):
    r""":math:`\sum_k x_{\cdot k}` over the last axis, kept (shape ``(m, 1)``)."""
    nargs = 1


class RowMax(sp.Function):
    r""":math:`\max_k x_{\cdot k}` over the last axis, kept (shape ``(m, 1)``)."""
    nargs = 1


class ColSum(sp.Function):
    r"""Sum over the batch axis: :math:`\mathbf 1^\top X` (shape ``(n,)``)."""
    nargs = 1


class Rows(sp.Function):
    """Length of the first (batch) axis: the :math:`m` of a batch mean."""
    nargs = 1
    is_integer = True
    is_positive = True


class LastDim(sp.Function):
    """Length of the last axis (the :math:`n` of a per-example formula)."""
    nargs = 1
    is_integer = True
    is_positive = True


class KernelPrinter(NumPyPrinter):
    """NumPy printer whose output keeps the input's floating dtype; ``scalars`` names the
    arguments that are Python numbers, not arrays."""

    _default_settings = {**NumPyPrinter._default_settings, "scalars": ()}

    def _print_erf(self, e):
        # NumPy has no erf: SciPy's ufunc (scipy comes with the train extra), never math.erf on an array
        return f"scipy.special.erf({self._print(e.args[0])})"

    # Reductions as ufunc.reduce: C-level calls, without numpy.sum's Python wrapper (a few
    # microseconds each, which matter at batch 64)
    def _print_RowSum(self, e):
        return f"numpy.add.reduce({self._print(e.args[0])}, axis=-1, keepdims=True)"

    def _print_RowMax(self, e):
        return f"numpy.maximum.reduce({self._print(e.args[0])}, axis=-1, keepdims=True)"

    def _print_ColSum(self, e):
        return f"numpy.add.reduce({self._print(e.args[0])}, axis=0)"

    def _print_Rows(self, e):
        return f"len({self._print(e.args[0])})"

    def _print_LastDim(self, e):
        return f"{self._print(e.args[0])}.shape[-1]"

    def _print_Add(self, e, order=None):
        # positive terms first and "a - b" for negative ones: "-g*lr + theta" would negate the
        # whole array g before scaling it (an extra pass over memory)
        pos, neg = [], []
        for t in e.as_ordered_terms():
            c, rest = t.as_coeff_Mul()
            (neg if c.is_number and c.is_negative else pos).append(t)
        if not pos:
            return super()._print_Add(e)
        out = " + ".join(self.parenthesize(t, 40) for t in pos)
        for t in neg:
            out += " - " + self.parenthesize(-t, 50)
        return out

    def _print_Mul(self, e):
        # a step inside a product stays a boolean mask: numpy promotes it to the other factor's
        # dtype, one pass cheaper than a float heaviside array
        steps = [a for a in e.args if isinstance(a, Step)]
        if not steps or len(steps) == len(e.args):
            return super()._print_Mul(e)
        rest = sp.Mul(*[a for a in e.args if not isinstance(a, Step)])
        masks = "*".join(f"numpy.greater({self._print(s.args[0])}, 0)" for s in steps)
        return f"{self.parenthesize(rest, 50)}*{masks}"

    def _print_Step(self, e):
        # H(0) = 0, the table's kink convention; a Python 0 keeps float32 (NEP 50)
        return f"numpy.heaviside({self._print(e.args[0])}, 0)"

    def _print_ReLU(self, e):
        return f"numpy.maximum({self._print(e.args[0])}, 0)"

    def _print_Min(self, e):
        return self._nested("builtins.min" if self._scalar(e) else "numpy.minimum", e.args)

    def _print_Max(self, e):
        return self._nested("builtins.max" if self._scalar(e) else "numpy.maximum", e.args)

    def _scalar(self, e) -> bool:
        # over Python scalars only: the builtin keeps the result a weak Python float (numpy's
        # minimum would return a float64 scalar and promote float32 arrays)
        return {str(s) for s in e.free_symbols} <= set(self._settings.get("scalars", ()))

    def _nested(self, fn, args):
        out = self._print(args[-1])
        for a in reversed(args[:-1]):
            out = f"{fn}({self._print(a)}, {out})"
        return out

    def _print_Piecewise(self, e):
        *pairs, (last, cond) = e.args
        if cond is not sp.true:
            raise ValueError("Piecewise without an otherwise branch")
        ref = sorted(set().union(*[c.free_symbols for _, c in pairs]), key=str)[0]

        def branch(v):
            # a branch without the array (a constant or a scalar parameter) would make
            # numpy.where return float64: give it the array's dtype
            if ref in v.free_symbols:
                return self._print(v)
            return f"numpy.result_type({self._print(ref)}).type({self._print(v)})"
        out = branch(last)
        for val, c in reversed(pairs):
            out = f"numpy.where({self._print(c)}, {branch(val)}, {out})"
        return out

    def _print_MatMul(self, e):
        coeff, mats = e.as_coeff_mmul()
        body = " @ ".join(self.parenthesize(a, 60) for a in mats.args)
        if coeff == 1:
            return body
        if len(mats.args) > 1 and not body.startswith("("):
            body = f"({body})"
        num, den = sp.fraction(coeff)
        if num == 1:
            return f"{body}/{self.parenthesize(den, 50)}"
        return f"{self.parenthesize(coeff, 50)}*{body}"

    def _print_MatAdd(self, e):
        terms = sorted(e.args, key=lambda a: a.as_coeff_mmul()[0] == -1)  # positive terms first
        out = self._print(terms[0])
        for a in terms[1:]:
            coeff, mats = a.as_coeff_mmul()
            if coeff == -1:
                out += " - " + self.parenthesize(mats.args[0] if len(mats.args) == 1 else mats, 50)
            else:
                out += " + " + self._print(a)
        return out

    def _print_Pow(self, e, rational=False):
        if e.is_number and not e.free_symbols:
            # a constant such as sqrt(2) as a Python float: numpy.sqrt(2) is a float64 scalar and would
            # promote a float32 array (NEP 50)
            return repr(float(e))
        if e.exp == -1:
            return f"1/{self.parenthesize(e.base, 50)}"
        return super()._print_Pow(e, rational=rational)

    def _print_HadamardProduct(self, e):
        return " * ".join(self.parenthesize(a, 60) for a in e.args)

    def _print_Transpose(self, e):
        return f"{self.parenthesize(e.arg, 100)}.T"

    def _print_MatrixSymbol(self, e):
        return e.name


def vectorize(expr: sp.Expr, index: sp.Idx) -> sp.Expr:
    """Array form of an index-notation expression whose free index is ``index``.

    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> i, k = sp.Idx("i", (1, n)), sp.Idx("k", (1, n))
    >>> z = sp.IndexedBase("z")
    >>> vectorize(sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, n)), i)
    exp(z)/RowSum(exp(z))
    """
    arrays = sorted({e.base.label for e in expr.atoms(sp.Indexed)}, key=str)

    def walk(e, bound):
        if isinstance(e, sp.Indexed):
            if len(e.indices) != 1 or e.indices[0] not in bound | {index}:
                raise ValueError(f"cannot vectorize {e}: index is not the free or a bound index")
            return sp.Symbol(str(e.base.label), real=True)
        if isinstance(e, sp.Sum):
            if len(e.limits) != 1:
                return walk(sp.Sum(sp.Sum(e.function, *e.limits[1:]), e.limits[0]), bound)
            k, lo, hi = e.limits[0]
            if lo != 1 or not _is_n(hi):
                raise ValueError(f"cannot vectorize a sum over {k} from {lo} to {hi}")
            return RowSum(walk(e.function, bound | {k}))
        if _is_n(e) and arrays:
            return LastDim(sp.Symbol(str(arrays[0]), real=True))
        if not e.args:
            return e
        return e.func(*[walk(a, bound) for a in e.args])

    return walk(expr, frozenset())


def _is_n(e) -> bool:
    return isinstance(e, sp.Symbol) and e.name == "n"


#: The order in which :func:`stabilize` applies the rewrite rows: a row whose pattern
#: contains another's (``log softmax`` contains ``softmax``) goes first.
ORDER = ("log_softmax_shift", "softmax_shift", "log_sigmoid", "log_one_minus_sigmoid", "sigmoid", "softplus")


@lru_cache(maxsize=None)
def _patterns():
    """Each rewrite row as an array-level (pattern, replacement) pair, built from the row itself."""
    rows = {r.name: r for r in REWRITES}
    u = sp.Wild("u")
    out = []
    for name in ORDER:
        r = rows[name]
        if r.indexed:
            n = sp.Symbol("n", integer=True, positive=True)
            i, k = sp.Idx("i", (1, n)), sp.Idx("k", (1, n))
            zb = sp.IndexedBase("z")
            c = sp.Symbol("c", real=True)
            z = sp.Symbol("z", real=True)
            pat = vectorize(r.unstable(zb, i, k, n, c), i).xreplace({z: u})
            rep = vectorize(r.stable(zb, i, k, n, c), i).xreplace({z: u, c: RowMax(u)})
        else:
            pat, rep = r.unstable(u), r.stable(u)
        out.append((name, pat, rep))
    return tuple(out)


def stabilize(expr: sp.Expr) -> sp.Expr:
    """Apply the proved stability rows (softplus is first written by its definition).

    >>> z = sp.Symbol("z", real=True)
    >>> stabilize(sp.log(sp.exp(z) / RowSum(sp.exp(z))))
    z - log(RowSum(exp(z - RowMax(z)))) - RowMax(z)
    """
    expr = expr.replace(lambda e: isinstance(e, Softplus), lambda e: sp.log(1 + sp.exp(e.args[0])))
    for _name, pat, rep in _patterns():
        expr = expr.replace(pat, rep)
    return expr


def _root(e, target, scratch, printer):
    """Lines that write ``e`` into the array ``target`` with ufuncs' ``out=`` (no fresh array for the result);
    ``scratch``: arguments that may be scaled in place first (a gradient nobody reads afterwards)."""
    P = printer.doprint
    t = sp.Symbol(target, real=True) if not any(a.name == target for a in e.free_symbols) else \
        next(a for a in e.free_symbols if a.name == target)
    if e.is_Add and t in e.args:
        rest = e - t
        coeff, body = rest.as_coeff_Mul()
        sign, rest_abs = ("subtract", -rest) if coeff.is_number and coeff.is_negative else ("add", rest)
        factors = sp.Mul.make_args(rest_abs)
        arrays = [f for f in factors if isinstance(f, sp.Symbol) and f.name in scratch]
        others = sp.Mul(*[f for f in factors if f not in arrays[:1]])
        if len(arrays) == 1 and not (others.free_symbols & set(arrays)) and others != 1:
            a = arrays[0].name
            return [f"numpy.multiply({a}, {P(others)}, out={a})", f"numpy.{sign}({target}, {a}, out={target})"]
        return [f"numpy.{sign}({target}, {P(rest_abs)}, out={target})"]
    if e.is_Mul and t in e.args:
        rest = e / t
        steps = [f for f in sp.Mul.make_args(rest) if isinstance(f, Step)]
        if steps:      # g * H(z): the boolean mask, as the functional kernel prints it (H(0) = 0)
            others = sp.Mul(*[f for f in sp.Mul.make_args(rest) if not isinstance(f, Step)])
            masks = [f"numpy.greater({P(f.args[0])}, 0)" for f in steps] + ([P(others)] if others != 1 else [])
            return [f"numpy.multiply({target}, {'*'.join(masks)}, out={target})"]
        return [f"numpy.multiply({target}, {P(rest)}, out={target})"]
    if isinstance(e, ReLU) and e.args == (t,):
        return [f"numpy.maximum({target}, 0, out={target})"]
    if isinstance(e, sp.tanh) and e.args == (t,):
        return [f"numpy.tanh({target}, out={target})"]
    return None       # no ufunc writes this root into its argument: keep the functional kernel


def make_inplace(name, args, target, exprs, scratch=(), scalars=()):
    """The in-place form of a kernel: ``exprs[0]`` is written into the argument array ``target`` and the
    other expressions are returned as fresh arrays (an optimizer's new state slots); the arguments in
    ``scratch`` may be overwritten.  None when a returned expression reads ``target`` (it would see the
    new values).

    Only the root operation of ``exprs[0]`` changes (a ufunc with ``out=``, a scratch array scaled in
    place); the common subexpressions and everything below the root are the printer's code for the same
    expressions, evaluated before the write, so the arithmetic is the functional kernel's.  The arrays
    passed must not alias one another."""
    names = [str(a) for a in args]
    reps, reduced = sp.cse(list(exprs), symbols=sp.numbered_symbols("x"))
    after = set().union(*[{str(x) for x in e.free_symbols} for e in reduced[1:]]) if len(reduced) > 1 else set()
    if target in after:
        return None
    printer = KernelPrinter({"fully_qualified_modules": True, "allow_unknown_functions": False,
                             "scalars": tuple(scalars)})
    lines = [f"{x} = {printer.doprint(v)}" for x, v in reps]
    root = _root(reduced[0], target, [s_ for s_ in scratch if s_ not in after and s_ != target], printer)
    if root is None:
        return None
    lines += root
    if len(reduced) > 1:
        lines.append("return (" + ", ".join(printer.doprint(e) for e in reduced[1:]) + ",)")
    fname = name.replace(".", "_") + "_inplace"
    source = f"def {fname}({', '.join(names)}):\n" + "".join(f"    {ln}\n" for ln in lines)
    namespace = {"numpy": numpy, "builtins": builtins}
    exec(compile(source, f"<{fname}>", "exec"), namespace)   # generated from derive/'s expressions only
    fn = namespace[fname]
    fn.source = source
    return fn


@dataclass
class Kernel:
    r"""A lambdified kernel with the SymPy expression it came from and its generated source.

    ``derivation`` names the rows of derive/ that justify the expression; ``claims`` the
    catalogue claim ids it implements; ``domain`` is ``"real"`` or ``"probability"``
    (inputs in (0, 1)); ``args`` are the argument names in call order.
    """

    name: str
    args: tuple[str, ...]
    expr: object
    fn: Callable
    source: str
    doc: str = ""
    derivation: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    domain: str = "real"
    defaults: dict = field(default_factory=dict)
    reference: object = None      # the expression before the stability rewrites (for the tests)
    inplace: object = None        # the same expressions written into argument arrays (make_inplace), or None

    def __call__(self, *args):
        if len(args) < len(self.args):
            args = args + tuple(self.defaults[a] for a in self.args[len(args):])
        return self.fn(*args)


def make_kernel(name, args, expr, scalars=(), **info) -> Kernel:
    """Lambdify ``expr`` (or a tuple of expressions) over the symbols ``args``; ``scalars``
    names arguments that are always Python numbers."""
    names = tuple(str(a) for a in args)
    multi = isinstance(expr, (tuple, list))
    namespace = {"builtins": builtins}
    if any(isinstance(e, sp.Basic) and e.has(sp.erf) for e in (expr if multi else [expr])):
        import scipy.special
        namespace["scipy"] = scipy
    fn = sp.lambdify(list(args), list(expr) if multi else expr, modules=[namespace, "numpy"], cse=True,
                     printer=KernelPrinter({"fully_qualified_modules": True, "allow_unknown_functions": False,
                                           "scalars": tuple(scalars)}),
                     docstring_limit=0)
    if multi:
        inner = fn
        fn = lambda *a: tuple(inner(*a))  # noqa: E731  (lambdify returns a list)
        fn.__wrapped__ = inner
    source = inspect.getsource(getattr(fn, "__wrapped__", fn)).replace("_lambdifygenerated", name.replace(".", "_"))
    return Kernel(name=name, args=names, expr=expr, fn=fn, source=source, **info)

