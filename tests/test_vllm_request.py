"""vLLM request building (pure) and the adapter's engine calls against a fake ``vllm`` module."""

from __future__ import annotations

import asyncio
import sys
import types
from pathlib import Path

import pytest

from benchmark.models.adapters.vllm_engine import (
    VLLMAdapter,
    build_engine_kwargs,
    build_vllm_request,
    generation_from_output,
)
from benchmark.models.registry import ModelError, ModelRegistry
from benchmark.models.spec import ModelSpec
from benchmark.prompts import KeySampling, build_prompt
from benchmark.tasks import TaskRegistry, load_documents


@pytest.fixture(scope="module")
def task():
    return TaskRegistry().get("sroie-sample")


@pytest.fixture(scope="module")
def doc(task):
    return load_documents(task)[0]


def _spec(**kw) -> ModelSpec:
    base = {"name": "v", "adapter": "vllm", "model_id": "Qwen/Qwen2.5-VL-7B-Instruct"}
    return ModelSpec(**{**base, **kw})


def test_request_messages_and_sampling(task, doc):
    spec = _spec(
        generation={
            "max_tokens": 300,
            "temperature": 0.7,
            "top_p": 0.9,
            "stop": ["<|im_end|>"],
            "seed": 3,
        }
    )
    req = build_vllm_request(build_prompt(task, doc), spec)
    user = req["messages"][-1]
    assert user["role"] == "user"
    image, text = user["content"]
    assert image["type"] == "image_url"
    assert image["image_url"]["url"] == Path(doc.image).as_uri()
    assert text["type"] == "text" and "company" in text["text"]
    assert req["sampling"] == {
        "max_tokens": 300,
        "temperature": 0.7,
        "top_p": 0.9,
        "stop": ["<|im_end|>"],
        "seed": 3,
    }
    assert req["guided_json"] is None


def test_guided_json_follows_json_mode_and_queried_keys(task, doc):
    spec = _spec(generation={"json_mode": True})
    prompt = build_prompt(task, doc, sampling=KeySampling("random", 2), seed=1)
    schema = build_vllm_request(prompt, spec)["guided_json"]
    assert schema["type"] == "object"
    assert sorted(schema["properties"]) == sorted(prompt.queried_keys)
    thinking = build_prompt(task, doc, thinking=True)
    assert build_vllm_request(thinking, spec)["guided_json"] is None  # would break <think>
    off = _spec(generation={"json_mode": True}, options={"guided_json": False})
    assert build_vllm_request(build_prompt(task, doc), off)["guided_json"] is None


def test_engine_kwargs(tmp_path):
    spec = _spec(
        image={"max_pixels": 1003520, "min_pixels": 3136},
        generation={"seed": 0},
        options={
            "tensor_parallel_size": 2,
            "max_model_len": 4096,
            "engine_kwargs": {"enable_prefix_caching": True},
        },
    )
    kw = build_engine_kwargs(spec)
    assert kw["model"] == "Qwen/Qwen2.5-VL-7B-Instruct"
    assert kw["tensor_parallel_size"] == 2 and kw["max_model_len"] == 4096
    assert kw["mm_processor_kwargs"] == {"max_pixels": 1003520, "min_pixels": 3136}
    assert kw["limit_mm_per_prompt"] == {"image": 1} and kw["seed"] == 0
    assert kw["enable_prefix_caching"] is True
    assert build_engine_kwargs(_spec(checkpoint=str(tmp_path)))["model"] == str(tmp_path)
    with pytest.raises(ModelError, match="checkpoint or model_id"):
        build_engine_kwargs(ModelSpec(name="v", adapter="vllm"))


def test_shipped_spec_builds():
    spec = ModelRegistry().get("qwen2.5-vl-7b-vllm")
    assert build_engine_kwargs(spec)["tensor_parallel_size"] == 1


def test_missing_vllm_is_a_clear_model_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)
    with pytest.raises(ModelError, match=r"pip install 'medvie-bench\[vllm\]'"):
        VLLMAdapter(_spec())


def _fake_vllm(calls: list) -> tuple[types.ModuleType, types.ModuleType]:
    def out(text, reason="stop"):
        done = types.SimpleNamespace(text=text, token_ids=[1, 2, 3], finish_reason=reason)
        return types.SimpleNamespace(prompt_token_ids=list(range(10)), outputs=[done])

    class LLM:
        def __init__(self, **kwargs):
            calls.append(("init", kwargs))

        def chat(self, conversations, sampling_params=None, **kwargs):
            calls.append(("chat", conversations, sampling_params, kwargs))
            if any("broken" in str(c) for c in conversations):
                raise RuntimeError("cannot read image")
            return [out('{"total": "1.00"}') for _ in conversations]

    vllm = types.ModuleType("vllm")
    vllm.LLM = LLM
    vllm.SamplingParams = lambda **kw: ("SamplingParams", kw)
    sp = types.ModuleType("vllm.sampling_params")
    sp.StructuredOutputsParams = lambda **kw: ("StructuredOutputsParams", kw)
    vllm.sampling_params = sp
    return vllm, sp


def test_adapter_batches_prompts_into_chat_calls(monkeypatch, task):
    calls: list = []
    vllm, sp = _fake_vllm(calls)
    monkeypatch.setitem(sys.modules, "vllm", vllm)
    monkeypatch.setitem(sys.modules, "vllm.sampling_params", sp)
    docs = load_documents(task)[:3]
    broken = docs[2].model_copy(update={"id": "broken", "image": "/tmp/broken.jpg"})
    adapter = VLLMAdapter(_spec(generation={"json_mode": True}, concurrency=3))
    prompts = [build_prompt(task, d) for d in (docs[0], docs[1], broken)]

    async def main():
        return await asyncio.gather(*(adapter.generate(p) for p in prompts))

    gens = asyncio.run(main())
    assert calls[0][0] == "init" and calls[0][1]["allowed_local_media_path"] == "/"
    chat = calls[1]
    assert len(chat[1]) == 3 and chat[3]["chat_template_content_format"] == "openai"
    assert chat[2][0][1]["structured_outputs"][0] == "StructuredOutputsParams"
    # the batch failed on the broken image: retried one by one, only that document fails
    assert [g.raw for g in gens[:2]] == ['{"total": "1.00"}'] * 2
    assert gens[0].tokens_in == 10 and gens[0].tokens_out == 3 and gens[0].finish_reason == "stop"
    assert gens[2].raw is None and gens[2].error_kind == "adapter_error"
    assert "cannot read image" in gens[2].error


def test_generation_from_output_length():
    done = types.SimpleNamespace(text='{"a"', token_ids=[5] * 8, finish_reason="length")
    gen = generation_from_output(types.SimpleNamespace(prompt_token_ids=[1], outputs=[done]), 0.5)
    assert gen.finish_reason == "length" and gen.tokens_out == 8 and gen.latency_s == 0.5


def test_guided_json_names_each_queried_row_key():
    """flat-schema queries ask for table cells as top-level members: the schema lists them."""
    task = TaskRegistry([Path(__file__).resolve().parents[1] / "rlvr" / "tasks"]).get("med-lab-en-read")
    doc = load_documents(task, "test", 1)[0]
    prompt = build_prompt(task, doc, sampling=KeySampling.parse("flat-schema:6"), seed=3)
    schema = build_vllm_request(prompt, _spec(generation={"json_mode": True}))["guided_json"]
    assert sorted(schema["properties"]) == sorted(prompt.queried_keys)
    assert any("[" in k for k in schema["properties"])
