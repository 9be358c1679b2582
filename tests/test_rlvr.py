"""RLVR: reward functions (hand-computed P/R), dataset builder, config schema, and a tiny random
Qwen2.5-VL trained for two GRPO steps on document images with the real reward (CPU)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

from rlvr.config import TrainConfig, load_config, parse_override
from rlvr.dataset import build_rows, load_task_docs, rows_hash, sft_rows
from rlvr.rewards import (
    completion_text,
    follows_format,
    format_reward,
    make_match_reward,
    match_reward,
    precision_metric,
    recall_metric,
    score_completion,
    total_reward,
)

GOLD = {"company": "ACME SDN BHD", "date": "12-01-19", "total": "33.90", "address": "1 JALAN X"}
GT = json.dumps(GOLD)
CONFIGS = Path(__file__).resolve().parents[1] / "rlvr" / "configs"


# ---------------------------------------------------------------- format reward


@pytest.mark.parametrize(
    ("text", "thinking", "expected"),
    [
        ('{"total": "33.90"}', False, 1.0),
        ('```json\n{"total": "33.90"}\n```', False, 1.0),
        ('<think>sum</think><answer>{"total": "33.90"}</answer>', False, 0.0),
        ('<answer>{"total": "33.90"}</answer>', False, 0.0),
        ("no json here", False, 0.0),
        ('{"total": "33.', False, 0.0),
        ('["a"]', False, 0.0),
        ("", False, 0.0),
        ('<think>the total is 33.90</think><answer>{"total": "33.90"}</answer>', True, 1.0),
        ('<think>x</think>\n<answer>\n{"total": "33.90"}\n</answer>\n', True, 1.0),
        ('{"total": "33.90"}', True, 0.0),
        ('<answer>{"total": "33.90"}</answer>', True, 0.0),
        ('<think>x</think>{"total": "33.90"}', True, 0.0),
        ("<think>x</think><answer>not json</answer>", True, 0.0),
        ('<think>x<answer>{"total": "1"}</answer>', True, 0.0),
        ('<think>x</think><answer>{"total": "1"}</answer> trailing', True, 0.0),
        ('<think></think><answer>{"total": "1"}</answer>', True, 0.0),
    ],
)
def test_format_reward(text: str, thinking: bool, expected: float) -> None:
    assert format_reward([text], thinking=[thinking]) == [expected]
    assert follows_format(text, thinking) is bool(expected)


def test_format_reward_accepts_chat_messages_and_default_mode() -> None:
    msgs = [[{"role": "assistant", "content": '{"a": 1}'}]]
    assert completion_text(msgs[0]) == '{"a": 1}'
    assert format_reward(msgs) == [1.0]  # no thinking column → direct JSON mode


# ---------------------------------------------------------------- match reward


def test_match_reward_hand_computed() -> None:
    # 4 gold pairs; prediction: 2 correct, 1 wrong value, 1 hallucinated key → tp 2, fp 2, fn 2
    pred = {"company": "ACME SDN BHD", "date": "12-01-19", "total": "99.99", "phone": "123"}
    p, r, tp, fp, fn = score_completion(json.dumps(pred), GT)
    assert (tp, fp, fn) == (2, 2, 2)
    assert (p, r) == (0.5, 0.5)
    # 3 predicted (all correct) of 4 gold: P = 1, R = 3/4
    pred2 = {"company": "ACME SDN BHD", "date": "12-01-19", "total": "33.90"}
    for a in (0.0, 0.3, 0.5, 1.0):
        got = make_match_reward(a)([json.dumps(pred2)], gt=[GT])[0]
        assert got == pytest.approx(a * 1.0 + (1 - a) * 0.75)
    # 1 correct + 1 wrong of 4 gold: P = 1/2, R = 1/4
    pred3 = {"company": "ACME SDN BHD", "total": "1.00"}
    got = make_match_reward(0.7)([json.dumps(pred3)], gt=[GT])[0]
    assert got == pytest.approx(0.7 * 0.5 + 0.3 * 0.25)


def test_match_reward_restricted_to_queried_keys() -> None:
    pred = {"total": "33.90", "date": "wrong"}  # date is not queried → ignored on both sides
    keys = json.dumps(["total", "company"])
    p, r, *_ = score_completion(json.dumps(pred), GT, queried_keys=keys)
    assert (p, r) == (1.0, 0.5)
    assert match_reward([json.dumps(pred)], gt=[GT], queried_keys=[keys]) == [pytest.approx(0.75)]


@pytest.mark.parametrize(
    "text", ["", "{}", "not json", '{"total": ', "<think>x</think><answer>{}</answer>"]
)
def test_empty_or_unparsable_prediction_gives_zero(text: str) -> None:
    assert match_reward([text], gt=[GT]) == [0.0]
    assert precision_metric([text], gt=[GT]) == [0.0]
    assert recall_metric([text], gt=[GT]) == [0.0]


def test_match_reward_uses_value_rules_and_lists() -> None:
    gold = {"items": [{"name": "Hb", "result": "13.5"}, {"name": "WBC", "result": "6.1"}]}
    pred = {"items": [{"name": "WBC", "result": "6.1"}, {"name": "Hb", "result": "13.0"}]}
    p, r, tp, fp, fn = score_completion(json.dumps(pred), json.dumps(gold))
    assert (tp, fp, fn) == (3, 1, 1)  # items aligned by the scorer, one wrong result
    rules = json.dumps({"company": "alnum"})
    p, r, *_ = score_completion(
        '{"company": "acme sdn. bhd."}', GT, queried_keys='["company"]', value_rules=rules
    )
    assert (p, r) == (1.0, 1.0)


def test_total_reward_and_thinking_answer_scored() -> None:
    text = '<think>read the total</think><answer>{"total": "33.90"}</answer>'
    got = total_reward([text], a=0.5, gt=[GT], thinking=[True], queried_keys=['["total"]'])
    assert got == [pytest.approx(2.0)]
    assert match_reward([text], gt=[GT], queried_keys=['["total"]']) == [1.0]


# ---------------------------------------------------------------- dataset and config


def test_dataset_rows_use_the_prompt_builder() -> None:
    from benchmark.prompts import KeySampling, build_prompt

    task, docs = load_task_docs("sroie-sample", "test", limit=4)
    rows = build_rows(task, docs, keys="random:2", full_schema_fraction=0.0, repeats=2, seed=1)
    assert len(rows) == 8
    row = rows[0]
    assert set(row) >= {"prompt", "gt", "queried_keys", "thinking", "doc_id"}
    keys = json.loads(row["queried_keys"])
    assert len(keys) == 2
    expected = build_prompt(
        task,
        docs[0],
        sampling=KeySampling.parse("random:2"),
        seed=1000,
        use_image=False,
        use_ocr=True,
    )
    assert row["prompt"][-1]["content"] == expected.text
    assert json.loads(row["gt"]) == docs[0].gt
    full = build_rows(task, docs, keys="random:2", full_schema_fraction=1.0)
    assert all(r["queried_keys"] is None and r["keys"] == "all" for r in full)
    img = build_rows(task, docs[:1], use_image=True, thinking=True)[0]
    assert img["image"] == docs[0].image and img["thinking"] is True
    assert img["prompt"][-1]["content"][0] == {"type": "image"}
    assert rows_hash(rows) == rows_hash(build_rows(task, docs, keys="random:2", repeats=2, seed=1))
    sft = sft_rows(task, docs)
    assert json.loads(sft[0]["completion"][0]["content"]) == docs[0].gt


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIGS.glob("*.yaml")))
def test_shipped_configs_validate(name: str) -> None:
    cfg = load_config(CONFIGS / name)
    assert cfg.data.tasks and cfg.output_dir
    if importlib.util.find_spec("trl") is not None:
        import trl

        from rlvr.train import check_trainer_kwargs

        cls = trl.GRPOConfig if cfg.method == "grpo" else trl.SFTConfig
        check_trainer_kwargs(cls, cfg.trainer)


def test_config_overrides_and_errors() -> None:
    cfg = load_config(
        CONFIGS / "cpu-qwen2.5-0.5b.yaml",
        dict([parse_override("reward.a=0.8"), parse_override("trainer.max_steps=3")]),
    )
    assert cfg.reward.a == 0.8 and cfg.trainer["max_steps"] == 3
    with pytest.raises(ValueError):
        TrainConfig.model_validate({**cfg.model_dump(), "reward": {"a": 1.5}})
    with pytest.raises(ValueError):
        make_match_reward(-0.1)


def test_config_extends_a_parent_and_names_its_tasks(tmp_path: Path) -> None:
    a0 = load_config(CONFIGS / "ablation-keys-all-a0.yaml")
    keys_all = load_config(CONFIGS / "ablation-keys-all.yaml")
    main = load_config(CONFIGS / "cpu-qwen2.5-0.5b.yaml")
    # only what the child states changes; nested sections merge key by key
    assert (a0.reward.a, keys_all.reward.a) == (0.0, 0.5)
    assert a0.data == keys_all.data and a0.data.keys == "all" and a0.data.tasks == ["med-lab-en-header"]
    assert a0.trainer == {**main.trainer, "max_completion_length": 192, "max_steps": 6}
    assert a0.model == main.model and a0.output_dir == "runs/rlvr/ablation-keys-all-a0"
    # the rlvr-only task is found through the config's include_paths (relative to the config file)
    from rlvr.rows import rows_for_tasks

    rows = rows_for_tasks(a0.model_copy(update={"data": a0.data.model_copy(update={"limit": 2})}), sft_rows)
    assert len(rows) == 2 and "Indicators" not in json.loads(rows[0]["completion"][0]["content"])
    loop = tmp_path / "loop.yaml"
    loop.write_text("extends: loop.yaml\nname: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="loops back"):
        load_config(loop)
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text("extends: missing.yaml\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing\.yaml"):
        load_config(orphan)


def test_import_rlvr_does_not_import_torch() -> None:
    import subprocess

    mods = "rlvr, rlvr.cli, rlvr.train, rlvr.sft, rlvr.convert"
    code = f"import sys, {mods}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- LoRA → llama.cpp GGUF


def test_export_lora_gguf(tmp_path: Path) -> None:
    pytest.importorskip("gguf", reason="the gguf package is not installed")
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy", reason="safetensors is not installed")
    from rlvr.convert import export_lora_gguf

    a = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    b = np.zeros((8, 4), dtype=np.float32)
    st.save_file(
        {
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": a,
            "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": b,
        },
        str(tmp_path / "adapter_model.safetensors"),
    )
    (tmp_path / "adapter_config.json").write_text(json.dumps({"lora_alpha": 8, "r": 4}))
    out = export_lora_gguf(tmp_path, tmp_path / "adapter.gguf")
    import gguf

    reader = gguf.GGUFReader(str(out))
    names = {t.name: t for t in reader.tensors}
    assert set(names) == {"blk.0.attn_q.weight.lora_a", "blk.0.attn_q.weight.lora_b"}
    assert list(names["blk.0.attn_q.weight.lora_a"].shape) == [16, 4]  # ggml order: n_in, r
    assert list(names["blk.0.attn_q.weight.lora_b"].shape) == [4, 8]  # r, n_out
    field = reader.get_field("general.type")
    assert bytes(field.parts[field.data[0]]).decode() == "adapter"


# ---------------------------------------------------------------- tiny VLM GRPO (CPU)


def _tiny_vlm():
    """A tiny random Qwen2.5-VL with an image-only processor (``tests/tiny_qwen_vl.py``: the stock processor
    needs torchvision for its video part, so the model is built in memory here)."""
    from tests.tiny_qwen_vl import tiny_qwen_vl

    return tiny_qwen_vl()


def _tiny_config(name: str, out: Path, model: dict[str, Any], data: dict[str, Any], trainer: dict[str, Any],
                 **top: Any) -> TrainConfig:
    """A two-step CPU config for the tiny model: only what a test varies is passed."""
    common = {"use_cpu": True, "max_steps": 2, "learning_rate": 1e-3, "save_strategy": "no",
              "gradient_checkpointing": False, "seed": 0}
    return TrainConfig.model_validate({
        "name": name, "model": {"base": "tiny", "dtype": "float32", "lora": None, **model},
        "data": {"tasks": ["sroie-sample"], "split": "test", **data}, "trainer": {**common, **trainer},
        "output_dir": str(out), "resume": False, **top,
    })


@pytest.mark.slow
def test_tiny_qwen_vl_grpo_two_steps_on_images(tmp_path: Path) -> None:
    from rlvr.train import LOG_NAME, read_log, train_grpo

    model, processor = _tiny_vlm()
    task, docs = load_task_docs("sroie-sample", "test", limit=2)
    rows = build_rows(task, docs, keys="random:1", thinking=True, use_image=True, use_ocr=False)
    cfg = _tiny_config(
        "tiny-vl-test", tmp_path / "run",
        model={"kind": "vlm", "max_pixels": 112 * 112},
        data={"keys": "random:1", "thinking": True, "input": "image"},
        trainer={"per_device_train_batch_size": 2, "num_generations": 2, "max_completion_length": 8,
                 "dataloader_num_workers": 0},
    )
    final = train_grpo(cfg, model=model, processing_class=processor, rows=rows)
    log = read_log(tmp_path / "run" / LOG_NAME)
    assert [r["step"] for r in log] == [1, 2]
    assert all({"reward", "format_rate", "precision", "recall"} <= set(r) for r in log)
    meta = json.loads((final / "metadata.json").read_text())
    assert meta["global_step"] == 2 and meta["reward"]["a"] == 0.5 and meta["data_hash"]
    assert all(math.isfinite(r["loss"]) for r in log)
    # a random model writes no JSON in 8 tokens: the real reward is 0 and the format rate too
    assert all(r["format_rate"] == 0.0 and r["precision"] == 0.0 for r in log)


@pytest.mark.slow
def test_tiny_sft_two_steps_on_ocr_text(tmp_path: Path) -> None:
    """The JSON-SFT baseline's code path (text prompts with gold OCR, gold JSON targets)."""
    from rlvr.sft import train_sft
    from rlvr.train import LOG_NAME, read_log

    model, processor = _tiny_vlm()
    task, docs = load_task_docs("sroie-sample", "test", limit=2)
    rows = sft_rows(task, docs)
    cfg = _tiny_config(
        "tiny-sft-test", tmp_path / "sft", model={}, data={"keys": "all"},
        trainer={"per_device_train_batch_size": 1, "max_length": 1024},
        method="sft", export_lora_gguf=False,
    )
    final = train_sft(cfg, model=model, processing_class=processor.tokenizer, rows=rows)
    log = read_log(tmp_path / "sft" / LOG_NAME)
    assert [r["step"] for r in log] == [1, 2]
    assert all(math.isfinite(r["loss"]) and r["loss"] > 0 for r in log)
    assert json.loads((final / "metadata.json").read_text())["method"] == "sft"


def test_compare_runs_on_common_documents(tmp_path: Path) -> None:
    from rlvr.compare import compare_runs, markdown

    def run(name: str, counts: list[tuple[str, int, int, int]]) -> Path:
        d = tmp_path / name
        d.mkdir()
        from benchmark.records import PredictionRecord

        lines = [  # read back through benchmark.store.RunStore, as every run folder is
            PredictionRecord(id=i, cache_key="k", prompt_hash="p", counts={"tp": tp, "fp": fp, "fn": fn},
                             tokens_out=10 * (tp + fp)).model_dump_json()
            for i, tp, fp, fn in counts
        ]
        (d / "predictions.jsonl").write_text("\n".join(lines) + "\n")
        return d

    a = run("a", [("d1", 1, 1, 1), ("d2", 2, 0, 2), ("d3", 0, 3, 3)])
    b = run("b", [("d1", 2, 0, 0), ("d2", 4, 0, 0)])
    res = compare_runs({"base": a, "rlvr": b}, n_resamples=200)
    assert res["n_docs"] == 2
    assert res["models"]["base"]["f1"]["value"] == pytest.approx(0.6)  # tp 3, fp 1, fn 3
    assert res["models"]["rlvr"]["f1"]["value"] == pytest.approx(1.0)
    assert res["vs_first"]["rlvr"]["f1"]["delta"] == pytest.approx(0.4)
    assert res["models"]["rlvr"]["mean_tokens_out"] == pytest.approx(30.0)  # common documents only
    assert "| rlvr |" in markdown(res) and "| 30.0 |" in markdown(res)


def test_ablation_report_from_training_logs(tmp_path: Path, capsys) -> None:
    from rlvr.cli import main as rlvr_main

    logs = {"a": ([1.0, 1.2, 1.6, 1.8], [40, 30, 20, 10]), "b": ([1.5, 1.5, 1.5], [90, 95, 100])}
    for name, (rewards, lengths) in logs.items():
        run = tmp_path / name
        run.mkdir()
        rows = [{"step": i + 1, "reward": r, "format_rate": 1.0, "precision": r - 1, "recall": r - 1,
                 "completion_length": n, "frac_zero_std": 0.0}
                for i, (r, n) in enumerate(zip(rewards, lengths, strict=True))]
        rows.insert(1, {**rows[1], "reward": 0.0})  # a resumed run logs step 2 twice: the last entry wins
        (run / "train_log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "report" / "abl"
    out.parent.mkdir()
    assert rlvr_main(["ablations", f"a={tmp_path / 'a'}", f"b={tmp_path / 'b'}", "--out", str(out)]) == 0
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["a"]["steps"] == 4 and summary["a"]["reward"] == pytest.approx(1.4)
    assert summary["a"]["growth"] == pytest.approx(1.7 - 1.1)
    assert (summary["a"]["first_length"], summary["a"]["last_length"]) == (40, 10)
    assert summary["b"]["growth"] == pytest.approx(0.0) and summary["b"]["completion_length"] == pytest.approx(95)
    assert "| a | 4 | 1.400 | +0.600 |" in out.with_suffix(".md").read_text()
    if importlib.util.find_spec("matplotlib"):
        assert out.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert rlvr_main(["ablations", f"a={tmp_path / 'a'}", "--max-steps", "2"]) == 0
    assert "| a | 2 | 1.100 |" in capsys.readouterr().out
