"""The prepared GPU check (bench/gpu_check.py, scripts/gpu_check.sh) in its CPU mode: bad input,
a budget too small, the clean-stop watchdog, and (slow: they load a model) a part stopped at its
time limit while the next still runs, and the whole check end to end with tiny sizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECK = REPO / "bench" / "gpu_check.py"


@pytest.fixture
def bench_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO / "bench"))


def _check(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


def _report(out: Path):
    from gpu_check_schema import Report

    return Report.model_validate_json((out / "gpu_check.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--parts", "env,nosuch"], "nosuch"),
        (["--parts", "train:abc"], "train:abc"),
        (["--set", "steps=0"], "steps"),
        (["--set", "nosuch=1"], "nosuch"),
        (["--budget", "-1"], "--budget"),
        (["--set", "task=no-such-task"], "no-such-task"),
        (["--set", "config=rlvr/configs/none.yaml"], "none.yaml"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(tmp_path: Path, args: list[str], names: str) -> None:
    proc = _check(*args, "--cpu", "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gpu_check: ") and names in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "work").exists()


def test_a_budget_too_small_skips_parts_and_still_reports(tmp_path: Path, bench_path: None) -> None:
    out = tmp_path / "out"
    proc = _check("--cpu", "--parts", "env,tests", "--budget", "30", "--out", str(out), "--work", str(tmp_path / "w"))
    assert proc.returncode == 1
    report = _report(out)
    assert not report.ok and [(p.name, p.status) for p in report.parts] == [("env", "skipped"), ("tests", "skipped")]
    assert all("budget" in p.error for p in report.parts)
    assert "0/2 parts passed" in (out / "gpu_check.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_part_over_its_time_is_killed_and_the_next_part_still_runs(tmp_path: Path, bench_path: None) -> None:
    out, work = tmp_path / "out", tmp_path / "work"
    proc = _check("--cpu", "--parts", "train:3,eval", "--out", str(out), "--work", str(work),
                  "--docs-cache", os.environ["MEDVIE_CACHE"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    train, evaluation = _report(out).parts
    assert (train.name, train.status, train.error) == ("train", "timeout", "killed after 3 s")
    assert train.seconds < 10
    # eval evaluates the untrained tiny model, since training left no checkpoint
    assert evaluation.status == "pass", evaluation.error
    assert evaluation.figures["model"].startswith("untrained") and evaluation.figures["documents"] == 2
    with tarfile.open(out / "logs.tar.gz") as tar:
        assert {"logs/train.log", "logs/eval.log", "parts/eval.json"} <= set(tar.getnames())


def test_the_watchdog_asks_for_a_clean_stop_before_the_deadline(tmp_path: Path, bench_path: None) -> None:
    from gpu_check_parts import StopBeforeDeadline

    log, stop = tmp_path / "train_log.jsonl", tmp_path / "STOP"
    log.write_text(json.dumps({"step": 1, "time": 10.0}) + "\n" + json.dumps({"step": 2, "time": 14.0}) + "\n")
    now = time.time()
    watchdog = StopBeforeDeadline(now + 100, log, stop, reserve_s=20)
    assert watchdog.next_step_s() == 10.0  # the longest step so far
    assert not watchdog.due(now) and watchdog.due(now + 66)  # 66 + 1.5 · 10 + 20 > 100
    soon = StopBeforeDeadline(time.time() + 1, log, stop, reserve_s=0)
    soon.start()
    soon.join(5)
    assert soon.fired and stop.exists()


@pytest.mark.slow
def test_the_whole_check_on_cpu(tmp_path: Path, bench_path: None) -> None:
    out, work = tmp_path / "out", tmp_path / "work"
    env = {**os.environ, "OUT": str(out), "GPU_CHECK_WORK": str(work)}
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "gpu_check.sh"), "run", "--cpu", "--parts", "env,train,eval,generate",
         "--docs-cache", os.environ["MEDVIE_CACHE"]],
        capture_output=True, text=True, timeout=600, env=env, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = _report(out)
    assert report.ok and report.mode == "cpu" and report.install is None
    parts = {p.name: p for p in report.parts}
    train = parts["train"].figures
    assert train["steps_done"] == 2 and train["trained_on"] == "cpu"
    assert {k: train["grpo"][k] for k in ("beta", "epsilon_high", "loss_type", "bf16", "use_vllm")} == {
        "beta": 0.04, "epsilon_high": 0.28, "loss_type": "dapo", "bf16": True, "use_vllm": False}
    assert train["reward"] == {"a": 0.5, "format_weight": 1.0, "match_weight": 1.0}
    assert parts["eval"].figures["model"].startswith("GRPO-trained") and parts["eval"].figures["documents"] == 2
    gen = parts["generate"].figures
    assert gen["batch2"]["batched_as"] == 2 and gen["batch2"]["tokens_per_s"] > 0
    text = (out / "gpu_check.txt").read_text(encoding="utf-8")
    assert "4/4 parts passed" in text and text in proc.stdout
    with tarfile.open(out / "logs.tar.gz") as tar:
        assert {"logs/train.log", "train/train_log.jsonl", "settings.json"} <= set(tar.getnames())


def test_wheels_survive_the_xz_round_trip_and_install(tmp_path: Path, bench_path: None) -> None:
    import zipfile

    from gpu_check_wheels import pack, unpack

    src, out = tmp_path / "src", tmp_path / "rebuilt"
    src.mkdir()
    files = {
        "tinypkg/__init__.py": b"VALUE = 42\n",
        "tinypkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "tinypkg-1.0.dist-info/RECORD": b"",
    }
    with zipfile.ZipFile(src / "tinypkg-1.0-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    archive = tmp_path / "wheels.tar.xz"
    assert pack(src, archive) == 1 and unpack(archive, out) == 1
    with zipfile.ZipFile(out / "tinypkg-1.0-py3-none-any.whl") as zf:
        assert {n: zf.read(n) for n in zf.namelist()} == files
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--target", str(target),
                    str(out / "tinypkg-1.0-py3-none-any.whl")], check=True, capture_output=True)
    assert (target / "tinypkg" / "__init__.py").read_bytes() == b"VALUE = 42\n"
