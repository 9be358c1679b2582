"""OCR engines for the ``ocr`` / ``image+ocr`` inputs: ``rapidocr`` (default) and ``tesseract``.

``run_ocr(image, engine)`` returns the page's text boxes in reading order; ``apply_ocr(doc,
engine)`` returns a copy of the document with ``ocr`` and ``ocr_lines`` from the engine. Results
are cached on disk per (engine, engine version, image sha256); each engine is created once per
process.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmark.ocr.errors import OcrError, OcrUnavailable

if TYPE_CHECKING:
    from benchmark.documents import Document, OcrLine

__all__ = [
    "ENGINES",
    "OcrError",
    "OcrUnavailable",
    "apply_ocr",
    "get_engine",
    "group_rows",
    "reading_order",
    "rows_text",
    "run_ocr",
    "run_ocr_timed",
]

ENGINES = ("rapidocr", "tesseract")
_engines: dict[str, Any] = {}
_lock = threading.Lock()


def get_engine(name: str) -> Any:
    """The process-wide engine object (created on first use, thread-safe)."""
    if name not in ENGINES:
        raise OcrError(f"unknown OCR engine {name!r} (engines: {', '.join(ENGINES)})")
    with _lock:
        if name not in _engines:
            if name == "rapidocr":
                from benchmark.ocr.rapidocr import RapidOcrEngine as cls
            else:
                from benchmark.ocr.tesseract import TesseractEngine as cls
            _engines[name] = cls()
        return _engines[name]


def run_ocr(
    image: str | Path, engine: str = "rapidocr", *, use_cache: bool = True
) -> list[OcrLine]:
    """Text boxes of one page in reading order (rows top to bottom, then left to right)."""
    return run_ocr_timed(image, engine, use_cache=use_cache)[0]


def run_ocr_timed(
    image: str | Path, engine: str = "rapidocr", *, use_cache: bool = True
) -> tuple[list[OcrLine], float]:
    """``run_ocr`` plus the engine's compute time in seconds (the original one on a cache hit)."""
    # imported here: the CLI imports benchmark.ocr.errors (this package) at start-up
    from benchmark.images import ImageInputError, check_image
    from benchmark.ocr import cache
    from benchmark.ocr.layout import reading_order

    try:
        check_image(image, decode=False)  # before any engine decodes it: missing, not an image, too large
    except ImageInputError as exc:
        missing = not Path(image).exists()
        raise OcrError(f"image not found: {image}" if missing else str(exc)) from exc
    eng = get_engine(engine)
    sha = cache.file_sha256(image)
    path = cache.cache_path(engine, eng.version, sha)
    if use_cache and (hit := cache.load(path)) is not None:
        return hit
    start = time.perf_counter()
    try:
        lines = reading_order(eng.recognize(image))
    except OcrError:
        raise
    except Exception as exc:  # an engine's own failure (e.g. an unreadable image)
        raise OcrError(f"{engine} failed on {image}: {type(exc).__name__}: {exc}") from exc
    seconds = time.perf_counter() - start
    if use_cache:
        cache.store(path, engine, eng.version, sha, lines, seconds)
    return lines, seconds


def apply_ocr(doc: Document, engine: str = "rapidocr") -> Document:
    """A copy of ``doc`` whose ``ocr`` (lines joined by newlines) and ``ocr_lines`` come from
    ``engine``; ``meta["ocr_engine"]`` records which and ``meta["ocr_s"]`` the engine's compute time."""
    if not doc.image:
        raise OcrError(f"document {doc.id!r} has no image to run OCR on")
    lines, seconds = run_ocr_timed(doc.image, engine)
    meta = {**doc.meta, "ocr_engine": engine, "ocr_s": round(seconds, 4)}
    return doc.model_copy(
        update={"ocr": "\n".join(ln.text for ln in lines), "ocr_lines": lines, "meta": meta}
    )


def __getattr__(name: str) -> Any:
    if name in ("group_rows", "reading_order", "rows_text"):
        from benchmark.ocr import layout

        return getattr(layout, name)
    raise AttributeError(f"module 'benchmark.ocr' has no attribute {name!r}")
