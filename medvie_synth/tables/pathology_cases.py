"""Surgical pathology cases: specimen, gross and microscopic description, diagnosis (EN, ZH).

Placeholders: ``{n}`` fragment count, ``{s}``/``{t}`` sizes in cm (one decimal).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

Text = tuple[str, str]


@dataclass(frozen=True)
class Outcome:
    microscopic: Text
    diagnosis: Text
    advice: Text | None = None


@dataclass(frozen=True)
class Case:
    key: str
    names: tuple[Text, ...]
    site: Text
    gross: Text
    outcomes: tuple[Outcome, ...]


_IHC = ("Immunohistochemistry is recommended to confirm the diagnosis.", "建议行免疫组化检测以明确诊断。")

CASES: tuple[Case, ...] = (
    Case("gastric", (("Endoscopic Biopsy", "胃镜活检病理"), ("Histopathology", "组织病理学检查")),
         ("Gastric antrum", "胃窦"),
         ("Received {n} grey-white tissue fragments, the largest {s} cm.",
          "送检灰白色组织{n}块，最大径{s}cm。"),
         (Outcome(("The gastric mucosa shows chronic inflammatory cell infiltration of the lamina "
                   "propria, with Helicobacter pylori organisms on the surface.",
                   "胃黏膜固有层见慢性炎细胞浸润，表面可见幽门螺杆菌。"),
                  ("Chronic active gastritis, moderate, H. pylori positive.",
                   "（胃窦）慢性中度活动性胃炎，HP（+）。"),
                  ("Eradication therapy for H. pylori is advised.", "建议根除幽门螺杆菌治疗。")),
          Outcome(("Some glands show intestinal metaplasia with goblet cells; there is no dysplasia.",
                   "部分腺体肠上皮化生，可见杯状细胞，未见异型增生。"),
                  ("Chronic atrophic gastritis with intestinal metaplasia.",
                   "（胃窦）慢性萎缩性胃炎伴肠上皮化生。")),
          Outcome(("Atypical glands with irregular architecture infiltrate the lamina propria.",
                   "可见异型腺体，结构紊乱，浸润固有层。"),
                  ("Adenocarcinoma, moderately differentiated.", "（胃窦）中分化腺癌。"), _IHC))),
    Case("colon", (("Polypectomy Specimen", "结肠息肉病理"), ("Histopathology", "组织病理学检查")),
         ("Sigmoid colon", "乙状结肠"),
         ("Received one polypoid tissue measuring {s} x {t} cm.", "送检息肉样组织1枚，大小{s}cm×{t}cm。"),
         (Outcome(("Tubular glands are lined by epithelium with low-grade nuclear atypia.",
                   "管状腺体被覆异型上皮，细胞核呈低级别异型。"),
                  ("Tubular adenoma with low-grade dysplasia.",
                   "（乙状结肠）管状腺瘤伴低级别上皮内瘤变。"),
                  ("Surveillance colonoscopy in 3 years.", "建议3年后复查肠镜。")),
          Outcome(("The crypts are serrated without dysplasia.", "隐窝呈锯齿状，未见异型增生。"),
                  ("Hyperplastic polyp.", "（乙状结肠）增生性息肉。")))),
    Case("breast", (("Core Needle Biopsy", "乳腺穿刺活检"), ("Excision Specimen", "乳腺肿物切除标本")),
         ("Left breast", "左乳"),
         ("A firm nodule measuring {s} x {t} cm with a well-circumscribed grey-white cut surface.",
          "结节一枚，大小{s}cm×{t}cm，切面灰白，界清，质韧。"),
         (Outcome(("Ducts and stroma proliferate, with compressed slit-like ducts.",
                   "乳腺导管及间质增生，导管受压呈裂隙状。"),
                  ("Fibroadenoma.", "（左乳）纤维腺瘤。")),
          Outcome(("Nests and cords of atypical cells infiltrate the stroma.",
                   "异型细胞呈巢团状、条索状浸润间质。"),
                  ("Invasive ductal carcinoma, grade II.", "（左乳）浸润性导管癌，II级。"),
                  ("ER, PR, HER2 and Ki-67 immunohistochemistry will follow in a supplementary "
                   "report.", "待免疫组化（ER、PR、HER2、Ki-67）结果补充报告。")))),
    Case("thyroid", (("Thyroidectomy Specimen", "甲状腺切除标本"),
                     ("Frozen Section Follow-up", "术中冰冻后石蜡病理")),
         ("Right thyroid lobe", "右侧甲状腺"),
         ("Thyroid tissue of {s} x {t} cm; the cut surface shows a grey-white nodule.",
          "甲状腺组织{s}cm×{t}cm，切面见一灰白结节。"),
         (Outcome(("Papillary structures are lined by cells with ground-glass nuclei and nuclear "
                   "grooves.", "见乳头状结构，细胞核呈毛玻璃样，可见核沟。"),
                  ("Papillary thyroid carcinoma.", "（右侧甲状腺）甲状腺乳头状癌。"), _IHC),
          Outcome(("Follicles of varying size are filled with colloid.",
                   "见大小不等的滤泡，腔内充满胶质。"),
                  ("Nodular goiter.", "（右侧甲状腺）结节性甲状腺肿。")))),
    Case("gallbladder", (("Cholecystectomy Specimen", "胆囊切除标本"),), ("Gallbladder", "胆囊"),
         ("Gallbladder {s} cm long with a wall up to 0.{n} cm thick, containing several stones.",
          "胆囊一个，长{s}cm，壁厚0.{n}cm，腔内见结石数枚。"),
         (Outcome(("The wall is thickened with chronic inflammatory infiltration and "
                   "Rokitansky-Aschoff sinuses.", "囊壁增厚，慢性炎细胞浸润，可见罗-阿窦。"),
                  ("Chronic cholecystitis with cholelithiasis.", "慢性胆囊炎伴胆囊结石。")),)),
    Case("appendix", (("Appendectomy Specimen", "阑尾切除标本"),), ("Appendix", "阑尾"),
         ("Appendix {s} cm long with a congested serosa.", "阑尾一条，长{s}cm，浆膜面充血。"),
         (Outcome(("There is transmural neutrophilic infiltration with mucosal ulceration.",
                   "阑尾全层大量中性粒细胞浸润，黏膜溃疡形成。"),
                  ("Acute suppurative appendicitis.", "急性化脓性阑尾炎。")),)),
    Case("skin", (("Skin Excision", "皮肤病损切除"), ("Histopathology", "组织病理学检查")),
         ("Skin, back", "背部皮肤"),
         ("A skin ellipse of {s} x {t} cm bearing a brown papule.",
          "梭形皮肤组织{s}cm×{t}cm，表面见褐色丘疹。"),
         (Outcome(("The epidermis is acanthotic with horn cysts and basaloid cell proliferation.",
                   "表皮棘层增厚，可见角囊肿，基底样细胞增生。"),
                  ("Seborrheic keratosis.", "脂溢性角化病。")),
          Outcome(("Nests of melanocytes without atypia lie at the junction and in the dermis.",
                   "表皮真皮交界处及真皮内见痣细胞巢，无异型。"),
                  ("Compound nevus.", "复合痣。")))),
)


# the departments (English names) that send each kind of specimen
DEPARTMENTS = {"gastric": ("Gastroenterology",), "colon": ("Gastroenterology", "General Surgery"),
               "breast": ("General Surgery", "Oncology"), "thyroid": ("General Surgery", "ENT"),
               "gallbladder": ("General Surgery",), "appendix": ("General Surgery", "Emergency"),
               "skin": ("Dermatology",)}


def fill(text: str, rng: random.Random) -> str:
    s = rng.randint(5, 60) / 10
    t = rng.randint(3, int(s * 10)) / 10
    return text.format(n=rng.randint(2, 6), s=f"{s:.1f}", t=f"{t:.1f}")
