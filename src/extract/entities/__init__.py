"""Named entities (PER, LOC, ORG): the public calls are `find_entities` and `analyze` (`find`).

Inside: the span type (`spans`: `Entity`, and `Candidate` inside the combiner), the step that
runs the layers on a piece of text (`step`: tokens, gazetteer, pattern rules, model, then the
combiner), gazetteer and pattern rules (`rules`), the repairs of the model's spans (`repairs`), the
named repair steps and the combiner (`combiner`), the character model (`model`), and the same
step as a spaCy pipeline for users who want a `Doc` (`language`, loaded only by `analyze`).
The names load lazily, so that importing a rule module does not load the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extract.entities.spans import Candidate, Entity

if TYPE_CHECKING:
    from extract.entities.find import CHUNK_CHARS, analyze, chunks, find_entities

__all__ = ["CHUNK_CHARS", "Candidate", "Entity", "analyze", "chunks", "find_entities"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from extract.entities import find

        return getattr(find, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
