r"""Recurrences as sources write them: :math:`v_t = \beta v_{t-1} + (1-\beta) g_t` with its start :math:`v_0 = 0`.

A first-order recurrence is a definition (or an update written with ``\leftarrow``) whose left side is a term
:math:`v_{t}` or :math:`v_{t+1}` of a sequence and whose right side uses the term before it; its start is an
equation :math:`v_c = \dots` at a number :math:`c`, in the definitions, the givens or the claim's own statement.
What the claim then means:

* a term at a number, :math:`v_2`, is the recurrence unrolled from its start (the inputs :math:`g_1, g_2`
  become symbols of their own);
* with no stated start, the term :math:`v_t` at the left side's own index is one step of the rule, the earlier
  term :math:`v_{t-1}` a free value (it may be the start, which nothing fixes): proved for every value, refuted
  at one, both sound;
* with a start, a statement :math:`v_t = C(t)` for every :math:`t` of its declared range is proved by induction
  (the base case, and :math:`C(t) = F(C(t-1))` at a symbolic :math:`t`), or refuted by the unrolled recurrence
  at a small :math:`t` and exact rational inputs; a term at a symbolic index in any other statement is
  undecided.

Nothing is evaluated from text: the rule's intermediate form is read again by the interpreter with the
variable bound to a number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..mathematics.printing import tex
from ..notation import ir
from ..notation.errors import LatexError, Unsupported
from ..notation.latex import canon
from .outcome import Outcome

__all__ = ["Recurrence", "find", "term", "judge_induction", "MAX_UNROLL"]

#: how far a term at a number is unrolled
MAX_UNROLL = 64


@dataclass
class Recurrence:
    """``base_{var + shift} = rule`` (``shift`` 0 or 1), started at ``base_{start} = start_value``."""

    base: str
    var: str
    shift: int
    rule: ir.Node
    chain: ir.Chain
    start: int | None = None
    start_value: ir.Node | None = None
    start_chain: ir.Chain | None = None
    inputs: set = field(default_factory=set)      # bases the rule subscripts with the variable
    cache: dict = field(default_factory=dict)     # k -> the unrolled term


def _offset(index, var):
    """``t`` -> 0, ``t+1`` -> 1, ``t-1`` -> -1 (the index as the variable plus a whole number), else None."""
    if isinstance(index, ir.Atom) and index.name == var:
        return 0
    if isinstance(index, ir.BinOp) and index.op in ("+", "-") and isinstance(index.left, ir.Atom) \
            and index.left.name == var and isinstance(index.right, ir.Number) and index.right.text.isdigit():
        return int(index.right.text) * (1 if index.op == "+" else -1)
    return None


def _seq_term(node):
    """``(base key, index node)`` of a subscripted plain letter, else None."""
    if isinstance(node, ir.Sub) and isinstance(node.base, ir.Atom):
        return canon(node.base), node.index
    return None


def _mentions(node, var):
    return any(isinstance(n, ir.Atom) and n.name == var for n in ir.walk(node))


def _rule(ch, it):
    """A chain ``v_t = F`` (or ``\\leftarrow``) whose right side uses ``v_{t-1}``: its Recurrence.  In
    ``x_{t+1} = x_t - \\eta x_t = (1 - \\eta) x_t`` the first right side is the rule (the source's own steps
    after it are taken as written, like any definition)."""
    if len(ch.terms) < 2 or ch.rels[0] not in ("=", "<-", ":=") or any(r != "=" for r in ch.rels[1:]):
        return None
    lhs, rhs = ch.terms[:2]
    got = _seq_term(lhs)
    if got is None:
        return None
    base, index = got
    var = index.name if isinstance(index, ir.Atom) else (index.left.name if isinstance(index, ir.BinOp) and
                                                         isinstance(index.left, ir.Atom) else None)
    if var is None or var in it.bound_ranges:
        return None
    decl = it.scope.symbols.get(var)
    if decl is not None and decl.kind != "scalar":
        return None
    if canon(lhs) in it.scope.symbols and it.scope.symbols[canon(lhs)].kind != "scalar":
        return None
    shift = _offset(index, var)
    if shift not in (0, 1):
        return None
    previous, inputs = False, set()
    for n in ir.walk(rhs):
        t = _seq_term(n)
        if t is None or not _mentions(t[1], var):
            continue
        off = _offset(t[1], var)
        if t[0] == base:
            if off != shift - 1:
                return None       # not first order (v_{t-2}) or the term itself on the right
            d = it.scope.symbols.get(canon(n))
            if d is not None and d.kind != "scalar":
                return None       # v_{t-1} declared a vector: terms of arrays are not unrolled here
            previous = True
        else:
            inputs.add(t[0])
    if not previous:
        return None
    return Recurrence(base, var, shift, rhs, ch, inputs=inputs)


def _numbered(ch) -> bool:
    """``v_2 = ...``: a chain whose left side is a term at a number (a start, or a claim about one term)."""
    got = _seq_term(ch.terms[0])
    return got is not None and isinstance(got[1], ir.Number)


def _start(ch, rec):
    if len(ch.terms) != 2 or ch.rels[0] != "=":
        return False
    got = _seq_term(ch.terms[0])
    if got is None or got[0] != rec.base or not isinstance(got[1], ir.Number) or not got[1].text.isdigit():
        return False
    if any(_seq_term(n) is not None and _seq_term(n)[0] == rec.base for n in ir.walk(ch.terms[1])):
        return False
    rec.start, rec.start_value, rec.start_chain = int(got[1].text), ch.terms[1], ch
    return True


def find(claim, it):
    """The recurrences of a claim (its definitions, givens and own statement), by sequence base; the chains
    they take are recorded in ``it.recurrence_chains`` so the other readers leave them."""
    chains, candidates = [], []
    for k, text in enumerate([*claim.definitions, *claim.given, claim.formula]):
        if not text:
            continue
        try:
            sts = it.read(text)
        except (LatexError, Unsupported):
            continue
        if len(sts) != 1:
            continue
        chains += list(sts[0].chains)
        own = k == len(claim.definitions) + len(claim.given)
        if not own:
            candidates += list(sts[0].chains)
        elif len(sts[0].chains) > 1:     # a rule stated beside the claim: one link, and something left to claim
            own_chains = [ch for ch in sts[0].chains if len(ch.terms) == 2]
            rules = sum(_rule(ch, it) is not None for ch in own_chains)
            starts = min(1, sum(_numbered(ch) for ch in own_chains))
            if len(sts[0].chains) - rules - starts >= 1:
                candidates += own_chains
    found = {}
    for ch in candidates:
        rec = _rule(ch, it)
        if rec is not None and rec.base not in found:
            found[rec.base] = rec
    for rec in found.values():
        starts = [ch for ch in candidates if _start(ch, rec)]     # the earliest one is the start
        if starts:
            _start(min(starts, key=lambda ch: int(ch.terms[0].index.text)), rec)
        if rec.start is None:       # no stated start: the earliest term the claim names at a number, free
            at = [int(t[1].text) for ch in chains for n in ir.walk(ch) if (t := _seq_term(n)) is not None
                  and t[0] == rec.base and isinstance(t[1], ir.Number) and t[1].text.isdigit()]
            if at:
                rec.start = min(at)
        it.recurrence_chains += [c for c in (rec.chain, rec.start_chain) if c is not None]
    return found


def term(it, s: ir.Sub):
    """The value of ``s`` when it is a term of a recurrence or an input at a bound variable, else None."""
    got = _seq_term(s)
    if got is None:
        return None
    base, index = got
    rec = it.recurrences.get(base)
    bound = [v for v in it.recurrence_bound if _mentions(index, v)]
    if rec is None and not bound:
        return None
    k = it.expr(index)
    if rec is None:       # an input g_t while t is bound to a number: the symbol g_{k}
        if not k.is_Integer:
            return sp.Symbol(f"{base}_{{{tex(k)}}}", real=True)
        return it.symbol(ir.Sub(s.base, ir.Number(str(k)), str(k)))
    if k.is_Integer:
        return _unrolled(it, rec, int(k), s)
    hyp = it.recurrence_hypothesis.get(base)
    if hyp is not None:
        return hyp(k)
    if rec.start is not None:
        placeholder = sp.Symbol(canon(s), real=True)
        it.symbolic_terms.setdefault(base, {})[placeholder] = k
        return placeholder
    # no stated start: one step of the rule, the earlier term a free value
    if _offset(index, rec.var) == rec.shift and not it.recurrence_bound:
        it.scope.note(f"${canon(s)}$ is one step of its recurrence; the earlier term is a free value (no start "
                      "is stated)")
        return _read_rule(it, rec, None)
    return it._default_scalar(canon(s), s)


def _read_rule(it, rec, n):
    """The rule's right side with the variable bound to ``n`` (None: left symbolic)."""
    if n is None:
        return it.expr(rec.rule)
    saved = it.local.get(rec.var, None), rec.var in it.local
    it.local[rec.var] = n
    it.recurrence_bound.append(rec.var)
    try:
        return it.expr(rec.rule)
    finally:
        it.recurrence_bound.pop()
        if saved[1]:
            it.local[rec.var] = saved[0]
        else:
            del it.local[rec.var]


def _unrolled(it, rec, k, node):
    if rec.start is None:
        raise Unsupported(f"{rec.base}_{{{k}}}: a term at a number of a recurrence whose start is not stated",
                          node.span[0])
    if k < rec.start:
        raise LatexError(f"{rec.base}_{{{k}}} comes before the start {rec.base}_{{{rec.start}}}", node.span[0])
    if k - rec.start > MAX_UNROLL:
        raise Unsupported(f"{rec.base}_{{{k}}} is more than {MAX_UNROLL} steps from its start", node.span[0])
    if k in rec.cache:
        return rec.cache[k]
    if k == rec.start:
        value = it.expr(rec.start_value) if rec.start_value is not None else \
            it._default_scalar(canon(node) if isinstance(node, ir.Sub) else f"{rec.base}_{{{k}}}", node)
    else:
        value = _read_rule(it, rec, sp.Integer(k - rec.shift))
    rec.cache[k] = value
    return value


# --------------------------------------------------------------------------- for every t, by induction
def _samples(expr, it, count=3):
    """Exact rational points for the free symbols of ``expr`` inside their declared intervals."""
    syms = sorted(expr.free_symbols, key=str)
    fracs = [sp.Rational(1, 3), sp.Rational(5, 7), sp.Rational(2, 9), sp.Rational(7, 11)]
    out = []
    for c in range(count):
        point = {}
        for j, s_ in enumerate(syms):
            decl = next((d for d in it.scope.symbols.values() if d.obj == s_), None)
            lo, hi = (decl.interval[0], decl.interval[1]) if decl is not None else (-3, 3)
            lo, hi = sp.Rational(lo), sp.Rational(hi)
            if s_.is_integer:
                point[s_] = sp.Integer(max(1, int(lo)) + c + j)
            else:
                point[s_] = lo + (hi - lo) * fracs[(c + j) % len(fracs)]
        out.append(point)
    return out


def judge_induction(links, it):
    """``v_t = C(t)`` for every ``t`` of its declared range: the outcome, or None when the links are not that."""
    terms = it.symbolic_terms
    if not terms:
        return None
    placeholders = {p: (b, k) for b, d in terms.items() for p, k in d.items()}
    if len(links) != 1:
        return Outcome("undecided", "a term of a recurrence at a symbolic index in a statement of several "
                           "relations is not judged yet")
    lhs, rel, rhs = links[0]
    if rel != "=" or not isinstance(lhs, sp.Basic) or not isinstance(rhs, sp.Basic):
        return Outcome("undecided", "only v_t = C(t) is judged for a recurrence at a symbolic index")
    if lhs not in placeholders:
        lhs, rhs = rhs, lhs
    if lhs not in placeholders or rhs.free_symbols & set(placeholders):
        return Outcome("undecided", "a term of a recurrence at a symbolic index: only a statement "
                           "v_t = C(t) with C free of the sequence is judged yet")
    base, k = placeholders[lhs]
    rec = it.recurrences[base]
    if not (k.is_Symbol and k.is_integer and (k.is_positive or k.is_nonnegative)):
        return Outcome("undecided", f"the index {k} of a recurrence's term must be a symbol declared a "
                           "positive (or nonnegative) integer")
    t = k
    low = 1 if t.is_positive else 0
    if low < rec.start:
        return Outcome("undecided", f"the claim's range starts at {t} = {low}, before the recurrence's "
                           f"start {rec.start}")
    closed = rhs
    if closed.has(*[sp.Symbol(f"{i}_{{{t}}}", real=True) for i in rec.inputs]):
        return Outcome("undecided", "a closed form in the recurrence's inputs is not judged by induction yet")
    at = lambda n: closed.xreplace({t: n})
    # counterexample first: the unrolled terms at small t, exact, at rational inputs
    for n in range(low, low + 6):
        exact = _unrolled(it, rec, n, rec.chain)
        for point in _samples(exact - at(n), it):
            a, b = exact.xreplace(point), at(n).xreplace(point)
            if sp.simplify(a - b) != 0:
                shown = {str(s_): str(v) for s_, v in point.items()}
                return Outcome("refuted", f"counterexample at {t} = {n}: the recurrence gives ${tex(a)}$, "
                                   f"the claim ${tex(b)}$ (at {shown})",
                                   counterexample={str(t): str(n), **shown, "lhs": str(a), "rhs": str(b)},
                                   recheck="the recurrence unrolled exactly from its start at that point")
    base_ok = sp.simplify(_unrolled(it, rec, low, rec.chain) - at(low)) == 0
    u = sp.Symbol(f"{t}_step", integer=True, positive=True)      # t = low + u, so t - 1 >= low
    it.recurrence_hypothesis[base] = lambda j: at(j)
    try:
        stepped = _read_rule(it, rec, low + u - rec.shift)
    finally:
        del it.recurrence_hypothesis[base]
    step_ok = sp.simplify(stepped - at(low + u)) == 0
    if not (base_ok and step_ok):
        return Outcome("undecided", "no proof by induction (the step does not reduce) and no counterexample "
                           f"at {t} = {low}..{low + 5}")
    return Outcome("proved", f"proved for every {t} >= {low} by induction: the base case at {t} = {low}, and "
                       f"${tex(closed)}$ satisfies the recurrence",
                       steps=[("the base case", f"{tex(at(low))}"),
                              ("the step", f"{tex(stepped)} = {tex(at(low + u))}")],
                       recheck=f"the recurrence unrolled exactly at {t} = {low}..{low + 5} at rational inputs agrees")
