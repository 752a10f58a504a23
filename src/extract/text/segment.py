"""jieba segmentation for the entity stage: one private tokenizer per process, user words, word classes.

Why a private ``jieba.Tokenizer`` and not the global ``jieba`` module: adding our gazetteer names to
the global dictionary would change the segmentation seen by every other user of jieba in the process.
Why a per-user cache folder: jieba's default cache is one file in the system temp folder, shared by
all users of the machine (a known source of permission errors and races); ours lives under
``$XDG_CACHE_HOME/extract`` (or ``~/.cache/extract``), falling back to a per-user temp folder.
Nothing is ever written inside site-packages.

The *word class* of a token (jieba dictionary tag, coarsened) is an input feature of the character
NER model, so the model knows what jieba's large dictionary says about the word a character sits in
(``ns`` place, ``nr`` person, ``nt`` organization...). Training and run time both call
:func:`word_classes` so the features are identical.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import jieba

from extract.resources import cache_dir, derived

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


def jieba_dict_file() -> Path:
    """jieba's bundled dictionary (word, frequency, tag per line): the word classes and the model's
    lexicon are read from it."""
    return Path(jieba.__file__).resolve().parent / "dict.txt"


def scan_jieba_dict(name: str, salt: str, keep: Callable[[str, str], object]) -> dict | set:
    """Scan jieba's bundled dict.txt once with ``keep(word, tag)`` -> value or None, the result
    cached by ``resources.derived`` (keyed by the dictionary's contents and ``salt``, so every
    virtual environment with the same jieba shares it); parsing the file costs ~0.3 s, reading
    the cache a few milliseconds."""

    def scan() -> dict:
        out: dict[str, object] = {}
        with jieba_dict_file().open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3:
                    value = keep(parts[0], parts[2])
                    if value is not None:
                        out[parts[0]] = value
        return out

    return derived(f"jieba-{name}-{zlib.crc32(salt.encode()):x}", [jieba_dict_file()], scan, salt)


@cache
def default_word_tags() -> dict[str, int]:
    """Word -> class id for the words of jieba's bundled dictionary whose tag we use."""
    salt = repr((WORD_CLASSES, sorted(_TAG_CLASS.items())))

    def keep(word: str, tag: str) -> int | None:
        cls = _TAG_CLASS.get(tag)
        return CLASS_ID[cls] if cls is not None else None

    return scan_jieba_dict("word-classes", salt, keep)


@cache
def words_tagged(tags: frozenset[str]) -> frozenset[str]:
    """The words of jieba's bundled dictionary whose tag is one of ``tags`` (e.g. verbs, particles).

    The entity repairs use it to keep verbs and function words out of the middle of a name
    (吉林省加快建设开发区 is no zone name).
    """
    found = scan_jieba_dict("tagged", repr(sorted(tags)), lambda word, tag: 1 if tag in tags else None)
    return frozenset(found)


# jieba's HMM step cuts a run of characters the dictionary does not join at letters and digits
# (20-30 -> 20 | - | 30, while C++ is a dictionary word); jieba-rs keeps such a run whole, so its
# non-Han tokens outside the dictionary are cut the same way
_NON_HAN_SPLIT = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_PLAIN = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?|[\u4e00-\u9fd5]+")


class FastTokenizer(jieba.Tokenizer):
    """A jieba tokenizer whose ``cut`` and ``lcut`` run on jieba-rs (``rjieba``, the same algorithm and
    dictionary in Rust, about 10-25x faster), with the same user words.

    Why: segmentation was the largest single cost of a run (the entity model's features and its
    repairs cut every sentence). Everything else (the dictionary ``FREQ``, ``get_DAG`` that
    ``jieba.posseg`` uses for the linker's tags) is jieba's own, so tags are unchanged. Tokens agree
    with jieba's on 99.6% of MSRA test sentences and 97-99.5% of news sentences (the rest: a few
    words that jieba-rs's dictionary weighs differently, 相结合 -> 相 | 结合); see the README.
    """

    # jieba adds a user word's frequency to the dictionary total even where the word was already
    # listed; jieba-rs replaces the old count. Near-ties between one word and two (技术成果 vs 技术 |
    # 成果) depend on that total, so this never-occurring entry carries the difference.
    _TOTAL_PAD = "\ue000\ue001\ue002"

    def __init__(self) -> None:
        import rjieba

        super().__init__()
        self._fast = rjieba.Jieba()
        self._pad = 0

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        self.check_initialized()
        old = self.FREQ.get(word, 0)
        super().add_word(word, freq, tag)
        self._fast.add_word(word, self.FREQ[word], tag)
        if old:
            self._pad += old
            self._fast.add_word(self._TOTAL_PAD, self._pad, None)

    def cut(self, sentence: str, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False):  # noqa: N803 (jieba's names)
        """jieba's default mode (with HMM) on jieba-rs; the other modes are jieba's own."""
        if cut_all or not HMM:
            return super().cut(sentence, cut_all=cut_all, HMM=HMM)
        return iter(self.lcut(sentence))

    def lcut(self, sentence: str, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False) -> list[str]:  # noqa: N803
        if cut_all or not HMM:
            return list(super().cut(sentence, cut_all=cut_all, HMM=HMM))
        out: list[str] = []
        for token in self._fast.cut(sentence):
            if len(token) == 1 or not token.isascii() or _PLAIN.fullmatch(token) or self.FREQ.get(token):
                out.append(token)
            else:
                out.extend(piece for piece in _NON_HAN_SPLIT.split(token) if piece)
        return out


def new_tokenizer(user_words: Iterable[tuple[str, int, str]] = ()) -> jieba.Tokenizer:
    """A private jieba tokenizer (default dictionary, cutting on jieba-rs) plus ``(word, freq, tag)``
    user words."""
    jieba.setLogLevel(logging.WARNING)
    tok = FastTokenizer()
    tok.tmp_dir = str(cache_dir())
    tok.initialize()
    for word, freq, tag in user_words:
        tok.add_word(word, freq, tag)
    return tok


def _fallback_class(word: str) -> int:
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


def word_classes(words: list[str], tags: dict[str, int], known: dict[str, int]) -> list[int]:
    """Class id of each word: its dictionary tag, else 'other' if jieba knows it, else by its shape."""
    other = CLASS_ID["other"]
    get_tag, get_known = tags.get, known.get
    return [get_tag(w) or (other if get_known(w) else _fallback_class(w)) for w in words]


def user_words() -> list[tuple[str, int, str]]:
    """The project user dictionary for jieba, built from rules/ (gazetteer names stay whole)."""
    from extract.entities.rules import user_dictionary  # the gazetteer's data, no spaCy

    return user_dictionary()


@cache
def project_tokenizer() -> jieba.Tokenizer:
    """The process-wide private jieba tokenizer with the project user dictionary: the one tokenizer
    of the entity model's features, the entity repairs and the linker's part-of-speech tags."""
    return new_tokenizer(user_words())
