"""Capture conditions of a document: a flat, bounded ``name -> value`` mapping.

A document (and the prediction record made from it) may say how it was made or captured:
``{"rotation": "<3°", "crop": "table", "table_groups": 2, "moire": False}`` for a synthetic page,
``{"image_type": "photo", "image_quality": "blurred"}`` for a real one. Values are strings,
numbers or booleans; continuous quantities are bucketed into readable levels so that documents
can be grouped by them (``medvie-bench compare --by rotation``).

Manifests are untrusted input, so names and values are bounded here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator

ConditionValue = bool | int | float | str
Conditions = dict[str, ConditionValue]

MAX_CONDITIONS = 48
MAX_VALUE_CHARS = 80
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,47}$")


def check_conditions(raw: Any) -> Conditions:
    """``raw`` as conditions, or ``ValueError`` naming the offending entry."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"conditions must be an object of name: value, got {type(raw).__name__}")
    if len(raw) > MAX_CONDITIONS:
        raise ValueError(f"at most {MAX_CONDITIONS} conditions, got {len(raw)}")
    out: Conditions = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise ValueError(f"condition name {str(name)[:60]!r}: use letters, digits, '_', '.', '-' "
                             "(at most 48, starting with a letter)")
        if isinstance(value, bool | int):
            out[name] = value
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(f"condition {name!r}: the number must be finite")
            out[name] = value
        elif isinstance(value, str):
            if len(value) > MAX_VALUE_CHARS or "\n" in value:
                raise ValueError(f"condition {name!r}: a value is one line of at most "
                                 f"{MAX_VALUE_CHARS} characters")
            out[name] = value
        else:
            raise ValueError(f"condition {name!r}: a value is a string, a number or true/false, "
                             f"got {type(value).__name__}")
    return out


def level(value: ConditionValue | None) -> str:
    """The group label of a condition value (``True`` → ``yes``; a missing one → ``(none)``)."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# words of graded levels, mildest first (``none`` < ``low`` < ... < ``heavy``)
GRADES = ("no", "yes", "none", "low", "mild", "mid", "medium", "high", "strong", "heavy")


def level_order(levels: Iterable[str]) -> list[str]:
    """Levels in a reading order: graded words mildest first (``no`` before ``yes``), then numbers
    numerically, then everything else as printed (``0``, ``<3°``, ``≥3°``); ``(none)`` last."""

    def key(v: str) -> tuple[int, float, str]:
        if v == "(none)":
            return (3, 0.0, v)
        if v in GRADES:
            return (0, float(GRADES.index(v)), v)
        try:
            return (1, float(v), v)
        except ValueError:
            return (2, 0.0, v)

    return sorted(set(levels), key=key)


# a pydantic field type: bounded conditions (see ``check_conditions``)
ConditionsField = Annotated[Conditions, BeforeValidator(check_conditions)]


def group_by_level(conditions: Iterable[Mapping[str, Any] | None], name: str) -> dict[str, list[int]]:
    """Positions of the documents per level of condition ``name``, levels in reading order
    (documents without it fall under ``(none)``)."""
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(conditions):
        groups.setdefault(level((c or {}).get(name)), []).append(i)
    return {lv: groups[lv] for lv in level_order(groups)}


def condition_names(conditions: Iterable[Mapping[str, Any] | None]) -> list[str]:
    """Every condition name that any document carries, sorted."""
    return sorted({k for c in conditions if c for k in c})
