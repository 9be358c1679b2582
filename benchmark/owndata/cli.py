"""``medvie-bench data``: init (a folder of images → a task), export (Label Studio tasks and
config, or a Hugging Face dataset), import (a Label Studio JSON export → the task's gold).

Only argparse is imported at start-up; each command imports what it needs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def _include_paths(args: argparse.Namespace) -> list[Path]:
    env = [Path(p) for p in os.environ.get("MEDVIE_INCLUDE_PATH", "").split(os.pathsep) if p]
    return env + list(args.include_path)


def cmd_init(args: argparse.Namespace) -> int:
    from benchmark.owndata.skeleton import init_task, load_schema

    schema = load_schema(args.schema, _include_paths(args))
    made = init_task(args.folder, schema, name=args.name, out=args.out, language=args.language,
                     license=args.license, citation=args.citation, force=args.force)
    print(f"task   {made.yaml_path}  ({made.n_images} images, schema from {made.schema_origin}, no gold yet)")
    print(f"images {made.manifest_path}")
    print(f"next:  medvie-bench run --model ocr-rules --task {made.yaml_path} --out prelabels")
    return 0


def _export_labelstudio(args: argparse.Namespace) -> int:
    from benchmark.ocr import ENGINES
    from benchmark.owndata.labelstudio import (
        ImageUrls,
        all_documents,
        export_tasks,
        labelling_config,
        run_predictions,
        with_cached_ocr,
    )
    from benchmark.owndata.manifest import resolve_task, task_of_run, write_text_atomic
    from benchmark.owndata.schema_map import LabelMap

    include = _include_paths(args)
    preds = missing = None
    version = ""
    split = args.split
    if args.run:
        preds, missing, manifest = run_predictions(args.run)
        spec = task_of_run(str(manifest.task.get("name")), manifest.command, args.task, include)
        split = split or manifest.task.get("split")
        version = f"{manifest.model.get('name')} ({manifest.run_id})"
    elif args.task:
        spec = resolve_task(args.task, include)
    else:
        print("medvie-bench data export: give TASK (gold as annotations) and/or --run RUN_DIR (pre-labels)",
              file=sys.stderr)
        return 2
    docs = all_documents(spec, split)
    engine = manifest.model.get("ocr_engine") if args.run else None
    if args.boxes == "auto" and engine in ENGINES:  # boxes from the OCR lines the model read
        docs, n_ocr = with_cached_ocr(docs, engine)
        print(f"{engine} OCR lines of {n_ocr} of {len(docs)} documents found in the OCR cache (for field boxes)")
    unknown = sorted(set(preds or {}) - {d.id for d in docs})
    if unknown:
        print(f"medvie-bench data export: {len(unknown)} prediction(s) of the run are for documents task "
              f"{spec.name!r} does not have ({', '.join(unknown[:5])}...): was the folder changed?", file=sys.stderr)
        return 2
    root = args.image_root or (spec.path.parent.parent if spec.path else Path.cwd())
    tasks, report = export_tasks(spec, docs, ImageUrls(root, args.image_url_prefix), predictions=preds,
                                 why_missing=missing, model_version=version, boxes=args.boxes == "auto",
                                 spare_rows=args.spare_rows)
    config = labelling_config(spec, LabelMap(spec.fields), boxes=args.boxes == "auto")
    import json

    args.out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out / "config.xml", config)
    write_text_atomic(args.out / "tasks.json", json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    print(f"{report.n_tasks} tasks ({report.n_predictions} with pre-labels, {report.n_annotations} with gold, "
          f"{report.n_boxes} field boxes) → {args.out / 'tasks.json'}; labelling config → {args.out / 'config.xml'}")
    for doc_id, why in sorted(report.no_prediction.items()):
        print(f"  no pre-label for {doc_id}: {why}")
    for line in report.left_out[:50]:
        print(f"  left out (does not fit the schema): {line}")
    if len(report.left_out) > 50:
        print(f"  ... and {len(report.left_out) - 50} more values left out")
    print(f"images are referenced as {args.image_url_prefix}<path under {root.resolve()}>: start Label Studio with "
          f"LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT={root.resolve()}, "
          "add a Local Files source storage on the images' folder (not treating every file as a task), "
          "paste config.xml into Settings > Labeling Interface > Code, then import tasks.json")
    return 0


def _export_hf(args: argparse.Namespace) -> int:
    from benchmark.owndata.hf_export import export_hf
    from benchmark.owndata.manifest import resolve_task

    if not args.task or args.run:
        print("medvie-bench data export --format hf: give TASK (and no --run)", file=sys.stderr)
        return 2
    spec = resolve_task(args.task, _include_paths(args))
    made = export_hf(spec, args.out, name=args.name, splits=[args.split] if args.split else None,
                     license_text=args.license, citation=args.citation, force=args.force)
    sizes = ", ".join(f"{s}: {n}" for s, n in made.splits.items())
    print(f"DatasetDict ({sizes}) → {made.folder} (README.md dataset card, {made.task_file.name} reads it back)")
    print(f"publish it yourself: python -c \"import datasets; datasets.load_from_disk('{made.folder}')"
          ".push_to_hub('<user>/<name>', private=True)\"")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    return _export_labelstudio(args) if args.format == "labelstudio" else _export_hf(args)


def cmd_import(args: argparse.Namespace) -> int:
    from benchmark.owndata.labelstudio_import import import_labelstudio
    from benchmark.owndata.manifest import resolve_task

    spec = resolve_task(args.task, _include_paths(args))
    r = import_labelstudio(args.file, spec, args.split, args.policy, dry_run=args.dry_run)
    verb = "would write" if args.dry_run else "wrote"
    print(f"{r.n_tasks} task(s), {r.n_annotations} annotation(s) ({r.n_cancelled} cancelled; {r.n_boxes} field "
          f"box(es), not gold, ignored), {r.n_multi} document(s) with several annotations, "
          f"{len(r.disagreements)} disagreement(s)")
    for line in r.disagreements:
        print(f"  disagree: {line}")
    for doc_id, why in sorted(r.without_gold.items()):
        print(f"  no gold for {doc_id}: {why}")
    print(f"{verb} gold for {r.n_gold} document(s) (policy {r.policy}) → {r.path}; "
          f"{r.n_labelled} of {r.n_manifest} documents have gold"
          + (f"; the other {r.n_manifest - r.n_labelled} are not evaluated until labelled"
             if 0 < r.n_labelled < r.n_manifest else ""))
    return 0


def _paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("--include-path", action="append", default=[], type=Path, metavar="DIR",
                   help="extra folder of task YAML files (repeatable; also $MEDVIE_INCLUDE_PATH)")


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _export_parser(cmds: Any) -> argparse.ArgumentParser:
    """The ``data export`` parser with this module's options. ``medvie_synth.cli`` may have made
    it already (``--task``, ``--format jsonl|hf``): its jsonl export stays its own, hf and labelstudio
    come here."""
    exp = cmds.choices.get("export") or cmds.add_parser(
        "export", help="Label Studio tasks + labelling config, or a Hugging Face DatasetDict")
    options = exp._option_string_actions
    if "--task" in options:
        options["--task"].required = False
        options["--task"].help = "task name or YAML"
    else:
        exp.add_argument("--task", default=None, help="task name or YAML")
    for choice in cmds._choices_actions:
        if choice.dest == "export":
            choice.help = "a split as JSONL, a Hugging Face DatasetDict, or Label Studio tasks with pre-labels"
    if "--format" in options:
        fmt = options["--format"]
        fmt.choices = tuple(dict.fromkeys([*(fmt.choices or ()), "hf", "labelstudio"]))
        fmt.help = f"{' | '.join(fmt.choices)} (default {fmt.default})"
    else:
        exp.add_argument("--format", choices=("labelstudio", "hf"), required=True)
    if "--out" not in options:
        exp.add_argument("--out", type=Path, required=True, help="output folder")
    if "--split" not in options:
        exp.add_argument("--split", default=None, help="split (default: the run's, else the task's default)")
    other = exp.get_default("func")

    def dispatch(args: argparse.Namespace) -> int:
        args.task = args.task_pos or args.task
        if args.format in ("hf", "labelstudio"):
            return cmd_export(args)
        if not args.task:
            print("medvie-bench data export: give the task (TASK or --task)", file=sys.stderr)
            return 2
        return int(other(args))

    exp.set_defaults(func=dispatch)
    return exp


def add_subparser(sub: Any) -> None:
    data = sub.choices.get("data")
    if data is None:
        data = sub.add_parser("data", help="your own documents: init a task, Label Studio and Hugging Face")
        cmds = data.add_subparsers(dest="data_cmd", required=True)
    else:  # medvie_synth.cli's group (preview, export): add to it
        cmds = _subcommands(data)
        cmds.metavar = None
    data.description = ("Your own documents: init (a folder of images → a task), export (Label Studio tasks "
                        "with pre-labels, a Hugging Face dataset), import (Label Studio annotations → gold).")

    init = cmds.add_parser("init", help="a folder of images → a task skeleton (YAML + manifest, no gold)")
    init.add_argument("folder", type=Path, metavar="DIR", help="folder of images (searched recursively)")
    init.add_argument("--schema", required=True, metavar="TASK_OR_YAML",
                      help="a registered task name or a task YAML (its fields, prompt and scoring), or a YAML "
                      "list of fields")
    init.add_argument("--name", default=None, help="task name (default: the folder's name)")
    init.add_argument("--out", type=Path, default=None, help="where the YAML and manifest go (default: DIR)")
    init.add_argument("--language", default=None, help="document language (default: the schema task's, else en)")
    init.add_argument("--license", default=None, help="licence of the documents and labels (for exports)")
    init.add_argument("--citation", default=None, help="how to cite them (for exports)")
    init.add_argument("--force", action="store_true", help="overwrite an existing task of that name (gold too)")
    _paths(init)
    init.set_defaults(func=cmd_init)

    exp = _export_parser(cmds)
    exp.add_argument("task_pos", nargs="?", default=None, metavar="TASK",
                     help="task name or YAML (same as --task; labelstudio: optional with --run)")
    exp.add_argument("--run", type=Path, default=None, help="labelstudio: a run directory whose predictions "
                     "become pre-labels")
    exp.add_argument("--image-root", type=Path, default=None,
                     help="labelstudio: Label Studio's LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT (default: the folder "
                     "above the task YAML's); image URLs are relative to it")
    exp.add_argument("--image-url-prefix", default="/data/local-files/?d=",
                     help="labelstudio: put before each image's relative path (default: Label Studio local files)")
    exp.add_argument("--boxes", choices=("auto", "off"), default="auto",
                     help="labelstudio: field boxes where a predicted value is found in the document's OCR lines")
    exp.add_argument("--spare-rows", type=int, default=10, metavar="N",
                     help="labelstudio: empty table rows offered after the predicted or gold ones (default 10)")
    exp.add_argument("--name", default=None, help="hf: dataset and task name (default: the task's)")
    exp.add_argument("--license", default=None, help="hf: licence text (default: the task's license)")
    exp.add_argument("--citation", default=None, help="hf: citation (default: the task's)")
    exp.add_argument("--force", action="store_true", help="hf: replace an existing --out folder")
    if "--include-path" not in exp._option_string_actions:
        _paths(exp)

    imp = cmds.add_parser("import", help="a Label Studio JSON export → the task's gold (written in one step)")
    imp.add_argument("file", type=Path, metavar="FILE", help="Label Studio export, format JSON")
    imp.add_argument("--format", choices=("labelstudio",), default="labelstudio")
    imp.add_argument("--task", required=True, help="task name or YAML whose manifest gets the gold")
    imp.add_argument("--split", default=None, help="split (default: the task's default)")
    imp.add_argument("--policy", choices=("first", "latest", "agreed"), default="latest",
                     help="several annotators on one image: the first annotation, the latest, or only what all "
                     "agree on (else the document stays without gold); default latest")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    _paths(imp)
    imp.set_defaults(func=cmd_import)
