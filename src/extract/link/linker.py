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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import regex

from extract.quantities.reading import Quantity
from extract.resources import alternation as _alt
from extract.resources import load_yaml, read_tsv
from extract.text.view import CLAUSE_WINDOW
from extract.timex.expressions import TimeExpr

if TYPE_CHECKING:
    import jieba.posseg


@dataclass(frozen=True)
class Mention:
    """An entity mention in view coordinates (what linking needs of the NER output)."""

    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True)
class Context:
    """What one quantity is about. ``subject_source`` and ``period_source`` say how close the
    evidence was: ``clause``, ``sentence``, ``paragraph`` or ``article``."""

    metric: str | None = None
    subject: str | None = None
    period_text: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    subject_code: str | None = None
    subject_source: str | None = None
    period_source: str | None = None


@dataclass(frozen=True)
class _Rules:
    strip_left: regex.Pattern
    strip_right: regex.Pattern
    enum_split: regex.Pattern
    collective: dict[str, str]  # 全省 -> province …
    not_subject_before: tuple[str, ...]
    not_subject_suffixes: tuple[str, ...]
    partner_list: regex.Pattern
    metric_stop: regex.Pattern


@cache
def rules() -> _Rules:
    data = load_yaml("link.yaml")
    return _Rules(
        regex.compile(rf"^(?:{_alt(data['strip_left'])}|[\s，、：:（(“”\"'])+"),
        regex.compile(rf"(?:{_alt(data['strip_right'])}|[\s，、：:（(“”\"'])+$"),
        regex.compile(rf"\s*(?:{_alt(data['enumerators'])})\s*"),
        {w: level for level, words in data["collective"].items() for w in words},
        tuple(data["not_subject_before"]),
        tuple(data["not_subject_suffixes"]),
        regex.compile(rf"(?:{_alt(data['not_subject_before'])})(?:[^，,；;。、]{{1,12}}、)+$"),
        regex.compile(_alt(data["metric_stops"])),
    )


@cache
def _divisions() -> dict[str, tuple[str, str]]:
    """Name or short form -> (full name, level) for provinces, prefectures and counties."""
    rows = read_tsv("divisions.tsv")
    header = rows[0]
    idx = {k: header.index(k) for k in ("name", "level", "short")}
    out: dict[str, tuple[str, str]] = {}
    rank = {"province": 0, "prefecture": 1, "county": 2}
    for row in rows[1:]:
        name, level = row[idx["name"]], row[idx["level"]]
        short = row[idx["short"]] if len(row) > idx["short"] else ""
        for key in (name, short):
            if key and (key not in out or rank[level] < rank[out[key][1]]):
                out[key] = (name, level)
    return out


def home_regions(mentions: Sequence[Mention]) -> dict[str, str]:
    """The region the article is about for each collective word: {"province": "吉林省",
    "city": "珲春市", "county": "九台区"}.

    The most mentioned place of each kind wins (ties: the first mentioned). "city" is any city
    (prefecture or county level: 珲春市 is a county-level city, and its 全市 means 珲春市);
    "county" is a district, county or banner. Names inside organizations count (吉林省商务厅).
    """
    divisions = _divisions()
    counts: dict[str, Counter] = {"province": Counter(), "city": Counter(), "county": Counter()}
    first: dict[str, int] = {}
    for m in mentions:
        if m.label not in ("LOC", "ORG"):
            continue
        for name in _place_prefixes(m.text, divisions):
            full, level = divisions[name]
            kind = "province" if level == "province" else "city" if full.endswith("市") else "county"
            counts[kind][full] += 1
            first.setdefault(full, m.start)
    out = {}
    for kind, c in counts.items():
        if c:
            out[kind] = min(c, key=lambda k: (-c[k], first[k]))
    return out


def _place_prefixes(text: str, divisions: dict[str, tuple[str, str]]) -> list[str]:
    """Division names at the start of an entity (长春海关 -> 长春, 吉林省商务厅 -> 吉林省)."""
    for n in range(min(len(text), 9), 1, -1):
        if text[:n] in divisions:
            return [text[:n]]
    return []


def _paragraph_starts(text: str) -> list[int]:
    starts = [0]
    for m in regex.finditer(r"\n+", text):
        starts.append(m.end())
    return starts


def _strip(core: str, r: _Rules) -> str:
    prev = None
    while prev != core:
        prev = core
        core = r.strip_left.sub("", core)
        core = r.strip_right.sub("", core)
    return core


@cache
def pos_tokenizer() -> jieba.posseg.POSTokenizer:
    """jieba part-of-speech tagging over the project's private tokenizer (loaded on first use).

    Importing jieba.posseg already reads the word tags of jieba's dictionary into its default tagger;
    the project tokenizer has the same dictionary (plus user words, whose tags the tagger adds on
    first use), so the tag table is copied rather than read from the file a second time."""
    import jieba.posseg

    from extract.text.segment import project_tokenizer

    tokenizer = project_tokenizer()
    default = jieba.posseg.dt
    if tokenizer.dictionary != default.tokenizer.dictionary:
        return jieba.posseg.POSTokenizer(tokenizer)
    tagger = object.__new__(jieba.posseg.POSTokenizer)  # what __init__ sets, without the file read
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = dict(default.word_tag_tab)
    return tagger


_NOMINAL = ("n", "vn", "an", "j", "l", "s", "b", "eng", "nz", "mq", "g")


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


def _metric_from_clause(clause: str, r: _Rules) -> str | None:
    """The noun phrase left in a clause once times, entities and function words are removed."""
    for piece in reversed([p for p in regex.split(r"\x00+", clause) if p.strip()]):
        core = _strip(piece, r)
        if core:
            phrase = _metric_from_core(core, r)
            if phrase is not None:
                return phrase  # else look before the masked name or time: 中欧班列(长春)开行
    return None


def _metric_from_core(core: str, r: _Rules) -> str | None:
    m = r.metric_stop.search(core)
    if m:  # 占全省外贸比重: stop words cut the phrase
        core = _strip(core[: m.start()], r) or _strip(core[m.end():], r)
    if not core or not regex.search(r"\p{Han}", core) or regex.search(r"\d", core):
        return None
    words = [(w.word, w.flag) for w in pos_tokenizer().lcut(core)]
    phrase = _noun_phrase(words, from_right=True)
    if phrase is None or len(phrase) > 16:
        return None
    return phrase


def _metric_after_count(text: str, q: Quantity, r: _Rules) -> str | None:
    """3个海外仓, 16个边境口岸: the counted noun right after a classifier."""
    end = q.end
    stop = end
    while stop < len(text) and stop - end < 12 and text[stop] not in "，,；;。！？!?：:、\n（(“":
        stop += 1
    if stop == end:
        return None
    words = [(w.word, w.flag) for w in pos_tokenizer().lcut(text[end:stop])]
    return _noun_phrase(words, from_right=False)


def _masked(text: str, start: int, end: int, spans: Sequence[tuple[int, int]],
            span_starts: Sequence[int]) -> str:
    """text[start:end] with the sorted ``spans`` blanked out by NULs (kept as piece boundaries).

    Spans are never longer than a sentence, so only those starting in the 200 characters before
    ``start`` can reach into the clause.
    """
    chars = list(text[start:end])
    i = bisect_right(span_starts, start - 200)
    while i < len(spans) and spans[i][0] < end:
        s, e = spans[i]
        for k in range(max(s, start), min(e, end)):
            chars[k - start] = "\x00"
        i += 1
    return "".join(chars)


def link(
    text: str,
    quantities: Sequence[Quantity],
    times: Sequence[TimeExpr],
    mentions: Sequence[Mention],
    sentences: Sequence[tuple[int, int]],
    doc_date: date | None = None,
) -> list[Context]:
    """The context of every quantity (same order), all in view coordinates.

    ``doc_date`` keeps a headline's plan period still under way (擘画“十五五”新蓝图) from becoming
    the period of every figure: only a headline period already over governs the article.
    """
    r = rules()
    para_starts = _paragraph_starts(text)
    sent_starts = [s for s, _ in sentences]
    periods = [t for t in times if t.role == "period" and t.kind != "duration"
               and (t.start_date is not None or t.end_date is not None or t.kind != "relative")]
    period_ends = [t.end for t in periods]
    places = sorted((m for m in mentions if m.label in ("LOC", "ORG")), key=lambda m: m.start)
    place_starts = [m.start for m in places]
    homes = home_regions(mentions)
    collectives = _Collectives(text, homes, r)
    mask_spans = [(t.start, t.end) for t in times] + [(m.start, m.end) for m in mentions]
    mask_spans += [(q.start, q.end) for q in quantities]
    mask_spans.sort()
    mask_starts = [s for s, _ in mask_spans]
    headline_end, headline_period = _headline_period(text, periods)
    if headline_period is not None and doc_date is not None and (
            headline_period.end_date is None or headline_period.end_date > doc_date):
        headline_period = None
    out: list[Context] = []
    prev_q: Quantity | None = None
    prev_ctx: Context | None = None
    groups = _enumeration_groups(text, quantities)
    for i, q in enumerate(quantities):
        para = para_starts[bisect_right(para_starts, q.start) - 1]
        si = max(bisect_right(sent_starts, q.start) - 1, 0)
        sent_start = sentences[si][0] if sentences else 0
        same_sentence = prev_q is not None and prev_q.start >= sent_start
        clause_start = _clause_start(text, q.start, sent_start)

        # period: the latest period expression before the number in its paragraph; a single day
        # (5月21日) is an event's date and holds only within its sentence; failing both, the
        # period named in the headline governs the article (1-8月全省规模以上工业增加值…)
        period = None
        period_source = None
        k = bisect_right(period_ends, q.start) - 1
        while k >= 0 and periods[k].start >= para:
            t = periods[k]
            if t.grain == "day" and t.start < sent_start:
                k -= 1
                continue
            period = t
            period_source = ("clause" if t.start >= clause_start else "sentence" if t.start >= sent_start
                             else "paragraph")
            break
        if period is None and headline_period is not None and q.start >= headline_end:
            period, period_source = headline_period, "article"

        # metric
        metric = None
        group = groups.get(i)
        if group is not None:
            metric = group
        else:
            if q.kind == "count":
                metric = _metric_after_count(text, q, r)
            if metric is None:
                clause = _masked(text, clause_start, q.start, mask_spans, mask_starts)
                metric = _metric_from_clause(clause, r)
            if metric is None and same_sentence and prev_ctx is not None and _follows_amount(q, prev_q):
                metric = prev_ctx.metric

        # subject
        lo, hi = bisect_left(place_starts, sent_start), bisect_right(place_starts, q.start)
        in_clause = places[max(lo, bisect_left(place_starts, clause_start)):hi]
        subject, subject_source = _subject(
            text, q, clause_start, sent_start, in_clause, places[lo:min(hi, lo + _TOPIC_CANDIDATES)],
            collectives, r,
            prev_ctx.subject if same_sentence and prev_ctx is not None else None)

        ctx = Context(
            metric=metric,
            subject=subject,
            period_text=period.text if period else None,
            period_start=period.start_date if period else None,
            period_end=period.end_date if period else None,
            subject_code=place_code(subject),
            subject_source=subject_source,
            period_source=period_source,
        )
        out.append(ctx)
        prev_q, prev_ctx = q, ctx
    return out


def _headline_period(text: str, periods: Sequence[TimeExpr]) -> tuple[int, TimeExpr | None]:
    """The end of the headline (first non-empty line, if short and not a sentence) and the period
    it names, if any."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line = text[start:end].strip()
    if not line or len(line) > 60 or line.endswith(("。", "！", "？")):
        return 0, None
    named = [t for t in periods if start <= t.start and t.end <= end and t.grain != "day"]
    return end, (named[-1] if named else None)


def _clause_start(text: str, pos: int, lo: int) -> int:
    """Start of the clause before ``pos``: after the last ，；。 etc., at most CLAUSE_WINDOW back."""
    for i in range(pos - 1, max(lo, pos - CLAUSE_WINDOW) - 1, -1):
        if text[i] in "，,；;。！？!?：:\n":
            return i + 1
    return max(lo, pos - CLAUSE_WINDOW)


def _follows_amount(q: Quantity, prev: Quantity | None) -> bool:
    """A change (增长18.6%, 增加约2100亿元) following an amount in the same sentence."""
    return prev is not None and (q.change is not None or (
        q.basis is not None and q.kind in ("percent", "multiple", "pp")))


# The sentence's topic is sought among its first few places only (a list of 10,000 names is no topic).
_TOPIC_CANDIDATES = 32


def _subject(text: str, q: Quantity, clause_start: int, sent_start: int, clause_places: Sequence[Mention],
             sentence_places: Sequence[Mention], collectives: _Collectives, r: _Rules,
             previous: str | None) -> tuple[str | None, str | None]:
    """Whose figure: an entity in the clause, the previous figure's subject in the sentence, the
    article's region for 全省/我省, or the sentence's topic entity; in their full written form,
    with where it was found (clause or sentence). ``clause_places`` start in the clause,
    ``sentence_places`` are the sentence's first places."""
    def usable(m: Mention) -> bool:
        if len(m.text) < 2 or m.text.endswith(r.not_subject_suffixes):
            return False  # 中, 俄 (partners in 中俄, 对韩); 新华社 (the source, not the subject)
        before = text[max(0, m.start - 2):m.start]
        if before.endswith(r.not_subject_before):
            return False
        # 对俄罗斯、哈萨克斯坦、沙特阿拉伯等市场: every item of a list the partner word opens
        return not r.partner_list.search(text, max(clause_start, m.start - 40), m.start)

    in_clause = [m for m in clause_places if m.end <= q.start and usable(m)]
    collective = collectives.last_in(clause_start, q.start)
    if collective is not None and (not in_clause or collective[0] < in_clause[-1].start):
        return collective[1], "clause"  # 全市现有韩国投资企业27家: the city's figure, not Korea's
    if in_clause:
        return _full_name(in_clause[-1].text), "clause"
    if previous is not None:
        return previous, "sentence"
    collective = collectives.last_in(sent_start, q.start)
    if collective is not None:
        return collective[1], "sentence"
    topic = next((m for m in sentence_places if m.end <= q.start and usable(m)), None)
    if topic is not None:
        return _full_name(topic.text), "sentence"  # the sentence's topic comes first
    return None, None



class _Collectives:
    """Every 全省/我市/全区 … of a text whose region is known, found once: a lookup per number is
    then a bisection, not a scan back to the sentence start (quadratic on run-on sentences)."""

    def __init__(self, text: str, homes: dict[str, str], r: _Rules) -> None:
        found = []
        for rank, (word, level) in enumerate(r.collective.items()):
            if level in homes:
                found += [(m.start(), -rank, m.end(), homes[level])
                          for m in regex.finditer(regex.escape(word), text, overlapped=True)]
        found.sort()
        self.found = found
        self.starts = [f[0] for f in found]

    def last_in(self, lo: int, hi: int) -> tuple[int, str] | None:
        """The last one inside [lo, hi): (position, region); on a tie the word listed first."""
        i = bisect_left(self.starts, hi) - 1
        while i >= 0 and self.starts[i] >= lo:
            start, _, end, region = self.found[i]
            if end <= hi:
                return start, region
            i -= 1
        return None


@cache
def _place_codes() -> dict[str, str]:
    """Full division name -> GB/T 2260 code; country name (short and official) -> ISO 3166 alpha-2."""
    out: dict[str, str] = {}
    for row in read_tsv("countries.tsv")[1:]:
        for name in row[1:]:
            if name:
                out.setdefault(name, row[0])
    rows = read_tsv("divisions.tsv")
    idx = {k: rows[0].index(k) for k in ("code", "name")}
    for row in rows[1:]:
        out.setdefault(row[idx["name"]], row[idx["code"]])
    return out


def place_code(subject: str | None) -> str | None:
    """The code a table can join on: 长春市 -> 220100, 韩国 -> KR; None for organizations."""
    return _place_codes().get(subject) if subject else None


def _full_name(name: str) -> str:
    """长春 -> 长春市, 吉林 -> 吉林省: a division's short form is written out in full."""
    full = _divisions().get(name)
    return full[0] if full else name


def _enumeration_groups(text: str, quantities: Sequence[Quantity]) -> dict[int, str]:
    """Metrics for parallel enumerations: A、B和C分别增长x、y和z pairs items with numbers in order."""
    r = rules()
    out: dict[int, str] = {}
    i = 0
    n = len(quantities)
    while i < n:
        j = i
        while j + 1 < n and regex.fullmatch(r"\s*(?:、|和|与|及|以及)?\s*", text[quantities[j].end:quantities[j + 1].start]):
            j += 1
        if j > i:
            clause_start = _clause_start(text, quantities[i].start, 0)
            prefix = text[clause_start:quantities[i].start]
            k = prefix.rfind("分别")
            if k >= 0:
                head = prefix[:k]
                items = [x for x in r.enum_split.split(_strip(head, r)) if x]
                if len(items) == j - i + 1:
                    for off, item in enumerate(items):
                        item = _strip(item, r)
                        if item:
                            out[i + off] = item
        i = j + 1
    return out
