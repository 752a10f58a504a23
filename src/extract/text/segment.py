"""jieba segmentation: one private tokenizer per process, the project's user words, word tags.

Why jieba-rs (``rjieba``) and no Python jieba at run time: segmentation is in every layer's path (the
entity model's features, its repairs, the linker's word tags), and jieba-rs cuts with jieba's own
algorithm and dictionary 10-25x faster. jieba's Python tokenizer also keeps its whole dictionary
as Python dicts (prefixes included: 500k keys, about 75 MB and half a second to load), and
``jieba.posseg`` a second table of tags: here jieba-rs holds the dictionary and its tags, which
serve the word classes of the model, the repairs' word lists and the linker's tags
(:class:`Tokenizer`).

Why private: adding our gazetteer names to a shared dictionary would change the segmentation seen
by every other user of jieba in the process. Nothing is written inside site-packages: what is
derived from the dictionary file is cached under ``$XDG_CACHE_HOME/extract`` (``resources.derived``).

The *word class* of a token (jieba dictionary tag, coarsened) is an input feature of the character
NER model, so the model knows what jieba's large dictionary says about the word a character sits in
(``ns`` place, ``nr`` person, ``nt`` organization...). Training and run time both call
:meth:`Tokenizer.word_class`, so the features are identical.
"""

from __future__ import annotations

import importlib.util
import re
import zlib
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path

from extract.resources import derived

# Coarse word classes; the index is the feature id (0 is reserved for padding).
WORD_CLASSES: tuple[str, ...] = (
    "pad", "oov", "other", "nr", "nrt", "nrfg", "ns", "nt", "nz", "n", "v", "a", "m", "t", "j",
    "num", "latin", "punct", "space",
)
CLASS_ID = {name: i for i, name in enumerate(WORD_CLASSES)}
# jieba dictionary tag -> coarse class
_TAG_CLASS = {
    "nr": "nr", "nrt": "nrt", "nrfg": "nrfg", "ns": "ns", "nt": "nt", "nz": "nz",
    "n": "n", "ng": "n", "vn": "n", "v": "v", "vg": "v", "vd": "v", "vi": "v", "vq": "v",
    "a": "a", "ad": "a", "an": "a", "ag": "a", "m": "m", "mq": "m", "t": "t", "tg": "t", "j": "j",
}

_CLASS_OF_TAG = {tag: CLASS_ID[cls] for tag, cls in _TAG_CLASS.items()}

# jieba's HMM step cuts a run of characters the dictionary does not join at letters and digits
# (20-30 -> 20 | - | 30, while C++ is a dictionary word); jieba-rs keeps such a run whole, so its
# non-Han tokens outside the dictionary are cut the same way
_NON_HAN_SPLIT = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_PLAIN = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?")
# jieba.posseg's blocks and its tags for what its dictionary does not hold
_HAN_INTERNAL = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&._]+)")
_SKIP_INTERNAL = re.compile(r"(\r\n|\s)")
_HAN_DETAIL = re.compile("([\u4E00-\u9FD5]+)")
_SKIP_DETAIL = re.compile(r"([.0-9]+|[a-zA-Z0-9]+)")
_ENG = re.compile(r"[a-zA-Z0-9]+")
_NUM = re.compile(r"[.0-9]+")


def jieba_dict_file() -> Path:
    """jieba's bundled dictionary (word, frequency, tag per line; the one jieba-rs embeds): the
    word tags and the model's lexicon are read from it. Found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("the jieba package is not installed: its dictionary file is needed")
    return Path(spec.origin).resolve().parent / "dict.txt"


def _dictionary_rows() -> Iterator[tuple[str, int, str]]:
    with jieba_dict_file().open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                yield parts[0], int(parts[1]), parts[2]


class Tokenizer:
    """jieba's default cut (with its HMM) on jieba-rs, with user words, and every word's jieba tag.

    Tokens agree with jieba's own on 99.6% of MSRA test sentences and 97-99.5% of news sentences
    (the rest: a few words that jieba-rs weighs differently, 相结合 -> 相 | 结合); see the README.

    A word's tag is the one jieba's dictionary (or the user word) gives it, ``None`` for a word the
    dictionary does not hold. jieba-rs holds the dictionary and its tags; Python holds only what it
    cannot answer: the user words' tags (jieba-rs keeps a listed word's old tag) and the 8k
    dictionary words that jieba-rs does not cut whole when alone (一个家 -> 一个 | 家), so
    ``tag(word)`` is exact for every word. No table of the 350k words is built in Python (that was
    50 MB and 0.2-0.7 s per process).
    """

    # jieba adds a user word's frequency to the dictionary total even where the word was already
    # listed; jieba-rs replaces the old count. Near-ties between one word and two (技术成果 vs 技术 |
    # 成果) depend on that total, so this never-occurring entry carries the difference.
    _TOTAL_PAD = "\ue000\ue001\ue002"

    def __init__(self, user_words: Iterable[tuple[str, int, str]] = ()) -> None:
        import rjieba

        user_words = list(user_words)
        salt = repr(user_words)
        key = f"{zlib.crc32(salt.encode()):x}"
        self._fast = rjieba.Jieba()
        self._has_word = self._fast.has_word
        wanted = {w for w, _f, _t in user_words}
        old_freqs = derived(f"jieba-user-freqs-{key}", [jieba_dict_file()],
                            lambda: {w: f for w, f, _t in _dictionary_rows() if w in wanted}, salt)
        pad = 0
        for word, freq, tag in user_words:
            old = old_freqs.get(word, 0)
            old_freqs[word] = freq
            self._fast.add_word(word, freq, tag)
            if old:
                pad += old
                self._fast.add_word(self._TOTAL_PAD, pad, None)

        def not_whole() -> dict[str, str]:
            return {w: t for w, _f, t in _dictionary_rows() if len(self._fast.tag(w)) != 1}

        self._tags: dict[str, str] = derived(f"jieba-not-whole-{key}", [jieba_dict_file()], not_whole, salt)
        self._tags.update((word, tag) for word, _freq, tag in user_words)

    def lcut(self, text: str) -> list[str]:
        """jieba's tokens of ``text`` (default mode, HMM on), covering it exactly."""
        out: list[str] = []
        is_word = self._has_word
        for token in self._fast.cut(text):
            if len(token) == 1 or not token.isascii() or _PLAIN.fullmatch(token) or is_word(token):
                out.append(token)
            else:
                out.extend(piece for piece in _NON_HAN_SPLIT.split(token) if piece)
        return out

    def is_word(self, word: str) -> bool:
        """Whether the dictionary (or a user word) holds ``word``."""
        return self._has_word(word)

    def tag(self, word: str) -> str | None:
        """The jieba tag of ``word`` (user words: theirs), ``None`` outside the dictionary."""
        tag = self._tags.get(word)
        if tag is not None:
            return tag
        if not word or not self._has_word(word):
            return None
        return self._fast.tag(word)[0][1]

    def word_class(self, word: str) -> int:
        """The model's class id of a token: its coarse dictionary tag, 'other' for a dictionary word
        of another tag, else by its shape (number, Latin, punctuation, space, unknown)."""
        tag = self.tag(word)
        if tag is None:
            return _shape_class(word)
        return _CLASS_OF_TAG.get(tag, CLASS_ID["other"])

    def pos_tags(self, text: str) -> list[tuple[str, str]]:
        """(word, tag) over ``text`` as ``jieba.posseg`` cuts and tags it, for the linker's noun
        phrases: jieba's dictionary route, the dictionary's tags, and posseg's own HMM (which
        guesses word and tag together) for a run of characters the dictionary does not join."""
        out: list[tuple[str, str]] = []
        for block in _HAN_INTERNAL.split(text):
            if not block:
                continue
            if _HAN_INTERNAL.match(block):
                self._tag_route(block, out)
                continue
            for piece in _SKIP_INTERNAL.split(block):
                if not piece:
                    continue
                if _SKIP_INTERNAL.match(piece):
                    out.append((piece, "x"))
                else:
                    out.extend((ch, "m" if _NUM.match(ch) else "eng" if _ENG.match(piece) else "x") for ch in piece)
        return out

    def _tag_route(self, block: str, out: list[tuple[str, str]]) -> None:
        run = ""  # single characters on the route (jieba-rs already joins Latin letters and digits)
        for word in self._fast.cut(block, False):
            if len(word) == 1 or not self._has_word(word):
                run += word
                continue
            if run:
                self._tag_run(run, out)
                run = ""
            out.append((word, self.tag(word) or "x"))
        if run:
            self._tag_run(run, out)

    def _tag_run(self, run: str, out: list[tuple[str, str]]) -> None:
        if len(run) == 1:
            out.append((run, self.tag(run) or "x"))
        elif self._has_word(run):
            out.extend((ch, self.tag(ch) or "x") for ch in run)
        else:
            out.extend(_hmm_tags(run))

    @property
    def lexicon(self) -> Container[str]:
        """The dictionary's words and the user words (``word in tokenizer.lexicon``)."""
        return _Lexicon(self._has_word)

    def classes(self) -> Mapping[str, int]:
        """word -> coarse class id for the dictionary words whose tag has a class (a view)."""
        return _ClassView(self)

    def words_tagged(self, tags: Iterable[str]) -> Container[str]:
        """The dictionary words whose tag is one of ``tags`` (the repairs' verbs, function words), as
        a view: no set of tens of thousands of words is built."""
        return _TaggedView(self.tag, frozenset(tags))


class _Lexicon(Container[str]):
    """``word in lexicon``: jieba-rs holds the word (its dictionary or a user word)."""

    __slots__ = ("_has_word",)

    def __init__(self, has_word: Callable[[str], bool]) -> None:
        self._has_word = has_word

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(word) and self._has_word(word)


class _ClassView(Mapping[str, int]):
    """word -> class id of the tokenizer's dictionary words whose tag has a class."""

    __slots__ = ("_tokenizer",)

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        tag = self._tokenizer.tag(word)
        cls = _CLASS_OF_TAG.get(tag) if tag is not None else None
        return default if cls is None else cls

    def __getitem__(self, word: str) -> int:
        cls = self.get(word)
        if cls is None:
            raise KeyError(word)
        return cls

    def __iter__(self) -> Iterator[str]:
        tag = self._tokenizer.tag
        return (w for w, _f, _t in _dictionary_rows() if tag(w) in _CLASS_OF_TAG)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _TaggedView(Container[str]):
    """``word in view``: the word's jieba tag is one of ``wanted``."""

    __slots__ = ("_tag", "_wanted")

    def __init__(self, tag: Callable[[str], str | None], wanted: frozenset[str]) -> None:
        self._tag, self._wanted = tag, wanted

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._tag(word) in self._wanted


@cache
def posseg_model() -> tuple[Callable, dict, dict, dict, dict]:
    """jieba.posseg's HMM (viterbi, char states, start, transition and emission tables), read from
    its modules without importing ``jieba.posseg``, whose import reads the whole dictionary again."""
    folder = jieba_dict_file().parent / "posseg"

    def module(name: str):
        spec = importlib.util.spec_from_file_location(f"_extract_posseg_{name}", folder / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    return (module("viterbi").viterbi, module("char_state_tab").P, module("prob_start").P,
            module("prob_trans").P, module("prob_emit").P)


@lru_cache(maxsize=8192)
def _hmm_tags(run: str) -> tuple[tuple[str, str], ...]:
    """posseg's words and tags for a run the dictionary does not join (its ``__cut_detail``); its
    Python Viterbi is the dearest part of tagging, and clauses are tagged more than once."""
    out: list[tuple[str, str]] = []
    for block in _HAN_DETAIL.split(run):
        if not block:
            continue
        if not _HAN_DETAIL.match(block):
            for piece in _SKIP_DETAIL.split(block):
                if piece:
                    out.append((piece, "m" if _NUM.match(piece) else "eng" if _ENG.match(piece) else "x"))
            continue
        viterbi, states, start, trans, emit = posseg_model()
        _prob, route = viterbi(block, states, start, trans, emit)
        begin = nexti = 0
        for i, char in enumerate(block):
            position, tag = route[i]
            if position == "B":
                begin = i
            elif position == "E":
                out.append((block[begin:i + 1], tag))
                nexti = i + 1
            elif position == "S":
                out.append((char, tag))
                nexti = i + 1
        if nexti < len(block):
            out.append((block[nexti:], route[nexti][1]))
    return tuple(out)


def _shape_class(word: str) -> int:
    ch = word[0]
    if word.isspace():
        return CLASS_ID["space"]
    if word.isdigit() or (ch.isdigit() and word.replace(".", "").replace(",", "").isdigit()):
        return CLASS_ID["num"]
    if word.isascii() and word.isalnum():
        return CLASS_ID["latin"]
    if not ch.isalnum():
        return CLASS_ID["punct"]
    return CLASS_ID["oov"]


def user_words() -> list[tuple[str, int, str]]:
    """The project user dictionary, built from rules/ (gazetteer names stay whole)."""
    from extract.entities.rules import user_dictionary  # the gazetteer's data, no model

    return user_dictionary()


@cache
def project_tokenizer() -> Tokenizer:
    """The process-wide private tokenizer with the project user dictionary: the one tokenizer of the
    entity model's features, the entity repairs and the linker's part-of-speech tags."""
    return Tokenizer(user_words())
