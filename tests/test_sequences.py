"""Convolution as a Toeplitz product, and backpropagation through time."""
import sympy as sp

from nnderive.catalogue import Claim
from nnderive.judge import judge_claim
from nnderive.mathematics.sequences import Conv, ConvMatrix, Vec, prove_bptt

F = {r"\operatorname{conv}": "conv2d", r"\operatorname{vec}": "vec", "T": "convmat"}


def claim(latex, symbols, sizes=(2, 3)):
    return judge_claim(Claim(id="c", source="t", file="t.toml", latex=latex, symbols=symbols, functions=F,
                             sizes=list(sizes)))


def test_conv_entries_and_toeplitz_agree_numerically():
    f = sp.Matrix([[1, 2], [3, 4]])
    g = sp.Matrix([[1, 0, -1], [2, 1, 0], [0, 1, 1]])
    full = sp.Matrix(4, 4, lambda i, j: Conv(sp.MatrixSymbol("f", 2, 2), sp.MatrixSymbol("g", 3, 3))[i, j])
    full = full.subs({sp.MatrixSymbol("f", 2, 2)[i, j]: f[i, j] for i in range(2) for j in range(2)}) \
               .subs({sp.MatrixSymbol("g", 3, 3)[i, j]: g[i, j] for i in range(3) for j in range(3)})
    # a plain full 2-D convolution, written out
    plain = sp.zeros(4, 4)
    for i in range(2):
        for j in range(2):
            for m in range(3):
                for n in range(3):
                    plain[i + m, j + n] += f[i, j] * g[m, n]
    assert full == plain
    T = sp.Matrix(16, 4, lambda r, c: ConvMatrix(sp.ImmutableMatrix(g), 2)[r, c])
    vec_f = sp.Matrix([f[0, 0], f[1, 0], f[0, 1], f[1, 1]])
    vec_plain = sp.Matrix([plain[r % 4, r // 4] for r in range(16)])
    assert T * vec_f == vec_plain


def test_toeplitz_claim_proved_and_missing_kernel_refuted():
    s = {"f": "matrix N N", "g": "matrix 3 3"}
    assert claim(r"\operatorname{vec}(\operatorname{conv}(f, g)) = T(g, N) \operatorname{vec}(f)", s).verdict == "proved"
    mutant = claim(r"\operatorname{vec}(\operatorname{conv}(f, g)) = T(g, N)^T \operatorname{vec}(f)", s)
    assert mutant.verdict == "refuted"
    pad = {"f": "matrix N N padded", "g": "matrix 3 3", "i": "index N+2", "j": "index N+2"}
    v = claim(r"\operatorname{conv}(f, g)_{i,j} = \sum_{m=0}^{2} \sum_{n=0}^{2} f_{i-m, j-n}", pad)
    assert v.verdict == "refuted" and v.counterexample
    v = claim(r"\operatorname{conv}(f, g)_{i,j} = \sum_{m=0}^{2} \sum_{n=0}^{2} f_{i-m, j-n} g_{m+1, n+1}", pad)
    assert v.verdict == "proved"


def test_out_of_range_index_without_padding_is_an_error():
    v = claim(r"\operatorname{conv}(f, g)_{i,j} = \sum_{m=0}^{2} \sum_{n=0}^{2} f_{i-m, j-n} g_{m+1, n+1}",
              {"f": "matrix N N", "g": "matrix 3 3", "i": "index N+2", "j": "index N+2"})
    assert v.verdict == "error" and "padded" in v.reason


def test_vec_is_column_major():
    A = sp.Matrix([[1, 2], [3, 4]])
    v = Vec(sp.ImmutableMatrix(A))
    assert [v[k, 0] for k in range(4)] == [1, 3, 2, 4]


def test_bptt():
    finding = prove_bptt(t_max=3)
    assert finding.holds is True and all(s[1] == "0" for s in finding.steps)
