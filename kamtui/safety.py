"""Data safety for the seller: undo, restore from a backup, and erasing a person.

The store layer does the mechanics (:mod:`kamtui.store.backup`,
:mod:`kamtui.store.check`, :mod:`kamtui.store.undo`); this module is what
the CLI and the app call:

* :func:`undoable_actions` / :func:`undo_last`: the undo stack (``u`` in the app).
* :func:`restore_book`: replace the book with a backup, safely.
* :func:`find_contacts` / :func:`erasure_preview` / :func:`forget_contact`:
  the right to deletion (PIPL art. 47): a person is erased from the book,
  from the undo history and from the file's free space; what older backups
  still hold is reported plainly.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui.errors import BookError, KamtuiError, NotFound
from kamtui.i18n import t
from kamtui.store.backup import BackupFailed  # noqa: F401  (re-exported for the UI)
from kamtui.store.check import DamagedBook  # noqa: F401  (re-exported for the UI)

if TYPE_CHECKING:
    from kamtui.store.backup import BackupInfo
    from kamtui.store.db import Book
    from kamtui.store.undo import UndoInfo

# An undo bigger than this many rows gets a safety backup first (throttled).
UNDO_BACKUP_ROWS = 100
# How long forget waits for other readers before leaving the last wipe to them.
CHECKPOINT_WAIT_MS = 2000


# ---- undo -------------------------------------------------------------------


def undoable_actions(book: Book, limit: int = 20) -> list[UndoInfo]:
    """Actions that can still be undone, newest first (``undo_last`` takes the first)."""
    from kamtui.store.undo import UndoInfo

    rows = book.query(
        """
        SELECT a.id, a.label, a.created_at,
               (SELECT count(*) FROM undo_row r WHERE r.action_id = a.id)
        FROM undo_action a WHERE a.undone_at IS NULL
        ORDER BY a.id DESC LIMIT ?
        """,
        (limit,),
    )
    return [UndoInfo(r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in rows]


@dataclass(frozen=True)
class UndoResult:
    action: UndoInfo
    rows: int  # before-images replayed

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.action.id,
            "label": self.action.label,
            "created_at": self.action.created_at.isoformat(),
            "rows": self.rows,
        }


def undo_last(book: Book, *, backup: bool = True) -> UndoResult:
    """Undo the newest action not undone yet, as one transaction.

    Raises :class:`KamtuiError` if there is nothing to undo, or if later
    changes depend on it (say a contact added by an import got a purchase
    since: undoing the import would orphan it). A big undo is preceded by a
    (throttled) safety backup.
    """
    from kamtui.store.undo import UndoConflict, last_action, undo_action

    peek = last_action(book.conn)
    if peek is None:
        raise KamtuiError(t("err.nothing_to_undo"))
    if backup and peek.rows > UNDO_BACKUP_ROWS:
        from kamtui.store.backup import safety_backup

        safety_backup(book, "undo")
    try:
        with book.transaction() as con:
            info = last_action(con)  # again, under the write lock
            if info is None:
                raise KamtuiError(t("err.nothing_to_undo"))
            rows = undo_action(con, info.id)
    except sqlite3.IntegrityError as exc:
        raise KamtuiError(t("safety.undo_conflict", label=peek.label, error=exc)) from exc
    except UndoConflict:
        raise KamtuiError(t("safety.undo_changed_since", label=peek.label)) from None
    return UndoResult(info, rows)


# ---- restore ----------------------------------------------------------------


@dataclass
class RestoreReport:
    book: Path
    source: Path
    source_taken_at: datetime | None
    previous: Path | None  # backup of the book as it was (None if there was no book)
    preserved: Path | None  # raw copy of a damaged book (None if it was sound)
    schema_from: int
    schema_to: int
    contacts: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "book": str(self.book),
            "source": str(self.source),
            "source_taken_at": self.source_taken_at.isoformat(timespec="seconds")
            if self.source_taken_at
            else None,
            "previous_book_backup": str(self.previous) if self.previous else None,
            "damaged_book_kept_in": str(self.preserved) if self.preserved else None,
            "schema_from": self.schema_from,
            "schema_to": self.schema_to,
            "contacts": self.contacts,
        }


def check_restore_source(source: Path, book_path: Path | None = None):
    """Refuse (``BookError``) a file that is not a sound kamtui book this kamtui can open.

    Returns its :class:`~kamtui.store.check.CheckReport`. Reads only.
    """
    from kamtui.store.check import check_book_file

    source = Path(source)
    if not source.is_file():
        raise NotFound(t("safety.restore_missing", path=source))
    book_path = Path(book_path) if book_path is not None else None
    if book_path is not None and book_path.exists() and source.resolve() == book_path.resolve():
        raise BookError(t("safety.restore_same", path=source))
    report = check_book_file(source, read_only=True)
    if not report.readable:
        raise BookError(
            t("safety.restore_damaged", path=source, detail=report.error or "unreadable")
        )
    if not report.is_book or not report.schema_version:
        raise BookError(t("safety.restore_not_book", path=source))
    if report.schema_version > report.latest_version:
        raise BookError(t("safety.restore_too_new", path=source, version=report.schema_version))
    if report.integrity or report.foreign_keys:
        detail = "; ".join(report.integrity[:2]) or f"foreign keys: {len(report.foreign_keys)}"
        raise BookError(t("safety.restore_damaged", path=source, detail=detail))
    return report


def _current_book_state(book_path: Path) -> str:
    """``missing``, ``sound``, ``damaged`` or ``foreign`` (a database that is not a kamtui book)."""
    from kamtui.store.check import is_corruption
    from kamtui.store.db import APPLICATION_ID, BUSY_TIMEOUT_MS

    if not book_path.exists() or book_path.stat().st_size == 0:
        return "missing"
    try:
        con = sqlite3.connect(book_path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID and tables:
                return "foreign"
            rows = [r[0] for r in con.execute("PRAGMA quick_check")]
            return "sound" if rows == ["ok"] else "damaged"
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return "damaged"
        raise


_COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"


def _preserve_damaged(book_path: Path, when: datetime) -> Path:
    """Keep the damaged book's files as they are (a forensic copy, never thinned).

    The bytes are copied by a child process: closing a file descriptor on the
    book here would drop the POSIX locks of any SQLite connection this
    process still has on it (see :func:`kamtui.store.check.open_check`).
    """
    from kamtui.paths import ensure_private_dir
    from kamtui.store.backup import backup_dir

    folder = backup_dir(book_path) / f"damaged-{when.strftime('%Y%m%d-%H%M%S%f')}"
    ensure_private_dir(folder)
    for suffix in ("", "-wal"):
        src = Path(str(book_path) + suffix)
        if src.exists():
            dest = folder / src.name
            fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            subprocess.run([sys.executable, "-c", _COPY, str(src), str(dest)], check=True)
    return folder


def _copy_into_book(source_con: sqlite3.Connection, book_path: Path) -> None:
    """Write the source over the book through the backup API (WAL and SHM stay coherent,
    and an app still open on the book sees the new content on its next read)."""
    from kamtui.store.db import BUSY_TIMEOUT_MS, configure, create_private_file

    create_private_file(book_path)
    dest = sqlite3.connect(book_path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        configure(dest)
        source_con.backup(dest)
        dest.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dest.close()


def _replace_book_file(source_con: sqlite3.Connection, book_path: Path) -> None:
    """For a book SQLite cannot even write to (a destroyed header): build the copy
    beside it, drop the old WAL and SHM (they belong to the damaged file) and
    rename the copy into place."""
    from kamtui.store.backup import copy_database

    tmp = book_path.with_name(book_path.name + ".restoring")
    if tmp.exists():
        tmp.unlink()
    copy_database(source_con, tmp)
    for suffix in ("-wal", "-shm"):
        stale = Path(str(book_path) + suffix)
        if stale.exists():
            stale.unlink()
    os.replace(tmp, book_path)
    os.chmod(book_path, 0o600)


def restore_book(book_path: Path, source: Path, *, now: datetime | None = None) -> RestoreReport:
    """Replace the book with the backup ``source``.

    1. ``source`` must be a kamtui book with a schema this kamtui can migrate,
       passing ``integrity_check`` and ``foreign_key_check`` (else nothing changes).
    2. The current book is backed up first (``before-restore``), or, if it is
       damaged, its files are kept as they are in ``<backups>/damaged-…/``.
    3. The backup is written into the book through SQLite's backup API.
    4. The book is opened, which migrates it if the backup was older.
    """
    from kamtui.store.backup import backup_name, copy_database, parse_name
    from kamtui.store.check import is_corruption
    from kamtui.store.db import Book

    book_path, source = Path(book_path), Path(source)
    now = now or datetime.now()
    report = check_restore_source(source, book_path)
    state = _current_book_state(book_path)
    if state == "foreign":
        raise BookError(t("safety.restore_target_not_book", path=book_path))
    previous = preserved = None
    if state == "sound":
        con = sqlite3.connect(book_path)
        try:
            previous = copy_database(con, backup_name(book_path, "before-restore", now))
        finally:
            con.close()
    elif state == "damaged":
        preserved = _preserve_damaged(book_path, now)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            _copy_into_book(src, book_path)
        except sqlite3.DatabaseError as exc:
            if state != "damaged" and not is_corruption(exc):
                raise
            _replace_book_file(src, book_path)
    finally:
        src.close()
    book = Book(book_path)
    try:
        contacts = book.scalar("SELECT count(*) FROM contact")
        schema_to = book.scalar("PRAGMA user_version")
    finally:
        book.close()
    info = parse_name(source)
    taken = info.taken_at if info else datetime.fromtimestamp(source.stat().st_mtime)
    return RestoreReport(
        book=book_path,
        source=source,
        source_taken_at=taken,
        previous=previous,
        preserved=preserved,
        schema_from=report.schema_version,
        schema_to=schema_to,
        contacts=contacts,
    )


# ---- forget (right to deletion) -------------------------------------------------


@dataclass(frozen=True)
class ContactMatch:
    id: int
    name: str
    wechat_id: str
    added_on: str
    archived: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "wechat_id": self.wechat_id,
            "added_on": self.added_on,
            "archived": self.archived,
        }


def find_contacts(book: Book, query: str) -> list[ContactMatch]:
    """Contacts matching ``query`` exactly: the id (``12`` or ``#12``), the remark name,
    the nickname or the WeChat ID (any case). Archived contacts included."""
    from kamtui.fmt import display_name

    q = str(query).strip()
    if not q:
        return []
    ids: list[int] = []
    digits = q[1:] if q.startswith("#") else q
    params: list[Any] = [q, q, q]
    where = "remark = ? OR nickname = ? OR wechat_id = ? COLLATE NOCASE"
    if digits.isdigit():
        where += " OR id = ?"
        params.append(int(digits))
    rows = book.query(
        f"SELECT id, remark, nickname, coalesce(wechat_id, ''), added_on, archived "
        f"FROM contact WHERE {where} ORDER BY id",
        params,
    )
    out = []
    for cid, remark, nickname, wechat_id, added_on, archived in rows:
        if cid in ids:
            continue
        ids.append(cid)
        out.append(
            ContactMatch(
                cid, display_name(remark, nickname, cid), wechat_id, added_on, bool(archived)
            )
        )
    return out


# Rows that belong to a contact, by table: (table, SQL selecting their ids).
_OWNED = (
    ("interaction", "SELECT id FROM interaction WHERE contact_id = :c"),
    ("purchase", "SELECT id FROM purchase WHERE contact_id = :c"),
    (
        "payment",
        "SELECT id FROM payment WHERE contact_id = :c "
        "OR purchase_id IN (SELECT id FROM purchase WHERE contact_id = :c)",
    ),
    ("snippet", "SELECT id FROM snippet WHERE contact_id = :c"),
    ("reminder", "SELECT id FROM reminder WHERE contact_id = :c"),
    ("satisfaction", "SELECT id FROM satisfaction WHERE contact_id = :c"),
    ("referral", "SELECT id FROM referral WHERE referrer_id = :c OR referred_id = :c"),
)


def erasure_preview(book: Book, contact_id: int) -> dict[str, int]:
    """How many rows of each kind erasing this contact removes (for the confirmation)."""
    from kamtui.contacts import require_contact

    with book.snapshot() as con:
        require_contact(con, contact_id)
        counts = {"contact": 1}
        for table, sql in _OWNED:
            n = len(con.execute(sql, {"c": contact_id}).fetchall())
            if n:
                counts[table] = n
        tags = con.execute(
            "SELECT count(*) FROM contact_tag WHERE contact_id = ?", (contact_id,)
        ).fetchone()[0]
        if tags:
            counts["contact_tag"] = tags
    return counts


def describe_counts(counts: dict[str, int]) -> str:
    """``1 contacts, 14 interactions`` in the user's language (table names from the catalog)."""
    from kamtui.i18n import has

    parts = []
    for table, n in counts.items():
        key = f"table.{table}"
        parts.append(f"{t(key) if has(key) else table} {n}")
    return ", ".join(parts)


@dataclass
class ForgetReport:
    contact_id: int
    name: str
    rows: dict[str, int]
    undo_rows_erased: int
    wiped: bool  # the file was vacuumed and its WAL truncated: no old page remains
    backups: list[BackupInfo] = field(default_factory=list)  # automatic backups holding them
    manual_backups: list[BackupInfo] = field(default_factory=list)
    oldest_gone_on: date | None = None  # when the oldest automatic backup is thinned
    all_gone_on: date | None = None  # when the last automatic backup holding them is thinned
    damaged_copies: list[Path] = field(default_factory=list)  # kept by restore, never thinned

    @property
    def oldest_backup(self) -> datetime | None:
        found = self.backups + self.manual_backups
        return min(i.taken_at for i in found) if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.contact_id,
            "name": self.name,
            "rows_erased": self.rows,
            "undo_rows_erased": self.undo_rows_erased,
            "wiped_from_file": self.wiped,
            "backups_holding": [i.as_dict() for i in self.backups],
            "manual_backups_holding": [i.as_dict() for i in self.manual_backups],
            "oldest_backup": self.oldest_backup.isoformat(timespec="seconds")
            if self.oldest_backup
            else None,
            "oldest_thinned_on": self.oldest_gone_on,
            "all_thinned_by": self.all_gone_on,
            "damaged_copies": [str(p) for p in self.damaged_copies],
        }


def _scrub_undo(
    con: sqlite3.Connection, contact_id: int, owned: dict[str, list[int]], names: list[str]
) -> int:
    """Erase the before-images that mention the contact; returns how many rows went.

    An action left with nothing to replay is dropped; a label naming them
    (a merge's) is replaced.
    """
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS forget_ids (tbl TEXT, id INTEGER, PRIMARY KEY (tbl, id))"
    )
    con.execute("DELETE FROM forget_ids")
    con.executemany(
        "INSERT OR IGNORE INTO forget_ids VALUES (?, ?)",
        [(table, i) for table, ids in owned.items() for i in ids],
    )
    touched = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT action_id FROM undo_row WHERE " + _MENTIONS, {"c": contact_id}
        )
    ]
    erased = con.execute("DELETE FROM undo_row WHERE " + _MENTIONS, {"c": contact_id}).rowcount
    con.execute("DROP TABLE forget_ids")
    for action_id in touched:
        left = con.execute(
            "SELECT count(*) FROM undo_row WHERE action_id = ?", (action_id,)
        ).fetchone()[0]
        if not left:
            con.execute("DELETE FROM undo_action WHERE id = ?", (action_id,))
    for name in {n for n in names if n and len(n) >= 2}:
        con.execute(
            "UPDATE undo_action SET label = ? WHERE instr(label, ?) > 0",
            (t("safety.erased_label"), name),
        )
    return erased


_MENTIONS = """(
    (tbl = 'contact' AND json_extract(row_key, '$.id') = :c)
    OR json_extract(row_key, '$.contact_id') = :c
    OR json_extract(old, '$.contact_id') = :c
    OR json_extract(new, '$.contact_id') = :c
    OR (tbl = 'contact' AND json_extract(old, '$.merged_into_id') = :c)
    OR (tbl = 'referral' AND (json_extract(old, '$.referrer_id') = :c
                              OR json_extract(old, '$.referred_id') = :c
                              OR json_extract(new, '$.referrer_id') = :c
                              OR json_extract(new, '$.referred_id') = :c))
    OR EXISTS (SELECT 1 FROM forget_ids f
               WHERE f.tbl = undo_row.tbl AND f.id = json_extract(undo_row.row_key, '$.id'))
)"""


def backups_holding(book_path: Path, contact_id: int) -> list[BackupInfo]:
    """The book's backups that still hold the contact (unreadable ones count as holding)."""
    from kamtui.store.backup import backups

    found = []
    for info in backups(book_path):
        try:
            con = sqlite3.connect(f"{info.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                row = con.execute("SELECT 1 FROM contact WHERE id = ?", (contact_id,)).fetchone()
            finally:
                con.close()
        except sqlite3.Error:
            row = (1,)
        if row:
            found.append(info)
    return found


def forget_contact(book: Book, contact_id: int, *, now: datetime | None = None) -> ForgetReport:
    """Erase a person for good: their contact row and everything about them, the
    undo history's copies, and the freed bytes (``secure_delete``, ``VACUUM``,
    WAL checkpoint). Not undoable, no backup taken (it would hold them again).
    Reports which older backups still hold them and when those age out.
    """
    from kamtui.contacts import purge_contact, require_contact
    from kamtui.fmt import display_name
    from kamtui.store.backup import MANUAL, backup_dir, expiry_dates, keep_settings

    con = book.conn
    if con.in_transaction:
        raise RuntimeError("forget_contact() cannot run inside a transaction (it vacuums)")
    secure = con.execute("PRAGMA secure_delete").fetchone()[0]
    con.execute("PRAGMA secure_delete = ON")
    try:
        with book.transaction() as con:
            require_contact(con, contact_id)
            remark, nickname, wechat_id = con.execute(
                "SELECT remark, nickname, coalesce(wechat_id, '') FROM contact WHERE id = ?",
                (contact_id,),
            ).fetchone()
            owned = {
                table: [r[0] for r in con.execute(sql, {"c": contact_id})] for table, sql in _OWNED
            }
            counts = {"contact": 1} | {tb: len(ids) for tb, ids in owned.items() if ids}
            tags = con.execute(
                "SELECT count(*) FROM contact_tag WHERE contact_id = ?", (contact_id,)
            ).fetchone()[0]
            if tags:
                counts["contact_tag"] = tags
            # Contacts merged into this person are the same person: erased with them.
            merged = [
                r[0]
                for r in con.execute(
                    "SELECT id FROM contact WHERE merged_into_id = ?", (contact_id,)
                )
            ]
            erased = 0
            for other in merged:
                o_names = list(
                    con.execute(
                        "SELECT remark, nickname, coalesce(wechat_id, '') FROM contact "
                        "WHERE id = ?",
                        (other,),
                    ).fetchone()
                )
                o_owned = {
                    table: [r[0] for r in con.execute(sql, {"c": other})] for table, sql in _OWNED
                }
                purge_contact(book, other)
                erased += _scrub_undo(con, other, o_owned, o_names)
            if merged:
                counts["merged_contacts"] = len(merged)
            purge_contact(book, contact_id)
            erased += _scrub_undo(con, contact_id, owned, [remark, nickname, wechat_id])
        wiped = _wipe_free_space(con)
    finally:
        con.execute(f"PRAGMA secure_delete = {int(secure)}")
    holding = backups_holding(book.path, contact_id)
    report = ForgetReport(
        contact_id=contact_id,
        name=display_name(remark, nickname, contact_id),
        rows=counts,
        undo_rows_erased=erased,
        wiped=wiped,
        backups=[i for i in holding if i.reason != MANUAL],
        manual_backups=[i for i in holding if i.reason == MANUAL],
    )
    folder = backup_dir(book.path)
    if folder.is_dir():
        report.damaged_copies = sorted(p for p in folder.glob("damaged-*") if p.is_dir())
    if report.backups:
        keep = keep_settings(book)
        gone = expiry_dates(
            holding, **{f"keep_{k}": v for k, v in keep.items()}, now=now or datetime.now()
        )
        dates = [gone[i.path] for i in report.backups]
        oldest = min(report.backups, key=lambda i: i.taken_at)
        report.oldest_gone_on = gone[oldest.path]
        report.all_gone_on = None if None in dates else max(dates)
    return report


def _wipe_free_space(con: sqlite3.Connection) -> bool:
    """VACUUM (in memory: no temp file gets a copy) and truncate the WAL. True if no
    other connection kept old pages alive."""
    temp = con.execute("PRAGMA temp_store").fetchone()[0]
    con.execute("PRAGMA temp_store = MEMORY")
    try:
        con.execute("VACUUM")
    finally:
        con.execute(f"PRAGMA temp_store = {int(temp)}")
    from kamtui.store.db import BUSY_TIMEOUT_MS

    con.execute(f"PRAGMA busy_timeout = {int(CHECKPOINT_WAIT_MS)}")
    try:
        busy, _log, _done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return busy == 0


def daily_care(book: Book) -> Path | None:
    """Once a day (call at start-up, off the UI thread): a checked backup, thinning of old
    backups, and pruning of old undo history. Returns the new backup, None if done today.

    Raises :class:`DamagedBook` (with the newest good backup) or :class:`BackupFailed`.
    """
    from kamtui.store.backup import daily_backup_if_due
    from kamtui.store.undo import prune

    made = daily_backup_if_due(book)
    if made:
        with book.transaction() as con:
            prune(con)
    return made
