"""The failure classes of the ``real`` variant and how often each occurs (``source.options.classes``).

Each class is a probability per document in [0, 1]: 0 switches it off, 1 puts it on every
document where it can occur. A task lists the classes it changes; the rest keep these defaults.
The defaults are estimates of how often each class shows up in phone photos of Chinese hospital
lab reports (the 24 held-out photos of issue #15 and the RJUA-MedDQA samples' image types), not
measurements; ``docs/synth.md`` states them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# class -> (default probability, what it does)
CLASSES: dict[str, tuple[float, str]] = {
    # what is printed (content)
    "table_groups": (0.55, "two (3 in 10 of these: three) table groups side by side, each with its "
                           "own header row, row numbers continuing across them"),
    "butting_groups": (0.5, "with several groups: no white gap between them (a thin rule or "
                            "nothing), each group's last column right-aligned, so it touches the "
                            "next group's first column and OCR reads both as one box"),
    "mixed_columns": (0.5, "with several groups: the groups' column sets and header words differ"),
    "section_rows": (0.35, "section title rows inside the table (尿干化学分析 (NGHX), 尿沉渣定量)"),
    "qualitative": (0.4, "a urine or stool report: 阴性, 阳性(+), 1+, ±, 微量, 淡黄色, 清亮, ranges "
                         "like <8, 0-5 /HP, 阴性"),
    "bilingual_names": (0.3, "item names in two languages in one cell (颜色 (COLOR), 白细胞计数 WBC)"),
    "abbreviation_column": (0.3, "an abbreviation column between name and result"),
    "mark_glyph": (0.5, "↑ / ↓ / H / L printed as a separate small glyph between result and range"),
    "stamp": (0.35, "a red ink stamp over the footer"),
    "signature": (0.45, "a handwritten-like signature over the footer"),
    # how it is captured
    "tight_crop": (0.3, "a photo cropped tightly to the table (no margins, no title), "
                        "1280x720 to 1920x1080"),
    "fax": (0.15, "faxed or photocopied: grayscale, heavy dark noise, black borders"),
    "screen": (0.12, "a photo of a screen (moiré bands, dark bezel)"),
    "warp": (0.4, "paper curl: text lines bend (photos only)"),
}


def default_classes() -> dict[str, float]:
    return {name: p for name, (p, _) in CLASSES.items()}


def real_classes(options: Mapping[str, Any]) -> dict[str, float]:
    """Every class's probability: the defaults updated by ``options["classes"]``; ``ValueError``
    naming the offending entry otherwise."""
    raw = options.get("classes", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"options.classes must be a mapping of class: probability, got {type(raw).__name__}")
    out = default_classes()
    for name, p in raw.items():
        if name not in CLASSES:
            raise ValueError(f"options.classes.{name}: unknown class; known: {', '.join(CLASSES)}")
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= float(p) <= 1:
            raise ValueError(f"options.classes.{name}: a probability between 0 and 1, got {p!r}")
        out[name] = float(p)
    return out


def check_synth_options(kind: str, variant: str, options: Mapping[str, Any]) -> None:
    """The real variant's own option: ``classes`` (validated); it exists for lab reports only."""
    if variant == "real":
        if kind != "lab":
            raise ValueError(f"variant 'real' exists for kind 'lab' only, not {kind!r}")
        real_classes(options)
    elif "classes" in options:
        raise ValueError("options.classes applies to variant 'real' only")
