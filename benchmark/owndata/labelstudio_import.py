"""Label Studio's JSON export → the task's gold: tasks matched to documents, annotations checked
against the schema (every problem listed, nothing written), several annotators reconciled by a
policy, disagreements reported.

The export format is Label Studio's "JSON format of annotated tasks" (HumanSignal/label-studio,
docs/source/guide/export.md): a list of tasks ``{"id", "data", "annotations": [{"id", "result",
"was_cancelled", "ground_truth", "created_at", "updated_at", "lead_time", "completed_by", ...}],
"predictions": [...]}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from benchmark.owndata.manifest import manifest_path, read_rows, write_rows
from benchmark.owndata.problems import Problems
from benchmark.owndata.schema_map import LabelMap
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import TaskSpec

POLICIES = ("first", "latest", "agreed")
MAX_EXPORT_BYTES = 1 << 30
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-")  # Label Studio's prefix on uploaded file names


@dataclass
class Annotation:
    gold: dict[str, Any]
    who: str
    created: str
    updated: str
    order: int


@dataclass
class ImportReport:
    path: Path
    policy: str
    n_tasks: int = 0
    n_annotations: int = 0
    n_cancelled: int = 0
    n_boxes: int = 0
    n_gold: int = 0  # documents given gold by this import
    n_multi: int = 0  # documents with several annotations
    without_gold: dict[str, str] = field(default_factory=dict)  # doc id → why it got none
    disagreements: list[str] = field(default_factory=list)
    n_manifest: int = 0
    n_labelled: int = 0  # documents of the manifest with gold after the import


def _basename(url: str) -> str:
    """The file name behind a task's image URL (local-files ``?d=``, an upload, or a plain URL)."""
    parsed = urlparse(url)
    inner = parse_qs(parsed.query).get("d")
    name = Path(unquote(inner[0] if inner else parsed.path)).name
    return _UPLOAD_PREFIX.sub("", name) if parsed.path.startswith("/data/upload/") else name


def _who(annotation: dict[str, Any]) -> str:
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        by = by.get("email") or by.get("id")
    return f"annotator {by}" if by is not None else f"annotation {annotation.get('id', '?')}"


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flat(v, f"{prefix}[{i}]"))
        return out
    return {prefix: str(value)}


def disagreements(doc_id: str, where: str, annotations: list[Annotation]) -> list[str]:
    """One line per field on which the annotators of a document differ ("(none)" when left out)."""
    flats = [_flat(a.gold) for a in annotations]
    lines = []
    for path in sorted(set().union(*flats)):
        values = [f.get(path) for f in flats]
        if len(set(values)) > 1:
            said = " vs ".join(f"{v!r} ({a.who})" if v is not None else f"(none) ({a.who})"
                               for v, a in zip(values, annotations, strict=True))
            lines.append(f"doc {doc_id} ({where}): {path}: {said}")
    return lines


def choose(annotations: list[Annotation], policy: str) -> dict[str, Any] | None:
    """The gold under ``policy``: the first or the latest annotation, or the annotators' common
    answer when they all agree (else None: the document stays without gold)."""
    if policy == "first":
        return min(annotations, key=lambda a: (a.created, a.order)).gold
    if policy == "latest":
        return max(annotations, key=lambda a: (a.updated or a.created, a.order)).gold
    first = annotations[0].gold
    return first if all(a.gold == first for a in annotations[1:]) else None


def _load_export(path: Path) -> list[Any]:
    try:
        if path.stat().st_size > MAX_EXPORT_BYTES:
            raise TaskError(f"{path}: larger than {MAX_EXPORT_BYTES >> 20} MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaskError(f"{path}: cannot read: {exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise TaskError(f"{path}: not JSON: {type(exc).__name__}: {exc}") from exc
    if not isinstance(data, list):
        raise TaskError(f"{path}: a Label Studio JSON export is a list of tasks, got {type(data).__name__} "
                        "(export the project as 'JSON', not 'JSON_MIN' or CSV)")
    return data


def import_labelstudio(export: Path, spec: TaskSpec, split: str | None = None, policy: str = "latest",
                       dry_run: bool = False) -> ImportReport:
    """Write the gold of a Label Studio JSON export into the task's manifest, in one step.

    Every problem of the export (an image that is not in the task folder, an unknown control or
    label, a value that does not fit the schema) is listed and nothing is written. Documents the
    export does not cover keep what they had."""
    if policy not in POLICIES:
        raise TaskError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
    from benchmark.tasks.sources import confinement, outside_problem, regular_file_problem

    lm = LabelMap(spec.fields)
    manifest = manifest_path(spec, split)
    folder = confinement(spec)
    rows = read_rows(manifest)
    by_id = {row["id"]: row for row in rows}
    by_name: dict[str, list[str]] = {}
    for row in rows:
        if isinstance(row.get("image"), str):
            by_name.setdefault(Path(row["image"]).name, []).append(row["id"])
    tasks = _load_export(export)
    report = ImportReport(path=manifest, policy=policy, n_tasks=len(tasks), n_manifest=len(rows))
    problems = Problems()
    per_doc: dict[str, tuple[str, list[Annotation]]] = {}
    for i, task in enumerate(tasks):
        where = f"task {task.get('id', f'#{i}')}" if isinstance(task, dict) else f"task #{i}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            problems.add(where, "field data: missing (not a Label Studio task)")
            continue
        doc_id = _document_of(task["data"], by_id, by_name, where, problems)
        if doc_id is None:
            continue
        image = by_id[doc_id].get("image")
        target = manifest.parent / image if isinstance(image, str) else None
        missing = (outside_problem(target, folder, str(image)) or regular_file_problem(target)
                   if target is not None else "no image in the manifest")
        if missing:
            problems.add(where, f"field data.image: the image of document {doc_id!r} is not in the folder: {missing}")
            continue
        if doc_id in per_doc:
            problems.add(where, f"document {doc_id!r} is also {per_doc[doc_id][0]}: delete the duplicate task")
            continue
        found = []
        anns = task.get("annotations") or []
        if not isinstance(anns, list):
            problems.add(where, "field annotations: not a list")
            continue
        for j, ann in enumerate(anns):
            report.n_annotations += 1
            if not isinstance(ann, dict):
                problems.add(f"{where}, annotation #{j}", "not an object")
                continue
            if ann.get("was_cancelled"):
                report.n_cancelled += 1
                continue
            gold, errs, n_boxes = lm.from_results(ann.get("result"))
            report.n_boxes += n_boxes
            for err in errs:
                problems.add(f"{where} (doc {doc_id}), annotation {ann.get('id', f'#{j}')}", err)
            found.append(Annotation(gold, _who(ann), str(ann.get("created_at") or ""),
                                    str(ann.get("updated_at") or ""), j))
        per_doc[doc_id] = (where, found)
    problems.raise_if_any(f"{export}: cannot import into task {spec.name!r} ({manifest})")

    new_gold: dict[str, dict[str, Any]] = {}
    kept = {row["id"] for row in rows if row.get("gt")}
    for doc_id, (where, anns) in per_doc.items():
        if len(anns) > 1:
            report.n_multi += 1
            report.disagreements += disagreements(doc_id, where, anns)
        if not anns:
            report.without_gold[doc_id] = "no annotation (or only cancelled ones)"
            continue
        gold = choose(anns, policy)
        if gold is None:
            report.without_gold[doc_id] = "annotators disagree (policy agreed)"
        elif not gold:
            report.without_gold[doc_id] = "the annotation is empty"
        else:
            new_gold[doc_id] = gold
        if doc_id in report.without_gold and doc_id in kept:
            report.without_gold[doc_id] += "; its earlier gold is kept"
    out = []
    for row in rows:
        if row["id"] in new_gold:
            row = {**row, "gt": new_gold[row["id"]]}
        out.append(row)
    report.n_gold = len(new_gold)
    report.n_labelled = sum(1 for row in out if row.get("gt"))
    if not dry_run:
        write_rows(manifest, out)
    return report


def _document_of(data: dict[str, Any], by_id: dict[str, Any], by_name: dict[str, list[str]], where: str,
                 problems: Problems) -> str | None:
    """The document a task is about: ``data.doc_id`` (tasks this package exported), else the file
    name of ``data.image`` (images uploaded or synced into Label Studio directly)."""
    doc_id = data.get("doc_id")
    if doc_id is not None:
        if isinstance(doc_id, str) and doc_id in by_id:
            return doc_id
        problems.add(where, f"field data.doc_id: {doc_id!r} is not a document of this task")
        return None
    image = data.get("image")
    if not isinstance(image, str):
        problems.add(where, "field data.image: missing")
        return None
    name = _basename(image)
    ids = by_name.get(name, [])
    if len(ids) == 1:
        return ids[0]
    problems.add(where, f"field data.image: {image!r}: " + (
        f"image {name!r} is not in the task folder" if not ids else f"{len(ids)} documents have an image {name!r}"))
    return None
