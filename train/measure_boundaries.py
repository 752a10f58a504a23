"""Share of gold entities whose boundaries cross jieba token boundaries.

    python train/measure_boundaries.py            # default dictionary and the project user dictionary

An entity "crosses" when its start or its end falls inside a jieba token. A token-level tagger can
never produce such a span exactly, so this share caps its recall: it decided that the statistical
model reads characters (see MODEL_CARD.md). Text is normalized as at run time (full-width ASCII to
ASCII, 1:1). Results go to stdout and to train/boundaries.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nerdata import TEST_FILE, TRAIN_FILE, load_jsonl  # noqa: E402

from extract.entities.model.network import normalize  # noqa: E402
from extract.text import segment  # noqa: E402


def crossing(rows: list[dict], tok) -> dict:
    total = cross = 0
    by_label: dict[str, list[int]] = {}
    for r in rows:
        text = normalize(r["text"])
        bounds = {0}
        pos = 0
        for w in tok.lcut(text):
            pos += len(w)
            bounds.add(pos)
        for s, e, lab in r["entities"]:
            bad = s not in bounds or e not in bounds
            total += 1
            cross += bad
            acc = by_label.setdefault(lab, [0, 0])
            acc[0] += 1
            acc[1] += bad
    return {"entities": total, "crossing": cross, "share": cross / total if total else 0.0,
            "by_label": {k: {"entities": v[0], "crossing": v[1], "share": v[1] / v[0]}
                         for k, v in sorted(by_label.items())}}


def main() -> None:
    from extract.text.segment import user_words  # the project user dictionary, built from rules/

    files = [f for f in (TRAIN_FILE, TEST_FILE) if f.exists()]
    if not files:
        print("skipped: ../shared/ner not found")
        return
    tokenizers = {"default": segment.new_tokenizer(), "user_dict": segment.new_tokenizer(user_words())}
    result = {}
    for f in files:
        rows = load_jsonl(f)
        for name, tok in tokenizers.items():
            res = crossing(rows, tok)
            result[f"{f.name}/{name}"] = res
            labels = " ".join(f"{k} {v['share']:.1%}" for k, v in res["by_label"].items())
            print(f"{f.name:18s} {name:9s} {res['crossing']:6d}/{res['entities']:6d} = {res['share']:.1%}"
                  f"  ({labels})")
    out = Path(__file__).resolve().parent / "boundaries.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
