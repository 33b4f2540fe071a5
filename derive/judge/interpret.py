r"""Readings as mathematics: the intermediate form of :mod:`nnderive.notation` to SymPy.

The reader says what was written; this module says what it means, with the claim's
declarations.  Vectors and matrices become ``MatrixSymbol`` objects (so products keep
their order and shapes are checked), a sheet index :math:`x_i` (1-based) the entry
``x[i-1, 0]``, and every named function dispatches through :data:`FUNCTIONS`, one row per
name.  Symbols the notation fixes need no declaration: an undeclared letter is a real
scalar, and a vector's length is read from the sum that runs over its entries
(:math:`\sum_{j=1}^{q} e^{o_j}` makes :math:`o` a vector of length :math:`q`).  What the
notation does not fix is an error naming the symbol, never a guess.

Nothing the user writes is evaluated: the tree is walked node by node.

>>> from nnderive.catalogue import Claim
>>> r = read(Claim(id="x", source="s", file="f", latex=r"\sigma'(z) = \sigma(z)(1 - \sigma(z))"))
>>> [(str(a), rel, str(b)) for a, rel, b in r.relations]
[('Subs(Derivative(\\sigma(_x), _x), _x, z)', '=', '(1 - \\sigma(z))*\\sigma(z)')]
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import re

import mpmath
import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.stats import Bernoulli, Normal, Uniform
from sympy.stats import E as stats_E
from sympy.stats import P as stats_P
from sympy.stats import variance as stats_variance
from sympy.stats.rv import RandomSymbol
from sympy.stats.symbolic_probability import Expectation, Probability, Variance

from ..mathematics.arrays import (ArgMax, ArgMin, ArgumentJacobian, GenericVector, Elementwise, FromEntries, GenericFunction, Grad, HeldDerivative, Hessian, Jacobian, Norm, PiecewiseArray,
                                  SoftmaxVec, VecMax,
                                  VecMin, is_array)
from ..mathematics.conventions import INITS, LOSSES, Conventions
from ..mathematics.primitives import ACTIVATIONS, LeakyReLU, elementary
from ..mathematics.signforms import sign_forms
from ..mathematics.zero import is_zero
from ..mathematics.printing import tex as _tex
from ..mathematics.spectral import SpectralRadius
from ..mathematics.sequences import Conv, ConvMatrix, Vec
from ..notation import ir
from ..notation.declarations import Decl, DeclarationError, parse_declaration
from ..notation.errors import LatexError, ShapeMismatch, Unsupported
from ..notation.latex import TRANSPOSE_MARKS, canon, read_expression
from ..notation.readers import reader
from . import entrysums, prod
from .bareranges import name_bare_ranges
from .series import finite_series, is_dots
from .families import declared_member, labelled_entry, member as family_member
from .moments import MomentUnread, check_by_two_points, piecewise_expectation, unnamed_moment
from .grids import declare_entry_indices, declare_grids, given_entry
from .recurrences import find as find_recurrences
from .recurrences import term as recurrence_term

__all__ = ["Scope", "Interpreter", "Reading", "read", "prepare", "ClaimError", "Printed", "symbol_key", "FUNCTIONS",
           "primed_name", "declare_primed"]


class SizeForced(ShapeMismatch):
    """A product, sum or equation of the claim is well-formed only if the fresh size ``fresh`` (the output
    length of a generic vector-valued function) equals ``size``: the claim is read again with them equal (the
    most general sizes the claim allows).  A ShapeMismatch, so a reading tried and dropped drops it too."""

    def __init__(self, fresh, size, pos=None):
        super().__init__(f"the length {fresh} is tied to {size}", pos)
        self.fresh, self.size = fresh, size


class ClaimError(Exception):
    """Bad claim content: carries the field and position."""

    def __init__(self, message, field="latex", pos=None):
        super().__init__(message)
        self.message, self.field, self.pos = message, field, pos


def symbol_key(spelling: str, words=frozenset()) -> str:
    """The canonical key of a symbol's spelling (``\\mathbf{x}`` and ``x`` share one)."""
    nodes = read_expression(spelling, words)
    return canon(nodes[0])


def function_key(spelling: str, words=frozenset()) -> str:
    """The canonical key of a function's spelling (``\\sigma``, ``\\operatorname{CCE}``, ``\\operatorname{Var}_U``)."""
    (node,) = set(read_expression(spelling + "(x)", words))
    if isinstance(node, ir.Apply):
        return canon(node.func)
    if isinstance(node, ir.Call):
        return canon(node.head)
    raise LatexError(f"{spelling!r} is not a function name", 0)


# --------------------------------------------------------------------------- scope
@dataclass
class Scope(Conventions):
    """What a claim declares: symbols by canonical key, functions, conventions, and notes."""

    symbols: dict = field(default_factory=dict)        # canonical key -> Decl
    functions: dict = field(default_factory=dict)      # canonical key -> function kind
    conventions: dict = field(default_factory=dict)
    used_axes: set = field(default_factory=set)
    notes: list = field(default_factory=list)
    inferred: dict = field(default_factory=dict)       # canonical key -> why it was inferred
    declared: set = field(default_factory=set)         # keys the claim declares itself
    words: frozenset = frozenset()                     # declared names of several plain letters (scale, lr)
    assumed_generic: set = field(default_factory=set)  # undeclared letters read as arbitrary functions
    random: dict = field(default_factory=dict)         # canonical key -> sympy.stats random symbol (given X \sim D)
    random_laws: dict = field(default_factory=dict)    # canonical key -> (distribution kind, parameters)
    role_keys: frozenset = frozenset()                 # keys the claim gives an optimizer role (scalars: eta)
    stated_layout: str = ""                            # the layout the claim (or its file) states, not one tried
    operators: dict = field(default_factory=dict)      # an operator's meaning the source states (\otimes: hadamard)
    rays: dict = field(default_factory=dict)           # scale h -> the small vector eps of O(||eps||^k), read as h eps
    raised: dict = field(default_factory=dict)         # p -> x where a condition x >= c was applied as x = c + p
    distinct: list = field(default_factory=list)       # (a, b) of a given a \ne b between two indices
    distinct_used: bool = False                        # the equation judge honoured them
    bounds: dict = field(default_factory=dict)         # p -> (x, y) where a condition x >= y was applied as x = y + p
    observed: dict = field(default_factory=dict)       # declared symbol -> the law it is a value of (target ~ Poisson)
    described: set = field(default_factory=set)        # opaque symbols of probabilities of events told in words
    bold_functions: frozenset = frozenset()            # generic functions the claim declares in bold: vector-valued
    fresh_sizes: dict = field(default_factory=dict)    # bold generic function -> its output length, a fresh size
    forced_sizes: dict = field(default_factory=dict)   # fresh size -> the size a product or '=' ties it to

    def size_symbols(self) -> list:
        """The size letters of the declarations and the fresh output lengths left untied, in a fixed order."""
        dims = {x for d in self.symbols.values() for dd in d.dims for x in getattr(dd, "free_symbols", ())}
        return sorted(dims | set(self.fresh_sizes.values()) - set(self.forced_sizes), key=str)

    def distinct_sizes(self, dims, s, reverse=False):
        """Explicit sizes ``s, s + 1, s + 2, ...`` for ``dims`` (in reverse order if asked) where a generic
        function's output length is among them, so that no two of the sizes the claim leaves free agree by
        accident; None otherwise (the callers' alternating sizes)."""
        if not set(dims) & set(self.fresh_sizes.values()):
            return None
        order = list(reversed(dims)) if reverse else list(dims)
        return {d: sp.Integer(s + order.index(d)) for d in dims}

    def unnamed_random(self):
        """The symbols declared ``scalar random`` (no law given) and, of those, the ones declared independent."""
        rand = [d.obj for d in self.symbols.values() if "random" in d.domain.split()]
        return rand, [d.obj for d in self.symbols.values() if "independent" in d.domain.split()]

    def note(self, text: str):
        if text not in self.notes:
            self.notes.append(text)

    @property
    def index_decls(self):
        return {k: d for k, d in self.symbols.items() if d.kind == "index"}


#: a name of several plain letters that a definition or given introduces: ``scale = 1.05``,
#: ``Loss(x, y, W) = ...``, ``activation(x) = ...`` (the statement itself declares it)
_INTRODUCED = re.compile(r"\s*([A-Za-z]{2,})\s*(?:\(|=|:=|\\leftarrow|\\coloneqq)")


def _declared_words(claim) -> frozenset:
    """Names of several plain letters the claim declares: as symbols, as functions, as optimizer roles, or as
    the left side of one of its definitions and givens; any other letter run stays an error."""
    # a role key is a declaration too: roles = { cache = "sq_avg" } makes cache one name, not c·a·c·h·e
    words = {s_ for s_ in [*claim.symbols, *claim.functions, *claim.roles]
             if s_.isascii() and s_.isalpha() and len(s_) > 1}
    for spelling in [*claim.symbols, *claim.roles]:     # 'g^{ave}' declares the label ave
        words.update(re.findall(r"\^\{([A-Za-z]{2,})\}", spelling))
    for text in [*claim.definitions, *claim.given]:
        m = _INTRODUCED.match(text)
        if m is not None:
            words.add(m.group(1))
    return frozenset(words)


def build_scope(claim, conventions=None) -> Scope:
    symbols: dict[str, Decl] = {}
    words = _declared_words(claim)
    for spelling, text in claim.symbols.items():
        try:
            decl = parse_declaration(spelling, text)
            key = symbol_key(spelling, words)
        except DeclarationError as exc:
            raise ClaimError(str(exc), "symbols")
        except LatexError as exc:
            raise ClaimError(f"bad symbol spelling {spelling!r}: {exc.message}", "symbols")
        symbols[key] = decl
    for d in list(symbols.values()):
        for dim in sorted({x for dd in d.dims for x in getattr(dd, "free_symbols", ())}, key=str):
            key = _safe_key(dim.name)
            same = _upright_size(dim.name, key, symbols)
            if same is not None:
                _resize(d, dim, same.obj)
                symbols[key] = same
            elif key not in symbols:
                symbols[key] = Decl(dim.name, "scalar", (), "positive integer", {"integer": True, "positive": True},
                                    (1, 5, False, False), dim)
    functions, bold = {}, set()
    for spelling, kind in claim.functions.items():
        try:
            functions[function_key(spelling, words)] = kind
            if kind == "generic" and spelling.startswith((r"\mathbf{", r"\boldsymbol{")):
                bold.add(function_key(spelling, words))
        except LatexError as exc:
            raise ClaimError(f"bad function spelling {spelling!r}: {exc.message}", "functions")
    role_keys = set()
    for spelling in claim.roles:
        try:
            role_keys.add(symbol_key(spelling, words))
        except LatexError:
            pass                          # a role for an expression (dL/dw): judged in updates.py
    return Scope(symbols=symbols, functions=functions, conventions=dict(conventions or {}), declared=set(symbols),
                 words=words, role_keys=frozenset(role_keys), stated_layout=claim.layout or "",
                 operators=dict(getattr(claim, "operators", {}) or {}), bold_functions=frozenset(bold))


_WORD_SUBSCRIPT = re.compile(r"^([A-Za-z])_\{([A-Za-z]{2,})\}$")


def _upright_size(name, key, symbols):
    r"""The declared size a shape letter ``n_{in}`` names when the claim declares ``n_\textrm{in}`` (or
    ``n_{\text{in}}``) and not ``n_{in}`` itself: a shape is written in plain letters, so its subscript word is
    the label the claim prints upright; one symbol spelled two ways, not two sizes.  Only a declared positive
    integer is a size; None where the shape letter is its own symbol."""
    m = _WORD_SUBSCRIPT.match(name)
    if m is None:
        return None
    d = symbols.get(_safe_key(rf"{m.group(1)}_{{\text{{{m.group(2)}}}}}"))
    if d is None or d.kind != "scalar" or not (d.obj.is_integer and d.obj.is_positive) or \
            symbols.get(key, d) is not d:        # n_{in} declared itself: its own symbol
        return None
    return d


def _resize(d, old, new):
    """The declaration ``d`` with the size symbol ``old`` read as ``new`` (its shape and its object)."""
    d.dims = tuple(x.xreplace({old: new}) if isinstance(x, sp.Basic) else x for x in d.dims)
    if isinstance(d.obj, sp.Basic) and d.obj.has(old):
        d.obj = d.obj.xreplace({old: new})


def _safe_key(name):
    try:
        return symbol_key(name)
    except LatexError:
        return name


# --------------------------------------------------------------------------- function table
def _one(args, name, pos):
    if len(args) != 1:
        raise LatexError(f"{name} takes one argument, got {len(args)}", pos)
    return args[0]


def _activation(name):
    def build(it, args, primes, pos, param=None):
        x = _one(args, name, pos)
        if name == "leaky_relu":
            if param is None:
                raise LatexError("leaky ReLU needs its slope: LeakyReLU_alpha(z) or leaky_relu(z, alpha)", pos)
            if primes:
                u = sp.Dummy("x", real=True)
                return sp.Subs(sp.Derivative(LeakyReLU(u, param), u), u, x)
            return LeakyReLU(x, param)
        if is_array(x):
            return Elementwise(name, x, primes)
        f = ACTIVATIONS[name]
        if primes:
            u = sp.Dummy("x", real=True)
            return sp.Subs(sp.Derivative(f(u), u, primes), u, x)
        return f(x)
    return build


def _elementary(fn, name):
    def build(it, args, primes, pos, param=None):
        x = _one(args, name, pos)
        if is_array(x):
            raise Unsupported(f"{name} of a vector or matrix", pos)
        if primes:
            u = sp.Dummy("x", real=True)
            return sp.Subs(sp.Derivative(fn(u), u, primes), u, x)
        return fn(x)
    return build


def _log(it, args, primes, pos, param=None):
    x = _one(args, "log", pos)
    if param is not None:
        return sp.log(x, param)
    it.scope.used_axes.add("log_base")
    b = it.scope.conventions.get("log_base", "e")
    it.scope.note(r"$\log$ without a base is read as the natural log")
    return sp.log(x) if b == "e" else sp.log(x, int(b))


def _lg(it, args, primes, pos, param=None):
    r"""``\lg x``: :math:`\log_{10} x` (ISO 80000-2) or :math:`\log_2 x` (CLRS): a convention axis, as ``\log``."""
    x = _one(args, "lg", pos)
    if is_array(x):
        raise Unsupported("lg of a vector or matrix", pos)
    it.scope.used_axes.add("lg_base")
    b = int(it.scope.conventions.get("lg_base", "10"))
    it.scope.note(r"$\lg$ is read as the base-10 log (ISO 80000-2); some sources (CLRS) write it for base 2")
    if primes:
        u = sp.Dummy("x", real=True)
        return sp.Subs(sp.Derivative(sp.log(u, b), u, primes), u, x)
    return sp.log(x, b)


def _max_min(kind):
    def build(it, args, primes, pos, param=None):
        if len(args) == 2 and kind == "max" and any(a == 0 for a in args):
            other = args[1] if args[0] == 0 else args[0]
            it.scope.note(r"$\max(0, z)$ is read as $\mathrm{ReLU}(z)$, with $\mathrm{ReLU}'(0) = 0$")
            return _activation("relu")(it, [other], primes, pos)
        if primes:
            raise Unsupported(f"the derivative of {kind} written with a prime", pos)
        if len(args) == 1 and is_array(args[0]):
            return (VecMax if kind == "max" else VecMin)(args[0])
        if any(is_array(a) for a in args):
            raise Unsupported(f"{kind} of several arrays", pos)
        return (sp.Max if kind == "max" else sp.Min)(*args)
    return build


def _binomial(it, args, primes, pos, param=None):
    r"""``\binom{n}{k}``: :math:`n! / (k! (n-k)!)` (SymPy's binomial, the polynomial in :math:`n` for an
    integer :math:`k`)."""
    if len(args) != 2:
        raise LatexError(f"a binomial coefficient takes two arguments, got {len(args)}", pos)
    if primes or param is not None or any(is_array(a) for a in args):
        raise Unsupported("a binomial coefficient of arrays, with a prime or a subscript", pos)
    return sp.binomial(*args)


def _clip(it, args, primes, pos, param=None):
    r""":math:`\operatorname{clip}(x, a, b) = \min(\max(x, a), b)` (NumPy's and optax's definition)."""
    if len(args) != 3 or primes or any(is_array(a) for a in args):
        raise Unsupported("clip(x, a, b) of three scalars only", pos)
    it.scope.note(r"$\operatorname{clip}(x, a, b)$ is read as $\min(\max(x, a), b)$")
    return sp.Min(sp.Max(args[0], args[1]), args[2])


def _trace(it, args, primes, pos, param=None):
    m = _one(args, "trace", pos)
    if not is_array(m) or sp.simplify(m.shape[0] - m.shape[1]) != 0:
        raise ShapeMismatch(f"trace of a non-square {m.shape if is_array(m) else 'scalar'}", pos)
    k = sp.Dummy("k", integer=True)
    it.scope.note(r"$\operatorname{tr}(M)$ is read as $\sum_k M_{kk}$")
    return sp.Sum(m[k - 1, k - 1], (k, 1, m.shape[0]))


def _det(it, args, primes, pos, param=None):
    m = _one(args, "det", pos)
    if not is_array(m) or sp.simplify(m.shape[0] - m.shape[1]) != 0:
        raise ShapeMismatch("determinant of a non-square matrix", pos)
    return sp.Determinant(m)


def _total(it, args, primes, pos, param=None):
    r"""``sum(x)`` as code and plain-text sources write it: :math:`\sum_{i,j} X_{ij}`, every entry."""
    m = _one(args, "sum", pos)
    if primes:
        raise LatexError("write the derivative of a sum as a partial derivative", pos)
    if not is_array(m):
        raise Unsupported("sum(...) of a scalar: write the sum with its index", pos)
    i, j = sp.Dummy("i", integer=True), sp.Dummy("j", integer=True)
    it.scope.note(r"$\operatorname{sum}(X)$ is read as the sum of every entry, $\sum_{i,j} X_{ij}$")
    return sp.Sum(m[i - 1, j - 1], (i, 1, m.shape[0]), (j, 1, m.shape[1]))


def _moment(name, operator):
    r""":math:`\mathbb{E}[f(X)]` and :math:`\operatorname{Var}(f(X))` of random variables given with
    ``X \sim \mathcal{N}(\mu, \sigma^2)``, ``U(a, b)``, ``\operatorname{Bernoulli}(p)`` (independent of each
    other), in closed form by SymPy's statistics; no closed form is undecided, never a guess."""
    def build(it, args, primes, pos, param=None):
        event, it.moment_event = it.moment_event, None
        x = _one(args, name, pos)
        if primes or is_array(x):
            raise Unsupported(f"{name} of a vector or with a prime is not read yet", pos)
        unnamed, independent = it.scope.unnamed_random()
        x = elementary(_through_definitions(x, it.definitions, unnamed))  # ReLU, sigmoid, ... elementary
        if x.free_symbols & set(unnamed):
            return _unnamed(it, name, operator is stats_E, x, unnamed, independent, event, pos)
        if not x.atoms(RandomSymbol):
            raise Unsupported(f"{name}[...] of an expression without a random variable: give one with "
                              r"'X \sim \mathcal{N}(0, 1)' (moments stated as givens are not read yet)", pos)
        if event is not None:
            return _conditional_moment(it, name, operator is stats_E, x, event, pos)
        # a piecewise function of one variable piece by piece first: SymPy's statistics may spend a minute on
        # it and leave the integral
        value = _by_pieces(operator is stats_E, x)
        try:
            value = sp.simplify(operator(x)) if value is None else sp.simplify(value)
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise Unsupported(f"{name}[...] has no closed form here ({type(exc).__name__})", pos)
        if value.atoms(RandomSymbol) or value.has(sp.Integral, Expectation, Variance):
            raise Unsupported(f"{name}[...] has no closed form here", pos)
        _quadrature_check(name, x, value, it.scope.random_laws, pos)
        it.scope.note(f"${name}$ computed in closed form over the given distributions (independent variables), "
                      "confirmed by numerical quadrature")
        return value
    return build


def _by_pieces(mean, x):
    """E[x] (or Var[x] = E[x^2] - E[x]^2) piece by piece over a Piecewise of one variable; None if not."""
    first = piecewise_expectation(x)
    if first is None or mean:
        return first
    second = piecewise_expectation(sp.expand(x ** 2) if not x.has(sp.Piecewise) else sp.piecewise_fold(x ** 2))
    return None if second is None else second - first ** 2


def _unnamed(it, name, mean, x, unnamed, independent, event, pos):
    """E or Var of random variables declared without a law, from their means and variances alone
    (:mod:`.moments`), confirmed by enumeration over two-point laws."""
    if event is not None or x.atoms(RandomSymbol):
        raise Unsupported(f"{name}[...] of a random variable without a law beside a condition or a given law: "
                          "not read yet", pos)
    try:
        value = unnamed_moment(mean, x, unnamed, independent)
    except MomentUnread as exc:
        raise Unsupported(f"{name}[...]: {exc}", pos)
    if not check_by_two_points(mean, x, value, unnamed, independent):
        raise Unsupported(f"{name}[...]: the moment and its check over two-point laws disagree; no verdict", pos)
    it.scope.note(f"${name}$ of random variables without a given law, from their means and variances" +
                  (" (independent as declared)" if set(independent) & x.free_symbols else "") +
                  ", confirmed by enumeration over two-point laws")
    return value


def _closed_expectation(it, name, f, pos):
    """E[f] in closed form, confirmed by quadrature (no closed form: undecided)."""
    try:
        value = sp.simplify(stats_E(f))
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise Unsupported(f"{name}[...] has no closed form here ({type(exc).__name__})", pos)
    if value.atoms(RandomSymbol) or value.has(sp.Integral, Expectation, Variance, Probability):
        raise Unsupported(f"{name}[...] has no closed form here", pos)
    _quadrature_check("E", f, value, it.scope.random_laws, pos)
    return value


def _conditional_moment(it, name, mean, x, event, pos):
    r""":math:`E[X \mid A] = E[X 1_A] / P(A)` and :math:`\operatorname{Var}[X \mid A] = E[X^2 1_A] / P(A) -
    E[X \mid A]^2` for an event A of the random variables with :math:`P(A) > 0` by the declarations; each
    expectation in closed form and confirmed by quadrature."""
    if not event.atoms(RandomSymbol):
        raise Unsupported(rf"{name}[... \mid A] with an event A without a random variable", pos)
    indicator = sp.Piecewise((1, event), (0, True))
    mass = _closed_expectation(it, name, indicator, pos)
    if not (mass.is_positive or (not mass.free_symbols and sp.N(mass, 30) > 0)):
        raise Unsupported(rf"{name}[... \mid A]: P(A) > 0 does not follow from the declarations", pos)
    first = _closed_expectation(it, name, x * indicator, pos) / mass
    it.scope.note(rf"${name}[X \mid A]$ is read over the event $A$: $E[X 1_A] / P(A)$" +
                  ("" if mean else r", and the variance as $E[X^2 1_A] / P(A) - E[X \mid A]^2$") +
                  ", each in closed form and confirmed by numerical quadrature")
    if mean:
        return sp.simplify(first)
    second = _closed_expectation(it, name, x ** 2 * indicator, pos) / mass
    return sp.simplify(second - first ** 2)


def _std(it, args, primes, pos, param=None):
    r""":math:`\operatorname{Std}[X] = \sqrt{\operatorname{Var}[X]}` (the variance checked by quadrature)."""
    return sp.sqrt(_moment("Std", stats_variance)(it, args, primes, pos, param))


def _through_definitions(x, defs, unnamed=()):
    """``x`` with the defined symbols that stand for random variables (a random choice of cases, or an
    expression in variables declared random) replaced by their definitions, so that a moment sees the
    randomness; other symbols stay."""
    return _substituted(x, {k: v for k, v in defs.items() if isinstance(v, sp.Basic) and
                            (v.atoms(RandomSymbol) or v.free_symbols & set(unnamed))})


def _substituted(x, reps, rounds=20):
    """``x`` with ``reps`` substituted until nothing changes (definitions in terms of definitions)."""
    for _ in range(rounds):
        new = x.xreplace(reps) if isinstance(x, sp.Basic) else x
        if new == x:
            return x
        x = new
    return x


def _quadrature_check(name, x, value, laws, pos):
    """The closed form against mpmath quadrature of the moment at one rational parameter point: SymPy's
    integration is not trusted alone.  A moment that cannot be checked is undecided."""
    rvs = sorted(x.atoms(RandomSymbol), key=str)
    in_laws = {f for r in rvs if str(r) in laws for q in laws[str(r)][1] for f in sp.sympify(q).free_symbols}
    params = sorted((value.free_symbols | x.free_symbols | in_laws) - set(rvs), key=str)   # Var[N(mu, 1)]: mu too
    point = {}
    for k, p in enumerate(params):
        if p.is_integer:
            point[p] = sp.Integer(3 + k)
        elif p.is_positive or p.is_nonnegative:
            point[p] = sp.Rational(3, 5) + sp.Rational(k, 7)
        else:
            point[p] = sp.Rational(2, 3) - sp.Rational(k, 5)
    if len(rvs) > 2 or any(str(r) not in laws for r in rvs):
        raise Unsupported(f"{name}[...] of more than two random variables cannot be checked independently yet", pos)
    syms = [sp.Dummy(f"u{k}", real=True) for k in range(len(rvs))]
    with mpmath.workdps(20):
        try:
            at = {**point, **dict(zip(rvs, syms))}
            moment = x.xreplace(at) if name == "E" else x.xreplace(at) ** 2
            funcs = [sp.lambdify(syms, moment, "mpmath")]
            if name != "E":
                funcs.append(sp.lambdify(syms, x.xreplace(at), "mpmath"))
            breaks = _jumps(moment, syms) if len(syms) == 1 else []
            got = [_expect(fn, [laws[str(r)] for r in rvs], point, breaks) for fn in funcs]
            got = got[0] if name == "E" else got[0] - got[1] ** 2
            want = mpmath.mpf(sp.N(value.xreplace(point), 30))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError) as exc:
            raise Unsupported(f"{name}[...] could not be checked by quadrature ({type(exc).__name__})", pos)
        if abs(got - want) > mpmath.mpf(10) ** -8 * max(1, abs(want)):
            raise Unsupported(f"{name}[...]: SymPy's closed form and the quadrature disagree at "
                              f"{ {str(k): str(v) for k, v in point.items()} }; no verdict", pos)


def _jumps(e, syms) -> list:
    """Where the conditions inside ``e`` (one variable, parameters fixed) change: the quadrature splits its
    interval there (an indicator's jump inside an interval is integrated badly)."""
    out = []
    for rel in e.atoms(sp.core.relational.Relational):
        try:
            roots = sp.solve(rel.lhs - rel.rhs, syms[0])
        except (NotImplementedError, ValueError, TypeError):
            continue
        out += [mpmath.mpf(sp.N(r, 30)) for r in roots if r.is_real and r.is_number]
    return out


def _expect(fn, laws, point, breaks=()):
    """E[fn(U_1, ..., U_k)] for independent laws at the parameter point: adaptive mpmath quadrature for one
    variable (a sum for Bernoulli), a fixed Gauss rule per variable for several."""
    ls = [(kind, [mpmath.mpf(sp.N(sp.sympify(q).xreplace(point), 30)) for q in params]) for kind, params in laws]

    def level(k, args):
        if k == len(ls):
            return mpmath.mpf(fn(*args))
        kind, (p, *rest) = ls[k]
        if kind == "bernoulli":
            return p * level(k + 1, args + [1]) + (1 - p) * level(k + 1, args + [0])
        if len(ls) > 1:     # nested adaptive quadrature takes minutes
            return mpmath.fsum(w * level(k + 1, args + [t]) for t, w in _gauss(kind, p, rest[0]))
        if kind == "normal":
            mu, var = p, rest[0]
            dens = lambda t: mpmath.exp(-(t - mu) ** 2 / (2 * var)) / mpmath.sqrt(2 * mpmath.pi * var)
            cuts = sorted({-mpmath.inf, mu, mpmath.mpf(0), mpmath.inf, *breaks})     # 0: where kinks usually are
        else:
            a, b = p, rest[0]
            dens = lambda t: 1 / (b - a)
            cuts = sorted({a, b, *([mpmath.mpf(0)] if a < 0 < b else []), *(t for t in breaks if a < t < b)})
        return mpmath.quad(lambda t: dens(t) * level(k + 1, args + [t]), cuts)
    return level(0, [])


def _gauss(kind, p, q, n=48):
    """Nodes and weights integrating against N(p, q) (Gauss-Hermite) or U(p, q) (Gauss-Legendre)."""
    if kind == "normal":
        x, w = np.polynomial.hermite.hermgauss(n)
        return [(p + mpmath.sqrt(2 * q) * mpmath.mpf(xi), mpmath.mpf(wi) / mpmath.sqrt(mpmath.pi)) for xi, wi in zip(x, w)]
    x, w = np.polynomial.legendre.leggauss(n)
    return [((p + q) / 2 + (q - p) / 2 * mpmath.mpf(xi), mpmath.mpf(wi) / 2) for xi, wi in zip(x, w)]


#: distribution name -> (number of parameters, builder(name, *params)); N's second parameter is the variance
DISTRIBUTIONS = {
    "normal": (2, lambda n, mu, var: Normal(n, mu, sp.sqrt(var))),
    "uniform": (2, lambda n, a, b: Uniform(n, a, b)),
    "bernoulli": (1, lambda n, p: Bernoulli(n, p)),
}


def _valid_law(kind, params, spelled, pos, declared=()):
    """A law's parameters must be valid wherever the claim is checked (U(a, b): a < b; N(mu, s^2): s^2 > 0;
    Bernoulli(p): 0 <= p <= 1), by the declarations alone: a sample point outside would be no counterexample."""
    if kind == "uniform":
        ok, need = (params[1] - params[0]).is_positive, "the lower end below the upper"
    elif kind == "normal":
        ok, need = params[1].is_positive, "a positive variance"
    else:
        q = params[0]
        ok = bool(q.is_nonnegative and (1 - q).is_nonnegative) or any(
            d.obj == q and set(d.domain.split()) & {"(0,1)", "[0,1]", "(0,1]", "[0,1)"} for d in declared)
        need = "a probability in [0, 1]"
    if not ok:
        raise Unsupported(f"{spelled}(...) needs {need}, and the declarations do not guarantee it: declare the "
                          "parameters (for instance 'scalar positive')", pos)


#: laws a declared scalar may be given as a value of: name -> (parameters, whether the declared symbol lies in
#: the support with valid parameters, by the assumptions alone)
_VALUE_LAWS = {
    "poisson": (1, lambda x, ps: bool(x.is_integer and x.is_nonnegative and ps[0].is_positive)),
    "normal": (2, lambda x, ps: bool(x.is_real and ps[1].is_positive)),
    r"\mathcal{n}": (2, lambda x, ps: bool(x.is_real and ps[1].is_positive)), "n": (2, lambda x, ps: bool(
        x.is_real and ps[1].is_positive)),
}

#: how sources spell them
DISTRIBUTION_NAMES = {r"\mathcal{N}": "normal", "N": "normal", r"\mathcal{U}": "uniform", "U": "uniform",
                      "normal": "normal", "uniform": "uniform", "bernoulli": "bernoulli", "bern": "bernoulli"}


def _softmax(it, args, primes, pos, param=None):
    z = _one(args, "softmax", pos)
    if not is_array(z):
        raise LatexError("softmax needs a vector argument", pos)
    if primes:
        raise LatexError("write the softmax Jacobian as a partial derivative", pos)
    return SoftmaxVec(z)


def _diag(it, args, primes, pos, param=None):
    v = _one(args, "diag", pos)
    if not is_array(v) or v.shape[1] != 1:
        raise Unsupported("diag of something that is not a vector", pos)
    return sp.DiagMatrix(v)


def _generic(name):
    def build(it, args, primes, pos, param=None):
        f = GenericFunction(name)
        if primes:
            u = sp.Dummy("x", real=True)
            return sp.Subs(sp.Derivative(f(u), u, primes), u, _one(args, name, pos))
        return f(*args)
    return build


def _sequence(fname):
    def build(it, args, primes, pos, param=None):
        if fname == "vec":
            return Vec(_one(args, "vec", pos))
        if len(args) != 2 or not is_array(args[0]):
            raise LatexError(f"{fname} takes two arguments", pos)
        return Conv(*args) if fname == "conv2d" else ConvMatrix(*args)
    return build


def _loss(name):
    def build(it, args, primes, pos, param=None):
        return LOSSES[name](args, it.scope, pos)
    return build


def _init(name):
    def build(it, args, primes, pos, param=None):
        fn, arity = INITS[name]
        if len(args) != arity:
            raise LatexError(f"{name} takes {arity} argument(s)", pos)
        return fn(*args)
    return build


def _side_of_domain(body, var, point) -> str:
    r"""``"+"`` where the body (of the limit's variable only) is real and continuous on some
    :math:`(a, a + \delta)` but on no :math:`(a - \delta, a)` (:math:`\frac{d}{dx}\log x` at 0), ``"-"`` for the
    mirror case, else ``"+-"`` (the two-sided limit as written)."""
    if body.free_symbols != {var} or not (point.is_number and point.is_finite and point.is_real):
        return "+-"
    from sympy.calculus.util import continuous_domain
    try:
        dom = continuous_domain(body, var, sp.S.Reals)
        marks = sorted((p for p in dom.boundary if p.is_number and p.is_finite and p != point), key=float)

        def covers(side):
            near = [abs(p - point) for p in marks if (p - point) * side > 0]
            r = min(near) if near else sp.Integer(1)
            span = sp.Interval.open(point, point + r) if side > 0 else sp.Interval.open(point - r, point)
            return bool(span.is_subset(dom))

        def empty(side):
            half = sp.Interval.open(point, sp.oo) if side > 0 else sp.Interval.open(-sp.oo, point)
            part = dom.intersect(half)
            return part is sp.S.EmptySet or (part.sup < point if side < 0 else part.inf > point)
        if covers(1) and empty(-1):
            return "+"
        if covers(-1) and empty(1):
            return "-"
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        pass
    return "+-"


def _normal_cdf(x):
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def _normal_pdf(x):
    return sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)


def _order(it, args, primes, pos, param=None):
    r"""Landau's :math:`O(h^k)` as :math:`h \to 0`, for the one parameter declared ``small``."""
    x = _one(args, "O", pos)
    small = [d.obj for d in it.scope.symbols.values() if d.domain == "small" and d.obj in x.free_symbols]
    if len(small) != 1:
        raise LatexError("O(...) needs one parameter declared 'scalar small' (the one that tends to 0)", pos)
    if is_array(small[0]):
        return _ray_order(it, x, small[0], pos)
    return sp.Order(x, (small[0], 0))


def _ray_order(it, x, eps, pos):
    r"""``O(\|\epsilon\|^k)`` for a small vector :math:`\epsilon`: the claim is read along every ray
    :math:`\epsilon = h u` (:math:`u` a fixed vector, a scalar :math:`h \to 0^+`), where
    :math:`\|h u\|^k = h^k \|u\|^k` with :math:`\|u\|` a positive constant, so the term is :math:`O(h^k)`.
    For an expression that is a polynomial in :math:`\epsilon` once its arbitrary (smooth) functions are Taylor
    polynomials, that is the same claim: its terms below :math:`h^k` are homogeneous polynomials in :math:`u`,
    which vanish for every :math:`u` exactly when no term of degree below :math:`k` is left (the rest is then
    :math:`O(\|\epsilon\|^k)`, the functions' remainders by Taylor's theorem); the judge reads nothing else
    (:mod:`.rays`).  Only a power of the norm is read: any other expression of the vector is not one order."""
    base, k = x.as_base_exp() if isinstance(x, sp.Pow) else (x, sp.Integer(1))
    if not (isinstance(base, Norm) and base.args[0] == eps and k.is_Integer and k > 0 and eps.shape[1] == 1):
        raise Unsupported(f"O(...) of a vector {eps} that tends to 0 is read only as O(\\|{eps}\\|^k)", pos)
    h = next((s for s, v in it.scope.rays.items() if v == eps), None) or sp.Dummy("h", positive=True)
    it.scope.rays[h] = eps
    it.scope.note(f"$O(\\|{_tex(eps)}\\|^{{{k}}})$ is read along every ray ${_tex(eps)} = h u$ as $O(h^{{{k}}})$, "
                  "$h \\to 0^+$")
    return sp.Order(h ** k, (h, 0))


#: function kind -> builder(interpreter, args, primes, pos, param) ; one row per name
FUNCTIONS = {
    **{name: _activation(name) for name in ACTIVATIONS},
    "log": _log, "ln": _elementary(sp.log, "ln"), "lg": _lg,
    "exp": _elementary(sp.exp, "exp"), "sin": _elementary(sp.sin, "sin"), "cos": _elementary(sp.cos, "cos"),
    "tan": _elementary(sp.tan, "tan"), "sinh": _elementary(sp.sinh, "sinh"), "cosh": _elementary(sp.cosh, "cosh"),
    "erf": _elementary(sp.erf, "erf"), "erfc": _elementary(sp.erfc, "erfc"),
    "Phi": _elementary(_normal_cdf, "Phi"), "phi": _elementary(_normal_pdf, "phi"),
    "sgn": _elementary(sp.sign, "sign"), "sign": _elementary(sp.sign, "sign"),
    "max": _max_min("max"), "min": _max_min("min"), "trace": _trace, "tr": _trace, "det": _det,
    "softmax": _softmax, "diag": _diag, "sum": _total, "clip": _clip,
    "expectation": _moment("E", stats_E), "variance": _moment("Var", stats_variance), "std": _std, "vec": _sequence("vec"), "conv2d": _sequence("conv2d"),
    "convmat": _sequence("convmat"), "order": _order, "binomial": _binomial,
    **{name: _loss(name) for name in LOSSES}, **{name: _init(name) for name in INITS},
}

#: names sources write for the built-in functions (lower case, no spaces) -> function kind
FUNCTION_NAMES = {
    "softmax": "softmax", "relu": "relu", "sigmoid": "sigmoid", "logistic": "sigmoid", "tanh": "tanh",
    "softplus": "softplus", "leakyrelu": "leaky_relu", "leaky_relu": "leaky_relu", "lrelu": "leaky_relu",
    "log": "log", "ln": "ln", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh",
    "cosh": "cosh", "erf": "erf", "erfc": "erfc", "max": "max", "min": "min", "tr": "trace", "trace": "trace",
    "det": "det", "diag": "diag", "sign": "sign", "sgn": "sgn", "vec": "vec", "mse": "mse", "bce": "bce",
    "sse": "sse", "cce": "cce", "step": "step", "heaviside": "step", "lg": "lg", "sum": "sum",
    "var": "variance", "std": "std", "clip": "clip", "binom": "binomial",
}
#: ``+ \text{const}``: the marker of an additive constant (a name with a space: no claim can spell it)
CONSTANT = sp.Symbol("additive constant", real=True)
#: the words sources write for it (lower case, a final period dropped)
CONSTANT_WORDS = frozenset({"const", "constant", "cst"})
#: how sources write a probability
_PROBABILITY = frozenset({"P", r"\Pr", "Pr", r"\mathbb{P}"})
#: the function kinds that take a random variable (their argument may name a distribution)
_MOMENTS = frozenset({"expectation", "variance", "std"})
#: symbols that name a function when they are applied and not declared otherwise
SYMBOL_FUNCTIONS = {r"\sigma": "sigmoid", r"\Phi": "Phi", "O": "order", r"\mathcal{O}": "order"}
#: undeclared letters that, applied to brackets, are read as arbitrary functions; a claim about them
#: can be proved (it holds for every function) but never refuted (the source may mean a particular one)
_GENERIC_LETTERS = frozenset({"f", "g", "h", "F", "G", "H", r"\ell", r"\phi", r"\varphi", r"\psi", "J", "L",
                              r"\mathcal{L}", r"\mathcal{J}"})
#: of those, the letters that name activations: applied to a vector, entry by entry (f, J, L stay scalar-valued)
_ELEMENTWISE_LETTERS = frozenset({"g", "h", "G", "H", r"\phi", r"\varphi", r"\psi"})
#: notation for random variables, probabilities and orders, not read yet: never a plain symbol
RESERVED = {"E": "an expectation", r"\mathbb{E}": "an expectation", r"\mathbb{P}": "a probability",
            r"\Pr": "a probability", "P": "a probability", r"\mathcal{N}": "a normal distribution",
            "N": "a normal distribution", "U": "a uniform distribution", r"\mathcal{U}": "a uniform distribution",
            r"\mathbb{1}": "an indicator",
            "Var": "a variance", "Cov": "a covariance", "Std": "a standard deviation", "Pr": "a probability",
            "var": "a variance", "cov": "a covariance"}


# --------------------------------------------------------------------------- inference
def _bound_indices(node, out):
    """Index letters bound by sums, with their ranges: {name: (lo node, hi node)}."""
    for n in ir.walk(node):
        if isinstance(n, ir.BigOp) and n.op in ("sum", "prod") and n.lower is not None:
            low = n.lower
            if isinstance(low, ir.Chain) and len(low.terms) == 2 and low.rels == ("=",):
                var = low.terms[0]
                if isinstance(var, ir.Atom):
                    out.setdefault(var.name, (low.terms[1], n.upper))
            elif isinstance(low, ir.Atom):
                out.setdefault(low.name, (None, n.upper))
            elif isinstance(low, ir.Tuple):
                for x in low.items:
                    if isinstance(x, ir.Atom):
                        out.setdefault(x.name, (None, n.upper))
    return out


#: the moments a conditional bar may stand in (E[X \mid A]), lower-cased, without backslashes
_CONDITIONED = frozenset({"e", "mathbb{e}", "var", "std"})


def _conditional_bars(node):
    r"""``\mid`` is read only as the event of a moment, ``E[X \mid A]``; anywhere else (``P(y \mid x)``,
    ``H(Y \mid X)``) its meaning is not fixed here: an error, never a guess."""
    allowed = set()
    for n in ir.walk(node):
        head = n.head if isinstance(n, ir.Call) else (n.func if isinstance(n, ir.Apply) else None)
        arg = n.arg if isinstance(n, ir.Call) else (n.args[0] if isinstance(n, ir.Apply) and n.args else None)
        if head is None or not isinstance(arg, ir.Paren):
            continue
        name = (getattr(head, "name", None) or "").lower().replace("\\", "")
        if name in _CONDITIONED and not getattr(head, "bold", False):
            allowed.add(id(arg.arg))
    for n in ir.walk(node):
        if isinstance(n, ir.Chain) and "mid" in n.rels and id(n) not in allowed:
            raise Unsupported(r"\mid (a conditional bar) is read only as the event of a moment, E[X \mid A] or "
                              r"\operatorname{Var}[X \mid A]; a conditional probability or density is not read yet",
                              _pos(n))


@dataclass(frozen=True)
class Printed:
    """A number as the source printed it (``0.731``): its text and its exact value."""

    text: str
    value: sp.Expr


# --------------------------------------------------------------------------- interpreter
def _without_logic(statements, allowed):
    """Statements drawn from statements ('A and hence B') are judged in a claim's formula only: in a
    definition or a given fact, reading them as two facts would assert what the source only derives."""
    if not allowed:
        for st in statements:
            if st.logic:
                raise Unsupported("'and hence', 'or equivalently', \\implies or \\iff outside the claim's "
                                  "formula (in a definition or a given fact) is not read", st.span[0])
    return statements


def _pos(node):
    return node.span[0] if node is not None else None


_FLAG = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(True|False)\s*$")


def _flag_of(cond):
    r"""``\texttt{nesterov = True}`` as a case condition: ``("nesterov", True)``, else None."""
    if isinstance(cond, ir.Chain) and len(cond.terms) == 1 and isinstance(cond.terms[0], ir.Name):
        m = _FLAG.match(cond.terms[0].name)
        if m:
            return m.group(1), m.group(2) == "True"
    return None


class Flag(sp.Symbol):
    """The condition 'keyword = setting' of a case (an optimizer's option); set by the judge, never sampled."""

    def __new__(cls, name, setting=None):
        return super().__new__(cls, name if setting is None else f"{name} = {setting}")

    @property
    def keyword(self):
        return self.name.split(" = ")[0]

    @property
    def setting(self):
        return self.name.split(" = ")[1] == "True"


def _conditional_name(node) -> bool:
    r"""``P(y = 1 \mid x; w, b)``: a probability's letter before a conditional with parameters after ';'."""
    if isinstance(node, ir.Product) and len(node.factors) == 2:
        head, arg = node.factors
    elif isinstance(node, ir.Call):
        head, arg = node.head, node.arg
    else:
        return False
    return (isinstance(head, ir.Atom) and not head.bold and head.name in _PROBABILITY and
            isinstance(arg, ir.Tuple) and arg.bracket == "(;")


class Interpreter:
    """Turns the readings of one claim's strings into SymPy, in one :class:`Scope`."""

    def __init__(self, scope: Scope, user_functions=None, notation="latex"):
        self.scope = scope
        read = reader(notation)
        words = scope.words
        self.read = lambda text, logic=False: [
            name_bare_ranges(st, set(self.scope.declared) | set(getattr(self, "defined_keys", ())), self.scope.note)
            for st in self._applied_readings(_without_logic(read(text, words), logic))]
        self.user_functions = dict(user_functions or {})    # key -> (params, body)
        self.definitions = {}                                # symbol -> value, for a(z) dependency notation
        self.local = {}                                      # bound index name -> Symbol (inside sums)
        self.bound_ranges = {}                               # index name -> (lo, hi) nodes seen in sums
        self.sum_ranges = {}                                 # index name -> (lo, hi) of the sum being read
        self.families = {}                                   # base of a declared member x_i -> its family's array
        self.family_decls = {}                               # base -> (domain, interval) of its members
        self.single_members = set()                          # declared x_i read as the one vector it names
        self.defined_keys = set()                            # spellings the definitions define
        self.values = set()                                  # symbol keys used as values (not applied)
        self.sequences = {}                                  # base key -> subscripts with a variable
        self.subscripts = {}                                 # base key -> every Sub node the claim writes on it
        self.given_numbers = {}                              # key -> the whole number a given equates it with
        self.given_entries = {}                              # base key -> k of every given 's_k = number'
        self.unrolled = set()                                # bases read entry by entry from their given values
        self.statements_seen = []                            # every statement of the claim, as read first
        self.entry_functions = {}                            # key -> (vector, index, body): f(x_i) = ...
        self.vector_functions = {}                           # key -> (parameter, body node): f(x) = \sum_i x_i^2
        self.vector_function_lengths = {}                    # key -> the length of the vector it is applied to
        self.shadowed = set()                                # parameters being read: not terms of a sequence
        self.listed = set()                                  # keys declared by declares_list (x = (1, 2, 3))
        self.elementwise = set()                             # generic functions a definition applies entry by entry
        self.recurrences = {}                                # sequence base -> Recurrence (v_t = F(v_{t-1}), v_0)
        self.recurrence_chains = []                          # the chains that state them (not read as relations)
        self.recurrence_bound = []                           # recurrence variables bound to a number now
        self.recurrence_hypothesis = {}                      # base -> C(index), during an induction step
        self.symbolic_terms = {}                             # base -> {placeholder: index} (terms v_t, a start stated)
        self.updates = False                                 # the claim is an update rule (it names an algorithm)
        self.written = []                                    # the definitions in order: ('update', k, chain) or
        #                                                      ('def', k, symbol), for update lines among them
        self.moment_laws = None                              # inside E/Var/Std(...): the distributions written there
        self.moment_event = None                             # E[X \mid A]: the event A, for the moment being built
        self.prod_shape = None                               # the shape a prod(A, B) of the chain being read needs
        self.prod_choice = {}                                # prod's span -> which of its products this reading takes
        self.prod_counts = {}                                # prod's span -> how many products have that shape
        self.applications = {}                               # head key -> {canon(arg): arg node} applied in the claim
        self.bare_derivatives = {}                           # key -> [wrt nodes] of derivatives of the bare name

    # ------------------------------------------------------------------ entry points
    def function_names(self) -> set:
        """Names the claim makes functions: declared, defined, the table's letters (sigma), and the heads of
        symbols declared applied (``'f(x)' = "scalar (0,1)"``)."""
        names = set(self.scope.functions) | set(self.user_functions) | set(self.entry_functions) | \
            set(self.vector_functions)
        names |= {k for k in SYMBOL_FUNCTIONS if k not in self.scope.symbols}
        names |= {m.group(1) for k in self.scope.symbols for m in [re.match(r"(.+?)\(.*\)$", k)] if m}
        return names

    def _applied_readings(self, sts):
        r"""Of several readings, those where no function name stands bare before its own bracket: in
        ``\log q(x)`` with q a function, ``\log(q) \cdot (x)`` (a logarithm of a function, times x) means
        nothing, and ``\log(q(x))`` is the one reading left."""
        if len(sts) < 2:
            return sts
        names = self.function_names()

        def bare_before_bracket(st):
            for n in ir.walk(st):
                if isinstance(n, ir.Product):
                    for a, b in zip(n.factors, n.factors[1:]):
                        if isinstance(a, ir.Apply) and not a.bracket and len(a.args) == 1 and \
                                isinstance(a.args[0], (ir.Atom, ir.Name)) and _key(a.args[0]) in names and \
                                isinstance(b, ir.Paren) and b.bracket == "(":
                            return True
            return False
        kept = [st for st in sts if not bare_before_bracket(st)]
        return kept or sts

    def statements(self, text: str, logic=False) -> list:
        """The readings of a string as statements of the intermediate form, their sums' ranges noted
        (``logic``: the claim's formula, where 'A and hence B' is judged; anywhere else it is not read)."""
        sts = self.read(text, logic)
        if logic:
            sts = [self._named_conditional(st) for st in sts]
        for st in sts:
            _bound_indices(st, self.bound_ranges)
            _conditional_bars(st)
        return sts

    def _named_conditional(self, st):
        r"""``P(y = 1 \mid x; w, b) = \frac{1}{1 + e^{-(w^T x + b)}} = \sigma(w^T x + b)``: the first member
        names the conditional probability the second writes out (a function of y given x, w and b its
        parameters), so it is a definition and the rest is the claim; only in the formula, only with ``=``
        after it and at least two members after it (else nothing would be left to check)."""
        chains = []
        for ch in st.chains:
            if len(ch.terms) >= 3 and ch.rels[0] == "=" and _conditional_name(ch.terms[0]):
                self.scope.note("the conditional probability on the left is named by the expression it is set "
                                "equal to (a definition); the rest of the chain is checked")
                ch = dataclasses.replace(ch, terms=ch.terms[1:], rels=ch.rels[1:])
            chains.append(ch)
        return dataclasses.replace(st, chains=tuple(chains))

    def is_new(self, node, defining=False) -> bool:
        """A name the claim introduces here: not declared, not defined, not a function the reader knows
        (``defining``: the name a definition being read introduces, which the definitions list names)."""
        defined = set() if defining else self.defined_keys
        if isinstance(node, ir.Call):
            head = node.head
            key = _key(head)
            if key is None:
                return False
            if isinstance(head, ir.Name):
                name = head.name.lower().replace(" ", "").replace("-", "_")
                if name in FUNCTION_NAMES:
                    return False
            return (key not in self.scope.functions and key not in self.user_functions and key not in
                    self.entry_functions and key not in SYMBOL_FUNCTIONS and key not in self.scope.declared and key not in defined
                    and key not in RESERVED)
        if isinstance(node, ir.Apply):
            name = node.func.name.lower().replace(" ", "").replace("-", "_").replace("\\", "")
            key = canon(ir.Func(node.func.name))
            return (name not in FUNCTION_NAMES and key not in self.scope.functions and key not in self.user_functions)
        if isinstance(node, ir.Pow) and not (isinstance(node.base, (ir.Atom, ir.Sub)) and
                                             node.text.startswith(("(", "["))):
            return False        # (x+1)^2, x^2: a power, not a name; W^{(l)}, a^{[l]}: a labelled name
        if isinstance(node, (ir.Atom, ir.Sub, ir.Pow)):
            key = _key(node)
            if key is None or key in self.scope.declared or key in defined or key in RESERVED:
                return False
            if isinstance(node, ir.Sub):
                base = _key(node.base)
                if base in self.scope.declared or base in defined or base in self.recurrences:
                    return False
                bd = self.scope.symbols.get(base)
                if bd is not None and bd.is_array and bd.obj in self.definitions:
                    return False        # an entry of an array defined entry by entry (sigma_1 of sigma_i = ...)
            if isinstance(node, ir.Atom) and node.name in ("e", r"\pi", r"\infty"):
                return False
            d = self.scope.symbols.get(key)
            return d is None or d.obj not in self.definitions
        return False

    def readings(self, text: str) -> list[list]:
        """Each reading of a claim string: a list of chains ``[side, rel, side, ...]`` (+ conditions)."""
        out = []
        for st in self.read(text):
            _bound_indices(st, self.bound_ranges)
            out.append(self.statement(st))
        return out

    def statement(self, st: ir.Statement):
        chains = [self.chain(c) for c in st.chains]
        conds = [self.chain(c) for c in st.conditions]
        return chains, conds

    def chain(self, ch: ir.Chain) -> list:
        if any(prod.prod_calls(t) for t in ch.terms):
            return self._prod_chain(ch)
        read = self._bare_lists(ch)
        out = []
        for k, term in enumerate(ch.terms):
            if k:
                out.append(ch.rels[k - 1])
            if k in read:
                out.append(read[k])
            elif k and ch.rels[k - 1] == "in":
                out.append(self.space(term))
            elif k and ch.rels[k - 1] == "~" and _is_number(term):
                out.append(Printed(canon(term), self.expr(term)))    # the digits as printed
            elif k and ch.rels[k - 1] == "~" and _scientific(term):
                text = rf"{term.factors[0].text} \times 10^{{{canon(term.factors[1].exp)}}}"
                out.append(Printed(text, self.expr(term)))
            else:
                out.append(self.expr(term))
        return out

    def _bare_lists(self, ch: ir.Chain) -> dict:
        r"""``\nabla f(x, y) = [2xy, x^2]``: a bracketed list of scalars written as a whole side of an equation
        whose other sides are vectors of that length, one orientation among them.  The list writes the
        entries and no orientation, and an equation of vectors holds entry by entry: it is read in the other
        sides' orientation.  Elsewhere (no vector beside it, vectors of both orientations, a matrix) a bare list
        stays unread.  Returns every side's value (the lists read), or {}."""
        if not ch.rels or any(r != "=" for r in ch.rels):
            return {}
        spots = [k for k, t in enumerate(ch.terms) if isinstance(t, ir.Tuple) and t.bracket == "["]
        if not spots or len(spots) == len(ch.terms):
            return {}
        try:
            others = {k: self.expr(t) for k, t in enumerate(ch.terms) if k not in spots}
        except (Unsupported, LatexError, ShapeMismatch):
            return {}
        shapes = {tuple(v.shape) if is_array(v) else None for v in others.values()}
        if len(shapes) != 1 or None in shapes:
            return {}
        (shape,) = shapes
        if 1 not in shape or shape == (1, 1):
            return {}
        out = dict(others)          # the other sides, evaluated once
        for k in spots:
            entries = [self.expr(x) for x in ch.terms[k].items]
            if any(is_array(e) or not isinstance(e, sp.Basic) for e in entries) \
                    or (shape[0] if shape[1] == 1 else shape[1]) != len(entries):
                return {}
            out[k] = sp.ImmutableMatrix([entries]) if shape[0] == 1 else sp.ImmutableMatrix([[e] for e in entries])
        self.scope.note("a bare list $[a, b, \\dots]$ writes entries, not an orientation: it is compared entry by "
                        "entry with the vector on the other side")
        return out

    def _prod_chain(self, ch: ir.Chain) -> list:
        r"""A chain with d2l's prod(A, B) in it: the terms without prod first, which fix the shape each prod
        must have (a prod is read only as a summand of a term, where its shape is the term's)."""
        if any(r != "=" for r in ch.rels) or not all(prod.additive_only(t) for t in ch.terms):
            raise Unsupported(r"\textrm{prod}(A, B) is read only as a summand of the sides of an equation "
                              "(where the other sides fix its shape)", _pos(ch))
        values = {k: self.expr(t) for k, t in enumerate(ch.terms) if not prod.prod_calls(t)}
        if not values:
            raise Unsupported(r"\textrm{prod}(A, B) on every side: no side fixes the shape of the product", _pos(ch))
        first = values[min(values)]
        shape = tuple(first.shape) if is_array(first) else (1, 1)
        saved, self.prod_shape = self.prod_shape, shape
        try:
            for k, t in enumerate(ch.terms):
                if k not in values:
                    values[k] = self.expr(t)
        finally:
            self.prod_shape = saved
        out = []
        for k in range(len(ch.terms)):
            if k:
                out.append(ch.rels[k - 1])
            out.append(values[k])
        return out

    def _prod(self, c: ir.Call):
        """One product of prod's two operands with the shape the chain needs (:mod:`.prod`)."""
        args, post = self._unwrap(c.arg)
        if len(args) != 2 or post:
            raise LatexError(r"\textrm{prod} takes two operands", _pos(c))
        if self.prod_shape is None:
            raise Unsupported(r"\textrm{prod}(A, B) outside an equation's sides: its shape is not fixed", _pos(c))
        three = [self._vector_by_matrix(x) for x in args]
        if all(three):
            raise Unsupported(r"\textrm{prod} of two derivatives of a vector by a matrix (3-index arrays)", _pos(c))
        if any(three):
            # the 3-index array is contracted with the other operand, a vector (:func:`.prod.contractions`)
            d, other = (args[0], args[1]) if three[0] else (args[1], args[0])
            a, f, w = self.expr(other), self.expr(d.body), self.expr(d.wrt[0][0])
            self._vacuous(d.body, f, d.wrt)
            found = prod.contractions(a, f, w, self.prod_shape)
            ops = f"${_tex(a)}$ and the 3-index array $T = {canon(d)}$"
        else:
            a, b = (self.expr(x) for x in args)
            found = prod.candidates(a, b, self.prod_shape)
            ops = f"${_tex(a)}$ and ${_tex(b)}$"
        if not found:
            raise ShapeMismatch(f"no product of {ops} (with transposes, in either order, or elementwise) has the "
                                f"shape ({self.prod_shape[0]}, {self.prod_shape[1]}) of the other sides", _pos(c))
        self.prod_counts[c.span] = len(found)
        label, value = found[self.prod_choice.get(c.span, 0)]
        names = ", ".join(lbl for lbl, _ in found)
        self.scope.note(rf"$\textrm{{prod}}(A, B)$ of {ops}: " + (
            f"the only product with the shape the claim needs is {label}" if len(found) == 1 else
            f"{len(found)} products have the shape the claim needs ({names}): each is a reading"))
        return value

    def _vector_by_matrix(self, node) -> bool:
        """``node`` is the derivative of a vector by a matrix (a 3-index array, read only inside prod)."""
        if not (isinstance(node, ir.Derivative) and node.kind == "partial" and len(node.wrt) == 1
                and node.wrt[0][1] == 1):
            return False
        f, w = self.expr(node.body), self.expr(node.wrt[0][0])
        return is_array(f) and is_array(w) and _conform(f.shape[1], 1) and not _conform(w.shape[1], 1) \
            and not _conform(w.shape[0], 1)

    def declares_shape(self, name, space) -> bool:
        r"""``x \in \mathbb{R}^n`` written in the claim for an undeclared x: its declaration (a real vector or
        matrix of those sizes), as if in ``symbols``.  False when x is declared (the chain is then a shape claim)."""
        if not isinstance(name, (ir.Atom, ir.Sub)) or not isinstance(space, ir.Pow):
            return False
        base = space.base
        if not (isinstance(base, ir.Atom) and base.name == r"\mathbb{R}"):
            return False
        key = canon(name)
        if key in self.scope.declared:
            return False
        if key in self.scope.symbols:
            raise LatexError(f"{key} is used before the statement of its shape: state {key} \\in ... first, or "
                             "declare it in 'symbols'", _pos(name))
        dims = []
        for d in _dims(space.exp):
            if isinstance(d, ir.Number) or (isinstance(d, ir.Atom) and len(d.name) == 1 and d.name.isalpha()):
                dims.append(d.text if isinstance(d, ir.Number) else d.name)
            else:
                raise Unsupported(f"the size {canon(d)!r} in a shape statement is not read yet (a letter or a "
                                  "number)", _pos(d))
        if len(dims) not in (1, 2):
            raise Unsupported("a shape with more than two sizes", _pos(space))
        kind = "vector" if len(dims) == 1 or dims[1] == "1" else "matrix"
        text = " ".join([kind, *dims[:1 if kind == "vector" else 2], "real"])
        decl = parse_declaration(key, text)
        self.scope.symbols[key] = decl
        self.scope.declared.add(key)
        self.scope.inferred[key] = f"{text}, from the claim's own shape statement"
        for dim in decl.dims:
            if getattr(dim, "is_Symbol", False) and _safe_key(dim.name) not in self.scope.symbols:
                self.scope.symbols[_safe_key(dim.name)] = Decl(dim.name, "scalar", (), "positive integer",
                                                               {"integer": True, "positive": True},
                                                               (1, 5, False, False), dim)
        return True

    def declares_list(self, name, value) -> bool:
        r"""A given ``x = [1, 1, 1, 1]^T`` or ``x = (1, 2, 3)`` (a point of $\mathbb{R}^3$) for an undeclared x:
        x is a real vector of that length (the list states it), as if declared; False where x is declared or the
        value is not such a list."""
        items = _vector_items(value)
        grid = _matrix_size(value)
        if not isinstance(name, (ir.Atom, ir.Sub)) or (items is None and grid is None):
            return False
        key = canon(name)
        if key in self.scope.declared or key in self.scope.symbols:
            return False
        text = f"vector {len(items)} real" if items is not None else "matrix %d %d real" % grid
        self.scope.symbols[key] = parse_declaration(key, text)
        self.scope.declared.add(key)
        self.scope.inferred[key] = f"{text}, from the list a given fact equates it with"
        self.listed.add(key)
        return True

    def space(self, node):
        r"""``\mathbb{R}^{m \times n}`` as a shape tuple."""
        base, exp = node, None
        if isinstance(node, ir.Pow):
            base, exp = node.base, node.exp
        if not (isinstance(base, ir.Atom) and base.name == r"\mathbb{R}"):
            raise Unsupported(r"only \mathbb{R}^{...} is read after \in", _pos(node))
        if exp is None:
            return (sp.Integer(1), sp.Integer(1))
        dims = _dims(exp)
        vals = [self.expr(d) for d in dims]
        return tuple(vals) if len(vals) == 2 else (vals[0], sp.Integer(1))

    # ------------------------------------------------------------------ expressions
    def expr(self, node):
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"{type(node).__name__} is not read yet", _pos(node))
        return method(node)

    def _Number(self, n: ir.Number):
        return sp.Rational(n.text)

    def _Atom(self, a: ir.Atom):
        return self.symbol(a)

    def _Sub(self, s: ir.Sub):
        return self.symbol(s)

    def _Pow(self, p: ir.Pow):
        if self._declared(p) is not None:
            return self.symbol(p)
        if isinstance(p.exp, ir.Atom) and p.exp.name in ("+", "-"):
            return self._sign_part(p)
        if p.text.startswith(("(", "[")) and isinstance(p.base, (ir.Atom, ir.Sub)) and not _is_number(p.exp):
            labelled = _label_then_transpose(p)
            if labelled is not None:
                # x^{(i)\top}: the transpose of the labelled x^{(i)}, not a name spelled with the mark
                return self.expr(labelled)
            if isinstance(p.exp, ir.Product) and any(isinstance(f, ir.Atom) and f.name in TRANSPOSE_MARKS
                                                     for f in p.exp.factors):
                raise Unsupported(f"the superscript {p.text!r} holds a label and a mark that may be a transpose: "
                                  "write the label's symbol transposed, (x^{(i)})^\\top", _pos(p))
            return self.symbol(p)       # W^{(l)}: a labelled symbol
        if isinstance(p.base, ir.Atom) and p.base.name == "e" and self._declared(p.base) is None:
            exp = self.expr(p.exp)
            if is_array(exp):
                raise Unsupported("e to a vector or matrix (entry by entry, or the matrix exponential?) is not "
                                  "read yet", _pos(p))
            return _real_domain_kept([exp], sp.exp(exp), _pos(p))
        base = self.expr(p.base)
        exp = self.expr(p.exp)
        return self.power(base, exp, _pos(p))

    def _At(self, a: ir.At):
        r"""``\frac{d}{dz}(\dots) \Big|_{z = a}``: the body with the scalar ``z`` set to ``a`` (after the
        derivative is taken).  A point that is not ``symbol = value``, or a symbol a definition gives, is an
        error (setting it would cut what it is defined by)."""
        pt = a.point
        if not (isinstance(pt, ir.Chain) and pt.rels == ("=",) and isinstance(pt.terms[0], (ir.Atom, ir.Sub))):
            raise LatexError("an evaluation bar needs its point, |_{x = a}", _pos(a))
        var, value = self.expr(pt.terms[0]), self.expr(pt.terms[1])
        if not isinstance(var, sp.Symbol) or is_array(value):
            raise Unsupported("an evaluation bar at anything but a scalar symbol set to a scalar", _pos(a))
        if var in self.definitions:
            raise LatexError(f"an evaluation bar at {canon(pt.terms[0])}, which a definition gives", _pos(a))
        # the definitions first: y = z^2 at z = 1 is 1, not the symbol y (which has no z to set)
        body = _substituted(self.expr(a.body), {k: v for k, v in self.definitions.items() if isinstance(v, sp.Basic)})
        if is_array(body):
            raise Unsupported("an evaluation bar after a vector or matrix", _pos(a))
        outside_domain(var, value, _pos(a))
        self.scope.note(rf"$|_{{{canon(pt)}}}$ evaluates the expression before it at that point")
        return body.subs(var, value)

    def _sign_part(self, p: ir.Pow):
        r"""``(x)^+``: the positive part :math:`\max(x, 0)` of a scalar.  ``x^-`` (the negative part is
        :math:`\max(-x, 0)` or :math:`\min(x, 0)` by source), ``A^+`` of an array (the pseudo-inverse) and
        ``0^+`` outside a limit are errors, never a guess."""
        if p.exp.name == "-":
            raise LatexError(f"{canon(p)}: the negative part is not read (max(-x, 0) or min(x, 0)?); write it out",
                             _pos(p))
        if _is_number(p.base):
            raise LatexError(f"{canon(p)} outside a limit", _pos(p))
        value = self.expr(p.base)
        if is_array(value):
            raise Unsupported(f"{canon(p)} of a vector or matrix (a pseudo-inverse, or the positive part of each "
                              "entry?) is not read", _pos(p))
        self.scope.note(r"$(x)^+$ is read as the positive part $\max(0, x) = \mathrm{ReLU}(x)$")
        return _activation("relu")(self, [value], 0, _pos(p))      # as \max(0, x) is read

    def _Transpose(self, t: ir.Transpose):
        if isinstance(t.base, ir.Tuple) and (t.base.bracket == "[" or t.base.bracket == "(" and len(t.base.items) >= 2):
            return self.column(t.base)          # [x_1, x_2]^T, (x_1, x_2)^T: the column vector of the entries
        if t.mark == r"\tau":
            # x^\tau is a transpose in some sources; inside a sum over tau (beta^\tau) it is the power
            if r"\tau" in self.local:
                return self.expr(ir.Pow(t.base, ir.Atom(r"\tau", span=t.span), r"\tau", span=t.span))
            if r"\tau" in self.scope.symbols:
                raise Unsupported(r"x^\tau with \tau a declared value: a power or a transpose is not written",
                                  _pos(t))
        v = self.expr(t.base)
        self._transposed_scalar(v, t)
        return sp.Transpose(v) if is_array(v) else v

    def _transposed_scalar(self, v, node):
        """``x^T`` of a letter read as a scalar only because it is undeclared: the transpose says the source
        means a vector or a matrix, so reading it as a scalar would be a guess (never a verdict)."""
        if is_array(v) or not isinstance(v, sp.Basic):
            return
        guessed = sorted(str(x) for x in v.free_symbols
                         if self.scope.inferred.get(str(x)) == "real scalar (undeclared)")
        if guessed:
            raise LatexError(f"a transpose of {', '.join(guessed)}, which {'is' if len(guessed) == 1 else 'are'} "
                             "not declared: declare the shape (a vector or a matrix), or 'scalar'", _pos(node))

    def _Prime(self, p: ir.Prime):
        decl = self.scope.symbols.get(canon(p)) if isinstance(p.base, (ir.Atom, ir.Sub)) else None
        if decl is not None:
            return decl.obj         # h' = ...: a primed name a definition introduced (the new h)
        raise LatexError(f"a prime on {canon(p.base)!r} outside a function call: write f'(x) for a derivative, or "
                         f"declare {canon(p)!r} in 'symbols' for a name of its own", _pos(p))

    def _Factorial(self, f: ir.Factorial):
        return sp.factorial(self.expr(f.base))

    def _Name(self, n: ir.Name):
        """``\\text{learning\\_rate}``, ``fan_in``: a name of several letters used as a value is a symbol."""
        key = canon(n)
        word = n.name.replace("\\_", "_")          # \text{fan\_in}: the escaped underscore of LaTeX text
        if word.lower().rstrip(".") in CONSTANT_WORDS and key not in self.scope.symbols:
            return CONSTANT          # + \text{const.}: an additive constant, judged by :mod:`.uptoconstant`
        if not word.replace("_", "").isalnum():
            raise LatexError(f"the words {n.name!r} used as a value", _pos(n))
        if key in self.scope.symbols:
            return self.scope.symbols[key].obj
        return self._default_scalar(key, n)

    def _Text(self, t: ir.Text):
        raise Unsupported(f"the words {t.text!r} inside a formula", _pos(t))

    def _Paren(self, p: ir.Paren):
        if isinstance(p.arg, ir.Chain):
            raise Unsupported("a relation inside brackets", _pos(p))
        return self.expr(p.arg)

    def _Tuple(self, t: ir.Tuple):
        if t.bracket == "<" and len(t.items) == 2:         # \langle u, v \rangle of two vectors: u^T v
            u, v = (self.expr(x) for x in t.items)
            if not (is_array(u) and is_array(v) and u.shape[1] == 1 and v.shape[1] == 1):
                raise Unsupported(r"\langle a, b \rangle of anything but two vectors is not read yet", _pos(t))
            self.tie(u.shape[0], v.shape[0], _pos(t))
            if sp.simplify(u.shape[0] - v.shape[0]) != 0:
                raise ShapeMismatch(f"inner product of vectors of lengths {u.shape[0]} and {v.shape[0]}", _pos(t))
            return (sp.Transpose(u) * v)[0, 0]
        if t.bracket == "[" and self.scope.stated_layout == "numerator" == self.scope.conventions.get("layout"):
            # the claim states numerator layout, where a gradient is a row: its list of partials is that row
            entries = [self.expr(x) for x in t.items]
            if not any(is_array(e) for e in entries):
                self.scope.used_axes.add("layout")
                self.scope.note("the list $[a, b, \\dots]$ is read as a row vector (the claim states numerator layout)")
                return sp.ImmutableMatrix([entries])
        if t.bracket == "[":
            # a row or a column?  [x_1, x_2]^T says column; bare, numpy's flat vector is meant as often as a row
            raise Unsupported("a list [a, b, ...] without ^T (a row or a column vector?) is not read; write "
                              "[a, b, ...]^T for a column vector", _pos(t))
        raise Unsupported("a tuple of values is judged only as a whole side, (a, b) = (1, 2)", _pos(t))

    def column(self, t: ir.Tuple):
        """``[a, b, c]^T``: the column vector of scalar entries."""
        entries = [self.expr(x) for x in t.items]
        if any(is_array(e) or not isinstance(e, sp.Basic) for e in entries):
            raise Unsupported("a list of vectors or matrices is not read as a vector", _pos(t))
        return sp.ImmutableMatrix([[e] for e in entries])

    def _Neg(self, n: ir.Neg):
        return -self.expr(n.arg)

    def _Frac(self, f: ir.Frac):
        num, den = self.expr(f.num), self.expr(f.den)
        if is_array(den):
            raise ShapeMismatch("a fraction with a vector or matrix in the denominator", _pos(f))
        return num / den

    def _Sqrt(self, s: ir.Sqrt):
        x = self.expr(s.arg)
        if is_array(x):
            raise Unsupported("the square root of a vector or matrix", _pos(s))
        if s.index is None:
            return sp.sqrt(x)
        return sp.root(x, self.expr(s.index))

    def _Abs(self, a: ir.Abs):
        if isinstance(a.arg, ir.Matrix):
            return sp.ImmutableMatrix(self._Matrix(a.arg)).det()
        x = self.expr(a.arg)
        if is_array(x):
            if tuple(x.shape) == (1, 1):
                return sp.Abs(x[0, 0])
            if sp.simplify(x.shape[0] - x.shape[1]) == 0 and x.shape[1] != 1:
                self.scope.note(r"$|A|$ of a square matrix is read as its determinant")
                return sp.Determinant(x)
            raise Unsupported("|.| of a vector: write a norm", _pos(a))
        return sp.Abs(x)

    def _Norm(self, n: ir.Norm):
        x = self.expr(n.arg)
        if n.kind not in ("", "2", "F", "1"):
            raise Unsupported(f"the {n.kind}-norm is not read yet", _pos(n))
        if not is_array(x):
            return sp.Abs(x)
        if n.kind == "1":
            if x.shape[1] != 1:
                # of a matrix: the induced norm (largest column sum) or the sum of all entries' sizes?
                raise Unsupported("the 1-norm of a matrix is not read yet (induced or entry-wise)", _pos(n))
            k = sp.Dummy("k", integer=True)
            return sp.Sum(sp.Abs(x[k, 0]), (k, 0, x.shape[0] - 1))
        if x.shape[1] != 1 and x.shape[0] != 1:       # a matrix: Frobenius only where the claim writes _F
            if n.kind == "2" and self.scope.operators.get(r"\|\cdot\|_2") == "frobenius":
                self.scope.note(r"$\|A\|_2$ of a matrix is read as the Frobenius norm, as the source states")
            elif n.kind == "2":
                raise Unsupported(r"the spectral norm $\|A\|_2$ of a matrix is not read yet", _pos(n))
            if n.kind == "":
                raise Unsupported(r"$\|A\|$ of a matrix: the Frobenius norm or the operator (spectral) norm? "
                                  r"write $\|A\|_F$ for the Frobenius norm", _pos(n))
        return Norm(x)

    def _Matrix(self, m: ir.Matrix):
        rows = [[self.expr(e) for e in row] for row in m.rows]
        if len({len(r) for r in rows}) != 1:
            raise LatexError("matrix rows of different lengths", _pos(m))
        if any(is_array(e) for r in rows for e in r):
            raise Unsupported("a block matrix", _pos(m))
        return sp.ImmutableMatrix(rows)

    def _Cases(self, c: ir.Cases):
        if any(_probability_of(cond) is not None for _, cond in c.rows):
            return self._random_cases(c)
        flags = [_flag_of(cond) for _, cond in c.rows]
        if any(flags):
            return self._flag_cases(c, flags)
        pieces = []
        for value, cond in c.rows:
            v = self._worked_value(value) if isinstance(value, ir.Chain) else self.expr(value)
            pieces.append((v, self.condition(cond)))
        arrays = [is_array(v) for v, _ in pieces]
        if any(arrays):
            if not all(arrays):
                raise LatexError("cases whose values are scalars in one row and vectors or matrices in another",
                                 _pos(c))
            shape = tuple(pieces[0][0].shape)
            if any(not _same_shape(v.shape, pieces[0][0].shape) for v, _ in pieces):
                raise ShapeMismatch(f"the cases' values have different shapes ({', '.join(_shape_text(v) for v, _ in pieces)})",
                                    _pos(c))
            return PiecewiseArray(*pieces) if shape != (1, 1) else sp.Piecewise(*[(v[0, 0], k) for v, k in pieces])
        _no_conflicting_overlap(pieces, _pos(c))
        return sp.Piecewise(*pieces)

    def _flag_cases(self, c: ir.Cases, flags):
        r"""``\begin{cases} a & \text{if } \texttt{nesterov = False} \\ b & \text{if } \texttt{nesterov = True}
        \end{cases}`` in an update rule: one value per setting of an optimizer's keyword, a Piecewise on
        :class:`Flag` symbols that the judge sets per setting (each judged against the optimizer that setting
        selects, :data:`..mathematics.optimizers.FLAG_FORMS`); nowhere else has a keyword a value."""
        if not self.updates:
            raise Unsupported("a case chosen by an optimizer's keyword is read in an update rule only (with "
                              "'algorithm')", _pos(c))
        if not all(flags) or len({f[0] for f in flags}) != 1 or len({f[1] for f in flags}) != len(flags):
            raise Unsupported("cases chosen by one keyword, each setting once, are read; not these", _pos(c))
        return sp.Piecewise(*[(self.expr(value), Flag(name, setting)) for (value, _), (name, setting)
                              in zip(c.rows, flags)])

    def _worked_value(self, ch: ir.Chain):
        r"""A case value written as a worked step, ``\frac{dz}{dz} = 1``: one value only if its sides are equal
        for every input (not only under the case's condition); then the last side is the value."""
        values = [self.expr(t) for t in ch.terms]
        if any(is_array(v) or not isinstance(v, sp.Basic) for v in values):
            raise Unsupported("a relation inside a case value between vectors or matrices", _pos(ch))
        for a, b in zip(values, values[1:]):
            if not is_zero(elementary(sp.sympify(a - b).doit())):
                raise Unsupported(f"a relation inside a case value whose sides are not shown equal: ${canon(ch)}$",
                                  _pos(ch))
        self.scope.note(f"the case value ${canon(ch)}$ is a worked step (its sides are equal): read as its last side")
        return values[-1]

    def _random_cases(self, c: ir.Cases):
        r"""``\begin{cases} x & \text{with probability } p \\ 0 & \text{otherwise} \end{cases}``: a random
        variable of two values, :math:`x B + 0 (1 - B)` with :math:`B \sim \operatorname{Bernoulli}(p)`
        independent of everything else; the second probability must be :math:`1 - p` or 'otherwise'."""
        if len(c.rows) != 2:
            raise Unsupported("a random choice among more than two values is not read yet", _pos(c))
        (v1, c1), (v2, c2) = c.rows
        p1, p2 = _probability_of(c1), _probability_of(c2)
        if p1 is None:
            raise Unsupported("the first case of a random choice must state its probability", _pos(c))
        if c2 is not None and p2 is None:
            raise LatexError("a case with a probability and a case with a condition", _pos(c))
        p = self.expr(p1)
        if not self._unit_interval(p):
            raise Unsupported("the probability of a case must be a number or symbol declared in [0, 1]", _pos(c))
        if p2 is not None and sp.simplify(self.expr(p2) - (1 - p)) != 0:
            raise LatexError("the probabilities of the cases do not add up to 1", _pos(c))
        a, b = self.expr(v1), self.expr(v2)
        if is_array(a) or is_array(b):
            raise Unsupported("a random choice between arrays is not read yet", _pos(c))
        name = f"B_{{{len(self.scope.random) + 1}}}"
        while name in self.scope.random:
            name += "'"
        self.scope.random[name] = Bernoulli(name, p)
        self.scope.random_laws[name] = ("bernoulli", [p])
        self.scope.note(f"the cases are a random choice: ${_tex(a)}$ with probability ${_tex(p)}$, read with "
                        f"${name} \\sim$ Bernoulli$({_tex(p)})$")
        bern = self.scope.random[name]
        return a * bern + b * (1 - bern)

    def _unit_interval(self, p) -> bool:
        """``p`` is a probability: a number in [0, 1], or a symbol declared in [0, 1], or one minus such."""
        if is_array(p) or not isinstance(p, sp.Expr) or p.atoms(RandomSymbol):
            return False
        if p.is_number:
            return bool(0 <= p <= 1)
        sym = p if p.is_Symbol else (1 - p if (1 - p).is_Symbol else None)
        decl = next((d for d in self.scope.symbols.values() if d.obj == sym), None) if sym is not None else None
        return decl is not None and decl.kind == "scalar" and decl.interval[0] >= 0 and decl.interval[1] <= 1

    def condition(self, cond):
        if cond is None:
            return sp.true
        if isinstance(cond, ir.Tuple):
            return sp.And(*[self.condition(c) for c in cond.items])
        if not isinstance(cond, ir.Chain) or len(cond.terms) < 2:
            raise LatexError("a case condition must be a relation", _pos(cond))
        parts = []
        ops = {"<=": sp.Le, ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "=": sp.Eq, "!=": sp.Ne}
        for k, rel in enumerate(cond.rels):
            if rel not in ops:
                raise Unsupported(f"the relation {rel!r} in a condition", _pos(cond))
            parts.append(ops[rel](self.expr(cond.terms[k]), self.expr(cond.terms[k + 1])))
        return sp.And(*parts) if len(parts) > 1 else parts[0]

    def _BinOp(self, b: ir.BinOp):
        if b.op in ("+", "-"):
            terms = []
            self._flatten_sum(b, 1, terms)
            if any(is_dots(t) for _, t in terms):       # x_1 + x_2 + \ldots + x_n
                return self.expr(finite_series(self, terms, b.span))
            vals = [(s, self.expr(t)) for s, t in terms]
            narrow = self.add([v if s > 0 else -v for s, v in vals], _pos(b))
            def _leading_derivative(node):
                first = node.factors[0] if isinstance(node, ir.Product) and node.factors else node
                return isinstance(first, ir.Derivative) and first.open_scope
            for k, (sk, t) in enumerate(terms[:-1]):
                last = t.factors[-1] if isinstance(t, ir.Product) and t.factors else t
                if isinstance(last, ir.Derivative) and last.open_scope and not _leading_derivative(terms[k + 1][1]):
                    # (\frac{d}{dx} x + \frac{d}{dx} x^2: the operator written again on the next term, so each
                    # applies to its own term)
                    if self._call_closes_scope(last, terms[k + 1:], vals[k + 1:]):
                        break
                    # \frac{d}{dx} x^2 + x^3: the derivative of x^2 alone, or of the whole sum after it? Both
                    # readings are taken; they must agree (d/dz ReLU(z) - 1 does), else the claim is not judged
                    try:
                        wide = self._wide_reading(b, terms, vals, k, lambda op, body: ir.Derivative(
                            op.kind, body, op.wrt, op.order, span=op.span))
                    except (Unsupported, LatexError, ShapeMismatch):
                        raise Unsupported("a derivative operator before a + or -, its body in no bracket: whether "
                                          "it applies to the term or to the whole sum is not written, and the "
                                          "whole-sum reading is not read; bracket the body", _pos(b)) from None
                    if is_array(narrow) or is_array(wide):
                        same = False                   # of arrays: not compared (sizes may be symbolic)
                    else:
                        same = is_zero(narrow - wide)
                    if not same:
                        raise Unsupported("a derivative operator before a + or -, its body in no bracket: "
                                          "whether it applies to the term or to the whole sum is not written, and "
                                          "the two readings differ; bracket the body", _pos(b))
                    break
            self._limit_reaches(b, terms, vals, narrow)
            return narrow
        left, right = self.expr(b.left), self.expr(b.right)
        if b.op == "*":
            return self.multiply([left, right], _pos(b))
        if b.op in ("times", "star"):
            return self._explicit_product(b.op, left, right, _pos(b))
        if b.op == "dot":
            if is_array(left) and is_array(right) and left.shape[1] == 1 and right.shape[1] == 1:
                self.tie(left.shape[0], right.shape[0], _pos(b))
                if sp.simplify(left.shape[0] - right.shape[0]) != 0:
                    raise ShapeMismatch(f"dot product of vectors of lengths {left.shape[0]} and {right.shape[0]}",
                                        _pos(b))
                self.scope.note(r"$u \cdot v$ of two vectors is read as the dot product $u^T v$")
                return (sp.Transpose(left) * right)[0, 0]
            return self.multiply([left, right], _pos(b))
        if b.op == "/":
            if is_array(right):
                raise ShapeMismatch("division by a vector or matrix", _pos(b))
            return left / right
        if b.op == "odot":
            return self.hadamard(left, right, _pos(b))
        if b.op == "oslash":
            if is_array(left) and is_array(right):
                return self.hadamard(left, sp.HadamardPower(right, -1), _pos(b))
            return left / right
        if b.op == "otimes" and self.scope.operators.get(r"\otimes") == "hadamard":
            self.scope.note(r"$\otimes$ is read as the element-wise (Hadamard) product, as the source states")
            return self.hadamard(left, right, _pos(b))
        if b.op == "otimes":
            raise Unsupported(r"\otimes is the Kronecker product in some sources and the element-wise product in "
                              r"others: where the source says which, state it with operators = { '\otimes' = "
                              "'hadamard' }", _pos(b))
        raise Unsupported(f"the product {b.op} is not read yet", _pos(b))

    def _explicit_product(self, op, left, right, pos):
        r"""``a \times b`` and ``a * b``: a product, except between two arrays (neither 1 x 1).

        Two column vectors of length 3 under ``\times``: the cross product
        :math:`x \times y = (x_2 y_3 - x_3 y_2,\ x_3 y_1 - x_1 y_3,\ x_1 y_2 - x_2 y_1)^T`; other vectors of
        one orientation under ``\times``, and any two arrays under ``*`` (NumPy's element-wise product, a
        convolution, or the matrix product), are not read."""
        arrays = [v for v in (left, right) if is_array(v) and tuple(v.shape) != (1, 1)]
        if len(arrays) < 2:
            return self.multiply([left, right], pos)
        if op == "star":
            raise Unsupported(r"* between two arrays is the element-wise product (NumPy), a convolution or the "
                              r"matrix product: write \odot, or the factors side by side for the matrix product", pos)
        if all(v.shape[1] == 1 for v in arrays) or all(v.shape[0] == 1 for v in arrays):
            if tuple(left.shape) == tuple(right.shape) == (3, 1):
                self.scope.note(r"$x \times y$ of two vectors of length 3 is read as the cross product")
                (a1, a2, a3), (b1, b2, b3) = [[v[i, 0] for i in range(3)] for v in (left, right)]
                return sp.ImmutableMatrix([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1])
            raise Unsupported(r"\times between two vectors is the cross product; it is read only for column "
                              "vectors of length 3", pos)
        return self.multiply([left, right], pos)

    def _flatten_sum(self, node, sign, out):
        if isinstance(node, ir.BinOp) and node.op in ("+", "-"):
            self._flatten_sum(node.left, sign, out)
            self._flatten_sum(node.right, sign if node.op == "+" else -sign, out)
        else:
            out.append((sign, node))

    def _Product(self, p: ir.Product):
        factors, vals = list(p.factors), []
        for d, nxt in zip(p.factors, p.factors[1:]):
            if isinstance(d, ir.Derivative) and isinstance(nxt, ir.Paren) and nxt.bracket == "(" \
                    and (self._names_function(d.body) or isinstance(nxt.arg, ir.Number)):
                # \frac{df}{dx}(1): f' at 1 (Leibniz's notation applied) or df/dx times (1)?
                raise LatexError(f"${canon(d)}$ followed by a bracket: the derivative at that point or a product? "
                                 "write f'(a) or \\left.\\frac{df}{dx}\\right|_{x=a} for the value at a point, "
                                 "\\cdot for a product", _pos(nxt))
        while factors:
            f = factors.pop(0)
            if factors and self._hessian_mark(f, factors[0]):
                vals.append(self._partials(factors.pop(0), 2, _pos(p)))
            else:
                vals.append(self.expr(f))
        return self.multiply(vals, _pos(p))

    def _call_closes_scope(self, op: ir.Derivative, later, later_vals) -> bool:
        r"""``\partial_\mathbf{x} f(\boldsymbol{\xi}, \mathbf{x}) - \mathbf{x}^*``: the operator takes the call alone.

        Its body is exactly one application of a declared or defined function, its argument list closed by
        its bracket: the notation :math:`\partial_x f(a)` is :math:`(\partial_x f)(a)`, the derivative of
        :math:`f` at the point, whose scope the argument list ends.  Read over the whole sum, every later
        term (free of the variables, also through the definitions) would be differentiated to 0: a term
        written only to vanish.  Both facts are required; the cases that stay ambiguous stay with the
        two-reading comparison: a body that is no bare call (:math:`\frac{d}{dx} x^2 + 3x`, a product
        :math:`\partial_x f(x) g(x)` after the call) or a later term that writes a variable
        (:math:`\frac{d}{dx} f(x) + x^2`)."""
        body = op.body
        if not op.wrt or not isinstance(body, ir.Call) or body.bracket != "(" or not self._names_function(body.head):
            return False
        variables = set()
        for var_node, _ in op.wrt:
            var = self.expr(var_node)
            variables |= set(var.free_symbols) | ({var} if isinstance(var, sp.MatrixSymbol) else set())
            if isinstance(var, MatrixElement):
                variables.add(var.parent)
        if not variables:
            return False
        for v in later_vals:
            value = v[1]
            if not isinstance(value, sp.Basic) or _free_of(value, self.definitions) & variables:
                return False
        self.scope.note(rf"${canon(op)}$ before a + or -: the derivative of the call alone (its argument list "
                        "closes it; the later terms do not depend on the variable)")
        return True

    def _wide_reading(self, b, terms, vals, k, rebuild):
        """The sum ``b`` read with the operator closing term ``k`` taking every later term into its body:
        ``rebuild(operator, body)`` makes that operator over the longer body."""
        sk, t = terms[k]
        last = t.factors[-1] if isinstance(t, ir.Product) and t.factors else t
        body = last.body
        for sj, tj in terms[k + 1:]:
            body = ir.BinOp("+" if sj > 0 else "-", body, tj, span=b.span)
        wide_op = rebuild(last, body)
        wide_t = ir.Product(t.factors[:-1] + (wide_op,), span=t.span) if isinstance(t, ir.Product) else wide_op
        wide_v = self.expr(wide_t)
        return self.add([v if s_ > 0 else -v for s_, v in vals[:k]] + [wide_v if sk > 0 else -wide_v], _pos(b))

    def _limit_reaches(self, b, terms, vals, narrow):
        r"""``\lim_{x \to 0} \frac{\sin x}{x} + x``: the limit of the first term (1 + x) or of the whole sum (1)?
        Where a later term writes the limit's variable, both readings are evaluated and must agree
        (``\lim_{t \to \infty} t^2 - t`` is :math:`\infty` either way), else the claim is not judged."""
        for k, (sk, t) in enumerate(terms[:-1]):
            last = t.factors[-1] if isinstance(t, ir.Product) and t.factors else t
            if not (isinstance(last, ir.BigOp) and last.op == "lim" and isinstance(last.lower, ir.Chain)
                    and isinstance(last.lower.terms[0], ir.Atom) and not isinstance(last.body, ir.Paren)):
                continue
            name = last.lower.terms[0].name
            if not any(isinstance(n, ir.Atom) and n.name == name for _, tj in terms[k + 1:] for n in ir.walk(tj)):
                continue
            try:
                wide = self._wide_reading(b, terms, vals, k, lambda op, body: ir.BigOp(
                    op.op, op.lower, op.upper, body, span=op.span))
                same = not is_array(wide) and not is_array(narrow) and sp.simplify(narrow.doit() - wide.doit()) == 0 \
                    or narrow.doit() == wide.doit()
            except (Unsupported, LatexError, ShapeMismatch, NotImplementedError, ValueError, TypeError):
                same = False
            if not same:
                raise Unsupported(f"a limit over {name} before a + or -, its body in no bracket, and {name} written "
                                  "again in a later term: whether the limit takes the term or the whole sum is not "
                                  "written, and the two readings differ; bracket the body", _pos(b))
            return

    def _names_function(self, node) -> bool:
        """``node`` is the bare name of a function: one the claim defines with arguments, or declares."""
        key = _key(node)
        return key is not None and (key in self.user_functions or key in self.scope.functions)

    def _hessian_mark(self, node, nxt) -> bool:
        r"""``\mathbf{H} f(x, y)``: a bold H that names nothing (not declared, defined or a function) written
        before a function the claim defines of several variables is its Hessian (as d2l writes it)."""
        if not (isinstance(node, ir.Atom) and node.name == "H" and node.bold and isinstance(nxt, ir.Call)):
            return False
        if "H" in self.scope.symbols or "H" in self.defined_keys or "H" in self.scope.functions:
            return False
        key = _key(nxt.head)
        return key in self.user_functions and len(self.user_functions[key][0]) >= 2

    # ------------------------------------------------------------------ arithmetic with shapes
    def add(self, vals, pos):
        shapes = {tuple(v.shape) for v in vals if is_array(v)}
        if not shapes:
            return sp.Add(*vals)
        if len(shapes) > 1:
            vals, shapes = self._broadcast(vals, shapes, pos)
        if len(shapes) > 1:
            for x in shapes:
                for y in shapes:
                    if x != (1, 1) and y != (1, 1):
                        self.tie(x[0], y[0], pos)
                        self.tie(x[1], y[1], pos)
            # 1 x 1 arrays (x^T y) mix with scalars, never with other arrays
            if all(s == (1, 1) for s in shapes) or not all(_same_shape(a, b) for a in shapes for b in shapes):
                raise ShapeMismatch(f"sum of shapes {sorted(map(str, shapes))}", pos)
        shape = next(iter(shapes))
        if shape == (1, 1) and any(not is_array(v) for v in vals):
            return sp.Add(*[v[0, 0] if is_array(v) else v for v in vals])
        if any(not is_array(v) for v in vals):
            if shape[0] != 1 and shape[1] != 1 and sp.simplify(shape[0] - shape[1]) == 0:
                # A - 1 of a square matrix: NumPy broadcasts the 1 (the all-ones matrix), a matrix polynomial
                # means 1 \cdot I; the sources use both
                raise Unsupported(r"a scalar added to a square matrix: broadcast to every entry (NumPy) or a "
                                  r"multiple of the identity (a matrix polynomial)? write \mathbf{1}\mathbf{1}^T "
                                  "or I", pos)
            kind = "vector" if 1 in shape else "matrix"
            self._guessed_variable(vals, kind, pos)
            self.scope.note(f"a scalar added to a {kind} is broadcast over its entries")
        return sp.MatAdd(*[v if is_array(v) else v * sp.OneMatrix(*shape) for v in vals])

    def _guessed_variable(self, vals, kind, pos):
        r"""``\mathbf{x}_t - \eta \partial_\mathbf{x} f(\mathbf{x})`` with ``\mathbf{x}`` undeclared: read as a
        scalar only because it is undeclared, its derivative is one number broadcast over the vector; as a
        vector of the sum's length it is the gradient, of other values (its squared norm has d terms, not
        one).  Which is meant is not written: refused, never a guess."""
        for v in vals:
            if is_array(v) or not isinstance(v, sp.Basic):
                continue
            guessed = sorted({str(x) for d in v.atoms(sp.Derivative) for x, _ in d.variable_count
                              if self.scope.inferred.get(str(x)) == "real scalar (undeclared)"})
            if guessed:
                raise Unsupported(f"a derivative by {', '.join(guessed)} (not declared) added to a {kind}: as a "
                                  "scalar its derivative is broadcast over the entries, as a vector it is the "
                                  "gradient; declare its shape", pos)

    def _broadcast(self, vals, shapes, pos):
        """A row (1 x k) added to an n x k matrix, or a column (n x 1) to n x k, is repeated (NumPy's rule)."""
        full = [s for s in shapes if s[0] != 1 and s[1] != 1]
        if len({s for s in full}) != 1:
            return vals, shapes
        n, k = full[0]
        out = []
        for v in vals:
            if is_array(v) and tuple(v.shape) == (1, 1):
                out.append(v)
            elif is_array(v) and v.shape[0] == 1 and _conform(v.shape[1], k):
                out.append(sp.OneMatrix(n, 1) * v)
            elif is_array(v) and v.shape[1] == 1 and _conform(v.shape[0], n) and not _conform(k, 1):
                out.append(v * sp.OneMatrix(1, k))
            else:
                out.append(v)
        new_shapes = {tuple(v.shape) for v in out if is_array(v)}
        if len(new_shapes) == 1:
            self.scope.note("a row or column added to a matrix is repeated over its rows or columns (broadcast)")
            return out, new_shapes
        return vals, shapes

    def multiply(self, vals, pos):
        scal, mats = [], []
        for v in vals:
            (mats if is_array(v) else scal).append(v)
        # a 1 x 1 product (x^T y) times a vector is a scalar times that vector
        while len(mats) > 1 and any(tuple(m.shape) == (1, 1) for m in mats):
            for k in range(len(mats)):
                m = mats[k]
                if tuple(m.shape) == (1, 1):
                    left_ok = k == 0 or _conform(mats[k - 1].shape[1], 1)
                    right_ok = k == len(mats) - 1 or _conform(1, mats[k + 1].shape[0])
                    if not (left_ok and right_ok):
                        scal.append(m[0, 0])
                        mats.pop(k)
                        break
            else:
                break
        for x, y in zip(mats, mats[1:]):
            self.tie(x.shape[1], y.shape[0], pos)
            if not _conform(x.shape[1], y.shape[0]):
                raise ShapeMismatch(f"matrix product of shapes {_shape_text(x)} and {_shape_text(y)}", pos)
        out = sp.MatMul(*mats) if len(mats) > 1 else (mats[0] if mats else None)
        s = _real_domain_kept(scal, sp.Mul(*scal), pos)
        if out is None:
            return s
        return s * out if scal else out

    def hadamard(self, a, b, pos):
        if is_array(a) and is_array(b):
            for x, y in zip(a.shape, b.shape):
                self.tie(x, y, pos)
            if not all(_conform(x, y) for x, y in zip(a.shape, b.shape)):
                raise ShapeMismatch(f"Hadamard product of shapes {_shape_text(a)} and {_shape_text(b)}", pos)
            return sp.HadamardProduct(a, b)
        return a * b

    def power(self, base, exp, pos):
        if not is_array(base):
            if is_array(exp):
                raise ShapeMismatch("a vector or matrix as an exponent", pos)
            return _real_domain_kept([base, exp], base ** exp, pos)
        rows, cols = base.shape
        if cols == 1 and rows != 1:
            self.scope.note("a power of a vector is taken entry by entry")
            return sp.HadamardPower(base, exp)
        if tuple(base.shape) == (1, 1):
            return base[0, 0] ** exp
        if not _conform(rows, cols):
            raise ShapeMismatch(f"a power of a non-square {_shape_text(base)} matrix", pos)
        if exp == -1:
            return sp.Inverse(base)
        if exp.is_Integer and exp > 0:
            return sp.MatPow(base, exp)
        raise Unsupported(f"the matrix power {exp}", pos)

    # ------------------------------------------------------------------ symbols
    def _declared(self, node):
        key = _key(node)
        return self.scope.symbols.get(key) if key is not None else None

    def symbol(self, node):
        """A symbol, an entry of a declared vector or matrix, or a labelled symbol."""
        key = _key(node)
        if key is not None and key in self.local:
            return self.local[key]
        if key is not None and key in self.scope.symbols:
            value = family_member(self, node, key, self.scope.symbols[key])
            if value is not None:
                return value
            if isinstance(node, (ir.Sub, ir.Pow)):
                bound = self._bound_in_scripts(node)
                if bound:
                    # the declaration names one object (its subscript is part of the name); only a vector
                    # subscripted by the bound letter alone is read as a family (families.py)
                    d = self.scope.symbols[key]
                    what = f"one {d.kind}" + (f" of length {_tex(d.dims[0])}" if d.kind == "vector" else "")
                    advice = f"; declare {_key(node.base)!r} itself as a vector (its entries are the members)" \
                        if d.kind == "scalar" else f" (a family of {d.kind}s is not read yet)"
                    raise LatexError(f"{key!r} is declared as {what}, its subscript part of the name, but the sum "
                                     f"around it runs over {bound[0]!r}, so it stands for a family of them: a family "
                                     f"declared by one member is not read{advice}", _pos(node))
            return self._decl_value(self.scope.symbols[key], node)
        if isinstance(node, ir.Atom):
            return self._bare(node)
        if isinstance(node, ir.Sub):
            other = declared_member(self, node) if key is not None and isinstance(node.index, ir.Atom) and \
                (node.index.name in self.local or self._declared_index(node)) else None
            if other is not None:
                # \mathbf{x}_j where \mathbf{x}_i is declared: a member of the same family, under its own letter
                value = family_member(self, node, key, other[1])
                if value is not None:
                    return value
            return self._subscripted(node)
        if isinstance(node, ir.Pow):          # a labelled symbol W^{(l)} not declared under that spelling
            label = node.exp.arg if isinstance(node.exp, ir.Paren) else None
            if key is not None and isinstance(label, ir.Atom) and \
                    (label.name in self.local or getattr(self.scope.symbols.get(label.name), "kind", None) == "index"):
                other = declared_member(self, node)
                if other is not None:
                    # \mathbf{x}^{(j)} where \mathbf{x}^{(i)} is declared: a member of that family
                    value = family_member(self, node, key, other[1])
                    if value is not None:
                        return value
            base_key = _key(node.base)
            decl = self.scope.symbols.get(base_key)
            if decl is not None and decl.is_array:
                raise LatexError(f"{key} is not declared; declare it (its base {base_key} is a {decl.kind})",
                                 _pos(node))
            if key is not None and decl is None:
                # y^{(i)} under a sum over i = 1..N: the entries of a family of reals, as y_i is of a vector y
                value = labelled_entry(self, node, key)
                if value is not None:
                    return value
            bound = self._bound_in_scripts(node)
            if bound:
                raise LatexError(f"{key!r} is not declared, and its label holds {bound[0]!r}, which the sum or "
                                 f"product around it runs over: one named symbol would not change with "
                                 f"{bound[0]!r}; declare the family (a vector or matrix indexed by it)", _pos(node))
            return self._default_scalar(key, node)
        raise LatexError(f"cannot read {canon(node)!r} as a symbol", _pos(node))

    def _declared_index(self, node) -> bool:
        d = self.scope.symbols.get(node.index.name) if isinstance(node.index, ir.Atom) else None
        return d is not None and d.kind == "index"

    def _bound_in_scripts(self, node) -> list:
        """The letters a sum or product around ``node`` binds that its subscripts or labels write
        (``x^{(i)}``, ``x_j^{(i)}``, ``W^{[l]}`` under a sum over i or l)."""
        parts = []
        while isinstance(node, (ir.Sub, ir.Pow)):
            parts.append(node.index if isinstance(node, ir.Sub) else node.exp)
            node = node.base
        return [a.name for part in parts for a in ir.walk(part) if isinstance(a, ir.Atom) and a.name in self.local]

    def _decl_value(self, decl, node):
        if decl.kind == "index" and isinstance(node, ir.Sub) and self.scope.symbols.get(_key(node)) is not decl:
            # (an index declared under a subscripted spelling, y_i, is that index)
            raise LatexError(f"index {decl.spelling} cannot be subscripted", _pos(node))
        return decl.obj

    def _bare(self, a: ir.Atom):
        name = a.name
        if name == "e":
            return sp.E
        if name == r"\pi":
            return sp.pi
        if name == r"\infty":
            return sp.oo
        if name in (r"\top", r"\intercal", "*", r"\prime"):
            raise LatexError(f"{name} out of place", _pos(a))
        if name.startswith(r"\mathbf{") and name[8:-1].isdigit():
            raise LatexError(f"{name} (a vector of {name[8:-1]}s) needs its length: declare it 'ones n'", _pos(a))
        if name == r"\mathbb{R}":
            raise LatexError(r"\mathbb{R} outside a shape statement", _pos(a))
        if name in self.scope.random:
            return self.scope.random[name]
        if name in RESERVED and name not in self.scope.symbols:
            raise Unsupported(f"{name} ({RESERVED[name]}) is not read yet", _pos(a))
        if name in self.bound_ranges and self.scope.symbols.get(name) is None:
            raise LatexError(f"the sum index {name!r} is used outside its sum", _pos(a))
        key = self.scope.functions.get(name)
        if key is not None or name in self.vector_functions:
            raise LatexError(f"the function {name!r} without an argument", _pos(a))
        decl = self._variable_of_forms(name)
        if decl is not None:
            return decl.obj
        return self._default_scalar(name, a)

    def _variable_of_forms(self, name):
        r"""An undeclared letter whose decorated forms the claim declares, all arrays of one shape
        (``\mathbf{x}_t``, ``\mathbf{x}_{t+1}``, ``\mathbf{x}^*`` vectors of length d beside a bare
        ``\mathbf{x}``): the variable those are values of, declared with that shape (the iterates and the
        optimum of x are points of x's space).  Not where a decoration writes an index or a letter a sum binds
        (``x_i`` is then a member of a family, and x the family or a member, not written), nor where the forms'
        shapes differ; then it stays the real scalar of an undeclared letter."""
        forms = []
        for k in self.scope.declared:
            deco = k[len(name):] if k.startswith(name) else ""
            if not re.fullmatch(r"(?:_\{[^{}]*\}|\^\{[^{}]*\})+", deco):
                continue
            letters = re.findall(r"\\?[A-Za-z]+", deco)
            if any(getattr(self.scope.symbols.get(x), "kind", None) == "index" or x in self.local
                   or x in self.bound_ranges for x in letters):
                return None
            forms.append(k)
        decls = [self.scope.symbols[k] for k in forms]
        if not decls or not all(d.is_array for d in decls) or len({(d.kind, d.dims) for d in decls}) != 1:
            return None
        d = decls[0]
        text = " ".join([d.kind, *(str(x) for x in d.dims), "real"])
        decl = parse_declaration(name, text)
        if decl.dims != d.dims:
            return None
        self.scope.symbols[name] = decl
        self.scope.inferred[name] = f"{text}, as its declared forms {', '.join(sorted(forms))} are"
        return decl

    def _default_scalar(self, key, node):
        """An undeclared symbol the notation fixes as a real scalar (not a dotted one: \\dot{x} is dx/dt in
        most sources, a name in a few)."""
        if re.match(r"\\d?dot\{", key):
            raise LatexError(f"{key} undeclared: a time derivative (write d/dt with the dependence defined) or a "
                             "name of its own (declare it)", _pos(node))
        if key not in self.scope.inferred:
            self.scope.inferred[key] = "real scalar (undeclared)"
        decl = _real_scalar(key)
        self.scope.symbols[key] = decl
        return decl.obj

    def _subscripted(self, s: ir.Sub):
        swapped = self._double_script(s)
        if swapped is not None:
            return self.expr(swapped)
        if not isinstance(s.base, (ir.Atom, ir.Pow)) or (isinstance(s.base, ir.Pow) and not
                                                          s.base.text.startswith(("(", "["))):
            return self._post(self.expr(s.base), [s])       # (Wx)_i, softmax(z)_j: an entry of a value
        base_key = _key(s.base)
        if base_key in RESERVED and base_key not in self.scope.symbols:
            raise Unsupported(f"{base_key} ({RESERVED[base_key]}) is not read yet", _pos(s))
        if (self.recurrences or self.recurrence_bound) and base_key not in self.shadowed:
            value = recurrence_term(self, s)
            if value is not None:
                return value
        if base_key is not None and base_key not in self.scope.symbols:
            labelled = self._labelled_entry(s, base_key)
            if labelled is not None:
                return labelled
        forms = self.sequences.get(base_key, set()) if base_key not in self.unrolled else set()
        if len(forms) > 1 and base_key not in self.scope.symbols and canon(s) not in self.scope.symbols:
            raise Unsupported(f"{', '.join(sorted(f'{base_key}_{{{f}}}' for f in forms))} are entries of one "
                              "array or terms of one sequence whose range is not stated (declare it, or write the "
                              "index's range); claims about sequences are not read yet", _pos(s))
        decl = self.scope.symbols.get(base_key) if base_key is not None else None
        if base_key is not None and base_key in self.local:
            raise LatexError(f"the index {base_key} cannot be subscripted", _pos(s))
        if decl is None and isinstance(s.base, ir.Atom) and s.base.name == r"\delta":
            idx = self.indices(s.index, s)
            if len(idx) == 2:
                return sp.KroneckerDelta(*idx)
        if decl is None and base_key is not None:
            decl = self._infer_array(base_key, s)
        if decl is None or not decl.is_array:
            if decl is not None and decl.kind == "index":
                raise LatexError(f"index {decl.spelling} cannot be subscripted", _pos(s))
            if decl is not None:
                if self._mentions_index(s.index):
                    raise LatexError(f"subscript {s.text!r} on scalar {decl.spelling!r}: declare "
                                     f"{canon(s)!r} or make {decl.spelling!r} a vector", _pos(s))
            elif self._mentions_index(s.index) or self._bound_in_scripts(s):
                # w_{ij} with j an index and i undeclared, x_{2j}, x_j^{(i)} under a sum over i: one named
                # symbol would not vary with the index
                raise LatexError(f"the subscript {s.text!r} of the undeclared {base_key!r} uses an index, but its "
                                 f"entries cannot be read from it (an undeclared letter or an index expression): "
                                 f"declare {base_key!r} as a vector or matrix and its index letters", _pos(s))
            return self._default_scalar(canon(s), s)   # a named symbol: beta_1, n_in, z_{11}
        idx = self.indices(s.index, s)
        obj = decl.obj
        want = 1 if obj.shape[1] == 1 else 2
        if obj.shape[0] == 1 and obj.shape[1] != 1:
            want = 1
        if len(idx) != want:
            raise LatexError(f"{decl.spelling} is a {decl.kind}: it takes {want} index(es), got {len(idx)}", _pos(s))
        lengths = [obj.shape[0] if obj.shape[1] == 1 else obj.shape[1]] if want == 1 else list(obj.shape)
        ranges = {str(d.obj): d for d in self.scope.symbols.values() if d.kind == "index"}
        for i, length in zip(idx, lengths):      # a declared index, or a sum over it with no range of its own
            name = str(i) if isinstance(i, sp.Symbol) else None
            own = name in self.bound_ranges and self.bound_ranges[name][1] is not None
            top = ranges[name].dims[0] if name in ranges and not own else None
            if top is not None and (isinstance(top, sp.Symbol) and isinstance(length, sp.Symbol) and top != length
                                    or (top - length).is_positive):
                # y_i with i over 1..m and y of K entries: the entries past K do not exist (m > K may hold)
                raise LatexError(f"{canon(s)}: the index {ranges[name].spelling} runs over 1..{top}, but "
                                 f"{decl.spelling} has {length} entries there: declare them with one size", _pos(s))
        try:
            if want == 1:
                return obj[idx[0] - 1, 0] if obj.shape[1] == 1 else obj[0, idx[0] - 1]
            return obj[idx[0] - 1, idx[1] - 1]
        except IndexError:       # SymPy sees the entry is past the end (x_{n+1} of a vector of length n)
            size = " x ".join(_tex(d) for d in obj.shape) if want == 2 else _tex(max(obj.shape, key=lambda d: d != 1))
            raise LatexError(f"the entry {decl.spelling}_{{{s.text}}} is outside {decl.spelling} (of size {size})", _pos(s)) from None

    def _labelled_entry(self, s: ir.Sub, base_key):
        r"""``y_{ij}`` with ``j`` an index and ``i`` a letter that nothing declares and no sum binds, which
        labels other objects of the claim as their whole subscript (cs231n's "the j-th dimension of the i-th
        example", with ``L_i``, ``y_i`` naming the example's objects): entry ``j`` of the vector ``y_i``, the
        example's row.

        A free ``i`` would make the claim a statement for every row; with ``i`` never summed and every
        subscript on ``y`` starting with the same ``i``, no statement relates two rows, so one arbitrary row
        ``y_i`` says the same.  A declared ``y_i`` must have ``j``'s range; anything else is not this reading
        (None), and the caller's errors stand."""
        parts = self._index_parts(s.index)
        if len(parts) != 2 or not all(isinstance(p, ir.Atom) for p in parts):
            return None
        label, index = parts
        if label.name in self.scope.symbols or label.name in self.local or label.name in self.bound_ranges or \
                label.name in self.scope.functions or label.name in RESERVED or not re.fullmatch(r"[a-z]", label.name):
            return None
        d = self.scope.symbols.get(index.name)
        if index.name in self.local:
            lo, hi = self.sum_ranges.get(index.name, (sp.Integer(1), None))
            if hi is None or sp.simplify(lo - 1) != 0:
                return None
        elif d is None or d.kind != "index":
            return None
        uses = self.subscripts.get(base_key, ())
        if s not in uses:
            return None          # the claim's uses are not collected yet (or this node is not the claim's)
        if not any(isinstance(n.index, ir.Atom) and n.index.name == label.name
                   for other, nodes in self.subscripts.items() if other != base_key for n in nodes):
            return None          # no other object of the claim is labelled by it (L_i, y_i): a lost index?
        for n in uses:
            written = self._index_parts(n.index)
            if len(written) != 2 or not isinstance(written[0], ir.Atom) or written[0].name != label.name:
                raise LatexError(f"{base_key}_{{{s.text}}} would be entry {index.name} of the row {base_key}_"
                                 f"{label.name}, but the claim also writes {base_key}_{{{n.text}}}: which rows "
                                 f"are the same is not written; declare {base_key!r}", _pos(s))
        row = ir.Sub(s.base, label, label.name, span=s.span)
        key = _key(row)
        decl = self.scope.symbols.get(key)
        if decl is None:
            decl = self._infer_array(key, ir.Sub(row, index, index.name, span=s.span))
            if decl is None:
                return None
            self.scope.inferred[key] = f"the row {key} (its subscript {label.name} labels it; {index.name} runs " \
                                       f"over its entries)"
            self.scope.note(f"${canon(s)}$ is entry ${index.name}$ of the vector ${key}$ (the letter ${label.name}$ "
                            f"labels one row: no sum runs over it)")
        if decl.kind != "vector" or decl.obj.shape[1] != 1:
            raise LatexError(f"{canon(s)}: {key!r} is declared as a {decl.kind}, not a vector with entries "
                             f"{index.name}", _pos(s))
        (idx,) = self.indices(index, s)
        top = self.sum_ranges[index.name][1] if index.name in self.local else d.dims[0]
        if sp.simplify(top - decl.obj.shape[0]) != 0:
            raise LatexError(f"{canon(s)}: {index.name!r} runs over 1..{_tex(top)}, but {key} has "
                             f"{_tex(decl.obj.shape[0])} entries", _pos(s))
        return decl.obj[idx - 1, 0]

    def _double_script(self, s: ir.Sub):
        r"""``g^2_t`` as TeX sets it: both scripts on the nucleus, so ``(g_t)^2``.  Only for a power by a
        positive integer of a letter not declared as an array (``X^2_{ij}`` of a matrix stays
        :math:`(X^2)_{ij}`, ``W^{(l)}_i`` a labelled symbol); None otherwise."""
        p = s.base
        if not isinstance(p, ir.Pow) or not isinstance(p.exp, ir.Number) or not p.exp.text.isdigit():
            return None
        nucleus = p.base
        if not isinstance(nucleus, ir.Atom) or nucleus.name in ("e", r"\pi", r"\infty"):
            return None
        decl = self.scope.symbols.get(_key(nucleus))
        if self._declared(p) is not None or (decl is not None and (decl.is_array or decl.kind == "index")):
            return None
        return ir.Pow(ir.Sub(nucleus, s.index, s.text, span=s.span), p.exp, p.text, span=s.span)

    def _index_parts(self, node):
        if isinstance(node, ir.Tuple):
            return [x.terms[0] if isinstance(x, ir.Chain) and len(x.terms) == 1 else x for x in node.items]
        if isinstance(node, ir.Product) and all(isinstance(f, ir.Atom) for f in node.factors):
            return list(node.factors)
        return [node]

    def _mentions_index(self, node):
        for n in ir.walk(node):
            if isinstance(n, ir.Atom):
                d = self.scope.symbols.get(n.name)
                if (d is not None and d.kind == "index") or n.name in self.local:
                    return True
        return False

    def _infer_array(self, key, s: ir.Sub):
        """``o_j`` with ``j`` a declared index or running over a sum's range: ``o`` is a vector of that length."""
        parts = self._index_parts(s.index)
        if not all(isinstance(p, ir.Atom) for p in parts) or len(parts) > 2:
            return None
        dims = []
        for p in parts:
            d = self.scope.symbols.get(p.name)
            if d is not None and d.kind == "index":
                dims.append(d.dims[0])
            elif p.name in self.bound_ranges and self.bound_ranges[p.name][1] is not None:
                dims.append(self.expr(self.bound_ranges[p.name][1]))
            elif p.name in self.local or p.name in self.bound_ranges:
                raise LatexError(f"{key}_{{{p.name}}}: the range of {p.name!r} is not stated; declare {key!r} "
                                 f"or {p.name!r}", _pos(s))
            else:
                return None
        if any(getattr(d, "is_finite", None) is False for d in dims):
            # a sum to infinity over an undeclared a_j: a sequence with no last entry, not an array
            raise Unsupported(f"{key}_{{...}} over an infinite range: the terms of an infinite sequence are not "
                              "read yet", _pos(s))
        if len(dims) == 1:
            obj, kind = sp.MatrixSymbol(key, dims[0], 1), "vector"
        else:
            obj, kind = sp.MatrixSymbol(key, dims[0], dims[1]), "matrix"
        decl = Decl(key, kind, tuple(dims), "real", {"real": True}, (-3, 3, False, False), obj)
        self.scope.symbols[key] = decl
        self.scope.inferred[key] = f"{kind} of length {', '.join(map(str, dims))} (the range of its sum)"
        # other letters that index it elsewhere run over the same range
        return decl

    def indices(self, node, where) -> list:
        """The index values of a subscript: ``i``, ``ij``, ``i,j``, ``i-1``, ``2``."""
        if isinstance(node, ir.Tuple):
            parts = [x.terms[0] if isinstance(x, ir.Chain) and len(x.terms) == 1 else x for x in node.items]
        elif isinstance(node, ir.Product) and all(isinstance(f, ir.Atom) for f in node.factors):
            parts = list(node.factors)
        elif isinstance(node, ir.Number) and len(node.text) == 2 and node.text.isdigit():
            parts = [ir.Number(node.text[0]), ir.Number(node.text[1])]
        elif isinstance(node, ir.Product) and len(node.factors) == 2 and self._indexes_matrix(where) and \
                all(isinstance(f, ir.Atom) or (isinstance(f, ir.Sub) and isinstance(f.base, ir.Atom))
                    for f in node.factors):
            parts = list(node.factors)      # x_{i y_i} of a matrix: row i, column y_i
        else:
            parts = [node]
        out = []
        for position, p in enumerate(parts):
            if isinstance(p, ir.Chain):
                raise LatexError("a relation inside a subscript", _pos(where))
            if isinstance(p, ir.Atom) and p.name not in self.local:
                d = self.scope.symbols.get(p.name)
                if d is None:
                    out.append(self._index_symbol(p.name, where, position))
                    continue
                if d.kind not in ("index", "scalar"):
                    raise LatexError(f"{p.name!r} is a {d.kind}, not an index", _pos(p))
                out.append(d.obj)
                continue
            if isinstance(p, ir.Sub) and isinstance(p.base, ir.Atom) and _key(p) not in self.scope.symbols and \
                    _key(p.base) not in self.scope.symbols and p.base.name not in self.local and \
                    not any(isinstance(a, ir.Atom) and a.name in self.local for a in ir.walk(p.index)):
                # f_{y_i}: an undeclared label y_i as the subscript of an entry is an index in the array's range
                out.append(self._index_symbol(_key(p), where))
                continue
            out.append(self.expr(p))
        return out

    def _indexes_matrix(self, where) -> bool:
        d = self.scope.symbols.get(_key(where.base) or "") if isinstance(where, ir.Sub) else None
        return d is not None and d.kind == "matrix"

    def _index_symbol(self, name, where, position=0):
        """An undeclared index letter: it runs over the range of the array it indexes (the column's of a
        matrix where it stands second)."""
        base_key = _key(where.base) if isinstance(where, ir.Sub) else None
        decl = self.scope.symbols.get(base_key) if base_key else None
        if decl is None or not decl.is_array:
            raise LatexError(f"undeclared index {name!r}", _pos(where))
        shape = tuple(decl.dims) if decl.dims else tuple(decl.obj.shape)
        dim = shape[position] if decl.kind == "matrix" and position < len(shape) else shape[0]
        sym = sp.Symbol(name, integer=True, positive=True)
        self.scope.symbols[name] = Decl(name, "index", (dim,), "integer", {"integer": True, "positive": True},
                                        (1, 5, False, False), sym)
        self.scope.inferred[name] = f"index over 1..{dim} (it indexes {decl.spelling})"
        return sym

    # ------------------------------------------------------------------ sums and products
    def _BigOp(self, b: ir.BigOp):
        if b.op in ("sum", "prod"):
            return self._sum(b)
        if b.op in ("max", "min"):
            body = self.expr(b.body)
            if b.lower is None:
                if is_array(body):
                    return (VecMax if b.op == "max" else VecMin)(body)
                raise LatexError(f"\\{b.op} needs a range or a vector", _pos(b))
            if isinstance(b.lower, ir.Atom) and is_array(body):
                return (VecMax if b.op == "max" else VecMin)(body)
            return self._extremum(b)
        if b.op == "lim":
            return self._limit(b)
        if b.op in ("argmax", "argmin"):
            if b.lower is None or (isinstance(b.lower, ir.Chain) and b.lower.rels != ("=",)):
                # \argmax_{x \in S}, or no index: an argmax over a set of points is not an entry index
                raise Unsupported(f"\\{b.op} over anything but the index of a vector's entries", _pos(b))
            name, lo, _ = self._range(b)
            vec = self._extremum(b).args[0]
            # the first index of the range kept: argmax_j names an index j, not a position in the vector
            return (ArgMax if b.op == "argmax" else ArgMin)(vec, sp.Integer(1) if lo is None else lo)
        raise Unsupported(f"\\{b.op} is not read yet", _pos(b))

    def _limit(self, b):
        """``\\lim_{x \\to a} f``: a SymPy limit (two-sided, or from above with ``a^+``)."""
        low = b.lower
        if not (isinstance(low, ir.Chain) and low.rels == ("->",) and isinstance(low.terms[0], (ir.Atom, ir.Sub))):
            raise Unsupported("a limit without 'x \\to a'", _pos(b))
        var = self.expr(low.terms[0])
        target = low.terms[1]
        direction = "+-"
        if isinstance(target, ir.Pow) and canon(target.exp) in ("+", "-"):
            direction, target = canon(target.exp), target.base
        point = self.expr(target)
        if isinstance(var, sp.Symbol) and _from_outside(var, point, direction):
            # h declared positive, h -> 0^-: SymPy applies the domain first (|h|/h is 1 there)
            raise LatexError(f"the limit approaches ${_tex(point)}$ from outside the declared domain of "
                             f"${_tex(var)}$", _pos(b))
        body = self.expr(b.body)
        if is_array(body):
            raise Unsupported("the limit of a vector or matrix", _pos(b))
        if direction == "+-":
            direction = _side_of_domain(body, var, point)
            if direction != "+-":
                self.scope.note(rf"${canon(b.body)}$ is real only {'right' if direction == '+' else 'left'} of "
                                rf"${_tex(point)}$: the limit is the one from that side")
        # definitions that depend on the limit's variable (s_t = t g^2) go inside the limit, so that both
        # the proof and the re-check see the dependence
        for _ in range(8):
            scalars = {k: v for k, v in self.definitions.items() if isinstance(k, sp.Symbol) and not is_array(v)
                       and k in body.free_symbols}
            if not scalars:
                break
            body = body.xreplace(scalars)
        return sp.Limit(body, var, point, direction)

    def _range(self, b):
        low = b.lower
        if isinstance(low, ir.Chain) and len(low.terms) == 2 and low.rels == ("=",) and isinstance(low.terms[0], ir.Atom):
            return low.terms[0].name, self.expr(low.terms[1]), (self.expr(b.upper) if b.upper is not None else None)
        if isinstance(low, ir.Atom):
            return low.name, None, (self.expr(b.upper) if b.upper is not None else None)
        raise Unsupported(f"the range {canon(low)!r} of a sum", _pos(b))

    def _extremum(self, b):
        r"""``\max_k x_k``, ``\max_{k=1}^{n} f(k)``: the largest (smallest) of the body over the index range,
        :math:`\max(v)` of the vector :math:`v_r = \mathrm{body}(k = lo + r)`; the range is the declared index's,
        or that of the vector the index subscripts, as for sums."""
        name, lo, hi = self._range(b)
        decl = self.scope.symbols.get(name)
        if lo is None and hi is None:
            lo, hi = sp.Integer(1), (decl.dims[0] if decl is not None and decl.kind == "index"
                                     else self._range_from_use(name, b))
        if lo is None or hi is None:
            raise Unsupported(f"\\{b.op} over {name} with one bound", _pos(b))
        local, body = self._bound_index(name, b.body)
        if is_array(body):
            raise Unsupported(f"\\{b.op} over an index of a vector or matrix body", _pos(b))
        # named variables, not Dummies: two writings of one max are then one expression (and cancel)
        r, c = sp.Symbol("r_{max}", integer=True), sp.Symbol("c_{max}", integer=True)
        entries = sp.FunctionMatrix(hi - lo + 1, 1, sp.Lambda((r, c), body.xreplace({local: r + lo})))
        return (VecMax if b.op == "max" else VecMin)(entries)

    def _bound_index(self, name: str, body):
        """``(index symbol, body read with it)``: the index of a sum or an extremum is local to its body."""
        saved = self.local.get(name)
        local = sp.Symbol(name, integer=True)
        self.local[name] = local
        try:
            return local, self.expr(body)
        finally:
            if saved is None:
                self.local.pop(name, None)
            else:
                self.local[name] = saved

    def _sum(self, b: ir.BigOp):
        op = sp.Sum if b.op == "sum" else sp.Product
        if b.lower is None:
            summand = self.expr(b.body)
            if not is_array(summand):
                raise LatexError("a sum without an index needs a vector summand", _pos(b))
            if summand.shape[1] != 1:
                raise Unsupported("a bare sum over a matrix", _pos(b))
            k = sp.Symbol("k", integer=True, positive=True)
            self.scope.note(r"a bare $\sum$ runs over the entries of its vector summand")
            return op(summand[k - 1, 0], (k, 1, summand.shape[0]))
        if isinstance(b.lower, ir.Tuple):      # \sum_{i,j}: nested sums over declared indices
            items = [x.terms[0] if isinstance(x, ir.Chain) and len(x.terms) == 1 and not x.rels else x
                     for x in b.lower.items]
            names = [x.name if isinstance(x, ir.Atom) else None for x in items]
            if None in names:
                raise Unsupported("a multiple sum with ranges", _pos(b))
            inner = ir.BigOp(b.op, ir.Atom(names[-1]), None, b.body, span=b.span)
            for nm in reversed(names[:-1]):
                inner = ir.BigOp(b.op, ir.Atom(nm), None, inner, span=b.span)
            return self.expr(inner)
        low = b.lower
        if isinstance(low, ir.Chain) and low.rels == ("!=",) and isinstance(low.terms[0], ir.Atom):
            return self._sum_except(b, op, low.terms[0].name, low.terms[1])
        name, lo, hi = self._range(b)
        decl = self.scope.symbols.get(name)
        if lo is None and hi is None and decl is None:
            unrolled = self._given_entries_sum(b, op, name, None)
            if unrolled is not None:
                return unrolled
        if lo is None:
            lo = sp.Integer(1)
            if hi is None:
                if decl is None or decl.kind != "index":
                    hi = self._range_from_use(name, b)
                else:
                    hi = decl.dims[0]
                    self.scope.note(rf"$\sum_{name}$ runs over ${name} = 1, \dots, {_tex(hi)}$")
        if hi is None:
            raise LatexError(f"the sum over {name!r} needs its upper bound", _pos(b))
        bound = sp.Dummy(name, integer=True)
        saved = self.sum_ranges.get(name)
        self.sum_ranges[name] = (lo, hi)
        try:
            local, summand = self._bound_index(name, b.body)
        finally:
            if saved is None:
                self.sum_ranges.pop(name, None)
            else:
                self.sum_ranges[name] = saved
        if is_array(summand):
            if tuple(summand.shape) == (1, 1):
                summand = summand[0, 0]
            elif op is sp.Sum and self.families:
                return _array_sum(summand, local, bound, lo, hi)
            else:
                raise LatexError(f"the summand of the sum over {name} is a vector: index it", _pos(b))
        # a bound variable of its own: a free index of the same name elsewhere is never captured
        summand = summand.xreplace({local: bound})
        _entries_inside(summand, bound, lo, hi, name, _pos(b))
        return op(summand, (bound, lo, hi))

    def _sum_except(self, b, op, name, excluded):
        r"""``\sum_{j \ne e} f(j) = \sum_j f(j) - f(e)`` (a product: divided by ``f(e)``).

        Exact only when ``e`` is one of the values ``j`` runs over: ``e`` must be an index declared
        over the same range as ``j``, or a whole number inside it; anything else is an error."""
        if b.upper is not None:
            raise Unsupported(f"the range '{name} \\ne {canon(excluded)}' with an upper bound", _pos(b))
        decl = self.scope.symbols.get(name)
        unrolled = self._given_entries_sum(b, op, name, excluded) if decl is None else None
        if unrolled is not None:
            return unrolled
        if decl is not None and decl.kind == "index":
            hi = decl.dims[0]
        elif decl is None:
            hi = self._range_from_use(name, b, excluded)
        else:
            raise LatexError(f"sum index {name!r} is declared as a {decl.kind}", _pos(b))
        key = _key(excluded)
        edecl = self.scope.symbols.get(key) if key is not None else None
        if edecl is not None and edecl.kind == "index":
            if sp.simplify(edecl.dims[0] - hi) != 0:
                raise LatexError(f"{canon(excluded)!r} runs over 1..{edecl.dims[0]}, the sum over {name!r} over "
                                 f"1..{hi}: the excluded value may lie outside the range", _pos(b))
            value = edecl.obj
        elif key in self.given_numbers or _is_number(excluded) and self.expr(excluded).is_Integer:
            # y_i = 2 given: the excluded value is that number
            value = sp.Integer(self.given_numbers[key]) if key in self.given_numbers else self.expr(excluded)
            if not (sp.Ge(value, 1) == sp.true and sp.Ge(hi - value, 0) == sp.true):
                raise LatexError(f"the excluded value {value} may lie outside the range 1..{hi} of {name!r}",
                                 _pos(b))
        elif key is not None and edecl is None and key not in self.local and self.scope.symbols.get(name) is not None \
                and isinstance(excluded, (ir.Atom, ir.Sub)) and not self._bound_in_scripts(excluded) and \
                (isinstance(excluded, ir.Atom) or isinstance(excluded.index, ir.Atom)) and \
                self.scope.symbols[name].dims[0].free_symbols and \
                str(self.scope.symbols[name].dims[0]) == f"N_{{{name}}}":
            # \sum_{j \ne y_i} over members whose number is not stated: y_i is one of them (the excluded class)
            value = sp.Symbol(key, integer=True, positive=True)
            self.scope.symbols[key] = Decl(key, "index", (hi,), "integer", {"integer": True, "positive": True},
                                           (1, 5, False, False), value)
            self.scope.inferred[key] = f"index over 1..{_tex(hi)} (the value the sum over {name} leaves out)"
        else:
            raise LatexError(f"the value {canon(excluded)!r} excluded from the sum over {name!r} must be an index "
                             f"declared over the same range (declare it 'index {_tex(hi)}')", _pos(b))
        full = self._sum(ir.BigOp(b.op, ir.Atom(name), None, b.body, span=b.span))
        if not isinstance(full, (sp.Sum, sp.Product)):
            raise Unsupported(f"the sum over {name!r} without {canon(excluded)!r}", _pos(b))
        # SymPy merges a summand that is itself a sum (an entry of a product, \sum_k a_k b_k) into one Sum
        # of several limits, innermost first: this sum's own variable is the last, the others stay summed
        var = full.limits[-1][0]
        inner = full.function if len(full.limits) == 1 else type(full)(full.function, *full.limits[:-1])
        term = inner.xreplace({var: value})
        self.scope.note(rf"$\{b.op}_{{{name} \ne {canon(excluded)}}}$ is the whole {b.op} over ${name}$ "
                        rf"{'without' if op is sp.Sum else 'divided by'} the factor at ${name} = {canon(excluded)}$")
        return full - term if op is sp.Sum else full / term

    def _given_entries_sum(self, b, op, name, excluded):
        r"""``\sum_{j \ne y_i} \max(0, s_j - s_{y_i} + \Delta)`` with ``s_0 = 13, s_1 = -7, s_2 = 11`` and
        ``y_i = 0`` given (cs231n's worked SVM loss): ``j`` runs over the entries the givens state.

        Read only where the givens state every entry from 0 or 1 to the last, and each entry the claim
        writes of that base is a given one, a sum's letter with no range of its own, or a symbol a given
        fixes to one of them: the claim then names no other entry, so none is left out.  The sum is the
        body at each of those values (without the excluded one), :math:`\sum_{j \ne 0} f(j) = f(1) + f(2)`.
        None where no base of the body has given entries; anything short of the above is an error."""
        bases = {canon(n.base) for n in ir.walk(b.body) if isinstance(n, ir.Sub) and isinstance(n.base, ir.Atom)
                 and isinstance(n.index, ir.Atom) and n.index.name == name}
        found = {k: v for k, v in self.given_entries.items() if k in bases and k not in self.scope.symbols and
                 k not in self.scope.declared and k not in self.scope.functions}
        if not found:
            return None
        if len({frozenset(v) for v in found.values()}) != 1:
            raise LatexError(f"the sum over {name!r} runs over entries of {', '.join(sorted(found))}, whose given "
                             "entries differ", _pos(b))
        values = sorted(next(iter(found.values())))
        if len(values) < 2 or values[0] not in (0, 1) or values != list(range(values[0], values[-1] + 1)):
            raise LatexError(f"the given entries {', '.join(f'{k}_{v}' for k in found for v in values)} are not "
                             f"every entry from 0 or 1 to the last: the range of {name!r} is not fixed", _pos(b))
        fixed = {}
        for base in found:
            for n in self.subscripts.get(base, ()):
                at = n.index
                if isinstance(at, ir.Number) and at.text.isdigit() and int(at.text) in values:
                    continue
                if isinstance(at, ir.Atom) and self.bound_ranges.get(at.name, (None, None)) == (None, None) and \
                        at.name not in self.scope.symbols and not _outside_sums(self.statements_seen, base, at.name):
                    continue
                if _key(at) in self.given_numbers and self.given_numbers[_key(at)] in values:
                    fixed[_key(at)] = self.given_numbers[_key(at)]
                    continue
                raise LatexError(f"{canon(n)}: the claim writes an entry of {base!r} the givens do not state, so "
                                 f"the range of the sum over {name!r} is not the given entries'", _pos(b))
        if any(isinstance(n, ir.BigOp) and n.lower is not None and
               any(isinstance(x, ir.Atom) and x.name == name for x in ir.walk(n.lower)) for n in ir.walk(b.body)):
            raise Unsupported(f"a sum over {name!r} inside a sum over {name!r}", _pos(b))
        skip = None
        if excluded is not None:
            key = _key(excluded)
            skip = self.given_numbers.get(key) if key is not None else None
            if skip is None and isinstance(excluded, ir.Number) and excluded.text.isdigit():
                skip = int(excluded.text)
            if skip not in values:
                raise LatexError(f"the value {canon(excluded)!r} excluded from the sum over {name!r} is not one of "
                                 f"the given entries' {values}", _pos(b))
        terms = []
        self.unrolled |= set(found)
        for k in values:
            if k != skip:
                terms.append(self.expr(_at_entry(b.body, name, k, fixed, set(found))))
        shown = ", ".join(str(k) for k in values if k != skip)
        self.scope.note(rf"$\{b.op}_{{{canon(b.lower)}}}$ runs over the entries the given facts state: "
                        rf"${name} = {shown}$")
        return sp.Add(*terms) if op is sp.Sum else sp.Mul(*terms)

    def _range_from_use(self, name, b, excluded=None):
        """``\\sum_j e^{o_j}`` (or ``(w_2)_j``) with ``o`` a declared vector: j runs over o's entries."""
        for n in ir.walk(b.body):
            if isinstance(n, ir.Sub) and any(isinstance(x, ir.Atom) and x.name == name for x in ir.walk(n.index)):
                base = n.base
                while isinstance(base, ir.Paren) and base.bracket == "(":
                    base = base.arg     # (w_2)_l: the parentheses only group the vector's spelling
                d = self.scope.symbols.get(_key(base) or "")
                if d is not None and d.is_array:
                    dims = [x for x in d.obj.shape]
                    parts = self._index_parts(n.index)
                    for k, p in enumerate(parts[:2]):
                        if isinstance(p, ir.Atom) and p.name == name:
                            hi = dims[k] if d.obj.shape[1] != 1 else dims[0]
                            self.scope.note(rf"$\sum_{name}$ runs over the entries of ${d.spelling}$")
                            return hi
        members = sorted({canon(n) for n in ir.walk(b.body) if isinstance(n, ir.Sub) and isinstance(n.index, ir.Atom)
                          and n.index.name == name and canon(n) in self.scope.symbols
                          and self.scope.symbols[canon(n)].kind == "vector"})
        if members and name not in self.bound_ranges or members and self.bound_ranges[name] == (None, None):
            return self._family_count(name, members, b, excluded)
        raise LatexError(f"sum index {name!r} is not declared as an index (or give both bounds)", _pos(b))

    def _family_count(self, name, members, b, excluded):
        r"""``\sum_{j \ne y_i} \max(0, w_j^T x_i - \dots)`` with ``w_j`` declared as one vector and nothing
        stating how many there are (cs231n's class scores: the number of classes is never written): ``j``
        runs over ``1..N_j``, a size of its own, and the claim is judged for every ``N_j`` as for any
        declared size.  Every sum over ``j`` with no range of its own is then over the same members.

        A member declared under another subscript (``w_{y_i}``) is read as a vector of its own, which is
        exact only where the sum leaves that member out (``j \ne y_i``); any other sum would hold it twice
        over, once as a row of the family, and is not read."""
        def spelled(key):
            try:
                (node,) = set(read_expression(key))
            except (LatexError, ValueError):
                return None
            return node if isinstance(node, ir.Sub) else None
        for member in members:
            base = canon(spelled(member).base)
            for key, decl in list(self.scope.symbols.items()):
                if decl.kind != "vector" or key in members:
                    continue
                node = spelled(key)
                if node is not None and canon(node.base) == base and \
                        (excluded is None or canon(node.index) != canon(excluded)):
                    raise Unsupported(f"{key!r} is declared apart from the family {member!r} summed over {name!r}, "
                                      f"but the sum does not leave it out: it would be read twice, as a row and "
                                      f"as a vector of its own", _pos(b))
        size = sp.Symbol(f"N_{{{name}}}", integer=True, positive=True)
        if any(size in getattr(d, "free_symbols", ()) for decl in self.scope.symbols.values() for d in decl.dims):
            return size
        self.scope.symbols[name] = Decl(name, "index", (size,), "integer", {"integer": True, "positive": True},
                                        (1, 5, False, False), sp.Symbol(name, integer=True, positive=True))
        self.scope.inferred[name] = f"index over 1..N_{{{name}}} (how many {', '.join(members)} there are is " \
                                    "not stated)"
        self.scope.note(rf"${', '.join(members)}$ declared as one vector, summed over ${name}$ with no range: "
                        rf"${name} = 1, \dots, N_{{{name}}}$ for every number $N_{{{name}}}$ of them")
        return size

    # ------------------------------------------------------------------ functions
    def _Call(self, c: ir.Call):
        bracket = c.arg
        while isinstance(bracket, (ir.Pow, ir.Sub, ir.Transpose, ir.Factorial)):
            bracket = bracket.base
        spelled = canon(ir.Call(c.head, bracket, c.bracket))
        if spelled in self.scope.symbols:        # 'f(x)' = "scalar (0,1)": the value the claim declares
            return self._post(self._decl_value(self.scope.symbols[spelled], c), self._unwrap(c.arg)[1])
        declared_heads = {m.group(1) for k in self.scope.symbols for m in [re.match(r"(.+?)\((.*)\)$", k)] if m}
        if _key(c.head) in declared_heads and _key(c.head) not in self.scope.functions:
            raise LatexError(f"{spelled}: {_key(c.head)!r} is declared only applied, as the value "
                             f"{', '.join(sorted(k for k in self.scope.symbols if k.startswith(_key(c.head) + '(')))}",
                             _pos(c))
        head = c.head
        primes = 0
        while isinstance(head, ir.Prime):
            primes += head.order
            head = head.base
        power = None
        if isinstance(head, ir.Pow) and _key(head) not in self.scope.symbols and not head.text.startswith(("(", "[")):
            head, power = head.base, head.exp
            while isinstance(head, ir.Prime) and not primes:     # f'^2(x) = (f'(x))^2
                primes += head.order
                head = head.base
        key = _key(head)
        if prod.is_prod(c) and not primes and power is None and key not in self.scope.functions and \
                key not in self.user_functions and key not in self.scope.symbols:
            return self._prod(c)
        event = self._event(key, c.arg) if not primes and power is None else None
        if event is None and not primes and power is None:
            event = self._described_event(key, c.arg)
        if event is not None:
            return event
        base = _key(head.base) if isinstance(head, ir.Sub) else None
        if base in self.user_functions and self.user_functions[base][2] is not None and \
                key not in self.scope.symbols and key not in self.scope.functions:
            # L_\delta(e) for a function defined as L_\delta(e) = ...: the subscript is its parameter
            args, post = self._unwrap(c.arg)
            if power is not None and isinstance(power, ir.Neg):
                raise Unsupported(f"{key}^{{{canon(power)}}}(...): the inverse function or a power of the value?",
                                  _pos(c))
            out = self.apply(("user", base), base, [self.expr(a) for a in args], primes, _pos(c),
                             param=self.expr(head.index))
            if power is not None:
                out = self.power(out, self.expr(power), _pos(c))
            return self._post(out, post)
        spectral = self._spectral_radius(key, c, primes, power)
        if spectral is not None:
            return spectral
        if key in ("E", r"\mathbb{E}") and key not in self.scope.symbols and self._names_a_law(c.arg):
            kind = "expectation"           # E[U(0, 1)^2]: the variable is written inside
        else:
            kind = self._function_kind(head, key)
        if kind is None:
            if primes:
                raise LatexError(f"a prime on {key!r}, which is not a function: declare it in 'functions'",
                                 _pos(c))
            # a(1 - a): multiplication (a(z) for a symbol defined in terms of z is the symbol)
            value = self.expr(head) if power is None else self.expr(ir.Pow(head, power, canon(power)))
            dep = self._dependency(value, c.arg)
            if dep is not None:
                return dep
            return self.multiply([value, self.expr(c.arg)], _pos(c))
        if power is not None and isinstance(power, ir.Neg):
            # \sigma^{-1}(y): the inverse function (the logit) in most sources, 1/\sigma(y) in a few
            raise Unsupported(f"{key}^{{{canon(power)}}}(...): the inverse function or a power of the value? write "
                              f"the inverse as a function of its own, or the power as ({key}(x))^{{{canon(power)}}}",
                              _pos(c))
        args, post = self._unwrap(c.arg)
        vals = self._arguments(kind, args, _pos(c))
        out = self.apply(kind, key, vals, primes, _pos(c), param=None)
        if power is not None:
            out = self.power(out, self.expr(power), _pos(c))
        return self._post(out, post)

    def _spectral_radius(self, key, c: ir.Call, primes, power):
        r"""``\rho(A)`` of a square matrix: its spectral radius, as sources write it (a product \rho A of a
        scalar and a matrix compared with a number would have no meaning).  Only where \rho is no name of
        the claim's own (declared, defined, or used as a value: \rho(1 - \rho) is a product); anything else,
        or a scalar argument, is read as before."""
        if key != r"\rho" or primes or power is not None or key in self.scope.symbols or \
                key in self.scope.functions or key in self.user_functions or key in self.values or \
                key in self.defined_keys:
            return None
        args, post = self._unwrap(c.arg)
        if len(args) != 1 or post:
            return None
        m = self.expr(args[0])
        if not is_array(m) or sp.simplify(m.shape[0] - m.shape[1]) != 0:
            return None
        self.scope.note(r"$\rho(\cdot)$ of a square matrix is read as its spectral radius, the largest "
                        "modulus of its eigenvalues")
        return SpectralRadius(m)

    def _event(self, key, arg):
        r"""``P(X \le x)`` of random variables (in closed form, confirmed by quadrature) and the indicator
        ``\mathbb{1}(u < p)`` (1 where the relation holds, else 0); None for anything else."""
        if key not in _PROBABILITY and key != r"\mathbb{1}" or key in self.scope.symbols:
            return None
        if not (isinstance(arg, ir.Paren) and isinstance(arg.arg, ir.Chain) and arg.arg.rels):
            return None
        if any(r not in ("<", "<=", ">", ">=") for r in arg.arg.rels):
            raise Unsupported(f"{key} of the relation {arg.arg.rels} is not read yet (only <, <=, >, >=)", _pos(arg))
        cond = self.condition(arg.arg)
        self._no_observed([cond], _pos(arg))
        indicator = sp.Piecewise((1, cond), (0, True))
        if key == r"\mathbb{1}":
            return indicator
        if not cond.atoms(RandomSymbol):
            raise Unsupported(f"{key}(...) of a relation without a random variable: give one with "
                              r"'X \sim \mathcal{N}(0, 1)'", _pos(arg))
        try:
            value = sp.simplify(stats_P(cond))
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise Unsupported(f"{key}(...) has no closed form here ({type(exc).__name__})", _pos(arg))
        if value.atoms(RandomSymbol) or value.has(sp.Integral, Probability):
            raise Unsupported(f"{key}(...) has no closed form here", _pos(arg))
        _quadrature_check("E", indicator, value, self.scope.random_laws, _pos(arg))
        self.scope.note(rf"${key}(\ldots)$ computed in closed form over the given distributions, confirmed by "
                        "numerical quadrature of the indicator")
        return value

    def _described_event(self, key, arg):
        r"""``P(\textrm{choose } i)``: the probability of an event told in words, a value nothing here computes.
        It stands as an opaque symbol (recorded in ``scope.described``) so that the rest of a chain can be read;
        a relation holding it is never judged (:mod:`.engine`)."""
        if key not in _PROBABILITY or key in self.scope.symbols or not isinstance(arg, ir.Paren):
            return None
        if not any(isinstance(n, ir.Name) and len(n.name.strip("~ ")) > 1 for n in ir.walk(arg.arg)):
            return None
        value = sp.Symbol(f"P({canon(arg.arg)})", real=True)
        self.scope.described.add(value)
        self.scope.note(f"${_tex(value)}$ is a probability of an event told in words: relations holding it are "
                        "not judged")
        return value

    def _law(self, kind, params, spelled, name, pos):
        """A random variable ``name`` of the law ``kind``: its parameters scalars, valid by the declarations
        (through the definitions read so far); registered with its law for the quadrature checks."""
        if any(is_array(v) for v in params):
            raise Unsupported("a distribution with vector parameters is not read yet", pos)
        _valid_law(kind, [_substituted(v, self.definitions) for v in params], spelled, pos,
                   self.scope.symbols.values())
        self.scope.random_laws[name] = (kind, list(params))
        return DISTRIBUTIONS[kind][1](name, *params)

    def _names_a_law(self, node) -> bool:
        """Whether ``node`` applies a distribution's name (undeclared) to arguments."""
        for n in ir.walk(node):
            head = n.head if isinstance(n, ir.Call) else (n.func if isinstance(n, ir.Apply) else None)
            if head is not None:
                key = _key(head) if isinstance(n, ir.Call) else head.name
                if key in DISTRIBUTION_NAMES and key not in self.scope.symbols:
                    return True
        return False

    def _arguments(self, kind, args, pos):
        """The values of a function's arguments; a moment's may name one distribution (``Var[U(-a, a)]``)."""
        if kind not in _MOMENTS:
            return [self.expr(a) for a in args]
        given = None
        if len(args) == 1 and isinstance(args[0], ir.Chain) and args[0].rels[:1] == ("mid",):
            # E[X \mid A]: the moment of X over the event A (a relation of the random variables)
            chain = args[0]
            if "mid" in chain.rels[1:] or len(chain.terms) < 3:
                raise Unsupported(r"a moment conditioned on something that is not one event (\mid A, A a "
                                  "relation of random variables)", pos)
            args = [chain.terms[0]]
            given = ir.Chain(chain.terms[1:], chain.rels[1:], span=chain.span)
        outer, self.moment_laws = self.moment_laws, []
        try:
            vals = [self.expr(a) for a in args]
            self._no_observed(vals, pos)
            if given is not None:
                self.moment_event = self.condition(given)
        finally:
            written, self.moment_laws = self.moment_laws, outer
        if len(written) > 1:
            raise Unsupported("several distributions written inside one moment: the same variable or "
                              r"independent ones? name them with 'X \sim ...'", pos)
        if written and any(str(r) not in written for v in vals if isinstance(v, sp.Basic)
                           for r in v.atoms(RandomSymbol)):
            raise Unsupported("a distribution written beside a given random variable: independent of it or not? "
                              r"name it with 'Y \sim ...'", pos)
        return vals

    def _dependency(self, value, arg):
        """``a(z)`` where ``a`` is defined in terms of exactly these variables: ``a`` itself."""
        if value not in self.definitions:
            return None
        args, post = self._unwrap(arg)
        if post:
            return None
        try:
            vals = [self.expr(a) for a in args]
        except LatexError:
            return None
        deps = _free_of(self.definitions[value], self.definitions)
        if vals and all(isinstance(v, (sp.Symbol, sp.MatrixSymbol)) for v in vals) and set(vals) <= deps:
            self.scope.note(f"${_tex(value)}({', '.join(map(_tex, vals))})$ is read as ${_tex(value)}$, "
                            "defined in terms of its argument")
            return value
        return None

    def _function_kind(self, head, key):
        if key in self.scope.functions:
            kind = self.scope.functions[key]
            if kind == "generic" or kind == "activation":
                return (kind, key)
            if kind not in FUNCTIONS and kind != "kronecker":
                raise ClaimError(f"unknown function kind {kind!r} for {key!r} (known: generic, activation, "
                                 f"{', '.join(sorted(FUNCTIONS))})", "functions")
            return kind
        if key in self.user_functions:
            return ("user", key)
        if key in self.entry_functions:
            return ("entry", key)
        if key in self.vector_functions:
            return ("vector", key)
        if key in ("E", r"\mathbb{E}") and (self.scope.random or self.scope.unnamed_random()[0]) \
                and key not in self.scope.symbols:
            return "expectation"
        decl = self.scope.symbols.get(key)
        if decl is not None or key in self.scope.role_keys:
            return None                    # declared, or an optimizer's role (a scalar): \eta (a + b) is a product
        if isinstance(head, ir.Sub):
            base = _key(head.base)
            if base in self.scope.symbols or base in self.values or base in self.defined_keys:
                return None            # a_i(1 - a_j): an entry of a declared vector times a bracket
        if isinstance(head, ir.Name):
            name = head.name.lower().replace(" ", "").replace("-", "_")
            if name in FUNCTION_NAMES:
                return FUNCTION_NAMES[name]
            raise LatexError(f"unknown function {head.name!r}: define it or declare it in 'functions'", _pos(head))
        if key in SYMBOL_FUNCTIONS:
            return SYMBOL_FUNCTIONS[key]
        if key in self.values:
            if key in _GENERIC_LETTERS and key not in self.defined_keys and key not in self.scope.symbols:
                # f(x + 1) beside a bare f: a function letter also used as a value, the reading not fixed
                raise LatexError(f"{key}(...) beside a bare {key}: a function applied or a product? declare "
                                 f"{key!r} in 'functions' or 'symbols'", _pos(head))
            return None                    # the letter is also used as a value: a product, a(1 - a)
        if key in DISTRIBUTION_NAMES and self.moment_laws is not None:
            return ("distribution", key)   # Var[U(-a, a)]: a variable with that law
        if key in RESERVED:
            raise Unsupported(f"{key}(...) ({RESERVED[key]}) is not read yet", _pos(head))
        if key in _GENERIC_LETTERS:
            self.scope.assumed_generic.add(key)
            self.scope.note(f"${key}$ is read as an arbitrary differentiable function")
            return ("generic", key)
        raise LatexError(f"{key}(...) could be a function or a product: declare {key!r} in 'functions' or "
                         "'symbols'", _pos(head))

    def _unwrap(self, arg):
        """The arguments inside the bracket after a function, and the scripts written after the bracket."""
        post = []
        node = arg
        while not isinstance(node, (ir.Paren, ir.Tuple)):
            if isinstance(node, (ir.Pow, ir.Sub, ir.Transpose, ir.Factorial)):
                post.append(node)
                node = node.base
            else:
                return [arg], []
        if isinstance(node, ir.Tuple):
            return list(node.items), list(reversed(post))
        return [node.arg], list(reversed(post))

    def _post(self, value, post):
        for p in post:
            if isinstance(p, ir.Pow):
                value = self.power(value, self.expr(p.exp), _pos(p))
            elif isinstance(p, ir.Transpose):
                self._transposed_scalar(value, p)
                value = sp.Transpose(value) if is_array(value) else value
            elif isinstance(p, ir.Sub):
                idx = self.indices(p.index, p)
                if not is_array(value):
                    raise LatexError("indexing a scalar", _pos(p))
                if value.shape[1] == 1:
                    if len(idx) != 1:
                        raise LatexError("a vector takes one index", _pos(p))
                    value = value[idx[0] - 1, 0]
                else:
                    if len(idx) != 2:
                        raise LatexError("a matrix takes two indices", _pos(p))
                    value = value[idx[0] - 1, idx[1] - 1]
            elif isinstance(p, ir.Factorial):
                value = sp.factorial(value)
        return value

    def _Apply(self, a: ir.Apply):
        f = a.func
        name = f.name
        bare = canon(ir.Func(name))
        full = canon(ir.Func(name, f.sub)) if f.sub is not None else bare
        sub = f.sub
        key = bare
        kind = None
        if name in ("Pr", r"\Pr") and sub is None and f.sup is None and not f.primes and len(a.args) == 1:
            event = self._event("Pr", a.args[0])     # \Pr(X > 0)
            if event is not None:
                return event
        for k in (full, bare):
            if k in self.scope.functions:
                kind, key = self.scope.functions[k], k
            elif k in self.user_functions:
                kind, key = ("user", k), k
            elif k in self.entry_functions:
                kind, key = ("entry", k), k
            if kind is not None:
                break
        if key == full and full != bare:
            sub = None                     # the subscript is part of the declared name
        if kind is None:
            norm = name.lower().replace(" ", "").replace("-", "_").replace("\\", "")
            kind = FUNCTION_NAMES.get(norm)
        if kind is None:
            raise LatexError(f"unknown function {name!r}: define it or declare it in 'functions'", _pos(a))
        if isinstance(kind, str) and kind not in FUNCTIONS and kind not in ("generic", "activation", "kronecker"):
            raise ClaimError(f"unknown function kind {kind!r} for {key!r}", "functions")
        if kind in ("generic", "activation"):
            kind = (kind, key)
        param = None
        if sub is not None:
            if kind in ("log", "lg"):
                kind = "log"
                param = self.expr(sub)
            elif kind == "leaky_relu":
                param = self.expr(sub)
            elif isinstance(kind, tuple) and kind[0] == "user":
                param = self.expr(sub)
            else:
                raise LatexError(f"a subscript on the function {name!r}", _pos(a))
        if a.bracket:
            args, post = self._unwrap(a.args[0])
        else:
            args, post = [a.args[0]], []
        if kind == "diag" and len(args) == 1 and _ellipsis_body(args[0]) is not None:
            return self._post(sp.DiagMatrix(self._ellipsis_vector(_ellipsis_body(args[0]), _pos(a))), post)
        vals = self._arguments(kind, args, _pos(a))
        if kind == "leaky_relu" and param is None and len(vals) == 2:
            vals, param = vals[:1], vals[1]
        out = self.apply(kind, key, vals, f.primes, _pos(a), param)
        if f.sup is not None:
            if canon(f.sup) == "-1":
                raise Unsupported(f"the inverse function of {name}", _pos(a))
            out = self.power(out, self.expr(f.sup), _pos(a))
        return self._post(out, post)

    def _ellipsis_vector(self, body, pos):
        r"""``\ldots a_i \ldots`` (inside ``diag``): the vector of the entries :math:`a_i`, :math:`i` the one declared
        index the entry is written with, over its range."""
        names = sorted(_ellipsis_indices(body, self.scope))
        if len(names) != 1:
            raise LatexError(r"'\ldots a_i \ldots' needs its entry written with exactly one declared index, found "
                             f"{', '.join(names) or 'none'}", pos)
        d = self.scope.symbols[names[0]]
        self.scope.note(rf"$\ldots {canon(body)} \ldots$ is the vector of these entries, ${names[0]} = 1, \dots, "
                        rf"{_tex(d.dims[0])}$")
        value = self.expr(body)
        if is_array(value):
            raise LatexError(r"the entry of '\ldots a_i \ldots' is not a scalar", pos)
        return FromEntries(value, d.obj, d.dims[0])

    def random_variable(self, name_node, dist_node):
        r"""``X \sim \mathcal{N}(0, \sigma^2)``: X becomes a random variable (a given, read before the formula)."""
        key = canon(name_node)
        if key in self.scope.symbols and key not in self.scope.random:
            return self._observed_value(key, dist_node)
        if not isinstance(name_node, ir.Atom) or key in self.scope.symbols or key in self.scope.random:
            raise Unsupported(f"{key} \\sim ...: only a plain, otherwise undeclared letter can be a random variable",
                              _pos(name_node))
        if not isinstance(dist_node, (ir.Call, ir.Apply)):
            raise Unsupported("the right side of \\sim must be a distribution such as \\mathcal{N}(0, 1)",
                              _pos(dist_node))
        if isinstance(dist_node, ir.Call):
            head = dist_node.head
            spelled = head.name.lower() if isinstance(head, ir.Name) else _key(head)
            args, post = self._unwrap(dist_node.arg)
        else:
            spelled, (args, post) = dist_node.func.name.lower(), (list(dist_node.args), [])
            if len(args) == 1:
                args, post = self._unwrap(args[0])
        kind = DISTRIBUTION_NAMES.get(spelled)
        if kind is None or post:
            raise Unsupported(f"the distribution {spelled!r} is not read yet (known: normal N, uniform U, "
                              "Bernoulli)", _pos(dist_node))
        arity = DISTRIBUTIONS[kind][0]
        if len(args) != arity:
            raise LatexError(f"{kind} takes {arity} parameter(s), got {len(args)}", _pos(dist_node))
        self.scope.random[key] = self._law(kind, [self.expr(a) for a in args], spelled, key, _pos(dist_node))
        self.scope.note(f"${key}$ is a random variable, ${key} \\sim$ {kind}")

    def _observed_value(self, key, dist_node):
        r"""``\text{target} \sim \mathrm{Poisson}(\text{input})`` for a declared scalar: the symbol is a value the
        law can take (the claim is about values, as a likelihood's formula is).  The declared domain must lie in
        the law's support and its parameters be valid by the declarations; a moment or probability of the symbol
        is then not read (it is no random variable here)."""
        decl = self.scope.symbols[key]
        if not isinstance(dist_node, (ir.Call, ir.Apply)) or decl.kind != "scalar":
            raise Unsupported(f"{key} \\sim ...: a declared scalar and a law applied to its parameters are needed",
                              _pos(dist_node))
        if isinstance(dist_node, ir.Call):
            head = dist_node.head
            spelled = head.name.lower() if isinstance(head, ir.Name) else _key(head).lower()
            args, post = self._unwrap(dist_node.arg)
        else:
            spelled, (args, post) = dist_node.func.name.lower(), (list(dist_node.args), [])
            if len(args) == 1:
                args, post = self._unwrap(args[0])
        law = _VALUE_LAWS.get(spelled)
        if law is None or post or len(args) != law[0]:
            raise Unsupported(f"{key} \\sim {spelled}(...): a declared value of this law is not read yet (known: "
                              f"{', '.join(sorted(_VALUE_LAWS))})", _pos(dist_node))
        params = [self.expr(a) for a in args]
        if any(is_array(v) for v in params) or not law[1](decl.obj, params):
            raise Unsupported(f"{key} \\sim {spelled}(...): the declarations do not put {key} in the law's support "
                              "with valid parameters", _pos(dist_node))
        self.scope.observed[decl.obj] = spelled
        self.scope.note(f"${_tex(decl.obj)}$ is read as a value of {spelled}$({', '.join(map(_tex, params))})$")

    def _no_observed(self, vals, pos):
        """A moment or probability of a symbol given only as a law's value: not read."""
        held = [v for v in vals if isinstance(v, sp.Basic) for o in self.scope.observed if v.has(o)]
        if held:
            raise Unsupported("a moment or probability of a declared symbol given as a value of a law (declare no "
                              r"symbol for a random variable: 'X \sim ...' alone)", pos)

    def _law_variable(self, key, args, primes, pos):
        r"""``U(-a, a)`` inside ``\operatorname{Var}[\cdot]``: a random variable with that law, as sources write
        "the variance of the uniform distribution"."""
        kind = DISTRIBUTION_NAMES[key]
        arity = DISTRIBUTIONS[kind][0]
        if primes or len(args) != arity:
            raise LatexError(f"{kind} takes {arity} parameter(s), got {len(args)}", pos)
        name = f"{key}({', '.join(_tex(v) for v in args)})"
        variable = self._law(kind, args, key, name, pos)
        self.moment_laws.append(name)
        self.scope.note(f"${name}$ inside a moment is read as a random variable with that law")
        return variable

    def apply(self, kind, key, args, primes, pos, param=None):
        if isinstance(kind, tuple):
            tag, name = kind
            if tag == "distribution":
                return self._law_variable(name, args, primes, pos)
            if tag == "user":
                return self._user(name, args, primes, pos, param)
            if tag == "entry":
                return self._entry_call(name, args, primes, pos, param)
            if tag == "vector":
                return entrysums.apply(self, name, args, primes, pos)
            if tag == "activation":
                x = _one(args, name, pos)
                if is_array(x):
                    return Elementwise(name, x, primes)
                fn = sp.Function(name, real=True)
                if primes:
                    u = sp.Dummy("x", real=True)
                    return sp.Subs(sp.Derivative(fn(u), u, primes), u, x)
                return fn(x)
            if tag == "generic" and ((name in self.scope.assumed_generic and name in _ELEMENTWISE_LETTERS)
                                     or name in self.elementwise) and len(args) == 1 and is_array(args[0]):
                # phi(z) for a vector z, phi not declared: an activation, applied entry by entry
                self.scope.note(f"${name}$ applied to a vector is read entry by entry")
                return Elementwise(name, args[0], primes)
            if tag == "generic" and self._vector_valued(name):
                return self._generic_vector(name, args, primes, pos)
            return _generic(name)(self, args, primes, pos)
        if kind == "kronecker":
            if len(args) != 2:
                raise LatexError("Kronecker delta needs two indices", pos)
            return sp.KroneckerDelta(*args)
        return FUNCTIONS[kind](self, args, primes, pos, param)

    def _vector_valued(self, key) -> bool:
        r"""A bold function the claim declares generic, :math:`\mathbf{f}`: vector-valued, as bold type says."""
        return self.scope.functions.get(key) == "generic" and key in self.scope.bold_functions

    def output_size(self, key):
        r"""The length of :math:`\mathbf{f}(u)` for a generic :math:`\mathbf{f}`: no field states it, so the claim is
        read for every length, a fresh size symbol, unless a product or an equation of the claim ties it to another
        size (then it is that size: :class:`SizeForced`, and the claim is read again)."""
        size = self.scope.fresh_sizes.get(key)
        if size is None:
            taken = {str(d.obj) for d in self.scope.symbols.values()} | set(map(str, self.scope.fresh_sizes.values()))
            name = next(n for n in (rf"m_{{{key}}}" + "'" * k for k in range(10)) if n not in taken)
            size = self.scope.fresh_sizes[key] = sp.Symbol(name, integer=True, positive=True)
        while size in self.scope.forced_sizes:
            size = self.scope.forced_sizes[size]
        return size

    def _generic_vector(self, key, args, primes, pos):
        if primes:
            raise Unsupported(f"a prime on the vector-valued function {key}: write its Jacobian as a partial "
                              "derivative", pos)
        u = _one(args, key, pos)
        if is_array(u) and u.shape[1] != 1:
            raise Unsupported(f"the vector-valued function {key} of a matrix", pos)
        self.scope.note(f"${key}$, a bold generic function, is read as vector-valued, of a length no field states: "
                        "the claim is read for every length its products allow")
        return GenericVector(key, u, self.output_size(key))

    def tie(self, a, b, pos):
        """Sizes ``a`` and ``b`` must be equal for a product or sum to be well-formed: where one is a fresh size
        (:meth:`output_size`), that is forced (:class:`SizeForced`); otherwise nothing is done here."""
        fresh = set(self.scope.fresh_sizes.values())
        if _conform(a, b) or not ({a, b} & fresh):
            return
        if _conform(a, 1) or _conform(b, 1):
            # one output: the claim then says something of scalars, not of the vectors it writes
            raise Unsupported(f"the length {a if a in fresh else b} of a generic vector-valued function would be 1 "
                              "here (a product or sum with a length-1 side)", pos)
        if a in fresh and b in fresh:
            a, b = sorted((a, b), key=str, reverse=True)
        elif b in fresh:
            a, b = b, a
        raise SizeForced(a, b, pos)

    def _user(self, key, args, primes, pos, param):
        params, body, sub = self.user_functions[key]
        if len(args) != len(params):
            raise LatexError(f"{key} takes {len(params)} argument(s), got {len(args)}", pos)
        if (sub is None) != (param is None):
            raise LatexError(f"{key} is defined {'with' if sub is not None else 'without'} a subscript parameter",
                             pos)
        if primes:
            if len(params) != 1:
                raise LatexError(f"a prime on {key}, a function of several variables", pos)
            u = sp.Dummy("x", real=True)
            inner = body.xreplace({params[0]: u, **({sub: param} if sub is not None else {})})
            return sp.Subs(sp.Derivative(inner, u, primes), u, args[0])
        reps = dict(zip(params, args))
        if sub is not None:
            reps[sub] = param
        return body.xreplace(reps)

    def _entry_call(self, key, args, primes, pos, param):
        """A function defined entry by entry of a vector, applied to one of its entries."""
        vec, index, body = self.entry_functions[key]
        if primes or param is not None or len(args) != 1:
            raise LatexError(f"{key} is defined entry by entry of {vec}: apply it to one entry", pos)
        a = args[0]
        if not (isinstance(a, MatrixElement) and a.parent == vec):
            raise LatexError(f"{key} is defined entry by entry of {vec}, not applied to one of its entries", pos)
        return body.xreplace({index: a.i + 1})

    # ------------------------------------------------------------------ derivatives
    def _Derivative(self, d: ir.Derivative):
        bare = _key(d.body) if isinstance(d.body, (ir.Atom, ir.Name)) else None
        if bare in self.vector_functions:
            raise Unsupported(f"the derivative of {bare!r}, a function of a vector of no stated length, written "
                              f"without its argument", _pos(d))
        if d.kind == "nabla" and not d.wrt and d.order == 1 and isinstance(d.body, ir.Call) and \
                _key(d.body.head) in self.vector_functions:
            args, post = self._unwrap(d.body.arg)
            if post:
                raise Unsupported(rf"\nabla {canon(d.body)}", _pos(d))
            return entrysums.gradient_at(self, _key(d.body.head), [self.expr(x) for x in args], _pos(d),
                                         lambda f, v: derivative(f, v, 1, _pos(d), self.scope))
        if bare in self.user_functions:
            f = self._function_by_name(d)
        elif bare in self.scope.functions and self.scope.functions[bare] == "generic" and bare not in self.local:
            f = self.expr(self._applied(d.body))
        else:
            f = self.expr(d.body)
        if d.kind == "nabla" and not d.wrt:
            if isinstance(d.body, ir.Call):
                args, post = self._unwrap(d.body.arg)
                if len(args) == 1 and d.order == 1 and not post and not isinstance(args[0], (ir.Atom, ir.Sub)):
                    at = self.expr(args[0])
                    if not is_array(at) and not isinstance(at, sp.Symbol):
                        # \nabla relu(6): the derivative of a function of one variable at the point, relu'(6)
                        self.scope.note(rf"$\nabla {canon(d.body)}$ is read as the derivative at the point, "
                                        f"${canon(d.body.head)}'({canon(args[0])})$")
                        return self.expr(ir.Call(ir.Prime(d.body.head, 1), d.body.arg, d.body.bracket))
                if len(args) == 1:
                    wrt = [(args[0], d.order)]      # \nabla^2 f(x): the Hessian by x
                elif d.order == 1:
                    return self._partials(d.body, 1, _pos(d))
                else:
                    raise Unsupported(rf"\nabla^{d.order} of a function of several variables", _pos(d))
            else:
                raise LatexError(r"\nabla without the variable: write \nabla_x", _pos(d))
        else:
            wrt = list(d.wrt)
        if len(wrt) == 1 and wrt[0][1] == 1 and isinstance(wrt[0][0], (ir.Atom, ir.Name)) \
                and self._vector_valued(_key(wrt[0][0])) and _key(wrt[0][0]) not in self.local:
            return self._by_argument(d, f, wrt[0][0])
        self._vacuous(d.body, f, wrt)
        for var_node, order in wrt:
            var = self.expr(var_node)
            f = derivative(f, var, order, _pos(d), self.scope)
        return f

    def _by_argument(self, d, f, var_node):
        r"""``\frac{\partial \mathbf{f}}{\partial \mathbf{g}}`` where the claim applies :math:`\mathbf{f}` to
        :math:`\mathbf{g}(x)`: the Jacobian of :math:`\mathbf{f}` by its argument, evaluated at :math:`\mathbf{g}(x)`
        (:class:`ArgumentJacobian`, transposed in denominator layout).  Only for a generic vector-valued
        :math:`\mathbf{f}` applied to exactly that: any other body by a function is not read."""
        key = _key(var_node)
        g = self.expr(self._applied(var_node))
        head = d.body.head if isinstance(d.body, ir.Call) else d.body
        fkey = _key(head) if isinstance(head, (ir.Atom, ir.Name)) else None
        if fkey is None or not self._vector_valued(fkey) or not is_array(g) or g.shape[1] != 1 \
                or f != GenericVector(fkey, g, self.output_size(fkey)):
            raise Unsupported(f"a derivative by the function {key} of something other than a generic vector-valued "
                              f"function applied to {key}(...)", _pos(d))
        self.scope.used_axes.update({"layout", "jacobian_form"})
        self.scope.note(f"$\\partial {fkey}/\\partial {key}$ is read as the Jacobian of ${fkey}$ by its argument, "
                        f"at ${_tex(g)}$")
        jac = ArgumentJacobian(fkey, g, self.output_size(fkey))
        return sp.Transpose(jac) if self.scope.conventions.get("layout", "mixed") == "denominator" else jac

    def _partials(self, call: ir.Call, order, pos):
        r"""``\nabla f(a, b)`` (order 1): the vector of partials of a function defined as ``f(x, y) = ...``
        at the arguments, a column (a row in numerator layout); ``\mathbf{H} f(a, b)`` (order 2): the
        matrix of second partials.  Only for a function the claim defines: otherwise the variables are
        not known."""
        key = _key(call.head)
        args, post = self._unwrap(call.arg)
        if key not in self.user_functions or post:
            raise Unsupported(r"\nabla of a function of several variables that the claim does not define", pos)
        params, body, sub = self.user_functions[key]
        if sub is not None or len(params) != len(args):
            raise LatexError(f"{key} takes {len(params)} argument(s), got {len(args)}", pos)
        vals = [self.expr(a) for a in args]
        if any(is_array(v) for v in vals):
            raise Unsupported(r"\nabla of a function of several vector arguments", pos)
        at = dict(zip(params, vals))
        names = ", ".join(str(p) for p in params)
        if order == 2:
            self.scope.note(rf"$\mathbf{{H}} {key}$ is read as the Hessian of ${key}$ by its parameters ${names}$")
            return sp.ImmutableMatrix([[sp.diff(body, p, q).xreplace(at) for q in params] for p in params])
        column = sp.ImmutableMatrix([sp.diff(body, p).xreplace(at) for p in params])
        self.scope.used_axes.add("layout")
        self.scope.note(rf"$\nabla {key}$ is read as the vector of the partials of ${key}$ by ${names}$")
        return column.T if self.scope.conventions.get("layout", "mixed") == "numerator" else column

    def _function_by_name(self, d: ir.Derivative):
        r"""``\frac{df}{dx}`` for a function defined as ``f(x) = ...``: f at its own parameters, the body as the
        definition writes it.  By a parameter that is the partial derivative; by another symbol of the body
        (``\partial C / \partial w`` for ``C(X, y) = ...`` with ``w`` in the body, a parameter of the model
        the definition holds fixed) it is the derivative of that expression.  Refused where the parameters
        are names the claim defines otherwise (which value they stand for would be a guess) or where the
        variable does not occur in the body (a silent 0)."""
        key = _key(d.body)
        params, body, sub = self.user_functions[key]
        names = [str(p) for p in params]
        wrt = [canon(v) for v, _ in d.wrt]
        applied = f"write it applied, {key}({', '.join(names)})"
        if sub is not None or not wrt:
            raise LatexError(f"the derivative of the function {key!r} by {', '.join(wrt) or 'nothing'}: {applied}",
                             _pos(d.body))
        # compared as symbols: \\mathbf{w} and w spell one parameter
        own = [any(_same_symbol(self, v, p) for p in params) for v, _ in d.wrt]
        if not all(own):
            free = _free_of(body, self.definitions) if not is_array(body) else set(body.free_symbols)
            free |= {a for a in sp.preorder_traversal(body) if isinstance(a, sp.MatrixSymbol)}
            clash = [n for n in names if n in self.defined_keys]
            absent = [w for (v, _), w, o in zip(d.wrt, wrt, own) if not o and self.expr(v) not in free]
            if clash or absent:
                raise LatexError(f"the derivative of the function {key!r} by {', '.join(wrt)}, "
                                 f"{'a variable its body does not contain' if absent else 'a parameter defined elsewhere'}"
                                 f": {applied}", _pos(d.body))
        self.scope.note(f"${key}$ in a derivative is read as ${key}({', '.join(names)})$")
        return self._user(key, list(params), 0, _pos(d.body), None)

    def _applied(self, name):
        r"""A generic function written bare in a derivative, ``\frac{\partial Loss}{\partial w}``, as the claim
        applies it: at the one argument it is applied to elsewhere (``Loss(w)``); never applied, at the one
        variable of its derivatives that the others feed (``\partial L/\partial W``, ``\partial L/\partial D``
        with ``D = W X``: ``L(D)``, the loss reaching ``W`` through ``D``, as backpropagation writes it)."""
        key = _key(name)
        apps = self.applications.get(key, {})
        if len(apps) == 1:
            (arg,) = apps.values()
            self.scope.note(f"${key}$ in a derivative is read as ${key}{canon(arg)}$, as the claim applies it")
            return ir.Call(name, arg)
        if apps:
            raise LatexError(f"the function {key!r} without an argument, applied in the claim to several: "
                             f"{', '.join(sorted(apps))}", _pos(name))
        nodes = {canon(v): v for v in self.bare_derivatives.get(key, [])}
        vals = {k: self.expr(v) for k, v in nodes.items()}
        feeds = [k for k, v in vals.items() if v in self.definitions and
                 all(w in _free_of(self.definitions[v], self.definitions) for k2, w in vals.items() if k2 != k)]
        if len(vals) < 2 or len(feeds) != 1:
            raise LatexError(f"the function {key!r} without an argument (no application and no definition says "
                             "what it is a function of)", _pos(name))
        arg = nodes[feeds[0]]
        self.scope.note(f"${key}$ is read as a function of ${feeds[0]}$ alone, which the claim's other variables "
                        "feed (the loss reaches them through it)")
        return ir.Call(name, ir.Paren(arg))

    def _vacuous(self, body_node, f, wrt):
        """``\\partial L / \\partial W`` with ``L`` defined by nothing: refuse, never a silent 0; the same for an
        expression none of whose symbols a definition ties to the variable (``\\partial (y - a)^2/\\partial w``,
        ``\\frac{d}{dt} x^2``): sources leave that dependence implicit, so 0 would be a guess.  A function at a
        constant point (``\\frac{d}{dz}\\sigma(0)``, ``\\partial_x f(1, 2)``) is a constant read literally, but
        textbooks mean the derivative at that point (:math:`\\sigma'(0) = 1/4`): two readings, no verdict."""
        if isinstance(f, sp.Basic) and wrt and not f.free_symbols \
                and any(isinstance(n, (ir.Call, ir.Apply)) for n in ir.walk(body_node)):
            raise LatexError(f"the derivative of ${canon(body_node)}$, a function at a constant point: literally 0, "
                             "as textbooks write it the derivative at that point; write f'(a) or "
                             "\\left.\\frac{df}{dx}\\right|_{x=a}", _pos(body_node))
        if isinstance(f, sp.Basic) and not isinstance(f, (sp.Symbol, sp.MatrixSymbol, MatrixElement)) \
                and f.free_symbols and wrt:
            deps = _free_of(f, self.definitions)
            variables = [self.expr(v) for v, _ in wrt]
            # co-inputs of one definition (w, x and b of y = w \cdot x + b) are independent by it: 0 is read
            inputs = [_free_of(v, {}) for v in self.definitions.values() if isinstance(v, sp.Basic)]
            co_inputs = any(all(_free_of(v, {}) & ins for v in variables if isinstance(v, sp.Basic))
                            and _free_of(f, {}) - {s for s in f.free_symbols if s.is_integer} <= ins
                            for ins in inputs)
            if not co_inputs and \
                    not any(deps & (_free_of(v, {}) | {v}) for v in variables if isinstance(v, sp.Basic)):
                raise LatexError(f"the derivative of ${_tex(f)}$ by a variable none of its symbols depends on "
                                 "through a definition: define the dependence, or write the 0", _pos(body_node))
        if isinstance(f, (sp.Symbol, sp.MatrixSymbol, MatrixElement)):
            node = body_node.base if isinstance(body_node, ir.Sub) and isinstance(f, MatrixElement) else body_node
            sym = f.parent if isinstance(f, MatrixElement) else f
            if sym not in self.definitions and _key(node) not in self.defined_keys \
                    and not any(self.expr(v) == f for v, _ in wrt) and not self._independent(sym, wrt):
                raise LatexError(f"the derivative of ${_tex(f)}$, which no definition connects to the variable: "
                                 "define it", _pos(body_node))


    def _inputs(self):
        """Symbols the definitions take as inputs: on a right side, never defined themselves."""
        used = set()
        for value in self.definitions.values():
            used |= {a for a in sp.preorder_traversal(value) if isinstance(a, (sp.Symbol, sp.MatrixSymbol))}
        return used - set(self.definitions)

    def _independent(self, sym, wrt):
        r"""``\partial b / \partial \mathbf{w}`` for ``y = \mathbf{w} \cdot \mathbf{x} + b``: both are inputs of the
        definitions, independent variables, so the derivative is 0 as written; by a defined quantity it is not
        read (an input by what it feeds is no derivative)."""
        inputs = self._inputs()
        if sym not in inputs:
            return False
        for v, _ in wrt:
            var = self.expr(v)
            var = var.parent if isinstance(var, MatrixElement) else var
            if var not in inputs:
                return False
        return True


def derivative(f, var, order, pos, scope=None):
    """``d^order f / d var^order`` with the array conventions of :mod:`nnderive.mathematics.arrays`."""
    scalar_f = is_array(f) and tuple(f.shape) == (1, 1)
    if is_array(var):
        if order == 2 and (scalar_f or not is_array(f)) and var.shape[1] == 1:
            return Hessian(f, var)
        if order != 1:
            raise Unsupported("second derivatives by a matrix are not read yet", pos)
        if scalar_f or not is_array(f):
            if scope is not None:
                scope.used_axes.add("layout")
                if scope.conventions.get("layout", "mixed") == "numerator":
                    return sp.Transpose(Grad(f, var))
            return Grad(f, var)
        if f.shape[1] != 1 or var.shape[1] != 1:
            raise Unsupported("derivatives of a matrix by a matrix are not read yet", pos)
        if scope is not None:
            scope.used_axes.update({"layout", "jacobian_form"})
            if scope.conventions.get("layout", "mixed") == "denominator":
                return sp.Transpose(Jacobian(f, var))
        return Jacobian(f, var)
    if scalar_f:
        f = f[0, 0]
    if is_array(f):
        if f.shape[1] != 1 or order != 1 or not var.is_Symbol:
            raise Unsupported("the derivative of a matrix (or a second derivative of a vector) by a scalar is not "
                              "read yet", pos)
        # d(x + z)/dz: the vector of the entries' derivatives, a column in numerator layout (a Jacobian with one
        # column), a row in denominator layout
        k = sp.Dummy("k", integer=True, positive=True)
        column = FromEntries(sp.Derivative(f[k - 1, 0], var), k, f.shape[0])
        if scope is not None:
            scope.used_axes.add("layout")
            if scope.conventions.get("layout", "mixed") == "denominator":
                return sp.Transpose(column)
        return column
    if not (var.is_Symbol or isinstance(var, (sp.Indexed, MatrixElement))):
        # d/d(log z) and friends: a change of variable the reader does not make
        raise Unsupported(f"a derivative with respect to the expression ${_tex(var)}$", pos)
    if f.is_Symbol and f != var:
        # dJ/ds of a defined J: held, as in a gradient's entries; SymPy's matrix product (dJ/ds times a
        # matrix) carries it out at once, reads J as independent of s and gives a silent 0 (dz/dz is 1 as it is)
        return HeldDerivative(f, (var, order))
    return sp.Derivative(f, (var, order))


# --------------------------------------------------------------------------- helpers
def _array_sum(summand, local, bound, lo, hi):
    r"""A sum of arrays over a family, :math:`\sum_i e_i x_i^\top`: entry by entry,
    :math:`(\sum_i S_i)_{pq} = \sum_i (S_i)_{pq}`."""
    p, q = sp.Symbol("p_{sum}", integer=True), sp.Symbol("q_{sum}", integer=True)
    entry = summand[p, q].xreplace({local: bound})
    return sp.FunctionMatrix(summand.shape[0], summand.shape[1], sp.Lambda((p, q), sp.Sum(entry, (bound, lo, hi))))


def _same_symbol(it, node, param) -> bool:
    """``node`` (a derivative's variable) reads as the function parameter ``param``."""
    try:
        return it.expr(node) == param
    except (LatexError, Unsupported):
        return False


def _label_then_transpose(p):
    r"""``x^{(i)\top}`` (or ``\intercal``) as the IR of ``(x^{(i)})^\top``, else None."""
    if not isinstance(p.exp, ir.Product) or len(p.exp.factors) != 2:
        return None
    label, mark = p.exp.factors
    if not (isinstance(label, ir.Paren) and label.bracket == "(" and isinstance(mark, ir.Atom)
            and mark.name in (r"\top", r"\intercal")):
        return None
    return ir.Transpose(ir.Pow(p.base, label, canon(label), span=p.span), span=p.span, mark=mark.name)


def _key(node):
    """The canonical spelling of a symbol-like node, or None."""
    if isinstance(node, (ir.Atom, ir.Sub, ir.Pow, ir.Name)):
        try:
            return canon(node)
        except TypeError:
            return None
    return None


def _vector_items(node):
    r"""The entries of ``[a, b]^T`` or of a tuple ``(a, b)`` (as a given's value: a point, a column vector), or
    None."""
    if isinstance(node, ir.Transpose) and isinstance(node.base, ir.Tuple) and node.base.bracket == "[":
        return node.base.items
    if isinstance(node, ir.Transpose) and isinstance(node.base, ir.Tuple) and node.base.bracket == "(" \
            and len(node.base.items) >= 2:
        return node.base.items          # (a, b)^T: the point written as a row, stood up as a column
    if isinstance(node, ir.Tuple) and node.bracket == "(" and len(node.items) >= 2:
        return node.items
    return None


def _matrix_size(node):
    r"""``(rows, columns)`` of a given's ``\begin{bmatrix} ... \end{bmatrix}`` of at least two rows and two
    columns, all rows of one length (a one-row or one-column array is a vector whose orientation the
    declaration states); None otherwise."""
    if not isinstance(node, ir.Matrix) or len(node.rows) < 2:
        return None
    widths = {len(r) for r in node.rows}
    if len(widths) != 1 or min(widths) < 2:
        return None
    return len(node.rows), widths.pop()


def _scientific(node) -> bool:
    r"""``1.32 \times 10^{1}``: a decimal times a whole power of ten, as numbers are printed (1.32E+01)."""
    if not (isinstance(node, ir.Product) and len(node.factors) == 2 and isinstance(node.factors[0], ir.Number)):
        return False
    p = node.factors[1]
    return isinstance(p, ir.Pow) and isinstance(p.base, ir.Number) and p.base.text == "10" and \
        (_is_number(p.exp) and "." not in canon(p.exp))


def _is_number(node):
    return isinstance(node, ir.Number) or (isinstance(node, ir.Neg) and isinstance(node.arg, ir.Number))


def _dims(node):
    if isinstance(node, ir.BinOp) and node.op in ("*", "times", "star"):
        return _dims(node.left) + _dims(node.right)
    if isinstance(node, ir.Product):
        out = []
        for f in node.factors:
            out += _dims(f)
        return out
    return [node]


def _entries_inside(summand, var, lo, hi, name, pos):
    r"""An entry the sum reaches past its array's end (:math:`\sum_{i=1}^{n+1} x_i`, :math:`x` of length
    :math:`n`) is an error naming it, not an IndexError at an explicit size."""
    for me in summand.atoms(MatrixElement):
        parent = me.args[0]
        for k, dim in zip(me.args[1:], parent.shape):
            for end in (lo, hi):
                at = k.xreplace({var: end})
                if (at - dim).is_nonnegative is True or at.is_negative is True:
                    raise LatexError(f"the sum over {name} reaches the entry {_tex(parent)}"
                                     f"_{{{', '.join(_tex(a.xreplace({var: end}) + 1) for a in me.args[1:])}}}, "
                                     f"outside {_tex(parent)} (of size {' x '.join(map(_tex, parent.shape))})", pos)


def _partial_reals(e) -> set:
    """The arguments of the even roots and logs in ``e`` not known to lie in their real domain."""
    if not isinstance(e, sp.Basic):
        return set()
    out = {("root", p.base) for p in e.atoms(sp.Pow)
           if p.exp.is_Rational and p.exp.q % 2 == 0 and p.base.is_nonnegative is not True}
    return out | {("log", g.args[0]) for g in e.atoms(sp.log) if g.args[0].is_positive is not True}


def _real_domain_kept(inputs, out, pos):
    r"""``out`` (SymPy's power or product of ``inputs``), unless it cancelled a root or log that is real only on
    part of the line: :math:`(\sqrt{x})^2 \to x` and :math:`e^{\log x} \to x` drop :math:`x \ge 0`, so a
    proof would rest on a complex intermediate and a point :math:`x < 0` would pass for a counterexample."""
    lost = set().union(*(_partial_reals(v) for v in inputs)) - _partial_reals(out)
    if lost:
        kind, arg = sorted(lost, key=str)[0]
        what, rel = (rf"\log({_tex(arg)})", ">") if kind == "log" else (rf"\sqrt{{{_tex(arg)}}}", r"\ge")
        raise Unsupported(f"${what}$ cancelled: it is real only where ${_tex(arg)} {rel} 0$, which the "
                          "declarations do not give (declare the symbol nonnegative or positive)", pos)
    return out


def _conform(a, b) -> bool:
    return sp.simplify(a - b) == 0


def _same_shape(a, b):
    return all(_conform(x, y) for x, y in zip(a, b))


def _shape_text(m):
    return f"({m.shape[0]}, {m.shape[1]})"


def _free_of(expr, defs, depth=0):
    """Free symbols of ``expr`` with definitions followed."""
    out = set()
    if depth > 20:
        return out
    for s in (expr.free_symbols if not is_array(expr) else expr.free_symbols) | {
            a for a in sp.preorder_traversal(expr) if isinstance(a, sp.MatrixSymbol)}:
        out.add(s)
        if s in defs:
            out |= _free_of(defs[s], defs, depth + 1)
    return out


# --------------------------------------------------------------------------- a claim's reading
@dataclass
class Reading:
    """Relations ``(lhs, relation, rhs)`` and definitions ``{symbol: expression}`` of one claim."""

    relations: list = field(default_factory=list)
    definitions: dict = field(default_factory=dict)
    symbols: dict = field(default_factory=dict)     # spelling -> SymPy object

    def substituted(self, expr):
        """``expr`` with every defined symbol replaced by its definition, until nothing changes."""
        for _ in range(20):
            new = expr.xreplace(self.definitions)
            if new == expr:
                return new
            expr = new
        raise ClaimError("definitions do not settle", "definitions", None)


def _first_difference(a, b):
    r"""The outermost nodes where two readings part (``\log q(x)``: ``\log q \cdot (x)`` or ``\log(q(x))``)."""
    while a != b:
        ca, cb = a.children(), b.children()
        if type(a) is not type(b) or len(ca) != len(cb):
            return a, b
        diff = [(x, y) for x, y in zip(ca, cb) if x != y]
        if len(diff) != 1:
            return a, b
        a, b = diff[0]
    return a, b


def parse_definitions(claim, it: Interpreter) -> dict:
    """``symbol = expression`` and ``f(x) = expression`` definitions, in order."""
    defs = {}
    for k, text in enumerate(claim.definitions):
        field_name = f"definitions[{k}]"
        try:
            sts = it.read(text)
            if len(sts) != 1:
                a, b = _first_difference(sts[0], sts[1])
                raise Unsupported(f"a definition with several readings: ${canon(a)}$ or ${canon(b)}$ (the reader "
                                  "keeps both; a bracket fixes it)", _pos(a))
            st = sts[0]
            if not claim.summation:
                st = definition_sum_reach(st, {k2 for k2, d in it.scope.symbols.items() if d.kind == "index"})
            _bound_indices(st, it.bound_ranges)
            for ch in st.chains:
                if ch in it.recurrence_chains:
                    continue          # a recurrence or its start: read term by term (recurrences.py)
                if it.updates and tuple(ch.rels) == ("<-",):
                    # an update rule's definitions may be lines of its algorithm: run in the order written
                    # with the claim's own lines (listing.definition_lines), never read as an equation
                    it.written.append(("update", k, ch))
                    continue
                before = set(defs)
                _definition(ch, it, defs, k, claim, field_name)
                it.written += [("def", k, target) for target in defs if target not in before]
        except LatexError as exc:
            raise ClaimError(exc.message, field_name, exc.pos)
    _check_acyclic(defs)
    return defs


def _definition(ch, it, defs, k, claim, field_name):
    """``y = f(x) = x + x^2`` defines every link, the rightmost first."""
    ch = _maps_to(ch, it)
    if len(ch.terms) < 2 or any(r not in ("=", ":=") for r in ch.rels):
        # v \leftarrow \mu v - \eta g here would make the claim's v the new value, where an update rule's
        # quantities are the reference's at one step: not read, never guessed
        found = "it has no relation" if len(ch.terms) < 2 else \
            "an update, not a definition" if "<-" in ch.rels else f"it relates by {', '.join(sorted(set(ch.rels)))}"
        raise ClaimError(f"a definition must read 'symbol = expression' ({found})", field_name, 0)
    for j in range(len(ch.terms) - 2, -1, -1):
        _one_definition(ch.terms[j], ch.terms[j + 1], it, defs, k, claim, field_name)


def primed_name(node, it) -> bool:
    r"""``h'`` or ``g_t'`` on the defined side (of a definition or an update line) is a name of its own,
    h-prime, where the prime cannot be a derivative: not where its base is a function the claim declares or
    defines, a name it applies to an argument anywhere (``g(x)``, ``g'(x)``) or differentiates bare; those
    keep the error of a prime outside a call.  Only a single prime on a letter, subscripted or not."""
    if not (isinstance(node, ir.Prime) and node.order == 1 and isinstance(node.base, (ir.Atom, ir.Sub))) or \
            canon(node) in it.scope.symbols:
        return False
    bases = {_key(node.base)} | ({_key(node.base.base)} if isinstance(node.base, ir.Sub) else set())
    if None in bases:
        return False
    functions = it.function_names() | set(it.applications) | set(it.bare_derivatives)
    if bases & functions:
        return False
    for st in it.statements_seen:
        for n in ir.walk(st):
            head = n.head if isinstance(n, ir.Call) else None
            while isinstance(head, ir.Prime):
                head = head.base
            if head is not None and (_key(head) in bases or isinstance(head, ir.Sub) and _key(head.base) in bases):
                return False
    return True


def declare_primed(node, it, where: str):
    """The symbol of a primed name (:func:`primed_name`), a real scalar; ``where``: what introduces it."""
    key = canon(node)
    target = it._default_scalar(key, node)
    it.scope.inferred[key] = f"real scalar (a primed name {where} introduces)"
    return target


def _maps_to(ch, it):
    r"""``\mathbf{x} \rightarrow \textrm{LN}(\mathbf{x}) = \dots``: the map x to LN(x), defined by the rest; read
    only where what stands before the arrow is the call's one argument, as written."""
    if len(ch.terms) < 3 or ch.rels[0] != "->" or any(r != "=" for r in ch.rels[1:]):
        return ch
    head, call = ch.terms[0], ch.terms[1]
    if not isinstance(call, ir.Call):
        return ch
    args, post = it._unwrap(call.arg)
    if post or len(args) != 1 or canon(args[0]) != canon(head):
        return ch
    return ir.Chain(ch.terms[1:], ch.rels[1:], span=ch.span)


def _one_definition(lhs, rhs, it, defs, k, claim, field_name):
    if isinstance(lhs, (ir.Call, ir.Apply)) and _function_definition(lhs, rhs, it, field_name):
        return
    if primed_name(lhs, it):
        value = it.expr(rhs)        # h' = \frac{h}{1-p}: a primed name of its own, not a derivative
        if is_array(value):
            raise ClaimError("a primed name defined as an array is not read yet", field_name, _pos(lhs))
        target = declare_primed(lhs, it, "its definition")
        if target in defs:
            raise ClaimError(f"{target} is defined twice", field_name, 0)
        defs[target] = value
        it.definitions[target] = value
        return
    if _key(lhs) is None:
        raise ClaimError("a definition must read 'symbol = expression'", field_name, _pos(lhs))
    entrywise = _entrywise_target(lhs, it)
    if entrywise is not None:
        target, index, rows = entrywise
        value = FromEntries(it.expr(rhs), index, rows)
        it.scope.note(f"${_tex(target)}$ is defined entry by entry")
    else:
        new = it.is_new(lhs, defining=True)
        value = it.expr(rhs)
        if new and is_array(value) and isinstance(lhs, (ir.Atom, ir.Sub, ir.Pow)):
            key = _key(lhs)
            obj = sp.MatrixSymbol(key, *value.shape)
            it.scope.symbols[key] = Decl(key, "vector" if value.shape[1] == 1 else "matrix", tuple(value.shape),
                                         "real", {"real": True}, (-3, 3, False, False), obj)
            it.scope.inferred[key] = f"{'vector' if value.shape[1] == 1 else 'matrix'} (the shape of its definition)"
        target = it.expr(lhs)
    if not isinstance(target, (sp.Symbol, sp.MatrixSymbol)):
        raise ClaimError("a definition must read 'symbol = expression'", field_name, 0)
    if is_array(value) and tuple(value.shape) == (1, 1) and not is_array(target):
        value = value[0, 0]
    if target in defs and k >= claim.own_definitions:
        return   # a source-wide definition the claim overrides
    if target in defs:
        raise ClaimError(f"{target} is defined twice", field_name, 0)
    if is_array(target) and not is_array(value) and _elementwise_definition(rhs, target, it):
        value = it.expr(rhs)
    if is_array(target) != is_array(value) or (is_array(target) and target.shape != value.shape):
        raise ClaimError(f"definition of {target}: shapes differ", field_name, 0)
    defs[target] = value
    it.definitions[target] = value


def _elementwise_definition(rhs, target, it) -> bool:
    r"""``\mathbf{h} = \phi(\mathbf{z})`` with ``\phi`` a generic function, ``h`` and ``z`` declared of one shape:
    the definition says ``\phi`` maps the vector to a vector of its shape, which a generic (scalar-valued)
    function of a vector does not; it is read entry by entry (an activation), here and wherever ``\phi``
    is applied to an array in the claim."""
    if not isinstance(rhs, ir.Call):
        return False
    head = rhs.head
    if isinstance(head, ir.Prime):
        return False
    key = _key(head)
    if key is None or it.scope.functions.get(key) != "generic":
        if key not in it.scope.assumed_generic:
            return False
    args, post = it._unwrap(rhs.arg)
    if post or len(args) != 1:
        return False
    arg = it.expr(args[0])
    if not is_array(arg) or tuple(arg.shape) != tuple(target.shape):
        return False
    it.elementwise.add(key)
    it.scope.note(f"${key}$ maps ${_tex(arg)}$ to ${_tex(target)}$ of its shape: read entry by entry")
    return True


_PROBABILITY_WORDS = ("with probability", "with prob.", "w.p.", "with probability of")


def _probability_of(cond):
    r"""The probability in a case condition ``\text{with probability } 1-p`` (read as the words times the
    leftmost factor), or None when the condition is not one."""
    if not isinstance(cond, ir.Chain) or cond.rels or len(cond.terms) != 1:
        return None

    def strip(node):
        if isinstance(node, ir.Product) and isinstance(node.factors[0], (ir.Name, ir.Text)):
            words = node.factors[0].name if isinstance(node.factors[0], ir.Name) else node.factors[0].text
            if words.strip().lower() not in _PROBABILITY_WORDS:
                return None
            rest = node.factors[1:]
            return None if not rest else (rest[0] if len(rest) == 1 else ir.Product(rest, span=node.span))
        if isinstance(node, ir.BinOp) and node.op in ("+", "-", "*", "/"):
            left = strip(node.left)
            return None if left is None else ir.BinOp(node.op, left, node.right, span=node.span)
        return None
    return strip(cond.terms[0])


def _entrywise_target(lhs, it):
    """``p_i = ...`` with ``i`` an index: the definition of the whole vector ``p`` (declared or new);
    ``\\delta_{ij} = ...`` with ``i`` a label (``Interpreter._labelled_entry``): of the row ``\\delta_i``."""
    if isinstance(lhs, ir.Sub) and isinstance(lhs.base, ir.Atom) and canon(lhs) not in it.scope.declared and \
            isinstance(lhs.index, ir.Product) and len(lhs.index.factors) == 2 and \
            it._labelled_entry(lhs, _key(lhs.base)) is not None:
        label, index = lhs.index.factors
        decl = it.scope.symbols[_key(ir.Sub(lhs.base, label, label.name))]
        return decl.obj, it.scope.symbols[index.name].obj, decl.obj.shape[0]
    if not (isinstance(lhs, ir.Sub) and isinstance(lhs.index, ir.Atom) and isinstance(lhs.base, (ir.Atom, ir.Pow))):
        return None
    if canon(lhs) in it.scope.declared:
        return None
    idx = it.scope.symbols.get(lhs.index.name)
    if idx is None or idx.kind != "index":
        return None
    key = _key(lhs.base)
    rows = idx.dims[0]
    decl = it.scope.symbols.get(key)
    if decl is None or key not in it.scope.declared:
        obj = sp.MatrixSymbol(key, rows, 1)
        it.scope.symbols[key] = Decl(key, "vector", (rows,), "real", {"real": True}, (-3, 3, False, False), obj)
        it.scope.inferred[key] = f"vector of length {rows} (defined entry by entry)"
        return obj, idx.obj, rows
    if decl.kind != "vector" or sp.simplify(decl.obj.shape[0] - rows) != 0:
        return None
    return decl.obj, idx.obj, rows


#: the assumptions of a declared domain (a value may break them)
_DOMAIN_ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer", "zero")


def outside_domain(var, value, pos=None):
    """A value given to ``var`` (an evaluation point, a stated value) that its declared domain excludes is an
    error: SymPy applied the domain before the value (ReLU(x) with x positive is x)."""
    if not isinstance(var, sp.Symbol) or not isinstance(value, sp.Basic):
        return
    for k in _DOMAIN_ASSUMPTIONS:
        if var.assumptions0.get(k) and getattr(value, f"is_{k}") is False:
            raise LatexError(f"${_tex(var)} = {_tex(value)}$ is outside the declared domain of ${_tex(var)}$ "
                             f"({k})", pos)


def _from_outside(var, point, direction) -> bool:
    """The approach of ``var`` to ``point`` runs outside the sign its declaration gives it."""
    if point == sp.oo:
        return bool(var.is_nonpositive)
    if point == -sp.oo:
        return bool(var.is_nonnegative)
    if not point.is_number or not point.is_real:
        return False
    return bool(direction == "-" and var.is_nonnegative and point <= 0
                or direction == "+" and var.is_nonpositive and point >= 0)


def _overlap(c1, c2):
    """Where two case conditions both hold: a SymPy set of one variable, or None when not read."""
    free = (c1.free_symbols | c2.free_symbols)
    if len(free) != 1:
        return None
    (x,) = free
    if not x.is_real:
        return None
    try:
        return x, sp.And(c1, c2).as_set()
    except (NotImplementedError, TypeError, ValueError):
        return None


def _no_conflicting_overlap(pieces, pos):
    r"""Cases that overlap must agree there: ``1`` for :math:`x \ge 0` and ``0`` for :math:`x \le 0` give x = 0
    two values, and SymPy's first match would pick one silently.  (``|x|`` by x ≥ 0 and x ≤ 0 agrees.)"""
    for i, (v1, c1) in enumerate(pieces):
        for v2, c2 in pieces[i + 1:]:
            if c1 in (sp.true, sp.false) or c2 in (sp.true, sp.false) or not isinstance(c1, sp.Basic) \
                    or not isinstance(c2, sp.Basic):
                continue
            found = _overlap(c1, c2)
            if found is None:
                continue
            x, where = found
            if where.is_empty:
                continue
            if isinstance(where, sp.FiniteSet):
                differ = any(not is_zero(sp.sympify(v1 - v2).xreplace({x: p})) for p in where)
            else:
                differ = not is_zero(sp.sympify(v1 - v2))
            if differ:
                raise LatexError(f"the cases ${_tex(v1)}$ for ${_tex(c1)}$ and ${_tex(v2)}$ for ${_tex(c2)}$ overlap "
                                 f"(at ${_tex(where)}$) with different values: the function is not defined there",
                                 pos)


def _function_definition(lhs, rhs, it, field_name) -> bool:
    """``f(x) = x^2``, ``\\operatorname{swish}_\\beta(x) = x\\sigma(\\beta x)``: a function of its parameters."""
    if isinstance(lhs, ir.Call):
        head, arg = lhs.head, lhs.arg
        key = _key(head)
        sub = None
        if isinstance(head, ir.Sub) and key not in it.scope.symbols:
            key, sub = _key(head.base), head.index
    else:
        f = lhs.func
        key, arg, sub = r"\operatorname{%s}" % f.name, lhs.args[0], f.sub
    if key is None:
        return False
    if key in it.scope.symbols and it.scope.symbols[key].kind != "scalar":
        return False
    args, post = it._unwrap(arg)
    if sub is None and not post and _entry_function_definition(key, args, rhs, it):
        return True
    if sub is None and not post and len(args) == 1 and entrysums.sums_over_entries(args[0], rhs, it):
        # f(x) = \sum_i x_i^2: the sum runs over the entries of the argument, read where f is applied
        it.vector_functions[key] = (args[0].name, rhs)
        it.scope.note(rf"${key}$ is a function of a vector ${args[0].name}$ whose $\sum$ runs over its entries: "
                      "read at each argument, with the argument's length")
        return True
    entry = _entry_post(post, it)
    if (post and entry is None) or not all(_parameter_node(a, it) for a in args):
        return False
    params, fresh = [], {}
    for a in args:
        pkey = _key(a) if not isinstance(a, ir.Call) else canon(a)
        d = it.scope.symbols.get(pkey)
        if d is None:
            d = _parameter(a, rhs, it) if isinstance(a, ir.Atom) else _real_scalar(pkey)
            it.scope.symbols[pkey] = d
        obj = d.obj
        if isinstance(obj, sp.Symbol) and any(obj.assumptions0.get(k) for k in _DOMAIN_ASSUMPTIONS):
            # f(x) = \max(0, x) with x declared positive: the domain is the claim's x, not the parameter's
            # (the body would be built as x, and f(-2) = -2)
            obj = fresh[pkey] = sp.Symbol(obj.name, real=True)
        params.append(obj)
    sub_sym = None
    if sub is not None:
        if not isinstance(sub, ir.Atom):
            return False
        sub_sym = it.expr(sub)
    saved = {k: it.local[k] for k in fresh if k in it.local}
    it.local.update(fresh)
    try:
        body = it.expr(rhs)
    finally:
        for k in fresh:
            it.local.pop(k, None)
        it.local.update(saved)
    if entry is not None:     # f(x)_i = ...: the vector of the entries
        index, rows = entry
        if is_array(body):
            return False
        body = FromEntries(body, index, rows)
    it.user_functions[key] = (params, body, sub_sym)
    it.scope.note(f"${key}$ is defined as a function of ${', '.join(_tex(p) for p in params)}$")
    return True


def _parameter_node(a, it) -> bool:
    r"""A function's parameter as sources write it: a letter ``x``, a word ``\text{input}``, or a subscripted
    letter ``x_n``, ``y_{\text{pred}}`` that is a name of its own (not an entry of a declared vector or matrix)."""
    if isinstance(a, ir.Atom):
        return True
    if isinstance(a, ir.Name):
        return _key(a) is not None and not any(c in a.name for c in "\\{}")
    if isinstance(a, ir.Call) and isinstance(a.head, ir.Atom) and isinstance(a.arg, ir.Paren) and \
            _parameter_node(a.arg.arg, it) and not isinstance(a.arg.arg, ir.Call):
        # L(y_i, f(x_i)) = ...: the model's output f(x_i) is the loss's parameter, a value of its own
        d = it.scope.symbols.get(canon(a))
        return (d is None or d.kind == "scalar") and _key(a.head) not in it.scope.functions and \
            _key(a.head) not in it.user_functions
    if isinstance(a, ir.Sub) and isinstance(a.base, ir.Atom) and isinstance(a.index, (ir.Atom, ir.Number, ir.Name)):
        key, base = _key(a), it.scope.symbols.get(_key(a.base))
        d = it.scope.symbols.get(key)
        return (d is None or d.kind == "scalar") and (base is None or base.kind == "scalar") and \
            a.base.name not in it.local
    return False


def _real_scalar(key) -> Decl:
    """The declaration of a real scalar the notation fixes (an undeclared letter, a function's parameter)."""
    return Decl(key, "scalar", (), "real", {"real": True}, (-3, 3, False, False), sp.Symbol(key, real=True))


def _entry_post(post, it):
    """``f(x)_i`` on the left of a definition, ``i`` a declared index: (the index, its range)."""
    if len(post) != 1 or not isinstance(post[0], ir.Sub) or not isinstance(post[0].index, ir.Atom):
        return None
    d = it.scope.symbols.get(post[0].index.name)
    if d is None or d.kind != "index":
        return None
    return d.obj, d.dims[0]


def _entry_function_definition(key, args, rhs, it) -> bool:
    r"""``\text{Softmax}(x_i) = \frac{\exp(x_i)}{\sum_j \exp(x_j)}``, ``x`` a declared vector and ``i`` a
    declared index: the function defined entry by entry; applied to an entry ``x_k`` it is the body at
    ``i = k``, and to nothing else."""
    if len(args) != 1 or not isinstance(args[0], ir.Sub) or not isinstance(args[0].index, ir.Atom):
        return False
    vec = it.scope.symbols.get(_key(args[0].base))
    idx = it.scope.symbols.get(args[0].index.name)
    if vec is None or vec.kind != "vector" or idx is None or idx.kind != "index":
        return False
    if sp.simplify(vec.obj.shape[0] - idx.dims[0]) != 0:
        return False
    body = it.expr(rhs)
    if is_array(body):
        return False
    it.entry_functions[key] = (vec.obj, idx.obj, body)
    it.scope.note(f"${key}$ is defined entry by entry of ${_tex(vec.obj)}$")
    return True


def _parameter(a: ir.Atom, body, it) -> Decl:
    """A function's parameter: a vector when the body takes its entries (``\\hat{y}_j`` with j over 1..q)."""
    for n in ir.walk(body):
        if isinstance(n, ir.Sub) and _key(n.base) == a.name and isinstance(n.index, ir.Atom):
            idx = n.index.name
            d = it.scope.symbols.get(idx)
            rows = None
            if d is not None and d.kind == "index":
                rows = d.dims[0]
            elif idx in it.bound_ranges and it.bound_ranges[idx][1] is not None:
                rows = it.expr(it.bound_ranges[idx][1])
            if rows is not None:
                it.scope.inferred[a.name] = f"vector of length {rows} (a parameter whose entries the body takes)"
                return Decl(a.name, "vector", (rows,), "real", {"real": True}, (-3, 3, False, False),
                            sp.MatrixSymbol(a.name, rows, 1))
    return Decl(a.name, "scalar", (), "real", {"real": True}, (-3, 3, False, False), sp.Symbol(a.name, real=True))


def _check_acyclic(defs):
    def deps(e):
        out = set(e.free_symbols) if not is_array(e) else set()
        out |= {a for a in sp.preorder_traversal(e) if isinstance(a, sp.MatrixSymbol)}
        return out & set(defs)
    state = {}

    def visit(s, path):
        if state.get(s) == 1:
            raise ClaimError(f"circular definitions: {' -> '.join(map(str, path + [s]))}", "definitions", 0)
        if state.get(s) == 2:
            return
        state[s] = 1
        for t in deps(defs[s]):
            visit(t, path + [s])
        state[s] = 2
    for s in defs:
        visit(s, [])


def _uses(node, values, subs, heads=False):
    """Keys of symbols used as values (not applied), and the subscripts written on each base."""
    if isinstance(node, ir.Call):
        _uses(node.arg, values, subs)
        head = node.head
        while isinstance(head, (ir.Prime, ir.Pow)) and not (isinstance(head, ir.Pow) and head.text.startswith("(")):
            head = head.base
        if isinstance(head, ir.Sub):
            _uses(head.index, values, subs)
        return
    if isinstance(node, ir.Sub) and isinstance(node.base, (ir.Atom, ir.Pow)):
        key = _key(node.base)
        if key is not None:
            subs.setdefault(key, set()).add(node)
            values.add(key)
    elif isinstance(node, ir.Atom):
        values.add(node.name)
    for c in node.children():
        _uses(c, values, subs)


def _ellipsis_body(node):
    r"""``\ldots a_i \ldots`` as the reader gives it (the dots, one entry, the dots): the entry, else None."""
    if isinstance(node, ir.Product) and len(node.factors) == 3 and \
            all(isinstance(f, ir.Text) and f.text == "..." for f in (node.factors[0], node.factors[2])):
        return node.factors[1]
    return None


def _ellipsis_indices(body, scope) -> set:
    """The declared index letters an ellipsis entry is written with (outside sums of its own)."""
    bound = {x.name for n in ir.walk(body) if isinstance(n, ir.BigOp) and n.lower is not None
             for x in ir.walk(n.lower) if isinstance(x, ir.Atom)}
    out = set()
    for n in ir.walk(body):
        if isinstance(n, ir.Sub):
            for x in ir.walk(n.index):
                d = scope.symbols.get(x.name) if isinstance(x, ir.Atom) else None
                if d is not None and d.kind == "index" and x.name not in bound:
                    out.add(x.name)
    return out


def _einstein(st: ir.Statement, indices=frozenset()) -> bool:
    """An index repeated within one term, with every term of the chain left with the same free indices:
    the Einstein summation convention reads it as a sum, the plain reading does not."""
    for ch in st.chains:
        free_sets, repeated = [], False
        for side in ch.terms:
            terms = []
            _additive(side, terms)
            for t in terms:
                counts = {}
                for n in ir.walk(t):
                    if isinstance(n, ir.Sub):
                        for x in ir.walk(n.index):
                            if isinstance(x, ir.Atom) and x.name in indices:
                                counts[x.name] = counts.get(x.name, 0) + 1
                    if isinstance(n, ir.BigOp):
                        for x in ir.walk(n.lower) if n.lower is not None else ():
                            if isinstance(x, ir.Atom):
                                counts[x.name] = -99      # a written sum binds it
                    if _ellipsis_body(n) is not None:
                        for x in ir.walk(n):              # diag(\ldots a_i \ldots) runs over i: it binds it
                            if isinstance(x, ir.Atom) and x.name in indices:
                                counts[x.name] = -99
                if any(c > 2 for c in counts.values()):
                    return False
                repeated |= any(c == 2 for c in counts.values())
                free_sets.append(frozenset(k for k, c in counts.items() if c == 1))
        if repeated and len(set(free_sets)) == 1:
            return True
    return False


def _sum_reach(st: ir.Statement, indices):
    r"""The index of a written sum that a later term of the same side uses again, ``\sum_i a_i + b_i c_i``
    (cs231n's variance of a sum): how far the sum reaches is then the question, not Einstein's convention."""
    for ch in st.chains:
        for side in ch.terms:
            terms, bound = [], set()
            _additive(side, terms)
            for t in terms:
                used = {x.name for n in ir.walk(t) if isinstance(n, ir.Sub) for x in ir.walk(n.index)
                        if isinstance(x, ir.Atom) and x.name in indices}
                sums = {x.name for n in ir.walk(t) if isinstance(n, ir.BigOp) and n.lower is not None
                        for x in ir.walk(n.lower) if isinstance(x, ir.Atom)}
                again = sorted((used - sums) & bound)
                if again:
                    return again[0]
                bound |= sums
    return None


def _at_entry(node, name, k, fixed, bases):
    """``node`` with the letter ``name`` set to the number ``k``, and on ``bases`` each subscript a given fixes
    (``s_{y_i}`` with ``y_i = 0``) set to its number: the summand of one entry."""
    if isinstance(node, ir.Atom) and node.name == name:
        return ir.Number(str(k), span=node.span)
    if isinstance(node, ir.Sub) and _key(node.base) in bases and _key(node.index) in fixed:
        return ir.Sub(node.base, ir.Number(str(fixed[_key(node.index)])), str(fixed[_key(node.index)]),
                      span=node.span)
    if not isinstance(node, ir.Node):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, ir.Node):
            changes[f.name] = _at_entry(v, name, k, fixed, bases)
        elif isinstance(v, tuple):
            changes[f.name] = tuple(_at_entry(x, name, k, fixed, bases) if isinstance(x, ir.Node) else
                                    tuple(_at_entry(y, name, k, fixed, bases) for y in x) if isinstance(x, tuple)
                                    else x for x in v)
    if isinstance(node, ir.Sub) and isinstance(changes.get("index"), ir.Number):
        changes["text"] = changes["index"].text
    return dataclasses.replace(node, **changes)


def _outside_sums(statements, base, letter) -> bool:
    """Some statement writes ``base_{letter}`` where no sum around it binds ``letter`` (a free entry)."""
    def bound_by(n):
        low = n.lower
        if isinstance(low, ir.Chain) and low.terms and isinstance(low.terms[0], ir.Atom):
            return low.terms[0].name
        return low.name if isinstance(low, ir.Atom) else None

    def free(node, bound):
        if isinstance(node, ir.Sub) and _key(node.base) == base and isinstance(node.index, ir.Atom) and \
                node.index.name == letter and letter not in bound:
            return True
        if isinstance(node, ir.BigOp) and node.op in ("sum", "prod"):
            inner = bound | {bound_by(node)}
            return any(free(c, bound) for c in (node.lower, node.upper) if c is not None) or \
                (node.body is not None and free(node.body, inner))
        return any(free(c, bound) for c in node.children())
    return any(free(st, frozenset()) for st in statements)


def _given_number(ch: ir.Chain, it) -> None:
    """Note a given ``y_i = 0`` (a name equal to a whole number), and ``s_k = ...`` (an entry by a digit)."""
    if ch.rels != ("=",) or len(ch.terms) != 2:
        return
    lhs, rhs = ch.terms
    value = rhs.arg if isinstance(rhs, ir.Neg) else rhs
    if isinstance(lhs, (ir.Atom, ir.Sub)) and isinstance(value, ir.Number) and value.text.isdigit():
        it.given_numbers[canon(lhs)] = int(value.text) * (-1 if isinstance(rhs, ir.Neg) else 1)
    if isinstance(lhs, ir.Sub) and isinstance(lhs.base, ir.Atom) and isinstance(lhs.index, ir.Number) and \
            lhs.index.text.isdigit() and len(lhs.index.text) == 1 and isinstance(value, ir.Number):
        it.given_entries.setdefault(canon(lhs.base), set()).add(int(lhs.index.text))


def _signed_terms(node, sign=1) -> list:
    """``a - b + c`` as ``[(1, a), (-1, b), (1, c)]`` (a leading minus flips its term)."""
    if isinstance(node, ir.BinOp) and node.op in ("+", "-"):
        return _signed_terms(node.left, sign) + _signed_terms(node.right, sign if node.op == "+" else -sign)
    if isinstance(node, ir.Neg):
        return _signed_terms(node.arg, -sign)
    return [(sign, node)]


def _joined(terms, span):
    out = None
    for sign, t in terms:
        if out is None:
            out = t if sign > 0 else ir.Neg(t, span=span)
        else:
            out = ir.BinOp("+" if sign > 0 else "-", out, t, span=span)
    return out


def definition_sum_reach(st: ir.Statement, indices) -> ir.Statement:
    r"""A definition ``L_i = -\sum_j y_{ij} \log p_j + (1 - y_{ij}) \log(1 - p_j)`` whose later terms use the
    sum's index again (cs231n's logistic loss, printed without brackets): the sum reaches them.

    Had it stopped before them, the right side would hold ``j`` free while the defined ``L_i`` does not
    carry it: a definition cannot depend on a letter its left side does not name, so that reading is not
    a definition and only :math:`L_i = -\sum_j [y_{ij} \log p_j + (1 - y_{ij}) \log(1 - p_j)]` is left.
    Where the left side writes the letter, or a term after the sum does not use it (is it summed too?),
    or the sum stands inside a product, both readings remain: not read."""
    chains = []
    for ch in st.chains:
        terms = list(ch.terms)
        for pos in range(1, len(terms)):
            for _ in range(8):
                letter = _sum_reach(ir.Statement((ir.Chain((terms[pos],), (), span=ch.span),), (), span=st.span),
                                    indices)
                if letter is None:
                    break
                named = {x.name for side in terms[:pos] for x in ir.walk(side) if isinstance(x, ir.Atom)}
                signed = _signed_terms(terms[pos])
                at = [k for k, (_, t) in enumerate(signed) if isinstance(t, ir.BigOp) and t.op == "sum" and
                      letter in {x.name for x in ir.walk(t.lower) if isinstance(x, ir.Atom)}]
                later = signed[at[0] + 1:] if at else []
                uses = [any(isinstance(n, ir.Sub) and any(isinstance(x, ir.Atom) and x.name == letter
                                                          for x in ir.walk(n.index)) for n in ir.walk(t))
                        for _, t in later]
                if letter in named or not at or not all(uses):
                    raise Unsupported(f"'{letter}' is summed by a \\sum over {letter} earlier in the same side and "
                                      "written again in a later term: whether the sum reaches it is not written "
                                      "(bracket the summands)", 0)
                sign, total = signed[at[0]]
                body = _joined([(1, total.body)] + later, total.span)   # each later term with the sign written before it
                reached = ir.BigOp(total.op, total.lower, total.upper, body, span=total.span)
                terms[pos] = _joined(signed[:at[0]] + [(sign, reached)], ch.span)
        chains.append(ir.Chain(tuple(terms), ch.rels, span=ch.span))
    return ir.Statement(tuple(chains), st.conditions, st.words, st.logic, span=st.span)


def einstein_sums(st: ir.Statement, indices) -> ir.Statement:
    r"""The statement under the Einstein convention (the claim's ``summation = "einstein"``): in each additive
    term, an index written twice is summed over its range, :math:`x_i a_{ij} x_j = \sum_i \sum_j x_i a_{ij} x_j`;
    once it stays free; three times, or beside a written sum over it, is an error, not a guess."""
    def term(t):
        if isinstance(t, ir.BinOp) and t.op in ("+", "-"):
            return ir.BinOp(t.op, term(t.left), term(t.right), span=t.span)
        if isinstance(t, ir.Neg):
            return ir.Neg(term(t.arg), span=t.span)
        counts, bound = {}, set()
        for n in ir.walk(t):
            if isinstance(n, ir.Sub):
                for x in ir.walk(n.index):
                    if isinstance(x, ir.Atom) and x.name in indices:
                        counts[x.name] = counts.get(x.name, 0) + 1
            if isinstance(n, ir.BigOp) and n.lower is not None:
                bound |= {x.name for x in ir.walk(n.lower) if isinstance(x, ir.Atom)}
        if any(c > 2 for c in counts.values()) or bound & {k for k, c in counts.items() if c == 2}:
            raise Unsupported("an index written more than twice in one term, or twice beside a written sum over "
                              "it, has no Einstein reading", t.span[0])
        for name in sorted((k for k, c in counts.items() if c == 2), reverse=True):
            t = ir.BigOp("sum", ir.Atom(name), None, t, span=t.span)
        return t
    chains = tuple(ir.Chain(tuple(term(x) for x in ch.terms), ch.rels, span=ch.span) for ch in st.chains)
    return ir.Statement(chains, st.conditions, st.words, st.logic, span=st.span)


def _applications(st, apps, bare):
    r"""Where the claim applies a name (``Loss(w)``) and where it differentiates the bare name (``\partial Loss /
    \partial w``): what a bare function name in a derivative stands for."""
    for n in ir.walk(st):
        if isinstance(n, ir.Call):
            key = _key(n.head)
            if key is not None:
                apps.setdefault(key, {})[canon(n.arg)] = n.arg
        elif isinstance(n, ir.Derivative) and isinstance(n.body, (ir.Atom, ir.Name)):
            bare.setdefault(_key(n.body), []).extend(v for v, _ in n.wrt)


def _additive(node, out):
    if isinstance(node, ir.BinOp) and node.op in ("+", "-"):
        _additive(node.left, out)
        _additive(node.right, out)
    elif isinstance(node, ir.Neg):
        _additive(node.arg, out)
    else:
        out.append(node)


def prepare(claim, conventions=None, updates=False, sizes=None):
    """Scope, interpreter and definitions of a claim (what every string binds, defines and uses first);
    ``sizes``: the fresh sizes earlier readings found tied (:class:`SizeForced`)."""
    scope = build_scope(claim, conventions)
    scope.forced_sizes = dict(sizes or {})
    it = Interpreter(scope, notation=claim.notation)
    it.updates = updates
    subs = {}
    grids, entry_defs = {}, []
    for k, text in enumerate([claim.formula, *claim.definitions, *claim.given]):
        if text:
            try:
                for st in it.read(text, k == 0):
                    st = it._named_conditional(st) if k == 0 else st
                    _bound_indices(st, it.bound_ranges)
                    _conditional_bars(st)
                    _uses(st, it.values, subs)
                    it.statements_seen.append(st)
                    _applications(st, it.applications, it.bare_derivatives)
                    indices = {k2 for k2, d in scope.symbols.items() if d.kind == "index"}
                    reach = _sum_reach(st, indices) if not claim.summation else None
                    if reach is not None:
                        # \sum_i a_i + b_i: one sum of both terms, or b_i with i free (or summed again by Einstein)
                        raise Unsupported(f"'{reach}' is summed by a \\sum over {reach} earlier in the same side "
                                          "and written again in a later term: whether the sum reaches it (one "
                                          "sum of all the terms) or not (a free index, or under the Einstein "
                                          "convention a second sum) is not written; bracket the summands", 0)
                    if k == 0 and not claim.summation and _einstein(st, indices):
                        raise Unsupported("an index repeated within one term: under the Einstein convention it "
                                          "is summed, in the plain reading it is not; write the sum", 0)
                    if 1 <= k <= len(claim.definitions):
                        entry_defs += [(ch.terms[0], ch.terms[1]) for ch in st.chains if len(ch.terms) == 2]
                        for ch in st.chains:
                            for term in ch.terms[:-1]:
                                key = _key(term)
                                if key is not None:
                                    it.defined_keys.add(key)
                                if isinstance(term, ir.Call):
                                    it.values.discard(_key(term.head))
                    if k > len(claim.definitions):
                        # a given x = (1, 2, 3) declares x before the definitions that use it are read
                        for ch in st.chains:
                            if ch.rels == ("=",):
                                it.declares_list(*ch.terms)
                                given_entry(ch, grids)
                                _given_number(ch, it)
            except Unsupported:
                if k == 0:
                    raise
            except LatexError:
                pass   # reported with its field when that string is read
    it.subscripts = subs
    declare_grids(it, grids, subs)
    declare_entry_indices(it, entry_defs)
    for base, nodes in subs.items() if not updates else ():   # an update's time steps are its roles
        forms = {n.text for n in nodes}
        variable = any(isinstance(x, ir.Atom) and x.name not in it.bound_ranges
                       and (scope.symbols.get(x.name) is None or scope.symbols[x.name].kind != "index")
                       for n in nodes for x in ir.walk(n.index))
        if variable and len(forms) > 1 and not any(v.kind != "scalar" for k2, v in scope.symbols.items()
                                                   if k2 == base):
            it.sequences[base] = forms
    if not updates:
        it.recurrences = find_recurrences(claim, it)
        for rec in it.recurrences.values():
            for base in {rec.base, *rec.inputs}:
                it.sequences.pop(base, None)
            start = canon(rec.start_chain.terms[0]) if rec.start_chain is not None else None
            if start in it.listed:
                # x_0 = (1, 2, 3) starts a recurrence: x_0 is its term (the list), not a vector of its own
                for table in (scope.symbols, scope.inferred):
                    table.pop(start, None)
                scope.declared.discard(start)
    defs = parse_definitions(claim, it)
    _declared_domains_follow(scope, defs)
    return scope, it, defs


#: a declared domain -> what its symbol's value v must satisfy: (expression, sign property) pairs
_DOMAIN_TESTS = {
    "positive": lambda v: [(v, "positive")], "nonnegative": lambda v: [(v, "nonnegative")],
    "negative": lambda v: [(v, "negative")], "nonzero": lambda v: [(v, "nonzero")],
    "integer": lambda v: [(v, "integer")],
    "(0,1)": lambda v: [(v, "positive"), (1 - v, "positive")],
    "[0,1]": lambda v: [(v, "nonnegative"), (1 - v, "nonnegative")],
    "(0,1]": lambda v: [(v, "positive"), (1 - v, "nonnegative")],
    "[0,1)": lambda v: [(v, "nonnegative"), (1 - v, "positive")],
}


def _settled(expr, prop) -> bool:
    """SymPy's sign rules decide ``expr`` has ``prop``, as written or over one denominator."""
    return any(getattr(f, f"is_{prop}") is True for f in sign_forms(expr))


def _declared_domains_follow(scope, defs):
    """A scalar declared with a domain and also defined must get that domain from its definition: SymPy applies
    a symbol's assumptions before the definition is substituted (``\\max(0, z)`` with z positive is z), so a
    domain the definition does not give (``z = wx + b`` declared positive) would be a silent condition on the
    inputs. ``a = \\sigma(z)`` declared (0,1) is fine."""
    for key, decl in scope.symbols.items():
        test = _DOMAIN_TESTS.get(decl.domain)
        if test is None or decl.kind != "scalar" or decl.obj not in defs:
            continue
        written = _substituted(defs[decl.obj], defs)
        value = elementary(written)
        if is_array(value) or not isinstance(value, sp.Expr):
            continue
        if not all(_settled(e, prop) or _settled(w, prop) for (e, prop), (w, _) in zip(test(value), test(written))):
            raise ClaimError(f"{decl.spelling!r} is declared {decl.domain} and defined as ${_tex(defs[decl.obj])}$, "
                             f"which does not make it so for every input: a declared domain on a defined symbol "
                             f"would be a condition on the inputs (not used yet); drop the domain, or declare the "
                             f"inputs so that the definition gives it", "symbols")


def read(claim) -> Reading:
    """The claim's first reading as SymPy relations, with its definitions."""
    scope, it, defs = prepare(claim)
    rels = []
    if claim.formula:
        try:
            (chains, _conds), *_ = it.readings(claim.formula)
        except LatexError as exc:
            raise ClaimError(exc.message, "latex", exc.pos)
        for chain in chains:
            rels += [(chain[k], chain[k + 1], chain[k + 2]) for k in range(0, len(chain) - 2, 2)]
    return Reading(rels, defs, {d.spelling: d.obj for d in scope.symbols.values()})
