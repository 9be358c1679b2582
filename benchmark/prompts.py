"""Prompt building, shared by evaluation and ``rlvr`` (one module owns the prompt).

- The schema prompt follows the paper: the task's keys as JSON with values removed, one element
  kept per list, and each key's description as a ``//`` comment.
- Key sampling: ``all`` queries every key of the task; ``random:K`` queries a seeded random subset
  of K top-level keys among those present in the document's ground truth (fewer if it has fewer).
  Only the queried keys are then scored for that document, on both sides.
- Output mode: ``thinking=True`` asks for ``<think>…</think><answer>JSON</answer>``;
  ``thinking=False`` asks for the JSON object alone.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined

from benchmark.documents import Document
from benchmark.scoring.normalize import is_empty
from benchmark.tasks.spec import FieldSpec, TaskSpec

THINKING_INSTRUCTION = (
    "First think about the document step by step inside <think> </think> tags, then give the final "
    "JSON inside <answer> </answer> tags, i.e. <think> reasoning </think><answer> JSON </answer>."
)
DIRECT_INSTRUCTION = "Answer with the JSON object only, without any other text."

_JINJA = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
_template = lru_cache(maxsize=256)(_JINJA.from_string)  # compiling costs ~1 ms; templates repeat


@dataclass(frozen=True, slots=True)
class KeySampling:
    """``all`` or ``random:K``."""

    mode: str = "all"
    k: int = 0

    @classmethod
    def parse(cls, text: str) -> KeySampling:
        if text == "all":
            return cls()
        if text.startswith("random:"):
            try:
                k = int(text.split(":", 1)[1])
            except ValueError:
                k = 0
            if k > 0:
                return cls("random", k)
        raise ValueError(f"--keys must be 'all' or 'random:K' with K >= 1, got {text!r}")

    def __str__(self) -> str:
        return "all" if self.mode == "all" else f"random:{self.k}"


@dataclass(frozen=True, slots=True)
class Prompt:
    """What an adapter receives: chat messages (text parts, and an image part with a file path),
    the document, and the keys that will be scored (None = all)."""

    messages: list[dict[str, Any]]
    document: Document
    queried_keys: list[str] | None
    thinking: bool
    task: TaskSpec
    text: str = field(default="")
    max_tokens: int | None = None  # a tighter output budget for this request (never above the spec's)

    def hash(self) -> str:
        payload = json.dumps(self.messages, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _skeleton(fields: list[FieldSpec], indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    for i, f in enumerate(fields):
        comma = "," if i < len(fields) - 1 else ""
        comment = f"  // {f.description}" if f.description else ""
        key = json.dumps(f.key, ensure_ascii=False)
        if f.type == "object" and f.fields:
            lines.append(f"{pad}{key}: {{{comment}")
            lines += _skeleton(f.fields, indent + 1)
            lines.append(f"{pad}}}{comma}")
        elif f.type == "list" and f.fields:
            lines.append(f"{pad}{key}: [{comment}")
            lines.append(f"{pad}  {{")
            lines += _skeleton(f.fields, indent + 2)
            lines.append(f"{pad}  }}")
            lines.append(f"{pad}]{comma}")
        elif f.type == "list":
            lines.append(f'{pad}{key}: [""]{comma}{comment}')
        else:
            lines.append(f'{pad}{key}: ""{comma}{comment}')
    return lines


def schema_prompt(task: TaskSpec, keys: list[str] | None = None) -> str:
    """The schema JSON (values removed, one element per list, descriptions as comments)."""
    fields = task.fields if keys is None else [f for f in task.fields if f.key in set(keys)]
    return "\n".join(["{", *_skeleton(fields, 1), "}"])


def sample_keys(task: TaskSpec, doc: Document, sampling: KeySampling, seed: int) -> list[str] | None:
    """Queried top-level keys for a document (None = all keys of the task)."""
    if sampling.mode == "all":
        return None
    present = [f.key for f in task.fields if not is_empty(doc.gt.get(f.key))]
    rng = random.Random(f"{seed}:{task.name}:{doc.id}")
    if len(present) <= sampling.k:
        return present
    chosen = set(rng.sample(present, sampling.k))
    return [k for k in present if k in chosen]


def build_prompt(
    task: TaskSpec,
    doc: Document,
    *,
    sampling: KeySampling = KeySampling(),
    thinking: bool = False,
    seed: int = 0,
    use_image: bool = True,
    use_ocr: bool = False,
) -> Prompt:
    keys = sample_keys(task, doc, sampling, seed)
    body = _template(task.prompt.template).render(
        schema=schema_prompt(task, keys),
        keys=keys if keys is not None else task.top_keys(),
        ocr_text=(doc.ocr or "") if use_ocr else "",
        thinking=thinking,
        task=task.name,
        language=task.language,
    )
    text = f"{body.rstrip()}\n\n{THINKING_INSTRUCTION if thinking else DIRECT_INSTRUCTION}"
    content: list[dict[str, Any]] = []
    if use_image and doc.image:
        content.append({"type": "image", "image": doc.image})
    content.append({"type": "text", "text": text})
    messages: list[dict[str, Any]] = []
    if task.prompt.system:
        system = _template(task.prompt.system).render(
            schema="", keys=[], ocr_text="", thinking=thinking, task=task.name, language=task.language
        )
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": content})
    return Prompt(messages=messages, document=doc, queried_keys=keys, thinking=thinking, task=task, text=text)
