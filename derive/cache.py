r"""The result cache: a verdict is judged once per claim content and nnderive version.

A verdict is stored under the SHA-256 of the canonical JSON of

* every field of the :class:`~nnderive.catalogue.Claim` (id, file, LaTeX,
  definitions and symbols *after* the source-wide defaults are merged in,
  declarations, functions, sizes, roles, ...: everything that can affect the
  verdict, and the text the verdict quotes back),
* nnderive's version (:data:`nnderive.version.VERSION`) and a fingerprint of the
  judge's source files (``judge/``, ``mathematics/``, ``notation/``, the verdict
  record), so an edited checkout never serves a verdict of older code,
* the SymPy and Python versions.

So the cache can only ever answer for exactly the content it judged; any
change is a miss and judges that claim again.  Verdicts that say more about
the machine than about the claim (a timeout, the memory limit, a crashed
worker) are not stored.

The cache lives in ``$XDG_CACHE_HOME/nnderive`` (default ``~/.cache/nnderive``),
one small JSON file per verdict written atomically, so concurrent runs never
see half a file; a file that does not read back as a verdict is a miss.

>>> import tempfile
>>> from nnderive.catalogue import Claim
>>> from nnderive.verdict import Verdict
>>> c = Claim(id="c", source="s", file="f.toml", latex="z = z", symbols={"z": "scalar real"})
>>> cache = VerdictCache(tempfile.mkdtemp())
>>> cache.get(c) is None
True
>>> cache.put(c, Verdict(id="c", source="s", verdict="proved", reason="both sides agree"))
True
>>> cache.get(c).verdict
'proved'
>>> import dataclasses
>>> cache.get(dataclasses.replace(c, symbols={"z": "scalar positive"})) is None
True
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import sympy

from . import version
from .judge.budget import resource_limited
from .verdict import Verdict

__all__ = ["VerdictCache", "cache_dir", "claim_key", "code_fingerprint", "judge_cached"]

_SCHEMA = 1
_PRUNE_DAYS = 30


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/nnderive``, or ``~/.cache/nnderive``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nnderive"


#: the code a verdict depends on: the judge and everything below it (the CLI, reports, bench
#: and kernels can change without invalidating the cache)
JUDGING_CODE = ("judge", "mathematics", "notation", "verdict.py", "version.py", "display.py")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the source files of the judge and the layers below it (paths and contents)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for part in JUDGING_CODE:
        base = root / part
        paths = [base] if base.is_file() else sorted(p for ext in ("*.py", "*.lark") for p in base.rglob(ext))
        for path in paths:
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def claim_key(claim) -> str:
    """The cache key of a claim: SHA-256 of the canonical JSON of its content and the versions.

    Dictionaries keep their order (the order of declarations is content too), and
    anything that is not plain JSON data is refused rather than stringified.
    """
    payload = {"schema": _SCHEMA, "nnderive": version.VERSION, "code": code_fingerprint(),
               "sympy": sympy.__version__, "python": list(sys.version_info[:2]),
               "claim": dataclasses.asdict(claim)}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_refuse)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refuse(obj):
    raise TypeError(f"claim content must be plain data, got {type(obj).__name__}")


class VerdictCache:
    """Verdicts on disk, one JSON file per key (``verdicts/ab/abcdef....json``)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else cache_dir()
        self.hits = self.misses = self.stored = 0
        self.writable = True

    def _path(self, key: str) -> Path:
        return self.root / "verdicts" / key[:2] / f"{key}.json"

    def get(self, claim) -> Verdict | None:
        try:
            key = claim_key(claim)
            with open(self._path(key), encoding="utf-8") as f:
                record = json.load(f)
            if record.get("key") != key:
                raise ValueError("key mismatch")
            v = Verdict(**record["verdict"])
            v.steps = [tuple(step) for step in v.steps]   # (rule, latex) pairs, as the judge makes them
            if (v.id, v.source) != (claim.id, claim.source):
                raise ValueError("verdict of another claim")
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return v

    def put(self, claim, verdict: Verdict) -> bool:
        """Store a verdict (not one limited by the machine); False when it was not stored."""
        if not self.writable or resource_limited(verdict):
            return False
        try:
            key = claim_key(claim)
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._tag()
            record = {"key": key, "stored": time.time(), "verdict": verdict.to_dict()}
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(record, f, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, TypeError, ValueError):
            self.writable = False       # a read-only home: run without storing, say nothing more
            return False
        self.stored += 1
        return True

    def _tag(self):
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# This file is a cache directory tag created by nnderive.\n")

    def prune(self, days: float = _PRUNE_DAYS) -> int:
        """Remove verdicts not stored within ``days``; the number removed."""
        cutoff = time.time() - days * 86400
        removed = 0
        for path in (self.root / "verdicts").glob("*/*.json"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed

    def clear(self) -> int:
        """Remove every stored verdict; the number removed."""
        return self.prune(days=-1)


def judge_cached(claims, judge_iter, cache: VerdictCache | None):
    """Yield ``(index, verdict, from_cache)``: cached verdicts first, then the others as
    ``judge_iter(missing_claims)`` judges them (each stored as it arrives, so an
    interrupted run keeps what it judged).  ``cache=None`` judges everything."""
    claims = list(claims)
    missing = []
    for k, c in enumerate(claims):
        v = cache.get(c) if cache is not None else None
        if v is None:
            missing.append(k)
        else:
            yield k, v, True
    if not missing:
        return
    it = judge_iter([claims[k] for k in missing])
    try:
        for j, v in it:
            k = missing[j]
            if cache is not None:
                cache.put(claims[k], v)
            yield k, v, False
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
