"""The typed, versioned schema of a model spec (``baselines/*.yaml`` or a user's YAML)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

MODEL_SCHEMA_VERSION = 1


def public_url(url: str | None) -> str | None:
    """``url`` as a run folder may show it: without user name, password, query or fragment (an
    endpoint URL can carry a key; the manifest must not)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        if not (parts.username or parts.password or parts.query or parts.fragment):
            return url
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError:
        return "(unparsable URL)"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GenerationSettings(_Strict):
    max_tokens: int = 1024
    temperature: float = 0.0
    top_p: float = 1.0
    stop: list[str] | None = None
    json_mode: bool = False
    timeout_s: float = 120.0
    seed: int | None = None


class ImageSettings(_Strict):
    max_pixels: int | None = 1280 * 28 * 28
    min_pixels: int | None = None


class Prices(_Strict):
    """US dollars per million tokens, for the cost columns."""

    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0

    def cost(self, tokens_in: int | None, tokens_out: int | None) -> float:
        return ((tokens_in or 0) * self.input_per_mtok + (tokens_out or 0) * self.output_per_mtok) / 1e6


class ModelSpec(_Strict):
    schema_version: int = MODEL_SCHEMA_VERSION
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    description: str = ""
    adapter: str = Field(description="adapter name: rules, openai, llamacpp, hf, vllm, ... or a plugin's")
    input: Literal["image", "ocr", "image+ocr"] = "image"
    ocr_engine: Literal["gold", "rapidocr", "tesseract"] = "gold"
    model_id: str | None = Field(default=None, description="the model's name at the endpoint / hub id")
    checkpoint: str | None = None
    base_url: str | None = None
    api_key_env: str | None = Field(default=None, description="environment variable holding the API key")
    generation: GenerationSettings = GenerationSettings()
    image: ImageSettings = ImageSettings()
    price: Prices = Prices()
    concurrency: int = Field(default=4, ge=1)
    options: dict[str, Any] = Field(default_factory=dict)
    path: Path | None = Field(default=None, exclude=True)

    @property
    def uses_image(self) -> bool:
        return self.input in ("image", "image+ocr")

    @property
    def uses_ocr(self) -> bool:
        return self.input in ("ocr", "image+ocr")

    def cache_dict(self) -> dict[str, Any]:
        """What identifies this model's outputs (everything but display text)."""
        return self.model_dump(mode="json", exclude={"description", "price", "concurrency"})

    def spec_hash(self) -> str:
        payload = json.dumps(self.cache_dict(), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
