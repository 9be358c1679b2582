"""Ctrl-C → exit, measured on what a user runs: ``medvie-bench run`` with a managed llama.cpp
server that is busy (``tests/stubborn_server.py``: the request in flight hangs, SIGTERM is ignored,
as a llama.cpp server mid-generation does). Prints the seconds from SIGINT to the process's exit
and whether the server was gone by then, per round.

    python bench/bench_interrupt.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import write_task  # noqa: E402


def _server_alive(mark_dir: Path) -> bool:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = cmdline.read_bytes()
        except OSError:
            continue
        if b"stubborn_server" in cmd and str(mark_dir).encode() in cmd:
            state = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                return True
    return False


def one_round(work: Path) -> tuple[float, bool]:
    docs = [{"id": f"d{i}", "gt": {"a": str(i)}, "ocr": f"A {i}"} for i in range(3)]
    write_task(work / "tasks", "hang", docs)
    (work / "m.gguf").write_bytes(b"GGUF")
    spec = work / "stub.yaml"
    spec.write_text(json.dumps({
        "name": "stub-local", "adapter": "llamacpp", "input": "ocr", "checkpoint": str(work / "m.gguf"),
        "concurrency": 1, "generation": {"timeout_s": 300},
        "options": {"server_module": str(ROOT / "tests" / "stubborn_server.py"),
                    "server_args": ["--tag", str(work)]},
    }))
    mark = work / "request.mark"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MEDVIE_TEST_HANG": "1", "MEDVIE_TEST_MARK": str(mark)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmark.cli", "run", "--model", str(spec), "--task", "hang", "--include-path",
         str(work / "tasks"), "--out", str(work / "out"), "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not mark.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the run ended or stalled before its first request")
        time.sleep(0.02)
    time.sleep(0.2)  # the request is in flight
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    took = time.monotonic() - start
    return took, not _server_alive(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times = []
    for i in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="medvie-interrupt-") as tmp:
            took, gone = one_round(Path(tmp))
        times.append(took)
        print(f"round {i + 1}: Ctrl-C → exit {took:.2f} s, server {'gone' if gone else 'STILL RUNNING'}")
    print(f"Ctrl-C → exit over {len(times)} rounds: median {statistics.median(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
