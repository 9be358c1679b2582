"""Outpatient prescriptions: patient header, clinical diagnosis and the Rp block of drugs."""

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
from medvie_synth.layout import Field, wrap
from medvie_synth.tables.drugs import REGIMENS
from medvie_synth.tables.labels import label, phrase


def drug_lines(rng: random.Random, language: str, drugs: list[Any]
               ) -> tuple[list[tuple[str, int]], float]:
    """Printed lines of the Rp block with their indent level (name and pack, then the usage
    indented) and the total price."""
    i = 1 if language == "zh" else 0
    usage = phrase(rng, language, "usage")
    qty_label = phrase(rng, language, "quantity")
    unit = rng.choice(("盒", "瓶", "袋")) if i else rng.choice(("box", "pack", ""))
    numbered = rng.random() < 0.7
    lines, total = [], 0.0
    for n, drug in enumerate(drugs, 1):
        qty = rng.choice((1, 1, 1, 2, 3))
        total += qty * drug.price
        head = f"{n}. " if numbered else ""
        sep = "" if qty_label == "×" else " "
        amount = f"{qty_label}{sep}{qty}{unit if i else (' ' + unit if unit else '')}"
        lines.append((f"{head}{drug.name[i]}  {drug.pack[i]}  {amount}", 0))
        lines.append((f"{usage} {drug.usage[i]}", 1))
    return lines, total


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    page, frame = new_page(rng, language, widths=(900, 960, 1040))
    regimen = rng.choice(REGIMENS)
    i = 1 if language == "zh" else 0
    visit = draw_visit(rng, language, (regimen.department,))
    drugs = rng.sample(regimen.drugs, rng.randint(min(2, len(regimen.drugs)), len(regimen.drugs)))
    lines, total = drug_lines(rng, language, drugs)
    if regimen.advice and rng.random() < 0.5:
        lines.append((rng.choice(regimen.advice)[i], 0))

    title = phrase(rng, language, "prescription_title")
    y = letterhead(page, rng, frame, visit.hospital, title)
    t = frame.theme
    kind_box = phrase(rng, language, "prescription_type")
    bw = t.body.size * (3.2 if i else 5.5)
    page.rect(page.width - frame.margin - bw, frame.margin * 0.5, page.width - frame.margin,
              frame.margin * 0.5 + t.body.size * 1.8, outline=t.body.color, width=2)
    page.text(page.width - frame.margin - bw / 2, frame.margin * 0.5 + t.body.size * 0.35, kind_box,
              t.body, align="center")

    head = [Field(label(rng, language, "Fee Type"), phrase(rng, language, "fee_types"))]
    head += visit_fields(rng, visit, ["MRN", "Department", "Name", "Gender", "Age"])
    head.append(Field(label(rng, language, "Date"), visit.when("examined", date_only=True)))
    if rng.random() < 0.4:
        head.append(Field(label(rng, language, "Phone"),
                          f"1{rng.randint(30, 89)}{rng.randint(10**7, 10**8 - 1)}" if i else
                          f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"))
    head.append(Field(label(rng, language, "Diagnosis"), regimen.diagnosis[i], "Diagnosis"))
    y = header_grid(page, rng, frame, y + t.body.size * 0.4, head, columns=rng.choice((2, 3)))

    y += t.body.size * 0.6
    page.text(frame.margin, y, phrase(rng, language, "rp"), t.title.but(size=round(t.body.size * 1.6)))
    y += t.body.size * 2.4
    x = frame.margin + t.body.size * 2
    step = t.body.size * 1.7
    for line, level in lines:
        indent = t.body.size * 1.5 * level
        for part in wrap(line, t.body, frame.inner - (x - frame.margin) - indent):
            page.text(x + indent, y, part, t.body)
            y += step
    # the signatures sit at the foot of an A5-like sheet
    y = max(y + t.body.size * 2, page.width * 1.414 - frame.margin - t.body.size * 5)

    amount = f"¥{total:.2f}" if i else f"${total:.2f}"
    foot = [Field(label(rng, language, "Physician"), visit.doctor),
            Field(label(rng, language, "Pharmacist"), visit.reviewer),
            Field(phrase(rng, language, "amount"), amount)]
    y_foot = y
    y = footer(page, rng, frame, y, foot)
    finish(page, rng, frame, y, language, visit.hospital, False)
    stamped = rng.random() < 0.5
    if stamped:
        r = t.body.size * rng.uniform(3.0, 4.0)
        decor.stamp(page, frame.margin + r * 3, y_foot + r * 0.5, r, visit.hospital, t.body, rng)

    gt = gt_of(head)
    gt["Treatment Recommendations"] = "\n".join(line for line, _ in lines)
    return Built(page, gt, {"template": "prescription", "drugs": len(drugs), "stamp": stamped})
