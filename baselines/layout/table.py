"""Indicator tables from visual lines: header rows, table groups side by side, columns, rows.

1. A header row is a line with at least two column titles from :data:`HEADER_WORDS` (English and
   Chinese: 项目/名称/检验项目/结果/单位/参考值/参考区间/生物参考区间/提示/英文缩写, Item/Test/Result/
   Unit/Reference/Flag …), one of them naming the item or its abbreviation. Titles merged into one
   OCR box are split at spaces (``Value Units``) or by the lexicon (``结果状态参考范围``); OCR
   misspellings of a single title are matched approximately. A header row that a curled or
   tilted photo splits over two visual lines is joined.
2. A title that repeats along the header row starts a new *group*: reports print two or three
   table groups side by side, each with its own header row (and column sets that may differ).
   A group whose item-name title was not read gets the space left of its first title as its name
   column.
3. Each group is read on its own (:mod:`baselines.layout.groups`): the boxes under its titles are
   deskewed and grouped into rows again with the group's own tilt, because side-by-side groups of
   a curled or rotated photo tilt differently. The left group's rows come first.
4. Within a group, column boundaries lie midway between neighbouring titles; a body box goes to
   the column of its centre, a lone mark glyph (``↑``, ``↓``, ``H``, ``L``) to the mark, and a box
   that straddles a boundary is split at spaces where the pieces fit the columns' types. Rows
   without a result (section titles such as ``尿干化学分析 (NGHX)``) are skipped.
5. Cells are repaired by type (:mod:`baselines.layout.normalize`): the mark is split off the
   result, reference and unit, a unit stuck to the result or the range moves to the unit column,
   a range in the unit column moves to the reference column, row numbers leave the name.
6. Page-level consistency: a row without a printed (or read) mark gets the one its result implies
   against its reference range (:func:`baselines.layout.values.implied_mark`), written in the
   page's mark style (arrows, or ``H``/``L`` when that is what the page prints); ranges take the
   page's separator when OCR read ``--`` on some and ``-`` on others (:func:`harmonize_ranges`).
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from baselines.layout.lexicon import repair_item_name
from baselines.layout.lines import Box, Line
from baselines.layout.normalize import (
    DOWN,
    UP,
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
from baselines.layout.values import implied_mark, is_result, looks_like_section, normalize_answer, strict_result

ROLES = ("no", "name", "code", "result", "mark", "unit", "reference", "method")

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "no": ("序号", "No", "No.", "#", "编号", "S.No", "Sr.No", "NO."),
    "name": ("项目", "名称", "项目名称", "检验项目", "检查项目", "化验项目", "检测项目", "中文名称", "项目中文名称",
             "检验项目名称", "分析项目", "指标", "指标名称", "检验指标", "检测指标",
             "Item", "Items", "Test", "Tests", "Test Name", "Test Item", "Analyte", "Investigation", "Parameter",
             "Examination", "Test Description", "Component"),
    "code": ("英文缩写", "缩写", "代号", "英文", "代码", "英文名称", "简称", "项目代码", "Code", "Abbr", "Abbr.",
             "Abbreviation", "Symbol"),
    "result": ("结果", "检验结果", "测定值", "检测结果", "结果值", "测定结果", "检查结果", "检测值", "Result",
               "Results", "Value", "Values", "Observed Value", "Test Result"),
    "mark": ("提示", "标志", "标记", "异常提示", "状态", "高低", "结果提示", "标识", "异常标志", "Flag", "Flags", "H/L",
             "Status", "Indicator"),
    "unit": ("单位", "Unit", "Units"),
    "reference": ("参考值", "参考范围", "参考区间", "生物参考区间", "正常值", "参考值范围", "正常范围", "参考",
                  "生物参考范围", "参考区间值", "正常参考值", "参考限",
                  "Reference", "Reference Range", "Ref. Range", "Ref Range", "Ref. Interval", "Reference Interval",
                  "Normal Range", "Normal Value", "Normal Values", "Biological Reference Interval", "Range",
                  "Reference Value", "Reference Values", "Ref."),
    "method": ("方法", "检测方法", "检验方法", "Method"),
}
_LEXICON: dict[str, str] = {label_key(w): role for role, words in HEADER_WORDS.items() for w in words}
_LABEL_VALUE = re.compile(r"[A-Za-z\u4e00-\u9fff)）]\s*[:：]\s*\S")
_VALUE_UNIT = re.compile(r"^(?P<value>[<>≤≥]?[-+]?\d+(?:\.\d+)?)\s*(?P<mark>[↑↓])?\s*(?P<unit>[%‰a-zA-Zµμ/^*~'].*)$")
_RANGE_UNIT = re.compile(r"^(?P<range>\S*\d)\s+(?P<unit>\S+)$")
_ROW_NUMBER = re.compile(r"^(?:\d{1,3}[.、)]?\s+|\d{1,3}[.、)])(?=\D)")
_ROW_NUMBER_CJK = re.compile(r"^\d{1,3}[.、)]?\s*(?=[\u4e00-\u9fff])")
_ARROWS = "↑↓⬆⬇▲▼†"


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
    """A column title: its role, extent and text; ``box`` is the index of the OCR box it was read
    from and ``f1``..``f2`` the part of that box it covers (to place it again in a group's own
    frame)."""

    role: str
    x1: float
    x2: float
    text: str
    box: int = -1
    f1: float = 0.0
    f2: float = 1.0
    cy: float = 0.0

    @property
    def cx(self) -> float:
        return (self.x1 + self.x2) / 2

    def placed(self, box: Box) -> HeaderCell:
        """The same title in the frame of ``box`` (the OCR box it came from, deskewed anew)."""
        w = box.width
        return HeaderCell(self.role, box.x1 + self.f1 * w, box.x1 + self.f2 * w, self.text, self.box, self.f1,
                          self.f2, box.cy)


def char_width(ch: str) -> float:
    return 2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0


def split_box(box: Box) -> list[tuple[str, float, float]]:
    """A box's space-separated tokens with x extents estimated from character widths."""
    text = box.text
    widths = [char_width(ch) for ch in text]
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


def _fuzzy_match(text: str) -> tuple[str, float] | None:
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
        if cjk and len(key) == len(word) == 2 and key[0] == word[0] and common == 1:
            common = 2  # 项首 → 项目, 结束 → 结果: a two-character title with its second one misread
        if ((cjk and common >= 2 and score >= 0.5) or (not cjk and score >= 0.7)) and score > best_score:
            best, best_score = role, score
    return (best, best_score) if best else None


def fuzzy_role(text: str) -> str | None:
    """A looser match for a title misread by OCR (``检胎结果``, ``项目名程``, ``Ret. Interval``); only
    used on a line already known to be a header row."""
    match = _fuzzy_match(text)
    return match[0] if match else None


def fuzzy_pair(text: str) -> list[tuple[str, str, int, int]]:
    """Two Latin titles printed touching and misread as one word (``Uniffest`` = Unit | Test, where
    one group's last title meets the next group's first): the split into two parts of at least four
    letters that match titles of different roles loosely, best total score first; empty when none.
    Only used on a line already known to be a header row."""
    key = re.sub(r"\s+", "", text)
    if not 8 <= len(key) <= 24 or not key.isascii():
        return []
    best: list[tuple[str, str, int, int]] = []
    best_score = 0.0
    for i in range(4, len(key) - 3):
        left, right = _fuzzy_match(key[:i]), _fuzzy_match(key[i:])
        if left and right and left[0] != right[0] and left[1] + right[1] > best_score:
            best_score = left[1] + right[1]
            best = [(key[:i], left[0], 0, i), (key[i:], right[0], i, len(key))]
    return best


def segment_titles(text: str) -> list[tuple[str, str, int, int]]:
    """Titles printed without a space between them (``测定值单位`` → 测定值 | 单位): the split of the
    whole text into known titles with the fewest parts, as (title, role, start, end) character
    spans of the text without spaces; empty when there is none."""
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


def _span_fractions(text: str, start: int, end: int) -> tuple[float, float]:
    """Where characters ``start..end`` of ``text`` without spaces lie in the printed text (0..1)."""
    chars = [ch for ch in text if not ch.isspace()]
    widths = [char_width(ch) for ch in text]
    total = sum(widths) or 1.0
    pos, k, a, b = 0.0, 0, 0.0, 1.0
    for ch, w in zip(text, widths, strict=True):
        if not ch.isspace():
            if k == start:
                a = pos / total
            if k == end - 1:
                b = (pos + w) / total
            k += 1
        pos += w
    return (a, b) if chars else (0.0, 1.0)


def _cells_of_box(box: Box, fuzzy: bool) -> list[HeaderCell]:
    if _LABEL_VALUE.search(box.text):
        return []
    w = box.width or 1.0

    def cell(role: str, a: float, b: float, text: str) -> HeaderCell:
        return HeaderCell(role, box.x1 + a * w, box.x1 + b * w, text, box.index, a, b, box.cy)

    key = label_key(box.text)
    if key in _LEXICON:
        return [cell(_LEXICON[key], 0.0, 1.0, box.text)]
    parts = segment_titles(box.text)
    if parts:
        return [cell(r, *_span_fractions(box.text, a, b), t) for t, r, a, b in parts]
    tokens = split_box(box)
    cells: list[HeaderCell] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 4), i, -1):  # longest run of exact titles first
            text = " ".join(t for t, _, _ in tokens[i:j])
            role = _LEXICON.get(label_key(text))
            if role:
                cells.append(cell(role, (tokens[i][1] - box.x1) / w, (tokens[j - 1][2] - box.x1) / w, text))
                i = j
                break
        else:
            text, x1, x2 = tokens[i]
            a, b = (x1 - box.x1) / w, (x2 - box.x1) / w
            sub = segment_titles(text)
            if sub:
                scale = (b - a) / max(1, len(re.sub(r"\s+", "", text)))
                cells += [cell(r, a + s * scale, a + e * scale, t) for t, r, s, e in sub]
            elif (role := header_role(text)) or (fuzzy and (role := fuzzy_role(text))):
                cells.append(cell(role, a, b, text))
            elif fuzzy and (pair := fuzzy_pair(text)):
                scale = (b - a) / max(1, len(re.sub(r"\s+", "", text)))
                cells += [cell(r, a + s * scale, a + e * scale, t) for t, r, s, e in pair]
            i += 1
    return cells


def box_titles(box: Box, fuzzy: bool) -> list[HeaderCell]:
    """The column titles one OCR box holds (exact matches; loose ones too when ``fuzzy``)."""
    return _cells_of_box(box, fuzzy)


def header_cells(line: Line, fuzzy: bool = True) -> list[HeaderCell]:
    """Column titles found in a line (a box, runs of its space-separated tokens, or titles run
    together). When the exact matches already make a header row, or name two roles, the other boxes
    are matched loosely (:func:`fuzzy_role`)."""
    exact = [c for box in line.boxes for c in _cells_of_box(box, False)]
    if not fuzzy or not (is_header(exact) or len({c.role for c in exact} - {"no", "method"}) >= 2):
        return exact
    return [c for box in line.boxes for c in _cells_of_box(box, True)]


def is_header(cells: Sequence[HeaderCell]) -> bool:
    roles = {c.role for c in cells}
    return bool(roles & {"name", "code"}) and len(roles & {"result", "unit", "reference", "mark"}) >= 1 and (
        len(roles - {"no", "method"}) >= 2
    )


def _merged(cells: Sequence[HeaderCell]) -> list[HeaderCell]:
    """Neighbouring titles of one role that touch are one title read as two boxes (``Reference``
    | ``Range``)."""
    out: list[HeaderCell] = []
    for cell in sorted(cells, key=lambda c: c.x1):
        last = out[-1] if out else None
        if last and last.role == cell.role and cell.x1 - last.x2 < 0.5 * min(last.x2 - last.x1, cell.x2 - cell.x1):
            out[-1] = HeaderCell(last.role, last.x1, max(last.x2, cell.x2), f"{last.text} {cell.text}", last.box,
                                 last.f1, last.f2, last.cy)
        else:
            out.append(cell)
    return out


def segments(cells: Sequence[HeaderCell]) -> list[list[HeaderCell]]:
    """Header cells split where a title repeats, or where an item-name title follows value titles
    (table groups printed side by side; a group starts with its row number or its name). A lone
    title without a name stays with the group before it."""
    out: list[list[HeaderCell]] = [[]]
    for cell in _merged(cells):
        cur = out[-1]
        roles = {c.role for c in cur}
        after_values = cell.role == "name" and bool(roles & {"result", "unit", "reference", "mark"})
        if cell.role in roles or after_values:
            moved = [cur.pop()] if after_values and cur[-1].role == "no" and cell.role != "no" else []
            out.append(moved)
        out[-1].append(cell)
    groups: list[list[HeaderCell]] = []
    for seg in (s for s in out if s):
        if groups and len(seg) == 1 and seg[0].role not in ("name", "code", "no"):
            continue  # a stray title (one group's title read twice), not a group of its own
        groups.append(seg)
    return groups


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
    """One header row and the rows of its groups (``segments``: each group's titles in page
    coordinates); ``boxes``: the OCR box indices the table used (header and body)."""

    header_line: int
    segments: list[list[HeaderCell]]
    rows: list[Row] = field(default_factory=list)
    end_line: int = 0
    boxes: set[int] = field(default_factory=set)


def _boundaries(cols: Sequence[HeaderCell]) -> list[float]:
    return [(a.x2 + b.x1) / 2 for a, b in itertools.pairwise(cols)]


def _column_of(x: float, bounds: Sequence[float]) -> int:
    for i, b in enumerate(bounds):
        if x < b:
            return i
    return len(bounds)


_JUNK = "|丨[]【】_■□·•'\"`^,.;:"


def _is_noise(text: str) -> bool:
    """A speck or border fragment read as text (``|``, ``.``, ``_``) on a noisy or faxed page."""
    t = text.replace(" ", "")
    return bool(t) and len(t) <= 2 and all(ch in _JUNK for ch in t)


def _is_glyph(text: str) -> bool:
    """A box holding only an abnormal mark (its own small glyph between result and range)."""
    t = text.replace(" ", "")
    return bool(t) and (is_mark(t) or t in ("个",))


_CODE_VALUE = re.compile(r"^(?P<head>.*[A-Za-z%#)])(?P<value>[<>]?\d+(?:\.\d+)?[↑↓]?)$")


def _tokens(box: Box) -> list[tuple[str, float, float]]:
    """A box's tokens for splitting across columns: at spaces and ``·``, and a code run into its
    value (``RDW-SD42.1`` → ``RDW-SD`` | ``42.1``)."""
    out = []
    for text, x1, x2 in split_box(box):
        for part in (p for p in text.split("·") if p):
            m = _CODE_VALUE.match(part)
            pieces = [m.group("head"), m.group("value")] if m and len(m.group("head")) >= 2 else [part]
            total = sum(len(p) for p in pieces) or 1
            pos = x1
            for piece in pieces:
                w = (x2 - x1) * len(piece) / total
                out.append((piece, pos, pos + w))
                pos += w
    return out


def _split_tokens(box: Box, cols: Sequence[HeaderCell], bounds: Sequence[float]) -> list[tuple[int, float, str]]:
    """A box straddling columns as (column, x, token): each token in the column of its centre
    when it fits that column's type, else in the previous token's column; a leading row number
    goes to the row-number column."""
    placed: list[tuple[int, float, str]] = []
    tokens = [t for t in _tokens(box) if not _is_noise(t[0])]
    if tokens and cols[_column_of(box.x1 + 1, bounds)].role == "no":
        m = re.match(r"^(\d{1,3})[.、)]?(\S*)$", tokens[0][0])
        if m:
            first = _column_of(box.x1 + 1, bounds)
            text, x1, x2 = tokens.pop(0)
            placed.append((first, x1, m.group(1)))
            if m.group(2):
                tokens.insert(0, (m.group(2), x1, x2))
            if tokens:
                col = max(first + 1, _column_of((tokens[0][1] + tokens[0][2]) / 2, bounds))
                placed.append((min(col, len(cols) - 1), tokens[0][1], tokens.pop(0)[0]))
    for text, x1, x2 in tokens:
        col = _column_of((x1 + x2) / 2, bounds)
        if placed and (col < placed[-1][0] or not _fits(cols[col].role, text)):
            col = placed[-1][0]
        placed.append((col, x1, text))
    return placed


def column_bounds(cols: Sequence[HeaderCell], body: Sequence[Box]) -> list[float]:
    """Boundaries between neighbouring columns: between the end of one title and the start of the
    next (a quarter of each title's width inside it), the middle of the widest run least covered
    by the body's tokens (a name column's long names reach far past its title, a centred value
    column's values start before theirs; two cells read as one box still leave the space between
    their tokens); midway between the titles when there are too few body boxes."""
    bounds = _boundaries(cols)
    spans = [(x1, x2) for b in body for t, x1, x2 in _tokens(b) if not _is_noise(t)]
    if len(spans) < 3:
        return bounds
    out = []
    for (a, b), mid in zip(itertools.pairwise(cols), bounds, strict=True):
        lo, hi = int(max(a.cx, a.x2 - 0.25 * (a.x2 - a.x1))), int(min(b.cx, b.x1 + 0.25 * (b.x2 - b.x1)))
        if hi - lo < 4:
            out.append(mid)
            continue
        cover = [0] * (hi - lo)
        for x1, x2 in spans:
            for x in range(max(lo, int(x1)), min(hi, int(x2) + 1)):
                cover[x - lo] += 1
        least = min(cover)
        best, run_start, best_len = mid, None, 0
        for i, c in enumerate([*cover, least + 1]):
            if c == least and run_start is None:
                run_start = i
            elif c != least and run_start is not None:
                if i - run_start > best_len:
                    best_len, best = i - run_start, lo + (run_start + i) / 2
                run_start = None
        out.append(best)
    return out


def assign_cells(boxes: Sequence[Box], cols: Sequence[HeaderCell], bounds: Sequence[float] | None = None) -> dict[
        str, str]:
    """Body boxes of one group and one line → role → text (left to right, joined by a space);
    ``bounds``: the column boundaries (default: midway between the titles)."""
    bounds = _boundaries(cols) if bounds is None else bounds
    parts: dict[int | str, list[tuple[float, str]]] = {}
    for box in boxes:
        if _is_noise(box.text):
            continue
        col = _column_of(box.cx, bounds)
        if _is_glyph(box.text) and cols[col].role not in ("name", "no", "code"):
            parts.setdefault("mark", []).append((box.x1, box.text))
            continue
        first, last = _column_of(box.x1 + 0.15 * box.width, bounds), _column_of(box.x2 - 0.15 * box.width, bounds)
        placed = _split_tokens(box, cols, bounds) if first != last else []
        if len({c for c, _, _ in placed}) > 1:
            for c, x1, text in placed:
                parts.setdefault(c, []).append((x1, text))
        else:
            c = first if cols[first].role == "name" and first != last else col
            parts.setdefault(c, []).append((box.x1, box.text))
    out: dict[str, str] = {}
    for i, items in parts.items():
        role = i if isinstance(i, str) else cols[i].role
        text = " ".join(t for _, t in sorted(items))
        out[role] = f"{out[role]} {text}" if role in out else text
    return out


def _fits(role: str, text: str) -> bool:
    """Whether a token split off a box that straddles columns suits the column it lands in."""
    if role in ("name", "code", "method", "no"):
        return True
    if role == "unit":
        return is_unit(text) or (bool(re.match(r"^[%/a-zA-Zµμ^0-9'*~]{1,10}$", text)) and not text.isdigit())
    if role == "reference":
        return is_range(text) or bool(re.match(r"^[<>≤≥\d.\-~～–]+$", text)) or strict_result(text)
    if role == "mark":
        return is_mark(text) or bool(normalize_mark(text))
    return strict_result(split_mark(text)[0]) or is_mark(text)


def _edge_mark(text: str) -> tuple[str, str]:
    """A mark glyph read at either end of a unit or range cell: (rest, mark)."""
    t = text.strip()
    if t[:1] in _ARROWS:
        return t[1:].strip(), normalize_mark(t[:1])
    if t[-1:] in _ARROWS:
        return t[:-1].strip(), normalize_mark(t[-1:])
    m = re.match(r"^([HL])\s+(?=[<>≤≥\d])", t)  # "H 11.5-14.5": the flag glyph read with the range
    if m:
        return t[m.end():], m.group(1)
    return t, ""


def repair(cells: dict[str, str]) -> dict[str, str]:
    """Type-driven fixes of one row's cells (see the module docstring)."""
    c = {k: v.strip() for k, v in cells.items() if v and v.strip()}
    found_mark = ""
    for role in ("reference", "unit"):  # an arrow glyph read together with the range or the unit
        if c.get(role):
            c[role], m = _edge_mark(c[role])
            found_mark = found_mark or m
            if not c[role]:
                del c[role]
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
    # a unit read together with the range: "316-354 g/L", "125-350 10°/L"
    ref_unit = _RANGE_UNIT.match(c.get("reference", ""))
    if ref_unit and not c.get("unit") and is_range(ref_unit.group("range")) and is_unit(ref_unit.group("unit")) \
            and not ref_unit.group("unit").startswith("/"):
        c["reference"], c["unit"] = ref_unit.group("range"), ref_unit.group("unit")
    # the mark: own column, or beside the value
    value, mark = split_mark(c.get("result", ""))
    if c.get("mark"):
        own = normalize_mark(c["mark"]) or _mark_reading(c["mark"])
        if own:
            mark = own
        elif not mark:
            _extra, trailing = split_mark(c["mark"])
            if trailing:
                mark = trailing
    mark = mark or found_mark
    if value:
        c["result"] = normalize_answer(normalize_value(value))
    if mark:
        c["mark"] = mark
    else:
        c.pop("mark", None)
    if c.get("unit"):
        exponent = "12" if re.search(r"红细胞|RBC|red\s*(blood\s*)?cell", c.get("name", "") + c.get("code", ""), re.I) \
            else "9"
        c["unit"] = normalize_unit(c["unit"], exponent)
    if c.get("reference"):
        c["reference"] = normalize_answer(normalize_range(c["reference"]))
    if c.get("name"):
        name = c["name"]
        name = _ROW_NUMBER_CJK.sub("", name) if "no" in cells else _ROW_NUMBER.sub("", _ROW_NUMBER_CJK.sub("", name))
        c["name"] = repair_item_name(name.lstrip("*★☆ |丨[【_").rstrip(" |丨]】_").strip())
    return c


def _mark_reading(text: str) -> str:
    """What a mark column's cell reads as when OCR misread the arrow (``1``, ``|``, ``t``)."""
    t = text.replace(" ", "")
    return UP if t in ("1", "|", "t", "T", "个", "^") else ""


def row_of(cells: dict[str, str]) -> dict[str, str] | None:
    """The repaired row, or None when the cells are no indicator (no name, a result that is no
    value, a section title, a ``label: value`` pair). A row whose result OCR lost still counts
    when it has its range."""
    name = cells.get("name") or cells.get("code") or ""
    if not name or _LABEL_VALUE.search(name) or any(_LABEL_VALUE.search(v) for v in cells.values()):
        return None
    value, _ = split_mark(cells.get("result", ""))
    if value and not is_result(value):
        return None
    if not value and not (cells.get("reference") and strict_result(normalize_answer(cells["reference"].split(" ")[0]))):
        return None
    if looks_like_section(f"{name} {value}") and not strict_result(value):
        return None
    return repair(cells)


def imply_marks(rows: Sequence[Row]) -> None:
    """Give every row without a mark the one its result implies against its range, in the style
    of the marks read on the page (``H``/``L`` when those are all there is, else arrows)."""
    read = [r.cells["mark"] for r in rows if r.cells.get("mark")]
    letters = bool(read) and all(m in ("H", "L") for m in read)
    up, down = ("H", "L") if letters else (UP, DOWN)
    for r in rows:
        if r.cells.get("mark") or not r.cells.get("result") or not r.cells.get("reference"):
            continue
        mark = implied_mark(r.cells["result"], r.cells["reference"], up, down)
        if mark:
            r.cells["mark"] = mark


_SINGLE_DASH = re.compile(r"^(?P<lo>[-+]?\d+(?:\.\d+)?)\s*-\s*(?P<hi>\d+(?:\.\d+)?)$")


def harmonize_ranges(rows: Sequence[Row]) -> None:
    """A page prints its ranges with one separator: where OCR read ``--`` on two ranges or more,
    the ``-`` it read on the others lost a dash (``3.5-9.5`` → ``3.5--9.5``)."""
    refs = [r.cells.get("reference", "") for r in rows]
    if sum(1 for t in refs if re.search(r"\d\s*--\s*\d", t)) < 2:
        return
    for r in rows:
        m = _SINGLE_DASH.match(r.cells.get("reference", ""))
        if m:
            r.cells["reference"] = f"{m.group('lo')}--{m.group('hi')}"


def table_lines(tables: Sequence[Table]) -> set[int]:
    """Line indices inside tables (header through last row)."""
    used: set[int] = set()
    for t in tables:
        used.update(range(t.header_line, max(t.end_line, t.header_line) + 1))
    return used
