"""Runs over many documents: the output folder as one unit, record inputs, workers, resuming."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extract.io.cli import app
from extract.io.outdir import OutputBusy, OutputFolder

ROOT = Path(__file__).resolve().parents[1]
# own sentences: every article has exactly two quantities
ARTICLES = [
    f"第{i}号简报：今年全市新建住房{i + 2}万套，同比增长{i % 9 + 1}%。\n" for i in range(40)
]


def _run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(app, ["run", *args], input=input)


def _folder(root: Path, n: int = len(ARTICLES)) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(ARTICLES[:n]):
        (root / f"a{i:03d}.txt").write_text(text, encoding="utf-8")
    return root


def _table_bytes(out: Path, fmt: str = "csv") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob(f"*.{fmt}"))}


# -- the output folder -----------------------------------------------------------------------

def test_manifest_lists_the_run_and_its_tables(tmp_path: Path) -> None:
    src = _folder(tmp_path / "in", 3)
    res = _run(str(src), "--out", str(tmp_path / "out"), "--facts", "--no-entities", "--jobs", "1")
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == "extract" and manifest["version"]
    assert manifest["arguments"]["facts"] is True and manifest["arguments"]["entities"] is False
    assert manifest["input"]["resolved"] == str(src.resolve())
    assert manifest["counts"]["documents"] == 3 and manifest["counts"]["quantities"] == 6
    assert set(manifest["tables"]) == {"documents", "quantities", "entities", "facts"}
    assert manifest["started"] <= manifest["ended"]
    import hashlib

    for info in manifest["tables"].values():
        data = (tmp_path / "out" / info["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"]


def test_tables_of_other_options_are_removed(tmp_path: Path) -> None:
    src, out = _folder(tmp_path / "in", 2), tmp_path / "out"
    assert _run(str(src), "--out", str(out), "--facts", "--no-entities").exit_code == 0
    assert (out / "facts.csv").exists()
    assert _run(str(src), "--out", str(out), "--format", "parquet", "--no-entities").exit_code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "documents.parquet", "entities.parquet", "manifest.json", "quantities.parquet"]


def test_leftover_temporaries_are_cleaned_and_files_follow_the_umask(tmp_path: Path) -> None:
    src, out = _folder(tmp_path / "in", 2), tmp_path / "out"
    out.mkdir()
    (out / ".quantities.csv.123-abcd.tmp").write_bytes(b"")
    old = os.umask(0o022)
    try:
        assert _run(str(src), "--out", str(out), "--no-entities").exit_code == 0
    finally:
        os.umask(old)
    assert not list(out.glob(".*.tmp"))
    assert (out / "quantities.csv").stat().st_mode & 0o777 == 0o644
    assert (out / "manifest.json").stat().st_mode & 0o777 == 0o644


def test_a_second_run_into_a_locked_folder_refuses(tmp_path: Path) -> None:
    src, out = _folder(tmp_path / "in", 1), tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path;"
         "from extract.io.outdir import OutputFolder\n"
         "with OutputFolder(Path(sys.argv[1])).locked():\n print('locked', flush=True); time.sleep(60)",
         str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        res = _run(str(src), "--out", str(out), "--no-entities")
        assert res.exit_code == 2
        assert "another extract run" in res.output and str(holder.pid) in res.output
        with pytest.raises(OutputBusy), OutputFolder(out).locked():
            pass
    finally:
        holder.kill()
        holder.wait()
    assert _run(str(src), "--out", str(out), "--no-entities").exit_code == 0  # the lock died with it


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    src = _folder(tmp_path / "in", 1)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    res = _run(str(src), "--out", str(tmp_path / "file"), "--no-entities")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_an_interrupted_swap_is_finished_by_the_next_run(tmp_path: Path) -> None:
    """A kill after the first table was moved in: the journal lets the next run complete the swap."""
    out = tmp_path / "out"
    folder = OutputFolder(out)
    with folder.locked():
        (out / "documents.csv").write_text("old\n", encoding="utf-8")
        (out / "quantities.csv").write_text("old\n", encoding="utf-8")
        (folder.staging / "documents.csv").write_text("new\n", encoding="utf-8")
        (folder.staging / "quantities.csv").write_text("new\n", encoding="utf-8")
        (folder.staging / "manifest.json").write_text("{}\n", encoding="utf-8")
        folder.journal.write_text(json.dumps({"install": ["documents.csv", "quantities.csv"]}),
                                  encoding="utf-8")
        os.replace(folder.staging / "documents.csv", out / "documents.csv")  # ... and the kill
    with folder.locked():
        pass
    assert (out / "documents.csv").read_text() == (out / "quantities.csv").read_text() == "new\n"
    assert (out / "manifest.json").exists() and not folder.journal.exists()


# -- inputs ----------------------------------------------------------------------------------

def test_every_record_kind_gives_the_same_rows(tmp_path: Path) -> None:
    records = [{"id": f"n{i}", "text": t, "date": "2026-03-0" + str(i % 9 + 1), "paper": "晚报"}
               for i, t in enumerate(ARTICLES[:4])]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (inputs / "a.jsonl").write_text(lines, encoding="utf-8")
    with gzip.open(inputs / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(lines)
    pd.DataFrame(records).to_csv(inputs / "c.csv", index=False)
    pq.write_table(pa.Table.from_pylist(records), inputs / "d.parquet")
    outs = {}
    for name in ("a.jsonl", "b.jsonl.gz", "c.csv", "d.parquet"):
        out = tmp_path / name
        res = _run(str(inputs / name), "--out", str(out), "--no-entities", "--jobs", "1")
        assert res.exit_code == 0, res.output
        outs[name] = _table_bytes(out)
    assert outs["a.jsonl"] == outs["b.jsonl.gz"] == outs["c.csv"] == outs["d.parquet"]
    docs = pd.read_csv(tmp_path / "a.jsonl" / "documents.csv")
    assert list(docs.doc_id) == ["n0", "n1", "n2", "n3"] and set(docs.paper) == {"晚报"}
    assert list(docs.date) == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
    assert set(docs.date_source) == {"meta"}
    q = pd.read_csv(tmp_path / "a.jsonl" / "quantities.csv")
    assert list(q.text[:2]) == ["2万套", "1%"]


def test_other_column_names_and_a_gzipped_article(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "r.csv").write_text("标题,正文,编号\n一,增长5%。,x1\n", encoding="utf-8")
    with gzip.open(src / "p.txt.gz", "wb") as fh:
        fh.write("出口3亿元。".encode())
    res = _run(str(src), "--out", str(tmp_path / "out"), "--text-col", "正文", "--id-col", "编号",
               "--no-entities")
    assert res.exit_code == 0, res.output
    docs = pd.read_csv(tmp_path / "out" / "documents.csv")
    assert list(docs.doc_id) == ["p.txt.gz", "x1"] and list(docs["标题"].fillna("")) == ["", "一"]
    q = pd.read_csv(tmp_path / "out" / "quantities.csv")
    assert list(zip(q.doc_id, q.text)) == [("p.txt.gz", "3亿元"), ("x1", "5%")]


def test_bad_records_become_error_rows(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text('{"id": "ok", "text": "增长5%。"}\n'
                    "{not json\n"
                    '{"id": "notext", "title": "x"}\n'
                    '[1, 2]\n'
                    '{"id": "baddate", "text": "增长5%。", "date": "May 5"}\n', encoding="utf-8")
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    res = _run(str(tmp_path), "--out", str(tmp_path / "out"), "--no-entities", "--glob", "*.*")
    assert res.exit_code == 1 and "Traceback" not in res.output
    docs = pd.read_csv(tmp_path / "out" / "documents.csv").set_index("doc_id")
    assert docs.status.to_dict() == {"broken.txt.gz": "error", "ok": "ok", "news.jsonl#2": "error",
                                     "notext": "error", "news.jsonl#4": "error", "baddate": "error"}
    assert "not valid JSON" in docs.error["news.jsonl#2"] and "'text'" in docs.error["notext"]
    assert "YYYY-MM-DD" in docs.error["baddate"] and ".gz" in docs.error["broken.txt.gz"]


# -- workers and resuming --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_one_and_two_workers_write_identical_tables(tmp_path: Path, fmt: str) -> None:
    src = _folder(tmp_path / "in")
    for jobs in ("1", "2"):
        res = _run(str(src), "--out", str(tmp_path / jobs), "--jobs", jobs, "--format", fmt, "--facts",
                   "--no-entities")
        assert res.exit_code == 0, res.output
    one, two = _table_bytes(tmp_path / "1", fmt), _table_bytes(tmp_path / "2", fmt)
    assert len(one) == 4 and one == two
    docs = pd.read_parquet(tmp_path / "1" / "documents.parquet") if fmt == "parquet" else \
        pd.read_csv(tmp_path / "1" / "documents.csv")
    assert list(docs.doc_id) == [f"a{i:03d}.txt" for i in range(len(ARTICLES))]


def test_a_long_article_is_written_in_pieces_and_a_failed_one_leaves_no_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows of a long article reach the part in bounded pieces, not all at the article's end;
    an article that fails in a later block is an error row, and the rows its earlier blocks had
    written appear in no table."""
    from extract import pipeline
    from extract.io import runner

    monkeypatch.setattr(pipeline, "BLOCK_CHARS", 1000)
    for module in (pipeline, runner):  # rows handed over and written 16 at a time
        monkeypatch.setattr(module, "SINK_ROWS", 16)
    real = pipeline.find_quantities

    def failing(text: str, *args):
        if "故障" in text:
            raise RuntimeError("boom")
        return real(text, *args)

    monkeypatch.setattr(pipeline, "find_quantities", failing)
    para = ARTICLES[7]  # 9万套 and 8%: two quantities per paragraph
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a-long.txt").write_text(para * 300, encoding="utf-8")
    (src / "b-broken.txt").write_text(para * 300 + "故障\n", encoding="utf-8")  # fails in its last block
    (src / "c-short.txt").write_text(para, encoding="utf-8")
    res = _run(str(src), "--out", str(out), "--no-entities", "--jobs", "1", "--facts")
    assert res.exit_code == 1, res.output
    docs = pd.read_csv(out / "documents.csv").set_index("doc_id")
    assert docs.status.to_dict() == {"a-long.txt": "ok", "b-broken.txt": "error", "c-short.txt": "ok"}
    assert "RuntimeError: boom" in docs.error["b-broken.txt"]
    for name in ("quantities", "facts"):
        rows = pd.read_csv(out / f"{name}.csv")
        assert rows.doc_id.value_counts().to_dict() == {"a-long.txt": 600, "c-short.txt": 2}
    import pyarrow.ipc

    sizes = []  # rows per record batch written, over every part
    for part in (out / ".extract" / "parts").glob("*.quantities.arrow"):
        with pa.memory_map(str(part)) as source:
            reader = pyarrow.ipc.open_file(source)
            sizes += [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]
    # both long articles in pieces (the broken one's first blocks too, left unused): a piece is
    # written once 16 rows are waiting, so it holds fewer than 16 + 16
    assert max(sizes) < 32 and len(sizes) >= 2 * 600 // 32 and sum(sizes) > 600 + 2


def test_the_progress_display_names_the_files_the_workers_read(tmp_path: Path) -> None:
    from extract.io.batch import Options, discover
    from extract.io.runner import extract_all

    src, folder = _folder(tmp_path / "in", 8), OutputFolder(tmp_path / "out")
    shown: list[str] = []
    with folder.locked():
        plan, _ = extract_all(discover(src), folder, Options(entities=False), jobs=2, batch_docs=2,
                              on_document=shown.append)
    assert len(plan) == 8
    names = {name for line in shown for name in line.split(", ") if name}
    assert names and names <= {f"a{i:03d}.txt" for i in range(8)}


def test_a_rerun_does_only_new_or_changed_documents(tmp_path: Path) -> None:
    src, out = _folder(tmp_path / "in", 6), tmp_path / "out"
    assert _run(str(src), "--out", str(out), "--no-entities", "--jobs", "1").exit_code == 0
    first = _table_bytes(out)
    res = _run(str(src), "--out", str(out), "--no-entities", "--jobs", "1")
    assert "done before: 6" in res.output and _table_bytes(out) == first
    (src / "a001.txt").write_text("出口增长7%。\n", encoding="utf-8")
    (src / "z.txt").write_text("进口3亿元。\n", encoding="utf-8")
    res = _run(str(src), "--out", str(out), "--no-entities", "--jobs", "1")
    assert "documents: 7" in res.output and "done before: 5" in res.output
    q = pd.read_csv(out / "quantities.csv")
    assert list(q[q.doc_id == "a001.txt"].text) == ["7%"] and list(q[q.doc_id == "z.txt"].text) == ["3亿元"]
    res = _run(str(src), "--out", str(out), "--no-entities", "--jobs", "1", "--force")
    assert "done before" not in res.output
    # options that only choose tables, their format or the workers reuse the work ...
    res = _run(str(src), "--out", str(out), "--no-entities", "--jobs", "2", "--format", "parquet", "--facts")
    assert "done before: 7" in res.output
    # ... options that can change a document's rows redo it
    for option in (["--date", "2026-01-01"], ["--doc-timeout", "30"], ["--max-mb", "1"]):
        res = _run(str(src), "--out", str(out), "--jobs", "1", "--no-entities", *option)
        assert res.exit_code == 0 and "done before" not in res.output, option


def test_resume_after_a_real_run_is_killed(tmp_path: Path) -> None:
    """Stop a real `extract run` with SIGKILL once some batches are done: the earlier tables stay
    as they were, and the rerun does only what was left and writes the tables of a clean run."""
    src, out, clean = _folder(tmp_path / "in"), tmp_path / "out", tmp_path / "clean"
    assert _run(str(src), "--out", str(out), "--no-entities", "--jobs", "1").exit_code == 0
    before = _table_bytes(out) | {"manifest.json": (out / "manifest.json").read_bytes()}
    for i in range(40, 300):  # 10 batches (32 documents each): the kill below lands with most still to do
        (src / f"a{i:03d}.txt").write_text(ARTICLES[i % 40], encoding="utf-8")
    assert _run(str(src), "--out", str(clean), "--no-entities", "--jobs", "1").exit_code == 0
    cmd = [sys.executable, "-m", "extract", "run", str(src), "--out", str(out), "--no-entities",
           "--jobs", "2", "--no-progress"]
    parts = out / ".extract" / "parts"
    old_parts = set(parts.glob("*.documents.arrow"))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(set(parts.glob("*.documents.arrow")) - old_parts) < 3:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (_table_bytes(out) | {"manifest.json": (out / "manifest.json").read_bytes()}) == before
    res = _run(str(src), "--out", str(out), "--no-entities", "--jobs", "2")
    assert res.exit_code == 0, res.output
    reused = int(res.output.split("done before: ")[1].split(",")[0])
    assert 40 + 3 <= reused < 300 and "documents: 300" in res.output
    assert _table_bytes(out) == _table_bytes(clean)


def test_a_run_without_entities_never_imports_the_entity_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model and the entity rules cost most of a start-up: ``--no-entities`` loads neither."""
    from extract.pipeline import warm_up

    monkeypatch.setitem(sys.modules, "extract.entities.find", None)  # importing it now fails
    warm_up(entities=False)
    with pytest.raises(ImportError):
        warm_up(entities=True)


def test_the_entity_step_runs_without_spacy() -> None:
    """spaCy's import and Doc cost two seconds of start-up: a run with entities never imports it
    (only ``analyze``, for users who want a Doc, does); a fresh process, as a worker starts."""
    code = ("import sys; from extract.pipeline import extract_document, warm_up; warm_up(True); "
            "n = len(extract_document('长春海关发布，吉林省一季度进出口增长5.1%。').entities); "
            "print(n, 'spacy' in sys.modules, 'jieba.posseg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, spacy_loaded, posseg_loaded = out.split()
    assert int(count) >= 2 and spacy_loaded == "False" and posseg_loaded == "False"


def test_a_part_that_cannot_be_written_ends_the_run_with_workers_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while a worker writes its part is the run's failure (the pool hands it to the
    parent), not one document's error row and not a pool left waiting for a worker that died."""
    from extract.io import runner

    def full_disk(self, name: str) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(runner.PartWriter, "_flush", full_disk)  # the forked workers inherit it
    src = _folder(tmp_path / "in", 8)
    for jobs in ("1", "2"):
        res = _run(str(src), "--out", str(tmp_path / jobs), "--no-entities", "--jobs", jobs)
        assert isinstance(res.exception, OSError) and "No space left" in str(res.exception), jobs
        assert not (tmp_path / jobs / "documents.csv").exists()
