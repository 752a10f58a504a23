"""The project's spaCy pipeline for Chinese: jieba tokens, gazetteer rules, the char NER model, a combiner.

``load()`` builds it once per process (no pretrained spaCy package is needed or installable):

    tokenizer           jieba (private instance, project user dictionary, per-user cache file)
    extract_gazetteer   spaCy SpanRuler, LOC phrase patterns from rules/ -> doc.spans["gazetteer"]
    extract_char_ner    the character CNN-CRF model (numpy) -> doc._.model_spans
    extract_entity_rules  char-exact regex rules (ORG patterns, 对俄, bylines) -> doc._.rule_spans
    extract_entity_combiner  one non-overlapping set -> doc._.entities, doc.ents (token-split)

Every entity keeps exact character offsets: a model span that starts or ends inside a jieba token
is made exact by splitting that token (spaCy retokenizer), so ``doc.ents`` and ``doc._.entities``
agree. The pipeline holds a jieba tokenizer, which does not pickle: build it inside each worker
process (``load()`` there), never pass it to a process pool.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np
import regex
import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.entities import repairs as entity_post
from extract.entities import rules as entity_rules
from extract.entities.model.features import features_of_words, word_tags
from extract.entities.model.network import CharNER, model_dir, normalize
from extract.text import segment

if TYPE_CHECKING:
    import jieba

Doc.set_extension("model_spans", default=None, force=True)
Doc.set_extension("rule_spans", default=None, force=True)
Doc.set_extension("entities", default=None, force=True)
Span.set_extension("source", default=None, force=True)

# Precedence of the combiner, chosen by measurement on the dev split of train.jsonl
# (train/combine_study.py): see MODEL_CARD.md.
DEFAULT_PRECEDENCE = "model_first_org"
MAX_SENTENCE = 128  # the MSRA training pieces are at most ~100 chars
JIEBA_WORDS = "extract.jieba_words"
TEXT = "extract.text"


def doc_text(doc: Doc) -> str:
    """The doc's text, cached by our tokenizer (``Doc.text`` joins all tokens on every call)."""
    text = doc.user_data.get(TEXT)
    return text if text is not None else doc.text
_SENT_END = regex.compile(r"[。！？；!?;\n\r]+[”’」』）)]*")
_SOFT_BREAK = regex.compile(r"[，、,：:]")
_NON_SPACE = regex.compile(r"\S+")


def jieba_tokenizer() -> jieba.Tokenizer:
    """The process-wide private jieba tokenizer with the project user dictionary."""
    return segment.project_tokenizer()


@cache
def post_words() -> entity_post.Words:
    """jieba as the entity repairs see it: our tokenizer, its frequencies, the word classes."""
    tok = jieba_tokenizer()
    return entity_post.Words(cut=lambda t: tok.lcut(t), freq=tok.FREQ, tags=word_tags(),
                             closed=segment.words_tagged(entity_post.closed_tags()),
                             verbs=segment.words_tagged(entity_post.verb_tags()))


@cache
def char_model() -> CharNER:
    return CharNER(model_dir())


class JiebaTokenizer:
    """spaCy tokenizer that segments with our private jieba instance."""

    def __init__(self, vocab, tok=None):
        self.vocab = vocab
        self.tok = tok if tok is not None else jieba_tokenizer()

    def __call__(self, text: str) -> Doc:
        raw = [w for w in self.tok.cut(text) if w]
        if not raw:
            return Doc(self.vocab, words=[], spaces=[])
        # jieba's tokens cover the text exactly, whitespace included, so they are the words as they
        # stand (spaCy's get_words_and_spaces would re-align them character by character)
        doc = Doc(self.vocab, words=raw, spaces=[False] * len(raw))
        doc.user_data[JIEBA_WORDS] = raw  # exact cover of the text; saves re-reading the tokens
        doc.user_data[TEXT] = text  # Doc.text is rebuilt from the tokens at every access
        return doc


def split_sentences(text: str, max_len: int = MAX_SENTENCE) -> list[tuple[int, int]]:
    """(start, end) of the model's input pieces: sentences, long ones cut at a comma.

    Whitespace is left out (the training text has none, so the model never learnt it; an entity
    never spans it in Chinese news), which also keeps spans from starting or ending on a space.
    """
    pieces = []
    start = 0
    for m in _SENT_END.finditer(text):
        pieces.append((start, m.end()))
        start = m.end()
    if start < len(text):
        pieces.append((start, len(text)))
    pieces = [(m.start(), m.end()) for s, e in pieces for m in _NON_SPACE.finditer(text, s, e)]
    out = []
    for s, e in pieces:
        while e - s > max_len:
            cut = None
            for m in _SOFT_BREAK.finditer(text, s + max_len // 2, s + max_len):
                cut = m.end()
            cut = cut or s + max_len
            out.append((s, cut))
            s = cut
        if e > s:
            out.append((s, e))
    return out


def doc_words(doc: Doc) -> list[str]:
    """The doc's jieba tokens, covering its text exactly (whitespace as tokens of its own)."""
    words = doc.user_data.get(JIEBA_WORDS)
    if words is None or sum(map(len, words)) != len(doc_text(doc)):
        words = []
        for t in doc:
            words.append(t.text)
            if t.whitespace_:
                words.append(t.whitespace_)
    return words


def doc_features(doc: Doc) -> np.ndarray:
    """Per-character features of the whole doc, from its jieba tokens."""
    return features_of_words(doc_words(doc))


def model_spans_for(text: str, feats: np.ndarray, model: CharNER) -> list[tuple[int, int, str]]:
    """Run the model over the sentence pieces of ``text``; offsets into ``text``."""
    return model.predict_pieces(normalize(text), feats, split_sentences(text))


@Language.factory("extract_char_ner")
def make_char_ner(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    model = char_model()
    word_tags()  # load now, not on the first document

    def char_ner(doc: Doc) -> Doc:
        doc._.model_spans = model_spans_for(doc_text(doc), doc_features(doc), model) if len(doc) else []
        return doc

    return char_ner


@Language.factory("extract_entity_rules")
def make_entity_rules(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    def rules(doc: Doc) -> Doc:
        doc._.rule_spans = entity_rules.rule_spans(doc_text(doc))
        return doc

    return rules


def combine(model: list[tuple[int, int, str]], rules: list[tuple[int, int, str]],
            precedence: str = DEFAULT_PRECEDENCE, strong: set[tuple[int, int]] | None = None
            ) -> list[tuple[int, int, str, str]]:
    """One non-overlapping set of (start, end, label, source) from model and rule candidates.

    ``model_first``: model spans stand; rule spans fill the gaps. ``rule_first``: the reverse.
    ``longest``: longer spans win overlaps (rules win ties). ``model_first_org``: as model_first, but
    a rule ORG that wholly contains the model spans it overlaps replaces them (the model saw only
    the place in 长春海关: MSRA has few such organizations); with ``strong`` given, exactly those
    (start, end) rule spans may do so, whatever their label (zone names: 长春 + 经开区).
    """
    cands = [(s, e, lab, "model") for s, e, lab in model] + [(s, e, lab, "rule") for s, e, lab in rules]
    if precedence == "model_first_org":
        model_sorted = sorted(model)
        model_starts = [m[0] for m in model_sorted]
        longest = max((m[1] - m[0] for m in model_sorted), default=0)
        promoted = []
        for s, e, lab in rules:
            if (s, e) not in strong if strong is not None else lab != "ORG":
                continue
            # the model spans overlapping (s, e) start in (s - longest, e): bisect, not a full scan
            lo, hi = bisect_right(model_starts, s - longest), bisect_left(model_starts, e)
            inside = [m for m in model_sorted[lo:hi] if m[0] < e and s < m[1]]
            if inside and all(s <= m[0] and m[1] <= e for m in inside) and \
                    not any(m[:2] == (s, e) for m in inside):
                promoted.append((s, e, lab))
        cands = [(s, e, lab, "rule") for s, e, lab in promoted] + cands
        first = set(promoted)
        key = lambda c: (0 if (c[3] == "rule" and c[:3] in first) else 1 if c[3] == "model" else 2,  # noqa: E731
                         -(c[1] - c[0]), c[0])
    elif precedence == "model_first":
        key = lambda c: (c[3] != "model", -(c[1] - c[0]), c[0])  # noqa: E731
    elif precedence == "rule_first":
        key = lambda c: (c[3] != "rule", -(c[1] - c[0]), c[0])  # noqa: E731
    elif precedence == "longest":
        key = lambda c: (-(c[1] - c[0]), c[3] != "rule", c[0])  # noqa: E731
    else:
        raise ValueError(f"unknown precedence {precedence!r}")
    taken = bytearray(max((c[1] for c in cands), default=0))  # a numpy slice test per span costs more
    chosen = []
    for c in sorted(cands, key=key):
        if 1 not in taken[c[0]:c[1]]:
            taken[c[0]:c[1]] = b"\1" * (c[1] - c[0])
            chosen.append(c)
    return sorted(chosen)


_PAIRS = {"（": "）", "(": ")", "《": "》", "“": "”", "「": "」", "【": "】", "‘": "’"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_EDGE_CHAR = regex.compile(r"[\p{P}\s]")
_BRACKETS = frozenset(_PAIRS) | frozenset(_CLOSERS)


@cache
def _bad_edge(ch: str) -> bool:
    """Punctuation or space: no name starts or ends on one (cached per character, called per span)."""
    return _EDGE_CHAR.fullmatch(ch) is not None


def plausible(name: str) -> bool:
    """A model span is kept only if it could be a name: no punctuation or space at its edges, and
    brackets/quotes inside it balanced (兴隆国际陆港（铁路 is a cut-off name, not an entity)."""
    if not name or _bad_edge(name[0]) or _bad_edge(name[-1]):
        return False
    if _BRACKETS.isdisjoint(name):
        return True
    depth: dict[str, int] = {}
    for ch in name:
        if ch in _PAIRS:
            depth[ch] = depth.get(ch, 0) + 1
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            if depth.get(opener, 0) == 0:
                return False
            depth[opener] -= 1
    return not any(depth.values())


def _split_tokens_at(doc: Doc, cuts: set[int]) -> None:
    """Split tokens so that every char offset in ``cuts`` is a token boundary."""
    if not len(doc):
        return
    starts = np.asarray(doc.to_array(IDX), dtype=np.int64).reshape(-1)
    inside: dict[int, list[int]] = {}
    for c in sorted(cuts):
        i = int(np.searchsorted(starts, c, side="right")) - 1
        if i < 0 or starts[i] == c:
            continue
        tok = doc[i]
        if c < tok.idx + len(tok.text):
            inside.setdefault(i, []).append(c - tok.idx)
    if not inside:
        return
    with doc.retokenize() as retok:
        for i, offs in inside.items():
            tok = doc[i]
            bounds = [0] + offs + [len(tok.text)]
            orths = [tok.text[a:b] for a, b in zip(bounds, bounds[1:])]
            retok.split(tok, orths, [(tok, 0)] * len(orths))


@Language.factory("extract_entity_combiner", default_config={"precedence": DEFAULT_PRECEDENCE})
def make_combiner(nlp: Language, name: str, precedence: str) -> Callable[..., Doc]:
    post_words()  # load now, not on the first document
    def combiner(doc: Doc, set_ents: bool = True) -> Doc:
        """``set_ents=False`` (find_entities) keeps only the char-exact ``doc._.entities``:
        splitting tokens for ``doc.ents`` costs about as much as the model itself."""
        rules = list(doc._.rule_spans or [])
        for span in doc.spans.get("gazetteer", []):
            rules.append((span.start_char, span.end_char, span.label_))
        text = doc_text(doc)
        words = post_words()
        cut = doc_words(doc)
        bounds = token_bounds(cut)
        # organizations of rules/org_names.yaml, on jieba's token edges: they win over model pieces
        listed = entity_rules.org_name_spans(text, bounds)
        rules += listed + entity_post.town_spans(text, cut, words)
        model = [m for m in doc._.model_spans or [] if plausible(text[m[0]:m[1]])]
        model = entity_post.clean_model_spans(text, model, words, bounds)
        # a listed name the model read with another label (宁德时代 a place, 比亚迪 a person) is the list's
        named = {(s, e) for s, e, _lab in listed}
        model = [m for m in model if m[:2] not in named]
        model = entity_post.start_at_places(model, [r for r in rules if r[2] == "LOC" and r[1] - r[0] > 2
                                                     and text[r[0]:r[1]] in _full_places()])
        shorts = entity_post.short_form_spans(text, model + rules)
        rules += shorts
        zones = entity_post.zone_spans(text, model + shorts, words)
        model = entity_post.relabel_zones(model, zones)
        longer = zones + entity_post.institution_spans(text, rules + model, words)
        longer += entity_post.trade_spans(text, rules + model, cut, words, entity_rules.company_names())
        rules += longer
        ends_ok = _org_end_check(text, bounds, words)
        rules = [r for r in rules if r[2] != "ORG" or ends_ok(r[1])]
        longer = [r for r in longer if r[2] != "ORG" or ends_ok(r[1])]
        strong = {(s, e) for s, e, lab in rules if lab == "ORG" and entity_rules.is_strong_org(text[s:e])}
        strong.update((s, e) for s, e, _lab in longer)
        strong.update((s, e) for s, e, _lab in listed)
        chosen = combine(model, rules, precedence, strong)
        doc._.entities = chosen
        if not set_ents:
            return doc
        _split_tokens_at(doc, {c for s, e, _l, _src in chosen for c in (s, e)})
        ents = []
        for s, e, lab, src in chosen:
            span = doc.char_span(s, e, label=lab)
            if span is not None:
                span._.source = src
                ents.append(span)
        doc.ents = ents
        return doc

    return combiner


def gazetteer_patterns() -> list[dict]:
    return [{"label": "LOC", "pattern": name} for name in entity_rules.place_names().all]


@cache
def _full_places() -> frozenset[str]:
    """Official and listed place names (长春市, 查干湖), not the short forms (长沙 in 部长沙穆亚里拉)."""
    return frozenset(entity_rules.place_names().full)


def _org_end_check(text: str, bounds: frozenset[int], words: entity_post.Words):
    """Does an organization name found by the rules end where it may? At a jieba token's end, or
    inside a token whose rest is a word of its own (九台区发展和改革局|局长, jieba: 局局长); not
    inside a word (上海大学|生, 乌克兰外交部|长, 电视台今晚报|道)."""
    starts: list[int] = []

    def ok(end: int) -> bool:
        if end in bounds:
            return True
        if not starts:
            starts.extend(sorted(bounds))
        token_end = starts[bisect_right(starts, end)]
        rest = text[end:token_end]
        return len(rest) >= 2 and words.known(rest)

    return ok


def token_bounds(words: list[str]) -> frozenset[int]:
    """Character offsets where one of these consecutive tokens starts or ends."""
    return frozenset(accumulate(map(len, words), initial=0))


@cache
def load(precedence: str = DEFAULT_PRECEDENCE) -> Language:
    """The pipeline, built once per process."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    # the ruler goes first: add_patterns runs the pipeline built so far over every pattern text
    ruler = nlp.add_pipe("span_ruler", name="extract_gazetteer",
                         config={"spans_key": "gazetteer", "phrase_matcher_attr": "ORTH",
                                 "validate": False, "overwrite": True})
    ruler.add_patterns(gazetteer_patterns())
    nlp.add_pipe("extract_char_ner")
    nlp.add_pipe("extract_entity_rules")
    nlp.add_pipe("extract_entity_combiner", config={"precedence": precedence})
    return nlp
