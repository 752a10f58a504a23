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
from pathlib import Path

import pytest
import yaml

from extract.decode import decode_bytes
from extract.pipeline import extract_document
from extract.textview import TRANSLATE

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


def score_document(text: str, expected: list[dict]) -> dict:
    ours = extract_document(text).quantities
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


def _documents(which: str) -> list[tuple[str, str, list[dict]]]:
    golden = yaml.safe_load((GOLDEN / f"{which}.yaml").read_text(encoding="utf-8")) or {}
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


def _report(which: str, res: dict) -> str:
    lines = [f"{which}: P {res['precision']:.3f} R {res['recall']:.3f} F1 {res['f1']:.3f} "
             f"({res['right']} right of {res['n_expected']} expected, {res['n_ours']} found); "
             f"attributes {res['attr_acc']:.3f}"]
    for name, d in res["docs"].items():
        for kind in ("missed", "extra", "wrong_value", "attr_notes"):
            for item in d[kind]:
                lines.append(f"  {name} {kind}: {item}")
    return "\n".join(lines)


if __name__ == "__main__":
    for which in sys.argv[1:] or ["corpus", "seeds"]:
        print(_report(which, score(which)))
