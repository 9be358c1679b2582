"""Loading a task split's documents from its data source (JSONL manifest, HF dataset, synth)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.documents import Document
from benchmark.scoring.normalize import normalize_key
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import HfSource, JsonlSource, SynthSource, TaskSpec


def cache_root() -> Path:
    """Where generated and decoded files go (``MEDVIE_CACHE``, default ``~/.cache/medvie-bench``)."""
    return Path(os.environ.get("MEDVIE_CACHE", Path.home() / ".cache" / "medvie-bench"))


def load_documents(spec: TaskSpec, split: str | None = None, limit: int | None = None) -> list[Document]:
    """The split's documents (the first ``limit`` only; a synth source then generates no more),
    with each gold restricted to the task's schema (see ``task_gold``)."""
    return [task_gold(spec, d) for d in _load_source(spec, split, limit)]


def task_gold(spec: TaskSpec, doc: Document) -> Document:
    """The document with only the gold fields its task asks for. A task may define a subset of a
    data source's fields (``rlvr/tasks/med-lab-en-header.yaml`` drops the lab table): what it never
    asks for is neither a miss to score nor an answer to train on."""
    wanted = {normalize_key(k) for k in spec.top_keys()}
    if all(normalize_key(str(k)) in wanted for k in doc.gt):
        return doc
    return doc.model_copy(update={"gt": {k: v for k, v in doc.gt.items() if normalize_key(str(k)) in wanted}})


def _load_source(spec: TaskSpec, split: str | None, limit: int | None) -> list[Document]:
    split = split or spec.default_split
    if split not in spec.source.splits:
        raise TaskError(f"task {spec.name!r} has no split {split!r} (splits: {', '.join(spec.source.splits)})")
    src = spec.source
    base = spec.path.parent if spec.path else Path.cwd()
    if isinstance(src, SynthSource):
        from benchmark import synth

        return synth.load_split(src, split, cache_root() / "synth", limit=limit)
    if isinstance(src, JsonlSource):
        docs = read_jsonl_manifest(base / src.splits[split])
    else:
        docs = _load_hf(spec, src, split, base)
    return docs[:limit] if limit else docs
    raise TaskError(f"task {spec.name!r}: unsupported source {type(src).__name__}")  # pragma: no cover


def read_jsonl_manifest(path: Path) -> list[Document]:
    """One document per line; ``image`` is relative to the manifest. Errors name file and line."""
    docs: list[Document] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                if raw.get("image"):
                    raw["image"] = str((path.parent / raw["image"]).resolve())
                doc = Document.model_validate(raw)
            except (json.JSONDecodeError, AttributeError) as exc:
                raise TaskError(f"{path}:{lineno}: not a JSON object: {exc}") from exc
            except ValidationError as exc:
                problems = "; ".join(f"field {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                raise TaskError(f"{path}:{lineno}: {problems}") from exc
            if doc.id in seen:
                raise TaskError(f"{path}:{lineno}: duplicate document id {doc.id!r}")
            if doc.image and not Path(doc.image).is_file():
                raise TaskError(f"{path}:{lineno}: field image: file not found: {doc.image}")
            seen.add(doc.id)
            docs.append(doc)
    return docs


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
    docs = []
    for i, row in enumerate(ds):
        doc_id = str(row[src.id_column]) if src.id_column else f"{split}-{i:06d}"
        gt = row[src.gt_column]
        if isinstance(gt, str):
            try:
                gt = json.loads(gt)
            except json.JSONDecodeError as exc:
                raise TaskError(f"{spec.path}: row {i}: column {src.gt_column!r} is not JSON: {exc}") from exc
        if src.gt_json_key:
            if not isinstance(gt, dict) or src.gt_json_key not in gt:
                raise TaskError(f"{spec.path}: row {i}: ground truth has no key {src.gt_json_key!r}")
            gt = gt[src.gt_json_key]
        image_path = image_dir / f"{doc_id}.png"
        image = row[src.image_column]
        if not image_path.exists() and image is not None:
            image.save(image_path)
        ocr = row.get(src.ocr_column) if src.ocr_column else None
        docs.append(Document(id=doc_id, image=str(image_path), gt=gt, ocr=ocr))
    return docs


def split_hash(spec: TaskSpec, split: str | None = None) -> str:
    """Identity of a whole split's data. A synth split is fully determined by its source spec and
    the generator version, so nothing is generated to hash it; other sources hash their documents."""
    split = split or spec.default_split
    if isinstance(spec.source, SynthSource):
        from benchmark.synth.generate import GENERATOR_VERSION

        payload = json.dumps([spec.source.model_dump(mode="json"), split, GENERATOR_VERSION], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
    return data_hash(load_documents(spec, split))


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
