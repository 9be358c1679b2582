"""Benchmark benchmark.stats against scipy.stats.bootstrap (a script that prints figures).

    python bench/bench_stats.py [--docs 10000] [--resamples 10000] [--repeats 3]

Times our paired bootstrap + approximate randomization together (goal: < 1 s for 10,000 documents
x 10,000 resamples) against scipy.stats.bootstrap(paired=True, vectorized=True,
method="percentile") computing the same paired delta-F1 bootstrap alone, and prints both CIs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--resamples", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scipy-batch", type=int, default=1000, help="scipy's batch (memory bound)")
    args = ap.parse_args()
    n, r = args.docs, args.resamples
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
