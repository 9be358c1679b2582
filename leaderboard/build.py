"""Tables → the page's data: scopes (task groups and tasks), cells with CIs, significance, power.

A scope's score for an entry pools the documents of the scope's tasks: its cell holds every
registered metric (:mod:`benchmark.metrics`, the same function as ``metrics.json``); an entry gets
a group score only with runs on every task of the group. CIs, paired tests and Holm adjustment
over all pairs of a scope come from :mod:`benchmark.stats`, as named pair records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import pandas as pd

from benchmark import __version__
from benchmark import stats as S
from benchmark.conditions import condition_names, group_by_level
from benchmark.metrics import statistics
from benchmark.metrics.table import cells, concat
from leaderboard.ablations import ablations
from leaderboard.collect import Collection
from leaderboard.config import DisplayConfig
from leaderboard.explorer import docs_per_run, explorer_data
from leaderboard.select import select_runs


@dataclass(frozen=True)
class BuildOptions:
    resamples: int = 1000
    seed: int = 0
    alpha: float = 0.05
    power: float = 0.8
    baseline: str | None = None
    explorer_docs: int = 12
    explorer_budget: int = 3000  # document views in all; fewer per run on big boards
    raw_chars: int = 3000
    thumb_width: int = 160
    include_paths: tuple[Path, ...] = ()
    cache_dir: Path | None = None


@dataclass
class Scope:
    id: str
    kind: str  # group | task
    name: str
    label: str
    tasks: list[str]
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    se: dict[str, float] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    mdd: float | None = None
    n_docs: int = 0


def clean(x: Any, digits: int = 4) -> Any:
    """JSON-safe data: NaN/inf → None, numpy → Python, floats rounded."""
    if isinstance(x, dict):
        return {str(k): clean(v, digits) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v, digits) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return round(x, digits) if math.isfinite(x) else None
    return x


def _per_run(docs: pd.DataFrame, columns: str | list[str], dtype: Any = None) -> dict[str, np.ndarray]:
    """``columns`` of each run's documents, sorted by id: the one document order of the page."""
    d = docs.sort_values(["run_key", "id"], kind="stable")
    arr = d[columns].to_numpy(dtype=dtype)
    keys = d["run_key"].to_numpy()
    if not len(keys):
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return {keys[s]: arr[s:e] for s, e in zip(starts, ends, strict=True)}


def counts_by_run(docs: pd.DataFrame) -> dict[str, np.ndarray]:
    """(n_docs, 3) [tp, fp, fn] per run, documents sorted by id."""
    return _per_run(docs, ["tp", "fp", "fn"], np.int64)


def tables_by_run(docs: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Every registered statistic per run ({name: one value per document}), in the order of
    :func:`counts_by_run`."""
    names = [n for n in statistics() if n in docs]
    return {k: {n: a[:, i] for i, n in enumerate(names)} for k, a in _per_run(docs, names, np.float64).items()}


def ids_by_run(docs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Document ids per run, in the order of :func:`counts_by_run`."""
    return _per_run(docs, "id")


def conditions_by_run(docs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each document's recorded conditions (a dict, or None) per run, in the order of
    :func:`counts_by_run`."""
    if "conditions" not in docs:
        return {}
    return {k: np.array([c if isinstance(c, dict) else None for c in v], dtype=object)
            for k, v in _per_run(docs, "conditions").items()}


def _scopes(main: pd.DataFrame, cfg: DisplayConfig) -> list[Scope]:
    tags = {t: list(g["tags"].iloc[0]) for t, g in main.groupby("task")}
    group_rank = {g.name: i for i, g in enumerate(cfg.groups)}
    out = []
    for g in cfg.groups:
        tasks = sorted(t for t, tg in tags.items() if g.name in cfg.groups_of(tg))
        if tasks:
            out.append(Scope(f"g:{g.name}", "group", g.name, g.label, tasks))

    def rank(t: str) -> tuple[int, str]:
        gs = cfg.groups_of(tags[t])
        return (min((group_rank[x] for x in gs), default=len(group_rank)), t)

    for t in sorted(tags, key=rank):
        out.append(Scope(f"t:{t}", "task", t, cfg.task_label(t), [t]))
    return out


def _ci(ci: S.ConfidenceInterval) -> list[float]:
    return [ci.estimate, ci.low, ci.high]


def _fill_scope(scope: Scope, runs: dict[tuple[str, str], str], counts: dict[str, np.ndarray],
                tables: dict[str, dict[str, np.ndarray]], opt: BuildOptions) -> None:
    entries = sorted({e for (t, e) in runs if t == scope.tasks[0]})
    entries = [e for e in entries if all((t, e) in runs for t in scope.tasks)]
    if not entries:
        return
    arrays = {e: np.concatenate([counts[runs[t, e]] for t in scope.tasks]) for e in entries}
    comp = S.compare_all(arrays, "f1", n_resamples=opt.resamples, alpha=opt.alpha, seed=opt.seed,
                         randomization=False)
    scope.models, scope.n_docs = entries, len(next(iter(arrays.values())))
    for e in entries:
        table = concat([tables[runs[t, e]] for t in scope.tasks])
        scope.se[e] = comp.ci(e).se
        scope.cells[e] = cells(table, opt.resamples, opt.alpha, opt.seed)
        if scope.kind == "task":
            scope.cells[e]["run"] = runs[scope.tasks[0], e]
    scope.pairs = [p.summary() for p in comp.pairs]
    corr = [p.correlation for p in comp.pairs if math.isfinite(p.correlation)]
    rho = max(0.0, median(corr)) if corr else 0.0
    scope.mdd = median(
        S.min_detectable_delta(a, "f1", opt.alpha, opt.power, correlation=rho, method="delta").delta
        for a in arrays.values()
    )


def _field_table(main: pd.DataFrame, fields: pd.DataFrame) -> dict[str, Any]:
    f = fields.merge(main[["run_key", "task", "entry"]], on="run_key")
    out: dict[str, Any] = {}
    for task, g in f.groupby("task", sort=True):
        names = sorted(g["path"].unique())
        rows: dict[str, list[Any]] = {}
        for entry, ge in g.groupby("entry"):
            by = {r.path: (r.tp, r.fp, r.fn) for r in ge.itertuples(index=False)}
            row = []
            for p in names:
                tp, fp, fn = by.get(p, (0, 0, 0))
                row.append([S.micro([tp, fp, fn]), tp, fp, fn])
            rows[entry] = row
        out[task] = {"fields": names, "rows": rows}
    return out


def _level_cells(counts: dict[str, np.ndarray], idx: list[int], opt: BuildOptions) -> dict[str, Any]:
    """F1 with CIs of every entry on the documents ``idx``, and the pairs' paired bootstrap
    (Holm over this level's pairs), in the scopes' layout."""
    entries = list(counts)
    comp = S.compare_all({e: counts[e][idx] for e in entries}, "f1", n_resamples=opt.resamples,
                         alpha=opt.alpha, seed=opt.seed, randomization=False)
    return {"n_docs": len(idx), "models": entries,
            "cells": {e: {"f1": _ci(ci)} for e, ci in zip(entries, comp.cis, strict=True)},
            "pairs": [p.summary() for p in comp.pairs]}


def _condition_table(main: pd.DataFrame, counts: dict[str, np.ndarray],
                     conditions: dict[str, np.ndarray], cfg: DisplayConfig,
                     opt: BuildOptions) -> dict[str, Any]:
    """Per task whose runs' records carry conditions: F1 with CIs per condition level and entry.

    The runs of a task on the board score the same documents (same data and ids), so every
    entry is split by the conditions of the first run that recorded them (older runs of the same
    documents included). Conditions with a single level are left out (nothing to compare)."""
    out: dict[str, Any] = {}
    for task, g in main.groupby("task", sort=True):
        keys = dict(zip(g["entry"], g["run_key"], strict=True))
        carrying = [k for _, k in sorted(keys.items()) if k in conditions and any(conditions[k])]
        if not carrying:
            continue
        docs = list(conditions[carrying[0]])
        per_entry = {e: counts[k] for e, k in sorted(keys.items()) if k in counts and len(counts[k]) == len(docs)}
        by = {}
        for name in cfg.condition_order(condition_names(docs)):
            groups = group_by_level(docs, name)
            if len(groups) > 1:
                by[name] = [{"level": lv, **_level_cells(per_entry, idx, opt)} for lv, idx in groups.items()]
        if by:
            out[task] = {"n_docs": len(docs), "models": list(per_entry), "conditions": by}
    return out


def _entries(main: pd.DataFrame, cfg: DisplayConfig) -> list[dict[str, Any]]:
    rows = main.drop_duplicates("entry").sort_values("entry")
    return [
        {"id": r.entry, "model": r.model, "thinking": bool(r.thinking),
         "label": cfg.model_label(r.entry, r.model, bool(r.thinking))}
        for r in rows.itertuples(index=False)
    ]


def _baseline(requested: str | None, entries: list[dict[str, Any]]) -> str | None:
    ids = [e["id"] for e in entries]
    if requested is not None:
        if requested in ids:
            return requested
        raise ValueError(f"baseline {requested!r} has no runs; models with runs: {', '.join(ids)}")
    return "rules" if "rules" in ids else None


def _runs_list(runs: pd.DataFrame, reasons: dict[str, str]) -> list[dict[str, Any]]:
    cols = ["run_key", "task", "model", "entry", "keys", "thinking", "status", "finished_at",
            "n_docs"]
    out = []
    for r in runs.sort_values(["task", "run_key"]).to_dict("records"):
        row = {c: (None if pd.isna(r[c]) else r[c]) for c in cols if not isinstance(r[c], tuple)}
        row["included"] = r["run_key"] not in reasons
        row["reason"] = reasons.get(r["run_key"], "")
        out.append(row)
    return out


def build_data(col: Collection, cfg: DisplayConfig, opt: BuildOptions | None = None,
               with_explorer: bool = True) -> dict[str, Any]:
    """The page's data (JSON-safe) from collected runs."""
    opt = opt or BuildOptions()
    main, reasons = select_runs(col.runs)
    counts = counts_by_run(col.docs)
    tables = tables_by_run(col.docs)
    runs = {(r.task, r.entry): r.run_key for r in main.itertuples(index=False)}
    scopes = _scopes(main, cfg) if len(main) else []
    for scope in scopes:
        _fill_scope(scope, runs, counts, tables, opt)
    scopes = [s for s in scopes if s.models]
    entries = _entries(main, cfg) if len(main) else []
    data = {
        "meta": {
            "title": cfg.title, "subtitle": cfg.subtitle,
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "version": __version__, "alpha": opt.alpha, "power": opt.power,
            "resamples": opt.resamples, "seed": opt.seed, "n_runs": len(col.runs),
            "n_included": len(main), "baseline": _baseline(opt.baseline, entries),
            "explorer_docs": docs_per_run(opt, len(main)) if with_explorer else 0,
        },
        "metrics": cfg.metric_columns(),
        "entries": entries,
        "scopes": [
            {"id": s.id, "kind": s.kind, "name": s.name, "label": s.label, "tasks": s.tasks,
             "n_docs": s.n_docs, "mdd": s.mdd, "models": s.models, "cells": s.cells,
             "pairs": s.pairs}
            for s in scopes
        ],
        "fields": _field_table(main, col.fields) if len(main) else {},
        "ablations": ablations(col, scopes, cfg, counts, ids_by_run(col.docs), opt),
        "runs": _runs_list(col.runs, reasons),
    }
    by_condition = _condition_table(main, counts, conditions_by_run(col.docs), cfg, opt) if len(main) else {}
    if by_condition:  # absent, not empty, without conditions: boards built before them stay as they were
        data["conditions"] = {"tasks": by_condition, "labels": cfg.condition_labels()}
    if with_explorer:
        data["explorer"] = explorer_data(col, main, opt)
    return clean(data)
