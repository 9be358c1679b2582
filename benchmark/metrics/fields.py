"""Field-level micro precision, recall and F1 from summed TP/FP/FN (the benchmark's main score).

0/0 conventions as in :func:`benchmark.scoring.aggregate.prf`: precision is 1 when TP+FP = 0 and
FN = 0, else 0; recall is 1 when TP+FN = 0 and FP = 0, else 0; F1 = 2PR/(P+R), 0 when P+R = 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmark.metrics import PooledMetric, Statistic, register

TP = Statistic("tp", lambda r: int(r.counts["tp"]))
FP = Statistic("fp", lambda r: int(r.counts["fp"]))
FN = Statistic("fn", lambda r: int(r.counts["fn"]))
COUNTS = (TP, FP, FN)


def _precision(t: np.ndarray) -> np.ndarray:
    tp, fp, fn = t[..., 0], t[..., 1], t[..., 2]
    predicted = tp + fp
    p = np.where(fn == 0, 1.0, 0.0)
    np.divide(tp, predicted, out=p, where=predicted > 0)
    return p


def _recall(t: np.ndarray) -> np.ndarray:
    tp, fp, fn = t[..., 0], t[..., 1], t[..., 2]
    gold = tp + fn
    r = np.where(fp == 0, 1.0, 0.0)
    np.divide(tp, gold, out=r, where=gold > 0)
    return r


def _f1(t: np.ndarray) -> np.ndarray:
    p, r = _precision(t), _recall(t)
    s = p + r
    f = np.zeros_like(s)
    np.divide(2 * p * r, s, out=f, where=s > 0)
    return f


def _vectorised(fn: Any) -> Any:
    """``fn`` on ``[..., (tp, fp, fn)]``: a float for one triple, else an array."""

    def pool(totals: Any) -> Any:
        t = np.asarray(totals, dtype=np.float64)
        if t.shape[-1:] != (3,):
            raise ValueError(f"totals must have a last axis of 3 = (tp, fp, fn), got shape {t.shape}")
        out = fn(t)
        return float(out) if out.ndim == 0 else out

    return pool


def _parts(num: Any, den: Any) -> Any:
    def ratio(units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tp, fp, fn = (units[:, k].astype(np.float64) for k in range(3))
        return num(tp, fp, fn), den(tp, fp, fn)

    return ratio


F1 = register(PooledMetric(
    "f1", "F1", "higher", COUNTS, position=10, pool=_vectorised(_f1),
    ratio=_parts(lambda tp, fp, fn: 2 * tp, lambda tp, fp, fn: 2 * tp + fp + fn)))
PRECISION = register(PooledMetric(
    "precision", "Precision", "higher", COUNTS, position=11, pool=_vectorised(_precision),
    ratio=_parts(lambda tp, fp, fn: tp, lambda tp, fp, fn: tp + fp)))
RECALL = register(PooledMetric(
    "recall", "Recall", "higher", COUNTS, position=12, pool=_vectorised(_recall),
    ratio=_parts(lambda tp, fp, fn: tp, lambda tp, fp, fn: tp + fn)))
