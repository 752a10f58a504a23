"""The output folder as one unit: a lock, tables written aside and swapped in together, a manifest.

What a folder written by ``extract run`` holds, and why it can be trusted:

- ``manifest.json``: the run that wrote the tables (tool version, arguments, input, counts, start
  and end time) and the tables that belong to it, each with its row count and sha256. It is removed
  before the swap starts and written last, so a folder with a manifest always holds exactly the
  tables the manifest lists.
- the tables (``documents``, ``quantities``, ``entities``, ``facts`` as ``.csv`` or ``.parquet``):
  written first into ``.extract/staging/``, then moved in by renames. Tables of the same names that
  the run did not write (``facts.csv`` from an earlier ``--facts`` run, the other format) are removed.
- ``.extract/``: the run's state. ``lock`` (an advisory lock held while a run writes: a second run
  into the same folder refuses with a clear message; the kernel releases it when a process dies),
  ``commit.json`` (the swap's journal: a run killed mid-swap is finished by the next run before
  anything else), ``staging/`` (emptied at the start of every run) and ``parts/`` (finished batches,
  which let a rerun skip the documents already done; see ``extract.io.runner``).

Files are created with ``open``, so their mode follows the umask.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from extract.io.tables import SCHEMAS

STATE_DIR = ".extract"
MANIFEST = "manifest.json"
FORMATS = ("csv", "parquet")


class OutputBusy(RuntimeError):
    """Another run holds the output folder's lock."""


class OutputUnusable(RuntimeError):
    """The output folder cannot be created or written; the message says why."""


def table_files() -> list[str]:
    """Every file name a run may write a table under (all tables, both formats)."""
    return [f"{name}.{fmt}" for name in SCHEMAS for fmt in FORMATS]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class OutputFolder:
    """``--out``: locked while a run writes; tables go to ``staging`` and are swapped in by ``commit``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / STATE_DIR
        self.staging = self.state / "staging"
        self.parts = self.state / "parts"
        self.journal = self.state / "commit.json"
        self._lock_fh = None

    @property
    def lock_fd(self) -> int | None:
        """The descriptor holding the lock (forked workers close their copy)."""
        return self._lock_fh.fileno() if self._lock_fh is not None else None

    @contextlib.contextmanager
    def locked(self) -> Iterator[OutputFolder]:
        """Hold the folder's lock; finish an interrupted swap and clear leftovers first."""
        try:
            self.state.mkdir(parents=True, exist_ok=True)
            fh = open(self.state / "lock", "a+")  # noqa: SIM115 (held for the whole run)
        except FileExistsError:
            raise OutputUnusable(f"cannot write to {self.root}: it is a file, not a folder") from None
        except NotADirectoryError:
            raise OutputUnusable(f"cannot write to {self.root}: a part of the path is a file") from None
        except OSError as exc:
            raise OutputUnusable(f"cannot write to {self.root}: {exc.strerror or exc}") from None
        try:
            _lock(fh)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise OutputBusy(f"another extract run (process {holder}) is writing to {self.root}; "
                             f"wait for it to finish or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh
        try:
            self._recover()
            yield self
        finally:
            self._lock_fh = None
            fh.close()

    def _recover(self) -> None:
        if self.journal.exists():
            try:
                plan = json.loads(self.journal.read_text(encoding="utf-8"))
                self._swap(plan["install"])
            except (OSError, ValueError, KeyError):
                pass  # an unreadable journal: the staging is cleared below; parts are intact
            self.journal.unlink(missing_ok=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True, exist_ok=True)
        for folder in (self.root, self.parts):
            if folder.is_dir():
                for leftover in folder.glob(".*.tmp"):
                    leftover.unlink(missing_ok=True)

    def _swap(self, install: list[str]) -> None:
        """Remove the manifest, the tables not installed, move the staged ones in, manifest last.
        Idempotent, so an interrupted swap is finished by running it again."""
        (self.root / MANIFEST).unlink(missing_ok=True)
        for name in table_files():
            if name not in install:
                (self.root / name).unlink(missing_ok=True)
        for name in install:
            staged = self.staging / name
            if staged.exists():
                os.replace(staged, self.root / name)
        staged_manifest = self.staging / MANIFEST
        if staged_manifest.exists():
            os.replace(staged_manifest, self.root / MANIFEST)

    def commit(self, manifest: dict) -> None:
        """Swap the staged tables (``manifest["tables"]``) and the manifest in, as one unit."""
        install = sorted(manifest["tables"][name]["file"] for name in manifest["tables"])
        for name in install:
            info = next(t for t in manifest["tables"].values() if t["file"] == name)
            info["sha256"] = file_sha256(self.staging / name)
            info["bytes"] = (self.staging / name).stat().st_size
        _write_json(self.staging / MANIFEST, manifest)
        _write_json(self.journal, {"install": install})
        self._swap(install)
        self.journal.unlink(missing_ok=True)


def _lock(fh) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory lock; runs into one folder are not guarded
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
