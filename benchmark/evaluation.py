"""Scoring one document's model output into a record, and a run's records into metrics.

Both evaluation runs and ``medvie-bench score`` go through these functions, so a saved run and a
re-scored run agree by construction.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from benchmark.documents import Document
from benchmark.metrics.errors import is_api_error
from benchmark.metrics.table import doc_table, measure, scores
from benchmark.models.base import Generation
from benchmark.records import PredictionRecord
from benchmark.scoring import DocCounts, aggregate, parse_output, restrict, scalar_paths, score_document
from benchmark.scoring.ted import ted_accuracy
from benchmark.tasks.spec import TaskSpec

# Failures of the call, not answers of the model: a resumed run tries these documents again (up to
# its --max-attempts). Parse errors and "truncated" are the model's answers; "input_error" is the
# document's own (its image or OCR), so neither is retried.
RETRYABLE_ERROR_KINDS = frozenset(
    {"timeout", "connection_error", "rate_limited", "http_error", "adapter_error", "worker_error"}
)


def is_retryable(rec: PredictionRecord) -> bool:
    return rec.error_kind in RETRYABLE_ERROR_KINDS


def is_failed(rec: PredictionRecord) -> bool:
    """The document got no answer from the model: an API error (:mod:`benchmark.metrics.errors`)."""
    return is_api_error(rec)


def score_output(
    task: TaskSpec, gt: Mapping[str, Any], raw: str | None, queried_keys: list[str] | None
) -> tuple[DocCounts, dict[str, Any] | None, str | None, int, float | None]:
    """Parse and score raw text: counts, parsed JSON, parse error, thinking length, TED."""
    parsed = parse_output(raw)
    counts = score_document(
        gt,
        parsed.value,
        list_matching=task.scoring.list_matching,
        value_rules=task.value_rules(),
        keys=queried_keys,
        parse_error=parsed.error if raw is not None else None,
        scalar_paths=scalar_paths(task.fields),  # a list for a scalar field is one wrong value
    )
    ted = None
    if task.scoring.ted:
        ted = ted_accuracy(restrict(gt, queried_keys), restrict(parsed.value, queried_keys) if parsed.value else None)
    return counts, parsed.value, parsed.error, parsed.think_chars, ted


def make_record(
    task: TaskSpec,
    doc: Document,
    gen: Generation,
    *,
    cache_key: str,
    prompt_hash: str,
    queried_keys: list[str] | None,
    cost_usd: float = 0.0,
    input_s: float = 0.0,
    work_s: float | None = None,
    attempt: int = 1,
) -> PredictionRecord:
    """``work_s``: the document's seconds before scoring (input and model call); given, the record's
    ``total_s`` adds the scoring time to it."""
    scoring_start = time.perf_counter()
    counts, parsed, parse_error, think_chars, ted = score_output(task, doc.gt, gen.raw, queried_keys)
    error_kind = gen.error_kind
    if error_kind is None and gen.finish_reason == "length" and parse_error is not None:
        error_kind = "truncated"
    record = PredictionRecord(
        id=doc.id,
        cache_key=cache_key,
        prompt_hash=prompt_hash,
        queried_keys=queried_keys,
        raw=gen.raw,
        parsed=parsed,
        parse_error=parse_error if gen.raw is not None else None,
        error_kind=error_kind,
        error=gen.error,
        finish_reason=gen.finish_reason,
        think_chars=think_chars,
        latency_s=gen.latency_s,
        input_s=input_s,
        tokens_in=gen.tokens_in,
        tokens_out=gen.tokens_out,
        cost_usd=cost_usd,
        counts=counts.to_dict(),
        ted=ted,
        conditions=doc.conditions or None,
        attempt=attempt,
        total_s=None if work_s is None else work_s + time.perf_counter() - scoring_start,
    )
    record.stats = measure(task, doc, record)
    return record


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def _missing(task: TaskSpec, doc: Document) -> PredictionRecord:
    """The record a document without one counts as: no answer, every gold pair a false negative."""
    counts = score_document(doc.gt, None, list_matching=task.scoring.list_matching)
    return PredictionRecord(id=doc.id, cache_key="", prompt_hash="", error_kind="missing",
                            counts=counts.to_dict(), ted=0.0 if task.scoring.ted else None)


def run_metrics(task: TaskSpec, docs: Iterable[Document], records: Iterable[PredictionRecord]) -> dict[str, Any]:
    """Every registered metric (:mod:`benchmark.metrics`, the board's own function) plus the
    per-field table, error taxonomy and token totals. A document without a record counts as all
    false negatives and as an API error."""
    docs = list(docs)
    by_id = {r.id: r for r in records}
    used = [by_id[d.id] for d in docs if d.id in by_id]
    scored = [by_id.get(d.id) or _missing(task, d) for d in docs]
    table = doc_table(scored)
    ok = [r for r in used if not is_api_error(r)]
    latencies = [r.latency_s for r in ok]
    out = aggregate(DocCounts.from_dict(r.counts) for r in scored)
    out.update(scores(table))
    out.update(
        {
            "n_missing": len(docs) - len(used),
            # every document's gold is empty (an unlabelled task, `data init`): the scores mean nothing
            "no_gold": bool(docs) and not any(d.gt for d in docs),
            "n_errors": sum(1 for r in used if r.error_kind),
            "error_kinds": dict(Counter(r.error_kind for r in used if r.error_kind)),
            "ted_accuracy": out.get("ted"),
            "latency_mean_s": sum(latencies) / len(latencies) if latencies else None,
            "latency_p95_s": _quantile(latencies, 0.95),
            "tokens_in": sum(r.tokens_in or 0 for r in used),
            "tokens_out": sum(r.tokens_out or 0 for r in used),
            "mean_tokens_out": (sum(r.tokens_out or 0 for r in used) / len(used)) if used else None,
            "mean_think_chars": (sum(r.think_chars for r in used) / len(used)) if used else None,
            "cost_usd": sum(r.cost_usd for r in used),
        }
    )
    return out
