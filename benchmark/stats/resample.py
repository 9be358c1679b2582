"""The exact multinomial bootstrap of summed integer statistics, and shared helpers.

One bootstrap resample draws n units (documents, or clusters) with replacement; its totals are
``W @ units`` with W[b] ~ Multinomial(n, 1/n). We get exactly these totals without forming W:
draw the indices with ``Generator.integers`` and sum the gathered rows. To gather once per
resample for all columns, the non-negative integer columns are bit-packed into int64 words (a
field of w bits holds any resampled sum, up to n * column max, so no carry crosses fields).
Resamples are processed in chunks whose size depends only on n, so a result depends only on the
inputs, ``n_resamples`` and ``seed``; the bootstrap functions share one random stream per seed
(a model's CI from ``bootstrap_ci``, ``paired_bootstrap`` and ``compare_all`` agree),
approximate randomization uses another and the bootstrap of a mean a third.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from benchmark.metrics import PooledMetric

CHUNK_ELEMENTS = 1 << 17  # resample x unit elements per chunk (cache-sized; fixed for seeds)
BOOTSTRAP_STREAM, RANDOMIZATION_STREAM, MEAN_STREAM = 0, 1, 7
TIE = 1e-12  # |delta*| >= |delta| - TIE counts as "at least as extreme" (float ties)


def resolve(metric: str | PooledMetric) -> PooledMetric:
    from benchmark.metrics import pooled

    return pooled(metric)


def check_args(metric: str | PooledMetric, n_resamples: int, alpha: float) -> PooledMetric:
    m = resolve(metric)
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return m


def as_counts(counts: ArrayLike, name: str = "counts", metric: PooledMetric | None = None) -> np.ndarray:
    """(n_docs, k) non-negative int64 statistics of ``metric`` (default: the [tp, fp, fn] of F1)."""
    k = len(metric.statistics) if metric is not None else 3
    names = ", ".join(s.name for s in metric.statistics) if metric is not None else "tp, fp, fn"
    arr = np.asarray(counts)
    if arr.ndim != 2 or arr.shape[1] != k:
        raise ValueError(f"{name} must have shape (n_docs, {k}) = [{names}], got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no documents")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be numeric counts, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not (np.isfinite(arr).all() and (arr == np.round(arr)).all()):
        raise ValueError(f"{name} must hold whole numbers")
    out = arr.astype(np.int64)
    if (out < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return out


def as_pair(a: ArrayLike, b: ArrayLike, metric: PooledMetric | None = None) -> tuple[np.ndarray, np.ndarray]:
    ca, cb = as_counts(a, "a", metric), as_counts(b, "b", metric)
    if ca.shape != cb.shape:
        raise ValueError(f"a and b must count the same documents, got {ca.shape[0]} and {cb.shape[0]} rows")
    return ca, cb


def cluster_sums(counts: np.ndarray, clusters: ArrayLike | None) -> np.ndarray:
    if clusters is None:
        return counts
    labels = np.asarray(clusters)
    if labels.shape != (counts.shape[0],):
        raise ValueError(f"clusters must hold one label per document ({counts.shape[0]}), got {labels.shape}")
    _, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.reshape(-1)
    out = np.zeros((int(inverse.max()) + 1, counts.shape[1]), dtype=np.int64)
    np.add.at(out, inverse, counts)
    return out


def rng(seed: int | None, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))


def _pack(units: np.ndarray) -> tuple[list[np.ndarray], list[tuple[int, int, int]]]:
    """Bit-pack columns into int64 words wide enough for any sum of len(units) rows."""
    n = units.shape[0]
    layout: list[tuple[int, int, int]] = []  # per column: (word, shift, width)
    word, used = 0, 0
    for j in range(units.shape[1]):
        width = (n * int(units[:, j].max())).bit_length()
        if width > 63:
            raise ValueError("counts too large to resample exactly in 64-bit integers")
        if used + width > 63:
            word, used = word + 1, 0
        layout.append((word, used, width))
        used += width
    words = [np.zeros(n, dtype=np.int64) for _ in range(word + 1)]
    for j, (w, shift, _) in enumerate(layout):
        words[w] |= units[:, j] << shift
    return words, layout


def resampled_totals(units: np.ndarray, n_resamples: int, generator: np.random.Generator) -> np.ndarray:
    """(n_resamples, n_columns) column totals of bootstrap resamples of the rows of ``units``.

    Equal to W @ units with W[b] ~ Multinomial(n, 1/n), computed by gathering drawn indices.
    """
    n = units.shape[0]
    words, layout = _pack(units)
    sums = np.empty((n_resamples, len(words)), dtype=np.int64)
    rows = max(1, CHUNK_ELEMENTS // n)
    for start in range(0, n_resamples, rows):
        stop = min(start + rows, n_resamples)
        idx = generator.integers(0, n, size=(stop - start, n), dtype=np.intp)
        for w, word in enumerate(words):
            sums[start:stop, w] = np.take(word, idx).sum(axis=1)
    out = np.empty((n_resamples, units.shape[1]), dtype=np.int64)
    for j, (w, shift, width) in enumerate(layout):
        out[:, j] = (sums[:, w] >> shift) & ((1 << width) - 1)
    return out


def percentile(draws: np.ndarray, alpha: float) -> tuple[float, float]:
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def sd(draws: np.ndarray) -> float:
    return float(draws.std(ddof=1)) if draws.size > 1 else 0.0


def corr(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def shifted_null_p(deltas: np.ndarray, delta: float) -> float:
    """Two-sided bootstrap p under the shifted null: (1 + #{|δ*_i − δ| ≥ |δ|}) / (B + 1)."""
    extreme = np.count_nonzero(np.abs(deltas - delta) >= abs(delta) - TIE)
    return (int(extreme) + 1) / (deltas.size + 1)
