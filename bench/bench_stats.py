"""Benchmark benchmark.stats against scipy.stats.bootstrap (a script that prints figures).

    python bench/bench_stats.py [--docs 10000] [--resamples 10000] [--repeats 3] [--no-cli]

First what a user runs: ``medvie-bench compare RUN_A RUN_B`` as a process on two real run folders
of ``--docs`` lab documents each (written beforehand by ``run_eval`` with two seeded noisy
answerers; untimed): F1 CIs, paired bootstrap, approximate randomization, Holm. Then the inner
functions: our paired bootstrap + approximate randomization together (goal: < 1 s for 10,000
documents x 10,000 resamples) against scipy.stats.bootstrap(paired=True, vectorized=True,
method="percentile") computing the same paired delta-F1 bootstrap alone, and both CIs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from scipy import stats as sps

from benchmark import stats as S

T = TypeVar("T")


def simulate(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    gold = rng.poisson(8, n)
    difficulty = rng.uniform(0.3, 1.0, n)

    def model(skill: float) -> np.ndarray:
        tp = rng.binomial(gold, np.clip(difficulty + skill, 0, 1))
        fp = rng.poisson(1.5 * (1 - difficulty), n)
        return np.stack([tp, fp, gold - tp], axis=1)

    return model(0.0), model(0.01)


def best_of(repeats: int, fn: Callable[[], T]) -> tuple[float, T]:
    times, outs = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        outs.append(fn())
        times.append(time.perf_counter() - t0)
    return min(times), outs[-1]


def delta_f1(*cols: np.ndarray, axis: int = -1) -> np.ndarray:
    t = np.stack([c.sum(axis=axis) for c in cols], axis=-1)
    return S.micro(t[..., 3:]) - S.micro(t[..., :3])


class NoisyAnswers:
    """An adapter answering with the gold JSON, each value dropped or corrupted with probability p."""

    def __init__(self, name: str, p: float) -> None:
        self.name, self.p = name, p

    def _noisy(self, value: Any, rng: random.Random) -> Any:
        if isinstance(value, dict):
            return {k: v for k, v in ((k, self._noisy(v, rng)) for k, v in value.items()) if v is not None}
        if isinstance(value, list):
            return [self._noisy(v, rng) for v in value]
        roll = rng.random()
        return None if roll < self.p / 2 else f"{value}X" if roll < self.p else value

    async def generate(self, prompt: Any) -> Any:
        from benchmark.models.base import Generation

        rng = random.Random(hashlib.sha256(f"{self.name}|{prompt.document.id}".encode()).hexdigest())
        return Generation(raw=json.dumps(self._noisy(prompt.document.gt, rng), ensure_ascii=False), latency_s=0.0)

    async def aclose(self) -> None:
        return None


def compare_cli(n: int, resamples: int) -> None:
    """Time ``medvie-bench compare`` as a process on two real run folders of ``n`` documents."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gen_lab_docs import pairs

    from benchmark.models.spec import ModelSpec
    from benchmark.runner import RunSettings, run_eval
    from benchmark.tasks.sources import jsonl_task

    with tempfile.TemporaryDirectory() as tmp:
        docs = [{"id": f"d{i:05d}", "gt": gold} for i, (gold, _) in enumerate(pairs(n, seed=2))]
        fields = [{"key": k} for k in docs[0]["gt"] if k != "Indicators"]
        fields.append({"key": "Indicators", "type": "list", "fields": [
            {"key": k} for k in ("Item Name", "Result", "Unit", "Reference Range", "Abnormal Mark")]})
        task = jsonl_task(Path(tmp) / "task", "bench-stats", docs, fields)
        run_dirs = []
        for name, p in (("noisy-a", 0.3), ("noisy-b", 0.28)):
            spec = ModelSpec(name=name, adapter="test", input="ocr", concurrency=8)
            adapter = NoisyAnswers(name, p)
            result = run_eval(task, spec, RunSettings(progress=False), Path(tmp) / "runs", adapter=adapter)
            run_dirs.append(str(result.run_dir))
        exe = shutil.which("medvie-bench")
        cli = [exe] if exe else [sys.executable, "-c", "import sys; from benchmark.cli import main; sys.exit(main())"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([*cli, "compare", *run_dirs, "--resamples", str(resamples)], check=True,
                             capture_output=True, text=True).stdout
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"medvie-bench compare, 2 runs x {n} lab documents x {resamples} resamples (a process, reading both run "
          f"folders): {wall:.2f} s wall, {cpu:.2f} s CPU")
    print("\n".join("  " + line for line in out.strip().splitlines()[:6]))
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--resamples", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scipy-batch", type=int, default=1000, help="scipy's batch (memory bound)")
    ap.add_argument("--no-cli", action="store_true", help="skip the `medvie-bench compare` process")
    args = ap.parse_args()
    n, r = args.docs, args.resamples
    if not args.no_cli:
        compare_cli(n, r)
    a, b = simulate(np.random.default_rng(0), n)
    print(f"{n} documents x {r} resamples; best of {args.repeats}")

    t_pb, pb = best_of(args.repeats, lambda: S.paired_bootstrap(a, b, n_resamples=r))
    t_ar, ar = best_of(args.repeats, lambda: S.approximate_randomization(a, b, n_resamples=r))

    def both() -> None:
        S.paired_bootstrap(a, b, n_resamples=r)
        S.approximate_randomization(a, b, n_resamples=r)

    t_both, _ = best_of(args.repeats, both)
    t_ci, ci = best_of(args.repeats, lambda: S.bootstrap_ci(a, n_resamples=r))

    def scipy_paired() -> Any:
        return sps.bootstrap(
            (*a.T, *b.T),
            delta_f1,
            paired=True,
            vectorized=True,
            method="percentile",
            n_resamples=r,
            batch=args.scipy_batch,
            rng=np.random.default_rng(1),
        )

    t_sp, sp = best_of(1, scipy_paired)

    print(f"ours  paired bootstrap           {t_pb:7.3f} s")
    print(f"ours  approximate randomization  {t_ar:7.3f} s")
    print(f"ours  paired bootstrap + AR      {t_both:7.3f} s   (goal < 1 s)")
    print(f"ours  single-model bootstrap_ci  {t_ci:7.3f} s")
    print(f"scipy paired bootstrap (batch={args.scipy_batch}) {t_sp:7.3f} s")
    print(f"speed-up, scipy bootstrap / ours (bootstrap + AR): {t_sp / t_both:5.1f}x")
    print(f"speed-up, scipy bootstrap / ours (bootstrap alone): {t_sp / t_pb:5.1f}x")
    lo, hi = sp.confidence_interval
    print()
    print(f"delta F1 = F1(b) - F1(a) = {pb.delta:+.5f}")
    print(f"{'':8}{'low':>10}{'high':>10}{'SE':>10}")
    print(f"{'ours':8}{pb.low:+10.5f}{pb.high:+10.5f}{pb.se:10.5f}")
    print(f"{'scipy':8}{lo:+10.5f}{hi:+10.5f}{sp.standard_error:10.5f}")
    print(f"paired-bootstrap p = {pb.p_value:.5f}   approximate-randomization p = {ar.p_value:.5f}")
    print(f"F1(a) = {ci.estimate:.5f}  95% CI [{ci.low:.5f}, {ci.high:.5f}]")


if __name__ == "__main__":
    main()
