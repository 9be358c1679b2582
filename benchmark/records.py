"""Typed, versioned run artifacts: one prediction record per document, the run manifest, metrics."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchmark.conditions import ConditionsField

RECORD_SCHEMA_VERSION = 1
MANIFEST_SCHEMA_VERSION = 1


class PredictionRecord(BaseModel):
    """One line of ``predictions.jsonl``."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = RECORD_SCHEMA_VERSION
    id: str
    cache_key: str
    prompt_hash: str
    queried_keys: list[str] | None = None
    raw: str | None = None
    parsed: dict[str, Any] | None = None
    parse_error: str | None = None
    error_kind: str | None = Field(default=None, description="timeout, http_error, truncated, ...")
    error: str | None = None
    finish_reason: str | None = None
    think_chars: int = 0
    latency_s: float = Field(default=0.0, description="seconds in the model call")
    input_s: float = Field(default=0.0, description="OCR compute seconds, counted even on an OCR cache hit")
    total_s: float | None = Field(
        default=None,
        description="the whole document: input (OCR compute as in input_s, image, prompt), the model call with "
        "its retries, and scoring; None in records made before it was measured",
    )
    attempt: int = Field(default=1, ge=1, description="1 + how many earlier runs of this document failed (API errors "
                         "are retried on resume); the latest record of an id counts")
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float = 0.0
    counts: dict[str, Any]
    ted: float | None = None
    stats: dict[str, float] | None = Field(
        default=None, description="per-document statistics measured while scoring (benchmark.metrics: "
        "Statistic.measure), by name; None in records made before them or when no metric measures one")
    conditions: ConditionsField | None = Field(
        default=None, description="the document's capture conditions (Document.conditions), if any")


class WeightsFile(BaseModel):
    """The weights a run's model loaded, by role (``model``, ``lora``, ``checkpoint``...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    digest: str = Field(description="sha256 of the file, or of a folder's weight and config files")


class RunManifest(BaseModel):
    """``manifest.json``: everything needed to reproduce and to trust a run."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = MANIFEST_SCHEMA_VERSION
    run_id: str
    cache_key: str
    task: dict[str, Any]  # name, version, hash, split, data_hash, tags, language, n_docs
    model: dict[str, Any]  # the model spec (no secrets: only the env var's name)
    settings: dict[str, Any]  # keys, thinking, seed, limit, prompt template hash
    environment: dict[str, Any]  # git commit, dirty flag, python, platform, package versions
    weights: dict[str, WeightsFile] = Field(default_factory=dict)  # local weight files, by role
    command: list[str]
    started_at: str
    finished_at: str | None = None
    status: str = "running"  # running | finished | interrupted (Ctrl-C, SIGTERM) | failed (error)
    error: str | None = None  # why a run ended as failed
    medvie_bench_version: str
