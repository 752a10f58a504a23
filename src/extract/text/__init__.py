"""The text layer: the cleaned view with its map back to original offsets, sentences and clauses
(`view`), where long texts are cut (`blocks`), and the jieba word segmenter every later layer
shares (`segment`)."""

from extract.text.view import TextView, clause_bounds, make_view, sentence_spans

__all__ = ["TextView", "clause_bounds", "make_view", "sentence_spans"]
