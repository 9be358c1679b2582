"""Matching gold and predicted pairs into counts.

Rules (README "Scoring rules"):
- leaves compare by canonical value under the same normalised path; each gold pair is matched by
  at most one predicted pair (multiset intersection);
- items of a list of objects are aligned one-to-one by a maximum assignment
  (``scipy.optimize.linear_sum_assignment``) on the number of matching leaf pairs; leaves are
  compared inside aligned items; leaves of unaligned items are FN (gold) or FP (predicted);
- with ``list_matching="multiset"`` list items are pooled instead (Donut style).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from benchmark.scoring.counts import DocCounts
from benchmark.scoring.flatten import Flat, flatten, pool
from benchmark.scoring.normalize import normalize_key

ListMatching = Literal["align", "multiset"]


def _overlap(a: Flat, b: Flat) -> int:
    """Number of matching leaf pairs between two items (nested groups pooled for speed)."""
    n = 0
    for path, bag in a.leaves.items():
        other = b.leaves.get(path)
        if other:
            n += sum((bag & other).values())
    for path, items in a.groups.items():
        others = b.groups.get(path)
        if others:
            n += _overlap(pool(Flat(groups={path: items})), pool(Flat(groups={path: others})))
    return n


def _match(gold: Flat, pred: Flat, out: DocCounts, per_path: dict[str, list[int]]) -> None:
    for path in gold.leaves.keys() | pred.leaves.keys():
        g = gold.leaves.get(path) or Counter()
        p = pred.leaves.get(path) or Counter()
        tp = sum((g & p).values())
        ng, np_ = sum(g.values()), sum(p.values())
        _record(out, per_path, path, tp, np_ - tp, ng - tp)
    for path in gold.groups.keys() | pred.groups.keys():
        g_items = gold.groups.get(path, [])
        p_items = pred.groups.get(path, [])
        rows: list[int] = []
        cols: list[int] = []
        if g_items and p_items:
            weights = np.array([[_overlap(g, p) for p in p_items] for g in g_items])
            r, c = linear_sum_assignment(weights, maximize=True)
            rows, cols = r.tolist(), c.tolist()
        for i, j in zip(rows, cols, strict=True):
            _match(g_items[i], p_items[j], out, per_path)
        aligned_g, aligned_p = set(rows), set(cols)
        empty = Flat()
        for i, item in enumerate(g_items):
            if i not in aligned_g:
                _match(item, empty, out, per_path)
        for j, item in enumerate(p_items):
            if j not in aligned_p:
                _match(empty, item, out, per_path)


def _record(out: DocCounts, per_path: dict[str, list[int]], path: str, tp: int, fp: int, fn: int) -> None:
    out.add_field(path, tp, fp, fn)
    row = per_path.get(path)
    if row is None:
        per_path[path] = [tp, fp, fn]
    else:
        row[0] += tp
        row[1] += fp
        row[2] += fn


def _taxonomy(per_path: dict[str, list[int]], gold: dict[str, int], pred: dict[str, int]) -> dict[str, int]:
    errors = dict.fromkeys(("missing_key", "hallucinated_key", "wrong_value", "missing_value", "extra_value"), 0)
    for path, (_, fp, fn) in per_path.items():
        if path not in pred:
            errors["missing_key"] += fn
        elif path not in gold:
            errors["hallucinated_key"] += fp
        else:
            wrong = min(fp, fn)
            errors["wrong_value"] += wrong
            errors["missing_value"] += fn - wrong
            errors["extra_value"] += fp - wrong
    return {k: v for k, v in errors.items() if v}


def restrict(obj: Mapping[str, Any], keys: list[str] | None) -> dict[str, Any]:
    """Keep only the top-level keys in ``keys`` (normalised comparison); None keeps all."""
    if keys is None:
        return dict(obj)
    wanted = {normalize_key(k) for k in keys}
    return {k: v for k, v in obj.items() if normalize_key(str(k)) in wanted}


def score_flat(gold: Flat, pred: Flat, list_matching: ListMatching = "align") -> DocCounts:
    if list_matching == "multiset":
        gold, pred = pool(gold), pool(pred)
    out = DocCounts()
    per_path: dict[str, list[int]] = {}
    _match(gold, pred, out, per_path)
    out.errors = _taxonomy(per_path, gold.leaf_counts(), pred.leaf_counts())
    return out


def score_document(
    gold: Mapping[str, Any],
    pred: Mapping[str, Any] | None,
    *,
    list_matching: ListMatching = "align",
    value_rules: Mapping[str, str] | None = None,
    keys: list[str] | None = None,
    parse_error: str | None = None,
) -> DocCounts:
    """Counts for one document. ``pred=None`` (missing or unparsable) makes every gold pair FN.

    ``keys`` restricts both sides to the queried top-level keys (random key sampling).
    """
    rules = {".".join(normalize_key(s) for s in k.split(".")): v for k, v in (value_rules or {}).items()}
    gold_flat = flatten(restrict(gold, keys), rules)
    pred_flat = flatten(restrict(pred, keys), rules) if pred is not None else Flat()
    out = score_flat(gold_flat, pred_flat, list_matching)
    out.parse_error = parse_error
    return out
