"""Key sampling that measures hallucination (schema:K), row keys over tables (flat-*:K), example-free
prompts (--examples off), and the cache keys of the committed RLVR runs, which must not move."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.documents import Document
from benchmark.models import ModelRegistry
from benchmark.models.registry import resolve_model
from benchmark.prompts import KeySampling, build_prompt, sample_keys, strip_examples, without_examples
from benchmark.records import RunManifest
from benchmark.runner import RunSettings, cache_key, manifest_cache_key
from benchmark.scoring import restrict, score_document
from benchmark.scoring.keys import queried_fields
from benchmark.scoring.normalize import is_empty
from benchmark.tasks import TaskRegistry, task_hash

REPO = Path(__file__).resolve().parents[1]
RLVR_RUNS = REPO / "leaderboard" / "runs" / "rlvr-eval"


def _doc(i: int, rows: list[tuple[str, str, str, str]] | None = None, **header: str) -> Document:
    gt: dict = {"Name": f"Pat {i}", "Age": f"{30 + i} Y", "Department": "Urology", **header}
    if rows is not None:
        gt["Indicators"] = [
            {k: v for k, v in zip(("Item Name", "Result", "Unit", "Abnormal Mark"), row, strict=True) if v}
            for row in rows
        ]
    return Document(id=f"d{i}", gt=gt, ocr="")


@pytest.fixture(scope="module")
def tasks() -> TaskRegistry:
    return TaskRegistry([REPO / "rlvr" / "tasks"])


@pytest.fixture(scope="module")
def header(tasks):
    return tasks.get("med-lab-en-header")


@pytest.fixture(scope="module")
def read(tasks):
    return tasks.get("med-lab-en-read")


def test_modes_parse_and_print_back():
    for text in ("all", "random:3", "schema:2", "flat-random:4", "flat-schema:5"):
        assert str(KeySampling.parse(text)) == text
    assert KeySampling.parse("schema:2").absent_keys and not KeySampling.parse("random:2").absent_keys
    assert KeySampling.parse("flat-schema:2").flat and not KeySampling.parse("schema:2").flat
    for bad in ("random", "schema:0", "flat:3", "random:x", "Schema:2", ""):
        with pytest.raises(ValueError, match="--keys must be"):
            KeySampling.parse(bad)


def _paper_random_keys(task, doc, k: int, seed: int) -> list[str]:
    """random:K as shipped before schema:K existed (the draws of every committed random:3 run)."""
    present = [f.key for f in task.fields if not is_empty(doc.gt.get(f.key))]
    rng = random.Random(f"{seed}:{task.name}:{doc.id}")
    if len(present) <= k:
        return present
    chosen = set(rng.sample(present, k))
    return [key for key in present if key in chosen]


def test_random_mode_draws_present_keys_exactly_as_before(header, read):
    for task in (header, read):
        for i in range(40):
            doc = _doc(i, rows=[("WBC", "6.5", "10^9/L", "")], Diagnosis="Cystitis" if i % 2 else "")
            for seed in (0, 7):
                assert sample_keys(task, doc, KeySampling.parse("random:3"), seed) == _paper_random_keys(
                    task, doc, 3, seed)


def test_schema_mode_draws_absent_keys_and_scores_a_value_for_one_as_false_positive(header):
    sampling = KeySampling.parse("schema:3")
    drawn = [sample_keys(header, _doc(i), sampling, 0) for i in range(60)]
    assert all(len(k) == 3 for k in drawn)
    absent = [(i, key) for i, keys in enumerate(drawn) for key in keys if key not in _doc(i).gt]
    assert len(absent) > 30  # 8 of the 11 header keys are absent from these documents
    i, key = absent[0]
    doc, queried = _doc(i), drawn[i]
    right = {k: doc.gt[k] for k in queried if k in doc.gt}
    ok = score_document(doc.gt, right, keys=queried)
    assert (ok.fp, ok.fn) == (0, 0)
    hallucinated = score_document(doc.gt, {**right, key: "something"}, keys=queried)
    assert (hallucinated.tp, hallucinated.fp, hallucinated.fn) == (ok.tp, 1, 0)
    assert hallucinated.errors == {"hallucinated_key": 1}


@pytest.mark.parametrize("mode", ["random:2", "schema:2", "flat-schema:2"])
def test_unqueried_predicted_keys_are_dropped_in_every_mode(header, mode):
    doc = _doc(3, Diagnosis="Cystitis")
    queried = sample_keys(header, doc, KeySampling.parse(mode), 1)
    extra = next(f.key for f in header.fields if f.key not in queried)
    answer = {**{k: doc.gt[k] for k in queried if k in doc.gt}, extra: "not asked"}
    counts = score_document(doc.gt, answer, keys=queried)
    assert counts.fp == 0 and counts.fn == 0


def test_row_keys_address_printed_rows_and_every_cell_in_schema_mode(read):
    doc = _doc(1, rows=[("WBC", "6.5", "10^9/L", ""), ("HGB", "98", "g/L", "L"),
                        ("PLT", "250", "", ""), ("PLT", "251", "", ""), ("", "1", "", "")])
    keys = sample_keys(read, doc, KeySampling.parse("flat-schema:200"), 0)
    rows = [k for k in keys if k.startswith("Indicators[")]
    assert "Indicators" not in keys and "Examination Site" in keys  # absent header key drawn too
    # PLT is named twice and the last row has no name: neither can be addressed
    assert sorted({k.split("]")[0] for k in rows}) == ["Indicators[Item Name=HGB", "Indicators[Item Name=WBC"]
    assert len(rows) == 2 * 4 and "Indicators[Item Name=WBC].Abnormal Mark" in rows  # absent cell
    present = sample_keys(read, doc, KeySampling.parse("flat-random:200"), 0)
    assert "Indicators[Item Name=WBC].Abnormal Mark" not in present and "Examination Site" not in present
    assert "Indicators[Item Name=HGB].Abnormal Mark" in present


def test_row_keys_are_scored_cell_by_cell_on_both_sides(read):
    gold = _doc(2, rows=[("WBC", "6.5", "10^9/L", ""), ("HGB", "98", "g/L", "L")]).gt
    keys = ["Age", "Indicators[Item Name=WBC].Result", "Indicators[Item Name=HGB].Result",
            "Indicators[Item Name=WBC].Abnormal Mark"]
    assert restrict(gold, keys) == {"Age": "32 Y", "Indicators[Item Name=WBC].Result": "6.5",
                                    "Indicators[Item Name=HGB].Result": "98"}
    flat = {"Age": "32 Y", "Indicators[Item Name=WBC].Result": "6.5", "Indicators[Item Name=HGB].Result": "98"}
    assert (score_document(gold, flat, keys=keys).tp, score_document(gold, flat, keys=keys).fp) == (3, 0)
    # the same answer nested as a table, with the item names written differently: read the same way
    nested = {"Age": "32 Y", "Indicators": [{"item_name": "wbc", "Result": "6.5"}, {"Item Name": "HGB", "Result": 98}]}
    assert score_document(gold, nested, keys=keys).tp == 3
    swapped = {"Indicators[Item Name=WBC].Result": "98", "Indicators[Item Name=HGB].Result": "6.5"}
    counts = score_document(gold, swapped, keys=keys)
    assert (counts.tp, counts.fp, counts.fn) == (0, 2, 3)  # another row's value never matches
    assert counts.fields == {"age": [0, 0, 1], "indicators.result": [0, 2, 2]}  # reported per schema path
    flag = score_document(gold, {"Indicators[Item Name=WBC].Abnormal Mark": "H"}, keys=keys)
    assert flag.fp == 1 and flag.fields["indicators.abnormal_mark"] == [0, 1, 0]  # an absent cell answered


def test_flat_prompt_lists_the_queried_cells_with_their_descriptions(read):
    doc = _doc(4, rows=[("WBC", "6.5", "10^9/L", "")])
    doc = doc.model_copy(update={"ocr": "WBC 6.5 10^9/L"})
    prompt = build_prompt(read, doc, sampling=KeySampling.parse("flat-schema:30"), use_image=False, use_ocr=True)
    assert '"Indicators[Item Name=WBC].Result": "",  // result value only, without unit or flag' in prompt.text
    assert "List[Field=Label].Cell" in prompt.text and "WBC 6.5 10^9/L" in prompt.text
    assert '"Indicators": [' not in prompt.text


def test_strip_examples_rule_on_the_shipped_descriptions():
    assert strip_examples("patient's age as printed, with its unit if any (45, 45 Y, 45岁)") == (
        "patient's age as printed, with its unit if any")
    assert strip_examples("abnormal flag as printed (↑, ↓, H, L); leave out when none") == (
        "abnormal flag as printed; leave out when none")
    assert strip_examples("requesting or treating department (科室)") == "requesting or treating department"
    assert strip_examples('age, e.g. "45"') == "age"
    assert strip_examples("age (e.g. 45); as printed") == "age; as printed"
    for prose in ("date of the receipt as printed (without the time)", "ticket number (red, top left)",
                  "address of the company, as printed (lines joined with a space)"):
        assert strip_examples(prose) == prose


def test_examples_off_removes_the_copied_examples_and_nothing_else(header, read):
    for task in (header, read):
        bare = without_examples(task)
        assert [f.key for f in bare.fields] == [f.key for f in task.fields]
        assert bare.value_rules() == task.value_rules() and bare.scoring == task.scoring
    doc = _doc(5)
    on = build_prompt(header, doc, sampling=KeySampling.parse("all"), use_image=False, use_ocr=True).text
    off = build_prompt(without_examples(header), doc, sampling=KeySampling.parse("all"), use_image=False,
                       use_ocr=True).text
    assert "(45, 45 Y, 45岁)" in on and "Complete Blood Count" in on
    assert "45" not in off and "Complete Blood Count" not in off
    assert len(off.splitlines()) == len(on.splitlines())


@pytest.mark.skipif(not RLVR_RUNS.is_dir(), reason="no committed RLVR runs")
def test_committed_rlvr_runs_keep_their_cache_keys(tasks):
    """Recomputed from the current task files, model specs and code, with the default settings."""
    models = ModelRegistry([REPO / "rlvr" / "specs"])
    manifests = sorted(RLVR_RUNS.glob("*/*/manifest.json"))
    assert len(manifests) >= 17
    for path in manifests:
        m = RunManifest.model_validate_json(path.read_text(encoding="utf-8"))
        s = m.settings
        assert "examples" not in s
        settings = RunSettings(seed=int(s["seed"]), keys=KeySampling.parse(s["keys"]), thinking=bool(s["thinking"]))
        model = resolve_model(models.get(m.model["name"]))
        task = tasks.get(m.task["name"])
        assert task_hash(task) == m.task["hash"], path
        assert cache_key(task, model, settings, m.task["data_hash"]) == m.cache_key, path
        assert manifest_cache_key(m) == m.cache_key, path
        off = RunSettings(seed=settings.seed, keys=settings.keys, thinking=settings.thinking, examples=False)
        assert cache_key(task, model, off, m.task["data_hash"]) != m.cache_key


def test_run_with_examples_off_is_its_own_run_and_says_so(tmp_path):
    """The real CLI on a small JSONL task: --examples off gets another run folder, a manifest that
    records it, and prompts without the example values."""
    folder = tmp_path / "tasks"
    folder.mkdir()
    docs = [{"id": f"x{i}", "image": "p.png", "gt": {"Age": f"{40 + i}"}, "ocr": f"Age: {40 + i}"} for i in range(2)]
    (folder / "ages.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(folder / "p.png")
    (folder / "ages.yaml").write_text(
        "name: ages\nversion: 1\nlanguage: en\nsource: {type: jsonl, splits: {test: ages.jsonl}}\n"
        "fields:\n  - {key: Age, description: \"age as printed (45, 45 Y)\"}\n", encoding="utf-8")
    dirs = []
    for examples in ("on", "off"):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmark.cli", "run", "--model", "rules", "--task", "ages", "--include-path",
             str(folder), "--out", str(tmp_path / "runs"), "--quiet", "--examples", examples],
            capture_output=True, text=True, timeout=120, cwd=REPO)
        assert proc.returncode == 0, proc.stderr
        dirs.append(sorted((tmp_path / "runs" / "ages").iterdir()))
    assert len(dirs[1]) == 2  # a second run folder, not a resume of the first
    off_dir = next(d for d in dirs[1] if d not in dirs[0])
    manifest = json.loads((off_dir / "manifest.json").read_text())
    assert manifest["settings"]["examples"] is False
    assert manifest_cache_key(RunManifest.model_validate(manifest)) == manifest["cache_key"]
    on_manifest = json.loads((dirs[0][0] / "manifest.json").read_text())
    assert "examples" not in on_manifest["settings"]
    bad = subprocess.run(
        [sys.executable, "-m", "benchmark.cli", "run", "--model", "rules", "--task", "ages", "--include-path",
         str(folder), "--out", str(tmp_path / "runs"), "--quiet", "--keys", "schema:0"],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert bad.returncode == 2 and "--keys must be" in bad.stderr


def test_queried_fields_are_the_top_level_fields_row_keys_name(read):
    keys = ["Age", "Indicators[Item Name=KET].Unit", "Indicators[Item Name=WBC].Result"]
    assert [f.key for f in queried_fields(read.fields, keys)] == ["Age", "Indicators"]
    assert queried_fields(read.fields, None) == list(read.fields)


def test_a_whole_field_extractor_answers_row_key_queries(tmp_path):
    """The layout rules answer whole fields; asked row keys (flat-schema), they must still read the
    table (they used to keep only fields named exactly as a queried key, and so answered none)."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark.cli", "run", "--model", "ocr-layout-rules-gold", "--task", "med-lab-en-read",
         "--include-path", str(REPO / "rlvr" / "tasks"), "--keys", "flat-schema:4", "--limit", "3",
         "--out", str(tmp_path), "--quiet"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for p in tmp_path.rglob("predictions.jsonl") for line in p.open()]
    assert len(records) == 3
    row_tp = sum(tp for r in records for path, (tp, _, _) in r["counts"]["fields"].items()
                 if path.startswith("indicators."))
    assert row_tp > 0
    assert all(r["stats"]["table_missed"] in (0.0, None) for r in records)
