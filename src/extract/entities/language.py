"""The entity step as a spaCy pipeline, for users who want a ``Doc``: ``analyze(text)`` in
``extract.entities.find`` builds it on first use. Nothing else imports spaCy.

    tokenizer          the project tokenizer (jieba-rs with the gazetteer user words)
    extract_entities   ``extract.entities.step.EntityStep`` over the doc's text and tokens
                       -> doc._.entities (Entity), doc.ents (token-split, span._.source)

Every entity keeps exact character offsets: an entity that starts or ends inside a jieba token is
made exact by splitting that token (spaCy retokenizer), so ``doc.ents`` and ``doc._.entities``
agree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.entities.combiner import DEFAULT_PRECEDENCE, REPAIR_ORDER
from extract.entities.step import load as load_step
from extract.text import segment

Doc.set_extension("entities", default=None, force=True)
Span.set_extension("source", default=None, force=True)

_WORDS = "extract.words"  # the tokens as cut, whitespace included (Doc.text rebuilds them on each call)


class JiebaTokenizer:
    """spaCy tokenizer that segments with the project tokenizer."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.tokenizer = segment.project_tokenizer()

    def __call__(self, text: str) -> Doc:
        words = [w for w in self.tokenizer.lcut(text) if w]
        # jieba's tokens cover the text exactly, whitespace included, so they are the words as they
        # stand (spaCy's get_words_and_spaces would re-align them character by character)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data[_WORDS] = words
        return doc


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


@Language.factory("extract_entities",
                  default_config={"precedence": DEFAULT_PRECEDENCE, "steps": list(REPAIR_ORDER)})
def make_entities(nlp: Language, name: str, precedence: str, steps: list[str]) -> Callable[[Doc], Doc]:
    """The entity step with the repair steps named in ``steps`` (in that order)."""
    step = load_step(precedence, tuple(steps))

    def entities(doc: Doc) -> Doc:
        words = doc.user_data.get(_WORDS) or [t.text_with_ws for t in doc]
        text = "".join(words)
        chosen = step.choose(step.layers(text, words)) if words else []
        doc._.entities = chosen
        _split_tokens_at(doc, {c for x in chosen for c in (x.start, x.end)})
        ents = []
        for x in chosen:
            span = doc.char_span(x.start, x.end, label=x.label)
            if span is not None:
                span._.source = x.source
                ents.append(span)
        doc.ents = ents
        return doc

    return entities


@cache
def load(precedence: str = DEFAULT_PRECEDENCE, steps: tuple[str, ...] = REPAIR_ORDER) -> Language:
    """The spaCy pipeline, built once per process."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    nlp.add_pipe("extract_entities", config={"precedence": precedence, "steps": list(steps)})
    return nlp
