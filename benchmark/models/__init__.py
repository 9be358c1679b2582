"""Model specs, the adapter protocol and the model registry."""

from benchmark.models.base import Adapter, Generation
from benchmark.models.registry import ModelError, ModelRegistry, adapter_names, create_adapter
from benchmark.models.spec import GenerationSettings, ModelSpec

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
