"""Shop receipts in the style of SROIE (Malaysia): company, date, address and total."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from medvie_synth import decor
from medvie_synth.canvas import Page, Style
from medvie_synth.kinds.base import Built, random_datetime
from medvie_synth.tables import people
from medvie_synth.tables.shops import GOODS, malaysian_address, malaysian_company
from medvie_synth.theme import MONO, SANS

DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%y", "%d %b %Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y")


class Tape:
    """A thermal receipt: lines of text centred or split into left/right columns."""

    def __init__(self, page: Page, style: Style, margin: float, spacing: float):
        self.page, self.style, self.margin, self.y = page, style, margin, margin * 0.8
        self.step = style.size * spacing

    def centre(self, text: str, style: Style | None = None) -> None:
        s = style or self.style
        self.page.text(self.page.width / 2, self.y, text, s, align="center")
        self.y += max(self.step, s.size * 1.3)

    def row(self, left: str, right: str = "", middle: str = "", style: Style | None = None,
            middle_x: float = 0.55) -> None:
        s = style or self.style
        if left:
            self.page.text(self.margin, self.y, left, s)
        if middle:
            self.page.text(self.page.width * middle_x, self.y, middle, s, align="right")
        if right:
            self.page.text(self.page.width - self.margin, self.y, right, s, align="right")
        self.y += self.step

    def rule(self, dashed: bool = True) -> None:
        y = self.y + self.step * 0.3
        x, end = self.margin, self.page.width - self.margin
        if dashed:
            while x < end:
                self.page.line(x, y, min(x + 6, end), y, 1)
                x += 10
        else:
            self.page.line(x, y, end, y, 1)
        self.y += self.step * 0.7


def thermal_ink(rng: random.Random) -> tuple[int, int, int]:
    grey = rng.randint(20, 90)
    return (grey, grey, grey)


def money(x: float) -> str:
    return f"{x:.2f}"


def build(rng: random.Random, language: str, options: dict[str, Any]) -> Built:
    width = rng.choice((480, 520, 560, 620))
    page = Page(width, 2400, background=(252, 252, 250))
    family = rng.choice(MONO["en"] + SANS["en"][:2])
    style = Style(family, rng.randint(15, 19), color=thermal_ink(rng))
    tape = Tape(page, style, width * rng.uniform(0.04, 0.07), rng.uniform(1.3, 1.55))
    company, trade = malaysian_company(rng)
    address = malaysian_address(rng)
    when: datetime = random_datetime(rng, 2016, 2019, (8, 22))
    date = when.strftime(rng.choice(DATE_FORMATS)).upper()

    tape.centre(company, style.but(bold=True, size=style.size + rng.choice((0, 1, 3))))
    if rng.random() < 0.6:
        tape.centre(f"(CO.REG : {rng.randint(10**5, 10**7 - 1)}-{rng.choice('AHKMPTUVWX')})")
    for line in address:
        tape.centre(line)
    if rng.random() < 0.7:
        tape.centre(f"TEL: 0{rng.randint(3, 9)}-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}")
    if rng.random() < 0.6:
        tape.centre(f"GST ID : 000{rng.randint(10**8, 10**9 - 1)}")
    tape.centre(rng.choice(("TAX INVOICE", "INVOICE", "RECEIPT", "CASH SALES", "SIMPLIFIED TAX INVOICE")))
    tape.row(f"{rng.choice(('INVOICE NO', 'DOC NO', 'RECEIPT #', 'BILL NO'))} : "
             f"{rng.choice(('CS', 'INV', 'OR', ''))}{rng.randint(10**5, 10**9)}")
    time = when.strftime(rng.choice(("%H:%M", "%H:%M:%S", "%I:%M %p")))
    if rng.random() < 0.5:
        tape.row(f"DATE : {date}", f"TIME : {time}")
    else:
        tape.row(date, time)
    if rng.random() < 0.6:
        cashier = people.person_name(rng, "en", rng.choice("MF")).upper().replace(",", "")
        tape.row(f"CASHIER : {cashier}")
    tape.rule()

    one_line = rng.random() < 0.5  # "NAME  QTY PRICE  AMOUNT", else the name, then "QTY X PRICE"
    if one_line and rng.random() < 0.7:
        tape.row("ITEM", "AMT", "QTY  PRICE", style.but(bold=True), middle_x=0.72)
        tape.rule()
    subtotal = 0.0
    for _ in range(rng.randint(1, 7)):
        name, lo, hi = rng.choice(GOODS[trade])
        qty = rng.choice((1, 1, 1, 2, 3, 4))
        price = round(rng.uniform(lo, hi) * 20) / 20
        amount = round(qty * price, 2)
        subtotal += amount
        if one_line:
            tape.row(name[:18], money(amount), f"{qty}  {money(price)}", middle_x=0.72)
        else:
            tape.row(name)
            tape.row(f"  {qty} X {money(price)}", money(amount))
    tape.rule()
    gst = round(subtotal * 0.06, 2) if rng.random() < 0.5 else 0.0
    total_exact = round(subtotal + gst, 2)
    total = round(round(total_exact * 20) / 20, 2)
    tape.row("TOTAL EXCL. GST" if gst and rng.random() < 0.5 else "SUB TOTAL", money(subtotal))
    if gst:
        tape.row("GST @6%", money(gst))
    if abs(total - total_exact) > 1e-9:
        tape.row("ROUNDING ADJ", f"{total - total_exact:.2f}")
    tape.row(rng.choice(("TOTAL", "TOTAL (RM)", "NETT TOTAL", "TOTAL AMOUNT", "TOTAL RM")),
             money(total), style=style.but(bold=rng.random() < 0.6))
    cash = total if rng.random() < 0.3 else float(next(c for c in (5, 10, 20, 50, 100, 200, 500)
                                                       if c >= total) if total <= 500 else total)
    tape.row("CASH", money(cash))
    tape.row("CHANGE", money(cash - total))
    tape.rule()
    tape.centre(rng.choice(("THANK YOU, PLEASE COME AGAIN", "THANK YOU & COME AGAIN!",
                            "GOODS SOLD ARE NOT RETURNABLE", "TERIMA KASIH")))
    page.crop_to(int(tape.y + tape.margin * 1.5))
    fade = rng.uniform(0.0, 0.55)
    decor.thermal_fade(page, rng, fade)
    gt = {"company": company, "date": date, "address": " ".join(address), "total": money(total)}
    return Built(page, gt, {"template": "receipt", "items": trade, "fade": round(fade, 2)})
