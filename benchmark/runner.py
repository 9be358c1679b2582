"""The evaluation loop: task × model → a resumable run directory.

The run directory is ``OUT/<task>/<model>__<key>`` where ``key`` is the cache key: a hash of the
model spec, the task definition (prompt template included), the split's data, the key sampling,
the output mode and the seed. The same command again resumes (finished documents are skipped);
a different model or setting never reuses another's outputs, and neither does a model whose weight
files changed in place (the manifest records their digests; see ``benchmark.models.weights``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmark import __version__
from benchmark.documents import Document
from benchmark.environment import environment
from benchmark.evaluation import make_record, run_metrics
from benchmark.executors import Executor
from benchmark.executors.local import LocalExecutor
from benchmark.models.base import Adapter
from benchmark.models.registry import ModelError, resolve_model, weights_files
from benchmark.models.spec import ModelSpec
from benchmark.models.weights import changed_roles, fingerprint
from benchmark.prompts import KeySampling
from benchmark.records import PredictionRecord, RunManifest, WeightsFile
from benchmark.scoring import prf
from benchmark.store import RunStore
from benchmark.tasks import data_hash, load_documents, split_hash, task_hash
from benchmark.tasks.spec import SynthSource, TaskSpec
from benchmark.work import DocWork, OcrFn, Outcome


@dataclass(frozen=True)
class RunSettings:
    split: str | None = None
    limit: int | None = None
    seed: int = 0
    keys: KeySampling = field(default_factory=KeySampling)
    thinking: bool = False
    fresh: bool = False
    progress: bool = True


@dataclass
class RunResult:
    run_dir: Path
    metrics: dict[str, Any]
    n_new: int
    n_resumed: int


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def cache_key(task: TaskSpec, model: ModelSpec, settings: RunSettings, docs_hash: str) -> str:
    payload = {
        "model": model.cache_dict(),
        "task": task_hash(task),
        "data": docs_hash,
        "keys": str(settings.keys),
        "thinking": settings.thinking,
        "seed": settings.seed,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def run_dir_for(out: Path, task: TaskSpec, model: ModelSpec, key: str) -> Path:
    return out / task.name / f"{model.name}__{key[:10]}"


def _select(task: TaskSpec, settings: RunSettings) -> tuple[list[Document], str]:
    """The documents to run (the first ``limit``) and the identity of the whole split's data."""
    if isinstance(task.source, SynthSource):
        return load_documents(task, settings.split, settings.limit), split_hash(task, settings.split)
    docs = load_documents(task, settings.split)
    return (docs[: settings.limit] if settings.limit else docs), data_hash(docs)


class _Progress:
    """tqdm bar with docs/s, ETA and the running micro-F1."""

    def __init__(self, total: int, initial: int, desc: str, enabled: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total,
            initial=initial,
            desc=desc,
            unit="doc",
            disable=not enabled,
            dynamic_ncols=True,
            mininterval=0.5,
            file=sys.stderr,
        )
        self.tp = self.fp = self.fn = 0
        self.errors = 0

    def add(self, rec: PredictionRecord) -> None:
        c = rec.counts
        self.tp += c["tp"]
        self.fp += c["fp"]
        self.fn += c["fn"]
        self.errors += bool(rec.error_kind or rec.parse_error)
        f1 = prf(self.tp, self.fp, self.fn)[2]
        self.bar.set_postfix(F1=f"{f1:.3f}", err=self.errors, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _check_same_weights(store: RunStore, weights: dict[str, WeightsFile], n_previous: int) -> None:
    """The cache key knows weight files by path only: refuse to resume when their contents changed
    (a checkpoint retrained in place), instead of mixing two models' answers in one run."""
    try:
        recorded = store.read_manifest().weights
    except (FileNotFoundError, ValueError):
        return
    unknown = sorted(weights.keys() - recorded.keys())
    if unknown:
        print(
            f"note: {store.dir} has no digest of its {', '.join(unknown)} weights (made before they "
            "were recorded); resuming as if unchanged (--fresh starts over)",
            file=sys.stderr,
        )
    changed = changed_roles(recorded, weights)
    if changed:
        what = "; ".join(
            f"{role} {weights[role].path} is {weights[role].digest[:19]}…, was {recorded[role].digest[:19]}…"
            for role in changed
        )
        raise ModelError(
            f"{store.dir}: the model's weights changed since its {n_previous} earlier predictions "
            f"({what}); run again with --fresh to discard them, or use another --out"
        )


def run_eval(
    task: TaskSpec,
    model: ModelSpec,
    settings: RunSettings,
    out: Path,
    *,
    adapter: Adapter | None = None,
    ocr: OcrFn | None = None,
    executor: Executor | None = None,
    command: list[str] | None = None,
) -> RunResult:
    """Evaluate ``model`` on ``task``; resumable, and every failure is recorded, not raised.

    ``executor`` defaults to the local one (``adapter`` and ``ocr`` override its defaults)."""
    weights: dict[str, WeightsFile] = {}
    if adapter is None:
        model = resolve_model(model)
        weights = fingerprint(weights_files(model))
    docs, docs_hash = _select(task, settings)
    key = cache_key(task, model, settings, docs_hash)
    run_dir = run_dir_for(out, task, model, key)
    store = RunStore(run_dir)
    if settings.fresh:
        store.reset()
    previous = {r.id: r for r in store.read_records(repair=True) if r.cache_key == key}
    if previous:
        _check_same_weights(store, weights, len(previous))
    wanted = {d.id for d in docs}
    todo = [d for d in docs if d.id not in previous]
    manifest = RunManifest(
        run_id=run_dir.name,
        cache_key=key,
        task={
            "name": task.name,
            "version": task.version,
            "hash": task_hash(task),
            "tags": task.tags,
            "language": task.language,
            "split": settings.split or task.default_split,
            "data_hash": docs_hash,
            "n_docs": len(docs),
        },
        model=model.model_dump(mode="json"),
        settings={
            "keys": str(settings.keys),
            "thinking": settings.thinking,
            "seed": settings.seed,
            "limit": settings.limit,
            "prompt_template_hash": hashlib.sha256(task.prompt.template.encode()).hexdigest()[:16],
            "executor": type(executor).__name__ if executor else "LocalExecutor",
        },
        environment=environment(),
        weights=weights,
        command=command or sys.argv,
        started_at=_now(),
        medvie_bench_version=__version__,
    )
    store.write_manifest(manifest)
    n_resumed = len(wanted & previous.keys())
    progress = _Progress(len(docs), n_resumed, f"{model.name} | {task.name}", settings.progress)
    for rec in previous.values():
        if rec.id in wanted:
            progress.tp += rec.counts["tp"]
            progress.fp += rec.counts["fp"]
            progress.fn += rec.counts["fn"]
    by_id = {d.id: d for d in todo}
    written: set[str] = set()

    def on_outcome(outcome: Outcome) -> None:
        if outcome.doc_id in written or outcome.doc_id not in by_id:
            return  # a retried shard's duplicate: the first result stands
        gen = outcome.generation
        rec = make_record(
            task, by_id[outcome.doc_id], gen, cache_key=key, prompt_hash=outcome.prompt_hash,
            queried_keys=outcome.queried_keys, cost_usd=model.price.cost(gen.tokens_in, gen.tokens_out),
            input_s=outcome.input_s,
        )
        store.append(rec)
        written.add(outcome.doc_id)
        progress.add(rec)

    work = DocWork(task=task, model=model, keys=settings.keys, thinking=settings.thinking, seed=settings.seed)
    try:
        if todo:
            (executor or LocalExecutor(adapter=adapter, ocr=ocr)).run(work, todo, on_outcome)
    finally:
        store.close()
        progress.close()
    n_new = len(written)
    records = [r for r in store.iter_latest(key) if r.id in wanted]
    metrics = run_metrics(task, docs, records)
    metrics["run_id"] = run_dir.name
    store.write_metrics(metrics)
    store.write_manifest(manifest.model_copy(update={"finished_at": _now(), "status": "finished"}))
    return RunResult(run_dir=run_dir, metrics=metrics, n_new=n_new, n_resumed=n_resumed)
