"""Prompt building, shared by evaluation and ``rlvr`` (one module owns the prompt).

- The schema prompt follows the paper: the task's keys as JSON with values removed, one element
  kept per list, and each key's description as a ``//`` comment.
- Key sampling (``KeySampling``): ``all`` queries every key of the task. The other modes query a
  seeded random subset of K keys per document (fewer if there are fewer), drawn from
  ``random:K``: the top-level keys present in the document's gold (the paper's mode: the prompt
  tells the model which fields exist; for training); ``schema:K``: every top-level key of the
  task's schema, present or absent (an absent key is answered by leaving it out; a value for it
  is a false positive: the mode that measures hallucination); ``flat-random:K`` /
  ``flat-schema:K``: the same over *flattened* keys, where a list of objects contributes one row
  key per printed row and cell (``Indicators[Item Name=Hemoglobin].Result``, see
  ``benchmark.scoring.keys``) instead of the whole list. Only the queried keys are scored, on
  both sides: a predicted key that was not queried is dropped, not counted.
- Examples (``without_examples``): field descriptions may end in example values
  (``patient's age ... (45, 45 Y, 45岁)``), which a small model copies. The evaluation setting
  ``examples off`` removes them by one documented rule (``strip_examples``).
- Output mode: ``thinking=True`` asks for ``<think>…</think><answer>JSON</answer>``;
  ``thinking=False`` asks for the JSON object alone.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from benchmark.documents import Document
from benchmark.scoring.keys import RowKey, parse_row_key
from benchmark.scoring.normalize import canon_default, is_empty
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import FieldSpec, TaskSpec
from benchmark.tasks.templates import TemplateProblem, render_template

THINKING_INSTRUCTION = (
    "First think about the document step by step inside <think> </think> tags, then give the final "
    "JSON inside <answer> </answer> tags, i.e. <think> reasoning </think><answer> JSON </answer>."
)
DIRECT_INSTRUCTION = "Answer with the JSON object only, without any other text."


# mode -> (row keys instead of whole lists, absent keys drawn too)
SAMPLING_MODES: dict[str, tuple[bool, bool]] = {
    "random": (False, False),
    "schema": (False, True),
    "flat-random": (True, False),
    "flat-schema": (True, True),
}


@dataclass(frozen=True, slots=True)
class KeySampling:
    """``all``, or ``MODE:K`` with MODE one of ``SAMPLING_MODES`` (module docstring)."""

    mode: str = "all"
    k: int = 0

    @classmethod
    def parse(cls, text: str) -> KeySampling:
        if text == "all":
            return cls()
        mode, _, count = text.partition(":")
        if mode in SAMPLING_MODES:
            try:
                k = int(count)
            except ValueError:
                k = 0
            if k > 0:
                return cls(mode, k)
        modes = " | ".join(f"{m}:K" for m in SAMPLING_MODES)
        raise ValueError(f"--keys must be 'all' or one of {modes} with K >= 1, got {text!r}")

    @property
    def flat(self) -> bool:
        """Lists of objects are queried cell by cell (row keys)."""
        return SAMPLING_MODES.get(self.mode, (False, False))[0]

    @property
    def absent_keys(self) -> bool:
        """Keys absent from the gold are drawn too (hallucination is measured)."""
        return SAMPLING_MODES.get(self.mode, (False, False))[1]

    def __str__(self) -> str:
        return "all" if self.mode == "all" else f"{self.mode}:{self.k}"


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


def _row_field(task: TaskSpec, rk: RowKey) -> FieldSpec | None:
    """The schema field of a row key's cell, shown under the key's own name."""
    lst = next((f for f in task.fields if f.key == rk.list_key and f.fields), None)
    leaf = next((f for f in lst.fields or () if f.key == rk.leaf), None) if lst else None
    return leaf.model_copy(update={"key": str(rk)}) if leaf else None


def schema_prompt(task: TaskSpec, keys: list[str] | None = None) -> str:
    """The schema JSON (values removed, one element per list, descriptions as comments). Row keys
    (``Indicators[Item Name=Hemoglobin].Result``) are top-level members after the plain keys."""
    if keys is None:
        fields = task.fields
    else:
        fields = [f for f in task.fields if f.key in set(keys)]
        fields += [f for k in keys if (rk := parse_row_key(k)) and (f := _row_field(task, rk))]
    return "\n".join(["{", *_skeleton(fields, 1), "}"])


def row_keys(task: TaskSpec, doc: Document, absent: bool) -> list[str]:
    """The row keys of a document: for each list of objects of the schema, each printed row that its
    first field (the address, e.g. ``Item Name``) names uniquely, and each other field of that row
    (with ``absent``, empty cells too). Rows without an address, or sharing it, are not addressable."""
    out: list[str] = []
    for f in task.fields:
        if f.type != "list" or not f.fields or len(f.fields) < 2:
            continue
        items = [i for i in (doc.gt.get(f.key) or []) if isinstance(i, dict)]
        address = f.fields[0].key
        labels = [str(i.get(address, "")).strip() for i in items]
        canon = [canon_default(label) for label in labels]
        for item, label, c in zip(items, labels, canon, strict=True):
            if not label or canon.count(c) > 1:
                continue
            for leaf in f.fields[1:]:
                if absent or not is_empty(item.get(leaf.key)):
                    out.append(str(RowKey(f.key, address, label, leaf.key)))
    return out


def candidate_keys(task: TaskSpec, doc: Document, sampling: KeySampling) -> list[str]:
    """The keys a sampling mode draws from for this document, in schema order."""
    out: list[str] = []
    for f in task.fields:
        if sampling.flat and f.type == "list" and f.fields and len(f.fields) >= 2:
            continue  # replaced by its row keys below
        if sampling.absent_keys or not is_empty(doc.gt.get(f.key)):
            out.append(f.key)
    if sampling.flat:
        out += row_keys(task, doc, sampling.absent_keys)
    return out


def sample_keys(task: TaskSpec, doc: Document, sampling: KeySampling, seed: int) -> list[str] | None:
    """Queried keys for a document (None = all keys of the task)."""
    if sampling.mode == "all":
        return None
    candidates = candidate_keys(task, doc, sampling)
    rng = random.Random(f"{seed}:{task.name}:{doc.id}")
    if len(candidates) <= sampling.k:
        return candidates
    chosen = set(rng.sample(candidates, sampling.k))
    return [k for k in candidates if k in chosen]


# ``strip_examples``: a parenthesised group is an example list unless it reads as prose (starts with
# a lowercase Latin word: "(without the time)", "(red, top left)"); "(e.g. ...)" always is one; so is
# an "e.g. ..." clause outside parentheses, up to the next ";" or the end.
_EXAMPLE_GROUP = re.compile(r"\s*\((?:e\.g\.[^()]*|(?![a-z])[^()]*)\)")
_EXAMPLE_CLAUSE = re.compile(r"[,;]?\s*\be\.g\.[^;]*")


def strip_examples(description: str) -> str:
    """A field description without its example values (the rule above)."""
    text = _EXAMPLE_GROUP.sub("", description)
    text = _EXAMPLE_CLAUSE.sub("", text)
    return re.sub(r"\s+([;,.])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def _fields_without_examples(fields: list[FieldSpec]) -> list[FieldSpec]:
    return [
        f.model_copy(update={
            "description": strip_examples(f.description),
            "fields": _fields_without_examples(f.fields) if f.fields else f.fields,
        })
        for f in fields
    ]


def without_examples(task: TaskSpec) -> TaskSpec:
    """The task with example values removed from every field description (``strip_examples``);
    everything else, scoring included, unchanged. Used for prompts only: a run's cache key names
    the original task plus the ``examples`` setting."""
    return task.model_copy(update={"fields": _fields_without_examples(task.fields)})


def _render(spec: TaskSpec, where: str, source: str, /, **context: Any) -> str:
    """A task template in the bounded sandbox (``benchmark.tasks.templates``); a failure is a
    ``TaskError`` naming the task file and the field (for a run: that document's input_error)."""
    try:
        return render_template(source, **context)
    except TemplateProblem as exc:
        raise TaskError(f"{spec.path or spec.name}: field {where}: {exc}") from exc


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
    body = _render(
        task, "prompt.template", task.prompt.template,
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
        system = _render(
            task, "prompt.system", task.prompt.system,
            schema="", keys=[], ocr_text="", thinking=thinking, task=task.name, language=task.language,
        )
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": content})
    return Prompt(messages=messages, document=doc, queried_keys=keys, thinking=thinking, task=task, text=text)
