"""Friend clean-up: each rule on hand-made books with a frozen date, protections, evidence in
both languages, capacity, duplicates, decisions remembered, undo, lists out, the CLI."""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import date, timedelta

import pytest

from kamtui import accounts, cleanup, clock, contacts, i18n, interactions, purchases, settings
from kamtui.cli import main
from kamtui.errors import NotFound, ValidationError

T = date(2026, 11, 24)


def ago(days: int) -> date:
    return T - timedelta(days=days)


@pytest.fixture
def b(book):
    clock.freeze(T)
    cleanup.forget_cache()
    return book


def add(book, name="王秀英", **fields):
    fields.setdefault("added_on", ago(30))
    fields.setdefault("last_moment_on", ago(3))
    return contacts.create_contact(book, remark=name, **fields)


def found(book, **kw) -> dict[int, cleanup.Candidate]:
    return {c.contact_id: c for c in cleanup.review(book, T, **kw).candidates}


def texts(c: cleanup.Candidate, lang: str) -> list[str]:
    return [e.text(lang) for e in c.evidence]


# ---- each rule ---------------------------------------------------------------------


def test_a_quiet_recent_friend_is_no_candidate(b):
    add(b)
    assert found(b) == {}


def test_blocked_and_ad_flags(b):
    blocked = add(b, "拉黑的人", blocked_me=True)
    ad = add(b, "代购", is_ad=True)
    got = found(b)
    assert got[blocked].reasons == ("blocked",)
    assert got[ad].reasons == ("ad",)
    assert texts(got[blocked], "en") == ["marked as having blocked you"]
    assert texts(got[ad], "zh") == ["已标记为广告号 (朋友圈只有广告)"]


def test_dead_from_the_last_moments_post(b):
    dead = add(b, "死号", last_moment_on=date(2026, 8, 3))
    edge = add(b, "刚好六十天", last_moment_on=ago(60))
    alive = add(b, "五十九天", last_moment_on=ago(59))
    got = found(b)
    assert texts(got[dead], "en") == ["last Moments post 2026-08-03, 113 days ago"]
    assert texts(got[dead], "zh") == ["朋友圈最后更新 2026-08-03, 113 天前"]
    assert got[edge].reasons == ("dead",)
    assert alive not in got


def test_unknown_last_moments_post_is_not_dead(b):
    """Only a recorded post counts; with nothing at all, the cold rule speaks."""
    recent = add(b, "新加的", last_moment_on=None, added_on=ago(90))
    old = add(b, "老早加的", last_moment_on=None, added_on=ago(400))
    future = add(b, "日期写错", last_moment_on=T + timedelta(days=3), added_on=ago(10))
    got = found(b)
    assert recent not in got and future not in got
    assert got[old].reasons == ("cold",)
    assert texts(got[old], "en") == [
        f"added {ago(400)} (400 days ago), never bought or talked, no Moments post recorded"
    ]


def test_cold_never_bought_nor_talked_added_long_ago(b):
    cold = add(b, "冷粉", added_on=date(2025, 3, 1))
    edge = add(b, "180天", added_on=ago(180))
    young = add(b, "179天", added_on=ago(179))
    talked = add(b, "聊过", added_on=ago(400))
    interactions.log_interaction(b, talked, "chat", ago(300), "在吗")
    got = found(b)
    assert texts(got[cold], "en") == ["added 2025-03-01 (633 days ago), never bought or talked"]
    assert texts(got[cold], "zh") == ["2025-03-01 加的好友 (633 天前), 没买过也没聊过"]
    assert edge in got and young not in got and talked not in got


def test_favourites_and_buyers_are_protected_from_dead_and_cold(b):
    fav = add(b, "置顶", favourite=True, last_moment_on=ago(200), added_on=ago(900))
    buyer = add(b, "买过", last_moment_on=ago(200), added_on=ago(900))
    purchases.record_purchase(b, buyer, "面膜", 99, bought_on=ago(500))
    fav_blocked = add(b, "置顶拉黑", favourite=True, blocked_me=True)
    buyer_ad = add(b, "买过的广告号", is_ad=True, last_moment_on=ago(200), added_on=ago(900))
    purchases.record_purchase(b, buyer_ad, "面膜", 99, bought_on=ago(500))
    got = found(b)
    assert fav not in got and buyer not in got
    assert got[fav_blocked].reasons == ("blocked",)
    assert got[buyer_ad].reasons == ("ad",)


def test_a_return_alone_is_no_purchase(b):
    """Protection needs a purchase of a positive amount."""
    cid = add(b, "只有退货", last_moment_on=ago(100))
    purchases.record_purchase(b, cid, "面膜", 0, bought_on=ago(120))
    assert found(b)[cid].reasons == ("dead",)


def test_archived_contacts_are_never_candidates(b):
    cid = add(b, "已归档", blocked_me=True)
    contacts.archive_contacts(b, [cid])
    assert found(b) == {}


def test_every_reason_with_its_evidence(b):
    cid = add(b, "都占了", blocked_me=True, is_ad=True, last_moment_on=ago(70), added_on=ago(500))
    c = found(b)[cid]
    assert c.reasons == ("blocked", "ad", "dead", "cold")
    assert c.primary == "blocked"
    assert len(c.evidence) == 4


def test_thresholds_are_settings(b):
    cid = add(b, "三十五天", last_moment_on=ago(35), added_on=ago(100))
    assert cid not in found(b)
    settings.put(b, "cleanup.dead_days", 30)
    assert found(b)[cid].reasons == ("dead",)
    settings.put(b, "cleanup.cold_days", 90)
    assert found(b)[cid].reasons == ("dead", "cold")


def test_filters_by_reason_and_account(b):
    accounts.create_account(b, "主号", friend_cap=100)
    accounts.create_account(b, "副号", friend_cap=100)
    a = add(b, "甲", account="主号", blocked_me=True)
    c = add(b, "乙", account="副号", is_ad=True, last_moment_on=ago(100))
    assert set(found(b, reasons="ad")) == {c}
    assert set(found(b, reasons="死号,ad")) == {c}
    assert set(found(b, account="主号")) == {a}
    with pytest.raises(ValidationError):
        cleanup.parse_reasons("nonsense")


# ---- capacity ------------------------------------------------------------------------


def test_capacity_per_account(b):
    accounts.create_account(b, "主号-小美", friend_cap=5)
    accounts.create_account(b, "副号", friend_cap=1000)
    for name in ("甲", "乙", "丙"):
        add(b, name, account="主号-小美")
    add(b, "拉黑", account="主号-小美", blocked_me=True, last_moment_on=ago(90))
    marked = add(b, "要删", account="主号-小美")
    cleanup.mark_delete(b, [marked])
    add(b, "无账号", blocked_me=True)
    r = cleanup.review(b, T)
    main_acc, other, none = r.accounts
    assert (main_acc.name, main_acc.friends, main_acc.cap) == ("主号-小美", 5, 5)
    assert main_acc.by_reason == {"blocked": 1, "ad": 0, "duplicate": 0, "dead": 1, "cold": 0}
    assert (main_acc.to_review, main_acc.marked, main_acc.frees, main_acc.after) == (1, 1, 2, 3)
    assert (other.friends, other.frees) == (0, 0)
    assert none.account_id is None and none.friends == 1 and none.frees == 1


# ---- duplicates ------------------------------------------------------------------------


def test_same_phone_whatever_the_format(b):
    first = add(b, "李娜", phone="+86 138 0013 8000", added_on=ago(100))
    dash = add(b, "李娜-深圳", phone="138-0013-8000")
    wide = add(b, "娜娜", phone="１３８００１３８０００")
    other = add(b, "别人", phone="13900139000")
    got = found(b)
    assert first not in got and other not in got  # the first added stays
    assert got[dash].partner_id == first and got[wide].partner_id == first
    assert texts(got[dash], "en")[0] == f"same phone as 李娜 (#{first})"
    assert texts(got[dash], "zh")[0] == f"与 李娜 (#{first}) 手机号相同"


def test_phones_stored_as_typed_still_match(b):
    """A bulk write may store a phone as typed: the key still finds it."""
    a = add(b, "甲", phone="13800138000", added_on=ago(100))
    c = add(b, "乙")
    with b.transaction() as con:
        con.execute("UPDATE contact SET phone = ? WHERE id = ?", ("0086 138-0013-8000", c))
    assert cleanup.phone_key("+86 138 0013 8000") == "13800138000"
    assert cleanup.phone_key("０086１３８００１３８０００") == "13800138000"
    assert found(b)[c].partner_id == a


def test_same_wechat_id_on_two_accounts(b):
    accounts.create_account(b, "主号")
    accounts.create_account(b, "副号")
    first = add(b, "王芳", account="主号", wechat_id="wangfang88", added_on=ago(100))
    again = add(b, "芳芳", account="副号", wechat_id="WangFang88")
    c = found(b)[again]
    assert c.reasons == ("duplicate",) and c.partner_id == first
    assert texts(c, "en") == [f"same WeChat ID as 王芳 (#{first}) on 主号"]
    assert texts(c, "zh") == [f"与「主号」上的 王芳 (#{first}) 微信号相同"]


def test_near_identical_names_on_the_same_account_only(b):
    accounts.create_account(b, "主号")
    accounts.create_account(b, "副号")
    a = add(b, "王秀英-广州-宝妈", account="主号", added_on=ago(100))
    dot = add(b, "王秀英-广州-宝妈。", account="主号")
    plus = add(b, "王秀英广州宝妈A", account="主号")
    elsewhere = add(b, "王秀英-广州-宝妈", account="副号")
    got = found(b)
    assert got[dot].partner_id == a
    assert texts(got[dot], "en")[0] == (
        f"same name as 王秀英-广州-宝妈 (#{a}), nothing else tells them apart"
    )
    assert got[plus].partner_id == a
    assert texts(got[plus], "en")[0] == f"name almost the same as 王秀英-广州-宝妈 (#{a}, 93%)"
    assert elsewhere not in got and a not in got


def test_names_that_sound_the_same_and_trailing_numbers(b):
    a = add(b, "王秀英", added_on=ago(100))
    sound = add(b, "汪秀瑛")
    li = add(b, "李娜", added_on=ago(100))
    li2 = add(b, "李娜2")
    add(b, "客户1")
    add(b, "客户2")  # numbered names are told apart by their numbers
    got = found(b)
    assert texts(got[li2], "en") == [f"same name as 李娜 (#{li}), nothing else tells them apart"]
    assert len(got) == 2
    assert texts(got[sound], "en") == [f"name sounds the same as 王秀英 (#{a})"]
    assert texts(got[sound], "zh") == [f"名字与 王秀英 (#{a}) 读音相同"]
    assert got[li2].partner_id == li
    assert cleanup.name_key("王秀英") == cleanup.name_key("汪 秀瑛")
    assert cleanup.name_score("Ｌｕｃｙ", "lucy") == 100
    assert cleanup.name_score("王秀英", "王秀兰") < 90


def test_names_alone_do_not_match_what_else_tells_apart(b):
    add(b, "张敏", wechat_id="zm1", added_on=ago(100))
    add(b, "张敏", wechat_id="zm2")  # two WeChat IDs: two friends
    add(b, "刘洋", phone="13800138000", added_on=ago(100))
    add(b, "刘洋", phone="13900139000")
    add(b, "陈静", nickname="静静", added_on=ago(100))
    add(b, "陈静", nickname="Amy")
    add(b, "赵丽", gender="女", added_on=ago(100))
    add(b, "赵丽", gender="男")
    assert found(b) == {}


def test_the_favourite_or_buyer_stays_and_the_copy_is_the_candidate(b):
    copy = add(b, "周杰", phone="13800138000", added_on=ago(120))
    fav = add(b, "周杰", phone="13800138000", favourite=True)
    buyer = add(b, "杰哥", wechat_id="zj", added_on=ago(110))
    bare = add(b, "Jay", wechat_id="zj")
    purchases.record_purchase(b, buyer, "面膜", 99, bought_on=ago(10))
    got = found(b)
    assert fav not in got and got[copy].partner_id == fav
    assert buyer not in got and got[bare].partner_id == buyer


def test_the_same_person_many_times_is_one_group(b):
    a = add(b, "孙丽", phone="13800138000", added_on=ago(120))
    c2 = add(b, "孙丽", phone="13800138000", wechat_id="sl")
    c3 = add(b, "丽丽", wechat_id="sl")
    got = found(b)
    assert a not in got and set(got) == {c2, c3}
    assert got[c3].partner_id == c2  # its only match; the merge dialog pairs it so


def test_duplicates_ignore_archived_contacts(b):
    a = add(b, "吴倩", phone="13800138000", added_on=ago(120))
    c = add(b, "吴倩", phone="13800138000")
    contacts.merge_contacts(b, a, c)
    assert found(b) == {}


def test_a_wechat_id_or_phone_shared_with_an_archived_contact_only_is_no_duplicate(b):
    """SQLite finds values stored twice in the whole book; archived holders do not count."""
    a = add(b, "周杰", wechat_id="zj_88", phone="13800138001", added_on=ago(120))
    c = add(b, "小周", wechat_id="zj_88", phone="13800138002")
    d = add(b, "阿周", phone="13800138002")
    assert set(found(b)) == {c, d}
    contacts.archive_contacts(b, [c])
    cleanup.forget_cache(b)
    assert found(b) == {}  # zj_88 and 13800138002 are each held by one active contact
    e = add(b, "周周", wechat_id="ZJ_88")  # the same WeChat ID, whatever the case
    cleanup.forget_cache(b)
    got = found(b)
    assert set(got) == {e} and got[e].partner_id == a


def test_remembered_work_follows_our_archives(b):
    """After an archive from the clean-up, the kept analysis equals a fresh one."""
    a = add(b, "郑爽", phone="13800138000", added_on=ago(120))
    c = add(b, "郑爽", phone="13800138000")
    d = add(b, "郑爽2", phone="13800138000")
    assert set(found(b)) == {c, d}
    cleanup.archive(b, [c])
    cached = found(b)
    cleanup.forget_cache(b)
    assert set(cached) == set(found(b)) == {d}
    assert cached[d].partner_id == a


# ---- decisions -------------------------------------------------------------------------


def test_keep_is_remembered_until_the_data_changes(b):
    dead = add(b, "不发圈的亲戚", last_moment_on=ago(100))
    r = cleanup.review(b, T)
    assert cleanup.keep(b, [r.get(dead)], "亲戚") == 1
    later = cleanup.review(b, T + timedelta(days=30))
    assert dead not in {c.contact_id for c in later.candidates} and later.kept == 1
    contacts.update_contact(b, dead, remark="改了备注")  # not what the dead rule reads
    assert dead not in found(b)
    contacts.update_contact(b, dead, last_moment_on=ago(90))  # it is
    assert found(b)[dead].reasons == ("dead",)


def test_keep_comes_back_with_a_new_reason_or_a_new_duplicate(b):
    a = add(b, "何静", phone="13800138000", added_on=ago(120))
    c = add(b, "何静", phone="13800138000")
    cleanup.keep(b, [c])
    assert found(b) == {}
    add(b, "何静", phone="13800138000")
    assert c in found(b)
    cleanup.keep(b, [c], "两个都留")
    contacts.update_contact(b, c, is_ad=True)
    assert found(b)[c].reasons == ("ad", "duplicate")
    assert a not in found(b)


def test_keep_by_id_runs_the_rules(b):
    cid = add(b, "拉黑", blocked_me=True)
    cleanup.keep(b, [cid])
    assert found(b) == {}
    quiet = add(b, "正常")  # no reason today: kept until one comes
    assert cleanup.keep(b, [quiet]) == 1
    b.conn.execute("UPDATE contact SET is_ad = 1 WHERE id = ?", (quiet,))
    cleanup.forget_cache()
    assert found(b)[quiet].reasons == ("ad",)
    with pytest.raises(NotFound):
        cleanup.keep(b, [99999])


def test_mark_delete_list_and_confirm(b):
    x = add(b, "广告1", is_ad=True)
    y = add(b, "广告2", is_ad=True)
    plain = add(b, "随手标的")
    cleanup.mark_delete(b, [x, plain])
    r = cleanup.review(b, T)
    assert [c.contact_id for c in r.candidates] == [y]
    assert [c.contact_id for c in r.marked] == [x, plain]
    assert r.marked[0].reasons == ("ad",) and r.marked[1].reasons == ()
    assert cleanup.marked_ids(b) == [x, plain]
    assert cleanup.unmark(b, [plain]) == 1
    assert cleanup.confirm_deleted(b) == 1
    assert contacts.get_contact(b, x).archived
    assert cleanup.marked_ids(b) == []


# ---- undo --------------------------------------------------------------------------------


def _decision(book, cid):
    rows = book.query("SELECT decision, note FROM cleanup_decision WHERE contact_id = ?", (cid,))
    return rows[0] if rows else None


def test_each_action_is_one_undo_step(b):
    ids = [add(b, f"广告{n}", is_ad=True) for n in range(3)]
    cleanup.keep(b, ids, "先留着")
    assert all(_decision(b, i) == ("keep", "先留着") for i in ids)
    assert cleanup.undo_last(b) == "keep 3 friends"
    assert all(_decision(b, i) is None for i in ids)

    cleanup.mark_delete(b, ids[:1])
    assert cleanup.undo_last(b).startswith("mark 广告0")
    assert _decision(b, ids[0]) is None

    cleanup.archive(b, ids)
    assert all(contacts.get_contact(b, i).archived for i in ids)
    cleanup.undo_last(b)
    assert not any(contacts.get_contact(b, i).archived for i in ids)
    assert len(found(b)) == 3

    cleanup.mark_delete(b, ids)
    cleanup.confirm_deleted(b)
    assert cleanup.undo_last(b) == "deleted in WeChat: archive 3 friends"
    assert not any(contacts.get_contact(b, i).archived for i in ids)
    assert cleanup.marked_ids(b) == ids

    cleanup.keep(b, ids[:1])  # replaces the mark; undo puts the mark back
    cleanup.undo_last(b)
    assert _decision(b, ids[0]) == ("delete", "")


def test_undo_of_a_merge_and_of_moments(b):
    a = add(b, "冯丽", phone="13800138000", added_on=ago(120))
    c = add(b, "冯丽", phone="13800138000", last_moment_on=None)
    contacts.merge_contacts(b, a, c, ["last_moment_on"])
    assert found(b) == {}
    cleanup.undo_last(b)
    assert set(found(b)) == {c}
    cleanup.record_moments(b, c, days_ago=0)
    assert contacts.get_contact(b, c).last_moment_on == T
    assert cleanup.undo_last(b) == "Moments: 冯丽"
    assert contacts.get_contact(b, c).last_moment_on is None
    assert cleanup.undo_last(b, action_id=-1) is None  # not the newest: nothing happens


# ---- quick Moments entry -----------------------------------------------------------------


def test_record_moments(b):
    cid = add(b, "郭静", last_moment_on=ago(100))
    assert cleanup.record_moments(b, cid, days_ago=3) == {"last_moment_on": ago(3)}
    assert cid not in found(b)
    cleanup.record_moments(b, cid, is_ad=True)
    cleanup.record_moments(b, cid, blocked_me=True)
    c = contacts.get_contact(b, cid)
    assert c.is_ad and c.blocked_me and c.last_moment_on == ago(3)
    with pytest.raises(ValidationError):
        cleanup.record_moments(b, cid, posted_on=T + timedelta(days=1))
    with pytest.raises(NotFound):
        cleanup.record_moments(b, 12345, days_ago=1)
    entry = cleanup.moments_entry(b, cid)
    assert (entry.name, entry.last_moment_on, entry.is_ad) == ("郭静", ago(3), True)
    other = add(b, "别人", nickname="小别")
    entries = cleanup.moments_entries(b, [other, cid, 999])
    assert [(e.contact_id, e.name, e.nickname) for e in entries] == [
        (other, "别人", "小别"),
        (cid, "郭静", ""),
    ]


# ---- lists out ----------------------------------------------------------------------------


def _read(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens it with Chinese intact
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_export_delete_and_cleaned_lists(b, tmp_path):
    accounts.create_account(b, "主号")
    x = add(b, '=HYPERLINK("http://x")', account="主号", is_ad=True, wechat_id="ad1")
    contacts.update_contact(b, x, nickname="卖货的")
    keep = add(b, "留着的", account="主号", phone="13800138000")
    add(b, "拉黑但没标", account="主号", blocked_me=True)
    archived = add(b, "归档了", account="主号")
    contacts.archive_contacts(b, [archived])
    cleanup.mark_delete(b, [x])
    r = cleanup.review(b, T)
    assert cleanup.export_delete_list(b, tmp_path / "删.csv", r) == 1
    rows = _read(tmp_path / "删.csv")
    assert rows[0] == [
        "Remark name",
        "Nickname",
        "WeChat ID",
        "Account",
        "Clean-up reasons",
        "Clean-up evidence",
    ]
    assert rows[1][:5] == ['\'=HYPERLINK("http://x")', "卖货的", "ad1", "主号", "ad account"]
    assert cleanup.export_cleaned_list(b, tmp_path / "cleaned.csv", r) == 1
    rows = _read(tmp_path / "cleaned.csv")
    assert rows[0][:5] == ["Remark name", "Nickname", "WeChat ID", "Phone", "Account"]
    assert len(rows) == 2 and rows[1][:5] == ["留着的", "", "", "138 0013 8000", "主号"]
    assert keep
    with pytest.raises(ValidationError):
        cleanup.export_delete_list(b, tmp_path / "nowhere" / "x.csv", r)


def test_export_in_chinese(b, tmp_path):
    i18n.set_language("zh")
    x = add(b, "广告", is_ad=True)
    cleanup.mark_delete(b, [x])
    cleanup.export_delete_list(b, tmp_path / "d.csv", cleanup.review(b, T))
    rows = _read(tmp_path / "d.csv")
    assert rows[0][:2] == ["备注名", "昵称"] and rows[1][4] == "广告号"


# ---- the command ----------------------------------------------------------------------------


def test_cli_json_on_the_demo_book_finds_the_seeded_cases(demo_book, capsys):
    from kamtui.demo import _Generator

    gen = _Generator(size=600, seed=2026, today=T)
    gen.make_accounts()
    gen.make_contacts()
    gen.make_purchases()
    gen.make_activity()
    kinds: dict[str, list] = {}
    for c in gen.contacts:
        kinds.setdefault(c.kind, []).append(c)

    assert main(["--db", str(demo_book.path), "cleanup", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    got = {c["id"]: c for c in data["candidates"]}
    assert {c.id for c in kinds["ad"]} <= {i for i, c in got.items() if "ad" in c["reasons"]}
    assert {c.id for c in kinds["blocked"]} <= {
        i for i, c in got.items() if "blocked" in c["reasons"]
    }
    for c in kinds["dead"]:
        if c.moment is not None:
            assert "dead" in got[c.id]["reasons"]
        elif c.added >= 180:
            assert "cold" in got[c.id]["reasons"]
    for a, copy in gen.dup_pairs:
        assert any("duplicate" in got.get(x.id, {}).get("reasons", ()) for x in (a, copy))
    protected = {c.id for c in gen.contacts if c.favourite or c.buyer}
    for i, c in got.items():
        if i in protected:
            assert not {"dead", "cold"} & set(c["reasons"]), c
    one = next(iter(got.values()))
    assert {"id", "remark", "nickname", "wechat_id", "account", "reasons", "evidence"} <= set(one)
    assert data["accounts"][0]["name"] == "主号-小美"


def test_cli_mark_export_confirm(demo_book, tmp_path, capsys):
    db = str(demo_book.path)
    assert main(["--db", db, "cleanup", "--reason", "blocked", "--mark"]) == 0
    assert "Marked" in capsys.readouterr().out
    out = tmp_path / "delete.csv"
    assert main(["--db", db, "cleanup", "--export-delete", str(out)]) == 0
    rows = _read(out)
    assert len(rows) > 1 and all("blocked you" in r[4] for r in rows[1:])
    assert main(["--db", db, "cleanup", "--confirm-deleted"]) == 0
    assert "Archived" in capsys.readouterr().out
    assert main(["--db", db, "cleanup", "--reason", "blocked", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["candidates"] == [] and data["marked"] == []


def test_cli_text_lists_accounts_and_groups(demo_book, capsys):
    assert main(["--db", str(demo_book.path), "--lang", "zh", "cleanup"]) == 0
    out = capsys.readouterr().out
    assert "主号-小美:" in out and "腾出" in out and "· 死号" in out


def test_export_columns_for_the_export_engine(b):
    """What ``kamtui export`` shows once kamtui.cleanup is one of its column providers."""
    x = add(b, "广告", is_ad=True)
    keep = add(b, "正常")
    loaders = {column.id: loader for column, loader in cleanup.export_columns()}
    assert loaders["cleanup_reasons"](b, [x, keep], T) == {x: "ad account", keep: ""}
    evidence = loaders["cleanup_evidence"](b, [x], T)
    assert evidence == {x: "marked as an ad account (Moments all ads)"}


# ---- the whole review pinned (what any speed work must leave unchanged) -----------------

PINS = os.path.join(os.path.dirname(__file__), "fixtures", "cleanup")


def _listing(found: cleanup.Review) -> list[str]:
    """Every candidate and marked contact in queue order with its reasons, partner and
    evidence in both languages, then the account summaries: one line each."""
    out = []
    for c in (*found.candidates, *found.marked):
        evidence = " | ".join(f"{e.text('en')} / {e.text('zh')}" for e in c.evidence)
        out.append(
            f"{c.contact_id} {c.account_id} {c.name!r} {','.join(c.reasons)}"
            f" partner={c.partner_id} marked={c.marked} fp={c.fingerprint()} :: {evidence}"
        )
    out.extend(json.dumps(a.as_dict(), ensure_ascii=False, sort_keys=True) for a in found.accounts)
    out.append(f"kept={found.kept}")
    return out


def _check_pinned(found: cleanup.Review, name: str) -> None:
    path = os.path.join(PINS, name)
    got = _listing(found)
    if os.environ.get("KAMTUI_UPDATE_PINS"):  # after a deliberate change of the rules
        os.makedirs(PINS, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(got) + "\n")
    with open(path, encoding="utf-8") as f:
        assert got == f.read().splitlines()


def test_the_demo_book_review_is_pinned(demo_book):
    cleanup.forget_cache()
    _check_pinned(cleanup.review(demo_book, T), "demo600.txt")


# Names made to meet every branch of the name rule: the same sound written with other
# characters, a character more or less at either end or inside, trailing numbers,
# punctuation and spaces, full-width letters, emoji, long names (sorted neighbourhood),
# on two accounts and none, with WeChat IDs, phones and other details that tell apart.
_SURNAMES = ("王", "汪", "李", "理", "张", "章", "陈", "程", "刘", "柳", "Lucy ")
_GIVEN = ("秀英", "绣瑛", "秀莹", "娜", "纳", "静", "晶", "丽", "莉", "小美", "晓梅", "伟", "薇")
_TAILS = (
    "", "", "", "", "2", "3", "A", "-广州", "-广州-宝妈", "（深圳）", " 宝妈", "🌸", "~",
    "-广州-宝妈-老客户", "-深圳-宝妈-老客户", "。", "姐", "ｌｕｃｙ",
)  # fmt: skip


def _name_book(book) -> None:
    import random

    rnd = random.Random(2026)
    accounts.create_account(book, "主号")
    accounts.create_account(book, "副号")
    with book.transaction():
        for n in range(420):
            name = rnd.choice(_SURNAMES) + rnd.choice(_GIVEN) + rnd.choice(_TAILS)
            if rnd.random() < 0.15:  # a long name, edited inside
                city = rnd.choice(("深圳", "广州", "珠海"))
                name = f"{name}-{city}美容院店长{rnd.choice('甲乙')}"
            fields: dict = {
                "added_on": ago(rnd.choice((5, 100, 200, 400))),
                "last_moment_on": rnd.choice((ago(3), ago(90), None)),
                "account": rnd.choice(("主号", "主号", "副号", None)),
            }
            if rnd.random() < 0.3:
                fields["wechat_id"] = rnd.choice(("wx_a", "WX_A", "wx_b", f"wx{n}", f"wx{n}"))
            if rnd.random() < 0.3:
                fields["phone"] = rnd.choice(("13800138000", "13900139000", f"1370000{n:04d}"))
            if rnd.random() < 0.2:
                fields["gender"] = rnd.choice("男女")
            if rnd.random() < 0.2:
                fields["city"] = rnd.choice(("广州", "深圳"))
            if rnd.random() < 0.1:
                fields["birthday"] = rnd.choice(("05-01", "06-01"))
            if rnd.random() < 0.3:
                fields["nickname"] = rnd.choice(("静静", "Amy", "小美"))
            fields["favourite"] = rnd.random() < 0.05
            fields["is_ad"] = rnd.random() < 0.03
            fields["blocked_me"] = rnd.random() < 0.03
            if name.strip():
                add(book, name, **fields)


def test_a_book_of_look_alike_names_is_pinned(b):
    _name_book(b)
    found = cleanup.review(b, T)
    keys = {e.key for c in found.candidates for e in c.evidence}
    for key in ("dup_name", "dup_name_same", "dup_name_sound", "dup_wechat", "dup_phone"):
        assert f"cleanup.ev.{key}" in keys
    _check_pinned(found, "names.txt")
    # the same again with nothing remembered, and once more remembered
    cleanup.forget_cache()
    assert _listing(cleanup.review(b, T)) == _listing(found)
    assert _listing(cleanup.review(b, T)) == _listing(found)


def test_every_syllable_has_a_fixed_symbol():
    """Sound keys must not depend on what a process met first: pypinyin's table holds
    no syllable outside the fixed list (a newer pypinyin may add one: list it)."""
    sounds = cleanup._Sounds()
    readings = cleanup._load_readings()
    assert readings
    assert {sounds.reading(chr(int(code))) for code in readings} <= set(cleanup._SYLLABLES)
    assert cleanup.name_key("王秀英") == "".join(map(cleanup._symbol, ("wang", "xiu", "ying")))


def test_the_same_review_whichever_way_the_book_is_read(b, monkeypatch):
    """The identity is read in ranges of ids by another thread (however many); inside
    a transaction all of it is read here; if some text holds the scan's separator,
    it is read again in one query."""
    _name_book(b)
    read_identity, whole = cleanup._read_identity, []

    def read_whole(book):
        whole.append(book)
        return read_identity(book)

    monkeypatch.setattr(cleanup, "_read_identity", read_whole)
    expected = _listing(cleanup.review(b, T))
    for inside in (b.snapshot, b.transaction):
        cleanup.forget_cache()
        with inside():
            assert _listing(cleanup.review(b, T)) == expected
    for parts in (1, 3, 50):  # (more ranges than contacts: some are empty)
        monkeypatch.setattr(cleanup, "_PARTS", parts)
        cleanup.forget_cache()
        assert _listing(cleanup.review(b, T)) == expected
    assert not whole

    odd = add(b, "分隔符", wechat_id="sep_test", added_on=ago(400))
    same = add(b, "分隔符二", wechat_id="SEP_TEST")
    with b.transaction() as con:  # a bulk write that skipped validation
        con.execute("UPDATE contact SET remark = ? WHERE id = ?", ("分隔\x1e符", odd))
    cleanup.forget_cache()
    got = {c.contact_id: c for c in cleanup.review(b, T).candidates}
    assert len(whole) == 1
    assert got[same].partner_id == odd and got[same].name == "分隔符二"


@pytest.mark.parametrize("broken", ["_PART_SQL", "_DETAILS_JSON_SQL", "_KEEPER_JSON_SQL"])
def test_a_failed_read_is_raised_and_its_thread_ends(b, monkeypatch, broken):
    """A read that fails (the contacts', or a later one the same thread makes) is
    raised by the review, which leaves no reading thread behind, and the next
    review works."""
    import threading

    _name_book(b)
    expected = _listing(cleanup.review(b, T))
    cleanup.wait_saved(b)
    monkeypatch.setattr(cleanup, broken, "SELECT no_such_column FROM contact WHERE ?")
    cleanup.forget_cache()
    with pytest.raises(Exception, match="no_such_column"):
        cleanup.review(b, T)
    for thread in threading.enumerate():
        if thread.name == "kamtui-cleanup":
            thread.join(timeout=5)
            assert not thread.is_alive()
    monkeypatch.undo()
    cleanup.forget_cache()
    assert _listing(cleanup.review(b, T)) == expected
