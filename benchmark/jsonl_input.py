"""Reading a JSONL file a user handed in: every problem is one line naming the file and the line.

Bounds: at most ``MAX_INPUT_BYTES`` per file (so ``/dev/zero`` or a wrong path cannot exhaust
memory); lines are strict UTF-8 (an optional BOM on the first line is dropped); a line nesting
deeper than the scorer's ``MAX_JSON_DEPTH`` (plus one level for the line's own object) is decoded
with its deep containers capped, so the caller's depth check on a field still refuses or scores it
and nothing recurses deeply. Lines end with ``\\n``, ``\\r\\n`` or ``\\r``; blank lines are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.scoring.depth import MAX_JSON_DEPTH, cap_depth, exceeds_depth
from benchmark.scoring.json_decode import UNDECIDED, decode_strict
from benchmark.tasks.errors import TaskError

MAX_INPUT_BYTES = 512 * 1024 * 1024
_LINE_END = re.compile(rb"\r\n|\r|\n")
_LINE_DEPTH = MAX_JSON_DEPTH + 1  # the line's object around a field of the allowed depth


@dataclass(frozen=True, slots=True)
class JsonLine:
    lineno: int
    value: Any
    shallow: bool = False  # too few containers for anything in it to nest deeper than MAX_JSON_DEPTH


def read_input(path: Path) -> bytes:
    """The file's bytes, or a ``TaskError`` saying why they cannot be had."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except IsADirectoryError:
        raise TaskError(f"{path}: is a directory, not a JSONL file") from None
    except OSError as exc:
        raise TaskError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise TaskError(f"{path}: larger than {MAX_INPUT_BYTES // 2**20} MiB, the limit for a JSONL input")
    return data


def json_type(value: Any) -> str:
    """How a person calls a decoded JSON value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _first_clause(exc: Exception) -> str:
    return str(exc).splitlines()[0].split(":")[0]


def _decode(text: str, where: str) -> tuple[Any, bool]:
    """The line's value, and whether it holds too few containers for any value in it to nest
    deeper than ``MAX_JSON_DEPTH`` (then no caller needs to check)."""
    containers = text.count("{") + text.count("[")
    value = decode_strict(text)
    if value is UNDECIDED:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TaskError(f"{where}: not JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            return _decode_capped(text, where), False
        except ValueError as exc:  # an integer literal over Python's 4300-digit limit
            raise TaskError(f"{where}: not usable JSON ({_first_clause(exc)})") from None
    if containers > _LINE_DEPTH and exceeds_depth(value, _LINE_DEPTH):
        return _decode_capped(text, where), False
    return value, containers <= _LINE_DEPTH


def _decode_capped(text: str, where: str) -> Any:
    """Decode again with deep containers capped: shallow, and still over the limit."""
    try:
        return json.loads(cap_depth(text, _LINE_DEPTH + 1))
    except ValueError as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else _first_clause(exc)
        raise TaskError(f"{where}: not JSON ({msg}; nested deeper than {MAX_JSON_DEPTH} levels)") from None


def json_lines(data: bytes, name: str | Path) -> Iterator[JsonLine]:
    """Decoded non-blank lines of JSONL bytes; ``name`` is the file named in errors."""
    for index, chunk in enumerate(_LINE_END.split(data)):
        lineno = index + 1
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TaskError(
                f"{name}:{lineno}: not UTF-8 text (byte 0x{chunk[exc.start]:02x} at byte {exc.start + 1} of the line)"
            ) from None
        if index == 0:
            text = text.removeprefix("\ufeff")
        if text.strip():
            value, shallow = _decode(text, f"{name}:{lineno}")
            yield JsonLine(lineno, value, shallow)
