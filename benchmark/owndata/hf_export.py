"""``data export --format hf``: a task's labelled documents as a Hugging Face ``datasets``
DatasetDict on disk (``save_to_disk``), with a dataset card (README.md) and a task YAML whose
``hf`` source reads the folder back. Nothing is uploaded: ``push_to_hub`` stays the user's command.

Columns: ``id`` (string), ``image`` (``Image``: the original file's bytes), ``ground_truth`` (the
gold as a JSON string, keys in schema order), ``ocr`` (text or null), ``ocr_lines`` (JSON string of
``[{"text", "box"}]`` or null; the ``hf`` source does not read it).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmark import __version__
from benchmark.documents import Document
from benchmark.owndata.skeleton import dump_yaml, schema_entries
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import FieldSpec, TaskSpec

TASK_FILE = "task.yaml"
CARD_FILE = "README.md"
_SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")  # what datasets accepts as a split name
# Hugging Face card licence ids for the licence texts tasks use (first match wins).
_LICENSES = (
    (r"cc[\s-]*by[\s-]*nc[\s-]*sa[\s-]*4", "cc-by-nc-sa-4.0"),
    (r"cc[\s-]*by[\s-]*nc[\s-]*4", "cc-by-nc-4.0"),
    (r"cc[\s-]*by[\s-]*sa[\s-]*4", "cc-by-sa-4.0"),
    (r"cc[\s-]*by[\s-]*4", "cc-by-4.0"),
    (r"cc0", "cc0-1.0"),
    (r"apache[\s-]*2", "apache-2.0"),
    (r"\bmit\b", "mit"),
)


def license_id(text: str | None) -> str:
    if not text:
        return "unknown"
    low = text.casefold()
    return next((hf for pattern, hf in _LICENSES if re.search(pattern, low)), "other")


@dataclass(frozen=True)
class HfExport:
    folder: Path
    splits: dict[str, int]
    task_file: Path


def _labelled(spec: TaskSpec, split: str) -> list[Document]:
    from benchmark.tasks import load_documents

    docs = load_documents(spec, split)
    if not any(d.gt for d in docs):
        raise TaskError(f"task {spec.name!r} split {split!r} has no gold: label it first (`medvie-bench data import`)")
    return docs


def _columns(docs: list[Document]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {"id": [], "image": [], "ground_truth": [], "ocr": [], "ocr_lines": []}
    for d in docs:
        if not d.image or not Path(d.image).is_file():
            raise TaskError(f"document {d.id!r}: image not found: {d.image}")
        cols["id"].append(d.id)
        cols["image"].append({"bytes": Path(d.image).read_bytes(), "path": Path(d.image).name})
        cols["ground_truth"].append(json.dumps(d.gt, ensure_ascii=False))
        cols["ocr"].append(d.ocr)
        cols["ocr_lines"].append(
            json.dumps([ln.model_dump(mode="json", exclude_none=True) for ln in d.ocr_lines], ensure_ascii=False)
            if d.ocr_lines else None)
    return cols


def _schema_lines(fields: list[FieldSpec], indent: str = "") -> list[str]:
    lines = []
    for f in fields:
        desc = f" — {f.description}" if f.description else ""
        lines.append(f"{indent}- `{f.key}` ({f.type}){desc}")
        if f.fields:
            lines += _schema_lines(f.fields, indent + "  ")
    return lines


def dataset_card(spec: TaskSpec, name: str, splits: dict[str, int], license_text: str | None,
                 citation: str | None) -> str:
    n = sum(splits.values())
    size = "n<1K" if n < 1000 else "1K<n<10K" if n < 10_000 else "10K<n<100K"
    meta = {
        "license": license_id(license_text),
        "language": [spec.language],
        "pretty_name": name,
        "task_categories": ["image-to-text"],
        "tags": sorted({"medvie-bench", "visual-information-extraction", *spec.tags}),
        "size_categories": [size],
    }
    split_lines = [f"| {s} | {k} |" for s, k in splits.items()]
    cite = citation or "No citation given (set `citation:` in the task YAML)."
    return "\n".join([
        "---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
        f"# {name}", "", spec.description or f"Documents of the medvie-bench task `{spec.name}`.", "",
        "Visual information extraction: a document image in, a JSON object of the fields below out.", "",
        "## Schema", "", *_schema_lines(spec.fields), "",
        "## Splits", "", "| split | documents |", "|---|---|", *split_lines, "",
        "## Columns", "",
        "- `id`: the document id", "- `image`: the document image (the original file)",
        "- `ground_truth`: the gold as a JSON string (fields not printed on the document are absent)",
        "- `ocr`: OCR text, lines joined by newlines (null when the task has none)",
        "- `ocr_lines`: OCR lines with boxes `[x1, y1, x2, y2]` in pixels, as a JSON string (or null)", "",
        "## Licence", "", license_text or "Unknown: set `license:` in the task YAML before you share this dataset.", "",
        "## Citation", "", cite, "",
        "## Use", "",
        "```python", "import datasets, json",
        f'ds = datasets.load_from_disk("{name}")  # or load_dataset("<user>/{name}") once pushed',
        f'gold = json.loads(ds["{next(iter(splits))}"][0]["ground_truth"])', "```", "",
        f"With medvie-bench: `medvie-bench run --model rules --task {TASK_FILE}` reads this folder through "
        "the task's `hf` source.", "",
        f"Made with medvie-bench {__version__} from task `{spec.name}` version {spec.version}.", "",
    ])


def _task_yaml(spec: TaskSpec, name: str, splits: dict[str, int], license_text: str | None,
               citation: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name, "version": spec.version, "description": spec.description, "tags": spec.tags,
        "language": spec.language,
        "source": {"type": "hf", "path": ".", "splits": {s: s for s in splits}, "image_column": "image",
                   "gt_column": "ground_truth", "id_column": "id", "ocr_column": "ocr"},
        "default_split": spec.default_split if spec.default_split in splits else next(iter(splits)),
        **schema_entries(spec.fields, spec.prompt, spec.scoring, license_text, citation),
    }
    return data


def export_hf(spec: TaskSpec, out: Path, *, name: str | None = None, splits: list[str] | None = None,
              license_text: str | None = None, citation: str | None = None, force: bool = False) -> HfExport:
    """Write the DatasetDict, card and task YAML to a temporary folder next to ``out``, then move
    it into place: ``out`` holds a whole export or nothing."""
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise TaskError("the Hugging Face export needs 'datasets': pip install 'medvie-bench[datasets]'") from exc
    from benchmark.tasks import load_task_file

    name = name or spec.name
    splits = splits or list(spec.source.splits)
    bad = [s for s in splits if not _SPLIT_NAME.match(s)]
    if bad:
        raise TaskError(f"split name(s) {bad}: Hugging Face split names are letters, digits, '_' and '.'")
    if out.exists() and not force:
        raise TaskError(f"{out}: exists; choose another --out or give --force")
    license_text = license_text or spec.license
    citation = citation or spec.citation
    docs = {s: _labelled(spec, s) for s in splits}
    features = datasets.Features({
        "id": datasets.Value("string"), "image": datasets.Image(), "ground_truth": datasets.Value("string"),
        "ocr": datasets.Value("string"), "ocr_lines": datasets.Value("string"),
    })
    dd = datasets.DatasetDict({s: datasets.Dataset.from_dict(_columns(d), features=features) for s, d in docs.items()})
    counts = {s: len(d) for s, d in docs.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        dd.save_to_disk(str(tmp))
        (tmp / CARD_FILE).write_text(dataset_card(spec, name, counts, license_text, citation), encoding="utf-8")
        task = _task_yaml(spec, name, counts, license_text, citation)
        (tmp / TASK_FILE).write_text(dump_yaml(task), encoding="utf-8")
        load_task_file(tmp / TASK_FILE)  # the task must load before the folder is published
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return HfExport(out, counts, out / TASK_FILE)
