"""Synthetic documents for medvie-bench: medical reports (lab, imaging, pathology,
prescription; English and Chinese) and general receipts/tickets, rendered flat (``clean``) or
photographed (``photo``), with exact ground truth and gold OCR lines.

    from benchmark.synth import generate_document, load_split
    image, gt, ocr_lines, meta = generate_document("lab", "zh", "photo", seed=0, index=3)

Fonts come from Debian packages: ``apt-get install -y fonts-noto-cjk fonts-dejavu-core
fonts-liberation`` (see ``benchmark.synth.fonts``).
"""

from benchmark.synth.cache import load_split
from benchmark.synth.export import to_hf_dataset, to_jsonl
from benchmark.synth.fonts import FontNotFoundError, check_fonts
from benchmark.synth.generate import GENERATOR_VERSION, VARIANTS, generate_document
from benchmark.synth.kinds import KINDS, MEDICAL_KINDS

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
