"""The parts of the prepared GPU check, each run by ``bench/gpu_check.py`` in a process of its own.

A part takes the check's settings, its work folder and a deadline (epoch seconds), returns its
figures (numbers and short strings, JSON-ready) and raises when what it checks does not hold.
The device is CUDA in ``gpu`` mode and the CPU in ``cpu`` mode (the orchestrator hides the GPU
there with ``CUDA_VISIBLE_DEVICES=``).
"""

from __future__ import annotations

import asyncio
import importlib.metadata as md
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gpu_check_schema import CheckSettings

REPO = Path(__file__).resolve().parents[1]
TEST_FILES = ("tests/test_rlvr.py", "tests/test_hf_adapter.py")
# This test asserts ``adapter.device == "cpu"``: with a GPU visible it runs with the GPU hidden.
CPU_PINNED_TESTS = ("tests/test_hf_adapter.py::test_tiny_vlm_through_run_eval",)
PACKAGES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "pydantic", "medvie-bench")
GIB = 2**30


def _device(s: CheckSettings) -> tuple[str, str]:
    """(device, dtype) for the adapter parts."""
    return ("cuda", "bfloat16") if s.mode == "gpu" else ("cpu", "float32")


def _peak_memory() -> dict[str, float]:
    import torch

    if not torch.cuda.is_available():
        return {}
    return {
        "peak_gpu_mem_allocated_gib": round(torch.cuda.max_memory_allocated() / GIB, 3),
        "peak_gpu_mem_reserved_gib": round(torch.cuda.max_memory_reserved() / GIB, 3),
    }


def tiny_checkpoint(work: Path) -> Path:
    """The tiny random Qwen2.5-VL folder (built once per work folder, a few seconds)."""
    from tests.tiny_qwen_vl import build_tiny_qwen_vl

    folder = work / "tiny-qwen2.5-vl"
    if not (folder / "model.safetensors").is_file():
        build_tiny_qwen_vl(folder)
    return folder


def model_to_evaluate(work: Path) -> tuple[Path, str]:
    """The GRPO-trained checkpoint when the train part wrote one, else the untrained tiny model."""
    final = work / "train" / "final"
    if (final / "config.json").is_file():
        return final, "GRPO-trained tiny Qwen2.5-VL (train part)"
    return tiny_checkpoint(work), "untrained tiny Qwen2.5-VL (the train part left no final/)"


# ---------------------------------------------------------------- env


def part_env(s: CheckSettings, work: Path, deadline: float) -> dict[str, Any]:
    import torch

    figures: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cuda_available": torch.cuda.is_available(),
        "torch_cuda": torch.version.cuda,
    }
    for pkg in PACKAGES:
        try:
            figures[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            figures[pkg] = None
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        figures.update(
            gpu=props.name,
            gpu_memory_gib=round(props.total_memory / GIB, 1),
            compute_capability=f"{props.major}.{props.minor}",
            bf16_supported=torch.cuda.is_bf16_supported(),
        )
        a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
        a @ a  # warm-up: cuBLAS handle and kernel choice
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(10):
            a @ a
        torch.cuda.synchronize()
        figures["bf16_matmul_tflops"] = round(10 * 2 * 4096**3 / (time.perf_counter() - t0) / 1e12, 1)
    problems = []
    if s.mode == "gpu" and not torch.cuda.is_available():
        problems.append("gpu mode, but torch sees no CUDA device")
    missing = [p for p in PACKAGES if figures[p] is None]
    if missing:
        problems.append(f"not installed: {', '.join(missing)}")
    try:
        figures["documents"] = documents_state(s)
    except Exception as exc:  # e.g. not carried, and no fonts here to generate them
        figures["documents"] = "missing"
        problems.append(f"documents: {type(exc).__name__}: {exc}")
    if problems:
        raise PartFailed("; ".join(problems), figures)
    return figures


def documents_state(s: CheckSettings) -> str:
    """Loads the documents the parts use: 'carried' when the cache (MEDVIE_CACHE) already held
    them, else they were generated here (the carried cache did not match this code)."""
    from rlvr.dataset import load_task_docs

    cache = Path(os.environ.get("MEDVIE_CACHE", "."))
    before = set(cache.rglob("*.*")) if cache.is_dir() else set()
    for split, n in (("train", s.train_docs), ("test", s.eval_docs)):
        load_task_docs(s.task, split, n)
    new = set(cache.rglob("*.*")) - before
    if not new:
        return "carried"
    return f"generated here ({len(new)} new files; before a device call run: bash scripts/gpu_check.sh prepare)"


# ---------------------------------------------------------------- train


def train_overrides(s: CheckSettings, tiny: Path, out: Path) -> dict[str, Any]:
    """What changes from the GPU config: the model (tiny instead of 7B), what cannot travel to the
    device (vLLM, flash-attn), the length of the run, and in cpu mode the sizes."""
    overrides: dict[str, Any] = {
        "model.base": str(tiny),
        "model.attn_implementation": "sdpa",  # flash-attn is not on the device
        "model.max_pixels": s.max_pixels,
        "data.tasks": [s.task],
        "data.limit": s.train_docs,  # each step takes 1 prompt (× num_generations): the documents cycle
        "data.repeats": math.ceil(s.steps / s.train_docs),
        "trainer.use_vllm": False,  # vLLM's wheel is far over the 64 MiB the device call carries
        "trainer.max_steps": s.steps,
        "trainer.num_generations": s.num_generations,
        "trainer.gradient_accumulation_steps": s.num_generations,
        "trainer.max_completion_length": s.max_completion_length,
        "trainer.log_completions": False,  # a table of random text per step: noise in the log
        "output_dir": str(out),
        "resume": False,
    }
    if s.mode == "cpu":
        overrides["trainer.use_cpu"] = True
    return overrides


class StopBeforeDeadline(threading.Thread):
    """Touches ``OUTPUT_DIR/STOP`` (rlvr's clean-stop signal: save, then stop after this step) when
    the next step would not end ``reserve_s`` before the deadline, so a slow run still ends with
    its ``final/`` and its figures instead of being killed."""

    def __init__(self, deadline: float, log: Path, stop: Path, reserve_s: float) -> None:
        super().__init__(daemon=True)
        self.deadline, self.log, self.stop_file, self.reserve_s = deadline, log, stop, reserve_s
        self.fired = False
        self.done = threading.Event()

    def next_step_s(self) -> float:
        from rlvr.train import read_log

        try:
            times = [r["time"] for r in read_log(self.log)]
        except (OSError, ValueError, KeyError):
            return 0.0
        return max((b - a for a, b in zip([0.0, *times], times, strict=False)), default=0.0)

    def due(self, now: float) -> bool:
        return now + 1.5 * self.next_step_s() + self.reserve_s >= self.deadline

    def run(self) -> None:
        while not self.done.wait(0.5):
            if self.due(time.time()):
                self.stop_file.parent.mkdir(parents=True, exist_ok=True)
                self.stop_file.touch()
                self.fired = True
                return


def step_figures(log: list[dict[str, Any]], num_generations: int) -> dict[str, Any]:
    """s/step and completion tokens/s from ``train_log.jsonl``: TRL's ``step_time`` when logged,
    else the differences of ``time`` (seconds since the trainer was built). The first step carries
    the warm-up and is reported apart."""
    times = [r["time"] for r in log]
    steps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    if log and all("step_time" in r.get("raw", {}) for r in log):  # TRL's own timing of each step
        steps = [r["raw"]["step_time"] for r in log]
    later = steps[1:] or steps
    lengths = [r.get("completion_length") or 0.0 for r in log]
    per_step_tokens = [n * num_generations for n in lengths]
    return {
        "steps_done": len(log),
        "s_first_step": round(steps[0], 2) if steps else None,
        "s_per_step": round(statistics.mean(later), 2) if later else None,
        "s_per_step_median": round(statistics.median(later), 2) if later else None,
        "mean_completion_tokens": round(statistics.mean(lengths), 1) if lengths else None,
        "completion_tokens_per_s_whole_step": round(sum(per_step_tokens[1:] or per_step_tokens)
                                                    / max(sum(later), 1e-9), 1) if later else None,
        "last": {k: log[-1].get(k) for k in ("reward", "format_rate", "precision", "recall", "kl", "loss")}
        if log else {},
        "grad_norms": [r.get("raw", {}).get("grad_norm") for r in log],
    }


def part_train(s: CheckSettings, work: Path, deadline: float) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForImageTextToText

    from benchmark.models.adapters.hf import load_vl_processor
    from rlvr.config import load_config
    from rlvr.train import LOG_NAME, STOP_FILE, read_log, train_grpo, training_rows

    tiny = tiny_checkpoint(work)
    out = work / "train"
    shutil.rmtree(out, ignore_errors=True)
    overrides = train_overrides(s, tiny, out)
    cfg = load_config(REPO / s.config, overrides)
    model = AutoModelForImageTextToText.from_pretrained(
        tiny, dtype=getattr(torch, cfg.model.dtype), attn_implementation=cfg.model.attn_implementation
    )
    processor = load_vl_processor(tiny, max_pixels=cfg.model.max_pixels)
    rows = training_rows(cfg)
    watchdog = StopBeforeDeadline(deadline, out / LOG_NAME, out / STOP_FILE, reserve_s=20.0)
    watchdog.start()
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    t0 = time.time()
    try:
        final = train_grpo(cfg, model=model, processing_class=processor, rows=rows)
    finally:
        watchdog.done.set()
    wall = time.time() - t0
    log = read_log(out / LOG_NAME)
    keep = ("num_generations", "gradient_accumulation_steps", "per_device_train_batch_size", "bf16", "beta",
            "epsilon", "epsilon_high", "loss_type", "scale_rewards", "temperature", "learning_rate",
            "max_completion_length", "gradient_checkpointing", "use_vllm", "use_cpu")
    figures: dict[str, Any] = {
        "steps_planned": s.steps,
        "stopped_before_deadline": watchdog.fired,
        "train_wall_s": round(wall, 1),
        **step_figures(log, s.num_generations),
        **_peak_memory(),
        "model_parameters": sum(p.numel() for p in model.parameters()),
        "model_dtype": str(next(model.parameters()).dtype),
        "trained_on": str(next(model.parameters()).device),
        "reward": cfg.reward.model_dump(),
        "grpo": {k: cfg.trainer[k] for k in keep if k in cfg.trainer},
        "overrides": {k: v for k, v in overrides.items() if k not in ("model.base", "output_dir")},
        "final": str(final),
    }
    problems = []
    if not log:
        problems.append("no step was logged")
    if any(not math.isfinite(r.get("loss", float("nan"))) for r in log):
        problems.append("a loss is not finite")
    if any(not {"reward", "format_rate", "precision", "recall"} <= set(r) for r in log):
        problems.append("a step lacks a reward column")
    if s.mode == "gpu" and figures["trained_on"] == "cpu":
        problems.append("the model stayed on the CPU")
    if problems:
        figures["problems"] = problems
        raise PartFailed("; ".join(problems), figures)
    return figures


# ---------------------------------------------------------------- eval (medvie-bench run)


def medvie_bench_command() -> list[str]:
    """The ``medvie-bench`` script of this interpreter (the same packages as the parts), else the module."""
    script = Path(sys.executable).parent / "medvie-bench"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "benchmark.cli"]


def write_model_spec(path: Path, s: CheckSettings, checkpoint: Path, max_tokens: int, batch: int) -> Path:
    import yaml

    device, dtype = _device(s)
    spec = {
        "name": "gpu-check-tiny-qwen2.5-vl",
        "description": "tiny random Qwen2.5-VL (the prepared GPU check)",
        "adapter": "hf",
        "input": "image",
        "checkpoint": str(checkpoint),
        "generation": {"max_tokens": max_tokens},
        "image": {"max_pixels": s.max_pixels},
        "concurrency": batch,
        "options": {"device": device, "dtype": dtype, "batch_size": batch},
    }
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def part_eval(s: CheckSettings, work: Path, deadline: float) -> dict[str, Any]:
    checkpoint, which = model_to_evaluate(work)
    spec = write_model_spec(work / "eval-model.yaml", s, checkpoint, s.eval_max_tokens, s.eval_docs)
    runs = work / "eval-runs"
    shutil.rmtree(runs, ignore_errors=True)
    base = medvie_bench_command()
    cmd = [*base, "run", "--model", str(spec), "--task", s.task, "--limit", str(s.eval_docs),
           "--keys", "random:3", "--thinking", "on", "--out", str(runs), "--quiet"]
    print("$", " ".join(cmd), flush=True)
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=max(5.0, deadline - time.time() - 5))
    wall = time.time() - t0
    print(proc.stdout, proc.stderr, sep="\n", flush=True)
    figures: dict[str, Any] = {"model": which, "command": " ".join(["medvie-bench", *cmd[len(base):]]),
                               "exit_code": proc.returncode, "wall_s": round(wall, 1), "device": _device(s)[0]}
    if proc.returncode != 0:
        raise PartFailed(f"medvie-bench run exited {proc.returncode}: {proc.stderr.strip()[-300:]}", figures)
    preds = sorted(runs.rglob("predictions.jsonl"))
    records = [json.loads(x) for p in preds for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    tokens = [r.get("tokens_out") or 0 for r in records]
    figures.update(
        documents=len(records),
        s_per_document=round(wall / max(len(records), 1), 2),
        error_kinds=dict(Counter(str(r.get("error_kind")) for r in records)),
        parse_errors=sum(1 for r in records if r.get("parse_error")),
        mean_tokens_out=round(statistics.mean(tokens), 1) if tokens else None,
        summary=proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "",
    )
    failed = [r for r in records if r.get("raw") is None]
    if len(records) != s.eval_docs or failed:
        raise PartFailed(f"{len(records)} of {s.eval_docs} documents recorded, {len(failed)} without an answer "
                         f"({figures['error_kinds']})", figures)
    return figures


# ---------------------------------------------------------------- generate speed (HF adapter)


def part_generate(s: CheckSettings, work: Path, deadline: float) -> dict[str, Any]:
    import torch

    from benchmark.models.adapters.hf import HFAdapter
    from benchmark.models.spec import ModelSpec
    from benchmark.prompts import KeySampling, build_prompt
    from rlvr.dataset import load_task_docs

    checkpoint, which = model_to_evaluate(work)
    device, dtype = _device(s)
    spec = ModelSpec(
        name="gpu-check-generate", adapter="hf", checkpoint=str(checkpoint),
        generation={"max_tokens": s.gen_tokens}, image={"max_pixels": s.max_pixels}, concurrency=s.gen_batch,
        options={"device": device, "dtype": dtype, "batch_size": s.gen_batch, "batch_wait_ms": 50},
    )
    adapter = HFAdapter(spec)
    task, docs = load_task_docs(s.task, "test", 1)
    prompt = build_prompt(task, docs[0], sampling=KeySampling.parse("random:3"), thinking=True)

    async def batch(n: int) -> list[Any]:
        return await asyncio.gather(*(adapter.generate(prompt) for _ in range(n)))

    figures: dict[str, Any] = {"model": which, "device": adapter.device, "dtype": dtype,
                               "max_new_tokens": s.gen_tokens, "prompt_tokens": None}
    asyncio.run(batch(1))  # warm-up (kernels, allocator)
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    for n in sorted({1, s.gen_batch}):
        gens = asyncio.run(batch(n))
        errors = [g.error for g in gens if g.raw is None]
        if errors:
            raise PartFailed(f"generate failed: {errors[0]}", figures)
        latency = max(g.latency_s for g in gens)
        tokens = sum(g.tokens_out or 0 for g in gens)
        figures["prompt_tokens"] = gens[0].tokens_in
        figures[f"batch{n}"] = {
            "batched_as": adapter.batcher.batch_sizes[-1],
            "tokens_out": tokens,
            "latency_s": round(latency, 3),
            "tokens_per_s": round(tokens / latency, 1),
            "ms_per_decode_step": round(1000 * latency / max(max(g.tokens_out or 1 for g in gens), 1), 2),
        }
    figures.update(_peak_memory())
    if device == "cuda" and adapter.device != "cuda":
        raise PartFailed(f"the adapter ran on {adapter.device}", figures)
    return figures


# ---------------------------------------------------------------- tests


def junit_counts(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"junit": "missing"}
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return {"junit": "no testsuite"}
    failed = [f"{c.get('classname')}::{c.get('name')}" for c in suite.iter("testcase")
              if c.find("failure") is not None or c.find("error") is not None]
    counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    return {**counts, "seconds": round(float(suite.get("time", 0)), 1), "failed": failed}


def part_tests(s: CheckSettings, work: Path, deadline: float) -> dict[str, Any]:
    """The RLVR and HF-adapter test files. In gpu mode the adapter fixture's ``device: auto``
    picks CUDA; the one test that asserts a CPU adapter runs again with the GPU hidden. The tiny
    GRPO/SFT tests in test_rlvr.py pin ``use_cpu`` and so train on the device's CPU."""
    runs: list[tuple[str, list[str], dict[str, str]]]
    if s.mode == "gpu":
        deselect = [a for t in CPU_PINNED_TESTS for a in ("--deselect", t)]
        runs = [("gpu_visible", [*TEST_FILES, *deselect], {}),
                ("gpu_hidden", list(CPU_PINNED_TESTS), {"CUDA_VISIBLE_DEVICES": ""})]
    else:
        runs = [("cpu", list(TEST_FILES), {})]
    figures: dict[str, Any] = {}
    bad = []
    for name, args, env in runs:
        xml = work / f"junit-{name}.xml"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}", *args]
        print("$", " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, cwd=REPO, env={**os.environ, **env}, timeout=max(5.0, deadline - time.time() - 3))
        figures[name] = {"exit_code": proc.returncode, **junit_counts(xml)}
        if proc.returncode != 0:
            bad.append(f"{name}: exit {proc.returncode}, failed {figures[name].get('failed')}")
    if bad:
        raise PartFailed("; ".join(bad), figures)
    return figures


class PartFailed(RuntimeError):
    """A failure that still carries the figures measured before it."""

    def __init__(self, message: str, figures: dict[str, Any]) -> None:
        super().__init__(message)
        self.figures = figures


PARTS: dict[str, Callable[[CheckSettings, Path, float], dict[str, Any]]] = {
    "env": part_env,
    "train": part_train,
    "eval": part_eval,
    "generate": part_generate,
    "tests": part_tests,
}
