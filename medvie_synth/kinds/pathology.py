"""Surgical pathology reports: specimen site, gross and microscopic description, diagnosis."""

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
from medvie_synth.kinds.narrative import SectionStyle, join_sentences, section
from medvie_synth.layout import Field
from medvie_synth.tables.labels import label, phrase
from medvie_synth.tables.pathology_cases import CASES, DEPARTMENTS, fill


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    page, frame = new_page(rng, language)
    case = rng.choice(CASES)
    visit = draw_visit(rng, language, DEPARTMENTS[case.key])
    outcome = rng.choice(case.outcomes)
    i = 1 if language == "zh" else 0
    gross = fill(case.gross[i], rng)
    paragraphs = [gross, outcome.microscopic[i]] if rng.random() < 0.5 else [
        join_sentences([gross, outcome.microscopic[i]], language)]
    diagnosis = outcome.diagnosis[i]
    advice = outcome.advice[i] if outcome.advice and rng.random() < 0.8 else ""

    y = letterhead(page, rng, frame, visit.hospital, phrase(rng, language, "pathology_title"))
    keys = ["Name", "Gender", "Age", "Department"]
    keys += rng.sample(["MRN", "Bed", "Requested By"], rng.randint(1, 3))
    keys += ["Sample Collection Time"] if rng.random() < 0.7 else []
    keys += ["Received"] if rng.random() < 0.5 else []
    head = visit_fields(rng, visit, keys)
    head.insert(0, Field(label(rng, language, "Pathology No."),
                         f"{rng.choice('BSPF')}{visit.times['collected']:%y}-{rng.randint(1, 99999):05d}"))
    head.append(Field(phrase(rng, language, "specimen"), case.site[i], "Examination Site"))
    if rng.random() < 0.6:
        head.append(Field(label(rng, language, "Examination Name"), rng.choice(case.names)[i],
                          "Examination Name"))
    if rng.random() < 0.5:
        head.append(Field(label(rng, language, "Examination Time"), visit.when("examined", True),
                          "Examination Time"))
    y = header_grid(page, rng, frame, y + frame.theme.body.size * 0.4, head)

    if rng.random() < 0.4:
        w = frame.inner * rng.uniform(0.25, 0.33)
        h = w * 0.75
        for k in range(2):
            decor.scan_thumbnail(page, frame.margin + frame.inner / 2 - w - 10 + k * (w + 20),
                                 y + 8, w, h, "HE", rng)
        y += h + 24
    ss = SectionStyle(rng, frame, language)
    y = section(page, frame, y + 6, phrase(rng, language, "pathology_description_heading"),
                paragraphs, ss)
    y = section(page, frame, y, phrase(rng, language, "pathology_diagnosis_heading"), [diagnosis],
                ss)
    if advice:
        y = section(page, frame, y, phrase(rng, language, "recommendation_heading"), [advice], ss)
    foot = [Field(label(rng, language, "Reporter"), visit.technician),
            Field(label(rng, language, "Verified By"), visit.reviewer),
            Field(label(rng, language, "Reported"), visit.when("reported", True))]
    y_foot = y
    y = footer(page, rng, frame, y, foot)
    finish(page, rng, frame, y, language, visit.hospital, rng.random() < 0.15)
    stamped = rng.random() < 0.4
    if stamped:
        r = frame.theme.body.size * rng.uniform(3.0, 4.2)
        decor.stamp(page, page.width - frame.margin - r * 1.5, y_foot + r * 0.7, r,
                    visit.hospital, frame.theme.body, rng)

    gt = gt_of(head)
    gt["Examination Description"] = "\n".join(paragraphs)
    gt["Diagnosis"] = diagnosis
    if advice:
        gt["Treatment Recommendations"] = advice
    return Built(page, gt, {"template": "pathology", "case": case.key, "stamp": stamped})
