"""Harness overhead: documents/s of ``medvie-bench run`` with the OpenAI adapter against an
instant-reply local server, versus a bare ``openai.AsyncOpenAI`` loop sending the same requests
under a semaphore. Both are measured as processes (what a user runs: start-up, reading the task,
prompts, the calls, records, metrics, the run folder), rounds interleaved; the same pair inside
one process (``run_eval`` vs the loop, prompts built beforehand) is printed beside. Goal: >= 0.9.

    python bench/bench_harness.py [--docs 2000] [--concurrency 64] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import openai

from benchmark.models.adapters.images import to_api_messages
from benchmark.models.spec import ModelSpec
from benchmark.prompts import build_prompt
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks import load_documents
from benchmark.tasks.sources import jsonl_task
from benchmark.tasks.spec import TaskSpec

ROOT = Path(__file__).resolve().parents[1]


def make_task(folder: Path, n: int) -> TaskSpec:
    docs = []
    for i in range(n):
        gt = {"company": f"Company {i}", "total": f"{i}.50"}
        ocr = f"Receipt {i}\nCompany {i}\nTOTAL {i}.50\nANSWER={json.dumps(gt)}"
        docs.append({"id": f"r{i:05d}", "gt": gt, "ocr": ocr})
    return jsonl_task(folder, "bench-harness", docs, [{"key": "company"}, {"key": "total", "type": "number"}])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fault_server.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/models", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the benchmark server did not start")


def spec_for(url: str, concurrency: int) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": "bench-openai",
            "adapter": "openai",
            "input": "ocr",
            "base_url": url,
            "model_id": "fault",
            "concurrency": concurrency,
            "generation": {"json_mode": True, "max_tokens": 256, "timeout_s": 30},
        }
    )


def harness_run(task: TaskSpec, spec: ModelSpec, out: Path, n: int) -> tuple[float, float]:
    """(docs/s, client CPU ms per doc)."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_eval(task, spec, RunSettings(progress=False, fresh=True), out)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.n_new == n and result.metrics["n_errors"] == 0, result.metrics
    return n / elapsed, 1000 * cpu / n


async def _bare(url: str, requests: list[list[dict[str, Any]]], concurrency: int) -> None:
    client = openai.AsyncOpenAI(base_url=url, api_key="no-key", max_retries=0, timeout=30)
    sem = asyncio.Semaphore(concurrency)

    async def one(messages: list[dict[str, Any]]) -> None:
        async with sem:
            reply = await client.chat.completions.create(
                model="fault",
                messages=messages,
                max_tokens=256,
                temperature=0.0,
                top_p=1.0,
                response_format={"type": "json_object"},
            )
            assert reply.choices[0].message.content

    await asyncio.gather(*(one(m) for m in requests))
    await client.close()


def bare_run(task: TaskSpec, url: str, concurrency: int) -> tuple[float, float]:
    """(docs/s, client CPU ms per doc) of the requests alone (prompts built beforehand)."""
    docs = load_documents(task)
    requests = [
        to_api_messages(build_prompt(task, d, use_image=False, use_ocr=True).messages)
        for d in docs
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    asyncio.run(_bare(url, requests, concurrency))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return len(docs) / elapsed, 1000 * cpu / len(docs)


BARE_SCRIPT = """
import asyncio, json, sys
import openai

async def main(url, path, concurrency):
    requests = [json.loads(line) for line in open(path, encoding="utf-8")]
    client = openai.AsyncOpenAI(base_url=url, api_key="no-key", max_retries=0, timeout=30)
    sem = asyncio.Semaphore(concurrency)

    async def one(messages):
        async with sem:
            reply = await client.chat.completions.create(
                model="fault", messages=messages, max_tokens=256, temperature=0.0, top_p=1.0,
                response_format={"type": "json_object"})
            assert reply.choices[0].message.content

    await asyncio.gather(*(one(m) for m in requests))
    await client.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def write_task_and_model(task_dir: Path, task: TaskSpec, url: str, concurrency: int) -> Path:
    """The task's YAML next to its JSONL, and the model spec YAML beside the task folder: what
    ``medvie-bench run --include-path task_dir --model <yaml>`` reads."""
    import yaml

    (task_dir / f"{task.name}.yaml").write_text(
        yaml.safe_dump(task.model_dump(mode="json", exclude={"path"}, exclude_none=True)), encoding="utf-8"
    )
    model = task_dir.parent / "bench-openai.yaml"
    model.write_text(yaml.safe_dump(spec_for(url, concurrency).model_dump(mode="json", exclude_none=True)),
                     encoding="utf-8")
    return model


def timed_process(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medvie_bench() -> list[str]:
    exe = shutil.which("medvie-bench")
    return [exe] if exe else [sys.executable, "-c", "import sys; from benchmark.cli import main; sys.exit(main())"]


def report(title: str, n: int, harness: list[tuple[float, float]], bare: list[tuple[float, float]]) -> float:
    """Print docs/s (from wall time) and CPU ms/doc, median over rounds; return the ratio."""
    print(title)
    rates = {}
    for name, rounds in (("harness", harness), ("bare AsyncOpenAI loop", bare)):
        rate = statistics.median(n / w for w, _ in rounds)
        cpu = statistics.median(1000 * c / n for _, c in rounds)
        each = ", ".join(f"{n / w:.0f}" for w, _ in rounds)
        rates[name] = rate
        print(f"  {name:<22}: {rate:8.1f} docs/s  {cpu:6.2f} CPU ms/doc  (rounds: {each})")
    ratio = rates["harness"] / rates["bare AsyncOpenAI loop"]
    print(f"  ratio harness / bare  : {ratio:8.2f}   (goal >= 0.90)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="profile one in-process harness round (pyinstrument)"
    )
    args = parser.parse_args()
    n = args.docs
    proc, url = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            task = make_task(folder / "task", n)
            spec = spec_for(url, args.concurrency)
            model_yaml = write_task_and_model(folder / "task", task, url, args.concurrency)
            requests = folder / "requests.jsonl"
            requests.write_text("".join(
                json.dumps(to_api_messages(build_prompt(task, d, use_image=False, use_ocr=True).messages)) + "\n"
                for d in load_documents(task)), encoding="utf-8")
            run_cmd = [*medvie_bench(), "run", "--model", str(model_yaml), "--task", task.name, "--include-path",
                       str(folder / "task"), "--out", str(folder / "cli-runs"), "--fresh", "--quiet"]
            bare_cmd = [sys.executable, "-c", BARE_SCRIPT, url, str(requests), str(args.concurrency)]
            bare_run(task, url, args.concurrency)  # warm-up (imports, connections, file cache)
            timed_process(bare_cmd)
            process_h, process_b, inner_h, inner_b = [], [], [], []
            for _ in range(args.rounds):  # interleaved, so load drifts hit both alike
                process_b.append(timed_process(bare_cmd))
                process_h.append(timed_process(run_cmd))
                b_rate, b_cpu = bare_run(task, url, args.concurrency)
                inner_b.append((n / b_rate, b_cpu * n / 1000))
                h_rate, h_cpu = harness_run(task, spec, folder / "runs", n)
                inner_h.append((n / h_rate, h_cpu * n / 1000))
            if args.profile:
                from pyinstrument import Profiler

                with Profiler(async_mode="disabled") as prof:
                    harness_run(task, spec, folder / "runs", n)
                prof.print(show_all=False)
    finally:
        proc.terminate()
        proc.wait()
    print(f"documents: {n}  concurrency: {args.concurrency}  rounds: {args.rounds} (median)")
    report("processes: `medvie-bench run` vs a bare AsyncOpenAI script", n, process_h, process_b)
    report("in one process: run_eval + OpenAIAdapter vs the bare loop (prompts built beforehand)", n, inner_h,
           inner_b)


if __name__ == "__main__":
    main()
