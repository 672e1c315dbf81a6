"""The clean-up's identity analysis brought up to date (migration v0008,
:mod:`kamtui.cleanup_update`): whatever a seller changes, the review it gives is
exactly the one made from every contact, in this process and in the next."""

from __future__ import annotations

import random

import pytest
from conftest import TODAY
from test_cleanup_saved import _digest

from kamtui import cleanup, contacts, safety
from kamtui.errors import KamtuiError
from kamtui.store.db import Book


def noted(book) -> set[int]:
    return {r[0] for r in book.query("SELECT contact_id FROM cleanup_change")}


def test_what_the_analysis_reads_is_noted(book):
    a = contacts.create_contact(book, nickname="王秀英")
    b = contacts.create_contact(book, nickname="李娜")
    assert noted(book) == set()  # on top: found by id
    contacts.update_contact(book, a, remark="秀英姐")
    assert noted(book) == {a}
    book.conn.execute("DELETE FROM cleanup_change")
    contacts.update_contact(book, b, occupation="美容师", favourite=True)  # not read
    assert noted(book) == set()
    for field, value in (
        ("phone", "13800138000"),
        ("wechat_id", "wx_lina"),
        ("city", "深圳"),
        ("gender", "f"),
        ("birthday", "06-01"),
    ):
        contacts.update_contact(book, b, **{field: value})
        assert noted(book) == {b}, field
        book.conn.execute("DELETE FROM cleanup_change")
    contacts.archive_contacts(book, [a])
    assert noted(book) == {a}
    book.conn.execute("DELETE FROM cleanup_change")
    row = book.query("SELECT * FROM contact WHERE id = ?", (a,))[0]
    contacts.purge_contact(book, a)
    assert noted(book) == {a}
    book.conn.execute("DELETE FROM cleanup_change")
    with book.transaction() as con:  # the erased row put back below the highest id (an undo)
        con.execute(f"INSERT INTO contact VALUES ({', '.join('?' * len(row))})", row)
    assert noted(book) == {a}
    book.conn.execute("DELETE FROM cleanup_change")
    contacts.create_contact(book, nickname="张敏")  # on top again
    assert noted(book) == set()


def _scratch(path) -> list:
    """The review made from every contact (in a transaction: nothing saved)."""
    other = Book(path)
    try:
        cleanup.forget_cache(other)
        with other.transaction():
            return _digest(cleanup.review(other, TODAY))
    finally:
        cleanup.forget_cache(other)
        other.close()


def _new_process(path) -> list:
    """A new process's review: the saved analysis if any, brought up to date."""
    other = Book(path)
    try:
        found = _digest(cleanup.review(other, TODAY))
        cleanup.wait_saved(other)
    finally:
        cleanup.forget_cache(other, saved=False)
        other.close()
    return found


def _counting(monkeypatch, book) -> list:
    """A list that gets a 1 whenever ``book``'s analysis is made from every contact."""
    made: list[int] = []
    scan_and_match = cleanup._scan_and_match

    def counted(b, *args, **kw):
        if b is book:
            made.append(1)
        return scan_and_match(b, *args, **kw)

    monkeypatch.setattr(cleanup, "_scan_and_match", counted)
    return made


class _Seller:
    """Random edits of the kinds that make and unmake duplicates."""

    def __init__(self, book, rng: random.Random) -> None:
        self.book = book
        self.rng = rng

    def ids(self, archived: int = 0) -> list[int]:
        return [
            r[0]
            for r in self.book.query(
                "SELECT id FROM contact WHERE archived = ? ORDER BY id", (archived,)
            )
        ]

    def row(self, cid: int) -> tuple:
        return self.book.query(
            "SELECT iif(remark != '', remark, nickname), wechat_id, phone, account_id "
            "FROM contact WHERE id = ?",
            (cid,),
        )[0]

    def edit(self) -> None:
        rng, book = self.rng, self.book
        ids = self.ids()
        a, b = rng.sample(ids, 2)
        name_b, wx_b, phone_b, account_b = self.row(b)
        kind = rng.choice(
            ["long_name"] * 6
            + ["medium_name"] * 3
            + [
                "same_name",
                "name_digit",
                "name_changed",
                "name_longer",
                "long_name",
                "new_alike",
                "same_wechat",
                "wechat_case",
                "wechat_capitals",
                "same_phone",
                "clear",
                "apart",
                "account",
                "archive",
                "restore",
                "purge",
                "merge",
                "undo",
            ]
        )
        if kind == "medium_name":
            # Names too short for the sorted neighbourhood, a letter more at either
            # end: looked up, both ways.
            name = rng.choice(["Sunny Li", "q Sunny Li", "Sunny Li q", "a Sunny Li", "Sunny Liu"])
            account = book.query("SELECT min(id) FROM account")[0][0]
            contacts.update_contact(book, a, remark=name, account_id=account)
        elif kind == "same_name":
            contacts.update_contact(book, a, remark=name_b)
        elif kind == "name_digit":
            contacts.update_contact(book, a, remark=name_b + str(rng.randint(1, 9)))
        elif kind == "name_changed" and len(name_b) > 1:
            i = rng.randrange(len(name_b))
            name = name_b[:i] + rng.choice("秀英娜芳敏静") + name_b[i + 1 :]
            contacts.update_contact(book, a, remark=name)
        elif kind == "name_longer":
            name = rng.choice(["", "小"]) + name_b + rng.choice(["", "姐"])
            contacts.update_contact(book, a, remark=name)
        elif kind == "long_name":
            # Long names alike but for a letter inside: only the sorted neighbourhood
            # compares them, and a name coming or going between two of them moves
            # them apart or together.
            # Or a letter more at either end: looked up, both ways.
            base = rng.choice(["Alexandra Zhou", "Alexandra Chen"])
            name = list(base)
            for _ in range(rng.randint(1, 2)):
                name[rng.randrange(2, len(base) - 2)] = rng.choice("abcdehknrx")
            more = rng.choice(["", "", rng.choice("aqz") + " ", " " + rng.choice("aqz")])
            name = more + "".join(name) if more.endswith(" ") else "".join(name) + more
            account = book.query("SELECT min(id) FROM account")[0][0]
            contacts.update_contact(book, a, remark=name, account_id=account)
        elif kind == "new_alike":
            contacts.create_contact(
                book, nickname=name_b + rng.choice(["", "2", "姐"]), account_id=account_b
            )
        elif kind == "same_wechat" and wx_b:
            contacts.update_contact(book, a, wechat_id=wx_b)
        elif kind == "wechat_case" and wx_b:
            # The same WeChat ID in other capitals: the same friend
            contacts.update_contact(book, a, wechat_id=rng.choice([wx_b.upper(), wx_b.title()]))
        elif kind == "wechat_capitals":
            contacts.update_contact(book, a, wechat_id=f"Lucy_{rng.randint(1, 3)}")
        elif kind == "same_phone" and phone_b:
            contacts.update_contact(book, a, phone=phone_b)
        elif kind == "clear":
            contacts.update_contact(book, a, wechat_id="", phone="")
        elif kind == "apart":
            contacts.update_contact(book, a, city=rng.choice(["深圳", "广州", ""]))
        elif kind == "account":
            accounts = [r[0] for r in book.query("SELECT id FROM account")]
            contacts.update_contact(book, a, account_id=rng.choice(accounts))
        elif kind == "archive":
            contacts.archive_contacts(book, rng.sample(ids, 3))
        elif kind == "restore":
            gone = self.ids(archived=1)
            if gone:
                contacts.restore_contacts(book, rng.sample(gone, min(3, len(gone))))
        elif kind == "purge":
            contacts.purge_contact(book, a)
        elif kind == "merge":
            contacts.merge_contacts(book, a, b)
        elif kind == "undo":
            safety.undo_last(book, backup=False)


@pytest.mark.parametrize("seed", range(8))
def test_brought_up_to_date_equals_made_from_scratch(demo_book, monkeypatch, seed):
    book = demo_book
    path = book.path
    cleanup.forget_cache()
    cleanup.review(book, TODAY)
    cleanup.wait_saved(book)
    made = _counting(monkeypatch, book)
    seller = _Seller(book, random.Random(seed))
    for round_ in range(12):
        for _ in range(seller.rng.randint(1, 20)):
            try:
                seller.edit()
            except KamtuiError:
                pass  # e.g. nothing to undo, a name refused
        expected = _scratch(path)
        # this process: the analysis it keeps, brought up to date
        got = _digest(cleanup.review(book, TODAY))
        assert got == expected, f"round {round_}"
        assert not made, f"round {round_}: made from scratch"
        if round_ % 3 == 2:
            cleanup.wait_saved(book)
            # a new process: the saved analysis, brought up to date
            assert _new_process(path) == expected, f"round {round_}: new process"


def test_a_name_between_two_others_moves_them_apart_and_back(book, monkeypatch):
    """Two long names alike but for their last letter are compared only as sorted
    neighbours: two names sorting between them hide the pair, and it comes back
    when those go. Neither of the pair changed: the update must still redo it."""
    ids = {
        name: contacts.create_contact(book, nickname=name)
        for name in ("alexandrazhou", "alexandrazhox", "bbbbbbbbbbbbv", "bbbbbbbbbbbbw")
    }
    a, c = ids["alexandrazhou"], ids["alexandrazhox"]

    def paired() -> bool:
        found = cleanup.review(book, TODAY)
        return any(x.contact_id == c and x.partner_id == a for x in found.candidates)

    assert paired()
    cleanup.wait_saved(book)
    made = _counting(monkeypatch, book)
    between = [
        contacts.create_contact(book, nickname=name)
        for name in ("alexandrazhouqqqq", "alexandrazhouzzzz")
    ]
    assert not paired()
    contacts.archive_contacts(book, between)
    assert paired()
    assert not made  # brought up to date both times
    assert _digest(cleanup.review(book, TODAY)) == _scratch(book.path)


@pytest.mark.parametrize(
    "there, renamed",
    [
        ("李娜2", "李娜"),  # a number added: found from the name without it
        ("李娜", "李娜2"),
        ("Sunny Liq", "Sunny Li"),  # a letter more at the end
        ("Sunny Li", "Sunny Liq"),
        ("q Sunny Li", "Sunny Li"),  # a letter more at the start
        ("Sunny Li", "q Sunny Li"),
        ("王秀英", "汪秀瑛"),  # the same sounds
    ],
)
def test_a_changed_name_meets_the_alike_names_that_did_not_change(book, there, renamed):
    other = contacts.create_contact(book, nickname=there)
    changed = contacts.create_contact(book, nickname="张敏")
    contacts.create_contact(book, nickname="陈静")
    assert not cleanup.review(book, TODAY).candidates
    cleanup.wait_saved(book)
    contacts.update_contact(book, changed, remark=renamed)
    found = cleanup.review(book, TODAY)
    assert {(c.contact_id, c.partner_id) for c in found.candidates} == {(changed, other)}
    assert _digest(found) == _scratch(book.path)


def test_an_account_left_with_no_one_is_counted_as_made_from_scratch(book):
    from kamtui.accounts import create_account

    account = create_account(book, "小号")
    alone = contacts.create_contact(book, nickname="王秀英", account_id=account)
    contacts.create_contact(book, nickname="李娜")
    cleanup.review(book, TODAY)
    cleanup.wait_saved(book)
    contacts.archive_contacts(book, [alone])
    found = cleanup.review(book, TODAY)
    assert account not in found.friends
    assert _digest(found) == _scratch(book.path)


def test_an_import_is_brought_in_by_id(demo_book, tmp_path, monkeypatch):
    """An import's new contacts are not noted one by one: the review finds them
    above the highest id it saw."""
    from kamtui.importing import read_file
    from kamtui.importing.apply import apply_import, plan_import

    book = demo_book
    cleanup.forget_cache()
    cleanup.review(book, TODAY)
    cleanup.wait_saved(book)
    csv = tmp_path / "friends.csv"
    # twenty friends, each twice (the second with a number added): duplicates
    names = [f"{'王李张刘陈'[n % 5]}{'秀英娜芳敏静'[n % 6]}{n}号" for n in range(20)]
    rows = [f"{name}{suffix}" for name in names for suffix in ("", "2")]
    csv.write_text("昵称\n" + "\n".join(rows) + "\n", encoding="utf-8")
    before = book.scalar("SELECT count(*) FROM cleanup_change")
    triggers = sorted(book.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    report = apply_import(book, plan_import(book, read_file(csv)))
    assert report.created == 40
    assert book.scalar("SELECT count(*) FROM cleanup_change") == before
    assert (
        sorted(book.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")) == triggers
    )
    made = _counting(monkeypatch, book)
    found = cleanup.review(book, TODAY)
    assert not made
    assert set(report.created_ids) & {c.contact_id for c in found.candidates if c.has("duplicate")}
    assert _digest(found) == _scratch(book.path)


def _saved_seq(path) -> int:
    import json
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return json.loads(con.execute("SELECT key FROM cleanup_identity").fetchone()[0])[1]
    finally:
        con.close()


def test_an_analysis_brought_up_to_date_is_saved_once_the_seller_pauses(demo_book, monkeypatch):
    book = demo_book
    monkeypatch.setattr(cleanup, "_SAVE_DELAY", 60.0)  # (a slow machine never catches up)
    cleanup.forget_cache()
    cleanup.review(book, TODAY)
    cleanup.wait_saved(book)
    ids = [r[0] for r in book.query("SELECT id FROM contact WHERE archived = 0 LIMIT 3")]
    saved = _saved_seq(book.path)
    contacts.update_contact(book, ids[0], remark="秀英")
    cleanup.review(book, TODAY)
    contacts.update_contact(book, ids[1], remark="李娜")
    cleanup.review(book, TODAY)
    assert _saved_seq(book.path) == saved  # not yet: each review put it off
    cleanup.wait_saved(book)  # (hurries it)
    assert _saved_seq(book.path) > saved
    assert book.scalar("SELECT count(*) FROM cleanup_change") == 1  # (the newest is kept)
    # closed before the save: the file is left alone (it may be a restored backup by then)
    saved = _saved_seq(book.path)
    contacts.update_contact(book, ids[2], remark="张敏")
    cleanup.review(book, TODAY)
    book.close()
    cleanup.wait_saved(book)
    assert _saved_seq(book.path) == saved


def test_wechat_ids_in_any_capitals_are_brought_up_to_date(book, monkeypatch):
    """A WeChat ID is the same whatever its capitals: a contact given one that an
    unchanged contact holds in other capitals is its duplicate, found without making
    the analysis again; capitals SQLite cannot fold make it again."""
    lucy = contacts.create_contact(book, nickname="露西", wechat_id="Lucy_88")
    other = contacts.create_contact(book, nickname="王秀英")
    contacts.create_contact(book, nickname="李娜")
    assert not cleanup.review(book, TODAY).candidates
    cleanup.wait_saved(book)
    made = _counting(monkeypatch, book)
    contacts.update_contact(book, other, wechat_id="lucy_88")
    found = cleanup.review(book, TODAY)
    assert [(c.contact_id, c.partner_id) for c in found.candidates] == [(other, lucy)]
    assert not made
    assert _digest(found) == _scratch(book.path)
    contacts.update_contact(book, other, wechat_id="ÄRGER_1")  # (an A with an umlaut)
    found = cleanup.review(book, TODAY)
    assert made == [1]
    assert not found.candidates
    assert _digest(found) == _scratch(book.path)


@pytest.mark.parametrize(
    "values, kind",
    [
        (["wx_1", "lucy", ""], 0),
        (["wx_1", "Lucy"], cleanup.ASCII_CAPITALS),
        (["王秀英", "Lucy"], cleanup.ASCII_CAPITALS),  # other letters, no capitals
        (["Ärger", "lucy"], cleanup.OTHER_CAPITALS),
    ],
)
def test_case_kind(values, kind):
    assert cleanup.case_kind(values) == kind
