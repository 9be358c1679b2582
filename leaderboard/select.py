"""Which runs make the leaderboard: per (task, entry) the latest finished run, all comparable.

Runs of one task are comparable when they share task version, split data and document ids;
per task the set covering the most entries wins (ties: the most recent), then per entry its
latest run in that set. Every other run is listed with the
reason it is left out. Runs with random key sampling only feed the ablations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COMPARABLE = ["task_version", "data_hash", "ids_hash"]


def _latest(runs: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    ordered = runs.sort_values(["finished_at", "mtime_ns", "run_key"])
    latest = ordered.drop_duplicates(by, keep="last")
    reasons = {}
    kept = dict(zip(latest[by].itertuples(index=False, name=None), latest["run_key"], strict=True))
    for row in ordered.itertuples(index=False):
        winner = kept[tuple(getattr(row, c) for c in by)]
        if winner != row.run_key:
            reasons[row.run_key] = f"superseded by the newer run {winner}"
    return latest, reasons


def latest_runs(runs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The newest usable run per ``by`` group."""
    ok = runs[runs["problem"].isna()]
    return _latest(ok, by)[0] if len(ok) else ok


def select_runs(runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The leaderboard's runs (one per task and entry) and, per left-out run, why."""
    reasons: dict[str, str] = {}
    bad = runs[runs["problem"].notna()]
    reasons.update(zip(bad["run_key"], bad["problem"], strict=True))
    ok = runs[runs["problem"].isna()]
    ablation = ok[ok["keys"] != "all"]
    reasons.update({k: f"ablation run (keys {v})" for k, v in zip(ablation["run_key"],
                                                                   ablation["keys"], strict=True)})
    main = ok[ok["keys"] == "all"]
    chosen = []
    for _, group in main.groupby("task", sort=True):
        sizes = group.groupby(COMPARABLE, dropna=False).agg(
            n=("entry", "nunique"), last=("finished_at", "max"), mtime=("mtime_ns", "max"))
        best = sizes.sort_values(["n", "last", "mtime"]).index[-1]
        mask = np.logical_and.reduce([group[c] == v for c, v in zip(COMPARABLE, best, strict=True)])
        for row in group[~mask].itertuples(index=False):
            reasons[row.run_key] = (
                f"not comparable with the task's other runs (version {row.task_version}, "
                f"{row.n_docs} documents)"
            )
        latest, superseded = _latest(group[mask], ["entry"])
        reasons.update(superseded)
        chosen.append(latest)
    if not chosen:
        return main, reasons
    return pd.concat(chosen).sort_values(["task", "entry"]).reset_index(drop=True), reasons
