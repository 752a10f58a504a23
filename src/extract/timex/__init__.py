"""Time expressions resolved to ISO dates, and the document's own date (`expressions`)."""

from extract.timex.expressions import TimeExpr, document_date, find_times

__all__ = ["TimeExpr", "document_date", "find_times"]
