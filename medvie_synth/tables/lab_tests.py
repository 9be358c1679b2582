"""Laboratory analytes, panels and clinically plausible values.

Values are drawn in SI units (Chinese and international reports); English reports may print
US conventional units instead (``Analyte.us``: unit, factor from SI, decimals). Reference ranges
are adult ranges as printed by typical hospital laboratories.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Analyte:
    code: str
    en: str
    zh: str
    unit: str
    low: float
    high: float
    decimals: int
    female: tuple[float, float] | None = None
    us: tuple[str, float, int] | None = None
    bound: str = "range"  # "range" (low-high), "upper" (<high) or "lower" (>low)
    tails: str = "both"  # which side abnormal values fall on: "both" or "high"

    def range_for(self, sex: str) -> tuple[float, float]:
        return self.female if sex == "F" and self.female else (self.low, self.high)


@dataclass(frozen=True)
class Qualitative:
    """A dipstick-style result: the normal answer and the graded abnormal ones."""

    code: str
    en: str
    zh: str
    normal: tuple[str, str]
    abnormal: tuple[tuple[str, str], ...]
    flagged: bool = True  # abnormal answers get a mark
    reference: bool = True  # the normal answer is printed as the reference range


def _a(code: str, en: str, zh: str, unit: str, low: float, high: float, dec: int,
       **kw: object) -> Analyte:
    return Analyte(code, en, zh, unit, low, high, dec, **kw)  # type: ignore[arg-type]


_K_UL = ("10^3/µL", 1.0, 2)
ANALYTES: dict[str, Analyte] = {a.code: a for a in (
    # complete blood count
    _a("WBC", "White Blood Cell Count", "白细胞计数", "10^9/L", 3.5, 9.5, 2, us=_K_UL),
    _a("NEUT%", "Neutrophils %", "中性粒细胞百分比", "%", 40, 75, 1),
    _a("LYMPH%", "Lymphocytes %", "淋巴细胞百分比", "%", 20, 50, 1),
    _a("MONO%", "Monocytes %", "单核细胞百分比", "%", 3, 10, 1),
    _a("EO%", "Eosinophils %", "嗜酸性粒细胞百分比", "%", 0.4, 8.0, 1),
    _a("BASO%", "Basophils %", "嗜碱性粒细胞百分比", "%", 0, 1, 1),
    _a("NEUT#", "Neutrophils Absolute", "中性粒细胞绝对值", "10^9/L", 1.8, 6.3, 2, us=_K_UL),
    _a("LYMPH#", "Lymphocytes Absolute", "淋巴细胞绝对值", "10^9/L", 1.1, 3.2, 2, us=_K_UL),
    _a("MONO#", "Monocytes Absolute", "单核细胞绝对值", "10^9/L", 0.1, 0.6, 2, us=_K_UL),
    _a("EO#", "Eosinophils Absolute", "嗜酸性粒细胞绝对值", "10^9/L", 0.02, 0.52, 2, us=_K_UL),
    _a("BASO#", "Basophils Absolute", "嗜碱性粒细胞绝对值", "10^9/L", 0, 0.06, 2, us=_K_UL),
    _a("RBC", "Red Blood Cell Count", "红细胞计数", "10^12/L", 4.3, 5.8, 2, female=(3.8, 5.1),
       us=("10^6/µL", 1.0, 2)),
    _a("HGB", "Hemoglobin", "血红蛋白", "g/L", 130, 175, 0, female=(115, 150),
       us=("g/dL", 0.1, 1)),
    _a("HCT", "Hematocrit", "红细胞压积", "%", 40, 50, 1, female=(35, 45)),
    _a("MCV", "Mean Corpuscular Volume", "平均红细胞体积", "fL", 82, 100, 1),
    _a("MCH", "Mean Corpuscular Hemoglobin", "平均红细胞血红蛋白量", "pg", 27, 34, 1),
    _a("MCHC", "Mean Corpuscular Hgb Conc.", "平均红细胞血红蛋白浓度", "g/L", 316, 354, 0,
       us=("g/dL", 0.1, 1)),
    _a("RDW-CV", "Red Cell Distribution Width", "红细胞分布宽度-CV", "%", 11.5, 14.5, 1),
    _a("RDW-SD", "RDW Standard Deviation", "红细胞分布宽度-SD", "fL", 37, 54, 1),
    _a("PLT", "Platelet Count", "血小板计数", "10^9/L", 125, 350, 0, us=("10^3/µL", 1.0, 0)),
    _a("MPV", "Mean Platelet Volume", "平均血小板体积", "fL", 7.4, 12.5, 1),
    _a("PDW", "Platelet Distribution Width", "血小板分布宽度", "fL", 9, 17, 1),
    _a("PCT", "Plateletcrit", "血小板压积", "%", 0.108, 0.282, 3),
    _a("CRP", "C-Reactive Protein", "C反应蛋白", "mg/L", 0, 10, 2, bound="upper"),
    # liver
    _a("ALT", "Alanine Aminotransferase", "丙氨酸氨基转移酶", "U/L", 9, 50, 0, female=(7, 40)),
    _a("AST", "Aspartate Aminotransferase", "天门冬氨酸氨基转移酶", "U/L", 15, 40, 0,
       female=(13, 35)),
    _a("GGT", "Gamma-Glutamyl Transferase", "γ-谷氨酰转移酶", "U/L", 10, 60, 0, female=(7, 45)),
    _a("ALP", "Alkaline Phosphatase", "碱性磷酸酶", "U/L", 45, 125, 0, female=(35, 100)),
    _a("TP", "Total Protein", "总蛋白", "g/L", 65, 85, 1, us=("g/dL", 0.1, 1)),
    _a("ALB", "Albumin", "白蛋白", "g/L", 40, 55, 1, us=("g/dL", 0.1, 1)),
    _a("GLB", "Globulin", "球蛋白", "g/L", 20, 40, 1, us=("g/dL", 0.1, 1)),
    _a("A/G", "Albumin/Globulin Ratio", "白球比", "", 1.2, 2.4, 2),
    _a("TBIL", "Total Bilirubin", "总胆红素", "µmol/L", 0, 21, 1, us=("mg/dL", 0.0585, 2)),
    _a("DBIL", "Direct Bilirubin", "直接胆红素", "µmol/L", 0, 8, 1, us=("mg/dL", 0.0585, 2)),
    _a("IBIL", "Indirect Bilirubin", "间接胆红素", "µmol/L", 0, 14, 1, us=("mg/dL", 0.0585, 2)),
    _a("TBA", "Total Bile Acids", "总胆汁酸", "µmol/L", 0, 10, 1),
    # kidney
    _a("UREA", "Urea", "尿素", "mmol/L", 3.1, 8.0, 2, female=(2.6, 7.5),
       us=("mg/dL", 2.8, 0)),
    _a("CREA", "Creatinine", "肌酐", "µmol/L", 57, 111, 0, female=(41, 81),
       us=("mg/dL", 0.0113, 2)),
    _a("UA", "Uric Acid", "尿酸", "µmol/L", 208, 428, 0, female=(155, 357),
       us=("mg/dL", 0.0168, 1)),
    _a("CysC", "Cystatin C", "胱抑素C", "mg/L", 0.59, 1.03, 2),
    # glucose and lipids
    _a("GLU", "Glucose, Fasting", "葡萄糖", "mmol/L", 3.9, 6.1, 2, us=("mg/dL", 18.0, 0)),
    _a("TC", "Total Cholesterol", "总胆固醇", "mmol/L", 0, 5.2, 2, bound="upper",
       us=("mg/dL", 38.67, 0)),
    _a("TG", "Triglycerides", "甘油三酯", "mmol/L", 0, 1.7, 2, bound="upper",
       us=("mg/dL", 88.5, 0)),
    _a("HDL-C", "HDL Cholesterol", "高密度脂蛋白胆固醇", "mmol/L", 1.04, 9, 2, bound="lower",
       us=("mg/dL", 38.67, 0)),
    _a("LDL-C", "LDL Cholesterol", "低密度脂蛋白胆固醇", "mmol/L", 0, 3.37, 2, bound="upper",
       us=("mg/dL", 38.67, 0)),
    # electrolytes
    _a("K", "Potassium", "钾", "mmol/L", 3.5, 5.3, 2),
    _a("Na", "Sodium", "钠", "mmol/L", 137, 147, 1),
    _a("Cl", "Chloride", "氯", "mmol/L", 99, 110, 1),
    _a("Ca", "Calcium", "钙", "mmol/L", 2.11, 2.52, 2, us=("mg/dL", 4.008, 1)),
    _a("P", "Phosphorus", "无机磷", "mmol/L", 0.85, 1.51, 2, us=("mg/dL", 3.097, 1)),
    _a("Mg", "Magnesium", "镁", "mmol/L", 0.75, 1.02, 2),
    _a("CO2", "Bicarbonate", "二氧化碳结合力", "mmol/L", 22, 29, 1),
    # cardiac enzymes
    _a("CK", "Creatine Kinase", "肌酸激酶", "U/L", 50, 310, 0, female=(40, 200)),
    _a("LDH", "Lactate Dehydrogenase", "乳酸脱氢酶", "U/L", 120, 250, 0),
    # urine microscopy (quantitative)
    _a("U-WBC", "WBC, Urine", "白细胞(镜检)", "/µL", 0, 25, 1),
    _a("U-RBC", "RBC, Urine", "红细胞(镜检)", "/µL", 0, 17, 1),
    _a("EC", "Epithelial Cells", "上皮细胞", "/µL", 0, 28, 1),
    _a("CAST", "Casts", "管型", "/µL", 0, 1, 2),
    _a("SG", "Specific Gravity", "比重", "", 1.003, 1.030, 3, tails="high"),
    _a("pH", "pH", "酸碱度", "", 4.5, 8.0, 1),
)}

_NEG = ("Negative", "阴性")
_GRADES = (("Trace", "±"), ("1+", "+"), ("2+", "2+"), ("3+", "3+"))
QUALITATIVE: dict[str, Qualitative] = {q.code: q for q in (
    Qualitative("COL", "Color", "颜色", ("Yellow", "黄色"),
                (("Dark yellow", "深黄色"), ("Amber", "琥珀色"), ("Red", "红色")),
                flagged=False, reference=False),
    Qualitative("CLA", "Clarity", "透明度", ("Clear", "清亮"),
                (("Slightly cloudy", "微浑"), ("Cloudy", "浑浊")), flagged=False, reference=False),
    Qualitative("PRO", "Protein", "尿蛋白", _NEG, _GRADES),
    Qualitative("U-GLU", "Glucose", "尿糖", _NEG, _GRADES),
    Qualitative("KET", "Ketones", "酮体", _NEG, _GRADES[:3]),
    Qualitative("BIL", "Bilirubin", "胆红素", _NEG, _GRADES[1:3]),
    Qualitative("URO", "Urobilinogen", "尿胆原", ("Normal", "正常"), (("2+", "2+"), ("3+", "3+"))),
    Qualitative("NIT", "Nitrite", "亚硝酸盐", _NEG, (("Positive", "阳性"),)),
    Qualitative("LEU", "Leukocyte Esterase", "白细胞酯酶", _NEG, _GRADES),
    Qualitative("BLD", "Blood", "隐血", _NEG, _GRADES),
)}


@dataclass(frozen=True)
class Panel:
    key: str
    names: tuple[tuple[str, str], ...]  # (en, zh) examination names
    specimen: tuple[str, str]
    groups: tuple[tuple[str, ...], ...]  # analyte codes, drawn group by group
    required: int  # how many leading groups are always printed


PANELS: dict[str, Panel] = {p.key: p for p in (
    Panel("cbc", (("Complete Blood Count", "血常规"), ("CBC with Differential", "血常规五分类"),
                  ("Hemogram", "全血细胞计数")), ("Whole blood (EDTA)", "全血"),
          (("WBC", "NEUT%", "LYMPH%", "MONO%", "EO%", "BASO%"),
           ("RBC", "HGB", "HCT", "MCV", "MCH", "MCHC"),
           ("PLT",),
           ("NEUT#", "LYMPH#", "MONO#", "EO#", "BASO#"),
           ("RDW-CV", "RDW-SD"),
           ("MPV", "PDW", "PCT"),
           ("CRP",)), 3),
    Panel("liver", (("Liver Function Panel", "肝功能"), ("Hepatic Panel", "肝功能全项")),
          ("Serum", "血清"),
          (("ALT", "AST"), ("TP", "ALB", "GLB", "A/G"), ("TBIL", "DBIL", "IBIL"),
           ("GGT", "ALP"), ("TBA",)), 3),
    Panel("renal", (("Renal Function Panel", "肾功能"), ("Kidney Function Tests", "肾功三项")),
          ("Serum", "血清"), (("UREA", "CREA", "UA"), ("CysC",), ("K", "Na", "Cl"),
                              ("CO2",)), 1),
    Panel("metabolic", (("Comprehensive Metabolic Panel", "生化全项"),
                        ("Biochemistry Profile", "生化检查")),
          ("Serum", "血清"),
          (("ALT", "AST", "TP", "ALB"), ("TBIL", "DBIL"), ("UREA", "CREA", "UA"), ("GLU",),
           ("TC", "TG", "HDL-C", "LDL-C"), ("K", "Na", "Cl", "Ca"), ("GGT", "ALP"),
           ("GLB", "A/G"), ("CK", "LDH"), ("P", "Mg"), ("CO2",)), 5),
    Panel("lipid", (("Lipid Panel", "血脂四项"), ("Lipid Profile", "血脂检查")), ("Serum", "血清"),
          (("TC", "TG", "HDL-C", "LDL-C"), ("GLU",), ("UA",), ("ALT", "AST"), ("CK",)), 2),
    Panel("urine", (("Urinalysis", "尿常规"), ("Routine Urine Examination", "尿液分析")),
          ("Urine", "尿液"),
          (("COL", "CLA", "SG", "pH"), ("PRO", "U-GLU", "KET", "BIL", "URO", "NIT", "LEU", "BLD"),
           ("U-WBC", "U-RBC"), ("EC", "CAST")), 2),
)}


def draw_numeric(rng: random.Random, low: float, high: float, bound: str, abnormal: bool,
                  tails: str = "both") -> float:
    width = high - low
    if bound == "upper":
        return rng.uniform(1.05, 2.6) * high if abnormal else rng.uniform(0.25, 0.95) * high
    if bound == "lower":
        return rng.uniform(0.55, 0.95) * low if abnormal else rng.uniform(1.05, 1.7) * low
    if not abnormal:
        return rng.triangular(low + 0.05 * width, high - 0.05 * width)
    if low <= 0 or tails == "high" or rng.random() < 0.55:
        return high + width * rng.uniform(0.05, 0.9)
    return max(low * rng.uniform(0.45, 0.95), low - width * rng.uniform(0.03, 0.3))


def _derive_cbc(v: dict[str, float]) -> None:
    diff = ["NEUT%", "LYMPH%", "MONO%", "EO%", "BASO%"]
    if all(k in v for k in diff):
        total = sum(v[k] for k in diff)
        for k in diff:
            v[k] = round(v[k] * 100 / total, 1)
        if "WBC" in v:
            wbc = round(v["WBC"], 2)
            for k in diff:
                v[k.replace("%", "#")] = wbc * v[k] / 100
    if all(k in v for k in ("RBC", "MCV", "MCH")):
        rbc, mcv, mch = round(v["RBC"], 2), round(v["MCV"], 1), round(v["MCH"], 1)
        v["HGB"] = rbc * mch
        v["HCT"] = rbc * mcv / 10
        v["MCHC"] = v["HGB"] / v["HCT"] * 100


def _derive_chemistry(v: dict[str, float]) -> None:
    if "TP" in v and "ALB" in v:
        tp, alb = round(v["TP"], 1), round(v["ALB"], 1)
        if alb >= tp - 12:
            alb = round(tp * 0.6, 1)
            v["ALB"] = alb
        v["GLB"] = tp - alb
        v["A/G"] = alb / v["GLB"]
    if "TBIL" in v and "DBIL" in v:
        v["DBIL"] = min(v["DBIL"], v["TBIL"] * 0.6)
        v["IBIL"] = round(v["TBIL"], 1) - round(v["DBIL"], 1)


def draw_values(rng: random.Random, codes: list[str], sex: str, p_abnormal: float) -> dict[str, float]:
    """SI values for numeric analytes, internally consistent (differential sums to 100 %,
    HGB = RBC x MCH, GLB = TP - ALB, ...)."""
    values = {}
    for code in codes:
        a = ANALYTES.get(code)
        if a is None:
            continue
        low, high = a.range_for(sex)
        values[code] = draw_numeric(rng, low, high, a.bound, rng.random() < p_abnormal, a.tails)
    _derive_cbc(values)
    _derive_chemistry(values)
    return values


def draw_qualitative(rng: random.Random, q: Qualitative, p_abnormal: float) -> tuple[int, bool]:
    """(index into ``q.abnormal`` or -1 for the normal answer, abnormal?)"""
    if rng.random() < p_abnormal:
        return rng.randrange(len(q.abnormal)), True
    return -1, False


def pick_codes(rng: random.Random, panel: Panel, min_rows: int, max_rows: int) -> list[str]:
    """Analyte codes of a panel: the required groups, optional groups at random while they fit,
    then more optional groups until ``min_rows`` is reached."""
    chosen = [i < panel.required or rng.random() < 0.65 for i in range(len(panel.groups))]
    for i, group in enumerate(panel.groups):
        n = sum(len(g) for g, c in zip(panel.groups, chosen, strict=False) if c)
        if n >= min_rows:
            break
        if not chosen[i]:
            chosen[i] = n + len(group) <= max_rows
    codes = [code for group, c in zip(panel.groups, chosen, strict=False) if c for code in group]
    return codes[:max_rows]


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_reference(text: str) -> tuple[float | None, float | None]:
    """Bounds of a printed reference range: ``3.5-9.5``, ``3.5～9.5``, ``<5.2``, ``≥1.04``...
    Qualitative ranges (``阴性``, ``Negative``) give ``(None, None)``."""
    nums = [float(n) for n in _NUMBER.findall(text)]
    if not nums:
        return None, None
    if text.lstrip().startswith(("<", "≤")):
        return None, nums[0]
    if text.lstrip().startswith((">", "≥")):
        return nums[0], None
    if len(nums) >= 2:
        return nums[0], nums[1]
    return None, None


def direction(value: float, low: float | None, high: float | None) -> str:
    """``"H"`` above the range, ``"L"`` below it, ``""`` inside."""
    if high is not None and value > high:
        return "H"
    if low is not None and value < low:
        return "L"
    return ""


def format_bound(x: float, decimals: int | None = None) -> str:
    """``3.5`` (shortest form) or, with ``decimals``, ``3.50``."""
    if decimals is not None:
        return f"{x:.{decimals}f}"
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text or "0"
