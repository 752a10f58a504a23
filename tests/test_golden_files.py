"""Checks on the hand-written golden files themselves, not on the extractor.

`tests/golden/corpus.yaml` and `tests/golden/seeds.yaml` are written by reading the articles
(see `tests/golden/CONVENTIONS.md`). A typo in them would silently turn a correct extractor into a
failing one, or hide a real bug, so this module keeps the annotation honest: every span must really
be in the article where the file says it is, in text order, with codes from the schema's sets, with
values whose digits match the digits written in the span, and with encodings that are what the file
bytes really are. The seeds live in ``../shared/seeds`` beside the checkout; their checks skip
cleanly when that folder is absent.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from extract.resources import SAFE_LOADER

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "tests" / "golden"
SEEDS = ROOT.parent / "shared" / "seeds"

KINDS = {"money", "percent", "pp", "multiple", "measure", "count"}
APPROX = {"about", "over", "under"}
CHANGE = {"up", "down"}
BASIS = {"yoy", "mom", "annual_avg", "cumulative"}
LABELS = {"PER", "LOC", "ORG"}
ENCODINGS = {"utf-8", "utf-8-sig", "gb18030"}
MEASURES = {"t", "km", "m2", "m3", "TEU", "kWh", "kW", "kVA", "t*km", "人公里", "bbl", "oz", "点"}
# The classifier list of CONVENTIONS.md ("counts").
CLASSIFIERS = {
    "个", "家", "户", "人", "名", "位", "项", "件", "次", "人次", "辆", "辆次", "列", "班", "架次", "艘", "条",
    "座", "所", "台", "套", "批", "场", "届", "只", "头", "种", "类", "款", "部", "本", "份", "张", "块", "处",
    "栋", "间", "票", "宗", "单", "笔", "例", "起", "支", "组", "对", "双", "株", "棵", "箱", "股",
}
# Denominators of rates: canonical units, classifiers, or a unit of time in English.
TIME_UNITS = {"year", "month", "week", "day", "hour"}
QUANTITY_KEYS = {
    "text", "value", "value_high", "unit", "kind", "approx", "change", "basis",
    "metric", "subject", "period", "period_text", "wrapped",
}
ENTRY_KEYS = {"encoding", "date", "quantities", "not_quantities", "times", "entities"}
CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
ASCII_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


# ----------------------------------------------------------------------------- helpers


def detect_encoding(data: bytes) -> str:
    """What the bytes really are: a UTF-8 BOM, else valid UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data.decode("gb18030")  # raises if it is not that either
        return "gb18030"
    return "utf-8"


def joined_view(raw: str) -> tuple[str, list[int]]:
    """The text with line breaks and line-leading spaces removed, and for each of its characters
    the index it came from in `raw`. This is how a hard-wrapped span (`wrapped: true`) is found."""
    chars: list[str] = []
    index: list[int] = []
    at_line_start = True
    for i, ch in enumerate(raw):
        if ch in "\r\n":
            at_line_start = True
            continue
        if at_line_start and ch in " \u3000":
            continue
        at_line_start = False
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


class Article:
    """One decoded article with its joined view."""

    def __init__(self, path: Path):
        self.path = path
        self.data = path.read_bytes()
        self.encoding = detect_encoding(self.data)
        self.raw = self.data.decode(self.encoding)
        self.joined, self.index = joined_view(self.raw)

    def find(self, text: str, after: int, wrapped: bool) -> int | None:
        """Joined-view start of the first occurrence of `text` starting after `after` that is
        contiguous in the raw text (or, for a wrapped span, that really crosses a line break)."""
        pos = self.joined.find(text, after + 1)
        while pos >= 0:
            raw_start = self.index[pos]
            raw_end = self.index[pos + len(text) - 1] + 1
            contiguous = self.raw[raw_start:raw_end] == text
            if contiguous != wrapped:
                return pos
            pos = self.joined.find(text, pos + 1)
        return None


FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
     **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
     **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
     "％": "%", "．": ".", "／": "/", "－": "-", "～": "~", "＋": "+"}
)
# Unit words that contain a numeral character but are not numbers.
NUMERAL_UNITS = re.compile("百分点|千瓦时|千瓦|千伏安|千克|千米|兆瓦")


def to_ascii(text: str) -> str:
    """Full-width digits, Latin letters and the signs ％．／－～＋ as ASCII, and a full-width comma
    between thousands (1，520亿元) as a comma, as the text view does."""
    return re.sub(r"(?<=\d)，(?=\d{3})", ",", text.translate(FULL_WIDTH))


def significant(number: str | float) -> str:
    """Significant digits of a number (no sign, point, separators, leading or trailing zeros)."""
    if isinstance(number, str):
        digits = number.replace(",", "").replace(".", "")
    else:
        digits = format(Decimal(repr(number)).normalize(), "f").replace(".", "").replace("-", "")
    return digits.strip("0") or "0"


def unit_ok(unit: str, kind: str) -> bool:
    """Is `unit` a canonical code that fits `kind` (SCHEMA.md, CONVENTIONS.md)?"""
    head, _, denom = unit.partition("/")
    if denom and denom not in MEASURES | CLASSIFIERS | TIME_UNITS:
        return False
    if kind == "percent":
        return unit == "%"
    if kind == "pp":
        return unit in ("pp", "bp")
    if kind == "multiple":
        return unit == "x"
    if kind == "money":
        return re.fullmatch(r"[A-Z]{3}", head) is not None
    if kind == "measure":
        return head in MEASURES
    if kind == "count":
        return head in CLASSIFIERS
    return False


def as_date(value: object) -> dt.date:
    assert isinstance(value, dt.date), f"not an ISO date: {value!r}"
    return value


def load(name: str) -> dict:
    with (GOLDEN / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SAFE_LOADER)


def check_entry(name: str, entry: dict, article: Article) -> None:
    """All checks for one article's expectations; raises AssertionError with the file name."""
    where = name
    assert set(entry) <= ENTRY_KEYS, f"{where}: unknown keys {set(entry) - ENTRY_KEYS}"
    assert entry.get("encoding") in ENCODINGS, f"{where}: encoding {entry.get('encoding')!r}"
    assert entry["encoding"] == article.encoding, (
        f"{where}: says {entry['encoding']}, the bytes are {article.encoding}")
    if entry.get("date") is not None:
        as_date(entry["date"])

    times = entry.get("times") or []
    cursor = -1
    resolved: dict[str, set[tuple[dt.date, dt.date]]] = {}
    for t in times:
        assert set(t) <= {"text", "start", "end", "wrapped"}, f"{where}: time keys {t}"
        start, end = as_date(t["start"]), as_date(t["end"])
        assert start <= end, f"{where}: time {t['text']} ends before it starts"
        pos = article.find(t["text"], cursor, bool(t.get("wrapped")))
        assert pos is not None, f"{where}: time {t['text']!r} not found after the previous one"
        cursor = pos
        resolved.setdefault(t["text"], set()).add((start, end))

    cursor = -1
    texts = set()
    for q in entry.get("quantities") or []:
        label = f"{where}: quantity {q.get('text')!r}"
        assert set(q) <= QUANTITY_KEYS, f"{label}: unknown keys {set(q) - QUANTITY_KEYS}"
        assert isinstance(q["text"], str) and q["text"], label
        texts.add(q["text"])
        pos = article.find(q["text"], cursor, bool(q.get("wrapped")))
        assert pos is not None, f"{label}: not found after the previous quantity (order or wrapped?)"
        cursor = pos
        assert q["kind"] in KINDS, f"{label}: kind {q['kind']!r}"
        assert unit_ok(q["unit"], q["kind"]), f"{label}: unit {q['unit']!r} for kind {q['kind']}"
        value = q["value"]
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{label}: value"
        assert value >= 0, f"{label}: values are unsigned"
        if "value_high" in q:
            assert q["value_high"] > value, f"{label}: value_high must exceed value"
        for key, allowed in (("approx", APPROX), ("change", CHANGE), ("basis", BASIS)):
            if key in q:
                assert q[key] in allowed, f"{label}: {key} {q[key]!r}"
        for key in ("metric", "subject"):
            if key in q:
                assert q[key] in article.joined, f"{label}: {key} {q[key]!r} is not in the text"
        assert ("period" in q) == ("period_text" in q), f"{label}: period and period_text go together"
        if "period" in q:
            # a "by" date (截至6月底) is the moment the time names, with no start
            end = as_date(q["period"][1])
            start = end if q["period"][0] is None else as_date(q["period"][0])
            assert (start, end) in resolved.get(q["period_text"], set()), (
                f"{label}: period_text {q['period_text']!r} {start}..{end} is not among the times")
        # Digits written in the span must be the digits of the value (skipped where a conversion
        # factor or a Chinese numeral changes them).
        plain = NUMERAL_UNITS.sub("", to_ascii(q["text"]))
        numbers = ASCII_NUMBER.findall(plain)
        skip = (not numbers or "亩" in plain or re.search(r"\d/\d|\d万\d|分之", plain)
                or re.search(r"[一二两三四五六七八九十百千〇零]", plain))
        if not skip:
            assert significant(numbers[0]) == significant(value), f"{label}: value {value} vs text"
            if "value_high" in q:
                assert len(numbers) > 1 and significant(numbers[1]) == significant(q["value_high"]), (
                    f"{label}: value_high {q['value_high']} vs text")

    for text in entry.get("not_quantities") or []:
        assert text in article.joined, f"{where}: not-quantity {text!r} is not in the text"
        assert text not in texts, f"{where}: {text!r} is both a quantity and a not-quantity"

    cursor = -1
    for e in entry.get("entities") or []:
        assert set(e) <= {"text", "label", "wrapped"}, f"{where}: entity keys {e}"
        assert e["label"] in LABELS, f"{where}: entity {e['text']} label {e['label']!r}"
        pos = article.find(e["text"], cursor, bool(e.get("wrapped")))
        assert pos is not None, f"{where}: entity {e['text']!r} not found after the previous one"
        cursor = pos


# ----------------------------------------------------------------------------- corpus


CORPUS_GOLD = load("corpus.yaml")
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


def test_every_corpus_file_has_an_entry_and_back():
    assert CORPUS_FILES, "corpus/ is empty"
    assert set(CORPUS_GOLD) == set(CORPUS_FILES)


def test_corpus_file_names():
    for name in CORPUS_FILES:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.txt", name), name


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_entry(name):
    check_entry(name, CORPUS_GOLD[name], Article(CORPUS / name))


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_article_length(name):
    """Issue 2 asks for articles of 600 to 2000 Chinese characters."""
    n = len(CJK.findall(Article(CORPUS / name).raw))
    assert 600 <= n <= 2000, f"{name}: {n} Chinese characters"


def test_corpus_carries_the_special_inputs():
    """The corpus must exercise the inputs issue 2 names: GB18030, BOM with CRLF, a hard-wrapped
    article whose spans cross line breaks, and HTML remnants with full-width digits."""
    articles = {name: Article(CORPUS / name) for name in CORPUS_FILES}
    encodings = {a.encoding for a in articles.values()}
    assert {"utf-8", "utf-8-sig", "gb18030"} <= encodings
    assert any(a.encoding == "utf-8-sig" and "\r\n" in a.raw for a in articles.values())
    wrapped = [n for n, g in CORPUS_GOLD.items()
               if any(q.get("wrapped") for q in g.get("quantities") or [])]
    assert wrapped, "no quantity crosses a line break"
    assert any("<p>" in a.raw and "&nbsp;" in a.raw and re.search("[０-９]", a.raw)
               for a in articles.values())


def test_corpus_counts_are_substantial():
    """Each article has quantities and entities annotated (an empty list is a forgotten one)."""
    for name, entry in CORPUS_GOLD.items():
        assert entry.get("quantities"), f"{name}: no quantities"
        assert entry.get("entities"), f"{name}: no entities"


# ----------------------------------------------------------------------------- seeds


SEED_GOLD = load("seeds.yaml")


@pytest.mark.parametrize("name", sorted(SEED_GOLD))
def test_seed_entry(name):
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared absent)")
    check_entry(name, SEED_GOLD[name], Article(path))


def test_seed_entries_cover_the_seeds():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not available")
    expected = {"000_f0ed6576e03ff77b.txt", "003_d53beb5b812a7a44.txt"}
    assert expected <= {p.name for p in SEEDS.glob("*.txt")}
    assert set(SEED_GOLD) == expected


# ----------------------------------------------------------------------------- self-checks


def test_joined_view_finds_wrapped_spans_only_as_wrapped():
    """The helper itself: a span cut by a line break is found only when marked wrapped."""
    art = Article.__new__(Article)
    art.raw = " 全省进出口总额8144\n亿元，增长5.1%。\n 8144亿元"
    art.joined, art.index = joined_view(art.raw)
    first = art.find("8144亿元", -1, wrapped=True)
    assert first is not None and art.raw[art.index[first]:].startswith("8144\n")
    assert art.find("8144亿元", -1, wrapped=False) == art.joined.rindex("8144亿元")
    assert art.find("5.1%", -1, wrapped=True) is None


def test_significant_digits():
    assert significant("8144") == significant(814400000000) == "8144"
    assert significant("36.5") == significant(365000) == "365"
    assert significant("0.2") == significant(0.2) == "2"
    assert significant("102,242") == significant(102242)
    assert to_ascii("３６．５万元／人") == "36.5万元/人"


@pytest.mark.parametrize("spoil", ["order", "value", "unit", "encoding", "period", "wrapped", "entity"])
def test_checker_rejects_spoiled_annotations(spoil):
    """Each kind of annotation slip the checker exists for is really caught."""
    name = "01_jilin_trade_review.txt"
    entry = copy.deepcopy(CORPUS_GOLD[name])
    qs = entry["quantities"]
    if spoil == "order":
        qs[1], qs[-1] = qs[-1], qs[1]
    elif spoil == "value":
        qs[1]["value"] *= 3
    elif spoil == "unit":
        qs[1]["unit"] = "吨"
    elif spoil == "encoding":
        entry["encoding"] = "gb18030"
    elif spoil == "period":
        qs[1]["period"] = [dt.date(2020, 1, 1), dt.date(2025, 12, 31)]
    elif spoil == "wrapped":
        qs[1]["wrapped"] = True
    elif spoil == "entity":
        entry["entities"].append({"text": "上海", "label": "LOC"})
    with pytest.raises(AssertionError):
        check_entry(name, entry, Article(CORPUS / name))
