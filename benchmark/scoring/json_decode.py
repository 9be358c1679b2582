"""Decoding JSON text with orjson where it gives exactly what ``json`` gives, ``json`` elsewhere.

orjson decodes a document a few times faster, accepts strict JSON only and refuses everything
else (``NaN``, a lone surrogate, trailing text, nesting past 1,024): for those ``json`` still
decides, with its own errors. One silent difference remains: orjson reads an integer beyond 64
bits as a float, so text holding a run of 19 or more digits is left to ``json`` as well. (orjson
also decodes nesting deep enough for ``json`` to raise ``RecursionError``; every caller refuses
a value nested deeper than ``MAX_JSON_DEPTH`` after decoding, so the outcome is the same.)
"""

from __future__ import annotations

from typing import Any

try:
    import orjson as _orjson
except ImportError:  # optional speed-up: json alone gives the same values
    _orjson = None

_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19  # a run of digits: sought in the translated bytes (a regex is ten times slower)
_UNDECIDED = object()


def decode_strict(text: str) -> Any:
    """The value of ``text`` when it is one strict JSON document orjson decodes exactly as
    ``json.loads`` would; else ``UNDECIDED`` (the caller decodes with ``json``)."""
    if _orjson is None:
        return _UNDECIDED
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate: json's to judge
        return _UNDECIDED
    if _LONG_DIGITS in data.translate(_DIGITS_AS_ZERO):
        return _UNDECIDED
    try:
        return _orjson.loads(data)
    except _orjson.JSONDecodeError:
        return _UNDECIDED


UNDECIDED = _UNDECIDED
