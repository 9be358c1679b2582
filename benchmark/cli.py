"""The ``medvie-bench`` command: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from benchmark.ocr.errors import OcrError
from benchmark.tasks.errors import TaskError

DEFAULT_OUT = Path("runs")


def _fmt(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _summary_line(task: str, model: str, m: dict[str, Any]) -> str:
    return (
        f"{task:<24} {model:<24} F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
        f"n {m['n_docs']}  parse_err {m['parse_errors']}  api_err {m.get('n_errors', 0)}"
    ) + ("  NO GOLD: unlabelled task, scores are meaningless" if m.get("no_gold") else "")


def cmd_run(args: argparse.Namespace) -> int:
    from benchmark.models import ModelRegistry
    from benchmark.prompts import KeySampling
    from benchmark.runner import RunSettings, run_eval
    from benchmark.tasks import TaskRegistry

    if args.max_attempts < 1:
        print("medvie-bench run: --max-attempts must be at least 1", file=sys.stderr)
        return 2
    try:
        keys = KeySampling.parse(args.keys)
    except ValueError as exc:
        print(f"medvie-bench run: {exc}", file=sys.stderr)
        return 2
    tasks = TaskRegistry(args.include_path).resolve(args.task)
    models = [ModelRegistry(args.model_path).get(m.strip()) for m in args.model.split(",")]
    settings = RunSettings(
        split=args.split,
        limit=args.limit,
        seed=args.seed,
        keys=keys,
        thinking=args.thinking == "on",
        examples=args.examples == "on",
        fresh=args.fresh,
        progress=not args.quiet,
        max_attempts=args.max_attempts,
    )
    lines = []
    all_failed = False
    pairs = [(model, task) for model in models for task in tasks]
    seconds: dict[str, list[float]] = {}
    for i, (model, task) in enumerate(pairs):
        if len(pairs) > 1:
            eta = _eta(seconds, [m.name for m, _ in pairs[i:]])
            print(f"[{i + 1}/{len(pairs)}] {model.name} × {task.name}{eta}", file=sys.stderr)
        started = time.monotonic()
        executor = None
        if args.executor == "ray":
            from benchmark.executors import make_executor

            executor = make_executor("ray", workers=args.workers, address=args.ray_address)
        result = run_eval(task, model, settings, args.out, executor=executor, command=sys.argv)
        seconds.setdefault(model.name, []).append(time.monotonic() - started)
        lines.append(_summary_line(task.name, model.name, result.metrics))
        print("\n".join(result.report(f"{task.name} × {model.name}")), file=sys.stderr)
        all_failed |= result.all_failed
    print("\n".join(lines))
    if args.leaderboard:
        board = _run_board(args)
        if board is None:
            return 2
        print(f"leaderboard: {board}")
    return 1 if all_failed else 0  # 1: some task × model got no answer for any document


def _eta(seconds: dict[str, list[float]], remaining: list[str]) -> str:
    """', about N min left' for the ``remaining`` pairs (their model names), each at the mean time
    of its own model's finished pairs: a rules baseline says nothing about an LLM. A model not
    timed yet makes it a lower bound."""
    known = sum(sum(seconds[m]) / len(seconds[m]) for m in remaining if seconds.get(m))
    untimed = sum(1 for m in remaining if not seconds.get(m))
    if not remaining or (untimed and not known):
        return ""
    left = f"{known / 60:.0f} min" if known >= 60 else f"{known:.0f} s"
    if untimed:
        return f" (at least {left} left; {untimed} pair(s) of models not timed yet)"
    return f" (about {left} left)"


def _run_board(args: argparse.Namespace) -> Path | None:
    """``run --leaderboard``: the board of every run under ``--out``; its index.html, or None on error."""
    from leaderboard.cli import build_board

    out = args.out / "leaderboard" if args.leaderboard is True else Path(args.leaderboard)
    try:
        _, paths = build_board(args.out, out, args.include_path)
    except ValueError as exc:
        print(f"medvie-bench run: leaderboard: {exc}", file=sys.stderr)
        return None
    return paths["html"].resolve()


def cmd_score(args: argparse.Namespace) -> int:
    from benchmark.offline_scoring import rescore_run, score_files
    from benchmark.tasks import TaskRegistry

    if args.run:
        metrics = rescore_run(args.run, args.include_path)
    elif args.gold and args.pred:
        task = TaskRegistry(args.include_path).get(args.task) if args.task else None
        metrics = score_files(
            args.gold, args.pred, task, warn=lambda m: print(f"medvie-bench: warning: {m}", file=sys.stderr)
        )
    else:
        print("medvie-bench score: give --gold and --pred, or --run DIR", file=sys.stderr)
        return 2
    if args.json:
        out = [json.dumps(metrics, ensure_ascii=False, indent=2)]
    else:
        out = [
            f"documents {metrics['n_docs']}  TP {metrics['tp']}  FP {metrics['fp']}  FN {metrics['fn']}",
            f"precision {metrics['precision']:.4f}  recall {metrics['recall']:.4f}  F1 {metrics['f1']:.4f}  "
            f"parse errors {metrics['parse_errors']}",
            f"{'field':<40} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}",
        ]
        for path, row in metrics["per_field"].items():
            out.append(
                f"{path:<40} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
                f"{row['tp']:6d} {row['fp']:6d} {row['fn']:6d}"
            )
    # field paths come from untrusted model output: a lone surrogate must not crash the print
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print("\n".join(out).encode(encoding, "backslashreplace").decode(encoding))
    return 0


def cmd_tasks_list(args: argparse.Namespace) -> int:
    from benchmark.tasks import TaskRegistry

    reg = TaskRegistry(args.include_path)
    print(f"{'name':<28} {'version':<8} {'lang':<5} {'source':<6} tags")
    for spec in sorted(reg.tasks.values(), key=lambda s: s.name):
        print(f"{spec.name:<28} {spec.version!s:<8} {spec.language:<5} {spec.source.type:<6} {', '.join(spec.tags)}")
    return 0


def cmd_tasks_validate(args: argparse.Namespace) -> int:
    """Task YAML files (all registered, one group per root; or the given paths, one group): one
    line per problem. ``--data`` reads every split too and exits 2 on any problem."""
    from benchmark.tasks import TaskRegistry
    from benchmark.tasks.check import validate
    from benchmark.tasks.registry import task_files

    problems = [f"{p}: not found" for p in args.paths if not Path(p).exists()]
    if args.paths:
        groups = [[f for p in args.paths if Path(p).exists() for f in task_files(Path(p))]]
    else:
        groups = [task_files(root) for root in TaskRegistry(args.include_path).roots]
    specs, found, notes = validate(groups, data=args.data)
    for spec in specs:
        print(f"ok  {spec.name}  ({spec.path})")
    for line in notes:
        print(f"note: {line}", file=sys.stderr)
    for line in problems + found:
        print(line, file=sys.stderr)
    if args.data and (problems or found):
        print(f"medvie-bench: {len(problems) + len(found)} problem(s)", file=sys.stderr)
        return 2
    return 1 if problems or found else 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from benchmark.models import ModelRegistry

    specs = sorted(ModelRegistry(args.model_path).models.values(), key=lambda s: s.name)
    name_w = max([len(s.name) for s in specs] + [4])
    adapter_w = max([len(s.adapter.rsplit(":", 1)[-1]) for s in specs] + [7])
    print(f"{'name':<{name_w}}  {'adapter':<{adapter_w}}  {'input':<9}  description")
    for spec in specs:
        desc = " ".join(spec.description.split())
        adapter = spec.adapter.rsplit(":", 1)[-1]
        print(f"{spec.name:<{name_w}}  {adapter:<{adapter_w}}  {spec.input:<9}  {desc[:70]}")
    return 0


def _add_paths(p: argparse.ArgumentParser) -> None:
    env = [x for x in os.environ.get("MEDVIE_INCLUDE_PATH", "").split(os.pathsep) if x]
    p.add_argument(
        "--include-path",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="extra folder of task YAML files (repeatable; also $MEDVIE_INCLUDE_PATH"
        + (f", now {env}" if env else "")
        + ")",
    )
    p.add_argument(
        "--model-path",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="extra folder of model spec YAML files (repeatable; also $MEDVIE_MODEL_PATH)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medvie-bench",
        description="Benchmark, leaderboard and RLVR harness for medical visual information extraction.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", help="evaluate model(s) on task(s); resumable",
        epilog="exit status: 0 done (per-document errors are counted and listed); 1 every document of some "
        "task × model failed; 2 bad input, or the run folder is in use by another run; 130 interrupted. "
        "The same command resumes an interrupted or failed run.",
    )
    run.add_argument("--model", required=True, help="model name(s), comma-separated, or a spec YAML path")
    run.add_argument("--task", required=True, help="task name, tag (medical, general, en, zh…) or comma list")
    run.add_argument("--split", default=None, help="split (default: the task's default_split)")
    run.add_argument("--limit", type=int, default=None, help="only the first N documents")
    run.add_argument("--out", type=Path, default=DEFAULT_OUT, help="runs folder (default: ./runs)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--keys", default="all",
                     help="key sampling: all | random:K (present keys only) | schema:K (present and absent keys: "
                          "measures hallucination) | flat-random:K | flat-schema:K (table cells as row keys)")
    run.add_argument("--thinking", choices=("on", "off"), default="off")
    run.add_argument("--examples", choices=("on", "off"), default="on",
                     help="off: field descriptions without their example values (README 'Prompts')")
    run.add_argument("--fresh", action="store_true", help="discard earlier outputs and start over")
    run.add_argument("--max-attempts", type=int, default=3, metavar="N",
                     help="a document whose call failed (timeout, connection, HTTP error...) is retried when the "
                     "same command runs again, until it was tried N times (default 3)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--leaderboard", nargs="?", const=True, default=None, metavar="DIR",
                     help="then build the leaderboard of every run under --out (default DIR: OUT/leaderboard) "
                     "and print the path of its index.html")
    run.add_argument("--executor", choices=("local", "ray"), default="local", help="where documents run")
    run.add_argument("--workers", type=int, default=2, help="Ray workers (one adapter, one GPU each if any)")
    run.add_argument("--ray-address", default=None, help="an existing Ray cluster (default: start a local one)")
    _add_paths(run)
    run.set_defaults(func=cmd_run)

    score = sub.add_parser("score", help="score prediction files, or re-score a saved run")
    score.add_argument("--gold", type=Path)
    score.add_argument("--pred", type=Path)
    score.add_argument("--task", help="task whose scoring options apply")
    score.add_argument("--run", type=Path, help="a run directory to re-score")
    score.add_argument("--json", action="store_true")
    _add_paths(score)
    score.set_defaults(func=cmd_score)

    tasks = sub.add_parser("tasks", help="list or validate tasks").add_subparsers(dest="tasks_cmd", required=True)
    tl = tasks.add_parser("list")
    _add_paths(tl)
    tl.set_defaults(func=cmd_tasks_list)
    tv = tasks.add_parser("validate", help="validate task YAML files (default: all registered)")
    tv.add_argument("paths", nargs="*")
    tv.add_argument("--data", action="store_true",
                    help="also read every split: manifest lines, ids, images (exist, inside the task folder, "
                         "decode), gold against the fields; lists every problem, exit 2 if any")
    _add_paths(tv)
    tv.set_defaults(func=cmd_tasks_validate)

    models = sub.add_parser("models", help="list models").add_subparsers(dest="models_cmd", required=True)
    ml = models.add_parser("list")
    _add_paths(ml)
    ml.set_defaults(func=cmd_models_list)

    for module in _PLUGINS:
        _maybe_add(module, sub)
    return parser


# Sub-command modules owned by other parts of the package, each with add_subparser(sub); one that is
# not installed is left out (medvie_synth: the generator, a plug-in of its own).
_PLUGINS = ("medvie_synth.cli", "benchmark.stats_cli", "leaderboard.cli", "rlvr.cli", "benchmark.owndata.cli")


def _maybe_add(module: str, sub: Any) -> None:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return  # that part is not built
        raise
    mod.add_subparser(sub)


_terminated = False


def _sigterm_as_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a scheduler, a container stop) leaves the way Ctrl-C does: the run folder
    is marked interrupted, model servers stop, the lock is released. A second SIGTERM kills."""
    global _terminated
    _terminated = True
    signal.signal(signum, signal.SIG_DFL)
    if callable(signal.getsignal(signal.SIGINT)):  # Python's or asyncio's Ctrl-C handler
        signal.raise_signal(signal.SIGINT)
    else:  # SIGINT ignored, as in a job started with `&` or nohup: raise what Ctrl-C would
        signal.default_int_handler(signal.SIGINT, frame)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _sigterm_as_ctrl_c)
    try:
        return int(args.func(args) or 0)
    except (TaskError, OcrError) as exc:
        print(f"medvie-bench: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        how = "terminated" if _terminated else "interrupted"
        print(f"medvie-bench: {how}; run the same command again to resume", file=sys.stderr)
        return 143 if _terminated else 130


if __name__ == "__main__":
    sys.exit(main())
