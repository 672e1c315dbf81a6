"""Two kamtui processes on one book: nobody sees "database is locked", nothing is lost,
an open app (a long read snapshot) never blocks a writer, and stamps move."""

from __future__ import annotations

import json
import subprocess
import threading

import pytest

from kamtui.contacts import create_contact
from kamtui.errors import BookError
from kamtui.store import db
from kamtui.store.db import Book
from tests.helpers_proc import ROOT, child_env, spawn_args

WRITES = 500


def start(role: str, *args, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        spawn_args(role, *args),
        cwd=ROOT,
        env=child_env(),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    assert "locked" not in err.lower() and "Traceback" not in err, err
    return json.loads(out.strip().splitlines()[-1])


def test_two_writers_and_an_open_reader(tmp_path):
    path = tmp_path / "book.db"
    Book(path).close()
    reader = start("reader", path, stdin=subprocess.PIPE)
    holding = json.loads(reader.stdout.readline())
    assert holding == {"event": "holding", "contacts": 0}
    writers = [start("writer", path, tag, WRITES) for tag in ("A", "B")]
    results = [finish(w) for w in writers]
    # both writers finished while the reader still held its snapshot
    assert reader.poll() is None
    out, err = reader.communicate(input="", timeout=60)
    assert reader.returncode == 0, err
    released = json.loads(out.strip().splitlines()[-1])
    assert released == {"event": "released", "first": 0, "last": 0, "after": 2 * WRITES}
    for r in results:
        assert r["errors"] == [] and r["made"] == WRITES, r
    book = Book(path)
    assert book.scalar("SELECT count(*) FROM contact") == 2 * WRITES
    assert book.scalar("SELECT count(*) FROM interaction") == 2 * WRITES
    for tag in ("A", "B"):
        names = {
            r[0]
            for r in book.query(
                "SELECT nickname FROM contact WHERE wechat_id LIKE ?", (f"{tag}_%",)
            )
        }
        assert names == {f"{tag}-{i}" for i in range(WRITES)}
        linked = book.scalar(
            "SELECT count(*) FROM interaction i JOIN contact c ON c.id = i.contact_id "
            "WHERE c.nickname LIKE ? AND i.summary LIKE ?",
            (f"{tag}-%", f"{tag} %"),
        )
        assert linked == WRITES
    book.close()


def test_two_processes_create_the_same_new_book(tmp_path):
    path = tmp_path / "new" / "book.db"
    writers = [start("writer", path, tag, 20) for tag in ("A", "B")]
    results = [finish(w) for w in writers]
    assert all(r["errors"] == [] and r["made"] == 20 for r in results), results
    book = Book(path)
    assert book.scalar("SELECT count(*) FROM contact") == 40
    book.close()


def test_opening_a_book_keeps_other_processes_from_deleting_our_wal(tmp_path):
    """Opening (and checking) a second Book must not drop this process's POSIX locks
    on the file: if it did, another process closing its last connection would
    delete the WAL and SHM under our open connections (a way to corrupt a book)."""
    path = tmp_path / "book.db"
    keeper = Book(path)
    create_contact(keeper, nickname="A")
    Book(path).close()  # preflight, quick check, migrate check, close
    finish(start("writer", path, "P", 3))
    assert (tmp_path / "book.db-wal").exists() and (tmp_path / "book.db-shm").exists()
    assert keeper.scalar("SELECT count(*) FROM contact") == 4
    keeper.close()


def test_a_write_inside_a_read_snapshot_is_refused(book):
    """Upgrading a read snapshot to a write fails at random in SQLite (SQLITE_BUSY at once,
    no waiting) when another process wrote since it began; the Book refuses it always."""
    with book.snapshot():
        with pytest.raises(RuntimeError, match=r"inside Book\.snapshot"):
            create_contact(book, nickname="x")
    create_contact(book, nickname="x")  # fine outside
    assert book.scalar("SELECT count(*) FROM contact") == 1


def test_waiting_too_long_for_the_lock_is_a_plain_message(tmp_path, monkeypatch):
    path = tmp_path / "book.db"
    Book(path).close()
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    book = Book(path)
    other = db.configure(__import__("sqlite3").connect(path))
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(BookError, match="busy in another program"):
            create_contact(book, nickname="x")
    finally:
        other.execute("ROLLBACK")
        other.close()
    create_contact(book, nickname="x")
    book.close()


def test_stamp_moves_for_a_second_book_when_the_first_commits(tmp_path):
    path = tmp_path / "book.db"
    first, second = Book(path), Book(path)
    seen = second.stamp()
    assert second.stamp() == seen
    create_contact(first, nickname="A")
    moved = second.stamp()
    assert moved != seen
    # taken in another thread, the stamp is the same when nothing changed
    other: list = []
    t = threading.Thread(target=lambda: other.append(second.stamp()))
    t.start()
    t.join()
    assert other == [moved]
    # another process's commit moves it too
    finish(start("writer", path, "P", 1))
    assert second.stamp() != moved
    first.close()
    second.close()
