"""Table groups read one by one: the region under each group's titles, deskewed on its own.

Real reports print two or three table groups side by side, each with its own header row. On a
photo the groups tilt differently (a curled page bends its left and right halves apart, a
rotated one shifts the right group's rows by a row or more), so rows grouped across the whole
page mix rows of different groups. Here every group is a region: from its first title (or the
space left of it) to the next group's, below its header row and above the next header row
below it. Its boxes, header included, are deskewed and grouped into rows again with their own
tilt, and its titles are placed again in that frame (each title knows the part of its OCR box it
covers).

Header rows are found from their titles chained left to right, not from visual lines, so a
header row that a tilted or curled photo spreads over several lines is still one. Header rows
side by side (two groups too far apart to chain) are regions that stop at each other.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from baselines.layout.freerows import free_table
from baselines.layout.lines import Box, Line, deskew, group_lines
from baselines.layout.table import (
    HeaderCell,
    Row,
    Table,
    assign_cells,
    box_titles,
    column_bounds,
    fuzzy_pair,
    harmonize_ranges,
    header_cells,
    imply_marks,
    is_header,
    row_of,
    segments,
)
from benchmark.documents import OcrLine

_NEAR_HEADERS = 6.0  # header rows closer than this many text heights can be side by side
_MAX_GAP = 30.0  # the widest gap between two titles of one header row, in text heights
STOP_AFTER = 3  # lines in a row without an indicator end a group


def _roles(cells: Sequence[HeaderCell]) -> set[str]:
    return {c.role for c in cells} - {"no", "method"}


def _link(a: HeaderCell, b: HeaderCell, ha: float, hb: float) -> float | None:
    """How well title ``b`` continues a header row to the right of title ``a`` (lower is better),
    None when it cannot: it starts after ``a`` ends (a little overlap allowed), within
    :data:`_MAX_GAP` text heights, at a height that a tilt of up to 7° explains."""
    h = min(ha, hb)
    gap = b.x1 - a.x2
    if gap < -0.5 * min(a.x2 - a.x1, b.x2 - b.x1) or gap > _MAX_GAP * h:
        return None
    dy = abs(b.cy - a.cy)
    if dy > 0.6 * h + 0.12 * max(0.0, b.cx - a.cx):
        return None
    return max(gap, 0.0) + 4.0 * dy


def _chains(cells: Sequence[HeaderCell], heights: dict[int, float]) -> list[list[HeaderCell]]:
    """Titles chained left to right into header rows (each title has at most one title before
    and one after it: the best placed)."""
    order = sorted(range(len(cells)), key=lambda i: cells[i].cx)
    best_next: dict[int, tuple[float, int]] = {}
    for i in order:
        options = []
        for j in order:
            if j == i or cells[j].cx <= cells[i].cx:
                continue
            score = _link(cells[i], cells[j], heights.get(cells[i].box, 1.0), heights.get(cells[j].box, 1.0))
            if score is not None:
                options.append((score, j))
        if options:
            best_next[i] = min(options)
    taken_by: dict[int, tuple[float, int]] = {}
    for i, (score, j) in best_next.items():
        if j not in taken_by or score < taken_by[j][0]:
            taken_by[j] = (score, i)
    nxt = {i: j for j, (_, i) in taken_by.items()}
    has_prev = set(nxt.values())
    chains = []
    for i in order:
        if i in has_prev:
            continue
        chain = [i]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        chains.append([cells[k] for k in chain])
    return chains


def _loose_titles(chain: list[HeaderCell], boxes: Sequence[Box], pairs_only: bool = False) -> list[HeaderCell]:
    """Titles OCR misread (``检胎结果``) on a header row's path: boxes that lie on the row and
    match a title loosely; with ``pairs_only``, only boxes that are two titles run together and
    misread (:func:`fuzzy_pair`)."""
    known = {c.box for c in chain}
    xs = [c.cx for c in chain]
    ys = [c.cy for c in chain]
    width = max(c.x2 - c.x1 for c in chain)
    out = []
    for b in boxes:
        if b.index in known or not chain[0].x1 - 2 * width <= b.cx <= chain[-1].x2 + 2 * width:
            continue
        if abs(b.cy - float(np.interp(b.cx, xs, ys))) <= 0.6 * b.h and (not pairs_only or fuzzy_pair(b.text)):
            out += box_titles(b, fuzzy=True)
    return out


def _table_like(chain: Sequence[HeaderCell], heights: dict[int, float]) -> bool:
    """Three titles or more, or two printed apart (``Test Results`` as a page title is no
    header row)."""
    if len(chain) >= 3:
        return True
    a, b = sorted(chain, key=lambda c: c.x1)[:2]
    return a.box != b.box and b.x1 - a.x2 > 2 * heights.get(a.box, 1.0)


def header_rows(lines: Sequence[Line]) -> list[tuple[int, list[HeaderCell]]]:
    """(line index, titles) of every header row, top to bottom. Titles are chained left to right
    (:func:`_chains`), so a header row that a tilted or curled photo spread over two or more
    visual lines is still one; a row of two titles or more is completed with loosely matched
    ones (:func:`_loose_titles`; one exact title needs two loose ones); a row that already is a
    header row takes only two titles misread as one word (``Uniffest`` = Unit | Test between two
    groups). The line index is the
    lowest line the row touches."""
    boxes = [b for ln in lines for b in ln.boxes]
    line_of = {b.index: li for li, ln in enumerate(lines) for b in ln.boxes}
    heights = {b.index: b.h for b in boxes}
    cells = [c for b in boxes for c in box_titles(b, fuzzy=False)]
    out = []
    for chain in _chains(cells, heights):
        exact = len(_roles(chain))
        if is_header(chain):  # complete; only two titles misread as one word can be missing
            chain = sorted([*chain, *_loose_titles(chain, boxes, pairs_only=True)], key=lambda c: c.x1)
        else:
            chain = sorted([*chain, *_loose_titles(chain, boxes)], key=lambda c: c.x1)
            if len(_roles(chain)) < (2 if exact >= 2 else 3):
                continue  # one exact title is too little evidence for a header row
        if is_header(chain) and _table_like(chain, heights):
            out.append((max(line_of[c.box] for c in chain), chain))
    return sorted(out, key=lambda r: (r[0], r[1][0].x1))


@dataclass
class Group:
    """One table group: its titles (page frame), its header row and its region."""

    band: int
    order: int
    line: int
    cells: list[HeaderCell]
    left: float = -math.inf
    right: float = math.inf
    bottom: float = math.inf

    @property
    def cy(self) -> float:
        return sum(c.cy for c in self.cells) / len(self.cells)

    def top_at(self, x: float) -> float:
        """The header row's centre height above ``x`` (the nearest title's)."""
        return min(self.cells, key=lambda c: abs(c.cx - x)).cy


def _with_result(seg: list[HeaderCell]) -> list[HeaderCell]:
    """A group whose result title was not read gets a result column in the wide gap after its
    name (or code) title, where results are printed."""
    if any(c.role == "result" for c in seg):
        return seg
    width = sorted(c.x2 - c.x1 for c in seg)[len(seg) // 2]
    for k, (a, b) in enumerate(itertools.pairwise(seg)):
        gap = b.x1 - a.x2
        if a.role in ("name", "code") and b.role not in ("code",) and gap >= 1.5 * width:
            cell = HeaderCell("result", a.x2 + 0.2 * gap, b.x1 - 0.2 * gap, "", -1, 0.0, 0.0, (a.cy + b.cy) / 2)
            return [*seg[: k + 1], cell, *seg[k + 1 :]]
    return seg


def _with_name(seg: list[HeaderCell], left_edge: float) -> list[HeaderCell]:
    """A group whose item-name title was not read gets a name column where names are printed:
    after its row-number title, else left of its first title."""
    if any(c.role == "name" for c in seg):
        return seg
    at = 1 if seg[0].role == "no" and len(seg) > 1 else 0
    x1 = seg[0].x2 + 1 if at else left_edge
    x2 = seg[at].x1 - 1
    width = min(c.x2 - c.x1 for c in seg)
    if x2 - x1 < max(8.0, 1.5 * width if at else 8.0):
        return seg
    return [*seg[:at], HeaderCell("name", x1, x2, "", -1, 0.0, 0.0, seg[0].cy), *seg[at:]]


def _overlapping_neighbours(a: Group, b: Group) -> bool:
    """``a`` and ``b`` are consecutive groups of one header row (its titles repeat, so
    :func:`segments` parted them) whose titles overlap at the boundary: the left group's last title
    runs into the right group's first one by less than half the narrower of the two (OCR boxes of
    a tight print reach past the ink into each other: ``参考区间`` x 502-597, ``项目`` x 586-641)."""
    last, first = a.cells[-1], b.cells[0]
    overlap = last.x2 - first.x1
    return (a.band == b.band and b.order == a.order + 1 and last.x1 < first.x1
            and overlap < 0.5 * min(last.x2 - last.x1, first.x2 - first.x1))


def _before(a: Group, b: Group) -> bool:
    """Group ``a`` ends where group ``b`` begins, on its left: apart (2 px of overlap allowed), or
    consecutive groups of one header row whose titles overlap (:func:`_overlapping_neighbours`)."""
    return a.cells[-1].x2 <= b.cells[0].x1 + 2 or _overlapping_neighbours(a, b)


def _edge(a: Group, b: Group) -> float:
    """Where group ``b``'s region begins after group ``a`` (:func:`_before`): the end of ``a``'s
    last title, but not more than half ``b``'s first title width before it; for titles that overlap,
    the middle of their overlap."""
    last, first = a.cells[-1], b.cells[0]
    if last.x2 > first.x1 + 2:
        return (last.x2 + first.x1) / 2
    return max(last.x2, first.x1 - 0.5 * (first.x2 - first.x1))


def groups_of(lines: Sequence[Line], headers: Sequence[tuple[int, list[HeaderCell]]]) -> list[Group]:
    """Every group of every header row, with its region bounds."""
    page_left = min((ln.x1 for ln in lines), default=0.0)
    groups: list[Group] = []
    for band, (li, cells) in enumerate(headers):
        for order, seg in enumerate(segments(cells)):
            groups.append(Group(band, order, li, list(seg)))
    text_h = {g.band: lines[g.line].h for g in groups}
    for g in groups:
        h = text_h[g.band]
        near = [o for o in groups if o is not g and abs(o.cy - g.cy) <= _NEAR_HEADERS * h]
        lefts = [_edge(o, g) for o in near if _before(o, g)]
        g.left = max(lefts) if lefts else -math.inf
        below = [o.cy - 0.6 * h for o in groups if o.cy > g.cy + 1.5 * h
                 and o.cells[0].x1 < g.cells[-1].x2 and o.cells[-1].x2 > g.cells[0].x1]
        g.bottom = min(below) if below else math.inf
    for g in groups:
        h = text_h[g.band]
        rights = [o.left for o in groups if o is not g and abs(o.cy - g.cy) <= _NEAR_HEADERS * h
                  and _before(g, o)]
        g.right = min(rights) if rights else math.inf
        g.cells = _with_result(_with_name(g.cells, g.left if math.isfinite(g.left) else page_left))
    return groups


def _region(g: Group, boxes: Sequence[Box], header_boxes: set[int], h: float) -> list[Box]:
    return [b for b in boxes if b.index not in header_boxes and g.left <= b.cx < g.right
            and b.cy > g.top_at(b.cx) + 0.5 * h and b.cy < g.bottom]


def read_group(g: Group, body: Sequence[Box], header: dict[int, Box], line_of: dict[int, int],
               stop_after: int = STOP_AFTER) -> tuple[list[Row], set[int]]:
    """Rows of one group: its header and body boxes deskewed together with their own tilt,
    grouped into lines, titles placed again, rows read below the header. Returns (rows, indices
    of the body boxes used)."""
    own = [header[c.box] for c in g.cells if c.box in header]
    own = list({b.index: b for b in own}.values())
    boxes = own + list(body)
    if not own or not body:
        return [], set()
    fresh = deskew([OcrLine(text=b.text, box=b.raw) for b in boxes])
    origin = [b.index for b in boxes]  # fresh[k].index == k
    at = {b.index: k for k, b in enumerate(own)}
    cols = sorted((c.placed(fresh[at[c.box]]) if c.box in at else c for c in g.cells), key=lambda c: c.x1)
    n_head = len(own)
    glines = group_lines(fresh)
    head_lines = [i for i, ln in enumerate(glines) if any(b.index < n_head for b in ln.boxes)]
    start = max(head_lines) + 1 if head_lines else 0
    rows: list[Row] = []
    used: set[int] = set()
    misses = 0
    bounds = column_bounds(cols, [b for ln in glines[start:] for b in ln.boxes if b.index >= n_head])
    for ln in glines[start:]:
        bxs = [b for b in ln.boxes if b.index >= n_head]
        if not bxs:
            continue
        if is_header(header_cells(Line(bxs), fuzzy=False)):
            break
        row = row_of(assign_cells(bxs, cols, bounds))
        if row:
            first = origin[bxs[0].index]
            rows.append(Row(row, line_of.get(first, g.line), g.order))
            used.update(origin[b.index] for b in bxs)
            misses = 0
        else:
            misses += 1
            if misses >= stop_after and rows:
                break
    return rows, used


def read_tables(lines: Sequence[Line]) -> list[Table]:
    """Every table (header row) with the rows of its groups, in page order; without any, the rows
    that lines read as on their own (:func:`baselines.layout.freerows.free_table`)."""
    headers = header_rows(lines)
    tables = _header_tables(lines, headers) if headers else []
    if not any(t.rows for t in tables):
        free = free_table(lines)
        if free is not None:
            tables.append(free)
    return tables


def _header_tables(lines: Sequence[Line], headers: Sequence[tuple[int, list[HeaderCell]]]) -> list[Table]:
    groups = groups_of(lines, headers)
    boxes = [b for ln in lines for b in ln.boxes]
    line_of = {b.index: li for li, ln in enumerate(lines) for b in ln.boxes}
    by_index = {b.index: b for b in boxes}
    header_boxes = {c.box for g in groups for c in g.cells if c.box >= 0}
    tables: list[Table] = []
    for band, (li, _cells) in enumerate(headers):
        mine = sorted((g for g in groups if g.band == band), key=lambda g: g.cells[0].x1)
        table = Table(li, [g.cells for g in mine], end_line=li)
        table.boxes |= {c.box for g in mine for c in g.cells if c.box >= 0}
        for g in mine:
            body = _region(g, boxes, header_boxes, lines[li].h)
            rows, used = read_group(g, body, {i: by_index[i] for i in header_boxes}, line_of)
            table.rows += rows
            table.boxes |= used
            table.end_line = max([table.end_line, *(line_of[i] for i in used)])
        tables.append(table)
    return tables


def find_tables(lines: Sequence[Line]) -> list[Table]:
    """Every table under a header row, in page order (rows of side-by-side groups left first)."""
    tables = read_tables(lines)
    rows = [r for t in tables for r in t.rows]
    harmonize_ranges(rows)
    imply_marks(rows)
    return tables
