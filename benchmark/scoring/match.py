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

from benchmark.scoring.counts import DocCounts
from benchmark.scoring.flatten import Flat, flatten, pool
from benchmark.scoring.keys import ScalarLists, restrict, row_paths
from benchmark.scoring.normalize import normalize_key

ListMatching = Literal["align", "multiset"]
Fields = dict[str, list[int]]  # path -> [tp, fp, fn]


def _weights(g_items: list[Flat], p_items: list[Flat]) -> list[list[int]]:
    """Matching leaf pairs between every gold and predicted item, through an inverted index
    (path -> value -> [(gold item, count)])."""
    index: dict[str, dict[Any, list[tuple[int, int]]]] = {}
    for i, item in enumerate(g_items):
        for path, bag in (item.leaves if not item.groups else _pooled(item)).items():
            by_value = index.get(path)
            if by_value is None:
                by_value = index[path] = {}
            for value, n in bag.items():
                hits = by_value.get(value)
                if hits is None:
                    by_value[value] = [(i, n)]
                else:
                    hits.append((i, n))
    weights = [[0] * len(p_items) for _ in g_items]
    for j, item in enumerate(p_items):
        for path, bag in (item.leaves if not item.groups else _pooled(item)).items():
            by_value = index.get(path)
            if by_value is None:
                continue
            for value, n in bag.items():
                for i, m in by_value.get(value, ()):
                    weights[i][j] += n if n < m else m
    return weights


def _pooled(item: Flat) -> dict[str, dict[Any, int]]:
    """An item's leaves with those of its nested items pooled under their paths."""
    return pool(item).leaves


def _align(g_items: list[Flat], p_items: list[Flat]) -> list[tuple[int, int]]:
    if not g_items or not p_items:
        return []
    if len(g_items) == 1 and len(p_items) == 1:
        return [(0, 0)]
    from benchmark.scoring.assignment import linear_sum_assignment  # scipy's, without scipy.optimize's import

    rows, cols = linear_sum_assignment(_weights(g_items, p_items), maximize=True)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def _add(fields: Fields, path: str, tp: int, fp: int, fn: int) -> None:
    row = fields.get(path)
    if row is None:
        fields[path] = [tp, fp, fn]
    else:
        row[0] += tp
        row[1] += fp
        row[2] += fn


def _unmatched(item: Flat, fields: Fields, side: int) -> None:
    """Every pair of an item left without a partner: FN (``side=2``, gold) or FP (``side=1``)."""
    for path, bag in item.leaves.items():
        n = sum(bag.values())
        row = fields.get(path)
        if row is None:
            row = fields[path] = [0, 0, 0]
        row[side] += n
    for items in item.groups.values():
        for sub in items:
            _unmatched(sub, fields, side)


def _match(gold: Flat, pred: Flat, fields: Fields) -> None:
    g_leaves, p_leaves = gold.leaves, pred.leaves
    for path, g in g_leaves.items():
        p = p_leaves.get(path)
        if p is None:
            tp, fp, fn = 0, 0, sum(g.values())
        elif len(g) == 1 and len(p) == 1:  # one value each, the common case
            (gv, gn), (pv, pn) = *g.items(), *p.items()
            tp = (gn if gn < pn else pn) if gv == pv else 0
            fp, fn = pn - tp, gn - tp
        else:
            tp = 0
            for v, n in g.items():
                m = p.get(v)
                if m is not None:
                    tp += n if n < m else m
            fp, fn = sum(p.values()) - tp, sum(g.values()) - tp
        row = fields.get(path)
        if row is None:
            fields[path] = [tp, fp, fn]
        else:
            row[0] += tp
            row[1] += fp
            row[2] += fn
    for path, p in p_leaves.items():
        if path not in g_leaves:
            _add(fields, path, 0, sum(p.values()), 0)
    g_groups, p_groups = gold.groups, pred.groups
    if not g_groups and not p_groups:
        return
    for path in g_groups.keys() | p_groups.keys():
        g_items = g_groups.get(path, [])
        p_items = p_groups.get(path, [])
        pairs = _align(g_items, p_items)
        for i, j in pairs:
            _match(g_items[i], p_items[j], fields)
        if len(pairs) < len(g_items):
            aligned_g = {i for i, _ in pairs}
            for i, item in enumerate(g_items):
                if i not in aligned_g:
                    _unmatched(item, fields, 2)
        if len(pairs) < len(p_items):
            aligned_p = {j for _, j in pairs}
            for j, item in enumerate(p_items):
                if j not in aligned_p:
                    _unmatched(item, fields, 1)


def _taxonomy(per_path: Fields) -> dict[str, int]:
    """Every gold leaf of a path is a TP or an FN, every predicted one a TP or an FP: a path is
    the gold's when ``tp + fn > 0``, the prediction's when ``tp + fp > 0``."""
    errors = dict.fromkeys(("missing_key", "hallucinated_key", "wrong_value", "missing_value", "extra_value"), 0)
    for tp, fp, fn in per_path.values():
        if tp + fp == 0:
            errors["missing_key"] += fn
        elif tp + fn == 0:
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
    fields: Fields = {}
    _match(gold, pred, fields)
    out = DocCounts(fields=fields, errors=_taxonomy(fields))
    for tp, fp, fn in fields.values():
        out.tp += tp
        out.fp += fp
        out.fn += fn
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
    gold_flat = flatten(gold if keys is None else restrict(gold, keys), rules)
    if pred is None:
        pred_flat = Flat()
    else:
        scalar_lists = None
        if scalar_paths:
            if rows:
                scalar_paths = {*scalar_paths, *(path for path, schema in rows.items() if schema in scalar_paths)}
            scalar_lists = ScalarLists(scalar_paths, gold)
        pred_flat = flatten(pred if keys is None else restrict(pred, keys), rules, scalar_lists=scalar_lists)
    out = score_flat(gold_flat, pred_flat, list_matching)
    if rows:
        _merge_row_fields(out, rows)
    out.parse_error = parse_error
    return out
