"""Leaderboard data layer: collect → select → build → render, on runs made by the real runner.

``make_runs`` (shared with the browser tests) runs the rules baseline on the real SROIE sample and
on a small medical lab-report task, plus adapter "models" through ``run_eval``: a noisy oracle
(thinking off/on, all/random keys) and one whose raw output and errors carry an XSS payload.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmark.models.base import Generation
from benchmark.models.registry import ModelRegistry
from benchmark.models.spec import ModelSpec
from benchmark.prompts import KeySampling, Prompt
from benchmark.runner import RunSettings, run_eval
from benchmark.store import RunStore
from benchmark.tasks import TaskRegistry
from leaderboard.build import BuildOptions, build_data
from leaderboard.collect import collect
from leaderboard.config import load_display
from leaderboard.render import render_html, write_leaderboard

XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = '<img src=x onerror="window.__pwned=1">'


class Oracle:
    """The ground truth with seeded mistakes (drop or corrupt a value with probability ``p``)."""

    def __init__(self, name: str, p: float, think: bool = False) -> None:
        self.name, self.p, self.think = name, p, think

    def _noisy(self, value: Any, rng: random.Random) -> Any:
        if isinstance(value, dict):
            out = {k: self._noisy(v, rng) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not None}
        if isinstance(value, list):
            return [self._noisy(v, rng) for v in value]
        roll = rng.random()
        return None if roll < self.p / 2 else f"{value}X" if roll < self.p else value

    async def generate(self, prompt: Prompt) -> Generation:
        doc = prompt.document
        seed = hashlib.sha256(f"{self.name}|{doc.id}".encode()).hexdigest()
        rng = random.Random(seed)
        answer = json.dumps(self._noisy(doc.gt, rng), ensure_ascii=False)
        raw = (f"<think>Reading document {doc.id} field by field.</think>" if self.think else "")
        return Generation(raw=raw + answer, tokens_in=900, tokens_out=len(answer) // 3,
                          latency_s=0.5 + rng.random())

    async def aclose(self) -> None:
        return None


class Xss:
    """Every output is hostile markup; every fifth call 'fails' with a hostile error message."""

    async def generate(self, prompt: Prompt) -> Generation:
        if prompt.document.id.endswith("5"):
            return Generation(raw=None, error_kind="http_error", error=f"HTTP 500: {XSS_IMG}")
        answer = json.dumps({"company": XSS_IMG, "date": XSS_SCRIPT, XSS_IMG: "1"})
        return Generation(raw=f"<think>{XSS_SCRIPT} {XSS_IMG}</think>{answer}", latency_s=0.2)

    async def aclose(self) -> None:
        return None


LAB_DOCS = [
    {
        "id": f"lab{i:02d}",
        "gt": {
            "patient_name": f"Patient {i}",
            "report_date": f"2024-03-{1 + i:02d}",
            "Indicators": [
                {"name": "WBC", "result": f"{4 + i % 5}.{i}", "unit": "10^9/L"},
                {"name": "HGB", "result": str(120 + i), "unit": "g/L"},
            ],
        },
        "ocr": f"Patient: Patient {i}\nDate: 2024-03-{1 + i:02d}\nWBC {4 + i % 5}.{i} 10^9/L\n"
               f"HGB {120 + i} g/L",
    }
    for i in range(16)
]


def write_lab_task(folder: Path) -> Path:
    """A small medical (text-only) lab-report task with nested list fields."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lab-mini.jsonl").write_text("".join(json.dumps(d) + "\n" for d in LAB_DOCS))
    (folder / "lab-mini.yaml").write_text(
        "name: lab-mini\nversion: 1\ntags: [medical, en, test]\nlanguage: en\n"
        "source: {type: jsonl, splits: {test: lab-mini.jsonl}}\n"
        "fields:\n  - {key: patient_name, description: patient}\n"
        "  - {key: report_date, description: date, type: date}\n"
        "  - key: Indicators\n    description: lab results\n    type: list\n    fields:\n"
        "      - {key: name, description: test name}\n      - {key: result, description: value}\n"
        "      - {key: unit, description: unit}\n"
    )
    return folder


def _spec(name: str, price: float = 0.0) -> ModelSpec:
    return ModelSpec(name=name, adapter="test", input="ocr", concurrency=2,
                     price={"input_per_mtok": price, "output_per_mtok": 4 * price})


def make_runs(root: Path) -> tuple[Path, Path]:
    """Real runs under ``root/runs``; returns (runs folder, include path of the lab task)."""
    include = write_lab_task(root / "tasks")
    runs = root / "runs"
    reg = TaskRegistry([include])
    sroie, lab = reg.get("sroie-sample"), reg.get("lab-mini")
    plain = RunSettings(progress=False)
    rules = ModelRegistry().get("rules")
    for task in (sroie, lab):
        run_eval(task, rules, plain, runs)
        run_eval(task, _spec("oracle", 0.5), plain, runs, adapter=Oracle("oracle", 0.3))
        run_eval(task, _spec("oracle", 0.5), RunSettings(progress=False, thinking=True), runs,
                 adapter=Oracle("oracle-think", 0.15, think=True))
    run_eval(sroie, _spec("oracle", 0.5), RunSettings(progress=False, keys=KeySampling("random", 2)),
             runs, adapter=Oracle("oracle-keys", 0.3))
    run_eval(sroie, _spec("xss-model"), plain, runs, adapter=Xss())
    return runs, include


@pytest.fixture(scope="module")
def lb_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_runs(tmp_path_factory.mktemp("lb"))


@pytest.fixture(scope="module")
def lb_data(lb_runs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    runs, include = lb_runs
    opt = BuildOptions(resamples=300, include_paths=(include,),
                       cache_dir=tmp_path_factory.mktemp("thumbs"))
    return build_data(collect(runs, keep_records=opt.explorer_docs), load_display(), opt)


def test_collect_tables(lb_runs):
    runs, _ = lb_runs
    col = collect(runs, keep_records=3)
    assert len(col.runs) == 8 and col.runs["problem"].isna().all()
    assert set(col.runs["entry"]) == {"rules", "oracle", "oracle+thinking", "xss-model"}
    assert len(col.docs) == col.runs["n_docs"].sum() == 20 * 5 + 16 * 3
    xss = col.runs[col.runs["model"] == "xss-model"].iloc[0]
    d = col.docs[col.docs["run_key"] == xss["run_key"]]
    assert d["api_error"].sum() == 3  # documents 035, 155 and 285
    assert all(len(v) == 3 for v in col.records.values())


def test_scopes_cells_and_stats(lb_runs, lb_data):
    runs, _ = lb_runs
    scopes = {s["id"]: s for s in lb_data["scopes"]}
    assert list(scopes) == ["g:medical", "g:general", "t:lab-mini", "t:sroie-sample"]
    assert set(scopes["t:sroie-sample"]["models"]) == {"rules", "oracle", "oracle+thinking",
                                                      "xss-model"}
    assert "xss-model" not in scopes["g:medical"]["models"]
    for s in lb_data["scopes"]:
        n = len(s["models"])
        assert len(s["pairs"]) == n * (n - 1) // 2 and s["mdd"] > 0
        for cell in s["cells"].values():
            for k in ("f1", "precision", "recall", "ted"):
                est, low, high = cell[k]
                assert low - 1e-4 <= est <= high + 1e-4
    # a task cell's F1 is the run's own metrics.json
    cell = scopes["t:sroie-sample"]["cells"]["rules"]
    metrics = RunStore(runs / cell["run"]).read_metrics()
    assert cell["f1"][0] == pytest.approx(metrics["f1"], abs=1e-4)
    assert cell["ted"][0] == pytest.approx(metrics["ted_accuracy"], abs=1e-4)
    assert cell["seconds_per_doc"] == pytest.approx(metrics["seconds_per_doc"], abs=1e-4)
    assert scopes["t:sroie-sample"]["cells"]["xss-model"]["api_error_rate"] == pytest.approx(0.15)
    assert scopes["t:sroie-sample"]["cells"]["oracle"]["cost_per_1k"] > 0
    assert lb_data["meta"]["baseline"] == "rules"


def test_ablations_and_fields(lb_data):
    ab = lb_data["ablations"]
    assert {(r["model"], r["task"]) for r in ab["thinking"]} == {("oracle", "lab-mini"),
                                                                 ("oracle", "sroie-sample")}
    assert [r["keys"] for r in ab["keys"]] == ["random:2"]
    assert {r["entry"] for r in ab["domain"]} == {"rules", "oracle", "oracle+thinking"}
    for r in ab["thinking"] + ab["keys"]:
        assert 0 < r["p"] <= 1 and r["p"] <= r["p_holm"] <= 1
    lab = lb_data["fields"]["lab-mini"]
    assert "indicators.result" in lab["fields"] and set(lab["rows"]) >= {"rules", "oracle"}


def test_keys_ablation_pairs_runs_on_their_common_documents(lb_runs, tmp_path):
    runs, include = lb_runs
    runs = Path(shutil.copytree(runs, tmp_path / "runs"))
    lab = TaskRegistry([include]).get("lab-mini")
    # random keys on the first 5 documents, against keys=all on all 16
    run_eval(lab, _spec("oracle", 0.5),
             RunSettings(progress=False, limit=5, keys=KeySampling("random", 2)), runs,
             adapter=Oracle("oracle-keys", 0.3))
    data = build_data(collect(runs), load_display(), BuildOptions(resamples=100, explorer_docs=0))
    rows = {(r["task"], r["keys"]): r for r in data["ablations"]["keys"]}
    assert rows[("lab-mini", "random:2")]["n_docs"] == 5
    assert rows[("sroie-sample", "random:2")]["n_docs"] == 20


def test_explorer_data(lb_data):
    ex = lb_data["explorer"]
    sroie = ex["tasks"]["sroie-sample"]
    assert len(sroie["docs"]) == 12 and sroie["note"] is None
    doc = sroie["docs"]["002"]
    assert ex["thumbs"][doc["thumb"]].startswith("data:image/jpeg;base64,")
    assert doc["gt"]["company"] == ["MR D.I.Y. (JOHOR) SDN BHD"]
    assert len(ex["thumbs"]) == 12  # shared: one per document, not per model
    view = ex["preds"]["sroie-sample"]["xss-model"]["002"]
    assert XSS_SCRIPT in view["raw"]
    kinds = {row[0]: row[5] for row in view["fields"]}
    assert kinds["company"] == "wrong_value" and kinds["address"] == "missing_key"
    lab = ex["preds"]["lab-mini"]["oracle"]["lab00"]
    assert any(row[0] == "indicators.unit" for row in lab["fields"])


def test_selection_reasons(lb_runs, tmp_path):
    runs, include = lb_runs
    runs = Path(shutil.copytree(runs, tmp_path / "runs"))
    task = TaskRegistry([include]).get("lab-mini")
    # a newer run of the same entry supersedes the older one
    newer = run_eval(task, _spec("oracle", 0.5), RunSettings(progress=False, seed=1), runs,
                     adapter=Oracle("oracle-2", 0.3)).run_dir
    # a newer partial run is not comparable, and does not hide the full run
    partial = run_eval(task, _spec("oracle", 0.5), RunSettings(progress=False, limit=5, seed=2),
                       runs, adapter=Oracle("oracle", 0.3)).run_dir
    # an unfinished run is left out
    store = RunStore(partial.parent / "broken__0")
    store.write_manifest(RunStore(newer).read_manifest().model_copy(update={"status": "running"}))
    data = build_data(collect(runs), load_display(), BuildOptions(resamples=100, explorer_docs=0))
    reasons = {r["run_key"]: r["reason"] for r in data["runs"] if not r["included"]}
    lab = "lab-mini/"
    assert reasons[lab + partial.name].startswith("not comparable")
    assert reasons[lab + "broken__0"] == "not finished"
    superseded = [k for k, r in reasons.items() if r == f"superseded by the newer run {lab}{newer.name}"]
    assert len(superseded) == 1
    assert sum(r.startswith("ablation run (keys random:2)") for r in reasons.values()) == 1
    cells = next(s for s in data["scopes"] if s["id"] == "t:lab-mini")["cells"]
    assert cells["oracle"]["run"] == lab + newer.name and "rules" in cells
    assert data["explorer"] == {"thumbs": [], "tasks": {}, "preds": {}}


def test_limit_run_in_a_shared_folder_is_trimmed(lb_runs, tmp_path):
    runs, include = lb_runs
    runs = Path(shutil.copytree(runs, tmp_path / "runs"))
    task = TaskRegistry([include]).get("lab-mini")
    # same settings but --limit: the runner reuses the folder of the full run
    res = run_eval(task, ModelRegistry().get("rules"), RunSettings(progress=False, limit=5), runs)
    assert len(RunStore(res.run_dir).read_records()) == 16
    key = f"lab-mini/{res.run_dir.name}"
    col = collect(runs, include_paths=[include])
    row = col.runs.set_index("run_key").loc[key]
    assert row["n_docs"] == 5 and pd.isna(row["problem"])
    assert sorted(col.docs.loc[col.docs["run_key"] == key, "id"]) == [d["id"] for d in LAB_DOCS[:5]]
    # without the task definition the folder cannot be trimmed: left out, with the reason
    assert collect(runs).runs.set_index("run_key").loc[key, "problem"] == "16 records for 5 documents"


def test_render_escapes_and_is_self_contained(lb_data):
    html = render_html(lb_data)
    assert XSS_SCRIPT not in html and XSS_IMG not in html
    assert len(re.findall(r"<script\b", html)) == 2  # the data block and the page's own code
    assert not re.search(r"<(link|iframe|object|embed)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "Content-Security-Policy" in html
    block = re.search(r'<script type="application/json" id="lb-data">(.*?)</script>', html, re.S)
    assert json.loads(block.group(1))["meta"]["baseline"] == "rules"


def test_write_and_cli(lb_runs, tmp_path):
    from benchmark.cli import main

    runs, include = lb_runs
    out = tmp_path / "site"
    rc = main(["leaderboard", "--runs", str(runs), "--out", str(out), "--resamples", "200",
               "--include-path", str(include), "--cache-dir", str(tmp_path / "c"),
               "--baseline", "oracle"])
    assert rc == 0
    summary = json.loads((out / "leaderboard.json").read_text())
    assert "explorer" not in summary and summary["meta"]["baseline"] == "oracle"
    rows = list(csv.DictReader((out / "leaderboard.csv").open()))
    assert {r["scope"] for r in rows} == {"g:medical", "g:general", "t:lab-mini", "t:sroie-sample"}
    assert all(float(r["f1_low"]) <= float(r["f1"]) + 1e-4 for r in rows)
    assert main(["leaderboard", "--runs", str(runs), "--out", str(out),
                 "--baseline", "nope"]) == 2
    assert main(["leaderboard", "--runs", str(tmp_path / "none")]) == 2


def test_empty_runs_folder_renders(tmp_path):
    paths = write_leaderboard(build_data(collect(tmp_path), load_display()), tmp_path / "o")
    assert paths["html"].read_text().startswith("<!DOCTYPE html>")
    assert json.loads(paths["json"].read_text())["scopes"] == []


def test_display_file_is_validated(tmp_path):
    cfg = load_display()
    columns = {c["key"]: c for c in cfg.metric_columns()}  # from the metric registry
    assert columns["f1"]["direction"] == "higher" and columns["cost_per_1k"]["direction"] == "lower"
    assert list(columns)[:4] == ["f1", "precision", "recall", "ted"]
    assert cfg.groups_of(["medical", "zh"]) == ["medical"] and cfg.task_label("x") == "x"
    bad = tmp_path / "display.yaml"
    bad.write_text("metrics: {f1: {label: F1, direction: sideways}}\n")
    with pytest.raises(ValueError, match=r"display\.yaml: invalid display file"):
        load_display(bad)
    bad.write_text("metrics: {speed: {label: S}}\n")
    with pytest.raises(ValueError, match="unknown metrics"):
        load_display(bad)
    bad.write_text("metrics: {f1: {label: Field F1}, cost_per_1k: {hidden: true}}\n")
    columns = {c["key"]: c for c in load_display(bad).metric_columns()}
    assert columns["f1"]["label"] == "Field F1" and "cost_per_1k" not in columns


def test_field_views():
    from leaderboard.explorer import display_flatten, field_kind

    flat = display_flatten({"Patient Name": "A", "Items": [{"Name": "WBC"}, {"Name": "HGB"}],
                            "empty": "", "tags": ["x", "y"]})
    assert flat == {"patient_name": ["A"], "items.name": ["WBC", "HGB"], "tags": ["x", "y"]}
    assert field_kind(1, 0, 0, True, True) == "ok"
    assert field_kind(0, 0, 0, False, False) == "not_scored"
    assert field_kind(0, 0, 2, True, False) == "missing_key"
    assert field_kind(0, 1, 0, False, True) == "hallucinated_key"
    assert field_kind(0, 1, 2, True, True) == "wrong_value, missing_value"
