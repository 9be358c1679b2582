"""The schema of an RLVR / SFT training config (``rlvr/configs/*.yaml``).

``trainer`` is passed to TRL's ``GRPOConfig`` (or ``SFTConfig``) as keyword arguments; its keys are
checked against the installed TRL's dataclass fields at train time, so a typo or a field renamed
between TRL versions fails before any model is loaded.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from benchmark.config_files import read_yaml_extending
from benchmark.prompts import KeySampling


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoraSettings(_Strict):
    r: int = 16
    alpha: int = 32
    dropout: float = 0.0
    target_modules: list[str] = Field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"]
    )


class ModelSettings(_Strict):
    base: str = Field(
        description="'packaged:qwen2.5-coder-0.5b-instruct-q4_k_m' (the PyPI GGUF, "
        "converted once to a cached HF folder), a local HF folder, or a hub id"
    )
    kind: Literal["causal_lm", "vlm"] = "causal_lm"
    dtype: Literal["bfloat16", "float32", "float16", "auto"] = "bfloat16"
    attn_implementation: str | None = None
    lora: LoraSettings | None = Field(
        default_factory=LoraSettings, description="null = full fine-tune"
    )
    max_pixels: int | None = Field(default=None, description="cap on image pixels (VLM)")


class DataSettings(_Strict):
    tasks: list[str] = Field(min_length=1)
    split: str = "train"
    limit: int | None = Field(default=100, description="documents per task (the paper: ~100)")
    keys: str = "random:3"
    full_schema_fraction: float = Field(default=0.0, ge=0.0, le=1.0)
    thinking: bool = False
    input: Literal["ocr", "image", "image+ocr"] = "ocr"
    repeats: int = Field(
        default=1, ge=1, description="passes over the documents with new key subsets"
    )
    max_answer_chars: int | None = Field(
        default=None,
        description="drop rows whose gold answer (queried keys only, as JSON) is longer: "
        "keeps every training query answerable within max_completion_length (CPU budget)",
    )
    seed: int = 0
    include_paths: list[str] = Field(
        default_factory=list,
        description="extra task folders or files (as --include-path), relative to the config file",
    )
    examples: bool = Field(
        default=True, description="false: field descriptions without example values (medvie-bench run --examples off)"
    )
    ocr_engine: Literal["gold", "rapidocr", "tesseract"] = Field(
        default="gold",
        description="the OCR text in the prompt: the generator's gold text, or an engine's reading of the page image "
        "(cached; the evaluation spec must read the same: ocr_engine in the model spec)",
    )
    matched_to: str | None = Field(
        default=None,
        description="SFT only: train on exactly the prompts the GRPO run in this output_dir was rewarded on "
        "(its seen_prompts.jsonl), each with the gold answer of its queried keys (data-matched SFT)",
    )

    @field_validator("tasks", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("keys")
    @classmethod
    def _keys(cls, v: str) -> str:
        KeySampling.parse(v)
        return v


class RewardSettings(_Strict):
    a: float = Field(default=0.5, ge=0.0, le=1.0, description="reward = format + a·P + (1−a)·R")
    format_weight: float = 1.0
    match_weight: float = 1.0


class TrainConfig(_Strict):
    name: str
    method: Literal["grpo", "sft"] = "grpo"
    description: str = ""
    model: ModelSettings
    data: DataSettings
    reward: RewardSettings = RewardSettings()
    trainer: dict[str, Any] = Field(
        default_factory=dict, description="GRPOConfig / SFTConfig kwargs"
    )
    output_dir: str = Field(description="checkpoints, logs, final adapter (relative to the CWD)")
    resume: bool = True
    export_lora_gguf: bool = Field(default=True, description="write adapter.gguf for llama.cpp")
    path: Path | None = Field(default=None, exclude=True)

    def config_hash(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read a YAML config; ``overrides`` maps dotted paths (``trainer.max_steps``) to values."""
    path = Path(path)
    data = read_yaml_extending(path, "training config")
    for dotted, value in (overrides or {}).items():
        node = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    cfg = TrainConfig.model_validate(data)
    cfg.path = path.resolve()
    return cfg


def parse_override(text: str) -> tuple[str, Any]:
    """``key.path=value`` with the value read as YAML (numbers, booleans, lists)."""
    if "=" not in text:
        raise ValueError(f"--set expects key.path=value, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), yaml.safe_load(value)
