"""Data safety: backups and thinning, damaged books, check, restore, undo, forget."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kamtui import safety
from kamtui.cli import main
from kamtui.contacts import archive_contacts, create_contact, merge_contacts
from kamtui.errors import BookError, KamtuiError
from kamtui.interactions import log_interaction
from kamtui.store import backup, check
from kamtui.store.backup import BackupInfo, plan_thinning
from kamtui.store.check import DamagedBook
from kamtui.store.db import Book
from tests.helpers_proc import fill_book


def checkpoint(book: Book) -> None:
    book.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def damage(path: Path, pages: int = 3) -> None:
    """Overwrite a few pages in the middle of a closed book with garbage."""
    size = path.stat().st_size
    start = (size // 2) // 4096 * 4096
    with open(path, "r+b") as f:
        f.seek(start)
        f.write(os.urandom(4096 * pages))


@pytest.fixture
def filled(tmp_path):
    """A closed book of 3,000 contacts (a few MB: checked in full on open)."""
    return fill_book(tmp_path / "book.db", 3000, interactions_per=2)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---- backups ---------------------------------------------------------------------


def test_safety_backup_is_private_consistent_and_named(book):
    create_contact(book, nickname="张三")
    with book.transaction():
        # a write in progress elsewhere is not in the copy: the backup reads committed data
        other = sqlite3.connect(book.path, isolation_level=None)
        path = backup.safety_backup(book, "import")
        other.close()
    assert path.name.endswith("-before-import.db")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    con = sqlite3.connect(path)
    assert con.execute("SELECT nickname FROM contact").fetchall() == [("张三",)]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert not list(path.parent.glob("*.part"))


def test_backup_sees_only_committed_data(book, tmp_path):
    create_contact(book, nickname="committed")
    writer = Book(book.path)
    with writer.transaction() as con:
        con.execute("INSERT INTO contact (nickname, added_on) VALUES ('pending', '2026-01-01')")
        path = backup.backup_book(book, dest=tmp_path / "copy.db")
    writer.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT nickname FROM contact").fetchall() == [("committed",)]
    con.close()


def test_bulk_backups_are_throttled_per_reason(book):
    t0 = datetime(2026, 11, 24, 10, 0)
    first = backup.safety_backup(book, "bulk", now=t0)
    assert first is not None
    assert backup.safety_backup(book, "bulk", now=t0 + timedelta(minutes=5)) is None
    assert backup.safety_backup(book, "merge", now=t0 + timedelta(minutes=6)) is not None
    # a backup for another reason in between: the next bulk action gets its own
    assert backup.safety_backup(book, "bulk", now=t0 + timedelta(minutes=7)) is not None
    assert backup.safety_backup(book, "bulk", now=t0 + timedelta(minutes=30)) is not None
    # imports are never throttled
    assert backup.safety_backup(book, "import", now=t0 + timedelta(minutes=31)) is not None
    assert backup.safety_backup(book, "import", now=t0 + timedelta(minutes=32)) is not None
    reasons = [i.reason for i in backup.backups(book.path)]
    assert reasons.count("before-bulk") == 3 and reasons.count("before-import") == 2


def test_daily_backup_once_a_day_then_thinned(book):
    day = date(2026, 11, 24)
    assert backup.daily_backup_due(book.path, day)
    made = backup.daily_backup_if_due(book, day, now=datetime(2026, 11, 24, 8, 0))
    assert made is not None and made.name.endswith("-daily.db")
    assert backup.daily_backup_if_due(book, day, now=datetime(2026, 11, 24, 9, 0)) is None
    for n in range(1, 40):
        when = datetime(2026, 11, 24, 8, 0) + timedelta(days=n)
        assert backup.daily_backup_if_due(book, when.date(), now=when) is not None
    dailies = [i for i in backup.backups(book.path) if i.reason == "daily"]
    # 7 days, then the newest of older weeks and months (see the policy)
    assert 7 < len(dailies) <= 7 + 4 + 6
    newest = dailies[0].taken_at.date()
    assert newest == date(2026, 11, 24) + timedelta(days=39)
    days = {i.taken_at.date() for i in dailies}
    assert {newest - timedelta(days=k) for k in range(7)} <= days


def _infos(moments, reason="daily"):
    return [BackupInfo(Path(f"b-{m:%Y%m%d%H%M%S}-{reason}"), m, reason) for m in moments]


def test_thinning_policy_daily_weekly_monthly():
    now = datetime(2026, 11, 24, 9, 0)
    infos = _infos([now - timedelta(days=d) for d in range(400)])
    keep, drop = plan_thinning(infos, keep_daily=7, keep_weekly=4, keep_monthly=6, now=now)
    kept = sorted((i.taken_at.date() for i in keep), reverse=True)
    assert kept[:7] == [now.date() - timedelta(days=d) for d in range(7)]
    weeks = {d.isocalendar()[:2] for d in kept}
    months = {(d.year, d.month) for d in kept}
    assert len(weeks) >= 4 and len(months) == 6
    assert len(keep) <= 7 + 4 + 6
    assert len(keep) + len(drop) == 400


def test_thinning_never_drops_newest_manual_or_fresh_safety_backups():
    now = datetime(2026, 11, 24, 9, 0)
    old = now - timedelta(days=300)
    infos = (
        _infos([old], "manual")
        + _infos([now - timedelta(days=400 + d) for d in range(3)], "before-migration-v1")
        + _infos([now - timedelta(hours=h) for h in range(1, 9)], "before-bulk")
        + _infos([now - timedelta(days=20)], "before-import")
        + _infos([now - timedelta(days=500)], "daily")
    )
    keep, _ = plan_thinning(infos, keep_daily=0, keep_weekly=0, keep_monthly=0, now=now)
    kept = {(i.reason, i.taken_at) for i in keep}
    assert ("manual", old) in kept
    assert ("before-bulk", now - timedelta(hours=1)) in kept  # the newest of all
    assert sum(1 for r, _ in kept if r == "before-bulk") == backup.EVENT_KEEP_PER_REASON
    assert ("before-migration-v1", now - timedelta(days=400)) in kept  # newest migration
    assert sum(1 for r, _ in kept if r.startswith("before-migration")) == 1
    assert ("before-import", now - timedelta(days=20)) not in kept  # past the grace days
    # with nothing else, even an old automatic backup stays if it is the newest
    only = _infos([now - timedelta(days=900)], "before-bulk")
    assert plan_thinning(only, keep_daily=0, keep_weekly=0, keep_monthly=0, now=now)[0] == only


def test_thin_backups_touches_only_backups(book):
    folder = backup.backup_dir(book.path)
    old = datetime(2026, 1, 1, 9, 0)
    for d in range(20):
        backup.backup_book(
            book, "daily", dest=backup.backup_name(book.path, "daily", old + timedelta(days=d))
        )
    (folder / "notes.txt").write_text("mine")
    stale = folder / "book-20250101-000000000000-daily.db.part"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    deleted = backup.thin_backups(
        book.path, keep_daily=3, keep_weekly=0, keep_monthly=0, now=old + timedelta(days=20)
    )
    assert len(deleted) == 17
    assert (folder / "notes.txt").exists() and not stale.exists()
    assert len(backup.backups(book.path)) == 3


def test_failed_backup_leaves_nothing_and_says_so(book, monkeypatch):
    def no_space(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup.os, "replace", no_space)
    with pytest.raises(backup.BackupFailed, match="No space left"):
        backup.safety_backup(book, "import")
    assert backup.backups(book.path) == []
    assert not list(backup.backup_dir(book.path).glob("*.part"))


def test_expiry_dates_follow_the_policy():
    now = datetime(2026, 11, 24, 9, 0)
    infos = _infos([now - timedelta(days=d) for d in range(10)]) + _infos([now], "manual")
    gone = backup.expiry_dates(infos, now=now)
    manual = next(i for i in infos if i.reason == "manual")
    assert gone[manual.path] is None
    oldest = min((i for i in infos if i.automatic), key=lambda i: i.taken_at)
    assert gone[oldest.path] is not None
    last = max(d for p, d in gone.items() if p != manual.path)
    # the newest of each week and month is kept, and newer dailies take those places:
    # the week of Nov 22 is the last to go, when a fifth newer week begins
    assert last == date(2026, 12, 14)


# ---- check, damaged books ------------------------------------------------------------------


def test_check_says_ok(filled, capsys):
    assert main(["--db", str(filled), "check"]) == 0
    out = capsys.readouterr().out
    assert "Integrity check: ok" in out and "Verdict: the book is sound" in out
    assert main(["--db", str(filled), "check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["integrity"] == ["ok"] and data["schema_version"] >= 1


def test_check_missing_book(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.db"), "check"]) == 1
    assert "No book at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_check_reports_broken_links(filled, capsys):
    con = sqlite3.connect(filled)
    con.execute(
        "INSERT INTO interaction (contact_id, kind, occurred_on) "
        "VALUES (999999, 'chat', '2026-01-01')"
    )
    con.commit()
    con.close()
    assert main(["--db", str(filled), "check"]) == 1
    out = capsys.readouterr().out
    assert "Foreign key check: 1 rows point at missing records" in out
    assert "DAMAGED" in out


def test_damaged_book_end_to_end(filled, capsys):
    """A damaged book: check fails clearly, every command names the newest good
    backup, and restoring it brings the data back."""
    book = Book(filled)
    good = backup.safety_backup(book, "import", now=datetime(2026, 11, 23, 14, 2))
    create_contact(book, nickname="after the backup")
    checkpoint(book)
    book.close()
    # a newer backup that is itself damaged must not be offered
    bad = backup.backup_name(filled, "before-bulk", datetime(2026, 11, 24, 9, 0))
    shutil.copy(good, bad)
    damage(bad)
    damage(filled)

    assert main(["--db", str(filled), "check"]) == 1
    out = capsys.readouterr().out
    assert "Verdict: the book is DAMAGED" in out
    assert "The newest good backup is from 2026-11-23 14:02" in out
    assert f"restore {good}" in out and str(bad) not in out

    with pytest.raises(DamagedBook) as err:
        Book(filled)
    assert err.value.backup.path == good
    assert err.value.restore_command.endswith(f"restore {good}")

    for command in (["info"], ["accounts"], ["undo"], ["backup"]):
        assert main(["--db", str(filled), *command]) == 1
        captured = capsys.readouterr()
        assert "is damaged" in captured.err and f"restore {good}" in captured.err, command
        assert "Traceback" not in captured.err

    assert main(["--db", str(filled), "restore", str(good)]) == 0
    out = capsys.readouterr().out
    assert "Restored the book" in out and "3000 contacts" in out and "damaged book is kept" in out
    assert main(["--db", str(filled), "check"]) == 0
    restored = Book(filled)
    assert restored.scalar("SELECT count(*) FROM contact") == 3000
    assert restored.scalar("SELECT count(*) FROM interaction") == 6000
    restored.close()
    kept = [p for p in backup.backup_dir(filled).iterdir() if p.name.startswith("damaged-")]
    assert len(kept) == 1 and (kept[0] / "book.db").exists()
    assert mode(kept[0]) == 0o700 and mode(kept[0] / "book.db") == 0o600


def test_damage_met_by_a_query_is_a_damaged_book(filled, monkeypatch):
    book = Book(filled)
    backup.safety_backup(book, "import")
    checkpoint(book)
    book.close()
    damage(filled, pages=20)
    monkeypatch.setattr(check, "OPEN_CHECK_MAX_BYTES", 0)  # as for a big book: no check on open
    book = Book(filled)
    with pytest.raises(DamagedBook, match="newest good backup"):
        book.query("SELECT sum(length(description)) FROM contact")
    with pytest.raises(DamagedBook):
        with book.transaction() as con:
            con.execute("UPDATE contact SET favourite = 1")
    book.close()


def test_open_check_gives_up_quietly_when_over_budget(filled):
    class Interrupted:
        def execute(self, sql):
            raise sqlite3.OperationalError("interrupted")

        def interrupt(self):
            pass

    assert check.open_check(Interrupted(), filled) is False
    con = sqlite3.connect(filled)
    assert check.open_check(con, filled) is True
    con.close()


def test_daily_backup_is_the_daily_check(filled, monkeypatch):
    book = Book(filled)
    first = backup.daily_backup_if_due(book, date(2026, 11, 23), now=datetime(2026, 11, 23, 8, 0))
    checkpoint(book)
    book.close()
    damage(filled)
    monkeypatch.setattr(check, "OPEN_CHECK_MAX_BYTES", 0)
    book = Book(filled)
    with pytest.raises(DamagedBook) as err:
        backup.daily_backup_if_due(book, date(2026, 11, 24), now=datetime(2026, 11, 24, 8, 0))
    book.close()
    assert err.value.backup.path == first
    assert backup.list_backups(filled) == [first]  # the damaged copy was not kept


def test_destroyed_header_offers_the_backup_and_restores(filled, capsys):
    book = Book(filled)
    good = backup.safety_backup(book, "import")
    checkpoint(book)
    book.close()
    with open(filled, "r+b") as f:
        f.write(b"garbage!" * 16)
    with pytest.raises(DamagedBook, match="damaged or not a database") as err:
        Book(filled)
    assert err.value.backup.path == good
    assert main(["--db", str(filled), "restore", str(good)]) == 0
    capsys.readouterr()
    assert main(["--db", str(filled), "check"]) == 0


def test_garbage_without_backup_still_says_damaged(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(BookError, match="No good backup was found"):
        Book(path)


# ---- restore ----------------------------------------------------------------------


def test_restore_backs_up_current_book_first(book, capsys):
    create_contact(book, nickname="old friend")
    saved = backup.backup_book(book, "manual")
    create_contact(book, nickname="added later")
    watcher = Book(book.path)  # an app left open on the book
    before = watcher.stamp()
    assert main(["--db", str(book.path), "restore", str(saved), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["contacts"] == 1
    previous = Path(report["previous_book_backup"])
    assert previous.name.endswith("-before-restore.db") and mode(previous) == 0o600
    con = sqlite3.connect(previous)
    assert sorted(r[0] for r in con.execute("SELECT nickname FROM contact")) == [
        "added later",
        "old friend",
    ]
    con.close()
    assert watcher.stamp() != before
    assert watcher.query("SELECT nickname FROM contact") == [("old friend",)]
    assert mode(book.path) == 0o600
    watcher.close()
    # the book still works, in WAL mode
    fresh = Book(book.path)
    assert fresh.scalar("PRAGMA journal_mode") == "wal"
    create_contact(fresh, nickname="after restore")
    fresh.close()


def test_restore_into_a_new_place(book, tmp_path, capsys):
    create_contact(book, nickname="张三")
    saved = backup.backup_book(book, "manual")
    target = tmp_path / "elsewhere" / "book.db"
    assert main(["--db", str(target), "restore", str(saved)]) == 0
    capsys.readouterr()
    other = Book(target)
    assert other.query("SELECT nickname FROM contact") == [("张三",)]
    other.close()


@pytest.mark.parametrize("kind", ["missing", "garbage", "foreign", "too_new", "damaged", "itself"])
def test_restore_refuses_bad_sources_and_changes_nothing(filled, tmp_path, capsys, kind):
    src = tmp_path / f"{kind}.db"
    if kind == "garbage":
        src.write_bytes(b"not a database" * 500)
    elif kind == "foreign":
        con = sqlite3.connect(src)
        con.execute("CREATE TABLE notes (x)")
        con.commit()
        con.close()
    elif kind in ("too_new", "damaged"):
        book = Book(filled)
        backup.backup_book(book, dest=src)
        book.close()
        if kind == "too_new":
            con = sqlite3.connect(src)
            con.execute("PRAGMA user_version = 999")
            con.close()
        else:
            damage(src)
    elif kind == "itself":
        src = filled
    before = sqlite3.connect(filled).execute("SELECT count(*), sum(id) FROM contact").fetchone()
    assert main(["--db", str(filled), "restore", str(src)]) == 1
    err = capsys.readouterr().err
    expected = {
        "missing": "No backup file",
        "garbage": "itself damaged",
        "foreign": "not a kamtui book",
        "too_new": "newer kamtui",
        "damaged": "itself damaged",
        "itself": "is the book itself",
    }[kind]
    assert expected in err
    after = sqlite3.connect(filled).execute("SELECT count(*), sum(id) FROM contact").fetchone()
    assert after == before
    assert backup.backups(filled) == []  # refused before backing anything up


def test_restore_does_not_overwrite_a_foreign_database(book, tmp_path, capsys):
    saved = backup.backup_book(book, "manual")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    assert main(["--db", str(other), "restore", str(saved)]) == 1
    assert "will not be overwritten" in capsys.readouterr().err
    assert sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall() == [
        ("notes",)
    ]


# ---- undo ---------------------------------------------------------------------------


def test_undo_command_shows_and_undoes_the_last_action(book, capsys):
    ids = [create_contact(book, nickname=f"c{i}") for i in range(3)]
    archive_contacts(book, ids)
    db = str(book.path)
    assert main(["--db", db, "undo", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["label"], a["rows"]) for a in listed] == [("archive 3 contacts", 3)]
    assert main(["--db", db, "undo", "--list"]) == 0
    assert "archive 3 contacts (3 rows)" in capsys.readouterr().out
    assert main(["--db", db, "undo"]) == 0
    assert "Undone: archive 3 contacts" in capsys.readouterr().out
    assert book.scalar("SELECT count(*) FROM contact WHERE archived = 1") == 0
    assert main(["--db", db, "undo", "--json"]) == 1
    assert "Nothing to undo" in capsys.readouterr().err


def test_undo_refuses_when_later_work_depends_on_it(book):
    with book.transaction(undo="import") as con:
        con.execute("INSERT INTO contact (nickname, added_on) VALUES ('imported', '2026-01-01')")
    cid = book.scalar("SELECT id FROM contact")
    log_interaction(book, cid, "chat", "bought later")
    with pytest.raises(KamtuiError, match="later changes depend on it"):
        safety.undo_last(book)
    assert book.scalar("SELECT count(*) FROM contact") == 1
    assert book.scalar("SELECT count(*) FROM interaction") == 1
    assert safety.undoable_actions(book)[0].label == "import"


def test_big_undo_backs_up_first(book):
    with book.transaction() as con:
        con.executemany(
            "INSERT INTO contact (nickname, added_on) VALUES (?, '2026-01-01')",
            [(f"n{i}",) for i in range(200)],
        )
    archive_contacts(book, [r[0] for r in book.query("SELECT id FROM contact")])
    assert [i.reason for i in backup.backups(book.path)] == ["before-bulk"]
    result = safety.undo_last(book)
    assert result.rows == 200
    assert [i.reason for i in backup.backups(book.path)] == ["before-undo", "before-bulk"]


# ---- forget -----------------------------------------------------------------------


def _raw_bytes(path: Path) -> bytes:
    # (reading the file drops this process's POSIX locks on it: harmless in a
    # one-process test, never done by kamtui itself)
    data = b""
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        if p.exists():
            data += p.read_bytes()
    return data


def test_forget_erases_everywhere_and_reports_backups(book, capsys):
    secret = "SECRET-7f3a9c-desc"
    keep = create_contact(book, nickname="Keeper", description="stays")
    gone = create_contact(
        book, nickname="Zhang Forget", wechat_id="wx_forget_7f3a9c", description=secret
    )
    other = create_contact(book, nickname="Other")
    log_interaction(book, gone, "chat", f"talked {secret}")
    twin = create_contact(book, nickname="Zhang Twin", description="twin")
    merge_contacts(book, gone, twin)  # the twin's record moves onto the person to forget
    archive_contacts(book, [gone, other])  # a bulk action that also touched someone else
    held = backup.safety_backup(book, "import", now=datetime.now() - timedelta(days=2))
    checkpoint(book)
    assert secret.encode() in _raw_bytes(book.path)

    assert main(["--db", str(book.path), "forget", str(gone), "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"Erased #{gone} Zhang Forget for good" in out
    assert "no longer in it" in out
    n = len([b for b in backup.backups(book.path) if b.reason != "manual"])
    assert f"{n} older backups still hold them" in out and n >= 2  # before-merge, -bulk…
    assert held.exists()

    assert book.scalar("SELECT count(*) FROM contact WHERE id = ?", (gone,)) == 0
    assert book.scalar("SELECT count(*) FROM interaction") == 0
    assert book.scalar("SELECT count(*) FROM undo_row WHERE old LIKE ?", (f"%{secret}%",)) == 0
    labels = [r[0] for r in book.query("SELECT label FROM undo_action")]
    assert not any("Zhang Forget" in label for label in labels)
    assert secret.encode() not in _raw_bytes(book.path)
    assert b"wx_forget_7f3a9c" not in _raw_bytes(book.path)
    # what is left of the undo history still works: the other contact comes back
    result = safety.undo_last(book, backup=False)
    assert result.rows >= 1
    assert book.scalar("SELECT archived FROM contact WHERE id = ?", (other,)) == 0
    assert book.scalar("SELECT count(*) FROM contact WHERE id = ?", (keep,)) == 1
    assert main(["--db", str(book.path), "check"]) == 0


def test_forget_report_dates(book):
    cid = create_contact(book, nickname="A")
    backup.daily_backup_if_due(book, date(2026, 11, 24), now=datetime(2026, 11, 24, 8, 0))
    backup.backup_book(book, "manual")
    report = safety.forget_contact(book, cid, now=datetime(2026, 11, 24, 12, 0))
    assert len(report.backups) == 1 and len(report.manual_backups) == 1
    # a Tuesday: newer dailies take its day, week and month; gone after the 7 dailies
    assert report.oldest_gone_on == report.all_gone_on == date(2026, 12, 1)
    data = report.as_dict()
    assert data["wiped_from_file"] is True and data["rows_erased"] == {"contact": 1}


def test_forget_by_name_needs_an_id_when_ambiguous(book, capsys, monkeypatch):
    a = create_contact(book, nickname="王芳")
    b = create_contact(book, remark="王芳", nickname="fang")
    assert main(["--db", str(book.path), "forget", "王芳", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "2 contacts match" in err and f"#{a}" in err and f"#{b}" in err
    assert book.scalar("SELECT count(*) FROM contact") == 2

    from kamtui.commands import forget as command

    answers = iter([str(b), "yes"])
    monkeypatch.setattr(command, "interactive", lambda: True)
    monkeypatch.setattr(command, "ask", lambda prompt: next(answers))
    assert main(["--db", str(book.path), "forget", "王芳"]) == 0
    assert "This cannot be undone" in capsys.readouterr().out
    assert [r[0] for r in book.query("SELECT id FROM contact")] == [a]


def test_forget_asks_and_can_be_cancelled(book, capsys, monkeypatch):
    cid = create_contact(book, nickname="Li", wechat_id="Li_WX")
    assert main(["--db", str(book.path), "forget", "li_wx"]) == 1  # no terminal, no --yes
    assert "add --yes" in capsys.readouterr().err
    from kamtui.commands import forget as command

    monkeypatch.setattr(command, "interactive", lambda: True)
    monkeypatch.setattr(command, "ask", lambda prompt: "no")
    assert main(["--db", str(book.path), "forget", f"#{cid}"]) == 1
    assert "Cancelled" in capsys.readouterr().out
    assert book.scalar("SELECT count(*) FROM contact") == 1
    assert main(["--db", str(book.path), "forget", "nobody", "--yes"]) == 1
    assert "No contact “nobody”" in capsys.readouterr().err


def test_forget_while_another_window_reads(book, monkeypatch):
    monkeypatch.setattr(safety, "CHECKPOINT_WAIT_MS", 100)
    cid = create_contact(book, nickname="A")
    create_contact(book, nickname="B")
    reader = Book(book.path)
    with reader.snapshot() as con:
        con.execute("SELECT count(*) FROM contact").fetchone()
        report = safety.forget_contact(book, cid)
    reader.close()
    assert report.wiped is False
    assert book.scalar("SELECT count(*) FROM contact") == 1


# ---- backup command ------------------------------------------------------------------


def test_backup_command(book, tmp_path, capsys):
    create_contact(book, nickname="A")
    db = str(book.path)
    assert main(["--db", db, "backup"]) == 0
    out = capsys.readouterr().out
    assert "Backed up to" in out and "-manual.db" in out
    target = tmp_path / "copy.db"
    assert main(["--db", db, "backup", "-o", str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(target)
    assert mode(target) == 0o600
    assert main(["--db", db, "backup", "-o", str(target)]) == 1
    assert "will not be overwritten" in capsys.readouterr().err
    assert main(["--db", db, "backup", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert [b["reason"] for b in listed] == ["manual"]
