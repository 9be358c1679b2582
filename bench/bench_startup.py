"""Start-up of the CLI as a user meets it: ``medvie-bench --help`` and ``medvie-bench score`` on one
lab document (start-up dominates), each run ``--runs`` times as a fresh process, hyperfine-style.
Prints min and median wall time and CPU time (user + system; what a loaded machine distorts
least), next to a bare ``python -c pass``. Goal: both commands under 0.5 s.

    python bench/bench_startup.py [--runs 10] [--importtime]

``--importtime`` also prints the slowest imports of each command (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_lab_docs import write

CLI = "import sys; from benchmark.cli import main; sys.exit(main())"


def medvie_bench() -> list[str]:
    exe = shutil.which("medvie-bench")
    return [exe] if exe else [sys.executable, "-c", CLI]


def run_once(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def slowest_imports(argv: list[str], top: int = 8) -> list[str]:
    """The top-level imports with the largest cumulative time, as ``-X importtime`` reports them."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", CLI, *argv], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL).stderr
    rows = []
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            rows.append((int(parts[1]), parts[2].strip()))
    return [f"{us / 1000:8.1f} ms  {name}" for us, name in sorted(rows, reverse=True)[:top]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--importtime", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        gold, pred = write(Path(tmp), 1)
        score = ["score", "--gold", str(gold), "--pred", str(pred)]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "medvie-bench --help": [*medvie_bench(), "--help"],
            "medvie-bench score (1 doc)": [*medvie_bench(), *score],
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        run_once(commands["medvie-bench --help"])  # warm the file cache
        for _ in range(args.runs):  # interleaved, so load drifts hit all alike
            for name, cmd in commands.items():
                results[name].append(run_once(cmd))
        print(f"{args.runs} runs each, interleaved; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        for name, rows in results.items():
            walls, cpus = [w for w, _ in rows], [c for _, c in rows]
            print(f"  {name:<28}: wall min {min(walls):5.2f} s, median {statistics.median(walls):5.2f} s | "
                  f"CPU min {min(cpus):5.2f} s, median {statistics.median(cpus):5.2f} s")
        if args.importtime:
            for name, argv in (("--help", ["--help"]), ("score", score)):
                print(f"slowest imports of medvie-bench {name}:")
                print("\n".join(slowest_imports(argv)))


if __name__ == "__main__":
    main()
