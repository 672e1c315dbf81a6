"""Classification and insights: hand-computed books on a frozen day.

Amounts given to ``record_purchase`` as ints are yuan (``parse_money``); the
results are in fen, hence the ``* 100``.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from kamtui import classify, contacts, insights, purchases, referrals, settings, snippets, tags
from kamtui.accounts import create_account
from kamtui.errors import NotFound, ValidationError

T = date(2026, 11, 24)


def ago(n: int) -> date:
    return T - timedelta(days=n)


def person(book, name: str, **fields) -> int:
    return contacts.create_contact(book, nickname=name, **fields)


def buy(book, cid: int, yuan, days_ago: int, **kw) -> int:
    return purchases.record_purchase(book, cid, "面膜", yuan, bought_on=ago(days_ago), **kw)


def everyone(book) -> list[int]:
    return [r[0] for r in book.query("SELECT id FROM contact ORDER BY id")]


def assert_one_matches_all(book, today=T):
    """classify_one (uncached: own facts + value line) agrees with classify_all."""
    whole = classify.classify_all(book, today, cached=False)
    classify.forget(book)
    for cid in everyone(book):
        one = classify.classify_one(book, cid, today)
        assert one == whole.contact(cid), cid
    return whole


# ---- stages ---------------------------------------------------------------------------------


def test_stage_precedence_first_match_wins(book, frozen_today):
    referrer_repeat = person(book, "A 转介绍+复购")
    buy(book, referrer_repeat, 100, 60)
    buy(book, referrer_repeat, 100, 20)
    introduced = person(book, "B 被介绍")
    referrals.set_referrer(book, introduced, referrer_repeat)
    buy(book, introduced, 50, 5)
    same_day = person(book, "C 同一天两笔")
    buy(book, same_day, 30, 10)
    buy(book, same_day, 40, 10)
    repeat = person(book, "D 两天")
    buy(book, repeat, 30, 10)
    buy(book, repeat, 30, 9)
    by_intent = person(book, "E 意向", intent=True)
    by_need = person(book, "F 需求")
    snippets.add_snippet(book, by_need, "need", "想买面膜")
    closed_need = person(book, "G 需求已关闭")
    sid = snippets.add_snippet(book, closed_need, "need", "想买面膜")
    snippets.set_snippet_closed(book, sid)
    hobby_only = person(book, "G2 只有爱好")
    snippets.add_snippet(book, hobby_only, "hobby", "爬山")
    intent_buyer = person(book, "H 意向但已买", intent=True)
    buy(book, intent_buyer, 10, 3)
    referred_not_bought = person(book, "I 介绍的人没买")
    prospect_referred = person(book, "J 没买", intent=True)
    referrals.set_referrer(book, prospect_referred, referred_not_bought)
    referrer_only = person(book, "K 自己没买但介绍的人买了")
    newcomer = person(book, "L")
    referrals.set_referrer(book, newcomer, referrer_only)
    buy(book, newcomer, 80, 1)
    returns_only = person(book, "M 只有退货")
    buy(book, returns_only, -20, 4)
    future = person(book, "N 日期在明天")
    buy(book, future, 99, -1)
    friend = person(book, "O 好友")
    cancelled_referrer = person(book, "P 介绍的人当天退货")
    cancelled = person(book, "Q 当天退货")
    referrals.set_referrer(book, cancelled, cancelled_referrer)
    buy(book, cancelled, 50, 3)
    buy(book, cancelled, -50, 3)

    cls = assert_one_matches_all(book)
    expected = {
        referrer_repeat: "referrer",
        introduced: "buyer",
        same_day: "buyer",
        repeat: "repeat",
        by_intent: "prospect",
        by_need: "prospect",
        closed_need: "friend",
        hobby_only: "friend",
        intent_buyer: "buyer",
        referred_not_bought: "friend",
        prospect_referred: "prospect",
        referrer_only: "referrer",
        newcomer: "buyer",
        returns_only: "friend",
        future: "friend",
        friend: "friend",
        cancelled_referrer: "friend",
        cancelled: "friend",
    }
    assert {cid: cls.stage_of(cid) for cid in expected} == expected
    # a referrer who never bought has no tier and no churn; a referred buyer does
    assert cls.tier_of(referrer_only) is None and cls.churn_of(referrer_only) is None
    assert not cls.is_buyer(returns_only) and cls.tier_of(returns_only) is None
    assert not cls.is_buyer(future)  # bought after "today": not yet
    assert cls.purchase_days(same_day) == 1 and cls.purchase_days(repeat) == 2
    assert cls.stage_counts() == {
        "referrer": 2,
        "repeat": 1,
        "buyer": 4,
        "prospect": 3,
        "friend": 8,
    }
    assert cls.with_stage("prospect", everyone(book)) == [by_intent, by_need, prospect_referred]
    # the purchase dated tomorrow counts tomorrow
    tomorrow = classify.classify_all(book, T + timedelta(days=1))
    assert tomorrow.stage_of(future) == "buyer"


def test_codes_names_and_parsing():
    assert classify.STAGE_CODES == {
        "referrer": "Z",
        "repeat": "F",
        "buyer": "Y",
        "prospect": "Q",
        "friend": "H",
    }
    assert classify.TIER_CODES == {"platinum": "A", "gold": "B", "iron": "C", "lead": "D"}
    assert not set(classify.STAGE_CODES.values()) & set(classify.TIER_CODES.values())
    assert classify.stage_name("referrer", "zh") == "转介绍客户"
    assert [classify.stage_name(s, "zh") for s in classify.STAGES] == [
        "转介绍客户",
        "复购客户",
        "已购客户",
        "潜在客户",
        "单纯好友",
    ]
    assert [classify.tier_name(s, "zh") for s in classify.TIERS] == ["白金", "黄金", "铁", "铅"]
    assert classify.tier_name("platinum", "en") == "platinum"
    for typed, stage in [
        ("复购", "repeat"),
        ("F", "repeat"),
        ("repeat buyer", "repeat"),
        ("转介绍客户", "referrer"),
        ("q", "prospect"),
        ("单纯好友", "friend"),
    ]:
        assert classify.parse_stage(typed) == stage, typed
    for typed, tier in [
        ("铂金", "platinum"),
        ("A", "platinum"),
        ("Gold", "gold"),
        ("铁", "iron"),
        ("铅质客户", "lead"),
    ]:
        assert classify.parse_tier(typed) == tier, typed
    assert classify.parse_churn("at-risk") == "at_risk"
    assert classify.parse_churn("流失风险") == "at_risk"
    with pytest.raises(ValidationError, match="platinum"):
        classify.parse_tier("diamond")


def test_remark_fields(book, frozen_today):
    cid = person(book, "王姐", potential=5)
    buy(book, cid, 500, 10)
    buy(book, cid, 500, 40)
    other = person(book, "李")
    buy(book, other, 10, 10)
    fields = classify.classify_one(book, cid).remark_fields("zh")
    assert fields == {"stage_code": "F", "tier_code": "A", "stage": "复购客户", "tier": "白金"}
    assert classify.classify_one(book, person(book, "新朋友")).remark_fields()["tier_code"] == ""


# ---- tiers ----------------------------------------------------------------------------------


def _buyers(book, yuan_values, potential=3):
    ids = []
    for i, v in enumerate(yuan_values):
        cid = person(book, f"买家{i}", potential=potential)
        buy(book, cid, v, 10)
        ids.append(cid)
    return ids


def test_top_share_is_ceil_of_an_exact_decimal(book, frozen_today):
    ids = _buyers(book, range(1500, 0, -100))  # 15 buyers × 0.2 = 3 places
    cls = assert_one_matches_all(book)
    assert cls.line.buyers == 15 and cls.line.top_count == 3
    assert cls.line.threshold_fen == 130_000
    assert [cls.tier_of(c) for c in ids[:4]] == ["gold", "gold", "gold", "lead"]
    assert cls.tier_counts() == {"platinum": 0, "gold": 3, "iron": 0, "lead": 12}
    # 25 buyers × 0.28 = 7 places exactly (in floats 0.28 * 25 = 7.000000000000001 -> 8)
    _buyers(book, range(1, 11))
    settings.put(book, "tier.top_share", "0.28")
    cls = assert_one_matches_all(book)
    assert cls.line.buyers == 25 and cls.line.top_count == 7
    assert cls.line.threshold_fen == 90_000


def test_top_share_rounds_up(book, frozen_today):
    # 7 buyers × 0.2 = 1.4 -> 2 places: fewer than 1.4 buyers rank above the second
    ids = _buyers(book, [700, 600, 500, 400, 300, 200, 100])
    cls = classify.classify_all(book)
    assert cls.line.top_count == 2
    assert [c for c in ids if cls.line.is_high(cls.value[c])] == ids[:2]


def test_ties_at_the_line_are_all_high(book, frozen_today):
    # 10 buyers: 2 places; the second place (¥500) is shared by three: all three are high
    ids = _buyers(book, [1000, 500, 500, 500, 100, 100, 100, 100, 100, 100])
    cls = assert_one_matches_all(book)
    assert cls.line.top_count == 2 and cls.line.cutoff_fen == 50_000
    assert cls.line.threshold_fen == 50_000
    assert [cls.tier_of(c) for c in ids] == ["gold"] * 4 + ["lead"] * 6


def test_nobody_is_high_when_the_line_reaches_the_bottom(book, frozen_today):
    # a top ¥1000, then everybody else tied at ¥100: the tie reaches the lowest value,
    # so only the buyer above it stands out
    ids = _buyers(book, [1000] + [100] * 9)
    cls = classify.classify_all(book)
    assert cls.line.cutoff_fen == 10_000 and cls.line.floor_fen == 10_000
    assert cls.line.threshold_fen == 10_001
    assert [cls.tier_of(c) for c in ids] == ["gold"] + ["lead"] * 9


def test_all_equal_spend_has_no_top(book, frozen_today):
    """Equal spend: nobody stands out, so nobody is high (iron/lead by potential only)."""
    low = _buyers(book, [100] * 4, potential=3)
    high_potential = _buyers(book, [100], potential=4)
    cls = assert_one_matches_all(book)
    assert cls.line.buyers == 5 and cls.line.threshold_fen == 10_001
    assert {cls.tier_of(c) for c in low} == {"lead"}
    assert cls.tier_of(high_potential[0]) == "iron"
    f = insights.figures(book)
    assert f.top_value_share == 0.2  # the curve itself stays honest: 1 of 5 brings 1/5


def test_single_buyer_is_not_high(book, frozen_today):
    only = _buyers(book, [5000], potential=5)[0]
    person(book, "好友")
    cls = assert_one_matches_all(book)
    assert cls.line.buyers == 1 and cls.tier_of(only) == "iron"


def test_zero_and_negative_value_are_low_and_still_counted(book, frozen_today):
    big = person(book, "近期大客户")
    buy(book, big, 1000, 30)
    old = person(book, "只有老订单", potential=5)
    buy(book, old, 9000, 400)  # outside the 365-day window: value 0
    returned = person(book, "退了货")
    buy(book, returned, 300, 100)
    buy(book, returned, -500, 90)  # net -200
    window_edge = person(book, "窗口边上")
    buy(book, window_edge, 800, 365)  # today - 365 is outside: the window is (T-365, T]
    cls = assert_one_matches_all(book)
    assert cls.value == {big: 100_000, old: 0, returned: -20_000, window_edge: 0}
    assert cls.line.buyers == 4 and cls.line.top_count == 1
    assert cls.tier_of(big) == "gold"
    assert cls.tier_of(old) == "iron"  # high potential, no current value
    assert cls.tier_of(returned) == "lead"
    assert cls.stage_of(returned) == "buyer"  # a return never removes the purchase day
    assert purchases.totals(book, returned, T).last365_fen == cls.value[returned]


def test_tier_matrix_and_settings(book, frozen_today):
    values = {"p": (1000, 4), "g": (900, 3), "i": (100, 5), "l": (50, 1), "x": (40, 3)}
    ids = {}
    for key, (yuan, potential) in values.items():
        ids[key] = person(book, key, potential=potential)
        buy(book, ids[key], yuan, 3)
    cls = classify.classify_all(book)  # 5 buyers: 1 place
    assert {k: cls.tier_of(c) for k, c in ids.items()} == {
        "p": "platinum",
        "g": "lead",
        "i": "iron",
        "l": "lead",
        "x": "lead",
    }
    settings.put(book, "tier.top_share", "0.4")  # 2 places
    settings.put(book, "tier.high_potential", "5")
    cls = assert_one_matches_all(book)
    assert {k: cls.tier_of(c) for k, c in ids.items()} == {
        "p": "gold",
        "g": "gold",
        "i": "iron",
        "l": "lead",
        "x": "lead",
    }


def test_archived_buyers_do_not_set_the_line(book, frozen_today):
    ids = _buyers(book, [5000, 400, 300, 200, 100])
    contacts.archive_contacts(book, [ids[0]])
    cls = assert_one_matches_all(book)
    assert cls.line.buyers == 4 and cls.line.threshold_fen == 40_000
    assert cls.tier_of(ids[1]) == "gold"
    assert cls.tier_of(ids[0]) == "gold"  # still classified (its page, exports)
    assert cls.tier_counts()["gold"] == 1  # …but not counted
    assert cls.stage_counts()["buyer"] == 4


def test_book_without_purchases(book, frozen_today):
    a = person(book, "甲", intent=True)
    b = person(book, "乙")
    cls = assert_one_matches_all(book)
    assert cls.line.buyers == 0 and cls.line.threshold_fen is None
    assert cls.stage_counts() == {
        "referrer": 0,
        "repeat": 0,
        "buyer": 0,
        "prospect": 1,
        "friend": 1,
    }
    assert cls.tier_counts() == dict.fromkeys(classify.TIERS, 0)
    assert cls.churn_info(a) is None and classify.classify_one(book, b).tier is None
    f = insights.figures(book)
    assert f.buyers == 0 and f.top_value_share is None and f.repeat_rate is None
    assert f.average_order_fen is None and f.pareto == [(0.0, 0.0)]


def test_empty_book(book, frozen_today):
    cls = classify.classify_all(book)
    assert cls.stage_counts() == dict.fromkeys(classify.STAGES, 0)
    with pytest.raises(NotFound):
        classify.classify_one(book, 12345)


# ---- value basis ----------------------------------------------------------------------------


def test_auto_basis_is_profit_when_every_line_has_a_cost(book, frozen_today):
    thin = person(book, "营收高毛利薄")
    buy(book, thin, 1000, 10, cost=900)  # profit ¥100
    fat = person(book, "营收低毛利厚")
    buy(book, fat, 500, 10, cost=100)  # profit ¥400
    cls = assert_one_matches_all(book)
    assert cls.line.basis == "profit"
    assert cls.value == {thin: 10_000, fat: 40_000}
    assert cls.tier_of(fat) == "gold" and cls.tier_of(thin) == "lead"
    # one line without a cost: auto falls back to revenue for everybody
    buy(book, person(book, "没填成本"), 10, 10)
    cls = assert_one_matches_all(book)
    assert cls.line.basis == "revenue"
    assert cls.value[thin] == 100_000 and cls.tier_of(thin) == "gold"
    settings.put(book, "tier.value_basis", "revenue")
    assert classify.classify_all(book).line.basis == "revenue"


def test_profit_basis_estimates_missing_costs_at_the_book_margin(book, frozen_today):
    settings.put(book, "tier.value_basis", "profit")
    a = person(book, "A")
    buy(book, a, 1000, 10, cost=900)
    b = person(book, "B")
    buy(book, b, 500, 10, cost=100)
    c = person(book, "C 没有成本")
    buy(book, c, 900, 10)
    d = person(book, "D 一半有成本")
    buy(book, d, 300, 20, cost=100)
    buy(book, d, 301, 10)
    e = person(book, "E 退货")  # a product's cost follows its returns (negative)
    purchases.create_product(book, "礼盒", price=200, cost=150)
    purchases.record_purchase(book, e, "礼盒", bought_on=ago(30))
    purchases.record_purchase(book, e, "礼盒", -200, bought_on=ago(20))
    cls = assert_one_matches_all(book)
    line = cls.line
    assert line.basis == "profit"
    # costed lines: revenue 1000 + 500 + 300 + 200 - 200 = 1800, cost 900+100+100+150-150 = 1100
    assert (line.cost_known_fen, line.costed_revenue_fen) == (110_000, 180_000)
    # C: 900 × 1100/1800 = 550 estimated -> 350; D: (300 - 100) + 301 - 183.94 -> 317.06
    assert cls.value == {a: 10_000, b: 40_000, c: 35_000, d: 31_706, e: 0}
    assert cls.tier_of(b) == "gold" and cls.tier_of(c) == "lead"


def test_profit_basis_without_any_cost_is_revenue(book, frozen_today):
    settings.put(book, "tier.value_basis", "profit")
    a = person(book, "A")
    buy(book, a, 120, 10)
    cls = classify.classify_all(book)
    assert cls.line.basis == "profit" and cls.value[a] == 12_000


# ---- churn ----------------------------------------------------------------------------------


def _history(book, name, days_ago):
    cid = person(book, name)
    for d in days_ago:
        buy(book, cid, 100, d)
    return cid


def test_churn_thresholds_exactly(book, frozen_today):
    # usual gap 30 days (purchases 30 days apart); the last purchase N days ago
    ids = {n: _history(book, f"last {n}", [n + 60, n + 30, n]) for n in (44, 45, 89, 90)}
    cls = assert_one_matches_all(book)
    assert {n: cls.churn_of(c) for n, c in ids.items()} == {
        44: "active",
        45: "at_risk",  # exactly 1.5 × 30: the day the dormant reminder falls due
        89: "at_risk",
        90: "lost",  # exactly 3 × 30
    }
    info = cls.churn_info(ids[45])
    assert (info.usual_gap_days, info.days_since, info.last_purchase) == (30.0, 45, ago(45))
    assert info.ratio == 1.5 and not info.one_time
    assert info.describe("en") == "usually buys every 30 days; 45 days since the last purchase"
    assert info.describe("zh") == "通常每 30 天买一次; 已 45 天没买"


def test_usual_gap_is_the_median_of_gaps(book, frozen_today):
    odd = _history(book, "gaps 50 10 30", [90, 40, 30, 0])  # gaps 50, 10, 30 -> 30
    even = _history(book, "gaps 10 20 30 40", [100, 90, 70, 40, 0])  # -> (20 + 30) / 2
    half = _history(book, "gaps 10 21", [31, 21, 0])  # -> 15.5
    two = _history(book, "one gap", [50, 8])  # -> 42
    doubled = person(book, "two lines a day")  # same-day lines make no zero gap
    for d in (40, 40, 20, 20, 0):
        buy(book, doubled, 10, d)
    cls = assert_one_matches_all(book)
    gaps = {c: cls.churn_info(c).usual_gap_days for c in (odd, even, half, two, doubled)}
    assert gaps == {odd: 30.0, even: 25.0, half: 15.5, two: 42.0, doubled: 20.0}
    assert cls.purchase_days(doubled) == 3


def test_half_day_gaps_compare_exactly(book, frozen_today):
    # usual 15.5: 1.5 × 15.5 = 23.25, so 23 days is active and 24 at risk
    at_23 = _history(book, "23", [23 + 31, 23 + 21, 23])
    at_24 = _history(book, "24", [24 + 31, 24 + 21, 24])
    cls = classify.classify_all(book)
    assert (cls.churn_of(at_23), cls.churn_of(at_24)) == ("active", "at_risk")


def test_one_time_buyers_use_the_default_interval(book, frozen_today):
    ids = {n: _history(book, f"once {n}", [n]) for n in (89, 90, 179, 180)}
    cls = assert_one_matches_all(book)
    assert [cls.churn_of(c) for c in ids.values()] == ["active", "at_risk", "at_risk", "lost"]
    info = cls.churn_info(ids[90])
    assert info.one_time and info.usual_gap_days == 60.0
    assert info.describe() == "bought once (counted as every 60 days); 90 days since the purchase"
    settings.put(book, "churn.default_interval", "30")
    settings.put(book, "churn.at_risk_factor", "2")
    cls = assert_one_matches_all(book)  # at risk from 60 days, lost from 90
    assert [cls.churn_of(c) for c in ids.values()] == ["at_risk", "lost", "lost", "lost"]
    settings.put(book, "churn.lost_factor", "7")
    cls = classify.classify_all(book)
    assert [cls.churn_of(c) for c in ids.values()] == ["at_risk", "at_risk", "at_risk", "at_risk"]


def test_returns_do_not_make_purchase_days(book, frozen_today):
    cid = person(book, "退货")
    buy(book, cid, 100, 40)
    buy(book, cid, -100, 30)  # a return is not a purchase, nor does it undo the sale's day
    buy(book, cid, 100, 10)
    cancelled = person(book, "当天全退")
    buy(book, cancelled, 100, 10)
    buy(book, cancelled, -100, 10)
    partly = person(book, "当天退一部分")
    buy(book, partly, 100, 10)
    buy(book, partly, -30, 10)
    then_cancelled = person(book, "复购又当天退")
    buy(book, then_cancelled, 100, 40)
    buy(book, then_cancelled, 100, 10)
    buy(book, then_cancelled, -120, 10)
    cls = assert_one_matches_all(book)
    assert cls.stage_of(cid) == "repeat" and cls.purchase_days(cid) == 2
    assert cls.churn_info(cid).usual_gap_days == 30.0 and cls.value[cid] == 10_000
    assert not cls.is_buyer(cancelled) and cls.stage_of(cancelled) == "friend"
    assert cls.tier_of(cancelled) is None and cancelled not in cls.value
    assert cls.stage_of(partly) == "buyer" and cls.value[partly] == 7_000
    assert cls.stage_of(then_cancelled) == "buyer"  # only the day 40 days ago is left
    assert cls.last_purchase(then_cancelled) == ago(40)
    assert cls.value[then_cancelled] == 8_000 and cls.churn_info(then_cancelled).one_time


# ---- cache and consistency ------------------------------------------------------------------


def test_cache_follows_the_book_the_day_and_the_settings(book, frozen_today):
    a = person(book, "A")
    first = classify.classify_all(book)
    assert classify.classify_all(book) is first
    assert classify.classify_all(book, T + timedelta(days=1)) is not first
    again = classify.classify_all(book)
    buy(book, a, 10, 1)  # a commit: the stamp moves
    after = classify.classify_all(book)
    assert after is not again and after.stage_of(a) == "buyer"
    settings.put(book, "tier.top_share", "0.5")
    assert classify.classify_all(book) is not after
    assert classify.classify_one(book, a) == classify.classify_all(book).contact(a)


def test_classify_one_uses_a_cheap_value_line(book, frozen_today, monkeypatch):
    ids = _buyers(book, [900, 800, 700, 600, 500])
    classify.forget(book)
    monkeypatch.setattr(classify, "_compute", lambda *a: pytest.fail("classified everything"))
    assert classify.classify_one(book, ids[0]).tier == "gold"
    assert classify.classify_one(book, ids[1]).tier == "lead"
    assert classify.value_line(book).threshold_fen == 90_000


def test_other_process_writes_invalidate_the_cache(book, frozen_today):
    from kamtui.store.db import Book

    a = person(book, "A")
    before = classify.classify_all(book)
    other = Book(book.path)
    buy(other, a, 10, 1)
    other.close()
    assert classify.classify_all(book) is not before
    assert classify.classify_all(book).stage_of(a) == "buyer"


# ---- figures --------------------------------------------------------------------------------


def test_figures_hand_computed(book, frozen_today):
    create_account(book, "主号", friend_cap=10)
    create_account(book, "副号", friend_cap=5)
    a = person(book, "A", account="主号", tags=["VIP"])
    buy(book, a, 1000, 10)
    buy(book, a, 1000, 200)
    b = person(book, "B", account="主号")
    buy(book, b, 500, 50)
    c = person(book, "C", account="副号", tags=["VIP"])
    buy(book, c, 300, 70)
    buy(book, c, -100, 60)  # a return: not an order
    d = person(book, "D", account="副号")
    buy(book, d, 200, 100, credit=True, due_on=ago(30))
    purchases.record_payment(book, d, 50)
    e = person(book, "E 介绍来的没买", account="主号", intent=True)
    referrals.set_referrer(book, e, a)
    referrals.set_referrer(book, c, b)
    gone = person(book, "F 已归档欠款", account="副号")
    buy(book, gone, 80, 20, credit=True, due_on=ago(5))
    contacts.archive_contacts(book, [gone])
    person(book, "G 好友", account="主号")

    f = insights.figures(book, pareto_points=4)
    assert f.contacts == 6 and f.buyers == 4
    # B introduced C, who bought; A introduced E, who has not
    assert f.stages == {"referrer": 1, "repeat": 1, "buyer": 2, "prospect": 1, "friend": 1}
    # values: A 2000, B 500, C 200, D 200 -> 1 top place of 4
    assert f.top_count == 1 and f.value_total_fen == 290_000
    assert f.top_value_share == round(2000 / 2900, 4)
    assert f.pareto == [
        (0.0, 0.0),
        (0.25, round(2000 / 2900, 4)),
        (0.5, round(2500 / 2900, 4)),
        (0.75, round(2700 / 2900, 4)),
        (1.0, 1.0),
    ]
    assert f.tiers == {"platinum": 0, "gold": 1, "iron": 0, "lead": 3}
    assert f.repeat_rate == 0.25  # only A bought on two days
    assert (f.referred, f.referred_bought, f.referral_conversion) == (2, 1, 0.5)
    assert f.orders == 5 and f.average_order_fen == round((1000 + 1000 + 500 + 300 + 200) * 100 / 5)
    assert f.revenue_window_fen == 290_000
    # owed: D 150 (30 days overdue), the archived F 80 (5 days overdue): archiving keeps a debt
    assert f.owed_total_fen == 23_000
    assert [(o.name, o.owed_fen, o.overdue_days, o.archived) for o in f.owed] == [
        ("D", 15_000, 30, False),
        ("F 已归档欠款", 8_000, 5, True),
    ]
    months = {m.month: m for m in f.months}
    assert [m.month for m in f.months][::11] == ["2025-12", "2026-11"]
    assert months["2026-11"].revenue_fen == 100_000  # A on 11-14
    assert months["2026-10"].revenue_fen == 50_000  # B on 10-05
    assert months["2026-09"].revenue_fen == 30_000 - 10_000  # C, then C's return
    assert months["2026-08"].revenue_fen == 20_000 and months["2026-06"].revenue_fen == 0
    assert sum(m.new_buyers for m in f.months) == 4
    assert months["2026-05"].new_buyers == 1  # A's first purchase, 200 days ago
    # churn: one-time buyers B (50 days), C (70), D (100 > 90) ; A active
    assert f.churn == {"active": 3, "at_risk": 1, "lost": 0}
    assert [(r.name, r.days_since, r.usual_gap_days) for r in f.at_risk] == [("D", 100, 60.0)]
    assert [(x.name, x.friends, x.cap, x.free) for x in f.accounts] == [
        ("主号", 4, 10, 6),
        ("副号", 2, 5, 3),
    ]
    data = f.as_dict()
    assert data["churn_risk_count"] == 1 and data["stages"]["referrer"] == 1


def test_figures_filters_by_account_and_tag(book, frozen_today):
    create_account(book, "主号")
    create_account(book, "副号")
    a = person(book, "A", account="主号", tags=["VIP"])
    buy(book, a, 1000, 10)
    b = person(book, "B", account="主号")
    buy(book, b, 100, 10)
    buy(book, b, 100, 50)
    c = person(book, "C", account="副号", tags=["vip"])
    buy(book, c, 50, 10, credit=True)
    person(book, "D", account="副号", intent=True)

    main = insights.figures(book, account="主号")
    assert main.account == "主号" and main.contacts == 2 and main.buyers == 2
    assert main.stages == {"referrer": 0, "repeat": 1, "buyer": 1, "prospect": 0, "friend": 0}
    assert main.tiers["gold"] == 1  # A's tier is the whole book's
    assert [x.name for x in main.accounts] == ["主号"]
    assert main.owed_total_fen == 0 and main.revenue_window_fen == 120_000
    vip = insights.figures(book, tag="VIP")
    assert vip.tag == "VIP" and vip.contacts == 2 and vip.buyers == 2
    assert vip.owed_total_fen == 5_000
    both = insights.figures(book, account="副号", tag="vip")
    assert both.contacts == 1 and both.stages["buyer"] == 1
    with pytest.raises(NotFound):
        insights.figures(book, tag="没有这个标签")
    with pytest.raises(ValidationError):
        insights.figures(book, account="没有这个号")
    tags.tag_contacts(book, [b], ["VIP"])
    assert insights.figures(book, tag="VIP").contacts == 3


# ---- reviews and movements ------------------------------------------------------------------


def test_review_then_movements(book, frozen_today):
    was_gold = person(book, "金转白金", potential=3)
    buy(book, was_gold, 1000, 40)
    once = person(book, "买过一次")
    buy(book, once, 100, 40)
    grows = person(book, "铁变白金", potential=4)
    buy(book, grows, 50, 40)
    for i in range(5):
        buy(book, person(book, f"其他{i}"), 60 + i, 40)
    quiet = person(book, "要流失")  # usually every 10 days
    buy(book, quiet, 200, 30)
    buy(book, quiet, 200, 20)
    prospect = person(book, "好友变潜在")
    leaving = person(book, "之后归档")
    buy(book, leaving, 10, 40)
    before = ago(10)
    review = insights.save_review(book, before, note="月度分析")
    assert review.taken_on == before and review.note == "月度分析"
    assert review.contacts == 11 and review.buyers == 10 and review.basis == "revenue"
    assert [r.id for r in insights.list_reviews(book)] == [review.id]
    entry = book.query(
        "SELECT stage, tier, churn, value_fen, potential, purchase_days FROM tier_review_entry "
        "WHERE review_id = ? AND contact_id = ?",
        (review.id, was_gold),
    )
    assert entry == [("buyer", "gold", "active", 100_000, 3, 1)]

    contacts.update_contact(book, was_gold, potential=4)
    buy(book, once, 100, 5)
    buy(book, grows, 5000, 3)
    snippets.add_snippet(book, prospect, "need", "想要礼盒")
    newcomer = person(book, "新客户")
    buy(book, newcomer, 30, 2)
    person(book, "新好友")  # a new plain friend is no movement
    contacts.archive_contacts(book, [leaving])

    later = T + timedelta(days=40)  # 要流失: 60 days since, usually every 10: lost
    moves = insights.movements(book, later)
    assert moves.review.id == review.id
    found = {(m.name, m.aspect): m for m in moves.moves}
    m = found[("金转白金", "tier")]
    assert (m.before, m.after, m.direction) == ("gold", "platinum", 1)
    assert m.reason == "potential rated 4 (was 3)"
    assert m.label() == "gold → platinum" and m.label("zh") == "黄金 → 白金"
    m = found[("铁变白金", "tier")]
    assert (m.before, m.after) == ("iron", "platinum")
    assert m.reason.startswith("value over 365 days ¥5,050 (was ¥50): now in the top 20%")
    m = found[("买过一次", "stage")]
    assert (m.before, m.after) == ("buyer", "repeat")
    assert m.reason == f"bought again on {ago(5).isoformat()} (2 purchase days)"
    m = found[("新客户", "stage")]
    assert (m.before, m.after) == (None, "buyer")
    assert m.reason == f"first purchase on {ago(2).isoformat()}"
    assert found[("新客户", "tier")].before is None
    assert ("新客户", "churn") not in found
    m = found[("好友变潜在", "stage")]
    assert (m.before, m.after, m.reason) == ("friend", "prospect", "a need was saved")
    m = found[("要流失", "churn")]
    assert (m.before, m.after, m.direction) == ("active", "lost", -1)
    assert m.reason == "usually buys every 10 days; 60 days since the last purchase"
    m = found[("要流失", "tier")]  # ¥400 was the second value of ten; now the line is ¥1,000
    assert (m.before, m.after) == ("gold", "lead")
    assert m.reason == ("value over 365 days ¥400 (was ¥400): below the top-20% line ¥1,000")
    assert not any(m.name in ("之后归档", "新好友") for m in moves.moves)
    counts = moves.counts()
    assert counts["tier:gold>platinum"] == 1
    assert counts["stage:buyer>repeat"] == 2  # 买过一次 and 铁变白金 bought again
    # tier moves come first, the most valuable contact first
    assert moves.moves[0].aspect == "tier" and moves.moves[0].name == "铁变白金"
    # in Chinese
    from kamtui import i18n

    i18n.set_language("zh")
    zh = {(m.name, m.aspect): m for m in insights.movements(book, later).moves}
    assert zh[("金转白金", "tier")].reason == "潜力评分 4 (原 3)"


def test_churn_movement_and_coming_back(book, frozen_today):
    a = person(book, "A")
    buy(book, a, 100, 100)
    buy(book, a, 100, 70)
    buy(book, a, 100, 40)  # usual 30, 40 days ago: active (45 is the line)
    insights.save_review(book, T)
    assert insights.movements(book, T).moves == []
    m = insights.movements(book, T + timedelta(days=10)).moves
    assert [(x.aspect, x.before, x.after) for x in m] == [("churn", "active", "at_risk")]
    buy(book, a, 100, -10)  # comes back 10 days from now: active again, no move
    assert insights.movements(book, T + timedelta(days=10)).moves == []
    # 50 days after that purchase (gaps 30, 30, 50: usually 30): at risk again
    later = T + timedelta(days=60)
    insights.save_review(book, later)
    m = insights.movements(book, later, review_id=1).moves
    assert [(x.aspect, x.before, x.after) for x in m] == [("churn", "active", "at_risk")]
    assert insights.movements(book, later).moves == []  # against the newest review


def test_referrer_movement_names_who_bought(book, frozen_today):
    a = person(book, "介绍人")
    b = person(book, "被介绍")
    referrals.set_referrer(book, b, a)
    insights.save_review(book, T)
    buy(book, b, 100, 0)
    found = {(m.name, m.aspect): m for m in insights.movements(book, T).moves}
    assert found[("介绍人", "stage")].reason == "被介绍, whom they introduced, has bought"
    assert found[("介绍人", "stage")].before == "friend"


def test_no_review_yet_and_unknown_review(book, frozen_today):
    result = insights.movements(book)
    assert result.review is None and result.moves == []
    with pytest.raises(NotFound):
        insights.movements(book, review_id=99)


def test_reviews_can_be_deleted_and_follow_purge_and_merge(book, frozen_today):
    a = person(book, "A")
    b = person(book, "B")
    buy(book, a, 10, 1)
    first = insights.save_review(book)
    second = insights.save_review(book)
    assert insights.last_review(book).id == second.id
    contacts.purge_contact(book, a)  # the right to deletion reaches the reviews too
    assert book.scalar("SELECT count(*) FROM tier_review_entry WHERE contact_id = ?", (a,)) == 0
    c = person(book, "C")
    contacts.merge_contacts(book, b, c)
    insights.delete_review(book, second.id)
    assert [r.id for r in insights.list_reviews(book)] == [first.id]
    assert (
        book.scalar("SELECT count(*) FROM tier_review_entry WHERE review_id = ?", (second.id,)) == 0
    )


# ---- exports --------------------------------------------------------------------------------


def test_export_columns(book, frozen_today, monkeypatch):
    @dataclass(frozen=True)
    class Column:
        id: str
        kind: str
        zh: str
        en: str
        field: str | None = None
        width: int = 12

    pkg = types.ModuleType("kamtui.exporting")
    mod = types.ModuleType("kamtui.exporting.columns")
    mod.Column = Column
    monkeypatch.setitem(sys.modules, "kamtui.exporting", pkg)
    monkeypatch.setitem(sys.modules, "kamtui.exporting.columns", mod)
    a = person(book, "A", potential=5)
    buy(book, a, 100, 3)
    buy(book, person(book, "B"), 10, 3)
    f = person(book, "C")
    columns = {col.id: (col, load) for col, load in classify.export_columns()}
    assert set(columns) == {"stage", "stage_code", "tier", "churn"}
    assert columns["tier"][0].zh == "价值等级"
    assert columns["tier"][1](book, [a, f], T) == {a: "platinum", f: ""}
    assert columns["stage_code"][1](book, [a, f], T) == {a: "Y", f: "H"}


def test_shortcuts_agree_with_the_full_parse(book, frozen_today, monkeypatch):
    """Long-lost buyers' gaps are worked out lazily; day text out of order is parsed in full."""
    long_lost = _history(book, "三年前常买", [1000, 990, 980, 950])  # gaps 10, 10, 30: 10
    lost_close = _history(book, "刚过线", [100, 70, 40])  # usual 30, 40 days: active
    two_days = _history(book, "两天", [30, 20])  # usual 10 = the whole span; 20 days: at risk
    one_day = person(book, "同一天")
    for _ in range(3):
        buy(book, one_day, 10, 200)
    singles = [_history(book, f"一次{n}", [n]) for n in (5, 95, 185)]
    classify._GAP_MEMO.clear()
    fast = classify.classify_all(book, cached=False)
    assert long_lost in fast._pending and lost_close not in fast._pending
    again = classify.classify_all(book, cached=False)  # with the gaps remembered
    monkeypatch.setattr(classify, "_days_in_order", lambda facts: False)
    slow = classify.classify_all(book, cached=False)
    assert not slow._pending
    for cid in everyone(book):
        assert fast.contact(cid) == slow.contact(cid) == again.contact(cid), cid
    assert fast.churn_of(long_lost) == "lost" and fast.usual_gap_days(long_lost) == 10.0
    assert fast.churn_of(two_days) == "at_risk" and fast.churn_of(lost_close) == "active"
    assert fast.purchase_days(long_lost) == 4 and not fast._pending
    assert fast.purchase_days(one_day) == 1 and fast.stage_of(one_day) == "buyer"
    assert [fast.churn_of(c) for c in singles] == ["active", "at_risk", "lost"]


def test_days_order_check():
    ordered = [(1, "2026-01-01,2026-01-01,2026-02-03", 0), (2, None, 0), (3, "2026-01-01", 0)]
    assert classify._days_in_order(ordered)
    assert not classify._days_in_order([(1, "2026-02-03,2026-01-01", 0)])
    assert classify._days("2026-02-03,2026-01-01,2026-01-01,2026-01-11", 120) == (
        3,
        date(2026, 1, 1).toordinal(),
        date(2026, 2, 3).toordinal(),
        10 + 23,
    )


def test_forgetting_a_person_erases_their_review_entries(book, frozen_today):
    from kamtui.safety import forget_contact

    a = person(book, "要被遗忘的人")
    buy(book, a, 10, 1)
    b = person(book, "B")
    insights.save_review(book)
    forget_contact(book, a)
    left = book.query("SELECT contact_id FROM tier_review_entry")
    assert left == [(b,)]


def test_demo_book_is_consistent(demo_book):
    cls = classify.classify_all(demo_book)
    contacts = demo_book.scalar("SELECT count(*) FROM contact WHERE archived = 0")
    assert sum(cls.stage_counts().values()) == cls.contacts == contacts
    buyers = len(cls.active_buyers())
    assert sum(cls.tier_counts().values()) == buyers == cls.line.buyers
    assert sum(cls.churn_counts().values()) == buyers
    assert all(cls.stage_counts()[s] > 0 for s in classify.STAGES)
    assert all(cls.tier_counts()[s] > 0 for s in classify.TIERS)
    # the top share holds about 20% of the buyers (ties at the line may add a few)
    high = sum(1 for c in cls.active_buyers() if cls.line.is_high(cls.value[c]))
    assert cls.line.top_count <= high <= cls.line.top_count + buyers // 50
    classify.forget(demo_book)
    for cid in everyone(demo_book)[::7]:
        assert classify.classify_one(demo_book, cid) == cls.contact(cid), cid
    f = insights.figures(demo_book)
    assert f.buyers == buyers and 0.2 <= f.top_value_share <= 1
    insights.save_review(demo_book)
    assert insights.movements(demo_book).moves == []


def test_buyer_days_are_the_classifications(book, frozen_today):
    """kamtui.classify.buyer_days (what the dormant reminders read) counts purchase
    days, ends and the usual gap as classify_all does: returns, same-day lines,
    sales after today, archived buyers, lost ones, one-time ones."""
    shapes = {
        "一次": [(100, 5)],
        "两次同天": [(100, 50), (80, 50), (100, 5)],
        "当天全退": [(100, 40), (100, 10), (-100, 10)],
        "退一部分": [(100, 30), (100, 10), (-30, 10)],
        "退货": [(100, 200), (-100, 150), (100, 100), (100, 90), (100, 20)],
        "流失": [(100, 400), (100, 390), (100, 380)],
        "将来": [(100, 30), (100, -3)],
        "只退": [(-50, 10)],
    }
    ids = {}
    for name, lines in shapes.items():
        ids[name] = cid = person(book, name)
        for yuan, days_ago in lines:
            buy(book, cid, yuan, days_ago)
    contacts.archive_contacts(book, [ids["退货"]])
    cls = classify.classify_all(book, T, cached=False)
    with book.snapshot() as con:
        days = classify.buyer_days(con, cls.rules, T, among=set(ids.values()))
        recent = classify.buyer_days(con, cls.rules, T, since=ago(20))
    assert set(days) == set(cls.buyers)
    for cid, (n, first, last, gap2) in days.items():
        assert (first, last) == cls.buyers[cid], cid
        assert (n, gap2 / 2) == (cls.purchase_days(cid), cls.usual_gap_days(cid)), cid
    assert set(recent) == {c for c, (_f, last) in cls.buyers.items() if last >= ago(20).toordinal()}
    assert recent == {c: days[c] for c in recent}
