"""The default executor: one process, ``model.concurrency`` coroutines sharing one adapter.

Ctrl-C cancels the coroutines (``asyncio.run`` turns the first SIGINT into a cancellation, so a
request in flight is dropped at once and ``adapter.aclose()`` stops a managed server). Blocking
steps run in threads (OCR, image decoding); those are daemon threads here, so a step that cannot
be cancelled does not hold the interrupted process until it ends.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from benchmark.documents import Document
from benchmark.models.base import Adapter
from benchmark.models.registry import create_adapter
from benchmark.work import DocWork, OcrFn, Outcome


class DaemonThreads(ThreadPoolExecutor):
    """Each call on its own daemon thread (at most ``concurrency`` at a time in a run); shutdown
    does not wait for calls whose results nobody awaits any more. (A ``ThreadPoolExecutor`` by
    type only, as asyncio's default executor must be; its pool is never used.)"""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def call() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the awaiting coroutine
                future.set_exception(exc)

        threading.Thread(target=call, name="medvie-step", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


class LocalExecutor:
    def __init__(self, adapter: Adapter | None = None, ocr: OcrFn | None = None) -> None:
        self.adapter = adapter
        self.ocr = ocr

    def run(self, work: DocWork, docs: list[Document], on_outcome: Callable[[Outcome], None]) -> None:
        if docs:
            asyncio.run(self._run(work, docs, on_outcome))

    async def _run(self, work: DocWork, docs: list[Document], on_outcome: Callable[[Outcome], None]) -> None:
        asyncio.get_running_loop().set_default_executor(DaemonThreads())
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
