"""What each repair step and the combiner's precedence are worth, by measurement.

    python train/combine_study.py               # each repair step switched off in turn
    python train/combine_study.py --dev         # the same, MSRA test replaced by the dev split's MSRA part
    python train/combine_study.py --precedence  # the combiner's precedence (dev split of train.jsonl)
    python train/combine_study.py --variants    # which rule kinds may fill the model's gaps

Steps: the pipeline's layers run once per set (jieba, gazetteer, model, regex rules); then the
combiner (:func:`extract.entities.combiner.choose`) runs again for every variant: all repair steps
(what ``find_entities`` gives), and each step of ``REPAIR_ORDER`` left out. Sets: ../shared/dev-news
(scored by its own score.py matcher, as ``make eval-ner``) and MSRA test (or with ``--dev``
the MSRA sentences of the dev split, where choices should be made: test figures are for reporting).

Precedence: scores each precedence of ``combine`` on the dev split of train.jsonl (never
msra_test.jsonl) on the raw candidates, plus each layer alone and each rule kind's precision. The
winner is DEFAULT_PRECEDENCE in extract.entities.combiner.
"""

from __future__ import annotations

import os
import sys
from bisect import bisect_right
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from eval_ner import SEP, dev_news_scores, joined, sentence_scores, to_sentences  # noqa: E402
from nerdata import SOURCES, TEST_FILE, TRAIN_FILE, load_jsonl, prf, split_train  # noqa: E402


def layers_of(text: str) -> list[tuple[int, str, list[str], list, list]]:
    """Per chunk of ``text`` (as find_entities cuts it): (offset, chunk, jieba tokens, model spans,
    rule spans: regex rules then gazetteer), the combiner's inputs."""
    from extract.entities.find import chunks, load

    step = load()
    out = []
    for s, e in chunks(text):
        layers = step.layers(text[s:e])
        out.append((s, layers.text, layers.words, layers.model, layers.rules))
    return out


def entities_of(layers, steps) -> list[tuple[int, int, str]]:
    """The combiner with ``steps`` over cached layers: (start, end, label) in the layers' text."""
    from extract.entities.combiner import choose

    return [(x.start + s, x.end + s, x.label)
            for s, piece, tokens, model, rules in layers for x in choose(piece, tokens, model, rules, steps)]


def step_study(use_dev: bool) -> None:
    from extract.entities.combiner import REPAIR_ORDER
    from extract.entities.model.network import normalize

    variants = {"all steps": REPAIR_ORDER}
    variants.update({f"without {name}": tuple(s for s in REPAIR_ORDER if s != name) for name in REPAIR_ORDER})
    cache: dict[int, object] = {}

    def per_article(steps):
        def run(texts):
            if id(texts) not in cache:
                cache[id(texts)] = [layers_of(t) for t in texts]
            return [entities_of(layers, steps) for layers in cache[id(texts)]]
        return run

    def joined_sentences(steps):
        def run(texts):
            text, starts = joined(texts)
            if id(texts) not in cache:
                cache[id(texts)] = layers_of(text)
            return to_sentences(entities_of(cache[id(texts)], steps), starts, texts)
        return run

    dev_news_scores({name: per_article(steps) for name, steps in variants.items()})
    systems = {name: joined_sentences(steps) for name, steps in variants.items()}
    if not use_dev:
        sentence_scores(TEST_FILE, systems)
        return
    if not TRAIN_FILE.exists():
        print(f"skipped: {TRAIN_FILE} not found")
        return
    dev = [r for r in split_train(load_jsonl(TRAIN_FILE), 13)[1] if r["source"] == "msra"]
    texts = [normalize(r["text"]).replace(SEP, " ") for r in dev]
    gold = [{tuple(e) for e in r["entities"]} for r in dev]
    print(f"\ndev split, MSRA part: {len(texts)} sentences")
    from eval_ner import summary

    for name, run in systems.items():
        print(summary(name, prf(gold, run(texts))))


def dev_layers(plausible_only: bool):
    """Run the pipeline once over the dev split and keep each layer's candidates.

    Returns (dev records, their joined text, sentence starts, texts, gold sets, model spans,
    regex rule spans, gazetteer spans), or None when the training data is absent.
    """
    from extract.entities.combiner import plausible
    from extract.entities.find import chunks, load
    from extract.entities.model.network import normalize

    if not TRAIN_FILE.exists():
        print(f"skipped: {TRAIN_FILE} not found")
        return None
    dev = split_train(load_jsonl(TRAIN_FILE), 13)[1]
    texts = [normalize(r["text"]).replace("\n", " ") for r in dev]
    gold = [{tuple(e) for e in r["entities"]} for r in dev]
    text, starts = joined(texts)
    step = load()
    model, rules, gaz = [], [], []
    for s, e in chunks(text):
        layers = step.layers(text[s:e])
        model += [(a + s, b + s, lab) for a, b, lab in layers.model
                  if not plausible_only or plausible(text[a + s:b + s])]
        rules += [(a + s, b + s, lab) for a, b, lab in layers.patterns]
        gaz += [(a + s, b + s, lab) for a, b, lab in layers.gazetteer]
    return dev, text, starts, texts, gold, model, rules, gaz


def _tuples(text: str, model, rules, precedence: str, strong=None) -> list[tuple[int, int, str, str]]:
    from extract.entities.combiner import combine

    return [(x.start, x.end, x.label, x.source) for x in combine(text, model, rules, precedence, strong)]


def precedence_study() -> None:
    from extract.entities.combiner import PRECEDENCES
    from extract.entities.rules import is_strong_org

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
    report("rules alone (combined)", _tuples(text, [], rules + gaz, "rule_first"))
    strong = {(s, e) for s, e, lab in rules if lab == "ORG" and is_strong_org(text[s:e])}
    for prec in PRECEDENCES:
        report(f"combined: {prec}", _tuples(text, model, rules + gaz, prec))
    report("combined: model_first_org, strong ORG suffixes only",
           _tuples(text, model, rules + gaz, "model_first_org", strong))
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


def variants() -> None:
    """Which rule kinds may fill the model's gaps (model_first), scored on the dev split."""
    from collections import Counter

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
        comb = _tuples(text, model, extra, "model_first")
        pred = to_sentences(comb, starts, texts)
        sc = prf([gold[i] for i in msra], [pred[i] for i in msra])["ALL"]
        sc_all = prf(gold, pred)["ALL"]
        added = [c for c in comb if c[3] == "rule"]
        added_pred = to_sentences(added, starts, texts)
        tp = sum(len(p & g) for p, g in zip(added_pred, gold))
        print(f"model + gaps from {name:22s} F1 msra {sc['f1']:.4f} all {sc_all['f1']:.4f}  "
              f"added {len(added)}, correct {tp}")

        def sentence(a: int) -> int:
            return bisect_right(starts, a) - 1

        wrong = Counter(text[a:b] for a, b, lab, _src in added
                        if (a - starts[sentence(a)], b - starts[sentence(a)], lab) not in gold[sentence(a)])
        print("   most frequent wrong additions:", wrong.most_common(12))


if __name__ == "__main__":
    if "--precedence" in sys.argv:
        precedence_study()
    elif "--variants" in sys.argv:
        variants()
    else:
        step_study("--dev" in sys.argv)
