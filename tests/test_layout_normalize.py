"""OCR artefact normalisation (baselines.layout.normalize), table-driven."""

from __future__ import annotations

import pytest

from baselines.layout.normalize import (
    clean,
    is_range,
    is_unit,
    label_key,
    normalize_mark,
    normalize_unit,
    split_mark,
)
from baselines.layout.table import repair


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("109/L", "10^9/L"),
        ("10~9/L", "10^9/L"),
        ("10*9/L", "10^9/L"),
        ("10^9/L", "10^9/L"),
        ("10⁹/L", "10^9/L"),
        ("10^12/L", "10^12/L"),
        ("1012/L", "10^12/L"),
        ("102/L", "10^12/L"),  # 10¹² with the superscript 1 lost
        ("×10⁹/L", "×10^9/L"),
        ("10%L", "10^9/L"),
        ("10'L", "10^9/L"),
        ("10^6/uL", "10^6/µL"),
        ("g/L", "g/L"),
        ("μmol/L", "μmol/L"),
        ("ｍｍｏｌ／Ｌ", "mmol/L"),
    ],
)
def test_units(raw: str, unit: str) -> None:
    assert normalize_unit(raw) == unit


def test_lost_exponent_hint() -> None:
    assert normalize_unit("10'L", exponent="12") == "10^12/L"


@pytest.mark.parametrize(
    ("raw", "value", "mark"),
    [
        ("↑3.8", "3.8", "↑"),
        ("3.8↑", "3.8", "↑"),
        ("3.8 ↑", "3.8", "↑"),
        ("↓ 0.52", "0.52", "↓"),
        ("3.8 H", "3.8", "H"),
        ("3.8H", "3.8", "H"),
        ("35.8L", "35.8", "L"),
        ("8.9 T", "8.9", "↑"),  # OCR's reading of an arrow
        ("阳性↑", "阳性", "↑"),
        ("2+↑", "2+", "↑"),
        ("12.5个", "12.5", "↑"),
        ("阴性", "阴性", ""),
        ("12", "12", ""),
        ("HCT", "HCT", ""),
        ("H", "H", ""),
    ],
)
def test_split_mark(raw: str, value: str, mark: str) -> None:
    assert split_mark(raw) == (value, mark)


@pytest.mark.parametrize(("raw", "mark"), [("↑", "↑"), ("↓", "↓"), ("H", "H"), ("l", "L"), ("", ""), ("x", "")])
def test_mark_cells(raw: str, mark: str) -> None:
    assert normalize_mark(raw) == mark


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"result": "370↓%"}, {"result": "370", "mark": "↓", "unit": "%"}),
        ({"result": "6.4%"}, {"result": "6.4", "unit": "%"}),
        ({"result": "21.1 /μL"}, {"result": "21.1", "unit": "/μL"}),
        ({"result": "5.61 10/L"}, {"result": "5.61", "unit": "10^9/L"}),
        ({"result": "4.29", "unit": "10'L", "name": "红细胞计数"}, {"result": "4.29", "unit": "10^12/L"}),
        ({"result": "1.3", "unit": "3.5-9.5"}, {"result": "1.3", "reference": "3.5-9.5"}),
        ({"result": "7.2", "mark": "↑"}, {"result": "7.2", "mark": "↑"}),
        ({"result": "7.2 H", "mark": ""}, {"result": "7.2", "mark": "H"}),
    ],
)
def test_row_repair(cells: dict[str, str], expected: dict[str, str]) -> None:
    got = repair(cells)
    for key, value in expected.items():
        assert got.get(key) == value, (key, got)
    if "mark" not in expected:
        assert "mark" not in got


def test_text_helpers() -> None:
    assert clean("性别：女　年龄：６５") == "性别:女 年龄:65"
    assert label_key("性 别：") == "性别"
    assert is_range("3.5-9.5") and is_range("1.003～1.030") and is_range("<5.2") and not is_range("U/L")
    assert is_unit("mmol/L") and is_unit("%") and is_unit("10^9/L") and not is_unit("3.5")
