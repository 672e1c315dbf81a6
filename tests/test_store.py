import os
import sqlite3
import stat

import pytest

from kamtui.errors import BookError
from kamtui.store import migrations
from kamtui.store.db import APPLICATION_ID, Book
from kamtui.store.migrate import migrate


def test_new_book_is_private_and_current(tmp_path):
    path = tmp_path / "data" / "book.db"
    book = Book(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert book.scalar("PRAGMA user_version") == migrations.latest()
    assert book.scalar("PRAGMA application_id") == APPLICATION_ID
    assert book.scalar("PRAGMA journal_mode") == "wal"
    assert book.scalar("PRAGMA foreign_keys") == 1
    assert book.scalar("PRAGMA synchronous") == 2  # FULL
    book.close()


def test_models_match_migrated_schema(book):
    from sqlmodel import SQLModel

    import kamtui.store.models  # noqa: F401  (registers the tables)

    for table in SQLModel.metadata.sorted_tables:
        info = book.query(f'PRAGMA table_info("{table.name}")')
        assert info, f"table {table.name} missing from the migrations"
        db_cols = {r[1]: (bool(r[3]) or bool(r[5])) for r in info}
        model_cols = {c.name: (not c.nullable) for c in table.columns}
        assert db_cols == model_cols, table.name
        db_indexes = {r[1] for r in book.query(f'PRAGMA index_list("{table.name}")')}
        for ix in table.indexes:
            assert ix.name in db_indexes, f"{table.name}.{ix.name}"
    db_tables = {r[0] for r in book.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert db_tables == set(SQLModel.metadata.tables)


def test_not_a_book_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(BookError, match="not a kamtui book"):
        Book(path)
    assert path.read_bytes() == before


def test_garbage_file_is_refused(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(BookError, match="damaged or not a database"):
        Book(path)


def test_too_new_book_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Book(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {migrations.latest() + 1}")
    con.close()
    with pytest.raises(BookError, match="newer kamtui"):
        Book(path)


def test_transaction_is_all_or_nothing(book):
    with pytest.raises(RuntimeError), book.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('A')")
        raise RuntimeError("boom")
    assert book.query("SELECT count(*) FROM account") == [(0,)]


def test_undo_restores_inserts_updates_and_deletes(book):
    from kamtui.store.undo import last_action, undo_action

    with book.transaction() as con:
        con.execute("INSERT INTO account (name, note) VALUES ('A', 'first')")
        con.execute("INSERT INTO account (name, note) VALUES ('B', 'second')")
    with book.transaction(undo="mixed") as con:
        con.execute("UPDATE account SET note = 'changed' WHERE name = 'A'")
        con.execute("UPDATE account SET note = 'changed twice' WHERE name = 'A'")
        con.execute("DELETE FROM account WHERE name = 'B'")
        con.execute("INSERT INTO account (name) VALUES ('C')")
    info = last_action(book.conn)
    assert info.label == "mixed" and info.rows == 4
    with book.transaction() as con:
        undo_action(con, info.id)
    assert book.query("SELECT name, note FROM account ORDER BY name") == [
        ("A", "first"),
        ("B", "second"),
    ]
    assert last_action(book.conn) is None
    # recording is off again: a plain write adds no before-images
    with book.transaction() as con:
        con.execute("UPDATE account SET note = 'x'")
    assert book.scalar("SELECT count(*) FROM undo_row") == 4


def test_migration_from_first_schema_keeps_data_and_backs_up(tmp_path):
    """A book made by schema version 1 migrates to the latest with its rows intact."""
    path = tmp_path / "old.db"
    old = Book(path, migrate=False)
    migrate(old, target=1)
    with old.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('主号')")
        con.execute(
            "INSERT INTO contact (account_id, nickname, added_on) VALUES (1, '张三', '2026-01-02')"
        )
    old.close()
    book = Book(path)
    assert book.scalar("PRAGMA user_version") == migrations.latest()
    assert book.query("SELECT nickname, added_on FROM contact") == [("张三", "2026-01-02")]
    from kamtui.store.backup import list_backups

    if migrations.latest() > 1:
        backups = list_backups(path)
        assert len(backups) == 1
        assert stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600
        con = sqlite3.connect(backups[0])
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
        con.close()
    book.close()


def test_stamp_moves_on_own_and_foreign_commits(book):
    first = book.stamp()
    assert book.stamp() == first
    with book.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('A')")
    second = book.stamp()
    assert second != first
    other = Book(book.path)
    with other.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('B')")
    other.close()
    assert book.stamp() != second


def test_foreign_stamp_ignores_own_writes(book):
    first = book.foreign_stamp()
    with book.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('mine')")
    assert book.foreign_stamp() == first  # our own change: caches update in place
    other = Book(book.path)
    with other.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('theirs')")
    other.close()
    assert book.foreign_stamp() != first
