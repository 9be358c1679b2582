"""The unit of work of a run, shared by every executor: one document → OCR (when the model reads
OCR text from an engine) → prompt → model call. Picklable, so Ray workers run the same code."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmark.documents import Document
from benchmark.models.base import Adapter, Generation
from benchmark.models.spec import ModelSpec
from benchmark.ocr.errors import OcrUnavailable
from benchmark.prompts import KeySampling, build_prompt
from benchmark.tasks.spec import TaskSpec

OcrFn = Callable[[Document, str], Document]


@dataclass(frozen=True)
class Outcome:
    doc_id: str
    prompt_hash: str
    queried_keys: list[str] | None
    generation: Generation
    input_s: float = 0.0  # OCR compute seconds (also when served from the OCR cache)


@dataclass(frozen=True)
class DocWork:
    task: TaskSpec
    model: ModelSpec
    keys: KeySampling
    thinking: bool
    seed: int

    def _with_ocr(self, doc: Document, ocr: OcrFn | None) -> Document:
        if not self.model.uses_ocr or self.model.ocr_engine == "gold":
            return doc
        if ocr is None:
            from benchmark.ocr import apply_ocr

            ocr = apply_ocr
        return ocr(doc, self.model.ocr_engine)

    async def __call__(self, adapter: Adapter, doc: Document, ocr: OcrFn | None = None) -> Outcome:
        start = time.perf_counter()
        try:
            doc_in = await asyncio.to_thread(self._with_ocr, doc, ocr) if self.model.uses_ocr else doc
            prompt = build_prompt(
                self.task, doc_in, sampling=self.keys, thinking=self.thinking, seed=self.seed,
                use_image=self.model.uses_image, use_ocr=self.model.uses_ocr,
            )
        except Exception as exc:  # OCR or prompt failure for this document: a record, not a crash
            if isinstance(exc, OcrUnavailable):
                raise  # the engine is not installed: a set-up error, not a document's
            gen = Generation(raw=None, error_kind="input_error", error=f"{type(exc).__name__}: {exc}",
                             latency_s=time.perf_counter() - start)
            return Outcome(doc.id, "", None, gen)
        start = time.perf_counter()
        try:
            gen = await adapter.generate(prompt)
        except Exception as exc:  # an adapter bug must not end the run: record it
            gen = Generation(raw=None, error_kind="adapter_error", error=f"{type(exc).__name__}: {exc}",
                             latency_s=time.perf_counter() - start)
        return Outcome(doc.id, prompt.hash(), prompt.queried_keys, gen, float(doc_in.meta.get("ocr_s", 0.0)))
