"""Printed ``label: value`` pairs outside the tables (科别: 内科, Sample: …).

A value runs from its label's colon to the next label inside the same box, or is the next box
of the line when the label stands alone (``姓名：`` | ``张三``, or ``Name`` | ``Karen``). Labels are
the schema's keys and their aliases (``baselines/rules_aliases.yaml`` through
``baselines.rules``), a few more common ones, and *distractor* labels (MRN, 床号, 标本种类 …) that
belong to no schema key but end the previous value; any short ``word:`` also ends a value.
Chinese labels match with or without spaces between their characters (``性 别``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from baselines.layout.lines import Line
from baselines.layout.normalize import label_key

# Labels beyond rules_aliases.yaml, per schema key. "secondary" ones (report date for an
# examination time) are used only when no primary label of that key is on the page.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "Name": ("patient's name", "name of patient", "受检者", "病人", "患者"),
    "Department": ("ward/dept", "requesting dept", "dept.", "ward/department", "科 别", "病区", "就诊科室", "开单科室",
                   "临床科室", "病人科室", "申请部门", "送检部门", "申请科别"),
    "Examination Name": ("test panel", "panel", "检验目的", "检查目的", "送检项目", "项目名称", "医嘱项目", "医嘱名称",
                         "申请项目", "检验组合", "组合名称", "检验名称"),
    "Examination Time": ("test date", "tested", "exam date", "date of exam", "date tested", "检查日期", "检验日期",
                         "检测时间", "测定时间"),
    "Sample Collection Time": ("collection time", "specimen collected", "collection date", "sample time",
                               "采样日期", "采集日期", "留样时间", "采血时间"),
    "Diagnosis": ("clinical info", "clinical information", "provisional diagnosis", "初步诊断", "入院诊断"),
    "Gender": ("gender/sex",),
    "Age": ("age/sex",),
}
SECONDARY: dict[str, tuple[str, ...]] = {
    "Examination Time": ("report time", "report date", "reported", "报告时间", "报告日期", "审核时间"),
}
# Printed labels of fields that no schema key asks for: they end the value before them.
DISTRACTORS: tuple[str, ...] = (
    "mrn", "patient id", "record no", "record no.", "id", "bed", "bed no", "bed no.", "specimen", "sample type",
    "sample", "ordering physician", "requested by", "referring doctor", "doctor", "physician", "accession no.",
    "sample no.", "lab no.", "barcode", "received", "receipt time", "reported", "report time", "report date",
    "performed by", "tested by", "technologist", "verified by", "authorised by", "authorized by", "reviewed by",
    "phone", "tel", "payer", "coverage", "remarks", "remark", "note", "病历号", "门诊号", "住院号", "id号", "床号",
    "标本类型", "标本种类", "样本类型", "样本种类", "送检医生", "申请医生", "开单医生", "医生", "条码号", "标本号",
    "样本号", "接收时间", "签收时间", "报告时间", "报告日期", "检验者", "检验医师", "检验人", "审核者", "审核医师",
    "审核人", "费别", "电话", "联系电话", "标本状态", "样本状态",
    "备注", "临床医生", "送检医师", "检验员", "审核员", "报告人", "操作者",
)


@dataclass(frozen=True)
class Pair:
    label: str
    value: str
    line: int


def _label_regex(label: str) -> str:
    """A label as a pattern: Chinese characters may be separated by spaces."""
    if re.search(r"[\u4e00-\u9fff]", label):
        return r"\s*".join(re.escape(ch) for ch in label if not ch.isspace())
    return r"\s+".join(re.escape(part) for part in label.split())


@lru_cache(maxsize=64)
def _known_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(set(labels), key=len, reverse=True)
    body = "|".join(_label_regex(lbl) for lbl in ordered)
    return re.compile(rf"(?:^|(?<=[^\w]))(?P<label>{body})\s*[:：]", re.I)


_GENERIC = re.compile(r"(?P<label>[\u4e00-\u9fff]{2,8}|[\u4e00-\u9fff](?: [\u4e00-\u9fff]){1,3}|[A-Za-z][A-Za-z./'-]*"
                      r"(?: [A-Za-z][A-Za-z./'-]*){0,1})\s*[:：]")


def split_pairs(text: str, labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """``label: value`` pairs in one box's text (several labels per box allowed). Known labels
    win; any other short ``word:`` (at most two English words, or a few Chinese characters) is a
    label too, so that it ends the value before it."""
    hits = [(m.start("label"), m.end(), m.group("label")) for m in _known_pattern(labels).finditer(text)]
    taken = [(a, b) for a, b, _ in hits]
    for m in _GENERIC.finditer(text):
        a, b = m.start("label"), m.end()
        if any(a < y and x < b for x, y in taken):
            continue
        if a > 0 and text[a - 1].isdigit():
            continue  # a time such as 07:39
        hits.append((a, b, m.group("label")))
    hits.sort()
    out = []
    for i, (_, end, label) in enumerate(hits):
        stop = hits[i + 1][0] if i + 1 < len(hits) else len(text)
        out.append((label.strip(), text[end:stop].strip(" \t;,，；")))
    return out


def _first_label_start(text: str, labels: tuple[str, ...]) -> int:
    m = _known_pattern(labels).search(text)
    g = _GENERIC.search(text)
    starts = [x.start("label") for x in (m, g) if x]
    return min(starts) if starts else len(text)


def header_pairs(lines: Sequence[Line], labels: tuple[str, ...], skip: set[int] | None = None,
                 skip_boxes: set[int] | None = None) -> list[Pair]:
    """All label/value pairs of the lines not in ``skip`` (table lines), leaving out the boxes in
    ``skip_boxes`` (those a table used), in page order."""
    known = {label_key(lbl) for lbl in labels}
    pairs: list[Pair] = []
    for li, line in enumerate(lines):
        if skip and li in skip:
            continue
        boxes = [b for b in line.boxes if not skip_boxes or b.index not in skip_boxes]
        for bi, box in enumerate(boxes):
            found = split_pairs(box.text, labels)
            nxt = boxes[bi + 1].text if bi + 1 < len(boxes) else ""
            if not found:
                # a bare label box followed by its value box
                if (label_key(box.text) in known and nxt and not split_pairs(nxt, labels)
                        and label_key(nxt) not in known):
                    pairs.append(Pair(box.text, nxt, li))
                continue
            prefix = box.text[: _first_label_start(box.text, labels)].strip()
            if prefix and pairs and pairs[-1].line == li and not split_pairs(prefix, labels):
                last = pairs[-1]  # the previous box's value continues in this box
                pairs[-1] = Pair(last.label, f"{last.value} {prefix}".strip(), li)
            for label, value in found:
                if not value and nxt and not split_pairs(nxt, labels) and label_key(nxt) not in known:
                    value = nxt
                pairs.append(Pair(label, value, li))
    return pairs


def all_labels(key_aliases: dict[str, list[str]]) -> tuple[str, ...]:
    labels = set(DISTRACTORS)
    for aliases in key_aliases.values():
        labels.update(aliases)
    return tuple(sorted(labels))


def _misread_label(k: str, aliases: Sequence[str], others: Sequence[str], by_label: dict[str, str]) -> str | None:
    """A label (Chinese, three characters or more; else five) with one character misread
    (``送检料室``, ``Palient``): the key of the one known label (schema alias or distractor) it
    differs from in one character other than the last; None when that label is a distractor."""
    if len(k) < (3 if re.search(r"[\u4e00-\u9fff]", k) else 5):
        return None
    near = {a for a in (*aliases, *others) if len(a) == len(k) and a[-1] == k[-1]
            and sum(x != y for x, y in zip(a, k, strict=True)) == 1}
    return by_label.get(near.pop()) if len(near) == 1 else None


# OCR's misreadings inside values of one key (科 read as 料 at the end of a department)
_VALUE_FIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "Department": ((r"(?<=[\u4e00-\u9fff])料$", "科"),),
}


def fix_value(key: str, value: str) -> str:
    for pattern, repl in _VALUE_FIXES.get(key, ()):
        value = re.sub(pattern, repl, value)
    return value


def assign(pairs: Sequence[Pair], key_aliases: dict[str, list[str]],
           secondary: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Schema key → value: the first pair whose label is an alias of the key (exact, loosely
    compared); secondary aliases only for keys still empty."""
    by_label: dict[str, str] = {}
    for key, aliases in key_aliases.items():
        for alias in aliases:
            by_label.setdefault(label_key(alias), key)
    cjk = sorted((k for k in by_label if re.search(r"[\u4e00-\u9fff]", k) and len(k) >= 2), key=len, reverse=True)

    others = [label_key(d) for d in DISTRACTORS]

    def key_of(label: str) -> str | None:
        k = label_key(label)
        if k in by_label:
            return by_label[k]
        for alias in cjk:  # 患者姓名 → 姓名, 送检科室 → 科室
            if k.endswith(alias):
                return by_label[alias]
        return _misread_label(k, list(by_label), others, by_label)

    out: dict[str, str] = {}
    for p in pairs:
        key = key_of(p.label)
        if key and key not in out and p.value:
            out[key] = fix_value(key, p.value)
    for key, aliases in (secondary or {}).items():
        if key in out or key not in key_aliases:
            continue
        wanted = {label_key(a) for a in aliases}
        for p in pairs:
            if label_key(p.label) in wanted and p.value:
                out[key] = p.value
                break
    return out
