"""The entity layer's span type: what every step proposes and what the layer returns.

A plain module (no spaCy, no model), so that the link layer and the tests can name the type
without loading the entity pipeline.

``Entity`` is one mention: exact character offsets, its text, its label and which layer found it.
Inside the combiner the steps pass *candidates* around: the same offsets and label, before the
combiner has chosen among them and before the text is cut out. A candidate is an ``Entity``'s
first three fields as a named tuple (``Candidate``), so ``for start, end, label in spans`` reads
both the model's output and every repair's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Candidate(NamedTuple):
    """A proposed mention: ``text[start:end]`` read as ``label`` (PER, LOC, ORG); may overlap others."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Entity:
    """A chosen mention: ``text`` is ``input[start:end]``; ``source`` is ``model`` or ``rule``."""

    start: int
    end: int
    text: str
    label: str  # PER, LOC, ORG
    source: str  # rule or model

    def shifted(self, offset: int) -> Entity:
        """The same mention in a text that holds this one's text at ``offset``."""
        return Entity(self.start + offset, self.end + offset, self.text, self.label, self.source)
