"""Synthetic documents for medvie-bench: medical reports (lab, imaging, pathology,
prescription; English and Chinese) and general receipts/tickets, rendered flat (``clean``) or
photographed (``photo``), with exact ground truth and gold OCR lines.

    from medvie_synth import generate_document, load_split
    image, gt, ocr_lines, meta = generate_document("lab", "zh", "photo", seed=0, index=3)

Fonts come from Debian packages: ``apt-get install -y fonts-noto-cjk fonts-dejavu-core
fonts-liberation`` (see ``medvie_synth.fonts``).
"""

from importlib import import_module
from typing import Any

# imported on first use: importing any medvie_synth submodule (the CLI's) runs this file
_LAZY = {
    "load_split": "cache", "to_hf_dataset": "export", "to_jsonl": "export",
    "FontNotFoundError": "fonts", "check_fonts": "fonts",
    "GENERATOR_VERSION": "generate", "VARIANTS": "generate", "generate_document": "generate",
    "KINDS": "kinds", "MEDICAL_KINDS": "kinds",
}

__all__ = [
    "GENERATOR_VERSION",
    "KINDS",
    "MEDICAL_KINDS",
    "VARIANTS",
    "FontNotFoundError",
    "check_fonts",
    "generate_document",
    "load_split",
    "to_hf_dataset",
    "to_jsonl",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"medvie_synth.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'medvie_synth' has no attribute {name!r}")
