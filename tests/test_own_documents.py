"""Your own documents: a folder of images → task → pre-labels → Label Studio → gold → runs → board,
and the Hugging Face export.

The Label Studio export fixtures (tests/fixtures/labelstudio/) follow the format Label Studio
documents for its JSON export: "Label Studio JSON format of annotated tasks",
docs/source/guide/export.md and docs/source/includes/task_format.md in HumanSignal/label-studio;
``as_labelstudio_export`` below turns tasks we export into that format the way Label Studio does
when an annotator accepts the pre-labels (see the fixtures' README)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from benchmark.cli import main
from benchmark.owndata.labelstudio import ImageUrls, all_documents, export_tasks, labelling_config
from benchmark.owndata.labelstudio_import import choose, import_labelstudio
from benchmark.owndata.schema_map import LabelMap
from benchmark.tasks import TaskRegistry, load_documents, load_task_file
from benchmark.tasks.sources import jsonl_task, read_jsonl_manifest

REPO = Path(__file__).resolve().parents[1]
SROIE = REPO / "tasks" / "general" / "sroie-sample"
FIXTURES = Path(__file__).parent / "fixtures" / "labelstudio"
RECEIPTS = ("002", "013", "019")


def sroie_gold() -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (SROIE / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r["gt"] for r in rows}


def copy_sroie(tmp_path: Path, n: int = 20) -> Path:
    """The first ``n`` documents of the SROIE sample task in a folder of its own (imports write its
    manifest)."""
    folder = tmp_path / "sroie"
    shutil.copytree(SROIE, folder / "sroie-sample")
    manifest = folder / "sroie-sample" / "test.jsonl"
    manifest.write_text("".join(manifest.read_text(encoding="utf-8").splitlines(keepends=True)[:n]), encoding="utf-8")
    shutil.copy(REPO / "tasks" / "general" / "sroie-sample.yaml", folder / "sroie-sample.yaml")
    return folder / "sroie-sample.yaml"


def photos(tmp_path: Path, ids: tuple[str, ...] = RECEIPTS) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for doc_id in ids:
        shutil.copy(SROIE / "img" / f"{doc_id}.jpg", folder)
    return folder


def as_labelstudio_export(tasks: list[dict[str, Any]], typed: dict[str, dict[str, str]] | None = None,
                          second: dict[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Our tasks as Label Studio exports them after labelling: task ids; each prediction copied into
    an annotation (what "show predictions to annotators" does), then ``typed[doc][control] = text``
    entered by annotator 1; ``second[doc] = (control, text)`` adds annotator 2, who changed one field."""
    out = []
    for n, task in enumerate(tasks, 1):
        doc = task["data"]["doc_id"]
        source = (task.get("predictions") or task.get("annotations") or [{"result": []}])[0]
        result = [dict(r, origin="prediction") for r in source["result"]]
        for name, text in (typed or {}).get(doc, {}).items():
            result = [r for r in result if r["from_name"] != name]
            result.append({"id": f"t{n}{name}", "from_name": name, "to_name": "image", "type": "textarea",
                           "origin": "manual", "value": {"text": [text]}})
        annotations = [_annotation(100 * n + 1, n, 1, result, "2024-05-06T09:00:00.000000Z")]
        if second and doc in second:
            name, text = second[doc]
            changed = [dict(r, value={"text": [text]}) if r["from_name"] == name else r for r in result]
            annotations.append(_annotation(100 * n + 2, n, 2, changed, "2024-05-06T10:00:00.000000Z"))
        out.append({"id": n, "data": task["data"], "annotations": annotations, "predictions": [],
                    "created_at": "2024-05-06T08:00:00.000000Z", "updated_at": "2024-05-06T10:00:00.000000Z",
                    "project": 1})
    return out


def _annotation(ann_id: int, task: int, who: int, result: list[dict[str, Any]], when: str) -> dict[str, Any]:
    return {"id": ann_id, "result": result, "was_cancelled": False, "ground_truth": False, "created_at": when,
            "updated_at": when, "lead_time": 30.5, "result_count": 0, "task": task, "completed_by": who}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("medvie-bench")
    cmd = [exe] if exe else [sys.executable, "-m", "benchmark.cli"]
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


# ----------------------------------------------------------------------------- the whole path


def test_folder_to_leaderboard_through_the_cli(tmp_path: Path) -> None:
    folder = photos(tmp_path)
    r = cli("data", "init", "photos", "--schema", "sroie-sample", "--name", "receipts", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    task_yaml = folder / "receipts.yaml"
    assert [json.loads(x) for x in (folder / "receipts.jsonl").read_text().splitlines()] == [
        {"id": i, "image": f"{i}.jpg"} for i in RECEIPTS]

    r = cli("run", "--model", "rules", "--task", str(task_yaml), "--out", "runs", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "NO GOLD" in r.stdout
    [prelabel_run] = (tmp_path / "runs" / "receipts").iterdir()

    r = cli("data", "export", "--format", "labelstudio", "--run", str(prelabel_run), "--out", "ls", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    assert [t["data"] for t in tasks] == [{"image": f"/data/local-files/?d=photos/{i}.jpg", "doc_id": i}
                                         for i in RECEIPTS]
    assert all(t["predictions"][0]["model_version"].startswith("rules") for t in tasks)
    config = ET.fromstring((tmp_path / "ls" / "config.xml").read_text().split("\n", 1)[1])
    assert [a.get("name") for a in config.iter("TextArea")] == ["company", "date", "address", "total"]

    gold = sroie_gold()
    typed = {i: {k: v for k, v in gold[i].items()} for i in RECEIPTS}
    export = tmp_path / "project-1-at-2024-05-06.json"
    export.write_text(json.dumps(as_labelstudio_export(tasks, typed, second={"002": ("total", "33.92")})))
    r = cli("data", "import", str(export), "--task", str(task_yaml), "--policy", "first", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "doc 002 (task 1): total: '33.90' (annotator 1) vs '33.92' (annotator 2)" in r.stdout
    assert {d.id: d.gt for d in read_jsonl_manifest(folder / "receipts.jsonl")} == {i: gold[i] for i in RECEIPTS}

    r = cli("run", "--model", "rules", "--task", str(task_yaml), "--out", "runs", "--quiet", cwd=tmp_path)
    assert r.returncode == 0 and "NO GOLD" not in r.stdout, r.stdout + r.stderr
    r = cli("leaderboard", "--runs", "runs", "--out", "board", "--include-path", "photos", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "1 of 2 runs" in r.stdout and "pre-labelling run" in r.stderr
    html = (tmp_path / "board" / "index.html").read_text()
    assert "receipts" in html


# ----------------------------------------------------------------------------- unlabelled tasks


def test_an_unlabelled_task_runs_and_says_no_gold(tmp_path: Path) -> None:
    from benchmark.evaluation import run_metrics

    folder = photos(tmp_path, ("002", "013"))
    assert main(["data", "init", str(folder), "--schema", "sroie-sample"]) == 0
    spec = load_task_file(folder / "photos.yaml")
    docs = load_documents(spec)
    assert [(d.id, d.gt, d.meta) for d in docs] == [(i, {}, {"unlabelled": True}) for i in ("002", "013")]
    assert run_metrics(spec, docs, [])["no_gold"] is True
    # once one document has gold, only the labelled ones are evaluated
    manifest = folder / "photos.jsonl"
    rows = [json.loads(x) for x in manifest.read_text().splitlines()]
    rows[1]["gt"] = {"total": "15.00"}
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert [(d.id, d.gt) for d in load_documents(spec)] == [("013", {"total": "15.00"})]
    assert [d.id for d in all_documents(spec)] == ["002", "013"]


def test_init_refuses_bad_images_an_existing_task_and_a_bad_schema(tmp_path: Path, capsys) -> None:
    folder = photos(tmp_path, ("002",))
    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    assert main(["data", "init", str(folder), "--schema", "sroie-sample"]) == 2
    err = capsys.readouterr().err
    assert "broken.png: not a readable image" in err and "nothing was written" in err
    assert not (folder / "photos.yaml").exists()
    (folder / "broken.png").unlink()
    schema = tmp_path / "schema.yaml"
    schema.write_text("- {key: Name}\n- {key: Items, type: list, fields: [{key: Item Name}, {key: Result}]}\n")
    assert main(["data", "init", str(folder), "--schema", str(schema), "--name", "lab"]) == 0
    assert [f.key for f in load_task_file(folder / "lab.yaml").fields] == ["Name", "Items"]
    assert main(["data", "init", str(folder), "--schema", str(schema), "--name", "lab"]) == 2
    assert "exists (it may hold gold)" in capsys.readouterr().err
    schema.write_text("- {key: Name, type: text}\n")
    assert main(["data", "init", str(folder), "--schema", str(schema), "--name", "other"]) == 2
    assert "field fields.0.type" in capsys.readouterr().err


# ----------------------------------------------------------------------------- Label Studio


LAB_FIELDS = [
    {"key": "Name"},
    {"key": "Indicators", "type": "list",
     "fields": [{"key": "Item Name"}, {"key": "Result"}, {"key": "Unit"}, {"key": "Abnormal Mark"}]},
    {"key": "total", "type": "object", "fields": [{"key": "total_price", "type": "number"}, {"key": "cash"}]},
    {"key": "Notes", "type": "list"},
]
LAB_GOLD = [
    {"Name": "Ann Lee", "Indicators": [{"Item Name": "WBC", "Result": "5.2", "Unit": "10^9/L"},
                                       {"Item Name": "Hb", "Result": "98", "Unit": "g/L", "Abnormal Mark": "↓"}],
     "total": {"total_price": "12.00"}, "Notes": ["fasting", "repeat in 2 weeks"]},
    {"Name": "王小明", "total": {"cash": "20"}},
]


def lab_task(tmp_path: Path):
    from PIL import Image

    folder = tmp_path / "lab"
    folder.mkdir()
    docs = []
    for i, gold in enumerate(LAB_GOLD):
        Image.new("RGB", (60, 80), "white").save(folder / f"p{i}.png")
        docs.append({"id": f"p{i}", "image": f"p{i}.png", "gt": gold})
    spec = jsonl_task(folder, "lab", docs, LAB_FIELDS)
    (folder / "lab.yaml").write_text("")
    return spec


@pytest.mark.parametrize("which", ["sroie", "lab"])
def test_gold_round_trips_through_label_studio(tmp_path: Path, which: str) -> None:
    spec = TaskRegistry().resolve(str(copy_sroie(tmp_path)))[0] if which == "sroie" else lab_task(tmp_path)
    before = {d.id: d.gt for d in all_documents(spec)}
    tasks, report = export_tasks(spec, all_documents(spec), ImageUrls(tmp_path))
    assert report.n_annotations == len(before) and not report.left_out
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_labelstudio_export(tasks)))
    # the import rewrites the manifest: blank its gold first, so identical gold proves the round trip
    manifest = spec.path.parent / spec.source.splits["test"]
    rows = [json.loads(x) for x in manifest.read_text().splitlines()]
    manifest.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "gt"}) + "\n" for r in rows))
    result = import_labelstudio(export, spec)
    assert result.n_gold == len(before) and not result.disagreements
    after = {json.loads(x)["id"]: json.loads(x)["gt"] for x in manifest.read_text().splitlines()}
    assert after == before


def test_labelling_config_repeats_table_rows() -> None:
    from benchmark.tasks.spec import TaskSpec

    spec = TaskSpec.model_validate({"name": "lab", "version": 1, "language": "en", "fields": LAB_FIELDS,
                                    "source": {"type": "jsonl", "splits": {"test": "lab.jsonl"}}})
    lm = LabelMap(spec.fields)
    view = ET.fromstring(labelling_config(spec, lm, boxes=True).split("\n", 1)[1])
    [repeater] = view.iter("Repeater")
    assert repeater.get("on") == "$rows_Indicators" and repeater.get("indexFlag") == "{{idx}}"
    assert [t.get("name") for t in repeater.iter("TextArea")] == [
        "Indicators__{{idx}}__Item_Name", "Indicators__{{idx}}__Result", "Indicators__{{idx}}__Unit",
        "Indicators__{{idx}}__Abnormal_Mark"]
    assert all(t.get("toName") == "image" for t in view.iter("TextArea"))
    assert [lb.get("value") for lb in view.iter("Label")] == ["Name", "total.total_price", "total.cash"]
    assert lm.lookup("Indicators__12__Unit")[1] == 12 and lm.lookup("Indicators__x__Unit") is None


def test_predictions_become_prelabels_with_boxes(tmp_path: Path) -> None:
    from benchmark.models import ModelRegistry
    from benchmark.owndata.labelstudio import run_predictions
    from benchmark.runner import RunSettings, run_eval

    spec = TaskRegistry().resolve(str(copy_sroie(tmp_path, n=8)))[0]
    result = run_eval(spec, ModelRegistry().get("rules"), RunSettings(limit=4, progress=False), tmp_path / "runs")
    preds, missing, _ = run_predictions(result.run_dir)
    assert len(preds) == 4 and not missing
    tasks, report = export_tasks(spec, all_documents(spec), ImageUrls(tmp_path), predictions=preds,
                                 model_version="rules")
    assert report.n_predictions == 4 and sorted(report.no_prediction) == sorted(set(d.id for d in
                                                                                 all_documents(spec)) - set(preds))
    first = tasks[0]["predictions"][0]["result"]
    texts = {r["from_name"]: r["value"]["text"][0] for r in first if r["type"] == "textarea"}
    assert texts == {k: str(v) for k, v in preds[tasks[0]["data"]["doc_id"]].items()}
    boxes = [r for r in first if r["type"] == "rectanglelabels"]
    assert boxes and report.n_boxes >= len(boxes)
    for box in boxes:
        v = box["value"]
        assert 0 <= v["x"] < 100 and 0 <= v["y"] < 100 and 0 < v["width"] <= 100 and 0 < v["height"] <= 100
        assert v["rectanglelabels"][0] in texts
    # accepted as they are, the pre-labels become the gold (boxes are hints, not gold)
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_labelstudio_export([t for t in tasks if "predictions" in t])))
    assert import_labelstudio(export, spec, dry_run=True).n_boxes == report.n_boxes


def test_policies_and_disagreements_on_a_label_studio_export(tmp_path: Path) -> None:
    folder = photos(tmp_path)
    assert main(["data", "init", str(folder), "--schema", "sroie-sample", "--name", "receipts"]) == 0
    spec = load_task_file(folder / "receipts.yaml")
    gold = sroie_gold()
    fixture = FIXTURES / "sroie3-export.json"
    latest = import_labelstudio(fixture, spec, policy="latest", dry_run=True)
    assert (latest.n_tasks, latest.n_annotations, latest.n_cancelled, latest.n_boxes) == (3, 5, 1, 1)
    assert latest.disagreements == ["doc 002 (task 101): total: '33.90' (annotator 1) vs '33.92' (annotator 2)"]
    assert latest.n_gold == 3
    agreed = import_labelstudio(fixture, spec, policy="agreed")
    assert agreed.without_gold == {"002": "annotators disagree (policy agreed)"} and agreed.n_labelled == 2
    assert [d.id for d in load_documents(spec)] == ["013", "019"]
    import_labelstudio(fixture, spec, policy="latest")
    assert {d.id: d.gt for d in load_documents(spec)} == {**{i: gold[i] for i in RECEIPTS},
                                                          "002": {**gold["002"], "total": "33.92"}}
    import_labelstudio(fixture, spec, policy="first")
    assert {d.id: d.gt for d in load_documents(spec)} == {i: gold[i] for i in RECEIPTS}


def test_choose_orders_annotations_by_time() -> None:
    from benchmark.owndata.labelstudio_import import Annotation

    a = Annotation({"x": "1"}, "annotator 1", "2024-01-02T00:00:00Z", "2024-01-05T00:00:00Z", 0)
    b = Annotation({"x": "2"}, "annotator 2", "2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z", 1)
    assert choose([a, b], "first") == {"x": "2"} and choose([a, b], "latest") == {"x": "1"}
    assert choose([a, b], "agreed") is None and choose([a, a], "agreed") == {"x": "1"}


def test_a_bad_export_lists_every_problem_and_imports_nothing(tmp_path: Path, capsys) -> None:
    folder = photos(tmp_path)
    assert main(["data", "init", str(folder), "--schema", "sroie-sample", "--name", "receipts"]) == 0
    manifest = (folder / "receipts.jsonl").read_bytes()
    code = main(["data", "import", str(FIXTURES / "bad-export.json"), "--task", str(folder / "receipts.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "5 problem(s); nothing was written" in err
    for line in (
        "task 201: field data.image: '/data/local-files/?d=photos/999.jpg': image '999.jpg' is not in the task folder",
        "task 202 (doc 013), annotation 6002: from_name 'vendor': unknown label",
        "task 202 (doc 013), annotation 6002: field total: 'fifteen ringgit' does not fit the schema (type number)",
        "task 202 (doc 013), annotation 6002: field_box: unknown label 'phone'",
        "task 203: field data.doc_id: 'no-such-doc' is not a document of this task",
    ):
        assert line in err
    assert (folder / "receipts.jsonl").read_bytes() == manifest
    (tmp_path / "not-a-list.json").write_text('{"image": "x"}')
    assert main(["data", "import", str(tmp_path / "not-a-list.json"), "--task", str(folder / "receipts.yaml")]) == 2
    assert "a list of tasks" in capsys.readouterr().err


# ----------------------------------------------------------------------------- Hugging Face


def test_hf_export_reads_back_identically(tmp_path: Path, capsys) -> None:
    datasets = pytest.importorskip("datasets")
    import numpy as np
    from PIL import Image

    task_yaml = copy_sroie(tmp_path, n=5)
    out = tmp_path / "hf" / "sroie-own"
    assert main(["data", "export", "--format", "hf", str(task_yaml), "--out", str(out), "--name", "sroie-own"]) == 0
    original = load_documents(load_task_file(task_yaml))
    dd = datasets.load_from_disk(str(out))
    assert list(dd) == ["test"] and dd["test"].features["image"].__class__.__name__ == "Image"
    rows = dd["test"]
    assert rows["id"] == [d.id for d in original]
    assert [json.loads(g) for g in rows["ground_truth"]] == [d.gt for d in original]
    assert rows["ocr"] == [d.ocr for d in original]
    assert json.loads(rows[0]["ocr_lines"])[0]["text"] == original[0].ocr_lines[0].text
    # the hf source of the task written beside it reads the same documents
    back = load_documents(load_task_file(out / "task.yaml"))
    assert [(d.id, d.gt, d.ocr) for d in back] == [(d.id, d.gt, d.ocr) for d in original]
    def pixels(path: str) -> np.ndarray:
        return np.asarray(Image.open(path).convert("RGB"))

    assert all(np.array_equal(pixels(b.image), pixels(o.image)) for b, o in zip(back[:3], original[:3], strict=True))
    card = (out / "README.md").read_text()
    assert "license: cc-by-4.0" in card and "Huang et al." in card and "`total` (number)" in card
    assert main(["data", "export", "--format", "hf", str(task_yaml), "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    # an unlabelled task has nothing to publish
    folder = photos(tmp_path, ("002",))
    assert main(["data", "init", str(folder), "--schema", "sroie-sample"]) == 0
    assert main(["data", "export", "--format", "hf", str(folder / "photos.yaml"), "--out", str(tmp_path / "x")]) == 2
    assert "has no gold" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_boxes_come_from_the_ocr_lines_a_run_read(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    from benchmark.documents import Document, OcrLine
    from benchmark.ocr import cache, get_engine
    from benchmark.owndata.labelstudio import with_cached_ocr

    image = str(photos(tmp_path, ("002",)) / "002.jpg")
    lines = [OcrLine(text="MR D.I.Y. (JOHOR) SDN BHD", box=(93.0, 161.0, 352.0, 183.0))]
    sha = cache.file_sha256(image)
    cache.store(cache.cache_path("rapidocr", get_engine("rapidocr").version, sha), "rapidocr",
                get_engine("rapidocr").version, sha, lines, 1.0)
    docs = [Document(id="002", image=image, gt={}), Document(id="x", image=None, gt={})]
    found, n = with_cached_ocr(docs, "rapidocr")
    assert n == 1 and found[0].ocr_lines == lines and found[1].ocr_lines is None
