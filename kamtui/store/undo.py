"""Undo for destructive actions (archive, bulk change, merge, import).

Recording happens in the database, so it covers every way of writing (raw
SQL, ORM, bulk inserts): each recorded table has AFTER INSERT/UPDATE/DELETE
triggers that, while ``undo_control.action_id`` is set, copy the row's
before-image into ``undo_row``. ``Book.transaction(undo=label)`` and
``Book.session(undo=label)`` set it for the length of the transaction.

Undoing replays the before-images in reverse order in one transaction, with
recording off, and marks the action undone. Only the newest action that has
not been undone can be undone, so the replay never overwrites later work
recorded by another action.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

# Tables whose rows are never recorded: the undo machinery itself, settings, and
# what the follow-up refresh keeps for itself, and contact_activity (derived data:
# triggers note and count again as the replay of the recorded rows runs; see
# migrations v0005 and v0006), and the clean-up's saved identity analysis (keyed by
# the contacts' state, which an undo changes; migration v0007) with the changes
# noted for it (the replay's own writes note them again; migration v0008).
NOT_RECORDED = {
    "undo_action",
    "undo_row",
    "undo_control",
    "setting",
    "followup_change",
    "buyer_fact",
    "contact_activity",
    "cleanup_identity",
    "cleanup_change",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    info = con.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    cols = [r[1] for r in info]
    pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
    return cols, pk


def _json_object(prefix: str, cols: list[str]) -> str:
    parts = ", ".join(f"'{c}', {prefix}.{_quote(c)}" for c in cols)
    return f"json_object({parts})"


def recorded_tables(con: sqlite3.Connection) -> list[str]:
    rows = con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return sorted(r[0] for r in rows if r[0] not in NOT_RECORDED)


def install_undo_triggers(con: sqlite3.Connection) -> None:
    """(Re)create the recording triggers for every table, from the live schema."""
    for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'undo\\_%' ESCAPE '\\'"
    ).fetchall():
        con.execute(f"DROP TRIGGER {_quote(name)}")
    active = "(SELECT action_id FROM undo_control WHERE id = 1)"
    for table in recorded_tables(con):
        cols, pk = _columns(con, table)
        if not pk:
            pk = ["rowid"]
        q = _quote(table)
        has_new = "new" in {r[1] for r in con.execute("PRAGMA table_info(undo_row)")}
        for event, key_src, old, new in (
            ("INSERT", "NEW", "NULL", "NULL"),
            ("UPDATE", "NEW", _json_object("OLD", cols), _json_object("NEW", cols)),
            ("DELETE", "OLD", _json_object("OLD", cols), "NULL"),
        ):
            new_col, new_val = (", new", f", {new}") if has_new else ("", "")
            con.execute(
                f"""
                CREATE TRIGGER {_quote(f"undo_{table}_{event.lower()}")}
                AFTER {event} ON {q}
                WHEN {active} IS NOT NULL
                BEGIN
                    INSERT INTO undo_row (action_id, tbl, row_key, op, old{new_col})
                    VALUES ({active}, '{table}', {_json_object(key_src, pk)},
                            '{event.lower()}', {old}{new_val});
                END
                """
            )


def start_recording(con: sqlite3.Connection, label: str) -> int:
    """Open an undo action inside the current write transaction; returns its id."""
    cur = con.execute(
        "INSERT INTO undo_action (label, created_at) VALUES (?, ?)",
        (label, datetime.now(UTC).isoformat(timespec="microseconds")),
    )
    action_id = cur.lastrowid
    con.execute("UPDATE undo_control SET action_id = ? WHERE id = 1", (action_id,))
    return action_id


@contextmanager
def inserts_recorded_at_end(
    con: sqlite3.Connection, table: str, where: str, params: tuple = ()
) -> Iterator[None]:
    """Record the rows a bulk insert adds to ``table`` in one statement at the end of the
    block instead of one trigger run per row (a big import: ~0.4 s less for 280,000 rows).

    Inside the block recording is off; ``where`` (SQL on the table's columns, with
    ``params``) must select exactly the rows the block inserts, e.g. ``id >= ?`` with
    the first new id. Their undo rows are the insert trigger's (same row keys), in
    primary-key order. Nothing changes when no action is recording."""
    row = con.execute("SELECT action_id FROM undo_control WHERE id = 1").fetchone()
    action = row[0] if row else None
    if action is None:
        yield
        return
    con.execute("UPDATE undo_control SET action_id = NULL WHERE id = 1")
    try:
        yield
    except BaseException:
        if con.in_transaction:  # (SQLite may have rolled it back already: then leave it)
            con.execute("UPDATE undo_control SET action_id = ? WHERE id = 1", (action,))
        raise
    _cols, pk = _columns(con, table)
    pk = pk or ["rowid"]
    con.execute(
        f"INSERT INTO undo_row (action_id, tbl, row_key, op, old) "
        f"SELECT ?, ?, {_json_object('t', pk)}, 'insert', NULL FROM {_quote(table)} AS t "
        f"WHERE {where} ORDER BY {', '.join('t.' + _quote(c) for c in pk)}",
        (action, table, *params),
    )
    con.execute("UPDATE undo_control SET action_id = ? WHERE id = 1", (action,))


def stop_recording(con: sqlite3.Connection) -> None:
    con.execute("UPDATE undo_control SET action_id = NULL WHERE id = 1")


@dataclass(frozen=True)
class UndoInfo:
    id: int
    label: str
    created_at: datetime
    rows: int


def last_action(con: sqlite3.Connection) -> UndoInfo | None:
    """The newest action that can still be undone, or None."""
    row = con.execute(
        """
        SELECT a.id, a.label, a.created_at,
               (SELECT count(*) FROM undo_row r WHERE r.action_id = a.id)
        FROM undo_action a
        WHERE a.undone_at IS NULL
        ORDER BY a.id DESC LIMIT 1
        """
    ).fetchone()
    if row is None:
        return None
    return UndoInfo(row[0], row[1], datetime.fromisoformat(row[2]), row[3])


class UndoConflict(Exception):
    """A row the action changed was changed again since: undoing would lose that work."""

    def __init__(self, table: str, key: dict):
        super().__init__(f"{table} {key}")
        self.table = table
        self.key = key


def _check_unchanged(con: sqlite3.Connection, rows) -> None:
    """Every row the action updated must still be as the action left it."""
    final: dict[tuple[str, str], str] = {}
    for tbl, row_key, op, _old, new in reversed(rows):  # oldest first; the last one wins
        if op == "update" and new is not None:
            final[(tbl, row_key)] = new
    for (tbl, row_key), new in final.items():
        key = json.loads(row_key)
        after = json.loads(new)
        cols = ", ".join(f"'{c}', {_quote(c)}" for c in after)
        where = " AND ".join(f"{_quote(k)} = ?" for k in key)
        current = con.execute(
            f"SELECT json_object({cols}) FROM {_quote(tbl)} WHERE {where}", tuple(key.values())
        ).fetchone()
        if current is None or json.loads(current[0]) != after:
            raise UndoConflict(tbl, key)


def undo_action(con: sqlite3.Connection, action_id: int) -> int:
    """Replay one action's before-images in reverse. Call inside a write transaction.

    Refuses with :class:`UndoConflict` (changing nothing) when a row the action
    updated has been changed again since. Returns the number of rows restored.
    """
    rows = con.execute(
        "SELECT tbl, row_key, op, old, new FROM undo_row WHERE action_id = ? ORDER BY id DESC",
        (action_id,),
    ).fetchall()
    _check_unchanged(con, rows)
    for tbl, row_key, op, old, _new in rows:
        key = json.loads(row_key)
        where = " AND ".join(f"{_quote(k)} = ?" for k in key)
        q = _quote(tbl)
        if op == "insert":
            con.execute(f"DELETE FROM {q} WHERE {where}", tuple(key.values()))
        elif op == "update":
            values = json.loads(old)
            sets = ", ".join(f"{_quote(k)} = ?" for k in values)
            con.execute(
                f"UPDATE {q} SET {sets} WHERE {where}",
                (*values.values(), *key.values()),
            )
        else:  # delete
            values = json.loads(old)
            cols = ", ".join(_quote(k) for k in values)
            marks = ", ".join("?" for _ in values)
            con.execute(f"INSERT INTO {q} ({cols}) VALUES ({marks})", tuple(values.values()))
    con.execute(
        "UPDATE undo_action SET undone_at = ? WHERE id = ?",
        (datetime.now(UTC).isoformat(timespec="microseconds"), action_id),
    )
    return len(rows)


def prune(con: sqlite3.Connection, keep: int = 20) -> None:
    """Forget all but the newest ``keep`` actions (their before-images take space)."""
    old = con.execute(
        "SELECT id FROM undo_action ORDER BY id DESC LIMIT -1 OFFSET ?", (keep,)
    ).fetchall()
    if old:
        ids = [r[0] for r in old]
        marks = ",".join("?" * len(ids))
        con.execute(f"DELETE FROM undo_row WHERE action_id IN ({marks})", ids)
        con.execute(f"DELETE FROM undo_action WHERE id IN ({marks})", ids)
