"""Lab reports of the ``real`` variant: the layouts on which photographed hospital reports break
extractors (see ``medvie_synth.real_options``), each drawn with its class's probability.

Table groups side by side, each with its own header row and the row numbers continuing across
them; section rows; graded results; two-language names; an abbreviation column; the abnormal mark
as a small glyph of its own between result and range; stamps and signatures over the footer.
The ground truth is what is printed; ``meta`` says where each gt field sits (for a tight crop)
and which classes the page really shows (a class that does not fit the page is left out).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from typing import Any

from medvie_synth import decor
from medvie_synth.canvas import Page, Style
from medvie_synth.kinds.base import Built, choose_weighted
from medvie_synth.kinds.lab import (
    ABNORMAL_INK,
    Indicator,
    RowFormat,
    TableLayout,
    draw_footer,
    draw_header,
    draw_row_format,
    numeric_row,
    table_conditions,
    table_need,
)
from medvie_synth.kinds.medical import PageFrame, Visit, draw_visit, finish, gt_of, new_page
from medvie_synth.layout import Cell, Column, TableStyle, table
from medvie_synth.tables import lab_real_tests as R
from medvie_synth.tables.lab_tests import ANALYTES, PANELS, Panel, draw_numeric, draw_values, pick_codes

CONTENT_CLASSES = ("table_groups", "mixed_columns", "section_rows", "qualitative", "bilingual_names",
                   "abbreviation_column", "mark_glyph", "stamp", "signature")
PSA = ("TPSA", "FPSA", "FT-RATIO")
# page width and body text per number of groups: more groups, a wider page and smaller type
PAGES = {1: ((960, 1040, 1120, 1240), (15.5, 19.0)), 2: ((1240, 1360, 1480), (12.5, 15.0)),
         3: ((1500, 1600, 1700), (10.5, 12.5))}
# hospital lab printers often print a Song (serif) face: the body font is always drawn from the
# serif and sans faces together (half of the Chinese reports serif; the photo variant: 0.35 of that)
SERIF = 1.0


@dataclass
class Section:
    """A section title row inside the table (not an indicator)."""

    title: str


Item = Indicator | Section


@dataclass
class Drawn:
    """The content classes drawn for one report."""

    groups: int
    mixed_columns: bool
    section_rows: bool
    qualitative: bool
    bilingual_names: bool
    abbreviation_column: bool
    mark_glyph: bool
    stamp: bool
    signature: bool


def draw_classes(rng: random.Random, classes: dict[str, float]) -> Drawn:
    """One uniform draw per class whatever the probabilities, so that changing one class's
    probability leaves the others' draws alone."""
    u = {name: rng.random() for name in CONTENT_CLASSES}
    three = rng.random() < 0.3
    groups = (3 if three else 2) if u["table_groups"] < classes["table_groups"] else 1
    on = {name: u[name] < classes[name] for name in CONTENT_CLASSES}
    return Drawn(groups=groups, mixed_columns=on["mixed_columns"], section_rows=on["section_rows"],
                 qualitative=on["qualitative"], bilingual_names=on["bilingual_names"],
                 abbreviation_column=on["abbreviation_column"], mark_glyph=on["mark_glyph"],
                 stamp=on["stamp"], signature=on["signature"])


@dataclass(frozen=True)
class Butting:
    """Table groups printed with no white gap (class ``butting_groups``): neighbouring groups'
    tables overlap by ``overlap`` cell paddings (so 2 - ``overlap`` paddings of paper are left
    between the texts), every group's last column is right-aligned, and a thin ``rule`` or nothing
    parts them. On a share ``TOUCH_SHARE`` of these pages (``touch``, a tight print) the texts
    touch or overlap slightly: ``overlap`` is 1.9-2.4 paddings (0.1 padding of paper to 0.4 of
    overlap, about 0.03 text heights apart to 0.14 into each other), so OCR boxes of neighbouring
    groups' titles and cells overlap (the boxes reach past the ink) or run into one."""

    on: bool
    overlap: float
    rule: bool
    touch: bool = False


NO_BUTTING = Butting(False, 0.0, False)
TOUCH_SHARE = 0.4  # of butting pages, the texts of neighbouring groups touch (``Butting.touch``)


def draw_butting(own: random.Random | None, p: float) -> Butting:
    """From the class's own stream (``seeding.class_rng``; five draws whatever ``p``), so the
    content stream, and every page without the class, stays as it was; no stream: off. The
    touching share draws after the first three, so a butting page that does not touch is the
    page of real variant 2."""
    if own is None:
        return NO_BUTTING
    u, overlap, rule = own.random(), own.uniform(1.2, 1.8), own.random() < 0.5
    t, deep = own.random(), own.uniform(1.9, 2.4)
    touch = u < p and t < TOUCH_SHARE
    return Butting(u < p, deep if touch else overlap, rule, touch)


def display_code(code: str) -> str:
    return R.CODES.get(code, code.removeprefix("U-"))


def draw_panel(rng: random.Random, qualitative: bool) -> Panel:
    key = choose_weighted(rng, R.GRADED_PANELS if qualitative else R.NUMERIC_PANELS)
    return R.PANELS.get(key) or PANELS[key]


def graded_row(rng: random.Random, g: R.Graded, p_abnormal: float, fmt: RowFormat,
               unit_in_range: bool) -> Indicator:
    i = 1 if fmt.language == "zh" else 0
    abnormal = rng.random() < p_abnormal
    answer = rng.choice(g.abnormal if abnormal else g.normal)[i]
    reference = g.reference[i] if g.reference else ""
    unit = g.unit
    if unit and reference and unit_in_range:  # 0-5 /HP: the unit printed inside the range cell
        reference, unit = f"{reference} {unit}", ""
    mark = fmt.marks[0] if abnormal and g.flagged else ""
    return Indicator(g.zh if i else g.en, g.code, answer, unit, reference, mark)


def draw_rows(rng: random.Random, visit: Visit, codes: list[str], p_abnormal: float, fmt: RowFormat,
              unit_in_range: bool) -> list[Indicator]:
    values = draw_values(rng, [c for c in codes if c in ANALYTES], visit.sex, p_abnormal)
    for c in codes:
        if c in R.NUMERIC and c != "FT-RATIO":
            a = R.NUMERIC[c]
            values[c] = draw_numeric(rng, a.low, a.high, a.bound, rng.random() < p_abnormal, a.tails)
    if "TPSA" in values and "FPSA" in values:  # free PSA is part of total PSA
        values["TPSA"] = max(round(values["TPSA"], 2), 0.05)
        values["FPSA"] = min(round(values["FPSA"], 2), round(values["TPSA"] * 0.9, 2))
        values["FT-RATIO"] = values["FPSA"] / values["TPSA"]
    rows = []
    for c in codes:
        if c in R.GRADED:
            rows.append(graded_row(rng, R.GRADED[c], p_abnormal, fmt, unit_in_range))
        elif c in values:
            rows.append(numeric_row(R.NUMERIC.get(c) or ANALYTES[c], values[c], visit.sex, fmt))
    if fmt.name_style == "code":
        for r in rows:
            r.name = display_code(r.code)
    return rows


def with_sections(rows: list[Indicator], panel: Panel, language: str) -> list[Item]:
    """Rows grouped under their section titles (in order of first appearance)."""
    i = 1 if language == "zh" else 0
    titles = {code: R.SECTIONS[panel.key][g][i] for g, group in enumerate(panel.groups) for code in group}
    by: dict[str, list[Indicator]] = {}
    for r in rows:
        by.setdefault(titles.get(r.code, ""), []).append(r)
    items: list[Item] = []
    for title, part in by.items():
        if title:
            items.append(Section(title))
        items += part
    return items


def split_groups(items: list[Item], groups: int) -> list[list[Item]]:
    """Consecutive parts of (nearly) equal length; a section title never ends a part."""
    size = math.ceil(len(items) / max(1, groups))
    parts = [items[i * size : (i + 1) * size] for i in range(groups)]
    for i in range(len(parts) - 1):
        while parts[i] and isinstance(parts[i][-1], Section):
            parts[i + 1].insert(0, parts[i].pop())
    return [p for p in parts if p]


@dataclass
class TableLook:
    """Document-level choices of the table (the groups may differ in ``unit_first`` and titles)."""

    number: bool
    code: bool
    mark_mode: str  # glyph | column | inline
    glyph_after_unit: bool
    unit_first: bool
    mark_gap: str
    highlight: str
    result_align: str


@dataclass
class GroupColumns:
    keys: list[str]
    columns: list[Column]


def _titles(rng: random.Random, language: str) -> dict[str, str]:
    return {k: rng.choice(zh if language == "zh" else en) for k, (en, zh) in R.TITLES.items()}


def group_columns(look: TableLook, unit_first: bool, has_unit: bool, titles: dict[str, str]) -> GroupColumns:
    keys = (["no"] if look.number else []) + ["name"] + (["code"] if look.code else []) + ["result"]
    if look.mark_mode == "column":
        keys.append("mark")
    tail = ["unit", "reference"] if unit_first else ["reference", "unit"]
    if not has_unit:
        tail.remove("unit")
    if look.mark_mode == "glyph":
        if look.glyph_after_unit and tail[0] == "unit" and len(tail) > 1:
            tail.insert(1, "glyph")
        else:
            keys.append("glyph")
    keys += tail
    spec = {"no": ("center", 0.1), "name": ("left", 1.4), "code": ("left", 0.6),
            "result": (look.result_align, 0.8), "mark": ("center", 0.3), "glyph": ("left", 0.05),
            "unit": ("left", 0.7), "reference": ("left", 1.0)}
    columns = [Column("" if k == "glyph" else titles[k], spec[k][0], weight=spec[k][1]) for k in keys]
    return GroupColumns(keys, columns)


@dataclass
class Styles:
    body: Style
    section: Style
    glyph: Style


def group_cells(part: list[Item], cols: GroupColumns, look: TableLook, st: Styles,
                start: int) -> tuple[list[list[Cell]], int]:
    """Cells of one group's rows; returns them and the next row number."""
    out, n = [], start
    for item in part:
        if isinstance(item, Section):
            out.append([Cell(item.title, st.section, span=True)] + [Cell("") for _ in cols.keys[1:]])
            continue
        hot = st.body
        if item.mark and look.highlight == "bold":
            hot = st.body.but(bold=True)
        elif item.mark and look.highlight == "red":
            hot = st.body.but(color=ABNORMAL_INK)
        inline = look.mark_mode == "inline" and item.mark
        text = {"no": str(n), "name": item.name, "code": display_code(item.code),
                "result": f"{item.result}{look.mark_gap}{item.mark}" if inline else item.result,
                "mark": item.mark, "glyph": item.mark, "unit": item.unit, "reference": item.reference}
        glyph = st.glyph.but(color=hot.color)
        out.append([Cell(text[k], glyph if k == "glyph" else hot if k in ("result", "mark") else None)
                    for k in cols.keys])
        n += 1
    return out, n


@dataclass
class Plan:
    parts: list[list[Item]]
    cols: list[GroupColumns]
    cells: list[list[list[Cell]]]
    needs: list[float]
    styles: Styles
    header: Style


def _plan(items: list[Item], groups: int, look: TableLook, drawn: Drawn, titles: list[dict[str, str]],
          base: Styles, ts: TableStyle, room: float, gap: float) -> Plan | None:
    parts = split_groups(items, groups)
    any_unit = any(isinstance(i, Indicator) and i.unit for i in items)
    cols = []
    for g, part in enumerate(parts):
        mixed = drawn.mixed_columns and g > 0
        has_unit = any(isinstance(i, Indicator) and i.unit for i in part) if mixed else any_unit
        unit_first = look.unit_first != (mixed and g % 2 == 1)
        cols.append(group_columns(look, unit_first, has_unit, titles[g if drawn.mixed_columns else 0]))
    header0 = ts.header_style or base.body.but(bold=True)
    for size in range(base.body.size, int(base.body.size * 0.7) - 1, -1):
        k = size / base.body.size
        st = Styles(base.body.but(size=size), base.section.but(size=size),
                    base.glyph.but(size=max(7, round(base.glyph.size * k))))
        header = header0.but(size=size)
        cells, needs, n = [], [], 1
        for part, c in zip(parts, cols, strict=True):
            cc, n = group_cells(part, c, look, st, n)
            cells.append(cc)
            needs.append(table_need(c.columns, cc, st.body, header, ts.pad))
        if sum(needs) + gap * (len(parts) - 1) <= room:
            return Plan(parts, cols, cells, needs, st, header)
    return None


def plan_tables(rng: random.Random, frame: PageFrame, items: list[Item], drawn: Drawn,
                language: str, butting: Butting = NO_BUTTING) -> tuple[Plan, TableLook, TableStyle, float]:
    """Columns, cells and type size of the table groups (fewer groups when they do not fit); the
    gap between groups (negative: butting groups overlap their cell padding)."""
    t = frame.theme
    look = TableLook(
        number=rng.random() < 0.6, code=drawn.abbreviation_column,
        mark_mode="glyph" if drawn.mark_glyph else ("column" if rng.random() < 0.4 else "inline"),
        glyph_after_unit=rng.random() < 0.2, unit_first=rng.random() < 0.6,
        mark_gap=rng.choice(("", " ", "  ")), highlight=rng.choice(("", "", "bold", "red")),
        result_align=rng.choice(("left", "right", "center")))
    titles = [_titles(rng, language) for _ in range(3)]
    rules = rng.choice(("frame", "frame", "rows", "grid", "none"))
    ts = TableStyle(rules=rules, shade=rng.choice((None, None, (228, 232, 238))),
                    row_spacing=rng.uniform(1.4, 1.8), pad=t.body.size * 0.35,
                    rule_width=rng.choice((1, 2)), header_style=t.header,
                    zebra=(245, 245, 245) if rules == "none" and rng.random() < 0.3 else None)
    base = Styles(t.body, t.body.but(bold=rng.random() < 0.7),
                  t.body.but(size=max(8, round(t.body.size * rng.uniform(0.7, 0.85))), bold=rng.random() < 0.5))
    gap = frame.inner * rng.uniform(0.02, 0.05)
    if butting.on:  # no white between the groups, so no grid either: a grid's rules would cut the text
        gap = -ts.pad * butting.overlap
        ts.rules = "frame" if ts.rules == "grid" else ts.rules
    for groups in range(drawn.groups, 0, -1):  # a class that does not fit is left out
        for attempt in (look, replace(look, number=False)):
            plan = _plan(items, groups, attempt, drawn, titles, base, ts, frame.inner, gap)
            if plan:
                ts.header_style = plan.header
                if butting.on and len(plan.parts) > 1:
                    for c in plan.cols:
                        c.columns[-1].align = "right"
                return plan, attempt, ts, gap
    raise RuntimeError("the lab table does not fit the page")  # pragma: no cover - 1 group always fits


def draw_plan(page: Page, rng: random.Random, frame: PageFrame, y: float, plan: Plan, ts: TableStyle,
              gap: float, butting: Butting = NO_BUTTING
              ) -> tuple[float, tuple[float, float, float, float], list[tuple[float, float]]]:
    """Draw the planned groups side by side; returns the y below them, the table region and each
    group's left and right x."""
    spare = frame.inner - gap * (len(plan.parts) - 1) - sum(plan.needs)
    x, y_end, spans = float(frame.margin), y, []
    for c, cells, need in zip(plan.cols, plan.cells, plan.needs, strict=True):
        width = need + spare * need / sum(plan.needs)
        y_end = max(y_end, table(page, x, y, width, c.columns, cells, plan.styles.body, ts))
        spans.append((x, x + width))
        if x > frame.margin and ts.rules in ("frame", "grid") and rng.random() < 0.5 and not butting.on:
            page.line(x - gap / 2, y, x - gap / 2, y_end, 1)
        if x > frame.margin and butting.on and butting.rule:
            page.line(x - gap / 2, y, x - gap / 2, y_end, 1)
        x += width + gap
    return y_end, (float(frame.margin), y, float(frame.margin + frame.inner), y_end), spans


def _match_type(frame: PageFrame, plan: Plan) -> PageFrame:
    """Header and footer in the table's type size when the table had to shrink (a report is
    printed in one size)."""
    t, size = frame.theme, plan.styles.body.size
    if size >= t.body.size:
        return frame
    k = size / t.body.size
    theme = replace(t, body=t.body.but(size=size), label=t.label.but(size=size), header=plan.header,
                    small=t.small.but(size=max(8, round(t.small.size * k))))
    return replace(frame, theme=theme)


def _signature_over(page: Page, rng: random.Random, frame: PageFrame, labels: list[str], y_foot: float) -> None:
    """A signature over the printed name after one of ``labels`` (or over the footer's right)."""
    size = frame.theme.body.size
    seg = next((s for s in page.segments for lab in labels if s.text.startswith(lab) and s.box[1] >= y_foot), None)
    w, h = size * rng.uniform(4, 6.5), size * rng.uniform(1.6, 2.4)
    if seg is not None:
        x = seg.box[0] + (seg.box[2] - seg.box[0]) * rng.uniform(0.3, 0.6)
        y = (seg.box[1] + seg.box[3]) / 2 - h * rng.uniform(0.4, 0.7)
    else:
        x, y = page.width - frame.margin - w * 1.5, y_foot + size
    decor.signature(page, x, y, w, h, rng)


def build(rng: random.Random, language: str, options: dict[str, Any],
          own: dict[str, random.Random] | None = None) -> Built:
    """One report; ``own`` holds the own streams of classes added later (``butting_groups``)."""
    from medvie_synth.real_options import real_classes

    classes = real_classes(options)
    drawn = draw_classes(rng, classes)
    butting = draw_butting((own or {}).get("butting_groups"), classes["butting_groups"] if drawn.groups > 1 else 0.0)
    widths, body_px = PAGES[drawn.groups]
    page, frame = new_page(rng, language, widths, body_px, serif=SERIF)
    visit = draw_visit(rng, language)
    key = options.get("panel")
    panel = (R.PANELS.get(key) or PANELS[key]) if key else draw_panel(rng, drawn.qualitative)
    exam_name = rng.choice(panel.names)[1 if language == "zh" else 0]
    specimen = panel.specimen[1 if language == "zh" else 0]
    min_rows = max(int(options.get("min_rows", 8)), 6 * drawn.groups)
    codes = pick_codes(rng, panel, min_rows, int(options.get("max_rows", 30)))
    if visit.sex == "F":
        codes = [c for c in codes if c not in PSA] or codes
    fmt = draw_row_format(rng, language)
    if drawn.bilingual_names:
        fmt = replace(fmt, name_style="name")
    p_abnormal = rng.choice((0.08, 0.15, 0.25, 0.4))
    rows = draw_rows(rng, visit, codes, p_abnormal, fmt, unit_in_range=rng.random() < 0.5)
    if drawn.bilingual_names:
        form = rng.choice(R.BILINGUAL_FORMS[language])
        for r in rows:
            if display_code(r.code).lower() not in r.name.lower():  # not "pH (pH)"
                r.name = form.format(name=r.name, code=display_code(r.code))
    items: list[Item] = with_sections(rows, panel, language) if drawn.section_rows else list(rows)
    plan, look, ts, gap = plan_tables(rng, frame, items, drawn, language, butting)
    frame = _match_type(frame, plan)

    y, header = draw_header(page, rng, frame, visit, exam_name, specimen)
    y_table = y + frame.theme.body.size * 0.6
    y, table_box, group_spans = draw_plan(page, rng, frame, y_table, plan, ts, gap, butting)
    y_foot = y
    y, foot = draw_footer(page, rng, frame, y, visit, header)
    watermark = rng.random() < 0.25
    finish(page, rng, frame, y, language, visit.hospital, watermark)
    if drawn.stamp:
        r = frame.theme.body.size * rng.uniform(3.0, 4.2)
        decor.stamp(page, page.width - frame.margin - r * rng.uniform(1.0, 2.5), y_foot + r * 0.6,
                    r, visit.hospital, frame.theme.body, rng)
    if drawn.signature:
        _signature_over(page, rng, frame, [foot[1].label, foot[0].label], y_foot)  # verified, performed

    printed = [r for part in plan.parts for r in part if isinstance(r, Indicator)]
    gt = gt_of(header.fields + foot)
    gt["Examination Name"] = exam_name
    gt["Indicators"] = [r.gt() for r in printed]
    gt_regions = {k: "header" for k in gt_of(header.fields)}
    gt_regions["Examination Name"] = "title" if header.exam_in_title else "header"
    if not header.exam_time_in_header:
        gt_regions["Examination Time"] = "footer"
    gt_regions["Indicators"] = "table"
    layout = table_conditions(
        printed, TableLayout(look.number, look.code, look.mark_mode == "column", look.mark_gap, look.highlight),
        len(plan.parts), bilingual=drawn.bilingual_names,
        sections=any(isinstance(i, Section) for i in items), mark_glyph=look.mark_mode == "glyph",
        mixed_columns=len({tuple(c.keys) for c in plan.cols}) > 1,
        qualitative=any(r.code in R.GRADED for r in printed))
    layout["butting_groups"] = butting.on and len(plan.parts) > 1
    layout["touching_groups"] = butting.touch and len(plan.parts) > 1
    meta = {"template": f"lab-real-{len(plan.parts)}g", "panel": panel.key, "rows": len(printed),
            "units": "us" if fmt.us_units else "si", "watermark": watermark, "stamp": drawn.stamp,
            "signature": drawn.signature, "layout": layout, "body_px": plan.styles.body.size,
            "regions": {"title": [0.0, 0.0, float(page.width), header.top],
                        "header": [0.0, header.top, float(page.width), y_table],
                        "table": list(table_box), "groups": [list(g) for g in group_spans],
                        "footer": [0.0, y_foot, float(page.width), float(page.height)]},
            "gt_regions": gt_regions}
    return Built(page, gt, meta)
