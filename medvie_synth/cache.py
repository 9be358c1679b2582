"""``load_split``: generate a split's documents once, keep them on disk, read them back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from benchmark.documents import Document
from benchmark.tasks.errors import TaskError
from benchmark.tasks.jsonl_manifest import read_jsonl_manifest
from medvie_synth.conditions import conditions_of
from medvie_synth.export import manifest_record, write_manifest
from medvie_synth.generate import generate_document, generator_version
from medvie_synth.seeding import split_seed


def source_key(kind: str, language: str, variant: str, seed: int, options: dict[str, Any]) -> str:
    """Hash of everything that decides a split's content, generator version included."""
    payload = json.dumps({"kind": kind, "language": language, "variant": variant, "seed": seed,
                          "options": options, "version": generator_version(variant)},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def doc_id(kind: str, language: str, split: str, index: int) -> str:
    return f"{kind}-{language}-{split}-{index:04d}"


def split_folder(src: Any, split: str, cache_dir: Path) -> Path:
    key = source_key(src.kind, src.language, src.variant, src.seed, dict(src.options))
    return Path(cache_dir) / f"{src.kind}-{src.language}-{src.variant}-{key}" / split


def make_document(src: Any, split: str, index: int, folder: Path) -> Document:
    """Generate one document of a split and save its image into ``folder``."""
    image, gt, lines, meta = generate_document(
        src.kind, src.language, src.variant, split_seed(src.seed, split), index, dict(src.options))
    ident = doc_id(src.kind, src.language, split, index)
    meta = {**meta, "split": split}
    if src.variant != "clean":
        path = folder / f"{ident}.jpg"
        image.save(path, "JPEG", quality=int(meta.get("jpeg_quality", 85)))
    else:
        path = folder / f"{ident}.png"
        image.save(path, "PNG", compress_level=3)
    return Document(id=ident, image=str(path.resolve()), gt=gt,
                    ocr="\n".join(line.text for line in lines), ocr_lines=lines, meta=meta,
                    conditions=conditions_of(meta))


def _read_cached(manifest: Path) -> dict[str, Document]:
    if not manifest.is_file():
        return {}
    try:
        return {d.id: d for d in read_jsonl_manifest(manifest)}
    except (TaskError, OSError):
        return {}  # a damaged cache is regenerated


def load_split(src: Any, split: str, cache_dir: Path, limit: int | None = None) -> list[Document]:
    """The documents of one split of a ``SynthSource``, generated on first use and cached under
    ``cache_dir`` (one folder per source spec and generator version, one per split).
    ``limit`` returns (and generates) only the first documents."""
    if split not in src.splits:
        raise KeyError(f"synth source has no split {split!r} (splits: {', '.join(src.splits)})")
    n = int(src.splits[split])
    if limit is not None:
        n = min(n, max(0, int(limit)))
    folder = split_folder(src, split, cache_dir)
    manifest = folder / "manifest.jsonl"
    cached = _read_cached(manifest)
    docs, fresh = [], False
    for index in range(n):
        doc = cached.get(doc_id(src.kind, src.language, split, index))
        if doc is None or not doc.conditions:  # cached before documents recorded conditions
            folder.mkdir(parents=True, exist_ok=True)
            doc = make_document(src, split, index, folder)
            cached[doc.id] = doc
            fresh = True
        docs.append(doc)
    if fresh:
        ordered = sorted(cached.values(), key=lambda d: d.meta.get("index", 0))
        records = [manifest_record(d, Path(d.image).name if d.image else None, True)
                   for d in ordered]
        write_manifest(records, manifest)
    return docs
