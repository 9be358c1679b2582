"""Layout helpers on top of the canvas: wrapped paragraphs, key/value grids and tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medvie_synth.canvas import Page, Style, text_width

_LATIN_RUN = re.compile(r"[A-Za-z0-9.%/^µ+\-×±()<>≤≥,:']+|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」%,.;:)")


def wrap(text: str, style: Style, max_width: float) -> list[str]:
    """Greedy line breaking: at spaces for Latin text, between characters for CJK text (never
    inside a Latin word or number, never before closing punctuation)."""
    tokens = _LATIN_RUN.findall(text)
    lines: list[str] = []
    current = ""
    for tok in tokens:
        candidate = current + tok
        if current and not tok.isspace() and text_width(candidate.rstrip(), style) > max_width:
            if tok in _NO_LINE_START:
                lines.append(candidate.rstrip())
                current = ""
                continue
            lines.append(current.rstrip())
            current = tok.lstrip()
        else:
            current = candidate if (current or not tok.isspace()) else ""
    if current.strip():
        lines.append(current.rstrip())
    return lines


def paragraph(page: Page, x: float, y: float, text: str, style: Style, max_width: float,
              spacing: float = 1.35, first_indent: float = 0.0) -> float:
    """Draw wrapped text; returns the y below it. ``first_indent`` shifts the first line
    (text that starts after an inline label)."""
    step = style.size * spacing
    first = wrap(text, style, max_width - first_indent)
    if not first:
        return y
    head = first[0]
    rest = text[len(head):].strip() if text.startswith(head) else " ".join(first[1:])
    page.text(x + first_indent, y, head, style)
    y += step
    for line in wrap(rest, style, max_width) if rest else []:
        page.text(x, y, line, style)
        y += step
    return y


@dataclass
class Field:
    """A printed label/value pair; ``key`` names the ground-truth field (None: a distractor)."""

    label: str
    value: str
    key: str | None = None


@dataclass
class FieldGrid:
    """How key/value pairs are laid out: columns, ``sep`` after the label, and whether label
    and value are one printed segment (``joined``) or two with a gap."""

    columns: int
    sep: str = ": "
    joined: bool = True
    label_style: Style | None = None
    row_spacing: float = 1.7
    value_offset: float | None = None  # fixed x offset of values inside a cell (not joined)


def field_grid(page: Page, x: float, y: float, width: float, fields: list[Field], style: Style,
               grid: FieldGrid) -> float:
    """Fill cells left to right; a pair too wide for its cell spans the following cells."""
    cell = width / grid.columns
    label_style = grid.label_style or style
    step = style.size * grid.row_spacing
    col = 0
    for f in fields:
        label = f.label + grid.sep.rstrip() if not grid.joined else f.label + grid.sep
        if grid.joined:
            need = text_width(label + f.value, style)
        else:
            offset = grid.value_offset or text_width(label, label_style) + style.size * 0.5
            offset = max(offset, text_width(label, label_style) + style.size * 0.4)
            need = offset + text_width(f.value, style)
        span = min(grid.columns, int(need // (cell * 0.97)) + 1)
        if col + span > grid.columns:
            col = 0
            y += step
        cx = x + col * cell
        if grid.joined:
            page.text(cx, y, label + f.value, style)
        else:
            page.text(cx, y, label, label_style)
            page.text(cx + offset, y, f.value, style)
        col += span
        if col >= grid.columns:
            col = 0
            y += step
    return y + (step if col else 0)


@dataclass
class Column:
    header: str
    align: str = "left"
    min_width: float = 0.0
    weight: float = 1.0  # share of the spare width


@dataclass
class Cell:
    """``span``: the text runs across the whole row (a section title inside a table)."""

    text: str
    style: Style | None = None
    span: bool = False


@dataclass
class TableStyle:
    """``rules``: none | frame (lines above/below the header and below the body) | grid | rows;
    ``shade`` fills the header row."""

    rules: str = "frame"
    shade: tuple[int, int, int] | None = None
    row_spacing: float = 1.65
    pad: float = 6.0
    rule_width: int = 1
    header_style: Style | None = None
    zebra: tuple[int, int, int] | None = None
    widths: list[float] = field(default_factory=list)  # filled by ``table``


def column_widths(columns: list[Column], rows: list[list[Cell]], style: Style, header: Style,
                  width: float, pad: float) -> list[float]:
    need = []
    for i, col in enumerate(columns):
        w = text_width(col.header, header)
        for row in rows:
            cell = row[i]
            if not cell.span:
                w = max(w, text_width(cell.text, cell.style or style))
        need.append(max(col.min_width, w + 2 * pad))
    spare = width - sum(need)
    total_weight = sum(c.weight for c in columns) or 1.0
    if spare > 0:
        need = [w + spare * c.weight / total_weight for w, c in zip(need, columns, strict=False)]
    return need


def table(page: Page, x: float, y: float, width: float, columns: list[Column],
          rows: list[list[Cell]], style: Style, ts: TableStyle) -> float:
    """Draw a table; returns the y below it. Column widths follow their content."""
    header = ts.header_style or style.but(bold=True)
    widths = column_widths(columns, rows, style, header, width, ts.pad)
    ts.widths = widths
    width = sum(widths)
    step = style.size * ts.row_spacing
    lines_y = [y]
    top = y
    if ts.shade:
        page.rect(x, y, x + width, y + step, fill=ts.shade)
    _row(page, x, y + (step - header.size * 1.2) / 2, widths, columns,
         [Cell(c.header, header) for c in columns], style, ts.pad)
    y += step
    lines_y.append(y)
    for r, row in enumerate(rows):
        if ts.zebra and r % 2 == 1:
            page.rect(x, y, x + width, y + step, fill=ts.zebra)
        _row(page, x, y + (step - style.size * 1.2) / 2, widths, columns, row, style, ts.pad)
        y += step
        lines_y.append(y)
    w = ts.rule_width
    if ts.rules == "frame":
        for ly in (lines_y[0], lines_y[1], lines_y[-1]):
            page.line(x, ly, x + width, ly, w)
    elif ts.rules == "rows":
        for ly in lines_y:
            page.line(x, ly, x + width, ly, w if ly in (lines_y[0], lines_y[1]) else 1)
    elif ts.rules == "grid":
        for ly in lines_y:
            page.line(x, ly, x + width, ly, w)
        cx = x
        for cw in [0.0, *widths]:
            cx += cw
            page.line(cx, top, cx, y, w)
    return y


def _row(page: Page, x: float, y: float, widths: list[float], columns: list[Column],
         cells: list[Cell], style: Style, pad: float) -> None:
    if cells and cells[0].span:
        page.text(x + pad, y, cells[0].text, cells[0].style or style)
        return
    for cw, col, cell in zip(widths, columns, cells, strict=False):
        if cell.text:
            s = cell.style or style
            if col.align == "right":
                page.text(x + cw - pad, y, cell.text, s, align="right")
            elif col.align == "center":
                page.text(x + cw / 2, y, cell.text, s, align="center")
            else:
                page.text(x + pad, y, cell.text, s)
        x += cw
