"""Flatten a JSON object into leaf pairs and groups of list-of-object items.

A ``Flat`` holds, per normalised field path, a multiset of canonical values (scalar leaves and
lists of scalars), and, per path of a list of objects, the list of its items, each itself a
``Flat`` with paths relative to the document root (``Indicators.Result``, no index).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmark.scoring.normalize import Canon, canonical_value, is_empty, normalize_key


@dataclass(slots=True)
class Flat:
    leaves: dict[str, Counter[Canon]] = field(default_factory=dict)
    groups: dict[str, list[Flat]] = field(default_factory=dict)

    def size(self) -> int:
        """Number of leaf pairs, items of groups included."""
        n = sum(sum(c.values()) for c in self.leaves.values())
        return n + sum(item.size() for items in self.groups.values() for item in items)

    def paths(self) -> set[str]:
        out = set(self.leaves)
        for items in self.groups.values():
            for item in items:
                out |= item.paths()
        return out

    def leaf_counts(self) -> dict[str, int]:
        """Number of leaf pairs per path (items pooled)."""
        out: Counter[str] = Counter({p: sum(c.values()) for p, c in self.leaves.items()})
        for items in self.groups.values():
            for item in items:
                out.update(item.leaf_counts())
        return dict(out)


def _join(prefix: str, key: str) -> str:
    k = normalize_key(str(key))
    return f"{prefix}.{k}" if prefix else k


def flatten(obj: Mapping[str, Any], rules: Mapping[str, str] | None = None, prefix: str = "") -> Flat:
    """Flatten a JSON object; ``rules`` maps normalised paths to value rules."""
    flat = Flat()
    _flatten_into(flat, obj, prefix, rules or {})
    return flat


def _add_leaf(flat: Flat, path: str, value: Any, rules: Mapping[str, str]) -> None:
    bag = flat.leaves.get(path)
    if bag is None:
        bag = flat.leaves[path] = Counter()
    bag[canonical_value(value, rules.get(path, "default"))] += 1


def _flatten_into(flat: Flat, obj: Mapping[str, Any], prefix: str, rules: Mapping[str, str]) -> None:
    for key, value in obj.items():
        if is_empty(value):
            continue
        path = _join(prefix, key)
        if isinstance(value, Mapping):
            _flatten_into(flat, value, path, rules)
        elif isinstance(value, list):
            _flatten_list(flat, value, path, rules)
        else:
            _add_leaf(flat, path, value, rules)


def _flatten_list(flat: Flat, values: list[Any], path: str, rules: Mapping[str, str]) -> None:
    for item in values:
        if is_empty(item):
            continue
        if isinstance(item, Mapping):
            sub = flatten(item, rules, path)
            if sub.leaves or sub.groups:
                flat.groups.setdefault(path, []).append(sub)
        elif isinstance(item, list):
            _flatten_list(flat, item, path, rules)
        else:
            _add_leaf(flat, path, item, rules)


def pool(flat: Flat) -> Flat:
    """Donut-style multiset view: every list item's leaves pooled under their paths."""
    out = Flat(leaves={p: Counter(c) for p, c in flat.leaves.items()})
    for items in flat.groups.values():
        for item in items:
            for p, c in pool(item).leaves.items():
                out.leaves.setdefault(p, Counter()).update(c)
    return out
