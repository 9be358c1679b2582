"""Whether a document's gold fits its task's fields, and whether its image can be read
(``tasks validate --data``; each source type reports the documents it read)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from benchmark.images import ImageInputError, check_image
from benchmark.scoring.normalize import normalize_key
from benchmark.tasks.errors import json_type, suggest

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.tasks.spec import FieldSpec, TaskSpec


def gold_problems(fields: list[FieldSpec], gt: dict[str, Any], unknown_keys: bool = True) -> list[tuple[str, str]]:
    """(field path, problem) where ``gt`` does not fit the schema. ``unknown_keys``: report keys the
    schema lacks (a manifest written for the task; a shared HF dataset may carry more)."""
    problems: list[tuple[str, str]] = []

    def walk(specs: list[FieldSpec], value: dict[str, Any], prefix: str) -> None:
        known = {normalize_key(f.key): f for f in specs}
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            spec = known.get(normalize_key(str(key)))
            if spec is None:
                if unknown_keys:
                    hint = suggest(str(key), [f.key for f in specs])
                    problems.append((path, f"unknown key: not among the task's fields.{hint}".rstrip(".")))
            elif item is not None:
                check(spec, item, path)

    def check(spec: FieldSpec, item: Any, path: str) -> None:
        if spec.type == "object":
            if isinstance(item, dict):
                walk(spec.fields or [], item, path)
            else:
                problems.append((path, f"expected an object (type: object), got {json_type(item)}"))
        elif spec.type == "list":
            if not isinstance(item, list):
                problems.append((path, f"expected a list (type: list), got {json_type(item)}"))
                return
            for i, element in enumerate(item):
                if spec.fields and not isinstance(element, dict):
                    problems.append((f"{path}[{i}]", f"expected an object, got {json_type(element)}"))
                elif spec.fields:
                    walk(spec.fields, element, f"{path}[{i}]")
        elif isinstance(item, dict):
            problems.append((path, f"expected a value (type: {spec.type}), got an object"))

    walk(fields, gt, "")
    return problems


def document_problems(spec: TaskSpec, doc: Document, where: str, unknown_keys: bool) -> Iterable[str]:
    for path, problem in gold_problems(spec.fields, doc.gt, unknown_keys):
        yield f"{where}: field gt.{path}: {problem}"
    if doc.image:
        try:
            check_image(doc.image)
        except ImageInputError as exc:
            yield f"{where}: field image: {exc}"
