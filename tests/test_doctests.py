"""Every docstring example in the package runs (the math in the docstrings is checked)."""
import doctest
import importlib
import pkgutil

import pytest

import nnderive

MODULES = sorted(m.name for m in pkgutil.walk_packages(nnderive.__path__, "nnderive.") if m.name != "nnderive.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
