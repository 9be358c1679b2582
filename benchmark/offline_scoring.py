"""Scoring saved outputs: gold/prediction JSONL files, or a saved run directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmark.documents import Document
from benchmark.evaluation import make_record, run_metrics
from benchmark.models.base import Generation
from benchmark.records import PredictionRecord
from benchmark.store import RunStore
from benchmark.tasks import TaskRegistry, load_documents, task_hash
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import FieldSpec, JsonlSource, TaskSpec


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TaskError(f"{path}:{lineno}: not JSON: {exc}") from exc
            missing = [k for k in required if k not in row]
            if not isinstance(row, dict) or missing:
                raise TaskError(f"{path}:{lineno}: missing field(s) {missing}")
            rows.append(row)
    return rows


def _adhoc_task(gold: list[dict[str, Any]]) -> TaskSpec:
    keys = sorted({k for row in gold for k in row["gt"]})
    return TaskSpec(
        name="adhoc",
        version=0,
        language="und",
        source=JsonlSource(type="jsonl", splits={"test": "gold.jsonl"}),
        fields=[FieldSpec(key=k) for k in keys] or [FieldSpec(key="_")],
    )


def score_files(gold_path: Path, pred_path: Path, task: TaskSpec | None = None) -> dict[str, Any]:
    """Gold lines ``{"id", "gt"}``; prediction lines ``{"id", "output": raw}`` or
    ``{"id", "prediction": {...}}``. Gold documents without a prediction are all FN."""
    gold = _read_jsonl(gold_path, ("id", "gt"))
    preds = _read_jsonl(pred_path, ("id",))
    task = task or _adhoc_task(gold)
    docs = [Document(id=str(g["id"]), gt=g["gt"]) for g in gold]
    records: list[PredictionRecord] = []
    by_id = {d.id: d for d in docs}
    for row in preds:
        doc = by_id.get(str(row["id"]))
        if doc is None:
            continue
        if "output" in row:
            raw = row["output"]
        elif "prediction" in row:
            raw = json.dumps(row["prediction"], ensure_ascii=False)
        else:
            raise TaskError(f"{pred_path}: id {row['id']!r}: needs 'output' or 'prediction'")
        records.append(make_record(task, doc, Generation(raw=raw), cache_key="", prompt_hash="", queried_keys=None))
    metrics = run_metrics(task, docs, records)
    metrics["n_predictions"] = len(records)
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
