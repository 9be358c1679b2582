"""Error rates. "API error" has this one definition: the document got no answer from the model
(any ``error_kind`` but ``truncated``; a truncated answer is the model's, and is scored)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmark.metrics import MeanMetric, Statistic, register
from benchmark.metrics.base import flag

if TYPE_CHECKING:
    from benchmark.records import PredictionRecord


def is_api_error(rec: PredictionRecord) -> bool:
    return rec.error_kind is not None and rec.error_kind != "truncated"


PARSE_ERROR = Statistic("parse_error", lambda r: flag(r.parse_error is not None))
API_ERROR = Statistic("api_error", lambda r: flag(is_api_error(r)))

register(MeanMetric("parse_error_rate", "Parse err.", "lower", (PARSE_ERROR,), format="percent", position=40))
register(MeanMetric("api_error_rate", "API err.", "lower", (API_ERROR,), format="percent", position=50))
