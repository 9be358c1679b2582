"""The one aggregation path: records → a statistics table → every registered metric.

``metrics.json`` (:func:`benchmark.evaluation.run_metrics`) and the leaderboard's cells
(:mod:`leaderboard.build`) both call :func:`scores` / :func:`cells` on tables made by
:func:`doc_table`, so a run's file and its board row agree by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmark.metrics import MeanMetric, Metric, PooledMetric, Table, registered, statistics
from benchmark.stats import ConfidenceInterval, bootstrap_ci, bootstrap_mean_ci

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.records import PredictionRecord
    from benchmark.tasks.spec import TaskSpec


def doc_rows(records: Iterable[PredictionRecord]) -> dict[str, list[float]]:
    """Every registered statistic of every record, as lists (one value per record)."""
    stats = statistics()
    out: dict[str, list[float]] = {name: [] for name in stats}
    for rec in records:
        for name, s in stats.items():
            out[name].append(s.value(rec))
    return out


def doc_table(records: Sequence[PredictionRecord]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=np.float64) for k, v in doc_rows(records).items()}


def concat(tables: Sequence[Table]) -> dict[str, np.ndarray]:
    """The documents of several tables in one (a scope pooling several tasks)."""
    return {k: np.concatenate([np.asarray(t[k], dtype=np.float64) for t in tables]) for k in tables[0]}


def scores(table: Table) -> dict[str, Any]:
    """Every registered metric's score (None where it has no document to stand on)."""
    return {m.name: m.score(table) for m in registered()}


def interval(metric: Metric, table: Table, n_resamples: int, alpha: float,
             seed: int | None) -> ConfidenceInterval | None:
    """A metric's bootstrap CI: exact, from resampled sums, for a pooled metric; over the
    documents that have the value for a mean with ``with_ci``; None otherwise or without data."""
    if isinstance(metric, PooledMetric):
        c = metric.counts(table)
        return bootstrap_ci(c, metric, n_resamples, alpha, seed) if len(c) else None
    if isinstance(metric, MeanMetric) and metric.with_ci:
        return bootstrap_mean_ci(metric.values(table), metric.name, n_resamples, alpha, seed)
    return None


def cells(table: Table, n_resamples: int, alpha: float, seed: int | None) -> dict[str, Any]:
    """The board's cell: ``[estimate, low, high]`` for metrics with a CI, else the score."""
    out: dict[str, Any] = {}
    for m in registered():
        if m.ci:
            ci = interval(m, table, n_resamples, alpha, seed)
            out[m.name] = None if ci is None else [ci.estimate, ci.low, ci.high]
        else:
            out[m.name] = m.score(table)
    return out


def measure(task: TaskSpec, doc: Document, rec: PredictionRecord) -> dict[str, float] | None:
    """Statistics measured while scoring (``Statistic.measure``), for ``PredictionRecord.stats``."""
    out = {}
    for name, s in statistics().items():
        if s.measure is not None:
            v = s.measure(task, doc, rec)
            if v is not None:
                out[name] = float(v)
    return out or None
