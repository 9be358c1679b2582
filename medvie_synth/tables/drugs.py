"""Outpatient prescriptions: diagnoses with the drugs (pack, dose, route, frequency) they get."""

from __future__ import annotations

from dataclasses import dataclass

Text = tuple[str, str]


@dataclass(frozen=True)
class Drug:
    name: Text
    pack: Text  # strength x count
    usage: Text  # dose, route, frequency
    price: float  # per pack


@dataclass(frozen=True)
class Regimen:
    diagnosis: Text
    department: str  # English department name
    drugs: tuple[Drug, ...]
    advice: tuple[Text, ...] = ()


def _d(en: str, zh: str, pack_en: str, pack_zh: str, use_en: str, use_zh: str, price: float) -> Drug:
    return Drug((en, zh), (pack_en, pack_zh), (use_en, use_zh), price)


REGIMENS: tuple[Regimen, ...] = (
    Regimen(("Upper respiratory tract infection", "上呼吸道感染"), "Internal Medicine", (
        _d("Amoxicillin Capsules", "阿莫西林胶囊", "0.25 g x 24", "0.25g×24粒",
           "0.5 g orally three times daily", "0.5g 口服 每日3次", 18.6),
        _d("Ibuprofen Sustained-release Capsules", "布洛芬缓释胶囊", "0.3 g x 20", "0.3g×20粒",
           "0.3 g orally twice daily as needed", "0.3g 口服 每日2次", 22.4),
        _d("Compound Licorice Tablets", "复方甘草片", "100 tablets", "100片",
           "3 tablets orally three times daily", "3片 口服 每日3次", 9.8),
        _d("Lianhua Qingwen Capsules", "连花清瘟胶囊", "0.35 g x 36", "0.35g×36粒",
           "4 capsules orally three times daily", "4粒 口服 每日3次", 26.5)),
        (("Drink plenty of fluids and rest.", "多饮水，注意休息。"),)),
    Regimen(("Hypertension", "高血压"), "Cardiology", (
        _d("Amlodipine Besylate Tablets", "苯磺酸氨氯地平片", "5 mg x 28", "5mg×28片",
           "5 mg orally once daily", "5mg 口服 每日1次", 31.2),
        _d("Valsartan Capsules", "缬沙坦胶囊", "80 mg x 28", "80mg×28粒",
           "80 mg orally once daily", "80mg 口服 每日1次", 38.9),
        _d("Metoprolol Succinate ER Tablets", "琥珀酸美托洛尔缓释片", "47.5 mg x 7", "47.5mg×7片",
           "47.5 mg orally once daily", "47.5mg 口服 每日1次", 24.1)),
        (("Low-salt diet; monitor blood pressure at home.", "低盐饮食，监测血压。"),)),
    Regimen(("Type 2 diabetes mellitus", "2型糖尿病"), "Endocrinology", (
        _d("Metformin Hydrochloride Tablets", "盐酸二甲双胍片", "0.5 g x 60", "0.5g×60片",
           "0.5 g orally twice daily with meals", "0.5g 口服 每日2次", 16.3),
        _d("Glimepiride Tablets", "格列美脲片", "2 mg x 30", "2mg×30片",
           "2 mg orally once daily before breakfast", "2mg 口服 每日1次 早餐前", 35.0),
        _d("Acarbose Tablets", "阿卡波糖片", "50 mg x 30", "50mg×30片",
           "50 mg orally three times daily with meals", "50mg 口服 每日3次 随餐", 42.8)),
        (("Diabetic diet; check fasting glucose weekly.", "糖尿病饮食，每周监测空腹血糖。"),)),
    Regimen(("Chronic gastritis", "慢性胃炎"), "Gastroenterology", (
        _d("Omeprazole Enteric-coated Capsules", "奥美拉唑肠溶胶囊", "20 mg x 14", "20mg×14粒",
           "20 mg orally twice daily before meals", "20mg 口服 每日2次 餐前", 19.7),
        _d("Mosapride Citrate Tablets", "枸橼酸莫沙必利片", "5 mg x 24", "5mg×24片",
           "5 mg orally three times daily", "5mg 口服 每日3次", 27.6),
        _d("Hydrotalcite Chewable Tablets", "铝碳酸镁咀嚼片", "0.5 g x 20", "0.5g×20片",
           "1 g chewed three times daily", "1g 嚼服 每日3次", 15.2)),
        (("Avoid spicy food and alcohol.", "忌辛辣刺激饮食，戒酒。"),)),
    Regimen(("Acute gastroenteritis", "急性胃肠炎"), "Emergency", (
        _d("Montmorillonite Powder", "蒙脱石散", "3 g x 10 sachets", "3g×10袋",
           "3 g orally three times daily", "3g 口服 每日3次", 12.0),
        _d("Oral Rehydration Salts III", "口服补液盐Ⅲ", "5.125 g x 6", "5.125g×6袋",
           "1 sachet in 250 mL water as needed", "1袋 溶于250ml水 口服", 8.5),
        _d("Bifidobacterium Triple Viable Capsules", "双歧杆菌三联活菌胶囊", "210 mg x 36",
           "210mg×36粒", "420 mg orally twice daily", "420mg 口服 每日2次", 33.4)),
        (("Light diet; return if fever or bloody stool.", "清淡饮食，如有发热或便血及时复诊。"),)),
    Regimen(("Hyperlipidemia", "高脂血症"), "Cardiology", (
        _d("Atorvastatin Calcium Tablets", "阿托伐他汀钙片", "20 mg x 7", "20mg×7片",
           "20 mg orally once nightly", "20mg 口服 每晚1次", 28.0),
        _d("Ezetimibe Tablets", "依折麦布片", "10 mg x 10", "10mg×10片",
           "10 mg orally once daily", "10mg 口服 每日1次", 45.6)),
        (("Recheck lipids and liver function in 4 weeks.", "4周后复查血脂、肝功能。"),)),
    Regimen(("Allergic rhinitis", "过敏性鼻炎"), "ENT", (
        _d("Loratadine Tablets", "氯雷他定片", "10 mg x 6", "10mg×6片",
           "10 mg orally once daily", "10mg 口服 每日1次", 17.5),
        _d("Mometasone Furoate Nasal Spray", "糠酸莫米松鼻喷雾剂", "50 µg x 60 sprays",
           "50µg×60揿", "2 sprays each nostril once daily", "每侧鼻孔2揿 每日1次", 68.0)),
        (("Avoid known allergens.", "避免接触过敏原。"),)),
    Regimen(("Acute bronchitis", "急性支气管炎"), "Respiratory Medicine", (
        _d("Cefixime Capsules", "头孢克肟胶囊", "0.1 g x 12", "0.1g×12粒",
           "0.1 g orally twice daily", "0.1g 口服 每日2次", 36.8),
        _d("Ambroxol Hydrochloride Tablets", "盐酸氨溴索片", "30 mg x 20", "30mg×20片",
           "30 mg orally three times daily", "30mg 口服 每日3次", 14.9),
        _d("Dextromethorphan Syrup", "右美沙芬糖浆", "100 mL", "100ml",
           "10 mL orally three times daily", "10ml 口服 每日3次", 21.3))),
    Regimen(("Gout", "痛风"), "Endocrinology", (
        _d("Colchicine Tablets", "秋水仙碱片", "0.5 mg x 20", "0.5mg×20片",
           "0.5 mg orally twice daily", "0.5mg 口服 每日2次", 11.2),
        _d("Febuxostat Tablets", "非布司他片", "40 mg x 16", "40mg×16片",
           "40 mg orally once daily", "40mg 口服 每日1次", 52.0),
        _d("Sodium Bicarbonate Tablets", "碳酸氢钠片", "0.5 g x 100", "0.5g×100片",
           "1 g orally three times daily", "1g 口服 每日3次", 6.5)),
        (("Low-purine diet; drink more water.", "低嘌呤饮食，多饮水。"),)),
    Regimen(("Urinary tract infection", "尿路感染"), "Urology", (
        _d("Levofloxacin Tablets", "左氧氟沙星片", "0.5 g x 4", "0.5g×4片",
           "0.5 g orally once daily", "0.5g 口服 每日1次", 25.3),
        _d("Sanjin Tablets", "三金片", "0.29 g x 72", "0.29g×72片",
           "3 tablets orally three times daily", "3片 口服 每日3次", 24.0)),
        (("Drink plenty of water.", "多饮水，勿憋尿。"),)),
)
