"""A faxed or photocopied page, scanned: grayscale, hard contrast, heavy dark noise, black borders.

What a copier or a fax adds to a flat page: a small skew, a low resolution (standard-mode fax
halves the vertical one), toner that is too dark (thickened strokes, grey background haze),
dark specks, drum streaks and fax line dropouts, and black bands where the lid or the book edge
was (never over a text box). Boxes go through the same skew and scale.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageFilter

from medvie_synth.capture import Captured, homography, map_boxes

Box = tuple[float, float, float, float]


def _speckle(rng: np.random.Generator, h: int, w: int, s: float) -> np.ndarray:
    """Darkness in [0, 1]: isolated dark dots and small toner clumps."""
    dots = (rng.random((h, w)) < (0.002 + 0.008 * s)).astype(np.float32)
    clumps = Image.fromarray((rng.random((h // 3 + 1, w // 3 + 1)) < 0.001 + 0.004 * s).astype(np.uint8) * 255)
    clumps = clumps.resize((w, h), Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(0.8))
    return np.clip(dots * rng.uniform(0.5, 1.0) + np.asarray(clumps, dtype=np.float32) / 255 * 1.5, 0, 1)


def _streaks(rng: np.random.Generator, h: int, w: int, s: float) -> np.ndarray:
    """Darkness in [0, 1]: vertical drum streaks and horizontal fax dropout lines."""
    out = np.zeros((h, w), dtype=np.float32)
    for _ in range(int(rng.integers(0, 2 + round(4 * s)))):
        x, width = int(rng.integers(0, w)), int(rng.integers(1, 4))
        out[:, x : x + width] = np.maximum(out[:, x : x + width], rng.uniform(0.15, 0.6))
    for _ in range(int(rng.integers(0, 1 + round(5 * s)))):
        y = int(rng.integers(0, h))
        out[y : y + int(rng.integers(1, 3)), :] = rng.uniform(0.3, 0.9)
    return out


def _borders(rng: np.random.Generator, h: int, w: int, boxes: list[Box]) -> tuple[np.ndarray, int]:
    """Black bands along 1-4 edges with ragged inner edges, stopping short of every text box."""
    free = {  # room between each edge and the nearest text
        "left": min((b[0] for b in boxes), default=w * 0.1),
        "right": w - max((b[2] for b in boxes), default=w * 0.9),
        "top": min((b[1] for b in boxes), default=h * 0.1),
        "bottom": h - max((b[3] for b in boxes), default=h * 0.9),
    }
    mask = np.zeros((h, w), dtype=np.float32)
    sides = [k for k in free if rng.random() < 0.6] or [list(free)[int(rng.integers(4))]]
    drawn = 0
    for side in sides:
        room = free[side] - 4
        if room < 3:
            continue
        drawn += 1
        along_dim = h if side in ("top", "bottom") else w
        depth = rng.uniform(0.25, 0.85) * min(room, 0.07 * along_dim)
        along = w if side in ("top", "bottom") else h
        ragged = np.cumsum(rng.normal(0, 0.8, along)).astype(np.float32)
        ragged = np.clip(depth + ragged - ragged.mean(), 2, min(room, 0.09 * along_dim))
        if side == "left":
            mask = np.maximum(mask, (np.arange(w)[None, :] < ragged[:, None]).astype(np.float32))
        elif side == "right":
            mask = np.maximum(mask, (np.arange(w)[None, :] >= w - ragged[:, None]).astype(np.float32))
        elif side == "top":
            mask = np.maximum(mask, (np.arange(h)[:, None] < ragged[None, :]).astype(np.float32))
        else:
            mask = np.maximum(mask, (np.arange(h)[:, None] >= h - ragged[None, :]).astype(np.float32))
    return mask, drawn


def fax(page: Image.Image, boxes: list[Box], rng: np.random.Generator, severity: float) -> Captured:
    s = float(np.clip(severity, 0, 1))
    w, h = page.size
    heights = sorted(b[3] - b[1] for b in boxes) or [20.0]
    line_px = float(rng.uniform(11 - 2 * s, 17 - 3 * s))  # 100-200 dpi scans
    scale = float(np.clip(line_px / heights[len(heights) // 2], 0.3, 1.5))
    angle = math.radians(float(rng.normal(0, 0.4 + 1.2 * s)))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    c, si = math.cos(angle), math.sin(angle)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    centred = (src - [w / 2, h / 2]) * scale
    dst = centred @ np.array([[c, si], [-si, c]]) + [size[0] / 2, size[1] / 2]
    forward = homography(src, dst)
    inverse = np.linalg.inv(forward)
    inverse /= inverse[2, 2]
    gray = page.convert("L")
    if scale < 1:
        gray = gray.resize(size, Image.Resampling.BILINEAR)
        inverse = np.diag([size[0] / w, size[1] / h, 1.0]) @ inverse
    img = gray.transform(size, Image.Transform.PERSPECTIVE, tuple(inverse.flatten()[:8]),
                         Image.Resampling.BILINEAR, fillcolor=255)
    standard_mode = bool(rng.random() < 0.4)
    if standard_mode:  # ~100 dpi vertically: half the rows, stretched back
        img = img.resize((size[0], max(1, size[1] // 2)), Image.Resampling.BILINEAR).resize(
            size, Image.Resampling.NEAREST)
    new_boxes = [(max(0.0, b[0]), max(0.0, b[1]), min(float(size[0]), b[2]), min(float(size[1]), b[3]))
                 for b in map_boxes(boxes, forward)]
    arr = np.asarray(img, dtype=np.float32) / 255
    # toner: strokes thicken (min filter), background greys, contrast hardens
    if rng.random() < 0.5 + 0.3 * s:
        arr = np.asarray(Image.fromarray((arr * 255).astype(np.uint8)).filter(ImageFilter.MinFilter(3)),
                         dtype=np.float32) / 255 * 0.5 + arr * 0.5
    haze = rng.uniform(0.0, 0.12 + 0.2 * s)
    gamma = rng.uniform(1.2, 1.8 + 1.2 * s)
    arr = (1 - haze) * arr**gamma
    hh, ww = arr.shape
    dark = np.maximum(_speckle(rng, hh, ww, s), _streaks(rng, hh, ww, s))
    border, sides = _borders(rng, hh, ww, new_boxes)
    dark = np.maximum(dark, border * rng.uniform(0.85, 0.97))
    arr = arr * (1 - dark)
    arr += rng.normal(0, 0.02 + 0.05 * s, arr.shape).astype(np.float32)
    out = Image.fromarray(np.clip(arr * 255, 0, 255).astype(np.uint8)).convert("RGB")
    quality = int(rng.uniform(45, 85))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality)
    out = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    page_to_image = forward / forward[2, 2]
    meta = {"severity": round(s, 3), "angle": round(math.degrees(angle), 2), "creases": 0,
            "page_to_image": [round(float(v), 8) for v in page_to_image.flatten()],
            "background": "scanner", "shadow": False, "finger": False, "blur": 0.0,
            "noise": "heavy", "scale": round(scale, 3), "jpeg_quality": quality, "keystone": 0.0,
            "line_px": round(heights[len(heights) // 2] * scale, 1), "standard_mode": standard_mode,
            "black_borders": sides}
    return Captured(out, new_boxes, meta)
