"""Clinical diagnoses as written on request forms, with the departments that use them."""

from __future__ import annotations

import random

# (en, zh, departments (English names; empty: any))
DIAGNOSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Hypertension", "高血压", ("Cardiology", "Internal Medicine", "Geriatrics")),
    ("Type 2 diabetes mellitus", "2型糖尿病", ("Endocrinology", "Internal Medicine")),
    ("Coronary heart disease", "冠心病", ("Cardiology", "Geriatrics")),
    ("Community-acquired pneumonia", "社区获得性肺炎", ("Respiratory Medicine", "Emergency")),
    ("Upper respiratory tract infection", "上呼吸道感染", ("Internal Medicine", "Pediatrics",
                                                          "Outpatient Clinic", "Emergency")),
    ("Chronic gastritis", "慢性胃炎", ("Gastroenterology",)),
    ("Fatty liver disease", "脂肪肝", ("Gastroenterology", "Health Check Center")),
    ("Chronic kidney disease stage 3", "慢性肾脏病3期", ("Nephrology",)),
    ("Iron deficiency anemia", "缺铁性贫血", ("Hematology", "Gynecology", "Internal Medicine")),
    ("Urinary tract infection", "尿路感染", ("Urology", "Nephrology", "Gynecology")),
    ("Hyperlipidemia", "高脂血症", ("Cardiology", "Endocrinology", "Health Check Center")),
    ("Acute gastroenteritis", "急性胃肠炎", ("Emergency", "Gastroenterology", "Pediatrics")),
    ("Cerebral infarction", "脑梗死", ("Neurology",)),
    ("Routine physical examination", "健康体检", ("Health Check Center",)),
    ("Gout", "痛风", ("Endocrinology", "Orthopedics", "Internal Medicine")),
    ("Chronic hepatitis B", "慢性乙型病毒性肝炎", ("Infectious Diseases", "Gastroenterology")),
    ("Cholecystitis", "胆囊炎", ("General Surgery",)),
    ("Lumbar disc herniation", "腰椎间盘突出症", ("Orthopedics",)),
    ("Pregnancy, 32 weeks", "孕32周", ("Obstetrics",)),
    ("Fever of unknown origin", "发热待查", ("Infectious Diseases", "Emergency", "Pediatrics")),
    ("Postoperative review", "术后复查", ("General Surgery", "Oncology", "Urology")),
    ("Hypothyroidism", "甲状腺功能减退症", ("Endocrinology",)),
    ("Atrial fibrillation", "心房颤动", ("Cardiology",)),
    ("Chronic obstructive pulmonary disease", "慢性阻塞性肺疾病", ("Respiratory Medicine",
                                                                 "Geriatrics")),
)


def diagnosis(rng: random.Random, language: str, department: str = "") -> str:
    """A diagnosis plausible for ``department`` (its printed name in either language)."""
    from medvie_synth.tables.people import DEPARTMENTS

    english = {zh: en for en, zh in DEPARTMENTS}.get(department, department)
    fitting = [d for d in DIAGNOSES if english in d[2]]
    general = [d for d in DIAGNOSES if not {"Obstetrics", "Gynecology"} & set(d[2])]
    en, zh, _ = rng.choice(fitting or general)
    return zh if language == "zh" else en
