r"""Judge one claim: read it, judge each of its relations, re-check, and make the verdict.

For every reading of the claim (usually one):

1. the claim's strings are read (:mod:`.interpret`); a chain whose first term names something
   new (``L(y, \hat y) = \dots = \dots``, ``\hat y = \mathrm{softmax}(o)``) defines it, and the
   rest of the chain is judged; conditions (``\text{for } x > 0``, ``\text{where } n = 3``)
   restrict or set the inputs;
2. each relation goes to the judge its relation word names (:data:`JUDGES`): equations,
   printed decimals, asymptotic claims, bounds, shapes, update rules;
3. every proved and refuted result is **re-checked** by the independent evaluation of
   :mod:`.recheck`; a disagreement is an error that names both results, an evaluation that
   cannot be done leaves the claim undecided;
4. a refuted claim that touched a convention axis (layout, MSE scaling, log base, ...) is
   judged again under each alternative; true under one, it is **convention**.

Readings that disagree give no verdict: the claim is undecided and both are named.
Numbers never prove: the search only finds counterexamples.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import re
import time
import zlib

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.core import random as _srandom
from sympy.stats.rv import RandomSymbol

from ..mathematics.arrays import Jacobian, is_array
from ..mathematics.conventions import AXES, INITS
from ..mathematics.optimizers import FLAG_FORMS, SYM
from ..mathematics.primitives import elementary
from ..mathematics.printing import tex as L
from ..mathematics.zero import is_zero
from ..notation import ir
from ..notation.errors import LatexError, ShapeMismatch, Unsupported
from ..notation.latex import canon
from ..notation.latex import read as latex_read
from ..verdict import Verdict
from .argext import is_argext_pair, judge_argext
from .crossread import Disagreement, compare, readable
from .derivation import evaluate
from .equation import judge_equation
from . import logic
from .interpret import (_GENERIC_LETTERS, ClaimError, Flag, Printed, Scope, SizeForced, _entrywise_target,
                        _is_number, _one_definition, declare_primed, einstein_sums, outside_domain, prepare,
                        primed_name)
from .listing import definition_lines
from .numeval import NotEvaluable
from .outcome import Outcome, combine
from .recurrences import judge_induction
from .signs import SignRule
from .recheck import Inconsistent, recheck_bound, recheck_differs, recheck_equal, recheck_order
from .relations import judge_approx, judge_bound, judge_order, judge_shape
from .theorems import judge_theorem, theorem_algorithm
from .trajectories import judge_trajectory
from .intermediates import judge_named_quantity
from .updates import NewName, canonical_update, judge_update
from .uptoconstant import CONSTANT, constant_form, judge_up_to_constant

__all__ = ["judge_claim", "relations", "ClaimError", "JUDGES"]


class _Reading:
    """One reading of a claim, interpreted: its relations, what they are judged with, and how it printed."""

    def __init__(self, scope, it, defs, given, links, parsed, statement=None, parts=None):
        self.scope, self.it, self.defs, self.given, self.links, self.parsed = scope, it, defs, given, links, parsed
        self.statement = statement
        self.parts = parts or [None] * len(links)      # per link: None, or (label, premises) of 'A and hence B'

    temps = frozenset()       # the temporaries of an algorithm listing (:mod:`.listing`)
    origins = ()              # per link: the definitions field it comes from, or None


# --------------------------------------------------------------------------- relations
def _order_form(lhs, rhs):
    r"""``a = b + O(h^k)`` as ``(a - b, O(h^k))`` (``a = O(h^k)``: ``(a, O(h^k))``); None without an O term.
    An O term on both sides is no equation of orders: an error."""
    terms = [s.getO() if isinstance(s, sp.Basic) and not is_array(s) else None for s in (lhs, rhs)]
    if terms[0] is not None and terms[1] is not None:
        raise Unsupported("an O(...) term on both sides", None)
    if terms[1] is not None:
        return lhs - rhs.removeO(), terms[1]
    if terms[0] is not None:
        return rhs - lhs.removeO(), terms[0]
    return None


def _equation(lhs, rhs, claim, r):
    try:
        form = _order_form(lhs, rhs)
    except Unsupported as exc:
        return Outcome("undecided", f"not supported yet: {exc.message}"), lhs, rhs
    if form is not None:
        value, order = form
        return judge_order(value, order, claim, r.scope, r.defs), lhs, rhs
    try:
        sides = constant_form(lhs, rhs)
    except Unsupported as exc:
        return Outcome("undecided", f"not supported yet: {exc.message}"), lhs, rhs
    if sides is not None:
        if r.given:
            return Outcome("undecided", "an equation up to a constant with given equations is not judged yet"), \
                lhs, rhs
        return judge_up_to_constant(*sides, claim, r.scope, r.defs), lhs, rhs
    lhs, rhs, note = _entrywise(lhs, rhs, r.scope)
    if note:
        r.scope.note(note)
    if r.scope.conventions.get("jacobian_form") == "entrywise":
        lhs, rhs = _diagonal_shorthand(lhs, rhs)
    if is_array(lhs) != is_array(rhs) and isinstance(lhs if is_array(rhs) else rhs, sp.Basic) \
            and (lhs if is_array(rhs) else rhs) == 0:
        # \nabla L = 0: a written 0 against an array is the zero array of its shape, as every source means it
        zero = sp.ZeroMatrix(*(lhs if is_array(lhs) else rhs).shape)
        lhs, rhs = (lhs, zero) if is_array(lhs) else (zero, rhs)
        r.scope.note("the 0 is read as the zero array of the other side's shape")
    out = judge_equation(lhs, rhs, claim, r.scope, r.defs, r.given)
    if out.verdict == "refuted":
        out.reason += _init_name(lhs, rhs)
    return out, lhs, rhs


def _approx(lhs, rhs, claim, r):
    return judge_approx(lhs, rhs.text if isinstance(rhs, Printed) else rhs, claim, r.scope, r.defs), lhs, rhs


def _bound(rel):
    def judge(lhs, rhs, claim, r):
        return judge_bound(lhs, rel, rhs, claim, r.scope, r.defs), lhs, rhs
    return judge


def _shape(lhs, rhs, claim, r):
    return judge_shape(lhs, rhs, r.scope), lhs, rhs


#: relation word -> its judge ``(lhs, rhs, claim, reading) -> (Outcome, lhs, rhs)``
JUDGES = {"=": _equation, "~": _approx, "<=": _bound("<="), "<": _bound("<"), ">=": _bound(">="),
          ">": _bound(">"), "in": _shape}


def _entrywise(lhs, rhs, scope):
    r"""``\mathrm{softmax}(x) = \frac{e^{x_i}}{\sum_j e^{x_j}}``: a vector against its i-th entry, read entry by entry."""
    for a, b, flip in ((lhs, rhs, False), (rhs, lhs, True)):
        if is_array(a) and not is_array(b) and a.shape[1] == 1:
            free = [d for d in scope.symbols.values() if d.kind == "index" and d.obj in b.free_symbols
                    and d.obj not in a.free_symbols]
            if len(free) == 1 and sp.simplify(free[0].dims[0] - a.shape[0]) == 0:
                i = free[0].obj
                entry = a[i - 1, 0]
                note = f"a vector equated with an expression in ${L(i)}$ is read entry by entry"
                return (b, entry, note) if flip else (entry, b, note)
    return lhs, rhs, ""


def _diagonal_shorthand(lhs, rhs):
    r"""Under the entry-wise shorthand, a Jacobian equated with a scalar c or a vector v means
    :math:`cI` or :math:`\operatorname{diag}(v)`; anything else is left as written."""
    def jacobian(e):
        return isinstance(e, Jacobian) or (isinstance(e, sp.Transpose) and isinstance(e.arg, Jacobian))
    for a, b, flip in ((lhs, rhs, False), (rhs, lhs, True)):
        if jacobian(a) and sp.simplify(a.shape[0] - a.shape[1]) == 0:
            if not is_array(b):
                b = b * sp.Identity(a.shape[0])
            elif b.shape[1] == 1 and sp.simplify(b.shape[0] - a.shape[0]) == 0:
                b = sp.DiagMatrix(b)
            else:
                continue
            return (b, a) if flip else (a, b)
    return lhs, rhs


def _init_name(lhs, rhs) -> str:
    """For a refuted 'Var_X(...) = value': which initialisation the claimed value really is."""
    named = {cls: key for key, (cls, _) in INITS.items()}
    if type(lhs) not in named:
        return ""
    args = lhs.args
    names = {"xavier_variance": "Xavier/Glorot", "he_variance": "He (Kaiming)", "lecun_variance": "LeCun"}
    claimed = elementary(rhs)
    for key, label in names.items():
        cls, arity = INITS[key]
        cand = cls(*args[:arity]) if len(args) >= arity else None
        if cand is not None and type(cand) is not type(lhs) and is_zero(elementary(cand) - claimed):
            return f"; the claimed variance ${L(claimed)}$ is {label} initialisation"
    return f"; the claimed variance ${L(claimed)}$ is no standard initialisation (Xavier, He, LeCun)"


# --------------------------------------------------------------------------- reading a claim
def _given(claim, it, defs):
    """The given facts: equations (used by the judges), and inequalities or ``\\ne`` (applied exactly to the
    inputs, as conditions are: ``x > 0`` makes x positive).  Returns ``(equations, substitutions)``."""
    out, reps = [], {}
    for k, text in enumerate(claim.given):
        try:
            statements = it.statements(text)
            if len(statements) != 1:
                raise ClaimError("a given fact with several readings", f"given[{k}]", 0)
            st = statements[0]
            chains = [ch for ch in list(st.chains) + list(st.conditions) if ch not in it.recurrence_chains]
            for ch in chains:
                if tuple(ch.rels) == ("sim",) and len(ch.terms) == 2:
                    it.random_variable(ch.terms[0], ch.terms[1])
                elif len(ch.rels) == 1 and ch.rels[0] == "=" and _tuples(ch.terms, f"given[{k}]"):
                    out += [_given_difference(it.expr(a), it.expr(b), f"given[{k}]")     # (a, b) = (1, 2)
                            for a, b in zip(ch.terms[0].items, ch.terms[1].items)]
                elif len(ch.rels) == 1 and ch.rels[0] == "=":
                    it.declares_list(ch.terms[0], ch.terms[1])
                    lhs = it.expr(ch.terms[0])
                    if isinstance(ch.terms[1], ir.Tuple) and ch.terms[1].bracket == "(" and is_array(lhs):
                        rhs = it.column(ch.terms[1])       # x = (1, 2, 3) for a vector x: its entries
                    else:
                        rhs = it.expr(ch.terms[1])
                    out.append(_given_difference(lhs, rhs, f"given[{k}]"))
                else:
                    reps.update(_conditions([ch], it, defs))
        except Unsupported as exc:
            raise ClaimError(f"this given fact cannot be used yet: {exc.message}", f"given[{k}]", exc.pos)
        except LatexError as exc:
            raise ClaimError(exc.message, f"given[{k}]", exc.pos)
    return out, reps


def _tuples(terms, field) -> bool:
    """Every side a tuple ``(a, b)`` of one length (read component by component); lengths that differ
    are an error naming them."""
    if not all(isinstance(t, ir.Tuple) and t.bracket == "(" for t in terms):
        return False
    lengths = [len(t.items) for t in terms]
    if len(set(lengths)) != 1:
        raise ClaimError(f"tuples of different lengths ({', '.join(map(str, lengths))} values) are compared",
                         field, terms[0].span[0])
    return True


def _given_difference(a, b, field):
    """``a - b`` of a given equation; ``v = 0`` with v an array is the zero array (the only scalar an array
    is equated with in sources), any other scalar beside an array is an error."""
    if is_array(a) != is_array(b) and not (is_array(a) and tuple(a.shape) == (1, 1)):
        if b == 0 or a == 0:
            return a if b == 0 else -b
        raise ClaimError("the sides of a given fact have different shapes", field, 0)
    if is_array(a) and is_array(b) and any(sp.simplify(p - q) != 0 for p, q in zip(a.shape, b.shape)):
        raise ClaimError(f"the sides of a given fact have different shapes ({a.shape[0]} x {a.shape[1]} and "
                         f"{b.shape[0]} x {b.shape[1]})", field, 0)
    return a - b


def _printed(chain) -> str:
    words = {"~": r"\approx", "<=": r"\le", ">=": r"\ge", "<-": r"\leftarrow", "in": r"\in", "!=": r"\ne"}
    parts = []
    for c in chain:
        if isinstance(c, str):
            parts.append(words.get(c, c))
        elif isinstance(c, Printed):
            parts.append(c.text)
        elif isinstance(c, sp.Basic):
            parts.append(L(c))
        else:
            parts.append(r"\mathbb{R}^{%s}" % r" \times ".join(map(L, c)))
    return " ".join(parts)


def _conditions(conds, it, defs):
    r"""``\text{for } I = 227``: set the input; ``x > 0`` (or ``x < c``): restrict it, exactly."""
    reps = {}
    for cond in conds:
        for k, rel in enumerate(cond.rels):
            a, b = cond.terms[k], cond.terms[k + 1]
            if rel == "=" and it.is_new(a) or (rel == "=" and isinstance(a, (ir.Atom, ir.Sub))
                                                and _is_number(b)):
                target = it.expr(a)
                value = it.expr(b)
                if isinstance(target, sp.Symbol) and target not in defs:
                    reps[target] = value
                    continue
                _one_definition(a, b, it, defs, 0, _NoClaim, "latex")
                continue
            if rel == "!=" and _distinct_indices(a, b, it):
                continue
            if rel in ("<", ">", "<=", ">=", "!=") and isinstance(a, (ir.Atom, ir.Sub)) and _is_number(b):
                x, c = it.expr(a), it.expr(b)
                if not isinstance(x, sp.Symbol):
                    raise Unsupported("a condition on something that is not a symbol", a.span[0])
                if x in defs:
                    # z > 0 with z = wx + b: replacing z by a positive input would cut its dependence on w
                    raise Unsupported(f"a condition on ${L(x)}$, which is defined in terms of other inputs, is not "
                                      "used yet", a.span[0])
                if rel == "!=":
                    if c != 0:
                        raise Unsupported("a condition x != c with c not 0", a.span[0])
                    reps[x] = sp.Symbol(x.name, real=True, nonzero=True)
                    continue
                strict = rel in ("<", ">")
                if x.is_integer:
                    p = sp.Symbol(f"{x.name}_c", integer=True, nonnegative=True)
                    offset = (1 if strict else 0)
                    reps[x] = c + offset + p if rel in (">", ">=") else c - offset - p
                    if rel in (">", ">="):
                        it.scope.raised[p] = x      # p grows with x (an asymptotic count may be read through it)
                else:
                    p = sp.Symbol(f"{x.name}_c", positive=True) if strict else sp.Symbol(f"{x.name}_c",
                                                                                          nonnegative=True)
                    reps[x] = c + p if rel in (">", ">=") else c - p
                it.scope.note(f"the condition ${L(x)} {_REL_LATEX[rel]} {L(c)}$ is applied exactly")
                continue
            if rel in ("<", ">", "<=", ">=") and _input_bound(a, b, rel, it, defs, reps):
                continue
            rule = _sign_rule(rel, a, b, it)
            if rule is not None:
                reps[rule] = rule
                continue
            raise Unsupported(f"the condition ${canon(cond)}$ is not read yet", cond.span[0])
    return reps


def _distinct_indices(a, b, it) -> bool:
    r"""``j \ne y_i`` between two indices of one range (a free index and the label a sum leaves out): every
    reading honours it, so it is recorded, not substituted: the explicit sizes skip the index values where
    they meet, and a Kronecker delta of the two is 0 there and in index notation
    (:func:`.equation.distinct_deltas`); the re-check draws them apart.  Anything else is not this."""
    if not (isinstance(a, (ir.Atom, ir.Sub)) and isinstance(b, (ir.Atom, ir.Sub))):
        return False
    x, y = it.expr(a), it.expr(b)
    decls = [next((d for d in it.scope.symbols.values() if d.obj == s and d.kind == "index"), None) for s in (x, y)]
    if any(d is None for d in decls) or x == y:
        return False
    if sp.simplify(decls[0].dims[0] - decls[1].dims[0]) != 0:
        raise Unsupported(f"the condition ${L(x)} \\ne {L(y)}$ between indices of different ranges is not read",
                          a.span[0])
    it.scope.distinct.append((x, y))
    it.scope.note(f"the given ${L(x)} \\ne {L(y)}$: every index value where they meet is left out")
    return True


def _cases_in_words(conds, claim, it):
    """A condition written only in words (``\\text{for the nonzero activation cases}``) is not read: it holds
    the claim to a case only the claim's given facts can state.  With a given inequality it is taken as what
    the givens state (noted); without, the claim is not judged (the verdict would ignore the case)."""
    for cond in conds:
        words = [t for t in cond.terms if isinstance(t, ir.Name)]
        if cond.rels or not words:
            continue
        text = " ".join(w.name for w in words)
        stated = any(rel in ("<", ">", "<=", ">=", "!=") for given in claim.given for st in it.statements(given)
                     for ch in list(st.chains) + list(st.conditions) for rel in ch.rels)
        if not stated:
            raise Unsupported(f"the condition in words '{text}' is not read: state it as a given fact (an "
                              "inequality)", 0)
        it.scope.note(f"the condition in words '{text}' is read as the claim's given inequalities state it")


#: an input's declared domain -> the domains of a lower bound that keep ``bound + p`` (p >= 0) inside it (each
#: unbounded above: :mod:`.uptoconstant` moves the bound up with the larger input held)
_BOUND_DOMAINS = {"real": {"real", "positive", "nonnegative"},
                  "positive": {"positive"}, "nonnegative": {"positive", "nonnegative"}}


def _input_bound(a, b, rel, it, defs, reps) -> bool:
    r"""``\operatorname{var} \ge \operatorname{eps}`` between two inputs: the larger becomes the smaller plus a
    new nonnegative input (positive for a strict bound), exactly the pairs the condition allows when the larger
    one's declared domain holds every such sum (a positive var above a real eps would not).  False when the
    condition is not of this form; an error when it is but cannot be applied exactly."""
    if not (isinstance(a, (ir.Atom, ir.Sub, ir.Name)) and isinstance(b, (ir.Atom, ir.Sub, ir.Name))):
        return False
    x, y = it.expr(a), it.expr(b)
    if not (isinstance(x, sp.Symbol) and isinstance(y, sp.Symbol)) or x == y:
        return False
    big, small = (x, y) if rel in (">", ">=") else (y, x)
    decls = {d.obj: d for d in it.scope.symbols.values() if d.kind == "scalar"}
    if big not in decls or small not in decls or big in defs or big in reps or small in reps:
        raise Unsupported(f"the condition ${L(x)} {_REL_LATEX[rel]} {L(y)}$ between inputs needs both declared "
                          "scalars, neither defined nor already set", a.span[0])
    big_dom, small_dom = decls[big].domain, decls[small].domain
    if small_dom not in _BOUND_DOMAINS.get(big_dom, ()):
        raise Unsupported(f"the condition ${L(x)} {_REL_LATEX[rel]} {L(y)}$ is not applied: ${L(big)}$ is declared "
                          f"{big_dom}, ${L(small)}$ {small_dom}", a.span[0])
    strict = rel in ("<", ">")
    p = sp.Symbol(f"{big.name}_c", positive=True) if strict else sp.Symbol(f"{big.name}_c", nonnegative=True)
    reps[big] = small + p
    it.scope.bounds[p] = (big, small)
    it.scope.note(f"the condition ${L(x)} {_REL_LATEX[rel]} {L(y)}$ is applied exactly: ${L(big)} = {L(small)} + "
                  f"{L(p)}$, ${L(p)} {_REL_LATEX['>' if strict else '>=']} 0$")
    return True


def _sign_rule(rel, a, b, it):
    """``u > 0`` for an expression u (not one input): a :class:`.signs.SignRule`, or None."""
    if rel not in ("<", ">", "<=", ">=") or not _is_number(b) or it.expr(b) != 0:
        return None
    u = it.expr(a)
    if is_array(u) or not isinstance(u, sp.Basic) or not u.free_symbols:
        return None
    indices = [d.obj for d in it.scope.symbols.values() if d.kind == "index" and d.obj in u.free_symbols]
    if len(indices) > 1:
        return None
    rule = SignRule(u, rel in (">", ">="), rel in (">", "<"), indices, f"{L(u)} {_REL_LATEX[rel]} 0")
    rule.announced = (f"the condition ${L(u)} {_REL_LATEX[rel]} 0$" + (f" (for every ${L(indices[0])}$)" if indices
                                                                      else "")
                      + r" selects the branch of each $\max(0, \cdot)$ of that argument")
    it.scope.note(rule.announced)
    return rule


_REL_LATEX = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne"}


class _NoClaim:
    own_definitions = 10 ** 6


def _read(claim, conventions, statement_index, prod_choice=None, sizes=None):
    """Scope and relations of one reading; the leading new names of chains become definitions (not in update
    rules, whose names are the optimizer's quantities).  ``prod_choice``: which product each d2l prod(A, B)
    takes, by its position (:mod:`.prod`; the first by default); ``sizes``: fresh sizes tied by earlier reads."""
    scope, it, defs = prepare(claim, conventions, updates=bool(claim.algorithm or theorem_algorithm(claim.theorem)),
                              sizes=sizes)
    it.prod_choice = dict(prod_choice or {})
    defining = not (claim.algorithm or theorem_algorithm(claim.theorem))
    given, given_reps = _given(claim, it, defs)
    statements = it.statements(claim.formula, logic=True)
    st = statements[statement_index]
    if claim.summation == "einstein":
        st = einstein_sums(st, {k for k, d in scope.symbols.items() if d.kind == "index"})
    links, printed, parts = [], [], []
    chains, labels = list(st.chains), {}
    if st.logic:
        if not defining or it.symbolic_terms:
            raise Unsupported("'and hence' or 'or equivalently' in an update rule or a statement for all t is "
                              "not read yet", st.span[0])
        if any("->" in ch.rels for ch in st.chains):
            raise Unsupported("an arrow in a statement with 'and hence' or 'or equivalently' is not read yet",
                              st.span[0])
        chains, part_of, premises, equivalences = logic.split(st, it)
        if equivalences and st.conditions:
            raise Unsupported("an equivalence with conditions after it is not read yet", st.span[0])
        premise_facts = [_given_difference(it.expr(p.terms[0]), it.expr(p.terms[1]), "latex") for p in premises]
        labels = {id(ch): (part, premise_facts if part == logic.UNDER else []) for ch, part in zip(chains, part_of)}
        for a, b in equivalences:
            ra, rb = logic.relations_of(it.chain(a)), logic.relations_of(it.chain(b))
            links.append((ra, "<=>", rb))
            parts.append(None)
            printed.append(canon(a) + r" \iff " + canon(b))
        for p in premises:
            printed.append(canon(p) + r" \quad (\text{premise})")
    shapes = [ch for ch in chains if tuple(ch.rels) == ("in",) and it.declares_shape(*ch.terms)]
    conditions = list(st.conditions)
    for cond in list(conditions):
        # \hat{y} = softmax(o) \quad where \quad \hat{y}_i = ...: the entries a condition defines, read before
        # the claim that uses the vector (else its name would be taken for a scalar first)
        if tuple(cond.rels) == ("=",) and isinstance(cond.terms[0], ir.Sub) and it.is_new(cond.terms[0]) and \
                not _is_number(cond.terms[1]) and _entrywise_target(cond.terms[0], it) is not None:
            _one_definition(cond.terms[0], cond.terms[1], it, defs, 0, _NoClaim, "latex")
            printed.append(canon(cond) + r" \quad (\text{definition})")
            conditions.remove(cond)
    for chain in _split_arrows(chains, it, defs):
        if chain in it.recurrence_chains:       # v_t = \beta v_{t-1} + ..., v_0 = 0: read term by term
            printed.append(canon(chain) + r" \quad (\text{recurrence})")
            continue
        if chain in shapes:        # x \in \mathbb{R}^n for an undeclared x: a declaration, not a claim
            printed.append(_printed([it.expr(chain.terms[0]), "in", it.space(chain.terms[1])])
                           + r" \quad (\text{declaration})")
            continue
        terms, rels = list(chain.terms), list(chain.rels)
        # a statement drawn from another defines nothing: in 'x^2 = 4 and hence x = 2' the x is an input
        defining = not (claim.algorithm or theorem_algorithm(claim.theorem)) and \
            labels.get(id(chain), ("",))[0] != logic.UNDER
        if defining and rels == ["<-"] and _recurrence_lhs(terms[0], it):
            rels = ["="]       # s_t <- F against the recurrence the definitions give for s_t: the same update
        if not rels:
            raise ClaimError("a claim must be a relation (=, \\approx, \\le, \\in, \\leftarrow, ...)", "latex",
                             chain.span[0])
        while defining and len(terms) > 2 and rels[0] in ("=", ":=") and it.is_new(terms[0]):
            _one_definition(terms[0], terms[1], it, defs, 0, _NoClaim, "latex")
            printed.append(_printed([it.expr(terms[0]), "=", it.expr(terms[1])]) + r" \quad (\text{definition})")
            terms, rels = terms[1:], rels[1:]
        named = _naming(terms, rels, it) if defining else None
        if named is not None:
            # ... = M u = R(beta, eta) u: the last member names the matrix M; that link holds by the naming
            _one_definition(named[0], named[1], it, defs, 0, _NoClaim, "latex")
            printed.append(_printed([it.expr(named[0]), "=", it.expr(named[1])]) + r" \quad (\text{naming})")
            terms, rels = terms[:-1], rels[:-1]
        if defining and len(terms) == 2 and rels[0] in ("=", ":=") and it.is_new(terms[0]) and len(st.chains) > 1:
            _one_definition(terms[0], terms[1], it, defs, 0, _NoClaim, "latex")
            continue
        if rels[0] == ":=":
            _one_definition(terms[0], terms[1], it, defs, 0, _NoClaim, "latex")
            continue
        if _tuples(terms, "latex"):
            # (a, b) \approx (-0.20, 0.39): one relation per component
            for k in range(len(terms[0].items)):
                comp = it.chain(ir.Chain(tuple(t.items[k] for t in terms), tuple(rels), span=chain.span))
                printed.append(_printed(comp))
                links += [(comp[j], comp[j + 1], comp[j + 2]) for j in range(0, len(comp) - 2, 2)]
                parts += [labels.get(id(chain))] * (len(links) - len(parts))
            continue
        if not defining and algorithm_of(claim) and len(rels) == 1 and rels[0] in ("<-", "=") and \
                primed_name(terms[0], it):
            # g_t' = ... in an algorithm: the line names a quantity g-prime (updates.NewName judges it)
            declare_primed(terms[0], it, "the update line")
        values = it.chain(ir.Chain(tuple(terms), tuple(rels), span=chain.span))
        printed.append(_printed(values))
        links += [(values[k], values[k + 1], values[k + 2]) for k in range(0, len(values) - 2, 2)]
        parts += [labels.get(id(chain))] * (len(links) - len(parts))
    _cases_in_words(st.conditions, claim, it)
    n = len(links)
    links, temps, origins = definition_lines(it, defs, links)
    parts = [None] * (len(links) - n) + parts
    printed[:0] = [f"{L(lhs)} \\leftarrow {L(value)} \\quad (\\text{{{field}}})"
                   for field, (lhs, _, value) in zip(origins, links) if field is not None]
    reps = {**given_reps, **_conditions(conditions, it, defs)}
    chained = [k for k, v in reps.items() if isinstance(v, sp.Basic) and v.free_symbols & set(reps)]
    if chained:
        # x >= y then y > 0: x = y + p is substituted at once with y = q, and would lose the tie to y
        raise Unsupported(f"conditions on ${L(chained[0])}$ and on an input of its bound at once are not applied "
                          "yet", None)
    if reps:
        links = [(_sub(a, reps, defs), rel, _sub(b, reps, defs)) for a, rel, b in links]
        parts = [p and (p[0], [_sub(g, reps, defs) for g in p[1]]) for p in parts]
        defs = {k: _sub(v, reps, defs) for k, v in defs.items()}
        given = [_sub(g, reps, defs) for g in given]
        plain = not (claim.algorithm or claim.theorem or it.symbolic_terms or st.logic)
        _apply_sign_rules(reps, it, links, defs, identities=plain and all(rel == "=" for _a, rel, _b in links))
    out = _Reading(scope, it, defs, given, links, r" \quad ".join(printed), st, parts)
    out.temps, out.origins = frozenset(temps), tuple(origins)
    return out, len(statements)


def _naming(terms, rels, it):
    r"""``A = M u = R(\beta, \eta) u``: ``(R(\beta, \eta), M)`` where the chain's last member is the one before it
    with its leading factors M replaced by a new function R applied (written nowhere else in the chain), the
    other factors the same as written: the source names M.  None for any other chain (its last link is then
    judged as written)."""
    if len(terms) < 3 or rels[-1] != "=":
        return None
    last, prev = terms[-1], terms[-2]
    if not (isinstance(last, ir.Product) and isinstance(prev, ir.Product) and len(last.factors) >= 2):
        return None
    call, rest = last.factors[0], last.factors[1:]
    if not isinstance(call, ir.Call) or not it.is_new(call) or len(prev.factors) <= len(rest) or \
            canon(call.head) in _GENERIC_LETTERS:      # f(a) u: an arbitrary function's value, not a name
        return None
    if [canon(f) for f in prev.factors[-len(rest):]] != [canon(f) for f in rest]:
        return None
    head = canon(call.head)
    others = [n for t in terms[:-1] for n in ir.walk(t)] + [n for f in rest for n in ir.walk(f)]
    if any(isinstance(n, ir.Call) and canon(n.head) == head or canon(n) == head for n in others):
        return None
    lead = prev.factors[:-len(rest)]
    return call, (lead[0] if len(lead) == 1 else ir.Product(tuple(lead), span=prev.span))


def _recurrence_lhs(node, it) -> bool:
    """``node`` is the left side of a recurrence the definitions state (``s_t`` of ``s_t <- F(s_{t-1})``)."""
    return any(node == rec.chain.terms[0] for rec in it.recurrences.values())


def _split_arrows(chains, it, defs):
    r"""``f(x) = 1/x \rightarrow \frac{df}{dx} = -1/x^2``: what stands before the arrow defines a new name, and
    the statement after it is the claim.  An arrow after a relation (an implication) is not split."""
    out = []
    for ch in chains:
        rels, terms = list(ch.rels), list(ch.terms)
        if "->" not in rels:
            out.append(ch)
            continue
        start = 0
        for k, rel in enumerate(rels + ["end"]):
            if rel not in ("->", "end"):
                continue
            part = ir.Chain(tuple(terms[start:k + 1]), tuple(rels[start:k]), span=ch.span)
            if rel == "->" and not (len(part.terms) == 2 and part.rels == ("=",) and it.is_new(part.terms[0])):
                raise Unsupported("an arrow after a statement that defines nothing (an implication) is not "
                                  "judged yet", ch.span[0])
            if rel == "->":
                _one_definition(part.terms[0], part.terms[1], it, defs, 0, _NoClaim, "latex")
            else:
                out.append(part)
            start = k + 1
    return out


def _derivatives_first(e, fixed, defs):
    """``e`` with each derivative that involves a symbol of ``fixed`` carried out."""
    if isinstance(e, sp.Derivative) and ({v for v, _ in e.variable_count} | e.free_symbols) & fixed \
            or isinstance(e, sp.Subs) and e.free_symbols & fixed:
        return evaluate(e, defs)      # (\partial L/\partial w: SymPy's free symbols leave w out while L is opaque)
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    args = [_derivatives_first(a, fixed, defs) for a in e.args]
    return e.func(*args) if any(a is not b for a, b in zip(args, e.args)) else e


def _described(r) -> set:
    """The probabilities told in words (:meth:`.interpret.Interpreter._described_event`) and every name whose
    definition reaches one."""
    out = set(r.scope.described)
    while out:
        more = {k for k, v in r.defs.items() if isinstance(v, sp.Basic) and v.free_symbols & out} - out
        if not more:
            break
        out |= more
    return out


def _sub(e, reps, defs=None):
    if isinstance(e, Printed) or not isinstance(e, sp.Basic):
        return e
    plain = {k: v for k, v in reps.items() if not isinstance(k, SignRule)}
    if plain and e.has(sp.Derivative, sp.Subs):
        # \frac{d}{dx} x^2 \text{ for } x = 3, or a given w = 0.5 under \partial L/\partial w: the derivative is
        # carried out (through the definitions as written) before the value is put in, never after
        if defs is None and e.has(sp.Derivative):
            raise ClaimError("a derivative by a variable that a stated value fixes, where its definitions are not "
                             "at hand", "latex", None)
        e = _derivatives_first(e, set(plain), defs or {})
        if e.has(sp.Derivative) and any(v in plain for d in e.atoms(sp.Derivative) for v, _ in d.variable_count):
            raise ClaimError("a derivative by a variable that a stated value fixes could not be carried out "
                             "first", "latex", None)
    for k, v in plain.items():
        outside_domain(k, v)
    e = e.xreplace(plain) if plain else e
    for rule in reps:
        if isinstance(rule, SignRule):
            e = rule(e)
    return e


def _apply_sign_rules(reps, it, links, defs, identities=False):
    """Sign rules reach the bodies of the claim's functions too; each must replace something and leave no
    kink of its argument's inputs behind (else the verdict would not use the stated condition).

    In identities only (every link ``=``), a condition that selects no branch may stand as a domain fact
    (``f''(x) > 0`` beside a division by it): an identity proved for every input holds where the condition
    does, and a counterexample is re-checked against every given sign (:func:`.recheck.recheck_differs`)."""
    rules = [r for r in reps if isinstance(r, SignRule)]
    if not rules:
        return
    it.sign_rules = rules
    only = {r: reps[r] for r in rules}      # a stated value of x is no value of a function's parameter x
    for key, (params, body, sub) in list(it.user_functions.items()):
        it.user_functions[key] = (params, _sub(body, only), sub)
    for key, (vec, idx, body) in list(it.entry_functions.items()):
        it.entry_functions[key] = (vec, idx, _sub(body, only))
    values = [x for a, _rel, b in links for x in (a, b)] + list(defs.values()) + \
        [body for _p, body, _s in it.user_functions.values()] + [b for _v, _i, b in it.entry_functions.values()]
    for rule in rules:
        if not rule.fired and identities:
            it.scope.notes[:] = [n for n in it.scope.notes if n != getattr(rule, "announced", None)]
            it.scope.note(f"the condition ${rule.text}$ selects no branch: it only restricts the inputs (a "
                          "counterexample must satisfy it)")
            continue
        if not rule.fired:
            raise Unsupported(f"the condition ${rule.text}$ selects no branch of a max(0, .) of that argument: "
                              "it is not used yet", 0)
        if any(rule.leftover(v) for v in values if isinstance(v, sp.Basic)):
            raise Unsupported(f"the condition ${rule.text}$ leaves a max, |.| or step of its inputs that it does "
                              "not decide: not used yet", 0)


# --------------------------------------------------------------------------- re-check
def _recheck(out: Outcome, lhs, rel, rhs, r: _Reading, claim) -> Outcome:
    """The independent evaluation of a proved or refuted relation: confirm it, or say why not."""
    if out.verdict not in ("proved", "refuted") or not isinstance(lhs, sp.Basic):
        return out
    seed = zlib.crc32(("recheck:" + claim.id).encode())
    try:
        form = _order_form(lhs, rhs) if rel == "=" else None
        if form is not None:
            value, order = form
            eps = order.variables[0]
            k = order.expr.as_coeff_exponent(eps)[1]
            out.recheck = recheck_order(value, eps, k, r.defs, r.scope, seed, out.verdict == "proved")
        elif rel == "~" and isinstance(rhs, sp.Basic) and not isinstance(rhs, Printed):
            eps = next((d.obj for d in r.scope.symbols.values() if d.domain == "small"), None)
            if eps is None and out.recheck is None:
                raise NotEvaluable("no small parameter")
            if eps is not None:
                out.recheck = recheck_order(lhs - rhs, eps, sp.Rational(1, 2), r.defs, r.scope, seed,
                                            out.verdict == "proved")
        elif rel == "=" and any(isinstance(v, sp.Basic) and v.has(CONSTANT) for v in (lhs, rhs)):
            if out.recheck is None:       # up to a constant: its judge evaluates the difference independently
                raise NotEvaluable("the constant was not evaluated independently")
        elif rel == "=" and isinstance(rhs, sp.Basic):
            if out.verdict == "proved":
                n = recheck_equal(lhs, rhs, r.defs, r.given, r.scope, seed, claim.sizes)
                out.recheck = f"confirmed numerically at {n} independent points (numeric derivatives, 50 digits)"
            elif out.point is not None:
                recheck_differs(lhs, rhs, r.defs, r.given, r.scope, out.point, out.entry,
                                [rule.sign for rule in getattr(r.it, "sign_rules", ())])
                out.recheck = "the counterexample re-evaluated independently: the sides differ"
            elif out.counterexample and "shapes" in (out.counterexample or {}):
                out.recheck = "the declared shapes differ"
            else:
                raise NotEvaluable("no counterexample point to re-evaluate")
        elif rel in ("<=", "<", ">=", ">") and isinstance(rhs, sp.Basic):
            point = None
            if out.verdict == "refuted":
                point = {sp.Symbol(k, **_assumptions_of(k, r.scope)): sp.Rational(v)
                         for k, v in (out.counterexample or {}).items() if k != "gap" and v not in ("None",)}
                if not point and set(out.counterexample or {}) != {"gap"}:
                    raise NotEvaluable("no point to re-evaluate")   # a gap alone: constant sides, the empty point
            n = recheck_bound(lhs, rel, rhs, r.defs, r.scope, seed, point)
            out.recheck = f"confirmed numerically at {n} independent point(s)"
        elif rel == "in":
            out.recheck = "the shape computed from the declared sizes"
        elif rel == "~":
            if out.recheck is None:
                raise NotEvaluable("the value could not be evaluated independently")
        else:
            raise NotEvaluable(f"no independent check for the relation {rel}")
    except Inconsistent as exc:
        return Outcome("error", f"internal inconsistency: the proof path says {out.verdict} ({out.reason}), "
                       f"but {exc}", steps=out.steps, evidence={"proof_path": out.verdict})
    except NotEvaluable as exc:
        return Outcome("undecided", f"{out.verdict} by the proof path, but the independent re-check could not "
                       f"evaluate it ({exc}); no verdict without it", steps=out.steps,
                       evidence={"proof_path": out.verdict, "recheck": str(exc)})
    return out


def _assumptions_of(name, scope):
    for d in scope.symbols.values():
        if getattr(d.obj, "name", None) == name:
            return d.obj.assumptions0
    return {"real": True}


# --------------------------------------------------------------------------- one judgement
def _cross_read(claim, r: _Reading):
    """latex2sympy2's reading of the claim, where it reads it alone: it must agree with ours."""
    if claim.notation != "latex" or r.statement is None or len(r.links) != 1:
        return None
    if not readable(r.statement, r.scope.symbols, claim.formula):
        return None
    lhs, rel, rhs = r.links[0]
    if rel != "=" or not isinstance(lhs, sp.Basic) or not isinstance(rhs, sp.Basic):
        return None
    try:
        note = compare(claim.formula, lhs - rhs, zlib.crc32(("crossread:" + claim.id).encode()))
    except Disagreement as exc:
        return Outcome("error", f"the two readers disagree: {exc}; no verdict until the notation is unambiguous")
    r.scope.note(f"second reader: {note}")
    return None


def _unnamed_outside(r: _Reading, lhs, rhs) -> bool:
    """A variable declared ``scalar random`` left in a side, a given or a definition the sides use, outside
    every moment: read as a real number it would make ``X = E[X]`` false though it holds when Var[X] = 0."""
    unnamed = set(r.scope.unnamed_random()[0])
    if not unnamed:
        return False
    for v in (lhs, rhs, *r.given):
        if not isinstance(v, sp.Basic):
            continue
        try:
            seen = v.free_symbols | evaluate(v, r.defs).free_symbols
        except Exception:           # noqa: BLE001 - what cannot be expanded is not read
            return True
        if seen & unnamed:
            return True
    return False


def _judge_reading(claim, r: _Reading) -> Outcome:
    if r.it.symbolic_terms:        # v_t = C(t) for every t, v a recurrence with its start
        return judge_induction(r.links, r.it)
    crossed = _cross_read(claim, r)
    if crossed is not None:
        return crossed
    outcomes = []
    if not r.links and not claim.theorem:
        return Outcome("undecided", "the formula only defines its names (nothing is left to check)")
    flagged = _by_flag(claim, r)
    if flagged is not None:
        return flagged
    base = r
    if r.temps and algorithm_of(claim):
        # a temporary holds a value at its place in the run only: the lines are judged as one algorithm
        whole = _as_algorithm(claim, r)
        if whole.verdict in ("proved", "convention", "refuted", "error"):
            return whole
        return Outcome("undecided", f"the definitions name a value at one place of the step, so the lines are "
                       f"judged as one algorithm only: {whole.reason}", steps=whole.steps)
    for (lhs, rel, rhs), part in zip(base.links, base.parts):
        r = _under(base, part) if part else base
        if any(isinstance(v, sp.Basic) and v.free_symbols & _described(r) for v in (lhs, rhs)):
            outcomes.append(Outcome("undecided", "a probability of an event told in words: its value is not "
                                    "known here"))
            continue
        if rel == "<=>":
            outcomes.append(logic.judge_equivalence(lhs, rhs, r.defs, r.scope))
            continue
        if isinstance(rhs, Printed) and rel != "~":
            rhs = rhs.value
        if isinstance(lhs, Printed):
            lhs = lhs.value
        algorithm = claim.algorithm or theorem_algorithm(claim.theorem)
        if algorithm and rel in ("<-", "="):
            others = [k for k, rl, _ in base.links if rl in ("<-", "=") and k is not lhs]
            lhs, rhs = _update_givens(lhs, rhs, r)
            try:
                out = judge_update(lhs, rel, rhs, claim, r.scope, r.defs, r.it, algorithm, others)
            except NewName:         # the line names a quantity (g_t' = ...): is it one the algorithm computes?
                out = judge_named_quantity(lhs, rhs, claim, r.scope, r.defs, r.it, algorithm, others)
            outcomes.append(_recheck_update(out))
            continue
        if rel == "=" and is_argext_pair(lhs, rhs):
            outcomes.append(_recheck(judge_argext(lhs, rhs, claim, r.scope, r.defs), lhs, rel, rhs, r, claim))
            continue
        judge = JUDGES.get(rel)
        if judge is None:
            if rel == "<-":
                raise ClaimError("an update rule needs 'algorithm' (and its roles) to be judged", "algorithm", None)
            outcomes.append(Outcome("undecided", f"the relation {rel!r} is not judged yet"))
            continue
        if any(isinstance(v, sp.Basic) and v.atoms(RandomSymbol) for v in (lhs, rhs)):
            outcomes.append(Outcome("undecided", "a random variable outside E[...] or Var(...): a statement about "
                                    "its distribution is not judged yet"))
            continue
        if _unnamed_outside(r, lhs, rhs):
            outcomes.append(Outcome("undecided", "a random variable declared without a law outside E[...] or "
                                    "Var(...): a statement about its values is not judged yet"))
            continue
        if rel != "=" and r.given:
            lhs, rhs, r = _given_substituted(lhs, rhs, r)
        try:
            out, lhs2, rhs2 = judge(lhs, rhs, claim, r)
        except NotImplementedError as exc:      # SymPy says it cannot decide: that is no verdict, not a crash
            outcomes.append(Outcome("undecided", f"SymPy cannot decide this yet ({exc})"))
            continue
        except TypeError as exc:
            if not any(isinstance(v, sp.Basic) and v.has(sp.Limit) for v in (lhs, rhs)):
                raise
            # SymPy's limit compares with an undefined value on the way (zoo) for kinked functions
            outcomes.append(Outcome("undecided", f"SymPy's limit could not evaluate this ({exc})"))
            continue
        except ValueError as exc:
            if "limit does not exist" not in str(exc) or \
                    not any(isinstance(v, sp.Basic) and v.has(sp.Limit) for v in (lhs, rhs)):
                raise
            # the one-sided limits differ: false as written, but the re-check settles no two-sided limit
            outcomes.append(Outcome("undecided", f"{str(exc).rstrip('.')}: the claim is false as written, but "
                                    "the independent re-check cannot confirm a limit that does not exist, so no "
                                    "verdict"))
            continue
        out = _recheck(out, lhs2, rel, rhs2, r, claim)
        if part and out.verdict == "refuted":
            out.reason = f"{part[0]} is refuted: {out.reason}"
        outcomes.append(out)
    r = base
    updates = [o for (lhs, rel, rhs), o in zip(r.links, outcomes) if algorithm_of(claim) and rel in ("<-", "=")]
    if len(updates) > 1 and any(o.verdict == "refuted" for o in updates):
        # several update lines are an algorithm: in other variables (a velocity scaled by the learning rate) its
        # lines differ from the reference's one by one and still give the same iterates
        refuted = next(o for o in updates if o.verdict == "refuted")
        alone = _refuted_alone(claim, r, outcomes)
        if alone is not None:
            return alone
        whole = _as_algorithm(claim, r)
        if whole.verdict in ("proved", "convention"):
            whole.reason += "; its lines differ from the reference's one by one (other variables)"
        if whole.verdict in ("proved", "convention", "refuted", "error"):
            return whole
        return Outcome("undecided", f"a line differs from the reference ({refuted.reason}), but several lines may be "
                       f"the same algorithm in other variables; as a whole algorithm: {whole.reason}",
                       steps=refuted.steps + whole.steps)
    if claim.theorem:
        outcomes.append(judge_theorem(claim))
    return combine(outcomes)


def _by_flag(claim, r: _Reading):
    """An update rule with cases chosen by an optimizer's keyword (optax's ``nesterov = True``): the claim
    once per setting written, each against the optimizer that setting selects; all must hold."""
    flags = {f for _, _, rhs in r.links if isinstance(rhs, sp.Basic) for f in rhs.atoms(Flag)} | \
        {f for lhs, _, _ in r.links if isinstance(lhs, sp.Basic) for f in lhs.atoms(Flag)}
    if not flags:
        return None
    algorithm = algorithm_of(claim)
    keyword = next(iter(flags)).keyword
    forms = FLAG_FORMS.get(algorithm, {}).get(keyword)
    if forms is None or len({f.keyword for f in flags}) != 1:
        raise ClaimError(f"cases chosen by the keyword {keyword!r}: {algorithm or 'this algorithm'} has no such "
                         "option (known: " + ", ".join(f"{a}: {', '.join(k)}" for a, k in FLAG_FORMS.items()) + ")",
                         "latex", None)
    outcomes = []
    for setting in sorted({f.setting for f in flags}):
        choose = {f: sp.true if f.setting == setting else sp.false for f in flags}
        links = [(lhs.xreplace(choose) if isinstance(lhs, sp.Basic) else lhs, rel,
                  rhs.xreplace(choose) if isinstance(rhs, sp.Basic) else rhs) for lhs, rel, rhs in r.links]
        if any(isinstance(x, sp.Basic) and (x.has(sp.Piecewise) and x.atoms(Flag) or x.has(sp.nan))
               for lhs, _, rhs in links for x in (lhs, rhs)):
            raise ClaimError("a case chosen by a keyword is left without a value", "latex", None)
        sub = _Reading(r.scope, r.it, r.defs, r.given, links, r.parsed, r.statement, r.parts)
        sub.temps, sub.origins = r.temps, r.origins
        out = _judge_reading(dataclasses.replace(claim, algorithm=forms[setting]), sub)
        out.reason = f"with {keyword} = {setting} ({forms[setting]}): {out.reason}"
        outcomes.append(out)
    return combine(outcomes)


def _refuted_alone(claim, r: _Reading, outcomes):
    """A refuted line that no change of variables can save: no line uses what it computes, and it uses
    nothing another line computes, so its quantities are the reference's own (by their roles) and it
    differs from the reference's line for them (d2l's two bias corrections, one of them wrong)."""
    try:
        lines = [canonical_update(lhs, rhs, claim, r.scope, r.defs, r.it, algorithm_of(claim),
                                  [k for k, _, _ in r.links if k is not lhs]) for lhs, rel, rhs in r.links]
    except ClaimError:
        return None
    defined = {line[2] for line in lines}
    for line, out in zip(lines, outcomes):
        if out.verdict != "refuted":
            continue
        used_elsewhere = any(line[2] in other[3].free_symbols for other in lines)
        if not used_elsewhere and not (line[3].free_symbols & defined):
            out.reason += "; the other lines neither use what this line computes nor change what it uses"
            return out
    return None


def _as_algorithm(claim, r: _Reading) -> Outcome:
    """The claim's update lines run as one algorithm against the reference's (:mod:`.trajectories`);
    the given facts must each state a state's start (``v_0 = 0``)."""
    lines, mapping, opt, tags = [], {}, None, []
    for lhs, rel, rhs in r.links:
        if rel not in ("<-", "="):
            return Outcome("undecided", "a relation other than an update among the lines")
        if lhs in r.temps:
            lines.append((lhs, evaluate(rhs, r.defs)))     # in the reference's symbols below
            continue
        others = [k for k, _, _ in r.links if k is not lhs]
        line = canonical_update(lhs, rhs, claim, r.scope, r.defs, r.it, algorithm_of(claim), others, r.temps)
        opt, role, new, value, m, _ = line
        if line.shifts.subs or line.shifts.extra:
            return Outcome("undecided", "a line uses a quantity at another step than the run gives it")
        mapping.update(m)
        lines.append((new, value))
        tags.append((role, line.shifts.tags))
    if r.temps:
        lines = [(new, value.xreplace(mapping)) if new in r.temps else (new, value) for new, value in lines]
        stray = set().union(*(v.free_symbols for n, v in lines if n in r.temps)) - set(SYM.values()) - r.temps
        if stray:
            return Outcome("undecided", "a definition the lines use names symbols without a role: "
                           + ", ".join(sorted(map(str, stray))))
    # a line's time indices must be the claim's own order: a role at the left side's step is the value an
    # earlier line computed, one step before the value no earlier line has replaced yet
    updated = {role for role, _ in tags}
    for k, (_, seen) in enumerate(tags):
        earlier = {role for role, _ in tags[:k]}
        for _, (role, reading) in seen.items():
            if role in updated and role != tags[k][0] and (reading == "new") != (role in earlier):
                return Outcome("undecided", "the lines' time indices do not follow their order: not run as written")
    start = {}
    by_base = {_START.sub("", k.name): v for k, v in mapping.items() if isinstance(k, sp.Symbol)}
    for g in r.given:
        eq = elementary(evaluate(g, r.defs).doit()) if isinstance(g, sp.Basic) else None
        syms = sorted(eq.free_symbols, key=str) if eq is not None else []
        if len(syms) != 1 or not _START.search(syms[0].name) or _START.sub("", syms[0].name) not in by_base \
                or sp.Poly(eq, syms[0]).degree() != 1:
            return Outcome("undecided", "a given fact that is not the start of a state (such as v_0 = 0)")
        (value,) = sp.solve(eq, syms[0])
        start[by_base[_START.sub("", syms[0].name)]] = value
    return judge_trajectory(lines, start, opt, claim.id, r.temps)


_START = re.compile(r"_(?:\{0\}|0)$")


def _update_givens(lhs, rhs, r: _Reading):
    """An update line with the given facts about its own symbols: each fixes one symbol to a value
    (optax's ``\bar{\varepsilon} = 0``), substituted; a given about other symbols (a state's start,
    ``m_0 = 0``) says nothing about one step and is left to the run of the lines."""
    seen = set()
    for side in (lhs, rhs):
        if isinstance(side, sp.Basic):
            seen |= side.free_symbols | evaluate(side, r.defs).free_symbols
    reps = {}
    for k, g in enumerate(r.given):
        if not isinstance(g, sp.Basic) or not g.free_symbols & seen:
            continue
        eq = elementary(evaluate(g, r.defs).doit()) if isinstance(g, sp.Expr) and not is_array(g) else None
        syms = sorted(eq.free_symbols, key=str) if eq is not None else []
        if len(syms) != 1 or not eq.is_polynomial(syms[0]) or sp.Poly(eq, syms[0]).degree() != 1:
            raise ClaimError(f"the given fact ${L(g)} = 0$ about the update's symbols could not be used (it must fix "
                             "one symbol to a value)", f"given[{k}]", None)
        (value,) = sp.solve(eq, syms[0])
        reps[syms[0]] = value
    if not reps:
        return lhs, rhs
    r.scope.note("given: " + ", ".join(f"${L(a)} = {L(b)}$" for a, b in reps.items()) + " in the update line")
    sub = lambda e: e.xreplace(reps) if isinstance(e, sp.Basic) else e
    return sub(lhs), sub(rhs)


def _under(r: _Reading, part) -> _Reading:
    """The reading a part of 'A and hence B' is judged in: B with A's premise as a given fact."""
    _, premises = part
    out = _Reading(r.scope, r.it, r.defs, list(r.given) + list(premises), r.links, r.parsed, r.statement, r.parts)
    out.temps, out.origins = r.temps, r.origins
    return out


def _given_substituted(lhs, rhs, r: _Reading):
    """For relations other than ``=`` (bounds, ``\\approx``, shapes): each given equation solved for one input
    and substituted into both sides and the definitions; one that cannot be solved uniquely is an error
    naming it (a bound that ignored ``scale = 1.05`` was refuted at ``scale = 1/2``)."""
    reps = {}
    for k, g in enumerate(r.given):
        if is_array(g):
            raise ClaimError("a given equation between vectors or matrices is used by equations only, not by "
                             "this relation yet", f"given[{k}]", None)
        eq = elementary(evaluate(g, r.defs).doit()).xreplace(reps)
        sol = None
        entries = [a for a in eq.atoms(MatrixElement) if a.i.is_Integer and a.j.is_Integer]
        for target in sorted(eq.free_symbols - {a.parent for a in entries}, key=str, reverse=True) + \
                sorted(entries, key=str):
            try:
                found = sp.solve(eq, target, dict=True)
            except (NotImplementedError, ValueError, TypeError):
                found = []
            if len(found) == 1 and target in found[0]:
                sol = (target, found[0][target])
                break
        if sol is None:
            raise ClaimError(f"the given fact ${L(g)} = 0$ could not be used (no input it fixes uniquely)",
                             f"given[{k}]", None)
        reps = {a: b.xreplace({sol[0]: sol[1]}) for a, b in reps.items()}
        reps[sol[0]] = sol[1]
    reps.update(_whole_arrays(reps))
    sub = lambda e: _sub(e, reps, r.defs)
    r2 = _Reading(r.scope, r.it, {k: sub(v) for k, v in r.defs.items()}, [], r.links, r.parsed, r.statement)
    return sub(lhs), sub(rhs), r2


def _whole_arrays(reps) -> dict:
    """An array every entry of which the given facts fix (``x_{11} = 1.2, ..., x_{23} = 1.1``): the explicit
    array, so that entries the claim indexes by letters (``x_{ij}`` in a sum) take the given values too."""
    parents = {a.parent for a in reps if isinstance(a, MatrixElement)}
    out = {}
    for m in parents:
        rows, cols = m.shape
        if not (rows.is_Integer and cols.is_Integer):
            continue
        cells = [[reps.get(m[i, j]) for j in range(int(cols))] for i in range(int(rows))]
        if all(v is not None and not v.free_symbols for row in cells for v in row):
            out[m] = sp.ImmutableMatrix(cells)
    return out


def algorithm_of(claim):
    return claim.algorithm or theorem_algorithm(claim.theorem)


def _recheck_update(out):
    return out   # update rules are re-checked in updates.judge_update against the numeric reference


#: the most values a given set may have to be judged value by value
_MAX_CASES = 8


def _finite_given(claim):
    r"""A given ``y_i \in \{-1, 1\}``: (its position, the symbol as written, the numbers), or None."""
    if claim.notation != "latex":
        return None
    for k, text in enumerate(claim.given):
        try:
            sts = latex_read(text)
        except LatexError:
            continue
        if len(sts) != 1 or len(sts[0].chains) != 1 or sts[0].conditions:
            continue
        ch = sts[0].chains[0]
        if ch.rels != ("in",) or not isinstance(ch.terms[0], (ir.Atom, ir.Sub)):
            continue
        values = ch.terms[1]
        if isinstance(values, ir.Paren) and values.bracket == "{" and _is_number(values.arg):
            items = (values.arg,)
        elif isinstance(values, ir.Tuple) and values.bracket == "{":
            items = values.items
        else:
            continue
        if 1 <= len(items) <= _MAX_CASES and all(_is_number(v) for v in items):
            return k, canon(ch.terms[0]), [canon(v) for v in items]
    return None


def _judge_cases(claim, conventions, split):
    r"""A claim under ``y \in \{-1, 1\}``: judged at each value (as the condition ``\text{for } y = -1``);
    proved when it is proved at every value, refuted at the first value it is refuted at, else no verdict."""
    k, name, values = split
    given = [g for j, g in enumerate(claim.given) if j != k]
    results = []
    for v in values:
        case = dataclasses.replace(claim, latex=f"{claim.latex} \\quad \\text{{for }} {name} = {v}", given=given)
        results.append((v, judge_once(case, conventions)))
    for v, (scope, parsed, out) in results:
        if out.verdict == "refuted":
            out.reason = f"at ${name} = {v}$ (of the given set): {out.reason}"
            return scope, parsed, out
    scope, parsed, first = results[0][1]
    words = {out.verdict for _, (_, _, out) in results}
    shown = ", ".join(values)
    if words == {"proved"}:
        scope.note(f"the given ${name} \\in \\{{{shown}\\}}$ is judged value by value")
        first.reason = f"proved at each value of ${name}$ in the given set $\\{{{shown}\\}}$: {first.reason}"
        return scope, parsed, first
    described = "; ".join(f"${name} = {v}$: {out.verdict} ({out.reason[:80]})" for v, (_, _, out) in results)
    return scope, parsed, Outcome("undecided" if "error" not in words else "error",
                                  f"judged value by value over the given set: {described}")


def judge_once(claim, conventions=None):
    """``(scope, parsed, outcome)`` under ``conventions``; several readings must agree."""
    split = _finite_given(claim)
    if split is not None and claim.latex:
        return _judge_cases(claim, conventions, split)
    conventions = _with_layout(claim, conventions)
    if claim.theorem and not claim.formula:
        scope, _, _ = prepare(claim, conventions)
        return scope, "", judge_theorem(claim)
    results = []
    k, count = 0, 1
    while k < count:
        result, r, n = _judged_reading(claim, conventions, k)
        results.append(result)
        if r is not None:
            count = n
            results += _prod_readings(claim, conventions, k, r.it.prod_counts)
        k += 1
    if len(results) == 1:
        return results[0]
    verdicts = [o.verdict for _, _, o in results]
    scope, parsed, first = results[0]
    if len(set(verdicts)) == 1:
        scope.note(f"the notation has {len(results)} readings; all give this verdict")
        return scope, parsed, first
    described = "; ".join(f"${p}$ gives {o.verdict}" for _, p, o in results)
    return scope, parsed, Outcome("undecided", f"the notation has {len(results)} readings that disagree: {described}",
                                  evidence={"readings": [{"parsed": p, "verdict": o.verdict, "reason": o.reason}
                                                         for _, p, o in results]})


def _judged_reading(claim, conventions, k, prod_choice=None):
    """``((scope, parsed, outcome), reading, count)`` of statement ``k``: a reading the notation does not
    support is undecided, one whose shapes do not fit refuted (reading and count None for both)."""
    try:
        r, count = _read_sized(claim, conventions, k, prod_choice)
    except Unsupported as exc:
        return (Scope(), claim.formula, Outcome("undecided", f"not supported yet: {exc.message}")), None, None
    except ShapeMismatch as exc:
        if _vector_functions(claim):
            # a generic function's output length is no declared shape: a mismatch with it is no counterexample
            return (Scope(), claim.formula, Outcome("undecided", f"not supported yet: shapes with a generic "
                                                    f"vector-valued function's length: {exc.message}")), None, None
        return (Scope(), claim.formula, Outcome("refuted", f"shape mismatch: {exc.message}",
                                                counterexample={"shapes": exc.message},
                                                recheck="the declared shapes do not fit")), None, None
    except LatexError as exc:
        raise ClaimError(exc.message, "latex", exc.pos)
    try:
        outcome = _judge_reading(claim, r)
    except Unsupported as exc:        # a form met only while judging (a gradient at a point x + epsilon)
        outcome = Outcome("undecided", f"not supported yet: {exc.message}")
    return (r.scope, r.parsed, outcome), r, count


def _vector_functions(claim) -> bool:
    """The claim declares a bold generic function (vector-valued, of a length no field states)."""
    return any(v == "generic" and k.startswith((r"\mathbf{", r"\boldsymbol{"))
               for k, v in (claim.functions or {}).items())


def _read_sized(claim, conventions, k, prod_choice, rounds=8):
    """:func:`_read` at the most general sizes the claim allows: each size a product, sum or equation ties to a
    generic function's fresh output length (:class:`SizeForced`) is made equal to it and the claim read again."""
    sizes = {}
    for _ in range(rounds):
        try:
            r, count = _read(claim, conventions, k, prod_choice, sizes)
            _tie_sides(r)
            return r, count
        except SizeForced as exc:
            if exc.fresh in sizes:
                raise Unsupported(f"the length {exc.fresh} is tied twice", exc.pos)
            sizes[exc.fresh] = exc.size
    raise Unsupported("the sizes of the generic vector-valued functions are not settled", None)


def _tie_sides(r):
    """The two sides of an equation have one shape: a fresh size on one side against another size on the
    other is tied to it (:class:`SizeForced`)."""
    if not r.scope.fresh_sizes:
        return
    for a, rel, b in r.links:
        if rel == "=" and is_array(a) and is_array(b):
            for x, y in zip(a.shape, b.shape):
                r.it.tie(x, y, None)


def _prod_readings(claim, conventions, k, counts):
    """The other readings of statement ``k`` when a prod(A, B) has several products of the shape needed: each
    combination of choices is read and judged (the first was judged already)."""
    spans = sorted(counts)
    return [_judged_reading(claim, conventions, k, dict(zip(spans, combo)))[0]
            for combo in itertools.product(*(range(counts[s_]) for s_ in spans)) if any(combo)]


def _with_layout(claim, conventions):
    """The conventions a claim is read under: the given ones, and the layout its file states."""
    conventions = dict(conventions or {})
    if claim.layout and "layout" not in conventions:
        conventions["layout"] = claim.layout
    return conventions


def relations(claim):
    """The relations ``[(lhs, rel, rhs), ...]`` of a claim with one reading, as SymPy expressions, and its
    definitions: what numeric/ lambdifies once the claim is proved.  Several readings are a ClaimError."""
    try:
        r, count = _read(claim, _with_layout(claim, None), 0)
    except LatexError as exc:
        raise ClaimError(exc.message, "latex", exc.pos)
    if count != 1:
        raise ClaimError(f"the formula has {count} readings: which one defines the kernel is not clear", "latex", None)
    return r.links, r.defs


# --------------------------------------------------------------------------- the verdict
@contextlib.contextmanager
def _sympy_random_fixed():
    """SymPy's multivariate factorisation (Wang's algorithm) and its assumption system draw from an
    unseeded generator, so the same claim cost 2 s in one run and over 60 s of CPU in another: seeded
    for every claim, the cost (and so a timeout) is the same in every run; the caller's state is restored."""
    saved = _srandom.rng.getstate(), _srandom._assumptions_rng.getstate()
    _srandom.seed(0)
    try:
        yield
    finally:
        _srandom.rng.setstate(saved[0])
        _srandom._assumptions_rng.setstate(saved[1])


def judge_claim(claim) -> Verdict:
    """Judge one catalogue claim; never raises for bad claim content."""
    t0 = time.perf_counter()
    try:
        with _sympy_random_fixed():
            v = _verdict(claim)
    except ClaimError as exc:
        v = _error(claim, exc.field, exc.message, exc.pos)
    except RecursionError:
        v = Verdict(id=claim.id, source=claim.source, verdict="undecided", reason="expression too deep to judge")
    except Exception as exc:  # a SymPy failure on one claim must not stop the run
        v = _error(claim, "-", f"internal error while judging: {type(exc).__name__}: {str(exc)[:200]}", None,
                   internal=True)
    v.seconds = round(time.perf_counter() - t0, 3)
    return v


def _error(claim, field, message, pos, internal=False):
    where = f" (at character {pos})" if pos is not None else ""
    return Verdict(id=claim.id, source=claim.source, verdict="error",
                   reason=f"{claim.file}: claim {claim.id}: {field}: {message}{where}",
                   error={"file": claim.file, "id": claim.id, "field": field, "position": pos,
                          "message": ("internal error: " if internal else "") + message})


def _verdict(claim) -> Verdict:
    base = dict(id=claim.id, source=claim.source)
    if claim.not_checkable:
        return Verdict(**base, verdict="not checkable", reason=claim.not_checkable)
    scope, parsed, out = judge_once(claim)
    if scope.distinct and not scope.distinct_used and out.verdict in ("proved", "refuted"):
        # j \ne y_i is honoured by the equation judge alone: any other judge would run over j = y_i too
        pairs = ", ".join(f"${L(a)} \\ne {L(b)}$" for a, b in scope.distinct)
        out = Outcome("undecided", f"the given {pairs} between indices is honoured only in equations yet")
    if out.verdict == "error":
        return Verdict(**base, verdict="error", reason=f"{claim.file}: claim {claim.id}: {out.reason}",
                       parsed=parsed, steps=out.steps, evidence=out.evidence, notes=scope.notes,
                       error={"file": claim.file, "id": claim.id, "field": "-", "position": None,
                              "message": out.reason})
    if out.verdict == "refuted" and scope.used_axes:
        conv = _try_conventions(claim, scope)
        if conv is not None:
            axis, choice, proof = conv
            ax = AXES[axis]
            ref = scope.conventions.get(axis, ax.reference)
            return Verdict(**base, verdict="convention",
                           reason=f"true with {ax.name} = {ax.choices[choice]}; the reference is "
                                  f"{ax.choices[ref]} ({ax.source})",
                           parsed=parsed, steps=out.steps + proof.steps, counterexample=out.counterexample,
                           convention={"axis": ax.name, "claim": ax.choices[choice], "reference": ax.choices[ref],
                                       "source": ax.source}, notes=scope.notes)
    corrected = out.corrected
    if out.verdict == "refuted" and corrected is None and out.derived is not None:
        corrected = _corrected(parsed, out.derived, out.defs)
    notes = list(scope.notes)
    if out.recheck:
        notes.append(f"independent re-check: {out.recheck}")
    inferred = [f"${k}$: {why}" for k, why in sorted(scope.inferred.items())]
    if inferred:
        notes.append("read from the notation: " + "; ".join(inferred))
    return Verdict(**base, verdict=out.verdict, reason=out.reason, parsed=parsed, steps=out.steps,
                   counterexample=out.counterexample, corrected=corrected, convention=out.convention,
                   evidence=out.evidence, sizes=out.sizes, notes=notes)


def _corrected(parsed, derived, defs=None):
    """``lhs = derived``, written back in the claim's own symbols where a definition allows."""
    lhs_text = parsed.split(" = ")[0] if " = " in parsed else None
    if lhs_text is None:
        return None
    back = {v: k for k, v in (defs or {}).items() if not is_array(k)}
    try:
        named = tuple(cls for cls, _ in INITS.values())
        derived = derived.replace(lambda e: isinstance(e, named), lambda e: e.rewrite("elementary"))
        d = sp.factor(sp.simplify(derived.xreplace(back))).xreplace(back)
        if L(d) == lhs_text:  # a definition: the corrected right side is the elementary one
            d = sp.simplify(elementary(derived))
        return f"{lhs_text} = {L(d)}"
    except Exception:
        return None


def _try_conventions(claim, scope):
    for axis in sorted(scope.used_axes):
        ax = AXES[axis]
        ref = scope.conventions.get(axis, ax.reference)
        for choice in ax.choices:
            if choice == ref:
                continue
            try:
                _, _, out = judge_once(claim, {**scope.conventions, axis: choice})
            except ClaimError:
                continue
            if out.verdict == "proved":
                return axis, choice, out
    return None
