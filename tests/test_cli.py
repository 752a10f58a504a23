"""The batch command end to end on a folder of messy input."""

import codecs
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extract.io.cli import app

ARTICLE = "全省累计进出口总额达8144亿元，年均增长5.1%。\n上半年承运1万标箱，货值3亿欧元。\n"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    (root / "sub").mkdir(parents=True)
    (root / "a_utf8.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "b_bom.txt").write_bytes(codecs.BOM_UTF8 + ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    (root / "sub" / "c_gb.txt").write_bytes(ARTICLE.encode("gb18030"))
    (root / "d_empty.txt").write_bytes(b"")
    (root / "e_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (root / "notes.md").write_text("增长5%", encoding="utf-8")
    os.symlink("f_loop.txt", root / "f_loop.txt")
    os.symlink("..", root / "sub" / "up")
    return root


def _run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(app, ["run", *args], input=input)


def test_folder_run_writes_every_document_and_reports_errors(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = _run(str(folder), "--out", str(out), "--glob", "*.txt", "--no-progress")
    assert res.exit_code == 1, res.output  # some documents are errors, the rest are written
    docs = pd.read_csv(out / "documents.csv")
    assert sorted(docs.doc_id) == ["a_utf8.txt", "b_bom.txt", "d_empty.txt", "e_image.txt",
                                   "f_loop.txt", "sub/c_gb.txt", "sub/up/"]
    status = dict(zip(docs.doc_id, docs.status))
    assert status["a_utf8.txt"] == status["b_bom.txt"] == status["sub/c_gb.txt"] == "ok"
    assert status["d_empty.txt"] == status["e_image.txt"] == status["f_loop.txt"] == "error"
    enc = dict(zip(docs.doc_id, docs.encoding))
    assert (enc["a_utf8.txt"], enc["b_bom.txt"], enc["sub/c_gb.txt"]) == ("utf-8", "utf-8-sig", "gb18030")
    errors = dict(zip(docs.doc_id, docs.error))
    assert "empty" in errors["d_empty.txt"] and "PNG" in errors["e_image.txt"]
    assert "symlink loop" in errors["f_loop.txt"] and "Traceback" not in res.output
    q = pd.read_csv(out / "quantities.csv")
    assert (q.groupby("doc_id").size() == 4).all() and len(q) == 12
    assert "documents: 7, ok: 3, errors: 4" in res.output
    assert not list(out.glob(".*tmp"))  # atomic writes leave no temporaries


def test_offsets_index_the_original_text_in_every_encoding(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(str(folder), "--out", str(out), "--glob", "*.txt")
    q = pd.read_csv(out / "quantities.csv")
    texts = {"a_utf8.txt": ARTICLE, "b_bom.txt": ARTICLE.replace("\n", "\r\n"), "sub/c_gb.txt": ARTICLE}
    for row in q.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text


def test_parquet_output_is_typed_and_deterministic(folder: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _run(str(folder), "--out", str(a), "--format", "parquet")
    _run(str(folder), "--out", str(b), "--format", "parquet")
    for name in ("documents", "quantities", "entities"):
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes()
    q = pd.read_parquet(a / "quantities.parquet")
    assert q["value"].dtype == "float64" and q["start"].dtype == "int64"
    row = q[q.text == "8144亿元"].iloc[0]
    assert row.value == 814400000000.0 and row.unit == "CNY" and row.basis == "cumulative"


def test_stdin(tmp_path: Path) -> None:
    res = _run("-", "--out", str(tmp_path), input="增长5%，达3亿元".encode())
    assert res.exit_code == 0, res.output
    q = pd.read_csv(tmp_path / "quantities.csv")
    assert list(q.text) == ["5%", "3亿元"] and list(q.doc_id) == ["stdin", "stdin"]


@pytest.mark.parametrize("args", [["/no/such/folder"], [".", "--format", "xlsx"], [".", "--date", "May 5"]])
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    assert _run(*args, "--out", str(tmp_path)).exit_code == 2


def test_facts_and_metadata(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("吉林省商务厅介绍，“十四五”期间，全省累计进出口总额达8144亿元，年均增长5.1%。\n",
                               encoding="utf-8")
    (src / "b.txt").write_text("今年一季度，长春市汽车产量达到20万辆。\n", encoding="utf-8")
    meta = tmp_path / "meta.jsonl"
    meta.write_text('{"doc_id": "b.txt", "date": "2026-04-19", "source": "新华社"}\n', encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--facts", "--meta", str(meta))
    assert res.exit_code == 0, res.output
    docs = pd.read_csv(tmp_path / "out" / "documents.csv").set_index("doc_id")
    assert docs.loc["b.txt", "date"] == "2026-04-19" and docs.loc["b.txt", "date_source"] == "meta"
    assert docs.loc["b.txt", "source"] == "新华社" and pd.isna(docs.loc["a.txt", "source"])
    facts = pd.read_csv(tmp_path / "out" / "facts.csv")
    row = facts[facts.text == "8144亿元"].iloc[0]
    assert (row.subject, row.metric, row.period_start, row.period_end) == (
        "吉林省", "进出口总额", "2021-01-01", "2025-12-31")
    assert "8144亿元" in row.context and "814,400,000,000 CNY" in row.statement
    car = facts[facts.text == "20万辆"].iloc[0]
    assert (car.period_start, car.period_end) == ("2026-01-01", "2026-03-31")  # 今年 from the meta date


def test_bad_metadata_is_a_usage_error(tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text("doc_id,date\na.txt,May 5\n", encoding="utf-8")
    assert _run(str(tmp_path), "--out", str(tmp_path / "o"), "--meta", str(meta)).exit_code == 2


def test_no_entities_mode_still_writes_quantities_with_context(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("“十四五”期间，全省累计进出口总额达8144亿元，年均增长5.1%。\n", encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--no-entities")
    assert res.exit_code == 0, res.output
    q = pd.read_csv(tmp_path / "out" / "quantities.csv")
    assert list(q.text) == ["8144亿元", "5.1%"] and list(q.metric) == ["进出口总额", "进出口总额"]
    assert list(q.period_start) == ["2021-01-01", "2021-01-01"]
    assert pd.read_csv(tmp_path / "out" / "entities.csv").empty
