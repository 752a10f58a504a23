"""The documents a report shows: extracted now, or read back from an earlier run's tables.

Either way each document comes with its decoded original text, so every row can be placed in
it; rows whose surface no longer matches the text at their offsets (the article was edited after
the run) are counted and left unmarked rather than drawn in the wrong place.
"""

from __future__ import annotations

import gzip
import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from extract.io.batch import DEFAULT_PATTERNS, Options, Source, discover, process
from extract.io.decode import DecodeError, decode_bytes
from extract.io.readers import Columns
from extract.io.runner import expand

TABLE_NAMES = ("documents", "quantities", "entities", "facts")


@dataclass
class ReportDoc:
    """One document of the report: its documents row, original text and the rows found in it."""

    doc_id: str
    document: dict
    text: str | None
    quantities: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    warning: str | None = None
    misplaced: int = 0  # rows left out because text[start:end] is not their surface

    @property
    def ok(self) -> bool:
        return self.document.get("status") == "ok"


def _plain(value):
    """A table cell as a plain JSON-ready value: NaN and NA become None, dates ISO strings."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _plain_row(row: dict) -> dict:
    return {k: _plain(v) for k, v in row.items()}


def join_facts(quantities: list[dict], facts: list[dict]) -> list[dict]:
    """Each quantity row with the columns its facts row adds (statement, context, and any new ones).

    Facts rows are one per quantity and share its offsets; a quantity without one keeps its own columns.
    """
    by_span = {(f.get("start"), f.get("end")): f for f in facts}
    out = []
    for q in quantities:
        row = dict(q)
        for key, value in by_span.get((q.get("start"), q.get("end")), {}).items():
            if key not in row or row[key] is None:
                row[key] = value
        out.append(row)
    return out


def _placed(text: str, rows: list[dict]) -> tuple[list[dict], int]:
    good = [r for r in rows if isinstance(r.get("start"), int) and isinstance(r.get("end"), int)
            and text[r["start"]:r["end"]] == r.get("text")]
    return good, len(rows) - len(good)


def _bytes_and_text(src: Source) -> tuple[bytes, str]:
    """A document's bytes as the run hashed them and its text as the run read it (same offsets)."""
    if src.text is not None:  # a record of a JSON Lines, CSV or Parquet file
        return src.text.encode("utf-8"), src.text
    path = src.file
    assert path is not None
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        data = gzip.decompress(data)
    return data, decode_bytes(data).text


def _sources(root: Path, patterns: str | tuple[str, ...], exclude: frozenset[Path] = frozenset()) -> list[Source]:
    """The documents under ``root`` as ``extract run`` finds them: files, and a record file's records."""
    return list(expand(discover(root, patterns, exclude=exclude), Columns()))


def extract_now(root: Path, glob: str | None = None, options: Options | None = None) -> list[ReportDoc]:
    """Run the pipeline over an article or a folder, as ``extract run --facts`` would."""
    options = options or Options()
    docs = []
    for src in _sources(root, glob or DEFAULT_PATTERNS):
        result = process(src, options)
        text = _bytes_and_text(src)[1] if result.document["status"] == "ok" else None
        quantities = join_facts([_plain_row(r) for r in result.quantities], [_plain_row(r) for r in result.facts])
        docs.append(ReportDoc(src.doc_id, _plain_row(result.document), text, quantities,
                              [_plain_row(r) for r in result.entities]))
    return docs


def is_output_folder(path: Path) -> bool:
    """Whether ``path`` holds the tables of an earlier ``extract run``."""
    return path.is_dir() and any((path / f"documents.{ext}").is_file() for ext in ("csv", "parquet"))


def _read_table(folder: Path, name: str) -> list[dict] | None:
    import pandas as pd

    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        frame = pd.read_parquet(parquet)
    elif csv.is_file():
        frame = pd.read_csv(csv, dtype={"doc_id": str, "text": str, "error": str}, keep_default_na=False,
                            na_values=[""])
    else:
        return None
    for col in ("sentence", "start", "end", "bytes", "chars", "n_quantities", "n_entities", "n_sentences"):
        if col in frame.columns:
            frame[col] = frame[col].astype("Int64")
    return [_plain_row(r) for r in frame.to_dict("records")]


def read_run(out_dir: Path, articles: Path, glob: str | None = None) -> list[ReportDoc]:
    """An earlier run's tables joined with the articles it read (``articles``: its INPUT)."""
    documents = _read_table(out_dir, "documents") or []
    found = {src.doc_id: src for src in _sources(articles, glob or DEFAULT_PATTERNS, frozenset({out_dir.resolve()}))
             if src.error is None}
    grouped: dict[str, dict[str, list[dict]]] = {}
    for name in ("quantities", "entities", "facts"):
        for row in _read_table(out_dir, name) or []:
            grouped.setdefault(row["doc_id"], {}).setdefault(name, []).append(row)
    docs = []
    for document in documents:
        doc_id = document["doc_id"]
        rows = grouped.get(doc_id, {})
        quantities = join_facts(rows.get("quantities", []), rows.get("facts", []))
        doc = ReportDoc(doc_id, document, None, quantities, rows.get("entities", []))
        if doc.ok:
            src = found.get(doc_id) or Source(doc_id, articles if articles.is_file() else articles / doc_id)
            try:
                data, doc.text = _bytes_and_text(src)
            except (OSError, DecodeError, EOFError, gzip.BadGzipFile) as exc:
                doc.warning = f"cannot read the article {doc_id} under {articles}: {exc}"
            else:
                if document.get("sha256") and hashlib.sha256(data).hexdigest() != document["sha256"]:
                    doc.warning = "the article has changed since the run: rows that no longer fit are not marked"
        docs.append(doc)
    return docs


def place_rows(docs: list[ReportDoc]) -> None:
    """Keep only the rows that fit their document's text; count the others."""
    for doc in docs:
        if doc.text is None:
            continue
        doc.quantities, bad_q = _placed(doc.text, doc.quantities)
        doc.entities, bad_e = _placed(doc.text, doc.entities)
        doc.misplaced = bad_q + bad_e
        if doc.misplaced and not doc.warning:
            doc.warning = f"{doc.misplaced} rows do not match the text at their offsets and are not marked"


def collect(input_path: Path, articles: Path | None = None, glob: str | None = None,
            options: Options | None = None) -> list[ReportDoc]:
    """The report's documents for INPUT: an output folder (with ``articles``), a folder or an article."""
    if is_output_folder(input_path):
        if articles is None:
            raise ValueError(f"{input_path} holds the tables of an earlier run: give the articles it read "
                             f"with --articles")
        docs = read_run(input_path, articles, glob)
    else:
        docs = extract_now(input_path, glob, options)
    place_rows(docs)
    return docs

