"""The project tokenizer cuts on jieba-rs and must give jieba's own tokens (the entity model was
trained on them)."""

import jieba
import pytest

from extract.resources import cache_dir
from extract.text.segment import project_tokenizer, user_words

SENTENCES = [
    "全省技术成果转化项目达到20-30个，同比增长3.5%。",         # hyphenated digits: 20 | - | 30
    "咨询电话0432-12345678，1-8月累计完成投资5.6亿元。",
    "坚持生产与消费相结合，制定三年行动计划。",                # near-ties between one word and two
    "长春海关、吉林省商务厅和珲春市人民政府联合发布C++与GDP数据。",
    "",
]


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(cache_dir())
    tok.initialize()
    for word, freq, tag in user_words():
        tok.add_word(word, freq, tag)
    return tok


@pytest.mark.parametrize("sentence", SENTENCES)
def test_tokens_are_jiebas(sentence: str, reference: jieba.Tokenizer) -> None:
    assert project_tokenizer().lcut(sentence) == reference.lcut(sentence)


def test_hyphenated_numbers_are_cut_as_jieba_cuts_them() -> None:
    assert project_tokenizer().lcut("20-30万元") == ["20", "-", "30", "万元"]


@pytest.fixture(scope="module")
def reference_tags(reference: jieba.Tokenizer):
    import jieba.posseg

    return jieba.posseg.POSTokenizer(reference)


TAGGED = [
    "吉林省长春市一汽集团今年营收增长5.1%，小米SU7交付超过10万辆。",
    "铁路部门铺画大宗货物直达列车运行线，外商直接投资到资同比增长。",  # words jieba's HMM makes up
    "延边朝鲜族自治州位于吉林省东部，GDP总量达1,234亿元 (约合170亿美元)。",
    "一个家庭的γ射线检测。",  # dictionary words that are not cut whole when they stand alone
]


@pytest.mark.parametrize("sentence", TAGGED)
def test_word_tags_are_jieba_posseg_tags(sentence: str, reference_tags) -> None:
    want = [(p.word, p.flag) for p in reference_tags.lcut(sentence)]
    assert project_tokenizer().pos_tags(sentence) == want


def test_tag_of_a_word_is_its_dictionary_tag() -> None:
    tok = project_tokenizer()
    # 一个家 and γ射线 are dictionary words that jieba-rs does not cut whole on their own
    assert (tok.tag("增长"), tok.tag("一个家"), tok.tag("γ射线")) == ("v", "m", "n")
    assert tok.tag("延边朝鲜族自治州") == "ns"  # a user word: the gazetteer's tag
    assert tok.tag("铺画") is None and not tok.is_word("铺画")
    assert "增长" in tok.words_tagged({"v"}) and "增长" not in tok.words_tagged({"n"})
