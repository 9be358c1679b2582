"""Hostile input to ``medvie-bench score --gold G --pred P``: every bad file is one line naming the
file, the line and the field, exit 2, nothing printed on stdout; a hostile *answer* (the model's
output) is scored, never fatal. The cases run the real CLI as a process on real files; the
property tests feed arbitrary JSON and bytes through the functions behind it.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.offline_scoring import score_data
from benchmark.scoring import parse_output
from benchmark.scoring.depth import MAX_JSON_DEPTH
from benchmark.tasks.errors import TaskError

GOLD_OK = b'{"id": "a", "gt": {"name": "x", "age": "45"}}\n{"id": "b", "gt": {"name": "y"}}\n'
PRED_OK = b'{"id": "a", "output": "{\\"name\\": \\"x\\"}"}\n{"id": "b", "prediction": {"name": "y"}}\n'
DEEP = b'{"a": ' * 5000 + b"1" + b"}" * 5000
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 4  # a PNG header, then every byte


def _score(tmp_path: Path, gold: bytes, pred: bytes, *extra: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "gold.jsonl").write_bytes(gold)
    (tmp_path / "pred.jsonl").write_bytes(pred)
    return subprocess.run(
        [sys.executable, "-m", "benchmark.cli", "score", "--gold", "gold.jsonl", "--pred", "pred.jsonl", *extra],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=60,
        check=False,
    )


# (case, gold bytes, prediction bytes, text the one error line must contain)
BAD_INPUT = [
    ("gold not UTF-8", b'{"id": "a", "gt": {"name": "\xff\xfe"}}\n', PRED_OK, "gold.jsonl:1: not UTF-8"),
    ("gold binary garbage", GOLD_OK + BINARY, PRED_OK, "gold.jsonl:3: not UTF-8"),
    ("gold nested 5000 deep", b'{"id": "a", "gt": ' + DEEP + b"}\n", PRED_OK, "gold.jsonl:1: field 'gt': nested"),
    ("gold deep and torn", b'{"id": "a", "gt": ' + b"[" * 5000 + b"\n", PRED_OK, "gold.jsonl:1: not JSON"),
    ("gold gt is a list", b'{"id": "a", "gt": [1, 2]}\n', PRED_OK, "gold.jsonl:1: field 'gt': expected a JSON object"),
    ("gold gt is a string", b'{"id": "a", "gt": "x"}\n', PRED_OK, "gold.jsonl:1: field 'gt': expected a JSON object"),
    ("gold gt missing", b'{"id": "a"}\n', PRED_OK, "gold.jsonl:1: field 'gt' is missing"),
    ("gold id is null", b'{"id": null, "gt": {}}\n', PRED_OK, "gold.jsonl:1: field 'id': expected a string"),
    ("gold empty", b"", PRED_OK, "gold.jsonl: no gold documents"),
    ("gold blank lines only", b"\n  \n\n", PRED_OK, "gold.jsonl: no gold documents"),
    ("gold duplicated id", GOLD_OK + b'{"id": "a", "gt": {"name": "z"}}\n', PRED_OK, "gold.jsonl:3: field 'id': dup"),
    ("gold torn line", GOLD_OK + b'{"id": "c", "gt": {"na', PRED_OK, "gold.jsonl:3: not JSON"),
    ("gold huge integer", b'{"id": "a", "gt": {"n": ' + b"1" * 5000 + b"}}\n", PRED_OK, "gold.jsonl:1: not usable"),
    ("prediction not UTF-8", GOLD_OK, b'{"id": "a", "output": "\xc3\x28"}\n', "pred.jsonl:1: not UTF-8"),
    ("prediction binary", GOLD_OK, PRED_OK + BINARY, "pred.jsonl:3: not UTF-8"),
    ("prediction line is 5", GOLD_OK, b"5\n", "pred.jsonl:1: expected a JSON object"),
    ("prediction line is null", GOLD_OK, PRED_OK + b"null\n", "pred.jsonl:3: expected a JSON object"),
    ("prediction line is a string", GOLD_OK, b'"a string"\n', "pred.jsonl:1: expected a JSON object"),
    ("prediction output is a number", GOLD_OK, b'{"id": "a", "output": 12345}\n', "pred.jsonl:1: field 'output'"),
    ("prediction output is a list", GOLD_OK, b'{"id": "a", "output": ["x"]}\n', "pred.jsonl:1: field 'output'"),
    ("prediction id is a list", GOLD_OK, b'{"id": ["a"], "output": "{}"}\n', "pred.jsonl:1: field 'id'"),
    ("prediction id missing", GOLD_OK, b'{"output": "{}"}\n', "pred.jsonl:1: field 'id' is missing"),
    ("prediction has no answer", GOLD_OK, b'{"id": "a"}\n', "pred.jsonl:1: needs field 'output'"),
]


@pytest.mark.parametrize(("gold", "pred", "expected"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, gold, pred, expected):
    proc = _score(tmp_path, gold, pred)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert expected in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl", "pred.jsonl"]


@pytest.mark.parametrize(
    ("gold_name", "pred_name", "expected"),
    [("missing.jsonl", "pred.jsonl", "missing.jsonl: cannot read"), (".", "pred.jsonl", ".: is a directory")],
    ids=["gold missing", "gold is a directory"],
)
def test_unreadable_file_is_one_line_exit_2(tmp_path, gold_name, pred_name, expected):
    (tmp_path / "pred.jsonl").write_bytes(PRED_OK)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark.cli", "score", "--gold", gold_name, "--pred", pred_name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert expected in proc.stderr


# (case, prediction bytes, expected parse error kinds); the answer is hostile, the file is fine
HOSTILE_ANSWERS = [
    ("prediction nested 5000 deep", b'{"id": "a", "prediction": ' + DEEP + b"}\n", {"too_deep": 1}),
    (
        "prediction just over the limit",
        b'{"id": "a", "prediction": ' + b'{"a": ' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1) + b"}\n",
        {"too_deep": 1},
    ),
    (
        "output text nested 5000 deep",
        b'{"id": "a", "output": ' + json.dumps(DEEP.decode()).encode() + b"}\n",
        {"too_deep": 1},
    ),
    ("prediction is a number", b'{"id": "a", "prediction": 5}\n', {"no_json": 1}),
    ("output is null (no answer)", b'{"id": "a", "output": null}\n', {}),
    ("output is binary-looking text", b'{"id": "a", "output": "\\u0000\\u00ff\\ud800"}\n', {"no_json": 1}),
    (
        "output with a 5000-digit number",
        b'{"id": "a", "output": "{\\"age\\": ' + b"9" * 5000 + b'}"}\n',
        {"invalid_json": 1},
    ),
    (
        "output of 20000 think tags",
        b'{"id": "a", "output": "</think>' + b"<think>" * 20000 + b'"}\n',
        {"unclosed_think": 1},
    ),
]


@pytest.mark.parametrize(("pred", "kinds"), [c[1:] for c in HOSTILE_ANSWERS], ids=[c[0] for c in HOSTILE_ANSWERS])
def test_hostile_answer_is_scored_not_fatal(tmp_path, pred, kinds):
    proc = _score(tmp_path, GOLD_OK, pred, "--json")
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout)
    assert metrics["parse_error_kinds"] == kinds
    assert (metrics["tp"], metrics["fn"]) == (0, 3)


def test_repeated_prediction_ids_warn_count_and_last_wins(tmp_path):
    pred = PRED_OK + b'{"id": "a", "prediction": {"name": "x", "age": "45"}}\n{"id": "zz", "output": "{}"}\n'
    proc = _score(tmp_path, GOLD_OK, pred, "--json")
    assert proc.returncode == 0, proc.stderr
    warnings = proc.stderr.splitlines()
    assert len(warnings) == 2
    assert "pred.jsonl: 1 line(s) repeat an id" in warnings[0] and "lines 1 and 3" in warnings[0]
    assert "pred.jsonl: 1 line(s) have an id not in gold.jsonl" in warnings[1] and "'zz' on line 4" in warnings[1]
    metrics = json.loads(proc.stdout)
    assert metrics["n_duplicate_predictions"] == 1 and metrics["n_unknown_predictions"] == 1
    assert (metrics["tp"], metrics["fp"], metrics["fn"]) == (3, 0, 0)  # the last line for "a" was scored


def test_accepted_prediction_formats_are_kept(tmp_path):
    """Raw output text (fences, think tags), a parsed ``prediction``, integer ids, CRLF and a BOM."""
    gold = b'\xef\xbb\xbf{"id": 1, "gt": {"name": "x"}}\r\n{"id": "2", "gt": {"name": "y"}}\r\n'
    pred = (
        b'{"id": "1", "output": "<think>hm</think>```json\\n{\\"name\\": \\"x\\"}\\n```"}\r\n'
        b'{"id": 2, "prediction": {"name": "y"}}\r\n'
    )
    proc = _score(tmp_path, gold, pred, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    metrics = json.loads(proc.stdout)
    assert (metrics["tp"], metrics["fp"], metrics["fn"], metrics["n_predictions"]) == (2, 0, 0, 2)


def test_lone_surrogate_key_in_an_answer_prints(tmp_path):
    proc = _score(tmp_path, GOLD_OK, b'{"id": "a", "prediction": {"\\udc80": "x"}}\n')
    assert proc.returncode == 0, proc.stderr
    assert "\\udc80" in proc.stdout


# ---- arbitrary JSON and bytes through the score path (in process, the functions behind the CLI)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6))
keys = st.one_of(st.sampled_from(["name", "Name", "age", "items"]), st.text(max_size=3))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
objects = st.dictionaries(keys, json_values, max_size=4)
doc_ids = st.sampled_from(["a", "b", "c", "d"])
ids = st.one_of(doc_ids, st.integers(0, 3), json_values)


def _weighted(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``common`` three times out of four, so that most files are valid and get scored."""
    return st.integers(0, 3).flatmap(lambda i: rare if i == 0 else common)


valid_gold = st.dictionaries(doc_ids, objects, min_size=1, max_size=4).map(
    lambda d: [{"id": k, "gt": v} for k, v in d.items()]
)
hostile_gold = st.lists(st.one_of(st.fixed_dictionaries({"id": ids, "gt": json_values}), json_values), max_size=4)
gold_files = _weighted(valid_gold, hostile_gold)
valid_answers = st.one_of(
    st.fixed_dictionaries({"id": doc_ids, "output": st.one_of(st.text(max_size=30), objects.map(json.dumps))}),
    st.fixed_dictionaries({"id": doc_ids, "prediction": st.one_of(objects, json_values)}),
)
hostile_answers = st.one_of(
    st.fixed_dictionaries({"id": ids, "output": json_values}),
    st.fixed_dictionaries({"id": ids, "prediction": json_values}),
    json_values,
)
answers = _weighted(valid_answers, st.integers(0, 1).flatmap(lambda i: hostile_answers if i else valid_answers))


def _jsonl(rows: list, ascii_only: bool) -> bytes:
    text = "".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in rows)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes that are not UTF-8


def _check(gold: bytes, pred: bytes) -> None:
    try:
        metrics = score_data(gold, pred, Path("gold.jsonl"), Path("pred.jsonl"))
    except TaskError as exc:
        message = str(exc)
        assert message.startswith(("gold.jsonl", "pred.jsonl")) and "\n" not in message
        return
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= metrics[key] <= 1.0 and not math.isnan(metrics[key])
    assert metrics["n_docs"] >= 1


@given(gold_files, st.lists(answers, min_size=1, max_size=4), st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_json_lines_score_or_fail_cleanly(gold_rows_, answers_, ascii_only):
    _check(_jsonl(gold_rows_, ascii_only), _jsonl(answers_, ascii_only))


@given(st.binary(max_size=200), st.binary(max_size=200), valid_gold)
@settings(max_examples=100, deadline=None)
def test_arbitrary_bytes_score_or_fail_cleanly(gold_bytes, pred_bytes, rows):
    _check(gold_bytes, pred_bytes)
    _check(_jsonl(rows, True), pred_bytes)  # a gold file that may be valid, with garbage predictions


def test_gold_objects_without_a_task_are_scored_as_nested_fields():
    """Found by the fuzz test in CI: a gold field holding an object (empty or not) made the ad hoc
    task declare an object field without members, a pydantic traceback instead of a score."""
    gold = _jsonl([{"id": "a", "gt": {"name": {}}}, {"id": "b", "gt": {"name": {"first": "Li", "last": "Wei"}}}], True)
    pred = _jsonl([{"id": "b", "prediction": {"name": {"first": "Li", "last": "Wang"}}}], True)
    metrics = score_data(gold, pred, Path("gold.jsonl"), Path("pred.jsonl"))
    assert (metrics["tp"], metrics["fp"], metrics["fn"]) == (1, 1, 1)
    _check(gold, _jsonl([{"id": "b", "prediction": {}}], False))


_LAZY_THINK = re.compile(r"<think>(.*?)</think>", re.S)  # how parse_output found the thinking before


@given(st.lists(st.sampled_from(["<think>", "</think>", "<think></think>", "a", '{"a": 1}', "\n"]), max_size=10))
@settings(max_examples=200, deadline=None)
def test_think_tags_are_found_as_the_lazy_regex_found_them(parts):
    raw = "".join(parts)
    res = parse_output(raw)
    old = _LAZY_THINK.search(raw)
    if old:
        assert res.has_think and res.think_chars == len(old.group(1))
    elif "<think>" in raw:
        assert res.error == "unclosed_think" and res.think_chars == len(raw.split("<think>", 1)[1])
    else:
        assert not res.has_think
