"""Reading a JSONL manifest: one ``{"id", "image", "gt", "ocr"?, ...}`` object per line, the image
path relative to the manifest. Every problem names file, line and field; a line without ``gt`` is
an unlabelled document (``data init``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from benchmark.documents import Document
from benchmark.scoring.depth import MAX_JSON_DEPTH, exceeds_depth
from benchmark.tasks.errors import TaskError, json_type
from benchmark.tasks.source_plugins import outside_problem, regular_file_problem

UNLABELLED = "unlabelled"  # Document.meta flag: the manifest line has no "gt" (no gold yet)
MAX_MANIFEST_LINE_BYTES = 16 << 20  # one document: OCR text and boxes included


def _manifest_lines(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line over ``MAX_MANIFEST_LINE_BYTES`` (skipped)."""
    with path.open("rb") as fh:
        lineno = 0
        while raw := fh.readline(MAX_MANIFEST_LINE_BYTES + 1):
            lineno += 1
            if len(raw) > MAX_MANIFEST_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield lineno, None
            else:
                yield lineno, raw


def _parse_line(raw: bytes, lineno: int, path: Path, folder: Path | None) -> tuple[Document | None, list[str]]:
    """One manifest line → (document, []) or (None, problems as ``field X: problem``)."""
    try:
        text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"]
    try:
        raw_doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"not a JSON object: {exc}"]
    except RecursionError:
        return None, ["not a JSON object: it nests too deeply"]
    if not isinstance(raw_doc, dict):
        return None, [f"not a JSON object: got {json_type(raw_doc)}"]
    if "gt" not in raw_doc and isinstance(raw_doc.get("meta", {}), dict):
        # no gold yet (`medvie-bench data init`): runnable for pre-labels, not scorable
        raw_doc.update(gt={}, meta={**raw_doc.get("meta", {}), UNLABELLED: True})
    problems = []
    if not isinstance(raw_doc.get("gt"), dict):
        problems.append(f"field gt: must be a JSON object (field name → value), got {json_type(raw_doc.get('gt'))}")
    elif exceeds_depth(raw_doc["gt"]):
        problems.append(f"field gt: nests deeper than {MAX_JSON_DEPTH} levels")
    image = raw_doc.get("image")
    if image is not None and not isinstance(image, str):
        problems.append(f"field image: must be a path (a string), got {json_type(image)}")
    elif image:
        target = path.parent / image
        problem = outside_problem(target, folder, image) or regular_file_problem(target)
        if problem:
            problems.append(f"field image: {problem}")
        raw_doc["image"] = str(target.resolve())
    if problems:
        return None, problems
    try:
        return Document.model_validate(raw_doc), []
    except ValidationError as exc:
        return None, [f"field {'.'.join(map(str, e['loc'])) or '(line)'}: {e['msg']}" for e in exc.errors()]


def iter_manifest(
    path: Path, folder: Path | None = None, problems: list[str] | None = None
) -> Iterator[tuple[int, Document]]:
    """(line number, document) per line of a JSONL manifest; ``image`` is relative to the manifest
    and, when ``folder`` is given, must resolve inside it. A problem is a ``TaskError`` naming
    file, line and field, or, when ``problems`` is given, one line appended there per problem
    (reading goes on, so a check can report them all)."""

    def report(lineno: int, problem: str) -> None:
        message = f"{path}:{lineno}: {problem}"
        if problems is None:
            raise TaskError(message)
        problems.append(message)

    seen: dict[str, int] = {}
    try:
        lines = _manifest_lines(path)
        for lineno, raw in lines:
            if raw is None:
                report(lineno, f"line longer than {MAX_MANIFEST_LINE_BYTES:,} bytes")
                continue
            if not raw.strip():
                continue
            doc, found = _parse_line(raw, lineno, path, folder)
            for problem in found:
                report(lineno, problem)
            if doc is None:
                continue
            if doc.id in seen:
                report(lineno, f"field id: duplicate document id {doc.id!r} (first on line {seen[doc.id]})")
                continue
            seen[doc.id] = lineno
            yield lineno, doc
    except OSError as exc:
        report(0, f"cannot read: {exc.strerror or exc}")


def read_jsonl_manifest(path: Path, folder: Path | None = None) -> list[Document]:
    """One document per line; ``image`` is relative to the manifest (inside ``folder`` when given).
    Errors name file, line and field. A line without ``gt`` is an unlabelled document: empty gold
    and ``meta["unlabelled"]``."""
    return [doc for _, doc in iter_manifest(path, folder)]
