"""Exports: CSV/XLSX/vCard/JSON content, encodings, formula and hostile-text safety,
private all-or-nothing files, columns, selection, the command, and bulk reads."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date, datetime

import pytest

from kamtui import (
    accounts,
    contacts,
    exporting,
    interactions,
    purchases,
    referrals,
    reminders,
    satisfaction,
    snippets,
)
from kamtui.cli import main
from kamtui.errors import KamtuiError, ValidationError
from kamtui.exporting import cells, columns
from kamtui.exporting.sheets import _encode_column as columns_encode
from kamtui.exporting.vcard import fold, split_name
from kamtui.phone import normalize_phone

TODAY = date(2026, 11, 24)

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "＝1+1", " =HYPERLINK()", "'quoted"]
HOSTILE = "\x1b[31m红\x1b[0m\x00NUL\x07\u202eevil\u202c\u200bzw 👨\u200d👩\u200d👧 🌸 张三\x9b2J"


def _set(book, contact_id, **values):
    """Store raw values, bypassing validation (what a hostile import could leave behind)."""
    sets = ", ".join(f"{k} = ?" for k in values)
    with book.transaction() as con:
        con.execute(f"UPDATE contact SET {sets} WHERE id = ?", (*values.values(), contact_id))


@pytest.fixture
def shop(book):
    """A small book: a buyer with everything, a formula-named friend, a lunar birthday, an
    archived contact and a foreign number."""
    accounts.create_account(book, "主号")
    ids = {}
    ids["zhang"] = contacts.create_contact(
        book,
        remark="张三",
        nickname="小张🌸",
        wechat_id="zhang3",
        phone="13800138000",
        province="广东",
        city="深圳",
        occupation="教师",
        gender="女",
        tags=["VIP", "宝妈"],
        account="主号",
        birth_year=1990,
        birth_month=5,
        birth_day=1,
        source="朋友圈",
        added_on=date(2025, 3, 8),
        description="喜欢红茶\n常买, 要发票; 路径 C:\\docs",
        favourite=True,
    )
    ids["formula"] = contacts.create_contact(
        book, remark="=1+1", nickname="-2+3", phone="+1 650 253 0000", birth_month=2, birth_day=29
    )
    ids["lunar"] = contacts.create_contact(
        book, remark="欧阳娜娜", birth_month=3, birth_day=5, birth_lunar=True, tags=["VIP"]
    )
    ids["archived"] = contacts.create_contact(book, remark="旧客户", nickname="old")
    contacts.archive_contacts(book, [ids["archived"]])
    ids["returns"] = contacts.create_contact(book, nickname="退货王")
    z = ids["zhang"]
    purchases.record_purchase(book, z, "茶叶", "120.50", bought_on=date(2025, 1, 10))
    purchases.record_purchase(book, z, "茶叶", "80", bought_on=date(2026, 6, 1))
    purchases.record_purchase(book, z, "茶叶", "-35", bought_on=date(2026, 6, 5))
    credit = purchases.record_purchase(
        book, z, "茶饼", "300", bought_on=date(2026, 9, 1), credit=True
    )
    purchases.record_payment(book, z, "100", paid_on=date(2026, 10, 1), purchase_id=credit)
    purchases.record_purchase(book, ids["returns"], "面膜", "-50", bought_on=date(2026, 7, 1))
    purchases.create_product(book, "面膜", cycle_days=30, price="59.90", cost="20")
    interactions.log_interaction(book, z, "chat", "问了新茶", occurred_on=date(2026, 11, 2))
    interactions.log_interaction(book, z, "complaint", "包装破了", occurred_on=date(2026, 10, 2))
    snippets.add_snippet(book, z, "need", "想要红茶", saved_on=date(2026, 10, 3))
    referrals.set_referrer(book, ids["lunar"], z, referred_on=date(2026, 4, 1), note="闺蜜")
    reminders.add_reminder(book, z, date(2026, 12, 1), "回访新茶", rrule="FREQ=MONTHLY")
    satisfaction.rate(book, z, 5, rated_on=date(2026, 10, 5), note="很满意")
    return ids


def _csv(book, **kw) -> tuple[bytes, list[list[str]]]:
    buf = io.BytesIO()
    exporting.export_contacts(book, "csv", buf, today=TODAY, **kw)
    raw = buf.getvalue()
    enc = kw.get("encoding", "utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw.decode(enc), newline="")))
    return raw, rows


def _by_header(rows):
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


# ---- CSV -------------------------------------------------------------------------------


def test_csv_utf8_bom_crlf_and_values(shop, book):
    raw, rows = _csv(book, headers="en")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in raw and raw.endswith(b"\r\n")
    assert raw.replace(b"\r\n", b"").count(b"\n") == 1  # only the description's own newline
    header = rows[0]
    assert header == [columns.all_columns()[c].en for c in columns.DEFAULT_COLUMNS]
    by_name = {r["Remark name"] or r["Nickname"]: r for r in _by_header(rows)}
    assert set(by_name) == {"张三", "'=1+1", "欧阳娜娜", "退货王"}  # archived left out
    z = by_name["张三"]
    assert z["Nickname"] == "小张🌸"
    assert z["Phone"] == "138 0013 8000"
    assert z["Tags"] == "VIP, 宝妈"
    assert z["Account"] == "主号"
    assert z["Gender"] == "female"
    assert z["Birthday"] == "1990-05-01"
    assert z["Date added"] == "2025-03-08"
    assert z["Description"] == "喜欢红茶\n常买, 要发票; 路径 C:\\docs"
    assert z["Favourite"] == "yes"
    assert z["Last contact"] == "2026-11-02"
    assert z["Lifetime value"] == "465.50"  # 120.50 + 80 - 35 + 300
    assert z["Value (365 days)"] == "345.00"  # 80 - 35 + 300 (the 2025-01 sale is older)
    assert z["Owed"] == "200.00"
    assert by_name["退货王"]["Lifetime value"] == "-50.00"  # a return stays a negative number
    assert by_name["'=1+1"]["Birthday"] == "02-29"
    assert by_name["欧阳娜娜"]["Birthday"] == "农历三月初五"  # the form every reader knows
    assert next(iter(by_name)) == "张三"  # pinned first


def test_tags_are_sorted_like_the_contact_page(book):
    from kamtui.tags import contact_tags

    cid = contacts.create_contact(book, remark="x", tags=["乙", "甲", "Z", "a"])
    _, rows = _csv(book, columns="tags")
    assert rows[1] == [", ".join(contact_tags(book, cid))] == ["a, Z, 乙, 甲"]


def test_csv_chinese_headers_and_words(shop, book):
    _, rows = _csv(book, headers="zh")
    assert rows[0][:6] == ["备注名", "昵称", "微信号", "手机", "所属微信", "标签"]
    z = _by_header(rows)[0]
    assert z["性别"] == "女" and z["置顶"] == "是"
    lunar = next(r for r in _by_header(rows) if r["备注名"] == "欧阳娜娜")
    assert lunar["生日"] == "农历三月初五"


def test_headers_default_to_the_user_language(shop, book):
    from kamtui import i18n

    i18n.set_language("zh")
    _, rows = _csv(book)
    assert rows[0][0] == "备注名"


def test_csv_gb18030_round_trips_emoji_and_rare_characters(shop, book):
    text = "家人👨\u200d👩\u200d👧 𠀀𪚥 ©é ₩"
    _set(book, shop["zhang"], description=text)
    raw, rows = _csv(book, encoding="gb18030", columns="remark,description")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "张三".encode("gb18030") in raw
    assert rows[1] == ["张三", text]
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB18030, not UTF-8


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_neutralises_formulas(book, text):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, remark=text, nickname=text)
    _, rows = _csv(book, columns="remark,nickname")
    cell = rows[1][0]
    assert cell.startswith("'")
    expected = text.replace("\r", "\n")  # CR becomes a line feed inside a cell
    assert cells.restore(cell) == expected
    assert rows[1][1] == cell


@pytest.mark.parametrize("text", ["张三", "a-b", "1+1", "VIP客户", "Tom@home", "50%"])
def test_csv_leaves_harmless_text_alone(book, text):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, remark=text)
    _, rows = _csv(book, columns="remark")
    assert rows[1] == [text]


def test_csv_phones_and_amounts_stay_usable(shop, book):
    _, rows = _csv(book, columns="remark,phone,lifetime_value,nickname", headers="en")
    found = {r[0] or r[3]: r for r in rows[1:]}
    cn = found["张三"][1]
    assert cn == "138 0013 8000"  # no "+": nothing for Excel to run, spaces keep it text
    assert normalize_phone(cn) == "+8613800138000"
    foreign = found["'=1+1"][1]
    assert foreign == "'+1 650-253-0000"  # neutralised like any text starting with "+"
    assert normalize_phone(foreign) == "+16502530000"  # the importer strips the apostrophe
    returns = found["退货王"][2]
    assert returns == "-50.00" and float(returns) == -50.0  # a number, not neutralised


def test_neutralise_and_restore_are_inverse():
    for text in [*FORMULAS, "", "张三", "''x", "'", "  -1", "\u3000=x", "-", "a=b", " x"]:
        assert cells.restore(cells.neutralise(text)) == text
        guarded = cells.neutralise(text) != text
        assert guarded == cells.needs_guard(text)
        assert not guarded or cells.neutralise(text) == "'" + text
    assert cells.restore("'plain") == "'plain"  # an apostrophe kamtui did not add stays


def test_csv_hostile_text_is_kept_but_defused(book):
    cid = contacts.create_contact(book, remark="x")
    long = "长" * 10_000
    _set(book, cid, remark=HOSTILE, description=long, city="深圳\r\n南山", source="渠道\x00A")
    raw, rows = _csv(book, columns="remark,description,city,source")
    text = raw.decode("utf-8-sig")
    for bad in ("\x1b", "\x00", "\x07", "\u202e", "\u202c", "\u200b", "\x9b"):
        assert bad not in text
    remark = rows[1][0]
    assert "红" in remark and "NUL" in remark and "evil" in remark
    assert "👨\u200d👩\u200d👧" in remark and "🌸" in remark and "张三" in remark
    assert "[31m" not in remark  # the whole escape sequence went, not just ESC
    assert rows[1][1] == long
    assert rows[1][2] == "深圳\n南山"
    assert rows[1][3] == "渠道A"  # a NUL alone is caught too


def test_clean_text_table():
    assert cells.clean_text("a\x1b]0;title\x07b") == "ab"  # OSC title change
    assert cells.clean_text("a\r\nb\rc") == "a\nb\nc"
    assert cells.clean_text("tab\tkept\nnewline") == "tab\tkept\nnewline"
    assert cells.clean_text("\ufeffx\ufffe\uffff") == "x"
    assert cells.clean_text("e\u0301 \u200c\u200d") == "e\u0301 \u200c\u200d"
    assert cells.clean_text("x" * 50, max_len=10) == "x" * 9 + "…"


def test_spreadsheet_cells_are_capped_at_excels_limit(book):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, description="长" * 40_000)
    _, rows = _csv(book, columns="description")
    assert len(rows[1][0]) == cells.EXCEL_MAX_CHARS - 1
    assert rows[1][0].endswith("…")


def test_damaged_values_in_number_and_date_columns_are_defused(book, tmp_path):
    cid = contacts.create_contact(book, remark="x")
    # (potential has a CHECK constraint; the day columns take any text)
    _set(book, cid, added_on="@SUM(A1)", last_moment_on="2026-02-30")
    _, rows = _csv(book, columns="added_on,last_moment_on,potential")
    assert rows[1] == ["'@SUM(A1)", "2026-02-30", "3"]
    _, ws = _xlsx(book, tmp_path, columns="added_on,last_moment_on,potential")
    assert [c.value for c in ws[2]] == ["@SUM(A1)", "2026-02-30", 3]
    assert [c.data_type for c in ws[2]] == ["s", "s", "n"]
    assert columns_encode("money", [100, "=1+1", None]) == ["1.00", "'=1+1", ""]
    assert columns_encode("int", [7, "-1+2"]) == [7, "'-1+2"]


# ---- XLSX ------------------------------------------------------------------------------


def _xlsx(book, tmp_path, **kw):
    from openpyxl import load_workbook

    path = tmp_path / "out.xlsx"
    result = exporting.export_contacts(book, "xlsx", path, today=TODAY, **kw)
    wb = load_workbook(path)
    return result, wb.active


def test_xlsx_types_text_phones_dates_and_numbers(shop, book, tmp_path):
    result, ws = _xlsx(book, tmp_path, headers="zh", columns=None)
    assert result.count == 4
    header = [c.value for c in ws[1]]
    assert header[:4] == ["备注名", "昵称", "微信号", "手机"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    col = {h: i for i, h in enumerate(header)}
    rows = {r[0].value or r[1].value: r for r in ws.iter_rows(min_row=2)}
    z = rows["张三"]
    phone = z[col["手机"]]
    assert phone.value == "138 0013 8000" and phone.data_type == "s"
    assert phone.number_format == "@"
    assert z[col["微信号"]].number_format == "@" and z[col["微信号"]].data_type == "s"
    assert z[col["添加日期"]].value == datetime(2025, 3, 8)  # a real date
    assert z[col["添加日期"]].is_date
    assert z[col["生日"]].value == datetime(1990, 5, 1)
    assert z[col["累计消费"]].value == pytest.approx(465.5)
    assert z[col["累计消费"]].data_type == "n" and z[col["累计消费"]].number_format == "0.00"
    assert rows["退货王"][col["累计消费"]].value == pytest.approx(-50.0)
    assert rows["欧阳娜娜"][col["生日"]].value == "农历三月初五"
    assert rows["=1+1"][col["生日"]].value == "02-29"  # yearless: text, not a made-up date
    widths = [ws.column_dimensions[chr(65 + i)].width for i in range(5)]
    assert all(w and w >= 8 for w in widths)


@pytest.mark.parametrize("text", FORMULAS)
def test_xlsx_formula_text_stays_exact_text(book, tmp_path, text):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, remark=text)
    _, ws = _xlsx(book, tmp_path, columns="remark,phone")
    cell = ws["A2"]
    assert cell.data_type == "s"  # never a formula
    assert cell.quotePrefix  # Excel keeps it text even when edited
    assert cell.value == text.replace("\r", "\n")  # the seller's text, no apostrophe added


def test_xlsx_has_no_formula_cells_and_survives_illegal_characters(book, tmp_path):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, remark=HOSTILE, description="\x0b\x0cform\x1ffeed" + "x" * 40_000)
    _, ws = _xlsx(book, tmp_path, columns="remark,description,phone")
    remark, description = ws["A2"].value, ws["B2"].value
    assert "\x00" not in remark and "\x1b" not in remark and "👨\u200d👩\u200d👧" in remark
    assert description.startswith("formfeed")
    assert len(description) <= cells.EXCEL_MAX_CHARS
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


# ---- vCard -----------------------------------------------------------------------------


def _vcf(book, **kw) -> bytes:
    buf = io.BytesIO()
    exporting.export_contacts(book, "vcf", buf, today=TODAY, **kw)
    return buf.getvalue()


def _cards(raw: bytes) -> list[dict[str, list[str]]]:
    text = raw.replace(b"\r\n ", b"").decode("utf-8")  # unfold
    cards, card = [], None
    for line in text.split("\r\n"):
        if line == "BEGIN:VCARD":
            card = {}
        elif line == "END:VCARD":
            cards.append(card)
        elif line:
            name, _, value = line.partition(":")
            card.setdefault(name, []).append(value)
    return cards


def test_vcard_content(shop, book):
    raw = _vcf(book, headers="zh")
    assert raw.count(b"BEGIN:VCARD") == 4 and b"\n" not in raw.replace(b"\r\n", b"")
    cards = {c["FN"][0]: c for c in _cards(raw)}
    z = cards["张三"]
    assert z["VERSION"] == ["3.0"]
    assert z["N"] == ["张;三;;;"]
    assert z["NICKNAME"] == ["小张🌸"]
    assert z["TEL;TYPE=CELL"] == ["+8613800138000"]
    assert z["BDAY"] == ["1990-05-01"]
    assert z["CATEGORIES"] == ["VIP,宝妈"]
    assert z["TITLE"] == ["教师"]
    assert z["ADR;TYPE=HOME"] == [";;;深圳;广东;;"]
    assert z["NOTE"] == [
        "喜欢红茶\\n常买\\, 要发票\\; 路径 C:\\\\docs\\n微信号: zhang3\\n所属微信: 主号"
    ]
    assert z["X-WECHAT-ID"] == ["zhang3"]
    assert cards["欧阳娜娜"]["N"] == ["欧阳;娜娜;;;"]
    assert not any(k.startswith("BDAY") for k in cards["欧阳娜娜"])  # never a wrong solar date
    assert cards["欧阳娜娜"]["NOTE"] == ["生日: 农历三月初五"]
    f = cards["=1+1"]
    assert f["N"] == [";=1+1;;;"] and f["TEL;TYPE=CELL"] == ["+16502530000"]
    assert f["BDAY;X-APPLE-OMIT-YEAR=1604"] == ["1604-02-29"]


@pytest.mark.parametrize(
    ("style", "line"),
    [
        ("apple", b"BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29"),
        ("rfc", b"BDAY:--02-29"),
        ("omit", None),
    ],
)
def test_vcard_yearless_birthday_styles(shop, book, style, line):
    raw = _vcf(book, birthday_style=style, ids=[shop["formula"]])
    if line is None:
        assert b"BDAY" not in raw
    else:
        assert line + b"\r\n" in raw


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", ("张", "三")),
        ("欧阳娜娜", ("欧阳", "娜娜")),
        ("王总", ("王", "总")),
        ("小张", ("", "小张")),
        ("A-张三-深圳", ("", "A-张三-深圳")),
        ("Tom Lee", ("", "Tom Lee")),
        ("张三丰的店铺", ("", "张三丰的店铺")),
    ],
)
def test_vcard_name_split(name, expected):
    assert split_name(name) == expected


def test_vcard_folding_keeps_utf8_whole_and_escapes(book):
    cid = contacts.create_contact(book, remark="王,总;\\")
    text = ("描述🌸ab" * 60) + "\n第二行, 分号; 反斜杠\\"
    _set(book, cid, description=text + HOSTILE)
    raw = _vcf(book)
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # every physical line is whole UTF-8 on its own
    assert b"\x1b" not in raw and b"\x00" not in raw and "\u202e".encode() not in raw
    card = _cards(raw)[0]
    assert card["FN"] == ["王\\,总\\;\\\\"]
    note = card["NOTE"][0]
    assert note.startswith(("描述🌸ab" * 60) + "\\n第二行\\, 分号\\; 反斜杠\\\\")
    assert "👨\u200d👩\u200d👧" in note


def test_vcard_structure_survives_a_damaged_phone(book):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, phone="+86;TYPE=X\nEND:VCARD")
    raw = _vcf(book)
    assert raw.split(b"\r\n").count(b"END:VCARD") == 1
    assert _cards(raw)[0]["TEL;TYPE=VOICE"] == ["+86\\;TYPE=X\\nEND:VCARD"]


def test_fold_boundaries():
    for n in range(60, 200):
        line = "NOTE:" + "a" * (n % 7) + "中🌸" * n
        folded = fold(line)
        assert folded.replace(b"\r\n ", b"").decode() == line + "\r\n"
        assert all(len(p) <= 75 for p in folded.split(b"\r\n"))
    assert fold("FN:x") == b"FN:x\r\n"


# ---- JSON ------------------------------------------------------------------------------


def test_json_has_everything(shop, book):
    buf = io.BytesIO()
    result = exporting.export_contacts(book, "json", buf, today=TODAY, include_archived=True)
    doc = json.loads(buf.getvalue())
    assert doc["format"] == "kamtui-export" and doc["version"] == 1
    assert doc["count"] == result.count == 5 == len(doc["contacts"])
    assert [a["name"] for a in doc["accounts"]] == ["主号"]
    product = doc["products"][0]
    assert product["price_fen"] == 5990 and product["price"] == "59.90"
    assert doc["tags"] == ["VIP", "宝妈"]
    by_id = {c["id"]: c for c in doc["contacts"]}
    z = by_id[shop["zhang"]]
    assert z["phone"] == "+8613800138000" and z["gender"] == "f" and z["favourite"] is True
    assert z["account"] == "主号" and z["tags"] == ["VIP", "宝妈"]
    assert z["birthday"] == "1990-05-01"
    assert z["birth"] == {"year": 1990, "month": 5, "day": 1, "lunar": False, "leap": False}
    assert z["added_on"] == "2025-03-08" and z["record_created_at"].startswith("20")
    assert z["lifetime_fen"] == 46550 and z["lifetime"] == "465.50"
    assert z["value_365d_fen"] == 34500 and z["owed_fen"] == 20000 and z["owed"] == "200.00"
    assert z["last_contact"] == "2026-11-02" and z["orders"] == 4
    amounts = [(p["amount_fen"], p["amount"]) for p in z["purchases"]]
    assert amounts == [(12050, "120.50"), (8000, "80.00"), (-3500, "-35.00"), (30000, "300.00")]
    credit = z["purchases"][-1]
    assert credit["credit"] and credit["paid_fen"] == 10000 and credit["owed"] == "200.00"
    assert credit["payments"][0]["amount"] == "100.00"
    assert credit["payments"][0]["paid_on"] == "2026-10-01"
    assert [s["text"] for s in z["snippets"]] == ["想要红茶"]
    kinds = [(i["kind"], i["is_open"]) for i in z["interactions"]]
    assert kinds == [("complaint", True), ("chat", False)]
    assert z["reminders"][0]["rrule"] == "FREQ=MONTHLY" and z["reminders"][0]["note"] == "回访新茶"
    assert z["satisfaction"] == [{"id": 1, "rated_on": "2026-10-05", "level": 5, "note": "很满意"}]
    lunar = by_id[shop["lunar"]]
    assert lunar["referrer_id"] == shop["zhang"] and lunar["referral_note"] == "闺蜜"
    assert lunar["birthday"] == "农历三月初五" and lunar["birth"]["lunar"] is True
    assert by_id[shop["returns"]]["birth"] is None
    assert by_id[shop["archived"]]["archived"] is True
    assert by_id[shop["returns"]]["lifetime"] == "-50.00"


def test_json_is_lossless_but_has_no_raw_controls(book):
    cid = contacts.create_contact(book, remark="x")
    _set(book, cid, remark=HOSTILE, description="line\u2028sep")
    buf = io.BytesIO()
    exporting.export_contacts(book, "json", buf)
    raw = buf.getvalue().decode("utf-8")
    for bad in ("\x1b", "\x00", "\u202e", "\u2028", "\x9b", "\u200b"):
        assert bad not in raw
    contact = json.loads(raw)["contacts"][0]
    assert contact["remark"] == HOSTILE and contact["description"] == "line\u2028sep"


# ---- files -----------------------------------------------------------------------------


@pytest.fixture
def outdir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_files_are_private(shop, book, outdir, fmt):
    tmp_path = outdir
    old = os.umask(0o022)
    try:
        path = tmp_path / f"out.{fmt}"
        path.write_text("old")
        path.chmod(0o644)
        result = exporting.export_contacts(book, fmt, path)
    finally:
        os.umask(old)
    assert result.path == path and result.count == 4
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_failed_export_leaves_no_partial_file(shop, book, outdir, monkeypatch):
    import kamtui.exporting as engine

    tmp_path = outdir

    def broken(table, out, **kw):
        out.write(b"half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine, "write_csv", broken)
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        exporting.export_contacts(book, "csv", path)
    assert list(tmp_path.iterdir()) == []
    path.write_text("previous export")
    with pytest.raises(RuntimeError):
        exporting.export_contacts(book, "csv", path)
    assert path.read_text() == "previous export"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_unwritable_target_is_a_clear_error(shop, book, tmp_path):
    with pytest.raises(KamtuiError, match="does not exist"):
        exporting.export_contacts(book, "csv", tmp_path / "missing" / "x.csv")
    with pytest.raises(KamtuiError, match="is a folder"):
        exporting.export_contacts(book, "csv", tmp_path)


# ---- columns and selection -------------------------------------------------------------


def test_columns_choose_and_order(shop, book):
    _, rows = _csv(book, columns="phone, remark,tags,phone", headers="en")
    assert rows[0] == ["Phone", "Remark name", "Tags"]
    _, rows = _csv(book, columns=["id", "orders", "last_purchase", "potential", "archived"])
    assert rows[0] == ["ID", "Purchases", "Last purchase", "Potential", "Archived"]
    first = rows[1]
    assert first == [str(shop["zhang"]), "4", "2026-09-01", "3", "no"]
    with pytest.raises(ValidationError, match="nope"):
        _csv(book, columns="remark,nope")


def test_every_column_has_both_headers_and_exports(shop, book):
    every = list(columns.all_columns())
    for lang in ("zh", "en"):
        _, rows = _csv(book, columns=every, headers=lang)
        assert len(rows[0]) == len(set(rows[0])) == len(every)
        assert all(len(r) == len(every) for r in rows)


def test_selection_order_exclusions_and_archived(shop, book):
    ids = [shop["lunar"], shop["archived"], 9999, shop["zhang"], shop["lunar"]]
    _, rows = _csv(book, ids=ids, columns="remark")
    assert [r[0] for r in rows[1:]] == ["欧阳娜娜", "旧客户", "张三"]  # given order, once
    _, rows = _csv(book, exclude_ids=[shop["zhang"]], columns="remark")
    assert "张三" not in [r[0] for r in rows[1:]]
    _, rows = _csv(book, include_archived=True, columns="remark")
    assert "旧客户" in [r[0] for r in rows[1:]]
    _, rows = _csv(book, ids=[], columns="remark")
    assert rows == [["Remark name"]]


def test_reads_are_bulk_not_per_contact(book):
    def statements(n):
        for i in range(n):
            cid = contacts.create_contact(book, remark=f"c{i}", tags=["t"])
            purchases.record_purchase(book, cid, "x", "10")
        seen = []
        book.conn.set_trace_callback(seen.append)
        try:
            _csv(book, columns=list(columns.all_columns()))
        finally:
            book.conn.set_trace_callback(None)
        return len(seen)

    few, many = statements(3), statements(60)
    # Bulk reads: the count does not grow with the contacts (the clean-up columns
    # reuse a cached analysis, so a couple of statements may differ between runs).
    assert many <= few + 5


def test_plugged_in_column(shop, book, monkeypatch):
    monkeypatch.setattr(columns, "_registered", {})
    stage = columns.Column("stage", "text", "阶段", "Stage")
    calls = []

    def load(book_, ids, today):
        calls.append(list(ids))
        return {i: "buyer" if i == shop["zhang"] else "friend" for i in ids}

    columns.register_column(stage, load)
    _, rows = _csv(book, columns="remark,stage", headers="zh")
    assert rows[0] == ["备注名", "阶段"] and rows[1] == ["张三", "buyer"]
    assert len(calls) == 1  # one bulk call
    with pytest.raises(ValueError):
        columns.register_column(columns.Column("remark", "text", "x", "x"), load)


def test_bad_options_are_validation_errors(shop, book):
    for kw in ({"encoding": "latin-1"}, {"headers": "fr"}, {"birthday_style": "x"}):
        with pytest.raises(ValidationError):
            exporting.export_contacts(book, "csv", io.BytesIO(), **kw)
    with pytest.raises(ValidationError):
        exporting.export_contacts(book, "pdf", io.BytesIO())


def test_progress_is_reported(shop, book, tmp_path):
    for fmt in exporting.FORMATS:
        seen: list[tuple[int, int]] = []

        def record(done, total, seen=seen):
            seen.append((done, total))

        exporting.export_contacts(book, fmt, tmp_path / f"p.{fmt}", progress=record)
        assert seen and seen[-1] == (4, 4), fmt


# ---- command ---------------------------------------------------------------------------


@pytest.fixture
def db(shop, book):
    book.close()
    return str(book.path)


def test_cli_writes_file_with_format_from_name(db, tmp_path, capsys):
    out = tmp_path / "客户.xlsx"
    assert main(["--db", db, "export", "-o", str(out), "--headers", "zh"]) == 0
    assert "4" in capsys.readouterr().out
    assert out.read_bytes()[:2] == b"PK" and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_cli_stdout_and_queries(db, capsys):
    assert main(["--db", db, "export", "--columns", "remark", "#vip"]) == 0
    out = capsys.readouterr().out
    assert out.lstrip("\ufeff").split("\r\n")[1:3] == ["张三", "欧阳娜娜"]
    assert main(["--db", db, "export", "-f", "json", "fav", "acct:主号"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["remark"] for c in doc["contacts"]] == ["张三"]
    assert main(["--db", db, "export", "--columns", "remark", "archived"]) == 0
    assert capsys.readouterr().out.lstrip("\ufeff").split("\r\n")[1] == "旧客户"
    assert main(["--db", db, "export", "-f", "vcf", "#VIP", "#宝妈"]) == 0
    assert capsys.readouterr().out.count("BEGIN:VCARD") == 1


def test_cli_errors(db, capsys, tmp_path):
    assert main(["--db", db, "export", "-f", "xlsx"]) == 2
    assert "needs a file" in capsys.readouterr().err
    assert main(["--db", db, "export", "-f", "json", "--encoding", "gb18030"]) == 2
    capsys.readouterr()
    assert main(["--db", db, "export", "color:red"]) == 1  # the search's note refuses it
    assert "Unknown filter" in capsys.readouterr().err
    assert main(["--db", db, "export", "acct:nobody"]) == 1
    assert main(["--db", db, "export", "--columns", "remark,zzz"]) == 1
    assert "zzz" in capsys.readouterr().err
    assert main(["--db", db, "export", "-o", str(tmp_path / "no" / "x.csv")]) == 1


def test_cli_lists_columns(db, capsys):
    assert main(["--db", db, "--lang", "zh", "export", "--list-columns"]) == 0
    out = capsys.readouterr().out
    assert "* remark" in out and "备注名" in out and "  owed" not in out
    assert "lifetime_value" in out


# ---- round trip through kamtui's importer ------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("csv", {"headers": "zh"}),
        ("csv", {"headers": "en"}),
        ("csv", {"headers": "zh", "encoding": "gb18030"}),
        ("xlsx", {"headers": "zh"}),
        ("xlsx", {"headers": "en"}),
        ("json", {}),
        ("vcf", {}),
    ],
)
def test_importer_reads_exports_back(shop, book, outdir, fmt, options):
    from kamtui.dates import Birthday
    from kamtui.importing import read_file

    path = outdir / f"round.{fmt}"
    exporting.export_contacts(book, fmt, path, today=TODAY, **options)
    result = read_file(path)
    assert not [p for p in result.problems if p.rejected]
    records = {r.remark or r.nickname: r for r in result.records}
    assert set(records) == {"张三", "=1+1", "欧阳娜娜", "退货王"}
    z = records["张三"]
    assert (z.nickname, z.wechat_id, z.phone) == ("小张🌸", "zhang3", "+8613800138000")
    assert (z.province, z.city, z.occupation) == ("广东", "深圳", "教师")
    assert z.tags == ["VIP", "宝妈"]
    assert z.birthday == Birthday(5, 1, 1990)
    assert z.description.startswith("喜欢红茶\n常买, 要发票; 路径 C:\\docs")
    assert records["欧阳娜娜"].birthday == Birthday(3, 5, None, lunar=True) or fmt == "vcf"
    f = records["=1+1"]
    assert (f.nickname, f.phone) == ("-2+3", "+16502530000")  # apostrophes taken off again
    assert f.birthday == Birthday(2, 29)
    if fmt != "vcf":  # vCard has no such fields
        assert (z.gender, z.source, z.account) == ("f", "朋友圈", "主号")
        assert z.added_on == date(2025, 3, 8)
        assert z.description == "喜欢红茶\n常买, 要发票; 路径 C:\\docs"


def test_birthday_text_reads_back():
    from kamtui.dates import Birthday, parse_birthday

    for parts in [
        (1990, 5, 1, False, False),
        (None, 2, 29, False, False),
        (None, 3, 5, True, False),
        (2020, 4, 8, True, True),
        (None, 12, 23, True, False),
        (2001, 1, 30, True, False),
    ]:
        year, month, day, lunar, leap = parts
        text = columns.birthday_text(*parts)
        assert parse_birthday(text) == Birthday(month, day, year, lunar, leap), text


def test_xlsx_without_openpyxl_is_a_clear_error(shop, book, outdir, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    with pytest.raises(KamtuiError, match="openpyxl"):
        exporting.export_contacts(book, "xlsx", outdir / "x.xlsx")
    assert list(outdir.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_default_order_is_pinned_first_then_by_id(shop, book, fmt):
    contacts.set_favourite(book, [shop["returns"]])
    buf = io.BytesIO()
    exporting.export_contacts(book, fmt, buf, columns="id")
    if fmt == "csv":
        order = [int(line) for line in buf.getvalue().decode("utf-8-sig").split()[1:]]
    else:
        order = [c["id"] for c in json.loads(buf.getvalue())["contacts"]]
    s = shop
    assert order == [s["zhang"], s["returns"], s["formula"], s["lunar"]]
