"""The project tokenizer cuts on jieba-rs and must give jieba's own tokens (the entity model was
trained on them)."""

import jieba
import pytest

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
    tok.tmp_dir = project_tokenizer().tmp_dir
    tok.initialize()
    for word, freq, tag in user_words():
        tok.add_word(word, freq, tag)
    return tok


@pytest.mark.parametrize("sentence", SENTENCES)
def test_tokens_are_jiebas(sentence: str, reference: jieba.Tokenizer) -> None:
    assert project_tokenizer().lcut(sentence) == reference.lcut(sentence)
    assert list(project_tokenizer().cut(sentence)) == reference.lcut(sentence)  # the spaCy tokenizer's call


def test_hyphenated_numbers_are_cut_as_jieba_cuts_them() -> None:
    assert project_tokenizer().lcut("20-30万元") == ["20", "-", "30", "万元"]
