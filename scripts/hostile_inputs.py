"""CPU time of the pipeline (no entities) on hostile inputs that used to hang or blow up.

    .venv/bin/python scripts/hostile_inputs.py

The README's "Messy input" figures come from here; the tests check the same families by counting
work, not time (tests/test_robustness.py).
"""

import time

from extract.pipeline import extract_document

CASES = {
    "a 5 MB line of digits": "1" * 5_000_000,
    "亿 x 10,000": "亿" * 10_000,
    "一 x 4,000": "一" * 4_000,
    "10,000 numbers joined by 、": "、".join(f"{i}%" for i in range(10_000)),
    "1 and 5,000 zeros, then 元": "1" + "0" * 5000 + "元",
}


def main() -> None:
    extract_document("增长5%。", entities=False)  # rules and tagger loaded before the clock
    for name, text in CASES.items():
        started = time.process_time()
        ext = extract_document(text, entities=False)
        print(f"{name}: {len(text.encode()) / 1e3:,.0f} KB, {time.process_time() - started:.2f} s CPU, "
              f"{len(ext.quantities)} quantities")


if __name__ == "__main__":
    main()
