"""The settings and the report of the prepared GPU check (``bench/gpu_check.py``), as typed,
versioned schemas: the report is what a device call brings back in ``$OUT/gpu_check.json``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = 1
PART_NAMES = ("env", "train", "eval", "generate", "tests")
Status = Literal["pass", "fail", "timeout", "skipped"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckSettings(_Strict):
    """What the parts run with. ``gpu()`` is the device check, ``cpu()`` the same parts with tiny
    sizes on a CPU; single fields can be overridden from the command line."""

    mode: Literal["gpu", "cpu"]
    config: str = Field(default="rlvr/configs/gpu-qwen2.5-vl-7b.yaml", description="relative to the repo")
    task: str = "med-lab-en"
    steps: int = Field(ge=1, le=200, description="GRPO optimizer steps (one prompt × num_generations each)")
    train_docs: int = Field(ge=1, le=100, description="documents the steps cycle over (new keys each pass): "
                            "fewer documents to carry to the device")
    num_generations: int = Field(ge=2, le=16)
    max_completion_length: int = Field(ge=1, le=4096)
    max_pixels: int = Field(ge=56 * 56, le=4096 * 4096)
    eval_docs: int = Field(ge=1, le=50)
    eval_max_tokens: int = Field(ge=1, le=4096)
    gen_batch: int = Field(ge=1, le=64)
    gen_tokens: int = Field(ge=1, le=4096)

    @classmethod
    def gpu(cls, **changes: Any) -> CheckSettings:
        # max_completion_length, num_generations and max_pixels are the GPU config's own values
        defaults = dict(steps=20, train_docs=5, num_generations=8, max_completion_length=1024,
                        max_pixels=1280 * 28 * 28, eval_docs=4, eval_max_tokens=256, gen_batch=8, gen_tokens=256)
        return cls.model_validate({**defaults, **changes, "mode": "gpu"})

    @classmethod
    def cpu(cls, **changes: Any) -> CheckSettings:
        defaults = dict(steps=2, train_docs=2, num_generations=2, max_completion_length=16, max_pixels=112 * 112,
                        eval_docs=2, eval_max_tokens=8, gen_batch=2, gen_tokens=8)
        return cls.model_validate({**defaults, **changes, "mode": "cpu"})


class PartResult(_Strict):
    name: str
    status: Status
    seconds: float = 0.0
    timeout_s: float | None = None
    figures: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    log: str | None = Field(default=None, description="the part's log inside logs.tar.gz")


class InstallResult(_Strict):
    """Written by scripts/gpu_check.sh before the Python part starts (absent with --cpu)."""

    status: Literal["pass", "fail"]
    seconds: float
    method: str
    detail: str = ""


class Report(_Strict):
    schema_version: int = REPORT_SCHEMA_VERSION
    mode: Literal["gpu", "cpu"]
    ok: bool
    started_at: str
    wall_s: float
    budget_s: float
    host: dict[str, Any]
    settings: CheckSettings
    install: InstallResult | None = None
    parts: list[PartResult]
