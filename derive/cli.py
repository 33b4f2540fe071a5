"""``nnderive``: the command line.

Exit status: 0 when every claim holds, 1 when a claim is refuted or in error
(with ``--strict`` also undecided), 2 for a usage error or input that could not
be read as claims, 130/143 when interrupted (SIGINT/SIGTERM), 141 when the
reader of the output went away (``nnderive rules | head``).
"""
from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import os
import shutil
import signal
import sys
import textwrap
import time
import tomllib
from collections import Counter

from . import bench
from .cache import VerdictCache, judge_cached
from .catalogue import MAX_FILE_BYTES, Claim, LoadError, load_paths, loads
from .numeric.bench import main_bench_step
from .numeric.claimed import kernels_from_claims
from .numeric.example import main_example
from .numeric.kernels import kernel, kernels
from .numeric.train import TRAIN_ACTIVATIONS, main_train
from .report import ReportError, default_out, generate
from .scan import scan as scan_sheet, to_toml
from .judge.budget import DEFAULT_BUDGET, DEFAULT_MEMORY_MB, check_budget, check_memory, judge_all, judge_iter
from .mathematics.rewrites import REWRITES, prove_rewrite
from .mathematics.rules import RULES, VECTOR_RULES, prove_rule, prove_vector_rule
from .verdict import VERDICTS, Verdict
from .version import VERSION

__all__ = ["main", "build_parser", "print_table", "EXIT_OK", "EXIT_FAIL", "EXIT_USAGE"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_BROKEN_PIPE = 0, 1, 2, 141
VERDICT_WIDTH = max(len(w) for w in VERDICTS)
#: ANSI colour of each verdict word (on a terminal, unless NO_COLOR is set)
COLOURS = {"proved": "32", "refuted": "1;31", "convention": "36", "undecided": "33",
           "not checkable": "2", "error": "1;31"}


class UsageError(Exception):
    """Bad arguments or unreadable standard input: exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""

    signum = signal.SIGTERM


# --------------------------------------------------------------------------- output
def use_colour(choice: str, stream) -> bool:
    """``auto``: only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return (hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


def _width(stream) -> int | None:
    """The terminal's width, or None when the output is not a terminal (then nothing is wrapped)."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    return shutil.get_terminal_size((100, 24)).columns


def print_table(verdicts, out=sys.stdout, colour: bool = False, width: int | None = None,
                failing=None, input_errors: int = 0):
    """One row per verdict: id, verdict, the whole reason (wrapped to ``width`` when given,
    one line when piped); then the counts.  ``failing`` limits the rows to those verdict words."""
    rows = [v for v in verdicts if failing is None or v.verdict in failing]
    idw = max([len(v.id) for v in rows] + [2])
    indent = idw + 2 + VERDICT_WIDTH + 2
    for v in rows:
        word = f"{v.verdict:<{VERDICT_WIDTH}}"
        if colour:
            word = f"\033[{COLOURS[v.verdict]}m{word}\033[0m"
        reason = " ".join(v.reason.split())
        head = f"{v.id:<{idw}}  {word}  "
        if width is None:
            out.write(head + reason + "\n")
        elif width - indent >= 30:
            lines = textwrap.wrap(reason, width - indent, break_long_words=True, break_on_hyphens=False) or [""]
            out.write(head + lines[0] + "\n" + "".join(" " * indent + line + "\n" for line in lines[1:]))
        else:   # a narrow terminal: the reason below, indented
            lines = textwrap.wrap(reason, max(width - 4, 20), break_long_words=True) or [""]
            out.write(head.rstrip() + "\n" + "".join("    " + line + "\n" for line in lines))
    counts = Counter(v.verdict for v in verdicts)
    judged = len(verdicts) - input_errors
    summary = ", ".join(f"{counts[w]} {w}" for w in VERDICTS if counts[w] and not (w == "error" and input_errors))
    if input_errors:
        errs = counts["error"] - input_errors
        summary = ", ".join(x for x in [summary, f"{errs} error" if errs else ""] if x)
        tail = f"  ({_n(judged, 'claim')}; {_n(input_errors, 'input error')})"
    else:
        tail = f"  ({_n(judged, 'claim')})"
    out.write(("\n" if rows else "") + (summary or "nothing judged") + tail + "\n")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class Progress:
    """``[ 12/255] judging ...`` on stderr, only on a terminal, rewritten in place."""

    def __init__(self, total: int, stream=sys.stderr, enabled: bool = True):
        self.total, self.stream = total, stream
        self.enabled = (enabled and total > 1 and hasattr(stream, "isatty") and stream.isatty()
                        and os.environ.get("TERM") != "dumb")
        self.done = self.cached = 0
        self.last = 0.0

    def update(self, verdict: Verdict, cached: bool):
        self.done += 1
        self.cached += cached
        if not self.enabled or (time.monotonic() - self.last < 0.1 and self.done < self.total):
            return
        self.last = time.monotonic()
        width = shutil.get_terminal_size((80, 24)).columns
        cache = f", {self.cached} from cache" if self.cached else ""
        line = f"[{self.done:>{len(str(self.total))}}/{self.total}{cache}] {verdict.id}"
        self.stream.write("\r\033[K" + line[: max(width - 1, 10)])
        self.stream.flush()

    def clear(self):
        if self.enabled and self.done:
            self.stream.write("\r\033[K")
            self.stream.flush()


# --------------------------------------------------------------------------- inputs
def _pairs(items, flag: str) -> dict:
    """``-s 'z=scalar real'`` -> ``{"z": "scalar real"}`` (split at the first ``=``)."""
    out = {}
    for item in items or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise UsageError(f"{flag} takes NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _cmdline_claims(latexes, args, source: str, ids) -> list[Claim]:
    symbols = _pairs(args.symbol, "-s/--symbol")
    functions = _pairs(args.function, "-f/--function")
    return [Claim(id=cid, source=source, file=source, latex=latex, symbols=dict(symbols),
                  functions=dict(functions), definitions=list(args.definition or []),
                  given=list(args.given or []), own_definitions=len(args.definition or []))
            for cid, latex in zip(ids, latexes)]


def _read_stdin(args) -> tuple[list[Claim], list[LoadError], bool]:
    """Standard input: a claim file (TOML with tables) or one LaTeX claim per line.

    Lines that are empty or start with ``%`` or ``#`` are skipped.  Returns the
    claims, the load errors, and whether the input was LaTeX lines.
    """
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"standard input is larger than the {MAX_FILE_BYTES // 2 ** 20} MB limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"standard input is not UTF-8 text (byte {exc.start})")
    try:
        doc = tomllib.loads(text)
        is_toml = any(isinstance(v, (dict, list)) for v in doc.values())
    except (tomllib.TOMLDecodeError, RecursionError):
        doc, is_toml = None, text.lstrip().startswith("[")
    if is_toml:
        claims, errors = loads(text, "<stdin>")
        return claims, errors, False
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith(("%", "#"))]
    if not lines:
        raise UsageError("standard input holds no claims")
    return _cmdline_claims([t for _, t in lines], args, "<stdin>", [f"stdin.{n}" for n, _ in lines]), [], True


def gather(args) -> tuple[list[Claim], list[LoadError]]:
    """The claims of ``check``: files and folders, ``-`` (standard input), ``-e`` expressions."""
    paths = list(args.paths)
    exprs = list(args.expr or [])
    if paths.count("-") > 1:
        raise UsageError("'-' (standard input) may be given once")
    latex_lines = False
    claims, errors = [], []
    if "-" in paths:
        paths.remove("-")
        c, e, latex_lines = _read_stdin(args)
        claims += c
        errors += e
    if paths or not (exprs or "-" in args.paths):
        c, e = load_paths(paths)
        claims, errors = c + claims, e + errors
    if exprs:
        ids = ["expr"] if len(exprs) == 1 else [f"expr.{k}" for k in range(1, len(exprs) + 1)]
        claims += _cmdline_claims(exprs, args, "<command line>", ids)
    elif not latex_lines and (args.symbol or args.definition or args.given or args.function):
        raise UsageError("-s, -d, -g and -f apply to -e expressions and to LaTeX lines on standard input")
    return claims, errors


def select(claims, patterns):
    """Claims whose id matches one of the ``-k`` patterns: a glob when it has ``*?[``, else a
    case-insensitive substring.

    >>> ids = lambda cs: [c.id for c in cs]
    >>> cs = [Claim(id=i, source="s", file="f") for i in ("sheet.softmax.jacobian", "notes.relu", "Adam.bias")]
    >>> ids(select(cs, ["softmax"])), ids(select(cs, ["notes.*", "adam"]))
    (['sheet.softmax.jacobian'], ['notes.relu', 'Adam.bias'])
    """
    if not patterns:
        return list(claims)

    def hit(cid, pat):
        if any(ch in pat for ch in "*?["):
            return fnmatch.fnmatchcase(cid.lower(), pat.lower())
        return pat.lower() in cid.lower()
    return [c for c in claims if any(hit(c.id, p) for p in patterns)]


# --------------------------------------------------------------------------- check
def cmd_check(args) -> int:
    try:   # argparse checks these too, but not every spelling reaches its type function (--budget=--)
        args.budget, args.memory = check_budget(args.budget), check_memory(args.memory)
    except ValueError as exc:
        raise UsageError(f"argument --budget/--memory: {exc}")
    claims, errors = gather(args)
    claims = select(claims, args.keyword)
    if args.keyword and not claims and not errors:
        raise UsageError(f"no claim id matches -k {' -k '.join(args.keyword)}")
    if not claims and not errors:
        raise UsageError("no claims to check")
    cache = None if args.no_cache else VerdictCache()
    progress = Progress(len(claims), sys.stderr, enabled=not args.quiet)
    results: list[Verdict | None] = [None] * len(claims)
    interrupted = None
    it = judge_cached(claims, lambda todo: judge_iter(todo, args.budget, args.jobs, args.memory), cache)
    try:
        for k, v, cached in it:
            results[k] = v
            progress.update(v, cached)
    except KeyboardInterrupt as exc:    # Ctrl-C or SIGTERM: the workers are gone, say what was judged
        interrupted = getattr(exc, "signum", signal.SIGINT)
    finally:
        it.close()
        progress.clear()
    judged = [v for v in results if v is not None]
    verdicts = [Verdict.from_load_error(e) for e in errors] + judged
    failing = {"refuted", "error"} | ({"undecided"} if args.strict else set())
    if args.json:
        json.dump([v.to_dict() for v in verdicts], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(verdicts, sys.stdout, use_colour(args.color, sys.stdout), _width(sys.stdout),
                    failing if args.quiet else None, len(errors))
    if interrupted is not None:
        sys.stdout.flush()
        name = signal.Signals(interrupted).name
        print(f"nnderive check: interrupted ({name}): {len(judged)} of {len(claims)} claims judged",
              file=sys.stderr)
        return 128 + int(interrupted)
    if errors:
        return EXIT_USAGE
    return EXIT_FAIL if any(v.verdict in failing for v in judged) else EXIT_OK


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
    if getattr(args, "torch", False):
        from .numeric.torch_bench import main_bench_torch  # torch is an optional extra
        return main_bench_torch(args)
    if args.step:
        return main_bench_step(args)
    return bench.run(args)


def _claimed_kernels(paths, budget):
    """Kernels from the proved claims of the files (``defines``), judged through the result cache; the
    refusals and the files' errors go to stderr.  Returns ``(ClaimedKernels, exit status)``."""
    claims, errors = load_paths(paths)
    for e in errors:
        print(f"nnderive: {e}", file=sys.stderr)
    defining = [c for c in claims if c.defines]
    if not defining and not errors:
        print(f"nnderive: no claim in {', '.join(map(str, paths))} names a kernel (defines = \"NAME\")",
              file=sys.stderr)
    verdicts = {}
    for k, v, _ in judge_cached(defining, lambda todo: judge_iter(todo, budget, None, DEFAULT_MEMORY_MB),
                                VerdictCache()):
        verdicts[(defining[k].file, defining[k].id)] = v
    res = kernels_from_claims(defining, verdicts)
    for r in res.refused:
        print(f"nnderive: {r}", file=sys.stderr)
    status = EXIT_USAGE if errors else (EXIT_FAIL if res.refused or not defining else EXIT_OK)
    return res, status


def cmd_train(args) -> int:
    extra = None
    if args.claims:
        res, status = _claimed_kernels(args.claims, DEFAULT_BUDGET)
        if status == EXIT_USAGE:
            return status
        extra = res.kernels
        if args.activation and args.activation not in TRAIN_ACTIVATIONS and args.activation not in res.kernels:
            raise UsageError(f"--activation {args.activation}: neither built in ({', '.join(TRAIN_ACTIVATIONS)}) "
                             f"nor defined by a proved claim in {', '.join(args.claims)}"
                             + (f" (those define: {', '.join(res.activations)})" if res.activations else ""))
    elif args.activation and args.activation not in TRAIN_ACTIVATIONS:
        raise UsageError(f"--activation {args.activation}: not built in ({', '.join(TRAIN_ACTIVATIONS)}); an "
                         "activation of your own comes from a proved claim: --claims FILE")
    return main_train(args, extra)


def cmd_kernels(args) -> int:
    """List the kernels (name, arguments, derivation) or print one kernel's generated source; with claim
    files, the kernels their proved claims define."""
    extra, status = {}, EXIT_OK
    if args.paths:
        res, status = _claimed_kernels(args.paths, DEFAULT_BUDGET)
        extra = res.kernels
    if args.show:
        k = extra.get(args.show)
        if k is None:
            try:
                k = kernel(args.show)
            except KeyError as e:
                print(e.args[0], file=sys.stderr)
                return EXIT_USAGE
        print(f"# {k.name}({', '.join(k.args)}): {k.doc}")
        catalogue, _ = load_paths([])
        claims = list(k.claims) or [c.id for c in catalogue if k.name in c.kernels]
        print(f"# derived from: {', '.join(k.derivation)}" + (f"; claims: {', '.join(claims)}" if claims else ""))
        print(k.source.rstrip())
        return status
    for k in (extra or kernels()).values():
        print(f"{k.name:<28} ({', '.join(k.args)})  <- {', '.join(k.derivation)}")
    return status


def cmd_report(args) -> int:
    """Write the Markdown, LaTeX and HTML reports (and PDFs when pdflatex is present)."""
    out = args.out if args.out is not None else default_out(args.paths)
    try:
        written = generate(args.paths or None, out, pdf=False if args.no_pdf else None, html=not args.no_html,
                           timeout=args.tex_timeout)
    except ReportError as e:
        print(f"nnderive report: {e}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {out}/")
    return 0


def cmd_cache(args) -> int:
    """Print where the result cache is and how many verdicts it holds; ``--clear`` empties it."""
    cache = VerdictCache()
    if args.clear:
        print(f"removed {cache.clear()} cached verdicts from {cache.root}")
        return 0
    files = list((cache.root / "verdicts").glob("*/*.json"))
    size = sum(f.stat().st_size for f in files if f.exists())
    print(f"{cache.root}: {len(files)} cached verdicts, {size / 1024:.0f} KB "
          "(keyed by claim content and nnderive version; nnderive cache --clear empties it)")
    return 0


def cmd_example(args) -> int:
    return main_example(args)


def _budget(text):
    try:
        return check_budget(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _memory(text):
    try:
        return check_memory(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _jobs(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"the number of jobs must be a positive integer, got {text!r}")
    return n


CHECK_EPILOG = """\
examples:
  nnderive check                                  the whole shipped catalogue
  nnderive check sheet.toml -k softmax            the claims of a file whose id contains "softmax"
  nnderive check -e '\\frac{d}{dz} z^2 = 2 z' -s 'z=scalar real'
  nnderive check -e '\\frac{da}{dz} = a(1-a)' -d 'a = \\sigma(z)' -f '\\sigma=sigmoid' \\
                 -s 'z=scalar real' -s 'a=scalar (0,1)'
  echo '\\frac{d}{dz} z^3 = 3 z^2' | nnderive check - -s 'z=scalar real'

exit status: 0 all hold, 1 a claim refuted or in error (--strict: or undecided),
2 usage error or unreadable input, 130/143 interrupted.  The claim format: FORMAT.md.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nnderive", description=__doc__.split("\n\n")[0].strip("`"),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"nnderive {VERSION}",
                   help="print nnderive's version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("check", help="judge claims (default: the whole catalogue)", epilog=CHECK_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Judge claims: proved, refuted, convention, undecided, not checkable, error.")
    c.add_argument("paths", nargs="*", metavar="PATH",
                   help="claim files or folders; '-' reads standard input (a claim file, or one LaTeX claim "
                        "per line); none: the shipped catalogue")
    c.add_argument("-e", "--expr", action="append", metavar="LATEX",
                   help="judge this LaTeX relation (repeatable); -s, -d, -g, -f declare what it uses")
    c.add_argument("-s", "--symbol", action="append", metavar="NAME=DECLARATION",
                   help="declare a symbol for -e or standard-input lines, e.g. 'W=matrix m n real'")
    c.add_argument("-d", "--definition", action="append", metavar="LATEX",
                   help="a definition the claim relies on, e.g. 'a = \\sigma(z)' (repeatable)")
    c.add_argument("-g", "--given", action="append", metavar="LATEX",
                   help="a given fact, e.g. '\\sum_i y_i = 1' (repeatable)")
    c.add_argument("-f", "--function", action="append", metavar="NAME=FUNCTION",
                   help="map a LaTeX name to a function of the table, e.g. '\\sigma=sigmoid'")
    c.add_argument("-k", "--keyword", action="append", metavar="PATTERN",
                   help="only claims whose id contains PATTERN (case-insensitive; a glob with * ? []); repeatable")
    c.add_argument("--json", action="store_true", help="print a JSON list of verdict records")
    c.add_argument("--strict", action="store_true", help="undecided claims fail too (exit status 1)")
    c.add_argument("-q", "--quiet", action="store_true",
                   help="no progress; list only the claims that fail, then the counts")
    c.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto",
                   help="colour the verdicts: auto (on a terminal unless NO_COLOR is set), always, never")
    c.add_argument("--budget", type=_budget, default=DEFAULT_BUDGET, metavar="SECONDS",
                   help=f"CPU seconds per claim (default {DEFAULT_BUDGET:g}; 0 or inf: no limit); "
                        "a claim over it is undecided (timeout)")
    c.add_argument("--memory", type=_memory, default=DEFAULT_MEMORY_MB, metavar="MB",
                   help=f"memory a worker may add, in MB (default {DEFAULT_MEMORY_MB:g}; 0: no limit); "
                        "a claim over it is undecided (memory)")
    c.add_argument("-j", "--jobs", type=_jobs, default=None,
                   help="claims judged at once (default: the CPUs this process may use)")
    c.add_argument("--no-cache", action="store_true",
                   help="judge every claim again, neither reading nor writing the result cache")
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("rules", help="the derivative table, each row proved against sympy.diff")
    r.set_defaults(func=cmd_rules)
    b = sub.add_parser("bench", help="time the catalogue check: cold, warm (cached), slowest claims, "
                                     "where the time goes")
    b.add_argument("paths", nargs="*", metavar="PATH", help="claim files or folders (default: the catalogue)")
    b.add_argument("--top", type=int, default=15, help="how many of the slowest claims to list (default 15)")
    b.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    b.add_argument("--no-profile", action="store_true",
                   help="skip the profiled pass that shows where the time goes")
    b.add_argument("--step", action="store_true",
                   help="time one training step of the kernels against hand-written NumPy and PyTorch instead")
    b.add_argument("--torch", action="store_true",
                   help="time one training step with the derived-kernel torch Functions against torch eager autograd")
    b.add_argument("--rounds", type=int, default=9, help="interleaved rounds for --step and --torch")
    b.set_defaults(func=cmd_bench)
    t = sub.add_parser("train", help="train an MLP with the lambdified kernels on a packaged data set")
    t.add_argument("dataset", nargs="?", default="digits", choices=("digits", "mnist", "xor"),
                   help="the data set (default: digits)")
    t.add_argument("--hidden", type=int, nargs="*", help="hidden layer sizes (default per data set)")
    t.add_argument("--activation", metavar="NAME",
                   help=f"hidden activation: {', '.join(TRAIN_ACTIVATIONS)}, or one a proved claim of --claims "
                        "defines (default per data set)")
    t.add_argument("--claims", nargs="+", metavar="FILE",
                   help="claim files whose proved claims define activations (defines = \"NAME\")")
    t.add_argument("--loss", choices=("softmax_cce", "sigmoid_bce", "mse"), help="loss (default per data set)")
    t.add_argument("--optimizer", choices=("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"),
                   help="optimizer (default per data set)")
    t.add_argument("--lr", type=float, help="learning rate")
    t.add_argument("--epochs", type=int, help="passes over the training set")
    t.add_argument("--batch", type=int, help="mini-batch size")
    t.add_argument("--l2", type=float, help="L2 regularisation strength")
    t.add_argument("--init", choices=("he", "xavier", "lecun", "uniform"), help="weight initialisation")
    t.add_argument("--seed", type=int, help="random seed")
    t.add_argument("--dtype", choices=("float32", "float64"), help="floating-point type of the arrays")
    t.add_argument("--out", default="runs", help="folder for the JSON log and the PNG curves (default: runs)")
    t.set_defaults(func=cmd_train)
    k = sub.add_parser("kernels", help="list the lambdified kernels, or print one with --show NAME; with claim "
                                       "files, the kernels their proved claims define")
    k.add_argument("paths", nargs="*", metavar="FILE",
                   help="claim files: build a kernel from each proved claim with defines = \"NAME\" (a claim not "
                        "proved is refused, exit 1)")
    k.add_argument("--show", metavar="NAME", help="print this kernel's generated source")
    k.set_defaults(func=cmd_kernels)
    ca = sub.add_parser("cache", help="where the result cache is and what it holds; --clear empties it")
    ca.add_argument("--clear", action="store_true", help="remove every cached verdict")
    ca.set_defaults(func=cmd_cache)
    rp = sub.add_parser("report", help="write Markdown, LaTeX (PDF) and HTML proof reports for claim files")
    rp.add_argument("paths", nargs="*", help="claim files or folders (default: the whole catalogue)")
    rp.add_argument("--out", default=None, help="output folder (default: reports/ for the catalogue, else "
                    "<stem>_report/ next to the first claim file)")
    rp.add_argument("--no-pdf", action="store_true", help="do not run pdflatex even if it is installed")
    rp.add_argument("--no-html", action="store_true", help="do not write the HTML reports")
    rp.add_argument("--tex-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="wall-clock limit of one pdflatex run (default: 60)")
    rp.set_defaults(func=cmd_report)
    e = sub.add_parser("example", help="the Clear Formula article's worked example through the kernels")
    e.set_defaults(func=cmd_example)
    _add_scan(sub)
    return p


# --------------------------------------------------------------------------- scan (issue 14)
def _add_scan(sub):
    sc = sub.add_parser("scan", help="draft a cheat sheet's claims (Markdown+LaTeX or Unicode plain text) as a "
                                     "claim file; --check judges the draft")
    sc.add_argument("sheet", help="the cheat sheet (.md, .tex, .txt)")
    sc.add_argument("--out", help="write the drafted claim file here (default: standard output)")
    sc.add_argument("--check", action="store_true", help="judge the drafted claims and print the verdict table")
    sc.set_defaults(func=cmd_scan)


def cmd_scan(args) -> int:
    """Draft the sheet's claims; with --check, judge the draft as ``nnderive check`` would."""
    try:
        name, formulas = scan_sheet(args.sheet)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.sheet}: {exc}") from None
    draft = to_toml(name, formulas)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(draft)
    elif not args.check:
        sys.stdout.write(draft)
    if not args.check:
        return 0
    claims, errors = loads(draft, name)
    for e in errors:
        print(e, file=sys.stderr)
    verdicts = judge_all(claims)
    print_table(verdicts, out=sys.stdout)
    return 1 if any(v.verdict in ("refuted", "error") for v in verdicts) else 0


#: optional third-party modules -> the extra that installs them
EXTRAS = {"matplotlib": "report", "sklearn": "train", "mlxtend": "train", "threadpoolctl": "train", "torch": "torch"}


def _terminate(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)   # one is enough: let the clean-up finish
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (a CI cancel, ``timeout``) stops the run like Ctrl-C: workers killed, partial output."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:          # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_as_interrupt():
            try:
                status = args.func(args)
            except UsageError as exc:
                print(f"nnderive {args.command}: error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            except ModuleNotFoundError as exc:
                extra = EXTRAS.get((exc.name or "").split(".")[0])
                if extra is None:
                    raise
                print(f"nnderive {args.command}: needs {exc.name}, part of the [{extra}] extra: "
                      f"pip install 'nnderive[{extra}]'", file=sys.stderr)
                return EXIT_USAGE
            except KeyboardInterrupt as exc:
                signum = int(getattr(exc, "signum", signal.SIGINT))
                print(f"nnderive {args.command}: interrupted ({signal.Signals(signum).name})", file=sys.stderr)
                return 128 + signum
            sys.stdout.flush()      # a closed pipe shows here, inside the handler below
            return status
    except BrokenPipeError:
        # The reader went away (``| head``): no traceback; stdout to /dev/null so the
        # interpreter's final flush does not complain either.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
