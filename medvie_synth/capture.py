"""Phone-photo capture of a flat page: numpy + Pillow only.

One ``severity`` in [0, 1] scales every effect: paper tint and creases, rotation and
perspective on a desk background, uneven lighting and cast shadows, an occluding finger,
blur, sensor noise, downscaling and JPEG compression. Text boxes are mapped through the same
geometry (axis-aligned box of the warped quadrilateral).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Box = tuple[float, float, float, float]
LOW_RES = 4  # smooth fields are computed at 1/LOW_RES resolution and upsampled
MAX_SIDE = 1800  # longest side of a photo in pixels

BACKGROUNDS = {
    "wood": ((150, 105, 65), 0.22),
    "dark desk": ((55, 55, 60), 0.15),
    "grey desk": ((135, 135, 130), 0.10),
    "white table": ((222, 220, 214), 0.06),
    "blue cloth": ((60, 85, 120), 0.12),
    "green mat": ((60, 100, 75), 0.12),
}


@dataclass
class Captured:
    image: Image.Image
    boxes: list[Box]
    meta: dict[str, Any]


@dataclass(frozen=True)
class Framing:
    """How the real variant departs from an ordinary phone photo (``None``: the photo variant).

    ``closeup``: the page fills the frame, the text boxes stay inside it, the frame is 16:9 with
    its long side ``long_side`` pixels; ``background`` forces the surround (a monitor's bezel);
    ``paper`` scales the paper effects (0: a screen shows no creases or worn toner); ``moire``
    overlays the interference bands of a photographed screen (0: none, 1: strong)."""

    closeup: bool = False
    long_side: int = 1600
    background: str | None = None
    paper: float | None = None
    moire: float = 0.0


def keystone(quad: np.ndarray) -> float:
    """Perspective of a warped page: 1 - shorter/longer of its opposite edges (0 for a rectangle
    that is only rotated and scaled)."""
    q = np.asarray(quad, dtype=np.float64)
    top, right = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1])
    bottom, left = np.linalg.norm(q[2] - q[3]), np.linalg.norm(q[3] - q[0])
    return float(max(1 - min(top, bottom) / max(top, bottom, 1e-9),
                     1 - min(left, right) / max(left, right, 1e-9)))


def _smooth_noise(rng: np.random.Generator, w: int, h: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1] of shape (h, w)."""
    gw, gh = max(2, cells), max(2, int(cells * h / max(w, 1)) + 1)
    grid = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    img = Image.fromarray(((grid + 1) * 127.5).astype(np.uint8)).resize(
        (w, h), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) / 127.5 - 1


def _upsample(field: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    img = Image.fromarray(field.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def _multiply(image: Image.Image, field: np.ndarray, tint: np.ndarray | None = None) -> Image.Image:
    arr = np.asarray(image, dtype=np.float32)
    arr = arr * field[..., None]
    if tint is not None:
        arr = arr * tint
    return Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8))


def _paper(page: Image.Image, rng: np.random.Generator, s: float) -> tuple[Image.Image, int]:
    """Paper tint, texture and fold creases (on the flat page)."""
    w, h = page.size
    lw, lh = w // LOW_RES + 1, h // LOW_RES + 1
    field = 1 + 0.025 * (0.5 + s) * _smooth_noise(rng, lw, lh, 10)
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    creases = int(rng.integers(0, 1 + round(4 * s))) if s > 0.2 else 0
    for _ in range(creases):
        if rng.random() < 0.7:  # a fold line roughly across the page
            horizontal = rng.random() < 0.6
            pos = rng.uniform(0.25, 0.75)
            angle = rng.normal(0, 0.03) + (0 if horizontal else math.pi / 2)
            cx, cy = (lw * 0.5, lh * pos) if horizontal else (lw * pos, lh * 0.5)
        else:  # a random crumple line
            angle = rng.uniform(0, math.pi)
            cx, cy = rng.uniform(0, lw), rng.uniform(0, lh)
        nx, ny = -math.sin(angle), math.cos(angle)
        d = (xx - cx) * nx + (yy - cy) * ny
        depth = rng.uniform(0.05, 0.16) * (0.5 + s)
        width = rng.uniform(0.6, 1.8)
        field *= 1 - depth * np.exp(-((d + width) ** 2) / (2 * width**2))
        field *= 1 + 0.6 * depth * np.exp(-((d - width) ** 2) / (2 * width**2))
        field *= np.where(d > 0, 1 - rng.uniform(0, 0.05) * s, 1)
    tint = np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 0.99)], dtype=np.float32)
    arr = np.asarray(page, dtype=np.float32)
    fade = float(rng.uniform(0, 0.45 * s))  # worn toner: ink lighter, contrast lower
    arr = 255 - (255 - arr) * (1 - fade)
    arr = arr * _upsample(field, (w, h))[..., None] * tint
    return Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8)), creases


def _background(rng: np.random.Generator, size: tuple[int, int], page_quad: np.ndarray,
                s: float, name: str | None = None) -> tuple[Image.Image, str]:
    """The desk around the page, with the page's soft drop shadow (all at low resolution)."""
    w, h = size
    drawn = list(BACKGROUNDS)[int(rng.integers(len(BACKGROUNDS)))]
    name = name or drawn
    colour, texture = BACKGROUNDS[name]
    lw, lh = w // LOW_RES + 1, h // LOW_RES + 1
    field = 1 + texture * _smooth_noise(rng, lw, lh, 6)
    if name == "wood":
        yy = np.arange(lh, dtype=np.float32)[:, None]
        grain = np.sin(yy / rng.uniform(5, 12) + 4 * _smooth_noise(rng, lw, lh, 3))
        field = field * (1 + 0.06 * grain)
    shadow = Image.new("L", (lw, lh), 0)
    offset = np.array([1.0, 1.5])
    ImageDraw.Draw(shadow).polygon([tuple(p / LOW_RES + offset) for p in page_quad], fill=255)
    shadow = shadow.filter(ImageFilter.GaussianBlur(1.5 + 1.5 * s))
    field = field * (1 - 0.45 * np.asarray(shadow, dtype=np.float32) / 255)
    arr = np.asarray(colour, dtype=np.float32)[None, None, :] * _upsample(field, (w, h))[..., None]
    return Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8)), name


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 matrix mapping the four ``src`` points onto the four ``dst`` points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=False):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    return np.append(h, 1.0).reshape(3, 3)


def map_boxes(boxes: list[Box], matrix: np.ndarray) -> list[Box]:
    out: list[Box] = []
    for x1, y1, x2, y2 in boxes:
        pts = np.array([[x1, y1, 1], [x2, y1, 1], [x2, y2, 1], [x1, y2, 1]], dtype=np.float64)
        m = pts @ matrix.T
        xs, ys = m[:, 0] / m[:, 2], m[:, 1] / m[:, 2]
        out.append((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())))
    return out


def _placement(rng: np.random.Generator, page_size: tuple[int, int], s: float
               ) -> tuple[tuple[int, int], np.ndarray, float, float]:
    """Frame size and the page corners in it (rotation + perspective, all inside the frame)."""
    w, h = page_size
    portrait = h >= w
    aspect = 4 / 3 if rng.random() < 0.8 else 16 / 9
    fw = int(w * rng.uniform(0.95, 1.15))
    fh = int(fw * aspect) if portrait else int(fw / aspect)
    angle = math.radians(float(np.clip(rng.normal(0, 1.0 + 6 * s), -15, 15)))
    jitter = 0.07 * s
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    fill = rng.uniform(0.97 - 0.25 * s, 0.99 - 0.08 * s)
    for _ in range(30):
        scale = fill * min(fw / w, fh / h)
        c, si = math.cos(angle), math.sin(angle)
        centred = (corners - [w / 2, h / 2]) * scale
        rotated = centred @ np.array([[c, si], [-si, c]])
        rotated += rng.uniform(-jitter, jitter, (4, 2)) * [w * scale, h * scale]
        offset = [fw / 2, fh / 2] + rng.uniform(-0.04, 0.04, 2) * [fw, fh]
        dst = rotated + offset
        if dst[:, 0].min() >= 2 and dst[:, 1].min() >= 2 and dst[:, 0].max() <= fw - 2 \
                and dst[:, 1].max() <= fh - 2:
            return (fw, fh), dst, math.degrees(angle), scale
        fill *= 0.96
    raise RuntimeError("could not place the page inside the frame")  # pragma: no cover


def _closeup(rng: np.random.Generator, page_size: tuple[int, int], s: float, boxes: list[Box],
             long_side: int) -> tuple[tuple[int, int], np.ndarray, float, float]:
    """A 16:9 frame (oriented like the page) that the page fills or overflows, every text box
    inside it: a photo taken close to a table."""
    w, h = page_size
    fw, fh = (long_side, round(long_side * 9 / 16)) if w >= h else (round(long_side * 9 / 16), long_side)
    angle = math.radians(float(np.clip(rng.normal(0, 0.8 + 3 * s), -8, 8)))
    jitter = 0.04 * s
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    pts = np.array([p for b in boxes for p in ((b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3]))]
                   or corners, dtype=np.float64)
    fill = rng.uniform(1.0, 1.08)
    for _ in range(40):
        scale = fill * min(fw / w, fh / h)
        c, si = math.cos(angle), math.sin(angle)
        rot = np.array([[c, si], [-si, c]])
        dst = ((corners - [w / 2, h / 2]) * scale) @ rot
        dst += rng.uniform(-jitter, jitter, (4, 2)) * [w * scale, h * scale]
        dst += [fw / 2, fh / 2] + rng.uniform(-0.02, 0.02, 2) * [fw, fh]
        mapped = map_boxes([(x, y, x, y) for x, y in pts], homography(corners, dst))
        xs = np.array([m[0] for m in mapped])
        ys = np.array([m[1] for m in mapped])
        if xs.min() >= 0.01 * fw and ys.min() >= 0.01 * fh and xs.max() <= 0.99 * fw \
                and ys.max() <= 0.99 * fh:
            return (fw, fh), dst, math.degrees(angle), scale
        fill *= 0.97
    raise RuntimeError("could not frame the page's text")  # pragma: no cover


def _lighting(rng: np.random.Generator, size: tuple[int, int], s: float) -> tuple[np.ndarray, bool]:
    w, h = size
    lw, lh = w // LOW_RES + 1, h // LOW_RES + 1
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    xx, yy = xx / lw - 0.5, yy / lh - 0.5
    phi = rng.uniform(0, 2 * math.pi)
    field = 1 + rng.uniform(0.05, 0.35) * s * (xx * math.cos(phi) + yy * math.sin(phi)) * 2
    field *= 1 - rng.uniform(0, 0.35) * s * (xx**2 + yy**2) * 2
    shadow = rng.random() < 0.25 + 0.5 * s
    if shadow:  # a soft shadow of the phone or a hand, entering from one side
        mask = Image.new("L", (lw, lh), 0)
        side = int(rng.integers(4))
        a, b = sorted(rng.uniform(0, 1, 2))
        depth = rng.uniform(0.15, 0.5)
        pts = {0: [(a * lw, 0), (b * lw, 0), (b * lw, depth * lh), (a * lw, depth * 0.6 * lh)],
               1: [(lw, a * lh), (lw, b * lh), ((1 - depth) * lw, b * lh), ((1 - depth) * lw, a * lh)],
               2: [(a * lw, lh), (b * lw, lh), (b * lw, (1 - depth) * lh), (a * lw, (1 - depth) * lh)],
               3: [(0, a * lh), (0, b * lh), (depth * lw, b * lh), (depth * 0.6 * lw, a * lh)]}[side]
        ImageDraw.Draw(mask).polygon(pts, fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(rng.uniform(3, 12)))
        darkness = rng.uniform(0.15, 0.45) * (0.4 + s)
        field *= 1 - darkness * np.asarray(mask, dtype=np.float32) / 255
    if rng.random() < 0.2 * s:  # glare
        gx, gy = rng.uniform(-0.35, 0.35, 2)
        r = rng.uniform(0.08, 0.2)
        field += rng.uniform(0.1, 0.3) * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r**2))
    return _upsample(field, (w, h)), shadow


def _finger(frame: Image.Image, rng: np.random.Generator, boxes: list[Box]) -> bool:
    """A blurred fingertip entering from an edge, placed where it covers no text box."""
    w, h = frame.size
    for _ in range(12):
        side = int(rng.integers(4))
        r = rng.uniform(0.05, 0.09) * min(w, h)
        t = rng.uniform(0.1, 0.9)
        cx, cy = {0: (t * w, 0), 1: (w, t * h), 2: (t * w, h), 3: (0, t * h)}[side]
        ex, ey = (r, r * 2.2) if side in (0, 2) else (r * 2.2, r)
        bbox = (cx - ex, cy - ey, cx + ex, cy + ey)
        if any(not (b[2] < bbox[0] or b[0] > bbox[2] or b[3] < bbox[1] or b[1] > bbox[3])
               for b in boxes):
            continue
        pad = int(r * 0.5)
        x0, y0 = int(bbox[0]) - pad, int(bbox[1]) - pad
        x1, y1 = int(bbox[2]) + pad, int(bbox[3]) + pad
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(mask).ellipse([bbox[0] - x0, bbox[1] - y0, bbox[2] - x0, bbox[3] - y0],
                                     fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(r * 0.15))
        skin = tuple(int(c) for c in rng.uniform([180, 120, 95], [235, 180, 150]))
        frame.paste(skin, (x0, y0, x1, y1), mask)
        return True
    return False


def capture(page: Image.Image, boxes: list[Box], rng: np.random.Generator,
            severity: float, framing: Framing | None = None) -> Captured:
    s = float(np.clip(severity, 0, 1))
    paper_s = s if framing is None or framing.paper is None else float(framing.paper)
    paper, creases = _paper(page, rng, paper_s)
    heights = sorted(b[3] - b[1] for b in boxes) or [20.0]
    if framing is not None and framing.closeup:
        frame_size, dst, angle, scale = _closeup(rng, page.size, s, boxes, framing.long_side)
        target = line_px = heights[len(heights) // 2] * scale
    else:
        frame_size, dst, angle, placed = _placement(rng, page.size, s)
        # resolution: the final height of a median text line falls from about 20 px (s=0) to
        # about 13 px (s=1); the frame is scaled so that it does (no more than 2x up, at most
        # MAX_SIDE)
        target = float(rng.uniform(17 - 5 * s, 24 - 10 * s))
        scale = float(np.clip(target / max(heights[len(heights) // 2] * placed, 1.0), 0.25, 2.0))
        scale = min(scale, MAX_SIDE / max(frame_size))
        line_px = heights[len(heights) // 2] * placed * scale
        frame_size = (max(1, round(frame_size[0] * scale)), max(1, round(frame_size[1] * scale)))
        dst = dst * scale
    w, h = page.size
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    forward = homography(src, dst)
    if scale < 1:  # shrink with a proper filter first: the warp itself does not antialias
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        paper = paper.resize(size, Image.Resampling.BILINEAR)
        inverse = np.diag([size[0] / w, size[1] / h, 1.0]) @ np.linalg.inv(forward)
    else:
        inverse = np.linalg.inv(forward)
    inverse /= inverse[2, 2]
    coeffs = tuple(inverse.flatten()[:8])
    edge = paper.getpixel((0, 0))
    warped = paper.transform(frame_size, Image.Transform.PERSPECTIVE, coeffs,
                             Image.Resampling.BILINEAR, fillcolor=edge)
    mask = Image.new("L", frame_size, 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in dst], fill=255)
    frame, background = _background(rng, frame_size, dst, s, framing.background if framing else None)
    frame.paste(warped, (0, 0), mask)
    new_boxes = map_boxes(boxes, forward)
    finger = bool(rng.random() < 0.35 * s) and _finger(frame, rng, new_boxes)

    # blur stays below a tenth of the line height, so the text remains legible to a person
    blur = float(min(rng.uniform(0.3 + 0.4 * s, 0.5 + 1.1 * s), 0.1 * target))
    frame = frame.filter(ImageFilter.GaussianBlur(blur))
    if rng.random() < 0.25 * s:  # slight hand shake
        frame = frame.filter(ImageFilter.Kernel((3, 3), [0, 0, 0, 1, 1, 1, 0, 0, 0], 3))
    # lighting (smooth, so applying it after blur and resize changes nothing) and sensor noise
    light, shadow = _lighting(rng, frame.size, s)
    sigma = float(rng.uniform(1.0, 2.0 + 9 * s))
    arr = np.asarray(frame, dtype=np.float32) * light[..., None]
    if framing is not None and framing.moire > 0:
        from medvie_synth.screen import moire

        on_screen = np.asarray(mask, dtype=np.float32)[..., None] / 255
        arr *= 1 + (moire(rng, frame.size, framing.moire) - 1) * on_screen
    arr += rng.standard_normal(arr.shape[:2], dtype=np.float32)[..., None] * sigma
    frame = Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8))
    quality = int(92.5 - 62 * s * float(rng.uniform(0.5, 1.0)))
    buf = io.BytesIO()
    frame.save(buf, "JPEG", quality=quality)
    frame = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    fw, fh = frame.size
    clipped = [(max(0.0, b[0]), max(0.0, b[1]), min(float(fw), b[2]), min(float(fh), b[3]))
               for b in new_boxes]
    page_to_image = forward / forward[2, 2]
    meta = {"severity": round(s, 3), "angle": round(angle, 2), "creases": creases,
            "page_to_image": [round(float(v), 8) for v in page_to_image.flatten()],
            "background": background, "shadow": shadow, "finger": finger,
            "blur": round(blur, 2), "noise": round(sigma, 2), "scale": round(scale, 3),
            "jpeg_quality": quality, "keystone": round(keystone(dst), 4),
            "line_px": round(float(line_px), 1)}
    return Captured(frame, clipped, meta)


def draw_severity(rng: Any, options: dict[str, Any]) -> float:
    """The capture severity: ``options['severity']`` (a number or ``[lo, hi]``), else uniform 0.15-1."""
    if "severity" in options:
        s = options["severity"]
        if isinstance(s, (list, tuple)):
            return float(rng.uniform(float(s[0]), float(s[1])))
        return float(s)
    return float(rng.uniform(0.15, 1.0))
