"""The readers by notation: each turns a string into its readings in the intermediate form."""
from __future__ import annotations

from . import latex, unicode

__all__ = ["READERS", "reader"]

#: notation name -> ``read(text) -> list[ir.Statement]``
READERS = {"latex": latex.read, "unicode": unicode.read}


def reader(notation: str):
    """The reader of a notation (``"latex"``, ``"unicode"``)."""
    try:
        return READERS[notation]
    except KeyError:
        raise ValueError(f"unknown notation {notation!r} (known: {', '.join(sorted(READERS))})") from None
