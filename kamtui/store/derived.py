"""Derived data kept by triggers (migrations v0005, v0006, v0008), for bulk inserts in
one go.

``followup_change`` (the contacts the Today refresh must look at again),
``contact_activity`` (each contact's purchase and interaction counts, for the
clean-up) and ``cleanup_change`` (the contacts the clean-up's identity analysis
must look at again) are kept by AFTER INSERT/UPDATE/DELETE triggers, so every way
of writing keeps them right. Row by row that costs a big import ~0.3 s for 40,000
sales; :func:`derived_at_end` lets a bulk insert do the same in one statement
per table at the end instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

# table -> (trigger, the statement doing for the rows ``{where}`` selects what the
# trigger does for each inserted row, or None when it does nothing for them). Keep
# in step with the migrations' triggers.
_AT_END: dict[str, list[tuple[str, str | None]]] = {
    # New contacts on top of the book are found by their ids (the trigger notes
    # only a row put back below the highest id): a bulk insert of contacts must
    # add them above every id there was, as its ``where`` says (``id >= ?``).
    "contact": [("cleanup_contact_insert", None)],
    "purchase": [
        (
            "followup_purchase_insert",
            "INSERT INTO followup_change (contact_id) "
            "SELECT DISTINCT contact_id FROM purchase WHERE {where}",
        ),
        (
            "activity_purchase_insert",
            "INSERT INTO contact_activity (contact_id, purchases, paid) "
            "SELECT contact_id, count(*), sum(amount_fen > 0) FROM purchase WHERE {where} "
            "GROUP BY contact_id ON CONFLICT (contact_id) DO UPDATE "
            "SET purchases = purchases + excluded.purchases, paid = paid + excluded.paid",
        ),
    ],
}


@contextmanager
def derived_at_end(
    con: sqlite3.Connection, table: str, where: str, params: tuple = ()
) -> Iterator[None]:
    """Inside a write transaction: the block's inserts into ``table`` update the derived
    data in one statement each at the end, not one trigger run per row.

    ``where`` (SQL on the table's columns, with ``params``) must select exactly the
    rows the block inserts, e.g. ``id > ?`` with the last id before. The triggers
    are dropped for the block and made again from their own SQL, in the same
    transaction: other connections never see the book without them.
    """
    found = dict(
        con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (table,),
        ).fetchall()
    )
    todo = [(name, sql) for name, sql in _AT_END.get(table, ()) if name in found]
    for name, _sql in todo:
        con.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        if con.in_transaction:  # (rolled back already: the triggers came back with it)
            for name, sql in todo:
                if sql is not None:
                    con.execute(sql.format(where=where), params)
                con.execute(found[name])
