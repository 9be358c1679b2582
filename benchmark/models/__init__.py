"""Model specs, the adapter protocol and the model registry."""

from importlib import import_module
from typing import Any

# imported on first use: importing one submodule (benchmark.models.base) runs this file
_LAZY = {
    "Adapter": "base", "Generation": "base",
    "ModelError": "base", "ModelRegistry": "registry", "adapter_names": "registry", "create_adapter": "registry",
    "GenerationSettings": "spec", "ModelSpec": "spec",
}

__all__ = [
    "Adapter",
    "Generation",
    "GenerationSettings",
    "ModelError",
    "ModelRegistry",
    "ModelSpec",
    "adapter_names",
    "create_adapter",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"benchmark.models.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'benchmark.models' has no attribute {name!r}")
