"""OCR engines on real SROIE receipts against their gold OCR text, the cache, reading order."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from benchmark.documents import Document, OcrLine
from benchmark.ocr import (
    OcrError,
    OcrUnavailable,
    apply_ocr,
    get_engine,
    group_rows,
    rows_text,
    run_ocr,
    run_ocr_timed,
)

SAMPLE = Path(__file__).resolve().parents[1] / "tasks" / "general" / "sroie-sample"


def _docs(*ids: str) -> list[Document]:
    docs = []
    for line in (SAMPLE / "test.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        if raw["id"] in ids:
            raw["image"] = str(SAMPLE / raw["image"])
            docs.append(Document.model_validate(raw))
    return docs


def cer(lines: list[OcrLine], gold: list[OcrLine]) -> float:
    """Character error rate of row-grouped text, case and spacing ignored (SROIE gold is upper
    case and word-boxed; the engines box whole phrases)."""

    def norm(ls: list[OcrLine]) -> str:
        return " ".join(rows_text(ls).casefold().split())

    ref = norm(gold)
    return Levenshtein.distance(norm(lines), ref) / len(ref)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path))


def test_rapidocr_cer_and_cache(tmp_path, monkeypatch):
    pytest.importorskip("rapidocr")
    for doc in _docs("041", "052"):
        lines = run_ocr(doc.image, "rapidocr")
        assert lines and all(ln.score is not None for ln in lines)
        assert cer(lines, doc.ocr_lines) < 0.15, doc.id
        files = list((tmp_path / "ocr" / "rapidocr").rglob("*.json"))
        assert any(f.name.startswith(f"{_sha(doc.image)}-") for f in files)

        def boom(image):
            raise AssertionError("engine called although the page is cached")

        with monkeypatch.context() as m:
            m.setattr(get_engine("rapidocr"), "recognize", boom)
            assert run_ocr(doc.image, "rapidocr") == lines


def test_apply_ocr_returns_copy(monkeypatch):
    fake = [
        OcrLine(text="TOTAL", box=(10, 100, 60, 120), score=0.9),
        OcrLine(text="SHOP SDN BHD", box=(10, 10, 90, 30), score=0.8),
    ]
    engine = type("Fake", (), {"version": "t1", "recognize": lambda self, image: list(fake)})()
    monkeypatch.setitem(sys.modules["benchmark.ocr"]._engines, "rapidocr", engine)
    doc = _docs("002")[0]
    out = apply_ocr(doc, "rapidocr")
    assert out.ocr == "SHOP SDN BHD\nTOTAL"
    assert [ln.text for ln in out.ocr_lines] == ["SHOP SDN BHD", "TOTAL"]
    assert out.meta["ocr_engine"] == "rapidocr"
    assert doc.ocr.startswith("TAN WOON YANN")  # the original is untouched
    with pytest.raises(OcrError, match="no image"):
        apply_ocr(doc.model_copy(update={"image": None}), "rapidocr")


class _SlowEngine:
    """An engine that takes a known time, to check that OCR seconds survive the cache."""

    version = "slow1"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image):
        self.calls += 1
        time.sleep(0.05)
        return [OcrLine(text="TOTAL 9.00", box=(10, 100, 90, 120), score=0.9)]


def test_ocr_seconds_are_kept_on_cache_hits_and_reach_the_run(tmp_path, monkeypatch):
    engine = _SlowEngine()
    monkeypatch.setitem(sys.modules["benchmark.ocr"]._engines, "rapidocr", engine)
    doc = _docs("002")[0]
    lines, first = run_ocr_timed(doc.image, "rapidocr")
    assert first >= 0.05 and engine.calls == 1
    again, second = run_ocr_timed(doc.image, "rapidocr")
    assert (again, second, engine.calls) == (lines, pytest.approx(first, abs=1e-3), 1)  # served from the cache
    assert apply_ocr(doc, "rapidocr").meta["ocr_s"] == pytest.approx(first, abs=1e-3)

    # a cache file from before the compute time was recorded is recomputed, not reported as free
    cached = next((tmp_path / "ocr" / "rapidocr").rglob("*.json"))
    payload = json.loads(cached.read_text(encoding="utf-8"))
    del payload["seconds"]
    cached.write_text(json.dumps(payload), encoding="utf-8")
    assert run_ocr_timed(doc.image, "rapidocr")[1] >= 0.05 and engine.calls == 2

    # a run of an OCR model records the OCR seconds per document and counts them per document
    from benchmark.models.registry import ModelRegistry
    from benchmark.runner import RunSettings, run_eval
    from benchmark.tasks.registry import TaskRegistry

    task = TaskRegistry().get("sroie-sample")
    res = run_eval(task, ModelRegistry().get("ocr-layout-rules"), RunSettings(limit=2, progress=False),
                   tmp_path / "runs")
    records = [json.loads(x) for x in (res.run_dir / "predictions.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["input_s"] >= 0.05 for r in records)
    assert all(r["total_s"] >= r["input_s"] + r["latency_s"] for r in records)  # + prompt and scoring
    expected = sum(r["total_s"] for r in records) / 2
    assert res.metrics["seconds_per_doc"] == pytest.approx(expected)
    assert res.metrics["seconds_per_doc"] > res.metrics["latency_mean_s"]


def test_tesseract_cer():
    pytest.importorskip("pytesseract")
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed: apt-get install -y tesseract-ocr")
    doc = _docs("052")[0]
    lines = run_ocr(doc.image, "tesseract")
    assert cer(lines, doc.ocr_lines) < 0.3
    assert all(x1 <= x2 and y1 <= y2 for x1, y1, x2, y2 in (ln.box for ln in lines))


def test_reading_order_groups_rows():
    boxes = [
        ("value", (200, 52, 260, 70)),
        ("name", (10, 50, 100, 68)),
        ("title", (50, 5, 200, 25)),
        ("next", (10, 80, 90, 98)),
    ]
    rows = group_rows([OcrLine(text=t, box=b) for t, b in boxes])
    assert [[ln.text for ln in row] for row in rows] == [["title"], ["name", "value"], ["next"]]


def test_errors_are_clear(monkeypatch):
    with pytest.raises(OcrError, match="unknown OCR engine"):
        run_ocr(_docs("002")[0].image, "nope")
    with pytest.raises(OcrError, match="image not found"):
        run_ocr("/nonexistent.png", "rapidocr")
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    from benchmark.ocr.rapidocr import RapidOcrEngine

    with pytest.raises(OcrUnavailable, match=r"pip install 'medvie-bench\[ocr\]'"):
        RapidOcrEngine()


def _sha(path: str) -> str:
    from benchmark.ocr.cache import file_sha256

    return file_sha256(path)


def test_tesseract_leaves_the_process_environment_alone(monkeypatch):
    """OMP_THREAD_LIMIT=1 reaches the tesseract program only: in this process it made torch's CPU
    kernels return NaN. A user's own setting stays."""
    from benchmark.ocr.tesseract import _one_omp_thread

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    with _one_omp_thread():
        with _one_omp_thread():  # two concurrent calls
            assert os.environ["OMP_THREAD_LIMIT"] == "1"
        assert os.environ["OMP_THREAD_LIMIT"] == "1"
    assert "OMP_THREAD_LIMIT" not in os.environ
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    with _one_omp_thread():
        assert os.environ["OMP_THREAD_LIMIT"] == "4"
    assert os.environ["OMP_THREAD_LIMIT"] == "4"
