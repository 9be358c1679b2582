"""The lookup baseline: no model, no reading, only memory of the training split.

For each queried key, the answer is the first OCR line (in reading order) that contains, as a whole
token, a value seen for that key in the task's training split; the value is answered as printed
in that line. Keys whose training values never appear are left out. A row key
(``Indicators[Item Name=Hemoglobin].Result``) looks up the values seen for that cell of that row.
With ``keys all``, a list of objects (a lab table) is left out: lookup cannot build rows.

It measures how much of a task can be solved without reading: when the values of a field repeat
between documents (departments, panel names, units, reference ranges), lookup finds them.
``options.split`` names the split to learn from (default ``train``); never point it at the split
being evaluated.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from baselines import BASELINES
from benchmark.documents import Document
from benchmark.models.base import Generation
from benchmark.models.spec import ModelSpec
from benchmark.models.weights import source_files
from benchmark.prompts import Prompt
from benchmark.scoring.keys import RowKey
from benchmark.scoring.normalize import is_empty, normalize_key
from benchmark.tasks import load_documents, task_hash
from benchmark.tasks.spec import TaskSpec

MAX_VALUE_CHARS = 200  # longer training values (free text) are not looked up


def _text(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def _add(memory: dict[str, Counter[str]], key: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, dict | list):
                _add(memory, key, item)
        return
    if isinstance(value, dict) or is_empty(value):
        return
    text = _text(str(value)).strip()
    if 0 < len(text) <= MAX_VALUE_CHARS:
        memory.setdefault(normalize_key(key), Counter())[text] += 1


def learn(task: TaskSpec, docs: list[Document]) -> dict[str, Counter[str]]:
    """Normalised key (plain or row key) → values seen in ``docs`` with their counts."""
    memory: dict[str, Counter[str]] = {}
    lists = {f.key: f for f in task.fields if f.type == "list" and f.fields and len(f.fields) >= 2}
    for doc in docs:
        for key, value in doc.gt.items():
            spec = lists.get(key)
            if spec is None:
                _add(memory, key, value)
                continue
            address = spec.fields[0].key
            for item in value if isinstance(value, list) else []:
                if isinstance(item, dict) and not is_empty(item.get(address)):
                    label = _text(str(item[address])).strip()
                    for leaf in spec.fields[1:]:
                        _add(memory, str(RowKey(key, address, label, leaf.key)), item.get(leaf.key))
    return memory


def _pattern(values: Counter[str]) -> re.Pattern[str]:
    """One alternation, longest values first (then the most frequent), as whole tokens."""
    ordered = sorted(values, key=lambda v: (-len(v), -values[v], v))
    alternation = "|".join(re.escape(v) for v in ordered)
    return re.compile(rf"(?<![0-9A-Za-z])(?:{alternation})(?![0-9A-Za-z])", re.I)


class Lookup:
    """The memory of one task's training split, with one compiled pattern per key."""

    def __init__(self, task: TaskSpec, memory: dict[str, Counter[str]]) -> None:
        self.task = task
        self.memory = memory
        self._patterns: dict[str, re.Pattern[str] | None] = {}

    def _pattern_for(self, key: str) -> re.Pattern[str] | None:
        norm = normalize_key(key)
        if norm not in self._patterns:
            values = self.memory.get(norm)
            self._patterns[norm] = _pattern(values) if values else None
        return self._patterns[norm]

    def answer(self, lines: list[str], keys: list[str] | None) -> dict[str, str]:
        if keys is None:
            keys = [f.key for f in self.task.fields if not (f.type == "list" and f.fields)]
        out: dict[str, str] = {}
        for key in keys:
            pattern = self._pattern_for(key)
            if pattern is None:
                continue
            for line in lines:
                hit = pattern.search(_text(line))
                if hit:
                    out[key] = hit.group(0)
                    break
        return out


class LookupAdapter:
    """Adapter: the document's OCR lines in, the lookup's JSON out."""

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """Its code, fingerprinted in each run like a model's weights (``source_files``)."""
        return source_files(BASELINES, "lookup.py")

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.split = str(spec.options.get("split", "train"))
        self._lookups: dict[str, Lookup] = {}
        self._lock = asyncio.Lock()

    async def _lookup(self, task: TaskSpec) -> Lookup:
        key = task_hash(task)
        async with self._lock:
            if key not in self._lookups:
                if self.split not in task.source.splits:
                    raise ValueError(f"task {task.name!r} has no {self.split!r} split to learn values from")
                docs = await asyncio.to_thread(load_documents, task, self.split)
                self._lookups[key] = Lookup(task, learn(task, docs))
            return self._lookups[key]

    async def generate(self, prompt: Prompt) -> Generation:
        lookup = await self._lookup(prompt.task)  # once per task: a set-up cost, like loading a model
        start = time.perf_counter()
        lines = (prompt.document.ocr or "").splitlines()
        result = lookup.answer(lines, prompt.queried_keys)
        return Generation(raw=json.dumps(result, ensure_ascii=False), latency_s=time.perf_counter() - start)

    async def aclose(self) -> None:
        return None
