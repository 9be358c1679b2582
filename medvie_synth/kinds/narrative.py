"""Reports written as prose sections (imaging, pathology): headed paragraphs and a thumbnail."""

from __future__ import annotations

import random

from medvie_synth.canvas import Page, text_width
from medvie_synth.kinds.medical import PageFrame
from medvie_synth.layout import paragraph


def join_sentences(sentences: list[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(sentences)


def numbered(items: list[str], language: str, rng: random.Random) -> list[str]:
    """One line per item, numbered when there is more than one."""
    if len(items) == 1:
        return items
    style = rng.choice(("{n}. ", "{n}、", "({n}) ") if language == "zh" else ("{n}. ", "({n}) "))
    return [style.format(n=n) + item for n, item in enumerate(items, 1)]


class SectionStyle:
    """How headed sections look on one report (chosen once per document)."""

    def __init__(self, rng: random.Random, frame: PageFrame, language: str):
        t = frame.theme
        self.inline = rng.random() < 0.35
        self.heading = t.header.but(color=t.accent) if rng.random() < 0.3 else t.header
        self.sep = ("：" if rng.random() < 0.7 else ":") if language == "zh" else ":"
        self.indent = t.body.size * (2 if rng.random() < 0.6 else 0)
        self.spacing = rng.uniform(1.35, 1.65)
        self.gap = t.body.size * rng.uniform(0.6, 1.2)


def section(page: Page, frame: PageFrame, y: float, heading: str, paragraphs: list[str],
            ss: SectionStyle) -> float:
    """A heading and its paragraphs (each paragraph starts a new line); returns y below."""
    t, x = frame.theme, frame.margin
    title = heading + ss.sep
    if ss.inline:
        page.text(x, y, title, ss.heading)
        first = text_width(title, ss.heading) + t.body.size * 0.5
        for i, text in enumerate(paragraphs):
            y = paragraph(page, x, y, text, t.body, frame.inner, ss.spacing,
                          first_indent=first if i == 0 else 0)
    else:
        page.text(x, y, title, ss.heading)
        y += ss.heading.size * 1.6
        for text in paragraphs:
            y = paragraph(page, x, y, text, t.body, frame.inner, ss.spacing,
                          first_indent=ss.indent)
    return y + ss.gap
