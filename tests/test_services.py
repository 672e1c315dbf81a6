"""Round-trips of every table through the domain services, and their validation."""

from datetime import date, timedelta

import pytest

from kamtui import (
    accounts,
    contacts,
    interactions,
    purchases,
    referrals,
    reminders,
    satisfaction,
    settings,
    snippets,
    tags,
)
from kamtui.errors import NotFound, ValidationError
from kamtui.store.undo import last_action, undo_action

D = date(2026, 11, 24)


@pytest.fixture
def acct(book):
    return accounts.create_account(book, "主号")


def test_account_round_trip_and_capacity(book, acct):
    accounts.create_account(book, "副号", friend_cap=10000, wechat_id="seller_2")
    contacts.create_contact(book, nickname="A", account="主号")
    archived = contacts.create_contact(book, nickname="B", account=acct)
    contacts.archive_contacts(book, [archived])
    infos = {a.name: a for a in accounts.list_accounts(book)}
    assert infos["主号"].friend_cap == 5000 and infos["主号"].friends == 1
    assert infos["主号"].free == 4999
    assert infos["副号"].friend_cap == 10000 and infos["副号"].wechat_id == "seller_2"
    with pytest.raises(ValidationError) as e:
        accounts.create_account(book, "主号")
    assert e.value.field == "account_name"
    accounts.update_account(book, acct, friend_cap=6000)
    assert {a.name: a.friend_cap for a in accounts.list_accounts(book)}["主号"] == 6000


def test_default_cap_is_a_setting(book):
    settings.put(book, "account.default_cap", "8000")
    accounts.create_account(book, "新号")
    assert accounts.list_accounts(book)[0].friend_cap == 8000


def test_contact_round_trip(book, acct):
    cid = contacts.create_contact(
        book,
        remark="张三-广州-宝妈",
        nickname="小张🌸",
        wechat_id="zhangsan88",
        account="主号",
        phone="+86 138-0013-8000",
        province="广东",
        city="广州",
        occupation="宝妈",
        gender="女",
        added_on=date(2025, 3, 1),
        description="喜欢瑜伽",
        potential=5,
        intent=True,
        tags=["VIP", "宝妈"],
        last_moment_on=date(2026, 11, 1),
    )
    c = contacts.get_contact(book, cid)
    assert (c.remark, c.nickname, c.wechat_id, c.account_id) == (
        "张三-广州-宝妈",
        "小张🌸",
        "zhangsan88",
        acct,
    )
    assert c.phone == "+8613800138000"
    assert c.gender == "f" and c.potential == 5 and c.intent is True
    assert c.added_on == date(2025, 3, 1) and c.last_moment_on == date(2026, 11, 1)
    assert c.created_at.tzinfo is not None
    assert tags.contact_tags(book, cid) == ["VIP", "宝妈"]
    assert "zhangsan" in c.search_key and "zs" in c.search_key and "vip" in c.search_key
    assert "13800138000" in c.search_key

    contacts.update_contact(book, cid, occupation="美容师", tags=["VIP"])
    c = contacts.get_contact(book, cid)
    assert c.occupation == "美容师" and "美容师" in c.search_key
    assert "宝妈" not in c.search_key.split("\x1f")[5]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12345"),
        ("phone", "1.38001E+10"),
        ("potential", 7),
        ("potential", "高"),
        ("gender", "x"),
        ("added_on", "2026-02-30"),
        ("account", "没有这个号"),
        ("tags", ["has space"]),
        ("colour", "red"),
    ],
)
def test_contact_validation_names_the_field(book, acct, field, value):
    with pytest.raises(ValidationError) as e:
        contacts.create_contact(book, nickname="A", **{field: value})
    assert e.value.field == field
    assert e.value.message
    assert book.scalar("SELECT count(*) FROM contact") == 0


def test_contact_needs_a_name(book):
    with pytest.raises(ValidationError) as e:
        contacts.create_contact(book, wechat_id="x")
    assert e.value.field == "nickname"
    cid = contacts.create_contact(book, nickname="A")
    with pytest.raises(ValidationError):
        contacts.update_contact(book, cid, nickname="")


def test_validation_message_follows_language(book):
    from kamtui import i18n

    i18n.set_language("zh")
    with pytest.raises(ValidationError) as e:
        contacts.create_contact(book, nickname="A", phone="123")
    assert "手机号" in e.value.message


def test_update_is_all_or_nothing(book):
    cid = contacts.create_contact(book, nickname="A", city="广州")
    with pytest.raises(ValidationError):
        contacts.update_contact(book, cid, city="深圳", phone="bad")
    assert contacts.get_contact(book, cid).city == "广州"


def test_unknown_contact(book):
    with pytest.raises(NotFound):
        contacts.get_contact(book, 99)
    with pytest.raises(NotFound):
        contacts.update_contact(book, 99, city="x")
    with pytest.raises(NotFound):
        interactions.log_interaction(book, 99, "chat")


def test_favourite_archive_restore_and_undo(book):
    ids = [contacts.create_contact(book, nickname=n) for n in "ABC"]
    assert contacts.toggle_favourite(book, ids[0]) is True
    assert contacts.get_contact(book, ids[0]).favourite
    assert contacts.archive_contacts(book, ids[1:]) == 2
    assert contacts.get_contact(book, ids[1]).archived
    info = last_action(book.conn)
    assert info.label.startswith("archive 2")
    with book.transaction() as con:
        undo_action(con, info.id)
    assert not contacts.get_contact(book, ids[1]).archived
    contacts.archive_contacts(book, [ids[2]])
    assert contacts.restore_contacts(book, [ids[2]]) == 1
    assert not contacts.get_contact(book, ids[2]).archived


def test_tags_bulk_rename_and_counts(book):
    ids = [contacts.create_contact(book, nickname=n) for n in "ABC"]
    tags.tag_contacts(book, ids, "VIP, #复购")
    tags.untag_contacts(book, ids[:1], ["复购"])
    assert dict(tags.list_tags(book)) == {"VIP": 3, "复购": 2}
    tags.rename_tag(book, "复购", "vip")  # onto an existing tag (case-insensitive): merge
    assert dict(tags.list_tags(book)) == {"VIP": 3}
    tags.rename_tag(book, "VIP", "大客户")
    assert "大客户" in contacts.get_contact(book, ids[0]).search_key


def test_snippets_grouped(book):
    cid = contacts.create_contact(book, nickname="A")
    snippets.add_snippet(book, cid, "need", "想给妈妈买护肤品", saved_on=D)
    snippets.add_snippet(book, cid, "爱好", "喜欢瑜伽", saved_on=D)
    with pytest.raises(ValidationError) as e:
        snippets.add_snippet(book, cid, "mood", "x")
    assert e.value.field == "kind"
    with pytest.raises(ValidationError):
        snippets.add_snippet(book, cid, "need", "   ")
    groups = snippets.list_snippets(book, cid)
    assert [s.text for s in groups["need"]] == ["想给妈妈买护肤品"]
    assert [s.text for s in groups["hobby"]] == ["喜欢瑜伽"]
    snippets.set_snippet_closed(book, groups["need"][0].id)
    assert snippets.list_snippets(book, cid)["need"][0].closed


def test_interactions_and_complaints(book):
    cid = contacts.create_contact(book, nickname="A")
    interactions.log_interaction(book, cid, "chat", "问了价格", D - timedelta(days=3))
    cpl = interactions.log_interaction(book, cid, "投诉", "快递破损", D)
    assert interactions.last_contact_on(book, cid) == D
    assert [i.id for i in interactions.open_complaints(book)] == [cpl]
    interactions.resolve_complaint(book, cpl, D)
    assert interactions.open_complaints(book) == []
    items = interactions.list_interactions(book, cid)
    assert [i.kind for i in items] == ["complaint", "chat"] and items[0].resolved_on == D
    assert interactions.last_contact_dates(book) == {cid: D}


def test_purchases_products_credit_and_payments(book):
    cid = contacts.create_contact(book, nickname="A")
    purchases.create_product(book, "玫瑰精华", cycle_days=30, price="168", cost="60")
    p1 = purchases.record_purchase(book, cid, "玫瑰精华", quantity=2, bought_on=D)
    row = purchases.get_purchase(book, p1)
    assert row.amount_fen == 33600 and row.cost_fen == 12000 and row.product_id is not None
    credit = purchases.record_purchase(
        book, cid, "面膜", "¥120.50", bought_on=D, credit=True, due_on=D + timedelta(days=7)
    )
    purchases.record_purchase(book, cid, "面膜", "-20", bought_on=D)  # a return
    assert purchases.owed_total(book) == 12050
    with pytest.raises(ValidationError) as e:
        purchases.record_payment(book, cid, "200")
    assert e.value.field == "amount"
    assert purchases.record_payment(book, cid, "100", paid_on=D) == [(credit, 10000)]
    assert purchases.owed_total(book, cid) == 2050
    tot = purchases.totals(book, cid, D)
    assert tot.lifetime_fen == 33600 + 12050 - 2000
    assert tot.owed_fen == 2050 and tot.orders == 3 and tot.purchase_days == 1
    with pytest.raises(ValidationError):
        purchases.record_purchase(book, cid, "面膜", "12.345")
    with pytest.raises(ValidationError):
        purchases.record_purchase(book, cid, "面膜", "100", quantity=0)
    with pytest.raises(ValidationError):
        purchases.record_payment(book, cid, "10", purchase_id=p1)  # not a credit sale


def test_referrals(book):
    a, b, c = (contacts.create_contact(book, nickname=n) for n in "ABC")
    referrals.set_referrer(book, b, a, referred_on=D)
    referrals.set_referrer(book, c, b, referred_on=D)
    with pytest.raises(ValidationError):
        referrals.set_referrer(book, a, c)  # loop a -> b -> c -> a
    with pytest.raises(ValidationError):
        referrals.set_referrer(book, a, a)
    with pytest.raises(ValidationError):
        referrals.set_referrer(book, b, c)  # b already referred by a
    assert referrals.referred_by(book, b).referrer_id == a
    assert [r.referred_id for r in referrals.introduced(book, a)] == [b]
    assert not referrals.introduced(book, a)[0].bought
    purchases.record_purchase(book, b, "面膜", "50", bought_on=D)
    assert referrals.introduced(book, a)[0].bought


def test_reminders_and_satisfaction(book):
    cid = contacts.create_contact(book, nickname="A")
    rid = reminders.add_reminder(book, cid, D, "问问效果", rrule="FREQ=WEEKLY")
    r = reminders.get_reminder(book, rid)
    assert (r.kind, r.due_on, r.note, r.rrule, r.status) == (
        "manual",
        D,
        "问问效果",
        "FREQ=WEEKLY",
        "open",
    )
    assert [x.id for x in reminders.for_contact(book, cid)] == [rid]
    satisfaction.rate(book, cid, 5, rated_on=D, note="很好")
    with pytest.raises(ValidationError):
        satisfaction.rate(book, cid, 6)
    h = satisfaction.history(book, cid)
    assert h[0].level == 5 and h[0].label == "highly satisfied"


def test_settings_round_trip(book):
    assert settings.get(book, "cleanup.dead_days") == 60
    settings.put(book, "cleanup.dead_days", "90")
    assert settings.get(book, "cleanup.dead_days") == 90
    with pytest.raises(ValidationError):
        settings.put(book, "cleanup.dead_days", "abc")
    with pytest.raises(ValidationError):
        settings.put(book, "no.such", 1)
    settings.reset(book, "cleanup.dead_days")
    assert settings.get(book, "cleanup.dead_days") == 60


def test_merge_keeps_both_histories_and_undoes(book):
    acct = accounts.create_account(book, "主号")
    keep = contacts.create_contact(book, nickname="王秀英", account=acct, tags=["VIP"])
    drop = contacts.create_contact(
        book, nickname="王秀英.", phone="13800138000", city="深圳", tags=["宝妈"], favourite=True
    )
    other = contacts.create_contact(book, nickname="介绍人")
    referrals.set_referrer(book, drop, other)
    interactions.log_interaction(book, keep, "chat", "k", D)
    interactions.log_interaction(book, drop, "call", "d", D)
    purchases.record_purchase(book, drop, "面膜", "88", bought_on=D)
    snippets.add_snippet(book, drop, "worry", "怕过敏")
    reminders.add_reminder(book, drop, D, "x")
    satisfaction.rate(book, drop, 4)
    contacts.merge_contacts(book, keep, drop, take_from_drop=["nickname"])
    k = contacts.get_contact(book, keep)
    assert k.nickname == "王秀英." and k.phone == "+8613800138000" and k.city == "深圳"
    assert k.favourite and not k.archived
    assert contacts.get_contact(book, drop).archived
    assert len(interactions.list_interactions(book, keep)) == 2
    assert len(purchases.list_purchases(book, keep)) == 1
    assert tags.contact_tags(book, keep) == ["VIP", "宝妈"]
    assert referrals.referred_by(book, keep).referrer_id == other
    assert len(reminders.for_contact(book, keep)) == 1
    assert len(satisfaction.history(book, keep)) == 1
    info = last_action(book.conn)
    assert info.label.startswith("merge")
    with book.transaction() as con:
        undo_action(con, info.id)
    assert len(interactions.list_interactions(book, keep)) == 1
    assert len(interactions.list_interactions(book, drop)) == 1
    assert not contacts.get_contact(book, drop).archived
    assert contacts.get_contact(book, keep).nickname == "王秀英"
    assert referrals.referred_by(book, drop).referrer_id == other
    assert book.query("PRAGMA foreign_key_check") == []


def test_purge_erases_everything(book):
    a = contacts.create_contact(book, nickname="A", tags=["VIP"])
    b = contacts.create_contact(book, nickname="B")
    referrals.set_referrer(book, b, a)
    p = purchases.record_purchase(book, a, "面膜", "10", credit=True)
    purchases.record_payment(book, a, "5", purchase_id=p)
    interactions.log_interaction(book, a, "chat")
    contacts.purge_contact(book, a)
    assert book.scalar("SELECT count(*) FROM contact WHERE id = ?", (a,)) == 0
    for table in ("purchase", "payment", "interaction", "contact_tag"):
        assert book.scalar(f"SELECT count(*) FROM {table} WHERE contact_id = ?", (a,)) == 0
    assert book.scalar("SELECT count(*) FROM payment") == 0
    assert book.scalar("SELECT count(*) FROM referral") == 0
    assert book.query("PRAGMA foreign_key_check") == []
    assert contacts.get_contact(book, b).nickname == "B"


def test_birthdays_solar_lunar_and_invalid(book):
    cid = contacts.create_contact(book, nickname="A", birthday="农历闰四月初八")
    c = contacts.get_contact(book, cid)
    assert (c.birth_month, c.birth_day, c.birth_lunar, c.birth_leap, c.birth_year) == (
        4,
        8,
        True,
        True,
        None,
    )
    contacts.update_contact(book, cid, birthday="2000-02-29")
    c = contacts.get_contact(book, cid)
    assert (c.birth_year, c.birth_month, c.birth_day, c.birth_lunar) == (2000, 2, 29, False)
    contacts.update_contact(book, cid, birthday="")
    assert contacts.get_contact(book, cid).birth_month is None
    with pytest.raises(ValidationError) as e:
        contacts.create_contact(book, nickname="B", birthday="2001-02-29")
    assert e.value.field == "birthday"
    with pytest.raises(ValidationError):
        contacts.create_contact(book, nickname="B", birth_month=2, birth_day=30)
    with pytest.raises(ValidationError):
        contacts.create_contact(
            book,
            nickname="B",
            birth_month=2,
            birth_day=30,
            birth_lunar=True,
            birth_leap=True,
            birth_year=2026,
        )


def test_dates_in_seller_forms(book):
    cid = contacts.create_contact(book, nickname="A", added_on="2026年3月5日")
    assert contacts.get_contact(book, cid).added_on == date(2026, 3, 5)
    cid = contacts.create_contact(book, nickname="B", added_on="46000")  # Excel serial
    assert contacts.get_contact(book, cid).added_on == date(2025, 12, 9)


@pytest.mark.parametrize(
    ("raw", "damaged"),
    [
        ("1.38001E+10", True),
        ("2112345678", True),
        ("(650) 253-0000", False),
        ("021-12345678", False),
    ],
)
def test_phone_damage_detection(raw, damaged):
    from kamtui.phone import looks_damaged

    assert looks_damaged(raw) is damaged


def test_undo_refuses_when_rows_changed_since(book):
    from kamtui import safety
    from kamtui.errors import KamtuiError

    ids = [contacts.create_contact(book, nickname=n) for n in "AB"]
    contacts.archive_contacts(book, ids)
    contacts.update_contact(book, ids[0], city="广州")  # a later edit, not undoable itself
    with pytest.raises(KamtuiError, match="changed again since"):
        safety.undo_last(book, backup=False)
    c = contacts.get_contact(book, ids[0])
    assert c.archived and c.city == "广州"  # nothing was changed


def test_forget_erases_contacts_merged_into_them(book):
    from kamtui import safety

    keep = contacts.create_contact(book, nickname="王秀英")
    drop = contacts.create_contact(book, nickname="王秀英.", phone="13800138000")
    contacts.merge_contacts(book, keep, drop)
    assert contacts.get_contact(book, drop).merged_into_id == keep
    assert "(merged into #" in contacts.get_contact(book, drop).description
    report = safety.forget_contact(book, keep)
    assert report.rows["merged_contacts"] == 1
    assert book.scalar("SELECT count(*) FROM contact") == 0
    assert book.query("PRAGMA foreign_key_check") == []


def test_contact_record_reads_what_the_orm_reads(demo_book):
    """get_record (plain sqlite3, for screens that show a contact) agrees with the ORM."""
    from kamtui.store.models import Contact

    ids = [r[0] for r in demo_book.query("SELECT id FROM contact ORDER BY id")]
    for cid in ids[:: max(1, len(ids) // 60)]:
        record = contacts.get_record(demo_book, cid)
        orm = contacts.get_contact(demo_book, cid)
        assert set(record._fields) == set(Contact.model_fields)
        for name in record._fields:
            got, want = getattr(record, name), getattr(orm, name)
            assert got == want and type(got) is type(want), (cid, name, got, want)
    with pytest.raises(NotFound):
        contacts.get_record(demo_book, 10**9)
