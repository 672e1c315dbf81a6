"""One row in, one :class:`ImportRecord` out (or a skip, or a rejection).

The cleaner works on ``values``: mapping field -> raw cell values of the row (a
field can be fed by several columns). Tables go through :meth:`Cleaner.clean_row`,
vCards hand their values straight to :meth:`Cleaner.build`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from kamtui import clock
from kamtui.dates import Birthday, parse_birthday, parse_date_value
from kamtui.errors import ValidationError
from kamtui.i18n import language, t
from kamtui.importing.layouts import Layout, Mapping
from kamtui.importing.model import ImportRecord, RowProblem
from kamtui.importing.regions import (
    PROVINCES,
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
_YES = frozenset({"1", "true", "yes", "y", "是", "√", "✓", "✔", "置顶", "星标", "★", "x"})
_STARRED = {"starred", "starred in android", "收藏", "星标"}
_E = ("",)
_DASHES = frozenset({"-", "--", "—", "－"})
_DATE_FIELDS = frozenset({"added_on", "last_order_on", "birthday"})
#: A problem with one of these fields rejects the whole row: a wrong date or a broken
#: amount usually means shifted columns, and a row left out (listed with its row number)
#: is easier to fix and import again than a contact imported half-right. A *negative*
#: total is kept (with a warning): it is a customer who returned more than they bought,
#: and kamtui's own export writes such a lifetime value.
REJECTING_FIELDS = frozenset({"added_on", "last_order_on", "birthday", "total_amount"})
#: Day/month/year with the year last (Outlook's 5/1/1990, Europe's 1.5.1990): only the
#: layout knows the order, so these are turned into ISO text before ``kamtui.dates``.
_XYZ = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?$"
)
_DM = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_SERIAL_TEXT = re.compile(r"^\d{1,6}(?:\.\d+)?$")
MIN_SERIAL = 10_000  # Excel serials below this (before 1927) are not dates in a contact file
_REGION_FIELDS = frozenset({"country", "province", "city", "region", "address", "address_note"})
_WS = re.compile(r"\s+")
MAX_NAME = 200  # names, IDs, source, account
MAX_TAG = 50
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
        self.tag_ids = layout.name in _WECHAT_LAYOUTS
        self.slots = [(i, f) for i, f in enumerate(mapping.fields) if f] if mapping else []
        self.width = len(mapping.columns) if mapping else 0
        self.problems: list[RowProblem] = []
        self._soft: set[int] = set()  # problems that never reject a row (a negative total)
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
            if any((c.strip() if isinstance(c, str) else c) for c in extra):
                self._problem(
                    row,
                    "",
                    t("import.row_too_many_cells", cells=n, headers=self.width),
                    rejected=True,
                )
                return None
        values: dict[str, list] = {}
        dash = self.dash_missing
        long = False
        for i, fld in self.slots:
            if i >= n:
                break
            v = cells[i]
            if v.__class__ is str:
                v = v.strip()
                if not v:
                    continue
                if v[0] == "'" or not v.isprintable() or (dash and v in _DASHES):
                    v = clean_text(v, dash_missing=dash)
                    if not v:
                        continue
                if len(v) > 200:
                    long = True
            elif v is None:
                continue
            elif fld not in _DATE_FIELDS:
                v = str(v)
            got = values.get(fld)
            if got is None:
                values[fld] = [v]
            else:
                got.append(v)
        if not values and not any((c.strip() if isinstance(c, str) else c) for c in cells):
            self._skip("empty")
            return None
        return self.build(row, values, check_length=long)

    # -- the record -----------------------------------------------------------------
    def build(
        self,
        row: int,
        values: dict[str, list],
        extras: dict | None = None,
        problems: list[tuple[str, str]] = (),
        *,
        check_length: bool = True,
    ) -> ImportRecord | None:
        """The record for one row's ``values`` (field -> raw values), or None if skipped
        or rejected (then counted in ``skipped`` / ``problems``)."""
        get = values.get
        wxid = (get("wxid") or _E)[0]
        wechat_id = (get("wechat_id") or _E)[0]
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
        first_problem = len(self.problems)
        for fld, message in problems:
            self._problem(row, fld, message)
        notes: list[str] = []

        rec.nickname = (get("nickname") or _E)[0]
        rec.remark = (get("remark") or _E)[0]
        if not rec.remark and ("first_name" in values or "last_name" in values):
            rec.remark = compose_name(
                (get("first_name") or _E)[0],
                (get("middle_name") or _E)[0],
                (get("last_name") or _E)[0],
            )
        if "phone" in values:
            self._phones(rec, values["phone"], notes)
        if not _REGION_FIELDS.isdisjoint(values):
            self._region(rec, values, notes)
        if "gender" in values:
            self._gender(rec, values["gender"][0])
        if extras and "birthday" in extras:
            rec.birthday = extras["birthday"]
        elif "birthday" in values or "birth_month" in values:
            self._birthday(rec, values)
        if "added_on" in values:
            rec.added_on = self._date(row, "added_on", values["added_on"][0])
        if "last_order_on" in values:
            rec.last_order_on = self._date(row, "last_order_on", values["last_order_on"][0])
        if "total_amount" in values:
            self._amount(rec, values["total_amount"][0])
        if "tags" in values:
            self._tags(rec, values["tags"])
        rec.occupation = (get("occupation") or _E)[0]
        if not rec.occupation and ("company" in values or "title" in values):
            rec.occupation = " ".join(
                p for p in ((get("company") or _E)[0], (get("title") or _E)[0]) if p
            )
        rec.source = (get("source") or _E)[0]
        rec.account = (get("account") or _E)[0]
        if "favourite" in values:
            flag = str(values["favourite"][0]).strip().lower()
            rec.favourite = rec.favourite or flag in _YES
        rec.picture_url = (get("picture_url") or _E)[0]
        if extras and "picture" in extras:
            rec.picture = extras["picture"]
            rec.picture_ext = extras.get("picture_ext", "")
        for email in get("email", ()):
            notes.append(t("import.note_email", value=email))
        parts = list(get("description", ()))
        parts += [v for v in get("signature", ()) if v not in parts]
        if notes:
            parts += notes
        if parts:
            description = parts[0] if len(parts) == 1 else "\n".join(p for p in parts if p)
            if len(description) > MAX_TEXT:
                self._problem(
                    row,
                    "description",
                    t("import.too_long", field=label("description"), max=MAX_TEXT),
                )
                description = ""
            rec.description = description
        if check_length:
            for fld in ("nickname", "remark", "wechat_id", "occupation", "source", "account"):
                if len(getattr(rec, fld)) > MAX_NAME:
                    self._problem(row, fld, t("import.too_long", field=label(fld), max=MAX_NAME))
                    setattr(rec, fld, "")
        if not (rec.remark or rec.nickname or rec.wechat_id or rec.phone):
            self._problem(row, "", t("import.row_empty_identity"), rejected=True)
            return None
        if len(self.problems) > first_problem and self._reject_bad_values(first_problem):
            return None
        return rec

    def _reject_bad_values(self, first: int) -> bool:
        """Turn this row's problems into a rejection if one is a bad date or amount."""
        mine = self.problems[first:]
        if not any(
            p.field in REJECTING_FIELDS and first + i not in self._soft for i, p in enumerate(mine)
        ):
            return False
        self.problems[first:] = [
            RowProblem(p.row, p.field, p.reason, rejected=True)
            if p.field in REJECTING_FIELDS
            else p
            for p in mine
        ]
        return True

    def _phones(self, rec: ImportRecord, raws, notes: list[str]) -> None:
        if len(raws) == 1 and raws[0].__class__ is str:  # the usual cell: one mobile
            m = _FAST_MOBILE.match(raws[0])
            if m and _is_cn_mobile(national := m[1] + m[2] + m[3]):
                rec.phone = "+86" + national
                return
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

    def _region(self, rec: ImportRecord, values, notes: list[str]) -> None:
        get = values.get
        country, province, city = _norm_region(
            (get("country") or _E)[0], (get("province") or _E)[0], (get("city") or _E)[0]
        )
        if "region" in values:
            c, p, ci = _split_region_cached(values["region"][0])
            country, province, city = country or c, province or p, city or ci
        for address in [*get("address", ()), *get("address_note", ())]:
            address = str(address)
            if not (province or city):
                c, p, ci = parse_address(address)
                country, province, city = country or c, province or p, city or ci
            notes.append(t("import.note_address", value=address))
        if not country and province in PROVINCES:
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

    def _birthday(self, rec: ImportRecord, values) -> None:
        raw = values["birthday"][0] if "birthday" in values else None
        if raw is None:
            y = (values.get("birth_year") or _E)[0]
            m = (values.get("birth_month") or _E)[0]
            d = (values.get("birth_day") or _E)[0]
            if not (m.isdigit() and d.isdigit()):
                return
            raw = f"{y}-{int(m):02d}-{int(d):02d}" if y else f"--{int(m):02d}-{int(d):02d}"
        if isinstance(raw, str) and raw.strip() in _MISSING_DATES:
            return
        if isinstance(raw, str):
            got = _birthday_cached(raw, self.date_order, language())
            if isinstance(got, str):
                self._problem(rec.row, "birthday", got)
            else:
                rec.birthday = got
            return
        try:
            rec.birthday = import_birthday(raw, order=self.date_order)
        except ValidationError as err:
            self._problem(rec.row, "birthday", err.message)

    def _date(self, row: int, fld: str, raw) -> date | None:
        if isinstance(raw, str):
            if raw in _MISSING_DATES:
                return None
            got = _date_cached(raw, self.date_order, language())
            if isinstance(got, date):
                return got
            self._problem(row, fld, got)
            return None
        try:
            return import_date(raw, fld, self.date_order)
        except ValidationError as err:
            self._problem(row, fld, err.message)
            return None

    def _amount(self, rec: ImportRecord, raw: str) -> None:
        fen = _money_cached(raw)
        if fen is None:
            self._problem(rec.row, "total_amount", t("import.money_invalid", value=raw))
        else:
            if fen < 0:  # more returned than bought: kept, and pointed out
                self._problem(rec.row, "total_amount", t("import.money_negative", value=raw))
                self._soft.add(len(self.problems) - 1)
            rec.total_amount_fen = fen

    def _tags(self, rec: ImportRecord, raws) -> None:
        tags: list[str] = []
        ids: list[str] = []
        for raw in raws:
            for tag in _TAG_SPLIT.split(raw):
                tag = tag.strip()
                if not tag:
                    continue
                if tag[0] == "*" or tag[:6].lower() == "system":
                    system = _GOOGLE_SYSTEM.match(tag)
                    if system:
                        if tag[system.end() :].strip().lower() in _STARRED:
                            rec.favourite = True
                        continue  # "* myContacts", "System Group: My Contacts"
                if tag.lower() in _STARRED:
                    rec.favourite = True
                    continue
                if self.tag_ids and tag.isdigit():
                    ids.append(tag)
                    continue
                if " " in tag or not tag.isprintable():
                    tag = _WS.sub("_", tag)
                tag = tag[:MAX_TAG]
                if tag not in tags:
                    tags.append(tag)
        rec.tags = tags
        if ids:
            rec.label_ids = ids
            self.label_id_rows += 1


def _ordered(s: str, m: re.Match, fld: str, order: str) -> date:
    """``5/1/1990`` as the layout's ``order`` says ("ymd": only when one reading is possible)."""
    a, b, y = int(m[1]), int(m[2]), int(m[3])
    if len(m[3]) == 2:
        y += 2000 if y <= (clock.today().year % 100) + 10 else 1900
    if order == "mdy" or (order == "ymd" and b > 12 >= a):
        month, day_ = a, b
    elif order == "dmy" or (order == "ymd" and a > 12 >= b):
        month, day_ = b, a
    else:
        raise ValidationError(fld, t("import.date_ambiguous", value=s))
    try:
        return date(y, month, day_)
    except ValueError:
        raise ValidationError(fld, t("err.date_impossible", value=s)) from None


def import_date(raw, fld: str = "date", order: str = "ymd") -> date:
    """A date from a cell: :func:`kamtui.dates.parse_date_value`, plus the layout's
    day/month order for ``5/1/1990`` and no tiny Excel serials (``7`` is not a date)."""
    if isinstance(raw, str):
        s = unicodedata.normalize("NFKC", raw).strip()
        if m := _XYZ.match(s):
            return _ordered(s, m, fld, order)
        if _SERIAL_TEXT.match(s) and float(s) < MIN_SERIAL:
            raise ValidationError(fld, t("dates.err.value", value=raw))
    elif isinstance(raw, int | float) and not isinstance(raw, bool) and raw < MIN_SERIAL:
        raise ValidationError(fld, t("dates.err.value", value=raw))
    return parse_date_value(raw, fld)


def import_birthday(raw, fld: str = "birthday", order: str = "ymd") -> Birthday | None:
    """A birthday from a cell: :func:`kamtui.dates.parse_birthday` with the layout's
    order for ``5/1/1990`` / ``1/5``, Excel serials, and no birthdays in the future."""
    if isinstance(raw, str):
        s = unicodedata.normalize("NFKC", raw).strip()
        if (m := _XYZ.match(s)) or _SERIAL_TEXT.match(s):
            raw = _ordered(s, m, fld, order) if m else import_date(s, fld, order)
        elif order == "dmy" and (m := _DM.match(s)):
            raw = f"{m[2]}/{m[1]}"
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = import_date(raw, fld, order)
    b = parse_birthday(raw, fld)
    if b is not None and b.year is not None and b.year > clock.today().year:
        raise ValidationError(fld, t("import.birthday_impossible", value=raw))
    return b


@lru_cache(maxsize=65536)
def _date_cached(raw: str, order: str, lang: str) -> date | str:
    """A date, or the problem's message (cached: files repeat their dates)."""
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    try:
        return import_date(raw, "date", order)
    except ValidationError as err:
        return err.message


@lru_cache(maxsize=65536)
def _birthday_cached(raw: str, order: str, lang: str) -> Birthday | str | None:
    """A birthday (or None), or the problem's message (files repeat their birthdays)."""
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw[:4].isdigit():
        # the common 1990-05-01: what import_birthday makes of it, without its parsers
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if 1900 <= day.year <= clock.today().year:
                return Birthday(day.month, day.day, day.year)
    try:
        return import_birthday(raw, order=order)
    except ValidationError as err:
        return err.message


@lru_cache(maxsize=4096)
def _split_region_cached(text: str) -> tuple[str, str, str]:
    return split_region(text)


_PLAIN_MONEY = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")


def _money_cached(raw: str) -> int | None:
    m = _PLAIN_MONEY.fullmatch(raw)
    if m:  # the common case, 1200.5: no need for the general parser
        cents = m[2] or "0"
        return int(m[1]) * 100 + int(cents) * (10 if len(cents) == 1 else 1)
    return _money_general(raw)


@lru_cache(maxsize=8192)
def _money_general(raw: str) -> int | None:
    try:
        return parse_money(raw, "total_amount", allow_negative=True)
    except ValidationError:
        return None


@lru_cache(maxsize=4096)
def _norm_region(country: str, province: str, city: str) -> tuple[str, str, str]:
    return (
        country_name(country) if country else "",
        province_name(province) if province else "",
        city_name(city) if city else "",
    )


__all__ = [
    "REJECTING_FIELDS",
    "Cleaner",
    "clean_text",
    "compose_name",
    "import_birthday",
    "import_date",
    "split_tags",
]
