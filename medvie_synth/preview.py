"""Contact sheets: document thumbnails with their ground truth printed beside them."""

from __future__ import annotations

import json
from typing import Any

from PIL import Image, ImageDraw

from benchmark.documents import Document
from medvie_synth.canvas import Style
from medvie_synth.layout import wrap

TEXT = Style("Noto Sans CJK SC", 15)
TITLE = Style("Noto Sans CJK SC", 17, bold=True)


def gt_lines(gt: dict[str, Any]) -> list[str]:
    """Ground truth as readable lines: ``key: value``, list items as ``- a | b | c``."""
    out: list[str] = []
    for key, value in gt.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append(f"{key}: {len(value)} items")
            out += ["  - " + " | ".join(str(v) for v in item.values()) for item in value]
        elif isinstance(value, dict):
            out.append(f"{key}: " + json.dumps(value, ensure_ascii=False))
        else:
            out.append(f"{key}: {str(value).replace(chr(10), ' / ')}")
    return out


NEUTRAL = {"flat", "page", "none", "0", "1", "photo", "low"}  # condition values not worth a word
SHOWN = ("capture", "crop", "table_groups", "rotation", "perspective", "warp", "blur", "noise",
         "abnormal_mark", "text_height")


def condition_line(conditions: dict[str, Any]) -> str:
    """The document's notable conditions in one line: ``fax · crop table · table_groups 2 ·
    section_rows · stamp``."""
    words = []
    for key in SHOWN:
        value = conditions.get(key)
        if value is not None and str(value) not in NEUTRAL:
            words.append(str(value) if key == "capture" else f"{key} {value}")
    words += [k for k, v in conditions.items() if v is True and k not in ("grayscale",)]
    return " · ".join(words)


def _cell(doc: Document, thumb: tuple[int, int], text_width: int) -> Image.Image:
    tw, th = thumb
    cell = Image.new("RGB", (tw + text_width + 30, th + 40), (255, 255, 255))
    draw = ImageDraw.Draw(cell)
    draw.text((10, 6), doc.id, font=TITLE.font(), fill=(0, 0, 0))
    if doc.image:
        with Image.open(doc.image) as img:
            img = img.convert("RGB")
            img.thumbnail((tw, th), Image.Resampling.LANCZOS)
            cell.paste(img, (10, 34))
            draw.rectangle([10, 34, 10 + img.width, 34 + img.height], outline=(160, 160, 160))
    x, y = tw + 22, 34
    step = TEXT.size + 4
    font = TEXT.font()
    head = [f"[{condition_line(doc.conditions)}]"] if doc.conditions else []
    for line in head + gt_lines(doc.gt):
        for part in wrap(line, TEXT, text_width - 8) or [""]:
            if y + step > th + 34:
                draw.text((x, y), "…", font=font, fill=(120, 120, 120))
                return cell
            colour = ((30, 30, 30) if not part.startswith(("  - ", "[")) else
                      (40, 70, 140) if part.startswith("  - ") else (150, 60, 20))
            draw.text((x, y), part, font=font, fill=colour)
            y += step
    return cell


def contact_sheet(docs: list[Document], columns: int = 2, thumb: tuple[int, int] = (520, 700),
                  text_width: int = 560, title: str = "") -> Image.Image:
    """A grid of documents, each with its ground truth to the right."""
    cells = [_cell(d, thumb, text_width) for d in docs]
    if not cells:
        raise ValueError("no documents to preview")
    cw, ch = cells[0].size
    rows = (len(cells) + columns - 1) // columns
    head = 44 if title else 0
    sheet = Image.new("RGB", (cw * min(columns, len(cells)), ch * rows + head), (235, 235, 235))
    if title:
        ImageDraw.Draw(sheet).text((12, 10), title, font=TITLE.but(size=22).font(), fill=(0, 0, 0))
    for i, cell in enumerate(cells):
        sheet.paste(cell, ((i % columns) * cw, head + (i // columns) * ch))
        ImageDraw.Draw(sheet).rectangle(
            [(i % columns) * cw, head + (i // columns) * ch, (i % columns + 1) * cw - 1,
             head + (i // columns + 1) * ch - 1], outline=(200, 200, 200))
    return sheet
