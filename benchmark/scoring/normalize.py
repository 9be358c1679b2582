"""Normalisation rules for keys and values (documented in the README, section "Scoring rules").

Values: Unicode NFKC, casefold, all whitespace removed. Two values that both parse as numbers
(after removing thousands separators of the form ``1,234,567.8``) compare numerically, so
``13.20 == 13.2`` and ``1,000 == 1000``. A value becomes a hashable *canonical key*; two values
match exactly when their canonical keys are equal, which keeps matching a set/multiset operation.

Keys: NFKC, casefold, and ``_``, ``-`` and whitespace treated alike (``Item Name`` ==
``item_name`` == ``item-name``).

Per-field rules (a task's ``scoring.value_rules``) replace the default for a field path:
``default`` (above), ``exact`` (NFKC and outer whitespace only), ``text`` (default but never
numeric), ``number`` (numeric when parseable, else default), ``alnum`` (default, then
punctuation dropped), ``date`` (parsed to ISO ``YYYY-MM-DD`` when parseable, day first unless the year
comes first; else default).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_WS = re.compile(r"\s+")
_KEY_SEP = re.compile(r"[\s_\-]+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_PUNCT = re.compile(r"[^\w]+")
_YEAR_FIRST = re.compile(r"^\d{4}[-/.年]")

Canon = tuple[str, Any]
VALUE_RULES = ("default", "exact", "text", "number", "alnum", "date")


@lru_cache(maxsize=4096)
def normalize_key(key: str) -> str:
    """Canonical form of one key segment."""
    return _KEY_SEP.sub("_", unicodedata.normalize("NFKC", key).casefold()).strip("_")


def _text(value: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", value).casefold())


def _as_number(text: str) -> float | None:
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        try:
            return float(text)
        except ValueError:  # pragma: no cover - regex guarantees a float literal
            return None
    return None


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@lru_cache(maxsize=65536)
def canon_default(raw: str) -> Canon:
    text = _text(raw)
    number = _as_number(text)
    if number is not None:
        return ("n", number + 0.0)
    return ("s", text)


def _canon_exact(raw: str) -> Canon:
    return ("s", unicodedata.normalize("NFKC", raw).strip())


def _canon_text(raw: str) -> Canon:
    return ("s", _text(raw))


def _canon_alnum(raw: str) -> Canon:
    kind, value = canon_default(raw)
    if kind == "n":
        return (kind, value)
    return ("s", _PUNCT.sub("", value))


def _canon_date(raw: str) -> Canon:
    from dateutil import parser as date_parser

    text = unicodedata.normalize("NFKC", raw).strip()
    year_first = _YEAR_FIRST.match(text) is not None
    try:
        parsed = date_parser.parse(text, dayfirst=not year_first, yearfirst=year_first, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return canon_default(raw)
    return ("d", parsed.date().isoformat())


_RULES: dict[str, Callable[[str], Canon]] = {
    "default": canon_default,
    "number": canon_default,
    "exact": _canon_exact,
    "text": _canon_text,
    "alnum": _canon_alnum,
    "date": _canon_date,
}


def canonical_value(value: Any, rule: str = "default") -> Canon:
    """The canonical key of a scalar leaf under a value rule."""
    return _RULES[rule](_scalar_text(value))


def is_empty(value: Any) -> bool:
    """Empty values (None, "", whitespace-only, [], {}) are dropped on both sides."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False
