"""The scorer's speed-ups change no result: every count of ``score_document`` (overall, per field,
error taxonomy), the TED accuracy and both TED backends' distances equal what the scorer before
them computed (commit 1ef09aa, the slow reference), recorded as one digest per case in
``tests/data/scoring_reference.json``.

The cases are seeded and self-contained (no task or synth table they could drift with): lab
reports whose rows share values (so item alignment has ties to break the same way), OCR-like
errors, numbers written as text or as numbers, nested lists and objects, lists given for scalar
fields, value rules, key sampling with row keys, both list-matching modes.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from benchmark.scoring import score_document
from benchmark.scoring import ted as ted_module
from benchmark.scoring.ted import ted_accuracy, tree_edit_distance

REFERENCE = Path(__file__).parent / "data" / "scoring_reference.json"
N_CASES = 600

HEADER = ["Name", "Age", "Gender", "Examination Time", "Diagnosis", "Department"]
ROW = ["Item Name", "Result", "Unit", "Reference Range", "Abnormal Mark"]
ITEMS = ["WBC", "RBC", "HGB", "PLT", "ALT", "AST", "Glucose", "Creatinine"]
UNITS = ["g/L", "10^9/L", "mmol/L", "U/L", "%", ""]
MARKS = ["↑", "↓", "", "H", "L"]
RESULTS = ["5.38", "5.3B", "13.20", "13.2", "1,000", "1000", "O.5", "0.5", "阴性", "N/A", "12", "+", "7.0"]
WEIRD: list[Any] = [None, "", " ", True, False, 0, 13.2, 1000, -0.0, 1e20, "13.2 ", "x  y", "Ｘ", [], {}]


def _value(rng: random.Random, pool: list[Any]) -> Any:
    return rng.choice(WEIRD) if rng.random() < 0.06 else rng.choice(pool)


def _row(rng: random.Random) -> dict[str, Any]:
    pools = {"Item Name": ITEMS, "Result": RESULTS, "Unit": UNITS, "Reference Range": ["3.5-9.5", "0-40", "3.9-6.1"],
             "Abnormal Mark": MARKS}
    row: dict[str, Any] = {key: _value(rng, pools[key]) for key in ROW if rng.random() > 0.1}
    if rng.random() < 0.05:
        row["Notes"] = [{"Text": rng.choice(["haemolysed", "repeat"])}, {"Text": "ok"}]  # nested list of objects
    if rng.random() < 0.05:
        row["Flags"] = [rng.choice(MARKS), rng.choice(MARKS)]  # a scalar list inside an item
    return row


def _gold(rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "Name": rng.choice(["Zhang San", "Li Si", "A. Smith"]),
        "Age": rng.choice(["45", "45 Y", 45, "045"]),
        "Gender": rng.choice(["Male", "Female", "M"]),
        "Examination Time": rng.choice(["2024-03-05", "05/03/2024", "2024-03-05 08:30", "March 5 2024"]),
        "Diagnosis": rng.choice(["Anaemia", "No abnormality", "anaemia"]),
    }
    if rng.random() < 0.5:
        doc["Department"] = {"Name": rng.choice(["Haematology", "Lab"]), "Floor": rng.choice([2, "2"])}
    if rng.random() < 0.2:
        doc["Diagnosis"] = ["Anaemia", "Hypertension"]  # a gold list at a field a task may call scalar
    doc["Indicators"] = [_row(rng) for _ in range(rng.randint(0, 9))]
    if rng.random() < 0.1:
        doc["Indicators"].append(dict(doc["Indicators"][0]) if doc["Indicators"] else {})  # duplicate row
    return doc


def _noisy(rng: random.Random, value: Any) -> Any:
    if not isinstance(value, str) or not value or rng.random() > 0.15:
        return value
    i = rng.randrange(len(value))
    return value[:i] + rng.choice(["", "0", "l", value[i] * 2, " "]) + value[i + 1 :]


def _predict(rng: random.Random, gold: dict[str, Any]) -> dict[str, Any]:
    pred: dict[str, Any] = {}
    for key, value in gold.items():
        if rng.random() < 0.08:
            continue
        if key == "Indicators":
            rows = [{k: _noisy(rng, v) for k, v in row.items() if rng.random() > 0.05}
                    for row in value if rng.random() > 0.08]
            if rng.random() < 0.3:
                rng.shuffle(rows)
            if rng.random() < 0.2:
                rows.append(_row(rng))
            value = rows
        else:
            value = _noisy(rng, value)
        out_key = key.lower().replace(" ", "_") if rng.random() < 0.1 else key
        pred[out_key] = value
    if rng.random() < 0.15:
        pred[rng.choice(HEADER)] = [rng.choice(["Zhang San", "45", "Male"]), rng.choice(["Li Si", "46"])]
    if rng.random() < 0.1:
        pred["Age"] = [rng.choice(["45", " "])]  # a one-item list for a scalar
    if rng.random() < 0.1:
        pred["Hospital"] = rng.choice(["St. Mary's", {"Name": "St. Mary's"}, [[{"Ward": "3"}], "x"]])
    if rng.random() < 0.05:
        pred["Indicators"] = rng.choice(["none", {"Item Name": "WBC"}, [["WBC", "5.0"]]])
    return pred


def _options(rng: random.Random, gold: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {"list_matching": "multiset" if rng.random() < 0.15 else "align"}
    if rng.random() < 0.4:
        options["value_rules"] = {"Age": "number", "Examination Time": "date", "Indicators.Result": "alnum",
                                  "Name": "exact", "Diagnosis": "text"}
    if rng.random() < 0.6:
        options["scalar_paths"] = ["name", "age", "gender", "diagnosis", "examination_time", "indicators.result",
                                   "indicators.unit", "department.name"]
    if rng.random() < 0.2:
        keys = rng.sample(HEADER, 3)
        for row in gold.get("Indicators", [])[:3]:
            if isinstance(row.get("Item Name"), str) and row["Item Name"]:
                keys.append(f"Indicators[Item Name={row['Item Name']}].{rng.choice(ROW[1:])}")
        options["keys"] = keys
    return options


def cases(n: int = N_CASES, seed: int = 18) -> list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        gold = _gold(rng)
        pred = None if rng.random() < 0.03 else _predict(rng, gold)
        out.append((gold, pred, _options(rng, gold)))
    return out


def digest(gold: dict[str, Any], pred: dict[str, Any] | None, options: dict[str, Any], backends: list[str]) -> str:
    """Counts, TED accuracy and TED per backend of one case, hashed (the backends must agree)."""
    counts = score_document(gold, pred, **options).to_dict()
    distances = {int(tree_edit_distance(pred, gold, backend)) for backend in backends}
    assert len(distances) == 1, (gold, pred, distances)
    accuracy = repr(float(ted_accuracy(gold, pred)))
    text = json.dumps([counts, accuracy, distances.pop()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


BACKENDS = ["python", "c"] if ted_module.BACKEND == "c" else ["python"]


@pytest.fixture(scope="module")
def reference() -> list[str]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["digests"]


def test_every_count_and_distance_equals_the_reference(reference):
    # the Python TED loops on every fourth case: they are slow, and the C loops run on all
    got = [digest(gold, pred, options, BACKENDS if i % 4 == 0 else BACKENDS[-1:])
           for i, (gold, pred, options) in enumerate(cases())]
    assert len(reference) == len(got) == N_CASES
    wrong = [i for i, (a, b) in enumerate(zip(got, reference, strict=True)) if a != b]
    assert not wrong, f"{len(wrong)} cases differ, first {wrong[:5]}: {cases()[wrong[0]]}"


if __name__ == "__main__":  # (re)writes the reference: run it only on the scorer the digests stand for
    REFERENCE.parent.mkdir(exist_ok=True)
    digests = [digest(gold, pred, options, BACKENDS) for gold, pred, options in cases()]
    REFERENCE.write_text(json.dumps({"scorer_commit": "1ef09aa", "digests": digests}, indent=0) + "\n",
                         encoding="utf-8")
    print(REFERENCE, len(digests))
