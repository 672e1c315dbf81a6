"""Applying imports: matching, within-file duplicates, conflicts, one transaction, undo."""

from __future__ import annotations

import stat
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import count_forks

from kamtui import contacts
from kamtui.accounts import create_account
from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.importing import read_file
from kamtui.importing.apply import (
    ImportStale,
    apply_import,
    history_items,
    pictures_dir,
    plan_import,
)
from kamtui.purchases import record_purchase
from kamtui.store.undo import last_action, undo_action
from kamtui.validate import label

FIX = Path(__file__).parent / "fixtures" / "import"

# what undo keeps, and the changes noted for the Today refresh and the clean-up
_NOT_KEPT = ("undo_", "followup_change", "cleanup_change")


def write_csv(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def run_import(book, path, **kw):
    apply_kw = {k: kw.pop(k) for k in ("on_conflict", "resolutions") if k in kw}
    plan = plan_import(book, read_file(path), **kw)
    return plan, apply_import(book, plan, **apply_kw)


def contact(book, cid: int) -> dict:
    cols = [
        "account_id",
        "remark",
        "nickname",
        "wechat_id",
        "phone",
        "province",
        "city",
        "occupation",
        "gender",
        "birth_year",
        "birth_month",
        "birth_day",
        "birth_lunar",
        "source",
        "added_on",
        "description",
        "favourite",
        "picture_path",
        "search_key",
        "archived",
    ]
    row = book.query(f"SELECT {', '.join(cols)} FROM contact WHERE id = ?", (cid,))[0]
    out = dict(zip(cols, row, strict=True))
    out["tags"] = sorted(contacts_tags(book, cid))
    return out


def contacts_tags(book, cid: int) -> list[str]:
    from kamtui.tags import contact_tags

    return contact_tags(book, cid)


def ids(book) -> list[int]:
    return [r[0] for r in book.query("SELECT id FROM contact ORDER BY id")]


def dump(book) -> list[str]:
    return list(book.conn.iterdump())


# --- writing new contacts --------------------------------------------------------------


def test_seller_sheet_creates_contacts_with_every_field(book, frozen_today):
    path = write_csv(
        book.path.parent,
        """
姓名,微信号,手机,性别,地区,职业,生日,添加时间,来源,备注,标签,最近下单,累计金额
王芳,wangfang_1990,138 0013 8000,女,广东 深圳,美容院,1990-05-01,2026-03-05,朋友圈,喜欢护肤品,\
"VIP,回头客",2026/3/20,"¥1,200.50"
李娜,lina,13900139000,,,,农历三月初五,,抖音,,,,
""",
    )
    plan, report = run_import(book, path)
    assert plan.counts()["new"] == 2 and report.created == 2
    wang, li = (contact(book, i) for i in ids(book))
    assert wang["remark"] == "王芳" and wang["wechat_id"] == "wangfang_1990"
    assert wang["phone"] == "+8613800138000" and wang["gender"] == "f"
    assert (wang["province"], wang["city"], wang["occupation"]) == ("广东", "深圳", "美容院")
    assert (wang["birth_year"], wang["birth_month"], wang["birth_day"]) == (1990, 5, 1)
    assert wang["added_on"] == "2026-03-05" and wang["source"] == "朋友圈"
    assert wang["description"] == "喜欢护肤品" and wang["tags"] == ["VIP", "回头客"]
    assert "wangfang" in wang["search_key"] and "vip" in wang["search_key"]
    assert li["added_on"] == frozen_today.isoformat()  # no date in the file: today
    assert (li["birth_month"], li["birth_day"], li["birth_lunar"]) == (3, 5, 1)
    # the extras: one purchase "imported purchase history" on the last order day
    purchases = book.query("SELECT contact_id, item, amount_fen, bought_on FROM purchase")
    assert purchases == [(ids(book)[0], history_items()[1], 120050, "2026-03-20")]
    assert report.purchases == 1 and report.tags_created == 2
    assert report.backup is not None and report.backup.exists()


def test_extras_without_amount_or_without_date(book, tmp_path):
    path = write_csv(
        tmp_path,
        """
姓名,手机,最近下单,累计金额
有日期,13800138001,2026-04-01,
有金额,13800138002,,300
退货王,13800138003,2026-05-01,-50
""",
    )
    run_import(book, path)
    a, b, c = ids(book)
    assert book.query("SELECT contact_id, amount_fen, bought_on FROM purchase ORDER BY 1") == [
        (a, 0, "2026-04-01"),
        (c, -5000, "2026-05-01"),  # more returned than bought: a net refund
    ]
    assert "¥300" in contact(book, b)["description"]  # a total without a date: a note


def test_favourite_from_google_starred(book):
    run_import(book, FIX / "google_current.csv")
    row = book.query("SELECT favourite FROM contact WHERE remark = '李明'")
    assert row == [(1,)]


def test_favourite_column(book, tmp_path):
    path = write_csv(tmp_path, "姓名,置顶\n王芳,是\n李娜,\n赵雷,否\nTom,yes")
    run_import(book, path)
    assert book.query("SELECT remark FROM contact WHERE favourite = 1 ORDER BY id") == [
        ("王芳",),
        ("Tom",),
    ]


def test_pictures_are_private_files(book):
    plan, report = run_import(book, FIX / "android_21.vcf")
    assert report.pictures >= 1
    folder = pictures_dir(book.path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (cid, picture), *_ = book.query(
        "SELECT id, picture_path FROM contact WHERE picture_path IS NOT NULL ORDER BY id"
    )
    path = Path(picture)
    assert path.parent == folder.resolve() and path.name == f"{cid}.jpg"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = next(r for r in plan.result.records if r.remark == "张三丰")
    assert path.read_bytes() == record.picture


# --- matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "row", "how"),
    [
        ({"wechat_id": "Lily_88"}, "莉莉,lily_88,,", "wechat_id"),  # case-insensitive
        ({"phone": "13800138000"}, "莉莉,,138-0013-8000,", "phone"),
        ({"phone": "13900139000"}, "莉莉,,13800138000/13900139000,", "phone"),  # other phone
        ({}, "Lily,,,", "name"),  # the stored remark
    ],
)
def test_matching_by_each_key(book, tmp_path, stored, row, how):
    cid = contacts.create_contact(book, remark="Lily", **stored)
    path = write_csv(tmp_path, f"姓名,微信号,手机,职业\n{row}美容师")
    plan = plan_import(book, read_file(path))
    (entry,) = plan.entries
    assert (entry.contact_id, entry.matched_by) == (cid, how)
    apply_import(book, plan)
    assert ids(book) == [cid]
    assert contact(book, cid)["occupation"] == "美容师"  # an empty field filled


def test_matching_by_wxid(book, tmp_path):
    cid = contacts.create_contact(book, nickname="花花", wechat_id="wxid_abc123")
    path = write_csv(tmp_path, "wxid,微信号,昵称\nwxid_abc123,huahua,花花")
    plan = plan_import(book, read_file(path))
    assert plan.entries[0].contact_id == cid
    # the stored wxid and the file's visible ID differ: that is not a conflict
    assert plan.conflicts == []


def test_name_matches_only_on_the_same_account(book, tmp_path):
    main = create_account(book, "主号")
    create_account(book, "小号")
    cid = contacts.create_contact(book, remark="王芳", account=main)
    path = write_csv(tmp_path, "姓名,职业\n王芳,老师")
    assert plan_import(book, read_file(path), account="主号").entries[0].contact_id == cid
    assert plan_import(book, read_file(path), account="小号").entries[0].contact_id is None
    assert plan_import(book, read_file(path)).entries[0].contact_id is None  # no account


def test_name_is_not_enough_when_ids_disagree_or_names_repeat(book, tmp_path):
    contacts.create_contact(book, remark="王芳", wechat_id="wf_one")
    path = write_csv(tmp_path, "姓名,微信号\n王芳,wf_two")
    assert plan_import(book, read_file(path)).counts()["new"] == 1
    contacts.create_contact(book, remark="张伟")
    contacts.create_contact(book, remark="张伟")
    path = write_csv(tmp_path, "姓名\n张伟")
    plan = plan_import(book, read_file(path))
    assert plan.counts()["new"] == 1
    assert "Several contacts" in plan.warnings[0].reason


def test_archived_contacts_are_matched_and_stay_archived(book, tmp_path):
    cid = contacts.create_contact(book, remark="老客户", wechat_id="old_one")
    contacts.archive_contacts(book, [cid])
    run_import(book, write_csv(tmp_path, "姓名,微信号,职业\n老客户,old_one,会计"))
    assert ids(book) == [cid]
    assert contact(book, cid)["archived"] == 1 and contact(book, cid)["occupation"] == "会计"


# --- within-file duplicates -------------------------------------------------------------


def test_rows_of_one_person_are_merged(book, tmp_path):
    path = write_csv(
        tmp_path,
        """
姓名,微信号,手机,职业,标签
王芳,wf88,13800138000,,VIP
王芳,WF88,13900139000,教师,宝妈
芳芳,,13900139000,会计,
""",
    )
    plan, _ = run_import(book, path)
    assert plan.counts()["new"] == 1 and plan.merged_rows == 2
    (cid,) = ids(book)
    c = contact(book, cid)
    assert c["phone"] == "+8613800138000" and "+8613900139000" in c["description"]
    assert c["occupation"] == "教师" and c["tags"] == ["VIP", "宝妈"]
    # row 4 said 会计 and 芳芳: kept out, with the reason
    left_out = {(p.row, p.field) for p in plan.warnings}
    assert {(4, "occupation"), (4, "remark")} <= left_out
    assert "row 2" in next(p.reason for p in plan.warnings if p.row == 4)


def test_planning_twice_gives_the_same_plan(book, tmp_path):
    """The TUI may plan one ReadResult several times (another account, say)."""
    path = write_csv(
        tmp_path,
        "姓名,微信号,手机,标签,累计金额\n王芳,wf88,13800138000,VIP,100\n王芳,wf88,13900139000,宝妈,",
    )
    result = read_file(path)
    first = plan_import(book, result)
    second = plan_import(book, result)
    assert [r.description for r in result.records] == ["", ""]  # the reader's records untouched
    for plan in (first, second):
        (entry,) = plan.entries
        assert entry.record.tags == ["VIP", "宝妈"]
        assert (
            entry.description.count("¥100") == 1 and entry.description.count("+8613900139000") == 1
        )
    apply_import(book, second)
    assert contact(book, ids(book)[0])["description"] == second.entries[0].description


def test_rows_sharing_only_a_name_stay_two_contacts(book, tmp_path):
    path = write_csv(tmp_path, "姓名,职业\n张伟,司机\n张伟,厨师")
    plan, report = run_import(book, path)
    assert report.created == 2
    assert [p.row for p in plan.warnings] == [3] and "row 2" in plan.warnings[0].reason


# --- conflicts --------------------------------------------------------------------------


def conflicting_book(book):
    return contacts.create_contact(
        book,
        remark="王芳",
        wechat_id="wf88",
        phone="13800138000",
        occupation="教师",
        description="老客户",
        birthday="1990-05-01",
    )


CONFLICT_FILE = """
姓名,微信号,手机,职业,备注说明,生日,来源
王芳,wf88,13900139000,会计,喜欢茶,1991-06-02,展会
"""


@pytest.mark.parametrize("whole_tables", [False, True])
def test_conflicts_are_listed_and_never_silently_taken(book, tmp_path, monkeypatch, whole_tables):
    if whole_tables:  # a re-import matching many contacts reads whole tables
        monkeypatch.setattr("kamtui.importing.apply.WHOLE_TABLES_FROM", 0)
        contacts.create_contact(book, remark="别人", tags=["VIP"])
    cid = conflicting_book(book)
    before = contact(book, cid)
    plan = plan_import(book, read_file(write_csv(tmp_path, CONFLICT_FILE)))
    assert plan.counts()["conflicting"] == 1
    found = {c.field: (c.stored, c.incoming, c.row, c.contact_id) for c in plan.conflicts}
    assert found["phone"] == ("+8613800138000", "+8613900139000", 2, cid)
    assert found["occupation"][:2] == ("教师", "会计")
    assert found["description"][:2] == ("老客户", "喜欢茶")
    assert found["birthday"][:2] == ("1990-05-01", "1991-06-02")
    report = apply_import(book, plan)  # default: keep
    after = contact(book, cid)
    assert after["source"] == "展会"  # an empty field is filled
    for fld in ("phone", "occupation", "description", "birth_year", "birth_month", "remark"):
        assert after[fld] == before[fld], fld
    assert report.conflicts_kept == 4 and report.conflicts_taken == 0


def test_conflicts_resolved_one_by_one_or_all(book, tmp_path):
    cid = conflicting_book(book)
    path = write_csv(tmp_path, CONFLICT_FILE)
    plan = plan_import(book, read_file(path))
    phone = next(c.id for c in plan.conflicts if c.field == "phone")
    report = apply_import(book, plan, resolutions={phone: "take"})
    c = contact(book, cid)
    assert c["phone"] == "+8613900139000" and c["occupation"] == "教师"
    assert report.conflicts_taken == 1
    plan = plan_import(book, read_file(path))
    apply_import(book, plan, on_conflict="take")
    c = contact(book, cid)
    assert c["occupation"] == "会计" and (c["birth_year"], c["birth_month"]) == (1991, 6)
    assert c["description"] == "老客户\n喜欢茶"  # taking a description adds, never replaces
    assert "kuaiji" not in c["search_key"] and "会计" in c["search_key"]


def test_bad_resolutions_are_refused(book, tmp_path):
    conflicting_book(book)
    plan = plan_import(book, read_file(write_csv(tmp_path, CONFLICT_FILE)))
    with pytest.raises(ValidationError):
        apply_import(book, plan, on_conflict="overwrite")
    with pytest.raises(ValidationError):
        apply_import(book, plan, resolutions={99: "take"})


def test_same_file_twice_changes_nothing(book):
    run_import(book, FIX / "seller.csv")
    before = dump(book)
    plan, report = run_import(book, FIX / "seller.csv")
    counts = plan.counts()
    assert counts["new"] == counts["updated"] == counts["conflicting"] == 0
    assert counts["unchanged"] == 5 and report.backup is None and report.undo_label is None
    assert book.scalar("SELECT count(*) FROM purchase") == 3  # no second purchase history
    assert dump(book) == before


def test_existing_purchases_make_the_history_a_conflict(book, tmp_path, frozen_today):
    cid = contacts.create_contact(book, remark="王芳", phone="13800138000")
    record_purchase(book, cid, "面霜", 9900, bought_on=date(2026, 5, 1))
    path = write_csv(tmp_path, "姓名,手机,最近下单,累计金额\n王芳,13800138000,2026-03-20,1200")
    plan = plan_import(book, read_file(path))
    (conflict,) = plan.conflicts
    assert conflict.field == "purchases" and "¥1,200" in conflict.incoming
    apply_import(book, plan)
    assert book.scalar("SELECT count(*) FROM purchase") == 1
    apply_import(book, plan_import(book, read_file(path)), on_conflict="take")
    assert book.scalar("SELECT count(*) FROM purchase") == 2


def test_tags_match_case_insensitively(book, tmp_path):
    cid = contacts.create_contact(book, remark="王芳", tags=["vip"])
    plan, report = run_import(book, write_csv(tmp_path, "姓名,标签\n王芳,VIP\n李娜,Vip"))
    assert plan.tags_to_create == [] and report.tags_created == 0
    assert contact(book, cid)["tags"] == ["vip"]
    assert book.scalar("SELECT count(*) FROM tag") == 1


# --- accounts ---------------------------------------------------------------------------


def test_unknown_account_names_reject_their_rows(book):
    create_account(book, "小号A")
    plan = plan_import(book, read_file(FIX / "seller_synonyms.csv"))
    assert plan.unknown_accounts == {"大号": 1}
    (rejected,) = plan.rejected
    assert rejected.field == "account" and "大号" in rejected.reason
    assert plan.counts()["new"] == 1
    plan = plan_import(book, read_file(FIX / "seller_synonyms.csv"), create_accounts=True)
    report = apply_import(book, plan)
    assert report.accounts_created == ["大号"] and report.created == 2
    placed = book.query(
        "SELECT c.remark, a.name FROM contact c JOIN account a ON a.id = c.account_id ORDER BY 1"
    )
    assert placed == [("陈晨", "大号"), ("马丽", "小号A")]


def test_account_option_wins_and_must_exist(book):
    with pytest.raises(ValidationError, match="--create-accounts"):
        plan_import(book, read_file(FIX / "seller.csv"), account="主号")
    create_account(book, "主号")
    run_import(book, FIX / "seller_synonyms.csv", account="主号")
    assert book.query("SELECT DISTINCT account_id FROM contact") == [(1,)]


# --- all or nothing ---------------------------------------------------------------------


def test_dry_plan_writes_nothing(book):
    before = dump(book)
    plan_import(book, read_file(FIX / "seller.csv"))
    assert dump(book) == before
    assert not (book.path.parent / "book.backups").exists()


def test_failure_mid_apply_leaves_the_book_unchanged(book, monkeypatch):
    import kamtui.importing.apply as apply_mod

    run_import(book, FIX / "seller_synonyms.csv", create_accounts=True)
    before = dump(book)
    plan = plan_import(book, read_file(FIX / "android_21.vcf"))
    real = apply_mod._bulk

    def boom(con, insert, cols, values):
        real(con, insert, cols, values)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(apply_mod, "_bulk", boom)
    with pytest.raises(RuntimeError):
        apply_import(book, plan)
    assert dump(book) == before
    folder = pictures_dir(book.path)
    assert not folder.exists() or not any(folder.iterdir())  # pictures removed again


def test_a_row_failing_validation_is_rejected_not_a_crash(book, tmp_path, monkeypatch):
    import kamtui.importing.apply as apply_mod

    real = apply_mod._check_values

    def strict(values):
        if values.get("remark") == "坏人":
            raise ValidationError("remark", "bad remark")
        real(values)

    monkeypatch.setattr(apply_mod, "_check_values", strict)
    # (a description over 100 characters: the row's values go through _check_values;
    # shorter ones all pass without it)
    long_text = "很长的备注" * 30
    path = write_csv(tmp_path, f"姓名,备注\n好人,{long_text}\n坏人,{long_text}\n路人,")
    plan, report = run_import(book, path)
    assert report.created == 2
    assert [(p.row, p.field, p.reason) for p in plan.rejected] == [(3, "remark", "bad remark")]


def test_too_long_values_reject_the_row(book, tmp_path):
    path = write_csv(tmp_path, "姓名,微信号\n正常,ok_id\n太长," + "x" * 150)
    plan, report = run_import(book, path)
    assert report.created == 1 and [p.row for p in plan.rejected] == [3]


def test_new_rows_are_checked_at_each_columns_limit(book, tmp_path):
    """Rows whose values are all at most 100 characters pass without the full check;
    longer ones get it, and are kept or rejected at each column's own limit."""
    rows = [
        ("甲" * 100, "w" * 100, "c" * 100),  # all at 100: imported
        ("乙" * 200, "w2", "c"),  # a remark may have 200: imported
        ("丁", "w" * 101, "c"),  # a WeChat ID only 100
        ("戊", "w5", "c" * 101),  # a city only 100
    ]
    text = "姓名,微信号,城市\n" + "\n".join(",".join(r) for r in rows)
    plan, report = run_import(book, write_csv(tmp_path, text))
    assert report.created == 2
    assert [(p.row, p.field, p.reason) for p in plan.rejected] == [
        (4, "wechat_id", t("err.too_long", field=label("wechat_id"), max=100)),
        (5, "city", t("err.too_long", field=label("city"), max=100)),
    ]


def test_stale_plan_is_refused(book):
    plan = plan_import(book, read_file(FIX / "seller.csv"))
    contacts.create_contact(book, remark="插队")
    before = dump(book)
    with pytest.raises(ImportStale):
        apply_import(book, plan)
    assert dump(book) == before
    assert not (book.path.parent / "book.backups").exists()  # not even a backup


def test_undo_reverts_the_whole_import(book, tmp_path):
    cid = contacts.create_contact(book, remark="王芳", phone="13800138000")
    before = dump(book)
    path = write_csv(
        tmp_path,
        "姓名,手机,职业,标签,最近下单,累计金额\n王芳,13800138000,教师,VIP,2026-01-02,10\n"
        "李娜,13900139000,,新客,2026-01-03,20",
    )
    _, report = run_import(book, path, create_accounts=True)
    assert contact(book, cid)["occupation"] == "教师" and len(ids(book)) == 2
    with book.transaction() as con:
        action = last_action(con)
        assert action.label == report.undo_label == "import in.csv"
        undo_action(con, action.id)

    # (what undo keeps, and the changes the Today refresh and the clean-up have yet to
    # read, aside; in any
    # order: a bulk insert makes its triggers again, so they are listed in another)
    def kept(lines):
        return sorted(x for x in lines if not any(k in x for k in _NOT_KEPT))

    assert kept(dump(book)) == kept(before)
    assert book.scalar("SELECT count(*) FROM followup_change") > 0  # the undone sales noted


# --- round trip through kamtui's export -------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"), [("csv", {"headers": "zh"}), ("csv", {"headers": "en"}), ("json", {})]
)
def test_export_then_import_into_an_empty_book(book, tmp_path, frozen_today, fmt, options):
    from kamtui import exporting
    from kamtui.store.db import Book

    create_account(book, "主号")
    contacts.create_contact(
        book,
        remark="张三",
        nickname="小张🌸",
        wechat_id="zhang3",
        phone="13800138000",
        account="主号",
        province="广东",
        city="深圳",
        occupation="教师",
        gender="f",
        birthday="1990-05-01",
        source="朋友圈",
        added_on="2025-03-08",
        description="喜欢红茶\n常买, 要发票; 路径 C:\\docs",
        tags=["VIP", "宝妈"],
    )
    contacts.create_contact(book, remark="欧阳娜娜", birthday="农历三月初五", tags=["老客户"])
    contacts.create_contact(book, nickname="-2+3", phone="+1 650 253 0000", favourite=True)
    path = tmp_path / f"out.{fmt}"
    exporting.export_contacts(book, fmt, path, today=frozen_today, **options)
    other = Book(tmp_path / "other" / "book.db")
    try:
        plan = plan_import(other, read_file(path), create_accounts=True)
        assert plan.rejected == [] and plan.conflicts == []
        report = apply_import(other, plan)
        assert report.created == 3
        cols = (
            "remark, nickname, wechat_id, phone, province, city, occupation, gender, "
            "birth_year, birth_month, birth_day, birth_lunar, source, added_on, description, "
            "favourite, (SELECT name FROM account a WHERE a.id = account_id)"
        )

        def people(b):
            out = {}
            for row in b.query(f"SELECT id, {cols} FROM contact ORDER BY id"):
                out[row[1] or row[2]] = (*row[1:], tuple(sorted(contacts_tags(b, row[0]))))
            return out

        assert people(other) == people(book)
    finally:
        other.close()


# --- search keys built in a helper process (big files, command line) -------------------


def _keys(b) -> list[tuple]:
    return b.query("SELECT remark, search_key FROM contact ORDER BY id")


def _forty_friends(tmp_path) -> tuple[Path, list]:
    """A file of 40 friends (and one row merged into another) and the search keys an
    import without helpers gives them."""
    from kamtui.store.db import Book

    lines = ["姓名,微信号,手机,标签,职业"]
    lines += [f"客户{i}号,wx_{i},1380013{i:04d},VIP,教师" for i in range(40)]
    lines += ["客户3号,wx_3,,老客户,"]  # merged into row 5: its key is built when written
    path = write_csv(tmp_path, "\n".join(lines))
    serial = Book(tmp_path / "serial.db")
    run_import(serial, path)
    expected = _keys(serial)
    serial.close()
    return path, expected


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
@pytest.mark.parametrize("child_fails", [False, True])
@pytest.mark.parametrize("started_by", ["plan", "write"])
def test_search_keys_from_a_helper_process(book, tmp_path, monkeypatch, child_fails, started_by):
    """The plan starts a helper for the names' keys (it works while the plan is made);
    a plan made without one (where no fork was possible then) gets one when written."""
    import os

    import kamtui.importing.apply as apply_mod

    path, expected = _forty_friends(tmp_path)
    monkeypatch.setattr(apply_mod, "PARALLEL_KEYS_FROM", 10)
    monkeypatch.setattr(apply_mod, "KEY_CHUNK", 3)  # 14 chunks, the last one short
    forks = count_forks(monkeypatch)
    parent = os.getpid()
    real_names = apply_mod._names_key
    built_here = []

    def names_key(rec):
        if os.getpid() != parent:
            if child_fails:
                raise RuntimeError("the child breaks")
            return real_names(rec)
        built_here.append(rec.row)
        time.sleep(0.05)  # this process is slow: the child gets ahead
        return real_names(rec)

    monkeypatch.setattr(apply_mod, "_names_key", names_key)
    monkeypatch.setattr(apply_mod, "_can_fork", lambda: started_by == "plan")
    plan = plan_import(book, read_file(path))
    assert forks == ([1] if started_by == "plan" else [])
    monkeypatch.setattr(apply_mod, "_can_fork", lambda: True)
    apply_import(book, plan)
    assert forks == [1]
    assert _keys(book) == expected and len(expected) == 40
    if child_fails:
        assert built_here == list(range(2, 42))
    else:  # each key once; a merged row's key is built when written
        assert len(built_here) < 40
        rest = built_here
        if started_by == "plan":
            assert 5 in built_here
            rest = [r for r in built_here if r != 5]
            # the plan's child starts with the first chunk: this process builds keys
            # only from where it caught up with the child to where they met
            start = rest[0] if rest else 2
            assert rest == list(range(start, start + len(rest)))
        else:  # the write's child built the last chunks, this process the first ones
            assert rest == list(range(2, 2 + len(rest)))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_the_plans_key_helper_starts_with_the_first_records(book, tmp_path, monkeypatch):
    """The names' keys are needed only once the plan is made: its helper builds them
    from the first record on, so that the write finds them all built (but a merged
    record's); the keys are the ones built in this process."""
    import os

    import kamtui.importing.apply as apply_mod

    path, expected = _forty_friends(tmp_path)
    monkeypatch.setattr(apply_mod, "PARALLEL_KEYS_FROM", 10)
    monkeypatch.setattr(apply_mod, "KEY_CHUNK", 3)
    monkeypatch.setattr(apply_mod, "_can_fork", lambda: True)
    parent = os.getpid()
    real_names = apply_mod._names_key
    built_here = []

    def names_key(rec):
        if os.getpid() == parent:
            built_here.append(rec.row)
        else:
            time.sleep(0.01)  # (the child's chunks come one by one)
        return real_names(rec)

    monkeypatch.setattr(apply_mod, "_names_key", names_key)
    plan = plan_import(book, read_file(path))
    helper = plan.names.helper

    def wait_for(ready) -> None:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.005)  # (the plan of a big file takes a while: the child gets ahead)
            helper._receive()

    wait_for(lambda: helper.done)
    assert min(helper.done) == 0  # the child's first chunk is the first one
    wait_for(lambda: len(helper.done) == helper.count)
    assert sorted(helper.done) == list(range(14))
    apply_import(book, plan)
    assert built_here == [5]
    assert _keys(book) == expected


# --- big imports: indexes built once after the rows ------------------------------------------


def test_big_import_rebuilds_the_indexes_it_dropped(book, tmp_path, monkeypatch):
    import kamtui.importing.apply as apply_mod
    from kamtui.store.db import Book

    def schema(b) -> list[tuple]:
        return b.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")

    lines = ["姓名,微信号,手机,标签,累计金额,最近下单"]
    lines += [
        f"客户{i}号,wx_{i},1380013{i:04d},VIP,{i + 1}.50,2026-10-0{1 + i % 9}" for i in range(30)
    ]
    path = write_csv(tmp_path, "\n".join(lines))
    plain = Book(tmp_path / "plain.db")
    run_import(plain, path)
    expected = plain.query("SELECT nickname, remark, phone, search_key FROM contact ORDER BY id")
    plain.close()
    before = schema(book)
    dropped = []
    real = apply_mod._drop_indexes

    def drop(con):
        dropped.extend(real(con))
        return dropped

    monkeypatch.setattr(apply_mod, "REBUILD_INDEXES_FROM", 10)
    monkeypatch.setattr(apply_mod, "_drop_indexes", drop)
    _, report = run_import(book, path)
    assert report.created == 30 and report.purchases == 30
    assert any("ix_contact_phone" in sql for sql in dropped)
    assert any("ix_purchase_due" in sql for sql in dropped)
    assert not any(sql.upper().startswith("CREATE UNIQUE") for sql in dropped)
    # contact indexes on columns that are the same for every new row stay (updated as
    # the rows go in: cheaper than reading the whole table again)
    for kept in ("ix_contact_archived", "ix_contact_updated", "ix_contact_account"):
        assert not any(f"INDEX {kept} " in sql for sql in dropped)
    assert schema(book) == before  # every index back, as it was
    assert book.query("PRAGMA integrity_check") == [("ok",)]
    got = book.query("SELECT nickname, remark, phone, search_key FROM contact ORDER BY id")
    assert got == expected
    with book.transaction() as con:  # and the import can still be undone
        undo_action(con, last_action(con).id)
    assert book.scalar("SELECT count(*) FROM contact") == 0


# --- undo rows of bulk inserts, recorded in one statement --------------------------------


def test_undo_rows_of_an_import_are_those_the_triggers_write(book, tmp_path, monkeypatch):
    """New contacts, their tag links and every purchase are recorded set-based at the end
    of each bulk insert; updates of matched contacts and their new links by the triggers.
    The undo rows are the same as with the triggers alone (links may come in another
    order), and undoing gives back the book as it was."""
    from contextlib import nullcontext

    import kamtui.store.undo as undo_mod
    from kamtui.store.db import Book

    def undo_rows(b) -> list[tuple]:
        rows_ = b.query("SELECT action_id, tbl, row_key, op, old, new FROM undo_row ORDER BY id")
        # the JSON before/after images carry the write time
        return sorted((tuple(str(v).split('"created_at"')[0] for v in r) for r in rows_), key=repr)

    lines = ["姓名,微信号,手机,标签,累计金额,最近下单"]
    lines += [
        f"客户{i}号,wx_{i},1380013{i:04d},VIP,{i + 1}.50,2026-10-0{1 + i % 9}" for i in range(8)
    ]
    first = write_csv(tmp_path, "\n".join(lines), "first.csv")
    lines = ["姓名,微信号,手机,标签,职业,累计金额,最近下单"]
    lines += [f"客户{i}号,wx_{i},,老客户;VIP,教师,9.00,2026-11-01" for i in range(4, 12)]
    second = write_csv(tmp_path, "\n".join(lines), "second.csv")

    plain = Book(tmp_path / "plain.db")
    with monkeypatch.context() as m:
        m.setattr(undo_mod, "inserts_recorded_at_end", lambda *a, **k: nullcontext())
        for path in (first, second):
            run_import(plain, path, on_conflict="take")
        expected = undo_rows(plain)
    plain.close()
    run_import(book, first, on_conflict="take")
    before = dump(book)
    run_import(book, second, on_conflict="take")
    assert undo_rows(book) == expected
    assert {r[1] for r in expected} >= {"contact", "contact_tag", "purchase"}
    with book.transaction() as con:
        undo_action(con, last_action(con).id)

    # (what undo keeps, and the changes the Today refresh and the clean-up have yet to
    # read, aside; in any
    # order: a bulk insert makes its triggers again, so they are listed in another)
    def kept(lines):
        return sorted(x for x in lines if not any(k in x for k in _NOT_KEPT))

    assert kept(dump(book)) == kept(before)
    assert book.scalar("SELECT count(*) FROM followup_change") > 0  # the undone sales noted


def test_search_keys_put_together_from_parts_are_build_search_key():
    from kamtui.importing.apply import Entry, _KeyParts, _names_key, _plain_search_key
    from kamtui.importing.model import ImportRecord

    odd = [
        "",
        " ",
        "ＡＢＣ",
        "a\x1fb",
        "🌸莉莉",
        "中国",
        "China",
        "x" * 600,
        "\ue000",
        "曾小贤",
        "-",
    ]
    keys = _KeyParts()
    n = 0
    entries = []
    for i, text in enumerate(odd * 3):
        rec = ImportRecord(
            i + 2,
            nickname=odd[(i + 1) % len(odd)],
            remark=text,
            wechat_id=odd[(i + 2) % len(odd)],
            phone="+8613800138000" if i % 2 else None,
            country=odd[(i + 3) % len(odd)],
            province=text,
            city=odd[(i + 5) % len(odd)],
            occupation=odd[(i + 6) % len(odd)],
        )
        tags = [t for t in (text, odd[(i + 7) % len(odd)], "VIP") if t.strip()]
        e = Entry(rec, [rec.row], None, tags=tags, description=odd[(i + 8) % len(odd)])
        assert keys(e) == _plain_search_key(e)
        entries.append(e)
        n += 1
    assert n == 33
    # many at once (a chunk of the write), the names' keys known for some (a helper's)
    names = [_names_key(e.record) if i % 3 else None for i, e in enumerate(entries)]
    expected = [_plain_search_key(e) for e in entries]
    assert _KeyParts().many(entries, names) == expected
    assert keys.many(entries, names) == expected  # (its parts kept from above)


# --- the import's connection: a big page cache, the checkpoint after the commit ------------


def _connection_settings(b) -> tuple:
    con = b.conn
    return (
        con.execute("PRAGMA cache_size").fetchone()[0],
        con.execute("PRAGMA wal_autocheckpoint").fetchone()[0],
    )


def test_import_checkpoints_after_its_commit_and_leaves_the_connection_as_it_was(book, tmp_path):
    import shutil
    import sqlite3

    lines = ["姓名,微信号,手机"] + [f"客户{i},wx_{i},1380013{i:04d}" for i in range(30)]
    path = write_csv(tmp_path, "\n".join(lines))
    before = _connection_settings(book)
    assert book.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    calls = []
    plan = plan_import(book, read_file(path))
    apply_import(book, plan, progress=lambda *a: calls.append(a))
    assert _connection_settings(book) == before
    # the book file alone (without its WAL) holds the import: it was checkpointed
    alone = tmp_path / "alone.db"
    shutil.copyfile(book.path, alone)
    con = sqlite3.connect(alone)
    try:
        assert con.execute("SELECT count(*) FROM contact").fetchone()[0] == 30
    finally:
        con.close()
    writes = [(d, t) for stage, d, t in calls if stage == "write"]
    assert writes[-1][0] == writes[-1][1] and writes[-2][0] < writes[-1][0]
    assert [d for d, _ in writes] == sorted(d for d, _ in writes)


def test_a_failed_import_leaves_the_connection_as_it_was(book, tmp_path, monkeypatch):
    import kamtui.importing.apply as apply_mod

    path = write_csv(tmp_path, "姓名,手机\n王芳,13800138000\n李四,13900139000")
    before = _connection_settings(book)
    plan = plan_import(book, read_file(path))

    def broken(con, batch):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(apply_mod, "_insert_contacts", broken)
    with pytest.raises(RuntimeError):
        apply_import(book, plan)
    assert _connection_settings(book) == before
    assert book.query("SELECT count(*) FROM contact") == [(0,)]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_the_plans_helper_is_stopped_when_nothing_new_is_written(book, tmp_path, monkeypatch):
    import os

    import kamtui.importing.apply as apply_mod

    lines = ["姓名,微信号"] + [f"客户{i}号,wx_{i}" for i in range(30)]
    path = write_csv(tmp_path, "\n".join(lines))
    run_import(book, path)
    monkeypatch.setattr(apply_mod, "PARALLEL_KEYS_FROM", 10)
    monkeypatch.setattr(apply_mod, "KEY_CHUNK", 3)
    monkeypatch.setattr(apply_mod, "_can_fork", lambda: True)
    plan = plan_import(book, read_file(path))  # the same file again: all matched
    helper = plan.names.helper
    pid = helper.pid
    assert pid and plan.counts()["new"] == 0
    report = apply_import(book, plan)
    assert report.created == 0 and report.undo_label is None
    assert plan.names is None and helper.pid == 0 and helper.file == -1
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped
