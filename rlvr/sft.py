"""JSON-SFT baseline: TRL ``SFTTrainer`` on the same training documents as RLVR.

Prompt = the full-schema prompt of ``benchmark.prompts.build_prompt`` (same input mode), target =
the gold JSON (``json.dumps(gt)``), loss on the completion only. With ``data.keys`` sampling, the
prompt queries those keys and the target is the gold of the queried keys; with ``data.matched_to``
the rows are the prompts a GRPO run saw (``rlvr.seen``: the data-matched SFT). Same base, LoRA, log and
``final/`` layout (adapter, ``metadata.json``, ``adapter.gguf``) as ``rlvr.train``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.config import TrainConfig
from rlvr.dataset import build_dataset
from rlvr.rows import sft_training_rows
from rlvr.train import build_trainer, train_and_finish, trainer_args

__all__ = ["sft_training_rows", "train_sft"]


def train_sft(
    cfg: TrainConfig,
    model: Any = None,
    processing_class: Any = None,
    rows: list[dict[str, Any]] | None = None,
) -> Path:
    from trl import SFTConfig, SFTTrainer

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = rows if rows is not None else sft_training_rows(cfg)
    dataset = build_dataset(
        [{k: v for k, v in r.items() if k != "doc_id"} for r in rows], cfg.model.max_pixels
    )
    args = trainer_args(SFTConfig, cfg, out, 10)
    trainer = build_trainer(SFTTrainer, cfg, args, dataset, out, model, processing_class)
    return train_and_finish(trainer, cfg, rows, out)
