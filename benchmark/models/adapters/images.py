"""Images for chat APIs: a file → a ``data:`` URL, downscaled to a pixel budget."""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path
from typing import Any

from benchmark.images import ImageInputError, open_image

_PASS_THROUGH = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def fit_size(
    width: int, height: int, max_pixels: int | None, min_pixels: int | None = None
) -> tuple[int, int]:
    """(w, h) scaled (aspect kept) so that w*h <= max_pixels, and >= min_pixels when given."""
    area = width * height
    scale = 1.0
    if max_pixels and area > max_pixels:
        scale = math.sqrt(max_pixels / area)
    elif min_pixels and area < min_pixels:
        scale = math.sqrt(min_pixels / area)
    if scale == 1.0:
        return width, height
    rnd = math.ceil if scale > 1 else math.floor  # floor keeps w*h <= max_pixels
    return max(1, rnd(width * scale)), max(1, rnd(height * scale))


def image_data_url(
    path: str | Path, max_pixels: int | None = None, min_pixels: int | None = None
) -> str:
    """The image as a data URL. Files within the budget in a web format are sent unchanged;
    others are EXIF-rotated, resized (Lanczos) and re-encoded (PNG keeps PNG, else JPEG q=90).
    An image over ``MAX_IMAGE_PIXELS``, or not an image, raises ``ImageInputError``."""
    from PIL import Image, ImageOps

    if not Path(path).is_file():
        raise ImageInputError(f"image {path}: not a regular file or not found")
    raw = Path(path).read_bytes()
    with open_image(raw, str(path)) as img:
        fmt = img.format or ""
        orientation = img.getexif().get(0x0112, 1)
        size = fit_size(img.width, img.height, max_pixels, min_pixels)
        if size == img.size and fmt in _PASS_THROUGH and orientation == 1:
            return f"data:{_PASS_THROUGH[fmt]};base64,{base64.b64encode(raw).decode()}"
        out = ImageOps.exif_transpose(img)
        size = fit_size(out.width, out.height, max_pixels, min_pixels)
        if size != out.size:
            out = out.resize(size, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        if fmt == "PNG":
            out.save(buf, format="PNG")
            mime = "image/png"
        else:
            out.convert("RGB").save(buf, format="JPEG", quality=90)
            mime = "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode()}"


def to_api_messages(
    messages: list[dict[str, Any]], max_pixels: int | None = None, min_pixels: int | None = None
) -> list[dict[str, Any]]:
    """Our chat messages → OpenAI's: ``{"type": "image", "image": path}`` parts become
    ``image_url`` data URLs; a content list of text parts only becomes one string."""
    out: list[dict[str, Any]] = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, list):
            parts = [_part(p, max_pixels, min_pixels) for p in content]
            if all(p.get("type") == "text" for p in parts):
                content = "\n\n".join(p["text"] for p in parts)
            else:
                content = parts
        out.append({**msg, "content": content})
    return out


def _part(part: dict[str, Any], max_pixels: int | None, min_pixels: int | None) -> dict[str, Any]:
    if part.get("type") != "image":
        return part
    image = part["image"]
    url = (
        image
        if str(image).startswith(("data:", "http://", "https://"))
        else image_data_url(image, max_pixels, min_pixels)
    )
    return {"type": "image_url", "image_url": {"url": url}}
