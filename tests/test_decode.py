"""Decoding real-world files: encodings recorded, bad input a plain error, never a crash."""

import codecs

import pytest

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
