"""Training data: a task split → GRPO prompts built by ``benchmark.prompts.build_prompt``.

One row per (document, repeat): the key sampling of that row is ``all`` with probability
``full_schema_fraction`` and ``random:K`` otherwise (a different key subset per repeat, through the
prompt seed). Columns:

- ``prompt``: chat messages. Text mode (CPU recipe): the gold OCR text in the prompt, string
  contents. Image mode (VLM recipe): structured contents with an image placeholder and an
  ``image`` column holding the page (TRL's GRPOTrainer puts the image into the placeholder).
- ``gt``: the gold JSON (string), ``queried_keys``: JSON list of the queried keys or ``null``
  (= all), ``thinking``, ``list_matching``, ``value_rules`` (JSON), ``scalar_paths`` (JSON: the
  schema's scalar fields, for the reward's one-value rule), ``doc_id``, ``keys`` (the sampling,
  e.g. ``random:3``).

``examples=False`` builds the prompts from ``benchmark.prompts.without_examples(task)`` (field
descriptions without example values), as ``medvie-bench run --examples off`` does.

Only ``build_rows`` is torch-free; ``build_dataset`` needs the ``datasets`` package.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

from benchmark.documents import Document
from benchmark.prompts import KeySampling, build_prompt, without_examples
from benchmark.scoring import restrict, scalar_paths
from benchmark.tasks import TaskRegistry, load_documents
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import TaskSpec


def _messages(prompt_messages: list[dict[str, Any]], image_mode: bool) -> list[dict[str, Any]]:
    out = []
    for m in prompt_messages:
        content = m["content"]
        if image_mode:
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            else:
                content = [
                    {"type": "image"}
                    if part.get("type") == "image"
                    else {"type": "text", "text": part.get("text", "")}
                    for part in content
                ]
        elif not isinstance(content, str):
            content = "\n".join(p.get("text", "") for p in content if p.get("type") == "text")
        out.append({"role": m["role"], "content": content})
    return out


def build_rows(
    task: TaskSpec,
    docs: list[Document],
    *,
    keys: str = "random:3",
    full_schema_fraction: float = 0.0,
    thinking: bool = False,
    repeats: int = 1,
    use_image: bool = False,
    use_ocr: bool = True,
    seed: int = 0,
    max_answer_chars: int | None = None,
    examples: bool = True,
) -> list[dict[str, Any]]:
    """Rows for every document × repeat (plain dicts; see the module docstring). With
    ``max_answer_chars``, rows whose gold answer (restricted to the queried keys) is longer are
    dropped."""
    rng = random.Random(f"rlvr:{seed}:{task.name}")
    sampling = KeySampling.parse(keys)
    full = KeySampling.parse("all")
    rules = json.dumps(task.value_rules(), sort_keys=True)
    scalars = json.dumps(sorted(scalar_paths(task.fields)), ensure_ascii=False)
    prompt_task = task if examples else without_examples(task)
    rows = []
    for rep in range(repeats):
        for doc in docs:
            chosen = full if rng.random() < full_schema_fraction else sampling
            prompt = build_prompt(
                prompt_task,
                doc,
                sampling=chosen,
                thinking=thinking,
                seed=seed * 1000 + rep,
                use_image=use_image,
                use_ocr=use_ocr,
            )
            if max_answer_chars is not None:
                answer = restrict(doc.gt, prompt.queried_keys)
                if len(json.dumps(answer, ensure_ascii=False)) > max_answer_chars:
                    continue
            row: dict[str, Any] = {
                "prompt": _messages(prompt.messages, use_image),
                "gt": json.dumps(doc.gt, ensure_ascii=False, sort_keys=True),
                "queried_keys": None
                if prompt.queried_keys is None
                else json.dumps(prompt.queried_keys, ensure_ascii=False),
                "thinking": thinking,
                "list_matching": task.scoring.list_matching,
                "value_rules": rules,
                "scalar_paths": scalars,
                "doc_id": doc.id,
                "keys": str(chosen),
            }
            if use_image:
                row["image"] = doc.image
            rows.append(row)
    return rows


def rows_hash(rows: list[dict[str, Any]]) -> str:
    """A short hash of the training rows (prompts and gold), for ``metadata.json``."""
    h = hashlib.sha256()
    for row in rows:
        h.update(
            json.dumps(
                {k: v for k, v in row.items() if k != "image"}, sort_keys=True, ensure_ascii=False
            ).encode()
        )
    return h.hexdigest()[:16]


def load_task_docs(
    task_name: str, split: str = "train", limit: int | None = None, include_paths: list[Path] | None = None
) -> tuple[TaskSpec, list[Document]]:
    task = TaskRegistry(include_paths=include_paths or ()).get(task_name)
    return task, list(load_documents(task, split, limit))


def build_dataset(rows: list[dict[str, Any]], max_pixels: int | None = None) -> Any:
    """A ``datasets.Dataset`` of the rows (images opened as PIL, capped to ``max_pixels``)."""
    from datasets import Dataset

    if rows and "image" in rows[0]:
        from benchmark.images import ImageInputError, open_image

        def load(path: str) -> Any:
            try:  # training images are task data: the same pixel cap and errors as a run's
                with open_image(path) as opened:
                    img = opened.convert("RGB")
            except ImageInputError as exc:
                raise TaskError(f"training data: {exc}") from None
            if max_pixels and img.width * img.height > max_pixels:
                scale = (max_pixels / (img.width * img.height)) ** 0.5
                img = img.resize(
                    (max(28, int(img.width * scale)), max(28, int(img.height * scale)))
                )
            return img

        rows = [{**r, "image": load(r["image"])} for r in rows]
    return Dataset.from_list(rows)


def gold_answer(gt: dict[str, Any], queried_keys: list[str] | None) -> str:
    """The answer the reward counts as right: the gold restricted to the queried keys (row keys as
    top-level members), as JSON."""
    return json.dumps(restrict(gt, queried_keys), ensure_ascii=False)


def _sft_row(prompt: Any, answer: str, doc_id: str, thinking: bool, use_image: bool) -> dict[str, Any]:
    if thinking:
        answer = f"<think> </think><answer>{answer}</answer>"
    content: Any = answer if not use_image else [{"type": "text", "text": answer}]
    return {"prompt": prompt, "completion": [{"role": "assistant", "content": content}], "doc_id": doc_id}


def sft_rows(
    task: TaskSpec,
    docs: list[Document],
    *,
    thinking: bool = False,
    use_image: bool = False,
    use_ocr: bool = True,
    seed: int = 0,
    keys: str = "all",
    repeats: int = 1,
    examples: bool = True,
) -> list[dict[str, Any]]:
    """JSON-SFT rows: the prompt of each document × repeat with ``keys`` sampling (default: the full
    schema, i.e. JSON-SFT-100) and the gold JSON of the queried keys as the assistant's answer."""
    by_id = {d.id: d for d in docs}
    rows = []
    for row in build_rows(
        task, docs, keys=keys, thinking=False, use_image=use_image, use_ocr=use_ocr, seed=seed,
        repeats=repeats, examples=examples,
    ):
        doc = by_id[row["doc_id"]]
        queried = None if row["queried_keys"] is None else json.loads(row["queried_keys"])
        rows.append(_sft_row(row["prompt"], gold_answer(doc.gt, queried), doc.id, thinking, use_image))
    return rows


def matched_sft_rows(seen: list[dict[str, Any]], *, thinking: bool = False) -> list[dict[str, Any]]:
    """Data-matched SFT: exactly the prompts a GRPO run was rewarded on (``rlvr.seen``), in the order
    it saw them, each with the answer its reward counted as right (text prompts only)."""
    rows = []
    for s in seen:
        queried = None if s["queried_keys"] is None else json.loads(s["queried_keys"])
        rows.append(_sft_row(s["prompt"], gold_answer(json.loads(s["gt"]), queried), s["doc_id"], thinking, False))
    return rows
