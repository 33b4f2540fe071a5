"""Benchmark behind ``nnderive bench --torch``: the derived-kernel torch Functions against torch eager.

One SGD step (forward, backward, update) of a 784-256-128-10 MLP with softmax + cross-entropy,
batch 64, 256 and 1024 in float32 and float64, ``torch.set_num_threads(1)``.  Both models start
from the same weights.  ``derived`` is :func:`nnderive.numeric.torch_backend.mlp` with its loss,
``ours.loss(X, Y)``: the layers and the softmax cross-entropy as one derived node (backward = the
derived rows); ``unfused`` is the same model with the loss as a node of its own,
``SoftmaxCrossEntropy()(ours(X), Y)``; the reference is ``torch.nn.Linear`` with ``torch.nn.ReLU`` /
``torch.nn.Tanh`` and ``F.cross_entropy`` on class labels under autograd.  Timed in interleaved rounds
in one process, the order within a round alternating (a machine that slows down or speeds up during a
round favours none); a ratio is the median over rounds of ours / eager in steps per second in that
round (above 1 means ours is faster).
"""
from __future__ import annotations

import json
import statistics
import time

import torch
import torch.nn.functional as F

from . import torch_backend as T
from .bench import interleaved_rates

__all__ = ["run_torch_bench", "format_torch_results", "main_bench_torch"]

SIZES = (784, 256, 128, 10)
_EAGER = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def _models(activation, dtype):
    torch.manual_seed(0)
    ours = T.mlp(SIZES, activation, dtype=dtype)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=dtype))
        if i < len(SIZES) - 2:
            layers.append(_EAGER[activation]())
    eager = torch.nn.Sequential(*layers)
    eager.load_state_dict(ours.state_dict())
    return ours, eager


def _stepper(model, objective, lr=0.01):
    opt = torch.optim.SGD(model.parameters(), lr=lr)

    def step():
        opt.zero_grad(set_to_none=True)
        objective().backward()
        opt.step()
    return step


def run_torch_bench(batches=(64, 256, 1024), dtypes=("float32", "float64"), activations=("relu", "tanh"),
                    rounds=7, seconds=0.05):
    """A list of result dicts: steps/s of each implementation (median over rounds) and the ratio."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    results = []
    try:
        for activation in activations:
            for dtype in dtypes:
                tdt = getattr(torch, dtype)
                for m in batches:
                    g = torch.Generator().manual_seed(0)
                    X = torch.rand(m, SIZES[0], generator=g, dtype=tdt)
                    labels = torch.randint(0, SIZES[-1], (m,), generator=g)
                    Y = F.one_hot(labels, SIZES[-1]).to(tdt)
                    ours, eager = _models(activation, tdt)
                    unfused = T.SoftmaxCrossEntropy()
                    impl = {"derived": _stepper(ours, lambda: ours.loss(X, Y)),
                            "unfused": _stepper(ours, lambda: unfused(ours(X), Y)),
                            "eager": _stepper(eager, lambda: F.cross_entropy(eager(X), labels))}
                    for f in impl.values():          # warm up
                        f()
                    per = {}
                    for k, f in impl.items():
                        t = time.perf_counter()
                        f()
                        f()
                        per[k] = max(1, int(seconds / max((time.perf_counter() - t) / 2, 1e-6)))
                    rates = interleaved_rates(impl, per, rounds)
                    med = {k: statistics.median(v) for k, v in rates.items()}
                    paired = [a / b for a, b in zip(rates["derived"], rates["eager"])]
                    apart = [a / b for a, b in zip(rates["unfused"], rates["eager"])]
                    results.append({"activation": activation, "dtype": dtype, "batch": m,
                                    "derived_steps_per_s": med["derived"], "eager_steps_per_s": med["eager"],
                                    "ratio": statistics.median(paired), "ratio_min": min(paired),
                                    "unfused_steps_per_s": med["unfused"], "unfused_ratio": statistics.median(apart)})
    finally:
        torch.set_num_threads(threads)
    return results


def format_torch_results(results) -> str:
    lines = [f"{'act':<6}{'dtype':<9}{'batch':>6}{'derived/s':>11}{'eager/s':>10}{'ratio':>9}{'worst rd':>10}"
             f"{'unfused':>9}"]
    for r in results:
        lines.append(f"{r['activation']:<6}{r['dtype']:<9}{r['batch']:>6}{r['derived_steps_per_s']:>11.1f}"
                     f"{r['eager_steps_per_s']:>10.1f}{r['ratio']:>8.3f}x{r['ratio_min']:>9.3f}x"
                     f"{r['unfused_ratio']:>8.3f}x")
    return "\n".join(lines)


def main_bench_torch(args) -> int:
    results = run_torch_bench(rounds=args.rounds)
    if getattr(args, "json", False):
        print(json.dumps(results, indent=1))
        return 0
    print("one SGD step of a 784-256-128-10 MLP, softmax + CE: derived-kernel torch Functions / torch eager "
          f"autograd; 1 thread; median of {args.rounds} interleaved rounds (ratio > 1: derived faster; "
          "unfused: the loss as a node of its own)")
    print(format_torch_results(results))
    return 0
