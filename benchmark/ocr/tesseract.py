"""Tesseract through pytesseract (Debian ``tesseract-ocr``; words grouped into its own lines).

``MEDVIE_TESSERACT_LANG`` picks the languages (default ``eng``; e.g. ``chi_sim+eng`` after
``apt-get install -y tesseract-ocr-chi-sim``). The tesseract program runs with
``OMP_THREAD_LIMIT=1`` unless the variable is set: with OpenMP threads it is several times slower on
a small machine. Only its process gets it: set in this process, it made torch's CPU kernels return
NaN (a tiny SFT step after a tesseract call had NaN gradients).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version as _pkg_version
from pathlib import Path

from benchmark.documents import OcrLine
from benchmark.images import open_image
from benchmark.ocr.errors import OcrError, OcrUnavailable

NAME = "tesseract"
_INSTALL = "apt-get install -y tesseract-ocr && pip install pytesseract"


_ENV_LOCK = threading.Lock()
_USERS = [0]  # tesseract calls in flight that set the variable


@contextmanager
def _one_omp_thread() -> Iterator[None]:
    """``OMP_THREAD_LIMIT=1`` for the tesseract processes that pytesseract starts (it passes no
    environment of its own), removed when the last concurrent call ends."""
    with _ENV_LOCK:
        if _USERS[0] == 0 and "OMP_THREAD_LIMIT" in os.environ:  # the user's own setting
            owned = False
        else:
            owned = True
            _USERS[0] += 1
            os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        if owned:
            with _ENV_LOCK:
                _USERS[0] -= 1
                if _USERS[0] == 0:
                    os.environ.pop("OMP_THREAD_LIMIT", None)


class TesseractEngine:
    def __init__(self) -> None:
        try:
            import pytesseract
        except ImportError as exc:
            raise OcrUnavailable(f"OCR engine 'tesseract' needs pytesseract: {_INSTALL}") from exc
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
                with _one_omp_thread():
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
