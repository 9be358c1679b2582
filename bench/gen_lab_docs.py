"""Realistic gold/prediction pairs of laboratory reports, for the scorer benchmarks.

A gold document has the 11 header fields of ``med-lab-en`` and 8–15 indicator rows of 5 fields
(analytes, units and reference ranges from ``medvie_synth.tables``). Its prediction carries the
errors an extraction model makes: dropped, wrong and hallucinated fields, dropped, reordered and
hallucinated rows, and OCR-like character errors (O/0, l/1, S/5, rn/m, lost or doubled characters,
decimal commas). Deterministic from the seed.

    python bench/gen_lab_docs.py OUT_DIR [--n 10000] [--seed 0]

writes ``OUT_DIR/gold.jsonl`` (``{"id", "gt"}``) and ``OUT_DIR/pred.jsonl`` (``{"id", "output"}``,
the model's raw JSON text), the files ``medvie-bench score --gold --pred`` reads.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from medvie_synth.tables.lab_tests import ANALYTES, Analyte
from medvie_synth.tables.people import DEPARTMENTS, person_name

HEADER = (
    "Name", "Gender", "Age", "Examination Time", "Department", "Examination Name", "Examination Site",
    "Examination Description", "Diagnosis", "Treatment Recommendations", "Sample Collection Time",
)
ROW = ("Item Name", "Result", "Unit", "Reference Range", "Abnormal Mark")
_NUMERIC = [a for a in ANALYTES.values() if isinstance(a, Analyte)]
_EXAMS = ("Complete Blood Count", "Liver Function Panel", "Renal Function Panel", "Comprehensive Metabolic Panel",
          "Lipid Panel", "Biochemistry Profile")
_SITES = ("Venous blood", "Whole blood (EDTA)", "Serum", "Plasma")
_DIAGNOSES = ("Iron deficiency anaemia", "Type 2 diabetes mellitus", "Essential hypertension", "Fatty liver disease",
              "Chronic kidney disease stage 3", "Hyperlipidaemia", "Community-acquired pneumonia", "No abnormality")
_ADVICE = ("Repeat the test in 3 months", "Ferrous sulfate 325 mg once daily", "Metformin 500 mg twice daily",
           "Low-salt diet and follow-up in clinic", "Atorvastatin 20 mg at night", "Refer to nephrology")
_OCR_SWAPS = (("0", "O"), ("O", "0"), ("1", "l"), ("l", "1"), ("5", "S"), ("8", "B"), ("m", "rn"), ("rn", "m"),
              (".", ","), ("I", "1"), ("e", "c"))


def _time(rng: random.Random) -> str:
    return (f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
            f"{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}")


def _row(rng: random.Random, analyte: Analyte) -> dict[str, str]:
    lo, hi, dec = analyte.low, analyte.high, analyte.decimals
    value = round(rng.uniform(lo * 0.6, hi * 1.4 + 0.1), dec)
    mark = "↑" if value > hi else "↓" if value < lo else ""
    row = {"Item Name": analyte.en, "Result": f"{value:.{dec}f}", "Unit": analyte.unit,
           "Reference Range": f"{lo:.{dec}f}-{hi:.{dec}f}"}
    if mark:
        row["Abnormal Mark"] = mark
    return row


def gold_document(rng: random.Random) -> dict[str, Any]:
    gender = rng.choice("MF")
    doc: dict[str, Any] = {
        "Name": person_name(rng, "en", gender),
        "Gender": "Male" if gender == "M" else "Female",
        "Age": f"{rng.randint(1, 95)} Y" if rng.random() < 0.5 else str(rng.randint(1, 95)),
        "Examination Time": _time(rng),
        "Department": rng.choice(DEPARTMENTS)[0],
        "Examination Name": rng.choice(_EXAMS),
        "Examination Site": rng.choice(_SITES),
        "Examination Description": f"Specimen received {_time(rng)}, haemolysis {rng.choice(['none', 'slight'])}",
        "Diagnosis": rng.choice(_DIAGNOSES),
        "Treatment Recommendations": rng.choice(_ADVICE),
        "Sample Collection Time": _time(rng),
    }
    doc["Indicators"] = [_row(rng, a) for a in rng.sample(_NUMERIC, rng.randint(8, 15))]
    return doc


def ocr_noise(text: str, rng: random.Random) -> str:
    """One OCR-like character error: a look-alike swap, a lost or a doubled character."""
    roll = rng.random()
    if roll < 0.6:
        hits = [(a, b) for a, b in _OCR_SWAPS if a in text]
        if hits:
            a, b = rng.choice(hits)
            return text.replace(a, b, 1)
    if not text:
        return text
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :] if roll < 0.8 else text[:i] + text[i] + text[i:]


def _maybe_noisy(value: str, rng: random.Random, p_ocr: float, p_wrong: float) -> str:
    if rng.random() < p_ocr:
        value = ocr_noise(value, rng)
    if rng.random() < p_wrong:
        value = rng.choice(("N/A", value + " " + rng.choice(("mg", "(repeat)", "x")), value[: len(value) // 2]))
    return value


def predict(gold: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """What a fair extraction model returns for ``gold``."""
    pred: dict[str, Any] = {}
    for key in HEADER:
        if key in gold and rng.random() > 0.08:  # dropped field
            pred[key] = _maybe_noisy(gold[key], rng, p_ocr=0.12, p_wrong=0.05)
    if rng.random() < 0.2:
        extra = rng.choice(("Hospital", "Doctor", "Patient ID"))
        pred[extra] = rng.choice(("St. Mary's Hospital", "Dr. K. Lee", "0042"))
    rows = []
    for gold_row in gold["Indicators"]:
        if rng.random() < 0.07:  # dropped row
            continue
        row = {k: _maybe_noisy(v, rng, p_ocr=0.06, p_wrong=0.02) for k, v in gold_row.items() if rng.random() > 0.04}
        rows.append(row)
    if rng.random() < 0.15:  # hallucinated row
        rows.insert(rng.randint(0, len(rows)), _row(rng, rng.choice(_NUMERIC)))
    if rng.random() < 0.2 and len(rows) > 2:  # two rows read in the wrong order
        i = rng.randrange(len(rows) - 1)
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    pred["Indicators"] = rows
    return pred


def pairs(n: int, seed: int = 0) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        gold = gold_document(rng)
        out.append((gold, predict(gold, rng)))
    return out


def write(folder: Path, n: int, seed: int = 0) -> tuple[Path, Path]:
    """Write ``gold.jsonl`` and ``pred.jsonl`` for ``n`` documents into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    with gold_path.open("w", encoding="utf-8") as g, pred_path.open("w", encoding="utf-8") as p:
        for i, (gold, pred) in enumerate(pairs(n, seed)):
            doc_id = f"lab-{i:06d}"
            g.write(json.dumps({"id": doc_id, "gt": gold}, ensure_ascii=False) + "\n")
            output = json.dumps(pred, ensure_ascii=False)
            p.write(json.dumps({"id": doc_id, "output": output}, ensure_ascii=False) + "\n")
    return gold_path, pred_path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for path in write(args.out, args.n, args.seed):
        print(path)


if __name__ == "__main__":
    main()
