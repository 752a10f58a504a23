"""A run over many documents: batches through worker processes, results kept as parts, tables
assembled in input order, resumable.

How a run goes:

1. The documents (files in sorted order, records in file order) are cut into batches of
   ``BATCH_DOCS``. Each batch goes to a worker (``--jobs``; a pool whose initializer builds the
   pipeline once per worker; with ``fork`` the workers inherit the pipeline the parent loaded). At
   most two batches per worker are in flight, so memory stays flat however long the input.
2. The worker extracts its documents and writes their rows as one *part* in
   ``<out>/.extract/parts/``: ``<part>.quantities.arrow``, ``.entities.arrow``, ``.facts.arrow`` and,
   last, ``<part>.documents.arrow`` (Arrow IPC, zstd; each written to a temporary name and renamed).
   Rows are appended block by block as the pipeline finishes each block of a document
   (``PartWriter``), so one huge article never has all its rows in memory. A part without its
   documents file is incomplete and ignored. Only ``(doc_id, part)`` pairs go back to the parent;
   no rows are pickled to it.
3. Once every document has a part, the tables are assembled in input order from the parts into
   ``<out>/.extract/staging/`` (Parquet row groups or CSV appends, see ``TableWriter``) and swapped
   in with the manifest (``extract.io.outdir``). The parts not used by this run are then deleted.

Resuming: the documents file of a part holds each document's ``doc_id`` and a key (the sha256 of
its bytes and of its metadata), and its schema the run's *fingerprint* (tool version and the options
that change rows: ``--date``, ``--max-mb``, ``--entities``, ``--doc-timeout``). A rerun with the same fingerprint reuses
every document whose ``(doc_id, key)`` a part holds and extracts only new or changed ones;
``--force`` redoes all. A run killed at any moment leaves the complete parts and the previous tables
(with their manifest) intact, and the next run finishes the job. Deleting ``.extract/`` only loses
the ability to skip work. The rows, and so the table files, are the same for any number of workers.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import json
import os
import signal
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from extract.io.batch import Options, Source, document_meta, process, read_source
from extract.io.outdir import OutputFolder
from extract.io.readers import Columns, read_records, record_kind
from extract.io.tables import SCHEMAS, TableWriter, rows_to_arrow, table_schema, temporary_name
from extract.pipeline import SINK_ROWS, Rows

BATCH_DOCS = 32
TABLES = ("documents", "quantities", "entities", "facts")
ROW_TABLES = ("quantities", "entities", "facts")
_KEY = "_key"
_DOC = "_doc"
# the layout of parts (a row's document by position, ``_doc``): parts of another layout are not reused
PARTS_LAYOUT = 2
_FINGERPRINT = b"extract.fingerprint"


@dataclass
class RunResult:
    """What a run did: counts for the summary line and the manifest, and the error rows."""

    documents: int = 0
    ok: int = 0
    reused: int = 0
    processed_chars: int = 0
    seconds: float = 0.0
    startup: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


def fingerprint(options: Options) -> str:
    """The options that change a document's rows, with the tool version: parts are reused only
    by a run with the same fingerprint."""
    from extract import __version__

    data = {"version": __version__, "parts": PARTS_LAYOUT, "date": options.date, "max_bytes": options.max_bytes,
            "entities": options.entities, "doc_timeout": options.doc_timeout}
    return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()[:16]


def doc_key(sha256: str, meta: dict) -> str:
    """A document's identity for resuming: its content and its metadata."""
    items = sorted((str(k), str(v)) for k, v in meta.items())
    return hashlib.sha256(json.dumps([sha256, items], ensure_ascii=False).encode()).hexdigest()


def expand(sources: Iterable[Source], columns: Columns) -> Iterator[Source]:
    """Every document: a record file (JSON Lines, CSV, Parquet, also .gz) gives one per record."""
    for src in sources:
        if src.path is not None and src.error is None and record_kind(src.file):
            yield from read_records(src, columns)
        else:
            yield src


# -- the worker side ---------------------------------------------------------------------------

_WORKER: dict = {}


# Where each worker says which document it is reading, for the parent's progress display: one
# slot of this many bytes per worker in shared memory (a display only: no lock, a torn read shows
# a name cut short for a moment).
_SLOT_BYTES = 256


def _post(board, slot: int, doc_id: str) -> None:
    data = doc_id.encode("utf-8")[:_SLOT_BYTES]
    board[slot * _SLOT_BYTES:(slot + 1) * _SLOT_BYTES] = data.ljust(_SLOT_BYTES, b"\0")


def read_board(board, slots: int) -> str:
    """The documents the workers are reading now, as one line."""
    raw = board.raw
    names = (raw[i * _SLOT_BYTES:(i + 1) * _SLOT_BYTES].split(b"\0", 1)[0].decode("utf-8", "ignore")
             for i in range(slots))
    return ", ".join(name for name in names if name)


def _init_worker(state: dict) -> None:
    """Pool initializer: take the run's state; the pipeline is built once per process, before the
    first document that needs it (a rerun that finds every document done never loads it)."""
    board = state.pop("board", None)
    if board is not None:
        array, counter, slots = board
        with counter.get_lock():
            slot = counter.value % slots
            counter.value += 1
        state["on_document"] = functools.partial(_post, array, slot)
    lock_fd = state.pop("lock_fd", None)
    if lock_fd is not None and state.get("forked"):
        # the forked copy of the parent's lock descriptor would keep the output folder locked
        # after the parent died; the parent's own descriptor still holds the lock
        with contextlib.suppress(OSError):
            os.close(lock_fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER.clear()
    _WORKER.update(state)


def _ensure_pipeline() -> float:
    """Build this process's pipeline if not yet built; the seconds it took."""
    if _WORKER.get("ready"):
        return 0.0
    from extract.pipeline import warm_up

    started = time.perf_counter()
    warm_up(_WORKER["options"].entities)
    _WORKER["ready"] = True
    return time.perf_counter() - started


def _prefetch(src: Source, max_bytes: int) -> tuple[Source, str | None]:
    """The source with its bytes read once, and their sha256 (None where they cannot be read)."""
    if src.error is not None:
        return src, None
    try:
        data = read_source(src, max_bytes)
    except Exception:  # process() reads it again and turns the failure into the error row
        return src, None
    return (src if src.text is not None else replace(src, data=data)), hashlib.sha256(data).hexdigest()


class _PartWriteFailed(BaseException):
    """Writing a part's rows failed (a full disk): the batch fails, not one document (not an
    Exception, so that ``process`` does not turn it into that document's error row)."""


class PartWriter:
    """One part, written while its documents are extracted: rows are appended to the row files
    SINK_ROWS at a time as the pipeline hands them over (never a whole document's rows in memory),
    each row with the position of its document in the part (``_doc``); the documents file, written last by
    ``close``, marks the part complete. Rows of a document that ends as an error row (a time
    budget or an internal error after some blocks) stay in the files but are never assembled."""

    def __init__(self, parts: Path, part_id: str, run_fingerprint: str) -> None:
        import pyarrow as pa

        parts.mkdir(parents=True, exist_ok=True)
        self.parts, self.part_id, self.fingerprint = parts, part_id, run_fingerprint
        self.documents: list[dict] = []
        self._pending: dict[str, list[dict]] = {name: [] for name in ROW_TABLES}
        self._files: dict[str, tuple[Path, Path, object, object]] = {}
        self._schemas: dict[str, object] = {}
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        try:
            for name in ROW_TABLES:
                path = parts / f"{part_id}.{name}.arrow"
                tmp = temporary_name(path)
                sink = pa.OSFile(str(tmp), "wb")
                schema = self._schemas[name] = table_schema(name).append(pa.field(_DOC, pa.int32()))
                self._files[name] = (tmp, path, sink, pa.ipc.new_file(sink, schema, options=options))
        except BaseException:
            self.discard()
            raise

    def rows(self, rows: Rows) -> None:
        """The sink of the document being extracted: take one piece of its rows; they are written
        SINK_ROWS at a time (one record batch per document would cost more than the extraction
        of a short article)."""
        for name in ROW_TABLES:
            piece = getattr(rows, name)
            if piece:
                for row in piece:
                    row[_DOC] = len(self.documents)
                pending = self._pending[name]
                pending += piece
                if len(pending) >= SINK_ROWS:
                    self._flush(name)

    def _flush(self, name: str) -> None:
        import pyarrow as pa

        pending = self._pending[name]
        if not pending:
            return
        try:
            schema = self._schemas[name]
            table = pa.Table.from_pylist(pending, schema=schema)  # a missing key is a null
            self._files[name][3].write_table(table)
        except Exception as exc:
            raise _PartWriteFailed(f"cannot write part {self.part_id}: {exc}") from exc
        pending.clear()

    def add(self, document: dict) -> None:
        """The documents row of the document whose rows were just written."""
        self.documents.append(document)

    def close(self) -> None:
        """Finish the row files, then write the documents file (the part is complete)."""
        for name in ROW_TABLES:
            self._flush(name)
        for tmp, path, sink, writer in self._files.values():
            writer.close()
            sink.close()
            os.replace(tmp, path)
        self._files.clear()
        base = set(SCHEMAS["documents"].names) | {_KEY}
        extra = sorted({k for d in self.documents for k in d} - base) + [_KEY]
        table = rows_to_arrow("documents", self.documents, extra=extra)
        table = table.replace_schema_metadata({_FINGERPRINT: self.fingerprint.encode()})
        _write_ipc(self.parts / f"{self.part_id}.documents.arrow", table)

    def discard(self) -> None:
        """Remove what was written (a batch that failed or was interrupted)."""
        for tmp, _path, sink, _writer in self._files.values():
            with contextlib.suppress(Exception):
                sink.close()
            tmp.unlink(missing_ok=True)
        self._files.clear()


def _write_ipc(path: Path, table) -> None:
    import pyarrow as pa

    tmp = temporary_name(path)
    try:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(
                sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
            writer.write_table(table)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def run_batch(part_id: str, sources: list[Source]) -> tuple[list[tuple[str, str]], int, float]:
    """Extract one batch (skipping documents a part already holds): ``(doc_id, part)`` for each
    document in order, the number of characters extracted, the seconds spent building the pipeline."""
    options: Options = _WORKER["options"]
    done: dict = _WORKER["done"]
    placed: list[tuple[str, str]] = []
    writer: PartWriter | None = None
    chars = 0
    startup = 0.0
    try:
        for src in sources:
            ready, sha = _prefetch(src, options.max_bytes)
            key = doc_key(sha, document_meta(src, options)) if sha is not None else None
            old = done.get((src.doc_id, key)) if key is not None else None
            if old is not None:
                placed.append((src.doc_id, old))
                continue
            startup += _ensure_pipeline()
            if _WORKER.get("on_document"):
                _WORKER["on_document"](src.doc_id)  # the progress display names the file being read
            if writer is None:
                writer = PartWriter(_WORKER["parts"], part_id, _WORKER["fingerprint"])
            out = process(ready, options, sink=writer.rows)
            out.document[_KEY] = key
            chars += out.document["chars"] or 0
            writer.add(out.document)
            placed.append((src.doc_id, part_id))
        if writer is not None:
            writer.close()
    except BaseException as exc:
        if writer is not None:
            writer.discard()
        if isinstance(exc, _PartWriteFailed):  # an Exception for the pool: a BaseException would
            raise OSError(str(exc)) from exc.__cause__  # end the worker and leave the run waiting
        raise
    return placed, chars, startup


# -- the parent side ---------------------------------------------------------------------------

def load_index(parts: Path, run_fingerprint: str) -> dict[tuple[str, str], str]:
    """``(doc_id, key) -> part`` for every complete part written with this fingerprint."""
    import pyarrow as pa

    index: dict[tuple[str, str], str] = {}
    if not parts.is_dir():
        return index
    for path in sorted(parts.glob("*.documents.arrow")):
        part_id = path.name[: -len(".documents.arrow")]
        try:
            with pa.memory_map(str(path)) as source:
                reader = pa.ipc.open_file(source)
                meta = reader.schema.metadata or {}
                if meta.get(_FINGERPRINT) != run_fingerprint.encode():
                    continue
                table = reader.read_all().select(["doc_id", _KEY])
        except (OSError, pa.ArrowInvalid, KeyError):
            continue  # a damaged part is ignored: its documents are extracted again
        for doc_id, key in zip(table.column("doc_id").to_pylist(), table.column(_KEY).to_pylist()):
            if key is not None:
                index[(doc_id, key)] = part_id
    return index


def _batches(docs: Iterable[Source], size: int) -> Iterator[list[Source]]:
    batch: list[Source] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def start_method() -> str:
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def batch_size(total: int | None, jobs: int) -> int:
    """Documents per batch: BATCH_DOCS, fewer where a known number of documents would not keep
    every worker busy (the tables do not depend on it)."""
    if total is None:
        return BATCH_DOCS
    return max(1, min(BATCH_DOCS, -(-total // (4 * max(jobs, 1)))))


def extract_all(docs: Iterable[Source], folder: OutputFolder, options: Options, *, jobs: int,
                force: bool = False, batch_docs: int = BATCH_DOCS,
                on_batch: Callable[[int], None] | None = None,
                on_document: Callable[[str], None] | None = None,
                lock_fd: int | None = None) -> tuple[list[tuple[str, str]], RunResult]:
    """Make sure every document has its rows in a part; the plan ``[(doc_id, part)]`` in input order.

    One batch only (a handful of documents) is done in this process: a pool would cost more.
    ``on_document`` gets the document being read (with workers: those each worker reads, as one
    line, about five times a second) for the progress display."""
    run_fingerprint = fingerprint(options)
    done = {} if force else load_index(folder.parts, run_fingerprint)
    run_id = f"{time.time_ns():x}"
    state = {"options": options, "done": done, "parts": folder.parts, "fingerprint": run_fingerprint}
    plan: list[tuple[str, str]] = []
    result = RunResult()
    started = time.perf_counter()

    def take(placed: list[tuple[str, str]], chars: int, startup: float) -> None:
        plan.extend(placed)
        result.processed_chars += chars
        result.startup = max(result.startup, startup)
        if on_batch:
            on_batch(len(placed))

    batches = _batches(docs, batch_docs)
    first = next(batches, None)
    second = next(batches, None)
    batches = itertools.chain([b for b in (first, second) if b is not None], batches)
    if jobs <= 1 or second is None:
        _init_worker({**state, "on_document": on_document})
        for seq, batch in enumerate(batches):
            take(*run_batch(f"{run_id}-{seq:06d}", batch))
    else:
        from multiprocessing import get_context

        method = start_method()
        context = get_context(method)
        if method == "fork" and not done:
            # nothing to reuse (a first run or --force): build the pipeline once, here, and let the
            # forked workers share it, rather than each worker building its own
            from extract.pipeline import warm_up

            built = time.perf_counter()
            warm_up(options.entities)
            result.startup = time.perf_counter() - built
        board = (context.RawArray("c", _SLOT_BYTES * jobs), context.Value("i", 0), jobs) if on_document else None

        def wait(job):  # a batch's result; meanwhile the display names what each worker reads
            while board is not None and not job.ready():
                on_document(read_board(board[0], jobs))
                job.wait(0.2)
            if board is not None:
                on_document(read_board(board[0], jobs))
            return job.get()

        # forked workers share the parent's memory until they write to it; the cyclic collector
        # of a worker would touch (and so copy) every object the parent holds, the loaded pipeline
        # and, under a test runner or a notebook, far more: the objects of now are kept out of it
        gc.freeze()
        try:
            pool = context.Pool(
                jobs, initializer=_init_worker,
                initargs=({**state, "lock_fd": lock_fd, "forked": method == "fork", "board": board},))
        finally:
            gc.unfreeze()
        try:
            pending: deque = deque()
            for seq, batch in enumerate(batches):
                pending.append(pool.apply_async(run_batch, (f"{run_id}-{seq:06d}", batch)))
                while len(pending) >= 2 * jobs:
                    take(*wait(pending.popleft()))
            while pending:
                take(*wait(pending.popleft()))
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    result.seconds = time.perf_counter() - started - result.startup
    result.reused = sum(1 for doc_id, part in plan if not part.startswith(run_id))
    return plan, result


class _Parts:
    """Read-only access to parts. The documents files and the rows of the last few small parts are
    kept in memory (the plan reads parts in order); a big part's rows (one huge document) are read
    one record batch at a time, so assembling never holds them all."""

    SMALL_BYTES = 4_000_000  # compressed row files of a part kept whole in memory below this

    def __init__(self, parts: Path, keep: int = 4) -> None:
        self.parts, self.keep = parts, keep
        self._cache: OrderedDict[str, dict] = OrderedDict()

    def schema(self, part_id: str):
        import pyarrow as pa

        with pa.memory_map(str(self.parts / f"{part_id}.documents.arrow")) as source:
            return pa.ipc.open_file(source).schema

    def _path(self, part_id: str, name: str) -> Path:
        return self.parts / f"{part_id}.{name}.arrow"

    def tables(self, part_id: str) -> dict:
        """The part's documents table, and its row tables where the part is small (else None)."""
        if part_id in self._cache:
            self._cache.move_to_end(part_id)
            return self._cache[part_id]
        small = sum(self._path(part_id, name).stat().st_size for name in ROW_TABLES) < self.SMALL_BYTES
        loaded = {name: _read_ipc(self._path(part_id, name)) if small or name == "documents" else None
                  for name in TABLES}
        self._cache[part_id] = loaded
        while len(self._cache) > self.keep:
            self._cache.popitem(last=False)
        return loaded

    def rows(self, part_id: str, name: str) -> Iterator:
        """The part's rows of table ``name`` as Arrow tables (one, or one per record batch)."""
        import pyarrow as pa

        whole = self.tables(part_id)[name]
        if whole is not None:
            yield whole
            return
        with pa.memory_map(str(self._path(part_id, name))) as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(i)])


def _read_ipc(path: Path):
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def _groups(plan: list[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """Consecutive documents of the plan that live in the same part."""
    current, ids = None, []
    for doc_id, part in plan:
        if part != current and ids:
            yield current, ids
            ids = []
        current = part
        ids.append(doc_id)
    if ids:
        yield current, ids


def assemble(plan: list[tuple[str, str]], folder: OutputFolder, fmt: str, names: list[str],
             result: RunResult) -> dict[str, str]:
    """Write the tables ``names`` of the plan's documents into the staging folder, in plan order;
    the file name of each table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = _Parts(folder.parts)
    base = set(SCHEMAS["documents"].names) | {_KEY}
    extra: set[str] = set()
    for part_id in dict.fromkeys(part for _, part in plan):
        extra.update(set(parts.schema(part_id).names) - base)
    schemas = {name: table_schema(name, sorted(extra) if name == "documents" else ()) for name in names}
    files = {name: f"{name}.{fmt}" for name in names}
    writers = {name: TableWriter(folder.staging / files[name], schemas[name], fmt) for name in names}
    for part_id, doc_ids in _groups(plan):
        documents = parts.tables(part_id)["documents"]
        chosen = pc.is_in(documents.column("doc_id"), value_set=pa.array(doc_ids, pa.string()))
        table = _conform(documents.filter(chosen), schemas["documents"])
        _count(table, result)
        writers["documents"].write(table)
        # rows of the chosen documents that ended ok (a failed one may have left some behind)
        good = pc.and_(chosen, pc.equal(documents.column("status"), "ok")).to_pylist()
        positions = pa.array([i for i, ok in enumerate(good) if ok], pa.int32())
        for name in (n for n in names if n != "documents"):
            for table in parts.rows(part_id, name):
                table = table.filter(pc.is_in(table.column(_DOC), value_set=positions))
                writers[name].write(table.drop_columns([_DOC]))
    for name in names:
        result.rows[name] = writers[name].close()
    return files


def _conform(table, schema):
    """A part's documents table with the run's columns: missing metadata columns null, ``_key`` gone."""
    import pyarrow as pa

    columns = [table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _count(documents, result: RunResult) -> None:
    status = documents.column("status").to_pylist()
    result.documents += len(status)
    result.ok += sum(1 for s in status if s == "ok")
    for doc_id, s, error in zip(documents.column("doc_id").to_pylist(), status,
                                documents.column("error").to_pylist()):
        if s != "ok":
            result.errors.append((doc_id, error))


def remove_unused_parts(folder: OutputFolder, plan: list[tuple[str, str]]) -> None:
    """Delete the parts this run's tables do not come from (superseded or other options)."""
    used = {part for _, part in plan}
    if not folder.parts.is_dir():
        return
    for path in folder.parts.iterdir():
        if path.name.split(".", 1)[0] not in used:
            path.unlink(missing_ok=True)
