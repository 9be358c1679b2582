"""The conditions a synthetic document was made with, from its ``meta``: capture (rotation,
perspective, warp, crease, blur, noise, shadow, crop, grayscale/fax, moiré, stamp, signature) and,
for lab reports, the table layout. Continuous quantities are bucketed into readable levels so
that documents group by them (``benchmark.conditions``).

Every document of a kind gets the same keys: a flat page is ``capture: flat`` with rotation
``0`` and no noise, so a clean and a photo task can be grouped alike.
"""

from __future__ import annotations

from typing import Any

from benchmark.conditions import Conditions


def _rotation(angle: float) -> str:
    a = abs(angle)
    return "0" if a < 0.5 else "<3°" if a < 3 else "≥3°"


def _perspective(keystone: float) -> str:
    return "none" if keystone < 0.01 else "mild" if keystone < 0.04 else "strong"


def _warp(lines: float) -> str:
    """Largest bend of the text lines, in text-line heights."""
    return "none" if lines <= 0 else "mild" if lines < 0.7 else "strong"


def _creases(n: int) -> str:
    return "0" if n <= 0 else "1" if n == 1 else "2+"


def _blur(sigma: float, line_px: float) -> str:
    """Gaussian blur relative to the text height (the capture keeps it below a tenth)."""
    r = sigma / max(line_px, 1.0)
    return "low" if r < 0.035 else "mid" if r < 0.06 else "high"


def _noise(sigma: Any) -> str:
    if isinstance(sigma, str):
        return sigma
    return "low" if sigma < 4 else "mid" if sigma < 7 else "high"


def _text_height(line_px: float) -> str:
    return "<14px" if line_px < 14 else "14-20px" if line_px < 20 else "≥20px"


def _jpeg(quality: int) -> str:
    return "<50" if quality < 50 else "50-79" if quality < 80 else "≥80"


def _severity(s: float) -> str:
    return "low" if s < 0.4 else "mid" if s < 0.7 else "high"


def conditions_of(meta: dict[str, Any]) -> Conditions:
    """The document's conditions from the metadata ``generate_document`` returned."""
    variant = meta.get("variant", "clean")
    out: Conditions = {}
    if variant == "clean":
        out.update(capture="flat", severity="none", rotation="0", perspective="none", warp="none",
                   crease="0", blur="none", noise="none", shadow=False, crop="page", grayscale=False,
                   moire=False, jpeg="none")
    else:
        line_px = float(meta.get("line_px", 0.0))
        out.update(
            capture=str(meta.get("capture", "photo")), severity=_severity(float(meta["severity"])),
            rotation=_rotation(float(meta["angle"])), perspective=_perspective(float(meta.get("keystone", 0.0))),
            warp=_warp(float(meta.get("warp", 0.0))), crease=_creases(int(meta.get("creases", 0))),
            blur=_blur(float(meta["blur"]), line_px) if line_px else "none", noise=_noise(meta["noise"]),
            shadow=bool(meta.get("shadow", False)), crop=str(meta.get("crop", "page")),
            grayscale=bool(meta.get("grayscale", False)), moire=bool(meta.get("moire", False)),
            jpeg=_jpeg(int(meta["jpeg_quality"])))
        if line_px:
            out["text_height"] = _text_height(line_px)
    if "stamp" in meta:
        out["stamp"] = bool(meta["stamp"])
    if meta.get("kind") == "lab" or "signature" in meta:
        out["signature"] = bool(meta.get("signature", False))
    for key, value in (meta.get("layout") or {}).items():
        out[key] = value
    return out
