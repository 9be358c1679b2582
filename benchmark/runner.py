"""The evaluation loop: task × model → a resumable run directory.

The run directory is ``OUT/<task>/<model>__<key>`` where ``key`` is the cache key: a hash of the
model spec, the task definition (prompt template included), the split's data, the key sampling,
the output mode and the seed (and ``examples: false`` for example-free prompts, only then, so runs
with the default keep their keys). The same command again resumes (finished documents are skipped);
a different model or setting never reuses another's outputs, and neither does a model whose weight
files changed in place (the manifest records their digests; see ``benchmark.models.weights``).

A run holds the folder's lock for its life (a second one on the same folder is refused). Documents
whose call failed (``evaluation.RETRYABLE_ERROR_KINDS``: timeouts, connection and HTTP errors...)
are tried again by the next resume until they have ``max_attempts`` records; every attempt is a
record (``attempt``), and the latest one counts. The manifest's ``status`` ends as ``finished``,
``interrupted`` (Ctrl-C) or ``failed``; in every case the same command resumes the folder.
"""

from __future__ import annotations

import asyncio
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
from benchmark.evaluation import is_failed, is_retryable, make_record, run_metrics
from benchmark.executors import Executor
from benchmark.executors.local import LocalExecutor
from benchmark.models.base import Adapter
from benchmark.models.registry import ModelError, resolve_model, weights_files
from benchmark.models.spec import ModelSpec, public_url
from benchmark.models.weights import changed_roles, fingerprint
from benchmark.prompts import KeySampling, without_examples
from benchmark.records import PredictionRecord, RunManifest, WeightsFile
from benchmark.scoring import prf
from benchmark.store import RunStore
from benchmark.tasks import task_hash
from benchmark.tasks.sources import select_documents
from benchmark.tasks.spec import TaskSpec
from benchmark.work import DocWork, OcrFn, Outcome


@dataclass(frozen=True)
class RunSettings:
    split: str | None = None
    limit: int | None = None
    seed: int = 0
    keys: KeySampling = field(default_factory=KeySampling)
    thinking: bool = False
    examples: bool = True  # False: field descriptions without their example values (prompts.without_examples)
    fresh: bool = False
    progress: bool = True
    max_attempts: int = 3  # tries of a document whose call failed, over resumes (not in the cache key)


@dataclass
class RunResult:
    run_dir: Path
    metrics: dict[str, Any]
    n_new: int  # documents run now (retries included)
    n_resumed: int  # documents whose earlier record was kept
    n_retried: int = 0  # of n_new: documents tried again after a failed call
    n_retry_left: int = 0  # failed calls the same command will try again
    n_gave_up: int = 0  # failed calls that used up max_attempts
    all_failed: bool = False  # every document of the run failed (no answer from the model)
    first_error: str | None = None  # "kind: message" of the first failed document

    def report(self, label: str) -> list[str]:
        """What a person reads after the run: counts, then the errors by kind and what happens next."""
        retried = f" ({self.n_retried} retried)" if self.n_retried else ""
        lines = [f"{label}: {self.n_new} new{retried}, {self.n_resumed} resumed → {self.run_dir}"]
        kinds = self.metrics.get("error_kinds") or {}
        if kinds:
            counts = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
            next_step = []
            if self.n_retry_left:
                next_step.append(f"{self.n_retry_left} will be retried by the same command")
            if self.n_gave_up:
                next_step.append(f"{self.n_gave_up} used up their attempts (--max-attempts)")
            tail = f"; {', '.join(next_step)}" if next_step else ""
            lines.append(f"  errors in {sum(kinds.values())} of {self.metrics.get('n_docs')} documents: {counts}{tail}")
        if self.all_failed:
            lines.append(f"  every document of {label} failed (first error: {self.first_error})")
        return lines


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _key(model: dict[str, Any], task: str, data: str, keys: str, thinking: bool, seed: int,
         examples: bool = True) -> str:
    payload = {"model": model, "task": task, "data": data, "keys": keys, "thinking": thinking, "seed": seed}
    if not examples:  # only when not the default, so every earlier run keeps its key
        payload["examples"] = False
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def cache_key(task: TaskSpec, model: ModelSpec, settings: RunSettings, docs_hash: str) -> str:
    """``model`` as resolved (``resolve_model``): an endpoint from the environment is in its
    ``base_url``, so it is part of the key only where the adapter really uses one."""
    return _key(model.cache_dict(), task_hash(task), docs_hash, str(settings.keys), settings.thinking, settings.seed,
                settings.examples)


def manifest_cache_key(manifest: RunManifest) -> str:
    """The cache key recomputed from what a manifest recorded (equals ``manifest.cache_key`` for
    runs made by this code or an earlier one whose keys are kept)."""
    model = ModelSpec.model_validate(manifest.model).cache_dict()
    s = manifest.settings
    return _key(model, manifest.task["hash"], manifest.task["data_hash"], str(s["keys"]), bool(s["thinking"]),
                int(s["seed"]), bool(s.get("examples", True)))


def run_dir_for(out: Path, task: TaskSpec, model: ModelSpec, key: str) -> Path:
    return out / task.name / f"{model.name}__{key[:10]}"


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
            f"{store.dir}: the model's weights or code changed since its {n_previous} earlier predictions "
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
    docs, docs_hash = select_documents(task, settings.split, settings.limit)
    key = cache_key(task, model, settings, docs_hash)
    run_dir = run_dir_for(out, task, model, key)
    store = RunStore(run_dir)
    with store.lock():
        return _run_locked(task, model, settings, store, key, docs, docs_hash, weights,
                           adapter=adapter, ocr=ocr, executor=executor, command=command)


def _plan(docs: list[Document], previous: dict[str, PredictionRecord],
          max_attempts: int) -> tuple[list[Document], dict[str, int], int]:
    """The documents to run, the attempt number of each, and how many earlier records are kept."""
    todo: list[Document] = []
    attempts: dict[str, int] = {}
    kept = 0
    for doc in docs:
        prev = previous.get(doc.id)
        if prev is None:
            attempts[doc.id] = 1
        elif is_retryable(prev) and prev.attempt < max_attempts:
            attempts[doc.id] = prev.attempt + 1
        else:
            kept += 1
            continue
        todo.append(doc)
    return todo, attempts, kept


def _run_locked(
    task: TaskSpec, model: ModelSpec, settings: RunSettings, store: RunStore, key: str, docs: list[Document],
    docs_hash: str, weights: dict[str, WeightsFile], *, adapter: Adapter | None, ocr: OcrFn | None,
    executor: Executor | None, command: list[str] | None,
) -> RunResult:
    run_dir = store.dir
    if settings.fresh:
        store.reset()
    previous = {r.id: r for r in store.read_records(repair=True) if r.cache_key == key}
    if previous:
        _check_same_weights(store, weights, len(previous))
    wanted = {d.id for d in docs}
    todo, attempts, n_resumed = _plan(docs, previous, settings.max_attempts)
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
        model={**model.model_dump(mode="json"), "base_url": public_url(model.base_url)},
        settings={
            "keys": str(settings.keys),
            "thinking": settings.thinking,
            "seed": settings.seed,
            "limit": settings.limit,
            "prompt_template_hash": hashlib.sha256(task.prompt.template.encode()).hexdigest()[:16],
            "executor": type(executor).__name__ if executor else "LocalExecutor",
            "endpoint": public_url(model.base_url),  # None: the adapter's own (a managed server, a library)
            "max_attempts": settings.max_attempts,
            **({} if settings.examples else {"examples": False}),  # recorded only when not the default
        },
        environment=environment(),
        weights=weights,
        command=command or sys.argv,
        started_at=_now(),
        medvie_bench_version=__version__,
    )
    store.write_manifest(manifest)
    progress = _Progress(len(docs), n_resumed, f"{model.name} | {task.name}", settings.progress)
    by_id = {d.id: d for d in todo}
    for rec in previous.values():
        if rec.id in wanted and rec.id not in by_id:
            progress.tp += rec.counts["tp"]
            progress.fp += rec.counts["fp"]
            progress.fn += rec.counts["fn"]
    written: set[str] = set()

    def on_outcome(outcome: Outcome) -> None:
        if outcome.doc_id in written or outcome.doc_id not in by_id:
            return  # a retried shard's duplicate: the first result stands
        gen = outcome.generation
        rec = make_record(
            task, by_id[outcome.doc_id], gen, cache_key=key, prompt_hash=outcome.prompt_hash,
            queried_keys=outcome.queried_keys, cost_usd=model.price.cost(gen.tokens_in, gen.tokens_out),
            input_s=outcome.input_s, work_s=outcome.work_s, attempt=attempts[outcome.doc_id],
        )
        store.append(rec)
        written.add(outcome.doc_id)
        progress.add(rec)

    prompt_task = task if settings.examples else without_examples(task)
    work = DocWork(task=prompt_task, model=model, keys=settings.keys, thinking=settings.thinking, seed=settings.seed)
    try:
        if todo:
            (executor or LocalExecutor(adapter=adapter, ocr=ocr)).run(work, todo, on_outcome)
    except BaseException as exc:
        store.close()
        interrupted = isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError))
        store.write_manifest(manifest.model_copy(update={
            "finished_at": _now(),
            "status": "interrupted" if interrupted else "failed",
            "error": None if interrupted else f"{type(exc).__name__}: {exc}"[:500],
        }))
        raise
    finally:
        store.close()
        progress.close()
    records = [r for r in store.iter_latest(key) if r.id in wanted]
    metrics = run_metrics(task, docs, records)
    metrics["run_id"] = run_dir.name
    store.write_metrics(metrics)
    store.write_manifest(manifest.model_copy(update={"finished_at": _now(), "status": "finished"}))
    retryable = [r for r in records if is_retryable(r)]
    n_gave_up = sum(1 for r in retryable if r.attempt >= settings.max_attempts)
    failed = [r for r in records if is_failed(r)]
    return RunResult(
        run_dir=run_dir, metrics=metrics, n_new=len(written), n_resumed=n_resumed,
        n_retried=sum(1 for i in written if attempts[i] > 1), n_retry_left=len(retryable) - n_gave_up,
        n_gave_up=n_gave_up, all_failed=bool(docs) and len(failed) == len(docs),
        first_error=f"{failed[0].error_kind}: {(failed[0].error or '')[:200]}" if failed else None,
    )
