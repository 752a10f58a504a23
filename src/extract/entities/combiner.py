"""From the layers' candidates to one set of entities: the repair steps, then the combiner.

The model's spans and the rule spans of a text are gathered in a :class:`Candidates` record; the
repair steps (registered by name with :func:`repair_step`, run in the order :data:`REPAIR_ORDER`
gives, as spaCy runs its pipeline's components) each change that record; :func:`combine` then picks
one non-overlapping set. A run may switch any step off by leaving its name out of the order
(``load(steps=...)`` in :mod:`extract.entities.step`, or :func:`choose` directly), which is how
``train/combine_study.py`` measures each step's worth.

The steps, in their default order:

    listed_orgs         organizations of rules/org_names.yaml and the rule names of org_companies.tsv,
                        on jieba's token edges (they win over the model's pieces)
    towns               towns (乡, 镇) by name, where jieba and the division list leave them in pieces
    plausible_model     a model span with punctuation at an edge or unbalanced brackets is dropped
    whole_latin_words   a model span ending inside a word of Latin letters covers it (Nik|ola)
    clean_model         the model's spans relabelled, cut, split or dropped (repairs.clean_model_spans)
    name_runs           a list of names the model read in wrong pieces (郝岩郝|建秀) is read again
    generic_orgs        a body's kind and more ordinary words (公司董事会) is no organization
    division_goods      a division + what it trades (江苏省|出口机电产品) is the division, no body
    index_names         a place + an index's publisher (日本日经|225指数) is the place, no body
    cut_words           an ordinary word read as a place at the front of a longer word (太阳|能) is none
    full_division_names a place read one level character short (重庆|市) is the full division name
    listed_over_model   a listed name the model read with another label (宁德时代 a place) is the list's
    listed_cuts         a model span that cuts a listed name (日经济新闻综合|中新网) or glues a function
                        word to it (华为|亦) gives way to the list
    start_at_places     a model span starting inside a gazetteer name starts where the name does
    county_short_forms  梨树 is a place in an article that names 梨树县
    zones               place + zone word as one LOC (珲春公路口岸); a model span that is one is a LOC
    institutions        division + institution chain as one ORG (九台区发展和改革局)
    trade_names         name + trade word as one ORG (齐鲁制药)
    company_short_names 某某精工 (小米) is the company an article named 长春某某精工股份有限公司 (小米集团)
    org_ends            a rule ORG must end at a token edge or before a word of its own
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

import regex

from extract.entities import repairs
from extract.entities import rules as entity_rules
from extract.entities.spans import Candidate, Entity
from extract.text import segment

# Precedence of the combiner, chosen by measurement on the dev split of train.jsonl
# (train/combine_study.py): see MODEL_CARD.md.
DEFAULT_PRECEDENCE = "model_first_org"
PRECEDENCES = ("model_first", "model_first_org", "rule_first", "longest")


@dataclass
class Candidates:
    """What the repair steps work on, for one text: the model's and the rules' spans so far.

    ``listed`` are the listed organizations found (they count as strong, see :meth:`strong`);
    ``short_forms`` the county short forms (heads of zone names); ``longer`` the rule names built
    around spans already found (zones, institutions, trade names): they may replace the model
    spans inside them, and join the rule spans only when the steps are done.
    """

    text: str
    tokens: list[str]  # jieba's tokens, covering ``text`` exactly
    words: repairs.Words
    model: list[Candidate]
    rules: list[Candidate]
    listed: list[Candidate] = field(default_factory=list)
    short_forms: list[Candidate] = field(default_factory=list)
    longer: list[Candidate] = field(default_factory=list)
    bounds: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.bounds = token_bounds(self.tokens)

    def rule_candidates(self) -> list[Candidate]:
        """The rule spans the combiner weighs: the rules' and the longer names built by the steps."""
        return self.rules + self.longer

    def strong(self) -> set[tuple[int, int]]:
        """(start, end) of the rule spans that may replace the model spans inside them: rule ORGs
        ending in an institution word (长春海关), named regions (中南美洲), the longer names, the
        listed organizations."""
        text = self.text
        regions = entity_rules.region_names()
        out = {(s, e) for s, e, lab in self.rule_candidates()
               if (lab == "ORG" and entity_rules.is_strong_org(text[s:e])) or (lab == "LOC" and text[s:e] in regions)}
        out.update((s, e) for s, e, _lab in self.longer)
        out.update((s, e) for s, e, _lab in self.listed)
        return out


RepairStep = Callable[[Candidates], None]
REPAIRS: dict[str, RepairStep] = {}


def repair_step(name: str) -> Callable[[RepairStep], RepairStep]:
    """Register a repair step under ``name`` (what an order lists and a study switches off)."""
    def register(step: RepairStep) -> RepairStep:
        if name in REPAIRS:
            raise ValueError(f"repair step {name!r} registered twice")
        REPAIRS[name] = step
        return step

    return register


@cache
def jieba_words() -> repairs.Words:
    """jieba as the repairs see it: the project tokenizer, its dictionary, the word classes."""
    tok = segment.project_tokenizer()
    return repairs.Words(cut=tok.lcut, lexicon=tok.lexicon, tags=tok.classes(),
                         closed=tok.words_tagged(repairs.closed_tags()),
                         verbs=tok.words_tagged(repairs.verb_tags()),
                         function_words=tok.words_tagged(repairs.function_tags()))


@cache
def _full_places() -> frozenset[str]:
    """Official and listed place names (长春市, 查干湖), not the short forms (长沙 in 部长沙穆亚里拉)."""
    return frozenset(entity_rules.place_names().full)


@repair_step("listed_orgs")
def _listed_orgs(c: Candidates) -> None:
    c.listed = entity_rules.org_name_spans(c.text, c.bounds, _verb_rest_check(c.text, c.bounds, c.words))
    c.rules += c.listed


@repair_step("towns")
def _towns(c: Candidates) -> None:
    c.rules += repairs.town_spans(c.text, c.tokens, c.words)


@repair_step("plausible_model")
def _plausible_model(c: Candidates) -> None:
    c.model = [m for m in c.model if plausible(c.text[m[0]:m[1]])]


@repair_step("whole_latin_words")
def _whole_latin_words(c: Candidates) -> None:
    c.model = repairs.whole_latin_words(c.model, c.text)


@repair_step("clean_model")
def _clean_model(c: Candidates) -> None:
    c.model = repairs.clean_model_spans(c.text, c.model, c.words, c.bounds)


@repair_step("name_runs")
def _name_runs(c: Candidates) -> None:
    c.model = repairs.name_runs(c.model, c.text, c.words)


@repair_step("generic_orgs")
def _generic_orgs(c: Candidates) -> None:
    c.model = repairs.drop_generic_orgs(c.model, c.text, c.words)


@repair_step("division_goods")
def _division_goods(c: Candidates) -> None:
    c.model = repairs.division_goods(c.model, c.text, c.words)


@repair_step("index_names")
def _index_names(c: Candidates) -> None:
    c.model = repairs.index_names(c.model, c.text, c.bounds)


@repair_step("cut_words")
def _cut_words(c: Candidates) -> None:
    c.model = repairs.cut_at_words(c.model, c.text, c.words, c.bounds)


@repair_step("full_division_names")
def _full_division_names(c: Candidates) -> None:
    c.model = repairs.full_division_names(c.model, c.text, c.bounds)


@repair_step("listed_cuts")
def _listed_cuts(c: Candidates) -> None:
    c.model = repairs.listed_cuts(c.model, c.listed, c.text, c.words)


@repair_step("listed_over_model")
def _listed_over_model(c: Candidates) -> None:
    named = {(s, e) for s, e, _lab in c.listed}
    c.model = [m for m in c.model if m[:2] not in named]


@repair_step("start_at_places")
def _start_at_places(c: Candidates) -> None:
    full = _full_places()
    c.model = repairs.start_at_places(c.model, [r for r in c.rules if r[2] == "LOC" and r[1] - r[0] > 2
                                                and c.text[r[0]:r[1]] in full])


@repair_step("county_short_forms")
def _county_short_forms(c: Candidates) -> None:
    c.short_forms = repairs.short_form_spans(c.text, c.model + c.rules)
    c.rules += c.short_forms


@repair_step("zones")
def _zones(c: Candidates) -> None:
    zones = repairs.zone_spans(c.text, c.model + c.short_forms, c.words)
    c.model = repairs.relabel_zones(c.model, zones)
    c.longer += zones


@repair_step("institutions")
def _institutions(c: Candidates) -> None:
    c.longer += repairs.institution_spans(c.text, c.rules + c.model, c.words)


@repair_step("trade_names")
def _trade_names(c: Candidates) -> None:
    c.longer += repairs.trade_spans(c.text, c.rules + c.model, c.tokens, c.words, entity_rules.company_names())


@repair_step("company_short_names")
def _company_short_names(c: Candidates) -> None:
    c.longer += repairs.company_short_names(c.text, c.rules + c.model + c.longer, c.bounds, c.words,
                                            entity_rules.company_names())


@repair_step("org_ends")
def _org_ends(c: Candidates) -> None:
    ends_ok = _org_end_check(c.text, c.bounds, c.words)
    c.rules = [r for r in c.rules if r[2] != "ORG" or ends_ok(r[1])]
    c.longer = [r for r in c.longer if r[2] != "ORG" or ends_ok(r[1])]


REPAIR_ORDER: tuple[str, ...] = (
    "listed_orgs", "towns", "plausible_model", "whole_latin_words", "clean_model", "name_runs", "generic_orgs",
    "division_goods", "index_names", "cut_words", "full_division_names", "listed_over_model", "listed_cuts",
    "start_at_places",
    "county_short_forms", "zones", "institutions", "trade_names", "company_short_names", "org_ends",
)
assert set(REPAIR_ORDER) == set(REPAIRS), "every registered step has its place in the order"


def run_repairs(found: Candidates, steps: Iterable[str] = REPAIR_ORDER) -> Candidates:
    """Run the named steps on ``found`` in the order given (an unknown name is an error)."""
    for name in steps:
        if name not in REPAIRS:
            raise ValueError(f"unknown repair step {name!r}; known: {', '.join(REPAIR_ORDER)}")
        REPAIRS[name](found)
    return found


def choose(text: str, tokens: list[str], model: Iterable[tuple[int, int, str]],
           rules: Iterable[tuple[int, int, str]], steps: Iterable[str] = REPAIR_ORDER,
           precedence: str = DEFAULT_PRECEDENCE) -> list[Entity]:
    """The entities of ``text`` from the model's spans and the rule spans (regex rules and the
    gazetteer): the repair ``steps`` in their order, then :func:`combine`."""
    found = Candidates(text, tokens, jieba_words(), [Candidate(*m) for m in model],
                       [Candidate(*r) for r in rules])
    run_repairs(found, steps)
    return combine(text, found.model, found.rule_candidates(), precedence, found.strong())


def combine(text: str, model: list[Candidate], rules: list[Candidate],
            precedence: str = DEFAULT_PRECEDENCE, strong: set[tuple[int, int]] | None = None
            ) -> list[Entity]:
    """One non-overlapping set of entities of ``text`` from model and rule candidates.

    ``model_first``: model spans stand; rule spans fill the gaps. ``rule_first``: the reverse.
    ``longest``: longer spans win overlaps (rules win ties). ``model_first_org``: as model_first, but
    a rule ORG that wholly contains the model spans it overlaps replaces them (the model saw only
    the place in 长春海关: MSRA has few such organizations); with ``strong`` given, exactly those
    (start, end) rule spans may do so, whatever their label (zone names: 长春 + 经开区).
    """
    cands = [(s, e, lab, "model") for s, e, lab in model] + [(s, e, lab, "rule") for s, e, lab in rules]
    if precedence == "model_first_org":
        model_sorted = sorted(model)
        model_starts = [m[0] for m in model_sorted]
        longest = max((m[1] - m[0] for m in model_sorted), default=0)
        promoted = []
        for s, e, lab in rules:
            if (s, e) not in strong if strong is not None else lab != "ORG":
                continue
            # the model spans overlapping (s, e) start in (s - longest, e): bisect, not a full scan
            lo, hi = bisect_right(model_starts, s - longest), bisect_left(model_starts, e)
            inside = [m for m in model_sorted[lo:hi] if m[0] < e and s < m[1]]
            if inside and all(s <= m[0] and m[1] <= e for m in inside) and \
                    not any(m[:2] == (s, e) for m in inside):
                promoted.append((s, e, lab))
        cands = [(s, e, lab, "rule") for s, e, lab in promoted] + cands
        first = set(promoted)
        key = lambda c: (0 if (c[3] == "rule" and c[:3] in first) else 1 if c[3] == "model" else 2,  # noqa: E731
                         -(c[1] - c[0]), c[0])
    elif precedence == "model_first":
        key = lambda c: (c[3] != "model", -(c[1] - c[0]), c[0])  # noqa: E731
    elif precedence == "rule_first":
        key = lambda c: (c[3] != "rule", -(c[1] - c[0]), c[0])  # noqa: E731
    elif precedence == "longest":
        key = lambda c: (-(c[1] - c[0]), c[3] != "rule", c[0])  # noqa: E731
    else:
        raise ValueError(f"unknown precedence {precedence!r}")
    taken = bytearray(max((c[1] for c in cands), default=0))  # a numpy slice test per span costs more
    chosen = []
    for c in sorted(cands, key=key):
        if 1 not in taken[c[0]:c[1]]:
            taken[c[0]:c[1]] = b"\1" * (c[1] - c[0])
            chosen.append(c)
    return [Entity(s, e, text[s:e], lab, src) for s, e, lab, src in sorted(chosen)]


_PAIRS = {"（": "）", "(": ")", "《": "》", "“": "”", "「": "」", "【": "】", "‘": "’"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_EDGE_CHAR = regex.compile(r"[\p{P}\s]")
_BRACKETS = frozenset(_PAIRS) | frozenset(_CLOSERS)


@cache
def _bad_edge(ch: str) -> bool:
    """Punctuation or space: no name starts or ends on one (cached per character, called per span)."""
    return _EDGE_CHAR.fullmatch(ch) is not None


def plausible(name: str) -> bool:
    """A model span is kept only if it could be a name: no punctuation or space at its edges, and
    brackets/quotes inside it balanced (兴隆国际陆港（铁路 is a cut-off name, not an entity)."""
    if not name or _bad_edge(name[0]) or _bad_edge(name[-1]):
        return False
    if _BRACKETS.isdisjoint(name):
        return True
    depth: dict[str, int] = {}
    for ch in name:
        if ch in _PAIRS:
            depth[ch] = depth.get(ch, 0) + 1
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            if depth.get(opener, 0) == 0:
                return False
            depth[opener] -= 1
    return not any(depth.values())


def _org_end_check(text: str, bounds: frozenset[int], words: repairs.Words) -> Callable[[int], bool]:
    """Does an organization name found by the rules end where it may? At a jieba token's end, or
    inside a token whose rest is a word of its own (九台区发展和改革局|局长, jieba: 局局长); not
    inside a word (上海大学|生, 乌克兰外交部|长, 电视台今晚报|道)."""
    starts: list[int] = []

    def ok(end: int) -> bool:
        if end in bounds:
            return True
        if not starts:
            starts.extend(sorted(bounds))
        token_end = starts[bisect_right(starts, end)]
        rest = text[end:token_end]
        return len(rest) >= 2 and words.known(rest)

    return ok


def _verb_rest_check(text: str, bounds: frozenset[int], words: repairs.Words) -> Callable[[int], bool]:
    """May a listed name end at this offset inside a jieba token? Where the token's rest is a verb
    of two or more characters (时代财经|报道 inside jieba's 财经报道); not where it is a noun
    (中国石化|工业 inside 石化工业: the industry)."""
    starts: list[int] = []

    def ok(end: int) -> bool:
        if not starts:
            starts.extend(sorted(bounds))
        i = bisect_right(starts, end)
        if i >= len(starts):
            return False
        rest = text[end:starts[i]]
        return len(rest) >= 2 and rest in words.verbs

    return ok


def token_bounds(words: list[str]) -> frozenset[int]:
    """Character offsets where one of these consecutive tokens starts or ends."""
    return frozenset(accumulate(map(len, words), initial=0))
