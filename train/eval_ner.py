"""Evaluate entity recognition on ../shared/ner/msra_test.jsonl (exact span + label), with speeds.

    python train/eval_ner.py            # what `make eval-ner` runs
    python train/eval_ner.py --dev      # the same on the held-out dev split of train.jsonl

Rows, all from one run on the same text so that the ratios mean something:
  (a) pipeline    the full extract.nlp pipeline: rules + model + combiner (find_entities)
  (b) model       the character model alone (with its own jieba segmentation for the features)
  (c) jieba.posseg  baseline: nr* -> PER, ns -> LOC, nt -> ORG
and chars/s of each and of ``jieba.lcut`` on the same text. The text is normalized as at run time
(full-width ASCII -> ASCII, 1:1). BLAS runs on one thread so that the comparison with jieba (one
Python thread) is fair. Skips cleanly when the test file is absent.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from bisect import bisect_right
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nerdata import TEST_FILE, TRAIN_FILE, load_jsonl, prf, split_train  # noqa: E402

SEP = "\n"


def _clock() -> float:
    """CPU time of this process: on a shared machine it measures the work done, not the waiting
    (wall-clock figures here moved by 2x with other people's jobs; CPU time by a few per cent)."""
    return time.process_time()


def joined(texts: list[str]) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(SEP)
    return SEP.join(texts), starts


def to_sentences(spans, starts: list[int], texts: list[str]) -> list[set]:
    out: list[set] = [set() for _ in texts]
    for s, e, lab, *_ in spans:
        i = bisect_right(starts, s) - 1
        if 0 <= i < len(texts) and e - starts[i] <= len(texts[i]):
            out[i].add((s - starts[i], e - starts[i], lab))
    return out


def timed(fn, *args):
    t0 = _clock()
    out = fn(*args)
    return out, _clock() - t0


def run_pipeline(text: str):
    from extract.entities.find import find_entities

    return [(e.start, e.end, e.label, e.source) for e in find_entities(text)]


def run_pipeline_split(text: str):
    """CPU time of tokenization (jieba + spaCy Doc), of the entity step (all components) and of
    ``jieba.lcut``, each measured on the same chunk right after the other, so that the ratio of the
    entity step to jieba.lcut is taken under the same machine load."""
    import jieba

    from extract.entities import language as xnlp
    from extract.entities.find import chunks

    pipeline = xnlp.load()
    t_tok = t_ent = t_lcut = 0.0
    for s, e in chunks(text):
        piece = text[s:e]
        t0 = _clock()
        jieba.lcut(piece)
        t1 = _clock()
        doc = pipeline.make_doc(piece)
        t2 = _clock()
        for name, proc in pipeline.pipeline:
            doc = proc(doc, set_ents=False) if name == "extract_entity_combiner" else proc(doc)
        t3 = _clock()
        t_lcut += t1 - t0
        t_tok += t2 - t1
        t_ent += t3 - t2
    return t_tok, t_ent, t_lcut


def run_model(texts: list[str]):
    """The model alone, on the same sentence pieces as in the pipeline; jieba features timed apart."""
    from extract.entities import language as xnlp
    from extract.entities.model.features import text_features

    model = xnlp.char_model()
    text_features("")  # load the tokenizer and tags before the clock starts
    t0 = _clock()
    feats = [text_features(t) for t in texts]
    t1 = _clock()
    pieces, piece_feats, owner = [], [], []
    for i, (t, f) in enumerate(zip(texts, feats)):
        for s, e in xnlp.split_sentences(t):
            pieces.append((i, s))
            piece_feats.append(f[s:e])
            owner.append(t[s:e])
    preds = model.predict(owner, piece_feats)
    out: list[set] = [set() for _ in texts]
    for (i, s), spans in zip(pieces, preds):
        out[i].update((s + a, s + b, lab) for a, b, lab in spans)
    t2 = _clock()
    return out, t1 - t0, t2 - t1


def run_posseg(texts: list[str]):
    import jieba.posseg as pseg

    out = []
    for t in texts:
        spans, pos = set(), 0
        for w, flag in pseg.lcut(t):
            lab = "PER" if flag.startswith("nr") else "LOC" if flag == "ns" else "ORG" if flag == "nt" else None
            if lab:
                spans.add((pos, pos + len(w), lab))
            pos += len(w)
        out.append(spans)
    return out


def table(name: str, scores: dict, cps: float) -> str:
    lines = [f"{name}  ({cps:,.0f} chars/s)"]
    for lab in ("PER", "LOC", "ORG", "ALL"):
        s = scores[lab]
        lines.append(f"  {lab:4s} P {s['p']:.4f}  R {s['r']:.4f}  F1 {s['f1']:.4f}  "
                     f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", action="store_true", help="evaluate on the dev split of train.jsonl instead")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--reps", type=int, default=3, help="speed rounds (best of)")
    args = ap.parse_args()
    if args.dev:
        if not TRAIN_FILE.exists():
            print(f"skipped: {TRAIN_FILE} not found")
            return 0
        rows = split_train(load_jsonl(TRAIN_FILE), args.seed)[1]
        what = f"dev split of {TRAIN_FILE.name} (seed {args.seed})"
    else:
        if not TEST_FILE.exists():
            print(f"skipped: {TEST_FILE} not found (the evaluation set lives in ../shared/ner/)")
            return 0
        rows = load_jsonl(TEST_FILE)
        what = TEST_FILE.name
    import jieba

    from extract.entities import language as xnlp
    from extract.entities.model.network import normalize

    texts = [normalize(r["text"]).replace(SEP, " ") for r in rows]
    gold = [{tuple(e) for e in r["entities"]} for r in rows]
    text, starts = joined(texts)
    n_chars = sum(map(len, texts))
    print(f"{what}: {len(texts)} sentences, {n_chars:,} chars, {sum(map(len, gold))} entities")

    t0 = _clock()
    xnlp.load()
    load_s = _clock() - t0
    jieba.initialize()
    run_pipeline(text[:2000])  # warm up

    spans, _ = timed(run_pipeline, text)
    model_pred, _, _ = run_model(texts)
    posseg_pred, posseg_s = timed(run_posseg, texts)
    # Speeds: the machine is shared, so each is the best of ``reps`` rounds, interleaved.
    best: dict[str, float] = {}
    for _ in range(args.reps):
        for key, secs in (
            ("lcut", timed(lambda: [jieba.lcut(t) for t in texts])[1]),
            ("pipe", timed(run_pipeline, text)[1]),
            *zip(("tok", "ent", "lcut_paired"), run_pipeline_split(text)),
            *zip(("feat", "model"), run_model(texts)[1:]),
        ):
            best[key] = min(best.get(key, float("inf")), secs)
    lcut_s, pipe_s, t_tok, t_ent = best["lcut"], best["pipe"], best["tok"], best["ent"]
    lcut_paired = best["lcut_paired"]
    model_feat_s, model_s = best["feat"], best["model"]

    pipe_pred = to_sentences(spans, starts, texts)
    print()
    print(table("(a) pipeline: rules + model + combiner", prf(gold, pipe_pred), n_chars / pipe_s))
    by_source = {src: sum(1 for x in spans if x[3] == src) for src in ("model", "rule")}
    print(f"  spans by source: {by_source}")
    print(table("(b) model alone (incl. its jieba features)", prf(gold, model_pred),
                n_chars / (model_feat_s + model_s)))
    print(table("(c) jieba.posseg baseline", prf(gold, posseg_pred), n_chars / posseg_s))
    print()
    print(f"speed (chars per CPU second, one process, BLAS on one thread, best of {args.reps} rounds; posseg: one round):")
    print(f"  jieba.lcut                               {n_chars / lcut_s:>12,.0f}")
    print(f"  (a) pipeline, all of find_entities       {n_chars / pipe_s:>12,.0f}")
    print(f"      tokenization (jieba + spaCy Doc)     {n_chars / t_tok:>12,.0f}")
    print(f"      entity step (rules + model + combine){n_chars / t_ent:>12,.0f}"
          f"   (costs {t_ent / lcut_paired:.2f} x jieba.lcut timed on the same chunks, interleaved)")
    print(f"  (b) model given features                 {n_chars / model_s:>12,.0f}")
    print(f"  (b) model incl. its jieba features       {n_chars / (model_feat_s + model_s):>12,.0f}")
    print(f"  (c) jieba.posseg                         {n_chars / posseg_s:>12,.0f}")
    print(f"pipeline load (jieba, rules, model): {load_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
