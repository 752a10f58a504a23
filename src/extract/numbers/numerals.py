"""Numbers: Arabic, Chinese and mixed numerals found in text and valued exactly.

This is the bottom layer (Duckling-style): it knows nothing of units. `quantities` builds on the
runs found here. Values are `decimal.Decimal` so that 16.4亿 is 1640000000 and never 1639999999.99;
callers convert to float at the edge.

The grammar, compiled once from `rules/numerals.yaml`:
- Arabic: ``102,242`` (comma groups only of exactly three digits), ``8144``, ``1.0753``, ``2.7890e-1``;
- Chinese: ``一千二百万``, ``三百零五``, ``一〇八`` (digit by digit), ``一万三`` (elided 13000),
  ``十几`` and ``700几亿`` (vague: "ten-odd"), ``三四十万`` (adjacent digits: a range), ``三点五``;
- mixed: ``1.2万``, ``3万4000``, ``2.5亿``, ``1万亿``, ``百万亿``, ``500余万``;
- fractions: ``五分之一``, ``百分之五``, ``3/5``, ``三又三分之一``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache

import regex

from extract.resources import load_yaml

D = Decimal


@dataclass(frozen=True)
class Number:
    """A number found in text: offsets into that text and its exact value.

    ``high`` is set for ranges written as adjacent numerals (三四十万); ``vague`` for 十几-style
    numbers and "odd" markers inside the number (500余万); ``magnitude`` tells whether a Chinese
    magnitude (十百千万亿) scaled it, ``arabic`` whether it starts with Arabic digits,
    ``fraction`` whether it is a fraction (value is then the ratio: 五分之一 = 0.2).
    """

    start: int
    end: int
    text: str
    value: Decimal
    high: Decimal | None = None
    vague: bool = False
    magnitude: bool = False
    arabic: bool = False
    fraction: bool = False
    bare_digit: bool = False  # the whole number is one Chinese digit character (一, 二, 三 ...)


@dataclass(frozen=True)
class _Grammar:
    digit: dict[str, int]
    not_digit_by_digit: frozenset[str]  # 两 and its variants: a count of two, never a digit of 二〇二五
    small: dict[str, int]
    big: dict[str, int]
    point: frozenset[str]
    negative: frozenset[str]
    vague: frozenset[str]
    odd: frozenset[str]
    and_frac: str
    run_src: str
    sign_src: str
    afrac_src: str
    run_re: regex.Pattern
    find_re: regex.Pattern
    long_re: regex.Pattern  # a stretch of numeral characters longer than MAX_RUN


# Digit strings are possessive (\d++): a run of digits is one atom, never split among atoms by
# backtracking (which made a long digit line cubic).
ARABIC = r"(?:(?:\d{1,3}(?:,\d{3})++(?!\d)|\d++)(?:\.\d++)?|(?<![\d.])\.\d++)(?:[eE][-+]?\d++(?![A-Za-z]))?"
# A stretch of numeral characters longer than this is no number (a digit line, 亿亿亿…): it is
# masked before scanning, so every pattern works on stretches of bounded length and the scan
# stays linear in the text. The longest real numerals are about 25 characters
# (一千二百三十四亿五千六百七十八万九千零一十二, 1,234,567,890,123.45).
MAX_RUN = 40
_MASK = "\x00"


@cache
def grammar() -> _Grammar:
    """Compile the numeral grammar from rules/numerals.yaml (once per process)."""
    data = load_yaml("numerals.yaml")
    digit = {ch: int(v) for v, chars in data["digits"].items() for ch in chars}
    not_digit_by_digit = frozenset(data["not_digit_by_digit"])
    small = {ch: int(v) for v, chars in data["small_units"].items() for ch in chars}
    big = {ch: int(v) for v, chars in data["big_units"].items() for ch in chars}
    point = frozenset(data["point"])
    negative = frozenset(data["negative"])
    vague = frozenset(data["vague_digit"])
    odd = frozenset(data["odd_markers"])
    and_frac = data["and_fraction"][0]

    def cls(chars) -> str:
        return "[" + "".join(regex.escape(c) for c in sorted(chars)) + "]"

    d, s, b = cls(digit), cls(small), cls(big)
    # 兆 is a magnitude only inside a longer numeral (五十五兆一十二亿); elsewhere it starts 兆瓦.
    b_plain = cls(set(big) - {"兆"})
    atom = rf"(?:{ARABIC}|{d}|{s}|{b_plain}|兆(?={d}|{s}))"
    vague_c = cls(vague)
    odd_c = cls(odd)
    point_c = cls(point)
    # A run: atoms, vague digits after a unit (十几) or between Arabic digits and a magnitude
    # (Cantonese 700几亿), odd markers before a magnitude (500余万),
    # and a Chinese decimal part (三点五, 四百点五).
    run = (
        rf"(?:{atom}|{vague_c}(?={s}|{b}))"
        rf"(?:{atom}|(?<={s}|{d}){vague_c}|(?<=[0-9]){vague_c}(?={s}|{b})|{odd_c}(?={s}|{b}))*"
        rf"(?:(?<={d}|{s}|{b}){point_c}{d}+)?"
    )
    neg = cls(negative)
    sign = rf"(?P<sign>(?<![\d.]){neg}|(?<![\d.A-Za-z)）])[-+])?"
    # Arabic fraction 3/5, but not dates like 2025/5/21; Chinese fractions (五分之一) are read in
    # Python after a run, so the pattern stays one cheap alternation.
    afrac = r"(?P<afrac>(?<![\d/])\d+/\d+(?![\d/]))"
    stretch = cls(set(digit) | set(small) | set(big) | point | vague | odd | set("0123456789.,"))
    return _Grammar(
        digit, not_digit_by_digit, small, big, point, negative, vague, odd, and_frac,
        run, sign, afrac,
        regex.compile(run), regex.compile(rf"{sign}(?:{afrac}|(?P<run>{run}))"),
        regex.compile(rf"{stretch}{{{MAX_RUN + 1},}}"),
    )


def mask_long_runs(text: str) -> str:
    """``text`` with every stretch of numeral characters longer than MAX_RUN blanked out.

    Same length, so offsets keep their meaning; the blanked stretches can hold no number.
    """
    long_re = grammar().long_re
    if long_re.search(text) is None:
        return text
    return long_re.sub(lambda m: _MASK * len(m.group(0)), text)


def compile_scanner(follow: str) -> regex.Pattern:
    """The number pattern restricted to runs followed by one of the characters in ``follow``.

    Layers above use it to skip, inside the regex engine, the many numerals that cannot start a
    quantity (一 in 一直, 进一步): only runs followed by a unit, a separator or 分之 come out.
    """
    g = grammar()
    cls = "[" + "".join(regex.escape(c) for c in sorted(set(follow))) + "]"
    return regex.compile(rf"{g.sign_src}(?:{g.afrac_src}|(?P<run>{g.run_src})(?={cls}))")


class NotANumber(ValueError):
    """The string is not a well-formed numeral."""


def _tokens(s: str, g: _Grammar) -> list[tuple[str, object]]:
    """Split a numeral run into tokens: ('a', Decimal, ndigits) Arabic, ('d', int) Chinese digit,
    ('s', int) small unit, ('b', int) big unit, ('v',) vague digit, ('o',) odd marker,
    ('p', str) Chinese decimal digits."""
    out: list[tuple[str, object]] = []
    i, n = 0, len(s)
    arabic_re = _arabic_re()
    while i < n:
        ch = s[i]
        if ch.isascii() and ch.isdigit() or ch == "." and s[i + 1:i + 2].isdigit():
            m = arabic_re.match(s, i)
            if m is None:  # a second decimal point (0.00.0, 2025.11.20): no numeral
                raise NotANumber(s)
            text = m.group(0)
            try:
                val = D(text.replace(",", ""))
            except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid numbers
                raise NotANumber(s) from exc
            out.append(("a", (val, len(text))))
            i = m.end()
            continue
        if ch in g.point:
            frac = s[i + 1:]
            if not frac or any(c not in g.digit for c in frac):
                raise NotANumber(s)
            out.append(("p", "".join(str(g.digit[c]) for c in frac)))
            break
        if ch in g.digit:
            out.append(("d", g.digit[ch]))
        elif ch in g.small:
            out.append(("s", g.small[ch]))
        elif ch in g.big:
            out.append(("b", g.big[ch]))
        elif ch in g.vague:
            out.append(("v", None))
        elif ch in g.odd:
            out.append(("o", None))
        else:
            raise NotANumber(s)
        i += 1
    return out


@cache
def _arabic_re() -> regex.Pattern:
    return regex.compile(ARABIC)


def _evaluate(tokens: list[tuple[str, object]]) -> Decimal:
    if tokens and tokens[-1][0] == "p":  # 四百点五: the integer part, then the decimals
        return _evaluate(tokens[:-1]) + D("0." + tokens[-1][1])
    return _evaluate_int(tokens)


def _evaluate_int(tokens: list[tuple[str, object]]) -> Decimal:
    """Value of a token list with units, following the positional rules of Chinese numerals.

    Sections are closed by big units; a big unit multiplies everything accumulated below its own
    level (so 1万亿 = 1e12 and 四万万 = 4e8). A single digit right after a unit is elided
    (一万三 = 13000, 一百五 = 150). 零 only separates.
    """
    groups: list[tuple[Decimal, int]] = []  # (value, level) of closed sections
    section = D(0)
    last_small = 10**9  # small units must fall within a section: 五十千 is not a numeral
    digit: Decimal | None = None
    last_unit = 0
    digit_is_single = False
    for kind, val in tokens:
        if kind == "a":
            v, ndigits = val
            digit = v
            digit_is_single = ndigits == 1 and "." not in str(v)
        elif kind == "d":
            if val == 0:
                digit = None
                last_unit = 0  # 零 breaks elision: 一千零五 is 1005
                continue
            digit = D(val)
            digit_is_single = True
        elif kind == "s":
            if val >= last_small:
                raise NotANumber("small units out of order")
            last_small = val
            section += (digit if digit is not None else D(1)) * val
            digit = None
            last_unit = val
        elif kind == "b":
            cur = section + (digit if digit is not None else D(0))
            if cur == 0 and not groups:
                cur = D(1)
            while groups and groups[-1][1] <= val:
                cur += groups.pop()[0]
            if groups and groups[-1][1] == val and cur == 1 and digit is None:
                raise NotANumber("repeated magnitude")  # 万万 (never, by no means) is a word
            groups.append((cur * val, val))
            section = D(0)
            last_small = 10**9
            digit = None
            last_unit = val
        elif kind in ("v", "o"):
            continue
    if digit is not None:
        if last_unit >= 10 and digit_is_single:
            digit *= D(last_unit) / 10  # elision: 一万三 -> 3 * 1000
        section += digit
    return section + sum((v for v, _ in groups), D(0))


_PLAIN_ARABIC = regex.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_run(s: str) -> tuple[Decimal, Decimal | None, bool]:
    """Value of one numeral run: (value, high end for adjacent-digit ranges, vague?).

    Raises NotANumber for strings that are not numerals (a lone magnitude such as 千 or 万,
    a run starting with a vague digit such as 几十, digits mixed badly).
    """
    if s.isascii() and _PLAIN_ARABIC.fullmatch(s):
        return D(s.replace(",", "")), None, False  # the common case: 8144, 5.1, 102,242
    g = grammar()
    toks = _tokens(s, g)
    if not toks:
        raise NotANumber(s)
    kinds = [k for k, _ in toks]
    if kinds[0] in ("v", "o"):
        raise NotANumber(s)  # 几十万: no definite value
    vague = "v" in kinds or "o" in kinds
    if all(k == "b" for k in kinds) and s not in ("万亿", "萬億"):
        raise NotANumber(s)  # 万万 (by no means), 亿万 (countless): words
    if all(k == "d" for k in kinds) and len(toks) > 1:
        if any(c in g.not_digit_by_digit for c in s):
            raise NotANumber(s)  # 两两 (in pairs): 两 is never read digit by digit
        digits = [v for _, v in toks]
        if len(digits) == 2 and digits[1] == digits[0] + 1 and digits[0] != 0:
            return D(digits[0]), D(digits[1]), False  # 五六个: five or six
        return D("".join(str(d) for d in digits)), None, False  # 一〇八 = 108
    leading = next((i for i, k in enumerate(kinds) if k != "d"), len(kinds))
    if leading >= 3 and all(k == "b" for k in kinds[leading:]):
        # 一八八一亿美元 (Taiwan's and official style): three or more digits before a magnitude are
        # read digit by digit, never as a range of adjacent digits (二三亿)
        if any(c in g.not_digit_by_digit for c in s):
            raise NotANumber(s)
        whole = D("".join(str(v) for _, v in toks[:leading]))
        return _evaluate([("a", (whole, leading)), *toks[leading:]]), None, False
    if kinds == ["d", "p"] or (kinds[-1] == "p" and all(k == "d" for k in kinds[:-1])):
        whole = "".join(str(v) for _, v in toks[:-1])
        return D(f"{whole}.{toks[-1][1]}"), None, False
    # adjacent digits before a unit: 三四十万 = 30万 to 40万
    for i in range(len(toks) - 1):
        (k1, v1), (k2, v2) = toks[i], toks[i + 1]
        if k1 == k2 == "d" and v2 == v1 + 1 and v1 != 0 and i + 2 < len(toks):
            low = _evaluate(toks[:i] + [toks[i]] + toks[i + 2:])
            high = _evaluate(toks[:i] + [toks[i + 1]] + toks[i + 2:])
            return low, high, False
    for i in range(len(toks) - 1):
        if toks[i][0] in ("d", "a") and toks[i + 1][0] in ("d", "a") and not (
            toks[i][0] == "d" and toks[i][1] == 0 or toks[i + 1][0] == "d" and toks[i + 1][1] == 0
        ):
            raise NotANumber(s)  # two numbers glued without a unit between them
    if len(toks) == 1 and kinds[0] in ("s", "b") and toks[0][1] != 10:
        raise NotANumber(s)  # a lone 百/千/万/亿 is a word, not a number
    return _evaluate(toks), None, vague


def parse_number(s: str) -> Decimal:
    """Exact value of a numeral string, fractions and signs included (``"负三十二"`` -> -32)."""
    nums = find_numbers(s)
    if len(nums) != 1 or nums[0].start != 0 or nums[0].end != len(s):
        raise NotANumber(s)
    return nums[0].value


def _parse_prefix(text: str, start: int, end: int) -> tuple[Decimal, int] | None:
    """Value of the longest numeral run text[start:end'] (end' = end, end-1, end-2) that parses."""
    g = grammar()
    for cut in (0, 1, 2):
        stop = end - cut
        if stop <= start:
            break
        part = text[start:stop]
        try:
            if len(part) == 1 and (part in g.small or part in g.big):
                return D(g.small.get(part) or g.big[part]), stop  # 百分之百, 万分之三
            return parse_run(part)[0], stop
        except NotANumber:
            continue
    return None


def _fraction_after(text: str, start: int, den_start: int, den_end: int, negative: bool) -> Number | None:
    """X分之Y starting with the run text[den_start:den_end] (五分之一, 百分之五, 千分之二点四)."""
    g = grammar()
    if not text.startswith("分之", den_end):
        return None
    nm = g.run_re.match(text, den_end + 2)
    if nm is None:
        return None
    den = _parse_prefix(text, den_start, den_end)
    num = _parse_prefix(text, nm.start(), nm.end())
    if den is None or num is None or den[1] != den_end or den[0] == 0:
        return None
    value = num[0] / den[0]
    return Number(start, num[1], text[start:num[1]], -value if negative else value, fraction=True,
                  arabic=text[den_start].isdigit())


def _number_from_run(text: str, start: int, run_start: int, run_end: int, sign: str | None) -> Number | None:
    g = grammar()
    negative = bool(sign) and (sign in g.negative or sign == "-")
    frac = _fraction_after(text, start, run_start, run_end, negative)
    if frac is not None:
        return frac
    if text.startswith(g.and_frac, run_end):  # 三又三分之一
        m2 = g.run_re.match(text, run_end + 1)
        if m2 is not None:
            part = _fraction_after(text, start, m2.start(), m2.end(), False)
            whole = _parse_prefix(text, run_start, run_end)
            if part is not None and whole is not None and whole[1] == run_end:
                value = whole[0] + part.value
                return replace(part, value=-value if negative else value)
    run = text[run_start:run_end]
    try:
        value, high, vague = parse_run(run)
    except NotANumber:
        return None
    if negative:
        value = -value
        high = -high if high is not None else None
    return Number(
        start, run_end, text[start:run_end], value, high=high, vague=vague,
        magnitude=any(c in g.small or c in g.big for c in run),
        arabic=run[0].isdigit() or run[0] == ".", bare_digit=len(run) == 1 and run in g.digit,
    )


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, left to right, with offsets into ``text``.

    Bare lone magnitudes (千, 万) and vague leading digits (几十) are skipped: they are words.
    """
    out = []
    pos = 0
    for m in grammar().find_re.finditer(mask_long_runs(text)):
        if m.start() < pos:
            continue
        num = number_from_match(m)
        if num is not None:
            out.append(num)
            pos = num.end
    return out


def number_from_match(m: regex.Match) -> Number | None:
    """Turn one raw match into a Number, or None when the run is not a numeral.

    A run that does not parse as a whole (七十百分位 read greedily as 七十百) is retried without its
    last characters, so the numeral inside it is still found.
    """
    g = grammar()
    text = m.string
    if m.group("afrac"):
        a, b = m.group("afrac").split("/")
        if int(b) == 0:
            return None
        value = D(a) / D(b)
        if m.group("sign") and m.group("sign") in ("-", *g.negative):
            value = -value
        return Number(m.start(), m.end(), m.group(0), value, fraction=True, arabic=True)
    run_start, run_end = m.span("run")
    for cut in (0, 1, 2):
        if run_end - cut <= run_start:
            break
        num = _number_from_run(text, m.start(), run_start, run_end - cut, m.group("sign"))
        if num is not None:
            return num
    return None
