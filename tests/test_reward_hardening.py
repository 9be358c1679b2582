"""Reward hardening (issue 16, item 7): a list given for a scalar field is one wrong value, in the
shared scorer, so evaluation runs and the GRPO reward agree; degenerate answers do not earn a high
reward at a = 0, 0.5 or 1 (except the one a = 1 cannot refuse: see the last test); the prompts a
GRPO run was rewarded on are recorded for the data-matched SFT."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmark.documents import Document
from benchmark.evaluation import score_output
from benchmark.offline_scoring import score_files
from benchmark.scoring import scalar_paths, score_document
from benchmark.tasks import TaskRegistry
from rlvr.dataset import build_rows, gold_answer, matched_sft_rows, sft_rows
from rlvr.rewards import make_match_reward, score_completion
from rlvr.seen import SEEN_NAME, read_seen, recording

REPO = Path(__file__).resolve().parents[1]
OCR = """St. Luke's Hospital
Test Results
Patient: Elizabeth Moore
Gender: Female
Age: 78 Y
Requesting Dept: Orthopedics
Collected: 04.02.2022 15:12 Sample Type: Serum
Examination: Kidney Function Tests
Urea 4.55 mmol/L 2.6-7.5
Creatinine 44 umol/L 41-81
Exam Date: 04.02.2022 18:28"""
GOLD = {"Name": "Elizabeth Moore", "Gender": "Female", "Age": "78 Y", "Department": "Orthopedics",
        "Sample Collection Time": "04.02.2022 15:12", "Examination Name": "Kidney Function Tests",
        "Examination Time": "04.02.2022 18:28"}
QUERIED = ["Name", "Age", "Examination Name"]


@pytest.fixture(scope="module")
def task():
    return TaskRegistry([REPO / "rlvr" / "tasks"]).get("med-lab-en-header")


@pytest.fixture(scope="module")
def scalars(task):
    return sorted(scalar_paths(task.fields))


def _reward(answer: dict, a: float, scalars: list[str] | None, keys: list[str] | None = QUERIED) -> float:
    fn = make_match_reward(a)
    return fn([json.dumps(answer, ensure_ascii=False)], gt=[json.dumps(GOLD)],
              queried_keys=[json.dumps(keys) if keys is not None else None],
              scalar_paths=[json.dumps(scalars) if scalars is not None else None])[0]


def test_scalar_paths_follow_the_schema_types(task):
    read = TaskRegistry([REPO / "rlvr" / "tasks"]).get("med-lab-en-read")
    assert "age" in scalar_paths(task.fields) and "indicators" not in scalar_paths(read.fields)
    assert {"indicators.result", "indicators.unit"} <= scalar_paths(read.fields)


def test_a_list_for_a_scalar_field_is_one_wrong_value():
    scalars = {"age", "indicators.result"}
    gold = {"Age": "78 Y", "Tags": ["a", "b"], "Indicators": [{"Item Name": "Urea", "Result": "4.55"}]}
    two = score_document(gold, {"Age": ["78 Y", "77 Y"]}, keys=["Age"], scalar_paths=scalars)
    assert (two.tp, two.fp, two.fn) == (0, 1, 1) and two.errors == {"wrong_value": 1}
    many = score_document(gold, {"Age": [str(n) for n in range(50)] + ["78 Y"]}, keys=["Age"], scalar_paths=scalars)
    assert (many.tp, many.fp, many.fn) == (0, 1, 1)
    one = score_document(gold, {"Age": ["78 Y"]}, keys=["Age"], scalar_paths=scalars)
    assert (one.tp, one.fp, one.fn) == (1, 0, 0)  # a one-item list is read as its item
    # without the field types (what the scorer did before): a multiset, the right value among them counts
    old = score_document(gold, {"Age": ["78 Y", "77 Y"]}, keys=["Age"])
    assert (old.tp, old.fp, old.fn) == (1, 1, 0)
    # a field declared as a list stays a multiset; inside a table the cell's own type decides
    tags = score_document(gold, {"Tags": ["a", "b", "c"]}, keys=["Tags"], scalar_paths=scalars)
    assert (tags.tp, tags.fp) == (2, 1)
    cell = score_document(gold, {"Indicators": [{"Item Name": "Urea", "Result": ["4.55", "4.56"]}]},
                          scalar_paths=scalars)
    assert cell.fields["indicators.result"] == [0, 1, 1] and cell.fields["indicators.item_name"] == [1, 0, 0]
    row_key = "Indicators[Item Name=Urea].Result"
    flat = score_document(gold, {row_key: ["4.55", "4.56"]}, keys=[row_key], scalar_paths=scalars)
    assert (flat.tp, flat.fp, flat.fn) == (0, 1, 1)


def test_the_gold_overrules_a_schema_that_calls_its_list_scalar(tmp_path):
    """An undeclared field defaults to type string; where the gold holds a list, it is scored as one
    (``score`` without --task declares every field so: a lab table must not become one wrong value)."""
    gold = {"Tags": ["a", "b"], "Indicators": [{"Item Name": "Urea", "Result": "4.55"}]}
    pred = {"Tags": ["a", "b"], "Indicators": [{"Item Name": "Urea", "Result": "4.55"}]}
    both = score_document(gold, pred, scalar_paths={"tags", "indicators"})
    assert (both.tp, both.fp, both.fn) == (4, 0, 0)
    (tmp_path / "g.jsonl").write_text(json.dumps({"id": "1", "gt": gold}) + "\n")
    (tmp_path / "p.jsonl").write_text(json.dumps({"id": "1", "prediction": pred}) + "\n")
    assert score_files(tmp_path / "g.jsonl", tmp_path / "p.jsonl")["f1"] == 1.0


def test_evaluation_runs_apply_the_same_rule(task):
    counts = score_output(task, GOLD, json.dumps({"Age": ["78 Y", "77 Y"], "Name": "Elizabeth Moore"}),
                          ["Age", "Name"])[0]
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 1)
    assert score_completion(json.dumps({"Age": ["78 Y", "77 Y"]}), GOLD, queried_keys=["Age"],
                            scalar_paths=sorted(scalar_paths(task.fields)))[2:] == (0, 1, 1)


@pytest.mark.parametrize("a", [0.0, 0.5, 1.0])
def test_degenerate_answers_earn_no_high_reward(a, scalars):
    honest = _reward({k: GOLD[k] for k in QUERIED}, a, scalars)
    assert honest == pytest.approx(1.0)
    half_wrong = _reward({"Name": "Elizabeth Moore", "Age": "45", "Examination Name": "Complete Blood Count"}, a,
                         scalars)
    assert half_wrong == pytest.approx(1 / 3)
    # 1. empty answer
    assert _reward({}, a, scalars) == 0.0
    # 2. every OCR line (and every token of it) offered for every queried key
    candidates = sorted({piece for line in OCR.splitlines() for piece in (line, *line.split(": "))})
    every = {k: candidates for k in QUERIED}
    assert _reward(every, a, scalars) == 0.0
    # ... which the scorer rewarded with full recall before lists for scalar fields were one value
    assert score_completion(json.dumps(every), GOLD, queried_keys=QUERIED)[1] == pytest.approx(1.0)
    # ... also when every schema key is asked for
    assert _reward({k: candidates for k in GOLD}, a, scalars, keys=None) == 0.0
    # 3. answering one sure key only
    one_sure = _reward({"Name": "Elizabeth Moore"}, a, scalars)
    assert one_sure == pytest.approx(a * 1.0 + (1 - a) / 3)
    if a < 1:
        assert one_sure <= honest - (1 - a) * 2 / 3 + 1e-9  # strictly below the honest answer
    else:
        # a = 1 is precision alone: one sure key earns what the honest answer earns, by definition.
        # The experiments use a = 0.5; rlvr/README.md says so.
        assert one_sure == pytest.approx(honest)


def test_absent_keys_reward_leaving_them_out(scalars):
    absent = ["Diagnosis", "Examination Site"]
    assert _reward({}, 0.5, scalars, keys=absent) == pytest.approx(1.0)
    assert _reward({"Diagnosis": "Hypertension"}, 0.5, scalars, keys=absent) == pytest.approx(0.5)  # P 0, R 1
    assert _reward({"Diagnosis": "Hypertension"}, 1.0, scalars, keys=absent) == 0.0
    assert make_match_reward(0.5)(["not json"], gt=[json.dumps(GOLD)], queried_keys=[json.dumps(absent)])[0] == 0.0


def test_training_rows_carry_the_field_types(task):
    docs = [Document(id=f"d{i}", gt=GOLD, ocr=OCR) for i in range(3)]
    rows = build_rows(task, docs, keys="random:2")
    assert json.loads(rows[0]["scalar_paths"]) == sorted(scalar_paths(task.fields))
    on = build_rows(task, docs, keys="all")[0]["prompt"][-1]["content"]
    off = build_rows(task, docs, keys="all", examples=False)[0]["prompt"][-1]["content"]
    assert "(45, 45 Y, 45岁)" in on and "(45, 45 Y, 45岁)" not in off and "Complete Blood Count" not in off


def test_recorded_prompts_give_the_data_matched_sft(tmp_path, task):
    docs = [Document(id=f"d{i}", gt=GOLD, ocr=OCR) for i in range(4)]
    rows = build_rows(task, docs, keys="schema:2", seed=3)
    reward = recording(make_match_reward(0.5), tmp_path / SEEN_NAME)
    assert reward.__name__ == "match_reward" and reward.a == 0.5

    def step(global_step: int, batch: list[dict]) -> None:
        group = [r for r in batch for _ in range(4)]  # 4 completions per prompt, as TRL passes them
        cols = {k: [r[k] for r in group] for k in ("gt", "queried_keys", "doc_id", "keys", "scalar_paths")}
        reward(["{}"] * len(group), prompts=[r["prompt"] for r in group],
               trainer_state=SimpleNamespace(global_step=global_step), **cols)

    step(0, rows[:1])
    step(1, rows[1:2])
    step(2, rows[3:4])  # then the process dies; the resumed session redoes step 3 from checkpoint-2
    reward = recording(make_match_reward(0.5), tmp_path / SEEN_NAME)
    step(2, rows[2:3])
    seen = read_seen(tmp_path, max_step=3)
    assert [s["doc_id"] for s in seen] == ["d0", "d1", "d2"]
    assert [s["doc_id"] for s in read_seen(tmp_path, max_step=2)] == ["d0", "d1"]
    sft = matched_sft_rows(seen)
    assert [r["prompt"] for r in sft] == [r["prompt"] for r in rows[:3]]
    for row, s in zip(sft, seen, strict=True):
        assert row["completion"][0]["content"] == gold_answer(GOLD, json.loads(s["queried_keys"]))
    with pytest.raises(FileNotFoundError, match="no record of the prompts"):
        read_seen(tmp_path / "elsewhere", max_step=1)


def test_sft_rows_default_to_the_full_schema_json(task):
    docs = [Document(id=f"d{i}", gt=GOLD, ocr=OCR) for i in range(2)]
    full = sft_rows(task, docs)
    assert [json.loads(r["completion"][0]["content"]) for r in full] == [GOLD, GOLD]
    sampled = sft_rows(task, docs, keys="random:2", repeats=3)
    assert len(sampled) == 6 and all(len(json.loads(r["completion"][0]["content"])) == 2 for r in sampled)


def test_compare_prints_detectable_delta_extra_pairs_and_one_holm_family(tmp_path, capsys):
    from benchmark.records import PredictionRecord
    from rlvr.cli import main as rlvr_main

    def run(name: str, tps: list[int]) -> Path:
        d = tmp_path / name
        d.mkdir()
        d.joinpath("predictions.jsonl").write_text("".join(
            PredictionRecord(id=f"d{i}", cache_key="k", prompt_hash="p",
                             counts={"tp": tp, "fp": 3 - tp, "fn": 3 - tp}).model_dump_json() + "\n"
            for i, tp in enumerate(tps)))
        return d

    base = run("base", [1, 2, 1, 0, 2, 1] * 20)
    rlvr = run("rlvr", [2, 2, 1, 1, 3, 1] * 20)
    sft = run("sft", [3, 2, 2, 1, 3, 2] * 20)
    out = tmp_path / "t.json"
    assert rlvr_main(["compare", f"base={base}", f"rlvr={rlvr}", f"sft={sft}", "--pair", "rlvr:sft",
                      "--n-resamples", "300", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    f1s = [res["vs_first"]["rlvr"]["f1"], res["vs_first"]["sft"]["f1"], res["pairs"]["sft − rlvr"]["f1"]]
    assert all(0 < f["mde"] < 0.5 and f["p_holm"] >= f["p"] for f in f1s)
    assert "min. detectable ΔF1" in out.with_suffix(".md").read_text()
    assert rlvr_main(["compare", f"base={base}", "--pair", "base:nope"]) == 2
    capsys.readouterr()
    assert rlvr_main(["holm", str(out), str(out)]) == 0
    table = capsys.readouterr().out
    assert "Holm over all 3 F1 comparisons of 1 tables" in table  # the same file twice counts once
    assert "| t | sft − rlvr |" in table


def test_training_images_get_the_runs_pixel_cap(tmp_path):
    """A 20000×20000 PNG among the training rows: one error naming the file, not 1.2 GB of RGB."""
    from benchmark.tasks.errors import TaskError
    from rlvr.dataset import build_dataset
    from tests.test_hostile_tasks import blank_png

    huge = blank_png(tmp_path / "huge.png", 20000, 20000)
    with pytest.raises(TaskError, match=r"training data: image .*huge\.png: .*more than 50,000,000 pixels"):
        build_dataset([{"image": str(huge), "prompt": "p"}])
