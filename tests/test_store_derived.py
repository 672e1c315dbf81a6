"""A bulk insert keeps the derived data in one statement at the end (kamtui.store.derived)."""

from __future__ import annotations

from datetime import date

import pytest

from kamtui import contacts, interactions, purchases
from kamtui.store.derived import derived_at_end

T = date(2026, 11, 24)

COUNTS = """
    SELECT c.id,
           (SELECT count(*) FROM purchase p WHERE p.contact_id = c.id),
           (SELECT count(*) FROM purchase p WHERE p.contact_id = c.id AND p.amount_fen > 0),
           (SELECT count(*) FROM interaction i WHERE i.contact_id = c.id)
    FROM contact c ORDER BY c.id"""


def activity(book) -> list[tuple]:
    found = dict.fromkeys((r[0] for r in book.query("SELECT id FROM contact")), (0, 0, 0))
    for cid, *counts in book.query("SELECT * FROM contact_activity"):
        found[cid] = tuple(counts)
    return sorted((cid, *counts) for cid, counts in found.items())


def triggers(book) -> set[str]:
    return {r[0] for r in book.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def test_a_bulk_insert_counts_and_notes_as_the_triggers_would(book):
    a = contacts.create_contact(book, nickname="A")
    b = contacts.create_contact(book, nickname="B")
    purchases.record_purchase(book, a, "面膜", "99", bought_on=T)
    interactions.log_interaction(book, a, "chat", "", T)
    book.conn.execute("DELETE FROM followup_change")
    before = triggers(book)
    rows = [(a, "x", 100), (a, "y", -100), (b, "z", 0), (b, "w", 500)]
    with book.transaction() as con:
        last = con.execute("SELECT max(id) FROM purchase").fetchone()[0]
        with derived_at_end(con, "purchase", "id > ?", (last,)):
            assert "activity_purchase_insert" not in triggers(book)
            con.executemany(
                "INSERT INTO purchase (contact_id, item, amount_fen, bought_on) "
                "VALUES (?, ?, ?, '2026-11-24')",
                rows,
            )
    assert triggers(book) == before
    assert activity(book) == book.query(COUNTS) == [(a, 3, 2, 1), (b, 2, 1, 0)]
    assert {r[0] for r in book.query("SELECT contact_id FROM followup_change")} == {a, b}
    purchases.record_purchase(book, b, "面膜", "99", bought_on=T)  # the triggers work again
    assert activity(book) == book.query(COUNTS)


def test_a_failed_bulk_insert_leaves_the_triggers(book):
    a = contacts.create_contact(book, nickname="A")
    before = triggers(book)
    with pytest.raises(RuntimeError), book.transaction() as con:
        with derived_at_end(con, "purchase", "id > ?", (0,)):
            con.execute(
                "INSERT INTO purchase (contact_id, item, amount_fen, bought_on) "
                "VALUES (?, 'x', 1, '2026-11-24')",
                (a,),
            )
            raise RuntimeError("stop")
    assert triggers(book) == before
    assert book.scalar("SELECT count(*) FROM purchase") == 0
    assert activity(book) == book.query(COUNTS)
