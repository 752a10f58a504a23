"""Decoding real-world files: encodings recorded, bad input a plain error, never a crash."""

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.io.decode import DecodeError, decode_bytes

TEXT = "全省累计进出口总额达8144亿元，年均增长5.1%。"


@pytest.mark.parametrize("data,encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030") * 20, "gb18030"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
])
def test_encodings(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.text.startswith(TEXT)


def test_traditional_big5_is_not_misread_as_gb18030() -> None:
    text = "臺灣銀行今年第一季營收成長百分之五，達到新臺幣三百億元。" * 10
    decoded = decode_bytes(text.encode("big5"))
    assert decoded.text == text


def test_nul_bytes_in_text_are_kept_for_offsets() -> None:
    text = "全省累计进出口总额达8144亿元，\x00年均增长5.1%，跨境电商年均增速高达68.5%。"
    assert decode_bytes(text.encode("utf-8")).text == text


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
    (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    (bytes(1000), "binary"),
])
def test_bad_input_is_a_plain_error(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)


def _reproduces(data: bytes, decoded) -> bool:
    """The recorded encoding gives back the text (with replacement where a note says so)."""
    codec = {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}.get(decoded.encoding, decoded.encoding)
    return data.decode(codec, errors="replace" if decoded.note else "strict") == decoded.text


@pytest.mark.parametrize("text", ["出口增长5%。", "进口下降3.2%", "全省粮食总产量达到", "同比增长百分之五。",
                                  "长春市汽车产量41.6万辆", "跨境电商年均增速高达"])
def test_short_gbk_is_read_as_chinese(text: str) -> None:
    data = text.encode("gbk")
    decoded = decode_bytes(data)
    assert decoded.text == text and decoded.encoding == "gb18030" and _reproduces(data, decoded)


@pytest.mark.parametrize("text", ["臺灣銀行營收成長", "新臺幣三百億元。", "經濟部統計處指出"])
def test_short_big5_is_read_as_traditional(text: str) -> None:
    decoded = decode_bytes(text.encode("big5"))
    assert decoded.text == text and decoded.encoding == "big5"


def test_utf16_be_without_bom_records_an_encoding_that_reproduces_it() -> None:
    text = "GDP rose 5.1% in 2025, 全省增长5.1%\n"
    for codec in ("utf-16-be", "utf-16-le"):
        data = text.encode(codec)
        decoded = decode_bytes(data)
        assert decoded.text == text and decoded.encoding == codec and _reproduces(data, decoded)


@pytest.mark.parametrize("data,note", [
    (TEXT.encode() + b"\xff" + TEXT.encode(), "1 byte sequence not valid UTF-8 replaced by U+FFFD (the first at byte 62)"),
    (TEXT.encode()[:-1], "ends in the middle of a UTF-8 character"),
    (codecs.BOM_UTF8 + TEXT.encode() + b"\xfe", "not valid UTF-8"),
    ((TEXT * 3).encode("gb18030")[:-1], "ends in the middle of a GB18030 character"),
    (b"plain ASCII with one \xff stray byte", "not valid UTF-8"),
])
def test_a_few_bad_bytes_are_replaced_and_noted(data: bytes, note: str) -> None:
    decoded = decode_bytes(data)
    assert note in decoded.note and "\ufffd" in decoded.text and _reproduces(data, decoded)
    assert decoded.text.replace("\ufffd", "").startswith(TEXT[:10]) or decoded.text.startswith("plain")


def test_many_bad_bytes_are_still_an_error() -> None:
    with pytest.raises(DecodeError, match="not text in a known encoding"):
        decode_bytes(bytes(range(0x80, 0x100)) * 4 + b"\xff\xff" * 50)


def test_clean_files_have_no_note() -> None:
    assert decode_bytes(TEXT.encode()).note is None
    assert decode_bytes(TEXT.encode("gb18030")).note is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_decode_reproducibly_or_fail_plainly(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except DecodeError:
        return
    assert _reproduces(data, decoded)
