"""Repairs to the entity candidates for local news, where the MSRA-trained model goes wrong.

The character model learnt national news (MSRA, CLUENER, Weibo). On local government and economic
news it makes a few kinds of error again and again, and each is repaired here by a rule whose data
lives in rules/ (place_patterns.yaml, places_extra.yaml, org_patterns.yaml, person_patterns.yaml):

1. one-character places inside compounds and brand names (中欧班列 -> 中/欧, 吉浙合作, 港澳台):
   a one-character place is kept only where it stands for its country or province on its own
   (对俄, 在吉投资, 俄、日、韩, 中俄, 俄方, 俄宪法, 中非合作), or, for a country, where jieba too leaves
   it on its own (巴|以|和谈, 墨|警方); one-character persons are kept only before
   a title (江主席, 李大妈), one-character organizations never, and the common noun left over from a
   dropped compound goes too (中欧|班列);
2. a country or division name the model labels ORG or PER (俄罗斯, 韩国) is a LOC;
3. zone and facility names the model cuts short (珲春公路口岸 -> 珲春公路, 长春经开区 -> 长春): a
   place + zone word is one LOC (:func:`zone_spans`); a division + institution chain is one ORG
   (:func:`institution_spans`: 九台区发展和改革局); the combiner lets these longer rule spans win
   over the model spans inside them. A county's short form the gazetteer leaves out (梨树) is a
   place in an article that names the county in full (:func:`short_form_spans`);
4. common words read as persons (提振, 楼宇): a two- or three-character person must start with a
   surname, be made of transliteration characters or be followed by 同志/说/表示...; a bare zone
   word or kind of area (综保区, 大综保区, 南区, 山区) is no place, a bare institution word (海关,
   公司) no organization, a span made of numerals (二〇, 一一○) no name; a place ends before
   a position word (伊通河畔 -> 伊通河). (Dropping every span that jieba knows as a common word was
   measured and left out: it drops far more real names, 两岸, 东盟, 民革, than errors.)
5. transliterated foreign places read as persons (鲁比诺港 PER): a person span ending in 港/市/州/省
   or right after a country's name is a place, extended left over transliteration characters
   (扎鲁比诺港).

Everything works on a handful of candidate spans or on the few hits of a suffix regex, never a
Python loop over every character of the text, so the entity step stays about as fast as jieba.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

import regex

from extract.entities.rules import (
    FULL_DIVISION_END,
    company_names,
    division_rows,
    org_names,
    place_names,
    trie_pattern,
)
from extract.entities.spans import Candidate
from extract.resources import load_yaml, longest_by_char, read_tsv
from extract.text import segment

_NAME_CLASSES = frozenset(segment.CLASS_ID[c] for c in ("nr", "nrt", "nrfg", "ns", "nt", "nz"))
_NS = segment.CLASS_ID["ns"]


@dataclass(frozen=True)
class Words:
    """What the repairs need of jieba: a segmenter, its dictionary's words, their classes and tags."""

    cut: Callable[[str], list[str]]
    lexicon: Container[str] = field(repr=False)  # jieba's dictionary words and the user words
    tags: Mapping[str, int] = field(repr=False)  # word -> class id (segment.CLASS_ID)
    closed: Container[str] = field(repr=False)  # adjectives, adverbs, numerals, function words
    verbs: Container[str] = field(repr=False)
    function_words: Container[str] = field(repr=False, default=frozenset())  # adverbs, particles ...

    def known(self, word: str) -> bool:
        return word in self.lexicon


@dataclass(frozen=True)
class _Rules:
    places: frozenset[str]  # gazetteer names, full and short (relabelling, heads of names)
    vetoed: frozenset[str]  # names that are also common words (places_extra.yaml not_alone)
    regions: frozenset[str]  # world and economic regions (东北亚, 长三角)
    country_names: frozenset[str]
    county_short: Mapping[str, str]  # 梨树县 -> 梨树: short forms too ambiguous for the gazetteer
    country_ends: frozenset[str]  # last characters of country names (a cheap first test)
    country_lengths: tuple[int, ...]
    full_divisions: frozenset[str]  # names with a level suffix (长春市, 九台区): never in a middle
    max_place: int
    # last character -> the longest place ending with it: the lengths worth probing for a place
    # that ends at a position (none for most characters)
    place_longest_ending: Mapping[str, int]
    zone_suffix: regex.Pattern
    zone_words: frozenset[str]
    area_kinds: frozenset[str]  # zone words and kinds of area (综保区, 南区, 山区): no names
    generic_prefixes: frozenset[str]
    modifiers: frozenset[str]
    closed_tags: frozenset[str]
    verb_tags: frozenset[str]
    function_tags: frozenset[str]
    max_middle: int
    inst_suffix: regex.Pattern
    inst_max_middle: int
    inst_bare: frozenset[str]
    org_not_alone: frozenset[str]  # 海关, 公司: an institution word naming no one
    stop: frozenset[str]
    abbrevs: frozenset[str]  # one-character countries and provinces
    run_chars: frozenset[str]  # those that make runs (中俄, 吉浙, 中欧): all but 华
    countries: frozenset[str]  # one-character countries (pairs: 中俄, 俄日韩)
    compound_chars: frozenset[str]  # one-character provinces and continents (吉浙, 港澳台, 中欧)
    standalone_after: frozenset[str]
    fang_follow: regex.Pattern
    surnames: frozenset[str]
    double_surnames: tuple[str, ...]
    surname_rank: Mapping[str, int]  # the commonest single surnames -> 0 for the most frequent (name lists)
    translit: frozenset[str]
    person_after: regex.Pattern
    byline_after: tuple[str, ...]  # 摄, 报道: what follows a name in a byline or a photo credit
    level_words: frozenset[str]
    place_final: frozenset[str]
    trailing_position: tuple[str, ...]  # longest first
    numerals: frozenset[str]
    single_follow: regex.Pattern  # after a lone one-character country (俄|宪法)
    pair_follow: regex.Pattern  # after a pair holding a country (中非|合作, 南俄|两国)
    title_after: regex.Pattern  # after a one-character person (江|主席)
    latin_function_words: frozenset[str]  # and, of, the: never a name alone
    job_title: regex.Pattern  # between an organization and a person (特斯拉|CEO|马斯克)
    job_titles: frozenset[str]
    title_head_not_first: frozenset[str]  # 该|公司CEO: the organization is named elsewhere
    job_title_lengths: tuple[int, ...]  # longest first
    town_not_in: frozenset[str]  # 全乡, 该镇: the town spoken of
    town_stops: str  # 到|黄洞乡: a town's name starts after these
    town_count_end: frozenset[str]  # 八镇, 三乡: a count of towns
    not_place_ends: tuple[str, ...]  # 二手房市场: a market, not a place
    people_suffixes: frozenset[str]  # 阿昌|族, 印第安|人: the place names a people
    org_lead: tuple[str, ...]  # 旗下|子公司: before a name, not in it (longest first)
    org_count: regex.Pattern  # 一家: a count of organizations, no name
    trade_suffix: regex.Pattern  # a company's trade word (制药, 证券, 电缆)
    sector_trade_words: frozenset[str]  # 电力, 材料: after a name found or listed only
    trade_not_before: frozenset[str]  # 制药|产业: the sector, not a company
    trade_not_names: frozenset[str]  # 国内|制药, 该|公司
    org_heads_not: tuple[str, ...]  # 香港政府|证券: a body's name + a trade word is no company
    trade_bad_heads: frozenset[str]  # divisions and countries: 吉林|汽车 is the province's industry
    org_names: frozenset[str]  # the listed organizations (rules.org_names): names, whatever jieba says
    org_final_chars: frozenset[str]  # 会, 院, 局: the last character of a body's name
    index_after: regex.Pattern  # 225指数, 指数: what follows the name of a market index
    legal_forms: tuple[str, ...]  # 股份有限公司, 有限公司 (longest first)
    org_words: tuple[str, ...]  # every organization word of org_patterns.yaml


def _county_short_forms(places: frozenset[str], vetoed: frozenset[str]) -> dict[str, str]:
    """County-level names whose short form the gazetteer leaves out as too ambiguous (梨树县 -> 梨树,
    图们市 -> 图们): within an article that names the county in full they are safe."""
    out = {}
    for division in division_rows():
        name = division.name
        if division.level == "county" and not division.short and name[-1] in "县市区旗" and \
                not name.endswith("自治县"):
            base = name[:-1]
            if len(base) >= 2 and base not in places and base not in vetoed:  # not 和平 (和平区)
                out[name] = base
    return out


@cache
def _rules() -> _Rules:
    zones = load_yaml("place_patterns.yaml")
    extra = load_yaml("places_extra.yaml")
    orgs = load_yaml("org_patterns.yaml")
    people = load_yaml("person_patterns.yaml")
    names = place_names()
    places = frozenset(names.all)
    suffixes = [str(s) for s in zones["suffixes"]]
    countries = frozenset(row[1] for row in read_tsv("countries.tsv")[1:] if len(row) > 1) \
        | frozenset(extra["country_aliases"])
    fang_ex = "|".join(regex.escape(w[1:]) for w in extra["fang_exclude"])
    vetoed = frozenset(extra.get("not_alone", []))
    abbrevs = frozenset(extra["abbreviations"]) | frozenset(extra["province_abbreviations"])
    continents = frozenset(extra["continents"])
    one_char_countries = frozenset(extra["abbreviations"]) - continents
    return _Rules(
        places=places,
        vetoed=vetoed,
        regions=frozenset(extra["regions"]),
        country_names=countries,
        county_short=_county_short_forms(places, vetoed),
        country_ends=frozenset(c[-1] for c in countries),
        country_lengths=tuple(sorted({len(c) for c in countries})),
        full_divisions=frozenset(n for n in names.full if n.endswith(tuple(FULL_DIVISION_END)) and len(n) > 2),
        max_place=max(map(len, places)),
        place_longest_ending=longest_by_char(places, -1),
        zone_suffix=regex.compile(trie_pattern(suffixes)),
        zone_words=frozenset(suffixes),
        area_kinds=frozenset(suffixes) | frozenset(zones["generic_areas"]),
        generic_prefixes=frozenset(zones["generic_prefixes"]),
        modifiers=frozenset(zones["modifiers"]),
        closed_tags=frozenset(zones["closed_tags"]),
        verb_tags=frozenset(zones["verb_tags"]),
        function_tags=frozenset(zones["function_tags"]),
        max_middle=int(zones["max_middle"]),
        inst_suffix=regex.compile(trie_pattern([str(s) for s in orgs["generic_suffixes"]])),
        inst_max_middle=int(orgs["generic_max_middle"]),
        inst_bare=frozenset(orgs["generic_bare"]),
        org_not_alone=frozenset(orgs["not_alone"]),
        stop=frozenset(orgs["middle_stop"]) | frozenset("0123456789"),
        abbrevs=abbrevs,
        run_chars=abbrevs - frozenset(extra["not_in_runs"]) - frozenset(extra["standalone_after"]),
        countries=one_char_countries,
        compound_chars=(frozenset(extra["province_abbreviations"]) | continents) - one_char_countries,
        standalone_after=frozenset(extra["standalone_after"]),
        fang_follow=regex.compile(f"方(?!{fang_ex})"),
        surnames=frozenset(people["all_surnames"]),
        double_surnames=tuple(people["double_surnames"]),
        surname_rank={ch: i for i, ch in enumerate(people["single_surnames"])},
        translit=frozenset(people["transliteration_chars"]),
        person_after=regex.compile(trie_pattern(people["person_after"])),
        byline_after=tuple(people["after"]),
        level_words=frozenset(FULL_DIVISION_END),
        place_final=frozenset(zones["place_final"]),
        trailing_position=tuple(sorted(zones["trailing_position"], key=len, reverse=True)),
        numerals=frozenset(people["numerals"]),
        single_follow=regex.compile(trie_pattern(extra["single_followers"])),
        pair_follow=regex.compile(trie_pattern(extra["pair_followers"])),
        title_after=regex.compile(trie_pattern(people["title_after"])),
        latin_function_words=frozenset(orgs["latin_function_words"]),
        job_title=regex.compile(trie_pattern(people["job_titles"])),
        job_titles=frozenset(people["job_titles"]),
        title_head_not_first=frozenset(people["title_head_not_first"]),
        job_title_lengths=tuple(sorted({len(w) for w in people["job_titles"]}, reverse=True)),
        town_not_in=frozenset(zones["town_not_in"]),
        town_stops=zones["town_stops"],
        town_count_end=frozenset(zones["town_count_end"]),
        not_place_ends=tuple(zones["not_place_ends"]),
        people_suffixes=frozenset(zones["people_suffixes"]),
        org_lead=tuple(sorted(orgs["org_lead_words"], key=len, reverse=True)),
        org_count=regex.compile(trie_pattern(orgs["org_count_words"])),
        trade_suffix=regex.compile(trie_pattern([str(w) for w in orgs["trade_words"]])),
        sector_trade_words=frozenset(orgs["sector_trade_words"]),
        trade_not_before=frozenset(orgs["trade_not_before"]),
        trade_not_names=frozenset(orgs["trade_not_names"]),
        org_heads_not=tuple(orgs["not_alone"]) + tuple(str(x) for x in orgs["suffixes"]),
        trade_bad_heads=frozenset(names.short) | countries | frozenset(d.name for d in division_rows()),
        org_names=org_names(),
        org_final_chars=frozenset(orgs["org_final_chars"]),
        legal_forms=tuple(sorted(orgs["legal_forms"], key=len, reverse=True)),
        index_after=regex.compile(rf"\s*[0-9]*\s*(?:{trie_pattern(orgs['index_words'])})"),
        org_words=tuple({str(w) for key in ("suffixes", "generic_suffixes", "weak_suffixes", "trade_words", "not_alone")
                         for w in orgs[key]}),
    )


def closed_tags() -> frozenset[str]:
    """jieba tags of the words that never stand inside a zone or institution name."""
    return _rules().closed_tags


def function_tags() -> frozenset[str]:
    """jieba tags of function words (adverbs, prepositions, conjunctions, particles: 亦, 在, 的)."""
    return _rules().function_tags


def verb_tags() -> frozenset[str]:
    """jieba tags of verbs (in institution names only after the first word: 疾病预防控制中心)."""
    return _rules().verb_tags


# --- 1. one-character places ------------------------------------------------------------------------

def _run(text: str, s: int, e: int, abbrevs: frozenset[str]) -> tuple[int, int]:
    """The run of one-character place abbreviations around text[s:e] (at most 3 either side)."""
    a = s
    while a > 0 and s - a < 3 and text[a - 1] in abbrevs:
        a -= 1
    b = e
    while b < len(text) and b - e < 3 and text[b] in abbrevs:
        b += 1
    return a, b


def _glued(text: str, i: int, words: Words, abbrevs: frozenset[str]) -> bool:
    """text[i] forms a dictionary word with the character after it (浙商, 中医, 港人) or is doubled
    (蒙蒙)."""
    nxt = text[i + 1:i + 2]
    if nxt == text[i] or (i and text[i - 1] == text[i]):
        return True
    return bool(nxt) and nxt not in abbrevs and words.known(text[i:i + 2])


def standalone(text: str, s: int, e: int, words: Words) -> bool:
    """Does the one-character place text[s:e] (or a run of them, 中俄) stand for its place alone?"""
    r = _rules()
    a, b = _run(text, s, e, r.run_chars) if text[s] in r.run_chars else (s, e)
    if b == e and r.fang_follow.match(text, b):
        return True  # 美方, 俄方, 中方 (jieba's words, so before the test below)
    if b - a == 1 and text[a] in r.countries and r.single_follow.match(text, b):
        return True  # 俄宪法, 巴政府, 日军 (a word of jieba's, so before the test below)
    for p in (s - 1, s):  # a pair holding a country before a relation word: the model's other half
        pair = text[max(p, 0):p + 2]  # is a country or a continent too (南俄两国, 中比友好, 中非合作)
        if p >= 0 and len(pair) == 2 and pair[0] != pair[1] and any(ch in r.countries for ch in pair) \
                and regex.match(r"\p{Han}{2}", pair) and r.pair_follow.match(text, p + 2):
            return True  # not 中欧|班列, 吉浙|合作 (no country in it); also where jieba knows the pair
    if any(_glued(text, i, words, r.abbrevs) for i in range(s, e)):
        return False
    if a > 0 and text[a - 1] in r.standalone_after:  # 对俄, 在吉投资, 以俄日韩为代表
        return True
    if (a > 1 and text[a - 1] == "、" and text[a - 2] in r.abbrevs) or \
            (b + 1 < len(text) and text[b] == "、" and text[b + 1] in r.abbrevs):  # 俄、日、韩
        return True
    return b - a >= 2 and all(ch in r.countries for ch in text[a:b])  # 中俄, 俄日韩 (not 中欧, 吉浙)


# --- 2, 4, 5: the model's spans --------------------------------------------------------------------

def _is_generic_zone(name: str, r: _Rules) -> bool:
    return name in r.area_kinds or (name[0] in r.generic_prefixes and name[1:] in r.area_kinds)


def _person_like(name: str, r: _Rules) -> bool:
    if len(name) > 3 or not name.isalpha() or any(ch.isascii() for ch in name):
        return True  # long names, 约翰·史密斯, Latin letters: left to the model
    return name[0] in r.surnames or name.startswith(r.double_surnames) or all(ch in r.translit for ch in name)


def _name_list(name: str, words: Words, r: _Rules) -> list[tuple[int, int]]:
    """(start, end) of each name if ``name`` is a list of Chinese names written without separators
    (谢非温家宝, 王海王群: lists of officials), else []. A Chinese name is two or three characters
    (three or four with a double surname), so a span of four or more Han characters that reads as
    two or more such names, each starting with a common surname (person_patterns.yaml
    ``single_surnames``), is several persons. Of the readings, the one with the fewest names wins,
    then the one whose names start with the commoner surnames (刘焯华|刘镇, not 刘焯|华刘镇). Names
    of transliteration characters only, names jieba knows as one word (卢卡申科) and double-surname
    names (欧阳修文) stay whole. On the gold persons of train.jsonl, 14 of 1,986 single names of four
    or more characters would be split (高野纪元, 陈方安生), and 175 of 296 adjacent pairs of names
    are split right, none wrong."""
    n = len(name)
    if n < 4 or (name.startswith(r.double_surnames) and n <= 4) or not all("\u4e00" <= ch <= "\u9fff" for ch in name) \
            or all(ch in r.translit for ch in name) or words.known(name):
        return []
    parts = _read_names(name, r)
    return parts if len(parts) >= 2 else []


def _read_names(text: str, r: _Rules) -> list[tuple[int, int]]:
    """The reading of ``text`` as Chinese names one after the other with the fewest names, then the
    commonest surnames at their starts (see :func:`_name_list`); [] if there is none."""
    n = len(text)
    rank = r.surname_rank
    # best[i]: (names, cost, first name's end) of the best reading of text[i:]; None where there is none
    best: list[tuple[int, int, int] | None] = [None] * n + [(0, 0, n)]
    for i in range(n - 1, -1, -1):
        if text.startswith(r.double_surnames, i):
            lengths = (3, 4)
        elif text[i] in rank:
            lengths = (2, 3)
        else:
            continue
        cost = rank.get(text[i], 0) if i else 0
        for k in lengths:
            rest = best[i + k] if i + k <= n else None
            if rest is not None:
                key = (rest[0] + 1, rest[1] + cost, i + k)
                if best[i] is None or key[:2] < best[i][:2]:
                    best[i] = key
    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        step = best[i]
        if step is None:
            return []
        out.append((i, step[2]))
        i = step[2]
    return out


def _foreign_place_start(text: str, s: int, r: _Rules) -> int:
    """Extend a foreign place left over transliteration characters, stopping at a known place."""
    a = s
    while a > 0 and s - a < 3 and text[a - 1] in r.translit:
        if any(text[max(0, a - k):a] in r.places for k in range(2, r.max_place + 1)):
            break  # 俄罗斯|扎鲁比诺港: the country ends here
        a -= 1
    return a


def _after_country(text: str, s: int, r: _Rules) -> bool:
    """A name right after a country's name is a place in it (德国杜伊斯堡, 波兰马拉舍维奇)."""
    if not s or text[s - 1] not in r.country_ends:
        return False
    return any(text[max(0, s - k):s] in r.country_names for k in r.country_lengths)


def _place_sequence(name: str, r: _Rules) -> list[tuple[int, int]]:
    """(start, end) of each place if ``name`` is two or more known places written one after the other
    (德国杜伊斯堡, 吉林省长春市): each is a place of its own, as in MSRA's annotation. Longest first."""
    parts: list[tuple[int, int]] = []
    i = 0
    while i < len(name):
        j = next((j for j in range(min(len(name), i + r.max_place), i + 1, -1) if name[i:j] in r.places), 0)
        if not j:
            return []
        parts.append((i, j))
        i = j
    return parts if len(parts) > 1 else []


_LATIN = regex.compile(r"[A-Za-z][A-Za-z.'-]*")
_LATIN_NAME = regex.compile(r"[A-Z][a-z]+")
_QUOTES = {"“": "”", "「": "」", "‘": "’", "《": "》", '"': '"'}
_PER_VERB_LEN = 2  # 黄权辉|解释: the verb jieba reads after a name


def _title_split(text: str, s: int, e: int, r: _Rules) -> list[Candidate] | None:
    """The organization and the person of a span that holds a job title between them (特斯拉CEO马斯克:
    ORG 特斯拉, PER 马斯克; 董事长雷军: PER 雷军), or None where no title stands before a name."""
    for title in r.job_title.finditer(text, s, e):
        a, b = title.span()
        name = text[b:e]
        if not (2 <= len(name) <= 4 and _person_like(name, r)):
            continue
        out = [Candidate(b, e, "PER")]
        head = text[s:a]
        if len(head) >= 2 and head not in r.org_heads_not and head[0] not in r.title_head_not_first:
            out.insert(0, Candidate(s, a, "LOC" if head in r.places else "ORG"))  # not 该公司, 集团
        return out
    return None


_COMPANY_BEFORE_TITLE = 8  # the longest company name looked for before a job title


def _company_before_title(text: str, s: int, r: _Rules) -> Candidate | None:
    """The company right before a job title right before the person at ``s`` (小米|董事长|雷军): any
    name of rules/org_companies.tsv, the feature-only ones too (小米 alone may be millet; before
    董事长 and a name it is the company), the longest first."""
    t = next((s - n for n in r.job_title_lengths if text[max(0, s - n):s] in r.job_titles), None)
    if t is None:
        return None
    companies = company_names()
    for n in range(min(_COMPANY_BEFORE_TITLE, t), 1, -1):
        if text[t - n:t] in companies:
            return Candidate(t - n, t, "ORG")
    return None


def _latin_cut(text: str, s: int, e: int, words: Words, bounds: frozenset[int]) -> int:
    """Where a span that starts with Latin letters should end when a Chinese verb or function word is
    glued to them (Nikola|跌超): at the end of the letters; else ``e``."""
    m = _LATIN.match(text, s, e)
    if m is None or m.end() >= e or not ("\u4e00" <= text[m.end()] <= "\u9fff"):
        return e
    if m.end() not in bounds:
        return e
    word = _token_around(m.end() + 1, bounds, text)  # the jieba token right after the letters
    verb_like = lambda w: w in words.verbs or w in words.closed  # noqa: E731
    # 跌超 is no dictionary word, but it starts with a verb
    return m.end() if verb_like(word) or (not words.known(word) and verb_like(word[:1])) else e


def _token_around(i: int, bounds: frozenset[int], text: str) -> str:
    """The jieba token that holds offset ``i`` inside it (``bounds``: the token edges)."""
    a = max((b for b in bounds if b < i), default=0)
    b = min((b for b in bounds if b > i), default=len(text))
    return text[a:b]


def _quoted(text: str, s: int, e: int) -> bool:
    """The span is exactly the inside of a pair of quotes (“猪菜共振”): a phrase quoted, not a name."""
    return s > 0 and e < len(text) and _QUOTES.get(text[s - 1]) == text[e]


def _slogan(name: str, words: Words, r: _Rules) -> bool:
    """A quoted phrase of ordinary words (猪菜共振), not a quoted name (“最高法院”, “星报”): two or
    more jieba tokens, none a name, the last no institution word."""
    parts = words.cut(name)
    return len(parts) >= 2 and parts[-1] not in r.org_not_alone and len(parts[-1]) > 1 and \
        not any(words.tags.get(p) in _NAME_CLASSES or p in r.places for p in parts)


def _join_latin_names(spans: list[Candidate], text: str) -> list[Candidate]:
    """Two Latin-script words of one label apart by one space are one name (John Smith): the model
    reads the text in pieces cut at spaces."""
    out: list[Candidate] = []
    for s, e, lab in spans:
        if out and out[-1][2] == lab and out[-1][1] + 1 == s and text[s - 1] == " " and \
                _LATIN_NAME.fullmatch(text[s:e]) and _LATIN_NAME.match(text, out[-1][0]):
            out[-1] = Candidate(out[-1][0], e, lab)
        else:
            out.append(Candidate(s, e, lab))
    return out


def clean_model_spans(text: str, spans: list[Candidate], words: Words,
                      bounds: frozenset[int] = frozenset()) -> list[Candidate]:
    """The model's spans repaired: relabelled, extended, split or dropped (classes 1, 2, 4, 5).

    ``bounds`` are the offsets where jieba's tokens of ``text`` start and end: a one-character
    country the model found that jieba also leaves on its own is kept (巴|以|和谈, 墨|警方, 俄|在);
    provinces and continents are not (吉浙合作, 港澳台, 中欧班列: local news uses them in compounds).
    """
    r = _rules()
    out: list[Candidate] = []
    dropped_end = -1  # end of the last one-character place dropped as part of a compound
    for s, e, lab in sorted(spans):
        e = _latin_cut(text, s, e, words, bounds)  # Nikola|跌超
        name = text[s:e]
        if (parts := _title_split(text, s, e, r)) is not None:
            out.extend(parts)  # 特斯拉|CEO|马斯克
            continue
        if lab == "ORG":
            while (lead := next((w for w in r.org_lead if name.startswith(w) and e - s - len(w) >= 2), "")):
                s += len(lead)  # 旗下|子公司|东方财富证券
                name = text[s:e]
            if (count := r.org_count.search(name)) is not None:
                head = name[:count.start()]  # 广州|一家百货公司
                if head in r.places:
                    out.append(Candidate(s, s + len(head), "LOC"))
                continue
        if lab == "ORG" and _quoted(text, s, e) and _slogan(name, words, r):
            continue  # “猪菜共振”: a slogan in quotes
        if lab == "PER" and e - s >= 3 + _PER_VERB_LEN and e - _PER_VERB_LEN in bounds and \
                text[e - _PER_VERB_LEN:e] in words.verbs and text[s] in r.surnames:
            e -= _PER_VERB_LEN  # 黄权辉|解释
            name = text[s:e]
        if lab == "PER" and (tail := next((w for w in r.byline_after if name.endswith(w)), "")) and \
                len(name) - len(tail) >= 2 and text[s] in r.surnames:
            e -= len(tail)  # 记者温宪|摄: a photo credit
            name = text[s:e]
        if lab == "PER" and (names := _name_list(name, words, r)):
            out.extend(Candidate(s + a, s + b, "PER") for a, b in names)  # 谢非|温家宝
            continue
        if e - s == 1:
            if lab == "LOC" and (standalone(text, s, e, words) or (
                    s in bounds and e in bounds and text[s] not in r.compound_chars
                    and text[s - 1:s] not in r.compound_chars and text[e:e + 1] not in r.compound_chars)):
                out.append(Candidate(s, e, lab))  # not 沪|深|两市: a compound of abbreviations
            elif lab == "LOC":
                dropped_end = e
            elif lab == "PER" and text[s] in r.surnames and r.title_after.match(text, e):
                out.append(Candidate(s, e, lab))  # 江|主席, 李|大妈
            continue
        if lab == "LOC":
            tail = next((w for w in r.trailing_position if name.endswith(w) and len(name) - len(w) >= 2), "")
            e -= len(tail)  # 伊通河|畔
            name = text[s:e]
        if lab == "LOC" and name.endswith(r.not_place_ends) and name not in r.places and \
                not any(p in r.places or words.tags.get(p) in _NAME_CLASSES for p in (name[:k] for k in range(2, len(name) - 1))):
            continue  # 二手房市场
        if lab == "LOC" and bounds and e not in bounds and name[-1] in r.level_words and \
                e - 1 in bounds and name not in r.places and words.known(_token_around(e, bounds, text)):
            continue  # 网购|市场 read as 购市: the level character starts the next word
        if name.lower() in r.latin_function_words:
            continue  # Science and Engineering: a word of a title, no name
        if all(ch in r.numerals for ch in name):
            continue  # 二〇 (a year), 一一○ (a telephone number)
        if lab == "ORG" and name in r.org_not_alone:
            continue  # 在海关监管系统中: a kind of institution, not a name
        if name in r.places:
            out.append(Candidate(s, e, "LOC"))  # 俄罗斯, 韩国 read as ORG
            continue
        if lab == "LOC" and (parts := _place_sequence(name, r)):
            out.extend(Candidate(s + a, s + b, "LOC") for a, b in parts)  # 德国|杜伊斯堡, 吉林省|长春市
            continue
        if lab != "ORG" and _is_generic_zone(name, r):
            continue  # 综保区, 大综保区, 陆港: a kind of place, not a name
        if lab == "PER" and (name[-1] in r.place_final or _after_country(text, s, r)):
            out.append(Candidate(_foreign_place_start(text, s, r), e, "LOC"))  # 鲁比诺港, 波兰|马拉舍维奇
            continue
        if lab == "LOC" and e - s <= 3 and all(ch in r.run_chars for ch in name):
            # 中欧 (班列), 吉浙: a compound of one-character places; each part on its own merit
            kept = [(i, i + 1, "LOC") for i in range(s, e) if standalone(text, i, i + 1, words)]
            out.extend(kept)
            if len(kept) < e - s:
                dropped_end = e
            continue
        if lab == "LOC" and s == dropped_end and words.known(name) and words.tags.get(name) not in _NAME_CLASSES:
            continue  # 中欧|班列: the rest of the compound, a common noun
        if lab == "PER" and not _person_like(name, r) and not r.person_after.match(text, e):
            continue  # 提振, 楼宇 (but 小平同志)
        if lab == "PER" and (company := _company_before_title(text, s, r)) is not None and \
                (not out or out[-1].end <= company.start):
            out.append(company)  # 小米|董事长|雷军
        out.append(Candidate(s, e, lab))
    return _join_latin_names(out, text)


# --- 3. zone, facility and institution names -----------------------------------------------------

@dataclass(frozen=True)
class _Kind:
    """How a zone (LOC) or an institution (ORG) name is put together before its suffix."""

    min_middle: int
    max_middle: int
    allow: frozenset[str]  # middle words allowed whatever their tag (modifiers; 和 in 发展和改革局)
    places_inside: bool  # may the middle hold a place word (长春|兴隆国际|陆港)?
    verbs_inside: bool  # may it hold a verb after its first word (疾病预防控制|中心)?
    loose_heads: bool  # may a region or a word jieba tags ns be the head (东北亚|国际物流园, 兴隆)?
    runs: bool  # may the head be a run of one-character places (中韩|国际合作|示范区)?
    chain_max: int  # longest middle after an organization (支队|汽开|大队)


def _middle_ok(middle: str, words: Words, r: _Rules, kind: _Kind) -> bool:
    """Nouns, names, unknown words and allowed words only: no adjective, adverb, numeral or function
    word (jieba's tags), verbs only where ``kind`` allows, and for an institution no place or level
    word (会同省公安厅)."""
    cut = words.cut(middle)
    for i, w in enumerate(cut):
        if w in kind.allow:
            continue
        if w in words.closed:
            return False
        if w in words.verbs and not (kind.verbs_inside and (i or len(cut) == 1)):
            return False
        if not kind.places_inside and (w in r.level_words or words.tags.get(w) == _NS):
            return False
    return True


def _holds_division(middle: str, r: _Rules) -> bool:
    n = len(middle)
    return any(middle[i:j] in r.full_divisions
               for i in range(n - 2) for j in range(i + 3, min(n, i + r.max_place) + 1))


def _place_start(text: str, p: int, words: Words, r: _Rules, found: Mapping[int, int], runs: bool,
                 loose: bool = True) -> int:
    """Start of the longest place ending at ``p``: a gazetteer name, a place in ``found`` (end ->
    start), a run of one-character places when ``runs``, and when ``loose`` a word jieba tags ns
    (兴隆); -1 if none. Unless ``loose``, world and economic regions do not count
    (东北亚|区域科技创新中心), nor do jieba's ns words, which are noisy (大城市)."""
    best = found.get(p, -1)
    if best >= 0 and not loose and text[best:p] in r.regions:
        best = -1
    # a longer name is a listed place, and so ends with a character some place ends with; up to 4
    # characters jieba's ns words count too when ``loose``
    longest = max(r.place_longest_ending.get(text[p - 1], 0), 4 if loose else 0) if p > 0 else 0
    for k in range(min(r.max_place, p, longest), 1, -1):
        name = text[p - k:p]
        if not loose and name in r.regions:
            continue
        if name in r.places or (loose and k <= 4 and words.tags.get(name) == _NS and name not in r.vetoed):
            best = p - k if best < 0 else min(best, p - k)
            break
    if best < 0 and runs and p >= 2 and text[p - 1] in r.run_chars and text[p - 2] in r.run_chars:
        best = p - 2
        while best > 0 and p - best < 3 and text[best - 1] in r.run_chars:
            best -= 1
    return best


def _cut_short(text: str, h: int, p: int, words: Words, r: _Rules) -> bool:
    """Is text[h:p] the front of a longer place name (东北|亚, 吉林|省)?"""
    for j in (1, 2):
        longer = text[h:p + j]
        if p + j <= len(text) and (longer in r.places or longer in r.regions or words.tags.get(longer) == _NS):
            return True
    return False


def _span_before(text: str, a: int, places: Mapping[int, int], orgs: Mapping[int, int], words: Words,
                 kind: _Kind, min_middle: int) -> int:
    """Start of head + middle ending at ``a``: the farthest head whose middle is fine and holds no
    full division name (长春市|九台区经济|开发区 gives 九台区经济开发区); -1 if none.

    The head is a place (see :func:`_place_start`; ``places`` are the model's) or, after a short
    middle, an organization in ``orgs`` (长春市消防救援支队|汽开|大队).
    """
    r = _rules()
    best = -1
    for mid in range(0, kind.max_middle + 1):
        p = a - mid
        if p < 0 or (mid and not ("\u4e00" <= text[p] <= "\u9fff" and
                                  (text[p] not in r.stop or text[p] in kind.allow))):
            break
        if mid < min_middle:
            continue
        h = _place_start(text, p, words, r, places, kind.runs, kind.loose_heads)
        if h < 0 and p in orgs and mid <= kind.chain_max and "和" not in text[p:a]:
            h = orgs[p]
        if h < 0 or _cut_short(text, h, p, words, r):
            continue
        middle = text[p:a]
        if middle and best >= 0 and _holds_division(middle, r):
            break
        if not middle or _middle_ok(middle, words, r, kind):
            if kind.runs and len(middle) >= 2 and text[h:p] in r.country_names:
                h = p  # 俄罗斯|斯拉夫扬卡港: a country and a place in it, two names
            best = h if best < 0 else min(best, h)
    return best


@cache
def _kinds() -> tuple[_Kind, _Kind]:
    r = _rules()
    zone = _Kind(0, r.max_middle, r.modifiers, True, False, True, True, 0)
    inst = _Kind(2, r.inst_max_middle, frozenset("和"), False, True, False, False, 4)
    return zone, inst


def zone_spans(text: str, found: list[Candidate], words: Words) -> list[Candidate]:
    """Place + zone or facility word as one LOC (珲春公路口岸, 长春经开区, 中韩国际合作示范区).

    ``found`` are the (cleaned) model spans: a place the model found may be the head (圈河口岸).
    """
    r = _rules()
    places = {e: s for s, e, lab in found if lab == "LOC"}
    out: list[Candidate] = []
    for m in r.zone_suffix.finditer(text):
        b = m.end()
        for a in [i for i in range(m.start(), b) if text[i:b] in r.zone_words]:  # 公路口岸, else 口岸
            if b - a == 1 and ((a and words.known(text[a - 1:b])) or
                               (b < len(text) and words.known(text[a:b + 1]))):
                continue  # 香港, 港务: the character belongs to another word
            start = _span_before(text, a, places, {}, words, _kinds()[0], 0)
            if start >= 0:
                out.append(Candidate(start, b, "LOC"))
                break
    return out


def institution_spans(text: str, found: list[Candidate], words: Words) -> list[Candidate]:
    """Division (or organization) + middle + institution word as one ORG (九台区发展和改革局), with
    the places right before it (长春市绿园区|西新镇开元村村委会): nothing nested inside an ORG.

    ``found`` are the spans already found (rules and model): a place the model found may head the
    name, an organization a short chain (长春市消防救援支队 + 汽开 + 大队).
    """
    r = _rules()
    places = {e: s for s, e, lab in found if lab == "LOC"}
    orgs = {e: s for s, e, lab in found if lab == "ORG"}
    out: list[Candidate] = []
    for m in r.inst_suffix.finditer(text):
        a, b = m.span()
        if (b - a == 1 and a and words.known(text[a - 1:b])) or (b < len(text) and words.known(text[a:b + 1])):
            continue  # 格局, 举办, 场所: a word of its own; 厅长, 委员: the suffix starts a word
        min_middle = 0 if m.group() in r.inst_bare else _kinds()[1].min_middle
        start = _span_before(text, a, places, orgs, words, _kinds()[1], min_middle)
        while start > 0:  # the places before: 长春市|绿园区|西新镇开元村村委会
            before = _place_start(text, start, words, r, places, False, False)
            if before < 0:
                break
            start = before
        if start >= 0:
            out.append(Candidate(start, b, "ORG"))
    return out


_TRADE_HEAD_CLASSES = frozenset(segment.CLASS_ID[c] for c in ("nr", "nrt", "nrfg", "nz", "nt", "j"))


def trade_spans(text: str, found: list[Candidate], cut: list[str], words: Words,
                companies: Mapping[str, bool]) -> list[Candidate]:
    """A name + a company's trade word as one ORG (齐鲁制药, 东方财富证券, 美亚电缆, 椰岛公司).

    The name is a span already in ``found`` (the model read 齐鲁 as a place, 惠普森 as a person), a
    company or brand of ``companies`` (rules/org_companies.tsv), or one jieba token of 2-4
    characters that is no dictionary word or is a name; never a division or a country (吉林汽车:
    the province's car industry) unless the whole is a name of ``companies`` (海南航空, 四川航空),
    nor a generic word (国内制药). Both ends lie on jieba token edges and
    the next token is no sector word (制药|产业).
    """
    r = _rules()
    starts = list(accumulate(map(len, cut), initial=0))
    token_at = {a: w for a, w in zip(starts, cut)}
    bounds = frozenset(starts)
    found_by_end: dict[int, list[int]] = {}
    for s, e, _lab in found:
        if 2 <= e - s <= 6:
            found_by_end.setdefault(e, []).append(s)
    out: list[Candidate] = []
    for m in r.trade_suffix.finditer(text):
        a, b = m.span()
        if a not in bounds or b not in bounds or token_at.get(b, "") in r.trade_not_before:
            continue
        heads = list(found_by_end.get(a, []))
        sector = m.group() in r.sector_trade_words
        heads += [a - n for n in range(2, 9)
                  if a - n in bounds and _company_head(text[a - n:a], companies, words, sector)]
        for s in range(a - 4, a - 1) if not sector else ():
            word = token_at.get(s)
            if word is not None and s + len(word) == a and (
                    not words.known(word) or words.tags.get(word) in _TRADE_HEAD_CLASSES):
                heads.append(s)
        heads = [s for s in heads if s >= 0 and (text[s:a] not in r.trade_bad_heads or text[s:b] in companies)
                 and text[s:a] not in r.trade_not_names and not text[s:a].endswith(r.org_heads_not)
                 and not any(ch in r.stop for ch in text[s:a])]
        if heads:
            out.append(Candidate(min(heads), b, "ORG"))
    return out


def _company_head(name: str, companies: Mapping[str, bool], words: Words, sector: bool) -> bool:
    """May this name of ``companies`` head a trade name? Before a word only companies use (集团,
    公司: 椰树集团) any name of the list; before a sector's word a rule name, or a name kept only as
    a feature (the noisy short-form list) where it is no ordinary word: 齐鲁, 丰田 (names to jieba),
    not 前沿, 枫叶 (前沿科技, 枫叶基金: the sector's words, whatever the list says)."""
    flag = companies.get(name)
    if flag is None:
        return False
    return flag or not sector or not words.known(name) or words.tags.get(name) in _NAME_CLASSES


def relabel_zones(spans: list[Candidate], zones: list[Candidate]) -> list[Candidate]:
    """A model span that is exactly a zone or facility name is a LOC (珲春国际物流园 read as ORG)."""
    exact = {(s, e) for s, e, _lab in zones}
    return [Candidate(s, e, "LOC") if (s, e) in exact else Candidate(s, e, lab) for s, e, lab in spans]


def start_at_places(spans: list[Candidate], places: list[Candidate]) -> list[Candidate]:
    """A model span that starts inside a gazetteer name and runs past its end starts where the name
    does (月潭国家森林公园 -> 净月潭国家森林公园): the model cut a name it did not know."""
    if not places:
        return spans
    places = sorted(places)
    starts = [p[0] for p in places]
    out = []
    for s, e, lab in spans:
        i = bisect_right(starts, s) - 1
        if i >= 0 and places[i][0] < s < places[i][1] < e:
            s = places[i][0]
        out.append(Candidate(s, e, lab))
    return out


def short_form_spans(text: str, found: list[Candidate]) -> list[Candidate]:
    """Short forms of the counties the text names in full (梨树县 ... 梨树), as places.

    One sense per article: the gazetteer leaves 梨树, 图们, 九台 out (each is also a common word or
    a number to jieba), but an article that names 梨树县 means the county by 梨树 too. ``found`` are
    the spans found so far; a county named at the start of an organization counts (梨树县融媒体中心).
    """
    r = _rules()
    bases = set()
    for s, e, lab in found:
        for k in range(min(e - s, 6), 2, -1):
            full = r.county_short.get(text[s:s + k])
            if full and (lab != "LOC" or k == e - s):
                bases.add(full)
                break
    out: list[Candidate] = []
    for base in sorted(bases):
        start = text.find(base)
        while start >= 0:
            end = start + len(base)
            if end == len(text) or text[end] not in "县市区旗":
                out.append(Candidate(start, end, "LOC"))
            start = text.find(base, end)
    return out


# --- 6. towns -------------------------------------------------------------------------------------

_TOWN_CHAR = regex.compile("[乡镇]")
_M = segment.CLASS_ID["m"]


def town_spans(text: str, words_cut: list[str], words: Words) -> list[Candidate]:
    """Towns (乡, 镇) by name, which the division list does not reach and jieba leaves in pieces or
    does not know (泥汊镇, 四棵|树乡, 十家|堡|镇, 兴隆|山镇); ``words_cut`` are jieba's tokens of ``text``.

    The name is the two to four characters before the suffix, made of tokens jieba does not know or
    tags as names, or single characters; a known common word (家乡, 老乡), a closed-class word (使该乡)
    or punctuation stops it, and it starts after a preposition or counting word of place_patterns.yaml's
    ``town_stops`` (到|孙窑乡, 一个乡). On all MSRA training sentences with 乡 or 镇 such spans are the
    gold LOC 85 times and not 31 times (most of these by MSRA's own habit: 孙窑乡 inside the ORG
    孙窑乡农技站, 盂县苌池乡 as one LOC; before the stops: 83 and 47); in the pipeline they only fill
    gaps the model leaves.
    """
    def plain(tok: str) -> bool:
        return all("\u4e00" <= ch <= "\u9fff" for ch in tok)

    def name_like(tok: str) -> bool:  # numerals too: 四棵|树乡, 十家|堡|镇
        return plain(tok) and (words.tags.get(tok) == _M or tok not in words.closed and (
            len(tok) == 1 or not words.known(tok) or words.tags.get(tok) in _NAME_CLASSES))

    out: list[Candidate] = []
    if "乡" not in text and "镇" not in text:
        return out
    r = _rules()
    starts = list(accumulate(map(len, words_cut), initial=0))
    for m in _TOWN_CHAR.finditer(text):  # only the tokens that end in 乡 or 镇
        i = bisect_right(starts, m.start()) - 1
        tok, end = words_cut[i], m.end()
        if starts[i + 1] != end or not plain(tok):
            continue
        if len(tok) >= 3:
            if words.known(tok):
                continue
            start = starts[i]  # 泥汊镇: one token jieba does not know
        elif len(tok) == 2 and words.known(tok):
            continue  # 家乡, 城镇, 乡镇
        else:
            start = starts[i]  # 镇 alone, or 树乡 (the 树 of 四棵树乡): take the name tokens before it
            j = i - 1
            while j >= 0 and name_like(words_cut[j]) and end - 1 - starts[j] <= 4:
                start = starts[j]
                j -= 1
        name = text[start:end - 1]
        cut = max((name.rfind(ch) for ch in r.town_stops), default=-1) + 1  # 到|黄洞乡
        start, name = start + cut, name[cut:]
        if len(name) >= 2 and not r.town_not_in.intersection(name) and name[-1] not in r.town_count_end:
            out.append(Candidate(start, end, "LOC"))
    return out


# --- 7. names the model reads across words ------------------------------------------------------

_GENERIC_ORG_CLASSES = _NAME_CLASSES | {segment.CLASS_ID["j"]}


def generic_org(name: str, words: Words) -> bool:
    """Is this organization span a kind of body and more ordinary words (公司|董事会, 铁路局|集团公司)?
    Two or more jieba tokens, the first a bare institution word (org_patterns.yaml ``not_alone``),
    every one a dictionary word of no name class (not nr/ns/nt/nz/j), no place, no letters or
    digits: there is no name in it. One word alone is left to the model (MSRA tags 县委, 主席团)."""
    r = _rules()
    parts = words.cut(name)
    return len(parts) >= 2 and parts[0] in r.org_not_alone and all(
        words.known(p) and words.tags.get(p) not in _GENERIC_ORG_CLASSES and p not in r.places
        and p not in r.org_names and not any(ch.isascii() for ch in p) for p in parts)


def drop_generic_orgs(spans: list[Candidate], text: str, words: Words) -> list[Candidate]:
    """The model's organizations without a name in them are dropped (:func:`generic_org`)."""
    return [m for m in spans if m[2] != "ORG" or not generic_org(text[m[0]:m[1]], words)]


_PERSON_OR_BODY = _GENERIC_ORG_CLASSES - {_NS}


def cut_at_words(spans: list[Candidate], text: str, words: Words, bounds: frozenset[int]) -> list[Candidate]:
    """A model place that is a word of its own and ends one character before the end of a longer
    word (太阳|能电池: jieba reads 太阳能) is that word's front, no place: a dictionary word of two or
    more characters that is no gazetteer place (jieba's ns tag counts for nothing here: it tags 太阳
    ns) and no name of a person or a body. Only a one-character rest counts: 中华|民族 is a place
    at the front of a longer word; organizations are left alone (公安部|长: jieba reads 公安部长)."""
    r = _rules()
    if not bounds:
        return spans
    out: list[Candidate] = []
    for s, e, lab in spans:
        name = text[s:e]
        if lab == "LOC" and e - s >= 2 and e not in bounds and e + 1 in bounds and s in bounds and \
                words.known(name) and words.tags.get(name) not in _PERSON_OR_BODY and \
                name not in r.places and words.known(text[s:e + 1]) and text[e] not in r.people_suffixes:
            continue
        out.append(Candidate(s, e, lab))
    return out


def listed_cuts(spans: list[Candidate], listed: list[Candidate], text: str, words: Words) -> list[Candidate]:
    """A model span that cuts a listed organization's name (日经济新闻综合中新网 across 每日经济新闻 and
    中新网), or is one with a function word glued on (华为|亦), gives way to the list: listed names
    lie on jieba's token edges, the model's span does not respect them."""
    if not listed:
        return spans
    ordered = sorted(listed)
    starts = [x[0] for x in ordered]
    longest = max(x[1] - x[0] for x in ordered)
    out: list[Candidate] = []
    for m in spans:
        s, e = m[0], m[1]
        lo, hi = bisect_right(starts, s - longest), bisect_right(starts, e - 1)
        drop = False
        for ls, le, _lab in ordered[lo:hi]:
            if le <= s or e <= ls:
                continue
            crosses = (s < ls < e < le) or (ls < s < le < e)
            glued = (ls == s and le < e and text[le:e] in words.function_words) or \
                    (le == e and s < ls and text[s:ls] in words.function_words)
            if crosses or glued:
                drop = True
                break
        if not drop:
            out.append(m)
    return out


def full_division_names(spans: list[Candidate], text: str, bounds: frozenset[int]) -> list[Candidate]:
    """A place the model ended one level character short (重庆|市 where jieba reads 重庆市) is the full
    division name: extended where the longer name is a division of the gazetteer and ends on a
    token edge (not 重庆|市场)."""
    r = _rules()
    out: list[Candidate] = []
    for s, e, lab in spans:
        if lab == "LOC" and e < len(text) and text[e] in r.level_words and e + 1 in bounds and \
                text[s:e + 1] in r.full_divisions:
            e += 1
        out.append(Candidate(s, e, lab))
    return out


def division_goods(spans: list[Candidate], text: str, words: Words) -> list[Candidate]:
    """A model organization that is a division's full name + ordinary words ending in no
    organization word (江苏省|出口机电产品, 江苏省|金属矿) is the place and what it trades: the division
    stays, as a LOC. Ordinary: the last jieba token is a dictionary word of no name class; an
    organization word of org_patterns.yaml or a body's last character (org_final_chars: 湖南省军区,
    江苏省作家协会) keeps the span."""
    r = _rules()
    out: list[Candidate] = []
    for s, e, lab in spans:
        name = text[s:e]
        if lab == "ORG" and not name.endswith(r.org_words) and name[-1] not in r.org_final_chars:
            head = next((k for k in range(min(len(name) - 2, r.max_place), 2, -1) if name[:k] in r.full_divisions), 0)
            last = words.cut(name[head:])[-1] if head else ""
            if head and words.known(last) and words.tags.get(last) not in _GENERIC_ORG_CLASSES:
                out.append(Candidate(s, s + head, "LOC"))
                continue
        out.append(Candidate(s, e, lab))
    return out


def index_names(spans: list[Candidate], text: str, bounds: frozenset[int]) -> list[Candidate]:
    """A model organization right before an index word, perhaps after digits (日本日经|225指数,
    香港恒生|指数), names a market index, no body: the place at its head stays as a LOC (a
    gazetteer name ending on a token edge), the rest goes."""
    r = _rules()
    out: list[Candidate] = []
    for s, e, lab in spans:
        if lab == "ORG" and r.index_after.match(text, e):
            head = next((k for k in range(min(e - s - 1, r.max_place), 1, -1)
                         if text[s:s + k] in r.places and s + k in bounds), 0)
            if head:
                out.append(Candidate(s, s + head, "LOC"))
            continue
        out.append(Candidate(s, e, lab))
    return out


def company_short_names(text: str, found: list[Candidate], bounds: frozenset[int], words: Words,
                        companies: Mapping[str, bool]) -> list[Candidate]:
    """One sense per article: a company the text names with its legal form or a trade word is
    meant by its short name elsewhere in the text, read there as an ORG where both its ends are
    jieba token edges. With a legal form (长春某某精工股份有限公司) the short name is the rest without
    the place (某某精工) and must be no dictionary word; with a trade word that is no sector's
    (小米集团, 某某制药; not 某某基金, 某某新能源) it is the
    rest as it stands, a name of rules/org_companies.tsv (小米, a word too, is the company in an
    article that names 小米集团) or no dictionary word. Never a place, at least two characters."""
    r = _rules()
    cores: set[str] = set()
    for s, e, lab in found:
        name = text[s:e]
        if lab != "ORG":
            continue
        form = next((f for f in r.legal_forms if name.endswith(f)), "")
        if form:
            core = name[:-len(form)]
            head = next((k for k in range(min(len(core) - 2, r.max_place), 1, -1) if core[:k] in r.places), 0)
            core = core[head:]
            named = not words.known(core)
        else:
            trade = r.trade_suffix.search(name, max(0, len(name) - 4))
            if trade is None or trade.end() != len(name) or trade.group() in r.sector_trade_words:
                continue  # 新发|基金, 大唐|新能源: a sector word names no company by itself
            core = name[:trade.start()]
            named = core in companies or not words.known(core)
        if named and len(core) >= 2 and core not in r.places and not any(ch in r.stop for ch in core):
            cores.add(core)
    out: list[Candidate] = []
    for core in sorted(cores):
        start = text.find(core)
        while start >= 0:
            end = start + len(core)
            if start in bounds and end in bounds:
                out.append(Candidate(start, end, "ORG"))
            start = text.find(core, end)
    return out


_LATIN_LETTER = regex.compile(r"[A-Za-z]")


def whole_latin_words(spans: list[Candidate], text: str) -> list[Candidate]:
    """A model span that starts or ends inside a word of Latin letters (Nik|ola: the model reads
    letters it rarely saw) covers that whole word."""
    out: list[Candidate] = []
    for s, e, lab in spans:
        if s > 0 and _LATIN_LETTER.match(text, s) and _LATIN_LETTER.match(text, s - 1):
            while s > 0 and _LATIN_LETTER.match(text, s - 1):
                s -= 1
        if e < len(text) and _LATIN_LETTER.match(text, e) and _LATIN_LETTER.match(text, e - 1):
            while e < len(text) and _LATIN_LETTER.match(text, e):
                e += 1
        out.append(Candidate(s, e, lab))
    return out


_NAME_GAP = 3  # at most this many characters between two pieces of one list of names


def name_runs(spans: list[Candidate], text: str, words: Words) -> list[Candidate]:
    """A run of two or more person spans with at most ``_NAME_GAP`` Han characters between each
    and the next (丁石孙|丁衡高于珍|于永波, 郝岩郝|建秀: a list of names that the model read in wrong
    pieces) is read again as a whole: where the run reads as at least as many names as it has
    spans (:func:`_read_names`), those are the persons. A gap holding a function word, a numeral or
    a verb (李元|与|卞德培, 陈驸马|被|包公) separates two mentions, not two names of a list;
    one-character persons (江|主席) join no run."""
    r = _rules()
    out: list[Candidate] = []
    run: list[Candidate] = []

    def joins(gap: str) -> bool:
        return all("\u4e00" <= ch <= "\u9fff" for ch in gap) and not any(
            w in words.closed or w in words.function_words or w in words.verbs for w in words.cut(gap))

    def flush() -> None:
        if len(run) >= 2:
            s, e = run[0][0], run[-1][1]
            names = _read_names(text[s:e], r)
            if len(names) >= len(run):
                out.extend(Candidate(s + a, s + b, "PER") for a, b in names)
                run.clear()
                return
        out.extend(run)
        run.clear()

    for m in sorted(spans):
        person = m[2] == "PER" and m[1] - m[0] >= 2
        if person and run and 0 <= m[0] - run[-1][1] <= _NAME_GAP and joins(text[run[-1][1]:m[0]]):
            run.append(m)
            continue
        flush()
        (run if person else out).append(m)
    flush()
    return out
