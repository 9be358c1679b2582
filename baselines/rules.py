"""A rules baseline: key/value pairs from a document's OCR text, with no model.

It is the floor every real model must beat. Three kinds of evidence, in order:
1. printed labels followed by a colon (``Name: …``, ``科别：…``; several per line), using the
   label table in ``rules_aliases.yaml`` plus the schema's own key;
2. value shapes for fields that have none: dates, amounts on "total" lines, a company line (legal
   suffix) and the address lines after it;
3. for a list of objects (lab indicators): table rows of name, value, optional arrow, unit and
   reference range.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from benchmark.models.base import Generation
from benchmark.models.spec import ModelSpec
from benchmark.models.weights import source_files
from benchmark.prompts import Prompt
from benchmark.scoring.keys import queried_fields
from benchmark.tasks.spec import FieldSpec

_DATE = re.compile(
    r"\b(\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{2,4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)",
    re.I,
)
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})")
_COMPANY = re.compile(
    r"\b(SDN\.?\s*BHD|BHD|ENTERPRISE|TRADING|RESTAURANT|LTD|LIMITED|CO\.|COMPANY|STORE|MART|有限公司)\b", re.I
)
_ADDRESS_END = re.compile(r"(TEL|PHONE|FAX|GST|INVOICE|RECEIPT|DATE|CASHIER|REG|\d{1,2}[-/]\d{1,2}[-/]\d{2,4})", re.I)
_ROW = re.compile(
    r"^(?P<name>[^\d↑↓]{1,40}?)\s+(?P<value>[<>]?[-+]?\d+(?:\.\d+)?)\s*(?P<mark>[↑↓HL])?\s*"
    r"(?P<unit>[^\s\d][^\s]*)?\s*(?P<range>[<>]?\d+(?:\.\d+)?\s*[-~–]\s*\d+(?:\.\d+)?)?\s*$"
)


@lru_cache(maxsize=1)
def _aliases() -> dict[str, list[str]]:
    data = yaml.safe_load((Path(__file__).with_name("rules_aliases.yaml")).read_text(encoding="utf-8"))
    return {k: [str(a) for a in v] for k, v in data.items()}


def _label_pattern(fields: list[FieldSpec]) -> tuple[re.Pattern[str], dict[str, str]]:
    label_to_key: dict[str, str] = {}
    for f in fields:
        for alias in [f.key, *_aliases().get(f.key, [])]:
            label_to_key.setdefault(alias.casefold(), f.key)
    labels = sorted(label_to_key, key=len, reverse=True)
    pattern = re.compile(r"(?:^|(?<=\s))(" + "|".join(re.escape(lbl) for lbl in labels) + r")\s*[:：]", re.I)
    return pattern, label_to_key


def labelled_values(lines: list[str], fields: list[FieldSpec]) -> dict[str, str]:
    pattern, label_to_key = _label_pattern(fields)
    found: dict[str, str] = {}
    for line in lines:
        hits = list(pattern.finditer(line))
        for i, hit in enumerate(hits):
            end = hits[i + 1].start() if i + 1 < len(hits) else len(line)
            value = line[hit.end() : end].strip(" \t;,")
            key = label_to_key[hit.group(1).casefold()]
            if value and key not in found:
                found[key] = value
    return found


def _company_and_address(lines: list[str]) -> tuple[str | None, str | None]:
    for i, line in enumerate(lines[:12]):
        if _COMPANY.search(line):
            address: list[str] = []
            for nxt in lines[i + 1 : i + 8]:
                if _ADDRESS_END.search(nxt) or nxt.strip().startswith("("):
                    if address:
                        break
                    continue
                address.append(nxt.strip())
            return line.strip(), " ".join(address) or None
    return None, None


def _total(lines: list[str]) -> str | None:
    best = None
    for line in lines:
        low = line.casefold()
        if "total" in low and "sub" not in low and "qty" not in low:
            amounts = _AMOUNT.findall(line)
            if amounts:
                best = amounts[-1]
    if best is None:
        for i, line in enumerate(lines[:-1]):
            if "total" in line.casefold() and not _AMOUNT.search(line):
                amounts = _AMOUNT.findall(lines[i + 1])
                if amounts:
                    best = amounts[-1]
    return best.replace(",", "") if best else None


def table_rows(lines: list[str], item_fields: list[FieldSpec]) -> list[dict[str, str]]:
    keys = [f.key for f in item_fields]
    if len(keys) < 2:
        return []
    name_k, value_k = keys[0], keys[1]
    rest = dict(zip(("unit", "range", "mark"), keys[2:5], strict=False))
    rows = []
    for line in lines:
        m = _ROW.match(line.strip())
        if not m or _DATE.search(line):
            continue
        row = {name_k: m.group("name").strip(), value_k: m.group("value")}
        for group, key in rest.items():
            if m.group(group):
                row[key] = m.group(group).strip()
        rows.append(row)
    return rows


def extract(text: str, fields: list[FieldSpec]) -> dict[str, Any]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    out: dict[str, Any] = dict(labelled_values(lines, fields))
    company, address = _company_and_address(lines)
    for f in fields:
        if f.key in out:
            continue
        key = f.key.casefold()
        if f.type == "list" and f.fields:
            rows = table_rows(lines, f.fields)
            if rows:
                out[f.key] = rows
        elif f.type == "date" or "date" in key or "time" in key:
            m = _DATE.search(text)
            if m:
                out[f.key] = m.group(1)
        elif "total" in key:
            total = _total(lines)
            if total:
                out[f.key] = total
        elif key == "company" and company:
            out[f.key] = company
        elif key == "address" and address:
            out[f.key] = address
    return out


class RulesAdapter:
    """Adapter wrapper: OCR text in, JSON text out (queried keys only)."""

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """Its code, fingerprinted in each run like a model's weights (``source_files``)."""
        return source_files(Path(__file__).parent, "rules.py", "rules_aliases.yaml")

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    async def generate(self, prompt: Prompt) -> Generation:
        import json

        start = time.perf_counter()
        text = prompt.document.ocr or ""
        result = extract(text, queried_fields(prompt.task.fields, prompt.queried_keys))
        return Generation(raw=json.dumps(result, ensure_ascii=False), latency_s=time.perf_counter() - start)

    async def aclose(self) -> None:
        return None
