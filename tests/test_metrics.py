"""The metric registry (``benchmark/metrics/``): one aggregation path for ``metrics.json`` and the
board, one API-error definition, old records scoring as before, and a statistic measured while
scoring that records carry (``PredictionRecord.stats``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from benchmark import metrics as M
from benchmark import stats as S
from benchmark.documents import Document
from benchmark.evaluation import is_failed, make_record, run_metrics
from benchmark.metrics.table import cells, doc_table, scores
from benchmark.models.base import Generation
from benchmark.records import PredictionRecord
from benchmark.tasks import TaskRegistry

V1_RECORD = (  # a line of a run made before PredictionRecord.stats existed
    '{"schema_version":1,"id":"d1","cache_key":"k","prompt_hash":"p","queried_keys":null,"raw":"{}",'
    '"parsed":{},"parse_error":null,"error_kind":"truncated","error":null,"finish_reason":"length",'
    '"think_chars":0,"latency_s":2.0,"input_s":0.5,"total_s":null,"attempt":1,"tokens_in":10,'
    '"tokens_out":20,"cost_usd":0.002,"counts":{"tp":3,"fp":1,"fn":2},"ted":0.75,"conditions":null}'
)


def _rec(i: int, tp: int, fp: int, fn: int, error_kind: str | None = None, **kw) -> PredictionRecord:
    return PredictionRecord(id=f"d{i}", cache_key="k", prompt_hash="p", counts={"tp": tp, "fp": fp, "fn": fn},
                            error_kind=error_kind, **kw)


def test_registry_is_ordered_and_complete() -> None:
    names = [m.name for m in M.registered()]
    assert names[:4] == ["f1", "precision", "recall", "ted"] and len(set(names)) == len(names)
    assert {"n_docs", "parse_error_rate", "api_error_rate", "latency_p50_s", "seconds_per_doc",
            "cost_per_1k"} <= set(names)
    assert [m.name for m in M.registered() if m.ci] == ["f1", "precision", "recall", "ted"]
    assert {"tp", "fp", "fn", "ted", "api_error", "total_s"} <= set(M.statistics())
    with pytest.raises(ValueError, match="metric must be one of"):
        M.pooled("ted")
    with pytest.raises(ValueError, match="differs from the registered one"):
        M.register(M.MeanMetric("x", "X", "lower", (M.Statistic("tp", lambda r: 0.0),)))


def test_old_records_load_and_score_as_before() -> None:
    rec = PredictionRecord.model_validate_json(V1_RECORD)
    assert rec.stats is None
    got = scores(doc_table([rec]))
    p, r = 3 / 4, 3 / 5
    assert got["f1"] == pytest.approx(2 * p * r / (p + r)) and got["ted"] == 0.75
    assert got["api_error_rate"] == 0.0 and got["parse_error_rate"] == 0.0 and got["truncated_rate"] == 1.0
    assert got["latency_p50_s"] == 2.0 and got["seconds_per_doc"] == 2.5  # no total_s: OCR + model call
    assert got["cost_per_1k"] == pytest.approx(2.0) and got["n_docs"] == 1


def test_one_api_error_definition() -> None:
    recs = [_rec(1, 1, 0, 0, latency_s=1.0), _rec(2, 0, 0, 1, "truncated", latency_s=3.0),
            _rec(3, 0, 0, 2, "timeout", latency_s=9.0)]
    assert [is_failed(r) for r in recs] == [False, False, True]
    got = scores(doc_table(recs))
    assert got["api_error_rate"] == pytest.approx(1 / 3)
    assert got["latency_p50_s"] == 2.0  # the truncated answer counts, the timeout does not


def test_metrics_json_and_the_board_cell_are_one_function() -> None:
    task = TaskRegistry().get("sroie-sample")
    docs = [Document(id=f"d{i}", gt={"company": f"Shop {i}", "total": str(i)}) for i in range(6)]
    answers = ['{"company": "Shop 0", "total": "0"}', '{"company": "Shop 1"}', "not json",
               '{"company": "Shop 3", "total": "9"}', None]
    records = [make_record(task, d, Generation(raw=a, error_kind=None if a else "timeout", latency_s=0.1 * i),
                           cache_key="k", prompt_hash="p", queried_keys=None)
               for i, (d, a) in enumerate(zip(docs, answers, strict=False))]  # d5 has no record
    out = run_metrics(task, docs, records)
    missing = run_metrics(task, docs[5:], [])
    assert missing["n_missing"] == 1 and missing["api_error_rate"] == 1.0 and missing["recall"] == 0.0
    table = doc_table([*records, *(make_record(task, docs[5], Generation(raw=None, error_kind="missing"),
                                               cache_key="k", prompt_hash="p", queried_keys=None),)])
    cell = cells(table, 200, 0.05, 0)
    for m in M.registered():
        v = cell[m.name][0] if m.ci and cell[m.name] is not None else cell[m.name]
        assert (v is None and out[m.name] is None) or math.isclose(v, out[m.name]), m.name
    assert out["parse_errors"] == 1 and out["n_errors"] == 1


def test_a_statistic_measured_while_scoring_is_carried_by_records(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """A metric whose statistic needs the document (here: answer length over gold length)."""
    chars = M.Statistic("answer_to_gold_chars",
                        measure=lambda task, doc, rec: len(rec.raw or "") / max(1, len(json.dumps(doc.gt))))
    metric = M.MeanMetric("answer_length", "Answer / gold length", "lower", (chars,), position=99)
    monkeypatch.setitem(M._REGISTRY, metric.name, metric)
    task = TaskRegistry().get("sroie-sample")
    doc = Document(id="d1", gt={"company": "ABC"})
    rec = make_record(task, doc, Generation(raw='{"company": "ABC"}'), cache_key="k", prompt_hash="p",
                      queried_keys=None)
    assert rec.stats is not None and rec.stats["answer_to_gold_chars"] == 1.0
    again = PredictionRecord.model_validate_json(rec.model_dump_json())
    assert scores(doc_table([again]))["answer_length"] == 1.0
    assert run_metrics(task, [doc], [again])["answer_length"] == 1.0
    assert math.isnan(doc_table([PredictionRecord.model_validate_json(V1_RECORD)])["answer_to_gold_chars"][0])


def test_pooled_metric_statistics_drive_the_stats_package() -> None:
    """compare_all and compare_pairs take any pooled metric and return named pair records that agree."""
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 5, (40, 3)), rng.integers(0, 5, (40, 3))
    comp = S.compare_all({"a": a, "b": b}, "recall", n_resamples=300, randomization=False)
    (pair,) = S.compare_pairs([("a", a, "b", b)], "recall", n_resamples=300)
    assert pair.summary() == comp.pairs[0].summary()
    assert set(pair.summary()) == {"model_a", "model_b", "delta", "low", "high", "p_bootstrap", "p_bootstrap_holm"}
    assert pair.metric == "recall" and pair.n_docs == 40
    d = S.unpaired_difference(0.5, 0.03, 0.6, 0.04, 0.05)
    assert d.delta == pytest.approx(0.1) and d.high - d.delta == pytest.approx(1.959964 * 0.05, rel=1e-5)
