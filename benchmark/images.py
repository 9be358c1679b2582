"""Opening document images, which are untrusted input: a pixel cap and one error type.

Every place that decodes a task's image (model adapters, OCR engines, the leaderboard's
thumbnails, ``tasks validate --data``) opens it here. An image over ``MAX_IMAGE_PIXELS`` is refused
from its header, before anything is decoded (a 20000×20000 PNG of a few kilobytes would need 1.2 GB
as RGB); one that is not a regular file, not an image, or damaged is refused too. In a run that is
the document's ``input_error``; elsewhere the message names the file.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

MAX_IMAGE_PIXELS = 50_000_000  # 50 megapixels: an A4 page scanned at 600 dpi is 35


class ImageInputError(ValueError):
    """An image that cannot be used as input (too large, not an image, damaged, missing)."""


def _refuse(name: str, why: str) -> ImageInputError:
    return ImageInputError(f"image {name}: {why}")


@contextmanager
def open_image(source: str | Path | bytes, name: str | None = None) -> Iterator[Any]:
    """A PIL image (lazy: header read, pixels not yet decoded) within the pixel cap; ``source`` is
    a path or the file's bytes (``name`` then says what it is in messages)."""
    from PIL import Image, UnidentifiedImageError

    label = name or (str(source) if not isinstance(source, bytes) else "(bytes)")
    if not isinstance(source, bytes):
        path = Path(source)
        if not path.is_file():
            raise _refuse(label, "not a regular file" if path.exists() else "file not found")
    try:
        with warnings.catch_warnings():
            # PIL warns (then refuses) above its own, larger limit; ours is checked below
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(BytesIO(source) if isinstance(source, bytes) else source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(label, f"more than {MAX_IMAGE_PIXELS:,} pixels (MAX_IMAGE_PIXELS)") from None
    except UnidentifiedImageError:
        raise _refuse(label, "not an image PIL can read") from None
    except OSError as exc:
        raise _refuse(label, f"damaged or unreadable: {exc}") from None
    with img:
        pixels = img.width * img.height
        if pixels > MAX_IMAGE_PIXELS:
            raise _refuse(label, f"{img.width}×{img.height} is {pixels:,} pixels, more than "
                                 f"{MAX_IMAGE_PIXELS:,} (MAX_IMAGE_PIXELS)")
        yield img


def check_image(source: str | Path, decode: bool = True) -> tuple[int, int]:
    """(width, height) of a usable image; raises ``ImageInputError``. ``decode`` also reads the
    whole file, which finds truncated or damaged ones: a PNG's chunk checksums (without inflating
    its pixels), a JPEG decoded at 1/8 scale, other formats decoded (milliseconds per page)."""
    with open_image(source) as img:
        size = img.size
        if decode:
            try:
                if img.format == "PNG":
                    img.verify()
                else:
                    img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))  # JPEG only
                    img.load()
            except (OSError, ValueError, SyntaxError) as exc:  # PIL's decoders raise all three
                raise _refuse(str(source), f"damaged: {exc}") from None
    return size
