"""A cleaned *view* of a document that every extractor reads, with a map back to the original.

Real input is messy: full-width digits (８１４４), HTML remnants (``<p>``, ``&nbsp;``), CRLF, NUL
bytes, zero-width characters, and lines hard-wrapped in mid-sentence (even in mid-number:
``8144\\n亿元``). Extractors should not each cope with that, and offsets must still index the
original text (``original[start:end] == surface``). So the view is built once from a list of
edits over the original, and kept as *pieces*: runs copied one-to-one (possibly with full-width
characters translated to ASCII, which keeps lengths) and replacements (a deleted line break, a
tag, an entity). Mapping a view span back to the original is a binary search over the pieces:
memory stays proportional to the number of edits, not to the text.

Traditional script (Hong Kong, Macau, Taiwan) is read as Simplified: a view whose text holds a
character only Traditional text uses (萬, 億, 點, 臺) is converted with a one-to-one map generated
from OpenCC's dictionaries (`rules/t2s.tsv`, `scripts/gen_t2s.py`), so numbers, units, change
words, time words and the entity model all see the script they know, while every view offset
still indexes the original and the rows keep the original characters. Text without such a
character (mainland news) is never touched: one regex search decides.
"""

from __future__ import annotations

import codecs
import html
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import regex

from extract.resources import read_tsv

# Full-width ASCII digits, letters and the signs numbers use, mapped 1:1 to ASCII; the Chinese
# comma ，, colon ： and brackets stay as they are (，is a clause break, never a thousands separator).
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FULLWIDTH.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FULLWIDTH.update({"％": "%", "﹪": "%", "．": ".", "／": "/", "－": "-", "～": "~", "〜": "~",
                   "＋": "+", "−": "-", "\u3000": " ", "\r": "\n", "\x00": " "})
# other C0 control characters become spaces (a NUL byte in a file must not break anything)
_FULLWIDTH.update({chr(c): " " for c in range(1, 32) if chr(c) not in "\n\t\r"})
_FULLWIDTH["\x7f"] = " "
TRANSLATE = str.maketrans(_FULLWIDTH)

# Sentence-final punctuation: a line ending in one of these is a real line end.
_TERMINAL = "。！？!?；;：:”」』）)】》…—"
_SPACE = "[ \\t\\u3000\\xa0]"

_EDIT_RE = regex.compile(
    rf"(?P<wrap>{_SPACE}*\r?\n(?:{_SPACE}*\r?\n)?{_SPACE}*)"
    r"|(?P<zw>[\u200b-\u200d\u2060\ufeff\u00ad])"
    r"|(?P<script><(?i:script|style)\b[^>]*>.*?</(?i:script|style)\s*>)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,500})?/?>|<!--.*?-->)"
    r"|(?P<entity>&(?:[A-Za-z]{2,8}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});)",
    regex.DOTALL,
)
_BLOCK_TAGS = regex.compile(r"</?(?i:p|br|div|li|tr|h[1-6]|table|ul|ol|section|article|blockquote)\b")
# Wrap lengths: a single line break after at least this many characters of a line, with no
# sentence-final punctuation before it, is a hard wrap; across a blank line the line must be long
# (a paragraph, not a headline or a byline).
MIN_WRAPPED_LINE = 16
MIN_WRAPPED_PARAGRAPH = 40


@dataclass(frozen=True)
class _Simplifier:
    table: dict[int, int]
    tell: frozenset[str]
    phrases: dict[str, str]
    phrase_re: re.Pattern


class _TraditionalFound(Exception):
    pass


def in_gb2312(ch: str) -> bool:
    """Whether a character belongs to the mainland's basic set (a Simplified character in its own right)."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _simplifier() -> _Simplifier:
    """The Traditional -> Simplified map, checked at load: every entry keeps its length."""
    chars: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for row in read_tsv("t2s.tsv")[1:]:
        if len(row) != 2 or not row[0] or len(row[0]) != len(row[1]) or (len(row[0]) == 1 and row[0] == row[1]):
            raise ValueError(f"rules/t2s.tsv: an entry must map a text to one of the same length: {row}")
        (chars if len(row[0]) == 1 else phrases)[row[0]] = row[1]
    # the characters that tell Traditional text: mapped ones outside the mainland's GB2312 set
    # (乾, 於, 後 are also Simplified characters and decide nothing)
    tell = frozenset(c for c in chars if not in_gb2312(c))

    def on_unencodable(err: UnicodeEncodeError) -> tuple[str, int]:
        if not tell.isdisjoint(err.object[err.start:err.end]):
            raise _TraditionalFound
        return "?", err.end

    codecs.register_error("extract-traditional", on_unencodable)
    return _Simplifier(
        str.maketrans({k: ord(v) for k, v in chars.items()}),  # ordinals: a third faster than strings
        tell,
        phrases,
        # the standard library's engine: a plain alternation of literals runs 8x faster there
        re.compile("|".join(re.escape(p) for p in sorted(phrases, key=lambda p: (-len(p), p)))),
    )


def has_traditional(text: str) -> bool:
    """Whether ``text`` holds a character that only Traditional script uses (萬, 點, 臺, 澳門).

    Mainland text is GB2312 nearly throughout, so the check is the C codec encoding it (a few ns a
    character); only the characters it cannot encode reach Python, to be looked up.
    """
    _simplifier()  # registers the codec error handler
    try:
        text.encode("gb2312", errors="extract-traditional")
    except _TraditionalFound:
        return True
    return False


def to_simplified(text: str) -> str:
    """``text`` in Simplified script, character for character (same length, same offsets).

    Phrases whose conversion differs from the character map's keep their own (乾隆 stays, 乾淨
    becomes 干净). Text with no Traditional-only character comes back unchanged.
    """
    if not has_traditional(text):
        return text
    simp = _simplifier()
    out = text.translate(simp.table)
    matches = list(simp.phrase_re.finditer(text))
    if not matches:
        return out
    parts, pos = [], 0
    for m in matches:
        parts.append(out[pos:m.start()])
        parts.append(simp.phrases[m.group(0)])
        pos = m.end()
    parts.append(out[pos:])
    return "".join(parts)


# 1，520亿元: a full-width comma between 1-3 digits and groups of exactly three, before a magnitude
# or a unit, separates thousands (1,520); elsewhere ，is a clause break (增长5%，300家企业)
_FULLWIDTH_THOUSANDS = re.compile(r"(?<![\d.,，])\d{1,3}(?:，\d{3})+(?![\d，,])(?=\.\d|[^\x00-\x7f，。、；：！？（）“”\s])")


def _thousands_commas(text: str) -> str:
    if "，" not in text:
        return text
    return _FULLWIDTH_THOUSANDS.sub(lambda m: m.group(0).replace("，", ","), text)


@dataclass(frozen=True)
class TextView:
    """The cleaned text plus the pieces that map it back to the original.

    ``pieces[i] = (view_start, orig_start, orig_end, copied)``: a copied piece maps character by
    character; a replacement piece (``copied`` False) maps as a whole to ``orig_start:orig_end``.
    ``traditional`` tells whether the original was Traditional script, read here as Simplified.
    """

    original: str
    text: str
    pieces: tuple[tuple[int, int, int, bool], ...]
    _starts: tuple[int, ...]
    traditional: bool = False

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the view span ``text[start:end]`` (end exclusive)."""
        if start >= end:
            o = self._orig_start(start)
            return o, o
        return self._orig_start(start), self._orig_end(end - 1)

    def _piece(self, pos: int) -> tuple[int, int, int, bool]:
        i = bisect_right(self._starts, pos) - 1
        return self.pieces[max(i, 0)]

    def _orig_start(self, pos: int) -> int:
        if not self.pieces:
            return 0
        if pos >= len(self.text):
            return len(self.original)
        v, o_start, o_end, copied = self._piece(pos)
        return o_start + (pos - v) if copied else o_start

    def _orig_end(self, pos: int) -> int:
        v, o_start, o_end, copied = self._piece(pos)
        return o_start + (pos - v) + 1 if copied else o_end


def _line_length_before(text: str, pos: int) -> int:
    """Characters on the line that ends at ``pos``, leading spaces not counted."""
    line_start = text.rfind("\n", 0, pos) + 1
    return len(text[line_start:pos].strip(" \t\u3000\xa0"))


def _line_length_after(text: str, pos: int) -> int:
    """Characters on the line that starts at ``pos``, spaces at its ends not counted."""
    line_end = text.find("\n", pos)
    return len(text[pos:line_end if line_end >= 0 else len(text)].strip(" \t\u3000\xa0\r"))


def _is_wrap(original: str, m: regex.Match) -> bool:
    """Whether a line break inside a paragraph is a hard wrap to be joined.

    Joined: a single line break after a line of at least MIN_WRAPPED_LINE characters that does not
    end in sentence-final punctuation (an indented next line only when the line is paragraph-long)
    and is not much shorter than the next line (a wrapper fills every line but the last, so a
    headline above a long paragraph is no wrapped line); a blank line only between two word
    characters after a paragraph-long line (pages that cut a word in two with an empty line between
    the halves).
    """
    start, end = m.span()
    if start == 0 or end >= len(original):
        return False
    prev, nxt = original[start - 1], original[end]
    if prev in _TERMINAL or prev.isspace():
        return False
    seg = m.group(0)
    indented = seg[-1] in " \t\u3000\xa0"
    line_len = _line_length_before(original, start)
    if seg.count("\n") > 1:
        return (_is_wordlike(prev) and _is_wordlike(nxt) and not indented
                and line_len >= MIN_WRAPPED_PARAGRAPH)
    if indented:
        return line_len >= MIN_WRAPPED_PARAGRAPH
    return line_len >= MIN_WRAPPED_LINE and _line_length_after(original, end) <= line_len * 5 // 4 + 4


def _is_wordlike(ch: str) -> bool:
    return ch.isalnum() or "\u4e00" <= ch <= "\u9fff"


def make_view(original: str) -> TextView:
    """Build the cleaned view of ``original`` (pure; cost linear in the text)."""
    edits: list[tuple[int, int, str]] = []
    for m in _EDIT_RE.finditer(original):
        kind = m.lastgroup
        if kind == "zw" or kind == "script":
            edits.append((m.start(), m.end(), ""))
        elif kind == "tag":
            edits.append((m.start(), m.end(), "\n" if _BLOCK_TAGS.match(m.group(0)) else ""))
        elif kind == "entity":
            rep = html.unescape(m.group(0))
            if rep != m.group(0):
                edits.append((m.start(), m.end(), rep.replace("\xa0", " ")))
        elif kind == "wrap":
            if _is_wrap(original, m):
                edits.append((m.start(), m.end(), ""))
            elif "\r" in m.group(0):
                edits.append((m.start(), m.end(), m.group(0).replace("\r\n", "\n").replace("\r", "")))
    return _assemble(original, edits)


def _assemble(original: str, edits: list[tuple[int, int, str]]) -> TextView:
    parts: list[str] = []
    pieces: list[tuple[int, int, int, bool]] = []
    pos = 0  # in original
    vpos = 0  # in view
    for start, end, rep in edits:
        if start > pos:
            chunk = original[pos:start].translate(TRANSLATE)
            pieces.append((vpos, pos, start, True))
            parts.append(chunk)
            vpos += len(chunk)
        if rep:
            pieces.append((vpos, start, end, False))
            parts.append(rep.translate(TRANSLATE))
            vpos += len(rep)
        pos = end
    if pos < len(original):
        chunk = original[pos:].translate(TRANSLATE)
        pieces.append((vpos, pos, len(original), True))
        parts.append(chunk)
    text = _thousands_commas("".join(parts))
    simplified = to_simplified(text)
    traditional = simplified is not text
    text = simplified
    # pieces of length zero never hold a view character; drop them from the search index
    kept = tuple(p for i, p in enumerate(pieces)
                 if (pieces[i + 1][0] if i + 1 < len(pieces) else len(text)) > p[0])
    return TextView(original, text, kept, tuple(p[0] for p in kept), traditional)


_SENT_END = regex.compile(r"[。！？!?]+[”’」』）)]*|\n+|…{2,}[”’」』]*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of the view as (start, end), blank stretches skipped.

    A sentence ends at 。！？ (with any closing quotes) or at a paragraph break. ；keeps the
    clauses of one sentence together: Chinese news packs several facts into one sentence.
    """
    spans = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


_CLAUSE_BREAKS = r"[，,；;。！？!?：:\n]"
_CLAUSE_BREAK = regex.compile(_CLAUSE_BREAKS)
# the same class searched right to left: the last break before a position, found by the engine
# instead of a Python loop over up to CLAUSE_WINDOW characters (clause_bounds runs per number)
_CLAUSE_BREAK_BEFORE = regex.compile(_CLAUSE_BREAKS, regex.REVERSE)


# Clause-level rules look at most this many characters either side of a number: real clauses
# are far shorter, and a run-on "clause" (10,000 numbers joined by 、) must not make every lookup
# scan back to its start (quadratic).
CLAUSE_WINDOW = 200


def clause_bounds(text: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The clause (between ，；。 etc.) around ``pos``, searched within ``lo:hi`` and at most
    CLAUSE_WINDOW characters either side."""
    lo = max(lo, pos - CLAUSE_WINDOW)
    hi = min(len(text) if hi is None else hi, pos + CLAUSE_WINDOW)
    before = _CLAUSE_BREAK_BEFORE.search(text, lo, pos)
    after = _CLAUSE_BREAK.search(text, pos, hi)
    return (before.end() if before else lo), (after.start() if after else hi)
