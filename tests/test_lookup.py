"""The lookup baseline (baselines/lookup.py): values seen in the training split, found in OCR lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from baselines.lookup import Lookup, learn
from benchmark.documents import Document
from benchmark.models import ModelRegistry
from benchmark.tasks import TaskRegistry

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def read_task():
    return TaskRegistry([REPO / "rlvr" / "tasks"]).get("med-lab-en-read")


def _train() -> list[Document]:
    rows = [{"Item Name": "Urea", "Result": "4.55", "Unit": "mmol/L", "Reference Range": "2.6-7.5"},
            {"Item Name": "HGB", "Result": "98", "Unit": "g/L", "Abnormal Mark": "L"}]
    return [
        Document(id="t0", gt={"Name": "Ann Lee", "Age": "45", "Department": "Urology", "Indicators": rows}),
        Document(id="t1", gt={"Name": "Bo Chen", "Age": "45 Y", "Department": "Internal Medicine"}),
    ]


def test_first_line_with_a_seen_value_as_a_whole_token(read_task):
    lookup = Lookup(read_task, learn(read_task, _train()))
    lines = ["Lab 145 Report", "Sample 2021-07-45", "Patient: Cy Wu   Age: 45 Y", "Dept: internal medicine",
             "Urea 4.61 mmol/L 2.6-7.5", "HGB 101 g/L"]
    keys = ["Name", "Age", "Department", "Indicators[Item Name=Urea].Unit",
            "Indicators[Item Name=Urea].Reference Range", "Indicators[Item Name=Urea].Result",
            "Indicators[Item Name=HGB].Unit", "Indicators[Item Name=HGB].Abnormal Mark"]
    assert lookup.answer(lines, keys) == {
        # "145" is not 45; a date's "-45" is a token: the naive lookup's own false positive
        "Age": "45",
        "Department": "internal medicine",  # as printed, matched case-insensitively
        "Indicators[Item Name=Urea].Unit": "mmol/L",
        "Indicators[Item Name=Urea].Reference Range": "2.6-7.5",
        "Indicators[Item Name=HGB].Unit": "g/L",
        "Indicators[Item Name=HGB].Abnormal Mark": "L",  # the "L" of "mmol/L": lookup does not read
    }  # names and results never seen in training are left out


def test_keys_all_leaves_the_table_out(read_task):
    lookup = Lookup(read_task, learn(read_task, _train()))
    answer = lookup.answer(["Age: 45 Y", "Urea 4.55 mmol/L"], None)
    assert answer == {"Age": "45 Y"}  # the longest seen value wins within a line


def test_lookup_spec_and_a_real_run(tmp_path):
    """The spec resolves; a run through the CLI learns from the task's train split only."""
    spec = ModelRegistry().get("lookup")
    assert spec.adapter == "baselines.lookup:LookupAdapter" and spec.ocr_engine == "gold"
    assert ModelRegistry([REPO / "rlvr" / "specs"]).get("lookup-rapidocr").ocr_engine == "rapidocr"
    folder = tmp_path / "tasks"
    folder.mkdir()
    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(folder / "p.png")
    train = [{"id": f"a{i}", "image": "p.png", "gt": {"Dept": d}, "ocr": f"Dept: {d}"}
             for i, d in enumerate(["Urology", "Cardiology"])]
    test = [{"id": "b0", "image": "p.png", "gt": {"Dept": "Cardiology"}, "ocr": "Report\nDept: Cardiology"},
            {"id": "b1", "image": "p.png", "gt": {"Dept": "Oncology"}, "ocr": "Dept: Oncology\nUrology wing"}]
    for name, docs in (("train", train), ("test", test)):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    (folder / "depts.yaml").write_text(
        "name: depts\nversion: 1\nlanguage: en\n"
        "source: {type: jsonl, splits: {train: train.jsonl, test: test.jsonl}}\n"
        "fields:\n  - {key: Dept, description: department}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark.cli", "run", "--model", "lookup", "--task", "depts", "--include-path",
         str(folder), "--out", str(tmp_path / "runs"), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = (tmp_path / "runs" / "depts").iterdir()
    recs = {r["id"]: r for r in map(json.loads, (run_dir / "predictions.jsonl").read_text().splitlines())}
    assert json.loads(recs["b0"]["raw"]) == {"Dept": "Cardiology"}
    assert json.loads(recs["b1"]["raw"]) == {"Dept": "Urology"}  # never saw Oncology: the wrong line
    assert (recs["b1"]["counts"]["tp"], recs["b1"]["counts"]["fp"]) == (0, 1)
