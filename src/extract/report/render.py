"""The report page: one self-contained HTML file from the collected documents (Jinja2 templates).

The templates, stylesheet and script ship inside the package (``extract/report/templates``) and
are inlined into the page, so it opens offline from a file. Article text is escaped by `markup`,
everything else by Jinja's autoescaping; per-row details travel as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as escapes, so no
article character can end the script element.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from extract.report.collect import ReportDoc
from extract.report.markup import Span, mark_up
from extract.report.overview import Overview, overview, period_label
from extract.text.view import has_traditional

# columns every quantity row has, shown in their own places; any other column a newer pipeline
# adds (subject_code, context_source, ...) is shown as it is, under the known ones
KNOWN_COLUMNS = frozenset({
    "doc_id", "doc_date", "sentence", "start", "end", "text", "value", "value_high", "unit", "unit_text",
    "kind", "approx", "change", "basis", "metric", "subject", "period_text", "period_start", "period_end",
    "statement", "context",
})
ENTITY_LABELS = {"PER": "person", "LOC": "place", "ORG": "organization"}
KINDS = ("money", "percent", "pp", "multiple", "measure", "count")


@dataclass
class DocView:
    """What the template needs of one document."""

    index: int
    anchor: str
    doc: ReportDoc
    html: Markup | None
    lang: str  # zh-Hant where the article has Traditional characters: the browser picks TC glyphs
    data: Markup
    extra_columns: list[str]


def format_value(value: float | None) -> str:
    """A value as people read it: thousands separated, no trailing zeros (814,400,000,000; 5.1)."""
    if value is None:
        return ""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _value_text(row: dict) -> str:
    high = row.get("value_high")
    return format_value(row.get("value")) + (f"–{format_value(high)}" if high is not None else "")


def script_json(data) -> Markup:
    """JSON that is safe inside a ``<script>`` element whatever strings it holds."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


def _doc_view(index: int, doc: ReportDoc) -> DocView:
    anchor = f"d{index}"
    spans = [Span(q["start"], q["end"], f"q k-{q.get('kind') or 'other'}", f"q{j}", f"{anchor}-q{j}")
             for j, q in enumerate(doc.quantities)]
    spans += [Span(e["start"], e["end"], f"e l-{e.get('label') or 'other'}", f"e{j}", f"{anchor}-e{j}")
              for j, e in enumerate(doc.entities)]
    html = mark_up(doc.text, spans) if doc.text is not None else None
    extra = sorted({k for q in doc.quantities for k, v in q.items() if k not in KNOWN_COLUMNS and v is not None})
    periods = [period_label(q.get("period_start"), q.get("period_end"), "") for q in doc.quantities]
    data = script_json({"q": doc.quantities, "e": doc.entities, "extra": extra, "periods": periods,
                        "values": [_value_text(q) for q in doc.quantities]})
    lang = "zh-Hant" if doc.text and has_traditional(doc.text) else "zh-Hans"
    return DocView(index, anchor, doc, html, lang, data, extra)


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("extract.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["value"] = format_value
    return env


def _asset(env, name: str) -> str:
    """A stylesheet or script shipped beside the template, inlined as it is."""
    source, _, _ = env.loader.get_source(env, name)
    return source


def _charts(ov: Overview) -> dict[str, Markup | None]:
    from extract.report import charts

    return {
        "kinds": charts.bars(ov.kinds, "Quantities per kind"),
        "labels": charts.bars([(f"{k} ({ENTITY_LABELS.get(k, k)})", n) for k, n in ov.labels],
                              "Entities per label", colour="#55a868"),
        "metrics": charts.bars(ov.metrics, f"Most frequent metrics (top {len(ov.metrics)})", colour="#8172b2"),
        "subjects": charts.bars(ov.subjects, f"Most frequent subjects (top {len(ov.subjects)})",
                                colour="#c44e52"),
        "timeline": charts.timeline(ov),
        "metric": charts.metric_chart(ov.metric, ov.metric_points) if ov.metric else None,
    }


def render_report(docs: list[ReportDoc], *, title: str, metric: str | None = None) -> str:
    """The whole page as a string. Without ``metric`` the corpus's most frequent metric is charted."""
    ov = overview(docs, metric)
    metric_chosen = bool(metric)
    if not metric and ov.metrics:
        ov = overview(docs, ov.metrics[0][0])
    views = [_doc_view(i, d) for i, d in enumerate(docs)]
    env = _environment()
    script = _asset(env, "report.js")
    # the page's Content-Security-Policy lets only this script run: a script that reached the page
    # any other way would not
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return env.get_template("report.html.j2").render(
        title=title, views=views, ov=ov, charts=_charts(ov), metric_chosen=metric_chosen, kinds=KINDS,
        entity_labels=ENTITY_LABELS, style=Markup(_asset(env, "report.css")), script=Markup(script),
        script_hash=script_hash)


def write_report(docs: list[ReportDoc], out: Path, *, title: str, metric: str | None = None) -> Path:
    """Render and write the page (UTF-8) through a temporary file, so a failed run leaves no half page."""
    html = render_report(docs, title=title, metric=metric)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
