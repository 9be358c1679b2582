"""A task schema as Label Studio controls, and gold or predictions ↔ Label Studio results.

Every schema slot gets one control name, a pure function of the schema, so the export and the
import agree without storing anything:

- a scalar field (string, number, date) → a ``TextArea`` named ``<slug>``; a member of an object
  field → ``<object>__<member>``;
- a list of scalars → one ``TextArea`` ``<slug>`` holding one entry per item;
- a list of objects (a lab report's Indicators) → a ``Repeater`` over the task data list
  ``rows_<slug>``: row ``i`` has one ``TextArea`` ``<list>__<i>__<column>`` per column.

A TextArea result is ``{"type": "textarea", "value": {"text": [str, ...]}}`` (Label Studio's result
format for TextArea, e.g. label-studio-frontend's tests and docs/source/guide/predictions.md, OCR
example). Slugs keep ASCII letters and digits only (runs of anything else become one ``_``), so
``__`` never occurs inside a slug and a name parses back unambiguously.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from benchmark.scoring.normalize import normalize_key
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import FieldSpec

SEP = "__"
IDX = "{{idx}}"  # the Repeater's default indexFlag
IMAGE = "image"  # the Image object tag's name (every control's toName)
BOX_CONTROL = "field_box"  # RectangleLabels: where a value is printed (a hint; never gold)
MAX_TEXT = 10_000  # characters of one value
MAX_ROWS = 5_000  # rows of one list

# A number as people type it: digits with separators, a sign, and at most a short unit or currency.
_NON_NUMBER = re.compile(r"[\d\s.,'+\-()%]")


@dataclass(frozen=True)
class Slot:
    kind: str  # "text": one value; "multi": a list of scalars; "row": a column of a list of objects
    path: tuple[str, ...]  # schema keys: (key,), (object, member) or (list, column)
    name: str  # the control name; for "row" with IDX where the row number goes
    field: FieldSpec

    @property
    def label(self) -> str:
        return ".".join(self.path)

    def instance(self, row: int | None) -> str:
        return self.name.replace(IDX, str(row)) if row is not None else self.name


def slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_") or "f"


def _slugs(keys: Iterable[str]) -> dict[str, str]:
    """Key → slug, unique among siblings (``_2``, ``_3``... on a clash)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        base = candidate = slug(key)
        n = 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        out[key] = candidate
    return out


def result_id(*parts: str) -> str:
    """A stable region id (Label Studio's are 10 random characters; stable ones keep exports reproducible)."""
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:10]


def textarea_result(name: str, texts: list[str], rid: str) -> dict[str, Any]:
    return {"id": rid, "from_name": name, "to_name": IMAGE, "type": "textarea", "value": {"text": texts}}


def _scalar_text(value: Any) -> str | None:
    """A scalar as the text an annotator sees; None when absent. Raises TypeError for a dict or list."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise TypeError(type(value).__name__)
    text = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else repr(value)
    return text if text.strip() else None


def fits_number(text: str) -> bool:
    return any(c.isdigit() for c in text) and len(_NON_NUMBER.sub("", text)) <= 4


class LabelMap:
    """The control names of one schema, both ways."""

    def __init__(self, fields: list[FieldSpec]) -> None:
        self.fields = fields
        self.slots: list[Slot] = []
        self.lists: dict[str, tuple[str, list[Slot]]] = {}  # list key → (slug, its column slots)
        unsupported: list[str] = []
        top = _slugs(f.key for f in fields)
        for f in fields:
            s = top[f.key]
            if f.type in ("object", "list") and f.fields:
                inner = [m for m in f.fields if m.type in ("list", "object")]
                unsupported += [f"{f.key}.{m.key} ({m.type} inside {f.type})" for m in inner]
                names = _slugs(m.key for m in f.fields)
                if f.type == "object":
                    self.slots += [Slot("text", (f.key, m.key), f"{s}{SEP}{names[m.key]}", m) for m in f.fields]
                else:
                    cols = [Slot("row", (f.key, m.key), f"{s}{SEP}{IDX}{SEP}{names[m.key]}", m) for m in f.fields]
                    self.lists[f.key] = (s, cols)
                    self.slots += cols
            else:
                self.slots.append(Slot("multi" if f.type == "list" else "text", (f.key,), s, f))
        if unsupported:
            raise TaskError(f"the Label Studio format supports one level of nesting; not: {', '.join(unsupported)}")
        self._by_name = {slot.name: slot for slot in self.slots if slot.kind != "row"}
        self._rows = []
        for slot in self.slots:
            if slot.kind == "row":
                before, after = slot.name.split(IDX)
                self._rows.append((re.compile(re.escape(before) + r"(\d{1,6})" + re.escape(after) + "$"), slot))

    def rows_key(self, list_key: str) -> str:
        """The task data list a list field's Repeater iterates over."""
        return f"rows_{self.lists[list_key][0]}"

    def box_labels(self) -> list[str]:
        return [slot.label for slot in self.slots if slot.kind == "text"]

    def lookup(self, name: str) -> tuple[Slot, int | None] | None:
        if name in self._by_name:
            return self._by_name[name], None
        for pattern, slot in self._rows:
            m = pattern.match(name)
            if m:
                return slot, int(m.group(1))
        return None

    def _field(self, fields: list[FieldSpec], key: str) -> FieldSpec | None:
        wanted = normalize_key(str(key))
        return next((f for f in fields if normalize_key(f.key) == wanted), None)

    def values_by_slot(self, values: dict[str, Any]) -> tuple[list[tuple[Slot, int | None, list[str]]], list[str]]:
        """(slot, row, texts) for every value of a gold or predicted JSON, and the paths that do not
        fit the schema (left out, and reported)."""
        out: list[tuple[Slot, int | None, list[str]]] = []
        misfits: list[str] = []
        slots = {slot.path: slot for slot in self.slots}

        def text(value: Any, where: str, expected: str) -> str | None:
            try:
                return _scalar_text(value)
            except TypeError as exc:
                misfits.append(f"{where} ({exc} for {expected})")
                return None

        def members(f: FieldSpec, obj: dict[str, Any], row: int | None, where: str) -> None:
            for sub, v in obj.items():
                m = self._field(f.fields or [], sub)
                if m is None:
                    misfits.append(f"{where}.{sub} (not in the schema)")
                elif (t := text(v, f"{where}.{sub}", f"a {m.type}")) is not None:
                    out.append((slots[f.key, m.key], row, [t]))

        for key, value in values.items():
            f = self._field(self.fields, key)
            if f is None:
                misfits.append(f"{key} (not in the schema)")
            elif f.type == "object" and f.fields:
                if isinstance(value, dict):
                    members(f, value, None, f.key)
                else:
                    misfits.append(f"{f.key} ({type(value).__name__} for an object)")
            elif f.type == "list" and f.fields:
                if isinstance(value, list) and all(isinstance(r, dict) for r in value):
                    for i, row in enumerate(value[:MAX_ROWS]):
                        members(f, row, i, f"{f.key}[{i}]")
                else:
                    misfits.append(f"{f.key} (not a list of objects)")
            elif f.type == "list":
                items = value if isinstance(value, list) else [value]
                texts = [t for i, v in enumerate(items) if (t := text(v, f"{f.key}[{i}]", "a list item")) is not None]
                if texts:
                    out.append((slots[(f.key,)], None, texts))
            elif (t := text(value, f.key, f"a {f.type}")) is not None:
                out.append((slots[(f.key,)], None, [t]))
        return out, misfits

    def to_results(self, values: dict[str, Any], doc_id: str) -> tuple[list[dict[str, Any]], list[str], dict[str, int]]:
        """TextArea results for a gold or predicted JSON, the paths left out, and rows per list."""
        found, misfits = self.values_by_slot(values)
        rows: dict[str, int] = {}
        results = []
        for slot, row, texts in found:
            name = slot.instance(row)
            results.append(textarea_result(name, texts, result_id(doc_id, name)))
            if row is not None:
                rows[slot.path[0]] = max(rows.get(slot.path[0], 0), row + 1)
        return results, misfits, rows

    def from_results(self, results: Any) -> tuple[dict[str, Any], list[str], int]:
        """The gold JSON of one annotation, its problems (``field ...: ...``), and its box count."""
        if not isinstance(results, list):
            return {}, ["result: not a list"], 0
        problems: list[str] = []
        singles: dict[tuple[tuple[str, ...], int | None], str] = {}  # (slot path, row) → text
        multis: dict[str, list[str]] = {}
        n_boxes = 0
        known_boxes = set(self.box_labels())
        for i, r in enumerate(results):
            if not isinstance(r, dict):
                problems.append(f"result[{i}]: not an object")
                continue
            name, kind, value = r.get("from_name"), r.get("type"), r.get("value")
            if name == BOX_CONTROL:
                labels = value.get("rectanglelabels") if isinstance(value, dict) else None
                if kind != "rectanglelabels" or not isinstance(labels, list):
                    problems.append(f"{BOX_CONTROL}: a 'rectanglelabels' result with value.rectanglelabels expected")
                    continue
                problems += [f"{BOX_CONTROL}: unknown label {lb!r}" for lb in labels if lb not in known_boxes]
                n_boxes += 1
                continue
            hit = self.lookup(name) if isinstance(name, str) else None
            if hit is None:
                problems.append(f"from_name {name!r}: unknown label (no control of this task's schema has that name)")
                continue
            slot, row = hit
            where = f"field {slot.path[0]}[{row}].{slot.path[1]}" if row is not None else f"field {slot.label}"
            if row is not None and row >= MAX_ROWS:
                problems.append(f"{where}: row {row} is beyond {MAX_ROWS}")
                continue
            texts = value.get("text") if isinstance(value, dict) else None
            if kind != "textarea" or not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                problems.append(f"{where}: expected a 'textarea' result with value.text a list of strings")
                continue
            texts = [t.strip() for t in texts if t.strip()]
            if any(len(t) > MAX_TEXT for t in texts):
                problems.append(f"{where}: a text longer than {MAX_TEXT} characters")
                continue
            if slot.kind == "multi":
                multis.setdefault(slot.path[0], []).extend(texts)
                continue
            if len(texts) > 1:
                problems.append(f"{where}: {len(texts)} texts for one value ({texts[:3]})")
                continue
            if not texts:
                continue
            if slot.field.type == "number" and not fits_number(texts[0]):
                problems.append(f"{where}: {texts[0]!r} does not fit the schema (type number)")
                continue
            if (slot.path, row) in singles:
                problems.append(f"{where}: given twice")
                continue
            singles[slot.path, row] = texts[0]
        return self._assemble(singles, multis), problems, n_boxes

    def _assemble(self, singles: dict[tuple[tuple[str, ...], int | None], str],
                  multis: dict[str, list[str]]) -> dict[str, Any]:
        """The gold JSON in schema order: empty objects, rows and lists left out."""
        gold: dict[str, Any] = {}
        for f in self.fields:
            if f.type == "object" and f.fields:
                members = {m.key: singles[(f.key, m.key), None] for m in f.fields if ((f.key, m.key), None) in singles}
                if members:
                    gold[f.key] = members
            elif f.type == "list" and f.fields:
                rows = sorted({row for (path, row) in singles if path[0] == f.key and row is not None})
                table = [{m.key: singles[(f.key, m.key), r] for m in f.fields if ((f.key, m.key), r) in singles}
                         for r in rows]
                if table:
                    gold[f.key] = table
            elif f.type == "list":
                if multis.get(f.key):
                    gold[f.key] = multis[f.key]
            elif ((f.key,), None) in singles:
                gold[f.key] = singles[(f.key,), None]
        return gold
