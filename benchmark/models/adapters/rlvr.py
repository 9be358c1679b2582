"""The ``rlvr`` adapter: the RLVR-trained model, wherever it is.

Resolution order (the first that is set wins; it is logged on stderr):
1. the spec's ``checkpoint``;
2. the environment variable ``MEDVIE_RLVR_CHECKPOINT``;
3. ``options.cpu_fallback``: the name of a registered model spec (e.g. the CPU-scale
   ``qwen2.5-0.5b-rlvr``) or a folder.
A checkpoint folder is served by the ``hf`` adapter (a Qwen2.5-VL folder, or a LoRA adapter
folder merged into its base); a fallback model name by that model's own adapter. When nothing
resolves, construction raises ``ModelError`` naming the expected path and the training command.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmark.models.base import Generation, ModelError
from benchmark.models.registry import BUILTIN_DIR, ModelRegistry, create_adapter
from benchmark.models.registry import ENV_VAR as MODEL_PATH_VAR
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt

ENV_VAR = "MEDVIE_RLVR_CHECKPOINT"


@dataclass(frozen=True)
class Resolution:
    """What the ``rlvr`` spec resolved to: a checkpoint folder or another model's spec."""

    source: str  # "spec checkpoint" | ENV_VAR | "options.cpu_fallback"
    spec: ModelSpec  # the spec that is actually run
    checkpoint: Path | None = None

    def describe(self) -> str:
        target = str(self.checkpoint) if self.checkpoint else f"model {self.spec.name!r}"
        return f"[rlvr] using {target} (from {self.source}; adapter {self.spec.adapter})"


def _missing_help(spec: ModelSpec) -> str:
    """How to get a checkpoint: the training config and its output folder come from the spec's
    ``options.train_config`` and ``options.expected_checkpoint`` (the adapter names no file)."""
    config = spec.options.get("train_config", "CONFIG")
    output = spec.options.get("expected_checkpoint")
    return (
        f"train one with `medvie-bench rlvr train --config {config}`"
        + (f" (expected output: {output})" if output else "")
        + f", then set checkpoint: in the spec or {ENV_VAR}={output or 'FOLDER'}"
    )


def _folder(spec: ModelSpec, raw: str, source: str) -> Resolution:
    path = Path(raw).expanduser()
    if not path.is_absolute() and not path.exists() and spec.path is not None:
        path = spec.path.parent / path
    if not path.is_dir():
        raise ModelError(
            f"model {spec.name!r}: RLVR checkpoint folder not found: {raw} (from {source}); "
            + _missing_help(spec)
        )
    if not ((path / "config.json").is_file() or (path / "adapter_config.json").is_file()):
        raise ModelError(
            f"model {spec.name!r}: {path} (from {source}) is not a Hugging Face checkpoint "
            "folder (no config.json or adapter_config.json)"
        )
    hf_spec = spec.model_copy(update={"adapter": "hf", "checkpoint": str(path.resolve())})
    return Resolution(source=source, spec=hf_spec, checkpoint=path.resolve())


def resolve_rlvr(spec: ModelSpec, registry: ModelRegistry | None = None) -> Resolution:
    """Which model the ``rlvr`` spec means; raises ``ModelError`` when none is available."""
    if spec.checkpoint:
        return _folder(spec, spec.checkpoint, "spec checkpoint")
    if os.environ.get(ENV_VAR):
        return _folder(spec, os.environ[ENV_VAR], ENV_VAR)
    fallback = spec.options.get("cpu_fallback")
    if fallback:
        fallback = str(fallback)
        registry = registry or ModelRegistry()
        if fallback in registry.models:
            target = registry.get(fallback)
            if target.adapter == "rlvr":
                raise ModelError(
                    f"model {spec.name!r}: cpu_fallback {fallback!r} is itself an rlvr model"
                )
            return Resolution(source="options.cpu_fallback", spec=target)
        if Path(fallback).expanduser().is_dir():
            return _folder(spec, fallback, "options.cpu_fallback")
        raise ModelError(
            f"model {spec.name!r}: no RLVR checkpoint: checkpoint is not set, {ENV_VAR} is not "
            f"set, and the CPU fallback model {fallback!r} is not registered (expected "
            f"{BUILTIN_DIR.parent.name}/{BUILTIN_DIR.name}/{fallback}.yaml or {MODEL_PATH_VAR}); " + _missing_help(spec)
        )
    raise ModelError(
        f"model {spec.name!r}: no RLVR checkpoint: set checkpoint: in the spec or {ENV_VAR}, or "
        "options.cpu_fallback to a model name; " + _missing_help(spec)
    )


class RLVRAdapter:
    """Resolves the checkpoint at construction (errors surface before the run) and delegates."""

    def __init__(self, spec: ModelSpec, registry: ModelRegistry | None = None) -> None:
        self.resolution = resolve_rlvr(spec, registry)
        print(self.resolution.describe(), file=sys.stderr, flush=True)
        try:
            self.inner = create_adapter(self.resolution.spec)
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(
                f"model {spec.name!r}: {self.resolution.describe()} failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    @staticmethod
    def resolve_spec(spec: ModelSpec) -> ModelSpec:
        """The spec actually run (for the runner: its input mode and cache key)."""
        return resolve_rlvr(spec).spec

    async def generate(self, prompt: Prompt) -> Generation:
        return await self.inner.generate(prompt)

    async def aclose(self) -> None:
        await self.inner.aclose()
