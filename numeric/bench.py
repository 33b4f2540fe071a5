"""Step benchmark behind ``nnderive bench --step``.

One training step (forward, backward, SGD update) of a 784-256-128-10 ReLU MLP with
softmax + cross-entropy, for batch 64, 256 and 1024 in float32 and float64, BLAS pinned to
one thread (threadpoolctl; ``torch.set_num_threads(1)``) and glibc's allocator in its steady
state (:func:`_steady_allocator`).  Three implementations, timed in
interleaved rounds in one process: our kernels (updating in place, as ``nnderive train`` does:
:func:`nnderive.numeric.codegen.make_inplace`), a plain hand-written NumPy step (the
baseline) and PyTorch CPU eager when installed.  The GEMM-bound limit is the time of the
step's eight matrix products alone (same shapes and dtype), so ``gemm fraction`` is the
share of our step spent in matrix products.  The order within a round alternates, and a ratio is
the median over rounds of the two implementations' rates in the same round.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from . import network as N
from . import optim

__all__ = ["hand_step", "ours_step", "run_step_bench", "format_results", "main_bench_step", "interleaved_rates"]

SIZES = (784, 256, 128, 10)


def hand_step(params, X, Y, lr):
    """The baseline: the step as a person writes it in NumPy."""
    acts, zs = [X], []
    for W, b in params[:-1]:
        z = acts[-1] @ W + b
        zs.append(z)
        acts.append(np.maximum(z, 0))
    z = acts[-1] @ params[-1][0] + params[-1][1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    d = (e / e.sum(axis=1, keepdims=True) - Y) / len(X)
    new = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        W, b = params[l]
        dW, db = acts[l].T @ d, d.sum(axis=0)
        if l:
            d = (d @ W.T) * (zs[l - 1] > 0)
        new[l] = (W - lr * dW, b - lr * db)
    return new


def ours_step(params, X, Y, spec, opt, state):
    """Our step as ``nnderive train`` runs it: the generated kernels, the activation's vector-Jacobian
    product and the update written into the arrays the step owns (``params`` is updated in place)."""
    _, cache = N.forward(params, X, spec)
    grads = N.backward(params, cache, Y, spec)
    return opt.update_inplace(grads, state, params)


def _gemm_time(params, X, reps):
    """Seconds for the step's matrix products alone: 3 forward, 3 weight gradients, 2 input gradients."""
    m = len(X)
    dt = X.dtype
    acts = [X] + [np.ones((m, W.shape[1]), dt) for W, _ in params[:-1]]
    ds = [np.ones((m, W.shape[1]), dt) for W, _ in params]

    def step():
        for l, (W, _) in enumerate(params):
            acts[l] @ W
            acts[l].T @ ds[l]
            if l:
                ds[l] @ W.T
    return _best(step, reps)


def _best(fn, reps):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts)


def interleaved_rates(impl, per, rounds, after_round=None) -> dict:
    """Calls per second of each ``impl[name]`` (``per[name]`` calls a round), over ``rounds`` rounds that
    each run every implementation, the order alternating from round to round (a machine that drifts
    during a round favours neither); ``after_round`` runs at the end of each round."""
    rates = {k: [] for k in impl}
    order = list(impl)
    for r in range(rounds):
        for k in (order if r % 2 == 0 else order[::-1]):
            f = impl[k]
            t = time.perf_counter()
            for _ in range(per[k]):
                f()
            rates[k].append(per[k] / (time.perf_counter() - t))
        if after_round is not None:
            after_round()
    return rates


def _flops(m):
    f = 0
    for l, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        f += 2 * m * a * b * (3 if l else 2)
    return f


def _steady_allocator():
    """Raise glibc's mmap threshold so the step's large temporaries reuse heap memory instead of
    fresh zeroed pages each step: the state a long training run reaches by itself (glibc adapts
    the threshold after the first frees), fixed up front so the order of the configurations does
    not change the figures.  Both NumPy implementations profit alike; no effect off glibc."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 27)      # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 28)      # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def run_step_bench(batches=(64, 256, 1024), dtypes=("float32", "float64"), rounds=7, seconds=0.05, torch_ok=True):
    """Returns a list of result dicts (steps/s per implementation, ratios, GEMM rate and fraction)."""
    _steady_allocator()
    from threadpoolctl import threadpool_limits
    try:
        import torch
    except ImportError:
        torch = None
    if not torch_ok:
        torch = None
    results = []
    with threadpool_limits(1):
        if torch is not None:
            torch.set_num_threads(1)
        for dtype in dtypes:
            for m in batches:
                rng = np.random.default_rng(0)
                params = N.init_params(rng, SIZES, "he", dtype=np.dtype(dtype))
                X = rng.random((m, SIZES[0])).astype(dtype)
                labels = rng.integers(0, SIZES[-1], m)
                Y = np.eye(SIZES[-1], dtype=dtype)[labels]
                spec = N.Spec(("relu", "relu"), "softmax_cce")
                opt = optim.sgd(0.01)
                state = opt.init(params)
                # ours writes its update into its own copy, with learning rate 0: the same arithmetic, and every
                # round times the same parameters as the baseline (whose update is never applied)
                own = [(W.copy(), b.copy()) for W, b in params]
                frozen = optim.sgd(0.0)
                impl = {"ours": lambda: ours_step(own, X, Y, spec, frozen, state),
                        "numpy": lambda: hand_step(params, X, Y, 0.01)}
                if torch is not None:
                    impl["torch"] = _torch_step(torch, params, X, labels, dtype)
                per = {k: max(1, int(seconds / max(_best(f, 2), 1e-6))) for k, f in impl.items()}
                gemm = []
                rates = interleaved_rates(impl, per, rounds,   # the GEMM limit timed in the same rounds
                                          lambda: gemm.append(_gemm_time(params, X, reps=max(3, per["ours"] // 2))))
                med = {k: statistics.median(v) for k, v in rates.items()}
                tg = statistics.median(gemm)
                paired = {k: statistics.median(a / b for a, b in zip(rates["ours"], rates[k])) for k in rates}
                results.append({"dtype": dtype, "batch": m, **{f"{k}_steps_per_s": v for k, v in med.items()},
                                "vs_numpy": paired["numpy"],
                                "vs_torch": paired["torch"] if "torch" in med else None,
                                "gemm_gflops": _flops(m) / tg / 1e9, "gemm_fraction": tg * med["ours"]})
    return results


def _torch_step(torch, params, X, labels, dtype):
    tdt = getattr(torch, dtype)
    layers = []
    for l, (W, b) in enumerate(params):
        lin = torch.nn.Linear(*W.shape, dtype=tdt)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if l < len(params) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    tx, ty = torch.from_numpy(X), torch.from_numpy(labels)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(tx), ty)
        loss.backward()
        opt.step()
    return step


def format_results(results) -> str:
    head = (f"{'dtype':<8}{'batch':>6}{'ours/s':>10}{'numpy/s':>10}{'torch/s':>10}{'ours/numpy':>12}"
            f"{'ours/torch':>12}{'GEMM GF/s':>11}{'GEMM frac':>11}")
    lines = [head]
    for r in results:
        t, vt = r.get("torch_steps_per_s"), r.get("vs_torch")
        torch_rate = f"{t:.1f}" if t else "-"
        torch_ratio = f"{vt:.3f}x" if vt else "-"
        lines.append(f"{r['dtype']:<8}{r['batch']:>6}{r['ours_steps_per_s']:>10.1f}{r['numpy_steps_per_s']:>10.1f}"
                     f"{torch_rate:>10}{r['vs_numpy']:>11.3f}x{torch_ratio:>12}"
                     f"{r['gemm_gflops']:>11.1f}{r['gemm_fraction']:>10.1%}")
    return "\n".join(lines)


def main_bench_step(args) -> int:
    results = run_step_bench(rounds=args.rounds)
    print("one SGD step of a 784-256-128-10 ReLU MLP, softmax + CE; BLAS on 1 thread; median of "
          f"{args.rounds} interleaved rounds")
    print(format_results(results))
    return 0
