"""The document's own publication date, read from its dateline, header, timestamp or signature."""

from __future__ import annotations

import datetime as _dt

from extract.timex.grammar import Grammar, grammar
from extract.timex.scan import scan, whole_text_scan
from extract.timex.types import CalendarSpec, Candidate

date = _dt.date


# --------------------------------------------------------------------------------------------
# Document date


def _full_date(c: Candidate) -> date | None:
    s = c.data
    if c.fam != "cal" or not isinstance(s, CalendarSpec) or s.y is None or s.pt is not None:
        return None
    if s.m1 is None or s.d1 is None or s.m1 != s.m2 or s.d1 != s.d2 or c.mod or c.role != "period":
        return None
    try:
        return date(s.y, s.m1, s.d1)
    except ValueError:
        return None


def _month_day(c: Candidate) -> tuple[int, int] | None:
    s = c.data
    if c.fam != "cal" or not isinstance(s, CalendarSpec) or s.has_year() or s.has_month_source():
        return None
    if s.m1 is None or s.d1 is None or s.m1 != s.m2 or s.d1 != s.d2 or s.pt is not None or c.mod:
        return None
    return s.m1, s.d1


def _dateline_kind(G: Grammar, head: str, c: Candidate) -> str | None:
    """Why a date near the top is the publication date: dateline, timestamp, header, or None."""
    after = head[c.end : c.end + 2].lstrip(" \u3000")
    if after[:1] in G.dateline_after:
        return "dateline"
    if G.dateline_before_re.search(head, max(0, c.start - 40), c.start):
        return "dateline"
    line_start = head.rfind("\n", 0, c.start) + 1
    line_end = head.find("\n", c.end)
    line_end = len(head) if line_end == -1 else line_end
    before = head[line_start : c.start]
    if c.extra.get("time") and (
        c.extra.get("numeric") or not before.strip() or G.header_label_re.search(before)
    ):
        return "timestamp"
    if G.header_label_re.search(before):
        return "header"
    if not before.strip():
        nxt = head[c.end : c.end + 1]
        if nxt in G.dd["lead_punct"]:
            return "dateline"
        if not head[c.end : line_end].strip():
            return "header"
    return None


def document_date(text: str) -> tuple[date | None, str | None]:
    """The publication date written in the article itself, and where it was found.

    Rules, in order (the first that applies wins):

    1. A full date (with its year) in the first ``head_chars`` characters that is a dateline
       (followed by 电/讯, or after 本报讯/（记者 …）), a paragraph's opening date (``2026年5月21日，``),
       a timestamp (``2026-05-21 10:30``), or a header date (alone on its line, or after a label
       such as 发布时间：). Source ``text:dateline``, ``text:timestamp`` or ``text:header``.
    2. The same positions holding a month and day without a year (``新华社北京4月19日电``,
       ``5月21日，…``): the year is the latest full year named anywhere in the article (a May
       article on 2025 results and 2026 plans is from 2026). Years that are targets (到2030年,
       2035年远景目标, 2030年前), plan periods, year ranges and "from" dates do not count. Source
       ``text:inferred-year``. No year named: no date.
    3. A full date alone on one of the last ``tail_lines`` lines (the date under a government
       notice). Source ``text:signature``.

    Otherwise ``(None, None)``: the date is never guessed from nothing.
    """
    if not text:
        return None, None
    G = grammar()
    head = text[: int(G.dd["head_chars"])]
    cands = scan(head)
    tail_start = _tail_start(text, int(G.dd["tail_lines"]))
    yearless: tuple[int, int] | None = None
    for c in cands:
        d = _full_date(c)
        if d is not None:
            why = _dateline_kind(G, head, c)
            if why == "header" and c.start >= tail_start:
                why = "signature"  # a short notice: its closing date is also near the top
            if why:
                return d, f"text:{why}"
            continue
        md = _month_day(c)
        if md is not None and yearless is None and _dateline_kind(G, head, c) == "dateline":
            yearless = md
    if yearless is not None:
        y = _latest_year(G, text)
        if y is not None:
            try:
                return date(y, *yearless), "text:inferred-year"
            except ValueError:
                return None, None
        return None, None
    credit = int(G.dd["credit_line_chars"])
    for ln in reversed(text[tail_start:].split("\n")):
        s = ln.strip().strip("（）()[]【】 \u3000")
        cs = scan(s) if s else []
        if not cs or cs[-1].end != len(s):
            continue
        # a date alone on its line, or closing a short credit line (（某某融媒体中心 2025年10月15日）)
        if (len(cs) == 1 and cs[0].start == 0) or len(s) <= credit:
            d = _full_date(cs[-1])
            if d is not None:
                return d, "text:signature"
    return None, None


def _tail_start(text: str, n: int) -> int:
    """Offset where the last `n` non-empty lines of `text` begin."""
    end = len(text.rstrip())
    pos = end
    seen = 0
    while seen < n and pos > 0:
        nl = text.rfind("\n", 0, pos)
        if text[nl + 1 : pos].strip():
            seen += 1
        pos = max(nl, 0)
        if nl == -1:
            break
    return pos


def _latest_year(G: Grammar, text: str) -> int | None:
    """The latest full year the article names as a period of its own (not a target), plus one when
    that year is set beside 今年 (2025年和今年一季度: this year is not 2025, so it is the next)."""
    cands = whole_text_scan(text)
    best: Candidate | None = None
    for c in cands:
        if c.fam != "cal" or not isinstance(c.data, CalendarSpec) or c.data.y is None:
            continue
        if c.mod in ("target", "by", "before", "from") or G.target_after_re.match(text, c.end):
            continue
        if best is None or c.data.y > best.data.y:
            best = c
    if best is None:
        return None
    for c in cands:
        this_year = c.fam == "cal" and isinstance(c.data, CalendarSpec) and c.data.yo == 0 and c.data.y is None
        if this_year and c.start >= best.end and G.coordination_re.fullmatch(text, best.end, c.start):
            return best.data.y + 1
    return best.data.y
