"""The hf adapter on a tiny random Qwen2.5-VL (CPU): image in, text out, failures as records."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmark.models.adapters.chat import (
    MicroBatcher,
    to_qwen_messages,
    to_text_messages,
    to_vllm_messages,
    trim_at_stop,
)
from benchmark.models.registry import ModelError, create_adapter
from benchmark.models.spec import ModelSpec
from benchmark.prompts import build_prompt
from benchmark.runner import RunSettings, run_eval
from benchmark.tasks import TaskRegistry, load_documents

MESSAGES = [
    {"role": "system", "content": "be brief"},
    {
        "role": "user",
        "content": [{"type": "image", "image": "/data/a.jpg"}, {"type": "text", "text": "extract"}],
    },
]


def test_message_conversion():
    qwen, images = to_qwen_messages(MESSAGES)
    assert images == ["/data/a.jpg"]
    assert qwen[1]["content"] == [{"type": "image"}, {"type": "text", "text": "extract"}]
    assert to_text_messages(MESSAGES)[1] == {"role": "user", "content": "extract"}
    part = to_vllm_messages(MESSAGES)[1]["content"][0]
    assert part == {"type": "image_url", "image_url": {"url": "file:///data/a.jpg"}}
    assert trim_at_stop('{"a": 1}<|im_end|>junk', ["<|im_end|>"]) == ('{"a": 1}', True)
    assert trim_at_stop("abc", None) == ("abc", False)


def test_micro_batcher_groups_waiting_items():
    seen: list[list[int]] = []

    def double(items: list[int]) -> list[int]:
        seen.append(items)
        return [2 * i for i in items]

    async def main() -> list[int]:
        batcher = MicroBatcher(double, max_batch=3, wait_s=0.01)
        return await asyncio.gather(*(batcher.submit(i) for i in range(5)))

    assert asyncio.run(main()) == [0, 2, 4, 6, 8]
    assert seen == [[0, 1, 2], [3, 4]]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> Path:
    pytest.importorskip("torch", reason="torch is not installed (pip install 'medvie-bench[hf]')")
    pytest.importorskip("transformers", reason="transformers is not installed")
    from tests.tiny_qwen_vl import build_tiny_qwen_vl

    return build_tiny_qwen_vl(tmp_path_factory.mktemp("tiny-qwen-vl"), max_pixels=112 * 112)


@pytest.fixture(scope="module")
def adapter(tiny_dir):
    return create_adapter(_spec(tiny_dir))


def _spec(checkpoint: Path, **kw) -> ModelSpec:
    return ModelSpec(
        name="tiny-qwen-vl",
        adapter="hf",
        checkpoint=str(checkpoint),
        generation={"max_tokens": 6},
        image={"max_pixels": 112 * 112},
        concurrency=2,
        # a window wide enough that two documents prepared on a loaded CI machine still meet in
        # one batch (a full batch is sent at once, so this costs nothing when both arrive)
        options={"batch_wait_ms": 1000},
        **kw,
    )


def test_tiny_vlm_through_run_eval(tiny_dir, adapter, tmp_path):
    task = TaskRegistry().get("sroie-sample")
    spec = _spec(tiny_dir)
    assert adapter.is_vlm and adapter.device == "cpu"
    result = run_eval(task, spec, RunSettings(limit=2, progress=False), tmp_path, adapter=adapter)
    lines = (result.run_dir / "predictions.jsonl").read_text().splitlines()
    records = [json.loads(x) for x in lines]
    assert len(records) == 2 and result.n_new == 2
    for rec in records:
        assert rec["raw"] is not None and rec["error_kind"] in (None, "truncated")
        assert rec["parse_error"]  # random weights: garbage, recorded rather than raised
        assert rec["tokens_in"] > 20 and 0 < rec["tokens_out"] <= 6
    assert adapter.batcher.batch_sizes[-1] == 2  # both documents went through one generate call
    assert result.metrics["parse_errors"] == 2


def test_max_pixels_bounds_image_tokens(tiny_dir):
    from PIL import Image

    from benchmark.models.adapters.hf import load_vl_processor

    budget = 56 * 56 * 4
    processor = load_vl_processor(tiny_dir, max_pixels=budget)
    assert processor.image_processor.size.longest_edge == budget
    image = Image.new("RGB", (800, 1200), "white")
    out = processor(
        text=["<|vision_start|><|image_pad|><|vision_end|>"], images=[image], return_tensors="pt"
    )
    patches = int(out["image_grid_thw"][0].prod())
    assert patches * 14 * 14 <= budget
    assert int((out["input_ids"] == 151655).sum()) == patches // 4  # <|image_pad|> per 2x2 merge


def test_bad_image_fails_its_document_only(adapter):
    task = TaskRegistry().get("sroie-sample")
    docs = load_documents(task)[:2]
    broken = docs[1].model_copy(update={"image": "/nonexistent/page.jpg"})
    prompts = [build_prompt(task, docs[0]), build_prompt(task, broken)]

    async def main():
        return await asyncio.gather(*(adapter.generate(p) for p in prompts))

    good, bad = asyncio.run(main())
    assert good.raw is not None and good.error_kind is None
    assert bad.raw is None and bad.error_kind == "adapter_error" and "page.jpg" in bad.error


def test_load_errors_are_model_errors(tmp_path):
    pytest.importorskip("torch", reason="torch is not installed")
    pytest.importorskip("transformers", reason="transformers is not installed")
    with pytest.raises(ModelError, match="checkpoint folder not found"):
        create_adapter(ModelSpec(name="x", adapter="hf", checkpoint=str(tmp_path / "none")))
    with pytest.raises(ModelError, match="not available locally"):
        create_adapter(ModelSpec(name="x", adapter="hf", model_id="medvie-bench/no-such-model"))


def test_weights_files_of_a_lora_folder_include_its_base(tmp_path):
    from benchmark.models.adapters.hf import HFAdapter

    base, lora = tmp_path / "base", tmp_path / "lora"
    base.mkdir(), lora.mkdir()
    (base / "config.json").write_text("{}")
    (lora / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(base)}))
    assert HFAdapter.weights_files(ModelSpec(name="x", adapter="hf", checkpoint=str(base))) == {"checkpoint": base}
    assert HFAdapter.weights_files(ModelSpec(name="x", adapter="hf", checkpoint=str(lora))) == {
        "checkpoint": lora, "base": base,
    }
    # a hub id not downloaded yet has no local files to fingerprint
    assert HFAdapter.weights_files(ModelSpec(name="x", adapter="hf", model_id="medvie-bench/no-such-model")) == {}
