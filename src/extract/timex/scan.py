"""Scanning: every family's matches -> leftmost-longest selection -> ranges joined (A至B) ->
modifiers (截至X, X以来, 比上年). Nothing is resolved to dates here."""

from __future__ import annotations

import heapq
from functools import lru_cache

import regex

from extract.timex.grammar import Grammar, grammar
from extract.timex.types import CalendarSpec, Candidate

# --------------------------------------------------------------------------------------------
# Scanning: candidates -> selection -> ranges -> modifiers


def _windows(text: str, trigger, before: int, after: int) -> list[tuple[int, int]]:
    """Merged windows of text around each match of ``trigger`` (left to right, also for a trigger
    that matches right to left: regex.REVERSE)."""
    n = len(text)
    out: list[list[int]] = []
    matches = trigger.finditer(text)
    if trigger.flags & regex.REVERSE:
        matches = reversed(list(matches))
    for m in matches:
        a, b = max(0, m.start() - before), min(n, m.end() + after)
        if out and a <= out[-1][1]:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _scan_family(text: str, pat, build, trigger=None, before: int = 0, after: int = 0) -> list[Candidate]:
    """Matches of one family, built into candidates; a vetoed match is searched again from its
    second character, so that a shorter reading inside it can still be found."""
    n = len(text)
    windows = [(0, n)] if trigger is None else _windows(text, trigger, before, after)
    out: list[Candidate] = []
    last = 0
    for wa, wb in windows:
        pos = max(wa, last)
        while pos < wb:
            m = pat.search(text, pos, wb)
            if m is None:
                break
            if wb < n and m.end() >= wb - 2:
                # the window may have cut the match (or fooled a lookahead): redo it unbounded
                m = pat.match(text, m.start()) or m
            if m.end() == m.start():
                pos = m.end() + 1
                continue
            c = build(m)
            if c is None:
                pos = m.start() + 1
                continue
            out.append(c)
            pos = last = m.end()
    return out


def whole_text_scan(text: str) -> list[Candidate]:
    """:func:`scan` of a whole text, the last one's result kept: the document date reads the
    article's years and then the pipeline its times, which would scan each article twice (a sixth
    of a run's time on short articles). A new list each call; the candidates are shared and never
    changed after the scan. Scans of parts (the head, a line) go to :func:`scan`, so the one kept
    is always the article's."""
    return list(_whole_text_scan(text))


@lru_cache(maxsize=1)
def _whole_text_scan(text: str) -> tuple[Candidate, ...]:
    return tuple(scan(text))


def scan(text: str) -> list[Candidate]:
    """Selected, range-joined and modified candidates, not yet resolved.

    Selection is leftmost-longest over all families. A candidate that loses because it overlaps
    an earlier winner is looked for again in its own family from the winner's end, so that what
    it covered beyond (2021-2025年 1-8月: 1-8月) is not lost."""
    G = grammar()
    heap: list[tuple[int, int, int, int, int, Candidate]] = []
    seq = 0
    for fi, (_name, pat, _prio, build, trigger, before, after) in enumerate(G.families):
        for c in _scan_family(text, pat, build, trigger, before, after):
            heap.append((c.start, c.start - c.end, c.prio, seq, fi, c))
            seq += 1
    heapq.heapify(heap)
    chosen: list[Candidate] = []
    last = 0
    n = len(text)
    while heap:
        start, _neg, _prio, _seq, fi, c = heapq.heappop(heap)
        if start >= last:
            chosen.append(c)
            last = c.end
        elif c.end > last:
            _name, pat, _p, build, *_ = G.families[fi]
            m = pat.search(text, last, min(n, c.end + 24))
            if m is not None and m.start() < c.end:
                r = build(m)
                if r is not None and r.start >= last:
                    heapq.heappush(heap, (r.start, r.start - r.end, r.prio, seq, fi, r))
                    seq += 1
    chosen = _join_ranges(G, text, chosen)
    _apply_modifiers(G, text, chosen)
    return chosen


def _cal_like(c: Candidate) -> bool:
    return c.fam == "cal" and isinstance(c.data, CalendarSpec) and c.mod is None and c.role == "period"


def _day_like(c: Candidate) -> bool:
    return c.fam == "rel" and c.kind == "date" and c.mod is None and c.role == "period"


def _join_ranges(G: Grammar, text: str, chosen: list[Candidate]) -> list[Candidate]:
    """Join `A <connector> B` (2021年至2025年, 5月1日至3日, 2024年10月-2025年3月, 上周四到十月一日)
    into one range; `A与B之间` too."""
    out: list[Candidate] = []
    i = 0
    while i < len(chosen):
        a = chosen[i]
        b = chosen[i + 1] if i + 1 < len(chosen) else None
        if (
            b is not None
            and b.start > a.end
            and (_cal_like(a) or _day_like(a))
            and (_cal_like(b) or _day_like(b))
        ):
            between = (a.end, b.start)
            m = G.conn_re.fullmatch(text, *between)
            pair_end = None
            if m is None and G.pair_re.fullmatch(text, *between):
                sm = G.suffix_re.match(text, b.end)
                if sm and sm.group("word") in ("间", "之间"):
                    pair_end = sm.end()
            if m is not None or pair_end is not None:
                joined = None
                if _cal_like(a) and _cal_like(b):
                    pair = _join_specs(a.data, b.data)
                    if pair is not None:
                        joined = Candidate(a.start, pair_end or b.end, "range", 0, "range", "day", pair)
                else:
                    joined = Candidate(a.start, pair_end or b.end, "span", 0, "range", "day", (a, b))
                if joined is not None:
                    joined.grain = b.grain if b.kind != "date" else "day"
                    joined.extra = {**a.extra, **b.extra}
                    out.append(joined)
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


def _join_specs(a: CalendarSpec, b: CalendarSpec) -> tuple[CalendarSpec, CalendarSpec] | None:
    if a.y is not None and a.y == b.y and a.m1 is None and b.m1 is None:
        return None
    b = CalendarSpec(**{f: getattr(b, f) for f in CalendarSpec.__slots__})
    if b.free_day():
        if a.m1 is None and not a.has_month_source():
            return None
        b.m1 = b.m2 = a.m2 if a.m2 is not None else a.m1
        b.mo, b.mc = a.mo, a.mc
    if not b.has_year() and not b.has_month_source():
        b.y, b.yo, b.yc = a.y, a.yo, a.yc
        if (a.mo is not None or a.mc is not None) and b.m1 is None:
            b.mo, b.mc = a.mo, a.mc
        b.inherited_year = True
    return (a, b)


def _apply_modifiers(G: Grammar, text: str, chosen: list[Candidate]) -> None:
    """Grow each candidate over by-prefixes (截至, 到) and suffixes (以来, 起, 前, 期间), and mark
    compared-against periods (比上年). Suffix words that were themselves picked up as candidates
    (至今) are absorbed."""
    n = len(chosen)
    drop: set[int] = set()
    for i, c in enumerate(chosen):
        if c.fam in ("duration", "window", "now", "base"):
            if (
                c.fam == "base"
                and c.role != "baseline"
                and G.baseline_re.search(text, max(0, c.start - 3), c.start)
            ):
                c.role = "baseline"
            continue
        prev_end = chosen[i - 1].end if i else 0
        nxt = chosen[i + 1].start if i + 1 < n else len(text)
        # suffix
        sm = G.suffix_re.match(text, c.end)
        if sm:
            w = sm.group("word")
            mod = G.suffixes[w]
            absorbed = i + 1 < n and chosen[i + 1].start >= c.end and chosen[i + 1].end <= sm.end()
            if sm.end() <= nxt or absorbed:
                if w in ("间", "之间") and c.kind != "range":
                    pass
                elif mod == "since" or mod == "from" or mod in ("by", "before") or mod is None:
                    if mod is not None and c.fam == "plan" and c.data[2][0] != "all" and mod != "since":
                        pass
                    else:
                        if absorbed:
                            drop.add(i + 1)
                        c.end = sm.end()
                        if mod:
                            c.mod = mod
        # prefix
        if c.mod is None:
            pm = G.by_prefix_re.search(text, max(prev_end, c.start - 4), c.start)
            if pm:
                c.start = pm.start()
                c.mod = G.by_prefixes[pm.group("word")]
        if c.role == "period" and G.baseline_re.search(text, max(prev_end, c.start - 3), c.start):
            c.role = "baseline"
    if drop:
        chosen[:] = [c for i, c in enumerate(chosen) if i not in drop]

