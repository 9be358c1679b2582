"""API cost per 1,000 documents."""

from __future__ import annotations

from benchmark.metrics import MeanMetric, Statistic, register

COST = Statistic("cost_usd", lambda r: r.cost_usd)

register(MeanMetric("cost_per_1k", "$ / 1k docs", "lower", (COST,), format="money", position=80, scale=1000.0))
