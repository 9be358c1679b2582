"""Shops, streets and goods for receipt-like documents (Malaysian SROIE-style, Indonesian
CORD-style) and Chinese railway stations for tickets. All names are made up from parts."""

from __future__ import annotations

import random

MY_NAME_PARTS = (
    "LIAN HUAT", "SRI MAJU", "AIK CHEONG", "HOCK SENG", "GOLDEN BAY", "MAJU JAYA", "TECK HIN",
    "SIN HUAT", "KIM LONG", "BINTANG", "SENG FATT", "WAH LEE", "CAHAYA", "SURIA", "MEGA",
    "PERMATA", "KAMPUNG BARU", "HUP CHONG", "YEW KEE", "TAI SENG", "NAM HENG", "DELIMA",
)
MY_TRADES = (
    ("HARDWARE", "hardware"), ("TRADING", "hardware"), ("ENTERPRISE", "grocery"),
    ("MINI MARKET", "grocery"), ("RESTORAN", "food"), ("BAKERY", "food"), ("STATIONERY", "stationery"),
    ("KEDAI RUNCIT", "grocery"), ("CAFE", "food"), ("BOOK CENTRE", "stationery"),
)
MY_SUFFIXES = ("SDN BHD", "SDN. BHD.", "", "(M) SDN BHD", "ENTERPRISE")
MY_STREETS = ("JALAN MERANTI", "JALAN PUTRA", "JALAN BUNGA RAYA", "JALAN KENARI", "JALAN SEROJA",
              "JALAN INDAH", "JALAN PERDANA", "JALAN MAWAR", "JALAN SULTAN", "JALAN IMPIAN")
MY_AREAS = ("TAMAN SRI MUDA", "TAMAN DESA JAYA", "TAMAN MELAWATI", "TAMAN PELANGI",
            "BANDAR BARU", "TAMAN UNIVERSITI", "KAWASAN PERINDUSTRIAN", "TAMAN MUTIARA")
MY_CITIES = (("43000", "KAJANG", "SELANGOR"), ("81200", "JOHOR BAHRU", "JOHOR"),
             ("47500", "SUBANG JAYA", "SELANGOR"), ("56100", "CHERAS", "KUALA LUMPUR"),
             ("40150", "SHAH ALAM", "SELANGOR"), ("52100", "KEPONG", "KUALA LUMPUR"),
             ("10450", "GEORGETOWN", "PULAU PINANG"), ("31400", "IPOH", "PERAK"),
             ("75200", "MELAKA", "MELAKA"), ("81300", "SKUDAI", "JOHOR"))
GOODS = {
    "hardware": (("PVC PIPE 1/2\"", 3.5, 12), ("CABLE TIE 200MM", 2.9, 6.5), ("WOOD SCREW 1\"", 1.2, 4),
                 ("MASKING TAPE 24MM", 2.5, 5), ("PAINT BRUSH 2\"", 3.9, 9.9), ("DOOR HINGE 4\"", 5.5, 14),
                 ("SANDPAPER #120", 0.8, 2.5), ("WALL PLUG 6MM", 1.5, 3.5), ("SILICONE SEALANT", 8.9, 18)),
    "grocery": (("MILO 1KG", 22.9, 29.9), ("GARDENIA BREAD", 3.6, 4.8), ("EGG GRADE A 10S", 4.2, 6.5),
                ("MINERAL WATER 1.5L", 1.2, 2.5), ("INSTANT NOODLE 5S", 4.5, 7.9),
                ("COOKING OIL 2KG", 9.9, 14.5), ("SUGAR 1KG", 2.8, 3.5), ("TEH TARIK 3IN1", 8.5, 12.9)),
    "food": (("NASI LEMAK AYAM", 7.5, 12), ("MEE GORENG", 5.5, 8), ("TEH O AIS", 1.8, 2.8),
             ("ROTI CANAI", 1.2, 2.0), ("KOPI PENG", 2.2, 3.2), ("CHICKEN RICE", 6.5, 9.5),
             ("CURRY PUFF", 1.5, 2.5), ("LAKSA", 7.0, 10.5), ("BUTTER CAKE", 3.5, 6)),
    "stationery": (("A4 PAPER 70GSM", 10.9, 15.9), ("BALL PEN BLUE", 1.0, 2.5),
                   ("EXERCISE BOOK", 1.5, 3.5), ("CORRECTION TAPE", 2.9, 5.5),
                   ("FILE FOLDER", 1.8, 4.5), ("STAPLER NO.10", 6.9, 12.9), ("GLUE STICK", 2.5, 4.9)),
}

ID_NAME_PARTS = ("WARUNG", "KEDAI", "RUMAH MAKAN", "KOPI", "BAKMI", "SATE", "DAPUR", "RESTO")
ID_NAMES = ("SEDERHANA", "BAROKAH", "NUSANTARA", "PAK KUMIS", "BU TINI", "SUKA RASA", "MANTAP",
            "KENANGAN", "BINTANG", "SENJA", "JAYA ABADI", "CITRA")
ID_CITIES = ("JAKARTA SELATAN", "BANDUNG", "SURABAYA", "YOGYAKARTA", "TANGERANG", "BEKASI")
ID_MENU = (("NASI GORENG SPESIAL", 25, 45), ("MIE AYAM BAKSO", 18, 30), ("ES TEH MANIS", 5, 10),
           ("AYAM BAKAR", 28, 45), ("SATE AYAM 10 TSK", 25, 40), ("ES JERUK", 8, 15),
           ("KOPI SUSU GULA AREN", 18, 28), ("NASI PUTIH", 5, 8), ("TAHU TELOR", 15, 25),
           ("SOTO BETAWI", 30, 45), ("PISANG GORENG", 12, 20), ("AIR MINERAL", 5, 8),
           ("BAKSO URAT", 22, 35), ("CAPPUCCINO ICE", 25, 38), ("CROISSANT", 20, 32),
           ("GADO GADO", 20, 30), ("JUS ALPUKAT", 15, 25), ("KENTANG GORENG", 18, 28))

# (station, pinyin)
CN_STATIONS = (("北京南", "Beijingnan"), ("上海虹桥", "Shanghaihongqiao"), ("南京南", "Nanjingnan"),
               ("杭州东", "Hangzhoudong"), ("武汉", "Wuhan"), ("广州南", "Guangzhounan"),
               ("深圳北", "Shenzhenbei"), ("郑州东", "Zhengzhoudong"), ("西安北", "Xi'anbei"),
               ("成都东", "Chengdudong"), ("长沙南", "Changshanan"), ("济南西", "Jinanxi"),
               ("天津西", "Tianjinxi"), ("合肥南", "Hefeinan"), ("苏州", "Suzhou"),
               ("重庆北", "Chongqingbei"), ("福州", "Fuzhou"), ("沈阳北", "Shenyangbei"))
CN_SEATS = (("二等座", 0.46), ("一等座", 0.74), ("商务座", 1.45), ("硬座", 0.15), ("硬卧", 0.28),
            ("软卧", 0.42))


def malaysian_company(rng: random.Random) -> tuple[str, str]:
    """(company name, what it sells)."""
    trade, goods = rng.choice(MY_TRADES)
    name = rng.choice(MY_NAME_PARTS)
    suffix = rng.choice(MY_SUFFIXES)
    if trade == "RESTORAN" or trade == "KEDAI RUNCIT":
        text = f"{trade} {name}"
    else:
        text = f"{name} {trade}"
    return (f"{text} {suffix}".strip() if suffix != trade else text), goods


def malaysian_address(rng: random.Random) -> list[str]:
    """Address lines as printed (each but the last ends with a comma)."""
    postcode, city, state = rng.choice(MY_CITIES)
    first = rng.choice((f"NO {rng.randint(1, 120)}, {rng.choice(MY_STREETS)} {rng.randint(1, 30)},",
                        f"LOT {rng.randint(100, 9999)}, {rng.choice(MY_STREETS)},",
                        f"NO.{rng.randint(1, 60)}-{rng.randint(1, 3)}, {rng.choice(MY_STREETS)},"))
    lines = [first, f"{rng.choice(MY_AREAS)},", f"{postcode} {city},", f"{state}."]
    if rng.random() < 0.5:  # postcode, city and state on one line
        lines[2:] = [f"{postcode} {city}, {state}."]
    return lines
