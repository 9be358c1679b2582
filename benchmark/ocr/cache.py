"""On-disk OCR cache: one JSON file per (engine, engine version, image sha256)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from benchmark.documents import OcrLine
from benchmark.tasks.sources import cache_root


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_path(engine: str, version: str, sha: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "._+-" else "_" for c in version)
    return cache_root() / "ocr" / engine / sha[:2] / f"{sha}-{safe}.json"


def load(path: Path) -> tuple[list[OcrLine], float] | None:
    """The cached lines and the seconds the engine took to compute them, or None to recompute
    (missing, damaged, or written before the compute time was recorded)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [OcrLine.model_validate(x) for x in data["lines"]], float(data["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(path: Path, engine: str, version: str, sha: str, lines: list[OcrLine], seconds: float) -> None:
    """Write atomically, so concurrent runs never read half a file. ``seconds`` is the engine's
    compute time, kept so that a run served from the cache still reports what OCR costs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "engine": engine,
        "version": version,
        "sha256": sha,
        "seconds": round(seconds, 4),
        "lines": [ln.model_dump(mode="json") for ln in lines],
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False)
    os.replace(tmp, path)
