"""Tests of the synthetic document generator (medvie_synth): small and fast."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from medvie_synth.fonts import APT_COMMAND, check_fonts

pytestmark = pytest.mark.skipif(bool(check_fonts()), reason=f"fonts missing: {APT_COMMAND}")

import medvie_synth as synth  # noqa: E402
from benchmark.tasks import TaskRegistry, load_documents, load_task_file  # noqa: E402
from benchmark.tasks.sources import read_jsonl_manifest  # noqa: E402
from medvie_synth.cache import load_split  # noqa: E402
from medvie_synth.generate import generate_document  # noqa: E402
from medvie_synth.source import SynthSource  # noqa: E402
from medvie_synth.tables.lab_tests import direction, parse_reference  # noqa: E402

ALL_KINDS = [("lab", "en"), ("lab", "zh"), ("imaging", "en"), ("imaging", "zh"),
             ("pathology", "en"), ("pathology", "zh"), ("prescription", "en"),
             ("prescription", "zh"), ("receipt", "en"), ("cord", "en"), ("ticket", "zh")]
SYNTH_TASKS = ["med-lab-en", "med-lab-zh", "med-lab-en-clean", "med-lab-zh-clean",
               "med-imaging-en", "med-imaging-zh", "med-pathology-en", "med-pathology-zh",
               "med-prescription-en", "med-prescription-zh", "synth-receipt", "synth-cord",
               "synth-ticket"]
UP, DOWN = {"↑", "H"}, {"↓", "L"}


def image_hash(image) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def leaf_values(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from leaf_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaf_values(v)
    else:
        yield str(value)


@pytest.mark.parametrize(("kind", "variant"), [("lab", "photo"), ("imaging", "clean"),
                                               ("receipt", "photo")])
def test_same_arguments_give_the_same_document(kind, variant):
    language = "en"
    a = generate_document(kind, language, variant, 7, 3)
    b = generate_document(kind, language, variant, 7, 3)
    assert a[1] == b[1]
    assert image_hash(a[0]) == image_hash(b[0])
    assert a[2] == b[2]
    c = generate_document(kind, language, variant, 7, 4)
    assert c[1] != a[1]


def test_clean_and_photo_print_the_same_content():
    clean = generate_document("lab", "zh", "clean", 11, 0)
    photo = generate_document("lab", "zh", "photo", 11, 0)
    assert clean[1] == photo[1]
    assert [line.text for line in clean[2]] == [line.text for line in photo[2]]
    assert photo[3]["variant"] == "photo" and 0 <= photo[3]["severity"] <= 1


@pytest.mark.parametrize(("kind", "language"), ALL_KINDS)
def test_every_gt_value_is_printed_in_the_gold_ocr(kind, language):
    for index in range(2):
        image, gt, lines, meta = generate_document(kind, language, "clean", 5, index)
        ocr = squash("\n".join(line.text for line in lines))
        assert gt, meta
        for value in leaf_values(gt):
            assert value.strip(), f"empty value in {gt}"
            assert squash(value) in ocr, f"{kind}-{language} #{index}: {value!r} not printed"
        w, h = image.size
        for line in lines:
            x1, y1, x2, y2 = line.box
            assert 0 <= x1 <= x2 <= w and 0 <= y1 <= y2 <= h, line


def test_photo_boxes_stay_inside_the_image():
    image, _, lines, _ = generate_document("lab", "en", "photo", 3, 1, {"severity": 1.0})
    w, h = image.size
    assert all(0 <= ln.box[0] <= ln.box[2] <= w and 0 <= ln.box[1] <= ln.box[3] <= h
               for ln in lines)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_abnormal_marks_agree_with_value_and_range(language):
    checked = 0
    for index in range(6):
        _, gt, _, _ = generate_document("lab", language, "clean", 21, index)
        rows = gt["Indicators"]
        assert 8 <= len(rows) <= 30
        for row in rows:
            mark = row.get("Abnormal Mark", "")
            reference = row.get("Reference Range", "")
            try:
                value = float(row["Result"])
            except ValueError:  # qualitative: flagged exactly when it differs from the normal
                if mark:
                    assert mark in UP and row["Result"] != reference, row
                continue
            low, high = parse_reference(reference)
            expected = direction(value, low, high)
            got = "H" if mark in UP else "L" if mark in DOWN else ""
            assert got == expected, row
            checked += 1
    assert checked > 20


def test_superscript_units_keep_the_caret_form():
    units = set()
    for index in range(8):
        _, gt, _lines, _ = generate_document("lab", "zh", "clean", 2, index, {"panel": "cbc"})
        units |= {row.get("Unit", "") for row in gt["Indicators"]}
    assert "10^9/L" in units


def test_splits_use_disjoint_seeds(tmp_path):
    src = SynthSource(type="synth", kind="receipt", language="en", variant="clean", seed=4,
                      splits={"train": 2, "test": 2})
    train = load_split(src, "train", tmp_path)
    test = load_split(src, "test", tmp_path)
    assert [d.id for d in test] == ["receipt-en-test-0000", "receipt-en-test-0001"]
    assert not {json.dumps(d.gt) for d in train} & {json.dumps(d.gt) for d in test}


def test_load_split_caches_and_reads_back(tmp_path, monkeypatch):
    src = SynthSource(type="synth", kind="lab", language="en", variant="photo", seed=9,
                      splits={"test": 2})
    first = load_split(src, "test", tmp_path)
    assert all(Path(d.image).is_file() and d.image.endswith(".jpg") for d in first)
    assert first[0].ocr == "\n".join(line.text for line in first[0].ocr_lines)

    def boom(*args, **kwargs):
        raise AssertionError("generated again instead of reading the cache")

    monkeypatch.setattr("medvie_synth.cache.generate_document", boom)
    again = load_split(src, "test", tmp_path)
    assert [d.model_dump() for d in again] == [d.model_dump() for d in first]


def test_task_yamls_validate_and_load(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path))
    tasks = TaskRegistry().tasks
    for name in SYNTH_TASKS:
        spec = tasks[name]
        assert spec.source.type == "synth"
        assert spec.source.splits == {"train": 100, "dev": 50, "test": 200}
        small = spec.model_copy(update={"source": spec.source.model_copy(
            update={"splits": {"test": 1}})})
        (doc,) = load_documents(small, "test")
        keys = {f.key for f in spec.fields}
        assert set(doc.gt) <= keys, (name, set(doc.gt) - keys)
        assert doc.meta["kind"] == spec.source.kind


@pytest.fixture(scope="module")
def few_docs(tmp_path_factory):
    src = SynthSource(type="synth", kind="lab", language="zh", variant="clean", seed=1,
                      splits={"test": 2})
    return load_split(src, "test", tmp_path_factory.mktemp("cache"))


def test_jsonl_export_round_trip(few_docs, tmp_path):
    manifest = synth.to_jsonl(few_docs, tmp_path / "out")
    first = json.loads(manifest.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"id", "image", "gt", "ocr"}
    back = read_jsonl_manifest(manifest)
    assert [(d.id, d.gt, d.ocr) for d in back] == [(d.id, d.gt, d.ocr) for d in few_docs]
    assert all(Path(d.image).read_bytes() == Path(o.image).read_bytes()
               for d, o in zip(back, few_docs, strict=False))


def test_hf_export_round_trip(few_docs, tmp_path, monkeypatch):
    pytest.importorskip("datasets")
    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path / "cache"))
    ds = synth.to_hf_dataset(few_docs)
    assert ds.column_names == ["id", "image", "ground_truth", "ocr"]
    ds.save_to_disk(str(tmp_path / "ds"))
    task = tmp_path / "hf-task.yaml"
    task.write_text(
        "name: hf-roundtrip\nversion: 1\nlanguage: zh\n"
        "source: {type: hf, path: ./ds, splits: {test: test}, id_column: id, ocr_column: ocr}\n"
        "fields: [{key: Name}]\n", encoding="utf-8")
    back = load_documents(load_task_file(task), "test")
    # the task asks for Name only, so that is all of the gold it scores (the export keeps everything)
    assert [(d.id, d.gt, d.ocr) for d in back] == [(d.id, {"Name": d.gt["Name"]}, d.ocr) for d in few_docs]
    assert [json.loads(g) for g in ds["ground_truth"]] == [d.gt for d in few_docs]


def test_cli_preview_and_export(tmp_path, monkeypatch):
    from medvie_synth.cli import main

    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path / "cache"))
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "tiny.yaml").write_text(
        "name: tiny-synth\nversion: 1\nlanguage: en\n"
        "source: {type: synth, kind: cord, variant: clean, splits: {test: 2}}\n"
        "fields: [{key: menu, type: list, fields: [{key: nm}]}]\n", encoding="utf-8")
    sheet = tmp_path / "sheet.png"
    assert main(["--include-path", str(tasks), "data", "preview", "--task", "tiny-synth",
                 "-n", "2", "--out", str(sheet)]) == 0
    assert sheet.stat().st_size > 1000
    out = tmp_path / "export"
    assert main(["--include-path", str(tasks), "data", "export", "--task", "tiny-synth",
                 "--split", "test", "--format", "jsonl", "--out", str(out)]) == 0
    assert len(read_jsonl_manifest(out / "manifest.jsonl")) == 2
    assert main(["data", "preview", "--task", "no-such-task"]) == 2


def test_unknown_kind_and_language_are_clear_errors():
    with pytest.raises(ValueError, match="unknown synth kind"):
        generate_document("xray", "en", "clean", 0, 0)
    with pytest.raises(ValueError, match="no language"):
        generate_document("receipt", "zh", "clean", 0, 0)
