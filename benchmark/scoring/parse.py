"""Parsing a model's raw output into a JSON object, never guessing.

Steps: strip ``<think>…</think>`` (its length is recorded), take ``<answer>…</answer>`` when
present, strip Markdown code fences, then decode the first JSON value that starts at the first
``{``; trailing text is ignored. A truncated or invalid JSON, or a JSON value that is not an
object, is a parse error: the caller then counts every gold pair as a false negative. An object
nested deeper than ``MAX_JSON_DEPTH`` containers is the parse error ``too_deep``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from benchmark.scoring.depth import MAX_JSON_DEPTH, exceeds_depth
from benchmark.scoring.json_decode import UNDECIDED, decode_strict

_ANSWER = re.compile(r"<answer>(.*?)(?:</answer>|$)", re.S)
_FENCE = re.compile(r"```(?:json|JSON)?\s*")
_DECODER = json.JSONDecoder()

PARSE_ERRORS = (
    "empty_output",
    "no_json",
    "truncated_json",
    "invalid_json",
    "not_an_object",
    "unclosed_think",
    "too_deep",
)


@dataclass(slots=True, frozen=True)
class ParseResult:
    value: dict[str, Any] | None
    error: str | None
    think_chars: int = 0
    has_think: bool = False
    has_answer: bool = False


def parse_output(raw: str | None) -> ParseResult:
    """Parse raw model text; arbitrary input never raises."""
    if raw is None or not raw.strip():
        return ParseResult(None, "empty_output")
    text = raw
    think_chars = 0
    has_think = False
    # the first <think> and the first </think> after it (what a lazy regex finds, in linear time)
    think_start = text.find("<think>")
    think_end = text.find("</think>", think_start + 7) if think_start >= 0 else -1
    if think_end >= 0:
        has_think = True
        think_chars = think_end - think_start - 7
        text = text[:think_start] + text[think_end + 8 :]
    elif think_start >= 0:
        return ParseResult(None, "unclosed_think", len(text) - think_start - 7, True)
    answer = _ANSWER.search(text)
    has_answer = answer is not None
    if answer:
        text = answer.group(1)
    text = _FENCE.sub("", text)
    start = text.find("{")
    if start < 0:
        return ParseResult(None, "no_json", think_chars, has_think, has_answer)
    value = decode_strict(text[start:])  # the common answer: one JSON object and nothing after it
    if value is UNDECIDED:
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            rest = text[exc.pos :].strip().rstrip("`").strip()
            kind = "truncated_json" if not rest else "invalid_json"
            return ParseResult(None, kind, think_chars, has_think, has_answer)
        except ValueError:  # e.g. an integer literal over Python's 4300-digit limit
            return ParseResult(None, "invalid_json", think_chars, has_think, has_answer)
        except RecursionError:
            return ParseResult(None, "too_deep", think_chars, has_think, has_answer)
    if not isinstance(value, dict):
        return ParseResult(None, "not_an_object", think_chars, has_think, has_answer)
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH and exceeds_depth(value, MAX_JSON_DEPTH):
        return ParseResult(None, "too_deep", think_chars, has_think, has_answer)
    return ParseResult(value, None, think_chars, has_think, has_answer)
