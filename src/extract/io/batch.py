"""Folders of articles: find the files, read and decode each, extract, and never lose a document.

Every file the glob selects gets exactly one `documents` row. Anything that goes wrong with one
file (unreadable, binary, too big, a symlink loop, an internal error) becomes `status=error` with a
plain reason, and the run goes on.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from extract.io.decode import Decoded, DecodeError, decode_bytes
from extract.pipeline import extract_document

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One input document: a file path, bytes read from stdin, a record's text (with its own
    metadata: date and carried columns), or an error found while walking or reading records."""

    doc_id: str
    path: Path | None = None
    data: bytes | None = None
    error: str | None = None
    text: str | None = None
    meta: dict | None = None


@dataclass(frozen=True)
class Options:
    date: date | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    meta: dict[str, dict] = field(default_factory=dict)
    entities: bool = True


@dataclass
class DocOutput:
    document: dict
    quantities: list[dict]
    entities: list[dict]
    facts: list[dict] = field(default_factory=list)


def _matches(rel: str, pattern: str) -> bool:
    target = rel if "/" in pattern else rel.rsplit("/", 1)[-1]
    return fnmatch.fnmatchcase(target, pattern)


def _os_reason(exc: OSError) -> str:
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


def discover(root: Path, pattern: str = "*", exclude: frozenset[Path] = frozenset()) -> Iterator[Source]:
    """Files under ``root`` whose name matches ``pattern``, in sorted order, symlinks followed.

    A folder reached twice (a symlink loop, or two links to one folder) is reported once as an
    error row instead of being walked forever.
    """
    if not root.is_dir():
        yield Source(root.name, root)
        return
    seen: set[tuple[int, int]] = set()

    def walk(folder: Path, rel: str) -> Iterator[Source]:
        try:
            st = folder.stat()
        except OSError as exc:
            yield Source(rel + "/", error=f"cannot open folder: {_os_reason(exc)}")
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Source(rel + "/", error="symlink loop: this folder was already read through another path")
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Source((rel or ".") + "/", error=f"cannot list folder: {_os_reason(exc)}")
            return
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            path = Path(entry.path)
            if Path(os.path.realpath(path)) in exclude:
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(path, child_rel)
            elif _matches(child_rel, pattern):
                yield Source(child_rel, path)

    yield from walk(root, "")


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
        "encoding": None, "chars": None, "date": None, "date_source": None,
        "status": "error", "error": None, "n_quantities": 0, "n_entities": 0, "n_sentences": 0,
    }


def _read(src: Source, max_bytes: int) -> bytes:
    if src.data is not None:
        return src.data
    if src.text is not None:
        return src.text.encode("utf-8")
    assert src.path is not None
    size = src.path.stat().st_size
    if size > max_bytes:
        raise DecodeError(f"file too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB, "
                          f"see --max-mb)")
    if src.path.name.lower().endswith(".gz"):
        import gzip

        from extract.io.readers import gunzip_article

        try:
            return gunzip_article(src.path, max_bytes)
        except (EOFError, gzip.BadGzipFile) as exc:
            raise DecodeError(f"not a readable .gz file ({exc})") from None
    with src.path.open("rb") as fh:
        return fh.read()


def document_meta(src: Source, options: Options) -> dict:
    """The metadata of one document: its record's columns, else its ``--meta`` entry."""
    return src.meta if src.meta is not None else options.meta.get(src.doc_id, {})


def process(src: Source, options: Options) -> DocOutput:
    """Read, decode and extract one document; every failure becomes an error row."""
    if src.error is not None:
        row = _document_row(src, None)
        row["error"] = src.error
        return DocOutput(row, [], [])
    data = None
    try:
        data = _read(src, options.max_bytes)
        row = _document_row(src, data)
        decoded = Decoded(src.text, "utf-8") if src.text is not None else decode_bytes(data)
        meta = document_meta(src, options)
        doc_date = meta.get("date") or options.date
        source = "meta" if meta.get("date") else "given"
        ext = extract_document(decoded.text, doc_date=doc_date, date_source=source,
                               entities=options.entities)
    except DecodeError as exc:
        row = _document_row(src, data)
        row["error"] = str(exc)
        return DocOutput(row, [], [])
    except OSError as exc:
        row = _document_row(src, data)
        row["error"] = f"cannot read file: {_os_reason(exc)}"
        return DocOutput(row, [], [])
    except Exception as exc:  # an extractor bug must not end the run or lose the document
        row = _document_row(src, data)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        row["error"] = (f"internal error ({exc.__class__.__name__}: {exc}) at "
                        f"{Path(where.filename).name}:{where.lineno}; please report it")
        return DocOutput(row, [], [])
    row.update({
        "encoding": decoded.encoding, "chars": len(decoded.text), "status": "ok",
        "date": ext.date, "date_source": ext.date_source,
        "n_quantities": len(ext.quantities), "n_entities": len(ext.entities),
        "n_sentences": ext.n_sentences,
    })
    for key, value in document_meta(src, options).items():
        if key != "date":
            row[key if key not in row else f"meta_{key}"] = value
    for r in ext.quantities + ext.entities + ext.facts:
        r["doc_id"] = src.doc_id
    return DocOutput(row, ext.quantities, ext.entities, ext.facts)
