"""What a table cell holds: result shapes and the abnormal mark a result implies.

Real lab reports answer many items with words or grades rather than numbers (``阴性``, ``阳性(+)``,
``1+``, ``±``, ``微量``, ``淡黄色``, ``清亮``, ``0-2``, ``未见``), and print section titles inside the
table (``尿干化学分析 (NGHX)``) that are not indicators. :func:`is_result` tells a result from a
name, a code or a title; :func:`strict_result` is the narrower test used where a token split off a
wider box must prove it is a value (``白细胞计数 WBC`` must not give the result ``WBC``).

:func:`implied_mark` reads the mark a result implies against its reference range (``6.2`` against
``3.5-5.5`` → ``↑``): the printed mark is a small glyph that OCR often drops, while the range and
the result are read.
"""

from __future__ import annotations

import re

from baselines.layout.normalize import DOWN, UP, clean, is_number, is_range

_GRADE = re.compile(r"^(?:[-+]?\d?\+{1,4}|\+-|-\+|±|\+|-|\(\s*[+\-±]{1,4}\s*\)|[+\-]{2,4})$")
_COUNT_RANGE = re.compile(r"^\d{1,3}\s*[-~～–]\s*\d{1,3}$")
# words that answer a qualitative item (stems: the printed answer may carry a grade, "阳性(+)")
_QUAL_ZH = ("阴性", "阳性", "弱阳性", "强阳性", "可疑", "未见", "偶见", "少见", "未检出", "检出", "未提示",
            "正常", "异常", "微量", "少量", "中量", "大量", "满视野", "清亮", "清晰", "透明", "微浑", "微混", "浑浊",
            "混浊", "黄色", "淡黄", "深黄", "琥珀", "红色", "褐色", "黑色", "灰白", "无色", "软便", "成形", "稀便",
            "糊状", "水样")
_QUAL_ZH_EXACT = ("有", "无", "见", "少", "多")
_QUAL_EN = ("negative", "positive", "weak positive", "trace", "not seen", "none seen", "nil", "absent", "present",
            "normal", "abnormal", "clear", "slightly cloudy", "cloudy", "turbid", "yellow", "pale yellow",
            "dark yellow", "straw", "amber", "red", "brown", "yellow-brown", "black", "clay", "soft", "formed",
            "loose", "mushy", "watery", "few", "moderate", "many", "packed", "reactive", "non-reactive",
            "not detected", "detected", "neg", "pos")
_QUAL_EN_RE = re.compile(r"^(?:" + "|".join(re.escape(w) for w in sorted(_QUAL_EN, key=len, reverse=True))
                         + r")(?:\s*\(\s*[+\-±]{1,4}\s*\))?$", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SECTION_HINT = re.compile(r"\([A-Z]{2,8}\)$|（[A-Z]{2,8}）$|分析$|检查$|系统$|定量$|镜检$|指标$|功能$")


_NEGATIVE_MISREAD = re.compile(r"^[^阴阳弱强中酸碱\d\s+\-±]?性$")  # 附性, 用性, D性, 性: OCR's 阴性
_NOT_SEEN_MISREAD = re.compile(r"^(?:[来末朱米木]见|未[兄贝果凡])$")  # 来见, 未果: OCR's 未见


def normalize_answer(text: str) -> str:
    """A qualitative answer whose first or last character OCR misread (``附性`` → ``阴性``,
    ``来见`` → ``未见``); anything else unchanged."""
    t = clean(text)
    if _NEGATIVE_MISREAD.match(t):
        return "阴性"
    if _NOT_SEEN_MISREAD.match(t):
        return "未见"
    return t


def is_grade(text: str) -> bool:
    """``+``, ``2+``, ``±``, ``(-)``, ``++``: a semi-quantitative grade."""
    return bool(_GRADE.match(clean(text).replace(" ", "")))


def is_qualitative(text: str) -> bool:
    """A printed word answer (阴性, 阳性(+), 淡黄色, Negative, Not seen …)."""
    t = clean(text).replace(" ", "") if _CJK.search(text) else clean(text)
    if not t:
        return False
    if _CJK.search(t):
        stem = re.sub(r"\(.*\)$", "", t)
        if stem in _QUAL_ZH_EXACT:
            return True
        return any(stem == w or (stem.startswith(w) and len(stem) <= len(w) + 2) or
                   (stem.endswith(w) and len(stem) <= len(w) + 2) for w in _QUAL_ZH) or stem.endswith("色")
    return bool(_QUAL_EN_RE.match(t))


def strict_result(text: str) -> bool:
    """A value beyond doubt: a number (``<8``, ``5.6``), a grade, a count range (``0-2``) or a
    qualitative word."""
    t = clean(text)
    if not t:
        return False
    squeezed = t.replace(" ", "")
    return (is_number(squeezed) or is_grade(squeezed) or bool(_COUNT_RANGE.match(squeezed)) or is_range(t)
            or is_qualitative(t))


def is_result(text: str) -> bool:
    """A plausible result cell: :func:`strict_result`, or a short answer in words (a few Chinese
    characters, up to three English words) that is not a section title or a parenthesised code."""
    t = clean(text)
    if strict_result(t):
        return True
    if not t or len(t) > 16 or re.search(r"[:：]", t) or re.fullmatch(r"[(（][A-Za-z0-9\s]+[)）]", t):
        return False
    if _CJK.search(t):
        return len(re.sub(r"\s+", "", t)) <= 6 and not _SECTION_HINT.search(t)
    return len(t.split()) <= 3 and bool(re.fullmatch(r"[A-Za-z][A-Za-z\s\-/()+]*", t))


def looks_like_section(text: str) -> bool:
    """A section title printed as a row of its own (``尿干化学分析 (NGHX)``, ``白细胞系统``)."""
    t = clean(text)
    return bool(_SECTION_HINT.search(t)) and not strict_result(t)


_NUM = re.compile(r"^[<>≤≥]?\s*[-+]?(\d+(?:\.\d+)?)$")
_LIMIT = re.compile(r"^(?P<op>[<>≤≥]|<=|>=)\s*(?P<v>\d+(?:\.\d+)?)$")
_BOUNDS = re.compile(r"^(?P<lo>[-+]?\d+(?:\.\d+)?)\s*(?:-{1,2}|~|～|–|—|至)\s*(?P<hi>[-+]?\d+(?:\.\d+)?)$")
_NEGATIVE_REF = re.compile(r"^(?:阴性|未见|未检出|正常|negative|neg|not seen|none seen|nil|absent|normal)(?:\(-\))?$",
                           re.I)
_POSITIVE = re.compile(r"^(?:阳性|弱阳性|强阳性|微量|少量|中量|大量|positive|weak positive|pos|trace)|"
                       r"^\d?\+{1,4}$|^±$|^\+-$|^\(\+{1,4}\)$", re.I)


def _bounds(reference: str) -> tuple[float | None, float | None, bool] | None:
    """(low, high, strict) of a printed range: ``3.5-5.5``, ``<8`` (high 8, strict), ``≤10``,
    ``>60``; None when it is not one. A range with a unit after it (``0-5 /HP``) counts."""
    t = clean(reference).replace(" ", "")
    t = re.sub(r"/?[A-Za-zµμ][A-Za-zµμ/]*$", "", t) if re.search(r"\d", t) else t
    m = _BOUNDS.match(t)
    if m:
        lo, hi = float(m.group("lo")), float(m.group("hi"))
        return (lo, hi, False) if lo < hi else None
    m = _LIMIT.match(t)
    if m:
        v, op = float(m.group("v")), m.group("op")
        return (None, v, op == "<") if op in ("<", "≤", "<=") else (v, None, op == ">")
    return None


def implied_mark(result: str, reference: str, up: str = UP, down: str = DOWN) -> str:
    """The mark a result implies against its reference range (``up`` above, ``down`` below, ``""``
    inside or when either cannot be read). A count range result (``5-10`` against ``0-5``) is
    high when its upper end exceeds the range; a positive grade against a negative reference is
    high."""
    r = clean(result).replace(" ", "")
    ref = clean(reference)
    if not r or not ref:
        return ""
    if _NEGATIVE_REF.match(ref.replace(" ", "")):
        return up if _POSITIVE.match(r) else ""
    bounds = _bounds(ref)
    if bounds is None:
        return ""
    lo, hi, strict = bounds
    m = _NUM.match(r)
    if m and r[:1] not in "<>≤≥":
        v = float(m.group(1)) * (-1 if r.startswith("-") else 1)
    elif (c := _BOUNDS.match(r)) and hi is not None:
        v = float(c.group("hi"))  # the upper end of a counted range decides
        return up if v > hi else ""
    else:
        return ""
    if hi is not None and (v > hi or (strict and v >= hi)):
        return up
    if lo is not None and (v < lo or (strict and v <= lo)):
        return down
    return ""
