"""Load claim files (TOML) into :class:`Claim` records.

A claim file holds one source: a ``[source]`` table and ``[[claims]]``.
Problems in the file (bad TOML, a missing field) become :class:`LoadError`
records with the file, claim id and position, so the rest of the run goes on.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .display import render

__all__ = ["Claim", "LoadError", "load_file", "load_paths", "catalogue_dir"]

FIELDS = {"id", "section", "quote", "latex", "definitions", "symbols", "functions", "given",
          "not_checkable", "sizes", "note", "topic", "algorithm", "roles", "theorem", "kernels", "figures", "layout", "text"}


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


def _as_list(v, name):
    if isinstance(v, str):
        return [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise TypeError(f"'{name}' must be a string or a list of strings")
    return v


def _as_table(v, name):
    if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
        raise TypeError(f"'{name}' must be a table of strings")
    return v


LAYOUTS = ("numerator", "denominator", "mixed")


def _layout(v):
    if v not in ("", *LAYOUTS):
        raise TypeError(f"'layout' must be one of {', '.join(LAYOUTS)}, got {v!r}")
    return v


def load_file(path: Path) -> tuple[list[Claim], list[LoadError]]:
    path = Path(path)
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [], [LoadError(name, "-", f"malformed TOML: {exc}")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [LoadError(name, "-", f"cannot read: {exc}")]
    src = data.get("source", {})
    if not isinstance(src, dict) or not isinstance(src.get("file", ""), str):
        return [], [LoadError(name, "-", "[source] must be a table with a 'file' string")]
    source = src.get("file") or name
    defaults_sym = src.get("symbols", {})
    defaults_fun = src.get("functions", {})
    defaults_def = src.get("definitions", [])
    default_layout = src.get("layout", "")
    claims, errors = [], []
    raw = data.get("claims", [])
    if not isinstance(raw, list):
        return [], [LoadError(name, "-", "'claims' must be an array of tables ([[claims]])")]
    seen = set()
    for k, entry in enumerate(raw):
        cid = entry.get("id") if isinstance(entry, dict) else None
        label = cid if isinstance(cid, str) else f"claims[{k}]"
        try:
            if not isinstance(entry, dict):
                raise TypeError("a claim must be a table")
            if not isinstance(cid, str) or not cid:
                raise TypeError("missing 'id'")
            if cid in seen:
                raise TypeError(f"duplicate id {cid!r}")
            seen.add(cid)
            unknown = set(entry) - FIELDS
            if unknown:
                raise TypeError(f"unknown field(s) {sorted(unknown)}")
            for f in ("latex", "quote", "section", "not_checkable", "note", "topic", "algorithm", "theorem", "layout", "text"):
                if not isinstance(entry.get(f, ""), str):
                    raise TypeError(f"'{f}' must be a string")
            if not entry.get("latex") and not entry.get("text") and not entry.get("not_checkable") \
                    and not entry.get("theorem"):
                raise TypeError("a claim needs 'latex' (or 'text'), a 'theorem' or a 'not_checkable' reason")
            if entry.get("latex") and entry.get("text"):
                raise TypeError("a claim gives its formula once: 'latex' or 'text', not both")
            sizes = entry.get("sizes", [])
            if not isinstance(sizes, list) or not all(isinstance(s, int) and 1 <= s <= 30 for s in sizes):
                raise TypeError("'sizes' must be a list of integers in 1..30")
            claims.append(Claim(
                id=cid, source=source, file=name, section=entry.get("section", ""),
                quote=entry.get("quote", ""), latex=entry.get("latex", ""),
                definitions=_as_list(entry.get("definitions", []), "definitions")
                + [d for d in _as_list(defaults_def, "source.definitions")
                   if d.split("=")[0].strip() not in entry.get("symbols", {})],
                symbols={**_as_table(defaults_sym, "source.symbols"), **_as_table(entry.get("symbols", {}), "symbols")},
                functions={**_as_table(defaults_fun, "source.functions"),
                           **_as_table(entry.get("functions", {}), "functions")},
                given=_as_list(entry.get("given", []), "given"),
                not_checkable=entry.get("not_checkable", ""), sizes=sizes,
                note=entry.get("note", ""), topic=entry.get("topic", ""),
                own_definitions=len(_as_list(entry.get("definitions", []), "definitions")),
                algorithm=entry.get("algorithm", ""), roles=_as_table(entry.get("roles", {}), "roles"),
                theorem=entry.get("theorem", ""),
                kernels=_as_list(entry.get("kernels", []), "kernels"),
                figures=_as_list(entry.get("figures", []), "figures"),
                layout=_layout(entry.get("layout", default_layout)), text=entry.get("text", "")))
        except TypeError as exc:
            errors.append(LoadError(name, label, str(exc), f"claims[{k}]"))
    return claims, errors


def load_paths(paths) -> tuple[list[Claim], list[LoadError]]:
    """Every ``*.toml`` under the given files or folders (the whole catalogue if none)."""
    paths = [Path(p) for p in paths] or [catalogue_dir()]
    files: list[Path] = []
    errors: list[LoadError] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.glob("*.toml")))
        elif p.is_file():
            files.append(p)
        else:
            errors.append(LoadError(str(p), "-", "no such file or folder"))
    claims: list[Claim] = []
    for f in files:
        c, e = load_file(f)
        claims.extend(c)
        errors.extend(e)
    return claims, errors
