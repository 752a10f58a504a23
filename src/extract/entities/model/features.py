"""The model's per-character input features, one definition for run time, training and evaluation.

The character model reads each character with the class of the jieba word it falls in (a place
name, a person's name, a verb ...) and its position in that word. Those features must be computed
exactly as at run time when the model is trained, or the model learns one distribution and meets
another: so training (`train/train_ner.py`), evaluation and the spaCy component all call this
module, with the project tokenizer (gazetteer user words from `rules/`) and the project's word
tags.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from extract.entities.model.network import word_feature_ids
from extract.text import segment


class _ClassCache(dict):
    """word -> class id as :func:`segment.word_classes` gives it, remembered per word: the words of
    news text repeat, and a hit is one C-level dict lookup instead of a Python expression."""

    LIMIT = 500_000  # distinct words kept (numbers and names keep coming in a long batch)

    def __missing__(self, word: str) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        cls = self[word] = segment.word_classes([word], word_tags(), segment.project_tokenizer().FREQ)[0]
        return cls


@cache
def _word_classes() -> _ClassCache:
    return _ClassCache()


@cache
def word_tags() -> dict[str, int]:
    """jieba's dictionary tags as word classes, with the project's user words over them."""
    tags = dict(segment.default_word_tags())
    for word, _freq, tag in segment.user_words():
        tags[word] = segment.CLASS_ID[tag]
    return tags


def features_of_words(words: list[str]) -> np.ndarray:
    """Per-character feature ids for a text given as its jieba tokens (which cover it exactly)."""
    return word_feature_ids(words, list(map(_word_classes().__getitem__, words)))


def text_features(text: str) -> np.ndarray:
    """Per-character feature ids of ``text``, segmented by the project tokenizer."""
    return features_of_words(segment.project_tokenizer().lcut(text))
