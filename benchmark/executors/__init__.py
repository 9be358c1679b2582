"""Executors run a list of documents through ``DocWork`` and hand each ``Outcome`` back to the
runner, which alone writes the run directory — so resume, metrics and the leaderboard do not care
how a run was executed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from benchmark.documents import Document
from benchmark.work import DocWork, OcrFn, Outcome

OnOutcome = Callable[[Outcome], None]


class Executor(Protocol):
    def run(self, work: DocWork, docs: list[Document], on_outcome: OnOutcome) -> None: ...


def make_executor(name: str, **options: object) -> Executor:
    if name == "local":
        from benchmark.executors.local import LocalExecutor

        return LocalExecutor(**options)  # type: ignore[arg-type]
    if name == "ray":
        from benchmark.executors.ray_executor import RayExecutor

        return RayExecutor(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown executor {name!r} (choose local or ray)")


__all__ = ["DocWork", "Executor", "OcrFn", "OnOutcome", "Outcome", "make_executor"]
