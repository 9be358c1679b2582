"""Queried keys and field types, as the scorer reads them (README "Scoring rules").

Row keys. A list of objects (a lab table) can be queried one cell at a time through a *row key*
``List[Address=Label].Leaf``, e.g. ``Indicators[Item Name=Hemoglobin].Result``: the ``Leaf`` of
the item of ``List`` whose ``Address`` field reads ``Label`` (keys and labels compared after the
scorer's normalisation). The key is self-describing, so the scorer needs no schema to find the
cell on either side. A side answers a row key either with the key itself as a top-level member
(what the prompt asks for) or inside its nested list; a missing row or an empty cell is an absent
key. ``restrict`` reads every queried key this way; the counts of row keys are reported under
their schema path (``indicators.result``), the matching itself is per key (a value given for
another row never matches).

Scalar fields. A field whose schema type is a scalar (``string``, ``number``, ``date``) answered
with a list of two or more values is *one* value, the list's JSON text: it matches no gold value,
so it is one false positive (and the gold value a false negative), however many candidates the
list holds. A one-item list is read as its item. Lists declared ``type: list`` stay multisets.
The gold is read as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from benchmark.scoring.normalize import canon_default, is_empty, normalize_key

SCALAR_TYPES = frozenset({"string", "number", "date"})
_ROW_KEY = re.compile(r"^(?P<list>[^\[\]=]+)\[(?P<address>[^\[\]=]+)=(?P<label>.+)\]\.(?P<leaf>[^\[\]=]+)$", re.S)


class FieldLike(Protocol):
    """What the scorer needs of a schema field (``benchmark.tasks.spec.FieldSpec`` is one)."""

    key: str
    type: str
    fields: Any


F = TypeVar("F", bound=FieldLike)


@dataclass(frozen=True, slots=True)
class RowKey:
    list_key: str
    address: str
    label: str
    leaf: str

    def __str__(self) -> str:
        return f"{self.list_key}[{self.address}={self.label}].{self.leaf}"

    @property
    def schema_path(self) -> str:
        """The normalised schema path of the cell (``indicators.result``)."""
        return f"{normalize_key(self.list_key)}.{normalize_key(self.leaf)}"

    @property
    def path(self) -> str:
        """The normalised path the scorer matches this key under (one per key)."""
        return normalize_key(str(self))


def parse_row_key(key: str) -> RowKey | None:
    """The row key written in ``key``, or None for a plain top-level key."""
    if "[" not in key:
        return None
    m = _ROW_KEY.match(key)
    if m is None:
        return None
    return RowKey(m["list"].strip(), m["address"].strip(), m["label"].strip(), m["leaf"].strip())


def _member(obj: Mapping[str, Any], key: str) -> Any:
    wanted = normalize_key(key)
    for k, v in obj.items():
        if normalize_key(str(k)) == wanted:
            return v
    return None


def _label(value: Any) -> Any:
    return canon_default(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def row_value(obj: Mapping[str, Any], rk: RowKey) -> Any:
    """The cell ``rk`` of ``obj``: the key itself as a member, else the first item of the list whose
    address field reads the label. None when absent."""
    direct = _member(obj, str(rk))
    if direct is not None:
        return direct
    items = _member(obj, rk.list_key)
    if not isinstance(items, list):
        return None
    want = _label(rk.label)
    for item in items:
        if isinstance(item, Mapping):
            address = _member(item, rk.address)
            if not is_empty(address) and _label(address) == want:
                return _member(item, rk.leaf)
    return None


def top_level(key: str) -> str:
    """The top-level field a queried key names (normalised): ``Indicators`` for
    ``Indicators[Item Name=KET].Unit``, the key itself for a plain one."""
    rk = parse_row_key(key)
    return normalize_key(rk.list_key if rk is not None else key)


def queried_fields(fields: Iterable[F], keys: Iterable[str] | None) -> list[F]:
    """The schema fields a query asks about, row keys included (``Indicators[Item Name=KET].Unit``
    asks about ``Indicators``): what an extractor that answers whole fields must fill; None keeps
    all. The scorer then keeps only the queried cells (:func:`restrict`)."""
    if keys is None:
        return list(fields)
    wanted = {top_level(k) for k in keys}
    return [f for f in fields if normalize_key(f.key) in wanted]


def restrict(obj: Mapping[str, Any], keys: list[str] | None) -> dict[str, Any]:
    """Keep only the queried keys (normalised comparison); None keeps all. Row keys become
    top-level members named by the key (absent cells left out)."""
    if keys is None:
        return dict(obj)
    rows = [rk for k in keys if (rk := parse_row_key(k)) is not None]
    wanted = {normalize_key(k) for k in keys if parse_row_key(k) is None}
    out = {k: v for k, v in obj.items() if normalize_key(str(k)) in wanted}
    for rk in rows:
        value = row_value(obj, rk)
        if not is_empty(value):
            out[str(rk)] = value
    return out


def row_paths(keys: Iterable[str] | None) -> dict[str, str]:
    """Normalised path of each queried row key → its schema path."""
    return {rk.path: rk.schema_path for k in keys or () if (rk := parse_row_key(k)) is not None}


def scalar_paths(fields: Iterable[FieldLike], prefix: str = "") -> frozenset[str]:
    """Normalised paths (as the scorer flattens them: list items without an index) of the schema's
    scalar fields."""
    out: set[str] = set()
    for f in fields:
        path = f"{prefix}.{normalize_key(f.key)}" if prefix else normalize_key(f.key)
        if f.type in SCALAR_TYPES:
            out.add(path)
        elif f.fields:
            out |= scalar_paths(f.fields, path)
    return frozenset(out)


def one_value(value: list[Any]) -> Any:
    """A list given for a scalar field, read as one value: its only non-empty item, else the
    items' JSON text; the list itself when every item is empty."""
    items = [v for v in value if not is_empty(v)]
    if len(items) == 1 and not isinstance(items[0], list | Mapping):
        return items[0]
    return json.dumps(items, ensure_ascii=False, sort_keys=True) if items else value


def list_paths(obj: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Normalised paths at which ``obj`` (the gold) holds a list: a schema that calls such a field
    scalar (the default type of an undeclared field) is overruled by the gold itself."""
    out: set[str] = set()
    for key, value in obj.items():
        path = f"{prefix}.{normalize_key(str(key))}" if prefix else normalize_key(str(key))
        if isinstance(value, list):
            out.add(path)
            for item in value:
                if isinstance(item, Mapping):
                    out |= list_paths(item, path)
        elif isinstance(value, Mapping):
            out |= list_paths(value, path)
    return out


class ScalarLists:
    """Where a prediction's list is read as one value (``one_value``): at the scalar paths, less
    the paths where the gold holds a list. The flattener asks at every list it meets; the gold's
    list paths are looked up only when a list stands at a scalar path (a rare answer)."""

    __slots__ = ("_gold", "_gold_lists", "_scalars")

    def __init__(self, scalars: Collection[str], gold: Mapping[str, Any]) -> None:
        self._scalars = scalars
        self._gold = gold
        self._gold_lists: set[str] | None = None

    def applies(self, path: str) -> bool:
        if path not in self._scalars:
            return False
        if self._gold_lists is None:
            self._gold_lists = list_paths(self._gold)
        return path not in self._gold_lists
