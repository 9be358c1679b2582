"""Task registry: YAML files under ``tasks/`` (recursively) plus user folders.

User folders come from ``--include-path DIR`` (repeatable) and the ``MEDVIE_INCLUDE_PATH``
environment variable (``os.pathsep``-separated); each folder is a *root*, searched in the order
built-in, environment, command line. Two files of one root that define the same task name are an
error naming both; a later root's task overrides an earlier root's (a user's task may replace a
built-in one), with one line on stderr saying so. Only the YAML is read here; documents are loaded
lazily by ``benchmark.tasks.sources``.

A task file is untrusted: it is read only if it is a regular UTF-8 file of at most
``MAX_TASK_FILE_BYTES``, its YAML may expand (aliases) to at most ``MAX_YAML_VALUES`` values
nested at most ``MAX_YAML_DEPTH`` deep, its templates are rendered in a bounded sandbox
(``benchmark.tasks.templates``) and its data paths must stay inside its folder unless it sets
``source.allow_paths_outside_folder: true``. A task file may
``extends: _base.yaml`` (a file of its folder; names starting with ``_`` are not tasks themselves)
and state only what differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from benchmark.config_files import merge, safe_load
from benchmark.tasks.errors import TaskError, format_validation_error, key_line, suggest
from benchmark.tasks.sources import source_path_problems
from benchmark.tasks.spec import TaskSpec
from benchmark.tasks.templates import TemplateProblem, render_template

ENV_VAR = "MEDVIE_INCLUDE_PATH"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "tasks"
MAX_TASK_FILE_BYTES = 1 << 20
MAX_YAML_DEPTH = 64  # a task file needs about 6
MAX_YAML_VALUES = 100_000

_SAMPLE_CONTEXT = {
    "schema": "{}",
    "keys": ["key"],
    "ocr_text": "text",
    "thinking": False,
    "task": "task",
    "language": "en",
}


class TaskOverrideWarning(UserWarning):
    """A later root's task replaced an earlier one of the same name. Shown as one clean line on
    stderr by the registry itself, so the warning is ignored by default (code may still catch it)."""


warnings.filterwarnings("ignore", category=TaskOverrideWarning, append=True)


# -- reading a task file ----------------------------------------------------------------------


def read_text(path: Path, limit: int = MAX_TASK_FILE_BYTES) -> str:
    """A regular UTF-8 file's text; anything else is a ``TaskError`` naming file (and line)."""
    try:
        if not path.is_file():
            raise TaskError(f"{path}: not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise TaskError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(raw) > limit:
        raise TaskError(f"{path}: larger than {limit:,} bytes; a task file is a short YAML")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise TaskError(
            f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {column}); save it as UTF-8"
        ) from None


def _count_values(data: Any, limit: int) -> tuple[int, int]:
    """Values in the loaded YAML, aliases expanded, and its deepest nesting (stops past ``limit``
    values). libyaml builds any depth without recursing, so depth is bounded here, not by Python."""
    n, deepest, stack = 0, 0, [(data, 1)]
    while stack and n <= limit:
        v, depth = stack.pop()
        n += 1
        deepest = max(deepest, depth)
        if isinstance(v, dict):
            stack.extend((k, depth + 1) for k in v)
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
    return n, deepest


def parse_yaml(path: Path, text: str) -> dict[str, Any]:
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise TaskError(f"{path}: YAML does not parse: {exc}") from exc
    except RecursionError:
        raise TaskError(f"{path}: YAML nests too deeply") from None
    if not isinstance(data, dict):
        raise TaskError(f"{path}: a task file must be a YAML mapping, got {type(data).__name__}")
    n_values, depth = _count_values(data, MAX_YAML_VALUES)
    if n_values > MAX_YAML_VALUES:
        raise TaskError(f"{path}: YAML expands to more than {MAX_YAML_VALUES:,} values (aliases?)")
    if depth > MAX_YAML_DEPTH:
        raise TaskError(f"{path}: YAML nests too deeply (more than {MAX_YAML_DEPTH} levels)")
    return data


@dataclass(frozen=True)
class Locator:
    """Names a field of a task file as ``file:line: field NAME`` (the line found lazily, on error);
    a field the file inherits (``extends``) is named in the file, with the parent's line."""

    path: Path
    text: str
    parents: tuple[tuple[Path, str], ...] = ()

    def __call__(self, field: str) -> str:
        line = key_line(self.text, field)
        if line:
            return f"{self.path}:{line}: field {field}"
        for parent, text in self.parents:
            if line := key_line(text, field):
                return f"{self.path}: field {field} (from {parent}:{line})"
        return f"{self.path}: field {field}"


MAX_EXTENDS = 8


def with_parents(path: Path, text: str, data: dict[str, Any]) -> tuple[dict[str, Any], tuple[tuple[Path, str], ...]]:
    """A task file's mapping with its ``extends`` chain merged under it (mappings merge key by key,
    lists and values replace; see ``benchmark.config_files.merge``), and the parents read. A parent
    lies in the task's folder; a task that extends another sets its own ``name``."""
    folder = path.resolve().parent
    chain = [path.resolve()]
    layers = [data]
    parents: list[tuple[Path, str]] = []
    where, current = Locator(path, text), path
    while (ref := layers[-1].pop("extends", None)) is not None:
        if not isinstance(ref, str):
            raise TaskError(f"{where('extends')}: must be a file name, got {type(ref).__name__}")
        if len(layers) == 1 and "name" not in data:
            raise TaskError(f"{path}: field name: a task that extends another must set its own name")
        parent = current.parent / ref
        resolved = parent.resolve()
        if not resolved.is_relative_to(folder):
            raise TaskError(f"{where('extends')}: {ref!r} resolves to {resolved}, outside the task's folder "
                            f"{folder} (a task extends files of its own folder)")
        if resolved in chain or len(chain) > MAX_EXTENDS:
            raise TaskError(f"{where('extends')}: {ref!r} loops back or goes deeper than {MAX_EXTENDS} files")
        parent_text = read_text(parent)
        layers.append(parse_yaml(parent, parent_text))
        parents.append((parent, parent_text))
        chain.append(resolved)
        where, current = Locator(parent, parent_text), parent
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged = merge(merged, layer)
    if len(layers) > 1 and _count_values(merged, MAX_YAML_VALUES)[0] > MAX_YAML_VALUES:
        raise TaskError(f"{path}: YAML with its parents expands to more than {MAX_YAML_VALUES:,} values")
    return merged, tuple(parents)


def _check_template(where: Locator, field: str, source: str) -> None:
    try:
        render_template(source, **_SAMPLE_CONTEXT)
    except TemplateProblem as exc:
        hint = f" (variables: {', '.join(sorted(_SAMPLE_CONTEXT))})" if "undefined" in str(exc) else ""
        raise TaskError(f"{where(field)}: {exc}{hint}") from exc


def _check_files(where: Locator, spec: TaskSpec) -> None:
    for field, problem in source_path_problems(spec):
        raise TaskError(f"{where(field)}: {problem}")


def load_task_file(path: Path) -> TaskSpec:
    """Parse and validate one task YAML; every problem is a ``TaskError`` naming the file."""
    text = read_text(path)
    data, parents = with_parents(path, text, parse_yaml(path, text))
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise TaskError(format_validation_error(path, exc, TaskSpec, text=text)) from exc
    where = Locator(path, text, parents)
    spec = spec.model_copy(update={"path": path.resolve()})
    _check_template(where, "prompt.template", spec.prompt.template)
    if spec.prompt.system:
        _check_template(where, "prompt.system", spec.prompt.system)
    _check_files(where, spec)
    return spec


def task_hash(spec: TaskSpec) -> str:
    """Content hash of the task definition (the data source's files are hashed by the loader)."""
    payload = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


# -- the registry -----------------------------------------------------------------------------


def task_files(root: Path) -> list[Path]:
    """The task YAML files of a root (a file, or a folder searched recursively); names starting
    with ``_`` are shared fragments, not tasks."""
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and not p.name.startswith("_") and p.is_file()
    )


def include_paths_from_env() -> list[Path]:
    raw = os.environ.get(ENV_VAR, "")
    return [Path(p) for p in raw.split(os.pathsep) if p]


def _duplicate(name: str, first: Path, second: Path, text: str) -> TaskError:
    return TaskError(
        f"{Locator(second, text)('name')}: task {name!r} is also defined by {first} "
        "(names must be unique within a folder; rename one)"
    )


def scan_tasks(
    groups: Sequence[Sequence[Path]], on_error: Callable[[TaskError], None] | None = None
) -> tuple[dict[str, TaskSpec], list[str]]:
    """Name → TaskSpec over groups of task files (one group per root) in override order, and the
    override notes. Each problem is raised, or handed to ``on_error`` (then scanning goes on:
    ``tasks validate`` lists them all)."""
    found: dict[str, tuple[TaskSpec, int]] = {}
    notes: list[str] = []
    for index, files in enumerate(groups):
        for file in files:
            try:
                spec = load_task_file(file)
                previous = found.get(spec.name)
                if previous is not None and previous[0].path != spec.path:
                    if previous[1] == index:
                        raise _duplicate(spec.name, previous[0].path, file, read_text(file))
                    notes.append(f"task {spec.name!r} from {file} overrides the one from {previous[0].path}")
            except TaskError as exc:
                if on_error is None:
                    raise
                on_error(exc)
                continue
            found[spec.name] = (spec, index)
    return {name: spec for name, (spec, _) in found.items()}, notes


class TaskRegistry:
    """Name → TaskSpec over the built-in folder and the include paths, in override order."""

    def __init__(self, include_paths: Sequence[Path | str] = (), builtin: bool = True) -> None:
        roots = [BUILTIN_DIR] if builtin else []
        roots += include_paths_from_env() + [Path(p) for p in include_paths]
        for root in roots:
            if not root.exists():
                raise TaskError(f"include path not found: {root}")
        self.roots = roots

    @cached_property
    def tasks(self) -> dict[str, TaskSpec]:
        found, notes = scan_tasks([task_files(root) for root in self.roots])
        for note in notes:
            print(f"medvie-bench: note: {note}", file=sys.stderr)
            warnings.warn(note, TaskOverrideWarning, stacklevel=3)
        return found

    def tags(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for spec in self.tasks.values():
            for tag in spec.tags:
                out.setdefault(tag, []).append(spec.name)
        return out

    def get(self, name: str) -> TaskSpec:
        if name in self.tasks:
            return self.tasks[name]
        raise TaskError(f"unknown task {name!r}.{suggest(name, list(self.tasks) + list(self.tags()))}")

    def resolve(self, selector: str | Iterable[str]) -> list[TaskSpec]:
        """A task name, a tag, a YAML path, or a comma list of them → tasks (deduplicated, in order)."""
        parts = selector.split(",") if isinstance(selector, str) else list(selector)
        out: dict[str, TaskSpec] = {}
        tags = self.tags()
        for raw in (p.strip() for p in parts):
            if not raw:
                continue
            if raw in self.tasks:
                out.setdefault(raw, self.tasks[raw])
            elif raw in tags:
                for name in tags[raw]:
                    out.setdefault(name, self.tasks[name])
            elif raw.endswith((".yaml", ".yml")) and Path(raw).is_file():
                spec = load_task_file(Path(raw))
                out.setdefault(spec.name, spec)
            else:
                known = list(self.tasks) + list(tags)
                raise TaskError(f"no task or tag named {raw!r}.{suggest(raw, known)}")
        if not out:
            raise TaskError(f"no task selected by {selector!r}")
        return list(out.values())
