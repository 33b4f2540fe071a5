"""The layers import one way only: catalogue data -> notation -> mathematics -> judge ->
numeric -> reports and CLI.  An upward or circular import fails here, and so does a
function-level import of the project's own modules that is not on the short list below."""
import ast
from pathlib import Path

import nnderive

ROOT = Path(nnderive.__file__).parent
NUMERIC = Path(nnderive.numeric.__file__).parent if hasattr(nnderive, "numeric") else None

#: layer of each module or subpackage (by its first name below nnderive); higher may import lower
LAYERS = {
    "version": 0, "display": 0, "verdict": 0, "catalogue": 0, "formulas": 0,
    "notation": 1,
    "mathematics": 2,
    "judge": 3,
    "numeric": 4,
    "report": 5, "cli": 5, "bench": 5, "api": 5, "scan": 5, "worked": 5, "codeshapes": 5, "lettershapes": 5, "backpropblocks": 5, "proseread": 5, "cache": 5, "__init__": 6, "__main__": 6,
}


def _modules():
    import nnderive.numeric  # noqa: F401
    roots = {"nnderive": ROOT, "nnderive.numeric": Path(nnderive.numeric.__file__).parent}
    for prefix, root in roots.items():
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).with_suffix("")
            parts = [p for p in rel.parts]
            name = ".".join([prefix] + parts)
            if name.endswith(".__init__"):
                name = name[: -len(".__init__")]
            if prefix == "nnderive.numeric" or name.startswith("nnderive.numeric"):
                key = "numeric"
            else:
                key = parts[0] if parts[0] != "__init__" or len(parts) > 1 else "__init__"
            yield name, key, path


def _resolve(module: str, level: int, target: str | None, is_pkg: bool) -> str:
    base = module.split(".")
    if level:
        base = base[: len(base) - level + (1 if is_pkg else 0)]
        return ".".join(base + ([target] if target else []))
    return target or ""


def _imports(name, path):
    tree = ast.parse(path.read_text())
    is_pkg = path.name == "__init__.py"
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = _resolve(name, node.level, node.module, is_pkg)
            targets = [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for t in targets:
            if t.startswith("nnderive"):
                yield t, id(node) in top, node.lineno


def _layer_of(target: str):
    parts = target.split(".")
    if len(parts) == 1:
        return LAYERS["__init__"]
    return LAYERS.get(parts[1])


def test_every_module_has_a_layer():
    missing = [name for name, key, _ in _modules() if key not in LAYERS]
    assert not missing, f"modules without a layer: {missing}"


def test_no_upward_import():
    bad = []
    for name, key, path in _modules():
        mine = LAYERS[key]
        for target, _, line in _imports(name, path):
            layer = _layer_of(target)
            if layer is not None and layer > mine:
                bad.append(f"{path.name}:{line} ({name}, layer {mine}) imports {target} (layer {layer})")
    assert not bad, "\n".join(bad)


def test_no_circular_import():
    graph = {}
    names = {name for name, _, _ in _modules()}
    for name, _, path in _modules():
        deps = set()
        for target, _, _ in _imports(name, path):
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                deps.add(target)
        graph[name] = deps
    state, cycles = {}, []

    def visit(n, path):
        if state.get(n) == 1:
            cycles.append(" -> ".join(path[path.index(n):] + [n]))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in sorted(graph.get(n, ())):
            visit(d, path + [n])
        state[n] = 2
    for n in sorted(graph):
        visit(n, [])
    assert not cycles, "\n".join(cycles)


#: Function-level imports of the project's own modules that are allowed, each with its reason.
DEFERRED = {
    # torch is an optional extra: `nnderive bench --torch` loads the torch backend only when asked
    ("nnderive.cli", "nnderive.numeric.torch_bench.main_bench_torch"),
}


def test_function_level_imports_are_few_and_justified():
    found = []
    for name, _, path in _modules():
        for target, at_top, line in _imports(name, path):
            if not at_top:
                found.append((name, target))
    unexplained = sorted({f"{n} imports {t} inside a function" for n, t in found if (n, t) not in DEFERRED})
    assert not unexplained, "\n".join(unexplained)
    assert len(DEFERRED) <= 6
