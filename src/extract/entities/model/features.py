"""The model's per-character input features, one definition for run time, training and evaluation.

The character model reads each character with the class of the jieba word it falls in (a place
name, a person's name, a verb ...) and its position in that word. Those features must be computed
exactly as at run time when the model is trained, or the model learns one distribution and meets
another: so training (`train/train_ner.py`), evaluation and the entity step all call this
module, with the project tokenizer (gazetteer user words from `rules/`) and its word tags.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from extract.entities.model.network import word_feature_ids
from extract.text import segment


class _ClassCache(dict):
    """word -> class id as :meth:`segment.Tokenizer.word_class` gives it, remembered per word: the
    words of news text repeat, and a hit is one C-level dict lookup instead of a method call."""

    LIMIT = 500_000  # distinct words kept (numbers and names keep coming in a long batch)

    def __missing__(self, word: str) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        cls = self[word] = segment.project_tokenizer().word_class(word)
        return cls


@cache
def _word_classes() -> _ClassCache:
    return _ClassCache()


def features_of_words(words: list[str]) -> np.ndarray:
    """Per-character feature ids for a text given as its jieba tokens (which cover it exactly)."""
    return word_feature_ids(words, list(map(_word_classes().__getitem__, words)))


def text_features(text: str) -> np.ndarray:
    """Per-character feature ids of ``text``, segmented by the project tokenizer."""
    return features_of_words(segment.project_tokenizer().lcut(text))
