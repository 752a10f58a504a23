"""Named entities (PER, LOC, ORG) of a text, with exact character offsets and their source.

    >>> [ (e.text, e.label, e.source) for e in find_entities("长春海关共同出席了会议。") ]
    [('长春海关', 'ORG', 'rule')]

``find_entities`` is what the pipeline writes to the ``entities`` table; ``analyze`` returns a
spaCy ``Doc`` (jieba tokens, ``doc.ents`` with ``span._.source``) for users who want one (spaCy
loads only then). Both accept any string: long texts are processed in paragraph chunks so memory
stays bounded, and nothing raises on empty or odd input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from extract.entities.spans import Entity
from extract.entities.step import EntityStep, load
from extract.text.blocks import block_bounds

if TYPE_CHECKING:
    from spacy.tokens import Doc

CHUNK_CHARS = 20000  # one model call per chunk: bounded memory, few Viterbi calls

__all__ = ["CHUNK_CHARS", "EntityStep", "analyze", "chunks", "find_entities", "load"]


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of at most ``size`` chars, cut where the pipeline cuts its blocks
    (:func:`extract.text.blocks.block_bounds`: a blank line, a line break, 。)."""
    yield from block_bounds(text, size)


def find_entities(text: str) -> list[Entity]:
    """All entity mentions in ``text`` (offsets into ``text``), sorted by position."""
    if not isinstance(text, str) or not text:
        return []
    step = load()
    out: list[Entity] = []
    for s, e in chunks(text):
        out.extend(x.shifted(s) for x in step.entities(text[s:e]))
    return out


def analyze(text: str) -> Doc:
    """The spaCy Doc of ``text``: jieba tokens (split at entity edges) and ``doc.ents``."""
    try:
        from spacy.tokens import Doc

        from extract.entities import language
    except ImportError as err:
        raise ImportError("analyze() returns a spaCy Doc and needs spaCy: pip install 'extract[spacy]'") from err

    pipeline = language.load()
    if not isinstance(text, str) or not text:
        return pipeline.make_doc("")
    pieces = list(chunks(text))
    docs = [pipeline(text[s:e]) for s, e in pieces]
    if len(docs) == 1:
        return docs[0]
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    doc._.entities = [x.shifted(s) for piece, (s, _e) in zip(docs, pieces) for x in piece._.entities or []]
    return doc
