"""What reading Traditional script as Simplified costs, per million characters.

    .venv/bin/python bench/script_conversion.py

The check that keeps mainland text off the conversion path runs on Simplified text (the corpus's
articles 01-12 repeated); the conversion runs on the corpus's Traditional articles (13-15) repeated;
the quantity stage on the same Simplified text gives the scale. Best of five runs each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from extract.io.decode import decode_bytes
from extract.quantities.reading import find_quantities
from extract.text.view import has_traditional, make_view, to_simplified

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
N = 1_000_000


def _text(names: list[Path]) -> str:
    base = "\n\n".join(decode_bytes(p.read_bytes()).text for p in names)
    return (base * (N // len(base) + 1))[:N]


def _best(run: Callable[[], object], times: int = 5) -> float:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return min(out)


def main() -> None:
    files = sorted(CORPUS.glob("*.txt"))
    simplified = _text([p for p in files if int(p.name[:2]) <= 12])
    traditional = _text([p for p in files if 13 <= int(p.name[:2]) <= 15])
    assert not has_traditional(simplified) and has_traditional(traditional)
    to_simplified(traditional)  # loads the map
    rows = [
        ("check, Simplified text", _best(lambda: has_traditional(simplified))),
        ("conversion, Traditional text", _best(lambda: to_simplified(traditional))),
        ("whole view, Simplified text", _best(lambda: make_view(simplified))),
        ("whole view, Traditional text", _best(lambda: make_view(traditional))),
        ("quantity stage, Simplified text", _best(lambda: find_quantities(simplified), 2)),
    ]
    for label, seconds in rows:
        print(f"{label:<34}{seconds * 1000:>9.1f} ms per million characters")


if __name__ == "__main__":
    main()
