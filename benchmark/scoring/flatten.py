"""Flatten a JSON object into leaf pairs and groups of list-of-object items.

A ``Flat`` holds, per normalised field path, a multiset (``{canonical value: count}``) of scalar
leaves and lists of scalars, and, per path of a list of objects, its items, each itself a ``Flat``
with paths relative to the document root (``indicators.result``, no index).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from benchmark.scoring.keys import ScalarLists, one_value
from benchmark.scoring.normalize import Canon, canon_default, canonical_value, is_empty, normalize_key

Bag = dict[Canon, int]
_NO_RULES: Mapping[str, str] = {}


class Flat:
    __slots__ = ("_pairs", "groups", "leaves")

    def __init__(self, leaves: dict[str, Bag] | None = None, groups: dict[str, list[Flat]] | None = None) -> None:
        self.leaves: dict[str, Bag] = {} if leaves is None else leaves
        self.groups: dict[str, list[Flat]] = {} if groups is None else groups
        self._pairs: dict[tuple[str, Canon], int] | None = None

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


def flatten(
    obj: Mapping[str, Any],
    rules: Mapping[str, str] | None = None,
    prefix: str = "",
    scalar_lists: ScalarLists | None = None,
) -> Flat:
    """Flatten a JSON object; ``rules`` maps normalised paths to value rules; a list met at a path
    ``scalar_lists`` applies to is one value (``keys.one_value``)."""
    flat = Flat()
    _flatten_into(flat, obj, prefix, rules or _NO_RULES, scalar_lists)
    return flat


def _add_leaf(flat: Flat, path: str, value: Any, rules: Mapping[str, str]) -> None:
    rule = rules.get(path) if rules else None
    canon = canon_default(value) if rule is None and type(value) is str else canonical_value(value, rule or "default")
    bag = flat.leaves.get(path)
    if bag is None:
        flat.leaves[path] = {canon: 1}
    else:
        bag[canon] = bag.get(canon, 0) + 1


def _flatten_into(
    flat: Flat, obj: Mapping[str, Any], prefix: str, rules: Mapping[str, str], scalar_lists: ScalarLists | None
) -> None:
    leaves = flat.leaves
    for key, value in obj.items():
        if type(value) is str:  # the common case first, _add_leaf inlined
            if value and not value.isspace():
                path = _join(prefix, key if type(key) is str else str(key))
                rule = rules.get(path) if rules else None
                canon = canon_default(value) if rule is None else canonical_value(value, rule)
                bag = leaves.get(path)
                if bag is None:
                    leaves[path] = {canon: 1}
                else:
                    bag[canon] = bag.get(canon, 0) + 1
            continue
        kind = type(value)
        if kind is dict or kind is list:  # is_empty's test for these, without the call
            if not value:
                continue
        elif is_empty(value):
            continue
        path = _join(prefix, key if type(key) is str else str(key))
        if kind is dict or isinstance(value, dict | Mapping):
            _flatten_into(flat, value, path, rules, scalar_lists)
        elif isinstance(value, list):
            if scalar_lists is not None and scalar_lists.applies(path):
                value = one_value(value)
                if not isinstance(value, list):  # else only empty items: nothing to add
                    _add_leaf(flat, path, value, rules)
            else:
                _flatten_list(flat, value, path, rules, scalar_lists)
        else:
            _add_leaf(flat, path, value, rules)


def _flatten_list(
    flat: Flat, values: list[Any], path: str, rules: Mapping[str, str], scalar_lists: ScalarLists | None
) -> None:
    for item in values:
        kind = type(item)
        if kind is dict:
            if not item:
                continue
        elif is_empty(item):
            continue
        if kind is dict or isinstance(item, dict | Mapping):
            sub = Flat()
            _flatten_into(sub, item, path, rules, scalar_lists)
            if sub.leaves or sub.groups:
                group = flat.groups.get(path)
                if group is None:
                    flat.groups[path] = [sub]
                else:
                    group.append(sub)
        elif isinstance(item, list):  # a list inside a list: the scalar-field rule does not reach in
            _flatten_list(flat, item, path, rules, None)
        else:
            _add_leaf(flat, path, item, rules)


def pool(flat: Flat) -> Flat:
    """Donut-style multiset view: every list item's leaves pooled under their paths."""
    out = Flat()
    for (path, value), n in flat.pairs().items():
        bag = out.leaves.setdefault(path, {})
        bag[value] = bag.get(value, 0) + n
    return out
