"""Non-text marks on the page: a hospital logo, a diagonal watermark, an ink stamp."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from medvie_synth.canvas import Page, Style


def logo(page: Page, x: float, y: float, size: float, color: tuple[int, int, int],
         rng: random.Random) -> None:
    """A round emblem with a cross, a ring or a leaf (graphic only, never text)."""
    d = page.draw
    r = size / 2
    cx, cy = x + r, y + r
    d.ellipse([x, y, x + size, y + size], outline=color, width=max(2, round(size / 14)))
    shape = rng.randrange(3)
    arm = r * 0.55
    thick = r * 0.22
    if shape == 0:
        d.rectangle([cx - thick, cy - arm, cx + thick, cy + arm], fill=color)
        d.rectangle([cx - arm, cy - thick, cx + arm, cy + thick], fill=color)
    elif shape == 1:
        d.ellipse([cx - r * 0.62, cy - r * 0.62, cx + r * 0.62, cy + r * 0.62], fill=color)
        d.rectangle([cx - thick * 0.6, cy - arm, cx + thick * 0.6, cy + arm], fill=(255, 255, 255))
        d.rectangle([cx - arm, cy - thick * 0.6, cx + arm, cy + thick * 0.6], fill=(255, 255, 255))
    else:
        pts = [(cx + r * 0.6 * math.cos(a) * (1 if i % 2 else 0.45),
                cy + r * 0.6 * math.sin(a) * (1 if i % 2 else 0.45))
               for i, a in enumerate(k * math.pi / 5 - math.pi / 2 for k in range(10))]
        d.polygon(pts, fill=color)


def watermark(page: Page, text: str, style: Style, angle: float, alpha: int) -> None:
    """Faint diagonal text repeated over the page (not part of the OCR ground truth)."""
    font = style.font()
    left, top, right, bottom = font.getbbox(text)
    stamp_img = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(stamp_img).text((2 - left, 2 - top), text, font=font, fill=alpha)
    stamp_img = stamp_img.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    colour = Image.new("RGB", stamp_img.size, style.color)
    step_x = stamp_img.width + style.size * 3
    step_y = stamp_img.height + style.size * 2
    for row, y in enumerate(range(-stamp_img.height // 2, page.height, step_y)):
        for x in range(-(row % 2) * step_x // 2, page.width, step_x):
            page.image.paste(colour, (x, y), stamp_img)


def stamp(page: Page, cx: float, cy: float, radius: float, ring_text: str, style: Style,
          rng: random.Random, color: tuple[int, int, int] = (200, 30, 40)) -> None:
    """A round red ink stamp with text along the ring and a star, blended like ink."""
    size = int(radius * 2 + 8)
    ink = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(ink)
    c = size / 2
    d.ellipse([4, 4, size - 4, size - 4], outline=255, width=max(3, int(radius / 14)))
    star = [(c + radius * 0.28 * math.cos(a) * (1 if i % 2 == 0 else 0.4),
             c + radius * 0.28 * math.sin(a) * (1 if i % 2 == 0 else 0.4))
            for i, a in enumerate(k * math.pi / 5 - math.pi / 2 for k in range(10))]
    d.polygon(star, fill=255)
    font = style.but(size=max(8, int(radius * 0.2))).font()
    chars = list(ring_text)
    span = min(math.pi * 1.5, len(chars) * 0.3)
    for i, ch in enumerate(chars):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(chars)
        glyph = Image.new("L", (int(radius), int(radius)), 0)
        ImageDraw.Draw(glyph).text((radius / 2, radius / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BILINEAR)
        gx = c + radius * 0.72 * math.cos(a) - radius / 2
        gy = c + radius * 0.72 * math.sin(a) - radius / 2
        ink.paste(255, (int(gx), int(gy)), glyph)
    ink = ink.rotate(rng.uniform(-30, 30), resample=Image.Resampling.BILINEAR)
    strength = rng.uniform(0.55, 0.85)
    ink = ink.point(lambda v: int(v * strength))
    x0, y0 = int(cx - size / 2), int(cy - size / 2)
    region = page.image.crop((x0, y0, x0 + size, y0 + size))
    layer = Image.composite(Image.new("RGB", (size, size), color),
                            Image.new("RGB", (size, size), (255, 255, 255)), ink)
    page.image.paste(ImageChops.multiply(region, layer), (x0, y0))


def scan_thumbnail(page: Page, x: float, y: float, w: float, h: float, modality: str,
                   rng: random.Random) -> None:
    """A small picture of the study: an ultrasound fan, a CT/MR slice, a radiograph or an H&E
    micrograph (texture only, no text)."""
    import numpy as np

    w, h = int(w), int(h)
    nrng = np.random.default_rng(rng.getrandbits(32))
    if modality == "HE":
        base = np.array([235, 190, 215], dtype=np.float32)
        blobs = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(blobs)
        for _ in range(int(w * h / 180)):
            cx, cy, r = nrng.uniform(0, w), nrng.uniform(0, h), nrng.uniform(1.5, 4)
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=int(nrng.uniform(120, 255)))
        nuclei = np.asarray(blobs, dtype=np.float32)[..., None] / 255
        arr = base * (1 - nuclei) + np.array([90, 50, 140], dtype=np.float32) * nuclei
        arr += nrng.normal(0, 10, (h, w, 1))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    else:
        img = Image.new("L", (w, h), 0)
        mask = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(mask)
        if modality == "US":
            d.pieslice([-w * 0.4, -h * 0.9, w * 1.4, h * 1.05], 55, 125, fill=255)
        elif modality == "DR":
            d.ellipse([w * 0.08, h * 0.05, w * 0.92, h * 1.1], fill=255)
        else:
            d.ellipse([w * 0.1, h * 0.12, w * 0.9, h * 0.88], fill=255)
        speckle = nrng.gamma(2.0, 40.0, (h, w)).clip(0, 255).astype(np.uint8)
        tissue = Image.fromarray(speckle).filter(ImageFilter.GaussianBlur(1.2))
        img.paste(tissue, (0, 0), mask)
        inner = Image.new("L", (w, h), 0)
        di = ImageDraw.Draw(inner)
        for _ in range(4):
            cx, cy = nrng.uniform(0.3, 0.7) * w, nrng.uniform(0.3, 0.7) * h
            r = nrng.uniform(0.05, 0.15) * min(w, h)
            di.ellipse([cx - r, cy - r * 0.7, cx + r, cy + r * 0.7],
                       fill=int(nrng.choice([20, 220])))
        inner = inner.filter(ImageFilter.GaussianBlur(3))
        img.paste(inner, (0, 0), inner.point(lambda v: min(200, v * 4)))
        img = img.convert("RGB")
    page.image.paste(img, (int(x), int(y)))
    page.bottom = max(page.bottom, y + h)


def thermal_fade(page: Page, rng: random.Random, strength: float) -> None:
    """Thermal-paper print: ink lighter in patches and in horizontal bands of the print head."""
    import numpy as np

    nrng = np.random.default_rng(rng.getrandbits(32))
    w, h = page.width, page.height
    coarse = nrng.uniform(0, 1, (max(2, h // 120), max(2, w // 120))).astype(np.float32)
    patches = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize(
        (w, h), Image.Resampling.BICUBIC), dtype=np.float32) / 255
    bands = nrng.uniform(0, 1, (h, 1)).astype(np.float32)
    keep = 1 - strength * (0.6 * patches + 0.4 * bands)
    arr = np.asarray(page.image, dtype=np.float32)
    arr = 255 - (255 - arr) * keep[..., None]
    page.image.paste(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)))


def signature(page: Page, x: float, y: float, width: float, height: float, rng: random.Random,
              color: tuple[int, int, int] = (25, 35, 90)) -> None:
    """A handwritten-like signature: one fast pen stroke of loops and a tail, drawn over whatever
    is printed there (not text: nothing is recorded for the OCR ground truth)."""
    n = rng.randint(4, 8)  # letters' worth of loops
    pts: list[tuple[float, float]] = []
    steps = 14 * n
    slant = rng.uniform(0.1, 0.4)
    for i in range(steps + 1):
        t = i / steps
        phase = 2 * math.pi * n * t
        loop = rng.uniform(0.8, 1.0)
        px = x + width * t * 0.85 + width * 0.05 * math.cos(phase) * loop
        py = y + height * (0.5 - 0.35 * math.sin(phase) * loop) - slant * height * math.cos(phase) * 0.3
        pts.append((px, py + rng.uniform(-0.02, 0.02) * height))
    tail = [(x + width * 0.85, y + height * 0.6), (x + width, y + height * rng.uniform(0.2, 0.5))]
    pen = max(2, round(height / 14))
    layer = Image.new("L", page.image.size, 0)
    d = ImageDraw.Draw(layer)
    d.line(pts + tail, fill=255, width=pen, joint="curve")
    if rng.random() < 0.6:  # an underline flourish
        d.line([(x + width * 0.05, y + height * 0.9), (x + width * 0.95, y + height * 0.8)], fill=255,
               width=max(1, pen - 1))
    layer = layer.filter(ImageFilter.GaussianBlur(0.6))
    ink = Image.new("RGB", page.image.size, color)
    page.image.paste(ink, (0, 0), layer.point(lambda v: int(v * 0.9)))
