"""Run folders under hostile conditions, with real processes, files and HTTP servers: two runs on
one folder, a stale lock, failed calls retried on resume, every document failing, the endpoint in
the cache key, corrupt lines in the middle of predictions.jsonl, Ctrl-C with a request in flight,
and the whole-document time. Committed runs keep their cache keys and still load."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fault_server import FaultServer

from benchmark.cli import main
from benchmark.models import ModelRegistry
from benchmark.models.registry import resolve_model
from benchmark.records import PredictionRecord, RunManifest
from benchmark.runner import RunSettings, manifest_cache_key, run_eval
from benchmark.store import LOCK, QUARANTINE, RunLock, RunStore
from benchmark.tasks import TaskRegistry
from leaderboard.collect import collect
from tests.conftest import REPO, write_task

COMMITTED_RUNS = REPO / "leaderboard" / "runs"


def _docs(n: int, text: str = "") -> list[dict]:
    return [
        {"id": f"d{i}", "gt": {"company": f"SHOP {i}", "total": f"{i}.50"},
         "ocr": f"SHOP {i}\nTOTAL {i}.50\n{text.format(i=i)}"}
        for i in range(n)
    ]


def _spec_file(folder: Path, data: dict) -> Path:
    path = folder / f"{data['name']}.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML
    return path


def _slow_spec(folder: Path, delay: float) -> Path:
    return _spec_file(folder, {"name": "slow-echo", "adapter": "tests.slow_adapter:SlowEcho", "input": "ocr",
                               "concurrency": 1, "options": {"delay_s": delay}})


def _openai_spec(folder: Path, url: str | None, name: str = "api") -> Path:
    data = {"name": name, "adapter": "openai", "input": "ocr", "concurrency": 2,
            "generation": {"timeout_s": 2, "max_tokens": 64}, "options": {"max_retries": 0}}
    if url:
        data["base_url"] = url
    return _spec_file(folder, data)


def _cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
         ignore_sigint: bool = False) -> subprocess.Popen[bytes]:
    """``ignore_sigint``: started as a shell starts a background job (`cmd &`), SIGINT ignored."""
    return subprocess.Popen(
        [sys.executable, "-m", "benchmark.cli", *args], cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
    )


def _run_args(tmp_path: Path, spec: Path, task: str, *extra: str) -> list[str]:
    return ["run", "--model", str(spec), "--task", task, "--include-path", str(tmp_path / "tasks"),
            "--out", str(tmp_path / "out"), "--quiet", *extra]


def _wait_for(predicate, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {proc.communicate()[1].decode()[-2000:]}")
        time.sleep(0.05)
    raise AssertionError("timed out")


def _lines(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def _run_dir(tmp_path: Path, task: str) -> Path:
    (run_dir,) = (tmp_path / "out" / task).iterdir()
    return run_dir


# ---------------------------------------------------------------- 1. one run per folder


@pytest.mark.parametrize("second", [[], ["--fresh"]], ids=["resume", "fresh"])
def test_second_run_on_a_busy_folder_is_refused_with_the_holders_pid(tmp_path: Path, second: list[str]) -> None:
    write_task(tmp_path / "tasks", "busy", _docs(400))
    args = _run_args(tmp_path, _slow_spec(tmp_path, 0.05), "busy")
    first = _cli(tmp_path, *args)
    try:
        pred = tmp_path / "out" / "busy"
        _wait_for(lambda: any(_lines(p) >= 3 for p in pred.glob("*/predictions.jsonl")), proc=first)
        run_dir = _run_dir(tmp_path, "busy")
        before = _lines(run_dir / "predictions.jsonl")
        _out, err = _cli(tmp_path, *args, *second).communicate(timeout=60)
        message = err.decode().strip()
        assert f"pid {first.pid}" in message and "in use by another medvie-bench run" in message
        assert len(message.splitlines()) == 1, message
        assert first.poll() is None, "the first run goes on"
        assert _lines(run_dir / "predictions.jsonl") >= before, "--fresh deleted nothing"
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=30)
    ids = [r.id for r in RunStore(run_dir).read_records()]
    assert len(ids) == len(set(ids)) and len(ids) >= before
    assert not (run_dir / LOCK).exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def args(limit: int) -> list[str]:
        return ["run", "--model", "rules", "--task", "sroie-sample", "--limit", str(limit), "--out", str(tmp_path),
                "--quiet"]

    assert main(args(2)) == 0
    (run_dir,) = (tmp_path / "sroie-sample").iterdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from benchmark.store import RunLock; "
         "RunLock(Path(sys.argv[1])).acquire(); print('locked', flush=True); time.sleep(120)", str(run_dir)],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        capsys.readouterr()
        assert main(args(3)) == 2
        assert f"pid {holder.pid}" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert (run_dir / LOCK).read_text().strip() == str(holder.pid), "the dead holder's lock file is still there"
    assert main(args(3)) == 0
    assert len(RunStore(run_dir).read_records()) == 3 and not (run_dir / LOCK).exists()
    with RunLock(run_dir):  # released: a later run takes it
        assert (run_dir / LOCK).read_text().strip() == str(os.getpid())


# ---------------------------------------------------------------- 2. failed calls are retried


def test_failed_calls_are_retried_on_resume_up_to_max_attempts(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    docs = _docs(4)
    docs[0]["ocr"] += '\nANSWER={"company": "SHOP 0", "total": "0.50"}'
    docs[1]["ocr"] += "\nFAULT=500"  # fails every time
    docs[2]["ocr"] += "\nFAULT=reset_once"  # fails once, then answers
    docs[3]["ocr"] += "\nFAULT=length"  # a truncated answer is the model's: not retried
    write_task(tmp_path / "tasks", "flaky", docs)
    with FaultServer() as srv:
        args = _run_args(tmp_path, _openai_spec(tmp_path, srv.url), "flaky")
        assert main(args) == 0
        err = capsys.readouterr().err
        assert "4 new, 0 resumed" in err
        assert "errors in 3 of 4 documents: connection_error 1, http_error 1, truncated 1" in err
        assert "2 will be retried by the same command" in err
        assert main(args) == 0
        err = capsys.readouterr().err
        assert "2 new (2 retried), 2 resumed" in err and "errors in 2 of 4 documents" in err
        assert main(args) == 0
        assert "1 new (1 retried), 3 resumed" in capsys.readouterr().err
        assert main(args) == 0  # d1 has had its 3 attempts
        err = capsys.readouterr().err
        assert "0 new, 4 resumed" in err and "1 used up their attempts" in err
        assert main([*args, "--max-attempts", "4"]) == 0
        assert "1 new (1 retried), 3 resumed" in capsys.readouterr().err
        assert srv.served["500"] == 4 and srv.served["reset"] == 1
    store = RunStore(_run_dir(tmp_path, "flaky"))
    history = [(r.id, r.attempt, r.error_kind) for r in store.read_records()]
    assert [h for h in history if h[0] == "d1"] == [("d1", n, "http_error") for n in (1, 2, 3, 4)]
    assert [h for h in history if h[0] == "d2"] == [("d2", 1, "connection_error"), ("d2", 2, None)]
    assert [h for h in history if h[0] in ("d0", "d3")] == [("d0", 1, None), ("d3", 1, "truncated")]
    assert store.read_metrics()["error_kinds"] == {"http_error": 1, "truncated": 1}


def test_a_run_where_every_document_failed_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_task(tmp_path / "tasks", "down", _docs(3))
    spec = _openai_spec(tmp_path, "http://127.0.0.1:9/v1")  # nothing listens on port 9
    args = _run_args(tmp_path, spec, "down")
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "errors in 3 of 3 documents: connection_error 3" in err
    assert "every document of down × api failed (first error: connection_error:" in err
    assert main(args) == 1, "the resume retried them, and they failed again"
    assert "3 new (3 retried), 0 resumed" in capsys.readouterr().err
    manifest = RunStore(_run_dir(tmp_path, "down")).read_manifest()
    assert manifest.status == "finished" and manifest.settings["endpoint"] == "http://127.0.0.1:9/v1"


# ---------------------------------------------------------------- 3. the endpoint is in the key


def test_the_endpoint_from_the_environment_is_in_the_cache_key_and_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = _docs(2, 'ANSWER={{"company": "SHOP {i}"}}')
    write_task(tmp_path / "tasks", "ep", docs)
    spec = _openai_spec(tmp_path, None)
    args = _run_args(tmp_path, spec, "ep")
    with FaultServer() as one, FaultServer() as two:
        monkeypatch.setenv("OPENAI_BASE_URL", one.url.replace("http://", "http://user:secret@"))
        assert main(args) == 0
        monkeypatch.setenv("OPENAI_BASE_URL", two.url)
        assert main(args) == 0
        assert "2 new, 0 resumed" in capsys.readouterr().err.splitlines()[-1], "another endpoint: another run"
        assert one.served["ok"] == two.served["ok"] == 2
    runs = sorted((tmp_path / "out" / "ep").iterdir())
    assert len(runs) == 2
    endpoints = {RunStore(r).read_manifest().settings["endpoint"] for r in runs}
    assert endpoints == {one.url, two.url}, "the password is not written"
    assert not any("secret" in p.read_text() for r in runs for p in r.iterdir())

    rules = ModelRegistry().get("rules")
    task = TaskRegistry().get("sroie-sample")
    keys = set()
    for value in (None, "http://127.0.0.1:1/v1"):
        if value:
            monkeypatch.setenv("OPENAI_BASE_URL", value)
        else:
            monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        keys.add(run_eval(task, rules, RunSettings(progress=False, limit=1), tmp_path / "rules").run_dir)
    assert len(keys) == 1, "a model that talks to no endpoint keeps its key"


def test_committed_runs_keep_their_cache_keys_and_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    manifests = {p.parent: RunManifest.model_validate_json(p.read_text())
                 for p in COMMITTED_RUNS.rglob("manifest.json")}
    finished = {run_dir: m for run_dir, m in manifests.items() if m.status == "finished"}
    assert len(finished) >= 50
    for manifest in finished.values():
        assert manifest_cache_key(manifest) == manifest.cache_key, manifest.run_id
        assert manifest.model["adapter"] != "openai" or manifest.model["base_url"], manifest.run_id
    old = 0
    for run_dir in finished:
        path = run_dir / "predictions.jsonl"
        store = RunStore(run_dir, report=None)
        records = store.read_records()
        assert not store.bad_lines, path
        for line, rec in zip(path.read_bytes().splitlines(), records, strict=True):
            if b'"total_s"' not in line:
                old += 1
                assert rec.attempt == 1 and rec.total_s is None, "records made before these fields get defaults"
    assert old >= 1000


def test_resolving_an_openai_spec_fills_the_endpoint_only_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = ModelRegistry([_openai_spec(tmp_path, None)]).get("api")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert resolve_model(spec) == spec
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:5/v1")
    assert resolve_model(spec).base_url == "http://127.0.0.1:5/v1"
    own = spec.model_copy(update={"base_url": "http://127.0.0.1:6/v1"})
    assert resolve_model(own) == own, "a spec's own base_url wins, as in the adapter"


# ---------------------------------------------------------------- 4. a corrupt line mid-file


BAD_LINES = {
    "torn-json": b'{"id": "d1", "cache_key": "abc", "prom\n',
    "number": b"5\n",
    "null": b"null\n",
    "binary": b"\x00\xff\xfe garbage \xc3\x28\n",
    "wrong-type": b'{"output": 12345}\n',
    "empty": b"\n",
}


@pytest.mark.parametrize("bad", list(BAD_LINES.values()), ids=list(BAD_LINES))
def test_a_corrupt_line_mid_file_is_reported_quarantined_and_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: bytes
) -> None:
    args = ["run", "--model", "rules", "--task", "sroie-sample", "--limit", "5", "--out", str(tmp_path / "runs"),
            "--quiet"]
    assert main(args) == 0
    (run_dir,) = (tmp_path / "runs" / "sroie-sample").iterdir()
    pred = run_dir / "predictions.jsonl"
    lines = pred.read_bytes().splitlines(keepends=True)
    victim = json.loads(lines[2])["id"]
    pred.write_bytes(b"".join([*lines[:2], bad, *lines[3:]]))
    byte = len(lines[0]) + len(lines[1])
    capsys.readouterr()

    assert main(["score", "--run", str(run_dir), "--json"]) == 0, "scores the rest"
    captured = capsys.readouterr()
    assert f"1 unreadable line skipped (line 3 at byte {byte}" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert json.loads(captured.out)["n_missing"] == 1

    col = collect(tmp_path / "runs")
    (problem,) = col.runs["problem"]
    assert problem.startswith("1 unreadable line(s) in predictions.jsonl (line 3")
    assert "leaderboard: skipped sroie-sample/" in capsys.readouterr().err

    assert main(args) == 0, "the same command repairs the folder"
    err = capsys.readouterr().err
    assert f"1 unreadable line moved to {QUARANTINE} (line 3 at byte {byte}" in err
    assert "1 new, 4 resumed" in err
    (kept,) = [json.loads(x) for x in (run_dir / QUARANTINE).read_text().splitlines()]
    assert kept["line"] == 3 and kept["byte"] == byte
    assert kept["text"].encode("utf-8", "surrogateescape") == bad
    records = RunStore(run_dir).read_records()
    assert sorted(r.id for r in records) == sorted(json.loads(x)["id"] for x in lines)
    assert records[-1].id == victim
    col = collect(tmp_path / "runs")
    assert col.runs["problem"].isna().all()
    assert f"1 line(s) kept aside in {QUARANTINE}" in capsys.readouterr().err


def test_a_torn_last_line_is_kept_aside_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task, rules = TaskRegistry().get("sroie-sample"), ModelRegistry().get("rules")
    res = run_eval(task, rules, RunSettings(progress=False, limit=3), tmp_path)
    pred = res.run_dir / "predictions.jsonl"
    data = pred.read_bytes()
    pred.write_bytes(data[:-40])
    capsys.readouterr()
    again = run_eval(task, rules, RunSettings(progress=False, limit=3), tmp_path)
    assert (again.n_new, again.n_resumed) == (1, 2)
    assert "torn last line" in capsys.readouterr().err
    assert (res.run_dir / QUARANTINE).exists() and len(RunStore(res.run_dir).read_records()) == 3


# ---------------------------------------------------------------- 5. Ctrl-C


def _stop_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _server_pids(parent: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"stubborn_server" in cmd:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stub_spec(tmp_path: Path) -> Path:
    """A llama.cpp model whose managed server is ``tests/stubborn_server.py``."""
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    return _spec_file(tmp_path, {
        "name": "stub-local", "adapter": "llamacpp", "input": "ocr", "checkpoint": str(tmp_path / "m.gguf"),
        "concurrency": 1, "generation": {"timeout_s": 300},
        "options": {"server_module": str(REPO / "tests" / "stubborn_server.py"), "startup_timeout_s": 120},
    })


# The goal is 2 s (≈ 1.3 s measured on a loaded 2-core machine); the bound leaves room for a busy
# one and still fails the old behaviour (5 s SIGTERM grace here; 60 s seen with a real llama.cpp).
CTRL_C_BOUND_S = 3.0


def _interrupt(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGINT) -> float:
    start = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return time.monotonic() - start


@pytest.mark.parametrize("phase", ["request", "start-up"])
def test_ctrl_c_stops_a_managed_server_run_at_once_and_the_folder_resumes(tmp_path: Path, phase: str) -> None:
    """A stand-in llama.cpp server that hangs every request and ignores SIGTERM (as a busy one
    does), or that is still loading: Ctrl-C ends the run, and the server, within seconds."""
    write_task(tmp_path / "tasks", "hang", _docs(3))
    spec = _stub_spec(tmp_path)
    mark = tmp_path / "request.mark"
    env = {"MEDVIE_TEST_HANG": "1", "MEDVIE_TEST_MARK": str(mark)}
    if phase == "start-up":
        env["MEDVIE_TEST_START_DELAY"] = "60"
    args = _run_args(tmp_path, spec, "hang")
    proc = _cli(tmp_path, *args, env=env)
    servers: list[int] = []
    try:
        _wait_for(lambda: bool(_server_pids(proc.pid)), proc=proc)
        servers = _server_pids(proc.pid)
        if phase == "request":
            _wait_for(mark.exists, proc=proc)
        else:
            time.sleep(1.0)
        took = _interrupt(proc)
        err = proc.stderr.read().decode()
        assert proc.returncode == 130, err
        assert took < CTRL_C_BOUND_S, f"Ctrl-C took {took:.1f} s"
        assert "run the same command again to resume" in err
        _wait_for(lambda: not any(map(_alive, servers)), timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in servers:
            _stop_group(pid)
    run_dir = _run_dir(tmp_path, "hang")
    assert RunStore(run_dir).read_manifest().status == "interrupted"
    assert not (run_dir / LOCK).exists() and not (run_dir / "metrics.json").exists()
    if phase == "start-up":
        return
    resumed = _cli(tmp_path, *args)  # the server answers now
    _out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    assert RunStore(run_dir).read_manifest().status == "finished"
    assert len(RunStore(run_dir).read_records()) == 3


def test_a_run_that_fails_to_start_its_model_leaves_a_resumable_folder(tmp_path: Path) -> None:
    write_task(tmp_path / "tasks", "nostart", _docs(2))
    args = _run_args(tmp_path, _stub_spec(tmp_path), "nostart")
    failed = _cli(tmp_path, *args, env={"MEDVIE_TEST_FAIL": "1"})
    _out, err = failed.communicate(timeout=120)
    assert failed.returncode == 2 and "injected failure" in err.decode()
    run_dir = _run_dir(tmp_path, "nostart")
    manifest = RunStore(run_dir).read_manifest()
    assert manifest.status == "failed" and "exited during start-up" in (manifest.error or "")
    assert not (run_dir / LOCK).exists() and not (run_dir / "predictions.jsonl").exists()
    again = _cli(tmp_path, *args)
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert RunStore(run_dir).read_manifest().status == "finished" and len(RunStore(run_dir).read_records()) == 2


@pytest.mark.parametrize(("sig", "code", "background"),
                         [(signal.SIGINT, 130, False), (signal.SIGTERM, 143, False), (signal.SIGTERM, 143, True)])
def test_ctrl_c_stops_a_slow_in_process_model_at_once(tmp_path: Path, sig: signal.Signals, code: int,
                                                     background: bool) -> None:
    """SIGTERM takes Ctrl-C's way out: the folder says interrupted (it used to stay 'running'),
    also for a background job, whose SIGINT the shell ignores (SIGTERM used to do nothing there)."""
    write_task(tmp_path / "tasks", "slow", _docs(3))
    proc = _cli(tmp_path, *_run_args(tmp_path, _slow_spec(tmp_path, 60.0), "slow"), ignore_sigint=background)
    _wait_for(lambda: (tmp_path / "out" / "slow").exists() and any((tmp_path / "out" / "slow").glob("*/manifest.json")),
              proc=proc)
    time.sleep(0.5)
    took = _interrupt(proc, sig)
    assert proc.returncode == code and took < CTRL_C_BOUND_S, (proc.returncode, took)
    run_dir = _run_dir(tmp_path, "slow")
    assert RunStore(run_dir).read_manifest().status == "interrupted"
    assert not (run_dir / LOCK).exists()


# ---------------------------------------------------------------- 6. time per document


def test_total_s_covers_the_whole_document_and_feeds_seconds_per_doc(tmp_path: Path) -> None:
    write_task(tmp_path / "tasks", "timed", _docs(4))
    assert main(_run_args(tmp_path, _slow_spec(tmp_path, 0.2), "timed")) == 0
    run_dir = _run_dir(tmp_path, "timed")
    store = RunStore(run_dir)
    records = store.read_records()
    for r in records:
        assert r.total_s is not None and r.total_s >= r.latency_s + r.input_s and r.total_s >= 0.2
    metrics = store.read_metrics()
    assert metrics["seconds_per_doc"] == pytest.approx(sum(r.total_s for r in records) / 4)
    col = collect(tmp_path / "out")
    assert list(col.docs["total_s"]) == [r.total_s for r in records]

    old = PredictionRecord.model_validate({**records[0].model_dump(exclude={"total_s", "attempt"}),
                                           "latency_s": 1.5, "input_s": 0.25})
    assert old.total_s is None and old.attempt == 1
    from benchmark.metrics.timing import doc_seconds

    assert doc_seconds(old) == 1.75, "records made before total_s: OCR + model call, as before"
