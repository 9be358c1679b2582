"""Writing documents out: a JSONL manifest with its images, or a Hugging Face dataset."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from benchmark.documents import Document


def manifest_record(doc: Document, image: str | None, with_layout: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"id": doc.id, "image": image, "gt": doc.gt, "ocr": doc.ocr}
    if with_layout:
        if doc.conditions:
            record["conditions"] = doc.conditions
        record["ocr_lines"] = ([line.model_dump(exclude_none=True) for line in doc.ocr_lines]
                               if doc.ocr_lines is not None else None)
        record["meta"] = doc.meta
    return record


def write_manifest(records: list[dict[str, Any]], path: Path) -> Path:
    """Write atomically (a reader never sees half a manifest)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


def to_jsonl(docs: list[Document], out_dir: Path | str, with_layout: bool = False) -> Path:
    """Copy the images to ``out_dir/images/`` and write ``out_dir/manifest.jsonl`` (one
    ``{"id", "image", "gt", "ocr"}`` per line, image paths relative to the manifest; with
    ``with_layout`` also ``conditions``, ``ocr_lines`` and ``meta``). Returns the manifest path."""
    out = Path(out_dir)
    (out / "images").mkdir(parents=True, exist_ok=True)
    records = []
    for doc in docs:
        rel = None
        if doc.image:
            src = Path(doc.image)
            rel = f"images/{doc.id}{src.suffix}"
            if src.resolve() != (out / rel).resolve():
                shutil.copyfile(src, out / rel)
        records.append(manifest_record(doc, rel, with_layout))
    return write_manifest(records, out / "manifest.jsonl")


def to_hf_dataset(docs: list[Document]) -> Any:
    """A ``datasets.Dataset`` with columns ``id``, ``image`` (Image feature, bytes embedded),
    ``ground_truth`` (the gt as a JSON string) and ``ocr``."""
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_hf_dataset needs the 'datasets' package: "
                          "pip install 'medvie-bench[datasets]'") from exc
    features = datasets.Features({
        "id": datasets.Value("string"),
        "image": datasets.Image(),
        "ground_truth": datasets.Value("string"),
        "ocr": datasets.Value("string"),
    })
    columns: dict[str, list[Any]] = {"id": [], "image": [], "ground_truth": [], "ocr": []}
    for doc in docs:
        columns["id"].append(doc.id)
        if doc.image:
            path = Path(doc.image)
            columns["image"].append({"bytes": path.read_bytes(), "path": path.name})
        else:
            columns["image"].append(None)
        columns["ground_truth"].append(json.dumps(doc.gt, ensure_ascii=False))
        columns["ocr"].append(doc.ocr)
    return datasets.Dataset.from_dict(columns, features=features)
