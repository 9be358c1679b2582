"""The runner and run store: records, manifest, metrics, resume, kill-and-resume, cache keys."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.models import ModelRegistry
from benchmark.records import PredictionRecord, RunManifest
from benchmark.runner import RunSettings, run_eval
from benchmark.store import RunStore
from benchmark.tasks import TaskRegistry
from tests.conftest import REPO, write_task


def _docs(n: int) -> list[dict]:
    return [
        {
            "id": f"d{i}",
            "gt": {"company": f"SHOP {i} SDN BHD", "total": f"{i}.50"},
            "ocr": f"SHOP {i} SDN BHD\nTOTAL {i}.50",
        }
        for i in range(n)
    ]


def _slow_spec(folder: Path, delay: float = 0.02, concurrency: int = 2, weights: Path | None = None) -> Path:
    path = folder / "slow.yaml"
    extra = f", weights: {weights}" if weights else ""
    path.write_text(
        f"name: slow-echo\nadapter: tests.slow_adapter:SlowEcho\ninput: ocr\nconcurrency: {concurrency}\n"
        f"options: {{delay_s: {delay}{extra}}}\n"
    )
    return path


def test_rules_run_writes_records_manifest_and_metrics(tmp_path):
    task = TaskRegistry().get("sroie-sample")
    model = ModelRegistry().get("rules")
    res = run_eval(task, model, RunSettings(progress=False, limit=5), tmp_path)
    store = RunStore(res.run_dir)
    records = store.read_records()
    assert [r.id for r in records] == sorted(r.id for r in records) and len(records) == 5
    manifest = store.read_manifest()
    assert manifest.status == "finished" and manifest.task["name"] == "sroie-sample"
    assert manifest.task["version"] == 1 and len(manifest.task["hash"]) == 16
    assert manifest.environment["git_commit"] is None or len(manifest.environment["git_commit"]) == 40
    assert "pydantic" in manifest.environment["packages"] and manifest.settings["seed"] == 0
    metrics = store.read_metrics()
    assert metrics["n_docs"] == 5 and 0 < metrics["f1"] <= 1
    assert metrics["tp"] == sum(r.counts["tp"] for r in records)


def test_same_command_resumes_without_duplicates(tmp_path):
    task = TaskRegistry().get("sroie-sample")
    model = ModelRegistry().get("rules")
    first = run_eval(task, model, RunSettings(progress=False, limit=4), tmp_path)
    again = run_eval(task, model, RunSettings(progress=False, limit=10), tmp_path)
    assert again.run_dir == first.run_dir
    assert (again.n_resumed, again.n_new) == (4, 6)
    ids = [r.id for r in RunStore(again.run_dir).read_records()]
    assert len(ids) == len(set(ids)) == 10
    fresh = run_eval(task, model, RunSettings(progress=False, limit=3, fresh=True), tmp_path)
    assert (fresh.n_resumed, fresh.n_new) == (0, 3)
    assert len(RunStore(fresh.run_dir).read_records()) == 3


def test_settings_change_the_cache_key_and_run_dir(tmp_path):
    task = TaskRegistry().get("sroie-sample")
    rules = ModelRegistry().get("rules")
    a = run_eval(task, rules, RunSettings(progress=False, limit=2), tmp_path)
    b = run_eval(task, rules, RunSettings(progress=False, limit=2, thinking=True), tmp_path)
    other = rules.model_copy(
        update={"name": "rules", "generation": rules.generation.model_copy(update={"max_tokens": 7})}
    )
    c = run_eval(task, other, RunSettings(progress=False, limit=2), tmp_path)
    assert len({a.run_dir, b.run_dir, c.run_dir}) == 3
    assert b.n_resumed == 0 and c.n_resumed == 0


def test_torn_last_line_is_tolerated_and_repaired(tmp_path):
    task = TaskRegistry().get("sroie-sample")
    model = ModelRegistry().get("rules")
    res = run_eval(task, model, RunSettings(progress=False, limit=3), tmp_path)
    path = res.run_dir / "predictions.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:2]) + lines[2][:25])  # killed mid-write
    again = run_eval(task, model, RunSettings(progress=False, limit=3), tmp_path)
    assert (again.n_resumed, again.n_new) == (2, 1)
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == [
        r.id for r in RunStore(res.run_dir).read_records()
    ]
    assert len(path.read_text().splitlines()) == 3


def test_adapter_exception_is_recorded_not_raised(tmp_path):
    task = TaskRegistry().get("sroie-sample")
    model = ModelRegistry().get("rules")

    class Broken:
        async def generate(self, prompt):
            raise RuntimeError("boom")

        async def aclose(self):
            return None

    res = run_eval(task, model, RunSettings(progress=False, limit=3), tmp_path, adapter=Broken())
    assert res.metrics["n_errors"] == 3 and res.metrics["error_kinds"] == {"adapter_error": 3}
    assert res.metrics["recall"] == 0.0 and res.metrics["fn"] > 0


def _run_cli(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "benchmark.cli", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_sigkill_part_way_then_resume_equals_uninterrupted_run(tmp_path):
    write_task(tmp_path / "tasks", "kill", _docs(300))
    spec = _slow_spec(tmp_path)
    args = ["run", "--model", str(spec), "--task", "kill", "--include-path", str(tmp_path / "tasks"), "--quiet"]
    proc = _run_cli([*args, "--out", str(tmp_path / "killed")], tmp_path)
    pred = None
    deadline = time.time() + 60
    while time.time() < deadline:
        pred = next(iter((tmp_path / "killed").glob("kill/*/predictions.jsonl")), None)
        if pred and len(pred.read_bytes().splitlines()) >= 40:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert pred is not None
    n_before = len(pred.read_bytes().splitlines())
    assert 40 <= n_before < 300, "the run must be killed part-way"
    assert not (pred.parent / "metrics.json").exists()

    resumed = _run_cli([*args, "--out", str(tmp_path / "killed")], tmp_path)
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read().decode()
    straight = _run_cli([*args, "--out", str(tmp_path / "straight")], tmp_path)
    assert straight.wait(timeout=120) == 0

    records = RunStore(pred.parent).read_records()
    assert sorted(r.id for r in records) == sorted(f"d{i}" for i in range(300))
    killed_m = json.loads((pred.parent / "metrics.json").read_text())
    straight_dir = next((tmp_path / "straight").glob("kill/*"))
    straight_m = json.loads((straight_dir / "metrics.json").read_text())
    for key in ("tp", "fp", "fn", "precision", "recall", "f1", "per_field", "errors", "n_docs"):
        assert killed_m[key] == straight_m[key]
    assert killed_m["f1"] < 1.0


def test_weights_changed_in_place_are_not_resumed(tmp_path, capsys):
    """A checkpoint retrained at the same path keeps the cache key; its digest does not."""
    write_task(tmp_path / "tasks", "w", _docs(6))
    weights = tmp_path / "adapter.gguf"
    weights.write_bytes(b"first training run")
    spec = _slow_spec(tmp_path, delay=0, weights=weights)
    args = ["run", "--model", str(spec), "--task", "w", "--include-path", str(tmp_path / "tasks"),
            "--out", str(tmp_path / "out"), "--quiet"]
    assert main([*args, "--limit", "2"]) == 0
    run_dir = next((tmp_path / "out").glob("w/slow-echo__*"))
    recorded = RunStore(run_dir).read_manifest().weights["model"]
    assert recorded.path == str(weights)
    assert recorded.digest == "sha256:" + hashlib.sha256(b"first training run").hexdigest()
    assert main([*args, "--limit", "3"]) == 0  # same file: resumes
    assert len(RunStore(run_dir).read_records()) == 3

    weights.write_bytes(b"second training run, same path")
    capsys.readouterr()
    assert main([*args, "--limit", "4"]) != 0
    err = capsys.readouterr().err
    assert "weights or code changed since its 3 earlier predictions" in err and str(weights) in err and "--fresh" in err
    assert len(RunStore(run_dir).read_records()) == 3, "nothing is appended to the old model's run"
    assert main([*args, "--limit", "4", "--fresh"]) == 0
    assert len(RunStore(run_dir).read_records()) == 4
    assert RunStore(run_dir).read_manifest().weights["model"].digest != recorded.digest

    manifest = json.loads((run_dir / "manifest.json").read_text())
    del manifest["weights"]  # a run made before digests were recorded: resumed, with a note
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main([*args, "--limit", "5"]) == 0
    assert "no digest of its model weights" in capsys.readouterr().err
    assert len(RunStore(run_dir).read_records()) == 5


def test_a_no_model_extractor_fingerprints_its_code(tmp_path, capsys):
    """The rules' answers change with their code; the cache key names only the spec, so the code's
    digests are recorded like weights and a changed rule refuses a resume."""
    write_task(tmp_path / "tasks", "c", _docs(4))
    args = ["run", "--model", "rules", "--task", "c", "--include-path", str(tmp_path / "tasks"),
            "--out", str(tmp_path / "out"), "--quiet"]
    assert main([*args, "--limit", "2"]) == 0
    run_dir = next((tmp_path / "out").glob("c/rules__*"))
    source = Path(__file__).resolve().parents[1] / "baselines" / "rules.py"
    recorded = RunStore(run_dir).read_manifest().weights
    assert recorded["code:rules.py"].digest == "sha256:" + hashlib.sha256(source.read_bytes()).hexdigest()
    assert "code:rules_aliases.yaml" in recorded

    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["weights"]["code:rules.py"]["digest"] = "sha256:" + "0" * 64  # as if the rules changed since
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main([*args, "--limit", "3"]) != 0
    err = capsys.readouterr().err
    assert "weights or code changed" in err and "code:rules.py" in err and str(source) in err
    assert len(RunStore(run_dir).read_records()) == 2


def test_cli_run_prints_summary_and_score_rescores_the_run(tmp_path, capsys):
    assert (
        main(["run", "--model", "rules", "--task", "sroie-sample", "--limit", "4", "--out", str(tmp_path), "--quiet"])
        == 0
    )
    out = capsys.readouterr().out
    assert "sroie-sample" in out and "F1" in out
    run_dir = next(tmp_path.glob("sroie-sample/rules__*"))
    saved = json.loads((run_dir / "metrics.json").read_text())
    assert main(["score", "--run", str(run_dir), "--json"]) == 0
    rescored = json.loads(capsys.readouterr().out)
    assert rescored["f1"] == saved["f1"] and rescored["n_docs"] == 4


def test_cli_score_gold_and_pred_files(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    pred = tmp_path / "pred.jsonl"
    gold.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"id": "1", "gt": {"a": "1", "b": "2"}},
                {"id": "2", "gt": {"a": "3"}},
                {"id": "3", "gt": {"a": "4"}},  # no prediction: all FN
            ]
        )
        + "\n"
    )
    pred.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"id": "1", "output": '```json\n{"a": "1", "b": "x"}\n```'},
                {"id": "2", "prediction": {"a": "3"}},
            ]
        )
        + "\n"
    )
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert (m["tp"], m["fp"], m["fn"]) == (2, 1, 2)
    assert m["parse_errors"] == 0 and "a" in m["per_field"] and m["n_missing"] == 1
    pred.write_text(json.dumps({"id": "1", "output": '{"a": "1", '}) + "\n")
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["parse_errors"] == 1 and m["tp"] == 0 and m["fn"] == 4
    assert main(["score", "--gold", str(gold), "--pred", str(pred)]) == 0
    assert "precision" in capsys.readouterr().out


def test_records_and_manifest_have_versioned_schemas(tmp_path):
    task = TaskRegistry().get("sroie-sample")
    res = run_eval(task, ModelRegistry().get("rules"), RunSettings(progress=False, limit=1), tmp_path)
    line = (res.run_dir / "predictions.jsonl").read_text().splitlines()[0]
    assert PredictionRecord.model_validate_json(line).schema_version == 1
    manifest = RunManifest.model_validate_json((res.run_dir / "manifest.json").read_text())
    assert manifest.schema_version == 1 and manifest.command


def test_unknown_model_is_a_clear_error(capsys):
    assert main(["run", "--model", "rulez", "--task", "sroie-sample"]) == 2
    assert "Did you mean 'rules'" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["random:0", "some", "random:x"])
def test_bad_key_sampling_is_rejected(bad):
    from benchmark.prompts import KeySampling

    with pytest.raises(ValueError, match="--keys"):
        KeySampling.parse(bad)


def test_weight_digests_are_remembered_until_the_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from benchmark.models import weights as w

    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "train_log.png").write_bytes(b"not a weight file")
    first = w.fingerprint({"checkpoint": folder})["checkpoint"]
    assert first.digest.startswith("folder-sha256:")

    def no_rehash(path):
        raise AssertionError(f"{path} hashed again")

    with monkeypatch.context() as m:
        m.setattr(w, "sha256_file", no_rehash)
        assert w.fingerprint({"checkpoint": folder})["checkpoint"] == first
        (folder / "train_log.png").write_bytes(b"a new plot")  # not a weight file: same digest
        assert w.fingerprint({"checkpoint": folder})["checkpoint"] == first
    (folder / "model.safetensors").write_bytes(b"retrained")
    assert w.fingerprint({"checkpoint": folder})["checkpoint"].digest != first.digest
    assert w.fingerprint({"missing": tmp_path / "nope"}) == {}


def test_run_eta_times_each_model_by_its_own_pairs():
    """A rules baseline's seconds say nothing about an LLM's: each remaining pair is estimated from
    its own model's finished pairs, and an untimed model makes the ETA a lower bound."""
    from benchmark.cli import _eta

    assert _eta({}, ["rules", "llm"]) == ""
    assert _eta({"rules": [2.0]}, ["rules", "llm"]) == " (at least 2 s left; 1 pair(s) of models not timed yet)"
    assert _eta({"rules": [2.0], "llm": [100.0, 140.0]}, ["llm", "llm", "rules"]) == " (about 4 min left)"
