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

import itertools

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
        if any(base in r.inputs and r.start is not None and _mentions(index, r.var) for r in it.recurrences.values()):
            # an input at a symbolic index of a started recurrence (g_{t-tau} in a closed form): a function of
            # its index, so that the closed form at t = 3 names the same inputs as the unrolled recurrence
            return _input(it, s, [it.expr(x) for x in _index_items(index)])
        return None
    if rec is None:       # an input g_t while t is bound to a number: the symbol g_{k}
        return _input(it, s, [it.expr(x) for x in _index_items(index)])
    k = it.expr(index)
    if k.is_Integer:
        return _unrolled(it, rec, int(k), s)
    if is_list(rec.start_value):
        raise Unsupported(f"{canon(s)}: a term at a symbolic index of a recurrence of vectors (its start is a "
                          "list) is not read yet: only terms at numbers are unrolled", s.span[0] if s.span else None)
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


def is_list(node) -> bool:
    """A start written as a tuple of two or more values, ``(1, 2, 3)``: a point, a column vector."""
    return isinstance(node, ir.Tuple) and node.bracket == "(" and len(node.items) >= 2


def _index_items(index):
    """``t, t-1`` -> its two entries; anything else -> itself."""
    if not isinstance(index, ir.Tuple):
        return [index]
    return [x.terms[0] if isinstance(x, ir.Chain) and len(x.terms) == 1 else x for x in index.items]


def input_function(base: str):
    """The function an input sequence's terms at symbolic indices are values of."""
    return sp.Function(f"{base}_{{\\cdot}}", real=True)


def _input(it, s, ks):
    """The input term ``g_{k}`` (``g_{k, l}``): at whole numbers the symbol the unrolled recurrence names, else
    the value of :func:`input_function` there."""
    if all(k.is_Integer for k in ks):
        return input_symbol(it, s.base, ks)
    return input_function(canon(s.base))(*ks)


def input_symbol(it, base_node, ks):
    """The symbol of an input term at whole numbers: ``g_{3}``, ``g_{3,2}``."""
    if len(ks) == 1:
        return it.symbol(ir.Sub(base_node, ir.Number(str(ks[0])), str(ks[0])))
    text = ",".join(str(k) for k in ks)
    return it.symbol(ir.Sub(base_node, ir.Tuple(tuple(ir.Number(str(k)) for k in ks)), text))


def inputs_at_numbers(it, expr):
    """``expr`` with every input function at whole numbers replaced by the symbol of that term."""
    for base in {b for r in it.recurrences.values() for b in r.inputs}:
        f = input_function(base)
        expr = expr.replace(lambda e, f=f: getattr(e, "func", None) == f and all(a.is_Integer for a in e.args),
                            lambda e, base=base: input_symbol(it, ir.Atom(base), list(e.args)))
    return expr


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
        if is_list(rec.start_value):
            value = it.column(rec.start_value)      # x_0 = (1, 2, 3): the start is a vector, and so is every term
        elif rec.start_value is not None:
            value = it.expr(rec.start_value)
        else:
            value = it._default_scalar(canon(node) if isinstance(node, ir.Sub) else f"{rec.base}_{{{k}}}", node)
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


def _sum_parts(d):
    """``d`` as ``(rest, [(body, index, lo, hi), ...])``: its terms that are a multiple of one single sum,
    the multiple taken inside; None when a sum stands anywhere else."""
    rest, sums = sp.Integer(0), []
    for term_ in sp.Add.make_args(sp.expand(d)):
        found = [f for f in sp.Mul.make_args(term_) if isinstance(f, sp.Sum)]
        if len(found) == 1 and len(found[0].limits) == 1:
            (v, lo, hi), = found[0].limits
            coeff = sp.Mul(*[f for f in sp.Mul.make_args(term_) if f is not found[0]])
            if v in coeff.free_symbols:
                return None           # the index's letter also free outside its sum: not moved inside
            sums.append((coeff * found[0].function, v, lo, hi))
        elif term_.has(sp.Sum):
            return None
        else:
            rest += term_
    return rest, sums


def zero_with_sums(d) -> bool:
    r"""True if ``d``, a combination of single sums whose lengths differ by whole numbers, is 0 term by term.

    Every sum is moved to start at 0 (:math:`\sum_{\tau=a}^{b} f(\tau) = \sum_{\tau=0}^{b-a} f(\tau + a)`); a sum
    :math:`m` terms longer than the shortest (length :math:`H + 1`) gives up its last :math:`m` terms
    (:math:`\sum_0^{H+m} f = \sum_0^H f + \sum_{r=1}^{m} f(H + r)`) or its first :math:`m` and is shifted
    (:math:`= \sum_{r<m} f(r) + \sum_0^H f(\tau + m)`); both hold for :math:`H \ge -1`, which is required.
    When, for one choice per sum, the bodies over the common range cancel and so do the terms given up,
    ``d`` is 0.  Nothing else is concluded (False: not shown)."""
    parts = _sum_parts(d)
    if parts is None:
        return False
    rest, sums = parts
    if not sums:
        return sp.simplify(rest) == 0
    if len(sums) > 6:
        return False
    tau = sp.Dummy("tau", integer=True)
    norm = [(f.xreplace({v: tau + lo}), sp.simplify(hi - lo)) for f, v, lo, hi in sums]
    offs = [sp.simplify(h - norm[0][1]) for _, h in norm]
    if not all(o.is_Integer for o in offs):
        return False
    low = min(offs)
    H = norm[0][1] + low
    if (H + 1).is_nonnegative is not True:
        return False
    for choice in itertools.product((0, 1), repeat=len(norm)):
        given_up, body = rest, sp.Integer(0)
        skip = False
        for (f, _), o, c in zip(norm, offs, choice):
            m = int(o - low)
            if c and not m:
                skip = True        # the same as the other choice
                break
            if c == 0:
                given_up += sum((f.xreplace({tau: H + r}) for r in range(1, m + 1)), sp.Integer(0))
                body += f
            else:
                given_up += sum((f.xreplace({tau: sp.Integer(r)}) for r in range(m)), sp.Integer(0))
                body += f.xreplace({tau: tau + m})
        if not skip and sp.simplify(body) == 0 and sp.simplify(given_up) == 0:
            return True
    return False


def _members(links):
    """The members of one chain of equalities ``a = b = c`` given as its links, else None."""
    if any(rel != "=" or not isinstance(a, sp.Basic) or not isinstance(b, sp.Basic) for a, rel, b in links):
        return None
    if any(links[k][2] is not links[k + 1][0] and links[k][2] != links[k + 1][0] for k in range(len(links) - 1)):
        return None
    return [links[0][0]] + [b for _, _, b in links]


def judge_induction(links, it):
    """``v_t = C(t)`` for every ``t`` of its declared range (or a chain ``v_t = E(v_{t-2}) = C(t)``): the
    outcome, or None when the links are not that."""
    terms = it.symbolic_terms
    if not terms:
        return None
    placeholders = {p: (b, k) for b, d in terms.items() for p, k in d.items()}
    members = _members(links)
    if members is None:
        return Outcome("undecided", "a term of a recurrence at a symbolic index in a statement of several "
                           "relations is not judged yet" if len(links) != 1 else
                           "only v_t = C(t) is judged for a recurrence at a symbolic index")
    anchors = [m for m in members if m in placeholders and placeholders[m][1].is_Symbol]
    if not anchors:
        return Outcome("undecided", "a term of a recurrence at a symbolic index: only a statement "
                           "v_t = C(t) with C free of the sequence is judged yet")
    anchor = anchors[0]
    base, k = placeholders[anchor]
    rec = it.recurrences[base]
    if not (k.is_Symbol and k.is_integer and (k.is_positive or k.is_nonnegative)):
        return Outcome("undecided", f"the index {k} of a recurrence's term must be a symbol declared a "
                           "positive (or nonnegative) integer")
    t = k
    low = 1 if t.is_positive else 0
    if low < rec.start:
        return Outcome("undecided", f"the claim's range starts at {t} = {low}, before the recurrence's "
                           f"start {rec.start}")
    outcomes = []
    for m in members:
        if m is anchor:
            continue
        inside = [p for p in m.free_symbols if p in placeholders]
        if not inside:
            outcomes.append(_closed_form(it, rec, t, low, m, placeholders))
        else:
            outcomes.append(_expansion(it, rec, t, low, m, inside, placeholders))
    for o in outcomes:
        if o.verdict == "refuted":
            return o
    if all(o.verdict == "proved" for o in outcomes):
        if len(outcomes) == 1:
            return outcomes[0]
        return Outcome("proved", "every member of the chain equals " + f"${canon_tex(anchor)}$: " +
                       "; ".join(o.reason for o in outcomes),
                       steps=[s_ for o in outcomes for s_ in (o.steps or [])],
                       recheck="; ".join(o.recheck for o in outcomes if o.recheck))
    return next(o for o in outcomes if o.verdict != "proved")


def canon_tex(e):
    return tex(e)


def _at_number(it, expr, t, n, extra=None):
    """``expr`` at ``t = n``: its sums written out, its inputs the symbols the unrolled recurrence names."""
    value = expr.xreplace({**(extra or {}), t: sp.Integer(n)})
    return inputs_at_numbers(it, value.doit())


def _counterexample(it, rec, t, ns, claimed):
    """The first ``n`` of ``ns`` where the unrolled term differs from ``claimed(n)`` at exact rational inputs."""
    for n in ns:
        exact = _unrolled(it, rec, n, rec.chain)
        at_n = claimed(n)
        for point in _samples(exact - at_n, it):
            a, b = exact.xreplace(point), at_n.xreplace(point)
            if sp.simplify(a - b) != 0:
                shown = {str(s_): str(v) for s_, v in point.items()}
                return Outcome("refuted", f"counterexample at {t} = {n}: the recurrence gives ${tex(a)}$, "
                                   f"the claim ${tex(b)}$ (at {shown})",
                                   counterexample={str(t): str(n), **shown, "lhs": str(a), "rhs": str(b)},
                                   recheck="the recurrence unrolled exactly from its start at that point")
    return None


def _agree(d) -> bool:
    return sp.simplify(d) == 0 or zero_with_sums(d)


def _closed_form(it, rec, t, low, closed, placeholders):
    """``v_t = C(t)``, C free of the sequence: a counterexample at a small t, or a proof by induction."""
    if closed.has(*[sp.Symbol(f"{i}_{{{t}}}", real=True) for i in rec.inputs]):
        return Outcome("undecided", "a closed form in the recurrence's inputs is not judged by induction yet")
    at = lambda n: closed.xreplace({t: n})
    found = _counterexample(it, rec, t, range(low, low + 6), lambda n: _at_number(it, closed, t, n))
    if found is not None:
        return found
    base_ok = sp.simplify(_unrolled(it, rec, low, rec.chain) - _at_number(it, closed, t, low)) == 0
    u = sp.Symbol(f"{t}_step", integer=True, positive=True)      # t = low + u, so t - 1 >= low
    it.recurrence_hypothesis[rec.base] = lambda j: at(j)
    try:
        stepped = _read_rule(it, rec, low + u - rec.shift)
    finally:
        del it.recurrence_hypothesis[rec.base]
    step_ok = _agree(stepped - at(low + u))
    if not (base_ok and step_ok):
        return Outcome("undecided", "no proof by induction (the step does not reduce) and no counterexample "
                           f"at {t} = {low}..{low + 5}")
    return Outcome("proved", f"proved for every {t} >= {low} by induction: the base case at {t} = {low}, and "
                       f"${tex(closed)}$ satisfies the recurrence",
                       steps=[("the base case", f"{tex(at(low))}"),
                              ("the step", f"{tex(stepped)} = {tex(at(low + u))}")],
                       recheck=f"the recurrence unrolled exactly at {t} = {low}..{low + 5} at rational inputs agrees")


#: how many steps an expansion v_t = E(v_{t-j}) may skip
MAX_EXPANSION = 8


def _expansion(it, rec, t, low, member, inside, placeholders):
    r"""``v_t = E(v_{t-j})``: the rule applied ``j`` times, for every :math:`t \ge` start + j (where
    :math:`v_{t-j}` is a term of the sequence): proved with :math:`v_{t-j}` left free, or refuted by the
    recurrence unrolled at a small ``t``."""
    if len(inside) != 1:
        return Outcome("undecided", "a member with terms of a recurrence at several symbolic indices is not "
                           "judged yet")
    ph = inside[0]
    b, k = placeholders[ph]
    j = sp.simplify(t - k)
    if b != rec.base or not j.is_Integer or not 0 < j <= MAX_EXPANSION:
        return Outcome("undecided", f"${tex(member)}$: a term of a recurrence at an index other than "
                           f"{t} minus a whole number is not judged yet")
    j = int(j)
    first = max(low, rec.start + j)
    found = _counterexample(it, rec, t, range(first, first + 6), lambda n: _at_number(
        it, member, t, n, {ph: _unrolled(it, rec, n - j, rec.chain)}))
    if found is not None:
        return found

    def hyp(kk):
        m = sp.simplify(t - kk)
        if m == j:
            return ph
        if m.is_Integer and 0 <= m < j:
            return _read_rule(it, rec, kk - rec.shift)
        raise Unsupported(f"{rec.base}_{{{tex(kk)}}} while expanding {rec.base}_{{{t}}}")
    it.recurrence_hypothesis[rec.base] = hyp
    try:
        expanded = _read_rule(it, rec, t - rec.shift)
    finally:
        del it.recurrence_hypothesis[rec.base]
    if not _agree(expanded - member):
        return Outcome("undecided", f"${tex(member)}$ is not shown to be the rule applied {j} times, and no "
                           f"counterexample at {t} = {first}..{first + 5}")
    where = f"for every {t} >= {first} (where ${rec.base}_{{{t}-{j}}}$ is a term of the sequence)"
    return Outcome("proved", f"${tex(member)}$ is the rule applied {j} times, {where}",
                   steps=[(f"the rule applied {j} times", tex(expanded))],
                   recheck=f"the recurrence unrolled exactly at {t} = {first}..{first + 5} at rational inputs agrees")
