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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from extract.io.batch import (
    DEFAULT_DOC_TIMEOUT,
    DEFAULT_MAX_MB,
    DEFAULT_PATTERNS,
    Options,
    Source,
    discover,
    read_meta,
    read_stdin,
)
from extract.io.outdir import OutputBusy, OutputFolder, OutputUnusable
from extract.io.readers import Columns, record_kind
from extract.io.runner import (
    RunResult,
    assemble,
    batch_size,
    expand,
    extract_all,
    remove_unused_parts,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn Chinese news articles into tables of figures, entities and context.")


def _show_version(value: bool) -> None:
    if value:
        from extract import __version__

        typer.echo(f"extract {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Chinese news articles in, normalized tables out."""


class _Log:
    """Messages on stderr by level: ``--quiet`` keeps only fatal ones (the summary line on stdout
    stays), ``--verbose`` adds what was read and how."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.level = 0 if quiet else 2 if verbose else 1

    def warning(self, message: str) -> None:
        if self.level >= 1:
            typer.echo(f"warning: {message}", err=True)

    def error(self, message: str) -> None:
        if self.level >= 1:
            typer.echo(f"error: {message}", err=True)

    def info(self, message: str) -> None:
        if self.level >= 2:
            typer.echo(message, err=True)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-05-21", param_hint="--date") from None


def _progress(total: int | None, enabled: bool):
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[current]}"), transient=True)
    progress.start()
    return progress, progress.add_task("docs", total=total, current="")


@app.command()
def run(
    input: Annotated[str, typer.Argument(help="Folder of articles, one file, or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables.")] = Path("out"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or parquet.")] = "csv",
    glob: Annotated[str | None, typer.Option(
        "--glob", help="File name pattern, e.g. '*.txt' or 'news/**/*.txt' (** is any number of folders, "
        f"none included). Default: {', '.join(DEFAULT_PATTERNS)}.", show_default=False)] = None,
    date_: Annotated[str | None, typer.Option("--date", help="Publication date for all documents, "
                                                 "YYYY-MM-DD.")] = None,
    meta: Annotated[Path | None, typer.Option("--meta", help="CSV or JSON Lines with doc_id, date and "
                                                 "other columns for the documents table.")] = None,
    facts: Annotated[bool, typer.Option("--facts", help="Also write the facts table: each quantity "
                                        "with its subject, metric and period in one readable row.")] = False,
    entities: Annotated[bool, typer.Option("--entities/--no-entities", help="Find people, places and "
                                           "organizations (the slow part; subjects need them).")] = True,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes "
                                             "(default: all cores).")] = None,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Skip (as errors) files larger than this "
                                          "many MB (10^6 bytes); also the limit for stdin.")] = DEFAULT_MAX_MB,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
                                                     help="Progress bar (default: on a terminal).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Extract every document again, even those an "
                                        "earlier run into --out already did.")] = False,
    text_col: Annotated[str, typer.Option("--text-col", help="Column of the article text in JSON Lines, "
                                          "CSV and Parquet inputs.")] = "text",
    id_col: Annotated[str, typer.Option("--id-col", help="Column of the document id in record inputs.")]
    = "id",
    date_col: Annotated[str, typer.Option("--date-col", help="Column of the publication date "
                                          "(YYYY-MM-DD) in record inputs.")] = "date",
    doc_timeout: Annotated[float, typer.Option(
        "--doc-timeout", help="Seconds one document may take (per million characters for longer ones) "
        "before it becomes an error row naming it; 0: no limit.")] = DEFAULT_DOC_TIMEOUT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary line (errors stay in "
                                        "the documents table).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also say what was found and how "
                                          "files were decoded.")] = False,
) -> None:
    """Extract every article under INPUT and write documents, quantities and entities tables.

    Errors are rows of the documents table (status=error, with the reason in the error column) as
    well as lines on stderr.
    """
    log = _Log(quiet, verbose)
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(f"{fmt!r}: use csv or parquet", param_hint="--format")
    if not max_mb > 0:
        raise typer.BadParameter(f"{max_mb:g}: the limit must be more than 0 MB", param_hint="--max-mb")
    meta_map: dict[str, dict] = {}
    if meta is not None:
        try:
            meta_map = read_meta(meta)
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--meta") from None
    if doc_timeout < 0:
        raise typer.BadParameter(f"{doc_timeout:g}: use 0 (no limit) or more seconds", param_hint="--doc-timeout")
    options = Options(date=_parse_date(date_), max_bytes=int(max_mb * 1e6), meta=meta_map, entities=entities,
                      doc_timeout=doc_timeout or None)
    patterns = glob or DEFAULT_PATTERNS
    if input == "-":
        sources = [read_stdin(options.max_bytes)]
    else:
        root = Path(input)
        if not root.exists():
            raise typer.BadParameter(f"{input} does not exist", param_hint="INPUT")
        if root.is_dir() and out.resolve() == root.resolve():
            raise typer.BadParameter(f"{out} is the input folder: the next run would read the tables as "
                                     "articles; choose another folder", param_hint="--out")
        skip = {out.resolve()} | ({meta.resolve()} if meta is not None else set())
        sources = sorted(discover(root, patterns, exclude=frozenset(skip)), key=lambda s: s.doc_id)
        if not sources:
            log.warning(f"no file under {input} matches {glob or ' or '.join(DEFAULT_PATTERNS)}; "
                        "nothing to do (see --glob)")
            raise typer.Exit(1)
        log.info(f"{len(sources)} files under {input}")
    if meta_map:
        known = {s.doc_id for s in sources}
        unknown = sorted(k for k in meta_map if k not in known)
        if unknown:
            shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            log.warning(f"{len(unknown)} doc_id(s) in {meta} match no document: {shown}")
    jobs = jobs or _cores()
    arguments = {"input": input, "out": str(out), "format": fmt, "glob": glob or list(DEFAULT_PATTERNS),
                 "date": date_,
                 "meta": str(meta) if meta else None, "facts": facts, "entities": entities, "jobs": jobs,
                 "max_mb": max_mb, "doc_timeout": doc_timeout, "force": force, "text_col": text_col, "id_col": id_col,
                 "date_col": date_col}
    started_at = _now()
    folder = OutputFolder(out)
    try:
        with folder.locked():
            result = _run_locked(folder, sources, options, arguments, started_at,
                                 progress=sys.stderr.isatty() if progress is None else progress)
    except OutputBusy as exc:
        typer.echo(f"error: {exc}", err=True)  # shown even with --quiet: nothing was written
        raise typer.Exit(2) from None
    except OutputUnusable as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from None
    for doc_id, error in result.errors:
        log.error(f"{doc_id}: {error}")
    rate = result.processed_chars / result.seconds if result.seconds > 0 else 0
    reused = f", done before: {result.reused}" if result.reused else ""
    typer.echo(
        f"documents: {result.documents}, ok: {result.ok}, errors: {len(result.errors)}, "
        f"quantities: {result.rows['quantities']}, entities: {result.rows['entities']}{reused}, "
        f"chars/s: {rate:,.0f} (start-up {result.startup:.1f} s) -> {out}/"
    )
    raise typer.Exit(1 if result.errors else 0)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _run_locked(folder: OutputFolder, sources: list[Source], options: Options, arguments: dict,
                started_at: str, *, progress: bool) -> RunResult:
    """Extract into parts, assemble the tables in staging, swap them in with the manifest."""
    from extract import __version__

    jobs = arguments["jobs"]
    columns = Columns(arguments["text_col"], arguments["id_col"], arguments["date_col"])
    has_records = any(s.path is not None and record_kind(s.file) for s in sources)
    total = None if has_records else len(sources)
    bar = _progress(total, progress)
    try:
        plan, result = extract_all(
            expand(sources, columns), folder, options, jobs=jobs, force=arguments["force"],
            batch_docs=batch_size(total, jobs), lock_fd=folder.lock_fd,
            on_batch=(lambda n: bar[0].advance(bar[1], n)) if bar else None,
            on_document=(lambda doc_id: bar[0].update(bar[1], current=doc_id)) if bar else None)
    finally:
        if bar:
            bar[0].stop()
    names = ["documents", "quantities", "entities"] + (["facts"] if arguments["facts"] else [])
    files = assemble(plan, folder, arguments["format"], names, result)
    folder.commit({
        "tool": "extract", "version": __version__, "arguments": arguments,
        "input": {"path": arguments["input"],
                  "resolved": None if arguments["input"] == "-" else str(Path(arguments["input"]).resolve())},
        "started": started_at, "ended": _now(),
        "counts": {"documents": result.documents, "ok": result.ok, "errors": len(result.errors),
                   "extracted": result.documents - result.reused, "done_before": result.reused,
                   **{name: result.rows[name] for name in names}},
        "tables": {name: {"file": files[name], "rows": result.rows[name]} for name in names},
        "state": "resume state in .extract/parts (see extract.io.runner); delete it to start afresh",
    })
    remove_unused_parts(folder, plan)
    return result


@app.command()
def show(
    input: Annotated[Path, typer.Argument(help="An article, a folder of articles, or the output folder of an "
                                           "earlier run (then give --articles).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path("report.html"),
    articles: Annotated[Path | None, typer.Option("--articles", help="When INPUT is an output folder: the "
                                                  "article or folder that run read.")] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="Chart this metric's values by subject and "
                                               "period (default: the most frequent metric).")] = None,
    glob: Annotated[str | None, typer.Option("--glob", help="File name pattern, as for extract run "
                                             "(default: the same as run's).", show_default=False)] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the report in the browser.")] = False,
) -> None:
    """Write a review report: every article with its quantities and entities marked, and a corpus overview."""
    if not input.exists():
        raise typer.BadParameter(f"{input} does not exist", param_hint="INPUT")
    if articles is not None and not articles.exists():
        raise typer.BadParameter(f"{articles} does not exist", param_hint="--articles")
    from extract.report import build  # Jinja2 and matplotlib load only for this command

    try:
        docs = build(input, out, articles=articles, metric=metric, glob=glob)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--articles") from None
    failed = sum(not d.ok for d in docs)
    typer.echo(f"documents: {len(docs)}, failed: {failed}, quantities: {sum(len(d.quantities) for d in docs)}, "
               f"entities: {sum(len(d.entities) for d in docs)} -> {out}")
    if open_:
        import webbrowser

        webbrowser.open(out.resolve().as_uri())


def main() -> None:
    app()
