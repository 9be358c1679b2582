"""Training runs side by side (the ablations of rlvr/README.md): per-run summaries of the
per-step training log and one overlay plot.

A GRPO step's numbers are the mean over its ``num_generations`` completions of one prompt, so a
single step is noisy; runs started from the same config seed see the same prompts in the same
order, which makes the step-by-step comparison paired. ``growth`` is the mean reward of the second
half of the steps minus that of the first half.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.train import LOG_NAME, read_log

COLUMNS = ("reward", "format_rate", "precision", "recall", "completion_length", "frac_zero_std")


def load_logs(runs: dict[str, Path], max_steps: int | None = None) -> Any:
    """One pandas frame: a row per (run, step), columns ``COLUMNS`` (missing ones are NaN)."""
    import pandas as pd

    frames = []
    for name, run in runs.items():
        rows = read_log(Path(run) / LOG_NAME)
        if not rows:
            raise ValueError(f"{Path(run) / LOG_NAME}: no training log")
        df = pd.DataFrame([{"step": r["step"], **{c: r.get(c) for c in COLUMNS}} for r in rows])
        if max_steps is not None:
            df = df[df["step"] <= max_steps]
        frames.append(df.assign(run=name))
    return pd.concat(frames, ignore_index=True)


def summarise(logs: Any) -> dict[str, dict[str, Any]]:
    """Per run: steps, means of every column, and reward growth (second half − first half)."""
    out: dict[str, dict[str, Any]] = {}
    for name, df in logs.groupby("run", sort=False):
        df = df.sort_values("step")
        half = len(df) // 2
        row: dict[str, Any] = {"steps": len(df)}
        row.update({c: _num(df[c].mean()) for c in COLUMNS})
        row["growth"] = _num(df["reward"].iloc[half:].mean() - df["reward"].iloc[:half].mean()) if half else None
        row["first_length"] = _num(df["completion_length"].iloc[0])
        row["last_length"] = _num(df["completion_length"].iloc[-1])
        out[str(name)] = row
    return out


def _num(x: Any) -> float | None:
    return None if x != x else round(float(x), 4)  # NaN → None


def markdown(summary: dict[str, dict[str, Any]]) -> str:
    head = ("| run | steps | reward | growth | format | P | R | length (mean; first → last) | zero-std steps |\n"
            "|---|---|---|---|---|---|---|---|---|")
    lines = [head]

    def f(v: Any, spec: str = ".3f") -> str:
        return "–" if v is None else format(v, spec)

    for name, r in summary.items():
        lines.append(
            f"| {name} | {r['steps']} | {f(r['reward'])} | {f(r['growth'], '+.3f')} | {f(r['format_rate'], '.2f')} "
            f"| {f(r['precision'])} | {f(r['recall'])} | {f(r['completion_length'], '.1f')} "
            f"({f(r['first_length'], '.0f')} → {f(r['last_length'], '.0f')}) | {f(r['frac_zero_std'], '.2f')} |"
        )
    return "\n".join(lines) + "\n"


def plot(logs: Any, out: Path, window: int = 3) -> Path | None:
    """reward, format rate and completion length per step for every run (rolling means)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    panels = (("reward", "reward"), ("format_rate", "format rate"), ("completion_length", "completion length (tokens)"))
    fig, axes = plt.subplots(1, len(panels), figsize=(13, 3.6))
    for name, df in logs.groupby("run", sort=False):
        df = df.sort_values("step")
        for ax, (col, _title) in zip(axes, panels, strict=True):
            ax.plot(df["step"], df[col].rolling(window, min_periods=1).mean(), label=str(name))
    for ax, (_col, title) in zip(axes, panels, strict=True):
        ax.set_xlabel("step")
        ax.set_title(f"{title}, rolling mean of {window}")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
