"""The truncation-rate metric, added in two files (``benchmark/metrics/truncation.py`` and this
test): a real run with truncated answers gets the column in ``metrics.json``, on the board, in
its CSV and on the page, with no other file changed."""

from __future__ import annotations

import json
from pathlib import Path

from benchmark.models.base import Generation
from benchmark.models.spec import ModelSpec
from benchmark.prompts import Prompt
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks import TaskRegistry
from leaderboard.cli import build_board


class Cut:
    """Every third answer stops mid-JSON at the token limit; document ids ending in 5 fail."""

    async def generate(self, prompt: Prompt) -> Generation:
        doc = prompt.document
        if doc.id.endswith("5"):
            return Generation(raw=None, error_kind="timeout", error="timed out")
        answer = json.dumps(doc.gt)
        if sum(map(ord, doc.id)) % 3 == 0:
            return Generation(raw=answer[: len(answer) // 2], finish_reason="length", latency_s=1.0)
        return Generation(raw=answer, finish_reason="stop", latency_s=1.0)

    async def aclose(self) -> None:
        return None


def test_truncated_rate_reaches_metrics_json_and_the_board(tmp_path: Path) -> None:
    task = TaskRegistry().get("sroie-sample")
    spec = ModelSpec(name="cut", adapter="test", input="ocr")
    result = run_eval(task, spec, RunSettings(progress=False), tmp_path / "runs", adapter=Cut())
    records = [json.loads(line) for line in (result.run_dir / "predictions.jsonl").read_text().splitlines()]
    truncated = sum(r["error_kind"] == "truncated" for r in records)
    assert 0 < truncated < len(records) and any(r["error_kind"] == "timeout" for r in records)

    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["truncated_rate"] == truncated / len(records)

    data, paths = build_board(tmp_path / "runs", tmp_path / "board", [], resamples=50, explorer_docs=2)
    column = next(m for m in data["metrics"] if m["key"] == "truncated_rate")
    assert column == {"key": "truncated_rate", "label": "Truncated", "direction": "lower", "format": "percent"}
    cell = data["scopes"][0]["cells"]["cut"]
    assert cell["truncated_rate"] == round(metrics["truncated_rate"], 4)
    assert cell["api_error_rate"] == round(metrics["api_error_rate"], 4)  # truncated is not an API error
    assert "truncated_rate" in paths["csv"].read_text().splitlines()[0].split(",")
    assert '"truncated_rate"' in paths["html"].read_text()
