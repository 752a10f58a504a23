"""Folders of articles: find the files, read and decode each, extract, and never lose a document.

Every file the glob selects gets exactly one `documents` row. Anything that goes wrong with one
file (unreadable, binary, too big, a symlink loop, an internal error) becomes `status=error` with a
plain reason, and the run goes on.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import stat
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import regex

from extract.io.decode import Decoded, DecodeError, decode_bytes
from extract.pipeline import Rows, RowSink, extract_document

DEFAULT_MAX_MB = 256
DEFAULT_MAX_BYTES = DEFAULT_MAX_MB * 1_000_000
# What a folder run reads without --glob: articles (.txt) and files of records, plain or gzipped;
# not README.md, dotfiles or the tables of an earlier run.
DEFAULT_PATTERNS = ("*.txt", "*.txt.gz", "*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz",
                    "*.csv", "*.csv.gz", "*.parquet")


@dataclass(frozen=True)
class Source:
    """One input document: a file path, bytes read from stdin, a record's text (with its own
    metadata: date and carried columns), or an error found while walking or reading records."""

    doc_id: str
    # a folder walk keeps the file's path as text: a Path object per file is some 300 bytes, and
    # the sorted list of a 200,000-file folder is held for the whole run (``file`` is the Path)
    path: Path | str | None = None
    data: bytes | None = None
    error: str | None = None
    text: str | None = None
    meta: dict | None = None

    @property
    def file(self) -> Path | None:
        """The file this document is read from, if any."""
        return None if self.path is None else Path(self.path)


DEFAULT_DOC_TIMEOUT = 600.0


@dataclass(frozen=True)
class Options:
    date: date | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    meta: dict[str, dict] = field(default_factory=dict)
    entities: bool = True
    # seconds one document may take, per million characters for longer ones; None: no budget
    doc_timeout: float | None = None


class _OverBudget(BaseException):
    """Raised by the alarm inside a document over its time budget (not an Exception, so that no
    ``except Exception`` on the way swallows it)."""


@contextlib.contextmanager
def _time_budget(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with _OverBudget, by SIGALRM. Only in a main thread
    on POSIX (the command and its worker processes); elsewhere the block runs unbounded."""
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def on_alarm(signum, frame):
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class DocOutput:
    document: dict
    quantities: list[dict]
    entities: list[dict]
    facts: list[dict] = field(default_factory=list)


@cache
def _pattern_re(pattern: str) -> regex.Pattern:
    """A glob as a regex over ``/``-separated relative paths: ``*`` and ``?`` stay within one
    folder, ``**/`` is any number of folders, none included (``**/*.txt`` matches ``a.txt``)."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2:]:
            close = pattern.index("]", i + 2)
            body = pattern[i + 1:close]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = close + 1
        else:
            out.append(regex.escape(pattern[i]))
            i += 1
    return regex.compile("".join(out) + r"\Z", regex.DOTALL)


def _matches(rel: str, patterns: str | tuple[str, ...]) -> bool:
    """Whether the relative path matches one of the globs; a glob without ``/`` matches the name."""
    for pattern in (patterns,) if isinstance(patterns, str) else patterns:
        target = rel if "/" in pattern else rel.rsplit("/", 1)[-1]
        if _pattern_re(pattern).match(target):
            return True
    return False


def os_error_reason(exc: OSError) -> str:
    """A plain-language reason for an OSError (permission denied, symlink loop ...) for an error row."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "file vanished or is a broken link",
        errno.ELOOP: "symlink loop",
        errno.EISDIR: "is a folder, not a file",
        errno.EIO: "input/output error while reading",
        errno.ENAMETOOLONG: "path too long",
    }
    return reasons.get(exc.errno, exc.strerror or exc.__class__.__name__)


def display_name(name: str) -> str:
    """A file name as text for the tables: names that are not UTF-8 (a GBK name from a zip made on
    Chinese Windows arrives as surrogate escapes) are read as GB18030, else shown with \\x escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


def discover(root: Path, pattern: str | tuple[str, ...] = DEFAULT_PATTERNS,
             exclude: frozenset[Path] = frozenset()) -> Iterator[Source]:
    """Files under ``root`` matching ``pattern`` (one glob or several), in sorted order, symlinks
    followed; folders whose real path is in ``exclude`` (the output folder) are skipped.

    Hidden files and folders (``.git``, ``.draft.txt``) are skipped unless a glob names them
    (``.*.txt``). The walk keeps its own stack, so folders nested thousands deep are no
    RecursionError. A folder
    reached twice (a symlink loop, or two links to one folder) is reported once as an error row
    instead of being walked forever.
    """
    if not root.is_dir():
        yield Source(display_name(root.name), root)
        return
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    hidden_ok = any(part.startswith(".") for p in patterns for part in p.split("/"))
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            yield Source(rel + "/", error=f"cannot open folder: {os_error_reason(exc)}")
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Source(rel + "/", error="symlink loop: this folder was already read through another path")
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Source((rel or ".") + "/", error=f"cannot list folder: {os_error_reason(exc)}")
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith(".") and not hidden_ok:
                continue
            name = display_name(entry.name)
            child_rel = f"{rel}/{name}" if rel else name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not exclude or Path(os.path.realpath(entry.path)) not in exclude:  # realpath: depth syscalls
                    folders.append((Path(entry.path), child_rel))
            elif _matches(child_rel, pattern) and (not exclude or Path(os.path.realpath(entry.path)) not in exclude):
                yield Source(child_rel, entry.path)
        stack.extend(reversed(folders))  # sorted order: the first sub-folder is walked next


def read_meta(path: Path) -> dict[str, dict]:
    """Per-document metadata from a CSV or JSON Lines file with ``doc_id`` and ``date`` columns.

    Other columns are carried through to the documents table as strings. Raises ValueError with
    a plain message for a file without ``doc_id``, or a date that is not YYYY-MM-DD.
    """
    import csv
    import json
    from datetime import datetime

    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        records = list(csv.DictReader(text.splitlines()))
    out: dict[str, dict] = {}
    for i, rec in enumerate(records, 1):
        if "doc_id" not in rec:
            raise ValueError(f"{path}: record {i} has no doc_id")
        entry = {k: (None if v in ("", None) else str(v)) for k, v in rec.items() if k != "doc_id"}
        if entry.get("date"):
            try:
                entry["date"] = datetime.strptime(entry["date"][:10], "%Y-%m-%d").date()
            except ValueError:
                raise ValueError(f"{path}: record {i}: date {entry['date']!r} is not YYYY-MM-DD") from None
        out[str(rec["doc_id"])] = entry
    return out


def _document_row(src: Source, data: bytes | None) -> dict:
    return {
        "doc_id": src.doc_id,
        "bytes": len(data) if data is not None else None,
        "sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
        "encoding": None, "decode_note": None, "chars": None, "date": None, "date_source": None,
        "status": "error", "error": None, "n_quantities": 0, "n_entities": 0, "n_sentences": 0,
    }


def read_source(src: Source, max_bytes: int) -> bytes:
    """The bytes of one source (a file, or a record's own data or text), refusing what is not a regular
    file or is over ``max_bytes``: a DecodeError or OSError the caller turns into an error row."""
    if src.data is not None:
        return src.data
    if src.text is not None:
        return src.text.encode("utf-8")
    path = src.file
    assert path is not None
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block the run or never end
        raise DecodeError(f"not a regular file ({_file_kind(st.st_mode)}), not read")
    size = st.st_size
    if size > max_bytes:
        raise DecodeError(f"file too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB, "
                          f"see --max-mb)")
    if path.name.lower().endswith(".gz"):
        import gzip

        from extract.io.readers import gunzip_article

        try:
            return gunzip_article(path, max_bytes)
        except (EOFError, gzip.BadGzipFile) as exc:
            raise DecodeError(f"not a readable .gz file ({exc})") from None
    with path.open("rb") as fh:
        return fh.read()


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))
    return next((what for test, what in kinds if test(mode)), "not a plain file")


def read_stdin(max_bytes: int) -> Source:
    """The article on standard input, read up to ``max_bytes`` (an endless pipe is an error row)."""
    import sys

    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        return Source("stdin", error=f"input too large (over the limit of {max_bytes / 1e6:.0f} MB, see --max-mb)")
    return Source("stdin", data=data)


def document_meta(src: Source, options: Options) -> dict:
    """The metadata of one document: its record's columns, else its ``--meta`` entry."""
    return src.meta if src.meta is not None else options.meta.get(src.doc_id, {})


def process(src: Source, options: Options, sink: RowSink | None = None) -> DocOutput:
    """Read, decode and extract one document; every failure becomes an error row.

    With a ``sink``, the rows (with their ``doc_id``) go to it block by block as they are found
    and the output holds only the documents row (see ``extract_document``); rows a failed
    document had already handed over belong to no document: the caller must drop them."""
    if src.error is not None:
        row = _document_row(src, None)
        row["error"] = src.error
        return DocOutput(row, [], [])
    data = None
    try:
        data = read_source(src, options.max_bytes)
        row = _document_row(src, data)
        decoded = Decoded(src.text, "utf-8") if src.text is not None else decode_bytes(data)
        meta = document_meta(src, options)
        doc_date = meta.get("date") or options.date
        source = "meta" if meta.get("date") else "given"
        budget = options.doc_timeout and options.doc_timeout * max(1.0, len(decoded.text) / 1e6)
        with _time_budget(budget):
            ext = extract_document(decoded.text, doc_date=doc_date, date_source=source,
                                   entities=options.entities,
                                   sink=None if sink is None else _with_doc_id(src.doc_id, sink))
    except _OverBudget:
        row = _document_row(src, data)
        row["error"] = (f"took longer than its time budget ({budget:g} s, see --doc-timeout); "
                        "not extracted, please report it")
        return DocOutput(row, [], [])
    except DecodeError as exc:
        row = _document_row(src, data)
        row["error"] = str(exc)
        return DocOutput(row, [], [])
    except OSError as exc:
        row = _document_row(src, data)
        row["error"] = f"cannot read file: {os_error_reason(exc)}"
        return DocOutput(row, [], [])
    except Exception as exc:  # an extractor bug must not end the run or lose the document
        row = _document_row(src, data)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        row["error"] = (f"internal error ({exc.__class__.__name__}: {exc}) at "
                        f"{Path(where.filename).name}:{where.lineno}; please report it")
        return DocOutput(row, [], [])
    row.update({
        "encoding": decoded.encoding, "decode_note": decoded.note, "chars": len(decoded.text), "status": "ok",
        "date": ext.date, "date_source": ext.date_source,
        "n_quantities": ext.n_quantities, "n_entities": ext.n_entities,
        "n_sentences": ext.n_sentences,
    })
    for key, value in document_meta(src, options).items():
        if key != "date":
            row[key if key not in row else f"meta_{key}"] = value
    _set_doc_id(src.doc_id, ext)
    return DocOutput(row, ext.quantities, ext.entities, ext.facts)


def _set_doc_id(doc_id: str, rows: Rows) -> None:
    for r in rows.quantities + rows.entities + rows.facts:
        r["doc_id"] = doc_id


def _with_doc_id(doc_id: str, sink: RowSink) -> RowSink:
    def forward(rows: Rows) -> None:
        _set_doc_id(doc_id, rows)
        sink(rows)

    return forward
