"""Task registry, task schema and data sources."""

from importlib import import_module
from typing import Any

from benchmark.tasks.errors import TaskError

# imported on first use: `medvie-bench` imports benchmark.tasks.errors, which runs this file
_LAZY = {
    "TaskRegistry": "registry", "load_task_file": "registry", "task_hash": "registry",
    "data_hash": "sources", "load_documents": "sources", "split_hash": "sources",
    "FieldSpec": "spec", "TaskSpec": "spec",
}

__all__ = [
    "FieldSpec",
    "TaskError",
    "TaskRegistry",
    "TaskSpec",
    "data_hash",
    "load_documents",
    "load_task_file",
    "split_hash",
    "task_hash",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"benchmark.tasks.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'benchmark.tasks' has no attribute {name!r}")
