"""A page shown on a monitor and photographed: a cool, glowing white and moiré bands.

Moiré comes from the camera sensor sampling the screen's pixel grid: two fine gratings at nearly
the same pitch and angle beat into broad, curved, slightly coloured bands. Only the beat is
drawn (the fine gratings would vanish in the JPEG anyway).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

LOW_RES = 4


def screen_look(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The page as a monitor shows it: white turns bluish and a little grey, black lifts."""
    arr = np.asarray(page, dtype=np.float32) / 255
    white = np.array([rng.uniform(0.86, 0.95), rng.uniform(0.9, 0.97), rng.uniform(0.95, 1.0)],
                     dtype=np.float32)
    black = rng.uniform(0.05, 0.14)
    arr = black + arr * (white - black)
    return Image.fromarray(np.clip(arr * 255, 0, 255).astype(np.uint8))


def moire(rng: np.random.Generator, size: tuple[int, int], strength: float) -> np.ndarray:
    """A multiplicative (h, w, 3) field around 1: curved interference bands, each colour channel
    slightly out of phase. ``strength`` in [0, 1] sets the band contrast (at most 12 %)."""
    w, h = size
    lw, lh = w // LOW_RES + 1, h // LOW_RES + 1
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32) * LOW_RES
    out = np.ones((lh, lw, 3), dtype=np.float32)
    for _ in range(1 + int(rng.random() < 0.6)):  # one or two beat patterns
        angle = rng.uniform(0, math.pi)
        period = rng.uniform(0.012, 0.05) * max(w, h)
        u = xx * math.cos(angle) + yy * math.sin(angle)
        bend = rng.uniform(0.5, 2.5) * period * np.sin(
            2 * math.pi * (xx * rng.uniform(0.2, 1.2) / w + yy * rng.uniform(0.2, 1.2) / h) + rng.uniform(0, 6.3))
        phase = 2 * math.pi * (u + bend) / period
        contrast = 0.12 * float(np.clip(strength, 0, 1)) * rng.uniform(0.6, 1.0)
        shifts = rng.uniform(0.25, 0.8) * np.array([-1.0, 0.0, 1.0])
        for c in range(3):
            out[..., c] *= 1 - contrast * (0.5 + 0.5 * np.cos(phase + shifts[c]))
    img = [Image.fromarray(out[..., c], mode="F").resize((w, h), Image.Resampling.BILINEAR)
           for c in range(3)]
    return np.stack([np.asarray(i, dtype=np.float32) for i in img], axis=-1)
