"""The paper's ablations, from run settings and task tags: thinking on/off, keys all/random,
and the drop from general to medical documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from benchmark import stats as S
from leaderboard.collect import Collection
from leaderboard.config import DisplayConfig
from leaderboard.select import latest_runs

if TYPE_CHECKING:
    from leaderboard.build import BuildOptions, Scope


def _paired_rows(pairs: list[tuple[dict[str, Any], str, str]], counts: dict[str, np.ndarray],
                 ids: dict[str, np.ndarray], opt: BuildOptions) -> list[dict[str, Any]]:
    """One paired bootstrap per (row, run a, run b) on the documents both runs scored, Holm over
    the rows (a 120-document run pairs with a 30-document one on those 30)."""
    rows, family = [], []
    for row, a, b in pairs:
        in_a, in_b = np.isin(ids[a], ids[b]), np.isin(ids[b], ids[a])
        if in_a.any():
            rows.append(row)
            family.append((a, counts[a][in_a], b, counts[b][in_b]))
    compared = S.compare_pairs(family, "f1", opt.resamples, opt.alpha, opt.seed)
    return [{**row, "f1_a": p.estimate_a, "f1_b": p.estimate_b, "delta": p.delta, "low": p.low,
             "high": p.high, "p": p.p_bootstrap, "n_docs": p.n_docs, "p_holm": p.p_bootstrap_holm}
            for row, p in zip(rows, compared, strict=True)]


def _same_data(a: Any, b: Any) -> bool:
    """Same task version and data: the runs' documents can be matched by id."""
    return a.task_version == b.task_version and a.data_hash == b.data_hash


def _thinking(runs: pd.DataFrame) -> list[tuple[dict[str, Any], str, str]]:
    latest = latest_runs(runs[runs["keys"] == "all"], ["task", "model", "thinking"])
    off = {(r.task, r.model): r for r in latest.itertuples(index=False) if not r.thinking}
    out = []
    for on in sorted(latest[latest["thinking"].astype(bool)].itertuples(index=False),
                     key=lambda r: (r.model, r.task)):
        base = off.get((on.task, on.model))
        if base is not None and _same_data(base, on):
            out.append(({"model": on.model, "task": on.task}, base.run_key, on.run_key))
    return out


def _keys(runs: pd.DataFrame) -> list[tuple[dict[str, Any], str, str]]:
    latest = latest_runs(runs[~runs["thinking"].astype(bool)], ["task", "model", "keys"])
    full = {(r.task, r.model): r for r in latest.itertuples(index=False) if r.keys == "all"}
    out = []
    for r in sorted(latest[latest["keys"] != "all"].itertuples(index=False),
                    key=lambda r: (r.model, r.task, r.keys)):
        base = full.get((r.task, r.model))
        if base is not None and _same_data(base, r):
            out.append(({"model": r.model, "task": r.task, "keys": r.keys}, base.run_key,
                        r.run_key))
    return out


def _domain(scopes: list[Scope], cfg: DisplayConfig, alpha: float) -> list[dict[str, Any]]:
    if not cfg.domain_drop:
        return []
    by = {s.name: s for s in scopes if s.kind == "group"}
    a, b = (by.get(name) for name in cfg.domain_drop)
    if a is None or b is None:
        return []
    rows = []
    for e in a.models:
        if e in b.cells:
            d = S.unpaired_difference(a.cells[e]["f1"][0], a.se[e], b.cells[e]["f1"][0], b.se[e], alpha)
            rows.append({"entry": e, "f1_a": d.estimate_a, "f1_b": d.estimate_b, "delta": d.delta,
                         "low": d.low, "high": d.high})
    return rows


def ablations(col: Collection, scopes: list[Scope], cfg: DisplayConfig,
              counts: dict[str, np.ndarray], ids: dict[str, np.ndarray],
              opt: BuildOptions) -> dict[str, Any]:
    runs = col.runs[col.runs["problem"].isna()]
    domain = cfg.domain_drop or ("", "")
    return {
        "thinking": _paired_rows(_thinking(runs), counts, ids, opt) if len(runs) else [],
        "keys": _paired_rows(_keys(runs), counts, ids, opt) if len(runs) else [],
        "domain": _domain(scopes, cfg, opt.alpha),
        "domain_groups": [
            next((g.label for g in cfg.groups if g.name == name), name) for name in domain
        ],
    }
