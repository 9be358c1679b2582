"""Prompt snapshots: the schema prompt, thinking on/off and keys all/random give the prompts they
should. Set MEDVIE_UPDATE_SNAPSHOTS=1 to rewrite the snapshot files after an intended change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmark.documents import Document
from benchmark.prompts import KeySampling, build_prompt, sample_keys, schema_prompt
from benchmark.tasks import TaskRegistry

SNAPSHOTS = Path(__file__).parent / "snapshots"
DOC = Document(
    id="doc-1",
    image="/data/doc-1.jpg",
    gt={"Name": "Li Lei", "Age": "45", "Department": "内科", "Indicators": [{"Item Name": "WBC", "Result": "6.5"}]},
    ocr="姓名: Li Lei  年龄: 45\n科别: 内科\nWBC 6.5 10^9/L 3.5-9.5",
)


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("MEDVIE_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; run with MEDVIE_UPDATE_SNAPSHOTS=1 to write it"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def task():
    return TaskRegistry().get("med-lab-en")


def test_schema_prompt_keeps_one_list_element_and_descriptions(task):
    schema = schema_prompt(task)
    assert schema.count('"Item Name": ""') == 1
    assert "//" in schema and '"Indicators": [' in schema
    _check("schema-med-lab-en", schema)


@pytest.mark.parametrize("thinking", [False, True])
@pytest.mark.parametrize("keys", ["all", "random:2"])
def test_prompt_snapshots(task, thinking, keys):
    prompt = build_prompt(task, DOC, sampling=KeySampling.parse(keys), thinking=thinking, seed=7,
                          use_image=True, use_ocr=True)
    text = prompt.text
    if thinking:
        assert "<think>" in text and "<answer>" in text
    else:
        assert "<think>" not in text and "JSON object only" in text
    if keys == "all":
        assert prompt.queried_keys is None and '"Sample Collection Time"' in text
    else:
        assert len(prompt.queried_keys) == 2 and set(prompt.queried_keys) <= set(DOC.gt)
        assert '"Sample Collection Time"' not in text
    assert prompt.messages[-1]["content"][0] == {"type": "image", "image": "/data/doc-1.jpg"}
    _check(f"prompt-{'thinking' if thinking else 'direct'}-{keys.replace(':', '')}", text)


def test_random_keys_are_seeded_per_document(task):
    sampling = KeySampling.parse("random:2")
    assert sample_keys(task, DOC, sampling, 7) == sample_keys(task, DOC, sampling, 7)
    draws = {tuple(sample_keys(task, DOC, sampling, s)) for s in range(30)}
    assert len(draws) > 1
