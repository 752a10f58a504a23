"""Character-level NER model (PER/LOC/ORG) run in pure numpy from exported weights.

Why characters: a sizeable share of gold entities do not start or end on a jieba token boundary
(see ``train/measure_boundaries.py``), so a model over jieba tokens could never get them right.
The model reads each character with its bigram and the class of the jieba word it sits in
(:mod:`extract.segment`), runs a few (dilated) 1-D convolutions and decodes BIOES tags with a
constrained CRF Viterbi. Training is in PyTorch (``train/train_ner.py``); run time needs numpy only.

Sentences are processed together as one flat array with zero separators between them, so a whole
document costs a handful of matrix products; each layer re-zeros the separators, which makes the
result identical to running every sentence on its own (and to the zero padding used in training).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LABELS: tuple[str, ...] = ("PER", "LOC", "ORG")
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in LABELS for p in "BIES")
TAG_ID = {t: i for i, t in enumerate(TAGS)}
N_POS = 4  # B M E S position of a character in its jieba word
CP_BASE = 0x110000  # bigram key = first code point * CP_BASE + second code point
NEG = -1e4

# The view the extractors receive maps these 1:1 to ASCII (see the lead's textview); training text
# gets the same map so that model input at run time looks like its training data.
_FW = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ％．／－～＋"
_NORMALIZE = str.maketrans({**{c: chr(ord(c) - 0xFEE0) for c in _FW}, "\x00": " "})


def normalize(text: str) -> str:
    """Full-width ASCII digits/letters/signs to ASCII, 1:1 (offsets unchanged)."""
    return text.translate(_NORMALIZE)


def allowed_transitions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BIOES constraints as boolean matrices: trans[i, j] (i -> j), start[j], end[i]."""
    k = len(TAGS)
    trans = np.zeros((k, k), dtype=bool)
    start = np.zeros(k, dtype=bool)
    end = np.zeros(k, dtype=bool)
    for i, a in enumerate(TAGS):
        pa, la = (a.split("-") + [""])[:2]
        start[i] = pa in ("O", "B", "S")
        end[i] = pa in ("O", "E", "S")
        for j, b in enumerate(TAGS):
            pb, lb = (b.split("-") + [""])[:2]
            if pa in ("O", "E", "S"):
                trans[i, j] = pb in ("O", "B", "S")
            else:  # B or I: must continue the same label
                trans[i, j] = pb in ("I", "E") and lb == la
    return trans, start, end


def tags_to_spans(tags: np.ndarray) -> list[tuple[int, int, str]]:
    """(start, end, label) spans from a BIOES tag id sequence (assumed well formed)."""
    spans = []
    begin = -1
    for i, t in enumerate(tags.tolist()):
        if t == 0:
            begin = -1
            continue
        p, lab = TAGS[t].split("-")
        if p == "S":
            spans.append((i, i + 1, lab))
            begin = -1
        elif p == "B":
            begin = i
        elif p == "E" and begin >= 0:
            spans.append((begin, i + 1, lab))
            begin = -1
    return spans


def spans_to_tags(n: int, spans: list[tuple[int, int, str]]) -> np.ndarray:
    """BIOES tag ids for a sentence of length n (training side)."""
    tags = np.zeros(n, dtype=np.int64)
    for s, e, lab in spans:
        if e - s == 1:
            tags[s] = TAG_ID[f"S-{lab}"]
        else:
            tags[s] = TAG_ID[f"B-{lab}"]
            tags[s + 1:e - 1] = TAG_ID[f"I-{lab}"]
            tags[e - 1] = TAG_ID[f"E-{lab}"]
    return tags


def word_feature_ids(words: list[str], classes: list[int]) -> np.ndarray:
    """Per-character feature id = word class * 4 + position in the word (B M E S)."""
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    n = int(lens.sum())
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    cls = np.asarray(classes, dtype=np.int64)
    starts = np.cumsum(lens) - lens
    idx = np.arange(n) - np.repeat(starts, lens)
    wl = np.repeat(lens, lens)
    pos = np.where(wl == 1, 3, np.where(idx == 0, 0, np.where(idx == wl - 1, 2, 1)))
    return np.repeat(cls, lens) * N_POS + pos


class CharVocab:
    """Character and bigram ids, vectorized over code points."""

    def __init__(self, chars: str, bigram_keys: np.ndarray):
        self.chars = chars
        self.lut = np.ones(CP_BASE, dtype=np.int32)  # 1 = unknown
        self.lut[0] = 0  # 0 = padding / separator
        cps = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        self.lut[cps] = np.arange(2, 2 + len(cps), dtype=np.int32)
        self.bigram_keys = np.asarray(bigram_keys, dtype=np.int64)  # sorted

    @staticmethod
    def code_points(text: str) -> np.ndarray:
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)

    def encode(self, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Char ids and ids of the bigram (this char, next char); code point 0 is a separator."""
        cid = self.lut[cps]
        nxt = np.zeros_like(cps)
        nxt[:-1] = cps[1:]
        keys = cps * CP_BASE + nxt
        if len(self.bigram_keys):
            pos = np.searchsorted(self.bigram_keys, keys)
            pos = np.minimum(pos, len(self.bigram_keys) - 1)
            hit = self.bigram_keys[pos] == keys
            bid = np.where(hit, pos + 2, 1)
        else:
            bid = np.ones_like(cps)
        bid[cps == 0] = 0
        return cid.astype(np.int64), bid.astype(np.int64)


@dataclass(frozen=True)
class _Conv:
    w: tuple[np.ndarray, np.ndarray, np.ndarray]  # (C_in, H) for offsets -d, 0, +d
    b: np.ndarray
    dilation: int
    residual: bool


_CLOSE = np.array([0] + [TAG_ID[f"{p}-{lab}"] for lab in LABELS for p in "ES"])  # may be followed by
_OPEN = np.array([0] + [TAG_ID[f"{p}-{lab}"] for lab in LABELS for p in "BS"])  # ... these, any pair
_B = np.array([TAG_ID[f"B-{lab}"] for lab in LABELS])
_I = np.array([TAG_ID[f"I-{lab}"] for lab in LABELS])
_E = np.array([TAG_ID[f"E-{lab}"] for lab in LABELS])


def viterbi(em: np.ndarray, lengths: np.ndarray, trans: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> np.ndarray:
    """Best BIOES tag paths for a padded batch of emissions (B, T, K); padding tags are 0.

    Exploits the BIOES constraints instead of a dense K x K max: O/E/S may go to O/B/S (7 x 7),
    B/I of a label only to I/E of the same label (2 ways each). Rows are processed longest first so
    that the rows still running at step t are a prefix of the batch (no masking).
    """
    b, t_max, k = em.shape
    order = np.argsort(-lengths, kind="stable")
    em = em[order]
    lens = lengths[order]
    live = np.searchsorted(-lens, -np.arange(t_max), side="left")  # rows with length > t
    t_open = trans[np.ix_(_CLOSE, _OPEN)].T[None]  # (1, to, from)
    t_bi_i = np.stack([trans[_B, _I], trans[_I, _I]], axis=1)[None]  # (1, label, from B/I)
    t_bi_e = np.stack([trans[_B, _E], trans[_I, _E]], axis=1)[None]
    bi_src = np.stack([_B, _I], axis=1)  # (label, 2)
    score = start[None, :] + em[:, 0]
    back = np.zeros((t_max, b, k), dtype=np.int8)
    new = np.empty_like(score)
    for t in range(1, t_max):
        n = int(live[t])
        if n == 0:
            break
        sc = score[:n]
        c = sc[:, _CLOSE][:, None, :] + t_open  # (n, 7 to, 7 from)
        arg = c.argmax(axis=2)
        new[:n, _OPEN] = np.take_along_axis(c, arg[:, :, None], axis=2)[:, :, 0]
        back[t, :n][:, _OPEN] = _CLOSE[arg]
        bi = sc[:, bi_src]  # (n, label, 2)
        for tgt, tb in ((_I, t_bi_i), (_E, t_bi_e)):
            cb = bi + tb
            a = cb.argmax(axis=2)
            new[:n, tgt] = np.take_along_axis(cb, a[:, :, None], axis=2)[:, :, 0]
            back[t, :n][:, tgt] = bi_src[np.arange(len(LABELS))[None, :], a]
        score[:n] = new[:n] + em[:n, t]
    score = score + end[None, :]
    out = np.zeros((b, t_max), dtype=np.int64)
    cur = score.argmax(axis=1)  # last tag of every sequence
    for t in range(t_max - 1, -1, -1):
        n = int(live[t])
        if n == 0:
            continue
        out[:n, t] = cur[:n]
        if t > 0:
            cur[:n] = back[t, np.arange(n), cur[:n]]
    result = np.empty_like(out)
    result[order] = out
    return result


class CharNER:
    """The exported model: ``predict(sentences, features)`` -> spans per sentence."""

    def __init__(self, folder: Path):
        meta = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        with np.load(folder / "weights.npz") as z:
            arr = {k: z[k] for k in z.files}
        self.config = meta["config"]
        self.vocab = CharVocab(meta["chars"], arr["bigram_keys"])
        self.char_emb = arr["char_emb"].astype(np.float32)
        self.bigram_emb = arr["bigram_emb"].astype(np.float32)
        self.feat_emb = arr["feat_emb"].astype(np.float32)
        self.convs: list[_Conv] = []
        for i, d in enumerate(self.config["dilations"]):
            w = arr[f"conv{i}_w"].astype(np.float32)  # torch layout (H, C_in, 3)
            ws = tuple(np.ascontiguousarray(w[:, :, j].T) for j in range(3))
            self.convs.append(_Conv(ws, arr[f"conv{i}_b"].astype(np.float32), int(d), i > 0))
        self.out_w = np.ascontiguousarray(arr["out_w"].astype(np.float32).T)
        self.out_b = arr["out_b"].astype(np.float32)
        allowed, ok_start, ok_end = allowed_transitions()
        self.trans = np.where(allowed, arr["crf_trans"], NEG).astype(np.float32)
        self.start = np.where(ok_start, arr["crf_start"], NEG).astype(np.float32)
        self.end = np.where(ok_end, arr["crf_end"], NEG).astype(np.float32)
        self.sep = max(c.dilation for c in self.convs)

    def emissions(self, cid: np.ndarray, bid: np.ndarray, fid: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Tag scores for a flat sequence (separators have id 0 and mask 0).

        Written for speed: in-place adds, and the separators are re-zeroed by index (they are few)
        instead of multiplying whole arrays by the mask.
        """
        x = np.concatenate([self.char_emb[cid], self.bigram_emb[bid], self.feat_emb[fid]], axis=1)
        seps = np.flatnonzero(mask == 0)
        h = x
        for conv in self.convs:
            d = conv.dilation
            y = h @ conv.w[1]
            y += conv.b
            y[d:] += h[:-d] @ conv.w[0]
            y[:-d] += h[d:] @ conv.w[2]
            np.maximum(y, 0, out=y)
            if conv.residual:
                y += h
            y[seps] = 0
            h = y
        return h @ self.out_w + self.out_b

    def predict(self, sentences: list[str], features: list[np.ndarray], block_chars: int = 2048,
                batch: int = 1024) -> list[list[tuple[int, int, str]]]:
        """Spans (start, end, label) for each sentence; ``features`` from :func:`word_feature_ids`.

        Emissions are computed in blocks of ~``block_chars`` characters (small arrays stay in cache,
        measured ~2x faster than one big array); Viterbi runs over big batches of sentences (its cost
        is per time step, so more rows per step is cheaper).
        """
        results: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
        order = [i for i in sorted(range(len(sentences)), key=lambda i: len(sentences[i])) if sentences[i]]
        if not order:
            return results
        sep = self.sep
        k = len(TAGS)
        ems: dict[int, np.ndarray] = {}
        lo = 0
        while lo < len(order):
            hi, size = lo, 0
            while hi < len(order) and (hi == lo or size + len(sentences[order[hi]]) + sep <= block_chars):
                size += len(sentences[order[hi]]) + sep
                hi += 1
            idx = order[lo:hi]
            pad = np.zeros(sep, dtype=np.int64)
            pieces_c, pieces_f = [pad], [pad]
            for i in idx:
                pieces_c += [self.vocab.code_points(sentences[i]), pad]
                pieces_f += [np.asarray(features[i], dtype=np.int64), pad]
            cps = np.concatenate(pieces_c)
            fid = np.concatenate(pieces_f)
            cid, bid = self.vocab.encode(cps)
            em = self.emissions(cid, bid, fid, (cps != 0).astype(np.float32))
            pos = sep
            for i in idx:
                n = len(sentences[i])
                ems[i] = em[pos:pos + n]
                pos += n + sep
            lo = hi
        for lo in range(0, len(order), batch):
            idx = order[lo:lo + batch]
            lengths = np.array([len(sentences[i]) for i in idx], dtype=np.int64)
            grid = np.zeros((len(idx), int(lengths.max()), k), dtype=np.float32)
            for row, i in enumerate(idx):
                grid[row, :lengths[row]] = ems[i]
            tags = viterbi(grid, lengths, self.trans, self.start, self.end)
            for row, i in enumerate(idx):
                results[i] = tags_to_spans(tags[row, :lengths[row]])
        return results


def model_dir() -> Path:
    """Where the shipped model lives inside the package."""
    return Path(__file__).resolve().parent / "models" / "ner"
