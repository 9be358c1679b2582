"""Why a document scored little, when the reason is not the model's reading: its table was not
found at all, or its gold does not fit the task's schema. Both are shown per run (board column,
``metrics.json``) so that a low F1 on real photos is never a silent zero.

- ``table_missed``: the gold has rows in a list field (a lab report's Indicators) and the answer
  has none — the extractor did not find the table. Not measured (NaN) for documents whose gold has
  no rows, or whose query did not ask for the list.
- ``gold_mismatch``: the document's gold has keys inside a table or object, or values of a shape,
  that the schema does not describe (``medvie-bench tasks validate --data`` names them); they can
  only be false negatives. (Top-level keys a task does not ask for are dropped on load, by design.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmark.metrics import MeanMetric, Statistic, register
from benchmark.metrics.base import flag
from benchmark.scoring.keys import top_level
from benchmark.scoring.normalize import normalize_key
from benchmark.tasks.gold_check import gold_problems

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.records import PredictionRecord
    from benchmark.tasks.spec import TaskSpec


def _by_key(value: Any) -> dict[str, Any]:
    return {normalize_key(str(k)): v for k, v in value.items()} if isinstance(value, dict) else {}


def table_missed(task: TaskSpec, doc: Document, rec: PredictionRecord) -> float | None:
    gold, answer = _by_key(doc.gt), _by_key(rec.parsed)
    queried = None if rec.queried_keys is None else {top_level(k) for k in rec.queried_keys}
    tables = [normalize_key(f.key) for f in task.fields if f.type == "list"]
    tables = [k for k in tables if isinstance(gold.get(k), list) and gold[k] and (queried is None or k in queried)]
    if not tables:
        return None
    return flag(all(not answer.get(k) for k in tables))


def gold_mismatch(task: TaskSpec, doc: Document, rec: PredictionRecord) -> float:
    return flag(bool(gold_problems(task.fields, doc.gt)))


TABLE_MISSED = Statistic("table_missed", measure=table_missed)
GOLD_MISMATCH = Statistic("gold_mismatch", measure=gold_mismatch)

register(MeanMetric("table_missed_rate", "Table missed", "lower", (TABLE_MISSED,), format="percent", position=47))
register(MeanMetric("gold_mismatch_rate", "Gold ≠ schema", "lower", (GOLD_MISMATCH,), format="percent",
                    position=48))
