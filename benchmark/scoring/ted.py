"""Tree-edit-distance accuracy as Donut defines it (Kim et al., 2022, ``JSONParseEvaluator``).

``acc = max(0, 1 - TED(pred, gold) / TED(empty, gold))`` on trees built from key-sorted JSON,
with Donut's costs (keys sorted; list order kept, as in Donut): a leaf's insert/remove cost is
its label length, an update between leaves is their Levenshtein distance. Distances come from
``zss`` (Zhang-Shasha), strings from rapidfuzz.
"""

from __future__ import annotations

from typing import Any

import zss
from rapidfuzz.distance import Levenshtein

_LEAF = "<leaf>"


def _normalize(data: Any) -> Any:
    """Donut's ``normalize_dict``: keys sorted by (length, name), empty values dropped, scalars
    wrapped in a list; list order is kept (TED is an ordered-tree distance)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key in sorted(data, key=lambda k: (len(str(k)), str(k))):
            value = _normalize(data[key])
            if value:
                out[str(key)] = value if isinstance(value, list) else [value]
        return out
    if isinstance(data, list):
        if all(isinstance(item, dict) for item in data):
            return [item for item in (_normalize(item) for item in data) if item]
        return [str(item).strip() for item in data if isinstance(item, (str, int, float)) and str(item).strip()]
    return [str(data).strip()] if data is not None and str(data).strip() else []


def _tree(data: dict[str, Any], name: str = "<root>") -> zss.Node:
    node = zss.Node(name)
    for key, value in data.items():
        if isinstance(value, dict):
            kid = _tree(value, key)
        else:
            kid = zss.Node(key)
            for item in value:
                kid.addkid(_tree(item, "<subtree>") if isinstance(item, dict) else zss.Node(_LEAF + item))
        node.addkid(kid)
    return node


def _insert_remove(node: zss.Node) -> int:
    label = node.label
    return len(label) - len(_LEAF) if label.startswith(_LEAF) else 1


def _update(a: zss.Node, b: zss.Node) -> int:
    la, lb = a.label, b.label
    a_leaf, b_leaf = la.startswith(_LEAF), lb.startswith(_LEAF)
    if a_leaf and b_leaf:
        return Levenshtein.distance(la[len(_LEAF) :], lb[len(_LEAF) :])
    if a_leaf:
        return 1 + len(la) - len(_LEAF)
    if b_leaf:
        return 1 + len(lb) - len(_LEAF)
    return int(la != lb)


def _distance(a: zss.Node, b: zss.Node) -> float:
    return zss.distance(
        a,
        b,
        get_children=zss.Node.get_children,
        insert_cost=_insert_remove,
        remove_cost=_insert_remove,
        update_cost=_update,
    )


def ted_accuracy(gold: dict[str, Any], pred: dict[str, Any] | None) -> float:
    gold_tree = _tree(_normalize(gold))
    pred_tree = _tree(_normalize(pred or {}))
    base = _distance(_tree({}), gold_tree)
    if base == 0:
        return 1.0 if _distance(pred_tree, gold_tree) == 0 else 0.0
    return max(0.0, 1.0 - _distance(pred_tree, gold_tree) / base)
