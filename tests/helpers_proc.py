"""Helpers for the safety tests: big books, and child processes to kill or race.

Run as ``python -m tests.helpers_proc ROLE ...`` from the repository root:

* ``archive BOOK``: archive every contact in one undoable transaction (the real
  ``kamtui.contacts.archive_contacts``), printing ``@BEGIN`` once the write
  transaction holds the lock and ``@COMMIT`` just before it commits.
* ``import BOOK N``: the import engine's write pattern: one ``BEGIN IMMEDIATE``
  transaction (undoable) inserting N contacts with ``executemany``, same markers.
* ``writer BOOK TAG N``: N short transactions through the domain services
  (a contact, then an interaction for it), like a seller typing; prints a JSON
  summary with every error it met.
* ``reader BOOK``: holds one read snapshot (an open app screen) until its stdin
  closes; prints the counts it saw at the start and at the end of the snapshot.
* ``bench BOOK [N]``: builds a big book (N contacts, default 100,000) if BOOK
  does not exist, then times backups and checks (figures for the report).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CITIES = ["杭州", "上海", "广州", "深圳", "成都", "武汉", "南京", "苏州", "长沙", "西安"]
JOBS = ["宝妈", "老师", "护士", "会计", "美容师", "程序员", "店主", "学生", "销售", "公务员"]
NAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红婷雪琳慧"


def contact_rows(n: int, *, start: int = 0, seed: int = 7, prefix: str = ""):
    """``n`` plausible contact rows for a bulk insert (see :data:`CONTACT_COLUMNS`)."""
    rnd = random.Random(seed)
    for i in range(start, start + n):
        name = rnd.choice(NAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        city = rnd.choice(CITIES)
        job = rnd.choice(JOBS)
        desc = f"{city}{job}, 喜欢护肤和烘焙, 孩子{rnd.randint(1, 12)}岁, 上次问过面霜的价格。" * (
            rnd.randint(1, 3)
        )
        yield (
            1,
            f"{prefix}{name}",
            f"{prefix}{name}-{city}-{job}",
            f"wx_{prefix}{i:07d}",
            f"+86138{i:08d}",
            "中国",
            "浙江",
            city,
            job,
            rnd.choice("mf"),
            f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            desc,
            f"{name} {city} {job} wx_{i:07d} 138{i:08d} {desc[:60]}".lower(),
        )


CONTACT_COLUMNS = (
    "account_id, nickname, remark, wechat_id, phone, country, province, city, "
    "occupation, gender, added_on, description, search_key"
)
INSERT_CONTACT = f"INSERT INTO contact ({CONTACT_COLUMNS}) VALUES ({', '.join('?' * 13)})"


def fill_book(path: Path, contacts: int, *, interactions_per: int = 0, purchases_per: int = 0):
    """Create a book at ``path`` holding ``contacts`` contacts (fast bulk insert)."""
    from kamtui.store.db import Book

    book = Book(path)
    try:
        with book.transaction() as con:
            con.execute("INSERT INTO account (name) VALUES ('主号')")
            con.executemany(INSERT_CONTACT, contact_rows(contacts))
            rnd = random.Random(11)
            if interactions_per:
                con.executemany(
                    "INSERT INTO interaction (contact_id, kind, occurred_on, summary) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        (
                            cid,
                            rnd.choice(("chat", "call", "moments", "visit")),
                            f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                            "聊了新品, 她说月底再看看, 孩子最近感冒了" * rnd.randint(1, 2),
                        )
                        for cid in range(1, contacts + 1)
                        for _ in range(interactions_per)
                    ),
                )
            if purchases_per:
                con.executemany(
                    "INSERT INTO purchase (contact_id, item, amount_fen, bought_on) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        (
                            cid,
                            rnd.choice(("面霜", "精华", "面膜", "防晒")),
                            rnd.randint(50, 2000) * 100,
                            f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                        )
                        for cid in range(1, contacts + 1)
                        for _ in range(purchases_per)
                    ),
                )
        book.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        book.close()
    return path


def _marker_trace(con: sqlite3.Connection):
    """Print ``@BEGIN`` / ``@COMMIT`` as the write transaction starts and commits."""

    def trace(sql: str) -> None:
        s = sql.strip().upper()
        if s == "BEGIN IMMEDIATE":
            # the trace fires before the statement: say so once the lock is ours
            return
        if s.startswith("INSERT INTO UNDO_ACTION"):
            if not getattr(trace, "begun", False):
                trace.begun = True
                print("@BEGIN", flush=True)
        elif s == "COMMIT":
            print("@COMMIT", flush=True)

    con.set_trace_callback(trace)


def role_archive(book_path: str) -> None:
    from kamtui.contacts import archive_contacts
    from kamtui.store.db import Book

    book = Book(book_path)
    ids = [r[0] for r in book.query("SELECT id FROM contact WHERE archived = 0")]
    _marker_trace(book.conn)
    n = archive_contacts(book, ids)
    print(f"@DONE {n}", flush=True)


def role_import(book_path: str, n: str) -> None:
    from kamtui.store.db import Book

    book = Book(book_path)
    _marker_trace(book.conn)
    with book.transaction(undo="import") as con:
        con.executemany(INSERT_CONTACT, contact_rows(int(n), start=10_000_000, prefix="导入"))
    print(f"@DONE {n}", flush=True)


def role_writer(book_path: str, tag: str, n: str) -> None:
    from kamtui.contacts import create_contact
    from kamtui.interactions import log_interaction
    from kamtui.store.db import Book

    book = Book(book_path)
    errors: list[str] = []
    made = 0
    for i in range(int(n)):
        try:
            cid = create_contact(book, nickname=f"{tag}-{i}", wechat_id=f"{tag}_{i}")
            log_interaction(book, cid, "chat", f"{tag} 第 {i} 次聊天")
            made += 1
        except Exception as exc:  # every error counts: none may reach a seller
            errors.append(f"{type(exc).__name__}: {exc}")
    book.close()
    print(json.dumps({"tag": tag, "made": made, "errors": errors}, ensure_ascii=False), flush=True)


def role_reader(book_path: str) -> None:
    from kamtui.store.db import Book

    book = Book(book_path)
    with book.snapshot() as con:
        first = con.execute("SELECT count(*) FROM contact").fetchone()[0]
        # read every row once, as a list screen would
        con.execute("SELECT id, nickname, remark, city FROM contact").fetchall()
        print(json.dumps({"event": "holding", "contacts": first}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin
        last = con.execute("SELECT count(*) FROM contact").fetchone()[0]
    after = book.scalar("SELECT count(*) FROM contact")
    book.close()
    print(json.dumps({"event": "released", "first": first, "last": last, "after": after}))


def _timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def role_bench(book_path: str, n: str = "100000") -> None:
    from kamtui.store import backup, check
    from kamtui.store.db import Book

    path = Path(book_path)
    if not path.exists():
        t0 = time.perf_counter()
        fill_book(path, int(n), interactions_per=3, purchases_per=1)
        print(f"built {n} contacts in {time.perf_counter() - t0:.1f}s")
    size = path.stat().st_size
    print(f"book: {size / 1e6:.1f} MB")
    t0 = time.perf_counter()
    book = Book(path)
    print(f"open (preflight, open check, migrate): {time.perf_counter() - t0:.3f}s")
    con = sqlite3.connect(path)
    out = path.with_name("bench-copy.db")

    def make_copy(verify: bool) -> None:
        if out.exists():
            out.unlink()
        backup.backup_book(book, dest=out, verify=verify)

    print(f"backup API copy, synced: {_timed(lambda: make_copy(False)):.3f}s")
    print(f"backup API copy + quick_check of the copy: {_timed(lambda: make_copy(True)):.3f}s")
    took = _timed(lambda: backup.safety_backup(book, "bench", min_interval=0))
    print(f"safety_backup (copy + verify + thin): {took:.3f}s")
    for pragma in ("quick_check", "integrity_check", "quick_check(1)"):
        took = _timed(lambda p=pragma: con.execute(f"PRAGMA {p}").fetchall(), repeat=2)
        print(f"PRAGMA {pragma}: {took:.3f}s")
    print(f"open check: {_timed(lambda: check.open_check(con, path), repeat=5) * 1000:.1f}ms")
    fk = _timed(lambda: con.execute("PRAGMA foreign_key_check").fetchall(), repeat=2)
    print(f"PRAGMA foreign_key_check: {fk:.3f}s")
    con.close()
    book.close()
    from kamtui.safety import forget_contact, restore_book

    copy = path.with_name("bench-restore.db")
    backup.backup_book(Book(path), dest=copy)
    took = _timed(lambda: restore_book(copy, out), repeat=1)
    print(f"restore_book (check source, back up current, copy in, open): {took:.3f}s")
    victim = Book(copy)
    cid = victim.scalar("SELECT max(id) FROM contact")
    took = _timed(lambda: forget_contact(victim, cid), repeat=1)
    print(f"forget_contact (delete, scrub undo, VACUUM, checkpoint): {took:.3f}s")
    victim.close()
    for p in [out, copy, *backup.backup_dir(copy).iterdir()]:
        p.unlink()


ROLES = {
    "archive": role_archive,
    "import": role_import,
    "writer": role_writer,
    "reader": role_reader,
    "bench": role_bench,
}


def spawn_args(role: str, *args) -> list[str]:
    """The command line that runs ``role`` in a child Python."""
    return [sys.executable, "-m", "tests.helpers_proc", role, *map(str, args)]


def child_env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


if __name__ == "__main__":
    ROLES[sys.argv[1]](*sys.argv[2:])
