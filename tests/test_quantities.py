"""Quantities in running text: tables of hand-written cases (tests/cases/quantities.yaml)."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from extract.quantities.reading import find_quantities
from extract.resources import SAFE_LOADER
from extract.text.view import make_view

CASES = yaml.load((Path(__file__).parent / "cases" / "quantities.yaml").read_text(encoding="utf-8"),
                  Loader=SAFE_LOADER)


def _close(a, b) -> bool:
    a, b = Decimal(str(a)), Decimal(str(b))
    return abs(a - b) <= max(abs(b), Decimal(1)) * Decimal("1e-9")


def _extract(text: str):
    view = make_view(text)
    out = []
    for q in find_quantities(view.text, view.traditional):
        s, e = view.to_original(q.start, q.end)
        out.append((text[s:e], q))
    return out


@pytest.mark.parametrize("case", CASES["found"], ids=lambda c: c["text"][:20])
def test_found(case: dict) -> None:
    got = _extract(case["text"])
    assert [s for s, _ in got] == [e["surface"] for e in case["expect"]]
    for (surface, q), exp in zip(got, case["expect"]):
        assert _close(q.value, exp["value"]), surface
        assert q.unit == exp["unit"], surface
        if "kind" in exp:
            assert q.kind == exp["kind"], surface
        assert q.value_high == (None if "high" not in exp else Decimal(str(exp["high"]))) or _close(
            q.value_high, exp["high"]), surface
        assert q.approx == exp.get("approx"), surface
        assert q.change == exp.get("change"), surface
        assert q.basis == exp.get("basis"), surface


@pytest.mark.parametrize("text", CASES["none"], ids=lambda t: t[:20])
def test_nothing(text: str) -> None:
    assert [s for s, _ in _extract(text)] == []


def test_float_drift_never_happens() -> None:
    (q,) = find_quantities("营收16.4亿元")
    assert q.value == Decimal("1640000000") and float(q.value) == 1640000000.0


def test_chinese_comma_is_not_a_thousands_separator() -> None:
    qs = find_quantities("新增工业产值1000亿元，达到2000亿元")
    assert [q.value for q in qs] == [Decimal(10**11), Decimal(2 * 10**11)]


def test_idioms_with_numerals_never_read_as_numbers() -> None:
    for text in ("唯一", "统一", "十分重要", "三角债", "一五一十"):
        assert find_quantities(text + "5元") == [] or all(q.text == "5元" for q in find_quantities(text + "5元"))


def test_units_and_approximation_words_are_found_at_every_length():
    """The unit and approximation-word lookups probe only the lengths a word starting (ending)
    with the character there can have: each still finds what probing every length finds."""
    from extract.numbers.units import lexicon, units_at
    from extract.quantities.reading import _prefix, _suffix, rules

    lex, r = lexicon(), rules()
    text = "约" + "".join(sorted(lex.units)) + "以上左右" + "".join(sorted(r.prefix)) + "".join(sorted(r.suffix)) + "。"
    for pos in range(len(text) + 1):
        every = []
        for k in range(lex.max_len, 0, -1):
            unit = lex.units.get(text[pos:pos + k]) if pos + k <= len(text) else None
            if unit is not None and not text.startswith(unit.not_followed_by, pos + k):
                every.append(unit)
        assert units_at(text, pos) == every, pos
        prefixes = [k for k in range(pos, 0, -1) if text[pos - k:pos] in r.prefix
                    and not (pos - k > 0 and text[pos - k - 1] in r.prefix_not_after.get(text[pos - k:pos], ()))]
        assert _prefix(text, pos)[1] == (pos - prefixes[0] if prefixes else pos), pos
        suffixes = [k for k in range(len(text) - pos, 0, -1) if text[pos:pos + k] in r.suffix]
        assert _suffix(text, pos)[1] == pos + (suffixes[0] if suffixes else 0), pos
