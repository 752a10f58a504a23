"""Files of articles: JSON Lines, CSV and Parquet, each record one document; ``.gz`` of any kind.

Archives come as tables of articles rather than folders of files. A record's text is in the
``--text-col`` column, its ``doc_id`` in ``--id-col`` (``<file>#<record number>`` where the record
has none) and its publication date in ``--date-col``; every other column is carried into the
documents table as text, like ``--meta`` columns. Records are read one at a time (Parquet: a batch
of rows), so a file of any size streams. A record that cannot be used (a line that is not JSON, no
text, a date that is not YYYY-MM-DD) becomes an error row naming the record; a file that cannot be
read at all becomes one error row, as with text files.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from extract.io.batch import Source, os_error_reason

RECORD_KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_PARQUET_ROWS = 256


@dataclass(frozen=True)
class Columns:
    """Which columns of a record file hold the text, the document id and the date."""

    text: str = "text"
    id: str = "id"
    date: str = "date"


def record_kind(path: Path) -> str | None:
    """``jsonl``, ``csv`` or ``parquet`` for a file of records (also ``.gz``), else None (one article)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for suffix, kind in RECORD_KINDS.items():
        if name.endswith(suffix):
            return kind
    return None


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _text_stream(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if is_gzip(path) else path.open("rb")  # noqa: SIM115 (closed by the wrapper)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(str(value).strip()[:10], "%Y-%m-%d").date()


def _carried(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _record(file_id: str, n: int, rec, cols: Columns) -> Source:
    """One record as a Source: its text and metadata, or the reason it cannot be used (the doc_id,
    ``<file>#<n>`` where the record has no id, says which record)."""
    fallback = f"{file_id}#{n}"
    if not isinstance(rec, dict):
        return Source(fallback, error="not an object with columns")
    raw_id = rec.get(cols.id)
    doc_id = fallback if raw_id in (None, "") else str(raw_id)
    text = rec.get(cols.text)
    if not isinstance(text, str) or not text.strip():
        what = "no column" if cols.text not in rec else "an empty or non-text value in column"
        return Source(doc_id, error=f"{what} {cols.text!r} (see --text-col)")
    meta: dict[str, object] = {}
    raw_date = rec.get(cols.date)
    if raw_date not in (None, ""):
        try:
            meta["date"] = _as_date(raw_date)
        except ValueError:
            return Source(doc_id, error=f"date {raw_date!r} in column {cols.date!r} is not YYYY-MM-DD")
    for key, value in rec.items():
        if key not in (cols.text, cols.id, cols.date, "doc_id"):
            meta[key] = _carried(value)
    return Source(doc_id, text=text, meta=meta)


def _jsonl(path: Path, file_id: str, cols: Columns) -> Iterator[Source]:
    with _text_stream(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as exc:
                yield Source(f"{file_id}#{n}", error=f"not valid JSON ({exc.msg})")
                continue
            yield _record(file_id, n, rec, cols)


def _csv(path: Path, file_id: str, cols: Columns) -> Iterator[Source]:
    csv.field_size_limit(sys.maxsize)
    with _text_stream(path) as fh:
        reader = csv.DictReader(fh)
        for n, rec in enumerate(reader, 1):
            if None in rec:  # more fields than the header names
                yield Source(f"{file_id}#{n}", error="more fields than the header names")
                continue
            yield _record(file_id, n, rec, cols)


def _parquet(path: Path, file_id: str, cols: Columns) -> Iterator[Source]:
    import pyarrow.parquet as pq

    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(gzip.open(path, "rb")) if is_gzip(path) else path
        n = 0
        for batch in pq.ParquetFile(raw).iter_batches(batch_size=_PARQUET_ROWS):
            for rec in batch.to_pylist():
                n += 1
                yield _record(file_id, n, rec, cols)


_READERS = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}


def read_records(src: Source, cols: Columns) -> Iterator[Source]:
    """The documents of one record file (``src.path``), in file order; never raises for bad input."""
    path = src.file
    assert path is not None
    kind = record_kind(path)
    assert kind is not None
    n = 0
    try:
        for n, doc in enumerate(_READERS[kind](path, src.doc_id, cols), 1):  # noqa: B007
            yield doc
    except UnicodeDecodeError:
        yield Source(f"{src.doc_id}#rest", error=f"{src.doc_id} is not UTF-8 after record {n}; "
                                                 f"records from there on were not read")
    except OSError as exc:
        yield Source(f"{src.doc_id}#rest" if n else src.doc_id,
                     error=f"cannot read {kind} file after record {n}: {os_error_reason(exc)}")
    except Exception as exc:  # a damaged Parquet footer, a CSV quoting error...
        yield Source(f"{src.doc_id}#rest" if n else src.doc_id,
                     error=f"cannot read {kind} file after record {n}: {exc.__class__.__name__}: {exc}")


def gunzip_article(path: Path, max_bytes: int) -> bytes:
    """The decompressed bytes of one ``.txt.gz`` article, at most ``max_bytes`` (else DecodeError)."""
    from extract.io.decode import DecodeError

    with gzip.open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DecodeError(f"decompressed article over the limit ({max_bytes / 1e6:.0f} MB, see --max-mb)")
    return data
