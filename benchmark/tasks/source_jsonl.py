"""The ``jsonl`` source type: a JSONL manifest per split (see ``jsonl_manifest``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from benchmark.tasks.errors import TaskError
from benchmark.tasks.gold_check import document_problems
from benchmark.tasks.jsonl_manifest import UNLABELLED, iter_manifest, read_jsonl_manifest
from benchmark.tasks.source_plugins import (
    FileSourceSpec,
    SourceType,
    confinement,
    outside_problem,
    regular_file_problem,
    task_folder,
)

if TYPE_CHECKING:
    from benchmark.documents import Document
    from benchmark.tasks.spec import TaskSpec


class JsonlSource(FileSourceSpec):
    """A JSONL manifest per split: one ``{"id", "image", "gt", "ocr"?}`` object per line, the image
    path relative to the manifest."""

    type: Literal["jsonl"]
    splits: dict[str, str]


class JsonlSourceType(SourceType):
    spec = JsonlSource

    def load(self, task: TaskSpec, split: str, limit: int | None) -> list[Document]:
        for field, problem in self.path_problems(task):  # a spec made in code skipped the registry
            raise TaskError(f"{task.path or task.name}: field {field}: {problem}")
        src = cast(JsonlSource, task.source)
        docs = read_jsonl_manifest(task_folder(task) / src.splits[split], confinement(task))
        labelled = [d for d in docs if not d.meta.get(UNLABELLED)]
        return labelled or docs  # once any document has gold, the unlabelled ones are not evaluated

    def path_problems(self, task: TaskSpec) -> list[tuple[str, str]]:
        """Each manifest must exist, be a regular file and lie inside the task's folder."""
        src = cast(JsonlSource, task.source)
        base, folder = task_folder(task), confinement(task)
        problems = []
        for split, rel in src.splits.items():
            target = base / rel
            problem = outside_problem(target, folder, rel) or regular_file_problem(target)
            if problem:
                problems.append((f"source.splits.{split}", problem))
        return problems

    def check_data(self, task: TaskSpec) -> tuple[list[str], list[str]]:
        """Every line of every manifest, all problems reported (not only the first); gold keys the
        task lacks are problems (the manifest is written for the task)."""
        src = cast(JsonlSource, task.source)
        problems: list[str] = []
        notes: list[str] = []
        for split, rel in src.splits.items():
            manifest = task_folder(task) / rel
            n = unlabelled = 0
            for lineno, doc in iter_manifest(manifest, confinement(task), problems):
                n += 1
                unlabelled += bool(doc.meta.get(UNLABELLED))
                problems.extend(document_problems(task, doc, f"{manifest}:{lineno}", unknown_keys=True))
            notes.append(f"{task.name}: split {split}: {n} documents read" +
                         (f" ({unlabelled} without gold)" if unlabelled else ""))
        return problems, notes
