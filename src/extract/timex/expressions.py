"""Time expressions in Chinese news text, resolved to ISO dates, and the document's own date.

Why this module exists: a number in a news article is only useful with its period (8144亿元 over
十四五 = 2021-01-01..2025-12-31), and the digits of 2025年 or 1-8月 must never be read as quantities.
The vocabulary (plan names, quarters, relative words, modifiers) lives in ``rules/time.yaml``; this
module composes it into a few compiled ``regex`` patterns once per process and scans the text with
them (no per-character Python loop), then resolves each match against a reference date.

Public API
----------
``find_times(text, ref=None) -> list[TimeExpr]``
    every time expression, left to right, non-overlapping, leftmost-longest.
``time_spans(text) -> list[tuple[int, int]]``
    just the spans (durations included), for the quantity extractor's "this is time" mask.
``document_date(text) -> tuple[date | None, str | None]``
    the publication date found in the text itself, and where it came from.

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
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import regex

from extract.resources import alternation, load_yaml
from extract.text.layout import headline_span

__all__ = ["TimeExpr", "document_date", "find_times", "time_spans"]

date = _dt.date


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """One time expression found in a text.

    ``start``/``end`` index the string given to :func:`find_times` (``text[start:end] == text``).
    ``kind``: date, week, month, quarter, half, year, decade, range, plan, since, from, by, window,
    duration, relative. ``grain``: the unit of its end point (day, week, month, quarter, half, year,
    decade), None for durations. ``anchor`` is True when the text alone fixes the dates (2025年,
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
class _Cal:
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

    def has_year(self) -> bool:
        return self.y is not None or self.yo is not None or self.yc is not None

    def has_month_source(self) -> bool:
        return self.mo is not None or self.mc is not None

    def free_day(self) -> bool:
        return self.m1 is None and self.d1 is not None and not self.has_month_source()


@dataclass(slots=True)
class _Cand:
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


# --------------------------------------------------------------------------------------------
# Grammar, compiled once from rules/time.yaml


def _guarded(pattern: str, words=(), chars: str = "", digits: bool = False) -> Any:
    """Compile `pattern` behind a lookahead on its possible first characters (the first
    characters of `words`, `chars`, and ASCII digits if `digits`): the engine then rejects most
    positions with one class test instead of trying every alternative (about 10x faster)."""
    first = sorted({w[0] for w in words if w} | set(chars))
    cls = "".join(regex.escape(ch) for ch in first) + (r"\d" if digits else "")
    return regex.compile(f"(?=[{cls}])(?:{pattern})")


def _alt(words) -> str:
    """Regex alternation of literal words as one group, longest first."""
    return "(?:" + alternation(words) + ")"


class _Grammar:
    def __init__(self, rules: dict) -> None:
        self.r = rules
        dig = rules["digits"]
        self.digits = {k: int(v) for k, v in dig.items()}
        cd = "".join(k for k in dig if k != "两")  # digit-by-digit year characters
        c19 = "一二三四五六七八九"
        self.pivot = int(rules["two_digit_year_pivot"])
        sp = r"[ \t\u3000]?"
        cnn = rf"(?:[{c19}]?十[{c19}]?|[{c19}两])"  # 1..99 in Chinese
        mon = rf"(?:1[0-2]|0?[1-9]|十[一二]?|[{c19}])"
        daya = r"(?:3[01]|[12]\d|0?[1-9])"
        dayc = rf"(?:三十一?|二十[{c19}]?|十[{c19}]?|[{c19}]|初[{c19}十])"
        day = rf"(?:{daya}|{dayc})"
        time_ = r"(?:\s{0,2}(?:[01]?\d|2[0-3])[:：][0-5]\d(?:[:：][0-5]\d)?)"
        conn = _alt(load_yaml("ranges.yaml")["connectors"])  # one list with the quantities layer
        lconn = _alt(rules["list_connectors"])
        self.conn_re = regex.compile(rf"{sp}{conn}{sp}")
        self.pair_re = regex.compile(rf"{sp}{_alt(rules['pair_connectors'])}{sp}")
        ya4 = r"(?:1\d{3}|20\d{2}|21\d{2})"
        self.ya4 = ya4

        year = (
            rf"(?:(?<![\d.])(?P<ya>{ya4})(?!\d)"
            rf"|(?<![\d.])(?P<yb>0\d)(?!\d)"
            rf"|(?<![\d.])(?P<yc>\d\d)(?={sp}年{sp}{mon}{sp}月)"
            rf"|(?<![{cd}十百千万两])(?P<yz>[{cd}]{{3,4}}|零[{cd}])"
            rf"|(?P<yk>两千(?:零[{c19}]|[{c19}]?十[{c19}]?)?)(?=年{sp}{mon}{sp}月)"
            rf"){sp}年"
        )
        rel_guard_b = "(?<![" + "".join(rules["relative_not_after"]) + "])"
        rel_guard_a = "(?![" + "".join(rules["relative_not_before"]) + "])"
        rely = rel_guard_b + _alt(list(rules["relative_years"]) + list(rules["context_years"])) + rel_guard_a
        relm = (
            rel_guard_b + _alt(list(rules["relative_months"]) + list(rules["context_months"])) + rel_guard_a
        )
        parts = _alt(rules["year_parts"])
        pts = rules["points"]
        ypt = _alt(rules["year_points"])
        mpt = _alt(rules["month_points"])
        ppt = _alt(rules["part_points"])
        not_word = r"(?![步级心衷次期])"  # 年初步 (preliminary), 月末级 … are not points
        qn = "[一二三四1-4]"

        dr = (
            rf"(?P<dm1>{mon}){sp}月{sp}(?P<dd1>{day}){sp}(?:日|号)?{sp}(?P<drc>{conn}){sp}"
            rf"(?:(?P<dm2>{mon}){sp}月{sp})?(?P<dd2>{day}){sp}(?:日|号)"
        )
        mr = (
            rf"(?P<mr1>{mon})(?:{sp}月份?)?{sp}(?P<mrc>{conn}|{lconn}){sp}(?P<mr2>{mon}){sp}月份?"
            rf"(?!{sp}{day}{sp}[日号])"
        )
        qr = rf"第?(?P<q1>{qn})(?:季度)?{sp}(?P<qc>{conn}|{lconn}){sp}第?(?P<q2>{qn})季度"
        cnday_guard = rf"(?![日号个名家项万亿千百十{cd}两年月天周%\d])"
        md = (
            rf"(?P<mm>{mon}){sp}月(?:份"
            rf"|{sp}(?P<md>{day}){sp}(?:日|号)(?P<tm>{time_})?"
            rf"|(?P<mdc>{dayc}){cnday_guard}"
            rf"|(?P<mpt>{mpt}){not_word})?"
        )
        part = rf"(?P<part>{parts})(?:(?P<ppt>{ppt}){not_word})?"
        firstn = rf"前(?P<fn>\d{{1,2}}|{cnn})个?月份?"
        ypoint = rf"(?P<ypt>年?{ypt}){not_word}"
        relmd = rf"(?P<rm>{relm})(?:{sp}(?P<rmd>{day}){sp}(?:日|号)|(?P<rmpt>{mpt}){not_word})?"
        baredr = (
            rf"(?<![\d.月])(?P<bd1>{daya}){sp}日?{sp}(?P<bdc>{conn}){sp}(?P<bd2>{daya}){sp}日"
            rf"(?!{_alt(rules['within_words'])})"
        )
        bareday = rf"(?<![\d.月])(?P<bd>{daya}){sp}日(?!{_alt(rules['within_words'])}|元(?!旦))"

        rest_y = f"(?:{dr}|{mr}|{qr}|{md}|{part}|{firstn}|{ypoint}|(?P<ydu>度))"
        rest_r = f"(?:{dr}|{mr}|{qr}|{md}|{part}|{firstn}|{ypoint}|{relmd})"
        pa_guard = "(?<![" + "".join(rules["point_alone_not_after"]) + "])"
        alone = (
            rf"{pa_guard}(?P<ypa>{_alt(rules['year_points_alone'])}){not_word}"
            rf"|{pa_guard}(?P<mpa>{_alt(rules['month_points_alone'])}){not_word}"
        )
        rest_f = f"(?:{dr}|{mr}|{qr}|{md}|{part}|{firstn}|{relmd}|{baredr}|{bareday}|{alone})"
        cal = (
            rf"(?:{year}(?:{sp}{rest_y})?"
            rf"|(?P<ry>{rely}){rest_r}?"
            rf"|(?<![\d.]){rest_f})"
        )
        num_first = cd + "十两"
        self.cal = _guarded(
            cal,
            list(rules["relative_years"])
            + list(rules["context_years"])
            + list(rules["relative_months"])
            + list(rules["context_months"])
            + list(rules["year_parts"])
            + list(rules["year_points_alone"])
            + list(rules["month_points_alone"]),
            num_first + "前第Q",
            digits=True,
        )

        clock = time_.replace(r"\s{0,2}", "")
        numdate = (
            rf"(?<![\d.:/-])(?P<y>{ya4})(?P<s>[-./])(?P<m>1[0-2]|0?[1-9])(?P=s)(?P<d>3[01]|[12]\d|0?[1-9])"
            rf"(?!\d|\.\d)(?P<tm>(?:\s{{1,2}}|T){clock})?"
            rf"|(?<![\d.:/-])(?P<d2>3[01]|[12]\d|0?[1-9])(?P<s2>[-./])(?P<m2>1[0-2]|0?[1-9])(?P=s2)"
            rf"(?P<y2>{ya4})(?!\d|\.\d)"
        )
        self.numdate = _guarded(numdate, digits=True)
        # the second date of a numeric range (2018/1/10-2018/7/10), which the lookbehinds above
        # would refuse right after a dash
        nolb = numdate.replace(r"(?<![\d.:/-])", "")
        self.numdate_tail = regex.compile(rf"{sp}(?:[-~～〜至到]){sp}(?:{nolb})")

        yz = rf"[{cd}]{{4}}"
        punct_ahead = r"(?=$|[\s，。；、：,.;:）)」”’》!?！？]|期间|年间)"
        yrange = (
            rf"(?<![\d.])(?P<y1>{ya4}){sp}年?{sp}(?P<c>{conn}){sp}(?P<y2>{ya4}){sp}年"
            rf"|(?<![{cd}十])(?P<z1>{yz})年?{sp}(?P<zc>{conn}){sp}(?P<z2>{yz})年"
            rf"|(?<=[从自]{sp})(?P<b1>{ya4})(?!\d){sp}(?P<bc>{conn}){sp}(?P<b2>{ya4})(?!\d){punct_ahead}"
        )
        self.yrange = regex.compile(yrange)

        cent_words = _alt(rules["centuries"])
        decade = (
            rf"(?:(?P<cw>{cent_words})|(?P<cn>\d\d|[一二]?十[{c19}]?)世纪)?"
            rf"(?<![\d.])(?P<dec>[1-9]0|[{c19}]十)年代"
        )
        self.decade = regex.compile(decade)

        plans = rules["plans"]
        self.plans = {k: (int(v[0]), int(v[1])) for k, v in plans.items()}
        self.plan_by_ord = {k[:-1]: k for k in plans}
        self.plan_ambiguous = set(rules["plan_ambiguous"])
        self.plan_parts = dict(rules["plan_parts"])
        self.plan_markers = list(rules["plan_markers"])
        oq, cq = "“\"‘'「『", "”\"’'」』"
        num = rf"(?:\d{{1,2}}|{cnn})"
        plan = (
            rf"(?P<long>第(?P<ord>{_alt(self.plan_by_ord)})个五年(?:规划|计划))"
            rf"(?:(?P<lpart>{_alt(self.plan_parts)}))?"
            rf"|(?P<oq>[{oq}])?(?<![{cd}十百千万两第\d])(?P<name>{_alt(plans)})"
            rf"(?![{cd}十百千万亿两年月日号个%.\d])(?P<cq>[{cq}])?"
            rf"(?:(?P<part>{_alt(self.plan_parts)})|(?P<fnw>前|头|后)(?P<fn>{num})(?:个)?年|第(?P<nth>{num})(?:个)?年)?"
        )
        self.plan = _guarded(plan, plans, oq + "第")
        self.plan_marker_re = regex.compile(_alt(self.plan_markers))

        self.year_parts = {k: (v[0], int(v[1]), int(v[2])) for k, v in rules["year_parts"].items()}
        self.points = {k: tuple(v) for k, v in pts.items()}
        self.rel_years = dict(rules["relative_years"])
        self.ctx_years = dict(rules["context_years"])
        self.rel_months = dict(rules["relative_months"])
        self.ctx_months = dict(rules["context_months"])
        self.rel_quarters = dict(rules["relative_quarters"])
        self.rel_days = dict(rules["relative_days"])
        self.ctx_days = dict(rules["context_days"])
        self.rel_year_ranges = {k: (int(v[0]), int(v[1])) for k, v in rules["relative_year_ranges"].items()}
        self.week_prefixes = dict(rules["week_prefixes"])
        self.weekdays = dict(rules["weekdays"])
        self.weekend = rules["weekend"]
        self.quarter_numbers = {str(k): int(v) for k, v in rules["quarter_numbers"].items()}

        ww = _alt(rules["week_words"])
        wd = "[" + "".join(self.weekdays) + "]"
        rel = (
            rf"(?P<rd>{_alt(self.rel_days)})"
            rf"|(?P<cdy>{_alt(self.ctx_days)})"
            rf"|(?P<ryr>{_alt(self.rel_year_ranges)})"
            rf"|(?P<rq>{_alt(self.rel_quarters)})"
            rf"|(?P<ty>{_alt(rules['this_year_words'])})"
            rf"|(?P<wp>{_alt(self.week_prefixes)})(?:{ww})(?:(?P<wd>{wd})|(?P<we>{regex.escape(self.weekend)}))?"
            rf"(?![期边围年岁转刊报])"
            rf"|(?<![一二两三四五六七八九十几每数\d个上下这本])(?:{ww})(?P<bwd>{wd})(?![年岁])"
        )
        self.rel = regex.compile(rel)

        units = rules["duration_units"]
        self.units = dict(units)
        unit_alt = _alt(units)
        pairs = _alt(rules["approx_pairs"])
        numd = rf"(?:(?<![\d.])\d{{1,3}}(?:\.\d+)?|(?<![{cd}十百千万两几数]){pairs}|(?<![{cd}十百千万两几数第]){cnn}|半)"
        wpre = rules["window_prefixes"]
        self.window_prefixes = dict(wpre)
        wsuf = _alt(rules["window_suffixes"])
        within = _alt(rules["within_words"])
        window = (
            rf"(?P<wp>{_alt(wpre)})(?P<n>{numd})(?P<u>{unit_alt})(?![年岁])(?:{wsuf})?"
            rf"|(?<!第)(?P<n2>{numd})(?P<apx>多|余)?(?P<u2>{unit_alt})(?P<ws>{wsuf})"
        )
        self.window = _guarded(window, wpre, num_first + "半", digits=True)
        duration = (
            rf"(?<!第)(?:(?P<lo>{numd}){sp}{conn}{sp})?(?P<n>{numd})(?P<apx>多|余)?(?P<u>{unit_alt})(?![年岁])"
            rf"(?P<win>{within})?"
            rf"|(?<![\d.月第])(?P<dn>\d{{1,3}}|{cnn})日(?P<dwin>{within})"
        )
        self.duration = _guarded(duration, chars=num_first + "半", digits=True)

        same = _alt(rules["same_period"])
        base = rf"(?:(?P<ry>{rely})|(?<![\d.])(?P<ya>{ya4}){sp}年)?(?P<same>{same})"
        self.base = regex.compile(base)

        by = rules["by_prefixes"]
        self.by_prefixes = dict(by)
        now = (
            rf"(?P<bp>{_alt([k for k, v in by.items() if v == 'asof'])}){_alt(rules['now_words'])}"
            rf"|{_alt(rules['now_alone'])}"
        )
        self.now = regex.compile(now)

        # modifiers: prefixes are matched as the end of the text before an expression
        not_after = "(?<![" + "".join(rules["by_prefix_not_after"]) + "])"
        self.by_prefix_re = regex.compile(rf"{not_after}(?P<w>{_alt(by)}){sp}\Z")
        self.baseline_re = regex.compile(rf"{_alt(rules['baseline_before'])}{sp}\Z")
        self.suffixes: dict[str, str] = {}
        for key, mod in (
            ("since_suffixes", "since"),
            ("from_suffixes", "from"),
            ("by_suffixes", "by"),
            ("before_suffixes", "before"),
            ("period_suffixes", None),
        ):
            for w in rules[key]:
                self.suffixes[w] = mod
        self.suffix_re = regex.compile(rf"{sp}(?P<w>{_alt(self.suffixes)})")
        self.target_after_re = regex.compile(_alt(rules["target_after"]))
        self.coordination_re = regex.compile(rf"{sp}{_alt(rules['coordination'])}{sp}")

        # (name, pattern, priority, builder, trigger, chars before, chars after). Every match of a
        # family contains one of its trigger characters, and lies within (before, after) of it:
        # the big patterns are only tried in those windows, so the text is scanned at C speed.
        self.families: list[tuple[str, Any, int, Callable, Any, int, int]] = [
            ("numdate", self.numdate, 0, self._b_numdate, regex.compile(r"\d[-./]\d{1,2}[-./]\d"), 8, 40),
            ("cal", self.cal, 0, self._b_cal, regex.compile(r"[年月日号季旬Q]"), 16, 16),
            ("yrange", self.yrange, 0, self._b_yrange, None, 0, 0),
            ("plan", self.plan, 0, self._b_plan, regex.compile("五"), 8, 12),
            ("decade", self.decade, 0, self._b_decade, None, 0, 0),
            ("base", self.base, 0, self._b_base, None, 0, 0),
            ("now", self.now, 0, self._b_now, None, 0, 0),
            ("rel", self.rel, 1, self._b_rel, None, 0, 0),
            ("window", self.window, 1, self._b_window, None, 0, 0),
            ("duration", self.duration, 2, self._b_duration, None, 0, 0),
        ]

        dd = rules["document_date"]
        self.dd = dd
        self.dateline_after = tuple(dd["dateline_after"])
        rep = _alt(dd["reporter_words"])
        self.dateline_before_re = regex.compile(
            rf"(?:{_alt(dd['dateline_before'])}\s*(?:[（(][^）)\n]{{0,30}}[）)])?|[（(]{rep}[^）)\n]{{0,30}}[）)])\s*\Z"
        )
        self.header_label_re = regex.compile(rf"{_alt(dd['header_labels'])}\s*[:：]?")

    # ---- numbers ----------------------------------------------------------------------------

    def cn_int(self, s: str) -> int | None:
        """Small Chinese or Arabic numeral -> int (十二 -> 12, 二十三 -> 23, 两 -> 2, 初十 -> 10)."""
        if not s:
            return None
        if s.isdigit():
            return int(s)
        if s.startswith("初"):
            v = self.cn_int(s[1:])
            return v
        if "十" in s:
            head, _, tail = s.partition("十")
            h = self.digits.get(head, 1) if head else 1
            t = self.digits.get(tail, 0) if tail else 0
            return h * 10 + t
        if len(s) == 1 and s in self.digits:
            return self.digits[s]
        return None

    def year_digits(self, s: str) -> int | None:
        """Digit-by-digit Chinese year (二〇二五 -> 2025, 零八 -> 2008, 三六七 -> 367)."""
        try:
            v = int("".join(str(self.digits[c]) for c in s))
        except KeyError:
            return None
        return self.two_digit(v) if len(s) == 2 else v

    def two_digit(self, v: int) -> int:
        return 2000 + v if v < self.pivot else 1900 + v

    def year_cardinal(self, s: str) -> int:
        """两千 / 两千零四 / 两千一十 -> 2000 / 2004 / 2010."""
        rest = s[2:]
        if not rest:
            return 2000
        if rest.startswith("零"):
            return 2000 + self.digits[rest[1]]
        return 2000 + (self.cn_int(rest) or 0)

    def num_value(self, s: str) -> float | None:
        if s == "半":
            return 0.5
        try:
            return float(s) if any(c.isdigit() for c in s) else self.cn_int(s)
        except ValueError:
            return None

    # ---- builders: match -> candidate (None vetoes) ---------------------------------------------

    def _year_of(self, g: dict) -> int | None:
        if g.get("ya"):
            return int(g["ya"])
        if g.get("yb"):
            return self.two_digit(int(g["yb"]))
        if g.get("yc"):
            return self.two_digit(int(g["yc"]))
        if g.get("yz"):
            return self.year_digits(g["yz"])
        if g.get("yk"):
            return self.year_cardinal(g["yk"])
        return None

    def _month(self, s: str | None) -> int | None:
        v = self.cn_int(s) if s else None
        return v if v is not None and 1 <= v <= 12 else None

    def _at_point(self, spec: _Cal, word: str) -> tuple[str, str]:
        """A point of the month (上旬, 月底 ...): one day is a date, several a range of days."""
        spec.pt = self.points[word]
        return ("date", "day") if spec.pt[0] == spec.pt[1] else ("range", "day")

    def _b_cal(self, m) -> _Cand | None:
        g = m.groupdict()
        spec = _Cal()
        y = self._year_of(g)
        if y is not None:
            spec.y = y
        elif g.get("ry"):
            w = g["ry"]
            if w in self.rel_years:
                spec.yo = int(self.rel_years[w])
            else:
                spec.yc = int(self.ctx_years[w])
        kind, grain = "year", "year"
        if g.get("dm1") is not None:
            spec.m1 = self._month(g["dm1"])
            spec.m2 = self._month(g["dm2"]) if g.get("dm2") else spec.m1
            spec.d1, spec.d2 = self.cn_int(g["dd1"]), self.cn_int(g["dd2"])
            kind, grain = "range", "day"
        elif g.get("mr1") is not None:
            spec.m1, spec.m2 = self._month(g["mr1"]), self._month(g["mr2"])
            if spec.m1 is None or spec.m2 is None:
                return None
            if g["mrc"] in self.r["list_connectors"] and spec.m2 != spec.m1 + 1:
                return None
            if spec.m2 <= spec.m1 and g["mrc"] not in ("至", "到"):
                return None
            kind, grain = "range", "month"
        elif g.get("q1") is not None:
            q1, q2 = self.quarter_numbers[g["q1"]], self.quarter_numbers[g["q2"]]
            if q2 <= q1 or (g["qc"] in self.r["list_connectors"] and q2 != q1 + 1):
                return None
            spec.m1, spec.m2 = 3 * q1 - 2, 3 * q2
            kind, grain = "quarter", "quarter"
        elif g.get("mm") is not None:
            spec.m1 = spec.m2 = self._month(g["mm"])
            if spec.m1 is None:
                return None
            kind, grain = "month", "month"
            dtxt = g.get("md") or g.get("mdc")
            if dtxt:
                spec.d1 = spec.d2 = self.cn_int(dtxt)
                kind, grain = "date", "day"
            elif g.get("mpt"):
                kind, grain = self._at_point(spec, g["mpt"])
        elif g.get("part"):
            pk, a, b = self.year_parts[g["part"]]
            spec.m1, spec.m2 = a, b
            kind, grain = pk, pk
            if pk == "year":
                spec.m1 = spec.m2 = None
            if g.get("ppt"):
                spec.pt = self.points[g["ppt"]]
                kind, grain = "date", "day"
        elif g.get("fn") is not None:
            n = self.cn_int(g["fn"])
            if not n or n > 12:
                return None
            spec.m1, spec.m2 = 1, n
            kind, grain = "range", "month"
        elif g.get("ypt"):
            spec.pt = self.points[g["ypt"].lstrip("年")]
            kind, grain = "date", "day"
        elif g.get("rm"):
            w = g["rm"]
            if w in self.rel_months:
                spec.mo = int(self.rel_months[w])
            else:
                spec.mc = int(self.ctx_months[w])
            kind, grain = "month", "month"
            if g.get("rmd"):
                spec.d1 = spec.d2 = self.cn_int(g["rmd"])
                kind, grain = "date", "day"
            elif g.get("rmpt"):
                kind, grain = self._at_point(spec, g["rmpt"])
        elif g.get("ypa"):
            spec.pt = self.points[g["ypa"][1:]]
            spec.own = True
            kind, grain = "date", "day"
        elif g.get("mpa"):
            spec.pt = self.points[g["mpa"][1:]]
            spec.own_month = True
            kind, grain = "date", "day"
        elif g.get("bd1") is not None:
            spec.d1, spec.d2 = int(g["bd1"]), int(g["bd2"])
            if spec.d2 <= spec.d1:
                return None
            kind, grain = "range", "day"
        elif g.get("bd") is not None:
            spec.d1 = spec.d2 = int(g["bd"])
            kind, grain = "date", "day"
        elif not spec.has_year():
            return None
        if spec.d1 is not None and not (1 <= spec.d1 <= 31 and 1 <= (spec.d2 or 0) <= 31):
            return None
        c = _Cand(m.start(), m.end(), "cal", 0, kind, grain, spec)
        if g.get("tm"):
            c.extra["time"] = True
        return c

    @staticmethod
    def _numeric(g: dict) -> _Cal:
        if g.get("y"):
            y, mo, d = int(g["y"]), int(g["m"]), int(g["d"])
        else:
            y, mo, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
        return _Cal(y=y, m1=mo, m2=mo, d1=d, d2=d)

    def _b_numdate(self, m) -> _Cand | None:
        g = m.groupdict()
        spec = self._numeric(g)
        t = self.numdate_tail.match(m.string, m.end())
        if t is not None:
            c = _Cand(m.start(), t.end(), "range", 0, "range", "day", (spec, self._numeric(t.groupdict())))
            c.extra["numeric"] = True
            return c
        c = _Cand(m.start(), m.end(), "cal", 0, "date", "day", spec)
        c.extra["numeric"] = True
        if g.get("tm"):
            c.extra["time"] = True
        return c

    def _b_yrange(self, m) -> _Cand | None:
        g = m.groupdict()
        if g.get("y1"):
            a, b = int(g["y1"]), int(g["y2"])
        elif g.get("z1"):
            a, b = self.year_digits(g["z1"]), self.year_digits(g["z2"])
        else:
            a, b = int(g["b1"]), int(g["b2"])
        if a is None or b is None or not (a < b <= a + 200):
            return None
        return _Cand(m.start(), m.end(), "range", 0, "range", "year", (_Cal(y=a), _Cal(y=b)))

    def _b_plan(self, m) -> _Cand | None:
        g = m.groupdict()
        start, end = m.start(), m.end()
        if g.get("long"):
            name = self.plan_by_ord[g["ord"]]
            part = g.get("lpart")
        else:
            name = g["name"]
            part = g.get("part")
            oq, cq = g.get("oq"), g.get("cq")
            if oq and not cq:
                start = m.start("name")
            if cq and not oq and not (g.get("part") or g.get("fn") or g.get("nth")):
                end = m.end("name")
            quoted = bool(oq and cq)
            has_part = bool(part or g.get("fn") or g.get("nth"))
            marked = quoted or has_part or self.plan_marker_re.match(m.string, m.end())
            if name in self.plan_ambiguous and not marked:
                return None
        y1, y2 = self.plans[name]
        which: tuple = ("all",)
        if part:
            which = (self.plan_parts[part],)
        elif g.get("fn"):
            n = self.cn_int(g["fn"]) or 0
            if not 1 <= n <= 5:
                return None
            which = ("first_n" if g["fnw"] in ("前", "头") else "last_n", n)
        elif g.get("nth"):
            n = self.cn_int(g["nth"]) or 0
            if not 1 <= n <= 5:
                return None
            which = ("nth", n)
        return _Cand(start, end, "plan", 0, "plan", "year", (y1, y2, which))

    def _b_decade(self, m) -> _Cand | None:
        g = m.groupdict()
        dec = self.cn_int(g["dec"]) if not g["dec"].isdigit() else int(g["dec"])
        if dec is None or dec % 10 or not 10 <= dec <= 90:
            return None
        cent = None
        if g.get("cw"):
            cent = int(self.r["centuries"][g["cw"]])
        elif g.get("cn"):
            n = int(g["cn"]) if g["cn"].isdigit() else self.cn_int(g["cn"])
            if not n or not 1 <= n <= 30:
                return None
            cent = (n - 1) * 100
        return _Cand(m.start(), m.end(), "decade", 0, "decade", "decade", (cent, dec))

    def _b_base(self, m) -> _Cand | None:
        g = m.groupdict()
        c = _Cand(m.start(), m.end(), "base", 0, "relative", None, None)
        if g.get("ry") or g.get("ya"):
            c.role = "baseline"
        return c

    def _b_now(self, m) -> _Cand | None:
        c = _Cand(m.start(), m.end(), "now", 0, "by", "day", None)
        c.mod = "asof"
        return c

    def _b_rel(self, m) -> _Cand | None:
        g = m.groupdict()
        s, e = m.start(), m.end()
        if g.get("rd"):
            return _Cand(s, e, "rel", 1, "date", "day", ("day", int(self.rel_days[g["rd"]])))
        if g.get("cdy"):
            return _Cand(s, e, "rel", 0, "date", "day", ("ctxday", int(self.ctx_days[g["cdy"]])))
        if g.get("ryr"):
            a, b = self.rel_year_ranges[g["ryr"]]
            return _Cand(s, e, "range", 0, "range", "year", (_Cal(yo=a), _Cal(yo=b)))
        if g.get("rq"):
            return _Cand(s, e, "rel", 1, "quarter", "quarter", ("quarter", int(self.rel_quarters[g["rq"]])))
        if g.get("ty"):
            return _Cand(s, e, "cal", 1, "year", "year", _Cal(yo=0))
        if g.get("wp") is not None:
            wo = int(self.week_prefixes[g["wp"]])
            if g.get("wd"):
                return _Cand(s, e, "rel", 1, "date", "day", ("week", wo, self.weekdays[g["wd"]]))
            if g.get("we"):
                return _Cand(s, e, "rel", 1, "week", "day", ("week", wo, "weekend"))
            return _Cand(s, e, "rel", 1, "week", "week", ("week", wo, None))
        if g.get("bwd"):
            return _Cand(s, e, "rel", 1, "date", "day", ("weekday", self.weekdays[g["bwd"]]))
        return None

    def _iso(self, n: float | None, unit: str) -> str | None:
        if n is None:
            return None
        v = int(n) if float(n).is_integer() else n
        letter = self.units[unit]
        return f"PT{v}{letter[1]}" if letter.startswith("T") else f"P{v}{letter}"

    def _b_window(self, m) -> _Cand | None:
        g = m.groupdict()
        if g.get("wp"):
            direction = self.window_prefixes[g["wp"]]
            unit, ntxt = g["u"], g["n"]
            if direction == "past-short":
                if self.units[unit] not in ("W", "D"):
                    return None
                direction = "past"
        else:
            direction, unit, ntxt = "past", g["u2"], g["n2"]
        approx = bool(g.get("apx")) or (len(ntxt) == 2 and ntxt in self.r["approx_pairs"])
        n = None if approx else self.num_value(ntxt)
        if n is not None and n <= 0:
            return None
        c = _Cand(m.start(), m.end(), "window", 1, "window", "day", (direction, n, self.units[unit]))
        c.duration = self._iso(n, unit)
        return c

    def _b_duration(self, m) -> _Cand | None:
        g = m.groupdict()
        if g.get("dn"):
            n = self.num_value(g["dn"])
            c = _Cand(m.start(), m.end(), "duration", 2, "duration", None, None)
            c.duration = self._iso(n, "天")
            return c
        ntxt, unit = g["n"], g["u"]
        approx = bool(g.get("apx") or g.get("lo")) or ntxt in self.r["approx_pairs"] or unit == "个多月"
        n = None if approx else self.num_value(ntxt)
        c = _Cand(m.start(), m.end(), "duration", 2, "duration", None, None)
        c.duration = self._iso(n, unit)
        return c


@cache
def _grammar() -> _Grammar:
    return _Grammar(load_yaml("time.yaml"))


# --------------------------------------------------------------------------------------------
# Scanning: candidates -> selection -> ranges -> modifiers


def _windows(text: str, trigger, before: int, after: int) -> list[tuple[int, int]]:
    """Merged windows of text around each trigger character."""
    n = len(text)
    out: list[list[int]] = []
    for m in trigger.finditer(text):
        a, b = max(0, m.start() - before), min(n, m.end() + after)
        if out and a <= out[-1][1]:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _scan_family(text: str, pat, build, trigger=None, before: int = 0, after: int = 0) -> list[_Cand]:
    """Matches of one family, built into candidates; a vetoed match is searched again from its
    second character, so that a shorter reading inside it can still be found."""
    n = len(text)
    windows = [(0, n)] if trigger is None else _windows(text, trigger, before, after)
    out: list[_Cand] = []
    last = 0
    for wa, wb in windows:
        pos = max(wa, last)
        while pos < wb:
            m = pat.search(text, pos, wb)
            if m is None:
                break
            if wb < n and m.end() >= wb - 2:
                # the window may have cut the match (or fooled a lookahead): redo it unbounded
                m = pat.match(text, m.start()) or m
            if m.end() == m.start():
                pos = m.end() + 1
                continue
            c = build(m)
            if c is None:
                pos = m.start() + 1
                continue
            out.append(c)
            pos = last = m.end()
    return out


def _scan(text: str) -> list[_Cand]:
    """Selected, range-joined and modified candidates, not yet resolved.

    Selection is leftmost-longest over all families. A candidate that loses because it overlaps
    an earlier winner is looked for again in its own family from the winner's end, so that what
    it covered beyond (2021-2025年 1-8月: 1-8月) is not lost."""
    G = _grammar()
    heap: list[tuple[int, int, int, int, int, _Cand]] = []
    seq = 0
    for fi, (_name, pat, _prio, build, trigger, before, after) in enumerate(G.families):
        for c in _scan_family(text, pat, build, trigger, before, after):
            heap.append((c.start, c.start - c.end, c.prio, seq, fi, c))
            seq += 1
    heapq.heapify(heap)
    chosen: list[_Cand] = []
    last = 0
    n = len(text)
    while heap:
        start, _neg, _prio, _seq, fi, c = heapq.heappop(heap)
        if start >= last:
            chosen.append(c)
            last = c.end
        elif c.end > last:
            _name, pat, _p, build, *_ = G.families[fi]
            m = pat.search(text, last, min(n, c.end + 24))
            if m is not None and m.start() < c.end:
                r = build(m)
                if r is not None and r.start >= last:
                    heapq.heappush(heap, (r.start, r.start - r.end, r.prio, seq, fi, r))
                    seq += 1
    chosen = _join_ranges(G, text, chosen)
    _apply_modifiers(G, text, chosen)
    return chosen


def _cal_like(c: _Cand) -> bool:
    return c.fam == "cal" and isinstance(c.data, _Cal) and c.mod is None and c.role == "period"


def _day_like(c: _Cand) -> bool:
    return c.fam == "rel" and c.kind == "date" and c.mod is None and c.role == "period"


def _join_ranges(G: _Grammar, text: str, chosen: list[_Cand]) -> list[_Cand]:
    """Join `A <connector> B` (2021年至2025年, 5月1日至3日, 2024年10月-2025年3月, 上周四到十月一日)
    into one range; `A与B之间` too."""
    out: list[_Cand] = []
    i = 0
    while i < len(chosen):
        a = chosen[i]
        b = chosen[i + 1] if i + 1 < len(chosen) else None
        if (
            b is not None
            and b.start > a.end
            and (_cal_like(a) or _day_like(a))
            and (_cal_like(b) or _day_like(b))
        ):
            between = (a.end, b.start)
            m = G.conn_re.fullmatch(text, *between)
            pair_end = None
            if m is None and G.pair_re.fullmatch(text, *between):
                sm = G.suffix_re.match(text, b.end)
                if sm and sm.group("w") in ("间", "之间"):
                    pair_end = sm.end()
            if m is not None or pair_end is not None:
                joined = None
                if _cal_like(a) and _cal_like(b):
                    pair = _join_specs(a.data, b.data)
                    if pair is not None:
                        joined = _Cand(a.start, pair_end or b.end, "range", 0, "range", "day", pair)
                else:
                    joined = _Cand(a.start, pair_end or b.end, "span", 0, "range", "day", (a, b))
                if joined is not None:
                    joined.grain = b.grain if b.kind != "date" else "day"
                    joined.extra = {**a.extra, **b.extra}
                    out.append(joined)
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


def _join_specs(a: _Cal, b: _Cal) -> tuple[_Cal, _Cal] | None:
    if a.y is not None and a.y == b.y and a.m1 is None and b.m1 is None:
        return None
    b = _Cal(**{f: getattr(b, f) for f in _Cal.__slots__})
    if b.free_day():
        if a.m1 is None and not a.has_month_source():
            return None
        b.m1 = b.m2 = a.m2 if a.m2 is not None else a.m1
        b.mo, b.mc = a.mo, a.mc
    if not b.has_year() and not b.has_month_source():
        b.y, b.yo, b.yc = a.y, a.yo, a.yc
        if (a.mo is not None or a.mc is not None) and b.m1 is None:
            b.mo, b.mc = a.mo, a.mc
        b.inherited_year = True
    return (a, b)


def _apply_modifiers(G: _Grammar, text: str, chosen: list[_Cand]) -> None:
    """Grow each candidate over by-prefixes (截至, 到) and suffixes (以来, 起, 前, 期间), and mark
    compared-against periods (比上年). Suffix words that were themselves picked up as candidates
    (至今) are absorbed."""
    n = len(chosen)
    drop: set[int] = set()
    for i, c in enumerate(chosen):
        if c.fam in ("duration", "window", "now", "base"):
            if (
                c.fam == "base"
                and c.role != "baseline"
                and G.baseline_re.search(text, max(0, c.start - 3), c.start)
            ):
                c.role = "baseline"
            continue
        prev_end = chosen[i - 1].end if i else 0
        nxt = chosen[i + 1].start if i + 1 < n else len(text)
        # suffix
        sm = G.suffix_re.match(text, c.end)
        if sm:
            w = sm.group("w")
            mod = G.suffixes[w]
            absorbed = i + 1 < n and chosen[i + 1].start >= c.end and chosen[i + 1].end <= sm.end()
            if sm.end() <= nxt or absorbed:
                if w in ("间", "之间") and c.kind != "range":
                    pass
                elif mod == "since" or mod == "from" or mod in ("by", "before") or mod is None:
                    if mod is not None and c.fam == "plan" and c.data[2][0] != "all" and mod != "since":
                        pass
                    else:
                        if absorbed:
                            drop.add(i + 1)
                        c.end = sm.end()
                        if mod:
                            c.mod = mod
        # prefix
        if c.mod is None:
            pm = G.by_prefix_re.search(text, max(prev_end, c.start - 4), c.start)
            if pm:
                c.start = pm.start()
                c.mod = G.by_prefixes[pm.group("w")]
        if c.role == "period" and G.baseline_re.search(text, max(prev_end, c.start - 3), c.start):
            c.role = "baseline"
    if drop:
        chosen[:] = [c for i, c in enumerate(chosen) if i not in drop]


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


def _cal_dates(s: _Cal, Y: int, M: int | None) -> tuple[date, date] | None:
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
        years = {c.data.y for c in _scan(text[head[0]:head[1]]) if _plain_year(c)}
    if not years:
        body = head[1] if head is not None else 0
        body += len(text[body:]) - len(text[body:].lstrip())
        opening = [c for c in _scan(text[body:body + 16]) if c.start == 0]
        if opening and _plain_year(opening[0]) and opening[0].data.m1 is None \
                and text[body + opening[0].end:body + opening[0].end + 1] in ("，", ","):
            years = {opening[0].data.y}
    if len(years) != 1:
        return None
    y = years.pop()
    if ref is not None and y not in (ref.year, ref.year - 1):
        return None
    return y


def _plain_year(c: _Cand) -> bool:
    return c.fam == "cal" and isinstance(c.data, _Cal) and c.data.y is not None and c.mod is None


_NEWLINE = regex.compile("\n")


def _resolve_cal(
    s: _Cal, ref: date | None, ctx_year: int | None, ctx_ym, past: bool = False
) -> tuple[date | None, date | None, str | None]:
    # month from a relative or context word (本月, 上月, 当月)
    if s.mo is not None or s.mc is not None:
        if s.mo is not None:
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
        bb = _Cal(**{f: getattr(b, f) for f in _Cal.__slots__})
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


def _resolve(c: _Cand, ref: date | None, ctx: _Ctx, text: str):
    cy, cym = ctx.year_at(c.start)
    past = c.mod == "since"
    if c.fam == "cal":
        return _resolve_cal(c.data, ref, cy, cym, past)
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


def _modify(c: _Cand, a, b, by, ref):
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
    spec = _grammar().r["fiscal_years"]
    return regex.compile(spec["pattern"])


def _fiscal_years(text: str) -> list[TimeExpr]:
    """Fiscal years written with both calendar years (2017/18年度, 2024-25财政年度): Hong Kong's and
    Macau's run from ``fiscal_years.start_month`` (April) to the month before, a period of the
    text alone; their digits are time, never a fraction or a range."""
    spec = _grammar().r["fiscal_years"]
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
    for c in _scan(text):
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


def time_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every time expression, durations included: the digits inside are time, not
    quantities (2025年, 1-8月, 5月21日, 三年). No resolution is done, so this is the cheap call."""
    if not text:
        return []
    return [(c.start, c.end) for c in _scan(text)]


# --------------------------------------------------------------------------------------------
# Document date


def _full_date(c: _Cand) -> date | None:
    s = c.data
    if c.fam != "cal" or not isinstance(s, _Cal) or s.y is None or s.pt is not None:
        return None
    if s.m1 is None or s.d1 is None or s.m1 != s.m2 or s.d1 != s.d2 or c.mod or c.role != "period":
        return None
    try:
        return date(s.y, s.m1, s.d1)
    except ValueError:
        return None


def _month_day(c: _Cand) -> tuple[int, int] | None:
    s = c.data
    if c.fam != "cal" or not isinstance(s, _Cal) or s.has_year() or s.has_month_source():
        return None
    if s.m1 is None or s.d1 is None or s.m1 != s.m2 or s.d1 != s.d2 or s.pt is not None or c.mod:
        return None
    return s.m1, s.d1


def _dateline_kind(G: _Grammar, head: str, c: _Cand) -> str | None:
    """Why a date near the top is the publication date: dateline, timestamp, header, or None."""
    after = head[c.end : c.end + 2].lstrip(" \u3000")
    if after[:1] in G.dateline_after:
        return "dateline"
    if G.dateline_before_re.search(head, max(0, c.start - 40), c.start):
        return "dateline"
    line_start = head.rfind("\n", 0, c.start) + 1
    line_end = head.find("\n", c.end)
    line_end = len(head) if line_end == -1 else line_end
    before = head[line_start : c.start]
    if c.extra.get("time") and (
        c.extra.get("numeric") or not before.strip() or G.header_label_re.search(before)
    ):
        return "timestamp"
    if G.header_label_re.search(before):
        return "header"
    if not before.strip():
        nxt = head[c.end : c.end + 1]
        if nxt in G.dd["lead_punct"]:
            return "dateline"
        if not head[c.end : line_end].strip():
            return "header"
    return None


def document_date(text: str) -> tuple[date | None, str | None]:
    """The publication date written in the article itself, and where it was found.

    Rules, in order (the first that applies wins):

    1. A full date (with its year) in the first ``head_chars`` characters that is a dateline
       (followed by 电/讯, or after 本报讯/（记者 …）), a paragraph's opening date (``2026年5月21日，``),
       a timestamp (``2026-05-21 10:30``), or a header date (alone on its line, or after a label
       such as 发布时间：). Source ``text:dateline``, ``text:timestamp`` or ``text:header``.
    2. The same positions holding a month and day without a year (``新华社北京4月19日电``,
       ``5月21日，…``): the year is the latest full year named anywhere in the article (a May
       article on 2025 results and 2026 plans is from 2026). Years that are targets (到2030年,
       2035年远景目标, 2030年前), plan periods, year ranges and "from" dates do not count. Source
       ``text:inferred-year``. No year named: no date.
    3. A full date alone on one of the last ``tail_lines`` lines (the date under a government
       notice). Source ``text:signature``.

    Otherwise ``(None, None)``: the date is never guessed from nothing.
    """
    if not text:
        return None, None
    G = _grammar()
    head = text[: int(G.dd["head_chars"])]
    cands = _scan(head)
    tail_start = _tail_start(text, int(G.dd["tail_lines"]))
    yearless: tuple[int, int] | None = None
    for c in cands:
        d = _full_date(c)
        if d is not None:
            why = _dateline_kind(G, head, c)
            if why == "header" and c.start >= tail_start:
                why = "signature"  # a short notice: its closing date is also near the top
            if why:
                return d, f"text:{why}"
            continue
        md = _month_day(c)
        if md is not None and yearless is None and _dateline_kind(G, head, c) == "dateline":
            yearless = md
    if yearless is not None:
        y = _latest_year(G, text)
        if y is not None:
            try:
                return date(y, *yearless), "text:inferred-year"
            except ValueError:
                return None, None
        return None, None
    credit = int(G.dd["credit_line_chars"])
    for ln in reversed(text[tail_start:].split("\n")):
        s = ln.strip().strip("（）()[]【】 \u3000")
        cs = _scan(s) if s else []
        if not cs or cs[-1].end != len(s):
            continue
        # a date alone on its line, or closing a short credit line (（某某融媒体中心 2025年10月15日）)
        if (len(cs) == 1 and cs[0].start == 0) or len(s) <= credit:
            d = _full_date(cs[-1])
            if d is not None:
                return d, "text:signature"
    return None, None


def _tail_start(text: str, n: int) -> int:
    """Offset where the last `n` non-empty lines of `text` begin."""
    end = len(text.rstrip())
    pos = end
    seen = 0
    while seen < n and pos > 0:
        nl = text.rfind("\n", 0, pos)
        if text[nl + 1 : pos].strip():
            seen += 1
        pos = max(nl, 0)
        if nl == -1:
            break
    return pos


def _latest_year(G: _Grammar, text: str) -> int | None:
    """The latest full year the article names as a period of its own (not a target), plus one when
    that year is set beside 今年 (2025年和今年一季度: this year is not 2025, so it is the next)."""
    cands = _scan(text)
    best: _Cand | None = None
    for c in cands:
        if c.fam != "cal" or not isinstance(c.data, _Cal) or c.data.y is None:
            continue
        if c.mod in ("target", "by", "before", "from") or G.target_after_re.match(text, c.end):
            continue
        if best is None or c.data.y > best.data.y:
            best = c
    if best is None:
        return None
    for c in cands:
        this_year = c.fam == "cal" and isinstance(c.data, _Cal) and c.data.yo == 0 and c.data.y is None
        if this_year and c.start >= best.end and G.coordination_re.fullmatch(text, best.end, c.start):
            return best.data.y + 1
    return best.data.y
