"""The overview's charts, drawn with matplotlib as inline SVG: no script and no network to view them.

matplotlib is imported here on first use only, so ``extract run`` never pays for it. Text stays
text in the SVG (``svg.fonttype: none``) with the fonts it was laid out in, then ``sans-serif``:
a viewer without them draws the Chinese labels in whatever CJK font the browser falls back to. Output is deterministic (fixed hash salt, no date).
"""

from __future__ import annotations

import io
import re
import warnings
from collections import defaultdict
from datetime import date

from markupsafe import Markup

from extract.report.overview import MetricPoint, Overview

# CJK fonts matplotlib may find on the machine that draws the charts; they only set the text
# widths it lays out with, the browser picks the font it draws with
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Source Han Sans SC", "Source Han Sans TC",
              "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "PingFang SC",
              "Microsoft YaHei", "SimHei", "AR PL UMing CN")
_MAGNITUDES = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))
_MAX_SUBJECTS = 8
_MAX_PERIODS = 30
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def _rc() -> dict:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return {
        "svg.fonttype": "none", "svg.hashsalt": "extract-report", "text.parse_math": False,
        "font.family": "sans-serif",
        # Latin text in DejaVu Sans, each Chinese glyph from the first CJK font that has it
        "font.sans-serif": ["DejaVu Sans"] + [f for f in _CJK_FONTS if f in installed],
        "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
        "axes.titlesize": 10,
    }


def _svg(fig) -> Markup:
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg"):], count=1, flags=re.S)
    return Markup(text)  # matplotlib escapes every label it writes


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _draw(build) -> Markup:
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = build()
        return _svg(fig)


def bars(pairs: list[tuple[str, int]], title: str, colour: str = "#4c72b0") -> Markup | None:
    """Horizontal bars, largest on top: counts per kind, label, metric or subject."""
    if not pairs:
        return None

    def build():
        fig = _figure(5.2, 0.6 + 0.24 * len(pairs))
        ax = fig.add_subplot()
        names = [p[0] for p in pairs][::-1]
        counts = [p[1] for p in pairs][::-1]
        ax.barh(range(len(pairs)), counts, color=colour, height=0.7)
        ax.set_yticks(range(len(pairs)), names)
        for y, n in enumerate(counts):
            ax.text(n, y, f" {n}", va="center", fontsize=8)
        ax.set_title(title, loc="left")
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        return fig

    return _draw(build)


def timeline(overview: Overview) -> Markup | None:
    """Each period the corpus covers, from its first to its last day, with its number of rows."""
    periods = sorted(overview.periods, key=lambda p: -p[3])[:_MAX_PERIODS]
    periods = [p for p in periods if p[1] and p[2]]
    if not periods:
        return None
    periods.sort(key=lambda p: (p[1], p[2]))

    def build():
        from matplotlib import dates as mdates

        fig = _figure(7.5, 0.8 + 0.22 * len(periods))
        ax = fig.add_subplot()
        for y, (_label, start, end, n) in enumerate(periods):
            s, e = mdates.date2num(date.fromisoformat(start)), mdates.date2num(date.fromisoformat(end))
            ax.barh(y, max(e - s + 1, 1), left=s, height=0.6, color="#4c72b0", alpha=0.75)
            ax.plot([(s + e) / 2], [y], "|", color="#4c72b0", markersize=9)  # a day is seen too
            ax.text(e + 1, y, f" {n}", va="center", fontsize=7)
        ax.set_yticks(range(len(periods)), [p[0] for p in periods])
        ax.invert_yaxis()
        locator = mdates.AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title("Periods covered (bar: first to last day; number: rows)", loc="left")
        return fig

    return _draw(build)


def _scale(values: list[float], unit: str) -> tuple[float, str]:
    if unit in ("%", "pp", "x"):
        return 1.0, unit
    top = max((abs(v) for v in values), default=0)
    for factor, name in _MAGNITUDES:
        if top >= factor:
            return factor, f"{name} {unit}"
    return 1.0, unit


def metric_chart(metric: str, points: list[MetricPoint]) -> Markup | None:
    """The metric's values by period (x) and subject (colour), one panel per unit.

    Changes (增长, 下降) and levels are separate panels; a fall is drawn below zero. Several values
    for one subject and period (a headline and its paragraph) are all drawn.
    """
    if not points:
        return None
    panels: dict[tuple[str, bool], list[MetricPoint]] = defaultdict(list)
    for p in points:
        panels[(p.unit, p.change is not None)].append(p)
    order = sorted(panels, key=lambda k: -len(panels[k]))[:3]
    subject_counts: dict[str, int] = defaultdict(int)
    for p in points:
        subject_counts[p.subject] += 1
    subjects = sorted(subject_counts, key=lambda s: -subject_counts[s])[:_MAX_SUBJECTS]

    def build():
        fig = _figure(7.5, 2.6 * len(order) + 0.4)
        axes = fig.subplots(len(order), 1, squeeze=False)[:, 0]
        for ax, key in zip(axes, order):
            rows = [p for p in panels[key] if p.subject in subjects]
            periods = sorted({(p.period_start or "9999", p.period) for p in rows})
            x_of = {label: i for i, (_, label) in enumerate(periods)}
            factor, unit_label = _scale([p.value for p in rows], key[0])
            shown = [s for s in subjects if any(p.subject == s for p in rows)]
            for si, subject in enumerate(shown):
                mine = [p for p in rows if p.subject == subject]
                offset = (si - (len(shown) - 1) / 2) * min(0.6 / max(len(shown), 1), 0.15)
                ax.plot([x_of[p.period] + offset for p in mine], [p.value / factor for p in mine], "o",
                        color=_COLOURS[si % len(_COLOURS)], label=subject, markersize=6, alpha=0.85)
            ax.set_xticks(range(len(periods)), [label for _, label in periods],
                          rotation=30 if len(periods) > 4 else 0, ha="right" if len(periods) > 4 else "center")
            ax.set_xlim(-0.6, len(periods) - 0.4)
            ax.axhline(0, color="#999999", linewidth=0.6)
            ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
            ax.set_axisbelow(True)
            kind = "change" if key[1] else "value"
            ax.set_ylabel(f"{kind}, {unit_label}")
            ax.set_title(f"{metric}: {kind} ({key[0]}), by period and subject", loc="left")
            ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return fig

    return _draw(build)
