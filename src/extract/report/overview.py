"""Figures about a whole corpus: what was processed, what was found, and which periods it covers.

Plain counting over the rows the report already holds; the charts are drawn in `charts`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from extract.report.collect import ReportDoc

TOP = 15


@dataclass
class MetricPoint:
    """One value of the chosen metric: whose, when, how much, and where it was read."""

    doc_index: int
    ref: str
    subject: str
    period: str
    period_start: str | None
    value: float
    unit: str
    change: str | None
    text: str
    doc_id: str


@dataclass
class Overview:
    n_docs: int
    n_ok: int
    failures: list[tuple[str, str]]  # (doc_id, reason)
    n_quantities: int
    n_entities: int
    kinds: list[tuple[str, int]]
    units: list[tuple[str, str, int]]  # (kind, unit, count)
    labels: list[tuple[str, int]]
    metrics: list[tuple[str, int]]
    subjects: list[tuple[str, int]]
    periods: list[tuple[str, str, str, int]]  # (label, start, end, count)
    metric: str | None = None
    metric_points: list[MetricPoint] = field(default_factory=list)
    metric_note: str | None = None
    metric_choices: list[str] = field(default_factory=list)


def period_label(start: str | None, end: str | None, text: str | None = None) -> str:
    """A short name for a resolved period: 2025, 2021–2025, 2026-01..2026-03, or the two days."""
    if not start or not end:
        return text or "(no period)"
    try:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return text or f"{start}..{end}"
    if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
        return str(s.year) if s.year == e.year else f"{s.year}–{e.year}"
    if s.day == 1 and (e + timedelta(days=1)).day == 1:  # whole months
        if (s.year, s.month) == (e.year, e.month):
            return f"{s.year}-{s.month:02d}"
        return f"{s.year}-{s.month:02d}..{e.year}-{e.month:02d}"
    return start if s == e else f"{start}..{end}"


def _signed(row: dict) -> float:
    value = float(row["value"])
    return -value if row.get("change") == "down" else value


def metric_points(docs: list[ReportDoc], metric: str) -> tuple[list[MetricPoint], str | None]:
    """The rows of ``metric`` (exact name; else names that contain it, said in the note)."""
    def rows(match) -> list[MetricPoint]:
        return [MetricPoint(i, f"q{j}", q.get("subject") or "(no subject)",
                            period_label(q.get("period_start"), q.get("period_end"), q.get("period_text")),
                            q.get("period_start"), _signed(q), q.get("unit") or "", q.get("change"),
                            q.get("text") or "", doc.doc_id)
                for i, doc in enumerate(docs) for j, q in enumerate(doc.quantities)
                if q.get("metric") and match(q["metric"]) and q.get("value") is not None]

    exact = rows(lambda m: m == metric)
    if exact:
        return exact, None
    loose = rows(lambda m: metric in m)
    if loose:
        names = sorted({docs[p.doc_index].quantities[int(p.ref[1:])]["metric"] for p in loose})
        return loose, f"no rows name exactly {metric}; shown: the metrics that contain it ({'、'.join(names)})"
    return [], f"no rows have the metric {metric}"


def overview(docs: list[ReportDoc], metric: str | None = None) -> Overview:
    """Counts over all documents, and the chosen metric's points."""
    quantities = [q for d in docs for q in d.quantities]
    entities = [e for d in docs for e in d.entities]
    units = Counter((q.get("kind") or "?", q.get("unit") or "?") for q in quantities)
    periods = Counter((q.get("period_start") or "", q.get("period_end") or "", q.get("period_text") or "")
                      for q in quantities if q.get("period_start") or q.get("period_end"))
    by_range: Counter = Counter()
    for (start, end, _text), n in periods.items():
        by_range[(start, end)] += n
    metrics = Counter(q["metric"] for q in quantities if q.get("metric"))
    result = Overview(
        n_docs=len(docs),
        n_ok=sum(d.ok for d in docs),
        failures=[(d.doc_id, d.document.get("error") or "unknown reason") for d in docs if not d.ok],
        n_quantities=len(quantities),
        n_entities=len(entities),
        kinds=Counter(q.get("kind") or "?" for q in quantities).most_common(),
        units=sorted(((k, u, n) for (k, u), n in units.items()), key=lambda t: (t[0], -t[2], t[1])),
        labels=Counter(e.get("label") or "?" for e in entities).most_common(),
        metrics=metrics.most_common(TOP),
        subjects=Counter(q["subject"] for q in quantities if q.get("subject")).most_common(TOP),
        periods=sorted(((period_label(s, e), s, e, n) for (s, e), n in by_range.items()),
                       key=lambda t: (t[1], t[2])),
        metric=metric,
        metric_choices=[m for m, _ in metrics.most_common(200)],
    )
    if metric:
        result.metric_points, result.metric_note = metric_points(docs, metric)
    return result
