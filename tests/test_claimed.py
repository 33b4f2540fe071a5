"""Kernels from the user's own proved claims (numeric/claimed.py): only a proved claim becomes a kernel,
each kernel equals a 50-digit reference at |z| <= 1e3 (the derivative one against SymPy's own derivative
of the function, not the claim's formula), float32 stays float32, and the network trains with them."""
import json
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp

from nnderive.catalogue import load_file
from nnderive.cli import main
from nnderive.numeric import gradcheck
from nnderive.numeric import network as N
from nnderive.numeric.claimed import kernels_from_claims, kernels_from_files
from nnderive.numeric.train import Config, train
from nnderive.verdict import Verdict

DATA = Path(__file__).parent / "data" / "kernels"
ACTIVATIONS, REFUSED = DATA / "activations.toml", DATA / "refused.toml"
GRID = np.array([-1e3, -710.0, -100.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 100.0, 710.0, 1e3])
#: why each claim of refused.toml is refused (expected here, never in the library)
REFUSALS = {"silu.sign_flipped": "refuted, not proved", "gelu.undeclared_phi": "undecided, not proved",
            "name_taken": "is taken", "not_a_derivative": "first derivative",
            "with_a_parameter": "alone"}


@pytest.fixture(scope="module")
def built():
    return kernels_from_files([ACTIVATIONS, REFUSED])


def test_only_proved_claims_become_kernels(built):
    assert built.activations == ["silu", "mish", "gelu"]
    assert sorted(built.kernels) == sorted(f"{a}{s}" for a in built.activations for s in ("", ".grad", ".vjp"))
    got = {r.id: r.reason for r in built.refused}
    assert set(got) == set(REFUSALS)
    for cid, words in REFUSALS.items():
        assert words in got[cid], got[cid]


def test_the_verdict_decides_not_the_formula():
    """A correct claim said to be refuted is refused; the kernels come from the judge's verdict."""
    claims, _ = load_file(ACTIVATIONS)
    silu = [c for c in claims if c.defines == "silu"]
    planted = {(c.file, c.id): Verdict(id=c.id, source=c.source, verdict="refuted", reason="planted") for c in silu}
    res = kernels_from_claims(silu, planted)
    assert res.kernels == {} and "refuted" in res.refused[0].reason


def _reference(k):
    syms = sorted(k.reference.free_symbols, key=str)
    return syms, sp.lambdify(syms, k.reference.rewrite("elementary"), modules="mpmath")


@pytest.mark.parametrize("name", ["silu", "mish", "gelu"])
def test_kernels_match_50_digit_references_at_extreme_inputs(built, name):
    f, grad, vjp = (built.kernels[name + s] for s in ("", ".grad", ".vjp"))
    (z,), f_ref = _reference(f)
    # the derivative's reference is SymPy's derivative of the function, independent of the claim's formula
    d_ref = sp.lambdify([z], sp.diff(f.reference, z).rewrite("elementary"), modules="mpmath")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = {dt: (f(GRID.astype(dt)), grad(GRID.astype(dt)), vjp(np.full(len(GRID), 1.5, dt), GRID.astype(dt)))
               for dt in (np.float32, np.float64)}
    for dt, outs in got.items():
        assert all(o.dtype == dt and np.all(np.isfinite(o)) for o in outs), (name, dt)
    with mpmath.workdps(50):
        for i, x in enumerate(GRID):
            for out, ref, scale in ((0, f_ref, 1), (1, d_ref, 1), (2, d_ref, 1.5)):
                r = float(scale * ref(mpmath.mpf(float(x))))
                assert abs(got[np.float64][out][i] - r) <= 1e-12 * max(1.0, abs(r)), (name, out, x)
                assert abs(float(got[np.float32][out][i]) - r) <= 2e-6 * max(1.0, abs(r)), (name, out, x)


@pytest.mark.parametrize("name", ["silu", "mish", "gelu"])
def test_network_gradients_with_a_claimed_activation(built, name):
    rng = np.random.default_rng(3)
    params = N.init_params(rng, [4, 5, 3])
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    gradcheck.check_network(params, X, Y, N.Spec((name,)), kernels=built.kernels)


def test_a_wrong_kernel_fails_the_gradient_check(built):
    """The check above can fail: the refuted derivative, forced in as silu's, is caught."""
    claims, _ = load_file(REFUSED)
    wrong = [c for c in claims if c.id == "silu.sign_flipped"]
    forced = {(c.file, c.id): Verdict(id=c.id, source=c.source, verdict="proved", reason="planted") for c in wrong}
    bad = kernels_from_claims(wrong, forced).kernels
    planted = {**built.kernels, "silu.vjp": bad["silu_wrong.vjp"]}
    rng = np.random.default_rng(3)
    params = N.init_params(rng, [4, 5, 3])
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    with pytest.raises(gradcheck.GradCheckError):
        gradcheck.check_network(params, X, Y, N.Spec(("silu",)), kernels=planted)


def test_digits_trains_with_a_claimed_activation(built):
    res = train(Config.for_dataset("digits", activation="mish", epochs=8), kernels=built.kernels)
    assert res.test_accuracy >= 0.93, res.test_accuracy


def test_cli_kernels_lists_builds_and_refuses(capsys):
    assert main(["kernels", str(ACTIVATIONS)]) == 0
    out = capsys.readouterr().out
    assert "silu.grad" in out and "activations.toml:silu.derivative" in out and "relu" not in out
    assert main(["kernels", str(ACTIVATIONS), str(REFUSED)]) == 1
    err = capsys.readouterr().err
    assert all(cid in err for cid in REFUSALS)
    assert main(["kernels", str(ACTIVATIONS), "--show", "gelu.grad"]) == 0
    out = capsys.readouterr().out
    assert "def gelu_grad(z):" in out and "scipy.special.erf" in out and "claims: gelu.derivative" in out


def test_cli_kernels_on_a_file_that_defines_nothing(tmp_path, capsys):
    f = tmp_path / "plain.toml"
    f.write_text('[[claims]]\nid = "a"\nlatex = "x = x"\n')
    assert main(["kernels", str(f)]) == 1
    assert "names a kernel" in capsys.readouterr().err
    assert main(["kernels", str(tmp_path / "missing.toml")]) == 2


def test_cli_train_with_a_claimed_activation(tmp_path, capsys):
    assert main(["train", "xor", "--activation", "silu", "--claims", str(ACTIVATIONS), "--out", str(tmp_path)]) == 0
    log = json.loads((tmp_path / "train_xor.json").read_text())
    assert log["config"]["activation"] == "silu" and log["test_accuracy"] == 1.0
    capsys.readouterr()
    assert main(["train", "xor", "--activation", "silu_wrong", "--claims", str(REFUSED), "--out",
                 str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "silu.sign_flipped" in err and "refuted" in err and "neither built in" in err
    assert main(["train", "xor", "--activation", "silu", "--out", str(tmp_path)]) == 2
    assert "--claims FILE" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["silu", "mish", "gelu"])
def test_torch_function_of_a_claimed_activation_equals_autograd(built, name):
    """The torch backend's Function: backward is the claim's proved derivative; torch autograd through the
    forward code (an independent differentiation) agrees to 1e-10 in float64, also at |z| = 1e3."""
    torch = pytest.importorskip("torch")
    from nnderive.numeric.torch_backend import Activation, claimed_activation
    fn = claimed_activation(built.kernels, name)
    z = torch.tensor(GRID, dtype=torch.float64, requires_grad=True)
    fn.apply(z).backward(torch.full_like(z, 1.5))
    ours = z.grad.clone()
    z2 = torch.tensor(GRID, dtype=torch.float64, requires_grad=True)
    x = z2
    if name == "silu":
        y = x * torch.sigmoid(x)
    elif name == "mish":
        y = x * torch.tanh(torch.logaddexp(torch.zeros_like(x), x))
    else:
        y = x / 2 * (1 + torch.erf(x / 2 ** 0.5))
    y.backward(torch.full_like(z2, 1.5))
    assert torch.allclose(ours, z2.grad, rtol=1e-10, atol=1e-10), (ours, z2.grad)
    assert torch.allclose(fn.apply(z.detach()), y.detach(), rtol=1e-12, atol=1e-12)
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), Activation(name, built.kernels))
    assert m(torch.zeros(2, 3)).shape == (2, 4)
    assert fn.apply(torch.zeros(3, dtype=torch.float32)).dtype == torch.float32
