"""Parts shared by the medical kinds: patient and visit, letterhead, header grid, footer."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from medvie_synth import decor
from medvie_synth.canvas import Page, Style, text_width
from medvie_synth.kinds.base import DATETIME_FORMATS, random_datetime
from medvie_synth.layout import Field, FieldGrid, field_grid
from medvie_synth.tables import people
from medvie_synth.tables.labels import label, phrase
from medvie_synth.theme import Theme, draw_theme


@dataclass
class Visit:
    language: str
    hospital: str
    name: str
    sex: str
    gender: str
    age: str
    age_years: int
    department: str
    times: dict[str, datetime]
    datetime_format: str
    date_format: str
    doctor: str
    technician: str
    reviewer: str
    mrn: str
    bed: str
    barcode: str

    def when(self, event: str, date_only: bool = False) -> str:
        return self.times[event].strftime(self.date_format if date_only else self.datetime_format)


def draw_visit(rng: random.Random, language: str, departments: tuple[str, ...] = ()) -> Visit:
    """A patient and an encounter; sex and age agree with the department (obstetrics and
    gynaecology see women, paediatrics children)."""
    dept_en, dept_zh = rng.choice([d for d in people.DEPARTMENTS
                                   if not departments or d[0] in departments])
    sex = "F" if dept_en in ("Obstetrics", "Gynecology") else rng.choice("MF")
    if dept_en == "Pediatrics":
        age = rng.randint(1, 14)
    elif dept_en == "Obstetrics":
        age = rng.randint(20, 42)
    else:
        age = rng.randint(18, 92)
    collected = random_datetime(rng)
    received = collected + timedelta(minutes=rng.randint(8, 95))
    examined = received + timedelta(minutes=rng.randint(5, 150))
    reported = examined + timedelta(minutes=rng.randint(10, 300))
    style = rng.randrange(12)
    datetime_format, date_format = rng.choice(DATETIME_FORMATS[language])
    return Visit(
        language=language,
        hospital=people.hospital_name(rng, language),
        name=people.person_name(rng, language, sex),
        sex=sex,
        gender=people.gender_text(rng, language, sex, style),
        age=people.age_text(language, age, style // 3),
        age_years=age,
        department=dept_zh if language == "zh" else dept_en,
        times={"collected": collected, "received": received, "examined": examined,
               "reported": reported},
        datetime_format=datetime_format,
        date_format=date_format,
        doctor=people.clinician_name(rng, language),
        technician=people.clinician_name(rng, language),
        reviewer=people.clinician_name(rng, language),
        mrn=str(rng.randint(10**5, 10**8 - 1)),
        bed=str(rng.randint(1, 60)) if rng.random() < 0.5 else "",
        barcode=str(rng.randint(10**9, 10**10 - 1)),
    )


@dataclass
class PageFrame:
    """Page size and the drawing area of a medical document."""

    width: int
    margin: int
    theme: Theme
    language: str

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin


def new_page(rng: random.Random, language: str, widths: tuple[int, ...] = (960, 1040, 1120, 1240),
             body_px: tuple[float, float] = (15.5, 19.0), serif: float = 0.35) -> tuple[Page, PageFrame]:
    width = rng.choice(widths)
    scale = width / 1000
    page = Page(width, int(width * 1.6))
    frame = PageFrame(width, int(width * rng.uniform(0.045, 0.08)), draw_theme(
        rng, language, scale, body_px, serif=serif), language)
    return page, frame


def letterhead(page: Page, rng: random.Random, frame: PageFrame, hospital: str, title: str,
               subtitle: str = "") -> float:
    """Hospital name, report title (and subtitle), with or without a logo; returns y below."""
    t, m = frame.theme, frame.margin
    y = m * rng.uniform(0.6, 1.0)
    style = rng.randrange(3)
    logo_size = t.title.size * 2.2
    if style == 0:  # centred, logo to the left of the name
        w = page.width
        page.text(w / 2, y, hospital, t.title, align="center")
        if rng.random() < 0.8:
            lx = w / 2 - text_width(hospital, t.title) / 2 - logo_size * 1.2
            decor.logo(page, max(m, lx), y - logo_size * 0.2, logo_size, frame.theme.accent, rng)
        y += t.title.size * 1.5
        page.text(w / 2, y, title, t.subtitle, align="center")
        y += t.subtitle.size * 1.6
    elif style == 1:  # logo and name left, title right
        decor.logo(page, m, y, logo_size, frame.theme.accent, rng)
        page.text(m + logo_size * 1.25, y + logo_size * 0.1, hospital, t.title)
        page.text(page.width - m, y + logo_size * 0.1 + t.title.size * 1.35, title, t.subtitle,
                  align="right")
        y += max(logo_size * 1.1, t.title.size * 1.35 + t.subtitle.size * 1.5)
    else:  # centred name, title under a double rule
        page.text(page.width / 2, y, hospital, t.title, align="center")
        y += t.title.size * 1.45
        page.line(m, y, page.width - m, y, 2, t.title.color)
        page.line(m, y + 4, page.width - m, y + 4, 1, t.title.color)
        y += 10
        page.text(page.width / 2, y, title, t.subtitle, align="center")
        y += t.subtitle.size * 1.6
    if subtitle:
        page.text(page.width / 2, y, subtitle, t.subtitle.but(size=round(t.subtitle.size * 0.9)),
                  align="center")
        y += t.subtitle.size * 1.5
    return y


def header_grid(page: Page, rng: random.Random, frame: PageFrame, y: float, fields: list[Field],
                columns: int | None = None) -> float:
    """The patient/visit key-value block, optionally ruled above and below."""
    t = frame.theme
    ruled = rng.random() < 0.7
    if ruled:
        page.line(frame.margin, y, page.width - frame.margin, y, rng.choice((1, 2)))
        y += t.body.size * 0.5
    joined = rng.random() < 0.6
    sep = rng.choice(("：", ":", "： ") if frame.language == "zh" else (": ", ":"))
    grid = FieldGrid(columns=columns or rng.choice((3, 4)), sep=sep, joined=joined,
                     label_style=t.label, row_spacing=rng.uniform(1.5, 1.9))
    y = field_grid(page, frame.margin, y, frame.inner, fields, t.body, grid)
    if ruled:
        page.line(frame.margin, y, page.width - frame.margin, y, 1)
        y += t.body.size * 0.5
    return y


def gt_of(fields: list[Field]) -> dict[str, str]:
    return {f.key: f.value for f in fields if f.key and f.value}


def visit_fields(rng: random.Random, visit: Visit, keys: list[str]) -> list[Field]:
    """Fields for ``keys`` (schema names or distractor label ids) in that order."""
    lang = visit.language
    values = {
        "Name": visit.name, "Gender": visit.gender, "Age": visit.age,
        "Department": visit.department, "MRN": visit.mrn, "Bed": visit.bed,
        "Barcode": visit.barcode, "Requested By": visit.doctor,
        "Sample Collection Time": visit.when("collected"), "Received": visit.when("received"),
        "Reported": visit.when("reported"),
    }
    schema = {"Name", "Gender", "Age", "Department", "Sample Collection Time",
              "Examination Time", "Diagnosis", "Examination Name", "Examination Site"}
    out = []
    for key in keys:
        value = values.get(key, "")
        if value:
            out.append(Field(label(rng, lang, key), value, key if key in schema else None))
    return out


def footer(page: Page, rng: random.Random, frame: PageFrame, y: float, fields: list[Field],
           note: str = "") -> float:
    t = frame.theme
    y += t.body.size * 0.6
    if rng.random() < 0.6:
        page.line(frame.margin, y, page.width - frame.margin, y, 1)
        y += t.body.size * 0.5
    grid = FieldGrid(columns=rng.choice((3, 4)), sep="：" if frame.language == "zh" else ":",
                     joined=True, row_spacing=1.6)
    y = field_grid(page, frame.margin, y, frame.inner, fields, t.body, grid)
    if note:
        page.text(frame.margin, y + t.small.size * 0.4, note, t.small)
        y += t.small.size * 2
    return y


def finish(page: Page, rng: random.Random, frame: PageFrame, y: float, language: str,
           hospital: str, watermark: bool) -> None:
    """Crop to an A4-like height (or the content) and add the optional watermark."""
    content = int(y + frame.margin * 1.3)
    fits = [r for r in (0.707, 1.0, 1.414) if page.width * r >= content]
    ratio = fits[0] if fits and rng.random() < 0.85 else rng.choice(fits or [1.414])
    height = max(int(page.width * ratio), content)
    page.crop_to(height)
    if watermark:
        text = phrase(rng, language, "watermark") if rng.random() < 0.6 else hospital
        style = Style(frame.theme.body.family, int(frame.theme.body.size * 2.6), True,
                      color=frame.theme.accent)
        decor.watermark(page, text, style, rng.uniform(20, 40), rng.randint(22, 40))
