"""The evaluation loop: task × model → a resumable run directory.

The run directory is ``OUT/<task>/<model>__<key>`` where ``key`` is the cache key: a hash of the
model spec, the task definition (prompt template included), the split's data, the key sampling,
the output mode and the seed. The same command again resumes (finished documents are skipped);
a different model or setting never reuses another's outputs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmark import __version__
from benchmark.documents import Document
from benchmark.environment import environment
from benchmark.evaluation import make_record, run_metrics
from benchmark.models.base import Adapter, Generation
from benchmark.models.registry import create_adapter
from benchmark.models.spec import ModelSpec
from benchmark.prompts import KeySampling, build_prompt
from benchmark.records import PredictionRecord, RunManifest
from benchmark.scoring import prf
from benchmark.store import RunStore
from benchmark.tasks import data_hash, load_documents, task_hash
from benchmark.tasks.spec import TaskSpec


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
    """The documents to run (the first ``limit``) and the hash of the whole split."""
    docs = load_documents(task, settings.split)
    return (docs[: settings.limit] if settings.limit else docs), data_hash(docs)


OcrFn = Callable[[Document, str], Document]


def _with_ocr(doc: Document, model: ModelSpec, ocr: OcrFn | None) -> Document:
    if not model.uses_ocr or model.ocr_engine == "gold":
        return doc
    if ocr is None:
        from benchmark.ocr import apply_ocr

        ocr = apply_ocr
    return ocr(doc, model.ocr_engine)


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


async def _generate_all(
    adapter: Adapter,
    todo: list[Document],
    task: TaskSpec,
    model: ModelSpec,
    settings: RunSettings,
    key: str,
    store: RunStore,
    progress: _Progress,
    ocr: OcrFn | None,
) -> int:
    queue: asyncio.Queue[Document] = asyncio.Queue()
    for doc in todo:
        queue.put_nowait(doc)
    done = 0

    async def worker() -> None:
        nonlocal done
        while True:
            try:
                doc = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            doc_in = await asyncio.to_thread(_with_ocr, doc, model, ocr) if model.uses_ocr else doc
            prompt = build_prompt(
                task,
                doc_in,
                sampling=settings.keys,
                thinking=settings.thinking,
                seed=settings.seed,
                use_image=model.uses_image,
                use_ocr=model.uses_ocr,
            )
            start = time.perf_counter()
            try:
                gen = await adapter.generate(prompt)
            except Exception as exc:  # an adapter bug must not end the run: record it
                gen = Generation(
                    raw=None,
                    error_kind="adapter_error",
                    error=f"{type(exc).__name__}: {exc}",
                    latency_s=time.perf_counter() - start,
                )
            rec = make_record(
                task,
                doc,
                gen,
                cache_key=key,
                prompt_hash=prompt.hash(),
                queried_keys=prompt.queried_keys,
                cost_usd=model.price.cost(gen.tokens_in, gen.tokens_out),
            )
            store.append(rec)
            progress.add(rec)
            done += 1

    await asyncio.gather(*(worker() for _ in range(min(model.concurrency, max(1, len(todo))))))
    return done


def run_eval(
    task: TaskSpec,
    model: ModelSpec,
    settings: RunSettings,
    out: Path,
    *,
    adapter: Adapter | None = None,
    ocr: OcrFn | None = None,
    command: list[str] | None = None,
) -> RunResult:
    """Evaluate ``model`` on ``task``; resumable, and every failure is recorded, not raised."""
    docs, docs_hash = _select(task, settings)
    key = cache_key(task, model, settings, docs_hash)
    run_dir = run_dir_for(out, task, model, key)
    store = RunStore(run_dir)
    if settings.fresh:
        store.reset()
    previous = {r.id: r for r in store.read_records(repair=True) if r.cache_key == key}
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
        },
        environment=environment(),
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
    n_new = 0
    try:
        if todo:
            adapter = adapter or create_adapter(model)
            n_new = asyncio.run(_run_with_close(adapter, todo, task, model, settings, key, store, progress, ocr))
    finally:
        store.close()
        progress.close()
    records = [r for r in store.iter_latest(key) if r.id in wanted]
    metrics = run_metrics(task, docs, records)
    metrics["run_id"] = run_dir.name
    store.write_metrics(metrics)
    store.write_manifest(manifest.model_copy(update={"finished_at": _now(), "status": "finished"}))
    return RunResult(run_dir=run_dir, metrics=metrics, n_new=n_new, n_resumed=n_resumed)


async def _run_with_close(adapter: Adapter, *args: Any) -> int:
    try:
        return await _generate_all(adapter, *args)
    finally:
        await adapter.aclose()
