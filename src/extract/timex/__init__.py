"""Time expressions in Chinese news text, resolved to ISO dates, and the document's own date.

Why this layer exists: a number in a news article is only useful with its period (8144亿元 over
十四五 = 2021-01-01..2025-12-31), and the digits of 2025年 or 1-8月 must never be read as quantities.
The vocabulary (plan names, quarters, relative words, modifiers, the guards around them) lives in
``rules/time.yaml``; the layer composes it into a few compiled ``regex`` patterns once per process
and scans the text with them (no per-character Python loop), then resolves each match against a
reference date. By concern:

- ``types``: ``TimeExpr`` and the internal calendar spec / candidate;
- ``grammar``: the regex families and the builders of candidates;
- ``scan``: selection (leftmost-longest), ranges, modifiers;
- ``resolve``: dates from the text, the paragraph's context and the reference date (``find_times``;
  the resolution rules are in its docstring);
- ``document``: the publication date written in the article (``document_date``).
"""

from extract.timex.document import document_date
from extract.timex.resolve import find_times
from extract.timex.types import TimeExpr

__all__ = ["TimeExpr", "document_date", "find_times"]
