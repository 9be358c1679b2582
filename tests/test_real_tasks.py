"""The real medical track (``tasks/real/``): RJUA-MedDQA lab and imaging/pathology reports.

The gold is hand-mapped from RJUA's labels (``tasks/real/rjua/README.md``), so these tests hold it
to the task's own schema: every key is a schema key, every value a non-empty string, list items
only where the schema has a list; images decode as what their name says; the licence and
attribution travel with the data; and an OCR extractor runs end to end on the real pages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from benchmark.tasks import load_documents
from benchmark.tasks.registry import TaskRegistry
from benchmark.tasks.spec import FieldSpec, TaskSpec

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "tasks" / "real"
RJUA = REAL / "rjua"
TASKS = {"rjua-lab-zh": "lab", "rjua-imaging-zh": "imaging"}
PRINTED_MARKS = {"↑", "↓", "H", "L"}
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG"}


@pytest.fixture(scope="module")
def tasks() -> dict[str, TaskSpec]:
    registry = TaskRegistry()
    return {name: registry.get(name) for name in TASKS}


def gold_problems(gt: dict, fields: list[FieldSpec], where: str) -> list[str]:
    """What in ``gt`` the schema does not allow: unknown keys, empty or non-string values,
    lists where the schema has none (and the reverse)."""
    by_key = {f.key: f for f in fields}
    problems = []
    for key, value in gt.items():
        spec = by_key.get(key)
        if spec is None:
            problems.append(f"{where}: {key!r} is not a schema key")
        elif spec.type == "list" and spec.fields:
            if not isinstance(value, list) or not value:
                problems.append(f"{where}: {key!r} must be a non-empty list")
                continue
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    problems.append(f"{where}.{key}[{i}]: not an object")
                else:
                    problems += gold_problems(item, spec.fields, f"{where}.{key}[{i}]")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {key!r} must be a non-empty string, got {value!r}")
    return problems


def test_real_tasks_are_registered_with_tags_licence_and_citation(tasks: dict[str, TaskSpec]) -> None:
    selected = {t.name for t in TaskRegistry().resolve("real")}
    assert set(TASKS) <= selected
    for name, kind in TASKS.items():
        spec = tasks[name]
        assert {"real", "medical", "zh", kind} <= set(spec.tags)
        assert spec.license and "CC BY-NC-SA 4.0" in spec.license
        assert spec.citation and "RJUA-MedDQA" in spec.citation
        assert spec.path is not None and spec.path.parent == REAL


def test_schema_matches_the_synthetic_medical_tasks(tasks: dict[str, TaskSpec]) -> None:
    """Same keys as the synthetic tasks, so real and synthetic scores are comparable."""
    synthetic = TaskRegistry().get("med-lab-zh").fields
    for spec in tasks.values():
        assert spec.fields == synthetic


def test_every_gold_value_fits_the_schema(tasks: dict[str, TaskSpec]) -> None:
    for name, kind in TASKS.items():
        spec = tasks[name]
        docs = load_documents(spec)
        assert len(docs) == 5
        problems = [p for d in docs for p in gold_problems(d.gt, spec.fields, f"{name}/{d.id}")]
        assert problems == []
        for d in docs:
            rows = d.gt.get("Indicators", [])
            assert bool(rows) == (kind == "lab"), d.id  # lab reports have a table, the others none
            for row in rows:
                assert {"Item Name", "Result"} <= set(row), (d.id, row)
                assert row.get("Abnormal Mark", "↑") in PRINTED_MARKS, (d.id, row)


def test_lab_rows_and_marks_are_the_printed_ones(tasks: dict[str, TaskSpec]) -> None:
    """Counts fixed by the README's per-sample decisions (61 rows, 14 printed marks)."""
    docs = load_documents(tasks["rjua-lab-zh"])
    rows = [r for d in docs for r in d.gt["Indicators"]]
    assert len(rows) == 61
    assert sum(1 for r in rows if "Abnormal Mark" in r) == 14


def test_images_decode_and_conditions_are_recorded(tasks: dict[str, TaskSpec]) -> None:
    ids = []
    for spec in tasks.values():
        for d in load_documents(spec):
            ids.append(d.id)
            path = Path(d.image or "")
            assert path.parent == RJUA / "img"
            with Image.open(path) as im:
                im.load()
                assert im.format == IMAGE_FORMATS[path.suffix]
                assert min(im.size) >= 300
            assert d.conditions["image_type"] in {"photo", "pdf", "screenshot"}
            assert d.conditions["image_quality"] in {"high", "low"}
            assert d.meta["report_type"]
    assert sorted(ids) == sorted(f"sample{i}" for i in range(1, 11))


def test_licence_and_attribution_files_exist() -> None:
    licence = (RJUA / "LICENSE").read_text(encoding="utf-8")
    assert "CC BY-NC-SA 4.0" in licence and "RJUA-MedDQA" in licence
    assert "Attribution-NonCommercial-ShareAlike 4.0" in (RJUA / "LICENSE.upstream").read_text(encoding="utf-8")
    readme = (RJUA / "README.md").read_text(encoding="utf-8")
    assert "Alipay-Med/medDQA_benchmark" in readme and "arXiv:2402.14840" in readme
    for i in range(1, 11):
        assert f"sample{i}" in readme  # a decision per sample


def test_ocr_extractor_runs_end_to_end_on_real_pages(tmp_path: Path) -> None:
    """The rules on real OCR (``ocr-rules``; ``rules`` reads gold OCR text, which RJUA does not
    have) through the CLI, one page per task: a finished run, a record per page, no error."""
    pytest.importorskip("rapidocr")
    out = tmp_path / "runs"
    cmd = [sys.executable, "-m", "benchmark.cli", "run", "--model", "ocr-rules",
           "--task", ",".join(TASKS), "--limit", "1", "--out", str(out), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in TASKS:
        (run,) = (out / name).iterdir()
        records = [json.loads(line) for line in (run / "predictions.jsonl").read_text().splitlines()]
        assert len(records) == 1
        assert records[0]["error_kind"] is None and isinstance(records[0]["parsed"], dict)
        assert records[0]["input_s"] > 0  # the page went through the OCR engine
        metrics = json.loads((run / "metrics.json").read_text())
        assert metrics["n_docs"] == 1
