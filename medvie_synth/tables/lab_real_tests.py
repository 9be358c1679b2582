"""What the real variant's lab reports print beyond ``lab_tests``: graded (qualitative and
semi-quantitative) urine and stool items, tumour markers, section titles, column titles and the
forms of a two-language item name.

Printed answers are ``(en, zh)`` pairs; the ground truth is the printed text itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from medvie_synth.tables.lab_tests import Analyte, Panel


@dataclass(frozen=True)
class Graded:
    """An item answered with words or a range of counts (``阴性``, ``1+``, ``0-2``, ``未见``).

    ``reference`` is printed in the reference column (None: left empty); ``unit`` goes in the unit
    column or, on some reports, after the reference (``0-5 /HP``)."""

    code: str
    en: str
    zh: str
    normal: tuple[tuple[str, str], ...]
    abnormal: tuple[tuple[str, str], ...]
    reference: tuple[str, str] | None
    unit: str = ""
    flagged: bool = True


_NEG = ("Negative", "阴性")
_POS = (("Positive(+)", "阳性(+)"),)
_TRACE_TO_3 = (("Trace", "±"), ("1+", "1+"), ("2+", "2+"), ("3+", "3+"))
_NONE_SEEN = ("Not seen", "未见")

GRADED: dict[str, Graded] = {g.code: g for g in (
    # urine, physical
    Graded("U-COLOR", "Color", "颜色", (("Pale yellow", "淡黄色"), ("Yellow", "黄色")),
           (("Dark yellow", "深黄色"), ("Amber", "琥珀色"), ("Red", "红色")), None, flagged=False),
    Graded("U-CLA", "Clarity", "透明度", (("Clear", "清亮"), ("Clear", "清晰")),
           (("Slightly cloudy", "微浑"), ("Cloudy", "浑浊")), ("Clear", "清亮"), flagged=False),
    # urine, dry chemistry (dipstick)
    Graded("U-LEU", "Leukocytes", "白细胞", (_NEG,), _TRACE_TO_3, _NEG),
    Graded("U-NIT", "Nitrite", "亚硝酸盐", (_NEG,), _POS, _NEG),
    Graded("U-PRO", "Protein", "蛋白质", (_NEG,), _TRACE_TO_3, _NEG),
    Graded("U-GLU", "Glucose", "葡萄糖", (_NEG,), (("Trace", "±"), ("1+", "1+"), ("4+", "4+")), _NEG),
    Graded("U-KET", "Ketones", "酮体", (_NEG,), (("Trace", "微量"), ("1+", "1+"), ("2+", "2+")), _NEG),
    Graded("U-URO", "Urobilinogen", "尿胆原", (("Normal", "正常"),), (("1+", "1+"), ("2+", "2+")),
           ("Normal", "正常")),
    Graded("U-BIL", "Bilirubin", "胆红素", (_NEG,), (("1+", "1+"), ("2+", "2+")), _NEG),
    Graded("U-BLD", "Blood", "隐血", (_NEG,), _TRACE_TO_3, _NEG),
    Graded("U-VC", "Ascorbic Acid", "维生素C", (_NEG,), (("1+", "1+"), ("2+", "2+")), _NEG, flagged=False),
    # urine, microscopy per high/low power field
    Graded("WBC-HP", "WBC (microscopy)", "白细胞(镜检)", (("0-1", "0-1"), ("1-3", "1-3"), ("2-4", "2-4")),
           (("5-10", "5-10"), ("10-15", "10-15"), ("Packed", "满视野")), ("0-5", "0-5"), "/HP"),
    Graded("RBC-HP", "RBC (microscopy)", "红细胞(镜检)", (("0-1", "0-1"), ("0-2", "0-2")),
           (("3-5", "3-5"), ("5-8", "5-8"), ("10-20", "10-20")), ("0-3", "0-3"), "/HP"),
    Graded("CAST-LP", "Casts (microscopy)", "管型(镜检)", (_NONE_SEEN,), (("0-1", "0-1"), ("1-2", "1-2")),
           _NONE_SEEN, "/LP"),
    Graded("CRY", "Crystals", "结晶", (_NONE_SEEN, ("Not indicated", "未提示")),
           (("Calcium oxalate", "草酸钙结晶"), ("Uric acid", "尿酸结晶")), None, flagged=False),
    # stool
    Graded("S-COLOR", "Color", "颜色", (("Brown", "黄色"), ("Yellow-brown", "黄褐色")),
           (("Black", "黑色"), ("Red", "红色"), ("Clay", "灰白色")), None, flagged=False),
    Graded("S-FORM", "Consistency", "性状", (("Soft", "软便"), ("Formed", "成形便")),
           (("Loose", "稀便"), ("Mushy", "糊状"), ("Watery", "水样便")), None, flagged=False),
    Graded("S-WBC", "WBC", "白细胞", (_NONE_SEEN, ("0-1", "0-1")), (("3-5", "3-5"), ("10-15", "10-15")),
           _NONE_SEEN, "/HP"),
    Graded("S-RBC", "RBC", "红细胞", (_NONE_SEEN,), (("1-3", "1-3"), ("5-10", "5-10")), _NONE_SEEN, "/HP"),
    Graded("OB", "Occult Blood", "隐血试验", (_NEG,), (("Weak positive", "弱阳性"), ("Positive(+)", "阳性(+)")),
           _NEG),
    Graded("TF", "Transferrin", "转铁蛋白", (_NEG,), _POS, _NEG),
    Graded("OVA", "Ova", "虫卵", (_NONE_SEEN,), (("Ascaris ova", "蛔虫卵"),), _NONE_SEEN),
    Graded("FAT", "Fat Globules", "脂肪球", (_NONE_SEEN,), (("1+", "+"), ("2+", "++")), _NONE_SEEN),
    Graded("FUNGI", "Fungi", "真菌", (_NONE_SEEN,), (("Few", "少量"),), _NONE_SEEN),
)}


def _u(code: str, en: str, zh: str, unit: str, high: float, dec: int) -> Analyte:
    """A count with only an upper limit (``<8``, ``0-12``)."""
    return Analyte(code, en, zh, unit, 0, high, dec, bound="upper")


NUMERIC: dict[str, Analyte] = {a.code: a for a in (
    # urine sediment counted per microlitre
    _u("RBC-UL", "RBC (sediment)", "红细胞", "/µL", 8, 1),
    _u("WBC-UL", "WBC (sediment)", "白细胞", "/µL", 12, 1),
    _u("EC-UL", "Epithelial Cells", "上皮细胞", "/µL", 5, 1),
    _u("CAST-UL", "Casts", "管型", "/µL", 1, 2),
    _u("BACT-UL", "Bacteria", "细菌", "/µL", 130, 0),
    # tumour markers
    _u("TPSA", "Total PSA", "总前列腺特异性抗原", "ng/mL", 4.0, 2),
    _u("FPSA", "Free PSA", "游离前列腺特异性抗原", "ng/mL", 0.93, 2),
    _u("CEA", "Carcinoembryonic Antigen", "癌胚抗原", "ng/mL", 5.0, 2),
    _u("AFP", "Alpha-Fetoprotein", "甲胎蛋白", "ng/mL", 7.0, 2),
    _u("CA199", "CA 19-9", "糖类抗原19-9", "U/mL", 37, 1),
    _u("CA125", "CA 125", "糖类抗原125", "U/mL", 35, 1),
    Analyte("FT-RATIO", "Free/Total PSA", "fPSA/tPSA", "", 0.25, 1.0, 2, bound="lower"),
)}

# code printed beside a two-language name or in an abbreviation column (default: the code
# without its ``U-`` prefix); codes are unique across ``GRADED``, ``NUMERIC`` and ``lab_tests``
CODES = {"S-COLOR": "COLOR", "S-FORM": "FORM", "S-WBC": "WBC",
         "S-RBC": "RBC", "WBC-HP": "WBC", "RBC-HP": "RBC", "CAST-LP": "CAST", "RBC-UL": "RBC",
         "WBC-UL": "WBC", "EC-UL": "EC", "CAST-UL": "CAST", "BACT-UL": "BACT", "FT-RATIO": "F/T",
         "CA199": "CA19-9"}

PANELS: dict[str, Panel] = {p.key: p for p in (
    Panel("urine", (("Urinalysis", "尿常规"), ("Urine Routine", "尿液分析"),
                    ("Urinalysis with Sediment", "尿常规+尿沉渣")), ("Urine", "尿液"),
          (("U-COLOR", "U-CLA"), ("SG", "pH", "U-LEU", "U-NIT", "U-PRO", "U-GLU", "U-KET", "U-URO", "U-BIL", "U-BLD",
            "U-VC"),
           ("RBC-UL", "WBC-UL", "EC-UL", "CAST-UL", "BACT-UL"), ("WBC-HP", "RBC-HP", "CAST-LP", "CRY")), 2),
    Panel("stool", (("Stool Routine", "粪便常规"), ("Stool Examination", "大便常规+隐血")), ("Stool", "粪便"),
          (("S-COLOR", "S-FORM"), ("S-WBC", "S-RBC"), ("OB",), ("TF",), ("OVA", "FAT", "FUNGI")), 3),
    Panel("tumour", (("Tumour Markers", "肿瘤标志物"), ("PSA Panel", "前列腺特异性抗原")), ("Serum", "血清"),
          (("TPSA", "FPSA", "FT-RATIO"), ("CEA", "AFP"), ("CA199", "CA125")), 1),
)}

# section rows per panel group: (en, zh); panels of ``lab_tests`` included
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "urine": (("Physical", "尿液理学检查"), ("Dipstick Chemistry", "尿干化学分析 (NGHX)"),
              ("Sediment, Quantitative", "尿沉渣定量"), ("Microscopy", "尿沉渣镜检")),
    "stool": (("Physical", "理学检查"), ("Microscopy", "显微镜检查"), ("Chemistry", "化学检查"),
              ("Chemistry", "化学检查"), ("Microscopy", "显微镜检查")),
    "tumour": (("Prostate", "前列腺特异性抗原"), ("Tumour Markers", "肿瘤标志物"),
               ("Tumour Markers", "肿瘤标志物")),
    "cbc": (("White Cells", "白细胞系统"), ("Red Cells", "红细胞系统"), ("Platelets", "血小板系统"),
            ("White Cells", "白细胞系统"), ("Red Cells", "红细胞系统"), ("Platelets", "血小板系统"),
            ("Inflammation", "炎症指标")),
    "liver": (("Enzymes", "酶类"), ("Proteins", "蛋白类"), ("Bilirubin", "胆红素类"), ("Enzymes", "酶类"),
              ("Bile Acids", "胆汁酸")),
    "renal": (("Kidney", "肾功能"), ("Kidney", "肾功能"), ("Electrolytes", "电解质"), ("Electrolytes", "电解质")),
    "metabolic": (("Liver", "肝功能"), ("Liver", "肝功能"), ("Kidney", "肾功能"), ("Glucose", "血糖"),
                  ("Lipids", "血脂"), ("Electrolytes", "电解质"), ("Liver", "肝功能"), ("Liver", "肝功能"),
                  ("Cardiac Enzymes", "心肌酶"), ("Electrolytes", "电解质"), ("Electrolytes", "电解质")),
    "lipid": (("Lipids", "血脂"), ("Glucose", "血糖"), ("Kidney", "肾功能"), ("Liver", "肝功能"),
              ("Cardiac Enzymes", "心肌酶")),
}

# the real variant's panel mix: with graded results (urine, stool) or numeric only
GRADED_PANELS = {"urine": 0.7, "stool": 0.3}
NUMERIC_PANELS = {"cbc": 0.5, "tumour": 0.15, "metabolic": 0.1, "liver": 0.1, "renal": 0.075,
                  "lipid": 0.075}

# column titles of the real variant (wider than ``lab.COLUMN_TITLES``): (en, zh)
TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "no": (("No.", "#", "No"), ("No", "序号", "NO")),
    "name": (("Test", "Item", "Test Name", "Analyte"), ("项目", "项目名称", "检验项目", "检测项目", "项 目")),
    "code": (("Code", "Abbr."), ("英文缩写", "缩写", "代号")),
    "result": (("Result", "Value"), ("结果", "检验结果", "测定值", "结 果")),
    "mark": (("Flag", "H/L"), ("提示", "标志", "状态")),
    "unit": (("Units", "Unit"), ("单位",)),
    "reference": (("Reference Range", "Ref. Interval", "Normal Range", "Reference"),
                  ("参考值", "参考区间", "参考范围", "生物参考区间")),
}

# a two-language item name: the local name and the code in one cell
BILINGUAL_FORMS = {"zh": ("{name} ({code})", "{name}({code})", "{name} {code}", "{name}（{code}）"),
                   "en": ("{name} ({code})", "{code} {name}")}
