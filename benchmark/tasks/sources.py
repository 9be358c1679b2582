"""A task split's documents, whatever its source type (``source_plugins``): loading, path
confinement, the split's data hash. The names other modules import from here are re-exported."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from benchmark.documents import Document
from benchmark.scoring.normalize import normalize_key
from benchmark.tasks.errors import TaskError, json_type
from benchmark.tasks.jsonl_manifest import (
    MAX_MANIFEST_LINE_BYTES,
    UNLABELLED,
    iter_manifest,
    read_jsonl_manifest,
)
from benchmark.tasks.source_plugins import (
    OPT_IN,
    cache_root,
    confinement,
    outside_problem,
    regular_file_problem,
    source_type_of,
)
from benchmark.tasks.spec import TaskSpec

__all__ = [
    "MAX_MANIFEST_LINE_BYTES", "OPT_IN", "UNLABELLED", "cache_root", "confinement", "data_hash", "iter_manifest",
    "json_type", "jsonl_task", "load_documents", "outside_problem", "read_jsonl_manifest", "regular_file_problem",
    "select_documents", "source_path_problems", "split_hash", "task_gold",
]


def load_documents(spec: TaskSpec, split: str | None = None, limit: int | None = None) -> list[Document]:
    """The split's documents (the first ``limit`` only; a generated source then makes no more),
    with each gold restricted to the task's schema (see ``task_gold``)."""
    split = _split(spec, split)
    docs = source_type_of(spec).load(spec, split, limit)
    return [task_gold(spec, d) for d in (docs[:limit] if limit else docs)]


def _split(spec: TaskSpec, split: str | None) -> str:
    split = split or spec.default_split
    if split not in spec.source.splits:
        raise TaskError(f"task {spec.name!r} has no split {split!r} (splits: {', '.join(spec.source.splits)})")
    return split


def task_gold(spec: TaskSpec, doc: Document) -> Document:
    """The document with only the gold fields its task asks for. A task may define a subset of a
    data source's fields (``rlvr/tasks/med-lab-en-header.yaml`` drops the lab table): what it never
    asks for is neither a miss to score nor an answer to train on."""
    wanted = {normalize_key(k) for k in spec.top_keys()}
    if all(normalize_key(str(k)) in wanted for k in doc.gt):
        return doc
    return doc.model_copy(update={"gt": {k: v for k, v in doc.gt.items() if normalize_key(str(k)) in wanted}})


def source_path_problems(spec: TaskSpec) -> list[tuple[str, str]]:
    """(field, problem) for the files a task's source names (manifests, a local dataset path):
    they must exist and lie inside the task's folder."""
    return source_type_of(spec).path_problems(spec)


def split_hash(spec: TaskSpec, split: str | None = None) -> str:
    """Identity of a whole split's data: the source type's own (a synth split is fully determined by
    its source spec and the generator version, so nothing is generated to hash it), else the hash
    of its documents."""
    split = _split(spec, split)
    return source_type_of(spec).split_hash(spec, split) or data_hash(load_documents(spec, split))


def select_documents(spec: TaskSpec, split: str | None, limit: int | None) -> tuple[list[Document], str]:
    """The documents to run (the first ``limit``) and the identity of the whole split's data: a
    source that knows it without reading (a generated one) makes only the first ``limit``."""
    split = _split(spec, split)
    known = source_type_of(spec).split_hash(spec, split)
    if known is not None:
        return load_documents(spec, split, limit), known
    docs = load_documents(spec, split)
    return (docs[:limit] if limit else docs), data_hash(docs)


def data_hash(docs: list[Document]) -> str:
    """Hash of the documents' ids, ground truth and OCR text (what scoring depends on)."""
    h = hashlib.sha256()
    for d in docs:
        h.update(json.dumps([d.id, d.gt, d.ocr], sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def jsonl_task(folder: Path, name: str, docs: list[dict[str, Any]], fields: list[dict[str, Any]]) -> TaskSpec:
    """A task over documents written to ``folder/<name>.jsonl`` (for scripts and tests that build
    their data in code rather than in a YAML file)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    spec = TaskSpec.model_validate(
        {"name": name, "version": 1, "language": "en", "fields": fields,
         "source": {"type": "jsonl", "splits": {"test": f"{name}.jsonl"}}}
    )
    return spec.model_copy(update={"path": folder / f"{name}.yaml"})
