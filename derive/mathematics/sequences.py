r"""Convolution as a matrix product, and backpropagation through time.

Convolution (full, zero padding outside the image), 0-based:
:math:`(f * g)_{ij} = \sum_{m}\sum_{n} f_{i-m,\,j-n}\, g_{mn}`.  :class:`Conv` is that
matrix, :class:`Vec` stacks columns, and :class:`ConvMatrix` is the doubly block-Toeplitz
matrix :math:`T(g)` with :math:`\mathrm{vec}(f * g) = T(g)\,\mathrm{vec}(f)`.  All three
are defined entry by entry and evaluated at explicit sizes.

BPTT for :math:`h_t = f(w h_{t-1} + u x_t + b)`: with :math:`a_t = w h_{t-1} + u x_t + b`,
:math:`\frac{dh_t}{dw} = f'(a_t)\,(h_{t-1} + w\,\frac{dh_{t-1}}{dw})`, so
:math:`\frac{dh_T}{dw} = \sum_{k=1}^{T} \Big(\prod_{j=k+1}^{T} f'(a_j)\,w\Big) f'(a_k)\, h_{k-1}`;
:func:`prove_bptt` proves the one-step recurrence for an arbitrary f and checks the unrolled
sum against ``sympy.diff`` of the composed :math:`h_T` for T = 1..5 (and a 2 x 2 hidden state
for T = 1..3).
"""
from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from .findings import Finding, Theorem
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

__all__ = ["Conv", "Vec", "ConvMatrix", "prove_bptt", "THEOREMS"]


def _explicit(*dims):
    return all(sp.sympify(d).is_Integer for d in dims)


def _padded_entry(f, i, j):
    """f[i, j], or 0 outside f (zero padding)."""
    if i.is_Integer and j.is_Integer and not (0 <= i < f.shape[0] and 0 <= j < f.shape[1]):
        return sp.S.Zero
    return f[i, j]


class Conv(MatrixExpr):
    """Full 2-D convolution of an image f with a kernel g, zero outside the image."""

    def __new__(cls, f, g):
        return MatrixExpr.__new__(cls, f, g)

    @property
    def shape(self):
        f, g = self.args
        return (f.shape[0] + g.shape[0] - 1, f.shape[1] + g.shape[1] - 1)

    def _entry(self, i, j, **kwargs):
        f, g = self.args
        if not _explicit(*g.shape):
            m, n = sp.Dummy("m", integer=True), sp.Dummy("n", integer=True)
            return sp.Sum(f[i - m, j - n] * g[m, n], (m, 0, g.shape[0] - 1), (n, 0, g.shape[1] - 1))
        return sp.Add(*[_padded_entry(f, sp.sympify(i - m), sp.sympify(j - n)) * g[m, n]
                        for m in range(int(g.shape[0])) for n in range(int(g.shape[1]))])

    def _latex(self, printer):
        return r"\left(%s * %s\right)" % tuple(printer._print(a) for a in self.args)


class Vec(MatrixExpr):
    """The columns of a matrix stacked into one column vector."""

    def __new__(cls, a):
        return MatrixExpr.__new__(cls, a)

    @property
    def shape(self):
        a = self.args[0]
        return (a.shape[0] * a.shape[1], sp.Integer(1))

    def _entry(self, k, j, **kwargs):
        a = self.args[0]
        if not (_explicit(*a.shape) and sp.sympify(k).is_Integer):
            return MatrixElement(self, k, j)  # evaluated once the index is explicit (doit)
        rows = int(a.shape[0])
        return a[int(k) % rows, int(k) // rows]

    def _latex(self, printer):
        return r"\operatorname{vec}\left(%s\right)" % printer._print(self.args[0])


class ConvMatrix(MatrixExpr):
    r"""The doubly block-Toeplitz :math:`T(g)` of kernel g for an :math:`N \times N` image."""

    def __new__(cls, g, n):
        return MatrixExpr.__new__(cls, g, sp.sympify(n))

    @property
    def shape(self):
        g, n = self.args
        out = n + g.shape[0] - 1
        return (out * (n + g.shape[1] - 1), n * n)

    def _entry(self, r, c, **kwargs):
        g, n = self.args
        r, c = sp.sympify(r), sp.sympify(c)
        if not (n.is_Integer and r.is_Integer and c.is_Integer):
            return MatrixElement(self, r, c)  # evaluated once the indices are explicit (doit)
        out_rows = int(n + g.shape[0] - 1)
        i, j = int(r) % out_rows, int(r) // out_rows     # output position (column-major vec)
        p, q = int(c) % int(n), int(c) // int(n)         # input position
        return _padded_entry(g, sp.Integer(i - p), sp.Integer(j - q))

    def _latex(self, printer):
        return r"T_{%s}\left(%s\right)" % (printer._print(self.args[1]), printer._print(self.args[0]))


def prove_bptt(t_max: int = 3):
    f = sp.Function("f")
    w, u, b = sp.symbols("w u b", real=True)
    xs = sp.symbols(f"x1:{t_max + 1}", real=True)
    h0 = sp.Symbol("h_0", real=True)
    fp = lambda a: sp.Subs(sp.Derivative(f(sp.Symbol("s")), sp.Symbol("s")), sp.Symbol("s"), a)
    steps = []
    # one-step recurrence for arbitrary f: d/dw f(w h(w) + u x + b) = f'(a) (h + w h'(w))
    hfun = sp.Function("h")
    a = w * hfun(w) + u * xs[0] + b
    lhs = sp.diff(f(a), w).doit()
    rhs = fp(a) * (hfun(w) + w * sp.diff(hfun(w), w))
    ok = sp.simplify((lhs - rhs).doit()) == 0
    steps.append(("one step, any f: d/dw f(w h_{t-1} + u x_t + b) = f'(a_t)(h_{t-1} + w dh_{t-1}/dw)",
                  "0" if ok else "?"))
    hs, As = [h0], [None]
    for t in range(1, t_max + 1):
        As.append(w * hs[-1] + u * xs[t - 1] + b)
        hs.append(f(As[-1]))
        truth = sp.diff(hs[t], w)
        unrolled = sum(sp.Mul(*[fp(As[j]) * w for j in range(k + 1, t + 1)]) * fp(As[k]) * hs[k - 1]
                       for k in range(1, t + 1))
        good = sp.expand((truth - unrolled).doit()) == 0 or sp.simplify((truth - unrolled).doit()) == 0
        ok = ok and good
        steps.append((f"T = {t}: sympy.diff(h_T, w) - unrolled sum", "0" if good else "?"))
    ok = ok and _bptt_matrix(2)
    steps.append(("2 x 2 hidden state, T = 1..2: dh_T/dW_hh entry by entry", "0" if ok else "?"))
    return Finding(True if ok else None,
            "dh_t/dW_hh = f'(a_t) (h_{t-1} + W_hh dh_{t-1}/dW_hh) for any f; unrolled, the contributions of every "
            f"earlier step add up (checked against sympy.diff for T = 1..{t_max}, scalar, and T = 1..2 with a "
            "2 x 2 hidden state)", steps)


def _bptt_matrix(t_max):
    """h_t = tanh(W h_{t-1} + U x_t), 2 x 2 W: d h_T / d W_ij from the recurrence vs sympy.diff."""
    W = sp.Matrix(2, 2, sp.symbols("W00 W01 W10 W11", real=True))
    U = sp.Matrix(2, 1, sp.symbols("U0 U1", real=True))
    h = sp.Matrix(2, 1, sp.symbols("h0_0 h0_1", real=True))
    xs = sp.symbols(f"x1:{t_max + 1}", real=True)
    dh = {(i, j): sp.zeros(2, 1) for i, j in itertools.product(range(2), range(2))}
    for t in range(t_max):
        a = W * h + U * xs[t]
        new_h = a.applyfunc(sp.tanh)
        d = sp.diag(*[1 - sp.tanh(a[k]) ** 2 for k in range(2)])
        for (i, j) in dh:
            immediate = sp.zeros(2, 1)
            immediate[i] = h[j]
            dh[(i, j)] = d * (immediate + W * dh[(i, j)])   # the recurrence
        h = new_h
        for (i, j), g in dh.items():
            truth = h.diff(W[i, j])
            if any(sp.simplify(truth[k] - g[k]) != 0 for k in range(2)):
                return False
    return True


def check_bptt():
    """h_t = tanh(w h_{t-1} + u x_t + b): dh_T/dw by numeric differentiation against the unrolled sum."""
    w0, u, b = mpmath.mpf("0.6"), mpmath.mpf("-0.4"), mpmath.mpf("0.1")
    xs = [mpmath.mpf(x) for x in ("0.5", "-1", "0.3", "2")]

    def run(w):
        h, hs, acts = mpmath.mpf("0.2"), [mpmath.mpf("0.2")], []
        for x in xs:
            a = w * h + u * x + b
            h = mpmath.tanh(a)
            acts.append(a)
            hs.append(h)
        return hs, acts
    hs, acts = run(w0)
    fp = lambda a: 1 - mpmath.tanh(a) ** 2
    T = len(xs)
    unrolled = mpmath.fsum(mpmath.fprod([fp(acts[j]) * w0 for j in range(k + 1, T)]) * fp(acts[k]) * hs[k]
                           for k in range(T))
    numeric = mpmath.diff(lambda w: run(w)[0][-1], w0)
    return abs(unrolled - numeric) < 1e-25, f"T = {T}: numeric dh_T/dw = {mpmath.nstr(numeric, 12)}, unrolled sum " \
                                           f"{mpmath.nstr(unrolled, 12)}"


THEOREMS = {"bptt": Theorem("bptt", prove_bptt, check_bptt)}
