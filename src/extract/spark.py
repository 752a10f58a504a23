"""Spark entry point: a DataFrame of articles in, the command's tables out, row for row.

For archives too large for one machine. Each record goes through exactly the code of
``extract run`` on a JSON Lines file (``extract.io.readers`` for the columns, ``extract.io.batch``
for the document), inside ``mapInPandas``; the pipeline is built once per executor Python process
(Spark reuses its Python workers) and kept for every partition that process handles::

    from extract.spark import extract_dataframe
    articles = spark.read.parquet("s3://archive/articles/")      # columns id, text, date, ...
    tables = extract_dataframe(articles, entities=True)
    tables["quantities"].write.parquet("s3://archive/quantities/")

The result's row order is Spark's; sort by ``doc_id, start, end`` for the command's order. On a
cluster, ship the package to the executors (``pip install`` it there, or ``spark-submit
--py-files``; see the README) and set ``PYSPARK_PYTHON`` to an interpreter that has it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from extract.io.batch import DEFAULT_MAX_BYTES, Options, process
from extract.io.readers import Columns, _record
from extract.io.tables import SCHEMAS

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd
    from pyspark.sql import DataFrame

TABLES = ("documents", "quantities", "entities", "facts")
_TABLE = "table"
_READY: set[bool] = set()  # the pipeline of this executor process is built


def _wide_schema(extra: list[str]):
    """One Arrow schema holding the columns of every table (same name, same type) and ``table``."""
    import pyarrow as pa

    fields: dict[str, pa.Field] = {_TABLE: pa.field(_TABLE, pa.string())}
    for name in TABLES:
        for f in SCHEMAS[name]:
            fields.setdefault(f.name, f)
    for col in extra:
        fields.setdefault(col, pa.field(col, pa.string()))
    return pa.schema(list(fields.values()))


def _spark_type(arrow_type):
    import pyarrow as pa
    from pyspark.sql import types as T

    return {pa.string(): T.StringType(), pa.int64(): T.LongType(), pa.float64(): T.DoubleType(),
            pa.date32(): T.DateType()}[arrow_type]


def _extra_columns(columns: list[str], cols: Columns) -> list[str]:
    """The documents columns a record's other fields become (as in ``batch.process``)."""
    base = set(SCHEMAS["documents"].names)
    return [c if c not in base else f"meta_{c}" for c in columns if c not in (cols.text, cols.id, cols.date,
                                                                              "doc_id")]


def _partition_rows(frames: Iterator[pd.DataFrame], options: Options, cols: Columns, wide,
                    ) -> Iterator[pd.DataFrame]:
    import pandas as pd
    import pyarrow as pa

    from extract.pipeline import warm_up

    if not _READY:
        warm_up(options.entities)
        _READY.add(True)
    for frame in frames:
        wide_rows: list[dict] = []
        for n, rec in enumerate(pa.Table.from_pandas(frame, preserve_index=False).to_pylist(), 1):
            out = process(_record("spark", n, rec, cols), options)
            wide_rows.append({**out.document, _TABLE: "documents"})
            for name in ("quantities", "entities", "facts"):
                for row in sorted(getattr(out, name), key=lambda r: (r["start"], r["end"])):
                    wide_rows.append({**row, _TABLE: name})
        table = pa.Table.from_pydict({f.name: [r.get(f.name) for r in wide_rows] for f in wide}, schema=wide)
        yield table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def extract_dataframe(articles: DataFrame, *, text_col: str = "text", id_col: str = "id",
                      date_col: str = "date", doc_date: date | None = None, entities: bool = True,
                      max_bytes: int = DEFAULT_MAX_BYTES, persist: bool = True) -> dict[str, DataFrame]:
    """The tables (``documents``, ``quantities``, ``entities``, ``facts``) of a DataFrame of articles.

    Columns as for ``extract run`` on records: ``text_col`` the text, ``id_col`` the ``doc_id``,
    ``date_col`` the publication date (a date or YYYY-MM-DD), every other column carried into
    ``documents`` as text. The extraction runs once (the combined result is persisted unless
    ``persist=False``) and each table is a filter of it.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    cols = Columns(text_col, id_col, date_col)
    options = Options(date=doc_date, max_bytes=max_bytes, entities=entities)
    extra = _extra_columns(articles.columns, cols)
    wide = _wide_schema(extra)
    spark_schema = T.StructType([T.StructField(f.name, _spark_type(f.type), True) for f in wide])
    combined = articles.mapInPandas(lambda frames: _partition_rows(frames, options, cols, wide), spark_schema)
    if persist:
        combined = combined.persist()
    tables = {}
    for name in TABLES:
        names = SCHEMAS[name].names + (extra if name == "documents" else [])
        tables[name] = combined.filter(F.col(_TABLE) == name).select(*names)
    return tables
