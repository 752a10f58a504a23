"""The layout of an article: its headline and paragraphs, one definition for every layer.

A headline is the first non-empty line when it is short (at most 80 characters), holds no 。 (a
sentence) and more text follows it; timex reads the year it names, the linker the period and the
subject it names.
"""

from __future__ import annotations

import regex

HEADLINE_MAX_CHARS = 80
_BREAKS = regex.compile(r"\n+")


def headline_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the headline in ``text``, or None when the text opens with a paragraph."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    if end < 0 or not text[end:].strip():
        return None  # one paragraph only: nothing for a headline to head
    line = text[start:end].strip()
    if not line or len(line) > HEADLINE_MAX_CHARS or "。" in line:
        return None
    return start, end


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs start (0 and after each run of line breaks)."""
    return [0] + [m.end() for m in _BREAKS.finditer(text)]
