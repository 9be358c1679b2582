"""Document kinds: each module's ``build(rng, language, options) -> Built`` draws one page."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from medvie_synth.kinds.base import Built

# kind -> (module, languages)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lab": ("lab", ("en", "zh")),
    "imaging": ("imaging", ("en", "zh")),
    "pathology": ("pathology", ("en", "zh")),
    "prescription": ("prescription", ("en", "zh")),
    "receipt": ("receipt", ("en",)),
    "cord": ("cord", ("en",)),
    "ticket": ("ticket", ("zh",)),
}
MEDICAL_KINDS = ("lab", "imaging", "pathology", "prescription")


class UnknownKindError(ValueError):
    pass


def builder(kind: str, language: str) -> Callable[..., Built]:
    if kind not in KINDS:
        raise UnknownKindError(f"unknown synth kind {kind!r}; choose one of {', '.join(KINDS)}")
    module, languages = KINDS[kind]
    if language not in languages:
        raise UnknownKindError(
            f"synth kind {kind!r} has no language {language!r}; choose one of {', '.join(languages)}"
        )
    build: Callable[[Any, str, dict[str, Any]], Built] = import_module(
        f"medvie_synth.kinds.{module}").build
    return build
