"""Capture conditions: the real synth variant (deterministic, every class switchable), conditions on
documents and records, ``compare --by`` and the leaderboard's per-condition section.

Old variants must not move: their documents, split hashes and task hashes are pinned here to the
values they had before conditions existed (so committed runs keep their cache keys).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from benchmark import stats as S
from benchmark.cli import main
from benchmark.conditions import group_by_level, level_order
from benchmark.models.registry import ModelRegistry
from benchmark.runner import RunSettings, run_eval
from benchmark.store import RunStore
from benchmark.tasks import TaskError, TaskRegistry, load_documents, load_task_file, task_hash
from benchmark.tasks.sources import data_hash, read_jsonl_manifest, split_hash
from medvie_synth.fonts import APT_COMMAND, check_fonts
from tests.conftest import write_task
from tests.test_leaderboard import Oracle, _spec

needs_fonts = pytest.mark.skipif(bool(check_fonts()), reason=f"fonts missing: {APT_COMMAND}")

IMAGE_TYPES = ["photo"] * 5 + ["pdf"] * 4 + ["screenshot"] * 3


def _sha(x: object) -> str:
    return hashlib.sha256(json.dumps(x, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---------------------------------------------------------------- old variants do not move

# (kind, language, variant, seed, index) -> sha256 of image pixels, gt, gold OCR lines, recorded
# before the real variant and conditions were added
PINNED = {
    ("lab", "en", "clean", 5, 0): ("8ce7b95a0c074ddc24330de2455157626173e073487b7caecb264e68924a3ead",
                                   "1293cec79f6a5ed790ca96cbb0f4ef6b025118eb89d8ac4cfe0261c02b01c971",
                                   "a66dff0813ad2d3c568a9513f59b9f1bf173091d7ce5110f90b26d16beb73993"),
    ("lab", "zh", "photo", 101, 0): ("000a172e1e9a3ce389ad5439726e85b498c268371fbd70c7e7cb78ce3de7623e",
                                     "7b3ad904c8a45698fa2298d78f186a109e7e72773528b99611ac45c14edd4bcb",
                                     "af938d222dd942dbd7a539f91572d466a3b2c529146ede81d926174e06a26d3d"),
}
PINNED_SPLITS = {("med-lab-zh", "test"): "298f18b8c0b4506b", ("med-lab-en-clean", "test"): "57604cbd8d37975b",
                 ("synth-receipt", "test"): "c234b215262be554"}
PINNED_TASKS = {"med-lab-zh": "445fec213b7e4bc4", "med-lab-en-clean": "448a9bf29cd10fea"}


@needs_fonts
@pytest.mark.parametrize("coords", list(PINNED))
def test_old_variants_make_the_same_documents(coords):
    from medvie_synth import generate_document

    image, gt, lines, _meta = generate_document(*coords)
    pixels = hashlib.sha256(image.tobytes()).hexdigest()
    assert (pixels, _sha(gt), hashlib.sha256(json.dumps([ln.model_dump() for ln in lines], ensure_ascii=False)
                                             .encode()).hexdigest()) == PINNED[coords]


def test_old_tasks_keep_split_and_task_hashes():
    reg = TaskRegistry()
    assert {k: split_hash(reg.get(k[0]), k[1]) for k in PINNED_SPLITS} == PINNED_SPLITS
    assert {k: task_hash(reg.get(k)) for k in PINNED_TASKS} == PINNED_TASKS


@needs_fonts
def test_conditions_are_not_part_of_the_data_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path))
    spec = TaskRegistry().get("med-lab-en-clean")
    small = spec.model_copy(update={"source": spec.source.model_copy(update={"splits": {"test": 2}})})
    docs = load_documents(small, "test")
    assert all(d.conditions["capture"] == "flat" and d.conditions["rotation"] == "0" for d in docs)
    bare = [d.model_copy(update={"conditions": {}}) for d in docs]
    assert data_hash(docs) == data_hash(bare)


# ---------------------------------------------------------------- the real variant

def _all_off(**on: float) -> dict:
    from medvie_synth.real_options import CLASSES

    return {"classes": {**dict.fromkeys(CLASSES, 0.0), **on}}


@needs_fonts
def test_real_variant_is_deterministic_from_the_seed():
    from medvie_synth import generate_document

    a = generate_document("lab", "zh", "real", 7, 2)
    b = generate_document("lab", "zh", "real", 7, 2)
    assert a[0].tobytes() == b[0].tobytes() and a[1] == b[1] and a[2] == b[2] and a[3] == b[3]
    c = generate_document("lab", "zh", "real", 7, 3)
    assert c[1] != a[1]


# content class -> (the layout condition it sets, its value when on, when off)
CONTENT = {
    "table_groups": ("table_groups", lambda v: v >= 2, lambda v: v == 1),
    "section_rows": ("section_rows", lambda v: v is True, lambda v: v is False),
    "qualitative": ("qualitative", lambda v: v is True, lambda v: v is False),
    "bilingual_names": ("bilingual_names", lambda v: v is True, lambda v: v is False),
    "abbreviation_column": ("abbreviation_column", lambda v: v is True, lambda v: v is False),
    "mark_glyph": ("abnormal_mark", lambda v: v in ("glyph", "none"), lambda v: v != "glyph"),
}


@needs_fonts
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("name", [*CONTENT, "mixed_columns", "stamp", "signature"])
def test_each_content_class_switches(name, language):
    from medvie_synth.kinds import lab_real
    from medvie_synth.seeding import content_rng

    def layout(options: dict, index: int) -> dict:
        built = lab_real.build(content_rng("lab", language, 31, index), language, options)
        return {**built.meta["layout"], "stamp": built.meta["stamp"], "signature": built.meta["signature"]}

    extra = {"table_groups": 1.0} if name == "mixed_columns" else {}
    key, is_on, is_off = CONTENT.get(name, (name, lambda v: v is True, lambda v: v is False))
    on = [layout(_all_off(**{name: 1.0}, **extra), i)[key] for i in range(3)]
    off = [layout(_all_off(**extra), i)[key] for i in range(3)]
    assert all(map(is_on, on)) and all(map(is_off, off)), (on, off)
    if name == "mark_glyph":
        assert "glyph" in on


@needs_fonts
def test_capture_classes_switch_and_crops_keep_only_what_they_show():
    from medvie_synth import generate_document
    from medvie_synth.conditions import conditions_of

    def doc(**on: float) -> tuple:
        image, gt, lines, meta = generate_document("lab", "zh", "real", 13, 0, _all_off(**on))
        return image, gt, lines, conditions_of(meta)

    image, gt, lines, c = doc()
    assert (c["capture"], c["crop"], c["warp"], c["moire"], c["grayscale"]) == ("photo", "page", "none", False, False)
    full_keys = set(gt)
    image, gt, lines, c = doc(tight_crop=1.0)
    assert c["crop"] in ("table", "body") and image.width >= image.height
    assert 1280 <= image.width <= 1920 and abs(image.width / image.height - 16 / 9) < 0.01
    assert "Indicators" in gt and set(gt) < full_keys
    if c["crop"] == "table":
        assert set(gt) == {"Indicators"}
    texts = [ln.text for ln in lines]
    assert all(any(v in t for t in texts) for row in gt["Indicators"] for v in row.values())
    image, gt, lines, c = doc(fax=1.0)
    arr = np.asarray(image, dtype=np.int16)
    assert c["capture"] == "fax" and c["grayscale"] is True and c["noise"] == "heavy"
    assert np.abs(arr[..., 0] - arr[..., 2]).max() <= 12  # grey (JPEG chroma noise only)
    image, gt, lines, c = doc(screen=1.0)
    assert c["capture"] == "screen" and c["moire"] is True
    image, gt, lines, c = doc(warp=1.0)
    assert c["warp"] in ("mild", "strong")
    assert all(0 <= ln.box[0] <= ln.box[2] <= image.width and 0 <= ln.box[1] <= ln.box[3] <= image.height
               for ln in lines)


def test_bad_class_options_name_the_field(tmp_path):
    base = ("name: t\nversion: 1\nlanguage: zh\nfields: [{key: Name}]\n"
            "source: {type: synth, kind: %s, variant: real, splits: {test: 1}, options: %s}\n")
    for kind, options, needle in (("lab", "{classes: {moire: 1}}", "options.classes.moire: unknown class"),
                                  ("lab", "{classes: {fax: 2}}", "options.classes.fax: a probability"),
                                  ("receipt", "{}", "variant 'real' exists for kind 'lab' only")):
        path = tmp_path / "t.yaml"
        path.write_text(base % (kind, options), encoding="utf-8")
        with pytest.raises(TaskError) as err:
            load_task_file(path)
        assert str(path) in str(err.value) and needle in str(err.value)


def test_levels_read_in_order():
    assert level_order(["≥3°", "0", "<3°"]) == ["0", "<3°", "≥3°"]
    assert level_order(["high", "none", "mid", "low", "(none)"]) == ["none", "low", "mid", "high", "(none)"]
    assert group_by_level([{"g": 2}, {"g": 1}, None, {"g": True}], "g") == {"1": [1], "2": [0], "yes": [3],
                                                                           "(none)": [2]}


# ---------------------------------------------------------------- manifests, records, compare, board

def test_manifest_conditions_are_read_and_bounded(tmp_path, receipts_docs):
    docs = [{**d, "conditions": {"image_type": t, "image_quality": "high"}}
            for d, t in zip(receipts_docs, IMAGE_TYPES, strict=True)]
    path = write_task(tmp_path, "cond", docs)
    read = read_jsonl_manifest(path.with_suffix(".jsonl"))
    assert [d.conditions["image_type"] for d in read] == IMAGE_TYPES
    bad = tmp_path / "bad"
    write_task(bad, "bad", [receipts_docs[0], {**receipts_docs[1], "conditions": {"image_type": ["photo"]}}])
    with pytest.raises(TaskError) as err:
        read_jsonl_manifest(bad / "bad.jsonl")
    assert "bad.jsonl:2" in str(err.value) and "field conditions" in str(err.value)


@pytest.fixture(scope="module")
def cond_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cond")
    docs = []
    for i, t in enumerate(IMAGE_TYPES):
        total = f"{10 + i * 3}.{i % 10}0"
        docs.append({"id": f"r{i:03d}", "conditions": {"image_type": t, "rotated": i % 3 == 0},
                     "gt": {"company": f"SHOP {i} SDN BHD", "date": f"0{1 + i % 9}-02-2019", "total": total},
                     "ocr": f"SHOP {i} SDN BHD\nDATE: 0{1 + i % 9}-02-2019\nTOTAL {total}"})
    write_task(root / "tasks", "cond-mini", docs)
    write_task(root / "tasks", "plain-mini", [{k: v for k, v in d.items() if k != "conditions"} for d in docs])
    reg = TaskRegistry([root / "tasks"])
    runs, s = root / "runs", RunSettings(progress=False)
    out = {"runs": runs, "include": root / "tasks", "docs": docs}
    task = reg.get("cond-mini")
    out["rules"] = run_eval(task, ModelRegistry().get("rules"), s, runs).run_dir
    out["oracle"] = run_eval(task, _spec("oracle"), s, runs, adapter=Oracle("o", 0.4)).run_dir
    out["plain"] = run_eval(reg.get("plain-mini"), ModelRegistry().get("rules"), s, runs).run_dir
    return out


def _records(run: Path) -> list:
    store = RunStore(run)
    return sorted(store.iter_latest(store.read_manifest().cache_key), key=lambda r: r.id)


def test_records_carry_the_documents_conditions(cond_runs):
    by_id = {d["id"]: d["conditions"] for d in cond_runs["docs"]}
    recs = _records(cond_runs["oracle"])
    assert [r.conditions for r in recs] == [by_id[r.id] for r in recs]
    assert all(r.conditions is None for r in _records(cond_runs["plain"]))


def test_compare_by_condition(cond_runs, capsys):
    rc = main(["compare", "rules", "oracle", "--task", "cond-mini", "--runs", str(cond_runs["runs"]),
               "--by", "image_type", "--resamples", "300", "--seed", "3"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    lines = cap.out.splitlines()
    assert "12 documents by image_type" in lines[0]
    counts = {k: np.array([[r.counts["tp"], r.counts["fp"], r.counts["fn"]] for r in _records(cond_runs[k])])
              for k in ("rules", "oracle")}
    conditions = [r.conditions for r in _records(cond_runs["rules"])]
    for level, idx in group_by_level(conditions, "image_type").items():
        comp = S.compare_all({k: v[idx] for k, v in counts.items()}, "f1", 300, 0.05, 3)
        row = next(line for line in lines if line.startswith(f"{level} "))
        assert f"{len(idx):>4}" in row
        for ci in comp.cis:
            assert f"{ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}]" in row
        block = lines.index(f"image_type = {level} ({len(idx)} documents)")
        pair = comp.pair("rules", "oracle")
        assert f"{pair.delta:+.3f}" in lines[block + 2] and f"[{pair.low:+.3f}, {pair.high:+.3f}]" in lines[block + 2]
    assert [line.split()[0] for line in lines[3:6]] == ["pdf", "photo", "screenshot"]


def test_compare_by_refuses_unknown_or_missing_conditions(cond_runs, capsys):
    rc = main(["compare", str(cond_runs["rules"]), "--by", "blur"])
    err = capsys.readouterr().err
    assert rc == 2 and "no record carries condition 'blur'" in err and "image_type, rotated" in err
    rc = main(["compare", str(cond_runs["plain"]), "--by", "image_type"])
    assert rc == 2 and "carry no conditions" in capsys.readouterr().err


def test_leaderboard_shows_f1_by_condition(cond_runs, tmp_path):
    from leaderboard.build import BuildOptions, build_data
    from leaderboard.collect import collect
    from leaderboard.config import load_display
    from leaderboard.render import write_leaderboard

    opt = BuildOptions(resamples=300, include_paths=(cond_runs["include"],))
    data = build_data(collect(cond_runs["runs"], include_paths=opt.include_paths), load_display(None), opt,
                      with_explorer=False)
    task = data["conditions"]["tasks"]["cond-mini"]
    assert set(data["conditions"]["tasks"]) == {"cond-mini"}  # plain-mini's records carry none
    assert list(task["conditions"]) == ["image_type", "rotated"]  # display.yaml's order, then the rest
    levels = {lv["level"]: lv for lv in task["conditions"]["image_type"]}
    idx = [i for i, t in enumerate(IMAGE_TYPES) if t == "pdf"]
    counts = np.array([[r.counts["tp"], r.counts["fp"], r.counts["fn"]] for r in _records(cond_runs["oracle"])])
    ci = S.bootstrap_ci(counts[idx], "f1", 300, 0.05, 0)
    assert levels["pdf"]["n_docs"] == 4
    assert levels["pdf"]["cells"]["oracle"]["f1"] == pytest.approx([ci.estimate, ci.low, ci.high], abs=1e-4)
    paths = write_leaderboard(data, tmp_path / "board")
    html = paths["html"].read_text(encoding="utf-8")
    assert 'id="conditions"' in html and 'href="#conditions"' in html
    assert "pdf" in paths["conditions_csv"].read_text(encoding="utf-8")


@needs_fonts
def test_synthetic_conditions_flow_into_records(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path / "cache"))
    spec = TaskRegistry().get("med-lab-zh-real")
    tiny = spec.model_copy(update={"source": spec.source.model_copy(update={"splits": {"test": 2}})})
    docs = load_documents(tiny, "test")
    run = run_eval(tiny, ModelRegistry().get("rules"), RunSettings(progress=False), tmp_path / "runs").run_dir
    assert [r.conditions for r in _records(run)] == [d.conditions for d in sorted(docs, key=lambda d: d.id)]
    assert {"capture", "rotation", "crop", "table_groups", "moire"} <= set(docs[0].conditions)
    again = load_documents(tiny, "test")  # read back from the cache with the same conditions
    assert [d.conditions for d in again] == [d.conditions for d in docs]


def test_condition_section_in_a_browser(cond_runs, tmp_path):
    from leaderboard.build import BuildOptions, build_data
    from leaderboard.collect import collect
    from leaderboard.config import load_display
    from leaderboard.render import write_leaderboard
    from tests.test_leaderboard_browser import _require_browser, browser, open_page

    _require_browser()
    opt = BuildOptions(resamples=200, include_paths=(cond_runs["include"],), baseline="rules")
    data = build_data(collect(cond_runs["runs"], include_paths=opt.include_paths), load_display(None), opt)
    html = write_leaderboard(data, tmp_path / "board")["html"]
    with browser() as ctx:
        pg = open_page(ctx, html)
        rows = pg.locator("#cond-table tbody tr")
        assert rows.count() == 3
        assert rows.nth(0).locator("td").nth(0).inner_text() == "pdf"
        assert rows.nth(0).locator("td").nth(1).inner_text() == "4"
        pg.select_option("#cond-name", "rotated")
        assert [pg.locator("#cond-table tbody tr").nth(i).locator("td").nth(0).inner_text()
                for i in range(2)] == ["no", "yes"]
        assert pg.locator("#cond-table thead th").count() == 2 + 2  # level, docs, two models
        assert not pg.problems, pg.problems
