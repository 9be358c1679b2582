"""Per-document counts: the scorer's only output, from which every aggregate is computed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ERROR_KINDS = (
    "missing_key",  # gold pair whose path the prediction never mentions
    "hallucinated_key",  # predicted pair whose path is absent from the gold
    "wrong_value",  # path in both; a gold value paired off with a different predicted value
    "missing_value",  # path in both; more gold values than predicted ones
    "extra_value",  # path in both; more predicted values than gold ones
)


@dataclass(slots=True)
class DocCounts:
    """TP/FP/FN of one document, overall and per field path, plus the error taxonomy."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # path -> [tp, fp, fn]
    errors: dict[str, int] = field(default_factory=dict)
    parse_error: str | None = None

    def add_field(self, path: str, tp: int, fp: int, fn: int) -> None:
        row = self.fields.get(path)
        if row is None:
            self.fields[path] = [tp, fp, fn]
        else:
            row[0] += tp
            row[1] += fp
            row[2] += fn
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "fields": {k: list(v) for k, v in sorted(self.fields.items())},
            "errors": dict(self.errors),
            "parse_error": self.parse_error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocCounts:
        return cls(
            tp=int(data["tp"]),
            fp=int(data["fp"]),
            fn=int(data["fn"]),
            fields={k: [int(x) for x in v] for k, v in data.get("fields", {}).items()},
            errors={k: int(v) for k, v in data.get("errors", {}).items()},
            parse_error=data.get("parse_error"),
        )


def total(counts: Iterable[DocCounts]) -> DocCounts:
    """Sum of documents' counts (fields and errors summed too)."""
    out = DocCounts()
    for c in counts:
        for path, (tp, fp, fn) in c.fields.items():
            out.add_field(path, tp, fp, fn)
        for kind, n in c.errors.items():
            out.errors[kind] = out.errors.get(kind, 0) + n
    return out
