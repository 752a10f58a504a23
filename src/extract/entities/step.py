"""The entity step on one piece of text: its layers (jieba tokens, gazetteer, pattern rules, the
character model), then the repairs and the combiner.

    tokens      the project tokenizer (jieba-rs, gazetteer user words): the model's features, the
                gazetteer's token edges, the repairs' words
    gazetteer   every listed place name whose jieba tokens are a run of the text's tokens (token
                aligned, so 大同 never fires inside 大同小异)
    patterns    char-exact regex rules (ORG patterns, 对俄, bylines: ``rules.rule_spans``)
    model       the character CNN-CRF model (numpy) over sentence pieces
    choose      the repair steps named in ``steps`` (``combiner.REPAIR_ORDER``), then one
                non-overlapping set of entities

Why no spaCy here: the step needs none of spaCy's models, only a pipeline of functions over one
text; spaCy's import, its ``Doc`` for every piece and its phrase matcher cost about two seconds
of start-up and 100 MB per process, a third of the throughput target's budget.
``extract.entities.language`` wraps this step as a spaCy component for users who want a ``Doc``.
:class:`Layers` are what studies (``train/combine_study.py``) cache and recombine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

import regex

from extract.entities import rules as entity_rules
from extract.entities.combiner import DEFAULT_PRECEDENCE, REPAIR_ORDER, REPAIRS, choose, jieba_words
from extract.entities.model.features import features_of_words
from extract.entities.model.network import CharNER, model_dir, normalize
from extract.entities.spans import Entity
from extract.text import segment

Spans = list[tuple[int, int, str]]

MAX_SENTENCE = 128  # the MSRA training pieces are at most ~100 chars

_SENT_END = regex.compile(r"[。！？；!?;\n\r]+[”’」』）)]*")
_SOFT_BREAK = regex.compile(r"[，、,：:]")
_NON_SPACE = regex.compile(r"\S+")


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


class Gazetteer:
    """Listed place names matched on token edges: a name matches where the text's tokens run
    exactly as the name's own tokens (what a phrase matcher on token texts does)."""

    def __init__(self, names: tuple[str, ...], cut: Callable[[str], list[str]]) -> None:
        self._phrases: set[tuple[str, ...]] = set()
        self._longest: dict[str, int] = {}  # first token -> most tokens of a name starting with it
        for name in names:
            tokens = tuple(cut(name))
            if tokens:
                self._phrases.add(tokens)
                self._longest[tokens[0]] = max(self._longest.get(tokens[0], 0), len(tokens))

    def spans(self, words: list[str]) -> Spans:
        """(start, end, "LOC") of every listed name in the text cut into ``words``, by start and end."""
        starts = [0, *accumulate(map(len, words))]
        out: Spans = []
        phrases, longest = self._phrases, self._longest
        for i, word in enumerate(words):
            most = longest.get(word)
            if most is None:
                continue
            for k in range(1, min(most, len(words) - i) + 1):
                if tuple(words[i:i + k]) in phrases:
                    out.append((starts[i], starts[i + k], "LOC"))
        return out


@dataclass(frozen=True)
class Layers:
    """The combiner's inputs for one piece of text (offsets into ``text``)."""

    text: str
    words: list[str]  # jieba tokens, covering the text exactly
    model: Spans
    patterns: Spans  # the regex rules
    gazetteer: Spans

    @property
    def rules(self) -> Spans:
        """What the combiner takes as rule spans: the regex rules, then the gazetteer."""
        return self.patterns + self.gazetteer


class EntityStep:
    """The entity step, built once per process (:func:`load`): ``step.entities(text)``.

    Holds the project tokenizer, which does not pickle: build it inside each worker process."""

    def __init__(self, precedence: str = DEFAULT_PRECEDENCE, steps: tuple[str, ...] = REPAIR_ORDER) -> None:
        unknown = [s for s in steps if s not in REPAIRS]
        if unknown:
            raise ValueError(f"unknown repair steps {unknown}; known: {', '.join(REPAIR_ORDER)}")
        self.precedence, self.steps = precedence, steps
        self.tokenizer = segment.project_tokenizer()
        self.model = CharNER(model_dir())
        self.gazetteer = Gazetteer(entity_rules.place_names().all, self.tokenizer.lcut)
        jieba_words()  # load now, not on the first document

    def model_spans(self, text: str, words: list[str]) -> Spans:
        """The model over the sentence pieces of ``text`` (cut into ``words``)."""
        return self.model.predict_pieces(normalize(text), features_of_words(words), split_sentences(text))

    def layers(self, text: str, words: list[str] | None = None) -> Layers:
        """Every layer's spans of ``text``; ``words``: its tokens where already cut."""
        if words is None:
            words = [w for w in self.tokenizer.lcut(text) if w]
        model = self.model_spans(text, words) if words else []
        return Layers(text, words, model, entity_rules.rule_spans(text), self.gazetteer.spans(words))

    def choose(self, layers: Layers) -> list[Entity]:
        return choose(layers.text, layers.words, layers.model, layers.rules, self.steps, self.precedence)

    def entities(self, text: str) -> list[Entity]:
        """The entities of one piece of ``text`` (a chunk of :func:`extract.entities.find.chunks`)."""
        return self.choose(self.layers(text))


@cache
def load(precedence: str = DEFAULT_PRECEDENCE, steps: tuple[str, ...] = REPAIR_ORDER) -> EntityStep:
    """The step, built once per process (per precedence and repair steps: a study may leave steps out)."""
    return EntityStep(precedence, steps)
