"""Source types as plug-ins: the built-ins come from the entry-point group, a user's type is one
module named ``package.module:Class`` in the task YAML, and the generator reaches the core only
through its public modules."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from benchmark.tasks import TaskError, data_hash, load_documents, load_task_file, split_hash
from benchmark.tasks.source_plugins import SourceType, source_type, source_type_names
from tests.conftest import REPO

# A source type a user writes: documents inline in the task YAML (one module, nothing else).
PLUGIN = '''
from typing import Any, Literal

from benchmark.documents import Document
from benchmark.tasks.source_plugins import SourceSpec, SourceType


class InlineSpec(SourceSpec):
    type: Literal["inline_source:Inline"]
    splits: dict[str, list[dict[str, Any]]]


class Inline(SourceType):
    spec = InlineSpec

    def load(self, task, split, limit):
        return [Document(id=f"{split}-{i}", gt=gt) for i, gt in enumerate(task.source.splits[split])]
'''

TASK = '''name: inline
version: 1
language: en
source:
  type: inline_source:Inline
  splits:
    test:
      - {total: "12.50", date: "2024-01-02"}
      - {total: "3.00", date: "2024-02-03"}
fields:
  - key: total
  - key: date
    type: date
'''


@pytest.fixture
def plugin_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "inline_source.py").write_text(PLUGIN)
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "inline.yaml").write_text(TASK)
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    return tmp_path


def test_builtin_types_are_entry_points_whose_spec_names_them():
    assert {"jsonl", "hf", "synth"} <= set(source_type_names())
    for name in ("jsonl", "hf", "synth"):
        plugin = source_type(name)
        assert isinstance(plugin, SourceType)
        assert get_args(plugin.spec.model_fields["type"].annotation) == (name,)
    assert source_type("synth").generated and not source_type("jsonl").generated


def test_a_users_source_type_is_one_module(plugin_folder: Path):
    spec = load_task_file(plugin_folder / "tasks" / "inline.yaml")
    docs = load_documents(spec)
    assert [d.id for d in docs] == ["test-0", "test-1"] and docs[1].gt["total"] == "3.00"
    assert split_hash(spec) == data_hash(docs)  # no split hash of its own: the documents are hashed
    assert load_documents(spec, limit=1) == docs[:1]


def test_a_users_source_type_runs_and_validates_from_the_cli(plugin_folder: Path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_folder / "code"), str(REPO)])}
    base = [sys.executable, "-m", "benchmark.cli"]
    tasks = ["--include-path", str(plugin_folder / "tasks")]
    check = subprocess.run([*base, "tasks", "validate", "--data", *tasks], cwd=plugin_folder, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    assert "inline: split test: 2 documents read" in check.stdout + check.stderr
    run = subprocess.run([*base, "run", "--model", "rules", "--task", "inline", "--out", "runs",
                          *tasks], cwd=plugin_folder, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = next((plugin_folder / "runs" / "inline").glob("rules__*/predictions.jsonl")).read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["test-0", "test-1"]


def test_an_unknown_source_type_names_the_file_field_and_the_known_types(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(TASK.replace("inline_source:Inline", "jsnl"))
    with pytest.raises(TaskError) as err:
        load_task_file(path)
    msg = str(err.value)
    assert str(path) in msg and "field source:" in msg and "unknown source type 'jsnl'" in msg
    assert "'jsonl'" in msg  # the suggestion
    path.write_text(TASK.replace("inline_source:Inline", "no_such_module:Thing"))
    with pytest.raises(TaskError, match=r"field source: source type 'no_such_module:Thing' cannot be imported"):
        load_task_file(path)


def test_a_source_field_problem_keeps_its_place_in_the_yaml(tmp_path: Path):
    (tmp_path / "d.jsonl").write_text('{"id": "a", "gt": {"total": "1"}}\n')
    path = tmp_path / "t.yaml"
    path.write_text("name: t\nversion: 1\nlanguage: en\nsource:\n  type: jsonl\n  splitz:\n    test: d.jsonl\n"
                    "fields:\n  - key: total\n")
    with pytest.raises(TaskError) as err:
        load_task_file(path)
    assert "line 6: field source.splitz: unknown key (did you mean 'splits'?)" in str(err.value)
    assert "field source.splits: required key is missing" in str(err.value)
    path.write_text("name: t\nversion: 1\nlanguage: en\nsource:\n  type: hf\n  path: x/y\n  splits: {test: test}\n"
                    "  image_colum: img\nfields:\n  - key: total\n")
    with pytest.raises(TaskError) as err:
        load_task_file(path)
    assert "line 8: field source.image_colum: unknown key (did you mean 'image_column'?)" in str(err.value)


def _imported_modules(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


# What the generator may use of the core: documents, conditions, the source plug-in interface and
# the task registry's public names. Never the core's internals (runner, scoring, sources' helpers).
PUBLIC_CORE = {"benchmark.documents", "benchmark.conditions", "benchmark.tasks", "benchmark.tasks.errors",
               "benchmark.tasks.jsonl_manifest", "benchmark.tasks.source_plugins", "benchmark.tasks.spec"}


def test_the_generator_uses_only_the_cores_public_modules_and_the_core_never_imports_it():
    core = {m for m in _imported_modules(REPO / "medvie_synth") if m.split(".")[0] == "benchmark"}
    assert core <= PUBLIC_CORE, sorted(core - PUBLIC_CORE)
    for root in ("benchmark", "baselines", "leaderboard", "rlvr"):
        assert not {m for m in _imported_modules(REPO / root) if m.startswith("medvie_synth")}, root
