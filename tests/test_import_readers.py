"""Reading contact files for import: every layout, every encoding, every bad file."""

from __future__ import annotations

import base64
import json
import random
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import count_forks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamtui import i18n
from kamtui.errors import KamtuiError
from kamtui.importing import (
    LAYOUTS,
    MAPPABLE_FIELDS,
    Birthday,
    ImportFileError,
    Mapping,
    detect_layout,
    normalize_header,
    preview,
    read_file,
)
from kamtui.importing.clean import import_birthday, import_date
from kamtui.importing.source import MAX_CELL
from kamtui.importing.vcard import image_ext

FIX = Path(__file__).parent / "fixtures" / "import"
CSV_LAYOUTS = [
    "memotrace_contacts.csv",
    "group_members.csv",
    "scraper.csv",
    "ios_backup.csv",
    "seller.csv",
    "seller_synonyms.csv",
    "google_current.csv",
    "google_legacy.csv",
    "outlook.csv",
    "thunderbird.csv",
]


def by_name(result, name):
    found = [r for r in result.records if name in (r.remark, r.nickname)]
    assert found, f"{name!r} not among {[r.display_name() for r in result.records]}"
    return found[0]


def problems_at(result, row):
    return {p.field: p for p in result.problems if p.row == row}


def reencode(src: Path, dst: Path, encoding: str, *, newline: str | None = None) -> Path:
    text = src.read_bytes().decode("utf-8-sig")
    if newline is not None:
        text = text.replace("\r\n", "\n").replace("\n", newline)
    dst.write_bytes(text.encode(encoding))
    return dst


# --- layouts -----------------------------------------------------------------------------


def test_memotrace_contacts():
    r = read_file(FIX / "memotrace_contacts.csv")
    assert (r.format, r.encoding, r.layout) == ("csv", "utf-8-sig", "memotrace")
    assert r.rows_read == 6
    assert r.skipped == {"chatroom": 1, "official": 1, "system": 1}
    lily = by_name(r, "莉莉-深圳-美容院")
    assert lily.wechat_id == "lily_beauty88"  # Alias wins over the wxid
    assert lily.wxid == "wxid_a1b2c3d4e5f612"
    assert lily.nickname == "Lily🌸"
    assert lily.phone == "+8613800138000"
    assert lily.gender == "f"
    assert lily.tags == ["VIP", "老客户"]
    assert (lily.country, lily.province, lily.city) == ("中国", "广东", "深圳")
    assert lily.description == "爱生活，爱美丽"
    assert lily.picture_url.endswith("/0")
    wang = by_name(r, "王哥 杭州 茶叶")
    assert wang.wechat_id == wang.wxid == "wxid_zz9988776655"  # no alias: the wxid
    assert wang.gender == "m"  # gender code 1
    assert wang.tags == [] and wang.label_ids == ["3", "7"]
    assert any("3, 7" in n for n in r.notices)
    chen = by_name(r, "陈老师")
    assert chen.phone == "+8613900139000"
    assert chen.description == "多行\n签名"
    assert chen.row == 7


def test_group_members_fullwidth_brackets():
    r = read_file(FIX / "group_members.csv")
    assert r.layout == "group_members"
    assert r.mapping.unmapped == []
    yu = by_name(r, "小雨")
    assert yu.wechat_id == "xiaoyu_2020" and yu.remark == "小雨 宝妈 广州"
    assert yu.tags == ["宝妈", "潜在客户"]
    assert (yu.country, yu.province, yu.city) == ("中国", "广东", "广州")
    assert yu.description == "每天进步一点点"
    wei = by_name(r, "大伟")
    assert wei.wxid == "wxid_7h3k9m2p5q1r22" and wei.gender == "m"
    assert by_name(r, "Sunny林").city == "浦东新区"


def test_scraper_dashes_and_apostrophes():
    r = read_file(FIX / "scraper.csv")
    assert r.layout == "scraper"
    zhang = by_name(r, "张姐-美容")
    assert zhang.nickname == "-小张-"  # leading ' stripped
    assert zhang.description == "=美丽每一天"
    assert zhang.tags == ["VIP", "老客户"]
    assert (zhang.country, zhang.province, zhang.city) == ("中国", "广东", "深圳")
    qiang = by_name(r, "阿强")
    assert qiang.remark == "" and qiang.tags == [] and qiang.description == ""
    assert (qiang.country, qiang.province, qiang.city) == ("中国", "浙江", "温州")
    assert by_name(r, "王老板").nickname == "+王者归来+"
    # the all-dash row has nothing to identify it
    assert [p.row for p in r.problems if p.rejected] == [5]


def test_ios_backup():
    r = read_file(FIX / "ios_backup.csv")
    assert r.layout == "ios_backup"
    momo = by_name(r, "默默")
    assert (momo.wxid, momo.wechat_id) == ("wxid_q1w2e3r4t5y6u7", "momo_shop")
    assert (momo.province, momo.city) == ("四川", "成都")  # WeChat's pinyin, in Chinese
    assert momo.description == "代购日韩"
    assert r.skipped == {"chatroom": 1}


def test_pywxdump_users_json():
    r = read_file(FIX / "pywxdump_users.json")
    assert (r.format, r.layout) == ("json", "pywxdump")
    assert r.skipped == {"chatroom": 1, "official": 1}
    hua = by_name(r, "花花-杭州-服装")
    assert hua.wechat_id == "huahua_hz"  # PyWxDump's "account" is the friend's Alias
    assert hua.wxid == "wxid_abc123def456gh"
    assert hua.account == ""  # not the seller's account
    assert hua.gender == "f" and hua.phone == "+8613700137000"
    assert hua.tags == ["VIP", "服装"]
    assert (hua.country, hua.province, hua.city) == ("中国", "浙江", "杭州")
    assert hua.description == "喜欢连衣裙\n做自己"
    tom = by_name(r, "Tom")
    assert tom.label_ids == ["12"] and tom.gender == "m"
    assert by_name(r, "小李").wechat_id == "xiaoli_99"  # ExtraBuf null


def test_generic_json_list():
    r = read_file(FIX / "contacts_list.json")
    amei = by_name(r, "阿美")
    assert amei.wechat_id == "amei_2022" and amei.phone == "+8613800138007"
    assert amei.tags == ["VIP", "复购"]


def test_google_current():
    r = read_file(FIX / "google_current.csv")
    assert r.layout == "google"
    ming = by_name(r, "李明")  # 姓+名 without a space
    assert ming.nickname == "小明"
    assert ming.phone == "+8613800138001"
    assert ming.other_phones == ["+8613900139001", "+861065529988"]
    assert "+8613900139001" in ming.description
    assert ming.tags == ["VIP"] and ming.favourite
    assert ming.birthday == Birthday(5, 1, 1990)
    assert ming.occupation == "华为 工程师"
    assert (ming.province, ming.city) == ("广东", "深圳")
    assert "ming@example.com" in ming.description
    anna = by_name(r, "Anna Smith")
    assert anna.birthday == Birthday(5, 1)
    assert anna.phone == "+16502530000"


def test_google_legacy():
    r = read_file(FIX / "google_legacy.csv")
    assert r.layout == "google"
    zhao = by_name(r, "赵敏")
    assert zhao.tags == ["客户"] and zhao.gender == "f"
    assert zhao.phone == "+8613600136000" and zhao.other_phones == ["+8675588886666"]
    assert by_name(r, "周国强").phone == "+8613500135000"


def test_outlook():
    r = read_file(FIX / "outlook.csv")
    assert r.layout == "outlook"
    liu = by_name(r, "刘芳")
    assert liu.birthday == Birthday(5, 1, 1990)  # 5/1/1990 is month/day in Outlook
    assert liu.phone == "+8613800138003"
    assert liu.tags == ["VIP", "批发"]
    assert liu.occupation == "芳芳贸易 经理"
    assert liu.account == ""  # Outlook's "Account" is not the seller's WeChat account
    john = by_name(r, "John Doe")
    assert john.birthday is None  # 0/0/00 means none
    assert "gender" not in problems_at(r, john.row)


def test_thunderbird_trailing_column_and_cn_name():
    r = read_file(FIX / "thunderbird.csv")
    assert r.layout == "thunderbird"
    hong = by_name(r, "张小红")
    assert hong.nickname == "红红" and hong.phone == "+8613800138004"
    assert hong.birthday == Birthday(3, 8, 1995)
    assert by_name(r, "Pete P.").birthday == Birthday(12, 24)
    assert not r.problems


def test_seller_sheet_cleaning():
    r = read_file(FIX / "seller.csv")
    assert r.layout == "seller"
    wang = by_name(r, "王芳")
    assert wang.phone == "+8613800138000"
    assert wang.added_on == date(2026, 3, 5)
    assert wang.last_order_on == date(2026, 3, 20)
    assert wang.total_amount_fen == 120050
    assert wang.tags == ["护肤", "回头客", "VIP"]
    assert wang.description == "喜欢护肤品"  # 备注 is a note in a seller's sheet
    li = by_name(r, "李娜")
    assert li.added_on == date(2026, 3, 5) and li.last_order_on == date(2026, 4, 1)
    zhao = by_name(r, "赵雷")
    assert zhao.phone == "+8613700137000"  # 0086 prefix
    assert zhao.added_on == date(2026, 3, 5)  # 2026年3月5日
    assert zhao.last_order_on == date(2025, 11, 30)  # Excel serial 45991
    assert zhao.description == "地址变更,\n新地址见聊天"
    # 钱多多 (row 5): an impossible date and a negative amount reject the whole row
    assert not [rec for rec in r.records if rec.remark == "钱多多"]
    qian = problems_at(r, 5)
    assert set(qian) == {"last_order_on", "total_amount"}
    assert all(p.rejected for p in qian.values())
    assert "2026-02-30" in qian["last_order_on"].reason
    assert "negative" in qian["total_amount"].reason
    # 孙悦 (row 6): a month 13 and a bad amount; the damaged phone is listed too
    sun = problems_at(r, 6)
    assert sun["added_on"].rejected and sun["total_amount"].rejected
    assert "damaged" in sun["phone"].reason and not sun["phone"].rejected
    assert r.rejected == 2  # two rows, four reasons
    assert not problems_at(r, 9)["phone"].rejected  # a bad phone is only left out
    assert by_name(r, "周杰").phone == "+8613800138002"  # full-width digits
    assert r.skipped == {"empty": 1}


def test_seller_synonyms_address_lunar_account():
    r = read_file(FIX / "seller_synonyms.csv")
    ma = by_name(r, "马丽")
    assert ma.wechat_id == "mali_sh" and ma.source == "展会" and ma.account == "小号A"
    assert (ma.province, ma.city) == ("上海", "浦东新区")
    assert "上海市浦东新区世纪大道100号" in ma.description
    chen = by_name(r, "陈晨")
    assert chen.birthday == Birthday(3, 5, None, lunar=True)
    assert (chen.province, chen.city) == ("广东", "深圳")
    assert chen.occupation == "程序员" and chen.gender == "m"


def test_negative_total_is_kept_with_a_warning(tmp_path):
    path = tmp_path / "refund.csv"
    path.write_text("姓名,累计金额\n退货王,-50\n坏金额,abc\n", encoding="utf-8")
    r = read_file(path)
    (rec,) = r.records
    assert rec.total_amount_fen == -5000
    assert not problems_at(r, 2)["total_amount"].rejected
    assert "negative" in problems_at(r, 2)["total_amount"].reason
    assert problems_at(r, 3)["total_amount"].rejected  # not an amount at all: the row goes


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_excel_sep_line(tmp_path, newline):
    r = read_file(
        reencode(FIX / "sep_semicolon.csv", tmp_path / "s.csv", "gb18030", newline=newline)
    )
    yang = by_name(r, "杨洋")
    assert yang.total_amount_fen == 120050 and yang.phone == "+8613800138005"
    assert by_name(r, "何静").tags == ["新客", "潜在"]
    assert min(rec.row for rec in r.records) == 2  # the sep= line is not a row


# --- encodings and line ends ---------------------------------------------------------------


@pytest.mark.parametrize("name", CSV_LAYOUTS)
def test_gb18030_twin_reads_the_same(tmp_path, name):
    utf8 = read_file(FIX / name)
    gb = read_file(reencode(FIX / name, tmp_path / name, "gb18030"))
    assert gb.encoding == "gb18030"
    assert gb.layout == utf8.layout
    assert [r.display_name() for r in gb.records] == [r.display_name() for r in utf8.records]
    assert [(r.phone, r.tags, r.province) for r in gb.records] == [
        (r.phone, r.tags, r.province) for r in utf8.records
    ]


def test_utf16_tab_separated(tmp_path):
    """Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated."""
    text = (FIX / "seller.csv").read_text("utf-8")
    lines = [
        "\t".join(c.replace("\n", " ") for c in row)
        for row in __import__("csv").reader(text.splitlines(keepends=True))
    ]
    path = tmp_path / "unicode.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    r = read_file(path)
    assert r.encoding == "utf-16"
    assert by_name(r, "王芳").total_amount_fen == 120050
    assert by_name(r, "王芳").tags == ["护肤", "回头客", "VIP"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16-be"))
    assert by_name(read_file(path), "王芳").phone == "+8613800138000"


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_line_ends(tmp_path, newline):
    r = read_file(reencode(FIX / "seller.csv", tmp_path / "s.csv", "utf-8", newline=newline))
    assert len(r.records) == 5 and r.rejected == 2
    assert by_name(r, "赵雷").description == "地址变更,\n新地址见聊天"


def test_mixed_encodings_name_the_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "姓名,手机\n王芳,13800138000\n".encode()
        + "李娜,13900139000\n".encode("gbk")
        + "赵雷,13700137000\n".encode()
    )
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert err.value.key == "import.encoding_mixed"
    assert err.value.row == 3 and "mixed.csv" in str(err.value)


def test_chinese_message(tmp_path):
    i18n.set_language("zh")
    with pytest.raises(ImportFileError, match="只有表头"):
        read_file(FIX / "header_only.csv")
    r = read_file(FIX / "seller.csv")
    assert "不存在" in problems_at(r, 5)["last_order_on"].reason


# --- Excel -------------------------------------------------------------------------------


def make_xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "微信号", "手机", "添加时间", "累计金额", "生日", "标签"])
    ws.append(["王芳", "wangfang", 13800138000, date(2026, 3, 5), 1200.5, "1990-05-01", "VIP"])
    ws.append(["李娜", "lina", "139 0013 9000", 45991, 300, date(1988, 7, 7), None])
    ws.append(["坏号", None, 1.38001e10 + 0.5, "2026-02-30", -5, None, None])
    ws.append([None] * 7)
    wb.save(path)
    return path


def test_xlsx(tmp_path):
    r = read_file(make_xlsx(tmp_path / "sheet.xlsx"))
    assert (r.format, r.layout) == ("xlsx", "seller")
    wang = by_name(r, "王芳")
    assert wang.phone == "+8613800138000"  # a number cell
    assert wang.added_on == date(2026, 3, 5)
    assert wang.total_amount_fen == 120050
    assert wang.birthday == Birthday(5, 1, 1990)
    li = by_name(r, "李娜")
    assert li.added_on == date(2025, 11, 30) and li.birthday == Birthday(7, 7, 1988)
    bad = problems_at(r, 4)  # the row is rejected for its date and amount
    assert set(bad) == {"phone", "added_on", "total_amount"}
    assert bad["added_on"].rejected and bad["total_amount"].rejected
    assert not [rec for rec in r.records if rec.remark == "坏号"]
    assert r.skipped.get("empty", 0) <= 1


def test_xlsx_renamed_csv_is_read_as_excel(tmp_path):
    path = make_xlsx(tmp_path / "sheet.xlsx").rename(tmp_path / "contacts.csv")
    r = read_file(path)
    assert r.format == "xlsx" and by_name(r, "王芳").phone == "+8613800138000"
    assert any("contacts.csv" in n for n in r.notices)


def test_truncated_xlsx(tmp_path):
    data = make_xlsx(tmp_path / "sheet.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert err.value.key == "import.xlsx_damaged" and "cut.xlsx" in str(err.value)


def test_zip_that_is_not_xlsx(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        read_file(path)


def test_old_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(ImportFileError, match=r"\.xls"):
        read_file(path)


# --- vCard -------------------------------------------------------------------------------


def test_android_vcard_21():
    r = read_file(FIX / "android_21.vcf")
    assert (r.format, r.layout, r.mapping) == ("vcard", "vcard", None)
    zsf = by_name(r, "张三丰")  # QP soft break inside a multi-byte character
    assert zsf.nickname == "Sanfeng"
    assert zsf.wechat_id == "zsf_taichi"  # X-CUSTOM(...,WeChat)
    assert zsf.phone == "+8613800138010"  # PREF first
    assert zsf.other_phones == ["+8675526888888", "+8613900139010"]
    assert zsf.description.startswith("老客户，住在深圳南山区，喜欢普洱茶，每月复购一次")
    assert (zsf.country, zsf.province, zsf.city) == ("中国", "广东", "深圳")
    assert zsf.occupation == "武当茶庄 掌柜"
    assert zsf.birthday == Birthday(4, 9, 1960)  # X-ANDROID-CUSTOM contact_event type 3
    assert zsf.picture_ext == "jpg" and zsf.picture.startswith(b"\xff\xd8\xff")
    assert zsf.picture.endswith(b"\xff\xd9") and len(zsf.picture) == 534
    assert zsf.row == 1
    mike = by_name(r, "Mike")
    assert mike.other_phones == ["+8618600010002"]
    broken = by_name(r, "Broken Photo")
    assert broken.picture is None
    assert problems_at(r, broken.row)["picture"].reason


def test_ios_vcard_30():
    r = read_file(FIX / "ios_30.vcf")
    na = by_name(r, "欧阳娜娜")  # folded lines, even inside a Chinese NOTE
    assert na.nickname == "娜娜"
    assert na.wechat_id == "ouyang_nana"  # item2.IMPP labelled WeChat
    assert na.phone == "+8613800138020"
    assert na.birthday == Birthday(5, 1)  # X-APPLE-OMIT-YEAR=1604
    assert na.tags == ["VIP", "口红", "老客户"]
    assert na.occupation == "星光传媒 市场部 品牌经理"
    assert "客户喜欢红色系的口红" in na.description
    assert "第二行备注, 带逗号" in na.description
    assert na.picture_ext == "png" and image_ext(na.picture) == "png"
    assert by_name(r, "Bruce Lee").birthday == Birthday(11, 27)


def test_vcard_40():
    r = read_file(FIX / "v40.vcf")
    lin = by_name(r, "林小姐")
    assert lin.phone == "+8613800138030"  # TEL;VALUE=uri:tel:+86-...
    assert lin.birthday == Birthday(5, 1)  # --0501
    assert lin.picture_ext == "png"
    assert lin.tags == ["美妆"]
    assert lin.gender == "f"  # GENDER:F


def test_vcard_gb18030_and_lf(tmp_path):
    text = (FIX / "ios_30.vcf").read_bytes().decode()
    path = tmp_path / "gb.vcf"
    path.write_bytes(text.replace("\r\n", "\n").encode("gb18030"))
    na = by_name(read_file(path), "欧阳娜娜")
    assert na.tags == ["VIP", "口红", "老客户"]


def test_vcard_photo_limits(tmp_path):
    big = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(6 * 1024 * 1024)).decode()
    folded = "\r\n ".join(big[i : i + 74] for i in range(0, len(big), 74))
    path = tmp_path / "big.vcf"
    path.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\nPHOTO;ENCODING=b:{folded}\r\nEND:VCARD\r\n"
    )
    r = read_file(path)
    assert r.records[0].picture is None
    assert "too big" in problems_at(r, 1)["picture"].reason


def test_truncated_vcard():
    with pytest.raises(ImportFileError) as err:
        read_file(FIX / "truncated.vcf")
    assert err.value.row == 6 and "END:VCARD" in str(err.value)


# --- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key", "row"),
    [
        ("empty.csv", "import.empty", None),
        ("whitespace.csv", "import.empty", None),
        ("header_only.csv", "import.header_only", None),
        ("truncated_quote.csv", "import.truncated_quote", 3),
        ("nul_bytes.csv", "import.nul_bytes", 3),
        ("json_not_contacts.json", "import.json_not_contacts", None),
        ("json_broken.json", "import.json_invalid", 4),
    ],
)
def test_bad_files(name, key, row):
    with pytest.raises(ImportFileError) as err:
        read_file(FIX / name)
    assert err.value.key == key
    assert err.value.row == row
    assert name in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match="not found"):
        read_file(tmp_path / "nope.csv")


def test_binary_garbage(tmp_path):
    rnd = random.Random(7)
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(rnd.randrange(256) for _ in range(20_000)))
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert err.value.key == "import.binary"
    png = tmp_path / "photo.csv"
    png.write_bytes(base64.b64decode(_PNG))
    with pytest.raises(ImportFileError, match="not a text table"):
        read_file(png)


def test_huge_cell_names_the_row(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("姓名,备注\n王芳,ok\n李娜," + "x" * 10_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert err.value.key == "import.cell_too_big" and err.value.row == 3


def test_cell_just_under_the_limit_is_fine(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("姓名,备注\n王芳," + "长" * (MAX_CELL - 10) + "\n", encoding="utf-8")
    r = read_file(path)
    assert r.records[0].description == ""  # over the description limit: dropped with a reason
    assert problems_at(r, 2)["description"]


def test_unclosed_quote_mid_file(tmp_path):
    path = tmp_path / "q.csv"
    rows = ["姓名,备注", '王芳,"没有结束'] + [f"客户{i},正常" for i in range(50)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert err.value.row == 2


def test_ragged_rows():
    r = read_file(FIX / "ragged.csv")
    assert by_name(r, "王芳").phone == "+8613800138000"  # too few cells: padded
    assert by_name(r, "李娜").tags == ["VIP"]  # extra empty cells: fine
    rejected = [p for p in r.problems if p.rejected]
    assert [(p.row, p.field) for p in rejected] == [(4, "")]
    assert "5" in rejected[0].reason


def test_no_known_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="map the columns by hand"):
        read_file(path)
    path.write_text("13800138000,王芳\n13900139000,李娜\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not a header"):
        read_file(path)


def test_json_empty_list(tmp_path):
    path = tmp_path / "e.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ImportFileError):
        read_file(path)


# --- layouts and mappings ----------------------------------------------------------------


def test_normalize_header():
    assert normalize_header("国家（地区）") == normalize_header("国家(地区)") == "国家地区"
    assert normalize_header(" Phone 1 - Value ") == "phone1value"
    assert normalize_header("\ufeff姓名") == "姓名"


def test_minimal_wechat_export_maps_remark():
    d = detect_layout(["微信号", "昵称", "备注", "标签", "性别"])
    assert d.mapping.fields == ["wechat_id", "nickname", "remark", "tags", "gender"]


def test_detect_layout_unknown_headers():
    d = detect_layout(["客户名", "手机号码", "Favourite colour", "微信"])
    assert d.layout.name == "seller"
    assert d.mapping.fields == ["remark", "phone", None, "wechat_id"]
    assert d.unmapped == ["Favourite colour"]


def test_detect_each_fixture_layout():
    expected = {
        "memotrace_contacts.csv": "memotrace",
        "group_members.csv": "group_members",
        "scraper.csv": "scraper",
        "ios_backup.csv": "ios_backup",
        "google_current.csv": "google",
        "google_legacy.csv": "google",
        "outlook.csv": "outlook",
        "thunderbird.csv": "thunderbird",
        "seller.csv": "seller",
    }
    for name, layout in expected.items():
        assert preview(FIX / name).detection.layout.name == layout, name
    assert set(expected.values()) <= set(LAYOUTS)


def test_mapping_round_trip_and_by_hand(tmp_path):
    p = preview(FIX / "seller.csv", rows=3)
    assert p.headers[:3] == ["姓名", "微信号", "手机"] and len(p.sample) == 3
    mapping = p.detection.mapping.with_field(5, None)  # skip 备注
    data = json.loads(json.dumps(mapping.to_dict()))
    again = Mapping.from_dict(data)
    assert again.columns == mapping.columns and again.layout == "seller"
    r = read_file(FIX / "seller.csv", mapping=again)
    assert by_name(r, "王芳").description == ""
    # a saved profile applied to a file whose columns are in another order
    moved = tmp_path / "moved.csv"
    moved.write_text("手机,姓名,备注\n13800138000,王芳,护肤\n", encoding="utf-8")
    r = read_file(moved, mapping=again)
    assert by_name(r, "王芳").phone == "+8613800138000"
    assert by_name(r, "王芳").description == ""


def test_mapping_by_hand_custom_headers(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("A,B,C\n王芳,13800138000,VIP\n", encoding="utf-8")
    mapping = Mapping([("A", "remark"), ("B", "phone"), ("C", "tags")])
    rec = read_file(path, mapping=mapping).records[0]
    assert (rec.remark, rec.phone, rec.tags) == ("王芳", "+8613800138000", ["VIP"])


def test_mapping_rejects_unknown_field():
    with pytest.raises(KamtuiError):
        Mapping([("A", "not_a_field")])
    with pytest.raises(KamtuiError):
        Mapping.from_dict({"columns": "nope"})
    assert "phone" in MAPPABLE_FIELDS


def test_progress_is_byte_based_and_reaches_the_end(tmp_path):
    path = tmp_path / "many.csv"
    rows = ["姓名,手机"] + [f"客户{i},138{i:08d}" for i in range(10_000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    calls = []
    r = read_file(path, progress=lambda done, total: calls.append((done, total)))
    assert len(r.records) == 10_000
    size = path.stat().st_size
    assert calls[-1] == (size, size)
    assert len(calls) > 2 and all(0 < d <= t == size for d, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# --- dates (kamtui.dates, with the layout's day/month order) -----------------------------


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("2026-03-05", "ymd", date(2026, 3, 5)),
        ("2026/3/5", "ymd", date(2026, 3, 5)),
        ("2026.3.5", "ymd", date(2026, 3, 5)),
        ("2026年3月5日", "ymd", date(2026, 3, 5)),
        ("2026-03-05 14:22:01", "ymd", date(2026, 3, 5)),
        ("20260305", "ymd", date(2026, 3, 5)),
        ("45991", "ymd", date(2025, 11, 30)),
        (45991.75, "ymd", date(2025, 11, 30)),
        ("3/5/2026", "mdy", date(2026, 3, 5)),
        ("3/5/2026", "dmy", date(2026, 5, 3)),
        ("25/12/2020", "ymd", date(2020, 12, 25)),  # only one reading is possible
        ("12/25/2020", "ymd", date(2020, 12, 25)),
        ("５/1/1990", "mdy", date(1990, 5, 1)),  # full-width digit
    ],
)
def test_dates(raw, order, expected):
    assert import_date(raw, order=order) == expected


@pytest.mark.parametrize(
    ("raw", "key_text"),
    [
        ("2026-02-30", "does not exist"),
        ("2026-13-01", "does not exist"),
        ("abc", "not understood"),
        ("3/5/2026", "month/day or day/month"),
        ("2/30/2020", "does not exist"),
        ("7", "not understood"),  # an Excel serial before 1927 is not a date here
        ("2026", "not understood"),
    ],
)
def test_bad_dates(raw, key_text):
    with pytest.raises(KamtuiError, match=key_text):
        import_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("--05-01", Birthday(5, 1)),
        ("--0501", Birthday(5, 1)),
        ("05-01", Birthday(5, 1)),
        ("5月1日", Birthday(5, 1)),
        ("1604-05-01", Birthday(5, 1)),
        ("1990-05-01", Birthday(5, 1, 1990)),
        ("02-29", Birthday(2, 29)),
        ("农历三月初五", Birthday(3, 5, None, lunar=True)),
        ("农历1990年3月5日", Birthday(3, 5, 1990, lunar=True)),
        ("农历闰四月十二", Birthday(4, 12, None, lunar=True, leap=True)),
        ("农历腊月廿三", Birthday(12, 23, None, lunar=True)),
        ("32994", Birthday(5, 1, 1990)),  # an Excel serial as text
        (32994, Birthday(5, 1, 1990)),
    ],
)
def test_birthdays(raw, expected):
    assert import_birthday(raw) == expected


def test_birthday_order():
    assert import_birthday("5/1/1990", order="mdy") == Birthday(5, 1, 1990)
    assert import_birthday("5/1/1990", order="dmy") == Birthday(1, 5, 1990)
    assert import_birthday("5/1", order="dmy") == Birthday(1, 5)
    assert import_birthday("5/1") == Birthday(5, 1)


@pytest.mark.parametrize("raw", ["02-30", "--1301", "农历十三月一日", "2990-01-01", "生日"])
def test_bad_birthdays(raw):
    with pytest.raises(KamtuiError):
        import_birthday(raw)


def test_birthday_in_the_future_is_refused(frozen_today):
    with pytest.raises(KamtuiError, match="does not exist"):
        import_birthday(f"{frozen_today.year + 1}-01-01")
    assert import_birthday(f"{frozen_today.year}-01-01") == Birthday(1, 1, frozen_today.year)


def test_dates_go_through_kamtui_dates(monkeypatch):
    """One code path: the importer calls kamtui.dates for every date it does not reorder."""
    import kamtui.importing.clean as clean

    calls = []
    real = clean.parse_date_value

    def spy(value, field="date"):
        calls.append(value)
        return real(value, field)

    monkeypatch.setattr(clean, "parse_date_value", spy)
    assert import_date("2026年3月5日") == date(2026, 3, 5)
    assert calls == ["2026年3月5日"]


# --- robustness --------------------------------------------------------------------------

_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"
    "AAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _read_or_kamtui_error(path: Path) -> None:
    try:
        result = read_file(path)
    except KamtuiError as err:
        assert str(err)
        return
    for rec in result.records:
        assert rec.display_name()
        assert rec.phone is None or rec.phone.startswith("+")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_crash(tmp_path, data):
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    _read_or_kamtui_error(path)


_PIECES = [
    *"ab王芳,;\"\t\r\n '-+=0123456789年月日:@#¥.",
    "wxid_",
    "VIP",
    "@chatroom",
    "gh_",
    "1.38E+10",
]
_cell = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from(
            ["姓名", "微信号", "手机", "生日", "标签", "累计金额", "添加时间", "性别", "x"]
        ),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(st.lists(_cell, max_size=7), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_random_csv_never_crashes(tmp_path, header, rows, encoding):
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)
    path = tmp_path / "random.csv"
    path.write_bytes(text.encode(encoding, "replace"))
    _read_or_kamtui_error(path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "BEGIN:VCARD",
                "END:VCARD",
                "VERSION:2.1",
                "FN:王芳",
                "TEL:13800138000",
                "N:;;;;",
                "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B=",
                "=E8=8A=B3",
                "BDAY:--13-45",
                "PHOTO;ENCODING=b:!!!!",
                " folded",
                "item1.X-ABLabel:微信",
                "item1.TEL:139",
                "CATEGORIES:a\\,b",
                "X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,=E5=BE):x",
                "NOTE:\\n",
                ":",
                "",
            ]
        ),
        max_size=25,
    )
)
def test_random_vcards_never_crash(tmp_path, lines):
    path = tmp_path / "r.vcf"
    path.write_bytes(("BEGIN:VCARD\r\n" + "\r\n".join(lines)).encode())
    _read_or_kamtui_error(path)


def test_fixture_dir_is_complete():
    """Every layout has a fixture, and the test can fail: a broken fixture is caught."""
    names = {p.name for p in FIX.iterdir()}
    assert {"android_21.vcf", "ios_30.vcf", "v40.vcf", "pywxdump_users.json"} <= names
    assert set(CSV_LAYOUTS) <= names


def test_a_damaged_copy_fails(tmp_path):
    """Sanity check that the assertions above look at the data: change a cell, see it."""
    copy = tmp_path / "seller.csv"
    shutil.copy(FIX / "seller.csv", copy)
    copy.write_text(copy.read_text("utf-8").replace("138 0013 8000", "138 0013 8999"), "utf-8")
    assert by_name(read_file(copy), "王芳").phone == "+8613800138999"


# --- big files: rows cleaned by this process and a forked helper (command line) ---------


def _awkward_rows(n: int) -> list[str]:
    """Seller rows with every kind of trouble now and then (rejections, warnings, skips)."""
    rnd = random.Random(7)
    lines = ["姓名,微信号,手机,性别,地区,职业,生日,添加时间,来源,备注,标签,最近下单,累计金额"]
    for i in range(n):
        kind = i % 11
        phone = f"138{i:08d}" if kind != 1 else "12345"
        wechat = {2: f"gh_shop{i}", 3: f"{i}@chatroom"}.get(kind, f"wx_{i}")
        birthday = f"19{rnd.randint(60, 99)}-0{rnd.randint(1, 9)}-1{i % 9}"
        if kind == 4:
            birthday = "1990-02-30"
        total = {5: "-12.5", 6: "abc"}.get(kind, f"{rnd.randint(1, 999)}.5")
        gender = "外星" if kind == 7 else rnd.choice(("男", "女", ""))
        name = "长" * 300 if kind == 8 else f"客户{i}"
        tags = f"VIP,{'x' * 60},老客户" if kind == 9 else "VIP"
        row = f"{name},{wechat},{phone},{gender},广东 深圳,教师,{birthday},2024/3/{1 + i % 28},"
        row += f"朋友圈,备注{i},{tags},2026-01-0{1 + i % 9},{total}"
        if kind == 10:
            row = ",,,,,,,,,,,," if i % 2 else row + ",多出来的"
        lines.append(row)
    return lines


def _as_tuple(r):
    return (r.records, r.problems, list(r.skipped.items()), r.rows_read, r.notices, r.layout)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
@pytest.mark.parametrize("child", ["works", "fails", "slow"])
def test_rows_cleaned_with_a_helper_process_are_the_rows_cleaned_alone(
    tmp_path, monkeypatch, child
):
    import os
    import time

    import kamtui.importing.clean as clean_mod
    import kamtui.importing.reader as reader_mod

    path = tmp_path / "many.csv"
    path.write_text("\n".join(_awkward_rows(300)) + "\n", encoding="utf-8")
    parent = os.getpid()
    real_build = clean_mod.Cleaner.build
    cleaned_here = []

    def build(self, row, *a, **kw):
        if os.getpid() != parent:
            if child == "fails":
                raise RuntimeError("the child breaks")
            if child == "slow":
                time.sleep(0.05)
        else:
            cleaned_here.append(row)
            if child == "works":
                time.sleep(0.002)  # this process is slow: the child gets ahead
        return real_build(self, row, *a, **kw)

    monkeypatch.setattr(clean_mod.Cleaner, "build", build)
    monkeypatch.setattr(reader_mod, "can_fork", lambda: False)
    alone = read_file(path)  # one Cleaner, row by row, as the file is read
    assert alone.rejected > 20 and alone.skipped["chatroom"] and alone.skipped["empty"]
    assert any(not p.rejected for p in alone.problems)
    built = list(cleaned_here)  # the rows that are more than empty
    cleaned_here.clear()

    monkeypatch.setattr(reader_mod, "can_fork", lambda: True)
    monkeypatch.setattr(reader_mod, "PARALLEL_CLEAN_FROM", 50)
    monkeypatch.setattr(reader_mod, "CLEAN_CHUNK", 7)  # 43 chunks, the last one short
    forks = count_forks(monkeypatch)
    calls = []
    shared = read_file(path, progress=lambda done, total: calls.append((done, total)))
    assert forks == [1]
    assert _as_tuple(shared) == _as_tuple(alone)
    # the child cleaned the last chunks, this process the first ones, each row once
    if child == "fails":
        assert cleaned_here == built
    else:  # (a slow child is never waited for: this process may clean every row)
        assert 0 < len(cleaned_here) <= len(built)
        assert cleaned_here == built[: len(cleaned_here)]
        if child == "works":
            assert len(cleaned_here) < len(built)
    size = path.stat().st_size
    assert calls[-1] == (size, size)
    assert all(0 < d <= t == size for d, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_rows_cleaned_in_chunks_without_a_helper_are_the_same(tmp_path, monkeypatch):
    """Where a fork is possible but the file is small, or where it is not possible at all
    (no helper process is ever started), the result does not change."""
    import os

    import kamtui.importing.reader as reader_mod

    path = tmp_path / "mid.csv"
    path.write_text("\n".join(_awkward_rows(120)) + "\n", encoding="utf-8")
    monkeypatch.setattr(reader_mod, "can_fork", lambda: False)
    alone = read_file(path)

    def no_fork():
        raise AssertionError("no helper process for this file")

    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setattr(reader_mod, "CLEAN_CHUNK", 9)
    monkeypatch.setattr(reader_mod, "can_fork", lambda: True)  # but under the threshold
    assert _as_tuple(read_file(path)) == _as_tuple(alone)
    monkeypatch.setattr(reader_mod, "PARALLEL_CLEAN_FROM", 10)
    monkeypatch.setattr(reader_mod, "can_fork", lambda: False)  # big enough, no fork
    assert _as_tuple(read_file(path)) == _as_tuple(alone)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_file_error_in_rows_the_helper_would_clean_is_still_raised(tmp_path, monkeypatch):
    import kamtui.importing.reader as reader_mod

    monkeypatch.setattr(reader_mod, "can_fork", lambda: True)
    monkeypatch.setattr(reader_mod, "PARALLEL_CLEAN_FROM", 20)
    monkeypatch.setattr(reader_mod, "CLEAN_CHUNK", 5)
    lines = _awkward_rows(100)
    lines[-1] = lines[-1] + ',"not closed'
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        read_file(path)
    assert err.value.key == "import.truncated_quote" and err.value.row == 101
    assert "broken.csv" in str(err.value)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_wechat_label_ids_counted_across_chunks(tmp_path, monkeypatch):
    import kamtui.importing.reader as reader_mod

    lines = ["UserName,Alias,Remark,NickName,label"]
    lines += [f"wxid_{i:05d},wx{i},备注{i},昵称{i},{i % 4 or ''}" for i in range(80)]
    path = tmp_path / "memo.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(reader_mod, "can_fork", lambda: False)
    alone = read_file(path)
    assert alone.layout == "memotrace" and alone.notices
    monkeypatch.setattr(reader_mod, "can_fork", lambda: True)
    monkeypatch.setattr(reader_mod, "PARALLEL_CLEAN_FROM", 20)
    monkeypatch.setattr(reader_mod, "CLEAN_CHUNK", 6)
    assert _as_tuple(read_file(path)) == _as_tuple(alone)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_work_from_both_ends_gives_every_chunk_once_the_child_the_last_ones():
    import gc
    import os
    import time

    from kamtui.importing.parallel import HELPER_NICE, FromBothEnds

    parent = os.getpid()

    def work(chunk):
        if os.getpid() != parent:
            time.sleep(0.01)
        return chunk, os.getpid() != parent, os.nice(0), gc.isenabled()

    assert gc.isenabled()
    helper = FromBothEnds(60, work)
    got = []
    try:
        for chunk in range(60):
            result = helper.theirs(chunk)
            got.append(result if result is not None else work(chunk))
            time.sleep(0.005)  # this process is slow: the child gets ahead
    finally:
        helper.close()
    assert [g[0] for g in got] == list(range(60))
    theirs = [g for g in got if g[1]]
    assert theirs and theirs == got[-len(theirs) :] and len(theirs) < 60
    # on a busy machine the child takes what this process leaves
    assert all(g[2] == min(19, os.nice(0) + HELPER_NICE) for g in theirs)
    # and it never walks the objects it shares with this process (copying their pages)
    assert not any(g[3] for g in theirs) and gc.isenabled()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_work_ahead_starts_with_the_first_chunks_then_from_the_end_once_caught_up(tmp_path):
    """``ahead``: the child computes the first chunks while this process does something
    else; once this process has had to compute one itself (it caught up), the child goes
    on from the last chunk backwards until they meet. Every chunk once, in order."""
    import os
    import time

    from kamtui.importing.parallel import FromBothEnds

    parent = os.getpid()
    caught = tmp_path / "caught"

    def work(chunk):
        if os.getpid() != parent and chunk == 3:
            while not caught.exists():  # the child is slow here: this process catches up
                time.sleep(0.005)
        return chunk, os.getpid() != parent

    def wait_for(ready) -> None:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.01)
            helper._receive()

    helper = FromBothEnds(12, work, ahead=True)
    got = []
    try:
        wait_for(lambda: {0, 1, 2} <= set(helper.done))  # (this process is busy elsewhere)
        for chunk in range(4):
            result = helper.theirs(chunk)
            got.append(result if result is not None else work(chunk))
        caught.touch()
        wait_for(lambda: helper.lowest < 12)  # the child went on with the last chunk
        for chunk in range(4, 12):
            result = helper.theirs(chunk)
            got.append(result if result is not None else work(chunk))
            time.sleep(0.005)
    finally:
        helper.close()
    assert [g[0] for g in got] == list(range(12))
    mine = [g[0] for g in got if not g[1]]
    assert [g[1] for g in got[:4]] == [True, True, True, False]
    assert got[-1][1] and mine == list(range(3, 3 + len(mine)))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_work_from_both_ends_never_waits_for_a_slow_child():
    import os
    import time

    from kamtui.importing.parallel import FromBothEnds

    parent = os.getpid()

    def work(chunk):
        if os.getpid() != parent and chunk < 8:
            time.sleep(30)  # stuck (or starved on a busy machine)
        return chunk

    started = time.monotonic()
    helper = FromBothEnds(10, work)
    try:
        got = []
        for chunk in range(10):
            result = helper.theirs(chunk)
            got.append(result if result is not None else work(chunk))
            time.sleep(0.02)
    finally:
        helper.close()
    assert got == list(range(10))
    assert time.monotonic() - started < 5
