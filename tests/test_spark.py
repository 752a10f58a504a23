"""The Spark entry point gives exactly the command's rows (PySpark in local mode, two threads)."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The driver JVM of a test session does a few tiny jobs: the quick compiler alone (C1) and the serial
# collector halve the CPU its start-up takes on two cores, and no result depends on them
JVM_OPTIONS = "-XX:+IgnoreUnrecognizedVMOptions -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and Path(home, "bin", "java").exists()))


pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed (it is in the dev extra)")
if not _java():
    pytest.skip("Spark needs Java (a JDK 17 or 21 on PATH or JAVA_HOME); none found", allow_module_level=True)


def _records(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain tuples (nulls None, dates as text) in the command's order."""
    keys = [k for k in ("doc_id", "start", "end") if k in frame.columns]
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)

    def plain(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        return str(v) if hasattr(v, "isoformat") else v

    return [tuple(plain(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


def test_spark_rows_are_the_commands_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyspark.sql import SparkSession
    from typer.testing import CliRunner

    from extract.io.cli import app
    from extract.spark import extract_dataframe

    articles = [{"id": p.name, "text": p.read_text(encoding="utf-8"), "date": "2026-04-19", "paper": "日报"}
                for p in sorted((ROOT / "corpus").glob("*.txt"))[:3]]
    articles.append({"id": "no-text", "text": "", "paper": "日报"})
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    # the command, in this process (test_runs runs it as its own process, killed mid-way)
    res = CliRunner().invoke(app, ["run", str(src), "--out", str(tmp_path / "out"), "--format", "parquet",
                                   "--facts", "--jobs", "1", "--no-progress"])
    assert res.exit_code == 1, res.output  # the record without text is an error row

    for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON"):
        monkeypatch.setenv(name, sys.executable)
    # the workers' daemon (tests/spark_worker_daemon.py) is found on the path Spark hands them
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    spark = (SparkSession.builder.master("local[2]").appName("extract-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.python.daemon.module", "spark_worker_daemon")
             .config("spark.driver.extraJavaOptions", JVM_OPTIONS)
             # the articles in and the tables out through Arrow, not row by row in Python
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    try:
        frame = spark.createDataFrame(pd.DataFrame(articles).astype(object).where(pd.notna, None))
        tables = extract_dataframe(frame.repartition(2))
        got = {name: table.toPandas() for name, table in tables.items()}
    finally:
        spark.stop()
    for name in ("documents", "quantities", "entities", "facts"):
        want = pd.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert list(got[name].columns) == list(want.columns), name
        assert _records(got[name]) == _records(want), name
    assert len(got["quantities"]) > 50 and set(got["documents"].status) == {"ok", "error"}
