"""Is the book sound? Integrity checks, damaged books, and the newest good backup.

Three levels, by cost (figures at 100,000 contacts, a 130 MB book, warm cache):

* :func:`open_check` on every open (``Book._preflight``): the file header,
  then ``PRAGMA quick_check`` with a time budget (:data:`OPEN_CHECK_BUDGET`,
  0.1 s; it reads ~700 MB/s from a warm cache). A book up to a few tens of MB
  (:data:`OPEN_CHECK_MAX_BYTES`) is checked in full every time; a bigger one
  is left to the daily check (quick_check takes ~0.17 s at 130 MB). Any
  query that meets a damaged page raises :class:`DamagedBook` anyway.
* The daily backup checks its copy with ``quick_check`` (the backup API
  copies pages as they are, so a damaged book gives a damaged copy):
  :func:`kamtui.store.backup.daily_backup_if_due`.
* ``kamtui check`` (:func:`check_book_file`): ``PRAGMA integrity_check`` (~0.45 s)
  and ``PRAGMA foreign_key_check`` (~0.08 s), schema version, application id.

A damaged book raises :class:`DamagedBook`, which names the newest backup
that passes ``integrity_check`` and the command that restores it. The
:class:`~kamtui.store.db.Book` also turns a corruption error met by any
query into a :class:`DamagedBook`, so no command ends in a traceback.
"""

from __future__ import annotations

import shlex
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui.errors import BookError
from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.store.backup import BackupInfo

OPEN_CHECK_BUDGET = 0.1  # seconds of quick_check on open
OPEN_CHECK_MAX_BYTES = 24 * 1024 * 1024  # bigger books are left to the daily check
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB (extended codes share the low byte)


def is_corruption(exc: BaseException) -> bool:
    """True if ``exc`` (sqlite3, or SQLAlchemy wrapping it) says the file is damaged."""
    exc = getattr(exc, "orig", None) or exc
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


class DamagedBook(BookError):
    """The book's file is damaged. ``backup`` is the newest backup that passed
    ``integrity_check`` (None if there is none) and ``restore_command`` the
    shell command that restores it."""

    def __init__(self, path: Path, detail: str, backup: BackupInfo | None):
        self.path = Path(path)
        self.detail = detail
        self.backup = backup
        self.restore_command = restore_command(self.path, backup.path) if backup else None
        lines = [t("safety.damaged", path=self.path, detail=detail)]
        if backup is not None:
            lines.append(
                t(
                    "safety.damaged_backup",
                    when=backup.taken_at.strftime("%Y-%m-%d %H:%M"),
                    command=self.restore_command,
                )
            )
        else:
            from kamtui.store.backup import backup_dir

            lines.append(t("safety.damaged_no_backup", folder=backup_dir(self.path)))
        super().__init__("\n".join(lines))

    def as_dict(self) -> dict[str, Any]:
        return {
            "damaged": True,
            "book": str(self.path),
            "detail": self.detail,
            "backup": self.backup.as_dict() if self.backup else None,
            "restore_command": self.restore_command,
        }


def restore_command(book_path: Path, backup_path: Path) -> str:
    """``kamtui [--db BOOK] restore BACKUP``, with ``--db`` unless it is the default book."""
    from kamtui.paths import book_path as default_book

    parts = ["kamtui"]
    try:
        same = Path(book_path).resolve() == default_book().resolve()
    except Exception:
        same = False
    if not same:
        parts += ["--db", shlex.quote(str(book_path))]
    parts += ["restore", shlex.quote(str(backup_path))]
    return " ".join(parts)


def damaged_book(path: Path, detail: str | BaseException) -> DamagedBook:
    """A :class:`DamagedBook` for ``path``, with the newest good backup looked up."""
    return DamagedBook(Path(path), str(detail), newest_good_backup(Path(path)))


# ---- checks -------------------------------------------------------------------


def open_check(con: sqlite3.Connection, path: Path, budget: float = OPEN_CHECK_BUDGET) -> bool:
    """The quick check on open. True if the whole book was checked, False if the
    budget ran out first (then the daily backup's check covers it). Raises
    :class:`DamagedBook`. Use a connection of its own: it may be interrupted.

    Never read a book's bytes with ``open()`` in a process that may have it
    open through SQLite: closing that file descriptor drops every POSIX lock
    the process holds on the file, and another process may then delete the
    WAL under our connections (a known way to corrupt an SQLite file).
    SQLite's own errors (``SQLITE_NOTADB``, ``SQLITE_CORRUPT``) say enough."""
    try:
        if Path(path).stat().st_size > OPEN_CHECK_MAX_BYTES:
            return False  # could not finish in the budget anyway
    except OSError:
        pass
    timer = threading.Timer(budget, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check(20)").fetchall()]
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            return False
        if is_corruption(exc):
            raise damaged_book(path, exc) from exc
        raise
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise damaged_book(path, exc) from exc
        raise
    finally:
        timer.cancel()
        timer.join()
    if rows != ["ok"]:
        raise damaged_book(path, "; ".join(rows[:3]))
    return True


@dataclass
class CheckReport:
    """What ``kamtui check`` found. ``ok`` is the verdict."""

    path: Path
    readable: bool = False
    is_book: bool = False
    schema_version: int | None = None
    latest_version: int = 0
    integrity: list[str] = field(default_factory=list)  # [] when fine
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)  # [] when fine
    error: str | None = None
    seconds: float = 0.0

    @property
    def schema_ok(self) -> bool:
        return self.schema_version is not None and 1 <= self.schema_version <= self.latest_version

    @property
    def ok(self) -> bool:
        return (
            self.readable
            and self.is_book
            and self.schema_ok
            and not self.integrity
            and not self.foreign_keys
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "book": str(self.path),
            "ok": self.ok,
            "readable": self.readable,
            "is_kamtui_book": self.is_book,
            "schema_version": self.schema_version,
            "latest_schema_version": self.latest_version,
            "integrity": self.integrity or ["ok"],
            "foreign_key_problems": self.foreign_keys,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    from kamtui.store.db import BUSY_TIMEOUT_MS

    if read_only:
        try:
            con = sqlite3.connect(
                f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
            )
            con.execute("PRAGMA schema_version").fetchone()
            return con
        except sqlite3.OperationalError:
            pass  # e.g. a WAL file whose -shm cannot be made read-only: read it normally
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    con.isolation_level = None
    return con


def check_book_file(path: Path, *, read_only: bool = False, limit: int = 100) -> CheckReport:
    """Full check of a book or backup file: integrity, foreign keys, schema, application id.

    Never changes the file's contents (``read_only`` also avoids the write
    access SQLite takes to recover a WAL).
    """
    from kamtui.store import migrations
    from kamtui.store.db import APPLICATION_ID

    path = Path(path)
    report = CheckReport(path=path, latest_version=migrations.latest())
    start = time.perf_counter()
    try:
        if path.stat().st_size == 0:
            report.readable = True
            report.error = t("safety.empty_file")
            return report
        con = _connect(path, read_only)
        try:
            report.schema_version = con.execute("PRAGMA user_version").fetchone()[0]
            report.is_book = con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            report.readable = True
            rows = [r[0] for r in con.execute(f"PRAGMA integrity_check({int(limit)})")]
            report.integrity = [] if rows == ["ok"] else rows
            report.foreign_keys = [
                {"table": r[0], "rowid": r[1], "parent": r[2]}
                for r in con.execute("PRAGMA foreign_key_check").fetchmany(limit)
            ]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        report.error = str(exc)
        if report.readable:
            report.integrity = report.integrity or [str(exc)]
    except OSError as exc:
        report.error = str(exc)
    finally:
        report.seconds = time.perf_counter() - start
    return report


_verified: dict[tuple[str, int, int], bool] = {}


def verify_backup(path: Path) -> bool:
    """True if ``path`` is a kamtui book we can use that passes ``integrity_check``
    (read only; remembered per file size and time in this process)."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        _verified[key] = check_book_file(path, read_only=True).ok
    return _verified[key]


def newest_good_backup(book_path: Path) -> BackupInfo | None:
    """The newest backup of the book that passes :func:`verify_backup`, or None."""
    from kamtui.store.backup import backups

    for info in backups(Path(book_path)):
        if verify_backup(info.path):
            return info
    return None
