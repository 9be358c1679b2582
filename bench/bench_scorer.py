"""Scorer throughput: documents/s of medvie-bench's scorer against ``anls_star`` (the packaged
KIE metric a user would pick) on the same generated medical documents. Single process.

    python bench/bench_scorer.py [--n 10000] [--anls-n 500]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scorer_corpus import corpus

from benchmark.scoring import aggregate, score_document


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--anls-n", type=int, default=500, help="documents for anls_star (it is slow)")
    args = ap.parse_args()
    pairs = corpus(args.n)

    start = time.perf_counter()
    counts = [score_document(g, p) for g, p in pairs]
    metrics = aggregate(counts)
    ours = args.n / (time.perf_counter() - start)
    print(f"medvie-bench scorer: {ours:,.0f} docs/s on {args.n:,} documents (micro-F1 {metrics['f1']:.4f})")

    try:
        from anls_star import anls_score
    except ImportError:
        print("anls_star not installed: pip install anls_star")
        return
    sub = pairs[: args.anls_n]
    start = time.perf_counter()
    for g, p in sub:
        anls_score(g, p)
    theirs = len(sub) / (time.perf_counter() - start)
    print(f"anls_star:           {theirs:,.0f} docs/s on {len(sub):,} documents")
    print(f"ratio:               {ours / theirs:.1f}x")


if __name__ == "__main__":
    main()
