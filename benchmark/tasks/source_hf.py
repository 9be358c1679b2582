"""The ``hf`` source type: a Hugging Face dataset (hub id, local parquet file or glob, or a folder)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from benchmark.documents import Document
from benchmark.tasks.errors import TaskError, json_type
from benchmark.tasks.source_plugins import (
    FileSourceSpec,
    SourceType,
    cache_root,
    confinement,
    outside_problem,
    task_folder,
)

if TYPE_CHECKING:
    from benchmark.tasks.spec import TaskSpec


class HfSource(FileSourceSpec):
    """A Hugging Face dataset: hub id, a local parquet file/glob, or a folder (``save_to_disk``
    or ``load_dataset``-style). ``gt_json_key`` reads the ground truth from a JSON string column
    (CORD-v2: ``ground_truth`` → ``gt_parse``)."""

    type: Literal["hf"]
    path: str
    name: str | None = None
    splits: dict[str, str]
    image_column: str = "image"
    gt_column: str = "ground_truth"
    gt_json_key: str | None = None
    id_column: str | None = None
    ocr_column: str | None = None
    revision: str | None = None


class HfSourceType(SourceType):
    spec = HfSource

    def load(self, task: TaskSpec, split: str, limit: int | None) -> list[Document]:
        return _load_hf(task, cast(HfSource, task.source), split, task_folder(task))

    def path_problems(self, task: TaskSpec) -> list[tuple[str, str]]:
        """A local dataset path (one that looks local or exists) must lie inside the task's folder."""
        src = cast(HfSource, task.source)
        local = task_folder(task) / src.path
        looks_local = src.path.startswith((".", "/")) or src.path.endswith((".parquet", ".jsonl", ".json"))
        matches = sorted(local.parent.glob(local.name)) if "*" in local.name and local.parent.is_dir() else []
        if not (looks_local or local.exists() or matches):
            return []  # a hub id
        folder = confinement(task)
        problem = next(filter(None, (outside_problem(p, folder, src.path) for p in [local, *matches])), None)
        if problem is None and not (local.exists() or matches):
            problem = f"not found: {local}"
        return [("source.path", problem)] if problem else []


def _open_hf(src: HfSource, split: str, base: Path) -> Any:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise TaskError("HF sources need the 'datasets' package: pip install 'medvie-bench[datasets]'") from exc
    local = base / src.path
    name = src.splits[split]
    if local.is_dir() and (local / "dataset_dict.json").exists():
        return datasets.load_from_disk(str(local))[name]
    if local.is_dir() and (local / "dataset_info.json").exists():
        return datasets.load_from_disk(str(local))
    if src.path.endswith(".parquet") or (local.parent.exists() and "*" in local.name):
        return datasets.load_dataset("parquet", data_files={name: str(local)}, split=name)
    if local.is_dir():
        return datasets.load_dataset(str(local), src.name, split=name)
    return datasets.load_dataset(src.path, src.name, split=name, revision=src.revision)


def _load_hf(spec: TaskSpec, src: HfSource, split: str, base: Path) -> list[Document]:
    ds = _open_hf(src, split, base)
    missing = [c for c in (src.image_column, src.gt_column) if c not in ds.column_names]
    if missing:
        raise TaskError(f"{spec.path}: field source: column(s) {missing} not in dataset (columns: {ds.column_names})")
    image_dir = cache_root() / "hf-images" / spec.name / split
    image_dir.mkdir(parents=True, exist_ok=True)
    docs: list[Document] = []
    i = -1
    try:
        for i, row in enumerate(ds):
            docs.append(_hf_document(spec, src, split, i, row, image_dir))
    except TaskError:
        raise
    except Exception as exc:  # a row the datasets library cannot decode (e.g. an image bomb)
        raise TaskError(f"{spec.path}: row {i + 1}: cannot read: {type(exc).__name__}: {exc}") from exc
    return docs


_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,120}")


def _hf_document(spec: TaskSpec, src: HfSource, split: str, i: int, row: dict[str, Any], image_dir: Path) -> Document:
    doc_id = str(row[src.id_column]) if src.id_column else f"{split}-{i:06d}"
    gt = row[src.gt_column]
    if isinstance(gt, str):
        try:
            gt = json.loads(gt)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise TaskError(f"{spec.path}: row {i}: column {src.gt_column!r} is not JSON: {exc}") from exc
    if src.gt_json_key:
        if not isinstance(gt, dict) or src.gt_json_key not in gt:
            raise TaskError(f"{spec.path}: row {i}: ground truth has no key {src.gt_json_key!r}")
        gt = gt[src.gt_json_key]
    if not isinstance(gt, dict):
        raise TaskError(f"{spec.path}: row {i}: column {src.gt_column!r} must hold a JSON object, got {json_type(gt)}")
    # the id names a file in the cache: one that could leave the folder is replaced by its hash
    name = doc_id if _SAFE_NAME.fullmatch(doc_id) else hashlib.sha256(doc_id.encode()).hexdigest()[:24]
    image_path = image_dir / f"{name}.png"
    image = row[src.image_column]
    if not image_path.exists() and image is not None:
        image.save(image_path)
    ocr = row.get(src.ocr_column) if src.ocr_column else None
    return Document(id=doc_id, image=str(image_path), gt=gt, ocr=ocr)
