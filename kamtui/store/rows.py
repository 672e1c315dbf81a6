"""Plain-SQL row helpers: one way to turn Python values into stored values.

Writes go through ``Book.transaction()`` (sqlite3, ``BEGIN IMMEDIATE``); these
helpers build the INSERT/UPDATE statements and convert values the way the
SQLModel types store them (dates as ISO text, booleans as 0/1, aware
timestamps as UTC ISO text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

#: A contact's profile columns, in the table's order: the lists of contact columns
#: (page reads, merges, imports, exports) take this run from here.
CONTACT_PROFILE = (
    "wechat_id", "phone", "country", "province", "city", "occupation", "gender",
    "birth_year", "birth_month", "birth_day", "birth_lunar", "birth_leap", "source",
    "added_on", "description", "picture_path",
)  # fmt: skip


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def to_db(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def to_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def insert(con: sqlite3.Connection, table: str, data: Mapping[str, Any]) -> int:
    cols = ", ".join(_q(k) for k in data)
    marks = ", ".join("?" for _ in data)
    cur = con.execute(
        f"INSERT INTO {_q(table)} ({cols}) VALUES ({marks})", [to_db(v) for v in data.values()]
    )
    return cur.lastrowid


def insert_many(
    con: sqlite3.Connection, table: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]
) -> None:
    columns = list(columns)
    cols = ", ".join(_q(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    con.executemany(
        f"INSERT INTO {_q(table)} ({cols}) VALUES ({marks})",
        ([to_db(v) for v in row] for row in rows),
    )


def update(
    con: sqlite3.Connection, table: str, key: Mapping[str, Any], data: Mapping[str, Any]
) -> int:
    """UPDATE ``table`` SET data WHERE key; returns the number of rows changed."""
    if not data:
        return 0
    sets = ", ".join(f"{_q(k)} = ?" for k in data)
    where = " AND ".join(f"{_q(k)} = ?" for k in key)
    cur = con.execute(
        f"UPDATE {_q(table)} SET {sets} WHERE {where}",
        [*(to_db(v) for v in data.values()), *(to_db(v) for v in key.values())],
    )
    return cur.rowcount


def marks(n: int) -> str:
    """``?, ?, ?`` for an IN list of n values."""
    return ", ".join("?" * n)


def chunks(items: list, size: int = 900) -> Iterable[list]:
    """Split long IN lists under SQLite's variable limit."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
