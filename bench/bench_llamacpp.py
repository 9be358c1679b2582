"""Evaluation speed of a llama.cpp model spec: seconds per document through the harness adapter
(a managed llama.cpp server) on real prompts, for the spec as written and for variants with other
options, run side by side (each document goes to every variant in turn, so load drift hits all
alike). Prints s/doc, prompt and answer tokens, the projected time of a 200-document split, and
how many answers are identical to the spec's.

    python bench/bench_llamacpp.py [--spec benchmark/catalogue/qwen2.5-0.5b-local.yaml] [--docs 12]
        [--task med-lab-en-header] [--keys random:3]
        [--variant 'unpatched:server_module=llama_cpp.server'] [--variant 'noflags:server_args='] ...

A variant is ``NAME:OPTION=VALUE[;OPTION=VALUE...]`` over the spec's ``options``; ``server_args``
is split like a shell line. The first document is a warm-up, left out of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import time
from pathlib import Path
from typing import Any

from benchmark.models.registry import create_adapter, load_model_file
from benchmark.models.spec import ModelSpec
from benchmark.prompts import KeySampling, Prompt, build_prompt
from benchmark.tasks import TaskRegistry, load_documents

ROOT = Path(__file__).resolve().parents[1]


def variant_spec(spec: ModelSpec, overrides: str) -> ModelSpec:
    """``OPTION=VALUE;...`` applied to ``spec.options``."""
    options = dict(spec.options)
    for item in filter(None, overrides.split(";")):
        key, _, value = item.partition("=")
        options[key.strip()] = shlex.split(value) if key.strip() == "server_args" else value
    return spec.model_copy(update={"options": options})


async def measure(specs: dict[str, ModelSpec], prompts: list[Prompt]) -> dict[str, list[Any]]:
    adapters = {name: create_adapter(s) for name, s in specs.items()}
    out: dict[str, list[Any]] = {name: [] for name in specs}
    try:
        for prompt in prompts:
            for name, adapter in adapters.items():
                t0 = time.perf_counter()
                gen = await adapter.generate(prompt)
                out[name].append((time.perf_counter() - t0, gen.tokens_in, gen.tokens_out, gen.raw))
    finally:
        for adapter in adapters.values():
            await adapter.aclose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "benchmark/catalogue/qwen2.5-0.5b-local.yaml")
    parser.add_argument("--task", default="med-lab-en-header")
    parser.add_argument("--include-path", default=str(ROOT / "rlvr/tasks"))
    parser.add_argument("--split", default="test")
    parser.add_argument("--keys", default="random:3")
    parser.add_argument("--docs", type=int, default=12)
    parser.add_argument("--variant", action="append", default=[], metavar="NAME:OPTION=VALUE")
    args = parser.parse_args()

    spec = load_model_file(args.spec)
    specs = {"spec": spec}
    for v in args.variant:
        name, _, overrides = v.partition(":")
        specs[name] = variant_spec(spec, overrides)
    task = TaskRegistry([args.include_path]).get(args.task)
    docs = load_documents(task, args.split, args.docs + 1)
    prompts = [
        build_prompt(task, d, sampling=KeySampling.parse(args.keys), thinking=False, seed=0,
                     use_image=spec.uses_image, use_ocr=spec.uses_ocr)
        for d in docs
    ]
    results = asyncio.run(measure(specs, prompts))

    print(f"{spec.name} on {args.task}/{args.split}, keys {args.keys}: {args.docs} documents "
          f"(+1 warm-up), variants run side by side")
    first = next(iter(results.values()))
    for name, rows in results.items():
        timed = rows[1:]
        s = statistics.mean(r[0] for r in timed)
        tin = statistics.mean(r[1] or 0 for r in timed)
        tout = statistics.mean(r[2] or 0 for r in timed)
        same = sum(a[3] == b[3] for a, b in zip(first[1:], timed, strict=True))
        o = specs[name].options
        how = f"{o.get('server_module', 'default module')} {' '.join(o.get('server_args', []))}"
        print(f"{name:>10}: {s:5.2f} s/doc  (median {statistics.median(r[0] for r in timed):5.2f}), "
              f"{tin:.0f} prompt + {tout:.0f} answer tokens, 200 docs ≈ {200 * s / 60:4.1f} min, "
              f"same answers: {same}/{len(timed)}   ({how.strip()})")


if __name__ == "__main__":
    main()
