"""The cleaned view and its map back to the original text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.resources import read_tsv
from extract.text.view import has_traditional, make_view, sentence_spans, to_simplified


def _orig(original: str, view, needle: str) -> str:
    i = view.text.index(needle)
    s, e = view.to_original(i, i + len(needle))
    return original[s:e]


def test_fullwidth_digits_are_ascii_in_the_view_and_original_in_the_map() -> None:
    original = "进出口８１４４亿元，占１０％。"
    view = make_view(original)
    assert "8144亿元" in view.text and "10%" in view.text
    assert _orig(original, view, "8144亿元") == "８１４４亿元"


def test_chinese_comma_stays() -> None:
    assert make_view("1000亿元，达到2000亿元").text == "1000亿元，达到2000亿元"


def test_hard_wrapped_number_is_joined_and_maps_across_the_break() -> None:
    original = "全省对外贸易持续增长，全年累计进出口总额达到8144\n亿元，比上年增长5%。"
    view = make_view(original)
    assert "8144亿元" in view.text
    assert _orig(original, view, "8144亿元") == "8144\n亿元"


def test_paragraph_break_after_sentence_end_is_kept() -> None:
    view = make_view("第一段结束了，这是一个足够长的句子用来测试。\n第二段开始")
    assert "\n" in view.text


def test_short_headline_is_not_joined_to_its_paragraph() -> None:
    view = make_view("锚定十大行动\n\n“十四五”期间，吉林对外开放成果丰硕。")
    assert "\n" in view.text


def test_headline_above_a_much_longer_line_is_not_a_wrapped_line() -> None:
    # a wrapper fills every line it breaks; the next line far longer than this one shows no wrap
    headline = "春运首日全国铁路发送旅客突破一千万人次"
    lead = "本报北京1月14日电 记者从铁路部门获悉，春运首日全国铁路发送旅客1012万人次，同比增长8%，各地客流平稳有序。"
    view = make_view(headline + "\n" + lead)
    assert view.text == headline + "\n" + lead
    wrapped = "全省对外贸易持续增长，全年累计进出口\n总额达到8144亿元，比上年增长5%。"
    assert make_view(wrapped).text == wrapped.replace("\n", "")


def test_word_cut_by_a_blank_line_in_a_long_paragraph_is_joined() -> None:
    line = "提到长春市商务局推动商贸企业转型升级和持续优化营商环境的一系列做法，这家购物广场的副总经理说欧"
    view = make_view(line + "\n\n亚新生活受益匪浅。")
    assert "欧亚新生活" in view.text


def test_html_and_crlf_and_nul() -> None:
    original = "<p>全省进出口&nbsp;8144亿元</p>\r\n<br/>增长5%\x00。"
    view = make_view(original)
    assert "<" not in view.text and "&" not in view.text and "\r" not in view.text
    assert "\x00" not in view.text
    assert _orig(original, view, "8144亿元") == "8144亿元"


def test_sentences_split_at_terminal_punctuation_and_paragraphs_not_semicolons() -> None:
    text = "甲增长5%；乙下降3%。丙持平！\n丁"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["甲增长5%；乙下降3%。", "丙持平！", "丁"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三4５６，。\n\r <p>&nbsp;亿元％x\u3000\ufeff")), max_size=60))
def test_every_view_span_maps_inside_the_original(original: str) -> None:
    view = make_view(original)
    for i in range(len(view.text)):
        for j in range(i + 1, min(len(view.text), i + 6) + 1):
            s, e = view.to_original(i, j)
            assert 0 <= s <= e <= len(original)


def test_traditional_script_is_read_as_simplified_with_the_same_offsets() -> None:
    original = "<p>澳門旅遊局：首三季旅客達2,618萬人次，按年上升14.2%。</p>"
    view = make_view(original)
    assert view.traditional
    assert "澳门旅游局：首三季旅客达2,618万人次，按年上升14.2%。" in view.text
    i = view.text.index("2,618万人次")
    s, e = view.to_original(i, i + len("2,618万人次"))
    assert original[s:e] == "2,618萬人次"


def test_phrases_keep_their_own_conversion() -> None:
    assert to_simplified("乾隆年間，衣服乾淨") == "乾隆年间，衣服干净"


def test_simplified_text_is_not_converted() -> None:
    text = "吉林省商务厅：乾安县进出口总额增长5%，著名企业于长春签约。"
    assert not has_traditional(text)
    assert to_simplified(text) is text
    assert not make_view(text).traditional


def test_every_entry_of_the_map_keeps_its_length() -> None:
    rows = read_tsv("t2s.tsv")
    assert rows[0] == ["traditional", "simplified"] and len(rows) > 4000
    assert all(len(t) == len(s) for t, s in rows[1:])


def test_full_width_thousands_comma_only_between_digit_groups() -> None:
    assert "1,520亿元" in make_view("营业收入1，520亿元").text
    assert "5%，300家" in make_view("增长5%，300家企业").text
    assert "12，345" in make_view("分别为12，345").text
