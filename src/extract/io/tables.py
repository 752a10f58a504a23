"""The output tables: column names and types from SCHEMA.md, frames, and streaming file writers.

Types are fixed here once (Arrow schemas) so that a table with no rows still has its columns and
types, CSV and Parquet agree, and the same input always gives byte-identical files.
"""

from __future__ import annotations

import csv
import math
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:  # pandas loads on first use (a second of start-up otherwise)
    import pandas as pd

S, I, F, DT = pa.string(), pa.int64(), pa.float64(), pa.date32()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", S), ("bytes", I), ("sha256", S), ("encoding", S),
        # set when a few bad bytes were replaced by U+FFFD (io.decode): what and where
        ("decode_note", S), ("chars", I),
        ("date", DT), ("date_source", S), ("status", S), ("error", S),
        ("n_quantities", I), ("n_entities", I), ("n_sentences", I),
    ]),
    "quantities": pa.schema([
        ("doc_id", S), ("sentence", I), ("start", I), ("end", I), ("text", S),
        ("value", F), ("value_high", F), ("unit", S), ("unit_text", S), ("kind", S),
        ("approx", S), ("change", S), ("basis", S), ("metric", S), ("subject", S),
        ("period_text", S), ("period_start", DT), ("period_end", DT),
        # where the linker found subject and period (clause, sentence, paragraph, article) and the
        # subject's code (GB/T 2260 for a Chinese division, ISO 3166 alpha-2 for a country)
        ("subject_code", S), ("subject_source", S), ("period_source", S),
    ]),
    # one readable row per quantity with its context (``extract run --facts``)
    "facts": pa.schema([
        ("doc_id", S), ("doc_date", DT), ("sentence", I), ("start", I), ("end", I),
        ("statement", S), ("subject", S), ("subject_code", S), ("subject_source", S), ("metric", S),
        ("period_text", S), ("period_start", DT), ("period_end", DT), ("period_source", S),
        ("text", S), ("value", F), ("value_high", F),
        ("unit", S), ("kind", S), ("approx", S), ("change", S), ("basis", S), ("context", S),
    ]),
    "entities": pa.schema([
        ("doc_id", S), ("sentence", I), ("start", I), ("end", I), ("text", S),
        ("label", S), ("source", S),
    ]),
}
SORT_KEYS = {
    "documents": ["doc_id"],
    "quantities": ["doc_id", "start", "end"],
    "entities": ["doc_id", "start", "end"],
    "facts": ["doc_id", "start", "end"],
}


# Rows per Parquet row group: the groups depend only on the rows, never on how the documents were
# batched or how many workers ran, so the files are byte-identical for any --jobs.
PIECE_ROWS = 65_536


def table_schema(name: str, extra: list[str] = ()) -> pa.Schema:
    """The fixed schema of table ``name`` plus ``extra`` string columns (metadata on documents)."""
    schema = SCHEMAS[name]
    for col in extra:
        schema = schema.append(pa.field(col, S))
    return schema


def rows_to_arrow(name: str, rows: list[dict], extra: list[str] = ()) -> pa.Table:
    """Rows (dicts) to an Arrow table with the fixed schema, in the order given."""
    schema = table_schema(name, extra)
    return pa.Table.from_pydict({f.name: [row.get(f.name) for row in rows] for f in schema}, schema=schema)


def to_arrow(name: str, rows: list[dict], extra: list[str] = ()) -> pa.Table:
    """Rows (dicts) to an Arrow table with the fixed schema, sorted for determinism.

    ``extra`` names additional string columns (metadata carried through to documents).
    """
    table = rows_to_arrow(name, rows, extra)
    if table.num_rows:
        table = table.sort_by([(k, "ascending") for k in SORT_KEYS[name]])
    return table


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas keeping integer columns integer when they hold nulls (nullable Int64)."""
    import pandas as pd

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def to_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """Rows to a pandas DataFrame with the schema's columns and types."""
    return arrow_to_pandas(to_arrow(name, rows))


def temporary_name(path: Path) -> Path:
    """A fresh hidden ``.tmp`` name beside ``path``. Files are then created by ``open`` and so follow
    the umask like any other tool's (mkstemp would make them 0600)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _with_pandas_types(schema: pa.Schema) -> pa.Schema:
    """The schema with pandas metadata, so that ``pandas.read_parquet`` reads the integer columns
    as nullable ``Int64`` (a ``chars`` or ``bytes`` column with nulls would become float64) and
    the date columns as dates, like the frames of ``extract_tables``."""
    meta = pa.Schema.from_pandas(arrow_to_pandas(schema.empty_table()), preserve_index=False).metadata
    return schema.with_metadata({**(schema.metadata or {}), b"pandas": meta[b"pandas"]})


_CSV_SLICE_ROWS = 2_048


def _csv_cell(arrow_type: pa.DataType) -> Callable[[object], str]:
    """How a non-null value of ``arrow_type`` is written: as ``pandas.DataFrame.to_csv`` writes it
    (floats in their shortest round-trip form, as numpy's ``astype(str)`` and ``repr`` agree; NaN
    empty like a null; dates ISO), so files stay what they were when pandas wrote them."""
    if pa.types.is_floating(arrow_type):
        return lambda v: "" if math.isnan(v) else repr(v)
    if pa.types.is_date(arrow_type):
        return lambda v: v.isoformat()
    return str


def write_csv_rows(handle: TextIO, table: pa.Table, header: bool) -> None:
    """Append ``table`` to an open text file as CSV: comma, ``"`` quoting only where a value needs it,
    ``\n`` line ends, nulls empty. The same bytes as pandas' ``to_csv`` without building a frame of
    each piece (pandas' copy of a wide table raised a run's peak memory by some 40 MB at the end)."""
    writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    if header:
        writer.writerow(table.column_names)
    cells = [_csv_cell(field.type) for field in table.schema]
    # a few thousand rows at a time: Python objects for a whole piece of a wide table (facts: 23
    # columns, with the sentence in each row) would outweigh the rest of the run
    for start in range(0, table.num_rows, _CSV_SLICE_ROWS):
        piece = table.slice(start, _CSV_SLICE_ROWS)
        columns = [["" if v is None else cell(v) for v in column.to_pylist()]
                   for cell, column in zip(cells, piece.columns)]
        writer.writerows(zip(*columns))


class TableWriter:
    """One table written as its rows arrive: Parquet row groups of PIECE_ROWS rows, CSV at once.

    Memory holds at most one row group; the row groups (and so the bytes) depend only on the
    sequence of rows. ``close`` writes the rest (a header-only CSV or a schema-only Parquet file when empty).
    """

    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown format {fmt!r}: use csv or parquet")
        self.path, self.schema, self.fmt = path, schema, fmt
        self.rows = 0
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._header_done = False
        self._parquet = (pq.ParquetWriter(path, _with_pandas_types(schema), compression="zstd")
                         if fmt == "parquet" else None)
        if fmt == "csv":
            path.write_bytes(b"")

    def write(self, table: pa.Table) -> None:
        """Queue ``table`` (this writer's schema) and write every full piece."""
        if not table.num_rows:
            return
        if self._parquet is None:  # CSV bytes do not depend on the pieces: no rows held back
            self._write_piece(table)
            return
        self._pending.append(table)
        self._pending_rows += table.num_rows
        if self._pending_rows >= PIECE_ROWS:
            whole = pa.concat_tables(self._pending)
            cut = (whole.num_rows // PIECE_ROWS) * PIECE_ROWS
            for start in range(0, cut, PIECE_ROWS):
                self._write_piece(whole.slice(start, PIECE_ROWS))
            rest = whole.slice(cut)
            self._pending, self._pending_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def _write_piece(self, piece: pa.Table) -> None:
        self.rows += piece.num_rows
        if self._parquet is not None:
            self._parquet.write_table(piece, row_group_size=PIECE_ROWS)
            return
        with self.path.open("a", encoding="utf-8", newline="") as fh:
            write_csv_rows(fh, piece, header=not self._header_done)
        self._header_done = True

    def close(self) -> int:
        """Write what is left; the number of rows written."""
        if self._pending:
            self._write_piece(pa.concat_tables(self._pending))
            self._pending, self._pending_rows = [], 0
        if self._parquet is not None:
            self._parquet.close()
        elif not self._header_done:
            self._write_piece(self.schema.empty_table())
        return self.rows
