"""Rule files: each one has a schema and a comment line on top, every entry of every file matches its
schema, and a broken file is refused with a message naming the file, the entry and the fault."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from extract import resources
from extract.resources import (
    RULE_SCHEMAS,
    SCHEMA_KEYWORDS,
    RuleFileError,
    parse_tsv_rules,
    parse_yaml_rules,
    rules_dir,
)

RULE_FILES = sorted(p.name for p in rules_dir().iterdir() if p.suffix in (".yaml", ".tsv"))


def test_every_rule_file_has_a_schema_and_every_schema_a_file() -> None:
    assert set(RULE_FILES) == set(RULE_SCHEMAS)
    assert not [p.name for p in rules_dir().iterdir() if p.suffix not in (".yaml", ".tsv")]


def _keywords(schema: object) -> set[str]:
    """The keywords a schema uses, all the way down (property names excepted)."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, sub in schema.items():
        subs = sub.values() if key == "properties" else sub if isinstance(sub, list) else [sub]
        for part in subs:
            found |= _keywords(part)
    return found


@pytest.mark.parametrize("name", sorted(RULE_SCHEMAS))
def test_schema_is_json_schema_of_the_keywords_the_checker_knows(name: str) -> None:
    Draft202012Validator.check_schema(RULE_SCHEMAS[name])
    assert _keywords(RULE_SCHEMAS[name]) <= SCHEMA_KEYWORDS


# The reference implementation costs about 60 µs a row: of a generated list longer than this (the
# 266k companies) it sees every row with a first cell that is not all Han characters (the rows a
# pattern could read differently) and every 50th row; our own checker reads every row above.
REFERENCE_ROWS = 5_000
_ALL_HAN = re.compile(r"[\u4e00-\u9fff]+")


def _jsonschema_errors(path: Path) -> Iterator[str]:
    """What the reference implementation says of a file (rows as mappings column -> cell for a TSV)."""
    if path.suffix == ".tsv":
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
        body = rows[1:]
        if len(body) > REFERENCE_ROWS:
            body = [row for i, row in enumerate(body) if i % 50 == 0 or not _ALL_HAN.fullmatch(row[0])]
        data: object = [dict(zip(rows[0], row)) for row in body]
    else:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return (e.message for e in Draft202012Validator(RULE_SCHEMAS[path.name]).iter_errors(data))


@pytest.mark.parametrize("name", RULE_FILES)
def test_rule_file_opens_with_a_comment_saying_what_it_is(name: str) -> None:
    first = (rules_dir() / name).read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# ") and len(first) > 20, first


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_entry_matches_its_schema(name: str) -> None:
    path = rules_dir() / name
    if name.endswith(".tsv"):
        rows = parse_tsv_rules(path)
        assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    else:
        data = parse_yaml_rules(path)
        assert isinstance(data, dict) and data
        assert data == yaml.safe_load(path.read_text(encoding="utf-8"))  # the fast loader reads the same
    assert list(_jsonschema_errors(path)) == []


def test_loaders_return_what_the_readers_index() -> None:
    """read_tsv keeps its shape (header first, lists the readers may extend), load_yaml its mapping."""
    rows = resources.read_tsv("countries.tsv")
    assert rows[0] == ["alpha2", "name", "official_name"]
    assert ["CN", "中国", "中华人民共和国"] in rows
    rows[1].append("scratch")
    assert resources.read_tsv("countries.tsv")[1] != rows[1]
    assert resources.load_yaml("units.yaml")["money"]["CNY"]["元"] == 1


# --- broken files are refused -------------------------------------------------------------------

def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of a real rule file with one piece of text replaced (old must occur in it)."""
    text = (rules_dir() / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    parse = parse_tsv_rules if path.suffix == ".tsv" else parse_yaml_rules
    with pytest.raises(RuleFileError) as info:
        parse(path)
    message = str(info.value)
    assert str(path) in message
    if "does not match its schema" in message:
        assert next(_jsonschema_errors(path), None), "the reference implementation finds no fault"
    return message


# (rule file, text in it, the text put in its place, what the refusal must say)
BROKEN_FILES = [
    ("units.yaml", "CNY: {元: 1,", "CNY: {元: one,", ["entry money.CNY.元", "'one' is not of type 'number'"]),
    ("vetoes.yaml", "idioms: [最后一公里,", "idioms: [2025, 最后一公里,", ["entry idioms[0]: 2025 is not of type 'string'"]),
    ("changes.yaml", "direct_only: [新增,", 'direct_only: ["", 新增,', ["entry direct_only[0]", "should be non-empty"]),
    ("link.yaml", "metric_stops:", "metric_stop:", ["'metric_stop' was unexpected", "'metric_stops' is a required property"]),
    ("time.yaml", "  head_chars: 300", "  head_char: 300", ["entry document_date", "'head_char' was unexpected"]),
    ("time.yaml", "  今年: 0\n", "  2025: 0\n", ["entry relative_years", "key 2025"]),
    ("time.yaml", "十四五: [2021, 2025]", "十四五: [2021]", ["entry plans.十四五", "too short"]),
    ("approx.yaml", "suffix:\n  about: [左右, 上下, 前后]\n  over: [以上, 开外, 有余]\n  under: [以下, 以内, 之内]",
     "suffix: [左右, 上下]", ["entry suffix", "is not of type 'object'"]),
    ("changes.yaml", "gap_max: 8", "gap_max: 8\ngap_max: 9", ["'gap_max' given twice", "line"]),
    ("divisions.tsv", "110000\t北京市\tprovince\t\t北京\n", "110000\t北京市\tprovince\n",
     ["line 3: 3 cells, the header has 5"]),
    ("divisions.tsv", "110101\t东城区\tcounty\t110000", "110101\t东城区\tdistrict\t110000",
     ["line 4 (110101), column level", "'district' does not match"]),
    ("countries.tsv", "alpha2\tname", "code\tname", ["the header row must be ['alpha2', 'name', 'official_name']"]),
]


@pytest.mark.parametrize(("name", "old", "new", "says"), BROKEN_FILES,
                         ids=[f"{name}:{says[0][:30]}" for name, _o, _n, says in BROKEN_FILES])
def test_a_broken_rule_file_is_refused_with_the_entry_and_the_fault(
        tmp_path: Path, name: str, old: str, new: str, says: list[str]) -> None:
    message = _refusal(_broken(tmp_path, name, old, new))
    for fragment in says:
        assert fragment in message


def test_a_file_without_its_comment_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vetoes.yaml"
    path.write_text("idioms: [一看]\n", encoding="utf-8")
    assert "line 1 must be a comment" in _refusal(path)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    assert "not valid YAML" in _refusal(_broken(tmp_path, "vetoes.yaml", "idioms: [", "idioms: [[["))


def test_a_rule_file_without_a_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text("# holidays\nnames: [春节]\n", encoding="utf-8")
    assert "no schema for this rule file" in _refusal(path)


def test_the_loader_checks_the_file_it_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _broken(tmp_path, "numerals.yaml", "and_fraction: [又]", "and_fraction: []")
    monkeypatch.setattr(resources, "rules_dir", lambda: tmp_path)
    with pytest.raises(RuleFileError, match=r"entry and_fraction: \[\] should be non-empty"):
        resources.load_yaml.__wrapped__("numerals.yaml")


# --- the schemas check structure, not content: new entries need no schema change ---------------------

def test_new_entries_of_known_kinds_pass(tmp_path: Path) -> None:
    units = _broken(tmp_path, "units.yaml", "  AED: {迪拉姆: 1}", "  AED: {迪拉姆: 1}\n  XAU: {盎司黄金: 1}")
    assert parse_yaml_rules(units)["money"]["XAU"] == {"盎司黄金": 1}
    time = _broken(tmp_path, "time.yaml", "  今天: 0\n", "  今天: 0\n  今儿: 0\n")
    assert parse_yaml_rules(time)["relative_days"]["今儿"] == 0
    orgs = _broken(tmp_path, "org_names.yaml", "  - 中国石化\n", "  - 中国石化\n  - 某某控股\n")
    assert "某某控股" in parse_yaml_rules(orgs)["organizations"]
