"""RapidOCR (PP-OCR models in ONNX, shipped inside the pip wheel; Chinese and Latin)."""

from __future__ import annotations

import threading
from importlib.metadata import version as _pkg_version
from pathlib import Path

from benchmark.documents import OcrLine
from benchmark.ocr.errors import OcrUnavailable
from benchmark.ocr.layout import quad_to_box

NAME = "rapidocr"
# The direction classifier is off: on report photos it flipped short tokens such as "g/dL".
PARAMS = {"Global.use_cls": False, "Global.log_level": "warning"}


class RapidOcrEngine:
    def __init__(self) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise OcrUnavailable(
                "OCR engine 'rapidocr' is not installed: pip install 'medvie-bench[ocr]' "
                "(rapidocr and onnxruntime)"
            ) from exc
        self._ocr = RapidOCR(params=dict(PARAMS))
        self._lock = threading.Lock()  # one page at a time: not documented as reentrant
        self.version = f"{_pkg_version('rapidocr')}+nocls"

    def recognize(self, image: str | Path) -> list[OcrLine]:
        with self._lock:
            result = self._ocr(str(image))
        if result.boxes is None or result.txts is None:
            return []
        scores = result.scores if result.scores is not None else [None] * len(result.txts)
        return [
            OcrLine(
                text=str(text),
                box=quad_to_box(quad),
                score=None if s is None else round(float(s), 4),
            )
            for quad, text, s in zip(result.boxes, result.txts, scores, strict=True)
            if str(text).strip()
        ]
