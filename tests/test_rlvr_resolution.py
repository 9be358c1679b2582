"""Which model the ``rlvr`` adapter runs: spec checkpoint, then $MEDVIE_RLVR_CHECKPOINT, then the
CPU fallback model; otherwise a ModelError at construction."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmark.models.adapters.rlvr import ENV_VAR, RLVRAdapter, resolve_rlvr
from benchmark.models.registry import ModelError, ModelRegistry, create_adapter
from benchmark.models.spec import ModelSpec
from benchmark.prompts import build_prompt
from benchmark.tasks import TaskRegistry, load_documents

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def _checkpoint(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    return path


@pytest.fixture
def registry(tmp_path) -> ModelRegistry:
    """The built-in specs plus a cheap fallback model (the rules baseline under another name)."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "tiny-rlvr.yaml").write_text(
        "name: tiny-rlvr\nadapter: rules\ninput: ocr\nocr_engine: gold\n"
    )
    return ModelRegistry(include_paths=[tmp_path / "specs"])


def _spec(**kw) -> ModelSpec:
    return ModelSpec(
        name="qwen-rlvr",
        adapter="rlvr",
        input="image",
        options={"cpu_fallback": "tiny-rlvr", **kw.pop("options", {})},
        **kw,
    )


def test_order_spec_then_env_then_fallback(tmp_path, monkeypatch, registry):
    from_spec = _checkpoint(tmp_path / "spec-ckpt")
    from_env = _checkpoint(tmp_path / "env-ckpt")
    monkeypatch.setenv(ENV_VAR, str(from_env))

    first = resolve_rlvr(_spec(checkpoint=str(from_spec)), registry)
    assert (first.source, first.checkpoint) == ("spec checkpoint", from_spec.resolve())
    assert first.spec.adapter == "hf" and first.spec.checkpoint == str(from_spec.resolve())
    assert first.spec.name == "qwen-rlvr" and first.spec.input == "image"

    second = resolve_rlvr(_spec(), registry)
    assert (second.source, second.checkpoint) == (ENV_VAR, from_env.resolve())

    monkeypatch.delenv(ENV_VAR)
    third = resolve_rlvr(_spec(), registry)
    assert third.source == "options.cpu_fallback" and third.checkpoint is None
    assert third.spec.name == "tiny-rlvr" and third.spec.adapter == "rules"
    assert RLVRAdapter.resolve_spec(_spec(checkpoint=str(from_spec))).adapter == "hf"


def test_fallback_adapter_is_used_and_logged(registry, capsys):
    adapter = RLVRAdapter(_spec(), registry)
    assert "[rlvr] using model 'tiny-rlvr' (from options.cpu_fallback" in capsys.readouterr().err
    task = TaskRegistry().get("sroie-sample")
    gen = asyncio.run(adapter.generate(build_prompt(task, load_documents(task)[0], use_ocr=True)))
    assert gen.error_kind is None and json.loads(gen.raw)  # the rules baseline answered
    asyncio.run(adapter.aclose())


def test_nothing_available_fails_at_construction(registry):
    spec = _spec(options={"cpu_fallback": "no-such-model", "train_config": "rlvr/configs/gpu-qwen2.5-vl-7b.yaml",
                          "expected_checkpoint": "runs/rlvr/gpu-qwen2.5-vl-7b/final"})
    with pytest.raises(ModelError) as err:
        create_adapter(spec)
    text = str(err.value)
    assert "benchmark/catalogue/no-such-model.yaml" in text
    assert "medvie-bench rlvr train --config rlvr/configs/gpu-qwen2.5-vl-7b.yaml" in text
    assert "runs/rlvr/gpu-qwen2.5-vl-7b/final" in text and ENV_VAR in text
    with pytest.raises(ModelError, match="set checkpoint"):
        resolve_rlvr(ModelSpec(name="r", adapter="rlvr"), registry)


def test_bad_checkpoints_are_model_errors(tmp_path, monkeypatch, registry):
    with pytest.raises(ModelError, match="checkpoint folder not found"):
        resolve_rlvr(_spec(checkpoint=str(tmp_path / "missing")), registry)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(ModelError, match="not a Hugging Face checkpoint"):
        resolve_rlvr(_spec(), registry)


def test_shipped_spec(monkeypatch, tmp_path):
    spec = ModelRegistry().get("qwen-rlvr")
    assert spec.adapter == "rlvr" and spec.options["cpu_fallback"] == "qwen2.5-0.5b-rlvr"
    monkeypatch.setenv(ENV_VAR, str(_checkpoint(tmp_path / "final")))
    resolved = resolve_rlvr(spec)
    assert resolved.spec.adapter == "hf" and resolved.spec.options["dtype"] == "bfloat16"


def test_trained_specs_extend_the_base_spec_and_differ_only_by_adapter(tmp_path):
    """Base, RLVR, SFT and the ablations must be compared under identical generation settings."""
    reg = ModelRegistry(include_paths=[REPO / "rlvr" / "specs"])
    base = reg.get("qwen2.5-0.5b-local").model_dump(exclude={"name", "description", "model_id", "path"})
    trained = ["qwen2.5-0.5b-rlvr", "qwen2.5-0.5b-sft", *sorted(
        p.stem for p in (REPO / "rlvr" / "specs").glob("*.yaml"))]
    assert len(trained) >= 6
    for name in trained:
        spec = reg.get(name)
        dump = spec.model_dump(exclude={"name", "description", "model_id", "path"})
        lora = dump["options"].pop("lora")
        assert dump == base, name
        assert spec.model_id == name and lora.endswith("adapter.gguf")
    child = tmp_path / "child.yaml"
    base_spec = REPO / "benchmark" / "catalogue" / "qwen2.5-0.5b-local.yaml"
    child.write_text(f"extends: {base_spec}\nmodel_id: x\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"child.yaml: a model spec that extends another must set its own name"):
        reg.get(str(child))
