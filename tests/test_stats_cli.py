"""kamtui stats: figures as text and JSON, filters, reviews and moves."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kamtui import contacts, purchases, referrals
from kamtui.accounts import create_account
from kamtui.cli import main
from kamtui.store.db import Book


@pytest.fixture
def db(tmp_path, frozen_today):
    """A small business: two accounts, a VIP tag, five buyers, one referral, one debt."""
    path = tmp_path / "stats.db"
    book = Book(path)
    create_account(book, "主号", friend_cap=100)
    create_account(book, "副号", friend_cap=50)

    def add(name, account, amounts, **kw):
        cid = contacts.create_contact(book, nickname=name, account=account, **kw)
        for yuan, days_ago in amounts:
            purchases.record_purchase(
                book, cid, "面膜", yuan, bought_on=frozen_today - timedelta(days=days_ago)
            )
        return cid

    big = add("王姐", "主号", [(3000, 10), (3000, 40)], potential=5, tags=["VIP"])
    add("李哥", "主号", [(500, 100)], tags=["VIP"])
    friend = add("小美", "副号", [(200, 20)])
    add("阿强", "副号", [(100, 30)])
    add("老陈", "副号", [(150, 200)])
    add("新朋友", "主号", [], intent=True)
    referrals.set_referrer(book, friend, big)
    debtor = contacts.create_contact(book, nickname="赊账的", account="副号")
    purchases.record_purchase(
        book, debtor, "面膜", 80, bought_on=frozen_today, credit=True, due_on=frozen_today
    )
    book.close()
    return str(path)


def stats(capsys, db, *args):
    code = main(["--db", db, "stats", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_keys_and_values(db, capsys):
    code, out, _ = stats(capsys, db, "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("stages", "tiers", "top_value_share", "churn_risk_count", "accounts"):
        assert key in data, key
    assert data["stages"] == {
        "referrer": 1,
        "repeat": 0,
        "buyer": 5,
        "prospect": 1,
        "friend": 0,
    }
    assert data["buyers"] == 6 and data["contacts"] == 7
    # values 6000, 500, 200, 150 (in the year), 100, 80: 2 top places
    assert data["tiers"] == {"platinum": 1, "gold": 1, "iron": 0, "lead": 4}
    assert data["top_value_share"] == round((6000 + 500) / (6000 + 500 + 200 + 150 + 100 + 80), 4)
    # one-time buyers: 李哥 100 days ago is at risk (past 90), 老陈 200 days ago lost (past 180)
    assert data["churn_risk_count"] == 1
    assert data["churn"] == {"active": 4, "at_risk": 1, "lost": 1}
    assert data["at_risk"][0]["name"] == "李哥" and data["at_risk"][0]["days_since"] == 100
    assert [(a["name"], a["friends"], a["cap"], a["free"]) for a in data["accounts"]] == [
        ("主号", 3, 100, 97),
        ("副号", 4, 50, 46),
    ]
    assert data["owed_total_fen"] == 8000 and data["owed"][0]["due_on"] == "2026-11-24"
    assert len(data["months"]) == 12 and data["basis"] == "revenue"
    assert data["pareto"][0] == [0.0, 0.0] and data["pareto"][-1] == [1.0, 1.0]


def test_filters(db, capsys):
    _, out, _ = stats(capsys, db, "--json", "--account", "主号")
    data = json.loads(out)
    assert data["account"] == "主号" and data["contacts"] == 3
    assert data["stages"]["prospect"] == 1 and [a["name"] for a in data["accounts"]] == ["主号"]
    _, out, _ = stats(capsys, db, "--tag", "vip", "--json")
    data = json.loads(out)
    assert data["tag"] == "VIP" and data["contacts"] == 2 and data["tiers"]["platinum"] == 1
    code, out, err = stats(capsys, db, "--tag", "没有")
    assert code == 1 and out == "" and "没有" in err
    code, _, err = stats(capsys, db, "--account", "第三个号")
    assert code == 1 and "第三个号" in err


def test_text_in_both_languages(db, capsys):
    code, out, _ = stats(capsys, db)
    assert code == 0
    assert "Customer analysis 2026-11-24" in out and "referrer" in out and "platinum" in out
    assert "The top 20% of buyers (2) bring" in out and "Account capacity" in out
    assert "赊账的" in out  # the owed list
    code, out, _ = stats(capsys, db, "--limit", "0")
    assert code == 0
    code = main(["--lang", "zh", "--db", db, "stats"])
    out = capsys.readouterr().out
    assert "客户分析 2026-11-24" in out and "转介绍客户" in out and "白金" in out
    assert "微信号容量" in out and "前 20% 的客户 (2 位) 贡献了" in out


def test_review_and_moves(db, capsys, frozen_today):
    code, out, _ = stats(capsys, db, "moves")
    assert code == 0 and "No review saved yet" in out
    code, out, _ = stats(capsys, db, "review", "--note", "十一月", "--json")
    review = json.loads(out)
    assert code == 0 and review["note"] == "十一月" and review["contacts"] == 7
    code, out, _ = stats(capsys, db, "review")
    assert code == 0 and "Saved review #2 (2026-11-24): 7 contacts, 6 buyers" in out

    book = Book(db)
    cid = book.scalar("SELECT id FROM contact WHERE nickname = '阿强'")
    purchases.record_purchase(book, cid, "面膜", 5000, bought_on=frozen_today)
    book.close()

    code, out, _ = stats(capsys, db, "moves", "--json")
    data = json.loads(out)
    assert data["review"]["id"] == 2
    moves = {(m["name"], m["aspect"]): m for m in data["moves"]}
    m = moves[("阿强", "stage")]
    assert (m["from"], m["to"]) == ("buyer", "repeat")
    assert moves[("阿强", "tier")]["to"] == "gold" and moves[("阿强", "tier")]["direction"] == 1
    assert data["counts"]["stage:buyer>repeat"] == 1
    code, out, _ = stats(capsys, db, "moves")
    assert "Since review #2 (2026-11-24, 0 days ago)" in out and "buyer → repeat buyer" in out
    code, out, _ = stats(capsys, db, "moves", "--review", "9")
    assert code == 1
    code, out, _ = stats(capsys, db, "reviews", "--json")
    assert [r["id"] for r in json.loads(out)] == [2, 1]
    code, out, _ = stats(capsys, db, "reviews")
    assert "十一月" in out


def test_help_lists_stats(capsys):
    assert main(["stats", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--account" in out and "review" in out and "moves" in out
