"""The CSV the tables are written as: the same bytes pandas' ``to_csv`` writes for the same rows."""

from __future__ import annotations

import io
from datetime import date

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.io.tables import SCHEMAS, TableWriter, arrow_to_pandas, write_csv_rows

SCHEMA = pa.schema([("name", pa.string()), ("count", pa.int64()), ("value", pa.float64()),
                    ("day", pa.date32())])
# text with everything CSV has to quote or keep: commas, quotes, both line ends, spaces, empty text
TEXTS = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab,"\n\r 全省亿元\t\'')), max_size=8))
ROWS = st.lists(st.fixed_dictionaries({
    "name": TEXTS,
    "count": st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    "value": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    "day": st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))),
}), max_size=20)


def _pandas_csv(table: pa.Table, header: bool) -> str:
    out = io.StringIO()
    arrow_to_pandas(table).to_csv(out, index=False, header=header, lineterminator="\n")
    return out.getvalue()


@settings(max_examples=150, deadline=None)
@given(ROWS, st.booleans())
def test_csv_cells_are_written_as_pandas_writes_them(rows: list[dict], header: bool) -> None:
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    out = io.StringIO()
    write_csv_rows(out, table, header=header)
    assert out.getvalue() == _pandas_csv(table, header)


def test_a_csv_written_in_pieces_is_one_header_and_every_row(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("extract.io.tables._CSV_SLICE_ROWS", 1)
    rows = [{"doc_id": f"d{i}", "sentence": i, "start": i, "end": i + 3, "text": "8144亿元", "label": "LOC",
             "source": None} for i in range(5)]
    writer = TableWriter(tmp_path / "entities.csv", SCHEMAS["entities"], "csv")
    writer.write(pa.Table.from_pylist(rows[:3], schema=SCHEMAS["entities"]))
    writer.write(pa.Table.from_pylist(rows[3:], schema=SCHEMAS["entities"]))
    assert writer.close() == 5
    lines = (tmp_path / "entities.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "doc_id,sentence,start,end,text,label,source"
    assert lines[1:] == [f"d{i},{i},{i},{i + 3},8144亿元,LOC," for i in range(5)]


def test_an_empty_table_is_its_header_line(tmp_path) -> None:
    writer = TableWriter(tmp_path / "facts.csv", SCHEMAS["facts"], "csv")
    assert writer.close() == 0
    assert (tmp_path / "facts.csv").read_text(encoding="utf-8") == ",".join(SCHEMAS["facts"].names) + "\n"
