"""Compare evaluation runs (base vs RLVR vs SFT) on their common documents.

Reads each run directory's ``predictions.jsonl`` (per-document tp/fp/fn from the shared scorer),
keeps the documents every run has finished, and reports micro P/R/F1 with percentile bootstrap
CIs (``benchmark.stats.bootstrap_ci``) and paired bootstrap deltas/p-values against the first run
(``benchmark.stats.paired_bootstrap``). Output: a Markdown table and a JSON file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METRICS = ("f1", "precision", "recall")


def load_counts(run_dir: Path) -> dict[str, tuple[int, int, int]]:
    return {k: v[:3] for k, v in _load(run_dir).items()}


def _load(run_dir: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per document: tp, fp, fn and the number of generated tokens (the response length)."""
    out: dict[str, tuple[int, int, int, int]] = {}
    path = Path(run_dir) / "predictions.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        c = rec.get("counts") or {}
        if rec.get("error_kind") and not c:
            continue
        tokens = int(rec.get("tokens_out") or 0)
        out[rec["id"]] = (int(c.get("tp", 0)), int(c.get("fp", 0)), int(c.get("fn", 0)), tokens)
    return out


def compare_runs(runs: dict[str, Path], n_resamples: int = 10_000, seed: int = 0) -> dict[str, Any]:
    import numpy as np

    from benchmark.stats import bootstrap_ci, paired_bootstrap

    loaded = {name: _load(path) for name, path in runs.items()}
    common = sorted(set.intersection(*(set(c) for c in loaded.values())))
    if not common:
        raise ValueError("the runs have no finished document in common")
    full = {n: np.array([c[d] for d in common], dtype=np.int64) for n, c in loaded.items()}
    arrays = {n: a[:, :3] for n, a in full.items()}
    names = list(runs)
    result: dict[str, Any] = {"n_docs": len(common), "docs": common, "models": {}, "vs_first": {}}
    for n in names:
        row: dict[str, Any] = {}
        tp, fp, fn = (int(x) for x in arrays[n].sum(axis=0))
        row["tp"], row["fp"], row["fn"] = tp, fp, fn
        row["mean_tokens_out"] = float(full[n][:, 3].mean())
        for metric in METRICS:
            ci = bootstrap_ci(arrays[n], metric=metric, n_resamples=n_resamples, seed=seed)
            row[metric] = {
                "value": float(ci.estimate),
                "low": float(ci.low),
                "high": float(ci.high),
            }
        result["models"][n] = row
    for n in names[1:]:
        result["vs_first"][n] = {}
        for metric in METRICS:
            pb = paired_bootstrap(
                arrays[names[0]], arrays[n], metric=metric, n_resamples=n_resamples, seed=seed
            )
            result["vs_first"][n][metric] = {
                "delta": float(pb.delta),
                "low": float(pb.low),
                "high": float(pb.high),
                "p": float(pb.p_value),
            }
    return result


def markdown(result: dict[str, Any]) -> str:
    from benchmark.stats import format_p

    lines = [
        f"Documents in common: {result['n_docs']}",
        "",
        "| model | F1 [95% CI] | P [95% CI] | R [95% CI] | TP/FP/FN | tokens out (mean) |",
        "|---|---|---|---|---|---|",
    ]
    for n, row in result["models"].items():
        cells = [f"{row[m]['value']:.3f} [{row[m]['low']:.3f}, {row[m]['high']:.3f}]" for m in METRICS]
        lines.append(
            f"| {n} | {' | '.join(cells)} | {row['tp']}/{row['fp']}/{row['fn']} | {row['mean_tokens_out']:.1f} |"
        )
    if result["vs_first"]:
        first = next(iter(result["models"]))
        lines += [
            "",
            f"Paired bootstrap against {first} (delta = model − {first}):",
            "",
            "| model | ΔF1 [95% CI], p | ΔP [95% CI], p | ΔR [95% CI], p |",
            "|---|---|---|---|",
        ]
        for n, d in result["vs_first"].items():
            cells = [f"{d[m]['delta']:+.3f} [{d[m]['low']:+.3f}, {d[m]['high']:+.3f}], "
                     f"{format_p(d[m]['p'], named=True)}" for m in METRICS]
            lines.append(f"| {n} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"
