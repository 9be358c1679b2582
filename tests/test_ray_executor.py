"""Distributed evaluation on a local Ray runtime (2 workers): same results as the local executor,
and a worker killed mid-run is survived with nothing lost or duplicated."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from benchmark.executors.ray_executor import RayExecutor
from benchmark.models import ModelRegistry
from benchmark.runner import RunSettings, run_eval
from benchmark.store import RunStore
from benchmark.tasks import TaskRegistry
from tests.conftest import write_task

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_runtime():
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in __import__("sys").path if p)}},
    )
    yield
    ray.shutdown()


def _setup(tmp_path, n=48):
    docs = [{"id": f"d{i}", "gt": {"company": f"SHOP {i}", "total": f"{i}.50"}, "ocr": f"SHOP {i}"} for i in range(n)]
    write_task(tmp_path / "tasks", "raytask", docs)
    spec = tmp_path / "slow.yaml"
    spec.write_text(
        "name: slow-echo\nadapter: tests.slow_adapter:SlowEcho\ninput: ocr\nconcurrency: 2\noptions: {delay_s: 0.05}\n"
    )
    task = TaskRegistry([tmp_path / "tasks"]).get("raytask")
    return task, ModelRegistry().get(str(spec))


def test_ray_results_equal_local_results(tmp_path, ray_runtime):
    task, model = _setup(tmp_path)
    local = run_eval(task, model, RunSettings(progress=False), tmp_path / "local")
    dist = run_eval(
        task, model, RunSettings(progress=False), tmp_path / "ray", executor=RayExecutor(workers=2, batch_size=4)
    )
    for key in ("tp", "fp", "fn", "f1", "per_field", "errors"):
        assert dist.metrics[key] == local.metrics[key]
    assert sorted(r.id for r in RunStore(dist.run_dir).read_records()) == sorted(
        r.id for r in RunStore(local.run_dir).read_records()
    )


def test_killed_worker_is_survived(tmp_path, ray_runtime):
    task, model = _setup(tmp_path, n=80)
    executor = RayExecutor(workers=2, batch_size=4)
    killed: list[int] = []

    def kill_one() -> None:
        while not executor.actors:
            threading.Event().wait(0.05)
        threading.Event().wait(1.0)  # let a few shards finish
        pid = ray.get(executor.actors[0].pid.remote())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    res = run_eval(task, model, RunSettings(progress=False), tmp_path / "out", executor=executor)
    killer.join(timeout=30)
    assert killed, "the worker was not killed"
    ids = [r.id for r in RunStore(res.run_dir).read_records()]
    assert len(ids) == len(set(ids)) == 80
    assert res.metrics["n_errors"] == 0 and res.metrics["n_missing"] == 0
