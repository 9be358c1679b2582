"""Collecting every problem of an input before refusing it (one line each, then exit 2)."""

from __future__ import annotations

from benchmark.tasks.errors import TaskError

MAX_LISTED = 200  # problems printed; the rest are counted


class InputProblems(TaskError):
    """Several problems of one input; ``str()`` lists them, one per line."""

    def __init__(self, header: str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        lines = [f"{header} ({len(problems)} problem(s); nothing was written)", *(f"  - {p}" for p in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


class Problems:
    """An accumulator: ``add`` as you go, then ``raise_if_any`` before writing anything."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, header: str) -> None:
        if self.items:
            raise InputProblems(header, self.items)
