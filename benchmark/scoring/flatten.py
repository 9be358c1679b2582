"""Flatten a JSON object into leaf pairs and groups of list-of-object items.

A ``Flat`` holds, per normalised field path, a multiset (``{canonical value: count}``) of scalar
leaves and lists of scalars, and, per path of a list of objects, its items, each itself a ``Flat``
with paths relative to the document root (``indicators.result``, no index). ``paths`` is the set
of leaf paths anywhere below, list items included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from benchmark.scoring.normalize import Canon, canon_default, canonical_value, is_empty, normalize_key

Bag = dict[Canon, int]


@dataclass(slots=True)
class Flat:
    leaves: dict[str, Bag] = field(default_factory=dict)
    groups: dict[str, list[Flat]] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)
    _pairs: dict[tuple[str, Canon], int] | None = None

    def pairs(self) -> dict[tuple[str, Canon], int]:
        """All (path, value) pairs below, nested items pooled (used to align items)."""
        if self._pairs is None:
            out: dict[tuple[str, Canon], int] = {}
            for path, bag in self.leaves.items():
                for value, n in bag.items():
                    out[(path, value)] = n
            for items in self.groups.values():
                for item in items:
                    for pair, n in item.pairs().items():
                        out[pair] = out.get(pair, 0) + n
            self._pairs = out
        return self._pairs


@lru_cache(maxsize=65536)
def _join(prefix: str, key: str) -> str:
    k = normalize_key(key)
    return f"{prefix}.{k}" if prefix else k


def flatten(obj: Mapping[str, Any], rules: Mapping[str, str] | None = None, prefix: str = "") -> Flat:
    """Flatten a JSON object; ``rules`` maps normalised paths to value rules."""
    flat = Flat()
    _flatten_into(flat, obj, prefix, rules or {})
    return flat


def _add_leaf(flat: Flat, path: str, value: Any, rules: Mapping[str, str]) -> None:
    rule = rules.get(path) if rules else None
    canon = canon_default(value) if rule is None and type(value) is str else canonical_value(value, rule or "default")
    bag = flat.leaves.get(path)
    if bag is None:
        flat.leaves[path] = {canon: 1}
        flat.paths.add(path)
    else:
        bag[canon] = bag.get(canon, 0) + 1


def _flatten_into(flat: Flat, obj: Mapping[str, Any], prefix: str, rules: Mapping[str, str]) -> None:
    for key, value in obj.items():
        if type(value) is str:  # the common case first
            if value and not value.isspace():
                _add_leaf(flat, _join(prefix, key if type(key) is str else str(key)), value, rules)
            continue
        if is_empty(value):
            continue
        path = _join(prefix, key if type(key) is str else str(key))
        if isinstance(value, dict | Mapping):
            _flatten_into(flat, value, path, rules)
        elif isinstance(value, list):
            _flatten_list(flat, value, path, rules)
        else:
            _add_leaf(flat, path, value, rules)


def _flatten_list(flat: Flat, values: list[Any], path: str, rules: Mapping[str, str]) -> None:
    for item in values:
        if is_empty(item):
            continue
        if isinstance(item, dict | Mapping):
            sub = flatten(item, rules, path)
            if sub.leaves or sub.groups:
                flat.groups.setdefault(path, []).append(sub)
                flat.paths |= sub.paths
        elif isinstance(item, list):
            _flatten_list(flat, item, path, rules)
        else:
            _add_leaf(flat, path, item, rules)


def pool(flat: Flat) -> Flat:
    """Donut-style multiset view: every list item's leaves pooled under their paths."""
    out = Flat(paths=set(flat.paths))
    for (path, value), n in flat.pairs().items():
        bag = out.leaves.setdefault(path, {})
        bag[value] = bag.get(value, 0) + n
    return out
