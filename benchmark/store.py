"""The run directory: ``predictions.jsonl`` (append-only, flushed per document), ``manifest.json``
and ``metrics.json``. Resuming skips documents already recorded under the same cache key and
tolerates a torn last line (a run killed mid-write): the torn tail is cut before appending."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.records import PredictionRecord, RunManifest

PREDICTIONS = "predictions.jsonl"
MANIFEST = "manifest.json"
METRICS = "metrics.json"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, path)


class RunStore:
    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        self.predictions_path = run_dir / PREDICTIONS
        self._fh: Any = None

    def exists(self) -> bool:
        return self.predictions_path.exists() or (self.dir / MANIFEST).exists()

    def reset(self) -> None:
        for name in (PREDICTIONS, MANIFEST, METRICS):
            (self.dir / name).unlink(missing_ok=True)

    def read_records(self, repair: bool = False) -> list[PredictionRecord]:
        """Valid records in file order; with ``repair`` a torn last line is cut off the file."""
        if not self.predictions_path.exists():
            return []
        records: list[PredictionRecord] = []
        good_end = 0
        with self.predictions_path.open("rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # torn tail: written partly when the run was killed
                try:
                    records.append(PredictionRecord.model_validate_json(line))
                except ValidationError as exc:
                    raise ValueError(f"{self.predictions_path}: corrupt record at byte {good_end}: {exc}") from exc
                good_end += len(line)
        if repair and good_end < self.predictions_path.stat().st_size:
            with self.predictions_path.open("r+b") as fh:
                fh.truncate(good_end)
        return records

    def iter_latest(self, cache_key: str | None = None) -> Iterator[PredictionRecord]:
        """One record per document id (the last one), optionally only under ``cache_key``."""
        latest: dict[str, PredictionRecord] = {}
        for rec in self.read_records():
            if cache_key is None or rec.cache_key == cache_key:
                latest[rec.id] = rec
        yield from latest.values()

    def append(self, record: PredictionRecord) -> None:
        if self._fh is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._fh = self.predictions_path.open("a", encoding="utf-8")
        self._fh.write(record.model_dump_json() + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def write_manifest(self, manifest: RunManifest) -> None:
        write_json_atomic(self.dir / MANIFEST, manifest.model_dump(mode="json"))

    def read_manifest(self) -> RunManifest:
        path = self.dir / MANIFEST
        if not path.exists():
            raise FileNotFoundError(f"{path}: no manifest (is {self.dir} a run directory?)")
        return RunManifest.model_validate_json(path.read_text(encoding="utf-8"))

    def write_metrics(self, metrics: dict[str, Any]) -> None:
        write_json_atomic(self.dir / METRICS, metrics)

    def read_metrics(self) -> dict[str, Any]:
        return json.loads((self.dir / METRICS).read_text(encoding="utf-8"))
