"""The ``real`` variant: a lab page drawn with the failure classes of real photos
(``kinds/lab_real``), then cropped, curled and captured as a phone photo, a screen photo or a
fax/photocopy, with the classes' probabilities from ``source.options.classes``.

Capture decisions come from the document's capture random stream, in a fixed order (one draw
per class whatever its probability), so switching one class leaves the other draws alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from medvie_synth.canvas import Page, Segment, reading_order
from medvie_synth.capture import Captured, Framing, capture, draw_severity
from medvie_synth.fax import fax
from medvie_synth.kinds import lab_real
from medvie_synth.kinds.base import Built
from medvie_synth.real_options import real_classes
from medvie_synth.screen import screen_look
from medvie_synth.seeding import capture_rng, class_rng, content_rng
from medvie_synth.warp import apply_curl, draw_curl

Box = tuple[float, float, float, float]
CROP_REGIONS = {"table": ("table",), "body": ("header", "table")}  # what a tight crop keeps


def _centre_y(s: Segment) -> float:
    return (s.box[1] + s.box[3]) / 2


def tight_crop(built: Built, region: str, rng: np.random.Generator) -> Built:
    """The table (``region="table"``) or header and table (``"body"``) cut out close to their
    text and set on blank paper of 16:9 (landscape when wider than tall); gt fields printed
    elsewhere are dropped, since the photo no longer shows them."""
    regions = built.meta["regions"]
    y0 = regions["header"][1] if region == "body" else regions["table"][1]
    y1 = regions["table"][3]
    segs = built.page.segments
    inside = [s for s in segs if y0 <= _centre_y(s) <= y1]
    above = max((s.box[3] for s in segs if _centre_y(s) < y0), default=0.0)
    below = min((s.box[1] for s in segs if _centre_y(s) > y1), default=float(built.page.height))
    ink = (min(s.box[0] for s in inside), min(s.box[1] for s in inside),
           max(s.box[2] for s in inside), max(s.box[3] for s in inside))
    pad = float(built.meta["body_px"]) * float(rng.uniform(0.4, 1.0))
    box = (max(0.0, ink[0] - pad), max(ink[1] - pad, (ink[1] + above) / 2),
           min(float(built.page.width), ink[2] + pad), min(ink[3] + pad, (ink[3] + below) / 2))
    left, top = int(box[0]), int(box[1])
    right, bottom = int(np.ceil(box[2])), int(np.ceil(box[3]))
    cw, ch = right - left, bottom - top
    aspect = 16 / 9 if cw >= ch else 9 / 16
    w, h = (max(cw, round(ch * aspect)), max(ch, round(cw / aspect)))
    ox, oy = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    page = Page(w, h, built.page.image.getpixel((0, 0)))
    page.image.paste(built.page.image.crop((left, top, right, bottom)), (ox, oy))
    dx, dy = ox - left, oy - top
    page.segments = [Segment(s.text, (s.box[0] + dx, s.box[1] + dy, s.box[2] + dx, s.box[3] + dy))
                     for s in inside]
    keep = CROP_REGIONS[region]
    gt = {k: v for k, v in built.gt.items() if built.meta["gt_regions"].get(k) in keep}
    meta = {**built.meta, "stamp": False, "signature": False, "crop": region}
    return Built(page, gt, meta)


def real_document(kind: str, language: str, seed: int, index: int, options: dict[str, Any]
                  ) -> tuple[Image.Image, dict[str, Any], list[Segment], list[Box], dict[str, Any]]:
    """``(image, gt, segments, boxes, meta)`` of one real-variant document (boxes in image
    pixels, one per segment in reading order)."""
    if kind != "lab":
        raise ValueError(f"variant 'real' exists for kind 'lab' only, not {kind!r}")
    classes = real_classes(options)
    own = {"butting_groups": class_rng("butting_groups", kind, language, seed, index)}
    built = lab_real.build(content_rng(kind, language, seed, index), language, options, own)
    rng = capture_rng(kind, language, seed, index)
    u = {name: float(rng.random()) for name in ("tight_crop", "fax", "screen", "warp")}
    severity = draw_severity(rng, options)
    region = "table" if rng.random() < 0.75 else "body"
    long_side = int(rng.integers(1280, 1921))
    medium = "fax" if u["fax"] < classes["fax"] else "screen" if u["screen"] < classes["screen"] else "photo"
    crop = medium != "fax" and u["tight_crop"] < classes["tight_crop"]
    if crop:
        built = tight_crop(built, region, rng)
    segments = reading_order(built.page.segments)
    boxes: list[Box] = [s.box for s in segments]
    heights = sorted(b[3] - b[1] for b in boxes) or [20.0]
    image = built.page.image
    warp = 0.0
    if medium == "photo" and u["warp"] < classes["warp"]:
        curl = draw_curl(rng, image.size, heights[len(heights) // 2], severity)
        image, boxes = apply_curl(image, boxes, curl)
        warp = abs(curl.amp_y) / heights[len(heights) // 2]
    shot: Captured
    if medium == "fax":
        shot = fax(image, boxes, rng, severity)
    elif medium == "screen":
        framing = Framing(closeup=crop, long_side=long_side, background="dark desk", paper=0.0,
                          moire=float(rng.uniform(0.4, 1.0)))
        shot = capture(screen_look(image, rng), boxes, rng, severity, framing)
    else:
        shot = capture(image, boxes, rng, severity, Framing(closeup=True, long_side=long_side) if crop else None)
    meta = {k: v for k, v in built.meta.items() if k not in ("regions", "gt_regions")}
    meta.update(shot.meta)
    meta.update({"capture": medium, "crop": meta.get("crop", "page"), "warp": round(warp, 3),
                 "moire": medium == "screen", "grayscale": medium == "fax",
                 "size": list(shot.image.size)})
    return shot.image, built.gt, segments, shot.boxes, meta
