"""The metric registry: every module of this package registers its metrics on import.

To add a metric, add a module here that calls :func:`register` (and its test): the board's
columns, ``metrics.json``, the CSV and ``compare --metric`` loop over :func:`registered`.
See :mod:`benchmark.metrics.base` for the kinds (pooled counts, mean, median, count).
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from benchmark.metrics.base import (
    CountMetric,
    MeanMetric,
    MedianMetric,
    Metric,
    PooledMetric,
    Statistic,
    Table,
)

__all__ = [
    "CountMetric", "MeanMetric", "MedianMetric", "Metric", "PooledMetric", "Statistic", "Table",
    "get", "pooled", "register", "registered", "statistics",
]

_REGISTRY: dict[str, Metric] = {}
_LOADED = False
_INTERNAL = {"base", "table"}


def register(metric: Metric) -> Metric:
    """Add ``metric``; a statistic name shared with another metric must be the same statistic."""
    known = statistics(load=False)
    for s in metric.statistics:
        if s.name in known and known[s.name] != s:
            raise ValueError(f"metric {metric.name!r}: statistic {s.name!r} differs from the registered one")
    if metric.name in _REGISTRY and _REGISTRY[metric.name] != metric:
        raise ValueError(f"metric {metric.name!r} is registered twice")
    _REGISTRY[metric.name] = metric
    return metric


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name not in _INTERNAL and not info.name.startswith("_"):
            import_module(f"{__name__}.{info.name}")


def registered() -> tuple[Metric, ...]:
    """Every metric, in board order (``position``, then name)."""
    _load()
    return tuple(sorted(_REGISTRY.values(), key=lambda m: (m.position, m.name)))


def get(name: str) -> Metric:
    _load()
    if name not in _REGISTRY:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(m.name for m in registered())}")
    return _REGISTRY[name]


def pooled(metric: str | PooledMetric) -> PooledMetric:
    """A metric with exact bootstrap CIs and paired tests (F1, precision, recall...), by name."""
    if isinstance(metric, PooledMetric):
        return metric
    _load()
    m = _REGISTRY.get(metric) if isinstance(metric, str) else None
    if not isinstance(m, PooledMetric):
        names = tuple(x.name for x in registered() if isinstance(x, PooledMetric))
        raise ValueError(f"metric must be one of {names}, got {metric!r}")
    return m


def statistics(load: bool = True) -> dict[str, Statistic]:
    """Every per-document statistic of the registered metrics, by name (first use first)."""
    if load:
        _load()
    out: dict[str, Statistic] = {}
    for m in (registered() if load else _REGISTRY.values()):
        for s in m.statistics:
            out.setdefault(s.name, s)
    return out
