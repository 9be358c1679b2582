"""A deterministic extractor on OCR *boxes*: layout analysis, then the task schema filled from
the reconstructed tables and ``label: value`` pairs. No language model.

- scalar keys: printed labels (``baselines/rules_aliases.yaml`` via :mod:`baselines.rules`, plus
  :data:`baselines.layout.header.EXTRA_ALIASES`) outside the tables;
- a list of objects (lab indicators): the rows of every table found, each column mapped to the
  item key that names its role (item name, result, unit, reference range, abnormal mark, code);
  without any table header it falls back to :func:`baselines.rules.table_rows` on the visual lines;
- receipt keys (company, address, date, total) from the visual lines: the rules baseline's shape
  heuristics, fed lines in which a label and its amount printed side by side are one line.

Documents without boxes (text-only OCR) are split into one box per text line.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from baselines import BASELINES, rules
from baselines.layout import Layout, analyse
from baselines.layout.header import EXTRA_ALIASES, SECONDARY, all_labels, assign, header_pairs
from baselines.layout.table import Row
from benchmark.documents import Document, OcrLine
from benchmark.models.base import Generation
from benchmark.models.spec import ModelSpec
from benchmark.models.weights import source_files
from benchmark.prompts import Prompt
from benchmark.scoring.keys import queried_fields
from benchmark.tasks.spec import FieldSpec

_ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mark", ("mark", "flag", "abnormal", "提示", "标志", "异常")),
    ("reference", ("reference", "range", "interval", "参考", "正常值")),
    ("unit", ("unit", "单位")),
    ("code", ("abbr", "code", "缩写", "代号")),
    ("result", ("result", "value", "结果", "测定")),
    ("name", ("name", "item", "test", "analyte", "项目", "名称")),
)


def item_role(f: FieldSpec) -> str | None:
    """The table column role an item key asks for (by its key, then its description)."""
    for text in (f.key.casefold(), f.description.casefold()):
        for role, words in _ROLE_WORDS:
            if any(w in text for w in words):
                return role
    return None


def key_aliases(fields: list[FieldSpec]) -> dict[str, list[str]]:
    table = rules._aliases()
    out: dict[str, list[str]] = {}
    for f in fields:
        if f.type == "list" and f.fields:
            continue
        aliases = [f.key, *table.get(f.key, []), *EXTRA_ALIASES.get(f.key, ())]
        secondary = set(SECONDARY.get(f.key, ()))
        out[f.key] = [a for a in aliases if a.casefold() not in secondary]
    return out


_INSTITUTION = re.compile(
    r"医院|卫生院|中心|诊所|研究所|大学|学院|检验科|hospital|medical|clinic|centre|center|institute|university|"
    r"laborator|health|infirmary", re.I)
_REPORT_TITLE = re.compile(r"报告|报表|化验单|检验单|记录|report|results?$|^result|sheet|form", re.I)
_EXAM_NAME_KEY = re.compile(r"(exam|test|panel).*name|检验项目|检查项目|检查名称", re.I)


_PANEL_REPORT = re.compile(r"^(?P<name>.{2,16}?)\s*(?:检验|化验|检测|检查)?(?:报告单|报告|结果单|化验单|检验单)$|"
                           r"^(?P<en>.{4,40}?)\s+(?:test\s+)?report$", re.I)
_GENERIC_PANEL = re.compile(r"^(?:临床|医学|门诊|住院|急诊|检验|化验|检查|实验室|检验科|临床检验|医学检验|"
                            r"laboratory|lab|medical|clinical|test|pathology)$", re.I)


def _panel_of_title(text: str) -> str | None:
    """The panel a report title names (``血常规检验报告单`` → ``血常规``, ``Urinalysis Report`` →
    ``Urinalysis``); None for a generic title (``临床检验报告单``)."""
    m = _PANEL_REPORT.match(text)
    if not m:
        return None
    name = (m.group("name") or m.group("en") or "").strip()
    if not name or _GENERIC_PANEL.match(name) or _INSTITUTION.search(name):
        return None
    return name


def title_exam_name(layout: Layout) -> str | None:
    """A report's panel name printed as a subtitle in the title block (``血常规``, ``Urinalysis``):
    the last one-box line above the first labelled line that names neither an institution nor the
    report itself and carries no colon or number run; else the panel a report title names
    (:func:`_panel_of_title`)."""
    found = titled = None
    for line in layout.lines:
        text = line.text(" ").strip()
        if re.search(r"[:：]", text):
            break
        if len(line.boxes) != 1 or not 2 <= len(text) <= 40 or re.search(r"\d{3,}", text):
            continue
        if _INSTITUTION.search(text):
            continue
        if _REPORT_TITLE.search(text):
            titled = titled or _panel_of_title(text)
            continue
        found = text
    return found or titled


def ocr_boxes(doc: Document) -> list[OcrLine]:
    """The document's boxes, or one pseudo-box per text line when OCR came without boxes."""
    if doc.ocr_lines:
        return list(doc.ocr_lines)
    lines = [ln for ln in (doc.ocr or "").splitlines() if ln.strip()]
    return [OcrLine(text=t, box=(0.0, 30.0 * i, 10.0 * len(t), 30.0 * i + 20)) for i, t in enumerate(lines)]


def rows_to_items(rows: list[Row], item_fields: list[FieldSpec]) -> list[dict[str, str]]:
    roles = {f.key: item_role(f) for f in item_fields}
    has_code_key = "code" in roles.values()
    items = []
    for row in rows:
        item: dict[str, str] = {}
        for key, role in roles.items():
            if role is None:
                continue
            value = row.get(role)
            if role == "name" and not value and not has_code_key:
                value = row.get("code")
            if value:
                item[key] = value
        if item:
            items.append(item)
    return items


_AMOUNT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2})(?![\d])")
_TOTAL_BEST = re.compile(r"rounded|grand\s*total|nett?\s*total|amount\s*(?:due|payable)|"
                         r"total\s*(?:amount|amt|payable|due)|\bincl(?:\.|usive|uding)?\b", re.I)
_TOTAL = re.compile(r"\btotal\b|合计|总计", re.I)
_NOT_TOTAL = re.compile(r"sub\s*-?\s*total|qty|quantity|items?\b|discount|saving|excl|change|cash|tender|"
                        r"included\s*in", re.I)
_TAX = re.compile(r"\btax\b|\bgst\b|\bsst\b", re.I)
_GENERIC_TOP = re.compile(r"^(?:tax\s*invoice|invoice|receipt|official\s*receipt|cash\s*(?:sale|bill)|welcome|"
                          r"simplified\s*tax\s*invoice|bill|copy)\b", re.I)
_ADDRESS_SKIP = re.compile(r"company\s*no|co\.?\s*reg|reg\.?\s*no|formerly|licensee|www\.|http|@|gst\s*(?:id|reg)|"
                           r"^\(?\d{5,}-[a-z]\)?$", re.I)
_ADDRESS_END = re.compile(r"\b(?:tel|phone|fax|h/p|gst|invoice|receipt|date|cashier|table|bill|no\s*:)\b|"
                          r"\+?6?0\d-?\d{3,}", re.I)


def receipt_fields(layout: Layout) -> dict[str, str]:
    """company, address and total of a receipt from its visual lines (label and amount side by
    side are one line): the company is the first top line with a legal suffix, else the first
    top line of words; the address is the lines after it up to a phone/tax/date line; the total
    is the amount on (or under) the most specific total line."""
    rows = [line.text(" ").strip() for line in layout.lines]
    out: dict[str, str] = {}
    top = rows[:12]
    ci = next((i for i, r in enumerate(top) if rules._COMPANY.search(r)), None)
    if ci is None:
        ci = next((i for i, r in enumerate(top[:6]) if len(re.findall(r"[A-Za-z\u4e00-\u9fff]", r)) >= 0.6 * len(r)
                   and len(r) >= 4 and not _GENERIC_TOP.search(r)), None)
    if ci is not None:
        out["company"] = re.sub(r"\s*\(\d[\w-]*\)\s*$", "", rows[ci])
        parts: list[str] = []
        for r in rows[ci + 1 : ci + 8]:
            if _ADDRESS_SKIP.search(r) and not parts:
                continue
            if _ADDRESS_END.search(r) or rules._DATE.search(r) or _ADDRESS_SKIP.search(r):
                if parts:
                    break
                continue
            parts.append(r)
        if parts:
            out["address"] = " ".join(parts)
    best: tuple[int, int, str] | None = None
    for i, r in enumerate(rows):
        if not _TOTAL.search(r) or _NOT_TOTAL.search(r):
            continue
        rank = 2 if _TOTAL_BEST.search(r) else 0 if _TAX.search(r) else 1
        if not rank:
            continue
        amounts = _AMOUNT.findall(r)
        if not amounts and i + 1 < len(rows) and not _TOTAL.search(rows[i + 1]):
            amounts = _AMOUNT.findall(rows[i + 1])
        if amounts and (best is None or rank >= best[0]):
            best = (rank, i, amounts[-1].replace(",", ""))
    if best:
        out["total"] = best[2]
    return out


def _date_fallback(layout: Layout, fields: list[FieldSpec], out: dict[str, Any]) -> None:
    """Receipt-style keys through the rules baseline, on visual lines (label and value joined)."""
    wanted = [f for f in fields if f.key not in out and not (f.type == "list" and f.fields)]
    if not wanted:
        return
    text = "\n".join(line.text(" ") for line in layout.lines)
    found = rules.extract(text, wanted)
    if any(f.key.casefold() in ("company", "address", "total") for f in wanted):
        receipt = receipt_fields(layout)
        for f in wanted:
            if f.key.casefold() in receipt:
                found[f.key] = receipt[f.key.casefold()]
    for f in wanted:  # a labelled date keeps only the date ("Date: 12/01/19 10:17" → "12/01/19")
        if f.key in found and (f.type == "date" or "date" in f.key.casefold()):
            m = rules._DATE.search(str(found[f.key])) or rules._DATE.search(text)
            if m:
                found[f.key] = m.group(1)
    for f in wanted:
        value = found.get(f.key)
        if value and (f.type in ("date", "number") or re.search(r"date|total|company|address", f.key, re.I)):
            out[f.key] = value


def extract_layout(doc: Document, fields: list[FieldSpec], layout: Layout | None = None) -> dict[str, Any]:
    layout = layout or analyse(ocr_boxes(doc))
    aliases = key_aliases(fields)
    out: dict[str, Any] = {}
    if aliases:
        pairs = header_pairs(layout.lines, all_labels(aliases), skip_boxes=layout.table_box_ids)
        out.update(assign(pairs, aliases, {k: list(v) for k, v in SECONDARY.items()}))
    for f in fields:
        if f.type == "list" and f.fields:
            rows = [r for t in layout.tables for r in t.rows]
            items = rows_to_items(rows, f.fields)
            if not items and not layout.tables:
                items = rules.table_rows([ln.text(" ") for ln in layout.lines], f.fields)
            if items:
                out[f.key] = items
    for f in fields:
        if f.key not in out and f.type == "string" and _EXAM_NAME_KEY.search(f.key):
            name = title_exam_name(layout)
            if name:
                out[f.key] = name
    for f in fields:  # a labelled total is often "RM" or a tax line: the total-line ranking decides
        if f.key.casefold() == "total" and f.key in out:
            total = receipt_fields(layout).get("total")
            if total:
                out[f.key] = total
        if f.key in out and (f.type == "date" or re.search(r"date", f.key, re.I)) and isinstance(out[f.key], str):
            m = rules._DATE.search(out[f.key])
            if m:
                out[f.key] = m.group(1)
    _date_fallback(layout, fields, out)
    return {f.key: out[f.key] for f in fields if f.key in out}


class LayoutRulesAdapter:
    """OCR boxes in, JSON out (queried keys only); deterministic, no model."""

    @staticmethod
    def weights_files(spec: ModelSpec) -> dict[str, Path]:
        """Its code, fingerprinted in each run like a model's weights (``source_files``)."""
        return source_files(BASELINES, "layout", "layout_rules.py", "rules.py", "rules_aliases.yaml")

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    async def generate(self, prompt: Prompt) -> Generation:
        start = time.perf_counter()
        try:
            result = extract_layout(prompt.document, queried_fields(prompt.task.fields, prompt.queried_keys))
        except Exception as exc:  # never raise per document
            return Generation(raw=None, error_kind="adapter_error", error=f"{type(exc).__name__}: {exc}",
                              latency_s=time.perf_counter() - start)
        return Generation(raw=json.dumps(result, ensure_ascii=False), latency_s=time.perf_counter() - start)

    async def aclose(self) -> None:
        return None
