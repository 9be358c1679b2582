"""``data init``: a folder of images → a task skeleton (a task YAML with a chosen schema and a
JSONL manifest listing the images, without gold: see ``read_jsonl_manifest``)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from benchmark.config_files import safe_load
from benchmark.owndata.manifest import resolve_task, write_rows, write_text_atomic
from benchmark.owndata.problems import Problems
from benchmark.tasks.errors import TaskError, format_validation_error
from benchmark.tasks.spec import DEFAULT_PROMPT, FieldSpec, PromptSpec, ScoringSpec, TaskSpec

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"})
MAX_IMAGES = 100_000
MAX_IMAGE_BYTES = 64 << 20
SPLIT = "test"


class Schema(BaseModel):
    """What a task takes from ``--schema``: a registered task, a task YAML, or a schema YAML (a
    list of fields, or a mapping with ``fields`` and optionally ``prompt``, ``scoring``, ``language``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: list[FieldSpec] = Field(min_length=1)
    prompt: PromptSpec = DEFAULT_PROMPT
    scoring: ScoringSpec = ScoringSpec()
    language: str | None = None
    origin: str = Field(default="", exclude=True)


def load_schema(selector: str, include_paths: Sequence[Path] = ()) -> Schema:
    path = Path(selector)
    if selector.endswith((".yaml", ".yml")) and path.is_file():
        try:
            data = safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise TaskError(f"{path}: cannot read the schema: {exc}") from exc
        if isinstance(data, dict) and "source" in data:  # a whole task file
            spec = resolve_task(str(path), include_paths)
            return _from_task(spec, str(path))
        if isinstance(data, list):
            data = {"fields": data}
        if not isinstance(data, dict):
            raise TaskError(f"{path}: a schema is a list of fields or a mapping with 'fields'")
        try:
            return Schema.model_validate(data).model_copy(update={"origin": str(path)})
        except ValidationError as exc:
            raise TaskError(format_validation_error(path, exc, Schema, what="schema")) from exc
    return _from_task(resolve_task(selector, include_paths), f"task {selector}")


def _from_task(spec: TaskSpec, origin: str) -> Schema:
    return Schema(fields=spec.fields, prompt=spec.prompt, scoring=spec.scoring, language=spec.language,
                  origin=origin)


def find_images(folder: Path) -> list[Path]:
    """The image files under ``folder`` (recursively, hidden ones skipped), in path order."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            found.append(path)
            if len(found) > MAX_IMAGES:
                raise TaskError(f"{folder}: more than {MAX_IMAGES} images; split the folder")
    return found


def document_ids(images: list[Path], folder: Path) -> list[str]:
    """One id per image: its path under the folder without the suffix (``ward2__scan01``), the
    suffix kept where two images differ only by it."""
    stems = [path.relative_to(folder).with_suffix("").as_posix().replace("/", "__") for path in images]
    clash = {s for s in stems if stems.count(s) > 1}
    return [path.relative_to(folder).as_posix().replace("/", "__") if s in clash else s
            for s, path in zip(stems, images, strict=True)]


def check_images(images: list[Path], folder: Path) -> None:
    """Every file must be a readable image of bounded size (all problems listed at once)."""
    from PIL import Image

    problems = Problems()
    for path in images:
        where = str(path.relative_to(folder))
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            problems.add(where, f"{size >> 20} MiB is more than {MAX_IMAGE_BYTES >> 20} MiB")
            continue
        try:
            with Image.open(path) as im:
                im.verify()
        except Exception as exc:  # PIL raises many kinds for a broken file
            problems.add(where, f"not a readable image ({type(exc).__name__}: {exc})")
    problems.raise_if_any(f"{folder}: cannot make a task of these images")


def task_name(folder: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.\-]+", "-", folder.resolve().name).strip("-.") or "my-documents"
    return name if name[0].isalnum() else f"docs-{name}"


@dataclass(frozen=True)
class Skeleton:
    yaml_path: Path
    manifest_path: Path
    n_images: int
    schema_origin: str


def schema_entries(fields: list[FieldSpec], prompt: PromptSpec, scoring: ScoringSpec, license: str | None,
                   citation: str | None) -> dict[str, Any]:
    """The schema part of a task YAML (what is not a default)."""
    data: dict[str, Any] = {"fields": [f.model_dump(exclude_defaults=True) for f in fields]}
    if prompt != DEFAULT_PROMPT:
        data["prompt"] = prompt.model_dump(exclude_none=True)
    if scoring != ScoringSpec():
        data["scoring"] = scoring.model_dump()
    if license:
        data["license"] = license
    if citation:
        data["citation"] = citation
    return data


def task_yaml(name: str, schema: Schema, n_images: int, folder: Path, manifest: str, *, language: str,
              license: str | None = None, citation: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "version": 1,
        "description": f"{n_images} document images from {folder.resolve().name}/ (schema: {schema.origin})",
        "tags": ["own", language],
        "language": language,
        "source": {"type": "jsonl", "splits": {SPLIT: manifest}},
        "default_split": SPLIT,
        **schema_entries(schema.fields, schema.prompt, schema.scoring, license, citation),
    }
    try:
        TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise TaskError(format_validation_error(Path(f"{name}.yaml"), exc, TaskSpec)) from exc
    return data


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (prompt templates) as ``|`` blocks, readable and editable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not any(c in value for c in "\t\r") and value == value.rstrip(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=110)


HEADER = """\
# Made by `medvie-bench data init` from a folder of images. The manifest lists the images without
# gold ("gt"): runs on it give pre-labels only. `medvie-bench data import` writes the gold.
# Set license and citation before you share the task or its Hugging Face export.
"""


def init_task(folder: Path, schema: Schema, *, name: str | None = None, out: Path | None = None,
              language: str | None = None, license: str | None = None, citation: str | None = None,
              force: bool = False) -> Skeleton:
    if not folder.is_dir():
        raise TaskError(f"{folder}: not a folder")
    out = out or folder
    name = name or task_name(folder)
    yaml_path, manifest = out / f"{name}.yaml", out / f"{name}.jsonl"
    existing = [str(p) for p in (yaml_path, manifest) if p.exists()]
    if existing and not force:
        raise TaskError(f"{', '.join(existing)}: exists (it may hold gold); choose another --name or give --force")
    images = find_images(folder)
    if not images:
        raise TaskError(f"{folder}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    check_images(images, folder)
    data = task_yaml(name, schema, len(images), folder, manifest.name, language=language or schema.language or "en",
                     license=license, citation=citation)
    if not folder.resolve().is_relative_to(out.resolve()):  # the task lives apart from its images
        data["source"]["allow_paths_outside_folder"] = True
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"id": doc_id, "image": Path(os.path.relpath(path, out)).as_posix()}
            for doc_id, path in zip(document_ids(images, folder), images, strict=True)]
    write_rows(manifest, rows)
    write_text_atomic(yaml_path, HEADER + dump_yaml(data))
    return Skeleton(yaml_path, manifest, len(images), schema.origin)
