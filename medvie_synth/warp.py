"""Paper curl: a sheet that is not flat bends its text lines (the homography of ``capture`` only
tilts a flat sheet). The page is resampled through a smooth displacement; text boxes follow it.

Displacement: ``x' = x + dx(y)``, ``y' = y + dy(x)`` with ``dy`` a bend across the page (one or
two waves) and a weaker ``dx`` down it. Both are small against the page, so one fixed-point step
inverts them to within a fraction of a pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

Box = tuple[float, float, float, float]
CELL = 24  # mesh cell in pixels


@dataclass(frozen=True)
class Curl:
    width: int
    height: int
    amp_y: float
    waves_y: float
    phase_y: float
    amp_x: float
    waves_x: float
    phase_x: float

    def dy(self, x: np.ndarray) -> np.ndarray:
        return self.amp_y * np.sin(math.pi * self.waves_y * x / self.width + self.phase_y)

    def dx(self, y: np.ndarray) -> np.ndarray:
        return self.amp_x * np.sin(math.pi * self.waves_x * y / self.height + self.phase_x)

    def forward(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x + self.dx(y), y + self.dy(x)

    def inverse(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = u - self.dx(v), v - self.dy(u)
        return u - self.dx(y), v - self.dy(x)


def draw_curl(rng: np.random.Generator, size: tuple[int, int], line_px: float, strength: float) -> Curl:
    """A curl whose largest bend is ``0.3 to 1.5`` text lines at ``strength`` 0 to 1."""
    w, h = size
    amp = line_px * (0.3 + 1.2 * float(np.clip(strength, 0, 1))) * rng.uniform(0.6, 1.0)
    return Curl(w, h, amp * float(rng.choice([-1, 1])), rng.uniform(0.6, 2.0), rng.uniform(0, math.pi),
                amp * rng.uniform(0.1, 0.4), rng.uniform(0.5, 1.5), rng.uniform(0, math.pi))


def apply_curl(image: Image.Image, boxes: list[Box], curl: Curl) -> tuple[Image.Image, list[Box]]:
    """The curled page (same size; uncovered edges take the corner colour) and the boxes around
    the curled text."""
    w, h = image.size
    mesh = []
    for y0 in range(0, h, CELL):
        for x0 in range(0, w, CELL):
            x1, y1 = min(w, x0 + CELL), min(h, y0 + CELL)
            us = np.array([x0, x0, x1, x1], dtype=np.float64)
            vs = np.array([y0, y1, y1, y0], dtype=np.float64)
            sx, sy = curl.inverse(us, vs)  # upper-left, lower-left, lower-right, upper-right
            mesh.append(((x0, y0, x1, y1), tuple(float(v) for pair in zip(sx, sy, strict=True) for v in pair)))
    fill = image.getpixel((0, 0))
    out = image.transform((w, h), Image.Transform.MESH, mesh, Image.Resampling.BILINEAR, fillcolor=fill)
    return out, [_curl_box(b, curl, w, h) for b in boxes]


def _curl_box(box: Box, curl: Curl, w: int, h: int) -> Box:
    x1, y1, x2, y2 = box
    xs = np.linspace(x1, x2, 9)
    px = np.concatenate([xs, xs, [x1, x2, x1, x2]])
    py = np.concatenate([np.full(9, y1), np.full(9, y2), [(y1 + y2) / 2] * 2, [y1, y2]])
    u, v = curl.forward(px, py)
    return (float(max(0.0, u.min())), float(max(0.0, v.min())), float(min(w, u.max())), float(min(h, v.max())))
