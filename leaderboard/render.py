"""Write the leaderboard: ``index.html`` (one self-contained file), ``leaderboard.json``, ``.csv``.

The page's data sits in a ``<script type="application/json">`` block written with jinja's
``tojson`` (``<``, ``>``, ``&`` and ``'`` escaped, so no string can close the block); the page's
own script is inline and allowed by its hash in a Content-Security-Policy that forbids every
other script, inline handler and network fetch.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).with_name("templates")


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=True)


def render_html(data: dict[str, Any]) -> str:
    """The page as one HTML string (inline CSS, JS, data and images; nothing fetched)."""
    script = (TEMPLATES / "app.js").read_text(encoding="utf-8")
    style = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    if "</" in script or "</" in style:
        raise ValueError("app.js/style.css must not contain '</'")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return _env().get_template("index.html.j2").render(
        data=data, meta=data["meta"], script=Markup(script), style=Markup(style),
        script_hash=f"sha256-{digest}",
    )


def table(data: dict[str, Any]) -> pd.DataFrame:
    """One row per (scope, entry): every metric, with low/high columns for metrics with a CI."""
    from benchmark.metrics import registered

    scores = {m.name for m in registered() if m.ci}
    labels = {e["id"]: e["label"] for e in data["entries"]}
    rows = []
    for s in data["scopes"]:
        for entry, cell in s["cells"].items():
            row = {"scope": s["id"], "scope_kind": s["kind"], "scope_label": s["label"],
                   "entry": entry, "label": labels.get(entry, entry)}
            for k, v in cell.items():
                if k in scores:
                    row[k], row[f"{k}_low"], row[f"{k}_high"] = v or (None, None, None)
                else:
                    row[k] = v
            row["min_detectable_delta_f1"] = s["mdd"]
            rows.append(row)
    return pd.DataFrame(rows)


def conditions_table(data: dict[str, Any]) -> pd.DataFrame:
    """One row per (task, condition, level, entry): F1 with its CI on that level's documents."""
    labels = {e["id"]: e["label"] for e in data["entries"]}
    rows = []
    for task, t in data.get("conditions", {}).get("tasks", {}).items():
        for name, levels in t["conditions"].items():
            for lv in levels:
                for entry, cell in lv["cells"].items():
                    f1, low, high = cell["f1"] or (None, None, None)
                    rows.append({"task": task, "condition": name, "level": lv["level"],
                                 "n_docs": lv["n_docs"], "entry": entry, "label": labels.get(entry, entry),
                                 "f1": f1, "f1_low": low, "f1_high": high})
    return pd.DataFrame(rows)


def write_leaderboard(data: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write ``index.html``, ``leaderboard.json`` (no explorer data) and ``leaderboard.csv``;
    ``leaderboard-conditions.csv`` too when runs carry capture conditions."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"html": out / "index.html", "json": out / "leaderboard.json",
             "csv": out / "leaderboard.csv"}
    paths["html"].write_text(render_html(data), encoding="utf-8")
    summary = {k: v for k, v in data.items() if k != "explorer"}
    paths["json"].write_text(json.dumps(summary, ensure_ascii=False, allow_nan=False) + "\n",
                             encoding="utf-8")
    table(data).to_csv(paths["csv"], index=False)
    if data.get("conditions"):
        paths["conditions_csv"] = out / "leaderboard-conditions.csv"
        conditions_table(data).to_csv(paths["conditions_csv"], index=False)
    return paths
