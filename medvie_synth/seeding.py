"""Seeds derived by hashing, so every document is reproducible from its coordinates alone."""

from __future__ import annotations

import hashlib
import random

import numpy as np


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from any printable parts (stable across Python versions and machines)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def split_seed(seed: int, split: str) -> int:
    """The seed of one split of a source: distinct splits draw from disjoint seed streams."""
    return derive_seed("split", seed, split)


def content_rng(kind: str, language: str, seed: int, index: int) -> random.Random:
    """What is printed: the same for the clean and the photo variant of a document."""
    return random.Random(derive_seed("content", kind, language, seed, index))


def capture_rng(kind: str, language: str, seed: int, index: int) -> np.random.Generator:
    """How the page is photographed."""
    return np.random.default_rng(derive_seed("capture", kind, language, seed, index))


def class_rng(name: str, kind: str, language: str, seed: int, index: int) -> random.Random:
    """The own stream of one failure class added after its variant's first version: drawing it
    leaves the content and capture streams, so documents without the class stay as they were."""
    return random.Random(derive_seed("class", name, kind, language, seed, index))
