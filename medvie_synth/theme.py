"""Per-document typography: font families and sizes drawn from the language's font set."""

from __future__ import annotations

import random
from dataclasses import dataclass

from medvie_synth.canvas import INK, Style

SANS = {
    "en": ("DejaVu Sans", "Liberation Sans", "Liberation Sans Narrow", "DejaVu Sans Condensed"),
    "zh": ("Noto Sans CJK SC",),
}
SERIF = {"en": ("Liberation Serif", "DejaVu Serif"), "zh": ("Noto Serif CJK SC",)}
MONO = {"en": ("DejaVu Sans Mono", "Liberation Mono"), "zh": ("Noto Sans Mono CJK SC",)}
ACCENTS = ((20, 60, 140), (150, 20, 30), (10, 100, 80), (60, 60, 60), (0, 80, 150))


@dataclass(frozen=True)
class Theme:
    body: Style
    label: Style
    header: Style
    title: Style
    subtitle: Style
    small: Style
    accent: tuple[int, int, int]


def draw_theme(rng: random.Random, language: str, scale: float, body_px: tuple[float, float],
               mono: bool = False, serif: float = 0.35) -> Theme:
    """Fonts for one document. ``scale`` converts the nominal 1000-px-wide page to pixels;
    ``serif`` is the chance of drawing the body font from serif and sans faces together."""
    if mono:
        family = rng.choice(MONO[language])
    else:
        family = rng.choice(SANS[language] + SERIF[language] if rng.random() < serif
                            else SANS[language])
    title_family = rng.choice(SANS[language] + SERIF[language])
    size = round(rng.uniform(*body_px) * scale)
    grey = rng.randint(0, 35)
    body = Style(family, size, color=(grey, grey, grey) if rng.random() < 0.8 else INK)
    accent = rng.choice(ACCENTS)
    return Theme(
        body=body,
        label=body.but(bold=rng.random() < 0.3),
        header=body.but(bold=True),
        title=Style(title_family, round(size * rng.uniform(1.5, 1.9)), bold=True,
                    color=accent if rng.random() < 0.4 else body.color),
        subtitle=Style(title_family, round(size * rng.uniform(1.15, 1.35)), bold=True,
                       color=body.color),
        small=body.but(size=max(9, round(size * 0.82))),
        accent=accent,
    )
