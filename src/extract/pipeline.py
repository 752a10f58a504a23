"""One document through every layer: view -> sentences -> quantities -> rows with original offsets.

Pure with respect to I/O: text in, records out. The CLI and the library both call
`extract_document`; files and folders are handled in `batch`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from .quantities import find_quantities
from .textview import make_view, sentence_spans

# Huge files are cut into blocks of about this many characters at paragraph breaks, so memory
# stays bounded; offsets and sentence numbers still run over the whole document.
BLOCK_CHARS = 1_000_000


@dataclass
class Extraction:
    """All records of one document; every offset indexes the original text."""

    quantities: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    n_sentences: int = 0
    date: date | None = None
    date_source: str | None = None


def blocks(original: str, size: int = BLOCK_CHARS) -> list[tuple[int, str]]:
    """Cut ``original`` into (offset, block) pieces of at most ``size`` characters.

    Cuts fall at a blank line if there is one in the second half of the window, else at a line
    break, else after 。, else at the size limit.
    """
    out = []
    pos = 0
    n = len(original)
    while n - pos > size:
        window_end = pos + size
        cut = -1
        for sep in ("\n\n", "\n", "。"):
            i = original.rfind(sep, pos + size // 2, window_end)
            if i >= 0:
                cut = i + len(sep)
                break
        if cut <= pos:
            cut = window_end
        out.append((pos, original[pos:cut]))
        pos = cut
    out.append((pos, original[pos:]))
    return out


def _quantity_row(q, original_span: tuple[int, int], original: str, sentence: int) -> dict:
    s, e = original_span
    return {
        "sentence": sentence,
        "start": s,
        "end": e,
        "text": original[s:e],
        "value": float(q.value),
        "value_high": float(q.value_high) if q.value_high is not None else None,
        "unit": q.unit,
        "unit_text": q.unit_text,
        "kind": q.kind,
        "approx": q.approx,
        "change": q.change,
        "basis": q.basis,
        "metric": None,
        "subject": None,
        "period_text": None,
        "period_start": None,
        "period_end": None,
    }


def extract_document(original: str, *, doc_date: date | None = None) -> Extraction:
    """Run every extractor over one document's decoded text."""
    result = Extraction(date=doc_date, date_source="given" if doc_date else None)
    sentence_base = 0
    for offset, block in blocks(original):
        view = make_view(block)
        sents = sentence_spans(view.text)
        starts = [s for s, _ in sents]

        def sentence_of(pos: int) -> int:
            return sentence_base + max(bisect_right(starts, pos) - 1, 0)

        for q in find_quantities(view.text):
            s, e = view.to_original(q.start, q.end)
            result.quantities.append(
                _quantity_row(q, (s + offset, e + offset), original, sentence_of(q.start)))
        sentence_base += len(sents)
    result.n_sentences = sentence_base
    return result
