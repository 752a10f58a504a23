"""Quantities: a number with its unit, approximation, range, change and basis (`reading`)."""

from extract.quantities.reading import Quantity, find_quantities, is_vetoed

__all__ = ["Quantity", "find_quantities", "is_vetoed"]
