"""Data sources as plug-ins keyed by the task YAML's ``source.type``.

A source type is one class (a ``SourceType`` subclass) that declares:

- ``spec``: the pydantic model of its ``source:`` block (``type: Literal["name"]`` plus its own
  fields; ``splits`` maps a split name to whatever names that split's data);
- ``load``: a split's documents (``limit``: the first documents only);
- ``path_problems``: the files it names that must stay inside the task's folder;
- ``split_hash``: the identity of a split's data when it is known without reading it (a
  generated source), else None: the documents' ``data_hash`` is used;
- ``check_data``: what ``tasks validate --data`` reports (by default every split is loaded and
  each document's gold is checked against the task's fields).

A type is found by name among the entry points of the ``medvie_bench.sources`` group (the
built-ins ``jsonl``, ``hf`` and ``synth`` are registered there in ``pyproject.toml``), or given
as ``package.module:Class`` in the task YAML's ``source.type``. A new source type is one module
and its test; no core file changes.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from benchmark.tasks.errors import TaskError, suggest

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.tasks.spec import TaskSpec

ENTRY_POINT_GROUP = "medvie_bench.sources"
OPT_IN = "source.allow_paths_outside_folder"


class SourceSpec(BaseModel):
    """The ``source:`` block every source type extends: its ``type`` and its ``splits``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    splits: dict[str, Any]

    @classmethod
    def known_keys(cls) -> list[str]:
        """The keys a ``source:`` block may have (for "did you mean" hints): this model's, or on
        the base model those of every registered source type."""
        keys = dict.fromkeys(cls.model_fields)
        if cls is SourceSpec:
            for name in source_type_names():
                try:
                    keys.update(dict.fromkeys(source_type(name).spec.model_fields))
                except (TaskError, ImportError):
                    continue  # a broken plug-in only loses its hints here
        return list(keys)


class FileSourceSpec(SourceSpec):
    """A source read from files named in the task: they must lie inside the task's folder
    (symlinks resolved) unless ``allow_paths_outside_folder`` is set."""

    allow_paths_outside_folder: bool = Field(
        default=False, description="let manifests, images and dataset paths lie outside the task's folder")

    @model_serializer(mode="wrap")
    def _opt_in_only_when_set(self, handler: Any) -> Any:
        # Left out while False, so tasks that never set it keep their task_hash (and run keys).
        data = handler(self)
        if not self.allow_paths_outside_folder and isinstance(data, dict):
            data.pop("allow_paths_outside_folder", None)
        return data


class SourceType:
    """One kind of data source; subclass it and set ``spec`` (see the module docstring)."""

    spec: ClassVar[type[SourceSpec]]
    generated: ClassVar[bool] = False  # documents are made by code: nothing a user wrote to read

    def load(self, task: TaskSpec, split: str, limit: int | None) -> list[Document]:
        raise NotImplementedError

    def path_problems(self, task: TaskSpec) -> list[tuple[str, str]]:
        """(field, problem) for the files the source names; none by default."""
        return []

    def split_hash(self, task: TaskSpec, split: str) -> str | None:
        """The split's identity without loading it, or None: hash the loaded documents."""
        return None

    def check_data(self, task: TaskSpec) -> tuple[list[str], list[str]] | None:
        """(problems, notes) of ``tasks validate --data``, or None: every split is loaded and each
        gold checked against the task's fields (``tasks/check.py``)."""
        return None


def source_type_names() -> list[str]:
    """The registered type names (entry points of ``medvie_bench.sources``)."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


@cache
def source_type(name: str) -> SourceType:
    """The source type registered as ``name``, or the class ``package.module:Class``; a
    ``TaskError`` naming the known types otherwise."""
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise TaskError(f"source type {name!r} cannot be imported: {exc}") from exc
    else:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            known = source_type_names()
            hint = ("" if known else " (no source type is registered: reinstall medvie-bench, "
                    "`pip install -e .`, so its entry points are current)")
            raise TaskError(f"unknown source type {name!r}; choose one of {', '.join(known)}"
                            f"{hint}{suggest(name, known)}")
        cls = found[0].load()
    if not (isinstance(cls, type) and issubclass(cls, SourceType) and hasattr(cls, "spec")):
        raise TaskError(f"source type {name!r} is not a SourceType subclass with a spec")
    return cls()


def source_type_of(task: TaskSpec) -> SourceType:
    return source_type(task.source.type)


def cache_root() -> Path:
    """Where generated and decoded files go (``MEDVIE_CACHE``, default ``~/.cache/medvie-bench``)."""
    return Path(os.environ.get("MEDVIE_CACHE", Path.home() / ".cache" / "medvie-bench"))


def task_folder(task: TaskSpec) -> Path:
    """The folder a task's relative data paths start from."""
    return task.path.parent if task.path else Path.cwd()


def confinement(task: TaskSpec) -> Path | None:
    """The folder a task's data paths must stay in (None when the task opts out)."""
    if getattr(task.source, "allow_paths_outside_folder", False):
        return None
    return task_folder(task)


def outside_problem(target: Path, folder: Path | None, shown: str) -> str | None:
    """Why ``target`` may not be read: it resolves (symlinks followed) outside ``folder``. None when
    it may (inside, or ``folder`` is None: no confinement)."""
    if folder is None:
        return None
    try:
        resolved = target.resolve()
        inside = resolved.is_relative_to(folder.resolve())
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return f"{shown!r} cannot be resolved: {exc}"
    if inside:
        return None
    return (f"{shown!r} resolves to {resolved}, outside the task folder {folder.resolve()} "
            f"(set {OPT_IN}: true in the task YAML to allow that)")


def regular_file_problem(target: Path) -> str | None:
    if target.is_file():
        return None
    if not target.exists():
        return f"file not found: {target}"
    resolved = target.resolve()
    return f"not a regular file: {target}" + (f" (a link to {resolved})" if resolved != target else "")
