"""Percentile bootstrap CIs: of a pooled metric (exact, from resampled sums), of a paired
difference, and of a plain mean over documents (TED accuracy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from benchmark.stats.resample import (
    BOOTSTRAP_STREAM,
    MEAN_STREAM,
    as_counts,
    as_pair,
    check_args,
    cluster_sums,
    corr,
    percentile,
    resampled_totals,
    resolve,
    rng,
    sd,
    shifted_null_p,
)

if TYPE_CHECKING:
    from benchmark.metrics import PooledMetric

MetricName = str  # a registered pooled metric: "f1", "precision", "recall", ...


@dataclass(frozen=True)
class ConfidenceInterval:
    """Percentile bootstrap CI of one model's metric; ``se`` is the SD of the replicates."""

    metric: str
    estimate: float
    low: float
    high: float
    se: float
    alpha: float
    n_resamples: int
    n_docs: int
    n_units: int  # resampled units: n_docs, or the number of clusters


@dataclass(frozen=True)
class Difference:
    """delta = b - a of two estimates, with its CI [low, high] and standard error."""

    estimate_a: float
    estimate_b: float
    delta: float
    low: float
    high: float
    se: float


@dataclass(frozen=True)
class PairedBootstrap(Difference):
    """Paired bootstrap of delta = metric(b) - metric(a) on the same documents."""

    metric: str
    p_value: float
    correlation: float  # between the two models' bootstrap replicates (nan if one is constant)
    alpha: float
    n_resamples: int
    n_docs: int
    n_units: int


def micro(totals: ArrayLike, metric: MetricName | PooledMetric = "f1") -> Any:
    """A pooled metric of summed statistics ``[..., k]``, vectorised over leading axes (a float
    for one row). Pass ``counts.sum(axis=0)`` for a run's score."""
    return resolve(metric).pool(totals)


def counts_array(docs: Iterable[Any]) -> np.ndarray:
    """(n_docs, 3) int64 array of [tp, fp, fn] from objects with ``tp/fp/fn`` (``DocCounts``)."""
    rows = [(d.tp, d.fp, d.fn) for d in docs]
    return np.asarray(rows, dtype=np.int64).reshape(len(rows), 3)


def make_ci(estimate: float, draws: np.ndarray, metric: str, alpha: float, n_docs: int,
            n_units: int) -> ConfidenceInterval:
    low, high = percentile(draws, alpha)
    return ConfidenceInterval(metric=metric, estimate=estimate, low=low, high=high, se=sd(draws), alpha=alpha,
                              n_resamples=draws.size, n_docs=n_docs, n_units=n_units)


def bootstrap_ci(
    counts: ArrayLike,
    metric: MetricName | PooledMetric = "f1",
    n_resamples: int = 10_000,
    alpha: float = 0.05,
    seed: int | None = 0,
    clusters: ArrayLike | None = None,
) -> ConfidenceInterval:
    """Percentile bootstrap CI of the pooled metric of ``counts`` (n_docs, k).

    ``clusters`` (one label per document, e.g. template or patient) makes it a cluster bootstrap:
    counts are summed per cluster and whole clusters are resampled.
    """
    m = check_args(metric, n_resamples, alpha)
    c = as_counts(counts, metric=m)
    units = cluster_sums(c, clusters)
    totals = resampled_totals(units, n_resamples, rng(seed, BOOTSTRAP_STREAM))
    return make_ci(m.pool(c.sum(axis=0)), m.pool(totals), m.name, alpha, c.shape[0], units.shape[0])


def paired_bootstrap(
    a: ArrayLike,
    b: ArrayLike,
    metric: MetricName | PooledMetric = "f1",
    n_resamples: int = 10_000,
    alpha: float = 0.05,
    seed: int | None = 0,
    clusters: ArrayLike | None = None,
) -> PairedBootstrap:
    """Paired bootstrap of delta = metric(b) - metric(a), two models on the same documents.

    Both models' totals come from the same resampled documents (or clusters). CI: percentile.
    p-value (two-sided, shifted null): the replicates minus the estimate approximate the null
    distribution of delta, so p = (1 + #{|delta*_i - delta| >= |delta|}) / (n_resamples + 1).
    Identical models give delta = 0 and p = 1.
    """
    m = check_args(metric, n_resamples, alpha)
    ca, cb = as_pair(a, b, m)
    k = ca.shape[1]
    units = cluster_sums(np.hstack([ca, cb]), clusters)
    totals = resampled_totals(units, n_resamples, rng(seed, BOOTSTRAP_STREAM))
    ea, eb = m.pool(ca.sum(axis=0)), m.pool(cb.sum(axis=0))
    da, db = m.pool(totals[:, :k]), m.pool(totals[:, k:])
    delta = eb - ea
    low, high = percentile(db - da, alpha)
    return PairedBootstrap(
        metric=m.name,
        estimate_a=ea,
        estimate_b=eb,
        delta=delta,
        low=low,
        high=high,
        se=sd(db - da),
        p_value=shifted_null_p(db - da, delta),
        correlation=corr(da, db),
        alpha=alpha,
        n_resamples=n_resamples,
        n_docs=ca.shape[0],
        n_units=units.shape[0],
    )


def bootstrap_mean_ci(values: ArrayLike, metric: str = "mean", n_resamples: int = 1000, alpha: float = 0.05,
                      seed: int | None = 0) -> ConfidenceInterval | None:
    """Mean with a percentile bootstrap CI over the finite values (None when there is none)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not v.size:
        return None
    generator = rng(seed, MEAN_STREAM)
    means = np.empty(n_resamples)
    rows = max(1, (1 << 21) // v.size)
    for start in range(0, n_resamples, rows):
        idx = generator.integers(0, v.size, (min(rows, n_resamples - start), v.size))
        means[start : start + len(idx)] = v[idx].mean(axis=1)
    return make_ci(float(v.mean()), means, metric, alpha, v.size, v.size)
