"""The project's spaCy pipeline for Chinese: jieba tokens, gazetteer rules, the char NER model, a combiner.

``load()`` builds it once per process (no pretrained spaCy package is needed or installable):

    tokenizer           jieba (private instance, project user dictionary, per-user cache file)
    extract_gazetteer   spaCy SpanRuler, LOC phrase patterns from rules/ -> doc.spans["gazetteer"]
    extract_char_ner    the character CNN-CRF model (numpy) -> doc._.model_spans
    extract_entity_rules  char-exact regex rules (ORG patterns, 对俄, bylines) -> doc._.rule_spans
    extract_entity_combiner  the repair steps, then one non-overlapping set (entities.combiner)
                        -> doc._.entities (Entity), doc.ents (token-split)

Every entity keeps exact character offsets: a model span that starts or ends inside a jieba token
is made exact by splitting that token (spaCy retokenizer), so ``doc.ents`` and ``doc._.entities``
agree. The pipeline holds a jieba tokenizer, which does not pickle: build it inside each worker
process (``load()`` there), never pass it to a process pool.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import regex
import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.entities import rules as entity_rules
from extract.entities.combiner import DEFAULT_PRECEDENCE, REPAIR_ORDER, REPAIRS, choose, jieba_words
from extract.entities.model.features import features_of_words, word_tags
from extract.entities.model.network import CharNER, model_dir, normalize
from extract.text import segment

if TYPE_CHECKING:
    import jieba

Doc.set_extension("model_spans", default=None, force=True)
Doc.set_extension("rule_spans", default=None, force=True)
Doc.set_extension("entities", default=None, force=True)
Span.set_extension("source", default=None, force=True)

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


@Language.factory("extract_entity_combiner",
                  default_config={"precedence": DEFAULT_PRECEDENCE, "steps": list(REPAIR_ORDER)})
def make_combiner(nlp: Language, name: str, precedence: str, steps: list[str]) -> Callable[..., Doc]:
    """The repair steps named in ``steps`` (in that order, see :mod:`extract.entities.combiner`),
    then the combiner."""
    unknown = [s for s in steps if s not in REPAIRS]
    if unknown:
        raise ValueError(f"unknown repair steps {unknown}; known: {', '.join(REPAIR_ORDER)}")
    jieba_words()  # load now, not on the first document

    def combiner(doc: Doc, set_ents: bool = True) -> Doc:
        """``set_ents=False`` (find_entities) keeps only the char-exact ``doc._.entities``:
        splitting tokens for ``doc.ents`` costs about as much as the model itself."""
        rules = list(doc._.rule_spans or [])
        rules += [(span.start_char, span.end_char, span.label_) for span in doc.spans.get("gazetteer", [])]
        chosen = choose(doc_text(doc), doc_words(doc), doc._.model_spans or [], rules, steps, precedence)
        doc._.entities = chosen
        if not set_ents:
            return doc
        _split_tokens_at(doc, {c for x in chosen for c in (x.start, x.end)})
        ents = []
        for x in chosen:
            span = doc.char_span(x.start, x.end, label=x.label)
            if span is not None:
                span._.source = x.source
                ents.append(span)
        doc.ents = ents
        return doc

    return combiner


def gazetteer_patterns() -> list[dict]:
    return [{"label": "LOC", "pattern": name} for name in entity_rules.place_names().all]


@cache
def load(precedence: str = DEFAULT_PRECEDENCE, steps: tuple[str, ...] = REPAIR_ORDER) -> Language:
    """The pipeline, built once per process (per precedence and repair steps: a study may leave
    steps out)."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    # the ruler goes first: add_patterns runs the pipeline built so far over every pattern text
    ruler = nlp.add_pipe("span_ruler", name="extract_gazetteer",
                         config={"spans_key": "gazetteer", "phrase_matcher_attr": "ORTH",
                                 "validate": False, "overwrite": True})
    ruler.add_patterns(gazetteer_patterns())
    nlp.add_pipe("extract_char_ner")
    nlp.add_pipe("extract_entity_rules")
    nlp.add_pipe("extract_entity_combiner", config={"precedence": precedence, "steps": list(steps)})
    return nlp
