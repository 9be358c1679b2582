"""Task registry, task schema and data sources."""

from benchmark.tasks.errors import TaskError
from benchmark.tasks.registry import TaskRegistry, load_task_file, task_hash
from benchmark.tasks.sources import data_hash, load_documents, split_hash
from benchmark.tasks.spec import FieldSpec, TaskSpec

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
