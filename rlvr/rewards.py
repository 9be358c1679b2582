"""Verifiable rewards for GRPO, in the shape TRL's ``GRPOTrainer`` calls them.

``reward_func(prompts, completions, **dataset_columns) -> list[float]``: ``completions`` are
strings (text datasets) or chat message lists (conversational datasets); extra dataset columns
arrive as keyword lists, one entry per completion. The columns used here are ``gt`` (the gold JSON
as a string) and ``queried_keys`` (JSON list of the queried keys, or ``null`` = all), plus the
optional ``thinking`` (bool), ``list_matching``, ``value_rules`` and ``scalar_paths`` (JSON strings;
``scalar_paths``: a list given for one of these fields is one wrong value, as in evaluation runs).

- ``format_reward``: 1.0 when the output follows the mode (``<think>…</think><answer>JSON
  </answer>`` with thinking; a JSON object with no think/answer tags without), else 0.0.
- ``match_reward``: a·P + (1−a)·R over flattened key/value pairs, with counts from
  ``benchmark.scoring.score_document`` (the benchmark's own matcher; nothing is re-implemented
  here). P is 0 when nothing is predicted but something was to be found, or the output does not
  parse; when the queried keys are all absent from the gold (``schema:K`` sampling), leaving them
  out is right (P = R = 1) and any value is a false positive (P = 0, R = 1).

The paper's reward is r = r_format + a·P + (1−a)·R: pass both functions to ``GRPOTrainer``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from benchmark.scoring import parse_output, score_document

_THINK_ANSWER = re.compile(r"^\s*<think>.+?</think>\s*<answer>(.+?)</answer>\s*$", re.S)
_TAGS = ("<think>", "</think>", "<answer>", "</answer>")


def completion_text(completion: Any) -> str:
    """The generated text of one completion (a string or a list of chat messages)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return completion_text(completion.get("content", ""))
    if isinstance(completion, Sequence):
        parts = []
        for item in completion:
            if isinstance(item, dict):
                content = item.get("content", item.get("text", ""))
                parts.append(completion_text(content) if not isinstance(content, str) else content)
            else:
                parts.append(str(item))
        return "".join(parts)
    return "" if completion is None else str(completion)


def follows_format(text: str, thinking: bool) -> bool:
    """Whether ``text`` has the output form of its mode and a JSON object as its answer."""
    if thinking:
        m = _THINK_ANSWER.match(text)
        if not m or m.group(1).count("<think>") or "<think>" in text[text.find("</think>") :]:
            return False
        parsed = parse_output(text)
        return parsed.value is not None and parsed.has_think and parsed.has_answer
    if any(tag in text for tag in _TAGS):
        return False
    parsed = parse_output(text)
    return parsed.value is not None


@lru_cache(maxsize=4096)
def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _column(kwargs: dict[str, Any], name: str, i: int, default: Any = None) -> Any:
    col = kwargs.get(name)
    if col is None:
        return default
    if isinstance(col, (list, tuple)):
        return col[i] if i < len(col) else default
    return col


def _keys(value: Any) -> list[str] | None:
    if value is None or isinstance(value, list):
        return value
    return _json(value)


def score_completion(
    text: str,
    gt: dict[str, Any] | str,
    *,
    queried_keys: list[str] | str | None = None,
    list_matching: str = "align",
    value_rules: dict[str, str] | str | None = None,
    scalar_paths: list[str] | str | None = None,
) -> tuple[float, float, int, int, int]:
    """(P, R, tp, fp, fn) of one output against its gold, with the benchmark's scorer.

    No free reward: P and R are 0 when the output does not parse, and P is 0 when it predicts no
    pair while the gold has some. Nothing to find (the queried keys are absent from the gold): R = 1,
    and P = 1 for an answer that leaves them out, 0 for one that gives values."""
    gold = _json(gt) if isinstance(gt, str) else gt
    rules = _json(value_rules) if isinstance(value_rules, str) else value_rules
    scalars = _keys(scalar_paths)
    parsed = parse_output(text)
    counts = score_document(
        gold,
        parsed.value,
        keys=_keys(queried_keys),
        list_matching=list_matching,  # type: ignore[arg-type]
        value_rules=rules,
        parse_error=parsed.error,
        scalar_paths=frozenset(scalars) if scalars else None,
    )
    tp, fp, fn = counts.tp, counts.fp, counts.fn
    if parsed.value is None:
        return 0.0, 0.0, tp, fp, fn
    nothing_to_find = tp + fn == 0
    p = tp / (tp + fp) if tp + fp else (1.0 if nothing_to_find else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, tp, fp, fn


def format_reward(completions: list[Any], **kwargs: Any) -> list[float]:
    """1.0 when a completion follows its output mode (column ``thinking``, default False)."""
    out = []
    for i, c in enumerate(completions):
        thinking = bool(_column(kwargs, "thinking", i, False))
        out.append(1.0 if follows_format(completion_text(c), thinking) else 0.0)
    return out


def make_match_reward(a: float = 0.5):
    """A TRL reward function a·P + (1−a)·R (its ``__name__`` is the logged column name)."""
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"a must be in [0, 1], got {a}")

    def match_reward(completions: list[Any], gt: list[str], **kwargs: Any) -> list[float]:
        out = []
        for i, c in enumerate(completions):
            p, r, *_ = score_completion(
                completion_text(c),
                gt[i],
                queried_keys=_column(kwargs, "queried_keys", i),
                list_matching=_column(kwargs, "list_matching", i, "align") or "align",
                value_rules=_column(kwargs, "value_rules", i),
                scalar_paths=_column(kwargs, "scalar_paths", i),
            )
            out.append(a * p + (1.0 - a) * r)
        return out

    match_reward.__name__ = "match_reward"
    match_reward.a = a  # type: ignore[attr-defined]
    return match_reward


match_reward = make_match_reward(0.5)


def total_reward(completions: list[Any], a: float = 0.5, **kwargs: Any) -> list[float]:
    """r_format + a·P + (1−a)·R, for logging and benchmarks (training passes the two parts)."""
    f = format_reward(completions, **kwargs)
    m = make_match_reward(a)(completions, **kwargs)
    return [x + y for x, y in zip(f, m, strict=True)]


def _pr_logger(which: int, name: str):
    def fn(completions: list[Any], gt: list[str], **kwargs: Any) -> list[float]:
        return [
            score_completion(
                completion_text(c),
                gt[i],
                queried_keys=_column(kwargs, "queried_keys", i),
                list_matching=_column(kwargs, "list_matching", i, "align") or "align",
                value_rules=_column(kwargs, "value_rules", i),
                scalar_paths=_column(kwargs, "scalar_paths", i),
            )[which]
            for i, c in enumerate(completions)
        ]

    fn.__name__ = name
    return fn


# Logged with weight 0 (TRL's reward_weights) so the training log has P and R per step.
precision_metric = _pr_logger(0, "precision")
recall_metric = _pr_logger(1, "recall")
