"""Benchmark of the synthetic document generator: speed and OCR realism.

    python bench/bench_synth.py [--n 20] [--speed-n 20] [--sroie DIR] [--json OUT] [--speed-only]

Prints generation speed (documents per second, clean and photo) and the character error rate
(CER) of rapidocr on clean and photo documents and on the real SROIE receipts
(``/work/shared/data/sroie-dev``: their ``box/*.csv`` lines are the reference OCR).

CER: OCR lines and reference lines are both put in reading order (rows by vertical centre,
then left to right: ``medvie_synth.canvas.reading_order``) and joined; both texts are NFKC,
casefolded and stripped of whitespace; CER = Levenshtein distance / reference length. For
photos the boxes of both sides are first mapped back onto the flat page (``meta
["page_to_image"]``), so that the rotation of the photo does not reorder lines: what is left is
recognition and detection error (the SROIE scans are upright already). Text the gold OCR leaves
out on purpose (watermarks, stamps) counts as insertions. rapidocr runs with
``Global.use_cls: False``. Needs ``pip install rapidocr onnxruntime``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from medvie_synth.canvas import Segment, reading_order
from medvie_synth.capture import map_boxes
from medvie_synth.generate import generate_document

SROIE = Path("/work/shared/data/sroie-dev")
SOURCES = (("lab", "en"), ("lab", "zh"), ("receipt", "en"))


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def ordered_text(items: list[tuple[str, tuple[float, float, float, float]]],
                 image_to_page: np.ndarray | None = None) -> str:
    """Lines in reading order; ``image_to_page`` first maps photo boxes back onto the page."""
    items = [(t, b) for t, b in items if t.strip()]
    if image_to_page is not None:
        boxes = map_boxes([b for _, b in items], image_to_page)
        items = [(t, b) for (t, _), b in zip(items, boxes, strict=False)]
    return "\n".join(s.text for s in reading_order([Segment(t, b) for t, b in items]))


def cer(hypothesis: str, reference: str) -> float:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalise(reference), normalise(hypothesis)
    return Levenshtein.distance(hyp, ref) / max(1, len(ref))


class Ocr:
    def __init__(self) -> None:
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        from rapidocr import RapidOCR

        self.engine = RapidOCR(params={"Global.use_cls": False})

    def __call__(self, image, image_to_page: np.ndarray | None = None) -> str:
        out = self.engine(np.asarray(image.convert("RGB"))[:, :, ::-1].copy())
        if out.txts is None:
            return ""
        items = []
        for text, quad in zip(out.txts, out.boxes, strict=False):
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            items.append((text, (min(xs), min(ys), max(xs), max(ys))))
        return ordered_text(items, image_to_page)


def speed(n: int) -> dict[str, float]:
    out = {}
    for variant in ("clean", "photo"):
        start = time.perf_counter()
        count = 0
        for kind, language in SOURCES:
            for i in range(n):
                generate_document(kind, language, variant, 12345, i)
                count += 1
        out[variant] = count / (time.perf_counter() - start)
    return out


def synth_cer(ocr: Ocr, n: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for kind, language in SOURCES:
        for variant in ("clean", "photo"):
            scores = []
            for i in range(n):
                image, _, lines, meta = generate_document(kind, language, variant, 777, i)
                back = None
                if "page_to_image" in meta:
                    back = np.linalg.inv(np.array(meta["page_to_image"]).reshape(3, 3))
                reference = ordered_text([(ln.text, ln.box) for ln in lines], back)
                scores.append(cer(ocr(image, back), reference))
            results[f"{kind}-{language}-{variant}"] = summary(scores)
    return results


def sroie_cer(ocr: Ocr, folder: Path, n: int | None) -> dict[str, float]:
    from PIL import Image

    scores = []
    for box_file in sorted((folder / "box").glob("*.csv"))[:n]:
        items = []
        for row in box_file.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = row.split(",", 8)
            if len(parts) < 9:
                continue
            xs, ys = [float(v) for v in parts[0:8:2]], [float(v) for v in parts[1:8:2]]
            items.append((parts[8], (min(xs), min(ys), max(xs), max(ys))))
        image = Image.open(folder / "img" / f"{box_file.stem}.jpg")
        scores.append(cer(ocr(image), ordered_text(items)))
    return summary(scores)


def summary(scores: list[float]) -> dict[str, float]:
    return {"n": len(scores), "mean": round(statistics.fmean(scores), 4),
            "median": round(statistics.median(scores), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="documents per source and variant")
    parser.add_argument("--speed-n", type=int, default=20, help="documents per source for speed")
    parser.add_argument("--sroie", type=Path, default=SROIE)
    parser.add_argument("--sroie-n", type=int, default=None, help="receipts (default: all)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--speed-only", action="store_true", help="skip the OCR measurements")
    args = parser.parse_args()

    figures: dict[str, object] = {}
    rates = speed(args.speed_n)
    figures["docs_per_second"] = {k: round(v, 2) for k, v in rates.items()}
    print("generation speed (lab-en, lab-zh, receipt; one process):")
    for variant, rate in rates.items():
        print(f"  {variant:5s} {rate:6.2f} docs/s")

    if args.speed_only:
        return 0
    ocr = Ocr()
    print(f"rapidocr CER, reading order, {args.n} documents each:")
    figures["cer"] = synth_cer(ocr, args.n)
    for name, s in figures["cer"].items():  # type: ignore[union-attr]
        print(f"  {name:22s} mean {s['mean']:.3f}  median {s['median']:.3f}")
    if (args.sroie / "box").is_dir():
        s = sroie_cer(ocr, args.sroie, args.sroie_n)
        figures["cer"]["sroie-real"] = s  # type: ignore[index]
        print(f"  {'sroie-real (' + str(s['n']) + ')':22s} mean {s['mean']:.3f}  "
              f"median {s['median']:.3f}")
    else:
        print(f"  (no SROIE folder at {args.sroie})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
