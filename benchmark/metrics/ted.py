"""TED accuracy: the mean over documents of 1 - tree edit distance / size (tasks with
``scoring.ted``), with a percentile bootstrap CI over the documents that have it."""

from __future__ import annotations

from benchmark.metrics import MeanMetric, Statistic, register
from benchmark.metrics.base import maybe

TED = Statistic("ted", lambda r: maybe(r.ted))

register(MeanMetric("ted", "TED acc.", "higher", (TED,), position=20, with_ci=True))
