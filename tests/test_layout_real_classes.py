"""The layout extractor on the failure classes of real photographed lab reports (issue #15).

Each test builds the OCR boxes a photo of one class gives (boxes placed as rapidocr places them:
one box per printed cell, some cells run together) and checks what the extractor reads: table
groups side by side with repeated headers and continuing row numbers, groups tilted differently,
differing column sets, section rows, qualitative results and ranges, two-language names, an
abbreviation column, mark glyphs without a column title, a tight crop without title or labels,
a header split over two lines, a page whose header was not read, header-label aliases.
"""

from __future__ import annotations

import math

import pytest

from baselines.layout import analyse
from baselines.layout.lexicon import repair_item_name
from baselines.layout.normalize import normalize_unit
from baselines.layout.values import implied_mark, is_result, normalize_answer, strict_result
from baselines.layout_rules import extract_layout
from benchmark.documents import Document, OcrLine
from benchmark.tasks.registry import TaskRegistry
from benchmark.tasks.spec import FieldSpec

Cell = tuple[str, float]  # text, left x


def grid(rows: list[list[Cell]], y0: float = 40, pitch: float = 26, height: float = 16,
         tilt_degrees: float = 0.0, origin: tuple[float, float] = (0.0, 0.0)) -> list[OcrLine]:
    """OCR boxes of printed rows: one box per cell at its left x (width from its characters), rows
    ``pitch`` apart; ``tilt_degrees`` turns the whole block about ``origin`` (axis-aligned bounds
    of the turned box, as an OCR engine reports them)."""
    a = math.radians(tilt_degrees)
    c, s = math.cos(a), math.sin(a)
    ox, oy = origin
    out = []
    for r, cells in enumerate(rows):
        y = y0 + r * pitch
        for text, x in cells:
            w = sum(14 if ord(ch) > 0x2E80 else 8 for ch in text)
            pts = [(px - ox) * c - (py - oy) * s + ox for px, py in ((x, y), (x + w, y), (x, y + height),
                                                                        (x + w, y + height))]
            qts = [(px - ox) * s + (py - oy) * c + oy for px, py in ((x, y), (x + w, y), (x, y + height),
                                                                        (x + w, y + height))]
            out.append(OcrLine(text=text, box=(min(pts), min(qts), max(pts), max(qts))))
    return out


def lab_task_fields() -> list[FieldSpec]:
    return TaskRegistry().get("med-lab-zh").fields


def items(lines: list[OcrLine]) -> list[dict[str, str]]:
    out = extract_layout(Document(id="t", gt={}, ocr_lines=lines), lab_task_fields())
    return out.get("Indicators", [])


def by_name(found: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {i["Item Name"]: i for i in found}


# ------------------------------------------------------------------ groups side by side

G1 = [0, 40, 200, 280, 330, 430]  # No, 项目, 结果, 提示, 参考值, 单位
G2 = [x + 520 for x in (0, 40, 200, 290, 400)]  # No, 项目, 结果, 参考区间, 单位 (no 提示 column)
G3 = [x + 1000 for x in (0, 40, 200, 280, 380)]  # No, 项目, 结果, 单位, 参考范围 (unit first)


def three_groups(tilts: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> list[OcrLine]:
    head1 = [("No", G1[0]), ("项目", G1[1]), ("结果", G1[2]), ("提示", G1[3]), ("参考值", G1[4]), ("单位", G1[5])]
    rows1 = [[("1", G1[0]), ("白细胞计数", G1[1]), ("11.2", G1[2]), ("↑", G1[3]), ("3.5-9.5", G1[4]),
              ("10^9/L", G1[5])],
             [("2", G1[0]), ("中性粒细胞百分比", G1[1]), ("48.5", G1[2]), ("40-75", G1[4]), ("%", G1[5])],
             [("3", G1[0]), ("淋巴细胞百分比", G1[1]), ("15.0", G1[2]), ("↓", G1[3]), ("20-50", G1[4]),
              ("%", G1[5])]]
    head2 = [("No", G2[0]), ("项目", G2[1]), ("结果", G2[2]), ("参考区间", G2[3]), ("单位", G2[4])]
    rows2 = [[("4", G2[0]), ("红细胞计数", G2[1]), ("4.82", G2[2]), ("4.3-5.8", G2[3]), ("10^12/L", G2[4])],
             [("5", G2[0]), ("血红蛋白", G2[1]), ("138", G2[2]), ("130-175", G2[3]), ("g/L", G2[4])],
             [("6", G2[0]), ("红细胞压积", G2[1]), ("43.4", G2[2]), ("40-50", G2[3]), ("%", G2[4])]]
    head3 = [("No", G3[0]), ("项目", G3[1]), ("结果", G3[2]), ("单位", G3[3]), ("参考范围", G3[4])]
    rows3 = [[("7", G3[0]), ("血小板计数", G3[1]), ("487", G3[2]), ("10^9/L", G3[3]), ("125-350", G3[4])],
             [("8", G3[0]), ("C反应蛋白", G3[1]), ("4.20", G3[2]), ("mg/L", G3[3]), ("<10", G3[4])]]
    out = []
    for (head, rows, x0), tilt in zip(((head1, rows1, 0), (head2, rows2, 520), (head3, rows3, 1000)), tilts,
                                      strict=True):
        out += grid([head, *rows], tilt_degrees=tilt, origin=(x0, 40))
    return out


def test_three_groups_side_by_side_with_differing_columns() -> None:
    layout = analyse(three_groups())
    assert len(layout.tables) == 1 and len(layout.tables[0].segments) == 3
    found = items(three_groups())
    assert [i["Item Name"] for i in found] == ["白细胞计数", "中性粒细胞百分比", "淋巴细胞百分比", "红细胞计数",
                                               "血红蛋白", "红细胞压积", "血小板计数", "C反应蛋白"]
    named = by_name(found)
    assert named["白细胞计数"] == {"Item Name": "白细胞计数", "Result": "11.2", "Unit": "10^9/L",
                                  "Reference Range": "3.5-9.5", "Abnormal Mark": "↑"}
    assert named["红细胞计数"]["Unit"] == "10^12/L" and named["红细胞计数"]["Reference Range"] == "4.3-5.8"
    assert named["血小板计数"] == {"Item Name": "血小板计数", "Result": "487", "Unit": "10^9/L",
                                  "Reference Range": "125-350", "Abnormal Mark": "↑"}  # implied by its range
    assert named["C反应蛋白"]["Reference Range"] == "<10" and "Abnormal Mark" not in named["C反应蛋白"]


def test_groups_tilted_differently_are_read_apart() -> None:
    """A curled page: the left group turns one way, the right groups the other (rows of a group
    shift by more than a row across the page)."""
    found = by_name(items(three_groups(tilts=(2.5, -2.5, -4.0))))
    assert len(found) == 8
    assert found["血红蛋白"]["Result"] == "138" and found["血红蛋白"]["Unit"] == "g/L"
    assert found["淋巴细胞百分比"]["Abnormal Mark"] == "↓" and found["C反应蛋白"]["Result"] == "4.20"


def test_right_group_header_on_the_next_visual_line() -> None:
    """The right group's titles sit a little lower than the left's (one visual line below)."""
    left = grid([[("项目", 0), ("结果", 200), ("参考范围", 280), ("单位", 400)],
                 [("白细胞计数", 0), ("6.59", 200), ("3.50-9.50", 280), ("10^9/L", 400)],
                 [("淋巴细胞百分比", 0), ("19.6", 200), ("20.0-50.0", 280), ("%", 400)]])
    right = grid([[("项目", 620)],
                  [("红细胞系统", 620), ("结果", 820), ("参考范围", 900), ("单位", 1020)],
                  [("红细胞计数", 620), ("5.49", 820), ("4.30-5.80", 900), ("10^12/L", 1020)],
                  [("血红蛋白", 620), ("145", 820), ("130-175", 900), ("g/L", 1020)]], y0=40)
    found = by_name(items(left + right))
    assert set(found) == {"白细胞计数", "淋巴细胞百分比", "红细胞计数", "血红蛋白"}
    assert found["血红蛋白"]["Unit"] == "g/L" and found["淋巴细胞百分比"]["Abnormal Mark"] == "↓"


# ------------------------------------------------------------------ rows

def test_section_rows_qualitative_results_and_ranges() -> None:
    cols = [0, 200, 320, 420]  # 项目, 结果, 单位, 参考值
    rows = [
        [("项目", 0), ("结果", 200), ("单位", 320), ("参考值", 420)],
        [("尿干化学分析 (NGHX)", 0)],
        [("颜色 (COLOR)", 0), ("淡黄色", 200)],
        [("透明度", 0), ("清亮", 200), ("清亮", 420)],
        [("白细胞", 0), ("1+", 200), ("阴性", 420)],
        [("亚硝酸盐", 0), ("阳性(+)", 200), ("阴性", 420)],
        [("蛋白质", 0), ("±", 200), ("阴性", 420)],
        [("酮体", 0), ("微量", 200), ("阴性", 420)],
        [("葡萄糖", 0), ("附性", 200), ("阴性", 420)],  # OCR's reading of 阴性
        [("尿沉渣定量", 0)],
        [("红细胞", 0), ("9.8", 200), ("/μL", 320), ("<8", 420)],
        [("白细胞(镜检)", 0), ("1-3", 200), ("0-5 /HP", 420)],
        [("结晶", 0), ("未提示", 200)],
    ]
    assert cols
    found = by_name(items(grid(rows)))
    assert "尿干化学分析 (NGHX)" not in found and "尿沉渣定量" not in found and "尿干化学分析" not in found
    assert found["颜色 (COLOR)"] == {"Item Name": "颜色 (COLOR)", "Result": "淡黄色"}
    assert found["透明度"] == {"Item Name": "透明度", "Result": "清亮", "Reference Range": "清亮"}
    assert found["亚硝酸盐"]["Result"] == "阳性(+)" and found["亚硝酸盐"]["Abnormal Mark"] == "↑"
    assert found["蛋白质"]["Result"] == "±" and found["白细胞"]["Result"] == "1+"
    assert found["葡萄糖"] == {"Item Name": "葡萄糖", "Result": "阴性", "Reference Range": "阴性"}
    assert found["红细胞"] == {"Item Name": "红细胞", "Result": "9.8", "Unit": "/μL", "Reference Range": "<8",
                             "Abnormal Mark": "↑"}
    assert found["白细胞(镜检)"]["Reference Range"] == "0-5 /HP" and "Abnormal Mark" not in found["白细胞(镜检)"]
    assert found["结晶"]["Result"] == "未提示"


def test_bilingual_name_box_straddling_the_result_column() -> None:
    """``白细胞计数 WBC`` read as one box that reaches into the result column: the code stays in the
    name, the result column gets only the value."""
    rows = [[("项目", 0), ("结果", 118), ("参考范围", 220), ("单位", 340)],
            [("淋巴细胞百分比", 0), ("19.6", 122), ("20.0-50.0", 220), ("%", 340)],
            [("白细胞计数 WBC 6.59", 0), ("3.50-9.50", 220), ("10^9/L", 340)],
            [("血红蛋白 HGB", 0), ("145", 124), ("130-175", 220), ("g/L", 340)]]
    found = by_name(items(grid(rows)))
    assert found["淋巴细胞百分比"]["Result"] == "19.6" and found["血红蛋白 HGB"]["Result"] == "145"
    assert found["白细胞计数 WBC"]["Result"] == "6.59"


def test_abbreviation_column_and_mark_glyphs_without_a_title() -> None:
    """An abbreviation column between name and result, and the mark printed as a small glyph of
    its own between result and range, in a column with no title (or run into the range)."""
    rows = [[("检验项目", 0), ("英文缩写", 170), ("结果", 270), ("参考区间", 370), ("单位", 500)],
            [("单核细胞绝对值", 0), ("MONO#", 170), ("0.63", 270), ("↑", 335), ("0.10-0.60", 370), ("10^9/L", 500)],
            [("平均红细胞体积", 0), ("MCV", 170), ("76.7", 270), ("↓ 82.0-100.0", 335), ("fL", 500)],
            [("血小板压积", 0), ("PCT", 170), ("0.351", 270), ("H", 340), ("0.108-0.282", 370), ("%", 500)],
            [("血小板计数", 0), ("PLT", 170), ("179", 270), ("125-350", 370), ("10^9/L", 500)]]
    found = by_name(items(grid(rows)))
    assert found["单核细胞绝对值"]["Abnormal Mark"] == "↑" and found["单核细胞绝对值"]["Reference Range"] == "0.10-0.60"
    assert found["平均红细胞体积"] == {"Item Name": "平均红细胞体积", "Result": "76.7", "Unit": "fL",
                                    "Reference Range": "82.0-100.0", "Abnormal Mark": "↓"}
    assert found["血小板压积"]["Abnormal Mark"] == "H" and "Abnormal Mark" not in found["血小板计数"]


def test_implied_marks_follow_the_page_style() -> None:
    rows = [[("Test", 0), ("Result", 200), ("Flag", 280), ("Units", 340), ("Reference Range", 440)],
            [("Glucose", 0), ("7.9", 200), ("H", 290), ("mmol/L", 340), ("3.9-6.1", 440)],
            [("Potassium", 0), ("3.1", 200), ("mmol/L", 340), ("3.5-5.3", 440)],  # mark lost by OCR
            [("Sodium", 0), ("140", 200), ("mmol/L", 340), ("137-147", 440)]]
    found = by_name(items(grid(rows)))
    assert found["Glucose"]["Abnormal Mark"] == "H" and found["Potassium"]["Abnormal Mark"] == "L"
    assert "Abnormal Mark" not in found["Sodium"]


# ------------------------------------------------------------------ captures

def test_tight_crop_without_title_or_labels() -> None:
    """A photo cropped to the table: the header row is the first line, nothing above it."""
    rows = [[("序号", 0), ("项目名称", 40), ("结果", 220), ("单位", 300), ("参考范围", 380)],
            [("1", 0), ("总前列腺特异性抗原", 40), ("2.31", 220), ("ng/mL", 300), ("0-4.0", 380)],
            [("2", 0), ("游离前列腺特异性抗原", 40), ("0.52", 220), ("ng/mL", 300), ("0-0.93", 380)],
            [("3", 0), ("fPSA/tPSA", 40), ("0.23", 220), ("", 300), (">0.25", 380)]]
    out = extract_layout(Document(id="t", gt={}, ocr_lines=grid(rows, y0=0)), lab_task_fields())
    assert set(out) == {"Indicators"}
    found = by_name(out["Indicators"])
    assert found["fPSA/tPSA"] == {"Item Name": "fPSA/tPSA", "Result": "0.23", "Reference Range": ">0.25",
                                  "Abnormal Mark": "↓"}
    assert found["总前列腺特异性抗原"]["Unit"] == "ng/mL"


def test_header_split_over_two_lines() -> None:
    """A curled photo puts half of the header row on the visual line above the other half."""
    head = grid([[("单位", 300), ("参考区间", 400)]], y0=30) + grid([[("No", 0), ("项目", 40), ("结果", 200)]], y0=42)
    body = grid([[("1", 0), ("比重", 40), ("1.028", 200), ("", 300), ("1.003-1.030", 400)],
                 [("2", 0), ("酸碱度", 40), ("7.2", 200), ("", 300), ("4.5-8.0", 400)],
                 [("3", 0), ("红细胞", 40), ("9.8", 200), ("/μL", 300), ("0-8", 400)]], y0=70)
    found = by_name(items(head + body))
    assert set(found) == {"比重", "酸碱度", "红细胞"} and found["红细胞"]["Unit"] == "/μL"


def test_no_header_read_rows_still_found() -> None:
    """Fax noise ate the header row: rows are read from the types of their cells, one per group."""
    rows = [[("1", 0), ("白细胞计数", 30), ("6.35", 200), ("10^9/L", 260), ("3.5-9.5", 360),
             ("4", 520), ("血红蛋白", 550), ("120", 720), ("g/L", 780), ("115-150", 880)],
            [("2", 0), ("红细胞计数", 30), ("5.9", 200), ("↑", 240), ("10^12/L", 260), ("4.3-5.8", 360),
             ("5", 520), ("血小板计数", 550), ("99", 720), ("10^9/L", 780), ("125-350", 880)],
            [("3", 0), ("淋巴细胞百分比", 30), ("31.0", 200), ("%", 260), ("20-50", 360)]]
    found = by_name(items(grid(rows)))
    assert set(found) == {"白细胞计数", "红细胞计数", "淋巴细胞百分比", "血红蛋白", "血小板计数"}
    assert found["红细胞计数"]["Abnormal Mark"] == "↑" and found["血小板计数"]["Abnormal Mark"] == "↓"
    assert found["血红蛋白"] == {"Item Name": "血红蛋白", "Result": "120", "Unit": "g/L", "Reference Range": "115-150"}


def test_a_page_with_no_table_gives_no_indicators() -> None:
    lines = grid([[("姓名:张三", 0), ("性别:男", 200)], [("临床诊断:上呼吸道感染", 0)], [("报告时间:2024-01-02", 0)]])
    out = extract_layout(Document(id="t", gt={}, ocr_lines=lines), lab_task_fields())
    assert "Indicators" not in out and out["Name"] == "张三"


# ------------------------------------------------------------------ header labels

@pytest.mark.parametrize(("label", "key", "value"), [
    ("标本种类", "Sample Type", "全血"), ("样本类型", "Sample Type", "尿液"), ("标本类型", "Sample Type", "血清"),
    ("科室", "Department", "呼吸内科"), ("科别", "Department", "内科"), ("申请科室", "Department", "泌尿外科"),
    ("就诊科室", "Department", "门诊"), ("检验目的", "Examination Name", "血常规"),
])
def test_header_label_aliases(label: str, key: str, value: str) -> None:
    fields = [FieldSpec(key="Department"), FieldSpec(key="Sample Type"), FieldSpec(key="Examination Name")]
    lines = grid([[(f"{label}：{value}", 0), ("床号：12", 300)]])
    out = extract_layout(Document(id="t", gt={}, ocr_lines=lines), fields)
    assert out.get(key) == value


# ------------------------------------------------------------------ cell shapes

@pytest.mark.parametrize("text", ["5.6", "<8", "阴性", "阳性(+)", "1+", "±", "微量", "未提示", "淡黄色", "清亮", "0-2",
                                  "Negative", "Not seen", "++"])
def test_results_of_every_shape(text: str) -> None:
    assert strict_result(text) and is_result(text)


@pytest.mark.parametrize("text", ["(NGHX)", "WBC", "尿干化学分析 (NGHX)", "白细胞系统", "姓名:张三"])
def test_not_results(text: str) -> None:
    assert not strict_result(text)


@pytest.mark.parametrize(("result", "reference", "mark"), [
    ("6.2", "3.5-5.5", "↑"), ("2.1", "3.5-5.5", "↓"), ("4.0", "3.5-5.5", ""), ("9", "<8", "↑"), ("8", "<8", "↑"),
    ("7.9", "<8", ""), ("0.2", ">0.25", "↓"), ("5-10", "0-5", "↑"), ("1-3", "0-5 /HP", ""), ("阳性(+)", "阴性", "↑"),
    ("阴性", "阴性", ""), ("2+", "阴性", "↑"), ("12", "10^9/L", ""), ("", "3.5-5.5", ""), ("3.1", "3.5--5.3", "↓"),
])
def test_implied_mark(result: str, reference: str, mark: str) -> None:
    assert implied_mark(result, reference) == mark


@pytest.mark.parametrize(("raw", "fixed"), [("附性", "阴性"), ("用性", "阴性"), ("阳性", "阳性"), ("来见", "未见"),
                                            ("中性", "中性"), ("淡黄色", "淡黄色")])
def test_misread_answers(raw: str, fixed: str) -> None:
    assert normalize_answer(raw) == fixed


@pytest.mark.parametrize(("raw", "unit"), [("%6", "%"), ("ft", "fL"), ("10/", "10^9/L"), ("mmiol/L", "mmol/L"),
                                           ("umol/L", "umol/L"), ("ng/ml", "ng/ml"), ("mg/24h", "mg/24h")])
def test_unit_readings(raw: str, unit: str) -> None:
    assert normalize_unit(raw) == unit


@pytest.mark.parametrize(("raw", "fixed"), [
    ("淋巴榴胞百分比", "淋巴细胞百分比"), ("盘小板计数", "血小板计数"),
    ("单核蕴胞百分比 MONO%", "单核细胞百分比 MONO%"),
    ("Y-谷氨酰转移酶", "γ-谷氨酰转移酶"), ("红细胞分布宽度·CV", "红细胞分布宽度-CV"),
    ("自细胞", "自细胞"),  # one character from both 白细胞 and 红细胞: left alone
    ("中性粒细胞比值", "中性粒细胞比值"), ("嗜碱性粒细胞绝对值", "嗜碱性粒细胞绝对值"),  # printed variants stay
])
def test_item_name_repairs(raw: str, fixed: str) -> None:
    assert repair_item_name(raw) == fixed


@pytest.mark.parametrize(("raw", "unit"), [("1012A", "10^12/L"), ("mgA", "mg/L"), ("IgA", "IgA"), ("10%μL", "10^3/µL")])
def test_per_litre_read_as_a(raw: str, unit: str) -> None:
    assert normalize_unit(raw) == unit
