"""The ``butting_groups`` class of the real variant (issue #15): table groups printed with no white
gap between them, so OCR runs the right-aligned last column of one group into the first column of
the next. Switchable, deterministic, drawn from its own stream (pages without it stay as they
were), recorded in the conditions; and the layout extractor's cut (``baselines/layout/butting.py``)
reads such a page better than without it.
"""

from __future__ import annotations

import itertools
import random

import pytest

from baselines.layout import analyse
from baselines.layout_rules import extract_layout
from benchmark.documents import Document, OcrLine
from benchmark.scoring import prf, score_document
from benchmark.tasks.registry import TaskRegistry
from medvie_synth.canvas import Segment
from medvie_synth.fonts import APT_COMMAND, check_fonts
from medvie_synth.real_options import CLASSES

pytestmark = pytest.mark.skipif(bool(check_fonts()), reason=f"fonts missing: {APT_COMMAND}")

TOUCHING = 0.45  # white between two printed cells (in body text heights) under which OCR joins them


def _classes(**on: float) -> dict:
    return {"classes": {**dict.fromkeys(CLASSES, 0.0), "table_groups": 1.0, **on}}


def _build(language: str, index: int, butting: float, own_seed: int | None = None):
    from medvie_synth.kinds import lab_real
    from medvie_synth.seeding import class_rng, content_rng

    own = {"butting_groups": class_rng("butting_groups", "lab", language, own_seed or 41, index)}
    return lab_real.build(content_rng("lab", language, 41, index), language, _classes(butting_groups=butting), own)


def run_together(segments: list[Segment], size: float, touching: float = TOUCHING) -> list[OcrLine]:
    """The boxes OCR returns for printed segments: neighbours on one text line with less than
    ``touching`` text heights of paper between them become one box (texts joined by a space)."""
    rows: list[list[Segment]] = []
    for s in sorted(segments, key=lambda s: ((s.box[1] + s.box[3]) / 2, s.box[0])):
        cy = (s.box[1] + s.box[3]) / 2
        row = next((r for r in rows if abs((r[0].box[1] + r[0].box[3]) / 2 - cy) < size * 0.5), None)
        if row is None:
            rows.append([s])
        else:
            row.append(s)
    out: list[OcrLine] = []
    for row in rows:
        row.sort(key=lambda s: s.box[0])
        text, box = row[0].text, list(row[0].box)
        for s in row[1:]:
            if s.box[0] - box[2] < touching * size:
                text, box = f"{text} {s.text}", [box[0], min(box[1], s.box[1]), s.box[2], max(box[3], s.box[3])]
            else:
                out.append(OcrLine(text=text, box=tuple(box)))  # type: ignore[arg-type]
                text, box = s.text, list(s.box)
        out.append(OcrLine(text=text, box=tuple(box)))  # type: ignore[arg-type]
    return out


def spanning(lines: list[OcrLine], built) -> list[str]:
    """Boxes that run across the boundary between two table groups (the page's group regions)."""
    size = built.meta["body_px"]
    bounds = [right for _, right in built.meta["regions"]["groups"][:-1]]
    top, bottom = built.meta["regions"]["table"][1], built.meta["regions"]["table"][3]
    return [ln.text for ln in lines for b in bounds if top < (ln.box[1] + ln.box[3]) / 2 < bottom
            and ln.box[0] < b - size and ln.box[2] > b + size]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_butting_groups_print_the_groups_touching_and_say_so(language):
    on = [_build(language, i, 1.0) for i in range(4)]
    off = [_build(language, i, 0.0) for i in range(4)]
    for a, b in zip(on, off, strict=True):
        assert a.gt == b.gt, "the class changes where the groups sit, not what is printed"
        groups = a.meta["layout"]["table_groups"]
        assert a.meta["layout"]["butting_groups"] is (groups > 1)
        assert b.meta["layout"]["butting_groups"] is False
    joined_on = [spanning(run_together(b.page.segments, b.meta["body_px"]), b) for b in on]
    joined_off = [spanning(run_together(b.page.segments, b.meta["body_px"]), b) for b in off]
    assert sum(map(len, joined_on)) >= 4, joined_on
    assert not any(joined_off), joined_off


def test_butting_is_drawn_from_its_own_stream():
    """Switching the class leaves every other draw alone: a page drawn without it is the page of
    the variant's first version, and its own stream decides only where it applies."""
    from medvie_synth import generate_document
    from medvie_synth.conditions import conditions_of

    seen = {True: 0, False: 0}
    for index in range(6):
        image, gt, lines, meta = generate_document("lab", "zh", "real", 111, index)
        again = generate_document("lab", "zh", "real", 111, index)
        assert image.tobytes() == again[0].tobytes() and lines == again[2]
        butting = conditions_of(meta)["butting_groups"]
        seen[butting] += 1
        if not butting:
            off = generate_document("lab", "zh", "real", 111, index, {"classes": {"butting_groups": 0.0}})
            assert off[0].tobytes() == image.tobytes() and off[1] == gt
    assert seen[True] and seen[False]
    a, b = _build("zh", 0, 1.0, own_seed=1), _build("zh", 0, 1.0, own_seed=2)
    assert a.gt == b.gt and a.page.image.tobytes() != b.page.image.tobytes()


def test_the_class_is_listed_with_its_default_and_in_the_tasks():
    assert CLASSES["butting_groups"][0] == 0.5
    reg = TaskRegistry()
    for task in ("med-lab-zh-real", "med-lab-en-real"):
        assert reg.get(task).source.options["classes"]["butting_groups"] == 0.5  # type: ignore[union-attr]
    rng = random.Random(3)
    from medvie_synth.kinds.lab_real import NO_BUTTING, draw_butting

    assert draw_butting(None, 1.0) is NO_BUTTING
    assert draw_butting(rng, 1.0).on and not draw_butting(rng, 0.0).on


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_layout_extractor_cuts_boxes_across_butting_groups(language):
    """On a generated butting page whose touching cells ran together, the cut at the group
    boundary reads more of the table than the page read as OCR gave it."""
    fields = TaskRegistry().get(f"med-lab-{language}-real").fields
    better = 0
    for index in range(7):  # real variant 3: on EN pages 0-5 no box the cut helps spans the boundary
        built = _build(language, index, 1.0)
        lines = run_together(built.page.segments, built.meta["body_px"])
        if not spanning(lines, built):
            continue
        doc = Document(id="t", gt={"Indicators": built.gt["Indicators"]}, ocr_lines=lines)
        f1 = {}
        for cuts in (0, 2):
            pred = extract_layout(doc, fields, analyse(lines, max_cuts=cuts))
            counts = score_document(doc.gt, {"Indicators": pred.get("Indicators", [])})
            f1[cuts] = prf(counts.tp, counts.fp, counts.fn)[2]
        assert f1[2] >= f1[0], (index, f1)
        better += f1[2] > f1[0]
    assert better >= 1


def _paper_between_groups(built) -> list[float]:
    """Per group boundary, the least paper (body text heights; negative: overlap) between a text
    of the left group and a text of the right group printed on the same row."""
    spans, size = built.meta["regions"]["groups"], built.meta["body_px"]
    out = []
    for (l0, l1), (r0, r1) in itertools.pairwise(spans):
        rows: dict[int, tuple[list[float], list[float]]] = {}
        for s in built.page.segments:
            cx, row = (s.box[0] + s.box[2]) / 2, round((s.box[1] + s.box[3]) / 2 / size)
            if l0 <= cx < l1:
                rows.setdefault(row, ([], []))[0].append(s.box[2])
            elif r0 <= cx < r1:
                rows.setdefault(row, ([], []))[1].append(s.box[0])
        out.append(min(min(r) - max(left) for left, r in rows.values() if left and r) / size)
    return out


def test_a_share_of_butting_pages_print_the_groups_texts_touching(monkeypatch):
    """Tight prints (the RJUA page whose neighbouring titles' OCR boxes overlap): on a share of the
    butting pages the texts of neighbouring groups touch or overlap a little. Deterministic,
    recorded as ``touching_groups``, drawn after the class's first draws (a butting page that does
    not touch is the page of real variant 2)."""
    from medvie_synth.kinds import lab_real

    drawn = [_build("zh", i, 1.0) for i in range(10)]
    touching = [b.meta["layout"]["touching_groups"] for b in drawn]
    assert touching == [_build("zh", i, 1.0).meta["layout"]["touching_groups"] for i in range(10)]
    assert any(touching) and not all(touching)
    assert all(b.meta["layout"]["butting_groups"] for b in drawn if b.meta["layout"]["touching_groups"])
    monkeypatch.setattr(lab_real, "TOUCH_SHARE", 1.0)
    tight = [_build("en", i, 1.0) for i in range(4)]
    monkeypatch.setattr(lab_real, "TOUCH_SHARE", 0.0)
    loose = [_build("en", i, 1.0) for i in range(4)]
    for a, b in zip(tight, loose, strict=True):
        assert a.gt == b.gt and a.meta["layout"]["touching_groups"] and not b.meta["layout"]["touching_groups"]
        assert all(x < y for x, y in zip(_paper_between_groups(a), _paper_between_groups(b), strict=True))
    assert min(g for a in tight for g in _paper_between_groups(a)) < 0.04


def test_the_touching_share_keeps_the_first_draws_of_the_class():
    from medvie_synth.kinds.lab_real import draw_butting

    for seed in range(20):
        old = random.Random(seed)
        u, overlap, rule = old.random(), old.uniform(1.2, 1.8), old.random() < 0.5  # real variant 2
        new = draw_butting(random.Random(seed), 0.5)
        assert (new.on, new.rule) == (u < 0.5, rule)
        assert new.touch or new.overlap == overlap
        assert not new.touch or (new.on and 1.9 <= new.overlap <= 2.4)
