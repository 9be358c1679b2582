"""The training rows of a config (prompt, target or gold, image) from its tasks: GRPO's
(``build_rows``, key sampling) and JSON-SFT's (``sft_rows``, or the prompts a GRPO run saw)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.config import TrainConfig
from rlvr.dataset import build_rows, load_task_docs, matched_sft_rows, sft_rows
from rlvr.seen import read_seen


def rows_for_tasks(cfg: TrainConfig, builder: Any, **options: Any) -> list[dict[str, Any]]:
    """Rows from every task of the config through ``builder`` (``build_rows`` or ``sft_rows``)."""
    rows: list[dict[str, Any]] = []
    d = cfg.data
    base = cfg.path.parent if cfg.path else Path.cwd()
    include = [base / p for p in d.include_paths]
    for name in d.tasks:
        task, docs = load_task_docs(name, d.split, d.limit, include)
        if d.ocr_engine != "gold" and d.input != "image":
            from benchmark.ocr import apply_ocr

            docs = [apply_ocr(doc, d.ocr_engine) for doc in docs]  # cached on disk per image
        rows += builder(
            task,
            docs,
            thinking=d.thinking,
            use_image=d.input in ("image", "image+ocr"),
            use_ocr=d.input in ("ocr", "image+ocr"),
            seed=d.seed,
            examples=d.examples,
            **options,
        )
    return rows


def training_rows(cfg: TrainConfig) -> list[dict[str, Any]]:
    d = cfg.data
    return rows_for_tasks(
        cfg, build_rows, keys=d.keys, full_schema_fraction=d.full_schema_fraction, repeats=d.repeats,
        max_answer_chars=d.max_answer_chars,
    )


def sft_training_rows(cfg: TrainConfig) -> list[dict[str, Any]]:
    """JSON-SFT rows: ``data.keys`` × ``data.repeats`` prompts per document (default: the full schema
    once, JSON-SFT-100), or, with ``data.matched_to``, exactly the prompts that GRPO run saw."""
    d = cfg.data
    if d.matched_to:
        if d.input != "ocr":
            raise ValueError(f"{cfg.path}: data.matched_to needs data.input: ocr (the seen prompts hold no images)")
        return matched_sft_rows(read_seen(Path(d.matched_to)), thinking=d.thinking)
    return rows_for_tasks(cfg, sft_rows, keys=d.keys, repeats=d.repeats)
