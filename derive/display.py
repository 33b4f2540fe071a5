"""How records render in Jupyter: the report layer registers its renderers here.

Records (:class:`~nnderive.catalogue.Claim`, :class:`~nnderive.verdict.Verdict`) carry no
presentation; the report layer, which sits above them, registers one function per
(record type, format) when it is imported (``import nnderive`` does so).
"""
from __future__ import annotations

from typing import Callable

__all__ = ["register", "render"]

_RENDERERS: dict[tuple[str, str], Callable] = {}


def register(kind: str, fmt: str, fn: Callable) -> None:
    """Register ``fn(record) -> str`` for records of ``kind`` ("claim", "verdict") in ``fmt``."""
    _RENDERERS[(kind, fmt)] = fn


def render(kind: str, fmt: str, record):
    """The registered rendering, or None (Jupyter then falls back to the repr)."""
    fn = _RENDERERS.get((kind, fmt))
    return fn(record) if fn else None
