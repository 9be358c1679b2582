"""Chinese railway tickets (the fields of the classic Train Ticket VIE dataset)."""

from __future__ import annotations

import random
from typing import Any

from medvie_synth.canvas import Page, Style
from medvie_synth.kinds.base import Built, random_datetime
from medvie_synth.tables.people import person_name
from medvie_synth.tables.shops import CN_SEATS, CN_STATIONS

RED = (190, 30, 35)


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    w = rng.choice((860, 900, 960))
    h = int(w * 0.63)
    page = Page(w, h, background=(206, 226, 240) if rng.random() < 0.7 else (236, 214, 222))
    for x in range(0, w, 14):  # the guilloche-like background pattern
        page.line(x, 0, x + h * 0.4, h, 1, (196, 216, 232) if page.image.getpixel((1, 1))[2] > 230
                  else (226, 204, 214))
    sans = "Noto Sans CJK SC"
    body = Style(sans, round(w * 0.026))
    big = Style(sans, round(w * 0.042), bold=True)
    m = w * 0.06
    (start, start_py), (end, end_py) = rng.sample(CN_STATIONS, 2)
    seat, rate_per_km = rng.choice(CN_SEATS)
    km = rng.randint(120, 1800)
    price = f"¥{km * rate_per_km:.1f}元"
    train = f"{rng.choice('GGGDDKTZ')}{rng.randint(1, 9999 if rng.random() < 0.3 else 999)}"
    when = random_datetime(rng, 2016, 2020, (6, 22))
    date = when.strftime("%Y年%m月%d日")
    ticket_num = f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10**5, 10**6 - 1)}"
    name = person_name(rng, "zh", rng.choice("MF"))
    id_number = f"{rng.randint(110000, 659999)}{rng.randint(1950, 2005)}****{rng.randint(1000, 9999)}"

    page.text(m, m * 0.6, ticket_num, Style(sans, round(w * 0.034), color=RED))
    if rng.random() < 0.7:
        page.text(w - m, m * 0.6, f"{rng.choice(('北京', '上海', '广州', '检'))}售", body, align="right")
    y = m * 0.6 + w * 0.06
    page.text(m + w * 0.04, y, f"{start}站", big)
    page.text(w / 2, y + w * 0.005, train, big.but(size=round(w * 0.036)), align="center")
    page.text(w - m - w * 0.04, y, f"{end}站", big, align="right")
    y += big.size * 1.45
    page.line(w / 2 - w * 0.08, y - big.size * 0.15, w / 2 + w * 0.08, y - big.size * 0.15, 2)
    page.text(m + w * 0.06, y, start_py, body.but(size=round(body.size * 0.85)))
    page.text(w - m - w * 0.06, y, end_py, body.but(size=round(body.size * 0.85)), align="right")
    y += body.size * 2.0
    car = f"{rng.randint(1, 16):02d}车{rng.randint(1, 20):02d}{rng.choice('ABCDF')}号"
    page.text(m, y, f"{date} {when:%H:%M}开", body)
    page.text(w - m, y, car, body, align="right")
    y += body.size * 1.8
    page.text(m, y, price, body)
    page.text(w - m, y, seat, body, align="right")
    y += body.size * 1.8
    if rng.random() < 0.6:
        page.text(m, y, rng.choice(("限乘当日当次车", "仅供报销使用", "网")), body)
        y += body.size * 1.8
    page.text(m, y, f"{id_number}{name}" if rng.random() < 0.5 else f"{id_number} {name}", body)
    y += body.size * 2.0
    box_h = body.size * 2.6
    page.rect(m, y, w - m * 2.6, y + box_h, outline=(90, 90, 90))
    page.text(m + body.size, y + box_h * 0.25, rng.choice(("买票请到12306 发货请到95306",
                                                           "报销凭证 遗失不补", "中国铁路祝您旅途愉快")),
              body.but(size=round(body.size * 0.85)))
    page.text(m, h - body.size * 1.8, f"{rng.randint(10**19, 10**20 - 1)}{rng.choice('JMX')} "
              f"{start}售", body.but(size=round(body.size * 0.8)))
    gt = {"ticket_num": ticket_num, "starting_station": f"{start}站", "train_num": train,
          "destination_station": f"{end}站", "date": date, "ticket_rates": price,
          "seat_category": seat, "name": name}
    return Built(page, gt, {"template": "train-ticket"})
