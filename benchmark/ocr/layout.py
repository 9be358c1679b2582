"""Reading order for OCR boxes: rows by vertical centre (with a tolerance), then left to right."""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.documents import OcrLine


def quad_to_box(points: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """An axis-aligned ``[x1, y1, x2, y2]`` around a polygon's points."""
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def group_rows(lines: Sequence[OcrLine], tolerance: float = 0.5) -> list[list[OcrLine]]:
    """Boxes grouped into visual rows, top to bottom, each row left to right.

    A box joins the current row when its vertical centre is within ``tolerance`` times the
    smaller of its own and the row's median height from the row's centre.
    """
    rows: list[list[OcrLine]] = []
    centre = height = 0.0
    for line in sorted(lines, key=lambda ln: ((ln.box[1] + ln.box[3]) / 2, ln.box[0])):
        y1, y2 = line.box[1], line.box[3]
        c, h = (y1 + y2) / 2, max(y2 - y1, 1.0)
        if rows and abs(c - centre) <= tolerance * min(h, height):
            rows[-1].append(line)
            n = len(rows[-1])
            centre += (c - centre) / n
            height = sorted(ln.box[3] - ln.box[1] for ln in rows[-1])[n // 2]
        else:
            rows.append([line])
            centre, height = c, h
    return [sorted(row, key=lambda ln: ln.box[0]) for row in rows]


def reading_order(lines: Sequence[OcrLine], tolerance: float = 0.5) -> list[OcrLine]:
    """The boxes flattened row by row (see :func:`group_rows`)."""
    return [ln for row in group_rows(lines, tolerance) for ln in row]


def rows_text(lines: Sequence[OcrLine], sep: str = " ") -> str:
    """One text line per visual row (boxes of a row joined by ``sep``)."""
    return "\n".join(sep.join(ln.text for ln in row) for row in group_rows(lines))
