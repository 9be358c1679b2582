"""Common Chinese lab item names, to repair one character that OCR misread in a long name.

OCR misreads single characters of small Chinese type (``淋巴榴胞百分比`` for 淋巴细胞百分比,
``盘小板计数`` for 血小板计数). A run of four Chinese characters or more that is one substitution
away from exactly one name below (and is not itself a name) is read as that name; shorter runs are
left alone (``自细胞`` is one character from both 白细胞 and 红细胞). The list is the usual panels of
Chinese hospital reports (blood count, urinalysis, stool, chemistry, lipids, electrolytes,
coagulation, thyroid, tumour markers), written from general knowledge of such reports.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PANELS: tuple[str, ...] = (
    # blood count
    "白细胞计数", "红细胞计数", "血红蛋白", "红细胞压积", "红细胞比积", "血细胞比容", "平均红细胞体积",
    "平均红细胞血红蛋白量", "平均红细胞血红蛋白含量", "平均红细胞血红蛋白浓度", "红细胞分布宽度",
    "红细胞体积分布宽度", "血小板计数", "平均血小板体积", "血小板分布宽度", "血小板压积", "血小板比积",
    "大血小板比率", "中性粒细胞百分比", "淋巴细胞百分比", "单核细胞百分比", "嗜酸性粒细胞百分比",
    "嗜碱性粒细胞百分比", "中性粒细胞绝对值", "淋巴细胞绝对值", "单核细胞绝对值", "嗜酸性粒细胞绝对值",
    "嗜碱性粒细胞绝对值", "中性粒细胞计数", "淋巴细胞计数", "单核细胞计数", "嗜酸性粒细胞计数",
    "嗜碱性粒细胞计数", "中性粒细胞比率", "淋巴细胞比率", "单核细胞比率", "嗜酸性粒细胞比率",
    "嗜碱性粒细胞比率", "C反应蛋白", "超敏C反应蛋白", "血清淀粉样蛋白A", "红细胞沉降率", "网织红细胞百分比",
    "网织红细胞计数", "有核红细胞", "降钙素原",
    # urine and stool
    "尿比重", "酸碱度", "亚硝酸盐", "蛋白质", "尿蛋白", "葡萄糖", "尿胆原", "胆红素", "维生素C", "抗坏血酸",
    "上皮细胞", "鳞状上皮细胞", "非鳞状上皮细胞", "小圆上皮细胞", "透明管型", "病理管型", "酵母样菌",
    "黏液丝", "电导率", "尿微量白蛋白", "隐血试验", "潜血试验", "转铁蛋白", "脂肪球", "寄生虫卵",
    # chemistry
    "丙氨酸氨基转移酶", "天门冬氨酸氨基转移酶", "天冬氨酸氨基转移酶", "谷丙转氨酶", "谷草转氨酶",
    "碱性磷酸酶", "谷氨酰转移酶", "谷氨酰转肽酶", "总蛋白", "白蛋白", "球蛋白", "白球比", "前白蛋白",
    "总胆红素", "直接胆红素", "间接胆红素", "总胆汁酸", "胆碱酯酶", "乳酸脱氢酶", "肌酸激酶",
    "肌酸激酶同工酶", "肌红蛋白", "肌钙蛋白", "尿素氮", "胱抑素C", "空腹血糖", "糖化血红蛋白",
    "总胆固醇", "甘油三酯", "高密度脂蛋白胆固醇", "低密度脂蛋白胆固醇", "载脂蛋白A1", "载脂蛋白B",
    "二氧化碳结合力", "总二氧化碳", "阴离子间隙", "血清铁", "铁蛋白", "同型半胱氨酸", "淀粉酶", "脂肪酶",
    "羟丁酸脱氢酶", "腺苷脱氨酶", "视黄醇结合蛋白", "微球蛋白", "估算肾小球滤过率", "渗透压",
    # coagulation, thyroid, tumour markers
    "凝血酶原时间", "国际标准化比值", "活化部分凝血活酶时间", "凝血酶时间", "纤维蛋白原", "二聚体",
    "纤维蛋白降解产物", "促甲状腺激素", "游离三碘甲状腺原氨酸", "游离甲状腺素", "三碘甲状腺原氨酸",
    "甲状腺素", "甲状腺球蛋白抗体", "甲状腺过氧化物酶抗体", "总前列腺特异性抗原", "游离前列腺特异性抗原",
    "前列腺特异性抗原", "癌胚抗原", "甲胎蛋白", "糖类抗原", "细胞角蛋白19片段", "神经元特异性烯醇化酶",
    "鳞状上皮细胞癌抗原", "人绒毛膜促性腺激素",
)
_LEUKOCYTES = ("中性粒细胞", "淋巴细胞", "单核细胞", "嗜酸性粒细胞", "嗜碱性粒细胞", "中性细胞", "嗜酸细胞", "嗜碱细胞")
_SUFFIXES = ("百分比", "百分率", "比率", "比值", "比例", "绝对值", "计数", "数", "数目")
# the printed variants of one item count as names of their own, so that none is "repaired" into another
ITEM_NAMES_ZH: tuple[str, ...] = (*_PANELS, *(f"{c}{s}" for c in _LEUKOCYTES for s in _SUFFIXES), "反应蛋白")
_RUN = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff0-9A-Za-z]*[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _by_length() -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for name in sorted(set(ITEM_NAMES_ZH)):
        out.setdefault(len(name), []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def _repair_run(run: str) -> str:
    if len(run) < 4 or run in ITEM_NAMES_ZH:
        return run
    near = [n for n in _by_length().get(len(run), ()) if sum(a != b for a, b in zip(n, run, strict=True)) == 1]
    return near[0] if len(near) == 1 else run


def repair_item_name(name: str) -> str:
    """``name`` with each Chinese run one character off a common item name repaired (see the
    module docstring); ``Y-谷氨酰转移酶`` → ``γ-…``, ``分布宽度·CV`` → ``分布宽度-CV``."""
    name = re.sub(r"^Y-(?=[\u4e00-\u9fff])", "γ-", name)
    name = re.sub(r"(?<=[\u4e00-\u9fff])·(?=[A-Z])", "-", name)
    return _RUN.sub(lambda m: _repair_run(m.group()), name)
