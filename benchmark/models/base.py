"""The adapter protocol and the record an adapter returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from benchmark.tasks.errors import TaskError

if TYPE_CHECKING:  # only a type here; importing prompts (jinja2) would slow `medvie-bench score` down
    from benchmark.prompts import Prompt

ERROR_KINDS = ("timeout", "http_error", "connection_error", "rate_limited", "truncated", "adapter_error")


class ModelError(TaskError):
    """A model spec or name that cannot be used (adapters raise it at construction)."""


@dataclass(slots=True)
class Generation:
    """One model call's outcome. ``raw`` is None when the call failed (``error_kind`` says why);
    ``finish_reason == "length"`` marks an output truncated by the token limit."""

    raw: str | None
    error_kind: str | None = None
    error: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_s: float = 0.0
    finish_reason: str | None = None
    status_code: int | None = None


@runtime_checkable
class Adapter(Protocol):
    """Turns a prompt into text. Adapters never raise for a per-document failure: they return a
    ``Generation`` with ``error_kind`` set, so failures are data."""

    async def generate(self, prompt: Prompt) -> Generation: ...

    async def aclose(self) -> None: ...
