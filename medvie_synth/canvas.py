"""A page to draw on that records every printed text segment with its pixel box.

Text may carry superscripts written ``10^9/L`` (digits after ``^``): they are drawn raised and
smaller, and recorded in that caret form, which is also the ground-truth form of units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw, ImageFont

from medvie_synth.fonts import load_font

INK = (22, 22, 26)
_SUPERSCRIPT = re.compile(r"\^([-+]?\d+)")

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Style:
    """Font family, pixel size, weight and colour of printed text."""

    family: str
    size: int
    bold: bool = False
    color: tuple[int, int, int] = INK

    def font(self) -> ImageFont.FreeTypeFont:
        return load_font(self.family, self.size, self.bold)

    def sup(self) -> ImageFont.FreeTypeFont:
        return load_font(self.family, max(6, round(self.size * 0.62)), self.bold)

    def but(self, **changes: object) -> Style:
        return replace(self, **changes)

    def line_height(self) -> int:
        ascent, descent = self.font().getmetrics()
        return ascent + descent


@dataclass
class Segment:
    """One printed text segment (what an OCR engine would return as a line)."""

    text: str
    box: Box


def runs(text: str) -> list[tuple[str, bool]]:
    """``10^9/L`` -> ``[("10", False), ("9", True), ("/L", False)]``."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _SUPERSCRIPT.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def text_width(text: str, style: Style) -> float:
    font, sup = style.font(), style.sup()
    return sum((sup if is_sup else font).getlength(part) for part, is_sup in runs(text))


class Page:
    """An RGB page; ``text`` draws and records, ``line``/``rect`` draw rules and fills."""

    def __init__(self, width: int, height: int, background: tuple[int, int, int] = (255, 255, 255)):
        self.width = width
        self.height = height
        self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)
        self.segments: list[Segment] = []
        self.bottom = 0.0

    def text(
        self,
        x: float,
        y: float,
        text: str,
        style: Style,
        align: str = "left",
        record: bool = True,
    ) -> Box:
        """Draw ``text`` with its line box's top at ``y``; ``x`` is the left edge, the right edge
        (``align="right"``) or the centre (``"center"``). Returns the ink box."""
        width = text_width(text, style)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        font, sup = style.font(), style.sup()
        baseline = y + font.getmetrics()[0]
        raise_by = style.size * 0.38
        box: list[float] | None = None
        for part, is_sup in runs(text):
            f = sup if is_sup else font
            yy = baseline - raise_by if is_sup else baseline
            self.draw.text((x, yy), part, font=f, fill=style.color, anchor="ls")
            b = self.draw.textbbox((x, yy), part, font=f, anchor="ls")
            if b[2] > b[0]:
                box = list(b) if box is None else [
                    min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])
                ]
            x += f.getlength(part)
        if box is None:
            box = [x, y, x, y + style.size]
        out: Box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
        if record and text.strip():
            self.segments.append(Segment(text.strip(), out))
        self.bottom = max(self.bottom, out[3], y + style.line_height())
        return out

    def line(self, x1: float, y1: float, x2: float, y2: float, width: int = 1,
             color: tuple[int, int, int] = INK) -> None:
        self.draw.line([(x1, y1), (x2, y2)], fill=color, width=width)
        self.bottom = max(self.bottom, y1, y2)

    def rect(self, x1: float, y1: float, x2: float, y2: float,
             fill: tuple[int, int, int] | None = None, outline: tuple[int, int, int] | None = None,
             width: int = 1) -> None:
        self.draw.rectangle([x1, y1, x2, y2], fill=fill, outline=outline, width=width)
        self.bottom = max(self.bottom, y2)

    def crop_to(self, height: int) -> None:
        """Cut (or extend) the page to ``height`` pixels."""
        height = max(1, int(height))
        if height == self.height:
            return
        page = Image.new("RGB", (self.width, height), self.image.getpixel((0, 0)))
        page.paste(self.image.crop((0, 0, self.width, min(height, self.height))), (0, 0))
        self.image = page
        self.draw = ImageDraw.Draw(self.image)
        self.height = height


def reading_order(segments: list[Segment]) -> list[Segment]:
    """Top-to-bottom rows (segments whose vertical centres are within half a line), then
    left-to-right inside a row: the order an OCR engine reports lines."""
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: ((s.box[1] + s.box[3]) / 2, s.box[0])):
        centre = (seg.box[1] + seg.box[3]) / 2
        height = seg.box[3] - seg.box[1]
        if rows:
            last = rows[-1]
            ref = sum((s.box[1] + s.box[3]) / 2 for s in last) / len(last)
            ref_h = max(s.box[3] - s.box[1] for s in last)
            if abs(centre - ref) <= 0.5 * min(height, ref_h):
                last.append(seg)
                continue
        rows.append([seg])
    return [seg for row in rows for seg in sorted(row, key=lambda s: s.box[0])]
