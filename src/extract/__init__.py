"""extract: Chinese news articles in, normalized tables of figures, entities and context out.

    >>> from extract import extract_text
    >>> df = extract_text("全省累计进出口总额达8144亿元，年均增长5.1%。")
    >>> df[["text", "value", "unit"]].values.tolist()
    [['8144亿元', 814400000000.0, 'CNY'], ['5.1%', 5.1, '%']]
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads on first use: importing extract stays cheap
    import pandas as pd

__version__ = "0.1.0"
__all__ = ["extract_text", "extract_tables"]


def extract_tables(text: str, *, doc_id: str = "text", doc_date: date | None = None) -> dict[str, pd.DataFrame]:
    """All tables for one article given as text: ``{"quantities": ..., "entities": ...}``."""
    from extract.io.tables import to_frame
    from extract.pipeline import extract_document

    ext = extract_document(text, doc_date=doc_date)
    for row in ext.quantities + ext.entities:
        row["doc_id"] = doc_id
    return {"quantities": to_frame("quantities", ext.quantities),
            "entities": to_frame("entities", ext.entities)}


def extract_text(text: str, *, doc_date: date | None = None) -> pd.DataFrame:
    """The quantities of one article as a pandas DataFrame (columns as in SCHEMA.md)."""
    return extract_tables(text, doc_date=doc_date)["quantities"]
