"""Every kernel of the registry: finite on |x| <= 1e3, float32 kept, equal to a 50-digit SymPy
reference of the unstabilised definition, and the loss gradients equal to the proved table rows."""
import mpmath
import numpy as np
import pytest
import sympy as sp

from nnderive.mathematics.rules import VECTOR_RULES
from nnderive.numeric.kernels import LOSS_DEFINITIONS, kernel, kernels

GRID = np.array([-1e3, -710.0, -100.0, -89.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 89.0, 100.0, 710.0, 1e3])
SCALARS = {"alpha": 0.1, "lr": 0.01, "mu": 0.9, "eps": 1e-8, "beta1": 0.9, "beta2": 0.999, "t": 3, "wd": 0.01,
           "c": 1.0, "norm": 2.0, "lam": 0.01, "m": 4}
ELEMENTWISE = [k for k in kernels().values() if k.reference is not None]
LOSSES = [k for k in kernels().values() if k.name.split(".")[0] in LOSS_DEFINITIONS]


def _targets(rows, n, dtype, kind):
    rng = np.random.default_rng(1)
    if kind == "softmax_cce":                      # one-hot / probability rows (sum 1)
        return np.eye(n, dtype=dtype)[rng.integers(0, n, rows)]
    return rng.integers(0, 2, (rows, n)).astype(dtype)


def _args(k, dtype, x=GRID):
    """Arguments for kernel ``k``: the grid for z, activations of it for y, fixed arrays otherwise."""
    out = []
    for a in k.args:
        if a in SCALARS:
            out.append(SCALARS[a])
        elif a == "z":
            out.append(x.astype(dtype))
        elif a == "y":
            base = k.name.split(".")[0]
            out.append(kernel(base)(x.astype(dtype)) if base in ("sigmoid", "tanh") else x.astype(dtype))
        elif a == "g":
            out.append(np.full_like(x, 1.5, dtype=dtype))
        else:
            return None
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", ELEMENTWISE, ids=lambda k: k.name)
def test_elementwise_finite_and_dtype(k, dtype):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = k(*_args(k, dtype))
    assert np.all(np.isfinite(out)), dict(zip(GRID, out))
    assert out.dtype == dtype


@pytest.mark.parametrize("k", ELEMENTWISE, ids=lambda k: k.name)
def test_elementwise_matches_50_digit_reference(k):
    syms = sorted(k.reference.free_symbols, key=str)
    ref = sp.lambdify(syms, k.reference.rewrite("elementary"), modules="mpmath")
    names = [str(s) for s in syms]
    args64 = dict(zip(k.args, _args(k, np.float64)))
    args32 = dict(zip(k.args, _args(k, np.float32)))
    got64, got32 = k(*args64.values()), k(*args32.values())
    with mpmath.workdps(50):
        for idx in range(len(GRID)):
            vals = [args64[nm][idx] if isinstance(args64[nm], np.ndarray) else args64[nm] for nm in names]
            r = float(ref(*[mpmath.mpf(float(v)) for v in vals]))
            assert abs(got64[idx] - r) <= 1e-12 * max(1.0, abs(r)), (k.name, GRID[idx], got64[idx], r)
            if k.name.endswith("vjp_y") or k.name.endswith("grad_y"):
                continue     # y is the float32 activation itself, not the float64 one
            assert abs(float(got32[idx]) - r) <= 2e-6 * max(1.0, abs(r)), (k.name, GRID[idx], got32[idx], r)


def _loss_inputs(k, dtype):
    name = k.name.split(".")[0]
    if k.domain == "probability":
        x = np.array([[1e-7, 0.5, 1 - 1e-7], [0.2, 0.3, 0.9], [0.999, 1e-3, 0.4]], dtype=dtype)
    else:
        x = np.array([[1e3, -1e3, 0.0], [-1e3, -1e3, -1e3], [710.0, 89.0, -89.0], [0.5, -0.2, 0.1]], dtype=dtype)
    return x, _targets(len(x), 3, dtype, name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", LOSSES, ids=lambda k: k.name)
def test_loss_finite_and_dtype(k, dtype):
    x, y = _loss_inputs(k, dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = k(x, y)
    assert np.all(np.isfinite(out)) and out.dtype == dtype


def _explicit(name, n=3):
    var, loss, *_ = LOSS_DEFINITIONS[name]
    loss = loss.xreplace({ix: sp.Symbol(str(ix.label), integer=True) for ix in loss.atoms(sp.Idx)})
    nsym = next(s for s in loss.free_symbols if s.name == "n")
    return var, loss.subs(nsym, n).doit()


@pytest.mark.parametrize("k", [k for k in LOSSES if "." not in k.name], ids=lambda k: k.name)
def test_loss_value_matches_50_digit_definition(k):
    var, loss = _explicit(k.name)
    yb = sp.IndexedBase("y", real=True)
    x, y = _loss_inputs(k, np.float64)
    got = k(x, y)[:, 0]
    xs, ys = [var[c + 1] for c in range(3)], [yb[c + 1] for c in range(3)]
    f = sp.lambdify(xs + ys, loss.rewrite("elementary"), modules="mpmath")
    for r in range(len(x)):
        # 1 - sigma(1000) needs about 435 digits before its log is taken
        with mpmath.workdps(1000):
            ref = float(f(*[mpmath.mpf(float(v)) for v in list(x[r]) + list(y[r])]))
        assert abs(got[r] - ref) <= 1e-12 * max(1.0, abs(ref)), (k.name, x[r], got[r], ref)


@pytest.mark.parametrize("name", list(LOSS_DEFINITIONS))
def test_loss_gradient_is_the_proved_table_row(name):
    """The kernel's gradient (derived by SymPy for symbolic n) against the derivative-table row."""
    row = next(r for r in VECTOR_RULES if r.name == LOSS_DEFINITIONS[name][5])
    k = kernel(f"{name}.grad")
    x, y = _loss_inputs(k, np.float64)
    x = x[-1:] if k.domain == "real" else x[1:2]      # moderate values: the row is evaluated naively
    got = k(x, y[: len(x)])
    xs = [sp.Float(float(v), 50) for v in x[0]]
    ts = [sp.Float(float(v), 50) for v in y[0]]
    for i in range(3):
        ref = float(sp.N(row.derivative(xs, ts, 3, i, 0), 50))
        assert abs(got[0, i] - ref) <= 1e-12 * max(1.0, abs(ref)), (name, i, got[0, i], ref)


def test_batch_grad_is_grad_over_m():
    z = np.random.default_rng(0).normal(size=(5, 4))
    y = np.eye(4)[[0, 1, 2, 3, 0]]
    np.testing.assert_allclose(kernel("softmax_cce.batch_grad")(z, y), kernel("softmax_cce.grad")(z, y) / 5)


# every kernel that takes an array (init.* take layer sizes and return Python numbers)
ARRAY_KERNELS = [k for k in kernels().values() if not k.name.startswith("init.")]


@pytest.mark.parametrize("k", ARRAY_KERNELS, ids=lambda k: k.name)
def test_every_kernel_keeps_float32(k):
    shapes = {"A": (4, 3), "W": (3, 2), "D": (4, 2), "Fp": (4, 3), "P": (4, 2), "Y": (4, 2)}
    rng = np.random.default_rng(0)
    args = []
    for a in k.args:
        if a in SCALARS:
            args.append(SCALARS[a])
        else:
            shape = shapes.get(a, (4, 3))
            lo = 0.05 if k.domain == "probability" or a in ("s", "v") else -1
            args.append(rng.uniform(lo, 0.95, size=shape).astype(np.float32))
    out = k(*args)
    for o in (out if isinstance(out, tuple) else (out,)):
        assert o.dtype == np.float32, k.name


def test_registry_names_and_sources():
    ks = kernels()
    for name in ("sigmoid", "sigmoid.grad", "sigmoid.grad_y", "tanh.grad_y", "relu.grad", "leaky_relu.grad",
                 "softplus.grad", "softmax", "softmax_cce.grad", "sigmoid_bce.grad", "backprop.delta",
                 "backprop.weight_grad", "optim.adam", "optim.adamw", "optim.nesterov", "optim.momentum_dampening",
                 "optim.clip_norm", "optim.l2", "init.xavier", "init.he"):
        assert name in ks and ks[name].source.startswith("def ")
    assert "numpy.max" in ks["softmax"].source          # the proved max shift
    assert "logaddexp" in ks["sigmoid_bce"].source
    assert "@" in ks["backprop.delta"].source


def test_unknown_kernel_lists_names():
    with pytest.raises(KeyError, match="softmax"):
        kernel("nope")


def test_init_kernels_are_derive_variances():
    assert kernel("init.xavier")(3, 5) == pytest.approx(2 / 8)
    assert kernel("init.he")(4) == pytest.approx(0.5)
    assert kernel("init.uniform_bound")(kernel("init.uniform_variance")(0.3)) == pytest.approx(0.3)
