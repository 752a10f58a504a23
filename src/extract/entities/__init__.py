"""Named entities (PER, LOC, ORG): the public calls are `find_entities` and `analyze` (`find`).

Inside: the spaCy `Language` assembly and combiner (`language`), gazetteer and pattern rules
(`rules`), the repairs of the model's spans (`repairs`), and the character model (`model`).
The names load lazily, so that importing a rule module does not load spaCy and the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extract.entities.find import CHUNK_CHARS, Entity, analyze, chunks, find_entities

__all__ = ["CHUNK_CHARS", "Entity", "analyze", "chunks", "find_entities"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from extract.entities import find

        return getattr(find, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
