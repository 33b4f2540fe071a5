"""The mathematics: primitives, arrays, conventions, optimizers, theorems, rewrites, zero test."""
from .sympy_memo import install as _install_sympy_memo

_install_sympy_memo()
