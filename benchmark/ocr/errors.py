"""OCR errors."""

from __future__ import annotations


class OcrError(RuntimeError):
    """An OCR engine failed on a page, or cannot be used."""


class OcrUnavailable(OcrError):
    """The engine's package or program is not installed (the message says how to install it)."""
