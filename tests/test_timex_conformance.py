"""Conformance with Microsoft Recognizers-Text's Chinese date specs (DateParser, DatePeriodParser).

Why: they are an independent, hand-made reference for what a date expression means. For every
expected result in our scope we find our expression overlapping its span and compare dates;
cases out of our scope are listed with the reason (rules below, decided from the language and
the news register, not from our failures).

Conventions mapped here:
* we use the spec's PastResolution (the reading of news, which reports what happened);
* the spec's end dates are exclusive for a whole unit (2008年 -> 2008-01-01..2009-01-01, 下周,
  windows such as 近三年), while ours are inclusive: we compare our end + 1 day;
* for an explicit range A到B the spec ends at the start of B's unit (从2016到2018 -> 2018-01-01,
  7月4日到7月6日 -> 07-06), while ours ends at B's end: we compare the start of our end's unit;
* an impossible date (2月30日) resolves to 0001-01-01 in the spec: we expect no dates;
* we read 以后/以前 into the expression (07年以后 = from 2007) where the spec marks 07年 alone:
  there we check the spec's span on its own.

Known disagreement, by design: a year-free range that starts just after the reference date
(三月二十八日到四月15日 with ref 2017-03-22) is this year's for us (the nearest instance: news
announces coming dates too), last year's in the spec's PastResolution.

Run: ``pytest tests/test_timex_conformance.py -s`` prints the pass rate, failures and exclusions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from extract.timex import find_times

SPECS = Path(__file__).resolve().parents[2] / "shared" / "peer-specs" / "recognizers-text"
FILES = ("DateParser.json", "DatePeriodParser.json")

# (pattern on the expected text, reason): what we choose not to support, and why.
OUT_OF_SCOPE = [
    (r"农历|正月|大年", "lunar calendar dates and festivals: not used for statistics in news"),
    (r"神龙|雍正|康熙|民国|乾隆|光绪", "era-name years (康熙三年): historical, not news statistics"),
    (r"春|夏|秋|冬", "seasons: the spec itself gives no resolution"),
    (r"^最近$", "最近 is 'recently', too vague to be a date"),
    (r"的第.周|最后一个", "week-of-month (十月的第一周, 最后一个星期一): not in news statistics"),
    (r"^\d{1,2}号$", "a bare N号 is a document, house or line number in news (62号, 3号线)"),
    (
        r"^\d{1,2}[-/.]\d{1,2}([-/.]\d{1,2})?$",
        "numeric dates without a four-digit year collide with ranges, fractions and codes",
    ),
    (r"^\d{4} \d\d \d\d$", "space-separated digits are table cells, not dates"),
    (r"^[^\d]* [^\d] [^\d]*$", "letter-spaced characters (近 三 年) are not the news register"),
    (r"^在?\d{3}年$", "three-digit years read as durations in news (600年历史)"),
    (r"^\d{4}$", "a bare four-digit number is a quantity unless 年 or 从…到 makes it a year"),
    (r"之后.*之前", "'after X before Y' ranges: rare wording, not supported"),
]


def _scope(text: str) -> str | None:
    for pat, reason in OUT_OF_SCOPE:
        if re.search(pat, text):
            return reason
    return None


def _cases():
    for name in FILES:
        path = SPECS / name
        if not path.exists():
            continue
        for i, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            for res in case["Results"]:
                yield name, i, case, res


def _floor(d: dt.date, grain: str | None) -> dt.date:
    if grain == "year":
        return d.replace(month=1, day=1)
    if grain in ("month",):
        return d.replace(day=1)
    if grain == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    return d


def _check(case, res) -> tuple[bool, str]:
    ref = dt.datetime.fromisoformat(case["Context"]["ReferenceDateTime"]).date()
    text = case["Input"]
    lo, hi = res["Start"], res["Start"] + res["Length"]
    found = [t for t in find_times(text, ref) if t.start < hi and t.end > lo]
    if not found:
        return False, f"nothing found in {text!r}"
    t = max(found, key=lambda t: min(t.end, hi) - max(t.start, lo))
    if t.kind in ("since", "from", "by") and t.start <= lo and t.end >= hi and (t.start, t.end) != (lo, hi):
        # we read a modifier into the expression (07年以后 = from 2007); the spec marks the bare
        # time only: check that part alone
        alone = find_times(text[lo:hi], ref)
        if len(alone) == 1:
            t = alone[0]
    past = res["Value"].get("PastResolution", {})
    if res["Type"] == "date":
        want = past["date"]
        if want == "0001-01-01":
            ok = t.start_date is None and t.end_date is None
            return ok, f"{t.text!r}: expected no date (impossible), got {t.start_date}"
        got = t.start_date.isoformat() if t.start_date else None
        ok = got == want and t.end_date == t.start_date
        return ok, f"{t.text!r}: expected {want}, got {t.start_date}..{t.end_date}"
    want = (past["startDate"], past["endDate"])
    if t.start_date is None or t.end_date is None:
        return False, f"{t.text!r}: expected {want}, got {t.start_date}..{t.end_date}"
    end = _floor(t.end_date, t.grain) if t.kind == "range" else t.end_date + dt.timedelta(days=1)
    got = (t.start_date.isoformat(), end.isoformat())
    return got == want, f"{t.text!r} ({t.kind}): expected {want}, got {got}"


def test_recognizers_text_date_specs():
    cases = list(_cases())
    if not cases:
        pytest.skip("../shared/peer-specs/recognizers-text not present")
    passed, failed, skipped = 0, [], []
    for name, i, case, res in cases:
        reason = _scope(res["Text"])
        if reason:
            skipped.append((name, i, res["Text"], reason))
            continue
        ok, msg = _check(case, res)
        if ok:
            passed += 1
        else:
            failed.append((name, i, msg))
    total = passed + len(failed)
    rate = passed / total
    print(
        f"\nRecognizers-Text date conformance: {passed}/{total} in scope = {rate:.1%}; {len(skipped)} out of scope"
    )
    for name, i, msg in failed:
        print(f"  FAIL {name}#{i}: {msg}")
    by_reason: dict[str, list[str]] = {}
    for _name, _i, text, reason in skipped:
        by_reason.setdefault(reason, []).append(text)
    for reason, texts in by_reason.items():
        print(f"  out of scope ({len(texts)}): {reason}: {', '.join(texts)}")
    assert total >= 100, "the spec files shrank: check the path"
    assert rate >= 0.95, f"conformance {rate:.1%} below 95%"
