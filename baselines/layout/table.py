"""Indicator tables from visual lines: header row, columns by x, side-by-side halves, rows.

1. A header row is a line with at least two column titles from :data:`HEADER_WORDS` (English and
   Chinese: 项目/名称/检验项目/结果/单位/参考值/参考范围/提示/英文缩写, Item/Test/Result/Unit/
   Reference/Flag …), one of them naming the item or its abbreviation. Titles merged into one OCR
   box (``Value Units``) are split at spaces; OCR misspellings are matched approximately.
2. A title that repeats along the header row starts a new *segment*: a two-column report prints
   the same table twice side by side. Each segment's rows are read separately and the left
   segment's rows come first, so the two halves become one row stream.
3. Column boundaries lie midway between neighbouring titles; a body box goes to the column of its
   centre, and a box that straddles a boundary (two cells read as one) is split at spaces.
4. Cells are repaired by type (:mod:`baselines.layout.normalize`): the mark is split off the
   result, a unit stuck to the result is moved to the unit column, a range in the unit column
   moves to the reference column.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from baselines.layout.lines import Box, Line
from baselines.layout.normalize import (
    is_mark,
    is_number,
    is_range,
    is_unit,
    label_key,
    normalize_mark,
    normalize_range,
    normalize_unit,
    normalize_value,
    split_mark,
)

ROLES = ("no", "name", "code", "result", "mark", "unit", "reference", "method")

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "no": ("序号", "No", "No.", "#", "编号", "S.No", "Sr.No"),
    "name": ("项目", "名称", "项目名称", "检验项目", "检查项目", "化验项目", "检测项目", "中文名称", "项目中文名称",
             "Item", "Items", "Test", "Tests", "Test Name", "Test Item", "Analyte", "Investigation", "Parameter",
             "Examination", "Test Description", "Component"),
    "code": ("英文缩写", "缩写", "代号", "英文", "代码", "英文名称", "简称", "Code", "Abbr", "Abbr.", "Abbreviation",
             "Symbol"),
    "result": ("结果", "检验结果", "测定值", "检测结果", "结果值", "测定结果", "检查结果", "Result", "Results", "Value",
               "Values", "Observed Value", "Test Result"),
    "mark": ("提示", "标志", "标记", "异常提示", "状态", "高低", "Flag", "Flags", "H/L", "Status", "Indicator"),
    "unit": ("单位", "Unit", "Units"),
    "reference": ("参考值", "参考范围", "参考区间", "生物参考区间", "正常值", "参考值范围", "正常范围", "参考",
                  "Reference", "Reference Range", "Ref. Range", "Ref Range", "Ref. Interval", "Reference Interval",
                  "Normal Range", "Normal Value", "Normal Values", "Biological Reference Interval", "Range",
                  "Reference Value", "Reference Values", "Ref."),
    "method": ("方法", "检测方法", "检验方法", "Method"),
}
_LEXICON: dict[str, str] = {label_key(w): role for role, words in HEADER_WORDS.items() for w in words}
_LABEL_VALUE = re.compile(r"[A-Za-z\u4e00-\u9fff)）]\s*[:：]\s*\S")
_VALUE_UNIT = re.compile(r"^(?P<value>[<>≤≥]?[-+]?\d+(?:\.\d+)?)\s*(?P<mark>[↑↓])?\s*(?P<unit>[%‰a-zA-Zµμ/^*~'].*)$")
_ROW_NUMBER = re.compile(r"^(?:\d{1,3}[.、)]?\s+|\d{1,3}[.、)])(?=\D)")


def header_role(text: str) -> str | None:
    """The column role a printed title names (approximate match for OCR errors), else None."""
    key = label_key(text)
    if not key or len(key) > 30:
        return None
    if key in _LEXICON:
        return _LEXICON[key]
    if len(key) >= 4:
        close = difflib.get_close_matches(key, list(_LEXICON), n=1, cutoff=0.8)
        if close:
            return _LEXICON[close[0]]
    return None


@dataclass
class HeaderCell:
    role: str
    x1: float
    x2: float
    text: str

    @property
    def cx(self) -> float:
        return (self.x1 + self.x2) / 2


def _char_width(ch: str) -> float:
    return 2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0


def split_box(box: Box) -> list[tuple[str, float, float]]:
    """A box's space-separated tokens with x extents estimated from character widths."""
    text = box.text
    widths = [_char_width(ch) for ch in text]
    total = sum(widths) or 1.0
    scale = box.width / total
    out, pos = [], 0.0
    for m in re.finditer(r"\S+", text):
        start = pos + sum(widths[: m.start()]) * scale
        end = sum(widths[: m.end()]) * scale
        out.append((m.group(), box.x1 + start, box.x1 + end))
    return out


def _lcs(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def fuzzy_role(text: str) -> str | None:
    """A looser match for a title misread by OCR (``检胎结果``, ``项目名程``, ``Ret. Interval``); only
    used on a line already known to be a header row."""
    key = label_key(text)
    if not key or len(key) > 12:
        return None
    best, best_score = None, 0.0
    for word, role in _LEXICON.items():
        if abs(len(word) - len(key)) > 2 or len(word) < 2:
            continue
        common = _lcs(key, word)
        score = common / max(len(word), len(key))
        cjk = bool(re.search(r"[\u4e00-\u9fff]", word))
        if ((cjk and common >= 2 and score >= 0.5) or (not cjk and score >= 0.7)) and score > best_score:
            best, best_score = role, score
    return best


def segment_titles(text: str) -> list[tuple[str, str, int, int]]:
    """Titles printed without a space between them (``测定值单位`` → 测定值 | 单位): the split of the
    whole text into known titles with the fewest parts, as (title, role, start, end) character
    spans; empty when there is none."""
    key = re.sub(r"\s+", "", text)
    n = len(key)
    if n < 3 or n > 24:
        return []
    best: list[list[tuple[str, str, int, int]] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, n + 1):
            role = _LEXICON.get(label_key(key[i:j]))
            if role and (best[j] is None or len(best[j]) > len(best[i]) + 1):  # type: ignore[arg-type]
                best[j] = [*best[i], (key[i:j], role, i, j)]  # type: ignore[misc]
    out = best[n]
    return out if out and len(out) >= 2 else []


def _cells_of_box(box: Box, fuzzy: bool) -> list[HeaderCell]:
    if _LABEL_VALUE.search(box.text):
        return []
    role = header_role(box.text)
    if role:
        return [HeaderCell(role, box.x1, box.x2, box.text)]
    tokens = split_box(box)
    cells: list[HeaderCell] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 4), i, -1):  # longest run first
            text = " ".join(t for t, _, _ in tokens[i:j])
            role = header_role(text)
            if role:
                cells.append(HeaderCell(role, tokens[i][1], tokens[j - 1][2], text))
                i = j
                break
        else:
            text, x1, x2 = tokens[i]
            parts = segment_titles(text)
            if parts:
                scale = (x2 - x1) / max(1, len(re.sub(r"\s+", "", text)))
                cells += [HeaderCell(r, x1 + a * scale, x1 + b * scale, t) for t, r, a, b in parts]
            elif fuzzy and (role := fuzzy_role(text)):
                cells.append(HeaderCell(role, x1, x2, text))
            i += 1
    return cells


def header_cells(line: Line, fuzzy: bool = True) -> list[HeaderCell]:
    """Column titles found in a line (a box, runs of its space-separated tokens, or titles run
    together). When the exact matches already make a header row, the other boxes are matched
    loosely (:func:`fuzzy_role`)."""
    exact = [c for box in line.boxes for c in _cells_of_box(box, False)]
    if not fuzzy or not is_header(exact):
        return exact
    return [c for box in line.boxes for c in _cells_of_box(box, True)]


def is_header(cells: Sequence[HeaderCell]) -> bool:
    roles = {c.role for c in cells}
    return bool(roles & {"name", "code"}) and len(roles & {"result", "unit", "reference", "mark"}) >= 1 and (
        len(roles - {"no", "method"}) >= 2
    )


def segments(cells: Sequence[HeaderCell]) -> list[list[HeaderCell]]:
    """Header cells split where a title repeats (tables printed side by side)."""
    out: list[list[HeaderCell]] = [[]]
    for cell in sorted(cells, key=lambda c: c.x1):
        if any(c.role == cell.role for c in out[-1]):
            out.append([])
        out[-1].append(cell)
    return [s for s in out if s]


@dataclass
class Row:
    """One indicator row: role → text (roles of :data:`ROLES`), and the line it came from."""

    cells: dict[str, str]
    line: int
    segment: int = 0

    def get(self, role: str) -> str:
        return self.cells.get(role, "")


@dataclass
class Table:
    header_line: int
    segments: list[list[HeaderCell]]
    rows: list[Row] = field(default_factory=list)
    end_line: int = 0


def _boundaries(cols: Sequence[HeaderCell]) -> list[float]:
    return [(a.x2 + b.x1) / 2 for a, b in itertools.pairwise(cols)]


def _column_of(x: float, bounds: Sequence[float]) -> int:
    for i, b in enumerate(bounds):
        if x < b:
            return i
    return len(bounds)


def assign_cells(boxes: Sequence[Box], cols: Sequence[HeaderCell]) -> dict[str, str]:
    """Body boxes of one segment and one line → role → text (left to right, joined by a space)."""
    bounds = _boundaries(cols)
    parts: dict[int, list[tuple[float, str]]] = {}
    for box in boxes:
        first, last = _column_of(box.x1 + 0.15 * box.width, bounds), _column_of(box.x2 - 0.15 * box.width, bounds)
        tokens = split_box(box) if first != last and " " in box.text else []
        placed = [(_column_of((x1 + x2) / 2, bounds), x1, text) for text, x1, x2 in tokens]
        if placed and len({c for c, _, _ in placed}) > 1 and all(_fits(cols[c].role, t) for c, _, t in placed[1:]):
            for col, x1, text in placed:
                parts.setdefault(col, []).append((x1, text))
        else:
            col = first if cols[first].role in ("name", "no") and first != last else _column_of(box.cx, bounds)
            parts.setdefault(col, []).append((box.x1, box.text))
    out: dict[str, str] = {}
    for i, items in parts.items():
        role = cols[i].role
        text = " ".join(t for _, t in sorted(items))
        out[role] = f"{out[role]} {text}" if role in out else text
    return out


def _fits(role: str, text: str) -> bool:
    """Whether a token split off a box that straddles columns suits the column it lands in."""
    if role in ("name", "code", "method", "no"):
        return True
    if role == "unit":
        return is_unit(text) or bool(re.match(r"^[%/a-zA-Zµμ^0-9'*~]{1,10}$", text))
    if role == "reference":
        return is_range(text) or bool(re.match(r"^[<>≤≥\d.\-~～–]+$", text))
    if role == "mark":
        return is_mark(text) or bool(normalize_mark(text))
    value, _ = split_mark(text)
    return is_number(value) or is_mark(text) or len(value) <= 6


def _looks_like_value(text: str) -> bool:
    value, _ = split_mark(text)
    return bool(value) and (is_number(value) or len(value) <= 12) and not _LABEL_VALUE.search(value)


def repair(cells: dict[str, str]) -> dict[str, str]:
    """Type-driven fixes of one row's cells (see the module docstring)."""
    c = {k: v.strip() for k, v in cells.items() if v and v.strip()}
    result = c.get("result", "")
    # a unit read together with the result: "21.1 /µL"
    if result and " " in result and not c.get("unit"):
        head, _, tail = result.rpartition(" ")
        if is_unit(tail) and (is_number(split_mark(head)[0]) or is_mark(head[-1:])):
            c["result"], c["unit"] = head, tail
    # value, mark and unit run together: "370↓%", "6.4%", "1.3 ↑ %"
    m = _VALUE_UNIT.match(c.get("result", ""))
    if m and not c.get("unit") and is_unit(m.group("unit")):
        c["result"] = f"{m.group('value')}{m.group('mark') or ''}"
        c["unit"] = m.group("unit")
    # a reference read together with the unit: "mmol/L 3.9-6.1"
    unit = c.get("unit", "")
    if unit and " " in unit and not c.get("reference"):
        head, _, tail = unit.partition(" ")
        if is_unit(head) and is_range(tail):
            c["unit"], c["reference"] = head, tail
    if c.get("unit") and is_range(c["unit"]) and not c.get("reference"):
        c["reference"] = c.pop("unit")
    if c.get("reference") and is_unit(c["reference"]) and not c.get("unit"):
        c["unit"] = c.pop("reference")
    # the mark: own column, or beside the value
    value, mark = split_mark(c.get("result", ""))
    if c.get("mark"):
        own = normalize_mark(c["mark"])
        if own:
            mark = own
        elif not mark:
            _extra, trailing = split_mark(c["mark"])
            if trailing:
                mark = trailing
    if value:
        c["result"] = normalize_value(value)
    if mark:
        c["mark"] = mark
    else:
        c.pop("mark", None)
    if c.get("unit"):
        exponent = "12" if re.search(r"红细胞|RBC|red\s*(blood\s*)?cell", c.get("name", "") + c.get("code", ""), re.I) \
            else "9"
        c["unit"] = normalize_unit(c["unit"], exponent)
    if c.get("reference"):
        c["reference"] = normalize_range(c["reference"])
    if c.get("name"):
        name = c["name"]
        if "no" not in cells:
            name = _ROW_NUMBER.sub("", name)
        c["name"] = name.lstrip("*★☆ ").strip()
    return c


def read_rows(lines: Sequence[Line], start: int, segs: list[list[HeaderCell]], stop_after: int = 3) -> tuple[
        list[Row], int]:
    """Rows below a header line until ``stop_after`` lines in a row yield nothing, or the next
    header. Returns (rows, index of the last line used)."""
    edges = [seg[0].x1 - 0.5 * (seg[0].x2 - seg[0].x1) for seg in segs]
    per_segment: list[list[Row]] = [[] for _ in segs]
    misses, end = 0, start
    for li in range(start + 1, len(lines)):
        line = lines[li]
        if is_header(header_cells(line, fuzzy=False)):
            break
        by_seg: list[list[Box]] = [[] for _ in segs]
        for box in line.boxes:
            s = max(0, _column_of(box.cx, edges[1:]))
            by_seg[s].append(box)
        got = False
        for s, boxes in enumerate(by_seg):
            if not boxes:
                continue
            cells = assign_cells(boxes, segs[s])
            name = cells.get("name") or cells.get("code") or ""
            if not name or _LABEL_VALUE.search(name) or not _looks_like_value(cells.get("result", "")):
                continue
            if any(_LABEL_VALUE.search(v) for v in cells.values()):
                continue
            per_segment[s].append(Row(repair(cells), li, s))
            got = True
        if got:
            misses, end = 0, li
        else:
            misses += 1
            if misses >= stop_after and any(per_segment):
                break
    return [r for rows in per_segment for r in rows], end


def find_tables(lines: Sequence[Line]) -> list[Table]:
    """Every table under a header row, in page order."""
    tables = []
    li = 0
    while li < len(lines):
        cells = header_cells(lines[li])
        if is_header(cells):
            segs = segments(cells)
            rows, end = read_rows(lines, li, segs)
            tables.append(Table(li, segs, rows, end))
            li = max(end, li) + 1
        else:
            li += 1
    return tables


def table_lines(tables: Sequence[Table]) -> set[int]:
    """Line indices inside tables (header through last row)."""
    used: set[int] = set()
    for t in tables:
        used.update(range(t.header_line, max(t.end_line, t.header_line) + 1))
    return used
