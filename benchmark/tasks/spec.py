"""The typed, versioned schema of a task YAML file (``tasks/*.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

from benchmark.scoring.normalize import VALUE_RULES

TASK_SCHEMA_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """One key of the extraction schema. ``fields`` describes the items of a list of objects
    (``type: list``) or the members of an object (``type: object``)."""

    key: str
    description: str = ""
    type: Literal["string", "number", "date", "list", "object"] = "string"
    fields: list[FieldSpec] | None = None
    value_rule: str | None = Field(default=None, description="overrides the default value rule")

    @field_validator("value_rule")
    @classmethod
    def _known_rule(cls, v: str | None) -> str | None:
        if v is not None and v not in VALUE_RULES:
            raise ValueError(f"unknown value rule {v!r}; choose one of {', '.join(VALUE_RULES)}")
        return v

    @model_validator(mode="after")
    def _nesting(self) -> FieldSpec:
        if self.type == "object" and not self.fields:
            raise ValueError(f"field {self.key!r} of type object needs 'fields'")
        if self.fields and self.type not in ("list", "object"):
            raise ValueError(f"field {self.key!r} has 'fields' but type {self.type!r} (use list or object)")
        return self


class _FileSource(_Strict):
    """A source read from files named in the task: they must lie inside the task's folder
    (symlinks resolved) unless ``allow_paths_outside_folder`` is set."""

    allow_paths_outside_folder: bool = Field(
        default=False, description="let manifests, images and dataset paths lie outside the task's folder")

    @model_serializer(mode="wrap")
    def _opt_in_only_when_set(self, handler: Any) -> Any:
        # Left out while False, so tasks that never set it keep their task_hash (and run keys).
        data = handler(self)
        if not self.allow_paths_outside_folder and isinstance(data, dict):
            data.pop("allow_paths_outside_folder", None)
        return data


class JsonlSource(_FileSource):
    """A JSONL manifest per split: one ``{"id", "image", "gt", "ocr"?}`` object per line, the image
    path relative to the manifest."""

    type: Literal["jsonl"]
    splits: dict[str, str]


class HfSource(_FileSource):
    """A Hugging Face dataset: hub id, a local parquet file/glob, or a folder (``save_to_disk``
    or ``load_dataset``-style). ``gt_json_key`` reads the ground truth from a JSON string column
    (CORD-v2: ``ground_truth`` → ``gt_parse``)."""

    type: Literal["hf"]
    path: str
    name: str | None = None
    splits: dict[str, str]
    image_column: str = "image"
    gt_column: str = "ground_truth"
    gt_json_key: str | None = None
    id_column: str | None = None
    ocr_column: str | None = None
    revision: str | None = None


class SynthSource(_Strict):
    """Documents produced by ``benchmark.synth`` (deterministic from kind, seed and index)."""

    type: Literal["synth"]
    kind: str
    language: str = "en"
    variant: Literal["clean", "photo", "real"] = "clean"
    seed: int = 0
    splits: dict[str, int] = Field(description="split name -> number of documents")
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _real_variant_options(self) -> SynthSource:
        from benchmark.synth.real_options import check_synth_options

        check_synth_options(self.kind, self.variant, self.options)  # ValueError names the option
        return self


Source = Annotated[JsonlSource | HfSource | SynthSource, Field(discriminator="type")]


class PromptSpec(_Strict):
    """A jinja2 template (StrictUndefined). Variables: ``schema`` (the schema JSON with
    descriptions as comments), ``keys`` (queried top-level keys), ``ocr_text`` (may be empty),
    ``thinking`` (bool), ``task`` (the task name), ``language``."""

    system: str | None = None
    template: str


class ScoringSpec(_Strict):
    list_matching: Literal["align", "multiset"] = "align"
    value_rules: dict[str, str] = Field(default_factory=dict)
    ted: bool = True

    @field_validator("value_rules")
    @classmethod
    def _known_rules(cls, v: dict[str, str]) -> dict[str, str]:
        for path, rule in v.items():
            if rule not in VALUE_RULES:
                raise ValueError(f"unknown value rule {rule!r} for {path!r}; choose one of {', '.join(VALUE_RULES)}")
        return v


DEFAULT_PROMPT = PromptSpec(
    template=(
        "{% if ocr_text %}Text of the document (OCR):\n{{ ocr_text }}\n\n{% endif %}"
        "Extract the following fields from the document and return them as JSON in this format "
        "(leave out fields that are not present):\n{{ schema }}"
    )
)


class TaskSpec(_Strict):
    schema_version: int = TASK_SCHEMA_VERSION
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    version: int | str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    language: str
    source: Source
    default_split: str = "test"
    fields: list[FieldSpec] = Field(min_length=1)
    prompt: PromptSpec = DEFAULT_PROMPT
    scoring: ScoringSpec = ScoringSpec()
    citation: str | None = None
    license: str | None = None
    # Set by the registry, never by the YAML: where the task came from.
    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _split_exists(self) -> TaskSpec:
        if self.default_split not in self.source.splits:
            raise ValueError(
                f"default_split {self.default_split!r} is not among the source's splits "
                f"({', '.join(self.source.splits)})"
            )
        return self

    def value_rules(self) -> dict[str, str]:
        """Per-path value rules: the schema's ``value_rule`` entries, then ``scoring.value_rules``."""
        rules: dict[str, str] = {}

        def walk(fields: list[FieldSpec], prefix: str) -> None:
            for f in fields:
                path = f"{prefix}.{f.key}" if prefix else f.key
                if f.value_rule:
                    rules[path] = f.value_rule
                elif f.type == "date":
                    rules[path] = "date"
                if f.fields:
                    walk(f.fields, path)

        walk(self.fields, "")
        rules.update(self.scoring.value_rules)
        return rules

    def top_keys(self) -> list[str]:
        return [f.key for f in self.fields]
