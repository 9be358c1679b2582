"""The typed, versioned schema of a task YAML file (``tasks/*.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from benchmark.scoring.normalize import VALUE_RULES
from benchmark.tasks.errors import TaskError
from benchmark.tasks.source_plugins import SourceSpec, source_type

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


def _source(value: Any, handler: ValidatorFunctionWrapHandler) -> SourceSpec:
    """The ``source:`` block validated by the model its ``type`` names (``source_plugins``); its
    problems keep their place (``source.splits``)."""
    if isinstance(value, SourceSpec):
        return value
    if not isinstance(value, dict):
        return handler(value)
    kind = value.get("type")
    if not isinstance(kind, str):
        raise PydanticCustomError("source_type", "needs a 'type' naming its source type (e.g. jsonl, hf, synth)")
    try:
        plugin = source_type(kind)
    except TaskError as exc:
        raise PydanticCustomError("source_type", "{problem}", {"problem": str(exc)}) from exc
    return plugin.spec.model_validate(value)


# Serialised as the source type's own model (SerializeAsAny), so task_hash covers all its fields.
Source = Annotated[SerializeAsAny[SourceSpec], WrapValidator(_source)]


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
