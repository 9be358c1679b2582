"""Bad input is counted and shown, never a silent zero (issue #15): a table the extractor did not
find, gold that does not fit the schema, and a page the OCR engine reads nothing on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.models.base import Generation
from benchmark.models.registry import ModelRegistry
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks import TaskRegistry
from leaderboard.cli import build_board
from tests.test_leaderboard import write_lab_task

ROWS = [{"name": "WBC", "result": "5.1", "unit": "10^9/L"}, {"name": "HGB", "result": "130", "unit": "g/L"}]


def _lab_task(folder: Path) -> Path:
    """lab-mini with 4 documents: one without rows in its gold, one whose table has a column the
    schema lacks (a top-level key the task does not ask for is dropped on load, by design)."""
    write_lab_task(folder)
    docs = [
        {"id": "a", "gt": {"patient_name": "Ann", "Indicators": ROWS}},
        {"id": "b", "gt": {"patient_name": "Bob", "Indicators": ROWS}},
        {"id": "c", "gt": {"patient_name": "Cy"}},
        {"id": "d", "gt": {"patient_name": "Di", "Indicators": [{**ROWS[0], "flag": "H"}, ROWS[1]]}},
    ]
    (folder / "lab-mini.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    return folder


class HeaderOnly:
    """Answers the header; finds the table of document ``a`` only."""

    async def generate(self, prompt: Prompt) -> Generation:
        doc = prompt.document
        answer = {"patient_name": doc.gt["patient_name"]}
        if doc.id == "a":
            answer["Indicators"] = ROWS
        return Generation(raw=json.dumps(answer), finish_reason="stop")

    async def aclose(self) -> None:
        return None


def test_missed_tables_and_gold_off_the_schema_are_counted_and_shown(tmp_path: Path) -> None:
    task = TaskRegistry([_lab_task(tmp_path / "tasks")]).get("lab-mini")
    spec = ModelSpec(name="header-only", adapter="test", input="ocr")
    result = run_eval(task, spec, RunSettings(progress=False), tmp_path / "runs", adapter=HeaderOnly())
    records = {r["id"]: r for r in map(json.loads, (result.run_dir / "predictions.jsonl").read_text().splitlines())}
    assert [records[i]["stats"].get("table_missed") for i in "abcd"] == [0.0, 1.0, None, 1.0]
    assert [records[i]["stats"]["gold_mismatch"] for i in "abcd"] == [0.0, 0.0, 0.0, 1.0]

    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["table_missed_rate"] == pytest.approx(2 / 3)  # c has no rows to find
    assert metrics["gold_mismatch_rate"] == pytest.approx(1 / 4)

    data, paths = build_board(tmp_path / "runs", tmp_path / "board", [tmp_path / "tasks"], resamples=50,
                              explorer_docs=2)
    labels = {m["key"]: m["label"] for m in data["metrics"]}
    assert labels["table_missed_rate"] == "Table missed" and labels["gold_mismatch_rate"] == "Gold ≠ schema"
    cell = data["scopes"][0]["cells"]["header-only"]
    assert cell["table_missed_rate"] == round(2 / 3, 4)
    assert "table_missed_rate" in paths["csv"].read_text().splitlines()[0].split(",")


def test_a_page_with_no_text_is_an_input_error_not_a_zero(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr", reason="rapidocr is not installed (pip install 'medvie-bench[ocr]')")
    from PIL import Image

    folder = _lab_task(tmp_path / "tasks")
    Image.new("RGB", (640, 480), "black").save(folder / "dark.png")
    (folder / "lab-mini.jsonl").write_text(json.dumps({"id": "dark", "image": "dark.png", "gt": {
        "patient_name": "Ann", "Indicators": ROWS}}) + "\n")
    task = TaskRegistry([folder]).get("lab-mini")
    result = run_eval(task, ModelRegistry().get("ocr-layout-rules"), RunSettings(progress=False),
                      tmp_path / "runs")
    (record,) = map(json.loads, (result.run_dir / "predictions.jsonl").read_text().splitlines())
    assert record["error_kind"] == "input_error"
    assert "rapidocr found no text on the page" in record["error"]
    assert record["counts"]["fn"] == 7 and record["counts"]["tp"] == 0  # the gold counts as missed
    assert result.metrics["api_error_rate"] == 1.0
