"""The article context: what a whole document is about, computed once and used by the linker.

News states a figure's subject and period once, in the headline or the first lines, and then
writes 全市, 全年 or nothing at all for the rest of the article. The article context holds

- ``regions``: the region each collective word stands for (全省 -> 吉林省, 全市 -> 长春市,
  全国/我国 -> 中国); a 全市 whose city the article never names stays 全市 as written;
- ``subject``: the region or organization the article is about, if one clearly dominates:
  mentions in the headline weigh 3, in the first sentence of the body 2, elsewhere 1 (collective
  words count for their region; sources such as 据国家统计局 and partners such as 对美国 do
  not count), and the winner needs a weight of at least 3 and twice the runner-up's;
- ``period``: the reporting period: one the headline names (if already over at publication), else
  the first period the body's first paragraph names (2012年，…; 1-8月，江苏省…; 截至18日，…);
- ``published``: the publication date.

Clause and sentence evidence always wins; the article context fills only what they leave, and
says so (``article`` in the source columns).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from extract.link.places import full_name, home_regions
from extract.text.layout import headline_span, paragraph_starts
from extract.timex import TimeExpr

SUBJECT_MIN_WEIGHT = 3
SUBJECT_MARGIN = 2.0
_WEIGHT_HEADLINE, _WEIGHT_LEAD, _WEIGHT_BODY = 3, 2, 1


@dataclass(frozen=True)
class ArticleContext:
    """What one article is about, for the figures whose own sentence does not say."""

    published: date | None = None
    headline_end: int = 0  # 0 when the article has no headline
    regions: dict[str, str] = field(default_factory=dict)
    subject: str | None = None
    period: TimeExpr | None = None
    region: str | None = None  # HK, MO, TW (text.region) or None


def article_context(
    text: str,
    periods: Sequence[TimeExpr],
    places: Sequence,
    collectives: Sequence[tuple[int, str]],
    sentences: Sequence[tuple[int, int]],
    published: date | None,
    usable: Callable[[object], bool],
    region: tuple[str, str] | None = None,
) -> ArticleContext:
    """The context of one article (view coordinates).

    ``periods``: its period expressions; ``places``: its LOC/ORG mentions (``start``, ``text``);
    ``collectives``: (position, kind) of each 全省/我市/全国 … that could be a subject; ``usable``
    says whether a mention could be a subject where it stands (not a source, not a partner);
    ``region``: the article's region (text.region: ``HK``) and the place it names (香港), whose
    全港/本港 the collective words of kind ``region`` stand for.
    """
    head = headline_span(text)
    headline_end = head[1] if head is not None else 0
    regions = home_regions((m.start, m.text) for m in places)
    regions["country"] = "中国"
    if region is not None:
        regions["region"] = full_name(region[1])
    body_start = headline_end + len(text[headline_end:]) - len(text[headline_end:].lstrip())
    lead_end = next((e for s, e in sentences if s >= body_start), len(text))

    def weight(pos: int) -> int:
        if head is not None and head[0] <= pos < head[1]:
            return _WEIGHT_HEADLINE
        return _WEIGHT_LEAD if body_start <= pos < lead_end else _WEIGHT_BODY

    scores: Counter = Counter()
    first: dict[str, int] = {}
    for m in places:
        if usable(m):
            name = full_name(m.text)
            scores[name] += weight(m.start)
            first.setdefault(name, m.start)
    for pos, kind, word in collectives:
        name = regions.get(kind, word)
        scores[name] += weight(pos)
        first.setdefault(name, pos)
    subject = None
    if scores:
        ranked = sorted(scores, key=lambda k: (-scores[k], first[k]))
        best = scores[ranked[0]]
        runner_up = scores[ranked[1]] if len(ranked) > 1 else 0
        if best >= SUBJECT_MIN_WEIGHT and best >= SUBJECT_MARGIN * runner_up:
            subject = ranked[0]

    return ArticleContext(published, headline_end, regions, subject,
                          _reporting_period(text, periods, head, body_start, published),
                          region[0] if region is not None else None)


def _reporting_period(text: str, periods: Sequence[TimeExpr], head: tuple[int, int] | None,
                      body_start: int, published: date | None) -> TimeExpr | None:
    """The headline's period if already over at ``published`` (a plan period still under way,
    擘画“十五五”新蓝图, is a programme, not the period of every figure), else the first period of
    the first paragraph of the body that is not a single day's event (a 截至 date counts)."""
    if head is not None:
        named = [t for t in periods if head[0] <= t.start and t.end <= head[1] and t.grain != "day"]
        if named:
            t = named[-1]
            return t if published is None or (t.end_date is not None and t.end_date <= published) else None
    starts = paragraph_starts(text)
    para_end = next((s for s in starts if s > body_start), len(text))
    for t in periods:
        if body_start <= t.start < para_end and (t.grain != "day" or t.kind == "by"):
            return t
    return None
