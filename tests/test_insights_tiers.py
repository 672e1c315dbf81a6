"""Insights additions for the screen: value per tier, and the stage funnel (hand-computed)."""

from __future__ import annotations

from datetime import date, timedelta

from kamtui import contacts, insights, purchases, referrals
from kamtui.insights import FunnelStep, funnel

T = date(2026, 11, 24)


def ago(n: int) -> date:
    return T - timedelta(days=n)


def person(book, name: str, **fields) -> int:
    return contacts.create_contact(book, nickname=name, **fields)


def buy(book, cid: int, yuan, days_ago: int) -> int:
    return purchases.record_purchase(book, cid, "面膜", yuan, bought_on=ago(days_ago))


def test_tier_value_adds_up_to_the_total(book, frozen_today):
    # values 5000 (potential 5), 400 (3), 300 (4), 200, 100, and a net return (-50)
    big = person(book, "大客户", potential=5)
    buy(book, big, 5000, 10)
    gold = person(book, "金")
    buy(book, gold, 400, 10)
    iron = person(book, "铁", potential=4)
    buy(book, iron, 300, 10)
    for name, yuan in (("铅1", 200), ("铅2", 100)):
        buy(book, person(book, name), yuan, 10)
    returned = person(book, "退货")
    buy(book, returned, 100, 400)  # a buyer, but out of the window…
    buy(book, returned, -50, 10)  # …and a return in it: value -50, counted as 0
    f = insights.figures(book)
    # 6 buyers: 2 top places (5000, 400)
    assert f.tiers == {"platinum": 1, "gold": 1, "iron": 1, "lead": 3}
    assert f.tier_value_fen == {
        "platinum": 500_000,
        "gold": 40_000,
        "iron": 30_000,
        "lead": 30_000,
    }
    assert sum(f.tier_value_fen.values()) == f.value_total_fen == 600_000
    assert f.tier_share("platinum") == 500_000 / 600_000
    assert f.as_dict()["tier_value_fen"]["gold"] == 40_000
    # archived buyers leave the figures (and the value line moves)
    contacts.archive_contacts(book, [big])
    g = insights.figures(book)
    assert g.tier_value_fen["platinum"] == 0
    assert sum(g.tier_value_fen.values()) == g.value_total_fen


def test_tier_share_without_value(book, frozen_today):
    person(book, "甲")
    f = insights.figures(book)
    assert f.tier_value_fen == dict.fromkeys(insights.TIERS, 0)
    assert f.tier_share("platinum") is None


def test_funnel_reached_and_conversion():
    steps = funnel({"referrer": 5, "repeat": 15, "buyer": 30, "prospect": 50, "friend": 100})
    assert steps == [
        FunnelStep("friend", 100, 200, None),
        FunnelStep("prospect", 50, 100, 0.5),
        FunnelStep("buyer", 30, 50, 0.5),
        FunnelStep("repeat", 15, 20, 0.4),
        FunnelStep("referrer", 5, 5, 0.25),
    ]


def test_funnel_empty_steps_have_no_conversion():
    steps = funnel({"referrer": 0, "repeat": 0, "buyer": 0, "prospect": 0, "friend": 3})
    assert [(s.reached, s.conversion) for s in steps] == [
        (3, None),
        (0, 0.0),
        (0, None),
        (0, None),
        (0, None),
    ]
    assert [s.conversion for s in funnel({})] == [None] * 5


def test_figures_funnel_matches_stage_counts(book, frozen_today):
    a = person(book, "A")
    buy(book, a, 100, 30)
    buy(book, a, 100, 3)
    b = person(book, "B")
    referrals.set_referrer(book, b, a)
    buy(book, b, 50, 2)
    person(book, "C", intent=True)
    person(book, "D")
    f = insights.figures(book)
    steps = f.funnel_steps()
    assert [s.stage for s in steps] == ["friend", "prospect", "buyer", "repeat", "referrer"]
    assert [s.reached for s in steps] == [4, 3, 2, 1, 1]
    assert [s.count for s in steps] == [1, 1, 1, 0, 1]


def test_movements_filtered_by_account_and_tag(book, frozen_today):
    from kamtui import tags
    from kamtui.accounts import create_account

    create_account(book, "主号")
    create_account(book, "副号")
    a = person(book, "A", account="主号", tags=["VIP"])
    b = person(book, "B", account="副号")
    insights.save_review(book)
    buy(book, a, 100, 1)
    buy(book, b, 100, 1)
    everyone = insights.movements(book)
    assert {m.contact_id for m in everyone.moves} == {a, b}
    main = insights.movements(book, account="主号")
    assert {m.contact_id for m in main.moves} == {a} and main.account == "主号"
    vip = insights.movements(book, tag="vip")
    assert {m.contact_id for m in vip.moves} == {a} and vip.tag == "VIP"
    assert insights.movements(book, account="副号", tag="VIP").moves == []
    tags.tag_contacts(book, [b], ["VIP"])
    assert {m.contact_id for m in insights.movements(book, tag="VIP").moves} == {a, b}


def test_owed_since_the_oldest_purchase_still_owed(book, frozen_today):
    cid = person(book, "赊账")
    paid = purchases.record_purchase(
        book, cid, "面膜", 100, bought_on=ago(50), credit=True, due_on=ago(20)
    )
    purchases.record_payment(book, cid, 100, purchase_id=paid)  # settled: no longer owed
    purchases.record_purchase(book, cid, "面霜", 80, bought_on=ago(30), credit=True, due_on=T)
    purchases.record_purchase(book, cid, "精华", 60, bought_on=ago(10), credit=True)
    (row,) = insights.figures(book).owed
    assert (row.owed_fen, row.since, row.due_on, row.overdue_days) == (14_000, ago(30), T, 0)
