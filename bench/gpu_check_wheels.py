"""Carry wheels to the device in less space: their contents in one tar.xz, wheels again there.

    python3 bench/gpu_check_wheels.py pack WHEEL_DIR ARCHIVE     # here (scripts/gpu_check.sh prepare)
    python3 bench/gpu_check_wheels.py unpack ARCHIVE WHEEL_DIR   # on the device, before pip

A wheel is a deflated zip; xz over the unpacked files of all of them is about 40 % smaller
(measured on this check's wheels: 11.2 → 7.0 MiB), and every MiB counts against the 64 MiB a
device call may carry. Each wheel's members go under a folder named after the wheel file, bytes
unchanged, so the rebuilt wheel has the same files (and its RECORD still matches). Standard library
only: it runs before anything is installed.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from io import BytesIO
from pathlib import Path


def pack(wheel_dir: Path, archive: Path) -> int:
    wheels = sorted(wheel_dir.glob("*.whl"))
    with tarfile.open(archive, "w:xz", preset=9) as tar:
        for whl in wheels:
            with zipfile.ZipFile(whl) as zf:
                for info in zf.infolist():
                    if info.is_dir():
                        continue
                    data = zf.read(info)
                    member = tarfile.TarInfo(f"{whl.name}/{info.filename}")
                    member.size, member.mtime, member.mode = len(data), 0, 0o644
                    tar.addfile(member, BytesIO(data))
    return len(wheels)


def unpack(archive: Path, wheel_dir: Path) -> int:
    wheel_dir.mkdir(parents=True, exist_ok=True)
    zips: dict[str, zipfile.ZipFile] = {}
    try:
        with tarfile.open(archive, "r:xz") as tar:
            for member in tar:
                name, _, inner = member.name.partition("/")
                if not member.isfile() or not name.endswith(".whl") or "/" in name or not inner:
                    raise ValueError(f"{archive}: unexpected member {member.name!r}")
                if name not in zips:
                    zips[name] = zipfile.ZipFile(wheel_dir / name, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
                zips[name].writestr(inner, tar.extractfile(member).read())
    finally:
        for zf in zips.values():
            zf.close()
    return len(zips)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("pack", "unpack"):
        print("usage: gpu_check_wheels.py pack WHEEL_DIR ARCHIVE | unpack ARCHIVE WHEEL_DIR", file=sys.stderr)
        return 2
    verb, src, dst = argv[0], Path(argv[1]), Path(argv[2])
    n = pack(src, dst) if verb == "pack" else unpack(src, dst)
    print(f"{verb}: {n} wheels, {src} → {dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
