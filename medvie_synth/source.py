"""The ``synth`` source type: documents generated from a task's ``source:`` block (kind, language,
variant, seed, options), deterministic from those and each document's index. Registered in the
``medvie_bench.sources`` entry-point group; the core reaches it only through that registry."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import Field, model_validator

from benchmark.tasks.source_plugins import SourceSpec, SourceType, cache_root
from medvie_synth.real_options import check_synth_options

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.tasks.spec import TaskSpec


class SynthSource(SourceSpec):
    """Documents produced by ``medvie_synth`` (deterministic from kind, seed and index)."""

    type: Literal["synth"]
    kind: str
    language: str = "en"
    variant: Literal["clean", "photo", "real"] = "clean"
    seed: int = 0
    splits: dict[str, int] = Field(description="split name -> number of documents")
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _real_variant_options(self) -> SynthSource:
        check_synth_options(self.kind, self.variant, self.options)  # ValueError names the option
        return self


class SynthSourceType(SourceType):
    spec = SynthSource
    generated = True

    def load(self, task: TaskSpec, split: str, limit: int | None) -> list[Document]:
        from medvie_synth.cache import load_split

        return load_split(cast(SynthSource, task.source), split, cache_root() / "synth", limit=limit)

    def split_hash(self, task: TaskSpec, split: str) -> str:
        """The source spec, the split and the generator version decide every document: nothing is
        generated to hash a split."""
        from medvie_synth.generate import generator_version

        src = cast(SynthSource, task.source)
        payload = json.dumps([src.model_dump(mode="json"), split, generator_version(src.variant)], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
