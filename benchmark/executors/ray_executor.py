"""Distributed evaluation on Ray: documents are sharded to actors that each hold one adapter (one
GPU each when the cluster has GPUs); outcomes stream back to the driver, which alone writes the
run directory. A shard whose worker dies is retried on another worker (a replacement is started);
the runner drops duplicates, so nothing is lost or written twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmark.documents import Document
from benchmark.models.base import Generation
from benchmark.work import DocWork, Outcome


class _Worker:
    """A Ray actor: one adapter, its own event loop, ``model.concurrency`` requests in flight."""

    def __init__(self, work: DocWork) -> None:
        from benchmark.models.registry import create_adapter

        self.work = work
        self.adapter = create_adapter(work.model)
        self.loop = asyncio.new_event_loop()

    def pid(self) -> int:
        return os.getpid()

    def process(self, docs: list[Document]) -> list[Outcome]:
        async def go() -> list[Outcome]:
            sem = asyncio.Semaphore(self.work.model.concurrency)

            async def one(doc: Document) -> Outcome:
                async with sem:
                    return await self.work(self.adapter, doc)

            return list(await asyncio.gather(*(one(d) for d in docs)))

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        self.loop.run_until_complete(self.adapter.aclose())


@dataclass
class _Shard:
    docs: list[Document]
    attempts: int = 0


class RayExecutor:
    def __init__(
        self,
        workers: int = 2,
        address: str | None = None,
        batch_size: int = 4,
        max_attempts: int = 3,
        gpus_per_worker: float | None = None,
    ) -> None:
        self.workers = workers
        self.address = address
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.gpus_per_worker = gpus_per_worker
        self.actors: list[Any] = []  # live actors, visible to tests

    def _init(self, ray: Any) -> bool:
        if ray.is_initialized():
            return False
        env = {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)} if self.address is None else {}
        ray.init(
            address=self.address,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": env} if env else None,
            configure_logging=False,
        )
        return True

    def run(self, work: DocWork, docs: list[Document], on_outcome: Callable[[Outcome], None]) -> None:
        try:
            import ray
            from ray.exceptions import RayActorError, WorkerCrashedError
        except ImportError as exc:
            raise RuntimeError("--executor ray needs Ray: pip install 'medvie-bench[ray]'") from exc
        started = self._init(ray)
        gpus = self.gpus_per_worker
        if gpus is None:
            gpus = 1 if ray.cluster_resources().get("GPU", 0) >= self.workers else 0
        actor_cls = ray.remote(num_gpus=gpus, num_cpus=0)(_Worker)
        shards = deque(_Shard(docs[i : i + self.batch_size]) for i in range(0, len(docs), self.batch_size))
        self.actors = [actor_cls.remote(work) for _ in range(self.workers)]
        idle = list(self.actors)
        inflight: dict[Any, tuple[Any, _Shard]] = {}
        try:
            while shards or inflight:
                while idle and shards:
                    actor, shard = idle.pop(), shards.popleft()
                    inflight[actor.process.remote(shard.docs)] = (actor, shard)
                ready, _ = ray.wait(list(inflight), num_returns=1)
                actor, shard = inflight.pop(ready[0])
                try:
                    outcomes = ray.get(ready[0])
                except (RayActorError, WorkerCrashedError) as exc:
                    self._replace(actor, actor_cls, work, idle)
                    shard.attempts += 1
                    if shard.attempts < self.max_attempts:
                        shards.append(shard)
                    else:
                        for doc in shard.docs:
                            on_outcome(
                                Outcome(
                                    doc.id,
                                    "",
                                    None,
                                    Generation(
                                        raw=None, error_kind="worker_error", error=f"{type(exc).__name__}: {exc}"
                                    ),
                                )
                            )
                    continue
                for outcome in outcomes:
                    on_outcome(outcome)
                idle.append(actor)
        finally:
            for actor in self.actors:
                with contextlib.suppress(Exception):  # a dead actor has nothing to close
                    ray.get(actor.close.remote(), timeout=30)
                ray.kill(actor)
            if started:
                ray.shutdown()

    def _replace(self, dead: Any, actor_cls: Any, work: DocWork, idle: list[Any]) -> None:
        if dead in self.actors:
            self.actors.remove(dead)
        fresh = actor_cls.remote(work)
        self.actors.append(fresh)
        idle.append(fresh)
