"""The time grammar: regex families compiled once from rules/time.yaml (guards and word lists
included), with numerals read by the numbers layer, and the builders that turn each match into a
`Candidate` (or veto it).

Group names say what each captures (``year4`` = 2025, ``month_range_first`` = the 1 of 1-8月,
``year_point_alone`` = 年底 written alone ...); a family's builder reads only its own groups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

import regex

from extract.numbers.numerals import NotANumber, parse_run
from extract.numbers.numerals import grammar as numeral_grammar
from extract.resources import alternation, load_yaml, read_tsv
from extract.timex.types import CalendarSpec, Candidate

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


class Grammar:
    """Every regex family of the time layer and the builders of its candidates.

    Numeral characters come from the numbers layer (rules/numerals.yaml: 壹, 貳, 俩 ... are digits
    here too); the guards that keep words such as 年初步 (preliminary) or 周边 out of time are the
    ``guards`` of rules/time.yaml."""

    def __init__(self, rules: dict) -> None:
        self.rules = rules
        guards = rules["guards"]

        def chars(key: str) -> str:
            return "".join(regex.escape(c) for c in guards[key])

        numbers = numeral_grammar()
        self.numbers = numbers
        pair = numbers.not_digit_by_digit

        def digits_of(*values: int) -> str:
            """The digit characters of these values, 两 and its variants left out."""
            return "".join(sorted(c for c, v in numbers.digit.items() if v in values and c not in pair))

        def units_of(value: int) -> str:
            return "".join(sorted(c for c, v in numbers.small.items() if v == value))

        year_digit = digits_of(*range(10))  # digit by digit in years: 二〇二五年
        nonzero = digits_of(*range(1, 10))
        zero, one_two = digits_of(0), digits_of(1, 2)
        two = "".join(sorted(pair)) + digits_of(2)
        ten, thousand = f"[{units_of(10)}]", f"[{units_of(1000)}]"
        # any numeral character: a number written before or after is no time (二百五十年, 第十五)
        numeral = "".join(sorted(set(numbers.digit) | set(numbers.small) | set(numbers.big)))
        odd = "|".join(sorted(numbers.odd))  # 三年多, 十余天
        self.pivot = int(rules["two_digit_year_pivot"])
        sp = r"[ \t\u3000]?"
        count_cn = rf"(?:[{nonzero}]?{ten}[{nonzero}]?|[{nonzero}{two}])"  # 1..99 in Chinese
        month_number = rf"(?:1[0-2]|0?[1-9]|{ten}[{one_two}]?|[{nonzero}])"
        day_arabic = r"(?:3[01]|[12]\d|0?[1-9])"
        day_cn = (
            rf"(?:[{digits_of(3)}]{ten}[{digits_of(1)}]?|[{digits_of(2)}]{ten}[{nonzero}]?|{ten}[{nonzero}]?"
            rf"|[{nonzero}]|初(?:[{nonzero}]|{ten}))"
        )
        day_number = rf"(?:{day_arabic}|{day_cn})"
        clock = r"(?:\s{0,2}(?:[01]?\d|2[0-3])[:：][0-5]\d(?:[:：][0-5]\d)?)"
        conn = _alt(load_yaml("ranges.yaml")["connectors"])  # one list with the quantities layer
        list_conn = _alt(rules["list_connectors"])
        self.conn_re = regex.compile(rf"{sp}{conn}{sp}")
        self.pair_re = regex.compile(rf"{sp}{_alt(rules['pair_connectors'])}{sp}")
        year4 = r"(?:1\d{3}|20\d{2}|21\d{2})"
        self.year4 = year4
        not_a_point = f"(?![{chars('not_a_point_before')}])"  # 年初步 (preliminary), 月末级 ...

        year = (
            rf"(?:(?<![\d.])(?P<year4>{year4})(?!\d)"
            rf"|(?<![\d.])(?P<year2_leading_zero>0\d)(?!\d)"
            rf"|(?<![\d.])(?P<year2_before_month>\d\d)(?={sp}年{sp}{month_number}{sp}月)"
            rf"|(?<![{numeral}])(?P<year_cn_digits>[{year_digit}]{{3,4}}|[{zero}][{year_digit}])"
            rf"|(?P<year_cn_cardinal>[{two}]{thousand}(?:[{zero}][{nonzero}]|[{nonzero}]?{ten}[{nonzero}]?)?)"
            rf"(?=年{sp}{month_number}{sp}月)"
            rf"){sp}年"
        )
        rel_guard_b = "(?<![" + "".join(rules["relative_not_after"]) + "])"
        rel_guard_a = "(?![" + "".join(rules["relative_not_before"]) + "])"
        rel_year = rel_guard_b + _alt(list(rules["relative_years"]) + list(rules["context_years"])) + rel_guard_a
        rel_month = (
            rel_guard_b + _alt(list(rules["relative_months"]) + list(rules["context_months"])) + rel_guard_a
        )
        year_part = _alt(rules["year_parts"])
        pts = rules["points"]
        year_point = _alt(rules["year_points"])
        month_point = _alt(rules["month_points"])
        part_point = _alt(rules["part_points"])
        quarter_number = f"[{digits_of(1, 2, 3, 4)}1-4]"

        day_range = (
            rf"(?P<days_first_month>{month_number}){sp}月{sp}(?P<days_first_day>{day_number}){sp}(?:日|号)?"
            rf"{sp}(?P<days_connector>{conn}){sp}"
            rf"(?:(?P<days_last_month>{month_number}){sp}月{sp})?(?P<days_last_day>{day_number}){sp}(?:日|号)"
        )
        month_range = (
            rf"(?P<months_first>{month_number})(?:{sp}月份?)?{sp}(?P<months_connector>{conn}|{list_conn}){sp}"
            rf"(?P<months_last>{month_number}){sp}月份?"
            rf"(?!{sp}{day_number}{sp}[日号])"
        )
        quarter_range = (
            rf"第?(?P<quarters_first>{quarter_number})(?:季度)?{sp}(?P<quarters_connector>{conn}|{list_conn})"
            rf"{sp}第?(?P<quarters_last>{quarter_number})季度"
        )
        cn_day_end = rf"(?![{chars('cn_day_not_before')}{numeral}\d])"
        month_and_day = (
            rf"(?P<month>{month_number}){sp}月(?:份"
            rf"|{sp}(?P<month_day>{day_number}){sp}(?:日|号)(?P<clock_time>{clock})?"
            rf"|(?P<month_day_cn_bare>{day_cn}){cn_day_end}"
            rf"|(?P<month_point>{month_point}){not_a_point})?"
        )
        part = rf"(?P<year_part>{year_part})(?:(?P<year_part_point>{part_point}){not_a_point})?"
        first_months = rf"[前首](?P<first_months>\d{{1,2}}|{count_cn})个?月份?"  # 前8个月, 首十个月
        point_of_year = rf"(?P<year_point>年?{year_point}){not_a_point}"
        rel_month_day = (
            rf"(?P<rel_month>{rel_month})(?:{sp}(?P<rel_month_day>{day_number}){sp}(?:日|号)"
            rf"|(?P<rel_month_point>{month_point}){not_a_point})?"
        )
        within = _alt(rules["within_words"])
        bare_day_range = (
            rf"(?<![\d.月])(?P<bare_days_first>{day_arabic}){sp}日?{sp}(?P<bare_days_connector>{conn}){sp}"
            rf"(?P<bare_days_last>{day_arabic}){sp}日(?!{within})"
        )
        bare_day = rf"(?<![\d.月])(?P<bare_day>{day_arabic}){sp}日(?!{within}|元(?!旦))"

        after_year = (
            f"(?:{day_range}|{month_range}|{quarter_range}|{month_and_day}|{part}|{first_months}"
            f"|{point_of_year}|(?P<annual_suffix>度))"
        )
        after_rel_year = (
            f"(?:{day_range}|{month_range}|{quarter_range}|{month_and_day}|{part}|{first_months}"
            f"|{point_of_year}|{rel_month_day})"
        )
        pa_guard = "(?<![" + "".join(rules["point_alone_not_after"]) + "])"
        alone = (
            rf"{pa_guard}(?P<year_point_alone>{_alt(rules['year_points_alone'])}){not_a_point}"
            rf"|{pa_guard}(?P<month_point_alone>{_alt(rules['month_points_alone'])}){not_a_point}"
        )
        without_year = (
            f"(?:{day_range}|{month_range}|{quarter_range}|{month_and_day}|{part}|{first_months}"
            f"|{rel_month_day}|{bare_day_range}|{bare_day}|{alone})"
        )
        cal = (
            rf"(?:{year}(?:{sp}{after_year})?"
            rf"|(?P<rel_year>{rel_year}){after_rel_year}?"
            rf"|(?<![\d.]){without_year})"
        )
        num_first = year_digit + two + units_of(10)
        self.cal = _guarded(
            cal,
            list(rules["relative_years"])
            + list(rules["context_years"])
            + list(rules["relative_months"])
            + list(rules["context_months"])
            + list(rules["year_parts"])
            + list(rules["year_points_alone"])
            + list(rules["month_points_alone"]),
            num_first + "前首第Q",
            digits=True,
        )

        clock_bare = clock.replace(r"\s{0,2}", "")
        numdate = (
            rf"(?<![\d.:/-])(?P<ymd_year>{year4})(?P<ymd_sep>[-./])(?P<ymd_month>1[0-2]|0?[1-9])(?P=ymd_sep)"
            rf"(?P<ymd_day>3[01]|[12]\d|0?[1-9])"
            rf"(?!\d|\.\d)(?P<clock_time>(?:\s{{1,2}}|T){clock_bare})?"
            rf"|(?<![\d.:/-])(?P<dmy_day>3[01]|[12]\d|0?[1-9])(?P<dmy_sep>[-./])(?P<dmy_month>1[0-2]|0?[1-9])"
            rf"(?P=dmy_sep)(?P<dmy_year>{year4})(?!\d|\.\d)"
        )
        self.numdate = _guarded(numdate, digits=True)
        # the second date of a numeric range (2018/1/10-2018/7/10), which the lookbehinds above
        # would refuse right after a dash
        nolb = numdate.replace(r"(?<![\d.:/-])", "")
        self.numdate_tail = regex.compile(rf"{sp}(?:[-~～〜至到]){sp}(?:{nolb})")

        cn_year = rf"[{year_digit}]{{4}}"
        years_end = rf"(?=$|\s|{_alt(rules['bare_year_range_before'])})"
        year_range = (
            rf"(?<![\d.])(?P<years_first>{year4}){sp}年?{sp}(?P<years_connector>{conn}){sp}"
            rf"(?P<years_last>{year4}){sp}年"
            rf"|(?<![{numeral}])(?P<cn_years_first>{cn_year})年?{sp}(?P<cn_years_connector>{conn}){sp}"
            rf"(?P<cn_years_last>{cn_year})年"
            rf"|(?<=[从自]{sp})(?P<bare_years_first>{year4})(?!\d){sp}(?P<bare_years_connector>{conn}){sp}"
            rf"(?P<bare_years_last>{year4})(?!\d){years_end}"
        )
        self.yrange = regex.compile(year_range)

        cent_words = _alt(rules["centuries"])
        decade = (
            rf"(?:(?P<century_word>{cent_words})|(?P<century_number>\d\d|[{one_two}]?{ten}[{nonzero}]?)世纪)?"
            rf"(?<![\d.])(?P<decade>[1-9]0|[{nonzero}]{ten})年代"
        )
        self.decade = regex.compile(decade)

        plans = rules["plans"]
        self.plans = {k: (int(v[0]), int(v[1])) for k, v in plans.items()}
        self.plan_by_ord = {k[:-1]: k for k in plans}
        self.plan_ambiguous = set(rules["plan_ambiguous"])
        self.plan_parts = dict(rules["plan_parts"])
        self.plan_markers = list(rules["plan_markers"])
        oq, cq = chars("open_quotes"), chars("close_quotes")
        plan_count = rf"(?:\d{{1,2}}|{count_cn})"
        plan = (
            rf"(?P<long_form>第(?P<long_ordinal>{_alt(self.plan_by_ord)})个五年(?:规划|计划))"
            rf"(?:(?P<long_part>{_alt(self.plan_parts)}))?"
            rf"|(?P<open_quote>[{oq}])?(?<![{numeral}{chars('ordinal')}\d])(?P<plan_name>{_alt(plans)})"
            rf"(?![{numeral}{chars('plan_not_before')}\d])(?P<close_quote>[{cq}])?"
            rf"(?:(?P<plan_part>{_alt(self.plan_parts)})"
            rf"|(?P<edge_word>前|头|后)(?P<edge_years>{plan_count})(?:个)?年"
            rf"|第(?P<nth_year>{plan_count})(?:个)?年)?"
        )
        self.plan = _guarded(plan, plans, "".join(guards["open_quotes"]) + "第")
        self.plan_marker_re = regex.compile(_alt(self.plan_markers))

        self.year_parts = {k: (v[0], int(v[1]), int(v[2])) for k, v in rules["year_parts"].items()}
        self.points = {k: tuple(v) for k, v in pts.items()}
        self.rel_years = dict(rules["relative_years"])
        self.reported_relative = frozenset(rules["reported_relative"])
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

        week_word = _alt(rules["week_words"])
        weekday = "[" + "".join(self.weekdays) + "]"
        no_age = f"(?![{chars('not_an_age_before')}])"  # 周年, 周岁: no week
        rel = (
            rf"(?P<rel_day>{_alt(self.rel_days)})"
            rf"|(?P<context_day>{_alt(self.ctx_days)})"
            rf"|(?P<rel_year_range>{_alt(self.rel_year_ranges)})"
            rf"|(?P<rel_quarter>{_alt(self.rel_quarters)})"
            rf"|(?P<this_year>{_alt(rules['this_year_words'])})"
            rf"|(?P<week_prefix>{_alt(self.week_prefixes)})(?:{week_word})"
            rf"(?:(?P<weekday>{weekday})|(?P<weekend>{regex.escape(self.weekend)}))?"
            rf"(?![{chars('week_not_before')}])"
            rf"|(?:(?<![{numeral}{chars('bare_weekday_not_after')}\d])|(?<={_alt(guards['bare_weekday_after_words'])}))"
            rf"(?:{week_word})(?P<bare_weekday>{weekday}){no_age}"
        )
        self.rel = regex.compile(rel)

        units = rules["duration_units"]
        self.units = dict(units)
        unit_alt = _alt(units)
        pairs = _alt(rules["approx_pairs"])
        vague = chars("count_not_after")
        ordinal = chars("ordinal")
        count = (
            rf"(?:(?<![\d.])\d{{1,3}}(?:\.\d+)?|(?<![{numeral}{vague}]){pairs}"
            rf"|(?<![{numeral}{vague}{ordinal}]){count_cn}|半)"
        )
        wpre = rules["window_prefixes"]
        self.window_prefixes = dict(wpre)
        wsuf = _alt(rules["window_suffixes"])
        window = (
            rf"(?P<window_prefix>{_alt(wpre)})(?P<window_count>{count})(?P<window_unit>{unit_alt}){no_age}"
            rf"(?:{wsuf})?"
            rf"|(?<![{ordinal}])(?P<suffixed_count>{count})(?P<approx_marker>{odd})?(?P<suffixed_unit>{unit_alt})"
            rf"(?P<window_suffix>{wsuf})"
        )
        self.window = _guarded(window, wpre, num_first + "半", digits=True)
        duration = (
            rf"(?<![{ordinal}])(?:(?P<count_low>{count}){sp}{conn}{sp})?(?P<count>{count})(?P<approx_marker>{odd})?"
            rf"(?P<unit>{unit_alt}){no_age}"
            rf"(?P<within>{within})?"
            rf"|(?<![\d.月{ordinal}])(?P<day_count>\d{{1,3}}|{count_cn})日(?P<day_within>{within})"
        )
        self.duration = _guarded(duration, chars=num_first + "半", digits=True)
        # Every duration and window match holds a count, then its unit at once (odd marker aside):
        # the trigger is each unit's first character with the count-like run before it, matched
        # right to left so that the run is taken whole however long it is. Its characters (numerals,
        # odd markers, 半, spaces, range connectors) include all a match holds between the count's
        # start and its unit, and no unit's first character, so every match lies between a trigger's
        # start (less a window prefix: 过去3年) and the rest of its unit with 以内 or 以来 after it.
        counted = (set(numbers.digit) | set(numbers.small) | set(pair) | set(numbers.odd) | set("半. \t\u3000")
                   | {c for w in rules["approx_pairs"] for c in w}
                   | {c for w in load_yaml("ranges.yaml")["connectors"] for c in w})
        unit_first = {u[0] for u in units} | {"日"}  # 日 ends the day counts (3日内)
        if counted & unit_first:
            raise ValueError(f"rules/time.yaml: a duration unit starts with a count character: {counted & unit_first}")
        self.count_trigger = regex.compile(
            rf"[\d{''.join(regex.escape(c) for c in sorted(counted))}]*[{''.join(regex.escape(c) for c in sorted(unit_first))}]",
            regex.REVERSE)
        self.count_after = max(map(len, units)) - 1 + max(map(len, [*rules["within_words"], *rules["window_suffixes"]])) + 1
        self.window_before = max(map(len, wpre))

        names, marked = rules["holiday_names"], rules["marked_holiday_names"]
        self.holiday_names = {**names, **marked}
        holiday_word = _alt(rules["holiday_words"])
        holiday = (
            rf"(?:(?<![\d.])(?P<year4>{year4}){sp}年{sp}|(?P<rel_year>{rel_year}))?"
            rf"(?:(?P<holiday>{_alt(names)})(?:(?P<holiday_word>{holiday_word})|(?![{chars('holiday_day_not_before')}]))"
            rf"|(?<![{numeral}])(?P<marked_holiday>{_alt(marked)})(?P<marked_word>{holiday_word}))"
        )
        self.holiday = _guarded(
            holiday, list(names) + list(marked) + list(rules["relative_years"]) + list(rules["context_years"]),
            digits=True)
        self.holiday_dates = _holiday_table()
        # every holiday match holds a name: a year (2025年, a space either side) or a relative year
        # may come before it, a holiday word and a one-character lookahead after it
        self.holiday_trigger = regex.compile(alternation(self.holiday_names))
        self.holiday_before = max(len("2025年") + 2, *map(len, [*rules["relative_years"], *rules["context_years"]]))
        self.holiday_after = max(map(len, self.holiday_names)) + max(map(len, rules["holiday_words"])) + 1

        same = _alt(rules["same_period"])
        base = rf"(?:(?P<rel_year>{rel_year})|(?<![\d.])(?P<year4>{year4}){sp}年)?(?P<same_period>{same})"
        self.base = regex.compile(base)

        by = rules["by_prefixes"]
        self.by_prefixes = dict(by)
        now = (
            rf"(?P<by_prefix>{_alt([k for k, v in by.items() if v == 'asof'])}){_alt(rules['now_words'])}"
            rf"|{_alt(rules['now_alone'])}"
        )
        self.now = regex.compile(now)

        # modifiers: prefixes are matched as the end of the text before an expression
        not_after = "(?<![" + "".join(rules["by_prefix_not_after"]) + "])"
        self.by_prefix_re = regex.compile(rf"{not_after}(?P<word>{_alt(by)}){sp}\Z")
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
        self.suffix_re = regex.compile(rf"{sp}(?P<word>{_alt(self.suffixes)})(?![{chars('suffix_not_before')}])")
        self.target_after_re = regex.compile(_alt(rules["target_after"]))
        self.coordination_re = regex.compile(rf"{sp}{_alt(rules['coordination'])}{sp}")

        # (name, pattern, priority, builder, trigger, chars before, chars after). Every match of a
        # family overlaps one of its trigger's matches, and lies within (before, after) of it:
        # the big patterns are only tried in those windows, so the text is scanned at C speed.
        self.families: list[tuple[str, Any, int, Callable, Any, int, int]] = [
            ("numdate", self.numdate, 0, self._build_numdate, regex.compile(r"\d[-./]\d{1,2}[-./]\d"), 8, 40),
            ("cal", self.cal, 0, self._build_cal, regex.compile(r"[年月日号季旬Q]"), 16, 16),
            ("yrange", self.yrange, 0, self._build_yrange, None, 0, 0),
            ("plan", self.plan, 0, self._build_plan, regex.compile("五"), 8, 12),
            ("decade", self.decade, 0, self._build_decade, None, 0, 0),
            ("holiday", self.holiday, 0, self._build_holiday, self.holiday_trigger, self.holiday_before,
             self.holiday_after),
            ("base", self.base, 0, self._build_base, None, 0, 0),
            ("now", self.now, 0, self._build_now, None, 0, 0),
            ("rel", self.rel, 1, self._build_rel, None, 0, 0),
            ("window", self.window, 1, self._build_window, self.count_trigger, self.window_before, self.count_after),
            ("duration", self.duration, 2, self._build_duration, self.count_trigger, 0, self.count_after),
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
        """Small Chinese or Arabic numeral -> int, read by the numbers layer (十二 -> 12,
        二十三 -> 23, 两 -> 2, 拾壹 -> 11, 初十 -> 10); None for what is no whole number."""
        if not s:
            return None
        if s.isdigit():
            return int(s)
        if s.startswith("初"):
            s = s[1:]
        try:
            value, high, vague = parse_run(s)
        except NotANumber:
            return None
        if high is not None or vague or value != value.to_integral_value():
            return None
        return int(value)

    def year_digits(self, s: str) -> int | None:
        """Digit-by-digit Chinese year (二〇二五 -> 2025, 零八 -> 2008, 三六七 -> 367)."""
        digit = self.numbers.digit
        if not all(c in digit and c not in self.numbers.not_digit_by_digit for c in s):
            return None
        v = int("".join(str(digit[c]) for c in s))
        return self.two_digit(v) if len(s) == 2 else v

    def two_digit(self, v: int) -> int:
        return 2000 + v if v < self.pivot else 1900 + v

    def num_value(self, s: str) -> float | None:
        if s == "半":
            return 0.5
        try:
            return float(s) if any(c.isdigit() for c in s) else self.cn_int(s)
        except ValueError:
            return None

    # ---- builders: match -> candidate (None vetoes) ---------------------------------------------

    def _year_of(self, g: dict) -> int | None:
        if g.get("year4"):
            return int(g["year4"])
        if g.get("year2_leading_zero"):
            return self.two_digit(int(g["year2_leading_zero"]))
        if g.get("year2_before_month"):
            return self.two_digit(int(g["year2_before_month"]))
        if g.get("year_cn_digits"):
            return self.year_digits(g["year_cn_digits"])
        if g.get("year_cn_cardinal"):
            return self.cn_int(g["year_cn_cardinal"])
        return None

    def _month(self, s: str | None) -> int | None:
        v = self.cn_int(s) if s else None
        return v if v is not None and 1 <= v <= 12 else None

    def _at_point(self, spec: CalendarSpec, word: str) -> tuple[str, str]:
        """A point of the month (上旬, 月底 ...): one day is a date, several a range of days."""
        spec.pt = self.points[word]
        return ("date", "day") if spec.pt[0] == spec.pt[1] else ("range", "day")

    def _build_cal(self, m) -> Candidate | None:
        g = m.groupdict()
        spec = CalendarSpec()
        y = self._year_of(g)
        if y is not None:
            spec.y = y
        elif g.get("rel_year"):
            w = g["rel_year"]
            if w in self.rel_years:
                spec.yo = int(self.rel_years[w])
                spec.reported = w in self.reported_relative
            else:
                spec.yc = int(self.ctx_years[w])
        kind, grain = "year", "year"
        if g.get("days_first_month") is not None:
            spec.m1 = self._month(g["days_first_month"])
            spec.m2 = self._month(g["days_last_month"]) if g.get("days_last_month") else spec.m1
            spec.d1, spec.d2 = self.cn_int(g["days_first_day"]), self.cn_int(g["days_last_day"])
            kind, grain = "range", "day"
        elif g.get("months_first") is not None:
            spec.m1, spec.m2 = self._month(g["months_first"]), self._month(g["months_last"])
            if spec.m1 is None or spec.m2 is None:
                return None
            if g["months_connector"] in self.rules["list_connectors"] and spec.m2 != spec.m1 + 1:
                return None
            if spec.m2 <= spec.m1 and g["months_connector"] not in ("至", "到"):
                return None
            kind, grain = "range", "month"
        elif g.get("quarters_first") is not None:
            q1, q2 = self.cn_int(g["quarters_first"]), self.cn_int(g["quarters_last"])
            if q2 <= q1 or (g["quarters_connector"] in self.rules["list_connectors"] and q2 != q1 + 1):
                return None
            spec.m1, spec.m2 = 3 * q1 - 2, 3 * q2
            kind, grain = "quarter", "quarter"
        elif g.get("month") is not None:
            spec.m1 = spec.m2 = self._month(g["month"])
            if spec.m1 is None:
                return None
            kind, grain = "month", "month"
            dtxt = g.get("month_day") or g.get("month_day_cn_bare")
            if dtxt:
                spec.d1 = spec.d2 = self.cn_int(dtxt)
                kind, grain = "date", "day"
            elif g.get("month_point"):
                kind, grain = self._at_point(spec, g["month_point"])
        elif g.get("year_part"):
            pk, a, b = self.year_parts[g["year_part"]]
            spec.m1, spec.m2 = a, b
            kind, grain = pk, pk
            if pk == "year":
                spec.m1 = spec.m2 = None
            if g.get("year_part_point"):
                spec.pt = self.points[g["year_part_point"]]
                kind, grain = "date", "day"
        elif g.get("first_months") is not None:
            n = self.cn_int(g["first_months"])
            if not n or n > 12:
                return None
            spec.m1, spec.m2 = 1, n
            kind, grain = "range", "month"
        elif g.get("year_point"):
            spec.pt = self.points[g["year_point"].lstrip("年")]
            kind, grain = "date", "day"
        elif g.get("rel_month"):
            w = g["rel_month"]
            if w in self.rel_months:
                spec.mo = int(self.rel_months[w])
                spec.reported = w in self.reported_relative
            else:
                spec.mc = int(self.ctx_months[w])
            kind, grain = "month", "month"
            if g.get("rel_month_day"):
                spec.d1 = spec.d2 = self.cn_int(g["rel_month_day"])
                kind, grain = "date", "day"
            elif g.get("rel_month_point"):
                kind, grain = self._at_point(spec, g["rel_month_point"])
        elif g.get("year_point_alone"):
            spec.pt = self.points[g["year_point_alone"][1:]]
            spec.own = True
            kind, grain = "date", "day"
        elif g.get("month_point_alone"):
            spec.pt = self.points[g["month_point_alone"][1:]]
            spec.own_month = True
            kind, grain = "date", "day"
        elif g.get("bare_days_first") is not None:
            spec.d1, spec.d2 = int(g["bare_days_first"]), int(g["bare_days_last"])
            if spec.d2 <= spec.d1:
                return None
            kind, grain = "range", "day"
        elif g.get("bare_day") is not None:
            spec.d1 = spec.d2 = int(g["bare_day"])
            kind, grain = "date", "day"
        elif not spec.has_year():
            return None
        if spec.d1 is not None and not (1 <= spec.d1 <= 31 and 1 <= (spec.d2 or 0) <= 31):
            return None
        c = Candidate(m.start(), m.end(), "cal", 0, kind, grain, spec)
        if g.get("clock_time"):
            c.extra["time"] = True
        return c

    @staticmethod
    def _numeric(g: dict) -> CalendarSpec:
        if g.get("ymd_year"):
            y, mo, d = int(g["ymd_year"]), int(g["ymd_month"]), int(g["ymd_day"])
        else:
            y, mo, d = int(g["dmy_year"]), int(g["dmy_month"]), int(g["dmy_day"])
        return CalendarSpec(y=y, m1=mo, m2=mo, d1=d, d2=d)

    def _build_numdate(self, m) -> Candidate | None:
        g = m.groupdict()
        spec = self._numeric(g)
        t = self.numdate_tail.match(m.string, m.end())
        if t is not None:
            c = Candidate(m.start(), t.end(), "range", 0, "range", "day", (spec, self._numeric(t.groupdict())))
            c.extra["numeric"] = True
            return c
        c = Candidate(m.start(), m.end(), "cal", 0, "date", "day", spec)
        c.extra["numeric"] = True
        if g.get("clock_time"):
            c.extra["time"] = True
        return c

    def _build_yrange(self, m) -> Candidate | None:
        g = m.groupdict()
        if g.get("years_first"):
            a, b = int(g["years_first"]), int(g["years_last"])
        elif g.get("cn_years_first"):
            a, b = self.year_digits(g["cn_years_first"]), self.year_digits(g["cn_years_last"])
        else:
            a, b = int(g["bare_years_first"]), int(g["bare_years_last"])
        if a is None or b is None or not (a < b <= a + 200):
            return None
        return Candidate(m.start(), m.end(), "range", 0, "range", "year", (CalendarSpec(y=a), CalendarSpec(y=b)))

    def _build_plan(self, m) -> Candidate | None:
        g = m.groupdict()
        start, end = m.start(), m.end()
        if g.get("long_form"):
            name = self.plan_by_ord[g["long_ordinal"]]
            part = g.get("long_part")
        else:
            name = g["plan_name"]
            part = g.get("plan_part")
            oq, cq = g.get("open_quote"), g.get("close_quote")
            if oq and not cq:
                start = m.start("plan_name")
            if cq and not oq and not (g.get("plan_part") or g.get("edge_years") or g.get("nth_year")):
                end = m.end("plan_name")
            quoted = bool(oq and cq)
            has_part = bool(part or g.get("edge_years") or g.get("nth_year"))
            marked = quoted or has_part or self.plan_marker_re.match(m.string, m.end())
            if name in self.plan_ambiguous and not marked:
                return None
        y1, y2 = self.plans[name]
        which: tuple = ("all",)
        if part:
            which = (self.plan_parts[part],)
        elif g.get("edge_years"):
            n = self.cn_int(g["edge_years"]) or 0
            if not 1 <= n <= 5:
                return None
            which = ("first_n" if g["edge_word"] in ("前", "头") else "last_n", n)
        elif g.get("nth_year"):
            n = self.cn_int(g["nth_year"]) or 0
            if not 1 <= n <= 5:
                return None
            which = ("nth", n)
        return Candidate(start, end, "plan", 0, "plan", "year", (y1, y2, which))

    def _build_decade(self, m) -> Candidate | None:
        g = m.groupdict()
        dec = self.cn_int(g["decade"]) if not g["decade"].isdigit() else int(g["decade"])
        if dec is None or dec % 10 or not 10 <= dec <= 90:
            return None
        cent = None
        if g.get("century_word"):
            cent = int(self.rules["centuries"][g["century_word"]])
        elif g.get("century_number"):
            n = int(g["century_number"]) if g["century_number"].isdigit() else self.cn_int(g["century_number"])
            if not n or not 1 <= n <= 30:
                return None
            cent = (n - 1) * 100
        return Candidate(m.start(), m.end(), "decade", 0, "decade", "decade", (cent, dec))

    def _build_holiday(self, m) -> Candidate | None:
        g = m.groupdict()
        spec = CalendarSpec()
        if g.get("year4"):
            spec.y = int(g["year4"])
        elif g.get("rel_year"):
            w = g["rel_year"]
            if w in self.rel_years:
                spec.yo = int(self.rel_years[w])
            else:
                spec.yc = int(self.ctx_years[w])
        name = g.get("holiday") or g["marked_holiday"]
        days_off = bool(g.get("holiday_word") or g.get("marked_word"))
        kind, grain = ("range", "holiday") if days_off else ("date", "day")
        return Candidate(m.start(), m.end(), "holiday", 0, kind, grain, (self.holiday_names[name], days_off, spec))

    def _build_base(self, m) -> Candidate | None:
        g = m.groupdict()
        c = Candidate(m.start(), m.end(), "base", 0, "relative", None, None)
        if g.get("rel_year") or g.get("year4"):
            c.role = "baseline"
        return c

    def _build_now(self, m) -> Candidate | None:
        c = Candidate(m.start(), m.end(), "now", 0, "by", "day", None)
        c.mod = "asof"
        return c

    def _build_rel(self, m) -> Candidate | None:
        g = m.groupdict()
        s, e = m.start(), m.end()
        if g.get("rel_day"):
            return Candidate(s, e, "rel", 1, "date", "day", ("day", int(self.rel_days[g["rel_day"]])))
        if g.get("context_day"):
            return Candidate(s, e, "rel", 0, "date", "day", ("ctxday", int(self.ctx_days[g["context_day"]])))
        if g.get("rel_year_range"):
            a, b = self.rel_year_ranges[g["rel_year_range"]]
            return Candidate(s, e, "range", 0, "range", "year", (CalendarSpec(yo=a), CalendarSpec(yo=b)))
        if g.get("rel_quarter"):
            return Candidate(s, e, "rel", 1, "quarter", "quarter", ("quarter", int(self.rel_quarters[g["rel_quarter"]])))
        if g.get("this_year"):
            return Candidate(s, e, "cal", 1, "year", "year", CalendarSpec(yo=0))
        if g.get("week_prefix") is not None:
            wo = int(self.week_prefixes[g["week_prefix"]])
            if g.get("weekday"):
                return Candidate(s, e, "rel", 1, "date", "day", ("week", wo, self.weekdays[g["weekday"]]))
            if g.get("weekend"):
                return Candidate(s, e, "rel", 1, "week", "day", ("week", wo, "weekend"))
            return Candidate(s, e, "rel", 1, "week", "week", ("week", wo, None))
        if g.get("bare_weekday"):
            return Candidate(s, e, "rel", 1, "date", "day", ("weekday", self.weekdays[g["bare_weekday"]]))
        return None

    def _iso(self, n: float | None, unit: str) -> str | None:
        if n is None:
            return None
        v = int(n) if float(n).is_integer() else n
        letter = self.units[unit]
        return f"PT{v}{letter[1]}" if letter.startswith("T") else f"P{v}{letter}"

    def _build_window(self, m) -> Candidate | None:
        g = m.groupdict()
        if g.get("window_prefix"):
            direction = self.window_prefixes[g["window_prefix"]]
            unit, ntxt = g["window_unit"], g["window_count"]
            if direction == "past-short":
                if self.units[unit] not in ("W", "D"):
                    return None
                direction = "past"
        else:
            direction, unit, ntxt = "past", g["suffixed_unit"], g["suffixed_count"]
        approx = bool(g.get("approx_marker")) or (len(ntxt) == 2 and ntxt in self.rules["approx_pairs"])
        n = None if approx else self.num_value(ntxt)
        if n is not None and n <= 0:
            return None
        c = Candidate(m.start(), m.end(), "window", 1, "window", "day", (direction, n, self.units[unit]))
        c.duration = self._iso(n, unit)
        return c

    def _build_duration(self, m) -> Candidate | None:
        g = m.groupdict()
        if g.get("day_count"):
            n = self.num_value(g["day_count"])
            c = Candidate(m.start(), m.end(), "duration", 2, "duration", None, None)
            c.duration = self._iso(n, "天")
            return c
        ntxt, unit = g["count"], g["unit"]
        approx = bool(g.get("approx_marker") or g.get("count_low")) or ntxt in self.rules["approx_pairs"] or unit == "个多月"
        n = None if approx else self.num_value(ntxt)
        c = Candidate(m.start(), m.end(), "duration", 2, "duration", None, None)
        c.duration = self._iso(n, unit)
        return c


def _holiday_table() -> dict[tuple[int, str], tuple[date, date | None, date | None]]:
    """(year, holiday) -> (its day, first and last official day off or None), from rules/holidays.tsv."""
    rows = read_tsv("holidays.tsv")
    col = {k: rows[0].index(k) for k in ("year", "holiday", "day", "first", "last")}
    out = {}
    for row in rows[1:]:
        first, last = row[col["first"]], row[col["last"]]
        out[(int(row[col["year"]]), row[col["holiday"]])] = (
            date.fromisoformat(row[col["day"]]),
            date.fromisoformat(first) if first else None,
            date.fromisoformat(last) if last else None,
        )
    return out


@cache
def grammar() -> Grammar:
    return Grammar(load_yaml("time.yaml"))
