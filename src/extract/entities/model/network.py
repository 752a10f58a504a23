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
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LABELS: tuple[str, ...] = ("PER", "LOC", "ORG")
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in LABELS for p in "BIES")
TAG_ID = {t: i for i, t in enumerate(TAGS)}
_TAG_PARTS = [("O", "")] + [tuple(t.split("-")) for t in TAGS[1:]]
N_POS = 4  # B M E S position of a character in its jieba word
CP_BASE = 0x110000  # bigram key = first code point * CP_BASE + second code point
NEG = -1e4
WINDOW = 4  # context kept on each side of a non-O character when decoding (CharNER.window)

# The view the extractors receive maps these 1:1 to ASCII (see the lead's textview); training text
# gets the same map so that model input at run time looks like its training data.
_FW = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ％．／－～＋"
_NORMALIZE = str.maketrans({**{c: chr(ord(c) - 0xFEE0) for c in _FW}, "\x00": " "})


_TO_NORMALIZE = re.compile("[" + re.escape(_FW) + "\x00]")


def normalize(text: str) -> str:
    """Full-width ASCII digits/letters/signs to ASCII, 1:1 (offsets unchanged).

    The text view the pipeline passes in is mostly normalized already: a search for a character
    to map is ~10x cheaper than ``str.translate`` with a dict over every character of the text."""
    return text.translate(_NORMALIZE) if _TO_NORMALIZE.search(text) else text


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


LEX_LENGTHS = (2, 3, 4)
# Word classes of the lexicon; a later class wins where a word has two. "co": a company or brand name
# (rules/org_companies.tsv). A model names the classes it was trained with (vocab.json "lex_classes").
LEX_CLASSES = ("none", "word", "nr", "ns", "nt", "nz", "co")
_HASH_A = np.uint64(0x9E3779B97F4A7C15)


_MIX = np.uint64(0xBF58476D1CE4E5B9)
ROOM = 4  # hash table slots per key (a power of two at least this)


class KeyTable:
    """A read-only uint64 key -> int map for vectorized lookups: open addressing, linear probing.

    Why not ``np.searchsorted`` over the sorted keys: that is ~18 dependent random reads per key
    (a third of the model's time went there); a hash slot costs one or two. Built once at load time
    from the sorted arrays the model ships (the file format does not change); at most 1/ROOM full,
    so nearly every lookup ends at its home slot or the next one. Empty slots hold a key that is not
    in the table, so no separate occupancy array is read.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray, default: int, room: int = ROOM):
        keys = np.asarray(keys).astype(np.uint64)
        values = np.asarray(values, dtype=np.int32)
        if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():  # the shipped arrays are sorted
            keys, first = np.unique(keys, return_index=True)  # a repeated key keeps its first value
            values = values[first]
        self.default = int(default)
        bits = max(4, (room * len(keys) - 1).bit_length())  # at most 1/room full
        size = 1 << bits
        self.shift = np.uint64(64 - bits)
        self.mask = size - 1
        # the empty marker: the smallest uint64 that is not a key
        gaps = np.flatnonzero(keys != np.arange(len(keys), dtype=np.uint64))
        self.empty = np.uint64(gaps[0] if len(gaps) else len(keys))
        # Insert all keys in rounds: each still-homeless key claims its current slot if free (one
        # of several claimants wins), the others move one slot on. A key thus sits after a run of
        # slots that were already full when it passed, which is what a linear-probing lookup needs.
        owner = np.full(size, -1, dtype=np.int32)
        idx = np.arange(len(keys), dtype=np.int32)
        slot = self._home(keys)
        while len(idx):
            free = owner[slot] < 0
            owner[slot[free]] = idx[free]
            won = owner[slot] == idx
            idx, slot = idx[~won], (slot[~won] + 1) & self.mask
        used = np.flatnonzero(owner >= 0)
        self.keys = np.full(size, self.empty, dtype=np.uint64)
        self.keys[used] = keys[owner[used]]
        self.values = np.full(size, self.default, dtype=np.int32)
        self.values[used] = values[owner[used]]

    def _home(self, keys: np.ndarray) -> np.ndarray:
        h = keys ^ (keys >> np.uint64(31))
        h *= _MIX
        return (h >> self.shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The value of every key (int32), ``default`` where the key is absent."""
        k = np.asarray(keys).astype(np.uint64, copy=False)
        slot = self._home(k)
        found = self.keys.take(slot)
        out = np.where(found == k, self.values.take(slot), self.default)
        go = np.flatnonzero((found != k) & (found != self.empty))
        k, slot = k[go], slot[go]
        while len(go):  # the few keys whose home slot holds another key: probe on
            slot = (slot + 1) & self.mask
            found = self.keys.take(slot)
            hit = found == k
            out[go[hit]] = self.values.take(slot[hit])
            rest = ~hit & (found != self.empty)
            go, k, slot = go[rest], k[rest], slot[rest]
        return out


class Lexicon:
    """Dictionary words of 2-4 characters (jieba's dictionary + gazetteer names) with a coarse class.

    Gives every character two ids: the classes of the words of each length that *start* at it and
    of those that *end* at it (a SoftLexicon-style view of all dictionary words, not only jieba's
    chosen segmentation). Pure numpy: hashed windows looked up in a :class:`KeyTable` per length
    (``keys``/``classes`` stay the sorted arrays that the model file stores).
    """

    def __init__(self, keys: dict[int, np.ndarray], classes: dict[int, np.ndarray],
                 n_classes: int = len(LEX_CLASSES)):
        self.n_classes = n_classes  # the base of the combined ids: the model's number of classes
        self.keys = {n: np.asarray(keys[n], dtype=np.uint64) for n in LEX_LENGTHS}
        self.classes = {n: np.asarray(classes[n], dtype=np.int64) for n in LEX_LENGTHS}
        self.tables = {n: KeyTable(self.keys[n], self.classes[n], 0) for n in LEX_LENGTHS}

    @staticmethod
    def build(words: dict[str, int], n_classes: int = len(LEX_CLASSES)) -> Lexicon:
        """From word -> lexicon class id (index into LEX_CLASSES, below ``n_classes``)."""
        keys, classes = {}, {}
        for n in LEX_LENGTHS:
            ws = [w for w in words if len(w) == n]
            if not ws:
                keys[n], classes[n] = np.zeros(0, np.uint64), np.zeros(0, np.int64)
                continue
            cps = np.frombuffer("".join(ws).encode("utf-32-le"), dtype=np.uint32).reshape(-1, n)
            k = cps[:, 0].astype(np.uint64)
            with np.errstate(over="ignore"):
                for j in range(1, n):
                    k = k * _HASH_A + cps[:, j].astype(np.uint64)
            cls = np.array([words[w] for w in ws], dtype=np.int64)
            order = np.lexsort((-cls, k))  # by key, higher class first
            k, cls = k[order], cls[order]
            first = np.concatenate([[True], k[1:] != k[:-1]])
            keys[n], classes[n] = k[first], cls[first]
        return Lexicon(keys, classes, n_classes)

    def features(self, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(begin ids, end ids) per character; code point 0 (separator) never inside a word."""
        total = len(cps)
        begin = np.zeros(total, dtype=np.int64)
        end = np.zeros(total, dtype=np.int64)
        zeros = np.concatenate([[0], np.cumsum(cps == 0)])
        mult = 1
        base = self.n_classes
        c = cps.astype(np.uint64)
        keys = c  # the hash of the n code points at each position, for n = 1, 2, ...: each from the one before
        for n in range(2, max(LEX_LENGTHS) + 1):
            if total < n:
                break
            keys = keys[:-1] * _HASH_A + c[n - 1:]
            if n in LEX_LENGTHS and len(self.keys[n]):
                cls = self.tables[n].lookup(keys)
                cls[zeros[n:] - zeros[: total - n + 1] > 0] = 0
                cls *= mult
                begin[: total - n + 1] += cls
                end[n - 1:] += cls
            if n in LEX_LENGTHS:
                mult *= base
        return begin, end


class CharVocab:
    """Character and bigram ids, vectorized over code points."""

    def __init__(self, chars: str, bigram_keys: np.ndarray):
        self.chars = chars
        self.lut = np.ones(CP_BASE, dtype=np.int32)  # 1 = unknown
        self.lut[0] = 0  # 0 = padding / separator
        cps = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        self.lut[cps] = np.arange(2, 2 + len(cps), dtype=np.int32)
        self.bigram_keys = np.asarray(bigram_keys, dtype=np.int64)  # sorted
        # bigram id = 2 + position in the sorted keys (1 = unknown), looked up by hash
        self.bigram_table = KeyTable(self.bigram_keys, np.arange(2, 2 + len(self.bigram_keys)), 1)

    @staticmethod
    def code_points(text: str) -> np.ndarray:
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)

    def encode(self, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Char ids and ids of the bigram (this char, next char); code point 0 is a separator."""
        cid = self.lut[cps]
        nxt = np.zeros_like(cps)
        nxt[:-1] = cps[1:]
        keys = cps * CP_BASE + nxt
        bid = self.bigram_table.lookup(keys)
        bid[cps == 0] = 0
        return cid.astype(np.int64), bid.astype(np.int64)


@dataclass(frozen=True)
class _Conv:
    w: tuple[np.ndarray, np.ndarray, np.ndarray]  # (C_in, H) for offsets -d, 0, +d
    b: np.ndarray
    dilation: int
    residual: bool


# Decoding works in another tag order, chosen so that every BIOES move is a plain slice:
#   rows 0:3 I, 3:6 E, 6 O, 7:10 S, 10:13 B (labels PER LOC ORG within each)
# O/E/S (rows 3:10) may go to O/S/B (rows 6:13), any pair; I or B of a label (rows 0:3 and 10:13,
# one strided view) only to I or E of the same label (rows 0:6).
_ORDER = np.array([TAG_ID[f"{p}-{lab}"] for p in "IE" for lab in LABELS] + [0]
                  + [TAG_ID[f"{p}-{lab}"] for p in "SB" for lab in LABELS])
_AT = np.argsort(_ORDER)  # tag id -> its row in the decoding order
_CLOSE, _OPEN = slice(3, 10), slice(6, 13)


def viterbi(em: np.ndarray, lengths: np.ndarray, trans: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> np.ndarray:
    """Best BIOES tag paths for a padded batch of emissions (B, T, K); padding tags are 0.

    ``start`` and ``end`` are (K,) scores, or (B, K) for one per row (a window cut out of a longer
    piece starts and ends next to an O: its scores are the transitions from and to O).
    """
    b, t_max, k = em.shape
    return decode_rows(em.reshape(b * t_max, k).T, np.arange(b) * t_max, np.asarray(lengths),
                       trans, start, end)


def decode_rows(em: np.ndarray, at: np.ndarray, lengths: np.ndarray, trans: np.ndarray,
                start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Viterbi over rows ``em[:, at[i]:at[i] + lengths[i]]`` of (K, N) emission scores (tags
    first); returns (rows, max length) tag ids, 0 past each row's end. ``start``/``end``: (K,) or
    one per row.

    Exploits the BIOES constraints instead of a dense K x K max (see ``_ORDER``). Rows run
    longest first, so those still running at step t are a prefix (no masking); their emissions
    are gathered once, step by step, into one array (a slice per step). Scores are laid out
    (T, K, rows) so that each step is five whole-array operations: most rows are short windows,
    so steps are many and light, and the number of numpy calls per step is what costs. No
    back-pointers are kept: the way back takes, at each step, the best predecessor of the tag
    already chosen (the same sums; ties go to the lower tag id, as a dense argmax would).
    """
    rows, k = len(at), em.shape[0]
    t_max = int(lengths.max()) if rows else 0
    out = np.zeros((rows, t_max), dtype=np.int64)
    if rows == 0 or t_max == 0:
        return out
    order = np.argsort(-lengths, kind="stable")
    lens = lengths[order]
    live = np.searchsorted(-lens, -np.arange(t_max), side="left")  # rows with length > t
    first = np.concatenate([[0], np.cumsum(live)])  # step t's rows in the packed emissions
    step = np.repeat(np.arange(t_max), live)
    row = np.arange(len(step)) - first[step]
    packed = em[_ORDER[:, None], (at[order][row] + step)[None, :]]  # (K, sum of lengths)
    start = (start[order] if start.ndim == 2 else start[None, :])[:, _ORDER]
    end = end[order] if end.ndim == 2 else end[None, :]
    t_open = trans[np.ix_(_ORDER[_CLOSE], _ORDER[_OPEN])][:, :, None]  # (7 from, 7 to, 1)
    i_rows, b_rows, e_rows = _ORDER[0:3], _ORDER[10:13], _ORDER[3:6]
    # (from I/B, to I/E, label, 1)
    t_bi = np.array([[trans[s, i_rows], trans[s, e_rows]] for s in (i_rows, b_rows)])[..., None]
    score = np.empty((t_max, k, rows), dtype=np.float32)  # best score of a path ending in each tag
    st = score.strides
    # views: the I and B rows as (t, from I/B, 1, label, row); the I and E rows as (t, to I/E, ...)
    src = np.lib.stride_tricks.as_strided(score, (t_max, 2, 1, 3, rows),
                                          (st[0], 10 * st[1], 0, st[1], st[2]))
    dst = score[:, 0:6].reshape(t_max, 2, 3, rows)
    tmp_open = np.empty((7, 7, rows), dtype=np.float32)
    tmp_bi = np.empty((2, 2, 3, rows), dtype=np.float32)
    n = int(live[0])  # rows of length 0 (none in practice) are left out and stay all O
    np.add(start.T[:, :n] if len(start) > 1 else start.T, packed[:, 0:n], out=score[0, :, :n])
    for t in range(1, t_max):
        n = int(live[t])
        if n == 0:
            break
        np.add(score[t - 1, _CLOSE, None, :n], t_open, out=tmp_open[:, :, :n])
        np.maximum.reduce(tmp_open[:, :, :n], axis=0, out=score[t, _OPEN, :n])
        np.add(src[t - 1, :, :, :, :n], t_bi, out=tmp_bi[..., :n])
        np.maximum.reduce(tmp_bi[..., :n], axis=0, out=dst[t, :, :, :n])
        np.add(score[t, :, :n], packed[:, first[t]:first[t] + n], out=score[t, :, :n])
    last = score[lens - 1, :, np.arange(rows)][:, _AT]  # (rows, K) in tag id order
    tag = (last + end).argmax(axis=1)
    into = np.ascontiguousarray(trans.T)  # (to, from)
    for t in range(t_max - 1, 0, -1):
        n = int(live[t])
        out[:n, t] = tag[:n]
        back = into[tag[:n]]
        back += score[t - 1, :, :n].T[:, _AT]
        tag[:n] = back.argmax(axis=1)
    n = int(live[0])
    out[:n, 0] = tag[:n]
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
        # subtracted from the O score before decoding; tuned on the dev split (train/tune_decoding.py)
        self.o_penalty = float(meta.get("decode", {}).get("o_penalty", 0.0))
        self.skip_plain_o = True  # only for ``window = None``
        # decode only windows around characters that do not score O highest, this many characters
        # on each side (None: whole pieces); see :meth:`_windows`
        self.window: int | None = WINDOW
        self.vocab = CharVocab(meta["chars"], arr["bigram_keys"])
        # the embeddings stay as stored (float16): only the reference path reads them after folding
        self.char_emb, self.bigram_emb, self.feat_emb = arr["char_emb"], arr["bigram_emb"], arr["feat_emb"]
        self.lexicon = None
        if "lex_keys_2" in arr:
            # models trained before the "co" class have the first six classes
            n_classes = len(meta.get("lex_classes", LEX_CLASSES[:6]))
            self.lexicon = Lexicon({n: arr[f"lex_keys_{n}"] for n in LEX_LENGTHS},
                                   {n: arr[f"lex_cls_{n}"] for n in LEX_LENGTHS}, n_classes)
            self.lex_begin_emb, self.lex_end_emb = arr["lex_begin_emb"], arr["lex_end_emb"]
        self.convs: list[_Conv] = []
        for i, d in enumerate(self.config["dilations"]):
            w = arr[f"conv{i}_w"].astype(np.float32)  # torch layout (H, C_in, 3)
            ws = tuple(np.ascontiguousarray(w[:, :, j].T) for j in range(3))
            self.convs.append(_Conv(ws, arr[f"conv{i}_b"].astype(np.float32), int(d), i > 0))
        # The first convolution is linear in the embeddings, so its char and word-class parts are
        # folded into lookup tables (vocab x 3H, one H-block per offset); only the large bigram
        # table stays a matrix product. Exact (same sums in another order), ~1.5x faster.
        first = self.convs[0]
        dc, db, df = self.char_emb.shape[1], self.bigram_emb.shape[1], self.feat_emb.shape[1]
        w_all = np.concatenate(first.w, axis=1)  # (C_in, 3H): offsets -d, 0, +d
        self.fold_char = np.ascontiguousarray(self.char_emb.astype(np.float32) @ w_all[:dc])
        # bigrams too: (vocab x 3H) float32, ~55 MB in memory for 100k bigrams, but a gather is ~5x
        # cheaper than the (N x 48) @ (48 x 3H) product it replaces
        self.fold_bigram = np.ascontiguousarray(self.bigram_emb.astype(np.float32) @ w_all[dc:dc + db])
        self.fold_feat = np.ascontiguousarray(self.feat_emb.astype(np.float32) @ w_all[dc + db:dc + db + df])
        if self.lexicon is not None:
            o = dc + db + df
            dl = self.lex_begin_emb.shape[1]
            self.fold_lex_begin = np.ascontiguousarray(self.lex_begin_emb.astype(np.float32) @ w_all[o:o + dl])
            self.fold_lex_end = np.ascontiguousarray(self.lex_end_emb.astype(np.float32) @ w_all[o + dl:o + 2 * dl])
        self.out_w = np.ascontiguousarray(arr["out_w"].astype(np.float32).T)
        self.out_wt = np.ascontiguousarray(arr["out_w"].astype(np.float32))  # (K, H)
        self.out_b = arr["out_b"].astype(np.float32)
        allowed, ok_start, ok_end = allowed_transitions()
        self.trans = np.where(allowed, arr["crf_trans"], NEG).astype(np.float32)
        self.start = np.where(ok_start, arr["crf_start"], NEG).astype(np.float32)
        self.end = np.where(ok_end, arr["crf_end"], NEG).astype(np.float32)
        self.sep = max(c.dilation for c in self.convs)

    def _hidden(self, cid: np.ndarray, bid: np.ndarray, fid: np.ndarray, mask: np.ndarray,
                lex: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """The last convolution's output for a flat sequence (separators have id 0 and mask 0).

        Written for speed: the first layer comes from the folded tables, adds are in place, and the
        separators are re-zeroed by index (they are few) instead of multiplying by the mask.
        """
        seps = np.flatnonzero(mask == 0)
        first = self.convs[0]
        hsz = first.b.shape[0]
        d = first.dilation
        z = self.fold_bigram[bid]
        z += self.fold_char[cid]
        z += self.fold_feat[fid]
        if lex is not None:
            z += self.fold_lex_begin[lex[0]]
            z += self.fold_lex_end[lex[1]]
        h = z[:, hsz:2 * hsz] + first.b
        h[d:] += z[:-d, :hsz]
        h[:-d] += z[d:, 2 * hsz:]
        np.maximum(h, 0, out=h)
        h[seps] = 0
        for conv in self.convs[1:]:
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
        return h

    def emissions(self, cid: np.ndarray, bid: np.ndarray, fid: np.ndarray, mask: np.ndarray,
                  lex: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Tag scores (N, K) for a flat sequence (separators have id 0 and mask 0)."""
        return self.tag_scores(cid, bid, fid, mask, lex).T

    def tag_scores(self, cid: np.ndarray, bid: np.ndarray, fid: np.ndarray, mask: np.ndarray,
                   lex: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """:meth:`emissions` laid out (K, N), tags first: what decoding reads (a reduction over
        the 13 tags of every character is far cheaper along the first axis)."""
        scores = self.out_wt @ self._hidden(cid, bid, fid, mask, lex).T
        scores += self.out_b[:, None]
        return scores

    def emissions_reference(self, cid: np.ndarray, bid: np.ndarray, fid: np.ndarray,
                            mask: np.ndarray, lex: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Plain layer-by-layer version of :meth:`emissions` (for tests)."""
        parts = [self.char_emb[cid], self.bigram_emb[bid], self.feat_emb[fid]]
        if lex is not None:
            parts += [self.lex_begin_emb[lex[0]], self.lex_end_emb[lex[1]]]
        x = np.concatenate(parts, axis=1).astype(np.float32)
        m = mask[:, None]
        h = x
        for conv in self.convs:
            d = conv.dilation
            y = h @ conv.w[1] + conv.b
            y[d:] += h[:-d] @ conv.w[0]
            y[:-d] += h[d:] @ conv.w[2]
            y = np.maximum(y, 0)
            h = (h + y) * m if conv.residual else y * m
        return h @ self.out_w + self.out_b

    def predict(self, sentences: list[str], features: list[np.ndarray]) -> list[list[tuple[int, int, str]]]:
        """Spans (start, end, label) for each sentence; ``features`` from :func:`word_feature_ids`."""
        text = "".join(sentences)
        feats = (np.concatenate([np.asarray(f, dtype=np.int64) for f in features])
                 if features else np.zeros(0, dtype=np.int64))
        bounds = np.cumsum([0] + [len(x) for x in sentences])
        pieces = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
        spans = self.predict_pieces(text, feats, pieces)
        out: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
        for s, e, lab in spans:
            i = int(np.searchsorted(bounds, s, side="right")) - 1
            out[i].append((s - int(bounds[i]), e - int(bounds[i]), lab))
        return out

    def predict_pieces(self, text: str, feats: np.ndarray, pieces: list[tuple[int, int]],
                       block_chars: int = 8192, batch: int = 1024) -> list[tuple[int, int, str]]:
        """Spans (start, end, label) in ``text``; each (start, end) piece is decoded on its own.

        ``feats`` holds a word-class feature per character of ``text``. Pieces are laid out in one
        flat array with zero separators (index arithmetic, no per-piece Python work). Emissions are
        computed in blocks of ~``block_chars`` (bounded temporaries, few numpy calls); Viterbi runs
        over big batches (its cost is per time step, so more rows per step is cheaper).
        """
        pieces = [(s, e) for s, e in pieces if e > s]
        if not pieces:
            return []
        sep = self.sep
        starts = np.array([p[0] for p in pieces], dtype=np.int64)
        lengths = np.array([p[1] - p[0] for p in pieces], dtype=np.int64)
        order = np.argsort(lengths, kind="stable")
        starts, lengths = starts[order], lengths[order]
        cps_text = self.vocab.code_points(text)
        feats = np.asarray(feats, dtype=np.int64)
        # flat layout: sep, piece, sep, piece, ..., sep
        slot = lengths + sep
        flat_start = sep + np.concatenate([[0], np.cumsum(slot)[:-1]])  # where each piece begins
        total = int(flat_start[-1] + lengths[-1] + sep)
        src = np.full(total, -1, dtype=np.int64)
        piece_of = np.repeat(np.arange(len(lengths)), lengths)
        within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        src[flat_start[piece_of] + within] = starts[piece_of] + within
        hit = src >= 0
        cps = np.where(hit, cps_text[np.maximum(src, 0)], 0)
        fid = np.where(hit, feats[np.maximum(src, 0)], 0)
        cid, bid = self.vocab.encode(cps)
        lex = self.lexicon.features(cps) if self.lexicon is not None else None
        mask = hit.astype(np.float32)
        k = len(TAGS)
        em = np.empty((k, total), dtype=np.float32)  # tags first
        # blocks end on a separator boundary so that no piece is cut
        cuts = [0]
        ends = flat_start + lengths + sep
        limit = block_chars
        for j in range(len(ends)):
            if ends[j] - cuts[-1] > limit and flat_start[j] - sep > cuts[-1]:
                cuts.append(int(flat_start[j] - sep))
        cuts.append(total)
        for a, b in zip(cuts, cuts[1:]):
            em[:, a:b] = self.tag_scores(cid[a:b], bid[a:b], fid[a:b], mask[a:b],
                                         None if lex is None else (lex[0][a:b], lex[1][a:b]))
        if self.o_penalty:
            em[0] -= self.o_penalty
        not_o = np.maximum.reduce(em[1:], axis=0) > em[0]  # the best tag is not O (argmax != 0)
        if self.window is None:
            # whole pieces; one whose every character already scores O highest is all O (on the dev
            # split this changed no prediction and it skips ~half the pieces)
            rows_at, rows_len, offsets = flat_start, lengths, starts
            if self.skip_plain_o:
                count = np.concatenate([[0], np.cumsum(not_o)])
                keep = count[flat_start + lengths] - count[flat_start] > 0
                rows_at, rows_len, offsets = flat_start[keep], lengths[keep], starts[keep]
            row_start, row_end = self.start, self.end
        else:
            rows_at, rows_len, offsets, row_start, row_end = self._windows(not_o, hit, src)
        out: list[tuple[int, int, str]] = []
        order = np.argsort(rows_len, kind="stable")  # similar lengths share a batch
        for lo in range(0, len(order), batch):
            sel = order[lo:lo + batch]
            tags = decode_rows(em, rows_at[sel], rows_len[sel], self.trans,
                               row_start if row_start.ndim == 1 else row_start[sel],
                               row_end if row_end.ndim == 1 else row_end[sel])
            out.extend(tag_grid_spans(tags, offsets[sel]))
        return sorted(out)

    def _windows(self, not_o: np.ndarray, hit: np.ndarray, src: np.ndarray):
        """Rows to decode: the stretches within ``window`` characters of a character whose best
        emission is not O, each cut at its piece's edges; the rest of every piece is tagged O.

        Viterbi over a whole piece spends most of its steps on plain text. A window is decoded as
        if O stood just outside it (start and end scores = transitions from and to O), which is
        the full decoding whenever the full path has O there; where a window meets the edge of
        its piece the piece's own start/end scores apply. Measured against whole-piece decoding on
        msra_test, the dev split and 20k training sentences together: 2549 / 69 / 6 differing
        spans with a margin of 0 / 1 / 2 characters, none from 3 on (4 is the default: one to spare).
        """
        m = self.window
        total = len(not_o)
        nz = not_o & hit
        c = np.concatenate([[0], np.cumsum(nz)])
        idx = np.arange(total)
        cover = (c[np.minimum(idx + m + 1, total)] - c[np.maximum(idx - m, 0)] > 0) & hit
        edge = np.diff(cover.astype(np.int8), prepend=0, append=0)
        begin, stop = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
        first = ~hit[begin - 1]  # the flat layout starts and ends with separators
        last = ~hit[stop]
        row_start = np.where(first[:, None], self.start[None, :], self.trans[0][None, :])
        row_end = np.where(last[:, None], self.end[None, :], self.trans[:, 0][None, :])
        return begin, stop - begin, src[begin], row_start, row_end


_KIND = np.array(["OBIES".index(t[0]) for t in TAGS])  # 0 O, 1 B, 2 I, 3 E, 4 S
_LABEL = [t[2:] for t in TAGS]


def tag_grid_spans(tags: np.ndarray, offsets: np.ndarray) -> list[tuple[int, int, str]]:
    """Spans from a (rows, T) BIOES tag grid, shifted by each row's offset.

    A well-formed grid (every B followed, as the next B/E/S of its row, by an E: what the
    constrained Viterbi gives) is read with array operations; anything else goes through
    :func:`tag_cell_spans`, whose reading (the E's label; a B without an E is dropped) defines both.
    """
    kinds = _KIND[tags]
    rows, cols = np.nonzero((kinds == 1) | (kinds >= 3))
    found = tags[rows, cols]
    kind = _KIND[found]
    b = np.flatnonzero(kind == 1)
    e = b + 1
    well_formed = len(b) == int((kind == 3).sum()) and (
        len(b) == 0 or (e[-1] < len(kind) and (kind[e] == 3).all() and (rows[e] == rows[b]).all()))
    if not well_formed:
        return tag_cell_spans(rows, cols, found, offsets)
    off = offsets[rows] + cols
    single = np.flatnonzero(kind == 4)
    labels = [_LABEL[t] for t in found.tolist()]
    spans = [(x, x + 1, labels[i]) for x, i in zip(off[single].tolist(), single.tolist())]
    spans += [(x, y + 1, labels[i]) for x, y, i in zip(off[b].tolist(), off[e].tolist(), e.tolist())]
    return spans


def tag_cell_spans(rows: np.ndarray, cols: np.ndarray, found: np.ndarray,
                   offsets: np.ndarray) -> list[tuple[int, int, str]]:
    """Spans from the B/E/S cells of a tag grid in reading order, one at a time (any grid)."""
    spans = []
    begin = -1
    for r, c, t in zip(rows.tolist(), cols.tolist(), found.tolist()):
        p, lab = _TAG_PARTS[t]
        off = int(offsets[r])
        if p == "S":
            spans.append((off + c, off + c + 1, lab))
        elif p == "B":
            begin = c
        elif begin >= 0:  # E
            spans.append((off + begin, off + c + 1, lab))
            begin = -1
    return spans


def model_dir() -> Path:
    """Where the shipped model lives inside the package."""
    return Path(__file__).resolve().parents[2] / "models" / "ner"
