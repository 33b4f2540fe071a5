"""Shared fixtures: the catalogue is judged once per session, in parallel workers."""
import random

import numpy as np
import pytest

from nnderive.judge import judge_all
from nnderive.catalogue import catalogue_dir, load_paths


@pytest.fixture(autouse=True)
def _seeded():
    random.seed(0)
    np.random.seed(0)


@pytest.fixture(scope="session")
def catalogue():
    claims, errors = load_paths([catalogue_dir()])
    return claims, errors


@pytest.fixture(scope="session")
def verdicts(catalogue):
    claims, _ = catalogue
    return {v.id: v for v in judge_all(claims, budget=60)}
