"""orjson's fast path gives exactly ``json``'s values (types, key order, numbers) or steps aside;
the parse of model output and the reading of JSONL lines are the same with and without it."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from benchmark.scoring import json_decode
from benchmark.scoring.depth import MAX_JSON_DEPTH, exceeds_depth
from benchmark.scoring.json_decode import UNDECIDED, decode_strict
from benchmark.scoring.parse import parse_output

EDGE_TEXTS = [
    '{"a": 123456789012345678901234567890}', '{"a": -9223372036854775809}', '{"a": 18446744073709551615}',
    '{"a": 9223372036854775807}', '{"a": 1e400}', '{"a": -1e400}', '{"a": 1e-400}', '{"a": NaN}', '{"a": Infinity}',
    '{"a": "\\ud800"}', '{"a": "\\udc00\\ud800"}', '{"a": 1, "b": 2, "a": 3}', '{"a": -0}', '{"a": -0.0}',
    '{"a": 1.0000000000000000000001}', '{"a": 0.1e1}', '{"a": 5e-324}', '{"a": 2.4e-324}',
    '{"a": 1.7976931348623157e308}', '{"a": 12345678901234567.5}', '{"a": "\\u0000\\t\\n"}', '{"a": 1} x',
    '{"a": 1}  \n', '\ufeff{"a": 1}', '{"a": [}', '{"a": 1,}', "{'a': 1}", '{"a": tru}', '{"a": "x\u2028y"}',
    '{"é": "阴性", "ü": ["↑", {"x": null}]}', "[1, 2]", '"s"', "1", "", " ", "{" * 2000 + "}" * 2000,
    '{"a": ' * 1100 + "1" + "}" * 1100, '{"a": 01}', '{"a": .5}', '{"a": +1}',
]


def _number(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 24))).lstrip("0") or "0"
    text = rng.choice(["", "-"]) + digits
    if rng.random() < 0.5:
        text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20)))
    if rng.random() < 0.3:
        text += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.randint(0, 330))
    return text


def _text(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        items = [f'{json.dumps(rng.choice(["a", "b", "Item Name", "é"]))}: {_text(rng, depth + 1)}'
                 for _ in range(rng.randint(0, 4))]
        return "{" + ", ".join(items) + "}"
    if depth < 3 and roll < 0.45:
        return "[" + ",".join(_text(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    if roll < 0.75:
        return _number(rng)
    word = rng.choice(["x", "13.2", "\ud800", "阴性", "a\\b", "\u0000", "𝔘"])
    return json.dumps(word, ensure_ascii=rng.random() < 0.5)


def _same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b) and (not isinstance(a, dict) or list(a) == list(b))


def test_strict_decoding_equals_json_or_steps_aside():
    rng = random.Random(5)
    texts = EDGE_TEXTS + ["{" + f'"v": {_text(rng)}' + "}" for _ in range(3000)]
    decided = 0
    for text in texts:
        got = decode_strict(text)
        if got is UNDECIDED:
            continue
        decided += 1
        try:
            want = json.loads(text)
        except RecursionError:  # json's recursion gives up; both readers refuse that depth anyway
            assert exceeds_depth(got, MAX_JSON_DEPTH)
            continue
        assert _same(got, want), text
    assert decided > len(texts) // 2


@pytest.mark.parametrize("wrap", ["{}", "```json\n{}\n```", "<think>x</think>{} trailing", "<answer>{}</answer>"])
def test_parse_output_is_the_same_without_orjson(monkeypatch, wrap):
    rng = random.Random(6)
    raws = [wrap.replace("{}", text) for text in EDGE_TEXTS + ["{" + f'"v": {_text(rng)}' + "}" for _ in range(500)]]
    fast = [parse_output(raw) for raw in raws]
    monkeypatch.setattr(json_decode, "_orjson", None)
    for raw, got in zip(raws, fast, strict=True):
        want = parse_output(raw)
        assert _same(got.value, want.value) and got.error == want.error, raw
