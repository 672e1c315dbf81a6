"""Consistent copies of a book through SQLite's backup API (never a file copy).

Backups live beside the book in ``<stem>.backups/`` (directory 0700, files
0600), named ``<stem>-YYYYMMDD-HHMMSS-<reason>.db``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kamtui.paths import ensure_private_dir

if TYPE_CHECKING:
    from kamtui.store.db import Book

_NAME = re.compile(r"^(?P<stem>.+)-(?P<ts>\d{8}-\d{6}(?:\d{6})?)-(?P<reason>[\w.-]+)\.db$")


def backup_dir(book_path: Path) -> Path:
    return book_path.with_name(book_path.stem + ".backups")


def _safe_reason(reason: str) -> str:
    return re.sub(r"[^\w.-]+", "-", reason).strip("-") or "manual"


def copy_database(src: sqlite3.Connection, dest: Path) -> Path:
    """Copy an open database to ``dest`` (created 0600) with the backup API."""
    ensure_private_dir(dest.parent)
    tmp = dest.with_name(dest.name + ".part")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    out = sqlite3.connect(tmp)
    try:
        src.backup(out)
        out.execute("PRAGMA journal_mode = DELETE")
    finally:
        out.close()
    os.replace(tmp, dest)
    os.chmod(dest, 0o600)
    return dest


def backup_book(book: Book, reason: str = "manual", dest: Path | None = None) -> Path:
    """Write a consistent copy of ``book``; returns its path."""
    if dest is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S%f")
        dest = backup_dir(book.path) / f"{book.path.stem}-{stamp}-{_safe_reason(reason)}.db"
    con = book.connect()
    try:
        return copy_database(con, Path(dest))
    finally:
        con.close()


def list_backups(book_path: Path) -> list[Path]:
    """The book's backups, newest first."""
    folder = backup_dir(book_path)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _NAME.match(p.name)]
    return sorted(found, key=lambda p: _NAME.match(p.name).group("ts"), reverse=True)


def backup_time(path: Path) -> datetime | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    ts = m.group("ts")
    fmt = "%Y%m%d-%H%M%S%f" if len(ts) > 15 else "%Y%m%d-%H%M%S"
    return datetime.strptime(ts, fmt)
