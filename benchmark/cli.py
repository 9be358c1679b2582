"""The ``medvie-bench`` command: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
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
    )


def cmd_run(args: argparse.Namespace) -> int:
    from benchmark.models import ModelRegistry
    from benchmark.prompts import KeySampling
    from benchmark.runner import RunSettings, run_eval
    from benchmark.tasks import TaskRegistry

    tasks = TaskRegistry(args.include_path).resolve(args.task)
    models = [ModelRegistry(args.model_path).get(m.strip()) for m in args.model.split(",")]
    settings = RunSettings(
        split=args.split,
        limit=args.limit,
        seed=args.seed,
        keys=KeySampling.parse(args.keys),
        thinking=args.thinking == "on",
        fresh=args.fresh,
        progress=not args.quiet,
    )
    lines = []
    for model in models:
        for task in tasks:
            executor = None
            if args.executor == "ray":
                from benchmark.executors import make_executor

                executor = make_executor("ray", workers=args.workers, address=args.ray_address)
            result = run_eval(task, model, settings, args.out, executor=executor, command=sys.argv)
            lines.append(_summary_line(task.name, model.name, result.metrics))
            print(
                f"{task.name} × {model.name}: {result.n_new} new, {result.n_resumed} resumed → {result.run_dir}",
                file=sys.stderr,
            )
    print("\n".join(lines))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from benchmark.offline_scoring import rescore_run, score_files
    from benchmark.tasks import TaskRegistry

    if args.run:
        metrics = rescore_run(args.run, args.include_path)
    elif args.gold and args.pred:
        task = TaskRegistry(args.include_path).get(args.task) if args.task else None
        metrics = score_files(args.gold, args.pred, task)
    else:
        print("medvie-bench score: give --gold and --pred, or --run DIR", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        print(f"documents {metrics['n_docs']}  TP {metrics['tp']}  FP {metrics['fp']}  FN {metrics['fn']}")
        print(
            f"precision {metrics['precision']:.4f}  recall {metrics['recall']:.4f}  F1 {metrics['f1']:.4f}  "
            f"parse errors {metrics['parse_errors']}"
        )
        print(f"{'field':<40} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}")
        for path, row in metrics["per_field"].items():
            print(
                f"{path:<40} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
                f"{row['tp']:6d} {row['fp']:6d} {row['fn']:6d}"
            )
    return 0


def cmd_tasks_list(args: argparse.Namespace) -> int:
    from benchmark.tasks import TaskRegistry

    reg = TaskRegistry(args.include_path)
    print(f"{'name':<28} {'version':<8} {'lang':<5} {'source':<6} tags")
    for spec in sorted(reg.tasks.values(), key=lambda s: s.name):
        print(f"{spec.name:<28} {spec.version!s:<8} {spec.language:<5} {spec.source.type:<6} {', '.join(spec.tags)}")
    return 0


def cmd_tasks_validate(args: argparse.Namespace) -> int:
    from benchmark.tasks import TaskRegistry, load_task_file
    from benchmark.tasks.registry import _yaml_files

    paths = args.paths or None
    failed = 0
    if paths is None:
        reg = TaskRegistry(args.include_path)
        files = [f for root in reg.roots for f in _yaml_files(root) if not f.name.startswith("_")]
    else:
        files = [f for p in paths for f in _yaml_files(Path(p))]
        missing = [p for p in paths if not Path(p).exists()]
        for p in missing:
            print(f"{p}: not found", file=sys.stderr)
            failed += 1
    for file in files:
        try:
            spec = load_task_file(file)
        except TaskError as exc:
            failed += 1
            print(str(exc), file=sys.stderr)
        else:
            print(f"ok  {spec.name}  ({file})")
    return 1 if failed else 0


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

    run = sub.add_parser("run", help="evaluate model(s) on task(s); resumable")
    run.add_argument("--model", required=True, help="model name(s), comma-separated, or a spec YAML path")
    run.add_argument("--task", required=True, help="task name, tag (medical, general, en, zh…) or comma list")
    run.add_argument("--split", default=None, help="split (default: the task's default_split)")
    run.add_argument("--limit", type=int, default=None, help="only the first N documents")
    run.add_argument("--out", type=Path, default=DEFAULT_OUT, help="runs folder (default: ./runs)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--keys", default="all", help="key sampling: all | random:K")
    run.add_argument("--thinking", choices=("on", "off"), default="off")
    run.add_argument("--fresh", action="store_true", help="discard earlier outputs and start over")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
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
    _add_paths(tv)
    tv.set_defaults(func=cmd_tasks_validate)

    models = sub.add_parser("models", help="list models").add_subparsers(dest="models_cmd", required=True)
    ml = models.add_parser("list")
    _add_paths(ml)
    ml.set_defaults(func=cmd_models_list)

    for module in _PLUGINS:
        _maybe_add(module, sub)
    return parser


# Sub-command modules owned by other parts of the package; each has add_subparser(sub).
_PLUGINS = ("benchmark.synth.cli", "benchmark.stats_cli", "leaderboard.cli", "rlvr.cli")


def _maybe_add(module: str, sub: Any) -> None:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return  # that part is not built
        raise
    mod.add_subparser(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (TaskError, OcrError) as exc:
        print(f"medvie-bench: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("medvie-bench: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
