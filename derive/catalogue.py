r"""Load claim files (TOML) into :class:`Claim` records.

A claim file holds one source: a ``[source]`` table and ``[[claims]]``.
Problems in the file (bad TOML, a missing field) become :class:`LoadError`
records with the file, claim id and position, so the rest of the run goes on.
Nothing passes silently: a file with no claims, an unknown table (``[[claim]]``
for ``[[claims]]``) or an unknown field is an error.  Only regular files up to
:data:`MAX_FILE_BYTES` are read (a FIFO or a link to ``/dev/zero`` is an error,
not a hang).  The format is described in ``FORMAT.md``.

>>> claims, errors = loads(r'''
... [[claims]]
... id = "square"
... latex = '\frac{d}{dz} z^2 = 2 z'
... symbols = { z = "scalar real" }
... ''', "example.toml")
>>> [c.id for c in claims], errors
(['square'], [])
>>> loads("[[claim]]\nid = 'x'", "typo.toml")[1][0].message
'unknown table [[claim]] (did you mean [[claims]]?)'
"""
from __future__ import annotations

import difflib
import re
import os
import stat
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .display import render

__all__ = ["Claim", "LoadError", "load_file", "load_paths", "loads", "read_limited", "catalogue_dir",
           "FIELDS", "SOURCE_FIELDS", "TABLES", "MAX_FILE_BYTES"]

#: the fields of one ``[[claims]]`` entry
FIELDS = {"id", "section", "quote", "latex", "definitions", "symbols", "functions", "given",
          "not_checkable", "sizes", "note", "topic", "algorithm", "roles", "theorem", "kernels", "figures", "layout", "text",
          "defines", "example", "summation", "operators"}
#: the fields of the ``[source]`` table (``symbols``, ``functions``, ``definitions``: defaults for every claim)
SOURCE_FIELDS = {"file", "title", "author", "url", "layout", "symbols", "functions", "definitions", "operators"}
#: the top-level tables of a claim file
TABLES = {"source": "[source]", "claims": "[[claims]]"}
#: the largest claim file read (the shipped ones are below 40 KB)
MAX_FILE_BYTES = 2 * 2 ** 20
_STRING_FIELDS = ("latex", "text", "quote", "section", "not_checkable", "note", "topic", "algorithm", "theorem",
                  "layout", "defines", "example", "summation")
#: a kernel name a claim may define: lower-case words joined by _ (the kernel's names add .grad, .vjp)
_KERNEL_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass
class Claim:
    id: str
    source: str                 # the seed/source file name
    file: str                   # the claim file it came from
    section: str = ""
    quote: str = ""
    latex: str = ""
    definitions: list = field(default_factory=list)
    symbols: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    given: list = field(default_factory=list)
    not_checkable: str = ""
    sizes: list = field(default_factory=list)
    note: str = ""
    topic: str = ""
    own_definitions: int = 10**6   # definitions before this index are the claim's own
    algorithm: str = ""            # a reference optimizer the update rule is judged against
    roles: dict = field(default_factory=dict)   # claim symbol -> the optimizer's role name
    theorem: str = ""              # a named result of derive/ the claim states
    kernels: list = field(default_factory=list)   # numeric kernels that implement the claim (shown in reports)
    figures: list = field(default_factory=list)   # report figures that illustrate the claim
    layout: str = ""               # "numerator", "denominator" or "mixed": the layout the source states
    text: str = ""                 # the formula in the sheet's plain-text (Unicode) math, instead of latex
    defines: str = ""              # the activation kernel this claim's proved derivative defines (nnderive kernels)
    example: str = ""              # the quantity of the worked example (nnderive example) whose value it prints
    summation: str = ""            # "einstein": the source states the convention (a repeated index is summed)
    operators: dict = field(default_factory=dict)   # an operator the source defines -> its meaning (OPERATORS)

    @property
    def formula(self) -> str:
        """The claim's formula as written: its LaTeX, or its plain-text math."""
        return self.latex or self.text

    @property
    def notation(self) -> str:
        """How the formula, definitions and given facts are written: "latex", or "unicode" for ``text``."""
        return "unicode" if self.text and not self.latex else "latex"

    def _repr_markdown_(self):
        """Jupyter: the quote, where it is from, and the LaTeX as the catalogue states it."""
        return render("claim", "markdown", self)

    def _repr_latex_(self):
        return render("claim", "latex", self)


@dataclass
class LoadError:
    file: str
    id: str
    message: str
    position: str = ""

    def __str__(self):
        where = f" ({self.position})" if self.position else ""
        return f"{self.file}: {self.id}: {self.message}{where}"


def catalogue_dir() -> Path:
    """The shipped catalogue (``formulas/`` in a checkout, package data when installed)."""
    return Path(str(resources.files("nnderive.formulas")))


class _Bad(Exception):
    """A problem in one claim entry (its message goes into a LoadError)."""


def _as_list(v, name):
    if isinstance(v, str):
        return [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Bad(f"'{name}' must be a string or a list of strings")
    return v


def _as_table(v, name):
    if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
        raise _Bad(f"'{name}' must be a table of strings")
    return v


LAYOUTS = ("numerator", "denominator", "mixed")


#: the operators whose meaning a source may state, and the meanings read: Parr & Howard write ⊗ for the
#: element-wise product, where elsewhere it is the Kronecker product (so it is never read without this)
OPERATORS = {r"\otimes": ("hadamard",),
             # d2l writes \|X - UV\|_2^2 of matrices and expands it entry by entry: its 2-norm there is Frobenius
             r"\|\cdot\|_2": ("frobenius",)}


def _operators(v):
    table = _as_table(v, "operators")
    for op, meaning in table.items():
        if op not in OPERATORS or meaning not in OPERATORS[op]:
            known = ", ".join(f"'{k}' = '{m}'" for k, ms in OPERATORS.items() for m in ms)
            raise _Bad(f"'operators': '{op}' = '{meaning}' is not read (known: {known})")
    return table


def _summation(v):
    if v not in ("", "einstein"):
        raise _Bad(f"'summation' must be 'einstein' (the convention the source states), got {v!r}")
    return v


def _layout(v):
    if v not in ("", *LAYOUTS):
        raise _Bad(f"'layout' must be one of {', '.join(LAYOUTS)}, got {v!r}")
    return v


def _unknown(kind: str, names, known) -> str:
    """``unknown field 'defintions' (did you mean 'definitions'?)``"""
    parts = []
    for n in sorted(names):
        close = difflib.get_close_matches(n, sorted(known), n=1, cutoff=0.6)
        parts.append(f"'{n}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return f"unknown {kind}{'s' if len(parts) > 1 else ''} " + ", ".join(parts)


def read_limited(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises :class:`OSError` with a message for anything else: a folder, a FIFO
    (opened without blocking, so it cannot hang the run), a device such as
    ``/dev/zero`` (also through a symbolic link), a file over the limit.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                    else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                    else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise OSError(f"not a regular file ({kind})")
        if st.st_size > limit:
            raise OSError(f"larger than the {limit // 2 ** 20} MB limit for a claim file ({st.st_size} bytes)")
        chunks, size = [], 0
        while size <= limit:          # the size may grow while we read
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(f"larger than the {limit // 2 ** 20} MB limit for a claim file")
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_file(path: Path) -> tuple[list[Claim], list[LoadError]]:
    """The claims of one file, and the errors that kept any part of it from loading."""
    path = Path(path)
    name = path.name
    try:
        data = read_limited(path)
    except OSError as exc:
        return [], [LoadError(name, "-", f"cannot read: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [LoadError(name, "-", f"not UTF-8 text (byte {exc.start})")]
    return loads(text, name)


def loads(text: str, name: str) -> tuple[list[Claim], list[LoadError]]:
    """The claims of a claim file's text; ``name`` is the file name the records and errors carry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [LoadError(name, "-", f"malformed TOML: {exc}")]
    except RecursionError:
        return [], [LoadError(name, "-", "malformed TOML: arrays or tables nested too deeply")]
    unknown = set(data) - set(TABLES)
    if unknown:
        msgs = []
        for key in sorted(unknown):
            v = data[key]
            spelt = f"[[{key}]]" if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) \
                else f"[{key}]" if isinstance(v, dict) else f"top-level key '{key}'"
            close = difflib.get_close_matches(key, list(TABLES), n=1, cutoff=0.6)
            msgs.append(f"unknown table {spelt}" + (f" (did you mean {TABLES[close[0]]}?)" if close else "")
                        if spelt.startswith("[") else f"unknown {spelt} (a claim file has [source] and [[claims]])")
        return [], [LoadError(name, "-", "; ".join(msgs))]
    src = data.get("source", {})
    if not isinstance(src, dict) or not isinstance(src.get("file", ""), str):
        return [], [LoadError(name, "-", "[source] must be a table with a 'file' string")]
    if set(src) - SOURCE_FIELDS:
        return [], [LoadError(name, "-", _unknown("field", set(src) - SOURCE_FIELDS, SOURCE_FIELDS) + " in [source]")]
    try:
        if not isinstance(src.get("title", ""), str) or not isinstance(src.get("author", ""), str):
            raise _Bad("'title' and 'author' must be strings")
        defaults_sym = _as_table(src.get("symbols", {}), "source.symbols")
        defaults_fun = _as_table(src.get("functions", {}), "source.functions")
        defaults_def = _as_list(src.get("definitions", []), "source.definitions")
        defaults_ops = _operators(src.get("operators", {}))
    except _Bad as exc:
        return [], [LoadError(name, "-", f"[source]: {exc}")]
    source = src.get("file") or name
    default_layout = src.get("layout", "")
    if not isinstance(default_layout, str):
        return [], [LoadError(name, "-", "[source]: 'layout' must be a string")]
    raw = data.get("claims", [])
    if not isinstance(raw, list):
        return [], [LoadError(name, "-", "'claims' must be an array of tables ([[claims]])")]
    if not raw:
        return [], [LoadError(name, "-", "no claims: a claim file needs at least one [[claims]] table")]
    claims, errors = [], []
    seen = set()
    for k, entry in enumerate(raw):
        cid = entry.get("id") if isinstance(entry, dict) else None
        label = cid if isinstance(cid, str) and cid else f"claims[{k}]"
        try:
            claims.append(_claim(entry, cid, seen, source, name, defaults_sym, defaults_fun, defaults_def,
                                 default_layout, defaults_ops))
        except _Bad as exc:
            errors.append(LoadError(name, label, str(exc), f"claims[{k}]"))
    return claims, errors


def _claim(entry, cid, seen, source, name, defaults_sym, defaults_fun, defaults_def, default_layout="",
           default_ops=None) -> Claim:
    if not isinstance(entry, dict):
        raise _Bad("a claim must be a table")
    if not isinstance(cid, str) or not cid:
        raise _Bad("missing 'id'")
    if cid in seen:
        raise _Bad(f"duplicate id {cid!r}")
    seen.add(cid)
    unknown = set(entry) - FIELDS
    if unknown:
        raise _Bad(_unknown("field", unknown, FIELDS))
    for f in _STRING_FIELDS:
        if not isinstance(entry.get(f, ""), str):
            raise _Bad(f"'{f}' must be a string")
    if not entry.get("latex") and not entry.get("text") and not entry.get("not_checkable") \
            and not entry.get("theorem"):
        raise _Bad("a claim needs 'latex' (or 'text'), a 'theorem' or a 'not_checkable' reason")
    if entry.get("latex") and entry.get("text"):
        raise _Bad("a claim gives its formula once: 'latex' or 'text', not both")
    sizes = entry.get("sizes", [])
    if not isinstance(sizes, list) or not all(type(s) is int and 1 <= s <= 30 for s in sizes):
        raise _Bad("'sizes' must be a list of integers in 1..30")
    defines = entry.get("defines", "")
    if defines and not _KERNEL_NAME.fullmatch(defines):
        raise _Bad(f"'defines' must be a kernel name (lower-case letters, digits, _; at most 40), got {defines[:60]!r}")
    symbols = _as_table(entry.get("symbols", {}), "symbols")
    own = _as_list(entry.get("definitions", []), "definitions")
    return Claim(
        id=cid, source=source, file=name, section=entry.get("section", ""),
        quote=entry.get("quote", ""), latex=entry.get("latex", ""),
        definitions=own + [d for d in defaults_def if d.split("=")[0].strip() not in symbols],
        symbols={**defaults_sym, **symbols},
        functions={**defaults_fun, **_as_table(entry.get("functions", {}), "functions")},
        given=_as_list(entry.get("given", []), "given"),
        not_checkable=entry.get("not_checkable", ""), sizes=sizes,
        note=entry.get("note", ""), topic=entry.get("topic", ""),
        own_definitions=len(own),
        algorithm=entry.get("algorithm", ""), roles=_as_table(entry.get("roles", {}), "roles"),
        theorem=entry.get("theorem", ""),
        kernels=_as_list(entry.get("kernels", []), "kernels"),
        figures=_as_list(entry.get("figures", []), "figures"),
        layout=_layout(entry.get("layout", default_layout)), text=entry.get("text", ""), defines=defines,
        example=entry.get("example", ""), summation=_summation(entry.get("summation", "")),
        operators={**(default_ops or {}), **_operators(entry.get("operators", {}))})


def load_paths(paths) -> tuple[list[Claim], list[LoadError]]:
    """Every ``*.toml`` under the given files or folders (the whole catalogue if none).

    A folder with no claim file in it is an error, like a missing path.
    """
    paths = [Path(p) for p in paths] or [catalogue_dir()]
    files: list[Path] = []
    errors: list[LoadError] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                errors.append(LoadError(str(p), "-", "no claim files (*.toml) in this folder"))
            files.extend(found)
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            errors.append(LoadError(str(p), "-", "no such file or folder"))
    claims: list[Claim] = []
    for f in files:
        c, e = load_file(f)
        claims.extend(c)
        errors.extend(e)
    return claims, errors
