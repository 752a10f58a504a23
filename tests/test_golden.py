"""Golden tests: the extractor against hand-written expectations for corpus/ and the two seeds.

The expectations (tests/golden/*.yaml) were written by reading the articles, before and apart
from the program. A quantity counts as right when its surface, value and canonical unit all
match; attributes (approx, change, basis, kind, value_high) are scored on the matched ones.
`python tests/test_golden.py` prints every disagreement.
"""

from __future__ import annotations

import difflib
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

from extract.io.decode import decode_bytes
from extract.pipeline import Extraction, extract_document
from extract.resources import SAFE_LOADER
from extract.text.view import TRANSLATE

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SEEDS = ROOT.parent / "shared" / "seeds"
ATTRS = ("kind", "approx", "change", "basis")


def _norm(surface: str) -> str:
    """Surface compared without line breaks (hard-wrapped files) and with full-width folded."""
    return "".join(line.strip() for line in surface.splitlines()).translate(TRANSLATE)


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = Decimal(str(a)), Decimal(str(b))
    return abs(a - b) <= max(abs(b), Decimal(1)) * Decimal("1e-6")


@cache
def _extraction(text: str) -> Extraction:
    """Each golden text is extracted once per process: the quantity, fact and entity scores all read it."""
    return extract_document(text)


def score_document(text: str, expected: list[dict]) -> dict:
    ours = _extraction(text).quantities
    a = [_norm(e["text"]) for e in expected]
    b = [_norm(o["text"]) for o in ours]
    pairs = []
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        pairs += [(block.a + k, block.b + k) for k in range(block.size)]
    right, wrong_value, attr_ok, attr_total, notes = 0, [], 0, 0, []
    matched_e = {i for i, _ in pairs}
    matched_o = {j for _, j in pairs}
    for i, j in pairs:
        e, o = expected[i], ours[j]
        if _close(o["value"], e["value"]) and o["unit"] == e["unit"]:
            right += 1
        else:
            wrong_value.append(f"{e['text']}: want {e['value']} {e['unit']}, got {o['value']} {o['unit']}")
        for attr in ATTRS:
            attr_total += 1
            if o.get(attr) == e.get(attr):
                attr_ok += 1
            else:
                notes.append(f"{e['text']}: {attr} want {e.get(attr)} got {o.get(attr)}")
        attr_total += 1
        if _close(o.get("value_high"), e.get("value_high")):
            attr_ok += 1
        else:
            notes.append(f"{e['text']}: value_high want {e.get('value_high')} got {o.get('value_high')}")
    missed = [expected[i]["text"] for i in range(len(expected)) if i not in matched_e]
    extra = [ours[j]["text"] for j in range(len(ours)) if j not in matched_o]
    return {"right": right, "n_expected": len(expected), "n_ours": len(ours), "missed": missed,
            "extra": extra, "wrong_value": wrong_value, "attr_ok": attr_ok, "attr_total": attr_total,
            "attr_notes": notes}


@cache
def _golden(which: str) -> dict:
    """The golden file, read once (with libyaml where built: the pure-Python parser takes seconds)."""
    return yaml.load((GOLDEN / f"{which}.yaml").read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}


def _documents(which: str) -> list[tuple[str, str, list[dict]]]:
    golden = _golden(which)
    folder = ROOT / "corpus" if which == "corpus" else SEEDS
    docs = []
    for name, spec in sorted(golden.items()):
        path = folder / name
        if not path.exists():
            continue
        docs.append((name, decode_bytes(path.read_bytes()).text, spec.get("quantities") or []))
    return docs


def score(which: str) -> dict:
    total = {"right": 0, "n_expected": 0, "n_ours": 0, "attr_ok": 0, "attr_total": 0}
    per_doc = {}
    for name, text, expected in _documents(which):
        res = score_document(text, expected)
        per_doc[name] = res
        for k in total:
            total[k] += res[k]
    p = total["right"] / total["n_ours"] if total["n_ours"] else 0.0
    r = total["right"] / total["n_expected"] if total["n_expected"] else 0.0
    total["precision"], total["recall"] = p, r
    total["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    total["attr_acc"] = total["attr_ok"] / total["attr_total"] if total["attr_total"] else 0.0
    total["docs"] = per_doc
    return total


def test_corpus_quantities_f1() -> None:
    res = score("corpus")
    assert res["n_expected"] > 300, "the corpus golden file should cover every article"
    assert res["f1"] >= 0.95, _report("corpus", res)
    assert res["attr_acc"] >= 0.95, _report("corpus", res)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
def test_seed_quantities_f1() -> None:
    res = score("seeds")
    assert res["n_expected"] > 40
    assert res["f1"] >= 0.95, _report("seeds", res)
    assert res["attr_acc"] >= 0.95, _report("seeds", res)


# Agreement with the hand-written facts, set under the rates measured when linking landed
# (corpus: metric 0.96, subject 0.82, period 0.99; seeds: 0.89, 0.88, 0.79): regression guards.
FACT_FLOORS = {"corpus": {"metric": 0.92, "subject": 0.78, "period": 0.95},
               "seeds": {"metric": 0.85, "subject": 0.75, "period": 0.75}}


@pytest.mark.parametrize("which", ["corpus", "seeds"])
def test_facts_agree_with_the_golden_files(which: str) -> None:
    if which == "seeds" and not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    res = score_facts(which)
    for field, floor in FACT_FLOORS[which].items():
        ok, n = res["scores"][field]
        assert n > 10 and ok / n >= floor, f"{field}: {ok}/{n}\n" + "\n".join(
            x for x in res["notes"] if f" {field} " in x)


def _report(which: str, res: dict) -> str:
    lines = [f"{which}: P {res['precision']:.3f} R {res['recall']:.3f} F1 {res['f1']:.3f} "
             f"({res['right']} right of {res['n_expected']} expected, {res['n_ours']} found); "
             f"attributes {res['attr_acc']:.3f}"]
    for name, d in res["docs"].items():
        for kind in ("missed", "extra", "wrong_value", "attr_notes"):
            for item in d[kind]:
                lines.append(f"  {name} {kind}: {item}")
    return "\n".join(lines)


def score_facts(which: str) -> dict:
    """Agreement on metric (overlap), subject (equal), period (start and end equal), on matched
    quantities where the golden gives the field; also how often we guess where it gives none."""
    res = {f: [0, 0] for f in ("metric", "subject", "period")}
    guessed_where_null = {f: [0, 0] for f in res}
    notes = []
    for name, text, expected in _documents(which):
        ours = _extraction(text).quantities
        a = [_norm(e["text"]) for e in expected]
        b = [_norm(o["text"]) for o in ours]
        for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                e, o = expected[block.a + k], ours[block.b + k]
                want_period = tuple(str(d) for d in e["period"]) if e.get("period") else None
                got_period = (str(o["period_start"]), str(o["period_end"])) if o.get("period_text") else None
                checks = {
                    "metric": (e.get("metric"), o.get("metric"),
                               lambda w, g: bool(g) and (w in g or g in w or bool(set(w) & set(g)) and _overlap(w, g))),
                    "subject": (e.get("subject"), o.get("subject"), lambda w, g: w == g),
                    "period": (want_period, got_period, lambda w, g: w == g),
                }
                for field, (want, got, ok) in checks.items():
                    if want is None:
                        guessed_where_null[field][1] += 1
                        guessed_where_null[field][0] += got is not None
                        continue
                    res[field][1] += 1
                    if got is not None and ok(want, got):
                        res[field][0] += 1
                    else:
                        notes.append(f"{name} {e['text']}: {field} want {want} got {got}")
    return {"scores": res, "guessed_where_null": guessed_where_null, "notes": notes}


def _overlap(want: str, got: str) -> bool:
    """Two metric strings overlap when they share a run of two or more characters."""
    return any(want[i:i + 2] in got for i in range(len(want) - 1))


# Articles in Traditional script (Hong Kong, Macau, Taiwan) and of markets and company reports:
# their entities are scored apart from the older articles', each group with its own floor.
REGIONAL_AND_MARKET = frozenset({
    "13_hk_budget_traditional.txt", "14_taiwan_statistics_release.txt", "15_macau_tourism_report.txt",
    "16_stock_market_close.txt", "17_listed_company_q3_results.txt",
})
TRADITIONAL = frozenset(n for n in REGIONAL_AND_MARKET if n[:2] in ("13", "14", "15"))


def score_entities(which: str, only: frozenset[str] | None = None, without: frozenset[str] = frozenset()) -> dict:
    """Entity mentions against the golden lists (text and label, aligned in order); ``only`` and
    ``without`` pick documents by name."""
    right = n_exp = n_ours = 0
    notes = []
    for name, path_text, spec in _entity_documents(which):
        if (only is not None and name not in only) or name in without:
            continue
        ours = _extraction(path_text).entities
        a = [(_norm(e["text"]), e["label"]) for e in spec]
        b = [(_norm(o["text"]), o["label"]) for o in ours]
        sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        matched = sum(block.size for block in sm.get_matching_blocks())
        right += matched
        n_exp += len(a)
        n_ours += len(b)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag != "equal":
                notes.append(f"{name}: want {a[i1:i2]} got {b[j1:j2]}")
    p = right / n_ours if n_ours else 0.0
    r = right / n_exp if n_exp else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "right": right, "n_expected": n_exp, "n_ours": n_ours, "notes": notes}


def _entity_documents(which: str):
    golden = _golden(which)
    folder = ROOT / "corpus" if which == "corpus" else SEEDS
    for name, spec in sorted(golden.items()):
        path = folder / name
        if path.exists():
            yield name, decode_bytes(path.read_bytes()).text, spec.get("entities") or []


# Entity agreement with the hand-written lists, set under the measured F1 as a regression guard
# (corpus 0.966, seeds 0.845 with the local-news repairs of extract.entity_post, 2026-11-23).
ENTITY_FLOORS = {"corpus": 0.955, "seeds": 0.825}


@pytest.mark.parametrize("which", ["corpus", "seeds"])
def test_entities_agree_with_the_golden_files(which: str) -> None:
    if which == "seeds" and not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    res = score_entities(which, without=REGIONAL_AND_MARKET)
    assert res["n_expected"] > 100
    assert res["f1"] >= ENTITY_FLOORS[which], "\n".join(res["notes"][:60])


# Measured 2026-12-01 with the view reading Traditional as Simplified: Traditional articles 0.952,
# all five 0.860 (the market articles' misses are the model's: 沪深两市 read as two places, 布伦特)
REGIONAL_ENTITY_FLOORS = {"traditional": (TRADITIONAL, 0.92), "traditional and market": (REGIONAL_AND_MARKET, 0.84)}


@pytest.mark.parametrize("group", sorted(REGIONAL_ENTITY_FLOORS))
def test_entities_of_traditional_and_market_articles(group: str) -> None:
    names, floor = REGIONAL_ENTITY_FLOORS[group]
    res = score_entities("corpus", only=names)
    assert res["n_expected"] > 30
    assert res["f1"] >= floor, "\n".join(res["notes"][:60])


def test_quantities_of_traditional_and_market_articles() -> None:
    """The Traditional-script and market articles alone: quantities F1 0.98 at least."""
    docs = {name: score_document(text, expected) for name, text, expected in _documents("corpus")
            if name in REGIONAL_AND_MARKET}
    right = sum(d["right"] for d in docs.values())
    p = right / sum(d["n_ours"] for d in docs.values())
    r = right / sum(d["n_expected"] for d in docs.values())
    assert len(docs) == len(REGIONAL_AND_MARKET) and 2 * p * r / (p + r) >= 0.98, docs


if __name__ == "__main__":
    for which in sys.argv[1:] or ["corpus", "seeds"]:
        print(_report(which, score(which)))
        facts = score_facts(which)
        for field, (ok, n) in facts["scores"].items():
            guessed, nulls = facts["guessed_where_null"][field]
            print(f"  {field}: {ok}/{n} = {ok / n:.3f} agree; filled where the golden is null: {guessed}/{nulls}")
        ents = score_entities(which)
        print(f"  entities: P {ents['precision']:.3f} R {ents['recall']:.3f} F1 {ents['f1']:.3f}")
        if which == "corpus":
            for label, kw in (("articles 01-12", {"without": REGIONAL_AND_MARKET}),
                              ("Traditional 13-15", {"only": TRADITIONAL}),
                              ("Traditional and market 13-17", {"only": REGIONAL_AND_MARKET})):
                ents = score_entities(which, **kw)
                print(f"  entities, {label}: P {ents['precision']:.3f} R {ents['recall']:.3f} F1 {ents['f1']:.3f}")
