"""One document from its coordinates: render the flat page, then (photo) photograph it, or
(real) draw it with the failure classes of real photos and capture it (``medvie_synth.real``)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from benchmark.documents import OcrLine
from medvie_synth.canvas import reading_order
from medvie_synth.capture import capture, draw_severity
from medvie_synth.kinds import builder
from medvie_synth.seeding import capture_rng, content_rng

GENERATOR_VERSION = "1"
VARIANTS = ("clean", "photo", "real")
# variants younger than GENERATOR_VERSION carry their own version, so that changing one changes
# its splits' identity (and run cache keys) without touching the others'
VARIANT_VERSIONS = {"real": "3"}  # real 2: butting_groups; 3: its touching share


def generator_version(variant: str) -> str:
    """The version that identifies a variant's documents (in split hashes and cache folders)."""
    own = VARIANT_VERSIONS.get(variant)
    return f"{GENERATOR_VERSION}.{variant}{own}" if own else GENERATOR_VERSION


def generate_document(
    kind: str, language: str, variant: str, seed: int, index: int,
    options: dict[str, Any] | None = None,
) -> tuple[Image.Image, dict[str, Any], list[OcrLine], dict[str, Any]]:
    """``(image, gt, ocr_lines, meta)``; the same arguments give the same result. The clean and
    photo variants of a document print the same content (same ``gt``).

    Options: ``severity`` (number or ``[lo, hi]``, photo and real; default uniform 0.15-1),
    ``panel`` (lab: cbc, metabolic, liver, renal, lipid, urine), ``min_rows``/``max_rows`` (lab),
    ``classes`` (real: the failure classes' probabilities, see ``real_options.CLASSES``).
    """
    options = dict(options or {})
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if variant == "real":
        return _real(kind, language, seed, index, options)
    built = builder(kind, language)(content_rng(kind, language, seed, index), language, options)
    segments = reading_order(built.page.segments)
    boxes = [s.box for s in segments]
    meta: dict[str, Any] = {"kind": kind, "language": language, "variant": variant, "seed": seed,
                            "index": index, "generator_version": GENERATOR_VERSION, **built.meta}
    image = built.page.image
    if variant == "photo":
        rng = capture_rng(kind, language, seed, index)
        shot = capture(image, boxes, rng, draw_severity(rng, options))
        image, boxes = shot.image, shot.boxes
        meta.update(shot.meta)
    lines = [OcrLine(text=s.text, box=tuple(round(v, 1) for v in b))  # type: ignore[arg-type]
             for s, b in zip(segments, boxes, strict=False)]
    return image, built.gt, lines, meta


def _real(kind: str, language: str, seed: int, index: int, options: dict[str, Any]
          ) -> tuple[Image.Image, dict[str, Any], list[OcrLine], dict[str, Any]]:
    from medvie_synth.real import real_document

    image, gt, segments, boxes, extra = real_document(kind, language, seed, index, options)
    meta: dict[str, Any] = {"kind": kind, "language": language, "variant": "real", "seed": seed,
                            "index": index, "generator_version": generator_version("real"), **extra}
    lines = [OcrLine(text=s.text, box=tuple(round(v, 1) for v in b))  # type: ignore[arg-type]
             for s, b in zip(segments, boxes, strict=True)]
    return image, gt, lines, meta
