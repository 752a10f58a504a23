"""extract: Chinese news articles in, normalized tables of figures, entities and context out.

    >>> from extract import extract_text
    >>> df = extract_text("全省累计进出口总额达8144亿元，年均增长5.1%。")
    >>> df[["text", "value", "unit"]].values.tolist()
    [['8144亿元', 814400000000.0, 'CNY'], ['5.1%', 5.1, '%']]
"""

from __future__ import annotations

from datetime import date as _date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads on first use: importing extract stays cheap
    import pandas as pd

__version__ = "0.1.0"
__all__ = ["extract_text", "extract_tables"]


def _as_date(value: _date | str | None) -> _date | None:
    """A publication date given as ``datetime.date`` or an ISO string (``"2026-04-19"``)."""
    if value is None or isinstance(value, _date):
        return value
    try:
        return _date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"date {value!r} is not a datetime.date or a YYYY-MM-DD string") from None


def extract_tables(text: str, *, doc_id: str = "text", date: _date | str | None = None,
                   entities: bool = True) -> dict[str, pd.DataFrame]:
    """Every table for one article given as text, as pandas DataFrames (columns as in SCHEMA.md):
    ``documents`` (one row: status, encoding, date and where it came from, counts), ``quantities``,
    ``entities`` and ``facts`` (each quantity with its subject, metric and period in one row).

    ``date`` (a ``datetime.date`` or ``"YYYY-MM-DD"``) resolves relative times such as 今年;
    without it the date is read from the text. ``entities=False`` skips the slow entity step.

        >>> from extract import extract_tables
        >>> t = extract_tables("今年一季度，全省进出口总额达2100亿元，同比增长5.1%。", date="2026-04-19")
        >>> t["documents"][["doc_id", "status", "date_source"]].values.tolist()
        [['text', 'ok', 'given']]
        >>> t["facts"][["text", "metric", "period_start", "period_end"]].astype(str).values.tolist()
        [['2100亿元', '进出口总额', '2026-01-01', '2026-03-31'], ['5.1%', '进出口总额', '2026-01-01', '2026-03-31']]
    """
    from extract.io.batch import Options, Source, process
    from extract.io.tables import to_frame

    out = process(Source(doc_id, text=text), Options(date=_as_date(date), entities=entities))
    return {"documents": to_frame("documents", [out.document]),
            "quantities": to_frame("quantities", out.quantities),
            "entities": to_frame("entities", out.entities),
            "facts": to_frame("facts", out.facts)}


def extract_text(text: str, *, date: _date | str | None = None) -> pd.DataFrame:
    """The quantities of one article as a pandas DataFrame (columns as in SCHEMA.md).

        >>> extract_text("上半年承运1万标箱，货值3亿欧元。")[["text", "value", "unit"]].values.tolist()
        [['1万标箱', 10000.0, 'TEU'], ['3亿欧元', 300000000.0, 'EUR']]
    """
    return extract_tables(text, date=date)["quantities"]
