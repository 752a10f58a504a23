"""The batch command end to end on a folder of messy input."""

import codecs
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from extract.io.cli import app

ARTICLE = "全省累计进出口总额达8144亿元，年均增长5.1%。\n上半年承运1万标箱，货值3亿欧元。\n"


@pytest.fixture(scope="module", autouse=True)
def _pipeline_built_once() -> None:
    """Build the pipeline once in this process, as a long-lived caller would: the runs below fork
    their workers from it (--jobs defaults to the cores) instead of every worker of every run
    building its own."""
    from extract.pipeline import warm_up

    warm_up()


def _news_folder(root: Path) -> Path:
    """A folder of the messy input people have: three encodings, an empty file, an image, a note
    that the glob leaves out, a symlink loop and a link back up the tree."""
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


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    return _news_folder(tmp_path / "news")


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One run of the command (entities on, the default workers) over the news folder, shared by
    the tests that only read its output and tables."""
    root = tmp_path_factory.mktemp("folder-run")
    out = root / "out"
    return out, _run(str(_news_folder(root / "news")), "--out", str(out), "--glob", "*.txt", "--no-progress")


def _flat(output: str) -> str:
    """Output with rich's boxes and line wrapping taken out, for matching phrases."""
    return " ".join(output.replace("│", " ").split())


def _run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(app, ["run", *args], input=input)


def test_folder_run_writes_every_document_and_reports_errors(folder_run: tuple[Path, Result]) -> None:
    out, res = folder_run
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


def test_offsets_index_the_original_text_in_every_encoding(folder_run: tuple[Path, Result]) -> None:
    out, _ = folder_run
    q = pd.read_csv(out / "quantities.csv")
    assert set(q.doc_id) == {"a_utf8.txt", "b_bom.txt", "sub/c_gb.txt"}
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
    assert q["value"].dtype == "float64" and q["start"].dtype == "Int64"
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


# --- the command line people expect ----------------------------------------------------------

def test_version(tmp_path: Path) -> None:
    from extract import __version__

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"extract {__version__}"


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "extract", "--version"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0 and res.stdout.startswith("extract ")


def test_default_glob_reads_articles_not_readmes_or_dotfiles(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("增长5%。", encoding="utf-8")
    (src / "sub" / "b.txt").write_text("增长6%。", encoding="utf-8")
    (src / "README.md").write_text("增长7%。", encoding="utf-8")
    (src / ".draft.txt").write_text("增长8%。", encoding="utf-8")
    (src / ".git").mkdir()
    (src / ".git" / "c.txt").write_text("增长9%。", encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--no-entities")
    assert res.exit_code == 0, res.output
    assert sorted(pd.read_csv(tmp_path / "out" / "documents.csv").doc_id) == ["a.txt", "sub/b.txt"]


def test_double_star_matches_top_level_files_too(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "x" / "y").mkdir(parents=True)
    for rel in ("a.txt", "x/b.txt", "x/y/c.txt", "x/y/d.md"):
        (src / rel).write_text("增长5%。", encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--glob", "**/*.txt", "--no-entities")
    assert res.exit_code == 0, res.output
    assert sorted(pd.read_csv(tmp_path / "out" / "documents.csv").doc_id) == ["a.txt", "x/b.txt", "x/y/c.txt"]
    res = _run(str(src), "--out", str(tmp_path / "out2"), "--glob", "x/**/c.txt", "--no-entities")
    assert list(pd.read_csv(tmp_path / "out2" / "documents.csv").doc_id) == ["x/y/c.txt"]


def test_nothing_matched_is_a_warning_and_exit_1(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.md").write_text("增长5%。", encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--glob", "*.txt")
    assert res.exit_code == 1 and "no file" in res.output and "*.txt" in res.output
    assert not (tmp_path / "out" / "documents.csv").exists()


def test_max_mb_is_shown_as_256_and_must_be_positive(tmp_path: Path) -> None:
    help_text = _flat(CliRunner().invoke(app, ["run", "--help"]).output)
    assert "256" in help_text and "268" not in help_text
    assert _run(str(tmp_path), "--out", str(tmp_path / "o"), "--max-mb", "0").exit_code == 2
    assert _run(str(tmp_path), "--out", str(tmp_path / "o"), "--max-mb", "-3").exit_code == 2


def test_max_mb_applies_to_stdin(tmp_path: Path) -> None:
    res = _run("-", "--out", str(tmp_path / "o"), "--max-mb", "0.00005", input="增长5%。".encode() * 10)
    assert res.exit_code == 1
    docs = pd.read_csv(tmp_path / "o" / "documents.csv")
    assert list(docs.status) == ["error"] and "too large" in docs.error[0]


def test_meta_ids_that_match_no_document_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("增长5%。", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("doc_id,date\na.txt,2026-01-02\nmissing.txt,2026-01-03\n", encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--meta", str(meta), "--no-entities")
    assert res.exit_code == 0 and "missing.txt" in res.output and "match no document" in res.output


def test_quiet_keeps_the_summary_verbose_says_more(folder: Path, tmp_path: Path) -> None:
    quiet = _run(str(folder), "--out", str(tmp_path / "q"), "--quiet", "--no-entities")
    assert quiet.exit_code == 1 and "error:" not in quiet.output and "documents: 7" in quiet.output
    normal = _run(str(folder), "--out", str(tmp_path / "n"), "--no-entities")
    assert "error: d_empty.txt: empty file" in normal.output
    verbose = _run(str(folder), "--out", str(tmp_path / "v"), "--verbose", "--no-entities")
    assert "7 files under" in verbose.output and "error: d_empty.txt" in verbose.output


def test_errors_are_rows_with_their_reason(folder: Path, tmp_path: Path) -> None:
    _run(str(folder), "--out", str(tmp_path / "o"), "--format", "parquet", "--no-entities")
    docs = pd.read_parquet(tmp_path / "o" / "documents.parquet")
    errors = docs[docs.status == "error"]
    assert {"status", "error"} <= set(docs.columns) and len(errors) == 4 and errors.error.notna().all()


# --- the output folder is checked before the first document ----------------------------------

def test_out_is_the_input_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("增长5%。", encoding="utf-8")
    res = _run(str(tmp_path), "--out", str(tmp_path))
    assert res.exit_code == 2 and "input folder" in _flat(res.output)
    assert not (tmp_path / "documents.csv").exists()


def test_out_inside_the_input_folder_is_never_read_as_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("增长5%。", encoding="utf-8")
    for _ in range(2):
        res = _run(str(tmp_path), "--out", str(tmp_path / "out"), "--glob", "**", "--no-entities")
        assert res.exit_code == 0, res.output
    assert list(pd.read_csv(tmp_path / "out" / "documents.csv").doc_id) == ["a.txt"]


def test_out_that_is_a_file_is_a_usage_error_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("增长5%。", encoding="utf-8")
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    res = _run(str(tmp_path / "in"), "--out", str(tmp_path / "taken"))
    assert res.exit_code == 2 and "Traceback" not in res.output and "documents:" not in res.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to read-only folders")
def test_read_only_out_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("增长5%。", encoding="utf-8")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        res = _run(str(tmp_path / "in"), "--out", str(ro / "out"))
        assert res.exit_code == 2 and "Traceback" not in res.output
    finally:
        ro.chmod(0o700)


# --- names, depth and special files ----------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_read_as_gbk(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    name = "出口.txt".encode("gbk")  # a zip made on Chinese Windows
    try:
        with open(os.path.join(os.fsencode(src), name), "wb") as fh:
            fh.write("出口增长5%。".encode())
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--no-entities")
    assert res.exit_code == 0, res.output
    assert list(pd.read_csv(tmp_path / "out" / "documents.csv").doc_id) == ["出口.txt"]
    assert list(pd.read_csv(tmp_path / "out" / "quantities.csv").text) == ["5%"]


def test_folders_nested_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    import sys

    from extract.io.batch import discover

    depth = sys.getrecursionlimit() + 100
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        with open("deep.txt", "w", encoding="utf-8") as fh:
            fh.write("增长5%。")
        os.chdir(tmp_path)
        (found,) = list(discover(tmp_path))
        assert found.doc_id == "d/" * depth + "deep.txt" and found.error is None
    finally:  # removed here from the bottom up: a recursive removal would hit the same limit
        os.chdir(tmp_path)
        for _ in range(depth):
            if not os.path.isdir("d"):
                break
            os.chdir("d")
        if os.path.exists("deep.txt"):
            os.remove("deep.txt")
        while os.getcwd() != str(tmp_path):
            os.chdir("..")
            os.rmdir("d")
        os.chdir(cwd)


def test_a_fifo_is_an_error_row_not_a_hang(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("增长5%。", encoding="utf-8")
    os.mkfifo(src / "pipe.txt")
    res = _run(str(src), "--out", str(tmp_path / "out"), "--no-entities")
    assert res.exit_code == 1
    docs = pd.read_csv(tmp_path / "out" / "documents.csv").set_index("doc_id")
    assert docs.loc["a.txt", "status"] == "ok" and "FIFO" in docs.loc["pipe.txt", "error"]


# --- decoding notes reach the documents table ------------------------------------------------

def test_a_stray_byte_keeps_the_article_with_a_note(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes("全省累计进出口总额达8144亿元，".encode() + b"\xff" + "年均增长5.1%。".encode())
    (src / "b.txt").write_bytes("全省累计进出口总额达8144亿元。".encode()[:-2])  # cut mid-character
    res = _run(str(src), "--out", str(tmp_path / "out"), "--no-entities")
    assert res.exit_code == 0, res.output
    docs = pd.read_csv(tmp_path / "out" / "documents.csv").set_index("doc_id")
    assert (docs.status == "ok").all() and (docs.encoding == "utf-8").all()
    assert "replaced" in docs.loc["a.txt", "decode_note"] and "ends in the middle" in docs.loc["b.txt", "decode_note"]
    q = pd.read_csv(tmp_path / "out" / "quantities.csv")
    assert sorted(q.text) == ["5.1%", "8144亿元", "8144亿元"]


def test_parquet_nullable_integers_and_dates_read_back_typed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("2026年3月28日\n今年一季度增长5%。", encoding="utf-8")
    (src / "b.txt").write_bytes(b"")  # an error row: chars and date are null
    _run(str(src), "--out", str(tmp_path / "o"), "--format", "parquet", "--no-entities")
    docs = pd.read_parquet(tmp_path / "o" / "documents.parquet").set_index("doc_id")
    assert docs["chars"].dtype == "Int64" and docs["bytes"].dtype == "Int64"
    assert docs.loc["a.txt", "chars"] == 21 and pd.isna(docs.loc["b.txt", "chars"])
    assert docs.loc["a.txt", "date"] == date(2026, 3, 28) and pd.isna(docs.loc["b.txt", "date"])
    q = pd.read_parquet(tmp_path / "o" / "quantities.parquet")
    assert q["period_start"].iloc[0] == date(2026, 1, 1)
