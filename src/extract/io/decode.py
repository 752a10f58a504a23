"""Reading article files: bytes in, text and the encoding used out, or a plain-language error.

Chinese news folders mix UTF-8, UTF-8 with a byte-order mark, GB18030/GBK (older sites and
Windows tools), now and then Big5 or UTF-16, plus stray binaries. The order of trust: a BOM,
strict UTF-8 (which almost never decodes non-UTF-8 text by accident), then charset-normalizer on a
sample to choose among the legacy CJK encodings (GB18030 alone would happily decode Big5 bytes
into nonsense), then a strict decode with the chosen codec.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

# Magic numbers of files that are certainly not articles.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx file)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"PAR1": "a Parquet file",
}
_CANDIDATES = ["gb18030", "big5", "utf_16_le", "utf_16_be", "shift_jis", "euc_kr", "big5hkscs"]
_SAMPLE = 64 * 1024


class DecodeError(ValueError):
    """The bytes are not a readable text article; the message is meant for users."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8, utf-8-sig, gb18030, big5, utf-16 …
    warning: str | None = None


def _control_ratio(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\x00\x0c") or "\ue000" <= ch <= "\uf8ff")
    return bad / len(sample)


def _check_text(text: str, encoding: str) -> Decoded:
    if _control_ratio(text) > 0.05:
        raise DecodeError(f"binary file (decodes as {encoding} but is mostly control characters)")
    return Decoded(text, encoding)


def decode_bytes(data: bytes) -> Decoded:
    """Decode one file's bytes, or raise DecodeError with a reason a user can act on."""
    if not data:
        raise DecodeError("empty file (0 bytes)")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _check_text(data.decode("utf-8-sig"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-8 byte-order mark but byte {exc.start} is not UTF-8") from exc
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _check_text(data.decode("utf-16"), name)
            except UnicodeDecodeError as exc:
                raise DecodeError("starts with a UTF-16 byte-order mark but is not valid UTF-16") from exc
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise DecodeError(f"binary file ({what}), not a text article")
    head = data[:_SAMPLE]
    if head.count(0) > len(head) * 0.1:
        enc = _looks_utf16(head)
        if enc is None:
            raise DecodeError("binary file (many NUL bytes), not a text article")
        try:
            return _check_text(data.decode(enc), "utf-16")
        except UnicodeDecodeError as exc:
            raise DecodeError("looks like UTF-16 without a byte-order mark but does not decode") from exc
    try:
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(head, cp_isolation=_CANDIDATES).best()
    order = ([best.encoding] if best is not None else []) + ["gb18030"]
    for enc in order:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        name = codecs.lookup(enc).name.replace("_", "-")
        return _check_text(text, name)
    raise DecodeError("not text in a known encoding (tried UTF-8, GB18030, Big5, UTF-16, Shift-JIS, EUC-KR)")


def _looks_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM: NULs sit on every other byte for ASCII. Returns the codec or None."""
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if min(even, odd) > len(head) * 0.02:
        return None
    if even > len(head) * 0.1:
        return "utf-16-be"
    if odd > len(head) * 0.1:
        return "utf-16-le"
    return None
