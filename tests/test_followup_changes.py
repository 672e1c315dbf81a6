"""The refresh reads only what changed since its last run (migration v0005).

Triggers note every write that touches a contact's follow-up facts in
``followup_change``; the refresh keeps the buyers' purchase days in
``buyer_fact`` and checks only the open reminders of changed contacts. These
tests hold it to the whole-book refresh: day after day of a seller's edits, the
reminders it leaves are exactly those a refresh reading everything leaves.
"""

from __future__ import annotations

import contextlib
import random
import shutil
from datetime import date, timedelta

import pytest

from kamtui import (
    classify,
    contacts,
    followup,
    interactions,
    purchases,
    referrals,
    reminders,
    safety,
    settings,
    snippets,
)
from kamtui.errors import ValidationError
from kamtui.store.db import Book

T = date(2026, 11, 24)


def noted(book) -> set[int]:
    return {r[0] for r in book.query("SELECT contact_id FROM followup_change")}


def test_writes_are_noted_for_their_contacts(book):
    a = contacts.create_contact(book, nickname="A")
    b = contacts.create_contact(book, nickname="B")
    assert noted(book) == set()  # a new contact: every rule reads it anyway
    p = purchases.record_purchase(book, a, "面膜", "99", bought_on=T, credit=True, due_on=T)
    assert noted(book) == {a}
    book.conn.execute("DELETE FROM followup_change")
    interactions.log_interaction(book, b, "chat", "", T)
    assert noted(book) == {b}
    book.conn.execute("DELETE FROM followup_change")
    snippets.add_snippet(book, a, "hobby", "喜欢玫瑰")  # not a need: no rule reads it
    assert noted(book) == set()
    snippets.add_snippet(book, a, "need", "想买面膜")
    referrals.set_referrer(book, b, a)
    assert noted(book) == {a, b}
    book.conn.execute("DELETE FROM followup_change")
    contacts.update_contact(book, b, wechat_id="wx_b")  # nothing a rule reads
    assert noted(book) == set()
    contacts.update_contact(book, b, birthday="06-01")
    purchases.record_payment(book, a, "10", purchase_id=p)
    assert noted(book) == {a, b}
    book.conn.execute("DELETE FROM followup_change")
    contacts.merge_contacts(book, a, b)
    assert noted(book) == {a, b}


def _state(book) -> list[tuple]:
    return book.query(
        "SELECT auto_key, status, contact_id, kind, due_on, data FROM reminder "
        "WHERE auto_key IS NOT NULL ORDER BY auto_key"
    )


def _forget_facts(book) -> None:
    """Make the next refresh read the whole book, as a book's first one does."""
    with book.transaction() as con:
        con.execute('DELETE FROM setting WHERE "key" = ?', (followup._FACTS_KEY,))
    classify.forget(book)


def _edit(book, rng: random.Random, day: date, ids: list[int]) -> None:
    """A few of a seller's edits, the same for the same ``rng`` state."""
    for _ in range(rng.randint(4, 12)):
        cid = rng.choice(ids)
        what = rng.randrange(12)
        if what == 0:
            purchases.record_purchase(
                book, cid, rng.choice(["面膜", "玫瑰精华", "洁面"]), "99",
                bought_on=day - timedelta(days=rng.randint(0, 40)),
            )  # fmt: skip
        elif what == 1:
            purchases.record_purchase(book, cid, "面膜", "-99", bought_on=day)
        elif what == 2:
            p = purchases.record_purchase(
                book, cid, "面膜", "120", bought_on=day - timedelta(days=40), credit=True,
                due_on=day - timedelta(days=rng.randint(0, 5)),
            )  # fmt: skip
            if rng.random() < 0.5:
                purchases.record_payment(book, cid, "120", purchase_id=p)
        elif what == 3:
            interactions.log_interaction(
                book, cid, "chat", "", day - timedelta(days=rng.randint(0, 3))
            )
        elif what == 4:
            when = day + timedelta(days=rng.randint(-3, 9))
            contacts.update_contact(book, cid, birthday=f"{when.month:02d}-{when.day:02d}")
        elif what == 5:
            contacts.archive_contacts(book, [cid])
        elif what == 6:
            contacts.restore_contacts(book, [cid])
        elif what == 7:
            with book.transaction() as con:
                con.execute(
                    "DELETE FROM purchase WHERE id = (SELECT max(id) FROM purchase "
                    "WHERE contact_id = ?)",
                    (cid,),
                )
        elif what == 8:
            other = rng.choice(ids)
            if other != cid:
                with contextlib.suppress(ValidationError):  # (already referred)
                    referrals.set_referrer(book, cid, other)
        elif what == 9:
            snippets.add_snippet(book, cid, "need", "想了解")
        elif what == 10:
            other = rng.choice(ids)
            if other != cid:
                contacts.merge_contacts(book, cid, other)
                ids.remove(other)
        else:
            open_ = reminders.for_contact(book, cid)
            if open_:
                r = rng.choice(open_)
                if rng.random() < 0.5:
                    reminders.dismiss(book, r.id)
                else:
                    reminders.complete(book, r.id, day)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_day_after_day_the_same_reminders_as_reading_everything(demo_book, tmp_path, seed):
    demo_book.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(demo_book.path, tmp_path / "whole.db")
    whole = Book(tmp_path / "whole.db")
    try:
        ids = [r[0] for r in demo_book.query("SELECT id FROM contact ORDER BY id")]
        rng_a, rng_b = random.Random(seed), random.Random(seed)
        ids_a, ids_b = list(ids), list(ids)
        day = T
        for step in range(8):
            if step:
                _edit(demo_book, rng_a, day, ids_a)
                _edit(whole, rng_b, day, ids_b)
            if step == 5:  # the last edit undone, here and there alike
                safety.undo_last(demo_book, backup=False)
                safety.undo_last(whole, backup=False)
            if step in (3, 6):  # other settings: what was not due may be due now
                for b in (demo_book, whole):
                    settings.put(b, "reminder.repurchase_default_cycle", 20 if step == 3 else 45)
                    settings.put(b, "reminder.prospect_idle_days", 3 if step == 3 else 7)
                    settings.put(b, "churn.at_risk_factor", "1.2" if step == 3 else "1.5")
            _forget_facts(whole)
            ahead = rng_a.choice([None, None, 3, 0])  # (a horizon shorter than the rules')
            rng_b.choice([None, None, 3, 0])
            a = followup.refresh(demo_book, day, days_ahead=ahead)
            b = followup.refresh(whole, day, days_ahead=ahead)
            assert (a.created, a.obsoleted) == (b.created, b.obsoleted), (seed, day)
            assert _state(demo_book) == _state(whole), (seed, day)
            assert noted(demo_book) == set()  # taken into account
            day += timedelta(days=rng_a.choice([1, 1, 2, 5]))
            rng_b.choice([1, 1, 2, 5])
        # what the data calls for, asked of a book that keeps what changed
        assert followup.candidates(demo_book, day) == followup.candidates(whole, day)
        assert demo_book.scalar("SELECT count(*) FROM buyer_fact") == whole.scalar(
            "SELECT count(*) FROM buyer_fact"
        )
        assert demo_book.query("SELECT * FROM buyer_fact ORDER BY 1") == whole.query(
            "SELECT * FROM buyer_fact ORDER BY 1"
        )
    finally:
        whole.close()


def test_a_sale_dated_ahead_counts_on_its_day(book):
    """The days kept are those up to the refresh's day: a sale dated later is
    counted when its day comes, though nothing was written since."""
    a = contacts.create_contact(book, nickname="A")
    for days_ago in (76, 56, 36):  # usual gap 20 days
        purchases.record_purchase(book, a, "面膜", "99", bought_on=T - timedelta(days=days_ago))
    purchases.record_purchase(book, a, "面膜", "99", bought_on=T + timedelta(days=2))
    followup.refresh(book, T)
    assert book.query("SELECT days, last_day FROM buyer_fact WHERE contact_id = ?", (a,)) == [
        (3, (T - timedelta(days=36)).toordinal())
    ]
    followup.refresh(book, T + timedelta(days=2))
    assert book.query("SELECT days, last_day FROM buyer_fact WHERE contact_id = ?", (a,)) == [
        (4, (T + timedelta(days=2)).toordinal())
    ]
    # the dormant reminder of the old last purchase went with it
    assert not [
        r
        for r in book.query("SELECT auto_key FROM reminder WHERE status = 'open'")
        if r[0].startswith(f"dormant:{a}:{T - timedelta(days=36)}")
    ]


def test_a_purged_contact_leaves_no_facts(book):
    a = contacts.create_contact(book, nickname="A")
    purchases.record_purchase(book, a, "面膜", "99", bought_on=T)
    followup.refresh(book, T)
    assert book.scalar("SELECT count(*) FROM buyer_fact") == 1
    contacts.purge_contact(book, a)
    assert book.scalar("SELECT count(*) FROM buyer_fact") == 0


def test_a_quiet_that_ends_later_is_raised_though_nothing_changed(book):
    """A prospect and a buyer in touch yesterday fall due after today's horizon:
    on the day their quiet ends, with nothing written since, they are raised
    (found by the day of their last touch, not by a change)."""
    p = contacts.create_contact(book, nickname="P", intent=True, added_on=T - timedelta(days=90))
    b = contacts.create_contact(book, nickname="B", added_on=T - timedelta(days=90))
    purchases.record_purchase(book, b, "面膜", "99", bought_on=T - timedelta(days=200))
    for cid in (p, b):
        interactions.log_interaction(book, cid, "chat", "", T - timedelta(days=1))
    followup.refresh(book, T, days_ahead=0)
    assert not [k for k in _keys(book) if k.startswith(("prospect", "dormant"))]
    assert noted(book) == set()
    followup.refresh(book, T + timedelta(days=6), days_ahead=0)
    assert f"prospect:{p}:{T - timedelta(days=1)}" in _keys(book)
    followup.refresh(book, T + timedelta(days=29), days_ahead=0)
    assert f"dormant:{b}:{T - timedelta(days=200)}:{T - timedelta(days=1)}" in _keys(book)


def _keys(book) -> set[str]:
    return {r[0] for r in book.query("SELECT auto_key FROM reminder WHERE status = 'open'")}


def test_a_book_from_before_reads_everything_once_then_what_changed(tmp_path):
    """A book made before migration v0005 has no kept days: its first refresh
    reads the whole book (and keeps them), the next only what changed."""
    from kamtui.store.migrate import migrate

    old = Book(tmp_path / "v4.db", migrate=False)
    migrate(old, target=4)
    old.close()
    book = Book(tmp_path / "v4.db")
    try:
        assert book.scalar("SELECT count(*) FROM buyer_fact") == 0
        a = contacts.create_contact(book, nickname="A")
        purchases.record_purchase(book, a, "面膜", "99", bought_on=T - timedelta(days=3))
        assert followup.refresh(book, T).kinds == {"aftersale": 1}
        assert book.query("SELECT contact_id, days FROM buyer_fact") == [(a, 1)]
        assert noted(book) == set()
        interactions.log_interaction(book, a, "chat", "", T)
        assert noted(book) == {a}
        followup.refresh(book, T + timedelta(days=1))
        assert noted(book) == set()
    finally:
        book.close()


def test_a_buyer_lost_since_is_due_by_the_silence(book):
    """A buyer whose usual gap ran out before the first run's window is not raised
    by it; on the day they turn lost (3 × their gap) the silence decides, and the
    reminder it makes falls due before the days the last run had not covered."""
    d0 = T - timedelta(days=59)
    b = contacts.create_contact(book, nickname="B", added_on=d0 - timedelta(days=100))
    for day in (d0 - timedelta(days=20), d0):  # usual gap 20: at risk at d0+30, lost at d0+60
        purchases.record_purchase(book, b, "面膜", "99", bought_on=day)
    interactions.log_interaction(book, b, "chat", "", d0 + timedelta(days=35))
    followup.refresh(book, T)  # d0+59: due by the gap at d0+30, before the window
    assert not [k for k in _keys(book) if k.startswith("dormant")]
    followup.refresh(book, T + timedelta(days=1))  # lost: due by the silence, d0+65
    assert f"dormant:{b}:{d0}:{d0 + timedelta(days=35)}" in _keys(book)
