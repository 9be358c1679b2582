"""Leaderboard build time and page size at scale: MODELS × TASKS × DOCS synthetic runs.

Writes well-formed run directories (manifest, predictions.jsonl, metrics.json) with fake
records for registered tasks (YAML + JSONL, a few real JPEG pages each) in a temporary folder,
then times collect, statistics (build without the explorer), explorer data (thumbnails cold
and cached) and render separately, and prints the sizes of what is written.

    python bench/bench_leaderboard.py [--models 50] [--tasks 20] [--docs 500] [--resamples 1000]
                                      [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from benchmark.records import RunManifest
from benchmark.store import RunStore, write_json_atomic
from leaderboard.build import BuildOptions, build_data
from leaderboard.collect import collect
from leaderboard.config import load_display
from leaderboard.explorer import docs_per_run, explorer_data
from leaderboard.render import write_leaderboard
from leaderboard.select import select_runs

FIELDS = ["patient_name", "age", "sex", "report_date", "hospital", "department", "doctor",
          "diagnosis"]
N_IMAGES = 12  # distinct page images per task (documents share them)


def _page(path: Path, rng: random.Random) -> None:
    im = Image.new("RGB", (1240, 1754), (250, 250, 246))
    d = ImageDraw.Draw(im)
    for row in range(60):
        y = 80 + row * 27
        d.rectangle((90, y, 90 + rng.randint(200, 1000), y + 12), fill=(60, 60, 70))
    im.save(path, "JPEG", quality=85)


def write_task(root: Path, t: int, n_docs: int) -> str:
    name = f"bench-{t:02d}"
    rng = random.Random(t)
    folder = root / name
    (folder / "img").mkdir(parents=True)
    for i in range(N_IMAGES):
        _page(folder / "img" / f"p{i}.jpg", rng)
    with (folder / "test.jsonl").open("w") as fh:
        for i in range(n_docs):
            gt = {f: f"{f} value {t}-{i}" for f in FIELDS}
            fh.write(json.dumps({"id": f"d{i:04d}", "image": f"img/p{i % N_IMAGES}.jpg",
                                 "gt": gt}) + "\n")
    fields = "".join(f"  - {{key: {f}, description: the {f}}}\n" for f in FIELDS)
    tag = "medical" if t % 2 == 0 else "general"
    (folder / f"{name}.yaml").write_text(
        f"name: {name}\nversion: 1\ntags: [{tag}, en]\nlanguage: en\n"
        f"source: {{type: jsonl, splits: {{test: test.jsonl}}}}\nfields:\n{fields}")
    return name


def write_run(runs: Path, task: str, tag: str, model: str, thinking: bool, quality: float,
              n_docs: int, seed: int) -> None:
    rng = random.Random(seed)
    key = hashlib.sha256(f"{task}|{model}|{thinking}|{seed}".encode()).hexdigest()[:16]
    run_dir = runs / task / f"{model}__{key[:10]}"
    run_dir.mkdir(parents=True)
    lines = []
    for i in range(n_docs):
        parsed, fields, tp = {}, {}, 0
        for f in FIELDS:
            ok = rng.random() < quality
            if ok or rng.random() < 0.5:
                parsed[f] = f"{f} value {i}" + ("" if ok else "?")
            fields[f] = [1, 0, 0] if ok else ([0, 1, 1] if f in parsed else [0, 0, 1])
            tp += ok
        fp = sum(v[1] for v in fields.values())
        raw = ("<think>" + "reasoning " * 30 + "</think>" if thinking else "") + json.dumps(parsed)
        lines.append(json.dumps({
            "id": f"d{i:04d}", "cache_key": key, "prompt_hash": "0" * 16, "raw": raw,
            "parsed": parsed, "latency_s": rng.uniform(0.5, 3), "tokens_in": 1200,
            "tokens_out": len(raw) // 3, "cost_usd": 1e-4,
            "counts": {"tp": tp, "fp": fp, "fn": len(FIELDS) - tp, "fields": fields,
                       "errors": {}, "parse_error": None},
            "ted": rng.uniform(0.5, 1)}))
    (run_dir / "predictions.jsonl").write_text("\n".join(lines) + "\n")
    manifest = RunManifest(
        run_id=run_dir.name, cache_key=key,
        task={"name": task, "version": 1, "hash": "h", "tags": [tag, "en"], "language": "en",
              "split": "test", "data_hash": "d", "n_docs": n_docs},
        model={"name": model}, settings={"keys": "all", "thinking": thinking, "seed": 0},
        environment={}, command=["bench"], started_at="2026-01-01T00:00:00+00:00",
        finished_at=f"2026-01-01T00:{seed % 60:02d}:00+00:00", status="finished",
        medvie_bench_version="bench")
    RunStore(run_dir).write_manifest(manifest)
    write_json_atomic(run_dir / "metrics.json", {"n_docs": n_docs})


class Clock:
    """Wall and CPU seconds since the last lap (CPU time is robust to a busy machine)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> str:
        wall, cpu = time.perf_counter(), time.process_time()
        out = f"{wall - self.wall:8.1f} {cpu - self.cpu:7.1f}"
        self.wall, self.cpu = wall, cpu
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=50)
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--explorer-docs", type=int, default=12)
    ap.add_argument("--explorer-budget", type=int, default=3000)
    ap.add_argument("--keep", type=Path, default=None, help="copy the built site to this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="medvie-lb-bench-") as tmp:
        root = Path(tmp)
        include, runs = root / "tasks", root / "runs"
        t0 = time.perf_counter()
        tasks = [write_task(include, t, args.docs) for t in range(args.tasks)]
        n_think = args.models // 5  # every fifth entry is a thinking variant of a model
        for t, task in enumerate(tasks):
            for m in range(args.models):
                thinking = m >= args.models - n_think
                base = m - (args.models - n_think) if thinking else m
                quality = 0.45 + 0.5 * base / args.models + (0.03 if thinking else 0)
                write_run(runs, task, "medical" if t % 2 == 0 else "general", f"model-{base:02d}",
                          thinking, quality, args.docs, seed=t * 1000 + m)
        print(f"synthesised {args.models} models x {args.tasks} tasks x {args.docs} docs "
              f"in {time.perf_counter() - t0:.1f} s")
        opt = BuildOptions(resamples=args.resamples, explorer_docs=args.explorer_docs,
                           explorer_budget=args.explorer_budget,
                           include_paths=(include,), cache_dir=root / "thumbs")
        display = load_display()
        clock = Clock()
        col = collect(runs, keep_records=args.explorer_docs, include_paths=[include])
        t_collect = clock.lap()
        data = build_data(col, display, opt, with_explorer=False)
        t_stats = clock.lap()
        main_runs = select_runs(col.runs)[0]
        times = []
        for _ in range(2):  # cold thumbnail cache, then cached
            data["explorer"] = explorer_data(col, main_runs, opt)
            times.append(clock.lap())
        data["meta"]["explorer_docs"] = docs_per_run(opt, len(main_runs))
        paths = write_leaderboard(data, root / "site")
        t_render = clock.lap()
        size = {k: p.stat().st_size / 2**20 for k, p in paths.items()}
        thumbs = sum(len(x) for x in data["explorer"]["thumbs"]) / 2**20
        if args.keep:
            shutil.copytree(root / "site", args.keep, dirs_exist_ok=True)
        print("            wall s   CPU s")
        print(f"collect   {t_collect}  {len(col.runs)} runs, {len(col.docs)} records")
        print(f"stats     {t_stats}  {len(data['scopes'])} columns, {args.resamples} resamples, "
              "with per-field and ablation tables")
        print(f"explorer  {times[0]}  cold thumbnail cache; "
              f"{data['meta']['explorer_docs']} documents per model and task")
        print(f"explorer  {times[1]}  thumbnails cached")
        print(f"render    {t_render}  index.html + leaderboard.json + leaderboard.csv")
        print(f"index.html {size['html']:6.1f} MiB (thumbnails {thumbs:.1f} MiB); "
              f"leaderboard.json {size['json']:.1f} MiB; leaderboard.csv {size['csv']:.2f} MiB")


if __name__ == "__main__":
    main()
