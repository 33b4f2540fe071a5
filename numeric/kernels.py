r"""The kernel registry: every kernel is lambdified from an expression derive/ proves.

================================  =========================================================
kernels                           derived from
================================  =========================================================
``<act>``, ``<act>.grad``         a row of :data:`nnderive.mathematics.rules.RULES` (``function``, and
                                  ``derivative`` evaluated at :math:`y = f(z)`)
``<act>.grad_y``                  the same row in output form (:math:`\sigma' = y(1-y)`,
                                  :math:`\tanh' = 1-y^2`)
``softmax``, ``log_softmax``      the softmax definition through the proved shift rows of
                                  :data:`nnderive.mathematics.rewrites.REWRITES`
``<loss>``, ``<loss>.grad``       the per-example loss in index notation, differentiated by
                                  SymPy for symbolic :math:`n` (Kronecker sums resolved by
                                  :mod:`nnderive.mathematics.indexsums`); the gradient is checked against the
                                  proved row of :data:`nnderive.mathematics.rules.VECTOR_RULES` in the tests
``backprop.*``                    :func:`nnderive.mathematics.backprop.batch_first_rows`
``optim.*``                       the update lists of :data:`nnderive.mathematics.optimizers.OPTIMIZERS`,
                                  composed into one step
``init.*``                        the variances of :data:`nnderive.mathematics.conventions.INITS`
================================  =========================================================

Shapes are batch-first: a per-example formula over :math:`n` components runs on an
``(m, n)`` array, its sums over the last axis.  Kink convention:
:math:`\mathrm{ReLU}'(0) = 0`, :math:`\mathrm{LeakyReLU}_\alpha'(0) = \alpha`.

>>> import numpy as np
>>> k = kernel("sigmoid.grad")
>>> print(k.source.strip())
def sigmoid_grad(z):
    x0 = numpy.exp(-numpy.logaddexp(0, -z))
    return x0*(1 - x0)
>>> k(np.float32([0.0, 1e3, -1e3]))
array([0.25, 0.  , 0.  ], dtype=float32)
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..mathematics.backprop import batch_first_rows, batch_first_symbols
from ..mathematics.conventions import INITS
from ..mathematics.indexsums import clean_ranges, doit_sums
from ..mathematics.optimizers import OPTIMIZERS, SYM
from ..mathematics.primitives import Sigmoid
from ..mathematics.rules import RULES

from .codegen import ColSum, Kernel, Rows, make_inplace, make_kernel, stabilize, vectorize

__all__ = ["kernel", "kernels", "LOSS_DEFINITIONS", "ACTIVATION_KERNELS", "OPTIMIZER_KERNELS", "STATE_ROLES"]

_n = sp.Symbol("n", integer=True, positive=True)
_i, _j, _k = (sp.Idx(s, (1, _n)) for s in "ijk")
_zb, _yb = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
_pb = sp.IndexedBase("p", positive=True)


def _softmax_i(k):
    return sp.exp(_zb[k]) / sp.Sum(sp.exp(_zb[_j]), (_j, 1, _n))


#: Per-example losses in index notation: name -> (variable, definition, given facts, doc, claims, row).
#: ``given`` lists facts about the target used to simplify the gradient (``sum_y``: rows sum to 1).
LOSS_DEFINITIONS = {
    "softmax_cce": (_zb, -sp.Sum(_yb[_k] * sp.log(_softmax_i(_k)), (_k, 1, _n)), ("sum_y",),
                    r"-\sum_k y_k \log \operatorname{softmax}(z)_k, from logits; stable through log-softmax",
                    (), "softmax + cce"),
    "sigmoid_bce": (_zb, -sp.Sum(_yb[_k] * sp.log(Sigmoid(_zb[_k])) + (1 - _yb[_k]) * sp.log(1 - Sigmoid(_zb[_k])),
                                 (_k, 1, _n)) / _n, (),
                    r"\frac1n\sum_k -[y_k\log\sigma(z_k) + (1-y_k)\log(1-\sigma(z_k))], from logits",
                    (), "sigmoid + bce"),
    "mse": (_pb, sp.Sum((_pb[_k] - _yb[_k]) ** 2, (_k, 1, _n)) / _n, (),
            r"\frac1n\sum_k (p_k - y_k)^2 (mean convention, as torch.nn.MSELoss)", (), "mse (mean)"),
    "sse": (_pb, sp.Sum((_yb[_k] - _pb[_k]) ** 2, (_k, 1, _n)), (), r"\sum_k (y_k - p_k)^2", (), "sse"),
    "bce": (_pb, -sp.Sum(_yb[_k] * sp.log(_pb[_k]) + (1 - _yb[_k]) * sp.log(1 - _pb[_k]), (_k, 1, _n)) / _n, (),
            r"\frac1n\sum_k -[y_k\log p_k + (1-y_k)\log(1-p_k)], from probabilities", (), "bce"),
    "cce": (_pb, -sp.Sum(_yb[_k] * sp.log(_pb[_k]), (_k, 1, _n)), (),
            r"-\sum_k y_k \log p_k, from probabilities", (), "cce"),
}

ACTIVATION_KERNELS = tuple(r.name for r in RULES)
#: optimizer kernels: name -> (derive.optimizers key, variant)
OPTIMIZER_KERNELS = {
    "sgd": ("gd", None), "momentum": ("momentum", None), "momentum_dampening": ("momentum", "dampening"),
    "nesterov": ("nesterov_pytorch", None), "adagrad": ("adagrad", None), "adagrad_eps_inside": ("adagrad", "eps_inside"),
    "rmsprop": ("rmsprop", None), "rmsprop_eps_inside": ("rmsprop", "eps_inside"), "adam": ("adam", None),
    "adam_eps_inside": ("adam", "eps_inside"), "adamw": ("adamw", None),
}
#: optimizer state that persists between steps (m_hat, v_hat and the look-ahead are recomputed)
STATE_ROLES = ("velocity", "sq_avg", "m", "v")


def _arr(name):
    return sp.Symbol(name, real=True)


def _activation_kernels():
    z, y, alpha = _arr("z"), _arr("y"), sp.Symbol("alpha", positive=True)
    out = []
    def plain_alpha(e):  # the table's \alpha as the kernel argument alpha
        return e.xreplace({a: alpha for a in e.free_symbols if a.name == r"\alpha"})

    for r in RULES:
        fz = plain_alpha(r.function(z))
        extra, defaults = ((alpha,), {"alpha": 0.01}) if r.name == "leaky_relu" else ((), {})
        fz_el = fz.rewrite("elementary") if r.name == "leaky_relu" else fz
        info = dict(derivation=(f"rules.{r.name}",), defaults=defaults)
        out.append(make_kernel(r.name, (z, *extra), stabilize(fz_el), reference=fz_el,
                               doc=f"{r.name}(z), elementwise",
                               inplace=make_inplace(r.name, (z, *extra), "z", [stabilize(fz_el)]), **info))
        d = plain_alpha(r.derivative(fz, z))
        out.append(make_kernel(f"{r.name}.grad", (z, *extra), stabilize(d), reference=d,
                               doc=f"{r.latex}" + (f"; {r.kink}" if r.kink else ""), **info))
        dy = r.derivative(y, z)
        g = _arr("g")
        if not dy.has(z):
            out.append(make_kernel(f"{r.name}.grad_y", (y,), dy, doc=f"{r.latex}, with y = f(z)", **info))
            # vector-Jacobian product from the forward output, as autograd's defvjp(ans, x)
            out.append(make_kernel(f"{r.name}.vjp_y", (g, y), g * dy, doc=f"g * f'(z) with {r.latex}, y = f(z)",
                                   inplace=make_inplace(f"{r.name}.vjp_y", (g, y), "g", [g * dy]), **info))
        out.append(make_kernel(f"{r.name}.vjp", (g, z, *extra), g * stabilize(d), reference=g * d,
                               doc=f"g * f'(z), {r.latex}",
                               inplace=make_inplace(f"{r.name}.vjp", (g, z, *extra), "g", [g * stabilize(d)],
                                                    scalars=[str(a) for a in extra]), **info))
    return out


def _fact_sum_y(expr):
    """Replace :math:`\\sum_k y_k` by 1 (a one-hot or probability target)."""
    from sympy.simplify.simplify import factor_sum
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), factor_sum)  # constant factors out of the sums
    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.function == _yb[e.limits[0][0]], lambda e: sp.S.One)


def loss_gradient(name: str) -> sp.Expr:
    r""":math:`\partial \ell / \partial x_i` of a per-example loss, for symbolic :math:`n`, in index notation."""
    var, loss, given, *_ = LOSS_DEFINITIONS[name]
    d = clean_ranges(doit_sums(loss.diff(var[_i])), {_i: (1, _n)})
    if "sum_y" in given:
        d = _fact_sum_y(d)
    return sp.simplify(d)


def _loss_kernels():
    out = []
    y = _arr("y")
    for name, (var, loss, given, doc, claims, row) in LOSS_DEFINITIONS.items():
        x = _arr(str(var.label))
        dom = "probability" if str(var.label) == "p" else "real"
        info = dict(derivation=(f"vector_rules.{row}",), claims=claims, domain=dom)
        value = stabilize(vectorize(loss, _i))
        out.append(make_kernel(name, (x, y), value, doc=f"per-example loss {doc}; shape (m, 1)", **info))
        grad = stabilize(vectorize(loss_gradient(name), _i))
        out.append(make_kernel(f"{name}.grad", (x, y), grad, doc=f"gradient of {name} per example; shape (m, n)",
                               **info))
        # the batch cost J = (1/m) sum_e l_e: its gradient by the rows of an example is dl_e/m
        out.append(make_kernel(f"{name}.batch_grad", (x, y), grad / Rows(x),
                               doc=f"gradient of the batch mean of {name}; shape (m, n)", **info))
    z = _arr("z")
    sm = stabilize(vectorize(_softmax_i(_i), _i))
    out.append(make_kernel("softmax", (z,), sm, doc=r"\operatorname{softmax}(z)_i = e^{z_i - c}/\sum_k e^{z_k - c}, "
                           r"c = \max_k z_k", derivation=("rewrites.softmax_shift",)))
    lsm = stabilize(vectorize(sp.log(_softmax_i(_i)), _i))
    out.append(make_kernel("log_softmax", (z,), lsm, doc=r"\log\operatorname{softmax}(z)_i",
                           derivation=("rewrites.log_softmax_shift",)))
    return out


def _backprop_kernels():
    s = batch_first_symbols()
    # plain argument names for the generated code; the batch size m keeps its name
    names = {"A": "A", "W": "W", "D": "D", "F": "Fp", "P": "P", "Y": "Y", "lam": "lam"}
    reps = {s[r]: sp.MatrixSymbol(n, *s[r].shape) if isinstance(s[r], sp.MatrixSymbol) else sp.Symbol(n)
            for r, n in names.items()}
    out = []
    for row, (expr, args) in batch_first_rows().items():
        e = expr.xreplace(reps)
        syms = [reps[s[a]] for a in args] + ([s["m"]] if row == "output_delta" else [])
        out.append(make_kernel(f"backprop.{row}", tuple(syms), e, derivation=(f"backprop.batch_first.{row}",),
                               doc=_BACKPROP_DOCS[row]))
        if "lam" in args:  # the same row at lambda = 0 (no L2): no wasted pass over W
            lam, W = reps[s["lam"]], reps[s["W"]]
            out.append(make_kernel(f"backprop.{row}_no_l2", tuple(x for x in syms if x not in (lam, W)),
                                   e.subs(lam, 0).doit(), derivation=(f"backprop.batch_first.{row}",),
                                   doc=_BACKPROP_DOCS[row] + r" at \lambda = 0"))
    D = sp.MatrixSymbol("D", sp.Symbol("m"), sp.Symbol("k"))
    out.append(make_kernel("backprop.bias_grad", (D,), ColSum(D), derivation=("backprop.batch_first.bias",),
                           doc=r"\partial J/\partial b = \Delta^\top \mathbf 1 (column sums)"))
    return out


_BACKPROP_DOCS = {
    "output_delta": r"\Delta^{(L)} = \frac1m(\hat Y - Y) for softmax + CE and sigmoid + BCE, shape (m, k)",
    "delta": r"\Delta^{(l)} = (\Delta^{(l+1)} W^{(l+1)\top}) \odot f'(Z^{(l)}), shape (m, n_l)",
    "weight_grad": r"\partial J/\partial W = A^\top \Delta + \lambda W, shape (n_{in}, n_{out})",
    "input_grad": r"\partial J/\partial A = \Delta W^\top, shape (m, n_{in})",
}


def _compose(opt_key, variant):
    opt = OPTIMIZERS[opt_key]
    updates = dict(opt.updates)
    if variant:
        updates.update(opt.variants[variant][1])
    vals = {}
    for role in opt.order or list(updates):
        vals[role] = updates[role].xreplace({SYM[r]: v for r, v in vals.items()})
    return vals


def _optimizer_kernels():
    out = []
    rename = {"param": "theta", "grad": "g", "lr": "lr", "momentum": "mu", "velocity": "b", "sq_avg": "s",
              "beta1": "beta1", "beta2": "beta2", "m": "m", "v": "v", "eps": "eps", "step": "t", "alpha": "alpha",
              "weight_decay": "wd", "clip": "c", "grad_norm": "norm"}
    plain = {role: sp.Symbol(name) for role, name in rename.items()}
    to_plain = {SYM[r]: s for r, s in plain.items()}
    for name, (key, variant) in OPTIMIZER_KERNELS.items():
        vals = _compose(key, variant)
        state = [r for r in STATE_ROLES if r in vals]
        exprs = [vals["param"].xreplace(to_plain)] + [vals[r].xreplace(to_plain) for r in state]
        used = set().union(*[e.free_symbols for e in exprs])
        hyper = [plain[r] for r in rename if plain[r] in used and r not in ("param", "grad", *state)]
        args = (plain["param"], plain["grad"], *[plain[r] for r in state], *hyper)
        why = OPTIMIZERS[key].variants[variant][0] if variant else OPTIMIZERS[key].reference
        k = make_kernel(f"optim.{name}", args, tuple(exprs), derivation=(f"optimizers.{key}" + (f".{variant}" if variant
                                                                                                    else ""),),
                        doc=f"one step; returns (theta, {', '.join(rename[r] for r in state)}); {why}")
        k.state = tuple(rename[r] for r in state)
        k.hyper = tuple(str(h) for h in hyper)
        # the parameters and the state slots updated in their arrays; the gradient is scratch
        k.inplace = make_inplace(k.name, args, "theta", exprs, scratch=("g",), scalars=k.hyper)
        out.append(k)
    for key in ("clip_value", "clip_norm", "l2"):
        e = OPTIMIZERS[key].updates["grad"].xreplace(to_plain)
        args = sorted(e.free_symbols, key=lambda s: list(rename.values()).index(s.name))
        out.append(make_kernel(f"optim.{key}", tuple(args), e, derivation=(f"optimizers.{key}",), scalars=("c", "norm"),
                               doc=OPTIMIZERS[key].reference))
    return out


def _init_kernels():
    out = []
    n_in, n_out = sp.symbols("n_in n_out", positive=True)
    for key, (fn, arity) in INITS.items():
        if key == "uniform_variance":
            a = sp.Symbol("a", positive=True)
            out.append(make_kernel("init.uniform_variance", (a,), fn(a).rewrite("elementary"),
                                   derivation=("conventions.uniform_variance",),
                                   doc=r"\operatorname{Var}(U[-a, a]) = a^2/3, by integration"))
            v = sp.Symbol("v", positive=True)
            bound = [s for s in sp.solve(sp.Eq(fn(a).rewrite("elementary"), v), a) if s.is_positive]
            out.append(make_kernel("init.uniform_bound", (v,), bound[0], derivation=("conventions.uniform_variance",),
                                   doc=r"the a with \operatorname{Var}(U[-a, a]) = v"))
            continue
        args = (n_in, n_out)[:arity]
        out.append(make_kernel(f"init.{key.removesuffix('_variance')}", args, fn(*args).rewrite("elementary"),
                               derivation=(f"conventions.{key}",), doc=fn.__doc__ or ""))
    return out


@lru_cache(maxsize=None)
def kernels() -> dict[str, Kernel]:
    """All kernels by name (built once per process, about a second)."""
    ks = _activation_kernels() + _loss_kernels() + _backprop_kernels() + _optimizer_kernels() + _init_kernels()
    return {k.name: k for k in ks}


def kernel(name: str) -> Kernel:
    """One kernel by name; ``KeyError`` lists the names."""
    ks = kernels()
    if name not in ks:
        raise KeyError(f"no kernel {name!r}; known: {', '.join(sorted(ks))}")
    return ks[name]
