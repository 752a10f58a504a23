"""The output tables: column names and types from SCHEMA.md, frames, and atomic file writes.

Types are fixed here once (Arrow schemas) so that a table with no rows still has its columns and
types, CSV and Parquet agree, and the same input always gives byte-identical files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

S, I, F, DT = pa.string(), pa.int64(), pa.float64(), pa.date32()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", S), ("bytes", I), ("sha256", S), ("encoding", S), ("chars", I),
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


def to_arrow(name: str, rows: list[dict], extra: list[str] = ()) -> pa.Table:
    """Rows (dicts) to an Arrow table with the fixed schema, sorted for determinism.

    ``extra`` names additional string columns (metadata carried through to documents).
    """
    schema = SCHEMAS[name]
    for col in extra:
        schema = schema.append(pa.field(col, S))
    columns = {f.name: [row.get(f.name) for row in rows] for f in schema}
    table = pa.Table.from_pydict(columns, schema=schema)
    if table.num_rows:
        table = table.sort_by([(k, "ascending") for k in SORT_KEYS[name]])
    return table


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas keeping integer columns integer when they hold nulls (nullable Int64)."""
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def to_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """Rows to a pandas DataFrame with the schema's columns and types."""
    return arrow_to_pandas(to_arrow(name, rows))


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_table(table: pa.Table, out_dir: Path, name: str, fmt: str) -> Path:
    """Write one table as ``<name>.csv`` or ``<name>.parquet`` in ``out_dir``, atomically."""
    path = out_dir / f"{name}.{fmt}"
    if fmt == "parquet":
        _atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    elif fmt == "csv":
        frame = arrow_to_pandas(table)
        _atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n",
                                                     encoding="utf-8"))
    else:
        raise ValueError(f"unknown format {fmt!r}: use csv or parquet")
    return path
