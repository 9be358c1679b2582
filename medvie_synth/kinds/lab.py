"""Laboratory reports: blood count, chemistry panels and urinalysis with an indicator table."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from medvie_synth import decor
from medvie_synth.canvas import Page, Style, text_width
from medvie_synth.kinds.base import Built, choose_weighted
from medvie_synth.kinds.medical import (
    PageFrame,
    Visit,
    draw_visit,
    finish,
    footer,
    gt_of,
    header_grid,
    letterhead,
    new_page,
    visit_fields,
)
from medvie_synth.layout import Cell, Column, Field, TableStyle, table
from medvie_synth.tables import clinical
from medvie_synth.tables.lab_tests import (
    ANALYTES,
    PANELS,
    QUALITATIVE,
    Analyte,
    direction,
    draw_qualitative,
    draw_values,
    format_bound,
    parse_reference,
    pick_codes,
)
from medvie_synth.tables.labels import label, phrase

PANEL_WEIGHTS = {"cbc": 0.3, "metabolic": 0.2, "liver": 0.14, "renal": 0.1, "lipid": 0.1,
                 "urine": 0.16}
MARKS = {"arrow": ("↑", "↓"), "letter": ("H", "L")}
ABNORMAL_INK = (200, 20, 20)

COLUMN_TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "no": (("No.", "#"), ("序号", "No")),
    "name": (("Test", "Test Name", "Analyte", "Investigation"), ("项目名称", "检验项目", "项目")),
    "code": (("Code", "Abbr."), ("英文缩写", "缩写", "代号")),
    "result": (("Result", "Value"), ("结果", "检验结果", "测定值")),
    "mark": (("Flag", "H/L"), ("提示", "标志")),
    "unit": (("Units", "Unit"), ("单位",)),
    "reference": (("Reference Range", "Ref. Interval", "Normal Range", "Reference"),
                  ("参考范围", "参考值", "参考区间", "生物参考区间")),
}


@dataclass
class RowFormat:
    """How indicator rows are printed on one report."""

    language: str
    us_units: bool
    range_sep: str
    upper_style: str  # "<", "≤" or "0-"
    lower_style: str  # ">" or "≥"
    marks: tuple[str, str]
    name_style: str  # "name" or "code" (the abbreviation is the item name)
    padded_bounds: bool  # bounds printed with the result's decimals (3.50-9.50)


@dataclass
class Indicator:
    name: str
    code: str
    result: str
    unit: str
    reference: str
    mark: str

    def gt(self) -> dict[str, str]:
        out = {"Item Name": self.name, "Result": self.result, "Unit": self.unit,
               "Reference Range": self.reference, "Abnormal Mark": self.mark}
        return {k: v for k, v in out.items() if v}


def draw_row_format(rng: random.Random, language: str) -> RowFormat:
    zh = language == "zh"
    return RowFormat(
        language=language,
        us_units=not zh and rng.random() < 0.5,
        range_sep=rng.choice(("-", "--", "～", "-", " - ") if zh else ("-", " - ", "-")),
        upper_style=rng.choice(("<", "≤", "0-")),
        lower_style=rng.choice((">", "≥")),
        marks=MARKS["arrow" if rng.random() < (0.8 if zh else 0.3) else "letter"],
        name_style="code" if not zh and rng.random() < 0.2 else "name",
        padded_bounds=rng.random() < 0.4,
    )


def _reference(a: Analyte, low: float, high: float, dec: int, fmt: RowFormat) -> str:
    places = dec if fmt.padded_bounds or a.tails == "high" else None
    lo, hi = format_bound(low, places), format_bound(high, places)
    if a.bound == "upper":
        return f"0{fmt.range_sep}{hi}" if fmt.upper_style == "0-" else f"{fmt.upper_style}{hi}"
    if a.bound == "lower":
        return f"{fmt.lower_style}{lo}"
    return f"{lo}{fmt.range_sep}{hi}"


def numeric_row(a: Analyte, value: float, sex: str, fmt: RowFormat) -> Indicator:
    low, high = a.range_for(sex)
    unit, dec = a.unit, a.decimals
    if fmt.us_units and a.us:
        unit, factor, dec = a.us
        value, low, high = value * factor, round(low * factor, dec), round(high * factor, dec)
    reference = _reference(a, low, high, dec, fmt)
    lo, hi = parse_reference(reference)
    v = round(value, dec)
    step = 10.0**-dec
    if hi is not None and v == hi:
        v -= step
    if lo is not None and v == lo:
        v += step
    v = max(v, 0.0)
    result = f"{v:.{dec}f}"
    flag = direction(float(result), lo, hi)
    mark = fmt.marks[0] if flag == "H" else fmt.marks[1] if flag == "L" else ""
    name = a.zh if fmt.language == "zh" else a.en
    return Indicator(name, a.code, result, unit, reference, mark)


def qualitative_row(rng: random.Random, code: str, p_abnormal: float, fmt: RowFormat) -> Indicator:
    q = QUALITATIVE[code]
    i = 1 if fmt.language == "zh" else 0
    which, abnormal = draw_qualitative(rng, q, p_abnormal)
    result = q.abnormal[which][i] if abnormal else q.normal[i]
    reference = q.normal[i] if q.reference else ""
    mark = fmt.marks[0] if abnormal and q.flagged else ""
    return Indicator(q.zh if i else q.en, code, result, "", reference, mark)


def draw_indicators(rng: random.Random, visit: Visit, codes: list[str], p_abnormal: float,
                    fmt: RowFormat) -> list[Indicator]:
    values = draw_values(rng, codes, visit.sex, p_abnormal)
    rows = []
    for code in codes:
        if code in QUALITATIVE:
            rows.append(qualitative_row(rng, code, p_abnormal, fmt))
        else:
            rows.append(numeric_row(ANALYTES[code], values[code], visit.sex, fmt))
    if fmt.name_style == "code":
        for r in rows:
            r.name = r.code.removeprefix("U-")
    return rows


@dataclass
class TableLayout:
    number: bool
    code: bool
    mark_column: bool
    mark_gap: str  # between value and mark when printed beside the value
    highlight: str  # "", "bold" or "red"


def table_conditions(rows: list[Indicator], tl: TableLayout, groups: int, *, bilingual: bool = False,
                     sections: bool = False, mark_glyph: bool = False, mixed_columns: bool = False,
                     qualitative: bool | None = None) -> dict[str, object]:
    """The table's layout as conditions (``medvie_synth.conditions``)."""
    marks = any(r.mark for r in rows)
    mark = "none" if not marks else "glyph" if mark_glyph else "column" if tl.mark_column else "inline"
    if qualitative is None:
        qualitative = any(r.code in QUALITATIVE for r in rows)
    return {"table_groups": groups, "abbreviation_column": tl.code, "bilingual_names": bilingual,
            "section_rows": sections, "abnormal_mark": mark, "mixed_columns": mixed_columns,
            "qualitative": qualitative}


def _title(rng: random.Random, language: str, key: str) -> str:
    en, zh = COLUMN_TITLES[key]
    return rng.choice(zh if language == "zh" else en)


def _columns(rng: random.Random, language: str, tl: TableLayout) -> list[tuple[str, Column]]:
    cols: list[tuple[str, Column]] = []
    if tl.number:
        cols.append(("no", Column(_title(rng, language, "no"), "center", weight=0.1)))
    cols.append(("name", Column(_title(rng, language, "name"), weight=1.4)))
    if tl.code:
        cols.append(("code", Column(_title(rng, language, "code"), weight=0.6)))
    cols.append(("result", Column(_title(rng, language, "result"),
                                  rng.choice(("left", "right", "center")), weight=0.8)))
    if tl.mark_column:
        cols.append(("mark", Column(_title(rng, language, "mark"), "center", weight=0.3)))
    cols.append(("unit", Column(_title(rng, language, "unit"), weight=0.7)))
    cols.append(("reference", Column(_title(rng, language, "reference"), weight=1.0)))
    return cols


def _cells(rows: list[Indicator], keys: list[str], tl: TableLayout, style: Style,
           start: int) -> list[list[Cell]]:
    out = []
    for n, r in enumerate(rows, start):
        hot = style
        if r.mark and tl.highlight == "bold":
            hot = style.but(bold=True)
        elif r.mark and tl.highlight == "red":
            hot = style.but(color=ABNORMAL_INK)
        result = r.result if tl.mark_column or not r.mark else f"{r.result}{tl.mark_gap}{r.mark}"
        text = {"no": str(n), "name": r.name, "code": r.code.removeprefix("U-"),
                "result": result, "mark": r.mark, "unit": r.unit, "reference": r.reference}
        out.append([Cell(text[k], hot if k in ("result", "mark") else None) for k in keys])
    return out


def draw_tables(page: Page, rng: random.Random, frame: PageFrame, y: float,
                rows: list[Indicator], language: str) -> tuple[float, str, TableLayout]:
    """One table, or two side by side when the report is long; returns (y, template name, the
    columns it printed)."""
    t = frame.theme
    two = len(rows) >= 14 and rng.random() < 0.5
    tl = TableLayout(
        number=rng.random() < (0.35 if two else 0.5),
        code=language == "zh" and rng.random() < 0.6,
        mark_column=rng.random() < 0.45,
        mark_gap=rng.choice(("", " ", "  ")),
        highlight=rng.choice(("", "", "bold", "red")),
    )
    rules = rng.choice(("frame", "frame", "rows", "grid", "none"))
    ts = TableStyle(rules=rules, shade=rng.choice((None, None, (228, 232, 238))),
                    row_spacing=rng.uniform(1.45, 1.9), pad=t.body.size * 0.35,
                    rule_width=rng.choice((1, 2)), header_style=t.header,
                    zebra=(245, 245, 245) if rules == "none" and rng.random() < 0.5 else None)
    style = t.body
    if two:
        fitted = _fit_two_columns(rng, language, tl, rows, style, ts, frame)
        if fitted is None:
            two = False
        else:
            tl, style, cols = fitted
    if not two:
        cols = _columns(rng, language, tl)
        keys, columns = [k for k, _ in cols], [c for _, c in cols]
        y = table(page, frame.margin, y, frame.inner, columns, _cells(rows, keys, tl, style, 1),
                  style, ts)
        return y, "single", tl
    keys, columns = [k for k, _ in cols], [c for _, c in cols]
    gap = frame.inner * 0.03
    half = (frame.inner - gap) / 2
    split = (len(rows) + 1) // 2
    y_end = y
    for i, part in enumerate((rows[:split], rows[split:])):
        x = frame.margin + i * (half + gap)
        y_end = max(y_end, table(page, x, y, half, columns,
                                 _cells(part, keys, tl, style, 1 + i * split), style, ts))
    if rules in ("frame", "grid") and rng.random() < 0.5:
        page.line(frame.margin + half + gap / 2, y, frame.margin + half + gap / 2, y_end, 1)
    return y_end, "two-column", tl


def _fit_two_columns(rng: random.Random, language: str, tl: TableLayout, rows: list[Indicator],
                     style: Style, ts: TableStyle, frame: PageFrame
                     ) -> tuple[TableLayout, Style, list[tuple[str, Column]]] | None:
    """Drop the numbering, abbreviation and mark columns and shrink the font a little until
    two tables fit side by side; None when they never do."""
    half = (frame.inner * 0.97) / 2
    split = (len(rows) + 1) // 2
    layouts = [tl, replace(tl, number=False), replace(tl, number=False, code=False),
               replace(tl, number=False, code=False, mark_column=False)]
    for layout in layouts:
        cols = _columns(random.Random(rng.getrandbits(32)), language, layout)
        keys, columns = [k for k, _ in cols], [c for _, c in cols]
        for size in range(style.size, int(style.size * 0.84) - 1, -1):
            s = style.but(size=size)
            header = (ts.header_style or style).but(size=size)
            need = max(table_need(columns, _cells(p, keys, layout, s, 1), s, header, ts.pad)
                       for p in (rows[:split], rows[split:]))
            if need <= half:
                ts.header_style = header
                return layout, s, cols
    return None


def table_need(columns: list[Column], cells: list[list[Cell]], style: Style, header: Style,
                pad: float) -> float:
    total = 0.0
    for i, col in enumerate(columns):
        w = max([text_width(col.header, header)] + [text_width(r[i].text, r[i].style or style)
                                                    for r in cells if not r[i].span])
        total += w + 2 * pad
    return total


@dataclass
class LabHeader:
    """The patient/visit block of a lab report and where the examination name and time went."""

    fields: list[Field]
    top: float  # y below the letterhead, where the header grid starts
    exam_in_title: bool
    exam_time: Field
    exam_time_in_header: bool


def draw_header(page: Page, rng: random.Random, frame: PageFrame, visit: Visit, exam_name: str,
                specimen: str) -> tuple[float, LabHeader]:
    """Letterhead (with the examination name under the title on half of the reports) and the
    header grid; returns the y below them."""
    language = visit.language
    exam_in_title = rng.random() < 0.5
    title = phrase(rng, language, "lab_title")
    top = letterhead(page, rng, frame, visit.hospital, title, exam_name if exam_in_title else "")

    keys = ["Name", "Gender", "Age", "Department"]
    keys += rng.sample(["MRN", "Bed", "Barcode", "Requested By"], rng.randint(1, 4))
    keys += ["Sample Collection Time"] if rng.random() < 0.85 else []
    keys += ["Received"] if rng.random() < 0.4 else []
    head = visit_fields(rng, visit, keys)
    head.append(Field(label(rng, language, "Specimen"), specimen))
    if not exam_in_title:
        head.append(Field(label(rng, language, "Examination Name"), exam_name, "Examination Name"))
    exam_time = Field(label(rng, language, "Examination Time"), visit.when("examined"),
                      "Examination Time")
    exam_time_in_header = rng.random() < 0.4
    if exam_time_in_header:
        head.append(exam_time)
    if rng.random() < 0.5:
        head.append(Field(label(rng, language, "Diagnosis"),
                          clinical.diagnosis(rng, language, visit.department), "Diagnosis"))
    y = header_grid(page, rng, frame, top + frame.theme.body.size * 0.4, head)
    return y, LabHeader(head, top, exam_in_title, exam_time, exam_time_in_header)


def draw_footer(page: Page, rng: random.Random, frame: PageFrame, y: float, visit: Visit,
                header: LabHeader) -> tuple[float, list[Field]]:
    """Technician, reviewer, the examination time (unless in the header) and the report time;
    returns the y below them and the fields (performed by and verified by first)."""
    language = visit.language
    foot = [Field(label(rng, language, "Performed By"), visit.technician),
            Field(label(rng, language, "Verified By"), visit.reviewer)]
    if not header.exam_time_in_header:
        foot.append(header.exam_time)
    foot.append(Field(label(rng, language, "Reported"), visit.when("reported")))
    y = footer(page, rng, frame, y, foot, phrase(rng, language, "lab_note"))
    return y, foot


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    page, frame = new_page(rng, language)
    visit = draw_visit(rng, language)
    panel = PANELS[options.get("panel") or choose_weighted(rng, PANEL_WEIGHTS)]
    exam_name = rng.choice(panel.names)[1 if language == "zh" else 0]
    specimen = panel.specimen[1 if language == "zh" else 0]
    codes = pick_codes(rng, panel, int(options.get("min_rows", 8)), int(options.get("max_rows", 30)))
    fmt = draw_row_format(rng, language)
    p_abnormal = rng.choice((0.04, 0.12, 0.25, 0.4))
    rows = draw_indicators(rng, visit, codes, p_abnormal, fmt)

    y, header = draw_header(page, rng, frame, visit, exam_name, specimen)
    y, template, tl = draw_tables(page, rng, frame, y + frame.theme.body.size * 0.6, rows, language)
    y_foot = y
    y, foot = draw_footer(page, rng, frame, y, visit, header)
    head = header.fields

    watermark = rng.random() < 0.35
    finish(page, rng, frame, y, language, visit.hospital, watermark)
    stamped = rng.random() < 0.3
    if stamped:
        r = frame.theme.body.size * rng.uniform(3.0, 4.2)
        decor.stamp(page, page.width - frame.margin - r * rng.uniform(1.0, 2.5), y_foot + r * 0.6,
                    r, visit.hospital, frame.theme.body, rng)

    gt = gt_of(head + foot)
    gt["Examination Name"] = exam_name  # printed in the header grid or under the title
    gt["Indicators"] = [r.gt() for r in rows]
    meta = {"template": f"lab-{template}", "panel": panel.key, "rows": len(rows),
            "units": "us" if fmt.us_units else "si", "watermark": watermark, "stamp": stamped,
            "layout": table_conditions(rows, tl, 2 if template == "two-column" else 1)}
    return Built(page, gt, meta)
