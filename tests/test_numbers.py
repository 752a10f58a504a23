"""Numerals valued exactly: expectations written from the language, not from the program."""

from decimal import Decimal

import pytest

from extract.numbers.numerals import NotANumber, find_numbers, parse_number

D = Decimal


@pytest.mark.parametrize("text,value", [
    ("8144", "8144"),
    ("102,242", "102242"),
    ("1,050,000,000", "1050000000"),
    ("1.0753", "1.0753"),
    ("一千二百万", "12000000"),
    ("两万", "20000"),
    ("三百零五", "305"),
    ("一〇八", "108"),              # digit by digit
    ("二〇二五", "2025"),
    ("一八八一亿", "188100000000"),  # digit by digit before a magnitude, not 二三 as a range
    ("三五〇万", "3500000"),
    ("1.2万", "12000"),
    ("3万4000", "34000"),
    ("2.5亿", "250000000"),
    ("16.4亿", "1640000000"),        # exact, never 1639999999.99
    ("1万亿", "1000000000000"),
    ("百万亿", "100000000000000"),
    ("一万三", "13000"),             # elided: 一万三千
    ("一百五", "150"),
    ("九十二万四", "924000"),
    ("一千零五", "1005"),            # 零 only separates
    ("十五", "15"),
    ("十", "10"),
    ("四万万", "400000000"),
    ("四百点五", "400.5"),
    ("三点五", "3.5"),
    ("负三十二", "-32"),
    ("壹佰伍拾", "150"),
    ("4.78萬億", "4780000000000"),
    ("五分之一", "0.2"),
    ("百分之五", "0.05"),
    ("3/5", "0.6"),
    ("三又三分之一", str(D(10) / D(3))),
])
def test_values(text: str, value: str) -> None:
    assert parse_number(text) == D(value)


def test_vague_ten_odd_is_ten_and_vague() -> None:
    (n,) = find_numbers("十几")
    assert n.value == 10 and n.vague


def test_adjacent_digits_are_a_range() -> None:
    (n,) = find_numbers("三四十万")
    assert (n.value, n.high) == (D(300000), D(400000))
    (n,) = find_numbers("三四亿")  # two digits only: still three or four
    assert (n.value, n.high) == (D(300000000), D(400000000))


@pytest.mark.parametrize("text", ["千", "万", "几十", "万万", "两两", "五十千"])
def test_words_that_are_not_numerals(text: str) -> None:
    with pytest.raises(NotANumber):
        parse_number(text)


def test_offsets_index_the_text() -> None:
    text = "出口20310.4亿元，增长18.6%"
    nums = find_numbers(text)
    assert [text[n.start:n.end] for n in nums] == ["20310.4亿", "18.6"]


def test_comma_groups_only_of_three_digits() -> None:
    # "1, 234" has a space: two numbers; 1,2345 is not a thousands group
    assert [n.value for n in find_numbers("1, 234")] == [D(1), D(234)]
    assert [n.text for n in find_numbers("12,3456")] != ["12,3456"]
