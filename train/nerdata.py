"""Shared data handling for the NER training and evaluation scripts.

The dev split is a pure function of the seed, so the training script (early stopping) and the
combiner study (rule/model precedence) hold out exactly the same sentences. ``msra_test.jsonl`` is
read only by the evaluation script.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NER_DIR = ROOT.parent / "shared" / "ner"
TRAIN_FILE = NER_DIR / "train.jsonl"
RESUME_FILE = NER_DIR / "resume.jsonl"  # optional extra training text (train_ner --resume 1)
TEST_FILE = NER_DIR / "msra_test.jsonl"
DEV_SIZE = 2000
SOURCES = ("msra", "cluener", "weibo", "resume")


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_train(rows: list[dict], seed: int, dev_size: int = DEV_SIZE) -> tuple[list[dict], list[dict]]:
    """Shuffle (train.jsonl is grouped by source) and hold out ``dev_size`` sentences."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    dev = [rows[i] for i in order[:dev_size]]
    train = [rows[i] for i in order[dev_size:]]
    return train, dev


def prf(gold: list[set], pred: list[set], labels=("PER", "LOC", "ORG")) -> dict[str, dict[str, float]]:
    """Exact span+label precision/recall/F1 per label and overall; items are (start, end, label)."""
    out = {}
    for lab in list(labels) + ["ALL"]:
        tp = fp = fn = 0
        for g, p in zip(gold, pred):
            gs = {x for x in g if lab == "ALL" or x[2] == lab}
            ps = {x for x in p if lab == "ALL" or x[2] == lab}
            tp += len(gs & ps)
            fp += len(ps - gs)
            fn += len(gs - ps)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = {"p": prec, "r": rec, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
    return out
