"""Consistent copies of a book through SQLite's backup API (never a file copy).

Backups live beside the book in ``<stem>.backups/`` (directory 0700, files
0600), named ``<stem>-YYYYMMDD-HHMMSSffffff-<reason>.db`` (local time). Every
copy is written to a ``.part`` file, checked with ``PRAGMA quick_check`` and
only then renamed into place: a damaged book never produces a "backup" that
could push a good one out of the rotation (it raises
:class:`~kamtui.store.check.DamagedBook` instead).

Reasons:

* ``daily``: the first launch of each day (:func:`daily_backup_if_due`).
* ``before-<action>``: a safety backup right before an import, a bulk
  action, a merge, an undo, a restore or a migration (:func:`safety_backup`).
  Bulk actions, merges and undos are throttled (:data:`THROTTLE`).
* ``manual``: ``kamtui backup`` into the backup folder.

Thinning (:func:`plan_thinning`, run after every automatic backup) keeps:

1. the newest backup, always;
2. every ``manual`` backup (the seller made it; the seller deletes it);
3. grandfather-father-son over the automatic backups: the newest backup of
   each of the last ``backup.keep_daily`` days that have one, of each of the
   last ``backup.keep_weekly`` ISO weeks and of each of the last
   ``backup.keep_monthly`` months (counting only periods that have a backup,
   so a seller away for three weeks still has seven dailies);
4. safety backups younger than :data:`EVENT_GRACE_DAYS` days, at most the
   newest :data:`EVENT_KEEP_PER_REASON` per reason (a mistake is often
   noticed a few days later; a day of bulk work must not fill the disk);
5. the newest ``before-migration`` backup (the last copy in the old schema).

Everything else is deleted, as are ``.part`` leftovers older than a day.
Files that do not look like backups are never touched.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kamtui.errors import KamtuiError
from kamtui.i18n import t
from kamtui.paths import ensure_private_dir

if TYPE_CHECKING:
    from kamtui.store.db import Book

_NAME = re.compile(r"^(?P<stem>.+)-(?P<ts>\d{8}-\d{6}(?:\d{6})?)-(?P<reason>[\w.-]+)\.db$")

DAILY = "daily"
MANUAL = "manual"
# Safety backups taken at most once per window per reason, as long as no other
# backup was taken since (see safety_backup). Other reasons are never throttled.
THROTTLE = {
    "before-bulk": timedelta(minutes=10),
    "before-merge": timedelta(minutes=10),
    "before-undo": timedelta(minutes=10),
}
EVENT_GRACE_DAYS = 7
EVENT_KEEP_PER_REASON = 5
PART_MAX_AGE = timedelta(days=1)
DEFAULT_KEEP = {"daily": 7, "weekly": 4, "monthly": 6}


class BackupFailed(KamtuiError):
    """A backup could not be written (disk full, no permission…); the action must not go on."""

    def __init__(self, error: str):
        super().__init__(t("safety.backup_failed", error=error))
        self.error = error


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # local time, naive (from the file name)
    reason: str

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    @property
    def automatic(self) -> bool:
        return self.reason != MANUAL

    @property
    def is_event(self) -> bool:
        return self.reason.startswith("before-")

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "taken_at": self.taken_at.isoformat(timespec="seconds"),
            "reason": self.reason,
            "size_bytes": self.size,
        }


def backup_dir(book_path: Path) -> Path:
    return Path(book_path).with_name(Path(book_path).stem + ".backups")


def _safe_reason(reason: str) -> str:
    return re.sub(r"[^\w.-]+", "-", reason).strip("-") or MANUAL


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_database(src: sqlite3.Connection, dest: Path, *, verify: bool = True) -> Path:
    """Copy an open database to ``dest`` (created 0600) with the backup API.

    The copy is written beside ``dest`` as ``.part``, synced, checked with
    ``PRAGMA quick_check`` (``verify``) and renamed into place. A check that
    fails raises :class:`~kamtui.store.check.DamagedBook` (the source is
    damaged: the backup API copies pages as they are); any other failure
    raises :class:`BackupFailed`. Either way no ``.part`` is left behind.
    """
    from kamtui.store.check import is_corruption

    dest = Path(dest)
    ensure_private_dir(dest.parent)
    tmp = dest.with_name(dest.name + ".part")
    try:
        if tmp.exists():
            tmp.unlink()
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        finally:
            out.close()
        if verify:
            problems = quick_check_file(tmp)
            if problems:
                raise _damaged_source(src, "; ".join(problems[:3]))
        os.replace(tmp, dest)
        os.chmod(dest, 0o600)
        _fsync_dir(dest.parent)
        return dest
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise _damaged_source(src, str(exc)) from exc
        raise BackupFailed(str(exc)) from exc
    except OSError as exc:
        raise BackupFailed(str(exc)) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def _damaged_source(src: sqlite3.Connection, detail: str):
    from kamtui.store.check import damaged_book

    row = src.execute("PRAGMA database_list").fetchone()
    return damaged_book(Path(row[2]) if row and row[2] else Path("?"), detail)


def quick_check_file(path: Path) -> list[str]:
    """Problems ``PRAGMA quick_check`` finds in a closed database file ([] if fine)."""
    con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
    finally:
        con.close()
    return [] if rows == ["ok"] else rows


def backup_name(book_path: Path, reason: str, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S%f")
    book_path = Path(book_path)
    return backup_dir(book_path) / f"{book_path.stem}-{stamp}-{_safe_reason(reason)}.db"


def backup_book(
    book: Book, reason: str = MANUAL, dest: Path | None = None, *, verify: bool = True
) -> Path:
    """Write a consistent, checked copy of ``book``; returns its path.

    Takes one read snapshot (writers in other processes go on meanwhile). At
    100,000 contacts (130 MB) this takes about half a second; see the report
    in ``tests/helpers_proc.py bench``.
    """
    if dest is None:
        dest = backup_name(book.path, reason)
    con = book.connect()
    try:
        return copy_database(con, Path(dest), verify=verify)
    finally:
        con.close()


def parse_name(path: Path) -> BackupInfo | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    ts = m.group("ts")
    fmt = "%Y%m%d-%H%M%S%f" if len(ts) > 15 else "%Y%m%d-%H%M%S"
    try:
        taken = datetime.strptime(ts, fmt)
    except ValueError:
        return None
    return BackupInfo(path, taken, m.group("reason"))


def backups(book_path: Path) -> list[BackupInfo]:
    """The book's backups, newest first."""
    folder = backup_dir(Path(book_path))
    if not folder.is_dir():
        return []
    stem = Path(book_path).stem
    found = []
    for p in folder.iterdir():
        info = parse_name(p)
        if info is not None and p.is_file() and p.name.startswith(stem + "-"):
            found.append(info)
    return sorted(found, key=lambda i: (i.taken_at, i.path.name), reverse=True)


def list_backups(book_path: Path) -> list[Path]:
    """The book's backups' paths, newest first."""
    return [i.path for i in backups(book_path)]


def backup_time(path: Path) -> datetime | None:
    info = parse_name(Path(path))
    return None if info is None else info.taken_at


# ---- automatic backups ----------------------------------------------------


def _event_reason(reason: str) -> str:
    reason = _safe_reason(reason)
    return reason if reason.startswith("before-") else f"before-{reason}"


def safety_backup(
    book: Book,
    reason: str,
    *,
    min_interval: timedelta | float | None = None,
    now: datetime | None = None,
) -> Path | None:
    """A backup right before a risky action: ``reason`` is ``import``, ``bulk``, ``merge``…

    Returns the new backup's path, or None when throttled: for reasons in
    :data:`THROTTLE` (or with ``min_interval``, in seconds or a timedelta),
    no new backup is made if the newest backup of all is one for the same
    reason taken less than the interval ago (fifty merges in a row cost one
    backup; an import in between gets its own and resets the window; the
    undo history covers the actions in between). Raises
    :class:`BackupFailed` or :class:`~kamtui.store.check.DamagedBook`, in
    which case the caller must not go on with the action.
    """
    reason = _event_reason(reason)
    now = now or datetime.now()
    window = THROTTLE.get(reason) if min_interval is None else min_interval
    if isinstance(window, (int, float)):
        window = timedelta(seconds=window)
    if window:
        existing = backups(book.path)
        if existing and existing[0].reason == reason and now - existing[0].taken_at < window:
            return None
    path = backup_book(book, reason, dest=backup_name(book.path, reason, now))
    thin_book_backups(book, now=now)
    return path


def daily_backup_due(book_path: Path, today: date | None = None) -> bool:
    """True if no daily backup was made ``today`` (cheap: reads the folder only)."""
    from kamtui import clock

    today = today or clock.today()
    return not any(
        i.reason == DAILY and i.taken_at.date() == today for i in backups(Path(book_path))
    )


def daily_backup_if_due(
    book: Book, today: date | None = None, *, now: datetime | None = None
) -> Path | None:
    """On the first launch of a day: a checked backup, then thinning. None if already done.

    This is also the book's daily full check: the copy is checked with
    ``quick_check`` (about 0.2 s at 100,000 contacts), so a damaged book
    raises :class:`~kamtui.store.check.DamagedBook` here, with the newest
    good backup to offer. The app should call it in a worker at start-up.
    """
    from kamtui import clock

    today = today or clock.today()
    if not daily_backup_due(book.path, today):
        return None
    when = now or datetime.now()
    if when.date() != today:  # a frozen clock: date the backup on that day
        when = datetime.combine(today, when.time())
    path = backup_book(book, DAILY, dest=backup_name(book.path, DAILY, when))
    thin_book_backups(book, now=when)
    return path


# ---- thinning ---------------------------------------------------------------


def keep_settings(book: Book) -> dict[str, int]:
    from kamtui import settings

    try:
        return {k: int(settings.get(book, f"backup.keep_{k}")) for k in DEFAULT_KEEP}
    except Exception:  # a damaged or half-open book: fall back to the defaults
        return dict(DEFAULT_KEEP)


def _bucket_keep(infos: list[BackupInfo], key, count: int) -> set[Path]:
    kept: set[Path] = set()
    seen: set = set()
    for info in infos:  # newest first
        if len(seen) >= count:
            break
        k = key(info.taken_at)
        if k not in seen:
            seen.add(k)
            kept.add(info.path)
    return kept


def plan_thinning(
    infos: Iterable[BackupInfo],
    *,
    keep_daily: int = 7,
    keep_weekly: int = 4,
    keep_monthly: int = 6,
    now: datetime | None = None,
) -> tuple[list[BackupInfo], list[BackupInfo]]:
    """Which backups to keep and which to delete (see the module's policy). Pure."""
    now = now or datetime.now()
    infos = sorted(infos, key=lambda i: (i.taken_at, i.path.name), reverse=True)
    if not infos:
        return [], []
    keep: set[Path] = {infos[0].path}
    keep |= {i.path for i in infos if not i.automatic}
    auto = [i for i in infos if i.automatic]
    keep |= _bucket_keep(auto, lambda d: d.date(), keep_daily)
    keep |= _bucket_keep(auto, lambda d: d.isocalendar()[:2], keep_weekly)
    keep |= _bucket_keep(auto, lambda d: (d.year, d.month), keep_monthly)
    grace = now - timedelta(days=EVENT_GRACE_DAYS)
    per_reason: dict[str, int] = {}
    for i in infos:
        if i.is_event and i.taken_at >= grace:
            per_reason[i.reason] = per_reason.get(i.reason, 0) + 1
            if per_reason[i.reason] <= EVENT_KEEP_PER_REASON:
                keep.add(i.path)
    migrations = [i for i in infos if i.reason.startswith("before-migration")]
    if migrations:
        keep.add(migrations[0].path)
    return [i for i in infos if i.path in keep], [i for i in infos if i.path not in keep]


def thin_backups(
    book_path: Path,
    *,
    keep_daily: int = 7,
    keep_weekly: int = 4,
    keep_monthly: int = 6,
    now: datetime | None = None,
) -> list[Path]:
    """Delete the backups the policy does not keep; returns what was deleted."""
    now = now or datetime.now()
    _, drop = plan_thinning(
        backups(book_path),
        keep_daily=keep_daily,
        keep_weekly=keep_weekly,
        keep_monthly=keep_monthly,
        now=now,
    )
    deleted = []
    for info in drop:
        try:
            info.path.unlink()
            deleted.append(info.path)
        except FileNotFoundError:
            pass  # another process thinned it first
    folder = backup_dir(Path(book_path))
    if folder.is_dir():
        for p in folder.glob("*.part"):
            try:
                if now - datetime.fromtimestamp(p.stat().st_mtime) > PART_MAX_AGE:
                    p.unlink()
            except OSError:
                pass
    return deleted


def thin_book_backups(book: Book, *, now: datetime | None = None) -> list[Path]:
    """:func:`thin_backups` with the book's ``backup.keep_*`` settings."""
    return thin_backups(
        book.path, now=now, **{f"keep_{k}": v for k, v in keep_settings(book).items()}
    )


def expiry_dates(
    infos: list[BackupInfo],
    *,
    keep_daily: int = 7,
    keep_weekly: int = 4,
    keep_monthly: int = 6,
    now: datetime | None = None,
    horizon_days: int = 1200,
) -> dict[Path, date | None]:
    """When each backup will be thinned if kamtui is opened once a day from now on.

    A simulation of the policy (one daily backup each morning); None for
    backups it never deletes (manual ones, or beyond the horizon).
    """
    now = now or datetime.now()
    pool = list(infos)
    real = {i.path for i in infos}
    gone: dict[Path, date | None] = dict.fromkeys(real)
    pending = {i.path for i in infos if i.automatic}
    for day in range(horizon_days + 1):
        moment = (now + timedelta(days=day)).replace(hour=9, minute=0, second=0, microsecond=0)
        if day:
            pool.append(BackupInfo(Path(f"~sim-{day}"), moment, DAILY))
        keep, drop = plan_thinning(
            pool,
            keep_daily=keep_daily,
            keep_weekly=keep_weekly,
            keep_monthly=keep_monthly,
            now=moment,
        )
        for info in drop:
            if info.path in pending:
                gone[info.path] = moment.date()
                pending.discard(info.path)
        pool = keep
        if not pending:
            break
    return gone
