"""The shapes a sheet's example code gives its arrays, followed to a printed shape.

``batch_size, input_dim, output_dim = 32, 784, 128``, ``X = np.random.randn(batch_size, input_dim)``,
``b = np.zeros(output_dim)``, ``Z = forward_layer(X, W, b)`` and then ``print(f"Output shape: {Z.shape}")
# (32, 128)``: the comment says which shape the printed array has.  The arrays made by ``np.random.randn``,
``np.random.rand``, ``np.zeros`` and ``np.ones`` of whole-number sizes have those shapes; a call to a function
the sheet defines stands for the expression it returns (its parameters replaced by the arguments, read only
when the function assigns each name once); the claim is that this expression has the shape in the comment.
Anything else (a size that is not a whole number the code sets, a function with branches) is not followed.
"""
from __future__ import annotations

import ast
import re

__all__ = ["Traced", "trace_print_shapes"]

_MAKERS = {"np.random.randn", "np.random.rand", "np.zeros", "np.ones", "numpy.random.randn", "numpy.zeros"}
_PRINTED = re.compile(r"^\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")


class Traced:
    """A printed shape: the statement's line, the expression (an AST), the arrays' shapes, the shape printed."""

    def __init__(self, line, code, expr, shapes, printed, calls):
        self.line, self.code, self.expr, self.shapes, self.printed, self.calls = line, code, expr, shapes, printed, calls


def _sizes(call: ast.Call, consts: dict) -> tuple | None:
    args = call.args[0].elts if len(call.args) == 1 and isinstance(call.args[0], ast.Tuple) else call.args
    out = []
    for a in args:
        if isinstance(a, ast.Constant) and type(a.value) is int and a.value > 0:
            out.append(a.value)
        elif isinstance(a, ast.Name) and a.id in consts:
            out.append(consts[a.id])
        else:
            return None
    return tuple(out) if len(out) in (1, 2) and not call.keywords else None


def _made(value, consts):
    """The shape of ``np.random.randn(m, n)`` (times or plus a number), else None."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Mult, ast.Div)) and isinstance(value.right, ast.Constant):
        value = value.left
    if isinstance(value, ast.Call) and ast.unparse(value.func) in _MAKERS:
        return _sizes(value, consts)
    return None


def _substitute(expr, mapping):
    class Sub(ast.NodeTransformer):
        def visit_Name(self, n):
            return ast.copy_location(mapping[n.id], n) if n.id in mapping else n
    return Sub().visit(ast.parse(ast.unparse(expr), mode="eval").body)


def trace_print_shapes(statements, lines, consts_of) -> list[Traced]:
    """The printed shapes of the code, each with what it prints.  ``statements`` are the sheet's code
    statements (first line, last line, code, comment, def name, docstring); ``consts_of(code, consts)``
    updates the whole-number constants."""
    consts: dict = {}
    shapes: dict = {}                 # name -> shape of an array the code makes
    values: dict = {}                 # name -> the expression assigned to it at top level
    functions: dict = {}              # def name -> (parameter names, returned expression)
    local: dict = {}                  # def name -> {name: expression} (None once a name is assigned twice)
    out = []
    for first, _last, code, comment, fn, _doc in statements:
        consts_of(code, consts)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        if len(tree.body) != 1:
            continue
        st = tree.body[0]
        if fn:
            names = local.setdefault(fn, {})
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                key = st.targets[0].id
                names[key] = None if key in names else st.value
            elif isinstance(st, ast.Return) and st.value is not None:
                params = _params(lines, fn)
                ret = st.value
                if isinstance(ret, ast.Name) and names.get(ret.id) is not None:
                    ret = names[ret.id]
                if params is not None and all(v is not None for v in names.values()):
                    functions[fn] = (params, ret)
            continue
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            key = st.targets[0].id
            made = _made(st.value, consts)
            shapes.pop(key, None)
            values.pop(key, None)
            if made:
                shapes[key] = made
            elif isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Name) \
                    and st.value.func.id in functions and not st.value.keywords:
                params, ret = functions[st.value.func.id]
                if len(params) == len(st.value.args) and all(isinstance(a, ast.Name) for a in st.value.args):
                    values[key] = (_substitute(ret, dict(zip(params, st.value.args))), st.value.func.id)
            continue
        printed = _PRINTED.match(comment or "")
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and ast.unparse(st.value.func) == "print" \
                and printed:
            shown = [n.value for n in ast.walk(st.value) if isinstance(n, ast.Attribute) and n.attr == "shape"]
            if len(shown) == 1 and isinstance(shown[0], ast.Name) and shown[0].id in values:
                expr, via = values[shown[0].id]
                used = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
                arrays = {k: shapes[k] for k in used if k in shapes}
                out.append(Traced(first, code.strip(), expr, arrays, (int(printed.group(1)), int(printed.group(2))),
                                  via))
    return out


def _params(lines, fn: str) -> list | None:
    """The parameter names of ``def fn(a, b, c):`` (plain names only), from the sheet's lines."""
    for ln in lines:
        m = re.match(rf"\s*def\s+{re.escape(fn)}\s*\(([^)]*)\)\s*:", ln)
        if m:
            names = [p.strip() for p in m.group(1).split(",") if p.strip()]
            return names if all(re.fullmatch(r"[A-Za-z_]\w*", p) for p in names) else None
    return None


# --------------------------------------------------------------------------- a softmax the code writes
def returned_expressions(statements, lines) -> dict:
    """def name -> (parameter names, the returned expression with the function's names put in, docstring),
    for the functions that assign each name once."""
    local: dict = {}
    out: dict = {}
    for _first, _last, code, _comment, fn, doc in statements:
        if not fn:
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        if len(tree.body) != 1:
            continue
        st, names = tree.body[0], local.setdefault(fn, {})
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            key = st.targets[0].id
            names[key] = None if key in names else st.value
        elif isinstance(st, ast.Return) and st.value is not None and all(v is not None for v in names.values()):
            params = _params(lines, fn)
            expr = st.value
            for _ in range(len(names)):
                expr = _substitute(expr, {k: v for k, v in names.items() if k not in (params or [])})
            if params is not None:
                out[fn] = (params, expr, doc)
    return out


def _axis(call: ast.Call) -> str | None:
    """'row' for ``axis=1`` (or -1) with ``keepdims=True``, '' for no keyword (a 1-D array), None otherwise."""
    kw = {k.arg: k.value for k in call.keywords}
    if not kw:
        return ""
    axis, keep = kw.get("axis"), kw.get("keepdims")
    ok = isinstance(axis, ast.Constant) and axis.value in (1, -1) or \
        isinstance(axis, ast.UnaryOp) and isinstance(axis.op, ast.USub) and getattr(axis.operand, "value", 0) == 1
    return "row" if ok and isinstance(keep, ast.Constant) and keep.value is True and len(kw) == 2 else None


def softmax_entry(expr, z: str) -> tuple[str, str] | None:
    r"""Entry i of ``expr`` written in the array ``z``: exp, max and sum reduced along one axis (the last,
    keepdims, for a batch of rows; or none, for one vector), arithmetic; as (LaTeX, 'row' or '').  A max or
    sum over another axis, or any other call, is not read (None)."""
    axes = set()

    def tr(n, idx):
        if isinstance(n, ast.Name) and n.id == z:
            return f"{z}_{{{idx}}}"
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            return repr(n.value)
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub, ast.Div)):
            a, b = tr(n.left, idx), tr(n.right, idx)
            if isinstance(n.op, ast.Div):
                return f"\\frac{{{a}}}{{{b}}}"
            return f"{a} {'+' if isinstance(n.op, ast.Add) else '-'} ({b})"
        if isinstance(n, ast.Call) and len(n.args) == 1:
            name = ast.unparse(n.func)
            if name in ("np.exp", "numpy.exp") and not n.keywords:
                return f"e^{{{tr(n.args[0], idx)}}}"
            if name in ("np.max", "np.amax", "numpy.max") and isinstance(n.args[0], ast.Name) and n.args[0].id == z:
                axes.add(_axis(n))
                return f"\\max({z})"
            if name in ("np.sum", "numpy.sum"):
                axes.add(_axis(n))
                return f"\\sum_{{k}} {tr(n.args[0], 'k')}"
        raise ValueError
    try:
        tex = tr(expr, "i")
    except ValueError:
        return None
    if None in axes or len(axes) != 1 or "\\sum" not in tex:
        return None
    return tex, axes.pop()
