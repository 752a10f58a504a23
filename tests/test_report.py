"""The review report: article text escaped and marked in place, rows read back from an earlier run,
overview figures, and the `show` command. The browser checks are in test_report_browser.py."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.io.cli import app
from extract.report.collect import ReportDoc, place_rows, read_run
from extract.report.markup import Span, mark_up
from extract.report.overview import metric_points, overview, period_label
from extract.report.render import render_report, script_json

HOSTILE = ("標題：<script>window.__pwned=1</script>出口額達3億元，</textarea><b>粗</b>&amp;\n"
           "<img src=x onerror=\"window.__pwned=2\">進口增長5%。" + "长" * 3000 + "\n")


class _Text(HTMLParser):
    """The text inside the element with a given class, as a browser would show it, and every tag seen."""

    def __init__(self, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cls, self.depth, self.parts, self.tags = cls, 0, [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if self.depth:
            self.depth += 1
        elif self.cls in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def _text_of(html: str, cls: str) -> tuple[str, list]:
    parser = _Text(cls)
    parser.feed(html)
    return "".join(parser.parts), parser.tags


def test_marks_nest_and_crossing_spans_are_cut_into_pieces_of_one_record() -> None:
    text = "吉林省进出口总额8144亿元"
    html = mark_up(text, [Span(0, 3, "e", "e0"), Span(8, 14, "q", "q0", "a-q0"), Span(0, 2, "e", "e1"),
                          Span(12, 16, "x", "q1")])  # q1 crosses q0 and runs past the end: left out
    assert str(html).count("<mark") == 3
    assert '<mark id="a-q0" class="q" data-ref="q0" tabindex="0">8144亿元</mark>' in html
    assert html.startswith('<mark class="e" data-ref="e0" tabindex="0"><mark class="e" data-ref="e1"')
    crossing = mark_up("一二三四五", [Span(0, 3, "a", "q0", "x-q0"), Span(2, 5, "b", "e0")])
    assert crossing.count('data-ref="e0"') == 2 and crossing.count('id="x-q0"') == 1
    assert _text_of(f'<div class="t">{crossing}</div>', "t")[0] == "一二三四五"


def test_every_article_character_is_escaped_and_reads_back_unchanged() -> None:
    text = "<script>alert(1)</script>增长5%</textarea>&lt;"
    html = mark_up(text, [Span(14, 16, "q", "q0")])
    assert "<script" not in html and "</textarea" not in html
    shown, tags = _text_of(f'<div class="t">{html}</div>', "t")
    assert shown == text
    assert [t for t, _ in tags] == ["div", "mark"]


def test_invisible_controls_are_shown_as_codes() -> None:
    html = mark_up("a\u202eb\x00c\ud800", [])
    assert html.count('class="ctl"') == 3 and "U+202E" in html and "U+0000" in html and "U+D800" in html
    assert "\u202e" not in html and "\x00" not in html


def test_json_in_a_script_element_cannot_close_it() -> None:
    value = {"text": "</script><script>alert(1)</script>&\u2028"}
    encoded = script_json(value)
    assert "</" not in encoded and "<" not in encoded and "&" not in encoded
    assert json.loads(str(encoded)) == value


@pytest.mark.parametrize("start,end,label", [
    ("2025-01-01", "2025-12-31", "2025"),
    ("2021-01-01", "2025-12-31", "2021–2025"),
    ("2026-01-01", "2026-03-31", "2026-01..2026-03"),
    ("2024-02-01", "2024-02-29", "2024-02"),
    ("2026-04-19", "2026-04-19", "2026-04-19"),
    ("2026-04-01", "2026-04-19", "2026-04-01..2026-04-19"),
    (None, None, "(no period)"),
])
def test_period_labels(start, end, label) -> None:
    assert period_label(start, end) == label


def _q(start: int, text: str, value: float, unit: str, kind: str, metric: str | None, subject: str | None = None,
       change: str | None = None, period: tuple[str, str] | None = None) -> dict:
    return {"sentence": 0, "start": start, "end": start + len(text), "text": text, "value": value, "value_high": None,
            "unit": unit, "unit_text": unit, "kind": kind, "approx": None, "change": change, "basis": None,
            "metric": metric, "subject": subject, "period_text": "去年" if period else None,
            "period_start": period[0] if period else None, "period_end": period[1] if period else None}


def _doc(doc_id: str, text: str, quantities: list[dict], status: str = "ok", error: str | None = None) -> ReportDoc:
    document = {"doc_id": doc_id, "status": status, "error": error, "chars": len(text), "encoding": "utf-8",
                "date": None, "date_source": None}
    return ReportDoc(doc_id, document, text if status == "ok" else None, quantities, [])


def test_metric_points_sign_falls_and_fall_back_to_names_that_contain_the_metric() -> None:
    year = ("2025-01-01", "2025-12-31")
    docs = [_doc("a", "出口下降3%，进口额2亿元", [_q(4, "3%", 3, "%", "percent", "出口", "长春市", "down", year),
                                                _q(9, "2亿元", 2e8, "CNY", "money", "进口额")])]
    points, note = metric_points(docs, "出口")
    assert [(p.subject, p.period, p.value) for p in points] == [("长春市", "2025", -3.0)]
    assert note is None
    points, note = metric_points(docs, "进口")
    assert [p.value for p in points] == [2e8] and "进口额" in note
    assert metric_points(docs, "产量") == ([], "no rows have the metric 产量")


def test_overview_counts_failures_kinds_units_and_periods() -> None:
    year = ("2025-01-01", "2025-12-31")
    docs = [_doc("a", "x" * 20, [_q(0, "3%", 3, "%", "percent", "出口", "长春市", "up", year),
                                 _q(4, "2亿元", 2e8, "CNY", "money", "出口", "长春市", None, year),
                                 _q(9, "5家", 5, "家", "count", None)]),
            _doc("b", "", [], status="error", error="empty file (0 bytes)")]
    ov = overview(docs)
    assert (ov.n_docs, ov.n_ok, ov.failures) == (2, 1, [("b", "empty file (0 bytes)")])
    assert ov.units == [("count", "家", 1), ("money", "CNY", 1), ("percent", "%", 1)]
    assert ov.metrics == [("出口", 2)] and ov.subjects == [("长春市", 2)]
    assert ov.periods == [("2025", "2025-01-01", "2025-12-31", 2)]


def test_hostile_article_renders_as_its_text_with_one_script_of_ours() -> None:
    start = HOSTILE.index("3億元")
    docs = [_doc("<b>evil</b>.txt", HOSTILE, [_q(start, "3億元", 3e8, "CNY", "money", "出口額</script>")])]
    place_rows(docs)
    page = render_report(docs, title="t")
    shown, tags = _text_of(page, "article")
    assert shown == HOSTILE
    scripts = [a for t, a in tags if t == "script"]
    assert len(scripts) == 2 and scripts[0] == {"type": "application/json", "class": "docdata"}
    assert not any(t in ("img", "textarea") for t, _ in tags)
    assert "window.__pwned" in shown and "<b>evil</b>.txt" in _text_of(page, "name")[0]
    assert ("div", {"class": "article", "lang": "zh-Hant"}) in tags  # 標題, 額: Traditional glyphs


def test_an_earlier_run_is_read_back_and_rows_that_no_longer_fit_are_not_marked(tmp_path: Path) -> None:
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text("全省出口额达3亿元。", encoding="utf-8")
    (articles / "b.txt").write_text("改过的文章：出口额达3亿元。", encoding="utf-8")  # edited after the run
    out = tmp_path / "out"
    out.mkdir()
    sha = hashlib.sha256("全省出口额达3亿元。".encode()).hexdigest()
    (out / "documents.csv").write_text(
        "doc_id,bytes,sha256,encoding,chars,date,date_source,status,error,n_quantities,n_entities,n_sentences\n"
        f"a.txt,30,{sha},utf-8,10,,,ok,,1,1,1\nb.txt,30,{sha},utf-8,10,,,ok,,1,0,1\n"
        "c.txt,,,,,,,error,empty file (0 bytes),0,0,0\n"
        "n1,30,,utf-8,11,,,ok,,1,0,1\n", encoding="utf-8")
    (articles / "news.jsonl").write_text('{"id": "n1", "text": "吉林省出口额达5亿元。"}\n', encoding="utf-8")
    (out / "quantities.csv").write_text(
        "doc_id,sentence,start,end,text,value,value_high,unit,unit_text,kind,approx,change,basis,metric,subject,"
        "period_text,period_start,period_end\n"
        "a.txt,0,6,9,3亿元,300000000.0,,CNY,元,money,,,,出口额,吉林省,,,\n"
        "b.txt,0,6,9,3亿元,300000000.0,,CNY,元,money,,,,出口额,吉林省,,,\n"
        "n1,0,7,10,5亿元,500000000.0,,CNY,元,money,,,,出口额,吉林省,,,\n", encoding="utf-8")
    (out / "entities.csv").write_text("doc_id,sentence,start,end,text,label,source\na.txt,0,0,2,全省,LOC,rule\n",
                                      encoding="utf-8")
    (out / "facts.csv").write_text("doc_id,start,end,statement,subject_code\na.txt,6,9,吉林省 出口额: 3亿,220000\n",
                                   encoding="utf-8")
    docs = read_run(out, articles)
    place_rows(docs)
    a, b, c, d = docs
    assert d.text == "吉林省出口额达5亿元。" and [q["text"] for q in d.quantities] == ["5亿元"]  # a record
    assert a.quantities[0]["value"] == 3e8 and a.quantities[0]["subject_code"] == 220000
    assert a.quantities[0]["statement"] == "吉林省 出口额: 3亿" and a.entities[0]["label"] == "LOC"
    assert a.warning is None and a.misplaced == 0
    assert b.quantities == [] and b.misplaced == 1 and "changed since the run" in b.warning
    assert not c.ok and c.text is None
    page = render_report(docs, title="t")
    assert "subject_code" in page and "empty file (0 bytes)" in page


def test_show_writes_a_report_of_a_folder_with_a_failed_file(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "trade.txt").write_text("2025年，长春市进出口总额达到1824.6亿元，同比增长6.3%。", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "r" / "report.html"
    res = CliRunner().invoke(app, ["show", str(folder), "--out", str(out), "--metric", "进出口总额"])
    assert res.exit_code == 0, res.output
    assert "documents: 2, failed: 1" in res.output
    page = out.read_text(encoding="utf-8")
    assert "empty file (0 bytes)" in page and "1824.6亿元" in page and 'class="article" lang="zh-Hans"' in page
    assert page.count('class="q k-money" data-ref') == 1 and page.count('class="q k-percent" data-ref') == 1
    assert "<figure class=\"chart wide\"><svg" in page  # the metric's chart
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\((?!#)|@import""", page)  # nothing to fetch


def test_show_asks_for_the_articles_of_an_output_folder(tmp_path: Path) -> None:
    (tmp_path / "documents.csv").write_text("doc_id,status\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["show", str(tmp_path), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and "--articles" in res.output


def test_the_run_command_does_not_load_the_report_libraries() -> None:
    code = "import sys, extract.io.cli; print(sorted(m for m in ('matplotlib', 'jinja2') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
