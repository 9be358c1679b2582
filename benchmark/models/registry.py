"""Model registry: named specs (the catalogue ``benchmark/catalogue/*.yaml``, ``MEDVIE_MODEL_PATH``,
a YAML path) and adapters: a name in the ``medvie_bench.adapters`` entry-point group (the built-ins
are registered there in ``pyproject.toml``, like any plug-in), or ``package.module:Class``.

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
from benchmark.models.base import Adapter, ModelError
from benchmark.models.spec import ModelSpec
from benchmark.tasks.errors import format_validation_error, suggest

ENV_VAR = "MEDVIE_MODEL_PATH"
BUILTIN_DIR = Path(__file__).resolve().parents[1] / "catalogue"
ENTRY_POINT_GROUP = "medvie_bench.adapters"

__all__ = ["ENTRY_POINT_GROUP", "ModelError", "ModelRegistry", "adapter_names", "create_adapter", "load_model_file",
           "resolve_model", "weights_files"]


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
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def _adapter_class(name: str) -> Any:
    """An entry-point name (built-in or a plug-in's), or ``package.module:Class``."""
    try:
        if ":" in name:
            module, _, attr = name.partition(":")
            return getattr(importlib.import_module(module), attr)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == name:
                return ep.load()
    except ImportError as exc:
        raise ModelError(
            f"adapter {name!r} needs an optional dependency that is not installed ({exc.name}); "
            f"see the README's model section for the extra to install"
        ) from exc
    hint = "" if adapter_names() else " (no adapter is registered: reinstall medvie-bench, `pip install -e .`)"
    raise ModelError(f"unknown adapter {name!r}.{suggest(name, adapter_names())}{hint}")


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
