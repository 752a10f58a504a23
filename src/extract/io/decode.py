"""Reading article files: bytes in, text and the encoding used out, or a plain-language error.

Chinese news folders mix UTF-8, UTF-8 with a byte-order mark, GB18030/GBK (older sites and
Windows tools), now and then Big5 or UTF-16, plus stray binaries. The order of trust: a BOM,
strict UTF-8 (which almost never decodes non-UTF-8 text by accident), UTF-16 without a BOM where
NULs sit on every other byte, then the legacy Chinese encodings. GB18030 decodes almost any byte
string, so between GB18030 and Big5 the one whose characters are the common ones of its own
script wins (a short GBK line read as Korean or Big5 is nonsense made of rare characters);
charset-normalizer is asked only when neither decodes strictly.

A file that is clearly one encoding but has a few bad bytes (a stray 0xFF, a UTF-8 file cut in
the middle of a character) is decoded with U+FFFD in their place, and ``Decoded.note`` says so:
one bad byte never loses an article. The recorded encoding always reproduces the text:
``data.decode(encoding, errors="replace" if note else "strict") == text``.
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
_SAMPLE = 64 * 1024
# A few bad bytes are replaced, not fatal: at most this many, and at most one per this many bytes.
_MAX_BAD = 16
_BAD_PER_BYTES = 200


class DecodeError(ValueError):
    """The bytes are not a readable text article; the message is meant for users."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8, utf-8-sig, gb18030, big5, utf-16, utf-16-le, utf-16-be …
    note: str | None = None  # set when bad bytes were replaced by U+FFFD


def _control_ratio(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\x00\x0c") or "\ue000" <= ch <= "\uf8ff")
    return bad / len(sample)


def _check_text(text: str, encoding: str, note: str | None = None) -> Decoded:
    if _control_ratio(text) > 0.05:
        raise DecodeError(f"binary file (decodes as {encoding} but is mostly control characters)")
    return Decoded(text, encoding, note)


@dataclass(frozen=True)
class _Attempt:
    text: str | None  # None past _MAX_BAD bad sequences
    n_bad: int
    first: int = 0  # byte offset of the first bad sequence
    cut: bool = False  # the only bad sequence is a character cut off by the end of the file


def _decode_counting(data: bytes, encoding: str) -> _Attempt:
    """``data`` decoded with U+FFFD for each bad sequence, exactly as ``errors="replace"`` would."""
    pieces: list[str] = []
    bad, pos, first, cut = 0, 0, 0, False
    while True:
        try:
            pieces.append(data[pos:].decode(encoding))
            return _Attempt("".join(pieces), bad, first, cut and bad == 1)
        except UnicodeDecodeError as exc:
            pieces.append(data[pos:pos + exc.start].decode(encoding))
            pieces.append("\ufffd")
            first = pos + exc.start if bad == 0 else first
            cut = exc.end == len(data) - pos and any(w in exc.reason for w in ("end of data", "incomplete", "truncated"))
            bad += 1
            if bad > _MAX_BAD:
                return _Attempt(None, bad, first)
            pos += exc.end


def _few(n_bad: int, n_bytes: int) -> bool:
    """Few enough bad sequences to replace them rather than call the file unreadable."""
    return n_bad <= min(_MAX_BAD, max(1, n_bytes // _BAD_PER_BYTES))


_LABELS = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "gb18030": "GB18030",
           "big5": "Big5", "big5hkscs": "Big5-HKSCS"}


def _note(a: _Attempt, encoding: str, offset: int = 0) -> str | None:
    """What a reader of the documents table should know about a repaired decode (None if clean)."""
    label = _LABELS.get(encoding, encoding)
    if a.n_bad == 0:
        return None
    if a.cut:
        return f"the file ends in the middle of a {label} character, replaced by U+FFFD"
    plural = "s" if a.n_bad > 1 else ""
    return (f"{a.n_bad} byte sequence{plural} not valid {label} replaced by U+FFFD "
            f"(the first at byte {a.first + offset})")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _common(ch: str, script: str) -> bool:
    """Whether a Han character is one of the common ones of ``script``: GB2312 level 1 (the 3,755
    most used simplified characters) or Big5 level 1 (the 5,401 most used traditional ones)."""
    try:
        if script == "gb":
            return 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
        return 0xA4 <= ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


_SCRIPTS = {"gb18030": ("gb",), "big5": ("big5",), "big5hkscs": ("big5",)}


def _chinese_score(text: str, encoding: str) -> float:
    """How much ``text`` looks like Chinese: the share of its non-ASCII characters (U+FFFD aside)
    that are common Han characters of the script ``encoding`` writes, or CJK punctuation."""
    scripts = _SCRIPTS.get(encoding, ("gb", "big5"))
    good = total = 0
    for ch in text[:4096]:
        if ch.isascii() or ch == "\ufffd":
            continue
        total += 1
        if _is_han(ch):
            good += any(_common(ch, s) for s in scripts)
        elif "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u206f":
            good += 1  # ，。、“” and full-width forms
    return good / total if total else 1.0


def _with_bom(data: bytes, bom: bytes, codec: str, name: str) -> Decoded:
    a = _decode_counting(data[len(bom):], codec)
    if a.text is not None and _few(a.n_bad, len(data)):
        return _check_text(a.text, name, _note(a, codec, len(bom)))
    raise DecodeError(f"starts with a {_LABELS[codec]} byte-order mark but is not valid {_LABELS[codec]}")


# Where bytes could be several encodings, the order on a tie (mainland news first).
_ORDER = ("utf-8", "gb18030", "big5", "big5hkscs")


def decode_bytes(data: bytes) -> Decoded:
    """Decode one file's bytes, or raise DecodeError with a reason a user can act on."""
    if not data:
        raise DecodeError("empty file (0 bytes)")
    if data.startswith(codecs.BOM_UTF8):
        return _with_bom(data, codecs.BOM_UTF8, "utf-8", "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE):
        return _with_bom(data, codecs.BOM_UTF16_LE, "utf-16-le", "utf-16")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _with_bom(data, codecs.BOM_UTF16_BE, "utf-16-be", "utf-16")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise DecodeError(f"binary file ({what}), not a text article")
    head = data[:_SAMPLE]
    if head.count(0) > len(head) * 0.1:
        enc = _looks_utf16(head)
        if enc is None:
            raise DecodeError("binary file (many NUL bytes), not a text article")
        a = _decode_counting(data, enc)
        if a.text is not None and _few(a.n_bad, len(data)):  # the name (le/be) reproduces the text
            return _check_text(a.text, enc, _note(a, enc))
        raise DecodeError("looks like UTF-16 without a byte-order mark but does not decode")
    try:
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # GB18030 decodes nearly any bytes, UTF-8 Chinese included: every candidate with few bad
    # sequences is scored, and a strict decode beats a repaired one unless it reads far worse.
    best = None
    for rank, enc in enumerate(_ORDER):
        a = _decode_counting(data, enc)
        if a.text is None or not _few(a.n_bad, len(data)):
            continue
        key = (_chinese_score(a.text, enc) - (0.1 if a.n_bad else 0), -a.n_bad, -rank)
        if best is None or key > best[0]:
            best = (key, enc, a)
    if best is not None:
        _, enc, a = best
        return _check_text(a.text, enc, _note(a, enc))
    guess = charset_normalizer.from_bytes(head, cp_isolation=["shift_jis", "euc_kr"]).best()
    if guess is not None:
        try:
            enc = codecs.lookup(guess.encoding).name.replace("_", "-")
            return _check_text(data.decode(enc), enc)
        except (UnicodeDecodeError, LookupError):
            pass
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
