r"""An update rule's definitions as lines of its algorithm, in the order written.

An update line among a claim's definitions (``v \leftarrow \mu v - \eta\, dx``) is a step of the algorithm
the claim states, as its own lines are: it changes ``v``, so a later ``v`` is the new value and an earlier
one the old.  The lines run in the order written, the definitions' first, then the claim's.

A plain definition that uses a quantity some update line changes (cs231n's ``v_{prev} = v`` before
``v \leftarrow \dots``) names that quantity's value *where it is written*.  Read as an equation, it would
name the value where it is *used*; the two agree (and the definition stays an equation, as an objective
``L = \ell(w)`` in the line that updates ``w``) unless a line between the two changes what it uses.  Then it
is read as an assignment at its place (a temporary of the run, with no role in the reference), only where
the order fixes it; anything else is an error:

* with no update line among the definitions, whether they come before or after the claim's lines;
* a temporary used by a line written before it (which value it holds there is not written);
* a temporary used by another definition (that definition would then also be an assignment);
* a quantity at a time index (``m_{t-1}``), whose step the index states, not the order.
"""
from __future__ import annotations

import re

import sympy as sp

from ..mathematics.arrays import is_array
from .derivation import evaluate
from .interpret import ClaimError

__all__ = ["definition_lines"]

_TIMED = re.compile(r"_\{?[tkTn]([+-]\d+)?\}?$")


def definition_lines(it, defs, links):
    """``(links, temps, origins)``: the claim's update ``links`` after the definitions' update lines and
    temporaries, in the order written; ``temps`` the temporaries' symbols; ``origins`` per link the field it
    comes from (``definitions[k]``, or None for the claim's own line).  ``defs`` loses the temporaries."""
    written = list(it.written)
    if not it.updates:
        return links, set(), [None] * len(links)
    listing = any(kind == "update" for kind, _, _ in written)
    lines = []      # (field, lhs, value, is_temp) in the order written
    for kind, k, item in written:
        if kind == "update":
            lines.append((f"definitions[{k}]", it.expr(item.terms[0]), it.expr(item.terms[1]), False))
        else:
            lines.append((f"definitions[{k}]", item, None, None))
    changed = {lhs for _, lhs, _, temp in lines if temp is False} | \
        {lhs for lhs, rel, _ in links if rel in ("<-", "=")}
    # a time index states the step of a value (m_t, m_{t-1}): only an untimed quantity takes it from the order
    changed = {c for c in changed if isinstance(c, sp.Symbol) and not _TIMED.search(c.name)}
    # the run: the definitions' update lines and plain definitions in the order written, then the claim's lines
    seq = lines + [(None, lhs, rhs, False) for lhs, rel, rhs in links if rel in ("<-", "=")]
    temps = set()
    for p, (field, target, _, temp) in enumerate(lines):
        if temp is not None:
            continue
        mentioned = _free(evaluate(defs[target], defs)) & changed
        if not mentioned:
            continue
        uses = [j for j, (_, _, value, t) in enumerate(seq) if t is False and target in _uses(value, defs, target)]
        if listing and any(j < p for j in uses):
            raise ClaimError(f"${canon_sym(target)}$ is used before the definition that names it: which value "
                             "it holds there is not written", field, 0)
        # the definition names a value where it is written and is read again where it is used: the two agree
        # unless a line in between changes what it uses
        between = [seq[i][1] for j in uses for i in range(p + 1, j) if seq[i][3] is False]
        if not set(between) & mentioned:
            continue
        if not listing:
            # no update line among the definitions: whether a definition is written before or after the
            # claim's lines is not stated, so it may name the old value or the new one
            raise ClaimError(f"${canon_sym(target)}$ is defined from a quantity the claim's update lines change, "
                             "and used after the line that changes it: whether it names the value before or after "
                             "that line is not written (write the definitions' update lines too, in order, or a "
                             "time index)", field, 0)
        if is_array(defs[target]) or is_array(target):
            raise ClaimError("a definition of an array from a quantity an update line changes is not read yet",
                             field, 0)
        temps.add(target)
    for target in temps:
        if target in changed:
            raise ClaimError(f"${canon_sym(target)}$ is both defined and changed by an update line", "definitions", 0)
        timed = [s for s in evaluate(defs[target], defs).free_symbols | {target}
                 if isinstance(s, sp.Symbol) and _TIMED.search(s.name)]
        if timed:
            raise ClaimError(f"${canon_sym(target)}$ is defined from a quantity an update line changes, and a time "
                             "index is written too: whether it is the old or the new value is not read yet",
                             "definitions", 0)
        others = [d for d in defs if d not in temps and target in _free(defs[d])]
        if others:
            raise ClaimError(f"${canon_sym(target)}$ names the value of a quantity an update line changes, and "
                             "another definition uses it: the order that fixes which value is not read there",
                             "definitions", 0)
    out, origins = [], []
    for field, lhs, value, temp in lines:
        if temp is None and lhs not in temps:
            continue
        if temp is None:
            value, temp = defs.pop(lhs), True
        out.append((lhs, "<-", value))
        origins.append(field)
    return out + list(links), temps, origins + [None] * len(links)


def _uses(value, defs, target):
    """The symbols ``value`` uses, through every definition but ``target``'s."""
    rest = {d: v for d, v in defs.items() if d != target}
    return _free(evaluate(value, rest))


def _free(e):
    return e.free_symbols if isinstance(e, sp.Basic) else set()


def canon_sym(s):
    return getattr(s, "name", str(s))
