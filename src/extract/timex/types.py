"""What the time layer finds: the public `TimeExpr`, and the two internal shapes between the
grammar and resolution (a `CalendarSpec` of the fields the text gives, a `Candidate` match)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

date = _dt.date

@dataclass(frozen=True, slots=True)
class TimeExpr:
    """One time expression found in a text.

    ``start``/``end`` index the string given to :func:`find_times` (``text[start:end] == text``).
    ``kind``: date, week, month, quarter, half, year, decade, range, plan, since, from, by, window,
    duration, relative. ``grain``: the unit of its end point (day, week, month, quarter, half, year,
    decade; holiday for a holiday's days off such as 国庆黄金周), None for durations. ``anchor`` is True when the text alone fixes the dates (2025年,
    十四五期间), False when they depend on ``ref`` or on context. ``resolved_by``: ``text``, ``ref``,
    ``context`` or None (dates unknown). ``role``: ``period``, or ``baseline`` for the
    compared-against period after 比/较/与 (比上年, 较去年同期). ``duration``: ISO 8601 length of
    durations and windows (P3Y, PT2H), None otherwise or when approximate (三四年).
    """

    start: int
    end: int
    text: str
    kind: str
    start_date: date | None
    end_date: date | None
    anchor: bool
    grain: str | None = None
    role: str = "period"
    resolved_by: str | None = None
    duration: str | None = None


# --------------------------------------------------------------------------------------------
# Internal representation: a calendar spec says which fields the text gives and where the
# missing ones come from; resolution fills them from the text, the context or ref.


@dataclass(slots=True)
class CalendarSpec:
    y: int | None = None  # absolute year
    yo: int | None = None  # year offset from the ref year
    yc: int | None = None  # year offset from the context year
    m1: int | None = None  # first month (None: whole year, or month from elsewhere)
    m2: int | None = None  # last month
    mo: int | None = None  # month offset from the ref month (本月, 上月)
    mc: int | None = None  # month offset from the context month (当月)
    d1: int | None = None  # first day (in m1)
    d2: int | None = None  # last day (in m2)
    pt: tuple[Any, Any] | None = None  # point inside the unit: (first, last) day, "last" = its end
    inherited_year: bool = False  # second half of a range that took its year from the first
    own: bool = False  # free, but in the context's or ref's own year, never the one before
    own_month: bool = False  # the same for the month (月底)
    reported: bool = False  # yo/mo count from the reported year (month) in force, if any (上年, 上月)

    def has_year(self) -> bool:
        return self.y is not None or self.yo is not None or self.yc is not None

    def has_month_source(self) -> bool:
        return self.mo is not None or self.mc is not None

    def free_day(self) -> bool:
        return self.m1 is None and self.d1 is not None and not self.has_month_source()


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    fam: str
    prio: int
    kind: str
    grain: str | None
    data: Any = None
    mod: str | None = None  # since, from, asof, target, by, before
    role: str = "period"
    duration: str | None = None
    extra: dict = field(default_factory=dict)

