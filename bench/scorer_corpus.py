"""Generated (gold, prediction) pairs shaped like medical reports, for scorer benchmarks:
about 11 scalar fields plus 8–15 indicator rows, with dropped, reordered, wrong and
hallucinated entries in the predictions."""

from __future__ import annotations

import random
from typing import Any

SCALARS = [
    "Name", "Gender", "Age", "Examination Time", "Department", "Examination Name", "Examination Site",
    "Examination Description", "Diagnosis", "Treatment Recommendations", "Sample Collection Time",
]
ITEMS = ["WBC", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "PLT", "NEUT%", "LYMPH%", "MONO%", "EO%", "BASO%",
         "ALT", "AST", "GGT", "ALP", "TBIL", "DBIL", "TP", "ALB", "GLU", "UREA", "CREA", "UA"]


def _gold(rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {k: f"{k.lower()} value {rng.randint(0, 999)}" for k in SCALARS}
    doc["Age"] = str(rng.randint(1, 95))
    rows = []
    for name in rng.sample(ITEMS, rng.randint(8, 15)):
        lo = round(rng.uniform(1, 50), 1)
        hi = round(lo * rng.uniform(1.5, 3), 1)
        value = round(rng.uniform(lo * 0.5, hi * 1.5), 2)
        mark = "↑" if value > hi else "↓" if value < lo else ""
        rows.append({"Item Name": name, "Result": f"{value}", "Unit": rng.choice(["g/L", "10^9/L", "%", "U/L"]),
                     "Reference Range": f"{lo}-{hi}", "Abnormal Mark": mark})
    doc["Indicators"] = rows
    return doc


def _corrupt(gold: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    pred = {k: v for k, v in gold.items() if k != "Indicators" and rng.random() > 0.1}  # dropped
    for k in list(pred):
        if rng.random() < 0.1:
            pred[k] = pred[k] + " x"  # wrong
    if rng.random() < 0.3:
        pred["Hospital"] = "made up"  # hallucinated key
    rows = [dict(r) for r in gold["Indicators"] if rng.random() > 0.1]
    for r in rows:
        if rng.random() < 0.15:
            r["Result"] = str(float(r["Result"]) + 1)
        if rng.random() < 0.1:
            r.pop("Unit", None)
    if rng.random() < 0.3:
        rows.append({"Item Name": "XYZ", "Result": "1.0", "Unit": "mg"})
    rng.shuffle(rows)  # reordered
    pred["Indicators"] = rows
    return pred


def corpus(n: int, seed: int = 0) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        gold = _gold(rng)
        out.append((gold, _corrupt(gold, rng)))
    return out
