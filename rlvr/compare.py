"""Compare evaluation runs (base vs RLVR vs SFT) on their common documents.

Reads each run folder through :class:`benchmark.store.RunStore` (per-document tp/fp/fn from the
shared scorer), keeps the documents every run has finished, and reports micro P/R/F1 with
percentile bootstrap CIs (``benchmark.stats.bootstrap_ci``) and paired bootstrap deltas/p-values
against the first run, plus any further ``pairs`` (e.g. RLVR vs SFT of one seed), all from
``benchmark.stats.compare_pairs``. Beside each F1 comparison: the minimum detectable ΔF1 of that
pair (``min_detectable_delta``: 80 % power, two-sided α = 0.05, the pair's own replicate
correlation) and the p-value Holm-adjusted over every F1 comparison of the call (one family: put
every comparison of a results table in one call). Output: a Markdown table and a JSON file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

METRICS = ("f1", "precision", "recall")


def load_counts(run_dir: Path) -> dict[str, tuple[int, int, int]]:
    return {k: v[:3] for k, v in _load(run_dir).items()}


def _load(run_dir: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per document: tp, fp, fn and the number of generated tokens (the response length)."""
    from benchmark.store import RunStore

    return {r.id: (int(r.counts["tp"]), int(r.counts["fp"]), int(r.counts["fn"]), int(r.tokens_out or 0))
            for r in RunStore(Path(run_dir)).latest_records()}


def _comparisons(names: list[str], pairs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(group, label) → (a, b): every run against the first, then the further pairs."""
    out = {("vs_first", n): (names[0], n) for n in names[1:]}
    out.update({("pairs", f"{b} − {a}"): (a, b) for a, b in pairs})
    return out


def compare_runs(
    runs: dict[str, Path], n_resamples: int = 10_000, seed: int = 0, pairs: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """``pairs``: further (a, b) comparisons, delta = b − a, by run name."""
    import math

    import numpy as np

    from benchmark.stats import bootstrap_ci, compare_pairs, min_detectable_delta

    loaded = {name: _load(path) for name, path in runs.items()}
    common = sorted(set.intersection(*(set(c) for c in loaded.values())))
    if not common:
        raise ValueError("the runs have no finished document in common")
    full = {n: np.array([c[d] for d in common], dtype=np.int64) for n, c in loaded.items()}
    arrays = {n: a[:, :3] for n, a in full.items()}
    names = list(runs)
    for a, b in pairs or ():
        if a not in runs or b not in runs:
            raise ValueError(f"pair {a}:{b} names a run that is not compared ({', '.join(runs)})")
    result: dict[str, Any] = {"n_docs": len(common), "docs": common, "models": {}, "vs_first": {}, "pairs": {}}
    for n in names:
        row: dict[str, Any] = {}
        tp, fp, fn = (int(x) for x in arrays[n].sum(axis=0))
        row["tp"], row["fp"], row["fn"] = tp, fp, fn
        row["mean_tokens_out"] = float(full[n][:, 3].mean())
        for metric in METRICS:
            ci = bootstrap_ci(arrays[n], metric=metric, n_resamples=n_resamples, seed=seed)
            row[metric] = {"value": float(ci.estimate), "low": float(ci.low), "high": float(ci.high)}
        result["models"][n] = row
    comparisons = _comparisons(names, list(pairs or ()))
    family = [(a, arrays[a], b, arrays[b]) for a, b in comparisons.values()]
    compared = {m: compare_pairs(family, m, n_resamples, seed=seed) for m in METRICS}
    for k, ((group, label), (a, _)) in enumerate(comparisons.items()):
        d = {m: {"delta": compared[m][k].delta, "low": compared[m][k].low, "high": compared[m][k].high,
                 "p": compared[m][k].p_bootstrap} for m in METRICS}
        f1 = compared["f1"][k]
        rho = f1.correlation if math.isfinite(f1.correlation) else 0.0
        d["f1"]["mde"] = float(min_detectable_delta(arrays[a], "f1", correlation=rho,
                                                    n_resamples=min(n_resamples, 2_000), seed=seed).delta)
        d["f1"]["p_holm"] = f1.p_bootstrap_holm  # Holm over every F1 comparison of the call
        result[group][label] = d
    return result


def _delta_rows(deltas: dict[str, Any]) -> list[str]:
    from benchmark.stats import format_p

    rows = []
    for n, d in deltas.items():
        cells = [f"{d[m]['delta']:+.3f} [{d[m]['low']:+.3f}, {d[m]['high']:+.3f}], "
                 f"{format_p(d[m]['p'], named=True)}" for m in METRICS]
        f1 = d["f1"]
        extra = [f"{f1['mde']:.3f}" if "mde" in f1 else "—",
                 format_p(f1["p_holm"], named=True) if "p_holm" in f1 else "—"]
        rows.append(f"| {n} | {' | '.join(cells + extra)} |")
    return rows


def markdown(result: dict[str, Any]) -> str:
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
    header = ["| {} | ΔF1 [95% CI], p | ΔP [95% CI], p | ΔR [95% CI], p | min. detectable ΔF1 | F1 p (Holm) |",
              "|---|---|---|---|---|---|"]
    if result["vs_first"]:
        first = next(iter(result["models"]))
        lines += ["", f"Paired bootstrap against {first} (delta = model − {first}):", "",
                  header[0].format("model"), header[1], *_delta_rows(result["vs_first"])]
    if result.get("pairs"):
        lines += ["", "Further pairs (delta = b − a):", "", header[0].format("pair"), header[1],
                  *_delta_rows(result["pairs"])]
    if result["vs_first"] or result.get("pairs"):
        lines += ["", "Minimum detectable ΔF1: 80 % power, two-sided α = 0.05, from the reference run's bootstrap SE "
                  "and the pair's replicate correlation. Holm: over every F1 comparison above."]
    return "\n".join(lines) + "\n"


def holm_across(results: dict[str, dict[str, Any]]) -> str:
    """One Holm family over every F1 comparison of several ``compare_runs`` results (name → result):
    the adjustment the README's claims need when they rest on more than one table."""
    from benchmark.stats import format_p, holm

    rows = []
    for name, result in results.items():
        for group in ("vs_first", "pairs"):
            first = next(iter(result["models"]), "") if group == "vs_first" else ""
            for label, d in result.get(group, {}).items():
                f1 = d["f1"]
                rows.append((name, f"{label} − {first}" if first else label, f1["delta"], f1.get("mde"), f1["p"]))
    adjusted = holm([r[4] for r in rows]) if rows else []
    lines = [f"Holm over all {len(rows)} F1 comparisons of {len(results)} tables", "",
             "| table | comparison | ΔF1 | min. detectable ΔF1 | p | p (Holm, all tables) |",
             "|---|---|---|---|---|---|"]
    for (name, label, delta, mde, p), p_holm in zip(rows, adjusted, strict=True):
        mde_text = f"{mde:.3f}" if mde is not None else "—"
        lines.append(f"| {name} | {label} | {delta:+.3f} | {mde_text} | {format_p(p, named=True)} | "
                     f"{format_p(float(p_holm), named=True)} |")
    return "\n".join(lines) + "\n"
