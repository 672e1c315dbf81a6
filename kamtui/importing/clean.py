"""One row in, one :class:`ImportRecord` out (or a skip, or a rejection).

The cleaner works on ``values``: mapping field -> raw cell values of the row (a
field can be fed by several columns). Tables go through :meth:`Cleaner.clean_row`,
vCards hand their values straight to :meth:`Cleaner.build`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.importing._dates import parse_birthday, parse_date_value
from kamtui.importing.layouts import Layout, Mapping
from kamtui.importing.model import Birthday, ImportRecord, RowProblem
from kamtui.importing.regions import (
    city_name,
    country_name,
    parse_address,
    province_name,
    split_region,
)
from kamtui.phone import looks_damaged, normalize_phone
from kamtui.validate import MAX_TEXT, label, parse_money

#: WeChat's own accounts that are not friends.
SYSTEM_IDS = frozenset(
    {
        "filehelper",
        "weixin",
        "fmessage",
        "medianote",
        "floatbottle",
        "qmessage",
        "qqmail",
        "tmessage",
        "newsapp",
        "qqsync",
        "lbsapp",
        "shakeapp",
        "voip",
        "voipapp",
        "blogapp",
        "masssendapp",
        "feedsapp",
        "voicevoipapp",
        "voiceinputapp",
        "linkedinplugin",
        "notifymessage",
        "qqfriend",
        "officialaccounts",
        "exmail_tool",
        "mphelper",
        "weibo",
        "cardpackage",
        "brandsessionholder",
        "userexperience_alarm",
        "weixinreminder",
        "notification_messages",
        "opencustomerservicemsg",
        "helper_entry",
        "appbrand_notify_message",
        "gamelifesess",
        "downloaderapp",
    }
)
_GENDER = {
    "男": "m",
    "m": "m",
    "male": "m",
    "man": "m",
    "1": "m",
    "男性": "m",
    "先生": "m",
    "boy": "m",
    "女": "f",
    "f": "f",
    "female": "f",
    "woman": "f",
    "2": "f",
    "女性": "f",
    "女士": "f",
    "girl": "f",
    "小姐": "f",
}
_GENDER_UNKNOWN = {
    "unspecified",
    "0",
    "未知",
    "unknown",
    "u",
    "其他",
    "保密",
    "none",
    "null",
    "未设置",
    "x",
    "n/a",
}
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE_SPLIT = re.compile(r"\s*:::\s*|[,，;；/、|\n]+")
_TAG_SPLIT = re.compile(r"\s*:::\s*|[,，;；、|\n]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_FAST_MOBILE = re.compile(r"^(?:\+86|0086|86)?[ \-]?(1\d{2})[ \-]?(\d{4})[ \-]?(\d{4})$")
_MISSING_DATES = {"0/0/00", "00/00/0000", "0000-00-00", "0000/00/00", "1/0/00"}
_GOOGLE_SYSTEM = re.compile(r"^(\*\s*|system group:\s*)", re.IGNORECASE)
_STARRED = {"starred", "starred in android", "收藏", "星标"}
_MULTI = frozenset({"phone", "email", "tags", "description", "signature", "address"})
_WECHAT_LAYOUTS = frozenset({"memotrace", "pywxdump"})


def _cn_mobile_pattern():
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    return re.compile(meta.mobile.national_number_pattern)


_mobile_re = None


def _is_cn_mobile(national: str) -> bool:
    global _mobile_re
    if _mobile_re is None:
        _mobile_re = _cn_mobile_pattern()
    return _mobile_re.fullmatch(national) is not None


def _is_mobile(e164: str) -> bool:
    if e164.startswith("+86"):
        return e164[3:4] == "1" and len(e164) == 14
    import phonenumbers

    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def clean_text(value, *, dash_missing: bool = False) -> str:
    """Trim, drop control characters and a spreadsheet's leading apostrophe."""
    s = value.strip()
    if not s:
        return s
    if _CTRL.search(s):
        s = _CTRL.sub("", s).strip()
        if not s:
            return s
    if s[0] == "'" and len(s) > 1 and (s[1] in "+-=@" or s[1].isdigit()):
        s = s[1:].lstrip()
    if dash_missing and s in ("-", "--", "—", "－"):
        return ""
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s


def compose_name(first: str, middle: str, last: str) -> str:
    """Chinese names: 姓+名 without a space; others "First Middle Last"."""
    if _CJK.search(first + middle + last):
        return f"{last}{middle}{first}".replace(" ", "")
    return " ".join(p for p in (first, middle, last) if p)


def split_tags(raw: str) -> list[str]:
    return [p.strip() for p in _TAG_SPLIT.split(raw) if p.strip()]


class Cleaner:
    """Turns rows of one file into records; collects problems and skip counts."""

    def __init__(self, mapping: Mapping | None, layout: Layout):
        self.layout = layout
        self.dash_missing = layout.dash_missing
        self.date_order = layout.date_order
        self.region_words = layout.region_words
        self.tag_ids = layout.name in _WECHAT_LAYOUTS
        self.slots = [(i, f) for i, f in enumerate(mapping.fields) if f] if mapping else []
        self.width = len(mapping.columns) if mapping else 0
        self.problems: list[RowProblem] = []
        self.skipped: dict[str, int] = {}
        self.label_id_rows = 0

    # -- problems -------------------------------------------------------------------
    def _problem(self, row: int, fld: str, reason: str, rejected: bool = False) -> None:
        self.problems.append(RowProblem(row, fld, reason, rejected))

    def _skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    # -- tables ---------------------------------------------------------------------
    def clean_row(self, row: int, cells: list) -> ImportRecord | None:
        n = len(cells)
        if n > self.width:
            extra = cells[self.width :]
            if any(
                (isinstance(c, str) and c.strip()) or (c and not isinstance(c, str)) for c in extra
            ):
                self._problem(
                    row,
                    "",
                    t("import.row_too_many_cells", cells=n, headers=self.width),
                    rejected=True,
                )
                return None
        values: dict[str, list] = {}
        dash = self.dash_missing
        for i, fld in self.slots:
            if i >= n:
                break
            v = cells[i]
            if isinstance(v, str):
                v = clean_text(v, dash_missing=dash)
                if not v:
                    continue
            elif v is None:
                continue
            got = values.get(fld)
            if got is None:
                values[fld] = [v]
            else:
                got.append(v)
        if not values and not any((c.strip() if isinstance(c, str) else c) for c in cells):
            self._skip("empty")
            return None
        return self.build(row, values)

    # -- the record -----------------------------------------------------------------
    def build(
        self,
        row: int,
        values: dict[str, list],
        extras: dict | None = None,
        problems: list[tuple[str, str]] = (),
    ) -> ImportRecord | None:
        extras = extras or {}

        def first(fld: str) -> str:
            got = values.get(fld)
            return str(got[0]) if got else ""

        wxid = first("wxid")
        wechat_id = first("wechat_id")
        if not wxid and wechat_id.startswith("wxid_"):
            wxid = wechat_id
        for ident in (wxid, wechat_id):
            if not ident:
                continue
            if ident.endswith("@chatroom"):
                self._skip("chatroom")
                return None
            if ident.startswith("gh_"):
                self._skip("official")
                return None
            if ident.lower() in SYSTEM_IDS:
                self._skip("system")
                return None
        rec = ImportRecord(row, wechat_id=wechat_id or wxid, wxid=wxid)
        for fld, message in problems:
            self._problem(row, fld, message)
        notes: list[str] = []

        rec.nickname = first("nickname")
        rec.remark = first("remark") or compose_name(
            first("first_name"), first("middle_name"), first("last_name")
        )
        self._phones(rec, values.get("phone", ()), notes)
        self._region(rec, values, first, notes)
        self._gender(rec, first("gender"))
        self._birthday(rec, values, extras, first)
        rec.added_on = self._date(row, "added_on", _cell(values, "added_on"))
        rec.last_order_on = self._date(row, "last_order_on", _cell(values, "last_order_on"))
        self._amount(rec, first("total_amount"))
        self._tags(rec, values.get("tags", ()))
        rec.occupation = first("occupation") or " ".join(
            p for p in (first("company"), first("title")) if p
        )
        rec.source = first("source")
        rec.account = first("account")
        rec.picture_url = first("picture_url")
        if "picture" in extras:
            rec.picture = extras["picture"]
            rec.picture_ext = extras.get("picture_ext", "")
        for email in values.get("email", ()):
            notes.append(t("import.note_email", value=email))
        parts = [str(v) for v in values.get("description", ())]
        parts += [str(v) for v in values.get("signature", ()) if str(v) not in parts]
        description = "\n".join(p for p in [*parts, *notes] if p)
        if len(description) > MAX_TEXT:
            self._problem(
                row, "description", t("import.too_long", field=label("description"), max=MAX_TEXT)
            )
            description = ""
        rec.description = description
        for fld in ("nickname", "remark", "wechat_id", "occupation", "source", "account"):
            if len(getattr(rec, fld)) > 200:
                self._problem(row, fld, t("import.too_long", field=label(fld), max=200))
                setattr(rec, fld, "")
        if not (rec.remark or rec.nickname or rec.wechat_id or rec.phone):
            self._problem(row, "", t("import.row_empty_identity"), rejected=True)
            return None
        return rec

    def _phones(self, rec: ImportRecord, raws, notes: list[str]) -> None:
        valid: list[str] = []
        for raw in raws:
            for piece in _PHONE_SPLIT.split(str(raw)):
                piece = piece.strip()
                if not piece:
                    continue
                m = _FAST_MOBILE.match(piece)
                if m and _is_cn_mobile(national := m[1] + m[2] + m[3]):
                    e164 = "+86" + national
                else:
                    try:
                        if looks_damaged(piece):
                            self._problem(rec.row, "phone", t("import.phone_damaged", value=piece))
                            continue
                        e164 = normalize_phone(piece)
                    except ValidationError:
                        self._problem(rec.row, "phone", t("import.phone_invalid", value=piece))
                        continue
                if e164 and e164 not in valid:
                    valid.append(e164)
        if not valid:
            return
        chosen = next((p for p in valid if _is_mobile(p)), valid[0])
        rec.phone = chosen
        rec.other_phones = [p for p in valid if p != chosen]
        if rec.other_phones:
            notes.append(t("import.note_other_phones", value=", ".join(rec.other_phones)))

    def _region(self, rec: ImportRecord, values, first, notes: list[str]) -> None:
        country, province, city = first("country"), first("province"), first("city")
        if self.region_words or country or province or city:
            country = country_name(country) if country else ""
            province = province_name(province) if province else ""
            city = city_name(city) if city else ""
        region = first("region")
        if region:
            c, p, ci = split_region(region)
            country, province, city = country or c, province or p, city or ci
        for address in [*values.get("address", ()), *values.get("address_note", ())]:
            address = str(address)
            if not (province or city):
                c, p, ci = parse_address(address)
                country, province, city = country or c, province or p, city or ci
            notes.append(t("import.note_address", value=address))
        if not country and province in _provinces():
            country = "中国"
        rec.country, rec.province, rec.city = country, province, city

    def _gender(self, rec: ImportRecord, raw: str) -> None:
        if not raw:
            return
        key = unicodedata.normalize("NFKC", raw).strip().lower()
        if key in _GENDER:
            rec.gender = _GENDER[key]
        elif key not in _GENDER_UNKNOWN:
            self._problem(rec.row, "gender", t("import.gender_unknown", value=raw))

    def _birthday(self, rec: ImportRecord, values, extras, first) -> None:
        if "birthday" in extras:
            rec.birthday = extras["birthday"]
            return
        raw = values.get("birthday", [None])[0]
        if raw is None and first("birth_month") and first("birth_day"):
            y, m, d = first("birth_year"), first("birth_month"), first("birth_day")
            raw = f"{y}-{int(m):02d}-{int(d):02d}" if (m.isdigit() and d.isdigit()) else f"{m}-{d}"
            if not y:
                raw = f"--{raw[1:]}" if raw.startswith("-") else f"--{raw}"
        if raw is None or (isinstance(raw, str) and raw.strip() in _MISSING_DATES):
            return
        try:
            rec.birthday = parse_birthday(raw, order=self.date_order)
        except ValidationError as err:
            self._problem(rec.row, "birthday", err.message)

    def _date(self, row: int, fld: str, raw) -> date | None:
        if raw in (None, "") or (isinstance(raw, str) and raw.strip() in _MISSING_DATES):
            return None
        try:
            return parse_date_value(raw, field=fld, order=self.date_order)
        except ValidationError as err:
            self._problem(row, fld, err.message)
            return None

    def _amount(self, rec: ImportRecord, raw: str) -> None:
        if not raw:
            return
        try:
            fen = parse_money(raw, "total_amount", allow_negative=True)
        except ValidationError:
            self._problem(rec.row, "total_amount", t("import.money_invalid", value=raw))
            return
        if fen < 0:
            self._problem(rec.row, "total_amount", t("import.money_negative", value=raw))
            return
        rec.total_amount_fen = fen

    def _tags(self, rec: ImportRecord, raws) -> None:
        tags: list[str] = []
        ids: list[str] = []
        for raw in raws:
            for tag in split_tags(str(raw)):
                system = _GOOGLE_SYSTEM.match(tag)
                if system:
                    rest = tag[system.end() :].strip()
                    if rest.lower() in _STARRED:
                        rec.favourite = True
                    continue  # "* myContacts", "System Group: My Contacts"
                if tag.lower() in _STARRED:
                    rec.favourite = True
                    continue
                if self.tag_ids and tag.isdigit():
                    ids.append(tag)
                    continue
                tag = re.sub(r"\s+", "_", tag)[:50]
                if tag not in tags:
                    tags.append(tag)
        rec.tags = tags
        if ids:
            rec.label_ids = ids
            self.label_id_rows += 1


def _cell(values, fld):
    got = values.get(fld)
    return got[0] if got else None


_PROVINCE_SET: frozenset[str] | None = None


def _provinces() -> frozenset[str]:
    global _PROVINCE_SET
    if _PROVINCE_SET is None:
        from kamtui.importing.regions import PROVINCES

        _PROVINCE_SET = frozenset(PROVINCES)
    return _PROVINCE_SET


__all__ = ["Birthday", "Cleaner", "clean_text", "compose_name", "split_tags"]
