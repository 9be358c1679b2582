"""Restaurant receipts in the style of CORD (Indonesia): menu lines, subtotal, tax, total."""

from __future__ import annotations

import random
from typing import Any

from medvie_synth import decor
from medvie_synth.canvas import Page, Style
from medvie_synth.kinds.base import Built, random_datetime
from medvie_synth.kinds.receipt import Tape, thermal_ink
from medvie_synth.tables.shops import ID_CITIES, ID_MENU, ID_NAME_PARTS, ID_NAMES
from medvie_synth.theme import MONO, SANS


def rupiah(x: int, sep: str) -> str:
    return f"{x:,}".replace(",", sep)


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    width = rng.choice((460, 500, 540, 600))
    page = Page(width, 2400, background=(253, 252, 249))
    style = Style(rng.choice(MONO["en"] + SANS["en"][:2]), rng.randint(15, 19), color=thermal_ink(rng))
    tape = Tape(page, style, width * rng.uniform(0.04, 0.07), rng.uniform(1.3, 1.55))
    sep = rng.choice((",", ".", ""))
    store = f"{rng.choice(ID_NAME_PARTS)} {rng.choice(ID_NAMES)}"
    tape.centre(store, style.but(bold=True, size=style.size + 2))
    tape.centre(f"JL. {rng.choice(('MELATI', 'SUDIRMAN', 'GATOT SUBROTO', 'KEMANG RAYA'))} "
                f"NO.{rng.randint(1, 200)}")
    tape.centre(rng.choice(ID_CITIES))
    if rng.random() < 0.6:
        tape.centre(f"TELP. 021-{rng.randint(1000000, 9999999)}")
    when = random_datetime(rng, 2017, 2019, (10, 22))
    tape.rule()
    tape.row(when.strftime(rng.choice(("%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M"))))
    tape.row(f"{rng.choice(('TABLE', 'MEJA', 'NO. MEJA'))} : {rng.randint(1, 40)}",
             f"{rng.choice(('KASIR', 'CASHIER'))} : {rng.choice(('ANI', 'BUDI', 'SITI', 'RINA'))}")
    tape.rule()

    menu, subtotal = [], 0
    two_line = rng.random() < 0.4
    cnt_style = rng.choice(("{n}", "{n}x", "x{n}", "{n} x"))
    for name, lo, hi in rng.sample(ID_MENU, rng.randint(1, 6)):
        n = rng.choice((1, 1, 1, 2, 2, 3))
        unit = rng.randint(lo, hi) * 1000
        price = n * unit
        subtotal += price
        cnt = cnt_style.format(n=n)
        if two_line:
            tape.row(name)
            tape.row(f"  {cnt} @ {rupiah(unit, sep)}", rupiah(price, sep))
        else:
            tape.row(f"{cnt} {name}", rupiah(price, sep))
        menu.append({"nm": name, "cnt": cnt, "price": rupiah(price, sep)})
    tape.rule()
    gt: dict[str, Any] = {"menu": menu}
    taxed = rng.random() < 0.6
    tax = round(subtotal * 0.1) if taxed else 0
    total = subtotal + tax
    sub_total = {"subtotal_price": rupiah(subtotal, sep)}
    tape.row(rng.choice(("SUBTOTAL", "SUB TOTAL", "TOTAL ITEM")), sub_total["subtotal_price"])
    if taxed:
        sub_total["tax_price"] = rupiah(tax, sep)
        tape.row(rng.choice(("TAX 10%", "PB1 10%", "PPN 10%")), sub_total["tax_price"])
    gt["sub_total"] = sub_total
    total_gt = {"total_price": rupiah(total, sep)}
    tape.row("TOTAL", total_gt["total_price"], style=style.but(bold=True))
    if rng.random() < 0.7:
        cash = next(c for c in (total, 50000, 100000, 150000, 200000, 500000, 10**6, 10**7)
                    if c >= total and (c == total or c % 50000 == 0))
        total_gt["cashprice"] = rupiah(cash, sep)
        total_gt["changeprice"] = rupiah(cash - total, sep)
        tape.row(rng.choice(("CASH", "TUNAI")), total_gt["cashprice"])
        tape.row(rng.choice(("CHANGE", "KEMBALI")), total_gt["changeprice"])
    gt["total"] = total_gt
    tape.rule()
    tape.centre(rng.choice(("TERIMA KASIH", "THANK YOU", "SELAMAT MENIKMATI")))
    page.crop_to(int(tape.y + tape.margin * 1.5))
    fade = rng.uniform(0.0, 0.55)
    decor.thermal_fade(page, rng, fade)
    return Built(page, gt, {"template": "cord-two-line" if two_line else "cord-one-line",
                            "fade": round(fade, 2)})
