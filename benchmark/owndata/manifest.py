"""A task's JSONL manifest as raw rows (every key kept), written back atomically, and the task
behind a command-line selector."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.tasks.errors import TaskError
from benchmark.tasks.source_jsonl import JsonlSource
from benchmark.tasks.spec import TaskSpec

MAX_MANIFEST_BYTES = 512 * 1024 * 1024


def resolve_task(selector: str, include_paths: Sequence[Path] = ()) -> TaskSpec:
    """Exactly one task: a registered name or a task YAML path."""
    from benchmark.tasks import TaskRegistry

    tasks = TaskRegistry(list(include_paths)).resolve(selector)
    if len(tasks) != 1:
        raise TaskError(f"{selector!r} selects {len(tasks)} tasks ({', '.join(t.name for t in tasks)}); give one")
    return tasks[0]


def manifest_path(spec: TaskSpec, split: str | None = None) -> Path:
    """The JSONL manifest of one split of a task with a ``jsonl`` source (the only kind with gold to write)."""
    split = split or spec.default_split
    if not isinstance(spec.source, JsonlSource):
        raise TaskError(
            f"{spec.path}: field source.type: gold can only be written to a 'jsonl' source, not {spec.source.type!r}"
        )
    if split not in spec.source.splits:
        raise TaskError(f"task {spec.name!r} has no split {split!r} (splits: {', '.join(spec.source.splits)})")
    base = spec.path.parent if spec.path else Path.cwd()
    return base / spec.source.splits[split]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The manifest's objects in file order (blank lines skipped); errors name file and line."""
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise TaskError(f"{path}: larger than {MAX_MANIFEST_BYTES >> 20} MiB")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TaskError(f"{path}:{lineno}: not JSON: {exc}") from exc
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                raise TaskError(f"{path}:{lineno}: field id: each line must be an object with a string id")
            rows.append(row)
    return rows


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Replace the manifest in one step: a reader sees the old file or the new one, never half."""
    write_text_atomic(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def task_of_run(name: str, command: Sequence[str], selector: str | None,
                include_paths: Sequence[Path] = ()) -> TaskSpec:
    """The task a run was made on: ``selector`` when given, else the task YAML the run's command
    named (``--task PATH``, relative to this folder), else the registered task of that name."""
    from benchmark.tasks import TaskRegistry, load_task_file

    if selector:
        spec = resolve_task(selector, include_paths)
    else:
        tasks = TaskRegistry(list(include_paths)).tasks
        given = [command[i + 1] for i, arg in enumerate(command[:-1]) if arg == "--task"]
        given += [arg.split("=", 1)[1] for arg in command if arg.startswith("--task=")]
        files = [Path(p) for sel in given for p in sel.split(",") if p.endswith((".yaml", ".yml"))]
        found = [load_task_file(p) for p in files if p.is_file()]
        spec = next((s for s in found if s.name == name), None) or tasks.get(name)
        if spec is None:
            raise TaskError(f"cannot find task {name!r} of this run: give --task NAME_OR_YAML (or --include-path DIR)")
    if spec.name != name:
        raise TaskError(f"the run is of task {name!r}, not {spec.name!r}")
    return spec
