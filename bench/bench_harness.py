"""Harness overhead: documents/s through ``run_eval`` + the OpenAI adapter against an
instant-reply local server, versus a bare ``openai.AsyncOpenAI`` loop sending the same requests
under a semaphore. Prints both and the ratio (goal: >= 0.9).

    python bench/bench_harness.py [--docs 2000] [--concurrency 64] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="profile one harness round (pyinstrument)"
    )
    args = parser.parse_args()
    proc, url = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            task = make_task(folder, args.docs)
            spec = spec_for(url, args.concurrency)
            bare_run(task, url, args.concurrency)  # warm-up (imports, connections)
            harness, bare = [], []
            for _ in range(args.rounds):  # interleaved, so load drifts hit both alike
                bare.append(bare_run(task, url, args.concurrency))
                harness.append(harness_run(task, spec, folder / "runs", args.docs))
            if args.profile:
                from pyinstrument import Profiler

                with Profiler(async_mode="disabled") as prof:
                    harness_run(task, spec, folder / "runs", args.docs)
                prof.print(show_all=False)
    finally:
        proc.terminate()
        proc.wait()
    h, b = (statistics.median(x for x, _ in r) for r in (harness, bare))
    hc, bc = (statistics.median(c for _, c in r) for r in (harness, bare))
    print(
        f"documents: {args.docs}  concurrency: {args.concurrency}  rounds: {args.rounds} (median)"
    )
    for name, rounds, rate, cpu in (
        ("run_eval + OpenAIAdapter", harness, h, hc),
        ("bare AsyncOpenAI loop", bare, b, bc),
    ):
        each = ", ".join(f"{x:.0f}" for x, _ in rounds)
        print(f"{name:<25}: {rate:8.1f} docs/s  {cpu:6.2f} client CPU ms/doc  (rounds: {each})")
    print(f"ratio harness / bare     : {h / b:8.2f}   (goal >= 0.90)")


if __name__ == "__main__":
    main()
