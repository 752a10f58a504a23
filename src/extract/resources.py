"""Where the rule data and the trained model live, in a checkout and in an installed wheel.

The wheel carries `rules/` as `extract/rules/` (see pyproject's force-include); an editable
install or a plain checkout reads the top-level `rules/` folder instead. Everything is read-only:
nothing is ever unpacked or written next to the package (a read-only site-packages must work).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

_PKG = Path(__file__).resolve().parent


@cache
def rules_dir() -> Path:
    """The folder holding the rule data files."""
    for candidate in (_PKG / "rules", _PKG.parent.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("rule data not found: neither extract/rules nor the checkout's rules/ exists")


def rule_path(name: str) -> Path:
    """Path of one rule file, e.g. ``rule_path("units.yaml")``."""
    path = rules_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"rule file missing: {path}")
    return path


@cache
def load_yaml(name: str) -> Any:
    """Parse a YAML rule file once per process."""
    with rule_path(name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a TSV rule file, skipping blank lines and ``#`` comments."""
    rows = []
    with rule_path(name).open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def alternation(words) -> str:
    """Regex alternation of literal words, longest first so that the longest one wins
    (the rule files list words in any order; 同比增长 must win over 增长)."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
