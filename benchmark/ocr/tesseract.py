"""Tesseract through pytesseract (Debian ``tesseract-ocr``; words grouped into its own lines).

``MEDVIE_TESSERACT_LANG`` picks the languages (default ``eng``; e.g. ``chi_sim+eng`` after
``apt-get install -y tesseract-ocr-chi-sim``). ``OMP_THREAD_LIMIT=1`` is set unless already set:
with OpenMP threads it is several times slower on a small machine.
"""

from __future__ import annotations

import os
from importlib.metadata import version as _pkg_version
from pathlib import Path

from benchmark.documents import OcrLine
from benchmark.images import open_image
from benchmark.ocr.errors import OcrError, OcrUnavailable

NAME = "tesseract"
_INSTALL = "apt-get install -y tesseract-ocr && pip install pytesseract"


class TesseractEngine:
    def __init__(self) -> None:
        try:
            import pytesseract
        except ImportError as exc:
            raise OcrUnavailable(f"OCR engine 'tesseract' needs pytesseract: {_INSTALL}") from exc
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self._pt = pytesseract
        try:
            binary = str(pytesseract.get_tesseract_version()).split()[0]
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrUnavailable(f"the tesseract program is not installed: {_INSTALL}") from exc
        self.lang = os.environ.get("MEDVIE_TESSERACT_LANG", "eng")
        self.version = f"{binary}+pytesseract{_pkg_version('pytesseract')}+{self.lang}"

    def recognize(self, image: str | Path) -> list[OcrLine]:
        with open_image(image) as img:
            try:
                data = self._pt.image_to_data(
                    img.convert("RGB"), lang=self.lang, output_type=self._pt.Output.DICT
                )
            except self._pt.TesseractError as exc:
                raise OcrError(f"tesseract failed on {image}: {exc}") from exc
        groups: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if str(word).strip():
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                groups.setdefault(key, []).append(i)
        lines = []
        for idx in groups.values():
            x1 = min(data["left"][i] for i in idx)
            y1 = min(data["top"][i] for i in idx)
            x2 = max(data["left"][i] + data["width"][i] for i in idx)
            y2 = max(data["top"][i] + data["height"][i] for i in idx)
            confs = [float(data["conf"][i]) for i in idx if float(data["conf"][i]) >= 0]
            score = round(sum(confs) / len(confs) / 100, 4) if confs else None
            text = " ".join(str(data["text"][i]).strip() for i in idx)
            lines.append(OcrLine(text=text, box=(x1, y1, x2, y2), score=score))
        return lines
