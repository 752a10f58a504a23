"""The `extract` command: a folder of articles in, normalized tables out.

Exit codes: 0 when every document was processed, 1 when some were recorded as errors (all others
are still written), 2 for usage errors.
"""

from __future__ import annotations

import os

# The NER model multiplies small matrices: BLAS threads cost more than they give there (measured:
# entity step 10-15% faster on one thread); use --jobs for more cores. Set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
import time
from datetime import date, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated

import typer

from extract.io.batch import DEFAULT_MAX_BYTES, DocOutput, Options, Source, discover, process, read_meta
from extract.io.tables import SCHEMAS, to_arrow, write_table
from extract.pipeline import warm_up

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn Chinese news articles into tables of figures, entities and context.")


@app.callback()
def _root() -> None:
    """Chinese news articles in, normalized tables out."""


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-05-21", param_hint="--date") from None


def _work(args: tuple[Source, Options]) -> DocOutput:
    return process(*args)


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        transient=True)
    progress.start()
    return progress, progress.add_task("docs", total=total)


@app.command()
def run(
    input: Annotated[str, typer.Argument(help="Folder of articles, one file, or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables.")] = Path("out"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or parquet.")] = "csv",
    glob: Annotated[str, typer.Option("--glob", help="File name pattern, e.g. '*.txt'.")] = "*",
    date_: Annotated[str | None, typer.Option("--date", help="Publication date for all documents, "
                                                 "YYYY-MM-DD.")] = None,
    meta: Annotated[Path | None, typer.Option("--meta", help="CSV or JSON Lines with doc_id, date and "
                                                 "other columns for the documents table.")] = None,
    facts: Annotated[bool, typer.Option("--facts", help="Also write the facts table: each quantity "
                                        "with its subject, metric and period in one readable row.")] = False,
    entities: Annotated[bool, typer.Option("--entities/--no-entities", help="Find people, places and "
                                           "organizations (the slow part; subjects need them).")] = True,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Skip (as errors) files larger than this.")]
    = DEFAULT_MAX_BYTES / 1e6,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
                                                     help="Progress bar (default: on a terminal).")] = None,
) -> None:
    """Extract every article under INPUT and write documents, quantities and entities tables."""
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(f"{fmt!r}: use csv or parquet", param_hint="--format")
    meta_map: dict[str, dict] = {}
    if meta is not None:
        try:
            meta_map = read_meta(meta)
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--meta") from None
    options = Options(date=_parse_date(date_), max_bytes=int(max_mb * 1e6), meta=meta_map, entities=entities)
    if input == "-":
        sources = [Source("stdin", data=sys.stdin.buffer.read())]
    else:
        root = Path(input)
        if not root.exists():
            raise typer.BadParameter(f"{input} does not exist", param_hint="INPUT")
        skip = {out.resolve()} | ({meta.resolve()} if meta is not None else set())
        sources = list(discover(root, glob, exclude=frozenset(skip)))
    loading = time.perf_counter()
    if jobs == 1 and sources:
        warm_up(entities)  # models load once, before the clock that measures throughput
    started = time.perf_counter()
    outputs: list[DocOutput] = []
    bar = _progress(len(sources), sys.stderr.isatty() if progress is None else progress)
    tasks = [(s, options) for s in sources]
    if jobs > 1 and len(tasks) > 1:
        with get_context("spawn").Pool(jobs) as pool:
            for res in pool.imap(_work, tasks, chunksize=1):
                outputs.append(res)
                if bar:
                    bar[0].advance(bar[1])
    else:
        for task in tasks:
            outputs.append(_work(task))
            if bar:
                bar[0].advance(bar[1])
    if bar:
        bar[0].stop()
    elapsed = time.perf_counter() - started

    docs = [o.document for o in outputs]
    extra = sorted({k for d in docs for k in d} - set(SCHEMAS["documents"].names))
    tables = {
        "documents": to_arrow("documents", docs, extra=extra),
        "quantities": to_arrow("quantities", [r for o in outputs for r in o.quantities]),
        "entities": to_arrow("entities", [r for o in outputs for r in o.entities]),
    }
    if facts:
        tables["facts"] = to_arrow("facts", [r for o in outputs for r in o.facts])
    for name, table in tables.items():
        write_table(table, out, name, fmt)
    errors = [d for d in docs if d["status"] == "error"]
    for d in errors:
        typer.echo(f"error: {d['doc_id']}: {d['error']}", err=True)
    chars = sum(d["chars"] or 0 for d in docs)
    typer.echo(
        f"documents: {len(docs)}, ok: {len(docs) - len(errors)}, errors: {len(errors)}, "
        f"quantities: {tables['quantities'].num_rows}, entities: {tables['entities'].num_rows}, "
        f"chars/s: {chars / elapsed if elapsed > 0 else 0:,.0f} (start-up {started - loading:.1f} s) -> {out}/"
    )
    raise typer.Exit(1 if errors else 0)


def main() -> None:
    app()
