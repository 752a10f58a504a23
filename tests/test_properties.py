"""Properties over arbitrary text: never raises, offsets always valid, same input same output."""

import math
import sys
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.pipeline import extract_document
from extract.quantities.reading import find_quantities
from extract.text.view import make_view, sentence_spans
from extract.timex import document_date, find_times

# Characters that exercise every path: numerals, magnitudes, units, signs, separators, markup,
# line breaks, full-width forms, and noise.
ALPHABET = list("0123456789０１２３.．,，、。；%％/／-－~～+一二两三十百千万亿零〇几余多"
                "元美欧吨公斤里平方米亩标箱家个人次倍番翻成折百分之点增长下降同比年均累计约近超以上左右"
                "年月日季度第是（）()<p>&nbsp;\n\r\t \u3000\ufeff\x00abcGHz")
PIECES = ALPHABET + ["亿元", "个百分点", "万吨", "同比增长", "https://x.cn/a?q=5%", "\n\n", "十四五"]

text_strategy = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_strategy)
def test_never_raises_offsets_valid_deterministic(text: str) -> None:
    first = extract_document(text)
    for row in first.quantities:
        assert 0 <= row["start"] < row["end"] <= len(text)
        assert text[row["start"]:row["end"]] == row["text"]
        assert row["value"] >= 0
        assert row["sentence"] >= 0
    second = extract_document(text)
    assert first.quantities == second.quantities


def test_huge_document_is_cut_into_blocks_at_line_breaks() -> None:
    from extract import pipeline

    para = "全省累计进出口总额达8144亿元，年均增长5.1%。\n"
    text = para * 40000  # about 1.08 million characters (27 each): more than one block
    pieces = pipeline.blocks(text)
    assert len(pieces) == 2
    assert "".join(block for _, block in pieces) == text
    assert all(offset == text.index(block, offset) for offset, block in pieces)
    assert all(len(block) <= pipeline.BLOCK_CHARS and block.endswith("\n") for _, block in pieces)


def test_quantities_of_later_blocks_index_the_whole_document(monkeypatch) -> None:
    from extract import pipeline

    monkeypatch.setattr(pipeline, "BLOCK_CHARS", 1000)  # the block logic of a huge text, on 5,400 characters
    para = "全省累计进出口总额达8144亿元，年均增长5.1%。\n"
    text = para * 200
    assert len(pipeline.blocks(text, 1000)) >= 6
    ext = extract_document(text, entities=False)  # entities are checked below
    assert len(ext.quantities) == 400
    assert all(text[q["start"]:q["end"]] == q["text"] for q in ext.quantities)
    last = ext.quantities[-1]
    assert last["text"] == "5.1%" and last["start"] == len(para) * 199 + para.index("5.1%")
    assert last["sentence"] == 199


def test_a_sink_gets_each_blocks_rows_as_soon_as_the_block_is_done(monkeypatch) -> None:
    """A huge document is not held whole: each block's rows go out when the block is done."""
    from extract import pipeline

    monkeypatch.setattr(pipeline, "BLOCK_CHARS", 1000)
    para = "全省累计进出口总额达8144亿元，年均增长5.1%。\n"  # two quantities (and two facts) each
    text = para * 200
    bounds = pipeline.blocks(text, 1000)
    seen: list = []

    def sink(rows) -> None:  # the blocks arrive one by one, never more than one block's rows
        seen.append(rows)
        offset, block = bounds[len(seen) - 1]
        assert len(rows.quantities) == len(rows.facts) == 2 * block.count(para)
        assert all(offset <= q["start"] < q["end"] <= offset + len(block) for q in rows.quantities)

    ext = extract_document(text, entities=False, sink=sink)
    assert len(seen) == len(bounds) >= 6
    assert ext.quantities == [] and ext.facts == [] and ext.n_quantities == 400
    whole = extract_document(text, entities=False)
    assert [q for rows in seen for q in rows.quantities] == whole.quantities
    assert [f for rows in seen for f in rows.facts] == whole.facts
    monkeypatch.setattr(pipeline, "SINK_ROWS", 16)  # a block's rows go out in pieces of 16 too
    pieces: list = []
    extract_document(text, entities=False, sink=pieces.append)
    assert max(len(rows.quantities) for rows in pieces) == 16
    assert [q for rows in pieces for q in rows.quantities] == whole.quantities


def test_entities_of_later_blocks_index_the_whole_document(monkeypatch) -> None:
    from extract import pipeline

    monkeypatch.setattr(pipeline, "BLOCK_CHARS", 400)  # many blocks from a small text
    para = "长春海关发布数据，吉林省进出口总额增长5.1%。\n"
    text = para * 40
    ext = extract_document(text)
    assert len(pipeline.blocks(text, 400)) >= 3
    places = [e for e in ext.entities if e["text"] == "吉林省"]
    assert len(places) == 40
    assert all(text[e["start"]:e["end"]] == "吉林省" for e in places)
    assert places[-1]["start"] == len(para) * 39 + para.index("吉林省")


# The big fuzz: the layers without segmentation (view, numbers, quantities, time expressions, the
# document date) on 5,000 short texts, drawn twenty to an example (hypothesis's own cost per
# example is ten times the layers' cost per short text: drawing took two thirds of the 20,000 texts'
# 15 s, and the property is the same on fewer); the pipeline without entities (linking included)
# gets 500 texts and the whole pipeline 300 (above), being slower. Nothing may raise.
short_text = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=20).map("".join),
    st.text(max_size=20),
)
TEXTS_PER_EXAMPLE = 20


@settings(max_examples=5_000 // TEXTS_PER_EXAMPLE, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(short_text, min_size=TEXTS_PER_EXAMPLE, max_size=TEXTS_PER_EXAMPLE))
def test_fast_layers_never_raise_on_5000_short_texts(texts: list[str]) -> None:
    for text in texts:
        view = make_view(text)
        for q in find_quantities(view.text, view.traditional):
            s, e = view.to_original(q.start, q.end)
            assert 0 <= s < e <= len(text) and 0 <= q.value <= Decimal(sys.float_info.max)
        for t in find_times(view.text):
            assert 0 <= t.start < t.end <= len(view.text)
        document_date(view.text)
        sentence_spans(view.text)


@settings(max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(short_text)
def test_pipeline_without_entities_never_raises(text: str) -> None:
    for row in extract_document(text, entities=False).quantities:
        assert text[row["start"]:row["end"]] == row["text"] and math.isfinite(row["value"])
