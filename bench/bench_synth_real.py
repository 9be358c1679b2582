"""Speed and class mix of the real synth variant, measured the way a user gets the documents.

    python bench/bench_synth_real.py [--n 20] [--task med-lab-zh-real] [--task med-lab-en-real]

For each task: generates the first N documents of its test split into a fresh cache (what
``medvie-bench run`` or ``data preview`` does on first use: render, capture, JPEG, manifest),
prints the wall time, documents per second and the machine's load average, then how often each
condition level occurred (the realised proportions of the failure classes).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmark.conditions import level, level_order
from benchmark.tasks import TaskRegistry, load_documents


def measure(task: str, n: int) -> None:
    spec = TaskRegistry().get(task)
    with tempfile.TemporaryDirectory(prefix="medvie-bench-real-") as cache:
        os.environ["MEDVIE_CACHE"] = cache
        load = os.getloadavg()[0]
        start = time.perf_counter()
        docs = load_documents(spec, "test", limit=n)
        seconds = time.perf_counter() - start
    print(f"{task}: {len(docs)} documents in {seconds:.1f} s ({len(docs) / seconds:.2f} docs/s, "
          f"{seconds / len(docs):.2f} s/doc; load average {load:.1f} at the start)")
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for d in docs:
        for name, value in d.conditions.items():
            counts[name][level(value)] += 1
    for name, c in counts.items():
        shares = ", ".join(f"{lv} {c[lv]}" for lv in level_order(c))
        print(f"  {name:<20} {shares}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--task", action="append", default=None)
    args = p.parse_args()
    for task in args.task or ["med-lab-zh-real", "med-lab-en-real"]:
        measure(task, args.n)


if __name__ == "__main__":
    main()
