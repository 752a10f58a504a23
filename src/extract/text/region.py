"""Where a text is from: Hong Kong, Macau or Taiwan, read from the words it uses, or None.

News from Hong Kong, Macau and Taiwan writes money as a bare 元 (and 蚊, 毫, 仙) meaning the local
dollar: 1,016億元 in a Hong Kong budget is HKD, 50億元 in a Macau tourism report MOP, 新台幣 often
dropped to 元 in a Taiwan release. So the quantities layer asks which region governs each
paragraph, and the linking layer may ask for the article's region as context.

The words are data (`rules/regions.yaml`, Simplified: the view reads Traditional as Simplified):
place names, institutions and currency names that only that region's news uses (香港, 港府, 全港;
澳门, 氹仔; 台湾, 行政院, 主计总处, 新台币). A wrong region is worse than none, because mainland news
names Hong Kong and Taiwan too (香港投资者在吉林投资5亿元 is yuan), so:

- the article's region is the one named at least ``min_votes`` times and more than twice as often
  as any other, the mainland's words (全省, 我市, 国务院, 人民币) counting as one more; a Simplified-script article must also name it in its first line (headline or
  dateline), a Traditional-script one need not;
- a paragraph's region is the one it alone names (a Macau paragraph inside a Hong Kong article),
  else the article's; only in an article that has a region, or is in Traditional script: a
  mainland article's paragraph about Macau investment keeps its yuan.

Everything gives up to None where nothing says; the caller then keeps its default (CNY).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

import regex

from extract.resources import alternation, load_yaml

_MAINLAND = "CN"


@dataclass(frozen=True)
class _Regions:
    word_re: regex.Pattern
    region_of_word: dict[str, str]
    currency: dict[str, str]
    min_votes: int


@cache
def _regions() -> _Regions:
    data = load_yaml("regions.yaml")
    region_of_word: dict[str, str] = {}
    currency: dict[str, str] = {}
    for word in data["mainland"]:
        region_of_word[word] = _MAINLAND
    for code, spec in data["regions"].items():
        currency[code] = spec["currency"]
        for word in spec["words"]:
            if region_of_word.setdefault(word, code) != code:
                raise ValueError(f"rules/regions.yaml: {word} is listed for two regions")
    return _Regions(regex.compile(alternation(region_of_word)), region_of_word, currency,
                    int(data["min_votes"]))


def _votes(text: str, start: int = 0, end: int | None = None) -> Counter:
    r = _regions()
    end = len(text) if end is None else end
    return Counter(r.region_of_word[m.group(0)] for m in r.word_re.finditer(text, start, end))


def article_region(text: str, traditional: bool = False) -> str | None:
    """``HK``, ``MO``, ``TW`` or None: the region the whole article is from (see the module doc).

    ``text`` is the view's text (Simplified); ``traditional`` whether the original was Traditional.
    """
    votes = _votes(text)
    if not votes:
        return None
    (top, n), *rest = votes.most_common(2) + [(None, 0)]
    second = rest[0][1]
    if top == _MAINLAND or n < _regions().min_votes or n <= 2 * second:
        return None
    if not traditional:
        first_line_end = text.find("\n", len(text) - len(text.lstrip()))
        if top not in _votes(text, 0, first_line_end if first_line_end >= 0 else len(text)):
            return None
    return top


def paragraph_regions(text: str, traditional: bool = False) -> list[tuple[int, int, str | None]]:
    """Each paragraph (line of the view) as ``(start, end, region)``, region as described above."""
    article = article_region(text, traditional)
    own_allowed = traditional or article is not None
    out = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        region = article
        if own_allowed and line:
            named = _votes(text, start, end)
            named.pop(_MAINLAND, None)
            if len(named) == 1:
                region = next(iter(named))
        out.append((start, end, region))
        start = end + 1
    return out


def currency_of(region: str | None) -> str | None:
    """The ISO 4217 code of a bare 元 in ``region`` (HKD, MOP, TWD), None where no region."""
    return _regions().currency.get(region) if region else None
