"""Statistics for comparing runs: pure, vectorised functions of per-document counts.

A model's run on a task is an integer array ``counts`` of shape (n_docs, 3) = [tp, fp, fn] per
document (see :func:`counts_array`). Every statistic recomputes the micro metric from (resampled)
SUMS of counts, never a mean of per-document scores, with the 0/0 conventions of
:func:`benchmark.scoring.aggregate.prf` (see :func:`micro`).

Resampling. One bootstrap resample draws n units (documents, or clusters) with replacement; its
totals are ``W @ counts`` with W[b] ~ Multinomial(n, 1/n). We get exactly these totals without
forming W: draw the indices with ``Generator.integers`` and sum the gathered rows. To gather once
per resample for all columns, the non-negative integer columns are bit-packed into int64 words
(a field of w bits holds any resampled sum, up to n * column max, so no carry crosses fields).
This is the exact multinomial bootstrap (no Poisson approximation), in integer arithmetic.
Resamples are processed in chunks whose size depends only on n, so a result depends only on the
inputs, ``n_resamples`` and ``seed``; the bootstrap functions share one random stream per seed
(a model's CI from :func:`bootstrap_ci`, :func:`paired_bootstrap` and :func:`compare_all` agree)
and approximate randomization uses another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Comparison",
    "ConfidenceInterval",
    "DetectableDelta",
    "PairComparison",
    "PairedBootstrap",
    "RandomizationTest",
    "approximate_randomization",
    "bootstrap_ci",
    "check_comparable",
    "compare_all",
    "counts_array",
    "holm",
    "micro",
    "min_detectable_delta",
    "paired_bootstrap",
]

Metric = Literal["f1", "precision", "recall"]
_METRICS = ("f1", "precision", "recall")
_CHUNK_ELEMENTS = 1 << 17  # resample x unit elements per chunk (cache-sized; fixed for seeds)
_BOOTSTRAP_STREAM, _RANDOMIZATION_STREAM = 0, 1
_TIE = 1e-12  # |delta*| >= |delta| - _TIE counts as "at least as extreme" (float ties)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ConfidenceInterval:
    """Percentile bootstrap CI of one model's micro metric; ``se`` is the SD of the replicates."""

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
class PairedBootstrap:
    """Paired bootstrap of delta = metric(b) - metric(a) on the same documents."""

    metric: str
    estimate_a: float
    estimate_b: float
    delta: float
    low: float
    high: float
    se: float
    p_value: float
    correlation: float  # between the two models' bootstrap replicates (nan if one is constant)
    alpha: float
    n_resamples: int
    n_docs: int
    n_units: int


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
class PairComparison:
    """One pair in :func:`compare_all`; Holm adjustments are over all pairs of the comparison."""

    model_a: str
    model_b: str
    estimate_a: float
    estimate_b: float
    delta: float  # metric(b) - metric(a)
    low: float
    high: float
    se: float
    correlation: float
    p_bootstrap: float
    p_randomization: float
    p_bootstrap_holm: float
    p_randomization_holm: float


@dataclass(frozen=True)
class Comparison:
    """Per-model CIs and every pair's comparison, from one shared set of bootstrap resamples."""

    metric: str
    models: tuple[str, ...]
    cis: tuple[ConfidenceInterval, ...]
    pairs: tuple[PairComparison, ...]
    alpha: float
    n_resamples: int
    seed: int | None

    def ci(self, name: str) -> ConfidenceInterval:
        return self.cis[self.models.index(name)]

    def pair(self, model_a: str, model_b: str) -> PairComparison:
        for p in self.pairs:
            if (p.model_a, p.model_b) == (model_a, model_b):
                return p
        raise KeyError((model_a, model_b))

    def model_rows(self) -> list[dict[str, Any]]:
        return [{"model": m, **vars(ci)} for m, ci in zip(self.models, self.cis, strict=True)]

    def pair_rows(self) -> list[dict[str, Any]]:
        return [dict(vars(p)) for p in self.pairs]


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


# --------------------------------------------------------------------------- metric


def micro(totals: ArrayLike, metric: Metric = "f1") -> Any:
    """Micro metric of summed counts ``[..., (tp, fp, fn)]``, vectorised over leading axes.

    Pass ``counts.sum(axis=0)`` for a run's score. 0/0 conventions as in ``prf``: precision is 1
    when TP+FP = 0 and FN = 0, else 0; recall is 1 when TP+FN = 0 and FP = 0, else 0; F1 =
    2PR/(P+R), 0 when P+R = 0. Returns a float for one triple, else an array.
    """
    _check_metric(metric)
    t = np.asarray(totals, dtype=np.float64)
    if t.shape[-1:] != (3,):
        raise ValueError(f"totals must have a last axis of 3 = (tp, fp, fn), got shape {t.shape}")
    tp, fp, fn = t[..., 0], t[..., 1], t[..., 2]
    predicted, gold = tp + fp, tp + fn
    p = np.where(fn == 0, 1.0, 0.0)
    np.divide(tp, predicted, out=p, where=predicted > 0)
    if metric == "precision":
        return _out(p)
    r = np.where(fp == 0, 1.0, 0.0)
    np.divide(tp, gold, out=r, where=gold > 0)
    if metric == "recall":
        return _out(r)
    s = p + r
    f = np.zeros_like(s)
    np.divide(2 * p * r, s, out=f, where=s > 0)
    return _out(f)


def counts_array(docs: Iterable[Any]) -> np.ndarray:
    """(n_docs, 3) int64 array of [tp, fp, fn] from objects with ``tp/fp/fn`` (``DocCounts``)."""
    rows = [(d.tp, d.fp, d.fn) for d in docs]
    return np.asarray(rows, dtype=np.int64).reshape(len(rows), 3)


# --------------------------------------------------------------------------- bootstrap


def bootstrap_ci(
    counts: ArrayLike,
    metric: Metric = "f1",
    n_resamples: int = 10_000,
    alpha: float = 0.05,
    seed: int | None = 0,
    clusters: ArrayLike | None = None,
) -> ConfidenceInterval:
    """Percentile bootstrap CI of the micro metric of ``counts`` (n_docs, 3).

    ``clusters`` (one label per document, e.g. template or patient) makes it a cluster bootstrap:
    counts are summed per cluster and whole clusters are resampled.
    """
    _check_args(metric, n_resamples, alpha)
    c = _as_counts(counts)
    units = _cluster_sums(c, clusters)
    totals = _resampled_totals(units, n_resamples, _rng(seed, _BOOTSTRAP_STREAM))
    return _ci(micro(c.sum(axis=0), metric), micro(totals, metric), metric, alpha, c, units)


def paired_bootstrap(
    a: ArrayLike,
    b: ArrayLike,
    metric: Metric = "f1",
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
    _check_args(metric, n_resamples, alpha)
    ca, cb = _as_pair(a, b)
    units = _cluster_sums(np.hstack([ca, cb]), clusters)
    totals = _resampled_totals(units, n_resamples, _rng(seed, _BOOTSTRAP_STREAM))
    ea, eb = micro(ca.sum(axis=0), metric), micro(cb.sum(axis=0), metric)
    da, db = micro(totals[:, :3], metric), micro(totals[:, 3:], metric)
    delta = eb - ea
    low, high = _percentile(db - da, alpha)
    return PairedBootstrap(
        metric=metric,
        estimate_a=ea,
        estimate_b=eb,
        delta=delta,
        low=low,
        high=high,
        se=_sd(db - da),
        p_value=_shifted_null_p(db - da, delta),
        correlation=_corr(da, db),
        alpha=alpha,
        n_resamples=n_resamples,
        n_docs=ca.shape[0],
        n_units=units.shape[0],
    )


# --------------------------------------------------------------------------- randomization


def approximate_randomization(
    a: ArrayLike,
    b: ArrayLike,
    metric: Metric = "f1",
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
    _check_args(metric, n_resamples, 0.05)
    ca, cb = _as_pair(a, b)
    ta, tb = ca.sum(axis=0), cb.sum(axis=0)
    delta = micro(tb, metric) - micro(ta, metric)
    diff = cb - ca
    diff = diff[np.any(diff != 0, axis=1)]
    k = diff.shape[0]
    result = dict(metric=metric, delta=delta, n_resamples=n_resamples, n_docs=ca.shape[0])
    if k == 0:  # every resample reproduces delta = 0
        return RandomizationTest(p_value=1.0, n_swappable=0, **result)
    dtype = np.float32 if int(np.abs(diff).sum()) < 2**24 else np.float64  # exact partial sums
    d = diff.astype(dtype)
    rng = _rng(seed, _RANDOMIZATION_STREAM)
    threshold = abs(delta) - _TIE
    rows, nbytes, extreme = max(1, _CHUNK_ELEMENTS // k), (k + 7) // 8, 0
    for start in range(0, n_resamples, rows):
        size = min(rows, n_resamples - start)
        bits = rng.integers(0, 256, size=(size, nbytes), dtype=np.uint8)
        mask = np.unpackbits(bits, axis=1, count=k)
        shift = np.rint(mask.astype(dtype) @ d).astype(np.int64)
        swapped = micro(tb - shift, metric) - micro(ta + shift, metric)
        extreme += int(np.count_nonzero(np.abs(swapped) >= threshold))
    p = (extreme + 1) / (n_resamples + 1)
    return RandomizationTest(p_value=p, n_swappable=k, **result)


# --------------------------------------------------------------------------- multiple models


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


def compare_all(
    models: Mapping[str, ArrayLike],
    metric: Metric = "f1",
    n_resamples: int = 10_000,
    alpha: float = 0.05,
    seed: int | None = 0,
    clusters: ArrayLike | None = None,
    randomization: bool = True,
) -> Comparison:
    """Per-model CIs and, for every pair (a, b) in insertion order, delta = metric(b) - metric(a).

    ``randomization=False`` skips the approximate randomization tests (their p-values are NaN),
    which are most of the cost for many models when only the bootstrap p-values are shown.

    One set of bootstrap resamples serves every model and pair, so each CI and pair equals
    :func:`bootstrap_ci` / :func:`paired_bootstrap` with the same seed, and each randomization
    p equals :func:`approximate_randomization` with the same seed. Holm adjusts the bootstrap and
    randomization p-values separately over all pairs. All runs must be on the same documents in
    the same order (see :func:`check_comparable`).
    """
    _check_args(metric, n_resamples, alpha)
    names = tuple(models)
    if not names:
        raise ValueError("no models to compare")
    arrays = [_as_counts(models[name], f"models[{name!r}]") for name in names]
    n_docs = {x.shape[0] for x in arrays}
    if len(n_docs) > 1:
        sizes = {name: x.shape[0] for name, x in zip(names, arrays, strict=True)}
        raise ValueError(f"models were scored on different numbers of documents: {sizes}")
    units = _cluster_sums(np.hstack(arrays), clusters)
    totals = _resampled_totals(units, n_resamples, _rng(seed, _BOOTSTRAP_STREAM))
    draws = [micro(totals[:, 3 * i : 3 * i + 3], metric) for i in range(len(names))]
    estimates = [micro(x.sum(axis=0), metric) for x in arrays]
    cis = tuple(_ci(e, d, metric, alpha, x, units) for e, d, x in zip(estimates, draws, arrays, strict=True))
    raw = []
    for i, j in combinations(range(len(names)), 2):
        deltas = draws[j] - draws[i]
        delta = estimates[j] - estimates[i]
        p_ar = (
            approximate_randomization(arrays[i], arrays[j], metric, n_resamples, seed).p_value
            if randomization
            else float("nan")
        )
        raw.append((i, j, delta, deltas, _shifted_null_p(deltas, delta), p_ar))
    holm_boot = holm([r[4] for r in raw])
    holm_ar = holm([r[5] for r in raw]) if randomization else [float("nan")] * len(raw)
    pairs = []
    for (i, j, delta, deltas, p_boot, p_ar), hb, ha in zip(raw, holm_boot, holm_ar, strict=True):
        low, high = _percentile(deltas, alpha)
        pairs.append(
            PairComparison(
                model_a=names[i],
                model_b=names[j],
                estimate_a=estimates[i],
                estimate_b=estimates[j],
                delta=delta,
                low=low,
                high=high,
                se=_sd(deltas),
                correlation=_corr(draws[i], draws[j]),
                p_bootstrap=p_boot,
                p_randomization=p_ar,
                p_bootstrap_holm=float(hb),
                p_randomization_holm=float(ha),
            )
        )
    return Comparison(metric, names, cis, tuple(pairs), alpha, n_resamples, seed)


# --------------------------------------------------------------------------- power


def min_detectable_delta(
    counts: ArrayLike,
    metric: Metric = "f1",
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
    ignored). SE is this model's standard error of the micro metric on this task: the SD of
    bootstrap replicates (``method="bootstrap"``, honours ``clusters``) or the delta-method
    (linearised ratio) SE sqrt(sum_i (N_i - theta D_i)^2) / sum_i D_i, with N/D the metric's
    numerator/denominator counts, e.g. 2tp and 2tp+fp+fn for F1 (``method="delta"``).
    SE_diff = SE * sqrt(2 (1 - correlation)) assumes the other model has the same SE; the default
    correlation 0 (independent errors) gives sqrt(2) * SE, which is conservative because models
    scored on the same documents are usually positively correlated. For a sharper figure pass the
    replicate correlation of a real pair (``PairComparison.correlation``).
    """
    _check_args(metric, n_resamples, alpha)
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), got {power}")
    if not -1 <= correlation <= 1:
        raise ValueError(f"correlation must be in [-1, 1], got {correlation}")
    c = _as_counts(counts)
    units = _cluster_sums(c, clusters)
    if method == "bootstrap":
        if n_resamples < 2:
            raise ValueError("method='bootstrap' needs n_resamples >= 2")
        se = bootstrap_ci(c, metric, n_resamples, alpha, seed, clusters).se
    elif method == "delta":
        se = _delta_method_se(units, metric)
    else:
        raise ValueError(f"method must be 'bootstrap' or 'delta', got {method!r}")
    z = NormalDist().inv_cdf
    se_diff = se * float(np.sqrt(2.0 * (1.0 - correlation)))
    return DetectableDelta(
        metric=metric,
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


# --------------------------------------------------------------------------- comparability


def format_p(p: float, *, named: bool = False) -> str:
    """A p-value for tables: three decimals, or ``<0.001`` (a bootstrap p of 0 only means
    "below 1/resamples"); ``named`` gives ``p=0.012`` / ``p<0.001``."""
    text = "<0.001" if p < 0.001 else f"{p:.3f}"
    return ("p" if text.startswith("<") else "p=") + text if named else text


def check_comparable(ids_a: Sequence[Any], ids_b: Sequence[Any], version_a: Any, version_b: Any) -> None:
    """Refuse (``ValueError``) to compare runs on different task versions or documents.

    The paired statistics need the same documents in the same order; this says which differ.
    """
    if version_a != version_b:
        raise ValueError(
            f"task versions differ ({version_a!r} vs {version_b!r}): "
            "runs on different task versions are not comparable; re-run on one version"
        )
    for name, ids in (("a", ids_a), ("b", ids_b)):
        seen: set[Any] = set()
        dups = []
        for x in ids:
            if x in seen:
                dups.append(x)
            seen.add(x)
        if dups:
            raise ValueError(f"document ids of run {name} repeat: {_preview(dups)}")
    if list(ids_a) == list(ids_b):
        return
    set_a, set_b = set(ids_a), set(ids_b)
    only_a = [x for x in ids_a if x not in set_b]
    only_b = [x for x in ids_b if x not in set_a]
    if only_a or only_b:
        raise ValueError(
            f"document ids differ ({len(ids_a)} vs {len(ids_b)} documents; "
            f"{len(only_a)} only in a: {_preview(only_a)}; "
            f"{len(only_b)} only in b: {_preview(only_b)}): runs are not comparable"
        )
    raise ValueError("same documents in a different order: align both runs' counts by document id first")


# --------------------------------------------------------------------------- internals


def _out(x: np.ndarray) -> Any:
    return float(x) if x.ndim == 0 else x


def _check_metric(metric: str) -> None:
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {_METRICS}, got {metric!r}")


def _check_args(metric: str, n_resamples: int, alpha: float) -> None:
    _check_metric(metric)
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")


def _as_counts(counts: ArrayLike, name: str = "counts") -> np.ndarray:
    arr = np.asarray(counts)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"{name} must have shape (n_docs, 3) = [tp, fp, fn], got {arr.shape}")
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


def _as_pair(a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    ca, cb = _as_counts(a, "a"), _as_counts(b, "b")
    if ca.shape != cb.shape:
        raise ValueError(f"a and b must count the same documents, got {ca.shape[0]} and {cb.shape[0]} rows")
    return ca, cb


def _cluster_sums(counts: np.ndarray, clusters: ArrayLike | None) -> np.ndarray:
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


def _preview(items: Sequence[Any], k: int = 5) -> str:
    shown = ", ".join(repr(x) for x in items[:k])
    return f"[{shown}{', ...' if len(items) > k else ''}]"


def _rng(seed: int | None, stream: int) -> np.random.Generator:
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


def _resampled_totals(units: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, n_columns) column totals of bootstrap resamples of the rows of ``units``.

    Equal to W @ units with W[b] ~ Multinomial(n, 1/n), computed by gathering drawn indices.
    """
    n = units.shape[0]
    words, layout = _pack(units)
    sums = np.empty((n_resamples, len(words)), dtype=np.int64)
    rows = max(1, _CHUNK_ELEMENTS // n)
    for start in range(0, n_resamples, rows):
        stop = min(start + rows, n_resamples)
        idx = rng.integers(0, n, size=(stop - start, n), dtype=np.intp)
        for w, word in enumerate(words):
            sums[start:stop, w] = np.take(word, idx).sum(axis=1)
    out = np.empty((n_resamples, units.shape[1]), dtype=np.int64)
    for j, (w, shift, width) in enumerate(layout):
        out[:, j] = (sums[:, w] >> shift) & ((1 << width) - 1)
    return out


def _percentile(draws: np.ndarray, alpha: float) -> tuple[float, float]:
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _sd(draws: np.ndarray) -> float:
    return float(draws.std(ddof=1)) if draws.size > 1 else 0.0


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _shifted_null_p(deltas: np.ndarray, delta: float) -> float:
    extreme = np.count_nonzero(np.abs(deltas - delta) >= abs(delta) - _TIE)
    return (int(extreme) + 1) / (deltas.size + 1)


def _ci(
    estimate: float,
    draws: np.ndarray,
    metric: str,
    alpha: float,
    counts: np.ndarray,
    units: np.ndarray,
) -> ConfidenceInterval:
    low, high = _percentile(draws, alpha)
    return ConfidenceInterval(
        metric=metric,
        estimate=estimate,
        low=low,
        high=high,
        se=_sd(draws),
        alpha=alpha,
        n_resamples=draws.size,
        n_docs=counts.shape[0],
        n_units=units.shape[0],
    )


def _delta_method_se(units: np.ndarray, metric: str) -> float:
    tp, fp, fn = (units[:, k].astype(np.float64) for k in range(3))
    num, den = {
        "f1": (2 * tp, 2 * tp + fp + fn),
        "precision": (tp, tp + fp),
        "recall": (tp, tp + fn),
    }[metric]
    total = den.sum()
    if total == 0:
        return 0.0
    theta = num.sum() / total
    return float(np.sqrt(np.sum((num - theta * den) ** 2)) / total)
