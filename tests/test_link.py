"""Linking numbers to metric, subject and period: hand-written cases from issue 4.

Entity mentions are given by hand here (the NER has its own tests), so these tests pin the
linking rules themselves.
"""

from datetime import date
from pathlib import Path

import pytest
import regex
import yaml

from extract.entities.spans import Entity
from extract.link.linker import link
from extract.quantities.reading import find_quantities
from extract.text.view import sentence_spans
from extract.timex import find_times


def _mentions(text: str, names: dict[str, str]) -> list[Entity]:
    out = []
    for name, label in names.items():
        for m in regex.finditer(regex.escape(name), text):
            out.append(Entity(m.start(), m.end(), name, label, "rule"))
    return sorted(out, key=lambda m: m.start)


def _link(text: str, names: dict[str, str] | None = None, ref: date | None = date(2026, 5, 21)):
    qs = find_quantities(text)
    ctxs = link(text, qs, find_times(text, ref), _mentions(text, names or {}), sentence_spans(text))
    return {q.text: c for q, c in zip(qs, ctxs)}


def test_amount_and_its_growth_rate_share_metric_subject_and_period() -> None:
    text = "吉林省商务厅介绍，“十四五”期间，全省累计进出口总额达8144亿元，年均增长5.1%。"
    ctx = _link(text, {"吉林省商务厅": "ORG"})
    for surface in ("8144亿元", "5.1%"):
        assert ctx[surface].metric == "进出口总额"
        assert ctx[surface].subject == "吉林省"  # 全省 -> the province the article is about
        assert (ctx[surface].period_start, ctx[surface].period_end) == (date(2021, 1, 1), date(2025, 12, 31))


def test_growth_rate_takes_the_metric_of_the_amount_it_follows() -> None:
    ctx = _link("2025年，出口20310.4亿元，增长18.6%；进口1000亿元，下降3%。")
    assert ctx["20310.4亿元"].metric == ctx["18.6%"].metric == "出口"
    assert ctx["1000亿元"].metric == ctx["3%"].metric == "进口"


def test_parallel_enumeration_pairs_items_in_order() -> None:
    ctx = _link("一般贸易、加工贸易和保税物流分别增长18.4%、14%和9.2%。")
    assert [ctx[s].metric for s in ("18.4%", "14%", "9.2%")] == ["一般贸易", "加工贸易", "保税物流"]


def test_period_is_carried_through_the_paragraph_until_a_new_one() -> None:
    text = "今年一季度，全市实现营业收入5亿元。利润总额1亿元。\n上半年，出口额3亿元。"
    ctx = _link(text, ref=date(2026, 7, 10))
    assert ctx["1亿元"].period_text == "今年一季度"
    assert (ctx["1亿元"].period_start, ctx["1亿元"].period_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert ctx["3亿元"].period_text == "上半年"


def test_a_new_paragraph_without_a_period_takes_the_reporting_period_of_the_lead_or_headline() -> None:
    plain = _link("今年一季度，营业收入5亿元。\n重点企业利润2亿元。\n目前，全市共有企业300家。")
    assert (plain["2亿元"].period_text, plain["2亿元"].period_source) == ("今年一季度", "article")
    assert (plain["300家"].period_start, plain["300家"].period_end) == (None, date(2026, 5, 21))  # by now
    headed = _link("1-8月全省工业增加值同比增长6.8%\n\n重点企业营业收入5亿元。", ref=date(2025, 9, 18))
    assert headed["5亿元"].period_text == "1-8月"
    assert headed["5亿元"].period_end == date(2025, 8, 31)


def test_a_day_is_an_event_date_not_a_period_for_later_sentences() -> None:
    ctx = _link("5月21日，吉林省召开发布会。全省共有口岸18个。", {"吉林省": "LOC"})
    assert ctx["18个"].period_text is None


def test_a_partner_place_is_not_the_subject() -> None:
    ctx = _link("吉林省对俄进出口额达120亿元。", {"吉林省": "LOC", "俄": "LOC"})
    assert ctx["120亿元"].subject == "吉林省"


def test_short_forms_are_written_out_in_full() -> None:
    ctx = _link("一季度，长春汽车产量达到20万辆。", {"长春": "LOC"})
    assert ctx["20万辆"].subject == "长春市"


def test_nothing_is_guessed_without_support() -> None:
    ctx = _link("这是一个很好的开始，共计3个。")
    assert ctx["3个"].subject is None and ctx["3个"].period_text is None


def test_collective_word_before_a_name_makes_it_the_regions_figure() -> None:
    text = "珲春市商务局表示，全市现有韩国投资企业27家，占长春市的1/5。"
    ctx = _link(text, {"珲春市商务局": "ORG", "珲春市": "LOC", "韩国": "LOC", "长春市": "LOC"})
    assert ctx["27家"].subject == "珲春市"
    assert ctx["1/5"].subject == "珲春市"  # 占长春市的: the whole it is a share of, not the subject


def test_the_whole_market_is_no_collective_word() -> None:
    ctx = _link("上半年全市场新发基金同比下滑57%。珲春市全市外贸进出口增长5%。", {"珲春市": "LOC"})
    assert ctx["57%"].subject is None
    assert ctx["5%"].subject == "珲春市"


def test_a_county_named_only_in_short_form_inside_other_names_is_not_the_articles_county() -> None:
    # 东兴 is a county-level city (东兴市) and the head of a brokerage's name: 全市 is not 东兴市
    text = "东兴证券、东兴证券分析师认为，全市新增企业300家。"
    ctx = _link(text, {"东兴证券": "ORG"})
    assert ctx["300家"].subject == "全市"
    written_out = _link("东兴市商务局表示，全市新增企业300家。", {"东兴市商务局": "ORG"})
    assert written_out["300家"].subject == "东兴市"


def test_metric_keeps_its_first_character() -> None:
    ctx = _link("一季度，全市汽车产量41.6万辆，其中新能源汽车产量9.3万辆。")
    assert ctx["9.3万辆"].metric == "新能源汽车产量"
    assert ctx["41.6万辆"].metric == "汽车产量"


def test_every_item_of_a_partner_list_is_a_partner() -> None:
    text = "长春市汽车出口额突破120亿元，对俄罗斯、哈萨克斯坦、沙特阿拉伯等市场出口分别增长41.3%、26.5%和19.8%。"
    ctx = _link(text, {"长春市": "LOC", "俄罗斯": "LOC", "哈萨克斯坦": "LOC", "沙特阿拉伯": "LOC"})
    assert ctx["19.8%"].subject == "长春市"


def test_a_plan_still_under_way_in_the_headline_is_not_every_figures_period() -> None:
    text = "吉林擘画“十五五”开放发展新蓝图\n\n全省坐拥口岸18个。"
    qs = find_quantities(text)
    times = find_times(text, date(2026, 5, 21))
    (ctx,) = link(text, qs, times, [], sentence_spans(text), date(2026, 5, 21))
    assert ctx.period_text is None
    (ctx,) = link(text, qs, find_times(text, date(2031, 3, 1)), [], sentence_spans(text), date(2031, 3, 1))
    assert ctx.period_start == date(2026, 1, 1) and ctx.period_end == date(2030, 12, 31)


CASES = yaml.safe_load((Path(__file__).parent / "cases" / "link.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["why"][:60] for c in CASES])
def test_link_cases(case: dict) -> None:
    text, ref = case["text"], case["date"]
    qs = find_quantities(text)
    ctxs = link(text, qs, find_times(text, ref), _mentions(text, case["names"]), sentence_spans(text), ref)
    got = {q.text: c for q, c in zip(qs, ctxs)}
    for surface, want in case["expect"].items():
        assert surface in got, f"{surface} not found as a quantity in {text!r}"
        ctx = got[surface]
        for field, value in want.items():
            if field == "period":
                assert [ctx.period_start, ctx.period_end] == value, f"{surface}: period"
            else:
                assert getattr(ctx, field) == value, f"{surface}: {field}"


def test_the_facts_of_a_traditional_article_are_in_its_own_characters() -> None:
    from extract.pipeline import extract_document

    text = "2025年上半年，澳門入境旅客總數達1,850萬人次，按年增長12.5%。"
    result = extract_document(text, doc_date=date(2025, 7, 20))
    rows = {r["text"]: r for r in result.quantities}
    assert rows["1,850萬人次"]["metric"] == "入境旅客總數"
    assert rows["1,850萬人次"]["period_text"] == "2025年上半年"
    assert rows["12.5%"]["change"] == "up"
    (fact,) = [f for f in result.facts if f["text"] == "1,850萬人次"]
    assert fact["metric"] == "入境旅客總數" and "澳門入境旅客總數達" in fact["context"]
    subject = rows["1,850萬人次"]["subject"]
    assert subject is None or subject.startswith("澳門")


def test_an_article_reads_the_same_whatever_was_read_before_it_in_the_process() -> None:
    from extract.pipeline import extract_document

    article = ("吉林省外贸稳中有进\n1-9月，吉林省进出口总值1200.5亿元，同比增长8%。\n"
               "其中，出口420.3亿元，增长12%；进口780.2亿元。\n全省民营企业进出口500亿元。")
    others = [
        "香港經濟穩步復甦\n本港第三季地區生產總值按年增長3.8%，全港失業率為3.9%。",
        "广州一家汽车企业上半年营业收入120亿元，增速比全国高2个百分点。国家铁路发送旅客20亿人次。",
        "2025年，全市地区生产总值增长5%，比上年提高0.3个百分点。国庆黄金周接待游客80万人次。",
    ]

    def read(text: str) -> list[tuple]:
        result = extract_document(text, doc_date=date(2026, 10, 20))
        return [tuple(sorted(r.items())) for r in result.quantities + result.facts]

    first = read(article)
    assert any(r["subject"] == "吉林省" for r in extract_document(article, doc_date=date(2026, 10, 20)).quantities)
    for text in others:
        read(text)
    assert read(article) == first


def test_masking_a_clause_blanks_every_span_that_reaches_into_it():
    """Masking looks back only as far as the longest span: a long one starting well before the
    clause is still blanked where it reaches in, short ones before the clause leave it as it is."""
    from extract.link.linker import _masked, _Masks

    text = "".join(chr(0x4E00 + i % 50) for i in range(400))
    spans = [(10, 12), (100, 160), (150, 152), (155, 170), (175, 176), (300, 301)]
    masks = _Masks.of(spans)
    for start, end in [(150, 180), (165, 178), (0, 400), (171, 175), (299, 302)]:
        want = "".join("\x00" if any(s <= i < e and s > start - 200 for s, e in spans) else text[i]
                       for i in range(start, end))
        assert _masked(text, start, end, masks) == want, (start, end)
