"""Hostile input: dotted numbers and dates, pathological runs, values beyond float64.

Every case is made here by hand; the checks are on results and on the work done, never on time.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract.pipeline import extract_document
from extract.timex import find_times


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


# --- every stage linear in its input ---------------------------------------------------------

def _work(text: str) -> int:
    """Work done by ``extract_document(text, entities=False)``, independent of the machine: lines
    of the package's Python executed, plus the characters of every distinct string (the text, a
    clause, a piece, a slice) handed to one of its functions. Quadratic code shows as a ratio of
    counts, not as a time."""
    import sys
    from pathlib import Path

    import extract

    root = str(Path(extract.__file__).parent)
    count = 0
    seen: dict[int, str] = {}  # strings already counted, kept alive so that ids stay unique

    def tracer(frame, event, arg):
        nonlocal count
        code = frame.f_code
        if not code.co_filename.startswith(root):
            return None
        if event == "call":
            for name in code.co_varnames[:code.co_argcount]:
                value = frame.f_locals.get(name)
                if isinstance(value, str) and id(value) not in seen:
                    seen[id(value)] = value
                    count += len(value)
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        extract_document(text, entities=False)
    finally:
        sys.settrace(None)
    return count


PATHOLOGICAL = {
    "a line of digits": "1",
    "亿 repeated": "亿",
    "一 repeated": "一",
    "digit groups": "1,",
    "dotted runs": "1.",
    "numeral stretches just under the limit": "1" * 39 + "。" + "一" * 39 + "，",
    "numbers joined by 、": "5%、",
    "counts joined by 、": "3吨、",
    "figures in one run-on sentence": "全省增长5%，",
    "money without 元 in one run-on sentence": "人民币营收3亿，",
    "dates": "2025年1月1日",
    "brackets and breaks": "（\n",
}


@pytest.mark.parametrize("piece", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_work_grows_linearly_on_pathological_input(piece: str) -> None:
    def text(n: int) -> str:  # after a short first sentence, so no slice is the whole text
        return "标题。" + (piece * (n // len(piece) + 1))[:n]

    extract_document(text(100), entities=False)  # rules and tagger loaded, untraced
    w1, w2, w3 = (_work(text(n)) for n in (300, 600, 900))
    # linear: each further 300 characters cost about the same; quadratic: 5/3 of the one before
    assert w3 - w2 <= 1.25 * (w2 - w1) + 100, (w1, w2, w3)


def test_scanner_matches_are_bounded() -> None:
    from extract.numbers.numerals import MAX_RUN, mask_long_runs
    from extract.quantities.reading import find_quantities, quantity_scanner

    for text in ("1" * 5000 + "元", "1" + "0" * 5000 + "元", "亿" * 3000 + "元", "十一" * 2000 + "万吨"):
        assert find_quantities(text) == []  # an over-long stretch is no number
        assert all(m.end() - m.start() <= MAX_RUN for m in quantity_scanner().finditer(mask_long_runs(text)))


@pytest.mark.parametrize("text", ["1e400元", "1" + "亿" * 40 + "元", "增长" + "9" * 39 + "亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿亿%"])
def test_values_beyond_float64_are_no_quantity(text: str) -> None:
    rows = extract_document(text, entities=False).quantities
    assert all(abs(r["value"]) < float("inf") for r in rows)
    assert rows == []


# --- the library ----------------------------------------------------------------------------

def test_docstring_examples_run() -> None:
    import doctest

    import extract

    result = doctest.testmod(extract, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0


def test_extract_tables_gives_every_table_and_takes_a_date_or_iso_string() -> None:
    from extract import extract_tables

    text = "今年上半年，全市实现地区生产总值3000亿元，同比增长5%。"
    by_string = extract_tables(text, doc_id="a", date="2026-08-01", entities=False)
    by_date = extract_tables(text, doc_id="a", date=date(2026, 8, 1), entities=False)
    assert set(by_string) == {"documents", "quantities", "entities", "facts"}
    assert by_string["documents"].equals(by_date["documents"])
    doc = by_string["documents"].iloc[0]
    assert (doc.doc_id, doc.status, doc.date, doc.n_quantities) == ("a", "ok", date(2026, 8, 1), 2)
    facts = by_string["facts"]
    assert list(facts.text) == ["3000亿元", "5%"] and set(facts.period_end) == {date(2026, 6, 30)}
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        extract_tables(text, date="1 August 2026")


def test_a_compact_form_is_built_once_per_content_and_only_the_current_one_kept(tmp_path, monkeypatch) -> None:
    import os

    from extract import resources

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = resources.cache_dir()
    source = tmp_path / "words.tsv"
    source.write_text("长春\n", encoding="utf-8")
    other = folder / "other.0000beef.marshal"  # another form, in use
    forgotten = folder / "old.0000cafe.marshal"  # untouched for a month
    for path in (other, forgotten):
        path.write_bytes(b"")
    os.utime(forgotten, (0, 0))
    builds: list[str] = []

    def build() -> dict:
        builds.append(source.read_text(encoding="utf-8"))
        return {builds[-1].strip(): 1}

    assert resources.derived("probe", [source], build) == {"长春": 1}
    assert resources.derived("probe", [source], build) == {"长春": 1} and len(builds) == 1  # read back
    source.write_text("吉林省\n", encoding="utf-8")  # edited rule data: built again, the old form removed
    assert resources.derived("probe", [source], build) == {"吉林省": 1} and len(builds) == 2
    left = sorted(p.name for p in folder.glob("*.marshal"))
    assert other.name in left and forgotten.name not in left and len(left) == 2


def test_a_runaway_document_becomes_an_error_row_naming_it(monkeypatch) -> None:
    from extract.io import batch

    def runaway(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(batch, "extract_document", runaway)
    out = batch.process(batch.Source("stuck.txt", text="增长5%。"), batch.Options(doc_timeout=0.2))
    assert out.document["doc_id"] == "stuck.txt" and out.document["status"] == "error"
    assert "time budget" in out.document["error"] and out.quantities == []


def test_a_normal_document_is_untouched_by_the_budget() -> None:
    from extract.io import batch

    timed = batch.process(batch.Source("a.txt", text="增长5%。"), batch.Options(entities=False, doc_timeout=600))
    untimed = batch.process(batch.Source("a.txt", text="增长5%。"), batch.Options(entities=False))
    assert timed.document == untimed.document and timed.quantities == untimed.quantities


def test_progress_names_the_file_being_read(tmp_path) -> None:
    from extract.io.batch import Options, Source
    from extract.io.outdir import OutputFolder
    from extract.io.runner import extract_all

    seen: list[str] = []
    docs = [Source("a.txt", text="增长5%。"), Source("b.txt", text="下降3%。")]
    extract_all(iter(docs), OutputFolder(tmp_path), Options(entities=False), jobs=1, on_document=seen.append)
    assert seen == ["a.txt", "b.txt"]
