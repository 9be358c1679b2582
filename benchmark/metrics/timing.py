"""Time per document, over the documents without an API error (:mod:`benchmark.metrics.errors`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmark.metrics import MeanMetric, MedianMetric, Statistic, register
from benchmark.metrics.errors import API_ERROR

if TYPE_CHECKING:
    from benchmark.records import PredictionRecord


def doc_seconds(rec: PredictionRecord) -> float:
    """What the document took end to end (``total_s``; older records: OCR + model call)."""
    return rec.total_s if rec.total_s is not None else rec.input_s + rec.latency_s


LATENCY = Statistic("latency_s", lambda r: r.latency_s)
SECONDS = Statistic("total_s", doc_seconds)  # input (OCR compute), model call and scoring

register(MedianMetric("latency_p50_s", "Latency p50 (s)", "lower", (LATENCY, API_ERROR), format="seconds",
                      position=60))
register(MeanMetric("seconds_per_doc", "s / doc (OCR + model)", "lower", (SECONDS, API_ERROR),
                    format="seconds", position=70))
