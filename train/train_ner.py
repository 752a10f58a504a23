"""Train the character-level NER model on ../shared/ner/train.jsonl and export it for numpy.

    python train/train_ner.py --run train/runs/ner1            # train (resumes if the run exists)
    python train/train_ner.py --run train/runs/ner1 --export   # export the best epoch to the package

Why this shape (see MODEL_CARD.md): run-time cost must stay below jieba segmentation, so the model
is small dilated 1-D convolutions over char + bigram + jieba-word-class embeddings with a CRF on
top; training needs PyTorch, run time only numpy (``extract.ner_model``).
Fixed seed, config written to the run folder, a checkpoint after every epoch (resumable), log to
``<run>/train.log``. Never reads msra_test.jsonl. Training-only dependency: torch==2.13.0.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import math
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nerdata import RESUME_FILE, SOURCES, TRAIN_FILE, load_jsonl, prf, split_train  # noqa: E402

from extract.entities.model.features import text_features  # noqa: E402
from extract.entities.model.network import (  # noqa: E402
    CP_BASE,
    LEX_CLASSES,
    LEX_LENGTHS,
    N_POS,
    TAGS,
    CharNER,
    CharVocab,
    Lexicon,
    allowed_transitions,
    model_dir,
    normalize,
    spans_to_tags,
)
from extract.text import segment  # noqa: E402

DEFAULTS = {
    "seed": 13,
    "char_dim": 64,
    "bigram_dim": 48,
    "feat_dim": 24,
    "hidden": 64,
    "dilations": [1, 2, 4, 1],
    "dropout": 0.2,
    "emb_dropout": 0.2,
    "batch": 64,
    "lr": 2e-3,
    "lr_min": 1e-4,
    "epochs": 24,
    "patience": 6,
    "clip": 5.0,
    "char_min_count": 2,
    "bigram_min_count": 2,
    "bigram_max": 100_000,
    "dev_size": 2000,
    "threads": 1,
    "lex_dim": 0,  # >0: SoftLexicon-style begin/end features from jieba's dictionary + gazetteer names
    "resume": 0,  # 1: also train on ../shared/ner/resume.jsonl (executives' résumés: company names)
    "company_lexicon": 1,  # 0: the six lexicon classes of models before "co" (no company names)
}

log = logging.getLogger("train_ner")


# ----------------------------------------------------------------------------- data

def featurize(texts: list[str]) -> list[np.ndarray]:
    """The run-time features of each text (extract.entities.model.features: the project tokenizer
    with the gazetteer user words, the project word tags), so training sees what inference sees."""
    return [text_features(text) for text in texts]


def build_vocab(texts: list[str], cfg: dict) -> tuple[str, np.ndarray]:
    chars = collections.Counter()
    bigrams = collections.Counter()
    for t in texts:
        chars.update(t)
        cps = CharVocab.code_points(t)
        nxt = np.append(cps[1:], 0)
        bigrams.update((cps * CP_BASE + nxt).tolist())
    char_list = "".join(sorted(c for c, n in chars.items() if n >= cfg["char_min_count"] and c != "\x00"))
    common = [k for k, n in bigrams.most_common(cfg["bigram_max"]) if n >= cfg["bigram_min_count"]]
    return char_list, np.array(sorted(common), dtype=np.int64)


_LEX_TAG = {"nr": "nr", "nrt": "nr", "nrfg": "nr", "ns": "ns", "nt": "nt", "nz": "nz"}


def lex_classes(cfg: dict) -> tuple[str, ...]:
    """The lexicon classes a run trains with: all of LEX_CLASSES, or the six before "co"."""
    return LEX_CLASSES if cfg.get("company_lexicon", 1) else LEX_CLASSES[:6]


def build_lexicon(cfg: dict) -> Lexicon:
    """All 2-4 character words of jieba's dictionary (class from its tag), gazetteer names (ns) and
    company and brand names (co, rules/org_companies.tsv: a soft feature the model weighs by context)."""
    from extract.entities import rules as entity_rules

    words: dict[str, int] = {}
    with segment.jieba_dict_file().open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and 2 <= len(parts[0]) <= 4:
                tag = parts[2] if len(parts) == 3 else ""
                cls = LEX_CLASSES.index(_LEX_TAG.get(tag, "word"))
                words[parts[0]] = max(words.get(parts[0], 0), cls)
    for name in entity_rules.place_names().full:
        if 2 <= len(name) <= 4:
            words[name] = LEX_CLASSES.index("ns")
    classes = lex_classes(cfg)
    if "co" in classes:
        for name in entity_rules.company_names():  # no gazetteer name is in that file
            if 2 <= len(name) <= 4:
                words[name] = LEX_CLASSES.index("co")
    return Lexicon.build(words, len(classes))


def prepare(run: Path, cfg: dict) -> dict:
    cache = run / "data.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    rows = load_jsonl(TRAIN_FILE)
    train_rows, dev_rows = split_train(rows, cfg["seed"], cfg["dev_size"])
    if cfg.get("resume", 0):  # company names with their place prefixes; train only (dev stays as it was)
        train_rows += load_jsonl(RESUME_FILE)
    t0 = time.time()
    def encode(rs):
        texts = [normalize(r["text"]) for r in rs]
        return {
            "texts": texts,
            "feats": featurize(texts),
            "spans": [[tuple(e) for e in r["entities"]] for r in rs],
            "domain": [SOURCES.index(r["source"]) for r in rs],
        }

    data = {"train": encode(train_rows), "dev": encode(dev_rows)}
    chars, bigram_keys = build_vocab(data["train"]["texts"], cfg)
    data["chars"], data["bigram_keys"] = chars, bigram_keys
    log.info("prepared %d train / %d dev sentences, %d chars, %d bigrams in %.0fs",
             len(train_rows), len(dev_rows), len(chars), len(bigram_keys), time.time() - t0)
    with cache.open("wb") as fh:
        pickle.dump(data, fh)
    return data


def tensors(part: dict, vocab: CharVocab, lexicon: Lexicon | None) -> list[tuple]:
    out = []
    for text, feat, spans, dom in zip(part["texts"], part["feats"], part["spans"], part["domain"]):
        if not text:
            continue
        cps = np.append(CharVocab.code_points(text), 0)
        cid, bid = vocab.encode(cps)
        if lexicon is not None:
            lb, le = lexicon.features(cps)
        else:
            lb = le = np.zeros(len(cps), dtype=np.int64)
        out.append((cid[:-1], bid[:-1], feat, spans_to_tags(len(text), spans), dom, lb[:-1], le[:-1]))
    return out


def batches(items: list[tuple], size: int, rng: random.Random):
    order = list(range(len(items)))
    rng.shuffle(order)
    pool = size * 50
    groups = []
    for lo in range(0, len(order), pool):
        chunk = sorted(order[lo:lo + pool], key=lambda i: len(items[i][0]))
        groups += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(groups)
    for g in groups:
        yield collate([items[i] for i in g])


def collate(items):
    n = max(len(x[0]) for x in items)
    b = len(items)
    c = torch.zeros(b, n, dtype=torch.long)
    bg = torch.zeros(b, n, dtype=torch.long)
    f = torch.zeros(b, n, dtype=torch.long)
    y = torch.zeros(b, n, dtype=torch.long)
    lb = torch.zeros(b, n, dtype=torch.long)
    le = torch.zeros(b, n, dtype=torch.long)
    dom = torch.tensor([x[4] for x in items], dtype=torch.long)
    for i, (ci, bi, fi, yi, _, lbi, lei) in enumerate(items):
        k = len(ci)
        c[i, :k] = torch.from_numpy(ci)
        bg[i, :k] = torch.from_numpy(bi)
        f[i, :k] = torch.from_numpy(np.asarray(fi))
        y[i, :k] = torch.from_numpy(yi)
        lb[i, :k] = torch.from_numpy(lbi)
        le[i, :k] = torch.from_numpy(lei)
    return c, bg, f, y, dom, c != 0, (lb, le)


def _to(batch, device):
    """A collated batch moved to the training device."""
    return tuple(tuple(x.to(device) for x in t) if isinstance(t, tuple) else t.to(device) for t in batch)


# ----------------------------------------------------------------------------- model

class Net(nn.Module):
    def __init__(self, n_chars: int, n_bigrams: int, cfg: dict):
        super().__init__()
        h = cfg["hidden"]
        n_feats = len(segment.WORD_CLASSES) * N_POS
        self.char_emb = nn.Embedding(n_chars, cfg["char_dim"], padding_idx=0)
        self.bigram_emb = nn.Embedding(n_bigrams, cfg["bigram_dim"], padding_idx=0)
        self.feat_emb = nn.Embedding(n_feats, cfg["feat_dim"], padding_idx=0)
        self.domain = nn.Embedding(len(SOURCES), h)
        nn.init.zeros_(self.domain.weight)
        d_in = cfg["char_dim"] + cfg["bigram_dim"] + cfg["feat_dim"]
        self.lex_dim = cfg.get("lex_dim", 0)
        if self.lex_dim:
            n_lex = len(lex_classes(cfg)) ** len(LEX_LENGTHS)
            self.lex_begin = nn.Embedding(n_lex, self.lex_dim, padding_idx=0)
            self.lex_end = nn.Embedding(n_lex, self.lex_dim, padding_idx=0)
            d_in += 2 * self.lex_dim
        self.convs = nn.ModuleList()
        for i, d in enumerate(cfg["dilations"]):
            self.convs.append(nn.Conv1d(d_in if i == 0 else h, h, 3, dilation=d, padding=d))
        self.out = nn.Linear(h, len(TAGS))
        self.emb_drop = nn.Dropout(cfg["emb_dropout"])
        self.drop = nn.Dropout(cfg["dropout"])
        k = len(TAGS)
        self.trans = nn.Parameter(torch.zeros(k, k))
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))
        allowed, ok_s, ok_e = allowed_transitions()
        self.register_buffer("trans_mask", torch.from_numpy(np.where(allowed, 0.0, -1e4)).float())
        self.register_buffer("start_mask", torch.from_numpy(np.where(ok_s, 0.0, -1e4)).float())
        self.register_buffer("end_mask", torch.from_numpy(np.where(ok_e, 0.0, -1e4)).float())

    def emissions(self, c, bg, f, dom, mask, lex=None):
        parts = [self.char_emb(c), self.bigram_emb(bg), self.feat_emb(f)]
        if self.lex_dim:
            parts += [self.lex_begin(lex[0]), self.lex_end(lex[1])]
        x = torch.cat(parts, dim=-1)
        x = self.emb_drop(x).transpose(1, 2)
        m = mask[:, None, :].float()
        h = None
        for i, conv in enumerate(self.convs):
            if i == 0:
                h = F.relu(conv(x) + self.domain(dom)[:, :, None]) * m
            else:
                h = (h + F.relu(conv(self.drop(h)))) * m
        return self.out(self.drop(h.transpose(1, 2)))

    def nll(self, em, y, mask):
        """CRF negative log-likelihood, summed over the batch."""
        trans = self.trans + self.trans_mask
        start = self.start + self.start_mask
        end = self.end + self.end_mask
        n = em.shape[1]
        maskf = mask.float()
        # gold score (one gather for all steps: padding positions are masked out)
        em_gold = em.gather(2, y[:, :, None]).squeeze(2)
        steps = trans[y[:, :-1], y[:, 1:]] + em_gold[:, 1:]
        gold = start[y[:, 0]] + em_gold[:, 0] + (steps * maskf[:, 1:]).sum(1)
        lengths = mask.sum(1)
        last = y.gather(1, (lengths - 1)[:, None]).squeeze(1)
        gold = gold + end[last]
        # partition
        alpha = start[None, :] + em[:, 0]
        for t in range(1, n):
            nxt = torch.logsumexp(alpha[:, :, None] + trans[None], dim=1) + em[:, t]
            alpha = torch.where(mask[:, t:t + 1], nxt, alpha)
        logz = torch.logsumexp(alpha + end[None, :], dim=1)
        return (logz - gold).sum()


# ----------------------------------------------------------------------------- export / eval

def export(net: Net, chars: str, bigram_keys: np.ndarray, cfg: dict, folder: Path, meta: dict,
           lexicon: Lexicon | None = None) -> None:
    """Write weights.npz + vocab.json for extract.ner_model.CharNER (domain 'msra' folded in)."""
    folder.mkdir(parents=True, exist_ok=True)
    sd = {k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}
    arr = {
        "bigram_keys": bigram_keys,
        "char_emb": sd["char_emb.weight"].astype(np.float16),
        "bigram_emb": sd["bigram_emb.weight"].astype(np.float16),
        "feat_emb": sd["feat_emb.weight"].astype(np.float16),
        "out_w": sd["out.weight"], "out_b": sd["out.bias"],
        "crf_trans": sd["trans"], "crf_start": sd["start"], "crf_end": sd["end"],
    }
    if lexicon is not None and net.lex_dim:
        for n in LEX_LENGTHS:
            arr[f"lex_keys_{n}"] = lexicon.keys[n]
            arr[f"lex_cls_{n}"] = lexicon.classes[n].astype(np.uint8)
        arr["lex_begin_emb"] = sd["lex_begin.weight"].astype(np.float16)
        arr["lex_end_emb"] = sd["lex_end.weight"].astype(np.float16)
    for i in range(len(cfg["dilations"])):
        arr[f"conv{i}_w"] = sd[f"convs.{i}.weight"]
        b = sd[f"convs.{i}.bias"]
        if i == 0:
            b = b + sd["domain.weight"][SOURCES.index("msra")]
        arr[f"conv{i}_b"] = b
    np.savez(folder / "weights.npz", **arr)
    vocab = {"chars": chars, "tags": list(TAGS), "word_classes": list(segment.WORD_CLASSES),
             "lex_classes": list(lex_classes(cfg)),
             "config": {k: cfg.get(k, 0) for k in ("char_dim", "bigram_dim", "feat_dim", "hidden", "dilations",
                                                    "lex_dim")},
             "meta": meta}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")


def evaluate(folder: Path, part: dict) -> dict:
    model = CharNER(folder)
    pred = model.predict(part["texts"], part["feats"])
    out = {}
    for name, keep in [("all", None), ("msra", 0)]:
        idx = [i for i, d in enumerate(part["domain"]) if keep is None or d == keep]
        out[name] = prf([set(part["spans"][i]) for i in idx], [set(pred[i]) for i in idx])
    return out


# ----------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=Path("train/runs/ner"))
    ap.add_argument("--export", action="store_true", help="only export the best epoch to the package")
    ap.add_argument("--out", type=Path, default=model_dir())
    ap.add_argument("--limit", type=int, default=0, help="smoke test: use only this many train sentences")
    ap.add_argument("--device", default="cpu", help="torch device for training (cpu, cuda); not part of "
                    "the config: the exported numpy model is the same kind either way")
    for k, v in DEFAULTS.items():
        if isinstance(v, list):
            ap.add_argument(f"--{k}", type=lambda s: [int(x) for x in s.split(",")], default=v)
        else:
            ap.add_argument(f"--{k}", type=type(v), default=v)
    args = ap.parse_args()
    run: Path = args.run
    run.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(run / "train.log"), logging.StreamHandler()])
    cfg_file = run / "config.json"
    if cfg_file.exists():
        cfg = json.loads(cfg_file.read_text())
    else:
        cfg = {k: getattr(args, k) for k in DEFAULTS}
        cfg_file.write_text(json.dumps(cfg, indent=1))
    log.info("config %s", json.dumps(cfg))
    torch.set_num_threads(cfg["threads"])
    random.seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.manual_seed(cfg["seed"])

    data = prepare(run, cfg)
    vocab = CharVocab(data["chars"], data["bigram_keys"])
    lexicon = build_lexicon(cfg) if cfg.get("lex_dim", 0) else None
    device = torch.device(args.device)
    net = Net(len(data["chars"]) + 2, len(data["bigram_keys"]) + 2, cfg).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=cfg["lr"])
    state = {"epoch": 0, "best": -1.0, "best_epoch": 0, "history": []}
    ckpt = run / "last.pt"
    if ckpt.exists():
        saved = torch.load(ckpt, weights_only=False, map_location=device)
        net.load_state_dict(saved["net"])
        opt.load_state_dict(saved["opt"])
        state = saved["state"]
        torch.set_rng_state(saved["torch_rng"].cpu())
        log.info("resumed after epoch %d (best %.4f at %d)", state["epoch"], state["best"], state["best_epoch"])

    meta = {"data": TRAIN_FILE.name + (" + " + RESUME_FILE.name if cfg.get("resume", 0) else ""), "seed": cfg["seed"], "dev_size": cfg["dev_size"]}
    if args.export:
        best = torch.load(run / "best.pt", weights_only=False, map_location=device)
        net.load_state_dict(best["net"])
        meta.update(best["meta"])
        export(net, data["chars"], data["bigram_keys"], cfg, args.out, meta, lexicon)
        log.info("exported epoch %s to %s", best["meta"].get("epoch"), args.out)
        return

    train_items = tensors(data["train"], vocab, lexicon)
    n_chars = sum(len(x[0]) for x in train_items)
    if args.limit:
        train_items = train_items[:args.limit]
    while state["epoch"] < cfg["epochs"]:
        epoch = state["epoch"] + 1
        rng = random.Random(cfg["seed"] * 1000 + epoch)  # batch order depends on seed and epoch only
        lr = cfg["lr_min"] + 0.5 * (cfg["lr"] - cfg["lr_min"]) * (1 + math.cos(math.pi * (epoch - 1) / cfg["epochs"]))
        for g in opt.param_groups:
            g["lr"] = lr
        net.train()
        t0, total, seen = time.time(), 0.0, 0
        for step, batch in enumerate(batches(train_items, cfg["batch"], rng), 1):
            c, bg, f, y, dom, mask, lex = _to(batch, device)
            em = net.emissions(c, bg, f, dom, mask, lex)
            loss = net.nll(em, y, mask)
            opt.zero_grad()
            (loss / c.shape[0]).backward()
            nn.utils.clip_grad_norm_(net.parameters(), cfg["clip"])
            opt.step()
            total += loss.item()
            seen += int(mask.sum())
            if step % 200 == 0:
                log.info("epoch %d step %d loss/char %.4f %.0f chars/s", epoch, step, total / seen,
                         seen / (time.time() - t0))
        net.eval()
        tmp = run / "export_tmp"
        export(net, data["chars"], data["bigram_keys"], cfg, tmp, meta, lexicon)
        scores = evaluate(tmp, data["dev"])
        f_all, f_msra = scores["all"]["ALL"]["f1"], scores["msra"]["ALL"]["f1"]
        log.info("epoch %d lr %.5f loss/char %.4f train %.0fs (%d chars) dev F1 all %.4f msra %.4f | %s",
                 epoch, lr, total / seen, time.time() - t0, n_chars, f_all, f_msra,
                 " ".join(f"{k} {v['f1']:.4f}" for k, v in scores["msra"].items()))
        state["epoch"] = epoch
        state["history"].append({"epoch": epoch, "lr": lr, "loss": total / seen, "dev": scores})
        improved = f_msra > state["best"]
        if improved:
            state["best"], state["best_epoch"] = f_msra, epoch
            torch.save({"net": net.state_dict(), "meta": {"epoch": epoch, "dev_f1_msra": f_msra,
                                                          "dev_f1_all": f_all}}, run / "best.pt")
        torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "state": state,
                    "torch_rng": torch.get_rng_state()}, run / "last.tmp")
        (run / "last.tmp").replace(ckpt)
        if epoch - state["best_epoch"] >= cfg["patience"]:
            log.info("early stop: no dev gain for %d epochs", cfg["patience"])
            break
    log.info("done: best dev F1 (msra part) %.4f at epoch %d", state["best"], state["best_epoch"])


if __name__ == "__main__":
    main()
