"""``display.yaml``: display names and task groups, validated here. The board's metric columns
come from the metric registry (:mod:`benchmark.metrics`); ``metrics:`` may relabel or hide them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_DISPLAY = Path(__file__).with_name("display.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Group(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    label: str
    tags: list[str] = Field(min_length=1)


class MetricDisplay(_Strict):
    """Overrides of a registered metric's column (all optional)."""

    label: str | None = None
    format: Literal["score", "percent", "int", "seconds", "money"] | None = None
    hidden: bool = False


class Named(_Strict):
    label: str
    description: str = ""


class DisplayConfig(_Strict):
    title: str = "Leaderboard"
    subtitle: str = ""
    groups: list[Group] = Field(default_factory=list)
    metrics: dict[str, MetricDisplay] = Field(default_factory=dict)
    models: dict[str, Named] = Field(default_factory=dict)
    tasks: dict[str, Named] = Field(default_factory=dict)
    domain_drop: tuple[str, str] | None = ("general", "medical")  # (from, to) group names
    # capture conditions (PredictionRecord.conditions) in the order shown, with display names;
    # conditions not listed follow, alphabetically
    conditions: dict[str, Named] = Field(default_factory=dict)

    def metric_columns(self) -> list[dict[str, Any]]:
        """The board's metric columns: every registered metric in order, with this file's overrides."""
        from benchmark.metrics import registered

        out = []
        for m in registered():
            o = self.metrics.get(m.name, MetricDisplay())
            if not o.hidden:
                shown = {k: v for k, v in o.model_dump(exclude={"hidden"}).items() if v is not None}
                out.append({"key": m.name, **m.display(), **shown})
        return out

    def model_label(self, entry: str, model: str, thinking: bool) -> str:
        if entry in self.models:
            return self.models[entry].label
        base = self.models[model].label if model in self.models else model
        return f"{base} · thinking" if thinking else base

    def task_label(self, task: str) -> str:
        return self.tasks[task].label if task in self.tasks else task

    def groups_of(self, tags: list[str]) -> list[str]:
        return [g.name for g in self.groups if set(g.tags) & set(tags)]

    def condition_order(self, names: list[str]) -> list[str]:
        """``names`` with the listed conditions first, in the display file's order."""
        listed = [n for n in self.conditions if n in names]
        return listed + sorted(n for n in names if n not in self.conditions)

    def condition_labels(self) -> dict[str, dict[str, str]]:
        return {k: v.model_dump() for k, v in self.conditions.items()}


def load_display(path: Path | None = None) -> DisplayConfig:
    """Read and validate a display file (default: the packaged ``display.yaml``)."""
    path = path or DEFAULT_DISPLAY
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cfg = DisplayConfig.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path}: invalid display file: {exc}") from exc
    from benchmark.metrics import registered

    known = [m.name for m in registered()]
    unknown = set(cfg.metrics) - set(known)
    if unknown:
        raise ValueError(f"{path}: unknown metrics {sorted(unknown)}; known: {known}")
    return cfg
