"""The Document record: one page to extract from, with its ground truth."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchmark.conditions import ConditionsField

DOCUMENT_SCHEMA_VERSION = 1


class OcrLine(BaseModel):
    """One text line with its box: ``[x1, y1, x2, y2]`` in pixels of the document image."""

    model_config = ConfigDict(extra="forbid")

    text: str
    box: tuple[float, float, float, float]
    score: float | None = None


class Document(BaseModel):
    """A document of a task split. ``image`` is an absolute path (or None for text-only data)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = DOCUMENT_SCHEMA_VERSION
    id: str
    image: str | None = None
    gt: dict[str, Any]
    ocr: str | None = Field(default=None, description="OCR text (gold or engine), lines joined by \\n")
    ocr_lines: list[OcrLine] | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    conditions: ConditionsField = Field(
        default_factory=dict,
        description="how the document was made or captured, for per-condition scores (not part of the data hash)")
