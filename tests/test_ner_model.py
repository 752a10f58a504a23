"""The numpy NER model's lookups and fast paths against plain reference versions.

The hash table replaced ``np.searchsorted`` over the sorted key arrays the model file stores; the
ids it gives must be exactly those of a plain dict lookup (the model was trained on those ids).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.entities.model.network import CP_BASE, LEX_LENGTHS, TAGS, CharNER, CharVocab, KeyTable, model_dir

U64 = st.integers(min_value=0, max_value=2**64 - 1)


def dict_lookup(keys, values, queries, default):
    table: dict[int, int] = {}
    for k, v in zip(keys, values):
        table.setdefault(int(k), int(v))  # a repeated key keeps its first value
    return [table.get(int(q), default) for q in queries]


@settings(max_examples=200, deadline=None)
@given(st.lists(U64, max_size=300), st.lists(U64, max_size=300), st.integers(-3, 3))
def test_key_table_matches_a_dict(keys, others, default):
    values = list(range(7, 7 + len(keys)))
    table = KeyTable(np.array(keys, dtype=np.uint64), np.array(values), default)
    # present keys, absent keys, and the values an empty slot could be mistaken for
    queries = keys + others + [0, 1, 2, int(table.empty), 2**64 - 1]
    got = table.lookup(np.array(queries, dtype=np.uint64))
    assert got.tolist() == dict_lookup(keys, values, queries, default)


def test_key_table_with_crowded_slots():
    # keys that all want the last slot of a 16-slot table: their probe run wraps past the end.
    # A key alone in a table of that size sits in its home slot, which is how the keys are found.
    rng = np.random.default_rng(3)
    size = KeyTable(np.arange(4, dtype=np.uint64), np.arange(4), -1).keys.size  # 4 keys: 16 slots

    def home(key: np.uint64) -> int:
        alone = KeyTable(np.array([key], dtype=np.uint64), np.array([0]), -1, room=size)
        assert alone.keys.size == size
        return int(np.flatnonzero(alone.keys == key)[0])

    pool = rng.integers(1 << 32, 2**63, 3000, dtype=np.int64).astype(np.uint64)
    homes = np.array([home(k) for k in pool])
    crowded = pool[homes == size - 1][:4]
    assert len(crowded) == 4
    table = KeyTable(crowded[::-1].copy(), np.arange(4), -1)  # unsorted is fine
    assert table.keys.size == size
    assert sorted(np.flatnonzero(table.keys != table.empty).tolist()) == [0, 1, 2, size - 1]  # wrapped
    misses = pool[np.isin(homes, [size - 2, size - 1, 0])]
    misses = np.setdiff1d(misses, crowded)[:50]
    got = table.lookup(np.concatenate([crowded, misses])).tolist()
    assert got == [3, 2, 1, 0] + [-1] * len(misses)


def test_empty_key_table_gives_the_default():
    table = KeyTable(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), 1)
    assert table.lookup(np.array([0, 5, 2**63], dtype=np.uint64)).tolist() == [1, 1, 1]


@pytest.fixture(scope="module")
def shipped():
    return CharNER(model_dir())


def searchsorted_lookup(sorted_keys, values, queries, default):
    pos = np.minimum(np.searchsorted(sorted_keys, queries), len(sorted_keys) - 1)
    return np.where(sorted_keys[pos] == queries, values[pos], default)


def test_bigram_ids_match_the_sorted_keys(shipped):
    vocab = shipped.vocab
    rng = np.random.default_rng(5)
    real = vocab.bigram_keys[rng.integers(0, len(vocab.bigram_keys), 3000)]
    near = real + 1  # mostly absent, next to a real key in sorted order
    cps = rng.integers(0x4E00, 0x9FA5, 6000)
    made = cps[:-1] * CP_BASE + cps[1:]
    queries = np.concatenate([real, near, made])
    want = searchsorted_lookup(vocab.bigram_keys, np.arange(2, 2 + len(vocab.bigram_keys)), queries, 1)
    assert (vocab.bigram_table.lookup(queries) == want).all()
    assert (want[:3000] >= 2).all()  # the real keys were found


def test_char_vocab_encode_gives_the_trained_ids():
    vocab = CharVocab("长春海关", np.array(sorted([ord("长") * CP_BASE + ord("春"),
                                                 ord("海") * CP_BASE + ord("关")]), dtype=np.int64))
    cid, bid = vocab.encode(np.append(CharVocab.code_points("长春x海关"), 0))
    assert cid.tolist() == [2, 3, 1, 4, 5, 0]
    # 海 (U+6D77) sorts before 长 (U+957F): 海关 is key 0 of the sorted keys (id 2), 长春 key 1
    # (id 3); 春x, x海 and 关 + separator are unknown (1), the separator itself is 0
    assert bid.tolist() == [3, 1, 1, 2, 1, 0]


def test_lexicon_classes_match_the_sorted_keys(shipped):
    lex = shipped.lexicon
    assert lex is not None
    rng = np.random.default_rng(7)
    for n in LEX_LENGTHS:
        keys, classes = lex.keys[n], lex.classes[n]
        queries = np.concatenate([keys[rng.integers(0, len(keys), 2000)],
                                  rng.integers(0, 2**63, 2000, dtype=np.int64).astype(np.uint64)])
        want = searchsorted_lookup(keys, classes, queries, 0)
        assert (lex.tables[n].lookup(queries) == want).all()


def brute_force_path(em, trans, start, end):
    """Dense Viterbi over every tag pair, one sequence, back-pointers kept."""
    score, back = start + em[0], []
    for t in range(1, len(em)):
        cand = score[:, None] + trans
        back.append(cand.argmax(0))
        score = cand.max(0) + em[t]
    cur = int((score + end).argmax())
    path = [cur]
    for b in reversed(back):
        cur = int(b[cur])
        path.append(cur)
    return path[::-1]


def test_viterbi_matches_brute_force_decoding():
    from extract.entities.model.network import NEG, TAGS, allowed_transitions, viterbi

    rng = np.random.default_rng(7)
    allowed, ok_start, ok_end = allowed_transitions()
    k = len(TAGS)
    trans = np.where(allowed, rng.normal(size=(k, k)), NEG).astype(np.float32)
    start = np.where(ok_start, rng.normal(size=k), NEG).astype(np.float32)
    end = np.where(ok_end, rng.normal(size=k), NEG).astype(np.float32)
    lengths = rng.integers(1, 25, 40)
    em = (rng.normal(size=(40, int(lengths.max()), k)) * 3).astype(np.float32)
    out = viterbi(em, lengths, trans, start, end)
    for i, n in enumerate(lengths):
        assert out[i, :n].tolist() == brute_force_path(em[i, :n], trans, start, end)
        assert not out[i, n:].any()


def test_viterbi_with_start_and_end_scores_per_row():
    from extract.entities.model.network import NEG, TAGS, allowed_transitions, viterbi

    rng = np.random.default_rng(11)
    allowed, ok_start, ok_end = allowed_transitions()
    k, rows = len(TAGS), 30
    trans = np.where(allowed, rng.normal(size=(k, k)), NEG).astype(np.float32)
    # per row: a window inside a piece starts after an O and ends before one
    start = np.where(ok_start, rng.normal(size=(rows, k)), NEG).astype(np.float32)
    end = np.where(ok_end, rng.normal(size=(rows, k)), NEG).astype(np.float32)
    lengths = rng.integers(1, 20, rows)
    em = (rng.normal(size=(rows, int(lengths.max()), k)) * 3).astype(np.float32)
    out = viterbi(em, lengths, trans, start, end)
    for i, n in enumerate(lengths):
        assert out[i, :n].tolist() == brute_force_path(em[i, :n], trans, start[i], end[i])
        assert not out[i, n:].any()


NEWS = [
    "国务院总理李强23日在人民大会堂会见了来华访问的新加坡总理黄循财。",
    "吉林省商务厅与长春海关联合举办了中俄经贸合作洽谈会，俄罗斯滨海边疆区代表团出席。",
    "据新华社报道，联合国秘书长古特雷斯当天在纽约发表讲话，呼吁各方保持克制。",
    "王小明说：“我在延边朝鲜族自治州工作了十年。”",
]


def test_windowed_decoding_equals_whole_piece_decoding(shipped):
    from extract.entities.model.features import text_features
    from extract.entities.step import split_sentences

    text = "\n".join(NEWS) * 3
    feats = text_features(text)
    pieces = split_sentences(text)
    whole = CharNER(model_dir())
    whole.window, whole.skip_plain_o = None, False
    want = whole.predict_pieces(text, feats, pieces)
    assert shipped.window is not None
    assert shipped.predict_pieces(text, feats, pieces) == want
    assert {text[s:e] for s, e, lab in want if lab == "PER"} >= {"李强", "古特雷斯"}


def test_text_features_match_the_word_classes():
    from extract.entities.model.features import text_features
    from extract.entities.model.network import word_feature_ids
    from extract.text import segment

    text = "吉林省长春市2025年GDP增长5.3%，  王小明说：“好！”" * 2  # repeats hit the per-word cache
    tok = segment.project_tokenizer()
    words = tok.lcut(text)
    assert "".join(words) == text
    want = word_feature_ids(words, [tok.word_class(w) for w in words])
    assert text_features(text).tolist() == want.tolist()
    assert len(set(want.tolist())) > 5  # places, numbers, Latin, punctuation, space, names differ
    cls = {w: segment.WORD_CLASSES[tok.word_class(w)] for w in words}
    assert (cls["吉林省"], cls["2025"], cls["GDP"], cls["，"], cls[" "]) == ("ns", "num", "latin", "punct", "space")
    assert cls["增长"] == "v"  # a verb in jieba's dictionary


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=6, max_size=6), min_size=1, max_size=5),
       st.booleans())
def test_span_reading_of_tag_grids(grid, well_formed):
    from extract.entities.model.network import TAGS, spans_to_tags, tag_cell_spans, tag_grid_spans

    built = []
    offsets = np.arange(len(grid)) * 100 + 7
    if well_formed:  # what Viterbi gives: rebuild each row from spans read off it one by one
        rows = []
        for r, row in enumerate(grid):
            spans, i = [], 0
            while i < len(row):
                size = row[i] % 3 + 1
                if row[i] > 6 and i + size <= len(row):
                    spans.append((i, i + size, ("PER", "LOC", "ORG")[row[i] % 3]))
                i += size
            rows.append(spans_to_tags(len(row), spans).tolist())
            built += [(offsets[r] + s, offsets[r] + e, lab) for s, e, lab in spans]
        grid = rows
    tags = np.array(grid)
    kinds = np.array([t[0] for t in TAGS])[tags]
    rows, cols = np.nonzero(np.isin(kinds, ["B", "E", "S"]))
    want = tag_cell_spans(rows, cols, tags[rows, cols], offsets)
    assert sorted(tag_grid_spans(tags, offsets)) == sorted(want)
    if well_formed:
        assert sorted(want) == sorted(built)


def test_fast_emissions_match_the_layer_by_layer_version(shipped):
    from extract.entities.model.features import text_features
    from extract.entities.step import split_sentences

    text = "".join(NEWS)
    pieces = split_sentences(text)
    sep = shipped.sep
    # the flat layout of predict_pieces: separators (code point 0, mask 0) around every piece
    cps, feats, mask = [], [], []
    all_feats = text_features(text)
    for s, e in pieces:
        cps += [0] * sep + [ord(c) for c in text[s:e]]
        feats += [0] * sep + all_feats[s:e].tolist()
        mask += [0] * sep + [1] * (e - s)
    cps, feats = np.array(cps + [0] * sep), np.array(feats + [0] * sep)
    mask = np.array(mask + [0] * sep, dtype=np.float32)
    cid, bid = shipped.vocab.encode(cps)
    lex = shipped.lexicon.features(cps)
    fast = shipped.tag_scores(cid, bid, feats, mask, lex)
    slow = shipped.emissions_reference(cid, bid, feats, mask, lex)
    assert fast.shape == (len(TAGS), len(cps))
    inside = mask > 0
    assert np.allclose(fast.T[inside], slow[inside], atol=1e-3)
    assert (fast.T[inside].argmax(axis=1) == slow[inside].argmax(axis=1)).all()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="８１ＡｚＺ％．／－～＋\x00 ab9长春。，", max_size=30))
def test_normalize_maps_full_width_only_where_present(text):
    from extract.entities.model.network import normalize

    got = normalize(text)
    assert len(got) == len(text)  # 1:1, offsets unchanged
    assert not set(got) & set("８１ＡｚＺ％．／－～＋\x00")
    want = "".join({"８": "8", "１": "1", "Ａ": "A", "ｚ": "z", "Ｚ": "Z", "％": "%", "．": ".", "／": "/",
                    "－": "-", "～": "~", "＋": "+", "\x00": " "}.get(c, c) for c in text)
    assert got == want
