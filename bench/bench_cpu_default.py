"""The default CPU pipeline's speed: OCR text → qwen2.5-0.5b-local on a managed llama.cpp server.
Prints docs/min over N documents of a task and the share of wall time spent inside the LLM call
(the rest: prompt building, scoring, writing records, event loop).

    python bench/bench_cpu_default.py [--task sroie-sample] [--docs 5] [--model qwen2.5-0.5b-local]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from benchmark.models import ModelRegistry, create_adapter
from benchmark.models.base import Adapter, Generation
from benchmark.prompts import Prompt
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks import TaskRegistry


class TimedAdapter:
    """Adds up the wall time spent inside ``generate``."""

    def __init__(self, inner: Adapter) -> None:
        self.inner = inner
        self.llm_s = 0.0
        self.calls = 0

    async def generate(self, prompt: Prompt) -> Generation:
        t0 = time.perf_counter()
        try:
            return await self.inner.generate(prompt)
        finally:
            self.llm_s += time.perf_counter() - t0
            self.calls += 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="sroie-sample")
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--model", default="qwen2.5-0.5b-local")
    args = parser.parse_args()
    task = TaskRegistry().get(args.task)
    model = ModelRegistry().get(args.model)
    t0 = time.perf_counter()
    adapter = TimedAdapter(create_adapter(model))  # assembles the GGUF if needed, starts the server
    start_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as out:
        t1 = time.perf_counter()
        result = run_eval(
            task,
            model,
            RunSettings(limit=args.docs, fresh=True, progress=False),
            Path(out),
            adapter=adapter,
        )
        wall = time.perf_counter() - t1
    m = result.metrics
    n = result.n_new
    tok_s = m["tokens_out"] / adapter.llm_s if adapter.llm_s else 0.0
    print(f"model {model.name} | task {task.name} | {n} documents | input {model.input}")
    print(f"server start (incl. GGUF check): {start_s:7.1f} s")
    print(f"run wall time                  : {wall:7.1f} s  -> {60 * n / wall:6.2f} docs/min")
    share = 100 * adapter.llm_s / wall
    print(f"inside the LLM call            : {adapter.llm_s:7.1f} s  ({share:5.1f} % of wall)")
    print(
        f"everything else                : {wall - adapter.llm_s:7.1f} s  "
        f"({100 * (wall - adapter.llm_s) / wall:5.1f} %)"
    )
    print(
        f"tokens in/out                  : {m['tokens_in']} / {m['tokens_out']}  "
        f"(≈ {tok_s:.1f} output tok/s incl. prompt processing)"
    )
    print(
        f"F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
        f"parse errors {m['parse_errors']}  errors {m['n_errors']} {m['error_kinds'] or ''}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
