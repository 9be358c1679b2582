"""Task registry: YAML files under ``tasks/`` (recursively) plus user folders.

User folders come from ``--include-path DIR`` (repeatable) and the ``MEDVIE_INCLUDE_PATH``
environment variable (``os.pathsep``-separated). Later definitions of a name override earlier
ones with a warning (built-in, then environment, then command line). Only the YAML is read here;
documents are loaded lazily by ``benchmark.tasks.sources``.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path

import yaml
from jinja2 import Environment, StrictUndefined, TemplateError
from pydantic import ValidationError

from benchmark.tasks.errors import TaskError, format_validation_error, suggest
from benchmark.tasks.spec import HfSource, JsonlSource, TaskSpec

ENV_VAR = "MEDVIE_INCLUDE_PATH"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "tasks"

_JINJA = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)

_SAMPLE_CONTEXT = {
    "schema": "{}",
    "keys": ["key"],
    "ocr_text": "text",
    "thinking": False,
    "task": "task",
    "language": "en",
}


class TaskOverrideWarning(UserWarning):
    pass


def _check_template(path: Path, where: str, source: str) -> None:
    try:
        _JINJA.from_string(source).render(**_SAMPLE_CONTEXT)
    except TemplateError as exc:
        allowed = ", ".join(sorted(_SAMPLE_CONTEXT))
        raise TaskError(f"{path}: field {where}: bad jinja2 template: {exc} (variables: {allowed})") from exc


def _check_files(path: Path, spec: TaskSpec) -> None:
    src = spec.source
    if isinstance(src, JsonlSource):
        for split, rel in src.splits.items():
            if not (path.parent / rel).is_file():
                raise TaskError(f"{path}: field source.splits.{split}: file not found: {path.parent / rel}")
    elif isinstance(src, HfSource):
        local = path.parent / src.path
        looks_local = src.path.startswith((".", "/")) or src.path.endswith((".parquet", ".jsonl", ".json"))
        if looks_local and not (local.exists() or any(local.parent.glob(local.name))):
            raise TaskError(f"{path}: field source.path: not found: {local}")


def load_task_file(path: Path) -> TaskSpec:
    """Parse and validate one task YAML; every problem is a ``TaskError`` naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaskError(f"{path}: YAML does not parse: {exc}") from exc
    except OSError as exc:
        raise TaskError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise TaskError(f"{path}: a task file must be a YAML mapping, got {type(data).__name__}")
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise TaskError(format_validation_error(path, exc, TaskSpec)) from exc
    _check_template(path, "prompt.template", spec.prompt.template)
    if spec.prompt.system:
        _check_template(path, "prompt.system", spec.prompt.system)
    _check_files(path, spec)
    return spec.model_copy(update={"path": path.resolve()})


def task_hash(spec: TaskSpec) -> str:
    """Content hash of the task definition (the data source's files are hashed by the loader)."""
    payload = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _yaml_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def include_paths_from_env() -> list[Path]:
    raw = os.environ.get(ENV_VAR, "")
    return [Path(p) for p in raw.split(os.pathsep) if p]


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
        found: dict[str, TaskSpec] = {}
        for root in self.roots:
            for file in _yaml_files(root):
                if file.name.startswith("_"):
                    continue  # shared fragments, not tasks
                spec = load_task_file(file)
                if spec.name in found:
                    warnings.warn(
                        f"task {spec.name!r} from {file} overrides the one from {found[spec.name].path}",
                        TaskOverrideWarning,
                        stacklevel=2,
                    )
                found[spec.name] = spec
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
