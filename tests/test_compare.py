"""``medvie-bench compare``: CIs and paired tests of real runs; refusals of incomparable runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from benchmark import stats as S
from benchmark.cli import main
from benchmark.models.registry import ModelRegistry
from benchmark.runner import RunSettings, run_eval
from benchmark.store import RunStore
from benchmark.tasks import TaskRegistry
from tests.test_leaderboard import Oracle, _spec, write_lab_task


@pytest.fixture(scope="module")
def lab_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cmp")
    task = TaskRegistry([write_lab_task(root / "tasks")]).get("lab-mini")
    runs = root / "runs"
    out = {"runs": runs}
    s = RunSettings(progress=False)
    out["rules"] = run_eval(task, ModelRegistry().get("rules"), s, runs).run_dir
    out["oracle"] = run_eval(task, _spec("oracle"), s, runs, adapter=Oracle("o", 0.3)).run_dir
    out["think"] = run_eval(task, _spec("oracle"), RunSettings(progress=False, thinking=True),
                            runs, adapter=Oracle("t", 0.1, think=True)).run_dir
    out["partial"] = run_eval(task, _spec("oracle-lite"), RunSettings(progress=False, limit=6),
                              runs, adapter=Oracle("o", 0.3)).run_dir
    return out


def _counts(run: Path) -> np.ndarray:
    store = RunStore(run)
    recs = sorted(store.iter_latest(store.read_manifest().cache_key), key=lambda r: r.id)
    return np.array([[r.counts["tp"], r.counts["fp"], r.counts["fn"]] for r in recs])


def test_compare_models_by_name(lab_runs, capsys):
    rc = main(["compare", "rules", "oracle", "oracle+thinking", "--task", "lab-mini",
               "--runs", str(lab_runs["runs"]), "--resamples", "500", "--seed", "7"])
    cap = capsys.readouterr()
    out = cap.out
    assert rc == 0, cap.err
    comp = S.compare_all({k: _counts(lab_runs[k]) for k in ("rules", "oracle", "think")},
                         n_resamples=500, seed=7)
    lines = out.splitlines()
    assert "16 documents" in lines[0]
    oracle = next(line for line in lines if line.startswith("oracle "))
    ci = comp.ci("oracle")
    assert f"{ci.estimate:.3f}  [{ci.low:.3f}, {ci.high:.3f}]" in oracle
    assert str(lab_runs["oracle"]) in oracle
    pair = next(line for line in lines if line.startswith("oracle+thinking − oracle "))
    p = comp.pair("oracle", "think")
    assert f"{p.delta:+.3f}" in pair and f"[{p.low:+.3f}, {p.high:+.3f}]" in pair
    assert "Holm-adjusted over 3 pairs" in out


def test_compare_run_directories(lab_runs, capsys):
    rc = main(["compare", str(lab_runs["rules"]), str(lab_runs["oracle"]), "--resamples", "200"])
    out = capsys.readouterr().out
    assert rc == 0 and "oracle − rules" in out


def test_runs_of_one_model_in_same_named_folders_get_distinct_labels(lab_runs, tmp_path, capsys):
    """Two copies of one run (same model, same folder name), and one folder given twice."""
    a, b = tmp_path / "a" / "run", tmp_path / "b" / "run"
    shutil.copytree(lab_runs["rules"], a)
    shutil.copytree(lab_runs["rules"], b)
    assert main(["compare", str(a), str(b), "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "b/run − a/run   +0.000  [+0.000, +0.000]" in out
    assert main(["compare", str(a), str(a), "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "/a/run#2 − " in out and "/a/run#1   " in out


def test_refuses_different_documents(lab_runs, capsys):
    rc = main(["compare", str(lab_runs["oracle"]), str(lab_runs["partial"])])
    err = capsys.readouterr().err
    assert rc == 2 and "document ids differ" in err and "not comparable" in err


def test_refuses_different_task_versions(lab_runs, tmp_path, capsys):
    other = Path(shutil.copytree(lab_runs["oracle"], tmp_path / "oracle__v2"))
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["task"]["version"] = 2
    (other / "manifest.json").write_text(json.dumps(manifest))
    rc = main(["compare", str(lab_runs["rules"]), str(other)])
    err = capsys.readouterr().err
    assert rc == 2 and "task versions differ" in err


def test_refuses_unknown_and_unfinished(lab_runs, tmp_path, capsys):
    assert main(["compare", "nobody", "--task", "lab-mini", "--runs", str(lab_runs["runs"])]) == 2
    assert "no finished run of model 'nobody'" in capsys.readouterr().err
    assert main(["compare", "rules", "--runs", str(lab_runs["runs"])]) == 2
    assert "give --task" in capsys.readouterr().err
    running = Path(shutil.copytree(lab_runs["oracle"], tmp_path / "oracle__run"))
    manifest = json.loads((running / "manifest.json").read_text())
    manifest["status"] = "running"
    (running / "manifest.json").write_text(json.dumps(manifest))
    assert main(["compare", str(running), str(lab_runs["rules"])]) == 2
    assert "not finished" in capsys.readouterr().err
    assert main(["compare", "oracle", "--task", "sroie-sample",
                 "--runs", str(lab_runs["runs"])]) == 2
