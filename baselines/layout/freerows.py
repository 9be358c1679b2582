"""Indicator rows on a page where no header row was read.

Blur, fax noise, a fold through the header or a crop that cut it off leave the table without
titles, but its rows still read as a name followed by a result, maybe a mark, a unit and a range.
Each visual line's tokens are typed (row number, name text, result, mark, unit, range) and read
left to right; a name after a result starts the next row, so a line across table groups printed
side by side gives one row per group. Rows need a name, a result and a unit or range, and a page
needs :data:`MIN_ROWS` of them, so that header and footer lines do not pass as a table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from baselines.layout.lines import Line
from baselines.layout.normalize import is_mark, is_range, is_unit, split_mark
from baselines.layout.table import Row, Table, repair, split_box
from baselines.layout.values import strict_result

MIN_ROWS = 3
_LABEL_VALUE = re.compile(r"[A-Za-z\u4e00-\u9fff)）]\s*[:：]\s*\S")
_ROW_NO = re.compile(r"^\d{1,3}[.、)]?$")


def token_type(text: str) -> str:
    """``no`` (a small integer), ``mark``, ``range``, ``value``, ``unit`` or ``text``."""
    if _ROW_NO.match(text):
        return "no"
    if is_mark(text) or text == "个":
        return "mark"
    if is_range(text) and not re.fullmatch(r"\d{1,3}-\d{1,3}", text):
        return "range"
    value, _mark = split_mark(text)
    if strict_result(value):
        return "value"
    if is_unit(text):
        return "unit"
    return "text"


def line_rows(line: Line) -> list[dict[str, str]]:
    """The indicator rows one visual line reads as (see the module docstring)."""
    if any(_LABEL_VALUE.search(b.text) for b in line.boxes):
        return []
    out: list[dict[str, str]] = []
    cur: dict[str, str] = {}

    def flush() -> None:
        if cur.get("name") and cur.get("result") and (cur.get("unit") or cur.get("reference")):
            out.append(repair(dict(cur)))
        cur.clear()

    for box in line.boxes:
        for text, _x1, _x2 in split_box(box):
            kind = token_type(text)
            if kind == "no" and cur.get("name") and not cur.get("result"):
                kind = "value"  # a count after a name is its result
            if kind == "value" and not cur.get("name") and not re.search(r"\d", text):
                kind = "text"  # 颜色 reads like an answer, but it comes first: a name
            if kind in ("text", "no"):
                if cur.get("result"):
                    flush()
                if kind == "no" and not cur.get("name"):
                    cur["no"] = text
                else:
                    cur["name"] = f"{cur.get('name', '')} {text}".strip()
            elif not cur.get("name"):
                continue  # a value before any name: a stray fragment
            elif kind == "mark":
                cur["mark"] = text
            elif kind == "unit" and cur.get("result"):
                cur["unit"] = f"{cur.get('unit', '')} {text}".strip()
            elif kind in ("value", "range"):
                if not cur.get("result"):
                    cur["result"] = text
                elif not cur.get("reference"):
                    cur["reference"] = text
            elif kind == "unit":
                cur["name"] = f"{cur['name']} {text}"  # a code such as "RBC" before the result
    flush()
    return out


def free_table(lines: Sequence[Line], skip: set[int] | None = None) -> Table | None:
    """The rows of every line not in ``skip``, as one table without titles; None when fewer than
    :data:`MIN_ROWS` lines read as rows."""
    rows: list[Row] = []
    used: set[int] = set()
    for li, line in enumerate(lines):
        if skip and li in skip:
            continue
        got = line_rows(line)
        if got:
            rows += [Row(cells, li, k) for k, cells in enumerate(got)]
            used.update(b.index for b in line.boxes)
    if len({r.line for r in rows}) < MIN_ROWS:
        return None
    first, last = min(r.line for r in rows), max(r.line for r in rows)
    rows.sort(key=lambda r: (r.segment, r.line))  # left group first, as the table reads
    return Table(first, [], rows, last, used)
