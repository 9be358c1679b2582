"""Power: the minimum detectable difference of a paired comparison."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from benchmark.stats.bootstrap import bootstrap_ci
from benchmark.stats.resample import as_counts, check_args, cluster_sums

if TYPE_CHECKING:
    from benchmark.metrics import PooledMetric


@dataclass(frozen=True)
class DetectableDelta:
    """Minimum detectable difference of a paired comparison (see :func:`min_detectable_delta`)."""

    metric: str
    delta: float
    se: float
    se_diff: float
    alpha: float
    power: float
    correlation: float
    method: str
    n_docs: int
    n_units: int


def min_detectable_delta(
    counts: ArrayLike,
    metric: str | PooledMetric = "f1",
    alpha: float = 0.05,
    power: float = 0.8,
    correlation: float = 0.0,
    method: Literal["bootstrap", "delta"] = "bootstrap",
    n_resamples: int = 2_000,
    seed: int | None = 0,
    clusters: ArrayLike | None = None,
) -> DetectableDelta:
    """Smallest true delta that a two-sided level-``alpha`` paired test detects with ``power``.

    Normal approximation: delta = (z_{1-alpha/2} + z_{power}) * SE_diff (the far rejection tail is
    ignored). SE is this model's standard error of the metric on this task: the SD of bootstrap
    replicates (``method="bootstrap"``, honours ``clusters``) or the delta-method (linearised
    ratio) SE sqrt(sum_i (N_i - theta D_i)^2) / sum_i D_i, with N/D the metric's numerator and
    denominator (``PooledMetric.ratio``), e.g. 2tp and 2tp+fp+fn for F1 (``method="delta"``).
    SE_diff = SE * sqrt(2 (1 - correlation)) assumes the other model has the same SE; the default
    correlation 0 (independent errors) gives sqrt(2) * SE, which is conservative because models
    scored on the same documents are usually positively correlated. For a sharper figure pass the
    replicate correlation of a real pair (``PairComparison.correlation``).
    """
    m = check_args(metric, n_resamples, alpha)
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), got {power}")
    if not -1 <= correlation <= 1:
        raise ValueError(f"correlation must be in [-1, 1], got {correlation}")
    c = as_counts(counts, metric=m)
    units = cluster_sums(c, clusters)
    if method == "bootstrap":
        if n_resamples < 2:
            raise ValueError("method='bootstrap' needs n_resamples >= 2")
        se = bootstrap_ci(c, m, n_resamples, alpha, seed, clusters).se
    elif method == "delta":
        se = _delta_method_se(units, m)
    else:
        raise ValueError(f"method must be 'bootstrap' or 'delta', got {method!r}")
    z = NormalDist().inv_cdf
    se_diff = se * float(np.sqrt(2.0 * (1.0 - correlation)))
    return DetectableDelta(
        metric=m.name,
        delta=(z(1 - alpha / 2) + z(power)) * se_diff,
        se=se,
        se_diff=se_diff,
        alpha=alpha,
        power=power,
        correlation=correlation,
        method=method,
        n_docs=c.shape[0],
        n_units=units.shape[0],
    )


def _delta_method_se(units: np.ndarray, metric: PooledMetric) -> float:
    if metric.ratio is None:
        raise ValueError(f"metric {metric.name!r} has no ratio form: use method='bootstrap'")
    num, den = metric.ratio(units)
    total = den.sum()
    if total == 0:
        return 0.0
    theta = num.sum() / total
    return float(np.sqrt(np.sum((num - theta * den) ** 2)) / total)
