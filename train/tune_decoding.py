"""Tune the decoder's O penalty on the dev split of train.jsonl and write it into the model's vocab.json.

    python train/tune_decoding.py [--model src/extract/models/ner] [--write]

The model's precision is above its recall on dev, so a small constant taken off the O score before
Viterbi trades one for the other; the value with the best dev F1 (MSRA part, the closest to news)
is kept. Never looks at msra_test.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nerdata import TRAIN_FILE, load_jsonl, prf, split_train  # noqa: E402

PENALTIES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)


def main() -> None:
    from extract.entities.model.features import text_features
    from extract.entities.model.network import CharNER, model_dir, normalize

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=model_dir())
    ap.add_argument("--write", action="store_true", help="store the best value in the model's vocab.json")
    args = ap.parse_args()
    dev = split_train(load_jsonl(TRAIN_FILE), 13)[1]
    texts = [normalize(r["text"]) for r in dev]
    gold = [{tuple(e) for e in r["entities"]} for r in dev]
    feats = [text_features(t) for t in texts]  # as at run time
    model = CharNER(args.model)
    msra = [i for i, r in enumerate(dev) if r["source"] == "msra"]
    best = (-1.0, 0.0)
    for pen in PENALTIES:
        model.o_penalty = pen
        pred = [set(p) for p in model.predict(texts, feats)]
        sc = prf([gold[i] for i in msra], [pred[i] for i in msra])["ALL"]
        sc_all = prf(gold, pred)["ALL"]
        print(f"o_penalty {pen:4.2f}  dev msra P {sc['p']:.4f} R {sc['r']:.4f} F1 {sc['f1']:.4f}   "
              f"all F1 {sc_all['f1']:.4f}")
        best = max(best, (sc["f1"], pen))
    print(f"best o_penalty {best[1]} (dev msra F1 {best[0]:.4f})")
    if args.write:
        vocab_file = args.model / "vocab.json"
        meta = json.loads(vocab_file.read_text(encoding="utf-8"))
        meta.setdefault("decode", {})["o_penalty"] = best[1]
        meta["decode"]["o_penalty_tuned_on"] = "dev split of train.jsonl (seed 13), MSRA part, best F1"
        vocab_file.write_text(json.dumps(meta, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"wrote {vocab_file}")


if __name__ == "__main__":
    main()
