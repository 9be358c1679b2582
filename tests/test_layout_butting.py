"""Two table groups side by side with no gap between them (issue #15): OCR runs the left group's
right-aligned last column into the right group's first column, one box across both groups; the
extractor cuts such a box at the group boundary and reads each piece in its own group."""

from __future__ import annotations

import math

from baselines.layout import analyse
from baselines.layout.butting import cut_points
from baselines.layout.groups import groups_of, header_rows
from benchmark.documents import OcrLine
from tests.test_layout_real_classes import Cell, by_name, grid, items

_LATIN, _CJK = 8, 14  # character widths of tests.test_layout_real_classes.grid


def _width(text: str) -> int:
    return sum(_CJK if ord(ch) > 0x2E80 else _LATIN for ch in text)


def _right_aligned(text: str, right: float) -> Cell:
    return text, right - _width(text)


def butting_rows(header: list[Cell], left_rows: list[list[Cell]], right_rows: list[list[Cell]],
                 left_end: float, right_start: float) -> list[list[Cell]]:
    """Rows of two groups whose last left cell (right-aligned to ``left_end``) runs into the first
    right cell (at ``right_start``) as one OCR box when they nearly touch."""
    rows = [header]
    for left, right in zip(left_rows, right_rows, strict=True):
        *first, (last_text, _) = left
        (name, _), *rest = right
        merged = f"{last_text} {name}"
        start = left_end - _width(last_text)
        rows.append([*first, (merged, start), *rest] if right_start - left_end < _LATIN else
                    [*first, _right_aligned(last_text, left_end), (name, right_start), *rest])
    return rows


ZH_HEADER: list[Cell] = [("项目", 20), ("结果", 170), ("单位", 250), ("参考范围", 340),
                         ("项目", 470), ("结果", 620), ("单位", 700), ("参考范围", 790)]
ZH_LEFT = [
    [("总胆红素", 20), ("12.3", 170), ("μmol/L", 250), ("0-23.0", 0)],
    [("直接胆红素", 20), ("4.1", 170), ("μmol/L", 250), ("0-8.0", 0)],
    [("总蛋白", 20), ("70.2", 170), ("g/L", 250), ("65.0-85.0", 0)],
    [("白蛋白", 20), ("42.5", 170), ("g/L", 250), ("40.0-55.0", 0)],
]
ZH_RIGHT = [
    [("尿酸(URIC)", 470), ("470.00", 620), ("μmol/L", 700), ("155-428", 790)],
    [("肌酐", 470), ("80.1", 620), ("μmol/L", 700), ("57-111", 790)],
    [("尿素", 470), ("5.2", 620), ("mmol/L", 700), ("3.1-8.0", 790)],
    [("葡萄糖", 470), ("5.0", 620), ("mmol/L", 700), ("3.9-6.1", 790)],
]
EN_HEADER: list[Cell] = [("Test", 20), ("Result", 200), ("Unit", 280), ("Reference", 370),
                         ("Test", 500), ("Result", 680), ("Unit", 760), ("Reference", 850)]
EN_LEFT = [
    [("Hemoglobin", 20), ("13.5", 200), ("g/dL", 280), ("12.0-16.0", 0)],
    [("Platelets", 20), ("250", 200), ("10^9/L", 280), ("150-400", 0)],
    [("Glucose", 20), ("5.4", 200), ("mmol/L", 280), ("3.9-6.1", 0)],
]
EN_RIGHT = [
    [("Creatinine", 500), ("88", 680), ("umol/L", 760), ("57-111", 850)],
    [("Urea", 500), ("5.1", 680), ("mmol/L", 760), ("3.1-8.0", 850)],
    [("Sodium", 500), ("140", 680), ("mmol/L", 760), ("135-145", 850)],
]


def _table(header: list[Cell], left: list[list[Cell]], right: list[list[Cell]], left_end: float,
           right_start: float, **kw: float) -> list[OcrLine]:
    return grid(butting_rows(header, left, right, left_end, right_start), **kw)  # type: ignore[arg-type]


def test_cut_points_at_spaces_and_script_changes() -> None:
    assert cut_points("0-23.0μmol/L 尿酸(URIC)") == [(12, 13, True), (15, 15, False)]
    assert cut_points("ab尿酸") == [(2, 2, False)]
    assert cut_points(" ab ") == []


def test_zh_boxes_across_butting_groups_are_cut() -> None:
    lines = _table(ZH_HEADER, ZH_LEFT, ZH_RIGHT, left_end=466, right_start=470)
    assert any("0-23.0 尿酸(URIC)" in ln.text for ln in lines)  # the OCR boxes span both groups
    found = by_name(items(lines))
    assert found["总胆红素"]["Reference Range"] == "0-23.0"
    assert found["白蛋白"]["Reference Range"] == "40.0-55.0"
    assert found["尿酸(URIC)"]["Result"] == "470.00"
    assert found["尿酸(URIC)"]["Reference Range"] == "155-428"
    assert found["葡萄糖"]["Unit"] == "mmol/L"
    assert len(found) == 8


def test_en_boxes_across_butting_groups_are_cut_on_a_tilted_page() -> None:
    lines = _table(EN_HEADER, EN_LEFT, EN_RIGHT, left_end=496, right_start=500, tilt_degrees=2.0)
    found = by_name(items(lines))
    assert found["Hemoglobin"]["Reference Range"] == "12.0-16.0"
    assert found["Creatinine"]["Result"] == "88"
    assert found["Sodium"]["Reference Range"] == "135-145"
    assert len(found) == 6


def test_groups_with_a_gap_are_read_as_before() -> None:
    lines = _table(ZH_HEADER, ZH_LEFT, ZH_RIGHT, left_end=440, right_start=470)
    assert not any("尿酸(URIC)" in ln.text and "0-" in ln.text for ln in lines)
    found = by_name(items(lines))
    assert len(found) == 8 and found["尿酸(URIC)"]["Reference Range"] == "155-428"


def test_a_single_group_box_is_never_cut() -> None:
    rows = [[("项目", 20), ("结果", 170), ("参考范围", 260)], [("总胆红素 TBIL", 20), ("12.3", 170), ("0-23.0", 260)]]
    layout = analyse(grid(rows))
    assert [b.text for ln in layout.lines for b in ln.boxes].count("总胆红素 TBIL") == 1


# ------------------------------------------------------------------ a row-number column after the boundary

NUM_HEADER: list[Cell] = [("序号", 0), ("项目", 40), ("结果", 190), ("参考范围", 300),
                          ("序号", 455), ("项目", 495), ("结果", 645), ("参考范围", 755)]
NUM_ROWS = [  # left name, result, range; right name, result, range; how the range meets the number
    ("总胆红素", "12.3", "0-23.0", "尿酸", "470", "155-428", "space"),
    ("直接胆红素", "4.1", "40.0-55.0", "肌酐", "80.1", "57-111", "glued"),
    ("总蛋白", "70.2", "45-125", "尿素", "5.2", "3.1-8.0", "glued"),
    ("白蛋白", "42.5", "0.108-0.282", "葡萄糖", "5.0", "3.9-6.1", "touching"),
]


def numbered_groups(footer: str = "") -> list[OcrLine]:
    """Two numbered groups butting: each left range, right-aligned to the right group's number
    column, ran into the row number (``0-23.0 5``, ``40.0-55.06``) or only touches it."""
    rows: list[list[Cell]] = [NUM_HEADER]
    for i, (name, result, ref, rname, rresult, rref, how) in enumerate(NUM_ROWS):
        n = str(i + 1 + len(NUM_ROWS))
        left: list[Cell] = [(str(i + 1), 8), (name, 40), (result, 190)]
        right: list[Cell] = [(rname, 495), (rresult, 645), (rref, 755)]
        if how == "touching":
            rows.append([*left, _right_aligned(ref, 458), (n, 462), *right])
        else:
            text = f"{ref} {n}" if how == "space" else f"{ref}{n}"
            rows.append([*left, (text, 462 + _width(n) - _width(text)), *right])
    if footer:
        rows.append([(footer, 300)])
    return grid(rows)


def test_a_range_that_ran_into_the_next_groups_row_number_loses_the_number() -> None:
    lines = numbered_groups()
    assert any(ln.text == "40.0-55.06" for ln in lines)
    found = by_name(items(lines))
    assert [found[r[0]]["Reference Range"] for r in NUM_ROWS] == ["0-23.0", "40.0-55.0", "45-125", "0.108-0.282"]
    assert [found[r[3]]["Result"] for r in NUM_ROWS] == ["470", "80.1", "5.2", "5.0"]


def test_a_labelled_footer_below_butting_groups_is_not_cut() -> None:
    footer = "检查日期:2019.05.16 18:07"
    layout = analyse(numbered_groups(footer))
    assert footer in [b.text for ln in layout.lines for b in ln.boxes]


# ------------------------------------------------------------------ titles of the two groups overlap

def _overlapping_header(overlap: float) -> list[Cell]:
    """ZH_HEADER with the left group's last title right-aligned so that its OCR box runs ``overlap``
    px into the right group's first title (a tight print: RJUA-like ``参考区间`` x 502-597 against
    ``项目`` x 586-641)."""
    return [*ZH_HEADER[:3], _right_aligned("参考范围", 470 + overlap), *ZH_HEADER[4:]]


def test_overlapping_titles_of_two_repeated_header_groups_still_part_them() -> None:
    lines = grid(butting_rows(_overlapping_header(11), ZH_LEFT, ZH_RIGHT, left_end=466, right_start=470))
    layout_lines = analyse(lines).lines
    groups = groups_of(layout_lines, header_rows(layout_lines))
    assert len(groups) == 2
    left, right = sorted(groups, key=lambda g: g.cells[0].x1)
    assert math.isfinite(left.right) and left.right == right.left
    assert 470 <= right.left <= 481  # the middle of the overlap
    found = by_name(items(lines))
    assert len(found) == 8
    assert found["总胆红素"]["Reference Range"] == "0-23.0"
    assert found["尿酸(URIC)"]["Result"] == "470.00" and found["尿酸(URIC)"]["Reference Range"] == "155-428"



def test_touching_titles_misread_as_one_word_still_head_both_groups() -> None:
    """OCR reads the left group's last title and the right group's first, printed touching, as one
    misread word (``Unit`` + ``Test`` → ``Uniffest``, seen on synthetic EN pages with touching
    groups): it is split into the two titles, so the right group keeps its name column."""
    header: list[Cell] = [("Test", 20), ("Result", 200), ("Reference", 280), ("Uniffest", 496 - _width("Unit")),
                          ("Result", 680), ("Reference", 760), ("Unit", 850)]
    left = [[name, result, (ref, 280), (unit, 0)] for name, result, (unit, _), (ref, _) in EN_LEFT]
    right = [[name, result, (ref, 760), (unit, 850)] for name, result, (unit, _), (ref, _) in EN_RIGHT]
    found = by_name(items(_table(header, left, right, left_end=496, right_start=500)))
    assert len(found) == 6
    assert found["Hemoglobin"]["Unit"] == "g/dL" and found["Hemoglobin"]["Reference Range"] == "12.0-16.0"
    assert found["Creatinine"]["Result"] == "88" and found["Creatinine"]["Unit"] == "umol/L"
    assert found["Sodium"]["Reference Range"] == "135-145"
