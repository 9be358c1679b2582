"""The paper's ablations, from run settings and task tags: thinking on/off, keys all/random,
and the drop from general to medical documents."""

from __future__ import annotations

from statistics import NormalDist
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
    rows = []
    for row, a, b in pairs:
        in_a, in_b = np.isin(ids[a], ids[b]), np.isin(ids[b], ids[a])
        if not in_a.any():
            continue
        pb = S.paired_bootstrap(counts[a][in_a], counts[b][in_b], "f1", opt.resamples, opt.alpha,
                                opt.seed)
        rows.append({**row, "f1_a": pb.estimate_a, "f1_b": pb.estimate_b, "delta": pb.delta,
                     "low": pb.low, "high": pb.high, "p": pb.p_value, "n_docs": pb.n_docs})
    if rows:
        for row, adj in zip(rows, S.holm([r["p"] for r in rows]), strict=True):
            row["p_holm"] = float(adj)
    return rows


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
    z = NormalDist().inv_cdf(1 - alpha / 2)
    rows = []
    for e in a.models:
        if e not in b.cells:
            continue
        fa, fb = a.cells[e]["f1"][0], b.cells[e]["f1"][0]
        se = float(np.hypot(a.se[e], b.se[e]))
        rows.append({"entry": e, "f1_a": fa, "f1_b": fb, "delta": fb - fa,
                     "low": fb - fa - z * se, "high": fb - fa + z * se})
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
