"""Imaging reports (CT, MRI, ultrasound, radiograph): findings prose, impression, advice."""

from __future__ import annotations

import random
from typing import Any

from medvie_synth import decor
from medvie_synth.kinds.base import Built
from medvie_synth.kinds.medical import (
    draw_visit,
    finish,
    footer,
    gt_of,
    header_grid,
    letterhead,
    new_page,
    visit_fields,
)
from medvie_synth.kinds.narrative import SectionStyle, join_sentences, numbered, section
from medvie_synth.layout import Field
from medvie_synth.tables.imaging_studies import STUDIES, Study, fill
from medvie_synth.tables.labels import label, phrase

EQUIPMENT = {"CT": ("Siemens SOMATOM Force", "GE Revolution CT", "Philips Brilliance 64"),
             "MRI": ("Siemens MAGNETOM Skyra 3.0T", "GE SIGNA Architect 3.0T", "Philips Ingenia 1.5T"),
             "US": ("Philips EPIQ 7", "GE LOGIQ E10", "Mindray Resona 7"),
             "DR": ("Carestream DRX-Evolution", "Philips DigitalDiagnost", "Siemens Ysio Max")}


def draw_report(rng: random.Random, study: Study, language: str) -> tuple[str, list[str], str]:
    """(description, impression lines, advice) for one study; about a third are normal."""
    i = 1 if language == "zh" else 0
    sentences = [s[i] for s in study.normal]
    n_abnormal = rng.choice((0, 1, 1, 2))
    findings = rng.sample(study.findings, min(n_abnormal, len(study.findings)))
    findings.sort(key=lambda f: f.replaces)
    used: set[int] = set()
    for f in findings:
        if f.replaces in used:  # two findings for one sentence: the second is appended
            sentences.append(fill(f.description[i], rng))
        else:
            sentences[f.replaces] = fill(f.description[i], rng)
            used.add(f.replaces)
    impressions = [f.impression[i] for f in findings] or [study.normal_impression[i]]
    advice = join_sentences([f.advice[i] for f in findings if f.advice], language)
    return join_sentences(sentences, language), impressions, advice


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    page, frame = new_page(rng, language)
    visit = draw_visit(rng, language)
    study = rng.choice(STUDIES)
    i = 1 if language == "zh" else 0
    exam_name = rng.choice(study.names)[i]
    description, impressions, advice = draw_report(rng, study, language)

    title = phrase(rng, language, "ultrasound_title" if study.modality == "US" else "imaging_title")
    y = letterhead(page, rng, frame, visit.hospital, title)
    keys = ["Name", "Gender", "Age", "Department"]
    keys += rng.sample(["MRN", "Bed", "Requested By"], rng.randint(1, 3))
    head = visit_fields(rng, visit, keys)
    head.append(Field(label(rng, language, "Exam No."), str(rng.randint(10**6, 10**8))))
    head.append(Field(label(rng, language, "Examination Name"), exam_name, "Examination Name"))
    if rng.random() < 0.8:
        head.append(Field(label(rng, language, "Examination Site"), study.site[i],
                          "Examination Site"))
    head.append(Field(label(rng, language, "Examination Time"), visit.when("examined"),
                      "Examination Time"))
    if rng.random() < 0.5:
        head.append(Field(label(rng, language, "Equipment"), rng.choice(EQUIPMENT[study.modality])))
    y = header_grid(page, rng, frame, y + frame.theme.body.size * 0.4, head)

    if rng.random() < 0.55:
        w = frame.inner * rng.uniform(0.28, 0.4)
        h = w * rng.uniform(0.7, 0.85)
        count = 2 if rng.random() < 0.4 else 1
        for k in range(count):
            x = frame.margin + (frame.inner - count * w - (count - 1) * 20) / 2 + k * (w + 20)
            decor.scan_thumbnail(page, x, y + 8, w, h, study.modality, rng)
        y += h + 24

    ss = SectionStyle(rng, frame, language)
    y = section(page, frame, y + 6, phrase(rng, language, "description_heading"), [description], ss)
    lines = numbered(impressions, language, rng)
    y = section(page, frame, y, phrase(rng, language, "diagnosis_heading"), lines, ss)
    if advice:
        y = section(page, frame, y, phrase(rng, language, "recommendation_heading"), [advice], ss)

    foot = [Field(label(rng, language, "Reporter"), visit.technician),
            Field(label(rng, language, "Verified By"), visit.reviewer),
            Field(label(rng, language, "Reported"), visit.when("reported"))]
    y_foot = y
    y = footer(page, rng, frame, y, foot, phrase(rng, language, "imaging_note")
               if rng.random() < 0.6 else "")
    finish(page, rng, frame, y, language, visit.hospital, rng.random() < 0.2)
    stamped = rng.random() < 0.3
    if stamped:
        r = frame.theme.body.size * rng.uniform(3.0, 4.2)
        decor.stamp(page, page.width - frame.margin - r * 1.5, y_foot + r * 0.7, r,
                    visit.hospital, frame.theme.body, rng)

    gt = gt_of(head)
    gt["Examination Description"] = description
    gt["Diagnosis"] = "\n".join(lines)
    if advice:
        gt["Treatment Recommendations"] = advice
    meta = {"template": f"imaging-{study.modality.lower()}", "study": study.key,
            "abnormal": len(impressions) if impressions != [study.normal_impression[i]] else 0,
            "stamp": stamped}
    return Built(page, gt, meta)
