"""``data`` subcommands: ``data preview`` (contact sheet PNG) and ``data export`` (JSONL or HF)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    data = subparsers.add_parser("data", help="look at and export a task's documents")
    sub = data.add_subparsers(dest="data_command", metavar="{preview,export}")
    sub.required = True

    preview = sub.add_parser("preview", help="write a contact sheet: documents and their ground truth")
    preview.add_argument("--task", required=True, help="task name")
    preview.add_argument("-n", type=int, default=6, help="number of documents (default 6)")
    preview.add_argument("--split", default=None, help="split (default: the task's default split)")
    preview.add_argument("--columns", type=int, default=2, help="documents per row (default 2)")
    preview.add_argument("--out", type=Path, default=None,
                         help="PNG file (default TASK-SPLIT-preview.png)")
    preview.set_defaults(func=run_preview)

    export = sub.add_parser("export", help="write a split as a JSONL manifest or a HF dataset")
    export.add_argument("--task", required=True, help="task name")
    export.add_argument("--split", default=None, help="split (default: the task's default split)")
    export.add_argument("--format", choices=("jsonl", "hf"), default="jsonl")
    export.add_argument("--out", type=Path, required=True, help="output folder")
    export.add_argument("--with-layout", action="store_true",
                        help="jsonl: also write ocr_lines (boxes) and meta")
    export.set_defaults(func=run_export)
    return data


def _documents(args: argparse.Namespace, limit: int | None = None) -> tuple[str, list]:
    """A task split's documents (any source type); a generated source makes only the first ``limit``."""
    from benchmark.tasks import TaskRegistry, load_documents

    registry = TaskRegistry(include_paths=getattr(args, "include_path", None) or [])
    spec = registry.get(args.task)
    split = args.split or spec.default_split
    return split, load_documents(spec, split, limit)


def run_preview(args: argparse.Namespace) -> int:
    from benchmark.tasks import TaskError
    from medvie_synth.preview import contact_sheet

    try:
        split, docs = _documents(args, limit=max(1, args.n))
    except TaskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out or Path(f"{args.task}-{split}-preview.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet = contact_sheet(docs, columns=args.columns, title=f"{args.task} / {split}")
    sheet.save(out, optimize=True)
    print(f"wrote {out} ({len(docs)} documents)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from benchmark.tasks import TaskError
    from medvie_synth.export import to_hf_dataset, to_jsonl

    try:
        split, docs = _documents(args)
    except TaskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "jsonl":
        path = to_jsonl(docs, args.out, with_layout=args.with_layout)
        print(f"wrote {path} ({len(docs)} documents, split {split})")
    else:
        try:
            ds = to_hf_dataset(docs)
        except ImportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        ds.save_to_disk(str(args.out))
        print(f"wrote {args.out} (HF dataset, {len(docs)} documents, split {split})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m medvie_synth.cli data preview --task ...``."""
    parser = argparse.ArgumentParser(prog="medvie-bench")
    parser.add_argument("--include-path", action="append", default=[], type=Path)
    add_subparser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
