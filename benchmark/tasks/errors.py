"""Task errors that name the file, the field and, where possible, a suggestion."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic is imported where it is used: `medvie-bench --help` imports this module
    from pydantic import BaseModel, ValidationError


class TaskError(Exception):
    """A task file or task name that cannot be used. ``str()`` is the message for a person."""


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at ``loc`` of ``model`` (best effort, for suggestions)."""
    from typing import get_args

    from pydantic import BaseModel

    current: object = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            # a discriminated-union tag, e.g. 'jsonl': pick the union member named by it
            members = [a for a in get_args(current) if hasattr(a, "model_fields")]
            for m in members:
                tag = m.model_fields.get("type")
                if tag is not None and part in get_args(tag.annotation):
                    current = m
                    break
            continue
        ann = fields[part].annotation
        candidates = [ann, *get_args(ann)]
        for a in list(candidates):
            candidates.extend(get_args(a))
        models = list(dict.fromkeys(c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)))
        current = models[0] if len(models) == 1 else (candidates[0] if candidates else None)
    known = getattr(current, "known_keys", None)  # a model whose keys depend on a plug-in (source:)
    if callable(known):
        return list(known())
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def key_line(text: str, field: str) -> int | None:
    """1-based line of a dotted field (``prompt.template``, ``source.splits.test``, ``fields.0.key``)
    in YAML text; the deepest part found (None when not even the first is there)."""
    import yaml

    try:
        node = yaml.compose(text)
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for part in field.split("."):
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part]
            if not match:
                return line
            line, node = match[0][0].start_mark.line + 1, match[0][1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def format_validation_error(
    path: Path, exc: ValidationError, model: type[BaseModel], what: str = "task", text: str | None = None
) -> str:
    """One header line, then one line per problem; with the file's ``text``, each problem found
    in it starts with its line number."""
    lines = [f"{path}: invalid {what} ({exc.error_count()} problem(s))"]
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        line = key_line(text, where) if text is not None and err["type"] != "missing" else None
        msg = err["msg"]
        hint = ""
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
            close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(model, loc), n=1)
            if close:
                hint = f" (did you mean {close[0]!r}?)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  - {f'line {line}: ' if line else ''}field {where}: {msg}{hint}")
    return "\n".join(lines)


def suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""


_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "true/false", type(None): "null"}


def json_type(value: object) -> str:
    """How a JSON value is named in an error (``got a list``)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)
