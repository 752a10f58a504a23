"""Entity rules compiled once per process from the data in rules/.

- place names (LOC): PRC divisions with short forms (rules/divisions.tsv), countries
  (rules/countries.tsv), aliases, regions and foreign cities (rules/places_extra.yaml). These feed the
  gazetteer (``step.Gazetteer``, token-aligned, so 大同 never fires inside 大同小异) and the jieba user dictionary.
- char-exact regex rules: organizations built on a place (长春海关, 吉林省商务厅, rules/org_patterns.yaml),
  one-character country abbreviations in safe contexts (对俄、对韩, 中俄两国, 美方), and bylines
  (记者 关丽君, rules/person_patterns.yaml).

The big name lists are compiled into trie-shaped regexes (shared prefixes factored out), so matching
runs inside the regex engine instead of trying thousands of alternatives at every position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import regex

from extract.entities.spans import Candidate
from extract.resources import alternation, derived, load_yaml, read_tsv, rule_path

# Last characters of a division's full name (吉林省, 长春市, 九台区, 延边朝鲜族自治州)
FULL_DIVISION_END = "省市县区州旗盟"


def trie_pattern(words: list[str]) -> str:
    """A regex alternation of ``words`` with common prefixes factored out (longest match first)."""
    trie: dict = {}
    for w in set(words):
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [regex.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            # a word may end here; try the longer continuation first
            return "(?:" + body + ")?"
        return body

    return build(trie)


@dataclass(frozen=True)
class PlaceNames:
    full: tuple[str, ...]  # official names: divisions, countries, aliases, regions
    short: tuple[str, ...]  # short forms of divisions (吉林, 长春, 延边)

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.full) | set(self.short)))


@dataclass(frozen=True)
class DivisionRow:
    """One row of rules/divisions.tsv: a PRC division down to county level (GB/T 2260)."""

    code: str
    name: str  # the full name: 长春市, 九台区
    level: str  # province, prefecture, county
    parent: str  # the parent's code ("" for a province)
    short: str  # the short form the gazetteer uses (长春), "" where it is too ambiguous


@cache
def division_rows() -> tuple[DivisionRow, ...]:
    """The rows of rules/divisions.tsv: the one reader of that file in the entity layer."""
    return tuple(DivisionRow(*(row + [""] * 5)[:5]) for row in read_tsv("divisions.tsv")[1:])


@cache
def place_names() -> PlaceNames:
    full: set[str] = set()
    short: set[str] = set()
    for division in division_rows():
        full.add(division.name)
        if division.short:
            short.add(division.short)
    for row in read_tsv("countries.tsv")[1:]:
        alpha2, name, official = (row + [""] * 3)[:3]
        full.add(name)
        if official:
            full.add(official)
    extra = load_yaml("places_extra.yaml")
    full.update(extra["country_aliases"])
    full.update(extra["regions"])
    full.update(extra["world_cities"])
    full.update(extra["landmarks"])
    veto = set(extra.get("not_alone", []))
    return PlaceNames(tuple(sorted(full - veto)), tuple(sorted(short - full - veto)))


def _alt(words) -> str:
    return "(?:" + alternation(words) + ")"


@dataclass(frozen=True)
class _OrgRules:
    suffix: re.Pattern  # organization words, longest first
    places: frozenset[str]
    max_place: int
    max_middle: int
    stop: frozenset[str]


@cache
def _org_rules() -> _OrgRules:
    """Suffix-anchored: find the (few) organization words first, then look back for a place.

    A forward regex ``place middle suffix`` tries thousands of place names at every position
    (measured ~150k chars/s); anchoring on the suffix and looking the place up in a set keeps the
    rule layer far cheaper than jieba.
    """
    cfg = load_yaml("org_patterns.yaml")
    names = place_names().all
    return _OrgRules(
        # the stdlib engine: a trie of literals only (same matches), and its first-character
        # filter skips most positions (~5x faster here than the regex module)
        suffix=re.compile(trie_pattern(cfg["suffixes"])),
        places=frozenset(names),
        max_place=max(map(len, names)),
        max_middle=int(cfg["max_middle"]),
        stop=frozenset(cfg["middle_stop"]) | frozenset("0123456789"),
    )


def _place_before(text: str, end: int, rules: _OrgRules) -> int:
    """Start of a place name + middle part ending at ``end``: shortest middle, then longest place."""
    for mid in range(0, rules.max_middle + 1):
        if mid and (end - mid < 0 or text[end - mid] in rules.stop):
            return -1
        stop = end - mid
        for k in range(min(rules.max_place, stop), 1, -1):
            if text[stop - k:stop] in rules.places:
                return stop - k
    return -1


def org_spans(text: str) -> list[tuple[int, int]]:
    """Place (+ middle) + organization word; adjacent or overlapping links join (长春市公安局朝阳分局)."""
    rules = _org_rules()
    found: list[tuple[int, int]] = []
    for m in rules.suffix.finditer(text):
        start = _place_before(text, m.start(), rules)
        if start < 0:
            if found and found[-1][1] == m.start():  # 吉林省人民政府 + 办公厅
                found[-1] = (found[-1][0], m.end())
            continue
        if found and start <= found[-1][1]:
            found[-1] = (min(found[-1][0], start), m.end())
        else:
            found.append((start, m.end()))
    return found


@cache
def _abbrev_regexes() -> list[regex.Pattern]:
    cfg = load_yaml("places_extra.yaml")
    abbr = "".join(cfg["abbreviations"])
    pair = "".join(cfg["pair_members"])
    prep = cfg["after_preposition"]
    preps = "".join(p for p in prep["prepositions"] if p not in prep["only_hua"])
    hua_preps = "".join(prep["only_hua"])
    follow = _alt(prep["followers"])
    punct = "[、，。；：！？）”\\s]"
    alone = "".join(a for a in cfg["abbreviations"] if a not in prep["not_before_punct"])
    fang_ex = _alt(w[1:] for w in cfg["fang_exclude"])
    pair_follow = _alt(cfg["pair_followers"])
    all_preps = "".join(prep["prepositions"])
    provinces = "".join(prep["provinces"])
    home_follow = _alt(list(prep["followers"]) + list(prep["home_followers"]))
    return [
        # 对俄、对韩合作 / 赴韩考察 / 来华访问 (not 采访中，)
        regex.compile(f"(?<=[{preps}])(?:[{abbr}](?={follow})|[{alone}](?={punct}))"),
        # 在吉投资 / 来长就医
        regex.compile(f"(?<=[{all_preps}])[{provinces}](?={home_follow})"),
        regex.compile(f"(?<=[{hua_preps}])华(?=(?:{follow})|{punct})"),
        # 中俄两国, 中日韩合作, 中俄、中蒙边境: every member of the pair/triple
        regex.compile(f"(?<![\\p{{Han}}])[{pair}](?:[{pair}]){{1,2}}(?=(?:{pair_follow}))"),
        regex.compile(f"(?<=[、，；\\s]|^)[{pair}](?:[{pair}]){{1,2}}(?=[、，；])"),
        # 美方, 俄方 (not 方面, 方法 ...)
        regex.compile(f"(?<![\\p{{Han}}]|[双对各一多我他])[{abbr}](?=方(?!{fang_ex}))"),
    ]


@cache
def _byline_roles() -> tuple[str, ...]:
    return tuple(load_yaml("person_patterns.yaml")["roles"])


@cache
def byline_name_regex() -> regex.Pattern:
    """The part of a byline after its role word: the name, as group 1."""
    cfg = load_yaml("person_patterns.yaml")
    after = _alt(cfg["after"])
    single = regex.escape(cfg["single_surnames"])
    double = _alt(cfg["double_surnames"])
    name = f"(?:{double}\\p{{Han}}{{1,2}}|[{single}]\\p{{Han}}{{1,2}})"
    return regex.compile(f"[ \\t\\u3000]*({name})(?=$|[\\s、，。；：）)/|]|{after}|[ \\t\\u3000])")


def byline_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of the names after a role word (记者 关丽君): what a lookbehind on the role words
    before :func:`byline_name_regex` would match, found by trying the name part only where a role
    word ends (str.find) instead of at every position of the text."""
    role_ends: set[int] = set()
    for role in _byline_roles():
        i = text.find(role)
        while i >= 0:
            role_ends.add(i + len(role))
            i = text.find(role, i + 1)
    found = []
    done = 0  # like finditer: a match never starts inside the previous one
    rx = byline_name_regex()
    for end in sorted(role_ends):
        if end < done:
            continue
        m = rx.match(text, end)
        if m:
            found.append(m.span(1))
            done = m.end()
    return found


def rule_spans(text: str) -> list[Candidate]:
    """Char-exact rule matches; may overlap, the combiner resolves them."""
    spans: list[Candidate] = []
    for start, end in org_spans(text):
        spans.append(Candidate(start, end, "ORG"))
    for rx in _abbrev_regexes():
        for m in rx.finditer(text):
            for i in range(m.start(), m.end()):
                spans.append(Candidate(i, i + 1, "LOC"))
    for start, end in byline_names(text):
        spans.append(Candidate(start, end, "PER"))
    return sorted(set(spans))


@cache
def _weak_suffixes() -> tuple[str, ...]:
    return tuple(sorted(load_yaml("org_patterns.yaml").get("weak_suffixes", []), key=len, reverse=True))


@cache
def _division_bodies() -> tuple[tuple[str, ...], frozenset[str]]:
    names = frozenset(n for n in place_names().full if n[-1] in FULL_DIVISION_END)
    return tuple(load_yaml("org_patterns.yaml").get("division_bodies", [])), names


def is_strong_org(name: str) -> bool:
    """An ORG rule match that ends in an institution word (海关, 商务厅, 大学), not a generic one
    (公司), or that is a division's own body by its full name (吉林省人民政府, 长春市政协)."""
    if not name.endswith(_weak_suffixes()):
        return True
    bodies, divisions = _division_bodies()
    return any(name.endswith(b) and name[:-len(b)] in divisions for b in bodies)


@cache
def region_names() -> frozenset[str]:
    """World regions and named Chinese regions (rules/places_extra.yaml regions) that a model span
    inside them only cuts short (南美洲 in 中南美洲). Not those ending in 地区: MSRA and the golden
    lists tag 东北 in 东北地区, 亚太 in 亚太地区."""
    return frozenset(w for w in load_yaml("places_extra.yaml")["regions"] if not w.endswith("地区"))


@cache
def org_names() -> frozenset[str]:
    """Organizations named without a place or an organization word: companies, banks and media of
    rules/org_names.yaml (written by hand) and the rule names of rules/org_companies.tsv."""
    data = load_yaml("org_names.yaml")
    listed = {str(x) for x in data["organizations"]} | {str(x) for x in data["media"]}
    return frozenset(listed | {name for name, rule in company_names().items() if rule})


@cache
def _org_name_lengths_by_head() -> dict[str, tuple[int, ...]]:
    """First two characters of a listed name -> the lengths of the names that start so, longest
    first: most token edges start no listed name, and are passed over with one lookup."""
    lengths: dict[str, set[int]] = {}
    for name in org_names():
        lengths.setdefault(name[:2], set()).add(len(name))
    return {head: tuple(sorted(ns, reverse=True)) for head, ns in lengths.items()}


def org_name_spans(text: str, bounds: frozenset[int],
                   end_ok: Callable[[int], bool] | None = None) -> list[Candidate]:
    """The listed organizations in ``text`` that start in ``bounds`` (jieba's token boundaries)
    and end in them, or where ``end_ok`` allows (时代财经|报道 inside jieba's 财经报道), longest
    first, left to right: 中国石化 is not matched in 中|国|石化工业 (the industry). A set lookup per
    boundary and length, so the list's size costs nothing."""
    names, by_head = org_names(), _org_name_lengths_by_head()
    out: list[Candidate] = []
    end = 0
    for start in sorted(bounds):
        if start < end:
            continue
        for n in by_head.get(text[start:start + 2], ()):
            if text[start:start + n] in names and (
                    start + n in bounds or (end_ok is not None and end_ok(start + n))):
                out.append(Candidate(start, start + n, "ORG"))
                end = start + n
                break
    return out


@cache
def company_names() -> dict[str, bool]:
    """Company and brand names (rules/org_companies.tsv, generated by scripts/gen_companies.py) ->
    whether the rule layer may tag them (True) or only the model's lexicon feature sees them.

    Read directly, not through ``read_tsv``: its 266k rows would be held twice (the checked rows
    and this dict) and the cell check adds 0.1 s to every start-up; tests/test_rules.py checks
    every row of this generated file against its schema instead. Two regex scans over the whole
    text (no Python work per line), kept by ``resources.derived`` as one string of names and one
    of flags, from which the dict is built in a tenth of the 0.4 s that the scans take."""
    path = rule_path("org_companies.tsv")

    def scan() -> list:
        text = path.read_text(encoding="utf-8")
        names = _COMPANY_NAME.findall(text)[1:]  # the first is the header's "name"
        rule = set(_RULE_COMPANY_NAME.findall(text))
        return ["\n".join(names), bytes(name in rule for name in names)]

    names, flags = derived("org-companies", [path], scan)
    return dict(zip(names.split("\n"), map(bool, flags)))


# the first cell of each row that is no comment, and of each row whose second cell is "rule"
_COMPANY_NAME = re.compile(r"^[^\t\n#][^\t\n]*(?=\t)", re.M)
_RULE_COMPANY_NAME = re.compile(r"^[^\t\n#][^\t\n]*(?=\trule(?:\t|$))", re.M)


def user_dictionary() -> list[tuple[str, int, str]]:
    """(word, freq, tag) for jieba: full place names stay whole tokens (tag ``ns``).

    Short forms are already in jieba's dictionary or are too short to force; forcing them would
    split ordinary words. The listed organizations are not forced either: forced, they cut words
    around them wrongly (中国电信|业 for China's telecom industry; measured on train.jsonl).
    """
    return [(w, 100, "ns") for w in place_names().full if len(w) >= 2]

