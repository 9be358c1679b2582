"""Scorer throughput as a user gets it: ``medvie-bench score --gold --pred`` as a process (start-up,
reading the files, parsing every output, field matching and tree edit distance) against the
packaged KIE metric a user would pick, ``anls_star``, run as a process on the same files, side by
side in one run. The documents are realistic lab reports from ``gen_lab_docs.py`` (11 header
fields, 8-15 indicator rows of 5 fields, dropped, reordered, wrong, hallucinated entries and
OCR-like character errors). Wall and CPU time of each process are printed (CPU time is what a
loaded machine distorts least), then the inner functions for reference.

    python bench/bench_scorer.py [--n 10000] [--anls-n N] [--inner-n 2000] [--task med-lab-en]

``--anls-n`` times ``anls_star`` on the first N documents only (it is slow) and compares rates.
``--task`` is passed to ``medvie-bench score`` (``med-lab-en`` declares these documents' fields,
``Indicators`` as a list); without it the scorer infers the fields from the gold file.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_lab_docs import pairs, write

ANLS_SCRIPT = """
import json, sys
from anls_star import anls_score
gold = {}
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        row = json.loads(line)
        gold[row["id"]] = row["gt"]
scores = []
with open(sys.argv[2], encoding="utf-8") as fh:
    for i, line in enumerate(fh):
        if i >= int(sys.argv[3]):
            break
        row = json.loads(line)
        try:
            pred = json.loads(row["output"])
        except ValueError:
            pred = {}
        scores.append(anls_score(gold[row["id"]], pred))
print(json.dumps({"n": len(scores), "anls": sum(scores) / len(scores)}))
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def medvie_bench() -> list[str]:
    exe = shutil.which("medvie-bench")
    return [exe] if exe else [sys.executable, "-c", "import sys; from benchmark.cli import main; sys.exit(main())"]


def inner(n: int) -> None:
    """In-process figures: the matcher and TED per document, on already-parsed JSON."""
    from benchmark.scoring import score_document
    from benchmark.scoring.ted import BACKEND, ted_accuracy

    docs = pairs(n, seed=1)
    for name, fn in (("score_document", score_document), (f"ted_accuracy ({BACKEND})", ted_accuracy)):
        c0 = time.process_time()
        for gold, pred in docs:
            fn(gold, pred)
        cpu = time.process_time() - c0
        print(f"  inner {name:<24}: {n / cpu:9,.0f} docs/s CPU ({1000 * cpu / n:.3f} ms/doc)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--anls-n", type=int, default=None, help="documents for anls_star (default: all)")
    ap.add_argument("--inner-n", type=int, default=2000)
    ap.add_argument("--task", default=None, help="task whose field types `medvie-bench score` applies")
    args = ap.parse_args()
    anls_n = min(args.anls_n or args.n, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        gold, pred = write(Path(tmp), args.n)
        task = ["--task", args.task] if args.task else []
        ours_wall, ours_cpu, out = timed([*medvie_bench(), "score", "--gold", str(gold), "--pred", str(pred), *task,
                                          "--json"])
        metrics = json.loads(out)
        assert metrics["n_docs"] == args.n and metrics["ted_accuracy"] is not None, "score did not compute TED"
        try:
            import anls_star  # noqa: F401
        except ImportError:
            print("anls_star not installed: pip install anls_star")
            return
        theirs_wall, theirs_cpu, out = timed([sys.executable, "-c", ANLS_SCRIPT, str(gold), str(pred), str(anls_n)])
        anls = json.loads(out)
    print(f"{args.n:,} lab documents; medvie-bench score {' '.join(task)} (F1 {metrics['f1']:.4f}, TED acc "
          f"{metrics['ted_accuracy']:.4f}) vs anls_star on {anls_n:,} (ANLS* {anls['anls']:.4f}); whole processes")
    rates = {}
    for name, n, wall, cpu in (("medvie-bench score", args.n, ours_wall, ours_cpu),
                               ("anls_star", anls_n, theirs_wall, theirs_cpu)):
        rates[name] = (n / wall, n / cpu)
        print(f"  {name:<19}: {wall:7.2f} s wall {n / wall:8,.0f} docs/s | {cpu:7.2f} s CPU {n / cpu:8,.0f} docs/s")
    (ow, oc), (tw, tc) = rates.values()
    print(f"  ratio              : {ow / tw:7.1f}x wall, {oc / tc:.1f}x CPU   (goal >= 50x)")
    inner(args.inner_n)


if __name__ == "__main__":
    main()
