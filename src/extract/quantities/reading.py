"""Quantities: a number with its unit, approximation, range and change, normalized.

Layer two on top of `numbers`: for every number found by the numeral grammar, read what follows
(odd markers 余/多, a unit from the lexicon, a rate denominator, 以上/左右) and what precedes
(约/近/超…, 第 for ordinals, codes like G20), join ranges (3至5亿元), then let the verbs of change
and basis words of the same clause fill ``change`` and ``basis``. Everything scans the text with
compiled patterns and dictionary probes: no segmentation is needed to read numbers.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

import regex

from extract.numbers.numerals import (
    NotANumber,
    Number,
    compile_scanner,
    grammar,
    mask_long_runs,
    number_from_match,
    parse_run,
)
from extract.numbers.units import Unit, denominator_at, lexicon, units_at
from extract.resources import alternation as _alternation
from extract.resources import load_yaml, longest_by_char
from extract.text.region import currency_of, paragraph_regions
from extract.text.view import clause_bounds

D = Decimal


@dataclass(frozen=True)
class Quantity:
    """One quantity in the text it was found in (offsets into that text).

    ``value`` is unsigned and already in the canonical ``unit``; ``negative`` keeps a written sign
    (同比-4%) which also sets ``change`` to ``down``. ``num_start``/``num_end`` locate the number
    itself inside the span, for the linking stage.
    """

    start: int
    end: int
    text: str
    value: Decimal
    unit: str
    unit_text: str
    kind: str
    value_high: Decimal | None = None
    approx: str | None = None
    change: str | None = None
    basis: str | None = None
    num_start: int = 0
    num_end: int = 0
    negative: bool = False
    regional: bool = False  # money in the region's own currency (元, 蚊): resolved per paragraph


@dataclass(frozen=True)
class _Rules:
    prefix: dict[str, str]
    suffix: dict[str, str]
    prefix_not_after: dict[str, tuple[str, ...]]
    # the longest approximation word ending with (prefix) or starting with (suffix) a character:
    # the lengths worth probing next to a number, none beside most characters
    prefix_longest: dict[str, int]
    suffix_longest: dict[str, int]
    idiom_re: regex.Pattern
    verb_re: regex.Pattern
    adjacent_change: dict[str, str]  # 多 -> up, 少 -> down: a change only right before the number
    adjacent_not_after: frozenset[str]
    gap_re: regex.Pattern
    strict_gap_re: regex.Pattern
    gap_max: int
    compounds: tuple[str, ...]
    basis_re: regex.Pattern
    basis_of: dict[str, str]
    basis_not_after: dict[str, frozenset[str]]
    fan_re: regex.Pattern
    after_re: regex.Pattern  # a change written after the number (5%的增长)
    odd_approx: str
    range_separators: tuple[str, ...]
    vague_before: frozenset[str]
    lone_financial: frozenset[str]
    fiscal_year_re: regex.Pattern


@cache
def rules() -> _Rules:
    """Approximation words, idiom vetoes, change verbs and basis words, compiled once."""
    approx = load_yaml("approx.yaml")
    vetoes = load_yaml("vetoes.yaml")
    prefix = {w: code for code, words in approx["prefix"].items() for w in words}
    suffix = {w: code for code, words in approx["suffix"].items() for w in words}
    not_after = {w: tuple(v) for w, v in (approx.get("not_after") or {}).items()}
    idioms = vetoes["idioms"]
    ch = load_yaml("changes.yaml")
    verbs = (
        f"(?P<skip>{_alternation(ch['not_change'])})"
        f"|(?P<direct>{_alternation(ch['direct_only'])})"
        f"|(?P<up>{_alternation(ch['change']['up'])})"
        f"|(?P<down>{_alternation(ch['change']['down'])})"
    )
    basis_of = {w: code for code, words in ch["basis"].items() for w in words}
    return _Rules(
        prefix, suffix, not_after, longest_by_char(prefix, -1), longest_by_char(suffix, 0),
        regex.compile(_alternation(idioms)),
        regex.compile(verbs),
        {w: change for change, words in ch["adjacent"].items() for w in words},
        frozenset(ch["adjacent_not_after"]),
        regex.compile(f"(?:{_alternation(ch['gap'])}|\\s|(?!{_alternation(ch['gap_stops'])})\\p{{Han}})*"),
        regex.compile(f"(?:{_alternation(ch['gap'])}|\\s)*"),
        int(ch["gap_max"]),
        tuple(ch["verb_compounds"]),
        regex.compile(_alternation(basis_of)),
        basis_of,
        {w: frozenset(cs) for w, cs in ch["basis_not_after"].items()},
        regex.compile(ch["doubling"]),
        regex.compile(
            rf"(?:{_alternation(ch['after_number_before'])})?"
            rf"(?:(?P<skip>{_alternation(ch['not_change'])})|(?P<up>{_alternation(ch['change']['up'])})"
            rf"|(?P<down>{_alternation(ch['change']['down'])}))(?=[\s，,。；;！!？?、）)]|$)"),
        approx["odd"],
        tuple(load_yaml("ranges.yaml")["connectors"]),
        frozenset(vetoes["vague_before"]),
        frozenset(vetoes["lone_financial"]),
        regex.compile(vetoes["fiscal_year"]),
    )


# --- reading one number with its unit -------------------------------------------------------

@dataclass(frozen=True)
class _Reading:
    num: Number
    unit: Unit | None
    code: str
    unit_text: str
    value: Decimal  # in canonical unit, unsigned
    end: int  # after the unit (and rate denominator)
    approx: str | None


def _magnitude_suffix(run: str) -> Decimal:
    """Product of the magnitude characters that end a numeral run (5亿 -> 1e8, 201万 -> 1e4)."""
    g = grammar()
    mag = D(1)
    for ch in reversed(run):
        if ch in g.big:
            mag *= g.big[ch]
        elif ch in g.small:
            mag *= g.small[ch]
        else:
            break
    return mag


def _regive_trailing_char(text: str, m: regex.Match, num: Number) -> tuple[Number, int] | None:
    """5万千瓦: the run swallowed 千, which starts the unit 千瓦. Give it back when that makes a unit."""
    run = m.group("run")
    if not run or len(run) < 2 or run[-1] not in "十百千兆拾佰仟":
        return None
    longer = [u for u in units_at(text, num.end - 1) if len(u.surface) > 1 and u.kind != "time"]
    if not longer:
        return None
    try:
        value, high, vague = parse_run(run[:-1])
    except NotANumber:
        return None
    sign = -1 if num.value < 0 else 1
    g = grammar()
    shorter = replace(
        num, end=num.end - 1, text=num.text[:-1], value=value * sign, high=high, vague=vague,
        magnitude=any(c in g.small or c in g.big for c in run[:-1]),
    )
    return shorter, num.end - 1


_SPACES = " \t\xa0"


def _skip_spaces(text: str, pos: int, limit: int = 4) -> int:
    """Past the spaces that web typesetting puts around Arabic numbers (达 8144 亿元)."""
    end = pos
    while end < len(text) and end - pos < limit and text[end] in _SPACES:
        end += 1
    return end


def _units_after(text: str, pos: int) -> tuple[list[Unit], int]:
    """Units at ``pos``, or after a few spaces: (candidates, position of the unit)."""
    found = units_at(text, pos)
    if found:
        return found, pos
    p = _skip_spaces(text, pos)
    if p > pos:
        found = units_at(text, p)
        if found:
            return found, p
    return [], pos


def _spaced_magnitude(text: str, num: Number, pos: int) -> tuple[Number, int]:
    """``8144 亿元``: a magnitude separated from Arabic digits by spaces still scales them."""
    g = grammar()
    p = _skip_spaces(text, pos)
    if p == pos or not num.arabic or p >= len(text) or text[p] not in g.big and text[p] not in g.small:
        return num, pos
    q, mag = p, D(1)
    while q < len(text) and (text[q] in g.big or text[q] in g.small):
        mag *= g.big.get(text[q]) or g.small[text[q]]
        q += 1
    if not _units_after(text, q)[0]:
        return num, pos
    return replace(num, value=num.value * mag, end=q, text=text[num.start:q], magnitude=True), q


def _read(text: str, m: regex.Match, num: Number | None = None) -> _Reading | None:
    """The number at match ``m`` with the unit that follows it, or None if it has no unit."""
    num = num or number_from_match(m)
    if num is None:
        return None
    run = m.group("run") or ""
    pos = num.end
    regiven = _regive_trailing_char(text, m, num)
    if regiven is not None:
        num, pos = regiven
    num, pos = _spaced_magnitude(text, num, pos)
    odd_approx = rules().odd_approx
    approx = odd_approx if num.vague else None
    if num.high is not None:
        approx = "about"
    candidates, pos = _units_after(text, pos)
    if not candidates and pos < len(text) and text[pos] in grammar().odd and not num.fraction:
        candidates, p = _units_after(text, pos + 1)
        if candidates:
            approx, pos = odd_approx, p
    unit = None
    for cand in candidates:
        if cand.kind == "time" and cand.surface == lexicon().index_unit.surface and _index_points(text, num, pos):
            unit = lexicon().index_unit
            break
        if cand.kind == "time":
            return None  # 2025年, 1个月, 5月: time, never a quantity
        after = pos + len(cand.surface)
        if cand.kind == "count" and text[after:after + 1] in ("多", "余", "半") and any(
                u.kind == "time" for u in units_at(text, after + 1)[:1]):
            return None  # 两个多小时, 三个半月: durations
        if cand.needs_magnitude_or_digits and not (num.arabic or num.magnitude):
            continue
        unit = cand
        break
    if unit is None:
        if num.fraction:
            written = "/" if "分之" not in num.text else next(
                (w for w in ("百分之", "千分之") if num.text.startswith(w)), "分之")
            return _Reading(num, None, "%", written, abs(num.value) * 100, num.end, approx)
        return None
    if num.fraction:
        return None  # 三分之一吨: too rare to guess; fractions stand alone as shares
    if num.bare_digit and (run == "二" or (run in "一壹" and unit.kind == "count")):
        return None  # 一名男子 (a man), 二次 (secondary): not counts
    if unit.surface in ("名", "位") and num.start > 0 and text[num.start - 1] in "前后":
        return None  # 稳居全国前五名: a rank
    end = pos + len(unit.surface)
    amount = abs(num.value)
    if (text.startswith("半", end) and not any(c in grammar().big for c in num.text)
            and not text.startswith(lexicon().half_not_before, end + 1)):
        amount += D("0.5")  # 一吨半, 三成半
        end += 1
    factor = unit.factor if not (unit.discount and amount >= 10) else D(1)
    value = amount * factor
    code, unit_text = unit.code, unit.surface
    if unit.kind == "money" and unit.surface in lexicon().subunits_after:
        value, end = _subunits(text, value, end)
    if end < len(text) and text[end] == "/":
        den = denominator_at(text, end + 1)
        if den is not None:
            den_code, den_factor, den_end = den
            code = f"{unit.code}/{den_code}"
            unit_text = text[pos:den_end]
            value = value / den_factor
            end = den_end
    if end < len(text) and text[end] == "级":
        return None  # 百万吨级, 千亿级: a scale, not an amount
    return _Reading(num, unit, code, unit_text, value, end, approx)


def _index_points(text: str, num: Number, pos: int) -> bool:
    """Whether 点 at ``pos`` after ``num`` is index points: the sentence names an index before the
    number (道指, 恒指, 上证指数...), the number has decimals or is past the hours of a day (3点 stays
    a time), and no 钟/半 follows."""
    lex = lexicon()
    if text.startswith(lex.index_not_followed_by, pos + 1):
        return False
    if "." not in num.text and abs(num.value) < 24:
        return False
    sentence_start = max(text.rfind(c, 0, num.start) for c in "。！？!?\n") + 1
    before = text[sentence_start:num.start]
    return any(w in before for w in lex.index_words)


def _subunits(text: str, value: Decimal, end: int) -> tuple[Decimal, int]:
    """五元三毛 = 5.3, 3元5角2分: smaller coins, each one digit, right after a whole amount."""
    lex = lexicon()
    g = grammar()
    for _ in range(2):
        if end + 1 >= len(text):
            break
        ch, unit = text[end], text[end + 1]
        digit = int(ch) if ch.isascii() and ch.isdigit() else g.digit.get(ch)
        if digit is None or unit not in lex.subunits or text.startswith(lex.subunit_not_followed_by, end + 2):
            break
        value += digit * lex.subunits[unit]
        end += 2
    return value, end


def _rejected_context(text: str, num: Number) -> bool:
    """Ordinals (第一), codes (G20, COVID-19, 1.2.3), vague amounts (数十家, 上万人), idioms."""
    s = num.start
    if s > 0:
        prev = text[s - 1]
        if prev == "第" or (prev.isascii() and prev.isalpha()):
            return True
        if prev in "-_." and s > 1 and text[s - 2].isascii() and text[s - 2].isalnum():
            return True
        if prev in rules().vague_before and num.text[0] in "十百千万亿":
            return True
    if num.end < len(text) and text[num.end] == "." and text[num.end + 1:num.end + 2].isdigit():
        return True  # version numbers and IP-like codes
    if num.fraction and "/" in num.text:
        fy = rules().fiscal_year_re.fullmatch(num.text)
        if fy and int(fy.group(2)) == (int(fy.group(1)) + 1) % 100:
            return True  # 2017/18年度: a fiscal year
    return is_vetoed(text, num)


def is_vetoed(text: str, num: Number) -> bool:
    """Numerals that are words: inside an idiom or place name (一直, 千家万户, 四川), or a lone
    financial-form numeral (陆地, 入伍)."""
    r = rules()
    if len(num.text) == 1 and num.text in r.lone_financial:
        return True
    s = num.start
    for idiom in r.idiom_re.finditer(text, max(0, s - 8), min(len(text), num.end + 8)):
        inside = s <= idiom.start() and idiom.end() <= num.end  # 之一 within 五分之一
        if idiom.start() < num.end and idiom.end() > s and not inside:
            return True
    return False


def _prefix(text: str, start: int) -> tuple[str | None, int]:
    """An approximation word glued in front of the number: (code, new start)."""
    r = rules()
    if start <= 0:
        return None, start
    for length in range(min(r.prefix_longest.get(text[start - 1], 0), start), 0, -1):
        word = text[start - length:start]
        code = r.prefix.get(word)
        if code is None:
            continue
        before = text[start - length - 1] if start - length > 0 else ""
        if before and before in r.prefix_not_after.get(word, ()):
            continue
        return code, start - length
    return None, start


def _suffix(text: str, end: int) -> tuple[str | None, int]:
    r = rules()
    if end >= len(text):
        return None, end
    for length in range(min(r.suffix_longest.get(text[end], 0), len(text) - end), 0, -1):
        code = r.suffix.get(text[end:end + length])
        if code is not None:
            return code, end + length
    return None, end


def _change_then_level(text: str, first: _Reading, second: _Reading) -> bool:
    """微跌1.5亿元至1391亿元: a change (a verb of change governs the first number) and the level
    reached, two figures rather than a range; a range's ends are of one size (增长3%至5%)."""
    if second.value <= 3 * first.value:
        return False
    r = rules()
    cs, _ = clause_bounds(text, first.num.start)
    last = None
    for vm in r.verb_re.finditer(text, cs, first.num.start):
        last = vm
    return (last is not None and last.lastgroup in ("up", "down")
            and r.strict_gap_re.fullmatch(text, last.end(), _prefix(text, first.num.start)[1]) is not None)


def _range_end(text: str, first: _Reading) -> tuple[_Reading, int] | None | bool:
    """A second number after a range separator: (reading, end), False if the range is time."""
    pos = first.end
    for sep in rules().range_separators:
        if text.startswith(sep, pos):
            break
    else:
        return None
    m2 = grammar().find_re.match(text, pos + len(sep))
    if m2 is None or not m2.group("run"):
        return None
    span = m2.span("run")
    # read the second number without its sign: in 10%-15% the hyphen is the separator
    m2 = grammar().find_re.match(text, span[0])
    if m2 is None:
        return None
    second = _read(text, m2)
    if second is None:
        num2 = number_from_match(m2)
        if num2 is not None and any(u.kind == "time" for u in units_at(text, num2.end)[:1]):
            return False  # 1-8月, 1949~1978年
        return None
    return second, second.end


_URL_RE = regex.compile(r"(?:https?://|ftp://|www\.)[\x21-\x7e]+")
def _lone_magnitude_after_approx(text: str, m: regex.Match) -> Number | None:
    """逾百家, 近千人, 超万人: a lone magnitude is a number right after an approximation word."""
    run = m.group("run")
    g = grammar()
    if not run or len(run) != 1 or run not in g.small and run not in g.big or m.group("sign"):
        return None
    if _prefix(text, m.start())[0] is None:
        # 亿元以上工业企业: a lone magnitude with a unit and an approximation word after it
        units = [u for u in units_at(text, m.end()) if u.kind != "time"]
        if not units or run not in g.big or _suffix(text, m.end() + len(units[0].surface))[0] is None:
            return None
    value = D(g.small.get(run) or g.big[run])
    return Number(m.start(), m.end(), run, value, magnitude=True)


def _quantity_at(text: str, m: regex.Match) -> Quantity | None:
    num = number_from_match(m) or _lone_magnitude_after_approx(text, m)
    if num is None or _rejected_context(text, num):
        return None
    first = _read(text, m, num)
    low_num_only = first is None
    if first is None:
        # a bare number may still open a range whose second half carries the unit (3至5亿元)
        try_first = _Reading(num, None, "", "", abs(num.value), num.end, None)
        rng = _range_end(text, try_first)
        if not rng:
            return None
        second, end = rng
        low = abs(num.value) * (second.unit.factor if second.unit else 1)
        if not num.magnitude and second.num.magnitude:
            low *= _magnitude_suffix(second.num.text)
        first = replace(second, num=num, value=low, end=end)
        high = second.value
    else:
        rng = _range_end(text, first) if first.num.high is None else None
        # 跌1.9%至5月14日来最低: what follows 至 is a time, the percent stands alone
        high = first.num.high * first.unit.factor if first.num.high is not None and first.unit else None
        end = first.end
        if rng:
            second, end2 = rng
            if second.code == first.code and not _change_then_level(text, first, second):
                high, end = second.value, end2
    if high is not None and high < first.value:
        high = None if low_num_only else high
    prefix_code, start = _prefix(text, num.start)
    suffix_code, end = _suffix(text, end)
    approx = first.approx or prefix_code or suffix_code
    return Quantity(
        start=start, end=end, text=text[start:end], value=first.value, unit=first.code,
        unit_text=first.unit_text, kind=first.unit.kind if first.unit else "percent",
        value_high=high, approx=approx, num_start=num.start, num_end=num.end,
        negative=num.value < 0,
        regional=first.unit is not None and first.unit.surface in lexicon().regional_money,
    )


def _multiples_fan(text: str) -> list[Quantity]:
    """翻一番 = 2x, 翻两番 = 4x, 翻倍/翻番 = 2x: doubling idioms as multiples (always a change up)."""
    out = []
    r = rules()
    for m in r.fan_re.finditer(text):
        if any(i.start() < m.end() and i.end() > m.start()
               for i in r.idiom_re.finditer(text, max(0, m.start() - 4), m.end())):
            continue  # 多次翻番: doubled several times, no figure
        n = m.group("n")
        times = 1
        if n:
            times = int(n) if n.isdigit() else int(parse_run(n)[0])
        out.append(Quantity(m.start(), m.end(), m.group(0), D(2) ** times, "x", m.group(0),
                            "multiple", change="up", num_start=m.start(), num_end=m.end()))
    return out


# --- change and basis ------------------------------------------------------------------------

# between a change and the level it reached (上升14.8%至2964万人次)
_LEVEL_REACHED = regex.compile(r"\s*(?:至|到|达到|达)\s*")
# a list of bare numbers ending right before a quantity (增长3.3、1.4、1.1倍)
_LISTED_NUMBERS = regex.compile(r"(?:\d+(?:\.\d+)?、)+\Z")


@cache
def enumeration_gap() -> regex.Pattern:
    """What may stand between two items of an enumeration: an enumerator of rules/ranges.yaml
    (、, 和, 以及 ...) or nothing, with spaces. The one definition for quantities and linking."""
    words = load_yaml("ranges.yaml")["enumerators"]
    return regex.compile(rf"\s*(?:{_alternation(words)})?\s*")


@cache
def _counted_enumeration_gap() -> regex.Pattern:
    """新增147个教学班、6960个学位: the counted noun may stand between enumerated counts."""
    words = load_yaml("ranges.yaml")["enumerators"]
    return regex.compile(rf"(?:(?![的是为])\p{{Han}}){{1,6}}(?:{_alternation(words)})")


def _assign_changes(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """Fill ``change`` and ``basis`` from the verbs and basis words governing each quantity.

    A verb governs the first quantity after it in the same clause when only gap words stand
    between them (增长了, 增速高达, 分别增长); quantities enumerated after it (18.4%、14%和9.2%)
    share its change and basis. A basis word (同比, 年均, 累计) anywhere earlier in the clause
    applies. A written sign is a change too: 同比-4% is 4 % down.
    """
    r = rules()
    out: list[Quantity] = []
    prev: Quantity | None = None
    for q in quantities:
        if q.kind == "multiple" and q.change == "up" and q.unit_text.startswith("翻"):
            out.append(q)
            prev = q
            continue
        cs, _ = clause_bounds(text, q.start, hi=q.start)
        change = basis = None
        if prev is not None and prev.end >= cs and (
                enumeration_gap().fullmatch(text, prev.end, q.start)
                or prev.kind == "count" and _counted_enumeration_gap().fullmatch(text, prev.end, q.start)):
            change, basis = prev.change, prev.basis
        else:
            last = None
            for vm in r.verb_re.finditer(text, cs, q.start):
                last = vm
            if last is not None and last.lastgroup == "direct":
                if r.strict_gap_re.fullmatch(text, last.end(), q.start):
                    change = "up"
            elif last is not None and last.lastgroup != "skip":
                # 分别增加了187、28、20倍: bare numbers listed before this one are no gap
                listed = _LISTED_NUMBERS.search(text, last.end(), q.start)
                gap_end = listed.start() if listed else q.start
                if (gap_end - last.end() <= r.gap_max and not text.startswith(r.compounds, last.end())
                        and r.gap_re.fullmatch(text, last.end(), gap_end)):
                    change = last.lastgroup
            if change is None and last is None and q.kind != "count":
                # (约1300只下跌: the count of those that fell, not a change of it)
                after = r.after_re.match(text, q.end)
                if after is not None and after.lastgroup != "skip":
                    change = after.lastgroup  # 实现了5%的增长
            for bm in r.basis_re.finditer(text, cs, q.start):
                word = bm.group(0)
                if bm.start() > 0 and text[bm.start() - 1] in r.basis_not_after.get(word, ()):
                    continue  # 全年增长: a time word, then a verb
                basis = r.basis_of[word]
        if change is None:
            change = _adjacent_change(text, q.start, r)
        if prev is not None and prev.change is not None and _LEVEL_REACHED.fullmatch(text, prev.end, q.start):
            basis = None  # 按年上升14.8%至2,964万人次: the level reached, no change, no basis
        if q.negative:
            change = "down"
        elif change is None and q.start > 0 and text[q.num_start] == "+":
            change = "up"
        if (change and change != q.change) or basis:
            q = replace(q, change=change or q.change, basis=basis)
        out.append(q)
        prev = q
    return out


def _adjacent_change(text: str, start: int, r: _Rules) -> str | None:
    """毛利多37.4%, 收入少3.1%, 纯利…，多1.3倍: 多/少 right before the number after a word or a clause
    break, not 至少 or 100多."""
    for word, change in r.adjacent_change.items():
        before = start - len(word)
        if before > 0 and text.startswith(word, before) and text[before - 1] not in r.adjacent_not_after \
                and regex.match(r"[\p{Han}，,；;]", text[before - 1]):
            return change
    return None


@cache
def quantity_scanner() -> regex.Pattern:
    """Numbers that may start a quantity: followed by a unit's first character, an odd marker,
    a range separator, 分之/又 (fractions) or the spaces of web typesetting."""
    lex = lexicon()
    follow = {u.surface[0] for u in lex.units.values() if u.kind != "time"} | {lex.index_unit.surface[0]}
    follow |= set(grammar().odd) | {sep[0] for sep in rules().range_separators}
    follow |= {"分", grammar().and_frac} | set(_SPACES)
    return compile_scanner("".join(follow))


def _merge(found: list[Quantity], extra: list[Quantity]) -> list[Quantity]:
    """``found`` plus those of ``extra`` that overlap none of it, in text order."""
    if not extra:
        return found
    starts = [q.start for q in found]

    def overlaps(f: Quantity) -> bool:
        i = bisect_right(starts, f.start) - 1
        return (i >= 0 and found[i].end > f.start) or (i + 1 < len(found) and found[i + 1].start < f.end)

    return sorted(found + [f for f in extra if not overlaps(f)], key=lambda q: q.start)


@cache
def _symbol_re() -> regex.Pattern:
    lex = lexicon()
    return regex.compile(f"(?P<sym>{_alternation(lex.symbols)})[ \\t\\xa0]?(?=[\\d.])")


def _symbol_quantities(text: str) -> list[Quantity]:
    """$20, ￥300, HK$1.5亿: a currency sign written before a number that has no unit of its own."""
    lex = lexicon()
    if not any(sym[-1] in text for sym in lex.symbols):
        return []
    out = []
    for m in _symbol_re().finditer(text):
        nm = grammar().find_re.match(text, m.end())
        num = number_from_match(nm) if nm is not None and not nm.group("sign") else None
        if num is None or num.fraction or _read(text, nm, num) is not None:
            continue
        sym = m.group("sym")
        out.append(Quantity(m.start(), num.end, text[m.start():num.end], abs(num.value), lex.symbols[sym], sym,
                            "money", num_start=num.start, num_end=num.end,
                            regional=sym in lex.regional_symbols))
    return out


@dataclass(frozen=True)
class _MoneyContext:
    currency_re: regex.Pattern
    currency_of: dict[str, str]
    amount_re: regex.Pattern


@cache
def _money_context() -> _MoneyContext:
    """Currency names (人民币, 港元, 美元: money surfaces that name their currency) and the nouns
    of amounts of money (净利润, 亏损) from units.yaml."""
    lex = lexicon()
    named = {s: u.code for s, u in lex.units.items()
             if u.kind == "money" and s not in lex.regional_money and len(s) > 1 and not s.isascii()}
    nouns = load_yaml("units.yaml")["amount_nouns"]
    g = grammar()
    big = "".join(sorted(g.big))
    amount = rf"(?P<noun>{_alternation(nouns)})(?P<gap>(?:{rules().strict_gap_re.pattern}))(?P<num>{g.run_src})"
    return _MoneyContext(regex.compile(_alternation(named)), named,
                         regex.compile(amount + rf"(?<=[{big}])"))


def _named_currency(text: str, start: int, end: int) -> str | None:
    """The one currency a stretch of text names (人民币, 港元...), None if none or several."""
    codes = {_money_context().currency_of[m.group(0)]
             for m in _money_context().currency_re.finditer(text, start, end)}
    return codes.pop() if len(codes) == 1 else None


def _regional_currency(text: str, found: list[Quantity], traditional: bool) -> list[Quantity]:
    """元 right after a currency name is that currency (人民币300亿元, 港币3000元); else 元 (蚊, 毫, 仙,
    $) is the currency of its paragraph's region (text.region), else what the lexicon says (CNY)."""
    if not any(q.regional for q in found):
        return found
    paragraphs = None
    out = []
    ctx = _money_context()
    for q in found:
        if not q.regional:
            out.append(q)
            continue
        code = None
        before = ctx.currency_re.search(text, max(0, q.start - 6), q.start)
        while before is not None and before.end() != q.start:
            before = ctx.currency_re.search(text, before.start() + 1, q.start)
        if before is not None:
            code = ctx.currency_of[before.group(0)]
        else:
            if paragraphs is None:
                paragraphs = paragraph_regions(text, traditional)
                para_starts = [p[0] for p in paragraphs]
            para = paragraphs[max(bisect_right(para_starts, q.start) - 1, 0)]
            code = currency_of(para[2])
        base, slash, rest = q.unit.partition("/")
        if code and code != base:
            q = replace(q, unit=code + slash + rest)
        out.append(q)
    return out


def _bare_amounts(text: str, found: list[Quantity]) -> list[Quantity]:
    """亏损3.12亿, 净利润300亿左右: money written without 元 after a noun of an amount of money, where the
    sentence makes the currency plain: it names one currency (人民币), or its money is all of one."""
    ctx = _money_context()
    out = []
    sentence_ends: list[int] | None = None
    found_starts = [q.start for q in found]
    currency_of_sentence: dict[tuple[int, int], str | None] = {}  # each sentence read once
    for m in ctx.amount_re.finditer(text):
        num_start = m.start("num")
        nm = grammar().find_re.match(text, num_start)
        num = number_from_match(nm) if nm is not None else None
        if num is None or num.end != m.end() or num.fraction or units_at(text, num.end) or _rejected_context(text, num):
            continue
        if sentence_ends is None:
            sentence_ends = [e.start() for e in regex.finditer(r"[。！？!?\n]", text)]
        i = bisect_left(sentence_ends, num_start)
        s0 = sentence_ends[i - 1] + 1 if i > 0 else 0
        s1 = sentence_ends[i] if i < len(sentence_ends) else len(text)
        if (s0, s1) not in currency_of_sentence:
            code = _named_currency(text, s0, s1)
            if code is None:
                lo, hi = bisect_left(found_starts, s0), bisect_left(found_starts, s1)
                codes = {q.unit.partition("/")[0] for q in found[lo:hi] if q.kind == "money"}
                code = codes.pop() if len(codes) == 1 else None
            currency_of_sentence[(s0, s1)] = code
        code = currency_of_sentence[(s0, s1)]
        if code is None:
            continue
        approx = num.vague and rules().odd_approx or None
        prefix_code, start = _prefix(text, num_start)
        suffix_code, end = _suffix(text, num.end)
        out.append(Quantity(start, end, text[start:end], abs(num.value), code, "", "money",
                            approx=approx or prefix_code or suffix_code, num_start=num_start, num_end=num.end))
    return out


def _per_unit(text: str, found: list[Quantity]) -> list[Quantity]:
    """每斤16.8元 is 16.8 CNY/斤, 每股收益0.5元 0.5 CNY/股: 每 + a unit of measure or a classifier,
    then nothing or a listed noun of price (收益, 售价), then the amount of money."""
    if "每" not in text:
        return found
    lex = lexicon()
    out = []
    prev_end = 0
    for q in found:
        if q.kind == "money" and "/" not in q.unit:
            cs, _ = clause_bounds(text, q.start)
            i = text.rfind("每", max(cs, prev_end), q.start)
            den = denominator_at(text, i + 1) if i >= 0 else None
            if den is not None and den[0] not in lex.rate_time.values():
                den_code, den_factor, den_end = den
                gap = text[den_end:q.start]
                if not gap or gap in lex.per_unit_nouns:
                    q = replace(q, unit=f"{q.unit}/{den_code}", value=q.value / den_factor)
        out.append(q)
        prev_end = q.end
    return out


_FLOAT_MAX = D(sys.float_info.max)


def _fits_float(q: Quantity) -> bool:
    """Whether the value (and high end) fit a float64: the tables never hold ``inf``."""
    return q.value <= _FLOAT_MAX and (q.value_high is None or q.value_high <= _FLOAT_MAX)


def find_quantities(text: str, traditional: bool = False) -> list[Quantity]:
    """Every quantity in ``text``, left to right, non-overlapping, offsets into ``text``.

    ``traditional`` tells that the text is a Traditional-script original read as Simplified (the
    view's flag): the region of a bare 元 is then read more readily (text.region).

    Numbers are read from a copy with over-long numeral stretches masked (see
    ``numbers.numerals.MAX_RUN``), so the scan is linear; a value beyond float64 (1e400元,
    亿亿亿…) is no quantity.
    """
    found: list[Quantity] = []
    taken_until = 0
    urls = [u.span() for u in _URL_RE.finditer(text)] if ("http" in text or "www." in text) else []
    url_starts = [a for a, _ in urls]
    scanned = mask_long_runs(text)
    for m in quantity_scanner().finditer(scanned):
        if m.start() < taken_until:
            continue
        if urls:
            i = bisect_right(url_starts, m.start()) - 1
            if i >= 0 and m.start() < urls[i][1]:
                continue
        q = _quantity_at(scanned, m)
        if q is not None and q.start >= taken_until and _fits_float(q):
            found.append(q)
            taken_until = q.end
    found = _merge(found, _symbol_quantities(scanned))
    found = _merge(found, _multiples_fan(text))
    found = _regional_currency(text, found, traditional)
    found = _merge(found, _bare_amounts(scanned, found))
    found = [q for q in _per_unit(text, found) if _fits_float(q)]
    return _assign_changes(text, _shared_units(text, found))


def _shared_units(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """分别扩大0.7个和0.8个百分点: in an enumeration the last item's unit is the whole list's when an
    earlier item carries only its beginning (个 of 个百分点), so 0.7个 is 0.7 percentage points."""
    units = lexicon().units
    out = list(quantities)
    surface = [q.unit_text for q in out]  # the unit each item is read in, once shared
    for i in range(len(out) - 2, -1, -1):
        first, later = out[i], surface[i + 1]
        if (first.kind == "count" and len(later) > len(first.unit_text) > 0
                and later.startswith(first.unit_text) and first.unit_text in units
                and later in units and first.value_high is None and first.end < out[i + 1].start
                and enumeration_gap().fullmatch(text, first.end, out[i + 1].start)):
            shared = units[later]
            value = first.value / units[first.unit_text].factor * shared.factor
            out[i] = replace(first, value=value, unit=shared.code, kind=shared.kind)
            surface[i] = later
    return out
