"""One document through every layer: view -> sentences -> quantities -> rows with original offsets.

Pure with respect to I/O: text in, records out. The CLI and the library both call
`extract_document`; files and folders are handled in `batch`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import regex

from extract.link.linker import link
from extract.numbers.numerals import mask_long_runs
from extract.numbers.units import lexicon
from extract.quantities.reading import Quantity, find_quantities
from extract.resources import alternation
from extract.text.blocks import block_bounds
from extract.text.view import TextView, make_view, sentence_spans
from extract.timex import document_date, find_times

# Huge files are cut into blocks of about this many characters at paragraph breaks, so memory
# stays bounded; offsets and sentence numbers still run over the whole document.
BLOCK_CHARS = 1_000_000


@dataclass
class Rows:
    """The records of one block (or of a whole document); every offset indexes the original text."""

    quantities: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)


@dataclass
class Extraction(Rows):
    """All records of one document, or only its counts where the rows went to a sink block by block."""

    n_sentences: int = 0
    n_quantities: int = 0
    n_entities: int = 0
    date: date | None = None
    date_source: str | None = None


# Receives the rows of each block as soon as the block is done (see ``extract_document``), in
# pieces of at most SINK_ROWS rows of a table, so that memory holds that many rows (as dicts).
RowSink = Callable[[Rows], None]
SINK_ROWS = 4096


def blocks(original: str, size: int = BLOCK_CHARS) -> list[tuple[int, str]]:
    """Cut ``original`` into (offset, block) pieces of at most ``size`` characters, where
    :func:`extract.text.blocks.block_bounds` cuts (an empty text is one empty block): the pieces
    ``extract_document`` reads, one at a time."""
    return [(s, original[s:e]) for s, e in block_bounds(original, size)] or [(0, original)]


def _quantity_row(q: Quantity, ctx, original_span: tuple[int, int], original: str, sentence: int) -> dict:
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
        "change": ctx.change,
        "basis": ctx.basis,
        "metric": ctx.metric,
        "subject": ctx.subject,
        "period_text": ctx.period_text,
        "period_start": ctx.period_start,
        "period_end": ctx.period_end,
        "subject_code": ctx.subject_code,
        "subject_source": ctx.subject_source,
        "period_source": ctx.period_source,
    }


def _inside(spans: list[tuple[int, int]], start: int, end: int, strict: bool) -> bool:
    """Whether [start, end) lies inside one of the sorted ``spans`` (strictly: the span is longer)."""
    i = bisect_right(spans, (start, float("inf"))) - 1
    while i >= 0 and spans[i][1] > start:
        s, e = spans[i]
        if s <= start and end <= e and (not strict or (e - s) > (end - start)):
            return True
        i -= 1
    return False


def _drop_inside_names_and_times(quantities: list[Quantity], times, mentions) -> list[Quantity]:
    """A number inside a time expression (2025年) or a longer name (十家堡镇, 九台区) is not a quantity."""
    time_spans = sorted((t.start, t.end) for t in times)
    name_spans = sorted((m.start, m.end) for m in mentions)
    return [q for q in quantities
            if not _inside(time_spans, q.num_start, q.num_end, strict=False)
            and not _inside(name_spans, q.start, q.end, strict=True)]


def _drop_inside_units(text: str, mentions: list, quantities: list[Quantity]) -> list:
    """A name inside the unit of a quantity is the unit's, not a name: 澳门元 in 2,150澳门元, 港 in
    3亿港元 (a model reads currencies named after places as places); and a name that overlaps the
    name of a market index is none (恒生 in 恒生指数, 成指报 in 深证成指报)."""
    units = sorted((q.num_end, q.end) for q in quantities if q.kind == "money" and q.end > q.num_end)
    indexes = _index_name_spans(text) if mentions else []
    if not units and not indexes:
        return mentions
    return [m for m in mentions if not _inside(units, m.start, m.end, strict=False)
            and not any(s < m.end and m.start < e for s, e in indexes)]


@cache
def _index_name_re() -> regex.Pattern:
    return regex.compile(alternation(lexicon().index_names))


def _index_name_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _index_name_re().finditer(text)]


_CHANGE_WORDS = {"up": "up", "down": "down"}
_BASIS_WORDS = {"yoy": "year on year", "mom": "month on month", "annual_avg": "annual average",
                "cumulative": "cumulative"}


def _fmt(value: float) -> str:
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text


# A fact's context is its sentence, or this many characters around the number where the sentence
# is longer (a run-on sentence must not be copied into every one of its thousands of facts).
CONTEXT_CHARS = 300


def _context(view: TextView, sentence: tuple[int, int], q: Quantity) -> str:
    s, e = sentence
    if e - s > CONTEXT_CHARS:
        s, e = max(s, q.start - CONTEXT_CHARS // 2), min(e, q.end + CONTEXT_CHARS // 2)
    if view.traditional:  # in the article's own script
        s, e = view.to_original(s, e)
        return view.original[s:e]
    return view.text[s:e]


def _as_written(value: str | None, view: TextView, near: int) -> str | None:
    """A text column (metric, subject, period) of a Traditional article in its own characters.

    Linking reads the Simplified view, whose characters map one to one onto the original: the
    value's last occurrence in the view before ``near`` (else its first anywhere) is read back
    from the original. A value the text writes only in part (长春市 from 長春, a full name) keeps
    the part it writes in the original's characters and the rest as it is."""
    if not value:
        return value
    for k in range(len(value), 1, -1):
        head = value[:k]
        pos = view.text.rfind(head, 0, near)
        if pos < 0:
            pos = view.text.find(head)
        if pos >= 0:
            s, e = view.to_original(pos, pos + k)
            return view.original[s:e] + value[k:] if e - s == k else value
    return value


def fact_row(row: dict, doc_date: date | None, sentence_text: str) -> dict:
    """One readable row: the quantity joined with its subject, metric and period."""
    value = _fmt(row["value"]) + (f"–{_fmt(row['value_high'])}" if row["value_high"] is not None else "")
    period = ""
    if row["period_text"]:
        dates = ""
        if row["period_start"] or row["period_end"]:
            dates = f" {row['period_start'] or '…'}..{row['period_end'] or '…'}"
        period = f" [{row['period_text']}{dates}]"
    notes = [w for w in (_CHANGE_WORDS.get(row["change"]), _BASIS_WORDS.get(row["basis"]), row["approx"]) if w]
    head = " ".join(x for x in (row["subject"], row["metric"]) if x) or "?"
    statement = f"{head}{period}: {value} {row['unit']}" + (f" ({', '.join(notes)})" if notes else "")
    return {
        "doc_date": doc_date, "sentence": row["sentence"], "start": row["start"], "end": row["end"],
        "statement": statement, "subject": row["subject"], "subject_code": row["subject_code"],
        "subject_source": row["subject_source"], "metric": row["metric"],
        "period_text": row["period_text"], "period_start": row["period_start"],
        "period_end": row["period_end"], "period_source": row["period_source"], "text": row["text"], "value": row["value"],
        "value_high": row["value_high"], "unit": row["unit"], "kind": row["kind"],
        "approx": row["approx"], "change": row["change"], "basis": row["basis"],
        "context": " ".join(sentence_text.split()),
    }


def _find_entities(text: str) -> list:
    """The entity layer, imported on first use: ``entities=False`` never loads the model."""
    from extract.entities.find import find_entities

    return find_entities(text)


def warm_up(entities: bool = True) -> None:
    """Load what the first document would otherwise load: the tokenizer and its tagger's tables
    and, with ``entities``, the entity step (its model, rules and gazetteer)."""
    from extract.text.segment import posseg_model, project_tokenizer

    project_tokenizer()
    posseg_model()
    if entities:
        from extract.entities.find import load

        load()


def extract_document(original: str, *, doc_date: date | None = None, date_source: str | None = None,
                     entities: bool = True, sink: RowSink | None = None) -> Extraction:
    """Run every extractor over one document's decoded text.

    ``doc_date`` (from --date or a metadata file) resolves relative times (今年, 上年); without it
    the date is read from the text itself (a dateline, or a day with the year inferred).

    A huge text goes through in blocks of BLOCK_CHARS. With a ``sink``, each block's rows, sorted
    by start and end, are handed to it as soon as they are made (SINK_ROWS at a time) and are not
    kept, so memory holds a few thousand rows however long the document; the result then carries
    only the counts. Without one, the result holds every row in the order found.
    """
    result = Extraction(date=doc_date, date_source=(date_source or "given") if doc_date else None)
    sentence_base = 0
    # BLOCK_CHARS is read here: tests shrink it to test many blocks
    for offset, end in block_bounds(original, BLOCK_CHARS) or [(0, 0)]:
        block = original[offset:end]
        view = make_view(block)
        # time expressions are read with over-long numeral stretches masked, as numbers are: no time
        # lies inside one, and a digit line would make the date patterns superlinear
        timed = mask_long_runs(view.text)
        if result.date is None and offset == 0:
            result.date, result.date_source = document_date(timed)
        sents = sentence_spans(view.text)
        starts = [s for s, _ in sents]

        def sentence_of(pos: int, base: int = sentence_base, starts: list[int] = starts) -> int:
            return base + max(bisect_right(starts, pos) - 1, 0)

        times = find_times(timed, ref=result.date)
        mentions = _find_entities(view.text) if entities else []
        quantities = _drop_inside_names_and_times(find_quantities(view.text, view.traditional), times, mentions)
        mentions = _drop_inside_units(view.text, mentions, quantities)
        contexts = link(view.text, quantities, times, mentions, sents, result.date, view.traditional)
        rows = Rows()
        spans = [view.to_original(q.start, q.end) for q in quantities]
        for i in _order(spans, sink):
            q = quantities[i]
            s, e = spans[i]
            row = _quantity_row(q, contexts[i], (s + offset, e + offset), original, sentence_of(q.start))
            if view.traditional:
                for column in ("metric", "subject", "period_text"):
                    row[column] = _as_written(row[column], view, q.end)
            rows.quantities.append(row)
            si = bisect_right(starts, q.start) - 1
            sentence_text = _context(view, sents[si], q) if si >= 0 else ""
            rows.facts.append(fact_row(row, result.date, sentence_text))
            rows = _hand_over(rows, sink, len(rows.quantities))
        spans = [view.to_original(m.start, m.end) for m in mentions]
        for i in _order(spans, sink):
            m = mentions[i]
            s, e = spans[i]
            rows.entities.append({
                "sentence": sentence_of(m.start), "start": s + offset, "end": e + offset,
                "text": original[s + offset:e + offset], "label": m.label,
                "source": m.source,
            })
            rows = _hand_over(rows, sink, len(rows.entities))
        sentence_base += len(sents)
        result.n_quantities += len(quantities)
        result.n_entities += len(mentions)
        if sink is None:
            result.quantities += rows.quantities
            result.entities += rows.entities
            result.facts += rows.facts
        else:
            _hand_over(rows, sink, SINK_ROWS)
        del rows, spans, view, timed, times, quantities, contexts, mentions  # before the next block is built
    result.n_sentences = sentence_base
    return result


def _order(spans: list[tuple[int, int]], sink: RowSink | None) -> Iterable[int]:
    """The order rows are made in: found order, or by (start, end) for a sink (a block's rows all
    lie inside the block, so sorting each block sorts the document; stable, as a sort of the
    document's rows is)."""
    return range(len(spans)) if sink is None else sorted(range(len(spans)), key=spans.__getitem__)


def _hand_over(rows: Rows, sink: RowSink | None, count: int) -> Rows:
    """Give ``rows`` to the sink once ``count`` reaches SINK_ROWS (and they hold any), then start
    afresh; without a sink keep collecting."""
    if sink is None or count < SINK_ROWS or not (rows.quantities or rows.entities or rows.facts):
        return rows
    sink(rows)
    return Rows()
