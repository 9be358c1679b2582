"""Matching gold and predicted pairs into counts.

Rules (README "Scoring rules"):
- leaves compare by canonical value under the same normalised path; each gold pair is matched by
  at most one predicted pair (multiset intersection);
- items of a list of objects are aligned one-to-one by a maximum assignment
  (``scipy.optimize.linear_sum_assignment``) on the number of matching leaf pairs; leaves are
  compared inside aligned items; leaves of unaligned items are FN (gold) or FP (predicted);
- with ``list_matching="multiset"`` list items are pooled instead (Donut style).
- queried keys (row keys included) and lists given for scalar fields: ``benchmark.scoring.keys``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal

import numpy as np

from benchmark.scoring.counts import DocCounts
from benchmark.scoring.flatten import Bag, Flat, flatten, pool
from benchmark.scoring.keys import list_paths, one_value_per_scalar, restrict, row_paths
from benchmark.scoring.normalize import normalize_key

ListMatching = Literal["align", "multiset"]


def _tp(gold: Bag, pred: Bag) -> int:
    """Size of the multiset intersection."""
    if len(gold) == 1 and len(pred) == 1:
        (gv, gn), (pv, pn) = next(iter(gold.items())), next(iter(pred.items()))
        return min(gn, pn) if gv == pv else 0
    return sum(min(n, pred.get(v, 0)) for v, n in gold.items())


def _weights(g_items: list[Flat], p_items: list[Flat]) -> np.ndarray:
    """Matching leaf pairs between every gold and predicted item, through an inverted index."""
    index: dict[tuple[str, Any], list[tuple[int, int]]] = {}
    for i, item in enumerate(g_items):
        for pair, n in item.pairs().items():
            index.setdefault(pair, []).append((i, n))
    weights = np.zeros((len(g_items), len(p_items)), dtype=np.int64)
    for j, item in enumerate(p_items):
        for pair, n in item.pairs().items():
            for i, m in index.get(pair, ()):
                weights[i, j] += min(n, m)
    return weights


def _align(g_items: list[Flat], p_items: list[Flat]) -> list[tuple[int, int]]:
    if not g_items or not p_items:
        return []
    if len(g_items) == 1 and len(p_items) == 1:
        return [(0, 0)]
    from benchmark.scoring.assignment import linear_sum_assignment  # scipy's, without scipy.optimize's import

    rows, cols = linear_sum_assignment(_weights(g_items, p_items), maximize=True)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


_EMPTY = Flat()


def _match(gold: Flat, pred: Flat, out: DocCounts) -> None:
    for path, g in gold.leaves.items():
        p = pred.leaves.get(path)
        ng = sum(g.values())
        if p is None:
            out.add_field(path, 0, 0, ng)
        else:
            tp = _tp(g, p)
            out.add_field(path, tp, sum(p.values()) - tp, ng - tp)
    for path, p in pred.leaves.items():
        if path not in gold.leaves:
            out.add_field(path, 0, sum(p.values()), 0)
    for path in gold.groups.keys() | pred.groups.keys():
        g_items = gold.groups.get(path, [])
        p_items = pred.groups.get(path, [])
        pairs = _align(g_items, p_items)
        for i, j in pairs:
            _match(g_items[i], p_items[j], out)
        aligned_g = {i for i, _ in pairs}
        aligned_p = {j for _, j in pairs}
        for i, item in enumerate(g_items):
            if i not in aligned_g:
                _match(item, _EMPTY, out)
        for j, item in enumerate(p_items):
            if j not in aligned_p:
                _match(_EMPTY, item, out)


def _taxonomy(per_path: dict[str, list[int]], gold: set[str], pred: set[str]) -> dict[str, int]:
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


def score_flat(gold: Flat, pred: Flat, list_matching: ListMatching = "align") -> DocCounts:
    if list_matching == "multiset":
        gold, pred = pool(gold), pool(pred)
    out = DocCounts()
    _match(gold, pred, out)
    out.errors = _taxonomy(out.fields, gold.paths, pred.paths)
    return out


def _merge_row_fields(out: DocCounts, rows: Mapping[str, str]) -> None:
    """Report the counts of row keys under their schema path (``indicators.result``)."""
    fields: dict[str, list[int]] = {}
    for path, (tp, fp, fn) in out.fields.items():
        row = fields.setdefault(rows.get(path, path), [0, 0, 0])
        row[0] += tp
        row[1] += fp
        row[2] += fn
    out.fields = fields


def score_document(
    gold: Mapping[str, Any],
    pred: Mapping[str, Any] | None,
    *,
    list_matching: ListMatching = "align",
    value_rules: Mapping[str, str] | None = None,
    keys: list[str] | None = None,
    parse_error: str | None = None,
    scalar_paths: Collection[str] | None = None,
) -> DocCounts:
    """Counts for one document. ``pred=None`` (missing or unparsable) makes every gold pair FN.

    ``keys`` restricts both sides to the queried keys (key sampling; row keys such as
    ``Indicators[Item Name=Hemoglobin].Result`` included, see ``benchmark.scoring.keys``).
    ``scalar_paths`` (``keys.scalar_paths(task.fields)``): a list predicted for one of these paths
    is one wrong value.
    """
    rules = {".".join(normalize_key(s) for s in k.split(".")): v for k, v in (value_rules or {}).items()}
    rows = row_paths(keys)
    if rows:
        rules = {**rules, **{path: rules[schema] for path, schema in rows.items() if schema in rules}}
    gold_flat = flatten(restrict(gold, keys), rules)
    if pred is None:
        pred_flat = Flat()
    else:
        answer = restrict(pred, keys)
        if scalar_paths:
            scalars = set(scalar_paths) | {path for path, schema in rows.items() if schema in scalar_paths}
            scalars -= list_paths(gold)
            answer = one_value_per_scalar(answer, scalars)
        pred_flat = flatten(answer, rules)
    out = score_flat(gold_flat, pred_flat, list_matching)
    if rows:
        _merge_row_fields(out, rows)
    out.parse_error = parse_error
    return out
