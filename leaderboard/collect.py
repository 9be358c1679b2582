"""Read every run directory under a folder into pandas tables.

``runs``: one row per run directory (broken ones too, with ``problem`` set); ``docs``: one row
per (run, document) with its counts, errors, latency and cost; ``fields``: one row per (run,
field path) with summed counts. ``records`` keeps the full records of the first ``keep_records``
documents (by id) of each run, for the document explorer. Runs left out for a ``problem``, and runs
with quarantined lines, are reported on stderr, one line each.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.metrics.table import doc_rows
from benchmark.records import PredictionRecord
from benchmark.store import MANIFEST, METRICS, PREDICTIONS, QUARANTINE, RunStore

RUN_COLUMNS = (
    "run_key", "path", "run_id", "cache_key", "task", "task_version", "task_hash", "data_hash",
    "tags", "language", "split", "model", "entry", "thinking", "keys", "seed", "limit", "status",
    "finished_at", "mtime_ns", "n_docs", "ids_hash", "problem",
)
ID_COLUMNS = ("run_key", "id", "error_kind", "conditions")


def doc_columns() -> tuple[str, ...]:
    """The ``docs`` table: ids, then every registered metric's per-document statistics."""
    from benchmark.metrics import statistics

    return ID_COLUMNS + tuple(statistics())


@dataclass
class Collection:
    runs: pd.DataFrame
    docs: pd.DataFrame
    fields: pd.DataFrame
    records: dict[str, dict[str, PredictionRecord]] = field(default_factory=dict)


def entry_id(model: str, thinking: bool) -> str:
    """A leaderboard row: the model, with thinking on as a separate row."""
    return f"{model}+thinking" if thinking else model


def find_runs(root: Path) -> list[Path]:
    """Run directories (those holding a manifest) under ``root``, sorted."""
    return sorted(p.parent for p in Path(root).rglob(MANIFEST) if not p.parent.name.startswith("."))


def _ids_hash(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


class _Docs:
    """Document ids of task splits, loaded once, for runs whose folder holds extra records."""

    def __init__(self, include_paths: Iterable[Path]) -> None:
        self.include_paths = list(include_paths)
        self.cache: dict[tuple[str, str, int], tuple[list[str], str] | None] = {}

    def ids(self, task: str, split: str, limit: int) -> tuple[list[str], str] | None:
        """The first ``limit`` ids of the split and the split's data identity."""
        if (task, split, limit) not in self.cache:
            from benchmark.tasks import TaskRegistry, load_documents, split_hash

            try:
                spec = TaskRegistry(self.include_paths).get(task)
                docs = load_documents(spec, split, limit)
                self.cache[task, split, limit] = ([d.id for d in docs], split_hash(spec, split))
            except Exception:  # the task is gone or changed: the run cannot be trimmed
                self.cache[task, split, limit] = None
        return self.cache[task, split, limit]


def _trim(records: list[PredictionRecord], task: dict[str, Any], limit: Any,
          docs: _Docs) -> list[PredictionRecord] | None:
    """A ``--limit`` run sharing its folder with a longer one: keep the first ``limit`` ids."""
    if not limit:
        return None
    found = docs.ids(str(task.get("name")), str(task.get("split")), int(limit))
    if found is None or found[1] != task.get("data_hash"):
        return None
    wanted = set(found[0][: int(limit)])
    return [r for r in records if r.id in wanted]


def _run_row(run_dir: Path, root: Path, docs: _Docs) -> tuple[dict[str, Any],
                                                               list[PredictionRecord]]:
    row: dict[str, Any] = dict.fromkeys(RUN_COLUMNS)
    row.update(run_key=run_dir.relative_to(root).as_posix(), path=str(run_dir), run_id=run_dir.name)
    store = RunStore(run_dir, report=None)
    try:
        m = store.read_manifest()
        records = list(store.iter_latest(m.cache_key))
    except (ValueError, OSError) as exc:  # pydantic's ValidationError is a ValueError
        row["problem"] = f"unreadable: {str(exc).splitlines()[0][:200]}"
        return row, []
    bad = store.bad_lines
    task, settings = m.task, m.settings
    expected = task.get("n_docs")
    if expected is not None and len(records) > expected:
        records = _trim(records, task, settings.get("limit"), docs) or records
    row.update(
        cache_key=m.cache_key, task=task.get("name"), task_version=str(task.get("version")),
        task_hash=task.get("hash"), data_hash=task.get("data_hash"),
        tags=tuple(task.get("tags") or ()), language=task.get("language"),
        split=task.get("split"), model=m.model.get("name"),
        thinking=bool(settings.get("thinking")), keys=str(settings.get("keys", "all")),
        seed=settings.get("seed"), limit=settings.get("limit"), status=m.status,
        finished_at=m.finished_at or "", mtime_ns=(run_dir / MANIFEST).stat().st_mtime_ns,
        n_docs=len(records),
        ids_hash=_ids_hash(r.id for r in records),
    )
    row["entry"] = entry_id(row["model"], row["thinking"])
    if bad:
        row["problem"] = (
            f"{len(bad)} unreadable line(s) in {PREDICTIONS} ({bad[0].describe()}); the same "
            "`medvie-bench run` quarantines them and re-runs their documents"
        )
    elif m.status != "finished":
        row["problem"] = "not finished" if m.status == "running" else f"not finished ({m.status})"
    elif not (run_dir / METRICS).exists():
        row["problem"] = "no metrics.json"
    elif expected is not None and len(records) != expected:
        row["problem"] = f"{len(records)} records for {expected} documents"
    elif records and not any(r.counts["tp"] + r.counts["fn"] for r in records):
        row["problem"] = "no gold: every document's ground truth is empty (a pre-labelling run)"
    return row, records


def _doc_rows(run_key: str, records: list[PredictionRecord], out: dict[str, list[Any]]) -> None:
    out["run_key"] += [run_key] * len(records)
    out["id"] += [r.id for r in records]
    out["error_kind"] += [r.error_kind for r in records]
    out["conditions"] += [r.conditions for r in records]
    for name, values in doc_rows(records).items():
        out[name] += values


def _field_rows(run_key: str, records: list[PredictionRecord]) -> list[tuple[Any, ...]]:
    sums: dict[str, list[int]] = {}
    for r in records:
        for path, (tp, fp, fn) in r.counts.get("fields", {}).items():
            s = sums.setdefault(path, [0, 0, 0])
            s[0] += tp
            s[1] += fp
            s[2] += fn
    return [(run_key, path, *v) for path, v in sorted(sums.items())]


def _report(row: dict[str, Any], n_quarantined: int) -> None:
    """One stderr line for a run the board leaves out for a problem, or one with quarantined lines."""
    if row["problem"]:
        print(f"leaderboard: skipped {row['run_key']}: {row['problem']}", file=sys.stderr)
    if n_quarantined:
        print(f"leaderboard: {row['run_key']}: {n_quarantined} line(s) kept aside in {QUARANTINE} "
              "(a resume runs their documents again)", file=sys.stderr)


def collect(root: Path, keep_records: int = 0,
            include_paths: Iterable[Path] = ()) -> Collection:
    """All runs under ``root`` as tables; keeps the first ``keep_records`` records of each run.

    ``include_paths`` finds tasks defined outside ``tasks/`` (needed only to trim a ``--limit``
    run that shares its folder with a longer run of the same settings).
    """
    root = Path(root)
    docs = _Docs(include_paths)
    run_rows: list[dict[str, Any]] = []
    columns = doc_columns()
    doc_cols: dict[str, list[Any]] = {c: [] for c in columns}
    field_rows: list[tuple[Any, ...]] = []
    kept: dict[str, dict[str, PredictionRecord]] = {}
    for run_dir in find_runs(root):
        row, records = _run_row(run_dir, root, docs)
        run_rows.append(row)
        _report(row, RunStore(run_dir).n_quarantined())
        key = row["run_key"]
        _doc_rows(key, records, doc_cols)
        field_rows.extend(_field_rows(key, records))
        if keep_records and records:
            first = sorted(records, key=lambda r: r.id)[:keep_records]
            kept[key] = {r.id: r for r in first}
    runs = pd.DataFrame(run_rows, columns=list(RUN_COLUMNS))
    docs = pd.DataFrame(doc_cols, columns=list(columns))
    fields = pd.DataFrame(field_rows, columns=["run_key", "path", "tp", "fp", "fn"])
    return Collection(runs=runs, docs=docs, fields=fields, records=kept)
