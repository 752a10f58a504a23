"""Hostile input: dotted numbers and dates, pathological runs, values beyond float64.

Every case is made here by hand; the checks are on results and on the work done, never on time.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract.pipeline import extract_document
from extract.timex.expressions import find_times


@pytest.mark.parametrize("text", [
    "0.00.0%",
    "版本号1.2.3.4万元",
    "服务器地址为10.0.0.1，访问量增长5%。",
    "规格3.5.2吨，同比增长1.2.3%。",
])
def test_dotted_number_runs_do_not_crash(text: str) -> None:
    ext = extract_document(text, entities=False)
    for row in ext.quantities:
        assert text[row["start"]:row["end"]] == row["text"]
        assert row["text"].count(".") <= 1  # a run with two points is no number


def test_dotted_dates_are_dates_not_quantities() -> None:
    text = "发布日期：2025.11.20 来源：本报\n国庆假期2025.10.1-2025.10.7，游客同比增长5%。"
    ext = extract_document(text, entities=False)
    assert [q["text"] for q in ext.quantities] == ["5%"]
    assert ext.date == date(2025, 11, 20)
    spans = {t.text: (t.start_date, t.end_date) for t in find_times(text)}
    assert spans["2025.11.20"] == (date(2025, 11, 20), date(2025, 11, 20))
    assert spans["2025.10.1-2025.10.7"] == (date(2025, 10, 1), date(2025, 10, 7))
