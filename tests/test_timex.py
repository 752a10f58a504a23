"""Time expressions and the document date, expectations written by hand from the language.

Each row says what a reader of Chinese news takes the words to mean; the dates are inclusive.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.resources import rule_path
from extract.timex import TimeExpr, document_date, find_times

D = dt.date
REF = D(2026, 5, 21)  # a Thursday
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def one(text: str, ref: dt.date | None = REF, want: str | None = None) -> TimeExpr:
    """The expression whose text is `want` (or the only one found)."""
    found = find_times(text, ref)
    if want is None:
        assert len(found) == 1, found
        return found[0]
    hits = [t for t in found if t.text == want]
    assert hits, f"{want!r} not found in {[t.text for t in found]}"
    return hits[0]


# (text, expression, kind, start, end) with ref 2026-05-21 unless the text names the year
FOUND = [
    # years
    ("2025年全省进出口总额增长", "2025年", "year", D(2025, 1, 1), D(2025, 12, 31)),
    ("二〇二五年是收官之年", "二〇二五年", "year", D(2025, 1, 1), D(2025, 12, 31)),
    ("二○二四年", "二○二四年", "year", D(2024, 1, 1), D(2024, 12, 31)),
    ("他07年毕业", "07年", "year", D(2007, 1, 1), D(2007, 12, 31)),
    ("2025年度报告", "2025年度", "year", D(2025, 1, 1), D(2025, 12, 31)),
    # halves and quarters with a year
    ("2017年上半年", "2017年上半年", "half", D(2017, 1, 1), D(2017, 6, 30)),
    ("2025年下半年", "2025年下半年", "half", D(2025, 7, 1), D(2025, 12, 31)),
    ("2025年前三季度", "2025年前三季度", "quarter", D(2025, 1, 1), D(2025, 9, 30)),
    ("2024年第四季度", "2024年第四季度", "quarter", D(2024, 10, 1), D(2024, 12, 31)),
    ("今年一季度，全省", "今年一季度", "quarter", D(2026, 1, 1), D(2026, 3, 31)),
    ("去年二季度", "去年二季度", "quarter", D(2025, 4, 1), D(2025, 6, 30)),
    ("今年前两个月", "今年前两个月", "range", D(2026, 1, 1), D(2026, 2, 28)),
    ("2025年一至三季度", "2025年一至三季度", "quarter", D(2025, 1, 1), D(2025, 9, 30)),
    ("2025年二、三季度", "2025年二、三季度", "quarter", D(2025, 4, 1), D(2025, 9, 30)),
    ("一季度末贷款余额", "一季度末", "date", D(2026, 3, 31), D(2026, 3, 31)),
    # months and days
    ("2025年5月", "2025年5月", "month", D(2025, 5, 1), D(2025, 5, 31)),
    ("2025年5月21日", "2025年5月21日", "date", D(2025, 5, 21), D(2025, 5, 21)),
    ("5月21日，吉林省召开发布会", "5月21日", "date", D(2026, 5, 21), D(2026, 5, 21)),
    ("3月份出口增长", "3月份", "month", D(2026, 3, 1), D(2026, 3, 31)),
    ("二〇二六年五月二十一日", "二〇二六年五月二十一日", "date", D(2026, 5, 21), D(2026, 5, 21)),
    ("2026-05-21 10:30", "2026-05-21 10:30", "date", D(2026, 5, 21), D(2026, 5, 21)),
    ("6月上旬", "6月上旬", "range", D(2026, 6, 1), D(2026, 6, 10)),
    ("6月底", "6月底", "date", D(2026, 6, 30), D(2026, 6, 30)),
    ("2025年底", "2025年底", "date", D(2025, 12, 31), D(2025, 12, 31)),
    ("今年年初", "今年年初", "date", D(2026, 1, 1), D(2026, 1, 1)),
    # month ranges
    ("1-8月", "1-8月", "range", D(2026, 1, 1), D(2026, 8, 31)),
    ("1～5月", "1～5月", "range", D(2026, 1, 1), D(2026, 5, 31)),
    ("1~5月", "1~5月", "range", D(2026, 1, 1), D(2026, 5, 31)),
    ("1月至10月", "1月至10月", "range", D(2026, 1, 1), D(2026, 10, 31)),
    ("1—5月", "1—5月", "range", D(2026, 1, 1), D(2026, 5, 31)),
    ("一至五月", "一至五月", "range", D(2026, 1, 1), D(2026, 5, 31)),
    ("2025年1-8月", "2025年1-8月", "range", D(2025, 1, 1), D(2025, 8, 31)),
    ("1-4月份", "1-4月份", "range", D(2026, 1, 1), D(2026, 4, 30)),
    ("1、2月", "1、2月", "range", D(2026, 1, 1), D(2026, 2, 28)),
    ("2024年10月至2025年3月", "2024年10月至2025年3月", "range", D(2024, 10, 1), D(2025, 3, 31)),
    ("5月1日至3日", "5月1日至3日", "range", D(2026, 5, 1), D(2026, 5, 3)),
    ("5月1-3日", "5月1-3日", "range", D(2026, 5, 1), D(2026, 5, 3)),
    # year ranges
    ("1949~1978年", "1949~1978年", "range", D(1949, 1, 1), D(1978, 12, 31)),
    ("2021-2025年", "2021-2025年", "range", D(2021, 1, 1), D(2025, 12, 31)),
    ("2021年至2025年", "2021年至2025年", "range", D(2021, 1, 1), D(2025, 12, 31)),
    ("2021—2025年期间", "2021—2025年期间", "range", D(2021, 1, 1), D(2025, 12, 31)),
    ("2007年与2009年之间", "2007年与2009年之间", "range", D(2007, 1, 1), D(2009, 12, 31)),
    # relative
    ("今年", "今年", "year", D(2026, 1, 1), D(2026, 12, 31)),
    ("去年", "去年", "year", D(2025, 1, 1), D(2025, 12, 31)),
    ("上年", "上年", "year", D(2025, 1, 1), D(2025, 12, 31)),
    ("前年", "前年", "year", D(2024, 1, 1), D(2024, 12, 31)),
    ("明年", "明年", "year", D(2027, 1, 1), D(2027, 12, 31)),
    ("本月", "本月", "month", D(2026, 5, 1), D(2026, 5, 31)),
    ("上月", "上月", "month", D(2026, 4, 1), D(2026, 4, 30)),
    ("上个月", "上个月", "month", D(2026, 4, 1), D(2026, 4, 30)),
    ("年内", "年内", "year", D(2026, 1, 1), D(2026, 12, 31)),
    ("年底前完成", "年底前", "by", D(2026, 12, 31), D(2026, 12, 31)),
    ("年末", "年末", "date", D(2026, 12, 31), D(2026, 12, 31)),
    ("年初", "年初", "date", D(2026, 1, 1), D(2026, 1, 1)),
    ("月底", "月底", "date", D(2026, 5, 31), D(2026, 5, 31)),
    ("全年", "全年", "year", D(2026, 1, 1), D(2026, 12, 31)),
    ("昨日", "昨日", "date", D(2026, 5, 20), D(2026, 5, 20)),
    ("上周一", "上周一", "date", D(2026, 5, 11), D(2026, 5, 11)),
    ("下周", "下周", "week", D(2026, 5, 25), D(2026, 5, 31)),
    ("本季度", "本季度", "quarter", D(2026, 4, 1), D(2026, 6, 30)),
    ("今年以来", "今年以来", "since", D(2026, 1, 1), REF),
    ("10月份以来", "10月份以来", "since", D(2025, 10, 1), REF),  # since: the last October begun
    ("截至今年6月底", "截至今年6月底", "by", D(2026, 6, 30), D(2026, 6, 30)),
    ("今明两年", "今明两年", "range", D(2026, 1, 1), D(2027, 12, 31)),
    # five-year plans
    ("十四五期间", "十四五期间", "plan", D(2021, 1, 1), D(2025, 12, 31)),
    ("“十四五”期间", "“十四五”期间", "plan", D(2021, 1, 1), D(2025, 12, 31)),
    ('"十四五"期间', '"十四五"期间', "plan", D(2021, 1, 1), D(2025, 12, 31)),
    ("‘十四五’时期", "‘十四五’时期", "plan", D(2021, 1, 1), D(2025, 12, 31)),
    ("「十三五」期间", "「十三五」期间", "plan", D(2016, 1, 1), D(2020, 12, 31)),
    ("十四五时期", "十四五时期", "plan", D(2021, 1, 1), D(2025, 12, 31)),
    ("十五五时期", "十五五时期", "plan", D(2026, 1, 1), D(2030, 12, 31)),
    ("十五五末期", "十五五末期", "plan", D(2030, 1, 1), D(2030, 12, 31)),
    ("十四五末", "十四五末", "plan", D(2025, 1, 1), D(2025, 12, 31)),
    ("十四五初期", "十四五初期", "plan", D(2021, 1, 1), D(2021, 12, 31)),
    ("十五五开局之年", "十五五开局之年", "plan", D(2026, 1, 1), D(2026, 12, 31)),
    ("十四五前四年", "十四五前四年", "plan", D(2021, 1, 1), D(2024, 12, 31)),
    ("第十四个五年规划", "第十四个五年规划", "plan", D(2021, 1, 1), D(2025, 12, 31)),
    ("“十五”计划", "“十五”", "plan", D(2001, 1, 1), D(2005, 12, 31)),
    ("一五计划", "一五", "plan", D(1953, 1, 1), D(1957, 12, 31)),
    ("十四五以来", "十四五以来", "since", D(2021, 1, 1), REF),
    ("到十五五末期", "到十五五末期", "by", D(2030, 1, 1), D(2030, 12, 31)),
    # by, since, from
    ("截至6月底", "截至6月底", "by", D(2026, 6, 30), D(2026, 6, 30)),
    ("截至2025年末", "截至2025年末", "by", D(2025, 12, 31), D(2025, 12, 31)),
    ("截至2025年", "截至2025年", "by", D(2025, 12, 31), D(2025, 12, 31)),
    ("截至目前", "截至目前", "by", REF, REF),
    ("到2025年，全省", "到2025年", "by", D(2025, 1, 1), D(2025, 12, 31)),
    ("2030年前实现碳达峰", "2030年前", "by", D(2030, 12, 31), D(2030, 12, 31)),
    ("2000年以前", "2000年以前", "by", None, D(1999, 12, 31)),
    ("2021年以来", "2021年以来", "since", D(2021, 1, 1), REF),
    ("2021年至今", "2021年至今", "since", D(2021, 1, 1), REF),
    ("自2025年1月1日起施行", "2025年1月1日起", "from", D(2025, 1, 1), None),
    # windows
    ("近三年", "近三年", "window", D(2023, 5, 21), D(2026, 5, 20)),
    ("过去五年", "过去五年", "window", D(2021, 5, 21), D(2026, 5, 20)),
    ("未来两天", "未来两天", "window", D(2026, 5, 22), D(2026, 5, 23)),
    # decades
    ("上世纪90年代", "上世纪90年代", "decade", D(1990, 1, 1), D(1999, 12, 31)),
    ("20世纪80年代", "20世纪80年代", "decade", D(1980, 1, 1), D(1989, 12, 31)),
]


@pytest.mark.parametrize(("text", "want", "kind", "start", "end"), FOUND, ids=[r[0] for r in FOUND])
def test_found_and_resolved(text, want, kind, start, end):
    t = one(text, REF, want)
    assert (t.kind, t.start_date, t.end_date) == (kind, start, end)
    assert text[t.start : t.end] == t.text


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("三年", "P3Y"),
        ("两个小时", "PT2H"),
        ("1个月", "P1M"),
        ("15日内", "P15D"),
        ("两周", "P2W"),
        ("3天", "P3D"),
    ],
)
def test_durations_have_no_dates(text, duration):
    t = one(f"用了{text}时间", REF)
    assert t.text == text and t.kind == "duration" and t.duration == duration
    assert t.start_date is None and t.end_date is None


@pytest.mark.parametrize("text", ["三四年", "1-2个月", "三到五年", "20～30分钟", "十多年"])
def test_approximate_durations_have_no_exact_length(text):
    t = one(text, REF)
    assert t.text == text and t.kind == "duration" and t.duration is None


def test_a_lost_overlap_is_looked_for_again():
    # 2025年 belongs to the year range; what follows it is still a month range of its own
    found = find_times("2021-2025年 1-8月", REF)
    assert [t.text for t in found] == ["2021-2025年", "1-8月"]


def test_since_moves_the_story_to_now():
    text = "标题\n2015年试运行，2017年以来业务量增长，上半年承运1万标箱。"
    assert one(text, REF, "上半年").start_date == D(2026, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "一五一十地说",  # idiom, not the first five-year plan
        "十五万元",  # a number
        "二十五家企业",
        "未来年均增长",  # 来年 inside 未来年均
        "以上年份",
        "不同年龄段",
        "青年初创企业",
        "国发〔2014〕62号",  # a document number
        "地铁3号线",
        "每周一次",
        "5G网络覆盖",
        "增长5.1%",
        "进一步扩大开放",
        "第一",
        "2000标箱",
        "同比增长",
    ],
)
def test_not_time(text):
    assert find_times(text, REF) == []


def test_plan_names_and_years_from_history():
    # the plans run in five-year steps, with 1963-1965 between the second and the third
    expected = {
        "一五": 1953, "二五": 1958, "三五": 1966, "四五": 1971, "五五": 1976, "六五": 1981, "七五": 1986,
        "八五": 1991, "九五": 1996, "十五": 2001, "十一五": 2006, "十二五": 2011, "十三五": 2016,
        "十四五": 2021, "十五五": 2026,
    }  # fmt: skip
    for name, first in expected.items():
        t = one(f"“{name}”时期", REF)
        assert (t.kind, t.start_date, t.end_date) == ("plan", D(first, 1, 1), D(first + 4, 12, 31)), name


def test_year_digits_are_never_outside_time():
    text = "2025年全省1-8月进出口，1～5月增长，1949~1978年间，5月21日召开"
    spans = [(t.start, t.end) for t in find_times(text)]
    for token in ("2025", "1-8", "1～5", "1949~1978", "5月21"):
        i = text.index(token)
        assert any(a <= i and i + len(token) <= b for a, b in spans), token


def test_without_ref_relative_words_stay_open():
    t = one("今年一季度", None)
    assert t.start_date is None and t.end_date is None and not t.anchor and t.resolved_by is None
    t = one("2025年一季度", None)
    assert t.anchor and t.start_date == D(2025, 1, 1) and t.resolved_by == "text"
    t = one("十四五以来", None)
    assert (t.start_date, t.end_date) == (D(2021, 1, 1), None)


def test_anchor_flag():
    assert one("十四五期间").anchor
    assert one("2025年").anchor
    assert not one("今年").anchor
    assert not one("一季度").anchor


# ---- year-free periods: context first, then the instance nearest to ref ------------------


def test_year_comes_from_the_paragraph():
    text = "2025年，全省进出口增长。一季度增长3%，5月21日召开会议。"
    q = one(text, REF, "一季度")
    assert (q.start_date, q.end_date, q.resolved_by) == (D(2025, 1, 1), D(2025, 3, 31), "context")
    assert one(text, REF, "5月21日").start_date == D(2025, 5, 21)


def test_context_stops_at_a_paragraph_break():
    text = "全省外贸稳中有进\n全省进出口增长，2025年增长5%。\n一季度增长3%。"
    q = one(text, REF, "一季度")
    assert (q.start_date, q.resolved_by) == (D(2026, 1, 1), "ref")


def test_a_body_opening_with_a_year_reports_on_that_year_throughout():
    # a communiqué published in spring opens with the year it reports on; its 全年 and 年末 in
    # later paragraphs are that year, not the year of publication
    text = "2025年，全市经济运行总体平稳。\n全年地区生产总值增长5%。\n年末常住人口120万人。"
    assert one(text, D(2026, 3, 20), "全年").start_date == D(2025, 1, 1)
    assert one(text, D(2026, 3, 20), "年末").end_date == D(2025, 12, 31)
    # a year named later in the first sentence is no reporting year
    later = "全市经济运行总体平稳，2025年增长5%。\n全年地区生产总值增长6%。"
    assert one(later, D(2026, 3, 20), "全年").start_date == D(2026, 1, 1)


def test_context_words_take_the_year_named_before():
    text = "2024年，全省新设企业。当年实现利润，次年上市。"
    assert one(text, REF, "当年").start_date == D(2024, 1, 1)
    assert one(text, REF, "次年").start_date == D(2025, 1, 1)
    # 当年 with nothing before it: no guess
    t = one("当年实现利润", REF)
    assert t.start_date is None and t.resolved_by is None


def test_context_days_take_the_day_named_before():
    text = "5月20日，省里召开会议。\n当天，全省签约。次日开工。"
    assert one(text, REF, "当天").start_date == D(2026, 5, 20)
    assert one(text, REF, "次日").start_date == D(2026, 5, 21)
    t = one("当天，全省签约。", REF)
    assert t.start_date is None and t.resolved_by is None


def test_baseline_year_does_not_set_context():
    text = "今年比上年增长5%，一季度增长3%。"
    assert one(text, REF, "一季度").start_date == D(2026, 1, 1)


@pytest.mark.parametrize(
    ("ref", "text", "start"),
    [
        (D(2026, 2, 10), "四季度", D(2025, 10, 1)),  # a February review of last year's Q4
        (D(2026, 5, 21), "6月1日起施行", D(2026, 6, 1)),  # an upcoming date
        (D(2026, 1, 5), "12月28日", D(2025, 12, 28)),  # last week, across new year
        (D(2026, 8, 20), "四季度", D(2026, 10, 1)),  # this year's coming quarter
        (D(2026, 5, 21), "下半年", D(2026, 7, 1)),
        (D(2018, 2, 10), "29日", D(2018, 1, 29)),  # no 29 February 2018: the month before
    ],
)
def test_year_free_takes_the_nearest_instance(ref, text, start):
    found = find_times(text, ref)
    assert found and found[0].start_date == start


def test_impossible_date_is_time_without_dates():
    t = one("2月30日", REF)
    assert t.kind == "date" and t.start_date is None and t.end_date is None


# ---- roles -----------------------------------------------------------------------------------


def test_compared_against_periods_are_baselines():
    assert one("比上年增长5%", REF, "上年").role == "baseline"
    assert one("较2020年下降", REF, "2020年").role == "baseline"
    t = one("比去年同期增长18.6%", REF, "去年同期")
    assert (t.kind, t.role, t.start_date) == ("relative", "baseline", None)
    assert one("上年同期", REF).role == "baseline"
    assert one("2025年，全省增长", REF).role == "period"


def test_same_period_alone_is_the_period_in_force():
    text = "2025年1月至10月，全省工业增长11%。同期，全省出口增长"
    t = one(text, REF, "同期")
    assert (t.kind, t.role, t.start_date, t.end_date) == (
        "relative",
        "period",
        D(2025, 1, 1),
        D(2025, 10, 31),
    )
    # with nothing named before it in the paragraph: no dates
    t = one("同期，全省出口增长", REF)
    assert t.start_date is None and t.resolved_by is None


def test_title_year_for_paragraphs_without_one():
    text = "某市2025年国民经济和社会发展统计公报\n\n全年地区生产总值增长5%。年末常住人口100万人。"
    ref = D(2026, 3, 28)
    assert one(text, ref, "全年").start_date == D(2025, 1, 1)
    assert one(text, ref, "年末").start_date == D(2025, 12, 31)
    # a historical year in the title is not the year of the report
    text = "1953年建厂的老厂焕发新活力\n\n全年产值增长5%。"
    assert one(text, ref, "全年").start_date == D(2026, 1, 1)


def test_change_verbs_do_not_make_by_dates():
    t = one("恢复到2019年水平", REF, "2019年")
    assert t.kind == "year"


# ---- offsets and shape -----------------------------------------------------------------------


def test_left_to_right_non_overlapping_exact_offsets():
    text = "“十四五”期间，全省累计进出口总额达8144亿元；今年1-4月，同比增长5%。截至6月底，比上年同期增长3%。"
    found = find_times(text, REF)
    assert [t.text for t in found] == ["“十四五”期间", "今年1-4月", "截至6月底", "上年同期"]
    last = 0
    for t in found:
        assert t.start >= last and text[t.start : t.end] == t.text
        last = t.end


def test_dataclass_is_frozen():
    t = one("2025年")
    with pytest.raises(AttributeError):
        t.start = 3  # type: ignore[misc]


def test_rules_file_says_what_it_is():
    first = rule_path("time.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 10


# ---- document date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "source"),
    [
        (
            "新华社北京4月19日电 2025年全省外贸增长，2026年一季度继续增长。",
            D(2026, 4, 19),
            "text:inferred-year",
        ),
        ("新华社长春2026年4月19日电 全省外贸增长。", D(2026, 4, 19), "text:dateline"),
        (
            "本报讯（记者 张三）5月21日，省商务厅召开发布会。2025年全省……",
            D(2025, 5, 21),
            "text:inferred-year",
        ),
        ("本报长春5月21日讯 记者从省商务厅获悉，2026年……", D(2026, 5, 21), "text:inferred-year"),
        ("发布时间：2026-05-21 10:30\n标题\n正文", D(2026, 5, 21), "text:timestamp"),
        ("标题\n2026年5月21日 08:30 来源：某报\n正文", D(2026, 5, 21), "text:timestamp"),
        ("标题\n\n2026年5月21日，全省召开会议。", D(2026, 5, 21), "text:dateline"),
        # targets do not count as the article's year
        (
            "5月21日，全省召开会议。2025年完成……到2030年，目标……2035年远景目标……",
            D(2025, 5, 21),
            "text:inferred-year",
        ),
    ],
)
def test_document_date(text, date, source):
    assert document_date(text) == (date, source)


@pytest.mark.parametrize(
    "text",
    [
        "5月21日，全省召开会议。",  # no year named anywhere: never guess
        "新华社北京21日电 今天……2025年",  # the dateline has no month
        "全省进出口增长5%，2025年实现……",  # no dateline at all
        "",
    ],
)
def test_document_date_not_guessed(text):
    assert document_date(text) == (None, None)


def test_credit_line_date_at_the_end():
    body = "全县粮食总产量再创新高，" * 30 + "\n"
    text = body + "\n（某县融媒体中心 二〇二五年十月十五日）\n"
    assert document_date(text) == (D(2025, 10, 15), "text:signature")


def test_signature_date_at_the_end():
    body = "各市（州）商务局：\n" + "为进一步扩大开放，现将有关事项通知如下。\n" * 12
    text = body + "\n省商务厅\n二〇二六年五月二十一日\n"
    assert document_date(text) == (D(2026, 5, 21), "text:signature")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")
def test_seed_dates_and_plans():
    # seed 000 opens with a 5月21日 lead and reports 2025 results alongside 2026 plans
    text = (SEEDS / "000_f0ed6576e03ff77b.txt").read_text(encoding="utf-8")
    ref, source = document_date(text)
    assert (ref, source) == (D(2026, 5, 21), "text:inferred-year")
    plans = {(t.start_date, t.end_date) for t in find_times(text, ref) if t.kind == "plan"}
    assert (D(2021, 1, 1), D(2025, 12, 31)) in plans and (D(2026, 1, 1), D(2030, 12, 31)) in plans
    # seed 003 has no dateline and no date of its own
    other = (SEEDS / "003_d53beb5b812a7a44.txt").read_text(encoding="utf-8")
    assert document_date(other) == (None, None)


# ---- properties ------------------------------------------------------------------------------

TIMEY = "0123456789年月日号季度上下半前后今去明本当同期至到截止以来末初旬周星期一二三四五六七八九十〇两“”‘’-~～—、，。 \n十四五"


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(st.text(), st.text(alphabet=TIMEY, max_size=80)),
    st.sampled_from([None, REF, D(2000, 2, 29), D(1, 1, 1), D(9999, 12, 31)]),
)
def test_never_raises_offsets_valid_deterministic(text, ref):
    found = find_times(text, ref)
    last = 0
    for t in found:
        assert 0 <= t.start < t.end <= len(text)
        assert t.start >= last
        assert text[t.start : t.end] == t.text
        if t.start_date and t.end_date:
            assert t.start_date <= t.end_date
        last = t.end
    assert find_times(text, ref) == found
    document_date(text)


def test_since_sets_the_year_of_following_periods_only_without_a_document_date() -> None:
    text = "2017年以来业务量呈现快速增长，上半年承运1万标箱。"
    (_, half) = find_times(text)
    assert (half.text, half.start_date, half.end_date) == ("上半年", dt.date(2017, 1, 1), dt.date(2017, 6, 30))
    (_, half) = find_times(text, dt.date(2026, 5, 21))
    assert (half.start_date, half.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def test_a_fiscal_year_with_both_years_runs_from_april_and_is_time():
    text = "2025/26年度财政预算案公布，2024-25财政年度赤字为100亿元。"
    q = one(text, REF, "2025/26年度")
    assert (q.start_date, q.end_date, q.grain) == (D(2025, 4, 1), D(2026, 3, 31), "year")
    assert one(text, REF, "2024-25财政年度").end_date == D(2025, 3, 31)
    # a pair of years that are not consecutive is no fiscal year
    assert all(t.text != "2019/21年度" for t in find_times("2019/21年度平均", REF))


def test_a_half_year_report_covers_the_first_half():
    # 半年度 names a listed company's interim period: January to June
    q = one("公司发布2025年半年度报告，营业收入增长5%。", REF, "2025年半年度")
    assert (q.start_date, q.end_date) == (D(2025, 1, 1), D(2025, 6, 30))


def test_numerals_in_times_are_those_of_the_numbers_layer():
    # the formal digits of cheques and contracts, and the colloquial 俩, are numerals like any other
    month = one("合同于贰零贰叁年拾贰月签订。", REF, "贰零贰叁年拾贰月")
    assert (month.start_date, month.end_date) == (D(2023, 12, 1), D(2023, 12, 31))
    quarters = one("第壹季度至第叁季度销量回升。", REF, "第壹季度至第叁季度")
    assert (quarters.start_date, quarters.end_date) == (D(2026, 1, 1), D(2026, 9, 30))
    assert one("工程俩星期内完工。", REF, "俩星期内").duration == "P2W"
    # 两 and its variants are counts, never a digit of a year written digit by digit
    assert [t.text for t in find_times("两〇二三年", REF)] == []


def test_guards_around_time_words_are_rule_data():
    from extract.resources import load_yaml
    from extract.timex.grammar import Grammar

    text = "上周边远山区降雨"
    assert find_times(text, REF) == []  # 周边 (surroundings) is no week
    rules = load_yaml("time.yaml")
    guards = dict(rules["guards"], week_not_before=[c for c in rules["guards"]["week_not_before"] if c != "边"])
    lax = Grammar({**rules, "guards": guards})
    assert lax.rel.match(text).group() == "上周"


def test_a_suffix_inside_a_word_is_no_modifier():
    # 起降 (take-offs and landings), 起步 (a start): 全年 stays the whole year, not "from then on"
    t = one("全年起降航班5200架次。", REF, "全年")
    assert (t.kind, t.end_date) == ("year", D(2026, 12, 31))
    assert one("一季度起步平稳。", REF, "一季度").kind == "quarter"
    assert one("2027年起施行。", REF, "2027年起").kind == "from"


def test_named_holidays_are_their_day_or_their_days_off():
    # the festival's day alone; with a holiday word the official days off of that year
    assert one("2025年春节，家家团圆。", REF, "2025年春节").start_date == D(2025, 1, 29)
    days_off = one("2025年春节期间，全市接待游客300万人次。", REF, "2025年春节期间")
    assert (days_off.kind, days_off.start_date, days_off.end_date) == ("range", D(2025, 1, 28), D(2025, 2, 4))
    week = one("国庆黄金周，铁路发送旅客1.4亿人次。", D(2024, 10, 9), "国庆黄金周")
    assert (week.start_date, week.end_date, week.grain) == (D(2024, 10, 1), D(2024, 10, 7), "holiday")
    assert one("中秋节当天，游客如织。", D(2025, 10, 10), "中秋节").start_date == D(2025, 10, 6)
    # a year-free holiday is the latest one near the document date; 去年 counts back from it
    assert one("去年国庆长假，景区人满为患。", D(2025, 3, 1), "去年国庆长假").start_date == D(2024, 10, 1)
    # 清明 is a holiday only with a holiday word (政治清明: clean politics); 十一五 stays a plan
    assert one("清明小长假三天。", D(2023, 4, 10), "清明小长假").end_date == D(2023, 4, 5)
    assert find_times("政治清明，风清气正。", REF) == []
    assert one("十一五期间", REF, "十一五期间").kind == "plan"
    # a year with no official arrangement yet: the period is left without dates
    late = one("2039年国庆节期间", REF, "2039年国庆节期间")
    assert (late.start_date, late.end_date) == (None, None)
    # 春节后 (some time after it) names no period
    assert find_times("随着春节后企业陆续开工", REF) == []


def test_the_period_before_the_reported_one_counts_from_the_reported_period():
    # a communiqué on 2025 published in 2026: 上年 is 2024, as its 上年末; 去年 stays the document's
    text = "2025年，全市地区生产总值增长5%，比上年提高0.3个百分点。上年末常住人口100万人。"
    assert one(text, D(2026, 3, 10), "上年").start_date == D(2024, 1, 1)
    assert one(text, D(2026, 3, 10), "上年末").end_date == D(2024, 12, 31)
    assert one("去年出口增长3%。", D(2026, 3, 10), "去年").start_date == D(2025, 1, 1)
    # a monthly release: 上月 is the month before the reported month, not before the document's
    month = one("5月份，居民消费价格同比上涨2%，比上月回落0.1个百分点。", D(2026, 6, 10), "上月")
    assert (month.start_date, month.end_date) == (D(2026, 4, 1), D(2026, 4, 30))
    assert one("上月出口增长3%。", D(2026, 6, 10), "上月").start_date == D(2026, 5, 1)


def test_the_quarters_and_months_of_hong_kong_and_macau_reports():
    ref = D(2025, 11, 20)
    assert (one("上季收入459億元", ref, "上季").start_date, one("上季收入", ref, "上季").end_date) == (
        D(2025, 7, 1), D(2025, 9, 30))
    assert one("本季營收回升", ref, "本季").start_date == D(2025, 10, 1)
    assert one("首三季出口", ref, "首三季").end_date == D(2025, 9, 30)
    assert (one("首十个月旅客", ref, "首十个月").start_date, one("首8个月", ref, "首8个月").end_date) == (
        D(2025, 1, 1), D(2025, 8, 31))
    assert one("2024年第三季", ref, "2024年第三季").start_date == D(2024, 7, 1)
    # the quarter's number in digits, as Taiwan and Hong Kong write it
    assert (one("第3季出口年增12%", ref, "第3季").start_date, one("第4季", ref, "第4季").end_date) == (
        D(2025, 7, 1), D(2025, 12, 31))
    assert one("首3季收入", ref, "首3季").start_date == D(2025, 1, 1)


def test_without_a_document_date_this_year_is_the_year_the_headline_names():
    text = "二〇〇四年十月旅客入境数目\n今年十月入境旅客120万人次。"
    t = one(text, None, "今年十月")
    assert (t.start_date, t.end_date, t.resolved_by) == (D(2004, 10, 1), D(2004, 10, 31), "context")
    assert one("今年十月入境旅客120万人次。", None, "今年十月").start_date is None


def test_a_weekday_after_an_index_name_is_a_day():
    # 数 before 周 usually counts weeks (数周), but 指数周五 is the index on Friday
    t = one("上证指数周五收涨0.5%。", REF, "周五")
    assert t.start_date == D(2026, 5, 15)
    assert all(x.text != "周三" for x in find_times("连续数周三次加息", REF))


_COUNTED_TIME_CHARS = "0123456789.１２年个個月多余餘半两三十五至到-—～ \u3000周天小时日内以来近过去上前后第星期工作钟头分秒元旦春节国庆中秋期间假长一的"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_COUNTED_TIME_CHARS, max_size=80))
def test_the_windowed_time_families_find_what_a_scan_of_the_whole_text_finds(text):
    """Durations, windows and holidays are only looked for around their triggers (a unit with the
    count before it, a holiday name): the windows must lose none of them, however long the count."""
    from extract.timex.grammar import grammar
    from extract.timex.scan import _scan_family

    def found(cands):
        return [(c.start, c.end, c.kind, c.grain, repr(c.data)) for c in cands]

    for name, pattern, _prio, build, trigger, before, after in grammar().families:
        if name in ("duration", "window", "holiday"):
            assert found(_scan_family(text, pattern, build, trigger, before, after)) == \
                found(_scan_family(text, pattern, build)), name


def test_a_duration_with_a_count_longer_than_its_window_is_still_found():
    assert one("历时" + "1." + "3" * 30 + "年以来，", want="1." + "3" * 30 + "年以来").text.endswith("以来")
