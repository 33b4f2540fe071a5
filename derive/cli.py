"""``nnderive``: the command line."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from . import bench
from .catalogue import load_paths
from .numeric.bench import main_bench_step
from .numeric.example import main_example
from .numeric.kernels import kernel, kernels
from .numeric.train import main_train
from .report import ReportError, generate
from .judge import DEFAULT_BUDGET, judge_all
from .mathematics.rewrites import REWRITES, prove_rewrite
from .mathematics.rules import RULES, VECTOR_RULES, prove_rule, prove_vector_rule
from .verdict import VERDICTS, Verdict

__all__ = ["main"]


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(verdicts, out=sys.stdout):
    idw = max([len(v.id) for v in verdicts] + [2])
    for v in verdicts:
        out.write(f"{v.id:<{idw}}  {v.verdict:<13}  {_short(v.reason, 110)}\n")
    counts = Counter(v.verdict for v in verdicts)
    out.write("\n" + ", ".join(f"{counts[w]} {w}" for w in VERDICTS if counts[w]) + f"  ({len(verdicts)} claims)\n")


def cmd_check(args) -> int:
    claims, errors = load_paths(args.paths)
    verdicts = [Verdict.from_load_error(e) for e in errors] + judge_all(claims, args.budget, args.jobs)
    if args.json:
        json.dump([v.to_dict() for v in verdicts], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(verdicts)
    return 1 if any(v.verdict in ("refuted", "error") for v in verdicts) else 0


def cmd_rules(args) -> int:
    """Print the derivative table with each row's proof against sympy.diff."""
    ok_all = True
    for r in RULES:
        ok, _ = prove_rule(r)
        ok_all &= ok
        kink = f"  [{r.kink}]" if r.kink else ""
        print(f"{r.name:<18} {'proved' if ok else 'FAILED':<8} {r.latex}{kink}")
    for r in VECTOR_RULES:
        ok, _ = prove_vector_rule(r)
        ok_all &= ok
        given = f"  [given {r.given}]" if r.given else ""
        print(f"{r.name:<18} {'proved' if ok else 'FAILED':<8} {r.latex}  (n = 1..4){given}")
    print("\nstability rewrites (numeric/ applies them to every kernel):")
    for r in REWRITES:
        ok, _ = prove_rewrite(r)
        ok_all &= ok
        print(f"{r.name:<22} {'proved' if ok else 'FAILED':<8} {r.latex}")
    return 0 if ok_all else 1


def cmd_bench(args) -> int:
    if args.step:
        return main_bench_step(args)
    return bench.run(args)


def cmd_train(args) -> int:
    return main_train(args)


def cmd_kernels(args) -> int:
    """List the kernels (name, arguments, derivation) or print one kernel's generated source."""
    if args.show:
        try:
            k = kernel(args.show)
        except KeyError as e:
            print(e.args[0], file=sys.stderr)
            return 2
        print(f"# {k.name}({', '.join(k.args)}): {k.doc}")
        catalogue, _ = load_paths([])
        claims = [c.id for c in catalogue if k.name in c.kernels]
        print(f"# derived from: {', '.join(k.derivation)}" + (f"; claims: {', '.join(claims)}" if claims else ""))
        print(k.source.rstrip())
        return 0
    for k in kernels().values():
        print(f"{k.name:<28} ({', '.join(k.args)})  <- {', '.join(k.derivation)}")
    return 0


def cmd_report(args) -> int:
    """Write the Markdown and LaTeX reports (and PDFs when pdflatex is present)."""
    try:
        written = generate(args.paths or None, args.out, pdf=False if args.no_pdf else None)
    except ReportError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {args.out}/")
    return 0


def cmd_example(args) -> int:
    return main_example(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nnderive", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="judge claims (default: the whole catalogue)")
    c.add_argument("paths", nargs="*", help="claim files or folders")
    c.add_argument("--json", action="store_true", help="print a JSON list of verdict records")
    c.add_argument("--budget", type=float, default=DEFAULT_BUDGET, help="seconds per claim (0: no limit)")
    c.add_argument("-j", "--jobs", type=int, default=None, help="claims judged at once (default: CPU count)")
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("rules", help="the derivative table, each row proved against sympy.diff")
    r.set_defaults(func=cmd_rules)
    b = sub.add_parser("bench", help="time the whole catalogue check, cold and warm, with per-claim timings")
    b.add_argument("paths", nargs="*")
    b.add_argument("--top", type=int, default=15)
    b.add_argument("--step", action="store_true",
                   help="time one training step of the kernels against hand-written NumPy and PyTorch instead")
    b.add_argument("--rounds", type=int, default=9, help="interleaved rounds for --step")
    b.set_defaults(func=cmd_bench)
    t = sub.add_parser("train", help="train an MLP with the lambdified kernels on a packaged data set")
    t.add_argument("dataset", nargs="?", default="digits", choices=("digits", "mnist", "xor"))
    t.add_argument("--hidden", type=int, nargs="*", help="hidden layer sizes (default per data set)")
    t.add_argument("--activation", choices=("sigmoid", "tanh", "relu", "leaky_relu", "softplus"))
    t.add_argument("--loss", choices=("softmax_cce", "sigmoid_bce", "mse"))
    t.add_argument("--optimizer", choices=("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"))
    t.add_argument("--lr", type=float)
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch", type=int)
    t.add_argument("--l2", type=float)
    t.add_argument("--init", choices=("he", "xavier", "lecun", "uniform"))
    t.add_argument("--seed", type=int)
    t.add_argument("--dtype", choices=("float32", "float64"))
    t.add_argument("--out", default="runs", help="folder for the JSON log and the PNG curves (default: runs)")
    t.set_defaults(func=cmd_train)
    k = sub.add_parser("kernels", help="list the lambdified kernels, or print one with --show NAME")
    k.add_argument("--show", metavar="NAME")
    k.set_defaults(func=cmd_kernels)
    rp = sub.add_parser("report", help="write Markdown and LaTeX (PDF) proof reports for every source")
    rp.add_argument("paths", nargs="*", help="claim files or folders (default: the whole catalogue)")
    rp.add_argument("--out", default="reports", help="output folder (default: reports)")
    rp.add_argument("--no-pdf", action="store_true", help="do not run pdflatex even if it is installed")
    rp.set_defaults(func=cmd_report)
    e = sub.add_parser("example", help="the Clear Formula article's worked example through the kernels")
    e.set_defaults(func=cmd_example)
    return p


#: optional third-party modules -> the extra that installs them
EXTRAS = {"matplotlib": "report", "sklearn": "train", "mlxtend": "train", "threadpoolctl": "train", "torch": "torch"}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"nnderive {args.command}: needs {exc.name}, part of the [{extra}] extra: "
              f"pip install 'nnderive[{extra}]'", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
