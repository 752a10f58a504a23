"""Units: what may follow a number, compiled once from `rules/units.yaml`.

A unit lookup is a longest-match over a dictionary of surface forms (the longest surface is a
handful of characters), so finding the unit after a number costs a few dictionary probes rather
than a regex alternation over hundreds of words. Guards from the rule data keep words like 部门,
成为 or 人民 from being read as units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from extract.resources import load_yaml, longest_by_char


@dataclass(frozen=True)
class Unit:
    """One written unit: ``surface`` as written, ``code`` canonical (SCHEMA.md), ``factor`` to it."""

    surface: str
    code: str
    kind: str  # money, percent, pp, multiple, measure, count, time
    factor: Decimal
    not_followed_by: tuple[str, ...] = ()
    needs_magnitude_or_digits: bool = False
    discount: bool = False  # 八折 = 80 % but 75折 = 75 %: the factor applies only below 10


@dataclass(frozen=True)
class Lexicon:
    """The compiled units.yaml: unit surfaces plus the rules that read money and rates."""

    units: dict[str, Unit]
    max_len: int
    # first character -> the longest surface starting with it: units_at probes only the lengths a
    # unit there can have, and none where no unit starts (most characters after a number)
    longest_from: dict[str, int]
    rate_time: dict[str, str]
    half_not_before: tuple[str, ...]
    regional_money: frozenset[str]  # 元, 蚊 ...: the region's currency where a region is known
    symbols: dict[str, str]  # US$, ￥ ... -> ISO 4217, longest first
    regional_symbols: frozenset[str]
    subunits_after: frozenset[str]
    subunits: dict[str, Decimal]
    subunit_not_followed_by: tuple[str, ...]
    index_unit: Unit  # 点 after a number in a sentence about a stock index
    index_words: tuple[str, ...]
    index_not_followed_by: tuple[str, ...]
    index_names: tuple[str, ...]  # 恒生指数, 深证成指: names of indexes, not of places or companies
    rate_as_written: frozenset[str]
    per_unit_nouns: frozenset[str]


@cache
def lexicon() -> Lexicon:
    """All unit surfaces (money, measures, percent, pp, multiples, counts, time) with guards."""
    data = load_yaml("units.yaml")
    guards = data.get("guards", {})
    units: dict[str, Unit] = {}

    def add(surface: str, code: str, kind: str, factor, discount: bool = False) -> None:
        g = guards.get(surface, {})
        units[surface] = Unit(
            surface, code, kind, Decimal(str(factor)),
            tuple(g.get("not_followed_by", ())), bool(g.get("needs_magnitude_or_digits", False)),
            discount,
        )

    for kind in ("money", "measure", "percent", "pp", "multiple", "discount"):
        for code, surfaces in data[kind].items():
            for surface, factor in surfaces.items():
                if kind == "discount":
                    add(str(surface), code, "percent", factor, discount=True)
                else:
                    add(str(surface), code, kind, factor)
    for surface in data["count"]:
        add(surface, surface, "count", 1)
    for surface in data["time"]:
        if surface not in units:
            add(surface, surface, "time", 1)
    sub = data["subunits"]
    index = data["index_points"]
    symbols = {str(k): v for k, v in sorted(data["symbols"].items(), key=lambda kv: -len(kv[0]))}
    return Lexicon(
        units, max(len(s) for s in units), longest_by_char(units, 0), dict(data["rate_time"]),
        tuple(data["half_not_before"]),
        frozenset(data["regional_money"]), symbols, frozenset(data["regional_symbols"]),
        frozenset(sub["after"]), {k: Decimal(str(v)) for k, v in sub["units"].items()},
        tuple(sub["not_followed_by"]),
        Unit("点", "点", "measure", Decimal(1), tuple(index["not_followed_by"])),
        tuple(index["words"]), tuple(index["not_followed_by"]), tuple(index["names"]),
        frozenset(data["rate_as_written"]), frozenset(data["per_unit_nouns"]),
    )


def units_at(text: str, pos: int) -> list[Unit]:
    """Units whose surface starts at ``text[pos]``, longest first, guards checked."""
    if pos >= len(text):
        return []
    lex = lexicon()
    found = []
    for length in range(min(lex.longest_from.get(text[pos], 0), len(text) - pos), 0, -1):
        unit = lex.units.get(text[pos:pos + length])
        if unit is None:
            continue
        after = pos + length
        if unit.not_followed_by and text.startswith(unit.not_followed_by, after):
            continue
        found.append(unit)
    return found


def denominator_at(text: str, pos: int) -> tuple[str, Decimal, int] | None:
    """A rate denominator after ``/``: (canonical code, factor, end) for 月, 吨, 人, 平方米 …

    The factor converts "per written unit" to "per canonical unit": 3元/公斤 is 3000 CNY/t.
    """
    lex = lexicon()
    for length in range(min(lex.max_len, len(text) - pos), 0, -1):
        surface = text[pos:pos + length]
        if surface in lex.rate_time:
            return lex.rate_time[surface], Decimal(1), pos + length
        unit = lex.units.get(surface)
        if unit is not None and unit.kind in ("measure", "count"):
            if surface in lex.rate_as_written:
                return surface, Decimal(1), pos + length
            return unit.code, unit.factor, pos + length
    return None
