"""OCR boxes → visual lines, robust to a rotated or slightly warped photo.

OCR engines give axis-aligned boxes; on a photo rotated by θ a table row's boxes climb or fall
across the page, and grouping by raw y merges or splits rows. We estimate the page's skew from
the boxes themselves (the angle under which box centres line up best: a projection profile over
candidate angles), rotate every centre into the page frame, recover each box's text height from
its axis-aligned size, and group boxes whose rotated centres lie within a fraction of the text
height. Each :class:`Line` keeps its boxes left to right with their page-frame coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from baselines.layout.normalize import clean
from benchmark.documents import OcrLine


@dataclass
class Box:
    """One OCR box in page-frame (deskewed) coordinates: centre ``(cx, cy)``, extent ``x1..x2``,
    text height ``h``."""

    text: str
    cx: float
    cy: float
    x1: float
    x2: float
    h: float
    index: int
    raw: tuple[float, float, float, float]
    angle: float = 0.0  # the local skew at this box (perspective makes it vary over the page)

    @property
    def width(self) -> float:
        return self.x2 - self.x1


@dataclass
class Line:
    boxes: list[Box] = field(default_factory=list)

    @property
    def cy(self) -> float:
        return float(np.median([b.cy for b in self.boxes]))

    @property
    def h(self) -> float:
        return float(np.median([b.h for b in self.boxes]))

    @property
    def x1(self) -> float:
        return min(b.x1 for b in self.boxes)

    @property
    def x2(self) -> float:
        return max(b.x2 for b in self.boxes)

    def text(self, sep: str = "\t") -> str:
        return sep.join(b.text for b in self.boxes)


def _centres(lines: Sequence[OcrLine]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    b = np.array([ln.box for ln in lines], dtype=float).reshape(-1, 4)
    return (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]


def _alignment(cx: np.ndarray, cy: np.ndarray, angles: np.ndarray, sigma: float) -> np.ndarray:
    """For each angle, how well the rotated centres line up in rows (sum of Gaussian pair
    affinities between boxes side by side)."""
    dx = cx[:, None] - cx[None, :]
    dy = cy[:, None] - cy[None, :]
    side = np.abs(dx) > 1e-6
    scores = []
    for a in angles:
        d = dy * math.cos(a) - dx * math.sin(a)
        scores.append(float(np.sum(np.exp(-((d / sigma) ** 2)) * side)))
    return np.array(scores)


def _tilt_bound(w: np.ndarray, h: np.ndarray, default: float) -> float:
    """Upper bound of |tilt| in degrees from long boxes (20th percentile of height/width)."""
    long = w > 4 * h
    if np.count_nonzero(long) < 3:
        return default
    return math.degrees(math.atan(float(np.percentile(h[long] / w[long], 20)))) + 0.5


def _tilt_magnitude(w: np.ndarray, h: np.ndarray) -> float | None:
    """|tilt| in degrees read from long boxes, None with fewer than three that agree: a line of
    text w wide and h high turned by θ has an axis-aligned box w sin θ + h cos θ high, so
    sin θ ≈ (H - H0) / w with H0 the height of the short boxes (a little low: those grow too)."""
    short = w < 2.5 * h
    if np.count_nonzero(short) < 3:
        return None
    h0 = float(np.median(h[short]))
    long = w > 6 * h0
    tilt = np.degrees(np.arcsin(np.clip((h[long] - h0) / w[long], 0.0, 1.0)))
    tilt = tilt[tilt <= 15.0]  # a watermark printed at 30-45° is no page tilt
    if len(tilt) < 3:
        return None
    q1, q3 = np.percentile(tilt, [25, 75])
    return float(np.median(tilt)) if q3 - q1 <= 3.0 else None  # boxes that disagree tell nothing


def _near_magnitude(angles: np.ndarray, magnitude: float | None, slack: float = 1.0) -> np.ndarray:
    """Which candidate angles (radians) agree with the tilt magnitude read from long boxes: within
    ``slack`` degrees below it, and ``slack`` or a third of it above (the reading runs low)."""
    if magnitude is None:
        return np.ones(len(angles), dtype=bool)
    diff = np.abs(np.degrees(angles)) - magnitude
    return (diff >= -slack) & (diff <= max(slack, magnitude / 3))


def estimate_skew(lines: Sequence[OcrLine], max_degrees: float = 16.0) -> float:
    """The page's rotation in radians (positive: rows descend to the right), 0 for < 3 boxes."""
    if len(lines) < 3:
        return 0.0
    cx, cy, w, h = _centres(lines)
    if len(lines) > 400:  # keep the pairwise matrix small on dense pages
        keep = np.argsort(-w)[:400]
        cx, cy, w, h = cx[keep], cy[keep], w[keep], h[keep]
    sigma = max(2.0, 0.25 * float(np.median(np.minimum(h, w))))
    # A long text box's axis-aligned height bounds the tilt (H >= W tan θ, roughly): this rules
    # out the aliased angles at which a table's rows line up with the row below or above.
    max_degrees = min(max_degrees, _tilt_bound(w, h, max_degrees))
    coarse = np.radians(np.arange(-max_degrees, max_degrees + 1e-9, 0.5))
    # ...and the long boxes' height tells its size, which rules out the rest of the aliases
    scores = np.where(_near_magnitude(coarse, _tilt_magnitude(w, h)), _alignment(cx, cy, coarse, sigma), -1.0)
    best = float(coarse[int(np.argmax(scores))])
    fine = best + np.radians(np.arange(-0.5, 0.5001, 0.1))
    return float(fine[int(np.argmax(_alignment(cx, cy, fine, sigma)))])


def local_skew(boxes: Sequence[Box], angle: float, band: int = 30, spread_degrees: float = 5.0) -> None:
    """Set each box's ``angle`` to the best skew of the band of ``band`` boxes nearest to it
    vertically (a perspective photo's rows tilt differently at the top and the bottom)."""
    n = len(boxes)
    if n < 8:
        for b in boxes:
            b.angle = angle
        return
    order = sorted(range(n), key=lambda i: boxes[i].cy)
    cx = np.array([(boxes[i].raw[0] + boxes[i].raw[2]) / 2 for i in order])
    cy = np.array([(boxes[i].raw[1] + boxes[i].raw[3]) / 2 for i in order])
    hs = np.array([boxes[i].h for i in order])
    bw = np.array([boxes[i].raw[2] - boxes[i].raw[0] for i in order])
    bh = np.array([boxes[i].raw[3] - boxes[i].raw[1] for i in order])
    candidates = angle + np.radians(np.arange(-spread_degrees, spread_degrees + 1e-9, 0.25))
    near = _near_magnitude(candidates, _tilt_magnitude(bw, bh), slack=1.5)  # the page's tilt, not a band's
    step = max(4, band // 3)
    centres, angles = [], []
    for start in range(0, max(1, n - band) + step, step):
        lo = min(start, max(0, n - band))
        sl = slice(lo, lo + band)
        sigma = max(2.0, 0.25 * float(np.median(hs[sl])))
        bound = math.radians(_tilt_bound(bw[sl], bh[sl], 90.0))
        scores = _alignment(cx[sl], cy[sl], candidates, sigma)
        scores = np.where((np.abs(candidates) <= bound) & near, scores, -1.0)
        # prefer the global angle on ties (flat score profile: too few side-by-side boxes)
        scores = scores - 1e-3 * np.abs(candidates - angle)
        centres.append(lo + min(band, n - lo) / 2)
        angles.append(float(candidates[int(np.argmax(scores))]))
        if lo + band >= n:
            break
    for rank, i in enumerate(order):
        boxes[i].angle = float(np.interp(rank, centres, angles))


def deskew(lines: Sequence[OcrLine], angle: float | None = None) -> list[Box]:
    """Boxes in the page frame (rotated by ``-angle`` about the origin); each box also gets its
    local skew (:func:`local_skew`)."""
    if angle is None:
        angle = estimate_skew(lines)
    c, s = math.cos(angle), math.sin(angle)
    c2 = max(c * c - s * s, 0.5)
    out = []
    for i, ln in enumerate(lines):
        x1, y1, x2, y2 = ln.box
        cx, cy, bw, bh = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
        # An axis-aligned box of a w x h text rotated by a: W = w c + h |s|, H = w |s| + h c.
        w = (bw * c - bh * abs(s)) / c2
        h = (bh * c - bw * abs(s)) / c2
        w = max(w, 0.5 * bw)
        h = min(max(h, 0.35 * bh), bh)
        rx, ry = cx * c + cy * s, cy * c - cx * s
        out.append(Box(clean(ln.text), rx, ry, rx - w / 2, rx + w / 2, max(h, 1.0), i, ln.box, angle))
    local_skew(out, angle)
    return out


def _offset(a: Box, b: Box) -> float:
    """Vertical offset of b from a across the page, under their local skew."""
    ang = (a.angle + b.angle) / 2
    dx = (b.raw[0] + b.raw[2] - a.raw[0] - a.raw[2]) / 2
    dy = (b.raw[1] + b.raw[3] - a.raw[1] - a.raw[3]) / 2
    return dy * math.cos(ang) - dx * math.sin(ang)


def group_lines(boxes: Sequence[Box], tolerance: float = 0.5) -> list[Line]:
    """Boxes grouped into lines (top to bottom, each left to right): a box joins a line when its
    centre lies within ``tolerance`` x the smaller text height of the line's centre."""
    lines: list[Line] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        best, best_d = None, float("inf")
        for line in lines[-8:]:  # only recent lines can still be open
            near = min(line.boxes, key=lambda b: abs(b.cx - box.cx))
            d = abs(_offset(near, box))
            if d <= tolerance * min(box.h, near.h) and d < best_d:
                if any(_overlap(box, other) > 0.3 * min(box.width, other.width) for other in line.boxes):
                    continue  # two boxes over each other are not one line
                best, best_d = line, d
        if best is None:
            lines.append(Line([box]))
        else:
            best.boxes.append(box)
    for line in lines:
        line.boxes.sort(key=lambda b: b.x1)
    lines.sort(key=lambda ln: ln.cy)
    return lines


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a.x2, b.x2) - max(a.x1, b.x1))


def layout_lines(ocr_lines: Sequence[OcrLine], tolerance: float = 0.5) -> list[Line]:
    """Deskew and group in one call."""
    return group_lines(deskew(ocr_lines), tolerance)


def lines_text(lines: Sequence[Line], sep: str = "\t") -> str:
    """One text line per visual line, boxes joined by ``sep``."""
    return "\n".join(line.text(sep) for line in lines)
