"""Resolution: each selected candidate to ISO dates, against the document date and the paragraph's
context; `find_times` is the layer's entry point.

Resolution rules (all end dates are inclusive)
----------------------------------------------
* A year, month, quarter or half is the whole unit: 2025年 -> 2025-01-01..2025-12-31.
* Plans: 十四五(期间/时期) -> 2021-01-01..2025-12-31; 末/末期/收官之年 -> the last year; 初/初期/开局之年 ->
  the first year; 前N年/后N年/第N年 -> those years.
* Relative words (今年, 去年, 上年, 本月, 昨天, 上周, 本季度) are resolved against ``ref``.
* Context words (当年, 同年, 次年, 当月) take the year (month) of the last period named before them
  in the same paragraph; 当天/当日/次日 the last single day named before them anywhere. Without
  one their dates stay None.
* Weeks start on Monday: 上周一 is the Monday of last week; a bare 周三 is the latest Wednesday on
  or before ref. Decades: 上世纪90年代 -> 1990..1999; a bare 八十年代 is the latest one not after ref.
* A period written without its year (一季度, 5月21日, 1-8月, 上半年, 全年) takes the year of the last
  single-year period named before it in the same paragraph (2025年……一季度 -> 2025); failing
  that, the one year the title line names, if it is the ref year or the year before (a bulletin
  titled 2025年…统计公报 and dated March 2026: 全年 -> 2025, 年末 -> 2025-12-31); failing that,
  the instance nearest to ``ref`` among the ref year and the year before (so in an article of
  2026-02-10, 四季度 is 2025 Q4 and 6月1日 is 2026-06-01; ties go to the ref year). A bare day
  (21日) likewise takes the month from context, else the nearest of the ref month and the month
  before. 年底/年初/月底 written alone take the context's or ref's own year (month), never the
  previous one (年底前 in May is this December). An impossible date (2月30日) is still a time
  expression, with dates None.
* "by" dates name a moment: 截至X / 至X / 直到X / X前 -> start = end = the last day of X
  (截至6月底 -> 06-30..06-30, 截至2025年末 -> 2025-12-31, 截至目前 -> ref..ref, 2030年前 ->
  2030-12-31): the figure is a level or a running total at that moment, and the text does not say
  when the running total started. 到X is a target: the period X itself (到2025年 -> 2025, 到十五五末期
  -> 2030). X以前/之前 is "before X": None..the day before X starts.
* X以来 / X至今: start of X .. ref (end None without ref); a year-free X is the latest one already
  begun (10月份以来 in a May article is last October), and the paragraph's year is dropped after
  it (the story has moved to "now"). X起 / X以后: start of X .. None.
* Windows: 近三年 / 过去十年 / 三年来 -> the N units before ref (ref-N .. ref-1 day); 未来两天 / 今后五年 ->
  the N units after ref. Durations (三年, 两个小时, 15日内) have no dates, only ``duration`` (ISO 8601).
* 去年同期 / 上年同期: kind ``relative``, role ``baseline``, dates None (the same period of another
  year: only the compared figure's own period could fix it). 同期 alone (同期，全省……) is the period
  in force: the dates of the last period named in the paragraph. After 比/较/与 an expression has
  role ``baseline``: it is the compared-against period of a growth rate, not the period of the
  number.
* Two-digit years: below 50 -> 20xx, else 19xx (07年 -> 2007, 89 -> 1989).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as _dt
from collections.abc import Callable
from dataclasses import replace
from functools import cache

import regex

from extract.text.layout import headline_span
from extract.timex.grammar import grammar
from extract.timex.scan import scan, whole_text_scan
from extract.timex.types import CalendarSpec, Candidate, TimeExpr

date = _dt.date


# --------------------------------------------------------------------------------------------
# Resolution


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _add_months(d: date, k: int) -> date:
    y, m = _shift_month(d.year, d.month, k)
    return date(y, m, min(d.day, _last_day(y, m)))


def _cal_dates(s: CalendarSpec, Y: int, M: int | None) -> tuple[date, date] | None:
    """Dates of a spec once its year (and, for month-free specs, month) are known."""
    if not 1 <= Y <= 9999:
        return None
    try:
        ma = s.m1 if s.m1 is not None else M
        if ma is None:
            a, b = date(Y, 1, 1), date(Y, 12, 31)
        else:
            mb = s.m2 if s.m2 is not None else ma
            a = date(Y, ma, s.d1 if s.d1 is not None else 1)
            b = date(Y, mb, s.d2 if s.d2 is not None else _last_day(Y, mb))
            if b < a and s.m2 is not None and s.m2 < ma:
                b = date(Y + 1, mb, s.d2 if s.d2 is not None else _last_day(Y + 1, mb))
        if s.pt is not None:
            p, q = s.pt
            first = a
            a = b if p == "last" else first.replace(day=int(p)) if ma is not None else first
            b = b if q == "last" else first.replace(day=int(q)) if ma is not None else first
    except ValueError:
        return None
    return a, b


def _distance(span: tuple[date, date], ref: date) -> int:
    a, b = span
    if a <= ref <= b:
        return 0
    return (a - ref).days if a > ref else (ref - b).days


def _nearest(
    fn: Callable[[int], tuple[date, date] | None], here: int, back: int, ref: date, past: bool = False
):
    """The instance nearest to `ref` among `here` and the one before it (years or months counted
    as integers); ties go to `here`. When both are impossible (2月29日 outside a leap year) the
    latest possible one before them, at most `back` steps back. With `past`, the latest instance
    that has begun by `ref` (5月以来 in a March article is last May)."""
    if past:
        for k in range(here, here - back, -1):
            v = fn(k)
            if v and v[0] <= ref:
                return v
        return None
    a, b = fn(here), fn(here - 1)
    if a and b:
        return a if _distance(a, ref) <= _distance(b, ref) else b
    if a or b:
        return a or b
    for k in range(here - 2, here - back, -1):
        v = fn(k)
        if v:
            return v
    return None


class _Ctx:
    """What a year-free expression can lean on: the year (and month) of the last single-year
    period in the current paragraph, the last period of any length there (for 同期), and the year
    the title names. Paragraph breaks are looked up by bisection in the newline offsets, so a huge
    one-line text stays linear."""

    __slots__ = ("day", "end", "newlines", "span", "span_end", "title_year", "year", "ym")

    def __init__(self, text: str, ref: date | None) -> None:
        self.year: int | None = None
        self.ym: tuple[int, int] | None = None
        self.end = 0
        self.span: tuple[date, date] | None = None
        self.span_end = 0
        self.day: date | None = None  # the last single day named, anywhere before (当天, 次日)
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)] if "\n" in text else []
        self.title_year = _reporting_year(text, ref)

    def same_paragraph(self, end: int, pos: int) -> bool:
        i = bisect.bisect_left(self.newlines, end)
        return i == len(self.newlines) or self.newlines[i] >= pos

    def year_at(self, pos: int) -> tuple[int | None, tuple[int, int] | None]:
        if self.year is not None and self.same_paragraph(self.end, pos):
            return self.year, self.ym
        return self.title_year, None

    def span_at(self, pos: int) -> tuple[date, date] | None:
        if self.span is not None and self.same_paragraph(self.span_end, pos):
            return self.span
        return None


def _reporting_year(text: str, ref: date | None) -> int | None:
    """The year the article reports on, for the paragraphs that name none: the one year its
    headline names (四平市2025年国民经济和社会发展统计公报), else the year its body opens with
    (2025年，全市…: a communiqué's first words), if it is the document's year or the one before."""
    head = headline_span(text)
    years: set[int] = set()
    if head is not None:
        years = {c.data.y for c in scan(text[head[0]:head[1]]) if _plain_year(c)}
    if not years:
        body = head[1] if head is not None else 0
        body += len(text[body:]) - len(text[body:].lstrip())
        opening = [c for c in scan(text[body:body + 16]) if c.start == 0]
        if opening and _plain_year(opening[0]) and opening[0].data.m1 is None \
                and text[body + opening[0].end:body + opening[0].end + 1] in ("，", ","):
            years = {opening[0].data.y}
    if len(years) != 1:
        return None
    y = years.pop()
    if ref is not None and y not in (ref.year, ref.year - 1):
        return None
    return y


def _plain_year(c: Candidate) -> bool:
    return c.fam == "cal" and isinstance(c.data, CalendarSpec) and c.data.y is not None and c.mod is None


_NEWLINE = regex.compile("\n")


def _resolve_cal(
    s: CalendarSpec, ref: date | None, ctx_year: int | None, ctx_ym, past: bool = False
) -> tuple[date | None, date | None, str | None]:
    # month from a relative or context word (本月, 上月, 当月)
    if s.mo is not None or s.mc is not None:
        if s.mo is not None and s.reported and ctx_ym is not None:
            y, m = _shift_month(ctx_ym[0], ctx_ym[1], s.mo)  # 5月……比上月: April
            by = "context"
        elif s.mo is not None:
            if ref is None:
                return None, None, None
            base_y, base_m, by = ref.year, ref.month, "ref"
            y, m = _shift_month(base_y, base_m, s.mo)
        else:
            if ctx_ym is None:
                return None, None, None
            y, m = _shift_month(ctx_ym[0], ctx_ym[1], s.mc)
            by = "context"
        if s.y is not None:
            y, by = s.y, "text"
        elif s.yo is not None and ref is not None:
            y = ref.year + s.yo
        r = _cal_dates(s, y, m)
        return (r[0], r[1], by) if r else (None, None, None)
    if s.y is not None:
        if s.free_day():
            return None, None, None
        r = _cal_dates(s, s.y, None)
        return (r[0], r[1], "text") if r else (None, None, None)
    if s.yo is not None and s.reported and ctx_year is not None:
        r = _cal_dates(s, ctx_year + s.yo, None)  # 2025年……比上年: 2024
        return (r[0], r[1], "context") if r else (None, None, None)
    if s.yo is not None:
        if ref is None:
            return None, None, None
        r = _cal_dates(s, ref.year + s.yo, None)
        return (r[0], r[1], "ref") if r else (None, None, None)
    if s.yc is not None:
        if ctx_year is None:
            return None, None, None
        r = _cal_dates(s, ctx_year + s.yc, None)
        return (r[0], r[1], "context") if r else (None, None, None)
    # points written alone (年底, 月底): the context's unit, else the ref's own one
    if s.own_month:
        ym = ctx_ym if ctx_ym is not None else ((ref.year, ref.month) if ref else None)
        r = _cal_dates(s, *ym) if ym else None
        return (r[0], r[1], "context" if ctx_ym is not None else "ref") if r else (None, None, None)
    if s.own:
        y = ctx_year if ctx_year is not None else (ref.year if ref else None)
        r = _cal_dates(s, y, None) if y is not None else None
        return (r[0], r[1], "context" if ctx_year is not None else "ref") if r else (None, None, None)
    # free: no year in the text
    if s.free_day():
        if ctx_ym is not None:
            r = _cal_dates(s, ctx_ym[0], ctx_ym[1])
            return (r[0], r[1], "context") if r else (None, None, None)
        if ref is None:
            return None, None, None
        r = _nearest(
            lambda k: _cal_dates(s, k // 12, k % 12 + 1), ref.year * 12 + ref.month - 1, 12, ref, past
        )
        return (r[0], r[1], "ref") if r else (None, None, None)
    if ctx_year is not None:
        r = _cal_dates(s, ctx_year, None)
        return (r[0], r[1], "context") if r else (None, None, None)
    if ref is None:
        return None, None, None
    r = _nearest(lambda y: _cal_dates(s, y, None), ref.year, 9, ref, past)
    return (r[0], r[1], "ref") if r else (None, None, None)


def _source_rank(a: str | None, b: str | None) -> str | None:
    order = {None: 0, "text": 1, "ref": 2, "context": 3}
    return a if order[a] >= order[b] else b


def _resolve_range(pair, ref, ctx_year, ctx_ym, past: bool = False):
    a, b = pair
    if not a.has_year() and not a.has_month_source() and not b.has_year() and not b.has_month_source():
        # a year-free range: choose one year for both ends, by context or nearest to ref
        def span(y: int, m: int | None = None):
            ra, rb = _cal_dates(a, y, m), _cal_dates(b, y, m)
            if not ra or not rb:
                return None
            lo, hi = ra[0], rb[1]
            if hi < lo:
                rb = _cal_dates(b, y + 1, m)
                if not rb:
                    return None
                hi = rb[1]
            return lo, hi

        if a.free_day():
            if ctx_ym is not None:
                r = span(*ctx_ym)
                return (r[0], r[1], "context") if r else (None, None, None)
            if ref is None:
                return None, None, None
            r = _nearest(lambda k: span(k // 12, k % 12 + 1), ref.year * 12 + ref.month - 1, 12, ref, past)
            return (r[0], r[1], "ref") if r else (None, None, None)
        if ctx_year is not None:
            r = span(ctx_year)
            return (r[0], r[1], "context") if r else (None, None, None)
        if ref is None:
            return None, None, None
        r = _nearest(span, ref.year, 9, ref, past)
        return (r[0], r[1], "ref") if r else (None, None, None)
    s1, _e1, by1 = _resolve_cal(a, ref, ctx_year, ctx_ym)
    _s2, e2, by2 = _resolve_cal(b, ref, ctx_year, ctx_ym)
    if s1 is None or e2 is None:
        return None, None, None
    if e2 < s1 and b.inherited_year:
        bb = CalendarSpec(**{f: getattr(b, f) for f in CalendarSpec.__slots__})
        if bb.y is not None:
            bb.y += 1
        elif bb.yo is not None:
            bb.yo += 1
        elif bb.yc is not None:
            bb.yc += 1
        _s2, e2, _ = _resolve_cal(bb, ref, ctx_year, ctx_ym)
        if e2 is None:
            return None, None, None
    if e2 < s1:
        return None, None, None
    return s1, e2, _source_rank(by1, by2)


def _resolve_plan(data) -> tuple[date, date]:
    y1, y2, which = data
    kind = which[0]
    if kind == "first":
        y2 = y1
    elif kind == "last":
        y1 = y2
    elif kind == "first_n":
        y2 = y1 + which[1] - 1
    elif kind == "last_n":
        y1 = y2 - which[1] + 1
    elif kind == "nth":
        y1 = y2 = y1 + which[1] - 1
    return date(y1, 1, 1), date(y2, 12, 31)


def _resolve_rel(data, ref: date | None, ctx_day: date | None = None):
    tag = data[0]
    if tag == "ctxday":
        if ctx_day is None:
            return None, None, None
        d = ctx_day + _dt.timedelta(days=data[1])
        return d, d, "context"
    if ref is None:
        return None, None, None
    if tag == "day":
        d = ref + _dt.timedelta(days=data[1])
        return d, d, "ref"
    if tag == "quarter":
        q0 = (ref.month - 1) // 3
        y, m = _shift_month(ref.year, 3 * q0 + 1, 3 * data[1])
        y2, m2 = _shift_month(y, m, 2)
        return date(y, m, 1), date(y2, m2, _last_day(y2, m2)), "ref"
    if tag == "week":
        monday = ref - _dt.timedelta(days=ref.weekday()) + _dt.timedelta(weeks=data[1])
        if data[2] is None:
            return monday, monday + _dt.timedelta(days=6), "ref"
        if data[2] == "weekend":
            return monday + _dt.timedelta(days=5), monday + _dt.timedelta(days=6), "ref"
        d = monday + _dt.timedelta(days=data[2] - 1)
        return d, d, "ref"
    if tag == "weekday":
        back = (ref.isoweekday() - data[1]) % 7
        d = ref - _dt.timedelta(days=back)
        return d, d, "ref"
    return None, None, None


def _resolve_window(data, ref: date | None):
    direction, n, letter = data
    if ref is None or n is None or letter.startswith("T"):
        return None, None, None
    if letter in ("Y", "M"):
        months = n * 12 if letter == "Y" else n
        if not float(months).is_integer():
            return None, None, None
        months = int(months)
        if direction == "past":
            return _add_months(ref, -months), ref - _dt.timedelta(days=1), "ref"
        return ref + _dt.timedelta(days=1), _add_months(ref, months), "ref"
    days = n * (7 if letter == "W" else 1)
    if not float(days).is_integer():
        return None, None, None
    days = int(days)
    if direction == "past":
        return ref - _dt.timedelta(days=days), ref - _dt.timedelta(days=1), "ref"
    return ref + _dt.timedelta(days=1), ref + _dt.timedelta(days=days), "ref"


def _resolve_holiday(data, ref: date | None, ctx_year: int | None):
    """A named holiday in the year the text, a relative word, the paragraph or the reference date
    gives (the instance nearest to ``ref`` among its year and the one before): its day, or its
    official days off; None where the table has no arrangement for that year."""
    name, days_off, spec = data
    table = grammar().holiday_dates

    def dates(year: int) -> tuple[date, date] | None:
        row = table.get((year, name))
        if row is None:
            return None
        if not days_off:
            return row[0], row[0]
        return (row[1], row[2]) if row[1] is not None else None

    if spec.y is not None:
        year, by = spec.y, "text"
    elif spec.yo is not None and ref is not None:
        year, by = ref.year + spec.yo, "ref"
    elif spec.yc is not None or ctx_year is not None:
        if ctx_year is None:
            return None, None, None
        year, by = ctx_year + (spec.yc or 0), "context"
    elif ref is not None:
        r = _nearest(dates, ref.year, 2, ref)
        return (r[0], r[1], "ref") if r else (None, None, None)
    else:
        return None, None, None
    r = dates(year)
    return (r[0], r[1], by) if r else (None, None, None)


def _resolve_decade(data, ref: date | None):
    cent, dec = data
    if cent is not None:
        y = cent + dec
        return date(y, 1, 1), date(y + 9, 12, 31), "text"
    if ref is None:
        return None, None, None
    y = (ref.year // 100) * 100 + dec
    if y > ref.year:
        y -= 100
    return date(y, 1, 1), date(y + 9, 12, 31), "ref"


def _resolve(c: Candidate, ref: date | None, ctx: _Ctx, text: str):
    cy, cym = ctx.year_at(c.start)
    past = c.mod == "since"
    if c.fam == "cal":
        spec = c.data
        if ref is None and ctx.title_year is not None and spec.yo is not None and spec.mo is None:
            # no document date: "this year" is the one year the headline names (二〇〇四年十月旅客入境
            # 数目 … 今年十月 is October 2004)
            a, b, _by = _resolve_cal(replace(spec, y=ctx.title_year + spec.yo, yo=None), ref, cy, cym, past)
            return a, b, "context" if a is not None else None
        return _resolve_cal(spec, ref, cy, cym, past)
    if c.fam == "range":
        return _resolve_range(c.data, ref, cy, cym, past)
    if c.fam == "span":
        s1, _e1, by1 = _resolve(c.data[0], ref, ctx, text)
        _s2, e2, by2 = _resolve(c.data[1], ref, ctx, text)
        if s1 is None or e2 is None or e2 < s1:
            return None, None, None
        return s1, e2, _source_rank(by1, by2)
    if c.fam == "plan":
        a, b = _resolve_plan(c.data)
        return a, b, "text"
    if c.fam == "decade":
        return _resolve_decade(c.data, ref)
    if c.fam == "holiday":
        return _resolve_holiday(c.data, ref, cy)
    if c.fam == "rel":
        return _resolve_rel(c.data, ref, ctx.day)
    if c.fam == "window":
        return _resolve_window(c.data, ref)
    if c.fam == "now":
        return (ref, ref, "ref") if ref else (None, None, None)
    if c.fam == "base" and c.role == "period" and c.data is None:
        span = ctx.span_at(c.start)  # 同期 alone: the period in force
        return (span[0], span[1], "context") if span else (None, None, None)
    return None, None, None


_KIND_OF_MOD = {"since": "since", "from": "from", "asof": "by", "target": "by", "by": "by", "before": "by"}


def _modify(c: Candidate, a, b, by, ref):
    """Apply a by/since/from modifier to resolved dates."""
    mod = c.mod
    if mod is None or c.fam == "now":
        return a, b, by
    if mod == "since":
        if a is None or (ref is not None and a > ref):
            return None, None, None
        return (a, ref, "ref") if ref else (a, None, by)
    if mod == "from":
        return a, None, by
    if mod in ("asof", "by"):
        return (b, b, by) if b else (None, None, None)
    if mod == "before":
        return (None, a - _dt.timedelta(days=1), by) if a else (None, None, None)
    return a, b, by  # target: the period itself


@cache
def _fiscal_year_re() -> regex.Pattern:
    spec = grammar().rules["fiscal_years"]
    return regex.compile(spec["pattern"])


def _fiscal_years(text: str) -> list[TimeExpr]:
    """Fiscal years written with both calendar years (2017/18年度, 2024-25财政年度): Hong Kong's and
    Macau's run from ``fiscal_years.start_month`` (April) to the month before, a period of the
    text alone; their digits are time, never a fraction or a range."""
    spec = grammar().rules["fiscal_years"]
    month = int(spec["start_month"])
    out = []
    for m in _fiscal_year_re().finditer(text):
        first = int(m.group("first_year"))
        second = int(m.group("second_year"))
        if second < 100:
            second += first - first % 100 + (100 if second < first % 100 else 0)
        if second != first + 1:
            continue
        start = date(first, month, 1)
        end = _add_months(start, 12) - _dt.timedelta(days=1)
        out.append(TimeExpr(m.start(), m.end(), m.group(), "year", start, end, True, "year",
                            resolved_by="text"))
    return out


def find_times(text: str, ref: date | None = None) -> list[TimeExpr]:
    """Every time expression in `text`, left to right, non-overlapping, leftmost-longest, resolved
    against `ref` (the document date). See the module docstring for the resolution rules."""
    if not text:
        return []
    fiscal = _fiscal_years(text) if "年度" in text else []
    if fiscal:
        rest = [t for t in _find_times(text, ref)
                if not any(f.start < t.end and t.start < f.end for f in fiscal)]
        return sorted(rest + fiscal, key=lambda t: t.start)
    return _find_times(text, ref)


def _find_times(text: str, ref: date | None) -> list[TimeExpr]:
    if isinstance(ref, _dt.datetime):
        ref = ref.date()
    out: list[TimeExpr] = []
    ctx = _Ctx(text, ref)
    for c in whole_text_scan(text):
        try:
            a, b, by = _resolve(c, ref, ctx, text)
            a, b, by = _modify(c, a, b, by, ref)
        except (OverflowError, ValueError):  # beyond year 1..9999 (上周 with ref 0001-01-01)
            a = b = by = None
        if a is None and b is None:
            by = None
        kind = _KIND_OF_MOD.get(c.mod, c.kind) if c.mod else c.kind
        out.append(
            TimeExpr(
                start=c.start,
                end=c.end,
                text=text[c.start : c.end],
                kind=kind,
                start_date=a,
                end_date=b,
                anchor=by == "text",
                grain=c.grain,
                role=c.role,
                resolved_by=by,
                duration=c.duration,
            )
        )
        # context: single-year periods (not baselines, targets or spans up to now)
        if (
            c.role == "period"
            and c.mod in (None, "target")
            and c.fam in ("cal", "range", "span", "rel")
            and a is not None
            and b is not None
            and a.year == b.year
        ):
            ctx.year = a.year
            ctx.ym = (a.year, a.month) if (a.month == b.month) else None
            ctx.end = c.end
        if c.mod == "since":
            # 2017年以来……上半年: the text has moved on to "now"; without a document date, the
            # start year of the span is the best reading of "now" the text offers
            ctx.year = a.year if ref is None and a is not None else None
            ctx.ym = None
        if c.role == "period" and a is not None and b is not None and c.fam not in ("window", "now"):
            ctx.span, ctx.span_end = (a, b), c.end
            if a == b and c.grain == "day":
                ctx.day = a
    return out

