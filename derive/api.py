r"""The Python API: judge one formula, or a claim file, from a script or a notebook.

>>> import nnderive
>>> v = nnderive.check(r"\frac{d}{dz} z^2 = 2 z", symbols={"z": "scalar real"})
>>> v.verdict
'proved'
>>> v = nnderive.check(r"\frac{da}{dz} = a(1 + a)", symbols={"z": "scalar real", "a": "scalar (0,1)"},
...                    definitions=[r"a = \sigma(z)"], functions={r"\sigma": "sigmoid"})
>>> v.verdict, v.counterexample is not None, v.corrected is not None
('refuted', True, True)

In Jupyter a :class:`~nnderive.verdict.Verdict` renders itself (the verdict, the
formula as read, the derivation).  A claim with a mistake in it is an ``error``
verdict naming the field and position, never an exception:

>>> nnderive.check(r"\frac{d}{dz} q = 1", symbols={"z": "scalar real"}).error["position"]
13

Every claim is judged in a worker process under the CPU-time ``budget`` and the
``memory`` limit (see :mod:`nnderive.judge.budget`), so a formula that makes
SymPy hang costs its budget, not the notebook.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from .cache import VerdictCache, judge_cached
from .catalogue import FIELDS, Claim, LoadError, load_paths
from .judge.budget import DEFAULT_BUDGET, DEFAULT_MEMORY_MB, judge_iter
from .verdict import Verdict

__all__ = ["check", "check_file", "check_claims", "load", "ClaimFileError"]

#: a small claim file (the examples below use it)
SAMPLE = r"""
[[claims]]
id = "square"
latex = '\frac{d}{dz} z^2 = 2 z'
symbols = { z = "scalar real" }

[[claims]]
id = "cube"
latex = '\frac{d}{dz} z^3 = 3 z'
symbols = { z = "scalar real" }
"""


class ClaimFileError(ValueError):
    """A claim file (or folder) that did not load as written; ``errors`` holds every problem."""

    def __init__(self, errors: list[LoadError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def load(path) -> list[Claim]:
    r"""The claims of a claim file or a folder of them.

    Raises :class:`FileNotFoundError` for a missing path and :class:`ClaimFileError`
    (listing every problem) when anything in it does not load.

    >>> import nnderive, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.toml"
    >>> _ = path.write_text(SAMPLE)
    >>> [c.id for c in nnderive.load(path)]
    ['square', 'cube']
    >>> _ = path.write_text(SAMPLE.replace("[[claims]]", "[[claim]]"))
    >>> nnderive.load(path)
    Traceback (most recent call last):
    ...
    nnderive.api.ClaimFileError: mine.toml: -: unknown table [[claim]] (did you mean [[claims]]?)
    """
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        raise FileNotFoundError(f"no such claim file or folder: {p}")
    claims, errors = load_paths([p])
    if errors:
        raise ClaimFileError(errors)
    return claims


def check_claims(claims, budget: float = DEFAULT_BUDGET, jobs: int | None = None,
                 memory: float = DEFAULT_MEMORY_MB, cache: bool | VerdictCache = False) -> list[Verdict]:
    """Judge :class:`~nnderive.catalogue.Claim` records (in order) in worker processes.

    ``cache=True`` uses the user's result cache (``~/.cache/nnderive``); a
    :class:`~nnderive.cache.VerdictCache` uses that one.
    """
    claims = list(claims)
    store = VerdictCache() if cache is True else cache or None
    results: list[Verdict | None] = [None] * len(claims)
    it = judge_cached(claims, lambda todo: judge_iter(todo, budget, jobs, memory), store)
    try:
        for k, v, _ in it:
            results[k] = v
    finally:
        it.close()
    return results  # type: ignore[return-value]


def check_file(path, budget: float = DEFAULT_BUDGET, jobs: int | None = None,
               memory: float = DEFAULT_MEMORY_MB, cache: bool | VerdictCache = False) -> list[Verdict]:
    """Judge every claim of a claim file or folder (see :func:`load` for the errors it raises).

    >>> import nnderive, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.toml"
    >>> _ = path.write_text(SAMPLE)
    >>> [(v.id, v.verdict) for v in nnderive.check_file(path)]
    [('square', 'proved'), ('cube', 'refuted')]
    """
    return check_claims(load(path), budget, jobs, memory, cache)


def check(latex: str, symbols: dict | None = None, definitions=(), given=(), functions: dict | None = None,
          *, id: str = "claim", budget: float = DEFAULT_BUDGET, memory: float = DEFAULT_MEMORY_MB,
          cache: bool | VerdictCache = False, **fields) -> Verdict:
    r"""Judge one formula, exactly as the same claim in a claim file would be judged.

    ``symbols`` maps LaTeX spellings to declarations (``{"z": "scalar real",
    "W": "matrix m n"}``), ``definitions`` and ``given`` are LaTeX relations,
    ``functions`` maps LaTeX names to nnderive's functions (``{r"\sigma": "sigmoid"}``).
    Any other claim field (``algorithm``, ``roles``, ``sizes``, ``theorem``, ...)
    can be given by name; ``FORMAT.md`` describes them all.
    """
    unknown = set(fields) - (FIELDS - {"id", "latex", "symbols", "definitions", "given", "functions"})
    if unknown:
        raise TypeError(f"check() got unknown claim field(s) {sorted(unknown)}")
    if isinstance(definitions, str):
        definitions = [definitions]
    if isinstance(given, str):
        given = [given]
    claim = Claim(id=id, source="<python>", file="<python>", latex=latex, symbols=dict(symbols or {}),
                  definitions=list(definitions), given=list(given), functions=dict(functions or {}))
    claim = dataclasses.replace(claim, **fields)
    claim.own_definitions = len(claim.definitions)
    _check_types(claim)
    return check_claims([claim], budget, 1, memory, cache)[0]


def _check_types(claim: Claim):
    """Refuse what a claim file could not hold (so every claim is plain data, as from TOML)."""
    def strings(xs):
        return isinstance(xs, list) and all(isinstance(x, str) for x in xs)

    def table(d):
        return isinstance(d, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in d.items())

    bad = [name for name, ok in [
        ("latex", isinstance(claim.latex, str)), ("symbols", table(claim.symbols)),
        ("functions", table(claim.functions)), ("roles", table(claim.roles)),
        ("definitions", strings(claim.definitions)), ("given", strings(claim.given)),
        ("kernels", strings(claim.kernels)), ("figures", strings(claim.figures)),
        ("sizes", isinstance(claim.sizes, list) and all(type(s) is int and 1 <= s <= 30 for s in claim.sizes)),
    ] + [(f, isinstance(getattr(claim, f), str)) for f in
         ("id", "section", "quote", "not_checkable", "note", "topic", "algorithm", "theorem")] if not ok]
    if bad:
        raise TypeError(f"check(): wrong type for {', '.join(bad)} (strings, lists of strings, tables of strings; "
                        f"sizes: integers in 1..30)")
