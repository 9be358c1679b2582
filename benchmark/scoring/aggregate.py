"""Aggregates: pure functions of counts.

Conventions for 0/0: precision is 1.0 when nothing was predicted and nothing was expected
(TP+FP = 0 and FN = 0), 0.0 when nothing was predicted but gold pairs exist; recall is 1.0 when
there is no gold pair (TP+FN = 0) and nothing was predicted, else 0.0; F1 is 0.0 when P+R = 0.
So an empty prediction for an empty gold document scores 1, and an empty prediction for a non-empty
gold scores 0. The paper's F1 is computed from the pooled P and R (micro), not averaged per doc.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from benchmark.scoring.counts import DocCounts, total


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall, F1 from counts, with the 0/0 conventions of this module."""
    if tp + fp > 0:
        p = tp / (tp + fp)
    else:
        p = 1.0 if fn == 0 else 0.0
    if tp + fn > 0:
        r = tp / (tp + fn)
    else:
        r = 1.0 if fp == 0 else 0.0
    f = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return p, r, f


def field_table(summed: DocCounts) -> dict[str, dict[str, float]]:
    table = {}
    for path, (tp, fp, fn) in sorted(summed.fields.items()):
        p, r, f = prf(tp, fp, fn)
        table[path] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}
    return table


def aggregate(counts: Iterable[DocCounts]) -> dict[str, Any]:
    """Micro P/R/F1, per-field table, macro F1 over fields, error taxonomy and parse errors."""
    docs = list(counts)
    summed = total(docs)
    p, r, f = prf(summed.tp, summed.fp, summed.fn)
    fields = field_table(summed)
    macro = sum(row["f1"] for row in fields.values()) / len(fields) if fields else 0.0
    parse_errors: dict[str, int] = {}
    for c in docs:
        if c.parse_error:
            parse_errors[c.parse_error] = parse_errors.get(c.parse_error, 0) + 1
    return {
        "n_docs": len(docs),
        "tp": summed.tp,
        "fp": summed.fp,
        "fn": summed.fn,
        "precision": p,
        "recall": r,
        "f1": f,
        "macro_f1": macro,
        "parse_errors": sum(parse_errors.values()),
        "parse_error_kinds": parse_errors,
        "errors": summed.errors,
        "per_field": fields,
    }
