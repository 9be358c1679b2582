"""The default executor: one process, ``model.concurrency`` coroutines sharing one adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from benchmark.documents import Document
from benchmark.models.base import Adapter
from benchmark.models.registry import create_adapter
from benchmark.work import DocWork, OcrFn, Outcome


class LocalExecutor:
    def __init__(self, adapter: Adapter | None = None, ocr: OcrFn | None = None) -> None:
        self.adapter = adapter
        self.ocr = ocr

    def run(self, work: DocWork, docs: list[Document], on_outcome: Callable[[Outcome], None]) -> None:
        if docs:
            asyncio.run(self._run(work, docs, on_outcome))

    async def _run(self, work: DocWork, docs: list[Document], on_outcome: Callable[[Outcome], None]) -> None:
        adapter = self.adapter or create_adapter(work.model)
        queue: asyncio.Queue[Document] = asyncio.Queue()
        for doc in docs:
            queue.put_nowait(doc)

        async def worker() -> None:
            while not queue.empty():
                doc = queue.get_nowait()
                on_outcome(await work(adapter, doc, self.ocr))

        try:
            await asyncio.gather(*(worker() for _ in range(min(work.model.concurrency, len(docs)))))
        finally:
            await adapter.aclose()
