"""Choose how the combiner resolves model/rule overlaps, by measurement on the dev split of train.jsonl.

    python train/combine_study.py

Runs the pipeline once over the dev sentences (never msra_test.jsonl), keeps the model and rule
candidates of every doc, and scores each precedence of ``extract.nlp.combine`` (exact span + label),
plus each layer alone and each rule kind's precision. The winner is DEFAULT_PRECEDENCE in nlp.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from eval_ner import joined, to_sentences  # noqa: E402
from nerdata import SOURCES, TRAIN_FILE, load_jsonl, prf, split_train  # noqa: E402


def dev_layers(plausible_only: bool):
    """Run the pipeline once over the dev split and keep each layer's candidates.

    Returns (dev records, their joined text, sentence starts, texts, gold sets, model spans,
    regex rule spans, gazetteer spans), or None when the training data is absent.
    """
    from extract.entities import language as xnlp
    from extract.entities.find import chunks
    from extract.entities.model.network import normalize

    if not TRAIN_FILE.exists():
        print(f"skipped: {TRAIN_FILE} not found")
        return None
    dev = split_train(load_jsonl(TRAIN_FILE), 13)[1]
    texts = [normalize(r["text"]).replace("\n", " ") for r in dev]
    gold = [{tuple(e) for e in r["entities"]} for r in dev]
    text, starts = joined(texts)
    pipeline = xnlp.load()
    model, rules, gaz = [], [], []
    for s, e in chunks(text):
        doc = pipeline(text[s:e], component_cfg={"extract_entity_combiner": {"set_ents": False}})
        model += [(a + s, b + s, lab) for a, b, lab in doc._.model_spans
                  if not plausible_only or xnlp.plausible(text[a + s:b + s])]
        rules += [(a + s, b + s, lab) for a, b, lab in doc._.rule_spans]
        gaz += [(sp.start_char + s, sp.end_char + s, sp.label_) for sp in doc.spans.get("gazetteer", [])]
    return dev, text, starts, texts, gold, model, rules, gaz


def main() -> None:
    from extract.entities import language as xnlp

    layers = dev_layers(plausible_only=True)
    if layers is None:
        return
    dev, text, starts, texts, gold, model, rules, gaz = layers
    subsets = {"all": list(range(len(texts))), "msra": [i for i, r in enumerate(dev) if r["source"] == "msra"]}
    assert set(SOURCES) >= {r["source"] for r in dev}

    def report(name, spans):
        pred = to_sentences(spans, starts, texts)
        line = [f"{name:28s}"]
        for sub, idx in subsets.items():
            sc = prf([gold[i] for i in idx], [pred[i] for i in idx])["ALL"]
            line.append(f"{sub}: P {sc['p']:.4f} R {sc['r']:.4f} F1 {sc['f1']:.4f}")
        print("  ".join(line))

    print(f"dev split: {len(texts)} sentences")
    report("model alone", model)
    report("rules alone (combined)", [c[:3] for c in xnlp.combine([], rules + gaz, "rule_first")])
    from extract.entities.rules import is_strong_org

    strong = {(s, e) for s, e, lab in rules if lab == "ORG" and is_strong_org(text[s:e])}
    for prec in ("model_first", "model_first_org", "rule_first", "longest"):
        report(f"combined: {prec}", xnlp.combine(model, rules + gaz, prec))
    report("combined: model_first_org, strong ORG suffixes only",
           xnlp.combine(model, rules + gaz, "model_first_org", strong))
    # precision of each rule kind on its own (how far can it be trusted over the model?)
    pred_sets = {"gazetteer LOC": gaz, "regex rules": rules,
                 "regex ORG": [x for x in rules if x[2] == "ORG"],
                 "regex LOC (abbrev.)": [x for x in rules if x[2] == "LOC"],
                 "regex PER (byline)": [x for x in rules if x[2] == "PER"]}
    for name, spans in pred_sets.items():
        pred = to_sentences(spans, starts, texts)
        tp = sum(len(p & g) for p, g in zip(pred, gold))
        n = sum(map(len, pred))
        print(f"  {name:22s} {n:5d} spans, precision {tp / n if n else 0:.4f}")


if __name__ == "__main__" and "--variants" not in sys.argv:
    main()


def variants() -> None:
    """Which rule kinds may fill the model's gaps (model_first), scored on the dev split."""
    from collections import Counter

    from extract.entities import language as xnlp
    from extract.entities import rules as entity_rules

    layers = dev_layers(plausible_only=False)
    if layers is None:
        return
    dev, text, starts, texts, gold, model, rules, gaz = layers
    full = set(entity_rules.place_names().full)
    kinds = {
        "regex all": rules,
        "regex ORG": [x for x in rules if x[2] == "ORG"],
        "regex abbrev+byline": [x for x in rules if x[2] != "ORG"],
        "gazetteer full names": [x for x in gaz if text[x[0]:x[1]] in full],
        "gazetteer short forms": [x for x in gaz if text[x[0]:x[1]] not in full],
    }
    msra = [i for i, r in enumerate(dev) if r["source"] == "msra"]
    for name, extra in kinds.items():
        comb = xnlp.combine(model, extra, "model_first")
        pred = to_sentences(comb, starts, texts)
        sc = prf([gold[i] for i in msra], [pred[i] for i in msra])["ALL"]
        sc_all = prf(gold, pred)["ALL"]
        added = [c for c in comb if c[3] == "rule"]
        added_pred = to_sentences(added, starts, texts)
        tp = sum(len(p & g) for p, g in zip(added_pred, gold))
        print(f"model + gaps from {name:22s} F1 msra {sc['f1']:.4f} all {sc_all['f1']:.4f}  "
              f"added {len(added)}, correct {tp}")
        wrong = Counter(text[a:b] for a, b, *_ in added
                        if (a - starts[bisect(starts, a) - 1], b - starts[bisect(starts, a) - 1], _[0])
                        not in gold[bisect(starts, a) - 1])
        print("   most frequent wrong additions:", wrong.most_common(12))


from bisect import bisect_right as bisect  # noqa: E402

if __name__ == "__main__" and "--variants" in sys.argv:
    variants()
