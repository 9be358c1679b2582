"""The comparison API: per-model CIs and paired tests with Holm adjustment, as named records.

:func:`compare_all` compares every pair of models scored on the same documents (``compare``, the
board's scopes and conditions); :func:`compare_pairs` compares given pairs, each on its own
documents (the board's ablations, ``rlvr compare``). Both return :class:`PairComparison` records;
the board writes :meth:`PairComparison.summary`, read by name in ``app.js``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from benchmark.stats.bootstrap import ConfidenceInterval, Difference, make_ci, paired_bootstrap
from benchmark.stats.resample import (
    BOOTSTRAP_STREAM,
    as_counts,
    check_args,
    cluster_sums,
    corr,
    percentile,
    resampled_totals,
    rng,
    sd,
    shifted_null_p,
)
from benchmark.stats.significance import approximate_randomization, holm

if TYPE_CHECKING:
    from benchmark.metrics import PooledMetric

NAN = float("nan")


@dataclass(frozen=True)
class PairComparison(Difference):
    """One pair: delta = metric(b) - metric(a); Holm adjustments are over the call's pairs."""

    model_a: str
    model_b: str
    correlation: float
    p_bootstrap: float
    p_randomization: float
    p_bootstrap_holm: float
    p_randomization_holm: float
    metric: str = "f1"
    n_docs: int = 0

    def summary(self) -> dict[str, Any]:
        """What the board stores per pair (read by name in ``app.js``)."""
        return {"model_a": self.model_a, "model_b": self.model_b, "delta": self.delta, "low": self.low,
                "high": self.high, "p_bootstrap": self.p_bootstrap, "p_bootstrap_holm": self.p_bootstrap_holm}


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


def _holm_pairs(raw: list[dict[str, Any]], randomization: bool) -> tuple[PairComparison, ...]:
    holm_boot = holm([r["p_bootstrap"] for r in raw]) if raw else []
    holm_ar = holm([r["p_randomization"] for r in raw]) if raw and randomization else [NAN] * len(raw)
    return tuple(PairComparison(**r, p_bootstrap_holm=float(hb), p_randomization_holm=float(ha))
                 for r, hb, ha in zip(raw, holm_boot, holm_ar, strict=True))


def compare_all(
    models: Mapping[str, ArrayLike],
    metric: str | PooledMetric = "f1",
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
    m = check_args(metric, n_resamples, alpha)
    names = tuple(models)
    if not names:
        raise ValueError("no models to compare")
    arrays = [as_counts(models[name], f"models[{name!r}]", m) for name in names]
    n_docs = {x.shape[0] for x in arrays}
    if len(n_docs) > 1:
        sizes = {name: x.shape[0] for name, x in zip(names, arrays, strict=True)}
        raise ValueError(f"models were scored on different numbers of documents: {sizes}")
    k = arrays[0].shape[1]
    units = cluster_sums(np.hstack(arrays), clusters)
    totals = resampled_totals(units, n_resamples, rng(seed, BOOTSTRAP_STREAM))
    draws = [m.pool(totals[:, k * i : k * i + k]) for i in range(len(names))]
    estimates = [m.pool(x.sum(axis=0)) for x in arrays]
    cis = tuple(make_ci(e, d, m.name, alpha, x.shape[0], units.shape[0])
                for e, d, x in zip(estimates, draws, arrays, strict=True))
    raw = []
    for i, j in combinations(range(len(names)), 2):
        deltas = draws[j] - draws[i]
        delta = estimates[j] - estimates[i]
        low, high = percentile(deltas, alpha)
        p_ar = (approximate_randomization(arrays[i], arrays[j], m, n_resamples, seed).p_value
                if randomization else NAN)
        raw.append(dict(model_a=names[i], model_b=names[j], estimate_a=estimates[i], estimate_b=estimates[j],
                        delta=delta, low=low, high=high, se=sd(deltas), correlation=corr(draws[i], draws[j]),
                        p_bootstrap=shifted_null_p(deltas, delta), p_randomization=p_ar, metric=m.name,
                        n_docs=arrays[0].shape[0]))
    return Comparison(m.name, names, cis, _holm_pairs(raw, randomization), alpha, n_resamples, seed)


def compare_pairs(
    pairs: Sequence[tuple[str, ArrayLike, str, ArrayLike]],
    metric: str | PooledMetric = "f1",
    n_resamples: int = 10_000,
    alpha: float = 0.05,
    seed: int | None = 0,
    randomization: bool = False,
) -> tuple[PairComparison, ...]:
    """``(name_a, counts_a, name_b, counts_b)`` pairs, each on its own documents (the two arrays of
    a pair on the same documents in the same order): a paired bootstrap per pair, Holm over all."""
    m = check_args(metric, n_resamples, alpha)
    raw = []
    for name_a, a, name_b, b in pairs:
        pb = paired_bootstrap(a, b, m, n_resamples, alpha, seed)
        p_ar = approximate_randomization(a, b, m, n_resamples, seed).p_value if randomization else NAN
        raw.append(dict(model_a=name_a, model_b=name_b, estimate_a=pb.estimate_a, estimate_b=pb.estimate_b,
                        delta=pb.delta, low=pb.low, high=pb.high, se=pb.se, correlation=pb.correlation,
                        p_bootstrap=pb.p_value, p_randomization=p_ar, metric=m.name, n_docs=pb.n_docs))
    return _holm_pairs(raw, randomization)


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


def _preview(items: Sequence[Any], k: int = 5) -> str:
    shown = ", ".join(repr(x) for x in items[:k])
    return f"[{shown}{', ...' if len(items) > k else ''}]"
