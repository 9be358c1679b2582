"""Benchmark of the layout extractors on synthetic photo lab reports (EN, ZH) and real receipts.

    python bench/bench_layout.py --limit 40 [--split test] [--extractors ocr-layout-rules,qwen2.5-0.5b-layout]

For each task and extractor: micro F1 with its bootstrap 95 % CI (``benchmark.stats``), precision,
recall, seconds per document (OCR and extraction apart), per document kind (synth template:
single/two-column table), the error taxonomy and the per-field table. Only the first ``--limit``
documents of a synthetic split are generated (cached beside the split's own cache). Results go to
``--out`` as JSON as well.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmark.documents import Document
from benchmark.evaluation import make_record, run_metrics
from benchmark.models.registry import ModelRegistry, create_adapter
from benchmark.prompts import build_prompt
from benchmark.scoring import DocCounts
from benchmark.stats import bootstrap_ci
from benchmark.tasks import load_documents
from benchmark.tasks.registry import TaskRegistry
from benchmark.tasks.spec import SynthSource, TaskSpec

DEFAULT_TASKS = ("med-lab-en", "med-lab-zh", "sroie-sample")


def first_documents(task: TaskSpec, split: str, limit: int) -> list[Document]:
    """The first ``limit`` documents of a split, without generating the rest of a synth split."""
    src = task.source
    if not isinstance(src, SynthSource):
        return load_documents(task, split)[:limit]
    from benchmark.synth.cache import doc_id, make_document, split_folder
    from benchmark.tasks.sources import cache_root

    folder = split_folder(src, split, cache_root() / "synth")
    folder.mkdir(parents=True, exist_ok=True)
    index_file = folder / "bench_layout.jsonl"
    cached: dict[str, Document] = {}
    if index_file.is_file():
        for line in index_file.read_text(encoding="utf-8").splitlines():
            doc = Document.model_validate_json(line)
            if doc.image and Path(doc.image).is_file():
                cached[doc.id] = doc
    docs = []
    for i in range(min(limit, int(src.splits[split]))):
        ident = doc_id(src.kind, src.language, split, i)
        doc = cached.get(ident)
        if doc is None:
            doc = make_document(src, split, i, folder)
            with index_file.open("a", encoding="utf-8") as fh:
                fh.write(doc.model_dump_json() + "\n")
        docs.append(doc)
    return docs


def with_ocr(doc: Document, engine: str) -> tuple[Document, float]:
    if engine == "gold":
        return doc, 0.0
    from benchmark.ocr import apply_ocr

    start = time.perf_counter()
    out = apply_ocr(doc, engine)
    return out, time.perf_counter() - start


async def _evaluate(task: TaskSpec, docs: list[Document], model_name: str) -> dict[str, Any]:
    spec = ModelRegistry().get(model_name)
    adapter = create_adapter(spec)
    records, ocr_s, kinds = [], [], []
    try:
        for doc in docs:
            doc_in, t_ocr = with_ocr(doc, spec.ocr_engine if spec.uses_ocr else "gold")
            ocr_s.append(t_ocr)
            prompt = build_prompt(task, doc_in, use_image=spec.uses_image, use_ocr=spec.uses_ocr)
            gen = await adapter.generate(prompt)
            records.append(make_record(task, doc, gen, cache_key="bench", prompt_hash=prompt.hash(),
                                       queried_keys=prompt.queried_keys))
            kinds.append(str(doc.meta.get("template", task.name)))
            print(f"  {model_name} {doc.id}: {gen.latency_s:.1f}s {gen.error_kind or ''}", file=sys.stderr, flush=True)
    finally:
        await adapter.aclose()
    return summarise(task, docs, records, ocr_s, kinds, model_name)


def _ci(counts: list[DocCounts]) -> dict[str, float]:
    arr = [[c.tp, c.fp, c.fn] for c in counts]
    ci = bootstrap_ci(arr, n_resamples=2000)
    return {"f1": round(ci.estimate, 4), "low": round(ci.low, 4), "high": round(ci.high, 4)}


def summarise(task: TaskSpec, docs: list[Document], records: list[Any], ocr_s: list[float], kinds: list[str],
              model_name: str) -> dict[str, Any]:
    metrics = run_metrics(task, docs, records)
    counts = [DocCounts.from_dict(r.counts) for r in records]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(kinds)):
        sub = [c for c, k in zip(counts, kinds, strict=True) if k == kind]
        by_kind[kind] = {"n": len(sub), **_ci(sub)}
    extract_s = [r.latency_s for r in records]
    n = max(1, len(records))
    return {
        "task": task.name,
        "extractor": model_name,
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
    ap.add_argument("--out", type=Path, default=None, help="write all results as JSON here")
    ap.add_argument("--no-fields", action="store_true")
    args = ap.parse_args(argv)
    reg = TaskRegistry()
    results = []
    for name in args.tasks.split(","):
        task = reg.get(name)
        docs = first_documents(task, args.split or task.default_split, args.limit)
        for model in args.extractors.split(","):
            res = asyncio.run(_evaluate(task, docs, model))
            print_result(res, fields=not args.no_fields)
            sys.stdout.flush()
            results.append(res)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
