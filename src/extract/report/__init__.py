"""A review report in the browser: each article with its quantities and entities marked in place,
their records on hover, the facts as a table, and an overview of the corpus with charts.

``extract show INPUT --out report.html`` calls `build`. Jinja2 and matplotlib load only here,
never for ``extract run``.
"""

from __future__ import annotations

from pathlib import Path

from extract.io.batch import Options
from extract.report.collect import ReportDoc, collect
from extract.report.render import render_report, write_report

__all__ = ["ReportDoc", "build", "collect", "render_report", "write_report"]


def build(input_path: Path, out: Path, *, articles: Path | None = None, metric: str | None = None,
          glob: str | None = None, options: Options | None = None) -> list[ReportDoc]:
    """Collect INPUT's documents (extracting them, or reading an earlier run's tables) and write the page."""
    docs = collect(input_path, articles=articles, glob=glob, options=options)
    write_report(docs, out, title=f"extract report: {input_path.name or input_path}", metric=metric)
    return docs
