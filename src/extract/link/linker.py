"""Linking: what each number is about — its metric, its subject and its period.

Chinese news packs several facts into one sentence, clause after clause (，；), so linking works
on clauses inside sentences inside paragraphs:

- period: the nearest time expression before the number (not a baseline such as 比上年), carried
  forward through the paragraph until a new one appears;
- metric: the noun phrase the number measures, read from its own clause once times, entities,
  verbs, particles and approximation words are peeled off (全省累计进出口总额达 -> 进出口总额); a
  growth rate with no metric of its own takes the metric of the amount it follows
  (出口20310.4亿元，增长18.6%); a parallel enumeration (A、B和C分别增长x、y和z) pairs items in order;
- subject: the place or organization whose figure it is — an entity in the clause, else the topic
  entity of the sentence; 全省/我省 (全市/我市, 全区/全县) resolve to the region the article is about.

Everything is a pure function of the view text and the layers' outputs; a wrong guess is worse
than a null, so each rule gives up rather than stretch.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import regex

from extract.entities.spans import Entity
from extract.link.article import article_context
from extract.link.places import divisions, full_name, place_code
from extract.quantities.reading import Quantity, enumeration_gap
from extract.resources import alternation as _alt
from extract.resources import load_yaml
from extract.text.layout import paragraph_starts
from extract.text.region import article_region
from extract.text.segment import project_tokenizer
from extract.text.view import clause_bounds
from extract.timex import TimeExpr, find_times


@dataclass(frozen=True)
class Context:
    """What one quantity is about. ``subject_source`` and ``period_source`` say how close the
    evidence was: ``clause``, ``sentence``, ``paragraph`` or ``article``. ``change`` and ``basis``
    are the quantity's, as the sentence corrects them: a gap to another thing (高于全国3个百分点)
    is no change, a growth rate named in an earlier clause (GDP增速来看，北京10.7%) is one."""

    metric: str | None = None
    subject: str | None = None
    period_text: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    subject_code: str | None = None
    subject_source: str | None = None
    period_source: str | None = None
    change: str | None = None
    basis: str | None = None


@dataclass(frozen=True)
class _Rules:
    strip_left: regex.Pattern
    strip_right: regex.Pattern
    enum_split: regex.Pattern
    enum_join: regex.Pattern
    partner_prefix: regex.Pattern
    collective: dict[str, str]  # 全省 -> province …
    not_subject_before: tuple[str, ...]
    not_subject_suffixes: tuple[str, ...]
    byline_after: regex.Pattern
    partner_list: regex.Pattern
    metric_stop: regex.Pattern
    collective_re: regex.Pattern
    comparison: regex.Pattern
    moment_suffixes: tuple[str, ...]
    target_words: tuple[str, ...]  # 到2030年 is a target, the period itself; 截至6月底 a moment
    gap_comparison: regex.Pattern  # 比, 高于 … where the figure after it is a gap to something
    relatively: tuple[str, ...]  # 较快, 较大: 较 as an adverb
    comparative_end: regex.Pattern  # 比上年同期高 | 1.5个百分点
    earlier_comparand: regex.Pattern
    growth_noun: regex.Pattern
    change_verb: regex.Pattern  # the verbs of changes.yaml that are no growth noun (提高, 减少)
    index_name: regex.Pattern  # 标普500指数跌 -> 标普500指数: a market index is its own metric
    subject_noun: regex.Pattern
    descriptive: regex.Pattern
    anaphor: regex.Pattern  # 该公司: the organization named before
    organization_count_units: frozenset[str]  # 家: 500家企业 is a group of organizations
    organization_group_after: regex.Pattern  # 企业, 民营企业 … right after the count
    organization_group_before: regex.Pattern  # … or right before it (上市公司300家)
    region_names: dict[str, str]  # HK -> 香港
    metric_nouns: frozenset[str]  # 收入, 支出: nouns in a metric though jieba tags them verbs
    metric_noun_prefixes: frozenset[str]  # every prefix of a metric noun ('' included)
    numeral_word_ends: frozenset[str]  # 三个, 一些, 两年: numeral words that count, no modifier


@cache
def rules() -> _Rules:
    data = load_yaml("link.yaml")
    changes = load_yaml("changes.yaml")["change"]
    # every verb of change of two or more characters ends a metric too (价格上涨, jieba's one word,
    # -> 价格); single characters only where link.yaml lists them (涨, 跌), as 增 ends 新增 and 升 毫升
    change_words = [w for words in changes.values() for w in words if len(w) >= 2]
    index_names = load_yaml("units.yaml")["index_points"]["names"]
    return _Rules(
        regex.compile(rf"^(?:{_alt([*data['strip_left'], *data['anaphors']])}|[\s，、：:（(“”\"'])+"),
        regex.compile(rf"(?:{_alt([*data['strip_right'], *change_words])}|[\s，、：:（(“”\"'])+$"),
        regex.compile(rf"\s*(?:{_alt(load_yaml('ranges.yaml')['enumerators'])})\s*"),
        enumeration_gap(),
        regex.compile(rf"^(?:{_alt(data['not_subject_before'])})"),
        {w: level for level, words in data["collective"].items() for w in words},
        tuple(data["not_subject_before"]),
        tuple(data["not_subject_suffixes"]),
        regex.compile(data["byline_after"]),
        regex.compile(rf"(?:{_alt(data['not_subject_before'])})(?:[^，,；;。、]{{1,12}}、)+$"),
        regex.compile(rf"(?:{_alt(data['metric_stops'])})(?!{_alt(data['metric_stops_not_before'])})"),
        regex.compile(rf"(?!{_alt(data['collective_not_words'])})"
                      rf"(?:{_alt([w for words in data['collective'].values() for w in words])})"),
        regex.compile(rf"(?:{_alt(data['comparison_words'])})(?![{''.join(data['comparison_not_before'])}])"),
        tuple(data["moment_suffixes"]),
        tuple(w for w, mode in load_yaml("time.yaml")["by_prefixes"].items() if mode == "target"),
        regex.compile(rf"(?<![{''.join(data['comparison_not_after'])}])(?:{_alt(data['comparison_words'])})"
                      rf"(?![{''.join(data['comparison_not_before'])}])"),
        tuple(data["relatively_before"]),
        regex.compile(rf"(?:(?P<up>{_alt(data['comparatives']['up'])})|(?P<down>{_alt(data['comparatives']['down'])}))"
                      r"(?:了|出)?\s*\Z"),
        regex.compile(_alt(data["earlier_comparands"])),
        regex.compile(rf"(?P<up>{_alt(data['growth_nouns']['up'])})|(?P<down>{_alt(data['growth_nouns']['down'])})"),
        _change_verbs(data),
        regex.compile(rf"(?:{_alt(index_names)})$"),
        regex.compile(_alt(data["subject_nouns"])),
        regex.compile(data["descriptive_subject"]),
        regex.compile(_alt(data["anaphors"])),
        frozenset(data["organization_count_units"]),
        regex.compile(_alt(data["organization_group_nouns"])),
        regex.compile(rf"(?:{_alt(data['organization_group_nouns'])})$"),
        dict(data["region_names"]),
        frozenset(data["metric_nouns"]),
        frozenset(noun[:k] for noun in data["metric_nouns"] for k in range(len(noun) + 1)),
        frozenset(data["numeral_word_ends"]),
    )


def _change_verbs(data: dict) -> regex.Pattern:
    changes = load_yaml("changes.yaml")
    nouns = {w for words in data["growth_nouns"].values() for w in words}
    verbs = [w for words in changes["change"].values() for w in words if w not in nouns]
    return regex.compile(rf"(?!{_alt(list(changes['not_change']) + sorted(nouns))})(?:{_alt(verbs)})")


_GLOSS = regex.compile(r"（[^（）\n]{1,40}）|\([^()\n]{1,40}\)")


def _strip(core: str, r: _Rules) -> str:
    prev = None
    while prev != core:
        prev = core
        core = r.strip_left.sub("", core)
        core = r.strip_right.sub("", core)
    return core


_NOMINAL = ("n", "vn", "an", "j", "l", "s", "b", "eng", "nz", "mq", "g")


def _pos_tags(text: str) -> list[tuple[str, str]]:
    """(word, jieba tag) of ``text`` from the project tokenizer (loaded on first use)."""
    return project_tokenizer().pos_tags(text)


def _is_nominal(flag: str) -> bool:
    return flag.startswith(_NOMINAL)


def _noun_phrase(words: list[tuple[str, str]], from_right: bool) -> str | None:
    """The noun phrase at the right end (before the number) or the left end (after a count)."""
    seq = list(reversed(words)) if from_right else list(words)
    i = 0
    while i < len(seq) and not _is_nominal(seq[i][1]):
        i += 1  # trailing verbs and particles before the number (达到, 下降至, 的)
        if not from_right:
            return None  # after a count the noun must follow at once (3个海外仓)
    run: list[tuple[str, str]] = []
    while i < len(seq):
        w, f = seq[i]
        if _is_nominal(f):
            run.append((w, f))
        elif f == "c" and i + 1 < len(seq) and _is_nominal(seq[i + 1][1]) and run:
            run.append((w, f))  # 汽车及零部件出口额
        elif run and from_right and _is_modifier_numeral(w, f):
            run.append((w, f))  # 一线城市, 二手住宅: jieba tags them numerals
        elif run and from_right and f == "h":
            run.append((w, f))  # 非食品价格: a prefix, and the phrase ends with it
            i += 1
            break
        else:
            break
        i += 1
    if not run:
        return None
    if from_right and len(run) == 1 and len(run[0][0]) <= 2 and i < len(seq) and seq[i][1].startswith("v"):
        run.append(seq[i])  # a bare noun keeps its verb: 开行数量, 承运货物
    if from_right:
        run.reverse()
    phrase = "".join(w for w, _ in run)
    return phrase if len(phrase) >= 2 else None


def _is_modifier_numeral(word: str, flag: str) -> bool:
    """一线, 二手, 三线: words jieba tags as numerals that modify the noun after them (not 三个,
    一些, 两年: link.yaml numeral_word_ends)."""
    return flag == "m" and len(word) == 2 and _ALL_HAN.fullmatch(word) is not None \
        and word[-1] not in rules().numeral_word_ends


# compiled once: regex's module-level calls look the pattern up in its cache on every call, which
# cost about 4% of a run's time at the rate this module calls them
_ALL_HAN = regex.compile(r"\p{Han}+")
_MASKS = regex.compile(r"\x00+")
_WORD_CHAR = regex.compile(r"[\p{Han}A-Za-z]")
_DIGIT = regex.compile(r"\d")
_OF = regex.compile(r"的?")

# what _metric_from_clause returns for a clause that names the compared-against or the whole
# (比上年增长, 高于全国, 占GDP比重): the figure measures what the figure before it measures
DEFER = "\x00defer"


def _metric_from_clause(clause: str, r: _Rules) -> str | None:
    """The noun phrase left in a clause once times, entities and function words are removed, or
    DEFER when the clause only says what the figure is compared with or a share of."""
    for piece in reversed([p for p in _MASKS.split(clause) if p.strip()]):
        core = _strip(piece, r)
        if core:
            phrase = _metric_from_core(core, r)
            if phrase is not None:
                return phrase  # else look before the masked name or time: 中欧班列(长春)开行
    if r.comparison.match(_strip(clause.replace("\x00", ""), r)):
        return DEFER  # 比上年增长5%, 较上届同期增长: the baseline is masked or stripped away
    return None


def _metric_from_core(core: str, r: _Rules) -> str | None:
    m = r.comparison.search(core)
    if m:  # 增速比工业品出口高, 高于全国平均水平: what comes before the comparison
        core = _strip(core[: m.start()], r)
        if not core:
            return DEFER
    m = r.metric_stop.search(core)
    if m:  # 进出口值占全省外贸比重: stop words cut the phrase; 占出口总值的: the part comes before
        core = _strip(core[: m.start()], r)
        if not core:
            return DEFER
    index = r.index_name.search(core)
    if index:
        return index.group()
    if not core or not _WORD_CHAR.search(core) or _DIGIT.search(core):
        return None
    words = _nouns_tagged_as_verbs(_pos_tags(core), r)
    phrase = _noun_phrase(words, from_right=True)
    if phrase is None or len(phrase) > 16:
        return None
    return phrase


def _nouns_tagged_as_verbs(words: list[tuple[str, str]], r: _Rules) -> list[tuple[str, str]]:
    """Tokens that spell one of link.yaml's metric nouns (收入, 可支配收入: jieba tags them verbs, or
    cuts them) become one noun, so 营业收入 is the metric and not 营业."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        if words[i][0] not in r.metric_noun_prefixes:
            # no metric noun starts with this token, so none is spelled from here: one set probe
            # instead of three joins per token (this runs on every clause that is tagged)
            out.append(words[i])
            i += 1
            continue
        for j in range(min(len(words), i + 3), i, -1):
            joined = "".join(w for w, _ in words[i:j])
            if joined in r.metric_nouns:
                out.append((joined, "n"))
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _metric_after_count(text: str, q: Quantity, r: _Rules) -> str | None:
    """3个海外仓, 16个边境口岸: the counted noun right after a classifier."""
    end = q.end
    stop = end
    while stop < len(text) and stop - end < 12 and text[stop] not in "，,；;。！？!?：:、\n（(“":
        stop += 1
    if stop == end:
        return None
    words = _pos_tags(text[end:stop])
    return _noun_phrase(words, from_right=False)


# Spans are never longer than a sentence: only those starting this many characters before a
# clause are looked at when it is masked
MASK_LOOKBACK = 200


@dataclass(frozen=True)
class _Masks:
    """What a clause is read without (times, names, numbers, glosses), sorted by start. ``reach``:
    the longest span, at most MASK_LOOKBACK: a span starting farther back than that before a
    clause cannot reach into it, so masking looks no farther (most spans are a few characters,
    and dense text has dozens of them in MASK_LOOKBACK characters)."""

    spans: list[tuple[int, int]]
    starts: list[int]
    reach: int

    @classmethod
    def of(cls, spans: list[tuple[int, int]]) -> _Masks:
        spans = sorted(spans)
        reach = min(MASK_LOOKBACK, max((e - s for s, e in spans), default=0))
        return cls(spans, [s for s, _ in spans], reach)


def _masked(text: str, start: int, end: int, masks: _Masks) -> str:
    """text[start:end] with the ``masks`` blanked out by NULs (kept as piece boundaries)."""
    pieces = []
    pos = start  # text before pos is done: copied or blanked
    spans = masks.spans
    i = bisect_right(masks.starts, start - masks.reach)
    while i < len(spans) and spans[i][0] < end:
        s, e = spans[i]
        a, b = max(s, pos), min(e, end)
        if b > a:
            pieces += (text[pos:a], "\x00" * (b - a))
            pos = b
        i += 1
    pieces.append(text[pos:end])
    return "".join(pieces)


def link(
    text: str,
    quantities: Sequence[Quantity],
    times: Sequence[TimeExpr],
    mentions: Sequence[Entity],
    sentences: Sequence[tuple[int, int]],
    doc_date: date | None = None,
    traditional: bool = False,
) -> list[Context]:
    """The context of every quantity (same order), all in view coordinates.

    Clause and sentence evidence comes first, then the paragraph's, then the article context
    (:mod:`extract.link.article`) fills what they leave. ``doc_date`` resolves 去年同期 and keeps a
    headline's plan period still under way (擘画“十五五”新蓝图) from becoming the period of every
    figure.
    """
    r = rules()
    para_starts = paragraph_starts(text)
    sent_starts = [s for s, _ in sentences]
    periods = [t for t in times if t.role == "period" and t.kind != "duration"
               and (t.start_date is not None or t.end_date is not None or t.kind != "relative")]
    period_ends = [t.end for t in periods]
    time_ends = sorted((t.end, k) for k, t in enumerate(times))
    places = sorted((m for m in mentions if m.label in ("LOC", "ORG")), key=lambda m: m.start)
    places = _with_subject_nouns(text, places, r)
    place_starts = [m.start for m in places]
    collectives = _collectives(text, places, r)
    collective_starts = [c[0] for c in collectives]

    def usable_anywhere(m: Entity) -> bool:
        return _usable(text, m, clause_bounds(text, m.start)[0], r)

    code = article_region(text, traditional)  # HK, MO, TW: what 全港, 本澳 stand for
    region = (code, r.region_names[code]) if code in r.region_names else None
    art = article_context(text, periods, places, collectives, sentences, doc_date, usable_anywhere, region)
    mask_spans = [(t.start, t.end) for t in times] + [(m.start, m.end) for m in mentions]
    mask_spans += [(q.start, q.end) for q in quantities]
    # a gloss in brackets (宏观税负（即税收收入占GDP比重）分别为) is no part of the metric
    mask_spans += [(m.start(), m.end()) for m in _GLOSS.finditer(text)]
    masks = _Masks.of(mask_spans)
    time_at = {t.start: t for t in times}
    name_spans = sorted((m.start, m.end) for m in mentions)
    out: list[Context] = []
    prev_q: Quantity | None = None
    prev_ctx: Context | None = None
    prev_growth = False  # whether the previous figure's change came from a growth noun before it
    para_subject: str | None = None
    para_group = False  # the paragraph has counted organizations (500家企业)
    organizations = frozenset(m.text for m in mentions if m.label == "ORG")
    anaphors = [(m.start(), m.end()) for m in r.anaphor.finditer(text)]  # 该公司 …: rare, found once
    current_para = -1
    run_of = _enumeration_runs(text, quantities, r)
    groups = _enumeration_groups(text, quantities, sent_starts,
                                 frozenset(m.text for m in mentions) | frozenset(divisions()))
    for i, q in enumerate(quantities):
        para = para_starts[bisect_right(para_starts, q.start) - 1]
        if para != current_para:
            current_para, para_subject, para_group = para, None, False
        si = max(bisect_right(sent_starts, q.start) - 1, 0)
        sent_start = sentences[si][0] if sentences else 0
        same_sentence = prev_q is not None and prev_q.start >= sent_start
        clause_start = clause_bounds(text, q.start, sent_start)[0]

        # period: the latest period expression before the number in its paragraph; a single day
        # (5月21日) is an event's date and holds only within its sentence (a 截至 date holds on);
        # failing both, the article's reporting period (1-8月全省规模以上工业增加值…)
        period = None
        period_source = None
        k = bisect_right(period_ends, q.start) - 1
        while k >= 0 and periods[k].start >= para:
            t = periods[k]
            if t.grain == "day" and t.kind != "by" and t.start < sent_start:
                k -= 1
                continue
            period = t
            period_source = ("clause" if t.start >= clause_start else "sentence" if t.start >= sent_start
                             else "paragraph")
            break
        if period is None and art.period is not None and q.start >= max(art.headline_end, 1) \
                and (art.period.start < art.headline_end or q.start >= art.period.end):
            period, period_source = art.period, "article"
        span = (period.start_date, period.end_date) if period is not None else (None, None)
        if period is not None and _is_moment(period, r):
            span = (None, period.end_date)  # 截至6月底, 年末: a level or running total then, no start
        old = _old_value_period(text, q, times, time_ends, span, doc_date)
        if old is not None:
            period, span, period_source = old[0], old[1], "clause"
        elif period is not None and i in run_of:
            span = _year_of_item(period, span, run_of[i], text, quantities[run_of[i][1]].start, clause_start)

        # metric
        metric = None
        group = groups.get(i)
        if isinstance(group, int):
            metric = out[group].metric
        elif group is not None:
            metric = group
        else:
            if q.kind == "count":
                metric = _metric_after_count(text, q, r)
            if metric is None:
                clause = _masked(text, clause_start, q.start, masks)
                metric = _metric_from_clause(clause, r)
        change, basis = _comparison_change(text, q, clause_start, time_at, name_spans, r)
        growth = False
        if metric in (None, DEFER) and group is None and q.unit == "%" and change is None:
            after = prev_q.end if same_sentence and prev_q is not None else sent_start
            found = _growth_metric(text, after, clause_start, masks, r)
            if found is not None:
                metric, change, growth = found[0], found[1], True
            elif same_sentence and prev_growth and prev_ctx is not None:
                change, growth = prev_ctx.change, True  # GDP增速…北京10.7%、浙江10.6%
        elif group is not None and prev_growth and change is None and prev_ctx is not None \
                and enumeration_gap().fullmatch(text, prev_q.end, q.start):
            change, growth = prev_ctx.change, True  # 增幅较大，分别达24.5%和22.2%
        if metric in (None, DEFER):
            # a growth rate, a level reached, a compared figure or a share after an amount
            # measures what the amount measures (出口20310.4亿元，增长18.6%，占出口总值的65.9%)
            metric = prev_ctx.metric if same_sentence and prev_ctx is not None else None

        # subject: the clause's or sentence's, else the paragraph's topic, else the article's
        lo, hi = bisect_left(place_starts, sent_start), bisect_right(place_starts, q.start)
        in_clause = places[max(lo, bisect_left(place_starts, clause_start)):hi]
        c_lo, c_hi = bisect_left(collective_starts, sent_start), bisect_left(collective_starts, q.start)
        subject, subject_source = _subject(
            text, q, clause_start, in_clause, places[lo:min(hi, lo + _TOPIC_CANDIDATES)],
            collectives[c_hi - 1] if c_hi > c_lo else None, art.regions, r,
            prev_ctx.subject if same_sentence and prev_ctx is not None else None)
        k = bisect_left(anaphors, (q.start, q.start)) - 1  # the last one starting before the number
        anaphor = anaphors[k] if k >= 0 and anaphors[k][0] >= sent_start and anaphors[k][1] <= q.start else None
        if anaphor is not None and not any(anaphor[1] <= m.start and m.end <= q.start for m in places[lo:hi]):
            subject, subject_source = _antecedent(text, places, place_starts, anaphor[0], sent_start, r)
        elif i in run_of:
            listed = _listed_subject(text, run_of[i], quantities, places[lo:hi], sent_start, r)
            if listed is not None:
                subject, subject_source = listed, "sentence"  # 北京、上海……分别上涨0.2%和0.1%
        para_group = para_group or _counts_organizations(text, q, sent_start, r)
        if subject is not None or anaphor is not None:
            para_subject = para_subject or subject
        elif para_subject is not None:
            if not (para_group and para_subject in organizations):
                subject, subject_source = para_subject, "paragraph"
        elif (art.subject is not None and q.start >= art.headline_end
              and not (para_group and art.subject in organizations)):
            subject, subject_source = art.subject, "article"

        ctx = Context(
            metric=metric,
            subject=subject,
            period_text=period.text if period else None,
            period_start=span[0],
            period_end=span[1],
            subject_code=place_code(subject),
            subject_source=subject_source,
            period_source=period_source,
            change=change,
            basis=basis,
        )
        out.append(ctx)
        prev_q, prev_ctx, prev_growth = q, ctx, growth
    return out


def _comparison_change(text: str, q: Quantity, clause_start: int, time_at: dict[int, TimeExpr],
                       name_spans: Sequence[tuple[int, int]], r: _Rules) -> tuple[str | None, str | None]:
    """The change and basis of ``q`` once its clause's comparison is read: after a comparison with
    anything but an earlier time and no verb of change (高于全国增幅, 增速比出口高) the figure is a
    gap to that thing, with neither; after the same period of an earlier year or last year a
    comparative is the change (比上年同期的60%高1.5个百分点, 比去年少了3亿元: yoy); otherwise the
    quantity's own."""
    last = None
    for m in r.gap_comparison.finditer(text, clause_start, q.start):
        if m.group() == "相比" or (m.group() == "较" and text.startswith(r.relatively, m.end())):
            continue  # 与上年相比 names its comparand before; 较快增长 is "fairly fast"
        if _inside_any(name_spans, m.start()):
            continue  # 比亚迪, 比利时
        last = m
    if last is None:
        return q.change, q.basis
    t = time_at.get(last.end())
    if t is None and not r.earlier_comparand.match(text, last.end()):
        if r.change_verb.search(text, last.end(), q.start):
            return q.change, q.basis  # 比传统耕作提高15%: a verb of change, said of the figure
        return None, None
    # the same period of an earlier year (比上年同期), or a comparand the quantity's basis already
    # reads as last year (比去年, 较上年: yoy): 比去年少了3亿元 is a fall of 3亿元, year on year
    if q.change is None and ("同期" in text[last.end():q.start] or q.basis == "yoy"):
        cm = r.comparative_end.search(text, last.end(), q.start)
        if cm is not None:
            return cm.lastgroup, q.basis or "yoy"
    return q.change, q.basis


def _inside_any(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, len(spans) + 10**9)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _growth_metric(text: str, lo: int, hi: int, masks: _Masks, r: _Rules) -> tuple[str, str] | None:
    """A growth noun named in text[lo:hi] (the sentence before the clause of a percentage that names
    nothing, after any earlier figure): the metric of what grows, and the change, or None.
    GDP增速来看，其余省份分别是：北京10.7%: GDP, up."""
    last = _last(r.growth_noun.finditer(text, lo, hi))
    if last is None:
        return None
    start = max(clause_bounds(text, last.start(), lo)[0], lo)
    phrase = _metric_from_clause(_masked(text, start, last.start(), masks), r)
    if phrase in (None, DEFER):
        return None
    return phrase, last.lastgroup


def _enumeration_runs(text: str, quantities: Sequence[Quantity], r: _Rules) -> dict[int, tuple[int, int, int]]:
    """For each quantity of a run joined by enumerators (17.5%、17.4%、17.0%和16.0%): its place in the
    run, the index of the run's first quantity and the run's length; runs of one are left out."""
    out: dict[int, tuple[int, int, int]] = {}
    i, n = 0, len(quantities)
    while i < n:
        j = i
        while j + 1 < n and r.enum_join.fullmatch(text, quantities[j].end, quantities[j + 1].start):
            j += 1
        if j > i:
            out.update((k, (k - i, i, j - i + 1)) for k in range(i, j + 1))
        i = j + 1
    return out


def _listed_subject(text: str, place: tuple[int, int, int], quantities: Sequence[Quantity],
                    sentence_places: Sequence[Entity], sent_start: int, r: _Rules) -> str | None:
    """北京、上海新建商品住宅价格分别上涨0.2%和0.1%: a list of as many names as the run has figures,
    the last names before 分别 in the sentence, gives each figure its name in order; else None."""
    k, first, size = place
    run_start = quantities[first].start
    cut = text.rfind("分别", sent_start, run_start)
    if cut < 0:
        return None
    before = [m for m in sentence_places if m.end <= cut]
    if len(before) < size:
        return None
    listed = before[-size:]
    if any(not enumeration_gap().fullmatch(text, a.end, b.start) or a.end == b.start
           for a, b in zip(listed, listed[1:])):
        return None
    if first > 0 and quantities[first - 1].start >= listed[0].start:
        return None  # a figure between the names and the run: not this run's list
    if not all(_usable(text, m, sent_start, r) for m in listed):
        return None
    return _as_written(text, listed[k], r)


def _year_of_item(period: TimeExpr, span: tuple[date | None, date | None], place: tuple[int, int, int],
                  text: str, run_start: int, clause_start: int) -> tuple[date | None, date | None]:
    """2016~2019年……分别为a、b、c和d: after 分别, a run of as many figures as the range has whole
    years gives each figure its own year; otherwise the span as it is."""
    a, b = span
    if a is None or b is None or period.kind != "range" or period.grain != "year":
        return span
    if (a.month, a.day, b.month, b.day) != (1, 1, 12, 31):
        return span
    k, _first, size = place
    if size != b.year - a.year + 1 or "分别" not in text[clause_start:run_start]:
        return span
    return date(a.year + k, 1, 1), date(a.year + k, 12, 31)


def _old_value_period(text: str, q: Quantity, times: Sequence[TimeExpr], time_ends: list[tuple[int, int]],
                      current: tuple[date | None, date | None], doc_date: date | None):
    """The period of a figure that is the compared-against value (比2009年同期的66.83%, 较去年全年的
    5%): the baseline time right before it, or for 同期 the current period in that year."""
    k = bisect_right(time_ends, (q.start, len(times))) - 1
    if k < 0:
        return None
    t = times[time_ends[k][1]]
    if t.role != "baseline" or not _OF.fullmatch(text[t.end:q.start]):
        return None
    if t.start_date is not None or t.end_date is not None:
        return t, (t.start_date, t.end_date)
    if not t.text.endswith("同期") or current[0] is None or current[1] is None:
        return None
    years = [x.start_date.year for x in find_times(t.text[:-2], ref=doc_date)
             if x.kind == "year" and x.start_date is not None]
    if len(years) != 1:
        return None
    shift = years[0] - current[1].year
    return t, (_shift_year(current[0], shift), _shift_year(current[1], shift))


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _is_moment(t: TimeExpr, r: _Rules) -> bool:
    """A "by" date (截至6月底, 目前, 2030年前; not the target 到2030年) or a point written as one
    (年末, 6月底): the figure is a level at that moment and the text does not say since when."""
    if t.kind == "by":
        return not t.text.startswith(r.target_words)
    if t.kind == "relative" and t.start_date is not None and t.start_date == t.end_date:
        return True  # 同期 while a 截至 date is in force: that moment
    return t.start_date is not None and t.start_date == t.end_date and t.text.endswith(r.moment_suffixes)


def _with_subject_nouns(text: str, places: list[Entity], r: _Rules) -> list[Entity]:
    """``places`` with the bodies written as common nouns (国家铁路, 全路) that no mention covers."""
    starts = [m.start for m in places]
    extra = []
    for n in r.subject_noun.finditer(text):
        k = bisect_right(starts, n.start()) - 1
        if any(places[j].end > n.start() and places[j].start < n.end()
               for j in range(max(k - 2, 0), min(k + 3, len(places)))):
            continue
        extra.append(Entity(n.start(), n.end(), n.group(), "ORG", "rule"))
    return sorted(places + extra, key=lambda m: m.start) if extra else places


def _inside_a_word(text: str, m: Entity) -> bool:
    """Whether the mention starts or ends inside a word of the text (太阳 of 太阳能电池, 购市 of
    采购市外电量): a misread, not a name. A word that is itself a place (江苏 inside 江苏省) is
    no misread."""
    lo, hi = max(0, m.start - 6), min(len(text), m.end + 6)
    return _cuts_a_word(text[lo:hi], m.start - lo, m.end - lo)


@lru_cache(maxsize=4096)
def _cuts_a_word(window: str, start: int, end: int) -> bool:
    pos = 0
    for word in project_tokenizer().lcut(window):
        a, b = pos, pos + len(word)
        pos = b
        if (a < start < b or a < end < b) and word not in divisions():
            return True
    return False


def _usable(text: str, m: Entity, clause_start: int, r: _Rules) -> bool:
    """Whether a mention can be whose figure it is where it stands."""
    if len(m.text) < 2 or m.text.endswith(r.not_subject_suffixes):
        return False  # 中, 俄 (partners in 中俄, 对韩); 新华社 (the source, not the subject)
    if _inside_a_word(text, m):
        return False
    before = text[max(0, m.start - 2):m.start]
    if before.endswith(r.not_subject_before) or r.byline_after.match(text, m.end):
        return False  # 对韩国, 据海关; 香港文汇报讯, 广州报道 (a byline: where it was written)
    # 对俄罗斯、哈萨克斯坦、沙特阿拉伯等市场: every item of a list the partner word opens
    return not r.partner_list.search(text, max(clause_start, m.start - 40), m.start)


def _collectives(text: str, places: Sequence[Entity], r: _Rules) -> list[tuple[int, str, str]]:
    """Every 全省/我市/全国 … that can be a subject: (position, kind, word), in order; not inside a
    name (全国人大) and not after a comparison or partner word (高于全国, 占全省)."""
    starts = [m.start for m in places]
    out = []
    for m in r.collective_re.finditer(text):
        i = m.start()
        if text[max(0, i - 2):i].endswith(r.not_subject_before):
            continue
        k = bisect_right(starts, i) - 1
        if any(places[j].end > i for j in range(max(k - 2, 0), k + 1)):
            continue  # inside a name (names barely nest: the nearest few are enough)
        out.append((i, r.collective[m.group()], m.group()))
    return out


# The sentence's topic is sought among its first few places only (a list of 10,000 names is no topic).
_TOPIC_CANDIDATES = 32


def _subject(text: str, q: Quantity, clause_start: int, clause_places: Sequence[Entity],
             sentence_places: Sequence[Entity], collective: tuple[int, str, str] | None,
             regions: dict[str, str], r: _Rules, previous: str | None) -> tuple[str | None, str | None]:
    """Whose figure, from its own sentence: an entity in the clause, the previous figure's subject
    in the sentence, 全省/我省 for the article's region (as written when the article never names
    it), or the sentence's topic entity; in their full written form, with where it was found.
    ``clause_places`` start in the clause, ``sentence_places`` are the sentence's first places,
    ``collective`` is the sentence's last 全省/我市 … before the number."""
    in_clause = [m for m in clause_places if m.end <= q.start and _usable(text, m, clause_start, r)]
    if collective is not None and collective[0] >= clause_start and (
            not in_clause or collective[0] < in_clause[-1].start):
        # 全市现有韩国投资企业27家: the city's figure, not Korea's
        return regions.get(collective[1], collective[2]), "clause"
    if in_clause:
        return _as_written(text, in_clause[-1], r), "clause"
    if previous is not None:
        return previous, "sentence"
    if collective is not None:
        return regions.get(collective[1], collective[2]), "sentence"
    topic = next((m for m in sentence_places if m.end <= q.start and _usable(text, m, clause_start, r)), None)
    if topic is not None:
        return _as_written(text, topic, r), "sentence"  # the sentence's topic comes first
    return None, None


def _counts_organizations(text: str, q: Quantity, sent_start: int, r: _Rules) -> bool:
    """Whether ``q`` counts organizations (500家企业, 上市公司300家). The linker keeps the answer for
    the rest of the paragraph (sentences never cross one), so each quantity is asked once."""
    return q.kind == "count" and q.unit in r.organization_count_units and bool(
        r.organization_group_after.match(text, q.end)
        or r.organization_group_before.search(text, max(sent_start, q.start - 8), q.start))


def _last(matches: Iterator[regex.Match]) -> regex.Match | None:
    """The last of ``matches``, or None."""
    last = None
    for last in matches:  # noqa: B007
        pass
    return last


# How far back (characters) an anaphor's organization may be named.
_ANTECEDENT_REACH = 400


def _antecedent(text: str, places: Sequence[Entity], place_starts: Sequence[int], at: int,
                sent_start: int, r: _Rules) -> tuple[str | None, str | None]:
    """The organization 该公司 at ``at`` refers to: the last one named before it (within
    _ANTECEDENT_REACH characters: the paragraph, or the one before where 该公司 opens its own), and
    where (sentence or paragraph); (None, None) when there is none, rather than the article's
    region or topic, whose figure it is not."""
    floor = at - _ANTECEDENT_REACH
    for m in reversed(places[:bisect_right(place_starts, at)]):
        if m.start < floor:
            break
        if m.label == "ORG" and m.end <= at:
            return _as_written(text, m, r), "sentence" if m.start >= sent_start else "paragraph"
    return None, None


def _as_written(text: str, m: Entity, r: _Rules) -> str:
    """The subject a mention names: a descriptive one that it opens as written (广州一家汽车企业),
    else its full name (长春 -> 长春市)."""
    d = r.descriptive.match(text, m.end)
    if d is not None:
        return text[m.start:d.end()]
    return full_name(m.text)


def _enumeration_groups(text: str, quantities: Sequence[Quantity], sent_starts: Sequence[int],
                        names: frozenset[str]) -> dict[int, str | int]:
    """Metrics for parallel enumerations, pairing items with numbers in order: A、B和C分别增长x、y和z
    (each number its item, an ``str``); a run of numbers whose clause names no items
    (…出口x、y和z，分别增长p、q和r) takes the metrics of the previous run of as many numbers in the
    sentence, or with 分别 the numbers right before it (an ``int``: the index of the quantity whose
    metric it takes). Items that are names (对俄罗斯、哈萨克斯坦等市场出口分别增长…) are partners or
    subjects, not metrics."""
    r = rules()
    out: dict[int, str | int] = {}
    previous: tuple[list[int], int] | None = None
    i = 0
    n = len(quantities)
    while i < n:
        j = i
        while j + 1 < n and r.enum_join.fullmatch(text, quantities[j].end, quantities[j + 1].start):
            j += 1
        if j > i:
            run = list(range(i, j + 1))
            sentence = sent_starts[max(bisect_right(sent_starts, quantities[i].start) - 1, 0)] if sent_starts else 0
            clause_start = clause_bounds(text, quantities[i].start, sentence)[0]
            prefix = text[clause_start:quantities[i].start]
            k = prefix.rfind("分别")
            items = _enumeration_items(_strip(prefix[:k] if k >= 0 else prefix, r), len(run), r, names)
            before = list(range(i - len(run), i))
            if items is not None:
                out.update(zip(run, items))
            elif k >= 0 and before and before[0] >= 0 and quantities[before[0]].start >= sentence:
                out.update(zip(run, before))  # 车辆5.82万辆次、人员21.4万人次，分别增长9.1%和26.3%
            elif previous is not None and previous[1] == sentence and len(previous[0]) == len(run):
                out.update(zip(run, previous[0]))
            previous = (run, sentence)
        i = j + 1
    return out


def _enumeration_items(head: str, n: int, r: _Rules, names: frozenset[str]) -> list[str] | None:
    """The ``n`` items of an enumeration written before its numbers (集成电路、笔记本电脑和电工器材;
    制造业、批发和零售业等重点行业), or None. Items are split at 、; the last two may be joined by
    和/与/及 (only there: 批发和零售业 is one item), and the list ends at 等."""
    parts = head.split("、")
    if len(parts) == n - 1:
        last = r.enum_split.split(parts[-1])
        if len(last) != 2:
            return None
        parts[-1:] = last
    if len(parts) != n:
        return None
    parts[-1] = parts[-1].split("等")[0]
    items = [_strip(p, r) for p in parts]
    if not all(items) or any(r.partner_prefix.sub("", x) in names for x in items):
        return None
    return items
