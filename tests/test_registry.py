"""Task registry: discovery, include paths, overrides, selection and validation errors."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.tasks import TaskError, TaskRegistry, load_documents, load_task_file
from benchmark.tasks.registry import TaskOverrideWarning
from tests.conftest import write_task


def test_builtin_sroie_task_loads_real_documents():
    task = TaskRegistry().get("sroie-sample")
    docs = load_documents(task)
    assert len(docs) == 20
    assert all(Path(d.image).is_file() and d.ocr for d in docs)
    assert set(docs[0].gt) == {"company", "date", "address", "total"}


def test_include_path_adds_tasks_and_recurses(tmp_path, receipts_docs):
    write_task(tmp_path / "a" / "deep", "mine", receipts_docs)
    reg = TaskRegistry([tmp_path])
    assert "mine" in reg.tasks and "sroie-sample" in reg.tasks


def test_env_var_include_path(tmp_path, receipts_docs, monkeypatch):
    write_task(tmp_path, "from-env", receipts_docs)
    monkeypatch.setenv("MEDVIE_INCLUDE_PATH", str(tmp_path))
    assert "from-env" in TaskRegistry().tasks


def test_later_definition_overrides_with_warning(tmp_path, receipts_docs):
    write_task(tmp_path / "one", "dup", receipts_docs)
    write_task(tmp_path / "two", "dup", receipts_docs[:3])
    reg = TaskRegistry([tmp_path / "one", tmp_path / "two"])
    with pytest.warns(TaskOverrideWarning, match="overrides"):
        spec = reg.get("dup")
    assert len(load_documents(spec)) == 3


def test_select_by_name_tag_and_comma_list(tmp_path, receipts_docs):
    write_task(tmp_path, "mine", receipts_docs)
    reg = TaskRegistry([tmp_path])
    assert [t.name for t in reg.resolve("test")] == ["mine"]
    assert {t.name for t in reg.resolve("general")} >= {"mine", "sroie-sample"}
    assert [t.name for t in reg.resolve("mine,sroie-sample,mine")] == ["mine", "sroie-sample"]


def test_unknown_task_suggests_close_names():
    with pytest.raises(TaskError, match="Did you mean 'sroie-sample'"):
        TaskRegistry().resolve("sroie-sampel")


def _bad(tmp_path: Path, text: str) -> Path:
    (tmp_path / "d.jsonl").write_text('{"id": "1", "gt": {"a": "1"}}\n')
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


BASE = """name: bad
version: 1
language: en
source: {type: jsonl, splits: {test: d.jsonl}}
fields: [{key: a}]
"""


def test_unknown_key_names_file_field_and_suggestion(tmp_path):
    path = _bad(tmp_path, BASE + "descripton: typo\n")
    with pytest.raises(TaskError) as err:
        load_task_file(path)
    msg = str(err.value)
    assert str(path) in msg and "field descripton" in msg and "did you mean 'description'" in msg


def test_nested_unknown_key_is_suggested(tmp_path):
    path = _bad(tmp_path, BASE.replace("fields: [{key: a}]", "fields: [{key: a, descriptoin: x}]"))
    with pytest.raises(TaskError, match=r"fields\.0\.descriptoin.*did you mean 'description'"):
        load_task_file(path)


def test_wrong_type_is_reported(tmp_path):
    path = _bad(tmp_path, BASE.replace("fields: [{key: a}]", "fields: [{key: a, type: integer}]"))
    with pytest.raises(TaskError, match=r"field fields\.0\.type"):
        load_task_file(path)


def test_missing_required_key(tmp_path):
    path = _bad(tmp_path, BASE.replace("language: en\n", ""))
    with pytest.raises(TaskError, match="field language: required key is missing"):
        load_task_file(path)


def test_missing_data_file(tmp_path):
    path = _bad(tmp_path, BASE.replace("d.jsonl", "nope.jsonl"))
    with pytest.raises(TaskError, match=r"source\.splits\.test: file not found"):
        load_task_file(path)


def test_bad_template_is_an_error(tmp_path):
    path = _bad(tmp_path, BASE + "prompt: {template: '{{ shema }}'}\n")
    with pytest.raises(TaskError, match=r"prompt\.template: bad jinja2 template.*shema"):
        load_task_file(path)


def test_yaml_that_does_not_parse_is_an_error_not_a_skip(tmp_path, receipts_docs):
    write_task(tmp_path, "good", receipts_docs)
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    with pytest.raises(TaskError, match=r"broken\.yaml: YAML does not parse"):
        _ = TaskRegistry([tmp_path]).tasks


def test_bad_manifest_line_names_file_and_line(tmp_path):
    path = _bad(tmp_path, BASE)
    # (a line without "gt" is an unlabelled document, see test_own_documents; a "gt" that is no object is bad)
    (tmp_path / "d.jsonl").write_text('{"id": "1", "gt": {"a": "1"}}\n{"id": "2", "gt": ["a"]}\n')
    with pytest.raises(TaskError, match=r"d\.jsonl:2: field gt"):
        load_documents(load_task_file(path))


def test_cli_tasks_validate_and_list(tmp_path, capsys):
    assert main(["tasks", "validate"]) == 0
    assert "ok  sroie-sample" in capsys.readouterr().out
    bad = _bad(tmp_path, BASE + "tagz: [x]\n")
    assert main(["tasks", "validate", str(bad)]) == 1
    assert "did you mean 'tags'" in capsys.readouterr().err
    assert main(["tasks", "list"]) == 0
    assert "sroie-sample" in capsys.readouterr().out


def _cord_rows() -> list[dict]:
    from PIL import Image

    rows = []
    for i in range(3):
        img = Image.new("RGB", (40, 30), (255, 255, 255 - i))
        gt = {
            "gt_parse": {"menu": [{"nm": f"TEA {i}", "cnt": "1", "price": "3.00"}], "total": {"total_price": "3.00"}},
            "meta": {"split": "test"},
        }
        rows.append({"image": img, "ground_truth": json.dumps(gt)})
    return rows


def test_hf_parquet_in_cord_v2_layout(tmp_path):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list(_cord_rows()).cast_column("image", datasets.Image())
    ds.to_parquet(str(tmp_path / "cord-test.parquet"))
    (tmp_path / "cord.yaml").write_text(
        """name: cord-mini
version: 1
tags: [general, receipt]
language: en
source:
  type: hf
  path: cord-test.parquet
  splits: {test: test}
  image_column: image
  gt_column: ground_truth
  gt_json_key: gt_parse
fields:
  - key: menu
    type: list
    fields: [{key: nm}, {key: cnt}, {key: price}]
  - key: total
    type: object
    fields: [{key: total_price}]
"""
    )
    spec = TaskRegistry([tmp_path]).get("cord-mini")
    docs = load_documents(spec)
    assert [d.gt["menu"][0]["nm"] for d in docs] == ["TEA 0", "TEA 1", "TEA 2"]
    assert all(Path(d.image).is_file() for d in docs)


def test_no_warning_without_duplicates(tmp_path, receipts_docs):
    write_task(tmp_path, "solo", receipts_docs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TaskRegistry([tmp_path]).get("solo")
