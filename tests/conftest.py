"""Test order for parallel runs (``make test`` runs the suite with pytest-xdist, a worker per core).

The Spark test alone is a fifth of the suite's time, most of it the JVM starting: run it first, so
that another worker does the rest meanwhile instead of waiting for it at the end.
"""

from __future__ import annotations

import pytest

SLOW_FIRST = ("tests/test_spark.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))
