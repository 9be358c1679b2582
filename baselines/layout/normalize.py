"""OCR artefacts in report text, fixed one cell at a time (pure functions, table-driven tests).

- full-width ASCII and the ideographic space become half-width (``：`` → ``:``, ``１２`` → ``12``);
  the scorer applies NFKC anyway, so this only helps parsing;
- units whose superscript exponent was misread — ``109/L``, ``10~9/L``, ``10*9/L``, ``10⁹/L``,
  ``×10^9/L`` — become ``10^9/L``;
- arrows and H/L flags are split off values into an abnormal mark: ``↑3.8``, ``3.8↑``, ``3.8 H``,
  ``3.8H`` → (``3.8``, ``↑``/``H``); OCR's usual readings of an arrow beside a number (``T``, ``t``,
  ``个``) count as ``↑``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

UP, DOWN = "↑", "↓"
# What OCR engines print for an up/down arrow beside a value (only trusted next to a number).
_ARROW_READINGS = {"↑": UP, "↓": DOWN, "⬆": UP, "⬇": DOWN, "▲": UP, "▼": DOWN, "†": UP, "个": UP, "T": UP, "t": UP}
_FLAG_LETTERS = {"H", "L", "HH", "LL"}

NUMBER = r"[<>≤≥]?[-+]?\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(rf"^{NUMBER}$")
_QUALITATIVE = re.compile(r"^[-+]?\d?\+{1,4}$|^[±+\-]$")
_RANGE_RE = re.compile(rf"^(?:{NUMBER}\s*(?:-{{1,2}}|~|～|–|—|至)\s*{NUMBER}|[<>≤≥]\s*\d+(?:\.\d+)?)$")

# Units: exponent forms first. The exponent of a count unit is 1-2 digits (9, 12, 6, 3).
_EXP_UNIT = re.compile(
    r"^(?:[x×*X]\s*)?10\s*(?:\^|~|\*|'|’|°|\.|-|\s)?\s*(?P<exp>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}|\d{1,2})\s*"
    r"/\s*(?P<den>[uμµ]?[lL])$"
)
_LOST_EXP = re.compile(r"^(?:[x×*X]\s*)?10(?:[%'’°*]/?[lL]?|/[lL]?)$")
_LOST_EXP_UL = re.compile(r"^(?:[x×*X]\s*)?10(?:[%'’°*7]/?|/)[uμµ][lL]$")  # 10%μL, 107μL: 10³/µL
# common units, to repair a misread letter in a long one
_KNOWN_UNITS = ("mmol/L", "μmol/L", "nmol/L", "pmol/L", "mg/L", "mg/dL", "g/L", "g/dL", "U/L", "IU/L", "IU/mL",
                "mIU/mL", "μIU/mL", "ng/mL", "pg/mL", "ng/dL", "μg/L", "μg/dL", "U/mL", "mL/min", "mm/h", "mmHg",
                "cells/μL", "mEq/L", "mOsm/kg")
_KNOWN_FOLDED = {u.casefold() for u in _KNOWN_UNITS}
_PER_LITRE_STEMS = {"mg", "g", "mmol", "μmol", "umol", "µmol", "nmol", "U", "IU", "ng", "pg", "μg", "mIU", "109",
                    "1012", "10^9", "10^12"}
# what OCR makes of a printed "%" or "fL" alone in a unit cell
_UNIT_READINGS = {"%6": "%", "%0": "%", "%o": "%", "0/0": "%", "%%": "%", "6": "%", "96": "%", "ft": "fL", "f1": "fL",
                  "fi": "fL", "fI": "fL", "FL": "fL", "f": "fL", "fl.": "fL"}
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_UNIT_RE = re.compile(
    r"^(?:%|‰|[a-zA-Zµμ]{1,6}/[a-zA-Zµμ0-9.]{1,6}(?:/[a-zA-Z0-9.]{1,4})?|/[a-zA-Zµμ]{1,4}|/HP|/LP|"
    r"10\^\d{1,2}/[uμµ]?L|fL|fl|pg|mmHg|mm/h|sec|s|S/CO|COI|IU|U|mIU/mL|ratio|g|mg|kg|cm|mm)$"
)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms and the ideographic space to their half-width forms."""
    return text.translate(_FULLWIDTH)


def clean(text: str) -> str:
    """Half-width, collapsed whitespace, stripped (keeps every printed character)."""
    return re.sub(r"\s+", " ", to_halfwidth(unicodedata.normalize("NFC", text))).strip()


def normalize_unit(text: str, exponent: str = "9") -> str:
    """``109/L``, ``10~9/L``, ``10*9/L``, ``10⁹/L`` … → ``10^9/L`` (a printed ``×`` is kept);
    ``10%L``/``10'L``/``10/`` (exponent, slash or litre lost) → ``10^{exponent}/L``; ``%6`` → ``%``,
    ``ft`` → ``fL`` (OCR's readings of those units alone); a long unit one letter off a common one
    (``mmiol/L``) → that unit; other units unchanged."""
    t = clean(text).replace(" ", "")
    if len(t) > 2 and t.endswith(".") and not t[-2].isdigit():
        t = t[:-1]  # "g/L." : a speck read as a full stop
    if t.endswith("A") and t[:-1] in _PER_LITRE_STEMS:
        t = t[:-1] + "/L"  # "mgA", "1012A": "/L" read as "A"
    times = "×" if t[:1] in "x×X*" and len(t) > 1 and t[1:2] == "1" else ""
    m = _EXP_UNIT.match(t)
    if m:
        exp = m.group("exp").translate(_SUPERSCRIPT_DIGITS)
        den = m.group("den")
        den = "L" if den in ("l", "L") else "µL"
        exp = {"2": "12", "19": "9", "112": "12"}.get(exp, exp)  # 10¹² read as 102
        if exp in ("9", "12", "6", "3", "10", "15"):
            return f"{times}10^{exp}/{den}"
    if _LOST_EXP.match(t):
        return f"{times}10^{exponent}/L"
    if _LOST_EXP_UL.match(t):
        return f"{times}10^{'6' if exponent == '12' else '3'}/µL"
    if t in _UNIT_READINGS:
        return _UNIT_READINGS[t]
    if len(t) >= 5 and t.casefold() not in _KNOWN_FOLDED:  # "mmiol/L" → "mmol/L"
        close = difflib.get_close_matches(t, _KNOWN_UNITS, n=1, cutoff=0.8)
        if close and close[0] != t.replace("u", "μ"):  # "umol/L" is printed so too
            return close[0]
    return t


def is_number(text: str) -> bool:
    return bool(_NUMBER_RE.match(clean(text).replace(" ", "")))


def is_range(text: str) -> bool:
    return bool(_RANGE_RE.match(clean(text)))


def is_unit(text: str) -> bool:
    if clean(text).isdigit():
        return False
    t = normalize_unit(text)
    return bool(_UNIT_RE.match(t)) or t.lstrip("×").startswith("10^")


def is_mark(text: str) -> bool:
    t = clean(text).replace(" ", "")
    return bool(t) and (all(ch in "↑↓⬆⬇▲▼†" for ch in t) or t in _FLAG_LETTERS)


def normalize_mark(text: str) -> str:
    """A mark cell's canonical form: arrows kept, ``H``/``L`` kept, anything else empty."""
    t = clean(text).replace(" ", "")
    if not t:
        return ""
    if t[0] in _ARROW_READINGS and t[0] not in "Tt个":
        return _ARROW_READINGS[t[0]]
    if t.upper() in _FLAG_LETTERS:
        return t.upper()[0]
    if t in ("个", "T", "t"):
        return UP
    return ""


_LEAD = re.compile(r"^(?P<mark>[↑↓⬆⬇▲▼†])\s*(?P<value>\S.*)$")
_TRAIL = re.compile(
    r"^(?P<value>.*?\S)\s*(?P<mark>[↑↓⬆⬇▲▼†]|个)$|"
    r"^(?P<value2>[<>≤≥]?[-+]?\d+(?:\.\d+)?)\s*(?P<mark2>HH|LL|H|L|T|t)$"
)


def split_mark(text: str) -> tuple[str, str]:
    """A value cell → (value, mark). ``↑3.8``/``3.8↑``/``3.8 H``/``3.8H``/``阳性↑`` → (value, mark);
    ``T``/``t``/``个`` after a number are OCR's readings of ``↑``."""
    t = clean(text)
    m = _LEAD.match(t)
    if m and m.group("value")[:1] not in "↑↓":
        return m.group("value").strip(), _ARROW_READINGS[m.group("mark")]
    m = _TRAIL.match(t)
    if m:
        if m.group("value") is not None:
            value, mark = m.group("value").strip(), m.group("mark")
            if mark == "个" and not _NUMBER_RE.match(value.replace(" ", "")) and not _QUALITATIVE.match(value):
                return t, ""
            return value, _ARROW_READINGS[mark]
        value, mark = m.group("value2"), m.group("mark2")
        if mark in ("T", "t"):
            return value, UP
        return value, mark[0]
    return t, ""


def normalize_value(text: str) -> str:
    """A result without its mark, whitespace inside numbers removed (``12. 5`` → ``12.5``), a
    decimal point read as a colon restored (``30:4`` → ``30.4``)."""
    value = clean(text)
    squeezed = value.replace(" ", "")
    if re.fullmatch(r"\d{1,4}:\d{1,3}", squeezed):
        squeezed = squeezed.replace(":", ".")
    if squeezed.endswith(".") and _NUMBER_RE.match(squeezed[:-1]):
        squeezed = squeezed[:-1]  # a speck read as a full stop
    if _NUMBER_RE.match(squeezed):
        return squeezed
    return value


def normalize_range(text: str) -> str:
    """Spaces around a range's separator kept as printed; only half-width and collapsed spaces,
    and a speck read as a full stop after the last digit dropped (``4.5-8.0.``)."""
    t = clean(text)
    if re.fullmatch(r"\d+(?:\.\d+)?\s*:\s*\d+(?:\.\d+)?", t):
        t = t.replace(":", "-")  # "9:17": the dash read as a colon
    return t[:-1] if len(t) > 2 and t.endswith(".") and t[-2].isdigit() else t


def label_key(text: str) -> str:
    """A printed label compared loosely: NFKC, casefold, no spaces or trailing colon."""
    t = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s:：]+", "", t).strip(".")


__all__ = [
    "DOWN",
    "UP",
    "clean",
    "is_mark",
    "is_number",
    "is_range",
    "is_unit",
    "label_key",
    "normalize_mark",
    "normalize_range",
    "normalize_unit",
    "normalize_value",
    "split_mark",
    "to_halfwidth",
]
