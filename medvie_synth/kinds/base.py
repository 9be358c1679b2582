"""What a kind builder returns, and small helpers shared by all kinds."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from medvie_synth.canvas import Page


@dataclass
class Built:
    """A rendered flat page with its ground truth and metadata (before any capture effects)."""

    page: Page
    gt: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


def choose_weighted(rng: random.Random, options: dict[str, float]) -> str:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def random_datetime(rng: random.Random, first_year: int = 2019, last_year: int = 2025,
                    hours: tuple[int, int] = (7, 17)) -> datetime:
    start = datetime(first_year, 1, 1)
    days = (datetime(last_year, 12, 31) - start).days
    day = start + timedelta(days=rng.randrange(days))
    return day.replace(hour=rng.randrange(*hours), minute=rng.randrange(60), second=rng.randrange(60))


# (date and time, date only) pairs, so that one document writes dates one way
DATETIME_FORMATS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("%m/%d/%Y %H:%M", "%m/%d/%Y"), ("%d/%m/%Y %H:%M", "%d/%m/%Y"),
           ("%d-%b-%Y %H:%M", "%d-%b-%Y"), ("%Y-%m-%d %H:%M", "%Y-%m-%d"),
           ("%b %d, %Y %I:%M %p", "%b %d, %Y"), ("%d.%m.%Y %H:%M", "%d.%m.%Y")),
    "zh": (("%Y-%m-%d %H:%M", "%Y-%m-%d"), ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
           ("%Y/%m/%d %H:%M", "%Y/%m/%d"), ("%Y年%m月%d日 %H:%M", "%Y年%m月%d日"),
           ("%Y.%m.%d %H:%M", "%Y.%m.%d")),
}


def format_time(when: datetime, fmt: str) -> str:
    return when.strftime(fmt)
