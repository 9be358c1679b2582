"""Shared fixtures: an isolated cache and small real task folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path_factory.getbasetemp() / "medvie-cache"
    monkeypatch.setenv("MEDVIE_CACHE", str(cache))
    monkeypatch.delenv("MEDVIE_INCLUDE_PATH", raising=False)
    monkeypatch.delenv("MEDVIE_MODEL_PATH", raising=False)


def write_task(folder: Path, name: str, docs: list[dict], **overrides: object) -> Path:
    """A JSONL task in ``folder`` (manifest + YAML); returns the YAML path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    keys = sorted({k for d in docs for k in d["gt"]})
    lines = [
        f"name: {name}",
        "version: 1",
        "tags: [general, test]",
        "language: en",
        "source:",
        "  type: jsonl",
        "  splits:",
        f"    test: {name}.jsonl",
        "fields:",
    ]
    for k in keys:
        lines += [f"  - key: {k}", f"    description: the {k}"]
    for k, v in overrides.items():
        lines.append(f"{k}: {json.dumps(v)}")
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def receipts_docs() -> list[dict]:
    """Small receipts with OCR text, enough for the rules baseline to do real work."""
    docs = []
    for i in range(12):
        total = f"{10 + i * 3}.{i % 10}0"
        docs.append(
            {
                "id": f"r{i:03d}",
                "gt": {"company": f"SHOP {i} SDN BHD", "date": f"0{1 + i % 9}-02-2019", "total": total},
                "ocr": f"SHOP {i} SDN BHD\nNO 1 JALAN {i}\nDATE: 0{1 + i % 9}-02-2019\nITEM A 1.00\nTOTAL {total}",
            }
        )
    return docs
