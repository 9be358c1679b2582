"""How long each command of "Evaluate on your own documents" takes on a folder of N real receipts
(SROIE, /work/shared/data/sroie-dev by default), each run as the user runs it: a `medvie-bench`
process, wall time. The labelling in Label Studio is replaced by an export written from the
dataset's own gold (key/NNN.json), in Label Studio's JSON export format.

    python bench/bench_own_documents.py [--images N] [--data DIR] [--prelabel-model ocr-rules]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark.owndata.schema_map import LabelMap
from benchmark.tasks import load_task_file


def timed(label: str, args: list[str], cwd: Path, rows: list[tuple[str, float]]) -> str:
    exe = shutil.which("medvie-bench")
    cmd = [exe] if exe else [sys.executable, "-m", "benchmark.cli"]
    start = time.perf_counter()
    env = {**os.environ, "MEDVIE_CACHE": str(cwd / "cache")}  # a cold cache: OCR is computed, not reused
    done = subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{label} failed ({done.returncode}):\n{done.stderr}")
    rows.append((f"medvie-bench {' '.join(args)}", seconds))
    return done.stdout


def annotated_export(tasks: list[dict], spec_path: Path, keys: Path) -> list[dict]:
    """What Label Studio would export had an annotator typed the dataset's gold into each task."""
    lm = LabelMap(load_task_file(spec_path).fields)
    out = []
    for n, task in enumerate(tasks, 1):
        doc = task["data"]["doc_id"]
        gold = json.loads((keys / f"{doc}.json").read_text(encoding="utf-8"))
        result, _, _ = lm.to_results(gold, doc)
        out.append({"id": n, "data": task["data"], "predictions": [], "annotations": [{
            "id": n, "result": result, "was_cancelled": False, "ground_truth": False, "task": n, "completed_by": 1,
            "created_at": "2024-05-06T09:00:00Z", "updated_at": "2024-05-06T09:00:00Z", "lead_time": 40.0}]})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/sroie-dev"))
    ap.add_argument("--prelabel-model", default="ocr-rules", help="model for the pre-labels (OCR + rules)")
    args = ap.parse_args()
    images = sorted((args.data / "img").glob("*.jpg"))[: args.images]
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "photos").mkdir()
        for img in images:
            shutil.copy(img, work / "photos")
        timed("init", ["data", "init", "photos", "--schema", "sroie-sample", "--name", "receipts"], work, rows)
        task = "photos/receipts.yaml"
        model = args.prelabel_model
        timed("pre-label", ["run", "--model", model, "--task", task, "--out", "runs", "--quiet"], work, rows)
        [run] = (work / "runs" / "receipts").iterdir()
        timed("export ls", ["data", "export", "--format", "labelstudio", "--run", str(run.relative_to(work)),
                            "--out", "ls"], work, rows)
        tasks = json.loads((work / "ls" / "tasks.json").read_text(encoding="utf-8"))
        export = work / "ls-export.json"
        export.write_text(json.dumps(annotated_export(tasks, work / task, args.data / "key")), encoding="utf-8")
        timed("import", ["data", "import", export.name, "--task", task], work, rows)
        for m in ("rules", model):
            timed("evaluate", ["run", "--model", m, "--task", task, "--out", "runs", "--quiet"], work, rows)
        timed("board", ["leaderboard", "--runs", "runs", "--out", "board", "--include-path", "photos"], work, rows)
        timed("hf", ["data", "export", "--format", "hf", task, "--out", "hf/receipts"], work, rows)
    print(f"{len(images)} images from {args.data}; wall seconds per command (one process each):")
    for cmd, seconds in rows:
        print(f"{seconds:7.2f} s  {cmd}")
    print(f"{sum(s for _, s in rows):7.2f} s  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
