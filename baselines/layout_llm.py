"""Layout-aware prompting of a small local LLM: the model reads reconstructed rows, not raw OCR.

The layout analysis (:mod:`baselines.layout`) turns OCR boxes into visual lines and indicator
tables. Two modes (``options.mode``):

- ``hybrid`` (default): the table rows come from the layout rules (deterministic, already one
  cell per column); the model is asked only for the scalar keys, from the lines outside the tables
  (patient header and footer, a few hundred tokens). Keys the rules read from an exact printed
  label are kept (``options.prefer: rules``) or the model's values win (``prefer: llm``).
- ``full``: the prompt carries every line, tables as a tab-separated block with one titled column
  per item key (side-by-side halves already joined), and the model writes the whole JSON.

Repetition guard: the token budget scales with the number of table rows
(``base_tokens + tokens_per_row * rows``, capped by the LLM spec's ``max_tokens``), the LLM spec's
stop sequences and penalties apply, repeated list items beyond the table's row count are dropped,
and an answer that does not parse falls back to the rules' result for that document (an LLM
that fails outright also falls back, with its error kept on the record).

Grounding: a scalar value from the model is kept only when it is printed on the page (its text,
compared without spaces or case, occurs in the OCR text). A 0.5B model asked for a patient's name
on a photo cropped to the table otherwise answers the placeholder ``患者姓名`` or a made-up
diagnosis (the real variants' table crops, docs/realism.md); the prompt asks for values copied as
printed, so a value that is not printed is not an answer.

Generation is delegated to the adapter of the model spec named in ``options.llm`` (e.g.
``qwen2.5-0.5b-local``, a managed llama.cpp server), created through the model registry.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from baselines import BASELINES
from baselines.layout import Layout, analyse
from baselines.layout.normalize import label_key
from baselines.layout_rules import LayoutRulesAdapter, extract_layout, item_role, key_aliases, ocr_boxes
from benchmark.models.base import Adapter, Generation
from benchmark.models.registry import ModelRegistry, create_adapter, weights_files
from benchmark.models.spec import ModelSpec
from benchmark.models.weights import source_files
from benchmark.prompts import DIRECT_INSTRUCTION, Prompt, schema_prompt
from benchmark.scoring.keys import queried_fields
from benchmark.scoring.parse import parse_output
from benchmark.tasks.spec import FieldSpec

_INSTRUCTION = (
    "Below are the text lines of a document, read from a photo by OCR and put back in reading order "
    "(cells of one line are separated by tabs).{table_note}\n\n{text}\n\n"
    "Extract these fields and return them as JSON (leave out fields that are not printed; copy values "
    "exactly as printed, without their labels):\n{schema}\n\n" + DIRECT_INSTRUCTION
)
_TABLE_NOTE = " The result table is given as a tab-separated block with a title line; one JSON item per row."


def table_block(layout: Layout, item_fields: list[FieldSpec]) -> tuple[str, int]:
    """The tables' rows as one tab-separated block titled with the item keys; (text, rows)."""
    roles = [(f.key, item_role(f)) for f in item_fields]
    lines = ["\t".join(k for k, r in roles if r)]
    n = 0
    for table in layout.tables:
        for row in table.rows:
            lines.append("\t".join(row.get(r) if r else "" for _, r in roles if r))
            n += 1
    return "\n".join(lines), n


def layout_text(layout: Layout, item_fields: list[FieldSpec] | None, skip_tables: bool) -> tuple[str, int]:
    """The page as text: the boxes no table used, line by line and tab-joined; the table block
    (or nothing when ``skip_tables``) where the first table starts. Returns (text, table rows)."""
    used = layout.table_box_ids
    first = min((t.header_line for t in layout.tables), default=None)
    out: list[str] = []
    rows = 0
    for i, line in enumerate(layout.lines):
        if i == first and not skip_tables and item_fields:
            block, rows = table_block(layout, item_fields)
            out.append(block)
        rest = [b.text for b in line.boxes if b.index not in used]
        if rest:
            out.append("\t".join(rest))
    if first is None and not skip_tables:
        rows = sum(1 for line in layout.lines if len(line.boxes) >= 3)
    return "\n".join(out), rows


def printed_on(layout: Layout) -> str:
    """The page's OCR text in one string, compared loosely (:func:`label_key`: no spaces, case or colons)."""
    return label_key("".join(box.text for line in layout.lines for box in line.boxes))


def _dedupe(items: list[Any], limit: int) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        sig = json.dumps(item, sort_keys=True, ensure_ascii=False)
        if sig in seen:
            continue
        seen.add(sig)
        out.append(item)
    return out[: max(limit, 1)]


class LayoutLLMAdapter:
    """Layout rows in the prompt, a small LLM labels them (see the module docstring)."""

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """The LLM's weights (roles ``llm:…``) and the layout code that writes its prompt and its
        fallback answers (``source_files``)."""
        llm = ModelRegistry().get(str(spec.options["llm"])) if "llm" in spec.options else None
        inner = {f"llm:{role}": path for role, path in (weights_files(llm) if llm else {}).items()}
        return {**inner, **LayoutRulesAdapter.weights_files(spec), **source_files(BASELINES, "layout_llm.py")}

    def __init__(self, spec: ModelSpec, *, llm: Adapter | None = None) -> None:
        self.spec = spec
        opts = spec.options
        self.mode = str(opts.get("mode", "hybrid"))
        self.prefer = str(opts.get("prefer", "rules"))
        self.base_tokens = int(opts.get("base_tokens", 160))
        self.tokens_per_row = int(opts.get("tokens_per_row", 48))
        self.llm_spec = ModelRegistry().get(str(opts["llm"])) if llm is None else None
        self.max_tokens = self.llm_spec.generation.max_tokens if self.llm_spec else int(opts.get("max_tokens", 1024))
        self._llm = llm

    @property
    def llm(self) -> Adapter:
        if self._llm is None:
            assert self.llm_spec is not None
            self._llm = create_adapter(self.llm_spec)
        return self._llm

    def _prompt(self, prompt: Prompt, layout: Layout, fields: list[FieldSpec]) -> tuple[Prompt, list[str]]:
        scalar = [f for f in fields if not (f.type == "list" and f.fields)]
        lists = [f for f in fields if f.type == "list" and f.fields]
        if self.mode == "full":
            asked = fields
            items = lists[0].fields if lists else None
            text, rows = layout_text(layout, items, skip_tables=False)
        else:
            asked = scalar
            text, rows = layout_text(layout, None, skip_tables=True)
            rows = 0
        keys = [f.key for f in asked]
        body = _INSTRUCTION.format(
            table_note=_TABLE_NOTE if self.mode == "full" and layout.tables else "",
            text=text,
            schema=schema_prompt(prompt.task, keys),
        )
        messages = [{"role": "user", "content": [{"type": "text", "text": body}]}]
        budget = min(self.max_tokens, self.base_tokens + self.tokens_per_row * rows + 24 * len(scalar))
        new = Prompt(messages=messages, document=prompt.document, queried_keys=prompt.queried_keys,
                     thinking=False, task=prompt.task, text=body, max_tokens=budget)
        return new, keys

    async def generate(self, prompt: Prompt) -> Generation:
        start = time.perf_counter()
        try:
            fields = queried_fields(prompt.task.fields, prompt.queried_keys)
            layout = analyse(ocr_boxes(prompt.document))
            rules_out = extract_layout(prompt.document, fields, layout)
            asked_prompt, keys = self._prompt(prompt, layout, fields)
        except Exception as exc:  # never raise per document
            return Generation(raw=None, error_kind="adapter_error", error=f"{type(exc).__name__}: {exc}",
                              latency_s=time.perf_counter() - start)
        if not keys:
            return Generation(raw=json.dumps(rules_out, ensure_ascii=False), latency_s=time.perf_counter() - start)
        gen = await self.llm.generate(asked_prompt)
        parsed = parse_output(gen.raw).value if gen.raw else None
        merged = self._merge(rules_out, parsed if isinstance(parsed, dict) else None, fields, keys, layout)
        gen.raw = json.dumps(merged, ensure_ascii=False)
        if gen.error_kind == "truncated" or gen.finish_reason == "length":
            gen.error_kind, gen.finish_reason = None, "length"  # the rules' fallback answered
        elif gen.error_kind:
            # the LLM failed: the rules' answer is scored, and the failure stays on the record (counted,
            # shown, retried on resume) instead of passing for an LLM answer
            gen.raw = json.dumps(rules_out, ensure_ascii=False)
            gen.error = f"{gen.error} (answered by the layout rules instead)"
        gen.latency_s = time.perf_counter() - start
        return gen

    def _merge(self, rules_out: dict[str, Any], llm_out: dict[str, Any] | None, fields: list[FieldSpec],
               keys: list[str], layout: Layout) -> dict[str, Any]:
        if llm_out is None:
            return rules_out
        labelled = set(key_aliases(fields)) & set(rules_out)
        rows = sum(len(t.rows) for t in layout.tables)
        page = printed_on(layout)
        out: dict[str, Any] = {}
        for f in fields:
            mine, theirs = rules_out.get(f.key), llm_out.get(f.key) if f.key in keys else None
            if f.type == "list" and f.fields:
                if isinstance(theirs, list) and theirs and (self.mode == "full" or not mine):
                    theirs = _dedupe([t for t in theirs if isinstance(t, dict)], rows or len(theirs))
                    out[f.key] = theirs
                elif mine:
                    out[f.key] = mine
                continue
            if isinstance(theirs, (dict, list)) or theirs in ("", None) or label_key(str(theirs)) not in page:
                theirs = None  # not a scalar, or not printed on the page (module docstring: grounding)
            if mine is not None and ((self.prefer == "rules" and f.key in labelled) or theirs is None):
                out[f.key] = mine
            elif theirs is not None:
                out[f.key] = str(theirs)
        return out

    async def aclose(self) -> None:
        if self._llm is not None:
            await self._llm.aclose()
