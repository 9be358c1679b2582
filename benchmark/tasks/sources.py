"""Loading a task split's documents from its data source (JSONL manifest, HF dataset, synth)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.documents import Document
from benchmark.scoring.depth import MAX_JSON_DEPTH, exceeds_depth
from benchmark.scoring.normalize import normalize_key
from benchmark.tasks.errors import TaskError
from benchmark.tasks.spec import HfSource, JsonlSource, SynthSource, TaskSpec

UNLABELLED = "unlabelled"  # Document.meta flag: the manifest line has no "gt" (no gold yet)


def cache_root() -> Path:
    """Where generated and decoded files go (``MEDVIE_CACHE``, default ``~/.cache/medvie-bench``)."""
    return Path(os.environ.get("MEDVIE_CACHE", Path.home() / ".cache" / "medvie-bench"))


def load_documents(spec: TaskSpec, split: str | None = None, limit: int | None = None) -> list[Document]:
    """The split's documents (the first ``limit`` only; a synth source then generates no more),
    with each gold restricted to the task's schema (see ``task_gold``)."""
    return [task_gold(spec, d) for d in _load_source(spec, split, limit)]


def task_gold(spec: TaskSpec, doc: Document) -> Document:
    """The document with only the gold fields its task asks for. A task may define a subset of a
    data source's fields (``rlvr/tasks/med-lab-en-header.yaml`` drops the lab table): what it never
    asks for is neither a miss to score nor an answer to train on."""
    wanted = {normalize_key(k) for k in spec.top_keys()}
    if all(normalize_key(str(k)) in wanted for k in doc.gt):
        return doc
    return doc.model_copy(update={"gt": {k: v for k, v in doc.gt.items() if normalize_key(str(k)) in wanted}})


def _load_source(spec: TaskSpec, split: str | None, limit: int | None) -> list[Document]:
    split = split or spec.default_split
    if split not in spec.source.splits:
        raise TaskError(f"task {spec.name!r} has no split {split!r} (splits: {', '.join(spec.source.splits)})")
    src = spec.source
    base = spec.path.parent if spec.path else Path.cwd()
    if isinstance(src, SynthSource):
        from benchmark import synth

        return synth.load_split(src, split, cache_root() / "synth", limit=limit)
    if isinstance(src, JsonlSource):
        for field, problem in source_path_problems(spec):  # a spec made in code skipped the registry
            raise TaskError(f"{spec.path or spec.name}: field {field}: {problem}")
        docs = read_jsonl_manifest(base / src.splits[split], confinement(spec))
        labelled = [d for d in docs if not d.meta.get(UNLABELLED)]
        docs = labelled or docs  # once any document has gold, the unlabelled ones are not evaluated
    else:
        docs = _load_hf(spec, src, split, base)
    return docs[:limit] if limit else docs
    raise TaskError(f"task {spec.name!r}: unsupported source {type(src).__name__}")  # pragma: no cover


MAX_MANIFEST_LINE_BYTES = 16 << 20  # one document: OCR text and boxes included
OPT_IN = "source.allow_paths_outside_folder"
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "true/false", type(None): "null"}


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def outside_problem(target: Path, folder: Path | None, shown: str) -> str | None:
    """Why ``target`` may not be read: it resolves (symlinks followed) outside ``folder``. None when
    it may (inside, or ``folder`` is None: no confinement)."""
    if folder is None:
        return None
    try:
        resolved = target.resolve()
        inside = resolved.is_relative_to(folder.resolve())
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return f"{shown!r} cannot be resolved: {exc}"
    if inside:
        return None
    return (f"{shown!r} resolves to {resolved}, outside the task folder {folder.resolve()} "
            f"(set {OPT_IN}: true in the task YAML to allow that)")


def regular_file_problem(target: Path) -> str | None:
    if target.is_file():
        return None
    if not target.exists():
        return f"file not found: {target}"
    resolved = target.resolve()
    return f"not a regular file: {target}" + (f" (a link to {resolved})" if resolved != target else "")


def confinement(spec: TaskSpec) -> Path | None:
    """The folder a task's data paths must stay in (None when the task opts out)."""
    if getattr(spec.source, "allow_paths_outside_folder", False):
        return None
    return spec.path.parent if spec.path else Path.cwd()


def source_path_problems(spec: TaskSpec) -> list[tuple[str, str]]:
    """(field, problem) for the files a task's source names: manifests (must exist, be regular
    files, inside the folder) and a local HF dataset path."""
    src = spec.source
    base = spec.path.parent if spec.path else Path.cwd()
    folder = confinement(spec)
    problems: list[tuple[str, str]] = []
    if isinstance(src, JsonlSource):
        for split, rel in src.splits.items():
            target = base / rel
            problem = outside_problem(target, folder, rel) or regular_file_problem(target)
            if problem:
                problems.append((f"source.splits.{split}", problem))
    elif isinstance(src, HfSource):
        local = base / src.path
        looks_local = src.path.startswith((".", "/")) or src.path.endswith((".parquet", ".jsonl", ".json"))
        matches = sorted(local.parent.glob(local.name)) if "*" in local.name and local.parent.is_dir() else []
        if looks_local or local.exists() or matches:
            problem = next(filter(None, (outside_problem(p, folder, src.path) for p in [local, *matches])), None)
            if problem is None and not (local.exists() or matches):
                problem = f"not found: {local}"
            if problem:
                problems.append(("source.path", problem))
    return problems


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


def _open_hf(src: HfSource, split: str, base: Path) -> Any:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise TaskError("HF sources need the 'datasets' package: pip install 'medvie-bench[datasets]'") from exc
    local = base / src.path
    name = src.splits[split]
    if local.is_dir() and (local / "dataset_dict.json").exists():
        return datasets.load_from_disk(str(local))[name]
    if local.is_dir() and (local / "dataset_info.json").exists():
        return datasets.load_from_disk(str(local))
    if src.path.endswith(".parquet") or (local.parent.exists() and "*" in local.name):
        return datasets.load_dataset("parquet", data_files={name: str(local)}, split=name)
    if local.is_dir():
        return datasets.load_dataset(str(local), src.name, split=name)
    return datasets.load_dataset(src.path, src.name, split=name, revision=src.revision)


def _load_hf(spec: TaskSpec, src: HfSource, split: str, base: Path) -> list[Document]:
    ds = _open_hf(src, split, base)
    missing = [c for c in (src.image_column, src.gt_column) if c not in ds.column_names]
    if missing:
        raise TaskError(f"{spec.path}: field source: column(s) {missing} not in dataset (columns: {ds.column_names})")
    image_dir = cache_root() / "hf-images" / spec.name / split
    image_dir.mkdir(parents=True, exist_ok=True)
    docs: list[Document] = []
    i = -1
    try:
        for i, row in enumerate(ds):
            docs.append(_hf_document(spec, src, split, i, row, image_dir))
    except TaskError:
        raise
    except Exception as exc:  # a row the datasets library cannot decode (e.g. an image bomb)
        raise TaskError(f"{spec.path}: row {i + 1}: cannot read: {type(exc).__name__}: {exc}") from exc
    return docs


_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,120}")


def _hf_document(spec: TaskSpec, src: HfSource, split: str, i: int, row: dict[str, Any], image_dir: Path) -> Document:
    doc_id = str(row[src.id_column]) if src.id_column else f"{split}-{i:06d}"
    gt = row[src.gt_column]
    if isinstance(gt, str):
        try:
            gt = json.loads(gt)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise TaskError(f"{spec.path}: row {i}: column {src.gt_column!r} is not JSON: {exc}") from exc
    if src.gt_json_key:
        if not isinstance(gt, dict) or src.gt_json_key not in gt:
            raise TaskError(f"{spec.path}: row {i}: ground truth has no key {src.gt_json_key!r}")
        gt = gt[src.gt_json_key]
    if not isinstance(gt, dict):
        raise TaskError(f"{spec.path}: row {i}: column {src.gt_column!r} must hold a JSON object, got {json_type(gt)}")
    # the id names a file in the cache: one that could leave the folder is replaced by its hash
    name = doc_id if _SAFE_NAME.fullmatch(doc_id) else hashlib.sha256(doc_id.encode()).hexdigest()[:24]
    image_path = image_dir / f"{name}.png"
    image = row[src.image_column]
    if not image_path.exists() and image is not None:
        image.save(image_path)
    ocr = row.get(src.ocr_column) if src.ocr_column else None
    return Document(id=doc_id, image=str(image_path), gt=gt, ocr=ocr)


def split_hash(spec: TaskSpec, split: str | None = None) -> str:
    """Identity of a whole split's data. A synth split is fully determined by its source spec and
    the generator version, so nothing is generated to hash it; other sources hash their documents."""
    split = split or spec.default_split
    if isinstance(spec.source, SynthSource):
        from benchmark.synth.generate import generator_version

        payload = json.dumps([spec.source.model_dump(mode="json"), split, generator_version(spec.source.variant)],
                             sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
    return data_hash(load_documents(spec, split))


def data_hash(docs: list[Document]) -> str:
    """Hash of the documents' ids, ground truth and OCR text (what scoring depends on)."""
    h = hashlib.sha256()
    for d in docs:
        h.update(json.dumps([d.id, d.gt, d.ocr], sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def jsonl_task(folder: Path, name: str, docs: list[dict[str, Any]], fields: list[dict[str, Any]]) -> TaskSpec:
    """A task over documents written to ``folder/<name>.jsonl`` (for scripts and tests that build
    their data in code rather than in a YAML file)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    spec = TaskSpec.model_validate(
        {"name": name, "version": 1, "language": "en", "fields": fields,
         "source": {"type": "jsonl", "splits": {"test": f"{name}.jsonl"}}}
    )
    return spec.model_copy(update={"path": folder / f"{name}.yaml"})
