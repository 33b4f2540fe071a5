"""The torch backend: derived backward rows against finite differences (gradcheck) and against
torch's own autograd of torch's reference functions, at extreme inputs, inside a trained model."""
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from nnderive.mathematics.rules import RULES, elementary
from nnderive.numeric import torch_backend as T

REF = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
       "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "softplus": lambda z: F.softplus(z, threshold=1e9)}


def _points(dtype=torch.float64, device="cpu"):
    # away from the kink z = 0 (finite differences straddle it); the kink is tested apart
    g = torch.Generator().manual_seed(0)
    z = torch.randn(6, 5, generator=g, dtype=dtype) * 3
    z = torch.where(z.abs() < 1e-3, z + 0.1, z)
    return z.to(device).requires_grad_()


def test_every_row_has_a_function():
    assert set(T.ACTIVATIONS) == set(REF)


@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_gradcheck(name):
    assert torch.autograd.gradcheck(T.act(name), (_points(),), eps=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_equals_torch_autograd(name):
    z = _points()
    g = torch.randn(z.shape, dtype=z.dtype, generator=torch.Generator().manual_seed(1))
    ours = T.act(name)(z)
    (d_ours,) = torch.autograd.grad(ours, z, g)
    zr = z.detach().clone().requires_grad_()
    ref = REF[name](zr)
    (d_ref,) = torch.autograd.grad(ref, zr, g)
    assert torch.allclose(ours, ref, rtol=1e-12, atol=1e-12)
    assert torch.allclose(d_ours, d_ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_backward_is_the_derived_row(name):
    # the backward's expression is g * the table's row (at y = f(z) for the output form)
    k = T.torch_kernel(f"{name}.backward")
    rule = next(r for r in RULES if r.name == name)
    g, saved = (sp.Symbol(a, real=True) for a in k.args[:2])
    z, alpha = sp.Symbol("z", real=True), sp.Symbol("alpha", positive=True)
    plain = {a: alpha for a in rule.function(z).free_symbols if a.name == r"\alpha"}
    f = rule.function(z).xreplace(plain)
    expr = k.expr.xreplace({saved: f if k.args[1] == "y" else z})
    row = g * rule.derivative(f, z).xreplace(plain)
    assert sp.simplify(elementary(expr - row)) == 0
    assert "autograd" not in k.source


def test_kink_conventions():
    z = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    T.act("relu")(z).sum().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    z.grad = None
    T.act("leaky_relu", alpha=0.2)(z).sum().backward()
    assert z.grad.tolist() == [0.2, 0.2, 0.2]


@pytest.mark.parametrize("name", T.ACTIVATIONS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_inputs_finite_and_dtype_kept(name, dtype):
    z = torch.tensor([-1e3, -50.0, 50.0, 1e3], dtype=dtype, requires_grad=True)
    y = T.act(name)(z)
    y.sum().backward()
    assert y.dtype == dtype and z.grad.dtype == dtype
    assert torch.isfinite(y).all() and torch.isfinite(z.grad).all()
    ref = z.detach().clone().requires_grad_()
    # torch's softplus with its default threshold (the exact one overflows to nan at 1e3)
    (F.softplus if name == "softplus" else REF[name])(ref).sum().backward()
    assert torch.allclose(z.grad, ref.grad)


def test_losses_equal_torch():
    g = torch.Generator().manual_seed(2)
    z = (torch.randn(7, 4, generator=g, dtype=torch.float64) * 5).requires_grad_()
    y = F.one_hot(torch.randint(0, 4, (7,), generator=g), 4).double()
    for ours, ref in ((T.SoftmaxCrossEntropy(), F.cross_entropy), (T.MeanSquaredError(), F.mse_loss)):
        a = ours(z, y)
        (da,) = torch.autograd.grad(a, z)
        zr = z.detach().clone().requires_grad_()
        b = ref(zr, y)
        (db,) = torch.autograd.grad(b, zr)
        assert torch.allclose(a, b, rtol=1e-12) and torch.allclose(da, db, rtol=1e-10, atol=1e-12)
    assert torch.autograd.gradcheck(lambda x: T.SoftmaxCrossEntropy()(x, y), (z,))
    big = torch.tensor([[1e3, -1e3, 0.0]], dtype=torch.float32, requires_grad=True)
    loss = T.SoftmaxCrossEntropy()(big, torch.tensor([[0.0, 1.0, 0.0]]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(big.grad).all()


@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_mlp_trains(name):
    torch.manual_seed(0)
    X = torch.randn(64, 2, dtype=torch.float32)   # explicit: other test files change the default dtype
    labels = (X[:, 0] * X[:, 1] > 0).long()      # XOR of the signs: needs the hidden layer
    Y = F.one_hot(labels, 2).float()
    model = T.mlp([2, 16, 2], name)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = T.SoftmaxCrossEntropy()
    losses = []
    for _ in range(150):
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])


def test_model_gradient_equals_eager_model():
    torch.manual_seed(3)
    ours = T.mlp([5, 8, 3], "tanh", dtype=torch.float64)
    ref = torch.nn.Sequential(torch.nn.Linear(5, 8, dtype=torch.float64), torch.nn.Tanh(),
                              torch.nn.Linear(8, 3, dtype=torch.float64))
    ref.load_state_dict(ours.state_dict())
    X = torch.randn(9, 5, dtype=torch.float64)
    Y = F.one_hot(torch.randint(0, 3, (9,)), 3).double()
    T.SoftmaxCrossEntropy()(ours(X), Y).backward()
    F.cross_entropy(ref(X), Y).backward()
    for a, b in zip(ours.parameters(), ref.parameters()):
        assert torch.allclose(a.grad, b.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device: torch.cuda.is_available() is False")
@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_on_gpu(name):
    z = _points(device="cuda")
    y = T.act(name)(z)
    y.sum().backward()
    assert y.device.type == "cuda" and z.grad.device.type == "cuda"
    zr = z.detach().cpu().requires_grad_()
    REF[name](zr).sum().backward()
    assert torch.allclose(z.grad.cpu(), zr.grad, rtol=1e-10, atol=1e-10)


def test_bench_rows():
    from nnderive.numeric.torch_bench import format_torch_results, run_torch_bench
    rows = run_torch_bench(batches=(8,), dtypes=("float64",), activations=("relu", "tanh"), rounds=2, seconds=0.01)
    assert [(r["activation"], r["batch"]) for r in rows] == [("relu", 8), ("tanh", 8)]
    assert all(r["ratio"] > 0 and r["derived_steps_per_s"] > 0 for r in rows)
    text = format_torch_results(rows)
    assert "relu" in text and "x" in text.splitlines()[1]


def test_fused_pointwise_kernels_compute_the_expression():
    # the printer writes three product shapes as one aten pass; each must equal the expression as written
    u, v = sp.symbols("u v", real=True)
    from sympy.printing.pytorch import TorchPrinter
    g = torch.Generator().manual_seed(4)
    U = torch.randn(50, generator=g, dtype=torch.float64) * 3
    V = torch.cat([torch.randn(46, generator=g, dtype=torch.float64), torch.tensor([-1e3, 1e3, 0.0, 1.0], dtype=torch.float64)])
    for expr, op in ((u * (1 - v ** 2), "tanh_backward"), (3 * u * v * (1 - v), "sigmoid_backward"),
                     (u * T.Step(v), "threshold_backward")):
        assert T._fused_pointwise(expr)[0] == op
        fused = T._lambdify("f", (u, v), expr, "test")
        assert op in fused.source
        plain = expr.xreplace({T.Step(v): sp.Piecewise((1, v > 0), (0, True))})
        ref = sp.lambdify((u, v), plain, modules=[{"torch": torch}, "math"], printer=T.DerivedPrinter())
        assert torch.allclose(fused.fn(U, V), ref(U, V), rtol=1e-14, atol=0)
    # a row written any other way is printed as it stands: a wrong row is never replaced by a right kernel
    for wrong in (u * (1 + v ** 2), u * (1 - v ** 3), u * v * (2 - v), u * (1 - v) * (1 + v), u * v):
        assert T._fused_pointwise(wrong) is None
        assert "torch.ops.aten" not in T._lambdify("w", (u, v), wrong, "test").source


@pytest.mark.parametrize("name", [*T.ACTIVATIONS, None])
def test_dense_layer_equals_eager(name):
    torch.manual_seed(5)
    layer = T.Dense(4, 3, name, dtype=torch.float64)
    ref = torch.nn.Linear(4, 3, dtype=torch.float64)
    ref.load_state_dict(layer.state_dict())
    f = REF[name] if name else (lambda z: z)
    x = _points()[:, :4].detach().requires_grad_()
    xr = x.detach().clone().requires_grad_()
    g = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    y, yr = layer(x), f(ref(xr))
    y.backward(g)
    yr.backward(g)
    assert torch.allclose(y, yr, rtol=1e-12, atol=1e-12)
    for a, b in ((x.grad, xr.grad), (layer.weight.grad, ref.weight.grad), (layer.bias.grad, ref.bias.grad)):
        assert a.shape == b.shape and torch.allclose(a, b, rtol=1e-10, atol=1e-12)
    assert torch.autograd.gradcheck(lambda a, w, b: T.dense_function(name).apply(a, w, b, *layer._extra),
                                    (x.detach().requires_grad_(), layer.weight.detach().clone().requires_grad_(),
                                     layer.bias.detach().clone().requires_grad_()))


def test_dense_layer_skips_the_data_gradient():
    layer = T.Dense(4, 3, "relu", dtype=torch.float64)
    x = torch.randn(5, 4, dtype=torch.float64)      # data: no gradient asked, none computed
    layer(x).sum().backward()
    assert x.grad is None and layer.weight.grad is not None
    assert [k for k in T.mlp([4, 3, 2], "tanh").state_dict()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_row_softmax_fusion_computes_the_expression():
    # log-softmax and softmax of the table, printed also as one torch call each (run on large tensors):
    # both forms equal to the expression as written (printed unfused), at ordinary and extreme logits
    from nnderive.numeric.codegen import RowMax, RowSum
    u, w = sp.symbols("u w", real=True)
    g = torch.Generator().manual_seed(6)
    U = torch.cat([torch.randn(5, 7, generator=g, dtype=torch.float64) * 4,
                   torch.tensor([[1e3, -1e3, 0, 1, 2, 3, 999.5]], dtype=torch.float64)])
    Wt = torch.rand(6, 7, generator=g, dtype=torch.float64)
    for name in ("log_softmax", "softmax"):
        (z,) = T.kernel(name).expr.atoms(RowMax).pop().args
        form = T.kernel(name).expr.xreplace({z: u})
        for expr in (w * form + 1, form + w):       # inside a product, and flattened into a longer sum
            fused = T._lambdify("f", (u, w), expr, "test")
            assert f"torch.{name}(u, -1)" in fused.source
            plain = sp.lambdify((u, w), expr, modules=[{"torch": torch}, "math"], printer=T.DerivedPrinter())
            # atol: the unfused order rounds at the scale of the 1e3 logits (a few ulps of 1e3)
            for form in (fused.one_pass, fused.written, fused.fn):
                assert torch.allclose(form(U, Wt), plain(U, Wt), rtol=1e-13, atol=1e-11)
                assert torch.isfinite(form(U, Wt)).all()
            # the kernel runs the one-pass form from ONE_PASS_FROM entries of its first argument on
            reps = T.ONE_PASS_FROM // U.numel() + 1
            big, big_w = U.repeat(reps, 1), Wt.repeat(reps, 1)
            assert torch.equal(fused.fn(big, big_w), fused.one_pass(big, big_w))
            assert torch.equal(fused.fn(U, Wt), fused.written(U, Wt))
            assert torch.allclose(fused.fn(big, big_w), plain(big, big_w), rtol=1e-13, atol=1e-11)
    # written any other way (a sign, a missing shift, another argument inside the max): printed as it stands
    m = RowMax(u)
    for wrong in (u + sp.log(RowSum(sp.exp(u - m))) - m, u - sp.log(RowSum(sp.exp(u))),
                  u - sp.log(RowSum(sp.exp(u - RowMax(w)))) - RowMax(w), sp.exp(u - m) / RowSum(sp.exp(u))):
        src = T._lambdify("w", (u, w), wrong, "test").source
        assert "log_softmax" not in src and "torch.softmax" not in src


@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_stack_node_equals_layer_by_layer(name):
    # the MLP's one-node stack against its own Dense layers applied one by one, input gradient included
    torch.manual_seed(7)
    params = {"alpha": 0.2} if name == "leaky_relu" else {}
    model = T.mlp([4, 6, 5, 3], name, dtype=torch.float64, **params)
    X = torch.randn(7, 4, dtype=torch.float64, requires_grad=True)
    G = torch.randn(7, 3, dtype=torch.float64)
    model(X).backward(G)
    stacked = [X.grad.clone()] + [p.grad.clone() for p in model.parameters()]
    X.grad = None
    model.zero_grad()
    a = X
    for layer in model:
        a = layer(a)
    a.backward(G)
    for got, want in zip(stacked, [X.grad] + [p.grad for p in model.parameters()]):
        assert torch.allclose(got, want, rtol=1e-12, atol=1e-14)
    assert len(list(model.parameters())) == 6


@pytest.mark.parametrize("name", [n for n in T.ACTIVATIONS if f"{n}.forward_" in T._kernels()])
def test_inplace_kernels_equal_the_plain_ones(name):
    # the stack's in-place forms compute the same numbers, at ordinary and extreme inputs, into their first argument
    z = torch.cat([_points().detach().flatten(), torch.tensor([-1e3, 1e3, 0.0], dtype=torch.float64)])
    g = torch.randn(z.shape, dtype=z.dtype, generator=torch.Generator().manual_seed(8))
    fwd, fwd_ = T.torch_kernel(f"{name}.forward").fn, T.torch_kernel(f"{name}.forward_").fn
    bwd, bwd_ = T.torch_kernel(f"{name}.backward").fn, T.torch_kernel(f"{name}.backward_").fn
    y = fwd(z)
    zc = z.clone()
    assert fwd_(zc) is zc and torch.equal(zc, y)
    gc = g.clone()
    assert bwd_(gc, y) is gc and torch.equal(gc, bwd(g, y))


def test_inplace_only_where_one_pass_is_safe():
    z, g, v = sp.symbols("z g v", real=True)
    from nnderive.mathematics.primitives import ReLU, Step
    # z read again after it is overwritten, another tensor overwritten, a product no aten pass computes
    for expr, args in ((z * ReLU(z), (z,)), (ReLU(2 * z), (z,)), (v * Step(g), (g, v)), (g * v, (g, v)),
                       (g * (1 + v ** 2), (g, v))):
        assert T._lambdify_inplace("x", args, expr, "test") is None
    assert T._lambdify_inplace("x", (g, v), g * Step(v), "test") is not None


@pytest.mark.parametrize("loss", ["softmax_cce", "mse"])
@pytest.mark.parametrize("name", T.ACTIVATIONS)
def test_network_and_loss_as_one_node(name, loss):
    # model.loss(x, y): the same value and gradients as the loss's own node after the stack's, and as
    # torch autograd of torch's functions
    torch.manual_seed(9)
    model = T.mlp([4, 6, 5, 3], name, dtype=torch.float64)
    X = torch.randn(7, 4, dtype=torch.float64, requires_grad=True)
    Y = F.one_hot(torch.tensor([0, 2, 1, 1, 0, 2, 2]), 3).to(torch.float64)
    one = model.loss(X, Y, loss)
    one.backward()
    fused = [X.grad.clone()] + [p.grad.clone() for p in model.parameters()]
    X.grad = None
    model.zero_grad()
    node = T.SoftmaxCrossEntropy() if loss == "softmax_cce" else T.MeanSquaredError()
    two = node(model(X), Y)
    two.backward()
    assert torch.allclose(one, two, rtol=1e-14, atol=0)
    for got, want in zip(fused, [X.grad] + [p.grad for p in model.parameters()]):
        assert torch.allclose(got, want, rtol=1e-12, atol=1e-14)
    eager = torch.nn.Sequential(*[m for i, (a, b) in enumerate(zip([4, 6, 5], [6, 5, 3]))
                                  for m in ([torch.nn.Linear(a, b, dtype=torch.float64)]
                                            + ([] if i == 2 else [_EagerAct(name)]))])
    eager.load_state_dict(model.state_dict())
    Xr = X.detach().clone().requires_grad_()
    ref = F.cross_entropy(eager(Xr), Y) if loss == "softmax_cce" else F.mse_loss(eager(Xr), Y)
    ref.backward()
    assert torch.allclose(one, ref, rtol=1e-12, atol=0)
    for got, want in zip(fused, [Xr.grad] + [p.grad for p in eager.parameters()]):
        assert torch.allclose(got, want, rtol=1e-10, atol=1e-12)
    with pytest.raises(KeyError):
        model.loss(X, Y, "hinge")


class _EagerAct(torch.nn.Module):
    def __init__(self, name):
        super().__init__()
        self.f = REF[name]

    def forward(self, z):
        return self.f(z)


def test_stack_leaves_the_incoming_gradient_alone():
    # the gradient autograd hands the node is not ours to overwrite, even where the top layer's row could
    fn = T.stack_function(("relu", "tanh"), ((), ()))
    torch.manual_seed(10)
    w1, b1 = torch.randn(5, 4, dtype=torch.float64, requires_grad=True), torch.randn(5, dtype=torch.float64)
    w2, b2 = torch.randn(3, 5, dtype=torch.float64, requires_grad=True), torch.randn(3, dtype=torch.float64)
    X = torch.randn(6, 4, dtype=torch.float64)
    G = torch.randn(6, 3, dtype=torch.float64)
    keep = G.clone()
    fn.apply(X, w1, b1, w2, b2).backward(G)
    assert torch.equal(G, keep) and w1.grad is not None
