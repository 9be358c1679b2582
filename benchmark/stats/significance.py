"""Significance: approximate randomization, Holm's step-down adjustment, and the normal
approximation of an unpaired difference (two estimates on different documents)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from benchmark.stats.bootstrap import Difference
from benchmark.stats.resample import CHUNK_ELEMENTS, RANDOMIZATION_STREAM, TIE, as_pair, check_args, rng

if TYPE_CHECKING:
    from benchmark.metrics import PooledMetric


@dataclass(frozen=True)
class RandomizationTest:
    """Approximate randomization (paired permutation) test of delta = metric(b) - metric(a)."""

    metric: str
    delta: float
    p_value: float
    n_resamples: int
    n_docs: int
    n_swappable: int  # documents whose counts differ between the two models


@dataclass(frozen=True)
class UnpairedDifference(Difference):
    """delta = b - a of two estimates from different documents, with a normal-approximation CI
    from their standard errors (independent samples)."""

    alpha: float


def approximate_randomization(
    a: ArrayLike,
    b: ArrayLike,
    metric: str | PooledMetric = "f1",
    n_resamples: int = 10_000,
    seed: int | None = 0,
) -> RandomizationTest:
    """Approximate randomization test of delta = metric(b) - metric(a) (two-sided).

    Each resample swaps every document's counts between the models with probability 1/2, so the
    totals become sum(A) + m @ (B - A) and sum(B) - m @ (B - A) for a {0,1} mask m (a matrix
    product; documents with equal counts are skipped, swapping them changes nothing).
    p = (1 + #{|delta*| >= |delta|}) / (n_resamples + 1), valid when, under the null, the two
    models' counts on each document are exchangeable. Identical models give p = 1.
    """
    m = check_args(metric, n_resamples, 0.05)
    ca, cb = as_pair(a, b, m)
    ta, tb = ca.sum(axis=0), cb.sum(axis=0)
    delta = m.pool(tb) - m.pool(ta)
    diff = cb - ca
    diff = diff[np.any(diff != 0, axis=1)]
    k = diff.shape[0]
    result = dict(metric=m.name, delta=delta, n_resamples=n_resamples, n_docs=ca.shape[0])
    if k == 0:  # every resample reproduces delta = 0
        return RandomizationTest(p_value=1.0, n_swappable=0, **result)
    dtype = np.float32 if int(np.abs(diff).sum()) < 2**24 else np.float64  # exact partial sums
    d = diff.astype(dtype)
    generator = rng(seed, RANDOMIZATION_STREAM)
    threshold = abs(delta) - TIE
    rows, nbytes, extreme = max(1, CHUNK_ELEMENTS // k), (k + 7) // 8, 0
    for start in range(0, n_resamples, rows):
        size = min(rows, n_resamples - start)
        bits = generator.integers(0, 256, size=(size, nbytes), dtype=np.uint8)
        mask = np.unpackbits(bits, axis=1, count=k)
        shift = np.rint(mask.astype(dtype) @ d).astype(np.int64)
        swapped = m.pool(tb - shift) - m.pool(ta + shift)
        extreme += int(np.count_nonzero(np.abs(swapped) >= threshold))
    p = (extreme + 1) / (n_resamples + 1)
    return RandomizationTest(p_value=p, n_swappable=k, **result)


def holm(pvalues: ArrayLike) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values: step-down max_{j<=i} (m-j+1) p_(j), capped at 1.

    Returned in the input order; reject H_i at level alpha iff adjusted p_i <= alpha.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"pvalues must be one-dimensional, got shape {p.shape}")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("pvalues must lie in [0, 1]")
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def unpaired_difference(estimate_a: float, se_a: float, estimate_b: float, se_b: float,
                        alpha: float = 0.05) -> UnpairedDifference:
    """b - a with the CI delta ± z_{1-alpha/2} * sqrt(se_a² + se_b²)."""
    z = NormalDist().inv_cdf(1 - alpha / 2)
    se = float(np.hypot(se_a, se_b))
    delta = estimate_b - estimate_a
    return UnpairedDifference(estimate_a=estimate_a, estimate_b=estimate_b, delta=delta, low=delta - z * se,
                              high=delta + z * se, se=se, alpha=alpha)
