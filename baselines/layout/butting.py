"""OCR boxes that run across the boundary of two table groups printed side by side, split.

When two groups butt (no white gap between them, only a rule), the right-aligned last column of
the left group touches the first column of the right group and OCR returns one box for both:
``0-23.0μmol/L 尿酸(URIC) 470.00 ↑155-428μmol/L``. Such a box lies in the right group's region
and its text lands in one cell. Here the groups are found first (from their repeated header
titles, :mod:`baselines.layout.groups`); a body box that spans the boundary between two groups
is cut where its text allows (a space, else a change between CJK and Latin script) nearest the
boundary, the x of each cut estimated from character widths (CJK about twice as wide as Latin,
scaled to the box's width), and the pieces go on as boxes of their own. When the right group
starts with a row-number column, a range that ran into the number (``45-12510``: range 45-125,
row 10) loses it. Labelled text (a footer below the groups) and cuts inside a value (after a
range's dash) are left alone. Tuned on the ``butting_groups`` class of the generator's real
variant, not on the RJUA samples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from baselines.layout.groups import Group, groups_of, header_rows
from baselines.layout.lines import Box, Line
from baselines.layout.table import char_width
from benchmark.documents import OcrLine

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SLACK = 1.5  # how far (text heights) a cut may lie outside the gap between the two groups' titles


@dataclass(frozen=True)
class Boundary:
    """Where one group ends and the next begins (page frame): ``at`` is the boundary between
    their regions, ``start`` where the right group's first title begins; cuts are allowed in
    ``lo..hi``, for boxes whose centre height lies in ``top..bottom``."""

    at: float
    start: float
    lo: float
    hi: float
    top: float
    bottom: float
    number: float | None = None  # centre of the right group's row-number title, when it has one

    def spanned_by(self, box: Box) -> bool:
        """The box reaches into both groups: past the boundary on the left, into the right
        group's first column by a text height (a long left cell that only touches the boundary
        is not cut)."""
        return self.top < box.cy < self.bottom and box.x1 < self.at - box.h and box.x2 > self.start + box.h

    def numbered_by(self, box: Box) -> bool:
        """The box may end in the right group's row number (``9-508``: range 9-50, row 8): it
        starts in the left group and reaches the number's column (narrow, so less far)."""
        return (self.number is not None and self.top < box.cy < self.bottom and box.x1 < self.at - box.h
                and box.x2 > self.number - 0.8 * box.h)


def _boundaries(groups: Sequence[Group], h: float) -> list[Boundary]:
    out = []
    for g in groups:
        if not math.isfinite(g.right):
            continue
        for o in groups:
            if o is g or o.left != g.right:
                continue
            last, first = g.cells[-1], o.cells[0]
            lo, hi = min(last.x2, first.x1), max(last.x2, first.x1)
            top, bottom = max(g.cy, o.cy) + 0.5 * h, min(g.bottom, o.bottom)
            number = first.cx if first.role == "no" else None
            out.append(Boundary(g.right, first.x1, lo - _SLACK * h, hi + _SLACK * h, top, bottom, number))
    return out


def cut_points(text: str) -> list[tuple[int, int, bool]]:
    """Places where ``text`` may be cut: (end of the left piece, start of the right piece, at a
    space) — runs of spaces, and changes between CJK and other (non-space) characters."""
    out = [(m.start(), m.end(), True) for m in re.finditer(r"\s+", text) if m.start() > 0 and m.end() < len(text)]
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if a.isspace() or b.isspace():
            continue
        if bool(_CJK.match(a)) != bool(_CJK.match(b)):
            out.append((i, i, False))
    return sorted(out)


_OPEN = ("-", "~", "～", "–", "—", "<", ">", "≤", "≥")  # a value never ends with these (``65- | 85``)


def _inside_value(left: str) -> bool:
    """A cut inside one printed value, never at a group boundary: after a range's dash."""
    return left.rstrip().endswith(_OPEN)


def _labelled(text: str) -> bool:
    """``label: value`` text (a footer's ``检查日期:2019.05.16 18:07`` below the groups): not
    table cells, so not cut (table cells print no colon)."""
    return ":" in text or "：" in text


_RANGE = re.compile(r"\s*[<>≤≥]?\s*(\d+)(?:\.(\d+))?\s*[-~～–—]+\s*(\d+)(?:\.(\d+))?\s*")


def _range_shape(text: str) -> tuple[bool, bool] | None:
    """For a range ``a-b``: (its ends have as many decimals, it rises); None for other text."""
    m = _RANGE.fullmatch(text)
    if m is None:
        return None
    a, da, b, db = m.group(1), m.group(2) or "", m.group(3), m.group(4) or ""
    return len(da) == len(db), float(f"{a}.{da or 0}") <= float(f"{b}.{db or 0}")


def _could_be_range(left: str, whole: str) -> bool:
    """What is left once the row number is cut off may be the range: it rises (not ``40-7``), and
    it does not break a range whose ends had as many decimals (``0.108-0.282`` is not cut)."""
    shape = _range_shape(left)
    if shape is None:
        return True
    whole_shape = _range_shape(whole)
    return shape[1] and (shape[0] or not (whole_shape and whole_shape[0]))


def _number_cut(box: Box, bound: Boundary) -> int | None:
    """Where the right group's row number begins at the end of ``box`` (``9~50 7`` → 7, ``45-12510``
    → 10): a number after a space whole; else, of the 1-3 trailing digits that can be a row number
    (no leading 0), those whose estimated centre lies nearest the number title's centre, within a
    text height."""
    text = box.text.rstrip()
    m = re.search(r"(\s)?(\d{1,3})$", text)
    if m is None or bound.number is None:
        return None
    widths = [char_width(ch) for ch in text]
    scale = box.width / (sum(widths) or 1.0)
    best: tuple[float, int] | None = None
    for start in [m.start(2)] if m.group(1) else range(m.start(2), len(text)):
        left = text[:start].rstrip()
        if text[start] == "0" or not left or left.endswith((*_OPEN, ".")) or not _could_be_range(left, text):
            continue
        centre = box.x1 + (sum(widths[:start]) + sum(widths)) / 2 * scale
        key = (abs(centre - bound.number), start)
        if key[0] <= box.h and (best is None or key < best):
            best = key
    return best[1] if best else None


def _cut(box: Box, bound: Boundary) -> int | None:
    """The character position where ``box`` is cut at ``bound`` (a space preferred), else None."""
    if _labelled(box.text):
        return None
    if not bound.spanned_by(box):
        return _number_cut(box, bound) if bound.numbered_by(box) else None
    text = box.text
    widths = [char_width(ch) for ch in text]
    total = sum(widths) or 1.0
    scale = box.width / total
    best: tuple[bool, float, int] | None = None
    for end, start, space in cut_points(text):
        x = box.x1 + (sum(widths[:end]) + sum(widths[:start])) / 2 * scale
        if not bound.lo <= x <= bound.hi:
            continue
        if not text[:end].strip() or not text[start:].strip() or _inside_value(text[:end]):
            continue
        key = (not space, abs(x - bound.at), start)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _piece(line: OcrLine, box: Box, a: float, b: float, text: str) -> OcrLine:
    """The axis-aligned OCR box of the part ``a..b`` (fractions of the text's width) of ``box``."""
    c, s = math.cos(box.angle), math.sin(box.angle)
    x1, y1, x2, y2 = line.box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    shift = ((a + b) / 2 - 0.5) * box.width
    w = (b - a) * box.width
    px, py = cx + shift * c, cy + shift * s
    bw, bh = w * c + box.h * abs(s), w * abs(s) + box.h * c
    return OcrLine(text=text, box=(px - bw / 2, py - bh / 2, px + bw / 2, py + bh / 2))


def _split(line: OcrLine, box: Box, bounds: Sequence[Boundary]) -> list[OcrLine]:
    for bound in bounds:
        at = _cut(box, bound)
        if at is None:
            continue
        text = box.text
        widths = [char_width(ch) for ch in text]
        total = sum(widths) or 1.0
        left, right = text[:at].rstrip(), text[at:].lstrip()
        lead = len(text[:at]) - len(text[:at].lstrip())
        f_left_end = sum(widths[: lead + len(left)]) / total
        f_right_start = sum(widths[: len(text) - len(right)]) / total
        return [_piece(line, box, sum(widths[:lead]) / total, f_left_end, left),
                _piece(line, box, f_right_start, 1.0, right)]
    return [line]


def split_butting_boxes(ocr_lines: Sequence[OcrLine], lines: Sequence[Line]) -> list[OcrLine] | None:
    """``ocr_lines`` with every body box that spans the boundary of two side-by-side table groups
    cut in two (a piece that still spans another boundary is cut again); None when no box was
    cut. ``lines`` are the visual lines of ``ocr_lines`` (box ``index`` = position in it)."""
    headers = header_rows(lines)
    if not headers:
        return None
    groups = groups_of(lines, headers)
    h = float(sorted(ln.h for ln in lines)[len(lines) // 2])
    bounds = _boundaries(groups, h)
    if not bounds:
        return None
    header_boxes = {c.box for g in groups for c in g.cells if c.box >= 0}
    by_index = {b.index: b for ln in lines for b in ln.boxes}
    out: list[OcrLine] = []
    changed = False
    for i, line in enumerate(ocr_lines):
        box = by_index.get(i)
        if box is None or i in header_boxes:
            out.append(line)
            continue
        pieces = _split(line, box, bounds)
        changed |= len(pieces) > 1
        out += pieces
    return out if changed else None
