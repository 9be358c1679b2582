"""Content digests of the local weight files behind a model spec, recorded in each run's manifest.

A run's cache key names a model by its spec, and a spec names its weights by path. A checkpoint
retrained in place keeps its path, so a resumed run would mix the old model's answers with the
new one's. The runner records these digests and refuses to resume when they differ.

Digests are full sha256 (of each file; of a folder, over its weight and config files), remembered
in the cache by path, size and modification time, so a file is hashed once until it changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from benchmark.models.gguf import sha256_file
from benchmark.records import WeightsFile
from benchmark.store import write_json_atomic

#: The files of a checkpoint folder that decide its outputs (not logs, plots or optimizer state).
FOLDER_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".json", ".model", ".txt", ".jinja")


def _memo_path() -> Path:
    from benchmark.tasks.sources import cache_root

    return cache_root() / "weights-digests.json"


def _load_memo() -> dict[str, list]:
    try:
        return json.loads(_memo_path().read_text())
    except (OSError, ValueError):
        return {}


def _file_digest(path: Path, memo: dict[str, list]) -> str:
    st = path.stat()
    key = str(path.resolve())
    hit = memo.get(key)
    if hit and hit[:2] == [st.st_size, st.st_mtime_ns]:
        return hit[2]
    digest = "sha256:" + sha256_file(path)
    memo[key] = [st.st_size, st.st_mtime_ns, digest]
    return digest


def _folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in FOLDER_SUFFIXES)


def _digest(path: Path, memo: dict[str, list]) -> str:
    if path.is_file():
        return _file_digest(path, memo)
    h = hashlib.sha256()
    for f in _folder_files(path):
        h.update(f"{f.name}\0{_file_digest(f, memo)}\n".encode())
    return "folder-sha256:" + h.hexdigest()


def fingerprint(files: Mapping[str, Path]) -> dict[str, WeightsFile]:
    """Role → path and digest of each file or folder (a missing one is skipped: the adapter
    reports it when it loads)."""
    memo = _load_memo()
    before = dict(memo)
    out = {
        role: WeightsFile(path=str(path), digest=_digest(path, memo))
        for role, path in files.items()
        if path.exists()
    }
    if memo != before:
        try:
            _memo_path().parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(_memo_path(), memo)
        except OSError:
            pass  # a read-only cache only costs rehashing next time
    return out


def source_files(root: Path, *paths: str) -> dict[str, Path]:
    """Role ``code:<path>`` → file for the source files (``.py``, ``.yaml``) at or under ``paths``
    (relative to ``root``). A no-model extractor's answers change with its code as a model's do
    with its weights, and a run's cache key names only the spec: declared as an adapter's
    ``weights_files``, a changed rule makes a resume refuse instead of mixing old and new answers."""
    out: dict[str, Path] = {}
    for rel in paths:
        path = root / rel
        found = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for f in found:
            if f.is_file() and f.suffix in (".py", ".yaml") and "__pycache__" not in f.parts:
                out[f"code:{f.relative_to(root).as_posix()}"] = f
    return out


def changed_roles(old: Mapping[str, WeightsFile], new: Mapping[str, WeightsFile]) -> list[str]:
    """Roles present in both whose contents differ (a role recorded by only one side — an old
    manifest from before digests, say — cannot be compared and is not reported)."""
    return sorted(r for r in old.keys() & new.keys() if old[r].digest != new[r].digest)
