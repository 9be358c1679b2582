"""The OpenAI-compatible adapter against a real, fault-injecting HTTP server."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fault_server import FaultServer

from benchmark.models.adapters.images import fit_size, to_api_messages
from benchmark.models.adapters.openai_compat import (
    AIMDLimiter,
    OpenAIAdapter,
    parse_retry_after,
)
from benchmark.models.spec import ModelSpec
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks.sources import jsonl_task
from benchmark.tasks.spec import TaskSpec

SROIE_IMG = Path(__file__).parents[1] / "tasks/general/sroie-sample/img/002.jpg"


class _Prompt:
    """The part of ``Prompt`` the adapter reads."""

    def __init__(self, text: str, image: str | None = None, thinking: bool = False,
                 max_tokens: int | None = None) -> None:
        self.thinking = thinking
        self.max_tokens = max_tokens
        content: list[dict[str, Any]] = [{"type": "image", "image": image}] if image else []
        self.messages = [{"role": "user", "content": [*content, {"type": "text", "text": text}]}]


def _spec(url: str, **kw: Any) -> ModelSpec:
    options = {"max_retries": 2, "backoff_base_s": 0.01, "max_retry_after_s": 2.0}
    options.update(kw.pop("options", {}))
    data = {
        "name": "fake",
        "adapter": "openai",
        "input": "ocr",
        "base_url": url,
        "concurrency": 8,
        "generation": {"timeout_s": 0.5, "json_mode": True, "max_tokens": 64},
        "options": options,
        **kw,
    }
    return ModelSpec.model_validate(data)


async def _one(spec: ModelSpec, text: str, image: str | None = None) -> Any:
    adapter = OpenAIAdapter(spec)
    try:
        return await adapter.generate(_Prompt(text, image))
    finally:
        await adapter.aclose()


EXPECTED = {
    "ok": (None, 200),
    "429": ("rate_limited", 429),
    "500": ("http_error", 500),
    "503": ("http_error", 503),
    "reset": ("connection_error", None),
    "hang": ("timeout", None),
    "truncated": ("connection_error", None),
    "huge": ("http_error", 200),
    "garbage": ("http_error", 200),
    "error200": ("http_error", 200),
    "auth": ("http_error", 401),
    "500_once": (None, 200),
}


@pytest.mark.parametrize("fault", list(EXPECTED))
def test_each_fault_maps_to_an_error_kind(fault: str) -> None:
    with FaultServer(hang_s=2) as srv:
        gen = asyncio.run(
            _one(_spec(srv.url, options={"max_retries": 1}), f'FAULT={fault}\nANSWER={{"a": 1}}')
        )
    kind, status = EXPECTED[fault]
    assert gen.error_kind == kind, gen.error
    assert gen.status_code == status
    if kind is None:
        assert json.loads(gen.raw) == {"a": 1}
        assert (gen.tokens_in, gen.tokens_out, gen.finish_reason) == (10, 5, "stop")
    else:
        assert gen.raw is None and gen.error


def test_length_finish_reason_is_kept() -> None:
    with FaultServer() as srv:
        gen = asyncio.run(_one(_spec(srv.url), "FAULT=length"))
    assert gen.error_kind is None and gen.finish_reason == "length" and gen.raw.startswith("{")


def test_request_shape_json_mode_and_image_data_url() -> None:
    with FaultServer() as srv:
        spec = _spec(
            srv.url,
            input="image",
            image={"max_pixels": 100 * 100},
            model_id="m-1",
            options={"extra_body": {"repeat_penalty": 1.0}},
        )
        gen = asyncio.run(_one(spec, "hello", image=str(SROIE_IMG)))
        body, _headers = srv.requests[-1]
    assert gen.error_kind is None
    assert body["response_format"] == {"type": "json_object"}
    assert body["model"] == "m-1" and body["max_tokens"] == 64 and body["repeat_penalty"] == 1.0
    image_part, text_part = body["messages"][0]["content"]
    assert text_part == {"type": "text", "text": "hello"}
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as img:
        assert img.width * img.height <= 100 * 100


def test_per_prompt_json_mode_and_token_budget() -> None:
    """JSON mode (a grammar on llama.cpp) would make ``<think>…</think><answer>`` impossible."""
    async def bodies(url: str, prompts: list[_Prompt]) -> list[dict[str, Any]]:
        adapter = OpenAIAdapter(_spec(url))
        try:
            out = []
            for p in prompts:
                gen = await adapter.generate(p)
                assert gen.error_kind is None, gen.error
                out.append(srv.requests[-1][0])
            return out
        finally:
            await adapter.aclose()

    with FaultServer() as srv:
        thinking_body, direct_body, short_body, long_body = asyncio.run(bodies(srv.url, [
            _Prompt("think first", thinking=True), _Prompt("answer"), _Prompt("short", max_tokens=20),
            _Prompt("long", max_tokens=10_000)]))
    assert "response_format" not in thinking_body
    assert direct_body["response_format"] == {"type": "json_object"}
    # a prompt's own budget tightens the spec's max_tokens for that request only, never raises it
    assert (direct_body["max_tokens"], short_body["max_tokens"], long_body["max_tokens"]) == (64, 20, 64)


def test_text_only_messages_become_a_string() -> None:
    msgs = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": [{"type": "text", "text": "t"}]},
    ]
    assert to_api_messages(msgs) == [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "t"},
    ]
    assert fit_size(1000, 3000, 1_000_000) == (577, 1732)
    assert fit_size(10, 10, 1000) == (10, 10)


def test_retry_after_is_honoured_and_capped() -> None:
    with FaultServer(retry_after="1") as srv:
        t0 = time.perf_counter()
        gen = asyncio.run(_one(_spec(srv.url), "FAULT=429_once"))
        waited = time.perf_counter() - t0
    assert gen.error_kind is None and 1.0 <= waited < 3.0
    with FaultServer(retry_after="3600") as srv:
        spec = _spec(srv.url, options={"max_retry_after_s": 0.2, "max_retries": 1})
        t0 = time.perf_counter()
        gen = asyncio.run(_one(spec, "FAULT=429"))
        waited = time.perf_counter() - t0
        assert srv.served["429"] == 2
    assert gen.error_kind == "rate_limited" and 0.2 <= waited < 2.0


def test_retry_delay_and_header_parsing() -> None:
    adapter = OpenAIAdapter(
        _spec(
            "http://127.0.0.1:9/v1",
            options={"backoff_base_s": 1.0, "backoff_max_s": 5, "max_retry_after_s": 60},
        )
    )
    for attempt, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (5, 5.0)]:
        delays = [adapter.retry_delay(attempt, None) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(set(delays)) > 1
    assert 3.0 <= adapter.retry_delay(0, 3.0) <= 3.1
    assert adapter.retry_delay(0, 1e6) <= 60.1
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None and parse_retry_after({}) is None


def test_aimd_limiter_halves_once_per_window_and_grows() -> None:
    async def go() -> None:
        lim = AIMDLimiter(8)
        taken = [await lim.acquire() for _ in range(8)]
        waiter = asyncio.ensure_future(lim.acquire())
        await asyncio.sleep(0)
        assert not waiter.done()  # bounded: 8 in flight
        for t in taken[:4]:  # a burst of 429s from one window halves once
            lim.overload(t)
        assert lim.capacity == 4
        for _ in range(8):
            lim.release()
        await waiter
        lim.overload(await lim.acquire())  # a request started after the cut: halve again
        assert lim.capacity == 2
        for _ in range(40):
            lim.success()
        assert lim.capacity == 8

    asyncio.run(go())


def test_missing_key_for_remote_host_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDVIE_ABSENT_KEY", raising=False)
    spec = _spec("https://api.example.invalid/v1", api_key_env="MEDVIE_ABSENT_KEY")
    gen = asyncio.run(_one(spec, "x"))
    assert gen.error_kind == "adapter_error" and "MEDVIE_ABSENT_KEY" in gen.error


def _task(tmp_path: Path, n: int, fault_for: Any) -> TaskSpec:
    docs = []
    for i in range(n):
        gt = {"name": f"doc{i}"}
        ocr = f"document {i}\nFAULT={fault_for(i)}\nANSWER={json.dumps(gt)}"
        docs.append({"id": f"d{i:03d}", "gt": gt, "ocr": ocr})
    return jsonl_task(tmp_path, "fault-task", docs, [{"key": "name"}])


# i % 20 -> fault; the rest answer normally.
PLAN = {
    0: "429",
    1: "500",
    2: "reset",
    3: "hang",
    4: "truncated",
    5: "huge",
    6: "garbage",
    7: "length",
    8: "429_once",
    9: "500_once",
    10: "reset_once",
    11: "hang_once",
    12: "truncated_once",
}
PLAN_KINDS = {
    "rate_limited": 10,
    "http_error": 30,
    "connection_error": 20,
    "timeout": 10,
    "truncated": 10,
}


def test_200_document_run_records_every_failure(tmp_path: Path) -> None:
    task = _task(tmp_path, 200, lambda i: PLAN.get(i % 20, "ok"))
    with FaultServer(hang_s=3) as srv:
        spec = _spec(
            srv.url,
            concurrency=16,
            options={"min_concurrency": 4, "max_retries": 1},
            generation={"timeout_s": 1.0, "json_mode": True},
        )
        t0 = time.perf_counter()
        result = run_eval(task, spec, RunSettings(progress=False), tmp_path / "runs")
        elapsed = time.perf_counter() - t0
    assert elapsed < 60
    records = [
        json.loads(line) for line in (result.run_dir / "predictions.jsonl").read_text().splitlines()
    ]
    assert len(records) == 200 and len({r["id"] for r in records}) == 200
    for r in records:
        if r["error_kind"] is None:
            assert r["parsed"] == {"name": f"doc{int(r['id'][1:])}"} and r["counts"]["tp"] == 1
        else:
            assert r["raw"] is None or r["error_kind"] == "truncated"
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["error_kinds"] == PLAN_KINDS
    assert metrics["n_errors"] == sum(PLAN_KINDS.values()) and metrics["tp"] == 120


def test_api_key_never_reaches_the_run_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-medvie-test-SECRET-0123456789"
    monkeypatch.setenv("MEDVIE_TEST_KEY", secret)
    task = _task(tmp_path, 6, lambda i: "auth" if i % 2 else "ok")
    with FaultServer() as srv:
        spec = _spec(srv.url, api_key_env="MEDVIE_TEST_KEY")
        result = run_eval(task, spec, RunSettings(progress=False), tmp_path / "runs")
        assert srv.requests[-1][1]["authorization"] == f"Bearer {secret}"  # the key was used
    assert result.metrics["error_kinds"] == {"http_error": 3}
    for path in result.run_dir.iterdir():
        assert secret not in path.read_text(), path.name
    assert "***" in (result.run_dir / "predictions.jsonl").read_text()
