"""Where the rule data and the trained model live, and the schema every rule file is checked against.

The wheel carries `rules/` as `extract/rules/` (see pyproject's force-include); an editable
install or a plain checkout reads the top-level `rules/` folder instead. Everything is read-only:
nothing is ever unpacked or written next to the package (a read-only site-packages must work).

Every rule file has a schema in `RULE_SCHEMAS` (JSON Schema, a few keywords of it) that is
checked the first time `load_yaml` or `read_tsv` reads the file, with its comment line on top and
(YAML) no key given twice. A broken file stops the program with a `RuleFileError` naming the file,
the entry and what is wrong, rather than a KeyError or a silently wrong rule far from the cause.
The schemas check structure and types (a word list holds non-empty strings, a factor is a number,
a file has the keys its reader expects and no unknown one), not content: a new currency, unit,
time word or company name needs no change here; a new key or a new rule file does.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

_PKG = Path(__file__).resolve().parent


class RuleFileError(ValueError):
    """A rule file that does not match its schema; the message names the file, the entry and the fault."""


# --- schema building blocks -------------------------------------------------------------------

_WORD: dict[str, Any] = {"type": "string", "minLength": 1}
_CHARS: dict[str, Any] = {"type": "string", "minLength": 1}  # a set of characters written as one string
_INT: dict[str, Any] = {"type": "integer"}
_NUMBER: dict[str, Any] = {"type": "number"}
_FLAG: dict[str, Any] = {"type": "boolean"}
_WORDS: dict[str, Any] = {"type": "array", "items": _WORD}


def _nonempty(schema: dict[str, Any]) -> dict[str, Any]:
    """A list that its reader indexes or takes the maximum of: at least one item."""
    return {**schema, "minItems": 1}


def _map(values: dict[str, Any], keys: dict[str, Any] = _WORD) -> dict[str, Any]:
    """A mapping whose keys are open (words, codes): every key and every value checked."""
    return {"type": "object", "propertyNames": keys, "additionalProperties": values}


def _pair(item: dict[str, Any]) -> dict[str, Any]:
    """[first, last] of a span (years, offsets, days)."""
    return {"type": "array", "prefixItems": [item, item], "items": False, "minItems": 2}


def _record(fields: dict[str, dict[str, Any]], optional: Iterable[str] = (),
            all_optional: bool = False) -> dict[str, Any]:
    """A mapping with a closed set of keys; all required except `optional` (those read with a default)."""
    required = [] if all_optional else [k for k in fields if k not in set(optional)]
    return {"type": "object", "properties": fields, "required": required, "additionalProperties": False}


def _table(columns: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A TSV file: its header row must be exactly the columns, in order; each row is checked as a
    mapping column -> cell."""
    return {"type": "array", "items": _record(columns)}


def _cell(pattern: str) -> dict[str, Any]:
    """A TSV cell: a string matching `pattern` (searched: anchor it to match whole); "" allows any."""
    return {"type": "string", "pattern": pattern}


_DIGITS_KEY: dict[str, Any] = {"anyOf": [_INT, {"type": "string", "pattern": "^[0-9]+$"}]}
_DAY: dict[str, Any] = {"anyOf": [_INT, {"const": "last"}]}
_SURFACES: dict[str, Any] = _map(_map(_NUMBER))  # canonical unit -> {written form: factor}

# One schema per rule file. time.yaml's keys are all optional (its reader has a use for each one it
# finds); the others' are required except where the reader has a default.
RULE_SCHEMAS: dict[str, dict[str, Any]] = {
    "approx.yaml": _record({
        "prefix": _map(_nonempty(_WORDS)),
        "suffix": _map(_nonempty(_WORDS)),
        "odd": _WORD,
        "not_after": {"anyOf": [{"type": "null"}, _map(_WORDS)]},
    }, optional=["not_after"]),
    "changes.yaml": _record({
        "change": _record({"up": _WORDS, "down": _WORDS}),
        "gap": _WORDS,
        "gap_max": _INT,
        "gap_stops": _WORDS,
        "not_change": _WORDS,
        "basis": _map(_WORDS),
        "direct_only": _WORDS,
        "adjacent": _map(_WORDS),
        "adjacent_not_after": _WORD,
        "after_number_before": _WORDS,
        "verb_compounds": _WORDS,
        "doubling": _WORD,
        "basis_not_after": _map(_CHARS),
    }),
    "countries.tsv": _table({
        "alpha2": _cell("^[A-Z]{2}$"),
        "name": _cell(r"^\S"),
        "official_name": _cell(""),
    }),
    "holidays.tsv": _table({
        "year": _cell("^[0-9]{4}$"),
        "holiday": _cell("^[a-z_]+$"),
        "day": _cell("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        "first": _cell("^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?$"),
        "last": _cell("^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?$"),
    }),
    "divisions.tsv": _table({
        "code": _cell("^[0-9]{6}$"),
        "name": _cell(r"^\S"),
        "level": _cell("^(?:province|prefecture|county)$"),
        "parent": _cell("^(?:[0-9]{6})?$"),
        "short": _cell(""),
    }),
    "link.yaml": _record({
        "strip_left": _WORDS,
        "strip_right": _WORDS,
        "metric_stops": _WORDS,
        "metric_stops_not_before": _WORDS,
        "metric_nouns": _WORDS,
        "numeral_word_ends": _WORD,
        "collective": _map(_WORDS),
        "collective_not_words": _WORDS,
        "region_names": _map(_WORD),
        "not_subject_before": _WORDS,
        "not_subject_suffixes": _WORDS,
        "byline_after": _WORD,
        "country_codes": _map(_cell("^[A-Z]{2}$")),
        "comparison_words": _WORDS,
        "comparison_not_before": _WORDS,
        "comparison_not_after": _WORDS,
        "subject_nouns": _WORDS,
        "descriptive_subject": _WORD,
        "anaphors": _WORDS,
        "organization_count_units": _WORDS,
        "organization_group_nouns": _WORDS,
        "relatively_before": _WORDS,
        "comparatives": _record({"up": _WORDS, "down": _WORDS}),
        "earlier_comparands": _WORDS,
        "growth_nouns": _record({"up": _WORDS, "down": _WORDS}),
        "moment_suffixes": _WORDS,
    }),
    "numerals.yaml": _record({
        "digits": _map(_WORDS, keys=_DIGITS_KEY),
        "not_digit_by_digit": _WORDS,
        "small_units": _map(_WORDS, keys=_DIGITS_KEY),
        "big_units": _map(_WORDS, keys=_DIGITS_KEY),
        "point": _WORDS,
        "negative": _WORDS,
        "vague_digit": _WORDS,
        "odd_markers": _WORDS,
        "and_fraction": _nonempty(_WORDS),
    }),
    "org_companies.tsv": _table({
        "name": _cell(r"^[\u4e00-\u9fffA-Za-z0-9]{2,}$"),
        "use": _cell("^(?:feature|rule)$"),
        "source": _cell("^(?:listed|listed_hk|short_form)$"),
    }),
    "org_names.yaml": _record({"organizations": _WORDS, "media": _WORDS}),
    "org_patterns.yaml": _record({
        "max_middle": _INT,
        "middle_stop": _CHARS,
        "weak_suffixes": _WORDS,
        "division_bodies": _WORDS,
        "generic_suffixes": _WORDS,
        "generic_max_middle": _INT,
        "generic_bare": _WORDS,
        "not_alone": _WORDS,
        "suffixes": _nonempty(_WORDS),
        "trade_words": _nonempty(_WORDS),
        "sector_trade_words": _WORDS,
        "trade_not_before": _WORDS,
        "trade_not_names": _WORDS,
        "org_final_chars": _CHARS,
        "index_words": _nonempty(_WORDS),
        "legal_forms": _nonempty(_WORDS),
        "org_lead_words": _WORDS,
        "org_count_words": _WORDS,
        "latin_function_words": _nonempty(_WORDS),
    }, optional=["weak_suffixes", "division_bodies"]),
    "person_patterns.yaml": _record({
        "roles": _WORDS,
        "after": _WORDS,
        "single_surnames": _CHARS,
        "double_surnames": _WORDS,
        "transliteration_chars": _CHARS,
        "all_surnames": _CHARS,
        "person_after": _WORDS,
        "numerals": _CHARS,
        "title_after": _WORDS,
        "job_titles": _nonempty(_WORDS),
        "title_head_not_first": _CHARS,
    }),
    "place_patterns.yaml": _record({
        "max_middle": _INT,
        "suffixes": _nonempty(_WORDS),
        "modifiers": _WORDS,
        "closed_tags": _WORDS,
        "verb_tags": _WORDS,
        "function_tags": _WORDS,
        "generic_prefixes": _CHARS,
        "generic_areas": _WORDS,
        "place_final": _CHARS,
        "trailing_position": _WORDS,
        "not_place_ends": _WORDS,
        "people_suffixes": _CHARS,
        "town_not_in": _CHARS,
        "town_stops": _CHARS,
        "town_count_end": _CHARS,
    }),
    "places_extra.yaml": _record({
        "country_aliases": _WORDS,
        "regions": _WORDS,
        "landmarks": _WORDS,
        "world_cities": _WORDS,
        "abbreviations": _WORDS,
        "continents": _WORDS,
        "not_in_runs": _WORDS,
        "pair_members": _WORDS,
        "after_preposition": _record({
            "prepositions": _WORDS,
            "only_hua": _WORDS,
            "not_before_punct": _WORDS,
            "followers": _WORDS,
            "provinces": _WORDS,
            "home_followers": _WORDS,
        }),
        "pair_followers": _WORDS,
        "province_abbreviations": _WORDS,
        "standalone_after": _WORDS,
        "single_followers": _WORDS,
        "fang_exclude": _WORDS,
        "not_alone": _WORDS,
    }, optional=["not_alone"]),
    "ranges.yaml": _record({"connectors": _nonempty(_WORDS), "enumerators": _nonempty(_WORDS)}),
    "regions.yaml": _record({
        "regions": _map(_record({"currency": _cell("^[A-Z]{3}$"), "words": _nonempty(_WORDS)})),
        "min_votes": _INT,
        "mainland": _WORDS,
    }),
    "t2s.tsv": _table({
        "traditional": _cell(r"^\S+$"),
        "simplified": _cell(r"^\S+$"),
    }),
    "time.yaml": _record({
        "fiscal_years": _record({"pattern": _WORD, "start_month": _INT}),
        "guards": _record({
            "not_a_point_before": _WORDS,
            "cn_day_not_before": _WORDS,
            "ordinal": _WORDS,
            "plan_not_before": _WORDS,
            "open_quotes": _WORDS,
            "close_quotes": _WORDS,
            "week_not_before": _WORDS,
            "bare_weekday_not_after": _WORDS,
            "not_an_age_before": _WORDS,
            "count_not_after": _WORDS,
            "bare_weekday_after_words": _WORDS,
            "suffix_not_before": _WORDS,
            "holiday_day_not_before": _WORDS,
        }),
        "bare_year_range_before": _WORDS,
        "holiday_names": _map(_cell("^[a-z_]+$")),
        "marked_holiday_names": _map(_cell("^[a-z_]+$")),
        "holiday_words": _WORDS,
        "reported_relative": _WORDS,
        "two_digit_year_pivot": _INT,
        "plans": _map(_pair(_INT)),
        "plan_ambiguous": _WORDS,
        "plan_markers": _WORDS,
        "plan_parts": _map(_WORD),
        "year_parts": _map({"type": "array", "prefixItems": [_WORD, _INT, _INT], "items": False,
                            "minItems": 3}),
        "points": _map(_pair(_DAY)),
        "year_points": _WORDS,
        "month_points": _WORDS,
        "part_points": _WORDS,
        "relative_years": _map(_INT),
        "relative_not_after": _WORDS,
        "relative_not_before": _WORDS,
        "context_years": _map(_INT),
        "relative_year_ranges": _map(_pair(_INT)),
        "relative_months": _map(_INT),
        "context_months": _map(_INT),
        "relative_quarters": _map(_INT),
        "relative_days": _map(_INT),
        "context_days": _map(_INT),
        "week_prefixes": _map(_INT),
        "week_words": _WORDS,
        "weekdays": _map(_INT),
        "weekend": _WORD,
        "this_year_words": _WORDS,
        "centuries": _map(_INT),
        "duration_units": _map(_WORD),
        "within_words": _WORDS,
        "approx_pairs": _WORDS,
        "window_prefixes": _map(_WORD),
        "window_suffixes": _WORDS,
        "year_points_alone": _WORDS,
        "month_points_alone": _WORDS,
        "point_alone_not_after": _WORDS,
        "by_prefixes": _map(_WORD),
        "by_prefix_not_after": _WORDS,
        "now_words": _WORDS,
        "now_alone": _WORDS,
        "since_suffixes": _WORDS,
        "from_suffixes": _WORDS,
        "by_suffixes": _WORDS,
        "before_suffixes": _WORDS,
        "period_suffixes": _WORDS,
        "list_connectors": _WORDS,
        "pair_connectors": _WORDS,
        "baseline_before": _WORDS,
        "same_period": _WORDS,
        "target_after": _WORDS,
        "coordination": _WORDS,
        "document_date": _record({
            "head_chars": _INT,
            "tail_lines": _INT,
            "credit_line_chars": _INT,
            "dateline_after": _WORDS,
            "dateline_before": _WORDS,
            "reporter_words": _WORDS,
            "header_labels": _WORDS,
            "lead_punct": _WORDS,
        }),
    }, all_optional=True),
    "units.yaml": _record({
        "money": _SURFACES,
        "measure": _SURFACES,
        "percent": _SURFACES,
        "pp": _SURFACES,
        "multiple": _SURFACES,
        "discount": _SURFACES,
        "count": _WORDS,
        "time": _WORDS,
        "rate_time": _map(_WORD),
        "guards": _map(_record({"not_followed_by": _WORDS, "needs_magnitude_or_digits": _FLAG},
                               optional=["not_followed_by", "needs_magnitude_or_digits"])),
        "regional_money": _WORDS,
        "symbols": _map(_WORD),
        "regional_symbols": _WORDS,
        "subunits": _record({"after": _WORDS, "units": _map(_NUMBER), "not_followed_by": _WORDS}),
        "index_points": _record({"words": _nonempty(_WORDS), "not_followed_by": _WORDS, "names": _WORDS}),
        "rate_as_written": _WORDS,
        "per_unit_nouns": _WORDS,
        "amount_nouns": _nonempty(_WORDS),
        "half_not_before": _WORDS,
    }, optional=["guards"]),
    "vetoes.yaml": _record({
        "idioms": _WORDS,
        "vague_before": _WORDS,
        "lone_financial": _WORDS,
        "fiscal_year": _WORD,
    }),
}


# --- compact forms, built once per machine ----------------------------------------------------

def cache_dir() -> Path:
    """A cache folder owned by the current user (created if needed): ``$XDG_CACHE_HOME/extract``
    or ``~/.cache/extract``, else a per-user temp folder; never inside site-packages."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates = [Path(base) / "extract"]
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    candidates.append(Path(tempfile.gettempdir()) / f"extract-{uid}")
    for path in candidates:
        try:
            path.mkdir(parents=True, exist_ok=True)
            if os.access(path, os.W_OK):
                return path
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="extract-"))


def derived(name: str, sources: Sequence[Path], build: Callable[[], Any], salt: str = "") -> Any:
    """``build()``, a value computed from the files ``sources`` (a rule file, jieba's dictionary),
    kept as marshal in the per-user cache folder and keyed by the files' contents and ``salt``.

    Why: parsing a large rule file costs tenths of a second on every start of every process; the
    marshal form loads in a few milliseconds. The key is the content (not a modification time), so
    every virtual environment with the same files shares one entry, and an edited rule file gets a
    new one: the data stays in ``rules/``. The value must be marshal-able (str, numbers, bool,
    None and their dicts, lists, tuples, sets). Entries of ``name`` for other contents, and any
    untouched for 30 days, are removed, so the folder does not grow."""
    crc = zlib.crc32(salt.encode("utf-8"))
    for source in sources:
        st = source.stat()
        crc = zlib.crc32(_content_crc(str(source), st.st_size, st.st_mtime_ns).to_bytes(4, "big"), crc)
    path = cache_dir() / f"{name}.{crc:08x}.marshal"
    try:
        with path.open("rb") as fh:
            return marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(value, fh)
        os.replace(tmp, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
    _drop_stale(path, name)
    return value


@cache
def _content_crc(path: str, size: int, mtime_ns: int) -> int:
    """CRC-32 of a file's contents, read once per process (size and mtime: a file changed since)."""
    with open(path, "rb") as fh:
        return zlib.crc32(fh.read())


def _drop_stale(current: Path, name: str) -> None:
    month_ago = time.time() - 30 * 86400
    for path in current.parent.glob("*.marshal"):
        if path == current:
            continue
        try:
            if path.name.startswith(f"{name}.") or path.stat().st_mtime < month_ago:
                path.unlink()
        except OSError:
            continue


# --- reading and checking ---------------------------------------------------------------------

@cache
def rules_dir() -> Path:
    """The folder holding the rule data files."""
    for candidate in (_PKG / "rules", _PKG.parent.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("rule data not found: neither extract/rules nor the checkout's rules/ exists")


def rule_path(name: str) -> Path:
    """Path of one rule file, e.g. ``rule_path("units.yaml")``."""
    path = rules_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"rule file missing: {path}")
    return path


# PyYAML's safe loader on libyaml where it is built (several times faster than the pure-Python one,
# same data); the tests read their YAML case tables and golden files with it too.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(SAFE_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, but a key given twice in one mapping is an error (PyYAML keeps the last
    one silently, so half of a rule would vanish)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice in one mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _UniqueKeyLoader.construct_mapping)

# The JSON Schema keywords the schemas above use, checked by `schema_faults` (tests/test_rules.py
# checks the schemas and the files with the `jsonschema` library too).
SCHEMA_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "propertyNames",
                             "items", "prefixItems", "minItems", "minLength", "pattern", "enum", "const",
                             "anyOf"})
_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + " …"


def schema_faults(value: Any, schema: dict[str, Any], path: tuple[Any, ...] = ()
                  ) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every place where `value` breaks `schema` (a JSON Schema of the keywords in SCHEMA_KEYWORDS),
    as (path to the entry, what is wrong). A small checker rather than the `jsonschema` library,
    whose import alone (its meta-schema registry) costs more start-up than checking every rule file."""
    if "anyOf" in schema:
        if all(next(schema_faults(value, option, path), None) for option in schema["anyOf"]):
            yield path, f"{_show(value)} matches none of the allowed forms"
        return
    kind = schema.get("type")
    if kind is not None and not _TYPES[kind](value):
        yield path, f"{_show(value)} is not of type {kind!r}"
        return
    if "const" in schema and value != schema["const"]:
        yield path, f"{schema['const']!r} was expected, found {_show(value)}"
    if "enum" in schema and value not in schema["enum"]:
        yield path, f"{_show(value)} is not one of {schema['enum']}"
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            yield path, f"{_show(value)} should be non-empty"
        if "pattern" in schema and not regex.search(schema["pattern"], value):
            yield path, f"{_show(value)} does not match {schema['pattern']!r}"
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield path, f"{_show(value)} should be non-empty" if schema["minItems"] == 1 \
                else f"{_show(value)} is too short (at least {schema['minItems']} items)"
        prefix = schema.get("prefixItems", [])
        for i, (item, item_schema) in enumerate(zip(value, prefix)):
            yield from schema_faults(item, item_schema, (*path, i))
        rest = schema.get("items", True)
        if rest is False and len(value) > len(prefix):
            yield path, f"{_show(value)} is too long (at most {len(prefix)} items)"
        elif isinstance(rest, dict):
            for i in range(len(prefix), len(value)):
                yield from schema_faults(value[i], rest, (*path, i))
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                yield path, f"{key!r} is a required property"
        key_schema = schema.get("propertyNames")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key_schema is not None:
                for _, fault in schema_faults(key, key_schema):
                    yield path, f"key {fault}"
            if key in properties:
                yield from schema_faults(item, properties[key], (*path, key))
            elif extra is False:
                yield path, f"{key!r} was unexpected (not one of this mapping's keys)"
            elif isinstance(extra, dict):
                yield from schema_faults(item, extra, (*path, key))


def _entry(path: Sequence[Any]) -> str:
    """units.yaml's ("money", "CNY", "元") -> money.CNY.元; list positions as [3]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_for(path: Path) -> dict[str, Any]:
    schema = RULE_SCHEMAS.get(path.name)
    if schema is None:
        raise RuleFileError(f"{path}: no schema for this rule file; add one to RULE_SCHEMAS in "
                            f"extract/{Path(__file__).name}")
    return schema


def _check_comment_line(path: Path, first_line: str) -> None:
    if not first_line.startswith("#"):
        raise RuleFileError(f"{path}: line 1 must be a comment saying what the file is, found {first_line[:60]!r}")


def _fail(path: Path, faults: list[str]) -> None:
    shown = faults[:10] + ([f"… and {len(faults) - 10} more"] if len(faults) > 10 else [])
    raise RuleFileError(f"{path} does not match its schema:\n  " + "\n  ".join(shown)
                        + f"\n(the schemas: RULE_SCHEMAS in extract/{Path(__file__).name}; a new key goes there)")


def parse_yaml_rules(path: Path) -> Any:
    """Parse and check one YAML rule file at any path, by the schema for its file name."""
    schema = _schema_for(path)
    text = path.read_text(encoding="utf-8")
    _check_comment_line(path, text.split("\n", 1)[0])
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path}: not valid YAML: {exc}") from None
    faults = [f"entry {_entry(where)}: {what}" for where, what in schema_faults(data, schema)]
    if faults:
        _fail(path, faults)
    return data


def parse_tsv_rules(path: Path) -> tuple[tuple[str, ...], ...]:
    """Rows of one TSV rule file at any path (header first; blank lines and ``#`` comments skipped),
    checked by the schema for its file name: the header names the schema's columns in order, every
    row has one cell per column and each cell matches its column."""
    columns = _schema_for(path)["items"]["properties"]
    names = list(columns)
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if number == 1:
                _check_comment_line(path, line)
            if not line.strip() or line.startswith("#"):
                continue
            rows.append(tuple(line.split("\t")))
            lines.append(number)
    if not rows or list(rows[0]) != names:
        found = list(rows[0]) if rows else "nothing"
        raise RuleFileError(f"{path}: the header row must be {names}, found {found}")
    # a column given as a string pattern is checked by the compiled pattern first (divisions.tsv has
    # 16,000 cells); the full checker runs where that fails, to say why
    quick = [regex.compile(schema["pattern"]) if schema.keys() == {"type", "pattern"} else None
             for schema in columns.values()]
    faults = []
    for line, row in zip(lines[1:], rows[1:]):
        if len(row) != len(names):
            faults.append(f"line {line}: {len(row)} cells, the header has {len(names)}")
            continue
        for name, cell, pattern in zip(names, row, quick):
            if pattern is None or not pattern.search(cell):
                faults += [f"line {line} ({row[0]}), column {name}: {what}"
                           for _, what in schema_faults(cell, columns[name])]
    if faults:
        _fail(path, faults)
    return tuple(rows)


@cache
def load_yaml(name: str) -> Any:
    """Parse and check a YAML rule file once per process."""
    return parse_yaml_rules(rule_path(name))


@cache
def _tsv_rows(name: str) -> tuple[tuple[str, ...], ...]:
    return parse_tsv_rules(rule_path(name))


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a TSV rule file (header first), read and checked once per process; fresh lists for
    each caller."""
    return [list(row) for row in _tsv_rows(name)]


def longest_by_char(words: Iterable[str], index: int) -> dict[str, int]:
    """Character at ``index`` of a word (0: first, -1: last) -> the length of the longest such word:
    the only lengths worth probing for a word that starts (or ends) at a position, and none at all
    beside most characters."""
    longest: dict[str, int] = {}
    for w in words:
        longest[w[index]] = max(longest.get(w[index], 0), len(w))
    return longest


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so that the longest one wins
    (the rule files list words in any order; 同比增长 must win over 增长)."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
