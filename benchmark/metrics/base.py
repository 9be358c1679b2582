"""A metric is one object: the per-document statistics it needs, and its score from them.

As in sacrebleu, a metric is computed from sufficient statistics: every document contributes one
number per :class:`Statistic` (read from its :class:`~benchmark.records.PredictionRecord`), a run
or a pooled scope is a table ``{statistic name: array of one value per document}``, and the score
is a function of that table. A :class:`PooledMetric` scores the column SUMS (micro F1 from summed
TP/FP/FN), so bootstrap resamples and paired tests only need resampled sums
(:mod:`benchmark.stats`). NaN in a column means "not measured for this document".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.records import PredictionRecord
    from benchmark.tasks.spec import TaskSpec

Direction = Literal["higher", "lower"]
Format = Literal["score", "percent", "int", "seconds", "money"]
Table = Mapping[str, np.ndarray]  # statistic name -> one value per document
NAN = float("nan")


@dataclass(frozen=True)
class Statistic:
    """One number per document. ``of_record`` reads it from a record (NaN: not measured).

    ``measure`` (optional) computes it while a document is scored; the record then carries it in
    ``PredictionRecord.stats`` and the default ``of_record`` reads it from there, so records made
    before the statistic existed give NaN instead of failing to load."""

    name: str
    of_record: Callable[[PredictionRecord], float] | None = None
    measure: Callable[[TaskSpec, Document, PredictionRecord], float | None] | None = None

    def value(self, rec: PredictionRecord) -> float:
        if self.of_record is not None:
            return float(self.of_record(rec))
        v = (rec.stats or {}).get(self.name)
        return NAN if v is None else float(v)


@dataclass(frozen=True)
class Metric:
    """A board column and a ``metrics.json`` entry. ``position`` orders the columns."""

    name: str
    label: str
    direction: Direction
    statistics: tuple[Statistic, ...]
    format: Format = "score"
    position: float = 100.0

    @property
    def ci(self) -> bool:
        """Whether score cells carry a bootstrap CI ``[estimate, low, high]``."""
        return False

    def columns(self, table: Table) -> np.ndarray:
        """(n_docs, k) float matrix of this metric's statistics."""
        cols = [np.asarray(table[s.name], dtype=np.float64) for s in self.statistics]
        n = len(cols[0]) if cols else 0
        return np.column_stack(cols) if cols else np.empty((n, 0))

    def score(self, table: Table) -> float | int | None:
        raise NotImplementedError

    def display(self) -> dict[str, Any]:
        return {"label": self.label, "direction": self.direction, "format": self.format}


@dataclass(frozen=True)
class PooledMetric(Metric):
    """Score = ``pool`` of the summed (non-negative integer) statistics; exact bootstrap CIs and
    paired tests through :mod:`benchmark.stats`. ``pool`` is vectorised over leading axes."""

    pool: Callable[[np.ndarray], Any] = lambda totals: NAN
    ratio: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None  # (numerator, denominator) per
    # unit, for the delta-method SE of :func:`benchmark.stats.min_detectable_delta`

    @property
    def ci(self) -> bool:
        return True

    def counts(self, table: Table) -> np.ndarray:
        return self.columns(table).astype(np.int64)

    def score(self, table: Table) -> float | None:
        c = self.counts(table)
        return float(self.pool(c.sum(axis=0)))


@dataclass(frozen=True)
class MeanMetric(Metric):
    """Mean of the documents' first statistic over those where it is measured (and, with a second
    ``mask`` statistic, where that is 0), times ``scale``; None when no document has it."""

    scale: float = 1.0
    with_ci: bool = False

    @property
    def ci(self) -> bool:
        return self.with_ci

    def values(self, table: Table) -> np.ndarray:
        m = self.columns(table)
        v = m[:, 0]
        keep = np.isfinite(v)
        if m.shape[1] > 1:
            keep &= m[:, 1] == 0
        return v[keep]

    def score(self, table: Table) -> float | None:
        v = self.values(table)
        return float(v.mean()) * self.scale if v.size else None


@dataclass(frozen=True)
class MedianMetric(MeanMetric):
    """Median instead of mean (same masking as :class:`MeanMetric`)."""

    def score(self, table: Table) -> float | None:
        v = self.values(table)
        return float(np.median(v)) * self.scale if v.size else None


@dataclass(frozen=True)
class CountMetric(Metric):
    """How many documents the table holds."""

    def score(self, table: Table) -> int:
        return len(next(iter(table.values()))) if table else 0


def flag(x: bool) -> float:
    return 1.0 if x else 0.0


def maybe(x: float | None) -> float:
    return NAN if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
