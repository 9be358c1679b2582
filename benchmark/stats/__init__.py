"""Statistics for comparing runs: pure, vectorised functions of per-document statistics.

A model's run on a task is an integer array ``counts`` of shape (n_docs, k): the statistics of a
pooled metric (:class:`benchmark.metrics.PooledMetric`; [tp, fp, fn] for F1, precision and
recall). Every statistic recomputes the metric from (resampled) SUMS, never a mean of per-document
scores. Modules: ``resample`` (the exact multinomial bootstrap), ``bootstrap`` (CIs),
``significance`` (randomization test, Holm, unpaired difference), ``power`` (minimum detectable
delta) and ``compare`` (the comparison API: named pair records). A new test goes in
``significance`` and, to be shown, a field of :class:`PairComparison`.
"""

from __future__ import annotations

from benchmark.stats.bootstrap import (
    ConfidenceInterval,
    Difference,
    PairedBootstrap,
    bootstrap_ci,
    bootstrap_mean_ci,
    counts_array,
    micro,
    paired_bootstrap,
)
from benchmark.stats.compare import (
    Comparison,
    PairComparison,
    check_comparable,
    compare_all,
    compare_pairs,
    format_p,
)
from benchmark.stats.power import DetectableDelta, min_detectable_delta
from benchmark.stats.significance import (
    RandomizationTest,
    UnpairedDifference,
    approximate_randomization,
    holm,
    unpaired_difference,
)

__all__ = [
    "Comparison",
    "ConfidenceInterval",
    "DetectableDelta",
    "Difference",
    "PairComparison",
    "PairedBootstrap",
    "RandomizationTest",
    "UnpairedDifference",
    "approximate_randomization",
    "bootstrap_ci",
    "bootstrap_mean_ci",
    "check_comparable",
    "compare_all",
    "compare_pairs",
    "counts_array",
    "format_p",
    "holm",
    "micro",
    "min_detectable_delta",
    "paired_bootstrap",
    "unpaired_difference",
]
