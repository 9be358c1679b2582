"""How many documents a score stands on."""

from __future__ import annotations

from benchmark.metrics import CountMetric, register

register(CountMetric("n_docs", "Docs", "higher", (), format="int", position=30))
