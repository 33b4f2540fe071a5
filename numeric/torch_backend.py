r"""The PyTorch backend: the proved rows lambdified by SymPy's torch printer into
``torch.autograd.Function`` classes whose backward is the *derived* derivative.

==========================  ==================================================================
Function                    forward / backward (``g`` the incoming gradient)
==========================  ==================================================================
``<act>`` of                :math:`y = f(z)` / :math:`g \odot f'(z)` with :math:`f'` the row of
:data:`ACTIVATIONS`         :data:`nnderive.mathematics.rules.RULES`, in output form
                            (:math:`\sigma' = y(1-y)`, :math:`\tanh' = 1-y^2`) where the row has one
``softmax_cce``             :math:`J = \frac1m\sum_e -\sum_k y_{ek}\log\operatorname{softmax}(z_e)_k`
                            / :math:`g\,(a - y)/m` with :math:`a = \operatorname{softmax}(z)` kept
                            from the forward: ``kernels.softmax_cce.batch_grad`` (stable through
                            the max shift) with its softmax sub-expression as the argument
``mse``                     :math:`J = \frac1m\sum_e \frac1n\sum_k (p_{ek}-y_{ek})^2` /
                            :math:`g\,\frac{2}{mn}(p - y)`
``Dense`` (a layer)         :math:`Y = f(A W^\top + \mathbf 1 b^\top)` / :math:`\Delta = g \odot f'`,
                            :math:`\Delta^\top A`, :math:`\Delta^\top\mathbf 1`, :math:`\Delta W`: the
                            batch-first backprop rows in ``torch.nn.Linear``'s weight layout
==========================  ==================================================================

Shapes are batch-first, ``(m, n)``.  Kink convention as the table:
:math:`\mathrm{ReLU}'(0) = 0`, :math:`\mathrm{LeakyReLU}_\alpha'(0) = \alpha`.  The generated code
calls only torch operations, so dtype and device follow the input (CPU, CUDA, ...); nothing goes
through NumPy.  Autograd never differentiates the forward code: each backward is the lambdified
derivative row.

>>> import torch
>>> z = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
>>> act("relu")(z).sum().backward()
>>> z.grad.dtype, z.grad.tolist()
(torch.float64, [0.0, 0.0, 1.0])
>>> torch_kernel("tanh.backward").expr         # the row, printed as one fused pass over the tensor
g*(1 - y**2)
>>> print(source("tanh.backward").strip())
def tanh_backward(g, y):
    return torch.ops.aten.tanh_backward(g, y)
"""
from __future__ import annotations

import inspect
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple

import sympy as sp
import torch
from sympy.printing.pytorch import TorchPrinter

from ..mathematics.primitives import ReLU, Sigmoid, Softplus, Step
from ..mathematics.rules import RULES

from .codegen import LastDim, Rows, RowMax, RowSum
from .kernels import kernel

__all__ = ["DerivedPrinter", "TorchKernel", "torch_kernel", "ACTIVATIONS", "activation_function", "act",
           "claimed_activation",
           "Activation", "Dense", "dense_function", "stack_function", "MLP", "loss_function", "SoftmaxCrossEntropy", "MeanSquaredError",
           "source", "mlp", "ONE_PASS_FROM"]

ACTIVATIONS = tuple(r.name for r in RULES)
_ALPHA = {"leaky_relu": 0.01}          # default slope, as torch.nn.LeakyReLU


class DerivedPrinter(TorchPrinter):
    """SymPy's torch printer, extended with the table's primitives and the codegen reductions.

    Every node becomes one torch call on the input tensor, so the result keeps its dtype and
    device; a Python constant stays a Python number (torch's weak scalar promotion keeps
    float32 float32).
    """

    def _print_Sigmoid(self, e):
        return f"torch.sigmoid({self._print(e.args[0])})"

    def _print_ReLU(self, e):
        return f"torch.relu({self._print(e.args[0])})"

    def _print_Step(self, e):
        # H(0) = 0, the table's kink convention; a boolean mask (promoted by the product)
        return f"torch.gt({self._print(e.args[0])}, 0)"

    def _print_Mul(self, e):
        fused = _fused_pointwise(e)
        if fused is not None:
            op, u, v = fused
            tail = ", 0" if op == "threshold_backward" else ""
            return f"torch.ops.aten.{op}({self._print(u)}, {self._print(v)}{tail})"
        return super()._print_Mul(e)

    def _print_Softplus(self, e):
        # log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), finite for every x
        x = self._print(e.args[0])
        return f"(torch.clamp_min({x}, 0) + torch.log1p(torch.exp(-torch.abs({x}))))"

    def _print_logaddexp(self, e):
        # the stability rewrites' log(e^a + e^b); a constant side becomes a tensor like the other
        a, b = e.args
        if a.is_number:
            a, b = b, a
        x = self._print(a)
        other = f"torch.full_like({x}, {float(b)!r})" if b.is_number else self._print(b)
        return f"torch.logaddexp({x}, {other})"

    def _print_tanh(self, e):
        return f"torch.tanh({self._print(e.args[0])})"

    def _print_exp(self, e):
        return f"torch.exp({self._print(e.args[0])})"

    def _print_log(self, e):
        return f"torch.log({self._print(e.args[0])})"

    def _print_RowSum(self, e):
        return f"torch.sum({self._print(e.args[0])}, -1, keepdim=True)"

    def _print_ColSum(self, e):
        return f"torch.sum({self._print(e.args[0])}, 0)"

    def _print_LogSoftmaxRows(self, e):
        return f"torch.log_softmax({self._print(e.args[0])}, -1)"

    def _print_SoftmaxRows(self, e):
        return f"torch.softmax({self._print(e.args[0])}, -1)"

    def _print_RowMax(self, e):
        return f"torch.amax({self._print(e.args[0])}, -1, keepdim=True)"

    def _print_Rows(self, e):
        return f"{self._print(e.args[0])}.shape[0]"

    def _print_LastDim(self, e):
        return f"{self._print(e.args[0])}.shape[-1]"

    def _print_Piecewise(self, e):
        *pairs, (last, cond) = e.args
        if cond is not sp.true:
            raise ValueError("Piecewise without an otherwise branch")
        out = self._print(last)
        for val, c in reversed(pairs):
            out = f"torch.where({self._print(c)}, {self._print(val)}, {out})"
        return out

    def _print_Relational(self, e):
        ops = {"<=": "le", "<": "lt", ">=": "ge", ">": "gt", "==": "eq", "!=": "ne"}
        return f"torch.{ops[e.rel_op]}({self._print(e.lhs)}, {self._print(e.rhs)})"

    def _print_Pow(self, e, rational=False):
        if e.exp == 2:
            b = self.parenthesize(e.base, 60)
            return f"{b}**2"
        if e.exp == -1:
            return f"1/{self.parenthesize(e.base, 50)}"
        return f"{self.parenthesize(e.base, 60)}**{self.parenthesize(e.exp, 60)}"


class InplacePrinter(DerivedPrinter):
    """The same formulas written into the first argument's memory: an activation as ``torch.relu_``,
    ``torch.tanh_``, ``torch.sigmoid_`` and a fused pointwise backward through aten's ``grad_input=``
    overload.  Only :func:`_lambdify_inplace` uses it, on expressions where that is safe."""

    def _print_Sigmoid(self, e):
        return f"torch.sigmoid_({self._print(e.args[0])})"

    def _print_ReLU(self, e):
        return f"torch.relu_({self._print(e.args[0])})"

    def _print_tanh(self, e):
        return f"torch.tanh_({self._print(e.args[0])})"

    def _print_Mul(self, e):
        fused = _fused_pointwise(e)
        if fused is None:
            raise ValueError(f"no in-place form of {e}")
        op, u, v = fused
        u, v = self._print(u), self._print(v)
        tail = ", 0" if op == "threshold_backward" else ""
        return f"torch.ops.aten.{op}.grad_input({u}, {v}{tail}, grad_input={u})"


class LogSoftmaxRows(sp.Function):
    r"""Printer node: :math:`u - \max_j u_j - \log\sum_j e^{u_j - \max_k u_k}` along the last axis."""


class SoftmaxRows(sp.Function):
    r"""Printer node: :math:`e^{u - \max_j u_j} / \sum_j e^{u_j - \max_k u_k}` along the last axis."""


def _row_softmax_forms():
    """The stabilised log-softmax and softmax of the kernel table, as functions of their argument."""
    forms = []
    for name, node in (("log_softmax", LogSoftmaxRows), ("softmax", SoftmaxRows)):
        expr = kernel(name).expr
        (z,) = expr.atoms(RowMax).pop().args
        forms.append((lambda u, expr=expr, z=z: expr.xreplace({z: u}), node))
    return forms


def fuse_rows(expr):
    r"""Every subexpression that is, node for node, the table's stabilised log-softmax or softmax of
    some :math:`u` (the one inside its ``RowMax``) replaced by one node that prints as
    ``torch.log_softmax(u, -1)`` / ``torch.softmax(u, -1)``: one pass instead of six to eight, computing
    the same formula (faster on large tensors only: :data:`ONE_PASS_FROM`).  Matched on the expression, never on a kernel's name; anything written otherwise
    is printed as it stands."""
    if not isinstance(expr, sp.Basic) or not expr.has(RowMax):
        return expr
    forms = _row_softmax_forms()

    def fused(e):
        # the form may be the whole sum or product or part of a longer one (w * softmax(u) is one flat product)
        for m in e.atoms(RowMax):
            for form, node in forms:
                f = form(m.args[0])
                if f.func is not e.func:
                    continue
                rest = list(e.args)
                for a in f.args:
                    if a not in rest:
                        break
                    rest.remove(a)
                else:
                    return e.func(node(m.args[0]), *rest)
        return e

    return expr.replace(lambda e: e.is_Add or e.is_Mul, fused)


def _fused_pointwise(e: sp.Mul):
    r"""``(op, u, v)`` when the product ``e`` has the exact shape one of aten's fused pointwise kernels
    evaluates, else None: :math:`u\,H(v)` is ``threshold_backward(u, v, 0)`` ("u where v > 0, else 0",
    the table's :math:`H(0) = 0`), :math:`u\,(1 - v^2)` is ``tanh_backward(u, v)`` and
    :math:`u\,v\,(1 - v)` is ``sigmoid_backward(u, v)``.  Matched on the expression, never on a rule's
    name: one pass over the tensor instead of three, computing the same formula (a row written any other
    way is printed as it stands; tests compare each fused kernel with the unfused expression)."""
    args = e.args
    if len(args) < 2:
        return None
    for a in args:
        rest = [b for b in args if b is not a]
        if isinstance(a, Step):
            return "threshold_backward", sp.Mul(*rest), a.args[0]
        if a.is_Add:
            c = 1 - a                      # 1 - (1 - v^2) = v^2, 1 - (1 - v) = v
            if c.is_Pow and c.exp == 2:
                return "tanh_backward", sp.Mul(*rest), c.base
            if c in rest:
                rest.remove(c)
                return "sigmoid_backward", sp.Mul(*rest), c
    return None


@dataclass
class TorchKernel:
    """A lambdified torch function with the expression it came from and its source."""

    name: str
    args: tuple[str, ...]
    expr: sp.Expr
    fn: Callable
    source: str
    derivation: str
    written: Callable | None = None      # the two forms of a kernel with row forms (see _lambdify)
    one_pass: Callable | None = None


# torch's one-pass row kernels pay off only on large tensors: with the few classes of a usual output
# layer the expression's own passes, sharing the shifted exponentials through CSE, are faster (the
# softmax + CE forward at 1024 x 10 float32: 58 against 300 us, one thread on this project's VM); from
# about 2^18 entries on the one-pass kernels win (log-softmax and softmax of 1024 x 1000: 1.2 against 1.6 ms).
ONE_PASS_FROM = 1 << 18


def _print_kernel(name, args, printed):
    fn = sp.lambdify(list(args), printed, modules=[{"torch": torch}, "math"], cse=True,
                     printer=DerivedPrinter({"fully_qualified_modules": True, "allow_unknown_functions": False}),
                     docstring_limit=0)
    return fn, inspect.getsource(fn).replace("_lambdifygenerated", name.replace(".", "_"))


def _lambdify(name, args, expr, derivation) -> TorchKernel:
    """The kernel of ``expr`` as written; where it holds the table's log-softmax or softmax
    (:func:`fuse_rows`), also printed with torch's one-pass row kernels, which it runs on a first
    argument of at least :data:`ONE_PASS_FROM` entries (a test compares the two)."""
    written, src = _print_kernel(name, args, expr)
    fused = tuple(fuse_rows(e) for e in expr) if isinstance(expr, tuple) else fuse_rows(expr)
    if fused == expr:
        return TorchKernel(name, tuple(str(a) for a in args), expr, written, src, derivation)
    one_pass, src_one = _print_kernel(name + ".one_pass", args, fused)

    def fn(*a):
        return (one_pass if a[0].numel() >= ONE_PASS_FROM else written)(*a)
    src = f"{src}\n# from {ONE_PASS_FROM} entries of {args[0]} on:\n{src_one}"
    return TorchKernel(name, tuple(str(a) for a in args), expr, fn, src, derivation, written, one_pass)


def _lambdify_inplace(name, args, expr, derivation) -> TorchKernel | None:
    r"""The kernel of ``expr`` overwriting its first argument, or None where that is not one safe pass:
    an activation :math:`f(z)` (ReLU, tanh, sigmoid) of the argument itself, or a fused pointwise
    product :math:`g\,h(v)` of :func:`_fused_pointwise` with ``g`` the first argument and ``v`` the second
    (every element read once, before it is written).  Callers pass only tensors they created."""
    first = args[0]
    if isinstance(expr, (ReLU, Sigmoid, sp.tanh)):
        safe = expr.args == (first,)
    elif isinstance(expr, sp.Mul) and (fused := _fused_pointwise(expr)) is not None:
        safe = fused[1] == first and fused[2] == args[1]
    else:
        safe = False
    if not safe:
        return None
    fn = sp.lambdify(list(args), expr, modules=[{"torch": torch}, "math"],
                     printer=InplacePrinter({"fully_qualified_modules": True, "allow_unknown_functions": False}),
                     docstring_limit=0)
    src = inspect.getsource(fn).replace("_lambdifygenerated", name.replace(".", "_"))
    return TorchKernel(name, tuple(str(a) for a in args), expr, fn, src, derivation)


@lru_cache(maxsize=None)
def _kernels() -> dict[str, TorchKernel]:
    z, y, g = (sp.Symbol(s, real=True) for s in "zyg")
    alpha = sp.Symbol("alpha", positive=True)
    out = []
    for r in RULES:
        plain = {a: alpha for a in r.function(z).free_symbols if a.name == r"\alpha"}
        f = r.function(z).xreplace(plain)
        extra = (alpha,) if f.has(alpha) else ()
        if f.has(alpha):   # LeakyReLU as its elementary piecewise definition (torch has no printer for it)
            f = f.rewrite("elementary")
        out.append(_lambdify(f"{r.name}.forward", (z, *extra), f, f"rules.{r.name}"))
        dy = r.derivative(y, z).xreplace(plain)
        # output form (y = f(z)) where the row is written with y only; otherwise the input z
        vjp = sp.piecewise_fold(g * (dy if not dy.has(z) else r.derivative(f, z).xreplace(plain)))
        saved = y if not dy.has(z) else z
        out.append(_lambdify(f"{r.name}.backward", (g, saved, *extra), vjp, f"rules.{r.name}"))
        if saved == y:      # the output form: z is not needed after the forward, nor g after the backward
            out += [k for k in (_lambdify_inplace(f"{r.name}.forward_", (z, *extra), f, f"rules.{r.name}"),
                                _lambdify_inplace(f"{r.name}.backward_", (g, saved, *extra), vjp,
                                                  f"rules.{r.name}")) if k is not None]
    # softmax + CE: the forward returns the per-example loss and the softmax a (sharing the shifted
    # exponentials); the backward is the batch gradient with that softmax as its argument, (a - y)/m
    k, kg, ks = kernel("softmax_cce"), kernel("softmax_cce.batch_grad"), kernel("softmax")
    x, t, a = (sp.Symbol(s, real=True) for s in ("z", "y", "a"))
    out.append(_lambdify("softmax_cce.forward", (x, t), (k.expr, ks.expr), "kernels.softmax_cce, kernels.softmax"))
    grad = kg.expr.xreplace({ks.expr: a}).xreplace({Rows(x): Rows(a)})
    if grad.has(x):
        raise ValueError(f"softmax_cce.batch_grad is not a function of the softmax: {grad}")
    out.append(_lambdify("softmax_cce.backward", (g, a, t), g * grad, "kernels.softmax_cce.batch_grad"))
    k, kg = kernel("mse"), kernel("mse.batch_grad")
    x, t = (sp.Symbol(s, real=True) for s in k.args)
    out.append(_lambdify("mse.forward", (x, t), k.expr, "kernels.mse"))
    out.append(_lambdify("mse.backward", (g, x, t), g * kg.expr, "kernels.mse.batch_grad"))
    return {k.name: k for k in out}


def torch_kernel(name: str) -> TorchKernel:
    """One lambdified torch kernel (``<act>.forward``, ``<act>.backward``, ``<loss>.forward`` ...)."""
    ks = _kernels()
    if name not in ks:
        raise KeyError(f"no torch kernel {name!r}; known: {', '.join(sorted(ks))}")
    return ks[name]


def source(name: str) -> str:
    """The generated Python source of a torch kernel."""
    return torch_kernel(name).source


def _saves_output(name: str) -> bool:
    return torch_kernel(f"{name}.backward").args[1] == "y"


@lru_cache(maxsize=None)
def activation_function(name: str) -> type[torch.autograd.Function]:
    r"""The ``torch.autograd.Function`` of the activation ``name``: forward :math:`f(z)`,
    backward :math:`g \odot f'` from the proved row (``alpha`` for LeakyReLU, not differentiated)."""
    fwd, bwd = torch_kernel(f"{name}.forward").fn, torch_kernel(f"{name}.backward").fn
    with_alpha = name in _ALPHA
    doc = f"{name}: backward from rules.{name}" + (" (alpha: slope for z <= 0)" if with_alpha else "")
    return _function(name, fwd, bwd, _saves_output(name), doc)


def claimed_activation(claimed: dict, name: str) -> type[torch.autograd.Function]:
    r"""The ``Function`` of an activation a user's proved claim defines (``claimed``: the kernels of
    :func:`nnderive.numeric.claimed.kernels_from_files`): forward the claim's :math:`f(z)`, backward
    :math:`g \odot f'(z)` with :math:`f'` the claim's proved right-hand side, both lambdified for torch from
    the same stabilised expressions as the NumPy kernels."""
    f, vjp = claimed[name], claimed[f"{name}.vjp"]
    fwd = _lambdify(f"{name}.forward", [sp.Symbol(a, real=True) for a in f.args], f.expr, ", ".join(f.derivation))
    bwd = _lambdify(f"{name}.backward", [sp.Symbol(a, real=True) for a in vjp.args], vjp.expr,
                    ", ".join(vjp.derivation))
    return _function(name, fwd.fn, bwd.fn, False, f"{name}: backward from {', '.join(f.derivation)}")


def _function(name, fwd, bwd, output_form, doc):
    """A ``torch.autograd.Function`` with the lambdified forward and backward (extra arguments: not
    differentiated); ``output_form`` saves y = f(z) for the backward instead of z."""

    def forward(ctx, z, *extra):
        y = fwd(z, *extra)
        ctx.extra = extra
        ctx.save_for_backward(y if output_form else z)
        return y

    def backward(ctx, g):
        (saved,) = ctx.saved_tensors
        return (bwd(g, saved, *ctx.extra),) + (None,) * len(ctx.extra)

    return type(f"Derived_{name}", (torch.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward), "__doc__": doc})


def _extra_args(name: str, params: dict) -> tuple:
    """The parameters an activation's Function takes after ``z`` (LeakyReLU's ``alpha``; none for the others)."""
    if name in _ALPHA:
        return (float(params.get("alpha", _ALPHA[name])),)
    if params:
        raise TypeError(f"{name} takes no parameters")
    return ()


def act(name: str, **params) -> Callable[[torch.Tensor], torch.Tensor]:
    """``z -> f(z)`` through the derived Function (``alpha=`` for LeakyReLU)."""
    fn = activation_function(name)
    extra = _extra_args(name, params)
    return (lambda z: fn.apply(z, *extra)) if extra else fn.apply


class Activation(torch.nn.Module):
    """An ``nn.Module`` applying a derived activation, for use inside any torch model (``claimed``: the
    kernels of the user's proved claims, :mod:`nnderive.numeric.claimed`, for an activation of their own).

    >>> m = torch.nn.Sequential(torch.nn.Linear(3, 4), Activation("tanh"))
    >>> m(torch.zeros(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(self, name: str, claimed: dict | None = None, **params):
        super().__init__()
        self.name, self.params = name, params
        if claimed and name in claimed:      # an activation from the user's proved claims
            self._fn = claimed_activation(claimed, name).apply
            return
        if name not in ACTIVATIONS:
            raise KeyError(f"no activation {name!r}; known: {', '.join(ACTIVATIONS)}"
                           + (f", and from claims: {', '.join(n for n in claimed if '.' not in n)}" if claimed else ""))
        self._fn = act(name, **params)

    def forward(self, z):
        return self._fn(z)

    def extra_repr(self):
        return self.name + "".join(f", {k}={v}" for k, v in self.params.items())


@lru_cache(maxsize=None)
def loss_function(name: str) -> type[torch.autograd.Function]:
    r"""The ``Function`` of a batch-mean loss :math:`J(x, y) = \frac1m\sum_e \ell(x_e, y_e)`:
    backward :math:`g\,\partial J/\partial x` from the derived batch gradient (none for ``y``)."""
    fwd, bwd = torch_kernel(f"{name}.forward").fn, torch_kernel(f"{name}.backward").fn
    with_softmax = name == "softmax_cce"

    def forward(ctx, x, t):
        if with_softmax:
            per, a = fwd(x, t)
            ctx.save_for_backward(a, t)
        else:
            per = fwd(x, t)
            ctx.save_for_backward(x, t)
        return per.sum() / x.shape[0]

    def backward(ctx, g):
        x, t = ctx.saved_tensors
        return bwd(g, x, t), None

    return type(f"Derived_{name}", (torch.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward),
                 "__doc__": f"{name}: batch mean; backward from kernels.{name}.batch_grad"})


class SoftmaxCrossEntropy(torch.nn.Module):
    r"""Mean softmax cross-entropy from logits ``z`` and targets ``y`` (one-hot or probabilities,
    rows summing to 1, as the derived gradient :math:`(\operatorname{softmax}(z) - y)/m` assumes)."""

    def forward(self, z, y):
        return loss_function("softmax_cce").apply(z, y)


class MeanSquaredError(torch.nn.Module):
    r""":math:`\frac{1}{mn}\sum (p - y)^2`, as ``torch.nn.MSELoss()``."""

    def forward(self, p, y):
        return loss_function("mse").apply(p, y)


@lru_cache(maxsize=None)
def _layer_kernels() -> dict[str, TorchKernel]:
    r"""The batch-first backprop rows of :mod:`nnderive.numeric.kernels` in torch's weight layout.

    ``torch.nn.Linear`` stores :math:`W^\top` (``weight``, shape ``(n_out, n_in)``) for the rows'
    batch-first :math:`W`, so the rows are rewritten symbolically: :math:`\partial J/\partial W^\top =
    (A^\top\Delta)^\top = \Delta^\top A` and :math:`\partial J/\partial A = \Delta W^\top = \Delta\,
    \mathrm{weight}`."""
    wg, ig, bg = kernel("backprop.weight_grad_no_l2"), kernel("backprop.input_grad"), kernel("backprop.bias_grad")
    W = {a.name: a for a in ig.expr.free_symbols}["W"]
    weight = sp.MatrixSymbol("weight", W.shape[1], W.shape[0])
    A, D = (({a.name: a for a in wg.expr.free_symbols})[n] for n in ("A", "D"))
    (Db,) = bg.expr.free_symbols
    return {"weight_grad": _lambdify("dense.weight_grad", (D, A), sp.Transpose(wg.expr).doit(),
                                     "kernels.backprop.weight_grad_no_l2, transposed"),
            "input_grad": _lambdify("dense.input_grad", (D, weight), ig.expr.xreplace({W: weight.T}).doit(),
                                    "kernels.backprop.input_grad, W = weight^T"),
            "bias_grad": _lambdify("dense.bias_grad", (Db,), bg.expr, "kernels.backprop.bias_grad")}


class _Act(NamedTuple):
    forward: Callable | None
    backward: Callable | None
    output_form: bool                    # the backward keeps y = f(z), not z
    forward_: Callable | None = None     # the same kernels, overwriting their first argument
    backward_: Callable | None = None


@lru_cache(maxsize=None)
def _activation_rows(name: str | None) -> _Act:
    """An activation's kernels; ``None``: the identity."""
    if name is None:
        return _Act(None, None, True)
    ks = _kernels()
    inplace = [ks[f"{name}.{k}"].fn if f"{name}.{k}" in ks else None for k in ("forward_", "backward_")]
    return _Act(ks[f"{name}.forward"].fn, ks[f"{name}.backward"].fn, _saves_output(name), *inplace)


def _layer_forward(act, a, weight, bias, extra):
    """One layer forward: its output and the tensor its backward keeps (the output or the pre-activation).
    The pre-activation is this function's own tensor, so an output-form activation overwrites it."""
    z = torch.addmm(bias, a, weight.t())
    if act.forward is None:
        return z, z
    y = (act.forward_ or act.forward)(z, *extra) if act.output_form else act.forward(z, *extra)
    return y, (y if act.output_form else z)


def _layer_backward(act, rows, g, a, weight, kept, extra, input_grad, owns_g=False):
    """One layer back: ``(dA or None, dweight, dbias)`` from the derived rows (``owns_g``: ``g`` is a
    tensor of ours that nothing else reads, so the activation's row may overwrite it)."""
    if act.backward is None:
        d = g
    else:
        d = (act.backward_ if owns_g and act.backward_ is not None else act.backward)(g, kept, *extra)
    wgrad, igrad, bgrad = rows
    return (igrad(d, weight) if input_grad else None), wgrad(d, a), bgrad(d)


def _layer_rows():
    rows = _layer_kernels()
    return rows["weight_grad"].fn, rows["input_grad"].fn, rows["bias_grad"].fn


def dense_function(activation: str | None) -> type[torch.autograd.Function]:
    r"""One layer :math:`Y = f(A W^\top + \mathbf 1 b^\top)` as a single ``Function`` (``activation=None``:
    :math:`f` the identity), ``A`` of shape ``(m, n_in)``, ``weight`` ``(n_out, n_in)`` as ``torch.nn.Linear``.

    Backward, every line a derived row: :math:`\Delta = g \odot f'` (the activation's row),
    :math:`\partial/\partial\,\mathrm{weight} = \Delta^\top A`, :math:`\partial/\partial b = \Delta^\top
    \mathbf 1`, and :math:`\partial/\partial A = \Delta\,\mathrm{weight}` only where the input needs a
    gradient (not for the data).  One graph node per layer instead of torch's addmm node, transposes and
    the activation's node."""
    rows, act = _layer_rows(), _activation_rows(activation)

    def forward(ctx, a, weight, bias, *extra):
        y, kept = _layer_forward(act, a, weight, bias, extra)
        ctx.extra = extra
        ctx.save_for_backward(a, weight, kept)
        return y

    def backward(ctx, g):
        a, weight, kept = ctx.saved_tensors
        grads = _layer_backward(act, rows, g, a, weight, kept, ctx.extra, ctx.needs_input_grad[0])
        return grads + (None,) * len(ctx.extra)

    name = activation or "linear"
    return type(f"Derived_dense_{name}", (torch.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward),
                 "__doc__": f"dense layer + {name}: backward from kernels.backprop.* and rules.{name}"})


class Dense(torch.nn.Module):
    """A ``torch.nn.Linear`` followed by a derived activation, as one derived ``Function``: the same
    parameters (``weight``, ``bias``), initialisation and random-number use as ``torch.nn.Linear``.

    >>> layer = Dense(3, 4, "tanh", dtype=torch.float64)
    >>> layer(torch.zeros(2, 3, dtype=torch.float64)).shape, layer.weight.shape
    (torch.Size([2, 4]), torch.Size([4, 3]))
    """

    def __init__(self, in_features: int, out_features: int, activation: str | None = None, dtype=None,
                 device=None, **params):
        super().__init__()
        if activation is not None and activation not in ACTIVATIONS:
            raise KeyError(f"no activation {activation!r}; known: {', '.join(ACTIVATIONS)}")
        self._extra = _extra_args(activation or "linear", params)
        lin = torch.nn.Linear(in_features, out_features, dtype=dtype, device=device)
        self.weight, self.bias = lin.weight, lin.bias
        self.activation = activation
        self._fn = dense_function(activation).apply

    def forward(self, a):
        return self._fn(a, self.weight, self.bias, *self._extra)

    def extra_repr(self):
        return f"in_features={self.weight.shape[1]}, out_features={self.weight.shape[0]}, activation={self.activation}"


@lru_cache(maxsize=None)
def stack_function(activations: tuple, extras: tuple, loss: str | None = None) -> type[torch.autograd.Function]:
    r"""A whole stack of dense layers as one ``Function``: ``apply(a, weight_1, bias_1, ..., weight_L,
    bias_L)``, layer :math:`l` with activation ``activations[l]`` (None: the identity) and its extra
    arguments ``extras[l]``.  Forward and backward are :func:`dense_function`'s, layer after layer (the
    same derived rows, in the same order), with one graph node for the stack: the per-layer cost of a
    Python ``Function`` (its context and the autograd engine's call back into Python) is paid once.

    With ``loss`` (``"softmax_cce"`` or ``"mse"``) the node is the whole objective: ``apply(a, y, weight_1,
    ...)`` returns :func:`loss_function`'s batch mean :math:`J` of the stack's output against the targets
    ``y``, and the backward starts from that loss's derived batch gradient."""
    rows, layers = _layer_rows(), [_activation_rows(name) for name in activations]
    lfwd, lbwd = ((torch_kernel(f"{loss}.forward").fn, torch_kernel(f"{loss}.backward").fn) if loss else (None, None))
    with_softmax = loss == "softmax_cce"

    def run_forward(a, params):
        saved = []
        for act, extra, weight, bias in zip(layers, extras, params[::2], params[1::2]):
            y, kept = _layer_forward(act, a, weight, bias, extra)
            saved += [a, weight, kept]
            a = y
        return a, saved

    def run_backward(saved, g, owns_g, input_grad):
        grads = []
        for k in range(len(layers) - 1, -1, -1):
            a, weight, kept = saved[3 * k: 3 * k + 3]
            g, dw, db = _layer_backward(layers[k], rows, g, a, weight, kept, extras[k], k > 0 or input_grad,
                                        owns_g=owns_g)
            owns_g = True                    # from here on g is the previous layer's fresh D W
            grads += [db, dw]
        return g, tuple(reversed(grads))

    if loss is None:
        def forward(ctx, a, *params):
            a, saved = run_forward(a, params)
            ctx.save_for_backward(*saved)
            return a

        def backward(ctx, g):
            g, grads = run_backward(ctx.saved_tensors, g, False, ctx.needs_input_grad[0])
            return (g, *grads)
    else:
        def forward(ctx, a, t, *params):
            out, saved = run_forward(a, params)
            if with_softmax:
                per, kept = lfwd(out, t)
            else:
                per, kept = lfwd(out, t), out
            ctx.save_for_backward(*saved, kept, t)
            return per.sum() / out.shape[0]

        def backward(ctx, g):
            *saved, kept, t = ctx.saved_tensors
            g, grads = run_backward(saved, lbwd(g, kept, t), True, ctx.needs_input_grad[0])
            return (g, None, *grads)

    name = "_".join(a or "linear" for a in activations) + (f"_{loss}" if loss else "")
    return type(f"Derived_stack_{name}", (torch.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward),
                 "__doc__": "dense stack: backward from kernels.backprop.* and the activations' rules"
                            + (f", starting from kernels.{loss}.batch_grad" if loss else "")})


class MLP(torch.nn.Sequential):
    """Derived :class:`Dense` layers run as one :func:`stack_function` node (the layers keep their own
    parameters, names and ``forward``: ``model[0](x)`` is the first layer alone)."""

    def _node(self, loss=None):
        layers = list(self)
        return stack_function(tuple(l.activation for l in layers), tuple(l._extra for l in layers), loss), \
            tuple(p for l in layers for p in (l.weight, l.bias))

    def forward(self, a):
        fn, params = self._node()
        return fn.apply(a, *params)

    def loss(self, a, y, loss: str = "softmax_cce"):
        r"""The batch-mean loss of the network's output against ``y`` as one derived node, the same
        value and gradients as ``SoftmaxCrossEntropy()(model(a), y)`` (``loss="mse"``:
        :class:`MeanSquaredError`) without a second node between them; ``y`` as that loss takes it
        (one-hot or probability rows for ``softmax_cce``)."""
        if loss not in ("softmax_cce", "mse"):
            raise KeyError(f"no loss {loss!r}; known: softmax_cce, mse")
        fn, params = self._node(loss)
        return fn.apply(a, y, *params)


def mlp(sizes, activation="relu", dtype=torch.float32, device=None, **params) -> MLP:
    """A stack of derived :class:`Dense` layers (no activation after the last one), run as one node.

    The layers are named ``0, 2, 4, ...``, as in the eager stack ``Linear, act, Linear, act, Linear``, so a
    state dict moves between the two (``eager.load_state_dict(mlp(...).state_dict())``)."""
    last = len(sizes) - 2
    return MLP(OrderedDict(
        (str(2 * i), Dense(a, b, activation, dtype=dtype, device=device, **params) if i < last
         else Dense(a, b, None, dtype=dtype, device=device))      # the activation's parameters: not the output's
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))))
