"""Benchmark of the layout extractors on synthetic photo lab reports (EN, ZH) and real receipts.

    python bench/bench_layout.py --limit 40 [--split test] [--extractors ocr-layout-rules,qwen2.5-0.5b-layout]

For each task and extractor: micro F1 with its bootstrap 95 % CI (``benchmark.stats``), precision,
recall, seconds per document (OCR compute and extraction apart; OCR time is the engine's own even
when the OCR cache serves the page), per document kind (synth template: single/two-column table),
the error taxonomy and the per-field table. Each (task, extractor) is an ordinary resumable run
under ``--runs`` (default ``runs/``), so ``medvie-bench leaderboard`` shows the same numbers.
Results go to ``--out`` as JSON as well.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmark.models.registry import ModelRegistry
from benchmark.records import PredictionRecord
from benchmark.runner import RunSettings, run_eval
from benchmark.scoring import DocCounts
from benchmark.stats import bootstrap_ci
from benchmark.store import RunStore
from benchmark.tasks import load_documents
from benchmark.tasks.registry import TaskRegistry
from benchmark.tasks.spec import TaskSpec

DEFAULT_TASKS = ("med-lab-en", "med-lab-zh", "sroie-sample")


def _evaluate(task: TaskSpec, model_name: str, split: str, limit: int, out: Path, fresh: bool) -> dict[str, Any]:
    """One real run (``runs/<task>/<model>__<key>``, resumable, collected by the leaderboard)."""
    spec = ModelRegistry().get(model_name)
    result = run_eval(task, spec, RunSettings(split=split, limit=limit, fresh=fresh), out,
                      command=[sys.executable, *sys.argv])
    docs = load_documents(task, split, limit)
    store = RunStore(result.run_dir)
    by_id = {r.id: r for r in store.iter_latest(store.read_manifest().cache_key)}
    records = [by_id[d.id] for d in docs if d.id in by_id]
    kinds = [str(d.meta.get("template", task.name)) for d in docs if d.id in by_id]
    return summarise(task, result.metrics, records, kinds, model_name, result.run_dir)


def _ci(counts: list[DocCounts]) -> dict[str, float]:
    arr = [[c.tp, c.fp, c.fn] for c in counts]
    ci = bootstrap_ci(arr, n_resamples=2000)
    return {"f1": round(ci.estimate, 4), "low": round(ci.low, 4), "high": round(ci.high, 4)}


def summarise(task: TaskSpec, metrics: dict[str, Any], records: list[PredictionRecord], kinds: list[str],
              model_name: str, run_dir: Path) -> dict[str, Any]:
    counts = [DocCounts.from_dict(r.counts) for r in records]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(kinds)):
        sub = [c for c, k in zip(counts, kinds, strict=True) if k == kind]
        by_kind[kind] = {"n": len(sub), **_ci(sub)}
    ocr_s = [r.input_s for r in records]
    extract_s = [r.latency_s for r in records]
    n = max(1, len(records))
    return {
        "task": task.name,
        "extractor": model_name,
        "run_dir": str(run_dir),
        "n": len(records),
        **_ci(counts),
        "precision": round(metrics["precision"], 4),
        "recall": round(metrics["recall"], 4),
        "ocr_s_per_doc": round(sum(ocr_s) / n, 3),
        "extract_s_per_doc": round(sum(extract_s) / n, 3),
        "s_per_doc": round((sum(ocr_s) + sum(extract_s)) / n, 3),
        "parse_errors": sum(1 for r in records if r.parse_error),
        "errors": metrics.get("errors", {}),
        "fields": metrics.get("per_field", {}),
        "by_kind": by_kind,
    }


def print_result(res: dict[str, Any], fields: bool = True) -> None:
    print(f"{res['task']:<14} {res['extractor']:<24} n={res['n']:<3} F1 {res['f1']:.3f} "
          f"[{res['low']:.3f}, {res['high']:.3f}]  P {res['precision']:.3f}  R {res['recall']:.3f}  "
          f"s/doc {res['s_per_doc']:.2f} (OCR {res['ocr_s_per_doc']:.2f} + extract {res['extract_s_per_doc']:.3f})")
    for kind, k in res["by_kind"].items():
        print(f"    {kind:<22} n={k['n']:<3} F1 {k['f1']:.3f} [{k['low']:.3f}, {k['high']:.3f}]")
    if res["errors"]:
        print("    errors:", json.dumps(res["errors"], ensure_ascii=False))
    if fields:
        for path, f in sorted(res["fields"].items()):
            print(f"    {path:<40} F1 {f.get('f1', 0):.3f} tp {f.get('tp', 0):>4} fp {f.get('fp', 0):>4} "
                  f"fn {f.get('fn', 0):>4}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default=",".join(DEFAULT_TASKS))
    ap.add_argument("--extractors", default="ocr-layout-rules")
    ap.add_argument("--split", default=None, help="split (default: each task's default split)")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--runs", type=Path, default=Path("runs"), help="where the runs go (as medvie-bench run --out)")
    ap.add_argument("--out", type=Path, default=None, help="write all results as JSON here")
    ap.add_argument("--fresh", action="store_true",
                    help="redo runs that already exist (their timings were measured under other conditions)")
    ap.add_argument("--no-fields", action="store_true")
    args = ap.parse_args(argv)
    reg = TaskRegistry()
    results = []
    for name in args.tasks.split(","):
        task = reg.get(name)
        for model in args.extractors.split(","):
            res = _evaluate(task, model, args.split or task.default_split, args.limit, args.runs,
                            args.fresh)
            print_result(res, fields=not args.no_fields)
            sys.stdout.flush()
            results.append(res)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
