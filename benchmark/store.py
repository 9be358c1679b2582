"""The run directory: ``predictions.jsonl`` (append-only, flushed per document), ``manifest.json``
and ``metrics.json``.

- One writer at a time: a run holds an advisory lock (``run.lock``, ``fcntl.flock``) for its whole
  life; a second run on the folder, ``--fresh`` included, is refused with the holder's pid. The
  kernel drops the lock when its process dies, so a crashed run's lock is simply taken over.
- Lines that are not valid records (a torn last line of a killed run, a corrupt line anywhere) are
  skipped by readers and reported; a run (``read_records(repair=True)``, under the lock) moves them
  to ``predictions.quarantine.jsonl`` so their documents run again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.records import PredictionRecord, RunManifest
from benchmark.tasks.errors import TaskError

PREDICTIONS = "predictions.jsonl"
QUARANTINE = "predictions.quarantine.jsonl"
MANIFEST = "manifest.json"
METRICS = "metrics.json"
LOCK = "run.lock"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class RunBusy(TaskError):
    """Another live process holds the run folder's lock."""


class RunLock:
    """``fcntl.flock`` on ``run.lock``, which holds the owner's pid for the refusal message. The
    file is removed on release; the inode check after locking makes that safe against a process
    that opened the file just before it was removed."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise RunBusy(
                    f"{self.path.parent} is in use by another medvie-bench run (pid {holder}); wait for it "
                    "to finish, or use another --out"
                ) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the file was removed by its last holder between our open and flock
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class BadLine:
    """A line of ``predictions.jsonl`` that is not a valid record."""

    line: int  # 1-based
    byte: int  # offset of its first byte
    data: bytes
    reason: str

    def describe(self) -> str:
        return f"line {self.line} at byte {self.byte}: {self.reason}"


def _reason(data: bytes, exc: ValidationError | None) -> str:
    if not data.endswith(b"\n"):
        return "torn last line (the run was killed while writing it)"
    first = exc.errors()[0] if exc is not None and exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{first.get('msg', 'invalid record')}{f' ({where})' if where else ''}"[:160]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class RunStore:
    """A run folder. ``report`` receives one line per read that found bad lines (stderr by
    default; ``None`` keeps quiet, e.g. for the leaderboard, which reports on its own)."""

    def __init__(self, run_dir: Path, report: Callable[[str], None] | None = _stderr) -> None:
        self.dir = run_dir
        self.predictions_path = run_dir / PREDICTIONS
        self.quarantine_path = run_dir / QUARANTINE
        self.report = report
        self.bad_lines: list[BadLine] = []  # of the last read
        self._fh: Any = None

    def exists(self) -> bool:
        return self.predictions_path.exists() or (self.dir / MANIFEST).exists()

    def lock(self) -> RunLock:
        return RunLock(self.dir)

    def reset(self) -> None:
        for name in (PREDICTIONS, MANIFEST, METRICS, QUARANTINE):
            (self.dir / name).unlink(missing_ok=True)

    def _scan(self) -> tuple[list[PredictionRecord], list[bytes], list[BadLine]]:
        records: list[PredictionRecord] = []
        good: list[bytes] = []
        bad: list[BadLine] = []
        offset = 0
        with self.predictions_path.open("rb") as fh:
            for number, line in enumerate(fh, 1):
                error: ValidationError | None = None
                if line.endswith(b"\n"):
                    try:
                        records.append(PredictionRecord.model_validate_json(line))
                        good.append(line)
                    except ValidationError as exc:
                        error = exc
                    else:
                        offset += len(line)
                        continue
                bad.append(BadLine(number, offset, line, _reason(line, error)))
                offset += len(line)
        return records, good, bad

    def read_records(self, repair: bool = False) -> list[PredictionRecord]:
        """Valid records in file order; bad lines are skipped and reported (``bad_lines``). With
        ``repair`` (a run, holding the lock) they are moved to the quarantine file."""
        self.bad_lines = []
        if not self.predictions_path.exists():
            return []
        records, good, bad = self._scan()
        self.bad_lines = bad
        if not bad:
            return records
        if repair:
            self._quarantine(good, bad)
            if self.report:
                self.report(
                    f"note: {self.predictions_path}: {self._count(bad)} moved to {QUARANTINE} "
                    f"({bad[0].describe()}); their documents run again"
                )
        elif self.report:
            self.report(
                f"warning: {self.predictions_path}: {self._count(bad)} skipped ({bad[0].describe()}); "
                "`medvie-bench run` with the same settings quarantines them and re-runs their documents"
            )
        return records

    @staticmethod
    def _count(bad: list[BadLine]) -> str:
        return f"{len(bad)} unreadable line{'s' if len(bad) != 1 else ''}"

    def _quarantine(self, good: list[bytes], bad: list[BadLine]) -> None:
        """Keep the bad lines (as JSON, with where they were and why) beside the run, then
        rewrite ``predictions.jsonl`` without them (atomically)."""
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.quarantine_path.open("a", encoding="utf-8") as fh:
            for b in bad:
                entry = {"quarantined_at": when, "line": b.line, "byte": b.byte, "reason": b.reason,
                         "text": b.data.decode("utf-8", "surrogateescape")}
                fh.write(json.dumps(entry) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=f".{PREDICTIONS}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.writelines(good)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.predictions_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def n_quarantined(self) -> int:
        if not self.quarantine_path.exists():
            return 0
        with self.quarantine_path.open("rb") as fh:
            return sum(1 for _ in fh)

    def iter_latest(self, cache_key: str | None = None) -> Iterator[PredictionRecord]:
        """One record per document id (the last one), optionally only under ``cache_key``."""
        latest: dict[str, PredictionRecord] = {}
        for rec in self.read_records():
            if cache_key is None or rec.cache_key == cache_key:
                latest[rec.id] = rec
        yield from latest.values()

    def latest_records(self) -> list[PredictionRecord]:
        """One record per document under the run's own cache key (every key when the folder has no
        manifest): what readers of a finished run score."""
        key = self.read_manifest().cache_key if (self.dir / MANIFEST).exists() else None
        return list(self.iter_latest(key))

    def document_ids(self) -> set[str]:
        """The ids of every document with a record (any cache key, any attempt)."""
        return {r.id for r in self.read_records()}

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
