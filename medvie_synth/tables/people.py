"""Patients, clinicians, hospitals and departments, per language."""

from __future__ import annotations

import random

EN_FIRST_MALE = (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Kevin",
    "Brian", "George", "Edward", "Ronald", "Timothy", "Jason", "Ryan", "Gary", "Eric", "Peter",
    "Samuel", "Henry", "Arthur", "Oliver", "Omar", "Raj", "Luis", "Wei", "Hiro", "Ahmed",
)
EN_FIRST_FEMALE = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Nancy", "Lisa", "Margaret", "Sandra", "Ashley", "Emily", "Donna",
    "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Laura", "Rebecca", "Sharon", "Helen",
    "Anna", "Grace", "Olivia", "Sophia", "Fatima", "Priya", "Maria", "Mei", "Yuki", "Ingrid",
)
EN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Patel",
    "Nguyen", "Kim", "Chen", "O'Brien", "McKenzie", "Fischer", "Kowalski", "Okafor", "Haddad",
)
ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
ZH_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容")
ZH_GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉建国峰浩鹏志斌波宇晨俊鑫博文海亮华飞毅瑞凯东林成德庆"
ZH_GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英梅琳婷雪慧颖倩洁琴云莉兰红燕萍佳欣悦怡晶丹月凤"

DEPARTMENTS = (
    # (en, zh)
    ("Internal Medicine", "内科"),
    ("Cardiology", "心内科"),
    ("Gastroenterology", "消化内科"),
    ("Respiratory Medicine", "呼吸内科"),
    ("Neurology", "神经内科"),
    ("Endocrinology", "内分泌科"),
    ("Nephrology", "肾内科"),
    ("General Surgery", "普外科"),
    ("Orthopedics", "骨科"),
    ("Gynecology", "妇科"),
    ("Obstetrics", "产科"),
    ("Pediatrics", "儿科"),
    ("Emergency", "急诊科"),
    ("Health Check Center", "体检中心"),
    ("Infectious Diseases", "感染科"),
    ("Urology", "泌尿外科"),
    ("Oncology", "肿瘤科"),
    ("Hematology", "血液科"),
    ("Dermatology", "皮肤科"),
    ("Geriatrics", "老年医学科"),
    ("ENT", "耳鼻喉科"),
    ("Outpatient Clinic", "门诊"),
)

ZH_CITIES = (
    "江州", "临海", "东阳", "南平", "安庆", "宜昌", "襄阳", "绵阳", "常德", "九江", "泰州", "湖州",
    "德州", "遵义", "柳州", "曲靖", "赣州", "邢台", "洛阳", "延吉", "铜陵", "丽水", "潍坊", "汕头",
)
ZH_HOSPITAL_PATTERNS = (
    "{city}市第{n}人民医院", "{city}市中心医院", "{city}医学院附属第{n}医院", "{city}市中医医院",
    "{city}市人民医院", "{city}市妇幼保健院", "{city}市第{n}医院", "{city}大学附属医院",
)
ZH_NUMERALS = "一二三四五六"
EN_PLACES = (
    "Riverside", "Lakeview", "Northgate", "Maple Valley", "Westbrook", "Cedar Hills",
    "Harborview", "Springfield", "Oakridge", "Fairmont", "Kingsbridge", "Ashford", "Brookfield",
    "Elmwood", "Greenfield", "Highland Park", "Stonebridge", "Bayside", "Millbrook", "Pinecrest",
)
EN_HOSPITAL_PATTERNS = (
    "{place} General Hospital", "{place} Medical Center", "{place} University Hospital",
    "St. {saint}'s Hospital", "{place} Community Hospital", "{place} Regional Medical Center",
    "{place} Memorial Hospital", "St. {saint}'s Health Centre",
)
EN_SAINTS = ("Mary", "Luke", "Jude", "Vincent", "Anne", "Joseph", "Francis", "Catherine", "Paul")


def person_name(rng: random.Random, language: str, gender: str) -> str:
    """A full name in the document's language (``gender`` is ``"M"`` or ``"F"``)."""
    if language == "zh":
        surname = (rng.choice(ZH_COMPOUND_SURNAMES) if rng.random() < 0.03
                   else rng.choice(ZH_SURNAMES))
        pool = ZH_GIVEN_MALE if gender == "M" else ZH_GIVEN_FEMALE
        given = "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.35 else 2))
        return surname + given
    first = rng.choice(EN_FIRST_MALE if gender == "M" else EN_FIRST_FEMALE)
    last = rng.choice(EN_LAST)
    style = rng.random()
    if style < 0.6:
        return f"{first} {last}"
    if style < 0.85:
        return f"{last.upper()}, {first.upper()}"
    return f"{last}, {first}"


def clinician_name(rng: random.Random, language: str) -> str:
    """A doctor or technician as printed in signature fields."""
    gender = rng.choice("MF")
    if language == "zh":
        return person_name(rng, language, gender)
    first = rng.choice(EN_FIRST_MALE if gender == "M" else EN_FIRST_FEMALE)
    last = rng.choice(EN_LAST)
    return f"Dr. {first[0]}. {last}" if rng.random() < 0.5 else f"{first} {last}"


def hospital_name(rng: random.Random, language: str) -> str:
    if language == "zh":
        return rng.choice(ZH_HOSPITAL_PATTERNS).format(
            city=rng.choice(ZH_CITIES), n=rng.choice(ZH_NUMERALS)
        )
    return rng.choice(EN_HOSPITAL_PATTERNS).format(
        place=rng.choice(EN_PLACES), saint=rng.choice(EN_SAINTS)
    )


def gender_text(rng: random.Random, language: str, gender: str, style: int) -> str:
    if language == "zh":
        return "男" if gender == "M" else "女"
    return (("Male", "Female"), ("M", "F"), ("MALE", "FEMALE"))[style % 3][gender == "F"]


def age_text(language: str, age: int, style: int) -> str:
    if language == "zh":
        return (f"{age}岁", f"{age}", f"{age}岁")[style % 3]
    return (f"{age}", f"{age} Y", f"{age} years", f"{age}Y")[style % 4]
