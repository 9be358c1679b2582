"""Scoring saved outputs: gold/prediction JSONL files, or a saved run directory.

Gold and prediction files are untrusted input: any problem with a line (not UTF-8, not JSON, a
wrong type, a missing field, gold nested deeper than ``MAX_JSON_DEPTH``, a repeated gold id, an
empty gold file) is one ``TaskError`` naming the file, the line and the field. The model's answer
itself (``output`` text or ``prediction`` value) is never an input error: whatever it holds is
parsed and scored (a ``prediction`` nested too deep is the parse error ``too_deep``).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from benchmark.documents import Document
from benchmark.evaluation import make_record, run_metrics
from benchmark.jsonl_input import json_lines, json_type, read_input
from benchmark.models.base import Generation
from benchmark.records import PredictionRecord
from benchmark.scoring.depth import MAX_JSON_DEPTH, exceeds_depth
from benchmark.store import RunStore
from benchmark.tasks import TaskRegistry, load_documents, task_hash
from benchmark.tasks.errors import TaskError
from benchmark.tasks.source_jsonl import JsonlSource
from benchmark.tasks.spec import FieldSpec, TaskSpec

Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class _Prediction:
    lineno: int
    doc_id: str
    raw: str | None


def _object_line(value: Any, where: str, shape: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TaskError(f"{where}: expected a JSON object {shape}, got {json_type(value)}")
    return value


def _doc_id(row: dict[str, Any], where: str) -> str:
    if "id" not in row:
        raise TaskError(f"{where}: field 'id' is missing")
    value = row["id"]
    if type(value) is not str and type(value) is not int:
        raise TaskError(f"{where}: field 'id': expected a string or an integer, got {json_type(value)}")
    return str(value)


def _read_gold(path: Path, data: bytes) -> list[Document]:
    docs: list[Document] = []
    first_line: dict[str, int] = {}
    for line in json_lines(data, path):
        where = f"{path}:{line.lineno}"
        row = _object_line(line.value, where, '{"id": ..., "gt": {...}}')
        doc_id = _doc_id(row, where)
        if "gt" not in row:
            raise TaskError(f"{where}: field 'gt' is missing")
        gt = row["gt"]
        if not isinstance(gt, dict):
            raise TaskError(f"{where}: field 'gt': expected a JSON object of fields, got {json_type(gt)}")
        if not line.shallow and exceeds_depth(gt, MAX_JSON_DEPTH):
            raise TaskError(f"{where}: field 'gt': nested deeper than {MAX_JSON_DEPTH} levels (the input limit)")
        if doc_id in first_line:
            raise TaskError(f"{where}: field 'id': duplicate id {doc_id!r} (first on line {first_line[doc_id]})")
        first_line[doc_id] = line.lineno
        docs.append(Document(id=doc_id, gt=gt))
    if not docs:
        raise TaskError(f"{path}: no gold documents (the file has no JSON lines)")
    return docs


def _read_predictions(path: Path, data: bytes) -> list[_Prediction]:
    preds = []
    for line in json_lines(data, path):
        where = f"{path}:{line.lineno}"
        row = _object_line(line.value, where, '{"id": ..., "output": "..."} or {"id": ..., "prediction": {...}}')
        doc_id = _doc_id(row, where)
        if "output" in row:
            raw = row["output"]
            if raw is not None and not isinstance(raw, str):
                got = json_type(raw)
                raise TaskError(f"{where}: field 'output': expected the model's raw text (a string), got {got}")
        elif "prediction" in row:
            raw = json.dumps(row["prediction"], ensure_ascii=False)
        else:
            raise TaskError(f"{where}: needs field 'output' (the model's raw text) or 'prediction' (its JSON)")
        preds.append(_Prediction(line.lineno, doc_id, raw))
    return preds


def _adhoc_type(gold: list[Document], key: str) -> Literal["string", "list"]:
    """Without a task, a field's type is what its gold values are (a list anywhere makes it a list).
    An object is declared a plain field: the scorer flattens it all the same, and an object field
    would need its members declared."""
    values = [doc.gt[key] for doc in gold if key in doc.gt]
    return "list" if any(isinstance(v, list) for v in values) else "string"


def _adhoc_task(gold: list[Document]) -> TaskSpec:
    keys = sorted({k for doc in gold for k in doc.gt})
    return TaskSpec(
        name="adhoc",
        version=0,
        language="und",
        source=JsonlSource(type="jsonl", splits={"test": "gold.jsonl"}),
        fields=[FieldSpec(key=k, type=_adhoc_type(gold, k)) for k in keys] or [FieldSpec(key="_")],
    )


def _no_warning(message: str) -> None:
    pass


def score_files(
    gold_path: Path, pred_path: Path, task: TaskSpec | None = None, warn: Warn = _no_warning
) -> dict[str, Any]:
    """Gold lines ``{"id", "gt"}``; prediction lines ``{"id", "output": raw text or null}`` or
    ``{"id", "prediction": any JSON}``. Gold documents without a prediction are all FN; a
    prediction id seen twice is scored from its last line, and ``warn`` is told (so is it of ids
    not in the gold), both counted in the metrics."""
    return score_data(read_input(gold_path), read_input(pred_path), gold_path, pred_path, task, warn)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is read and scored: the documents read are
    long-lived, so each collection re-walked all of them (a fifth of the scoring time on 10,000
    documents), and reading and scoring make no reference cycles for it to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score_data(
    gold_data: bytes,
    pred_data: bytes,
    gold_path: Path,
    pred_path: Path,
    task: TaskSpec | None = None,
    warn: Warn = _no_warning,
) -> dict[str, Any]:
    """``score_files`` on the files' bytes (the paths only name them in messages)."""
    with _collector_paused():
        return _score_data(gold_data, pred_data, gold_path, pred_path, task, warn)


def _score_data(
    gold_data: bytes, pred_data: bytes, gold_path: Path, pred_path: Path, task: TaskSpec | None, warn: Warn
) -> dict[str, Any]:
    docs = _read_gold(gold_path, gold_data)
    preds = _read_predictions(pred_path, pred_data)
    task = task or _adhoc_task(docs)
    by_id = {d.id: d for d in docs}
    latest: dict[str, _Prediction] = {}
    first_line: dict[str, int] = {}
    repeated: list[_Prediction] = []
    unknown: list[_Prediction] = []
    for pred in preds:
        if pred.doc_id not in by_id:
            unknown.append(pred)
            continue
        if pred.doc_id in latest:
            repeated.append(pred)
        else:
            first_line[pred.doc_id] = pred.lineno
        latest[pred.doc_id] = pred
    if repeated:
        first = repeated[0]
        warn(
            f"{pred_path}: {len(repeated)} line(s) repeat an id seen before (first: id {first.doc_id!r} on lines "
            f"{first_line[first.doc_id]} and {first.lineno}); the last line of each id is scored"
        )
    if unknown:
        warn(
            f"{pred_path}: {len(unknown)} line(s) have an id not in {gold_path} (first: id {unknown[0].doc_id!r} on "
            f"line {unknown[0].lineno}); they are not scored"
        )
    records: list[PredictionRecord] = [
        make_record(task, by_id[doc_id], Generation(raw=pred.raw), cache_key="", prompt_hash="", queried_keys=None)
        for doc_id, pred in latest.items()
    ]
    metrics = run_metrics(task, docs, records)
    metrics["n_predictions"] = len(records)
    metrics["n_duplicate_predictions"] = len(repeated)
    metrics["n_unknown_predictions"] = len(unknown)
    return metrics


def rescore_run(run_dir: Path, include_paths: list[Path] | None = None) -> dict[str, Any]:
    """Re-score a saved run's raw outputs with the current scorer; rewrites ``metrics.json``."""
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    task = TaskRegistry(include_paths or []).get(manifest.task["name"])
    if task_hash(task) != manifest.task["hash"]:
        raise TaskError(
            f"{run_dir}: task {task.name!r} changed since the run (hash {manifest.task['hash']} → "
            f"{task_hash(task)}); re-run it instead of re-scoring"
        )
    docs = load_documents(task, manifest.task["split"], manifest.settings.get("limit"))
    by_id = {d.id: d for d in docs}
    records = []
    for old in store.iter_latest(manifest.cache_key):
        if old.id not in by_id:
            continue
        gen = Generation(
            raw=old.raw,
            error_kind=old.error_kind,
            error=old.error,
            tokens_in=old.tokens_in,
            tokens_out=old.tokens_out,
            latency_s=old.latency_s,
            finish_reason=old.finish_reason,
        )
        records.append(
            make_record(
                task,
                by_id[old.id],
                gen,
                cache_key=old.cache_key,
                prompt_hash=old.prompt_hash,
                queried_keys=old.queried_keys,
                cost_usd=old.cost_usd,
            )
        )
    metrics = run_metrics(task, docs, records)
    metrics["run_id"] = run_dir.name
    store.write_metrics(metrics)
    return metrics
