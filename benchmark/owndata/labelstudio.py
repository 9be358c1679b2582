"""Label Studio: the labelling config (XML) made from a task schema, and tasks to import into it
(with a run's predictions as pre-labels, or the task's gold as annotations). The way back, Label
Studio's JSON export → gold, is ``labelstudio_import``.

Formats, as Label Studio documents them (repository HumanSignal/label-studio):
- JSON export: docs/source/guide/export.md, "Label Studio JSON format of annotated tasks": a list of
  tasks ``{"id", "data", "annotations": [{"id", "result", "was_cancelled", "ground_truth",
  "created_at", "updated_at", "lead_time", "completed_by", "task", ...}], "predictions": [...]}``;
- tasks with pre-annotations: docs/source/guide/predictions.md: ``{"data", "predictions":
  [{"model_version", "score"?, "result"}]}``; rectangles in percent of ``original_width`` and
  ``original_height`` (docs/source/includes/image_units.md);
- repeated rows: the ``Repeater`` tag (docs/source/tags/repeater.md) repeats its children for each
  item of a task data list, replacing ``{{idx}}`` in their names;
- local images: ``/data/local-files/?d=<path under LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmark.documents import Document, OcrLine
from benchmark.owndata.manifest import manifest_path
from benchmark.owndata.problems import Problems
from benchmark.owndata.schema_map import BOX_CONTROL, IDX, IMAGE, LabelMap, Slot, result_id
from benchmark.tasks.errors import TaskError
from benchmark.tasks.sources import UNLABELLED
from benchmark.tasks.spec import TaskSpec

LOCAL_FILES = "/data/local-files/?d="


# ----------------------------------------------------------------------------- labelling config


def labelling_config(spec: TaskSpec, lm: LabelMap, boxes: bool) -> str:
    """The XML of the labelling interface: the image on the left, one text area per field on the
    right, a block of text areas per table row (Repeater), and field boxes when asked."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value=f"{spec.name}: check each field against the image; clear what is not printed")
    cols = ET.SubElement(view, "View", style="display: flex; gap: 1em;")
    left = ET.SubElement(cols, "View", style="flex: 3; min-width: 40%;")
    ET.SubElement(left, "Image", name=IMAGE, value="$image", zoom="true", zoomControl="true", rotateControl="true")
    if boxes:
        rl = ET.SubElement(left, "RectangleLabels", name=BOX_CONTROL, toName=IMAGE)
        for label in lm.box_labels():
            ET.SubElement(rl, "Label", value=label)
    right = ET.SubElement(cols, "View", style="flex: 2; max-height: 95vh; overflow-y: auto;")
    by_key: dict[str, list[Slot]] = {}
    for slot in lm.slots:
        by_key.setdefault(slot.path[0], []).append(slot)
    for f in spec.fields:
        ET.SubElement(right, "Header", value=f"{f.key}" + (f": {f.description}" if f.description else ""), size="5")
        slots = by_key[f.key]
        if f.key in lm.lists:
            rep = ET.SubElement(right, "Repeater", on=f"${lm.rows_key(f.key)}", indexFlag=IDX)
            ET.SubElement(rep, "Header", value=f"{f.key} row {IDX} (leave a row empty to drop it)", size="6")
            row = ET.SubElement(rep, "View", style="display: flex; gap: 0.5em;")
            for slot in slots:
                _textarea(row, slot, placeholder=slot.path[1])
        elif f.type == "list":
            _textarea(right, slots[0], placeholder="one item per entry (Enter adds the next)", one=False)
        else:
            for slot in slots:
                if len(slot.path) > 1:
                    ET.SubElement(right, "Header", value=slot.path[1], size="6")
                _textarea(right, slot, placeholder=slot.field.description or slot.field.type)
    ET.indent(view)
    head = (f"<!-- medvie-bench labelling config for task {spec.name!r}. Control names map back to the schema "
            "on import: do not rename them. -->\n")
    return head + ET.tostring(view, encoding="unicode") + "\n"


def _textarea(parent: ET.Element, slot: Slot, placeholder: str, one: bool = True) -> None:
    attrs = {"name": slot.name, "toName": IMAGE, "editable": "true", "transcription": "true", "rows": "1",
             "placeholder": placeholder[:120]}
    if one:
        attrs["maxSubmissions"] = "1"
    else:
        attrs["showSubmitButton"] = "true"
    ET.SubElement(parent, "TextArea", attrs)


# ----------------------------------------------------------------------------- export


@dataclass
class ExportReport:
    n_tasks: int = 0
    n_predictions: int = 0
    n_annotations: int = 0
    n_boxes: int = 0
    no_prediction: dict[str, str] = field(default_factory=dict)  # doc id → why
    left_out: list[str] = field(default_factory=list)  # "doc: path (why)"


@dataclass(frozen=True)
class ImageUrls:
    """``data.image`` of a task: ``prefix`` + the image path relative to ``root`` (URL-quoted)."""

    root: Path
    prefix: str = LOCAL_FILES

    def url(self, image: str) -> str:
        rel = Path(image).resolve().relative_to(self.root.resolve())
        return self.prefix + quote(rel.as_posix())


def all_documents(spec: TaskSpec, split: str | None = None) -> list[Document]:
    """Every document of the split, labelled or not (the loader evaluates only labelled ones once
    any has gold; labelling needs them all)."""
    from benchmark.tasks import load_documents
    from benchmark.tasks.sources import confinement, read_jsonl_manifest, task_gold

    try:
        path = manifest_path(spec, split)
    except TaskError:
        return load_documents(spec, split)
    return [task_gold(spec, d) for d in read_jsonl_manifest(path, confinement(spec))]


def with_cached_ocr(docs: list[Document], engine: str) -> tuple[list[Document], int]:
    """The documents with the OCR lines ``engine`` gave a run (from the OCR cache; nothing is
    recomputed), for field boxes; and how many were found."""
    from benchmark.ocr import cache, get_engine
    from benchmark.ocr.errors import OcrError

    try:
        version = get_engine(engine).version
    except OcrError:  # the engine is not installed here: no boxes
        return docs, 0
    out, found = [], 0
    for doc in docs:
        hit = None
        if doc.image and not doc.ocr_lines and Path(doc.image).is_file():
            hit = cache.load(cache.cache_path(engine, version, cache.file_sha256(doc.image)))
        out.append(doc.model_copy(update={"ocr_lines": hit[0]}) if hit else doc)
        found += bool(hit)
    return out, found


def _size(image: str) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(image) as im:
            return im.size
    except (OSError, ValueError):
        return None


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def value_box(text: str, lines: list[OcrLine]) -> tuple[float, float, float, float] | None:
    """Where a value is printed, from the OCR lines the model read: the shortest line holding the
    value, else the lines that make up most of it (a multi-line address)."""
    want = _norm(text)
    if len(want) < 2:
        return None
    holding = [ln for ln in lines if want in _norm(ln.text)]
    if holding:
        return min(holding, key=lambda ln: len(ln.text)).box
    parts = [ln for ln in lines if len(_norm(ln.text)) >= 4 and _norm(ln.text) in want]
    if sum(len(_norm(ln.text)) for ln in parts) < 0.6 * len(want):
        return None
    return (min(ln.box[0] for ln in parts), min(ln.box[1] for ln in parts),
            max(ln.box[2] for ln in parts), max(ln.box[3] for ln in parts))


def box_results(lm: LabelMap, values: dict[str, Any], doc: Document, size: tuple[int, int]) -> list[dict[str, Any]]:
    """RectangleLabels results for the single values found in the document's OCR lines."""
    width, height = size
    found, _ = lm.values_by_slot(values)
    out = []
    for slot, row, texts in found:
        if slot.kind != "text" or row is not None or not doc.ocr_lines:
            continue
        box = value_box(texts[0], doc.ocr_lines)
        if box is None:
            continue
        x1, y1, x2, y2 = (max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]), min(float(height), box[3]))
        if x2 <= x1 or y2 <= y1:
            continue
        out.append({
            "id": result_id(doc.id, BOX_CONTROL, slot.label), "from_name": BOX_CONTROL, "to_name": IMAGE,
            "type": "rectanglelabels", "original_width": width, "original_height": height, "image_rotation": 0,
            "value": {"x": 100 * x1 / width, "y": 100 * y1 / height, "width": 100 * (x2 - x1) / width,
                      "height": 100 * (y2 - y1) / height, "rotation": 0, "rectanglelabels": [slot.label]},
        })
    return out


def export_tasks(
    spec: TaskSpec,
    docs: list[Document],
    urls: ImageUrls,
    *,
    predictions: dict[str, dict[str, Any]] | None = None,
    why_missing: dict[str, str] | None = None,
    model_version: str = "",
    boxes: bool = True,
    spare_rows: int = 10,
) -> tuple[list[dict[str, Any]], ExportReport]:
    """Label Studio tasks, one per document: ``data`` (image URL, document id, Repeater rows), the
    gold as an annotation when the document has some, the prediction (``predictions[id]``) as a
    pre-label, with field boxes when ``boxes`` and the document has OCR lines. ``why_missing``: why a
    document has no prediction (a run's error), for the report."""
    lm = LabelMap(spec.fields)
    report = ExportReport()
    problems = Problems()
    tasks = []
    for doc in docs:
        if not doc.image:
            problems.add(f"document {doc.id}", "has no image")
            continue
        try:
            url = urls.url(doc.image)
        except ValueError:
            problems.add(f"document {doc.id}", f"image {doc.image} is not under the image root {urls.root} "
                         "(give --image-root: Label Studio's LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT)")
            continue
        rows: dict[str, int] = {}
        task: dict[str, Any] = {"data": {"image": url, "doc_id": doc.id}}
        if doc.gt and not doc.meta.get(UNLABELLED):
            gold, misfits, gold_rows = lm.to_results(doc.gt, doc.id)
            report.left_out += [f"{doc.id}: gold {m}" for m in misfits]
            rows.update(gold_rows)
            task["annotations"] = [{"result": gold, "ground_truth": False}]
            report.n_annotations += 1
        if predictions is not None:
            pred = predictions.get(doc.id)
            if pred is None:
                report.no_prediction[doc.id] = (why_missing or {}).get(doc.id, "no record in the run")
            else:
                result, misfits, pred_rows = lm.to_results(pred, doc.id)
                report.left_out += [f"{doc.id}: prediction {m}" for m in misfits]
                for key, n in pred_rows.items():
                    rows[key] = max(rows.get(key, 0), n)
                if boxes and doc.ocr_lines and (size := _size(doc.image)):
                    found = box_results(lm, pred, doc, size)
                    report.n_boxes += len(found)
                    result += found
                task["predictions"] = [{"model_version": model_version, "result": result}]
                report.n_predictions += 1
        for key in lm.lists:
            task["data"][lm.rows_key(key)] = [{"row": i} for i in range(rows.get(key, 0) + spare_rows)]
        tasks.append(task)
    problems.raise_if_any(f"task {spec.name!r}: cannot export to Label Studio")
    report.n_tasks = len(tasks)
    return tasks, report


def run_predictions(run_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str], Any]:
    """A run's parsed predictions by document id, the documents without one (and why), its manifest."""
    from benchmark.store import RunStore

    store = RunStore(run_dir)
    try:
        manifest = store.read_manifest()
    except (FileNotFoundError, ValueError) as exc:
        raise TaskError(f"{run_dir}: not a readable run directory ({str(exc).splitlines()[0]})") from exc
    preds: dict[str, dict[str, Any]] = {}
    missing: dict[str, str] = {}
    for rec in store.iter_latest(manifest.cache_key):
        if rec.error_kind or rec.parsed is None:
            missing[rec.id] = rec.error_kind or ("parse error" if rec.parse_error else "no output")
        else:
            preds[rec.id] = rec.parsed
    return preds, missing, manifest
