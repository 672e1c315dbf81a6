"""Bring a book to the current schema, with a backup before any existing book changes."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from kamtui.errors import BookError
from kamtui.i18n import t
from kamtui.store import migrations
from kamtui.store.undo import install_undo_triggers

if TYPE_CHECKING:
    from kamtui.store.db import Book


def schema_version(con: sqlite3.Connection) -> int:
    return con.execute("PRAGMA user_version").fetchone()[0]


def is_empty_file(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def check_is_book(book: Book, con: sqlite3.Connection) -> int:
    """The book's schema version; raises BookError if it is not a kamtui book we can use."""
    from kamtui.store.db import APPLICATION_ID

    try:
        version = schema_version(con)
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        empty = is_empty_file(con)
    except sqlite3.DatabaseError as exc:
        raise BookError(t("book.unreadable", path=book.path, error=exc)) from exc
    if empty and version == 0:
        return 0
    if app_id != APPLICATION_ID:
        raise BookError(t("book.not_kamtui", path=book.path))
    if version > migrations.latest():
        raise BookError(t("book.too_new", path=book.path, version=version))
    return version


def migrate(book: Book, target: int | None = None) -> int:
    """Run the missing steps up to ``target`` (default: latest). Returns the new version.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction together with its
    ``user_version`` bump, so a crash leaves the book at a whole version.
    """
    from kamtui.store.db import APPLICATION_ID

    steps = migrations.steps()
    target = len(steps) if target is None else target
    con = book.conn
    version = check_is_book(book, con)
    if version >= target:
        return version
    if version > 0:
        from kamtui.store.backup import backup_book

        backup_book(book, reason=f"before-migration-v{version}")
    for number, name in steps[version:target]:
        module = migrations.load(name)
        con.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(con) >= number:  # another process got there first
                con.execute("COMMIT")
                continue
            if number == 1:
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            module.upgrade(con)
            if number == target:
                install_undo_triggers(con)
            con.execute(f"PRAGMA user_version = {number}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return target
