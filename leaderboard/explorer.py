"""Document explorer data: per task a bounded set of documents (thumbnail shared between models,
ground truth) and per (entry, task) each document's fields with TP/FP/FN, every registered
metric's score on it, error kind and raw output."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.images import open_image
from benchmark.metrics.table import doc_table, scores
from benchmark.records import PredictionRecord
from benchmark.scoring.match import restrict
from benchmark.scoring.normalize import is_empty, normalize_key
from benchmark.tasks import TaskRegistry, load_documents
from benchmark.tasks.sources import cache_root
from leaderboard.collect import Collection

MAX_HEIGHT_RATIO = 3  # thumbnails are cropped to at most 3x as tall as wide


def thumbnail(image: Path, width: int, cache_dir: Path) -> str | None:
    """A small JPEG data URL of ``image`` (cached on disk), or None if it cannot be read (missing,
    damaged, or over ``MAX_IMAGE_PIXELS``: a document's bad image never stops the build)."""
    from PIL import Image

    try:
        st = image.stat()
    except OSError:
        return None
    key = hashlib.sha256(f"{image.resolve()}|{st.st_mtime_ns}|{st.st_size}|{width}".encode())
    cached = cache_dir / f"{key.hexdigest()[:24]}.jpg"
    if not cached.exists():
        try:
            with open_image(image) as im:
                im.draft("RGB", (width, width * MAX_HEIGHT_RATIO))
                im = im.convert("RGB")
                h = max(1, round(im.height * width / im.width))
                im = im.resize((width, h), Image.Resampling.LANCZOS)
                im = im.crop((0, 0, width, min(h, width * MAX_HEIGHT_RATIO)))
                buf = BytesIO()
                im.save(buf, "JPEG", quality=70, optimize=True)
        except (OSError, ValueError, SyntaxError):  # ImageInputError is a ValueError
            return None
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(buf.getvalue())
        tmp.replace(cached)
    return "data:image/jpeg;base64," + base64.b64encode(cached.read_bytes()).decode("ascii")


def display_flatten(obj: Mapping[str, Any] | None, prefix: str = "") -> dict[str, list[str]]:
    """Field path (as the scorer names it) → the values as written, for display."""
    out: dict[str, list[str]] = {}
    if not isinstance(obj, Mapping):
        return out

    def add(path: str, value: Any) -> None:
        if is_empty(value):
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                add(f"{path}.{normalize_key(str(k))}" if path else normalize_key(str(k)), v)
        elif isinstance(value, list):
            for item in value:
                add(path, item)
        else:
            out.setdefault(path, []).append(str(value))

    add(prefix, dict(obj))
    return out


def field_kind(tp: int, fp: int, fn: int, in_gold: bool, in_pred: bool) -> str:
    """The scorer's error taxonomy for one field of one document ('ok' when all correct)."""
    if not fp and not fn:
        return "ok" if tp else "not_scored"
    if not in_pred:
        return "missing_key"
    if not in_gold:
        return "hallucinated_key"
    wrong = min(fp, fn)
    kinds = ["wrong_value"] if wrong else []
    kinds += ["missing_value"] if fn > wrong else []
    kinds += ["extra_value"] if fp > wrong else []
    return ", ".join(kinds)


def _doc_view(rec: PredictionRecord, gt: dict[str, Any] | None, raw_chars: int) -> dict[str, Any]:
    pred = display_flatten(restrict(rec.parsed, rec.queried_keys)) if rec.parsed else {}
    gold = display_flatten(restrict(gt, rec.queried_keys)) if gt is not None else None
    counts = rec.counts.get("fields", {})
    paths = sorted(set(counts) | set(pred) | set(gold or {}))
    rows = []
    for p in paths:
        tp, fp, fn = counts.get(p, (0, 0, 0))
        in_gold = bool(gold and p in gold) or tp + fn > 0
        rows.append([p, pred.get(p, []), tp, fp, fn, field_kind(tp, fp, fn, in_gold, p in pred)])
    raw = rec.raw or ""
    return {
        "raw": raw[:raw_chars], "cut": max(0, len(raw) - raw_chars), "fields": rows,
        "tp": rec.counts["tp"], "fp": rec.counts["fp"], "fn": rec.counts["fn"],
        "scores": scores(doc_table([rec])),  # every registered metric on this document
        "parse_error": rec.parse_error, "error_kind": rec.error_kind, "error": rec.error,
        "queried_keys": rec.queried_keys,
    }


def _needed(spec: Any, ids: list[str]) -> int | None:
    """How many leading documents cover ``ids``: synth ids end in their index, and loading only
    those avoids generating a whole split for a page that shows a few documents."""
    if getattr(spec.source, "type", None) != "synth" or not ids:
        return None
    try:
        return max(int(i.rsplit("-", 1)[1]) for i in ids) + 1
    except (IndexError, ValueError):
        return None


def _task_docs(reg: TaskRegistry, task: str, split: str | None, version: str, ids: list[str],
               opt: Any, thumbs: list[str], gts: dict[str, Any]) -> dict[str, Any]:
    """The task's documents for the page (thumbnail index, ground truth); fills ``gts``."""
    out: dict[str, Any] = {"note": None, "docs": {i: {"thumb": None, "gt": None} for i in ids}}
    try:
        spec = reg.get(task)
        docs = {d.id: d for d in load_documents(spec, split, _needed(spec, ids))}
    except Exception as exc:  # a task no longer registered still shows its predictions
        out["note"] = f"ground truth unavailable: {type(exc).__name__}: {exc}"
        return out
    if str(spec.version) != version:
        out["note"] = f"ground truth from task version {spec.version} (runs: version {version})"
    cache = Path(opt.cache_dir) if opt.cache_dir else cache_root() / "thumbs"
    for i in ids:
        doc = docs.get(i)
        if doc is None:
            continue
        thumb = thumbnail(Path(doc.image), opt.thumb_width, cache) if doc.image else None
        if thumb is not None:
            thumbs.append(thumb)
        gts[i] = doc.gt
        out["docs"][i] = {"thumb": len(thumbs) - 1 if thumb else None,
                          "gt": display_flatten(doc.gt)}
    return out


def docs_per_run(opt: Any, n_runs: int) -> int:
    """Documents shown per (entry, task): ``explorer_docs``, fewer when the runs would exceed
    ``explorer_budget`` document views in all (at least one each)."""
    if opt.explorer_docs <= 0 or n_runs == 0:
        return 0
    return max(1, min(opt.explorer_docs, opt.explorer_budget // n_runs))


def explorer_data(col: Collection, main: pd.DataFrame, opt: Any) -> dict[str, Any]:
    """Thumbnails (shared), per-task documents and per (task, entry) predictions."""
    thumbs: list[str] = []
    tasks: dict[str, Any] = {}
    preds: dict[str, dict[str, Any]] = {}
    n_docs = docs_per_run(opt, len(main))
    if not n_docs:
        return {"thumbs": thumbs, "tasks": tasks, "preds": preds}
    reg = TaskRegistry(list(opt.include_paths))
    for task, g in main.groupby("task", sort=True):
        kept = [col.records.get(k, {}) for k in g["run_key"]]
        ids = sorted(set().union(*kept))[:n_docs]
        first = g.iloc[0]
        gts: dict[str, Any] = {}
        tasks[task] = _task_docs(reg, task, first["split"], first["task_version"], ids, opt, thumbs,
                                 gts)
        preds[task] = {}
        for entry, key in zip(g["entry"], g["run_key"], strict=True):
            recs = col.records.get(key, {})
            preds[task][entry] = {
                i: _doc_view(recs[i], gts.get(i), opt.raw_chars)
                for i in ids if i in recs
            }
    return {"thumbs": thumbs, "tasks": tasks, "preds": preds}
