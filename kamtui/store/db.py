"""Opening a book: one SQLite file, its pragmas, transactions and sessions.

Two ways in, one file:

* :meth:`Book.query` / :meth:`Book.transaction` use plain ``sqlite3``: fast
  list reads (tuples, no ORM objects) and bulk writes (``executemany``). These
  need no SQLModel import, which keeps start-up fast.
* :meth:`Book.session` gives a read-only SQLModel session for typed records
  (a contact page); the engine is built on first use.

Every connection gets the same pragmas (WAL, ``synchronous=FULL``,
``foreign_keys=ON``, ``busy_timeout``). All writes go through
:meth:`Book.transaction` and start with ``BEGIN IMMEDIATE`` so
two processes queue for the write lock instead of failing half-way. A write
given an ``undo`` label records before-images of every row it touches (see
:mod:`kamtui.store.undo`).

Damage: opening runs a budgeted quick check (:func:`kamtui.store.check.open_check`),
and any corruption error a read or write meets later is raised as
:class:`~kamtui.store.check.DamagedBook` (a :class:`BookError` naming the
newest good backup), never as a raw ``sqlite3`` error. A write that still
cannot get the lock after ``busy_timeout`` raises :class:`BookError`
(``book.locked``), never "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui.errors import BookError
from kamtui.i18n import t
from kamtui.paths import ensure_private_dir

if TYPE_CHECKING:
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 15_000
APPLICATION_ID = 0x4B414D54  # "KAMT": marks a file as a kamtui book


def configure(con: sqlite3.Connection) -> sqlite3.Connection:
    """Apply kamtui's pragmas to a new connection."""
    con.isolation_level = None  # we issue BEGIN ourselves
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = FULL")
    for attempt in range(50):  # another process may be creating the book right now
        try:
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.1)
    if mode and str(mode[0]).lower() not in ("wal", "memory"):
        raise sqlite3.OperationalError(f"cannot switch to WAL (got {mode[0]})")
    return con


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (0600), if it does not exist."""
    ensure_private_dir(path.parent)
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        except FileExistsError:
            pass  # another process created it a moment ago
    os.chmod(path, 0o600)


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) == 5  # SQLITE_BUSY
    return "locked" in str(exc).lower()


class _Holder:
    """Owns one thread's connection; closing it when the thread's storage goes away."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.con.close()

    def __del__(self) -> None:
        self.close()


class Book:
    """A kamtui book: the SQLite file and the ways to read and write it."""

    def __init__(self, path: str | os.PathLike, *, migrate: bool = True, create: bool = True):
        self.path = Path(path)
        self.closed = False  # set by close(): threads working for it leave the file alone
        self._local = threading.local()
        self._holders: weakref.WeakSet[_Holder] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._orm_engine: Any = None
        self._commits = 0  # write transactions committed through this Book
        self._stamp_epoch = 0
        self._known_version: tuple[int, int] | None = None
        self._foreign = 0
        self._stamp_con: sqlite3.Connection | None = None
        if not self.path.exists():
            if not create:
                raise BookError(t("book.missing", path=self.path))
            create_private_file(self.path)
        self._preflight()
        if migrate:
            from kamtui.store.migrate import migrate as run_migrations

            run_migrations(self)

    def _preflight(self) -> None:
        """Refuse a file that is not a usable kamtui book before changing anything in it.

        A damaged book raises :class:`~kamtui.store.check.DamagedBook` (with the
        newest good backup); the quick check has a time budget (see
        :mod:`kamtui.store.check`).
        """
        from kamtui.store.check import damaged_book, is_corruption, open_check
        from kamtui.store.migrate import check_is_book

        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise BookError(t("book.unreadable", path=self.path, error=exc)) from exc
        try:
            try:
                check_is_book(self, con)
            except BookError as exc:
                if is_corruption(exc.__cause__):
                    raise damaged_book(self.path, exc.__cause__) from exc.__cause__
                raise
            open_check(con, self.path)
        finally:
            con.close()

    def _raise_if_damaged(self, exc: BaseException) -> None:
        """Raise a DamagedBook (with the newest good backup) if ``exc`` says the file is damaged."""
        from kamtui.store.check import damaged_book, is_corruption

        if is_corruption(exc):
            raise damaged_book(self.path, getattr(exc, "orig", None) or exc) from exc

    # ---- plain sqlite3 -------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        """A new configured connection (the caller closes it)."""
        try:
            con = sqlite3.connect(
                self.path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            return configure(con)
        except sqlite3.DatabaseError as exc:
            raise BookError(t("book.unreadable", path=self.path, error=exc)) from exc

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit between explicit transactions).

        It closes by itself when its thread ends, and on :meth:`close`.
        """
        holder = getattr(self._local, "holder", None)
        if holder is None:
            holder = _Holder(self.connect())
            self._local.holder = holder
            with self._lock:
                self._holders.add(holder)
        return holder.con

    def query(self, sql: str, params: Any = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            self._raise_if_damaged(exc)
            raise

    def scalar(self, sql: str, params: Any = ()) -> Any:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.DatabaseError as exc:
            self._raise_if_damaged(exc)
            raise
        return None if row is None else row[0]

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A consistent read of several queries (one read transaction).

        Do not write inside it: a read snapshot cannot safely become a write
        (another process may have committed since it began, and SQLite would
        answer "database is locked" at once), so :meth:`transaction` refuses.
        """
        con = self.conn
        if con.in_transaction:
            yield con
            return
        con.execute("BEGIN")
        self._local.reading = True
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            self._raise_if_damaged(exc)
            raise
        finally:
            self._local.reading = False
            if con.in_transaction:
                try:
                    con.execute("COMMIT")
                except sqlite3.Error:
                    with suppress(sqlite3.Error):
                        con.execute("ROLLBACK")

    @contextmanager
    def transaction(self, undo: str | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``) on this thread's connection.

        All or nothing: an exception rolls everything back. Nested calls join
        the outer transaction. With ``undo``, the change can be undone later as
        one step labelled ``undo``.
        """
        con = self.conn
        if con.in_transaction:
            if getattr(self._local, "reading", False):
                raise RuntimeError(
                    "Book.transaction() inside Book.snapshot(): finish reading, then write"
                )
            yield con
            return
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise BookError(t("book.locked")) from exc
            self._raise_if_damaged(exc)
            raise
        try:
            if undo:
                from kamtui.store.undo import start_recording

                start_recording(con, undo)
            yield con
            if undo:
                from kamtui.store.undo import stop_recording

                stop_recording(con)
            con.execute("COMMIT")
            self._commits += 1
            self._own_commit_seen()
        except BaseException as exc:
            if con.in_transaction:
                con.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                self._raise_if_damaged(exc)
            raise

    def stamp(self) -> tuple[int, int, int]:
        """Changes whenever anyone commits to the book (this process or another).

        ``PRAGMA data_version`` moves when *other* connections commit. It is
        read on one connection of its own (which never writes), so stamps
        taken in different threads compare; the counter covers this Book's own
        writes too. Screens compare stamps to know whether to reload when the
        seller comes back to them.
        """
        with self._lock:
            if self._stamp_con is None:
                self._stamp_con = self.connect()
                self._stamp_epoch += 1  # data_version restarts on a new connection
            version = self._stamp_con.execute("PRAGMA data_version").fetchone()[0]
        return (self._stamp_epoch, version, self._commits)

    def _version(self) -> int:
        """``PRAGMA data_version`` on the stamp connection (call with the lock held)."""
        if self._stamp_con is None:
            self._stamp_con = self.connect()
            self._stamp_epoch += 1
        return self._stamp_con.execute("PRAGMA data_version").fetchone()[0]

    def _own_commit_seen(self) -> None:
        with self._lock:
            self._known_version = (self._stamp_epoch, self._version())

    def foreign_stamp(self) -> tuple[int, int]:
        """Changes only when *another process* commits to the book.

        Caches built from the whole book (the search directory) compare it to
        know when they must be rebuilt; this process's own writes update such
        caches in place instead (``app.contacts_changed``), so they do not
        count. (A foreign commit landing in the instant between one of ours and
        the check after it is taken for ours: the cache then catches up with
        the next foreign change.)
        """
        with self._lock:
            seen = (self._stamp_epoch, self._version())
            if seen != self._known_version:
                self._known_version = seen
                self._foreign += 1
            return (self._stamp_epoch, self._foreign)

    # ---- SQLModel ------------------------------------------------------

    def _engine(self):
        if self._orm_engine is None:
            from sqlalchemy import event
            from sqlalchemy.pool import QueuePool
            from sqlmodel import create_engine

            engine = create_engine(
                "sqlite://", creator=self.connect, poolclass=QueuePool, pool_size=2
            )

            @event.listens_for(engine, "connect")
            def _connect(dbapi_con, _record):
                dbapi_con.isolation_level = None

            @event.listens_for(engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN")

            self._orm_engine = engine
        return self._orm_engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only SQLModel session (one consistent snapshot) for typed records.

        Writes never go through the ORM: they use :meth:`transaction`, one write
        path whose nested calls join the outer transaction. (An ORM write on its
        own connection inside a raw transaction would wait for the lock the
        same thread holds.)
        """
        from sqlmodel import Session

        with Session(self._engine(), expire_on_commit=False) as s:
            try:
                yield s
            except Exception as exc:
                self._raise_if_damaged(exc)
                raise
            finally:
                s.expunge_all()  # records stay readable after the session ends
                s.rollback()

    # ---- life cycle ----------------------------------------------------

    def close(self) -> None:
        self.closed = True
        if self._orm_engine is not None:
            self._orm_engine.dispose()
            self._orm_engine = None
        with self._lock:
            for holder in list(self._holders):
                holder.close()
            self._holders = weakref.WeakSet()
            if self._stamp_con is not None:
                with suppress(sqlite3.Error):
                    self._stamp_con.close()
                self._stamp_con = None
        self._local = threading.local()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Book({str(self.path)!r})"


def open_book(path: str | os.PathLike, **kw) -> Book:
    return Book(path, **kw)
