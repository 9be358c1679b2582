"""The unit of work of a run, shared by every executor: one document → OCR (when the model reads
OCR text from an engine) → prompt → model call. Picklable, so Ray workers run the same code."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmark.documents import Document
from benchmark.images import check_image
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
    # the document's input (OCR counted as ``input_s``), prompt and model call, retries included
    work_s: float = 0.0


class NoText(ValueError):
    """The OCR engine read nothing on the page."""


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
        ocr_wall = 0.0
        try:
            if self.model.uses_ocr and self.model.ocr_engine != "gold":  # gold OCR text: nothing to compute
                doc_in = await asyncio.to_thread(self._with_ocr, doc, ocr)
                ocr_wall = time.perf_counter() - start
                if not self.model.uses_image and not (doc_in.ocr or "").strip():
                    # the model reads nothing but this text: an input error, not the model's zero
                    raise NoText(f"{self.model.ocr_engine} found no text on the page (blank, dark or unreadable?)")
            else:
                doc_in = doc
            if self.model.uses_image and doc.image:  # over the pixel cap or damaged: an input_error
                await asyncio.to_thread(check_image, doc.image)
            prompt = build_prompt(
                self.task, doc_in, sampling=self.keys, thinking=self.thinking, seed=self.seed,
                use_image=self.model.uses_image, use_ocr=self.model.uses_ocr,
            )
        except Exception as exc:  # OCR or prompt failure for this document: a record, not a crash
            if isinstance(exc, OcrUnavailable):
                raise  # the engine is not installed: a set-up error, not a document's
            spent = time.perf_counter() - start
            gen = Generation(raw=None, error_kind="input_error", error=f"{type(exc).__name__}: {exc}",
                             latency_s=spent)
            return Outcome(doc.id, "", None, gen, work_s=spent)
        call_start = time.perf_counter()
        try:
            gen = await adapter.generate(prompt)
        except Exception as exc:  # an adapter bug must not end the run: record it
            gen = Generation(raw=None, error_kind="adapter_error", error=f"{type(exc).__name__}: {exc}",
                             latency_s=time.perf_counter() - call_start)
        input_s = float(doc_in.meta.get("ocr_s", 0.0))
        # the OCR step counts as its compute time (as input_s does), so a cache hit costs the same
        work_s = time.perf_counter() - start - ocr_wall + input_s
        return Outcome(doc.id, prompt.hash(), prompt.queried_keys, gen, input_s, work_s)
