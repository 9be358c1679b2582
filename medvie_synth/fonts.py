"""Font files for the renderer, found by family name under the system font folders.

The generator renders only with fonts from three Debian packages so that a page is byte-for-byte
reproducible on any machine that has them::

    apt-get install -y fonts-noto-cjk fonts-dejavu-core fonts-liberation

``MEDVIE_FONT_DIRS`` (``os.pathsep``-separated) adds folders to search before /usr/share/fonts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

APT_COMMAND = "apt-get install -y fonts-noto-cjk fonts-dejavu-core fonts-liberation"
SYSTEM_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


class FontNotFoundError(RuntimeError):
    """A font the generator needs is not installed."""


@dataclass(frozen=True)
class FontFace:
    """One face: the file, the face index inside a collection (.ttc) and the family it holds."""

    family: str
    style: str
    path: str
    index: int = 0


# family -> style -> (file name, family name inside the file for collections, Debian package)
_CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    "DejaVu Sans": {"Regular": ("DejaVuSans.ttf", ""), "Bold": ("DejaVuSans-Bold.ttf", "")},
    "DejaVu Sans Condensed": {
        "Regular": ("DejaVuSansCondensed.ttf", ""),
        "Bold": ("DejaVuSansCondensed-Bold.ttf", ""),
    },
    "DejaVu Serif": {"Regular": ("DejaVuSerif.ttf", ""), "Bold": ("DejaVuSerif-Bold.ttf", "")},
    "DejaVu Sans Mono": {
        "Regular": ("DejaVuSansMono.ttf", ""),
        "Bold": ("DejaVuSansMono-Bold.ttf", ""),
    },
    "Liberation Sans": {
        "Regular": ("LiberationSans-Regular.ttf", ""),
        "Bold": ("LiberationSans-Bold.ttf", ""),
    },
    "Liberation Sans Narrow": {
        "Regular": ("LiberationSansNarrow-Regular.ttf", ""),
        "Bold": ("LiberationSansNarrow-Bold.ttf", ""),
    },
    "Liberation Serif": {
        "Regular": ("LiberationSerif-Regular.ttf", ""),
        "Bold": ("LiberationSerif-Bold.ttf", ""),
    },
    "Liberation Mono": {
        "Regular": ("LiberationMono-Regular.ttf", ""),
        "Bold": ("LiberationMono-Bold.ttf", ""),
    },
    "Noto Sans CJK SC": {
        "Regular": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
        "Bold": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
    },
    "Noto Serif CJK SC": {
        "Regular": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
        "Bold": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    },
    "Noto Sans Mono CJK SC": {
        "Regular": ("NotoSansCJK-Regular.ttc", "Noto Sans Mono CJK SC"),
        "Bold": ("NotoSansCJK-Bold.ttc", "Noto Sans Mono CJK SC"),
    },
}


def font_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("MEDVIE_FONT_DIRS", "").split(os.pathsep) if p]
    return extra + [Path(d) for d in SYSTEM_DIRS]


@cache
def _index_files(dirs: tuple[Path, ...]) -> dict[str, str]:
    """File name -> first path with that name (folders in order, files sorted)."""
    found: dict[str, str] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.name not in found:
                found[path.name] = str(path)
    return found


def _collection_index(path: str, family: str) -> int:
    for index in range(32):
        try:
            name = ImageFont.truetype(path, 12, index=index).getname()[0]
        except OSError:
            break
        if name == family:
            return index
    raise FontNotFoundError(f"{path} holds no face named {family!r}; reinstall with: {APT_COMMAND}")


@cache
def find_font(family: str, style: str = "Regular") -> FontFace:
    """The face of ``family`` in ``style`` (``Regular`` or ``Bold``); a clear error when missing."""
    try:
        file_name, inner = _CATALOGUE[family][style]
    except KeyError:
        known = ", ".join(sorted(_CATALOGUE))
        raise FontNotFoundError(f"unknown font {family!r} {style!r}; known: {known}") from None
    path = _index_files(tuple(font_dirs())).get(file_name)
    if path is None:
        searched = ", ".join(str(d) for d in font_dirs())
        raise FontNotFoundError(
            f"font file {file_name} ({family} {style}) not found under {searched}; "
            f"install the fonts with: {APT_COMMAND}"
        )
    index = _collection_index(path, inner) if inner else 0
    return FontFace(family, style, path, index)


@lru_cache(maxsize=512)
def load_font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A Pillow font object, cached (CJK collections take a while to open)."""
    face = find_font(family, "Bold" if bold else "Regular")
    return ImageFont.truetype(face.path, size, index=face.index)


def check_fonts() -> list[str]:
    """Problems with the installed fonts (empty when every catalogued face is present)."""
    problems = []
    for family, styles in _CATALOGUE.items():
        for style in styles:
            try:
                find_font(family, style)
            except FontNotFoundError as exc:
                problems.append(str(exc))
    return problems
