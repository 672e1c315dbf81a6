"""contact_activity (migration v0006): purchase and interaction counts kept by triggers,
read by the clean-up rules ("never bought", "no interaction", who stays in a group)."""

from __future__ import annotations

from datetime import date

from kamtui import cleanup, contacts, interactions, purchases
from kamtui.store import migrations
from kamtui.store.db import Book
from kamtui.store.migrate import migrate
from kamtui.store.undo import last_action, undo_action

TODAY = date(2026, 11, 24)
OLD = "2025-01-01"  # added long ago: cold unless bought or talked to

_EXPECTED = """
SELECT contact_id, sum(purchases), sum(paid), sum(interactions) FROM (
    SELECT contact_id, count(*) AS purchases, sum(amount_fen > 0) AS paid, 0 AS interactions
    FROM purchase GROUP BY contact_id
    UNION ALL
    SELECT contact_id, 0, 0, count(*) FROM interaction GROUP BY contact_id
) GROUP BY contact_id ORDER BY contact_id
"""


def stored(book) -> list[tuple]:
    return book.query(
        "SELECT contact_id, purchases, paid, interactions FROM contact_activity ORDER BY 1"
    )


def assert_consistent(book) -> list[tuple]:
    """The stored counts are those of the purchase and interaction tables."""
    found = stored(book)
    assert found == book.query(_EXPECTED)
    return found


def cold_ids(book) -> set[int]:
    cleanup.forget_cache(book)
    found = cleanup.review(book, TODAY, reasons="cold")
    return {c.contact_id for c in found.candidates}


def test_upgrade_of_a_v4_book_fills_the_counts(tmp_path):
    path = tmp_path / "v4.db"
    old = Book(path, migrate=False)
    migrate(old, target=4)
    with old.transaction() as con:
        con.execute("INSERT INTO account (name) VALUES ('主号')")
        for name in ("买家", "退货", "聊过", "零元", "没动静"):
            con.execute(
                "INSERT INTO contact (account_id, nickname, added_on) VALUES (1, ?, ?)",
                (name, OLD),
            )
        for cid, amount in ((1, 9900), (1, 500), (2, -3000), (4, 0)):
            con.execute(
                "INSERT INTO purchase (contact_id, item, amount_fen, bought_on) "
                "VALUES (?, 'x', ?, '2025-02-01')",
                (cid, amount),
            )
        for cid in (3, 3, 2):
            con.execute(
                "INSERT INTO interaction (contact_id, kind, occurred_on) "
                "VALUES (?, 'chat', '2025-03-01')",
                (cid,),
            )
    old.close()

    book = Book(path)
    assert book.scalar("PRAGMA user_version") == migrations.latest() >= 6
    assert assert_consistent(book) == [(1, 2, 2, 0), (2, 1, 0, 1), (3, 0, 0, 2), (4, 1, 0, 0)]
    # A return or a purchase of nothing is not buying; an interaction is not cold.
    assert cold_ids(book) == {4, 5}
    # The triggers came with the upgrade.
    purchases.record_purchase(book, 5, "面霜", 120, bought_on=date(2026, 1, 1))
    assert assert_consistent(book)[-1] == (5, 1, 1, 0)
    assert cold_ids(book) == {4}
    book.close()


def test_a_new_book_starts_empty_and_counts_as_it_goes(book):
    assert stored(book) == []
    a = contacts.create_contact(book, nickname="甲", added_on=date(2025, 1, 1))
    b = contacts.create_contact(book, nickname="乙", added_on=date(2025, 1, 1))
    assert cold_ids(book) == {a, b}
    purchases.record_purchase(book, a, "面霜", 99, bought_on=date(2026, 1, 1))
    assert assert_consistent(book) == [(a, 1, 1, 0)]
    interactions.log_interaction(book, b, "chat", occurred_on=date(2026, 1, 2))
    assert assert_consistent(book) == [(a, 1, 1, 0), (b, 0, 0, 1)]
    assert cold_ids(book) == set()


def test_edits_merges_and_their_undo_keep_the_counts(book):
    keep_id = contacts.create_contact(book, nickname="王芳", added_on=date(2025, 1, 1))
    drop_id = contacts.create_contact(book, nickname="王芳2", added_on=date(2025, 1, 2))
    pid = purchases.record_purchase(book, drop_id, "面霜", 99, bought_on=date(2026, 1, 1))
    interactions.log_interaction(book, drop_id, "chat", occurred_on=date(2026, 1, 2))
    interactions.log_interaction(book, keep_id, "chat", occurred_on=date(2026, 1, 3))
    assert assert_consistent(book) == [(keep_id, 0, 0, 1), (drop_id, 1, 1, 1)]

    # An amount changed to a return: still a purchase, no longer a buyer.
    with book.transaction() as con:
        con.execute("UPDATE purchase SET amount_fen = -100 WHERE id = ?", (pid,))
    assert assert_consistent(book) == [(keep_id, 0, 0, 1), (drop_id, 1, 0, 1)]
    with book.transaction() as con:
        con.execute("UPDATE purchase SET amount_fen = 9900 WHERE id = ?", (pid,))

    contacts.merge_contacts(book, keep_id, drop_id)
    assert assert_consistent(book) == [(keep_id, 1, 1, 2)]  # the dropped one's row went
    # The derived table is not recorded: the undo replays purchases and interactions.
    action = last_action(book.conn)
    recorded = book.query("SELECT DISTINCT tbl FROM undo_row WHERE action_id = ?", (action.id,))
    assert ("contact_activity",) not in recorded and ("purchase",) in recorded
    with book.transaction() as con:
        undo_action(con, action.id)
    assert assert_consistent(book) == [(keep_id, 0, 0, 1), (drop_id, 1, 1, 1)]

    # Deleting the rows (as a purge does) takes the counts away with the last one.
    with book.transaction() as con:
        con.execute("DELETE FROM interaction WHERE contact_id = ?", (keep_id,))
        con.execute("DELETE FROM payment WHERE contact_id = ?", (drop_id,))
        con.execute("DELETE FROM purchase WHERE contact_id = ?", (drop_id,))
    assert assert_consistent(book) == [(drop_id, 0, 0, 1)]


def test_undo_of_a_recorded_purchase_removes_its_count(book):
    cid = contacts.create_contact(book, nickname="甲", added_on=date(2025, 1, 1))
    with book.transaction(undo="sale") as con:
        con.execute(
            "INSERT INTO purchase (contact_id, item, amount_fen, bought_on) "
            "VALUES (?, 'x', 100, '2026-01-01')",
            (cid,),
        )
    assert assert_consistent(book) == [(cid, 1, 1, 0)]
    assert cold_ids(book) == set()
    with book.transaction() as con:
        undo_action(con, last_action(book.conn).id)
    assert assert_consistent(book) == []
    assert cold_ids(book) == {cid}


def test_imported_purchases_are_counted(book, tmp_path):
    from kamtui.importing import read_file
    from kamtui.importing.apply import apply_import, plan_import

    path = tmp_path / "in.csv"
    path.write_text(
        "姓名,手机,添加时间,最近下单,累计金额\n"
        "买过,13800138001,2025-01-01,2026-04-01,300\n"
        "退过,13800138002,2025-01-01,2026-05-01,-50\n"
        "没买,13800138003,2025-01-01,,\n",
        encoding="utf-8",
    )
    apply_import(book, plan_import(book, read_file(path)))
    ids = dict(book.query("SELECT remark, id FROM contact"))
    assert assert_consistent(book) == [(ids["买过"], 1, 1, 0), (ids["退过"], 1, 0, 0)]
    assert cold_ids(book) == {ids["退过"], ids["没买"]}
    # The import is undoable as one step: its purchases go, and their counts with them.
    with book.transaction() as con:
        undo_action(con, last_action(book.conn).id)
    assert assert_consistent(book) == []
