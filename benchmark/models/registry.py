"""Model registry: named specs (``baselines/models/*.yaml``, ``MEDVIE_MODEL_PATH``, a YAML path)
and adapters (built-in names, or plugins through the ``medvie_bench.adapters`` entry-point group).

Adapters are imported only when used, so ``--help`` and scoring never import torch or vllm.
"""

from __future__ import annotations

import importlib
import os
from functools import cached_property
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.config_files import read_yaml_extending
from benchmark.models.base import Adapter
from benchmark.models.spec import ModelSpec
from benchmark.tasks.errors import TaskError, format_validation_error, suggest

ENV_VAR = "MEDVIE_MODEL_PATH"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "baselines" / "models"
ENTRY_POINT_GROUP = "medvie_bench.adapters"

BUILTIN_ADAPTERS: dict[str, str] = {
    "rules": "baselines.rules:RulesAdapter",
    "openai": "benchmark.models.adapters.openai_compat:OpenAIAdapter",
    "llamacpp": "benchmark.models.adapters.llamacpp:LlamaCppAdapter",
    "hf": "benchmark.models.adapters.hf:HFAdapter",
    "vllm": "benchmark.models.adapters.vllm_engine:VLLMAdapter",
    "rlvr": "benchmark.models.adapters.rlvr:RLVRAdapter",
}


class ModelError(TaskError):
    """A model spec or name that cannot be used."""


def load_model_file(path: Path) -> ModelSpec:
    """A spec file (``extends:`` another spec file, relative to it, to change a few settings)."""
    try:
        data = read_yaml_extending(path, "model spec", own=("name",))
    except ValueError as exc:
        raise ModelError(str(exc)) from exc
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise ModelError(
            format_validation_error(path, exc, ModelSpec, "model spec")
        ) from exc
    return spec.model_copy(update={"path": path.resolve()})


class ModelRegistry:
    def __init__(self, include_paths: list[Path | str] | None = None) -> None:
        env = [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p]
        self.roots = [BUILTIN_DIR, *env, *[Path(p) for p in include_paths or []]]

    @cached_property
    def models(self) -> dict[str, ModelSpec]:
        found: dict[str, ModelSpec] = {}
        for root in self.roots:
            if not root.exists():
                continue
            files = [root] if root.is_file() else sorted(root.rglob("*.yaml"))
            for file in files:
                spec = load_model_file(file)
                found[spec.name] = spec
        return found

    def get(self, name_or_path: str) -> ModelSpec:
        if name_or_path.endswith((".yaml", ".yml")):
            path = Path(name_or_path)
            if not path.is_file():
                raise ModelError(f"model spec file not found: {path}")
            return load_model_file(path)
        if name_or_path in self.models:
            return self.models[name_or_path]
        raise ModelError(f"unknown model {name_or_path!r}.{suggest(name_or_path, self.models)}")


def adapter_names() -> list[str]:
    plugins = [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return sorted(set(BUILTIN_ADAPTERS) | set(plugins))


def _adapter_class(name: str) -> Any:
    """A built-in name, a plugin's entry-point name, or ``package.module:Class``."""
    target = BUILTIN_ADAPTERS.get(name) or (name if ":" in name else None)
    if target is None:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == name:
                return ep.load()
        raise ModelError(f"unknown adapter {name!r}.{suggest(name, adapter_names())}")
    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        raise ModelError(
            f"adapter {name!r} needs an optional dependency that is not installed ({exc.name}); "
            f"see the README's model section for the extra to install"
        ) from exc


def create_adapter(spec: ModelSpec, **kwargs: Any) -> Adapter:
    return _adapter_class(spec.adapter)(spec, **kwargs)


def weights_files(spec: ModelSpec) -> dict[str, Path]:
    """The local weight files the spec's adapter would load, by role (an adapter without a
    ``weights_files`` hook, or a remote model, has none)."""
    files = getattr(_adapter_class(spec.adapter), "weights_files", None)
    return files(spec) if files else {}


def resolve_model(spec: ModelSpec) -> ModelSpec:
    """The spec an adapter will really run (e.g. ``rlvr`` picks a checkpoint), so the cache key and
    the manifest describe what produced the outputs."""
    resolve = getattr(_adapter_class(spec.adapter), "resolve_spec", None)
    return resolve(spec) if resolve else spec
