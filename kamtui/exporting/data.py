"""Reading what an export needs in bulk: a few GROUP BY queries, never one per contact.

A selection is an ordered list of contact ids. Small selections are read with
``IN (...)`` lists (in chunks under SQLite's variable limit); large ones with
one scan of each table, keeping the selected ids. Either way the number of
queries does not grow with the number of contacts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

#: Selections up to this size are read with IN lists; larger ones by scanning.
SMALL_SELECTION = 2_000

#: contact columns read for every export, in this order after ``id``.
BASE_FIELDS = (
    "account_id",
    "remark",
    "nickname",
    *rows.CONTACT_PROFILE,
    "favourite",
    "intent",
    "potential",
    "is_ad",
    "blocked_me",
    "last_moment_on",
    "archived",
    "archived_at",
    "created_at",
    "updated_at",
)
#: index of each field in a base row (``id`` is 0, the account name is last).
F = {name: i for i, name in enumerate(("id", *BASE_FIELDS, "account"))}
_BASE_SQL = (
    "SELECT c.id, "
    + ", ".join(f"c.{f}" for f in BASE_FIELDS)
    + ", a.name FROM contact c LEFT JOIN account a ON a.id = c.account_id"
)


def _pinned_first(rows: list[tuple]) -> list[tuple]:
    """Rows in id order -> pinned (last item true) first, each group still in id order.

    Cheaper than ``ORDER BY favourite DESC, id``, which makes SQLite sort whole rows.
    """
    return [r for r in rows if r[-1]] + [r for r in rows if not r[-1]]


def select_contacts(book: Book, *, include_archived: bool = False) -> list[int]:
    """The default selection: every contact (archived ones only when asked), pinned first,
    then by id."""
    where = "1" if include_archived else "archived = 0"
    found = book.query(f"SELECT id, favourite FROM contact WHERE {where} ORDER BY id")
    return [r[0] for r in _pinned_first(found)]


def resolve_selection(
    book: Book,
    ids: Iterable[int] | None,
    *,
    exclude_ids: Iterable[int] = (),
    include_archived: bool = False,
) -> list[int]:
    """The ids to export, in order, each once: ``ids`` as given (archived or not) or
    :func:`select_contacts`; minus ``exclude_ids``."""
    if ids is None:
        chosen = select_contacts(book, include_archived=include_archived)  # already unique
    else:
        chosen = list(dict.fromkeys(map(int, ids)))
    excluded = set(map(int, exclude_ids))
    if excluded:
        chosen = [i for i in chosen if i not in excluded]
    return chosen


class Scope:
    """How to restrict a query to a selection: ``WHERE col IN (...)`` chunks, or everything."""

    def __init__(self, ids: Sequence[int], *, full: bool | None = None):
        self.ids = ids
        self.full = len(ids) > SMALL_SELECTION if full is None else full

    def run(
        self, con: sqlite3.Connection, sql: str, column: str, params: Sequence[Any] = ()
    ) -> list[tuple]:
        """Rows of ``sql`` (with a ``{where}`` placeholder) for the selection.

        ``{where}`` becomes ``1`` for a scan, or ``column IN (?, ...)``; callers
        drop rows outside the selection when scanning.
        """
        if self.full:
            return con.execute(sql.format(where="1"), params).fetchall()
        found: list[tuple] = []
        for part in rows.chunks(list(self.ids)):
            where = f"{column} IN ({rows.marks(len(part))})"
            found += con.execute(sql.format(where=where), (*params, *part)).fetchall()
        return found


def _base_sql(fields: Sequence[str] | None) -> str:
    """``SELECT c.id, <fields>``: every base field plus the account name when None."""
    if fields is None:
        return _BASE_SQL
    return f"SELECT c.id{''.join(f', c.{f}' for f in fields)} FROM contact c"


def fetch_base(
    con: sqlite3.Connection, scope: Scope, fields: Sequence[str] | None = None
) -> dict[int, tuple]:
    """Rows of the selected contacts that exist, by id: ``(id, *fields)``.

    Without ``fields``: every base field and the account name (indexes in :data:`F`);
    with them, contact columns only (``account_id``, not the name).
    """
    # A scan may hold contacts outside the selection: callers look up selected ids only.
    return {r[0]: r for r in scope.run(con, _base_sql(fields) + " WHERE {where}", "c.id")}


def fetch_default_rows(
    con: sqlite3.Connection, fields: Sequence[str], *, include_archived: bool = False
) -> list[tuple]:
    """``(id, *fields, favourite)`` rows of the default selection, in its order, in one
    query (the common "export everything" case builds and matches no id list)."""
    where = "1" if include_archived else "c.archived = 0"
    sql = f"{_base_sql([*fields, 'favourite'])} WHERE {where} ORDER BY c.id"
    return _pinned_first(con.execute(sql).fetchall())


#: Tag names are joined with this (a tag name never holds a comma or a space).
TAG_SEPARATOR = ", "


def fetch_tag_text(con: sqlite3.Connection, scope: Scope) -> dict[int, str]:
    """Each contact's tag names, sorted as on the contact page, joined with
    :data:`TAG_SEPARATOR`."""
    sql = (
        f"SELECT ct.contact_id, group_concat(t.name, '{TAG_SEPARATOR}') FROM contact_tag ct "
        "JOIN tag t ON t.id = ct.tag_id WHERE {where} GROUP BY ct.contact_id"
    )
    sep = TAG_SEPARATOR
    ordered: dict[str, str] = {}  # contacts share tag combinations: sort each one once

    def in_order(text: str) -> str:
        found = ordered.get(text)
        if found is None:
            found = ordered[text] = sep.join(sorted(text.split(sep), key=nocase))
        return found

    return {
        cid: in_order(text) if sep in text else text
        for cid, text in scope.run(con, sql, "ct.contact_id")
    }


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(name: str) -> str:
    """Sort key matching SQLite's NOCASE (tag names' collation: ASCII letters folded)."""
    return name.translate(_ASCII_LOWER)


def fetch_tags(con: sqlite3.Connection, scope: Scope) -> dict[int, list[str]]:
    """Tag names of each contact, sorted."""
    return {cid: text.split(TAG_SEPARATOR) for cid, text in fetch_tag_text(con, scope).items()}


def fetch_last_contact(con: sqlite3.Connection, scope: Scope) -> dict[int, str]:
    """ISO day of each contact's last interaction."""
    sql = "SELECT contact_id, max(occurred_on) FROM interaction WHERE {where} GROUP BY contact_id"
    return dict(scope.run(con, sql, "contact_id"))


def fetch_purchase_totals(
    con: sqlite3.Connection, scope: Scope, today: date
) -> dict[int, tuple[int, int, int, str | None]]:
    """(lifetime fen, last-365-days fen, purchases, last purchase day) of each buyer.

    The same rules as :func:`kamtui.purchases.totals`: returns are negative
    amounts and count; the 365-day window ends today.
    """
    since = (today - timedelta(days=365)).isoformat()
    # A whole-table pass reads the table in order and sorts: walking the contact index
    # instead costs a random table lookup per purchase (about 1.5x slower at 250k rows).
    hint = "NOT INDEXED" if scope.full else ""
    sql = (
        "SELECT contact_id, sum(amount_fen), "
        "coalesce(sum(CASE WHEN bought_on > ? AND bought_on <= ? THEN amount_fen END), 0), "
        f"count(*), max(bought_on) FROM purchase {hint} WHERE {{where}} GROUP BY contact_id"
    )
    return {r[0]: r[1:] for r in scope.run(con, sql, "contact_id", (since, today.isoformat()))}


def fetch_owed(con: sqlite3.Connection, scope: Scope) -> dict[int, int]:
    """Money still owed by each contact (credit purchases not yet covered by payments)."""
    # For a selection, "+" keeps SQLite from walking every credit sale through the
    # credit index: the contact index finds the selection's purchases directly.
    credit = "p.credit = 1" if scope.full else "+p.credit = 1"
    sql = (
        "SELECT p.contact_id, sum(max(p.amount_fen - coalesce("
        "(SELECT sum(y.amount_fen) FROM payment y WHERE y.purchase_id = p.id), 0), 0)) "
        f"FROM purchase p WHERE {credit} AND {{where}} GROUP BY p.contact_id"
    )
    return dict(scope.run(con, sql, "p.contact_id"))
