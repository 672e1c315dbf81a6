"""Automatic reminders and the agenda, rule by rule, with frozen dates."""

from datetime import date, timedelta

import pytest

from kamtui import (
    contacts,
    followup,
    interactions,
    purchases,
    referrals,
    reminders,
    settings,
    snippets,
)

T = date(2026, 11, 24)


def keys(book, status="open"):
    return {
        r[0]
        for r in book.query(
            "SELECT auto_key FROM reminder WHERE auto_key IS NOT NULL AND status = ?", (status,)
        )
    }


def kinds(ag):
    return [(i.group, i.kind, i.name) for i in ag.items]


@pytest.fixture
def person(book):
    return contacts.create_contact(book, nickname="王秀英", added_on=date(2025, 1, 1))


def test_aftersale_three_days_after_purchase(book, person):
    purchases.record_purchase(book, person, "玫瑰精华", "168", bought_on=T - timedelta(days=3))
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T - timedelta(days=3))
    followup.refresh(book, T)
    ag = followup.agenda(book, T)
    today = [i for i in ag.groups["today"] if i.kind == "aftersale"]
    assert len(today) == 1  # one check per purchase day, naming both items
    assert today[0].reason == "After-sale check: 玫瑰精华、面膜 bought 3 days ago"


def test_aftersale_setting(book, person):
    settings.put(book, "reminder.aftersale_days", 5)
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T - timedelta(days=1))
    followup.refresh(book, T)
    (item,) = [i for i in followup.agenda(book, T).items if i.kind == "aftersale"]
    assert item.due_on == T + timedelta(days=4) and item.group == "upcoming"


def test_repurchase_per_quantity_and_superseded(book, person):
    purchases.create_product(book, "玫瑰精华", cycle_days=30, price="168")
    p = purchases.record_purchase(
        book, person, "玫瑰精华", quantity=2, bought_on=T - timedelta(days=60)
    )
    followup.refresh(book, T)
    assert f"repurchase:{p}" in keys(book)
    item = next(i for i in followup.agenda(book, T).items if i.kind == "repurchase")
    assert item.group == "today" and item.reason == "Repurchase: 玫瑰精华 bought 60 days ago"
    # Bought again: the old repurchase reminder is obsolete, and no new one yet.
    purchases.record_purchase(book, person, "玫瑰精华", bought_on=T)
    report = followup.refresh(book, T)
    assert report.obsoleted >= 1
    assert f"repurchase:{p}" not in keys(book)


def test_repurchase_default_cycle_and_no_cycle(book, person):
    purchases.create_product(book, "代理礼包", cycle_days=0, price="2980")
    purchases.record_purchase(book, person, "代理礼包", bought_on=T - timedelta(days=30))
    p = purchases.record_purchase(book, person, "随手礼", "20", bought_on=T - timedelta(days=30))
    followup.refresh(book, T)
    rep = {k for k in keys(book) if k.startswith("repurchase")}
    assert rep == {f"repurchase:{p}"}


def test_birthday_three_days_before_and_on_the_day(book):
    cid = contacts.create_contact(book, nickname="A", birthday="1990-11-27")
    followup.refresh(book, T)
    ag = followup.agenda(book, T)
    soon = [i for i in ag.items if i.kind == "birthday_soon"]
    day = [i for i in ag.items if i.kind == "birthday"]
    assert soon[0].group == "today" and soon[0].reason == "Birthday in 3 days, turns 36"
    assert day[0].due_on == date(2026, 11, 27)
    assert f"birthday:{cid}:2026-11-27" in keys(book)


def test_birthday_year_end_and_no_year(book):
    cid = contacts.create_contact(book, nickname="A", birthday="01-02")
    day = date(2026, 12, 30)
    followup.refresh(book, day)
    assert f"birthday:{cid}:2027-01-02" in keys(book)
    assert f"birthday_soon:{cid}:2027-01-02" in keys(book)


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2027, 2, 26), "2027-02-28"), (date(2028, 2, 26), "2028-02-29")],
)
def test_birthday_feb_29(book, today, expected):
    cid = contacts.create_contact(book, nickname="A", birthday="2000-02-29")
    followup.refresh(book, today)
    assert f"birthday:{cid}:{expected}" in keys(book)


def test_lunar_birthday_and_leap_month(book):
    # 农历三月初五 in 2027 is 2027-04-11; 农历闰六月初一 2025 is 2025-07-25.
    a = contacts.create_contact(book, nickname="A", birthday="农历三月初五")
    b = contacts.create_contact(book, nickname="B", birthday="农历闰六月初一")
    followup.refresh(book, date(2027, 4, 8))
    assert f"birthday:{a}:2027-04-11" in keys(book)
    item = next(
        i for i in followup.agenda(book, date(2027, 4, 8)).items if i.kind == "birthday_soon"
    )
    assert item.reason == "Birthday in 3 days (农历三月初五)"
    followup.refresh(book, date(2025, 7, 22))
    assert f"birthday:{b}:2025-07-25" in keys(book)


def test_birthday_change_makes_reminder_obsolete(book):
    cid = contacts.create_contact(book, nickname="A", birthday="11-26")
    followup.refresh(book, T)
    assert f"birthday:{cid}:2026-11-26" in keys(book)
    contacts.update_contact(book, cid, birthday="06-01")
    followup.refresh(book, T)
    assert f"birthday:{cid}:2026-11-26" in keys(book, "obsolete")


def test_prospect_warm_after_seven_quiet_days(book):
    cid = contacts.create_contact(book, nickname="A", added_on=date(2026, 1, 1))
    snippets.add_snippet(book, cid, "need", "想买护肤品", saved_on=date(2026, 11, 1))
    interactions.log_interaction(book, cid, "chat", "问价", T - timedelta(days=7))
    followup.refresh(book, T)
    item = next(i for i in followup.agenda(book, T).items if i.kind == "prospect")
    assert item.group == "today" and item.reason == "Prospect: 7 days without contact"
    interactions.log_interaction(book, cid, "chat", "又聊了", T)
    followup.refresh(book, T)
    assert f"prospect:{cid}:{T - timedelta(days=7)}" in keys(book, "obsolete")
    (item,) = [i for i in followup.agenda(book, T).items if i.kind == "prospect"]
    assert item.due_on == T + timedelta(days=7)


def test_dormant_by_own_interval_and_silence(book):
    cid = contacts.create_contact(book, nickname="A")
    for days_ago in (76, 56, 36):  # usual gap 20 days → dormant after 30 days
        purchases.record_purchase(book, cid, "面膜", "99", bought_on=T - timedelta(days=days_ago))
    followup.refresh(book, T)
    item = next(i for i in followup.agenda(book, T).items if i.kind == "dormant")
    assert item.due_on == T - timedelta(days=6)
    assert item.reason == "Dormant: usually buys every 20 days; 36 days since the last purchase"
    one = contacts.create_contact(book, nickname="B")
    purchases.record_purchase(book, one, "面膜", "99", bought_on=T - timedelta(days=40))
    interactions.log_interaction(book, one, "chat", "", T - timedelta(days=30))
    followup.refresh(book, T)
    silence = [
        i for i in followup.agenda(book, T).items if i.kind == "dormant" and i.contact_id == one
    ]
    assert silence[0].reason == "Dormant: 30 days without contact"


def test_owed_on_due_date_and_paid(book, person):
    p = purchases.record_purchase(
        book, person, "面膜", "120", bought_on=T - timedelta(days=400), credit=True, due_on=T
    )
    followup.refresh(book, T)
    item = next(i for i in followup.agenda(book, T).items if i.kind == "owed")
    assert item.group == "today" and item.reason == "Owes ¥120 (面膜), due today"
    purchases.record_payment(book, person, "120", purchase_id=p)
    followup.refresh(book, T)
    assert not [k for k in keys(book) if k.startswith("owed")]


def test_owed_raised_however_late(book, person):
    purchases.record_purchase(
        book, person, "面膜", "50", credit=True, due_on=T - timedelta(days=300)
    )
    followup.refresh(book, T)
    item = next(i for i in followup.agenda(book, T).items if i.kind == "owed")
    assert item.overdue_days == 300


def test_thank_a_referrer(book):
    a = contacts.create_contact(book, nickname="介绍人")
    b = contacts.create_contact(book, nickname="新客")
    referrals.set_referrer(book, b, a)
    purchases.record_purchase(book, b, "面膜", "99", bought_on=T)
    followup.refresh(book, T)
    item = next(i for i in followup.agenda(book, T).items if i.kind == "thanks")
    assert item.contact_id == a and item.reason == "Thank them: 新客, whom they introduced, bought"


def test_idempotent_and_dismissed_stays_dismissed(book, person):
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T - timedelta(days=3))
    first = followup.refresh(book, T)
    assert first.created > 0
    assert followup.refresh(book, T).created == 0
    n = book.scalar("SELECT count(*) FROM reminder")
    rid = next(i.reminder_id for i in followup.agenda(book, T).items if i.kind == "aftersale")
    reminders.dismiss(book, rid)
    followup.refresh(book, T)
    followup.refresh(book, T + timedelta(days=1))
    assert book.scalar("SELECT count(*) FROM reminder WHERE kind = 'aftersale'") == 1
    assert reminders.get_reminder(book, rid).status == "dismissed"
    assert book.scalar("SELECT count(*) FROM reminder") >= n
    # a new trigger (a new purchase day) makes a new reminder
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T)
    followup.refresh(book, T + timedelta(days=3))
    assert book.scalar("SELECT count(*) FROM reminder WHERE kind = 'aftersale'") == 2


def test_done_logs_interaction_and_repeats(book, person):
    rid = reminders.add_reminder(book, person, T - timedelta(days=2), "问效果", rrule="每周")
    nxt = reminders.complete(book, rid, T, "问过了, 效果好")
    assert nxt == T - timedelta(days=2) + timedelta(days=7)
    r = reminders.get_reminder(book, rid)
    assert r.status == "open" and r.due_on == nxt
    (last,) = interactions.list_interactions(book, person, limit=1)
    assert (last.occurred_on, last.summary) == (T, "问过了, 效果好")
    once = reminders.add_reminder(book, person, T, "一次性")
    assert reminders.complete(book, once, T) is None
    assert reminders.get_reminder(book, once).status == "done"
    assert interactions.list_interactions(book, person, limit=1)[0].summary == "一次性"


def test_snooze_moves_to_upcoming(book, person):
    rid = reminders.add_reminder(book, person, T - timedelta(days=1), "x")
    reminders.snooze(book, rid, T + timedelta(days=3))
    (item,) = followup.agenda(book, T).items
    assert item.group == "upcoming" and item.snoozed and item.due_on == T + timedelta(days=3)


def test_agenda_groups_favourites_first_and_archived_hidden(book):
    a = contacts.create_contact(book, nickname="普通")
    b = contacts.create_contact(book, nickname="置顶", favourite=True)
    c = contacts.create_contact(book, nickname="归档")
    for cid in (a, b, c):
        reminders.add_reminder(book, cid, T, "x")
    reminders.add_reminder(book, a, T - timedelta(days=1), "old")
    reminders.add_reminder(book, a, T + timedelta(days=8), "too far")
    contacts.archive_contacts(book, [c])
    ag = followup.agenda(book, T)
    assert ag.counts() == {"overdue": 1, "today": 2, "upcoming": 0}
    assert [i.name for i in ag.groups["today"]] == ["置顶", "普通"]
    assert followup.agenda(book, T, days_ahead=8).counts()["upcoming"] == 1


def test_first_run_does_not_replay_history(book, person):
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T - timedelta(days=40))
    followup.refresh(book, T)
    assert not [k for k in keys(book) if k.startswith("aftersale")]
    # later runs catch up the days since the last run
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T + timedelta(days=1))
    followup.refresh(book, T + timedelta(days=20))
    assert [k for k in keys(book) if k.startswith("aftersale")]


def test_demo_book_raises_every_kind(demo_book):
    followup.refresh(demo_book, T)
    found = {i.kind for i in followup.agenda(demo_book, T).items}
    assert set(followup.AUTO_KINDS) | {"manual"} <= found


def test_today_command_json(demo_book, capsys, monkeypatch):
    import json

    from kamtui.cli import main

    monkeypatch.setenv("KAMTUI_TODAY", T.isoformat())
    path = str(demo_book.path)
    demo_book.close()
    assert main(["--db", path, "today", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert set(followup.AUTO_KINDS) <= {i["kind"] for i in items}
    for key in ("contact_id", "name", "kind", "due_on", "overdue_days", "reason"):
        assert key in items[0]
    assert main(["--db", path, "--lang", "zh", "today", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "逾期" in out and "\x1b" not in out


def test_agenda_view_order_is_the_agenda_order_whatever_the_names(book):
    """The view is sorted by SQLite, the agenda in Python: same order, names as
    display_name makes them (Unicode spaces stripped, remark before nickname, #id)."""
    names = [
        ("", "王秀英"), ("\u3000李四\u3000", ""), ("  ", "\u00a0张三"), ("", ""), ("Émile", "x"),
        ("emile", ""), ("😀", ""), ("\u2028z", ""), ("a\u200bb", ""), ("李四", "王"), ("ｂ", ""),
    ]  # fmt: skip
    ids = [contacts.create_contact(book, nickname=f"n{i}") for i in range(len(names))]
    with book.transaction() as con:
        for cid, (remark, nick) in zip(ids, names, strict=True):
            con.execute(
                "UPDATE contact SET remark = ?, nickname = ? WHERE id = ?", (remark, nick, cid)
            )
        con.execute("UPDATE contact SET favourite = 1 WHERE id = ?", (ids[3],))
    for n, cid in enumerate(ids):
        for day in (T - timedelta(days=1 + n % 2), T, T + timedelta(days=n % 3)):
            reminders.add_reminder(book, cid, day, "x")
    followup.refresh(book, T)
    expected = [i.reminder_id for i in followup.agenda(book, T).items]
    view = followup.agenda_view(book, T)
    assert view.ids == expected
    assert view.counts() == followup.agenda(book, T).counts()
    first = view.item(view.group_range("today")[0])
    assert (first.name, first.favourite) == (f"#{ids[3]}", True)  # favourites first


def test_space_is_what_str_strip_strips():
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == followup._SPACE


def _no_rules(monkeypatch):
    """Make any run of the rules fail: a refresh that returns did not run them."""

    def boom(*a, **k):
        raise AssertionError("the rules ran")

    monkeypatch.setattr(followup, "_candidates", boom)


def test_refresh_with_nothing_changed_since_is_skipped(book, person, monkeypatch):
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T - timedelta(days=3))
    purchases.record_purchase(book, person, "精华", "168", bought_on=T + timedelta(days=1))
    assert followup.refresh(book, T).kinds["aftersale"] == 1
    assert followup.refresh(book, T).created == 0  # ran, found nothing: settled
    with monkeypatch.context() as m:
        _no_rules(m)
        assert followup.refresh(book, T).created == 0  # skipped
    # the next day, nothing committed since: the rules run (tomorrow's sale is today's)
    assert followup.refresh(book, T + timedelta(days=1)).kinds["aftersale"] == 1
    assert f"aftersale:{person}:{T + timedelta(days=1)}" in keys(book)


def test_refresh_runs_again_after_a_commit_here_or_elsewhere(book, person, monkeypatch):
    from kamtui.store.db import Book

    followup.refresh(book, T)
    followup.refresh(book, T)  # settled
    purchases.record_purchase(book, person, "面膜", "99", bought_on=T - timedelta(days=3))
    assert followup.refresh(book, T).kinds == {"aftersale": 1}  # a commit here: runs
    followup.refresh(book, T)  # settled
    other = Book(book.path)  # another connection (as another process would)
    try:
        purchases.record_purchase(other, person, "水", "50", bought_on=T)
        assert followup.refresh(book, T).kinds["aftersale"] == 1
    finally:
        other.close()
    # a different horizon is a different question
    followup.refresh(book, T)
    with monkeypatch.context() as m:
        _no_rules(m)
        followup.refresh(book, T)
        with pytest.raises(AssertionError, match="the rules ran"):
            followup.refresh(book, T, days_ahead=3)


def test_repurchase_stays_or_goes_by_the_later_sales(book, person):
    """The stale check's test by id is the rule's: a later positive sale of the
    same item (or product), the same day with a later id too, ends it; an earlier
    sale, a return or another item does not; a sale gone (deleted) ends it."""
    purchases.create_product(book, "玫瑰精华", cycle_days=30, price="168")
    day = T - timedelta(days=30)
    ids = [purchases.record_purchase(book, person, "玫瑰精华", bought_on=day) for _ in range(2)]
    kept = purchases.record_purchase(book, person, "洁面", "50", bought_on=day)
    gone = purchases.record_purchase(book, person, "面膜", "50", bought_on=day)
    followup.refresh(book, T)
    # only the later of the two same-day sales is due
    assert {k for k in keys(book) if k.startswith("repurchase")} == {
        f"repurchase:{ids[1]}",
        f"repurchase:{kept}",
        f"repurchase:{gone}",
    }
    purchases.record_purchase(book, person, "玫瑰精华", bought_on=day - timedelta(days=5))
    purchases.record_purchase(book, person, "洁面", "-50", bought_on=T)  # a return
    purchases.record_purchase(book, person, "别的", "9", bought_on=T)
    with book.transaction() as con:
        con.execute("DELETE FROM purchase WHERE id = ?", (gone,))
    followup.refresh(book, T)
    open_keys = keys(book)
    assert {f"repurchase:{ids[1]}", f"repurchase:{kept}"} <= open_keys
    assert f"repurchase:{gone}" in keys(book, "obsolete")
    purchases.record_purchase(book, person, "玫瑰精华", bought_on=day)  # same day, later id
    followup.refresh(book, T)
    assert f"repurchase:{ids[1]}" in keys(book, "obsolete")
    assert f"repurchase:{kept}" in keys(book)


@pytest.mark.parametrize("data", ["", "not json", "[1]", '{"bought_on": "2026-11-01"}'])
def test_stale_after_sale_check_reads_its_day_from_the_data(book, person, data):
    """The day a check needs comes out of the reminder's data in SQL: no data, or
    data that cannot be read, is no day (obsolete), never an error."""
    purchases.record_purchase(book, person, "面膜", "99", bought_on=date(2026, 11, 1))
    with book.transaction() as con:
        con.execute(
            "INSERT INTO reminder (contact_id, kind, due_on, note, status, auto_key, data, "
            "created_at, updated_at) VALUES (?, 'aftersale', '2026-11-04', '', 'open', ?, ?, "
            "'2026-11-01', '2026-11-01')",
            (person, f"aftersale:{person}:2026-11-01:old", data),
        )
    followup.refresh(book, T)
    still = f"aftersale:{person}:2026-11-01:old" in keys(book)
    assert still == data.startswith("{")
