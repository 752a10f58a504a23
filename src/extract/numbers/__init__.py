"""Numerals valued exactly (`numerals`) and the unit lexicon (`units`)."""

from extract.numbers.numerals import NotANumber, Number, find_numbers, parse_number

__all__ = ["NotANumber", "Number", "find_numbers", "parse_number"]
