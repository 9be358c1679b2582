"""Truncation rate: the share of answers cut at the token limit (``error_kind == "truncated"``: the
model was still writing when ``max_tokens`` ran out, so its JSON is usually incomplete). Such an
answer is scored and is not an API error; this column says how often the limit, not the model's
reading, cost fields."""

from __future__ import annotations

from benchmark.metrics import MeanMetric, Statistic, register
from benchmark.metrics.base import flag

TRUNCATED = Statistic("truncated", lambda r: flag(r.error_kind == "truncated"))

register(MeanMetric("truncated_rate", "Truncated", "lower", (TRUNCATED,), format="percent", position=45))
